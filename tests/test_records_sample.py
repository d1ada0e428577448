"""The generated sample records that the records tests and ``scripts/bench_records.py`` use: a generated *valid*
batch is truly valid (no false E733 around a child's 14th birthday), and records broken on purpose inside such a
batch give exactly their own codes, through the real CLI. The rulebook writes no rule the shipped forms cannot fire.

All records are fictional and generated at run time (``records_sample``).
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from conftest import ROOT, run_wugu
from records_sample import f04, f04_batch, f06
from wugu.records import rulebook
from wugu.validate import load_handbook


def _check(folder: Path, records: list[dict]) -> tuple[int, list[tuple[str, str]]]:
    (folder / "batch.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = run_wugu("records", "check", "batch.json", "--project", str(ROOT), "--format", "json", cwd=folder)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode, sorted((p["code"], p["where"]) for p in json.loads(result.stdout)["problems"])


def test_a_generated_valid_batch_has_no_errors(tmp_path: Path) -> None:
    """A batch with every child's 14th birthday falling a few days either side of the survey (where WG-F08, signed
    before the survey, used to predate the birthday) and a random batch: zero problems."""
    survey = date(2026, 10, 8)
    edge = [f04(5000 + i, born=survey.replace(year=survey.year - 14) + timedelta(days=d), survey=survey)
            for i, d in enumerate(range(-10, 11))]
    code, problems = _check(tmp_path, f04_batch(3000, seed=5) + edge)
    assert (code, problems) == (0, [])


def test_broken_samples_in_a_valid_batch_give_their_codes(tmp_path: Path) -> None:
    records = f04_batch(400, seed=9)
    born14 = date(2012, 10, 1)  # 14 on the survey day (2026-10-08), 13 on 2026-09-20
    records[9] = f04(10, born=born14, consent_f08_date="2026-09-20")  # WG-F08 signed before the 14th birthday
    records[19] = {**records[19], "consent_f08_date": "2026-12-01"}  # WG-F08 signed after the survey
    records[29] = {**records[29], "birth_date": "2010-01-01", "aged_14": True}  # not the date in the ID number
    records[39] = {**records[39], "child_no": records[38]["child_no"]}  # one child surveyed twice
    code, problems = _check(tmp_path, records + [f06("DZ-99999")])
    assert code == 1
    assert problems == sorted([("E733", "记录 10·WG-F08 签署日期"), ("E733", "记录 20·WG-F08 签署日期"),
                               ("E732", "记录 30·出生日期"), ("E730", "记录 40·儿童编号"),
                               ("E731", "记录 401·儿童编号")])


class _Asked(rulebook._Book):
    """A rulebook page that notes every field it asks the form for."""

    def __init__(self, form):
        super().__init__(form)
        self.missing: list[str] = []

    def has(self, *keys: str) -> bool:
        self.missing += [k for k in keys if k not in self.labels]
        return super().has(*keys)


def test_every_rule_in_the_rulebook_fires_on_the_shipped_forms() -> None:
    """No rule is written for a field the base forms lack (such a rule is dead: it never reaches the published
    schema, the fill page or the compiled checks)."""
    handbook = load_handbook(ROOT)
    for form_id, write in rulebook.BOOKS.items():
        book = _Asked(handbook.form(form_id))
        write(book)
        assert book.missing == [], (form_id, book.missing)
        assert book.rules

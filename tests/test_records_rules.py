"""The rules within one record (age and consent, the birth date in the ID number) are written once, as JSON Schema
if/then in the published record schema (``x-wugu.rules``), and run by both ``wugu records check`` (Python) and the
fill page (``record-rules.js`` with the vendored validator). Here both sides judge the same few thousand generated
records — dates near the 14th birthday, missing and malformed dates, every tick combination — and must agree on
every verdict. The browser side runs under Node (the fill page's own scripts, unchanged).

All records are fictional and generated at run time (``records_sample``).
"""
from __future__ import annotations

import json
import random
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import ROOT
from records_sample import f04
from wugu.records.forms import load_forms
from wugu.records.rulebook import Rules
from wugu.records.schema import record_schema

ASSETS = ROOT / "src" / "wugu" / "templates" / "site" / "assets" / "wugu" / "fill"
CHECK_JS = ROOT / "tests" / "js" / "record_rules_check.js"
TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict]:
    handbook, problems = load_forms(str(ROOT))
    assert handbook is not None, problems
    return {f.code: record_schema(f) for f in handbook.forms if f.id in ("F04", "F07", "F08", "F09")}


def _cases(n: int, schemas: dict[str, dict], seed: int = 14) -> list[dict]:
    """Records on the edges of every rule: birthdays a day either side of 14 years before the survey, WG-F08
    signed before, on or after the survey, missing or malformed dates, wrong flags and ticks. Only keys the
    edition's forms have are varied, so the cases fit the forms as they are."""
    rnd = random.Random(seed)
    f04_keys, f08 = set(schemas["WG-F04"]["properties"]), schemas["WG-F08"]["properties"]
    ticks = ("监护人同意", "监护人不同意", "孩子同意", "孩子不同意")
    tick_keys = [k for k, p in f08.items() if "孩子同意" in p.get("items", {}).get("enum", [])]
    out: list[dict] = []
    for i in range(n):
        survey = date(2026, 1, 1) + timedelta(days=rnd.randrange(330))
        born = survey.replace(year=survey.year - 14) + timedelta(days=rnd.randrange(-3, 4)) \
            if rnd.random() < .6 else date(2008, 1, 1) + timedelta(days=rnd.randrange(365 * 15))
        if rnd.random() < .03:  # a year written one off: born after the survey (or surveyed after today)
            born, survey = survey + timedelta(days=rnd.randrange(1, 400)), survey + timedelta(days=rnd.randrange(40))
        r = f04(i + 1, born=born, survey=survey)
        if "consent_f08_date" in f04_keys:
            r["consent_f08_date"] = (survey + timedelta(days=rnd.randrange(-400, 3))).isoformat()
        for key, choices in (("aged_14", (True, False, None, "是")), ("consent_f08_child", (True, False, None)),
                             ("consent_f08_health", ("同意", "不同意", None)),
                             ("health", (["健康"], [], None, "")), ("disability_illness", ("无", "", None))):
            if key in f04_keys and rnd.random() < .4:
                r[key] = rnd.choice(choices)
        if rnd.random() < .15:
            r[rnd.choice(("birth_date", "survey_date", "consent_f08_date"))] = rnd.choice(
                (None, "", "2026-02-30", "2026/1/5", "不详"))
        if rnd.random() < .2:
            r["id_number"] = rnd.choice(("无", r["id_number"][:-1] + "0",
                                         f04(i + 1, born=born - timedelta(days=1))["id_number"]))
        if rnd.random() < .2:
            r.pop("survey_date", None)  # then ages are counted to today
        out.append({k: v for k, v in r.items() if v is not None})
    version = f08["version"]["const"]
    for i in range(n // 2):
        r = {"form": "WG-F08", "version": version, "aged_14": rnd.choice((True, False, None)),
             "child_signed": rnd.choice((True, False, None))}
        for use in tick_keys:
            if rnd.random() < .7:
                r[use] = rnd.sample(ticks, rnd.randrange(0, 4))
        out.append({k: v for k, v in r.items() if v is not None})
    if "WG-F07" in schemas:  # home visits with 0–3 people, other kinds of visit
        version = schemas["WG-F07"]["properties"]["version"]["const"]
        for i in range(n // 4):
            r = {"form": "WG-F07", "version": version, "visit_kind": rnd.choice(("入户走访", "入户走访", "电话联系", None))}
            if rnd.random() < .8:
                r["participants"] = [{"name": "李某某"}] * rnd.randrange(0, 4)
            out.append({k: v for k, v in r.items() if v is not None})
    version = schemas["WG-F09"]["properties"]["version"]["const"]
    for i in range(n // 4):
        out.append({"form": "WG-F09", "version": version, "age": rnd.choice((12, 13, 14, 15, 14.0, "14")),
                    **({"child_signed": rnd.choice((True, False))} if rnd.random() < .7 else {})})
    return out


def test_python_and_browser_judge_every_record_alike(schemas, tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node is not installed (the browser test runs the same rules in Chromium)")
    cases = _cases(1200, schemas)
    rules = {code: Rules(s) for code, s in schemas.items()}
    python = [sorted([r["code"], r["field"]] for r in rules[c["form"]].broken(c, TODAY)) for c in cases]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps({"today": TODAY.isoformat(), "schemas": schemas, "records": cases},
                               ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([node, str(CHECK_JS), str(ASSETS), str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    js = [sorted(v) for v in json.loads(run.stdout)["verdicts"]]
    differ = [(c, p, j) for c, p, j in zip(cases, python, js) if p != j]
    assert not differ, differ[:3]
    # the cases reach every rule, both ways
    for code, ruleset in rules.items():
        keys = {(r["x-wugu"]["code"], r["x-wugu"]["field"]) for r in ruleset.rules}
        seen = {tuple(v) for c, verdict in zip(cases, python) if c["form"] == code for v in verdict}
        assert keys <= seen, (code, keys - seen)
    assert sum(1 for v in python if not v) > len(cases) // 10  # and many records break none


def test_the_fast_python_check_is_jsonschema(schemas) -> None:
    """`wugu records check` runs the rules compiled to Python (every record passes through them); on every generated
    record each rule's verdict equals the jsonschema validator's, and the quick date reading equals cnformats'."""
    from jsonschema import Draft202012Validator

    from wugu import cnformats as cn
    from wugu.records.rulebook import _iso, derive

    cases = _cases(600, schemas, seed=3)
    for code, schema in schemas.items():
        rules = Rules(schema)
        slow = [Draft202012Validator(r).is_valid for r in rules.rules]
        for case in (c for c in cases if c["form"] == code):
            view = derive(case, rules.derived, TODAY)
            assert [f(view) for f in rules.checks] == [f(view) for f in slow], case
    for text in ["2026-02-28", "2026-02-30", "1899-12-31", "2100-01-01", "２０２６-01-05", "2026-1-05", "2026-01-05\n",
                 "2024-02-29", "0000-01-01", " 2026-01-05", "2026/01/05", "", "不详"]:
        assert (_iso(text) is not None) == (cn.normalize_date(text) == text), text


def test_rules_are_if_then_in_the_published_schema(schemas) -> None:
    """Each rule is a JSON Schema with ``then`` (and usually ``if``) and says where its Chinese message goes."""
    from jsonschema import Draft202012Validator

    assert {"_age_on_survey", "_birth_matches_id"} <= set(schemas["WG-F04"]["x-wugu"]["derived"])
    for schema in schemas.values():
        for rule in schema["x-wugu"]["rules"]:
            Draft202012Validator.check_schema(rule)
            note = rule["x-wugu"]
            assert "then" in rule and note["code"] in ("E732", "E733") and note["field"] in schema["properties"]
            assert set(note["involves"]) <= set(schema["properties"]) and note["message"] and note["fix"]
            assert "true" not in note["fix"]

"""Base questions that no longer fit a local edition (W353: the edition rewrote the clause they test; W355: a fact
they use reads differently there) stay out of the edition's exam papers and its site's self-test, through the real
CLI on an edition made at run time; the paper's make-up still holds with the smaller pool."""
from __future__ import annotations

import json
import re
import subprocess

import pytest
from conftest import ROOT
from test_edition import init, write_overrides

from wugu.errors import Problem, WuguError
from wugu.exam import choose
from wugu.validate import load_handbook
from wugu.validate.questions import fitting, unfit_questions

OVERRIDES = """\
clauses:
  - regulation: R10
    clause: 1
    text: 本县山区路远，结对志愿者每年至少入户走访 6 次，每次陪伴不少于 2 小时。
"""


def _unfit(wugu, edition) -> set[str]:
    result = wugu("check", "--format", "json", cwd=edition)
    assert result.returncode == 0, result.stdout + result.stderr
    found = json.loads(result.stdout)
    items = found.get("warnings", found.get("problems", []))
    return {re.search(r"题 ([QL]\d+)", w["message"]).group(1) for w in items if w["code"] in ("W353", "W355")}


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    from conftest import run_wugu

    folder = init(run_wugu, tmp_path_factory.mktemp("unfit") / "county")
    write_overrides(folder, OVERRIDES)
    return folder


def test_exam_and_selftest_leave_out_questions_the_edition_changed(wugu, edition, tmp_path):
    unfit = _unfit(wugu, edition)
    assert {"Q102", "Q103"} <= unfit  # both test R10 clause 1 (“4 次”), which this edition rewrote to 6 次

    out = tmp_path / "exam"
    result = wugu("exam", "--seed", "2", "--count", "100", "--out", str(out), cwd=edition)
    assert result.returncode == 0, result.stdout + result.stderr
    said = [line for line in result.stdout.splitlines() if "这次不放进试卷" in line]
    assert len(said) == 1 and f"有 {len(unfit)} 道基础题" in said[0] and "hide_questions" in said[0]
    key = subprocess.run(["pdftotext", "-layout", str(out / "exam-A-key.pdf"), "-"], capture_output=True,
                         text=True, check=True).stdout
    printed = set(re.findall(r"〔([QL]\d+)〕", key))
    assert len(printed) == 100 and not printed & unfit
    assert "每年至少入户走访 4 次" not in key

    site = tmp_path / "site"
    result = wugu("build", "--no-pdf", "--out", str(site), cwd=edition)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sum("这次不放进网站的自测题" in line for line in result.stdout.splitlines()) == 1
    data = (site / "assets" / "wugu" / "selftest-data.js").read_text(encoding="utf-8")
    assert "Q101" in data and not any(f'"{q}"' in data for q in unfit)


def test_a_pool_too_small_for_the_paper_is_a_clear_error():
    handbook = load_handbook(ROOT)
    gone = [Problem("W353", "questions/x.yml", args={"id": q.id, "ref": "R10.1"})
            for q in handbook.questions if q.type == "multiple"]
    smaller, left = fitting(handbook, gone)
    assert left == len(gone) > 0 and unfit_questions(gone) == {q.id for q in handbook.questions if q.type == "multiple"}
    assert len(choose(handbook, 50, 1)) == 50
    with pytest.raises(WuguError) as caught:
        choose(smaller, 50, 1)
    assert [p.code for p in caught.value.problems] == ["E642"]

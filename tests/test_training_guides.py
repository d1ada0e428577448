"""The question bank covers the practice guides: every guide is tested by at least 2 questions (E650, reported on the
guide with file:line through the real ``wugu`` command), an edition's own guide by at least 1 (a warning), and the
check's summary says how many questions test a guide."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from wugu.bank import parse_ref
from wugu.validate import check

from conftest import ROOT, copy_project, run_wugu

GUIDE = ROOT / "guides" / "emergency.yml"


@pytest.fixture(scope="module")
def bank():
    report = check(ROOT)
    assert report.ok, [p.format() for p in report.problems]
    return report.handbook


def _tested_by(handbook, guide_id: str) -> list:
    return [q for q in handbook.questions if guide_id in q.tests]


def test_every_shipped_guide_is_tested_by_two_questions(bank):
    assert len(bank.guides) >= 7
    for g in bank.guides:
        assert len(_tested_by(bank, g.id)) >= 2, g.id
    # issue 15: the guides written after the bank was first filled have questions of their own, half of them scenarios
    for gid in ("pairing-change", "special-camp"):
        qs = _tested_by(bank, gid)
        assert len(qs) >= 4 and 2 * sum(q.type == "scenario" for q in qs) >= len(qs), gid
        assert all(any(parse_ref(t).norm or parse_ref(t).regulation for t in q.tests) for q in qs), gid
    for gid in ("first-visit", "child-complaints"):
        assert len(_tested_by(bank, gid)) >= 3, gid


def test_the_summary_counts_the_questions_that_test_a_guide(bank):
    expected = sum(any(parse_ref(t).guide for t in q.tests) for q in bank.questions)
    result = run_wugu("check", str(ROOT), "--format", "json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["counts"]["guide_questions"] == expected
    assert f"考实用指南的 {expected} 道" in run_wugu("check", str(ROOT)).stdout


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() == needle:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


def test_a_guide_without_enough_questions_fails_on_the_guide(tmp_path):
    project = copy_project(tmp_path / "project")
    camp = [q["id"] for p in sorted((project / "questions").glob("*.yml"))
            for q in yaml.safe_load(p.read_text(encoding="utf-8"))["questions"] if "special-camp" in q["tests"]]
    for path in sorted((project / "questions").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["questions"] = [q for q in data["questions"] if "pairing-change" not in q["tests"]
                             and ("special-camp" not in q["tests"] or q["id"] == camp[0])]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run_wugu("check", str(project), cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [x for x in result.stdout.splitlines() if " error E650:" in x]
    guides = project / "guides"
    pairing = f"guides/pairing-change.yml:{_line_of(guides / 'pairing-change.yml', 'id: pairing-change')}:"
    camp_at = f"guides/special-camp.yml:{_line_of(guides / 'special-camp.yml', 'id: special-camp')}:"
    assert any(x.startswith(pairing) and "pairing-change《结对的变更与结束》只有 0 道题" in x
               and "再写 2 道题" in x for x in lines), lines
    assert any(x.startswith(camp_at) and "special-camp《特训营的规矩》只有 1 道题" in x
               and "再写 1 道题" in x and "tests 里写上 special-camp" in x for x in lines), lines
    assert len(lines) == 2, lines  # the other guides keep their questions


def test_an_editions_own_guide_without_questions_is_a_warning(tmp_path):
    assert run_wugu("init", "ed", "--name", "示例县服务团", "--level", "县", cwd=tmp_path).returncode == 0
    edition = tmp_path / "ed"
    local = edition / "local" / "guides"
    local.mkdir(parents=True)
    text = GUIDE.read_text(encoding="utf-8").replace("id: emergency", "id: flood").replace(
        "title: 紧急情况处置", "title: 汛期走访").replace("card: true", "card: false")
    (local / "flood.yml").write_text(text.replace("../schemas/", "../../.wugu/schemas/"), encoding="utf-8")
    at = f"local/guides/flood.yml:{_line_of(local / 'flood.yml', 'id: flood')}:"

    result = run_wugu("check", cwd=edition)
    assert result.returncode == 0, result.stdout
    assert any(x.startswith(at) and "warning W354: 本地实用指南 flood 还没有题考它" in x
               for x in result.stdout.splitlines()), result.stdout
    assert run_wugu("check", "--strict", cwd=edition).returncode == 1

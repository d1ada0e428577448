"""The training question bank: the shipped bank holds the coverage rules, and each rule fails on a broken copy
with file:line through the real ``wugu`` command; ``wugu reviewed`` records reviews in place."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from wugu.bank import parse_ref
from wugu.validate import check

from conftest import ROOT, copy_project, run_wugu


@pytest.fixture(scope="module")
def bank():
    report = check(ROOT)
    assert report.ok, [p.format() for p in report.problems]
    return report.handbook


def _copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def _lines(result) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if " error " in line]


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


def test_the_shipped_bank_covers_every_rule(bank):
    tests = [parse_ref(t) for q in bank.questions for t in q.tests]
    for n in bank.norms:
        count = sum(r.norm == n.id for r in tests)
        assert count >= (2 if n.red_line else 1), (n.id, count)
    for r in bank.regulations:
        count = sum(any(parse_ref(t).regulation == r.id for t in q.tests) for q in bank.questions)
        assert count >= 2, (r.id, count)
    assert len(bank.questions) >= 160
    assert sum(q.type == "scenario" for q in bank.questions) >= 40
    assert {q.section_id for q in bank.questions} == {s.id for s in bank.sections}


def test_every_shipped_question_has_a_review_record(bank):
    """Each question records a review of every rule it tests. (Whether the record is still current is a warning of
    ``wugu check``, not a test: a rule change elsewhere must not break the suite, it must ask for a review.)"""
    raw = {q["id"]: q for p in sorted((ROOT / "questions").glob("*.yml"))
           for q in yaml.safe_load(p.read_text(encoding="utf-8"))["questions"]}
    for q in bank.questions:
        assert set(raw[q.id]["reviewed"]) == set(q.tests), q.id
        assert all(len(v) == 6 for v in raw[q.id]["reviewed"].values()), q.id


def test_the_summary_counts_the_bank(bank):
    result = run_wugu("check", str(ROOT), "--format", "json")
    assert result.returncode == 0, result.stdout
    counts = json.loads(result.stdout)["counts"]
    assert counts["questions"] == len(bank.questions)
    assert counts["scenarios"] == sum(q.type == "scenario" for q in bank.questions)
    text = run_wugu("check", str(ROOT)).stdout
    assert f"{len(bank.questions)} 道培训试题" in text


_BROKEN = {
    # code: (file, text to find, replacement)
    "E340": ("S1-visits.yml", "    answer: D\n    explain: 【走访频次】", "    answer: F\n    explain: 【走访频次】"),
    "E341": ("S1-visits.yml", "    answer: D\n    explain: 孩子最需要的是有人真心陪伴", "    answer: [A, B]\n    explain: 孩子最需要的是有人真心陪伴"),
    "E342": ("S1-visits.yml", "    answer: [A, C, D]\n    explain: “三知”", "    answer: [A]\n    explain: “三知”"),
    "E343": ("S1-visits.yml", "    answer: 对\n    explain: 两次入户之间", "    answer: E\n    explain: 两次入户之间"),
    "E302": ("S2-privacy.yml", "    tests: [N07, R05.2]", "    tests: [N77, R05.2]"),
    "E344": ("S2-privacy.yml", "    tests: [R05.7]", "    tests: [R05.17]"),
    "E345": ("S3-safety.yml", "    stem: 入户走访时，最少应当几个人一起去？", "    stem: 每次走访结束后，志愿者应当在多长时间内填写走访记录表？"),
    "E346": ("S3-safety.yml", "      - 至少 3 人，其中要有 1 名村干部", "      - 至少2人，任何人不得独自上门。"),
    "E347": ("S4-money.yml", "      - 拨到孩子所在学校的账户，由学校代为管理", "      - 以上都可以"),
}


def test_each_question_rule_fails_with_file_and_line(tmp_path):
    project = _copy(tmp_path)
    where = {}
    for code, (name, old, new) in _BROKEN.items():
        path = project / "questions" / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (code, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        where[code] = (name, _line_of(path, new.splitlines()[0]))
    # the duplicate is reported on the later of the two questions (S8 comes after S3)
    where["E345"] = ("S8-records.yml", _line_of(project / "questions" / "S8-records.yml",
                                                "stem: 每次走访结束后，志愿者应当在多长时间内填写走访记录表？"))
    result = run_wugu("check", str(project), cwd=project)
    assert result.returncode == 1
    lines = _lines(result)
    for code, (name, line) in where.items():
        assert any(x.startswith(f"questions/{name}:{line}:") and f" error {code}:" in x for x in lines), (code, lines)
    assert "Traceback" not in result.stderr


def _drop_questions(project: Path, keep) -> None:
    """Remove every question for which ``keep(question)`` is false, editing the YAML files as text."""
    for path in sorted((project / "questions").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["questions"] = [q for q in data["questions"] if keep(q)]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_each_coverage_rule_fails_on_the_rule_itself(tmp_path):
    project = _copy(tmp_path)
    red = [q for p in sorted((project / "questions").glob("*.yml"))
           for q in yaml.safe_load(p.read_text(encoding="utf-8"))["questions"] if "N14" in q["tests"]]
    first_red = red[0]["id"]
    _drop_questions(project, lambda q: not (("N14" in q["tests"] and q["id"] != first_red)
                                            or "N39" in q["tests"]
                                            or any(t.startswith("R12.") for t in q["tests"])))
    result = run_wugu("check", str(project), cwd=project)
    assert result.returncode == 1
    lines = _lines(result)
    norms = project / "norms"
    assert any(x.startswith(f"norms/S3-safety.yml:{_line_of(norms / 'S3-safety.yml', 'id: N14')}:")
               and " error E348:" in x for x in lines), lines
    assert any(x.startswith(f"norms/S7-integrity.yml:{_line_of(norms / 'S7-integrity.yml', 'id: N39')}:")
               and " error E349:" in x for x in lines), lines
    assert any(x.startswith("regulations/R12-insurance.yml:2:") and " error E350:" in x for x in lines), lines


def test_reviewed_records_the_review_in_place(tmp_path):
    project = _copy(tmp_path)
    path = project / "questions" / "S3-safety.yml"
    text = path.read_text(encoding="utf-8")
    record = re.search(r"\n    reviewed: \{N13: [^\n]*\}", text).group(0)
    path.write_text(text.replace(record, "", 1), encoding="utf-8")
    result = run_wugu("reviewed", "Q301", "--dir", str(project), cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Q301" in result.stdout
    assert path.read_text(encoding="utf-8") == text  # the same line back, nothing else moved
    unknown = run_wugu("reviewed", "Q999", "--dir", str(project), cwd=project)
    assert unknown.returncode == 2 and "E645" in unknown.stderr

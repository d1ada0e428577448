"""The question bank in a local edition, through the real CLI: local questions are added, base questions can be
hidden, base questions that test a clause the edition rewrote are flagged for review, and ``wugu reviewed``
records the review of the edition's own questions (never of the installed base)."""
from __future__ import annotations

import re

from conftest import ROOT
from test_edition import init, write_overrides

from wugu.validate import load_handbook

LOCAL = """\
# yaml-language-server: $schema=../../.wugu/schemas/question.schema.json
section: S3
title: 本县补充
questions:
  - id: L001
    type: truefalse
    stem: 汛期可以带孩子到水库边看放水，只要站在护栏外面。
    answer: 错
    explain: 本县规定汛期不组织孩子到河道、水库附近活动，站在护栏外面也不行。
    tests: [N49, R07.7]
    difficulty: 易
"""

OVERRIDES = """\
clauses:
  - regulation: R10
    clause: 1
    text: 本县山区路远，结对志愿者每季度至少走访一次，每次不少于 2 小时。
add_norms:
  - section: S3
    id: N49
    number: 49
    rule: 汛期不组织孩子到河道、水库附近活动。
    why: 本县水库多，汛期溺水风险高。
    regulations: [R07]
    sources:
      - kind: handbook
        title: 本手册拟定
hide_questions: [Q109]
"""


def _codes(text: str, code: str) -> list[str]:
    return [line for line in text.splitlines() if f" {code}:" in line]


def test_an_edition_adds_hides_and_reviews_questions(wugu, tmp_path):
    edition = init(wugu, tmp_path / "county")
    write_overrides(edition, OVERRIDES)
    (edition / "local" / "questions").mkdir()
    local = edition / "local" / "questions" / "S3-local.yml"
    local.write_text(LOCAL, encoding="utf-8")
    base = len(load_handbook(ROOT).questions)

    result = wugu("check", "--format", "json", cwd=edition)
    assert result.returncode == 0, result.stdout
    assert f'"questions": {base}' in result.stdout  # one hidden, one added
    result = wugu("check", cwd=edition)
    out = result.stdout
    # every base question that tests R10's first clause asks for a review, pointing at the base file and line
    flagged = _codes(out, "W353")
    expected = [q.id for q in load_handbook(ROOT).questions if "R10.1" in q.tests]
    assert expected and len(flagged) == len(expected), out
    assert all("〔wugu 基础版〕questions/" in line and re.search(r"\.yml:\d+:", line) for line in flagged)
    # the local question has no review record yet; the local norm is covered, so no W354
    assert any("local/questions/S3-local.yml:5:" in line and "L001" in line for line in _codes(out, "W352")), out
    assert not _codes(out, "W354")
    assert "Q109" not in out

    done = wugu("reviewed", "L001", cwd=edition)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r'reviewed: \{N49: "[0-9a-f]{6}", R07\.7: "[0-9a-f]{6}"\}', local.read_text(encoding="utf-8"))
    assert not _codes(wugu("check", cwd=edition).stdout, "W352")
    refused = wugu("reviewed", "Q101", cwd=edition)
    assert refused.returncode == 2 and "E645" in refused.stderr


def test_a_changed_rule_asks_for_a_review_of_its_questions(wugu, tmp_path):
    from conftest import copy_project

    project = copy_project(tmp_path / "p")
    norms = project / "norms" / "S3-safety.yml"
    lines = norms.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "- id: N13")
    rule = next(i for i in range(at, len(lines)) if lines[i].strip().startswith("rule:"))
    lines[rule] = lines[rule].replace("rule: ", "rule: 任何情况下，", 1)  # the rule's text changes
    norms.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = wugu("check", str(project), cwd=project)
    assert result.returncode == 0, result.stdout
    stale = _codes(result.stdout, "W351")
    ids = {q.id for q in load_handbook(ROOT).questions if "N13" in q.tests}
    assert ids and {re.search(r"题 (\w+) ", line).group(1) for line in stale} == ids
    assert all(line.startswith("questions/") for line in stale)
    assert wugu("reviewed", "--all", "--dir", str(project), cwd=project).returncode == 0
    assert not _codes(wugu("check", str(project), cwd=project).stdout, "W351")

"""The bank cannot be passed by guessing (W360–W363): each rule fails on a broken copy of the shipped bank with the
file and line of a question it names, and only ``--strict`` turns the warning into a failure. The shipped bank
passes ``--strict`` (tests/test_facts.py)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Callable

import pytest
import yaml

from conftest import ROOT, copy_project, run_wugu

from wugu.validate import load_handbook
from wugu.validate.balance import longest_is_right


def _rewrite(project: Path, change: Callable[[dict], None]) -> None:
    """Apply ``change`` to every question of the copy (the YAML is written back without comments)."""
    for path in sorted((project / "questions").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for q in data["questions"]:
            change(q)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def _check(project: Path, *args: str) -> tuple[int, dict]:
    result = run_wugu("check", str(project), "--format", "json", *args)
    return result.returncode, json.loads(result.stdout)


def _found(project: Path, code: str) -> list[dict]:
    status, report = _check(project)
    assert status == 0, report["problems"]  # a warning alone does not fail the check
    found = [w for w in report["warnings"] if w["code"] == code]
    for w in found:  # points at the first question it names, in its file
        path = project / w["path"]
        line = path.read_text(encoding="utf-8").splitlines()[w["line"] - 1]
        first = w["message"].split("（如 ")[1].split("、")[0].rstrip("）…")
        assert line.strip() == f"- id: {first}", (w, line)
    strict, _ = _check(project, "--strict")
    assert strict == 1
    return found


def _all_false(q: dict) -> None:
    if q["type"] == "truefalse":
        q["answer"] = "错"


def _right_made_longest(q: dict) -> None:
    if q["type"] in ("single", "scenario"):
        i = "ABCDEF".index(q["answer"])
        q["options"][i] += "，并且事后如实记入走访记录表，报乡镇团备案"


def _right_always_first(q: dict) -> None:
    if q["type"] in ("single", "scenario"):
        i = "ABCDEF".index(q["answer"])
        q["options"].insert(0, q["options"].pop(i))
        q["answer"] = "A"


def _same_multiple_set(q: dict) -> None:
    if q["type"] == "multiple":
        q["answer"] = ["A", "B"]


@pytest.mark.parametrize(("code", "change", "words"), [
    ("W360", _all_false, "判断题"),
    ("W361", _right_made_longest, "最长"),
    ("W362", _right_always_first, "A"),
    ("W363", _same_multiple_set, "AB"),
])
def test_each_guessing_rule_fails_on_a_broken_copy(tmp_path, code, change, words):
    project = copy_project(tmp_path / "p")
    _rewrite(project, change)
    found = _found(project, code)
    assert len(found) == 1 and words in found[0]["message"], found


def test_the_shipped_bank_gives_nothing_away():
    """The shipped bank, measured the way the check measures it, is well inside the limits."""
    questions = load_handbook(ROOT).questions
    truefalse = [q for q in questions if q.type == "truefalse"]
    false = sum(q.options[q.answer[0]] == "错" for q in truefalse) / len(truefalse)
    assert 0.35 <= false <= 0.65
    choice = [q for q in questions if q.type != "truefalse"]
    assert sum(map(longest_is_right, choice)) / len(choice) <= 0.40


def test_a_small_bank_is_not_judged(tmp_path):
    """Fewer than ten questions of a kind say nothing about guessing: with eight true/false questions left, all
    answered 错, W360 stays quiet (the check itself ran: only coverage problems, which are phase-3 errors, remain)."""
    project = copy_project(tmp_path / "p")
    kept = 0
    for path in sorted((project / "questions").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        questions = []
        for q in data["questions"]:
            if q["type"] == "truefalse":
                if kept >= 8:
                    continue
                kept += 1
                q["answer"] = "错"
            questions.append(q)
        data["questions"] = questions
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    _, report = _check(project)
    assert {p["code"] for p in report["problems"]} <= {"E348", "E349", "E350"}
    assert not [w for w in report["warnings"] if w["code"] == "W360"]


def test_guessing_fails_every_paper():
    """The reviewer's strategy (true/false → 错, the longest option, the three longest for multiple choice) passes
    no paper of seeds 1–7 and stays far below the pass mark (scripts/guess_exam.py prints the table)."""
    spec = importlib.util.spec_from_file_location("guess_exam", ROOT / "scripts" / "guess_exam.py")
    guess = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guess)
    rows = guess.run(str(ROOT), list(range(1, 8)), 50)
    assert not any(passed for *_, passed in rows), rows
    assert max(score for _, score, _, _ in rows) < 60, rows

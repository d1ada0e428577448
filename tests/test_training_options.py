"""One question that gives its answer away by length (W364): the right option of a single-choice or scenario
question a fifth longer than its longest wrong option is warned about at that option's line, on any bank size; the
shipped bank has none (it passes ``--strict``, tests/test_facts.py)."""
from __future__ import annotations

import json

import yaml

from conftest import ROOT, copy_project, run_wugu

from wugu.validate import load_handbook
from wugu.validate.balance import stands_out


def test_the_shipped_bank_has_no_answer_that_stands_out_by_length():
    assert [q.id for q in load_handbook(ROOT).questions if stands_out(q)] == []


def test_a_right_option_much_longer_than_the_rest_is_warned_at_its_line(tmp_path):
    project = copy_project(tmp_path / "p")
    path = project / "questions" / "S6-publicity.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    q = next(q for q in data["questions"] if q["id"] == "Q602")
    i = "ABCDEF".index(q["answer"])
    q["options"][i] += "，还要删去年级、班级和老师的名字，发布前由乡镇团初审、县团复审并签名"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    result = run_wugu("check", str(project), "--format", "json")
    assert result.returncode == 0, result.stdout  # a warning alone does not fail the check
    found = [w for w in json.loads(result.stdout)["warnings"] if w["code"] == "W364"]
    assert len(found) == 1 and "Q602" in found[0]["message"], found
    line = path.read_text(encoding="utf-8").splitlines()[found[0]["line"] - 1]
    assert "还要删去年级" in line, line
    assert run_wugu("check", str(project), "--strict").returncode == 1


def test_striking_out_excuse_worded_options_does_not_pass_either():
    """A test-wise guesser strikes out options worded like an excuse (只要…就行, 没关系, 免得 …) before taking the
    longest: still no paper of seeds 1–7 passes, and none reaches 60 (scripts/guess_exam.py --cues)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("guess_exam", ROOT / "scripts" / "guess_exam.py")
    guess = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guess)
    rows = guess.run(str(ROOT), list(range(1, 8)), 50, cues=True)
    assert not any(passed for *_, passed in rows), rows
    assert max(score for _, score, _, _ in rows) < 60, rows

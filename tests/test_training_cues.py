"""A mark or word that, found in only one option, is that question's right answer too often (W365: “；”, “报告”):
the shipped bank gives no such cue; putting “；” back into right options on a copy is warned about, with file:line."""
from __future__ import annotations

import json

import yaml
from conftest import ROOT, copy_project, run_wugu

from wugu.validate import load_handbook
from wugu.validate.balance import CUE_MIN, CUE_SHARE, CUES, lone_cue


def test_the_shipped_bank_gives_no_cue_shared_by_right_answers():
    questions = load_handbook(ROOT).questions
    for cue in CUES:
        lone = [q for q in questions if lone_cue(q, cue) is not None]
        right = [q.id for q in lone if lone_cue(q, cue) == q.answer[0]]
        assert len(lone) < CUE_MIN or len(right) <= CUE_SHARE * len(lone), (cue, right)


def test_a_semicolon_only_in_right_options_is_warned_at_the_first_question(tmp_path):
    project = copy_project(tmp_path / "p")
    path = project / "questions" / "S1-visits.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    changed = []
    for q in data["questions"]:
        if q["type"] in ("single", "scenario") and not any("；" in o for o in q["options"]) and len(changed) < CUE_MIN:
            i = "ABCDEF".index(q["answer"])
            q["options"][i] += "；事后记入走访记录"
            changed.append(q["id"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    result = run_wugu("check", str(project), "--format", "json")
    assert result.returncode == 0, result.stdout
    found = [w for w in json.loads(result.stdout)["warnings"] if w["code"] == "W365"]
    assert len(found) == 1 and "“；”" in found[0]["message"] and changed[0] in found[0]["message"], found
    assert found[0]["path"].endswith("S1-visits.yml") and found[0]["line"] > 0
    assert f"id: {changed[0]}" in path.read_text(encoding="utf-8").splitlines()[found[0]["line"] - 1]
    assert run_wugu("check", str(project), "--strict").returncode == 1

"""Training kit, trainer review 3 (r15-training-3): the red-line flag survives the text export, every page of an
answer sheet and a paper says whose it is, a question the paper's own instructions answer stays off papers, and the
bank gives no wording cue for true/false and multiple-choice answers. Everything through the real CLI and real PDFs."""
from __future__ import annotations

import re

import pytest

from wugu.render.bank_export import RED_LINE_MARK, parse_text
from wugu.validate import load_handbook

from conftest import ROOT, run_wugu


@pytest.fixture(scope="module")
def questions():
    return load_handbook(ROOT).questions


def test_text_export_keeps_the_red_line_flag_and_imports_back(tmp_path, questions):
    out = tmp_path / "题库.txt"
    result = run_wugu("questions", str(ROOT), "--export", "text", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    text = out.read_bytes().decode("utf-8-sig")
    heads = re.findall(r"^\d+\. (.*)$", text, flags=re.M)
    assert len(heads) == len(questions)
    for head, q in zip(heads, questions):
        # the flag is the first thing of the stem, where an exam tool keeps it as part of the question
        assert head.startswith(RED_LINE_MARK) == q.red_line, (q.id, head[:20])
    assert sum(h.startswith(RED_LINE_MARK) for h in heads) == sum(q.red_line for q in questions) > 0
    items = parse_text(text)
    assert [i["red_line"] for i in items] == [q.red_line for q in questions]
    assert not any(i["stem"].startswith(RED_LINE_MARK) for i in items)

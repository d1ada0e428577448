"""A paper a trainer can mark by hand: every question is worth the same whole number of points (a count that gives
none is refused with the counts that do), the mix of question types and the spread over the sections are the same
whatever the seed, the paper and the answer sheet say how to answer in the same words, and the answer key's
number row is printed large enough to mark by."""
from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from wugu.bank import normalise
from wugu.exam import HOW_TO_ANSWER, PART_ORDER, RED_LINE_SHARE, SHEET_RULE, blueprint, choose
from wugu.validate import load_handbook

from conftest import ROOT, run_wugu

#: poppler's word box is this many times the font size for the handbook's CJK fonts (10.5 pt text: 15.2 pt).
_BOX_PER_POINT = 1.45


@pytest.fixture(scope="module")
def handbook():
    return load_handbook(ROOT)


@pytest.fixture(scope="module")
def twenty(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("marking") / "exam"
    result = run_wugu("exam", str(ROOT), "--seed", "3", "--count", "20", "--versions", "A,B", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_a_count_without_whole_points_is_refused_with_counts_that_work(tmp_path):
    result = run_wugu("exam", str(ROOT), "--count", "30", "--out", str(tmp_path / "x"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "E652" in result.stderr and "3.33" in result.stderr
    for offer in ("20 题（每题 5 分）", "25 题（每题 4 分）", "50 题（每题 2 分）", "--count 25"):
        assert offer in result.stderr, offer
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("count", [10, 20, 25, 50, 100])
def test_the_mix_is_the_same_whatever_the_seed(handbook, count):
    plan = blueprint(count)
    assert sum(plan.values()) == count
    red_mix = set()
    for seed in range(1, 13):
        chosen = choose(handbook, count, seed)
        assert len(chosen) == len({q.id for q in chosen}) == count
        assert Counter(q.type for q in chosen) == Counter({t: n for t, n in plan.items() if n}), seed
        assert sum(q.red_line for q in chosen) == round(count * RED_LINE_SHARE), seed
        red_mix.add(tuple(sum(q.red_line and q.type == t for q in chosen) for t in PART_ORDER))
        per_section = Counter(q.section_id for q in chosen)
        assert set(per_section) == {s.id for s in handbook.sections if any(q.section_id == s.id for q in handbook.questions)}
        assert max(per_section.values()) - min(per_section.values()) <= 1, (seed, per_section)
    assert len(red_mix) == 1, red_mix  # the red-line questions fall on the same types every time
    assert [choose(handbook, count, 5)] == [choose(handbook, count, 5)]
    assert choose(handbook, count, 5) != choose(handbook, count, 6)


def test_every_part_states_its_points_and_they_add_up_to_100(twenty):
    text = _text(twenty / "exam-A-paper.pdf")
    assert "共 20 题，每题 5 分，满分 100 分" in text
    parts = re.findall(r"^[一二三四]、\S+（共 (\d+) 题，每题 5 分，共 (\d+) 分）", text, re.M)
    assert [int(n) for n, _ in parts] == [blueprint(20)[t] for t in PART_ORDER]
    assert sum(int(points) for _, points in parts) == 100
    key = _text(twenty / "exam-A-key.pdf")
    assert "得分 = 答对题数 × 5（答对 16 题即 80 分）" in key  # the fact's 80 points, in right answers
    assert "得分 = 答对题数 × 5" in _text(twenty / "exam-A-sheet.pdf")


def test_the_paper_and_the_sheet_say_the_same_about_how_to_answer(twenty):
    paper = normalise(_text(twenty / "exam-A-paper.pdf"))
    sheet = normalise(_text(twenty / "exam-A-sheet.pdf"))
    for words in (SHEET_RULE, *HOW_TO_ANSWER.values()):
        assert normalise(words) in paper, words
        assert normalise(words) in sheet, words
    # no other way of answering a true/false question anywhere (the old paper said to write 对/错 in brackets)
    assert "写对" not in paper and "（　　）" not in _text(twenty / "exam-A-paper.pdf")


def test_the_key_number_row_is_large_enough_to_mark_by(twenty):
    xml = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(twenty / "exam-A-key.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    words = [(float(y0), float(y1), w) for y0, y1, w in
             re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)</word>', xml)]
    start = next(y1 for _, y1, w in words if w == "答案速查")
    numbers = [y1 - y0 for y0, y1, w in words if y0 > start and re.fullmatch(r"▲?\d{1,3}", w)][:20]
    answers = [y1 - y0 for y0, y1, w in words if y0 > start and re.fullmatch(r"[A-F]{1,6}|对|错", w)][:20]
    assert len(numbers) == 20 and len(answers) == 20
    assert min(numbers) / _BOX_PER_POINT >= 10.4, numbers
    assert min(answers) / _BOX_PER_POINT >= 10.4, answers
    pages = subprocess.run(["pdfinfo", str(twenty / "exam-A-key.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+[1-3]\n", pages), pages


def test_the_key_shows_each_right_option_and_each_situation(twenty, handbook):
    """A trainer going through the paper with the class reads from the key: the situation of a scenario question
    and the words of the right option(s), not just a letter."""
    key = normalise(_text(twenty / "exam-A-key.pdf"))
    ids = re.findall(r"〔([QL]\d+)〕", _text(twenty / "exam-A-key.pdf"))
    assert len(ids) == 20
    bank = {q.id: q for q in handbook.questions}
    for qid in ids:
        q = bank[qid]
        if q.situation:
            assert normalise(q.situation) in key, qid
        if q.type != "truefalse":
            for i in q.answer:
                assert normalise(q.options[i]) in key, (qid, q.options[i])


def test_the_key_names_the_command_that_makes_its_paper_again(twenty, tmp_path):
    """The key of version B of a 20-question paper says how to print that version again — with its count and
    version, not just the seed (which alone would make a 50-question version A) — and the command does."""
    text = re.sub(r"\s+", " ", _text(twenty / "exam-B-key.pdf"))
    command = re.search(r"用 (wugu exam [^（）]*?) ?可 ?以 ?重 ?新 ?生 ?成 ?这 ?一 ?卷", text).group(1)
    assert command == "wugu exam --seed 3 --count 20 --versions B", command
    args = command.split()[1:]
    result = run_wugu(*args[:1], str(ROOT), *args[1:], "--out", str(tmp_path / "again"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "--count 20 --versions B" in result.stdout
    for kind in ("paper", "sheet", "key"):
        name = f"exam-B-{kind}.pdf"
        assert (tmp_path / "again" / name).read_bytes() == (twenty / name).read_bytes(), name

"""``wugu exam``: A4 papers, answer sheets and keys from the bank, through the real CLI and read back with
pdftotext. Two runs with the same seed give the same bytes; versions A and B hold the same questions in another
order; every key answer points at the options the bank marks right; no question is split across pages."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from wugu.bank import normalise
from wugu.validate import load_handbook

from conftest import ROOT, copy_project, run_wugu

#: Running headers and footers (pdftotext may give their pieces lines of their own).
_HEADER = re.compile(r"(^|\s)培训考试(\s|$)|^第\s*\d+\s*页|^共\s*\d+\s*页$|试题来自本手册的题库|^[A-Za-z0-9]{1,4}\s*卷(\s*(试卷|答题卡|答案与解析).*)?$|^(试卷|答题卡|答案与解析)$"
                     r"|^阅卷用|^姓名$|^志愿者编号$|^考前保密$|^" + re.escape(load_handbook(ROOT).profile.short_name) + r"$")
_NUMBER = re.compile(r"^(\d+)．\s*(.*)$")
_OPTION = re.compile(r"^([A-F])．\s*(.*)$")
_PART = re.compile(r"^[一二三四五六七八九十]+、")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("exam")
    outs = []
    for name in ("one", "two"):
        out = base / name
        result = run_wugu("exam", str(ROOT), "--seed", "7", "--versions", "A,B", "--out", str(out))
        assert result.returncode == 0, result.stdout + result.stderr
        outs.append(out)
    return outs


@pytest.fixture(scope="module")
def bank():
    return {q.id: q for q in load_handbook(ROOT).questions}


def _pages(pdf: Path, layout: bool = False) -> list[str]:
    flags = ["-layout"] if layout else []
    text = subprocess.run(["pdftotext", *flags, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def _lines(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines() if line.strip() and not _HEADER.search(line)]


def _paper(pdf: Path) -> dict[int, dict]:
    """number → {"text": stem and situation, "options": {letter: text}} from a paper's text."""
    out: dict[int, dict] = {}
    current = None
    target = None
    for page in _pages(pdf):
        for line in _lines(page):
            if m := _NUMBER.match(line):
                current = out.setdefault(int(m.group(1)), {"text": m.group(2), "options": {}})
                target = ("text", None)
            elif current is not None and (m := _OPTION.match(line)):
                current["options"][m.group(1)] = m.group(2)
                target = ("option", m.group(1))
            elif _PART.match(line):
                current = None  # a part's heading and its how-to-answer line belong to no question
            elif current is not None:
                if target[0] == "text":
                    current["text"] += line
                else:
                    current["options"][target[1]] += line
    return out


def _key(pdf: Path) -> dict[int, tuple[str, str]]:
    """number → (answer, question id) from the key's 逐题解析 part."""
    lines = [line for p in _pages(pdf, layout=True) for line in _lines(p)]
    lines = lines[lines.index("逐题解析") + 1:]
    found: dict[int, tuple[str, str]] = {}
    for line in lines:
        if m := re.match(r"^(\d+)．\s*▲?\s*([A-F]+|对|错)\s*〔([QL]\d+)〕", line):
            found[int(m.group(1))] = (m.group(2), m.group(3))
    return found


def test_same_seed_gives_the_same_bytes(runs):
    one, two = runs
    names = sorted(p.name for p in one.glob("*.pdf"))
    assert names == sorted(p.name for p in two.glob("*.pdf"))
    # ASCII names, like the forms' PDFs (a zip sent through WeChat to Windows keeps them)
    assert names == sorted(f"exam-{v}-{d}.pdf" for v in "AB" for d in ("paper", "sheet", "key"))
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_versions_hold_the_same_questions_in_another_order(runs):
    keys = {v: _key(runs[0] / f"exam-{v}-key.pdf") for v in "AB"}
    assert len(keys["A"]) == 50 and len(keys["B"]) == 50
    order = {v: [qid for _, (_, qid) in sorted(keys[v].items())] for v in "AB"}
    assert sorted(order["A"]) == sorted(order["B"])
    assert order["A"] != order["B"]
    papers = {v: _paper(runs[0] / f"exam-{v}-paper.pdf") for v in "AB"}
    assert [p["options"] for p in papers["A"].values()] != [p["options"] for p in papers["B"].values()]


def test_every_key_answer_is_what_the_bank_marks_right(runs, bank):
    for v in "AB":
        paper = _paper(runs[0] / f"exam-{v}-paper.pdf")
        key = _key(runs[0] / f"exam-{v}-key.pdf")
        assert set(paper) == set(key) == set(range(1, 51))
        reds = 0
        for number, (answer, qid) in key.items():
            q = bank[qid]
            reds += q.red_line
            assert normalise(q.stem) in normalise(paper[number]["text"]), (v, number, qid)
            if q.type == "truefalse":
                assert answer == q.options[q.answer[0]]
                continue
            printed = {normalise(t) for t in paper[number]["options"].values()}
            assert printed == {normalise(o) for o in q.options}, (v, number, qid)
            chosen = {normalise(paper[number]["options"][letter]) for letter in answer}
            assert chosen == {normalise(q.options[i]) for i in q.answer}, (v, number, qid)
        assert reds == 15  # the fixed share: 30 % of 50
        assert {bank[qid].section_id for _, qid in key.values()} == {q.section_id for q in bank.values()}


def test_no_question_is_split_across_pages(runs):
    for v in "AB":
        pages = _pages(runs[0] / f"exam-{v}-paper.pdf")
        assert len(pages) > 2
        for n, page in enumerate(pages[1:], 2):
            first = _lines(page)[0]
            assert _NUMBER.match(first) or _PART.match(first), f"{v} 卷第 {n} 页从半道题开始：{first}"


def test_the_paper_says_what_a_candidate_needs(runs):
    text = "".join(_pages(runs[0] / "exam-A-paper.pdf")[:1])
    for words in ("姓", "志愿者编号", "得", "考试时间 60 分钟", "临沂市手牵手孤困儿童心理辅导志愿服务团"):
        assert words in text, words
    sheet = "".join(_pages(runs[0] / "exam-A-sheet.pdf"))
    assert "答题卡" in sheet and "志愿者编号" in sheet
    # one pass rule, as the fact states it, on the paper, the answer sheet and the key
    rule = normalise(load_handbook(ROOT).fact("考试合格标准"))
    key = "".join(_pages(runs[0] / "exam-A-key.pdf"))
    for name, printed in (("paper", text), ("sheet", sheet), ("key", key)):
        assert rule in normalise(printed), name
    fonts = subprocess.run(["pdffonts", str(runs[0] / "exam-A-paper.pdf")], capture_output=True, text=True).stdout
    assert "CJK" not in fonts or "JP" not in fonts
    assert all(" yes " in line for line in fonts.splitlines()[2:]), fonts  # every font embedded


def test_exam_papers_never_go_into_the_site(tmp_path):
    project = copy_project(tmp_path / "p")
    site = project / "build" / "site"
    site.mkdir(parents=True)
    (site / ".wugu-site").write_text("", encoding="utf-8")
    for out in (site, site / "exam"):
        result = run_wugu("exam", str(project), "--seed", "1", "--count", "20", "--out", str(out))
        assert result.returncode == 2, result.stdout + result.stderr
        assert "E511" in result.stderr or "E643" in result.stderr
    assert not (site / "exam").exists()
    bad = run_wugu("exam", str(project), "--versions", "A,,B", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "E641" in bad.stderr
    many = run_wugu("exam", str(project), "--count", "400", "--out", str(tmp_path / "x"))
    assert many.returncode == 2 and "E642" in many.stderr

"""Training kit, trainer review 3 (r15-training-3): the red-line flag survives the text export, every page of an
answer sheet and a paper says whose it is, a question the paper's own instructions answer stays off papers, and the
bank gives no wording cue for true/false and multiple-choice answers. Everything through the real CLI and real PDFs."""
from __future__ import annotations

import re
import subprocess

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


@pytest.fixture(scope="module")
def exam100(tmp_path_factory):
    """One 100-question exam (two-page answer sheet), printed once for this module through the real CLI."""
    out = tmp_path_factory.mktemp("exam100")
    result = run_wugu("exam", str(ROOT), "--seed", "2", "--count", "100", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_every_page_of_the_sheet_and_the_paper_says_whose_it_is(exam100):
    pdfplumber = pytest.importorskip("pdfplumber")
    for kind, at_least in (("sheet", 2), ("paper", 10)):
        with pdfplumber.open(exam100 / f"exam-A-{kind}.pdf") as pdf:
            assert len(pdf.pages) >= at_least, kind
            for n, page in enumerate(pdf.pages, 1):
                text = page.extract_text().replace(" ", "")
                assert "姓名" in text and "志愿者编号" in text, (kind, n)
                # where: in the header (above the body) on later pages, in the big boxes on the first
                words = [w for w in page.extract_words() if w["text"].startswith("志愿者编号")]
                assert len(words) == 1, (kind, n)
                if n > 1:
                    assert words[0]["top"] < 18 / 25.4 * 72, (kind, n)  # inside the 18 mm top margin
    with pdfplumber.open(exam100 / "exam-A-key.pdf") as pdf:  # the key is the marker's: no candidate line
        assert "志愿者编号" not in pdf.pages[1].extract_text().replace(" ", "")


def test_a_question_the_paper_answers_stays_in_the_self_test_only(exam100, questions):
    from wugu.exam import choose
    from wugu.render.selftest import data

    handbook = load_handbook(ROOT)
    off = {q.id for q in questions if not q.paper}
    assert "Q122" in off  # its answer is the pass rule, printed in every paper's 考试说明
    for count in (50, 100):
        for seed in range(1, 61):
            assert not off & {q.id for q in choose(handbook, count, seed)}, (count, seed)
    key = subprocess.run(["pdftotext", str(exam100 / "exam-A-key.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert len(re.findall(r"〔Q\d+〕", key)) == 100 and "〔Q122〕" not in key
    assert off <= {q["id"] for q in data(handbook)["questions"]}  # still practised on the site

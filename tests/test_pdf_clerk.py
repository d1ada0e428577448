"""The county clerk's second review of the printed forms and packs, read back from real PDFs.

* a section heading never sits at the foot of a page away from what it heads;
* every page of a pack, a turned landscape page included, has its page numbers at the bottom right and its
  header at the top, as the pack's contents page promises;
* labels and column headers break between words (checked against jieba's dictionary, not against wugu's own
  word list), never leaving one character alone on a line;
* with a real site address, the QR code scans (zbarimg) to the form's handbook page, and its caption stays
  clear of the confidentiality box; every form still meets its page target.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from wugu.paths import form_page, form_pdf, html_url, pack_pdf
from wugu.render.pdf import DataTable, header_lines, label_lines, layout_section, paper_sections

from conftest import copy_project, run_wugu
from test_pdf_layout import MARGINS, MM, TARGETS, _words, handbook, out  # noqa: F401 - fixtures

SITE = "https://shouqianshou.linyi.org.cn/wugu/"
_HEADING = re.compile(r"^[一二三四五六七八九十]+、")


def _rows(words, tolerance: float = 2.5) -> list[tuple[float, float, str]]:
    """Text lines of a page as (top, bottom, text), top to bottom."""
    rows: list[list] = []
    for x, y0, y1, t in sorted(words, key=lambda w: (w[1], w[0])):
        if rows and abs(rows[-1][0] - y0) < tolerance:
            rows[-1][1] = max(rows[-1][1], y1)
            rows[-1][2].append((x, t))
        else:
            rows.append([y0, y1, [(x, t)]])
    return [(y0, y1, "".join(t for _x, t in sorted(ws))) for y0, y1, ws in rows]


def test_section_headings_stay_with_what_they_head(out, handbook):
    """A heading is followed on its page by the whole section or by at least 30 mm of it (three rows or so):
    never a heading and a row or two at the foot of a page with the section's table on the next (WG-F10 三
    before); a heading and the explanation of a table go where the table starts."""
    checked = 0
    for form in handbook.forms:
        top, bottom = (m * MM for m in MARGINS[form.orientation])
        for w, h, words in _words(out / form_pdf(form)):
            body = [wd for wd in words if wd[1] > top and wd[2] < h - bottom]
            rows = _rows(body)
            for i, (y0, _y1, text) in enumerate(rows):
                if not _HEADING.match(text):
                    continue
                checked += 1
                after = rows[i + 1:]
                ends_here = any(_HEADING.match(t) or t.startswith("填表说明") for _a, _b, t in after)
                room = (max(b for _a, b, _t in after) - y0) / MM if after else 0
                assert ends_here or room >= 30, (form.id, text, f"{room:.0f} mm of its section on the page")
    assert checked >= 40
    f10 = _words(out / "WG-F10.pdf")
    on = [i for i, (_w, _h, words) in enumerate(f10) for row in _rows(words)
          if row[2].startswith(("三、救助款", "救助款登记"))]
    assert len(on) == 2 and len(set(on)) == 1, on  # the heading 三、救助款 and the table 救助款登记 on one page


def _displayed(pdf: Path) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """Per page as a reader sees it (turned pages turned): width, height, words (x0, y0, x1, y1, text)."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    rotations = [int(p.get("/Rotate") or 0) % 180 for p in PdfReader(pdf).pages]
    pages = []
    for turned, (attrs, body) in zip(rotations, re.findall(r"<page ([^>]*)>(.*?)</page>", xml, re.S)):
        w = float(re.search(r'width="([\d.]+)"', attrs).group(1))
        h = float(re.search(r'height="([\d.]+)"', attrs).group(1))
        words = [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', body)]
        pages.append((h, w, words) if turned else (w, h, words))  # poppler gives turned pages' words turned
    return pages


def test_every_pack_page_has_its_numbers_bottom_right(out, handbook):
    """Portrait and turned landscape pages alike: 第 X 页 共 Y 页 and 本包第 N 页 at the bottom right, the
    header (form code) at the top; the turned pages' numbers exactly where the portrait pages' are."""
    turned_seen = 0
    for pack in handbook.packs:
        pdf = out / pack_pdf(pack)
        reader = PdfReader(pdf)
        places = set()
        for n, (w, h, words) in enumerate(_displayed(pdf), 1):
            if n <= 2:
                continue  # the cover has no numbers; the contents page only 本包第 2 页 (tested elsewhere)
            marks = [wd for wd in words if wd[4] == "本包第"]
            assert len(marks) == 1, (pack.id, n)
            x0, y0, x1, y1, _t = marks[0]
            assert x1 > 0.8 * w and y0 > 0.93 * h, (pack.id, n, "本包第 N 页 not at the bottom right")
            right = max(wd[2] for wd in words if abs(wd[1] - y0) < 1)  # the line's right end (after N 页)
            places.add((round(right), round(y0)))
            if "本页空白" in "".join(wd[4] for wd in words):
                continue
            own = [wd for wd in words if wd[4] == "第" and wd[1] > 0.93 * h]
            assert own and own[0][0] > 0.75 * w, (pack.id, n, "第 X 页 共 Y 页 not at the bottom right")
            header = [wd for wd in words if wd[3] < 0.06 * h]
            assert header, (pack.id, n, "no header at the top")
            if reader.pages[n - 1].get("/Rotate") == 270:
                turned_seen += 1
                assert any(re.fullmatch(r"WG-F\d\d", wd[4]) for wd in header), (pack.id, n)
        assert len({y for _x, y in places}) <= 1 and max(x for x, _y in places) - min(x for x, _y in places) <= 1, \
            (pack.id, places)
    assert turned_seen >= 2  # the statistics report's two pages in the monthly pack at least


def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.ERROR)
    return jieba


def _word_breaks(text: str) -> set[int]:
    """Where jieba (its own dictionary) puts word boundaries in ``text``."""
    cuts, at = set(), 0
    for word in _jieba().lcut(text, HMM=False):
        at += len(word)
        cuts.add(at)
    return cuts


def _printed_lines(words, label: str) -> list[str] | None:
    """The lines a label is printed on: words stacked under one another (same centre, next line down) whose
    text put together is the label; None if the label cannot be found."""
    def chain(word, rest: str) -> list[str] | None:
        if not rest:
            return []
        x0, _y0, x1, y1, _t = word
        for nxt in words:
            nx0, ny0, nx1, _ny1, nt = nxt
            if 0.5 * (y1 - _y0) < ny0 - _y0 < 2.2 * (y1 - _y0) and abs((nx0 + nx1) - (x0 + x1)) < 8 and rest.startswith(nt):
                tail = chain(nxt, rest[len(nt):])
                if tail is not None:
                    return [nt, *tail]
        return None

    for word in words:
        text = word[4].lstrip("*")
        if text == label:
            return [label]
        if text and label.startswith(text):
            tail = chain(word, label[len(text):])
            if tail is not None:
                return [text, *tail]
    return None


def test_labels_break_between_words_with_no_character_alone(out, handbook):
    checked = broken = 0
    for form in handbook.forms:
        labels = set()
        for section in paper_sections(form):
            for block in layout_section(section, form.orientation).blocks:
                if isinstance(block, DataTable):
                    labels |= {"".join(lines) for row in block.header for lines, _c, _r in row}
                else:
                    labels |= {c.field.label for row in block.rows for c in row if c.kind == "label"}
        pages = _displayed(out / form_pdf(form))
        for label in sorted(labels):
            if len(label) < 4 or " " in label:  # short ones and ones with spaces are never broken
                continue
            found = next((lines for _w, _h, words in pages if (lines := _printed_lines(words, label))), None)
            assert found is not None, (form.id, label, "not printed as a label")
            checked += 1
            if len(found) == 1:
                continue
            broken += 1
            assert all(len(line) >= 2 for line in found), (form.id, found)
            at, ok = 0, _word_breaks(label)
            for line in found[:-1]:
                at += len(line)
                assert at in ok, (form.id, "/".join(found), "breaks inside a word")
    assert checked > 100 and broken >= 10, (checked, broken)


def test_the_word_breaker_on_labels_that_broke_badly():
    assert label_lines("正在服用的药物及用法") == ("正在服用的", "药物及用法")
    for label in ("不宜参加的项目或需要特别照顾的情况", "父母联系方式和工作地址", "服刑人员家庭情况说明"):
        for width in (14, 20, 30):  # narrow columns: three, five, eight characters a line
            lines = header_lines(label, width, 10)
            assert "".join(lines) == label and all(len(line) >= 2 for line in lines), lines
            breaks = {sum(map(len, lines[:k])) for k in range(1, len(lines))}
            assert breaks <= _word_breaks(label), (label, width, lines)


# ---- a real site address: the QR code ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def qr_build(tmp_path_factory):
    """The base handbook with a real site address, built cold (every form gets a QR code)."""
    base = tmp_path_factory.mktemp("qr")
    project = copy_project(base / "project")
    profile = project / "wugu.yml"
    text = profile.read_text(encoding="utf-8")  # the base sets no site address (issue 9: nothing invented)
    text = re.sub(r"(?m)^site_url: .*$", f"site_url: {SITE}", text) if "\nsite_url:" in text else \
        text.rstrip("\n") + f"\nsite_url: {SITE}\n"
    profile.write_text(text, encoding="utf-8")
    result = run_wugu("pdf", str(project), "--out", str(base / "out"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    return base / "out"


def test_the_qr_code_scans_to_the_form_page(qr_build, handbook, tmp_path):
    for form in (handbook.form("F07"), handbook.form("F05")):  # portrait and landscape
        image = tmp_path / form.id
        subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile",
                        str(qr_build / form_pdf(form)), str(image)], check=True)
        scanned = subprocess.run(["zbarimg", "-q", "--raw", str(image) + ".png"], capture_output=True, text=True)
        assert scanned.stdout.strip() == SITE + html_url(form_page(form)), (form.id, scanned.stdout, scanned.stderr)


def test_with_a_qr_code_the_caption_is_clear_and_pages_stay_on_target(qr_build, handbook):
    for form in handbook.forms:
        pages = _displayed(qr_build / form_pdf(form))
        assert len(pages) <= TARGETS[form.id], (form.id, len(pages))
        _w, _h, words = pages[0]
        caption = [wd for wd in words if wd[4] in ("扫码", "看说明")]
        assert len(caption) == 2, (form.id, caption)
        left, top, bottom = min(wd[0] for wd in caption), min(wd[1] for wd in caption), max(wd[3] for wd in caption)
        below = [wd for wd in words if wd not in caption and wd[1] > top and wd[0] < left + 10 * MM]
        assert below and bottom < min(wd[1] for wd in below), (form.id, "caption overlaps")


def _ink_rows(pdf: Path, x0: float, x1: float, folder: Path, dpi: int = 100) -> tuple[float, list[bool]]:
    """Page 1 of ``pdf`` rendered in grey (into ``folder``): for every pixel row, whether it has ink between ``x0``
    and ``x1`` (points); and the height of a row in points."""
    from PIL import Image

    image_path = folder / pdf.stem
    subprocess.run(["pdftoppm", "-gray", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(image_path)], check=True)
    px = dpi / 72
    with Image.open(str(image_path) + ".png") as image:
        strip = image.convert("L").crop((int(x0 * px), 0, int(x1 * px), image.height))
    data = strip.load()
    return 1 / px, [any(data[x, y] < 128 for x in range(strip.width)) for y in range(strip.height)]


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_with_a_qr_code_nothing_touches_in_the_title_block(qr_build, handbook, tmp_path):
    """Issue 10: the QR code and its caption (扫码看说明) keep a visible gap to what follows them — on the landscape
    statistics report the 填报单位 line, on the portrait forms the confidentiality box or the first section — both
    as word boxes (caption and QR code against the first line below) and as ink (the QR code's lowest module
    against the next printed line or rule, at least 1.5 mm: its quiet zone); and the title, 编号, 填表日期 and
    the caption never overlap (a long title once ran into 填表日期)."""
    gap = 1.5 * MM
    for form in handbook.forms:
        pdf = qr_build / form_pdf(form)
        _w, _h, words = _displayed(pdf)[0]
        caption = [wd for wd in words if wd[4] in ("扫码", "看说明")]
        assert len(caption) == 2, (form.id, caption)
        cx0, cy0, cx1, cy1 = (min(wd[0] for wd in caption), min(wd[1] for wd in caption),
                              max(wd[2] for wd in caption), max(wd[3] for wd in caption))
        # the QR code: the run of ink rows left of the caption that holds the caption's middle row
        row, ink = _ink_rows(pdf, cx0 - 20 * MM, cx0 - 0.3 * MM, tmp_path)
        at = int((cy0 + cy1) / 2 / row)
        assert ink[at], (form.id, "no QR code left of its caption")
        top = bottom = at
        while top > 0 and any(ink[max(0, top - 4):top]):  # modules: white runs under 1 mm inside the code
            top -= 1
        while bottom + 1 < len(ink) and any(ink[bottom + 1:bottom + 5]):
            bottom += 1
        qr = (cx0 - 20 * MM, top * row, cx0, (bottom + 1) * row)
        assert 13 * MM < qr[3] - qr[1] < 17 * MM, \
            (form.id, "the QR code is not 15 mm high, or runs into what follows it", (qr[3] - qr[1]) / MM)
        below_ink = next((y for y in range(bottom + 1, len(ink)) if ink[y]), None)
        assert below_ink is not None and (below_ink - bottom - 1) * row >= gap, \
            (form.id, "the QR code touches what follows it", (below_ink - bottom - 1) * row / MM)
        box = (qr[0], min(qr[1], cy0), cx1, max(qr[3], cy1))  # the QR code with its caption
        after = sorted((wd for wd in words if wd not in caption and wd[1] > box[1] + 5 * MM
                        and wd[0] < box[2]), key=lambda wd: wd[1])
        assert after, (form.id, "nothing below the QR code")
        first = [wd for wd in after if abs(wd[1] - after[0][1]) < 2]
        if form.id == "F05":
            assert first[0][4].startswith("填报单位"), (form.id, first)
        for wd in first:
            assert not _overlap(box, wd[:4]) and wd[1] - box[3] >= gap, \
                (form.id, "the caption box touches", wd[4], (wd[1] - box[3]) / MM)
        head = [wd for wd in words if wd[1] >= box[1] - 1 and wd[3] <= first[0][1]]
        for i, a in enumerate(head):
            for b in head[i + 1:]:
                same = a in caption and b in caption  # 扫码 and 看说明: one caption in two lines
                assert same or not _overlap(a[:4], b[:4]), (form.id, a[4], b[4])
        assert not any(_overlap(box, wd[:4]) for wd in head if wd not in caption), form.id

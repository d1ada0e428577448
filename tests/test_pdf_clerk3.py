"""The county clerk's third look at the printed forms, read back from the real PDFs of the base handbook.

* WG-F08's item-by-item consent: each statement ①–⑥ on one line in the wide cell, each person's 同意/不同意 on a
  line of its own in the other half, and no "可多选" (each person ticks one box per item);
* a tick box never stays behind at the end of a line while its option wraps to the next (WG-F09 去程 before);
* a long title stays clear of 编号 and 填表日期 at the top right (WG-F09 before);
* an opinion cell (乡镇团推荐意见 …) has three ruled lines above its signature.
"""
from __future__ import annotations

import subprocess

from wugu.paths import form_pdf

from test_pdf_clerk import _HEADING, _displayed, _rows
from test_pdf_layout import MM, handbook, out  # noqa: F401 - fixtures


def _text(pdf, first: int | None = None, last: int | None = None) -> str:
    pages = [] if first is None else ["-f", str(first), "-l", str(last or first)]
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_consent_items_read_on_one_line_with_each_persons_boxes_beside(out, handbook):
    f08 = handbook.form("F08")
    items = [f for s in f08.sections for f in s.fields if f.type == "multichoice" and f.label[0] in "①②③④⑤⑥"]
    assert len(items) == 6
    text = _text(out / form_pdf(f08))
    lines = text.splitlines()
    for f in items:
        assert any(f.label in line for line in lines), (f.label, "statement broken across lines")
    for who in ("监护人", "孩子"):
        pair = [ln for ln in lines if f"□ {who}同意" in ln and f"□ {who}不同意" in ln]
        assert len(pair) == 6, (who, len(pair))  # one line per item for each person
    assert "可多选" not in text.split("三、分项同意")[1].split("四、")[0]


def test_no_tick_box_is_left_at_the_end_of_a_line(out, handbook):
    for form in handbook.forms:
        for no, line in enumerate(_text(out / form_pdf(form)).splitlines(), 1):
            assert not line.rstrip().endswith("□"), (form.id, no, line)
    f09 = _text(out / form_pdf(handbook.form("F09")))
    assert "□ 租用客车到村接" in f09 and "（2 名带队人员随车）" in f09  # the bracketed note is kept whole


def test_a_long_title_stays_clear_of_the_file_number_and_date(out, handbook):
    for form in handbook.forms:
        _w, _h, words = _displayed(out / form_pdf(form))[0]
        title = [w for w in words if w[4] and w[4] in form.title and len(w[4]) > 1 and w[1] < 40 * MM]
        right = [w for w in words if w[4].startswith(("编号", "填表日期")) and w[1] < 40 * MM]
        assert title and right, form.id
        x0, y0 = min(w[0] for w in title), min(w[1] for w in title)
        x1, y1 = max(w[2] for w in title), max(w[3] for w in title)
        for w in right:  # clear by 2 mm across, or below the title's line(s)
            assert w[0] - x1 >= 2 * MM or w[1] >= y1 - 1 * MM or w[2] <= x0, (form.id, w[4])


def test_an_opinion_cell_has_three_ruled_lines(out, handbook, tmp_path):
    """Counted on the page as printed (grey-scale image): long horizontal rules between the opinion's label
    line and its 负责人签名 line, inside the writing cell."""
    for form_id, label in (("F01", "乡镇团推荐意见"), ("F06", "乡镇团意见")):
        pdf = out / form_pdf(handbook.form(form_id))
        pages = _displayed(pdf)
        rows = [_rows([(x0, y0, y1, t) for x0, y0, _x1, y1, t in words]) for _w, _h, words in pages]
        page = next(i for i, r in enumerate(rows) if any(label in t for _a, _b, t in r))
        width, height, words = pages[page]
        at = next(y0 for y0, _y1, t in rows[page] if label in t)
        top = max(y1 for _y0, y1, t in rows[page] if _HEADING.match(t) and y1 < at)  # the section's heading
        sign = next(y0 for y0, _y1, t in rows[page] if y0 > top and "负责人签名" in t)
        cell_x = max(w[2] for w in words if label[:4] in w[4]) + 5 * MM
        assert len(_rules(pdf, page + 1, tmp_path, width, height, top, sign, cell_x)) >= 3, form_id


def _rules(pdf, page: int, tmp_path, width: float, height: float, top: float, bottom: float,
           left: float) -> list[int]:
    """Rows of the page image (72 dpi: one pixel a point) between ``top`` and ``bottom`` that hold a grey run
    (not black: cell borders are) longer than 60 mm right of ``left``: the ruled lines a hand writes on."""
    stem = tmp_path / f"p{page}"
    subprocess.run(["pdftoppm", "-gray", "-r", "72", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(stem)], check=True)
    data = (stem.parent / (stem.name + ".pgm")).read_bytes()
    magic, w, h, _maxval, pixels = data.split(maxsplit=4)
    w, h = int(w), int(h)
    found: list[int] = []
    for y in range(max(0, int(top)), min(h, int(bottom))):
        row = pixels[y * w:(y + 1) * w]
        run = best = 0
        for x in range(int(left), w):
            run = run + 1 if 60 <= row[x] < 228 else 0  # grey, not a black cell border
            best = max(best, run)
        if best > 60 * MM and (not found or y - found[-1] > 3):
            found.append(y)
    return found

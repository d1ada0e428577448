"""Filled PDFs (``wugu records pdf``): every value stays inside its cell and nothing is lost.

The longest records the record schemas allow (``records_longest``: 200 characters in every text and table cell,
2,000 in every long text, every choice ticked with its 其他 text) go through the real command line, and the real PDFs
are read back with pdfplumber: every character of every value is printed, inside the ruled cell that holds it.
Ordinary values (the county clerk's review, r13 item 2) wrap in their cell at the usual size; line breaks in a
value are kept (item 9); a value is text, never markup. All records are fictional and made at run time.
"""
from __future__ import annotations

import json
import re
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from conftest import ROOT, run_wugu
from records_longest import longest_record
from records_sample import f04
from wugu.records.forms import load_forms
from wugu.render import fit
from wugu.render.pdf import GRID_COLUMNS, PdfBuilder, _xml_tree, fitted
from wugu.resources import templates_dir

pdfplumber = pytest.importorskip("pdfplumber")


@pytest.fixture(scope="module")
def handbook():
    handbook, problems = load_forms(str(ROOT))
    assert handbook is not None, problems
    return handbook


def _cells(page) -> list[tuple[float, float, float, float]]:
    return [cell for table in page.find_tables() for cell in table.cells]


def _inside(ch: dict, box: tuple[float, float, float, float], tol: float = 0.6) -> bool:
    x0, top, x1, bottom = box
    return ch["x0"] >= x0 - tol and ch["x1"] <= x1 + tol and ch["top"] >= top - tol and ch["bottom"] <= bottom + tol


def _area(box: tuple[float, float, float, float]) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _cell_of(chars: list[dict], cells: list[tuple[float, float, float, float]]):
    """The smallest ruled cell that holds all of ``chars``, or None."""
    holding = [b for b in cells if all(_inside(c, b) for c in chars)]
    return min(holding, key=_area) if holding else None


def test_longest_values_stay_in_their_cells(handbook, tmp_path: Path) -> None:
    """Every form, every field at the longest its schema allows: each value's characters are all printed, and on
    each page they lie inside one ruled cell (no overlap with a label, nothing past the table or the page)."""
    fixed = (templates_dir() / "pdf" / "filled.html.j2").read_text(encoding="utf-8")
    builder = PdfBuilder(handbook)
    marks: dict[str, dict[str, str]] = {}
    records: dict[str, dict] = {}
    for form in handbook.forms:
        part = builder.form_part(form)
        records[form.code], marks[form.code] = longest_record(form, part.html + part.margins + fixed)
        (tmp_path / f"{form.code}.json").write_text(json.dumps(records[form.code], ensure_ascii=False),
                                                   encoding="utf-8")
    result = run_wugu("records", "pdf", *sorted(p.name for p in tmp_path.glob("*.json")), "--out", "pdf",
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(marks) == 11
    failures = []
    for code, marked in marks.items():
        which = {ch: key for key, ch in marked.items()}
        printed: Counter[str] = Counter()
        with pdfplumber.open(tmp_path / "pdf" / f"{code}-{code}-0001.pdf") as pdf:
            text = "".join(page.extract_text() or "" for page in pdf.pages)
            for page in pdf.pages:
                groups: dict[str, list[dict]] = defaultdict(list)
                for c in page.chars:
                    if c["text"] in which:
                        groups[c["text"]].append(c)
                if not groups:
                    continue
                cells = _cells(page)
                for ch, chars in groups.items():
                    printed[ch] += len(chars)
                    if not all(0 <= c["x0"] and c["x1"] <= page.width for c in chars) or _cell_of(chars, cells) is None:
                        failures.append(f"{code} {which[ch]}: 第 {page.page_number} 页上超出了格子")
        for key, ch in marked.items():
            table, _, rest = key.partition(".")
            value = records[code][table][int(rest.split(".")[0])][rest.split(".")[1]] if rest else records[code][key]
            if printed[ch] != value.count(ch):
                failures.append(f"{code} {key}: 印出 {printed[ch]} 个字，应为 {value.count(ch)}")
        assert "见附页" not in text or "附页：表格里写不下的内容" in text
    assert not failures, "\n".join(failures)
    # only absurd table cells go to the 附页 (200 characters in a count column), never an ordinary grid value
    moved = {code for code in marks
             if "附页：" in subprocess.run(["pdftotext", str(tmp_path / "pdf" / f"{code}-{code}-0001.pdf"), "-"],
                                          capture_output=True, text=True).stdout}
    assert moved <= {"WG-F05", "WG-F06", "WG-F08", "WG-F09", "WG-F10", "WG-F11"}, moved


def _occurrence(page, text: str) -> list[dict]:
    """The characters of the first place ``text`` (blanks ignored) is printed on ``page``, in reading order."""
    chars = [c for c in page.chars if c["text"].strip()]
    flat = "".join(c["text"] for c in chars)
    want = re.sub(r"\s+", "", text)
    at = flat.find(want)
    return chars[at:at + len(want)] if at >= 0 else []


def test_ordinary_values_wrap_in_their_cells(handbook, tmp_path: Path) -> None:
    """The clerk's record (r13 item 2): a 15-character school, 14 characters of carer health and a 40-character
    address wrap inside their cells at the usual size; an unbroken run of letters breaks inside its cell; line
    breaks are kept (item 9); a value that looks like markup prints as it is."""
    address = "测试省测试市测试县测试乡镇测试村测试组测试路测试号测试院测试楼测试单元结束标记乙"
    values = {
        "school_grade": "测试县测试镇中心小学四年级二班", "carer_health": "高血压，腿脚不便，需长期服药",
        "household_register": address, "residence": address + "二号",
        "companions": "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 3,
        "support_advice": "1. 建议女性志愿者结对\n2. 建议寄宿\n3. 每月电话一次",
        "needs_note": "<b>不是粗体</b> & </div><div>也不是标签",
    }
    record = f04(1, **values)
    (tmp_path / "r.json").write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
    result = run_wugu("records", "pdf", "r.json", "--out", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pdf_path = tmp_path / "pdf" / "r-WG-F04-0001.pdf"
    with pdfplumber.open(pdf_path) as pdf:
        for key in ("school_grade", "carer_health", "household_register", "residence", "companions"):
            found = [(page, chars) for page in pdf.pages if (chars := _occurrence(page, values[key]))]
            assert found, key
            page, chars = found[0]
            assert _cell_of(chars, _cells(page)) is not None, f"{key} runs out of its cell"
            assert {round(c["size"], 1) for c in chars} == {10.5}, key  # ordinary values keep the usual size
        school = _occurrence(pdf.pages[0], values["school_grade"])
        assert len({round(c["top"]) for c in school}) == 2  # wrapped onto a second line of its cell
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True).stdout
    lines = [line.strip() for line in text.splitlines()]
    for line in values["support_advice"].splitlines():
        assert line in lines  # each on a line of its own, not one run
    assert "<b>不是粗体</b> & </div><div>也不是标签" in text.replace("\n", "")


def test_filled_html_keeps_the_fast_parser(handbook) -> None:
    """The filled form is well-formed (no attribute twice, values escaped): it is read by the XML parser, and the
    line breaks of a long text reach the page (the duplicated style attribute used to drop ``pre-wrap``)."""
    from wugu.records.pdf import display_values

    form = handbook.form("F04")
    record = f04(1, support_advice="第一行\n第二行", needs_note="a < b & c > d \"e\" 'f'")
    part = PdfBuilder(handbook)._form_part(form, filled=fitted(form, display_values(form, record)))
    root = _xml_tree(part.html)
    advice = [el for el in root.iter("div") if (el.text or "").startswith("第一行")]
    assert advice and advice[0].text == "第一行\n第二行" and "white-space" not in advice[0].get("style", "")
    assert any(el.text == "a < b & c > d \"e\" 'f'" for el in root.iter("div"))


def test_fit_sizes() -> None:
    """The usual 10.5 pt while a value fits its lines, smaller for a longer one, never under the 8 pt floor."""
    assert fit.fit_size("测试县测试镇中心小学四年级二班", 45.0, 3) == 10.5
    assert fit.fit_size("测" * 40, 45.0, 3) < 10.5
    assert fit.fit_size("测" * 200, 45.0, 3) == fit.SIZES[-1] == 8.0
    assert fit.lines_needed("一\n二\n三", 10.5, 100.0) == 3
    assert fit.too_tall([("12", 12.0)] * 20) == []
    assert fit.too_tall([("测" * 200, 12.0), ("3", 12.0)], landscape=True) == [0]


def test_grid_columns_are_the_forms(handbook) -> None:
    """The grid column widths the values are fitted to are the ones the form prints (form.html.j2's colgroup)."""
    builder = PdfBuilder(handbook)
    seen = set()
    for form in handbook.forms:
        for cols in re.findall(r"<colgroup>((?:<col style=\"width: [\d.]+%\">)+)</colgroup>", builder.form_part(form).html):
            widths = tuple(int(w) for w in re.findall(r"width: (\d+)%", cols))
            if len(widths) in (4, 5) and sum(widths) == 100:
                assert widths == GRID_COLUMNS[(form.orientation == "landscape", len(widths) == 5)], form.code
                seen.add((form.orientation, len(widths)))
    assert {("portrait", 4), ("landscape", 4), ("portrait", 5)} <= seen

"""The workbooks wugu writes print as a clerk expects (r13 item 18): A4, portrait or landscape by width, fitted to
the page width (a very wide record sheet on a few pages across, never shrunk unreadable), title and header rows and
序号 on every page, only the filled rows (a blank template: one page of blank rows), page header “内部资料 注意保密”
with the form's title, footer “第 X 页 共 Y 页”.

Read back from the saved files with openpyxl, and printed to PDF by LibreOffice headless (standing in for WPS and
Excel) to count the pages. The records are fictional and made at run time.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import ROOT, run_wugu
from records_sample import f04_batch
from wugu.records.forms import load_forms
from wugu.records.read import GUIDE_SHEET, MAIN_SHEET

SECRET = "内部资料　注意保密"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every form's blank template and a statistics workbook made from 30 generated survey records."""
    out = tmp_path_factory.mktemp("xlsx-print")
    handbook, _ = load_forms(str(ROOT))
    codes = [f.code for f in handbook.forms]
    result = run_wugu("records", "template", *codes, "--out", "templates", cwd=out)
    assert result.returncode == 0, result.stderr
    (out / "r.json").write_text(json.dumps(f04_batch(30), ensure_ascii=False), encoding="utf-8")
    result = run_wugu("records", "stats", "r.json", "--month", "2026-11", "--out", "stats", "--no-pdf", cwd=out)
    assert result.returncode == 0, result.stderr
    return out


def _check_sheet(ws, title: str, max_rows: int | None) -> None:
    setup = ws.page_setup
    assert setup.paperSize == 9, ws.title  # A4
    assert setup.orientation in ("portrait", "landscape")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth or 1) >= 1 and setup.fitToHeight == 0  # fitted across, as many pages down as needed
    assert ws.print_title_rows == "$1:$2"
    area = ws.print_area[0] if isinstance(ws.print_area, list) else ws.print_area
    assert area and area.startswith(f"'{ws.title}'!$A$1:")
    if max_rows is not None:
        assert int(area.rsplit("$", 1)[1]) <= max_rows, area
    assert ws.oddHeader.left.text == SECRET
    assert title in ws.oddHeader.right.text
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


def test_templates_print_setup(made: Path) -> None:
    """Every visible sheet of every template: the print layout above; a blank template prints 20 blank rows."""
    handbook, _ = load_forms(str(ROOT))
    for form in handbook.forms:
        wb = load_workbook(made / "templates" / f"{form.code}.xlsx")
        visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
        assert {MAIN_SHEET, GUIDE_SHEET} <= {ws.title for ws in visible}
        for ws in visible:
            _check_sheet(ws, f"{form.code} {form.title}", None if ws.title == GUIDE_SHEET else 22)
        main = wb[MAIN_SHEET]
        wide = sum((d.width * 7 + 5) * 25.4 / 96 * (d.max - d.min + 1) for d in main.column_dimensions.values())
        assert (main.page_setup.orientation == "landscape") == (wide * 0.85 > 210 - 25.4), (form.code, wide)
        if (main.page_setup.fitToWidth or 1) > 1:
            assert main.print_title_cols == "$A:$A"  # 序号 on every page across
    f04 = load_workbook(made / "templates" / "WG-F04.xlsx")[MAIN_SHEET]
    assert f04.page_setup.orientation == "landscape" and 2 <= f04.page_setup.fitToWidth <= 6


def test_stats_print_setup(made: Path) -> None:
    """The statistics workbook: each sheet one page across, only its filled rows."""
    wb = load_workbook(made / "stats" / "WG-F05-stats.xlsx")
    for ws in wb.worksheets:
        if ws.sheet_state == "visible":
            _check_sheet(ws, "WG-F05", None)
            assert (ws.page_setup.fitToWidth or 1) == 1, ws.title
    table = next(ws for ws in wb.worksheets if ws.sheet_state == "visible" and ws.title not in (MAIN_SHEET, GUIDE_SHEET))
    assert table.page_setup.orientation == "landscape"
    last = int(table.print_area[0].rsplit("$", 1)[1]) if isinstance(table.print_area, list) \
        else int(table.print_area.rsplit("$", 1)[1])
    assert last < 20 and table.cell(last, 1).value  # the townships, 合计 and the note, no blank rows after


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (libreoffice-calc-nogui) not installed")
def test_printed_pages(made: Path) -> None:
    """Printed by LibreOffice: the blank F04 template on a handful of pages (it was 30), the statistics on three;
    every page carries “内部资料 注意保密”."""
    profile = made / "lo-profile"
    files = [made / "templates" / "WG-F04.xlsx", made / "stats" / "WG-F05-stats.xlsx"]
    result = subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                             "--convert-to", "pdf", "--outdir", str(made / "printed"), *map(str, files)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    for name, most in (("WG-F04.pdf", 10), ("WG-F05-stats.pdf", 4)):
        pdf = made / "printed" / name
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        assert 2 <= pages <= most, (name, pages)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        sheets = [re.sub(r"\s+", "", page) for page in text.split("\f")[:pages]]
        assert all("内部资料注意保密" in page for page in sheets), name
        assert all(f"第{n}页共{pages}页" in page for n, page in enumerate(sheets, 1)), name

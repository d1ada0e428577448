"""What a county clerk does to the office workbooks, through the real CLI on real files read back with openpyxl and
pdftotext: fact references resolved in everything `wugu records` writes; columns found by their header (moved,
inserted, deleted, renamed, doubled); merged cells, 合计 rows, a renamed record sheet, a workbook of the office's
own with --form; filled PDFs of two townships in one folder (never overwritten without --force); short statement headers and the ※ sensitive mark.

All records are fictional and generated at run time (``records_sample``).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from conftest import ROOT
from records_sample import f04, f07

FACT_REF = re.compile(r"【[^【】\n]{1,40}】")


def records(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wugu", "records", *args, "--project", str(ROOT)], cwd=cwd,
                          capture_output=True, text=True, timeout=240)


def pdf_text(path: Path, layout: bool = False) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def workbook_text(path: Path) -> str:
    """Every cell, sheet name and drop-down prompt or message of a workbook, as one text."""
    wb = load_workbook(path)
    parts = list(wb.sheetnames)
    for ws in wb.worksheets:
        parts += [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
        for dv in ws.data_validations.dataValidation:
            parts += [t for t in (dv.prompt, dv.promptTitle, dv.error, dv.errorTitle) if t]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clerk")
    result = records("template", "WG-F01", "WG-F04", "WG-F05", "WG-F06", "WG-F07", "--out", "t", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder


def cell(value: object, key: str) -> object:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value)
    if key.endswith("date") and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def fill(template: Path, target: Path, rows: list[dict], edit=None) -> Path:
    """Type records into a copy of the template as an office does; ``edit(ws, columns)`` then changes the sheet
    (``columns``: key → column number)."""
    wb = load_workbook(template)
    ws = wb["记录"]
    columns = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}
    for n, record in enumerate(rows, 1):
        ws.cell(2 + n, 1, n)
        for key, value in record.items():
            if key in columns and not (isinstance(value, list) and value and isinstance(value[0], dict)):
                ws.cell(2 + n, columns[key], cell(value, key))
    if edit:
        edit(wb, ws, columns)
    wb.save(target)
    return target


def problems(result: subprocess.CompletedProcess[str]) -> list[dict]:
    """The problems of a JSON report; ``where`` is the sheet and cell (a reading problem has it in ``file``)."""
    found = json.loads(result.stdout)["problems"]
    for p in found:
        if not p["where"] and ":" in p["file"]:
            p["file"], p["where"] = p["file"].split(":", 1)
    return found


def test_fact_references_resolved_in_every_file_records_writes(office: Path) -> None:
    assert any(FACT_REF.search(p.read_text(encoding="utf-8")) for p in (ROOT / "forms").glob("F0[457]*.yml"))
    for code in ("WG-F04", "WG-F05", "WG-F07"):
        text = workbook_text(office / "t" / f"{code}.xlsx")
        assert not FACT_REF.search(text), (code, FACT_REF.findall(text))
    guide = workbook_text(office / "t" / "WG-F04.xlsx")
    assert "填表说明" in guide and "本表的填表说明" in guide
    people = [f04(n, township="东镇", sex="男女"[n % 2]) for n in range(1, 4)]
    (office / "facts.json").write_text(json.dumps([*people, f07()], ensure_ascii=False), encoding="utf-8")
    result = records("pdf", "facts.json", "--out", "facts-pdf", cwd=office)
    assert result.returncode == 0, result.stdout + result.stderr
    made = sorted((office / "facts-pdf").glob("*.pdf"))
    assert len(made) == 4
    for pdf in made:
        text = pdf_text(pdf)
        assert "内部资料" in text and not FACT_REF.search(text), (pdf.name, FACT_REF.findall(text))
    result = records("stats", "facts.json", "--month", "2026-10", "--out", "facts-stats", cwd=office)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not FACT_REF.search(workbook_text(office / "facts-stats" / "WG-F05-stats.xlsx"))
    assert not FACT_REF.search(pdf_text(office / "facts-stats" / "WG-F05-stats.pdf"))


def _swap(a: str, b: str):
    def edit(wb, ws, columns):
        ca, cb = columns[a], columns[b]
        for row in range(2, ws.max_row + 1):
            va, vb = ws.cell(row, ca).value, ws.cell(row, cb).value
            ws.cell(row, ca).value, ws.cell(row, cb).value = vb, va
    return edit


def _header(key: str, text: str | None):
    def edit(wb, ws, columns):
        ws.cell(2, columns[key]).value = text
    return edit


def test_columns_are_read_by_their_header(office: Path) -> None:
    people = [f04(n, township="东镇", sex="男女"[n % 2], school_stage="初中") for n in range(1, 4)]
    template = office / "t" / "WG-F04.xlsx"
    # two columns swapped, headers included; a column of the office's own inserted in the middle; a sheet of the
    # office's own next to the records: all read by header, the extra column and sheet named in a notice
    fill(template, office / "swapped.xlsx", people, _swap("township", "school_stage"))

    def insert(wb, ws, columns):
        ws.insert_cols(5)
        ws.cell(2, 5).value = "备注"
        ws.cell(3, 5).value = "已电话回访"
    fill(template, office / "inserted.xlsx", [f04(n, township="东镇") for n in range(4, 7)], insert)

    def second(wb, ws, columns):
        wb.create_sheet("Sheet2")["A1"] = "草稿"
    fill(template, office / "second.xlsx", [f04(n, township="东镇") for n in range(7, 10)], second)
    result = records("check", "--format", "json", "swapped.xlsx", "inserted.xlsx", "second.xlsx", cwd=office)
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["counts"] == {"WG-F04": 9}, report
    notices = "\n".join(report["notices"])
    assert "inserted.xlsx:记录!E2 这一列“备注”不是这张表格的栏目" in notices
    assert "second.xlsx:工作表“Sheet2”不是这张表格模板里的" in notices

    # the PDF prints each value under its own label
    result = records("pdf", "swapped.xlsx", "--out", "pdf", cwd=office)
    assert result.returncode == 0, result.stdout + result.stderr
    text = pdf_text(office / "pdf" / "swapped-WG-F04-0001.pdf", layout=True)
    assert re.search(r"所属乡镇（街道）\s*东镇", text), text[:1500]

    # another township's file into the same folder: its own names, nothing overwritten; the same again is refused
    fill(template, office / "西镇.xlsx", [f04(11, township="西镇")])
    result = records("pdf", "西镇.xlsx", "--out", "pdf", cwd=office)
    assert result.returncode == 0, result.stdout + result.stderr
    made = sorted(p.name for p in (office / "pdf").iterdir())
    assert made == [*(f"swapped-WG-F04-000{n}.pdf" for n in (1, 2, 3)), "西镇-WG-F04-0001.pdf"]
    assert "西镇" in pdf_text(office / "pdf" / "西镇-WG-F04-0001.pdf")
    before = (office / "pdf" / "西镇-WG-F04-0001.pdf").stat().st_mtime_ns
    result = records("pdf", "西镇.xlsx", "--out", "pdf", cwd=office)
    assert result.returncode == 2 and "E765" in result.stderr and "--force" in result.stderr
    assert (office / "pdf" / "西镇-WG-F04-0001.pdf").stat().st_mtime_ns == before

    # the same header twice; a required header renamed (one message at that cell with the likely name, one for
    # the missing column, no flood of “not filled” for every record); a required column deleted
    fill(template, office / "double.xlsx", people, _header("ethnicity", "※姓名 *"))

    def rename_and_move(wb, ws, columns):
        _header("name", "儿童姓名")(wb, ws, columns)
        _swap("name", "ethnicity")(wb, ws, columns)
    fill(template, office / "renamed.xlsx", people, rename_and_move)
    # a header renamed where the template put it (an older label: keys stay, labels may change): read, noticed
    fill(template, office / "old-label.xlsx", [f04(n, township="东镇") for n in range(21, 23)],
         _header("head_signed", "负责人签名 *"))

    def delete(wb, ws, columns):
        ws.delete_cols(columns["sex"])
    fill(template, office / "deleted.xlsx", people, delete)
    result = records("check", "--format", "json", "double.xlsx", "renamed.xlsx", "deleted.xlsx", "old-label.xlsx",
                     cwd=office)
    assert result.returncode == 1 and json.loads(result.stdout)["counts"] == {"WG-F04": 2}
    assert any("old-label.xlsx:记录!" in n and "旧模板的栏目名称" in n for n in json.loads(result.stdout)["notices"])
    found = {(p["file"], p["code"]): p for p in problems(result)}
    assert sorted(found) == [("deleted.xlsx", "E762"), ("double.xlsx", "E760"), ("renamed.xlsx", "E761"),
                             ("renamed.xlsx", "E762")], sorted(found)
    double = found["double.xlsx", "E760"]
    assert double["where"] == f"记录!{get_column_letter(6)}2" and "wugu records template" in double["fix"]
    renamed = found["renamed.xlsx", "E761"]
    assert renamed["where"] == "记录!F2" and "是不是“姓名”" in renamed["fix"]
    assert "“性别”" in found["deleted.xlsx", "E762"]["message"]


def test_clerk_edits_merged_cells_total_rows_renamed_sheet(office: Path) -> None:
    people = [f04(n, township="西镇", sex="男女"[n % 2]) for n in range(1, 4)]
    template = office / "t" / "WG-F04.xlsx"

    def merge_and_total(wb, ws, columns):
        col = columns["township"]
        for row in (4, 5):
            ws.cell(row, col).value = None
        ws.merge_cells(start_row=3, end_row=5, start_column=col, end_column=col)
        ws.cell(6, 1).value = "合计"
        ws.cell(6, columns["name"]).value = "3 人"
    fill(template, office / "merged.xlsx", people, merge_and_total)

    def rename(wb, ws, columns):
        ws.title = "西镇"
    fill(template, office / "sheet-renamed.xlsx", [f04(n, township="西镇") for n in range(4, 7)], rename)
    result = records("check", "merged.xlsx", "sheet-renamed.xlsx", cwd=office)
    assert result.returncode == 0 and "WG-F04 6 份" in result.stdout, result.stdout
    assert "merged.xlsx:记录!C3:C5 是合并的单元格" in result.stdout
    assert "merged.xlsx:记录!A6 是合计（小计）行" in result.stdout
    assert "sheet-renamed.xlsx:没有“记录”工作表，按唯一的数据工作表“西镇”读取" in result.stdout
    result = records("stats", "merged.xlsx", "--month", "2026-10", "--out", "merged-stats", "--no-pdf", cwd=office)
    assert result.returncode == 0 and "儿童 3 人" in result.stdout, result.stdout + result.stderr
    ws = load_workbook(office / "merged-stats" / "WG-F05-stats.xlsx").worksheets[1]
    assert [r[1] for r in ws.iter_rows(min_row=3, values_only=True) if r[1]][:1] == ["西镇"]

    def merge_across(wb, ws, columns):
        ws.merge_cells(start_row=4, end_row=4, start_column=columns["name"], end_column=columns["sex"])
    fill(template, office / "across.xlsx", people, merge_across)

    def rename_and_add(wb, ws, columns):
        ws.title = "西镇"
        wb.create_sheet("东镇")["A1"] = "草稿"
    fill(template, office / "two-sheets.xlsx", people, rename_and_add)
    result = records("check", "--format", "json", "across.xlsx", "two-sheets.xlsx", cwd=office)
    found = problems(result)
    assert result.returncode == 1 and [(p["file"], p["code"]) for p in found] == [
        ("across.xlsx", "E763"), ("two-sheets.xlsx", "E711")], found
    assert found[0]["where"] == "记录!D4:E4" and "“记录”" in found[1]["message"]

    # a workbook of the office's own (no _meta, no title row): --form says which form it is
    source = load_workbook(fill(template, office / "own-src.xlsx", people))["记录"]
    own = Workbook()
    for row in source.iter_rows(min_row=2, max_row=5, values_only=True):
        own.active.append(list(row))
    own.save(office / "own.xlsx")
    result = records("check", "own.xlsx", cwd=office)
    assert result.returncode == 1 and "E711" in result.stdout and "--form" in result.stdout
    result = records("check", "own.xlsx", "--form", "WG-F04", cwd=office)
    assert result.returncode == 0 and "WG-F04 3 份" in result.stdout, result.stdout


def test_short_statement_headers_sensitive_mark_and_type_fixes(office: Path) -> None:
    for code in ("WG-F01", "WG-F06"):
        header = [str(c.value) for c in load_workbook(office / "t" / f"{code}.xlsx")["记录"][2] if c.value]
        assert len(header) == len(set(header))
        for h in header:
            assert not h.rstrip(" *").endswith(("，", "、", "；")) and len(h.rstrip(" *").lstrip("※")) <= 20, h
    f01 = [str(c.value) for c in load_workbook(office / "t" / "WG-F01.xlsx")["记录"][2] if c.value]
    assert "同意使用和查询本人信息 *" in f01 and "※身份证号 *" in f01
    guide = workbook_text(office / "t" / "WG-F04.xlsx")
    assert "表头带 ※" in guide
    bad = f04(1, survey_date=20261008, father_age="三十")
    (office / "types.json").write_text(json.dumps([bad], ensure_ascii=False), encoding="utf-8")
    result = records("check", "--format", "json", "types.json", cwd=office)
    fixes = {p["where"].split("·")[-1]: p["fix"] for p in problems(result) if p["code"] == "E715"}
    assert "2026-03-05" in fixes["调查日期"] and "整数" in fixes["父亲年龄"], fixes

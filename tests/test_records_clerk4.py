"""The county clerk's second review of the forms kit, through the real CLI on real files: an empty workbook, or one
whose sheet and headers were all renamed, says which form, sheet, header row and headers were expected and how to
fix it (E767, E764); a blank template handed in is noticed; `records stats` and `records template` never overwrite
a file without --force (E765, the words of `records pdf`); a WG-F05 row whose counts do not add up is named by its
sheet, row and cells (E766). All records are fictional and generated at run time (``records_sample``).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from conftest import ROOT
from records_sample import f04


def records(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wugu", "records", *args, "--project", str(ROOT)], cwd=cwd,
                          capture_output=True, text=True, timeout=240)


def found(result: subprocess.CompletedProcess[str]) -> dict[str, dict]:
    """The problems of a JSON report by file name."""
    out = {}
    for p in json.loads(result.stdout)["problems"]:
        name, _, where = p["file"].partition(":")
        out[name] = {**p, "where": p["where"] or where}
    return out


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clerk4")
    result = records("template", "WG-F04", "--out", "t", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder


def test_empty_and_renamed_workbooks_say_what_was_expected(office: Path) -> None:
    Workbook().save(office / "empty.xlsx")
    wb = load_workbook(office / "t" / "WG-F04.xlsx")
    ws = wb["记录"]
    ws.title = "西镇"
    for c in ws[2]:
        if c.value:
            c.value = f"栏{c.column}"
    ws["B3"] = "DZ-00001"
    wb.save(office / "renamed.xlsx")
    wb = load_workbook(office / "t" / "WG-F04.xlsx")
    wb["记录"].delete_rows(1, 5)
    wb.save(office / "cleared.xlsx")
    result = records("check", "--format", "json", "empty.xlsx", "renamed.xlsx", "cleared.xlsx", cwd=office)
    assert result.returncode == 1
    problems = found(result)
    assert {n: p["code"] for n, p in problems.items()} == {"empty.xlsx": "E767", "renamed.xlsx": "E764",
                                                           "cleared.xlsx": "E764"}, problems
    empty = problems["empty.xlsx"]
    assert "是空的" in empty["message"] and "“Sheet”" in empty["message"]
    assert "wugu records template" in empty["fix"] and "第 2 行是表头" in empty["fix"]
    renamed = problems["renamed.xlsx"]
    assert renamed["where"] == "西镇!A2"
    for words in ("“西镇”工作表", "WG-F04 孤困儿童调查表", "第 2 行", "“儿童编号”", "“姓名”"):
        assert words in renamed["message"], renamed
    assert "wugu records template WG-F04" in renamed["fix"] and "第 2 行的表头照模板改回" in renamed["fix"]
    assert "是空的（没有表头，也没有记录）" in problems["cleared.xlsx"]["message"]

    # --form names the form in the fix of an empty workbook
    result = records("check", "empty.xlsx", "--form", "WG-F04", cwd=office)
    assert result.returncode == 1 and "E767" in result.stdout and "wugu records template WG-F04 " in result.stdout

    # a blank template handed in passes, but the clerk is told there is nothing in it
    result = records("check", "t/WG-F04.xlsx", cwd=office)
    assert result.returncode == 0 and "表头下面没有记录" in result.stdout and "空白模板" in result.stdout


def _fill(template: Path, target: Path, record: dict) -> Path:
    wb = load_workbook(template)
    columns = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}
    ws = wb["记录"]
    ws.cell(3, 1, 1)
    for key, value in record.items():
        if key in columns and isinstance(value, str):
            ws.cell(3, columns[key], value)
    wb.save(target)
    return target


def test_stats_and_templates_are_never_overwritten_without_force(office: Path) -> None:
    people = [f04(n, township="东镇", sex="男女"[n % 2]) for n in range(1, 4)]
    (office / "东镇.json").write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")
    result = records("stats", "东镇.json", "--month", "2026-10", "--out", "s", cwd=office)
    assert result.returncode == 0, result.stdout + result.stderr
    made = {p: p.stat().st_mtime_ns for p in (office / "s").iterdir()}
    assert sorted(p.name for p in made) == ["WG-F05-stats.pdf", "WG-F05-stats.xlsx"]
    for extra in ((), ("--no-pdf",)):
        result = records("stats", "东镇.json", "--month", "2026-10", "--out", "s", *extra, cwd=office)
        assert result.returncode == 2 and "E765" in result.stderr, result.stdout + result.stderr
        assert "已经有同名的统计表" in result.stderr and "没有覆盖" in result.stderr and "--force" in result.stderr
        assert "已生成" not in result.stdout
        assert {p: p.stat().st_mtime_ns for p in made} == made
    result = records("stats", "东镇.json", "--month", "2026-10", "--out", "s", "--force", cwd=office)
    assert result.returncode == 0 and all(p.stat().st_mtime_ns != t for p, t in made.items())

    # a template regenerated over the blank one is fine; over one the office filled in, refused
    result = records("template", "WG-F04", "--out", "t", cwd=office)
    assert result.returncode == 0, result.stderr
    filled = _fill(office / "t" / "WG-F04.xlsx", office / "t" / "WG-F04.xlsx", f04(1))
    before = filled.read_bytes()
    result = records("template", "WG-F04", "--out", "t", cwd=office)
    assert result.returncode == 2 and "E765" in result.stderr and "已填了记录" in result.stderr, result.stderr
    assert filled.read_bytes() == before
    result = records("template", "WG-F04", "--out", "t", "--force", cwd=office)
    assert result.returncode == 0 and filled.read_bytes() != before


def test_a_row_that_does_not_add_up_is_named_in_json_too(office: Path) -> None:
    record = {"form": "WG-F05", "townships": [
        {"township": "东镇", "children": "3", "male": "1", "female": "2", "paired": "3", "primary": "3"},
        {"township": "西镇", "children": "5", "male": "2", "female": "2", "paired": "5", "primary": "5"}]}
    from wugu.records.forms import load_forms

    handbook, _ = load_forms(str(ROOT))
    record["version"] = handbook.form("F05").version
    (office / "f05.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = records("check", "--format", "json", "f05.json", cwd=office)
    rows = [p for p in json.loads(result.stdout)["problems"] if p["code"] == "E766"]
    assert [p["where"] for p in rows] == ["记录 1·各乡镇孤困儿童统计第 2 行“儿童总数”"], rows
    assert rows[0]["message"] == ("“西镇”这一行的男、女人数加起来不等于“儿童总数”：男 2 + 女 2 = 4，儿童总数写的是 5")


def test_records_pasted_over_the_headers_are_refused_and_never_echoed(office: Path) -> None:
    """r13 finding 1: a block of records pasted one row too high covers the headers; those cells are not an older
    label of their column (a name, 男/女, a date, an ID): E761 at each, masked, and no record is read shifted."""
    people = [f04(n, township="东镇", sex="男女"[n % 2]) for n in range(1, 5)]
    wb = load_workbook(office / "t" / "WG-F04.xlsx")
    ws = wb["记录"]
    columns = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}
    keys = ("name", "sex", "birth_date", "id_number")
    for n, record in enumerate(people, 1):
        ws.cell(2 + n, 1, n)
        for key, value in record.items():
            if key in columns and isinstance(value, str):
                ws.cell(2 + n, columns[key], value)
    for n in range(len(people)):              # the four columns pasted one row higher
        for key in keys:
            ws.cell(2 + n, columns[key], ws.cell(3 + n, columns[key]).value)
    wb.save(office / "high.xlsx")
    result = records("check", "--format", "json", "high.xlsx", cwd=office)
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["counts"] == {}, report
    codes = {(p["code"], p["where"] or p["file"].split(":", 1)[1]) for p in report["problems"]}
    for key in keys:
        assert any(code == "E761" and where.endswith(f"{_letter(columns[key])}2") for code, where in codes), codes
    assert "像是一份记录的内容" in result.stdout
    text = result.stdout
    for record in people[:1]:
        assert record["id_number"] not in text and record["name"] not in text and "2015-03-02" not in text
    assert "旧模板的栏目名称" not in text


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)

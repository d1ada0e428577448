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
from test_records_office import records
from records_sample import f04, f07



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


def test_an_open_workbooks_lock_file_is_skipped_with_a_notice(office: Path) -> None:
    """r13 finding 3: ``~$东镇.xlsx`` (Excel/WPS) or ``.~lock.东镇.xlsx#`` (LibreOffice) beside the workbooks while
    one is open: not a broken Excel file — skipped with a notice, the batch checked and counted."""
    people = [f04(n, township="东镇") for n in range(31, 33)]
    (office / "东镇锁.json").write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")
    (office / "~$东镇锁.xlsx").write_bytes(b"\x0bWPS lock\x00" * 16)
    (office / ".~lock.东镇锁.xlsx#").write_text(",某人,PC,24.11.2026 10:00,", encoding="utf-8")
    result = records("check", "东镇锁.json", "~$东镇锁.xlsx", ".~lock.东镇锁.xlsx#", cwd=office)
    assert result.returncode == 0 and "WG-F04 2 份" in result.stdout, result.stdout
    assert result.stdout.count("打开工作簿时留下的临时文件") == 2 and "“东镇锁.xlsx”正开着" in result.stdout
    result = records("stats", "东镇锁.json", "~$东镇锁.xlsx", "--month", "2026-10", "--out", "lock-stats", "--no-pdf",
                     cwd=office)
    assert result.returncode == 0 and "儿童 2 人" in result.stdout, result.stdout + result.stderr


def test_note_rows_and_dragged_down_cells_are_one_problem(office: Path) -> None:
    """r13 finding 4: 以下空白, a note under the records and a township dragged down to row 52 are one E768 naming
    the rows and columns, not hundreds of E714; the records above are read."""
    people = [f04(n, township="北镇") for n in range(41, 47)]
    template = office / "t" / "WG-F04.xlsx"
    path = _fill_rows(template, office / "notes.xlsx", people)
    wb = load_workbook(path)
    ws = wb["记录"]
    columns = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}
    ws.cell(9, columns["child_no"], "以下空白")
    ws.cell(10, columns["township"], "注：北镇共摸排 6 人")
    for row in range(11, 53):
        ws.cell(row, 1, row - 2)
        ws.cell(row, columns["township"], "北镇")
    wb.save(path)
    result = records("check", "--format", "json", "notes.xlsx", cwd=office)
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["counts"] == {"WG-F04": 6}, report
    assert [(p["code"], p["where"] or p["file"]) for p in report["problems"]] == [("E768", "notes.xlsx:记录!A9")]
    message = report["problems"][0]["message"]
    assert "44 行只填了一两格" in message and "第 9–52 行" in message and "“所属乡镇（街道）”" in message


def test_a_header_merged_over_two_columns_is_refused_not_dropped(office: Path) -> None:
    """r13 finding 5: 走访时间 filled, its header merged with the one before: E763 at the header (nothing read, no
    cascade of 参加人员 rows that belong to nothing), never a pass that drops the column."""
    result = records("template", "WG-F07", "--out", "t7", cwd=office)
    assert result.returncode == 0, result.stderr
    wb = load_workbook(office / "t7" / "WG-F07.xlsx")
    ws = wb["记录"]
    columns = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}
    record = f07()
    for key, value in record.items():
        if key in columns and isinstance(value, str):
            ws.cell(3, columns[key], value)
    ws.cell(3, 1, 1)
    wb["参加人员"].append([1, "李某某", "结对志愿者", "V-0001"])
    col = columns["time_span"]
    ws.merge_cells(start_row=2, end_row=2, start_column=col - 1, end_column=col)
    wb.save(office / "merged-head.xlsx")
    result = records("check", "--format", "json", "merged-head.xlsx", cwd=office)
    problems = json.loads(result.stdout)["problems"]
    assert result.returncode == 1 and [p["code"] for p in problems] == ["E763"], problems
    where = problems[0]["where"] or problems[0]["file"].split(":", 1)[1]
    assert where == f"记录!{_letter(col - 1)}2:{_letter(col)}2"


def _fill_rows(template: Path, target: Path, people: list[dict]) -> Path:
    wb = load_workbook(template)
    columns = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}
    ws = wb["记录"]
    for n, record in enumerate(people, 1):
        ws.cell(2 + n, 1, n)
        for key, value in record.items():
            if key in columns:
                value = "是" if value is True else "否" if value is False else "、".join(value) \
                    if isinstance(value, list) else value
                ws.cell(2 + n, columns[key], value)
    wb.save(target)
    return target


def test_one_township_written_two_ways_is_pointed_out(office: Path) -> None:
    """r13 finding 6: 北镇 and 北 镇 are one row; 北镇人民政府 next to 北镇 is named in a notice."""
    people = [f04(51, township="北镇"), f04(52, township="北 镇"), f04(53, township="北镇人民政府"),
              f04(54, township="东镇")]
    del people[3]["school_stage"]  # r13 finding 20: counted as 其他, and said
    (office / "towns.json").write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")
    result = records("stats", "towns.json", "--month", "2026-10", "--out", "towns", "--no-pdf", cwd=office)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "北镇：儿童 2 人" in result.stdout and "合计：3 个乡镇（街道），儿童 4 人" in result.stdout
    assert "“北镇”和“北镇人民政府”像是同一个乡镇（街道）的两种写法" in result.stdout
    assert "1 名儿童的调查表没填就学阶段，按统计表的规则计入“其他”" in result.stdout


def test_what_clerks_type_is_read_as_meant(office: Path, tmp_path: Path) -> None:
    """r13 findings 8, 12, 13, 15, 16, 19: 不详 in a number or date says to leave it blank (not “write an
    integer”); a landline for the carer is a phone; an ID number Excel turned into 9.99999E+17 in a CSV gets the
    Excel hint; 无 / 紧急 stand for the options “无：情况平稳” / “紧急：…”; a folder is read for its record files;
    outside a handbook folder the base handbook is named (on stderr)."""
    folder = office / "收到"
    folder.mkdir()
    people = [f04(61, carer_phone="0539-0000000"), f04(62, father_age="不详", survey_date="不详")]
    (folder / "东镇.json").write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")
    visit = f07()
    visit["risk_level"] = "无"
    header = ["child", "village", "visit_date", "hours", "risk_level"]
    (folder / "走访.csv").write_text("WG-F07 走访记录表（" + visit["version"] + " 版）\n" + ",".join(header) + "\n"
                                   + ",".join(str(visit[k]) for k in header) + "\n", encoding="utf-8")
    result = records("check", "--format", "json", "收到", cwd=office)
    report = json.loads(result.stdout)
    found = {(p["file"].split(":", 1)[0], p["where"], p["code"]) for p in report["problems"]}
    assert report["counts"] == {"WG-F04": 2, "WG-F07": 1}, report
    assert not any(w.endswith("照护人电话") for _, w, _ in found), found                 # a landline is a phone
    unknown = [p for p in report["problems"] if p["code"] == "E720" and "不详" in p["message"]]
    assert {p["where"].split("·")[-1] for p in unknown} == {"父亲年龄", "调查日期"}, report["problems"]
    assert all("不知道就留空" in p["fix"] for p in unknown)
    assert not any("风险等级" in w for _, w, _ in found), found                          # 无 is “无：情况平稳”
    assert all(f.startswith("收到/") for f, _, _ in found)

    mangled = f04(63)
    line = ",".join(["child_no", "township", "id_number"]) + "\n" + ",".join(
        [mangled["child_no"], "东镇", "9.99901E+17"]) + "\n"
    (tmp_path / "ids.csv").write_text(line, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "wugu", "records", "check", "--form", "WG-F04", "ids.csv"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert "E718" in result.stdout and "Excel 把它存成了数字" in result.stdout, result.stdout
    assert "基础版手册" in result.stderr and "--project" in result.stderr           # outside a handbook: said


def test_small_things_a_clerk_meets(office: Path, tmp_path: Path) -> None:
    """r13 finding 22: a CSV saved without the template's title row is known by its headers (noticed); "是" in a
    JSON signature is one problem, not also “not signed”; 单位盖章's fix says to seal, not to sign."""
    header = ["序号", "儿童编号", "所属乡镇（街道）", "姓名", "性别", "出生日期", "身份证号"]
    record = f04(71)
    row = ["1", record["child_no"], "东镇", record["name"], record["sex"], record["birth_date"], record["id_number"]]
    (tmp_path / "no-title.csv").write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    record = f04(72, surveyor_signed="是")
    (tmp_path / "shi.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = records("check", "--format", "json", "no-title.csv", "shi.json", cwd=tmp_path)
    report = json.loads(result.stdout)
    assert report["counts"].get("WG-F04") == 2, report
    assert any("按表头认作 WG-F04" in n for n in report["notices"]), report["notices"]
    signed = [p for p in report["problems"] if p["file"] == "shi.json"]
    assert [p["code"] for p in signed] == ["E715"], signed
    from wugu.records.check import FormChecker
    from wugu.records.forms import load_forms
    from wugu.records.read import Record

    handbook, _ = load_forms(str(ROOT))
    f05 = handbook.form("F05")
    checker = FormChecker(f05)
    found = checker.check(Record("f05.json", 1, {"form": f05.code, "version": f05.version}))
    seal = next(p for p in found if p.where.endswith("单位盖章"))
    assert "盖好章" in seal.format() and "签好" not in seal.format()


def test_one_serial_twice_when_table_rows_name_records_by_it(office: Path) -> None:
    """r13 finding 22: two visit logs numbered 1 in 记录, 参加人员 rows naming 1: E769 at the second."""
    result = records("template", "WG-F07", "--out", "t7b", cwd=office)
    assert result.returncode == 0, result.stderr
    wb = load_workbook(office / "t7b" / "WG-F07.xlsx")
    ws = wb["记录"]
    columns = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}
    for row in (3, 4):
        ws.cell(row, 1, 1)
        for key, value in f07().items():
            if key in columns and isinstance(value, str):
                ws.cell(row, columns[key], value)
    wb["参加人员"].append([1, "李某某", "结对志愿者", "V-0001"])
    wb.save(office / "twice.xlsx")
    result = records("check", "--format", "json", "twice.xlsx", cwd=office)
    found = [(p["code"], p["where"] or p["file"].split(":", 1)[1]) for p in json.loads(result.stdout)["problems"]]
    assert ("E769", "记录!A4") in found, found

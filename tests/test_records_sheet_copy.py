"""A copy of the record sheet (“记录 (2)”, made by Excel's Move or Copy) holding records is an error, not a notice:
`wugu records check` passed such a workbook and `records stats` counted half the children (r13 clerk round 3)."""
from __future__ import annotations

import json
from pathlib import Path

from test_records_office import records
from openpyxl import load_workbook



def test_records_in_a_copy_of_the_record_sheet_are_an_error_at_their_first_row(tmp_path: Path) -> None:
    made = records("template", "WG-F07", "--out", "t", cwd=tmp_path)
    assert made.returncode == 0, made.stdout + made.stderr
    path = next((tmp_path / "t").glob("*.xlsx"))
    wb = load_workbook(path)
    copy = wb.copy_worksheet(wb["记录"])
    copy.title = "记录 (2)"
    copy.cell(3, 1, 1)
    copy.cell(3, 2, "测试甲")  # fictional; only its first character may ever be shown
    wb.save(path)
    result = records("check", str(path), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    problems = json.loads(result.stdout)["problems"]
    e770 = [p for p in problems if p["code"] == "E770"]
    assert len(e770) == 1 and e770[0]["file"].endswith("记录 (2)!A3"), problems
    assert "“记录 (2)”工作表像是“记录”的副本" in e770[0]["message"] and "测试甲" not in result.stdout

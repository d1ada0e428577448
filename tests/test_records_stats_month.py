"""`wugu records stats` counts a month as the clerk means it (r13 clerk round 3): a survey dated after the month is
next month's, and surveys the township has not decided on yet are said, not silently counted."""
from __future__ import annotations

import json
from pathlib import Path

from test_records_office import records
from openpyxl import load_workbook
from records_sample import f04



def test_a_survey_after_the_month_waits_for_next_month_and_undecided_ones_are_noticed(tmp_path: Path) -> None:
    october = [f04(n, township="东镇", township_decision="纳入帮扶") for n in range(1, 4)]  # surveyed 2026-10-08
    november = f04(4, township="东镇", survey_date="2026-11-03", township_decision="纳入帮扶")
    undecided = f04(5, township="东镇")  # 乡镇团意见 not written yet
    (tmp_path / "东镇.json").write_text(json.dumps([*october, november, undecided], ensure_ascii=False),
                                       encoding="utf-8")
    result = records("stats", "东镇.json", "--month", "2026-10", "--out", "s", "--no-pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "东镇：儿童 4 人" in out, out  # 3 of October and the undecided one; not November's
    assert "1 份调查表的调查日期在 2026-10-31 之后，不计入这个月的统计" in out, out
    assert "1 份调查表还没写乡镇团意见" in out, out
    assert "DZ-00004" not in out and "DZ-00005" not in out  # no child numbers in the notices
    result = records("stats", "东镇.json", "--month", "2026-11", "--out", "s2", "--no-pdf", cwd=tmp_path)
    assert result.returncode == 0 and "东镇：儿童 5 人" in result.stdout, result.stdout
    assert load_workbook(tmp_path / "s2" / "WG-F05-stats.xlsx").sheetnames  # the workbook is written and opens


def test_pairing_sheets_that_do_not_match_the_surveys_are_said(tmp_path: Path) -> None:
    from records_sample import f06

    surveys = [f04(1, township="东镇", township_decision="纳入帮扶"),
               f04(2, township="东镇", township_decision="暂不纳入")]
    pairings = [f06("DZ-00001"), f06("DZ-00001", volunteer_no="V-0002"), f06("DZ-00002")]
    (tmp_path / "东镇.json").write_text(json.dumps(surveys + pairings, ensure_ascii=False), encoding="utf-8")
    result = records("stats", "东镇.json", "--month", "2026-10", "--out", "s", "--no-pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "东镇：儿童 1 人（已结对 1" in out, out
    assert "有 1 名儿童各有两份以上的结对表" in out and "有 1 名儿童的调查表写的是暂不纳入或转介，却交了结对表" in out, out
    assert "DZ-0000" not in out  # no child numbers in the notices

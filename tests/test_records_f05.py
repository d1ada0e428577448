"""WG-F05 (2026.2): its own 填表说明 item 3 — 儿童总数 = 男 + 女 = 已结对 + 未结对 = the school stages added up — is a
rule of the one rulebook (E766), judged alike by Python and by the fill page's JavaScript; 填报单位 is the unit's
name, and the county's table says which units' returns it adds up. Through the real CLI on real workbooks; all
counts are made up at run time.
"""
from __future__ import annotations

import json
import random
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from wugu.records.forms import load_forms
from wugu.records.rulebook import Rules
from wugu.records.schema import record_schema

from conftest import ROOT
from records_sample import f04
from test_records_office import records

ASSETS = ROOT / "src" / "wugu" / "templates" / "site" / "assets" / "wugu" / "fill"
CHECK_JS = ROOT / "tests" / "js" / "record_rules_check.js"
PARTS = {"_rows_sex_add_up": ("male", "female"), "_rows_pairing_add_up": ("paired", "unpaired"),
         "_rows_stages_add_up": ("preschool", "primary", "junior_high", "senior_high_up", "other_stage")}


@pytest.fixture(scope="module")
def schema() -> dict:
    handbook, problems = load_forms(str(ROOT))
    assert handbook is not None, problems
    return record_schema(handbook.form("F05"))


def _rows(rnd: random.Random) -> list[dict]:
    rows = []
    for _ in range(rnd.randrange(1, 4)):
        male, female = rnd.randrange(6), rnd.randrange(6)
        row = {"township": rnd.choice(["东镇", "西镇", "南乡"]), "children": male + female, "male": male,
               "female": female, "paired": male, "unpaired": female, "primary": male + female}
        if rnd.random() < .5:
            key = rnd.choice(["children", "male", "female", "paired", "unpaired", "primary", "junior_high"])
            row[key] = rnd.choice([row.get(key, 0) + 1, str(row.get(key, 0)), f"{row.get(key, 0)}＊", "", None,
                                   "三", 2.0, 2.5, -1, True, " 4 "])
        rows.append({k: v for k, v in row.items() if v is not None})
    return rows


def test_rows_must_add_up_alike_in_python_and_javascript(schema: dict, tmp_path: Path) -> None:
    derived = schema["x-wugu"]["derived"]
    assert {k: tuple(v["parts"]) for k, v in derived.items()} == PARTS
    assert {r["x-wugu"]["code"] for r in schema["x-wugu"]["rules"]} == {"E766"}
    rnd = random.Random(5)
    cases = [{"form": "WG-F05", "version": schema["properties"]["version"]["const"], "townships": _rows(rnd)}
             for _ in range(600)]
    rules = Rules(schema)
    python = [sorted([r["code"], r["field"]] for r in rules.broken(c)) for c in cases]
    assert 100 < sum(1 for v in python if v) < 500  # both ways
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node is not installed")
    path = tmp_path / "cases.json"
    path.write_text(json.dumps({"today": "2026-11-24", "schemas": {"WG-F05": schema}, "records": cases},
                               ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([node, str(CHECK_JS), str(ASSETS), str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert [sorted(v) for v in json.loads(run.stdout)["verdicts"]] == python


def _return(made: Path, target: Path, unit: str, change: dict | None = None) -> Path:
    """A township's statistics as returned: unit named, signed and sealed on paper, one count changed if asked."""
    wb = load_workbook(made)
    meta = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}
    ws = wb["记录"]
    ws.cell(3, meta["unit"], unit)
    for key in ("unit_signed", "head_signed", "reviewer_signed", "filler_signed"):
        ws.cell(3, meta[key], "是")
    ws.cell(3, meta["phone"], "0539-0000000")
    ws.cell(3, meta["report_date"], date(2026, 11, 3))
    if change:
        table = wb.worksheets[1]
        header = [str(c.value or "").split("·")[-1] for c in table[2]]
        for label, value in change.items():
            table.cell(3, header.index(label) + 1, value)
    wb.save(target)
    return target


def test_township_returns_add_up_and_name_their_unit(tmp_path: Path) -> None:
    for i, town in enumerate(("东镇", "西镇")):
        people = [f04(10 * i + n, township=town, sex="男女"[n % 2]) for n in range(1, 4)]
        (tmp_path / f"{town}.json").write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")
        result = records("stats", f"{town}.json", "--month", "2026-10", "--out", town, "--no-pdf", cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        _return(tmp_path / town / "WG-F05-stats.xlsx", tmp_path / f"{town}-报.xlsx", f"{town}乡镇团")
    _return(tmp_path / "东镇" / "WG-F05-stats.xlsx", tmp_path / "东镇-错.xlsx", "东镇乡镇团", {"男": 9})
    result = records("check", "--format", "json", "东镇-报.xlsx", "东镇-错.xlsx", cwd=tmp_path)
    found = json.loads(result.stdout)["problems"]
    assert result.returncode == 1 and [(p["file"], p["code"]) for p in found] == [("东镇-错.xlsx", "E766")], found
    assert "男、女人数加起来不等于“儿童总数”" in found[0]["message"] and "填表说明第 3 条" in found[0]["fix"]
    # the row is named: its sheet and cells, the counts added up (counts only: nothing about a person)
    assert found[0]["where"] == "各乡镇孤困儿童统计!F3（各乡镇孤困儿童统计第 1 行“儿童总数”）", found[0]  # 2026.3: 未建档 before it
    assert found[0]["message"] == ("“东镇”这一行的男、女人数加起来不等于“儿童总数”：男（L3）9 + 女（M3）2 = 11，"
                                   "儿童总数（F3）写的是 3"), found[0]
    result = records("stats", "东镇-报.xlsx", "西镇-报.xlsx", "--out", "county", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "报送单位：东镇乡镇团（东镇-报.xlsx）、西镇乡镇团（西镇-报.xlsx）" in result.stdout
    ws = load_workbook(tmp_path / "county" / "WG-F05-stats.xlsx")["记录"]
    header = [str(c.value or "") for c in ws[2]]
    remarks = ws.cell(3, next(i for i, h in enumerate(header, 1) if h.startswith("备注"))).value
    assert remarks == "汇总自 2 份统计表，填报单位：东镇乡镇团、西镇乡镇团"
    text = subprocess.run(["pdftotext", str(tmp_path / "county" / "WG-F05-stats.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "东镇乡镇团" in text and "填报单位" in text and "单位盖章" in text

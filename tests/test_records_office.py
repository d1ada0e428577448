"""The county office workflow through the real CLI: Excel templates filled as an office would (openpyxl), checked,
counted into the statistics table (F05) and compared with counts made here independently; CSV saved as GBK or UTF-8
with BOM; a LibreOffice round trip standing in for WPS; filled PDFs read back; records kept out of the site.

All records are fictional and generated at run time (``records_sample``).
"""
from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import ROOT, copy_project, run_wugu
from records_sample import f04, f04_batch, f06, f07

STAGE_COLUMN = {"未入园": "preschool", "幼儿园": "preschool", "小学": "primary", "初中": "junior_high",
                "高中": "senior_high_up", "中职": "senior_high_up", "大专及以上": "senior_high_up",
                "辍学": "other_stage", "不在学": "other_stage"}
CATEGORY_COLUMN = {"孤儿": "orphan", "事实孤儿": "de_facto_orphan", "精神病患者家庭儿童": "mental_illness_family",
                   "服刑人员家庭儿童": "prisoner_family", "大病患者家庭儿童": "serious_illness_family"}


def records(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wugu", "records", *args, "--project", str(ROOT)], cwd=cwd,
                          capture_output=True, text=True, timeout=240)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the Excel templates made by `wugu records template`."""
    folder = tmp_path_factory.mktemp("office")
    result = records("template", "--out", "templates", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


def fill(template: Path, target: Path, rows: list[dict], tables: dict[str, list[tuple[int, dict]]] = {}) -> Path:
    """Type records into a copy of a template the way an office does (cell by cell), then save it as the office's."""
    wb = load_workbook(template)
    ws = wb["记录"]
    meta = {(r[1], r[3]): r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column"}
    for n, record in enumerate(rows, 1):
        ws.cell(2 + n, 1, n)
        for key, value in record.items():
            col = meta.get(("记录", key))
            if col is None or isinstance(value, list) and value and isinstance(value[0], dict):
                continue
            if isinstance(value, bool):
                value = "是" if value else "否"
            elif isinstance(value, list):
                value = "、".join(value)
            elif key.endswith("date") and isinstance(value, str):
                try:
                    value = date.fromisoformat(value)  # a date cell, as Excel stores a typed date
                except ValueError:
                    pass  # typed as text
            ws.cell(2 + n, col, value)
    for sheet, items in tables.items():
        for i, (parent, row) in enumerate(items):
            wb[sheet].cell(3 + i, 1, parent)
            for key, value in row.items():
                wb[sheet].cell(3 + i, next(c for (s, k), c in meta.items() if s == sheet and k.endswith("/" + key)),
                               value)
    wb.save(target)
    return target


def sign(made: Path, target: Path) -> Path:
    """A township's statistics as returned to the county: signed on paper, marked 是, dated."""
    wb = load_workbook(made)
    meta = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}
    ws = wb["记录"]
    for key in ("unit_signed", "head_signed", "reviewer_signed", "filler_signed"):
        ws.cell(3, meta[key], "是")
    ws.cell(3, meta["unit"], "东镇乡镇团")  # the unit's name (F05 2026.2); 单位盖章 marked 是 above
    ws.cell(3, meta["phone"], "0539-0000000")
    ws.cell(3, meta["report_date"], date(2026, 12, 3))
    wb.save(target)
    return target


def test_templates(office: Path) -> None:
    made = sorted((office / "templates").glob("*.xlsx"))
    assert [p.name for p in made] == [f"WG-F{n:02d}.xlsx" for n in range(1, 12)]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in made)
    wb = load_workbook(office / "templates" / "WG-F04.xlsx")
    assert wb.sheetnames[0] == "记录" and "填表说明" in wb.sheetnames
    assert wb["_meta"].sheet_state == "hidden" and wb["_lists"].sheet_state == "hidden"
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(values_only=True)}
    assert meta["form"] == "WG-F04" and meta["version"] == "2026.1"
    ws = wb["记录"]
    headers = [c.value for c in ws[2]]
    assert "※姓名 *" in headers and "※身份证号" in headers and "WG-F04" in ws["A1"].value  # ※: sensitive
    id_col = headers.index("※身份证号") + 1
    fmt = next(d.number_format for d in ws.column_dimensions.values() if d.min <= id_col <= (d.max or d.min))
    assert fmt == "@"  # text: Excel would otherwise keep only 15 digits of an ID number
    lists = [v for v in ws.data_validations.dataValidation if v.type == "list"]
    assert any(v.formula1 == "list_legal_status" for v in lists) and "list_legal_status" in wb.defined_names
    assert all(len(v.formula1 or "") < 255 for v in lists)
    f07 = load_workbook(office / "templates" / "WG-F07.xlsx")
    assert "参加人员" in f07.sheetnames and f07["参加人员"]["A2"].value == "记录序号"


def test_filled_template_check_and_stats(office: Path) -> None:
    surveys = f04_batch(60)
    surveys[3]["township_decision"] = "暂不纳入"
    pairings = [f06(r["child_no"]) for r in surveys[::3]]
    fill(office / "templates" / "WG-F04.xlsx", office / "东镇等-调查表.xlsx", surveys)
    fill(office / "templates" / "WG-F06.xlsx", office / "结对表.xlsx", pairings)
    result = records("check", "东镇等-调查表.xlsx", "结对表.xlsx", cwd=office)
    assert result.returncode == 0, result.stdout
    assert "WG-F04 60 份" in result.stdout
    result = records("stats", "东镇等-调查表.xlsx", "结对表.xlsx", "--month", "2026 年 11 月", "--out", "stats",
                     cwd=office)
    assert result.returncode == 0, result.stdout + result.stderr
    xlsx, pdf = office / "stats" / "WG-F05-stats.xlsx", office / "stats" / "WG-F05-stats.pdf"
    assert stat.S_IMODE(xlsx.stat().st_mode) == 0o600 and stat.S_IMODE(pdf.stat().st_mode) == 0o600

    expected: dict[str, Counter] = {}
    paired = {p["child_no"] for p in pairings}
    for r in surveys:
        c = expected.setdefault(r["township"], Counter())
        c["surveyed"] += 1
        if r.get("township_decision") == "暂不纳入":
            continue
        c["children"] += 1
        c["male" if r["sex"] == "男" else "female"] += 1
        c[STAGE_COLUMN[r["school_stage"]]] += 1
        c["paired" if r["child_no"] in paired else "unpaired"] += 1
        c["watch"] += r["safety_risk"] in ("需关注", "紧急")
        for cat in r["categories"]:
            c[CATEGORY_COLUMN[cat]] += 1
    wb = load_workbook(xlsx, read_only=True)
    meta = [r for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column"]
    sheet = next(r[1] for r in meta if r[1] != "记录")
    keys = {r[2]: r[3].split("/")[-1] for r in meta if r[1] == sheet}
    got = {}
    for row in wb[sheet].iter_rows(min_row=3, values_only=True):
        if row[0] is None or row[1] in (None, "合计"):
            continue
        values = {keys[i + 1]: v for i, v in enumerate(row) if i + 1 in keys and i > 0}
        got[values.pop("township")] = Counter({k: v for k, v in values.items() if isinstance(v, int) and v})
    assert got == {t: +c for t, c in expected.items()}
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "孤困儿童统计表" in text and "2026 年 11 月" in text and "东镇" in text
    assert "内部资料" in text
    total = sum(c["children"] for c in expected.values())
    assert f"儿童 {total} 人" in result.stdout

    # township returns → county: the same counts, added up
    first = {t for t in list(expected)[:2]}
    halves = [[r for r in surveys if (r["township"] in first) == side] for side in (True, False)]
    for i, part in enumerate(halves):
        fill(office / "templates" / "WG-F04.xlsx", office / f"part{i}.xlsx", part)
        numbers = {r["child_no"] for r in part}
        (office / f"pairs{i}.json").write_text(json.dumps([p for p in pairings if p["child_no"] in numbers],
                                                          ensure_ascii=False), encoding="utf-8")
        result = records("stats", f"part{i}.xlsx", f"pairs{i}.json", "--month", "2026 年 11 月", "--out", f"t{i}",
                         "--no-pdf", cwd=office)
        assert result.returncode == 0, result.stdout + result.stderr
        sign(office / f"t{i}" / "WG-F05-stats.xlsx", office / f"return{i}.xlsx")  # the township signs and sends it
    result = records("stats", "return0.xlsx", "return1.xlsx", "--out", "county", "--no-pdf", cwd=office)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"儿童 {total} 人" in result.stdout
    result = records("stats", "return0.xlsx", "return0.xlsx", "--out", "county", "--no-pdf", cwd=office)
    assert result.returncode == 1 and "E745" in result.stderr


#: Bad values typed into the F04 template: (key, value, expected code, expected cell of the first record).
BAD_CELLS = [
    ("sex", "M", "E716"),
    ("birth_date", "2015-02-30", "E717"),
    ("carer_phone", "1380000", "E719"),
    ("surveyor_signed", "否", "E720"),
]


def test_bad_xlsx_and_csv(office: Path) -> None:
    wb = load_workbook(office / "templates" / "WG-F04.xlsx", read_only=True)
    columns = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}
    headers = {r[3]: h for r, h in zip((r for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column"
                                        and r[1] == "记录"), [c.value for c in next(wb["记录"].iter_rows(
                                            min_row=2, max_row=2))][1:])}
    from openpyxl.utils import get_column_letter

    base = f04(1)
    good_id = base["id_number"]
    rows = [dict(base, **{key: value}, child_no=f"DZ-{i:05d}") for i, (key, value, _) in enumerate(BAD_CELLS, 1)]
    rows.append(f04(9, id_number=good_id[:17] + ("0" if good_id[17] != "0" else "1")))
    rows.append(f04(10, child_no="DZ-00001"))  # duplicate of the first row
    rows.append(f04(11, birth_date="2015-03-03"))  # not the birth date in the ID number
    rows.append(f04(12, born=date(2010, 5, 1), consent_f08_child=False))  # 14 or over: the child signs too
    rows.append({k: v for k, v in f04(13).items() if k != "township"})  # a required column left empty
    fill(office / "templates" / "WG-F04.xlsx", office / "bad.xlsx", rows)
    fill(office / "templates" / "WG-F06.xlsx", office / "pairs-bad.xlsx", [f06("DZ-09999")])
    result = records("check", "--format", "json", "bad.xlsx", "pairs-bad.xlsx", cwd=office)
    assert result.returncode == 1
    found = {(p["code"], p["where"].split("（")[0]) for p in json.loads(result.stdout)["problems"]}
    for n, (key, _, code) in enumerate(BAD_CELLS, 1):
        assert (code, f"记录!{get_column_letter(columns[key])}{2 + n}") in found, (code, found)
    assert ("E718", f"记录!{get_column_letter(columns['id_number'])}{2 + 5}") in found
    assert ("E730", f"记录!{get_column_letter(columns['child_no'])}{2 + 6}") in found
    assert ("E732", f"记录!{get_column_letter(columns['birth_date'])}{2 + 7}") in found
    assert ("E733", f"记录!{get_column_letter(columns['consent_f08_child'])}{2 + 8}") in found
    assert ("E714", f"记录!{get_column_letter(columns['township'])}{2 + 9}") in found
    assert ("E731", "记录!B3") in found
    assert good_id[6:14] not in result.stdout  # never the number itself

    # the same rows as CSV, the way Excel/WPS in China save it (GBK) and as UTF-8 with BOM
    import csv
    import io

    keys = list(columns)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["WG-F04 孤困儿童调查表（2026.1 版）"])
    writer.writerow(["序号", *(headers[k] for k in keys)])
    for n, r in enumerate(rows, 1):
        writer.writerow([n, *("是" if r.get(k) is True else "否" if r.get(k) is False else
                              "、".join(r[k]) if isinstance(r.get(k), list) else r.get(k, "") for k in keys)])
    (office / "bad-gbk.csv").write_bytes(buf.getvalue().encode("gbk"))
    (office / "bad-bom.csv").write_bytes(buf.getvalue().encode("utf-8-sig"))
    for name in ("bad-gbk.csv", "bad-bom.csv"):
        result = records("check", "--format", "json", name, cwd=office)
        assert result.returncode == 1
        found = {(p["code"], p["where"]) for p in json.loads(result.stdout)["problems"]}
        assert ("E716", "第 3 行·性别") in found and ("E717", "第 4 行·出生日期") in found
        assert ("E719", "第 5 行·照护人电话") in found and ("E718", "第 7 行·身份证号") in found
        assert ("E730", "第 8 行·儿童编号") in found and ("E732", "第 9 行·出生日期") in found
        assert ("E733", "第 10 行·孩子已满 14 周岁并已本人签署 WG-F08") in found and ("E714", "第 11 行·所属乡镇（街道）") in found
    (office / "plain.csv").write_text("姓名,性别\n张小明,男\n", encoding="utf-8")
    result = records("check", "plain.csv", cwd=office)
    assert result.returncode == 1 and "E711" in result.stdout


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (libreoffice-calc-nogui) not installed")
def test_libreoffice_round_trip(office: Path) -> None:
    """LibreOffice headless (standing in for WPS) opens the template and a filled file and saves them again."""
    fill(office / "templates" / "WG-F04.xlsx", office / "lo-in.xlsx", f04_batch(5))
    profile = office / "lo-profile"
    result = subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                             "--convert-to", "xlsx", "--outdir", str(office / "lo"), str(office / "lo-in.xlsx"),
                             str(office / "templates" / "WG-F04.xlsx")], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    check = records("check", "lo/lo-in.xlsx", cwd=office)
    assert check.returncode == 0 and "WG-F04 5 份" in check.stdout, check.stdout
    wb = load_workbook(office / "lo" / "WG-F04.xlsx")
    assert wb["_meta"].sheet_state == "hidden" and "list_legal_status" in wb.defined_names
    assert any(v.type == "list" for v in wb["记录"].data_validations.dataValidation)


def test_filled_pdfs(tmp_path: Path) -> None:
    visit = f07()
    survey = f04(1)
    (tmp_path / "r.json").write_text(json.dumps([visit, survey], ensure_ascii=False), encoding="utf-8")
    result = records("pdf", "r.json", "--out", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    made = sorted((tmp_path / "pdf").glob("*.pdf"))
    assert [p.name for p in made] == ["r-WG-F04-0002.pdf", "r-WG-F07-0001.pdf"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in made)
    text = subprocess.run(["pdftotext", str(made[1]), "-"], capture_output=True, text=True).stdout
    for value in ("小明", "2026 年 11 月 3 日", "14:00—16:30", "李某某", "结对志愿者", "V-0001", "村儿童主任",
                  "奶奶照顾得很细心", "数学进步", "内部资料"):
        assert value in text, value
    text = subprocess.run(["pdftotext", str(made[0]), "-"], capture_output=True, text=True).stdout
    for value in ("DZ-00001", "东镇", "2015 年 3 月 2 日", "王某某", "内部资料", "纸面已签"):
        assert value in text, value
    layout = subprocess.run(["pdftotext", "-layout", str(made[0]), "-"], capture_output=True, text=True).stdout
    assert survey["id_number"] in "".join(layout.split())  # one digit per box, in order
    result = records("pdf", "r.json", "--out", "one", "--combined", cwd=tmp_path)
    assert result.returncode == 0 and [p.name for p in (tmp_path / "one").iterdir()] == ["r-合并.pdf"]


def test_records_stay_out_of_the_site(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    result = run_wugu("records", "pdf", "x.json", "--out", str(project / "build" / "site"), cwd=tmp_path)
    assert result.returncode == 2 and "E743" in result.stderr
    result = run_wugu("records", "template", "--out", str(project / "site" / "t"), cwd=tmp_path)
    assert result.returncode == 2 and "E743" in result.stderr
    record = {k: v for k, v in f04(1).items() if k not in ("id_number", "carer_phone")}  # (numbers: E401/E402)
    (project / "site" / "东镇.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = run_wugu("build", str(project), "--no-pdf")
    assert result.returncode == 1 and "site/东镇.json" in result.stderr and "E742" in result.stderr
    (project / "site" / "东镇.json").unlink()
    (project / "site" / "data.json").write_text('{"title": "示例", "forms": ["WG-F04"]}', encoding="utf-8")  # no record
    result = run_wugu("build", str(project), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    downloads = project / "build" / "site" / "downloads"
    schema = json.loads((downloads / "schemas" / "WG-F04.schema.json").read_text(encoding="utf-8"))
    assert schema["$id"] == "urn:wugu:form:WG-F04:2026.1" and (downloads / "WG-F04.xlsx").is_file()
    page = (project / "build" / "site" / "forms" / "F04.html").read_text(encoding="utf-8")
    assert "数据字典" in page and "<code>id_number</code>" in page and "../downloads/WG-F04.xlsx" in page
    init = run_wugu("init", str(tmp_path / "县"), "--name", "示例县手牵手孤困儿童心理辅导志愿服务团", "--level", "县")
    assert init.returncode == 0
    assert "/records/" in (tmp_path / "县" / ".gitignore").read_text(encoding="utf-8").splitlines()

"""The county clerk's review of the forms kit, each finding checked on the real files the CLI writes:
the statistics workbook's 合计 row and what it still needs before it passes the check; hints that say 是/√ (never
“true”) in Excel and CSV, and the checker accepting what they say; filled PDFs with the 填表日期 in the header, no
printed hints in empty cells, and a unit on the same line as its number; template headers that are unique and text
cells where numbers must stay as typed.

All records are fictional and generated at run time (``records_sample``).
"""
from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from conftest import ROOT, copy_project, run_wugu
from records_sample import f04, f04_batch, f06, fake_id, fake_mobile
from test_records_office import fill, records, sign


def pdf_text(pdf: Path, layout: bool = True) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pdf_words(pdf: Path) -> list[tuple[str, float, float, float, float]]:
    """Every word of a PDF with its box (xMin, yMin, xMax, yMax), from ``pdftotext -bbox``."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(pattern, html)]


def form_yaml(name: str) -> dict:
    return yaml.safe_load(next((ROOT / "forms").glob(f"{name}-*.yml")).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def stats(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict], subprocess.CompletedProcess[str]]:
    """`wugu records stats` on 40 generated surveys (and some pairings) given as JSON."""
    folder = tmp_path_factory.mktemp("review")
    surveys = f04_batch(40, seed=11)
    (folder / "surveys.json").write_text(json.dumps(surveys + [f06(r["child_no"]) for r in surveys[::4]],
                                                    ensure_ascii=False), encoding="utf-8")
    result = records("stats", "surveys.json", "--month", "2026-11", "--out", "stats", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder, surveys, result


def test_stats_workbook_has_a_total_row(stats) -> None:
    folder, surveys, _ = stats
    xlsx = folder / "stats" / "WG-F05-stats.xlsx"
    values = load_workbook(xlsx, data_only=True)["各乡镇孤困儿童统计"]
    formulas = load_workbook(xlsx)["各乡镇孤困儿童统计"]
    header = [c.value for c in values[2]]
    rows = [list(r) for r in values.iter_rows(min_row=3, values_only=True) if r[1] not in (None,)]
    townships = [r for r in rows if r[1] != "合计"]
    total = [r for r in rows if r[1] == "合计"]
    assert len(total) == 1 and rows[-1] is total[0] and len(townships) == len({r["township"] for r in surveys})
    total = total[0]
    for col, name in enumerate(header):
        if col < 2:
            continue
        numbers = [r[col] for r in townships if isinstance(r[col], int)]
        assert total[col] == (sum(numbers) if numbers else None), name  # 村数, 本月走访: left blank for the office
    assert total[header.index("摸排·已摸排")] == len(surveys)
    row = len(rows) + 2
    assert formulas.cell(row, 4).value == f'=IF(COUNT(D3:D{row - 1})=0,"",SUM(D3:D{row - 1}))'  # recalculates
    # the total is derived: reading the workbook back (as a township return) does not count it twice
    result = records("stats", str(xlsx), "--out", "again", "--no-pdf", cwd=folder)
    assert result.returncode == 1 and "E714" in result.stderr  # not signed yet: see below
    signed = sign(xlsx, folder / "signed.xlsx")
    result = records("check", str(signed), cwd=folder)
    assert result.returncode == 0, result.stdout
    result = records("stats", str(signed), "--out", "county", "--no-pdf", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    kept = sum(r.get("township_decision") not in ("暂不纳入", "转介其他部门") for r in surveys)
    assert f"儿童 {kept} 人" in result.stdout and "合计：" in result.stdout
    county = load_workbook(folder / "county" / "WG-F05-stats.xlsx", data_only=True)["各乡镇孤困儿童统计"]
    assert [r[1] for r in county.iter_rows(min_row=3, values_only=True) if r[1]].count("合计") == 1


def test_stats_workbook_says_what_is_still_to_fill(stats) -> None:
    folder, _, result = stats
    assert "还要填写" in result.stdout and "E714" in result.stdout and "报出日期" in result.stdout
    xlsx = folder / "stats" / "WG-F05-stats.xlsx"
    wb = load_workbook(xlsx)
    ws = wb["记录"]
    assert "橙色格子是还没填的必填栏" in ws["A1"].value
    meta = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}
    for key in ("unit", "unit_signed", "head_signed", "reviewer_signed", "filler_signed", "phone", "report_date"):
        assert ws.cell(3, meta[key]).fill.fgColor.rgb == "FFFCE4D6", key
    assert ws.cell(3, meta["month"]).fill.fgColor.rgb != "FFFCE4D6"  # filled in by wugu
    check = records("check", str(xlsx), cwd=folder)
    assert check.returncode == 1
    lines = check.stdout.splitlines()
    assert {re.search(r"（(.+?)）: error (E\d+)", ln).groups() for ln in lines if "error" in ln} == {
        ("填报单位", "E714"), ("单位盖章", "E714"), ("单位负责人", "E714"), ("审核人", "E714"), ("填表人", "E714"),
        ("联系电话", "E714"), ("报出日期", "E714")}
    report_date = next(ln for ln in lines if "报出日期" in ln)
    assert "不详" not in report_date and "2026-11-24" in report_date
    assert "不详" not in next(ln for ln in lines if "联系电话" in ln)
    assert all("true" not in ln for ln in lines)
    assert "选“是”" in next(ln for ln in lines if "填表人" in ln)


def test_tick_hints_say_what_the_checker_accepts(tmp_path: Path) -> None:
    """Excel: choose 是; CSV: write 是 or ✓; JSON: true — and each file passes once it says so."""
    record = f04(1)
    for key in ("reviewer_signed", "surveyor_signed"):
        record.pop(key)
    (tmp_path / "r.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    out = records("check", "r.json", cwd=tmp_path)
    assert out.returncode == 1 and all("记录里写 true" in ln for ln in out.stdout.splitlines() if "E714" in ln)
    # the same record as a CSV saved by WPS (GBK): the hint says 是 or ✓, and ✓ is accepted
    made = records("template", "WG-F04", "--out", "t", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    wb = load_workbook(tmp_path / "t" / "WG-F04.xlsx")
    ws = wb["记录"]
    title, header = ws["A1"].value, [c.value for c in ws[2]]
    meta = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}

    def csv_text(data: dict) -> str:
        cells = [""] * len(header)
        cells[0] = "1"
        for key, value in data.items():
            if key in meta:
                cells[meta[key] - 1] = ("是" if value else "否") if isinstance(value, bool) else \
                    "、".join(value) if isinstance(value, list) else str(value)
        quote = lambda v: '"' + str(v).replace('"', '""') + '"'  # noqa: E731
        return "\n".join(",".join(quote(c) for c in row) for row in ([title], header, cells)) + "\n"

    (tmp_path / "r.csv").write_bytes(csv_text(record).encode("gbk"))
    out = records("check", "r.csv", cwd=tmp_path)
    hints = [ln for ln in out.stdout.splitlines() if "E714" in ln]
    assert len(hints) == 2 and all("写“是”（也可以写 √）" in ln and "true" not in ln for ln in hints)
    (tmp_path / "r.csv").write_bytes(csv_text({**record, "reviewer_signed": "√", "surveyor_signed": "是"}).encode("gbk"))
    out = records("check", "r.csv", cwd=tmp_path)
    assert out.returncode == 0, out.stdout
    (tmp_path / "r.csv").write_text(csv_text({**record, "reviewer_signed": "✓", "surveyor_signed": "√"}),
                                    encoding="utf-8-sig")
    assert records("check", "r.csv", cwd=tmp_path).returncode == 0
    # Excel: the hint names the drop-down's 是, and 是 passes
    fill(tmp_path / "t" / "WG-F04.xlsx", tmp_path / "r.xlsx", [record])
    out = records("check", "r.xlsx", cwd=tmp_path)
    assert all("下拉列表里选“是”" in ln for ln in out.stdout.splitlines() if "E714" in ln) and out.returncode == 1
    fill(tmp_path / "t" / "WG-F04.xlsx", tmp_path / "r.xlsx", [f04(1)])
    assert records("check", "r.xlsx", cwd=tmp_path).returncode == 0


@pytest.fixture(scope="module")
def filled_pdfs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """`wugu records pdf` of one F04 and one F06 record that leave many fields empty."""
    folder = tmp_path_factory.mktemp("filled")
    survey = f04(3, survey=__import__("datetime").date(2026, 10, 8))
    pairing = f06(survey["child_no"], child_age=9, child_sex="女")
    (folder / "r.json").write_text(json.dumps([survey, pairing], ensure_ascii=False), encoding="utf-8")
    result = records("pdf", "r.json", "--out", "pdf", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "pdf", survey, pairing


def test_filled_pdf_prints_the_form_date_in_the_header(filled_pdfs) -> None:
    out, _, _ = filled_pdfs
    first = {name: pdf_text(out / name).split("\f")[0] for name in ("r-WG-F04-0001.pdf", "r-WG-F06-0002.pdf")}
    assert re.search(r"填表日期：\s*2026 年 10 月 8 日", first["r-WG-F04-0001.pdf"])
    assert re.search(r"填表日期：\s*2026 年 10 月 20 日", first["r-WG-F06-0002.pdf"])


def test_filled_pdf_shows_blanks_not_hints_in_empty_cells(filled_pdfs) -> None:
    out, survey, pairing = filled_pdfs
    for name, form, record in (("r-WG-F04-0001.pdf", "F04", survey), ("r-WG-F06-0002.pdf", "F06", pairing)):
        text = re.sub(r"\s+", "", pdf_text(out / name, layout=False))
        empty = [f for s in form_yaml(form)["sections"] for f in s["fields"]
                 if f.get("hint") and f.get("key") and f["key"] not in record
                 and f["type"] in ("text", "longtext", "number", "date", "choice", "multichoice", "yesno")]
        assert len(empty) >= 3, name
        for f in empty:
            assert re.sub(r"\s+", "", f["hint"])[:12] not in text, (name, f["key"])
        assert "（可多选）" not in text  # nor the blank form's “(multiple choice)” note


def test_filled_pdf_unit_stays_on_the_line_of_its_number(filled_pdfs) -> None:
    out, _, _ = filled_pdfs
    words = pdf_words(out / "r-WG-F06-0002.pdf")
    label = next(w for w in words if w[0] == "年龄")
    value = next(w for w in words if w[0] == "9" and abs(w[2] - label[2]) < 20)
    unit = next(w for w in words if w[0] == "岁" and abs(w[2] - label[2]) < 20)
    assert abs(unit[2] - value[2]) < 2 and 0 < unit[1] - value[3] < 15  # same line, just after the number


def test_template_headers_are_unique_and_numbers_are_text(tmp_path: Path) -> None:
    made = records("template", "--out", "t", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    for path in sorted((tmp_path / "t").glob("*.xlsx")):
        wb = load_workbook(path)
        header = [str(c.value).rstrip(" *") for c in wb["记录"][2] if c.value]
        assert len(header) == len(set(header)), (path.name, [h for h in header if header.count(h) > 1])
    wb = load_workbook(tmp_path / "t" / "WG-F04.xlsx")
    ws = wb["记录"]
    header = [str(c.value).rstrip(" *").lstrip("※") for c in ws[2]]
    for label in ("父母联系方式", "照护人电话", "身份证号", "照护人身份证号", "儿童编号"):
        col = header.index(label) + 1
        assert ws.cell(3, col).number_format == "@" and ws.cell(400, col).number_format == "@", label
    # a label used in two sections (WG-F01: 姓名, 联系电话) is named with its section
    wb = load_workbook(tmp_path / "t" / "WG-F01.xlsx")
    ws = wb["记录"]
    header = [str(c.value).rstrip(" *").lstrip("※") for c in ws[2]]
    assert "基本信息·姓名" in header and "紧急联系人·姓名" in header and "姓名" not in header
    # and a CSV with the old, doubled header still reads both columns, in order
    record = {"form": "WG-F01", "version": "2026.1", "name": "李某某", "sex": "女", "birth_date": "1980-05-01",
              "id_number": fake_id(date(1980, 5, 1), 3, "女"), "phone": fake_mobile("138"),
              "criminal_record": "本人无任何违法犯罪记录", "pledge_truthful": True, "pledge_risks": True,
              "pledge_long_term": True, "pledge_data_use": True, "applicant_signed": True,
              "emergency_name": "赵某某", "emergency_phone": fake_mobile("139")}
    old = [h.split("·", 1)[1] if "·" in h else h for h in header]
    assert old.count("姓名") == 2
    meta = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}
    cells = [""] * len(header)
    for key, value in record.items():
        if key in meta:
            cells[meta[key] - 1] = ("是" if value else "否") if isinstance(value, bool) else str(value)
    cells[0] = "1"
    (tmp_path / "old.csv").write_text(f"{ws['A1'].value}\n" + ",".join(old) + "\n" + ",".join(cells) + "\n",
                                      encoding="utf-8-sig")
    out = records("check", "--format", "json", "old.csv", cwd=tmp_path)
    assert out.returncode == 0, out.stdout
    # the emergency contact's phone came from the second 联系电话 column: a wrong one is reported there
    cells[meta["emergency_phone"] - 1] = "1390000"
    (tmp_path / "old.csv").write_text(f"{ws['A1'].value}\n" + ",".join(old) + "\n" + ",".join(cells) + "\n",
                                      encoding="utf-8-sig")
    out = records("check", "--format", "json", "old.csv", cwd=tmp_path)
    assert [p["code"] for p in json.loads(out.stdout)["problems"]] == ["E719"], out.stdout


def test_only_one_form_date(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    path = next((project / "forms").glob("F04-*.yml"))
    text = path.read_text(encoding="utf-8")
    text = text.replace("label: 出生日期, required: true, sensitive: true}",
                        "label: 出生日期, required: true, sensitive: true, form_date: true}")
    path.write_text(text, encoding="utf-8")
    result = run_wugu("check", str(project))
    assert result.returncode == 1 and "E746" in result.stdout
    line = next(ln for ln in result.stdout.splitlines() if "E746" in ln)
    assert re.search(rf"{path.name}:\d+:\d+: error E746: “调查日期”.*“出生日期”（第 \d+ 行）", line), line

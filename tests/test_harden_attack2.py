"""Issue 12/13, third attack round: hostile spreadsheets, masked echoes, edition output folders, publishing guards,
invisible characters and formula-looking cells. Every hostile file is made at run time; bombs are small zip files
whose parts unpack large, so each test stays fast."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from conftest import copy_project, run_wugu
from test_records_office import records



@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The WG-F07 Excel template made by `wugu records template`."""
    folder = tmp_path_factory.mktemp("tpl")
    result = records("template", "WG-F07", "--out", "t", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return next((folder / "t").glob("*.xlsx"))


def variant(template: Path, out: Path, change) -> Path:
    """A copy of the template zip with some parts changed by ``change(name, data) -> bytes``."""
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info.filename)))
    return out


def good_records(folder: Path) -> Path:
    """A small valid JSON record batch beside the hostile files: it must still be checked."""
    path = folder / "ok.json"
    path.write_text('{"form": "WG-F99", "version": "1"}', encoding="utf-8")
    return path


def _sheet_rows(rows: bytes) -> "callable":
    def change(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", lambda m: b"<sheetData>" + rows + b"</sheetData>",
                          data, flags=re.S)
        return data
    return change


def test_spreadsheet_bombs_are_refused_before_opening_and_the_batch_goes_on(template: Path, tmp_path: Path) -> None:
    # one shared string that unpacks to 60 MB (the file itself is well under 1 MB)
    def huge_string(name: str, data: bytes) -> bytes:
        return data.replace(b"<t>", b"<t>" + b"A" * (60 * 1024 * 1024), 1) if name == "xl/sharedStrings.xml" else data
    variant(template, tmp_path / "ss.xlsx", huge_string)
    # a 3 MB part packed more than 200 times
    variant(template, tmp_path / "ratio.xlsx", _sheet_rows(b"<row r=\"3\">" + b" " * (3 * 1024 * 1024) + b"</row>"))
    # data far below the 20,000-row limit's end: one row at 30,000 and more than 20,000 rows
    variant(template, tmp_path / "far.xlsx",
            _sheet_rows(b'<row r="30000"><c r="A30000"><v>1</v></c><c r="B30000" t="inlineStr"><is><t>x</t></is></c></row>'))
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(3, 20_010))
    variant(template, tmp_path / "many.xlsx", _sheet_rows(rows))
    good_records(tmp_path)
    assert (tmp_path / "ss.xlsx").stat().st_size < 1024 * 1024
    result = records("check", "ss.xlsx", "ratio.xlsx", "far.xlsx", "many.xlsx", "ok.json", cwd=tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "Traceback" not in out and "E524" not in out, out
    lines = out.splitlines()
    assert any("ss.xlsx" in line and "E119" in line for line in lines), out
    assert any("ratio.xlsx" in line and "E119" in line for line in lines), out
    assert any("far.xlsx" in line and "E120" in line and "!A30000" in line for line in lines), out
    assert any("many.xlsx" in line and "E120" in line for line in lines), out
    assert any("ok.json" in line and "E711" in line for line in lines), out  # the batch went on


def test_hostile_xml_inside_an_xlsx_is_a_clear_error_for_that_file(template: Path, tmp_path: Path) -> None:
    head = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'

    def entities(name: str, data: bytes) -> bytes:
        if name != "xl/sharedStrings.xml":
            return data
        dtd = b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">' + b"".join(
            b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10) for i in range(8)) + b"]>"
        return data.replace(head, head + dtd).replace(b"<t>", b"<t>&i;", 1)

    def xxe(name: str, data: bytes) -> bytes:
        if name != "xl/sharedStrings.xml":
            return data
        return data.replace(head, head + b'<!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/hostname">]>').replace(
            b"<t>", b"<t>&x;", 1)

    def broken(name: str, data: bytes) -> bytes:
        return data[: len(data) // 2] if name == "xl/workbook.xml" else data

    variant(template, tmp_path / "lol.xlsx", entities)
    variant(template, tmp_path / "xxe.xlsx", xxe)
    variant(template, tmp_path / "half.xlsx", broken)
    (tmp_path / "notzip.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    good_records(tmp_path)
    result = records("check", "lol.xlsx", "xxe.xlsx", "half.xlsx", "notzip.xlsx", "ok.json", cwd=tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "Traceback" not in out and "E524" not in out and "ParseError" not in out, out
    for name in ("lol.xlsx", "xxe.xlsx", "half.xlsx", "notzip.xlsx"):
        assert any(name in line and "E710" in line for line in out.splitlines()), (name, out)
    assert any("ok.json" in line and "E711" in line for line in out.splitlines()), out


def test_values_typed_where_headers_keys_form_or_version_belong_are_never_echoed_in_full(tmp_path: Path) -> None:
    from datetime import date

    from records_sample import fake_id, fake_mobile

    ident, mobile = fake_id(date(2015, 3, 2)), fake_mobile()
    (tmp_path / "noheader.csv").write_text(f"张小明,{ident},{mobile}\n李小红,{ident},{mobile}\n", encoding="utf-8")
    for n, key in enumerate((mobile, "王大伟", "child_nmae")):  # one unknown key per file: each is reported
        (tmp_path / f"keys{n}.json").write_text('{"form": "WG-F04", "version": "2026.1", "%s": 1}' % key,
                                                encoding="utf-8")
    (tmp_path / "ver.json").write_text('{"form": "WG-F04", "version": "%s", "%s": 1}' % (ident, mobile),
                                       encoding="utf-8")
    (tmp_path / "form.json").write_text('{"form": "%s", "version": "1"}' % ident, encoding="utf-8")
    (tmp_path / "form2.json").write_text('{"form": "赵小刚", "version": "1"}', encoding="utf-8")
    result = records("check", "--form", "WG-F04", "noheader.csv", "keys0.json", "keys1.json", "keys2.json",
                     "ver.json", "form.json", "form2.json", cwd=tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    for secret in ("张小明", "王大伟", "赵小刚", ident, mobile, ident[:10], mobile[:8]):
        assert secret not in out, (secret, out)
    codes = re.findall(r"\bE7\d\d\b", out)
    assert {"E711", "E712", "E713"} <= set(codes), out
    assert "child_nmae" in out  # a key-shaped typo is still shown, with its suggestion


@pytest.mark.parametrize("inside", ["local/forms", "local", "site/x"])
def test_editions_output_may_not_go_into_an_editions_content(tmp_path: Path, inside: str) -> None:
    edition = tmp_path / "eds" / "a"
    (edition / inside).mkdir(parents=True)  # empty: the first run would be allowed, the next wipes it
    (edition / "wugu.yml").write_text("name: 某县\n", encoding="utf-8")
    (tmp_path / "list.txt").write_text("eds/a\n", encoding="utf-8")
    for source in (tmp_path / "eds", tmp_path / "list.txt"):
        result = run_wugu("build", "--editions", str(source), "--out", str(edition / inside), cwd=tmp_path)
        assert result.returncode == 2 and "E507" in result.stderr, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert list((edition / inside).iterdir()) == []


INVISIBLE = [0x200B, 0x200C, 0x200D, 0x2060, 0x00AD, 0xFEFF, 0x2028, 0x2029, 0xE0041, 0xE007F, 0x3164, 0x115F,
             0x180E, 0x034F, 0x061C, 0x200E, 0x200F]


def test_invisible_characters_are_refused_in_content_and_pages_with_the_code_point(tmp_path: Path) -> None:
    import json

    project = copy_project(tmp_path / "p")
    regs = sorted((project / "regulations").glob("R*.yml"))
    for code, reg in zip(INVISIBLE, regs):
        text = reg.read_text(encoding="utf-8")
        # inside a double-quoted scalar (the way an editor would paste it; U+2028 written raw would break the line)
        new = re.sub(r"^purpose: .*$", lambda m: 'purpose: "本制度说明' + chr(code) + '如何执行"', text, count=1,
                     flags=re.M)
        assert new != text
        reg.write_text(new, encoding="utf-8")
    result = run_wugu("check", str(project), "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    problems = json.loads(result.stdout)["problems"]
    for code, reg in zip(INVISIBLE, regs):
        hits = [p for p in problems if p["path"] == f"regulations/{reg.name}" and p["code"] == "E116"]
        assert hits and f"U+{code:04X}" in hits[0]["message"], (hex(code), hits)
    # hand-written pages (checked once the YAML content is clean)
    project = copy_project(tmp_path / "q")
    for code in INVISIBLE:
        (project / "site" / f"inv-{code:X}.md").write_text(f"# 页面\n\n正文{chr(code)}内容\n", encoding="utf-8")
    result = run_wugu("check", str(project), "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    problems = json.loads(result.stdout)["problems"]
    for code in INVISIBLE:
        hits = [p for p in problems if p["path"] == f"site/inv-{code:X}.md" and p["code"] == "E116"]
        assert hits and f"U+{code:04X}" in hits[0]["message"] and hits[0]["line"] == 3, (hex(code), hits)


FORMULAS = ['=HYPERLINK("http://example.invalid/?x","点我")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1,2)"]


def _formula_cells(path: Path) -> list:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value[:1] and c.value[0] in "=+-@" and not c.value.startswith("=IF(")]


def test_formula_looking_record_text_stays_text_in_the_stats_workbook(tmp_path: Path) -> None:
    import json

    from records_sample import f04

    batch = [f04(n, township=t) for n, t in enumerate(FORMULAS, 1)]
    (tmp_path / "surveys.json").write_text(json.dumps(batch, ensure_ascii=False), encoding="utf-8")
    result = records("stats", "surveys.json", "--month", "2026 年 11 月", "--out", "stats", "--no-pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    cells = _formula_cells(tmp_path / "stats" / "WG-F05-stats.xlsx")
    assert sorted(c.value for c in cells) == sorted(FORMULAS)
    for c in cells:  # read back: a text cell with the quote prefix, not a formula
        assert c.data_type == "s" and c.quotePrefix, (c.coordinate, c.value, c.data_type)


def test_formula_looking_question_text_stays_text_in_the_question_export(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    bank = sorted((project / "questions").glob("*.yml"))[0]
    text = bank.read_text(encoding="utf-8")
    stem = re.search(r"^    stem: (.*)$", text, flags=re.M).group(1)
    bank.write_text(text.replace(f"stem: {stem}", "stem: '=HYPERLINK(\"http://example.invalid\",\"点我\")" + stem + "'", 1),
                    encoding="utf-8")
    out = tmp_path / "bank.xlsx"
    result = run_wugu("questions", str(project), "--export", "xlsx", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    cells = [c for c in _formula_cells(out) if c.value.startswith("=HYPERLINK")]
    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].quotePrefix


def test_records_and_unscannable_files_under_site_are_refused_by_check_and_build(tmp_path: Path) -> None:
    import json

    from records_sample import f04, fake_mobile

    project = copy_project(tmp_path / "p")
    data = project / "site" / "data"
    data.mkdir(parents=True)
    # (no ID or phone in them: those alone would already stop the check, E401/E402)
    record = json.dumps({k: v for k, v in f04(1).items() if k not in ("id_number", "carer_phone")}, ensure_ascii=False)
    # a UTF-8 CSV without BOM and without the title row: only the header says what it is
    (data / "名单.csv").write_text("姓名,性别,出生日期,所属乡镇（街道）\n张小明,男,2015-03-02,东镇\n", encoding="utf-8")
    (data / "名单.tsv").write_text("姓名\t性别\t出生日期\n张小明\t男\t2015-03-02\n", encoding="gb18030")
    (data / "map.geojson").write_text(record, encoding="utf-8")
    (data / "r.json.txt").write_text("[" + record + "]", encoding="utf-8")
    (data / "r.dat").write_text("\n" + record, encoding="utf-8")
    (data / "名单.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))  # an OLE2 (Excel 97) header
    (data / "名单.et").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    # a page that shows the JSON format in a code block is not a record file
    (project / "site" / "format.md").write_text('# 格式\n\n```json\n{"form": "WG-F04", "version": "2026.1"}\n```\n',
                                                encoding="utf-8")
    for args in (("check", str(project)), ("build", str(project), "--no-pdf", "--out", str(tmp_path / "out"))):
        result = run_wugu(*args)
        out = result.stdout + result.stderr
        assert result.returncode == 1, out
        assert "Traceback" not in out
        for name in ("名单.csv", "名单.tsv", "map.geojson", "r.json.txt", "r.dat"):
            assert re.search(rf"site/data/{re.escape(name)}.*E742", out), (name, out)
        for name in ("名单.xls", "名单.et"):
            assert re.search(rf"site/data/{re.escape(name)}.*E526", out), (name, out)
        assert "format.md" not in out and "张小明" not in out
        assert not (tmp_path / "out").exists()
    mobile = fake_mobile()
    assert mobile not in out


def test_the_privacy_scan_reads_whole_files_and_refuses_huge_ones(tmp_path: Path) -> None:
    import json

    from records_sample import fake_mobile

    project = copy_project(tmp_path / "p")
    mobile = fake_mobile()
    filler = ("这是一段很长的说明文字。" * 20 + "\n") * 12_000  # ~8 MB of text before the number
    (project / "site" / "long.md").write_text("# 长页面\n\n" + filler + f"联系人：{mobile}\n", encoding="utf-8")
    # a number across the border of two scanned pieces (2 MB each)
    border = "a" * (2 * 1024 * 1024 - 5) + mobile + "\n"
    (project / "site" / "border.txt").write_text(border, encoding="utf-8")
    (project / "site" / "huge.txt").write_bytes(b"x" * (21 * 1024 * 1024))
    result = run_wugu("check", str(project), "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    problems = json.loads(result.stdout)["problems"]
    lines = filler.count("\n") + 3
    assert any(p["path"] == "site/long.md" and p["code"] == "E402" and p["line"] == lines for p in problems), problems
    assert [(p["code"], p["line"]) for p in problems if p["path"] == "site/border.txt"] == [("E402", 1)], problems
    assert any(p["path"] == "site/huge.txt" and p["code"] == "E525" for p in problems), problems
    assert mobile not in result.stdout


def test_documents_and_archives_that_cannot_be_read_to_the_end_are_not_published(tmp_path: Path) -> None:
    import json

    project = copy_project(tmp_path / "p")
    site = project / "site"
    # personal data placed after 33 MB of padding, where the document scan used to stop reading
    with zipfile.ZipFile(site / "pad.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/pad.xml", b" " * (33 * 1024 * 1024))
        z.writestr("xl/sharedStrings.xml", "<sst><si><t>张小明</t></si></sst>")
    with zipfile.ZipFile(site / "名单.zip", "w") as z:
        z.writestr("名单.csv", "姓名,性别\n张小明,男\n")
    (site / "broken.docx").write_bytes(b"PK\x03\x04" + bytes(64))
    result = run_wugu("check", str(project), "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert sorted(p["path"] for p in problems if p["code"] == "E527") == \
        ["site/broken.docx", "site/pad.xlsx", "site/名单.zip"], problems

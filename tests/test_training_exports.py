"""Exports of the question bank through the real CLI: the import text parses back to the same questions and
answers; the XLSX sheet (read back from its XML) holds one text row per question; GIFT marks the right options."""
from __future__ import annotations

import re
import zipfile
from xml.etree import ElementTree

import pytest

from wugu.bank import answer_letters
from wugu.render.bank_export import parse_text
from wugu.validate import load_handbook

from conftest import ROOT, run_wugu


@pytest.fixture(scope="module")
def questions():
    return load_handbook(ROOT).questions


def test_text_export_imports_back_to_the_same_questions(tmp_path, questions):
    out = tmp_path / "题库.txt"
    result = run_wugu("questions", str(ROOT), "--export", "text", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Notepad and WPS read it right
    items = parse_text(raw.decode("utf-8"))
    assert len(items) == len(questions)
    for item, q in zip(items, questions):
        stem = f"【情景】{q.situation}{q.stem}" if q.situation else q.stem
        assert item["stem"] == " ".join(stem.split())
        assert item["options"] == ([] if q.type == "truefalse" else list(q.options))
        assert item["answer"] == answer_letters(q)
        assert item["explain"].startswith(q.explain)
        # the type follows from the shape, as exam tools read it
        kind = "truefalse" if not item["options"] else ("multiple" if len(item["answer"]) > 1 else "single")
        assert kind == ("multiple" if q.multiple else "truefalse" if q.type == "truefalse" else "single")


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _rows(path) -> list[list[str]]:
    with zipfile.ZipFile(path) as z:
        shared = [si.findtext(".//m:t", "", _NS) for si in
                  ElementTree.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", _NS)]
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.findall(".//m:sheetData/m:row", _NS):
        cells = {}
        for c in row.findall("m:c", _NS):
            col = re.match(r"[A-Z]+", c.get("r")).group()
            assert c.get("t") == "s", "every cell is text"
            cells[col] = shared[int(c.findtext("m:v", "", _NS))]
        rows.append([cells.get(chr(ord("A") + i), "") for i in range(17)])
    return rows


def test_xlsx_export_has_a_text_row_per_question(tmp_path, questions):
    out = tmp_path / "题库.xlsx"
    result = run_wugu("questions", str(ROOT), "--export", "xlsx", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    rows = _rows(out)
    assert rows[0][:5] == ["题号", "部分", "题型", "情景", "题干"] and rows[0][11] == "答案"
    assert len(rows) == len(questions) + 1
    for row, q in zip(rows[1:], questions):
        assert row[0] == q.id and row[4] == q.stem and row[11] == answer_letters(q)


def test_gift_export_marks_the_right_options(tmp_path, questions):
    out = tmp_path / "题库.gift.txt"
    result = run_wugu("questions", str(ROOT), "--export", "gift", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    blocks = out.read_text(encoding="utf-8").strip().split("\n\n")
    assert len(blocks) == len(questions)
    for block, q in zip(blocks, questions):
        assert f"::{q.id}::" in block
        if q.type == "truefalse":
            assert ("{T####" if q.answer == (0,) else "{F####") in block
        elif q.multiple:
            assert block.count("~%") == len(q.options)
        else:
            assert sum(line.startswith("=") for line in block.splitlines()) == 1

"""One definition of how typed values are tidied and of the words about formats, shared by `wugu records check` and
the fill page: ``wugu.cnformats.TIDY`` and ``MESSAGES``, published in every record schema; the JavaScript tidy
(cn-formats.js) gives the same answers as the Python one on generated strings; an office workbook with a lowercase
x, spaced or dashed phone numbers, padded text and multiple choices split by 、，/ or blanks passes the batch check;
the fixes of E715/E717/E718/E719 are the catalogue's words. Values are generated at run time (region 999xxx).
"""
from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from wugu import cnformats as cn
from wugu.records.forms import load_forms
from wugu.records.schema import record_schema

from conftest import ROOT
from records_sample import f04, fake_id, fake_mobile

FILL = ROOT / "src" / "wugu" / "templates" / "site" / "assets" / "wugu" / "fill"


def records(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wugu", "records", *args, "--project", str(ROOT)], cwd=cwd,
                          capture_output=True, text=True, timeout=240)


def _cases(seed: int = 5) -> list[str]:
    rnd = random.Random(seed)
    full = str.maketrans("0123456789-./Xx", "０１２３４５６７８９－．／Ｘｘ")
    out = []
    for _ in range(300):
        mobile = fake_mobile(rnd.choice(["138", "159", "199"]))
        ident = fake_id(date(2010, 1, 1) + (date(2015, 1, 1) - date(2010, 1, 1)) * rnd.random(), rnd.randrange(999))
        for s in (mobile, ident, ident.lower(), f"0{rnd.randrange(10, 999)}-{rnd.randrange(10**6, 10**8)}",
                  f"{rnd.randrange(1990, 2030)}{rnd.choice('-/.年')}{rnd.randrange(1, 13)}{rnd.choice('-/.月')}"
                  f"{rnd.randrange(1, 32)}{rnd.choice(['', '日'])}", str(rnd.randrange(1000)), "东镇"):
            pad = lambda: rnd.choice(["", " ", "\u3000", "\t", "\u00a0", "\n"])  # noqa: E731
            mid = len(s) // 2
            out += [s, pad() + s + pad(), s[:mid] + rnd.choice([" ", "-", "\u3000"]) + s[mid:], s.translate(full),
                    s[:3] + " " + s[3:7] + " " + s[7:], s[:3] + "-" + s[3:7] + "-" + s[7:]]
    return out


@pytest.mark.skipif(shutil.which("node") is None and shutil.which("nodejs") is None, reason="Node is not installed")
def test_javascript_tidies_as_python(tmp_path: Path) -> None:
    cases = _cases()
    (tmp_path / "in.json").write_text(json.dumps({"cases": cases, "tidy": cn.TIDY}, ensure_ascii=False),
                                      encoding="utf-8")
    script = ("const F = require(process.argv[1]); const d = JSON.parse(require('fs').readFileSync(process.argv[2], "
              "'utf8')); const out = {}; for (const k in d.tidy) { out[k] = d.cases.map(s => F.tidy(s, d.tidy[k])); } "
              "process.stdout.write(JSON.stringify(out));")
    node = shutil.which("node") or shutil.which("nodejs")
    run = subprocess.run([node, "-e", script, str(FILL / "cn-formats.js"), str(tmp_path / "in.json")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    js = json.loads(run.stdout)
    for kind, steps in cn.TIDY.items():
        python = [cn.tidy(s, steps) for s in cases]
        assert python == js[kind], kind
    assert cn.tidy(" 999901201001010x ", cn.TIDY["id-number"]).endswith("X")
    assert cn.tidy("0539-1234567", cn.TIDY["phone"]) == "0539-1234567"


def test_one_table_published_and_used_by_the_fill_page() -> None:
    handbook, _ = load_forms(ROOT)
    schema = record_schema(handbook.form("F04"))
    assert schema["x-wugu"]["messages"] == cn.MESSAGES
    props = schema["properties"]
    assert props["id_number"]["x-wugu"]["tidy"] == list(cn.TIDY["id-number"])
    assert props["carer_phone"]["x-wugu"]["tidy"] == list(cn.TIDY[props["carer_phone"]["x-wugu"]["format"]])
    assert props["survey_date"]["x-wugu"]["tidy"] == list(cn.TIDY["date"])
    fill_js = (FILL / "fill.js").read_text(encoding="utf-8")
    for text in cn.MESSAGES.values():  # the page takes the words from the schema, never its own copy
        assert text not in fill_js, text
    assert "F.tidy(el.value, steps)" in fill_js


def test_batch_check_tidies_and_says_the_catalogue_words(tmp_path: Path) -> None:
    result = records("template", "WG-F04", "--out", "t", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    born = date(2015, 3, 2)
    seq = next(n for n in range(1, 999) if fake_id(born, n).endswith("X"))
    mobile = fake_mobile()
    rows = [f04(1, born=born, id_number=fake_id(born, seq).lower(), carer_phone=f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}",
                township=" 东镇 ", categories="孤儿，事实孤儿"),
            f04(2, carer_phone=f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}", categories="孤儿/事实孤儿"),
            f04(3, carer_phone=f"　{mobile}　", categories="孤儿 事实孤儿")]
    wb = load_workbook(tmp_path / "t" / "WG-F04.xlsx")
    ws = wb["记录"]
    columns = {r[3]: r[2] for r in wb["_meta"].iter_rows(values_only=True) if r[0] == "column" and r[1] == "记录"}
    for n, record in enumerate(rows, 1):
        ws.cell(2 + n, 1, n)
        for key, value in record.items():
            if key in columns:
                ws.cell(2 + n, columns[key], "是" if value is True else "否" if value is False else value)
    wb.save(tmp_path / "东镇.xlsx")
    bad = [f04(4, id_number=fake_id(born, 4)[:17] + ("0" if fake_id(born, 4)[17] != "0" else "1")),
           f04(5, carer_phone=mobile[:10]), f04(6, survey_date="2026-02-30"), f04(7, father_age="三十")]
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    result = records("check", "--format", "json", "东镇.xlsx", "bad.json", cwd=tmp_path)
    report = json.loads(result.stdout)
    fixes = {(p["file"], p["code"]): p["fix"] for p in report["problems"]}
    assert sorted(fixes) == [("bad.json", code) for code in ("E715", "E717", "E718", "E719")], report["problems"]
    assert fixes["bad.json", "E718"] == cn.MESSAGES["id-check"]
    assert fixes["bad.json", "E719"] == cn.MESSAGES["phone"]  # the carer may have a landline (r13)
    assert fixes["bad.json", "E717"] == cn.MESSAGES["date"]
    assert fixes["bad.json", "E715"] == cn.MESSAGES["integer"]
    assert mobile not in result.stdout and mobile[3:7] not in result.stdout
    result = records("pdf", "东镇.xlsx", "--out", "pdf", cwd=tmp_path)  # the tidied values are what is printed
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "pdf" / "东镇-WG-F04-0001.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert fake_id(born, seq) in "".join(text.split()) and mobile in "".join(text.split())

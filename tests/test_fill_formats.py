"""The China formats run identically in Python (wugu.cnformats) and in the browser's JavaScript (cn-formats.js).

Both suites run the one shared fixture file ``tests/fixtures/cnformats.json``; on top of it, a few thousand strings
generated at run time (fictional: region code 999xxx, placeholder phones) are put to both sides and every answer
compared. JavaScript runs under Node when it is installed, else inside headless Chromium.
"""
from __future__ import annotations

import json
import random
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from wugu import cnformats as cn

import cnfixture
from conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "cnformats.json"
CN_JS = ROOT / "src" / "wugu" / "templates" / "site" / "assets" / "wugu" / "fill" / "cn-formats.js"
CHECK_JS = ROOT / "tests" / "js" / "cnformats_check.js"


def _cases(n: int = 3000, seed: int = 14) -> list[str]:
    """Strings near the edges of every rule: good and broken ID numbers, phones and dates, odd characters."""
    rnd = random.Random(seed)
    out: list[str] = []
    for _ in range(n // 6):
        born = date(1890, 1, 1) + timedelta(days=rnd.randrange(0, 365 * 220))
        body = f"9999{rnd.randrange(100):02d}{born:%Y%m%d}{rnd.randrange(1000):03d}"
        good = body + cn.id_check_digit(body)
        i = rnd.randrange(18)
        out += [good, good.lower(), good[:i] + str(rnd.randrange(10)) + good[i + 1:], good + "\n", " " + good,
                good.translate(str.maketrans("0123456789", "０１２３４５６７８９"))]
    for _ in range(n // 6):
        mobile = f"1{rnd.randrange(10)}{rnd.randrange(10**9):09d}"
        out += [mobile, mobile[:-1], mobile + "\n", f"0{rnd.randrange(10, 1000)}-{rnd.randrange(10**7, 10**8)}",
                f"0{rnd.randrange(10, 100)}{rnd.randrange(10**6, 10**9)}-{rnd.randrange(1, 10**6)}", mobile + "\u00a0"]
    seps = ["-", "/", ".", "年", " 年 ", "－", ""]
    for _ in range(n // 6):
        y, m, d = rnd.randrange(1880, 2120), rnd.randrange(0, 14), rnd.randrange(0, 33)
        a, b = rnd.choice(seps), rnd.choice(seps)
        tail = "日" if a.strip() == "年" and rnd.random() < .7 else rnd.choice(["", "日", " ", "\n"])
        out += [f"{y}{a}{m}{b.replace('年', '月')}{d}{tail}", f"{y:04d}-{m:02d}-{d:02d}", f"{y}-{m}-{d}T"]
    out += ["", "无", "X", "1", "12", "123", "1234", "\u3000123456789\u3000", "２０２６-01-05", "2026-0１-05", "\t\n"]
    return out


def _python_answers(cases: list[str]) -> list[list[object]]:
    return [[cn.id_number_problem(s), cn.valid_mobile(s), cn.valid_phone(s), cn.normalize_date(s), cn.mask(s)]
            for s in cases]


def _run_js(tmp_path: Path, cases: list[str]) -> dict:
    """The JavaScript side's report: fixture failures and its answers for ``cases``."""
    cases_file = tmp_path / "cases.json"
    cases_file.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    node = shutil.which("node") or shutil.which("nodejs")
    if node:
        run = subprocess.run([node, str(CHECK_JS), str(CN_JS), str(cnfixture.write(tmp_path)), str(cases_file)], capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)
    from cdp import Browser
    from test_site_browser import CHROMIUM

    if CHROMIUM is None:
        pytest.skip("neither Node nor Chromium is installed: the JavaScript side cannot run")
    browser = Browser(CHROMIUM, tmp_path / "profile")
    try:
        page = browser.page()
        source = CN_JS.read_text(encoding="utf-8") + "\n" + CHECK_JS.read_text(encoding="utf-8")
        page.js(source)
        return page.js(f"wuguFormatReport(WuguFormats, {json.dumps(cnfixture.load(), ensure_ascii=False)}, {json.dumps(cases)})")
    finally:
        browser.close()


def test_javascript_passes_the_shared_fixture_and_agrees_with_python(tmp_path):
    cases = _cases()
    report = _run_js(tmp_path, cases)
    assert report["checked"] and report["failures"] == []
    python = _python_answers(cases)
    differ = [(s, p, j) for s, p, j in zip(cases, python, report["answers"]) if p != j]
    assert not differ, f"{len(differ)} of {len(cases)} answers differ; first: {differ[:5]!r}"


def test_the_fixture_covers_every_rule_and_kind_of_failure():
    data = cnfixture.load()
    assert {c["why"] for c in data["id_number"]["invalid"]} == {"shape", "birth", "check"}
    assert all(v.startswith("999") for v in data["id_number"]["valid"])  # a region that does not exist
    assert data["mobile"]["invalid"] and data["phone"]["invalid"] and data["date"]["invalid"] and data["mask"]

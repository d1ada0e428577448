"""The fill page checks the rules within a record that `wugu records check` checks (age and consent on WG-F04), in a
real browser from file://, with the same wording: the rules come with the published record schema.

Every value typed is fictional and made at run time (``records_sample``).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import run_wugu
from records_sample import fake_id
from test_fill_browser import Fill, _outside, _shots, browser, site  # noqa: F401  (module fixtures)
from test_site_browser import CHROMIUM

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh installs it)")


def _rule_texts(fill: Fill) -> dict[str, str]:
    """Field → the rule messages the page shows for it (E732/E733, from the published rules)."""
    out: dict[str, str] = {}
    for p in fill.problems():
        if p.get("code"):
            out[p["target"]] = (out.get(p["target"], "") + "；" + p["text"]).strip("；")
    return out


def test_f04_rules_checked_as_you_type_like_the_records_check(site, browser, tmp_path: Path):  # noqa: F811
    from datetime import date

    fill = Fill(browser, site, "F04")
    born = date(2012, 3, 2)                       # 14 on the survey date below
    fill.text("birth_date", "2012-03-02")
    fill.text("survey_date", "2026-10-08")
    fill.choose("aged_14", "false")
    assert "与出生日期不符：调查日期时孩子已满 14 周岁" in fill.error("aged_14")
    assert fill.page.js("document.querySelector('#wg-aged_14').getAttribute('aria-invalid')") == "true"
    summary = fill.page.js("document.querySelector('.wg-fill__summary').innerText")
    assert "与出生日期不符" in summary and "2012" not in summary   # the rule names the field, never the value
    fill.text("id_number", fake_id(date(2012, 3, 3), 5))  # a valid number of another birth date
    assert "与身份证号里的出生日期不一致" in fill.error("birth_date")
    shown = _rule_texts(fill)
    assert {"aged_14", "birth_date"} <= set(shown)
    _shots(fill, "F04-rules")

    # the same record through `wugu records check`: the same rules (the age rules of this edition's consent
    # section too), the same words
    record = fill.record()
    path = tmp_path / "WG-F04-rules.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    checked = run_wugu("records", "check", str(path))
    found = [m.groups() for m in (re.search(r"·(.+?): error (E73[23]): (.+?) — ", ln)
                                  for ln in checked.stdout.splitlines()) if m]
    assert {code for _, code, _ in found} == {"E732", "E733"}, checked.stdout
    assert len(found) == len(sum((t.split("；") for t in shown.values()), [])), (found, shown)
    for _, _, what in found:
        assert any(what in text for text in shown.values()), (what, shown)

    # put right, every rule message goes away
    fill.choose("aged_14", "true")
    fill.text("id_number", fake_id(born, 5))
    for key in shown:
        if key not in ("aged_14", "birth_date"):   # the consent tick this edition asks of a child of 14
            if fill.page.js(f"!!document.querySelector('input[name=\"{key}\"][value=\"true\"]')"):
                fill.choose(key, "true")
            else:
                fill.tick(key)
    assert _rule_texts(fill) == {}
    assert fill.error("aged_14") == "" and fill.error("birth_date") == ""
    assert _outside(fill.requests()) == []

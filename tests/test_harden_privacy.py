"""Hardening, class 4: the privacy scan normalises before matching and covers everything that is published.

Every ID, mobile and card number here is generated at run time (never stored in the repository) and attacks
the real CLI on a copy of the shipped content.
"""
from __future__ import annotations

import json
import re

import yaml

from wugu.validate.privacy import luhn, valid_id_number

from conftest import copy_project, run_wugu

FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _id() -> str:
    body = "11010120000101" + "123"
    return next(body + c for c in "0123456789X" if valid_id_number(body + c))


def _card() -> str:
    body = "6222" + "0000" + "1234" + "567"
    return next(body + d for d in "0123456789" if luhn(body + d))


MOBILE = "13" + "8" + "0013" + "8000"


def _variants() -> list[tuple[str, str]]:
    """(code, disguised number) — each a way people write numbers that a plain regex misses."""
    i, c, m = _id(), _card(), MOBILE
    return [
        ("E402", m.translate(FULL)),                                  # full-width digits
        ("E402", f"{m[:3]}.{m[3:7]}.{m[7:]}"),                        # dots
        ("E402", f"{m[:3]}．{m[3:7]}．{m[7:]}"),                      # full-width dots
        ("E402", f"{m[:3]}—{m[3:7]}－{m[7:]}"),                       # other dashes
        ("E402", "\u200b".join(m)),                                  # zero-width spaces between digits
        ("E402", f"{m[:3]}\u3000{m[3:7]}\u3000{m[7:]}"),              # full-width spaces
        ("E402", f"{m[:4]} {m[4:7]} {m[7:]}"),                        # irregular grouping
        ("E402", f"+86 {m[:2]} {m[2:6]} {m[6:]}"),                    # country code, odd grouping
        ("E401", i.translate(FULL)),
        ("E401", f"{i[:6]} {i[6:14]} {i[14:]}"),
        ("E401", f"{i[:3]}\u200c{i[3:10]}\u2060{i[10:]}"),
        ("E403", " ".join(c[k:k + 4] for k in range(0, len(c), 4))),
        ("E403", "-".join(c[k:k + 3] for k in range(0, len(c), 3)).translate(FULL)),
    ]


def test_disguised_numbers_are_found_everywhere_they_are_published(tmp_path):
    project = copy_project(tmp_path / "p")
    variants = _variants()
    # a hand-written page under site/, one disguised number per line
    page = "# 联系方式\n\n" + "".join(f"- 联系人 {i}：{v}\n" for i, (_code, v) in enumerate(variants))
    (project / "site" / "contacts.md").write_text(page, encoding="utf-8")
    # the text of mkdocs.yml (shown on every page)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"copyright: 值班电话 {MOBILE[:3]}\u3000{MOBILE[3:]}\n",
                      encoding="utf-8")
    # the profile: only the office phone is exempt, not the whole contact block
    profile = project / "wugu.yml"
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    data.setdefault("contact", {})["phone"] = "0539-0000001"  # the office landline: exempt (a mobile there is E214)
    data["contact"]["hours"] = f"值班手机 {MOBILE.translate(FULL)}"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # YAML content
    reg = next((project / "regulations").glob("R02-*.yml"))
    text = reg.read_text(encoding="utf-8")
    disguised = f"{_id()[:6]}\u3000{_id()[6:]}"
    reg.write_text(re.sub(r"^(purpose: .*?)$", lambda m: m.group(1) + disguised, text, count=1, flags=re.M),
                   encoding="utf-8")

    result = run_wugu("check", str(project), "--format", "json")
    assert result.returncode == 1, result.stdout
    problems = json.loads(result.stdout)["problems"]
    # (zero-width characters on a page are also refused as such, E116 — the number behind them is still found)
    by_place = {(p["path"], p["line"]): p["code"] for p in problems if p["code"] != "E116"}
    for n, (code, _v) in enumerate(variants):
        assert by_place.get(("site/contacts.md", 3 + n)) == code, (n, _v, by_place)
    config_line = len(config.read_text(encoding="utf-8").splitlines())
    assert by_place.get(("mkdocs.yml", config_line)) == "E402"
    assert [p["code"] for p in problems if p["path"].endswith("wugu.yml")] == ["E402"]  # hours, not phone
    assert any(p["path"].startswith("regulations/R02") and p["code"] == "E401" for p in problems)
    # never echoed in full
    for number in (MOBILE, _id(), _card()):
        assert number not in result.stdout


def test_ordinary_numbers_are_not_personal_data(tmp_path):
    project = copy_project(tmp_path / "p")
    page = ("# 数字\n\n日期 2026-12-01，版本 2026.1，电话 0539-0000000，时间 9:00—17:00，"
            "第 1、2、3 条，编号 WG-F04，共 138 人，金额 1,380,013.80 元，文号 民发〔2019〕62号。\n\n"
            # over several lines (a paragraph's lines are read joined, as Markdown shows them)
            "2019\n2020\n2021\n2022\n\n"                                   # years on consecutive lines
            "第 1204 条\n第 1205 条\n1204\n1204\n1204\n1204\n1204\n\n"       # article numbers, the 1204 method
            "2026-12-01\n2026-12-02\n2026-12-03 9:00—17:00\n\n"             # dates
            "共 138 人\n0931 户\n4522 元\n\n"                               # counts
            "| 年份 | 人数 |\n| --- | --- |\n| 2019 | 1380 |\n| 2020 | 1390 |\n| 2021 | 1400 |\n\n"  # a table's rows
            "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n\n"
            "139\n\n0931\n\n4522\n\n"                                       # separate paragraphs
            "一二三四五六七八九十，第一二三条，二〇二六年十二月\n")
    (project / "site" / "numbers.md").write_text(page, encoding="utf-8")
    result = run_wugu("check", str(project), "--strict")
    assert result.returncode == 0, result.stdout

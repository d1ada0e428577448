"""Issue 12, eighth attack round (r12 attacker review 5): published text files are plain UTF-8 (ISO-2022-JP and
other encodings hid an outside load and a mobile number from every scan), and a hand-written page's numbers are
read as the page shows them (a Markdown link split a number for the scan of the source, not on the page).
Every ID- or mobile-like number is made at run time (never stored in the repository).
"""
from __future__ import annotations

from datetime import date

from conftest import copy_project
from records_sample import fake_id, fake_mobile
from test_harden_attack4 import _problems


# ---- NEW-14: a link, an empty link or a tag over two lines splits a number in the source, not on the page -----

def test_numbers_split_by_links_or_tags_are_found_at_the_line_they_start(tmp_path):
    project = copy_project(tmp_path / "p")
    m, i = fake_mobile("139"), fake_id(date(1985, 3, 17))
    cases = {
        "a": ("E402", f"手机 {m[:7]}[{m[7:]}](#x)"),
        "b": ("E401", f"身份证 {i[:12]}[{i[12:]}](#x)"),
        "c": ("E402", f"引用式 {m[:7]}[{m[7:]}][r]\n\n[r]: #x"),
        "d": ("E402", f"分开 {m[:3]} [{m[3:7]}](#x) {m[7:]}"),
        "e": ("E402", f"空链接 {m[:7]}[](#x){m[7:]}"),
        "f": ("E402", f"标签 {m[:7]}<span\ntitle=\"q\">{m[7:]}</span>"),
    }
    for name, (_code, body) in cases.items():
        # a line before it holds the number's first three digits: the problem is said where the number starts
        (project / "site" / f"{name}.md").write_text(f"# 页 {name}\n\n第 {m[:3]} 号\n\n{body}\n", encoding="utf-8")
    (project / "site" / "ok.md").write_text(f"# 页\n\n编号 {m[:7]}[第二条](#x) {m[7:]} 号\n", encoding="utf-8")
    found = sorted((p["path"], p["code"], p["line"]) for p in _problems(project))
    assert found == sorted((f"site/{name}.md", code, 5) for name, (code, _b) in cases.items()), found
    assert not any(m in p["message"] or i in p["message"] for p in _problems(project))


def test_a_number_in_a_link_address_or_tooltip_is_still_found(tmp_path):
    project = copy_project(tmp_path / "p")
    m = fake_mobile("139")
    (project / "site" / "t.md").write_text(f"# 页\n\n[电话](tel:{m})\n\n说明<span title=\"{m}\">提示</span>\n",
                                           encoding="utf-8")
    found = [(p["path"], p["code"], p["line"]) for p in _problems(project)]
    assert found == [("site/t.md", "E402", 3), ("site/t.md", "E402", 5)], found

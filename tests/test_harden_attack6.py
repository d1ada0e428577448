"""Issue 12, sixth attack round (r12 attacker review 4): numbers read as they are published (a paragraph's lines
joined, table cells, long runs of one separator, 0086, digits of other scripts, 大写 numerals); records and answer
keys kept out of the real docs folder and refused when copied into it; theme features that emit script addresses.
Every ID- or mobile-like number is made at run time (never stored in the repository).
"""
from __future__ import annotations

import json
from datetime import date

from conftest import copy_project, run_wugu
from records_sample import fake_id
from test_harden_attack4 import _problems


def _mobile() -> str:
    return "1" + "39" + "0931" + "4522"


def _id() -> str:
    return fake_id(date(1985, 3, 17))


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# ---- NEW-1: the privacy scan reads text as it is published --------------------------------------------------

def _digits(number: str, script: str) -> str:
    return number.translate(str.maketrans("0123456789", script))


def _odd_numbers() -> list[tuple[str, str, str]]:
    """(code, how it is written, a needle on the line where it starts) — one paragraph each."""
    m, i = _mobile(), _id()
    groups = (m[:3], m[3:7], m[7:])
    return [
        ("E401", f"身份证号是 {i[:6]}\n{i[6:]}，", "身份证号是"),                     # split over two lines
        ("E402", f"手机 {m[:7]}\n{m[7:]}。", "手机 "),
        ("E402", f"尾号分行：{m[:10]}\n{m[10:]}", "尾号分行："),
        ("E402", f"> 引用：{m[:3]} {m[3:7]}\n> {m[7:]}", "引用："),                   # a quote's lines
        ("E402", f"国际：0086{m}", "国际："),                                           # 0086 written solid
        ("E402", f"国际二：00 86 {m[:3]} {m[3:]}", "国际二："),
        ("E402", "四个空格：" + ("\u00a0" * 4).join(groups), "四个空格："),
        ("E402", "全角空格：" + ("\u3000" * 4).join(groups), "全角空格："),
        ("E402", "横线：" + "----".join(groups), "横线："),
        ("E402", "点：" + "....".join(groups), "点："),
        ("E402", "| 甲 | 乙 | 丙 |\n| --- | --- | --- |\n| " + " | ".join(groups) + " |", "| ---"),  # a table row
        ("E402", "大写：" + _digits(m, "零壹贰叁肆伍陆柒捌玖"), "大写："),
        ("E402", "幺：幺三九 " + _digits(m[3:], "〇一二三四五六七八九"), "幺："),
        ("E402", "阿拉伯文数字：" + _digits(m, "٠١٢٣٤٥٦٧٨٩"), "阿拉伯文数字："),
        ("E402", "天城文数字：" + _digits(m, "०१२३४५६७८९"), "天城文数字："),
        ("E402", f"方向符：{m[:3]}\u200e{m[3:]}", "方向符："),
    ]


def test_numbers_split_over_lines_or_written_oddly_are_found_at_the_line_they_start(tmp_path):
    project = copy_project(tmp_path / "p")
    cases = _odd_numbers()
    page = "# 联系\n\n" + "\n\n".join(text for _code, text, _needle in cases) + "\n"
    (project / "site" / "lianxi.md").write_text(page, encoding="utf-8")
    # a clause's text as a literal block (its lines are kept; Markdown joins them on the page)
    m, i = _mobile(), _id()
    reg = project / "regulations" / "R01-organization.yml"
    text = reg.read_text(encoding="utf-8")
    block = f"    text: |-\n      联系人身份证 {i[:6]}\n      {i[6:]}，手机 {m[:7]}\n      {m[7:]}。\n      服务团是"
    reg.write_text(text.replace("    text: 服务团是", block, 1), encoding="utf-8")
    written = reg.read_text(encoding="utf-8")

    result = run_wugu("check", str(project), "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    problems = json.loads(result.stdout)["problems"]
    # (the direction mark on the page is refused as such too, E116: the number behind it is still found)
    found = sorted((p["line"], p["code"]) for p in problems if p["path"] == "site/lianxi.md" and p["code"] != "E116")
    expected = sorted({(_line(page, needle) + (1 if needle == "| ---" else 0), code) for code, _t, needle in cases})
    assert found == expected, (found, expected)
    in_yaml = sorted((p["line"], p["code"]) for p in problems if p["path"].startswith("regulations/"))
    assert in_yaml == [(_line(written, "联系人身份证"), "E401"), (_line(written, f"，手机 {m[:7]}"), "E402")]
    for number in (m, i):
        assert number not in result.stdout  # never echoed in full
    # wugu build refuses the same content (it checks first): nothing is published
    built = run_wugu("build", str(project), "--no-pdf", "--out", str(tmp_path / "out"))
    assert built.returncode == 1 and "E401" in built.stderr and not (tmp_path / "out").exists()

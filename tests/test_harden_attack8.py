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


# ---- NEW-13: every published text file is plain UTF-8 without control characters --------------------------------

def test_published_text_in_another_encoding_or_with_control_characters_is_refused_at_its_line(tmp_path):
    project = copy_project(tmp_path / "p")
    site = project / "site"
    (site / "css").mkdir()
    m = fake_mobile("139")
    jp = "テスト電話番号です".encode("iso-2022-jp")  # its ESC ( B sequences vanish when decoded
    # ISO-2022-JP: an outside load split by ESC ( B (a browser honours the @charset), a number in a .txt
    (site / "css" / "x.css").write_bytes(b'@charset "ISO-2022-JP";\nbody{background:u\x1b(Brl(http://127.0.0.1:9/j.png)}\n')
    (site / "n.txt").write_bytes(b"plain\n" + jp + f" {m[:3]}\x1b(B{m[3:7]}\x1b(B{m[7:]}\n".encode())
    # other control characters (C0 and C1) and text in GBK, in each kind of published text file
    (site / "c1.csv").write_bytes("姓名,备注\n甲,ok\u0085\n".encode("utf-8"))
    (site / "bell.json").write_bytes(b'{"a": 1,\n "b": "\x07"}\n')
    (site / "gbk.xml").write_bytes("<a>普通文字</a>\n".encode("gbk"))
    (site / "gbk.md").write_bytes("# 页\n\n普通文字\n".encode("gbk"))
    (site / "rlo.txt").write_text("尾号\u202e2254\n", encoding="utf-8")
    # a stylesheet declaring another encoding, even written in UTF-8, is read by the browser in that encoding
    (site / "css" / "sjis.css").write_text('@charset "Shift_JIS";\nbody { color: #333 }\n', encoding="utf-8")
    # fine: UTF-8 (with or without its BOM), tabs and Windows line ends, a UTF-8 @charset
    (site / "fine.txt").write_bytes("普通\t文字\r\n第二行\r\n".encode("utf-8-sig"))
    (site / "css" / "ok.css").write_text('@charset "UTF-8";\nbody { color: #333 }\n', encoding="utf-8")
    found = sorted((p["path"], p["code"], p["line"], p["column"]) for p in _problems(project))
    assert found == [("site/bell.json", "E116", 2, 8), ("site/c1.csv", "E116", 2, 5),
                     ("site/css/sjis.css", "E213", 1, 1), ("site/css/x.css", "E116", 2, 18),
                     ("site/gbk.md", "E107", 3, 1), ("site/gbk.xml", "E107", 1, 4),
                     ("site/n.txt", "E116", 2, 1), ("site/rlo.txt", "E116", 1, 3)], found
    css = next(p for p in _problems(project) if p["path"] == "site/css/sjis.css")
    assert "Shift_JIS" in css["message"] and "UTF-8" in css["fix"]


def test_a_gbk_csv_is_published_as_excel_saves_it_and_scanned_as_gbk(tmp_path):
    project = copy_project(tmp_path / "p")
    m = fake_mobile("139")
    (project / "site" / "名录.csv").write_bytes("单位,说明\n县图书馆,周一闭馆\n".encode("gbk"))
    # a full-width space between the groups: \xa1\xa1 in GBK, shown by Excel as a space
    (project / "site" / "电话.csv").write_bytes(f"单位,电话\n某站,{m[:3]}\u3000{m[3:7]}\u3000{m[7:]}\n".encode("gbk"))
    found = sorted((p["path"], p["code"], p["line"]) for p in _problems(project))
    assert found == [("site/电话.csv", "E402", 2)], found


# ---- NEW-21: CSS comments are found as the browser finds them (an escape never opens one, a string holds none) --

def test_a_comment_only_wugu_would_see_does_not_hide_an_outside_load(tmp_path):
    from wugu.validate.pages import css_outside

    load = "body{background:url(http://127.0.0.1:9/e.png)}"
    for css in (f"a{{color:red}}\nx/\\*{{}}\n{load}\n/* c */\n", f"x\\/*{{}}{load}/* c */",
                f'a{{content:"/*"}}{load}/* */', f"a{{content:'/*'}}{load}/* */"):
        assert css_outside(css) == "url(http:", css
    for css in ("/* url(http://127.0.0.1:9/x) */ a{}", 'a{content:"*/"} /* url(//x) */', "/* url(//x)",
                "a/b/*x*/c{color:red}"):
        assert css_outside(css) is None, css
    project = copy_project(tmp_path / "p")
    (project / "site" / "x.css").write_text(f"a{{color:red}}\nx/\\*{{}}\n{load}\n/* c */\n", encoding="utf-8")
    found = [(p["path"], p["code"], p["line"]) for p in _problems(project)]
    assert found == [("site/x.css", "E213", 3)], found


# ---- NEW-18: what attr_list reads in quadratic time inside one C call is refused before Markdown sees it -----

def test_a_heading_of_many_braces_is_e531_at_once(tmp_path):
    project = copy_project(tmp_path / "p")
    (project / "site" / "h.md").write_text("# 页\n\n正文\n\n## x" + " {a" * 60000 + "\n\n正文\n", encoding="utf-8")
    (project / "site" / "ok.md").write_text("# 页 {#top}\n\n" + "## 节 {#s}\n\n正文 {: .x }\n\n" * 30,
                                            encoding="utf-8")
    found = [(p["path"], p["code"], p["line"]) for p in _problems(project)]  # said at once (it took minutes)
    assert found == [("site/h.md", "E531", 5)], found


# ---- NEW-22: file and folder names are published too (a page's title, the address) --------------------------

def test_numbers_in_file_and_folder_names_under_site_are_found(tmp_path):
    project = copy_project(tmp_path / "p")
    m, i = fake_mobile("139"), fake_id(date(1985, 3, 17))
    (project / "site" / f"张某某{m}.md").write_text("正文没有标题。\n", encoding="utf-8")
    folder = project / "site" / i
    folder.mkdir()
    (folder / "index.md").write_text("# a\n\n正文\n", encoding="utf-8")
    (folder / "b.md").write_text("# b\n\n正文\n", encoding="utf-8")
    (project / "site" / "2026-03-17.md").write_text("# 日期\n\n正文\n", encoding="utf-8")  # a date is no number
    problems = _problems(project)
    found = sorted((p["path"].split("/")[1], p["code"]) for p in problems)  # the folder's number said once
    assert found == [(f"{i[:3]}{'*' * 13}{i[-2:]}", "E401"), (f"张某某{m[:3]}******{m[-2:]}.md", "E402")], found
    assert not any(m in str(p) or i in str(p) for p in problems)  # not echoed in full, not even in the path


# ---- NEW-19: a pass mark is read whole (80.5 is not 5) -------------------------------------------------------

def test_a_decimal_pass_mark_is_e551_not_read_as_its_last_digits(tmp_path):
    for old, new in (("总分 80 分", "总分 80.5 分"), ("满分 100 分", "满分 100.5 分")):
        project = copy_project(tmp_path / new)
        facts = project / "facts.yml"
        text = facts.read_text(encoding="utf-8")
        assert old in text
        facts.write_text(text.replace(old, new, 1), encoding="utf-8")
        found = [(p["path"], p["code"]) for p in _problems(project)]
        assert found == [("facts.yml", "E551")], (new, found)


# ---- NEW-15: the rows of one record's table are capped before they are checked or printed ---------------------

def test_a_record_table_of_too_many_rows_is_e557_at_the_field_and_nothing_is_printed(tmp_path):
    import json

    from conftest import run_wugu
    from records_sample import f07

    from wugu.records.check import MAX_TABLE_ROWS

    big = f07()
    big["participants"] = [{"name": "李某某", "role": "结对志愿者", "volunteer_no": "V-0001"}] * 20000
    empty = {"form": "WG-F07", "version": big["version"], "participants": [{}] * 5000}  # (past 20 000: E562)
    (tmp_path / "big.json").write_text(json.dumps([big, empty], ensure_ascii=False), encoding="utf-8")
    checked = run_wugu("records", "check", str(tmp_path / "big.json"), "--format", "json")
    found = [(p["code"], p.get("where", "")) for p in json.loads(checked.stdout)["problems"]]
    assert checked.returncode == 1 and [c for c, _w in found] == ["E557", "E557"], checked.stdout[:2000]
    printed = run_wugu("records", "pdf", str(tmp_path / "big.json"), "--out", str(tmp_path / "out"))
    assert printed.returncode == 1 and "E557" in printed.stdout + printed.stderr
    assert not list((tmp_path / "out").glob("*.pdf")) if (tmp_path / "out").exists() else True
    ok = f07()
    ok["participants"] = ok["participants"][:1] * MAX_TABLE_ROWS
    (tmp_path / "ok.json").write_text(json.dumps([ok], ensure_ascii=False), encoding="utf-8")
    assert "E557" not in run_wugu("records", "check", str(tmp_path / "ok.json")).stdout


# ---- NEW-16 (the answer key): re-saved through another PDF tool, a key is still known by what it prints ---------

def test_an_answer_key_resaved_without_its_keywords_is_still_e550(tmp_path):
    import shutil
    import subprocess

    import pytest

    from conftest import run_wugu

    if shutil.which("pdftocairo") is None:
        pytest.skip("pdftocairo (poppler-utils) is not installed")
    project = copy_project(tmp_path / "p")
    exam = run_wugu("exam", "--seed", "1", "--count", "20", "--out", str(tmp_path / "exam"), cwd=project)
    assert exam.returncode == 0, exam.stderr
    for kind in ("key", "paper", "sheet"):  # as “打印为 PDF” or a compressing tool saves it: the document info is gone
        subprocess.run(["pdftocairo", "-pdf", str(tmp_path / "exam" / f"exam-A-{kind}.pdf"),
                        str(project / "site" / f"{kind}.pdf")], check=True, timeout=60)
    found = sorted((p["path"], p["code"]) for p in _problems(project))
    assert found == [("site/key.pdf", "E550")], found  # the paper and the answer sheet may be shared


# ---- NEW-17: an output folder that cannot be written is E505 (exit 2), not an internal error ------------------

def test_records_commands_say_an_unwritable_output_folder_plainly(tmp_path):
    import json
    import os

    from conftest import run_wugu
    from records_sample import f07

    (tmp_path / "r.json").write_text(json.dumps([f07()], ensure_ascii=False), encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        targets = ["/proc/sys", "/sys/kernel/x"] + ([] if os.geteuid() == 0 else [str(locked / "out")])
        for out in targets:
            for args in (("records", "template", "--out", out), ("records", "pdf", str(tmp_path / "r.json"), "--out", out),
                         ("records", "stats", "--month", "2026-11", str(tmp_path / "r.json"), "--out", out)):
                result = run_wugu(*args)
                assert result.returncode == 2 and "E505" in result.stderr, (args, result.stderr)
                assert "E524" not in result.stderr and "Traceback" not in result.stderr
        assert not (locked / "out").exists()
    finally:
        locked.chmod(0o700)


# ---- NEW-20: the versions of one exam are capped (a command-line value is untrusted in CI) ----------------------

def test_too_many_exam_versions_are_e558_before_anything_is_made(tmp_path):
    from conftest import run_wugu

    from wugu.exam import MAX_VERSIONS, parse_versions

    names = ",".join(f"V{i}" for i in range(MAX_VERSIONS + 1))
    result = run_wugu("exam", "--seed", "1", "--count", "10", "--versions", names, "--out", str(tmp_path / "ex"))
    assert result.returncode == 2 and "E558" in result.stderr, result.stderr
    assert not list(tmp_path.glob("ex/*.pdf"))
    assert len(parse_versions(",".join(f"V{i}" for i in range(MAX_VERSIONS)))) == MAX_VERSIONS

"""Issue 12, sixth attack round (r12 attacker review 4): numbers read as they are published (a paragraph's lines
joined, table cells, long runs of one separator, 0086, digits of other scripts, 大写 numerals); records and answer
keys kept out of the real docs folder and refused when copied into it; theme features that emit script addresses.
Every ID- or mobile-like number is made at run time (never stored in the repository).
"""
from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

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
        ("E402", "<table><tr><td>网页表格</td><td>" + "</td>\n<td class=\"n\">".join(groups) + "</td></tr></table>",
         "网页表格"),                                                                        # an HTML table row
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
    other = "1" + "37" + "0000" + "1111"
    block = (f"    text: |-\n      联系人身份证 {i[:6]}\n      {i[6:]}，手机 {m[:7]}\n      {m[7:]}。\n\n"
             f"      备用 {other[:3]}\n\n      {other[3:]}\n      服务团是")  # a blank line too: one line on the page
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
    assert in_yaml == [(_line(written, "联系人身份证"), "E401"), (_line(written, f"，手机 {m[:7]}"), "E402"),
                       (_line(written, f"备用 {other[:3]}"), "E402")]
    for number in (m, i):
        assert number not in result.stdout  # never echoed in full
    # wugu build refuses the same content (it checks first): nothing is published
    built = run_wugu("build", str(project), "--no-pdf", "--out", str(tmp_path / "out"))
    assert built.returncode == 1 and "E401" in built.stderr and not (tmp_path / "out").exists()


# ---- NEW-2: records and exam papers are never written into the docs folder mkdocs.yml names ---------------------

def _renamed_docs(tmp_path) -> "Path":
    project = copy_project(tmp_path / "p")
    (project / "site").rename(project / "pages")
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    assert "docs_dir: site " in text
    (project / "mkdocs.yml").write_text(text.replace("docs_dir: site ", "docs_dir: pages"), encoding="utf-8")
    return project


def test_records_exam_papers_and_the_site_are_not_written_into_a_renamed_docs_folder(tmp_path):
    from records_sample import f07

    project = _renamed_docs(tmp_path)
    (project / "act.json").write_text(json.dumps(f07(), ensure_ascii=False), encoding="utf-8")
    for out in ("pages/存档", "pages"):
        result = run_wugu("records", "pdf", "act.json", "--out", out, cwd=project)
        assert result.returncode == 2 and "E743" in result.stderr, result.stdout + result.stderr
    assert not (project / "pages" / "存档").exists() and not list((project / "pages").glob("*.pdf"))
    exam = run_wugu("exam", "--seed", "1", "--count", "20", "--out", "pages/exam", cwd=project)
    assert exam.returncode == 2 and "E511" in exam.stderr, exam.stdout + exam.stderr
    assert not (project / "pages" / "exam").exists()
    built = run_wugu("build", str(project), "--no-pdf", "--out", str(project / "pages" / "out"))
    assert built.returncode == 2 and "E511" in built.stderr and not (project / "pages" / "out").exists()
    # outside the project they are written as before
    done = run_wugu("records", "pdf", "act.json", "--out", str(tmp_path / "archive"), cwd=project)
    assert done.returncode == 0 and len(list((tmp_path / "archive").glob("*.pdf"))) == 1, done.stderr


# ---- NEW-3: wugu's own filled-record PDFs and answer keys are refused in the docs folder -----------------------

def test_filled_record_pdfs_and_answer_keys_copied_into_the_site_are_refused(tmp_path, pdf_build):
    from records_sample import f07

    project = copy_project(tmp_path / "p")
    (project / "act.json").write_text(json.dumps([f07(), f07(child="小红")], ensure_ascii=False), encoding="utf-8")
    one = run_wugu("records", "pdf", "act.json", "--out", str(tmp_path / "one"), cwd=project)
    joined = run_wugu("records", "pdf", "act.json", "--combined", "--out", str(tmp_path / "joined"), cwd=project)
    exam = run_wugu("exam", "--seed", "1", "--count", "20", "--out", str(tmp_path / "exam"), cwd=project)
    assert one.returncode == joined.returncode == exam.returncode == 0, one.stderr + joined.stderr + exam.stderr
    site = project / "site"
    (site / "走访.pdf").write_bytes(next((tmp_path / "one").glob("*.pdf")).read_bytes())
    (site / "全部走访.pdf").write_bytes(next((tmp_path / "joined").glob("*.pdf")).read_bytes())
    (site / "答案.pdf").write_bytes((tmp_path / "exam" / "exam-A-key.pdf").read_bytes())
    (site / "试卷.pdf").write_bytes((tmp_path / "exam" / "exam-A-paper.pdf").read_bytes())  # a paper may be shared
    _project, downloads, _result, _seconds = pdf_build
    blank = next(downloads.glob("WG-F07*.pdf"))
    (site / "空白走访记录表.pdf").write_bytes(blank.read_bytes())  # the blank form: published as ever

    result = run_wugu("check", str(project), "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    found = sorted((p["path"], p["code"]) for p in json.loads(result.stdout)["problems"])
    assert found == [("site/全部走访.pdf", "E742"), ("site/答案.pdf", "E550"), ("site/走访.pdf", "E742")], found
    message = next(p for p in json.loads(result.stdout)["problems"] if p["code"] == "E550")
    assert "答案与解析" in message["message"] and "build/exam" in message["fix"]
    built = run_wugu("build", str(project), "--no-pdf", "--out", str(tmp_path / "out"))
    assert built.returncode == 1 and "E550" in built.stderr and not (tmp_path / "out").exists()


# ---- NEW-4: theme features — an allow-list; every allowed one builds clean ---------------------------------

def test_theme_features_that_emit_script_addresses_or_break_offline_are_refused_at_their_lines(tmp_path):
    project = copy_project(tmp_path / "p")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "    - toc.follow\n" in text
    text = text.replace("    - toc.follow\n", "    - toc.follow\n    - search.share\n    - navigation.instant\n"
                                              "    - navigation.instant.prefetch\n    - nosuch.feature\n")
    config.write_text(text, encoding="utf-8")
    problems = _problems(project)
    assert {p["code"] for p in problems} == {"E520"}, problems
    lines = {p["line"]: p["message"] for p in problems}
    for needle, why in (("search.share", "javascript:"), ("navigation.instant\n", "file://"),
                        ("navigation.instant.prefetch", "file://"), ("nosuch.feature", "没有这个功能")):
        line = _line(text, needle.strip()) if not needle.endswith("\n") else \
            next(n for n, x in enumerate(text.splitlines(), 1) if x.strip() == "- " + needle.strip())
        assert why in lines.get(line, ""), (needle, problems)


@pytest.fixture(scope="module")
def featured_site(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The handbook built once with every allowed theme feature on."""
    import yaml

    from wugu.validate.siteallow import THEME_FEATURES

    base = tmp_path_factory.mktemp("featured")
    project = copy_project(base / "p")
    config = project / "mkdocs.yml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["theme"]["features"] = sorted(THEME_FEATURES)
    data["repo_url"] = "https://github.com/example/handbook"  # content.action.edit / view have something to link
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = base / "out"
    return out, run_wugu("build", str(project), "--no-pdf", "--out", str(out))


def test_every_allowed_theme_feature_builds_without_script_addresses(featured_site):
    from wugu.validate.siteallow import THEME_FEATURES

    out, result = featured_site
    assert result.returncode == 0 and "E530" not in result.stderr, result.stdout + result.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'"{name}"' in index for name in THEME_FEATURES)  # each was on in the built site
    assert "javascript:" not in index


# ---- NEW-1 (a): numbers glued together from facts are read with the facts filled in ---------------------------

def test_a_number_glued_from_facts_is_found_at_the_text_that_uses_them(tmp_path):
    project = copy_project(tmp_path / "p")
    m, i, other = _mobile(), _id(), "1" + "37" + "0000" + "1111"
    facts = project / "facts.yml"
    facts.write_text(facts.read_text(encoding="utf-8") + "".join(
        f'  - name: {name}\n    value: "{value}"\n    sources: [{{kind: handbook, title: 本手册拟定}}]\n'
        for name, value in (("号段甲", m[:7]), ("号段乙", m[7:]), ("证甲", i[:12]), ("整号", other))), encoding="utf-8")
    reg = project / "regulations" / "R01-organization.yml"
    text = reg.read_text(encoding="utf-8")
    assert "不从事营利活动，" in text
    text = text.replace("不从事营利活动，", f"不从事营利活动（联系人手机【号段甲】【号段乙】，身份证【证甲】{i[12:]}），", 1)
    text = text.replace("    text: 服务对象为", "    text: 值班【整号】。服务对象为", 1)  # a whole number in one fact
    reg.write_text(text, encoding="utf-8")
    problems = _problems(project)
    found = sorted((p["path"], p["line"], p["code"]) for p in problems)
    glued = _line(text, "联系人手机【号段甲】")
    whole = next(n for n, x in enumerate(facts.read_text(encoding="utf-8").splitlines(), 1) if f'"{other}"' in x)
    assert found == sorted([("regulations/R01-organization.yml", glued, "E402"),
                            ("regulations/R01-organization.yml", glued, "E401"),
                            ("facts.yml", whole, "E402")]), found  # the whole one at the fact, said once


# ---- NEW-5: published text files that are not UTF-8 are refused (a UTF-16 file hid its contents from the scans) --

def test_published_text_in_utf16_is_e107_and_utf16_office_parts_are_read(tmp_path):
    import zipfile

    project = copy_project(tmp_path / "p")
    site = project / "site"
    m = _mobile()
    (site / "note.txt").write_bytes(f"联系人 张某某 手机 {m}\n".encode("utf-16"))  # with its BOM
    (site / "x.css").write_bytes("body{background:url(http://127.0.0.1:9/u16.png)}".encode("utf-16-le"))  # no BOM
    (site / "gbk.txt").write_bytes("普通文字 2026\n".encode("gbk"))
    (site / "page.md").write_bytes(f"# 页\n\n手机 {m}\n".encode("utf-16"))
    (site / "fine.txt").write_bytes("普通文字\n".encode("utf-8-sig"))  # UTF-8 with its BOM: fine
    xml = ('<?xml version="1.0" encoding="UTF-16"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
           f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>手机 {m}</w:t></w:r></w:p></w:body></w:document>')
    with zipfile.ZipFile(site / "b.docx", "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                                          'openxmlformats.org/package/2006/content-types"></Types>')
        z.writestr("word/document.xml", xml.encode("utf-16"))
    found = sorted((p["path"], p["code"]) for p in _problems(project))
    assert found == [("site/b.docx", "E402"), ("site/gbk.txt", "E107"), ("site/note.txt", "E107"),
                     ("site/page.md", "E107"), ("site/x.css", "E107")], found  # GBK too, since NEW-13 (attack8)


# ---- NEW-11: the exam's pass mark, stated in a fact, is checked -------------------------------------------------

def test_a_pass_mark_the_exam_cannot_use_is_e551_at_the_fact(tmp_path):
    project = copy_project(tmp_path / "p")
    facts = project / "facts.yml"
    text = facts.read_text(encoding="utf-8")
    assert "总分 80 分及以上" in text
    line = _line(text, "总分 80 分及以上")
    for rule, needle in (("总分 999 分及以上", "1 到 100"), ("总分 60 分及以上或 80 分及以上", "几个合格线"),
                         ("总分八十分以上", "没有写成"), ("满分 120 分，总分 80 分及以上", "满分是 120")):
        facts.write_text(text.replace("满分 100 分，总分 80 分及以上", rule.replace("满分 100 分，", ""), 1)
                         if not rule.startswith("满分") else text.replace("满分 100 分，总分 80 分及以上", rule, 1),
                         encoding="utf-8")
        problems = _problems(project)
        assert [(p["code"], p["path"], p["line"]) for p in problems] == [("E551", "facts.yml", line)], (rule, problems)
        assert needle in problems[0]["message"], problems[0]
    facts.write_text(text.replace("总分 80 分及以上", "总分 5 分及以上", 1), encoding="utf-8")  # low, but a mark
    assert _problems(project) == []
    exam = run_wugu("exam", str(project), "--seed", "1", "--count", "20", "--out", str(tmp_path / "exam"))
    assert exam.returncode == 0, exam.stderr
    key = subprocess.run(["pdftotext", str(tmp_path / "exam" / "exam-A-key.pdf"), "-"], capture_output=True,
                         text=True).stdout
    assert "答对 1 题即 5 分" in key.replace("\n", ""), key[:400]  # the number the rule states, not the default 80

"""Hardening, second round: hand-written pages under ``site/``, the office phone, and the PDF cache.

Findings of the attacker review closed here: 3 (a cache committed to the repository poisons the PDFs), 5 (numbers
hidden from the privacy scan by entities, comments or emphasis; a mobile number as the office phone) and the
page part of 6 (raw ``<script>``, event handlers and front matter in ``site/*.md``). Every test drives the real CLI
on a copy of the shipped content. Phone-like and ID-like numbers are generated at run time, never stored.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from wugu.cli import main
from wugu.render import sealed

from conftest import copy_project


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "p")


def _problems(project: Path) -> list[dict]:
    result = CliRunner().invoke(main, ["check", str(project), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return json.loads(result.output)["problems"]


def _mobile() -> str:
    """A mobile-like number, made here (the repository stores none)."""
    return "1" + "38" + "0013" + "8" + "000"


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# ---- finding 5: the privacy scan reads pages as they are shown ---------------------------------------------

def test_numbers_hidden_by_markup_entities_and_comments_are_found(project):
    m = _mobile()
    entity = "".join(f"&#{ord(c)};" for c in m[:3]) + m[3:]
    page = (f"# 联系我们\n\n"
            f"值班：**{m[:3]}**{m[3:]}\n\n"                              # emphasis split
            f"备用：{entity}\n\n"                                          # HTML entities
            f"热线：{m[:4]}<!-- 备注 -->{m[4:]}\n\n"                       # a comment in the middle
            f"<!-- 旧号码 {m} -->\n\n"                                     # a whole number in a comment
            f"<span title=\"{m}\">悬停可见</span>\n")                      # an attribute
    (project / "site" / "contact.md").write_text(page, encoding="utf-8")
    problems = _problems(project)
    assert {p["code"] for p in problems} == {"E402"}
    assert {p["path"] for p in problems} == {"site/contact.md"}
    lines = sorted(p["line"] for p in problems)
    assert _line(page, "值班") in lines and _line(page, "备用") in lines and _line(page, "热线") in lines
    assert all(m not in p["message"] for p in problems)  # never echoed in full


def test_a_mobile_number_as_the_office_phone_is_refused(project, wugu, tmp_path):
    profile = project / "wugu.yml"
    text = profile.read_text(encoding="utf-8")
    if not re.search(r"^  phone: .*$", text, re.M):  # the base sets no contact (issue 9): give the copy a phone
        text += "contact:\n  phone: PHONE\n"
    phone = re.search(r"^  phone: .*$", text, re.M)
    profile.write_text(text.replace(phone.group(), f'  phone: "{_mobile()}"'), encoding="utf-8")
    problems = _problems(project)
    assert [(p["code"], Path(p["path"]).name, p["line"]) for p in problems] == [
        ("E214", "wugu.yml", text[:phone.start()].count("\n") + 1)]
    assert "座机" in problems[0]["fix"]
    result = wugu("init", str(tmp_path / "county"), "--name", "示例县手牵手服务团", "--level", "县",
                  "--phone", _mobile())
    assert result.returncode == 2 and "E503" in result.stderr and not (tmp_path / "county").exists()


# ---- finding 6 (pages): no script from a hand-written page reaches the site ------------------------------------

def test_active_markup_in_pages_is_refused_at_its_line(project):
    page = ("# 说明\n\n"
            "<script>alert(1)</script>\n\n"
            "[点这里](java&#115;cript:alert(2))\n\n"
            "[也点这里](https://example.org/){: onclick=\"alert(3)\" }\n\n"
            "<img src=\"https://tracker.example/p.gif\" alt=\"\">\n\n"
            "<iframe src=\"about:blank\"></iframe>\n\n"
            "<a href=\"  JAVA\tSCRIPT:alert(4)\">x</a>\n")
    (project / "site" / "about.md").write_text(page, encoding="utf-8")
    (project / "site" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(5)"><circle r="1"/></svg>\n', encoding="utf-8")
    (project / "site" / "extra.js").write_text("alert(6)\n", encoding="utf-8")
    problems = _problems(project)
    found = sorted((p["code"], p["path"], p["line"]) for p in problems)
    assert found == sorted([
        ("E211", "site/about.md", _line(page, "<script>")),
        ("E211", "site/about.md", _line(page, "java&#115;cript")),
        ("E211", "site/about.md", _line(page, "onclick")),
        ("E211", "site/about.md", _line(page, "tracker.example")),
        ("E211", "site/about.md", _line(page, "<iframe")),
        ("E211", "site/about.md", _line(page, "<iframe")),  # about: is no web address either
        ("E211", "site/about.md", _line(page, "JAVA")),
        ("E211", "site/logo.svg", 1),
        ("E213", "site/extra.js", 0),
    ]), problems


def test_front_matter_may_hold_only_what_wugu_knows(project):
    page = "---\ntitle: 说明\ntemplate: main.html\ntags: [报警]\nhide: [toc]\n---\n\n# 说明\n"
    (project / "site" / "about.md").write_text(page, encoding="utf-8")
    problems = _problems(project)
    assert [(p["code"], p["line"]) for p in problems] == [("E212", _line(page, "template"))]


def test_plain_hand_written_pages_still_pass(project):
    (project / "site" / "about.md").write_text(
        "---\ntitle: 关于本县服务团\ntags: [联系]\n---\n\n# 关于\n\n办公电话见首页。[首页](index.md)\n\n"
        "<div markdown>**加粗**和 [外链](https://example.org/)</div>\n", encoding="utf-8")
    assert _problems(project) == []


# ---- finding 3: a cache from the repository never reaches the output -----------------------------------------

def test_a_poisoned_pdf_cache_is_never_trusted(pdf_build, tmp_path, wugu):
    source, good, _result, _seconds = pdf_build
    project = tmp_path / "p"
    shutil.copytree(source, project)  # with the cache its first build left in build/.cache/pdf
    head = len(sealed.MAGIC) + hashlib.sha256().digest_size
    by_output = {}  # the cache entries of two forms, found by what they hold
    for entry in (project / "build" / ".cache" / "pdf").glob("*/*.pdf"):
        data = entry.read_bytes()[head:]
        for name in ("WG-F02.pdf", "WG-F03.pdf"):
            if data == (good / name).read_bytes():
                by_output[name] = entry
    assert sorted(by_output) == ["WG-F02.pdf", "WG-F03.pdf"], "the first build sealed its PDFs in the cache"
    poison = (good / "WG-F01.pdf").read_bytes()
    by_output["WG-F02.pdf"].write_bytes(poison)  # a plain PDF under the right key, as a pull request could commit
    entry = by_output["WG-F03.pdf"]  # sealed, but with another machine's secret
    other = b"a secret of another machine".ljust(32, b".")
    entry.write_bytes(sealed.MAGIC + hmac.new(other, entry.stem.encode() + b"\0" + poison, hashlib.sha256).digest()
                      + poison)
    out = tmp_path / "out"
    result = wugu("pdf", str(project), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(re.findall(r"已生成\s+(\S+)", result.stdout)) == ["WG-F02.pdf", "WG-F03.pdf"]  # made again
    for pdf in sorted(good.glob("*.pdf")):
        assert (out / pdf.name).read_bytes() == pdf.read_bytes(), pdf.name  # no poison reached the output


def test_stylesheets_load_nothing_from_outside_hosts(project):
    (project / "site" / "local.css").write_text(
        "/* url(https://in.a.comment/) */\n.md-header { color: teal; }\n"
        ".x { background: \\75 rl( 'https://tracker.example/p.gif'); }\n", encoding="utf-8")
    (project / "site" / "ok.css").write_text(".y { background: url(images/bg.png); }\n", encoding="utf-8")
    problems = _problems(project)
    assert [(p["code"], p["path"], p["line"]) for p in problems] == [("E213", "site/local.css", 3)]


@pytest.mark.parametrize("markup", [
    "<!--> <img src=x onerror=alert(1)> -->",      # comments a browser closes early
    "<!-- a --!> <img src=x onerror=alert(2)> -->",
    "<img/src=x/onerror=alert(1)>",                # slashes between attributes
    "<svg><set attributeName=href to=javascript:alert(1) /></svg>",
])
def test_markup_that_python_and_browsers_read_differently_is_refused(project, markup):
    (project / "site" / "odd.md").write_text(f"# 说明\n\n{markup}\n", encoding="utf-8")
    problems = _problems(project)
    assert problems and {(p["code"], p["path"], p["line"]) for p in problems} == {("E211", "site/odd.md", 3)}


def test_a_page_file_name_with_markup_is_refused(project):
    # a page without a heading is titled by its file name, and the title lands in every page's navigation
    (project / "site" / "x<img src=x onerror=alert(1)>.md").write_text("普通文字，没有标题。\n", encoding="utf-8")
    problems = _problems(project)
    assert [(p["code"], p["path"]) for p in problems] == [("E213", "site/x<img src=x onerror=alert(1)>.md")]


def test_photos_that_tell_where_they_were_taken_are_refused(project):
    from PIL import Image

    img = Image.new("RGB", (8, 8), "white")
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (35.0, 6.0, 0.0), 3: "E", 4: (118.0, 21.0, 0.0)})  # a made-up position
    (project / "site" / "images").mkdir()
    img.save(project / "site" / "images" / "visit.jpg", exif=exif)
    img.save(project / "site" / "images" / "plain.jpg")
    problems = _problems(project)
    assert [(p["code"], p["path"]) for p in problems] == [("E213", "site/images/visit.jpg")]


def test_pages_of_unclosed_comments_and_many_problems_stay_bounded(project):
    # a regex like <!--.*?--> is quadratic on many unclosed <!--: the check would hang CI
    (project / "site" / "big.md").write_text("# 大\n\n" + ("x<!--" * 2_000 + "\n") * 10, encoding="utf-8")
    (project / "site" / "big.css").write_text("/*" * 100_000 + "\n", encoding="utf-8")
    (project / "site" / "many.md").write_text("# 多\n\n" + "<b onclick=1>x</b>\n\n" * 2_000, encoding="utf-8")
    problems = _problems(project)
    assert [p["path"] for p in problems] == ["site/many.md"] * 20  # at most 20 lines per page


def test_personal_data_in_published_office_documents_and_pdfs_is_found(project, tmp_path):
    import xlsxwriter

    m = _mobile()
    book = xlsxwriter.Workbook(str(project / "site" / "roster.xlsx"))
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, "联系人")
    sheet.write_number(1, 0, int(m))  # stored as a number, as a careless office would
    book.close()
    import weasyprint

    weasyprint.HTML(string=f"<p>Tel. {m[:3]} {m[3:7]} {m[7:]}</p>").write_pdf(project / "site" / "leaflet.pdf")
    problems = _problems(project)
    assert sorted((p["code"], p["path"]) for p in problems) == [("E402", "site/leaflet.pdf"),
                                                               ("E402", "site/roster.xlsx")]
    assert m not in json.dumps(problems, ensure_ascii=False)

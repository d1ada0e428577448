"""Search keywords (issue 11, "each page can carry search keywords"): ``keywords:`` in the content files and in
hand-written pages, checked by the real ``wugu check`` (E315–E319, W304–W305) and carried into the search index.

The search ranking itself (报警 and 孩子被打 find the emergency guide, 1204 the method page) is measured in a real
browser by ``tests/test_site_trainer.py``; here: that the words get where the search reads them.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wugu import edition as editions
from wugu.render import site
from wugu.validate import load_handbook

from conftest import copy_project, run_wugu


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "p")


def _edit(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def _check(project: Path, *args: str) -> tuple[int, list[dict]]:
    """Exit code, and the errors then the warnings ``wugu check`` reports."""
    result = run_wugu("check", str(project), "--format", "json", *args)
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    return result.returncode, report["problems"] + report["warnings"]


def _front_matter_tags(markdown: str) -> list[str]:
    head = re.match(r"---\n(.*?)\n---\n", markdown, re.S)
    return re.findall(r'^  - "(.*)"$', head.group(1), re.M) if head else []


# ---- the content moved out of the code -------------------------------------------------------------------------

def test_the_shipped_keywords_live_in_the_content_and_reach_their_pages(root):
    h = load_handbook(root)
    pages = site.pages(h)
    emergency = h.guide(site.EMERGENCY_GUIDE)
    assert {"孩子被打", "报警", "家暴", "性侵", "自杀"} <= set(emergency.keywords)
    assert _front_matter_tags(pages[site.emergency_page(h)]) == list(emergency.keywords)
    method = h.vocab(site.METHOD_VOCAB)
    assert {"1204", "一盯20年"} <= set(method.keywords)
    assert _front_matter_tags(pages[site.METHOD]) == list(method.keywords)
    assert not hasattr(site, "EMERGENCY_KEYWORDS") and not hasattr(site, "RED_LINE_KEYWORDS")
    # the red-line list is wugu's own page: its words are in its template, beside its heading
    assert _front_matter_tags(pages[site.NORMS]) == ["红线", "不能碰", "禁止"]
    assert not pages[site.NORMS].split("\n---\n", 1)[1].lstrip().startswith("---")
    n19 = h.norm("N19")
    assert n19.keywords and set(n19.keywords) <= set(_front_matter_tags(pages["norms/S4.md"]))


def test_every_kind_of_page_takes_its_keywords(project):
    _edit(project / "regulations" / "R10-visits-reports.yml", "\ntitle: 走访陪伴与月报制度\n",
          "\ntitle: 走访陪伴与月报制度\nkeywords: [家访制度, 月报时间]\n")
    _edit(project / "forms" / "F07-visit-log.yml", "\ntitle: 走访记录表\n", "\ntitle: 走访记录表\nkeywords: [家访记录]\n")
    _edit(project / "packs" / "new-volunteer.yml", "\ntitle: 新志愿者入团包\n",
          "\ntitle: 新志愿者入团包\nkeywords: [入团材料]\n")
    _edit(project / "vocab" / "four-supports.yml", "\ntitle: 四扶\n", "\ntitle: 四扶\nkeywords: [帮扶内容]\n")
    _edit(project / "norms" / "S4-money.yml", "\ntitle: ", "\nkeywords: [捐款]\ntitle: ")
    _edit(project / "norms" / "S4-money.yml", "    number: 20\n", "    number: 20\n    keywords: [慈善总会捐赠]\n")
    h = load_handbook(project)
    pages = site.pages(h)
    tags = {page: _front_matter_tags(text) for page, text in pages.items()}
    assert tags["regulations/R10.md"] == ["家访制度", "月报时间"]
    assert tags["forms/F07.md"] == ["家访记录"]
    assert tags["forms/F07-fill.md"] == []  # the fill-in page does not compete with the form's own page
    assert tags["packs/new-volunteer.md"] == ["入团材料"]
    assert tags[site.GLOSSARY] == ["帮扶内容"]  # choice lists are explained on the glossary page
    s4 = h.section("S4")
    assert tags["norms/S4.md"][0] == "捐款" and "慈善总会捐赠" in tags["norms/S4.md"]  # the file's, then its norms'
    assert set(s4.norms[0].keywords) <= set(tags["norms/S4.md"])  # N19's
    assert "慈善总会捐赠" not in tags[site.NORMS]  # a norm's words find the page with its reasons


def test_search_words_do_not_count_as_a_change_of_the_base(root):
    """An edition's review list (wugu changes) fingerprints base items: new search words change nothing there."""
    h = load_handbook(root)
    before = editions.snapshot(h)
    from dataclasses import replace
    changed = replace(h, guides=tuple(replace(g, keywords=("新词",)) for g in h.guides),
                      sections=tuple(replace(s, norms=tuple(replace(n, keywords=("新词",)) for n in s.norms))
                                     for s in h.sections))
    assert editions.snapshot(changed) == before


# ---- wugu check: E315–E319, W304–W305 -------------------------------------------------------------------------

def test_bad_keyword_lists_are_errors_with_file_and_line(project):
    reg = _edit(project / "regulations" / "R10-visits-reports.yml", "\ntitle: 走访陪伴与月报制度\n",
                "\ntitle: 走访陪伴与月报制度\nkeywords: 家访制度\n")
    guide = _edit(project / "guides" / "first-visit.yml", "\ntitle: ",
                  '\nkeywords:\n  - 家访\n  - ""\n  - 第一次去孩子家之前要准备什么东西怎么说话呢\n  - ＡＢＣ\n  - abc\n'
                  '  - 12355\n  - 家访须知\ntitle: ')
    norms = _edit(project / "norms" / "S4-money.yml", "    number: 20\n", "    number: 20\n    keywords: [捐款, 捐款]\n")
    code, problems = _check(project)
    assert code == 1
    found = [(p["code"], p["path"], p["line"]) for p in problems]
    assert found == [  # in the order of the files
        ("E315", "regulations/R10-visits-reports.yml", _line(reg, "keywords: 家访制度")),
        ("E318", "norms/S4-money.yml", _line(norms, "keywords: [捐款, 捐款]")),
        ("E316", "guides/first-visit.yml", _line(guide, '- ""')),
        ("E317", "guides/first-visit.yml", _line(guide, "第一次去孩子家之前")),
        ("E318", "guides/first-visit.yml", _line(guide, "- abc")),
        ("E319", "guides/first-visit.yml", _line(guide, "- 12355")),
    ]
    messages = {p["code"]: p for p in problems}
    assert "家访制度" in messages["E315"]["message"] and "keywords: [" in messages["E315"]["fix"]
    assert "20" in messages["E317"]["message"]
    assert "ＡＢＣ" in messages["E318"]["message"]
    assert '"12355"' in messages["E319"]["fix"]


def test_the_same_word_on_two_pages_and_words_the_search_splits_are_warnings(project):
    _edit(project / "forms" / "F07-visit-log.yml", "\ntitle: 走访记录表\n",
          "\ntitle: 走访记录表\nkeywords: [报警, 一盯 20 年]\n")
    form = (project / "forms" / "F07-visit-log.yml").read_text(encoding="utf-8")
    code, problems = _check(project)
    assert code == 0
    guide = (project / "guides" / "emergency.yml").read_text(encoding="utf-8")
    assert sorted((p["code"], p["path"], p["line"], p["severity"]) for p in problems) == [
        ("W304", "forms/F07-visit-log.yml", _line(form, "keywords: ["), "warning"),
        ("W304", "guides/emergency.yml", _line(guide, " 报警,"), "warning"),  # both places are told, each naming
        ("W305", "forms/F07-visit-log.yml", _line(form, "keywords: ["), "warning")]  # the other
    w304 = next(p for p in problems if p["path"] == "forms/F07-visit-log.yml" and p["code"] == "W304")
    w305 = next(p for p in problems if p["code"] == "W305")
    assert f"guides/emergency.yml:{_line(guide, ' 报警,')}" in w304["message"]
    assert "“一盯”“20”“年”" in w305["message"]
    code, _ = _check(project, "--strict")
    assert code == 1


def test_a_word_of_the_red_line_page_given_to_another_page_is_told(project):
    norms = _edit(project / "norms" / "S3-safety.yml", "    number: 13\n", "    number: 13\n    keywords: [禁止]\n")
    code, problems = _check(project)
    assert code == 0 and [(p["code"], p["path"], p["line"]) for p in problems] == [
        ("W304", "norms/S3-safety.yml", _line(norms, "keywords: [禁止]"))]  # said where it can be changed
    assert "norms.md.j2" in problems[0]["message"]


def test_a_local_guide_repeating_a_base_word_is_told(tmp_path):
    folder = tmp_path / "county"
    result = run_wugu("init", str(folder), "--name", "青禾县手牵手孤困儿童心理辅导志愿服务团", "--level", "县")
    assert result.returncode == 0, result.stdout + result.stderr
    guide = (Path(__file__).resolve().parent.parent / "guides" / "first-visit.yml").read_text(encoding="utf-8")
    guide = guide.replace("id: first-visit", "id: local-visit").replace("\ntitle: ", "\nkeywords: [家暴]\ntitle: 本县")
    (folder / "local" / "guides").mkdir(parents=True)
    (folder / "local" / "guides" / "local-visit.yml").write_text(guide, encoding="utf-8")
    (folder / "local" / "overrides.yml").write_text(
        "add_norms:\n  - {section: S3, id: N49, number: 49, rule: 夏天带孩子下河要有大人看护。, why: 溺水是农村孩子的头号危险。,\n"
        "     regulations: [R07], keywords: [下河, 游泳], sources: [{kind: handbook, title: 本手册拟定}]}\n", encoding="utf-8")
    code, problems = _check(folder)
    problems = [p for p in problems if p["code"] != "W354"]  # N49 has no question yet: the training kit's warning
    assert [p["code"] for p in problems] == ["W304"], problems
    assert problems[0]["path"].endswith("local/guides/local-visit.yml")
    h = load_handbook(folder)  # a local norm's words land on its section's page
    assert {"下河", "游泳"} <= set(_front_matter_tags(site.pages(h)["norms/S3.md"]))
    assert "〔wugu 基础版〕guides/emergency.yml" in problems[0]["message"]


# ---- hand-written pages: checked the same way, indexed like a generated page -----------------------------------

def test_hand_written_page_keywords_are_checked(project):
    page = ("---\ntitle: 本县联系方式\nkeywords:\n  - 值班\n  - 值班\n  - 12345\n  - 本县服务团办公室值班电话和办公时间查询一下\n"
            "tags: 联系\n---\n\n# 本县联系方式\n")
    (project / "site" / "contact.md").write_text(page, encoding="utf-8")
    code, problems = _check(project)
    assert code == 1
    assert [(p["code"], p["path"], p["line"]) for p in problems] == [
        ("E318", "site/contact.md", 5), ("E319", "site/contact.md", 6), ("E317", "site/contact.md", 7),
        ("E315", "site/contact.md", 8)]  # tags: (mkdocs-material's own key) follows the same rules


def test_hand_written_page_keywords_reach_the_search_index(project, tmp_path):
    (project / "site" / "contact.md").write_text(
        "---\ntitle: 本县联系方式\nkeywords: [值班电话, 找谁]\ntags: [联系]\n---\n\n# 本县联系方式\n\n办公电话见首页。\n",
        encoding="utf-8")
    _edit(project / "regulations" / "R10-visits-reports.yml", "\ntitle: 走访陪伴与月报制度\n",
          "\ntitle: 走访陪伴与月报制度\nkeywords: [家访制度, \"<b>月报\"]\n")
    out = tmp_path / "site"
    result = run_wugu("build", str(project), "--out", str(out), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    docs = json.loads((out / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    tags = {d["location"]: d.get("tags") for d in docs}
    assert tags["contact.html"] == ["联系", "值班电话", "找谁"]
    assert tags["regulations/R10.html"] == ["家访制度", "&lt;b&gt;月报"]  # markup in a keyword stays text
    assert "<b>月报" not in (out / "search" / "search_index.json").read_text(encoding="utf-8")
    # a template's own front matter survives beside the keywords: the fill-in pages stay out of the search
    assert not [loc for loc in tags if "-fill.html" in loc]
    assert tags["norms/index.html"] == ["红线", "不能碰", "禁止"]
    assert "家访制度" not in (out / "regulations" / "R10.html").read_text(encoding="utf-8")  # indexed, not shown

"""Issue 12, round-4 attack NEW-9: linking glossary words rewrites every built page, so it must read the page's HTML
as a browser does. It used to end a tag at the first ``>`` — also one inside a quoted attribute — and put a link
(with its own quotes) into the attribute's text, which closed the attribute and made the rest of it live markup.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from wugu.render import terms
from wugu.validate.pages import unsafe_html

from conftest import copy_project, run_wugu

_GLOSSARY = terms.Glossary("glossary.md", {"困境儿童": ("child", "处境困难的儿童")}, re.compile("困境儿童"))
_LINK = '<a class="wg-term" href="glossary.html#child" title="处境困难的儿童">困境儿童</a>'


class _Elements(HTMLParser):
    """Start tags and script bodies as an HTML parser (quoted attributes and all) reads a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _elements(markup: str) -> _Elements:
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser


#: Text that looks like a tag or a tag's end but, to a browser, is inside an attribute, a comment or the text of
#: an element read as plain text: the glossary word in it is never linked.
INERT = [
    '<p><span title="a > 困境儿童 <script>alert(1)</script>">悬停</span></p>',
    "<p><span title='a > 困境儿童 <img src=x onerror=alert(1)>'>悬停</span></p>",
    '<p><span a"b="x > 困境儿童 <i title=">悬停</span></p>',           # a quote inside an attribute's name
    '<!-- 困境儿童 <a title=" --> <p>正文</p>',
    '<p title="没有收尾的引号 困境儿童 <script>alert(1)</script>',    # a tag left open runs to the end
    '<textarea><b title="x"> 困境儿童 </b></textarea>',
    '<xmp>困境儿童 <b></xmp>',
    "<style>.a::after{content:'困境儿童'}</style>",
]


@pytest.mark.parametrize("markup", INERT)
def test_words_inside_attributes_comments_and_raw_text_are_never_linked(markup):
    assert terms.link_terms(markup, "t.md", _GLOSSARY) == markup


def test_text_after_such_markup_is_still_linked_once():
    markup = '<p><span title="a > 困境儿童 <b>">悬停</span>：困境儿童和困境儿童</p><!-- x --><p>困境儿童</p>'
    linked = terms.link_terms(markup, "t.md", _GLOSSARY)
    assert linked == markup.replace("：困境儿童", "：" + _LINK, 1)
    assert _elements(linked).tags == ["p", "span", "a", "p"]


def test_linking_any_page_never_makes_markup_live():
    """Whatever the input, the tags of the linked page are the input's plus the term links."""
    for markup in INERT + ['<p>困境儿童</p>', '<p x="1>2">困境儿童</p>', '</p x="a>b 困境儿童">困境儿童',
                           '<p><![CDATA[ 困境儿童 ]]>困境儿童</p>', '<? 困境儿童 > 困境儿童']:
        linked = terms.link_terms(markup, "t.md", _GLOSSARY)
        assert unsafe_html(linked) == unsafe_html(markup), markup
        added = [t for t in _elements(linked).tags]
        for tag in _elements(markup).tags:
            added.remove(tag)
        assert set(added) <= {"a"}, (markup, linked)


def test_a_page_whose_attribute_holds_a_term_and_a_script_builds_without_running_it(tmp_path):
    """The reviewer's reproduction on a copy of the shipped content: check and build pass (the attribute is inert
    text), and the built page holds no script the page's author wrote."""
    project = copy_project(tmp_path / "p")
    assert "困境儿童" in (project / "glossary.yml").read_text(encoding="utf-8")
    (project / "site" / "t.md").write_text(
        "# 测试\n\n<p><span title=\"a > 困境儿童 <script>document.body.setAttribute('data-pwned','gt')</script>\">"
        "悬停</span></p>\n\n困境儿童的正文。\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_wugu("build", str(project), "--no-pdf", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    page = (out / "t.html").read_text(encoding="utf-8")
    assert not [s for s in _elements(page).scripts if "data-pwned" in s]
    assert 'href="glossary.html#' in page.split("悬停", 1)[1]  # the body's own word is still linked
    chromium = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
                    None)
    if chromium is None:
        pytest.skip("no Chromium")
    dom = subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--virtual-time-budget=3000", "--dump-dom", (out / "t.html").as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert "悬停" in dom and 'data-pwned="gt"' not in dom


#: What the reviewer's attribute payloads loaded once linking had made them live: the last scan of built pages
#: (E530) now refuses every one of them by itself, so a parser difference anywhere in the pipeline is caught.
OUTSIDE = [
    '<img src="http://127.0.0.1:8765/gt-img.png">', "<img src=//127.0.0.1:8765/a.png>",
    '<img srcset="a.png 1x, https://127.0.0.1:8765/b.png 2x">', '<svg><image href="http://127.0.0.1:8765/i"/></svg>',
    '<svg><use xlink:href="http://127.0.0.1:8765/s.svg#a"/></svg>', '<video poster="https://127.0.0.1/p.png"></video>',
    '<input type="image" src="http://127.0.0.1/x">', '<img src="file:///etc/hostname">',
    '<link rel="stylesheet" href="http://127.0.0.1:8765/gt-link.css">', "<style>@import 'http://127.0.0.1/x.css'</style>",
    '<iframe src="http://127.0.0.1:8765/gt-iframe"></iframe>', '<object data="http://127.0.0.1:8765/gt-obj"></object>',
]
SAME_SITE = ['<img src="assets/images/a.png">', '<img src="../assets/a.png" srcset="a.png 1x, b.png 2x">',
             '<img src="data:image/png;base64,iVBORw0KGgo=">', '<svg><use href="#icon"/></svg>',
             '<a href="https://www.gov.cn/">外部链接（点了才去）</a>', '<a href="tel:12355">12355</a>']


@pytest.mark.parametrize("markup", OUTSIDE)
def test_the_last_scan_refuses_loads_from_outside_the_site(markup):
    from wugu.validate.pages import unsafe_built

    assert unsafe_built(f"<p>{markup}</p>"), markup


@pytest.mark.parametrize("markup", SAME_SITE)
def test_the_last_scan_lets_the_site_own_files_and_links_through(markup):
    from wugu.validate.pages import unsafe_built

    assert unsafe_built(f"<p>{markup}</p>") == [], markup

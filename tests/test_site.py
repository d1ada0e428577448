"""The handbook site: built through the real ``wugu build``, checked page by page, link by link, host by host."""
from __future__ import annotations

import html.parser
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from wugu import paths
from wugu.render import site
from wugu.render.sitebuild import IFRAME_WORKER, STYLESHEET
from wugu.validate import load_handbook

from conftest import ROOT, copy_project, run_wugu


@pytest.fixture(scope="module")
def handbook():
    return load_handbook(ROOT)


@pytest.fixture(scope="module")
def built(base_site):
    """The whole site, built once through the real CLI (shared with other test files: conftest.base_site)."""
    return base_site


def test_build_succeeds_quietly_in_chinese(built):
    out, result = built
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "生成网站" in result.stdout and "完成" in result.stdout
    # mkdocs' own log, jieba's chatter and mkdocs-material's maintenance notice stay out of the way
    assert "INFO" not in result.stdout + result.stderr
    assert "jieba" not in result.stderr.lower() and "prefix dict" not in result.stderr.lower()
    assert "Material for MkDocs" not in result.stderr
    assert (out / "index.html").is_file()


def test_every_page_is_there(built, handbook):
    out, _ = built
    expected = ["index.html", "regulations/index.html", "norms/index.html", "forms/index.html", "packs/index.html",
                "glossary.html", "training.html", "about.html"]
    expected += [paths.html_url(paths.regulation_page(r)) for r in handbook.regulations]
    expected += [paths.html_url(paths.norms_page(s)) for s in handbook.sections]
    expected += [paths.html_url(paths.form_page(f)) for f in handbook.forms]
    expected += [paths.html_url(paths.pack_page(p)) for p in handbook.packs]
    missing = [p for p in expected if not (out / p).is_file()]
    assert not missing
    assert len(handbook.regulations) == 16 and len(handbook.norms) == 48 and len(handbook.forms) >= 11
    assert len(list((out / "regulations").glob("R*.html"))) == 16


def test_each_norm_has_its_own_anchor_and_red_lines_are_marked(built, handbook):
    out, _ = built
    for s in handbook.sections:
        text = (out / paths.html_url(paths.norms_page(s))).read_text(encoding="utf-8")
        for n in s.norms:
            assert f'id="{n.id}"' in text, n.id
            heading = re.search(rf"<h2 [^>]*id=\"{n.id}\"[^>]*>(.*?)</h2>", text, re.S)
            assert heading, n.id
            assert ("红线" in heading.group(1)) == n.red_line, n.id


def test_home_page_tells_what_the_group_is(built, handbook):
    text = (built[0] / "index.html").read_text(encoding="utf-8")
    p = handbook.profile
    for needle in (p.name, "1204", "五类孤困儿童", "市团", "县团", "乡镇团", p.contact.phone or "", "联系我们"):
        assert needle in text, needle
    for item in handbook.vocab("child-category").items:
        assert item.label in text


def test_regulation_page_links_both_ways(built, handbook):
    out = built[0]
    r = next(r for r in handbook.regulations if r.form_ids and handbook.norms_for_regulation(r.id))
    text = (out / paths.html_url(paths.regulation_page(r))).read_text(encoding="utf-8")
    assert "第一条" in text and "各级职责" in text
    n = handbook.norms_for_regulation(r.id)[0]
    assert f"{paths.html_url(paths.norms_page(handbook.section(n.section_id)))}#{n.id}" in text
    f = handbook.form(r.form_ids[0])
    assert paths.html_url(paths.form_page(f)) in text
    # … and back: the form page and the norm name the regulation
    form_text = (out / paths.html_url(paths.form_page(f))).read_text(encoding="utf-8")
    assert paths.html_url(paths.regulation_page(r)) in form_text
    norm_text = (out / paths.html_url(paths.norms_page(handbook.section(n.section_id)))).read_text(encoding="utf-8")
    assert paths.html_url(paths.regulation_page(r)) in norm_text


def test_form_pages_preview_the_printed_form(built, handbook):
    out = built[0]
    for f in handbook.forms:
        text = (out / paths.html_url(paths.form_page(f))).read_text(encoding="utf-8")
        assert 'class="wg-form ' in text and f.code in text
        assert "wg-form__table" in text
        pdf_link = f'{paths.DOWNLOADS}/{paths.form_pdf(f)}'
        assert pdf_link in unquote(text), f.id
        if f.has_sensitive:
            assert "wg-badge--sensitive" in text and "第二十八条" in text, f.id
        if any(x.type in ("choice", "multichoice", "yesno", "statement") for x in f.fields):
            assert "□" in text, f.id


def test_training_glossary_about(built, handbook):
    out = built[0]
    training = (out / "training.html").read_text(encoding="utf-8")
    assert "自测清单" in training and 'type="checkbox"' in training
    assert all(n.rule.replace("“", "&ldquo;")[:6] in training or n.rule[:6] in training
               for n in handbook.norms if n.red_line)
    glossary = (out / "glossary.html").read_text(encoding="utf-8")
    assert all(t.term in glossary for t in handbook.glossary)
    about = (out / "about.html").read_text(encoding="utf-8")
    assert handbook.profile.content_version in about and "修订记录" in about
    for change in handbook.profile.changes:
        assert change.version in about


# ---- no outside host, works from file:// --------------------------------------------------------------

_REF = re.compile(
    r"""(?:\b(?:src|href|action|poster|srcset)\s*=\s*["']?\s*"""
    r"""|(?<!new )url\(\s*["']?\s*"""
    r"""|@import\s+(?:url\(\s*)?["']?\s*"""
    r"""|\bimport\s*(?:[\w*{},\s]+from\s*)?["']"""
    r"""|importScripts\(\s*["'])"""
    r"""((?:https?:)?//[^\s"'()<>]+)""", re.I)

#: Every host the built files mention at all, and why it is harmless. Anything new fails the test.
_KNOWN_MENTIONS = {
    "www.w3.org": "XML namespaces of inline SVG icons (xmlns=…), not fetched",
    "unpkg.com": "mkdocs-material bundle: resize-observer polyfill (only for browsers without ResizeObserver, "
                 "i.e. none from the last five years) and mermaid (only for pages with diagrams: none)",
    "api.github.com": "mkdocs-material bundle: repository facts, only when repo_url is set (it is not)",
    "clipboardjs.com": "licence comment in the bundle",
    "fontawesome.com": "licence comment inside an inline SVG in the stylesheet",
    "lunrjs.com": "licence comment in the search worker",
    "tartarus.org": "comment in the search worker (Snowball stemmer)",
    "bit.ly": "comment in the search worker",
    "github.com": "fill mode's validator (@cfworker/json-schema): `new URL(…)` base for resolving $id when the page "
                  "has no origin (file://); an address it parses, never fetched",
    "json-schema.org": "the $schema dialect URI in each fill page's inlined record schema (JSON Schema 2020-12), "
                       "an identifier, never fetched",
}


def _built_text_files(out: Path):
    for f in sorted(out.rglob("*")):
        if f.suffix in (".html", ".css", ".js") and f.is_file():
            yield f, f.read_text(encoding="utf-8", errors="replace")


def test_reference_scanner_finds_outside_hosts():
    bad = ['<script src="https://unpkg.com/iframe-worker/shim"></script>', "<link href='//fonts.googleapis.com/css'>",
           "a{background:url( https://cdn.example.com/x.png)}", '@import url("https://fonts.googleapis.com/css");',
           'import x from "https://esm.sh/y"', "importScripts('https://cdn.example.com/lunr.js')"]
    assert all(_REF.search(s) for s in bad)
    assert not _REF.search('<a href="../downloads/x.pdf">') and not _REF.search('<svg xmlns="http://www.w3.org/2000/svg">')


def test_no_outside_host_in_src_href_url_or_import(built, handbook):
    out = built[0]
    allowed = {urlsplit(handbook.profile.site_url).netloc} if handbook.profile.site_url else set()
    found = []
    for f, text in _built_text_files(out):
        for m in _REF.finditer(text):
            if urlsplit(m.group(1) if "//" != m.group(1)[:2] else "x:" + m.group(1)).netloc not in allowed:
                found.append(f"{f.relative_to(out)}: {m.group(1)}")
    assert not found, found[:20]


def test_every_host_mentioned_anywhere_is_accounted_for(built, handbook):
    out = built[0]
    # the group's own published address (wugu.yml site_url) appears in canonical links; it is never fetched
    own = {urlsplit(handbook.profile.site_url).netloc} if handbook.profile.site_url else set()
    hosts: dict[str, str] = {}
    # the pages, the stylesheets, and the scripts every page runs (the theme bundle, the search worker, ours);
    # lunr's language packs under assets/javascripts/lunr/ are full of comment links and covered by the scan above
    for f, text in _built_text_files(out):
        if "lunr" in f.relative_to(out).parts:
            continue
        for host in re.findall(r"https?://([A-Za-z0-9.-]+)", text):
            hosts.setdefault(host, str(f.relative_to(out)))
    unknown = {h: f for h, f in hosts.items() if h not in _KNOWN_MENTIONS and h not in own}
    assert not unknown, unknown
    pages = [text for f, text in _built_text_files(out) if f.suffix == ".html"]
    assert all(set(re.findall(r"https?://([A-Za-z0-9.-]+)", t)) <= {"www.w3.org", "json-schema.org"} | own
               for t in pages)


def test_offline_use_needs_no_download(built):
    out = built[0]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'src="{IFRAME_WORKER}"' in index and (out / IFRAME_WORKER).is_file()
    assert "iframe-worker" not in index.replace(IFRAME_WORKER, "")  # the offline plugin added no CDN copy
    assert (out / "search" / "search_index.js").read_text(encoding="utf-8").startswith("var __index =")
    assert "fonts.googleapis" not in index and "fonts.gstatic" not in index
    assert f'href="{STYLESHEET}"' in index
    # no directory URLs: every internal link names its .html file, so file:// works
    assert 'href="regulations/index.html"' in index


def test_search_index_segments_chinese_words(built, handbook):
    out = built[0]
    data = json.loads((out / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert data["config"]["separator"].find("u200b") >= 0 or "\u200b" in data["config"]["separator"]
    r05 = next(r for r in handbook.regulations if r.title == "儿童信息保密协议")
    url = paths.html_url(paths.regulation_page(r05))
    titles = [d for d in data["docs"] if d["location"] == url]
    assert titles and "\u200b保密\u200b" in "\u200b" + titles[0]["title"] + "\u200b"


def test_print_stylesheet_is_a4(built):
    css = (built[0] / STYLESHEET).read_text(encoding="utf-8")
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", css)
    assert "@media print" in css and ".md-sidebar" in css


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.refs.append(a[key])


def test_no_broken_links_or_anchors(built, handbook):
    """Every internal link of every page leads to a file that exists, and to an anchor that exists on it."""
    out = built[0]
    parsed: dict[Path, _Links] = {}

    def parse(p: Path) -> _Links:
        if p not in parsed:
            parser = _Links()
            parser.feed(p.read_text(encoding="utf-8"))
            parsed[p] = parser
        return parsed[p]

    broken = []
    pdfs_built = (out / paths.DOWNLOADS).is_dir()
    for page in sorted(out.rglob("*.html")):
        if page.name == "404.html":  # a web server's error page: mkdocs gives it root-relative links on purpose
            continue
        for ref in parse(page).refs:
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith("//") or not (parts.path or parts.fragment):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if unquote(parts.path).startswith(f"../{paths.DOWNLOADS}/") or f"{paths.DOWNLOADS}/" in unquote(parts.path):
                if not pdfs_built:
                    continue
            if not target.exists():
                broken.append(f"{page.relative_to(out)} → {ref}")
                continue
            if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parse(target).ids:
                broken.append(f"{page.relative_to(out)} → {ref} (anchor)")
    assert not broken, broken[:20]


def test_pdfs_fill_downloads_when_the_renderer_is_there(built, handbook):
    out, result = built
    for f in handbook.forms:
        assert (out / paths.DOWNLOADS / paths.form_pdf(f)).is_file(), f.id
    for p in handbook.packs:
        assert (out / paths.DOWNLOADS / paths.pack_pdf(p)).is_file(), p.id


def test_nothing_generated_lands_in_the_source_tree(built, handbook):
    docs = ROOT / "site"
    assert not [p for p in site.pages(handbook) if (docs / p).exists()]


# ---- pages(): a pure function of the model ----------------------------------------------------------

def test_pages_are_a_pure_function_of_the_model(handbook):
    first, second = site.pages(handbook), site.pages(handbook)
    assert first == second and list(first) == list(second)
    assert all(path.endswith(".md") and text.endswith("\n") for path, text in first.items())
    assert set(first) >= {paths.regulation_page(r) for r in handbook.regulations}
    nav_pages = json.dumps(site.nav(handbook), ensure_ascii=False)
    # every page is in the navigation, except each form's fill mode, which is reached from the form's own page
    assert all(path in nav_pages for path in first if not path.endswith("-fill.md"))


def test_chinese_numbers():
    assert [site.cn_number(n) for n in (1, 9, 10, 11, 20, 21, 48, 99)] == [
        "一", "九", "十", "十一", "二十", "二十一", "四十八", "九十九"]


def test_half_fields_pair_up_like_the_printed_form(handbook):
    f = handbook.form("F07")
    rows = site.form_rows(f.sections[1].fields)
    assert [len(r) for r in rows][:3] == [2, 2, 2]
    assert all(c.wide for r in rows for c in r if c.field.type == "table")


def test_markdown_in_content_is_not_markup():
    # character references (not backslash escapes): they read right in a raw HTML block too (tests/test_harden_slow.py)
    assert site.md("a*b_c [x](y) <script>") == "a&#42;b&#95;c &#91;x&#93;(y) &lt;script&gt;"


# ---- failures ---------------------------------------------------------------------------------------

def test_failed_build_keeps_the_previous_site(tmp_path):
    project = copy_project(tmp_path / "proj")
    out = tmp_path / "out"
    ok = run_wugu("build", str(project), "--out", str(out), "--no-pdf")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    before = (out / "index.html").read_bytes()
    reg = sorted((project / "regulations").glob("R05*.yml"))[0]
    reg.write_text(reg.read_text(encoding="utf-8").replace("title: 儿童信息保密协议", "title: [未闭合"),
                   encoding="utf-8")
    bad = run_wugu("build", str(project), "--out", str(out), "--no-pdf")
    assert bad.returncode == 1
    assert "Traceback" not in bad.stdout + bad.stderr
    assert re.search(r"R05[^:]*\.yml:\d+:\d+: error E\d{3}: ", bad.stderr), bad.stderr
    assert (out / "index.html").read_bytes() == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".out.")]  # no half-built leftovers


def test_strict_mode_turns_a_broken_link_into_an_error(tmp_path):
    project = copy_project(tmp_path / "proj")
    (project / "site").mkdir(exist_ok=True)
    (project / "site" / "extra.md").write_text("# 补充\n\n[去看看](no-such-page.md)\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_wugu("build", str(project), "--out", str(out), "--no-pdf")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(r"site/extra\.md: error E601: .*no-such-page\.md", result.stderr), result.stderr
    assert not out.exists()


def test_what_a_project_mkdocs_yml_lacks_is_filled_in(tmp_path):
    """A project's own mkdocs.yml may ask for Google Fonts and forget the offline plugin: wugu still builds a
    site that works from file:// and loads nothing from outside."""
    project = copy_project(tmp_path / "proj")
    (project / "mkdocs.yml").write_text(
        "site_name: x\ntheme:\n  name: material\n  font:\n    text: Roboto\nplugins:\n  - search\n",
        encoding="utf-8")
    out = tmp_path / "out"
    result = run_wugu("build", str(project), "--out", str(out), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "googleapis" not in index and "unpkg" not in index
    assert f'src="{IFRAME_WORKER}"' in index and (out / "search" / "search_index.js").is_file()
    assert 'lang="zh-CN"' in index


def test_a_broken_mkdocs_yml_is_a_usage_error(tmp_path):
    project = copy_project(tmp_path / "proj")
    (project / "mkdocs.yml").write_text("site_name: x\ntheme: [\n", encoding="utf-8")
    result = run_wugu("build", str(project), "--out", str(tmp_path / "out"), "--no-pdf")
    assert result.returncode == 2
    assert re.search(r"mkdocs\.yml:3:1: error E512: ", result.stderr), result.stderr
    (project / "mkdocs.yml").write_text("site_name: x\ntheme:\n  name: no-such-theme\n", encoding="utf-8")
    result = run_wugu("build", str(project), "--out", str(tmp_path / "out"), "--no-pdf")
    assert result.returncode == 2 and "error E512" in result.stderr and "Traceback" not in result.stderr


def test_hand_written_pages_join_the_site(tmp_path):
    project = copy_project(tmp_path / "proj")
    (project / "site").mkdir(exist_ok=True)
    (project / "site" / "local-news.md").write_text("# 本地动态\n\n[回到首页](index.md)\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_wugu("build", str(project), "--out", str(out), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (out / "local-news.html").is_file()
    assert "local-news.html" in (out / "index.html").read_text(encoding="utf-8")  # listed in the navigation


def test_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    result = run_wugu("build", str(ROOT), "--out", str(out), "--no-pdf")
    assert result.returncode == 2
    assert "error E511" in result.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_an_edition_folder_builds_from_the_installed_base(tmp_path):
    """A county's folder has only wugu.yml (and local/): the base content and site come from the package."""
    edition = tmp_path / "edition"
    made = run_wugu("init", str(edition), "--name", "某某县手牵手孤困儿童心理辅导志愿服务团", "--short-name",
                    "某某县服务团", "--level", "县")
    if made.returncode != 0:
        pytest.skip(f"wugu init is not available: {made.stderr.strip()[:200]}")
    assert not (edition / "regulations").exists()
    result = run_wugu("build", str(edition), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    out = edition / "build" / "site"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "某某县手牵手孤困儿童心理辅导志愿服务团" in index and "<title>某某县服务团志愿服务手册</title>" in index
    assert len(list((out / "regulations").glob("R*.html"))) == 16
    assert (out / IFRAME_WORKER).is_file()


# ---- wugu serve -------------------------------------------------------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None


def _wait_for(predicate, timeout: float = 60.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_serve_previews_and_reloads_on_yaml_changes(tmp_path):
    import signal
    import subprocess
    import sys

    project = copy_project(tmp_path / "proj")
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log = (tmp_path / "serve.log").open("w+", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "wugu", "serve", str(project), "-a", f"127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        assert _wait_for(lambda: (_get(base + "index.html") or "").find("志愿服务手册") >= 0), "server did not start"
        page = base + "regulations/R05.html"
        assert "儿童信息保密协议" in (_get(page) or "")
        reg = sorted((project / "regulations").glob("R05*.yml"))[0]
        text = reg.read_text(encoding="utf-8")
        reg.write_text(text.replace("title: 儿童信息保密协议", "title: 儿童信息保密协议（修订）"), encoding="utf-8")
        assert _wait_for(lambda: "儿童信息保密协议（修订）" in (_get(page) or "")), "no rebuild after a YAML change"
        reg.write_text(text.replace("title: 儿童信息保密协议", "title: [坏"), encoding="utf-8")
        assert _wait_for(lambda: "error E" in (tmp_path / "serve.log").read_text(encoding="utf-8"))
        assert "儿童信息保密协议（修订）" in (_get(page) or "")  # the last good site is still served
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    output = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "Traceback" not in output, output[-3000:]
    assert "预览地址" in output

"""The handbook as a county trainer uses it, in headless Chromium on the real build (issue 11).

One site is built through the real ``wugu build`` for the whole file. A copy of it gets the vendored axe-core
(``tests/vendor/axe-core``, see ``scripts/vendor_axe.sh``) and a small probe added to a few pages; Chromium opens
them from file://, axe checks the page as rendered, and the probe writes what it found (axe's violations, the
computed font of the body text, whether the emergency entry is visible) into the page, which ``--dump-dom`` reads
back. Searches run through ``scripts/search_top3.py``, the same code that measures the top-3 table.
"""
from __future__ import annotations

import html
import html.parser
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from wugu import paths
from wugu.validate import load_handbook

from conftest import ROOT, copy_project, run_wugu

AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh installs it)")

#: The pages the issue names for the accessibility check: home, a regulation, a norm section, a form, training.
PROBED = ("index.html", "regulations/R05.html", "norms/S2.html", "forms/F07.html", "training.html",
          "norms/index.html")
#: Faces that render Simplified Chinese on Windows, macOS/iOS and Linux/Android.
CHINESE_FACES = ("Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC",
                 "WenQuanYi Micro Hei")


def _search_module():
    spec = importlib.util.spec_from_file_location("search_top3", ROOT / "scripts" / "search_top3.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


search_top3 = _search_module()


@pytest.fixture(scope="module")
def handbook():
    return load_handbook(ROOT)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("trainer") / "site"
    result = run_wugu("build", str(ROOT), "--out", str(out), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


_PROBE = """<script src="{axe}"></script><script>
window.addEventListener("load", function () {{ setTimeout(function () {{
  axe.run(document, {{resultTypes: ["violations"]}}).then(function (r) {{
    var strip = document.querySelector(".wg-emergency-strip"), tab = document.querySelector('.md-tabs__link[href$="{emergency}"]');
    var out = {{
      violations: r.violations.map(function (v) {{
        return {{id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.slice(0, 5).map(function (n) {{ return n.target.join(" "); }})}};
      }}),
      font: getComputedStyle(document.querySelector(".md-typeset p, .md-typeset li") || document.body).fontFamily,
      lang: document.documentElement.lang,
      tabVisible: !!(tab && tab.offsetParent !== null),
      stripVisible: !!(strip && strip.offsetParent !== null),
      searchName: (document.querySelector(".md-search") || {{getAttribute: function () {{ return ""; }}}}).getAttribute("aria-label")
    }};
    var pre = document.createElement("pre"); pre.id = "wg-probe"; pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }});
}}, 300); }});
</script>"""


@pytest.fixture(scope="module")
def probed(site, tmp_path_factory, handbook) -> dict[tuple[str, int], dict]:
    """axe-core and the probe run in Chromium on each page of :data:`PROBED`, at 1280 and at 390 px wide."""
    copy = tmp_path_factory.mktemp("probe") / "site"
    shutil.copytree(site, copy)
    shutil.copy2(AXE, copy / "axe.min.js")
    emergency = paths.html_url(paths.guide_page(handbook.guide("emergency")))
    for page in PROBED:
        p = copy / page
        probe = _PROBE.format(axe=os.path.relpath(copy / "axe.min.js", p.parent), emergency=emergency)
        p.write_text(p.read_text(encoding="utf-8").replace("</body>", probe + "</body>"), encoding="utf-8")

    def run(job: tuple[str, int]) -> dict:
        page, width = job
        with tempfile.TemporaryDirectory(prefix="wugu-probe-") as profile:
            done = subprocess.run(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={profile}",
                 f"--window-size={width},900", "--virtual-time-budget=20000", "--dump-dom",
                 (copy / page).as_uri()], capture_output=True, text=True, timeout=120)
        m = re.search(r'<pre id="wg-probe">(.*?)</pre>', done.stdout, re.S)
        assert m, f"{page} @ {width}px: the probe did not report ({done.stderr[-500:]})"
        return json.loads(html.unescape(m.group(1)))

    jobs = [(page, 1280) for page in PROBED] + [("index.html", 390), ("forms/F07.html", 390)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(jobs, pool.map(run, jobs)))


# ---- accessibility, fonts, language ----------------------------------------------------------------------

@pytest.mark.parametrize("page", PROBED)
def test_axe_finds_no_serious_or_critical_violation(probed, page):
    for width in (1280, 390):
        if (page, width) in probed:
            bad = [v for v in probed[page, width]["violations"] if v["impact"] in ("serious", "critical")]
            assert not bad, f"{page} @ {width}px: " + json.dumps(bad, ensure_ascii=False, indent=1)


def test_body_text_is_set_in_a_chinese_face_and_marked_zh_cn(probed):
    for (page, width), found in probed.items():
        first = found["font"].split(",")[0].strip().strip("\"'")
        assert first in CHINESE_FACES, f"{page}: body text starts with {found['font']!r}"
        assert found["lang"] == "zh-CN", page
        assert found["searchName"], f"{page}: the search dialog has no accessible name"


# ---- the emergency path ------------------------------------------------------------------------------------

class _Nav(html.parser.HTMLParser):
    """Links inside the page's navigation (tabs and sidebar), with their text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._depth = 0
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "nav" and ("md-tabs" in (a.get("class") or "") or "md-nav" in (a.get("class") or "")):
            self._depth += 1
        elif tag == "nav" and self._depth:
            self._depth += 1
        if tag == "a" and self._depth:
            self._href = a.get("href") or ""
            self.links.append((self._href, ""))

    def handle_endtag(self, tag):
        if tag == "nav" and self._depth:
            self._depth -= 1
        if tag == "a":
            self._href = None

    def handle_data(self, data):
        if self._href is not None and self.links:
            href, text = self.links[-1]
            self.links[-1] = (href, text + data.strip())


def test_every_page_has_the_emergency_entry_in_its_navigation(site, handbook):
    target = (site / paths.html_url(paths.guide_page(handbook.guide("emergency")))).resolve()
    pages = sorted(p for p in site.rglob("*.html") if p.name != "404.html")
    assert len(pages) > 50
    for page in pages:
        text = page.read_text(encoding="utf-8")
        nav = _Nav()
        nav.feed(text)
        hits = [href for href, label in nav.links if label == "遇到紧急情况"]
        assert hits, f"{page.relative_to(site)}: no 遇到紧急情况 in the navigation"
        assert all((page.parent / href).resolve() == target for href in hits), page
        # … and the strip at the top of the page, for phones where the tabs are folded away
        m = re.search(r'<a class="wg-emergency-strip" href="([^"]+)"', text)
        assert m and (page.parent / m.group(1)).resolve() == target, page


def test_the_emergency_entry_is_visible_on_desktop_and_phone(probed):
    assert probed["index.html", 1280]["tabVisible"] and not probed["index.html", 1280]["stripVisible"]
    assert probed["index.html", 390]["stripVisible"]  # the tabs are folded into the menu on a phone


def test_home_and_training_open_with_the_emergency_and_red_line_callouts(site, handbook):
    emergency = paths.html_url(paths.guide_page(handbook.guide("emergency")))
    for page in ("index.html", "training.html"):
        text = (site / page).read_text(encoding="utf-8")
        body = text[text.index("<h1"):]
        callouts = body.index('class="wg-callouts"')
        assert callouts < body.index("<h2"), f"{page}: the callouts are not at the top"
        assert f'href="{emergency}"' in body[callouts:callouts + 1000]
        assert 'norms/index.html#red-lines"' in body[callouts:callouts + 1000]


@pytest.mark.parametrize("query", ["报警", "孩子被打"])
def test_search_puts_the_emergency_guide_first(site, handbook, query):
    top = search_top3.top_pages(site, query, chromium=CHROMIUM)
    assert top, f"no result for {query}"
    assert top[0].split("#")[0] == paths.html_url(paths.guide_page(handbook.guide("emergency"))), top


@pytest.mark.parametrize("query", ["1204", "一盯20年"])
def test_search_finds_the_1204_method_page(site, query):
    top = search_top3.top_pages(site, query, chromium=CHROMIUM)
    assert "method.html" in [t.split("#")[0] for t in top], top


# ---- red lines --------------------------------------------------------------------------------------------

def test_the_red_line_page_lists_every_red_line_first_and_every_norm(site, handbook):
    text = (site / "norms" / "index.html").read_text(encoding="utf-8")
    box = re.search(r'<div class="wg-redlines">(.*?)</div>', text, re.S)
    assert box, "no framed red-line block"
    reds = [n for n in handbook.norms if n.red_line]
    assert len(reds) >= 10
    for n in reds:
        assert f'#{n.id}"' in box.group(1), n.id
        assert n.rule[:10] in html.unescape(re.sub(r"<[^>]+>", "", box.group(1))), n.id
    assert text.index('class="wg-redlines"') < text.index('id="all"')
    rest = text[text.index('id="all"'):]
    for n in handbook.norms:
        assert f'#{n.id}"' in rest, n.id
    # in black and white, a red line is told apart by the ▲ and the frame, not only by colour
    assert rest.count("▲ 红线") == len(reds)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(rf'<a href="norms/index.html#red-lines">{len(reds)} 条是不能碰的红线</a>', home)


# ---- details ----------------------------------------------------------------------------------------------

def test_self_check_boxes_can_be_ticked_and_are_labelled(site):
    text = (site / "training.html").read_text(encoding="utf-8")
    boxes = re.findall(r"<li><label><input ([^>]*)>", text)
    assert len(boxes) >= 10
    assert not [b for b in boxes if "disabled" in b]


def test_404_works_from_a_usb_stick(site):
    text = (site / "404.html").read_text(encoding="utf-8")
    assert "找不到这一页" in text
    assert not re.search(r'(?:href|src)="/(?!/)', text), re.findall(r'(?:href|src)="/[^"]*"', text)[:5]
    assert 'href="assets/stylesheets/' in text


def test_sitemap_only_with_a_site_url(site, handbook, tmp_path):
    """The base wugu.yml sets no site URL (no invented address is published): no sitemap; an edition that sets
    its real address gets one."""
    assert handbook.profile.site_url is None
    assert not (site / "sitemap.xml").exists() and not (site / "sitemap.xml.gz").exists()
    project = copy_project(tmp_path / "proj")
    profile = project / "wugu.yml"
    url = "https://shouqianshou.linyi.invalid/handbook/"
    profile.write_text(profile.read_text(encoding="utf-8") + f"site_url: {url}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_wugu("build", str(project), "--out", str(out), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    assert url + "regulations/R05.html" in (out / "sitemap.xml").read_text(encoding="utf-8")


# ---- everything linked ------------------------------------------------------------------------------------

def _article(path: Path) -> str:
    """The visible text of a page's main article (no navigation, no scripts, no tag attributes)."""
    text = path.read_text(encoding="utf-8")
    m = re.search(r"<article[^>]*>(.*)</article>", text, re.S)
    body = re.sub(r"<script.*?</script>", "", m.group(1) if m else text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_norms_and_forms_link_both_ways(site, handbook):
    pairs = [(n, f) for n in handbook.norms for f in n.form_ids]
    assert len(pairs) >= 20 and {f for _, f in pairs} >= {"F02", "F03", "F04", "F07", "F08", "F10"}
    for n, fid in pairs:
        f = handbook.form(fid)
        norm_page = site / paths.html_url(paths.norms_page(handbook.section(n.section_id)))
        text = norm_page.read_text(encoding="utf-8")
        block = text[text.index(f'id="{n.id}"'):]
        block = block[:block.find("wg-norm", 20) if "wg-norm" in block[20:] else len(block)]
        assert f'href="../{paths.html_url(paths.form_page(f))}"' in block, (n.id, fid)
        form_text = (site / paths.html_url(paths.form_page(f))).read_text(encoding="utf-8")
        assert f'{paths.html_url(paths.norms_page(handbook.section(n.section_id))).split("/")[-1]}#{n.id}"' in form_text


def test_a_norm_naming_an_unknown_form_is_a_check_error(tmp_path):
    project = copy_project(tmp_path / "proj")
    norms = project / "norms" / "S8-records.yml"
    text = norms.read_text(encoding="utf-8")
    assert "    forms: [F07]\n" in text
    norms.write_text(text.replace("    forms: [F07]\n", "    forms: [F77]\n", 1), encoding="utf-8")
    line = text.split("    forms: [F07]\n")[0].count("\n") + 1
    result = run_wugu("check", str(project))
    assert result.returncode == 1
    assert re.search(rf"norms/S8-records\.yml:{line}:\d+: error E302: .*F77", result.stdout + result.stderr)


def test_glossary_terms_link_once_per_page_and_the_glossary_has_no_duplicates(site, handbook):
    r05 = (site / "regulations" / "R05.html").read_text(encoding="utf-8")
    assert r05.count('glossary.html#sensitive-personal-info"') == 1
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'glossary.html#vocab-legal-status"' in home  # a list named in quotation marks links to the list
    # 事实孤儿 is an option of a list, not the term 孤儿
    assert not re.search(r"事实<a [^>]*>孤儿</a>", home)
    glossary = (site / "glossary.html").read_text(encoding="utf-8")
    titles = [re.sub(r"[“”\s]", "", html.unescape(re.sub(r"<[^>]+>", "", t)))
              for t in re.findall(r"<h[23][^>]*>(.*?)<a class=\"headerlink\"", glossary)]
    assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)
    for v in handbook.vocabs:
        assert f'id="vocab-{v.id}"' in glossary, v.id


def test_no_internal_ids_on_screen(site, handbook):
    ids = {v.id for v in handbook.vocabs} | {t.id for t in handbook.glossary}
    word = re.compile(r"(?<![A-Za-z0-9-])(?:[RNS]\d{1,2}|[a-z]+(?:-[a-z0-9]+)+)(?![A-Za-z0-9-])")
    found = {}
    for page in sorted(site.rglob("*.html")):
        hits = set(word.findall(_article(page))) - {"zh-cn"}
        if hits & ids or any(re.fullmatch(r"[RNS]\d{1,2}", h) for h in hits):
            found[str(page.relative_to(site))] = sorted(hits)[:8]
    assert not found, found


def test_indexes_name_forms_and_downloads_by_title(site, handbook):
    regs = (site / "regulations" / "index.html").read_text(encoding="utf-8")
    for r in handbook.regulations:
        for fid in r.form_ids:
            f = handbook.form(fid)
            assert f'{paths.html_url(paths.form_page(f)).split("/")[-1]}">{html.escape(f.title, quote=False)}</a>' in regs
    for page in ("forms/index.html", "forms/F07.html", "packs/index.html", "packs/new-volunteer.html"):
        text = (site / page).read_text(encoding="utf-8")
        labels = re.findall(r"<a [^>]*download[^>]*>(.*?)</a>", text)
        assert labels, page
        assert all(re.search(r"下载《[^》]+》", label) for label in labels), (page, labels)


def test_badges_explain_themselves(site, handbook):
    public = next(r for r in handbook.regulations if r.public)
    text = _article(site / paths.html_url(paths.regulation_page(public)))
    assert "名称见于服务团的公开报道" in text
    for f in handbook.forms:
        page = (site / paths.html_url(paths.form_page(f))).read_text(encoding="utf-8")
        assert page.count("wg-badge--sensitive") <= 1, f.id  # summarised once, not on every field
        if f.has_sensitive:
            text = re.sub(r"\s+", "", _article(site / paths.html_url(paths.form_page(f))))
            assert f"有{len(f.sensitive_fields)}个栏目属于敏感个人信息" in text, f.id


def test_no_note_ends_in_a_full_stop_before_the_bracket(site):
    bad = [str(p.relative_to(site)) for p in site.rglob("*.html") if "。）" in _article(p)]
    assert not bad, bad


def test_the_new_volunteer_pack_carries_the_red_lines(site, handbook):
    pack = handbook.pack("new-volunteer")
    assert pack.red_lines
    text = (site / paths.html_url(paths.pack_page(pack))).read_text(encoding="utf-8")
    for n in handbook.norms:
        assert (f'#{n.id}"' in text) == n.red_line or not n.red_line, n.id


# ---- printing ---------------------------------------------------------------------------------------------

def _print_pdf(page: Path, out: Path) -> list[str]:
    """Chromium's print of a page (A4, as Ctrl+P gives it), as the text of each printed page."""
    with tempfile.TemporaryDirectory(prefix="wugu-print-") as profile:
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        f"--user-data-dir={profile}", "--no-pdf-header-footer", "--virtual-time-budget=5000",
                        f"--print-to-pdf={out}", page.as_uri()], capture_output=True, timeout=120)
    assert out.is_file(), f"Chromium did not print {page}"
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
    return text.split("\f")


def test_the_red_lines_print_on_one_page_of_their_own(site, handbook, tmp_path):
    pages = _print_pdf(site / "norms" / "index.html", tmp_path / "norms.pdf")
    first = re.sub(r"\s+", "", pages[0])
    for n in handbook.norms:
        if n.red_line:
            assert re.sub(r"\s+", "", n.rule)[:12] in first, n.id
    assert "其中红线" not in first and "一、走访陪伴" not in first  # the full list starts on the next sheet
    assert "▲" in first


def test_a_printed_form_page_says_to_print_the_pdf(site, tmp_path):
    pages = _print_pdf(site / "forms" / "F07.html", tmp_path / "F07.pdf")
    text = "".join(pages)
    assert "打印表格请用 PDF" in text and "WG-F07" in text
    assert "表格样式" not in text  # the on-screen preview is not printed as if it were the form
    for p in pages:  # no heading stranded at the foot of a page
        lines = [ln.strip() for ln in p.strip().splitlines() if ln.strip()]
        assert not lines or lines[-1] not in ("相关制度", "所在表格包", "依据", "这张表落实的服务规范"), lines[-3:]


def test_the_new_volunteer_pack_pdf_prints_the_red_lines(pdf_build, handbook):
    """The pack itself (shared `wugu pdf` build): a framed page of red lines, listed in the contents."""
    out = pdf_build[1]
    pack = handbook.pack("new-volunteer")
    pdf = out / paths.pack_pdf(pack)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    pages = text.split("\f")
    contents = next(p for p in pages if "目" in p and "录" in p)
    assert "随附红线" in contents
    red_page = [p for p in pages if "服务规范中任何时候都不能碰的" in p]
    assert len(red_page) == 1
    flat = re.sub(r"\s+", "", red_page[0])
    reds = [n for n in handbook.norms if n.red_line]
    assert flat.count("▲规范") == len(reds)
    for n in reds:
        assert re.sub(r"\s+", "", n.rule)[:12] in flat, n.id
    # the packs without red_lines do not get the page
    other = next(p for p in handbook.packs if not p.red_lines)
    other_text = subprocess.run(["pdftotext", str(out / paths.pack_pdf(other)), "-"], capture_output=True,
                                text=True).stdout
    assert "服务规范中任何时候都不能碰的" not in other_text

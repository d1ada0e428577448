"""Fill mode (在电脑上填写) in a real browser: headless Chromium opens the built site from file:// and a person's
work is played through the DevTools protocol — typing, ticking, adding table rows, 保存, 打开, 打印, 清空.

One site build and one browser are shared by the whole module. Every value typed is fictional and made at run time
(ID numbers in the non-existent region 999xxx, see ``records_sample``). Screenshots and the printed PDF are kept in
``build/screenshots/`` for a person to look at.
"""
from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from cdp import Browser, Page
from conftest import ROOT, run_wugu
from records_sample import fake_id, fake_mobile
from test_site_browser import CHROMIUM

SHOTS = ROOT / "build" / "screenshots"
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh installs it)")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fill") / "site"
    result = run_wugu("build", str(ROOT), "--out", str(out), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    base = tmp_path_factory.mktemp("fill-browser")
    b = Browser(CHROMIUM, base / "profile")
    b.downloads = base / "downloads"
    b.downloads.mkdir()
    b.send("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(b.downloads),
                                           "eventsEnabled": True})
    yield b
    b.close()


class Fill:
    """One form's fill page, driven as a person would: keyboard for text, mouse or Space for boxes."""

    def __init__(self, browser: Browser, site: Path | str, form_id: str) -> None:
        self.browser = browser
        self.page: Page = browser.page()
        self.url = (f"{site}forms/{form_id}-fill.html" if isinstance(site, str)
                    else (site / "forms" / f"{form_id}-fill.html").resolve().as_uri())
        self.page.goto(self.url)
        assert self.page.js("document.querySelector('.wg-fill').classList.contains('wg-fill--ready')")

    def text(self, prop: str, value: str) -> None:
        """Type into a text box, then leave it with Tab (that is when the box is checked)."""
        self.page.focus(f"#wg-{prop}")
        self.page.js(f"document.querySelector('#wg-{prop}').select()")
        self.page.type(value)
        self.page.key("Tab", keycode=9)

    def choose(self, key: str, value: str) -> None:
        """Click an option (radio or check box) by its printed text."""
        self.page.click(f'input[name="{key}"][value="{value}"]')

    def tick(self, prop: str) -> None:
        """Tick a single box (statement, 纸面上已签名) with the keyboard: focus it and press Space."""
        self.page.focus(f"#wg-{prop}")
        self.page.key(" ", code="Space", keycode=32)

    def record(self) -> dict[str, Any]:
        return self.page.js("WuguFill.collect()")

    def problems(self) -> list[dict[str, str]]:
        return self.page.js("WuguFill.problems()")

    def error(self, prop: str) -> str:
        return self.page.js(f"(() => {{ const e = document.getElementById('wg-{prop}-err'); "
                            "return e && !e.hidden ? e.textContent : ''; })()")

    def later(self, expression: str) -> None:
        """Run ``expression`` after this call returns (for actions that open a dialog, which blocks the page)."""
        self.page.js(f"setTimeout(() => {{ {expression} }}, 0); true")

    def dialog(self, accept: bool) -> dict[str, Any]:
        """Wait for the page's dialog (confirm, alert, leave-page), answer it, and return what it said."""
        e = self.browser.wait_for("Page.javascriptDialogOpening", lambda e: e.get("sessionId") == self.page.session)
        self.page.send("Page.handleJavaScriptDialog", {"accept": accept})
        return e["params"]

    def save(self) -> Path:
        """Click 保存 and wait for the browser to finish the download; the saved file."""
        self.page.click('[data-act="save"]')
        begin = self.browser.wait_for("Browser.downloadWillBegin")
        done = self.browser.wait_for("Browser.downloadProgress",
                                     lambda e: e["params"]["guid"] == begin["params"]["guid"]
                                     and e["params"]["state"] == "completed")
        assert done
        return self.browser.downloads / begin["params"]["suggestedFilename"]

    def open(self, path: Path) -> None:
        """Click 打开's file box with ``path`` chosen, and wait until the record is in the form."""
        self.page.set_files(".wg-fill__file", [path])
        for _ in range(100):
            if "已打开" in self.page.js("document.querySelector('.wg-fill__status').textContent"):
                return
            self.page.js("new Promise(r => setTimeout(r, 50))")
        raise AssertionError("the record was not opened: " + self.page.js("document.body.innerText")[:500])

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.page.events("Network.requestWillBeSent")]

    def storage(self) -> dict[str, Any]:
        return self.page.js("indexedDB.databases().then(d => ({local: localStorage.length, session: "
                            "sessionStorage.length, cookie: document.cookie, idb: d.length}))")


def _outside(urls: list[str]) -> list[str]:
    return [u for u in urls if not u.startswith(("file:", "data:", "blob:", "about:"))]


def _pdftext(pdf: bytes, path: Path) -> str:
    path.write_bytes(pdf)
    run = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


def _shots(fill: Fill, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for w, h in ((1280, 900), (390, 844)):
        fill.page.screenshot(SHOTS / f"fill-{name}-{w}.png", w, h, full=True)


def _check_records(path: Path) -> subprocess.CompletedProcess[str]:
    return run_wugu("records", "check", str(path))


# ---- F07: every field kind of the visit log -----------------------------------------------------------------

F07_VALUES = {
    "child": "小明", "village": "东村", "time_span": "14:00—16:30", "hours": "2.5", "place": "东村村委会",
    "daily_life": "奶奶照顾得很细心，孩子自己洗衣服。", "study": "数学进步了，作业按时完成。", "mood": "说话多了，爱笑。",
    "measures": "陪孩子做完作业，送了两本课外书。", "urgent_report": "无",
}


def test_f07_fill_every_kind_save_check_reopen_print(site, browser, tmp_path):
    fill = Fill(browser, site, "F07")
    for prop, value in F07_VALUES.items():
        fill.text(prop, value)
    fill.text("visit_date", "2026年11月3日")                     # as people write it: becomes 2026-11-03
    assert fill.page.js("document.querySelector('#wg-visit_date').value") == "2026-11-03"
    fill.choose("visit_kind", "其他")
    fill.text("visit_kind_other", "学校走访")
    fill.choose("risk_level", "关注：有苗头，下次走访重点跟进")
    people = [("李某某", "结对志愿者", "V-0001"), ("赵某某", "村儿童主任", ""), ("王某某", "奶奶", ""),
              ("钱某某", "同行志愿者", "V-0002"), ("孙某某", "班主任", "")]
    assert fill.page.js("document.querySelectorAll('#wg-participants > tbody > tr').length") == 4  # as on paper
    fill.page.click('[data-field="participants"] .wg-fill__rowadd')                              # one beyond it
    for i, row in enumerate(people):
        for col, value in zip(("name", "role", "volunteer_no"), row):
            if value:
                fill.text(f"participants-{i}-{col}", value)
    for prop in ("photo_consent", "photos", "volunteer_signed", "companion_signed"):
        fill.tick(prop)
    assert fill.problems() == [], fill.problems()
    record = fill.record()
    assert record["hours"] == 2.5 and record["visit_kind"] == "其他" and record["visit_kind_other"] == "学校走访"
    assert len(record["participants"]) == 5 and record["participants"][1] == {"name": "赵某某", "role": "村儿童主任"}
    _shots(fill, "F07-filled")

    saved = fill.save()
    assert saved.name == "WG-F07-2026-11-03.json"     # code and the visit's date, never a name
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data == record
    checked = _check_records(saved)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The printed page: the paper form with the values in place; nothing of the screen's tools.
    text = _pdftext(fill.page.pdf(), SHOTS / "fill-F07-printed.pdf" if SHOTS.is_dir() else tmp_path / "p.pdf")
    flat = re.sub(r"\s+", "", text)
    for value in ("东村村委会", "学校走访", "孙某某", "班主任", "V-0002", "2026年11月3日", "奶奶照顾得很细心"):
        assert value in flat, value
    assert "■其他：学校走访" in flat and "□入户走访" in flat          # ticked as on `wugu records pdf`
    for screen_only in ("保存打开打印清空", "加一行", "纸面上已签名", "例如2026-01-05", "数据只留在这个浏览器里"):
        assert screen_only not in flat, screen_only
    assert "第1页共" in flat                                        # page numbers, as on the PDF form

    # Reopen in a fresh tab: the record comes back whole, and saves back the same.
    again = Fill(browser, site, "F07")
    again.open(saved)
    assert again.record() == data
    assert again.page.js("document.querySelectorAll('#wg-participants > tbody > tr').length") == 5
    assert _outside(fill.requests() + again.requests()) == []
    assert fill.storage() == {"local": 0, "session": 0, "cookie": "", "idb": 0}


# ---- F04: the child survey, with a wrong ID number ----------------------------------------------------------

def test_f04_wrong_id_refused_then_saved_record_passes_the_check(site, browser, tmp_path):
    fill = Fill(browser, site, "F04")
    born = date(2016, 5, 20)
    good_id = fake_id(born, 3, "女")
    wrong_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    fill.text("id_number", wrong_id)
    message = fill.error("id_number")
    assert "身份证号校验位不对" in message
    assert fill.page.js("document.querySelector('#wg-id_number').getAttribute('aria-invalid')") == "true"
    assert "身份证号校验位不对" in fill.page.js("document.querySelector('.wg-fill__summary').innerText")
    assert wrong_id not in fill.page.js("document.querySelector('.wg-fill__summary').innerText")

    # 保存 with problems asks first; saying no saves nothing.
    fill.later("document.querySelector('[data-act=save]').click()")
    asked = fill.dialog(accept=False)
    assert asked["type"] == "confirm" and "没填好" in asked["message"]
    assert not list(browser.downloads.glob("WG-F04-*"))

    fill.text("id_number", good_id)
    assert fill.error("id_number") == ""
    phone = fake_mobile()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in phone)          # typed full-width, in groups 3-4-4
    wide_phone = f"{wide[:3]} {wide[3:7]} {wide[7:]}"
    for prop, value in {"child_no": "DZ-00003", "township": "东镇", "name": "李小红", "ethnicity": "汉族",
                        "birth_date": "2016/5/20", "household_register": "示例县东镇东村",
                        "residence": "同上", "school_grade": "东镇小学四年级", "certified_detail": "2025年3月",
                        "father_age": "38", "carer_name": "王某某",
                        "carer_age": "67", "carer_phone": wide_phone, "household_size": "3",
                        "household_minors": "1", "annual_income": "12000", "needs_note": "最急的是冬衣。",
                        "observations": "孩子有礼貌，衣服单薄。", "survey_date": "2026-10-08",
                        "companions": "赵某某（村儿童主任）"}.items():
        fill.text(prop, value)
    fill.choose("sex", "女")
    fill.choose("aged_14", "false")
    fill.choose("certified", "true")
    fill.choose("legal_status", "事实无人抚养儿童")
    for c in ("事实孤儿", "服刑人员家庭儿童"):
        fill.choose("categories", c)
    fill.choose("mother_status", "其他")
    fill.text("mother_status_other", "长期外出")
    fill.choose("carer_relation", "祖父母")
    fill.choose("safety_risk", "需关注")
    fill.choose("needs", "学业辅导")
    fill.choose("needs", "生活物资")                                    # ticked second: kept second
    for prop in ("consent_f08", "surveyor_signed", "reviewer_signed", "head_signed"):
        fill.tick(prop)
    fill.text("consent_f08_date", "2026-10-08")
    fill.choose("consent_f08_health", "同意")
    fill.choose("consent_f08_share", "同意")
    assert fill.problems() == [], fill.problems()
    record = fill.record()
    assert record["carer_phone"] == phone                 # typed full-width with spaces: tidied on leaving
    assert record["birth_date"] == "2016-05-20" and record["father_age"] == 38 and record["aged_14"] is False
    assert record["needs"] == ["学业辅导", "生活物资"] and record["categories"] == ["事实孤儿", "服刑人员家庭儿童"]
    _shots(fill, "F04-filled")

    saved = fill.save()
    assert saved.name == "WG-F04-DZ-00003-2026-10-08.json"      # code, child number, survey date; never a name
    checked = _check_records(saved)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    again = Fill(browser, site, "F04")
    again.open(saved)
    assert again.record() == json.loads(saved.read_text(encoding="utf-8"))
    assert _outside(fill.requests() + again.requests()) == []
    assert again.storage() == {"local": 0, "session": 0, "cookie": "", "idb": 0}


def test_a_record_accepted_by_the_check_loads_back_without_loss(site, browser, tmp_path):
    """A record made outside the browser (as wugu records check accepts it) opens and saves back unchanged: numbers
    in table cells stay numbers, a `false` stays `false`, options keep their order."""
    record = {"form": "WG-F07", "version": "2026.1", "child": "小明", "visit_date": "2026-11-03", "hours": 3,
              "visit_kind": "电话联系", "risk_level": "无：情况平稳", "photo_consent": False,
              "participants": [{"name": "李某某", "volunteer_no": 12}, {"role": "村儿童主任"}] + [
                  {"name": f"志愿者{i}"} for i in range(6)],
              "volunteer_signed": True, "companion_signed": True}
    path = tmp_path / "WG-F07-record.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert _check_records(path).returncode == 0
    fill = Fill(browser, site, "F07")
    fill.open(path)
    assert fill.record() == record
    assert fill.page.js("document.querySelectorAll('#wg-participants > tbody > tr').length") == 8
    # saved by Notepad as “ANSI” (GBK): refused with how to fix, the form keeps what it had (not garbled text)
    gbk = tmp_path / "WG-F07-ansi.json"
    gbk.write_bytes(json.dumps(dict(record, child="小红"), ensure_ascii=False).encode("gbk"))
    fill.page.set_files(".wg-fill__file", [gbk])
    said = fill.dialog(accept=True)["message"]
    assert "不是 UTF-8 编码" in said and "另存为" in said, said
    assert fill.record() == record


def test_leaving_with_unsaved_changes_asks_and_clear_empties(site, browser):
    fill = Fill(browser, site, "F07")
    fill.text("child", "小明")
    fill.later("location.href = 'about:blank'")
    asked = fill.dialog(accept=False)                       # stay on the page
    assert asked["type"] == "beforeunload"
    assert fill.page.js("location.href") == fill.url and fill.record()["child"] == "小明"

    fill.later("document.querySelector('[data-act=clear]').click()")
    assert "清空" in fill.dialog(accept=True)["message"]
    assert fill.record() == {"form": "WG-F07", "version": "2026.1"}
    fill.later("location.href = 'about:blank'")             # nothing unsaved now: leaves without asking
    browser.wait_for("Page.loadEventFired", lambda e: e.get("sessionId") == fill.page.session)
    assert fill.page.js("location.href") == "about:blank"


def test_keyboard_only_and_labelled_inputs(site, browser):
    fill = Fill(browser, site, "F04")
    unlabelled = fill.page.js("""[...document.querySelectorAll('.wg-fill input:not([type=file]), .wg-fill textarea')]
        .filter(i => !(i.labels && i.labels.length) && !i.getAttribute('aria-label')
                     && !i.getAttribute('aria-labelledby')).map(i => i.outerHTML.slice(0, 120))""")
    assert unlabelled == []
    # Tab from 性别's first option into the next field; arrow keys choose within a group; Space ticks a box.
    fill.page.focus('input[name="sex"][value="男"]')
    fill.page.key(" ", code="Space", keycode=32)
    fill.page.key("ArrowRight", keycode=39)
    assert fill.record()["sex"] == "女"
    fill.page.key("Tab", keycode=9)
    assert fill.page.js("document.activeElement.id") == "wg-ethnicity"
    fill.page.type("汉族")
    assert fill.record()["ethnicity"] == "汉族"
    fill.page.focus('[data-act="save"]')
    assert fill.page.js("document.activeElement.textContent") == "保存"


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not vendored (tests/vendor/axe-core)")
def test_axe_finds_no_serious_or_critical_problem_in_fill_mode(site, browser):
    for form_id in ("F04", "F07"):
        fill = Fill(browser, site, form_id)
        fill.text(*(("id_number", "123") if form_id == "F04" else ("hours", "两个")))   # a message and the summary
        assert fill.page.js("!document.querySelector('.wg-fill__summary').hidden")
        fill.page.js(AXE.read_text(encoding="utf-8"))
        result = fill.page.js("axe.run(document.querySelector('.wg-fill'), {resultTypes: ['violations']})"
                              ".then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
                              ".map(v => [v.id, v.impact, v.nodes.length, v.nodes[0].target.join(' ')]))")
        assert result == [], result


def test_a_form_page_loads_under_100_kb_of_javascript_gzipped(site, browser):
    fill = Fill(browser, site, "F04")
    fill.page.js("new Promise(r => setTimeout(r, 1500))")          # let the search worker start too
    scripts = sorted({u.split("?")[0] for u in fill.requests() if u.split("?")[0].endswith(".js")})
    sizes = {u.rsplit("/site/", 1)[1]: len(gzip.compress(Path(unquote(u.removeprefix("file://"))).read_bytes(), 9))
             for u in scripts}
    # The search index is data in a .js wrapper that Material's search loads on every page of the site; fill pages
    # add nothing to it (they are left out of search). Everything else is code.
    index = sizes.pop("search/search_index.js", 0)
    assert "-fill.html" not in (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert {"assets/wugu/fill/fill.js", "assets/wugu/fill/json-schema.js"} <= set(sizes)
    assert sum(sizes.values()) < 100_000, sizes
    print(f"JavaScript code on a fill page: {sum(sizes.values()) / 1000:.1f} KB gzipped {sizes}; "
          f"search index data: {index / 1000:.1f} KB gzipped")


def test_screenshots_of_the_empty_and_phone_form(site, browser):
    fill = Fill(browser, site, "F07")
    _shots(fill, "F07-empty")
    width = fill.page.js("document.documentElement.scrollWidth")
    assert width <= 1280
    fill.page.send("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1,
                                                          "mobile": True})
    assert fill.page.js("document.documentElement.scrollWidth") <= 390     # nothing wider than a phone
    # the 删除 buttons of a table that scrolls sideways stay inside the screen (they are stuck to its right edge)
    overflow = fill.page.js("[...document.querySelectorAll('.wg-fill__rowdel')].map(b => b.getBoundingClientRect().right"
                            " - b.closest('.wg-subtable-scroll').getBoundingClientRect().right)")
    assert overflow and max(overflow) <= 0, overflow  # px of a button past the visible edge of its table
    fill.page.send("Emulation.clearDeviceMetricsOverride")
    if shutil.which("pdftoppm") and SHOTS.is_dir():
        for pdf in SHOTS.glob("fill-*-printed.pdf"):
            subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(pdf.with_suffix(""))], timeout=60)


def test_works_from_a_web_server_too(site, browser):
    """Served over HTTP (a group's website), the same page checks as you type and fetches nothing elsewhere."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # no request log on the test output
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        fill = Fill(browser, base, "F04")
        fill.text("carer_phone", "1380000000")
        assert "电话号码不对" in fill.error("carer_phone")        # a mobile or a landline (r13)
        assert [u for u in fill.requests() if not u.startswith((base, "data:", "blob:", "about:"))] == []
        assert fill.storage() == {"local": 0, "session": 0, "cookie": "", "idb": 0}
    finally:
        server.shutdown()
        server.server_close()


def test_the_page_checks_against_the_published_schema(site):
    """The schema inlined in each fill page is, byte for byte in meaning, the file the site publishes."""
    for page in sorted((site / "forms").glob("*-fill.html")):
        text = page.read_text(encoding="utf-8")
        inlined = re.search(r'<script type="application/json" class="wg-fill__schema">(.*?)</script>', text, re.S)
        code = json.loads(inlined.group(1))["x-wugu"]["code"]
        published = site / "downloads" / "schemas" / f"{code}.schema.json"
        assert json.loads(inlined.group(1)) == json.loads(published.read_text(encoding="utf-8")), page.name

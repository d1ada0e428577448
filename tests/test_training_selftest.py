"""The self-test page in headless Chromium from file://: a probe added to a copy of the built page takes the test
(one answer right, one wrong, the rest right), reads the verdicts, explanations, rule links and the score, and
lists what the page stored or fetched. Nothing may be stored or sent."""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import ROOT, run_wugu
from test_site_browser import CHROMIUM

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

_PROBE = """<script>
window.addEventListener("load", function () { setTimeout(function () {
  var out = {steps: []};
  try {
    var bank = window.WUGU_SELFTEST;
    var first = bank.sections[0];
    document.querySelector(".wg-st-section").click();
    var total = bank.questions.filter(function (q) { return q.section === first.id; }).length;
    out.total = total;
    for (var i = 0; i < total; i++) {
      var legend = document.querySelector(".wg-st-stem").textContent;
      var q = bank.questions.filter(function (x) { return legend.indexOf(x.stem) === 0; })[0];
      var inputs = document.querySelectorAll(".wg-st-options input");
      var wrong = q.options.map(function (_, k) { return k; }).filter(function (k) { return q.answer.indexOf(k) < 0; });
      (i === 1 ? [wrong[0]] : q.answer).forEach(function (k) { inputs[k].click(); });
      document.querySelector(".wg-st-submit").click();
      if (i < 2) {
        out.steps.push({id: q.id, verdict: document.querySelector(".wg-st-verdict").textContent,
          explain: document.querySelector(".wg-st-explain").textContent,
          links: Array.prototype.map.call(document.querySelectorAll(".wg-st-refs a"), function (a) { return a.getAttribute("href"); })});
      }
      document.querySelector(".wg-st-next").click();
    }
    out.score = document.querySelector(".wg-st-total").textContent;
    out.review = document.querySelectorAll(".wg-st-review li").length;
  } catch (e) { out.error = String(e && e.stack || e); }
  out.localStorage = Object.keys(localStorage);
  out.sessionStorage = Object.keys(sessionStorage);
  out.cookie = document.cookie;
  out.outside = performance.getEntriesByType("resource").map(function (e) { return e.name; })
    .filter(function (n) { return n.indexOf("file:") !== 0; });
  var pre = document.createElement("pre"); pre.id = "wg-probe"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}, 300); });
</script>"""


@pytest.fixture(scope="module")
def taken(tmp_path_factory):
    site = tmp_path_factory.mktemp("selftest") / "site"
    result = run_wugu("build", str(ROOT), "--out", str(site), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    page = site / "self-test.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="wugu-selftest-") as profile:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={profile}",
             "--window-size=390,844", "--virtual-time-budget=15000", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="wg-probe">(.*?)</pre>', done.stdout, re.S)
    assert m, f"the probe did not report ({done.stderr[-500:]})"
    return site, json.loads(html.unescape(m.group(1)))


def test_one_right_one_wrong_with_explanations_and_rule_links(taken):
    site, found = taken
    assert "error" not in found, found.get("error")
    right, wrong = found["steps"]
    assert right["verdict"].startswith("✓") and wrong["verdict"].startswith("✗ 答错了，正确答案是")
    assert right["explain"] and wrong["explain"]
    for step in (right, wrong):
        assert step["links"]
        for href in step["links"]:
            path, _, anchor = href.partition("#")
            target = site / path
            assert target.is_file(), href
            assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), href


def test_score_at_the_end(taken):
    _, found = taken
    total = found["total"]
    assert found["score"] == f"答对 {total - 1} / {total} 题，得分 {round((total - 1) * 100 / total)} 分"
    assert found["review"] == 1


def test_nothing_is_stored_or_sent(taken):
    _, found = taken
    assert found["localStorage"] == [] and found["sessionStorage"] == [] and found["cookie"] == ""
    assert found["outside"] == []


def test_the_training_page_links_to_the_self_test(taken):
    site, _ = taken
    assert 'href="self-test.html"' in (site / "training.html").read_text(encoding="utf-8")
    data = (site / "assets" / "wugu" / "selftest-data.js").read_text(encoding="utf-8")
    assert data.startswith("window.WUGU_SELFTEST = {") and "</" not in data

"""The self-test page in headless Chromium from file://: a probe added to a copy of the built page takes the test
(one answer right, one wrong, the rest right), reads the verdicts, explanations, rule links, the options in the
order shown, and the score screen (pass rule, right answers of the wrong ones), and lists what the page stored or
fetched. Nothing may be stored or sent; options are shuffled on each draw and the answer follows them."""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import ROOT, run_wugu
from wugu.validate import load_handbook
from test_site_browser import CHROMIUM

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

_PROBE = """<script>
window.addEventListener("load", function () { setTimeout(function () {
  var out = {steps: [], orders: []};
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
      var shown = Array.prototype.map.call(document.querySelectorAll(".wg-st-option"), function (label) {
        return {letter: label.querySelector(".wg-st-letter").textContent, text: label.lastChild.textContent,
                value: Number(label.querySelector("input").value)};
      });
      out.orders.push({id: q.id, shown: shown});
      var wrong = q.options.map(function (_, k) { return k; }).filter(function (k) { return q.answer.indexOf(k) < 0; });
      (i === 1 ? [wrong[0]] : q.answer).forEach(function (k) {
        Array.prototype.filter.call(inputs, function (x) { return Number(x.value) === k; })[0].click();
      });
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
    out.passline = document.querySelector(".wg-st-passline").textContent;
    out.result = document.querySelector(".wg-st-result").textContent;
    out.reviewRight = Array.prototype.map.call(document.querySelectorAll(".wg-st-review-right"), function (p) { return p.textContent; });
    out.reviewMine = Array.prototype.map.call(document.querySelectorAll(".wg-st-review-mine"), function (p) { return p.textContent; });
    document.querySelector(".wg-st-again").click();  // then a random draw of 20, walked through to the end
    document.querySelector(".wg-st-random").click();
    out.drawn = [];
    for (var d = 0; d < bank.draw; d++) {
      var stem = document.querySelector(".wg-st-stem").textContent;
      var situation = (document.querySelector(".wg-st-situation") || {}).textContent || "";
      out.drawn.push(bank.questions.filter(function (x) {
        return stem.indexOf(x.stem) === 0 && x.situation === situation; })[0].id);
      document.querySelector(".wg-st-options input").click();
      document.querySelector(".wg-st-submit").click();
      document.querySelector(".wg-st-next").click();
    }
    out.drawnScore = document.querySelector(".wg-st-total").textContent;
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


def _bank(site):
    text = (site / "assets" / "wugu" / "selftest-data.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("{"):text.rindex("}") + 1])


def test_the_score_screen_shows_the_pass_rule_and_the_right_answer(taken):
    site, found = taken
    bank = _bank(site)
    rule = load_handbook(ROOT).fact("考试合格标准")
    assert bank["passRule"] == rule and bank["passMark"] == 80
    assert found["passline"] == f"考试合格标准：{rule}。"
    total = found["total"]
    points = round((total - 1) * 100 / total)
    wrong_id = found["steps"][1]["id"]
    q = next(x for x in bank["questions"] if x["id"] == wrong_id)
    assert found["result"].startswith("按这个标准，这次练习" + ("达到" if points >= 80 and not q["redLine"] else "没有达到"))
    # the answer given and the right answer, with the letters of this draw
    order = next(o for o in found["orders"] if o["id"] == wrong_id)["shown"]
    right = [f"{s['letter']}{s['text']}" if s["letter"] else s["text"] for s in order if s["value"] in q["answer"]]
    assert found["reviewRight"] == ["正确答案：" + "；".join(right)]
    assert found["reviewMine"][0].startswith("你的答案：") and found["reviewMine"] != found["reviewRight"]


def test_options_are_shuffled_and_the_answer_follows_them(taken):
    site, found = taken
    bank = {q["id"]: q for q in _bank(site)["questions"]}
    moved = 0
    for o in found["orders"]:
        q = bank[o["id"]]
        assert sorted(s["text"] for s in o["shown"]) == sorted(q["options"])  # every option, once
        assert [s["text"] for s in o["shown"]] == [q["options"][s["value"]] for s in o["shown"]]
        if q["truefalse"]:
            assert [s["text"] for s in o["shown"]] == ["对", "错"]
        else:
            assert [s["letter"] for s in o["shown"]] == [f"{c}．" for c in "ABCDEF"[:len(q["options"])]]
            moved += [s["value"] for s in o["shown"]] != list(range(len(q["options"])))
    assert moved >= 3  # a section has a dozen or more choice questions; all in bank order is (1/24)^n
    for step in found["steps"]:  # the verdict names the right option by the letter it was shown under
        order = next(o for o in found["orders"] if o["id"] == step["id"])["shown"]
        q = bank[step["id"]]
        letters = "".join(s["letter"].rstrip("．") or s["text"] for s in order if s["value"] in q["answer"])
        assert step["verdict"] in ("✓ 答对了", f"✗ 答错了，正确答案是 {letters}")


def test_nothing_is_stored_or_sent(taken):
    _, found = taken
    assert found["localStorage"] == [] and found["sessionStorage"] == [] and found["cookie"] == ""
    assert found["outside"] == []


def test_the_training_page_links_to_the_self_test(taken):
    site, _ = taken
    assert 'href="self-test.html"' in (site / "training.html").read_text(encoding="utf-8")
    data = (site / "assets" / "wugu" / "selftest-data.js").read_text(encoding="utf-8")
    assert data.startswith("window.WUGU_SELFTEST = {") and "</" not in data


def test_a_random_draw_is_made_like_a_20_question_paper(taken):
    """The random draw holds as many questions of each type and as many red-line questions as a 20-question exam
    paper (wugu.exam.mix), from every section, in the paper's order of types."""
    from collections import Counter

    from wugu.exam import PART_ORDER, mix

    site, found = taken
    handbook = load_handbook(ROOT)
    bank = {q.id: q for q in handbook.questions}
    drawn = [bank[i] for i in found["drawn"]]
    assert len(drawn) == len(set(found["drawn"])) == 20
    plan = mix(handbook, 20)
    assert Counter(q.type for q in drawn) == Counter({t: n for t, n, _ in plan})
    assert Counter(q.type for q in drawn if q.red_line) == Counter({t: r for t, _, r in plan if r})
    assert [q.type for q in drawn] == sorted((q.type for q in drawn), key=PART_ORDER.index)
    per_section = Counter(q.section_id for q in drawn)
    assert len(per_section) == len({q.section_id for q in handbook.questions})
    assert max(per_section.values()) - min(per_section.values()) <= 1, per_section
    assert found["drawnScore"].startswith("答对 ") and found["drawnScore"].endswith(" 分")
    page = (site / "self-test.html").read_text(encoding="utf-8")
    assert "单选 8 道、多选 2 道、判断 4 道、情景 6 道，其中红线题 6 道" in page

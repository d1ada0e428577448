"""Issue 12, sixth round: no input under the caps may hang ``wugu check`` or ``wugu build``.

YAML text dropped into the generated pages never becomes block-level Markdown (r12 attacker round 3, NEW-1:
thousands of ``#`` lines in clause texts made the build run for minutes); pages that Python-Markdown reads for
minutes are refused at once when the pattern is known (E531: headings, runs of backslashes) and stopped by a time
bound otherwise (E532 a page, E534 all pages of a check, E533 the whole site build) — NEW-2. Every hostile input is
made at run time; the bounds are made tiny through the environment so that each test takes seconds.
"""
from __future__ import annotations

import html as html_module
import json
import os
import re
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser

import markdown as python_markdown
import pytest
import yaml

from wugu import escape
from wugu.timelimit import AGAIN, TimeLimit, TimeUp
from wugu.validate.sitepolicy import EXTENSIONS

from conftest import copy_project


def _wugu(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command line with extra environment variables (the time bounds)."""
    return subprocess.run([sys.executable, "-m", "wugu", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})


def _found(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str, int]]:
    return sorted((p["path"], p["code"], p["line"]) for p in json.loads(result.stdout)["problems"])


# ---- YAML text never becomes a block of Markdown ------------------------------------------------------------

#: Line starts that make a block in Python-Markdown with one of the extensions mkdocs.yml may enable.
BLOCKS = ["# 标题", "###### 小标题", "> 引用", "- 列表", "+ 列表", "* 列表", "1. 有序", "2) 有序", "    缩进的代码",
          "\t制表符代码", "```", "~~~", "!!! note \"提示\"", "??? note", "???+ note", "=== \"标签\"", "/// note",
          "---", "***", "___", "===", ": 定义", "| a | b |", "[^1]: 脚注", "*[HTML]: 缩写", "{: #id .cls }",
          "<div>块</div>", "<!-- 注释 -->", "- [ ] 任务", "1234567890. 很长的编号"]
_BLOCK_TAGS = re.compile(r"<(?!/?(?:p|strong|em|br)\b)/?[a-z][a-z0-9]*", re.I)


@pytest.mark.parametrize("start", BLOCKS)
def test_a_block_start_in_yaml_text_stays_text_in_one_paragraph(start):
    extensions = sorted(EXTENSIONS - {"pymdownx.escapeall", "pymdownx.striphtml", "nl2br", "pymdownx.highlight",
                                      "pymdownx.inlinehilite"})
    md = python_markdown.Markdown(extensions=extensions)
    for text in (start, f"正文\n{start}\n{start}", f"正文\n\n{start}\n\n正文", f"  {start}  "):
        for line in (f"{escape.markdown(text)}\n", f"前文\n{escape.markdown(text)}\n",
                     f"**第一条**　{escape.markdown(text)}\n"):
            md.reset()
            html = md.convert(line)
            assert html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1, (text, line, html)
            assert not _BLOCK_TAGS.search(html), (text, line, html)


def test_escaped_text_reads_the_same_with_line_breaks_as_spaces():
    md = python_markdown.Markdown(extensions=["toc", "attr_list", "md_in_html", "admonition", "tables"])
    text = "# 第一行\n\n> 第二行  \n  1. 第三行 *强调* [链接](x) <b> & \\ `码`"
    html = md.convert(escape.markdown(text))
    shown = re.sub(r"<[^>]+>", "", html)
    assert html_module.unescape(shown) == "# 第一行 > 第二行 1. 第三行 *强调* [链接](x) <b> & \\ `码`"
    # in a raw HTML block (<p class="wg-lead">…</p>, <p class="wg-item">…</p>) nothing shows a backslash escape
    md.reset()
    raw = md.convert(f'<p class="x">{escape.markdown(text)}</p>')
    assert raw.startswith('<p class="x">') and raw.count("<") == 2, raw
    assert html_module.unescape(re.sub(r"<[^>]+>", "", raw)) == html_module.unescape(shown)
    assert escape.markdown("2026.1 版") == "2026.1 版" and escape.markdown("3.5 小时") == "3.5 小时"


class _Clause(HTMLParser):
    """The tags inside each clause (``<div class="wg-clause" id="clause-N">``) of a built regulation page."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.current: str | None = None
        self.tags: dict[str, list[str]] = {}
        self.text: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ident = dict(attrs).get("id") or ""
        if tag == "div" and ident.startswith("clause-") and self.current is None:
            self.current, self.depth = ident, 0
            self.tags[ident], self.text[ident] = [], ""
        elif self.current is not None:
            self.tags[self.current].append(tag)
        if self.current is not None and tag == "div":
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.current is not None and tag == "div":
            self.depth -= 1
            if self.depth == 0:
                self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.text[self.current] += data


def test_clause_text_full_of_headings_builds_as_text_and_a_build_past_its_time_keeps_the_old_site(tmp_path):
    project = copy_project(tmp_path / "p")
    source = project / "regulations" / "R01-organization.yml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    kept = len(data["clauses"])
    # NEW-1: 40 clauses of 400 "# 节" lines each (16 000 headings before the fix, 35 s and more for the build),
    # then one clause of every other block start
    data["clauses"] += [{"title": f"测{i}", "text": "\n".join(["# 节"] * 400)} for i in range(40)]
    data["clauses"].append({"title": "各种块", "text": "\n".join(BLOCKS)})
    item = "材料*见[附件]_第一份_ | `原件` {备查} \\ <b>&amp;"  # shown as written, also inside <p class="wg-item">
    data["clauses"].append({"title": "带符号的项", "text": "如下：", "items": [item, "# 第二项\n\n- 第三项"]})
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    glossary = project / "glossary.yml"
    terms = yaml.safe_load(glossary.read_text(encoding="utf-8"))
    terms["terms"][0]["definition"] = "# 不是标题\n\n- 不是列表\n\n    不是代码"
    glossary.write_text(yaml.safe_dump(terms, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out" / "site"
    built = _wugu("build", str(project), "--no-pdf", "--out", str(out))
    assert built.returncode == 0, built.stdout + built.stderr

    page = (out / "regulations" / "R01.html").read_text(encoding="utf-8")
    clauses = _Clause()
    clauses.feed(page)
    added = [f"clause-{n}" for n in range(kept + 1, kept + 42)]
    items = re.findall(r'<p class="wg-item">(.*?)</p>', page.split(f'id="clause-{kept + 42}"')[1])
    assert [html_module.unescape(x) for x in items] == [f"（一）{item}", "（二）# 第二项 - 第三项"], items
    assert set(added) <= set(clauses.tags)
    for ident in added:  # the clause number, its title and the text: one paragraph, no block of any kind
        assert set(clauses.tags[ident]) <= {"p", "strong"}, (ident, clauses.tags[ident])
        assert clauses.tags[ident].count("p") == 1, (ident, clauses.tags[ident])
    assert "# 节 # 节 # 节" in clauses.text[added[0]]
    assert "> 引用 - 列表 + 列表 * 列表 1. 有序" in clauses.text[added[-1]]
    assert len(re.findall(r"<h[1-6]\b", page)) < 20  # the page's own headings only (16 000 before)
    glossary_page = (out / "glossary.html").read_text(encoding="utf-8")
    assert "<p># 不是标题 - 不是列表 不是代码</p>" in glossary_page.replace("&#35;", "#").replace("&#45;", "-")

    # the same project, the whole build bounded to a moment: E533, exit 1, the site above stays as it was
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    stopped = _wugu("build", str(project), "--no-pdf", "--out", str(out), WUGU_SITE_SECONDS="0.3")
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    assert "E533" in stopped.stderr and "Traceback" not in stopped.stderr, stopped.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["site"]  # no staging or docs folder left beside it

    # each page bounded to a moment: the first generated page read past it is named (E532), nothing else is said
    stopped = _wugu("build", str(project), "--no-pdf", "--out", str(out), WUGU_PAGE_SECONDS="0.01")
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    lines = [x for x in stopped.stderr.splitlines() if " error " in x]
    assert len(lines) == 1 and lines[0].startswith("〔生成〕") and "E532" in lines[0], stopped.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["site"]


# ---- pages Python-Markdown would read for minutes ---------------------------------------------------------

def test_pages_of_headings_or_backslashes_are_e531_at_once(tmp_path):
    project = copy_project(tmp_path / "p")
    site = project / "site"
    (site / "h.md").write_text("# a\n" * 60_000, encoding="utf-8")  # NEW-2: 240 KB, minutes before
    (site / "h2.md").write_text("# 页\n\n" + "## 节\n" * 20_000, encoding="utf-8")  # 8 s before
    (site / "setext.md").write_text("# 页\n\n" + "节\n---\n\n" * 1500, encoding="utf-8")
    (site / "b.md").write_text("# n\n\n" + "\\" * 500_000 + "\n", encoding="utf-8")  # minutes before
    (site / "ok.md").write_text("# 页\n\n" + "".join(f"## 第 {i} 节\n\n正文\\\\。\n\n" for i in range(300)),
                                encoding="utf-8")  # a long ordinary page is fine
    result = _wugu("check", str(project), "--format", "json")
    assert result.returncode == 1, result.stderr
    assert _found(result) == [("site/b.md", "E531", 3), ("site/h.md", "E531", 1001), ("site/h2.md", "E531", 1002),
                              ("site/setext.md", "E531", 3001)], result.stdout


def _slow_page() -> str:
    """A page under every counter that Python-Markdown still reads for a while (a second or so)."""
    return "# 页\n\n" + "".join(f"## 第 {i} 节\n\n这是一段**普通**的文字，有[链接](ok.md)和 `代码`。\n\n"
                                 for i in range(800)) + "正文。\n\n" * 3000


def test_a_page_read_past_its_time_is_e532_and_all_pages_past_theirs_e534(tmp_path):
    project = copy_project(tmp_path / "p")
    site = project / "site"
    (site / "ok.md").write_text("# 页\n\n正文\n", encoding="utf-8")
    (site / "slow.md").write_text(_slow_page(), encoding="utf-8")
    result = _wugu("check", str(project), WUGU_PAGE_SECONDS="0.05")
    said = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in said, said
    assert [x.split(" — ")[0] for x in said.splitlines() if " error " in x] == [
        "site/slow.md:1:1: error E532: wugu 读这个页面读了 0.05 秒还没有读完，已经停下：这样的页面会让检查和生成网站卡住"]

    for n in range(2, 5):
        (site / f"slow{n}.md").write_text(_slow_page(), encoding="utf-8")
    result = _wugu("check", str(project), "--format", "json", WUGU_PAGES_SECONDS="0.05")
    assert result.returncode == 1, result.stderr
    found = _found(result)
    assert len(found) == 1 and found[0][1] == "E534" and found[0][0].startswith("site/slow"), found  # said once


# ---- the bound itself ---------------------------------------------------------------------------------------

def _busy(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_bound_stops_busy_python_and_says_which_bound_ran_out():
    outer, inner = TimeLimit(0.3), TimeLimit(5)
    started = time.monotonic()
    with pytest.raises(TimeUp) as caught:
        with outer:
            with inner:
                _busy(5)
    assert caught.value.limit is outer and outer.fired and not inner.fired
    assert time.monotonic() - started < 3

    quick = TimeLimit(0.2)
    with quick:
        _busy(0.01)
    _busy(0.2 + 2 * AGAIN)  # a bound stopped in time never fires afterwards
    assert not quick.fired


def test_a_bound_works_off_the_main_thread():
    result: list[object] = []

    def work() -> None:
        limit = TimeLimit(0.2)
        try:
            with limit:
                _busy(5)
            result.append("ran to the end")
        except TimeUp as exc:
            result.append(exc.limit is limit)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert result == [True]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork: Linux and macOS only")
def test_a_bound_works_in_a_forked_worker():
    import multiprocessing

    with TimeLimit(30):  # the parent has a watchdog (and a bound running) when it forks
        with multiprocessing.get_context("fork").Pool(1) as pool:
            assert pool.apply(_bounded_in_child, (0.2,)) == "stopped"


def _bounded_in_child(seconds: float) -> str:
    limit = TimeLimit(seconds)
    try:
        with limit:
            _busy(5)
    except TimeUp as exc:
        return "stopped" if exc.limit is limit else "another bound"
    return "ran to the end"

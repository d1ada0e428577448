"""``wugu serve`` brings the site up to date by redoing only what an edit affects (wugu.serve, wugu.render.sitelive).

Correctness first: after a sequence of edits taken through the in-place path, the served site equals, file by file,
a clean ``wugu build`` of the same content in a fresh process. Then the real server: an edit shows on the served
page; bad content keeps the last good page and shows the problem on it.
"""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import copy_project, run_wugu
from test_site import _free_port, _get, _wait_for

from wugu.serve import Preview


def _edit(path: Path, pattern: str, repl: str) -> None:
    """Change the first match of ``pattern`` in a file (the test fails if there is none)."""
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, repl, text, count=1, flags=re.M)
    assert n == 1, f"{pattern!r} not found in {path}"
    path.write_text(new, encoding="utf-8")


def _one(folder: Path, glob: str) -> Path:
    return sorted(folder.glob(glob))[0]


def _xlsx_parts(path: Path) -> dict[str, bytes]:
    """An Excel file's parts without the one that holds the time it was written."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def _differences(served: Path, full: Path) -> list[str]:
    """Files that are not the same in the two sites (Excel files compared part by part, without their date)."""
    a = {p.relative_to(served).as_posix() for p in served.rglob("*") if p.is_file()}
    b = {p.relative_to(full).as_posix() for p in full.rglob("*") if p.is_file()}
    out = [f"only served: {n}" for n in sorted(a - b)] + [f"only in full build: {n}" for n in sorted(b - a)]
    for name in sorted(a & b):
        x, y = served / name, full / name
        same = _xlsx_parts(x) == _xlsx_parts(y) if name.endswith(".xlsx") else x.read_bytes() == y.read_bytes()
        if not same:
            out.append(f"differs: {name}")
    return out


def _full_build(project: Path, out: Path) -> Path:
    result = run_wugu("build", str(project), "--no-pdf", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_updates_in_place_equal_a_clean_full_build(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "site").mkdir(exist_ok=True)  # a hand-written page linking to a heading of a generated one
    (project / "site" / "notes.md").write_text("# 笔记\n\n见[红线](guides/boundaries.md#永远不可以)。\n",
                                               encoding="utf-8")
    said: list[str] = []
    served = tmp_path / "serve" / "site"
    preview = Preview(project, served, echo=said.append)
    assert preview.rebuild() and preview.live is not None

    def step(edit, *, expect: str) -> None:
        said.clear()
        edit()
        assert preview.rebuild(), "\n".join(said)
        assert not preview.errors
        assert any(expect in line for line in said), (expect, said)

    reg = _one(project / "regulations", "R05*.yml")
    form = _one(project / "forms", "F07*.yml")
    norms = _one(project / "norms", "*.yml")
    questions = _one(project / "questions", "*.yml")
    guide = project / "guides" / "boundaries.yml"
    # each of these renders only the pages that show it again
    step(lambda: _edit(reg, r"^(\s*text: )", r"\1（测试改动一）"), expect="已更新 1 个页面")
    assert "（测试改动一）" in (served / "regulations" / "R05.html").read_text(encoding="utf-8")
    step(lambda: _edit(form, r"(\{key: \w+, type: text, label: )([^,}]+)", r"\1\2测试栏"), expect="forms/F07.html")
    assert "测试栏" in (served / "forms" / "F07.html").read_text(encoding="utf-8")
    assert "测试栏" in (served / "downloads" / "schemas" / "WG-F07.schema.json").read_text(encoding="utf-8")
    step(lambda: _edit(norms, r"^(\s*rule: )", r"\1测试规范"), expect="已更新")
    step(lambda: _edit(questions, r"^(\s*explain: )", r"\1测试解析"), expect="已更新")
    step(lambda: _edit(guide, r"^(summary: )", r"\1测试摘要"), expect="guides/boundaries.html")
    step(lambda: _edit(reg, r"（测试改动一）", "（测试改动二）"), expect="已更新 1 个页面")
    assert preview.live is not None and not any("整个网站" in line for line in said)
    assert _differences(served, _full_build(project, tmp_path / "full-1")) == []

    # links between pages are checked on every update, not only on the pages rendered again
    html = {p: p.read_bytes() for p in served.rglob("*.html")}
    good = guide.read_text(encoding="utf-8")
    guide.write_text(good.replace("title: 永远不可以", "title: 永远不能"), encoding="utf-8")
    assert not preview.rebuild()
    assert any("E601" in e and "notes.md" in e for e in preview.errors), preview.errors
    assert {p: p.read_bytes() for p in served.rglob("*.html")} == html  # nothing written
    step(lambda: guide.write_text(good, encoding="utf-8"), expect="整个网站")  # the failed update left state behind

    # what every page shows (a title in the navigation, the glossary): the whole site again
    step(lambda: _edit(reg, r"^(title: )(.+)$", r"\1\2（测试）"), expect="整个网站已重新生成")
    step(lambda: _edit(project / "glossary.yml", r"^(\s*definition: )", r"\1测试定义"), expect="整个网站")
    step(lambda: _edit(project / "site" / "notes.md", "# 笔记", "# 笔记（测试）"), expect="整个网站")
    # bad content: nothing written, the problem kept for the page banner; then fixed in place again
    html = {p: p.read_bytes() for p in served.rglob("*.html")}
    good = reg.read_text(encoding="utf-8")
    _edit(reg, r"^(title: )", r"\1[坏")
    assert not preview.rebuild()
    assert any("E101" in e for e in preview.errors) and b"E101" in preview.banner()
    assert {p: p.read_bytes() for p in served.rglob("*.html")} == html
    reg.write_text(good, encoding="utf-8")
    step(lambda: _edit(form, r"测试栏", "测试栏二"), expect="forms/F07.html")
    assert preview.banner() == b""
    assert _differences(served, _full_build(project, tmp_path / "full-2")) == []

    # a plugin wugu does not know may write anything after the pages: only full builds are then correct
    from mkdocs.plugins import BasePlugin

    plugins = preview.live.config.plugins
    plugins["tags"] = BasePlugin()
    assert not preview.live.supported()
    del plugins["tags"]
    assert preview.live.supported()

    # an unexpected failure: one problem line, the last good site kept, the next change builds it all again
    def fail(*args):
        raise RuntimeError("测试用的意外错误")

    preview.live.update = fail
    said.clear()
    _edit(reg, r"（测试改动二）", "（测试改动三）")
    preview.on_change()
    assert any("error E430" in line for line in said) and b"E430" in preview.banner()
    assert "Traceback" not in "\n".join(said) and preview.live is None
    step(lambda: None, expect="整个网站")


def test_pdfs_follow_the_pages_and_only_those_affected_are_made_again(tmp_path, pdf_build):
    """With --pdf: a changed form field remakes that form's PDF and the packs that print it, nothing else."""
    import shutil
    import subprocess

    from wugu import paths

    project = copy_project(tmp_path / "project")
    shutil.copytree(pdf_build[0] / paths.PDF_CACHE, project / paths.PDF_CACHE)  # the same content, rendered once
    said: list[str] = []
    served = tmp_path / "serve" / "site"
    preview = Preview(project, served, pdf=True, echo=said.append)
    assert preview.rebuild(), "\n".join(said)
    downloads = served / paths.DOWNLOADS
    before = {p.name: p.read_bytes() for p in downloads.glob("*.pdf")}
    handbook = preview.live.handbook
    form = next(f for f in handbook.forms if f.id == "F07")
    printing = {paths.pack_pdf(p) for p in handbook.packs if "F07" in p.form_ids}
    shown: list[str] = []
    preview.publish = lambda: shown.append("pages")  # the server shows the pages here, before the PDFs
    said.clear()
    _edit(_one(project / "forms", "F07*.yml"), r"(\{key: \w+, type: text, label: )([^,}]+)", r"\1\2测试栏")
    assert preview.rebuild(), "\n".join(said)
    assert shown == ["pages"] and said.index(next(s for s in said if s.startswith("已更新 2 个页面"))) < \
        said.index(next(s for s in said if s.startswith("PDF 已更新")))
    after = {p.name: p.read_bytes() for p in downloads.glob("*.pdf")}
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {paths.form_pdf(form)} | printing and printing
    text = subprocess.run(["pdftotext", str(downloads / paths.form_pdf(form)), "-"], capture_output=True,
                          text=True).stdout
    assert "测试栏" in text


# ---- the real server ------------------------------------------------------------------------------------

def _page(url: str) -> str:
    return _get(url) or ""


def test_serve_shows_an_edit_and_shows_problems_on_the_page(tmp_path):
    project = copy_project(tmp_path / "project")
    port = _free_port()
    page = f"http://127.0.0.1:{port}/forms/F07.html"
    log_path = tmp_path / "serve.log"
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, "-m", "wugu", "serve", str(project), "-a", f"127.0.0.1:{port}"],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            assert _wait_for(lambda: "WG-F07" in _page(page), timeout=120), "the server did not start"
            form = _one(project / "forms", "F07*.yml")
            good = form.read_text(encoding="utf-8")
            _edit(form, r"(\{key: \w+, type: text, label: )([^,}]+)", r"\1\2（服务测试）")
            assert _wait_for(lambda: "（服务测试）" in _page(page)), "the edit did not show"
            form.write_text(good.replace("title:", "title: [坏", 1), encoding="utf-8")
            assert _wait_for(lambda: "wugu-serve-error" in _page(page)), "no problem shown on the page"
            shown = _page(page)
            assert "E101" in shown and "（服务测试）" in shown  # the problem, over the last good page
            form.write_text(good, encoding="utf-8")
            assert _wait_for(lambda: "（服务测试）" not in (text := _page(page)) and "WG-F07" in text
                             and "wugu-serve-error" not in text)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    output = log_path.read_text(encoding="utf-8")
    assert "Traceback" not in output, output[-3000:]
    assert "网站已生成" in output and "已更新 2 个页面" in output and "整个网站" not in output

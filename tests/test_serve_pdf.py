"""`wugu serve --pdf`: the PDFs are made in the background and never hold up the pages (issue 16; wugu.serve_pdf).

Without timed assertions: the PDF step of an edit is held (in its child process) until the test lets it go, and the
site must show that edit and the next one while the PDFs are still pending; the held job is abandoned for the
newest content, whose PDFs then replace the stale ones; stopping the preview kills a running job; the real server
with --pdf stops cleanly on Ctrl+C and leaves no process behind.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import copy_project
from test_serve_live import _edit, _one
from test_site import _free_port, _get, _wait_for

from wugu import paths
from wugu.serve import Preview


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _project(tmp_path: Path, pdf_build) -> Path:
    project = copy_project(tmp_path / "project")
    shutil.copytree(pdf_build[0] / paths.PDF_CACHE, project / paths.PDF_CACHE)  # the same content, rendered once
    return project


def _hold(preview: Preview, gate: Path, started: Path) -> None:
    """From now on each PDF job says it started (a file named by its process id) and waits for ``gate``."""
    real = preview.pdfs.render

    def held(handbook, out, cache_dir=None):  # runs in the job's child process
        (started / str(os.getpid())).touch()
        while not gate.exists():
            time.sleep(0.05)
        return real(handbook, out, cache_dir=cache_dir)

    preview.pdfs.render = held


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()


def test_the_site_shows_edits_while_the_pdfs_are_pending(tmp_path, pdf_build):
    project = _project(tmp_path, pdf_build)
    said: list[str] = []
    served = tmp_path / "serve" / "site"
    preview = Preview(project, served, pdf=True, echo=said.append)
    try:
        assert preview.rebuild(), "\n".join(said)
        assert preview.pdfs.wait(timeout=600), "\n".join(said)
        downloads = served / paths.DOWNLOADS
        handbook = preview.live.handbook
        assert {paths.form_pdf(f) for f in handbook.forms} <= {p.name for p in downloads.glob("*.pdf")}
        pairing = next(p for p in handbook.packs if "R10" in p.regulation_ids and "F07" in p.form_ids)
        gate, started = tmp_path / "gate", tmp_path / "started"
        started.mkdir()
        _hold(preview, gate, started)

        # edit 1, a form field: the pages at once, the PDFs pending
        _edit(_one(project / "forms", "F07*.yml"), r"(\{key: \w+, type: text, label: )([^,}]+)", r"\1\2测试栏一")
        assert preview.rebuild(), "\n".join(said)
        assert "测试栏一" in (served / "forms" / "F07.html").read_text(encoding="utf-8")
        assert preview.pdfs.busy and "测试栏一" not in _pdf_text(downloads / "WG-F07.pdf")
        assert _wait_for(lambda: any(started.iterdir()), timeout=300), "the PDF job did not start"
        first = int(next(started.iterdir()).name)

        # edit 2, a regulation clause, while the PDF job of edit 1 still runs: the page shows it all the same
        _edit(_one(project / "regulations", "R10*.yml"), r"^(\s*text: )", r"\1（测试改动二）")
        assert preview.rebuild(), "\n".join(said)
        assert "（测试改动二）" in (served / "regulations" / "R10.html").read_text(encoding="utf-8")
        assert preview.pdfs.busy and "测试栏一" not in _pdf_text(downloads / "WG-F07.pdf")

        # the job of edit 1 is abandoned (its process killed); the newest content is made once, and replaces the PDFs
        gate.touch()
        assert preview.pdfs.wait(timeout=600), "\n".join(said)
        assert not preview.pdfs.busy
        assert any("这次排版作废" in line for line in said), said
        assert not _alive(first)
        assert len(list(started.iterdir())) == 2  # the abandoned job and the newest one, nothing in between
        assert "测试栏一" in _pdf_text(downloads / "WG-F07.pdf")
        assert "（测试改动二）" in _pdf_text(downloads / paths.pack_pdf(pairing))
        assert said.index(next(s for s in said if "regulations/R10.html" in s)) < \
            max(i for i, s in enumerate(said) if s.startswith("PDF 已更新"))

        # a site built again as a whole (wugu.yml) gets the PDFs back at once, before the new ones are made
        gate.unlink()
        _edit(project / "wugu.yml", r"^(short_name: )(.+)$", r"\1\2测试")
        assert preview.rebuild(), "\n".join(said)
        assert any("整个网站已重新生成" in line for line in said)
        assert "测试栏一" in _pdf_text(downloads / "WG-F07.pdf") and preview.pdfs.busy

        # stopping the preview (Ctrl+C) kills the running job and waits for it
        assert _wait_for(lambda: len(list(started.iterdir())) == 3, timeout=300)
        preview.close()
        assert not any(_alive(int(p.name)) for p in started.iterdir())  # the held job's child too
    finally:
        preview.close()  # (again: it may be called twice)


def test_the_real_server_with_pdfs_stops_cleanly(tmp_path, pdf_build):
    """`wugu serve --pdf`: the PDFs are served, an edit shows on the page, Ctrl+C ends it within seconds with no
    traceback, and no process of it (the PDF job's child and the workers it forks) is left."""
    project = _project(tmp_path, pdf_build)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log_path = tmp_path / "serve.log"

    def ours() -> list[int]:  # processes started for this project (the forked PDF jobs have the same command line)
        found = []
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and str(project).encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                pass
        return found

    with log_path.open("w", encoding="utf-8") as log:
        server = subprocess.Popen([sys.executable, "-m", "wugu", "serve", str(project), "--pdf",
                                   "-a", f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
        try:
            assert _wait_for(lambda: "WG-F07" in (_get(base + "forms/F07.html") or ""), timeout=300), \
                log_path.read_text(encoding="utf-8")
            assert _wait_for(lambda: "PDF 已更新" in log_path.read_text(encoding="utf-8"), timeout=300)
            form = _one(project / "forms", "F07*.yml")
            _edit(form, r"(\{key: \w+, type: text, label: )([^,}]+)", r"\1\2（服务测试）")
            assert _wait_for(lambda: "（服务测试）" in (_get(base + "forms/F07.html") or ""), timeout=120)
        finally:
            server.send_signal(signal.SIGINT)  # as Ctrl+C; the PDF job of the edit is most likely still running
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
                raise
    output = log_path.read_text(encoding="utf-8")
    assert "Traceback" not in output, output[-3000:]
    assert "预览已结束" in output
    assert _wait_for(lambda: not ours(), timeout=10), (ours(), output[-2000:])
    assert re.search(r"PDF 在后台生成", output)

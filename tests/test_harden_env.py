"""Hardening, classes 10 and 11: the environment fails (read-only, full disk, killed and concurrent builds), and
output that must not lie (``wugu serve`` on odd URLs and SIGTERM, ``--out`` into a content folder).

Every test drives the real CLI on a copy of the shipped content.
"""
from __future__ import annotations

import os
import re
import resource
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, run_wugu


def _codes(result) -> list[str]:
    return re.findall(r"error (E\d{3})", result.stdout + result.stderr)


def _wugu(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "wugu", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A project and its site, built once (no PDFs: the environment, not the renderer, is under test)."""
    project = copy_project(tmp_path_factory.mktemp("env") / "p")
    out = project / "build" / "site"
    result = run_wugu("build", str(project), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    return project, out


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if re.match(rf"\.{out.name}\.(new|old)-", p.name))


def test_output_keeps_usual_permissions(built):
    _project, out = built
    mode = stat.S_IMODE(out.stat().st_mode)
    assert mode & 0o055 == 0o055, oct(mode)  # readable by a web server, not the 0700 of a temporary folder


def test_a_killed_build_leaves_the_old_site_and_the_next_build_cleans_up(built):
    project, out = built
    os.chmod(out, 0o750)  # the owner's choice is kept
    proc = _wugu("build", str(project), "--no-pdf")
    deadline = time.monotonic() + 60
    while not _leftovers(out) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (out / "index.html").is_file()  # never a moment without the site
    assert _leftovers(out)  # what a killed build leaves …
    result = run_wugu("build", str(project), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _leftovers(out) == []  # … the next build removes
    assert stat.S_IMODE(out.stat().st_mode) == 0o750


def test_two_builds_at_once_take_turns_and_the_site_never_disappears(built):
    project, out = built
    procs = [_wugu("build", str(project), "--no-pdf") for _ in range(2)]
    missing = 0
    while any(p.poll() is None for p in procs):
        missing += not (out / "index.html").is_file()
        time.sleep(0.005)
    results = [p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert missing == 0 and _leftovers(out) == []
    assert (out / "index.html").is_file()


def test_a_full_disk_is_a_clean_error_and_the_old_site_stays(built):
    project, out = built
    before = (out / "index.html").read_bytes()

    def small_files() -> None:  # every write beyond 64 KB fails as on a full disk (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))

    result = subprocess.run([sys.executable, "-m", "wugu", "build", str(project), "--no-pdf"], cwd=ROOT,
                            capture_output=True, text=True, preexec_fn=small_files)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "E505" in _codes(result) and "Traceback" not in result.stderr
    assert (out / "index.html").read_bytes() == before and _leftovers(out) == []


def test_a_read_only_output_folder_is_a_clean_error(tmp_path, wugu, built):
    project, _out = built
    result = wugu("build", str(project), "--no-pdf", "--out", "/sys/wugu-site")
    assert result.returncode == 2 and "E505" in _codes(result) and "Traceback" not in result.stderr


def test_an_unwritable_cache_is_skipped(tmp_path, wugu):
    project = copy_project(tmp_path / "p")
    (project / "build").mkdir()
    (project / "build" / ".cache").write_text("not a folder\n", encoding="utf-8")
    out = tmp_path / "pdf"
    result = wugu("pdf", str(project), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(list(out.glob("*.pdf"))) >= 11
    assert not [p for p in out.parent.rglob(".*tmp-*")]


@pytest.mark.parametrize("target", ["regulations", "forms/new", "site", "local/forms", "."])
def test_out_never_points_into_a_content_folder(built, wugu, target):
    project, _out = built
    (project / "local" / "forms").mkdir(parents=True, exist_ok=True)
    before = sorted(p.name for p in (project / "regulations").iterdir())
    for command in ("build", "pdf"):
        result = wugu(command, str(project), "--out", str(project / target), *(["--no-pdf"] if command == "build" else []))
        assert result.returncode == 2, result.stdout + result.stderr
        assert set(_codes(result)) <= {"E507", "E511"} and _codes(result)
    assert sorted(p.name for p in (project / "regulations").iterdir()) == before


# ---- wugu serve -------------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_odd_urls_and_cleans_up_on_sigterm(built, tmp_path):
    project, _out = built
    port = _free_port()
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc = _wugu("serve", str(project), "-a", f"127.0.0.1:{port}", env={**os.environ, "TMPDIR": str(temp)})
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    assert r.status == 200
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.3)
        assert list(temp.glob("wugu-serve-*"))  # the preview's own temporary folder
        for path in ("/%00", "/a%00b.html", "/%ff%fe", "/..%2f..%2fetc/passwd", "/%0d%0aX:%20y"):
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5)
            assert err.value.code == 404, path
    finally:
        proc.send_signal(signal.SIGTERM)
        out, errs = proc.communicate(timeout=30)
    assert "Traceback" not in errs
    assert list(temp.glob("wugu-serve-*")) == []  # (jieba keeps its own dictionary cache there)

"""How long after a save does ``wugu serve`` show the change? Measured over HTTP, side by side with the old way.

Starts two real ``wugu serve`` processes, each on its own copy of the base project: one as it works now (only what
an edit affects is made again), one with ``--full-rebuild`` (every change checks every file and builds the whole
site, as ``wugu serve`` did before). Round after round, alternating between the two, it edits a regulation clause
and a form field, then polls the served page until the new text is there; the time from the save to that moment
is what a maintainer waits for the browser. Prints best and median of each, and the ratio. With ``--pdf`` both
serve with PDFs, and the form edit is also timed until the served form PDF has changed.

    python scripts/bench_serve.py [--rounds 7] [--pdf] [--browser]

``--browser`` times until headless Chromium, with the page open, shows the change: mkdocs' live-reload script
reloads it once the rebuild is done, as in a maintainer's browser.

Both servers poll for saved files every 0.2 s (mkdocs' own default, and the old ``wugu serve``, polled every
0.5 s: ~0.15 s more on average before any rebuild starts).

Both servers are stopped, and the copies removed, whatever happens.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import unicodedata
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import copy_project  # noqa: E402 - a copy of the base project, as the tests make it
#: The two edits: (name, file in the project, page that shows it, pattern of the text to change, PDF that
#: prints it — timed too with --pdf).
EDITS = (
    ("制度条款（R05 第一条）", "regulations/R05*.yml", "regulations/R05.html", r"^(\s*text: )(?:〔\d+〕)?", None),
    ("表格栏目（F07 的一个栏目名）", "forms/F07*.yml", "forms/F07.html",
     r"(\{key: \w+, type: text, label: )(?:〔\d+〕)?", "downloads/WG-F07.pdf"),
)
POLL = 0.01  # seconds between two requests for the page


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    return _get_bytes(url).decode("utf-8", "replace")


def _get_bytes(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.read()
    except (urllib.error.URLError, OSError):
        return b""


@dataclass
class Server:
    """One ``wugu serve`` on its own copy of the project."""

    name: str
    project: Path
    args: list[str]
    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen | None = None
    log: Path | None = None
    times: dict[str, list[float]] = field(default_factory=dict)
    tabs: dict[str, Any] = field(default_factory=dict)  # --browser: page → a Chromium tab showing it

    def open_tabs(self, browser: Any) -> None:
        """A tab on each edited page: mkdocs' live-reload script in it reloads the page after a rebuild."""
        for _name, _glob, page, *_ in EDITS:
            tab = browser.page()
            tab.goto(self.url(page))
            self.tabs[page] = tab

    def look_at(self, page: str) -> None:
        """Bring the page's tab to the front (--browser): the live-reload script only listens in a visible tab."""
        tab = self.tabs.get(page)
        if tab is not None:
            tab.browser.send("Target.activateTarget", {"targetId": tab.target})
            deadline = time.monotonic() + 10
            while tab.js("document.visibilityState") != "visible" and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)  # its request for the next reload is on its way

    def shows(self, page: str, mark: str) -> bool:
        """Whether ``page`` shows ``mark``: in its browser tab (--browser), else as served over HTTP."""
        tab = self.tabs.get(page)
        if tab is None:
            return mark in _get(self.url(page))
        from cdp import CDPError

        try:
            return bool(tab.js(f"!!document.body && document.body.innerText.includes({json.dumps(mark)})",
                               timeout=10))
        except CDPError:  # the page is being reloaded
            return False

    def url(self, page: str) -> str:
        return f"http://127.0.0.1:{self.port}/{page}"

    def start(self, workdir: Path) -> None:
        self.log = workdir / f"{self.name}.log"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                                          os.environ.get("PYTHONPATH")]))}
        with self.log.open("w", encoding="utf-8") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "wugu", "serve", str(self.project), "-a", f"127.0.0.1:{self.port}", *self.args],
                stdout=out, stderr=subprocess.STDOUT, env=env)

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name}: wugu serve ended:\n{self.tail()}")
            if "<title>" in _get(self.url("index.html")):
                return
            time.sleep(0.2)
        raise SystemExit(f"{self.name}: wugu serve did not start in {timeout:.0f} s:\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(self.log.read_text(encoding="utf-8").splitlines()[-15:]) if self.log else ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def measure(self, edit: tuple[str, str, str, str, str | None], n: int, pdf: bool, timeout: float = 120) -> str:
        """Save the edit (a new mark 〔n〕 in the text), time until the served page shows it (and, with ``pdf``,
        until the PDF that prints it has changed); returns the figures as text."""
        name, glob, page, pattern, pdf_page = edit
        path = sorted(self.project.glob(glob))[0]
        mark = f"〔{n}〕"
        text, count = re.subn(pattern, lambda m: m.group(1) + mark, path.read_text(encoding="utf-8"), count=1,
                              flags=re.M)
        assert count == 1, f"{pattern!r} not in {path}"
        old_pdf = _get_bytes(self.url(pdf_page)) if pdf and pdf_page else None
        self.look_at(page)
        path.write_text(text, encoding="utf-8")
        saved = time.perf_counter()
        self._until(lambda: self.shows(page, mark), saved, timeout, name)
        seconds = time.perf_counter() - saved
        self.times.setdefault(name, []).append(seconds)
        if old_pdf is None:
            return f"{seconds:.3f} s"
        self._until(lambda: _get_bytes(self.url(pdf_page)) not in (old_pdf, b""), saved, timeout, pdf_page)
        pdf_seconds = time.perf_counter() - saved
        self.times.setdefault(f"{name} → PDF", []).append(pdf_seconds)
        return f"{seconds:.3f} s, PDF {pdf_seconds:.3f} s"

    def _until(self, done: Any, saved: float, timeout: float, what: str) -> None:
        while not done():
            if time.perf_counter() - saved > timeout:
                raise SystemExit(f"{self.name}: {what} did not change in {timeout:.0f} s:\n{self.tail()}")
            time.sleep(POLL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="edits of each kind per server (default 7)")
    parser.add_argument("--pdf", action="store_true", help="serve with --pdf (PDFs are made after the pages)")
    parser.add_argument("--browser", action="store_true",
                        help="time until headless Chromium shows the change (live reload), not an HTTP request")
    args = parser.parse_args()
    extra = ["--pdf"] if args.pdf else []
    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    browser = None
    servers = [Server("now", copy_project(work / "now"), extra),
               Server("full", copy_project(work / "full"), ["--full-rebuild", *extra])]
    try:
        for s in servers:
            s.start(work)
        for s in servers:
            s.wait_ready()
        if args.browser:
            from cdp import Browser

            browser = Browser(shutil.which("chromium") or "chromium", work / "chromium-profile")
            for s in servers:
                s.open_tabs(browser)
        where = "Chromium shows it" if args.browser else "the served page has it (HTTP)"
        print(f"wugu serve, {args.rounds} rounds, each save timed until {where}{'（带 --pdf）' if args.pdf else ''}:")
        n = 0
        for r in range(args.rounds):
            for edit in EDITS:
                for s in servers if r % 2 == 0 else servers[::-1]:  # alternate who goes first
                    n += 1
                    took = s.measure(edit, n, args.pdf)
                    print(f"  round {r + 1}  {s.name:<4}  {edit[0]}: {took}", flush=True)
                    # let it finish what follows a visible change (data files, PDFs) before the next save
                    time.sleep(8.0 if args.pdf else 0.6)
    finally:
        if browser is not None:
            browser.close()
        for s in servers:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"{_pad('save → visible', 38)}{'now: best':>10}{'median':>9}{'full rebuild: best':>20}{'median':>9}"
          f"{'median ratio':>14}")
    for name in servers[0].times:
        now, full = servers[0].times[name], servers[1].times[name]
        ratio = statistics.median(full) / statistics.median(now)
        print(f"{_pad(name, 38)}{min(now):>9.3f}s{statistics.median(now):>8.3f}s{min(full):>19.3f}s"
              f"{statistics.median(full):>8.3f}s{ratio:>13.1f}×")
    return 0


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)


if __name__ == "__main__":
    sys.exit(main())

"""The built site in a real browser: headless Chromium opens it from file://, searches, takes screenshots.

Screenshots are kept in ``build/screenshots/`` (git-ignored) so a person can look at them after a run.
"""
from __future__ import annotations

import html.parser
import os
import shutil
import struct
import subprocess
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from wugu import paths
from wugu.validate import load_handbook

from conftest import ROOT, run_wugu

SHOTS = ROOT / "build" / "screenshots"
PHONE, DESKTOP = (390, 844), (1280, 800)


def _find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


CHROMIUM = _find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install "
                                                          "chromium; scripts/setup.sh installs it)")


def chromium(tmp_path: Path, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with a throw-away profile, no network chatter, no sandbox (containers)."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--no-first-run", "--disable-sync", "--hide-scrollbars",
           f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def file_url(path: Path, query: str = "") -> str:
    return path.resolve().as_uri() + (f"?q={quote(query)}" if query else "")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    result = run_wugu("build", str(ROOT), "--out", str(out), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


class _Results(html.parser.HTMLParser):
    """Search result links and titles from Material's result list."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.meta = ""
        self._in_meta = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "md-search-result__link" in (a.get("class") or ""):
            self.links.append(a.get("href") or "")
        if "md-search-result__meta" in (a.get("class") or ""):
            self._in_meta = True

    def handle_data(self, data):
        if self._in_meta:
            self.meta += data
            self._in_meta = False


def search(tmp_path: Path, site: Path, query: str) -> _Results:
    """Open the site from file:// with ``?q=`` (Material opens its search with that query) and read the results."""
    run = chromium(tmp_path, "--virtual-time-budget=15000", "--dump-dom", file_url(site / "index.html", query))
    assert run.returncode == 0, run.stderr[-2000:]
    parser = _Results()
    parser.feed(run.stdout)
    return parser


def test_search_for_baomi_finds_the_confidentiality_agreement(tmp_path, site):
    handbook = load_handbook(ROOT)
    target = next(r for r in handbook.regulations if r.title == "儿童信息保密协议")
    results = search(tmp_path, site, "保密")
    assert results.links, f"no search results; meta: {results.meta!r}"
    assert "符合条件的结果" in results.meta
    pages = {urlsplit(unquote(link)).path for link in results.links}
    assert str((site / paths.html_url(paths.regulation_page(target))).resolve()) in pages, sorted(pages)[:10]


def test_search_works_only_thanks_to_the_vendored_worker_shim(tmp_path, site):
    """Control: without the vendored iframe-worker shim, search from file:// finds nothing (so the test above
    really exercises offline search, not some fallback)."""
    crippled = tmp_path / "crippled"
    shutil.copytree(site, crippled)
    (crippled / "assets" / "wugu" / "iframe-worker" / "shim.js").write_text("", encoding="utf-8")
    assert not search(tmp_path, crippled, "保密").links


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("page", ["index.html", "regulations/R05.html", "norms/S2.html", "forms/F07.html"])
def test_screenshots(tmp_path, site, page, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = f"{page.replace('/', '_').removesuffix('.html')}-{size[0]}x{size[1]}.png"
    shot = tmp_path / name
    run = chromium(tmp_path, f"--window-size={size[0]},{size[1]}", "--virtual-time-budget=5000",
                   f"--screenshot={shot}", file_url(site / page))
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    assert _png_size(shot) == size
    assert shot.stat().st_size > 15_000, "the screenshot looks blank"
    shutil.copy2(shot, SHOTS / name)


def test_search_screenshot(tmp_path, site):
    """The search results as a phone shows them: kept for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for w, h in (PHONE, DESKTOP):
        shot = SHOTS / f"search-baomi-{w}x{h}.png"
        run = chromium(tmp_path, f"--window-size={w},{h}", "--virtual-time-budget=15000", f"--screenshot={shot}",
                       file_url(site / "index.html", "保密"))
        assert run.returncode == 0 and _png_size(shot) == (w, h), run.stderr[-2000:]

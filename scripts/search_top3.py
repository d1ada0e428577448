#!/usr/bin/env python3
"""Measure what the handbook's search really returns: the top-3 pages for the words people type.

The site is opened from file:// in headless Chromium with ``?q=…`` (mkdocs-material then runs its own search
worker on the built ``search_index.json``, exactly as a trainer's browser would), and the first three result
groups (one per page) are read from the result list. Nothing is simulated: change the index or the search
settings and these figures change.

Usage: python scripts/search_top3.py [SITE_DIR] [--query Q …] [--json]
Without SITE_DIR the handbook in this repository is built first (``wugu build --no-pdf``) into a temporary folder.
"""
from __future__ import annotations

import argparse
import html.parser
import json
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent

#: The words the trainers' issue asks to measure (issue 11), in that order.
QUERIES = ("保密", "走访", "红线", "现金", "1204", "事实孤儿", "一盯20年", "孩子被打", "报警", "保险", "照片", "退出")


class _ResultList(html.parser.HTMLParser):
    """Material's result list: one ``li.md-search-result__item`` per page; its first link is the best hit."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[list[str]] = []
        self._in_item = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if tag == "li" and "md-search-result__item" in cls:
            self.groups.append([])
        elif tag == "a" and "md-search-result__link" in cls and self.groups:
            self.groups[-1].append(dict(attrs).get("href") or "")


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("需要 Chromium（Debian: apt-get install chromium）")


def top_pages(site: Path, query: str, n: int = 3, chromium: str | None = None) -> list[str]:
    """The site-relative URLs (``page.html`` or ``page.html#section``) of the first ``n`` result groups."""
    url = (site / "index.html").resolve().as_uri() + "?q=" + quote(query)
    with tempfile.TemporaryDirectory(prefix="wugu-search-") as profile:
        run = subprocess.run(
            [chromium or _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={profile}",
             "--virtual-time-budget=15000", "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
    parser = _ResultList()
    parser.feed(run.stdout)
    root = site.resolve().as_posix().rstrip("/") + "/"
    out = []
    for group in parser.groups[:n]:
        parts = urlsplit(unquote(group[0]))
        path = parts.path[len(root):] if parts.path.startswith(root) else parts.path
        out.append(path + (f"#{parts.fragment}" if parts.fragment else ""))
    return out


def titles(site: Path) -> dict[str, str]:
    """Page and section titles from the built search index: location → title."""
    data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return {d["location"]: d["title"].replace("\u200b", "") for d in data["docs"]}


def label(location: str, names: dict[str, str]) -> str:
    """How a hit is shown in the table: the page title, and the section when the best hit is a section."""
    page, _, anchor = location.partition("#")
    title = names.get(page, page)
    shown = f"{title} › {names[location]}" if anchor and location in names else title
    return f"{shown}（{page}）"


def measure(site: Path, queries: tuple[str, ...] = QUERIES) -> dict[str, list[str]]:
    """query → top-3 page locations, two browsers at a time."""
    chromium = _chromium()
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = list(pool.map(lambda q: top_pages(site, q, chromium=chromium), queries))
    return dict(zip(queries, found))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", nargs="?", type=Path, help="a built site folder (default: build this repository's)")
    ap.add_argument("--query", action="append", help="a word to search for (repeatable; default: the issue's list)")
    ap.add_argument("--json", action="store_true", help="print JSON (query → locations) instead of a table")
    args = ap.parse_args()
    queries = tuple(args.query) if args.query else QUERIES
    with tempfile.TemporaryDirectory(prefix="wugu-search-site-") as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            built = subprocess.run([sys.executable, "-m", "wugu", "build", str(ROOT), "--out", str(site), "--no-pdf"],
                                   capture_output=True, text=True)
            if built.returncode != 0:
                print(built.stdout + built.stderr, file=sys.stderr)
                return 1
        results = measure(site, queries)
        if args.json:
            print(json.dumps(results, ensure_ascii=False, indent=1))
            return 0
        names = titles(site)
        print("| 搜索词 | 第 1 | 第 2 | 第 3 |")
        print("| --- | --- | --- | --- |")
        for q, locs in results.items():
            cells = [label(x, names) for x in locs] + ["—"] * (3 - len(locs))
            print(f"| {q} | " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

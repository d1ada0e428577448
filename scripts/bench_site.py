#!/usr/bin/env python3
"""Benchmark: how long the full handbook site build takes (goal: < 3 s on a 2-core machine).

  1. the real command line, ``python -m wugu build DIR --out TMP --no-pdf``: Python start-up, ``wugu check``,
     every page generated, mkdocs-material in strict mode, Chinese search index (jieba), offline index — best of N;
  2. where that time goes, measured in a fresh process each run: imports, check, ``pages()``, mkdocs build;
  3. baseline, side by side: the same generated Markdown written to a plain folder and built by the plain
     ``mkdocs build`` command with a minimal mkdocs-material config (Chinese, search) — what a project that
     committed its pages would run; the difference is what wugu adds (check, generation, offline, strictness);
  4. with ``--pdf``: the PDFs on top (cached and uncached are the PDF renderer's business; reported separately);
  5. with ``--against REV`` (e.g. ``main``): the same command of that git revision (its code and its content,
     from ``git archive``), run alternately with this one in the same run, so that both see the same load; wall
     and CPU seconds (the machine is shared: CPU seconds vary less with the load than wall seconds).
Usage: python scripts/bench_site.py [DIR] [--runs N] [--pdf] [--against REV]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 3.0

_PHASES = r"""
import json, sys, time, tempfile
from pathlib import Path
t0 = time.perf_counter()
from wugu.validate import check
from wugu.render import site
from wugu.render.sitebuild import build_site
t1 = time.perf_counter()
report = check(sys.argv[1])
t2 = time.perf_counter()
site.pages(report.handbook)
t3 = time.perf_counter()
with tempfile.TemporaryDirectory() as tmp:
    result = build_site(report.root, report.handbook, Path(tmp) / "site")
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "check": t2 - t1, "pages": t3 - t2, "mkdocs": t4 - t3, "n": result.pages}))
"""


_WRITE_PLAIN = r"""
import sys
from pathlib import Path
from wugu.validate import load_handbook
from wugu.render import site
docs = Path(sys.argv[2]) / "docs"
for path, text in site.pages(load_handbook(sys.argv[1])).items():
    (docs / path).parent.mkdir(parents=True, exist_ok=True)
    (docs / path).write_text(text, encoding="utf-8")
(Path(sys.argv[2]) / "mkdocs.yml").write_text(
    "site_name: baseline\ntheme:\n  name: material\n  language: zh\n  font: false\nplugins:\n  - search\n"
    "markdown_extensions: [toc, attr_list, md_in_html, admonition, tables]\n", encoding="utf-8")
"""


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONUTF8": "1"})
    elapsed = time.perf_counter() - started
    if run.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{run.stdout}{run.stderr}")
    return elapsed, run


def timed_cpu(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the command and its children) of one run."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd,
                         env={**os.environ, "PYTHONUTF8": "1", **(env or {})})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{run.stdout}{run.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def against(rev: str, runs: int, tmp: Path, baseline: list[str]) -> None:
    """This tree's ``wugu build --no-pdf`` and revision ``rev``'s, alternately (see the module's description)."""
    old = tmp / "rev"
    old.mkdir()
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    sides = {
        "this tree": ([sys.executable, "-m", "wugu", "build", str(ROOT), "--out", str(tmp / "a"), "--no-pdf"], {},
                      ROOT),
        rev: ([sys.executable, "-m", "wugu", "build", str(old), "--out", str(tmp / "b"), "--no-pdf"],
              {"PYTHONPATH": str(old / "src")}, old),
        "baseline (plain mkdocs)": (baseline, {}, ROOT),
    }
    for cmd, env, cwd in sides.values():  # warm caches (file system, jieba, compiled templates) once each
        timed_cpu(cmd, env, cwd)
    seen: dict[str, list[tuple[float, float]]] = {k: [] for k in sides}
    for _ in range(runs):
        for name, (cmd, env, cwd) in sides.items():
            seen[name].append(timed_cpu(cmd, env, cwd))
    print(f"\nside by side, alternating, {runs} runs each: wugu build --no-pdf (command line, with start-up)")
    print(f"{'':<22}{'wall best':>11}{'wall median':>13}{'CPU best':>11}{'CPU median':>12}")
    for name, values in seen.items():
        walls, cpus = sorted(w for w, _c in values), sorted(c for _w, c in values)
        print(f"{name:<22}{walls[0]:>9.2f} s{walls[len(walls) // 2]:>11.2f} s{cpus[0]:>9.2f} s"
              f"{cpus[len(cpus) // 2]:>10.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=str(ROOT))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pdf", action="store_true", help="also time a build with the PDFs")
    parser.add_argument("--against", metavar="REV", help="also run git revision REV's build alternately with this one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wugu-bench-") as tmp:
        out = Path(tmp) / "site"
        cli = [sys.executable, "-m", "wugu", "build", args.directory, "--out", str(out), "--no-pdf"]
        timed(cli)  # warm the file system cache and jieba's dictionary cache once
        times = [timed(cli)[0] for _ in range(args.runs)]
        phases = [json.loads(timed([sys.executable, "-c", _PHASES, args.directory])[1].stdout)
                  for _ in range(max(1, args.runs // 2))]
        best = min(times)
        print(f"handbook: {args.directory}  ({phases[0]['n']} generated pages)  CPUs: {os.cpu_count()}")
        print(f"{'what':<52}{'best of ' + str(args.runs):>12}")
        print(f"{'wugu build --no-pdf (command line, with start-up)':<52}{best:>10.2f} s   "
              f"goal < {GOAL:.0f} s: {'OK' if best < GOAL else 'MISSED'}")
        print(f"{'  median':<52}{sorted(times)[len(times) // 2]:>10.2f} s")
        for key, label in (("imports", "imports (mkdocs, material, jieba, wugu)"), ("check", "wugu check"),
                           ("pages", "pages(handbook): Markdown for every page"),
                           ("mkdocs", "mkdocs-material build (strict, search, offline)")):
            print(f"{'  ' + label:<52}{min(p[key] for p in phases):>10.2f} s")
        plain = Path(tmp) / "plain"
        timed([sys.executable, "-c", _WRITE_PLAIN, args.directory, str(plain)])
        mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(plain / "mkdocs.yml"), "-d",
                  str(Path(tmp) / "plain-site")]
        timed(mkdocs)
        base = min(timed(mkdocs)[0] for _ in range(args.runs))
        print(f"{'baseline: plain mkdocs build of the same pages':<52}{base:>10.2f} s")
        print(f"ratio wugu build / baseline: {best / base:.2f}")
        if args.pdf:
            pdf_cli = [sys.executable, "-m", "wugu", "build", args.directory, "--out", str(out)]
            elapsed, run = timed(pdf_cli)
            print(f"{'wugu build with PDFs (PDF cache as it is)':<52}{elapsed:>10.2f} s")
        if args.against:
            against(args.against, args.runs, Path(tmp), mkdocs)


if __name__ == "__main__":
    main()

"""Benchmark a whole city's editions: `wugu build --editions` against building each edition on its own.

    python scripts/bench_editions.py [--runs 2] [--sample 5] [--keep DIR]

Generates, at run time in a temporary folder, 169 editions of one fictional city: the city's own, 12 counties and
13 townships in each (156), every one with its own group name, parent and office (fictional names, a made-up
"0001-" office number, never a run of zeros that `wugu check` takes for a placeholder; no personal data). One county rewrites a clause of a regulation in `local/overrides.yml`
(so it has content of its own, as real editions do). Then, each in a fresh process as a user runs it:

* **editions, cold**: `wugu build --editions` with no cache and no previous output (best of `--runs`);
* **editions, nothing changed**: the same again (every stamped file is reused);
* **editions, one regulation changed**: every edition rewrites clause 1 of R13 (as when the base changes one
  regulation): its body and the two packs that print it are laid out again, and only those files are stamped
  again;
* **naive**: `wugu pdf --no-cache` in `--sample` editions one after the other (each a fresh process, as a build
  of 169 editions would run it), extrapolated to all 169.

With `--sites` every county and township has a site of its own, so every form prints a QR code to it (stamped
too); the city keeps the example address (no QR code), so its bodies are its own.

The machine's load average is printed with the figures: this machine may be shared, so the best of several runs
is what is reported.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

#: Fictional place names (no real county or township is meant).
COUNTIES = ["青禾", "松岭", "白溪", "云台", "石门", "桃源", "柳塘", "金沙", "鹤鸣", "梅岭", "杏林", "竹溪"]
TOWNS = ["东岗", "西坪", "南湾", "北塘", "上庄", "下河", "中和", "新桥", "长乐", "永安", "平安", "双井", "三岔"]
CITY = "青川"
SUFFIX = "手牵手孤困儿童心理辅导志愿服务团"


def _wugu() -> list[str]:
    exe = Path(sys.executable).with_name("wugu")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "wugu"]


def make_editions(folder: Path, counties: int = 12, towns: int = 13, own: str = "county-03",
                  sites: bool = False) -> list[Path]:
    """``1 + counties × (1 + towns)`` editions under ``folder`` (169 by default): ``city``, ``county-01`` …,
    ``county-01-town-01`` …; the edition ``own`` rewrites a clause (content of its own). With ``sites``, every
    county and township has a site of its own (a made-up address), so its forms print a QR code to it."""
    from wugu.edition import init_edition

    city = folder / "city"
    init_edition(city, name=f"{CITY}市{SUFFIX}", short_name=f"{CITY}市手牵手", level="市", parent=None,
                 phone="0001-1000000", site_url=None)
    made = [city]

    def copy(rel: str, name: str, short: str, level: str, parent: str, phone: str) -> Path:
        target = folder / rel
        shutil.copytree(city, target)
        data = yaml.safe_load((city / "wugu.yml").read_text(encoding="utf-8"))
        data.update(name=name, short_name=short, level=level, parent=parent,
                    contact={"office": short + "办公室", "phone": phone})
        if sites:
            data["site_url"] = f"https://shouce.wugu-demo.cn/{rel}/"
        text = "# 本地版手册的概况（bench_editions.py 生成）\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (target / "wugu.yml").write_text(text, encoding="utf-8")
        return target

    for i, county in enumerate(COUNTIES[:counties], 1):
        cname = f"{county}县{SUFFIX}"
        made.append(copy(f"county-{i:02d}", cname, f"{county}县手牵手", "县", f"{CITY}市{SUFFIX}",
                         f"0001-{i:02d}00000"))
        for j, town in enumerate(TOWNS[:towns], 1):
            made.append(copy(f"county-{i:02d}-town-{j:02d}", f"{county}县{town}镇{SUFFIX}",
                             f"{town}镇手牵手", "乡镇", cname, f"0001-{i:02d}{j:02d}000"))
    (folder / own / "local" / "overrides.yml").write_text(
        "clauses:\n  - regulation: R10\n    clause: 1\n"
        "    text: 本县山区路远，结对志愿者每季度至少走访一次，每次不少于 2 小时。\n    reason: 山区交通不便\n",
        encoding="utf-8")
    return made


_LAST: list[str] = [""]
_CPU: list[float] = [0.0]


def _run(args: list[str], cwd: Path | None = None) -> float:
    """Wall-clock seconds of one command (its CPU seconds, all processes, in ``_CPU[0]``)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    _CPU[0] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    _LAST[0] = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    return seconds


def _reused() -> str:
    """How many files the last build took over from the one before (its closing line says)."""
    m = re.search(r"沿用上次的 (\d+) 个文件", _LAST[0])
    return f"{m.group(1)} files reused" if m else "?"


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def change_one_regulation(editions: list[Path]) -> None:
    """Every edition rewrites clause 1 of R13 (county-03 keeps its own R10 change as well)."""
    clause = ("  - regulation: R13\n    clause: 1\n    text: 每月 5 日前，乡镇团把上月的服务情况汇总报县区团。\n"
              "    reason: 统一报送时间\n")
    for ed in editions:
        path = ed / "local" / "overrides.yml"
        text = path.read_text(encoding="utf-8")
        if re.search(r"^clauses:\n", text, re.M):
            text = re.sub(r"^clauses:\n", lambda m: m.group(0) + clause, text, count=1, flags=re.M)
        else:
            text += "clauses:\n" + clause
        path.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=2, help="cold builds of all editions; the best is reported")
    ap.add_argument("--sample", type=int, default=5, help="editions built on their own for the naive figure")
    ap.add_argument("--keep", type=Path, help="generate the editions in this new folder and keep them there (default:"
                                              " a temporary folder, removed at the end)")
    ap.add_argument("--sites", action="store_true",
                    help="every county and township with a site of its own (its forms print a QR code to it)")
    args = ap.parse_args()
    if args.keep is not None and args.keep.exists() and any(args.keep.iterdir()):
        sys.exit(f"--keep {args.keep}: the folder is not empty; name a new or empty folder")
    # the naive builds' output (and the editions, without --keep) go to a temporary folder, removed at the end even
    # when the run fails, is interrupted (Ctrl+C) or terminated (SIGTERM)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="wugu-bench-editions-"))
    folder = (args.keep or tmp / "editions").resolve()
    try:
        started = time.perf_counter()
        editions = make_editions(folder, sites=args.sites)
        print(f"{len(editions)} editions generated in {time.perf_counter() - started:.1f} s in {folder}")
        print(_load())
        out = folder / "build" / "editions"
        cmd = _wugu() + ["build", "--editions", str(folder)]
        cold: list[float] = []
        cpu: list[float] = []
        for i in range(args.runs):
            shutil.rmtree(folder / "build", ignore_errors=True)
            cold.append(_run(cmd))
            cpu.append(_CPU[0])
            print(f"  editions, cold, run {i + 1}: {cold[-1]:.1f} s, CPU {cpu[-1]:.1f} s   ({_load()})")
        files = sum(1 for _ in out.rglob("*.pdf"))
        warm = _run(cmd)
        print(f"  editions, nothing changed: {warm:.1f} s ({_reused()})")
        change_one_regulation(editions)
        changed = _run(cmd)
        print(f"  editions, one regulation changed: {changed:.1f} s ({_reused()} of {files}; the rest stamped again)")
        naive: list[float] = []
        naive_cpu: list[float] = []
        sample = editions[1:1 + args.sample]
        for ed in sample:
            naive.append(_run(_wugu() + ["pdf", "--no-cache", "--out", str(tmp / "naive" / ed.name)], cwd=ed))
            naive_cpu.append(_CPU[0])
            print(f"  naive, {ed.name}: {naive[-1]:.1f} s, CPU {naive_cpu[-1]:.1f} s")
        per, best_naive = sum(naive) / len(naive), min(naive)
        best = min(cold)
        print()
        print(f"{len(editions)} editions, {files} PDFs ({_load()})")
        print(f"  wugu build --editions, cold (best of {args.runs}): {best:6.1f} s  ({best / len(editions):.2f} s per edition;"
              f" CPU {min(cpu):.1f} s in all processes, the figure that does not depend on the machine's load)")
        print(f"  ... nothing changed:                       {warm:6.1f} s")
        print(f"  ... one regulation changed (R13):          {changed:6.1f} s")
        print(f"  naive, one edition at a time: best {best_naive:.1f} s, mean {per:.1f} s per edition (of {len(sample)})"
              f" → {best_naive * len(editions):.0f}–{per * len(editions):.0f} s for {len(editions)} (extrapolated)")
        print(f"  naive CPU: {min(naive_cpu):.1f} s per edition → {min(naive_cpu) * len(editions):.0f} s for"
              f" {len(editions)};  CPU ratio {min(naive_cpu) * len(editions) / min(cpu):.1f}×")
        print(f"  speed-up, cold: {best_naive * len(editions) / best:.1f}× (best against best)"
              f"   target < 60 s: {'met' if best < 60 else 'NOT met'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if args.keep is not None:
            print(f"kept: the generated editions and their build output are in {folder}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark: how long ``wugu check`` takes on the shipped content (goal: < 1 s on a 2-core machine).

Side by side in one run:
  1. the real command line, ``python -m wugu check`` (includes Python start-up), best of N;
  2. the library call ``wugu.validate.check`` in-process;
  3. a baseline doing the least a checker could: ``yaml.safe_load`` + JSON Schema validation of the same
     files, with no positions, no cross-file checks and no privacy scan.
Usage: python scripts/bench_check.py [DIR] [--runs N]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from benchlib import load, side_by_side  # noqa: E402
from wugu.project import SCHEMAS, find_root, source_files  # noqa: E402
from wugu.validate import check  # noqa: E402


def baseline(root: Path) -> None:
    """Naive check: safe_load and schema-validate every file, nothing more."""
    folder = ROOT / "schemas"
    resources, loaded = [], {}
    for p in folder.glob("*.schema.json"):
        contents = {"$id": p.resolve().as_uri(), **json.loads(p.read_text(encoding="utf-8"))}
        loaded[p.name] = contents
        resources.append((contents["$id"], Resource.from_contents(contents)))
    registry = Registry().with_resources(resources)
    validators = {k: Draft202012Validator(loaded[v], registry=registry) for k, v in SCHEMAS.items()}
    for f in source_files(root):
        data = yaml.safe_load(f.path.read_text(encoding="utf-8"))
        list(validators[f.kind].iter_errors(json.loads(json.dumps(data, default=str))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=str(ROOT))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = find_root(args.directory)
    report = check(root)
    print(f"内容：{report.files} 个文件；检查结果：{'通过' if report.ok else '有错误'}")
    best = side_by_side({
        "cli": lambda: subprocess.run([sys.executable, "-m", "wugu", "check", str(root)], capture_output=True,
                                      cwd=ROOT, check=False),
        "lib": lambda: check(root),
        "base": lambda: baseline(root),
    }, args.runs)
    cli, lib, base = best["cli"], best["lib"], best["base"]
    print(f"{'what':<44}{'best of ' + str(args.runs) + ', interleaved':>12}  ({load()})")
    print(f"{'wugu check (command line, with start-up)':<44}{cli:>10.3f} s   goal < 1 s: {'OK' if cli < 1 else 'MISSED'}")
    print(f"{'wugu.validate.check (in-process)':<44}{lib:>10.3f} s")
    print(f"{'baseline: safe_load + schema only':<44}{base:>10.3f} s")
    print(f"ratio in-process wugu / baseline: {lib / base:.2f}")


if __name__ == "__main__":
    main()

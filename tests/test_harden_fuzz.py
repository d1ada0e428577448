"""Hardening, class 9: a bounded fuzz test that mutates the shipped files (bytes, structure, unicode).

For every mutant the real CLI (in-process, so that thousands of mutants fit in a minute) must end with exit code
0, 1 or 2, never with a traceback, and every problem in the mutated file must name that file and a line. When a
mutant passes the check, its site pages must still render.

The budget is a number of mutants, not a time, so a loaded machine runs the same test: ``WUGU_FUZZ_RUNS`` (default
30, about 10–30 s). Mutants come from a seeded random generator (``WUGU_FUZZ_SEED``, default fixed so CI is
repeatable; every failure names the seed and the mutant number that reproduce it). Run it longer locally:
``WUGU_FUZZ_RUNS=5000 WUGU_FUZZ_SEED=$RANDOM``.
"""
from __future__ import annotations

import json
import os
import random
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from wugu.cli import main

from conftest import copy_project

RUNS = int(os.environ.get("WUGU_FUZZ_RUNS", "30"))
SEED = int(os.environ.get("WUGU_FUZZ_SEED", "20261124"))

#: Pieces of YAML and text that tend to break parsers and the code behind them.
TOKENS = ["[", "]", "{", "}", ":", ": ", "- ", "? ", "&a ", "*a", "!!python/object/apply:os.system ['x']",
          "!!int ", "!!float ", "!!binary ", "!!timestamp ", "!tag ", "<<: *a", "---\n", "...\n", "%YAML 1.1\n",
          "#", "'", '"', "|\n", ">-\n", "\t", "\n", "\r\n", "\\", "\x00", "\x1b[31m", "\u202e", "\ufeff", "\u200b",
          "null", "~", "true", "no", "0x1F", "1e999", "-.inf", "2026-02-30", "9:00", "１３８０００１３８０００",
          "370000200001010010", "[" * 80 + "]" * 80, "{a: " * 70 + "}" * 70, "a" * 3000, "表" * 500,
          "id: F01\n", "number: 0\n", "rows: 100000\n", "columns: []\n", "type: table\n", "\ud800"]


def _unicode(rng: random.Random) -> str:
    """A few random code points from all planes (no lone surrogates: they cannot be written as UTF-8)."""
    out = []
    for _ in range(rng.randint(1, 8)):
        c = rng.choice([rng.randint(0, 0x7F), rng.randint(0x80, 0x7FF), rng.randint(0x3000, 0x9FFF),
                        rng.randint(0xFF00, 0xFFFF), rng.randint(0x10000, 0x10FFFF), rng.randint(0x2000, 0x206F)])
        out.append(chr(c) if not 0xD800 <= c <= 0xDFFF else "\ufffd")
    return "".join(out)


def mutate(rng: random.Random, raw: bytes) -> bytes:
    """One to four random edits of bytes, lines, tokens or unicode."""
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["byte", "token", "token", "unicode", "line-dup", "line-del", "line-swap", "indent",
                           "truncate"])
        lines = raw.split(b"\n")
        pos = rng.randint(0, max(len(raw), 1))
        if kind == "byte":
            raw = raw[:pos] + bytes([rng.randint(0, 255)]) + raw[pos + rng.randint(0, 1):]
        elif kind == "token":
            raw = raw[:pos] + rng.choice(TOKENS).encode("utf-8", "surrogatepass") + raw[pos:]
        elif kind == "unicode":
            raw = raw[:pos] + _unicode(rng).encode("utf-8") + raw[pos:]
        elif kind == "truncate":
            raw = raw[:pos]
        elif lines:
            i = rng.randrange(len(lines))
            if kind == "line-dup":
                lines.insert(i, lines[i])
            elif kind == "line-del":
                del lines[i]
            elif kind == "line-swap":
                j = rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines[i] = b" " * rng.randint(0, 9) + lines[i].lstrip()
            raw = b"\n".join(lines)
    return raw


_LINE = re.compile(r"^(?P<path>.+?)(?::(?P<line>\d+):\d+)?: (?:error E|warning W)\d{3}: .+ — .+$")


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("fuzz") / "p")


def test_mutated_shipped_files_never_crash_the_cli(fuzz_project):
    from wugu.render import site
    from wugu.validate import check

    project = fuzz_project
    files = sorted(p for p in project.rglob("*.yml") if "schemas" not in p.parts)
    originals = {p: p.read_bytes() for p in files}
    runner = CliRunner()
    started = time.monotonic()
    runs = passed = 0
    while runs < RUNS:
        rng = random.Random(f"{SEED}-{runs}")
        target = rng.choice(files)
        mutant = mutate(rng, originals[target])
        fmt = rng.choice(["text", "json", "github"])
        where = f"WUGU_FUZZ_SEED={SEED}, mutant {runs}, {target.relative_to(project)}"
        target.write_bytes(mutant)
        try:
            result = runner.invoke(main, ["check", str(project), "--format", fmt], catch_exceptions=True)
            ok_report = check(project) if result.exit_code == 0 else None
            if ok_report is not None:  # what the check accepts must render
                assert ok_report.handbook is not None and site.pages(ok_report.handbook), where
        finally:
            target.write_bytes(originals[target])
        runs += 1
        shown = target.relative_to(project).as_posix()
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        assert not crashed, f"{where}: {result.exception!r}\n{mutant[:1500]!r}"
        assert result.exit_code in (0, 1, 2), (where, result.output)
        assert "Traceback" not in result.output, where
        if fmt == "json":
            for p in json.loads(result.output)["problems"]:
                if p["path"] == shown:
                    assert p["line"] >= 1, (where, p)
        elif fmt == "text":
            for line in result.output.splitlines()[:-1]:
                m = _LINE.match(line)
                assert m or line.startswith("提示"), (where, line)
                if m and m["path"] == shown:
                    assert m["line"], (where, line)
        passed += result.exit_code == 0
    print(f"fuzz: {runs} mutants in {time.monotonic() - started:.0f} s (seed {SEED}), {passed} passed the check")
    assert runs == RUNS

#!/usr/bin/env python3
"""How far guessing gets on the exam: answer every true/false question 错, take the longest option of every
single-choice and scenario question and the three longest of every multiple-choice question — the strategy a
county trainer's review used on printed papers. For each seed it builds the same paper ``wugu exam --seed N`` prints
(version A) and reports the score, whether every ▲ red-line question came out right, and whether the paper passes
under 【考试合格标准】. ``--cues`` first strikes out options worded like a rationalised mistake (只要…就行, 没关系,
反正, 免得 …), then takes the longest of the rest — a second, test-wise strategy.

    python scripts/guess_exam.py [handbook folder] [--seeds 1-7] [--count 50] [--cues]
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wugu.bank import LETTERS  # noqa: E402
from wugu.exam import choose, paper, pass_mark  # noqa: E402
from wugu.validate import load_handbook  # noqa: E402


#: Words that mark an option as an excuse for a mistake ("只要照护人同意就行") — what ``--cues`` strikes out first.
CUES = re.compile(r"就行|就可以|没关系|不用|没问题|反正|只要|免得")


def _guess(options: tuple[str, ...], multiple: bool, cues: bool = False) -> str:
    """The letters the strategy picks: the longest option (ties: the first printed), or the three longest; with
    ``cues``, among the options without excuse words when any are left."""
    pool = [i for i, o in enumerate(options) if not (cues and CUES.search(o))]
    if len(pool) < (3 if multiple else 1):
        pool = list(range(len(options)))
    by_length = sorted(pool, key=lambda i: -len(re.sub(r"\s+", "", options[i])))
    return "".join(LETTERS[i] for i in sorted(by_length[:3] if multiple else by_length[:1]))


def run(folder: str, seeds: list[int], count: int, cues: bool = False) -> list[tuple[int, float, bool, bool]]:
    """(seed, score, every red-line question right, passed) for each seed."""
    h = load_handbook(folder)
    mark = pass_mark(h)
    rows = []
    for seed in seeds:
        p = paper(h, choose(h, count, seed), seed, "A")
        score, reds_ok = 0.0, True
        for pq in p.questions:
            q = pq.question
            guess = "错" if q.type == "truefalse" else _guess(pq.options, q.type == "multiple", cues)
            right = guess == pq.answer
            score += p.points * right
            reds_ok &= right or not q.red_line
        rows.append((seed, round(score, 1), reds_ok, score >= mark and reds_ok))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=".")
    ap.add_argument("--seeds", default="1-7", help="e.g. 1-7 or 3,5,9")
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--cues", action="store_true", help="strike out options with excuse words first")
    args = ap.parse_args()
    if "-" in args.seeds:
        a, b = args.seeds.split("-")
        seeds = list(range(int(a), int(b) + 1))
    else:
        seeds = [int(s) for s in args.seeds.split(",")]
    rows = run(args.folder, seeds, args.count, args.cues)
    print("种子  得分  红线题全对  合格")
    for seed, score, reds_ok, passed in rows:
        print(f"{seed:>4}  {score:>4g}  {'是' if reds_ok else '否':>6}  {'合格' if passed else '不合格'}")
    print(f"合格 {sum(r[3] for r in rows)} / {len(rows)} 份")


if __name__ == "__main__":
    main()

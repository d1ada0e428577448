#!/usr/bin/env python3
"""How far guessing gets on the exam: answer every true/false question 错, take the longest option of every
single-choice and scenario question and the three longest of every multiple-choice question — the strategy a
county trainer's review used on printed papers. For each seed it builds the same paper ``wugu exam --seed N`` prints
(version A) and reports the score, whether every ▲ red-line question came out right, and whether the paper passes
under 【考试合格标准】. ``--cues`` first strikes out options worded like a rationalised mistake (只要…就行, 没关系,
反正, 免得 …), then takes the longest of the rest — a second, test-wise strategy. ``--testwise`` is the strategy of
the third trainer review (r15): a true/false statement that permits (可以, 只要, 就行, 不算, 不必) is 错, any other
对; a one-answer question takes the only option with “；”, else the only one with “报告”, else the only one with
“、”, else the option with the most rule words less excuse words; a multiple-choice question ticks every option
without excuse words (at least two).

    python scripts/guess_exam.py [handbook folder] [--seeds 1-7] [--count 50] [--cues | --testwise]
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
from wugu.validate.balance import PERMISSIVE  # noqa: E402


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


#: ``--testwise``: words that sound like the rule (scored up) — the excuse words of :data:`CUES` are scored down.
RULE_WORDS = re.compile(r"报告|乡镇团|县团|书面|同意|两人|2 人|化名|不得|不能|登记|签字|转介|慈善总会")
#: ``--testwise``: marks looked for in only one option, in this order.
LONE_MARKS = ("；", "报告", "、")


def _testwise(options: tuple[str, ...], multiple: bool) -> str:
    """The letters the review's test-wise strategy picks for a choice question (see the module's docstring)."""
    if multiple:
        keep = [i for i, o in enumerate(options) if not CUES.search(o)]
        if len(keep) < 2:
            keep = sorted(range(len(options)), key=lambda i: -len(RULE_WORDS.findall(options[i])))[:2]
        return "".join(LETTERS[i] for i in sorted(keep))
    for mark in LONE_MARKS:
        holding = [i for i, o in enumerate(options) if mark in o]
        if len(holding) == 1:
            return LETTERS[holding[0]]
    best = max(range(len(options)),
               key=lambda i: (len(RULE_WORDS.findall(options[i])) - len(CUES.findall(options[i])), -i))
    return LETTERS[best]


def run(folder: str, seeds: list[int], count: int, cues: bool = False,
        testwise: bool = False) -> list[tuple[int, float, bool, bool]]:
    """(seed, score, every red-line question right, passed) for each seed."""
    h = load_handbook(folder)
    mark = pass_mark(h)
    rows = []
    for seed in seeds:
        p = paper(h, choose(h, count, seed), seed, "A")
        score, reds_ok = 0.0, True
        for pq in p.questions:
            q = pq.question
            if testwise:
                guess = (("错" if PERMISSIVE.search(q.stem) else "对") if q.type == "truefalse"
                         else _testwise(pq.options, q.type == "multiple"))
            else:
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
    ap.add_argument("--testwise", action="store_true", help="the third trainer review's cue strategy")
    args = ap.parse_args()
    if "-" in args.seeds:
        a, b = args.seeds.split("-")
        seeds = list(range(int(a), int(b) + 1))
    else:
        seeds = [int(s) for s in args.seeds.split(",")]
    rows = run(args.folder, seeds, args.count, args.cues, args.testwise)
    print("种子  得分  红线题全对  合格")
    for seed, score, reds_ok, passed in rows:
        print(f"{seed:>4}  {score:>4g}  {'是' if reds_ok else '否':>6}  {'合格' if passed else '不合格'}")
    print(f"合格 {sum(r[3] for r in rows)} / {len(rows)} 份")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""How far wording cues get on the question bank itself, question by question (not on drawn papers — see
guess_exam.py for those). Reports the cues a county trainer's review found (r15 training review 3):

- 判断题: the rule "a statement with 可以/只要/就行/不算/不必 is 错, every other one 对" — how many of the bank's
  true/false questions it gets right (a fair bank keeps it near half), and how the permissive and the obliging
  statements split between 对 and 错;
- 多选题: how many options are right in each (a bank where three of four are always right is guessed by striking
  the odd one out);
- 单选题 and 情景题: the "lone negative" — three options lead with 对/可以/能 and one with 不对/不可以/不能/不行,
  and the lone one is the answer.

    python scripts/bank_cues.py [handbook folder]
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wugu.validate import load_handbook  # noqa: E402
from wugu.validate.balance import PERMISSIVE, permissive_cue  # noqa: E402

#: Statements that oblige (应当, 要, 不能, 仍 …).
OBLIGING = re.compile(r"应当|必须|要|不能|不得|仍")
_NEGATIVE_LEAD = re.compile(r"^(不对|不可以|不能|不行|不用|不必|不应)")
_POSITIVE_LEAD = re.compile(r"^(对|可以|能|行|应当)")


def truefalse_rule(questions) -> dict:
    """The permissive-words rule on every true/false question: right answers, and how each kind splits."""
    tf = [q for q in questions if q.type == "truefalse"]
    right = 0
    split: Counter = Counter()
    for q in tf:
        answer = q.options[q.answer[0]]
        permissive = bool(PERMISSIVE.search(q.stem))
        right += permissive_cue(q)
        kind = "permissive" if permissive else "obliging" if OBLIGING.search(q.stem) else "other"
        split[(kind, answer)] += 1
    return {"total": len(tf), "right": right, "split": split}


def multiple_mix(questions) -> Counter:
    """How many multiple-choice questions have 2, 3, 4 … right options (key ``(right, options)``)."""
    return Counter((len(q.answer), len(q.options)) for q in questions if q.type == "multiple")


def lone_negative(questions) -> list[tuple[str, bool]]:
    """Single-choice and scenario questions where exactly one option leads negatively and every other positively:
    (id, the lone negative is the answer)."""
    out = []
    for q in questions:
        if q.type not in ("single", "scenario"):
            continue
        neg = [i for i, o in enumerate(q.options) if _NEGATIVE_LEAD.match(o)]
        pos = [i for i, o in enumerate(q.options) if _POSITIVE_LEAD.match(o)]
        if len(neg) == 1 and len(pos) == len(q.options) - 1:
            out.append((q.id, neg[0] in q.answer))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=".")
    questions = load_handbook(ap.parse_args().folder).questions
    tf = truefalse_rule(questions)
    print(f"判断题 {tf['total']} 道：按“带 可以/只要/就行/不算/不必 答错、其余答对”猜，答对 {tf['right']} 道"
          f"（{tf['right'] / max(1, tf['total']):.0%}）")
    for kind, name in (("permissive", "带放宽字眼（可以/只要…）"), ("obliging", "带要求字眼（应当/要/不能…）"),
                       ("other", "其他")):
        print(f"  {name}：对 {tf['split'][(kind, '对')]} 道，错 {tf['split'][(kind, '错')]} 道")
    mix = multiple_mix(questions)
    print("多选题：" + "，".join(f"{n} 个选项对 {right} 个的 {c} 道" for (right, n), c in sorted(mix.items())))
    lone = lone_negative(questions)
    print(f"单选、情景题里只有一个否定选项的 {len(lone)} 道，其中它就是答案的 {sum(r for _, r in lone)} 道"
          + (f"（{'、'.join(i for i, r in lone if r)}）" if any(r for _, r in lone) else ""))


if __name__ == "__main__":
    main()

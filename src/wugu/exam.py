"""Exam papers from the question bank: which questions, in which order, with which options — a pure function of
the handbook, a seed and a version name, so the same seed always gives the same papers.

Every version of one exam holds the same questions (so one pass mark fits all); versions differ in the order of
the questions within each part and in the order of the options.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from .bank import LETTERS
from .errors import WuguError, problem
from .model import QUESTION_TYPES, Handbook, Question

#: Share of an exam's questions that test a red line (the training regulation makes them must-pass).
RED_LINE_SHARE = 0.3
#: The parts of a paper, in print order.
PART_ORDER = ("single", "multiple", "truefalse", "scenario")
DEFAULT_COUNT = 50
DEFAULT_MINUTES = 60
#: The fact (facts.yml) that states the pass rule once; the regulation, the papers and the self-test all show it.
PASS_FACT = "考试合格标准"
#: Used when the handbook states no pass mark in the form "80 分及以上".
DEFAULT_PASS_MARK = 80
_VERSION = re.compile(r"^[A-Za-z0-9]{1,4}$")
_PASS = re.compile(r"(\d{2,3})\s*分及以上")


@dataclass(frozen=True)
class PaperQuestion:
    """A question as it stands on one version: its number, and its options in this version's order."""

    number: int
    question: Question
    order: tuple[int, ...]  # order[i] = index in the bank of the option printed at letter i

    @property
    def options(self) -> tuple[str, ...]:
        """The options in printed order."""
        return tuple(self.question.options[i] for i in self.order)

    @property
    def answer(self) -> str:
        """The right letters on this version (``B``, ``AC``), or ``对``/``错``."""
        q = self.question
        if q.type == "truefalse":
            return q.options[q.answer[0]]
        return "".join(LETTERS[i] for i, j in enumerate(self.order) if j in q.answer)


@dataclass(frozen=True)
class Part:
    """One part of a paper (一、单项选择题 …)."""

    type: str
    questions: tuple[PaperQuestion, ...]

    @property
    def title(self) -> str:
        """单项选择题 / 多项选择题 / 判断题 / 情景题."""
        return {"single": "单项选择题", "multiple": "多项选择题"}.get(self.type, QUESTION_TYPES[self.type])


@dataclass(frozen=True)
class Paper:
    """One version of an exam."""

    version: str
    seed: int
    parts: tuple[Part, ...]
    points: float  # per question; the paper totals 100
    minutes: int
    pass_mark: int
    pass_rule: str  # the whole rule as the handbook states it (total and red-line questions)

    @property
    def questions(self) -> tuple[PaperQuestion, ...]:
        """Every question in printed order."""
        return tuple(q for p in self.parts for q in p.questions)


def pass_rule(handbook: Handbook) -> str:
    """The pass rule as the fact 【考试合格标准】 states it (an edition may change the fact)."""
    try:
        return handbook.fact(PASS_FACT)
    except KeyError:
        return f"满分 100 分，总分 {DEFAULT_PASS_MARK} 分及以上、并且所有红线题（试卷上标 ▲）全部答对为合格"


def pass_mark(handbook: Handbook) -> int:
    """The pass mark within the pass rule ("80 分及以上"), else 80."""
    m = _PASS.search(pass_rule(handbook))
    return int(m.group(1)) if m else DEFAULT_PASS_MARK


def parse_versions(text: str) -> tuple[str, ...]:
    """``"A,B"`` → ``("A", "B")``; anything else is a usage error (E641)."""
    names = tuple(v.strip() for v in text.split(","))
    if not names or any(not _VERSION.match(v) for v in names) or len(set(names)) != len(names):
        raise WuguError([problem("E641", "--versions", value=text)])
    return names


def choose(handbook: Handbook, count: int, seed: int) -> tuple[Question, ...]:
    """The questions of an exam: a fixed share of red-line questions, every section of the bank covered, the
    rest drawn at random; the same ``seed`` gives the same choice."""
    bank = sorted(handbook.questions, key=lambda q: q.id)
    sections = sorted({q.section_id for q in bank})
    reds_wanted = round(count * RED_LINE_SHARE)
    if count < len(sections) or count > len(bank):
        raise WuguError([problem("E642", "--count", detail=f"题库有 {len(bank)} 道题、{len(sections)} 个部分，要出 {count} 道",
                                 fix=f"--count 写 {len(sections)} 到 {len(bank)} 之间的数")])
    rng = random.Random(f"wugu-exam:{seed}")
    rng.shuffle(bank)
    reds = [q for q in bank if q.red_line]
    others = [q for q in bank if not q.red_line]
    if len(reds) < reds_wanted or len(others) < count - reds_wanted:
        raise WuguError([problem("E642", "--count", detail=f"要 {reds_wanted} 道考红线的题和 {count - reds_wanted} 道其他题，"
                                 f"题库只有 {len(reds)} 道和 {len(others)} 道",
                                 fix="减小 --count，或者在 questions/ 里多写一些题")])
    chosen = reds[:reds_wanted]
    for s in sections:  # every section of the bank on every paper
        if not any(q.section_id == s for q in chosen):
            pick = next((q for q in others if q.section_id == s and q not in chosen), None)
            if pick is not None:
                chosen.append(pick)
    for q in others:
        if len(chosen) >= count:
            break
        if q not in chosen:
            chosen.append(q)
    return tuple(sorted(chosen[:count], key=lambda q: q.id))


def paper(handbook: Handbook, questions: tuple[Question, ...], seed: int, version: str,
          minutes: int = DEFAULT_MINUTES) -> Paper:
    """One version: the parts in :data:`PART_ORDER`, questions and options shuffled by ``seed`` and ``version``."""
    rng = random.Random(f"wugu-exam:{seed}:{version}")
    parts = []
    number = 1
    for kind in PART_ORDER:
        group = [q for q in questions if q.type == kind]
        rng.shuffle(group)
        placed = []
        for q in group:
            order = list(range(len(q.options)))
            if q.type != "truefalse":
                rng.shuffle(order)
            placed.append(PaperQuestion(number, q, tuple(order)))
            number += 1
        if placed:
            parts.append(Part(kind, tuple(placed)))
    return Paper(version, seed, tuple(parts), round(100 / max(1, len(questions)), 2), minutes,
                 pass_mark(handbook), pass_rule(handbook))

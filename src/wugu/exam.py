"""Exam papers from the question bank: which questions, in which order, with which options — a pure function of
the handbook, a seed and a version name, so the same seed always gives the same papers.

Every version of one exam holds the same questions (so one pass mark fits all); versions differ in the order of
the questions within each part and in the order of the options. What a paper is made of depends on its number of
questions alone (:func:`blueprint`, :func:`mix`): every question is worth the same whole number of points, each type
has a fixed share, the red-line questions a fixed share of each type, and the sections of the bank are spread as
evenly as they go; the seed only picks which questions fill that.
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
#: The share of each type on every paper, whatever the seed (50 questions: 20 + 5 + 10 + 15).
TYPE_SHARE = {"single": 0.4, "multiple": 0.1, "truefalse": 0.2, "scenario": 0.3}
DEFAULT_COUNT = 50
DEFAULT_MINUTES = 60
#: How each type is answered, said once: the paper's parts and the answer sheet's parts print these same words.
HOW_TO_ANSWER = {
    "single": "每题只有一个正确答案，在答题卡上这道题的那个字母方框里打“✓”",
    "multiple": "每题有两个或两个以上正确答案，在答题卡上把它们的字母方框都打“✓”；多选、少选、错选均不得分",
    "truefalse": "说法正确的，在答题卡上这道题的“对”方框里打“✓”；说法错误的，在“错”方框里打“✓”",
    "scenario": "先读情景，再答题；每题只有一个正确答案，在答题卡上这道题的那个字母方框里打“✓”",
}
#: How the answer sheet is marked, said once for the paper's instructions and the sheet.
SHEET_RULE = "答案一律标在答题卡上，写在试卷上无效；改答案时把原来的“✓”划掉，再在新的方框里打“✓”"
#: The fact (facts.yml) that states the pass rule once; the regulation, the papers and the self-test all show it.
PASS_FACT = "考试合格标准"
#: Used when the handbook states no pass mark in the form "80 分及以上".
DEFAULT_PASS_MARK = 80
_VERSION = re.compile(r"^[A-Za-z0-9]{1,4}$")
#: Versions of one exam made by one command (three PDFs each: 200 versions ran for minutes).
MAX_VERSIONS = 26
#: Every pass mark and full mark a pass rule states (checked: one mark, 1–100, full marks 100 — E551).
#: (A mark is read whole: ``80.5 分及以上`` is the mark 80.5 — refused, not 5.)
PASS_MARKS = re.compile(r"(?<![\d.．])(\d+(?:[.．]\d+)?)\s*分及以上")
FULL_MARKS = re.compile(r"满分\s*(\d+(?:[.．]\d+)?)\s*分")


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

    @property
    def how(self) -> str:
        """How this part is answered on the answer sheet (:data:`HOW_TO_ANSWER`)."""
        return HOW_TO_ANSWER[self.type]


@dataclass(frozen=True)
class Paper:
    """One version of an exam."""

    version: str
    seed: int
    parts: tuple[Part, ...]
    points: int  # per question, the same for all; the paper totals 100
    minutes: int
    pass_mark: int
    pass_rule: str  # the whole rule as the handbook states it (total and red-line questions)

    @property
    def questions(self) -> tuple[PaperQuestion, ...]:
        """Every question in printed order."""
        return tuple(q for p in self.parts for q in p.questions)

    @property
    def remake(self) -> str:
        """The command that prints this version again, byte for byte (:func:`remake_command`)."""
        return remake_command(self.seed, len(self.questions), (self.version,), self.minutes)

    @property
    def right_to_pass(self) -> int:
        """How many right answers reach the pass mark (80 points at 2 points a question: 40)."""
        return -(-self.pass_mark // self.points)


def remake_command(seed: int, count: int, versions: tuple[str, ...] = ("A",), minutes: int = DEFAULT_MINUTES) -> str:
    """The command that makes the same papers again: ``wugu exam --seed 7`` plus whatever differs from the
    defaults (``--count 20``, ``--versions A,B``, ``--minutes 45``)."""
    parts = [f"wugu exam --seed {seed}"]
    if count != DEFAULT_COUNT:
        parts.append(f"--count {count}")
    if tuple(versions) != ("A",):
        parts.append(f"--versions {','.join(versions)}")
    if minutes != DEFAULT_MINUTES:
        parts.append(f"--minutes {minutes}")
    return " ".join(parts)


def pass_rule(handbook: Handbook) -> str:
    """The pass rule as the fact 【考试合格标准】 states it (an edition may change the fact)."""
    try:
        return handbook.fact(PASS_FACT)
    except KeyError:
        return f"满分 100 分，总分 {DEFAULT_PASS_MARK} 分及以上、并且所有红线题（试卷上标 ▲）全部答对为合格"


def pass_mark(handbook: Handbook) -> int:
    """The pass mark within the pass rule ("80 分及以上"), else 80."""
    m = PASS_MARKS.search(pass_rule(handbook))
    return int(float(m.group(1).replace("．", "."))) if m else DEFAULT_PASS_MARK  # (a decimal mark is E551)


def parse_versions(text: str) -> tuple[str, ...]:
    """``"A,B"`` → ``("A", "B")``; anything else is a usage error (E641)."""
    names = tuple(v.strip() for v in text.split(","))
    if not names or any(not _VERSION.match(v) for v in names) or len(set(names)) != len(names):
        raise WuguError([problem("E641", "--versions", value=text)])
    if len(names) > MAX_VERSIONS:
        raise WuguError([problem("E558", "--versions", count=len(names), limit=MAX_VERSIONS)])
    return names


def counts_allowed(bank_size: int, sections: int) -> tuple[int, ...]:
    """The question counts a paper may have: every question is worth the same whole number of points, totalling
    100 (so a marker counts the right answers and multiplies), and every section fits on it."""
    return tuple(n for n in range(1, 101) if 100 % n == 0 and sections <= n <= bank_size)


def _whole_points(count: int, bank_size: int, sections: int) -> int:
    """Points per question for ``count`` questions; a count that does not give whole points is a usage error."""
    allowed = counts_allowed(bank_size, sections)
    if count in allowed:
        return 100 // count
    listed = "、".join(f"{n} 题（每题 {100 // n} 分）" for n in allowed)
    near = min(allowed, key=lambda n: (abs(n - count), -n), default=None)
    if not sections <= count <= bank_size:
        raise WuguError([problem("E642", "--count", detail=f"题库有 {bank_size} 道题、{sections} 个部分，要出 {count} 道",
                                 fix=f"可以出 {listed}" if allowed else "在 questions/ 里多写一些题")])
    raise WuguError([problem("E652", "--count", count=count, points=f"{100 / count:.2f}".rstrip("0").rstrip("."),
                             allowed=listed or "（题库太小，出不了试卷）",
                             near=f"离 {count} 最近的是 --count {near}" if near else "先在 questions/ 里多写一些题")])


def blueprint(count: int) -> dict[str, int]:
    """How many questions of each type a paper of ``count`` questions holds — the same on every seed: the shares
    of :data:`TYPE_SHARE`, rounded so they add up to ``count`` (largest remainders first, ties in print order)."""
    raw = {t: count * TYPE_SHARE[t] for t in PART_ORDER}
    plan = {t: int(raw[t]) for t in PART_ORDER}
    for t in sorted(PART_ORDER, key=lambda t: -(raw[t] - plan[t]))[:count - sum(plan.values())]:
        plan[t] += 1
    return plan


def red_plan(plan: dict[str, int], reds: int, bank: list[Question]) -> dict[str, int]:
    """How many of each type's questions test a red line: ``reds`` shared out in proportion to the bank's red-line
    questions of each type (a type without any gets none), never more than the type's own count allows."""
    have = {t: sum(q.type == t and q.red_line for q in bank) for t in PART_ORDER}
    spare = {t: sum(q.type == t and not q.red_line for q in bank) for t in PART_ORDER}
    total = sum(have.values()) or 1
    raw = {t: reds * have[t] / total for t in PART_ORDER}
    out = {t: min(int(raw[t]), plan[t], have[t]) for t in PART_ORDER}
    for t in sorted(PART_ORDER, key=lambda t: -(raw[t] - int(raw[t]))) * 2:  # the rest, then whatever still fits
        if sum(out.values()) < reds and out[t] < min(plan[t], have[t]):
            out[t] += 1
    for t in PART_ORDER:  # a type short of other questions takes more of its red-line ones
        while plan[t] - out[t] > spare[t] and out[t] < min(plan[t], have[t]):
            out[t] += 1
    return out


def mix(handbook: Handbook, count: int) -> list[tuple[str, int, int]]:
    """(type, questions, of which red-line) of a paper of ``count`` questions from this handbook's bank, in print
    order — what :func:`choose` fills, and what the site's self-test draws by."""
    bank = list(handbook.questions)
    plan = blueprint(count)
    reds = red_plan(plan, round(count * RED_LINE_SHARE), bank)
    return [(t, plan[t], reds[t]) for t in PART_ORDER if plan[t]]


def choose(handbook: Handbook, count: int, seed: int) -> tuple[Question, ...]:
    """The questions of an exam. What the paper is made of is fixed by ``count`` alone (:func:`blueprint`: so many
    questions of each type, a fixed share of them red-line questions, the sections of the bank as evenly as they
    go); which questions fill it is drawn by ``seed`` — the same seed gives the same choice. Questions marked
    ``paper: false`` (the paper's own instructions answer them) are left to the self-test."""
    bank = sorted((q for q in handbook.questions if q.paper), key=lambda q: q.id)
    sections = sorted({q.section_id for q in bank})
    _whole_points(count, len(bank), len(sections))
    plan = blueprint(count)
    reds = red_plan(plan, round(count * RED_LINE_SHARE), bank)
    rng = random.Random(f"wugu-exam:{seed}")
    rng.shuffle(bank)
    chosen: list[Question] = []
    per_section = dict.fromkeys(sections, 0)
    tested: set[str] = set()
    # the scarcest type first, so that it takes the sections it can and the plentiful ones even out the rest
    for kind in sorted(PART_ORDER, key=lambda t: sum(q.type == t for q in bank) / max(1, plan[t])):
        for red, wanted in ((True, reds[kind]), (False, plan[kind] - reds[kind])):
            pool = [q for q in bank if q.type == kind and q.red_line == red]
            if len(pool) < wanted:
                what = "考红线的" if red else "不考红线的"
                raise WuguError([problem("E642", "--count", detail=f"{count} 道题的试卷要 {wanted} 道{what}{QUESTION_TYPES[kind]}，"
                                         f"题库只有 {len(pool)} 道", fix="减小 --count，或者在 questions/ 里多写一些这类题")])
            for _ in range(wanted):
                # the least-covered section first; then a question testing rules not yet on the paper; then the draw
                best = min(range(len(pool)), key=lambda i: (per_section[pool[i].section_id],
                                                            len(tested.intersection(pool[i].tests)), i))
                q = pool.pop(best)
                chosen.append(q)
                per_section[q.section_id] += 1
                tested.update(q.tests)
    return tuple(sorted(chosen, key=lambda q: q.id))


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
    return Paper(version, seed, tuple(parts), 100 // max(1, len(questions)), minutes,
                 pass_mark(handbook), pass_rule(handbook))

"""Whether the bank can be passed by guessing: the answers of a good bank give nothing away by their form.

A reviewer who answered every true/false question 错 and took the longest option of every choice question passed
most papers of an older bank. These warnings (W360–W363; ``--strict`` makes them errors) look at the whole bank as
a trainee sees it (facts resolved, an edition's hidden questions left out):

- W360: the share of true/false questions answered 错 is outside 35–65 %;
- W361: the right answer is the longest option (for a multiple-choice question: the right options are all longer
  than every wrong one) in more than 40 % of the choice questions;
- W362: one letter holds the right answer of more than 40 % of the single-choice and scenario questions — papers
  and the self-test shuffle the options, but the bank is also exported as it stands for other exam tools;
- W363: one answer set (ABC …) is the answer of more than 40 % of the multiple-choice questions;
- W365: a mark or word (“；”, “报告”, “、”) found in only one option is that question's right answer too often;
- W364: one single-choice or scenario question whose right option is a fifth longer than its longest wrong one
  (and at least :data:`STANDS_OUT_CHARS` characters longer) — judged on every question, whatever the bank's size;
- W370: the true/false wording cue — "a statement that permits (可以, 只要…就行, 不算, 不必) is 错, every other one
  对" answers more than 65 % of the true/false questions right;
- W371: more than 60 % of the multiple-choice questions have the same number of right options (three of four,
  say), so striking the odd one out is a strategy.

A bank too small to say anything (fewer than :data:`MIN_COUNT` questions of the kind) is not judged.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ..bank import LETTERS, normalise
from ..errors import Problem, problem
from ..loader import Document
from ..model import Handbook, Question

#: The share of true/false questions answered 错 must lie within these bounds.
FALSE_SHARE = (0.35, 0.65)
#: At most this share of choice questions may have the longest option right.
LONGEST_SHARE = 0.40
#: At most this share of single-choice/scenario questions may share one answer letter,
#: and at most this share of multiple-choice questions one answer set.
POSITION_SHARE = 0.40
SET_SHARE = 0.40
#: Fewer questions of a kind than this are not judged (a local bank of a few questions).
MIN_COUNT = 10
#: W364: a right option this many times as long as the longest wrong one, and this many characters longer, stands out.
STANDS_OUT_RATIO = 1.2
STANDS_OUT_CHARS = 4
#: W365: a mark or word that, found in only one option of a one-answer question, is the right one in more than this
#: share of at least CUE_MIN such questions gives the answer away without reading for meaning.
CUES = ("；", "报告", "、")  # “、”: the right option listing several steps (r15 review 3, train6)
CUE_SHARE = 0.6
CUE_MIN = 6
#: W370: words that make a true/false statement permit something; the cue "permits → 错, else 对" must not answer
#: more than this share of the true/false questions right (a fair bank keeps it near half).
PERMISSIVE = re.compile(r"可以|只要|就行|不算|不必")
WORDING_SHARE = 0.65
#: W371: at most this share of the multiple-choice questions may have one number of right options.
RIGHT_COUNT_SHARE = 0.60
#: How many question ids a message lists as examples.
EXAMPLES = 6


def _length(text: str) -> int:
    return len(normalise(text))


def longest_is_right(q: Question) -> bool:
    """The right answer stands out by length: for one answer, it is longer than every other option; for several,
    each right option is longer than every wrong one."""
    right = [_length(q.options[i]) for i in q.answer]
    wrong = [_length(o) for i, o in enumerate(q.options) if i not in q.answer]
    return bool(wrong) and min(right) > max(wrong)


def stands_out(q: Question) -> tuple[int, int] | None:
    """(right, longest wrong) lengths when a one-answer question's right option stands out by length, else None."""
    if q.type not in ("single", "scenario") or len(q.answer) != 1:
        return None
    right = _length(q.options[q.answer[0]])
    wrong = max((_length(o) for i, o in enumerate(q.options) if i != q.answer[0]), default=right)
    return (right, wrong) if right >= STANDS_OUT_RATIO * wrong and right - wrong >= STANDS_OUT_CHARS else None


def lone_cue(q: Question, cue: str) -> int | None:
    """The index of the only option of a one-answer question that holds ``cue``, else None."""
    if q.type not in ("single", "scenario") or len(q.answer) != 1:
        return None
    holding = [i for i, o in enumerate(q.options) if cue in o]
    return holding[0] if len(holding) == 1 else None


def permissive_cue(q: Question) -> bool:
    """The wording cue's guess for a true/false question is right: 错 when the statement permits, else 对."""
    return (q.options[q.answer[0]] == "错") == bool(PERMISSIVE.search(q.stem))


def _letters(q: Question) -> str:
    return "".join(LETTERS[i] for i in q.answer)


def _percent(part: int, whole: int) -> str:
    return f"{round(part * 100 / whole)}%"


def _examples(questions: list[Question]) -> str:
    ids = [q.id for q in questions[:EXAMPLES]]
    return "、".join(ids) + ("……" if len(questions) > EXAMPLES else "")


def check_balance(docs: list[tuple[str, Document]], handbook: Handbook) -> list[Problem]:
    """W360–W365, W370–W371 on the questions the handbook shows; each points at the id of the first question it names (W364:
    at the right option of its question)."""
    places: dict[str, tuple[Document, int]] = {}
    for kind, doc in docs:
        if kind == "question":
            for i, q in enumerate(doc.data["questions"]):
                places.setdefault(q["id"], (doc, i))
    shown = [q for q in handbook.questions if q.id in places]

    def at(code: str, questions: list[Question], **args: Any) -> Problem:
        doc, i = places[questions[0].id]
        line, col = doc.pos(("questions", i, "id"))
        return problem(code, doc.path, line, col, examples=_examples(questions), **args)

    problems: list[Problem] = []
    truefalse = [q for q in shown if q.type == "truefalse"]
    if len(truefalse) >= MIN_COUNT:
        false = [q for q in truefalse if q.options[q.answer[0]] == "错"]
        low, high = FALSE_SHARE
        if not low <= len(false) / len(truefalse) <= high:
            many, answer, other = (false, "错", "对") if len(false) > len(truefalse) / 2 else (
                [q for q in truefalse if q not in false], "对", "错")
            problems.append(at("W360", many, total=len(truefalse), answer=answer, count=len(many),
                               share=_percent(len(many), len(truefalse)), other=other,
                               low=_percent(int(low * 100), 100), high=_percent(int(high * 100), 100)))
        cued = [q for q in truefalse if permissive_cue(q)]
        if len(cued) / len(truefalse) > WORDING_SHARE:
            problems.append(at("W370", cued, total=len(truefalse), count=len(cued),
                               share=_percent(len(cued), len(truefalse)), limit=_percent(int(WORDING_SHARE * 100), 100)))
    choice = [q for q in shown if q.type != "truefalse"]
    if len(choice) >= MIN_COUNT:
        longest = [q for q in choice if longest_is_right(q)]
        if len(longest) / len(choice) > LONGEST_SHARE:
            problems.append(at("W361", longest, total=len(choice), count=len(longest),
                               share=_percent(len(longest), len(choice)), limit=_percent(int(LONGEST_SHARE * 100), 100)))
    single = [q for q in shown if q.type in ("single", "scenario")]
    if len(single) >= MIN_COUNT:
        letter, count = Counter(_letters(q) for q in single).most_common(1)[0]
        if count / len(single) > POSITION_SHARE:
            problems.append(at("W362", [q for q in single if _letters(q) == letter], total=len(single),
                               letter=letter, count=count, share=_percent(count, len(single)),
                               limit=_percent(int(POSITION_SHARE * 100), 100)))
    multiple = [q for q in shown if q.type == "multiple"]
    if len(multiple) >= MIN_COUNT // 2:
        letters, count = Counter(_letters(q) for q in multiple).most_common(1)[0]
        if count / len(multiple) > SET_SHARE:
            problems.append(at("W363", [q for q in multiple if _letters(q) == letters], total=len(multiple),
                               letters=letters, count=count, share=_percent(count, len(multiple)),
                               limit=_percent(int(SET_SHARE * 100), 100)))
    if len(multiple) >= MIN_COUNT // 2:
        right, count = Counter(len(q.answer) for q in multiple).most_common(1)[0]
        if count / len(multiple) > RIGHT_COUNT_SHARE:
            problems.append(at("W371", [q for q in multiple if len(q.answer) == right], total=len(multiple),
                               right=right, count=count, share=_percent(count, len(multiple)),
                               limit=_percent(int(RIGHT_COUNT_SHARE * 100), 100)))
    for cue in CUES:
        lone = [q for q in shown if lone_cue(q, cue) is not None]
        right = [q for q in lone if lone_cue(q, cue) == q.answer[0]]
        if len(lone) >= CUE_MIN and len(right) / len(lone) > CUE_SHARE:
            problems.append(at("W365", right, cue=cue, total=len(lone), count=len(right),
                               limit=_percent(int(CUE_SHARE * 100), 100)))
    for q in shown:
        lengths = stands_out(q)
        if lengths:
            doc, i = places[q.id]
            line, col = doc.pos(("questions", i, "options", q.answer[0]))
            problems.append(problem("W364", doc.path, line, col, id=q.id, letter=LETTERS[q.answer[0]],
                                    right=lengths[0], wrong=lengths[1]))
    return problems

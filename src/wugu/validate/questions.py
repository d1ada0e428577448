"""The training question bank: answers fit the options, references resolve, no repeats, the rules are covered,
and a question whose rules changed since it was reviewed is reported.

Phase 2 (:func:`check_questions`, on schema-clean files) finds what stops the bank from being built; phase 3
(:func:`check_bank`, on the built handbook) checks coverage and reviews, which need the final rule texts (after an
edition's overrides).
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from typing import Any, Iterator

from ..bank import LETTERS, fingerprint, normalise, parse_ref, rule_text
from ..errors import Problem, problem
from ..loader import Document
from ..model import QUESTION_TYPES, Handbook

#: A red line is tested by at least this many questions, every other norm by at least one,
#: every regulation (through its clauses) by at least this many, every practice guide by at least this many.
MIN_RED_LINE, MIN_NORM, MIN_REGULATION, MIN_GUIDE = 2, 1, 2, 2

#: Options that stop making sense once a paper shuffles the options.
_ORDER_BOUND = re.compile(r"(?:以上|上述)(?:都|均|全|各|选项|说法|做法)|都(?:对|不对|错)$|^(?:全对|全错)|均(?:正确|不正确)"
                          r"|^[A-F]\s*[和、及与]\s*[A-F]|选项\s*[A-F]")


def _items(docs: list[tuple[str, Document]]) -> Iterator[tuple[Document, int, dict[str, Any]]]:
    for kind, doc in docs:
        if kind == "question":
            for i, q in enumerate(doc.data["questions"]):
                yield doc, i, q


def _at(code: str, doc: Document, path: tuple[Any, ...], **args: Any) -> Problem:
    line, col = doc.pos(path)
    return problem(code, doc.path, line, col, **args)


def check_questions(docs: list[tuple[str, Document]]) -> list[Problem]:
    """Everything that must hold before the bank can be built into the model."""
    if not any(kind == "question" for kind, _ in docs):
        return []
    sections = {d.data["id"] for k, d in docs if k == "norms"}
    norms = {n["id"] for k, d in docs if k == "norms" for n in d.data["norms"]}
    norms |= {n["id"] for k, d in docs if k == "overrides" for n in d.data.get("add_norms", [])}
    clauses = {d.data["id"]: len(d.data["clauses"]) for k, d in docs if k == "regulation"}
    guides = {d.data["id"] for k, d in docs if k == "guide"}
    problems: list[Problem] = []
    for kind, doc in docs:
        if kind == "question" and doc.data["section"] not in sections:
            problems.append(_unknown(doc, ("section",), "规范部分", doc.data["section"], sections))
    seen: dict[str, tuple[Document, int]] = {}
    stems: dict[str, tuple[Document, int, str]] = {}
    for doc, i, q in _items(docs):
        at = ("questions", i)
        if q["id"] in seen:
            other_doc, other_i = seen[q["id"]]
            problems.append(_at("E301", doc, at + ("id",), id=q["id"],
                                other=f"{other_doc.path} 第 {other_doc.pos(('questions', other_i))[0]} 行"))
        seen.setdefault(q["id"], (doc, i))
        problems += _shape(doc, at, q)
        for t, raw in enumerate(q["tests"]):
            ref = parse_ref(raw)
            if ref.guide and ref.guide not in guides:
                problems.append(_unknown(doc, at + ("tests", t), "实用指南", ref.guide, guides))
            elif ref.norm and ref.norm not in norms:
                problems.append(_unknown(doc, at + ("tests", t), "规范", ref.norm, norms))
            elif ref.regulation and ref.regulation not in clauses:
                problems.append(_unknown(doc, at + ("tests", t), "制度", ref.regulation, set(clauses)))
            elif ref.regulation and not 1 <= ref.clause <= clauses[ref.regulation]:
                problems.append(_at("E344", doc, at + ("tests", t), ref=raw, id=ref.regulation,
                                    count=clauses[ref.regulation], clause=ref.clause))
        key = normalise(q.get("situation", "") + q["stem"])
        if key in stems:
            other_doc, other_i, other_id = stems[key]
            problems.append(_at("E345", doc, at + ("stem",), other=f"{other_id}（{other_doc.path} 第 "
                                f"{other_doc.pos(('questions', other_i))[0]} 行）"))
        stems.setdefault(key, (doc, i, q["id"]))
    for kind, doc in docs:
        if kind == "overrides":
            for i, ref in enumerate(doc.data.get("hide_questions", [])):
                if ref not in seen:
                    problems.append(_unknown(doc, ("hide_questions", i), "试题", ref, set(seen)))
    return problems


def _unknown(doc: Document, path: tuple[Any, ...], kind: str, ref: str, known: set[str]) -> Problem:
    close = difflib.get_close_matches(ref, sorted(known), n=1, cutoff=0.5)
    listing = "、".join(sorted(known)[:24]) + ("……" if len(known) > 24 else "")
    fix = (f"是不是“{close[0]}”？" if close else "") + f"已有的{kind}编号：{listing or '（还没有）'}"
    return _at("E302", doc, path, kind=kind, id=ref, fix=fix)


def _shape(doc: Document, at: tuple[Any, ...], q: dict[str, Any]) -> list[Problem]:
    """Options, answer and situation fit the question's type."""
    kind = q["type"]
    name = QUESTION_TYPES[kind]
    answer = q["answer"]
    options = q.get("options")
    out: list[Problem] = []
    if kind == "scenario" and "situation" not in q:
        out.append(_at("E343", doc, at + ("id",), what="情景题缺少情景（situation）",
                       fix="在题干前加一行“situation: …”，用两三句话写清走访中的场面"))
    if kind != "scenario" and "situation" in q:
        out.append(_at("E343", doc, at + ("situation",), what=f"{name}不写情景（situation）",
                       fix="把 type 改成 scenario（情景题），或删掉 situation 这一行"))
    if kind == "truefalse":
        if options is not None:
            out.append(_at("E343", doc, at + ("options",), what="判断题不写选项（options）",
                           fix="删掉 options；答案写 对 或 错"))
        if answer not in ("对", "错"):
            out.append(_at("E343", doc, at + ("answer",), what=f"判断题的答案只能是 对 或 错，现在写的是“{answer}”",
                           fix="写 answer: 对 或 answer: 错"))
        return out
    if options is None:
        return out + [_at("E343", doc, at + ("id",), what=f"{name}缺少选项（options）",
                          fix="加上 options，每个选项一行，以“- ”开头，不要自己加 A、B 字母")]
    if answer in ("对", "错"):
        return out + [_at("E343", doc, at + ("answer",), what=f"{name}的答案要写选项字母，不能写“{answer}”",
                          fix="写正确选项的字母，例如 answer: B；想出判断题的把 type 改成 truefalse")]
    letters = [answer] if isinstance(answer, str) else list(answer)
    last = LETTERS[len(options) - 1]
    for letter in letters:
        if LETTERS.index(letter) >= len(options):
            out.append(_at("E340", doc, at + ("answer",), answer=letter, count=len(options), last=last))
    if kind == "multiple":
        if len(letters) < 2 or len(letters) >= len(options):
            out.append(_at("E342", doc, at + ("answer",), count=len(letters), options=len(options)))
    elif len(letters) != 1:
        out.append(_at("E341", doc, at + ("answer",), kind=name, count=len(letters)))
    normalised: dict[str, int] = {}
    for i, option in enumerate(options):
        key = normalise(option)
        if key in normalised:
            out.append(_at("E346", doc, at + ("options", i), a=LETTERS[normalised[key]], b=LETTERS[i]))
        normalised.setdefault(key, i)
        if _ORDER_BOUND.search(option):
            out.append(_at("E347", doc, at + ("options", i), option=option))
    return out


# ---- phase 3: on the built handbook --------------------------------------------------------------------

def _norm_places(docs: list[tuple[str, Document]]) -> dict[str, tuple[Document, tuple[Any, ...]]]:
    out = {}
    for kind, doc in docs:
        if kind == "norms":
            for i, n in enumerate(doc.data["norms"]):
                out[n["id"]] = (doc, ("norms", i, "id"))
        elif kind == "overrides":
            for i, n in enumerate(doc.data.get("add_norms", [])):
                out[n["id"]] = (doc, ("add_norms", i, "id"))
    return out


def check_coverage(docs: list[tuple[str, Document]], handbook: Handbook) -> list[Problem]:
    """Every red line tested by ≥ 2 questions, every norm by ≥ 1, every regulation (its clauses) by ≥ 2,
    every practice guide by ≥ 2.

    The problem points at the rule that lacks questions. An edition's own norms and regulations are its own
    to cover; a bank with no questions at all (an old edition before the training kit) is not checked.
    """
    if not handbook.questions:
        return []
    by_norm: dict[str, int] = {}
    by_regulation: dict[str, int] = {}
    by_guide: dict[str, int] = {}
    for q in handbook.questions:
        regs = set()
        for raw in q.tests:
            ref = parse_ref(raw)
            if ref.guide:
                by_guide[ref.guide] = by_guide.get(ref.guide, 0) + 1
            elif ref.norm:
                by_norm[ref.norm] = by_norm.get(ref.norm, 0) + 1
            elif ref.regulation:
                regs.add(ref.regulation)
        for r in regs:
            by_regulation[r] = by_regulation.get(r, 0) + 1
    places = _norm_places(docs)
    problems = []
    for n in handbook.norms:
        count = by_norm.get(n.id, 0)
        doc, path = places[n.id]
        if n.local and count < MIN_NORM:
            problems.append(_at("W354", doc, path, kind="规范", id=n.id, ref=n.id))
        elif n.local:
            continue
        elif n.red_line and count < MIN_RED_LINE:
            problems.append(_at("E348", doc, path, id=n.id, rule=n.rule, count=count, need=MIN_RED_LINE - count))
        elif count < MIN_NORM:
            problems.append(_at("E349", doc, path, id=n.id, rule=n.rule))
    reg_docs = {d.data["id"]: d for k, d in docs if k == "regulation"}
    for r in handbook.regulations:
        count = by_regulation.get(r.id, 0)
        if r.local and count < 1:
            problems.append(_at("W354", reg_docs[r.id], ("id",), kind="制度", id=r.id, ref=f"{r.id}.1"))
        elif count < MIN_REGULATION and not r.local:
            doc = reg_docs[r.id]
            problems.append(_at("E350", doc, ("id",), id=r.id, title=r.title, count=count,
                                need=MIN_REGULATION - count))
    return problems + _guide_coverage(docs, handbook, by_guide)


def _guide_coverage(docs: list[tuple[str, Document]], handbook: Handbook, by_guide: dict[str, int]) -> list[Problem]:
    """Every practice guide tested by ≥ 2 questions (E650, on the guide's ``id:``); an edition's own guide by ≥ 1
    (a warning, W354, like its own norms)."""
    guide_docs = {(d.data["id"], d.local): d for k, d in docs if k == "guide"}
    problems = []
    for g in handbook.guides:
        count = by_guide.get(g.id, 0)
        doc = guide_docs[(g.id, g.local)]
        if g.local and count < 1:
            problems.append(_at("W354", doc, ("id",), kind="实用指南", id=g.id, ref=g.id))
        elif not g.local and count < MIN_GUIDE:
            problems.append(_at("E650", doc, ("id",), id=g.id, title=g.title, count=count, need=MIN_GUIDE - count))
    return problems


def check_options_distinct(docs: list[tuple[str, Document]], handbook: Handbook) -> list[Problem]:
    """Two options of a question that read the same once the facts are filled in (E651): an option stating a fact
    meets a fixed one when an edition (or the base) sets that fact to the fixed one's number."""
    shown = {q.id: q for q in handbook.questions}
    problems = []
    for doc, i, q in _items(docs):
        built = shown.get(q["id"])
        if built is None or built.type == "truefalse":
            continue
        seen: dict[str, int] = {}
        for j, option in enumerate(built.options):
            key = normalise(option)
            if key in seen:
                problems.append(_at("E651", doc, ("questions", i, "options", j), id=q["id"], a=LETTERS[seen[key]],
                                    b=LETTERS[j], text=option))
            seen.setdefault(key, j)
    return problems


def _as_base(text: str, same: dict[str, str]) -> str:
    for mine, base in same.items():
        text = text.replace(mine, base)
    return text


def check_reviews(docs: list[tuple[str, Document]], handbook: Handbook,
                  edition: Handbook | None = None, same: dict[str, str] | None = None) -> list[Problem]:
    """Questions whose tested rules changed since they were reviewed (warnings).

    A base question in an edition that tests a clause the edition rewrote is flagged as such (W353): the edition
    reviews it by hiding it or by writing its own question. ``handbook`` states the facts as the base does (what
    reviews fingerprint); ``edition`` is the edition's own: a base question whose rule reads differently there, because
    the edition changed a fact it uses (a deadline, a count), is flagged too (W355) — its options may hold the base's.
    ``same`` maps edition texts to the base's that do not count (its own phone numbers: no question asks them).
    """
    local_clauses = {f"{r.id}.{c.number}" for r in handbook.regulations for c in r.clauses if c.local}
    shown = {q.id for q in handbook.questions}
    problems = []
    for doc, i, q in _items(docs):
        if q["id"] not in shown:
            continue
        reviewed = q.get("reviewed", {})
        at = ("questions", i)
        for raw in q["tests"]:
            now = fingerprint(rule_text(handbook, raw))
            if not doc.local and raw in local_clauses:
                problems.append(_at("W353", doc, at + ("id",), id=q["id"], ref=raw))
            elif raw not in reviewed:
                problems.append(_at("W352", doc, at + ("id",), id=q["id"], ref=raw))
            elif reviewed[raw] != now:
                problems.append(_at("W351", doc, at + ("reviewed",), id=q["id"], ref=raw))
            elif (edition is not None and edition is not handbook and not doc.local
                  and _as_base(rule_text(edition, raw), same or {}) != rule_text(handbook, raw)):
                problems.append(_at("W355", doc, at + ("id",), id=q["id"], ref=raw))
    return problems


#: Warnings that mean a base question no longer fits this edition: it tests a clause the edition rewrote (W353), or a
#: rule that reads differently because the edition changed a fact it uses (W355). Papers and the self-test leave it out.
UNFIT = ("W353", "W355")


def unfit_questions(warnings: list[Problem]) -> frozenset[str]:
    """Ids of the questions that no longer fit this edition (see :data:`UNFIT`), from the check's warnings."""
    return frozenset(str(w.args["id"]) for w in warnings if w.code in UNFIT and "id" in w.args)


def fitting(handbook: Handbook, warnings: list[Problem]) -> tuple[Handbook, int]:
    """The handbook without the questions that no longer fit this edition, and how many were left out — what
    ``wugu exam`` draws papers from and what the site's self-test holds."""
    unfit = unfit_questions(warnings)
    kept = tuple(q for q in handbook.questions if q.id not in unfit)
    left = len(handbook.questions) - len(kept)
    return (dataclasses.replace(handbook, questions=kept) if left else handbook), left

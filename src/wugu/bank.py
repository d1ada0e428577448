"""The training question bank on top of the model: what a reference names, its text's fingerprint, links.

A question tests norms (``N13``) and regulation clauses (``R07.1`` = the first clause of R07). When it is
reviewed, the fingerprint of each tested rule's text is stored with it; a later change of that text makes the
fingerprints differ, and the check asks for a new review.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from . import paths
from .model import Handbook, Question

LETTERS = "ABCDEF"
#: How long a stored fingerprint is (hex digits of a SHA-256 of the normalised text).
FINGERPRINT_LENGTH = 6

_REF = re.compile(r"^(?P<norm>N[0-9]{2,3})$|^(?P<reg>R[0-9]{2,3})\.(?P<clause>[0-9]{1,2})$|^(?P<guide>[a-z][a-z0-9-]+)$")
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Ref:
    """A parsed reference: a norm id, a regulation id with a clause number, or a practice guide's id."""

    raw: str
    guide: str | None = None
    norm: str | None = None
    regulation: str | None = None
    clause: int | None = None


def parse_ref(raw: str) -> Ref:
    """``N13`` → norm N13; ``R07.1`` → clause 1 of R07 (the schema has already checked the shape)."""
    m = _REF.match(raw)
    if m is None:
        return Ref(raw)
    if m.group("guide"):
        return Ref(raw, guide=m.group("guide"))
    if m.group("norm"):
        return Ref(raw, norm=m.group("norm"))
    return Ref(raw, regulation=m.group("reg"), clause=int(m.group("clause")))


def normalise(text: str) -> str:
    """Text reduced for comparing: full-width → half-width, lower case, no spaces or punctuation."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())


def clause_text(title: str | None, text: str, items: Any = ()) -> str:
    """The text of a clause as it is fingerprinted: title, text and items."""
    return "\n".join([title or "", text, *items])


def fingerprint(text: str) -> str:
    """A short fingerprint of a rule's text; re-wrapping or re-spacing the text does not change it."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def rule_text(handbook: Handbook, raw: str) -> str:
    """The current text of the rule a reference names (a norm's rule, or a clause with its items)."""
    ref = parse_ref(raw)
    if ref.guide:
        g = handbook.guide(ref.guide)
        parts = [g.title, g.summary] + [x for s in g.sections for x in (s.title, s.intro or "", *(
            f"{i.label or ''} {i.text}" for i in s.items))]
        return "\n".join(parts)
    if ref.norm:
        return handbook.norm(ref.norm).rule
    clause = handbook.regulation(ref.regulation).clauses[ref.clause - 1]
    return clause_text(clause.title, clause.text, clause.items)


def fingerprints(handbook: Handbook, question: Question) -> dict[str, str]:
    """``{reference: fingerprint}`` of every rule a question tests, as ``wugu reviewed`` stores them."""
    return {t: fingerprint(rule_text(handbook, t)) for t in question.tests}


def ref_label(handbook: Handbook, raw: str) -> str:
    """How a reference is cited to people: ``规范 13（走访至少两人同行…）`` or ``《志愿者安全注意事项》第一条``."""
    from .render.site import cn_number

    ref = parse_ref(raw)
    if ref.guide:
        return f"实用指南《{handbook.guide(ref.guide).title}》"
    if ref.norm:
        n = handbook.norm(ref.norm)
        return f"规范 {n.number}"
    r = handbook.regulation(ref.regulation)
    return f"《{r.title}》第{cn_number(ref.clause)}条"


def ref_page(handbook: Handbook, raw: str) -> str:
    """The docs-relative page and anchor of a reference, e.g. ``norms/S3.md#N13`` or ``regulations/R07.md#clause-1``."""
    ref = parse_ref(raw)
    if ref.guide:
        return paths.guide_page(handbook.guide(ref.guide))
    if ref.norm:
        n = handbook.norm(ref.norm)
        return f"{paths.norms_page(handbook.section(n.section_id))}#{n.id}"
    return f"{paths.regulation_page(handbook.regulation(ref.regulation))}#clause-{ref.clause}"


def answer_letters(q: Question) -> str:
    """The answer as printed: ``B``, ``AC``, or ``对``/``错`` for a true/false question."""
    if q.type == "truefalse":
        return q.options[q.answer[0]]
    return "".join(LETTERS[i] for i in q.answer)

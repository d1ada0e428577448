"""Phase 3: no real-looking personal data (ID, mobile or bank card numbers) anywhere in the content."""
from __future__ import annotations

import re
from typing import Any, Iterator

from ..errors import Problem, problem
from ..loader import Document

_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_CARD = re.compile(r"(?<!\d)\d{4}(?:[ -]?\d{4}){2}[ -]?\d{4,7}(?!\d)")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id_number(s: str) -> bool:
    """True if an 18-character mainland ID number has a correct check digit (GB 11643)."""
    total = sum(int(a) * w for a, w in zip(s[:17], _WEIGHTS))
    return "10X98765432"[total % 11] == s[17].upper()


def luhn(digits: str) -> bool:
    """True if the digits pass the Luhn check used by bank cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _mask(s: str) -> str:
    digits = re.sub(r"\D", "", s)
    return digits[:3] + "*" * max(len(digits) - 5, 0) + s[-2:]


def scan_text(text: str) -> Iterator[tuple[str, str]]:
    """Yield ``(code, masked number)`` for every ID, mobile or bank card number found in ``text``."""
    taken: list[tuple[int, int]] = []
    for m in _ID.finditer(text):
        if valid_id_number(m.group()):
            taken.append(m.span())
            yield "E401", _mask(m.group())
    for m in _MOBILE.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):
            taken.append(m.span())
            yield "E402", _mask(m.group())
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 16 <= len(digits) <= 19 and luhn(digits) and not any(a <= m.start() < b for a, b in taken):
            yield "E403", _mask(m.group())


def _strings(value: Any, at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield at, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, at + (i,))
    elif isinstance(value, int) and not isinstance(value, bool):
        yield at, str(value)


def check_privacy(docs: list[tuple[str, Document]]) -> list[Problem]:
    """Scan every text value; the profile's public contact block is the one place a phone number may stand."""
    problems = []
    for kind, doc in docs:
        for at, text in _strings(doc.data, ()):
            if kind == "profile" and at[:1] == ("contact",):
                continue
            for code, masked in scan_text(text):
                line, col = doc.pos(at)
                problems.append(problem(code, doc.path, line, col, masked=masked))
    return problems

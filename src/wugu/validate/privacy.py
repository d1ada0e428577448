"""Phase 3: no real-looking personal data (ID, mobile or bank card numbers) in anything that is published.

The text is normalised before matching, so that full-width digits (１３８…), other dots and dashes, full-width or
zero-width spaces and irregular grouping (138 0013 8000, 1380-013-8000) do not slip a number past the scan. The
YAML content, the hand-written pages under ``site/`` and the text of ``mkdocs.yml`` are scanned; the one exempt
value is the public office phone in ``wugu.yml`` (``contact.phone``).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..cnformats import valid_id_number
from ..errors import Problem, problem
from ..loader import Document

#: Characters dropped before matching (zero-width spaces and joiners, the BOM, soft hyphen, word joiner).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
#: Characters that may stand between the digits of one number (after NFKC: spaces, dots, dashes, slashes).
_SEP = " .\u00b7\u2027\u30fb\u2022\u2219\u22c5\u3002-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63_/\u00a0"
#: A run of digits (and a final X of an ID number) with at most two separators between neighbouring digits.
_RUN = re.compile(r"\d(?:[" + re.escape(_SEP) + r"]{0,2}\d)*(?:[" + re.escape(_SEP) + r"]{0,2}[Xx])?")
#: Wider gaps between the groups of one number (``139 - 1234 - 5678``, ``139，1234，5678``, ``139（1234）5678``):
#: up to three of these between groups of at least three digits. Several numbers in a row (``0539-1234567，139…``)
#: are found one by one: every stretch of neighbouring groups is tried, the longest number first.
_GAP = _SEP + "，,、()（）:：;；~～"
_GROUPS = re.compile(r"\d{3,}(?:[" + re.escape(_GAP) + r"]{1,3}\d{3,})*(?:[" + re.escape(_GAP) + r"]{0,3}[Xx])?")
#: Chinese numerals written in a row (``一三九一二三四五六七八``), read as digits.
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_CN_RUN = re.compile("[〇零一二三四五六七八九]{11,}")
_ID = re.compile(r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]")
_MOBILE = re.compile(r"(?:86)?1[3-9]\d{9}")


def luhn(digits: str) -> bool:
    """True if the digits pass the Luhn check used by bank cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` with full-width forms folded (NFKC) and invisible characters dropped, and for every character of
    the result the offset of the character it came from (to point at the right line and column)."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ord(ch) in _INVISIBLE:
            continue
        folded = unicodedata.normalize("NFKC", ch) if ord(ch) > 0x7F else ch
        if ch == "\u3000":
            folded = " "
        for c in folded:
            out.append(c)
            origin.append(i)
    return "".join(out), origin


def _mask(digits: str) -> str:
    return digits[:3] + "*" * max(len(digits) - 5, 0) + digits[-2:]


def _kind(digits: str) -> str | None:
    """E401/E402/E403 when ``digits`` is an ID, mobile or bank card number."""
    if len(digits) == 18 and _ID.fullmatch(digits) and valid_id_number(digits):
        return "E401"
    if digits.isdigit() and _MOBILE.fullmatch(digits):
        return "E402"
    if digits.isdigit() and 16 <= len(digits) <= 19 and luhn(digits):
        return "E403"
    return None


def scan_text(text: str) -> Iterator[tuple[str, str, int]]:
    """Yield ``(code, masked number, offset in text)`` for every ID, mobile or bank card number in ``text``."""
    if _CN_RUN.search(text):
        text = _CN_RUN.sub(lambda m: m.group().translate(_CN_DIGITS), text)
    if not any(c.isdigit() for c in text):
        return
    norm, origin = normalise(text)
    found: set[int] = set()
    for m in _RUN.finditer(norm):
        digits = re.sub(r"[^0-9Xx]", "", m.group())
        if (code := _kind(digits)) is not None:
            found.add(m.start())
            yield code, _mask(digits), origin[m.start()]
    for m in _GROUPS.finditer(norm):
        groups = [(g.start() + m.start(), g.group()) for g in re.finditer(r"\d+|[Xx]", m.group())]
        i = 0
        while i < len(groups):
            best = None
            digits = ""
            for j in range(i, len(groups)):
                digits += groups[j][1]
                if len(digits) > 19:
                    break
                if (code := _kind(digits)) is not None:
                    best = (j, code, digits)
            if best is None:
                i += 1
                continue
            start = groups[i][0]
            if not any(start <= f < groups[best[0]][0] + 1 for f in found) and start not in found:
                found.add(start)
                yield best[1], _mask(best[2]), origin[start]
            i = best[0] + 1


def text_values(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every text (and number, as text) in a data tree, with its path."""
    if isinstance(value, str):
        yield at, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield at + (k,), str(k)
            yield from text_values(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from text_values(v, at + (i,))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield at, str(value)


#: The one value that may hold a phone number: the group's public office phone.
EXEMPT = ("contact", "phone")


def check_privacy(docs: list[tuple[str, Document]]) -> list[Problem]:
    """Scan every text value and key of the YAML content. The profile's office phone may hold a phone number,
    but a landline only: a mobile number there is E214 (it is a person's, and it is printed on every form)."""
    problems = []
    for kind, doc in docs:
        for at, text in text_values(doc.data, ()):
            office = kind in ("profile", "base_profile") and at == EXEMPT
            for code, masked, _ in scan_text(text):
                line, col = doc.pos(at)
                problems.append(problem("E214" if office and code == "E402" else code, doc.path, line, col,
                                        masked=masked))
    return problems


#: Files under the docs folder that are published as text (everything else is copied as it is, e.g. images).
TEXT_SUFFIXES = {".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".html", ".htm", ".xhtml", ".xht", ".xhtm",
                 ".shtml", ".txt", ".css", ".js", ".json", ".yml", ".yaml", ".csv",
                 ".svg", ".xml", ".tsv", ".jsonl", ".ndjson", ".geojson", ".rtf", ".vcf", ".ics", ".log", ".tex",
                 ".ini", ".toml", ".conf"}
#: Text is scanned in pieces of this many characters (each with some text of its neighbours on both sides).
MAX_SCAN = 2 * 1024 * 1024
_OVERLAP = 256
#: Largest text file published under the docs folder: larger ones are refused (E525), not scanned in part.
MAX_PUBLISHED = 20 * 1024 * 1024


def scan_file(path: Path, shown: str) -> list[Problem]:
    """The problems in one published text file, each at its line and column; the whole file is scanned."""
    try:
        size = path.stat().st_size
        if size > MAX_PUBLISHED:
            mb = 1024 * 1024
            return [problem("E525", shown, file=shown, size=f"{size / mb:.0f} MB", limit=f"{MAX_PUBLISHED // mb} MB")]
        raw = path.read_bytes()
    except OSError:
        return []
    text = raw.decode("utf-8", errors="replace")
    problems = []
    for start in range(0, max(len(text), 1), MAX_SCAN):
        end = start + MAX_SCAN
        lead = max(0, start - _OVERLAP)
        for code, masked, offset in scan_text(text[lead:end + _OVERLAP]):
            at = lead + offset
            if not start <= at < end:
                continue  # the neighbour's (or cut off here): found whole in its own piece
            line = text.count("\n", 0, at) + 1
            col = at - (text.rfind("\n", 0, at) + 1) + 1
            problems.append(problem(code, shown, line, col, masked=masked))
    return problems


def check_published_files(root: Path, files: Iterable[Path]) -> list[Problem]:
    """Scan hand-written pages and other text files that are published as they are (``site/``, ``mkdocs.yml``)."""
    problems = []
    for path in files:
        if path.suffix.lower() not in TEXT_SUFFIXES or path.is_symlink() or not path.is_file():
            continue
        try:
            shown = path.relative_to(root).as_posix()
        except ValueError:
            shown = str(path)
        problems += scan_file(path, shown)
    return problems

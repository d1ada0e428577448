"""Phase 3: no real-looking personal data (ID, mobile or bank card numbers) in anything that is published.

The text is read as it is published and normalised before matching, so that full-width digits (１３８…), digits
of other scripts and 大写 numerals, other dots and dashes, full-width or zero-width spaces, irregular grouping
(138 0013 8000, 1380-013-8000), long runs of one separator, table cells and a paragraph's line breaks (Markdown
joins its lines) do not slip a number past the scan. The YAML content (also with its 【facts】 filled in), the
hand-written pages under ``site/`` and the text of ``mkdocs.yml`` are scanned; the one exempt value is the public
office phone in ``wugu.yml`` (``contact.phone``).
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from ..cnformats import valid_id_number
from ..errors import Problem, problem
from ..loader import Document

#: Characters dropped before matching (zero-width spaces and joiners, the BOM, soft hyphen, word joiner, invisible
#: operators, direction marks and embeddings: none of them shows between two digits).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u034f\u2061\u2062\u2063\u2064"
                                    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None)
#: Digits of any script, and the ones NFKC folds to 0–9 (superscript, subscript, circled, parenthesised): text
#: without any of them holds no number.
_DIGITISH = re.compile("[\\d\u00b2\u00b3\u00b9\u2070-\u2089\u2460-\u24ff\u2776-\u2793\U0001f100-\U0001f10a]")
#: What :func:`normalise` changes in text that is NFKC already: invisible characters, the ideographic space,
#: digits of other scripts.
_SPECIAL = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "\u3000]|(?![0-9])\\d")
#: Characters that may stand between the digits of one number (after NFKC: spaces, dots, dashes, slashes).
_SEP = " .\u00b7\u2027\u30fb\u2022\u2219\u22c5\u3002-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63_/\u00a0"
#: A line break inside a paragraph: Markdown joins a paragraph's lines, so ``371321⏎198503176315`` is published as
#: ``371321 198503176315``. Indentation and quote marks (``>``) may follow; a blank line (a new paragraph) or a next
#: line that is a table row (holds ``|``: rows are shown apart) does not join.
_BREAK = r"[ \t\r]*+\n[ \t\r]*+(?:>[ \t]*+)*+(?!\n)(?![^\n]*\|)"
#: A run of digits (and a final X of an ID number) with at most two separators (or one line break) between
#: neighbouring digits.
_TIGHT = r"(?:[" + re.escape(_SEP) + r"]{0,2}|" + _BREAK + ")"
_RUN = re.compile(r"[0-9](?:" + _TIGHT + r"[0-9])*(?:[" + re.escape(_SEP) + r"]{0,2}[Xx])?")
#: Wider gaps between the groups of one number (``139 - 1234 - 5678``, ``139，1234，5678``, ``139（1234）5678``,
#: a table row ``| 139 | 1234 | 5678 |``): up to three of these, or a run of any length of one of them (with
#: spaces around it: ``139----1234----5678``, four full-width spaces), or either before a line break, between
#: groups of at least three digits (possessive quantifiers: a long run that leads nowhere is read once, not again
#: and again — the scan stays linear). Several numbers in a row (``0539-1234567，139…``) are found one by one: every
#: stretch of neighbouring groups is tried, the longest number first.
_GAP = _SEP + "，,、()（）:：;；~～|*`\\"
_SHORT = r"[" + re.escape(_GAP) + r"]{1,3}"
_ONE_KIND = r" *+(?:" + "|".join(re.escape(c) + "++" for c in _GAP if c != " ") + r") *+| ++"
#: The border of two cells of one row in an HTML table (``<td>139</td><td>0931</td>…``): shown side by side.
_CELL = r"\s*+</t[dh]\s*+>\s*+<t[dh](?:\s[^<>]{0,80})?>\s*+"
_WIDE = r"(?:(?:" + _SHORT + "|" + _ONE_KIND + ")?" + _BREAK + "|" + _ONE_KIND + "|" + _SHORT + "|" + _CELL + ")"
_GROUPS = re.compile(r"[0-9]{3,}(?:" + _WIDE + r"[0-9]{3,})*(?:[" + re.escape(_GAP) + r"]{0,3}[Xx])?")
#: Chinese numerals written in a row (``一三九一二三四五六七八``, the financial ``壹叁玖…``, ``幺`` for one), read as
#: digits in runs of three or more (a number's groups: ``一三九 〇九三一 四五二二``).
_CN_NUMERALS = {"0": "〇零", "1": "一壹幺", "2": "二贰貳", "3": "三叁參叄", "4": "四肆", "5": "五伍", "6": "六陆陸",
                "7": "七柒", "8": "八捌", "9": "九玖"}
_CN_DIGITS = str.maketrans({c: d for d, chars in _CN_NUMERALS.items() for c in chars})
_CN_RUN = re.compile("[" + "".join(_CN_NUMERALS.values()) + "]{3,}")
_ID = re.compile(r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]")
#: A mobile number, with the country code written ``86``, ``+86`` or ``0086`` (its ``+`` is not a digit).
_MOBILE = re.compile(r"(?:0086|86)?1[3-9][0-9]{9}")
#: Bank cards begin with their network's digit: 3 (JCB, American Express), 4 (Visa), 5 and 22–27 (Mastercard),
#: 6 (UnionPay), 9 (older domestic debit cards). Years and dates in a row (``2019⏎2020⏎…``) never do.
_CARD = re.compile(r"(?:[34569]|2[2-7])[0-9]{15,18}")
#: How many digits (with an ID number's X) each of them has: mobile 11, with 86 13, with 0086 15; card 16–19; ID 18.
_LENGTHS = frozenset({11, 13, 15, 16, 17, 18, 19})


def luhn(digits: str) -> bool:
    """True if the digits pass the Luhn check used by bank cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def normalise(text: str) -> tuple[str, Sequence[int]]:
    """``text`` with full-width forms folded (NFKC), every decimal digit of any script read as 0–9 (Arabic-Indic
    ``١٣٩``, Devanagari ``१३९`` …) and invisible characters dropped, and for every character of the result the
    offset of the character it came from (to point at the right line and column)."""
    if not _SPECIAL.search(text) and unicodedata.is_normalized("NFKC", text):
        return text, range(len(text))  # nothing to fold (most text): each character stands for itself
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(ch)
            origin.append(i)
            continue
        if ord(ch) in _INVISIBLE:
            continue
        folded = " " if ch == "\u3000" else unicodedata.normalize("NFKC", ch)
        for c in folded:
            if not c.isascii() and (d := unicodedata.decimal(c, None)) is not None:
                c = str(d)
            out.append(c)
            origin.append(i)
    return "".join(out), origin


def _mask(digits: str) -> str:
    return digits[:3] + "*" * max(len(digits) - 5, 0) + digits[-2:]


def _kind(digits: str) -> str | None:
    """E401/E402/E403 when ``digits`` is an ID, mobile or bank card number."""
    if len(digits) == 18 and _ID.fullmatch(digits) and valid_id_number(digits):
        return "E401"
    if _MOBILE.fullmatch(digits):
        return "E402"
    if _CARD.fullmatch(digits) and luhn(digits):
        return "E403"
    return None


def scan_text(text: str) -> Iterator[tuple[str, str, int]]:
    """Yield ``(code, masked number, offset in text)`` for every ID, mobile or bank card number in ``text``.

    The text is read as it is published: a paragraph's lines joined, table cells side by side, digits of any
    script and Chinese numerals as digits. Each number is said once, at the offset where it starts."""
    if _CN_RUN.search(text):
        text = _CN_RUN.sub(lambda m: m.group().translate(_CN_DIGITS), text)
    if not _DIGITISH.search(text):
        return
    yield from sorted(_numbers(text), key=lambda hit: hit[2])


def _numbers(text: str) -> Iterator[tuple[str, str, int]]:
    """:func:`scan_text`'s numbers: first the tight runs, then the wider groups that are not one of them."""
    norm, origin = normalise(text)
    starts: list[int] = []  # numbers found in tight runs (sorted, apart): a wider reading does not say them again
    ends: list[int] = []
    for m in _RUN.finditer(norm):
        digits = re.sub(r"[^0-9Xx]", "", m.group())
        if (code := _kind(digits)) is not None:
            starts.append(m.start())
            ends.append(m.end())
            yield code, _mask(digits), origin[m.start()]
    for m in _GROUPS.finditer(norm):
        groups = [(g.start() + m.start(), g.group()) for g in re.finditer(r"[0-9]+|[Xx]$", m.group())]
        i = 0
        while i < len(groups):
            best = None
            digits = ""
            for j in range(i, len(groups)):
                digits += groups[j][1]
                if len(digits) > 19:
                    break
                if len(digits) in _LENGTHS and (code := _kind(digits)) is not None:
                    best = (j, code, digits)
            if best is None:
                i += 1
                continue
            start, end = groups[i][0], groups[best[0]][0] + len(groups[best[0]][1])
            k = bisect.bisect_left(starts, end)
            if not (k and ends[k - 1] > start):  # not inside (or across) a number found already
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
    """Scan every text value and key of the YAML content, each as one line (a text's line breaks, blank lines too,
    become spaces on the page). The profile's office phone may hold a phone number, but a landline only: a mobile
    number there is E214 (it is a person's, and it is printed on every form)."""
    problems = []
    for kind, doc in docs:
        for at, text in text_values(doc.data, ()):
            office = kind in ("profile", "base_profile") and at == EXEMPT
            for code, masked, offset in scan_text(text.replace("\n", " ")):  # one paragraph on the page
                line, col = doc.pos(at)
                if at in doc.literal_lines:  # a ``|`` block: the value's lines are the file's lines
                    line, col = doc.literal_lines[at] + text.count("\n", 0, offset), 1
                problems.append(problem("E214" if office and code == "E402" else code, doc.path, line, col,
                                        masked=masked))
    return problems


def check_resolved(docs: list[tuple[str, Document]]) -> list[Problem]:
    """Numbers that appear only once the ``【名称】`` facts are filled in, as pages and PDFs show the text: a number
    glued from two facts, or from a fact and the digits written next to it (at the text that uses them). A number
    a fact holds on its own is said at the fact, not again at every text that uses it. Run after the facts check
    passed (no fact stands for too much text: E218/E219)."""
    from .. import facts as F

    values = F.table([(kind, doc.data) for kind, doc in docs])
    alone = {masked for v in values.values() for _c, masked, _o in scan_text(F.resolve(v, values))}
    problems = []
    for _kind, doc in docs:
        for at, text in text_values(doc.data):
            if "【" not in text or (full := F.resolve(text, values)) == text:
                continue
            said = alone | {masked for _c, masked, _o in scan_text(text.replace("\n", " "))}
            for code, masked, _o in scan_text(full.replace("\n", " ")):
                if masked not in said:
                    said.add(masked)
                    problems.append(problem(code, doc.path, *doc.pos(at), masked=masked))
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


def _text_of(raw: bytes) -> str:
    """A published file's text: UTF-8, else GBK (a CSV saved by Excel or WPS: its ``\xa1\xa1`` is a full-width
    space between two digits), else UTF-8 with what is not UTF-8 replaced (such a file is refused, E107)."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", errors="replace")


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
    text = _text_of(raw)
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

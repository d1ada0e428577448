"""Characters the PDFs cannot print: a rare character (生僻字 such as 𪚥 in a name), Tibetan, Mongolian or an
emoji is not in the Chinese fonts the PDFs embed and would come out as an empty box (or in some other font).

The set of printable characters is read once from the fonts the PDFs use (:func:`wugu.render.fonts.printable`,
cached); without those fonts installed nothing is said (``wugu pdf`` says E504 then anyway).
"""
from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any, Iterable, Iterator

from ..errors import Problem, problem
from ..loader import Document
from .privacy import text_values


def _printable() -> frozenset[str] | None:
    from ..render.fonts import printable  # the fonts are the PDF renderer's; only their character set is read here

    return printable()


@cache
def _known(known: frozenset[str]) -> frozenset[str]:
    """The printable characters with ASCII (control characters print nothing and are said elsewhere)."""
    return known | frozenset(map(chr, range(0x80)))


def unprintable(text: str, known: frozenset[str] | None = None) -> list[str]:
    """The characters of ``text`` (in order of first appearance) the PDF fonts have no glyph for; [] when the
    fonts are not known. Blanks, control characters, format characters and combining marks (which print nothing
    of their own) are left out."""
    known = known if known is not None else _printable()
    if known is None or text.isascii():
        return []
    odd = set(text) - _known(known)
    if not odd:
        return []
    return [c for c in dict.fromkeys(text) if c in odd and not c.isspace()
            and unicodedata.category(c) not in ("Cc", "Cf", "Mn")]


def shown(c: str) -> tuple[str, str]:
    """A character as a message shows it: itself and ``U+2A6A5``."""
    return c, f"U+{ord(c):04X}"


def check_glyphs(docs: Iterable[tuple[str, Document]]) -> list[Problem]:
    """W375 for every character of the content (text that goes into the PDFs) the PDF fonts cannot print, at its
    value's line, once per value and character."""
    known = _printable()
    if known is None:
        return []
    found = []
    chars = _known(known)
    for _kind, doc in docs:
        values = list(text_values(doc.data, ()))
        if not set().union(*(t for _at, t in values)) - chars:
            continue
        for at, text in values:
            for c in unprintable(text, known):
                line, col = doc.pos(at)
                char, point = shown(c)
                found.append(problem("W375", doc.path, line, col, char=char, point=point))
    return found


def record_glyphs(data: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every value of a record that holds characters the PDF fonts cannot print: ``(path, character)``, once per
    value and character (the value itself is never given out: it may be a child's name)."""
    known = _printable()
    if known is None:
        return
    for path, text in text_values(data, at):
        if path and isinstance(path[-1], str) and text == path[-1]:
            continue  # a key, not a value that is printed
        for c in unprintable(text, known):
            yield path, c

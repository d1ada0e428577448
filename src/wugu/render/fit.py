"""How a filled value fits its cell on a printed form: the font size (and line height) that keeps it inside.

A value wraps inside its cell (its row grows, its line breaks are kept: ``white-space: pre-wrap`` in print.css);
a value longer than the cell sensibly holds at the usual 10.5 pt is set smaller, down to a floor of 8 pt, and
then goes on wrapping. Nothing is ever clipped or cut. The widths are estimated from the characters (a Chinese
character is 1 em, a Latin letter or digit about 0.6 em), on the safe side.
"""
from __future__ import annotations

import math
import unicodedata

#: Font sizes of filled values, largest first; the last one is the floor.
SIZES = (10.5, 10.0, 9.5, 9.0, 8.5, 8.0)
_PT_MM = 25.4 / 72
_NARROW = {" ": 0.33, "i": 0.3, "l": 0.3, "j": 0.3, "I": 0.35, ".": 0.3, ",": 0.3, ":": 0.3, ";": 0.3, "|": 0.3,
           "m": 0.9, "w": 0.8, "M": 0.9, "W": 0.95}


def text_em(line: str) -> float:
    """The width of one line of text in em (of the sans face used for filled values)."""
    em = 0.0
    for ch in line:
        if ch in _NARROW:
            em += _NARROW[ch]
        elif unicodedata.east_asian_width(ch) in ("W", "F", "A"):
            em += 1.0
        elif unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
            continue
        else:
            em += 0.62
    return em


def lines_needed(text: str, size_pt: float, width_mm: float) -> int:
    """How many printed lines ``text`` takes at ``size_pt`` in a box ``width_mm`` wide (its own line breaks
    kept). Wrapping between words wastes a little of each line: counted as 8 % of the width."""
    room = max(width_mm * 0.92, 1.0)
    return sum(max(1, math.ceil(text_em(line) * size_pt * _PT_MM / room)) for line in text.split("\n"))


def fit_size(text: str, width_mm: float, lines: int) -> float:
    """The largest of :data:`SIZES` at which ``text`` takes at most ``lines`` lines; else the floor."""
    for size in SIZES:
        if lines_needed(text, size, width_mm) <= lines:
            return size
    return SIZES[-1]


def ink_style(text: str, width_mm: float, lines: int = 2) -> str:
    """The inline style of a filled value (the sans face, its fitted size; a tighter line when set small)."""
    size = fit_size(text, width_mm, lines)
    style = f"font-family: var(--sans); font-size: {size:g}pt"
    return style if size == SIZES[0] else style + "; line-height: 1.3"


def long_style(text: str, width_mm: float, ruled_lines: int) -> str:
    """The style of a filled long text (需求说明, 观察记录 …): ordinary lines at 10.5 pt up to three times the ruled
    lines of the blank form, then smaller down to the floor. (No fixed height: a short text keeps the rows as
    short as ``wugu records pdf`` has always printed them, and as the fill page's printout does.)"""
    size = fit_size(text, width_mm, ruled_lines * 3)
    style = f"font-family: var(--sans); font-size: {size:g}pt"
    return style if size == SIZES[0] else style + "; line-height: 1.35"


#: Height of the type area in mm (A4 minus the margins of print.css), by orientation.
_TEXT_HEIGHT = {False: 297 - 15 - 14, True: 210 - 14 - 13}
#: Room a table's caption and header take above a row on a new page (mm).
_HEADER = 45


def cell_height(text: str, width_mm: float) -> float:
    """The estimated height (mm) of a filled table cell, set by :func:`ink_style`."""
    size = fit_size(text, width_mm, 2)
    return lines_needed(text, size, width_mm) * size * _PT_MM * (1.4 if size == SIZES[0] else 1.3)


def row_room(landscape: bool = False) -> float:
    """The tallest a table row may be and still fit on a page under the table's header (mm)."""
    return _TEXT_HEIGHT[bool(landscape)] - _HEADER


def too_tall(cells: list[tuple[str, float]], landscape: bool = False) -> list[int]:
    """Which cells (text, room in mm) of a table row to print on the form's 附页 instead, tallest first, so that
    the row fits on one page: WeasyPrint cannot break a table row across pages cleanly (the rules and the
    repeated header of the rows around it get lost). Empty for any row of ordinary values."""
    heights = [cell_height(text, width) for text, width in cells]
    moved: list[int] = []
    for k in sorted(range(len(cells)), key=lambda k: -heights[k]):
        if max((h for j, h in enumerate(heights) if j not in moved), default=0.0) <= row_room(landscape):
            break
        moved.append(k)
    return moved

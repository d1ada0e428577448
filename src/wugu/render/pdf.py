"""Printable A4 PDFs: one per form, one per pack (cover, contents, its forms, its regulations).

A pure function of the model (and of a cache of earlier results)::

    build_pdfs(handbook, out_dir, cache_dir=None, progress=None) -> [written paths]

How it stays fast and reproducible:

* Every document (a form, a regulation, a pack's cover) is first rendered to an HTML string with Jinja2. Its
  cache key is a hash of that HTML, of its page stylesheet, of ``print.css``, of the fonts and of the wugu and
  WeasyPrint versions. A PDF whose key is in the cache is copied, not rendered again.
* Fonts: see :mod:`wugu.render.fonts` — each document gets its own HarfBuzz subset of the SC faces.
* A form is laid out once per run and its pages are reused in every pack that prints it (each part keeps its
  own "第 X 页 共 Y 页"). The WeasyPrint ``CSS`` and one ``FontConfiguration`` are built once and reused.
* PDF metadata dates come from the profile's ``effective_date`` (the content version), never from the clock.
"""
from __future__ import annotations

import hashlib
import html as _html
import logging
import re
import os
import sys
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from importlib.metadata import PackageNotFoundError, version as _pkg_version
from pathlib import Path
from typing import Any, Callable

import jinja2
from markupsafe import Markup, escape

from .. import __version__
from ..escape import css_string
from ..model import Field, Form, FormSection, Guide, Handbook, Pack, Regulation
from ..output import inside, write_atomic
from ..paths import FILLED_RECORD_PDF, form_page, form_pdf, guide_pdf, html_url, pack_pdf
from ..resources import templates_dir
from .fit import ink_style, long_style, too_tall
from .fonts import FontSet
from .sealed import read_entry, write_entry

#: The confidentiality notice of a sensitive form that has none of its own.
_STANDARD_SECRET = ("本表含有敏感个人信息，只用于服务团内部工作；不得复印、拍照转发，不得存入个人手机、网盘或聊天群。"
                    "保管：{kept_by}。")
#: Site addresses that are examples, not a real site: no QR code points there.
_PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net", "localhost", "127.0.0.1")

#: A file in every folder `wugu pdf` wrote, so that it only ever replaces a folder it made itself.
MARKER = ".wugu-pdf"

_CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一 (for 1 … 99)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def chinese_date(value: Any) -> str:
    """``2026-12-01`` → ``2026 年 12 月 1 日``."""
    d = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{d.year} 年 {d.month} 月 {d.day} 日"


def _w3c_date(value: Any) -> str:
    d = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{d.isoformat()}T00:00:00+08:00"


# ---- form layout: fields → rows of ruled cells ---------------------------------------------------------------

@dataclass
class Cell:
    """One cell of a form's grid: a label, a writing area, a signature line, a photo box …"""

    kind: str
    field: Field
    colspan: int = 1
    rowspan: int = 1
    extra: tuple[Field, ...] = ()  # the signature of an opinion cell; the fields of a one-line signature row


@dataclass
class Grid:
    """A ruled table of label/value cells: four columns (label, value, label, value), five with a side photo."""

    rows: list[list[Cell]]
    photo: bool = False
    kind: str = "grid"


@dataclass
class DataTable:
    """A table field: caption, one- or two-level header (repeated on every page), blank rows, a total row."""

    field: Field
    header: list[list[tuple[tuple[str, ...], int, int]]]  # (lines of the label, colspan, rowspan)
    widths: list[float]
    dense: bool
    writing: bool = False  # a column for handwritten text (服务内容 …): rows stay 9 mm high
    kind: str = "table"


@dataclass
class SectionView:
    title: str
    blocks: list[Any] = field(default_factory=list)


def _is_compact_choice(f: Field) -> bool:
    """A short choice such as 男/女 fits in half a row even when it was not marked ``span: half``."""
    return (f.type == "choice" and not f.other and not f.hint and len(f.choices) <= 3
            and sum(len(c) for c in f.choices) <= 6)


def _is_consent(f: Field) -> bool:
    """A long statement answered by a tick (同意/不同意): the statement gets the wide cell, the boxes the narrow."""
    return (f.type == "choice" and len(f.label) > 10 and not f.other and len(f.choices) <= 3
            and sum(len(c) for c in f.choices) <= 8)


def _is_consent_pairs(f: Field) -> bool:
    """Consent asked of several people at once (监护人同意/监护人不同意, 孩子同意/孩子不同意): one pair per line."""
    c = f.choices
    return (f.type == "multichoice" and not f.other and len(c) >= 4 and len(c) % 2 == 0
            and all(a.endswith("同意") and b == a[:-2] + "不同意" for a, b in zip(c[::2], c[1::2])))


def _width(f: Field) -> int:
    if f.type == "text" and (f.chars == 18 or "身份证" in f.label):
        return 4
    if _is_consent(f) or _is_consent_pairs(f):
        return 4
    if f.span == "half" or f.type in ("signature", "signdate") or _is_compact_choice(f):
        return 2
    return 4


def _cells(f: Field, width: int) -> list[Cell]:
    if f.type == "signature":
        return [Cell("sign", f, width)]
    if f.type == "signdate":
        return [Cell("signdate", f, width)]
    if f.type in ("statement", "notice") and not f.label:
        return [Cell(f.type + "-only", f, width)]
    if f.type == "statement":  # a pledge clause: the tick box, its short title and its text across the row
        return [Cell("statement-full", f, width)]
    if f.type == "photo":
        return [Cell("label", f), Cell("photo-wide", f, width - 1)]
    if _is_consent(f):
        return [Cell("consent", f, width - 1), Cell("consent-opts", f)]
    if _is_consent_pairs(f):  # the statement gets half the row, each person's 同意/不同意 a line of the other half
        return [Cell("consent", f, width - 2), Cell("consent-opts", f, 2)]
    return [Cell("label", f), Cell("value", f, width - 1)]


def _is_opinion(f: Field, after: Field | None) -> bool:
    """An opinion (乡镇团意见, 审核意见 …) followed by the signature that answers for it: one cell on paper."""
    return f.type == "longtext" and after is not None and after.type == "signature" and not after.hint


def _grid_rows(fields: list[Field]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    pending: list[Cell] | None = None
    skip = False
    for i, f in enumerate(fields):
        if skip:
            skip = False
            continue
        after = fields[i + 1] if i + 1 < len(fields) else None
        if _is_opinion(f, after):
            skip = True
            cells = [Cell("label", f), Cell("opinion", f, 3, extra=(after,))]
            if pending is not None:
                pending[-1].colspan += 2
                rows.append(pending)
                pending = None
            rows.append(cells)
            continue
        w = _width(f)
        if w == 2:
            if pending is None:
                pending = _cells(f, 2)
            else:
                rows.append(pending + _cells(f, 2))
                pending = None
            continue
        if pending is not None:
            pending[-1].colspan += 2
            rows.append(pending)
            pending = None
        rows.append(_cells(f, 4))
    if pending is not None:
        pending[-1].colspan += 2
        rows.append(pending)
    return rows


def _is_signline(fields: list[Field]) -> bool:
    """Signatures, dates and short texts only (统计表's 单位负责人 … 报出日期): one line on a landscape form."""
    return len(fields) > 1 and all(f.type in ("signature", "signdate", "date") or (f.type == "text" and not f.hint)
                                   for f in fields) and any(f.type == "signature" for f in fields)


_PHOTO_ROWS = 4


#: Width of the type area in mm (A4 minus the margins of print.css), by orientation.
TEXT_WIDTH = {"portrait": 210 - 25 - 16, "landscape": 297 - 20 - 15}
#: The columns of a grid in per cent of the type area, as form.html.j2's colgroup: label, value, label, value (and a
#: side photo).
GRID_COLUMNS = {(False, False): (21, 29, 21, 29), (True, False): (12, 38, 12, 38),
                (False, True): (21, 24, 21, 18, 16), (True, True): (12, 33, 12, 28, 15)}


def grid_columns(landscape: bool, photo: bool) -> tuple[int, ...]:
    """The column widths (per cent) of a grid."""
    return GRID_COLUMNS[(bool(landscape), bool(photo))]


def header_lines(label: str, width_mm: float, size_pt: float) -> tuple[str, ...]:
    """A column header or grid label as lines that break between words, never inside one.

    Kept whole when it fits. Otherwise it is cut into words (:func:`label_words`) and the words are put on as
    few lines as fit the width, as evenly as possible, preferring a break after 的 and before 或/和/及/与 or a
    bracket. No line is a single character. A word wider than the column keeps its own line whole (the
    column should then be wider: :func:`_table_view` widens such columns).
    """
    per_line = max(1, int((width_mm - 1.2) / (size_pt * 0.3528)))
    n = len(label)
    if n <= per_line or n < 4 or " " in label:
        return (label,)
    words = label_words(label)
    best: dict[int, tuple[tuple[float, ...], tuple[str, ...]]] = {len(words): ((0, 0, 0), ())}
    for start in range(len(words) - 1, -1, -1):  # the best split of words[start:], from the end
        options = []
        for end in range(start + 1, len(words) + 1):
            line = "".join(words[start:end])
            if len(line) > per_line and end > start + 1:
                break
            if len(line) == 1 and n > 1:
                continue
            if end not in best:
                continue
            (lines, badness, spread), rest = best[end]
            cost = 0
            if end < len(words):
                cost += 0 if words[end - 1] in _AFTER or words[end][0] in _BEFORE else 1
                head = "".join(words[:end])
                cost += 3 if head.count("（") > head.count("）") else 0  # inside a bracket: only if need be
                cost += 4 if words[end][0] in _AFTER else 0  # a line never starts with 的
            width = max([len(line)] + [len(r) for r in rest])
            narrow = min([len(line)] + [len(r) for r in rest])
            over = badness // 100 + (len(line) > per_line)
            options.append(((lines + 1, over * 100 + (badness % 100) + 2 * cost, width - narrow), (line, *rest)))
        if options:
            best[start] = min(options, key=lambda o: (o[0][0], o[0][1] // 100, o[0][1] % 100 + o[0][2]))
    return best[0][1] if 0 in best else (label,)


#: Words a label never breaks inside (乡镇/团, 儿童/主任, 联系/方式 read wrong on paper), besides the handbook's
#: own terms (the site's search words); shorter runs of Chinese are taken two characters at a time.
_WHOLE_WORDS = ("乡镇团", "儿童主任", "监护人", "照护人", "抚养人", "志愿者", "服务团", "身份证", "联系电话",
                "联系方式", "服刑人员", "大病患者", "精神病", "本年度", "志愿服务", "信息系统", "村（居）")
#: One-character words a line may end with (的) or begin with (或 …).
_AFTER = ("的", "、", "之")
_BEFORE = ("或", "和", "及", "与", "并", "（")


@cache
def _known_words() -> tuple[str, ...]:
    """The words of :data:`_WHOLE_WORDS` and the handbook's search words, longest first."""
    words = set(_WHOLE_WORDS)
    try:
        for line in (templates_dir() / "site" / "search-words.txt").read_text(encoding="utf-8").splitlines():
            if line.split():
                words.add(line.split()[0])
    except OSError:  # pragma: no cover - a broken install: the built-in words still apply
        pass
    return tuple(sorted((w for w in words if len(w) > 1), key=len, reverse=True))


def label_words(label: str) -> list[str]:
    """A label cut into words: a bracket with what it holds, a known word, 的/或/和/及/与 alone, else pairs of
    characters (most Chinese words have two): 正在/服用/的/药物/及/用法, 转交/乡镇/（街道）."""
    known = _known_words()
    words: list[str] = []
    i, n = 0, len(label)

    def word_at(k: int) -> str | None:
        return next((w for w in known if label.startswith(w, k)), None)

    while i < n:
        ch = label[i]
        if ch == "（" and label.find("）", i) > i + 1:  # a bracket: its own words, held by the brackets
            end = label.find("）", i) + 1
            inner = label_words(label[i + 1:end - 1])
            inner[0] = "（" + inner[0]
            inner[-1] += "）"
            words += inner
            i = end
            continue
        if ch == "（":
            end = i + 1
        elif (w := word_at(i)) is not None:
            end = i + len(w)
        elif ch in _AFTER or ch in _BEFORE[:-1] or not ch.strip():
            end = i + 1
        elif ch.isascii() and ch.isalnum():
            end = i + 1
            while end < n and label[end].isascii() and label[end].isalnum():
                end += 1
        else:
            nxt = label[i + 1] if i + 1 < n else ""
            pair = nxt and nxt not in _AFTER and nxt not in _BEFORE and nxt != "（" and word_at(i + 1) is None \
                and not (nxt.isascii() and nxt.isalnum())
            end = i + 2 if pair else i + 1
        words.append(label[i:end])
        i = end
    return words


def label_lines(label: str, landscape: bool = False, required: bool = False) -> tuple[str, ...]:
    """A grid label as lines that break between words, not inside one (needs the label column of form.html.j2)."""
    width = TEXT_WIDTH["landscape"] * 0.12 if landscape else TEXT_WIDTH["portrait"] * 0.21
    return header_lines(label, width - (3.0 if required else 1.5), 10.0)  # room for the "*" of a required one


def _table_view(f: Field, text_width: float = TEXT_WIDTH["portrait"]) -> DataTable:
    cols = f.columns
    size = 9.0  # print.css: table.data th
    widths = _column_widths([c.width for c in cols], [c.label for c in cols], text_width, size)
    grouped = any(c.group for c in cols)
    top: list[tuple[tuple[str, ...], int, int]] = []
    below: list[tuple[tuple[str, ...], int, int]] = []

    def lines(k: int, label: str) -> tuple[str, ...]:
        return header_lines(label, widths[k] * text_width / 100, size)

    i = 0
    while i < len(cols):
        c = cols[i]
        if c.group:
            j = i
            while j < len(cols) and cols[j].group == c.group:
                j += 1
            top.append(((c.group,), j - i, 1))
            below += [(lines(k, cols[k].label), 1, 1) for k in range(i, j)]
            i = j
        else:
            top.append((lines(i, c.label), 1, 2 if grouped else 1))
            i += 1
    header = [top, below] if grouped else [top]
    writing = any("内容" in c.label for c in cols)
    return DataTable(f, header, widths, dense=f.rows > 10 and not writing, writing=writing)


def _column_widths(weights: list[float], labels: list[str], text_width: float, size: float) -> list[float]:
    """Column widths in per cent of the type area: as the form's weights say, except that a column too narrow
    for the longest word of its header (服刑人员, 精神病 …) gets that much, taken from the columns with room to
    spare (so that no header breaks inside a word)."""
    total = sum(weights)
    mm = [w * text_width / total for w in weights]
    need = [max(len(w) for w in label_words(label)) * size * 0.3528 + 1.6 if label else 0.0 for label in labels]
    short = sum(max(0.0, n - w) for n, w in zip(need, mm))
    spare = sum(max(0.0, w - n) for n, w in zip(need, mm))
    if short > 0 and spare > short:
        mm = [n if w < n else w - (w - n) * short / spare for n, w in zip(need, mm)]
    return [round(100 * w / text_width, 3) for w in mm]


def value_widths(sections: list[SectionView], orientation: str = "portrait") -> dict[str, float]:
    """The room (mm, inside the padding) each writing area has on paper: by field key, and by
    ``table.column`` for the columns of a table. A filled record fits its values to it (:mod:`wugu.render.fit`)."""
    text = TEXT_WIDTH.get(orientation, TEXT_WIDTH["portrait"])
    out: dict[str, float] = {}
    for view in sections:
        for b in view.blocks:
            if isinstance(b, DataTable):  # print.css: table.data td has 1 mm padding
                for c, w in zip(b.field.columns, b.widths):
                    out[f"{b.field.key}.{c.key}"] = w * text / 100 - 2.3
                continue
            cols = grid_columns(orientation == "landscape", b.photo)
            for row in b.rows:
                at = 0
                for c in row:
                    mm = sum(cols[at:at + c.colspan]) * text / 100
                    at += c.colspan
                    if c.kind in ("value", "opinion"):  # td: 1.6 mm padding either side
                        out[c.field.key] = mm - 3.5
                    elif c.kind == "signline":  # td.signline: 2 mm
                        out.update((g.key, text - 4.3) for g in c.extra)
    return out


def to_appendix(sections: list[SectionView], filled: dict[str, Any], room: dict[str, float],
                landscape: bool = False) -> tuple[dict[str, Any], list[tuple[int, str, str]]]:
    """A filled record's table cells too long for a row that fits on one page, moved to the form's 附页: the
    cell then says “见附页 N”, the 附页 lists ``(N, where, text)``. Ordinary values are never moved."""
    out, appendix = dict(filled), []
    for view in sections:
        for b in view.blocks:
            f = b.field if isinstance(b, DataTable) else None
            if f is None or f.key not in filled:
                continue
            rows = []
            for r, row in enumerate(filled[f.key]["rows"], 1):
                cells = [(row.get(c.key, ""), room.get(f"{f.key}.{c.key}", 20.0)) for c in f.columns]
                row = dict(row)
                for k in sorted(too_tall(cells, landscape)):
                    c = f.columns[k]
                    appendix.append((len(appendix) + 1, f"{f.label}第 {r} 行“{c.label}”", row[c.key]))
                    row[c.key] = f"见附页 {len(appendix)}"
                rows.append(row)
            out[f.key] = {**filled[f.key], "rows": rows}
    return out, appendix


class FittedValues(dict):  # type: ignore[type-arg]
    """A filled record's values (key → what its field shows, :func:`wugu.records.pdf.display_values`) with what
    fits them to the paper (filled.html.j2): the room each writing area has, and the table cells moved to the
    附页."""

    def __init__(self, values: dict[str, Any], room: dict[str, float], appendix: list[tuple[int, str, str]],
                 columns: tuple[int, ...]):
        super().__init__(values)
        self.room = room
        self.appendix = appendix
        self.columns = columns  # the 附页's grid columns (per cent)

    def ink(self, text: Any, key: str, lines: int = 2) -> str:
        """The style of a value in the writing area ``key`` (``table.column`` for a table cell)."""
        return ink_style(str(text), self.room.get(key, 20.0 if "." in key else 40.0), lines)

    def long(self, text: Any, key: str, lines: int) -> str:
        """The style of a long text in the writing area ``key`` (``lines``: the blank form's ruled lines)."""
        return long_style(str(text), self.room.get(key, 120.0), lines)


def fitted(form: Form, values: dict[str, Any]) -> FittedValues:
    """A filled record's values ready for the form's layout: each value's room on paper measured, table cells
    too long for a page moved to the 附页."""
    sections = [layout_section(s, form.orientation) for s in paper_sections(form)]
    landscape = form.orientation == "landscape"
    room = value_widths(sections, form.orientation)
    values, appendix = to_appendix(sections, values, room, landscape)
    columns = grid_columns(landscape, False)
    room["附页"] = (100 - columns[0]) * TEXT_WIDTH[form.orientation if landscape else "portrait"] / 100 - 3.5
    return FittedValues(values, room, appendix, columns)


def layout_section(section: FormSection, orientation: str = "portrait") -> SectionView:
    """The section as blocks: grids of label/value cells, and data tables between them."""
    view = SectionView(section.title)
    run: list[Field] = []

    def flush() -> None:
        if not run:
            return
        photos = [f for f in run if f.type == "photo"]
        others = [f for f in run if f.type != "photo"]
        side = photos[0] if photos and len(_grid_rows(others)) >= 3 else None
        rows = _grid_rows([f for f in run if f is not side])
        if side is not None:
            k = min(_PHOTO_ROWS, len(rows))
            rows[0].append(Cell("photo-side", side, 1, k))
            for row in rows[k:]:
                row[-1].colspan += 1
        view.blocks.append(Grid(rows, photo=side is not None))
        run.clear()

    if orientation == "landscape" and _is_signline(list(section.fields)):
        view.blocks.append(Grid([[Cell("signline", section.fields[0], 4, extra=section.fields)]]))
        return view
    for f in section.fields:
        if f.type == "table":
            flush()
            view.blocks.append(_table_view(f, TEXT_WIDTH.get(orientation, TEXT_WIDTH["portrait"])))
        else:
            run.append(f)
    flush()
    return view


def has_real_site(url: str | None) -> bool:
    """True for a site address a QR code may point to (not empty, not an example or local address)."""
    if not url:
        return False
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return bool(host) and not any(host == h or host.endswith("." + h) for h in _PLACEHOLDER_HOSTS) \
        and not host.endswith((".example", ".test", ".invalid", ".localhost"))


def _fillable(form: Form) -> bool:
    return bool(getattr(form, "fillable", False))  # getattr: models built before the key existed


# ---- what goes where on paper ----------------------------------------------------------------------------------

_NUMBERED = re.compile(r"^[一二三四五六七八九十]+、\s*")
#: Words that make a hint a safety rule (printed bold): reporting danger at once, never alone, medicine, allergy.
SAFETY_WORDS = ("紧急", "当即", "立即", "报警", "不少于 2 人", "不少于两人", "过敏", "药品", "安全隐患")


def hint_parts(hint: str | None) -> tuple[str, str]:
    """A hint as (rule, example): the example starts at 例如 and is never printed bold."""
    if not hint:
        return "", ""
    at = hint.find("例如")
    return (hint, "") if at < 0 else (hint[:at], hint[at:])


def option_parts(choice: str) -> tuple[str, str]:
    """An option as (words, bracketed note): the note (（2 名带队人员随车）) is kept on one line on paper."""
    at = choice.find("（")
    return (choice, "") if at <= 0 or not choice.endswith("）") else (choice[:at], choice[at:])


def is_safety_hint(hint: str | None) -> bool:
    """True if a field's hint carries a safety rule (printed bold); an example (例如 …) never is."""
    rule, _example = hint_parts(hint)
    return any(w in rule for w in SAFETY_WORDS)


#: A write-in blank in a fact's text (a phone number nobody has filled in yet: 【儿童督导员电话】 is “＿＿＿＿”).
_WRITE_IN = re.compile("＿{3,}")


def write_in(text: str) -> Markup:
    """``text`` as HTML, each run of “＿” a ruled blank to write on (as the forms' blanks)."""
    return Markup(_WRITE_IN.sub('<span class="blank b-write"></span>', str(escape(text))))


def has_own_date(form: Form) -> bool:
    """True if the form dates itself (a signature date or its own 填表日期 field): no 填表日期 line in its head."""
    return any(f.type == "signdate" or any(w in f.label for w in ("填表日期", "填报日期", "报出日期"))
               for f in form.fields)


def _is_secret_notice(section: FormSection, f: Field) -> bool:
    """A confidentiality notice the author wrote into the form (printed once, in the standard box at the top)."""
    return f.type == "notice" and ("保密" in f.label or ("保密" in section.title and len(section.fields) == 1))


def secret_notice(form: Form) -> tuple[str, str] | None:
    """The form's own confidentiality notice as (heading, text), if it has one."""
    for s in form.sections:
        for f in s.fields:
            if _is_secret_notice(s, f):
                heading = s.title if "保密" in s.title and len(s.fields) == 1 else "保密提示"
                return _NUMBERED.sub("", heading), f.text or ""
    return None


def confidentiality_notice(form: Form) -> tuple[str, str] | None:
    """The confidentiality notice printed at the top of a form as (heading, text): the form's own, or the standard
    one when the form collects sensitive information. The fill mode on the site shows the same notice."""
    own = secret_notice(form)
    return own if own else (("保密提示", _STANDARD_SECRET.format(kept_by=form.kept_by)) if form.has_sensitive else None)


def paper_sections(form: Form) -> list[FormSection]:
    """The sections as printed: the confidentiality notice taken out (it is printed at the top), and numbered
    一、二、… in order on every form (whatever numbering the YAML titles carry).

    On a landscape form a section that is one line of signatures (a statistical report's 填报单位 … and 单位负责人 …
    报出日期 lines) prints as that line without a heading, and is not counted; a form left with one heading is
    not numbered and has no heading (its table caption and the form title say what it is).
    """
    kept = []
    for s in form.sections:
        fields = tuple(f for f in s.fields if not _is_secret_notice(s, f))
        if fields:
            line = form.orientation == "landscape" and _is_signline(list(fields))
            kept.append((_NUMBERED.sub("", s.title), fields, line))
    titled = sum(1 for _t, _f, line in kept if not line)
    out, n = [], 0
    for title, fields, line in kept:
        if line:
            out.append(FormSection("", fields))
            continue
        n += 1
        out.append(FormSection(f"{chinese_number(n)}、{title}" if titled > 1 else "", fields))
    return out


@dataclass
class Piece:
    """A run of tables printed together: ``keep`` pieces never split across pages; ``stick`` ones also stay on
    the page of what comes before them (a signature block with what it signs)."""

    items: list[Any]  # ("title", str), Grid or DataTable
    keep: bool = False
    stick: bool = False
    lead: bool = False  # a heading with its opening rows only: never the last thing on a page (break-after: avoid)


def _is_sign_row(row: list[Cell]) -> bool:
    return all(c.kind in ("sign", "signdate", "signline") for c in row)


def _is_statement_row(row: list[Cell]) -> bool:
    return row[0].kind in ("statement-only", "statement-full")


def pieces(sections: list[SectionView]) -> list[Piece]:
    """The form as pieces, with the keep-together rules of a paper form:

    * a section heading never ends a page: it is kept with the first rows (or the whole of a short table);
    * a signature block never starts a page alone: it is kept with the statements it confirms and with the
      row before them (the opinion it signs); a section of signatures only sticks to the section before;
    * the 合计 row of a table stays with its last rows (CSS), and a short section is kept whole.
    """
    out: list[Piece] = []
    for view in sections:
        items: list[Any] = [("title", view.title)] if view.title else []
        blocks = list(view.blocks)
        rows_total = sum(len(b.rows) if b.kind == "grid" else b.field.rows + 2 for b in blocks)
        sign_only = all(b.kind == "grid" and all(_is_sign_row(r) or _is_statement_row(r) for r in b.rows)
                        for b in blocks)
        if sign_only and out:  # glued to the end of the section before (the last row it signs)
            prev = out[-1]
            last = prev.items[-1]
            if not prev.keep and isinstance(last, Grid) and len(last.rows) > 1:
                prev.items[-1] = Grid(last.rows[:-1], last.photo)
                out.append(Piece([Grid(last.rows[-1:], last.photo)] + items + blocks, keep=True, stick=True))
            elif prev.keep and sum(len(i.rows) for i in prev.items if isinstance(i, Grid)) <= 4 \
                    and not any(isinstance(i, DataTable) or (isinstance(i, Grid) and any(
                        c.kind == "photo-wide" for r in i.rows for c in r)) for i in prev.items):
                prev.items += items + blocks
                prev.stick = True
            else:
                out.append(Piece(items + blocks, keep=True, stick=True))
            continue
        if rows_total <= _WHOLE_ROWS or sign_only:  # a short section moves whole rather than leave a row or two
            out.append(Piece(items + blocks, keep=True, stick=sign_only))
            continue
        first = blocks.pop(0)
        if first.kind == "grid":
            k = max(3, min(_PHOTO_ROWS, len(first.rows)) if first.photo else 3)
            # never cut a statement from the signature that confirms it, nor a field group (姓名/年龄/状况)
            while k < len(first.rows) and (_is_sign_row(first.rows[k]) or _same_group(first.rows[k - 1],
                                                                                      first.rows[k])):
                k += 1
            head, rest = first.rows[:k], first.rows[k:]
            head_items = items + [Grid(head, first.photo)]
            if not rest and blocks and blocks[0].kind != "grid" and blocks[0].field.rows <= 5:
                head_items.append(blocks.pop(0))  # a heading and its explanation go with the table they explain
            # a heading and an explanation whose table follows: they go to the page where the table starts
            out.append(Piece(head_items, keep=True, lead=not rest and bool(blocks)))
            if rest:
                blocks.insert(0, Grid(rest, first.photo))
        else:
            out.append(Piece(items + [first], keep=first.field.rows <= 8))
        out += _flow(blocks)
    return out


#: A section of at most this many rows is kept whole (it moves to the next page when it does not fit).
_WHOLE_ROWS = 5


def _group_key(row: list[Cell]) -> str:
    """The person or thing a row's first label names (母亲姓名 → 母亲), to keep such rows together."""
    label = next((c.field.label for c in row if c.kind == "label"), "")
    for end in ("姓名", "年龄", "状况", "电话", "联系方式", "性别", "身份证号", "工作单位", "职务", "关系"):
        if label.endswith(end) and len(label) > len(end):
            return label[: -len(end)]
    return ""


def _same_group(a: list[Cell], b: list[Cell]) -> bool:
    ka = _group_key(a)
    return bool(ka) and ka == _group_key(b)


def _flow(blocks: list[Any]) -> list[Piece]:
    """The rest of a section: rows may break between them, except that signatures (and the statements they
    confirm) stay with the row before them."""
    out: list[Piece] = []
    loose: list[Any] = []

    def flush() -> None:
        if loose:
            out.append(Piece(list(loose)))
            loose.clear()

    for b in blocks:
        if b.kind != "grid":
            loose.append(b)
            continue
        groups: list[list[list[Cell]]] = []
        for row in b.rows:
            if groups and (_is_sign_row(row) or (_is_statement_row(row) and len(groups[-1]) > 1)):
                groups[-1].append(row)
            else:
                groups.append([row])
        # a statement followed by its signature belongs to the row before it as well
        merged: list[list[list[Cell]]] = []
        for g in groups:
            if merged and _is_statement_row(g[0]) and len(g) > 1 and any(_is_sign_row(r) for r in g):
                merged[-1] += g
            else:
                merged.append(g)
        # rows of one field group (母亲姓名 / 母亲年龄 / 母亲状况) stay together
        grouped: list[list[list[Cell]]] = []
        for g in merged:
            if grouped and len(g) == 1 and _same_group(grouped[-1][-1], g[0]):
                grouped[-1] += g
            else:
                grouped.append(g)
        # a run of statements never leaves one alone at the top or the foot of a page
        merged = []
        for g in grouped:
            if merged and len(g) == 1 and _is_statement_row(g[0]) and len(merged[-1]) == 1 \
                    and _is_statement_row(merged[-1][0]):
                merged[-1] += g
            else:
                merged.append(g)
        for g in merged:
            if len(g) == 1:
                if loose and isinstance(loose[-1], Grid):
                    loose[-1] = Grid(loose[-1].rows + g, b.photo)
                else:
                    loose.append(Grid(g, b.photo))
            else:
                flush()
                out.append(Piece([Grid(g, b.photo)], keep=True, stick=True))
    flush()
    return out


def _has_own_secret_notice(form: Form) -> bool:
    """True if the form's author wrote its own confidentiality notice (then no standard one is added)."""
    return secret_notice(form) is not None


# ---- documents ---------------------------------------------------------------------------------------------------

@dataclass
class Part:
    """One document to lay out: its HTML, its page stylesheet, and what it is called in messages."""

    name: str
    html: str
    page_css: str
    margins: str = ""  # the running header and footer alone (a pack adds its own fonts and page numbers)
    landscape: bool = False
    texts: tuple[str, str, str] = ("", "", "")  # header left and right, footer left (a pack turns them)

    @cached_property
    def key(self) -> str:
        return hashlib.sha256((self.page_css + "\0" + self.html).encode()).hexdigest()


def _code_hash() -> str:
    """A hash of the PDF templates, the print stylesheet and the renderer's own source."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted((templates_dir() / "pdf").glob("*")) + [here / "pdf.py", here / "fonts.py"]:
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _wp_version() -> str:
    try:
        return _pkg_version("weasyprint")
    except PackageNotFoundError:  # pragma: no cover
        return "?"


#: Largest cache entry read back (a pack is well under 2 MB, a fillable form ~13 MB).
_MAX_CACHED = 64 * 1024 * 1024


@cache
def pdf_env() -> jinja2.Environment:
    """The PDF templates' Jinja environment (also used by the fill page for its printed paper)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "pdf")),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    env.filters["css"] = css_string
    env.filters["cn"] = chinese_number
    env.filters["safety"] = is_safety_hint
    env.filters["hint_parts"] = hint_parts
    env.filters["option_parts"] = option_parts
    env.filters["label_lines"] = label_lines
    return env


class _Skeleton(dict):  # type: ignore[type-arg]
    """No values, but a filled record's layout (``{% if filled %}``): the fill page's printed paper. ``room``: the
    room each writing space has (:func:`value_widths`)."""

    room: dict[str, float] = {}

    def __bool__(self) -> bool:
        return True


def qr_uri(profile: Any, form: Form) -> str | None:
    """A QR code (SVG data URI) to the form's handbook page, if the profile has a site URL."""
    if not has_real_site(profile.site_url):
        return None
    import segno

    url = profile.site_url.rstrip("/") + "/" + html_url(form_page(form))
    return segno.make(url, error="m", micro=False).svg_data_uri(border=0, dark="#000")


def form_html(handbook: Handbook, form: Form, *, fillable: bool = False, filled: dict[str, Any] | None = None,
              paper: bool = False, qr: str | None | bool = True) -> str:
    """The HTML document of a form as the PDF lays it out: blank, fillable, ``filled`` with a record's values, or
    (``paper``) a filled record's layout with every writing area blank and marked by its key for the fill page's
    script (templates/pdf/paper.html.j2). ``qr``: the QR code to print (True: the
    profile's own, :func:`qr_uri`; a PDF builder passes its own, e.g. the blank box of an editions body)."""
    sections = [layout_section(s, form.orientation) for s in paper_sections(form)]
    if paper:  # the room of each writing space, for paper.js to fit values as `fitted` does (wugu.render.fit)
        filled = _Skeleton()
        filled.room = value_widths(sections, form.orientation)
    required = any(f.required and f.type not in ("signature", "signdate", "notice") and
                   (f.label or f.type != "statement") for f in form.fields)
    profile = handbook.profile
    header = next((f for f in form.fields if f.form_date), None)
    header_key = header.key if header else None
    return pdf_env().get_template("form.html.j2").render(
        profile=profile, version=__version__, date=_w3c_date(profile.effective_date),
        doc_title=f"{form.title}（{form.code}）", description=form.purpose,
        keywords=f"{form.code} {form.title}" + (f" {FILLED_RECORD_PDF}" if filled is not None and not paper else ""),
        landscape=form.orientation == "landscape",
        form=form, pieces=pieces(sections), qr=qr_uri(profile, form) if qr is True else qr or None, required=required,
        secret=confidentiality_notice(form), sensitive=form.has_sensitive, fillable=fillable,
        dated=has_own_date(form), filled=filled, paper=paper, header_key=header_key,
        header_month=bool(header and header.label.endswith("月份")),
        header_date=(filled or {}).get(header_key) if header_key else None,
    )


class PdfBuilder:
    """Renders a handbook's forms and packs; holds what is worth building only once per run."""

    def __init__(self, handbook: Handbook, cache_dir: Path | None = None,
                 progress: Callable[[str], None] | None = None, fonts: FontSet | None = None):
        self.handbook = handbook
        self.profile = handbook.profile
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.progress = progress or (lambda _msg: None)
        self.fonts = fonts if fonts is not None else FontSet()
        self.env = pdf_env()
        self.print_css = (templates_dir() / "pdf" / "print.css").read_text(encoding="utf-8")
        self._parts: dict[str, tuple[bytes, int]] = {}  # part key → (PDF, pages)
        self._packs: dict[str, bytes] = {}  # pack key → PDF
        self._memo: dict[tuple[str, str], Part] = {}
        self._used: set[str] = set()
        self._fresh: set[str] = set()  # keys rendered in this run (not taken from the cache)
        self._pool = None

    # ---- keys and cache ----

    @cached_property
    def _salt(self) -> str:
        """What every PDF depends on besides its own HTML: versions, fonts, templates and this renderer's code."""
        return "\0".join((__version__, _wp_version(), self.fonts.identity, _code_hash(), f"plain={plain()}"))

    def _key(self, *parts: Part, extra: str = "") -> str:
        h = hashlib.sha256(self._salt.encode())
        for p in parts:
            h.update(p.key.encode())
        h.update(extra.encode())
        return h.hexdigest()

    def _cached(self, key: str) -> bytes | None:
        """A cached PDF, only if this machine's user sealed it for this key (see :mod:`wugu.render.sealed`): a
        cache committed to the repository or copied from elsewhere is never trusted."""
        if self.cache_dir is None:
            return None
        path = self.cache_dir / f"{key[:2]}/{key}.pdf"
        data = read_entry(path, key, _MAX_CACHED)
        if data is not None:
            self._used.add(str(path))
        return data

    def _store(self, key: str, data: bytes) -> None:
        if self.cache_dir is not None:  # best-effort: no secret, a planted link, a full disk: no cache
            path = self.cache_dir / f"{key[:2]}/{key}.pdf"
            if write_entry(path, key, data):
                self._used.add(str(path))

    def prune_cache(self) -> None:
        """Delete cached PDFs that this run did not use (content that no longer exists, entries not sealed here).
        Links are never followed: a planted ``ab -> ~/Documents`` must not have wugu delete the PDFs there."""
        if self.cache_dir is None or not self.cache_dir.is_dir() or self.cache_dir.is_symlink():
            return
        for sub in self.cache_dir.iterdir():
            if sub.is_symlink() or not sub.is_dir():
                continue
            for path in sub.glob("*.pdf"):
                if str(path) not in self._used:
                    try:
                        path.unlink(missing_ok=True)
                    except OSError:
                        pass

    # ---- HTML ----

    def _common(self, title: str, description: str, keywords: str, landscape: bool = False) -> dict[str, Any]:
        return dict(profile=self.profile, version=__version__, date=_w3c_date(self.profile.effective_date),
                    doc_title=title, description=description, keywords=keywords, landscape=landscape)

    def _margins(self, top_left: str, top_right: str, bottom_left: str) -> str:
        """The running header and footer of a document (page.css.j2)."""
        return self.env.get_template("page.css.j2").render(top_left=top_left, top_right=top_right,
                                                           bottom_left=bottom_left)

    def _page_css(self, text: str, top_left: str, top_right: str, bottom_left: str, fillable: bool = False) -> str:
        rules = self.fonts.stylesheet(text + top_left + top_right + bottom_left + self.print_css)
        if fillable:
            rules += "\n" + self.fonts.field_stylesheet()
        return rules + "\n" + self._margins(top_left, top_right, bottom_left)

    def qr_uri(self, form: Form) -> str | None:
        """A QR code (SVG data URI) to the form's handbook page, if the profile has a site URL."""
        return qr_uri(self.profile, form)

    def form_part(self, form: Form, fillable: bool = False) -> Part:
        """The form as a document to lay out (memoised); ``fillable`` adds PDF form fields."""
        memo = ("form+fields" if fillable else "form", form.id)
        if memo not in self._memo:
            self._memo[memo] = self._form_part(form, fillable)
        return self._memo[memo]

    def _form_part(self, form: Form, fillable: bool = False, filled: dict[str, Any] | None = None) -> Part:
        body = form_html(self.handbook, form, fillable=fillable, filled=filled, qr=self.qr_uri(form))
        top_left = "内部资料　注意保密" if form.has_sensitive or filled else ""
        top_right = f"{form.code}　{form.version} 版"
        bottom_left = f"{self.profile.name}　{form.title}"  # code and version are in the header
        return Part(f"{form.code} {form.title}", body,
                    self._page_css(body, top_left, top_right, bottom_left, fillable),
                    self._margins(top_left, top_right, bottom_left), form.orientation == "landscape",
                    (top_left, top_right, bottom_left))

    def filled_bytes(self, form: Form, values: dict[str, Any]) -> bytes:
        """A filled record in the form's own layout, values in the writing space, marked 内部资料　注意保密.

        Never cached: a filled record is personal data (see :mod:`wugu.records.pdf`).
        """
        part = self._form_part(form, filled=fitted(form, values))
        return _render_job(self._part_job(part, False), self.engine)[0]

    def regulation_part(self, reg: Regulation) -> Part:
        """A regulation as a document to lay out (memoised)."""
        if ("reg", reg.id) not in self._memo:
            self._memo["reg", reg.id] = self._regulation_part(reg)
        return self._memo["reg", reg.id]

    def _regulation_part(self, reg: Regulation) -> Part:
        forms = [self.handbook.form(i) for i in reg.form_ids if i in {f.id for f in self.handbook.forms}]
        ctx = self._common(reg.title, reg.purpose, f"{reg.id} {reg.title}")
        body = self.env.get_template("regulation.html.j2").render(
            **ctx, reg=reg, forms=forms, effective=chinese_date(reg.effective_date))
        top_left = "随附制度　阅读用，不用填写"
        top_right = f"制度 {reg.id}　{reg.version} 版"
        bottom_left = f"{self.profile.name}　{reg.title}"
        return Part(f"{reg.id} {reg.title}", body, self._page_css(body, top_left, top_right, bottom_left),
                    self._margins(top_left, top_right, bottom_left))

    def red_lines_part(self) -> Part:
        """The red lines (norms marked ``red_line``) on a page of their own, for a pack that carries them."""
        if ("red-lines",) not in self._memo:
            norms = [n for n in self.handbook.norms if n.red_line]
            ctx = self._common("红线", "服务规范中任何时候都不能碰的各条", "红线")
            body = self.env.get_template("red_lines.html.j2").render(**ctx, norms=norms)
            top_left = "随附红线　阅读用，不用填写"
            top_right = f"红线　{self.profile.content_version} 版"
            bottom_left = f"{self.profile.name}　红线"
            self._memo["red-lines",] = Part("红线", body, self._page_css(body, top_left, top_right, bottom_left),
                                            self._margins(top_left, top_right, bottom_left))
        return self._memo["red-lines",]

    def guide_part(self, guide: Guide) -> Part:
        """A practice guide as a document to lay out (memoised): its own PDF, and its pages in a pack."""
        if ("guide", guide.id) not in self._memo:
            self._memo["guide", guide.id] = self._guide_part(guide)
        return self._memo["guide", guide.id]

    def _guide_part(self, g: Guide) -> Part:
        h = self.handbook
        short = (h.guide_applies_short(g, chinese_number) if g.card
                 else [h.applies_label(r, chinese_number) for r in h.guide_applies(g)])
        ctx = self._common(g.title, g.summary, f"实用指南 {g.title}")
        body = self.env.get_template("guide.html.j2").render(
            **ctx, g=g, refs=short, writein=write_in, sources=[s.label for s in g.sources if s.kind != "handbook"] if g.card
            else [s.label for s in g.sources])
        top_left = "" if g.card else "随附实用指南　阅读用，不用填写"  # a card says on its face what it is
        top_right = f"实用指南　{g.version} 版"
        bottom_left = f"{self.profile.name}　{g.title}"
        return Part(f"实用指南 {g.title}", body, self._page_css(body, top_left, top_right, bottom_left),
                    self._margins(top_left, top_right, bottom_left))

    def cover_part(self, pack: Pack, entries: list[tuple[str, str, int | None]], regs: list[tuple[str, str, int | None]],
                   pages: int | None, red_lines: tuple[int, str] | None = None,
                   guides: list[tuple[str, bool, str]] = ()) -> Part:
        ctx = self._common(pack.title, pack.purpose, f"表格包 {pack.title}")
        sensitive = any(f.has_sensitive for f in self.handbook.pack_forms(pack))
        body = self.env.get_template("pack.html.j2").render(
            **ctx, pack=pack, entries=entries, regs=regs, pages=pages, red_lines=red_lines, guides=list(guides),
            sensitive=sensitive,
            effective=chinese_date(self.profile.effective_date))
        bottom_left = f"{self.profile.name}　表格包：{pack.title}（{self.profile.content_version} 版）"
        top_right = f"内容版本 {self.profile.content_version}"
        return Part(f"表格包 {pack.title}", body, self._page_css(body, "", top_right, bottom_left),
                    self._margins("", top_right, bottom_left))

    # ---- rendering ----

    def _part_job(self, part: Part, fillable: bool) -> tuple:
        return ("part", self.print_css, self.fonts.blobs_for(part.page_css), part.html, part.page_css, fillable)

    @cached_property
    def _shared_fonts(self) -> str:
        """One set of font subsets for the forms and packs of a build (the characters of all of them): a form or
        regulation laid out once serves its own PDF and every pack that prints it, and the font faces are loaded
        once per process. Each PDF still embeds only the glyphs it uses (WeasyPrint cuts them at writing), once.
        (Fillable forms keep their own fonts: they need the whole face for typing.)"""
        blank = self.env.get_template("blank.html.j2").render(**self._common("", "", ""))
        text = [blank, self.print_css, _PACK_TEXT]
        for form in self.handbook.forms:
            if not _fillable(form):
                p = self.form_part(form)
                text.append(p.html + p.margins)
        for pack in self.handbook.packs:
            cover, parts = self._pack_parts(pack)
            text += [p.html + p.margins for p in (cover, *parts)]
        return self.fonts.stylesheet("".join(text))

    def _group_job(self, packs: list[tuple[str, Pack]], forms: list[tuple[str, Form]]) -> tuple:
        """A job laying out packs and forms in one process, each part once (see :func:`_render_packs`)."""
        parts: dict[str, tuple[str, str, bool]] = {}
        specs = []
        for key, pack in packs:
            cover, members = self._pack_parts(pack)
            for p in members:
                parts[p.key] = (p.html, p.margins, p.landscape, p.texts)
            specs.append((key, cover.html, cover.margins, [p.key for p in members]))
        singles = []
        for key, item in forms:
            p = self._single_part(item)
            parts[p.key] = (p.html, p.margins, p.landscape, p.texts)
            singles.append((key, p.key))
        blank = self.env.get_template("blank.html.j2").render(**self._common("", "", ""))
        group = PackGroup(self._shared_fonts, parts, specs, blank, singles)
        return ("packs", self.print_css, self.fonts.blobs_for(self._shared_fonts), group)

    def _single_part(self, item: Form | Guide) -> Part:
        """A form or a guide printed as a PDF of its own (beside the packs that print it)."""
        return self.guide_part(item) if isinstance(item, Guide) else self.form_part(item)

    def _pack_job(self, pack: Pack) -> tuple:
        """Everything a process needs to make a pack as ONE document with ONE set of font subsets: its parts
        (forms, then regulations), the cover with place-holders for the page numbers, a blank page."""
        cover, parts = self._pack_parts(pack)
        blank = self.env.get_template("blank.html.j2").render(**self._common(pack.title, "", ""))
        text = "".join(p.html + p.margins for p in (cover, *parts)) + blank + self.print_css + _PACK_TEXT
        fonts = self.fonts.stylesheet(text)
        spec = PackSpec(fonts, cover.html, cover.margins, [(p.name, p.html, p.margins, p.landscape, p.texts) for p in parts],
                        blank)
        return ("pack", self.print_css, self.fonts.blobs_for(fonts), spec)

    def _run(self, jobs: dict[str, tuple]) -> dict[str, tuple[bytes, int]]:
        """Run render jobs, on a pool of processes when there are several and the machine allows it."""
        if not jobs:
            return {}
        keys = list(jobs)
        # The biggest jobs first, so that the processes finish at about the same time.
        keys.sort(key=lambda k: -_job_size(jobs[k]))
        for key in keys:
            self._warn_missing(jobs[key])
        if self._pool is None and _workers(len(jobs)) > 1:
            import multiprocessing

            self._pool = multiprocessing.get_context("fork").Pool(_workers(len(jobs)))
        if self._pool is not None:
            try:
                results = self._pool.map(_render_job, [jobs[k] for k in keys], chunksize=1)
            except BaseException:
                self._pool.terminate()
                self._pool = None
                raise
        else:
            results = [_render_job(jobs[k], self.engine) for k in keys]
        done = dict(zip(keys, results))
        for key, value in done.items():
            if jobs[key][0] != "packs":  # a group's packs are stored one by one by the caller
                self._store(key, value[0])
                self._fresh.add(key)
        return done

    def _warn_missing(self, job: tuple) -> None:
        """Tell about characters the Chinese fonts cannot print (they would come out in another font)."""
        if job[0] == "part":
            html = job[3]
        elif job[0] == "packs":
            html = "".join(h for h, *_rest in job[3].parts.values())
        else:
            html = "".join(p[1] for p in job[3].parts)
        text = re.sub(r"<[^>]*>", "", html)
        missing = self.fonts.missing(_html.unescape(text))
        if missing:
            title = re.search(r"<title>(.*?)</title>", html)
            name = _html.unescape(title.group(1)) if title else "?"
            self.progress(f"注意：{name} 里有中文字体没有的字符“{missing}”，打印出来可能是别的字体或方框；"
                          "请换成常用字")

    @cached_property
    def engine(self) -> "Engine":
        """WeasyPrint in this process (used when no process pool is)."""
        return Engine(self.print_css, self.fonts.blob, _FAST_CSS)

    def _part_key(self, part: Part, fillable: bool) -> str:
        return self._key(part, extra=f"fillable={fillable}")

    def _pack_parts(self, pack: Pack) -> tuple[Part, list[Part]]:
        """The pack's cover (page numbers as place-holders ``@@P<i>@@``, ``@@TOTAL@@``) and its parts."""
        forms = self.handbook.pack_forms(pack)
        regs = self.handbook.pack_regulations(pack)
        guides = self.handbook.pack_guides(pack)
        parts = [self.form_part(f) for f in forms] + [self.regulation_part(r) for r in regs]
        reds = sum(1 for n in self.handbook.norms if n.red_line) if pack.red_lines else 0
        if reds:
            parts.append(self.red_lines_part())
        first_guide = len(parts)
        parts += [self.guide_part(g) for g in guides]
        cover = self.cover_part(pack, [(f.code, f.title, f"@@P{i}@@") for i, f in enumerate(forms)],
                                [(r.id, r.title, f"@@P{len(forms) + i}@@") for i, r in enumerate(regs)], "@@TOTAL@@",
                                (reds, f"@@P{len(forms) + len(regs)}@@") if reds else None,
                                [(g.title, g.card, f"@@P{first_guide + i}@@") for i, g in enumerate(guides)])
        return cover, parts

    def _pack_key(self, pack: Pack) -> str:
        cover, parts = self._pack_parts(pack)
        return self._key(cover, *parts, extra="pack+" + "".join(p.margins for p in (cover, *parts)))

    def render_parts(self, wanted: list[tuple[Part, bool]]) -> None:
        """Make sure every wanted part's PDF is known: from this run, from the cache, or rendered now."""
        jobs: dict[str, tuple] = {}
        for part, fillable in wanted:
            key = self._part_key(part, fillable)
            if key in self._parts or key in jobs:
                continue
            data = self._cached(key)
            if data is not None:
                self._parts[key] = (data, 0)  # pages are only known for parts made in this run
            else:
                jobs[key] = self._part_job(part, fillable)
        self._parts.update(self._run(jobs))

    def render_packs(self, packs: list[Pack]) -> None:
        """Make sure every pack's PDF is known (its parts must be rendered first)."""
        jobs: dict[str, tuple] = {}
        for pack in packs:
            key = self._pack_key(pack)
            if key in self._packs or key in jobs:
                continue
            data = self._cached(key)
            if data is not None:
                self._packs[key] = data
                continue
            jobs[key] = self._pack_job(pack)
        self._packs.update({k: data for k, (data, _pages) in self._run(jobs).items()})

    def _check_cards(self) -> None:
        """E419 unless every one-page card (``card: true``) came out on one page: a card is pinned up or carried
        folded, a second sheet gets lost. An edition's longer local text or phone numbers can push it over."""
        from io import BytesIO

        from pypdf import PdfReader

        from ..errors import WuguError, problem

        problems = []
        for g in self.handbook.printed_guides:
            if not g.card:
                continue
            data, pages = self._parts[self._part_key(self.guide_part(g), False)]
            pages = pages or len(PdfReader(BytesIO(data)).pages)
            if pages != 1:
                problems.append(problem("E419", f"{'local/' if g.local else ''}guides/{g.id}.yml", title=g.title,
                                        pages=pages))
        if problems:
            raise WuguError(problems)

    def guide_bytes(self, guide: Guide) -> bytes:
        """The PDF of one practice guide (from the cache when nothing changed)."""
        part = self.guide_part(guide)
        self.render_parts([(part, False)])
        return self._parts[self._part_key(part, False)][0]

    def form_bytes(self, form: Form) -> bytes:
        """The PDF of one form (from the cache when nothing changed)."""
        fillable = _fillable(form)
        part = self.form_part(form, fillable)
        self.render_parts([(part, fillable)])
        return self._parts[self._part_key(part, fillable)][0]

    def pack_bytes(self, pack: Pack) -> bytes:
        """The PDF of one pack: cover and contents, then its forms and its regulations, each starting on an odd
        page (a page marked 本页空白 before it where needed), each page with the form's own 第 X 页 共 Y 页 and the
        pack's page number; one set of font subsets for the whole pack; landscape pages turned for long-edge
        duplex printing.
        """
        self.render_packs([pack])
        return self._packs[self._pack_key(pack)]

    def build(self, out_dir: Path) -> list[Path]:
        """Write every form PDF and every pack PDF into ``out_dir``."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        try:
            jobs: dict[str, tuple] = {}
            forms: list[tuple[str, Form]] = []
            for form in self.handbook.forms:
                fillable = _fillable(form)
                part = self.form_part(form, fillable)
                key = self._part_key(part, fillable)
                data = None if key in self._parts else self._cached(key)
                if data is not None:
                    self._parts[key] = (data, 0)
                elif fillable:  # its own fonts (whole faces): a job of its own
                    jobs[key] = self._part_job(part, fillable)
                elif key not in self._parts and all(k != key for k, _f in forms):
                    forms.append((key, form))
            for guide in self.handbook.printed_guides:  # laid out with a pack that prints it, where one does
                key = self._part_key(self.guide_part(guide), False)
                data = None if key in self._parts else self._cached(key)
                if data is not None:
                    self._parts[key] = (data, 0)
                elif key not in self._parts and all(k != key for k, _f in forms):
                    forms.append((key, guide))
            todo: list[tuple[str, Pack]] = []
            for pack in self.handbook.packs:
                key = self._pack_key(pack)
                data = self._cached(key)
                if data is not None:
                    self._packs[key] = data
                elif all(k != key for k, _p in todo):
                    todo.append((key, pack))
            groups = _pack_groups(todo, forms, _workers(len(todo) + len(forms)))
            for i, (packs, singles) in enumerate(groups):
                jobs[f"packs-{i}"] = self._group_job(packs, singles)
            pack_keys = {k for k, _p in todo}
            for key, value in self._run(jobs).items():
                if jobs[key][0] == "packs":
                    for out_key, data in value:
                        if out_key in pack_keys:
                            self._packs[out_key] = data
                        else:
                            self._parts[out_key] = (data, 0)
                        self._store(out_key, data)
                        self._fresh.add(out_key)
                elif jobs[key][0] == "pack":
                    self._packs[key] = value[0]
                else:
                    self._parts[key] = value
        finally:
            if self._pool is not None:
                self._pool.close()
                self._pool.join()
                self._pool = None
        written = []
        items = [(form_pdf(f), self._part_key(self.form_part(f, _fillable(f)), _fillable(f)), self._parts)
                 for f in self.handbook.forms]
        items += [(pack_pdf(p), self._pack_key(p), self._packs) for p in self.handbook.packs]
        items += [(guide_pdf(g), self._part_key(self.guide_part(g), False), self._parts)
                  for g in self.handbook.printed_guides]
        self._check_cards()
        for name, key, store in items:
            value = store[key]
            path = inside(out_dir, name)
            write_atomic(path, value[0] if isinstance(value, tuple) else value)
            written.append(path)
            self.progress(f"{'已生成' if key in self._fresh else '未改动'}  {name}")
        return written



class Engine:
    """WeasyPrint with the shared print stylesheet and one font configuration, built on first use.

    Font subsets are served by ``fonts`` (URL → bytes); nothing is fetched from the network.
    """

    def __init__(self, print_css: str, fonts: Callable[[str], bytes | None], fast_css: str | None = None,
                 previous: bool | None = None):
        """``fast_css``: the stylesheet of the speed-ups (forms, packs, regulations), with the XML parser and
        the lighter compression; ``None``: WeasyPrint's own ways (other documents, e.g. exam papers).
        ``previous``: the previous renderer whatever ``fast_css`` is (default: the ``WUGU_PDF_PLAIN`` switch)."""
        self.print_css = print_css
        self.fonts = fonts
        self.previous = (fast_css is None or plain()) if previous is None else previous
        self.fast_css = "" if self.previous else (fast_css or "")

    @cached_property
    def _wp(self):
        if not os.environ.get("WUGU_PDF_DEBUG"):
            logging.getLogger("weasyprint").setLevel(logging.ERROR)
            logging.getLogger("fontTools").setLevel(logging.ERROR)
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        fonts = self.fonts

        class Fetcher(URLFetcher):
            """Our font subsets from memory, data: URIs and packaged files; nothing from the network."""

            def fetch(self, url, headers=None):
                if url.startswith(FontSet.SCHEME):
                    data = fonts(url)
                    if data is None:
                        raise ValueError(f"unknown font {url}")
                    return URLFetcherResponse(url, data, {"Content-Type": "font/otf"})
                if url.startswith("file:") and not _own_file(url):
                    raise ValueError(f"wugu only reads its own template files, not {url}")
                return super().fetch(url, headers)

        fetcher = Fetcher(allowed_protocols={"data", "file", FontSet.SCHEME.rstrip(":")})
        font_config = FontConfiguration()
        css = weasyprint.CSS(string=self.print_css + "\n" + self.fast_css, base_url=_BASE_URL(),
                             font_config=font_config, url_fetcher=fetcher)
        ua = weasyprint.CSS(string=(templates_dir() / "pdf" / "ua.css").read_text(encoding="utf-8"))

        class LeanHTML(weasyprint.HTML):
            """Our templates with a user-agent stylesheet cut down to the elements they use (faster cascade).

            ``_ua_stylesheets`` is WeasyPrint's own hook; should it ever be renamed, the full stylesheet is
            used again and only speed is lost.
            """

            def _ua_stylesheets(self, forms=False):
                return super()._ua_stylesheets(forms) if forms else [ua]

        class OwnHTML(LeanHTML):
            """Our own generated HTML, well-formed but for HTML's void elements, parsed with the standard
            library's XML parser (expat, in C) instead of WeasyPrint's HTML5 parser (pure Python): the same
            tree, in a fraction of the time. Anything expat refuses is parsed the HTML5 way."""

            def __init__(self, string: str, base_url: str, url_fetcher):
                try:
                    root = _xml_tree(string)
                except ValueError:
                    super().__init__(string=string, base_url=base_url, url_fetcher=url_fetcher)
                    return
                self.base_url = base_url
                self.url_fetcher = url_fetcher
                self.media_type = "print"
                self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
                self.etree_element = self.wrapper_element.etree_element

        import cssselect2

        return (LeanHTML if self.previous else OwnHTML), css, font_config, fetcher

    def layout(self, html: str, page_css: str, fillable: bool = False):
        """Lay out one document (``lang`` is zh-CN in the HTML; the fonts come from ``page_css``)."""
        import weasyprint

        html_class, css, font_config, fetcher = self._wp
        page = weasyprint.CSS(string=page_css, font_config=font_config, url_fetcher=fetcher)
        doc = html_class(string=html, base_url=_BASE_URL(), url_fetcher=fetcher)
        return doc.render(stylesheets=[css, page], font_config=font_config, pdf_forms=fillable or None)

    def write(self, doc, fillable: bool = False, landscape: set[int] | frozenset[int] = frozenset()) -> bytes:
        """The PDF bytes: compressed, tagged (screen readers, reflow; the language zh-CN comes from the HTML),
        with an identifier derived from the content, no clock anywhere. Pages in ``landscape`` are turned a
        quarter (``/Rotate 270``) so that a pack printed long-edge duplex comes out the right way up: the top of
        the table towards the binding edge, on both sides of the sheet.

        Streams are compressed at zlib's default level (6) instead of pydyf's 9: a third less time writing for
        files under 1 % bigger (measured by scripts/bench_pdf.py); the previous renderer keeps level 9."""
        def turn(_document, pdf) -> None:
            kids = pdf.pages["Kids"][::3]
            for i in landscape:
                pdf.objects[kids[i]]["Rotate"] = 270

        def write() -> bytes:
            return doc.write_pdf(pdf_identifier=True, pdf_forms=fillable or None, pdf_tags=True,
                                 finisher=turn if landscape else None)

        if self.previous:
            return write()
        import pydyf

        saved = pydyf.zlib
        pydyf.zlib = _ZLIB  # pydyf compresses every stream with zlib.compressobj(level=9)
        try:
            return write()
        finally:
            pydyf.zlib = saved


class _Zlib:
    """``zlib`` for pydyf, at the default compression level whatever level pydyf asks for."""

    def __getattr__(self, name: str):
        import zlib

        return getattr(zlib, name)

    @staticmethod
    def compressobj(level: int = -1, *args, **kwargs):
        import zlib

        return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, *args, **kwargs)

    @staticmethod
    def compress(data: bytes, level: int = -1) -> bytes:
        import zlib

        return zlib.compress(data, zlib.Z_DEFAULT_COMPRESSION)


_ZLIB = _Zlib()


def plain() -> bool:
    """True when the previous renderer is asked for (``WUGU_PDF_PLAIN=1``, an internal switch for the tests
    that compare its pages with the optimised renderer's, image by image): WeasyPrint's own HTML parser and
    margin boxes sized from their content."""
    return os.environ.get("WUGU_PDF_PLAIN") == "1"


#: HTML's void elements, written ``<br>`` by the templates: closed for the XML parser.
_VOID = re.compile(r"<(area|base|br|col|embed|hr|img|input|link|meta|source|wbr)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)\s*/?>")


def _xml_tree(html: str):
    """The element tree of one of our documents, parsed as XML (void elements closed first); ``ValueError``
    if expat refuses it (then the HTML5 parser is used)."""
    import xml.etree.ElementTree as ET

    text = _VOID.sub(r"<\1\2/>", html)
    if text.startswith("<!DOCTYPE html>"):
        text = text[len("<!DOCTYPE html>"):]
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        raise ValueError(str(err)) from err
    if root.tag != "html" or any("}" in el.tag for el in root.iter()):
        raise ValueError("not our HTML")
    for table in root.iter("table"):  # rows straight in a table go in a tbody, as the HTML5 parser puts them
        if any(child.tag == "tr" for child in table):
            kids, body = list(table), None
            for child in kids:
                table.remove(child)
                if child.tag == "tr":
                    if body is None:
                        body = ET.SubElement(table, "tbody")
                    body.append(child)
                else:
                    body = None
                    table.append(child)
    return root


def _own_file(url: str) -> bool:
    """True for a ``file:`` URL inside wugu's own PDF templates (stylesheets, images): the only files a PDF may
    read. Fonts come from memory (``FontSet``); anything else, e.g. a path named in content, is refused."""
    from urllib.parse import urlsplit
    from urllib.request import url2pathname

    try:
        path = Path(url2pathname(urlsplit(url).path)).resolve()
    except (OSError, ValueError):
        return False
    own = (templates_dir() / "pdf").resolve()
    return path == own or own in path.parents


#: Margin boxes with fixed widths (WeasyPrint then skips measuring their text on every page): the header's right
#: box half the width, the footer's left one 70 % (print.css); the texts sit where they sat when the widths came
#: from the content, as long as they fit, which they do by far.
_FAST_CSS = "@page { @top-right { width: 50%; } }\n"


def _BASE_URL() -> str:  # noqa: N802 - a constant computed on demand
    return (templates_dir() / "pdf").as_uri() + "/"


_ENGINE: Engine | None = None
_BLOBS: dict[str, bytes] = {}


def _render_job(job: tuple, engine: Engine | None = None) -> tuple[bytes, int]:
    """Lay out and write one part, or one pack's cover joined with its parts; return the PDF and its pages.

    Runs in a worker process (``engine`` is then this process's own) or in the main one.
    """
    global _ENGINE
    kind, print_css, blobs = job[:3]
    if engine is None:
        if _ENGINE is None or _ENGINE.print_css != print_css:
            _ENGINE = Engine(print_css, _BLOBS.get, _FAST_CSS)
        engine = _ENGINE
    _BLOBS.update(blobs)
    if kind == "part":
        html, page_css, fillable = job[3:]
        doc = engine.layout(html, page_css, fillable)
        return engine.write(doc, fillable), len(doc.pages)
    if kind == "packs":
        return _render_packs(job[3], engine)
    return _render_pack(job[3], engine), 0


@dataclass
class PackGroup:
    """Packs laid out in one process: their shared fonts, their parts (key → HTML, running header and footer,
    landscape), and per pack (cache key, cover HTML, cover header and footer, its parts' keys)."""

    fonts: str
    parts: dict[str, tuple[str, str, bool, tuple[str, str, str]]]
    packs: list[tuple[str, str, str, list[str]]]
    blank: str
    forms: list[tuple[str, str]] = field(default_factory=list)  # (cache key, part key): forms on their own


#: The pack's page number, added to the part's own footer (a second line under 第 X 页 共 Y 页).
_STAMP_CSS = ("@page { @top-left { content: none; } @top-right { content: none; } @bottom-left { content: none; }"
              " @bottom-right { content: \"本包第 \" counter(page) \" 页\"; padding-top: 6.5mm; } }\n")


def _render_packs(group: PackGroup, engine: Engine) -> list[tuple[str, bytes]]:
    """Every pack of the group, each part laid out once for all of them.

    A pack's pages are its cover and contents, then each part padded to an even number of pages with a page
    marked 本页空白. The pack's page number is laid out apart (a document of empty pages with only that
    number in the margin) and added to each page's own margin boxes, so that the parts' layouts can be shared;
    should WeasyPrint's page objects ever change shape, each pack is laid out on its own instead.
    """
    docs: dict[str, Any] = {}

    def part(key: str):
        if key not in docs:
            html, margins, _landscape, _texts = group.parts[key]
            docs[key] = engine.layout(html, group.fonts + "\n" + margins)
        return docs[key]

    out = [(key, engine.write(part(part_key))) for key, part_key in group.forms]
    if not group.packs:
        return out
    blank = engine.layout(group.blank, group.fonts + "\n" + _BLANK_PAGE_CSS)
    for pack_key, cover_html, cover_margins, keys in group.packs:
        body, starts, wide, page = [], [], set(), 3
        turned: dict[int, tuple[tuple[str, str, str], int, int]] = {}
        for key in keys:
            doc = part(key)
            starts.append(page)
            if group.parts[key][2]:
                wide.update(range(page - 1, page - 1 + len(doc.pages)))
                turned.update({page - 1 + j: (group.parts[key][3], j + 1, len(doc.pages))
                               for j in range(len(doc.pages))})
            body += doc.pages
            page += len(doc.pages)
            if len(doc.pages) % 2:
                body += blank.pages
                page += 1
        html = cover_html.replace("@@TOTAL@@", str(page - 1))
        for i, n in enumerate(starts):
            html = html.replace(f"@@P{i}@@", str(n))
        cover = engine.layout(html, group.fonts + "\n" + cover_margins)
        if len(cover.pages) != 2:  # long contents: the simple way, laid out on its own
            spec = PackSpec(group.fonts, cover_html, cover_margins,
                            [("", *group.parts[k]) for k in keys], group.blank)
            out.append((pack_key, _render_pack(spec, engine)))
            continue
        stamps = engine.layout(_stamp_html(page - 1, turned), group.fonts + "\n" + _STAMP_CSS + _turned_css(turned))
        try:
            pages = list(cover.pages) + [_stamped(p, s, i + 2 in turned)
                                         for i, (p, s) in enumerate(zip(body, stamps.pages[2:]))]
        except AttributeError:  # pragma: no cover - WeasyPrint internals changed
            spec = PackSpec(group.fonts, cover_html, cover_margins,
                            [("", *group.parts[k]) for k in keys], group.blank)
            out.append((pack_key, _render_pack(spec, engine)))
            continue
        out.append((pack_key, engine.write(cover.copy(pages), landscape=wide)))
    return out


def _stamp_html(total: int, turned: dict[int, Any] | set[int] = frozenset()) -> str:
    """``total`` empty portrait pages to carry the pack's page numbers; a page in ``turned`` is the named page
    of :func:`_turned_css` (it carries the running header and footer of a turned landscape page as well)."""
    pages = "".join(f'<div class="stamp{f" turn{i}" if i in turned else ""}"></div>' for i in range(total))
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>{pages}</body></html>')


def _turned_css(turned: dict[int, tuple[tuple[str, str, str], int, int]]) -> str:
    """Margin boxes for the pack pages in ``turned`` (index → the part's header and footer texts, its own page
    number and page count): laid out on a portrait page exactly where a portrait page has them, then drawn
    turned onto the landscape page (:func:`_stamped`), so that a pack held upright shows every page's numbers
    at the bottom right and its header at the top."""
    rules = []
    for i, ((top_left, top_right, bottom_left), own, count) in sorted(turned.items()):
        numbers = css_string(f"第 {own} 页　共 {count} 页") + "\\A" + css_string(f"本包第 {i + 1} 页")
        rules.append(f".turn{i} {{ page: turn{i}; }}\n@page turn{i} {{ @top-left {{ content: \"{css_string(top_left)}\"; }}"
                     f" @top-right {{ content: \"{css_string(top_right)}\"; }}"
                     f" @bottom-left {{ content: \"{css_string(bottom_left)}\"; }}"
                     f" @bottom-right {{ content: \"{numbers}\"; padding-top: 2mm; }} }}")
    return "\n".join(rules) + "\n"


def _stamped(page, stamp, turned: bool = False):
    """``page`` with the margin boxes of ``stamp`` (the pack's page number) drawn over it.

    ``turned``: ``page`` is a landscape page shown a quarter turn anticlockwise (``/Rotate 270``); its own
    margin boxes are left out and the portrait ``stamp``'s are drawn turned a quarter clockwise (x = W − y,
    y = x), so that they come out where a portrait page of the pack has them.
    """
    from weasyprint.document import Page
    from weasyprint.formatting_structure.boxes import MarginBox
    from weasyprint.matrix import Matrix

    extra = [b for b in stamp._page_box.children if isinstance(b, MarginBox) and b.children]
    own = list(page._page_box.children)
    if turned:
        own = [b for b in own if not isinstance(b, MarginBox)]
        for box in extra:
            box.transformation_matrix = Matrix(0, 1, -1, 0, page.width, 0)
    return Page(page._page_box.copy_with_children(own + extra))


@dataclass
class PackSpec:
    """What a process needs to lay out a pack: the pack's fonts, its cover, its parts and a blank page."""

    fonts: str
    cover: str
    cover_margins: str
    parts: list[tuple[str, str, str, bool, tuple[str, str, str]]]  # (name, HTML, running header and footer,
    #                                                                  landscape, header and footer texts)
    blank: str


#: Text a pack prints besides its parts' own (for its font subsets).
_PACK_TEXT = "本包第页本页空白0123456789"


def _pack_numbers(start: int, own: bool = True) -> str:
    """Page CSS giving every page of a part the pack's page number as well as the part's own 第 X 页 共 Y 页
    (``own=False``: the pack's number only, for a page left blank)."""
    mine = "\"第 \" counter(page) \" 页　共 \" counter(pages) \" 页\\A\" " if own else ""
    return (f"@page {{ counter-increment: wugupack; @bottom-right {{ content: {mine}\"本包第 \" counter(wugupack) "
            f"\" 页\"; }} }}\n@page :first {{ counter-reset: wugupack {start - 1}; }}\n")


def _render_pack(spec: PackSpec, engine: Engine) -> bytes:
    """Lay out a pack's parts one after another (each keeps its own page counter), pad each part to an even
    number of pages with a page marked 本页空白, then the cover and contents with the real page numbers; write
    all the pages as one PDF (fonts embedded once for the whole pack)."""
    def lay(cover_pages: int):
        docs, starts, page = [], [], cover_pages + 1
        for _name, html, margins, landscape, texts in spec.parts:
            doc = engine.layout(html, spec.fonts + "\n" + margins + "\n" + _pack_numbers(page))
            docs.append((doc, texts if landscape else None))
            starts.append(page)
            page += len(doc.pages)
            if len(doc.pages) % 2:
                blank = engine.layout(spec.blank,
                                      spec.fonts + "\n" + _BLANK_PAGE_CSS + _pack_numbers(page, own=False))
                docs.append((blank, None))
                page += 1
        return docs, starts, page - 1

    cover_pages = 2
    while True:
        docs, starts, total = lay(cover_pages)
        html = spec.cover.replace("@@TOTAL@@", str(total))
        for i, n in enumerate(starts):
            html = html.replace(f"@@P{i}@@", str(n))
        cover = engine.layout(html, spec.fonts + "\n" + spec.cover_margins)
        n = len(cover.pages) + len(cover.pages) % 2
        if n <= cover_pages:
            break
        cover_pages = n  # long contents: lay the parts out again behind more cover pages (rare)
    pages = list(cover.pages)
    if len(pages) < cover_pages:
        filler = engine.layout(spec.blank,
                               spec.fonts + "\n" + _BLANK_PAGE_CSS + _pack_numbers(len(pages) + 1, own=False))
        pages += filler.pages * (cover_pages - len(pages))
    turned: dict[int, tuple[tuple[str, str, str], int, int]] = {}
    for doc, texts in docs:
        if texts is not None:
            turned.update({len(pages) + j: (texts, j + 1, len(doc.pages)) for j in range(len(doc.pages))})
        pages += doc.pages
    if turned:
        stamps = engine.layout(_stamp_html(len(pages), turned), spec.fonts + "\n" + _STAMP_CSS + _turned_css(turned))
        pages = [_stamped(p, stamps.pages[i], True) if i in turned else p for i, p in enumerate(pages)]
    return engine.write(cover.copy(pages), landscape=set(turned))


#: A page left blank so that the next part starts on the front of a sheet.
_BLANK_PAGE_CSS = ("@page { @top-left { content: none; } @top-right { content: none; } @bottom-left { content: none; }"
                   " @bottom-right { content: none; } }\n")


def _job_size(job: tuple) -> int:
    """About how long a job takes (to start the longest ones first)."""
    if job[0] == "pack":
        return sum(len(p[1]) for p in job[3].parts) + len(job[3].cover)
    if job[0] == "packs":
        return sum(len(h) for h, *_rest in job[3].parts.values()) + sum(len(p[1]) for p in job[3].packs)
    return len(job[3])


def _workers(jobs: int) -> int:
    """How many processes to render ``jobs`` documents with (``WUGU_JOBS`` overrides; 1 means no pool)."""
    import multiprocessing

    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods() or not sys.platform.startswith("linux"):
        return 1
    if threading.active_count() > 1:  # forking a process with other threads (e.g. `wugu serve`) is unsafe
        return 1
    try:
        wanted = int(os.environ.get("WUGU_JOBS", "0"))
    except ValueError:
        wanted = 0
    return max(1, min(jobs, wanted or min(os.cpu_count() or 1, 2)))


def build_pdfs(handbook: Handbook, out_dir: Path, cache_dir: Path | None = None,
               progress: Callable[[str], None] | None = None) -> list[Path]:
    """Render every form and every pack of ``handbook`` to PDF files in ``out_dir``; return their paths.

    ``cache_dir`` keeps rendered PDFs between runs (unchanged ones are copied, not rendered again; entries no
    longer used are removed); ``progress`` is called with one Chinese line per PDF written. Raises
    :class:`~wugu.errors.WuguError` (E504, exit code 2) when no Simplified-Chinese font is installed.
    """
    builder = PdfBuilder(handbook, cache_dir, progress)
    written = builder.build(Path(out_dir))
    builder.prune_cache()
    return written


__all__ = ["build_pdfs", "PdfBuilder", "MARKER", "chinese_number", "chinese_date",
           "layout_section"]


def _pack_groups(packs: list[tuple[str, Pack]], forms: list[tuple[str, Form]], workers: int
                 ) -> list[tuple[list[tuple[str, Pack]], list[tuple[str, Form]]]]:
    """Packs and forms to make, in as many groups as there are processes (one job each). Packs that share parts
    go together where the sizes allow (a part is laid out once per group), and a form goes with a pack that
    prints it (its own PDF then costs no second layout)."""
    n = max(1, min(workers, len(packs) + len(forms)))
    groups: list[tuple[list[tuple[str, Pack]], list[tuple[str, Form]]]] = [([], []) for _ in range(n)]
    members: list[set[str]] = [set() for _ in range(n)]
    load = [0] * n
    for key, pack in sorted(packs, key=lambda kp: -(len(kp[1].form_ids) + len(kp[1].regulation_ids))):
        ids = set(pack.form_ids) | set(pack.regulation_ids)
        cost = [load[i] + len(ids - members[i]) * 2 + 1 for i in range(n)]  # new pages this pack brings
        i = min(range(n), key=lambda g: (cost[g], g))
        groups[i][0].append((key, pack))
        members[i] |= ids
        load[i] = cost[i]
    for key, form in forms:
        i = min(range(n), key=lambda g: (form.id not in members[g], load[g], g))
        groups[i][1].append((key, form))
        if form.id not in members[i]:
            members[i].add(form.id)
            load[i] += 2
    return [g for g in groups if g[0] or g[1]]

"""Escaping: the one home for making untrusted text safe in each place it goes.

Every text from the content (YAML, ``site/`` pages, ``mkdocs.yml``, command-line values) is untrusted. Renderers
call these functions; templates do not improvise their own escaping.

==================  ==========================================================================================
target              function
==================  ==========================================================================================
HTML text / attr    :func:`html` (``&<>"'`` escaped; returns :class:`markupsafe.Markup`, never escaped twice)
Markdown inline     :func:`markdown` (no accidental emphasis, links, code or tags — as character references, which
                    also read right in a raw HTML block; one line that never starts a block: no headings, lists,
                    quotes, fences or admonitions)
JSON in <script>    :func:`script_json` (data for ``<script type="application/json">``: ``<``, ``>``, ``&`` and
                    the line separators as JSON unicode escapes, so ``</script>`` or ``<!--`` can never appear)
CSS string          :func:`css_string` (the inside of ``"…"``: quotes, backslashes, line breaks, controls
                    hex-escaped, so the string can never be closed)
file name           :func:`file_name` (refuses anything but a plain name: no folders, no ``..``, no controls)
terminal            :func:`terminal` (control characters, escape sequences and bidi overrides made visible)
GitHub annotations  :func:`github_property` (``file=``/``title=``), :func:`github_message` (after ``::``)
==================  ==========================================================================================
"""
from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup
from markupsafe import escape as _markup_escape

__all__ = ["html", "markdown", "script_json", "css_string", "file_name", "terminal", "github_property", "github_message",
           "has_control", "looks_like_formula"]

# Characters that must never reach a terminal or a one-line message as they are: C0 and C1 controls (ESC starts
# terminal escape sequences), DEL, and the Unicode bidi controls that reorder what a reader sees ("Trojan Source").
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
                     "\ud800-\udfff]")  # lone surrogates: no encoder can write them
_UNSAFE_OR_NEWLINE = re.compile(_UNSAFE.pattern[:-1] + "\n]")


def has_control(text: str) -> bool:
    """True if ``text`` holds a control character (other than tab/newline) or a bidi override."""
    return bool(_UNSAFE.search(text))


# ---- HTML and Markdown ----------------------------------------------------------------------------------------

def html(text: Any) -> Markup:
    """Text for HTML content or a quoted attribute value. Already-escaped :class:`Markup` is left alone."""
    return _markup_escape(text)


#: Markdown's inline characters as numeric character references: they read the same in a line of Markdown and in a
#: raw HTML block (``<p class="wg-item">…</p>``), where a backslash escape (``\\*``) would show its backslash.
_MD_ESCAPES = str.maketrans({**{c: f"&#{ord(c)};" for c in "\\`*_[]{}|"}, "<": "&lt;", ">": "&gt;", "&": "&amp;"})


#: Line breaks as Python-Markdown (``\r``, ``\n``) or a reader (the rest) sees them, with the blanks around them.
_MD_LINE_BREAKS = re.compile(r"[ \t]*[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]\s*")
#: What makes a line a block when it starts it: headings ``#``, lists ``-``/``+``/``1.``/``1)``, rules and setext
#: underlines ``---``/``===``, fences ``~~~``, admonitions ``!!!``, details ``???``, blocks ``///``, tabs ``===``,
#: definitions ``:`` (the other starts — `` ` ``, ``*``, ``_``, ``[``, ``{``, ``|``, ``<``, ``>`` — are escaped
#: wherever they stand, four spaces are stripped).
_MD_BLOCK_START = re.compile(r"(?P<number>[0-9]+)(?P<mark>[.)])(?=\s|$)|(?P<mark1>[#+\-=~:!?/])")


def _char_ref(ch: str) -> str:
    """A numeric character reference (as in :data:`_MD_ESCAPES`)."""
    return f"&#{ord(ch)};"


def markdown(text: Any) -> str:
    """Text made safe to drop into a line of Markdown: no emphasis, links, code spans, tables or raw tags, and
    never a block of its own. Line breaks become one space (as a soft break shows, and as the PDFs print them), the
    text's own leading and trailing blanks go (four spaces would start a code block, two at the end a line break),
    and a heading, list, rule, fence or admonition marker at its start is written as a character reference, so the
    text can begin a line of a page and stays plain text in one paragraph."""
    s = _MD_LINE_BREAKS.sub(" ", str(text)).strip(" \t").translate(_MD_ESCAPES)
    if (m := _MD_BLOCK_START.match(s)) is None:
        return s
    head = m["number"] + _char_ref(m["mark"]) if m["number"] else _char_ref(m["mark1"])
    return head + s[m.end():]


_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                                 "\u2029": "\\u2029"})


def script_json(data: Any) -> Markup:
    """``data`` as JSON to put inside ``<script type="application/json">`` of an HTML page (still valid JSON)."""
    return Markup(json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES))


# ---- CSS ------------------------------------------------------------------------------------------------------

def _css_char(ch: str) -> str:
    return f"\\{ord(ch):x} "


_CSS_UNSAFE = re.compile(r'[\\"\'<>\x00-\x1f\x7f-\x9f\u2028\u2029]')


def css_string(text: Any) -> str:
    """The inside of a double-quoted CSS string (``content: "…"``) that shows ``text`` literally.

    Quotes, backslashes, line breaks and every control character become CSS hex escapes (``\\22 ``), so nothing
    in ``text`` can end the string, the declaration or the rule. ``<`` and ``>`` are escaped too, so the string is
    also safe inside an HTML ``<style>`` element.
    """
    return _CSS_UNSAFE.sub(lambda m: "\ufffd" if m.group() == "\x00" else _css_char(m.group()), str(text))


# ---- file names -----------------------------------------------------------------------------------------------

_NAME = re.compile(r"[^\x00-\x1f\x7f/\\:*?\"<>|]+")


def file_name(name: str) -> str:
    """``name`` if it is a plain file name (no folder part, no ``..``, no control or reserved characters).

    File names are built from ids, which the schema already restricts; this is the last line of defence before
    anything is written. Raises :class:`ValueError` for anything else.
    """
    if (not _NAME.fullmatch(name) or name in (".", "..") or name.startswith((".", " ")) or name.endswith((".", " "))
            or has_control(name) or len(name.encode("utf-8")) > 200):
        raise ValueError(f"not a safe file name: {name!r}")
    return name


# ---- terminal and CI ------------------------------------------------------------------------------------------

def _visible(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: Any, *, keep_newlines: bool = False) -> str:
    """Text that is safe to print on a terminal: control characters, escape sequences (ESC …), bidi overrides and
    (unless ``keep_newlines``) line breaks are shown as ``\\x1b``-style escapes instead of acting."""
    pattern = _UNSAFE if keep_newlines else _UNSAFE_OR_NEWLINE
    return pattern.sub(lambda m: _visible(m.group()), str(text))


def github_message(text: Any) -> str:
    """The message part of a GitHub workflow command (after ``::``): ``%``, CR and LF percent-encoded."""
    s = terminal(str(text), keep_newlines=True)
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: Any) -> str:
    """A property value of a GitHub workflow command (``file=…``, ``title=…``): also ``:`` and ``,`` encoded,
    so a crafted file name cannot end the property list or add one of its own."""
    return github_message(text).replace(":", "%3A").replace(",", "%2C")


# ---- spreadsheets -----------------------------------------------------------------------------------------------

def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet may take for a formula once the cell is edited (``=HYPERLINK(…)``, ``+cmd|…``,
    ``@SUM(…)``, ``-1+1``): such text is written with the quote prefix, so Excel and WPS keep it text."""
    return text[:1] in ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

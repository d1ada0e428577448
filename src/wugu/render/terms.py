"""Glossary terms linked where they appear: the first occurrence of each term on a page links to its definition.

Works on a page's finished HTML (mkdocs' ``on_page_content``), so it sees the text exactly as the reader does and
never touches Markdown syntax. Text inside links, headings, code, buttons, labels and the form preview is left as
it is. Longer words win over the terms they contain: 事实孤儿 (an option of a list) is not linked as 孤儿.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from markupsafe import escape

from ..model import Handbook

#: Elements whose text is never linked (a link inside them would be wrong or unreadable).
_SKIP = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "script", "style", "button", "label", "summary",
         "textarea", "select", "svg", "math", "title", "template", "object"}
#: Classes of elements whose text is never linked: the printed-form preview, callouts, admonition titles.
_SKIP_CLASSES = ("wg-form", "wg-callout", "admonition-title", "wg-sources")
#: Elements whose content the browser reads as plain text up to their own end tag (``</style>`` ends a style
#: element even inside a quoted string): skipped to that end tag in one step, never tokenized.
_RAW_TEXT = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"}
_WS = r"[\t\n\f\r ]"
#: One token of a page as a browser's tokenizer reads it (HTML standard, "tokenization"): a comment, a bogus
#: comment (``<!…>``, ``<?…>``, ``</1…>``), or a start/end tag whose attribute values may hold ``>`` and ``<``
#: inside quotes; an attribute name takes any character but blanks, ``/``, ``>`` and ``=`` (``a"b`` is a name).
#: A tag or comment left open runs to the end of the page, as in a browser (which then drops it). Whatever the
#: pattern does not match is text. Atomic groups: no backtracking, linear on any input.
_TAG = re.compile(
    r"(?P<comment><!--(?>->|>|.*?(?:--!?>|\Z)))"
    r"|(?P<bogus><(?:[!?]|/(?![a-zA-Z>]))[^>]*(?:>|\Z))"
    r"|(?P<empty></>)"
    r"|<(?P<close>/?)(?P<name>[a-zA-Z][^\t\n\f\r />]*)"
    rf"(?P<attrs>(?>{_WS}|/|(?>=[^\t\n\f\r />=]*|[^\t\n\f\r />=]+)"
    rf"(?>{_WS}*={_WS}*(?>\"[^\"]*(?:\"|\Z)|'[^']*(?:'|\Z)|[^\t\n\f\r >]+)?)?)*)(?:>|\Z)",
    re.S)


@dataclass(frozen=True)
class Glossary:
    """What to link: words → anchor on the glossary page, and words that must stay as they are."""

    page: str                      # docs-relative path of the glossary page, e.g. ``glossary.md``
    links: dict[str, tuple[str, str]]  # word → (anchor, title shown on hover)
    pattern: re.Pattern[str] | None


def glossary(handbook: Handbook, page: str) -> Glossary:
    """The words of ``handbook``'s glossary (terms; lists named in quotation marks) to link from other pages."""
    links: dict[str, tuple[str, str]] = {}
    for t in handbook.glossary:
        for word in t.term.split("、"):
            if len(word) >= 2:
                links.setdefault(word.strip(), (t.id, t.definition))
    for v in handbook.vocabs:
        title = v.title.replace("“", "").replace("”", "")
        if title in links:  # the list shares its name with a term (“1204”工作法): the quoted name links there too
            links.setdefault(v.title, links[title])
        else:
            links.setdefault(f"“{title}”", (f"vocab-{v.id}", v.intro or v.title))
    keep = {i.label for v in handbook.vocabs for i in v.items
            if i.label not in links and any(w in i.label for w in links)}
    words = sorted({*links, *keep}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in words)) if words else None
    return Glossary(page, links, pattern)


def link_terms(html: str, page: str, g: Glossary) -> str:
    """``html`` of the page at ``page`` (docs-relative) with the first occurrence of each glossary word linked."""
    if g.pattern is None or page == g.page:
        return html
    href = posixpath.relpath(g.page, posixpath.dirname(page) or ".")
    href = href[:-3] + ".html" if href.endswith(".md") else href
    done: set[str] = set()  # anchors already linked on this page
    out: list[str] = []
    skipping: list[str] = []  # names of the open elements we are inside of while skipping
    pos = 0
    while (m := _TAG.search(html, pos)) is not None:
        out.append(_link(html[pos:m.start()], g, href, done) if not skipping else html[pos:m.start()])
        out.append(m.group(0))
        pos = m.end()
        if m.group("name") is None:  # a comment: its text stays as it is
            continue
        closing, name, attrs = m.group("close"), m.group("name").lower(), m.group("attrs")
        if not closing and name in _RAW_TEXT:  # its text runs to its own end tag, whatever it looks like
            end = re.compile(rf"</{re.escape(name)}[\t\n\f\r />]", re.I).search(html, pos)
            stop = end.start() if end else len(html)
            out.append(html[pos:stop])
            pos = stop
            continue
        if attrs.rstrip().endswith("/") or name in ("br", "img", "input", "hr", "meta", "link", "col", "wbr"):
            continue
        if skipping:
            if closing and name == skipping[-1]:
                skipping.pop()
            elif not closing and name == skipping[0]:
                skipping.append(name)  # the same element nested inside the skipped one
        elif not closing and (name in _SKIP or any(c in attrs for c in _SKIP_CLASSES)):
            skipping.append(name)
    out.append(_link(html[pos:], g, href, done) if not skipping else html[pos:])
    return "".join(out)


def _link(text: str, g: Glossary, href: str, done: set[str]) -> str:
    if not text.strip():
        return text
    assert g.pattern is not None

    def repl(m: re.Match[str]) -> str:
        word = m.group(0)
        if word not in g.links or g.links[word][0] in done:
            return word
        anchor, title = g.links[word]
        done.add(anchor)
        hint = escape(title if len(title) <= 80 else title[:79] + "…")
        quoted = word.startswith("“") and word.endswith("”")
        inner = word[1:-1] if quoted else word
        link = f'<a class="wg-term" href="{href}#{anchor}" title="{hint}">{inner}</a>'
        return f"“{link}”" if quoted else link

    return g.pattern.sub(repl, text)

"""Fill mode (在电脑上填写): a form page the browser can fill, check as you type, save, open and print.

A renderer of the same form model as the preview and the PDF, plus the form's published record schema
(:func:`wugu.records.schema.record_schema`): the inputs are laid out like the paper form and named by the fields'
record keys; the schema is inlined in the page, and the browser validates against it with the vendored
``@cfworker/json-schema`` (classic scripts only: a page opened from ``file://`` can load neither ES modules nor
files by ``fetch``). Nothing here defines a field or a constraint of its own.
"""
from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .. import paths
from ..escape import css_string, script_json
from ..model import Form, Handbook
from ..records.schema import record_schema
from ..resources import templates_dir
from .pdf import confidentiality_notice, form_html, has_own_date, paper_sections
from .site import column_groups, form_rows, rel

#: Where the fill mode's scripts and stylesheet sit in the built site (inside wugu's asset folder).
ASSET_DIR = "assets/wugu/fill"


@cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(templates_dir() / "site")), undefined=StrictUndefined,
                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(form_rows=form_rows, column_groups=column_groups)
    return env


# ---- the printed paper: the PDF form's own HTML and stylesheet, so a printout breaks where the PDF does ----------
# Printing the fill page prints the PDF form's HTML (wugu/templates/pdf/form.html.j2) with its print stylesheet,
# scoped to the paper: the blank form while nothing is filled in (page for page the downloadable PDF), else the
# layout of `wugu records pdf` with the values put in by paper.js. Chromium lays the same HTML and CSS out on the
# same pages as WeasyPrint (tests/test_fill_print.py compares every form's pages with its PDF).

#: The fonts of the printed paper: the PDF's faces by name, then what Windows and macOS have.
PAPER_FONTS = (':root { --serif: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Songti SC", serif; '
               '--sans: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "PingFang SC", '
               'sans-serif; }')
PAPER = ".wg-paper"


def _split_top(text: str, sep: str = ",") -> list[str]:
    """``text`` split at ``sep`` outside brackets (a selector list with ``:is(a, b)`` in it)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "([" and 1 or ch in ")]" and -1 or 0
        if ch == sep and depth == 0:
            out.append(text[start:i])
            start = i + 1
    return [*out, text[start:]]


def _blocks(css: str) -> list[tuple[str, str]]:
    """The top-level rules of a stylesheet as (prelude, body), comments left out."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out, i = [], 0
    while (j := css.find("{", i)) >= 0:
        depth, k = 0, j
        while k < len(css):
            depth += {"{": 1, "}": -1}.get(css[k], 0)
            if depth == 0:
                break
            k += 1
        out.append((css[i:j].strip(), css[j + 1:k]))
        i = k + 1
    return out


def scoped_css(css: str, scope: str = PAPER) -> str:
    """The PDF's stylesheets for an element of a web page: every selector under ``scope`` (``html``/``body`` are the
    scope itself), named pages (``page:``) and ``@page`` rules left out — the paper's pages are its own."""
    rules = []
    for prelude, body in _blocks(css):
        if prelude.startswith("@"):
            continue
        sels = [sel.strip() for sel in _split_top(prelude)]
        scoped = [scope if sel in ("html", "body", ":root") else f"{scope} {sel}" for sel in sels]
        body = re.sub(r"(?<![\w-])page\s*:\s*[\w-]+\s*;?", "", body).strip()
        rules.append(f"{', '.join(scoped)} {{ {body} }}")
    return "\n".join(rules)


def _page_rule(css: str) -> str:
    """The body of the PDF stylesheet's own ``@page`` rule (paper, margins, running header and footer style)."""
    return next(body for prelude, body in _blocks(css) if prelude == "@page")


@cache
def _pdf_styles() -> tuple[str, str]:
    """The PDF's user-agent and print stylesheets, scoped to the paper, and its ``@page`` rule's body."""
    pdf = templates_dir() / "pdf"
    ua, print_css = ((pdf / n).read_text(encoding="utf-8") for n in ("ua.css", "print.css"))
    return scoped_css(ua) + "\n" + scoped_css(print_css), _page_rule(print_css)


def paper_css(handbook: Handbook, form: Form) -> str:
    """The printed paper's stylesheet: the PDF's, scoped; its pages named ``wgp`` (blank form) and ``wgpf`` (filled,
    always 内部资料), with the running header and footer of the PDF form and of `wugu records pdf`."""
    scoped, page = _pdf_styles()
    if form.orientation == "landscape":
        page += " size: A4 landscape; margin: 14mm 15mm 13mm 20mm;"
    right, left = f"{form.code}　{form.version} 版", f"{handbook.profile.name}　{form.title}"
    pages = []
    for name, top_left in (("wgp", "内部资料　注意保密" if form.has_sensitive else ""), ("wgpf", "内部资料　注意保密")):
        pages.append(f'@page {name} {{ {page} @top-left {{ content: "{css_string(top_left)}"; }} '
                     f'@top-right {{ content: "{css_string(right)}"; }} @bottom-left {{ content: "{css_string(left)}"; }} }}')
    return "\n".join([PAPER_FONTS, *pages, f"{PAPER} .wgp-sheet {{ page: wgp; }}",
                      f"{PAPER} .wgp-sheet--filled {{ page: wgpf; }}", f"{PAPER} .wgp {{ display: contents; }}",
                      f"{PAPER}, {PAPER} *, {PAPER} ::before, {PAPER} ::after {{ box-sizing: content-box; }}", scoped])


@cache
def char_widths() -> str:
    """The widths wugu.render.fit gives characters, as JSON runs ``[first, last, em]`` of code points (1 for a wide
    character, 0 for one that takes no room; any other is 0.62 em), for paper.js to fit values as records pdf does."""
    import json
    import unicodedata

    runs: list[list[float]] = []
    for cp in range(0x20, 0x10000):  # beyond: paper.js counts 20000–3FFFD (CJK) wide, the rest 0.62
        ch = chr(cp)
        em = 1 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else \
            0 if unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc") else None
        if em is None:
            continue
        if runs and runs[-1][1] == cp - 1 and runs[-1][2] == em:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp, em])
    return json.dumps(runs, separators=(",", ":"))


def _body(document: str) -> str:
    return document.split("<body", 1)[1].split(">", 1)[1].rsplit("</body>", 1)[0].strip()


def paper_html(handbook: Handbook, form: Form) -> tuple[str, str]:
    """The printed paper's two sheets: the blank PDF form, and a filled record's layout with its writing areas
    marked for paper.js."""
    return _body(form_html(handbook, form)), _body(form_html(handbook, form, paper=True))


def fill_form(handbook: Handbook, form: Form, page: str) -> str:
    """The fill-mode HTML of ``form`` for the docs page ``page`` (asset links are relative to it).

    Sections, their numbering and the confidentiality notice are the printed form's (:mod:`wugu.render.pdf`);
    rows are laid out as on the site's preview; the inputs follow the record schema.
    """
    schema = record_schema(form)
    html = _env().get_template("fill.html.j2").render(
        form=form, profile=handbook.profile, props=schema["properties"], schema_json=script_json(schema),
        asset=rel(paths.html_url(page), ASSET_DIR), sections=paper_sections(form),
        notice=confidentiality_notice(form), paper_css=Markup(paper_css(handbook, form)),
        paper=[Markup(h) for h in paper_html(handbook, form)], landscape=form.orientation == "landscape",
        char_widths=char_widths(),
        dated=has_own_date(form) or any(f.form_date for f in form.fields),
    )
    # Markdown passes a raw HTML block through only while it has no blank line inside.
    return "\n".join(line for line in html.splitlines() if line.strip())

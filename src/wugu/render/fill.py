"""Fill mode (在电脑上填写): a form page the browser can fill, check as you type, save, open and print.

A renderer of the same form model as the preview and the PDF, plus the form's published record schema
(:func:`wugu.records.schema.record_schema`): the inputs are laid out like the paper form and named by the fields'
record keys; the schema is inlined in the page, and the browser validates against it with the vendored
``@cfworker/json-schema`` (classic scripts only: a page opened from ``file://`` can load neither ES modules nor
files by ``fetch``). Nothing here defines a field or a constraint of its own.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .. import paths
from ..escape import css_string, script_json
from ..model import Form, Handbook
from ..records.schema import record_schema
from ..resources import templates_dir
from .pdf import confidentiality_notice, has_own_date, paper_sections
from .site import column_groups, form_rows, rel

#: Where the fill mode's scripts and stylesheet sit in the built site (inside wugu's asset folder).
ASSET_DIR = "assets/wugu/fill"


@cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(templates_dir() / "site")), undefined=StrictUndefined,
                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(form_rows=form_rows, column_groups=column_groups)
    return env


def page_marks(handbook: Handbook, form: Form) -> str:
    """The printed page's margin lines, as on the PDF form: 内部资料 on sensitive forms, code and version, the
    group and the form's title, page X of Y (CSS ``@page`` margin boxes; every text a CSS string, escaped)."""
    marks = {"top-left": "内部资料　注意保密" if form.has_sensitive else "", "top-right": f"{form.code}　{form.version} 版",
             "bottom-left": f"{handbook.profile.name}　{form.title}"}
    boxes = "".join(f'@{box} {{ content: "{css_string(text)}"; font-size: 8pt; }} ' for box, text in marks.items() if text)
    # the PDF form's paper and margins (wugu/templates/pdf/print.css), so a filled page breaks where the form does
    size = ("size: A4 landscape; margin: 14mm 15mm 13mm 20mm; " if form.orientation == "landscape"
            else "size: A4; margin: 15mm 16mm 14mm 25mm; ")
    return (f"@page {{ {size}{boxes}"
            '@bottom-right { content: "第 " counter(page) " 页　共 " counter(pages) " 页"; font-size: 8pt; } }')


def fill_form(handbook: Handbook, form: Form, page: str) -> str:
    """The fill-mode HTML of ``form`` for the docs page ``page`` (asset links are relative to it).

    Sections, their numbering and the confidentiality notice are the printed form's (:mod:`wugu.render.pdf`);
    rows are laid out as on the site's preview; the inputs follow the record schema.
    """
    schema = record_schema(form)
    html = _env().get_template("fill.html.j2").render(
        form=form, profile=handbook.profile, props=schema["properties"], schema_json=script_json(schema),
        asset=rel(paths.html_url(page), ASSET_DIR), sections=paper_sections(form),
        notice=confidentiality_notice(form), page_css=Markup(page_marks(handbook, form)),
        dated=has_own_date(form) or any(f.form_date for f in form.fields),
    )
    # Markdown passes a raw HTML block through only while it has no blank line inside.
    return "\n".join(line for line in html.splitlines() if line.strip())

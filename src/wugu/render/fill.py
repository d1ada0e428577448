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

from .. import paths
from ..escape import script_json
from ..model import Form, Handbook
from ..records.schema import record_schema
from ..resources import templates_dir
from .site import column_groups, form_rows, rel

#: Where the fill mode's scripts and stylesheet sit in the built site (inside wugu's asset folder).
ASSET_DIR = "assets/wugu/fill"


@cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(templates_dir() / "site")), undefined=StrictUndefined,
                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(form_rows=form_rows, column_groups=column_groups)
    return env


def fill_form(handbook: Handbook, form: Form, page: str) -> str:
    """The fill-mode HTML of ``form`` for the docs page ``page`` (asset links are relative to it)."""
    schema = record_schema(form)
    html = _env().get_template("fill.html.j2").render(
        form=form, profile=handbook.profile, props=schema["properties"], schema_json=script_json(schema),
        asset=rel(paths.html_url(page), ASSET_DIR),
    )
    # Markdown passes a raw HTML block through only while it has no blank line inside.
    return "\n".join(line for line in html.splitlines() if line.strip())

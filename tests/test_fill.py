"""Fill mode pages as generated (no browser): one per form, an input for every record property, the published
record schema inlined safely, and nothing defined twice."""
from __future__ import annotations

import html.parser
import json
from dataclasses import replace

import pytest

from wugu import paths
from wugu.records.schema import record_schema
from wugu.render import site
from wugu.escape import script_json
from wugu.validate import load_handbook

from conftest import ROOT


@pytest.fixture(scope="module")
def handbook():
    return load_handbook(ROOT)


@pytest.fixture(scope="module")
def pages(handbook):
    return site.pages(handbook)


class _Page(html.parser.HTMLParser):
    """The record properties a fill page's inputs write, its inlined schema, and its scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.props: list[str] = []
        self.options: dict[str, set[str]] = {}
        self.columns: dict[str, list[str]] = {}
        self.scripts: list[str] = []
        self.schema_text = ""
        self._in_schema = False
        self._field: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("data-kind") == "table":
            self._field = a["data-field"]
            self.props.append(a["data-field"])
        if tag == "input" and "data-prop" in a:
            self.props.append(a["data-prop"])
        if tag == "input" and a.get("type") in ("radio", "checkbox") and "name" in a:
            self.options.setdefault(a["name"], set()).add(a["value"])
        if tag == "input" and "data-col" in a and self._field:
            self.columns.setdefault(self._field, []).append(a["data-col"])
        if tag == "textarea" and "data-prop" in a:
            self.props.append(a["data-prop"])
        if tag == "script":
            self._in_schema = a.get("type") == "application/json"
            if "src" in a:
                self.scripts.append(a["src"])

    def handle_data(self, data):
        if self._in_schema:
            self.schema_text += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_schema = False


def _parse(markdown: str) -> _Page:
    page = _Page()
    page.feed(markdown)
    return page


def test_every_form_has_a_fill_page_linked_from_its_page(handbook, pages):
    for f in handbook.forms:
        assert paths.form_fill_page(f) in pages
        assert f'href="{f.id}-fill.html">在电脑上填写</a>' in pages[paths.form_page(f)]
        assert "search:\n  exclude: true" in pages[paths.form_fill_page(f)]   # filled-in pages stay out of search


def test_every_record_property_has_exactly_one_input_and_every_option_its_box(handbook, pages):
    for f in handbook.forms:
        schema = record_schema(f)
        page = _parse(pages[paths.form_fill_page(f)])
        props = {k: v for k, v in schema["properties"].items() if k not in ("form", "version")}
        boxes = {k for k, v in props.items() if v.get("type") in ("string", "array") and
                 (v.get("enum") or v.get("items", {}).get("enum"))}
        yesno = {k for k, v in props.items() if v.get("x-wugu", {}).get("type") == "yesno"}
        typed = [p for p in page.props]
        assert sorted(typed + sorted(boxes | yesno)) == sorted(props), f.id
        for k in boxes:
            enum = props[k].get("enum") or props[k]["items"]["enum"]
            assert page.options[k] == set(enum), (f.id, k)
        for k in yesno:
            assert page.options[k] == {"true", "false"}
        for k, cols in page.columns.items():
            assert cols == list(props[k]["items"]["properties"]), (f.id, k)


def test_the_inlined_schema_is_the_published_record_schema(handbook, pages):
    for f in handbook.forms:
        page = _parse(pages[paths.form_fill_page(f)])
        assert json.loads(page.schema_text) == record_schema(f)
        assert [s.rsplit("/", 1)[1] for s in page.scripts] == ["json-schema.js", "cn-formats.js", "record-rules.js",
                                                                  "fill.js", "paper.js"]
        assert all(s.startswith("../assets/wugu/fill/") for s in page.scripts)   # relative: works from file://


def test_text_from_the_form_cannot_break_out_of_the_page(handbook):
    """A label or hint with markup (content comes from other people) is escaped in the inputs and in the schema."""
    f = handbook.form("F07")
    evil = "</script><script>alert(1)</script><!--"
    sections = tuple(replace(s, fields=tuple(replace(x, label=evil, hint=evil) if x.key == "child" else x
                                             for x in s.fields)) for s in f.sections)
    tampered = replace(handbook, forms=tuple(replace(x, sections=sections) if x.id == "F07" else x
                                             for x in handbook.forms))
    markdown = site.pages(tampered)[paths.form_fill_page(f)]
    assert "<script>alert(1)" not in markdown and "</script><script>" not in markdown
    page = _parse(markdown)
    assert json.loads(page.schema_text)["properties"]["child"]["title"] == evil
    assert str(script_json({"a": "</script>\u2028"})) == '{"a":"\\u003c/script\\u003e\\u2028"}'

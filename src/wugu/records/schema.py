"""A record schema (JSON Schema 2020-12) for each form, generated from the form definition.

The data constraints are plain JSON Schema; layout and privacy hints (label, section, sensitive, span, lines, unit)
sit in an ``x-wugu`` annotation on each property, so any JSON Schema tool can validate a record and the browser's
fill mode can lay it out. ``record_schema`` is a pure function of the form: the same form gives the same schema.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any

from .. import cnformats as cn
from ..model import Field, Form

DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: Custom ``format`` names for the China formats; :mod:`wugu.records.check` registers their checks.
FORMATS = {"id-number": "cn-id-number", "mobile": "cn-mobile", "phone": "cn-phone"}
_PATTERNS = {"id-number": cn.ID_NUMBER_PATTERN, "mobile": cn.MOBILE_PATTERN, "phone": cn.PHONE_PATTERN}
#: Field types that hold no data.
NO_DATA = ("notice",)
_BOOL_NOTES = {"signature": "纸面上已签名（记录里只记是否已签，不存签名本身）",
               "photo": "纸面上已贴照片（记录里只记是否已贴，不存照片本身）",
               "statement": "已勾选这项声明"}


def schema_id(form: Form) -> str:
    """The schema's ``$id``: a URN that carries the form code and version, e.g. ``urn:wugu:form:WG-F04:2026.1``."""
    return f"urn:wugu:form:{form.code}:{form.version}"


def data_fields(form: Form) -> tuple[Field, ...]:
    """The fields that hold data (everything but notices), in print order."""
    return tuple(f for f in form.fields if f.type not in NO_DATA)


_PHRASE_END = re.compile(r"[，；。：,;:]")


def field_label(f: Field) -> str:
    """A field's name in headers and messages: its label, a statement's ``short`` name, or else the start of its
    text up to the first phrase boundary (never cut in the middle of a phrase)."""
    if f.label or f.short:
        return f.label or f.short or ""
    text = f.text or ""
    m = _PHRASE_END.search(text)
    if m and 2 <= m.start() <= 16:
        return text[:m.start()]
    return text if len(text) <= 16 else text[:15] + "…"


def _section_name(title: str) -> str:
    """A section title without its printed number: ``四、实际抚养人`` → ``实际抚养人``."""
    return re.sub(r"^[一二三四五六七八九十]+、\s*", "", title)


def column_labels(form: Form) -> dict[str, str]:
    """Each data field's label, made unique within the form: a label that two fields share (F04's two
    “与儿童关系”, F06's two “性别”) is led by its section (``实际抚养人·与儿童关系``), and numbered if still shared.
    Used for Excel and CSV column headers and in messages, so a column never stands for two fields."""
    plain = {f.key: field_label(f) for f in data_fields(form)}
    counts = Counter(plain.values())
    out: dict[str, str] = {}
    for section in form.sections:
        for f in section.fields:
            if f.key in plain:
                label = plain[f.key]
                out[f.key] = f"{_section_name(section.title)}·{label}" if counts[label] > 1 and section.title else label
    counts = Counter(out.values())
    seen: Counter[str] = Counter()
    for key, label in out.items():
        if counts[label] > 1:
            seen[label] += 1
            out[key] = f"{label}（{seen[label]}）"
    return out


def missing_required(form: Form, record: dict[str, Any]) -> list[Field]:
    """The required fields ``record`` leaves empty (a statistics table made by wugu still needs its signatures,
    phone and 报出日期)."""
    return [f for f in data_fields(form) if f.required and record.get(f.key) in (None, "", [])]


def record_headers(form: Form) -> dict[str, str]:
    """The column header of every record property but tables (their rows go on sheets of their own), in print
    order: the field's unique label (:func:`column_labels`), its “其他” and detail parts after it."""
    labels = column_labels(form)
    out: dict[str, str] = {}
    for f in data_fields(form):
        if f.type == "table":
            continue
        out[f.key] = labels[f.key]
        if f.other:
            out[f"{f.key}_other"] = f"{labels[f.key]}（其他）"
        if f.type == "yesno" and f.detail:
            out[f"{f.key}_detail"] = f"{labels[f.key]}（{f.detail}）"
    return out


def _annotation(f: Field, section: str) -> dict[str, Any]:
    note: dict[str, Any] = {"label": field_label(f), "type": f.type, "section": section,
                            "sensitive": f.sensitive or any(c.sensitive for c in f.columns), "span": f.span}
    if f.type == "longtext":
        note["lines"] = f.lines
    if f.unit:
        note["unit"] = f.unit
    if f.seal:
        note["seal"] = True
    if f.total:
        note["total"] = True
    if f.vocab_id:
        note["vocab"] = f.vocab_id
    if f.format:
        note["format"] = f.format
    steps = tidy_steps(f)
    if steps:
        note["tidy"] = list(steps)
    return note


def tidy_steps(f: Field) -> tuple[str, ...]:
    """How a typed value of ``f`` is tidied before it is checked (:data:`wugu.cnformats.TIDY`)."""
    if f.format:
        return cn.TIDY[f.format]
    if f.type in ("date", "signdate"):
        return cn.TIDY["date"]
    if f.type == "number":
        return cn.TIDY["number"]
    if f.type in ("text", "longtext"):
        return cn.TIDY["text"]
    return ()


def _text(f: Field) -> dict[str, Any]:
    s: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 2000 if f.type == "longtext" else 200}
    if f.format:
        pattern = _PATTERNS[f.format]
        if f.format == "id-number" and not f.required:
            pattern = f"^(?:{cn.NO_ID}|{pattern[1:-1]})$"
        s.update(pattern=pattern, format=FORMATS[f.format])
        del s["maxLength"]
    return s


def _number(f: Field) -> dict[str, Any]:
    if f.unit in ("岁", "周岁"):
        return {"type": "integer", "minimum": 0, "maximum": 120}
    if f.unit == "人":
        return {"type": "integer", "minimum": 0, "maximum": 999}
    return {"type": "number", "minimum": 0}


def _date() -> dict[str, Any]:
    return {"type": "string", "format": "date", "pattern": cn.DATE_PATTERN}


def _choices(f: Field) -> list[str]:
    return [*f.choices, "其他"] if f.other else list(f.choices)


def _value(f: Field) -> dict[str, Any]:
    """The data constraint of one field's value."""
    if f.type in ("text", "longtext"):
        return _text(f)
    if f.type in ("date", "signdate"):
        return _date()
    if f.type == "number":
        return _number(f)
    if f.type == "choice":
        return {"type": "string", "enum": _choices(f)}
    if f.type == "multichoice":
        s: dict[str, Any] = {"type": "array", "items": {"type": "string", "enum": _choices(f)}, "uniqueItems": True}
        if f.required:
            s["minItems"] = 1
        return s
    if f.type == "yesno":
        return {"type": "boolean"}
    if f.type in ("signature", "photo", "statement"):
        s = {"type": "boolean", "description": _BOOL_NOTES[f.type]}
        if f.required and f.type != "photo":
            s["const"] = True  # a required signature or tick must be there
        return s
    if f.type == "table":
        columns = {c.key: {"type": ["string", "number"], "title": c.label, "maxLength": 200,
                           "x-wugu": {"sensitive": c.sensitive, **({"group": c.group} if c.group else {})}}
                   for c in f.columns}
        return {"type": "array", "items": {"type": "object", "additionalProperties": False, "minProperties": 1,
                                           "properties": columns}}
    raise ValueError(f"no record schema for field type {f.type}")


def field_schemas(form: Form) -> dict[str, dict[str, Any]]:
    """Every record property of a form: ``{name: schema}`` in print order, with the ``_other``/``_detail`` parts."""
    props: dict[str, dict[str, Any]] = {}
    for section in form.sections:
        for f in section.fields:
            if f.type in NO_DATA:
                continue
            s = {"title": field_label(f), **_value(f)}
            description = f.text if f.type == "statement" else f.hint
            if description:
                s["description"] = (s.get("description", "") + "；" if "description" in s else "") + description
            s["x-wugu"] = _annotation(f, section.title)
            props[f.key] = s
            if f.other:
                props[f"{f.key}_other"] = {"type": "string", "minLength": 1, "maxLength": 200,
                                           "title": f"{f.label}（其他）", "description": "选了“其他”时写明是什么",
                                           "x-wugu": {"label": f"{f.label}（其他）", "type": "text",
                                                      "section": section.title, "sensitive": f.sensitive,
                                                      "part_of": f.key, "tidy": list(cn.TIDY["text"])}}
            if f.type == "yesno" and f.detail:
                props[f"{f.key}_detail"] = {"type": "string", "minLength": 1, "maxLength": 200,
                                            "title": f"{f.label}（{f.detail}）", "description": f"选“是”时写{f.detail}",
                                            "x-wugu": {"label": f"{f.label}（{f.detail}）", "type": "text",
                                                       "section": section.title, "sensitive": f.sensitive,
                                                       "part_of": f.key, "tidy": list(cn.TIDY["text"])}}
    return props


def _rules(form: Form) -> dict[str, Any]:
    """The rules within one record (:mod:`wugu.records.rulebook`): JSON Schema if/then over the record and the
    facts derived from it; run by ``wugu records check`` and by the fill page alike."""
    from .rulebook import form_rules

    rules, derived = form_rules(form)
    return {"rules": rules, "derived": derived} if rules else {}


def record_schema(form: Form) -> dict[str, Any]:
    """The JSON Schema (2020-12) of one filled record of ``form``."""
    props = field_schemas(form)
    required = [f.key for f in data_fields(form) if f.required]
    return {
        "$schema": DIALECT,
        "$id": schema_id(form),
        "title": f"{form.title}（{form.code}，{form.version} 版）填好的记录",
        "description": form.purpose,
        "type": "object",
        "required": ["form", "version", *required],
        "additionalProperties": False,
        "properties": {
            "form": {"title": "表格代码", "const": form.code},
            "version": {"title": "表格版本", "const": form.version},
            **props,
        },
        "x-wugu": {"form": form.id, "code": form.code, "version": form.version, "title": form.title,
                   "sensitive": form.has_sensitive, **_rules(form), "messages": dict(cn.MESSAGES),
                   "sections": [{"title": s.title, "keys": [f.key for f in s.fields if f.type not in NO_DATA]}
                                for s in form.sections if any(f.type not in NO_DATA for f in s.fields)]},
    }

"""The longest filled records the record schemas allow, one per form, generated at run time (never stored).

Every text is as long as its schema lets it be (200 characters, a long text 2,000 in paragraphs with line
breaks, every table cell 200), every choice is ticked with its 其他 text written, every yes/no answered with its
detail. Each value is made of one character of its own (``marks``) that appears nowhere else on the form, so that
a test can find every character of a value on the printed page and see that it stays inside its cell. ID and
phone numbers are made up here (region code 999901, which does not exist); names are plain test words.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from records_sample import fake_id, fake_mobile
from wugu.model import Field, Form
from wugu.records.schema import data_fields, record_schema

TEXT, LONG, CELL = 200, 2000, 200
BORN = date(2012, 5, 6)


def _pool(avoid: set[str]) -> list[str]:
    """Common Chinese characters (GB 2312 level 1, in every CJK font) that are not in ``avoid``."""
    out = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes((hi, lo)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if ch not in avoid:
                out.append(ch)
    return out


def long_text(ch: str) -> str:
    """2,000 characters: one paragraph of 1,000, then ten lines of 99 (each after a line break)."""
    return ch * 1000 + "".join("\n" + ch * 99 for _ in range(10))


def longest_record(form: Form, avoid: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The longest valid record of ``form`` and its marks: which character makes up which value (key, ``key_other``,
    ``key_detail`` or ``table.row.column``). ``avoid``: text already on the printed form (labels, hints …)."""
    pool = iter(_pool(set(avoid)))
    props = record_schema(form)["properties"]
    record: dict[str, Any] = {"form": form.code, "version": form.version}
    marks: dict[str, str] = {}

    def text(key: str, length: int = TEXT) -> str:
        marks[key] = ch = next(pool)
        return long_text(ch) if length == LONG else ch * length

    for f in data_fields(form):
        record[f.key] = _value(f, props[f.key], text)
        if f.other:
            record[f"{f.key}_other"] = text(f"{f.key}_other")
        if f.type == "yesno" and f.detail:
            record[f"{f.key}_detail"] = text(f"{f.key}_detail")
    return record, marks


def _value(f: Field, schema: dict[str, Any], text) -> Any:
    if f.format == "id-number":
        return fake_id(BORN, 7, "女")
    if f.format in ("mobile", "phone"):
        return fake_mobile()
    if f.type == "text":
        return text(f.key)
    if f.type == "longtext":
        return text(f.key, LONG)
    if f.type in ("date", "signdate"):
        return BORN.isoformat() if f.key == "birth_date" else "2026-11-05"  # a child of 14 on every other date
    if f.type == "number":
        return schema.get("maximum", 999999999999)
    if f.type == "choice":  # the longest option (同意 where a consent is asked: the rules then ask for more)
        return "同意" if "同意" in schema["enum"] else max(schema["enum"], key=len)
    if f.type == "multichoice":  # every option, but a consent only once (同意, never also 不同意)
        return [c for c in schema["items"]["enum"] if not c.endswith("不同意")]
    if f.type == "yesno":
        return True
    if f.type in ("signature", "photo", "statement"):
        return True
    if f.type == "table":
        return [{c.key: text(f"{f.key}.{n}.{c.key}", CELL) for c in f.columns} for n in range(2)]
    raise ValueError(f.type)

"""`wugu records check` judges a record against its record schema with a compiled check first
(:mod:`wugu.records.fastschema`) and runs jsonschema only on the records it finds invalid, for the messages. Here
the compiled verdict must equal jsonschema's (same format checker) on thousands of generated records of every
shipped form: valid ones, and ones broken field by field with wrong types, lengths, choices, dates, ID and phone
numbers, unknown and missing keys. A keyword outside the subset is refused, so the caller uses jsonschema.

All records are fictional and generated at run time (``records_sample``).
"""
from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conftest import ROOT
from records_sample import f04_batch, f06, f07, f08, fake_id, fake_mobile
from wugu.records.check import format_checker
from wugu.records.fastschema import compile_schema
from wugu.records.forms import load_forms
from wugu.records.schema import record_schema

BORN = date(2015, 3, 2)


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict]:
    handbook, problems = load_forms(str(ROOT))
    assert handbook is not None, problems
    return {f.code: record_schema(f) for f in handbook.forms}


def _valid(s: dict[str, Any]) -> Any:
    """A value that ``s`` (a property schema of a record schema) accepts."""
    if "const" in s:
        return s["const"]
    if "enum" in s:
        return s["enum"][0]
    kind = s.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "array":
        item = s.get("items", {})
        return [_valid(item)] if item.get("type") != "object" else [{next(iter(item["properties"])): "某某"}]
    if kind == "boolean":
        return True
    if kind == "integer":
        return 10
    if kind == "number":
        return 2.5
    fmt = s.get("format")
    if fmt == "date":
        return "2026-10-08"
    if fmt == "cn-id-number":
        return fake_id(BORN)
    if fmt in ("cn-mobile", "cn-phone"):
        return fake_mobile()
    return "某某"


def _pool(s: dict[str, Any]) -> list[Any]:
    """Values that may or may not fit ``s``."""
    wrong_digit = fake_id(BORN)[:17] + ("0" if fake_id(BORN)[17] != "0" else "1")
    values = [None, "", " ", "x" * 201, "x" * 2001, 0, -1, 121, 1000, 1.5, 14.0, True, False, 1, [], [""], {},
              {"z": 1}, ["孤儿", "孤儿"], ["孤儿"], "2026-02-30", "2026/1/5", "2026-10-08", "1899-01-01", "无",
              wrong_digit, fake_id(BORN), fake_id(BORN)[:14], fake_mobile()[:-1], fake_mobile(), "0539-1234567",
              [{}], [{"name": "李某某"}], [{"name": 3}], [{"name": True}], [{"unknown": "x"}], "是", "同意"]
    for option in [*s.get("enum", []), *s.get("items", {}).get("enum", [])][:3]:
        values += [option, [option], [option, option], str(option) + " "]
    return values + [_valid(s)] * 6


def _records(schema: dict[str, Any], rnd: random.Random, n: int) -> list[dict[str, Any]]:
    props = schema["properties"]
    base = {k: _valid(s) for k, s in props.items()}
    out = [dict(base)]
    for _ in range(n):
        r = dict(base)
        for key in rnd.sample(sorted(props), rnd.choice((1, 1, 1, 2, 3))):
            r[key] = rnd.choice(_pool(props[key]))
        if rnd.random() < .1:
            r.pop(rnd.choice(schema["required"]))
        if rnd.random() < .05:
            r[rnd.choice(("nickname", "form_", "x"))] = "x"
        if rnd.random() < .05:
            r = rnd.choice(([], "WG-F04", None))  # not even an object
        out.append(r)
    return out


def test_the_compiled_verdict_is_jsonschemas(schemas) -> None:
    rnd = random.Random(16)
    samples = {"WG-F04": f04_batch(200, seed=3), "WG-F06": [f06("DZ-00001")], "WG-F07": [f07()], "WG-F08": [f08()]}
    checker = format_checker()
    verdicts = {True: 0, False: 0}
    for code, schema in schemas.items():
        fast = compile_schema(schema, checker)
        slow = Draft202012Validator(schema, format_checker=checker)
        for record in samples.get(code, []) + _records(schema, rnd, 400):
            verdict = fast(record)
            assert verdict == slow.is_valid(record), (code, record)
            verdicts[verdict] += 1
        assert fast(samples[code][0] if code in samples else _records(schema, rnd, 0)[0]), code
    assert min(verdicts.values()) > 500, verdicts  # both verdicts, many times


def test_formats_assert_only_with_a_format_checker(schemas) -> None:
    record = {**f04_batch(1)[0], "survey_date": "2026-02-30"}
    schema = schemas["WG-F04"]
    assert not compile_schema(schema, format_checker())(record)
    assert compile_schema({"format": "date"})("2026-02-30")  # as jsonschema without a format checker


@pytest.mark.parametrize("schema", [{"$ref": "#/$defs/x"}, {"anyOf": [{"type": "string"}]},
                                    {"type": "array", "prefixItems": [{"type": "string"}]},
                                    {"patternProperties": {"^a": {"type": "string"}}, "additionalProperties": False}])
def test_keywords_beyond_the_subset_are_refused(schema) -> None:
    with pytest.raises(ValueError):
        compile_schema(schema)


def test_const_enum_and_unique_items_compare_as_jsonschema() -> None:
    """JSON equality: true is not 1, 1 is 1.0, lists and objects item by item."""
    values = [True, False, 1, 0, 1.0, 0.0, "1", "", None, [], [1], [True], [1.0], {}, {"a": 1}, {"a": True},
              {"a": 1.0}, [[1]], [[True]]]
    for a in values:
        for b in values:
            for schema in ({"const": b}, {"enum": [b, "x"]}, {"uniqueItems": True}):
                instance = [a, b] if "uniqueItems" in schema else a
                assert compile_schema(schema)(instance) == Draft202012Validator(schema).is_valid(instance), \
                    (schema, instance)

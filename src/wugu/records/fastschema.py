"""A fast check of the JSON Schema subset wugu writes, compiled once into Python closures.

``wugu records check`` passes every record through its record schema and through the rules of the rulebook. A
``jsonschema`` descent costs tens of microseconds per keyword; most records are valid, so the check first asks this
compiled verdict and runs ``jsonschema`` (for the Chinese messages) only on the records it finds invalid. The
verdict equals ``jsonschema``'s on every generated record of every form (``tests/test_records_fastschema.py``).

Nothing in a schema is run as code: each keyword becomes a closure over its value. A keyword outside the subset is a
``ValueError``; the caller then uses ``jsonschema`` itself.
"""
from __future__ import annotations

import numbers
import re
from typing import Any, Callable

from jsonschema import FormatChecker

Check = Callable[[Any], bool]

#: Keywords that only annotate (``x-…`` too).
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "examples"})


def _number(v: Any) -> bool:
    """A JSON number as jsonschema sees one: any number but a boolean."""
    return type(v) in (int, float) or (isinstance(v, numbers.Number) and not isinstance(v, bool))


def _integer(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and v.is_integer())


_TYPES: dict[str, Check] = {
    "boolean": lambda v: isinstance(v, bool), "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list), "object": lambda v: isinstance(v, dict), "null": lambda v: v is None,
    "number": _number, "integer": _integer,
}


def equal(a: Any, b: Any) -> bool:
    """JSON equality, as jsonschema's ``const``, ``enum`` and ``uniqueItems`` use it: true is not 1, 1 is 1.0,
    lists and objects item by item."""
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return False
    return a == b


def _unique(v: Any) -> bool:
    return not isinstance(v, list) or all(not equal(v[i], v[j]) for i in range(len(v)) for j in range(i))


def _properties(props: dict[str, Check], extra: Check | None) -> Check:
    """``properties`` (and ``additionalProperties``): without the latter, over the schema's few properties; with
    it, in one pass over the instance's keys."""
    if extra is None:
        pairs = tuple(props.items())

        def some(v: Any) -> bool:
            if isinstance(v, dict):
                for k, c in pairs:
                    if k in v and not c(v[k]):
                        return False
            return True
        return some

    def every(v: Any) -> bool:
        if not isinstance(v, dict):
            return True
        for k, x in v.items():
            c = props.get(k)
            if c is None:
                if not extra(x):
                    return False
            elif not c(x):
                return False
        return True
    return every


def _every(checks: list[Check]) -> Check:
    """All of ``checks`` (the keywords of one schema)."""
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        a, b = checks
        return lambda v: a(v) and b(v)
    cs = tuple(checks)

    def check(v: Any) -> bool:
        for c in cs:
            if not c(v):
                return False
        return True
    return check


def _format(formats: FormatChecker, name: str) -> Check | None:
    """``format`` as a validator with ``formats`` asserts it (an unknown format passes)."""
    if name not in formats.checkers:
        return None
    func, raises = formats.checkers[name]

    def check(v: Any) -> bool:
        try:
            return bool(func(v))
        except raises:
            return False
    return check


def _const(arg: Any) -> Check:
    if isinstance(arg, bool):
        return lambda v: v is arg  # nothing but the same boolean equals a boolean
    if isinstance(arg, str):
        return lambda v: v == arg
    return lambda v: equal(v, arg)


def _enum(values: tuple[Any, ...]) -> Check:
    strings = frozenset(c for c in values if isinstance(c, str))
    if len(strings) == len(values):  # a string equals only an equal string
        return lambda v: v in strings if isinstance(v, str) else any(equal(v, c) for c in values)
    return lambda v: any(equal(v, c) for c in values)


def _keyword(key: str, arg: Any, schema: dict[str, Any], formats: FormatChecker | None) -> Check | None:
    """The check of one keyword (None when it adds nothing to the verdict)."""
    if key == "if":
        cond = compile_schema(arg, formats)
        then = compile_schema(schema.get("then", True), formats)
        other = compile_schema(schema.get("else", True), formats)
        return lambda v: then(v) if cond(v) else other(v)
    if key == "not":
        inner = compile_schema(arg, formats)
        return lambda v: not inner(v)
    if key == "required":
        keys = frozenset(arg)
        return lambda v: not isinstance(v, dict) or keys <= v.keys()
    if key == "properties" or (key == "additionalProperties" and "properties" not in schema):
        props = {k: compile_schema(sub, formats) for k, sub in schema.get("properties", {}).items()}
        more = schema.get("additionalProperties", True)
        return _properties(props, None if more is True else compile_schema(more, formats))
    if key == "const":
        return _const(arg)
    if key == "enum":
        return _enum(tuple(arg))
    if key == "type":
        types = tuple(_TYPES[t] for t in ([arg] if isinstance(arg, str) else arg))
        if len(types) == 1:
            return types[0]
        return lambda v: any(t(v) for t in types)
    if key == "minimum":
        return lambda v: not _number(v) or v >= arg
    if key == "maximum":
        return lambda v: not _number(v) or v <= arg
    if key == "minLength":
        return lambda v: not isinstance(v, str) or len(v) >= arg
    if key == "maxLength":
        return lambda v: not isinstance(v, str) or len(v) <= arg
    if key == "pattern":
        search = re.compile(arg).search
        return lambda v: not isinstance(v, str) or search(v) is not None
    if key == "format":
        return None if formats is None else _format(formats, arg)
    if key == "minItems":
        return lambda v: not isinstance(v, list) or len(v) >= arg
    if key == "maxItems":
        return lambda v: not isinstance(v, list) or len(v) <= arg
    if key == "uniqueItems":
        return _unique if arg else None
    if key == "items":
        inner = compile_schema(arg, formats)
        return lambda v: not isinstance(v, list) or all(inner(x) for x in v)
    if key == "minProperties":
        return lambda v: not isinstance(v, dict) or len(v) >= arg
    if key == "contains":
        inner, least, most = compile_schema(arg, formats), schema.get("minContains", 1), schema.get("maxContains")

        def contains(v: Any) -> bool:
            if not isinstance(v, list):
                return True
            n = sum(1 for x in v if inner(x))
            return least <= n and (most is None or n <= most)
        return contains
    raise ValueError(f"keyword {key} is not in wugu's subset")


#: Keywords read together with another one (``then``/``else`` with ``if``, …).
_WITH = {"then": "if", "else": "if", "minContains": "contains", "maxContains": "contains",
         "additionalProperties": "properties"}


def compile_schema(schema: Any, formats: FormatChecker | None = None) -> Check:
    """A check giving ``jsonschema``'s verdict (valid or not) for ``schema``; ``formats`` asserts ``format`` as a
    validator with that format checker does (None: ``format`` only annotates). ValueError for a keyword beyond
    the subset (``$ref``, ``anyOf``, ``prefixItems``, …)."""
    if schema is True:
        return lambda v: True
    if schema is False:
        return lambda v: False
    if not isinstance(schema, dict):
        raise ValueError(f"a schema is an object or a boolean, not {type(schema).__name__}")
    checks: list[Check] = []
    for key, arg in schema.items():
        if key.startswith("x-") or key in _ANNOTATIONS:
            continue
        if key in _WITH and (_WITH[key] in schema or key in ("then", "else", "minContains", "maxContains")):
            continue
        check = _keyword(key, arg, schema, formats)
        if check is not None:
            checks.append(check)
    return _every(checks)

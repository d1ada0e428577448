"""Phase 1: each file against its JSON Schema (draft 2020-12), errors said in Chinese with positions."""
from __future__ import annotations

import difflib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from ..errors import Problem, problem
from ..loader import Document
from ..project import SCHEMAS
from ..resources import schemas_dir

_TYPE_NAMES = {
    "string": "文字", "integer": "整数", "number": "数字", "boolean": "true 或 false",
    "array": "列表（每项一行，以“- ”开头）", "object": "“键: 值”的结构", "null": "空",
}


def _actual(value: Any) -> str:
    if value is None:
        return "空（冒号后面什么也没写）"
    if isinstance(value, bool):
        return f"“{str(value).lower()}”"
    if isinstance(value, (int, float)):
        return f"数字 {value}"
    if isinstance(value, str):
        return f"文字“{value[:20]}”"
    if isinstance(value, list):
        return "列表"
    return "“键: 值”的结构"


def strict_regex(pattern: str) -> str:
    """``pattern`` with every end anchor ``$`` made ``\\Z``: in Python ``$`` also matches before a final newline, so
    ``^[A-Z]{2}$`` would accept ``"AB\\n"``. The schemas keep ``$`` (editors read them as ECMA-262, where ``\\Z``
    does not exist); wugu's own check is strict."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        out.append(r"\Z" if ch == "$" and not in_class else ch)
        i += 1
    return "".join(out)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(strict_regex(pattern))


def _strict_pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Any:
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


#: Draft 2020-12 with strict end anchors (see :func:`strict_regex`).
_Strict = validators.extend(Draft202012Validator, {"pattern": _strict_pattern})


@cache
def _validators(folder: Path) -> dict[str, Draft202012Validator]:
    """One validator per kind, sharing a registry so that ``defs.schema.json`` refs resolve offline."""
    resources = []
    loaded = {}
    for path in sorted(folder.glob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        uri = path.resolve().as_uri()
        contents = {"$id": uri, **contents}
        loaded[path.name] = contents
        resources.append((uri, Resource.from_contents(contents)))
    registry = Registry().with_resources(resources)
    return {
        kind: _Strict(loaded[name], registry=registry, format_checker=FormatChecker())
        for kind, name in SCHEMAS.items()
    }


def _key_name(path: tuple[Any, ...]) -> str:
    """A readable name for a place in the file, e.g. ``clauses 第 3 项 → text``."""
    parts = []
    for part in path:
        parts.append(f"第 {part + 1} 项" if isinstance(part, int) else str(part))
    return " → ".join(parts) if parts else "文件最外层"


def _titled(name: str, schema: dict[str, Any] | None) -> str:
    title = (schema or {}).get("title")
    return f"{name}（{title}）" if title else name


def _translate(err: ValidationError, doc: Document) -> Problem:
    path = tuple(err.absolute_path)
    line, col = doc.pos(path)
    key = _key_name(path)
    schema = err.schema if isinstance(err.schema, dict) else {}
    kw = err.validator
    if kw == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extras = [k for k in err.instance if k not in allowed]
        extra = extras[0] if extras else "?"
        line, col = doc.key_pos(path + (extra,))
        close = difflib.get_close_matches(extra, allowed, n=1, cutoff=0.6)
        hint = f"是不是想写“{close[0]}”？" if close else ""
        suggestion = f"{hint}这里可以用的键：{'、'.join(allowed)}"
        return problem("E201", doc.path, line, col, key=extra, suggestion=suggestion)
    if kw == "required":
        missing = next((k for k in err.validator_value if k not in err.instance), "?")
        title = schema.get("properties", {}).get(missing, {}).get("title", "")
        return problem("E202", doc.path, line, col, key=missing, title=title or missing)
    if kw == "type":
        expected = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        names = "或".join(_TYPE_NAMES.get(t, t) for t in expected)
        fix = "改成正确的写法"
        if "string" in expected and isinstance(err.instance, (int, float)) and not isinstance(err.instance, bool):
            fix = f"给它加上英文引号，例如 \"{err.instance}\""
        elif "string" in expected and err.instance is None:
            fix = "在冒号后面写上内容，或删除这一行"
        elif "array" in expected and isinstance(err.instance, str):
            fix = "改成列表：在下一行缩进后用“- ”开头写每一项"
        elif "boolean" in expected:
            fix = "只写 true（是）或 false（否）"
        elif "integer" in expected:
            fix = "写一个整数，不加引号，例如 3"
        return problem("E203", doc.path, line, col, key=_titled(key, schema), expected=names,
                       actual=_actual(err.instance), fix=fix)
    if kw in ("enum", "const"):
        allowed = err.validator_value if kw == "enum" else [err.validator_value]
        return problem("E204", doc.path, line, col, key=_titled(key, schema), value=err.instance,
                       allowed="、".join(str(a) for a in allowed))
    if kw == "format" and err.validator_value == "date":
        return problem("E208", doc.path, line, col, key=_titled(key, schema), value=err.instance)
    if kw in ("pattern", "format"):
        fix = schema.get("description") or "按说明的格式填写"
        return problem("E205", doc.path, line, col, key=_titled(key, schema), value=err.instance, fix=fix)
    sizes = {
        "minLength": ("不能为空" if err.validator_value == 1 else f"太短：至少要 {err.validator_value} 个字", "把内容写完整"),
        "maxLength": (f"太长：最多 {err.validator_value} 个字，现在有 {len(str(err.instance))} 个字",
                      "精简文字；较长的说明放到别的栏目里"),
        "minItems": ("不能为空" if err.validator_value == 1 else f"至少要有 {err.validator_value} 项", "补上所需的项"),
        "maxItems": (f"最多只能有 {err.validator_value} 项", "删掉多余的项"),
        "minimum": (f"不能小于 {err.validator_value}", "改成正确的数字"),
        "maximum": (f"不能大于 {err.validator_value}", "改成正确的数字"),
        "exclusiveMinimum": (f"必须大于 {err.validator_value}", "改成正确的数字"),
        "uniqueItems": ("里有重复的项", "删掉重复的那一项"),
        "minProperties": ("不能为空", "至少写一项"),
    }
    if kw in sizes:
        what, fix = sizes[kw]
        return problem("E206", doc.path, line, col, key=_titled(key, schema), what=what, fix=fix)
    if kw == "oneOf" and {"choices", "vocab"} <= set(schema.get("properties", {})):
        return problem("E207", doc.path, line, col, key=key, detail="选项要么直接写 choices，要么用 vocab 引用词表，二者必须写一个且只写一个",
                       fix="保留 choices 或 vocab 其中之一")
    return problem("E207", doc.path, line, col, key=key, detail=err.message, fix="按 schemas/ 里的说明修改")


def check_document(doc: Document, kind: str) -> list[Problem]:
    """Validate one loaded file against the schema of its kind; one problem per place, sorted by line."""
    if not isinstance(doc.data, dict):
        line, col = doc.pos(())
        return [problem("E108", doc.path, line, col, actual=_actual(doc.data))]
    from .keywords import places  # keyword lists are checked by their own module, with their own codes

    validator = _validators(schemas_dir())[kind]
    own = tuple(places(kind, doc.data))
    errors = [err for err in validator.iter_errors(doc.data)
              if not any(tuple(err.absolute_path)[:len(p)] == p for p in own)]
    # A misspelt key ("titel") also makes the real one ("title") missing: say it once, as the misspelling.
    misspelt = set()
    for err in errors:
        if err.validator == "additionalProperties":
            allowed = list(err.schema.get("properties", {}))
            for extra in (k for k in err.instance if k not in allowed):
                for close in difflib.get_close_matches(extra, allowed, n=1, cutoff=0.6):
                    misspelt.add((tuple(err.absolute_path), close))
    problems: dict[tuple[int, int, str], Problem] = {}
    for err in errors:
        if err.validator == "required" and any((tuple(err.absolute_path), k) in misspelt
                                               for k in err.validator_value if k not in err.instance):
            continue
        p = _translate(err, doc)
        problems.setdefault((p.line, p.col, p.code), p)
    return sorted(problems.values(), key=lambda p: (p.line, p.col))

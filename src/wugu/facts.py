"""Facts stated in many places (a deadline, a retention period, the emergency route) are defined once in
``facts.yml`` and written as ``【名称】`` wherever they appear. This module finds and resolves those references;
the check (``validate/facts.py``) reports unknown ones, and the model resolves them while it is built, so
renderers only ever see final text.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

#: A fact reference: full-width brackets around a short name, e.g. ``【档案保存期限】``.
REF = re.compile(r"【([^【】\n]{1,40})】")
#: How deep one fact's value may reference other facts (a guard against cycles the check already refuses).
MAX_DEPTH = 8
#: Facts whose value comes from ``wugu.yml`` when it is set there (name → key path), not from ``overrides.yml``:
#: the office phone and address are written once, as ``contact.phone`` and ``contact.address``, and every
#: 【办公电话】 and 【办公地址】 follows them; while unset they print as a line to write on.
PROFILE_FACTS = {"办公电话": ("contact", "phone"), "办公地址": ("contact", "address")}
#: The ``wugu init`` option that sets each profile fact (named in the E320 fix).
PROFILE_OPTIONS = {"办公电话": "--phone", "办公地址": "--address"}
#: A fact that is not known yet prints as a line to write on; its value in ``facts.yml`` is this character only.
BLANK = "＿"


def is_blank(value: str) -> bool:
    """True for a value that is only a line to write on (＿＿＿＿), i.e. not set."""
    return bool(value) and set(value) == {BLANK}


def profile_value(profile: Any, name: str) -> str | None:
    """The value ``wugu.yml`` gives a profile fact (``None`` when it is not set there)."""
    if name not in PROFILE_FACTS:
        return None
    node = profile
    for key in PROFILE_FACTS[name]:
        node = node.get(key) if isinstance(node, dict) else None
    text = str(node).strip() if node is not None else ""
    return text or None


def references(text: str) -> Iterator[re.Match[str]]:
    """Every ``【名称】`` in ``text``."""
    return REF.finditer(text)


def unbalanced(text: str) -> int | None:
    """Offset of a ``【`` that has no matching ``】`` (or a stray ``】``), else ``None``."""
    stripped = REF.sub(lambda m: "\0" * len(m.group()), text)
    for i, ch in enumerate(stripped):
        if ch in "【】":
            return i
    return None


def table(docs: list[tuple[str, Any]]) -> dict[str, str]:
    """name → raw value: the base ``facts.yml`` entries, what ``wugu.yml`` sets for the profile facts (the office
    phone), then an edition's ``overrides.yml`` ``facts:``."""
    values: dict[str, str] = {}
    for kind, data in docs:
        if kind == "facts":
            values.update({f["name"]: f["value"] for f in data["facts"]})
    for kind, data in docs:
        if kind == "profile":
            values.update({name: v for name in PROFILE_FACTS if name in values
                           and (v := profile_value(data, name)) is not None})
    for kind, data in docs:
        if kind == "overrides":
            values.update({f["name"]: f["value"] for f in data.get("facts", ())})
    return values


#: Most characters a fact may stand for once every reference in it is filled in (a text holds at most 2000), and
#: most one text may come to with its facts filled in: nine facts of ten references each would otherwise stand
#: for 10^8 characters, built again wherever they are used.
MAX_RESOLVED_FACT = 2000
MAX_RESOLVED_TEXT = 20_000


def resolved_sizes(values: dict[str, str]) -> dict[str, int]:
    """name → how many characters its value has once filled in, counted bottom-up, never built."""
    sizes: dict[str, int] = {}
    open_: set[str] = set()

    def size(name: str, depth: int) -> int:
        if name in sizes:
            return sizes[name]
        text = values[name]
        if name in open_ or depth > MAX_DEPTH:  # a cycle (E313) or too deep: left as written
            return len(text)
        open_.add(name)
        total = len(text) + sum(size(m.group(1), depth + 1) - len(m.group())
                                for m in REF.finditer(text) if m.group(1) in values)
        open_.discard(name)
        sizes[name] = total
        return total

    for name in values:
        size(name, 0)
    return sizes


def resolved_size(text: str, sizes: dict[str, int]) -> int:
    """How many characters ``text`` has once its facts are filled in (``sizes``: :func:`resolved_sizes`)."""
    return len(text) + sum(sizes[m.group(1)] - len(m.group()) for m in REF.finditer(text) if m.group(1) in sizes)


def resolve(text: str, values: dict[str, str], depth: int = 0) -> str:
    """``text`` with every known ``【名称】`` replaced by its value (values may themselves hold references)."""
    if "【" not in text or depth > MAX_DEPTH:
        return text
    return REF.sub(lambda m: resolve(values[m.group(1)], values, depth + 1) if m.group(1) in values else m.group(),
                   text)


def resolve_tree(value: Any, values: dict[str, str]) -> Any:
    """A copy of a data tree (dicts, lists, strings) with every string resolved."""
    if isinstance(value, str):
        return resolve(value, values)
    if isinstance(value, dict):
        return {k: resolve_tree(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_tree(v, values) for v in value]
    return value

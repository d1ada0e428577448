"""Phase 2 for forms: every data field's ``key`` is unique in its form, and so is every column's key in its table;
at most one date field is the form's 填表日期 (``form_date: true``, E746).

The schema already makes the key required on every field that holds data (and forbids it on notices); here the
names a record uses are checked as a whole, including the extra names ``<key>_other`` (free text of “其他”) and
``<key>_detail`` (the detail of a yes/no field) and the two names every record carries (``form``, ``version``).
"""
from __future__ import annotations

from typing import Any

from ..errors import Problem, problem
from ..loader import Document

#: Names every record uses for itself; no field may take them.
RESERVED = ("form", "version")


def record_names(field: dict[str, Any]) -> list[str]:
    """The names a field takes in a record: its key, plus ``_other`` / ``_detail`` when it has those parts."""
    key = field["key"]
    names = [key]
    if field.get("other"):
        names.append(f"{key}_other")
    if field.get("type") == "yesno" and field.get("detail"):
        names.append(f"{key}_detail")
    return names


def check_keys(docs: list[tuple[str, Document]]) -> list[Problem]:
    """Duplicate or reserved keys in each form (E700, E701); a second 填表日期 (E746)."""
    problems: list[Problem] = []
    for kind, doc in docs:
        if kind != "form":
            continue
        seen: dict[str, str] = {}
        dated = ""
        for s, section in enumerate(doc.data["sections"]):
            for f, field in enumerate(section["fields"]):
                if "key" not in field:
                    continue
                at = ("sections", s, "fields", f, "key")
                line, col = doc.pos(at)
                label = field.get("label") or field.get("text", "")[:10]
                if field.get("form_date"):
                    if dated:
                        dline, dcol = doc.pos(("sections", s, "fields", f, "form_date"))
                        problems.append(problem("E746", doc.path, dline, dcol, label=label, other=dated))
                    dated = dated or f"“{label}”（第 {line} 行）"
                for name in record_names(field):
                    if name in RESERVED:
                        problems.append(problem("E701", doc.path, line, col, key=name, what="是记录自己用的名字",
                                                fix="换一个键名：form 和 version 留给记录写表格代码和版本"))
                    elif name in seen:
                        if name == field["key"]:
                            problems.append(problem("E700", doc.path, line, col, key=name, other=seen[name]))
                        else:
                            problems.append(problem("E701", doc.path, line, col, key=name,
                                                    what=f"与“{label}”的“其他”或说明栏的名字撞上了",
                                                    fix=f"给“{seen[name]}”或“{label}”换一个键名"))
                    else:
                        seen[name] = f"“{label}”（第 {line} 行）"
                cols: dict[str, str] = {}
                for c, column in enumerate(field.get("columns", [])):
                    cline, ccol = doc.pos(("sections", s, "fields", f, "columns", c, "key"))
                    if column["key"] in cols:
                        problems.append(problem("E700", doc.path, cline, ccol, key=column["key"],
                                                other=cols[column["key"]]))
                    cols.setdefault(column["key"], f"列“{column['label']}”（第 {cline} 行）")
    return problems

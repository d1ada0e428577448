"""Phase 2 for editions: local overrides must fit the base they change."""
from __future__ import annotations

from typing import Any

from ..errors import Problem, problem
from ..loader import Document


def check_overrides(docs: list[tuple[str, Document]]) -> list[Problem]:
    """Clause numbers exist, no clause is changed twice, a hidden form is in no pack that is still printed."""
    overrides = [doc for kind, doc in docs if kind == "overrides"]
    if not overrides:
        return []
    regulations: dict[str, dict[str, Any]] = {d.data["id"]: d.data for k, d in docs if k == "regulation"}
    packs = [d for k, d in docs if k == "pack"]
    problems: list[Problem] = []
    for doc in overrides:
        data = doc.data
        seen: dict[tuple[str, int], int] = {}
        for i, c in enumerate(data.get("clauses", [])):
            key = (c["regulation"], c["clause"])
            line, col = doc.pos(("clauses", i))
            count = len(regulations[c["regulation"]]["clauses"])
            if c["clause"] > count:
                problems.append(problem(
                    "E306", doc.path, *doc.pos(("clauses", i, "clause")),
                    what=f"制度 {c['regulation']} 只有 {count} 条，没有第 {c['clause']} 条",
                    fix=f"把 clause 改成 1 到 {count} 之间的数字"))
            elif key in seen:
                problems.append(problem(
                    "E306", doc.path, line, col,
                    what=f"制度 {key[0]} 第 {key[1]} 条被改写了两次（第 {seen[key]} 行已经改写过）",
                    fix="只保留一处改写"))
            seen.setdefault(key, line)
        hidden_packs = set(data.get("hide_packs", []))
        for i, form_id in enumerate(data.get("hide_forms", [])):
            for pack in packs:
                if form_id in pack.data["forms"] and pack.data["id"] not in hidden_packs:
                    problems.append(problem(
                        "E306", doc.path, *doc.pos(("hide_forms", i)),
                        what=f"隐藏的表格 {form_id} 还在表格包“{pack.data['title']}”（{pack.data['id']}）里",
                        fix=f"同时在 hide_packs 里隐藏 {pack.data['id']}，需要的话在 local/packs/ 里另建一个不含它的本地表格包"))
    return problems

"""Phase 2 for practice guides: every regulation, clause, norm, section and form a guide applies must exist."""
from __future__ import annotations

import difflib
from typing import Any, Iterator

from ..errors import Problem, problem
from ..loader import Document
from .refs import entries

#: Kinds of things a guide may link to, and how they are named in messages.
TARGETS = {"regulation": "制度", "norm": "规范", "section": "规范部分", "form": "表格", "guide": "指南"}


def split_ref(ref: str) -> tuple[str, int | None]:
    """``"R13#4"`` → ``("R13", 4)``; ``"N44"`` → ``("N44", None)``."""
    target, _, clause = ref.partition("#")
    return target, int(clause) if clause else None


def guide_refs(data: dict[str, Any]) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Every reference of one guide with its path in the file: the guide's ``applies``, then each section's."""
    for i, ref in enumerate(data.get("applies", ())):
        yield ref, ("applies", i)
    for s, section in enumerate(data.get("sections", ())):
        for i, ref in enumerate(section.get("applies", ())):
            yield ref, ("sections", s, "applies", i)


def check_guides(docs: list[tuple[str, Document]]) -> list[Problem]:
    """References of every guide resolve; a clause number exists in its regulation. Positions point at the ref."""
    known: dict[str, tuple[str, Document]] = {}
    for e in entries(docs):
        if e.kind in TARGETS:
            known.setdefault(e.id, (e.kind, e.doc))
    problems: list[Problem] = []
    for kind, doc in docs:
        if kind != "guide":
            continue
        for ref, path in guide_refs(doc.data):
            line, col = doc.pos(path)
            target, clause = split_ref(ref)
            if target not in known:
                close = difflib.get_close_matches(target, list(known), n=1, cutoff=0.5)
                fix = (f"是不是“{close[0]}”？" if close else "") + \
                    "制度写 R 加两位序号（指明条款写 R13#4），规范写 N44，规范的部分写 S3，表格写 F07，另一篇指南写它的编号"
                problems.append(problem("E330", doc.path, line, col, id=target, fix=fix))
                continue
            target_kind, target_doc = known[target]
            if clause is None:
                continue
            if target_kind != "regulation":
                problems.append(problem("E332", doc.path, line, col, kind=TARGETS[target_kind], id=target,
                                        clause=clause))
                continue
            count = len(target_doc.data["clauses"])
            if clause > count:
                title = f"《{target_doc.data['title']}》（{target}）"
                problems.append(problem("E331", doc.path, line, col, title=title, clause=clause, count=count,
                                        id=target))
    return problems

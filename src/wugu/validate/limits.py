"""What JSON Schema cannot say on its own: the size of a whole form, and titles that must tell items apart.

Every input ``wugu check`` accepts must build. A form with hundreds of fields would run for minutes and still
not fit the paper, and two packs or forms with one title look like one item in the navigation, the download
list and a pack's table of contents.
"""
from __future__ import annotations

from ..errors import Problem, problem
from ..loader import Document

#: Most fields one form may have in all its sections (the shipped forms have at most about 70).
MAX_FIELDS = 150
#: Kinds whose titles must differ, with their Chinese names.
_TITLED = {"regulation": "制度", "form": "表格", "pack": "表格包"}


def check_limits(docs: list[tuple[str, Document]]) -> list[Problem]:
    """Forms within :data:`MAX_FIELDS` fields (E209); no two regulations, forms or packs with one title (E210)."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for kind, doc in docs:
        data = doc.data if isinstance(doc.data, dict) else {}
        if kind == "form":
            count = sum(len(s.get("fields") or []) for s in data.get("sections") or [] if isinstance(s, dict))
            if count > MAX_FIELDS:
                line, col = doc.key_pos(("sections",))
                problems.append(problem("E209", doc.path, line, col, form=data.get("title", "?"), count=count,
                                        limit=MAX_FIELDS))
        if kind in _TITLED and isinstance(data.get("title"), str):
            key = (kind, " ".join(data["title"].split()))
            if key in seen:
                line, col = doc.pos(("title",))
                problems.append(problem("E210", doc.path, line, col, kind=_TITLED[kind], title=data["title"],
                                        other=seen[key]))
            else:
                seen[key] = doc.path
    return problems

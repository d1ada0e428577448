"""Rules across records, which need several records at once (the fill page, holding one, does not check them):

- a child number appears in one child survey (WG-F04) only;
- a pairing record (WG-F06) names a child that has a survey record (when survey records are checked with it).

The rules within one record (the birth date in the ID number, the age and consent rules) are JSON Schema if/then
published in the record schema, shared with the fill page: :mod:`wugu.records.rulebook`.
"""
from __future__ import annotations

from typing import Any, Callable

from .. import cnformats as cn
from ..errors import Problem
from ..model import Form
from .read import Record


def _str(v: Any) -> str | None:
    return v.strip() if isinstance(v, str) and v.strip() and v.strip() not in (cn.NO_ID, "不详") else None


def check_across(records: list[tuple[Record, Form]],
                 label: Callable[[Form, str], str]) -> tuple[list[Problem], list[str]]:
    """Problems across records, and notices about rules not applied.

    ``label(form, key)`` gives the printed label of a field.
    """
    from .check import record_problem

    problems: list[Problem] = []
    notices: list[str] = []

    children: dict[str, Record] = {}
    surveys = [(r, f) for r, f in records if f.id == "F04"]
    for r, f in surveys:
        number = _str(r.data.get("child_no"))
        if number is None:
            continue
        if number in children:
            problems.append(record_problem("E730", r, ("child_no",), label(f, "child_no"), masked=cn.mask(number),
                                           other=children[number].file + " " + children[number].where()))
        else:
            children[number] = r
    pairings = [(r, f) for r, f in records if f.id == "F06"]
    if pairings and not surveys:
        notices.append("提示：没有一起给出孤困儿童调查表（WG-F04）的记录，没有核对结对记录里的儿童编号是否已建档。")
    elif pairings:
        for r, f in pairings:
            number = _str(r.data.get("child_no"))
            if number is not None and number not in children:
                problems.append(record_problem("E731", r, ("child_no",), label(f, "child_no"), masked=cn.mask(number)))
    return problems, notices

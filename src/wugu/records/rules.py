"""Rules across records and between fields that a JSON Schema cannot say.

- a child number appears in one child survey (WG-F04) only;
- a pairing record (WG-F06) names a child that has a survey record (when survey records are checked with it);
- the birth date agrees with the one written in the ID number;
- the consent rules: a child of 14 or over agrees and signs too; a younger child does not (个人信息保护法第三十一条).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable

from .. import cnformats as cn
from ..errors import Problem
from ..model import Form
from .read import Record

#: Age from which a child's own consent is needed besides the guardian's (个人信息保护法第三十一条).
CONSENT_AGE = 14


def _str(v: Any) -> str | None:
    return v.strip() if isinstance(v, str) and v.strip() and v.strip() not in (cn.NO_ID, "不详") else None


def _date(v: Any) -> date | None:
    if isinstance(v, str) and cn.normalize_date(v) == v:
        return date.fromisoformat(v)
    return None


def check_across(records: list[tuple[Record, Form]],
                 label: Callable[[Form, str], str]) -> tuple[list[Problem], list[str]]:
    """Problems across records and between fields of one record, and notices about rules not applied.

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
    for r, f in records:
        problems += _birth_and_age(r, f, label)
    return problems, notices


def _birth_and_age(r: Record, f: Form, label: Any) -> list[Problem]:
    from .check import record_problem

    d = r.data
    out: list[Problem] = []
    born = _date(d.get("birth_date"))
    id_number = d.get("id_number") if f.id == "F04" else None
    if born and isinstance(id_number, str) and cn.id_number_problem(id_number) is None:
        if cn.id_birth_date(id_number) != born:
            out.append(record_problem("E732", r, ("birth_date",), label(f, "birth_date"), label=label(f, "birth_date")))
    if f.id == "F04" and born:
        day = _date(d.get("survey_date")) or date.today()
        adult = cn.age_on(born, day) >= CONSENT_AGE
        flag = d.get("aged_14")
        if isinstance(flag, bool) and flag != adult:
            state = "已满" if adult else "不满"
            out.append(record_problem("E733", r, ("aged_14",), label(f, "aged_14"),
                                      what=f"“{label(f, 'aged_14')}”与出生日期不符：调查日期时孩子{state} {CONSENT_AGE} 周岁",
                                      fix="核对出生日期，按调查日期的周岁改正这一栏"))
        if adult and d.get("consent_child") is not True:
            out.append(record_problem("E733", r, ("consent_child",), label(f, "consent_child"),
                                      what=f"孩子已满 {CONSENT_AGE} 周岁，本人也要勾选“{label(f, 'consent_child')}”",
                                      fix="向孩子本人说明后请他勾选并签名（个人信息保护法第三十一条）"))
        if adult and d.get("child_signed") is not True:
            out.append(record_problem("E733", r, ("child_signed",), label(f, "child_signed"),
                                      what=f"孩子已满 {CONSENT_AGE} 周岁，本人也要签名",
                                      fix="请孩子本人在“儿童本人签名”处签名，记录里写 true"))
        if not adult and d.get("consent_child") is True:
            out.append(record_problem("E733", r, ("consent_child",), label(f, "consent_child"),
                                      what=f"孩子不满 {CONSENT_AGE} 周岁，不勾“{label(f, 'consent_child')}”",
                                      fix="不满 14 周岁的由监护人同意，去掉这一勾"))
    elif f.id == "F08":
        flag = d.get("aged_14")
        if flag is True and d.get("child_signed") is not True:
            out.append(record_problem("E733", r, ("child_signed",), label(f, "child_signed"),
                                      what=f"孩子已满 {CONSENT_AGE} 周岁，本人也要签名",
                                      fix="请孩子本人在“儿童本人签名”处签名，记录里写 true"))
        if flag is False and d.get("child_signed") is True:
            out.append(record_problem("E733", r, ("child_signed",), label(f, "child_signed"),
                                      what=f"孩子不满 {CONSENT_AGE} 周岁，不由孩子本人签名",
                                      fix="不满 14 周岁的只由监护人签名，这一栏划斜线，记录里写 false"))
    elif f.id == "F09":
        age = d.get("age")
        if isinstance(age, int) and not isinstance(age, bool) and age >= CONSENT_AGE and d.get("child_signed") is not True:
            out.append(record_problem("E733", r, ("child_signed",), label(f, "child_signed"),
                                      what=f"孩子已满 {CONSENT_AGE} 周岁，本人也要签名",
                                      fix="请孩子本人在“儿童本人签名”处签名，记录里写 true"))
    return out

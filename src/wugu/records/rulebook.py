"""The rules within one record that the type of each field cannot say — written once, as JSON Schema ``if``/``then``,
and published in the record schema (``x-wugu.rules``) so ``wugu records check`` and the fill page in the browser run
the very same rules.

A rule is checked against the record's *rule view*: the record plus a few facts derived from it (``x-wugu.derived``),
because JSON Schema cannot compute an age or compare two fields. Three kinds of derived fact, each implemented in
Python (here) and in JavaScript (``record-rules.js``) and compared on thousands of generated records by
``tests/test_records_rules.py``:

- ``age``: whole years from the date in ``birth`` to the date in ``on`` (today when ``on`` is empty);
- ``days``: days from the date in ``from`` to the date in ``to`` (today when ``to`` is empty);
- ``id-birth-matches``: whether the birth date written in the valid ID number in ``number`` equals the date in
  ``birth``;
- ``row-sums``: whether in every row of the table ``table`` the count ``total`` equals the counts ``parts`` added up
  (blank counts as 0; a row holding a value that is not a count is left out).

(Spec keys never use ``id``, ``$id`` or ``$ref``: validators read those as schema identifiers anywhere in a schema.)

A fact is left out when a date it needs is missing or not a real ``YYYY-MM-DD`` date, so a rule that needs it does not
apply (the missing date is reported on its own). Derived names start with ``_``; field keys never do.

Rules that need several records (a child number in two surveys, a pairing whose child has no survey) stay in
:mod:`wugu.records.rules`: the fill page holds one record at a time.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable

from .. import cnformats as cn
from ..errors import CATALOGUE
from ..model import Form
from .fastschema import Check, compile_schema

#: Age from which a child's own consent is needed besides the guardian's (个人信息保护法第三十一条).
CONSENT_AGE = 14
#: The four tick columns of each use on WG-F08 (section 三).
GUARDIAN = ("监护人同意", "监护人不同意")
CHILD = ("孩子同意", "孩子不同意")


def _iso(v: Any) -> date | None:
    """A date written exactly as ``YYYY-MM-DD`` (a real date in 1900–2099), else None — what
    ``cnformats.normalize_date(v) == v`` says, without its regular expression (this runs for every record)."""
    if not (isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-" and v.isascii()
            and (v[:4] + v[5:7] + v[8:]).isdigit()):
        return None
    try:
        day = date.fromisoformat(v)
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2099 else None


def derive(record: dict[str, Any], spec: dict[str, dict[str, Any]], today: date | None = None) -> dict[str, Any]:
    """The rule view of ``record``: a copy with the derived facts of ``spec`` (``x-wugu.derived``) added."""
    view = dict(record)
    today = today or date.today()
    dates: dict[str, date | None] = {}

    def day(key: str, default: date | None = None) -> date | None:
        if record.get(key) in (None, ""):
            return default
        if key not in dates:
            dates[key] = _iso(record[key])
        return dates[key]

    for name, d in spec.items():
        kind = d["kind"]
        if kind == "age":
            born, on = day(d["birth"]), day(d["on"], today)
            if born and on:
                view[name] = cn.age_on(born, on)
        elif kind == "days":
            start, end = day(d["from"]), day(d["to"], today)
            if start and end:
                view[name] = (end - start).days
        elif kind == "id-birth-matches":
            number, born = record.get(d["number"]), day(d["birth"])
            if born and isinstance(number, str) and cn.id_number_problem(number) is None:
                view[name] = cn.id_birth_date(number) == born
        elif kind == "row-sums":
            rows = record.get(d["table"])
            if isinstance(rows, list) and rows:
                view[name] = all(_adds_up(row, d["total"], d["parts"]) for row in rows)
        else:
            raise ValueError(f"unknown derived fact kind {kind}")
    return view


def _count(v: Any) -> int | None:
    """A count in a table cell: a whole number ≥ 0, digits (a small count may carry ＊), blank as 0; else None."""
    if v is None or v == "":
        return 0
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v if v >= 0 else None
    if isinstance(v, float):
        return int(v) if v.is_integer() and v >= 0 else None
    if isinstance(v, str):
        s = v.strip(" \t\u3000").rstrip("＊*")
        return 0 if s == "" else int(s) if s.isascii() and s.isdigit() and len(s) <= 9 else None
    return None


def _adds_up(row: Any, total: str, parts: list[str]) -> bool:
    """``row[total]`` equals the sum of ``row[parts]`` (a row with a value that is not a count is left to the schema)."""
    if not isinstance(row, dict):
        return True
    nums = [_count(row.get(k)) for k in (total, *parts)]
    return any(n is None for n in nums) or nums[0] == sum(n or 0 for n in nums[1:])


# ---- writing rules ------------------------------------------------------------------------------------------------

def _has(*keys: str) -> dict[str, Any]:
    return {"required": list(keys)}


def _props(**schemas: Any) -> dict[str, Any]:
    return {"properties": schemas}


def _all(*parts: dict[str, Any]) -> dict[str, Any]:
    """Several conditions at once, merged into one schema (``required`` lists joined, ``properties`` merged)."""
    out: dict[str, Any] = {}
    for p in parts:
        if "required" in p:
            out["required"] = [*out.get("required", []), *p["required"]]
        if "properties" in p:
            out["properties"] = {**out.get("properties", {}), **p["properties"]}
        out.update({k: v for k, v in p.items() if k not in ("required", "properties")})
    return out


def _is_true(key: str) -> dict[str, Any]:
    return _all(_has(key), _props(**{key: {"const": True}}))


def _not_true(key: str) -> dict[str, Any]:
    return _props(**{key: {"not": {"const": True}}})


def _rule(code: str, field: str, then: dict[str, Any], when: dict[str, Any] | None, involves: list[str],
          **args: str) -> dict[str, Any]:
    """One rule: a JSON Schema ``if``/``then`` (``if: true`` for a rule that always holds) and, in ``x-wugu``, where its message goes, the
    fields it reads (the page shows it once one of them was touched) and its message (from the error catalogue)."""
    what, fix = CATALOGUE[code]
    rule: dict[str, Any] = {"if": True if when is None else when, "then": then}  # "then" alone is ignored
    rule["x-wugu"] = {"code": code, "field": field, "involves": sorted(set(involves)), "args": args,
                      "message": what.format(**args), "fix": fix.format(**args)}
    return rule


class _Book:
    """The rules of one form, written against its labels; a rule that names a field the form lacks is left out
    (a local edition may change a form)."""

    def __init__(self, form: Form):
        self.form = form
        self.labels = {f.key: f.label or (f.text or "")[:20] for f in form.fields if f.key}
        self.rules: list[dict[str, Any]] = []
        self.derived: dict[str, dict[str, Any]] = {}

    def has(self, *keys: str) -> bool:
        return all(k in self.labels for k in keys)

    def fact(self, name: str, kind: str, **sources: Any) -> str:
        self.derived[name] = {"kind": kind, **sources}
        return name

    def add(self, code: str, field: str, then: dict[str, Any], when: dict[str, Any] | None = None,
            reads: tuple[str, ...] = (), **args: str) -> None:
        self.rules.append(_rule(code, field, then, when, [field, *reads], **args))


def _birth_in_id(b: _Book) -> None:
    """E732: the birth date agrees with the one written in the ID number (WG-F04)."""
    if b.has("birth_date", "id_number"):
        fact = b.fact("_birth_matches_id", "id-birth-matches", number="id_number", birth="birth_date")
        b.add("E732", "birth_date", _props(**{fact: {"const": True}}), reads=("id_number",),
              label=b.labels["birth_date"])


def _f04(b: _Book) -> None:
    """WG-F04 section 七 against the child's age on the survey date (个人信息保护法第三十一条)."""
    _birth_in_id(b)
    if not b.has("birth_date", "survey_date"):
        return
    age = b.fact("_age_on_survey", "age", birth="birth_date", on="survey_date")
    dates = ("birth_date", "survey_date")
    # plausible dates: born before the survey, surveyed by today, a child (under 18) when surveyed
    born_before = b.fact("_days_birth_to_survey", "days", **{"from": "birth_date", "to": "survey_date"})
    b.add("E733", "birth_date", _props(**{born_before: {"minimum": 0}}), _has(born_before), dates,
          what=f"“{b.labels['birth_date']}”晚于调查日期", fix="核对出生日期和调查日期（年份常写错一位），改正写错的一个")
    ahead = b.fact("_days_survey_to_today", "days", **{"from": "survey_date", "to": "_today"})
    b.add("E733", "survey_date", _props(**{ahead: {"minimum": 0}}), _all(_has(ahead), _has("survey_date")),
          ("survey_date",), what=f"“{b.labels['survey_date']}”在今天以后",
          fix="写实际调查的日期（核对年份和月份）")
    b.add("E733", "birth_date", _props(**{age: {"maximum": 17}}), _all(_has(age), _has("survey_date")), dates,
          what="按出生日期，调查时孩子已满 18 周岁，不是本表调查的儿童（不满 18 周岁）",
          fix="核对出生日期（年份常写错一位）；已满 18 周岁的不再填孤困儿童调查表")
    adult = _all(_has(age), _props(**{age: {"minimum": CONSENT_AGE}}))
    minor = _all(_has(age), _props(**{age: {"maximum": CONSENT_AGE - 1}}))
    if b.has("aged_14"):
        flag = b.labels["aged_14"]
        for when, state, value in ((adult, "已满", True), (minor, "不满", False)):
            b.add("E733", "aged_14", _props(aged_14={"const": value}),
                  _all(when, _has("aged_14"), _props(aged_14={"type": "boolean"})), dates,
                  what=f"“{flag}”与出生日期不符：调查日期时孩子{state} {CONSENT_AGE} 周岁",
                  fix="核对出生日期，按调查日期的周岁改正这一栏")
    if b.has("consent_f08_child"):
        child = b.labels["consent_f08_child"]
        b.add("E733", "consent_f08_child", _is_true("consent_f08_child"), adult, dates,
              what=f"孩子已满 {CONSENT_AGE} 周岁，WG-F08 要孩子本人也勾选并签名，“{child}”应填“是”",
              fix="请孩子本人听过说明后在 WG-F08 上勾选并签名，再填这一栏（个人信息保护法第三十一条）")
        b.add("E733", "consent_f08_child", _not_true("consent_f08_child"), minor, dates,
              what=f"孩子不满 {CONSENT_AGE} 周岁，“{child}”不填",
              fix=f"不满 {CONSENT_AGE} 周岁的由监护人签署 WG-F08，这一栏留空")
    if b.has("consent_f08_date"):
        when = b.labels["consent_f08_date"]
        gap = b.fact("_f08_days_before_survey", "days", **{"from": "consent_f08_date", "to": "survey_date"})
        on_time = _all(_has(gap), _props(**{gap: {"minimum": 0}}))
        b.add("E733", "consent_f08_date", _props(**{gap: {"minimum": 0}}), _has(age), (*dates, "consent_f08_date"),
              what=f"“{when}”晚于调查日期：要先签 WG-F08 再填本表",
              fix="核对两个日期，改正写错的一个；确实没有先签的，报告乡镇团，请监护人签署后重新填写")
        signed = b.fact("_age_on_f08", "age", birth="birth_date", on="consent_f08_date")
        b.add("E733", "consent_f08_date", _props(**{signed: {"minimum": CONSENT_AGE}}),
              _all(adult, on_time, _has(signed)), (*dates, "consent_f08_date"),
              what=f"WG-F08 签于孩子满 {CONSENT_AGE} 周岁之前，孩子满 {CONSENT_AGE} 周岁后要重新签署",
              fix="请监护人和孩子本人重新签署 WG-F08，填新的签署日期")
    if b.has("consent_f08_health"):
        refused = _all(_has("consent_f08_health"), _props(consent_f08_health={"const": "不同意"}))
        for key in ("health", "disability_illness"):
            if b.has(key):
                b.add("E733", key, _props(**{key: {"enum": [None, "", []]}}), refused, ("consent_f08_health",),
                      what=f"WG-F08 第②项（健康信息）不同意，“{b.labels[key]}”不填",
                      fix="删去这一栏的内容；监护人后来同意的，先重新签署 WG-F08")


def _f08(b: _Book) -> None:
    """WG-F08: the child's own signature and ticks exactly when 14 or over; the guardian ticks each use once."""
    if not b.has("aged_14"):
        return
    aged, young = _props(aged_14={"const": True}), _props(aged_14={"const": False})
    aged, young = _all(_has("aged_14"), aged), _all(_has("aged_14"), young)
    if b.has("child_signed"):
        b.add("E733", "child_signed", _is_true("child_signed"), aged, ("aged_14",),
              what=f"孩子已满 {CONSENT_AGE} 周岁，本人也要签名",
              fix="请孩子本人在“儿童本人签名”处签名，记为已签名")
        b.add("E733", "child_signed", _not_true("child_signed"), young, ("aged_14",),
              what=f"孩子不满 {CONSENT_AGE} 周岁，不由孩子本人签名",
              fix=f"不满 {CONSENT_AGE} 周岁的只由监护人签名，这一栏划斜线，记为未签名")
    for f in b.form.fields:
        if not (f.key and f.choices and set(f.choices) == set(GUARDIAN + CHILD)):
            continue
        name, key = b.labels[f.key], f.key
        ticked = _all(_has(key), _props(**{key: {"type": "array", "minItems": 1}}))
        one = {"minContains": 1, "maxContains": 1}
        b.add("E733", key, _props(**{key: {"contains": {"enum": list(GUARDIAN)}, **one}}), ticked,
              what=f"“{name}”监护人要在“同意”和“不同意”中勾一个，而且只勾一个",
              fix="请监护人只勾一个；勾错的重新签署")
        b.add("E733", key, _props(**{key: {"contains": {"enum": list(CHILD)}, **one}}), _all(ticked, aged),
              ("aged_14",), what=f"孩子已满 {CONSENT_AGE} 周岁，“{name}”孩子本人也要在“同意”和“不同意”中勾一个",
              fix="请孩子本人听过说明后勾选；两人都同意才算同意")
        b.add("E733", key, _props(**{key: {"not": {"contains": {"enum": list(CHILD)}}}}), _all(ticked, young),
              ("aged_14",), what=f"孩子不满 {CONSENT_AGE} 周岁，“{name}”不勾孩子的两列",
              fix=f"不满 {CONSENT_AGE} 周岁的只由监护人勾选，去掉孩子一列的勾")


def _f09(b: _Book) -> None:
    """WG-F09: a child of 14 or over signs the activity sign-up too."""
    if b.has("age", "child_signed"):
        b.add("E733", "child_signed", _is_true("child_signed"),
              _all(_has("age"), _props(age={"type": "integer", "minimum": CONSENT_AGE})), ("age",),
              what=f"孩子已满 {CONSENT_AGE} 周岁，本人也要签名",
              fix="请孩子本人在“儿童本人签名”处签名，记为已签名")


def _f05(b: _Book) -> None:
    """WG-F05 填表说明第 3 条: in each township's row 儿童总数 equals 男 + 女, 已结对 + 未结对 and the school stages
    added up (a derived fact per sum: JSON Schema cannot add)."""
    table = next((f for f in b.form.fields if f.key == "townships" and f.type == "table"), None)
    if table is None:
        return
    cols = {c.key for c in table.columns}
    for name, parts, words in (("_rows_sex_add_up", ("male", "female"), "男、女"),
                               ("_rows_pairing_add_up", ("paired", "unpaired"), "已结对、未结对"),
                               ("_rows_stages_add_up",
                                ("preschool", "primary", "junior_high", "senior_high_up", "other_stage"), "各学段")):
        if "children" not in cols or not set(parts) <= cols:
            continue
        fact = b.fact(name, "row-sums", table=table.key, total="children", parts=list(parts))
        b.add("E766", table.key, _props(**{fact: {"const": True}}),
              what=f"有乡镇（街道）一行的{words}人数加起来不等于“儿童总数”",
              fix=f"逐行核对：儿童总数应等于{words}人数之和（本表填表说明第 3 条）；一个孩子只计入一个性别、一个学段、一种结对情况")


def _f07(b: _Book) -> None:
    """WG-F07: a home visit takes two people or more (the form's own hint; red line of the service norms)."""
    if b.has("visit_kind", "participants"):
        home = _all(_has("visit_kind"), _props(visit_kind={"const": "入户走访"}))
        b.add("E733", "participants", _all(_has("participants"), _props(participants={"type": "array", "minItems": 2})),
              home, ("visit_kind",), what=f"入户走访不少于 2 人，“{b.labels['participants']}”里不到 2 人",
              fix="写上同去的每一个人（在场的监护人、儿童主任也写）；确实只有 1 人去的，报告乡镇团，不能再这样单独入户")


#: Form id → the function that writes its rules.
BOOKS: dict[str, Callable[[_Book], None]] = {"F04": _f04, "F05": _f05, "F07": _f07, "F08": _f08, "F09": _f09}


def form_rules(form: Form) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The rules of ``form`` (JSON Schema ``if``/``then`` each) and the derived facts they read."""
    book = _Book(form)
    if form.id in BOOKS:
        BOOKS[form.id](book)
    return book.rules, book.derived


# ---- checking: the rules' JSON Schema compiled to Python --------------------------------------------------------

class Rules:
    """The rules of one record schema, compiled once (the Python side; ``record-rules.js`` is the browser's)."""

    def __init__(self, schema: dict[str, Any]):
        note = schema.get("x-wugu", {})
        self.derived: dict[str, dict[str, Any]] = note.get("derived", {})
        self.rules: list[dict[str, Any]] = note.get("rules", [])
        self.checks = [self._compile(r) for r in self.rules]
        #: a rule on the sums of a table's rows (E766) → its row-sums fact, to name the rows that do not add up
        self._sums = {id(r["x-wugu"]): self.derived[name] for r in self.rules
                      for name in r.get("then", {}).get("properties", {})
                      if self.derived.get(name, {}).get("kind") == "row-sums"}

    @staticmethod
    def _compile(rule: dict[str, Any]) -> Check:
        """``wugu records check`` runs every record through the rules, so they cannot cost a jsonschema descent
        each: compiled (:mod:`wugu.records.fastschema`; tests/test_records_rules.py proves this check, jsonschema
        and the browser's validator agree)."""
        try:
            return compile_schema(rule)
        except ValueError:  # a keyword beyond the subset (a hand-edited schema): the full validator
            from jsonschema import Draft202012Validator

            return Draft202012Validator(rule).is_valid

    def broken(self, record: dict[str, Any], today: date | None = None) -> list[dict[str, Any]]:
        """The ``x-wugu`` part (code, field, involves, args, message, fix) of every rule ``record`` breaks."""
        if not self.rules:
            return []
        view = derive(record, self.derived, today)
        return [r["x-wugu"] for r, ok in zip(self.rules, self.checks) if not ok(view)]

    def bad_rows(self, rule: dict[str, Any], record: dict[str, Any]) -> tuple[dict[str, Any], list[int]] | None:
        """For a broken rule on the sums of a table's rows: its row-sums fact and the (0-based) rows that do not add
        up; None for any other rule."""
        spec = self._sums.get(id(rule))
        if spec is None:
            return None
        rows = record.get(spec["table"])
        rows = rows if isinstance(rows, list) else []
        return spec, [i for i, row in enumerate(rows) if not _adds_up(row, spec["total"], spec["parts"])]

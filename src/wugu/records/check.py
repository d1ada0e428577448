"""Checking filled records: each against its form's record schema, then the rules across records.

Messages name the field and the rule and never echo a sensitive value; a number that must be shown is masked
(``3713***********12X``). Positions are the record number and field label, or the sheet and cell for XLSX.
"""
from __future__ import annotations

import difflib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from jsonschema import Draft202012Validator, FormatChecker

from .. import cnformats as cn
from ..errors import CATALOGUE, Problem
from ..model import Form, Handbook
from .echo import echo
from .fastschema import compile_schema
from .read import MAX_RECORDS, Record, read_records
from .rulebook import Rules
from .schema import field_schemas, record_headers, record_schema


@dataclass(frozen=True)
class RecordProblem(Problem):
    """A problem in a record: ``file:位置`` where 位置 is ``记录 3·出生日期``, ``第 7 行·姓名`` or ``记录!C7（姓名）``."""

    where: str = ""

    def location(self) -> str:
        """``file:位置``."""
        return f"{self.path}:{self.where}" if self.where else self.path


def record_problem(code: str, record: Record | None, at: tuple[Any, ...] = (), shown: str = "",
                   file: str = "", **args: Any) -> RecordProblem:
    """A :class:`RecordProblem` at the value ``at`` of ``record``, shown with its label ``shown``
    (or at a whole file when ``record`` is None)."""
    if code not in CATALOGUE:
        raise KeyError(f"unknown problem code {code}")
    args.setdefault("label", shown)
    if record is None:
        return RecordProblem(code, file, args=args)
    return RecordProblem(code, record.file, args=args, where=record.where(at, shown))


def tick_fix(record: Record, both: bool = False) -> str:
    """How a tick, signature or yes/no is recorded in this kind of file: 是/否 in Excel (its drop-down list) and
    CSV (√ and × are read too — both are in GBK, unlike ✓, which is read as well), true/false in JSON. ``both`` names the two answers, else only “yes”."""
    if record.kind == "xlsx":
        return "这一格从下拉列表里选“是”或“否”" if both else "这一格从下拉列表里选“是”"
    if record.kind == "csv":
        return "这一格写“是”或“否”（也可以写 √ 或 ×）" if both else "这一格写“是”（也可以写 √）"
    return "记录里写 true（是）或 false（否）" if both else "记录里写 true（是）"


#: How to write a value of the wrong type, by field type, then by JSON type (E715).
_TYPE_FIX = {"date": cn.MESSAGES["date"], "signdate": cn.MESSAGES["date"],
             "integer": cn.MESSAGES["integer"], "number": cn.MESSAGES["number"],
             "string": "写成文字，例如 东镇", "object": "写成“键: 值”的形式，例如 {\"name\": \"李某某\"}"}


def format_checker() -> FormatChecker:
    """The formats a record schema uses: ISO dates and the China formats of :mod:`wugu.cnformats`."""
    checker = FormatChecker(formats=("date",))
    checker.checks("cn-id-number")(lambda s: not isinstance(s, str) or s == cn.NO_ID or cn.id_number_problem(s) is None)
    checker.checks("cn-mobile")(lambda s: not isinstance(s, str) or cn.valid_mobile(s))
    checker.checks("cn-phone")(lambda s: not isinstance(s, str) or cn.valid_phone(s))
    return checker


#: Rows of one table (or items of one list) in a record: as many as records in a file (E562).
MAX_ROWS = MAX_RECORDS

#: What people write in a number or date they do not know (the form's own 填表说明 says 不详 for text).
UNKNOWN = frozenset({"不详", "不知道", "不清楚", "未知"})


def lock_owner(path: Path) -> str | None:
    """The workbook a lock file stands for — ``~$东镇.xlsx`` (Excel, WPS), ``.~lock.东镇.xlsx#`` (LibreOffice), ``.~东镇.xlsx``
    (WPS) — or None for any other file."""
    name = path.name
    for prefix, suffix in (("~$", ""), (".~lock.", "#"), (".~", "")):
        if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix) + len(suffix):
            return name[len(prefix):len(name) - len(suffix) or None]
    return None


#: Rows one table field of one record may have (a paper form has a dozen; a few continuation sheets hold more).
MAX_TABLE_ROWS = 200


class FormChecker:
    """One form's compiled record schema and the labels its messages use."""

    def __init__(self, form: Form):
        self.form = form
        self.schema = record_schema(form)
        self.props = field_schemas(form)
        self.names = {**{k: s["title"] for k, s in self.props.items()}, **record_headers(form)}
        checker = format_checker()
        self.validator = Draft202012Validator(self.schema, format_checker=checker)
        try:  # most records are valid: a compiled verdict first, jsonschema only to explain an invalid one
            self.valid = compile_schema(self.schema, checker)
        except ValueError:  # a keyword beyond the subset wugu writes
            self.valid = self.validator.is_valid
        self.rules = Rules(self.schema)
        #: the table fields (lists of rows): each capped at :data:`MAX_TABLE_ROWS`, before anything reads the rows
        self.tables = [key for key, s in self.props.items() if s.get("type") == "array"
                       and isinstance(s.get("items"), dict) and s["items"].get("type") == "object"]
        #: the properties a typed value is tidied in before the check (ID x → X, 139 1234 5678, 2026/3/5 …)
        self.tidy = [(key, tuple(s["x-wugu"]["tidy"])) for key, s in self.props.items()
                     if s.get("x-wugu", {}).get("tidy")]

    def label(self, path: tuple[Any, ...]) -> str:
        """The printed label of the value at ``path``: ``出生日期``, or ``参加人员第 2 行“姓名”``."""
        if not path:
            return ""
        s = self.props.get(path[0])
        if s is None:
            return str(path[0])
        text = self.names[path[0]]
        if len(path) >= 2 and isinstance(path[1], int) and s.get("x-wugu", {}).get("type") == "table":
            text += f"第 {path[1] + 1} 行"
            if len(path) >= 3:
                col = s["items"]["properties"].get(path[2], {})
                text += f"“{col.get('title', path[2])}”"
        return text

    def field_type(self, path: tuple[Any, ...]) -> str:
        s = self.props.get(path[0], {}) if path else {}
        return s.get("x-wugu", {}).get("type", "")

    def _fill_fix(self, path: tuple[Any, ...], record: Record) -> str:
        """How to fill a required value that is missing, for its kind of field and of file."""
        kind = self.field_type(path)
        if path and path[0] in ("form", "version"):
            return "每份记录写上表格代码和版本，例如 \"form\": \"WG-F04\", \"version\": \"2026.1\""
        if kind in ("signature", "statement", "photo"):
            done = {"signature": "签好", "statement": "勾好", "photo": "贴好"}[kind]
            if kind == "signature" and "盖章" in self.label(path):
                done = "盖好章"
            return f"在纸上{done}后，{tick_fix(record)}"
        if kind == "yesno":
            return tick_fix(record, both=True)
        if kind == "multichoice":
            return "至少选一项；几项之间用顿号“、”隔开" if record.kind != "json" else \
                "至少选一项，写成列表，例如 [\"孤儿\", \"事实孤儿\"]"
        if kind == "choice":
            return "从表上的选项里选一项"
        if kind in ("date", "signdate"):
            return "写上日期，例如 2026-11-24"
        if kind == "number":
            return "写上数字（不带单位）"
        if kind == "table":
            return "至少填一行"
        fmt = self.props.get(path[0], {}).get("x-wugu", {}).get("format") if path else None
        if fmt in ("mobile", "phone"):
            return "写上联系电话：手机号（11 位），或带区号的固定电话，如 0539-1234567"
        if fmt == "id-number":
            return "写上 18 位身份证号"
        return "把这一栏填上；确实不知道的写“不详”"

    def check(self, record: Record) -> list[RecordProblem]:
        """Schema problems of one record, one per value, in Chinese; then the rules within the record (the
        published ``x-wugu.rules``, the same the fill page checks)."""
        out: list[RecordProblem] = []
        seen: set[tuple[Any, ...]] = set()
        data = record.data
        for key in self.tables:  # millions of rows would take minutes and gigabytes to check, explain and print
            rows = data.get(key)
            if isinstance(rows, list) and len(rows) > MAX_TABLE_ROWS:
                return [record_problem("E557", record, (key,), self.label((key,)), count=len(rows),
                                       limit=MAX_TABLE_ROWS)]
        for key, steps in self.tidy:  # as the fill page tidies what is typed (cnformats.TIDY, one table)
            v = data.get(key)
            if type(v) is str:  # not a number Excel stored (read._Digits): its message says what happened
                data[key] = cn.tidy(v, steps)
        errors = () if self.valid(data) else self.validator.iter_errors(data)
        for err in errors:
            for p in self._explain(record, err):
                key = (p.code, p.where)
                if key not in seen:
                    seen.add(key)
                    out.append(p)
        typed = {p.where for p in out if p.code == "E715"}  # a wrong kind of value: not also “not signed”
        out = [p for p in out if not (p.code == "E720" and p.where in typed)]
        for rule in self.rules.broken(record.data):
            rows = self.rules.bad_rows(rule, record.data)
            if rows and rows[1]:
                out += self._rows_not_adding_up(record, rule, *rows)
                continue
            at = (rule["field"],)
            out.append(record_problem(rule["code"], record, at, self.label(at), **rule["args"]))
        return out

    def _rows_not_adding_up(self, record: Record, rule: dict[str, Any], spec: dict[str, Any],
                            bad: list[int]) -> list[RecordProblem]:
        """One problem per table row whose counts do not add up (E766), at the total's cell, naming the cells and
        the sums (counts only: no name, no number of a person)."""
        from .rulebook import _count

        table, total, parts = spec["table"], spec["total"], spec["parts"]
        cols = self.props[table]["items"]["properties"]
        title = lambda k: cols.get(k, {}).get("title", k)  # noqa: E731
        out = []
        for i in bad:
            row = record.data[table][i]
            cell = lambda k: record.cells.get((table, i, k), "").split("!")[-1]  # noqa: E731
            shown = lambda k: title(k) + (f"（{cell(k)}）" if cell(k) else " ")  # noqa: E731
            counts = [_count(row.get(k)) or 0 for k in parts]
            first = row.get(next(iter(cols)), "") if cols else ""
            place = f"“{first}”" if isinstance(first, str) and 0 < len(first) <= 12 and not re.search(r"\d", first) \
                else f"第 {i + 1} 行"
            rule_words = rule["args"]["what"].split("一行", 1)[-1]  # “的男、女人数加起来不等于“儿童总数””
            what = (f"{place}这一行{rule_words}：" + " + ".join(f"{shown(k)}{n}" for k, n in zip(parts, counts))
                    + f" = {sum(counts)}，{shown(total).strip()}写的是 {_count(row.get(total))}")
            at = (table, i, total)
            out.append(record_problem("E766", record, at, self.label(at), what=what, fix=rule["args"]["fix"]))
        return out

    def _explain(self, record: Record, err: Any) -> list[RecordProblem]:
        path = tuple(err.absolute_path)
        kw = err.validator
        label = self.label(path)
        p = lambda code, at=path, lab=label, **a: record_problem(code, record, at, lab, **a)  # noqa: E731
        if kw == "required":
            return [p("E714", path + (k,), self.label(path + (k,)), fix=self._fill_fix(path + (k,), record))
                    for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance]
        if kw == "additionalProperties":
            known = list(err.schema.get("properties", {}))
            out = []
            for k in err.instance:
                if k in known:
                    continue
                close = difflib.get_close_matches(str(k), known, n=1, cutoff=0.6)
                fix = (f"是不是“{close[0]}”？" if close else "") + "栏目要用表格的键名，见网站表格页的“数据字典”"
                out.append(p("E713", path + (k,), "", key=echo(k, known), fix=fix))
            return out
        kind = self.field_type(path)
        said = err.instance.strip() if isinstance(err.instance, str) else None
        if said in UNKNOWN and kw in ("type", "format", "pattern") and kind in ("number", "date", "signdate"):
            return [p("E720", what=f"写了“{said}”", fix="数字和日期栏不知道就留空（不写“不详”）；要说明的写在备注栏里")]
        if kw == "type":
            expected = {"string": "文字", "integer": "整数", "number": "数字", "boolean": "“是”或“否”（true/false）",
                        "array": "列表（多选的几项）", "object": "“键: 值”"}
            want = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
            fix = "多选题写成列表，例如 [\"孤儿\", \"事实孤儿\"]；Excel 里几项之间用顿号“、”隔开" if "array" in want else \
                "签名、照片、勾选和是/否栏：" + tick_fix(record, both=True) if "boolean" in want else \
                _TYPE_FIX.get(kind if kind in ("date", "signdate") else want[0], "按栏目的类型填写")
            return [p("E715", expected="或".join(expected.get(w, w) for w in want), fix=fix)]
        if kw == "enum":
            allowed = "、".join(str(v) for v in err.validator_value)
            if kind == "multichoice" and record.kind != "json":
                allowed += "（选几项的，几项之间用顿号“、”隔开；逗号、分号、斜线和空格也认）"
            known = [str(v) for v in err.validator_value]
            return [p("E716", allowed=allowed, value=f"“{echo(err.instance, known)}”")]
        if kw == "const":
            what = {"statement": "没有勾选：这项声明必须勾选", "signature": "没有签名：这一栏必须签名"}.get(kind, "的值不对")
            return [p("E720", what=what, fix="在纸上签好或勾好后，" + tick_fix(record))]
        if kw in ("format", "pattern"):
            fmt = self.props.get(path[0], {}).get("x-wugu", {}).get("format") if path else None
            value = err.instance if isinstance(err.instance, str) else str(err.instance)
            if fmt == "id-number" and len(path) == 1:
                problem = "none" if value == cn.NO_ID else cn.id_number_problem(value) or "shape"
                fix = cn.MESSAGES[f"id-{problem}"]
                if problem == "shape" and cn.NO_ID in str(err.schema.get("pattern", "")):
                    fix += "；" + cn.MESSAGES["id-none-allowed"]
                if getattr(value, "__class__", str).__name__ == "_Digits" or re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", value.strip()):
                    fix = "Excel 把它存成了数字，后几位已经丢失；把这一列设成“文本”格式后重新输入"
                elif record.kind == "csv" and problem == "check" and value.endswith("000"):
                    fix += "（末三位是 000：多半是在 Excel 里打开 CSV 时号码被当成数字、丢了后几位；" \
                           "请在 Excel 里把这一列设成“文本”格式后重新输入，或改用 Excel 模板）"
                return [p("E718", masked=cn.mask(value), fix=fix)]
            if fmt in ("mobile", "phone") and len(path) == 1:
                kind_name = "手机号" if fmt == "mobile" else "电话号码"
                return [p("E719", kind=kind_name, masked=cn.mask(value), fix=cn.MESSAGES[fmt])]
            return [p("E717", fix=cn.MESSAGES["date"])]
        if kw in ("minLength", "minItems"):
            return [p("E714", fix=self._fill_fix(path, record))]
        if kw == "maxLength":
            return [p("E720", what=f"太长（最多 {err.validator_value} 个字）", fix="写简要一些")]
        if kw in ("minimum", "maximum"):
            return [p("E720", what="的数字超出合理范围", fix="核对这个数字；年龄写周岁，人数写整数")]
        if kw == "uniqueItems":
            return [p("E720", what="重复选了同一项", fix="每一项只写一次")]
        if kw == "minProperties":
            return [p("E720", what="是空行", fix="删掉这一行，或把它填完整")]
        return [p("E720", what="不符合表格的要求", fix="按网站表格页的“数据字典”填写")]


@dataclass
class RecordsReport:
    """What a records check found."""

    problems: list[Problem] = field(default_factory=list)
    records: list[tuple[Record, Form]] = field(default_factory=list)  # records of a known form and version
    counts: dict[str, int] = field(default_factory=dict)  # form code → records read
    files: int = 0
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0
    hidden: int = 0  # problems counted but not listed (each file's E778 lines say how many of which kind)
    warnings: list[Problem] = field(default_factory=list)  # W-codes: said, the records still pass

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def count(self) -> int:
        """How many problems were found, listed or not."""
        return sum(p.code != "E778" for p in self.problems) + self.hidden

    @property
    def exit_code(self) -> int:
        """0 clean, 1 problems in the records, 2 usage problems (missing file, unknown kind of file)."""
        if any(p.is_usage for p in self.problems):
            return 2
        return 1 if self.problems else 0


class RecordsChecker:
    """Checks records of every form of one handbook."""

    def __init__(self, handbook: Handbook):
        self.handbook = handbook
        self.forms = {f.code: f for f in handbook.forms}
        self._checkers: dict[str, FormChecker] = {}

    def checker(self, form: Form) -> FormChecker:
        """The compiled checker of one form (built once)."""
        if form.code not in self._checkers:
            self._checkers[form.code] = FormChecker(form)
        return self._checkers[form.code]

    def check_record(self, record: Record) -> tuple[Form | None, list[RecordProblem]]:
        """The form a record belongs to and its problems (form and version first, then the schema)."""
        code, version = record.data.get("form"), record.data.get("version")
        if not code:
            return None, [record_problem("E711", record, what="记录里没写是哪张表格",
                                         fix="每份记录写上表格代码和版本，例如 \"form\": \"WG-F04\", \"version\": \"2026.1\"")]
        form = self.forms.get(str(code))
        if form is None:
            return None, [record_problem("E711", record, what=f"没有代码为“{echo(code, self.forms)}”的表格",
                                         fix="已有的表格代码：" + "、".join(sorted(self.forms)))]
        if str(version) != form.version:
            return form, [self._version(record, form, str(version))]
        for key, value in record.data.items():  # a table of millions of rows: not checked row by row
            if isinstance(value, list) and len(value) > MAX_ROWS:
                label = self.checker(form).label((key,)) or str(key)
                return None, [record_problem("E562", record, (key,), label, count=len(value), limit=MAX_ROWS)]
        return form, self.checker(form).check(record)

    def glyphs(self, record: Record, form: Form) -> list[RecordProblem]:
        """W376 for every value that holds a character the PDF fonts cannot print (a rare character in a name):
        the field and the character are named, never the value."""
        from ..validate.glyphs import record_glyphs, shown

        out = []
        for path, c in record_glyphs(record.data):
            char, point = shown(c)
            label = self.checker(form).label(path) or str(path[0])
            out.append(record_problem("W376", record, path, label, char=char, point=point))
        return out

    def _version(self, record: Record, form: Form, version: str) -> RecordProblem:
        props = self.checker(form).props
        gone = [k for k in record.data if k not in props and k not in ("form", "version")]
        new = [props[k]["title"] for k in self.checker(form).schema["required"][2:] if k not in record.data]
        parts = []
        if gone:
            parts.append("新版没有这些栏目：" + "、".join(echo(k, props) for k in gone[:8]))
        if new:
            parts.append("新版要求填写：" + "、".join(new[:8]))
        changed = "；".join(parts) or "栏目的键名和选项与现在的版本一致，只是版本号不同"
        shown = echo(version) if version.strip() else "（未写）"
        return record_problem("E712", record, form=form.title, version=shown,
                              current=form.version, changed=changed,
                              fix=f"按 {form.version} 版的表格重新整理这份记录（wugu records template 生成新模板），"
                                  f"核对无误后把 version 改成 {form.version}")

    def check(self, paths: Iterable[tuple[Path, str]], form_code: str | None = None) -> RecordsReport:
        """Read and check every file: ``paths`` holds ``(path, how it is shown)`` pairs."""
        from .rules import check_across

        started = time.perf_counter()
        report = RecordsReport()
        shown = _Shown(report)
        for path, display in paths:
            owner = lock_owner(path)
            if owner is not None:  # Excel, WPS or LibreOffice has that workbook open: its lock file, not records
                report.notices.append(f"提示：{display} 是 Excel/WPS 打开工作簿时留下的临时文件（多半是“{owner}”正开着），"
                                      "不是记录，没有读取；先在 Excel/WPS 里保存、关闭那个工作簿，再检查（检查的是保存过的内容）")
                continue
            report.files += 1
            if not path.is_file():
                report.problems.append(record_problem("E740", None, file=display, path=display))
                continue
            records, problems = read_records(path, display, form_code, self.forms, report.notices)
            shown.add(problems)
            for record in records:
                form, found = self.check_record(record)
                if form is not None:
                    report.counts[form.code] = report.counts.get(form.code, 0) + 1
                    shown.warn(self.glyphs(record, form))
                shown.add(found)
                if form is not None and not any(p.code in ("E711", "E712") for p in found):
                    report.records.append((record, form))
        problems, notices = check_across(report.records, lambda f, key: self.checker(f).label((key,)))
        shown.add(problems)
        shown.close()
        report.notices += notices
        report.seconds = time.perf_counter() - started
        return report


#: Problems of one kind (code) listed for one file; the rest are counted in one E778 line: a file of thousands of
#: records with the same mistake gives a screenful, not millions of lines (and memory stays bounded).
SHOWN_PER_KIND = 20


class _Shown:
    """Adds problems to a report, at most :data:`SHOWN_PER_KIND` of a code per file; counts the others."""

    def __init__(self, report: RecordsReport):
        self.report = report
        self.listed: dict[tuple[str, str], int] = {}
        self.more: dict[tuple[str, str], tuple[int, str]] = {}  # (file, code) → (not listed, the first one's words)
        self.quiet: dict[tuple[str, str], int] = {}  # (file, W-code) → warnings not listed

    def add(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            key = (p.path, p.code)
            n = self.listed.get(key, 0)
            if n < SHOWN_PER_KIND or p.is_usage:
                self.listed[key] = n + 1
                self.report.problems.append(p)
                continue
            count, what = self.more.get(key, (0, ""))
            self.more[key] = (count + 1, what or p.message)
            self.report.hidden += 1

    def warn(self, warnings: Iterable[Problem]) -> None:
        """Warnings (W376), as many per file and kind as problems; the rest are counted in a notice."""
        for p in warnings:
            key = (p.path, p.code)
            n = self.listed.get(key, 0)
            self.listed[key] = n + 1
            if n < SHOWN_PER_KIND:
                self.report.warnings.append(p)
            else:
                self.quiet[key] = self.quiet.get(key, 0) + 1

    def close(self) -> None:
        """One E778 line per file and kind with problems not listed (after the file's listed ones)."""
        for (path, code), count in self.quiet.items():
            self.report.notices.append(f"提示：{path} 另有 {count} 个同样的 {code} 提醒，没有逐一列出")
        for (path, code), (count, what) in self.more.items():
            what = what if len(what) <= 40 else what[:39] + "…"
            line = RecordProblem("E778", path, args={"count": count, "code": code, "what": what})
            last = max((i for i, p in enumerate(self.report.problems) if p.path == path), default=-1)
            self.report.problems.insert(last + 1, line)
        self.more.clear()

"""Excel workbooks for offices, written with xlsxwriter: a template per form (optionally filled with records).

Layout (read back by :mod:`wugu.records.read`): sheet “记录” has a title row naming the form code and version (so a
CSV saved from it still says which form it is), a header row, then one row per record, first column 序号; each
table field has its own sheet whose first column 记录序号 links a row to its record; a hidden “_lists” sheet holds
the choice lists behind defined names (an inline list is capped at 255 characters); a hidden “_meta” sheet records
the form code, version and which key each column holds. ID-number and phone columns are text (Excel keeps only 15
significant digits of a number); date columns are dates; required columns are marked *, sensitive ones shaded.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from ..escape import looks_like_formula
from ..model import Field, Form
from .read import GUIDE_SHEET, LISTS_SHEET, MAIN_SHEET, META_SHEET, PARENT, TOTAL
from .schema import data_fields, missing_required, record_headers


#: Before the header of a sensitive column (besides its red shading, which a black-and-white printout loses).
SENSITIVE_MARK = "※"
FIRST_ROW = 3  # 1-based: title row, header row, then records
BLANK_ROWS = 500
_BOOL_TYPES = ("yesno", "signature", "photo", "statement")
_TYPE_NAMES = {"text": "文字", "longtext": "多行文字", "date": "日期", "signdate": "日期", "number": "数字",
               "choice": "单选", "multichoice": "多选（用、隔开）", "yesno": "是/否", "signature": "纸上已签名：是/否",
               "photo": "纸上已贴照片：是/否", "statement": "已勾选：是/否", "table": "表格（另一张工作表）"}


def sheet_name(label: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name from a label (31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "", label)[:28] or "表"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:26]}{n}", n + 1
    taken.add(name)
    return name


def _columns(form: Form) -> list[tuple[str, str, Field, str]]:
    """Main-sheet columns: ``(key, header, field, part)`` where part is "", "other" or "detail"."""
    fields = {f.key: f for f in data_fields(form)}
    cols = []
    for key, header in record_headers(form).items():
        base, _, part = key.rpartition("_")
        if key in fields:
            cols.append((key, header, fields[key], ""))
        else:
            cols.append((key, header, fields[base], part))
    return cols


class _Book:
    def __init__(self, path: Path, form: Form):
        self.form = form
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                  "strings_to_urls": False})
        self.wb.set_properties({"title": f"{form.code} {form.title}", "subject": "内部资料 注意保密",
                                "created": datetime(2026, 1, 1)})  # a datetime: xlsxwriter ignores a date and writes the clock
        fmt = self.wb.add_format
        self.title = fmt({"bold": True, "font_size": 12, "font_name": "宋体"})
        self.head = fmt({"bold": True, "bg_color": "#E7E6E6", "border": 1, "text_wrap": True, "valign": "vcenter",
                         "font_name": "黑体"})
        self.head_secret = fmt({"bold": True, "bg_color": "#F4CCCC", "border": 1, "text_wrap": True,
                                "valign": "vcenter", "font_name": "黑体"})
        self.text = fmt({"num_format": "@"})
        self.wrap = fmt({"num_format": "@", "text_wrap": True})
        self.date = fmt({"num_format": "yyyy-mm-dd"})
        self.plain = fmt({})
        self.small = fmt({"bg_color": "#FFF2CC"})
        self.total = fmt({"bold": True, "top": 1})
        self.todo = {"text": fmt({"num_format": "@", "bg_color": "#FCE4D6", "border": 1, "border_color": "#C65911"}),
                     "date": fmt({"num_format": "yyyy-mm-dd", "bg_color": "#FCE4D6", "border": 1,
                                  "border_color": "#C65911"}),
                     "plain": fmt({"bg_color": "#FCE4D6", "border": 1, "border_color": "#C65911"})}
        #: the same formats with Excel's quote prefix: text that starts like a formula stays text when edited
        self.quoted = {None: fmt({"quote_prefix": True}), id(self.text): fmt({"num_format": "@", "quote_prefix": True}),
                       id(self.wrap): fmt({"num_format": "@", "text_wrap": True, "quote_prefix": True})}
        self.taken: set[str] = set()
        self.widths: dict[str, dict[int, float]] = {}  # sheet → column → width (characters), for printing
        self.meta: list[list[Any]] = []
        self.lists: list[tuple[str, list[str]]] = []

    def set_column(self, ws: Any, first: int, last: int, width: float, fmt: Any = None) -> None:
        """``ws.set_column``, remembering the widths (the print layout depends on them)."""
        ws.set_column(first, last, width, fmt)
        self.widths.setdefault(ws.name, {}).update((c, width) for c in range(first, last + 1))

    def print_setup(self, ws: Any, title: str, last_row: int, last_col: int, repeat_cols: int = 0) -> None:
        """How a sheet prints (:func:`print_layout`)."""
        print_layout(ws, self.widths.get(ws.name, {}), f"{self.form.code} {title}（{self.form.version} 版）",
                     last_row, last_col, repeat_cols)

    def list_name(self, key: str, values: list[str]) -> str:
        """A defined name for a choice list on the hidden lists sheet."""
        name = f"list_{key}"
        if all(n != name for n, _ in self.lists):
            self.lists.append((name, values))
        return name

    def column_format(self, f: Field, part: str) -> Any:
        if part:
            return self.text
        if f.type in ("date", "signdate"):
            return self.date
        if f.type == "longtext":
            return self.wrap
        if f.type in ("text", "choice", "multichoice"):
            return self.text
        return self.plain

    def todo_format(self, f: Field) -> Any:
        """A required cell of a filled record still empty (signatures, 报出日期 …): shaded to be filled in."""
        fmt = self.column_format(f, "")
        return self.todo["date" if fmt is self.date else "text" if fmt in (self.text, self.wrap) else "plain"]

    def validate(self, ws: Any, col: int, key: str, f: Field, part: str) -> None:
        first, last = FIRST_ROW - 1, FIRST_ROW - 2 + BLANK_ROWS
        hint = (f.hint or "")[:200]
        opts: dict[str, Any] = {}
        if part:
            opts = {"validate": "length", "criteria": "<=", "value": 200}
        elif f.type in ("date", "signdate"):
            opts = {"validate": "date", "criteria": "between", "minimum": date(1900, 1, 1), "maximum": date(2099, 12, 31),
                    "error_title": "日期", "error_message": "请写成日期，例如 2026-11-24"}
        elif f.type == "number":
            opts = {"validate": "decimal", "criteria": ">=", "value": 0, "error_message": "请填数字（不带单位）"}
        elif f.type == "choice":
            values = [*f.choices, *(["其他"] if f.other else [])]
            opts = {"validate": "list", "source": "=" + self.list_name(key, values),
                    "error_message": "请从下拉列表里选；表上没有的选“其他”，在后一列写明" if f.other else "请从下拉列表里选"}
        elif f.type in _BOOL_TYPES:
            opts = {"validate": "list", "source": "=" + self.list_name("yesno", ["是", "否"]),
                    "error_message": "请选“是”或“否”"}
        elif f.type == "multichoice":
            opts = {"validate": "any"}
            hint = ("可多选，几项之间用顿号“、”隔开：" + "、".join([*f.choices, *(["其他"] if f.other else [])]))[:250]
        if f.format == "id-number" and not part:
            hint = ("18 位身份证号，这一列是文本格式，直接输入" + ("；没有的写“无”" if not f.required else ""))[:250]
        if not opts:
            opts = {"validate": "any"}
        if hint:
            opts.update(input_title=(f.label or "填写说明")[:30], input_message=hint[:250])
        if opts != {"validate": "any"}:
            ws.data_validation(first, col, last, col, opts)


def _write_value(ws: Any, row: int, col: int, value: Any, f: Field | None, part: str, book: _Book) -> None:
    if value is None:
        return
    fmt = book.column_format(f, part) if f is not None else None
    if isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否")
    elif isinstance(value, list):
        _write_text(ws, row, col, "、".join(str(v) for v in value), fmt, book)
    elif f is not None and not part and f.type in ("date", "signdate") and isinstance(value, str):
        try:
            ws.write_datetime(row, col, date.fromisoformat(value), book.date)
        except ValueError:
            _write_text(ws, row, col, value, None, book)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value)
    else:
        _write_text(ws, row, col, str(value), fmt, book)


def _write_text(ws: Any, row: int, col: int, text: str, fmt: Any, book: _Book) -> None:
    """A text cell; text that looks like a formula gets the quote prefix (Excel and WPS keep it text)."""
    if looks_like_formula(text):
        fmt = book.quoted.get(id(fmt) if fmt is not None else None, book.quoted[None])
    ws.write_string(row, col, text, fmt)


#: Blank rows a blank template prints (a page to fill by hand); the sheet itself has BLANK_ROWS ready.
PRINT_BLANK_ROWS = 20
#: The printable width of A4 (mm) with the 0.5-inch side margins set below, portrait and landscape.
_PRINTABLE = {False: 210 - 25.4, True: 297 - 25.4}
#: The smallest scale a printed sheet is still read at: a wider sheet prints on several pages across.
_MIN_SCALE = 0.5


def _column_mm(width: float) -> float:
    """A column width in characters (Excel's unit, 7 px each plus 5 px padding at 96 dpi) in millimetres."""
    return (width * 7 + 5) * 25.4 / 96


def _header_text(text: str) -> str:
    """Text for an Excel page header or footer: ``&`` starts a code there, so it is doubled."""
    return text.replace("&", "&&")[:80]


def print_layout(ws: Any, widths: dict[int, float], title: str, last_row: int, last_col: int,
                 repeat_cols: int = 0) -> None:
    """How a sheet prints: A4, portrait when its columns fit at 85 % or more, else landscape; as many pages across
    as keep the scale at 50 % or more (one for most sheets), as many down as it takes; the title and header rows
    (and the first ``repeat_cols`` columns, 序号) on every page; the filled rows only (a blank template: a page of
    blank rows); page header “内部资料 注意保密” and the title, footer “第 X 页 共 Y 页”; gridlines printed."""
    wide = sum(_column_mm(widths.get(c, 8.43)) for c in range(last_col + 1))
    landscape = wide * 0.85 > _PRINTABLE[False]
    across = max(1, math.ceil(wide * _MIN_SCALE / _PRINTABLE[True])) if landscape else 1
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    ws.fit_to_pages(across, 0)
    ws.repeat_rows(0, FIRST_ROW - 2)
    if repeat_cols and across > 1:
        ws.repeat_columns(0, repeat_cols - 1)
    ws.print_area(0, 0, max(last_row, FIRST_ROW - 2), last_col)
    ws.hide_gridlines(0)
    ws.set_header(f"&L内部资料　注意保密&R{_header_text(title)}", {"margin": 0.3})
    ws.set_footer("&C第 &P 页　共 &N 页", {"margin": 0.3})


def write_workbook(form: Form, path: Path, records: list[dict[str, Any]] = (), *,
                   small_below: int | None = None) -> Path:
    """Write the Excel template of ``form`` to ``path``, filled with ``records`` when given.

    ``small_below`` shades table numbers from 1 to ``small_below - 1`` (counts too small to publish on their own).
    """
    book = _Book(path, form)
    wb = book.wb
    ws = wb.add_worksheet(MAIN_SHEET)
    book.taken.add(MAIN_SHEET)
    cols = _columns(form)
    secret = "内部资料 注意保密 · " if form.has_sensitive else ""
    todo = "橙色格子是还没填的必填栏，签好、填好后才能通过检查 · " if any(
        missing_required(form, r) for r in records) else ""
    ws.write_string(0, 0, f"{form.code} {form.title}（{form.version} 版）· 每行一份记录 · 标 * 的必须填写 · {todo}"
                          f"表头带 {SENSITIVE_MARK}（红色）的是敏感个人信息 · {secret}填法见“填表说明”", book.title)
    ws.write_string(1, 0, "序号", book.head)
    book.set_column(ws, 0, 0, 6)
    book.meta += [["form", form.code], ["version", form.version], ["first_row", FIRST_ROW],
                  ["schema", f"urn:wugu:form:{form.code}:{form.version}"]]
    for i, (key, header, f, part) in enumerate(cols, 1):
        secret_col = f.sensitive
        ws.write_string(1, i, (SENSITIVE_MARK if secret_col else "") + header + (" *" if f.required and not part else ""),
                        book.head_secret if secret_col else book.head)
        width = 12 if f.type not in ("longtext", "multichoice") else 24
        if f.format == "id-number":
            width = 21
        book.set_column(ws, i, i, max(width, min(len(header) * 2 + 2, 30)), book.column_format(f, part))
        book.validate(ws, i, key, f, part)
        book.meta.append(["column", MAIN_SHEET, i + 1, key])
    ws.freeze_panes(FIRST_ROW - 1, 1)
    ws.set_row(1, 32)
    for n, record in enumerate(records, 1):
        row = FIRST_ROW - 2 + n
        ws.write_number(row, 0, n)
        for i, (key, _, f, part) in enumerate(cols, 1):
            if record.get(key) is None and f.required and not part:
                ws.write_blank(row, i, None, book.todo_format(f))
            _write_value(ws, row, i, record.get(key), f, part, book)
    for i, (_, _, f, part) in enumerate(cols, 1):
        fmt = book.column_format(f, part)
        if fmt is book.text or fmt is book.wrap:  # a text cell, not only a text column: numbers stay as typed
            for row in range(FIRST_ROW - 1 + len(records), FIRST_ROW - 1 + BLANK_ROWS):
                ws.write_blank(row, i, None, fmt)
    book.print_setup(ws, form.title, FIRST_ROW - 2 + (len(records) or PRINT_BLANK_ROWS), len(cols), repeat_cols=1)
    for f in data_fields(form):
        if f.type == "table":
            _table_sheet(book, f, records, small_below)
    _instructions(book, cols)
    _hidden(book)
    ws.activate()
    wb.close()
    return path


def _table_sheet(book: _Book, f: Field, records: list[dict[str, Any]], small_below: int | None) -> None:
    name = sheet_name(f.label, book.taken)
    ws = book.wb.add_worksheet(name)
    ws.write_string(0, 0, f"{f.label}：每行一条，第一列写这一行属于“{MAIN_SHEET}”表里哪份记录（那份记录的序号）"
                    + (f"。{f.hint}" if f.hint else ""), book.title)
    ws.write_string(1, 0, PARENT, book.head)
    book.set_column(ws, 0, 0, 9)
    book.meta.append(["column", name, 1, f.key])
    for i, c in enumerate(f.columns, 1):
        header = f"{c.group}·{c.label}" if c.group else c.label
        secret_col = c.sensitive or f.sensitive
        ws.write_string(1, i, (SENSITIVE_MARK if secret_col else "") + header, book.head_secret if secret_col else book.head)
        # the header wraps onto its two lines (row 2 is 32 pt high): half its length is wide enough
        book.set_column(ws, i, i, max(8, min(len(header) + 4, 28)) * c.width ** 0.5, book.text if i == 1 else None)
        book.meta.append(["column", name, i + 1, f"{f.key}/{c.key}"])
    ws.freeze_panes(FIRST_ROW - 1, 1)
    ws.set_row(1, 32)
    row = FIRST_ROW - 1
    for n, record in enumerate(records, 1):
        items = record.get(f.key) or []
        for item in items:
            ws.write_number(row, 0, n)
            for i, c in enumerate(f.columns, 1):
                _write_value(ws, row, i, item.get(c.key), None, "", book)
            row += 1
        if f.total and items:
            _total_row(ws, row, n, f, items, book)
            row += 1
    if small_below:
        ws.conditional_format(FIRST_ROW - 1, 2, max(row, FIRST_ROW) - 1, len(f.columns),
                              {"type": "cell", "criteria": "between", "minimum": 1, "maximum": small_below - 1,
                               "format": book.small})
        ws.write_string(row + 1, 0, f"黄色格子：人数小于 {small_below}，对外发布时不单独公布，并入上一级汇总（本表填表说明）。")
        row += 2
    book.print_setup(ws, f"{book.form.title}·{f.label}", row - 1 if records else FIRST_ROW - 2 + PRINT_BLANK_ROWS,
                     len(f.columns), repeat_cols=1)


def _total_row(ws: Any, row: int, n: int, f: Field, items: list[dict[str, Any]], book: _Book) -> None:
    """The 合计 row under a record's rows (a table with ``total: true``): each column a SUM formula over those rows,
    blank while none of them has a number (村数, 未建档 and the month's visits and calls are left for the office), the sum stored as its value
    so readers that do not calculate see it too. Reading the file back skips this row (it is derived)."""
    ws.write_number(row, 0, n, book.total)
    ws.write_string(row, 1, TOTAL, book.total)
    for i, c in enumerate(f.columns[1:], 2):
        nums = [v for v in (_count(item.get(c.key)) for item in items) if v is not None]
        letter = xl_col_to_name(i)
        cells = f"{letter}{row - len(items) + 1}:{letter}{row}"
        ws.write_formula(row, i, f'=IF(COUNT({cells})=0,"",SUM({cells}))', book.total, sum(nums) if nums else "")


def _count(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _instructions(book: _Book, cols: list[tuple[str, str, Field, str]]) -> None:
    form = book.form
    ws = book.wb.add_worksheet(GUIDE_SHEET)
    book.set_column(ws, 0, 0, 14)
    book.set_column(ws, 1, 1, 26)
    book.set_column(ws, 2, 5, 16)
    book.set_column(ws, 6, 6, 60)  # 说明 (choices, hints): the last column printed, its text is not cut short
    lines = [f"{form.code} {form.title}（{form.version} 版）", "",
             "怎样填：在“记录”表里每行填一份记录，第一列写序号 1、2、3……；表格栏目（如参加人员）在同名的工作表里填，"
             f"第一列“{PARENT}”写它属于哪份记录。",
             "日期写成 2026-11-24；单选从下拉列表里选；多选的几项之间用顿号“、”隔开；签名、照片、勾选栏：纸上已签、已贴、已勾的选“是”。",
             "身份证号、电话、编号等列已经设成文本格式，直接输入即可，不要改成数字格式（否则 Excel 会把 18 位号码的后几位变成 0）。",
             f"表头带 * 的必须填写；表头带 {SENSITIVE_MARK}（红色底）的是敏感个人信息（黑白打印也看得出）。",
             "检查：wugu records check 本文件.xlsx（只读这个文件，不会改动它）。"]
    if form.has_sensitive:
        lines.append("内部资料 注意保密：本文件含敏感个人信息，只存放在办公室电脑上，不发到聊天群、不存网盘、不用 U 盘随身带，用完按保存期限删除。")
    lines += ["", "本表的填表说明："] + [f"{i}. {t}" for i, t in enumerate(form.instructions, 1)]
    for n, text in enumerate(lines):
        ws.write_string(n, 0, text, book.title if n == 0 else None)
    start = len(lines) + 1
    heads = ["列", "栏目", "键名", "类型", "必填", "敏感", "说明"]
    for i, h in enumerate(heads):
        ws.write_string(start, i, h, book.head)
    for n, (key, header, f, part) in enumerate(cols, 1):
        kind = "文字" if part else _TYPE_NAMES.get(f.type, f.type)
        note = "、".join(f.choices) if f.type in ("choice", "multichoice") and not part else (f.hint or "")
        row = [xl_col_to_name(n), header, key, kind, "是" if f.required and not part else "",
               "是" if f.sensitive else "", note[:250]]
        for i, v in enumerate(row):
            ws.write_string(start + n, i, v)
    book.print_setup(ws, f"{form.title}·{GUIDE_SHEET}", start + len(cols), len(heads) - 1)


def _hidden(book: _Book) -> None:
    lists = book.wb.add_worksheet(LISTS_SHEET)
    for col, (name, values) in enumerate(book.lists):
        for row, v in enumerate(values):
            lists.write_string(row, col, v)
        letter = xl_col_to_name(col)
        book.wb.define_name(name, f"={LISTS_SHEET}!${letter}$1:${letter}${len(values)}")
    lists.hide()
    meta = book.wb.add_worksheet(META_SHEET)
    for row, values in enumerate(book.meta):
        for col, v in enumerate(values):
            meta.write(row, col, v)
    meta.hide()

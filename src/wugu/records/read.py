"""Reading filled records from JSON (one record, an array, or JSON Lines), XLSX (from the templates) and CSV.

Every record remembers where each value came from, so a problem can point at ``记录 3·出生日期``, ``第 7 行·姓名``
(CSV) or ``记录!C7`` (XLSX). Office files are only read, never saved back: openpyxl drops the validations that Excel
and WPS store as extensions when it saves.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from ..errors import Problem, problem
from .echo import echo

#: What a table row is linked by on its own sheet (XLSX) — the record's 序号 on the main sheet.
PARENT = "记录序号"
MAIN_SHEET = "记录"
META_SHEET = "_meta"
#: The first cell of a table's total row (合计): derived from the rows above, so not read as a row.
TOTAL = "合计"
_CODE = re.compile(r"\b([A-Z]{1,6}-[A-Z0-9]{1,8})\b.*?(\d{4}\.\d+)")
_TRUE = {"是", "√", "✓", "✔", "已签", "已贴", "已勾选", "true", "True", "TRUE", "1", "y", "Y", "yes"}
_FALSE = {"否", "×", "✗", "未签", "未贴", "false", "False", "FALSE", "0", "n", "N", "no"}
_SPLIT = re.compile(r"[、，,;；/\n]+")


@dataclass
class Record:
    """One filled record and where its values stand in the file it came from."""

    file: str
    number: int
    data: dict[str, Any]
    kind: str = "json"            # json, xlsx, csv
    line: int = 0                 # JSON Lines / CSV: the line of the record
    cells: dict[Any, str] = field(default_factory=dict)  # xlsx: key or (key, row, column key) → "记录!C7"

    def where(self, path: tuple[Any, ...] = (), label: str = "") -> str:
        """The position of a value for a message: record number (or sheet and cell) and the field's label."""
        if self.kind == "xlsx":
            cell = self.cells.get(path) or self.cells.get(path[:1]) or self.cells.get(())
            if cell:
                return f"{cell}（{label}）" if label else cell
        head = f"第 {self.line} 行" if self.line else f"记录 {self.number}"
        return f"{head}·{label}" if label else head


def read_records(path: Path, display: str, form_code: str | None = None,
                 forms: dict[str, Any] | None = None) -> tuple[list[Record], list[Problem]]:
    """All records in one file and the problems met reading it (E710; E741 for a kind of file we do not read)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".json", ".jsonl", ".ndjson"):
            return _json(path.read_bytes(), display)
        if suffix == ".csv":
            return _csv(path.read_bytes(), display, form_code, forms or {})
        if suffix in (".xlsx", ".xlsm"):
            return _xlsx(path, display, forms or {})
    except OSError as exc:
        return [], [problem("E710", display, detail=f"打不开文件（{exc.strerror or exc}）", fix="确认文件存在、可以读取")]
    return [], [problem("E741", display, detail=f"“{suffix or path.name}”文件")]


# ---- JSON -----------------------------------------------------------------------------------------------------

def _text(raw: bytes, display: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Bad(problem("E710", display, detail="文件不是 UTF-8 编码",
                           fix="JSON 记录要存成 UTF-8（用记事本“另存为”，编码选 UTF-8）")) from exc


class _Bad(Exception):
    def __init__(self, p: Problem):
        super().__init__(p.format())
        self.problem = p


def _json(raw: bytes, display: str) -> tuple[list[Record], list[Problem]]:
    try:
        text = _text(raw, display)
    except _TooManyRows as exc:
        return [], [problem("E120", f"{display}:{exc.sheet}!A{exc.row}", sheet=exc.sheet, limit=MAX_XLSX_ROWS)]
    try:
        data = json.loads(text)
        items = data if isinstance(data, list) else [data]
        lines = [0] * len(items)
    except RecursionError:
        return [], [problem("E710", display, detail="JSON 嵌套太深", fix="一份记录是一层“键: 值”，表格是其中的列表")]
    except json.JSONDecodeError as exc:
        parsed = _json_lines(text)
        if parsed is None:
            return [], [problem("E710", display, detail=f"JSON 格式不对（第 {exc.lineno} 行第 {exc.colno} 列）",
                                fix="一份记录写成 {…}，多份写成 [{…}, {…}]，或者每行一份（JSON Lines）；"
                                    "注意引号、逗号和括号要成对，用英文标点")]
        items, lines = parsed
    except ValueError:  # e.g. a number with thousands of digits
        return [], [problem("E710", display, detail="JSON 里有写不下的数字",
                            fix="数字只写实际的值；身份证号、电话等号码要写成带引号的文字")]
    records, problems = [], []
    for i, (item, line) in enumerate(zip(items, lines), 1):
        if not isinstance(item, dict):
            r = Record(display, i, {}, line=line)
            problems.append(problem("E710", f"{display}:{r.where()}", detail="这一份记录不是“键: 值”的形式",
                                    fix="每份记录写成 {\"form\": \"WG-F04\", \"version\": \"…\", …}"))
            continue
        records.append(Record(display, i, item, line=line))
    return records, problems


def _json_lines(text: str) -> tuple[list[Any], list[int]] | None:
    """JSON Lines (one record per line), or None if any non-empty line is not JSON or there is only one."""
    items, lines = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except (ValueError, RecursionError):
                return None
            lines.append(n)
    return (items, lines) if len(items) > 1 else None


# ---- values from office files ------------------------------------------------------------------------------------

def cell_value(value: Any, schema: dict[str, Any]) -> Any:
    """A cell's value as the record schema wants it: dates as ISO text, 是/否 as booleans, lists split at 、."""
    from ..cnformats import normalize_date

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = schema.get("type")
    if isinstance(value, str):
        value = value.strip()
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip()
        return True if text in _TRUE else False if text in _FALSE else text
    if kind == "array":
        if isinstance(value, str):
            return [v.strip() for v in _SPLIT.split(value) if v.strip()]
        return [value]
    if schema.get("format") == "date":
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return normalize_date(str(value)) or str(value)
    if kind in ("integer", "number"):
        if isinstance(value, str):
            try:
                number = float(value.replace(",", ""))
            except ValueError:
                return value
            return int(number) if number.is_integer() else number
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value
    if kind == "string":
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, float) and value.is_integer():
            return _Digits(int(value)) if abs(value) >= 1e15 else str(int(value))
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, datetime):
            return value.date().isoformat()
    return value


class _Digits(str):
    """Digits Excel stored as a number of 15+ digits: the last digits are already lost."""


def _label_map(props: dict[str, Any], headers: dict[str, str]) -> dict[str, list[str]]:
    """Header text → the keys it may stand for: the key itself, the template's (unique) header, and the printed
    label; a label two fields share (a CSV from an older template) stands for them in order."""
    names: dict[str, list[str]] = {key: [key] for key in props}
    for key, header in headers.items():
        names.setdefault(_clean(header), [key])
    plain: dict[str, list[str]] = {}
    for key, s in props.items():
        plain.setdefault(_clean(s.get("title", "")), []).append(key)
    for title, keys in plain.items():
        names.setdefault(title, keys)
    return names


def _clean(header: Any) -> str:
    return re.sub(r"[\s*＊]+|（必填）|（敏感）", "", str(header or ""))


# ---- CSV ----------------------------------------------------------------------------------------------------------

def _decode_csv(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")  # what Excel and WPS in China save as “CSV”: GBK (a subset of GB18030)


def _csv(raw: bytes, display: str, form_code: str | None, forms: dict[str, Any]) -> tuple[list[Record], list[Problem]]:
    try:
        text = _decode_csv(raw)
    except UnicodeDecodeError:
        return [], [problem("E710", display, detail="认不出文件的编码（不是 UTF-8，也不是 GBK）",
                            fix="在 Excel 或 WPS 里另存为“CSV UTF-8（逗号分隔）”")]
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        return [], [problem("E710", display, detail=f"CSV 格式不对（{exc}）",
                            fix="在 Excel 或 WPS 里打开后重新另存为 CSV；一个格子里不要写太长的内容")]
    start = 0
    code = version = None
    if rows and rows[0]:
        m = _CODE.search(" ".join(rows[0][:3]))
        if m:
            code, version, start = m.group(1), m.group(2), 1
    code = code or form_code
    if code is None:
        return [], [problem("E711", display, what="不知道这些记录是哪张表格的",
                            fix="用 wugu records template 生成的表格填写（第一行写着表格代码和版本），"
                                "或者加上 --form WG-F04 这样的选项")]
    form = forms.get(code)
    if form is None:
        return [], [problem("E711", display, what=f"没有代码为“{code}”的表格", fix=_known(forms))]
    from .schema import field_schemas, record_headers

    props = field_schemas(form)
    names = _label_map(props, record_headers(form))
    while start < len(rows) and not any(c.strip() for c in rows[start]):
        start += 1
    if start >= len(rows):
        return [], []
    header = rows[start]
    keys: list[str | None] = []
    problems: list[Problem] = []
    for col, h in enumerate(header, 1):
        name = _clean(h)
        if not name or name == "序号":
            keys.append(None)
            continue
        key = next((k for k in names.get(name, []) if k not in keys), None)
        if key is None:
            fix = ("这一列和前面的一列是同一个栏目：删掉重复的一列" if name in names else
                   "表头要用表格上的栏目名称或键名；用 wugu records template 生成的表头")
            problems.append(problem("E713", f"{display}:第 {start + 1} 行第 {col} 列", key=echo(name, names),
                                    fix=fix))
        keys.append(key)
    records = []
    for n, row in enumerate(rows[start + 1:], start + 2):
        if not any(c.strip() for c in row):
            continue
        data: dict[str, Any] = {"form": code, "version": version or form.version}
        for key, value in zip(keys, row):
            if key is None:
                continue
            v = cell_value(value, props[key])
            if v is not None:
                data[key] = v
        records.append(Record(display, len(records) + 1, data, kind="csv", line=n))
    return records, problems


def _known(forms: dict[str, Any]) -> str:
    return "已有的表格代码：" + "、".join(sorted(forms)) if forms else "先在手册目录里运行，或用 --project 指明手册目录"


# ---- XLSX ---------------------------------------------------------------------------------------------------------

#: Limits on an Excel file before it is opened (a county's records fit in a few MB): the whole file unpacked, one
#: part of it unpacked, and how many times a large part may be smaller packed than unpacked (a "zip bomb").
MAX_XLSX_TOTAL = 50 * 1024 * 1024
MAX_XLSX_PART = 50 * 1024 * 1024
MAX_XLSX_RATIO = 200
#: Data rows read from one sheet (a county never has more records of one form) and columns read from a row.
MAX_XLSX_ROWS = 20_000
MAX_XLSX_COLUMNS = 256


def _xlsx(path: Path, display: str, forms: dict[str, Any]) -> tuple[list[Record], list[Problem]]:
    import zipfile

    from openpyxl import load_workbook

    too_big = _xlsx_size(path, display)
    if too_big:
        return [], too_big
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # damaged zip, bad or hostile XML (entities): this file fails, the batch goes on  # noqa: BLE001
        what = "里面的 XML 不规范，或带有 Excel 不会写的实体声明" if isinstance(exc, SyntaxError) else \
            "不是 zip 压缩包" if isinstance(exc, zipfile.BadZipFile) else f"{type(exc).__name__}"
        return [], [problem("E710", display, detail=f"不是有效的 Excel 文件（{what}）",
                            fix="用 Excel 或 WPS 打开后另存为“Excel 工作簿（*.xlsx）”，再检查")]
    try:
        return _workbook(wb, display, forms)
    except _TooManyRows as exc:
        return [], [problem("E120", f"{display}:{exc.sheet}!A{exc.row}", sheet=exc.sheet, limit=MAX_XLSX_ROWS)]
    except Exception as exc:  # a damaged or hand-made workbook: say so, never a traceback  # noqa: BLE001
        return [], [problem("E710", display, detail=f"Excel 文件内容损坏或不完整（{type(exc).__name__}）",
                            fix="用 Excel 或 WPS 打开后另存为“Excel 工作簿（*.xlsx）”，再检查")]
    finally:
        wb.close()


class _TooManyRows(Exception):
    def __init__(self, sheet: str, row: int):
        super().__init__(sheet, row)
        self.sheet, self.row = sheet, row


def _xlsx_size(path: Path, display: str) -> list[Problem]:
    """E119 when the Excel file unpacks to more than wugu reads (checked from the zip's directory, before any XML
    is parsed); [] otherwise (a damaged zip is left to the reader's own message)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []
    mb = 1024 * 1024
    total = sum(i.file_size for i in parts)
    for i in parts:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > MAX_XLSX_PART or (i.file_size > mb and ratio > MAX_XLSX_RATIO):
            what = f"其中的“{i.filename[:60]}”解压后有 {i.file_size / mb:.0f} MB" + (
                f"（压缩了 {ratio:.0f} 倍）" if ratio > MAX_XLSX_RATIO else "")
            return [problem("E119", display, what=what, limit=f"{MAX_XLSX_PART // mb} MB，压缩不超过 {MAX_XLSX_RATIO} 倍")]
    if total > MAX_XLSX_TOTAL:
        return [problem("E119", display, what=f"解压后一共有 {total / mb:.0f} MB", limit=f"{MAX_XLSX_TOTAL // mb} MB")]
    return []


def _rows(ws: Any, first: int = 3) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a sheet, at most :data:`MAX_XLSX_COLUMNS` wide; stops (E120) at data
    beyond :data:`MAX_XLSX_ROWS` data rows from row ``first`` on (raises :class:`_TooManyRows`)."""
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # WPS and some writers record wrong sheet dimensions
    last = max(first, 1) - 1 + MAX_XLSX_ROWS
    seen: Any = None
    for n, row in enumerate(ws.iter_rows(values_only=True, max_col=MAX_XLSX_COLUMNS), 1):
        if n > last:  # only look for data: the rows openpyxl makes up for a gap are one tuple, skipped at once
            if row is not seen and any(v not in (None, "") for v in row):
                raise _TooManyRows(str(getattr(ws, "title", "")), n)
            seen = row
            continue
        yield n, list(row)


def _workbook(wb: Any, display: str, forms: dict[str, Any]) -> tuple[list[Record], list[Problem]]:
    from openpyxl.utils import get_column_letter

    if META_SHEET not in wb.sheetnames or MAIN_SHEET not in wb.sheetnames:
        return [], [problem("E711", display, what="这个 Excel 文件不是 wugu 的记录模板（没有“_meta”和“记录”工作表）",
                            fix="用 wugu records template 生成模板，或从网站表格页下载 Excel 模板，再把数据填进去")]
    meta: dict[str, Any] = {}
    columns: dict[str, list[tuple[int, str]]] = {}
    for _, row in _rows(wb[META_SHEET]):
        if not row or row[0] is None:
            continue
        if row[0] == "column" and len(row) >= 4:
            columns.setdefault(str(row[1]), []).append((int(row[2]), str(row[3])))
        else:
            meta[str(row[0])] = row[1] if len(row) > 1 else None
    code, version = str(meta.get("form") or ""), str(meta.get("version") or "")
    form = forms.get(code)
    if form is None:
        return [], [problem("E711", f"{display}:{META_SHEET}!B1", what=f"没有代码为“{echo(code, forms)}”的表格",
                            fix=_known(forms))]
    from .schema import field_schemas

    props = field_schemas(form)
    first = int(meta.get("first_row") or 3)
    records: list[Record] = []
    by_serial: dict[Any, Record] = {}
    for n, row in _rows(wb[MAIN_SHEET], first):
        if n < first or not any(v not in (None, "") for v in row):
            continue
        data: dict[str, Any] = {"form": code, "version": version}
        cells: dict[Any, str] = {(): f"{MAIN_SHEET}!A{n}"}
        serial = row[0] if row else None
        for col, key in columns.get(MAIN_SHEET, []):
            if key not in props:
                continue
            cells[(key,)] = f"{MAIN_SHEET}!{get_column_letter(col)}{n}"
            if col > len(row):
                continue
            v = cell_value(row[col - 1], props[key])
            if v is not None:
                data[key] = v
        if set(data) == {"form", "version"}:
            continue  # only a 序号 was typed in
        record = Record(display, len(records) + 1, data, kind="xlsx", line=n, cells=cells)
        records.append(record)
        by_serial[serial if serial not in (None, "") else len(records)] = record
    problems: list[Problem] = []
    for sheet, cols in columns.items():
        if sheet == MAIN_SHEET or sheet not in wb.sheetnames:
            continue
        table = dict(cols).get(1, "")
        table_key = table.split("/", 1)[0]
        col_keys = [(c, k.split("/", 1)[1]) for c, k in cols if "/" in k]
        totals = props.get(table_key, {}).get("x-wugu", {}).get("total", False)
        for n, row in _rows(wb[sheet], first):
            if n < first or not any(v not in (None, "") for v in row[1:]):
                continue
            if totals and len(row) > 1 and str(row[1]).strip() == TOTAL:
                continue
            parent = row[0]
            if isinstance(parent, float) and parent.is_integer():
                parent = int(parent)
            record = by_serial.get(parent)
            if record is None:
                problems.append(problem("E711", f"{display}:{sheet}!A{n}",
                                        what=f"这一行的{PARENT}“{parent or '（空）'}”在“{MAIN_SHEET}”表里找不到",
                                        fix=f"{PARENT}要写“{MAIN_SHEET}”表第一列的序号，表示这一行属于哪份记录"))
                continue
            rows = record.data.setdefault(table_key, [])
            item: dict[str, Any] = {}
            for col, ckey in col_keys:
                if col <= len(row) and row[col - 1] not in (None, ""):
                    v = row[col - 1]
                    item[ckey] = str(int(v)) if isinstance(v, float) and v.is_integer() else (
                        v.date().isoformat() if isinstance(v, datetime) else v)
                record.cells[(table_key, len(rows), ckey)] = f"{sheet}!{get_column_letter(col)}{n}"
            record.cells[(table_key, len(rows))] = f"{sheet}!A{n}"
            rows.append(item)
    return records, problems

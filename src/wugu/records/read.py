"""Reading filled records from JSON (one record, an array, or JSON Lines), XLSX (from the templates) and CSV.

Every record remembers where each value came from, so a problem can point at ``记录 3·出生日期``, ``第 7 行·姓名``
(CSV) or ``记录!C7`` (XLSX). Office files are only read, never saved back: openpyxl drops the validations that Excel
and WPS store as extensions when it saves.
"""
from __future__ import annotations

import csv
import difflib
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
#: What separates the options of a multiple choice typed in one cell: 、，,;；/ and blanks (no option holds any).
_SPLIT = re.compile(r"[、，,;；/／\s]+")


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
                 forms: dict[str, Any] | None = None,
                 notices: list[str] | None = None) -> tuple[list[Record], list[Problem]]:
    """All records in one file and the problems met reading it (E710; E741 for a kind of file we do not read);
    what was left out on purpose (an extra column or sheet, a 合计 row) is added to ``notices``."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".json", ".jsonl", ".ndjson", ".csv"):
            size = path.stat().st_size
            if size > MAX_RECORDS_BYTES:  # said before the file is read: memory stays bounded
                mb = 1024 * 1024
                return [], [problem("E776", display, size=f"{size / mb:.0f} MB", limit=f"{MAX_RECORDS_BYTES // mb} MB")]
        if suffix in (".json", ".jsonl", ".ndjson"):
            return _json(path.read_bytes(), display)
        if suffix == ".csv":
            return _csv(path.read_bytes(), display, form_code, forms or {}, notices)
        if suffix in (".xlsx", ".xlsm"):
            return _xlsx(path, display, forms or {}, form_code, notices)
    except OSError as exc:
        return [], [problem("E710", display, detail=f"打不开文件（{exc.strerror or exc}）", fix="确认文件存在、可以读取")]
    return [], [problem("E741", display, detail=f"“{suffix or path.name}”文件")]


# ---- JSON -----------------------------------------------------------------------------------------------------
#: A JSON or CSV records file larger than this is not read (E776): a county's records of one form are a few MB.
MAX_RECORDS_BYTES = 30 * 1024 * 1024
#: Records read from one JSON or CSV file (E777), as many as data rows from one sheet of a workbook (E120).
MAX_RECORDS = 20_000


class _TooManyRecords(Exception):
    """More than :data:`MAX_RECORDS` records in one file."""


def _too_many(display: str) -> list[Problem]:
    return [problem("E777", display, limit=MAX_RECORDS)]


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
    except _Bad as exc:  # saved as GBK (Notepad's “ANSI”): this file's problem, the rest of the batch goes on
        return [], [exc.problem]
    try:
        items = _json_items(text)
        lines = [0] * len(items)
    except _TooManyRecords:
        return [], _too_many(display)
    except RecursionError:
        return [], [problem("E710", display, detail="JSON 嵌套太深", fix="一份记录是一层“键: 值”，表格是其中的列表")]
    except json.JSONDecodeError as exc:
        try:
            parsed = _json_lines(text)
        except _TooManyRecords:
            return [], _too_many(display)
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


def _json_items(text: str) -> list[Any]:
    """The records of a JSON text: the items of a top-level array, read one at a time so that a file of very many
    stops (:class:`_TooManyRecords`) after :data:`MAX_RECORDS` of them, or the one value the text is."""
    decoder = json.JSONDecoder()
    start = len(text) - len(text.lstrip())
    if not text.startswith("[", start):
        return [json.loads(text)]
    items: list[Any] = []
    ws = re.compile(r"[ \t\n\r]*")
    at = ws.match(text, start + 1).end()
    if text.startswith("]", at):
        at += 1
    else:
        while True:
            if len(items) >= MAX_RECORDS:
                raise _TooManyRecords
            item, at = decoder.raw_decode(text, at)
            items.append(item)
            at = ws.match(text, at).end()
            if text.startswith(",", at):
                at = ws.match(text, at + 1).end()
                continue
            if text.startswith("]", at):
                at += 1
                break
            raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
    if text[at:].strip():
        raise json.JSONDecodeError("Extra data", text, ws.match(text, at).end())
    return items


def _json_lines(text: str) -> tuple[list[Any], list[int]] | None:
    """JSON Lines (one record per line), or None if any non-empty line is not JSON or there is only one;
    :class:`_TooManyRecords` for more than :data:`MAX_RECORDS` records (counted before any is parsed)."""
    if sum(1 for line in text.splitlines() if line.strip()) > MAX_RECORDS:
        try:
            json.loads(text[:text.find("\n")] if "\n" in text else text)
        except (ValueError, RecursionError):
            return None  # not JSON Lines at all: the JSON error is said
        raise _TooManyRecords
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
        options = schema.get("items", {}).get("enum", ())
        if isinstance(value, str):
            if value in options:
                return [value]  # one option (should an option ever hold a separator)
            return [short_option(v.strip(), options) for v in _SPLIT.split(value) if v.strip()]
        return [value]
    if isinstance(value, str) and "enum" in schema:
        return short_option(value, schema["enum"])
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


def short_option(value: str, options: Any) -> str:
    """An option with an explanation (“无：情况平稳”) typed as its first words (“无”): the option, when only one
    starts so; anything else as typed."""
    if value in options:
        return value
    hits = [o for o in options if isinstance(o, str) and re.split(r"[：:]", o, 1)[0].strip() == value]
    return hits[0] if len(hits) == 1 else value


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
    return re.sub(r"[\s*＊※]+|（必填）|（敏感）", "", str(header or ""))


# ---- CSV ----------------------------------------------------------------------------------------------------------

def _decode_csv(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")  # what Excel and WPS in China save as “CSV”: GBK (a subset of GB18030)


def _form_by_headers(header: list[str], forms: dict[str, Any]) -> str | None:
    """The one form whose headers a CSV's header row is (most of its cells are that form's column names), if any."""
    from .schema import field_schemas, record_headers

    cells = [_clean(h) for h in header if _clean(h) and _clean(h) != "序号"]
    scores = []
    for code, form in forms.items():
        names = _label_map(field_schemas(form), record_headers(form))
        scores.append((sum(1 for c in cells if c in names), code))
    scores.sort(reverse=True)
    if not scores or not cells:
        return None
    best, code = scores[0]
    second = scores[1][0] if len(scores) > 1 else 0
    return code if best >= max(3, 0.6 * len(cells)) and best > second else None


def _csv(raw: bytes, display: str, form_code: str | None, forms: dict[str, Any],
         notices: list[str] | None = None) -> tuple[list[Record], list[Problem]]:
    try:
        text = _decode_csv(raw)
    except UnicodeDecodeError:
        return [], [problem("E710", display, detail="认不出文件的编码（不是 UTF-8，也不是 GBK）",
                            fix="在 Excel 或 WPS 里另存为“CSV UTF-8（逗号分隔）”")]
    try:
        rows, numbers = _csv_rows(text)
    except _TooManyRecords as exc:
        return [], [problem("E777", f"{display}:第 {exc.args[0]} 行", limit=MAX_RECORDS)]
    except csv.Error as exc:
        return [], [problem("E710", display, detail=f"CSV 格式不对（{exc}）",
                            fix="在 Excel 或 WPS 里打开后重新另存为 CSV；一个格子里不要写太长的内容")]
    start = 0
    code = version = None
    if rows and numbers[0] == 1:
        m = _CODE.search(" ".join(rows[0][:3]))
        if m:
            code, version, start = m.group(1), m.group(2), 1
    code = code or form_code
    if code is None and rows:  # no title row: the headers may still say which form it is
        code = _form_by_headers(rows[0], forms)
        if code is not None and notices is not None:
            notices.append(f"提示：{display}:第一行没有写表格代码，按表头认作 {code} {forms[code].title}（不对时加 --form）")
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
            problems.append(problem("E713", f"{display}:第 {numbers[start]} 行第 {col} 列", key=echo(name, names),
                                    fix=fix))
        keys.append(key)
    records = []
    for n, row in zip(numbers[start + 1:], rows[start + 1:]):
        if len(records) >= MAX_RECORDS:
            return [], [problem("E777", f"{display}:第 {n} 行", limit=MAX_RECORDS)]
        data: dict[str, Any] = {"form": code, "version": version or form.version}
        for key, value in zip(keys, row):
            if key is None:
                continue
            v = cell_value(value, props[key])
            if v is not None:
                data[key] = v
        records.append(Record(display, len(records) + 1, data, kind="csv", line=n))
    return records, problems


def _csv_rows(text: str) -> tuple[list[list[str]], list[int]]:
    """The rows of a CSV that hold anything, and their row numbers; :class:`_TooManyRecords` (with the row number)
    past :data:`MAX_RECORDS` of them (blank rows are not kept: a file of blank lines costs no memory)."""
    rows: list[list[str]] = []
    numbers: list[int] = []
    for n, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if any(c.strip() for c in row):
            if len(rows) > MAX_RECORDS + 2:  # a title row and a header row above the records
                raise _TooManyRecords(n)
            rows.append(row)
            numbers.append(n)
    return rows, numbers


def _known(forms: dict[str, Any]) -> str:
    return "已有的表格代码：" + "、".join(sorted(forms)) if forms else "先在手册目录里运行，或用 --project 指明手册目录"


# ---- XLSX ---------------------------------------------------------------------------------------------------------
# Columns are found by their header text (the template's headers; spaces, the required mark * and the sensitive mark
# ※ do not matter), never by position: an office may move, insert or delete columns. The hidden _meta sheet says
# which form and version the workbook is; without it (a workbook of the office's own) the title row or ``--form`` does.

#: Limits on an Excel file before it is opened (a county's records fit in a few MB): the whole file unpacked, one
#: part of it unpacked, and how many times a large part may be smaller packed than unpacked (a "zip bomb").
MAX_XLSX_TOTAL = 50 * 1024 * 1024
MAX_XLSX_PART = 50 * 1024 * 1024
MAX_XLSX_RATIO = 200
#: Data rows read from one sheet (a county never has more records of one form) and columns read from a row.
MAX_XLSX_ROWS = 20_000
MAX_XLSX_COLUMNS = 256


#: The other sheets of a template: the choice lists, the instructions and the form's identity.
LISTS_SHEET = "_lists"
GUIDE_SHEET = "填表说明"
_TOTAL_ROW = re.compile(r"^(?:合计|小计|总计)[:：]?$")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3}[0-9]+:[A-Z]{1,3}[0-9]+)"')
_TEMPLATE_FIX = "用 wugu records template 生成的模板（或网站表格页下载的 Excel 模板）填写，表头不要改动"


def is_total_row(values: list[Any]) -> bool:
    """A 合计/小计/总计 row: one of its first two filled cells says so (a sum an office adds under its records, or the
    total row wugu writes under a table's rows). Derived from the rows above, so never read as a record."""
    filled = [v for v in values[:3] if v not in (None, "")]
    return any(isinstance(v, str) and _TOTAL_ROW.match(re.sub(r"\s+", "", v)) for v in filled[:2])


def _xlsx(path: Path, display: str, forms: dict[str, Any], form_code: str | None = None,
          notices: list[str] | None = None) -> tuple[list[Record], list[Problem]]:
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
        return _Workbook(wb, display, forms, notices if notices is not None else []).read(form_code)
    except _TooManyRows as exc:
        return [], [problem("E120", f"{display}:{exc.sheet}!A{exc.row}", sheet=exc.sheet, limit=MAX_XLSX_ROWS)]
    except Exception as exc:  # a damaged or hand-made workbook: say so, never a traceback  # noqa: BLE001
        return [], [problem("E710", display, detail=f"Excel 文件内容损坏或不完整（{type(exc).__name__}）",
                            fix="用 Excel 或 WPS 打开后另存为“Excel 工作簿（*.xlsx）”，再检查")]
    finally:
        wb.close()


def holds_records(path: Path) -> bool:
    """Whether an Excel file has anything typed below the header rows of its data sheets (records an office filled
    in), or cannot be read as a workbook at all — either way not to be overwritten by a fresh template."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — not a workbook we can read: keep it
        return True
    try:
        return any(_filled(row) for ws in wb.worksheets if ws.title not in (META_SHEET, LISTS_SHEET, GUIDE_SHEET)
                   for n, row in _rows(ws) if n > 2)
    except _TooManyRows:
        return True
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
    blank = 0  # rows past the limit whose cells hold empty text: as many again and the sheet is not read further
    for n, row in enumerate(ws.iter_rows(values_only=True, max_col=MAX_XLSX_COLUMNS), 1):
        if n > last:  # only look for data: the rows openpyxl makes up for a gap are one tuple, skipped at once
            if row is not seen and any(v is not None for v in row):
                blank += 1
                if blank > MAX_XLSX_ROWS or any(v not in (None, "") for v in row):
                    raise _TooManyRows(str(getattr(ws, "title", "")), n)
            seen = row
            continue
        yield n, list(row)


def _merged(ws: Any) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a sheet as ``(min_col, min_row, max_col, max_row)``; a read-only sheet does not parse
    them, so they are read from the sheet's XML."""
    from openpyxl.utils import range_boundaries

    if hasattr(ws, "merged_cells"):
        return [(r.min_col, r.min_row, r.max_col, r.max_row) for r in ws.merged_cells.ranges]
    with ws._get_source() as src:  # noqa: SLF001 — openpyxl keeps the sheet's XML there
        xml = src.read()
    return [tuple(range_boundaries(m.decode())) for m in _MERGE.findall(xml)]  # type: ignore[misc]


def _old_label(header: Any, label: str) -> bool:
    """Whether a header cell may be an older wording of ``label`` (read at the column the template put it in):
    words, like the label — never a date, a number, a tick, an option or anything with a run of digits, which is a
    record typed (or pasted one row too high) over the header."""
    if not isinstance(header, str):
        return False
    text = _clean(header)
    if not text or text in _TRUE or text in _FALSE or re.search(r"\d{3}", text) or len(text) > 30:
        return False
    now = _clean(label)
    return len(text) >= 2 and (now in text or text in now) or difflib.SequenceMatcher(None, text, now).ratio() >= 0.5


def _spans(rows: list[int]) -> str:
    """Row numbers as runs: ``第 9–52 行``, ``第 9、11、14–20 行`` (at most six runs)."""
    runs: list[list[int]] = []
    for n in rows:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    text = "、".join(f"{a}–{b}" if b > a else str(a) for a, b in runs[:6])
    return f"第 {text} 行" + ("等" if len(runs) > 6 else "")


def _looks_like_data(header: Any, options: frozenset[str] = frozenset()) -> bool:
    """A header cell holding what a record holds: a date, a number, a tick, one character, one of the form's
    options (男, 小学 …), or a run of digits."""
    if not isinstance(header, str):
        return True
    text = _clean(header)
    return len(text) <= 1 or text in _TRUE or text in _FALSE or text in options or bool(re.search(r"\d{3}", text))


def _head_texts(ws: Any) -> set[str]:
    """The texts of a sheet's first two rows (its title and header row): two sheets sharing them are copies."""
    out: set[str] = set()
    for n, row in _rows(ws):
        if n > 2:
            break
        out |= {str(v).strip() for v in row if v not in (None, "")}
    return out


def _filled(row: list[Any]) -> bool:
    return any(v not in (None, "") for v in row)


@dataclass
class _Sheet:
    """One sheet's rows, its header row and which key each column holds."""

    name: str
    rows: list[list[Any]]
    header: int = 0                                 # 1-based row of the headers
    keys: dict[int, str] = field(default_factory=dict)  # 1-based column → key
    skip: set[int] = field(default_factory=set)     # rows not to read (inside a merge across columns)

    def cell(self, col: int, row: int) -> str:
        from openpyxl.utils import get_column_letter

        return f"{self.name}!{get_column_letter(col)}{row}"


class _Workbook:
    """Reads the records of one workbook by header text, noting what it leaves out (extra columns and sheets,
    合计 rows) and saying exactly which cell to change when the headers do not fit the form."""

    def __init__(self, wb: Any, display: str, forms: dict[str, Any], notices: list[str]):
        self.wb, self.display, self.forms, self.notices = wb, display, forms, notices
        self.problems: list[Problem] = []
        self.positions: dict[int, str] = {}  # _meta: the column the template put each key of “记录” in
        self.form: Any = None  # the form the workbook is for, once known
        self.options: frozenset[str] = frozenset()  # its options (a header holding one is a record's value)

    def note(self, text: str) -> None:
        self.notices.append(f"提示：{self.display}:{text}")

    def fail(self, code: str, at: str = "", **args: Any) -> None:
        self.problems.append(problem(code, f"{self.display}:{at}" if at else self.display, **args))

    # -- which form, which sheets --

    def _meta(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The _meta values and the table sheets it names (sheet → table key)."""
        meta: dict[str, Any] = {}
        tables: dict[str, str] = {}
        for _, row in _rows(self.wb[META_SHEET]):
            if not row or row[0] is None:
                continue
            if row[0] == "column" and len(row) >= 4:
                if str(row[1]) != MAIN_SHEET and str(row[2]) in ("1", "1.0"):
                    tables[str(row[1])] = str(row[3])
                elif str(row[1]) == MAIN_SHEET and isinstance(row[2], (int, float)):
                    self.positions[int(row[2])] = str(row[3])
            else:
                meta[str(row[0])] = row[1] if len(row) > 1 else None
        return meta, tables

    def read(self, form_code: str | None) -> tuple[list[Record], list[Problem]]:
        names = self.wb.sheetnames
        has_meta = META_SHEET in names
        if not any(_filled(r) for name in names for _, r in _rows(self.wb[name])):
            self._empty(names, form_code)
            return [], self.problems
        meta, tables = self._meta() if has_meta else ({}, {})
        code, version = str(meta.get("form") or ""), str(meta.get("version") or "")
        helpers = {META_SHEET, LISTS_SHEET, GUIDE_SHEET}
        if not has_meta:
            found = self._title_code()
            code, version = found if found else (form_code or "", "")
            if not code:
                self.fail("E711", what="不知道这个 Excel 文件里是哪张表格的记录（没有模板的“_meta”工作表，第一行也没写表格代码）",
                          fix="用 wugu records template 生成的模板填写；自己做的表格，第一行写上表格代码和版本"
                              "（如“WG-F04 孤困儿童调查表（2026.1 版）”），或者加上 --form WG-F04 这样的选项")
                return [], self.problems
        form = self.forms.get(code)
        if form is None:
            self.fail("E711", f"{META_SHEET}!B1" if has_meta else "", what=f"没有代码为“{code}”的表格",
                      fix=_known(self.forms))
            return [], self.problems
        version = version or form.version
        self.form = form
        self.options = frozenset(c for f in form.fields for c in (getattr(f, "choices", None) or ()))
        if not has_meta:  # table sheets of a workbook of the office's own: named like the template's
            tables = {re.sub(r"[\[\]:*?/\\]", "", f.label)[:28]: f.key for f in form.fields if f.type == "table"}
        main = self._main_sheet(names, helpers | set(tables))
        if main is None:
            return [], self.problems
        heads = _head_texts(self.wb[main])
        for other in names:
            if other not in helpers and other not in tables and other != main:
                if self.wb[other].sheet_state != "visible":
                    continue
                rows = [n for n, r in _rows(self.wb[other]) if _filled(r)]
                data = [n for n in rows if n > 2]
                if data and len(heads & _head_texts(self.wb[other])) >= 5:  # a copy of the record sheet (记录 (2))
                    shown = other if other.startswith(main) else echo(other, (main,))  # “记录 (2)”: Excel's own name
                    self.fail("E770", f"{shown}!A{data[0]}", sheet=shown, main=main, count=len(data))
                elif rows:
                    self.note(f"工作表“{other}”不是这张表格模板里的，没有读取，里面的内容没有检查"
                              f"（记录要填在“{main}”工作表里）")
        before = len(self.problems)
        records, by_serial = self._records(main, form, code, version)
        if not records and not self.problems:
            self.note(f"“{main}”工作表的表头下面没有记录（第 3 行起是空的）：交来的是空白模板吗？"
                      "记录要从表头下面一行起填写，一行一份")
        if not records and len(self.problems) > before:
            return records, self.problems  # the record sheet could not be read: its tables' rows belong to nothing
        for sheet, key in tables.items():
            if sheet in names:
                self._table_rows(sheet, form, key, by_serial)
        return records, self.problems

    def _empty(self, names: list[str], form_code: str | None) -> None:
        """E767: a workbook with nothing in any cell (a new workbook, or everything deleted)."""
        form = self.forms.get(form_code or "")
        sheets = "、".join(f"“{n}”" for n in names[:4]) + ("等工作表" if len(names) > 4 else "工作表")
        code = form.code if form else "WG-F04（换成要交的表格代码）"
        self.fail("E767", sheets=sheets,
                  fix=f"请用 wugu records template {code} 生成的模板（或网站表格页下载的 Excel 模板）填写："
                      f"记录填在“{MAIN_SHEET}”工作表，第 2 行是表头，第 3 行起一行一份记录；"
                      "填好后保存（WPS 里选“Excel 工作簿（*.xlsx）”）再检查")

    def _title_code(self) -> tuple[str, str] | None:
        """The form code and version written in the first row of the first sheet (as the template's title row)."""
        for _, row in _rows(self.wb.worksheets[0]):
            m = _CODE.search(" ".join(str(v) for v in row[:3] if v is not None))
            return (m.group(1), m.group(2)) if m else None
        return None

    def _main_sheet(self, names: list[str], others: set[str]) -> str | None:
        """The sheet that holds the records: “记录”, or the only data sheet there is (renamed, e.g. to “西镇”)."""
        if MAIN_SHEET in names:
            return MAIN_SHEET
        candidates = [n for n in names if n not in others and self.wb[n].sheet_state == "visible"]
        if len(candidates) == 1:
            if META_SHEET in names:
                self.note(f"没有“{MAIN_SHEET}”工作表，按唯一的数据工作表“{candidates[0]}”读取记录"
                          f"（模板里这张表叫“{MAIN_SHEET}”）")
            return candidates[0]
        listed = "、".join(f"“{echo(n, (MAIN_SHEET, 'Sheet1', 'Sheet2'))}”" for n in candidates[:6]) or "（没有）"  # a sheet per child
        self.fail("E711", what=f"找不到填记录的工作表“{MAIN_SHEET}”：这个文件的数据工作表有 {listed}",
                  fix=f"把填记录的那张工作表改回“{MAIN_SHEET}”（右键工作表标签 → 重命名），其他的另存到别的文件")
        return None

    # -- headers --

    def _load(self, name: str, names: dict[str, list[str]], last_head: int = 10) -> _Sheet:
        """A sheet's rows, its header row (among the first rows, the one naming most columns) and merged cells."""
        sheet = _Sheet(name, [row for _, row in _rows(self.wb[name])])
        best = 0
        for n, row in enumerate(sheet.rows[:last_head], 1):
            score = sum(1 for v in row if v is not None and _clean(v) in names)
            if score > best:
                sheet.header, best = n, score
        return sheet

    def _merges(self, sheet: _Sheet, labels: dict[str, str]) -> None:
        """Merged cells below the headers: down one column (a township written once for several rows) each row
        gets the value; across columns the values cannot be told apart (an error), unless on a 合计 row."""
        for c1, r1, c2, r2 in _merged(self.wb[sheet.name]):
            if r2 <= sheet.header:
                continue
            r1 = max(r1, sheet.header + 1)
            rows = sheet.rows
            while len(rows) < r2:
                rows.append([])
            if c1 == c2:
                top = rows[r1 - 1][c1 - 1] if c1 <= len(rows[r1 - 1]) else None
                for r in range(r1 + 1, r2 + 1):
                    rows[r - 1] += [None] * (c1 - len(rows[r - 1]))
                    rows[r - 1][c1 - 1] = top
                if top not in (None, ""):
                    label = labels.get(sheet.keys.get(c1, ""), "")
                    self.note(f"{sheet.cell(c1, r1)}:{sheet.cell(c1, r2).split('!')[1]} 是合并的单元格"
                              + (f"（{label}）" if label else "") + "，已按每一行都填了这个值读取；"
                              "最好取消合并、每行分别填写")
            elif not all(is_total_row(rows[r - 1]) for r in range(r1, r2 + 1)):
                span = f"{sheet.cell(c1, r1)}:{sheet.cell(c2, r2).split('!')[1]}"
                self.fail("E763", span, range=span.split("!")[1])
                sheet.skip.update(range(r1, r2 + 1))

    def _columns(self, sheet: _Sheet, names: dict[str, list[str]], labels: dict[str, str],
                 required: set[str], first: str | None) -> bool:
        """Find each key's column by its header; False (and the problems said) when the headers do not fit."""
        if not sheet.header:
            form = self.form
            heads = ["序号", *labels.values()] if first is None else list(labels.values())
            expected = "、".join(f"“{h}”" for h in heads[:6]) + (f"等 {len(heads)} 栏" if len(heads) > 6 else "")
            what = ("前 10 行里没有一个认得出的表头" if any(_filled(r) for r in sheet.rows)
                    else "是空的（没有表头，也没有记录）")
            self.fail("E764", f"{sheet.name}!A2", sheet=sheet.name, what=what, expected=expected,
                      form=f"{form.code} {form.title}（{form.version} 版）",
                      fix=f"请用 wugu records template {form.code} 生成的模板（或网站表格页下载的 Excel 模板），"
                          "把记录复制过去；" + (f"或者把“{sheet.name}”工作表第 2 行的表头照模板改回，表头不要改动"
                                                 if what.startswith("前") else "记录填在表头下面，一行一份"))
            return False
        across = [(c1, c2) for c1, r1, c2, r2 in _merged(self.wb[sheet.name]) if c1 != c2 and r1 <= sheet.header <= r2]
        for c1, c2 in across:  # one header over two columns: which of them holds which field cannot be told
            span = f"{sheet.cell(c1, sheet.header)}:{sheet.cell(c2, sheet.header).split('!')[1]}"
            self.fail("E763", span, range=span.split("!")[1])
        if across:
            return False
        header = sheet.rows[sheet.header - 1]
        seen: dict[str, int] = {}
        unknown: list[tuple[int, str]] = []
        ok = True
        for col, h in enumerate(header, 1):
            name = _clean(h)
            if not name:
                if any(col <= len(r) and r[col - 1] not in (None, "") for r in sheet.rows[sheet.header:]):
                    unknown.append((col, ""))
                continue
            if col == 1 and first is None and name == "序号":
                continue
            keys = names.get(name)
            if not keys:
                unknown.append((col, h.strip() if isinstance(h, str) else str(h)))
                continue
            key = next((k for k in keys if k not in seen), None)
            if key is None:
                self.fail("E760", sheet.cell(col, sheet.header), header=str(h).strip()[:30],
                          other=sheet.cell(seen[keys[0]], sheet.header),
                          fix="两列中删掉多余的一列（或把它的表头改成它真正对应的栏目）；" + _TEMPLATE_FIX)
                ok = False
                continue
            seen[key] = col
        if first is None:  # a label changed since the template was made (keys stay): the column _meta names
            for col, text in list(unknown):
                key = self.positions.get(col)
                if text and key in labels and key not in seen and key not in names.get(_clean(text), ()) \
                        and _old_label(header[col - 1], labels[key]):
                    seen[key] = col
                    unknown.remove((col, text))
                    self.note(f"{sheet.cell(col, sheet.header)} 的表头“{text[:30]}”是旧模板的栏目名称（现在叫"
                              f"“{labels[key]}”），按模板记下的这一列读取；下次用新模板")
        missing = [k for k in labels if k not in seen and k != first]
        lost = [k for k in missing if k in required]
        if lost:
            self.fail("E762", sheet.cell(1, sheet.header), sheet=sheet.name,
                      missing="、".join(f"“{labels[k]}”" for k in lost[:8]) + ("等" if len(lost) > 8 else ""),
                      fix="把这几列加回来，表头照模板写（不要合并表头）；" + _TEMPLATE_FIX)
            ok = False
        elif missing:
            self.note(f"{sheet.name} 工作表没有这几列（选填栏目，按没填读取）："
                      + "、".join(f"“{labels[k]}”" for k in missing[:8]) + ("等" if len(missing) > 8 else ""))
        gone = {labels[k]: k for k in missing}
        for col, text in unknown:
            close = difflib.get_close_matches(_clean(text), [_clean(g) for g in gone], n=1, cutoff=0.5)
            if missing and text:
                hint = f"是不是“{next(g for g in gone if _clean(g) == close[0])}”？" if close else ""
                if _looks_like_data(header[col - 1], self.options):
                    hint = ("这一格像是一份记录的内容，不是栏目名称（粘贴记录时是不是高了一行、盖住了表头？"
                            "撤销粘贴，或从模板复制表头行换回来）；")
                self.fail("E761", sheet.cell(col, sheet.header), header=echo(text[:30], labels.values()),
                          fix=f"{hint}表头要和模板上的栏目名称一样；{_TEMPLATE_FIX}")
                ok = False
            else:
                self.note(f"{sheet.cell(col, sheet.header)} 这一列" + (f"“{echo(text[:30]) if _looks_like_data(header[col - 1], self.options) else text[:30]}”" if text else "没有表头")
                          + "不是这张表格的栏目，没有读取，里面的内容没有检查")
        if first is not None and first not in seen:
            self.fail("E762", sheet.cell(1, sheet.header), sheet=sheet.name, missing=f"“{labels.get(first, first)}”",
                      fix=f"第一列的表头写“{labels.get(first, first)}”，填这一行属于“{MAIN_SHEET}”表里哪份记录的序号")
            ok = False
        sheet.keys = {col: key for key, col in seen.items()}
        return ok

    # -- values --

    def _records(self, name: str, form: Any, code: str, version: str) -> tuple[list[Record], dict[Any, Record]]:
        from .schema import data_fields, field_schemas, record_headers

        tables = [f.label for f in form.fields if f.type == "table"]  # sheets whose rows name a record by its 序号
        props = field_schemas(form)
        labels = record_headers(form)
        names = _label_map(props, labels)
        for f in form.fields:  # headers of templates before statements had short names (cut at 12 characters)
            if f.type == "statement" and f.text and f.key in props:
                names.setdefault(_clean(f.text[:12]), [f.key])
        sheet = self._load(name, {**names, "序号": []})
        records: list[Record] = []
        by_serial: dict[Any, Record] = {}
        required = {f.key for f in data_fields(form) if f.required}
        if not self._columns(sheet, names, labels, required, None):
            return records, by_serial
        serial_col = 1 if sheet.header and _clean(sheet.rows[sheet.header - 1][0] if sheet.rows[sheet.header - 1]
                                                  else "") == "序号" else None
        self._merges(sheet, labels)
        totals: list[int] = []
        sparse: list[tuple[int, set[str], dict[str, Any], dict[Any, str], list[Any]]] = []

        def add(n: int, data: dict[str, Any], cells: dict[Any, str], row: list[Any]) -> None:
            record = Record(self.display, len(records) + 1, data, kind="xlsx", line=n, cells=cells)
            records.append(record)
            serial = row[0] if serial_col and row else None
            if isinstance(serial, float) and serial.is_integer():
                serial = int(serial)
            if serial not in (None, "") and serial in by_serial and tables:
                self.fail("E769", sheet.cell(1, n), serial=echo(serial), other=by_serial[serial].cells[()],
                          table="、".join(tables))
            by_serial.setdefault(serial if serial not in (None, "") else len(records), record)

        for n, row in enumerate(sheet.rows, 1):
            if n <= sheet.header or n in sheet.skip or not _filled(row):
                continue
            if is_total_row(row):
                totals.append(n)
                continue
            data: dict[str, Any] = {"form": code, "version": version}
            cells: dict[Any, str] = {(): sheet.cell(1, n)}
            for col, key in sheet.keys.items():
                cells[(key,)] = sheet.cell(col, n)
                if col <= len(row):
                    v = cell_value(row[col - 1], props[key])
                    if v is not None:
                        data[key] = v
            if set(data) == {"form", "version"}:
                continue  # only a 序号 was typed in
            typed = set(data) - {"form", "version"}
            if len(required) >= 4 and len(typed) <= 2 and len(typed & required) < len(required) / 2:
                sparse.append((n, typed, data, cells, row))  # a note, or a township dragged down, under records
                continue
            add(n, data, cells, row)
        if totals:
            where = "、".join(sheet.cell(1, n).split("!")[1] for n in totals[:5])
            self.note(f"{name}!{where} 是合计（小计）行，不是记录，没有读取；统计由 wugu records stats 计算")
        if sparse and not records:  # nothing but such rows: records only begun (a statistics table to sign)
            for n, _, data, cells, row in sparse:
                add(n, data, cells, row)
        elif sparse:
            cols = {k for _, typed, *_ in sparse for k in typed}
            order = list(labels)
            shown = [f"“{labels.get(k, k)}”" for k in sorted(cols, key=lambda k: order.index(k) if k in order else 0)][:3]
            self.fail("E768", sheet.cell(1, sparse[0][0]), sheet=name, count=len(sparse),
                      cols="、".join(shown) + ("等" if len(cols) > 3 else ""), rows=_spans([n for n, *_ in sparse]))
        return records, by_serial

    def _table_rows(self, name: str, form: Any, key: str, by_serial: dict[Any, Record]) -> None:
        from .schema import field_schemas

        table_key = key.split("/", 1)[0]
        f = next((x for x in form.fields if x.key == table_key), None)
        if f is None:
            return
        labels = {PARENT: PARENT, **{c.key: f"{c.group}·{c.label}" if c.group else c.label for c in f.columns}}
        names: dict[str, list[str]] = {PARENT: [PARENT]}
        for c in f.columns:
            for alias in (c.key, c.label, labels[c.key]):
                names.setdefault(_clean(alias), [c.key])
        sheet = self._load(name, names)
        if not self._columns(sheet, names, labels, set(), PARENT):
            return
        self._merges(sheet, labels)
        totals = field_schemas(form).get(table_key, {}).get("x-wugu", {}).get("total", False)
        parent_col = next(c for c, k in sheet.keys.items() if k == PARENT)
        counted = []
        for n, row in enumerate(sheet.rows, 1):
            values = [v for c, v in enumerate(row, 1) if c != parent_col]
            if n <= sheet.header or n in sheet.skip or not _filled(values):
                continue
            if is_total_row(row):
                if not totals:
                    counted.append(n)
                continue
            parent = row[parent_col - 1] if parent_col <= len(row) else None
            if isinstance(parent, float) and parent.is_integer():
                parent = int(parent)
            record = by_serial.get(parent)
            if record is None:
                self.fail("E711", sheet.cell(parent_col, n),
                          what=f"这一行的{PARENT}“{parent or '（空）'}”在“{MAIN_SHEET}”表里找不到",
                          fix=f"{PARENT}要写“{MAIN_SHEET}”表第一列的序号，表示这一行属于哪份记录")
                continue
            rows = record.data.setdefault(table_key, [])
            item: dict[str, Any] = {}
            for col, ckey in sheet.keys.items():
                if ckey == PARENT:
                    continue
                v = row[col - 1] if col <= len(row) else None
                if v not in (None, ""):
                    item[ckey] = str(int(v)) if isinstance(v, float) and v.is_integer() else (
                        v.date().isoformat() if isinstance(v, datetime) else v)
                record.cells[(table_key, len(rows), ckey)] = sheet.cell(col, n)
            record.cells[(table_key, len(rows))] = sheet.cell(parent_col, n)
            record.cells.setdefault((table_key,), f"{name}!A{n}")  # a rule on the whole table: its first row
            rows.append(item)
        if counted:
            self.note(f"{name}!" + "、".join(sheet.cell(1, n).split("!")[1] for n in counted[:5])
                      + " 是合计（小计）行，没有当作表格的一行读取")

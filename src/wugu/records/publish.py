"""What the site publishes of the forms kit (no records, ever): each form's record schema and its Excel template;
and the guard that stops ``wugu build`` when a filled record lies where it would be published or committed."""
from __future__ import annotations

import hashlib
import json
import re
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from .. import __version__, paths
from ..errors import Problem, problem
from ..model import Form, Handbook
from ..project import display_path, walk
from .read import _CODE
from .schema import data_fields, field_schemas, record_schema
from .xlsx import write_workbook

_TYPE_NAMES = {"text": "文字", "longtext": "多行文字", "date": "日期", "signdate": "日期", "number": "数字",
               "choice": "单选", "multichoice": "多选", "yesno": "是/否", "signature": "已签名（是/否）",
               "photo": "已贴照片（是/否）", "statement": "已勾选（是/否）", "table": "表格（多行）"}
_FORMAT_NAMES = {"id-number": "身份证号", "mobile": "手机号", "phone": "电话"}


def data_dictionary(form: Form) -> list[dict[str, Any]]:
    """One row per record property: key, label, type, required, sensitive (table columns as ``table.column``)."""
    required = set(record_schema(form)["required"])
    rows = []
    for key, s in field_schemas(form).items():
        note = s["x-wugu"]
        kind = _FORMAT_NAMES.get(note.get("format", ""), _TYPE_NAMES.get(note["type"], note["type"]))
        if note.get("unit"):
            kind += f"（{note['unit']}）"
        rows.append({"key": key, "label": note["label"], "type": kind, "required": key in required,
                     "sensitive": bool(note.get("sensitive"))})
        if note["type"] == "table":
            for ckey, c in s["items"]["properties"].items():
                rows.append({"key": f"{key}[].{ckey}", "label": f"{note['label']}·{c['title']}", "type": "文字或数字",
                             "required": False, "sensitive": bool(c["x-wugu"]["sensitive"] or note.get("sensitive"))})
    return rows


def write_downloads(handbook: Handbook, downloads: Path, cache_dir: Path | None = None) -> list[Path]:
    """Write every form's record schema (``schemas/WG-F04.schema.json``) and Excel template (``WG-F04.xlsx``).
    ``cache_dir`` keeps the templates between builds (sealed, see :mod:`wugu.render.sealed`): a form that did not
    change is not written out by xlsxwriter again (about 0.45 s for the eleven base forms); the bytes are the same."""
    written = [path for form in handbook.forms for path in write_form_downloads(form, downloads, cache_dir)]
    if cache_dir is not None and Path(cache_dir).is_dir() and not Path(cache_dir).is_symlink():
        used = {_entry(cache_dir, form).name for form in handbook.forms}
        for old in Path(cache_dir).glob("*/*.xlsx"):  # templates of forms that changed or are gone
            if old.name not in used and not old.parent.is_symlink():
                old.unlink(missing_ok=True)
    return written


def _entry(cache_dir: Path, form: Form) -> Path:
    key = hashlib.sha256(f"{_code_hash()}\0{form!r}".encode()).hexdigest()
    return Path(cache_dir) / f"{key[:2]}/{key}.xlsx"


@cache
def _code_hash() -> str:
    """What a template depends on besides its form: this package's code, the escaping and the formats, xlsxwriter."""
    import xlsxwriter

    h = hashlib.sha256(f"{__version__}\0{xlsxwriter.__version__}".encode())
    here = Path(__file__).resolve().parent
    for path in [*sorted(here.glob("*.py")), here.parent / "escape.py", here.parent / "cnformats.py",
                 here.parent / "model.py"]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def write_form_downloads(form: Form, downloads: Path, cache_dir: Path | None = None) -> list[Path]:
    """Write one form's record schema and Excel template (they depend on the form alone)."""
    from ..render.sealed import read_entry, write_entry

    (downloads / "schemas").mkdir(parents=True, exist_ok=True)
    schema = downloads / paths.form_schema(form)
    schema.write_text(json.dumps(record_schema(form), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    target = downloads / paths.form_xlsx(form)
    if cache_dir is None:
        return [schema, write_workbook(form, target)]
    entry = _entry(cache_dir, form)
    key = entry.stem
    data = read_entry(entry, key, 64 * 1024 * 1024)
    if data is not None:
        target.write_bytes(data)
        return [schema, target]
    write_workbook(form, target)
    write_entry(entry, key, target.read_bytes())
    return [schema, target]


# ---- no records inside the published or committed folders ---------------------------------------------------

#: Folders of a project that are published (site/) or committed (content): a record file there is refused.
GUARDED = ("regulations", "norms", "forms", "packs", "vocab", "guides", "local", "site", "schemas")
_SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".xlsx", ".xlsm")
#: Old binary spreadsheets (Excel 97–2003, WPS): wugu cannot look inside, so they are not published (E526).
_OPAQUE = (".xls", ".et")
#: Files under site/ never read as text when looking for records (pictures, fonts, PDFs, office documents).
_BINARY = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svgz", ".ico", ".bmp", ".tif", ".tiff", ".heic",
                     ".woff", ".woff2", ".ttf", ".otf", ".eot", ".pdf", ".docx", ".pptx", ".odt", ".ods", ".odp",
                     ".zip", ".gz", ".mp3", ".mp4", ".webm", ".ogg", ".wav"})
_JSON_RECORD = re.compile(r'"form"\s*:\s*"[A-Z]{1,6}-[A-Z0-9]{1,8}"')


def _head_text(head: bytes) -> str:
    """The first part of a text file: UTF-8 (with or without BOM, maybe cut inside a character), else GB18030."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # cut off in the middle of the last character
            return head[:exc.start].decode("utf-8", "replace")
        return head.decode("gb18030", "replace")  # what Excel and WPS in China save as “CSV”


def is_record_file(path: Path, labels: set[str] = frozenset(), *, by_content: bool = False) -> bool:
    """True if the file holds filled records: JSON naming a form code, a wugu Excel template with data, or a CSV
    (TSV) whose first line names a form (or whose header uses at least three field labels). ``by_content``: any
    other text file counts too when it is a JSON document naming a form (``records.geojson``, ``a.json.txt``)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            with zipfile.ZipFile(path) as z:
                return 'name="_meta"' in z.read("xl/workbook.xml").decode("utf-8", "replace")
        with path.open("rb") as f:
            head = f.read(1 << 20)
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    text = _head_text(head)
    if suffix in (".csv", ".tsv"):
        lines = text.splitlines()[:2]
        if lines and _CODE.search(lines[0]):
            return True
        cells = {c.strip().strip('"').rstrip("* ") for line in lines for c in re.split(r"[,\t]", line)}
        return len(cells & labels) >= 3
    if suffix in _SUFFIXES or (by_content and text.lstrip()[:1] in ("{", "[")):
        return bool(_JSON_RECORD.search(text))
    return False


def record_files_inside(root: Path, handbook: Handbook, docs: Path | None = None) -> list[Problem]:
    """E742 for every record file inside the content folders or the published docs folder (``site/``, or the
    ``docs_dir`` of ``mkdocs.yml``: ``docs``, read from it when not given) of the project at ``root``; E526 for an
    old binary spreadsheet in the docs folder (it cannot be looked into, so it is not published)."""
    labels = {f.label for form in handbook.forms for f in data_fields(form) if f.label}
    found = []
    from ..validate.siteconfig import project_docs

    docs = Path(docs) if docs is not None else project_docs(Path(root))
    folders = [(docs, True)] + [(root / name, False) for name in GUARDED if name != "site"]
    seen: set[Path] = set()
    for folder, site in folders:
        if not folder.is_dir() or folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        name = folder.name
        for path in sorted(Path(d, n) for d, _dirs, names in walk(folder) for n in names):
            suffix = path.suffix.lower()
            if path.is_symlink() or not path.is_file():
                continue
            if site and suffix in _OPAQUE:
                found.append(problem("E526", display_path(path), file=display_path(path)))
            elif (suffix in _SUFFIXES or site and suffix not in _BINARY) and \
                    is_record_file(path, labels, by_content=site):
                where = f"网站页面目录 {name}/" if site else f"手册内容目录 {name}/"
                found.append(problem("E742", display_path(path), where=where))
    return found

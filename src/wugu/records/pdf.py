"""Filled records as PDFs: each record in the same A4 layout as the blank form, values in the writing space,
every page marked 内部资料　注意保密. One PDF per record, or all in one file.

The values are prepared here (dates as 年月日, choices as the ticked options); the layout is the PDF renderer's
own form template (:meth:`wugu.render.pdf.PdfBuilder.filled_bytes`). Nothing is cached: records are personal data.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ..model import Form, Handbook
from .files import refuse_overwrite, write_private
from .schema import data_fields


def _date(value: Any, month_only: bool = False) -> str:
    try:
        d = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{d.year} 年 {d.month} 月" + ("" if month_only else f" {d.day} 日")


def display_values(form: Form, record: dict[str, Any]) -> dict[str, Any]:
    """What each field shows: text as written, dates as 年月日, choices as the ticked options, tables as rows."""
    out: dict[str, Any] = {}
    for f in data_fields(form):
        v = record.get(f.key)
        if f.type in ("choice", "multichoice"):
            if v in (None, [], ""):
                continue
            selected = v if isinstance(v, list) else [v]
            out[f.key] = {"selected": [str(s) for s in selected], "other": record.get(f"{f.key}_other")}
        elif f.type == "yesno":
            if isinstance(v, bool):
                out[f.key] = {"selected": "是" if v else "否", "detail": record.get(f"{f.key}_detail")}
        elif f.type == "table":
            rows = [{k: str(x) for k, x in row.items()} for row in v or [] if isinstance(row, dict)]
            if rows:
                total = {}
                if f.total:
                    for c in f.columns[1:]:
                        nums = [_number(row.get(c.key)) for row in rows]
                        if any(n is not None for n in nums):
                            total[c.key] = str(sum(n or 0 for n in nums))
                out[f.key] = {"rows": rows, "total": total}
        elif f.type in ("date", "signdate"):
            if v:
                out[f.key] = _date(v, month_only=f.label.endswith("月份"))
        elif f.type in ("signature", "photo", "statement"):
            if v is True:
                out[f.key] = True
        elif v not in (None, ""):
            out[f.key] = str(v)
    return out


def _number(v: Any) -> int | None:
    text = str(v or "").rstrip("＊*").strip()
    return int(text) if text.isdigit() else None


def _join(pdfs: list[tuple[str, bytes]]) -> bytes:
    """One PDF from several, one bookmark per record."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for title, data in pdfs:
        reader = PdfReader(io.BytesIO(data))
        writer.append(reader, outline_item=title, import_outline=False)
        if writer.metadata is None or "/Keywords" not in writer.metadata:  # the records' own: marked as a record
            writer.add_metadata({k: v for k, v in (reader.metadata or {}).items() if isinstance(v, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_name(source: str, code: str, number: int) -> str:
    """The file name of one record's PDF: the source file's stem, the form code and the record's number in that
    file (``东镇-WG-F04-0003.pdf``), so the PDFs of two townships' files never share a name."""
    import re

    from ..escape import file_name

    stem = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "_", Path(source).stem).strip(" .")[:60] or "records"
    try:
        return file_name(f"{stem}-{code}-{number:04d}.pdf" if number else f"{stem}-{code}.pdf")
    except ValueError:
        return f"{code}-{number:04d}.pdf" if number else f"{code}.pdf"


def combined_name(source: str) -> str:
    """The name (without .pdf) of the one PDF of all records of one source file: ``东镇-合并``, so the combined PDFs
    of two townships' files never share a name."""
    return pdf_name(source, "合并", 0)[:-4]


def render_records(handbook: Handbook, items: list[tuple[dict[str, Any], Form]], out_dir: Path, *,
                   combined: bool = False, name: str = "records", names: list[str] | None = None,
                   force: bool = True) -> list[Path]:
    """Write filled PDFs (owner-only) into ``out_dir``: one per record named ``names[i]`` (else
    ``<code>-<n>.pdf``), or ``<name>.pdf`` all in one. Without ``force``, a file already there is a usage error
    (E765) and nothing is written."""
    from ..render.pdf import PdfBuilder

    one = combined or len(items) == 1 and name not in ("records",) and names is None
    targets = [out_dir / f"{name}.pdf"] if one else [
        out_dir / (names[n - 1] if names else f"{form.code}-{n:04d}.pdf") for n, (_, form) in enumerate(items, 1)]
    if not force:
        refuse_overwrite(targets, out_dir)
    builder = PdfBuilder(handbook, cache_dir=None)
    pdfs = [(f"{form.code} 第 {n} 份", builder.filled_bytes(form, display_values(form, record)))
            for n, (record, form) in enumerate(items, 1)]
    if one:
        data = pdfs[0][1] if len(pdfs) == 1 else _join(pdfs)
        return [write_private(targets[0], data)]
    return [write_private(target, data) for target, (_, data) in zip(targets, pdfs)]

"""Names of generated pages and files, in one place so the site, the PDFs and the QR codes agree."""
from __future__ import annotations

from pathlib import Path

from .escape import file_name
from .model import Form, Guide, NormSection, Pack, Regulation

#: Folder of the built site that holds every PDF.
DOWNLOADS = "downloads"
#: Keywords wugu writes into the metadata of the PDFs that must never be published (a filled record, an exam's
#: answer key): the check refuses a PDF that carries one in the docs folder, whatever its name.
FILLED_RECORD_PDF = "wugu-filled-record"
EXAM_KEY_PDF = "wugu-exam-key"
#: Where `wugu pdf` and `wugu build` keep rendered PDFs between runs, relative to the project root.
PDF_CACHE = "build/.cache/pdf"
#: Where `wugu build` keeps the forms' Excel templates between runs (sealed, like the PDFs).
XLSX_CACHE = "build/.cache/xlsx"


def pdf_cache(root: Path) -> Path | None:
    """The PDF cache folder of a project, or None (no cache) when a link lies on its way: a link committed to
    the repository (``build/.cache -> ~``) must not have the cache write or prune elsewhere."""
    from .project import link_on_path

    path = Path(root) / PDF_CACHE
    return None if link_on_path(path, root) is not None else path


def xlsx_cache(root: Path) -> Path | None:
    """The Excel template cache folder of a project, or None (see :func:`pdf_cache`)."""
    from .project import link_on_path

    path = Path(root) / XLSX_CACHE
    return None if link_on_path(path, root) is not None else path


def regulation_page(r: Regulation) -> str:
    """Markdown source path of a regulation's page, relative to the docs folder."""
    return f"regulations/{r.id}.md"


def norms_page(s: NormSection) -> str:
    """Markdown source path of a norm section's page (each norm has the anchor ``#<norm id>``)."""
    return f"norms/{s.id}.md"


def form_page(f: Form) -> str:
    """Markdown source path of a form's page."""
    return f"forms/{f.id}.md"


def form_fill_page(f: Form) -> str:
    """Markdown source path of a form's fill mode (在电脑上填写), beside its page."""
    return f"forms/{f.id}-fill.md"


def pack_page(p: Pack) -> str:
    """Markdown source path of a pack's page."""
    return f"packs/{p.id}.md"


def guide_page(g: Guide) -> str:
    """Markdown source path of a practice guide's page, e.g. ``guides/emergency.md``."""
    return f"guides/{g.id}.md"


def html_url(page: str) -> str:
    """The built page's URL relative to the site root (the site is built without directory URLs, for file://)."""
    return page[:-3] + ".html" if page.endswith(".md") else page


def form_pdf(f: Form) -> str:
    """File name of a form's PDF inside ``downloads/``, e.g. ``WG-F04.pdf``.

    Built from the form's code only (never from a title: titles are free text and two may be alike), and ASCII:
    Chinese file names come out garbled when a folder is zipped and sent over WeChat to a Windows PC. The title
    stays in the PDF's metadata and in the link text.
    """
    return file_name(f"{f.code}.pdf")


def pack_pdf(p: Pack) -> str:
    """File name of a pack's PDF inside ``downloads/``, e.g. ``pack-screening.pdf`` (ASCII, from the pack's id)."""
    return file_name(f"pack-{p.id}.pdf")


def guide_pdf(g: Guide) -> str:
    """File name of a practice guide's PDF inside ``downloads/``, e.g. ``guide-emergency.pdf`` (ASCII, from its id)."""
    return file_name(f"guide-{g.id}.pdf")


def form_xlsx(f: Form) -> str:
    """The form's Excel template inside ``downloads/``, e.g. ``WG-F04.xlsx``."""
    return file_name(f"{f.code}.xlsx")


def form_schema(f: Form) -> str:
    """The form's record schema inside ``downloads/``, e.g. ``schemas/WG-F04.schema.json``."""
    return "schemas/" + file_name(f"{f.code}.schema.json")

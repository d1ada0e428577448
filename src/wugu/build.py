"""``wugu build``: the handbook site with its PDFs, written safely (``wugu serve`` builds on it: see wugu.serve).

The site is built into a temporary folder and swapped in only when everything (pages, strict link checks, PDFs)
went well, so a failed build leaves the previous site untouched.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import paths
from .errors import WuguError, problem
from .model import Handbook
from .output import atomic_dir, check_output_dir
from .project import display_path

#: Default output folder and PDF cache, relative to the project folder.
OUT = Path("build") / "site"
#: A file every built site carries, so wugu only ever replaces a folder it made itself.
MARKER = ".wugu-site"

Echo = Callable[[str], Any]


@dataclass(frozen=True)
class BuildResult:
    """What ``wugu build`` made."""

    out_dir: Path
    pages: int
    pdfs: int | None  # None: PDFs were not made (switched off, or the PDF renderer is not available)
    site_seconds: float
    pdf_seconds: float
    live: Any = None  # wugu.render.sitelive.LiveSite: what ``wugu serve`` updates the site in place from


def _pdf_renderer() -> Callable[..., list[Path]]:
    """``wugu.render.pdf.build_pdfs``; a clear usage error if WeasyPrint or its system libraries are missing."""
    try:
        from .render.pdf import build_pdfs
    except ImportError as exc:
        raise WuguError([problem("E503", "wugu", detail=f"PDF 生成模块无法加载：{exc}",
                                 fix="运行 bash scripts/setup.sh 安装全部依赖后再试")]) from None
    return build_pdfs


def _missing_downloads(handbook: Handbook, downloads: Path) -> list[str]:
    names = [paths.form_pdf(f) for f in handbook.forms] + [paths.pack_pdf(p) for p in handbook.packs]
    names += [paths.guide_pdf(g) for g in handbook.printed_guides]
    return [n for n in names if not (downloads / n).is_file()]


def build_project(root: Path, handbook: Handbook, out: Path | None = None, *, pdf: bool = True,
                  echo: Echo = print) -> BuildResult:
    """Build the site (and the PDFs into its ``downloads/``) of a checked project; atomically replace ``out``."""
    from .render.sitebuild import DOCS_DIR, build_site

    root = Path(root).resolve()
    out = Path(out) if out is not None else root / OUT
    from .validate.siteconfig import project_docs

    check_output_dir(root, out, MARKER, "build/site",  # before resolving: links
                     keep_apart=[root / DOCS_DIR, project_docs(root)])
    out = out.resolve()
    from .records.publish import record_files_inside, write_downloads

    records = record_files_inside(root, handbook)  # filled records must never be published
    if records:
        raise WuguError(records)
    renderer = _pdf_renderer() if pdf else None
    note = "wugu 生成的手册网站。wugu build 每次会整个替换这个目录，请不要在里面放别的文件。"
    with atomic_dir(out, MARKER, note) as tmp:
        echo(f"生成网站：{len(handbook.regulations)} 项制度、{len(handbook.sections)} 部分服务规范、"
             f"{len(handbook.forms)} 张表格、{len(handbook.packs)} 个表格包……")
        site = build_site(root, handbook, tmp)
        echo(f"网站生成完成：{site.pages} 个页面，用时 {site.seconds:.1f} 秒")
        write_downloads(handbook, tmp / paths.DOWNLOADS, paths.xlsx_cache(root))  # schemas, Excel templates
        pdfs: int | None = None
        pdf_seconds = 0.0
        if renderer is not None:
            echo("生成 PDF 表格和表格包……")
            started = time.perf_counter()
            downloads = tmp / paths.DOWNLOADS
            downloads.mkdir(parents=True, exist_ok=True)
            made = renderer(handbook, downloads, cache_dir=paths.pdf_cache(root),
                            progress=lambda *args: echo("  " + " ".join(str(a) for a in args)))
            missing = _missing_downloads(handbook, downloads)
            if missing:
                raise WuguError([problem("E602", display_path(out / paths.DOWNLOADS), name=n) for n in missing])
            pdfs = len(made)
            pdf_seconds = time.perf_counter() - started
            echo(f"PDF 生成完成：{pdfs} 个文件，用时 {pdf_seconds:.1f} 秒")
    return BuildResult(out, site.pages, pdfs, site.seconds, pdf_seconds, site.live)

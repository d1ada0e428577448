"""``wugu build`` and ``wugu serve``: the handbook site with its PDFs, written safely, previewed live.

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
from .project import LOCAL, display_path

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
    return [n for n in names if not (downloads / n).is_file()]


def build_project(root: Path, handbook: Handbook, out: Path | None = None, *, pdf: bool = True,
                  echo: Echo = print) -> BuildResult:
    """Build the site (and the PDFs into its ``downloads/``) of a checked project; atomically replace ``out``."""
    from .render.sitebuild import DOCS_DIR, build_site

    root = Path(root).resolve()
    out = (Path(out) if out is not None else root / OUT).resolve()
    check_output_dir(root, out, MARKER, "build/site", keep_apart=[root / DOCS_DIR])
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
        write_downloads(handbook, tmp / paths.DOWNLOADS)  # record schemas and Excel templates (no records)
        pdfs: int | None = None
        pdf_seconds = 0.0
        if renderer is not None:
            echo("生成 PDF 表格和表格包……")
            started = time.perf_counter()
            downloads = tmp / paths.DOWNLOADS
            downloads.mkdir(parents=True, exist_ok=True)
            made = renderer(handbook, downloads, cache_dir=root / paths.PDF_CACHE,
                            progress=lambda *args: echo("  " + " ".join(str(a) for a in args)))
            missing = _missing_downloads(handbook, downloads)
            if missing:
                raise WuguError([problem("E602", display_path(out / paths.DOWNLOADS), name=n) for n in missing])
            pdfs = len(made)
            pdf_seconds = time.perf_counter() - started
            echo(f"PDF 生成完成：{pdfs} 个文件，用时 {pdf_seconds:.1f} 秒")
    return BuildResult(out, site.pages, pdfs, site.seconds, pdf_seconds)


# ---- serve ----------------------------------------------------------------------------------------------

def watched_paths(root: Path) -> list[Path]:
    """What ``wugu serve`` watches: the YAML content, local additions, hand-written pages, mkdocs.yml."""
    from .project import FOLDERS, GLOSSARY, PROFILE
    from .render.sitebuild import CONFIG_FILE, DOCS_DIR

    candidates = [root / PROFILE, root / GLOSSARY, root / CONFIG_FILE, root / DOCS_DIR, root / LOCAL,
                  *(root / f for f in FOLDERS)]
    return [p for p in candidates if p.exists()]


def _stop_on_sigterm() -> None:
    """End the preview on SIGTERM as on Ctrl+C, so that its temporary folder is removed."""
    import signal
    import threading

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


def _preview_server() -> type:
    from mkdocs.livereload import LiveReloadServer

    class PreviewServer(LiveReloadServer):
        """mkdocs' preview server, answering 404 (not 500) to URLs no file can have (``/%00``, bad UTF-8 …)."""

        def _serve_request(self, environ: dict[str, Any], start_response: Any) -> Any:
            raw = environ.get("PATH_INFO", "")
            path = raw.encode("latin-1", "replace").decode("utf-8", "replace")
            if "\ufffd" in path or any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
                return None
            try:
                return super()._serve_request(environ, start_response)
            except (ValueError, OSError):
                return None

    return PreviewServer


def _PreviewServer(**kwargs: Any) -> Any:  # noqa: N802 - built on first use (mkdocs' server imports a lot)
    return _preview_server()(**kwargs)


def serve_project(directory: str | Path, host: str = "127.0.0.1", port: int = 8000, *, pdf: bool = False,
                  echo: Echo = print, open_browser: bool = False) -> None:
    """Preview the site at ``http://host:port/``; rebuild and reload the browser when content changes.

    Every rebuild runs the check first; on errors the problem lines are printed and the last good site stays.
    Raises :class:`WuguError` if the first build fails.
    """
    import shutil
    import tempfile

    from .report import as_text
    from .validate import check

    root = Path(directory)
    serve_dir = Path(tempfile.mkdtemp(prefix="wugu-serve-")) / "site"

    def rebuild() -> bool:
        report = check(root)
        if report.handbook is None:
            echo(as_text(report))
            if report.exit_code == 2:
                raise WuguError(report.problems)
            return False
        try:
            build_project(report.root, report.handbook, serve_dir, pdf=pdf, echo=echo)
        except WuguError as exc:
            for p in exc.problems:
                echo(p.format())
            return False
        return True

    def builder(config: Any = None) -> None:  # called by the server's watcher thread on every change
        echo("检测到修改，重新生成……")
        try:
            if rebuild():
                echo("已更新，浏览器会自动刷新。")
            else:
                echo("有错误，网页仍是上一次成功生成的内容；改正后保存即可。")
        except Exception as exc:  # keep serving whatever went wrong; never a traceback
            echo(f"重新生成失败：{exc}")

    try:
        if not rebuild():
            raise WuguError([problem("E601", display_path(root), detail="第一次生成没有成功，不能开始预览",
                                     fix="按上面的提示改正后重新运行 wugu serve")])
        server = _PreviewServer(builder=builder, host=host, port=port, root=str(serve_dir), mount_path="/")
        for path in watched_paths(root.resolve()):
            server.watch(str(path))
        echo(f"预览地址：http://{host}:{port}/　改了 YAML 或页面会自动刷新；按 Ctrl+C 结束。")
        if not pdf:
            echo("预览时不生成 PDF，表格页上的下载链接打不开；需要时加 --pdf。")
        _stop_on_sigterm()
        try:
            server.serve(open_in_browser=open_browser)
        except KeyboardInterrupt:
            echo("预览已结束。")
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(serve_dir.parent, ignore_errors=True)

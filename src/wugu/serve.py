"""``wugu serve``: preview the handbook site, up to date within a second of every save.

On a change the project is checked again — a file whose bytes did not change is not parsed again
(:class:`wugu.validate.DocumentCache`) — and only what the change affects is made again:

- pages: :class:`wugu.render.sitelive.LiveSite` renders again the pages whose Markdown changed, with their search
  entries; a change to what every page shows (a page title, the navigation, ``wugu.yml``, the glossary,
  ``mkdocs.yml``, a hand-written page) builds the whole site, as ``wugu build`` does;
- data files: a changed form's record schema and Excel template;
- PDFs (``--pdf``): once the pages are shown, the PDF builder remakes what its content-keyed cache does not
  hold (a changed form: its PDF and the packs that print it); only PDFs whose bytes changed are replaced.

Bad content: the problem lines are printed and shown at the top of every page; the last good site stays.
"""
from __future__ import annotations

import html
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from . import paths
from .build import Echo, _missing_downloads, _pdf_renderer, build_project
from .errors import WuguError, problem
from .model import Handbook
from .project import LOCAL, display_path
from .validate import DocumentCache, Report, check

#: How often the preview looks for saved files (seconds; mkdocs' own default is 0.5).
POLL_SECONDS = 0.2
#: At most this many problem lines are shown on the page (all of them are printed in the terminal).
SHOWN_PROBLEMS = 30


def watched_paths(root: Path) -> list[Path]:
    """What ``wugu serve`` watches: the YAML content, local additions, hand-written pages, mkdocs.yml."""
    from .project import FOLDERS, GLOSSARY, PROFILE
    from .render.sitebuild import CONFIG_FILE, DOCS_DIR

    candidates = [root / PROFILE, root / GLOSSARY, root / CONFIG_FILE, root / DOCS_DIR, root / LOCAL,
                  *(root / f for f in FOLDERS)]
    return [p for p in candidates if p.exists()]


class Preview:
    """The site being previewed in ``serve_dir`` and what is kept between rebuilds to redo only what changed.

    ``full=True`` is the old way, kept to compare against: every change checks every file and builds the whole
    site (and every PDF) again.
    """

    def __init__(self, root: Path, serve_dir: Path, *, pdf: bool = False, echo: Echo = print,
                 full: bool = False) -> None:
        self.root = Path(root)
        self.serve_dir = serve_dir
        self.pdf = pdf
        self.echo = echo
        self.full = full
        self.cache = None if full else DocumentCache()
        self.live: Any = None  # wugu.render.sitelive.LiveSite of the last full build
        self.built = False  # a site is being served
        self.errors: list[str] = []  # problem lines of the last failed rebuild, shown on every page
        self.publish: Callable[[], None] = lambda: None  # set by the server: show the pages now, PDFs follow

    def rebuild(self) -> bool:
        """Check, then bring the site up to date; False (problems printed and kept in :attr:`errors`) on errors.

        Raises :class:`WuguError` only for usage problems (the project folder is gone …)."""
        from .report import as_text

        started = time.perf_counter()
        report = check(self.root, cache=self.cache)
        if report.handbook is None:
            self.echo(as_text(report))
            self._failed(report.problems)
            if report.exit_code == 2:
                raise WuguError(report.problems)
            return False
        from dataclasses import replace

        from .validate.questions import fitting

        report = replace(report, handbook=fitting(report.handbook, report.warnings)[0])  # as wugu build: no unfit questions
        try:
            done = self._update(report, started) if self.live is not None and not self.full else False
            if not done:
                first = not self.built
                result = build_project(report.root, report.handbook, self.serve_dir, pdf=self.pdf, echo=self.echo)
                self.live, self.built = result.live, True
                what = "网站已生成" if first else "整个网站已重新生成"
                self.echo(f"{what}（用时 {time.perf_counter() - started:.2f} 秒）。")
        except WuguError as exc:
            self.live = None if self.live is None or self.live.broken else self.live
            for p in exc.problems:
                self.echo(p.format())
            self._failed(exc.problems)
            return False
        self.errors = []
        return True

    def on_change(self) -> None:
        """What the server runs on every change: rebuild, and say in the terminal how it went. Whatever goes
        wrong, the preview keeps serving the last good site: an unexpected error is one problem line (E430),
        never a traceback, and the next change builds the whole site again."""
        self.echo("检测到修改，重新生成……")
        try:
            if self.rebuild():
                self.echo("已更新，浏览器会自动刷新。")
            else:
                self.echo("有错误，网页仍是上一次成功生成的内容（页面顶部列出了错误）；改正后保存即可。")
        except Exception as exc:  # noqa: BLE001 - keep serving whatever went wrong
            found = exc.problems if isinstance(exc, WuguError) else [
                problem("E430", display_path(self.root), detail=f"{type(exc).__name__}: {exc}")]
            for p in found:
                self.echo(p.format())
            self.live = None
            self._failed(found)

    def _failed(self, problems: list[Any]) -> None:
        self.errors = [p.format() for p in problems] or ["检查没有通过（详见终端里的提示）"]

    def _update(self, report: Report, started: float) -> bool:
        """Update the served site in place; False when only a full build is correct."""
        from .records.publish import record_files_inside, write_form_downloads

        live, handbook = self.live, report.handbook
        assert handbook is not None
        if live.stamp != live.inputs_stamp():  # mkdocs.yml or a hand-written page changed
            return False
        records = record_files_inside(report.root, handbook)  # filled records must never be published
        if records:
            raise WuguError(records)
        before: Handbook = live.handbook
        update = live.update(handbook, self.serve_dir)
        if update is None:
            return False
        what = "、".join(paths.html_url(p) for p in update.pages) or "内容和上次成功生成时相同"
        self.echo(f"已更新 {len(update.pages)} 个页面：{what}（用时 {time.perf_counter() - started:.2f} 秒）")
        self.publish()  # the pages are ready: show them while the files to download are made
        old_forms = {f.id: f for f in before.forms}
        forms = [f for f in handbook.forms if old_forms.get(f.id) != f]
        with self._staging() as staging:
            for form in forms:  # its record schema and Excel template
                for made in write_form_downloads(form, staging):
                    _replace(made, self.serve_dir / paths.DOWNLOADS / made.relative_to(staging))
        if self.pdf:
            self._pdfs(handbook, report.root)
        return True

    @contextmanager
    def _staging(self) -> Iterator[Path]:
        """A temporary folder next to the served site (same disk: files move over in one step)."""
        staging = Path(tempfile.mkdtemp(prefix="new-", dir=self.serve_dir.parent))
        try:
            yield staging
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _pdfs(self, handbook: Handbook, root: Path) -> None:
        """Make the PDFs in a staging folder (unchanged ones come from the cache) and replace those that changed."""
        started = time.perf_counter()
        renderer = _pdf_renderer()
        downloads = self.serve_dir / paths.DOWNLOADS
        with self._staging() as staging:
            renderer(handbook, staging, cache_dir=root / paths.PDF_CACHE)
            missing = _missing_downloads(handbook, staging)
            if missing:
                raise WuguError([problem("E602", display_path(downloads), name=n) for n in missing])
            changed = [made.name for made in sorted(staging.iterdir()) if _replace(made, downloads / made.name)]
        self.echo(f"PDF 已更新：{'、'.join(changed) or '没有变化'}（用时 {time.perf_counter() - started:.2f} 秒）")

    def banner(self) -> bytes:
        """The error box shown at the top of every page while the content has errors (empty when it has none)."""
        errors = self.errors
        if not errors:
            return b""
        items = "".join(f"<li>{html.escape(line)}</li>" for line in errors[:SHOWN_PROBLEMS])
        more = f"<p>……另有 {len(errors) - SHOWN_PROBLEMS} 处，见终端。</p>" if len(errors) > SHOWN_PROBLEMS else ""
        return (
            '<div id="wugu-serve-error" role="alert" lang="zh-CN" style="position:fixed;z-index:10000;top:0;left:0;'
            "right:0;max-height:60vh;overflow:auto;background:#fff4f4;color:#1a1a1a;border-bottom:4px solid #b71c1c;"
            'padding:12px 20px;font:15px/1.6 sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.3)">'
            '<strong style="color:#b71c1c">内容有错误，没有更新：下面的网页还是上一次成功生成的样子。</strong>'
            "按提示改正后保存，网页会自动刷新。"
            f'<ul style="margin:6px 0 0;padding-left:20px;font-family:monospace;white-space:pre-wrap">{items}</ul>'
            f"{more}</div>"
        ).encode("utf-8")


def _replace(made: Path, target: Path) -> bool:
    """Move ``made`` over ``target`` in one step if their bytes differ; True if it did."""
    if target.is_file() and target.read_bytes() == made.read_bytes():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(made, target)
    return True


def _stop_on_sigterm() -> None:
    """End the preview on SIGTERM as on Ctrl+C, so that its temporary folder is removed."""
    import signal
    import threading

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


def _preview_server() -> type:
    import re

    from mkdocs.livereload import LiveReloadServer

    class PreviewServer(LiveReloadServer):
        """mkdocs' preview server, answering 404 (not 500) to URLs no file can have (``/%00``, bad UTF-8 …),
        showing the content's problems on every page, and able to show pages before a rebuild has finished."""

        preview: Preview | None = None

        def _serve_request(self, environ: dict[str, Any], start_response: Any) -> Any:
            raw = environ.get("PATH_INFO", "")
            path = raw.encode("latin-1", "replace").decode("utf-8", "replace")
            if "\ufffd" in path or any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
                return None
            try:
                return super()._serve_request(environ, start_response)
            except (ValueError, OSError):
                return None

        def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
            content = super()._inject_js_into_html(content, epoch)
            banner = self.preview.banner() if self.preview is not None else b""
            if banner:
                m = re.search(rb"<body[^>]*>", content)
                at = m.end() if m else 0
                content = content[:at] + banner + content[at:]
            return content

        def publish(self) -> None:
            """Show the site as it is now (browsers reload) although the rebuild goes on (PDFs)."""
            with self._epoch_cond:
                self._visible_epoch = self._wanted_epoch
                self._epoch_cond.notify_all()

    return PreviewServer


def _PreviewServer(**kwargs: Any) -> Any:  # noqa: N802 - built on first use (mkdocs' server imports a lot)
    return _preview_server()(**kwargs)


def exposure_warning(host: str) -> str | None:
    """A Chinese warning when the preview at ``host`` can be opened from other machines (anything but loopback)."""
    import ipaddress

    name = host.strip("[]").lower()
    if name == "localhost":
        return None
    try:
        if ipaddress.ip_address(name).is_loopback:
            return None
    except ValueError:
        pass  # a host name other than localhost: it may well stand for an address others can reach
    everyone = name in ("0.0.0.0", "::")
    where = "本机的所有网络地址" if everyone else f"地址 {host}"
    return (f"注意：预览开在{where}上，同一网络（同一 Wi-Fi、单位局域网，甚至互联网）里的其他人也能打开这本手册的预览，"
            "包括“在电脑上填写”的表格页面和页面上方的错误提示。只在自己电脑上看时不要写 -a（默认 127.0.0.1，"
            "只有本机能打开）；确需给别人看时，只在可信的网络里用，看完按 Ctrl+C 结束。")


#: The preview's temporary folder: ``wugu-serve-<pid>-…`` in the system's temporary folder, holding this marker.
_SERVE_PREFIX = "wugu-serve-"
_SERVE_MARK = ".wugu-serve"


def _clean_stale_previews() -> None:
    """Remove the temporary folders of previews that were killed (``kill -9``, a closed terminal): only folders
    wugu made (named ``wugu-serve-<pid>-…``, holding wugu's marker, owned by this user, not a link) whose process
    no longer runs."""
    tmp = Path(tempfile.gettempdir())
    for folder in tmp.glob(f"{_SERVE_PREFIX}*-*"):
        pid = folder.name[len(_SERVE_PREFIX):].split("-", 1)[0]
        try:
            if (not pid.isdigit() or folder.is_symlink() or not folder.is_dir()
                    or (hasattr(os, "getuid") and folder.stat().st_uid != os.getuid()) or not (folder / _SERVE_MARK).is_file()
                    or _alive(int(pid))):
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    """True if a process ``pid`` runs (or may: one of another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def serve_project(directory: str | Path, host: str = "127.0.0.1", port: int = 8000, *, pdf: bool = False,
                  echo: Echo = print, open_browser: bool = False, full: bool = False) -> None:
    """Preview the site at ``http://host:port/``; bring it up to date and reload the browser when content changes.

    Every rebuild runs the check first; on errors the problem lines are printed (and shown on the pages) and the
    last good site stays. ``full``: rebuild everything on every change (the old way). Raises :class:`WuguError`
    if the first build fails.
    """
    root = Path(directory)
    _clean_stale_previews()
    serve_dir = Path(tempfile.mkdtemp(prefix=f"{_SERVE_PREFIX}{os.getpid()}-")) / "site"
    (serve_dir.parent / _SERVE_MARK).write_text("wugu serve\n", encoding="utf-8")
    preview = Preview(root, serve_dir, pdf=pdf, echo=echo, full=full)

    def builder(config: Any = None) -> None:  # called by the server's watcher thread on every change
        preview.on_change()

    try:
        if not preview.rebuild():
            raise WuguError([problem("E601", display_path(root), detail="第一次生成没有成功，不能开始预览",
                                     fix="按上面的提示改正后重新运行 wugu serve")])
        server = _PreviewServer(builder=builder, host=host, port=port, root=str(serve_dir), mount_path="/",
                                polling_interval=POLL_SECONDS)
        server.preview = preview
        preview.publish = server.publish
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

"""The PDFs of ``wugu serve --pdf``, made in the background so that they never hold up the pages.

The preview asks for the PDFs of the newest content (:meth:`PdfWorker.want`) after it has shown the pages, and goes
on at once. One worker thread makes them: each job renders every PDF (the content-keyed PDF cache makes the
unchanged ones at once) in a child process of its own process group, into a staging folder, and only a job that is
still the newest moves the files whose bytes changed into the served ``downloads/``. Requests that arrive while a
job runs are coalesced into one; a newer edit abandons the running job (its whole process group is killed: the
child and the workers it forked) and the newest content is rendered instead. :meth:`PdfWorker.close` (Ctrl+C,
SIGTERM) kills a running job and waits for it, so no process is left behind; the child is outside the terminal's
process group, so Ctrl+C reaches only the preview, which then stops it.
"""
from __future__ import annotations

import filecmp
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from . import paths
from .errors import WuguError, problem
from .model import Handbook
from .project import display_path

Echo = Callable[[str], Any]
#: How often the worker looks whether its job has been overtaken by a newer edit (seconds).
POLL_SECONDS = 0.1
#: Where a job's child writes the problem lines it ran into (in its staging folder).
_PROBLEMS = ".problems"


def _child(render: Callable[..., Any], handbook: Handbook, out: Path, cache_dir: Path, where: str) -> int:
    """In the forked child: every PDF of ``handbook`` into ``out``; problems as lines in ``out/.problems`` and exit
    code 1."""
    import stat
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the preview, which then ends this job
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.setpgid(0, 0)  # its own process group: killed as a whole, out of reach of the terminal's Ctrl+C
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    # pipes and sockets the preview had open when it forked (an HTTP connection, another thread's subprocess) are
    # not this job's: holding them would keep them open until the job ends
    for name in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else []:
        fd = int(name)
        try:
            if fd > 2 and (stat.S_ISSOCK(os.fstat(fd).st_mode) or stat.S_ISFIFO(os.fstat(fd).st_mode)):
                os.close(fd)
        except OSError:
            pass
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - fresh locks: another thread may have held the old
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    from .build import _missing_downloads

    try:
        render(handbook, out, cache_dir=cache_dir)
        found = [problem("E602", where, name=n) for n in _missing_downloads(handbook, out)]
    except WuguError as exc:
        found = exc.problems
    except Exception as exc:  # noqa: BLE001 - said as one problem line in the preview's terminal
        found = [problem("E431", where, detail=f"{type(exc).__name__}: {exc}")]
    if found:
        (out / _PROBLEMS).write_text("\n".join(p.format() for p in found), encoding="utf-8")
        return 1
    return 0


class PdfWorker:
    """Makes the served PDFs in the background (see the module doc).

    ``downloads``: the served folder the PDFs go to; ``keep``: a folder of its own holding the last PDFs made, to
    put back at once into a site that was built again as a whole (:meth:`restore`); ``render``: the PDF renderer
    (``wugu.render.pdf.build_pdfs``)."""

    def __init__(self, root: Path, downloads: Path, keep: Path, render: Callable[..., Any],
                 echo: Echo = print) -> None:
        self.root = Path(root)
        self.downloads = downloads
        self.keep = keep
        self.render = render
        self.echo = echo
        self._cond = threading.Condition()
        self._wanted: tuple[int, Handbook] | None = None
        self._asked = 0  # the newest request
        self._published = 0  # the request whose PDFs are served
        self._stop = False
        self._thread: threading.Thread | None = None

    # ---- what the preview calls ----------------------------------------------------------------------------------

    def want(self, handbook: Handbook) -> None:
        """Make the PDFs of ``handbook`` (the newest content) soon; returns at once."""
        with self._cond:
            if self._stop:
                return
            self._asked += 1
            self._wanted = (self._asked, handbook)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="wugu-serve-pdf", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    @property
    def busy(self) -> bool:
        """True while PDFs of the newest content are still to be made (or being made)."""
        with self._cond:
            return self._published < self._asked and not self._stop

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the PDFs of the newest content are served (or have failed); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._published >= self._asked or self._stop, timeout)

    def restore(self) -> None:
        """Put the last PDFs made into a freshly built site (hard links; newer ones follow from the worker)."""
        with self._cond:  # not while the worker moves files in
            for made in sorted(self.keep.glob("*.pdf")) if self.keep.is_dir() else []:
                target = self.downloads / made.name
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    _link_or_copy(made, target)

    def close(self) -> None:
        """Stop: a running job is killed and waited for; nothing is made after this."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()

    # ---- the worker thread --------------------------------------------------------------------------------------

    def _loop(self) -> None:
        # signals are the main thread's (Ctrl+C, SIGTERM): blocked here, and so in the children forked from here
        # until they have left the terminal's process group
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._wanted is not None or self._stop)
                if self._stop:
                    return
                assert self._wanted is not None
                job, handbook = self._wanted
                self._wanted = None
            try:
                self._job(job, handbook)
            except Exception as exc:  # noqa: BLE001 - the worker must live on whatever happens
                self.echo(problem("E431", display_path(self.root), detail=f"{type(exc).__name__}: {exc}").format())
                self._done(job)

    def _overtaken(self, job: int) -> bool:
        with self._cond:
            return self._stop or self._asked != job

    def _done(self, job: int) -> None:
        with self._cond:
            self._published = max(self._published, job)
            self._cond.notify_all()

    def _job(self, job: int, handbook: Handbook) -> None:
        started = time.perf_counter()
        self.keep.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="pdf-", dir=self.keep.parent))
        try:
            pid = os.fork()
            if pid == 0:  # the child: never returns into the preview's code
                code = 1
                try:
                    code = _child(self.render, handbook, staging, paths.pdf_cache(self.root),
                                  display_path(self.downloads))
                finally:
                    os._exit(code)
            try:
                os.setpgid(pid, pid)  # (the child does so too: whichever runs first, it can be killed at once)
            except OSError:
                pass
            status = 0
            try:
                while True:
                    done, status = os.waitpid(pid, os.WNOHANG)
                    if done:
                        break
                    if self._overtaken(job):
                        _kill_group(pid)
                        os.waitpid(pid, 0)
                        break
                    time.sleep(POLL_SECONDS)
            except BaseException:
                _kill_group(pid)
                os.waitpid(pid, 0)
                raise
            if self._overtaken(job):
                if not self._stop:
                    self.echo("PDF：内容又改了，这次排版作废，按最新的内容重新生成……")
                return
            problems = staging / _PROBLEMS
            if status and not problems.is_file():
                problems.write_text(problem("E431", display_path(self.downloads), detail="生成 PDF 的进程异常结束"
                                            f"（{os.waitstatus_to_exitcode(status)}）").format(), encoding="utf-8")
            if problems.is_file():
                for line in problems.read_text(encoding="utf-8").splitlines():
                    self.echo(line)
                self.echo("PDF 没有更新（网页已经更新）；改正后保存即可。")
            else:
                self._publish(staging, started)
            self._done(job)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _publish(self, staging: Path, started: float) -> None:
        """Move the PDFs whose bytes changed into the served folder (each in one step) and keep a copy."""
        changed = []
        with self._cond:
            for made in sorted(staging.glob("*.pdf")):
                kept, served = self.keep / made.name, self.downloads / made.name
                if kept.is_file() and served.is_file() and filecmp.cmp(kept, made, shallow=False):
                    continue
                served.parent.mkdir(parents=True, exist_ok=True)
                new = served.with_name(f".{made.name}.new")
                _link_or_copy(made, new)
                os.replace(new, served)
                os.replace(made, kept)
                changed.append(made.name)
        self.echo(f"PDF 已更新：{'、'.join(changed) or '没有变化'}（用时 {time.perf_counter() - started:.2f} 秒）")


def _kill_group(pid: int | None) -> None:
    """Kill a job's child and every process it started (its process group)."""
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)

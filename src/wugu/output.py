"""Writing build output safely: into a temporary folder that replaces the target only when all went well."""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .errors import WuguError, problem
from .escape import file_name


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, verified to resolve inside ``folder`` (a last check before anything is written).

    ``name`` must be a plain file name (see :func:`wugu.escape.file_name`); raises :class:`ValueError` otherwise.
    """
    folder = Path(folder).resolve()
    path = (folder / file_name(name)).resolve()
    if path.parent != folder:
        raise ValueError(f"{name!r} resolves outside {folder}")
    return path


def check_output_dir(root: Path, out: Path, marker: str, example: str, keep_apart: Iterable[Path] = ()) -> None:
    """Refuse an output folder that wugu must not replace as a whole (E511, exit code 2).

    ``marker`` is the file wugu leaves in every folder it made (see :func:`atomic_dir`): only such a folder, an
    empty one or a new one may be replaced. ``keep_apart`` are folders the output must not overlap.
    """
    from .project import display_path

    root, out = Path(root).resolve(), Path(out).resolve()

    def bad(what: str, fix: str) -> WuguError:
        return WuguError([problem("E511", display_path(out), folder=display_path(out), what=what, fix=fix)])

    if _within(root, out):
        raise bad("是手册目录本身或它的上级目录", f"用 --out 指定一个新的子目录，例如 --out {example}")
    for other in keep_apart:
        other = Path(other).resolve()
        if _within(out, other) or _within(other, out):
            raise bad(f"和目录 {display_path(other)} 重叠", f"用 --out 指定这个目录以外的位置，例如 {example}")
    if out.exists() and not out.is_dir():
        raise bad("是一个文件，不是目录", "换一个目录名")
    if out.is_dir() and any(out.iterdir()) and not (out / marker).is_file():
        raise bad("里已经有别的文件，wugu 不会覆盖它", "换一个新的目录，或者先手动清空这个目录")


@contextmanager
def atomic_dir(target: Path, marker: str | None = None, note: str = "") -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; swap it in on success, discard it on failure.

    A failed build therefore never leaves a half-written site or PDF behind: the previous output stays.
    With ``marker``, the finished folder carries that file (holding ``note``), so that
    :func:`check_output_dir` lets wugu replace it next time.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if marker:
        (tmp / marker).write_text(note + "\n", encoding="utf-8")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write one file so that readers see either the old or the new content, never a partial one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)

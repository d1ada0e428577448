"""Writing build output safely: into a temporary folder that replaces the target only when all went well."""
from __future__ import annotations

import errno
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

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


def check_output_dir(root: Path, out: Path, marker: str, example: str, keep_apart: Iterable[Path] = (),
                     projects: Iterable[Path] = ()) -> None:
    """Refuse an output folder that wugu must not replace as a whole (E511, exit code 2).

    ``marker`` is the file wugu leaves in every folder it made (see :func:`atomic_dir`): only such a folder, an
    empty one or a new one may be replaced. ``keep_apart`` are folders the output must not overlap; ``projects``
    are more project folders (the editions of ``wugu build --editions``) whose content folders it must not touch.
    """
    from .project import display_path

    refuse_links(root, out)
    root, out = Path(root).resolve(), Path(out).resolve()

    def bad(what: str, fix: str) -> WuguError:
        return WuguError([problem("E511", display_path(out), folder=display_path(out), what=what, fix=fix)])

    if _within(root, out):
        raise bad("是手册目录本身或它的上级目录", f"用 --out 指定一个新的子目录，例如 --out {example}")
    content = next((c for c in (_content_overlap(Path(r).resolve(), out) for r in (root, *projects)) if c), None)
    if content is not None:  # replacing the output as a whole would wipe the content
        raise WuguError([problem("E507", display_path(out), folder=display_path(out), content=display_path(content),
                                 example=example)])
    for other in keep_apart:
        other = Path(other).resolve()
        if _within(out, other) or _within(other, out):
            raise bad(f"和目录 {display_path(other)} 重叠", f"用 --out 指定这个目录以外的位置，例如 {example}")
    if out.exists() and not out.is_dir():
        raise bad("是一个文件，不是目录", "换一个目录名")
    if out.is_dir() and any(out.iterdir()) and not (out / marker).is_file():
        raise bad("里已经有别的文件，wugu 不会覆盖它", "换一个新的目录，或者先手动清空这个目录")


def refuse_links(root: Path, out: Path) -> None:
    """Refuse (E521, exit code 2) an output folder reached through a symbolic link: ``--out`` itself, its parent
    (where the temporary folder and the swap happen) or any folder on its way inside the project. A link
    committed to the repository (``build -> ~/.local/lib/python3/site-packages``) would have the build write
    wherever it points."""
    from .project import display_path, link_on_path

    link = link_on_path(Path(out), Path(root))
    if link is None:
        return
    try:
        target = os.readlink(link)
    except OSError:  # pragma: no cover - it was a link a moment ago
        target = "?"
    raise WuguError([problem("E521", display_path(link), link=display_path(link), target=target,
                             what="生成的文件会经过这个链接写到别处（它可能来自别人提交的内容）",
                             fix="删掉这个链接（rm 链接名，不会删掉它指向的东西），或用 --out 指定一个路径上没有链接的目录")])


#: Content folders of a project that an output folder must never be in nor contain (it is replaced as a whole).
CONTENT = ("regulations", "norms", "forms", "packs", "vocab", "guides", "questions", "schemas", "local", "site",
           ".git", ".github", ".wugu")


def _content_overlap(root: Path, out: Path) -> Path | None:
    for name in CONTENT:
        folder = (root / name).resolve()
        if _within(out, folder) or _within(folder, out):
            return folder
    return None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _tell_waiting(message: str) -> None:
    """The default ``waiting`` of :func:`atomic_dir`: one line on the error output, at once (not buffered)."""
    print(message, file=sys.stderr, flush=True)


def lock_path(target: Path) -> Path:
    """The lock file of one output folder: ``.{name}.lock`` beside it (removed again when the build ends)."""
    return target.with_name(f".{target.name}.lock")


def _same_file(fd: int, path: Path) -> bool:
    try:
        here = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    mine = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)


def _open_lock(path: Path) -> int:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags | os.O_CREAT, 0o644)
    except PermissionError:  # left by another user in a shared folder such as /tmp (protected_regular)
        return os.open(path, flags)


@contextmanager
def _lock(target: Path, waiting: Callable[[str], Any] | None) -> Iterator[None]:
    """Lock one output folder so that two builds of it take turns (released by the system when a process ends,
    even when killed). The lock is a file of its own beside ``target`` (:func:`lock_path`): builds into other
    folders of the same parent never wait, and nobody blocks all builds by locking a shared folder such as /tmp.
    The file is removed when the build ends; whoever waited on a removed file opens the new one and waits again."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    from .project import display_path

    path = lock_path(target)
    told = False
    while True:
        fd = _open_lock(path)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting is not None and not told:
                    waiting(f"另一个 wugu 正在生成 {display_path(target)}，等待它结束……")
                    told = True
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        if _same_file(fd, path):
            break
        os.close(fd)  # the build before removed the file while this one waited: lock the current one
    try:
        yield
    finally:
        try:
            if _same_file(fd, path):
                path.unlink()
        except OSError:
            pass  # someone else's file in a shared folder: it stays, unlocked
        finally:
            os.close(fd)


def _clean_stale(target: Path) -> None:
    """Remove what killed builds left beside ``target`` (safe: the lock is held, nobody else is writing)."""
    for pattern in (f".{target.name}.new-*", f".{target.name}.old-*"):
        for stale in target.parent.glob(pattern):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)


def write_failed(exc: OSError, where: Path) -> WuguError:
    """A write that the environment refused (read-only, full disk, no permission) as a clear usage problem."""
    from .project import display_path

    reasons = {errno.ENOSPC: "磁盘满了", errno.EDQUOT: "超过了磁盘配额", errno.EROFS: "是只读的",
               errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EFBIG: "文件太大，写不下",
               errno.ELOOP: "是一个符号链接，wugu 不会顺着它写（删掉这个链接再试）",
               errno.ENOENT: "这个位置不存在，也建不了目录", errno.ENOTDIR: "路径上有一段是文件，不是目录",
               errno.EISDIR: "这是一个目录"}
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    shown = display_path(Path(exc.filename)) if exc.filename else display_path(where)
    return WuguError([problem("E505", display_path(where), file=shown, reason=reason)])


@contextmanager
def atomic_dir(target: Path, marker: str | None = None, note: str = "",
               waiting: Callable[[str], Any] | None = _tell_waiting) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; swap it in on success, discard it on failure.

    A failed build therefore never leaves a half-written site or PDF behind: the previous output stays. Builds
    of one output take turns (a lock; ``waiting`` is told, in one Chinese line, when another one holds it — by
    default on the error output), and what killed builds left behind is removed first. The finished folder
    replaces the old one in one step (no moment without a site) and keeps the old folder's permissions (a new one
    gets the usual ones, not the 0700 of a temporary folder). With ``marker``, the folder carries that file (holding ``note``), so that :func:`check_output_dir`
    lets wugu replace it next time. A write the environment refuses becomes E505 (exit code 2), never a traceback.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _lock(target, waiting):
            _clean_stale(target)
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
            try:
                yield tmp
                if marker:
                    (tmp / marker).write_text(note + "\n", encoding="utf-8")
                mode = target.stat().st_mode & 0o7777 if target.is_dir() else 0o777 & ~_umask()
                os.chmod(tmp, mode)
                if target.exists() and _exchange(tmp, target):
                    shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old site
                else:
                    old = target.with_name(f".{target.name}.old-{os.getpid()}")
                    if target.exists():
                        target.rename(old)
                    tmp.rename(target)
                    shutil.rmtree(old, ignore_errors=True)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    except OSError as exc:
        raise write_failed(exc, target) from None


#: What the files at the top of a project are (wugu.yml, facts.yml, mkdocs.yml, README.md, pyproject.toml …): an
#: export never replaces one; an earlier export there (题库.txt, 题库.xlsx) may be replaced.
_PROJECT_FILES = (".yml", ".yaml", ".md", ".toml", ".json", ".cfg", ".ini", ".py", ".sh", ".html")


def check_output_file(root: Path, path: Path, example: str, keep_apart: Iterable[Path] = (),
                      replaceable: Callable[[Path], bool] | None = None) -> None:
    """Refuse a file a command exports (one file, not a folder) where it would do harm: reached through a
    symbolic link inside the project (E521: a committed ``build -> /elsewhere`` would have it written anywhere),
    inside a content folder, the hand-written pages, ``keep_apart`` or the project's ``.git`` (E560), or over a
    file of the project itself (``facts.yml``, ``mkdocs.yml``, ``README.md`` …: E560). Anywhere, an existing path
    is replaced only when it is a plain file named like the export (``example``'s suffix: ``.txt``, ``.xlsx``,
    ``.gift.txt``) and, with ``replaceable``, one it says is an earlier export — never a device (``/dev/full``), a
    pipe, a link, someone's ``~/.bashrc`` or a records workbook (E560). Exit code 2; nothing is written."""
    from .project import display_path

    refuse_links(root, path)
    root, out = Path(root).resolve(), Path(path).resolve()

    def bad(what: str, fix: str = "") -> WuguError:
        return WuguError([problem("E560", display_path(out), file=display_path(out), what=what,
                                  fix=fix or f"用 --out 写到内容目录以外，例如 --out {example}，或写到手册目录外")])

    there = Path(os.path.abspath(path))
    if there.exists() or there.is_symlink():
        if not there.is_file() or there.is_symlink():
            raise bad("已经存在，而且不是普通文件（是目录、链接、设备或管道），导出不会替换它",
                      f"用 --out 写一个新的文件名，例如 --out {example}")
        own = "".join(Path(example).suffixes)
        if own and not there.name.endswith(own):
            raise bad(f"已经存在，而且不是导出的文件（导出的文件以 {own} 结尾），导出不会替换它",
                      f"用 --out 写一个以 {own} 结尾的新文件名，例如 --out {example}")
        if replaceable is not None and not replaceable(there):
            raise bad("已经存在，而且不是以前导出的文件（可能是记录表格或别的资料），导出不会替换它",
                      f"用 --out 写一个新的文件名，例如 --out {example}；确实不要它了就先把它移走")
    if not _within(out, root):
        return
    folders = [*(root / name for name in CONTENT), *(Path(k) for k in keep_apart)]
    for folder in folders:
        folder = folder.resolve()
        if folder != root and _within(out, folder):
            raise bad(f"在内容目录 {display_path(folder)} 里：这里的文件会被发布、提交或当作手册内容读取")
    if out.parent == root and out.exists() and (out.suffix.lower() in _PROJECT_FILES or out.name.startswith(".")):
        raise bad("是手册目录里已有的文件，导出会把它整个替换掉")


def write_atomic(path: Path, data: bytes, root: Path | None = None, example: str = "",
                 keep_apart: Iterable[Path] = (), replaceable: Callable[[Path], bool] | None = None) -> None:
    """Write one file so that readers see either the old or the new content, never a partial one; a failed write
    leaves no temporary file behind. With ``root`` (a file a command exports for people), the place is checked
    first (:func:`check_output_file`) and a write the environment refuses is E505."""
    if root is not None:
        check_output_file(root, path, example, keep_apart, replaceable)
        try:
            _write_atomic(path, data)
        except OSError as exc:  # said at the file asked for, not at its temporary neighbour
            raise write_failed(OSError(exc.errno, exc.strerror, str(path)), path) from None
        return
    _write_atomic(path, data)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

"""Where records commands may write, and how: never into the handbook's content or site output, owner-only files.

Filled records and everything made from them (statistics, filled PDFs) are personal data: files are created
readable and writable by their owner only (0600), in a folder outside the handbook content, ``site/`` and the
built site. ``wugu init`` puts ``records/`` in ``.gitignore`` for this work.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import WuguError, problem
from ..output import write_failed
from ..project import FOLDERS, LOCAL, PROFILE, display_path

#: Folders of a handbook project that are published or committed: no records in or under them (nor in the
#: docs folder ``mkdocs.yml`` names, when it is not ``site``).
PUBLISHED = (*FOLDERS, LOCAL, "site", "build", "schemas")
#: The folder `wugu init` keeps out of version control for records work.
RECORDS_DIR = "records"


def project_root(start: Path) -> Path | None:
    """The handbook project folder that holds ``start`` (the nearest folder with wugu.yml), if any."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / PROFILE).is_file():
            return folder
    return None


def check_out_dir(out: Path) -> Path:
    """``out`` resolved, or a usage error (E743) when it lies in a published or committed part of a project, or
    (E521) when a link lies on its way inside the project (``records -> ~/.ssh`` committed to the repository)."""
    from ..output import refuse_links

    written = Path(os.path.abspath(out))
    for folder in (written, *written.parents):
        if (folder / PROFILE).is_file():
            refuse_links(folder, written)
            break
    out = out.resolve()
    root = project_root(out)
    if root is not None:
        from ..validate.siteconfig import project_docs

        rel = out.relative_to(root).parts
        docs = project_docs(root).resolve()  # the docs folder mkdocs.yml names (docs_dir: pages) is published too
        if not rel or rel[0] in PUBLISHED or out == docs or docs in out.parents:
            raise WuguError([problem("E743", display_path(out),
                                     what=f"不能把记录或由记录生成的文件写到“{display_path(out)}”：这里的文件会被发布或提交",
                                     fix=f"用 --out 写到手册目录外，或写到 {display_path(root / RECORDS_DIR)}（不进版本库、不发布）")])
    _writable(out)
    return out


def _writable(out: Path) -> None:
    """E505 (not an internal error, E524) when ``out`` cannot be made or written to — a read-only disk, ``/proc``,
    ``/sys``, a folder without write permission —, said before anything is read or made (and nothing is created)."""
    import errno

    from ..output import write_failed

    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if existing is None:
        return
    if not existing.is_dir():
        raise write_failed(OSError(errno.ENOTDIR, "不是目录", str(existing)), out)
    if not os.access(existing, os.W_OK | os.X_OK) or (existing.parts[1:2] in (("proc",), ("sys",))):
        raise write_failed(OSError(errno.EACCES, "没有写入权限", str(existing)), out)


def private_file(path: Path) -> Path:
    """Create (or truncate) ``path`` readable and writable by its owner only, before anything is written to it.
    A folder or file the system will not let wugu write (read-only, no permission, full disk) is E505."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():  # a link planted in the output folder: remove it, never write (or truncate) through it
            path.unlink()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        os.close(fd)
        os.chmod(path, 0o600)
    except OSError as exc:
        raise write_failed(exc, path) from None
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write bytes to an owner-only file (E505 when the system refuses)."""
    private_file(path)
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise write_failed(exc, path) from None
    return path


def refuse_overwrite(targets: list[Path], out_dir: Path, what: str = " PDF") -> None:
    """A usage error (E765) naming the first of ``targets`` already there (nothing is written), when any is."""
    there = [t for t in targets if t.exists() or t.is_symlink()]
    if there:
        raise WuguError([problem("E765", display_path(there[0]), count=len(there), folder=display_path(out_dir),
                                 what=what)])


#: What a folder given to a records command is read for (not its sub-folders).
RECORD_SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv", ".xlsx", ".xlsm")


def expand_paths(paths: tuple[str, ...] | list[str]) -> list[tuple[Path, str]]:
    """The files to read, as ``(path, how it is shown)``: a folder stands for the record files in it (sorted; an
    empty one is kept, to be reported as missing records)."""
    out: list[tuple[Path, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in RECORD_SUFFIXES)
            if not found:
                out.append((path / "（空）", f"{given}（文件夹里没有 .xlsx、.csv、.json 记录文件）"))
            out += [(p, str(Path(given) / p.name)) for p in found]
        else:
            out.append((path, given))
    return out

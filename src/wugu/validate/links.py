"""Symbolic links in a project: none may lead outside it, none may dangle or loop.

A link under ``site/`` or a content folder is followed by whatever reads the folder (mkdocs copies its target
into the published site), so a link to ``/proc/self/environ`` or a key file would publish secrets from CI.
The check refuses such links by name before anything is read or built.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import Problem, problem
from ..project import FOLDERS, GLOSSARY, LOCAL, PROFILE, display_path, link_on_path, walk

#: Top-level files and folders of a project that wugu reads or publishes (besides the docs folder).
_READ = (PROFILE, GLOSSARY, "mkdocs.yml", LOCAL, "schemas", *FOLDERS)


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _links(start: Path, root: Path) -> Iterator[Path]:
    """Every symbolic link at or under ``start``, or on the way to it from ``root`` (links to folders are
    reported, not entered: ``site -> /etc`` is one problem, not one per file in ``/etc``)."""
    first = link_on_path(start, root)
    if first is not None:
        yield first
        return
    if not start.is_dir():
        return
    for folder, dirs, files in walk(start):
        for name in dirs + files:
            p = Path(folder, name)
            if p.is_symlink():
                yield p


#: Folders of a project whose files are never published or read into a page, even through a link from inside:
#: ``.git`` (a CI checkout keeps its access token in ``.git/config``), other hidden folders, filled records, output.
_PRIVATE = ("records", "build")


def _private(target: Path, root: Path) -> bool:
    parts = target.relative_to(root).parts
    return bool(parts) and (parts[0] in _PRIVATE or any(p.startswith(".") for p in parts))


def link_problem(link: Path, root: Path, docs: Path | None = None) -> Problem | None:
    """The problem with one symbolic link, or None when its target exists and stays where it may: inside the
    project, outside hidden folders, ``records/`` and ``build/``, and (for a link in the docs folder ``docs``,
    whose targets are published) inside the docs folder."""
    try:  # shown like every other content file: relative to the project folder
        shown = link.relative_to(root).as_posix()
    except ValueError:
        shown = display_path(link)
    try:
        target = link.resolve(strict=True)
    except RuntimeError:
        return problem("E114", shown, link=shown, what="形成了循环（链接最后又指回自己）")
    except FileNotFoundError:
        return problem("E114", shown, link=shown, what=f"指向的“{os.readlink(link)}”不存在")
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return problem("E114", shown, link=shown, what="形成了循环（链接最后又指回自己）")
        return problem("E114", shown, link=shown, what=f"打不开（{exc.strerror or exc}）")
    if not _within(target, root):
        return problem("E113", shown, link=shown, target=str(target))
    rel = target.relative_to(root).as_posix() or "."
    if _private(target, root):
        return problem("E523", shown, link=shown, target=rel,
                       why="那里的文件（版本库设置和密钥、填好的记录、生成结果）不能读进手册或发布",
                       where="手册的内容目录")
    if docs is not None and not _within(target, docs.resolve()):
        return problem("E523", shown, link=shown, target=rel, why="在网站页面目录以外，会被原样发布到网站上",
                       where=f"{display_path(docs)}/")
    return None


def _kind(path: Path) -> str | None:
    """What a non-regular entry is, in Chinese (None for a regular file or a symbolic link)."""
    import stat

    try:
        mode = path.lstat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
        return None
    return "目录" if stat.S_ISDIR(mode) else "特殊文件（管道、设备或套接字）"


def check_not_files(root: Path) -> list[Problem]:
    """Entries of the content folders named like YAML files that are not files (a folder ``R99-x.yml``, a pipe):
    wugu would skip them without a word, and the maintainer would wonder where the regulation went."""
    root = Path(root)
    problems = []
    for base in (root, root / LOCAL):
        for sub in FOLDERS:
            folder = base / sub
            if not folder.is_dir() or folder.is_symlink():
                continue
            for entry in sorted(folder.iterdir()):
                what = _kind(entry) if entry.suffix in (".yml", ".yaml") else None
                if what is not None:
                    shown = entry.relative_to(root).as_posix()
                    problems.append(problem("E117", shown, name=shown, what=what))
    return problems


def check_links(root: Path, docs_dir: Path | None = None, extra: Iterable[Path] = ()) -> list[Problem]:
    """Every link in what wugu reads or publishes (content, ``local/``, ``mkdocs.yml``, the docs folder).

    ``docs_dir`` is the docs folder as written in ``mkdocs.yml`` (not resolved: a link on its way is a problem
    of its own); links under it must stay inside it.
    """
    root = Path(root).resolve()
    docs = Path(os.path.abspath(root / (docs_dir or "site")))
    problems = []
    seen: set[Path] = set()
    # a docs folder outside the project is refused by itself (E514) and never walked: docs_dir: ../../.. walked
    # every folder above the project (all of /tmp, or / and /proc)
    own_docs = [(docs, docs)] if _within(docs, root) else []
    for start, inside in [*((root / name, None) for name in _READ), *own_docs, *((p, None) for p in extra)]:
        for link in _links(start, root):
            if link in seen:
                continue
            seen.add(link)
            found = link_problem(link, root, inside if inside is not None and link != inside else None)
            if found is not None:
                problems.append(found)
    return problems

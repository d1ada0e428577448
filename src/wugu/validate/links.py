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
from ..project import FOLDERS, GLOSSARY, LOCAL, PROFILE, display_path

#: Top-level files and folders of a project that wugu reads or publishes (besides the docs folder).
_READ = (PROFILE, GLOSSARY, "mkdocs.yml", LOCAL, "schemas", *FOLDERS)


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _links(start: Path) -> Iterator[Path]:
    """Every symbolic link at or under ``start`` (links to folders are reported, not entered)."""
    if start.is_symlink():
        yield start
        return
    if not start.is_dir():
        return
    for folder, dirs, files in os.walk(start, followlinks=False):
        for name in dirs + files:
            p = Path(folder, name)
            if p.is_symlink():
                yield p


def link_problem(link: Path, root: Path) -> Problem | None:
    """The problem with one symbolic link, or None when it stays inside ``root`` and its target exists."""
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
    return None


def check_links(root: Path, docs_dir: Path | None = None, extra: Iterable[Path] = ()) -> list[Problem]:
    """Every link in what wugu reads or publishes (content, ``local/``, ``mkdocs.yml``, the docs folder)."""
    root = Path(root).resolve()
    starts = [root / name for name in _READ] + [docs_dir or root / "site", *extra]
    problems = []
    seen: set[Path] = set()
    for start in starts:
        for link in _links(start):
            if link in seen:
                continue
            seen.add(link)
            found = link_problem(link, root)
            if found is not None:
                problems.append(found)
    return problems

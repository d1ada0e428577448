"""Finding a handbook project's YAML files on disk and telling what kind each one is."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import WuguError, problem
from .resources import base_dir

PROFILE = "wugu.yml"
GLOSSARY = "glossary.yml"
#: Facts stated in many places (deadlines, retention periods, the emergency route), defined once.
FACTS = "facts.yml"
#: In an edition: the folder of local additions, and the file of overrides inside it.
LOCAL = "local"
OVERRIDES = "overrides.yml"
#: How files of the installed base content are shown in messages.
BASE_LABEL = "〔wugu 基础版〕"

#: folder → kind of every YAML file in it
FOLDERS: dict[str, str] = {
    "regulations": "regulation",
    "norms": "norms",
    "forms": "form",
    "packs": "pack",
    "vocab": "vocab",
    "guides": "guide",
    "questions": "question",
}

#: kind → schema file name in ``schemas/``
SCHEMAS: dict[str, str] = {
    "profile": "profile.schema.json",
    "regulation": "regulation.schema.json",
    "norms": "norms.schema.json",
    "form": "form.schema.json",
    "pack": "pack.schema.json",
    "vocab": "vocab.schema.json",
    "glossary": "glossary.schema.json",
    "guide": "guide.schema.json",
    "facts": "facts.schema.json",
    "overrides": "overrides.schema.json",
    "question": "question.schema.json",
    "base_profile": "profile.schema.json",
}


@dataclass(frozen=True)
class SourceFile:
    """One YAML file of the project: where it is, how to show it, what kind it is."""

    path: Path
    display: str
    kind: str
    local: bool = False


#: Deepest folder wugu walks into (a hand-written site needs a few levels; Python's own os.walk recurses and a
#: folder nested a thousand deep, valid in git, ended the check in a RecursionError).
MAX_FOLDER_DEPTH = 32


def walk(folder: Path | str, too_deep: list[Path] | None = None) -> Iterator[tuple[str, list[str], list[str]]]:
    """Like ``os.walk(folder)`` (top-down, ``dirs`` may be pruned, links to folders listed but not entered), but
    without recursion and at most :data:`MAX_FOLDER_DEPTH` levels deep; folders below are added to ``too_deep``."""
    stack: list[tuple[str, int]] = [(str(folder), 0)]
    while stack:
        top, depth = stack.pop()
        try:
            with os.scandir(top) as it:
                entries = list(it)
        except OSError:
            continue
        dirs, files, links = [], [], set()
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(entry.name)
            if is_dir and entry.is_symlink():
                links.add(entry.name)
        yield top, dirs, files
        for name in reversed(dirs):
            if name in links:
                continue
            if depth + 1 > MAX_FOLDER_DEPTH:
                if too_deep is not None:
                    too_deep.append(Path(top, name))
                continue
            stack.append((os.path.join(top, name), depth + 1))


def display_path(path: Path) -> str:
    """The path as shown in messages: relative to the current folder when that is shorter."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return rel if not rel.startswith("..") else str(path)


def link_on_path(path: Path, below: Path | None = None) -> Path | None:
    """The first symbolic link among the parts of ``path`` (taken as written, made absolute, not resolved) that
    lie below ``below``; without ``below`` (or when ``path`` is not under it), ``path`` itself and its parent.

    Whatever reads or writes through such a link ends up wherever the link points: a link committed to a
    repository (``build -> ~/.local/lib/…``) would have a build write outside the project.
    """
    path = Path(os.path.abspath(path))
    if below is not None:
        below = Path(os.path.abspath(below))
    if below is not None and (path == below or below in path.parents):
        parts = [path, *path.parents]
        parts = parts[:parts.index(below)]
    else:
        parts = [path, path.parent]
    for part in reversed(parts):
        if part.is_symlink():
            return part
    return None


def find_root(directory: str | Path) -> Path:
    """Return the project folder, or raise a usage error (exit 2) if it is missing or has no ``wugu.yml``."""
    root = Path(directory)
    if not root.is_dir():
        raise WuguError([problem("E502", str(directory), folder=str(directory))])
    if not (root / PROFILE).is_file():
        # Run from inside a project (e.g. in regulations/): use the nearest folder above that has wugu.yml.
        for parent in root.resolve().parents:
            if (parent / PROFILE).is_file():
                return parent
        raise WuguError([problem("E501", display_path(root), missing=PROFILE)])
    return root.resolve()


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())


def is_edition(root: Path) -> bool:
    """An edition (a county's or city's own handbook) has no ``regulations/`` of its own: it builds on the base
    content shipped inside the installed wugu, plus what it adds or changes in ``local/``."""
    return not (root / "regulations").is_dir()


def _content(folder: Path, shown: str, local: bool) -> list[SourceFile]:
    files = []
    for sub, kind in FOLDERS.items():
        files += [SourceFile(p, f"{shown}{sub}/{p.name}" if not local else display_path(p), kind, local)
                  for p in _yaml_files(folder / sub)]
    for name, kind in ((GLOSSARY, "glossary"), (FACTS, "facts")):
        if (folder / name).is_file():
            g = folder / name
            files.append(SourceFile(g, f"{shown}{name}" if not local else display_path(g), kind, local))
    return files


def source_files(root: Path) -> list[SourceFile]:
    """Every YAML file of the project, profile first, in a stable order.

    A base project holds its content itself. An edition reads the base content from the installed package
    (shown as ``〔wugu 基础版〕…`` in messages), then its own ``local/`` additions and ``local/overrides.yml``.
    """
    files = [SourceFile(root / PROFILE, display_path(root / PROFILE), "profile")]
    if not is_edition(root):
        return files + _content(root, "", local=False)
    base = base_dir()
    files.append(SourceFile(base / PROFILE, BASE_LABEL + PROFILE, "base_profile"))
    files += _content(base, BASE_LABEL, local=False)
    files += _content(root / LOCAL, "", local=True)
    overrides = root / LOCAL / OVERRIDES
    if overrides.is_file():
        files.append(SourceFile(overrides, display_path(overrides), "overrides", local=True))
    return files

"""Finding a handbook project's YAML files on disk and telling what kind each one is."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import WuguError, problem

PROFILE = "wugu.yml"
GLOSSARY = "glossary.yml"

#: folder → kind of every YAML file in it
FOLDERS: dict[str, str] = {
    "regulations": "regulation",
    "norms": "norms",
    "forms": "form",
    "packs": "pack",
    "vocab": "vocab",
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
}


@dataclass(frozen=True)
class SourceFile:
    """One YAML file of the project: where it is, how to show it, what kind it is."""

    path: Path
    display: str
    kind: str


def display_path(path: Path) -> str:
    """The path as shown in messages: relative to the current folder when that is shorter."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return rel if not rel.startswith("..") else str(path)


def find_root(directory: str | Path) -> Path:
    """Return the project folder, or raise a usage error (exit 2) if it is missing or has no ``wugu.yml``."""
    root = Path(directory)
    if not root.is_dir():
        raise WuguError([problem("E502", str(directory), folder=str(directory))])
    if not (root / PROFILE).is_file():
        raise WuguError([problem("E501", display_path(root), missing=PROFILE)])
    return root.resolve()


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())


def source_files(root: Path) -> list[SourceFile]:
    """Every YAML file of the project, profile first, in a stable order."""
    files = [SourceFile(root / PROFILE, display_path(root / PROFILE), "profile")]
    for folder, kind in FOLDERS.items():
        files += [SourceFile(p, display_path(p), kind) for p in _yaml_files(root / folder)]
    if (root / GLOSSARY).is_file():
        files.append(SourceFile(root / GLOSSARY, display_path(root / GLOSSARY), "glossary"))
    return files

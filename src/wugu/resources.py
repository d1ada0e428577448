"""Where the base content and the JSON Schemas live: inside the installed package, or in the source tree."""
from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def base_dir() -> Path:
    """The folder that holds the base ``schemas/``, ``regulations/``, ``norms/``, ``forms/`` … .

    A built wheel carries them in ``wugu/_base``; an editable install or a source checkout uses the
    repository root.
    """
    bundled = _PACKAGE / "_base"
    if (bundled / "schemas").is_dir():
        return bundled
    return _PACKAGE.parent.parent


def schemas_dir() -> Path:
    """The folder of JSON Schemas (``*.schema.json``)."""
    return base_dir() / "schemas"


def templates_dir() -> Path:
    """The folder of Jinja2 templates and static assets shipped with the package."""
    return _PACKAGE / "templates"

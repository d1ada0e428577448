"""The forms a records command works with: only the profile, the shared choice lists and the forms are read.

Checking records needs the forms, not the regulations, norms, guides or questions, so a records command reads about
a third of the project's files (YAML parsing is most of the cost of a full ``wugu check``). Those files get the same
checks as in ``wugu check``: each against its schema, then vocab references and field keys.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import Problem, WuguError
from ..model import Handbook, build_handbook
from ..project import find_root
from ..validate import load_documents
from ..validate.facts import check_facts
from ..validate.keys import check_keys
from ..validate.refs import check_references

#: The kinds of file the forms are built from (an edition's overrides may hide forms or change facts); ``facts`` so
#: that a fact reference in a form (``【紧急报告】``) is resolved as the site build resolves it, not printed raw.
KINDS = frozenset({"profile", "base_profile", "form", "vocab", "overrides", "facts"})


def load_forms(directory: str | Path) -> tuple[Handbook | None, list[Problem]]:
    """A handbook holding the project's forms (with their choice lists), or None and the problems found."""
    try:
        root = find_root(directory)
    except WuguError as exc:
        return None, exc.problems
    docs, problems, _count = load_documents(root, KINDS)
    if not problems:
        problems = check_references([(k, d) for k, d in docs if k not in ("overrides", "facts")]) + check_keys(docs)
        # the fact errors (unknown, unpaired, duplicate, circular); warnings need the whole project (``wugu check``)
        problems += [p for p in check_facts(docs) if p.code.startswith("E31")]
    if problems:
        return None, problems
    return build_handbook([(kind, doc.data, doc.local) for kind, doc in docs]), []

"""``wugu reviewed``: record that questions were reviewed against the current text of the rules they test.

The record is one line in the question, ``reviewed: {N13: 3fa2c1, R07.1: 9ab2e0}`` (a fingerprint of each tested
rule's text). The question files are edited line by line: nothing else in them (comments, order, quoting) moves.
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .bank import fingerprints
from .errors import WuguError, problem
from .loader import Document, load_file
from .model import Handbook
from .project import SourceFile, is_edition, source_files


@dataclass(frozen=True)
class Stamped:
    """One question whose review was recorded: where, and what changed."""

    id: str
    path: str
    line: int
    was: dict[str, str]
    now: dict[str, str]


def _own_question_files(root: Path) -> list[SourceFile]:
    """The question files this project may edit: its own, never the installed base of an edition."""
    edition = is_edition(root)
    return [f for f in source_files(root) if f.kind == "question" and (f.local or not edition)]


def _flow(record: dict[str, str]) -> str:
    return "{" + ", ".join(f"{k}: \"{v}\"" for k, v in record.items()) + "}"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _item_end(lines: list[str], start: int, key_indent: int) -> int:
    """Index just past the question item that starts at ``lines[start]`` (its keys are at ``key_indent``)."""
    i = start + 1
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#") and _indent(lines[i]) < key_indent:
            break
        i += 1
    while i > start + 1 and not lines[i - 1].strip():  # trailing blank lines belong to the gap, not the item
        i -= 1
    return i


def _rewrite(text: str, doc: Document, records: dict[int, dict[str, str]]) -> str:
    """``text`` with the ``reviewed:`` line of each question index in ``records`` replaced or added."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for index in sorted(records, reverse=True):  # bottom up: earlier line numbers stay valid
        start = doc.pos(("questions", index))[0] - 1
        key_indent = doc.key_pos(("questions", index, "id"))[1] - 1
        end = _item_end(lines, start, key_indent)
        keep = []
        skipping = False
        for n in range(start, end):
            line = lines[n]
            if n > start and _indent(line) == key_indent and re.match(r"\s*reviewed\s*:", line):
                skipping = True
                continue
            if skipping and (not line.strip() or _indent(line) > key_indent):
                continue
            skipping = False
            keep.append(line)
        while len(keep) > 1 and not keep[-1].strip():
            keep.pop()
        keep.append(" " * key_indent + f"reviewed: {_flow(records[index])}")
        lines[start:end] = keep
    return newline.join(lines) + newline


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".wugu-", suffix=".yml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def stamp(root: Path, handbook: Handbook, ids: list[str] | None = None) -> list[Stamped]:
    """Record the review of the questions ``ids`` (all of them: every question whose record is missing or out of
    date, when ``ids`` is None). Returns what was written. Unknown ids, or base questions in an edition, are a
    usage error (E645)."""
    questions = {q.id: q for q in handbook.questions}
    files = _own_question_files(root)
    docs = [(f, load_file(f.path, f.display)) for f in files]
    own = {q["id"] for _, d in docs for q in d.data["questions"]}
    wanted = set(ids or ())
    unknown = sorted(wanted - own)
    if unknown:
        base = [i for i in unknown if i in questions]
        why = "是基础版的题，地方版不能改它（不适用的写进 local/overrides.yml 的 hide_questions）" if base else "题库里没有"
        raise WuguError([problem("E645", "wugu reviewed", ids="、".join(unknown), why=why)])
    done: list[Stamped] = []
    for f, doc in docs:
        records: dict[int, dict[str, str]] = {}
        for i, q in enumerate(doc.data["questions"]):
            if q["id"] not in questions:  # hidden by the edition
                continue
            now = fingerprints(handbook, questions[q["id"]])
            was = q.get("reviewed", {})
            if (q["id"] in wanted) or (not wanted and was != now):
                records[i] = now
                done.append(Stamped(q["id"], f.display, doc.pos(("questions", i))[0], dict(was), now))
        if records:
            text = f.path.read_text(encoding="utf-8-sig")
            _write(f.path, _rewrite(text, doc, records))
    return done

"""Phase 2 (only on schema-clean input): ids unique, every reference resolves, numbering has no gaps."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Iterator

from ..errors import Problem, problem
from ..loader import Document

_KIND_NAMES = {"regulation": "制度", "norm": "规范", "section": "规范部分", "form": "表格", "pack": "表格包",
               "vocab": "词表", "term": "术语", "guide": "指南"}
_ID_PREFIX = {"regulation": "R", "norm": "N", "section": "S"}


@dataclass(frozen=True)
class Entry:
    """Something with an id, and where it was defined."""

    kind: str
    id: str
    doc: Document
    path: tuple[Any, ...]
    number: int | None = None


def entries(docs: list[tuple[str, Document]]) -> Iterator[Entry]:
    """Every id-bearing thing in the validated documents (``docs`` holds ``(kind, document)`` pairs)."""
    for kind, doc in docs:
        data = doc.data
        if kind in ("regulation", "form", "pack", "vocab"):
            yield Entry(kind, data["id"], doc, ("id",), data.get("number"))
        elif kind == "norms":
            yield Entry("section", data["id"], doc, ("id",), data["number"])
            for i, norm in enumerate(data["norms"]):
                yield Entry("norm", norm["id"], doc, ("norms", i, "id"), norm["number"])
        elif kind == "guide":
            yield Entry("guide", data["id"], doc, ("id",))
        elif kind == "glossary":
            for i, term in enumerate(data["terms"]):
                yield Entry("term", term["id"], doc, ("terms", i, "id"))
        elif kind == "overrides":
            for i, norm in enumerate(data.get("add_norms", [])):
                yield Entry("norm", norm["id"], doc, ("add_norms", i, "id"), norm["number"])


def references(docs: list[tuple[str, Document]]) -> Iterator[tuple[str, str, Document, tuple[Any, ...]]]:
    """Every reference: ``(target kind, id, document, path of the id in the file)``."""
    for kind, doc in docs:
        data = doc.data
        if kind == "regulation":
            for i, ref in enumerate(data.get("forms", [])):
                yield "form", ref, doc, ("forms", i)
            for i, clause in enumerate(data["clauses"]):
                if "vocab" in clause:
                    yield "vocab", clause["vocab"], doc, ("clauses", i, "vocab")
        elif kind == "norms":
            for n, norm in enumerate(data["norms"]):
                for i, ref in enumerate(norm["regulations"]):
                    yield "regulation", ref, doc, ("norms", n, "regulations", i)
                for i, ref in enumerate(norm.get("forms", [])):
                    yield "form", ref, doc, ("norms", n, "forms", i)
        elif kind == "pack":
            for i, ref in enumerate(data["forms"]):
                yield "form", ref, doc, ("forms", i)
            for i, ref in enumerate(data.get("regulations", [])):
                yield "regulation", ref, doc, ("regulations", i)
        elif kind == "overrides":
            for i, c in enumerate(data.get("clauses", [])):
                yield "regulation", c["regulation"], doc, ("clauses", i, "regulation")
            for n, norm in enumerate(data.get("add_norms", [])):
                yield "section", norm["section"], doc, ("add_norms", n, "section")
                for i, ref in enumerate(norm["regulations"]):
                    yield "regulation", ref, doc, ("add_norms", n, "regulations", i)
                for i, ref in enumerate(norm.get("forms", [])):
                    yield "form", ref, doc, ("add_norms", n, "forms", i)
            for i, ref in enumerate(data.get("hide_forms", [])):
                yield "form", ref, doc, ("hide_forms", i)
            for i, ref in enumerate(data.get("hide_packs", [])):
                yield "pack", ref, doc, ("hide_packs", i)
        elif kind == "form":
            for s, section in enumerate(data["sections"]):
                for f, field in enumerate(section["fields"]):
                    if "vocab" in field:
                        yield "vocab", field["vocab"], doc, ("sections", s, "fields", f, "vocab")


def _at(code: str, e: Entry, **args: Any) -> Problem:
    line, col = e.doc.pos(e.path)
    return problem(code, e.doc.path, line, col, **args)


def _where(e: Entry) -> str:
    return f"{e.doc.path} 第 {e.doc.pos(e.path)[0]} 行"


def check_references(docs: list[tuple[str, Document]]) -> list[Problem]:
    """Ids unique across all files, references resolve, numbers run 1..N with no gaps or repeats."""
    problems: list[Problem] = []
    seen: dict[str, Entry] = {}
    by_kind: dict[str, dict[str, Entry]] = {}
    for e in entries(docs):
        if e.id in seen:
            problems.append(_at("E301", e, id=e.id, other=_where(seen[e.id])))
            continue
        seen[e.id] = e
        by_kind.setdefault(e.kind, {})[e.id] = e
    codes: dict[str, Document] = {}
    for kind, doc in docs:
        if kind == "form":
            code = doc.data["code"]
            if code in codes:
                line, col = doc.pos(("code",))
                problems.append(problem("E301", doc.path, line, col, id=code,
                                        other=f"{codes[code].path} 第 {codes[code].pos(('code',))[0]} 行"))
            codes.setdefault(code, doc)

    for kind, ref, doc, path in references(docs):
        known = by_kind.get(kind, {})
        if ref in known:
            continue
        close = difflib.get_close_matches(ref, list(known), n=1, cutoff=0.5)
        listing = "、".join(sorted(known)[:24]) or "（还没有）"
        fix = (f"是不是“{close[0]}”？" if close else "") + f"已有的{_KIND_NAMES[kind]}编号：{listing}"
        line, col = doc.pos(path)
        problems.append(problem("E302", doc.path, line, col, kind=_KIND_NAMES[kind], id=ref, fix=fix))

    problems += _pack_guides(docs, by_kind.get("guide", {}))
    for kind in ("regulation", "section", "norm"):
        problems += _numbering(kind, list(by_kind.get(kind, {}).values()))
    return problems


def _pack_guides(docs: list[tuple[str, Document]], guides: dict[str, Entry]) -> list[Problem]:
    """E418: every guide a pack lists (``guides:``) exists; the fix names the guides there are, with titles."""
    problems = []
    for kind, doc in docs:
        if kind != "pack":
            continue
        for i, ref in enumerate(doc.data.get("guides", [])):
            if ref in guides:
                continue
            close = difflib.get_close_matches(ref, list(guides), n=1, cutoff=0.5)
            listing = "、".join(f"{g}（{e.doc.data.get('title', '')}）" for g, e in sorted(guides.items())[:24])
            fix = ((f"是不是“{close[0]}”？" if close else "") +
                   (f"写 guides/ 里某篇指南文件的 id：{listing}" if guides else
                    "还没有任何实用指南：先在 guides/ 里写一篇，或删掉这一项"))
            line, col = doc.pos(("guides", i))
            problems.append(problem("E418", doc.path, line, col, id=ref, fix=fix))
    return problems


def _numbering(kind: str, items: list[Entry]) -> list[Problem]:
    problems = []
    by_number: dict[int, Entry] = {}
    name = _KIND_NAMES[kind]
    for e in sorted(items, key=lambda e: (e.number or 0, e.doc.path)):
        number = e.number or 0
        if number in by_number:
            problems.append(_at("E304", e, kind=name, number=number, other=by_number[number].id))
            continue
        by_number[number] = e
        m = re.fullmatch(rf"{_ID_PREFIX[kind]}0*(\d+)", e.id)
        if m and int(m.group(1)) != number:
            width = 2 if kind != "section" else 1
            problems.append(_at("E305", e, id=e.id, number=number,
                                expected=f"{_ID_PREFIX[kind]}{number:0{width}d}"))
    if by_number:
        missing = [n for n in range(1, max(by_number) + 1) if n not in by_number]
        if missing:
            last = by_number[max(by_number)]
            shown = "、".join(str(n) for n in missing[:10])
            problems.append(_at("E303", last, kind=name, missing=shown))
    return problems

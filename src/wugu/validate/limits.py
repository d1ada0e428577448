"""What JSON Schema cannot say on its own: the size of a whole form or pack, and titles that must tell items apart.

Every input ``wugu check`` accepts must build, and build in seconds. A form with hundreds of fields or giant
tables would lay out for minutes and still not fit the paper, so the check refuses it before anything is rendered:
by fields, by cells (table rows × columns and options), by printed text, and by the pages it would take, estimated
from the same quantities (the shipped forms take 1–4 pages). Two packs or forms with one title look like one item
in the navigation, the download list and a pack's table of contents.
"""
from __future__ import annotations

import math
from typing import Any

from ..errors import Problem, problem
from ..loader import Document

#: Most fields one form may have in all its sections (the shipped forms have at most about 70).
MAX_FIELDS = 150
#: Most cells one form may print: a table's (rows + total) × columns, and one per other field and per option
#: (the shipped forms have at most about 330, the monthly statistics).
MAX_CELLS = 1500
#: Most characters of text one form may hold (labels, hints, notices, instructions; the shipped ones about 10 000).
MAX_TEXT = 40_000
#: Most pages one form may take, estimated (the shipped ones take 1–4), and one pack (the shipped ones about 30).
MAX_FORM_PAGES = 16
MAX_PACK_PAGES = 120
#: Questions in the whole bank (base and local): each file's list stops at 500 (E215), the files do not (E779).
#: The base bank has about 200; the self-test page loads them all on every reader's phone.
MAX_QUESTIONS = 2000
#: Kinds whose titles must differ, with their Chinese names.
_TITLED = {"regulation": "制度", "form": "表格", "pack": "表格包"}

#: Page estimate: usable height of an A4 page (mm), upright and turned; characters per printed line.
_HEIGHT = {"portrait": 250.0, "landscape": 165.0}
_LINE_CHARS = 40


def _text_mm(text: Any, line_mm: float = 6.0) -> float:
    return math.ceil(len(str(text or "")) / _LINE_CHARS) * line_mm


def _options(f: dict[str, Any]) -> int:
    choices = f.get("choices")
    return len(choices) if isinstance(choices, list) else 4 if f.get("vocab") else 0


def cells(data: dict[str, Any]) -> int:
    """How many cells the form prints: table cells, one per other field and one per option."""
    count = 0
    for f in _fields(data):
        if f.get("type") == "table":
            columns = f.get("columns") if isinstance(f.get("columns"), list) else []
            rows = f.get("rows") if isinstance(f.get("rows"), int) else 0
            count += (rows + 1 + bool(f.get("total"))) * len(columns)
        else:
            count += 1 + _options(f)
    return count


def text_size(value: Any) -> int:
    """How many characters of text ``value`` holds, in all its strings."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(text_size(v) for v in value.values())
    if isinstance(value, list):
        return sum(text_size(v) for v in value)
    return 0


def form_pages(data: dict[str, Any]) -> int:
    """The pages the form will take, estimated from its rows, tables and text (generous: real forms come out at
    or below it)."""
    mm = 40.0  # title, code, notices at the top
    for s in data.get("sections") or []:
        if not isinstance(s, dict):
            continue
        mm += 9
        for f in s.get("fields") or []:
            if not isinstance(f, dict):
                continue
            kind = f.get("type")
            if kind == "table":
                rows = f.get("rows") if isinstance(f.get("rows"), int) else 0
                mm += (rows + 2 + bool(f.get("total"))) * 8
            elif kind == "longtext":
                mm += (f.get("lines") if isinstance(f.get("lines"), int) else 3) * 8 + 4
            elif kind in ("notice", "statement"):
                mm += _text_mm(f.get("text")) + 4
            elif kind == "photo":
                mm += 40
            else:
                mm += 9 * (1 + _options(f) // 6) / (2 if f.get("span") == "half" else 1)
    mm += sum(_text_mm(t, 5.5) for t in data.get("instructions") or []) / 2  # two columns
    return max(1, math.ceil(mm / _HEIGHT.get(str(data.get("orientation")), _HEIGHT["portrait"])))


def _regulation_pages(data: dict[str, Any]) -> int:
    mm = 40.0 + sum(_text_mm(c.get("text") if isinstance(c, dict) else c) + 3 for c in data.get("clauses") or [])
    return max(1, math.ceil(mm / _HEIGHT["portrait"]))


def _fields(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for s in data.get("sections") or [] if isinstance(s, dict)
            for f in s.get("fields") or [] if isinstance(f, dict)]


def _form_problems(doc: Document, data: dict[str, Any]) -> list[Problem]:
    line, col = doc.key_pos(("sections",))
    title = data.get("title", "?")
    count = len(_fields(data))
    if count > MAX_FIELDS:
        return [problem("E209", doc.path, line, col, form=title, count=count, limit=MAX_FIELDS)]
    found = []
    if (n := cells(data)) > MAX_CELLS:
        found.append((f"有 {n} 个格子", MAX_CELLS, "表格的（行数 + 表头）× 列数，加上其他栏目和选项"))
    if (n := text_size(data)) > MAX_TEXT:
        found.append((f"有 {n} 个字", MAX_TEXT, "栏目名、提示、声明和填表说明的文字"))
    if not found and (n := form_pages(data)) > MAX_FORM_PAGES:
        found.append((f"约要印 {n} 页", f"{MAX_FORM_PAGES} 页", "按栏目、空白行和文字估计的 A4 页数"))
    return [problem("E216", doc.path, line, col, form=title, what=what, limit=limit, counted=counted)
            for what, limit, counted in found]


def check_limits(docs: list[tuple[str, Document]]) -> list[Problem]:
    """Forms within :data:`MAX_FIELDS` fields (E209) and within the cells, text and pages the paper can hold (E216);
    packs within :data:`MAX_PACK_PAGES` pages (E217); no two regulations, forms or packs with one title (E210); the
    question bank within :data:`MAX_QUESTIONS` questions (E779)."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    pages: dict[str, int] = {}
    packs: list[tuple[Document, dict[str, Any]]] = []
    questions = 0
    for kind, doc in docs:
        data = doc.data if isinstance(doc.data, dict) else {}
        if kind == "question" and isinstance(data.get("questions"), list):
            before, questions = questions, questions + len(data["questions"])
            if before <= MAX_QUESTIONS < questions:  # said once, at the file that goes over
                line, col = doc.key_pos(("questions",))
                problems.append(problem("E779", doc.path, line, col, count=questions,
                                        limit=MAX_QUESTIONS))
        if kind == "form":
            found = _form_problems(doc, data)
            problems += found
            pages[str(data.get("id"))] = MAX_FORM_PAGES if found else form_pages(data)
        elif kind == "regulation":
            pages[str(data.get("id"))] = _regulation_pages(data)
        elif kind == "pack":
            packs.append((doc, data))
        if kind in _TITLED and isinstance(data.get("title"), str):
            key = (kind, " ".join(data["title"].split()))
            if key in seen:
                line, col = doc.pos(("title",))
                problems.append(problem("E210", doc.path, line, col, kind=_TITLED[kind], title=data["title"],
                                        other=seen[key]))
            else:
                seen[key] = doc.path
    for doc, data in packs:
        parts = [*(data.get("forms") or []), *(data.get("regulations") or [])]
        # a cover and a contents page; each part starts on a right-hand page (a blank page before it at most)
        count = 2 + sum(pages.get(str(p), 1) + 1 for p in parts)
        if count > MAX_PACK_PAGES:
            line, col = doc.key_pos(("forms",))
            problems.append(problem("E217", doc.path, line, col, pack=data.get("title", "?"), count=count,
                                    limit=MAX_PACK_PAGES))
    return problems

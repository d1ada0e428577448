"""Search keywords (``keywords:``): the words people type for a page when they differ from what the page says.

Regulations, norms files (and each norm), forms, packs, guides and choice lists may carry ``keywords:``; the site
puts them into the generated page's front matter, where the search indexes them with a very high weight (see
:mod:`wugu.render.search`). A hand-written page under ``site/`` may carry ``keywords:`` (or ``tags:``) in its own
front matter. Both are checked here, with the same rules:

* E315 not a list; E316 an empty word; E317 a word longer than :data:`MAX_CHARS`; E318 a word twice in one list
  (compared as typed: full-width and half-width, upper and lower case are the same word); E319 a word that is not
  text (``110`` without quotes is a number in YAML).
* W304 the same word on two pages (both then compete for the first place, and neither is sure to get it), or
  twice for one page (a norm repeating its section's word).
* W305 a word with spaces or punctuation in it: the search splits it at those, and every piece becomes a keyword
  of its own (a lone 年 then pulls the page up for every search with 年 in it).

The JSON Schemas describe ``keywords`` too (editors complete and flag it); wugu's schema check leaves these places
to this module (:func:`places`), so each mistake is said once, with its own code.
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from typing import Any, Callable, Iterator

import yaml

from ..errors import Problem, problem
from ..loader import Document
from ..resources import templates_dir
from .schema import _actual

#: Longest keyword, in characters: a keyword is what people type into a search box, not a sentence.
MAX_CHARS = 20
#: Kinds of content file whose top-level ``keywords:`` go onto a page of their own.
PAGE_KINDS = frozenset({"regulation", "norms", "form", "pack", "guide", "vocab"})
#: The theme override that sets the search's word separators for zh-CN (read, not copied, so they cannot drift).
_LANGUAGE = ("site", "overrides", "partials", "languages", "zh-CN.html")

Path_ = tuple[Any, ...]


@cache
def separator() -> re.Pattern[str]:
    """The search's word separator (a character class), as the zh-CN theme override defines it."""
    text = templates_dir().joinpath(*_LANGUAGE).read_text(encoding="utf-8")
    found = re.search(r'"search\.config\.separator":\s*("(?:[^"\\]|\\.)*")', text)
    if found is None:  # pragma: no cover - the override is part of wugu
        return re.compile(r"[\s\u3000]+")
    return re.compile(json.loads(found.group(1)))


def same_word(word: str) -> str:
    """The form two keywords are compared in: ``１１０`` and ``110``, ``SOS`` and ``sos`` are the same word."""
    return unicodedata.normalize("NFKC", word).strip().casefold()


def places(kind: str, data: Any) -> Iterator[Path_]:
    """Where a file of ``kind`` holds keyword lists (paths into its data), whatever else is wrong with it."""
    if not isinstance(data, dict):
        return
    if kind in PAGE_KINDS and "keywords" in data:
        yield ("keywords",)
    lists = {"norms": "norms", "overrides": "add_norms"}
    if kind in lists and isinstance(data.get(lists[kind]), list):
        for i, item in enumerate(data[lists[kind]]):
            if isinstance(item, dict) and "keywords" in item:
                yield (lists[kind], i, "keywords")


def word_problems(value: Any, shown: str, key: str, at: Callable[[int | None], tuple[int, int]]) -> list[Problem]:
    """E315–E319 and W305 for one keyword list; ``at(i)`` is the position of item ``i`` (``None``: the list)."""
    if not isinstance(value, list):
        return [problem("E315", shown, *at(None), key=key, actual=_actual(value))]
    problems: list[Problem] = []
    seen: dict[str, tuple[int, str]] = {}
    for i, word in enumerate(value):
        n = i + 1
        if word is None or isinstance(word, str) and not word.strip():
            problems.append(problem("E316", shown, *at(i), key=key, n=n))
            continue
        if not isinstance(word, str):
            fix = (f"加上英文引号，写成 \"{word}\"" if isinstance(word, (int, float)) and not isinstance(word, bool)
                   else "写成一个词（文字），要几个词就写成几项")
            problems.append(problem("E319", shown, *at(i), key=key, n=n, actual=_actual(word), fix=fix))
            continue
        word = word.strip()
        if len(word) > MAX_CHARS:
            problems.append(problem("E317", shown, *at(i), word=word[:MAX_CHARS] + "…", length=len(word),
                                    limit=MAX_CHARS))
            continue
        same = same_word(word)
        if same in seen:
            first, other = seen[same]
            problems.append(problem("E318", shown, *at(i), word=word, first=first, other=other))
            continue
        seen[same] = (n, word)
        pieces = [p for p in separator().split(word) if p]
        if len(pieces) > 1:
            marks = sorted({c for c in word if separator().fullmatch(c)})
            what = "空格" if all(c.isspace() for c in marks) else "“" + "".join(m for m in marks if not m.isspace()) + "”"
            problems.append(problem("W305", shown, *at(i), word=word, what=what,
                                    parts="".join(f"“{p}”" for p in pieces)))
    return problems


def keywords_of(value: Any) -> list[str]:
    """The usable words of a checked keyword list (stripped; anything else left out)."""
    return [w.strip() for w in value if isinstance(w, str) and w.strip()] if isinstance(value, list) else []


def _label(kind: str, data: dict[str, Any], path: Path_) -> tuple[str, tuple[str, str]]:
    """How a keyword list is named in messages, and the page it goes onto: (label, (page kind, page id))."""
    if len(path) > 1:
        norm = data[path[0]][path[1]]
        section = norm.get("section") if kind == "overrides" else data.get("id")
        return f"规范 {norm.get('id', '?')} 的搜索关键词（keywords）", ("norms", str(section))
    return "搜索关键词（keywords）", (kind, str(data.get("id")))


def check_keywords(docs: list[tuple[str, Document]]) -> list[Problem]:
    """Every keyword list of the content: E315–E319, W305 per list; W304 for a word given twice."""
    problems: list[Problem] = []
    uses: dict[str, list[tuple[Document, int, int, tuple[str, str], str]]] = {}
    for kind, doc in docs:
        for path in places(kind, doc.data):
            key, page = _label(kind, doc.data, path)
            value = doc.data
            for part in path:
                value = value[part]

            def at(i: int | None, path: Path_ = path) -> tuple[int, int]:
                return doc.key_pos(path) if i is None else doc.pos(path + (i,))

            found = word_problems(value, doc.path, key, at)
            problems += found
            if all(p.code == "W305" for p in found):
                for i, word in enumerate(value):
                    uses.setdefault(same_word(word), []).append((doc, *at(i), page, word.strip()))
    for doc, line, col, page, word in template_keywords():
        uses.setdefault(same_word(word), []).append((doc, line, col, page, word))
    return problems + _repeated(uses)


@cache
def template_keywords() -> tuple[tuple[Document, int, int, tuple[str, str], str], ...]:
    """The keywords wugu's own page templates carry (the red-line list's, beside its heading), as places of use:
    a content file giving one of them to another page is told (W304)."""
    found = []
    for path in sorted(templates_dir().joinpath("site", "pages").glob("*.md.j2")):
        text = path.read_text(encoding="utf-8")
        end = text.find("\n---\n", 4) if text.startswith("---\n") else -1
        if end < 0:
            continue
        words = (yaml.safe_load(text[4:end]) or {}).get("keywords") or []
        line = next((n for n, row in enumerate(text[:end].splitlines(), 1) if row.startswith("keywords:")), 1)
        doc = Document(f"wugu/templates/site/pages/{path.name}", None)
        found += [(doc, line, 1, ("template", path.name), str(w)) for w in words]
    return tuple(found)


def _repeated(uses: dict[str, list[tuple[Document, int, int, tuple[str, str], str]]]) -> list[Problem]:
    """W304 at each place of a word given more than once, naming the other places. In an edition, only the
    edition's own places are told (the base is not the edition's to change), and wugu's templates never are."""
    problems = []
    for places_ in uses.values():
        if len(places_) < 2:
            continue
        local = [u for u in places_ if u[0].local]
        content = [u for u in places_ if u[0].data is not None]  # wugu's own templates are not the user's to change
        for doc, line, col, page, word in local or content:
            others = [u for u in places_ if (u[0], u[1], u[2]) != (doc, line, col)]
            one_page = all(u[3] == page for u in others)
            why, fix = (("两处的关键词加在同一页上，再写一遍不起作用", "删掉其中一处") if one_page else
                        ("几页都有这个关键词，搜它时它们争第一，人们要找的那一页不一定排在前面",
                         "只留在人们搜这个词时最该找到的那一页"))
            problems.append(problem("W304", doc.path, line, col, word=word,
                                    other="、".join(f"{u[0].path}:{u[1]}" for u in others), why=why, fix=fix))
    return problems

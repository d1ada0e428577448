"""Phase 2b (only on schema-clean input): fact references, accepted terms and placeholder text.

- every ``【名称】`` names a fact defined in ``facts.yml`` (E310, with a 是不是想写… suggestion), brackets pair up
  (E311), no fact is defined twice (E312) or refers to itself (E313), an edition only changes facts the base
  defines (E314);
- a fact that ``wugu.yml`` sets (the office phone and address) is not changed in ``overrides.yml`` (E320); a fact marked
  ``format: phone`` holds a phone number or a line to write on (E321; a mobile number is E402, as everywhere);
- warnings: a fact nobody uses (W301), a known variant of a glossary term (W302), placeholder-looking text that
  must not be published (W303). ``wugu check --strict`` (used in CI) turns warnings into errors.
"""
from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Any, Iterator

from .. import facts as F
from ..cnformats import valid_phone
from ..errors import Problem, problem
from ..loader import Document
from ..resources import templates_dir
from .privacy import text_values

#: How a template asks for a fact: ``h.fact("紧急报告途径")``.
_TEMPLATE_REF = re.compile(r"""\.fact\(\s*["']([^"']+)["']\s*\)""")
#: Text that looks like a placeholder someone forgot to replace.
PLACEHOLDER = re.compile(r"示例|待填|待补充|TODO|FIXME|example\.(?:org|com|net)|(?<![\d.])0{4,}(?![\d.])", re.I)
_OPEN_QUOTES, _CLOSE_QUOTES = "“「‘\"", "”」’\""


@cache
def template_facts() -> frozenset[str]:
    """Fact names the site and PDF templates ask for (they count as uses)."""
    names: set[str] = set()
    for path in templates_dir().rglob("*.j2"):
        names.update(_TEMPLATE_REF.findall(path.read_text(encoding="utf-8")))
    return frozenset(names)


def _definitions(docs: list[tuple[str, Document]]) -> Iterator[tuple[str, Document, tuple[Any, ...]]]:
    for kind, doc in docs:
        if kind == "facts":
            for i, f in enumerate(doc.data["facts"]):
                yield f["name"], doc, ("facts", i, "name")


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.4)
    if not close:
        close = [k for k in known if name in k or k in name][:1]
    hint = f"是不是想写【{close[0]}】？" if close else ""
    return hint + "已定义的事实都在 facts.yml 里（网站“名词解释”页也列出了它们）；新的事实先在 facts.yml 里定义"


def check_facts(docs: list[tuple[str, Document]]) -> list[Problem]:
    """Errors and warnings about fact references, term variants and placeholders (see the module doc)."""
    problems: list[Problem] = []
    defined: dict[str, Document] = {}
    for name, doc, at in _definitions(docs):
        if name in defined:
            problems.append(problem("E312", doc.path, *doc.pos(at), name=name, other=defined[name].path))
        else:
            defined[name] = doc
    for kind, doc in docs:
        if kind == "overrides":
            for i, f in enumerate(doc.data.get("facts", ())):
                if f["name"] not in defined:
                    problems.append(problem("E314", doc.path, *doc.pos(("facts", i, "name")), name=f["name"],
                                            fix=_suggest(f["name"], list(defined))))
                elif f["name"] in F.PROFILE_FACTS:
                    problems.append(problem("E320", doc.path, *doc.pos(("facts", i, "name")), name=f["name"],
                                            key=".".join(F.PROFILE_FACTS[f["name"]]),
                                            option=F.PROFILE_OPTIONS[f["name"]]))
    problems += _phone_facts(docs)
    values = F.table([(kind, doc.data) for kind, doc in docs])
    known = list(values)
    used: set[str] = set(template_facts())
    for kind, doc in docs:
        for at, text in text_values(doc.data):
            if "【" not in text and "】" not in text:
                continue
            line, col = doc.pos(at)
            if (i := F.unbalanced(text)) is not None:
                problems.append(problem("E311", doc.path, line, col, snippet=text[max(i - 8, 0):i + 12]))
            for m in F.references(text):
                name = m.group(1)
                used.add(name)
                if name not in values:
                    problems.append(problem("E310", doc.path, line, col, name=name, fix=_suggest(name, known)))
    problems += _cycles(docs, values)
    blown = _sizes(docs, values)
    if blown:  # nothing below may fill the facts in: it would build every one of those characters
        return problems + blown
    for name, doc, at in _definitions(docs):
        if name not in used:
            problems.append(problem("W301", doc.path, *doc.pos(at), name=name))
    return problems + check_terms(docs) + check_placeholders(docs)


def _sizes(docs: list[tuple[str, Document]], values: dict[str, str]) -> list[Problem]:
    """E218 for a fact, E219 for a text, that would grow past :data:`~wugu.facts.MAX_RESOLVED_FACT` /
    :data:`~wugu.facts.MAX_RESOLVED_TEXT` characters once its facts are filled in (counted, never built)."""
    sizes = F.resolved_sizes(values)
    problems = []
    for kind, doc in docs:
        entries = doc.data["facts"] if kind == "facts" else doc.data.get("facts", ()) if kind == "overrides" else ()
        for i, f in enumerate(entries):
            if sizes.get(f["name"], 0) > F.MAX_RESOLVED_FACT and values.get(f["name"]) == f["value"]:
                problems.append(problem("E218", doc.path, *doc.pos(("facts", i, "value")), name=f["name"],
                                        size=sizes[f["name"]], limit=F.MAX_RESOLVED_FACT))
    if problems:
        return problems
    for kind, doc in docs:
        for at, text in text_values(doc.data):
            if "【" in text and (n := F.resolved_size(text, sizes)) > F.MAX_RESOLVED_TEXT:
                problems.append(problem("E219", doc.path, *doc.pos(at), size=n, limit=F.MAX_RESOLVED_TEXT))
                if len(problems) >= 20:
                    return problems
    return problems


def _phone_facts(docs: list[tuple[str, Document]]) -> list[Problem]:
    """E321 where a phone fact (``format: phone``) is given something that is neither a number nor a blank line."""
    phones = {f["name"] for kind, doc in docs if kind == "facts" for f in doc.data["facts"] if f.get("format") == "phone"}
    problems = []
    for kind, doc in docs:
        entries = doc.data["facts"] if kind == "facts" else doc.data.get("facts", ()) if kind == "overrides" else ()
        for i, f in enumerate(entries):
            value = str(f["value"]).strip()
            if f["name"] in phones and not F.is_blank(value) and not valid_phone(value.replace(" ", "")):
                problems.append(problem("E321", doc.path, *doc.pos(("facts", i, "value")), name=f["name"],
                                        value=value[:30]))
    return problems


def _cycles(docs: list[tuple[str, Document]], values: dict[str, str]) -> list[Problem]:
    problems = []
    for name, doc, at in _definitions(docs):
        chain = _chain(name, values, [name])
        if chain:
            problems.append(problem("E313", doc.path, *doc.pos(at[:-1] + ("value",)), name=name,
                                    chain=" → ".join(f"【{c}】" for c in chain)))
    return problems


def _chain(name: str, values: dict[str, str], seen: list[str]) -> list[str] | None:
    """The chain of references from ``name`` back to ``seen[0]``, or None. Each fact is explored once (facts
    that reference each other ten times over, level after level, would otherwise be walked 10^8 ways)."""
    start, done = seen[0], set()

    def walk(current: str, path: list[str]) -> list[str] | None:
        for ref in dict.fromkeys(m.group(1) for m in F.references(values.get(current, ""))):
            if ref == start:
                return path + [ref]
            if ref in values and ref not in path and ref not in done:
                if (found := walk(ref, path + [ref])) is not None:
                    return found
                done.add(ref)
        return None

    return walk(name, seen)


def _quoted(text: str, start: int, end: int) -> bool:
    """True when the match stands inside quotes, as a mention (“县区团”的写法), not a use."""
    return start > 0 and end < len(text) and text[start - 1] in _OPEN_QUOTES and text[end] in _CLOSE_QUOTES


def _variants(docs: list[tuple[str, Document]]) -> list[tuple[str, str]]:
    """``(variant, accepted term)`` from the glossary, longest variant first."""
    found = []
    for kind, doc in docs:
        if kind == "glossary":
            for t in doc.data["terms"]:
                found += [(v, t["term"]) for v in t.get("variants", ())]
    return sorted(found, key=lambda v: -len(v[0]))


def check_terms(docs: list[tuple[str, Document]]) -> list[Problem]:
    """W302 for every known variant of a glossary term used in published text (quoted mentions are fine)."""
    variants = _variants(docs)
    if not variants:
        return []
    pattern = re.compile("|".join(re.escape(v) for v, _ in variants))
    lookup = dict(variants)
    problems = []
    for kind, doc in docs:
        for at, text in text_values(doc.data):
            if kind == "glossary" and "variants" in at or "keywords" in at:  # search words are people's own words,
                continue                                                    # never shown on a page
            for m in pattern.finditer(text):
                if not _quoted(text, m.start(), m.end()):
                    problems.append(problem("W302", doc.path, *doc.pos(at), variant=m.group(), term=lookup[m.group()]))
    return problems


def check_placeholders(docs: list[tuple[str, Document]]) -> list[Problem]:
    """W303 for text that looks like a placeholder (示例, example.org, 0000000, TODO, 待填) in published text."""
    problems = []
    for kind, doc in docs:
        for at, text in text_values(doc.data):
            if not isinstance(text, str) or (m := PLACEHOLDER.search(text)) is None:
                continue
            problems.append(problem("W303", doc.path, *doc.pos(at), key=key_path(at),
                                    snippet=text[max(m.start() - 10, 0):m.end() + 10]))
    return problems


def key_path(at: tuple[Any, ...]) -> str:
    """A value's place in its file as an editor types it: ``contact.phone``, ``clauses[2].text``."""
    out = ""
    for part in at:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "（整个文件）"


def check_pass_rule(docs: list[tuple[str, Document]]) -> list[Problem]:
    """E551 when the fact 【考试合格标准】 (as an edition fills it in) does not state one pass mark of 1–100 points
    (``总分 80 分及以上``) out of 100: the papers, the answer key and the self-test all compute with that number."""
    from ..exam import FULL_MARKS, PASS_FACT, PASS_MARKS

    values = F.table([(kind, doc.data) for kind, doc in docs])
    if PASS_FACT not in values:
        return []
    rule = F.resolve(values[PASS_FACT], values)
    written = sorted(set(PASS_MARKS.findall(rule)))
    marks = sorted({int(m) for m in written if m.isdigit()})
    full = sorted({float(m.replace("．", ".")) for m in FULL_MARKS.findall(rule)})
    if decimal := [m for m in written if not m.isdigit()]:
        what = f"的合格线 {decimal[0]} 分不是整数（试卷每题的分数都是整数，合格线写成整数分）"
    elif not marks:
        what = "里没有写成“总分 80 分及以上”这样的合格线（wugu 只好按 80 分算，和印出来的文字对不上）"
    elif len(marks) > 1:
        what = f"写了几个合格线（{'、'.join(map(str, marks))} 分）"
    elif not 1 <= marks[0] <= 100:
        what = f"的合格线 {marks[0]} 分不在 1 到 100 分之间（试卷满分 100 分）"
    elif full and full != [100]:
        what = f"写的满分是 {'、'.join(f'{m:g}' for m in full)} 分（wugu 出的试卷满分 100 分）"
    else:
        return []
    place = [(doc, ("facts", i, "value")) for kind, doc in docs if kind in ("facts", "overrides")
             for i, f in enumerate(doc.data.get("facts", ()) if isinstance(doc.data, dict) else ())
             if f.get("name") == PASS_FACT]
    doc, at = place[-1] if place else (docs[0][1], ())
    return [problem("E551", doc.path, *doc.pos(at), value=rule[:60], what=what)]

"""The self-test page of the handbook site: the question bank as a classic script plus a small quiz script.

A page opened from file:// may not load ES modules or ``fetch()`` files, so the bank is shipped as
``assets/wugu/selftest-data.js`` (``window.WUGU_SELFTEST = {…}``) next to the static ``selftest.js``. The quiz
draws 20 questions at random — as many of each type and as many red-line questions as a 20-question exam paper
holds (:func:`wugu.exam.mix`), spread over the sections — or takes all of one section, shuffles each question's options on every draw (so no
letter is "usually right"), shows right/wrong, the explanation and links to the rules, and at the end the score
against the exam's pass rule (【考试合格标准】) with the right answer of every question answered wrong. It stores nothing (no cookies, no localStorage) and sends nothing.
"""
from __future__ import annotations

import json

from .. import paths
from ..bank import LETTERS, ref_label, ref_page
from ..exam import mix, pass_mark, pass_rule
from ..model import Handbook

#: The page (docs-relative) and its data script (site-relative).
PAGE = "self-test.md"
DATA = "assets/wugu/selftest-data.js"
SCRIPT = "assets/wugu/selftest.js"
#: How many questions a random draw takes.
DRAW = 20


def _href(page: str, target: str) -> str:
    from .site import rel

    path, _, anchor = target.partition("#")
    return rel(paths.html_url(page), paths.html_url(path) + (f"#{anchor}" if anchor else ""))


def data(handbook: Handbook) -> dict:
    """The bank as the quiz needs it; links are relative to the self-test page."""
    sections = []
    for s in handbook.sections:
        count = sum(q.section_id == s.id for q in handbook.questions)
        if count:
            sections.append({"id": s.id, "title": s.title, "count": count})
    questions = []
    for q in handbook.questions:
        questions.append({
            "id": q.id, "section": q.section_id, "kind": q.kind_label, "type": q.type, "situation": q.situation or "",
            "stem": q.stem, "options": list(q.options), "multiple": q.multiple, "truefalse": q.type == "truefalse",
            "answer": list(q.answer), "explain": q.explain, "redLine": q.red_line,
            "refs": [{"label": ref_label(handbook, t), "href": _href(PAGE, ref_page(handbook, t))} for t in q.tests],
        })
    plan = [{"type": t, "count": n, "reds": r} for t, n, r in mix(handbook, DRAW)]
    return {"draw": DRAW, "plan": plan, "letters": LETTERS, "sections": sections, "questions": questions,
            "passMark": pass_mark(handbook), "passRule": pass_rule(handbook)}


def mix_text(handbook: Handbook) -> str:
    """``单选 8 道、多选 2 道、判断 4 道、情景 6 道，其中红线题 6 道`` — the random draw's make-up, for the page."""
    from ..model import QUESTION_TYPES

    short = {"single": "单选", "multiple": "多选", "truefalse": "判断", "scenario": "情景"}
    parts = mix(handbook, DRAW)
    text = "、".join(f"{short.get(t, QUESTION_TYPES[t])} {n} 道" for t, n, _ in parts)
    return f"{text}，其中红线题 {sum(r for *_, r in parts)} 道"


def data_script(handbook: Handbook) -> str:
    """``selftest-data.js``: one assignment, safe as a classic script (no ``</script>``, no line separators)."""
    text = json.dumps(data(handbook), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.WUGU_SELFTEST = {text};\n"

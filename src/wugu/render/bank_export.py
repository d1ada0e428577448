"""The question bank for the tools trainers already use.

- ``text``: the plain-text shape Chinese exam and questionnaire tools import (题干 / A. B. C. D. / 答案： / 解析：);
  the type follows from the shape (no options and 对/错 = 判断题, several letters = 多选题). :func:`parse_text`
  reads it back, so a test can prove the round trip.
- ``xlsx``: one row per question, every cell text (xlsxwriter), for Excel and WPS.
- ``gift``: Moodle's GIFT format, as an extra.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from ..bank import LETTERS, answer_letters, ref_label
from ..escape import looks_like_formula
from ..model import Handbook, Question

FORMATS = {"text": "txt", "xlsx": "xlsx", "gift": "gift.txt"}
#: How the text export marks a red-line question, at the start of its stem (the paper's ▲ in words, so an exam tool
#: that imports the text keeps it in the question and the trainer can apply the pass rule: every one of them right).
RED_LINE_MARK = "【红线题】"


def _full_stem(q: Question) -> str:
    return f"【情景】{q.situation}{q.stem}" if q.situation else q.stem


def _one_line(text: str) -> str:
    return " ".join(text.split())


def to_text(handbook: Handbook, questions: tuple[Question, ...] | None = None) -> str:
    """The import text: numbered stems, lettered options, ``答案：`` and ``解析：`` lines, a blank line between."""
    out = []
    for n, q in enumerate(questions if questions is not None else handbook.questions, 1):
        mark = RED_LINE_MARK if q.red_line else ""
        lines = [f"{n}. {mark}{_one_line(_full_stem(q))}"]
        if q.type != "truefalse":
            lines += [f"{LETTERS[i]}. {_one_line(o)}" for i, o in enumerate(q.options)]
        lines.append(f"答案：{answer_letters(q)}")
        refs = "；".join(ref_label(handbook, t) for t in q.tests)
        lines.append(f"解析：{_one_line(q.explain)}（依据：{refs}）")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


_NUMBERED = re.compile(r"^(\d+)[.．、]\s*(.*)$")
_OPTION = re.compile(r"^([A-F])[.．、]\s*(.*)$")


def parse_text(text: str) -> list[dict[str, Any]]:
    """Read the import text back: ``[{"stem", "options", "answer", "explain", "red_line"}, …]`` in order (the shape
    an exam tool sees; ``answer`` is letters, or 对/错; ``red_line`` when the stem starts with 【红线题】, which is
    taken off the stem)."""
    items: list[dict[str, Any]] = []
    for block in re.split(r"\n\s*\n", text.lstrip("\ufeff").strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        head = _NUMBERED.match(lines[0])
        if head is None:
            raise ValueError(f"not a numbered question: {lines[0]!r}")
        stem = head.group(2)
        red = stem.startswith(RED_LINE_MARK)
        item: dict[str, Any] = {"stem": stem[len(RED_LINE_MARK):] if red else stem, "options": [], "answer": None,
                                "explain": None, "red_line": red}
        for line in lines[1:]:
            if m := _OPTION.match(line):
                item["options"].append(m.group(2))
            elif line.startswith("答案："):
                item["answer"] = line[3:]
            elif line.startswith("解析："):
                item["explain"] = line[3:]
            else:
                raise ValueError(f"unexpected line: {line!r}")
        items.append(item)
    return items


def to_xlsx(handbook: Handbook, questions: tuple[Question, ...] | None = None) -> bytes:
    """One sheet, one row per question, all cells as text."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.set_properties({"title": f"{handbook.profile.short_name}培训题库", "author": handbook.profile.name,
                         "created": _created(handbook)})
    head = book.add_format({"bold": True, "bg_color": "#DDEBE7", "border": 1, "text_wrap": True, "valign": "top"})
    cell = book.add_format({"num_format": "@", "text_wrap": True, "valign": "top", "border": 1})
    quoted = book.add_format({"num_format": "@", "text_wrap": True, "valign": "top", "border": 1, "quote_prefix": True})
    sheet = book.add_worksheet("题库")
    columns = [("题号", 7), ("部分", 9), ("题型", 7), ("情景", 30), ("题干", 36)] + \
              [(f"选项{x}", 22) for x in LETTERS[:4]] + [("选项E", 14), ("选项F", 14), ("答案", 7), ("解析", 40),
                                                        ("依据", 28), ("难度", 5), ("红线题", 6)]
    for c, (title, width) in enumerate(columns):
        sheet.write_string(0, c, title, head)
        sheet.set_column(c, c, width)
    sheet.freeze_panes(1, 0)
    for r, q in enumerate(questions if questions is not None else handbook.questions, 1):
        options = list(q.options) if q.type != "truefalse" else []
        row = [q.id, handbook.section(q.section_id).title, q.kind_label, q.situation or "", q.stem,
               *(options + [""] * (6 - len(options))), answer_letters(q), q.explain,
               "；".join(ref_label(handbook, t) for t in q.tests), q.difficulty, "是" if q.red_line else ""]
        for c, value in enumerate(row):
            sheet.write_string(r, c, value, quoted if looks_like_formula(value) else cell)  # stays text when edited
    sheet.autofilter(0, 0, r if questions is None else len(questions), len(columns) - 1)
    book.close()
    return buf.getvalue()


def _created(handbook: Handbook):
    import datetime

    return datetime.datetime.fromisoformat(handbook.profile.effective_date)


_GIFT_SPECIAL = re.compile(r"([~=#{}:\\])")


def _gift(text: str) -> str:
    return _GIFT_SPECIAL.sub(r"\\\1", _one_line(text))


def to_gift(handbook: Handbook, questions: tuple[Question, ...] | None = None) -> str:
    """Moodle GIFT: one question per paragraph, with the explanation as general feedback."""
    out = []
    for q in questions if questions is not None else handbook.questions:
        refs = "；".join(ref_label(handbook, t) for t in q.tests)
        feedback = f"####{_gift(q.explain)}（依据：{_gift(refs)}）"
        head = f"// {q.id} {q.kind_label}{' 红线题' if q.red_line else ''}\n::{q.id}::{_gift(_full_stem(q))}"
        if q.type == "truefalse":
            body = "{" + ("T" if q.answer == (0,) else "F") + feedback + "}"
        elif q.multiple:
            right = 100 / len(q.answer)
            wrong = -100 / (len(q.options) - len(q.answer))
            parts = [f"~%{right:g}%{_gift(o)}" if i in q.answer else f"~%{wrong:g}%{_gift(o)}"
                     for i, o in enumerate(q.options)]
            body = "{\n" + "\n".join(parts) + f"\n{feedback}\n}}"
        else:
            parts = [("=" if i in q.answer else "~") + _gift(o) for i, o in enumerate(q.options)]
            body = "{\n" + "\n".join(parts) + f"\n{feedback}\n}}"
        out.append(f"{head} {body}")
    return "\n\n".join(out) + "\n"


def export(handbook: Handbook, fmt: str) -> bytes:
    """The whole bank in one format (``text``, ``xlsx`` or ``gift``), as bytes to write."""
    if fmt == "xlsx":
        return to_xlsx(handbook)
    if fmt == "text":  # with a byte-order mark: Windows Notepad and WPS then read it as UTF-8, not GBK
        return to_text(handbook).encode("utf-8-sig")
    return to_gift(handbook).encode("utf-8")


def is_export(path: Path) -> bool:
    """Whether the file at ``path`` is a bank export made earlier (so a new export may replace it): the import
    text's numbered stem and 答案： line, GIFT's ``// Q101 …`` and ``::Q101::``, or a workbook titled …培训题库.
    Anything else there — a records workbook, somebody's notes — is not replaced."""
    import zipfile

    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
        if head.startswith(b"PK"):
            with zipfile.ZipFile(path) as z:
                core = z.read("docProps/core.xml")[:65536] if "docProps/core.xml" in z.namelist() else b""
            return re.search("<dc:title>[^<]*培训题库</dc:title>".encode(), core) is not None
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return False
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return (re.match(r"1\. ", text) is not None and "\n答案：" in text) or \
        (re.match(r"// Q?\w+ ", text) is not None and "\n::" in text)

"""Text from a record file shown in a message: a key, a form code or a version as written, anything else (a name,
an ID or phone number typed where a header or key belongs) cut to its first characters and its length."""
from __future__ import annotations

import difflib
import re
from typing import Iterable

#: What a key, a form code or a version looks like: short ASCII, no run of digits as long as a phone's or an ID's.
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-\[\]/]{0,39}")
_DIGITS = re.compile(r"\d{6}")
#: Short ASCII that is still a record's value, not a key: a date (2012-03-05) or an identifier with a run of digits
#: (a child's number C001); a version (2026.1) is the one run of digits shown.
_VALUE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{3}")
_VERSION = re.compile(r"\d{4}\.\d{1,3}")


def echo(text: object, known: Iterable[str] = ()) -> str:
    """``text`` as it may stand in a message: in full when it looks like a key, code or version, or is close to a
    known header; otherwise ``“张…”（共 3 个字）``-style (records are never echoed in full)."""
    s = str(text).strip()
    if not s:
        return "（空）"
    if _PLAIN.fullmatch(s) and not _DIGITS.search(s) and (_VERSION.fullmatch(s) or not _VALUE_LIKE.search(s)):
        return s
    if len(s) <= 20 and not re.search(r"\d{3}", s) and difflib.get_close_matches(s, list(known), n=1, cutoff=0.6):
        return s
    shown = "" if len(s) <= 2 else s[:1] if len(s) <= 4 else s[:2]
    return f"{shown}…（共 {len(s)} 个字）"

"""China formats, defined once: 居民身份证号 (GB 11643, with its check digit), 手机号, phone numbers and dates.

These rules are the single definition used by the content privacy scan and by the record checker; the browser's
fill mode mirrors them in JavaScript. ``tests/fixtures/cnformats.json`` holds the shared valid and invalid examples
(all obviously fictional: ID numbers use the non-existent region 999xxx) that both implementations must agree on.
"""
from __future__ import annotations

import re
from datetime import date

#: Shape of an 18-character ID number (the birth date and check digit are checked separately).
ID_NUMBER_PATTERN = r"^[1-9][0-9]{16}[0-9X]$"
#: A mainland mobile number: 11 digits starting 13–19.
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"
#: A phone: mobile, or a landline with area code (0 + 2–3 digits, optional hyphen, 7–8 digits, optional extension).
PHONE_PATTERN = r"^(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(?:-[0-9]{1,6})?)$"
#: An ISO date in a plausible range for these forms (years 1900–2099).
DATE_PATTERN = r"^(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
#: Written where a person has no ID number (F04: 没有户口或没办身份证的写“无”).
NO_ID = "无"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(ID_NUMBER_PATTERN)
_MOBILE_RE = re.compile(MOBILE_PATTERN)
_PHONE_RE = re.compile(PHONE_PATTERN)
#: The blanks people leave around and inside a written date (the browser's twin uses exactly these).
_BLANKS = " \t\u3000"
_LOOSE_DATE = re.compile(r"[ \t\u3000]*([0-9]{4})[ \t\u3000]*[-/.年][ \t\u3000]*([0-9]{1,2})[ \t\u3000]*[-/.月]"
                         r"[ \t\u3000]*([0-9]{1,2})[ \t\u3000]*日?[ \t\u3000]*")


def id_check_digit(first17: str) -> str:
    """The check digit (0–9 or X) for the first 17 digits of an ID number."""
    return _CHECK[sum(int(a) * w for a, w in zip(first17, _WEIGHTS)) % 11]


def valid_id_number(s: str) -> bool:
    """True if an 18-character mainland ID number has a correct check digit (GB 11643)."""
    return len(s) == 18 and s[:17].isascii() and s[:17].isdigit() and id_check_digit(s[:17]) == s[17].upper()


def id_birth_date(s: str) -> date | None:
    """The birth date written in an ID number (digits 7–14), or None if it is not a real date."""
    try:
        return date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return None


def id_number_problem(s: str) -> str | None:
    """Why ``s`` is not a valid ID number — ``"shape"``, ``"birth"`` or ``"check"`` — or None if it is valid."""
    if not _ID_RE.fullmatch(s):
        return "shape"
    born = id_birth_date(s)
    if born is None or not 1900 <= born.year <= 2099:
        return "birth"
    if not valid_id_number(s):
        return "check"
    return None


def valid_mobile(s: str) -> bool:
    """True for an 11-digit mainland mobile number."""
    return _MOBILE_RE.fullmatch(s) is not None


def valid_phone(s: str) -> bool:
    """True for a mobile number or a landline number with its area code."""
    return _PHONE_RE.fullmatch(s) is not None


def normalize_date(s: str) -> str | None:
    """An ISO date (``2026-01-05``) from how people write dates: 2026-1-5, 2026/1/5, 2026.1.5, 2026年1月5日.

    Returns None when the text is not a real calendar date in 1900–2099.
    """
    m = _LOOSE_DATE.fullmatch(s)
    if not m:
        return None
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return d.isoformat() if 1900 <= d.year <= 2099 else None


def age_on(born: date, day: date) -> int:
    """Full years of age on ``day`` (周岁)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def mask(s: str) -> str:
    """A number shown in a message with its middle hidden: ``3713***********12X``, ``138******00``, ``1***5``."""
    s = s.strip(_BLANKS + "\r\n")
    if len(s) < 4:
        return "*" * len(s)
    head, tail = (4, 3) if len(s) >= 15 else (3, 2) if len(s) >= 8 else (1, 1)
    return s[:head] + "*" * (len(s) - head - tail) + s[-tail:]

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


#: Public service numbers the handbook tells people to call (police, fire, ambulance, traffic police, the
#: 12345 government hotline, the 12355 youth line, the 12338 women's line): dialled as they are, no area code.
SERVICE_NUMBERS = frozenset({"110", "119", "120", "122", "12345", "12355", "12338"})


def dialable(s: str) -> bool:
    """True for a number a phone can dial as written: a public service number, a mobile or a landline."""
    return s in SERVICE_NUMBERS or valid_phone(s)


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


# ---- tidying typed values, and the messages about formats: one table each, shared with the fill page ----------
# Both tables are published in every record schema (``x-wugu.tidy`` on a property, ``x-wugu.messages`` at the top), so
# the fill page (cn-formats.js ``tidy``, fill.js) and ``wugu records check`` tidy the same way and say the same words.

#: The steps that tidy a typed value before it is checked, by kind of value:
#: ``halfwidth`` full-width ０-９ ． － ／ Ｘ ｘ as ordinary characters (输入法全角); ``trim`` blanks (space, tab, line
#: breaks, 全角空格, no-break space) at both ends; ``no-blanks`` blanks inside removed (139 1234 5678); ``no-dashes``
#: hyphens removed (139-1234-5678); ``mobile-dashes`` hyphens removed only when a mobile number is left (a landline
#: keeps 0539-1234567); ``upper-x`` a final x as X; ``date`` a date as people write it as 2026-03-05.
TIDY: dict[str, tuple[str, ...]] = {
    "id-number": ("halfwidth", "trim", "no-blanks", "upper-x"),
    "mobile": ("halfwidth", "trim", "no-blanks", "no-dashes"),
    "phone": ("halfwidth", "trim", "no-blanks", "mobile-dashes"),
    "date": ("halfwidth", "trim", "date"),
    "number": ("halfwidth", "trim"),
    "text": ("trim",),
}
_TIDY_BLANKS = " \t\r\n\u3000\u00a0"
_HALFWIDTH = str.maketrans("０１２３４５６７８９．－／Ｘｘ", "0123456789.-/Xx")


def tidy(value: str, steps: tuple[str, ...] | list[str]) -> str:
    """``value`` after the ``steps`` of :data:`TIDY` (the browser's twin: ``WuguFormats.tidy``)."""
    for step in steps:
        if step == "halfwidth":
            value = value.translate(_HALFWIDTH)
        elif step == "trim":
            value = value.strip(_TIDY_BLANKS)
        elif step == "no-blanks":
            value = "".join(ch for ch in value if ch not in _TIDY_BLANKS)
        elif step == "no-dashes":
            value = value.replace("-", "")
        elif step == "mobile-dashes":
            if _MOBILE_RE.fullmatch(value.replace("-", "")):
                value = value.replace("-", "")
        elif step == "upper-x":
            if value.endswith("x"):
                value = value[:-1] + "X"
        elif step == "date":
            value = normalize_date(value) or value
        else:
            raise ValueError(f"unknown tidy step {step}")
    return value


#: What the fill page shows next to a value of the wrong format, and what ``wugu records check`` gives as the fix:
#: the same words (E715, E717, E718, E719).
MESSAGES: dict[str, str] = {
    "id-shape": "身份证号应为 18 位：前 17 位是数字，最后一位是数字或 X",
    "id-birth": "身份证号第 7 至 14 位的出生日期不是真实的日期，请对照身份证核对",
    "id-check": "身份证号校验位不对：最后一位与前 17 位对不上，请逐位核对",
    "id-none": "这一栏必须写身份证号，不能写“无”",
    "id-none-allowed": "没有身份证号的写“无”",
    "mobile": "手机号应为 11 位数字，以 1 开头",
    "phone": "电话号码不对：手机号写 11 位，固定电话带区号，例如 0539-1234567",
    "date": "日期写成 2026-03-05 或 2026年3月5日，而且要是真实的日期",
    "integer": "请填整数（不带单位），例如 3",
    "number": "请填数字（不带单位），例如 3 或 2.5",
}

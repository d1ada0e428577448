"""The shared China-formats fixture with its ID check digits filled in at run time.

The file keeps no valid-looking ID number: a check digit that must be right is written ``?`` (``¿`` for a lowercase
``x``) and computed here, so the repository never holds a number that passes the checksum. Likewise a mobile number is
written with ``#`` for each digit made up at run time (``138########``), so no real-looking phone number is stored.
"""
from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path
from typing import Any

from wugu import cnformats as cn

FIXTURE = Path(__file__).parent / "fixtures" / "cnformats.json"


_RNG = random.Random()


def _fill(value: str) -> str:
    value = re.sub("#", lambda _: str(_RNG.randrange(10)), value)
    m = re.search(r"[?¿]", value)
    if not m:
        return value
    body = unicodedata.normalize("NFKC", value[:m.start()]).strip()[-17:]
    digit = cn.id_check_digit(body)
    return value[:m.start()] + (digit.lower() if m.group() == "¿" else digit) + value[m.end():]


def _walk(data: Any) -> Any:
    if isinstance(data, str):
        return _fill(data)
    if isinstance(data, list):
        return [_walk(v) for v in data]
    if isinstance(data, dict):
        return {k: _walk(v) for k, v in data.items()}
    return data


def load() -> dict:
    """The fixture as the tests use it."""
    return _walk(json.loads(FIXTURE.read_text(encoding="utf-8")))


def write(folder: Path) -> Path:
    """The filled-in fixture as a file in ``folder`` (for the JavaScript side)."""
    path = folder / "cnformats.json"
    path.write_text(json.dumps(load(), ensure_ascii=False), encoding="utf-8")
    return path

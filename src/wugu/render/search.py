"""Chinese search that finds what people type: word lists, page keywords, and one fix to mkdocs-material's worker.

mkdocs-material indexes Chinese by cutting every run of Han characters into words with jieba (at build time) and,
in the browser, cuts the typed query into words that the index knows. Three things make that work for this
handbook:

* **Separators** (``overrides/partials/languages/zh-CN.html``): quotation marks, book-title marks, brackets and
  colons end a word, so “1204” is indexed as 1204.
* **Words jieba does not know** (:data:`USER_WORDS`): the movement's own terms (一盯, 四扶, 孤困儿童…) stay whole.
* **Page keywords**: a page's front matter ``tags:`` are indexed with a very high weight (mkdocs-material's ``tags``
  field); :func:`front_matter` writes them from the content's ``keywords:`` (checked by
  :mod:`wugu.validate.keywords`), so the emergency guide (``guides/emergency.yml``) is the first hit for 孩子被打.

The worker's query segmentation (mkdocs-material 9.x, ``search.*.min.js``) has an off-by-one: it never tries a
whole run of Han characters as one word and drops the last character of a run, and it glues the words of a run to
the digits next to it (一盯20年 becomes the single term 一20年). :func:`fix_worker` corrects those three places in
the built copy of the worker (the installed package is not touched). mkdocs-material is in maintenance mode, so the
file does not change under us; if it ever does, the patterns no longer match, nothing is changed, and the browser
tests of search fail loudly.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable

import yaml

from .. import escape
from ..resources import templates_dir

#: Words of the handbook that jieba's general dictionary would cut apart (一盯, 四扶, 孤困儿童…), in jieba's
#: user-dictionary format; given to the search plugin as ``jieba_dict_user`` unless mkdocs.yml names its own.
USER_WORDS = templates_dir() / "site" / "search-words.txt"

_FIXES: tuple[tuple[re.Pattern[str], str], ...] = (
    # try every slice up to and including the whole run, not one character short of it
    (re.compile(r"for\(let (\w)=(\w)\+1;\1<(\w)\.length;\1\+\+\)\3\.slice\(\2,\1\)in "),
     r"for(let \1=\2+1;\1<=\3.length;\1++)\3.slice(\2,\1)in "),
    # go on to the run's last character too
    (re.compile(r"(\w)\[(\w)\]&&\2<(\w)\.length-1&&"), r"\1[\2]&&\2<\3.length&&"),
    # keep the words of a run apart from the letters and digits around them
    (re.compile(r"(\w+)=>\[\.\.\.(\w+)\(\1,this\.index\.invertedIndex\)\]\.join\(\"\* \"\)"),
     r'\1=>" "+[...\2(\1,this.index.invertedIndex)].join("* ")+" "'),
)


def fix_worker(site_dir: Path) -> list[str]:
    """Correct mkdocs-material's query segmentation in the built search worker(s) under ``site_dir``; returns the
    names of the files changed (empty when the worker is not the known one)."""
    changed = []
    for worker in sorted((site_dir / "assets" / "javascripts" / "workers").glob("search.*.min.js")):
        text = worker.read_text(encoding="utf-8")
        fixed = text
        for pattern, repl in _FIXES:
            fixed, n = pattern.subn(repl, fixed, count=1)
            if n != 1:
                break
        else:
            worker.write_text(fixed, encoding="utf-8")
            changed.append(worker.name)
    return changed


def front_matter(keywords: Iterable[str] = (), boost: float | None = None, other: dict[str, Any] | None = None
                 ) -> str:
    """YAML front matter for a generated page: search keywords (indexed as mkdocs-material ``tags``), a document
    boost, and ``other`` settings the page's template asks for (``hide:``, ``search: {exclude: …}``). Empty when
    there is nothing to say."""
    words = [w for w in dict.fromkeys(keywords) if w]
    lines = []
    if words:
        lines.append("tags:")
        lines += [f"  - {_yaml_str(escape.html(w))}" for w in words]  # as a hand-written page's (sitebuild)
    if boost is not None:
        lines += ["search:", f"  boost: {boost:g}"]
    if other:
        lines += yaml.safe_dump(other, allow_unicode=True, sort_keys=False).splitlines()
    return "---\n" + "\n".join(lines) + "\n---\n\n" if lines else ""


def _yaml_str(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)

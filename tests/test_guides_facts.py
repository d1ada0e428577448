"""Issue 9: the practice guides, like the rules, state a recurring fact by reference (【名称】) and never retype
it, so a local edition that changes the fact changes the guides too."""
from __future__ import annotations

import html
import re
from pathlib import Path

import yaml
from conftest import ROOT

from wugu.facts import resolve, REF

#: Facts the guides must state by reference.
GUIDE_FACTS = {"紧急报告", "走访频次", "走访记录交表", "内部照片渠道", "照片删除时限", "个人赠物限额", "退出提前告知",
               "儿童档案保存期限"}
#: Content whose text is published as rules, guides and forms (questions paraphrase facts in their options).
CONTENT = ("regulations/*.yml", "norms/*.yml", "forms/*.yml", "packs/*.yml", "guides/*.yml", "vocab/*.yml",
           "glossary.yml")


def _facts() -> dict[str, str]:
    data = yaml.safe_load((ROOT / "facts.yml").read_text(encoding="utf-8"))
    return {f["name"]: f["value"] for f in data["facts"]}


def test_guides_state_the_facts_by_reference() -> None:
    used = {m.group(1) for p in (ROOT / "guides").glob("*.yml") for m in REF.finditer(p.read_text(encoding="utf-8"))}
    assert GUIDE_FACTS <= used, GUIDE_FACTS - used
    assert used <= set(_facts()), used - set(_facts())


def _texts(data: object) -> list[str]:
    """Every string of a content file except its sources (those quote the law, which may say the same)."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [t for k, v in data.items() if k != "sources" for t in _texts(v)]
    if isinstance(data, list):
        return [t for v in data for t in _texts(v)]
    return []


def test_no_content_file_retypes_a_fact() -> None:
    """No phrase of a fact's value (8 characters or more between punctuation) is typed out in the content."""
    files = {p.relative_to(ROOT).as_posix(): "\n".join(_texts(yaml.safe_load(p.read_text(encoding="utf-8"))))
             for pattern in CONTENT for p in sorted(ROOT.glob(pattern))}
    found = []
    for name, value in _facts().items():
        phrases = [p for p in re.split(r"[，；。（）、]", value) if len(p) >= 8]
        found += [(name, f, p) for f, text in files.items() for p in phrases if p in text]
    assert found == []


def test_guide_pages_show_the_values(base_site: tuple[Path, object]) -> None:
    out, _ = base_site
    facts = _facts()
    for page, names in (("first-visit", ("走访频次", "走访记录交表", "内部照片渠道")),
                        ("online-contact", ("个人赠物限额", "紧急报告")),
                        ("pairing-change", ("退出提前告知", "儿童档案保存期限"))):
        text = html.unescape(re.sub(r"<[^>]+>", "", (out / "guides" / f"{page}.html").read_text(encoding="utf-8")))
        flat = re.sub(r"\s+", "", text)
        assert "【" not in text, page
        for name in names:
            assert re.sub(r"\s+", "", resolve(facts[name], facts)) in flat, (page, name)  # facts may cite facts

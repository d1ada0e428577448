"""An edition's own facts (here its visit frequency) do not make the base questions look changed.

A question's review records the text of the rules it tests; ``wugu check`` warns (W351) when that text changes.
An edition that states a fact its own way changes the wording of every rule that cites the fact, but not what
the rule asks of a volunteer: the base questions stay reviewed, and ``--strict`` passes. A clause the edition
rewrites is still flagged (W353, tests/test_training_edition.py).
"""
from __future__ import annotations

from test_edition import init, write_overrides


def test_an_edition_fact_keeps_the_base_questions_reviewed(wugu, tmp_path):
    edition = init(wugu, tmp_path / "county")
    write_overrides(edition, "facts:\n  - name: 走访频次\n    value: 每年至少入户走访 6 次，每次陪伴不少于 2 小时\n")
    result = wugu("check", str(edition), "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "W351" not in result.stdout + result.stderr
    built = wugu("build", str(edition), "--no-pdf", timeout=600)  # the edition's value is what is published
    assert built.returncode == 0, built.stdout + built.stderr
    pages = (edition / "build" / "site").rglob("*.html")
    assert any("每年至少入户走访 6 次" in p.read_text(encoding="utf-8") for p in pages)

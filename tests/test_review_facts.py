"""An edition's own facts and the base questions that test rules using them.

A question's review records the text of the rules it tests; ``wugu check`` warns (W351) when that text changes in
the content the question belongs to. An edition that states a fact its own way (its visit count, a deadline) does
not make the base questions *changed* — they stay reviewed — but it may make their options or answers hold the
base's number, so each base question testing a rule that now reads differently is flagged for the edition's own
review (W355): it hides the question or writes its own, as for a clause it rewrote (W353).
"""
from __future__ import annotations

from test_edition import init, write_overrides


def test_an_edition_fact_flags_the_base_questions_that_use_it(wugu, tmp_path):
    edition = init(wugu, tmp_path / "county")
    result = wugu("check", str(edition), "--strict")  # no fact of its own: nothing to review
    assert result.returncode == 0, result.stdout + result.stderr
    write_overrides(edition, "facts:\n  - name: 年走访次数\n    value: '6'\n")
    result = wugu("check", str(edition))
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "W351" not in out  # the base questions are not "changed since reviewed"
    flagged = {line.split("题 ")[1].split(" ")[0] for line in out.splitlines() if "W355" in line}
    assert flagged, out  # base questions test rules that count visits (R10.8, R16.4 …)
    strict = wugu("check", str(edition), "--strict")
    assert strict.returncode == 1 and "W355" in strict.stdout + strict.stderr
    built = wugu("build", str(edition), "--no-pdf", timeout=600)  # the edition's value is what is published
    assert built.returncode == 0, built.stdout + built.stderr
    pages = list((edition / "build" / "site").rglob("*.html"))
    assert any("每年至少入户走访 6 次" in p.read_text(encoding="utf-8") for p in pages)
    assert not any("不足 4 次" in p.read_text(encoding="utf-8") for p in pages)  # stated once: no old count left


def test_an_edition_fact_that_makes_two_options_the_same_is_an_error(wugu, tmp_path):
    """Q102's right option is 【走访频次】 and a wrong one is fixed text with 2 visits: a county that sets 2 visits a
    year would print two identical options, one right and one wrong (E651, at the option's line)."""
    edition = init(wugu, tmp_path / "county")
    write_overrides(edition, "facts:\n  - name: 年走访次数\n    value: '2'\n")
    result = wugu("check", str(edition))
    out = result.stdout + result.stderr
    assert result.returncode == 1 and "E651" in out and "Q102" in out, out
    assert "questions/S1-visits.yml:" in out
    write_overrides(edition, "facts:\n  - name: 年走访次数\n    value: '2'\nhide_questions: [Q102]\n")
    out = (r := wugu("check", str(edition))).stdout + r.stderr
    assert "E651" not in out, out

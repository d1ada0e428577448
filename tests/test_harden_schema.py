"""Hardening, classes 7 and 8: what the check accepts must build; what the paper cannot hold is refused.

Attacks go through the real CLI on copies of the shipped content; the property test generates schema-valid
variants of a shipped form and builds each one (check, site pages, the form's PDF).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import copy_project, run_wugu


def _problems(project: Path) -> list[dict]:
    result = run_wugu("check", str(project), "--format", "json")
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)["problems"]


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "p")


def _table(data: dict) -> dict:
    return next(f for s in data["sections"] for f in s["fields"] if f["type"] == "table")


def test_what_passes_the_check_today_but_cannot_build(project):
    reg = next((project / "regulations").glob("R01-*.yml"))
    text = reg.read_text(encoding="utf-8")
    reg.write_text(re.sub(r"^effective_date: .*$", "effective_date: 2026-02-30", text, flags=re.M), encoding="utf-8")
    form = next((project / "forms").glob("F07-*.yml"))
    _edit(form, lambda d: d.update(code=d["code"] + "\n"))  # a pattern must not accept a trailing newline
    pack = project / "packs" / "records.yml"
    other = yaml.safe_load((project / "packs" / "pairing.yml").read_text(encoding="utf-8"))["title"]
    _edit(pack, lambda d: d.update(title=other))
    problems = _problems(project)
    codes = {(p["path"].split("/")[0], p["code"]) for p in problems}
    assert ("regulations", "E208") in codes  # 2 月没有 30 日
    assert ("forms", "E205") in codes
    date = next(p for p in problems if p["code"] == "E208")
    assert date["line"] == text.count("\n", 0, text.index("effective_date")) + 1
    # duplicate titles are a cross-file problem: fix the others, and it is reported with both files
    reg.write_text(text, encoding="utf-8")
    _edit(form, lambda d: d.update(code=d["code"].strip()))
    problems = _problems(project)
    assert [(p["code"], p["path"]) for p in problems] == [("E210", "packs/records.yml")]


@pytest.mark.parametrize("what, change, code", [
    ("25 columns", lambda d: _table(d).update(columns=[{"key": f"c{i}", "label": f"列{i}"} for i in range(25)]), "E206"),
    ("61 rows", lambda d: _table(d).update(rows=61), "E206"),
    ("41 fields in a section",
     lambda d: d["sections"][0].update(fields=[{"type": "text", "key": f"f{i}", "label": f"栏{i}"} for i in range(41)]), "E206"),
    ("160 fields in a form", lambda d: d.update(sections=[
        {"title": f"区{k}", "fields": [{"type": "text", "key": f"f{k}_{i}", "label": f"栏{k}-{i}"} for i in range(40)]}
        for k in range(4)]), "E209"),
    ("21 sections", lambda d: d.update(sections=[
        {"title": f"区{k}", "fields": [{"type": "text", "key": f"f{k}", "label": "栏"}]} for k in range(21)]), "E206"),
    ("31 choices", lambda d: d["sections"][0]["fields"].append(
        {"type": "choice", "key": "many", "label": "多", "choices": [f"项{i}" for i in range(31)]}), "E206"),
])
def test_caps_for_what_paper_can_hold(project, what, change, code):
    form = next((project / "forms").glob("F07-*.yml"))
    _edit(form, change)
    problems = _problems(project)
    assert [p["code"] for p in problems] == [code], (what, problems)
    assert problems[0]["line"] > 0 and problems[0]["path"] == f"forms/{form.name}"


# ---- the property test: schema-valid variants build --------------------------------------------------------------

_TEXT = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1,
                max_size=12).filter(lambda s: s.strip() == s and s.strip())
_LABEL = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S")), min_size=1, max_size=10)


@st.composite
def form_variant(draw, base: dict) -> dict:
    data = json.loads(json.dumps(base))
    data["title"] = draw(_LABEL.filter(lambda t: len(t) >= 2))
    data["orientation"] = draw(st.sampled_from(["portrait", "landscape"]))
    table = _table(data)
    n = draw(st.integers(1, 24))
    table["columns"] = [{"key": f"c{i}", "label": draw(_LABEL),
                         **({"width": draw(st.sampled_from([0.5, 1, 2.5, 10]))} if draw(st.booleans()) else {})}
                        for i in range(n)]
    table["rows"] = draw(st.integers(1, 60))
    data["sections"][0]["title"] = draw(_TEXT)
    return data


@pytest.fixture(scope="module")
def variant_project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("variants") / "p")


def test_schema_valid_variants_of_a_form_build(variant_project):
    from wugu.render import site
    from wugu.render.pdf import PdfBuilder
    from wugu.validate import check

    form_file = next((variant_project / "forms").glob("F07-*.yml"))
    original = form_file.read_text(encoding="utf-8")
    base = yaml.safe_load(original)
    built = []

    @settings(max_examples=4, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])  # bounded: no shrinking
    @given(form_variant(base))
    def builds(data: dict) -> None:
        form_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        try:
            report = check(variant_project)
        finally:
            form_file.write_text(original, encoding="utf-8")
        if report.handbook is None:  # only the schema's own refusals (e.g. a duplicate title) may stop it
            assert all(p.code in ("E206", "E210", "E301") for p in report.problems), report.problems
            return
        form = next(f for f in report.handbook.forms if f.id == data["id"])
        assert site.pages(report.handbook)
        pdf = PdfBuilder(report.handbook).form_bytes(form)
        assert pdf.startswith(b"%PDF") and len(pdf) > 1000
        built.append(len(pdf))

    builds()
    assert built

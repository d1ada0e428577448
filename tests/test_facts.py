"""Facts defined once (facts.yml, 【名称】), accepted terms, placeholders, and warnings vs --strict — through the real CLI."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, copy_project

from wugu.validate.facts import PLACEHOLDER, template_facts


def _json(wugu, *args: str) -> dict:
    result = wugu("check", *args, "--format", "json")
    return json.loads(result.stdout)


def _edit(path: Path, old: str, new: str) -> int:
    """Replace one exact text in a file; return the 1-based line where it stood."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


def test_shipped_content_passes_strict(wugu):
    """--strict passes on the shipped content: no error and no warning at all (every question reviewed against
    the current text of the rules it tests)."""
    result = wugu("check", str(ROOT), "--strict")
    lines = [line for line in result.stdout.splitlines() if re.search(r": (error|warning) [EW]\d{3}:", line)]
    assert result.returncode == 0 and not lines, "\n".join(lines) or result.stdout + result.stderr


def test_every_template_fact_is_defined(root):
    defined = set(re.findall(r"^  - name: (\S+)$", (root / "facts.yml").read_text(encoding="utf-8"), re.M))
    assert template_facts() and template_facts() <= defined


def test_unknown_fact_reference_is_an_error_at_file_and_line(wugu, project):
    line = _edit(project / "norms" / "S1-visits.yml", "【走访频次】", "【走访频率】")
    result = wugu("check", str(project))
    assert result.returncode == 1
    assert f"norms/S1-visits.yml:{line}:" in result.stdout and "E310" in result.stdout
    assert "是不是想写【走访频次】" in result.stdout


def test_unpaired_bracket_and_cycle(wugu, project):
    _edit(project / "norms" / "S1-visits.yml", "【走访频次】", "【走访频次")
    facts = project / "facts.yml"
    _edit(facts, "value: 报送后 7 日内", "value: 报送后【照片删除时限】")
    codes = [p["code"] for p in _json(wugu, str(project))["problems"]]
    assert "E311" in codes and "E313" in codes


def test_unused_fact_warns_and_strict_fails(wugu, project):
    facts = project / "facts.yml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n  - name: 没人用的事实\n    value: 无\n"
                     "    sources: [{kind: handbook, title: 本手册拟定}]\n", encoding="utf-8")
    plain = wugu("check", str(project))
    assert plain.returncode == 0 and "W301" in plain.stdout and "warning" in plain.stdout
    strict = wugu("check", str(project), "--strict")
    assert strict.returncode == 1 and "error W301" in strict.stdout
    report = _json(wugu, str(project))
    assert [w["code"] for w in report["warnings"]] == ["W301"] and report["warnings"][0]["severity"] == "warning"


def test_variant_term_warns_at_file_and_line(wugu, project):
    reg = project / "regulations" / "R02-recruitment.yml"
    text = reg.read_text(encoding="utf-8")
    old = next(m.group() for m in re.finditer(r"县团[^\n]{0,6}", text))
    line = _edit(reg, old, old.replace("县团", "县区团", 1))
    result = wugu("check", str(project), "--strict")
    assert result.returncode == 1
    assert f"regulations/R02-recruitment.yml:{line}:" in result.stdout
    assert "W302" in result.stdout and "改成“县团”" in result.stdout
    # quoting a variant is a mention, not a use
    _edit(reg, old.replace("县团", "县区团", 1), old.replace("县团", "“县区团”", 1))
    assert "W302" not in wugu("check", str(project)).stdout


def test_placeholder_warns_and_build_refuses_unless_draft(wugu, project, tmp_path):
    profile = project / "wugu.yml"  # the base sets no contact: give the copy an office phone that is a placeholder
    profile.write_text(profile.read_text(encoding="utf-8") + "contact:\n  phone: 0539-0000000\n", encoding="utf-8")
    check = wugu("check", str(project))
    assert check.returncode == 0 and "W303" in check.stdout and "wugu.yml:" in check.stdout
    out = tmp_path / "site"
    refused = wugu("build", str(project), "--out", str(out), "--no-pdf")
    assert refused.returncode == 1 and "W303" in refused.stderr and not out.exists()
    draft = wugu("build", str(project), "--out", str(out), "--no-pdf", "--draft")
    assert draft.returncode == 0, draft.stderr


def test_base_build_has_no_placeholder(base_site):
    out, result = base_site
    assert result.returncode == 0, result.stderr
    pages = [p for p in out.rglob("*.html")]
    pdfs = sorted((out / "downloads").glob("*.pdf"))
    assert pages and pdfs
    for page in pages:
        text = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))
        assert not PLACEHOLDER.search(text), (page.name, PLACEHOLDER.search(text).group())
    for pdf in pdfs:
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert not PLACEHOLDER.search(text), (pdf.name, PLACEHOLDER.search(text).group())


# ---- one fact changed in an edition: every page and PDF follows -----------------------------------------

OLD = "每月 15 日前，乡镇团把上月的走访记录表、图文汇总和本乡镇的统计数字报县团办公室"
NEW = "每月 10 日前，乡镇团把上月的走访记录表和图文汇总当面交县团办公室"


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _texts(site: Path) -> dict[str, str]:
    """Every page and PDF of a built site, as text without whitespace."""
    pages = {p.relative_to(site).as_posix(): _flat(p.read_text(encoding="utf-8")) for p in site.rglob("*.html")}
    pdfs = {p.name: _flat(subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True).stdout)
            for p in (site / "downloads").glob("*.pdf")}
    return {**pages, **pdfs}


def test_changed_fact_follows_everywhere(wugu, tmp_path, base_site):
    edition = tmp_path / "county"
    made = wugu("init", str(edition), "--name", "青禾县手牵手孤困儿童心理辅导志愿服务团", "--level", "县")
    assert made.returncode == 0, made.stderr
    (edition / "local" / "overrides.yml").write_text(f"facts:\n  - name: 乡镇团月报\n    value: {NEW}\n",
                                                     encoding="utf-8")
    # the files that state the fact, found in the base content itself
    users = {p.stem.split("-")[0] for p in ROOT.glob("*/*.yml") if "【乡镇团月报】" in p.read_text(encoding="utf-8")}
    assert {"R01", "R08", "R10", "monthly"} <= users
    result = wugu("build", cwd=edition, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    new, old = _flat(NEW), _flat(OLD)
    # what states the fact: every page and PDF of the base build that holds its base value
    stating = {name for name, text in _texts(base_site[0]).items() if old in text}
    assert {"regulations/R01.html", "regulations/R08.html", "regulations/R10.html", "glossary.html"} <= stating
    assert any(name.endswith(".pdf") for name in stating)
    texts = _texts(edition / "build" / "site")
    assert [name for name in stating if new not in texts[name]] == []
    assert [name for name, text in texts.items() if old in text] == []


def test_changes_reports_a_changed_base_fact(wugu, tmp_path):
    edition = tmp_path / "county"
    assert wugu("init", str(edition), "--name", "青禾县手牵手孤困儿童心理辅导志愿服务团", "--level", "县").returncode == 0
    snap = edition / "local" / "base-snapshot.json"
    data = json.loads(snap.read_text(encoding="utf-8"))
    data["items"]["【走访频次】"]["hash"] = "0" * 16    # as if the base had changed the fact since
    snap.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    listed = wugu("changes", cwd=edition)
    assert listed.returncode == 0
    assert "[修改] 事实 【走访频次】：每年至少入户走访 4 次" in listed.stdout

"""Hardening, classes 1 and 9: files outside the project, and crashes on unusual input.

Every test attacks the real CLI on a copy of the shipped content.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conftest import copy_project, run_wugu


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "p")


def _codes(result) -> list[str]:
    return re.findall(r"error (E\d{3})", result.output if hasattr(result, "output") else result.stdout + result.stderr)


# ---- class 1: files outside the project -----------------------------------------------------------------------

def test_links_out_of_the_project_are_refused_by_name(project, tmp_path, wugu):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-TOKEN-123\n", encoding="utf-8")
    (project / "site" / "leak.md").symlink_to(secret)
    (project / "site" / "env.md").symlink_to("/proc/self/environ")
    (project / "forms" / "outside").symlink_to(tmp_path)
    (project / "regulations" / "R99-leak.yml").symlink_to(secret)
    for fmt in ("text", "json", "github"):
        result = wugu("check", str(project), "--format", fmt)
        assert result.returncode == 1, result.stdout
        assert "SECRET-TOKEN-123" not in result.stdout + result.stderr
    problems = json.loads(wugu("check", str(project), "--format", "json").stdout)["problems"]
    named = {p["path"]: p["code"] for p in problems}
    assert named == {"site/leak.md": "E113", "site/env.md": "E113", "forms/outside": "E113",
                     "regulations/R99-leak.yml": "E113"}
    out = tmp_path / "out"
    result = wugu("build", str(project), "--no-pdf", "--out", str(out))
    assert result.returncode == 1 and not out.exists()


def test_dangling_and_looping_links_are_clear_errors(project, wugu):
    (project / "site" / "gone.md").symlink_to("no-such-page.md")
    (project / "site" / "a.md").symlink_to("b.md")
    (project / "site" / "b.md").symlink_to("a.md")
    (project / "norms" / "S9-x.yml").symlink_to("S9-x.yml")
    result = wugu("check", str(project))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert sorted(_codes(result)) == ["E114"] * 4


def test_links_inside_the_project_still_work(project, wugu):
    (project / "site" / "same.md").write_text("# 本地说明\n\n同一个页面的两个名字。\n", encoding="utf-8")
    (project / "site" / "alias.md").symlink_to("same.md")
    result = wugu("check", str(project))
    assert result.returncode == 0, result.stdout


def test_docs_dir_and_file_reading_extensions_cannot_leave_the_project(project, wugu):
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace("docs_dir: site", "docs_dir: ../../..")
    config.write_text(text + "\n", encoding="utf-8")
    result = wugu("check", str(project))
    assert result.returncode == 1 and "E514" in _codes(result)
    text = text.replace("docs_dir: ../../..", "docs_dir: site")
    assert "  - tables\n" in text
    config.write_text(text.replace("  - tables\n", "  - tables\n  - pymdownx.snippets:\n      base_path: /\n"),
                      encoding="utf-8")
    result = wugu("check", str(project))
    assert "E518" in _codes(result), result.stdout  # not on the allowlist of extensions


# ---- class 9: unusual input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_deep_nesting_is_its_own_error_with_a_line(project, wugu, fmt):
    (project / "regulations" / "R99-deep.yml").write_text("id: R99\nx: " + "[" * 5000 + "]" * 5000 + "\n",
                                                          encoding="utf-8")
    (project / "forms" / "F99-deep.yml").write_text("id: F99\nx:\n" + "".join(
        "  " * i + "- \n" for i in range(1, 300)), encoding="utf-8")
    result = wugu("check", str(project), "--format", fmt)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    if fmt == "json":
        problems = json.loads(result.stdout)["problems"]
        assert {(p["code"], p["path"]) for p in problems} == {("E112", "regulations/R99-deep.yml"),
                                                              ("E112", "forms/F99-deep.yml")}
        assert all(p["line"] >= 2 for p in problems)
    else:
        assert _codes(result) == ["E112", "E112"] or fmt == "github"
        assert "regulations/R99-deep.yml" in result.stdout


def test_a_large_file_is_not_an_alias_bomb_but_a_real_bomb_is(project, monkeypatch):
    from click.testing import CliRunner

    from wugu import loader
    from wugu.cli import main

    monkeypatch.setattr(loader, "MAX_NODES", 3000)  # the real limit is 200 000; the rule is the same
    items = "".join(f"  - {{term: 词{i}, definition: 解释{i}}}\n" for i in range(2000))  # 6 000 values
    (project / "glossary.yml").write_text("terms:\n" + items, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(project), "--format", "json"])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "E104" not in {p["code"] for p in json.loads(result.output)["problems"]}
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(4))
    (project / "glossary.yml").write_text(bomb, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 1 and _codes(result) == ["E104"]


def test_a_value_that_does_not_fit_its_explicit_tag(project, wugu):
    f = next((project / "regulations").glob("R01-*.yml"))
    f.write_text(f.read_text(encoding="utf-8").replace("number: 1\n", 'number: !!int "一"\n', 1), encoding="utf-8")
    result = wugu("check", str(project))
    assert result.returncode == 1 and "E115" in _codes(result) and "Traceback" not in result.stderr

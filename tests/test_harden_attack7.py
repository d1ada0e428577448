"""Issue 12, attacker review 4 (NEW-6, NEW-7, NEW-8): records files too big to read and too many problems to print,
the question bank exported through a committed link or over the content, characters the PDF fonts cannot print.
Every hostile input and every ID- or mobile-shaped number is made at run time.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import copy_project, run_wugu


def _codes(stderr: str) -> list[str]:
    return [part.split(":")[0] for line in stderr.splitlines() for part in line.split(" error ")[1:]]


# ---- NEW-7: wugu questions --export writes only where an export belongs -----------------------------------

@pytest.fixture(scope="module")
def bank_project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("bank") / "p")


def test_an_export_through_a_committed_build_link_is_e521_and_nothing_is_written(bank_project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    link = bank_project / "build"
    link.symlink_to(outside)
    try:
        result = run_wugu("questions", str(bank_project), "--export", "text")
    finally:
        link.unlink()
    assert result.returncode == 2, result.stdout + result.stderr
    assert "E521" in result.stderr and "Traceback" not in result.stderr
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("out", ["site/题库.txt", "facts.yml", "mkdocs.yml", "regulations/题库.txt",
                                 ".git/题库.txt", "questions/x.gift.txt"])
def test_an_export_into_the_content_or_over_a_project_file_is_e560(bank_project, out):
    target = bank_project / out
    before = target.read_bytes() if target.is_file() else None
    result = run_wugu("questions", str(bank_project), "--export", "text", "--out", str(target))
    assert result.returncode == 2, result.stdout + result.stderr
    assert _codes(result.stderr) == ["E560"], result.stderr
    assert (target.read_bytes() if target.is_file() else None) == before


def test_an_export_into_a_renamed_docs_folder_is_e560(tmp_path):
    project = copy_project(tmp_path / "p")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("docs_dir: site", "docs_dir: pages", 1),
                      encoding="utf-8")
    (project / "site").rename(project / "pages")
    result = run_wugu("questions", str(project), "--export", "text", "--out", str(project / "pages" / "题库.txt"))
    assert result.returncode == 2 and _codes(result.stderr) == ["E560"], result.stdout + result.stderr
    assert not (project / "pages" / "题库.txt").exists()


def test_the_default_export_and_a_second_export_beside_the_project_files_still_work(bank_project):
    for args in (["--export", "xlsx"], ["--export", "text", "--out", str(bank_project / "题库.txt")],
                 ["--export", "text", "--out", str(bank_project / "题库.txt")]):
        result = run_wugu("questions", str(bank_project), *args)
        assert result.returncode == 0, result.stdout + result.stderr
    assert (bank_project / "build" / "题库.xlsx").stat().st_size > 1000
    assert "A." in (bank_project / "题库.txt").read_text(encoding="utf-8")

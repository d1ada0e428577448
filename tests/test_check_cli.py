"""Acceptance tests: the real ``wugu check`` over folders of good and bad example files.

Each bad case is an overlay folder in ``examples/bad/<case>/`` copied on top of ``examples/good/``.
Numbers that would look like real personal data are generated here, never stored in the repository.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from wugu.validate.privacy import luhn, valid_id_number

EXAMPLES = Path(__file__).parent / "examples"

#: case → (expected code, file it points at, expected line)
BAD = {
    "syntax-error": ("E101", "regulations/R01-organization.yml", 4),
    "duplicate-key": ("E102", "regulations/R01-organization.yml", 6),
    "unknown-key": ("E201", "regulations/R01-organization.yml", 4),
    "wrong-type": ("E203", "regulations/R01-organization.yml", 25),
    "python-tag": ("E103", "regulations/R01-organization.yml", 6),
    "alias-bomb": ("E104", "regulations/R01-organization.yml", 7),
    "tab-indent": ("E105", "regulations/R01-organization.yml", 14),
    "empty-file": ("E106", "packs/new-volunteer.yml", 1),
    "gbk-encoding": ("E107", "regulations/R01-organization.yml", 4),
    "not-a-mapping": ("E108", "packs/new-volunteer.yml", 1),
    "missing-required": ("E202", "packs/new-volunteer.yml", 2),
    "duplicate-id": ("E301", "regulations/R02-copy.yml", 2),
    "dangling-reference": ("E302", "packs/new-volunteer.yml", 6),
    "numbering-gap": ("E303", "regulations/R03-gap.yml", 2),
    "law-without-article": ("E202", "regulations/R01-organization.yml", 21),
    "choice-without-options": ("E207", "forms/F01-volunteer-application.yml", 13),
    "id-number-in-text": ("E401", "regulations/R01-organization.yml", 6),
    "mobile-in-text": ("E402", "regulations/R01-organization.yml", 6),
    "bank-card-in-text": ("E403", "regulations/R01-organization.yml", 6),
}


def _fake_id() -> str:
    """An 18-digit number with a valid check digit, built at run time (never stored in the repository)."""
    body = "11010120000101" + "123"
    for check in "0123456789X":
        if valid_id_number(body + check):
            return body + check
    raise AssertionError


def _fake_card() -> str:
    body = "6222" + "0000" + "1234" + "567"
    for d in "0123456789":
        if luhn(body + d):
            return body + d
    raise AssertionError


PLACEHOLDERS = {"{ID}": _fake_id(), "{MOBILE}": "13" + "8" + "0000" + "0000", "{CARD}": _fake_card()}


def make_project(tmp_path: Path, case: str | None = None) -> Path:
    """A copy of the good example project with the overlay of ``case`` on top."""
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / "good", project)
    if case:
        overlay = EXAMPLES / "bad" / case
        for src in overlay.rglob("*"):
            if src.is_file():
                dst = project / src.relative_to(overlay)
                dst.parent.mkdir(parents=True, exist_ok=True)
                data = src.read_bytes()
                for key, value in PLACEHOLDERS.items():
                    data = data.replace(key.encode(), value.encode())
                dst.write_bytes(data)
    return project


def test_good_example_passes(wugu, tmp_path):
    result = wugu("check", str(make_project(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "检查通过：1 项制度，1 条服务规范，1 张表格，1 个表格包" in result.stdout


def test_utf8_with_bom_is_accepted(wugu, tmp_path):
    project = make_project(tmp_path)
    shutil.copytree(EXAMPLES / "good-variants" / "utf8-bom", project, dirs_exist_ok=True)
    assert wugu("check", str(project)).returncode == 0


def test_every_bad_case_has_an_expectation():
    assert sorted(p.name for p in (EXAMPLES / "bad").iterdir()) == sorted(BAD)


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_gives_code_file_line_and_fix(wugu, tmp_path, case):
    code, file, line = BAD[case]
    project = make_project(tmp_path, case)
    started = time.perf_counter()
    result = wugu("check", str(project), "--format", "json", cwd=project)
    elapsed = time.perf_counter() - started
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr == ""
    report = json.loads(result.stdout)
    found = [(p["code"], p["path"], p["line"]) for p in report["problems"]]
    assert (code, file, line) in found, found
    for p in report["problems"]:
        assert p["fix"].strip(), p
    # "in about a second": generous bound for a loaded CI machine, the alias bomb included
    assert elapsed < 10


def test_text_output_is_one_line_per_problem_then_summary(wugu, tmp_path):
    project = make_project(tmp_path, "unknown-key")
    result = wugu("check", ".", cwd=project)
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("regulations/R01-organization.yml:4:1: error E201: ")
    assert "是不是想写“title”" in lines[0] and " — " in lines[0]
    assert lines[-1].startswith("发现 1 个错误，涉及 1 个文件")


def test_github_format_annotates(wugu, tmp_path):
    project = make_project(tmp_path, "dangling-reference")
    result = wugu("check", ".", "--format", "github", cwd=project)
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=packs/new-volunteer.yml,line=6,col=")


def test_later_phases_wait_for_clean_schema(wugu, tmp_path):
    """A schema error and a dangling reference together: only the schema error is reported."""
    project = make_project(tmp_path, "dangling-reference")
    reg = project / "regulations" / "R01-organization.yml"
    reg.write_text(reg.read_text(encoding="utf-8").replace("title: 服务团", "titel: 服务团"), encoding="utf-8")
    report = json.loads(wugu("check", str(project), "--format", "json").stdout)
    assert [p["code"] for p in report["problems"]] == ["E201"]


def test_contact_phone_holds_a_landline_not_a_mobile(wugu, tmp_path):
    project = make_project(tmp_path)
    profile = project / "wugu.yml"
    text = profile.read_text(encoding="utf-8") + "contact:\n  phone: PHONE\n"  # the base sets no contact
    profile.write_text(text.replace("PHONE", '"0539-0000001"'), encoding="utf-8")
    assert wugu("check", str(project)).returncode == 0
    profile.write_text(text.replace("PHONE", f'"{PLACEHOLDERS["{MOBILE}"]}"'), encoding="utf-8")
    result = wugu("check", str(project))
    assert result.returncode == 1 and "E214" in result.stdout  # a person's number, printed on every form


@pytest.mark.parametrize("args", [["check", "/no/such/folder"], ["check", "--format", "xml"], ["nosuchcommand"]])
def test_usage_errors_exit_2(wugu, tmp_path, args):
    result = wugu(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_folder_without_profile_is_a_usage_error(wugu, tmp_path):
    result = wugu("check", str(tmp_path))
    assert result.returncode == 2
    assert "E501" in result.stdout


def test_help_and_version(wugu):
    assert wugu("--help").returncode == 0
    version = wugu("--version")
    assert version.returncode == 0 and version.stdout.startswith("wugu ")


def test_check_from_inside_a_project_folder(wugu, tmp_path):
    project = make_project(tmp_path)
    result = wugu("check", cwd=project / "regulations")
    assert result.returncode == 0, result.stdout

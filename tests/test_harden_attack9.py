"""Issue 12, round-5 attack: records commands that cannot write say so at every write, not only at the start
(NEW-17), and a pass mark with decimals — also with a full-width point — is no pass mark (NEW-19). Inputs made at
run time."""
from __future__ import annotations

import json
import sys

import pytest

from conftest import copy_project, run_wugu
from records_sample import f04, f07

#: Places no one can write, not even root: /proc/version is a file (ENOTDIR below it), /proc/sys takes no new files.
UNWRITABLE = ["/proc/version/out", "/proc/sys/wugu-out"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
@pytest.mark.parametrize("out", UNWRITABLE)
def test_records_commands_that_cannot_write_say_e505_not_an_internal_error(tmp_path, out):
    records = tmp_path / "visit.json"
    records.write_text(json.dumps([f07()], ensure_ascii=False), encoding="utf-8")
    survey = tmp_path / "survey.json"
    survey.write_text(json.dumps([f04()], ensure_ascii=False, default=str), encoding="utf-8")
    for args in (["records", "template", "--out", out], ["records", "pdf", str(records), "--out", out],
                 ["records", "stats", "--month", "2026-10", str(survey), "--out", out]):
        result = run_wugu(*args, cwd=tmp_path, timeout=300)
        assert result.returncode == 2, (args, result.stdout + result.stderr)
        assert "error E505" in result.stderr and "E524" not in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr and "Errno" not in result.stderr


@pytest.mark.parametrize("mark, code", [("80.5", "E551"), ("80．5", "E551"), ("85", None)])
def test_a_pass_mark_is_a_whole_number_or_e551(tmp_path, mark, code):
    project = copy_project(tmp_path / "p")
    facts = project / "facts.yml"
    text = facts.read_text(encoding="utf-8")
    assert "总分 80 分及以上" in text
    facts.write_text(text.replace("总分 80 分及以上", f"总分 {mark} 分及以上", 1), encoding="utf-8")
    result = run_wugu("check", str(project), "--format", "json", timeout=120)
    codes = {p["code"] for p in json.loads(result.stdout)["problems"]}
    assert (code in codes) if code else ("E551" not in codes), (mark, codes)



def test_a_docs_folder_outside_the_project_is_refused_without_being_walked(tmp_path):
    """docs_dir: ../../.. … up to / made the link check walk every folder above the project — all of /tmp (48 s in
    CI), or / with /proc, which ended in “wugu 内部出错”. It is E514 and nothing outside is read."""
    project = copy_project(tmp_path / "p")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("docs_dir: site", "docs_dir: " + "../" * 40, 1), encoding="utf-8")
    result = run_wugu("check", str(project), "--format", "json", timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert {p["code"] for p in json.loads(result.stdout)["problems"]} == {"E514"}, result.stdout


#: Addresses a browser reads as another host: it takes a backslash in a web address for a slash (round 6, NEW-23).
BACKSLASH_CSS = ['body{background:url("/\\\\127.0.0.1:8765/c1.png")}', "a{background:url(\\\\\\\\127.0.0.1/c2.png)}",
                 '@import "\\\\\\\\127.0.0.1/c3.css";', 'b{background:image-set("/\\\\127.0.0.1/c4.png" 1x)}']
BACKSLASH_PAGES = ['<img src="/\\127.0.0.1/p1.png">', "![x](\\\\\\\\127.0.0.1/p2.png)",
                   '<img src="&#92;&#92;127.0.0.1/p3.png">', '<svg><image href="/\\127.0.0.1/p4.png"/></svg>']


def test_backslash_addresses_to_other_hosts_are_refused_by_the_check(tmp_path):
    project = copy_project(tmp_path / "p")
    css = project / "site" / "css"
    css.mkdir(parents=True)
    for n, rule in enumerate(BACKSLASH_CSS):
        (css / f"x{n}.css").write_text(rule + "\n", encoding="utf-8")
    for n, markup in enumerate(BACKSLASH_PAGES):
        (project / "site" / f"p{n}.md").write_text(f"# 页\n\n{markup}\n", encoding="utf-8")
    result = run_wugu("check", str(project), "--format", "json", timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    flagged = {p["path"] for p in json.loads(result.stdout)["problems"] if p["code"] in ("E211", "E213")}
    assert flagged == {f"site/css/x{n}.css" for n in range(4)} | {f"site/p{n}.md" for n in range(4)}, result.stdout


def test_a_missing_choice_option_lists_its_choices_on_one_line(tmp_path):
    result = run_wugu("init", str(tmp_path / "county"), "--name", "测试县手牵手服务团", timeout=60)
    assert result.returncode == 2 and "只能是：市、县、乡镇" in result.stderr, result.stderr
    assert "\\x0a" not in result.stderr and len(result.stderr.strip().splitlines()) == 1

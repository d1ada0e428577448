"""Issue 12, fourth attack round: what the third review left open — repeat offences in pages at their own lines,
temporary folders a killed build or preview leaves, a preview opened to the network, the edition's CI installing
wugu by a name anyone could take, and click's own usage errors in English. Every hostile input is made at run time.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from wugu.cli import main

from conftest import copy_project, run_wugu


def _problems(project: Path) -> list[dict]:
    result = CliRunner().invoke(main, ["check", str(project), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return json.loads(result.output)["problems"]


# ---- E211: every offence at its own line --------------------------------------------------------------------

def test_each_repeated_offence_in_a_page_is_reported_at_its_own_line(tmp_path):
    project = copy_project(tmp_path / "p")
    page = ("# 关于\n\n<script>alert(1)</script>\n\n正文\n\n<script>alert(2)</script>\n\n"
            "<img src=a.png onerror=alert(3)> <img src=b.png onerror=alert(4)>\n\n正文\n\n"
            "<img src=c.png onerror=alert(5)>\n\n<a href=\"javascript:alert(6)\">x</a>\n\n"
            "<a href=\"javascript:alert(7)\">y</a>\n")
    (project / "site" / "about-us.md").write_text(page, encoding="utf-8")
    lines = {n for n, text in enumerate(page.splitlines(), 1)}
    found = sorted((p["line"], p["message"]) for p in _problems(project) if p["code"] == "E211")
    script = [n for n, m in found if "<script>" in m]
    handler = [n for n, m in found if "onerror" in m]
    address = [n for n, m in found if "javascript" in m]
    assert script == [3, 7], found
    assert handler == [9, 9, 13], found
    assert address == [15, 17], found
    assert set(script + handler + address) <= lines


# ---- temporary folders: nothing left in /tmp, stale ones cleaned ------------------------------------------

def test_a_site_without_pages_leaves_no_temporary_folder_and_stale_ones_go(tmp_path):
    edition = tmp_path / "county"
    result = run_wugu("init", str(edition), "--name", "清河县手牵手服务团", "--level", "县")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (edition / "site").exists()  # an edition with no hand-written pages: an empty docs folder is made
    out = tmp_path / "out" / "site"
    out.parent.mkdir()
    stale = out.parent / ".site.new-killed.docs-abc123"  # what a killed build leaves beside the output
    stale.mkdir()
    (stale / "left.md").write_text("x", encoding="utf-8")
    keep = out.parent / "mine"  # not made by wugu: never touched
    keep.mkdir()
    own_tmp = tmp_path / "tmp"
    own_tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(own_tmp)}
    done = subprocess.run([sys.executable, "-m", "wugu", "build", str(edition), "--out", str(out), "--no-pdf"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "index.html").is_file()
    # nothing of wugu's in the temporary folder (was /tmp/wugu-empty-docs-*); jieba keeps its dictionary cache there
    assert [p.name for p in own_tmp.iterdir() if p.name != "jieba.cache"] == []
    assert sorted(p.name for p in out.parent.iterdir()) == ["mine", "site"]


def test_stale_preview_folders_of_dead_previews_are_removed_and_nothing_else(tmp_path, monkeypatch):
    import tempfile

    from wugu import serve

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / "wugu-serve-999999999-abc"  # a pid no process has
    (dead / "site").mkdir(parents=True)
    (dead / ".wugu-serve").write_text("wugu serve\n", encoding="utf-8")
    alive = tmp_path / f"wugu-serve-{os.getpid()}-def"  # a preview that still runs
    alive.mkdir()
    (alive / ".wugu-serve").write_text("wugu serve\n", encoding="utf-8")
    foreign = tmp_path / "wugu-serve-999999998-ghi"  # named alike, but not made by wugu (no marker)
    foreign.mkdir()
    (foreign / "data.txt").write_text("keep", encoding="utf-8")
    target = tmp_path / "elsewhere"
    (target / ".wugu-serve").parent.mkdir()
    (target / ".wugu-serve").write_text("x", encoding="utf-8")
    (tmp_path / "wugu-serve-999999997-jkl").symlink_to(target)  # a link: never followed, never removed
    serve._clean_stale_previews()
    assert not dead.exists()
    assert alive.is_dir() and foreign.is_dir() and target.is_dir()
    assert (tmp_path / "wugu-serve-999999997-jkl").is_symlink()


# ---- wugu serve -a: a warning when others on the network can open the preview -------------------------------

@pytest.mark.parametrize("host,warned", [("127.0.0.1", False), ("localhost", False), ("[::1]", False),
                                         ("127.0.0.2", False), ("0.0.0.0", True), ("[::]", True),
                                         ("192.168.1.10", True), ("myhost", True)])
def test_a_preview_open_to_the_network_is_warned_about(host, warned):
    from wugu.serve import exposure_warning

    warning = exposure_warning(host)
    assert (warning is not None) == warned
    if warned:
        assert "其他人也能打开" in warning and "127.0.0.1" in warning


def test_serve_on_all_addresses_warns_in_chinese_before_anything_else(tmp_path):
    result = run_wugu("serve", str(tmp_path / "none"), "-a", "0.0.0.0:0")
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith("注意：预览开在本机的所有网络地址上") and "在电脑上填写" in first
    quiet = run_wugu("serve", str(tmp_path / "none"))
    assert "注意：" not in quiet.stderr and quiet.returncode == 2


# ---- wugu init: the CI installs wugu from a pinned source, never by name from PyPI --------------------------

def test_the_edition_ci_installs_wugu_from_a_pinned_source(tmp_path):
    commit = "0123456789abcdef" * 2 + "01234567"
    source = f"git+https://git.example.org/volunteers/wugu.git@{commit}"
    edition = tmp_path / "county"
    result = run_wugu("init", str(edition), "--name", "清河县手牵手服务团", "--level", "县", "--wugu-source", source)
    assert result.returncode == 0, result.stdout + result.stderr
    assert source in result.stdout
    workflow = (edition / ".github" / "workflows" / "wugu.yml").read_text(encoding="utf-8")
    steps = yaml.safe_load(workflow)["jobs"]["check-and-build"]["steps"]
    runs = "\n".join(str(s.get("run", "")) for s in steps)
    assert "pip install -r requirements-wugu.txt" in runs
    assert "pip install wugu" not in runs and "wugu==" not in runs and '"wugu' not in runs
    lines = [x for x in (edition / "requirements-wugu.txt").read_text(encoding="utf-8").splitlines()
             if x and not x.startswith("#")]
    assert lines == [f"wugu @ {source}"]
    readme = (edition / "README.md").read_text(encoding="utf-8")
    assert "requirements-wugu.txt" in readme and "抢注" in readme


def test_a_vendored_wheel_is_a_pinned_source_too(tmp_path):
    edition = tmp_path / "county"
    result = run_wugu("init", str(edition), "--name", "清河县服务团", "--level", "县",
                      "--wugu-source", "vendor/wugu-1.0-py3-none-any.whl")
    assert result.returncode == 0, result.stderr
    assert "./vendor/wugu-1.0-py3-none-any.whl\n" in (edition / "requirements-wugu.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("source", ["wugu", "wugu==0.1.0", "git+https://github.com/x/wugu",  # unpinned
                                    "git+http://github.com/x/wugu@v1.0", "--index-url=https://evil.example/ wugu",
                                    "../outside/wugu.whl", "/abs/wugu.whl", "https://evil.example/wugu.whl",
                                    "git+https://github.com/x/wugu@v1.0\n--extra-index-url https://evil"])
def test_an_unpinned_or_outside_source_is_refused_and_nothing_is_made(tmp_path, source):
    edition = tmp_path / "county"
    result = run_wugu("init", str(edition), "--name", "清河县服务团", "--level", "县", "--wugu-source", source)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "E503" in result.stderr and "--wugu-source" in result.stderr
    assert not (edition / "wugu.yml").exists()


def test_without_a_known_source_the_ci_stops_with_a_chinese_error(tmp_path):
    edition = tmp_path / "county"
    result = run_wugu("init", str(edition), "--name", "清河县服务团", "--level", "县")
    assert result.returncode == 0
    text = (edition / "requirements-wugu.txt").read_text(encoding="utf-8")
    if any(x and not x.startswith("#") for x in text.splitlines()):
        pytest.skip("this wugu was installed from a pinned source")
    assert "requirements-wugu.txt" in result.stderr and "--wugu-source" in result.stderr
    step = next(s for s in yaml.safe_load((edition / ".github/workflows/wugu.yml").read_text(encoding="utf-8"))
                ["jobs"]["check-and-build"]["steps"] if "requirements-wugu.txt" in str(s.get("run", "")))
    done = subprocess.run(["bash", "-c", step["run"].replace("pip install", "echo would-install")], cwd=edition,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1 and "::error file=requirements-wugu.txt::" in done.stdout
    assert "would-install" not in done.stdout


# ---- click's usage errors in Chinese --------------------------------------------------------------------------

@pytest.mark.parametrize("args,needle", [
    (["check", "--fo"], "--format"),                   # unknown option, with the likely one
    (["init"], "缺少参数"),                              # missing argument
    (["init", "x", "--level", "县"], "缺少选项"),         # missing option
    (["init", "x", "--name", "a", "--level", "省"], "市"),  # a value not among the choices
    (["exam", "--count", "abc"], "不是整数"),             # not a number
    (["exam", "--count", "0"], "范围"),                  # out of range
    (["nosuch"], "没有命令"),                             # unknown command
    (["check", "a", "b"], "多写了参数"),                  # extra argument
    (["records", "check"], "缺少参数"),                   # a sub-group's command
    (["build", "--out"], "后面要写一个值"),                # an option without its value
])
def test_usage_errors_are_one_chinese_problem_line_with_exit_code_2(args, needle):
    result = run_wugu(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert " error E528: " in lines[0] and needle in lines[0], lines[0]
    assert "--help" in lines[0]  # how to fix: where to read the usage
    for english in ("Usage:", "Error:", "Try '", "Missing", "No such", "Invalid value", "is not"):
        assert english not in result.stderr


@pytest.mark.parametrize("args", [["--help"], ["init", "--help"], ["records", "check", "-h"], ["exam", "-h"]])
def test_help_is_in_chinese(args):
    result = run_wugu(*args)
    assert result.returncode == 0
    assert result.stdout.startswith("用法: wugu")
    assert "选项:" in result.stdout and "显示这段说明后退出。" in result.stdout
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "[OPTIONS]", "TEXT", "INTEGER",
                    "[default:", "[required]"):
        assert english not in result.stdout, english


def test_help_of_a_group_without_a_command_exits_2_with_the_help():
    result = run_wugu()
    assert result.returncode == 2
    assert "用法: wugu" in result.stderr and "命令:" in result.stderr

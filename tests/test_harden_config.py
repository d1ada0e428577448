"""Hardening, classes 5 and 6: mkdocs.yml never runs code; ``wugu init`` never destroys or mis-writes files.

Every test attacks the real CLI on a copy of the shipped content.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from wugu.cli import main

from conftest import ROOT, copy_project, run_wugu


def _codes(result) -> list[str]:
    return re.findall(r"error (E\d{3})", result.stdout + result.stderr)


def _with_config(tmp_path: Path, extra: str) -> Path:
    project = copy_project(tmp_path / "p")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return project


def _config_line(project: Path, needle: str) -> int:
    lines = (project / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_shipped_mkdocs_yml_has_no_python_tags():
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "!!python" not in text


@pytest.mark.parametrize("tag", [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
    "!!python/name:os.system",
    "!custom 'x'",
])
def test_a_tag_in_mkdocs_yml_is_a_check_error_and_runs_nothing(tmp_path, wugu, tag):
    marker = tmp_path / "PWNED"
    project = _with_config(tmp_path, f"extra:\n  x: {tag.format(marker=marker)}\n")
    line = _config_line(project, "  x: !")
    if "apply:os.system" in tag:  # one build through a separate process suffices
        result = wugu("build", str(project), "--no-pdf")
        assert result.returncode == 1 and "E513" in _codes(result), result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    result = CliRunner().invoke(main, ["check", str(project)])  # the same CLI, in-process (faster)
    assert result.exit_code == 1 and "E513" in re.findall(r"error (E\d{3})", result.output)
    assert f"mkdocs.yml:{line}:" in result.output
    assert not marker.exists()
    result = CliRunner().invoke(main, ["check", str(project), "--format", "json"])
    assert json.loads(result.output)["problems"][0]["line"] == line


def test_hooks_and_custom_templates_are_refused(tmp_path, wugu):
    marker = tmp_path / "PWNED"
    project = copy_project(tmp_path / "p")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "theme:\n  name: material\n" in text
    config.write_text(text.replace("theme:\n  name: material\n",
                                   "hooks:\n  - evil.py\ntheme:\n  custom_dir: overrides\n  name: material\n"),
                      encoding="utf-8")
    (project / "evil.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n", encoding="utf-8")
    (project / "overrides").mkdir()
    result = wugu("build", str(project), "--no-pdf")
    assert result.returncode == 1, result.stdout + result.stderr
    assert _codes(result).count("E514") == 2
    assert not marker.exists()


def test_env_tag_reads_only_wugu_variables(tmp_path):
    import os
    import subprocess
    import sys

    project = _with_config(tmp_path, "extra:\n  secret: !ENV GITHUB_TOKEN\n")
    env = {**os.environ, "GITHUB_TOKEN": "ghp_secret_value"}
    result = subprocess.run([sys.executable, "-m", "wugu", "check", str(project)], capture_output=True, text=True,
                            env=env)
    assert result.returncode == 1 and "E515" in _codes(result) and "ghp_secret_value" not in result.stdout
    # MkDocs' own tags keep working for the allowed variables
    project = _with_config(tmp_path / "ok", "site_description: !ENV [WUGU_DESCRIPTION, 默认的网站说明]\n")
    env = {**os.environ, "WUGU_DESCRIPTION": "本县的志愿服务手册"}
    result = subprocess.run([sys.executable, "-m", "wugu", "build", str(project), "--no-pdf"], capture_output=True,
                            text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "本县的志愿服务手册" in (project / "build" / "site" / "index.html").read_text(encoding="utf-8")
    # the heading anchors (slugify, no longer named by a tag in mkdocs.yml) still keep Chinese
    assert '<h2 id="条文"' in (project / "build" / "site" / "regulations" / "R01.html").read_text(encoding="utf-8")


def test_a_broken_mkdocs_yml_is_found_by_the_check_too(tmp_path, wugu):
    project = _with_config(tmp_path, "extra: [unclosed\n")
    result = wugu("check", str(project))
    assert result.returncode == 2 and "E512" in _codes(result) and "Traceback" not in result.stderr


# ---- wugu init ------------------------------------------------------------------------------------------------

def test_init_keeps_existing_files_and_says_so(tmp_path, wugu):
    folder = tmp_path / "county"
    mine = {"README.md": "# 我们自己的说明\n", ".gitignore": "secret/\n", "mkdocs.yml": "site_name: 我们的网站\n",
            ".github/workflows/wugu.yml": "name: ours\n"}
    for rel, text in mine.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    result = wugu("init", str(folder), "--name", "示例县手牵手孤困儿童心理辅导志愿服务团", "--level", "县")
    assert result.returncode == 0, result.stdout + result.stderr
    for rel, text in mine.items():
        assert (folder / rel).read_text(encoding="utf-8") == text, rel
        assert rel.split("/")[-1] in result.stdout
    assert result.stdout.count("保留") == len(mine)
    assert (folder / "wugu.yml").is_file() and (folder / "local" / "overrides.yml").is_file()
    assert wugu("check", cwd=folder).returncode == 0


def test_init_writes_option_values_through_a_serializer(tmp_path, wugu):
    folder = tmp_path / "county"
    name = "示例县: {a: 1} #不是注释 \"引号\" 'b' & *c !tag"
    result = wugu("init", str(folder), "--name", name, "--short-name", "示例: [x]", "--level", "县",
                  "--parent", "- 列表?", "--address", "%YAML", "--phone", "0000-0000000")
    assert result.returncode == 0, result.stdout + result.stderr
    profile = yaml.safe_load((folder / "wugu.yml").read_text(encoding="utf-8"))
    assert profile["name"] == name and profile["short_name"] == "示例: [x]" and profile["parent"] == "- 列表?"
    config = yaml.safe_load((folder / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config == {"site_name": "示例: [x]"}
    assert wugu("check", cwd=folder).returncode == 0


@pytest.mark.parametrize("option", ["--name", "--short-name", "--parent"])
def test_init_refuses_line_breaks_and_controls(tmp_path, wugu, option):
    args = {"--name": "示例县服务团", "--short-name": None, "--parent": None}
    args[option] = "示例县\nhooks: [evil.py]\x1b[2J"
    argv = [x for k, v in args.items() if v is not None for x in (k, v)]
    result = wugu("init", str(tmp_path / "x"), *argv, "--level", "县")
    assert result.returncode == 2 and "E517" in _codes(result)
    assert not (tmp_path / "x" / "wugu.yml").exists() and "\x1b" not in result.stderr

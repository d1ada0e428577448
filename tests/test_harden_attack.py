"""Hardening, second round: the attacker review's findings, each attacked through the real CLI.

Every test copies the shipped content into ``tmp_path``, plants what a malicious pull request could plant, and
runs ``wugu check`` (in-process through click's runner, which is the same command) or ``wugu build`` (a real
process). Findings: 1 Markdown extensions, 2 output through links, 4 plugins, 6 mkdocs.yml values in the page
chrome, 7 characters no text may hold, 8 the smaller ones (init over a link, ``site -> /etc``, a folder named
like a YAML file, ``!!timestamp``). Findings 3 and 5 and the pages of ``site/`` are in test_harden_pages.py.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from wugu.cli import main

from conftest import copy_project


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "p")


def _check(project: Path, *more: str):
    result = CliRunner().invoke(main, ["check", str(project), *more])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception  # no traceback
    return result


def _codes(output: str) -> list[str]:
    return re.findall(r"error (E\d{3})", output)


def _problems(project: Path) -> list[dict]:
    result = _check(project, "--format", "json")
    return json.loads(result.output)["problems"]


def _edit_config(project: Path, change) -> None:
    """Change mkdocs.yml as data (the shipped one has no tags), write it back as YAML."""
    config = project / "mkdocs.yml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    change(data)
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _line_of(project: Path, needle: str, name: str = "mkdocs.yml") -> int:
    lines = (project / name).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


# ---- finding 1: Markdown extensions are an allowlist, compared by module name -----------------------------------

@pytest.mark.parametrize("spelling", [
    "pymdownx.snippets",
    "pymdownx.snippets:SnippetExtension",
    " pymdownx.snippets:SnippetExtension",
    "pymdownx.b64",
    "some_unknown_extension",
])
def test_extensions_not_on_the_allowlist_are_refused_in_any_spelling(project, spelling):
    _edit_config(project, lambda d: d["markdown_extensions"].append({spelling: {"base_path": ["/"]}}))
    (project / "site" / "x.md").write_text('# x\n\n--8<-- "/etc/hostname"\n', encoding="utf-8")
    result = _check(project)
    assert result.exit_code == 1, result.output
    assert _codes(result.output) == ["E518"]
    assert f"mkdocs.yml:{_line_of(project, spelling.strip())}:" in result.output
    assert "删掉这一项" in result.output and "toc" in result.output  # how to fix: the allowlist


def test_snippets_by_class_name_reads_no_file_into_the_site(project, wugu, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-TOKEN-4711\n", encoding="utf-8")
    _edit_config(project, lambda d: d["markdown_extensions"].append(
        {"pymdownx.snippets:SnippetExtension": {"base_path": ["/"]}}))
    (project / "site" / "x.md").write_text(f'# x\n\n--8<-- "{secret}"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = wugu("build", str(project), "--no-pdf", "--out", str(out))
    assert result.returncode == 1 and "E518" in _codes(result.stdout + result.stderr)
    assert "Traceback" not in result.stderr and not out.exists()


def test_allowed_extensions_under_their_full_names_pass(project):
    _edit_config(project, lambda d: d["markdown_extensions"].extend(["markdown.extensions.footnotes",
                                                                      "pymdownx.details", {"abbr": {}}]))
    result = _check(project)
    assert result.exit_code == 0, result.output


# ---- finding 2: the output folder is never reached through a link ---------------------------------------------

@pytest.mark.parametrize("link", ["build", "build/site", "--out"])
def test_output_through_a_link_is_refused(project, tmp_path, wugu, link):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep\n", encoding="utf-8")
    args = ["build", str(project), "--no-pdf"]
    if link == "--out":
        out = tmp_path / "out-link"
        out.symlink_to(victim)
        args += ["--out", str(out)]
    else:
        (project / link).parent.mkdir(parents=True, exist_ok=True)
        (project / link).symlink_to(victim)
    result = CliRunner().invoke(main, args)  # the real command, in-process
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert _codes(result.output) == ["E521"]
    assert "符号链接" in result.output and "删掉这个链接" in result.output
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]  # nothing written there, nothing removed
    if link == "build":  # wugu pdf (and its cache under build/) are refused the same way, in a real process
        result = wugu("pdf", str(project))
        assert result.returncode == 2 and _codes(result.stderr) == ["E521"] and "Traceback" not in result.stderr
        assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]


# ---- finding 4: plugins are an allowlist ---------------------------------------------------------------------

def test_plugins_not_on_the_allowlist_are_refused(project):
    _edit_config(project, lambda d: d["plugins"].extend(
        ["social", {"privacy": {}}, {"material/info": {"enabled": True}}, {"search": {"jieba_dict": "/etc/passwd"}}]))
    problems = _problems(project)
    assert [p["code"] for p in problems] == ["E519", "E519", "E519", "E520"]
    assert all(p["path"].endswith("mkdocs.yml") for p in problems)
    assert [p["line"] for p in problems[:3]] == [_line_of(project, "- social"), _line_of(project, "privacy"),
                                                 _line_of(project, "material/info")]


# ---- finding 6: mkdocs.yml values that reach every page raw ------------------------------------------------

def test_settings_that_would_put_script_or_outside_addresses_into_pages_are_refused(project):
    def attack(d):
        d["repo_url"] = "javascript:alert(1)"
        d["extra_javascript"] = ["https://evil.example/x.js"]
        d["extra_templates"] = ["x.html"]
        d["extra_css"] = ["https://evil.example/x.css"]
        d["extra"] = {"analytics": {"provider": "google", "property": "G-X"}, "polyfills": ["https://evil/x.js"],
                      "social": [{"icon": "fontawesome/brands/github", "link": "javascript:alert(1)"},
                                 {"icon": "../../base", "link": "https://ok.example/"}]}
        d["theme"]["palette"]["primary"] = 'teal"><script>alert(1)</script>'
        d["theme"]["logo"] = "https://tracker.example/logo.png"
        d["nav"] = [{"首页": "index.md"}, {"x": "javascript:alert(1)"}]
    _edit_config(project, attack)
    problems = _problems(project)
    found = {(p["code"], _key(p["message"])) for p in problems}
    assert found == {
        ("E514", "extra_javascript"), ("E514", "extra_templates"), ("E514", "extra.analytics"),
        ("E514", "extra.polyfills"), ("E520", "repo_url"), ("E520", "extra_css 第 1 项"),
        ("E520", "extra.social 第 1 项 link"), ("E520", "extra.social 第 2 项 icon"),
        ("E520", "theme.palette.primary"), ("E520", "theme.logo"), ("E520", "nav 第 2 项 x"),
    }, problems
    assert all(p["line"] > 1 for p in problems)


def _key(message: str) -> str:
    return re.match(r"网站设置“([^”]+)”", message).group(1)


def test_markup_in_allowed_settings_is_escaped_on_every_page(project, wugu, tmp_path):
    def settings(d):
        d["repo_url"] = "https://example.org/shouce"
        d["repo_name"] = "<script>alert('repo')</script>"
        d["extra"] = {"social": [{"icon": "fontawesome/brands/github", "link": "https://example.org/x",
                                  "name": "<img src=x onerror=alert('social')>"}]}
        d["theme"]["palette"] = [
            {"scheme": "default", "primary": "teal",
             "toggle": {"icon": "material/brightness-7", "name": "<b onmouseover=alert('toggle')>深色</b>"}},
            {"scheme": "slate", "toggle": {"icon": "material/brightness-4", "name": "浅色"}}]
        d["copyright"] = "<script>alert('copyright')</script>"
    _edit_config(project, settings)
    (project / "site" / "about.md").write_text(  # front matter lands in the title, navigation and search index
        "---\ntitle: <img src=x onerror=alert('title')>\ndescription: '\"><script>alert(\"desc\")</script>'\n"
        "tags: ['<b onclick=x>报警</b>']\n---\n\n# 关于\n\n普通文字。\n", encoding="utf-8")
    out = tmp_path / "out"
    result = wugu("build", str(project), "--no-pdf", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;repo&#39;)" in page
    for raw in ("<script>alert(", "<img src=x", "<b onmouseover", "alert('social')", "alert('toggle')"):
        assert raw not in page, raw
    for built in [*out.glob("*.html"), out / "search" / "search_index.json"]:
        text = built.read_text(encoding="utf-8")
        for raw in ("<img src=x", "<script>alert(\"desc", "<b onclick", "\u003cimg src=x"):
            assert raw not in text, (built.name, raw)
    assert "&lt;img src=x onerror=alert(&#39;title&#39;)&gt;" in (out / "about.html").read_text(encoding="utf-8")


# ---- finding 7: characters no text may hold ----------------------------------------------------------------

@pytest.mark.parametrize("escape", ["\\0", "\\ud800", "\\x1b[2J", "\\u202e"])
def test_nul_surrogates_and_controls_in_titles_are_e116_at_their_line(project, escape):
    path = project / "forms" / "F01-registration.yml"
    if not path.exists():
        path = sorted((project / "forms").glob("F01*.yml"))[0]
    text = path.read_text(encoding="utf-8")
    title = re.search(r"^title: .*$", text, re.M)
    path.write_text(text.replace(title.group(), f'title: "报名表{escape}"', 1), encoding="utf-8")
    line = text[:title.start()].count("\n") + 1
    for fmt in ("text", "github") if escape == "\\0" else ():
        result = _check(project, "--format", fmt)
        assert result.exit_code == 1, result.output
        assert "\x00" not in result.output and "\x1b" not in result.output
    problems = _problems(project)
    assert [(p["code"], p["path"], p["line"]) for p in problems] == [("E116", f"forms/{path.name}", line)]


def test_nul_in_mkdocs_yml_is_e116_too(project):
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + 'copyright: "a\\0b"\n', encoding="utf-8")
    problems = _problems(project)
    assert [(p["code"], p["line"]) for p in problems] == [("E116", _line_of(project, "copyright:"))]


# ---- finding 8: the smaller ones ---------------------------------------------------------------------------

def test_init_over_a_dangling_wugu_yml_link_is_a_clear_error(tmp_path, wugu):
    folder = tmp_path / "county"
    folder.mkdir()
    (folder / "wugu.yml").symlink_to(tmp_path / "nowhere" / "wugu.yml")
    result = wugu("init", str(folder), "--name", "示例县手牵手服务团", "--level", "县")
    assert result.returncode == 2 and _codes(result.stderr) == ["E521"], result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "nowhere").exists()


def test_init_never_writes_through_a_link_in_the_folder(tmp_path, wugu):
    folder = tmp_path / "county"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "local").symlink_to(elsewhere)
    result = wugu("init", str(folder), "--name", "示例县手牵手服务团", "--level", "县")
    assert result.returncode == 2 and _codes(result.stderr) == ["E521"], result.stderr
    assert list(elsewhere.iterdir()) == []


def test_site_linked_to_etc_is_one_clear_error(project):
    import shutil

    shutil.rmtree(project / "site")
    (project / "site").symlink_to("/etc")
    result = _check(project)
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if ": error " in line] == [
        line for line in result.output.splitlines() if line.startswith("site: error E113")]
    assert len(_codes(result.output)) == 1


@pytest.mark.parametrize("target", [".git", ".git/config"])
def test_links_into_the_git_folder_are_refused_even_inside_the_project(project, target):
    (project / ".git").mkdir()
    (project / ".git" / "config").write_text("[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n")
    if target == ".git":
        import shutil

        shutil.rmtree(project / "site")
        (project / "site").symlink_to(".git")
        where = "site"
    else:
        (project / "site" / "config.txt").symlink_to(project / target)
        where = "site/config.txt"
    problems = _problems(project)
    assert [(p["code"], p["path"]) for p in problems] == [("E523", where)]


def test_links_out_of_the_docs_folder_are_refused(project):
    (project / "site" / "r.md").symlink_to(project / "regulations" / sorted(os.listdir(project / "regulations"))[0])
    problems = _problems(project)
    assert [(p["code"], p["path"]) for p in problems] == [("E523", "site/r.md")]


def test_a_folder_named_like_a_yaml_file_is_reported(project):
    (project / "regulations" / "R99-x.yml").mkdir()
    problems = _problems(project)
    assert [(p["code"], p["path"]) for p in problems] == [("E117", "regulations/R99-x.yml")]


@pytest.mark.parametrize("value", ["!!timestamp 2026-01-01", "!!timestamp 本手册拟定"])
def test_timestamp_tag_on_a_text_field_is_refused(project, value):
    path = sorted((project / "regulations").glob("R01*.yml"))[0]
    text = path.read_text(encoding="utf-8")
    title = re.search(r"^title: .*$", text, re.M)
    path.write_text(text.replace(title.group(), f"title: {value}", 1), encoding="utf-8")
    problems = _problems(project)
    line = text[:title.start()].count("\n") + 1
    assert [(p["code"], p["path"], p["line"]) for p in problems] == [("E118", f"regulations/{path.name}", line)]


def test_records_output_never_goes_through_a_link(project, tmp_path, wugu):
    victim = tmp_path / "victim"
    victim.mkdir()
    (project / "records").symlink_to(victim)
    result = wugu("records", "template", "WG-F04", cwd=project)
    assert result.returncode == 2 and _codes(result.stderr) == ["E521"], result.stdout + result.stderr
    assert list(victim.iterdir()) == []
    (project / "records").unlink()
    (project / "records" / "templates").mkdir(parents=True)
    precious = victim / "precious.xlsx"
    precious.write_bytes(b"keep")
    (project / "records" / "templates" / "WG-F04.xlsx").symlink_to(precious)  # a planted file link
    result = wugu("records", "template", "WG-F04", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert precious.read_bytes() == b"keep"
    assert not (project / "records" / "templates" / "WG-F04.xlsx").is_symlink()


def test_a_site_url_with_markup_is_refused(project):
    profile = project / "wugu.yml"
    text = profile.read_text(encoding="utf-8")
    if not re.search(r"^site_url: .*$", text, re.M):  # the base sets no site address (issue 9): give the copy one
        text = text.rstrip("\n") + "\nsite_url: https://shouqianshou.linyi.org.cn/wugu/\n"
    url = re.search(r"^site_url: .*$", text, re.M)
    assert url is not None
    profile.write_text(text.replace(url.group(), 'site_url: "https://example.org/\\"><script>alert(1)</script>/"'),
                       encoding="utf-8")
    problems = _problems(project)
    assert [(p["code"], p["line"]) for p in problems] == [("E205", text[:url.start()].count("\n") + 1)]


def test_an_unforeseen_failure_is_one_chinese_line_not_a_traceback(project, monkeypatch):
    import wugu.cli

    def broken(directory):
        raise RuntimeError("boom")

    monkeypatch.setattr(wugu.cli, "run_check", broken)
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert _codes(result.output) == ["E524"] and "RuntimeError: boom" in result.output
    assert "Traceback" not in result.output


def test_mkdocs_yml_linked_outside_is_not_read_and_a_pipe_does_not_hang(project, tmp_path):
    secret = tmp_path / "secret.yml"
    secret.write_text('repo_url: "SECRET-TOKEN-4711"\n', encoding="utf-8")
    (project / "mkdocs.yml").unlink()
    (project / "mkdocs.yml").symlink_to(secret)
    result = _check(project)
    assert result.exit_code == 1 and _codes(result.output) == ["E113"]
    assert "SECRET-TOKEN-4711" not in result.output  # not even quoted back in a message
    (project / "mkdocs.yml").unlink()
    os.mkfifo(project / "mkdocs.yml")
    result = _check(project)
    assert result.exit_code == 1 and _codes(result.output) == ["E109"]

"""Issue 12, fifth round (r12 attacker findings 0, 0b and 1): ``mkdocs.yml`` is read against allow-lists — of
top-level and ``extra`` settings, of each Markdown extension's options (with the values each may take), and of the
names under ``theme:`` — instead of deny-lists. Every hostile input is made at run time, on a copy of the shipped
project, and driven through the real command line; what the lists let through builds with no script from input.
"""
from __future__ import annotations

import json
from pathlib import Path

import yaml

from conftest import copy_project, run_wugu

SCRIPT = "<img src=x onerror=document.body.setAttribute('data-pwned','yes')>"


def _check(project: Path) -> tuple[int, list[dict], str]:
    result = run_wugu("check", ".", "--format", "json", cwd=project, timeout=120)
    assert "Traceback" not in result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout)["problems"], result.stdout + result.stderr


def _edit_config(project: Path, change) -> list[str]:
    path = project / "mkdocs.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return path.read_text(encoding="utf-8").splitlines()


def test_settings_options_and_theme_names_off_the_allow_lists_are_refused_at_their_lines(tmp_path):
    project = copy_project(tmp_path / "p")

    def change(data: dict) -> None:
        data["markdown_extensions"][0]["toc"]["title"] = SCRIPT  # printed raw by mkdocs-material on every page
        data["markdown_extensions"][0]["toc"]["marker"] = "[目录]"  # harmless text, but not on the list
        data["markdown_extensions"] += [
            {"smarty": {"substitutions": {"ellipsis": "……"}}},  # raw HTML on every generated page with "..."
            {"fenced_code": {"lang_prefix": "lang-"}},  # lands in an attribute unescaped
            {"footnotes": {"SUPERSCRIPT_TEXT": "{0.__class__}"}},  # a format string
            {"tables": {"use_align_attribute": "yes"}},  # a switch written as text
            {"pymdownx.highlight": {"auto_title_map": {"Python": {"title": "<b>", "mode": "html"}},  # stored raw
                                    "language_prefix": "x", "pygments_lang_class": True}},
        ]
        data["theme"]["icon"] = {"admonition": {"x:0}</style>" + SCRIPT + "<style>:root{--y": "material/alert"}}
        data["site_dir"] = "/tmp"
        data["watch"] = ["/etc"]
        data["extra"] = {"made_up": "x", "social": []}

    lines = _edit_config(project, change)
    code, problems, out = _check(project)
    assert code == 1, out
    assert all(p["path"] == "mkdocs.yml" for p in problems)
    found = {(p["code"], lines[p["line"] - 1].strip().split(":")[0].strip("- '\"")) for p in problems}
    assert found == {("E520", "title"), ("E520", "marker"), ("E520", "substitutions"), ("E520", "lang_prefix"),
                     ("E520", "SUPERSCRIPT_TEXT"), ("E520", "use_align_attribute"), ("E520", "auto_title_map"),
                     ("E520", "language_prefix"), ("E541", "x"),
                     ("E540", "site_dir"), ("E540", "watch"), ("E540", "made_up")}, problems
    by_key = {p["message"]: p for p in problems}
    sub = next(p for m, p in by_key.items() if "smarty: substitutions" in m)
    assert "smart_dashes" in sub["fix"] and "清单" in sub["message"]  # says what may be written instead
    title = next(p for m, p in by_key.items() if "toc: title" in m)
    assert "普通文字" in title["message"]
    icon = next(p for p in problems if p["code"] == "E541")
    assert "theme.icon.admonition" in icon["message"] and "字母" in icon["fix"]
    site_dir = next(p for m, p in by_key.items() if "“site_dir”" in m)
    assert "--out" in site_dir["message"] and "docs_dir" in site_dir["fix"]
    # the build refuses the same and writes nothing
    result = run_wugu("build", ".", "--no-pdf", "--out", str(tmp_path / "out"), cwd=project, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "E541" in result.stdout + result.stderr and not (tmp_path / "out").exists()


def test_what_the_allow_lists_let_through_builds_with_no_script_from_input(tmp_path):
    project = copy_project(tmp_path / "p")

    def change(data: dict) -> None:
        data["markdown_extensions"][0]["toc"].update(title="本页目录", toc_depth="2-3")
        data["markdown_extensions"] += [{"smarty": {"smart_dashes": True, "smart_quotes": False}},
                                        {"footnotes": {"BACKLINK_TEXT": "返回", "SUPERSCRIPT_TEXT": "{}"}},
                                        "pymdownx.details", {"pymdownx.superfences": {"css_class": "code-box"}}]
        data["theme"]["icon"] = {"admonition": {"note": "material/alert"}}
        data["extra"] = {"social": [{"icon": "fontawesome/brands/weixin", "link": "https://example.org/wx",
                                     "name": "公众号"}]}
    _edit_config(project, change)
    (project / "site" / ".htaccess").write_text("Redirect 301 / https://evil.example/\n", encoding="utf-8")
    (project / "site" / "note.md").write_text("# 说明\n\n正文……也可以 -- 这样写[^1]。\n\n[^1]: 注释\n",
                                              encoding="utf-8")
    code, problems, out = _check(project)
    assert code == 0 and problems == [], out
    out_dir = tmp_path / "out"
    result = run_wugu("build", ".", "--no-pdf", "--out", str(out_dir), cwd=project, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "本页目录" in (out_dir / "regulations" / "R01.html").read_text(encoding="utf-8")
    assert "返回" in (out_dir / "note.html").read_text(encoding="utf-8")
    assert not (out_dir / ".htaccess").exists()
    for page in out_dir.rglob("*.html"):
        assert "data-pwned" not in page.read_text(encoding="utf-8"), page


def test_mkdocs_yml_values_that_would_break_the_build_are_check_errors_at_their_lines(tmp_path):
    """r12 new 14: values the check let through and MkDocs then refused in the build, in English or with Python
    traceback text (exit 2, or 'report this to the maintainer'). Now each is E520 at its own line, exit 1."""
    project = copy_project(tmp_path / "p")

    def change(data: dict) -> None:
        data["markdown_extensions"][0]["toc"].update(baselevel="abc", slugify="os.system")
        data["markdown_extensions"] += [{"smarty": {"substitutions": 5}}, {"pymdownx.progressbar": {
            "progress_increment": 0}}]
        data["validation"] = {"links": {"anchors": "loud"}, "omitted_files": "bogus", "made_up": "warn"}
        data["use_directory_urls"] = "yes"
        data["site_description"] = 5
        data["extra"] = None
        data["plugins"] = ["wugu", "search", {"offline": {"enabled": "maybe"}}]
        data["nav"] = ["index.md", {"更多": ["about.md", 5]}]
        data["theme"].update(features=5, palette=5)
    lines = _edit_config(project, change)
    code, problems, out = _check(project)
    assert code == 1, out
    found = sorted(lines[p["line"] - 1].strip().split(":")[0].strip("- '\"") for p in problems)
    assert {p["code"] for p in problems} == {"E520"}, problems
    assert found == sorted(["baselevel", "slugify", "substitutions", "progress_increment", "anchors",
                            "omitted_files", "made_up", "use_directory_urls", "site_description", "extra",
                            "enabled", "5", "features", "palette"]), problems
    assert all("Traceback" not in p["message"] and 'File "' not in p["message"] for p in problems)
    result = run_wugu("build", ".", "--no-pdf", "--out", str(tmp_path / "out"), cwd=project, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr and not (tmp_path / "out").exists()


def test_the_built_page_scan_reads_svg_xml_and_xhtml_files_too(tmp_path):
    """The last guard before the new site replaces the old one reads every file a browser opens as a document:
    an SVG, XML or XHTML file with a handler or a script address stops the build (E530), whatever put it there."""
    import pytest

    from wugu.errors import WuguError
    from wugu.render.sitebuild import _refuse_active_pages

    site = tmp_path / "site"
    (site / "img").mkdir(parents=True)
    (site / "index.html").write_text("<p>正常</p>\n", encoding="utf-8")
    (site / "img" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>\n',
                                          encoding="utf-8")
    _refuse_active_pages(site)  # clean files pass
    (site / "img" / "bad.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>\n',
                                         encoding="utf-8")
    (site / "feed.xml").write_text('<a><b href="javascript:alert(1)">x</b></a>\n', encoding="utf-8")
    (site / "page.xht").write_text('<html><body><img src="x" onerror="alert(1)"/></body></html>\n', encoding="utf-8")
    with pytest.raises(WuguError) as caught:
        _refuse_active_pages(site)
    assert sorted((p.code, p.path) for p in caught.value.problems) == [
        ("E530", "feed.xml"), ("E530", "img/bad.svg"), ("E530", "page.xht")]

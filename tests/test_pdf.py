"""The printable PDFs, checked on real files made by the real command line (`wugu pdf`).

One cold build (no cache) of a copy of the base handbook is shared by the tests of this file; a second cold build
and a warm one (from the cache) must give byte-identical files.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wugu.paths import form_pdf, guide_pdf, pack_pdf
from wugu.render.pdf import paper_sections
from wugu.validate import load_handbook

from conftest import ROOT, copy_project, run_wugu


def _sums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.pdf"))}


def _text_pages(pdf: Path, raw: bool = True) -> list[str]:
    args = ["pdftotext", "-enc", "UTF-8"] + (["-raw"] if raw else []) + [str(pdf), "-"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def built(pdf_build):
    """A copy of the base handbook, built once from cold (shared with tests/test_pdf_layout.py):
    (project, output folder, CLI result, seconds)."""
    return pdf_build


@pytest.fixture(scope="module")
def handbook():
    return load_handbook(ROOT)


def test_every_form_and_pack_has_a_pdf_and_progress_lines(built, handbook):
    _project, out, result, _seconds = built
    names = {p.name for p in out.glob("*.pdf")}
    expected = {form_pdf(f) for f in handbook.forms} | {pack_pdf(p) for p in handbook.packs}
    expected |= {guide_pdf(g) for g in handbook.printed_guides}  # the emergency card (tests/test_guide_pdf.py)
    assert names == expected
    for name in expected:  # one progress line per PDF, in Chinese
        assert re.search(rf"^(已生成|未改动)\s+{re.escape(name)}$", result.stdout, re.M), name
    assert "完成：" in result.stdout
    assert "Traceback" not in result.stderr


def _embedded_font_names(pdf: Path) -> set[str]:
    """The PostScript names inside the font programs embedded in a PDF (not the names the PDF gives them)."""
    import io

    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(pdf).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                stream = next(descriptor[k] for k in ("/FontFile3", "/FontFile2", "/FontFile") if k in descriptor)
                names.add(TTFont(io.BytesIO(stream.get_object().get_data()))["name"].getDebugName(6))
    return names


def test_fonts_are_embedded_simplified_chinese(built):
    _project, out, _result, _seconds = built
    for pdf in sorted(out.glob("*.pdf")):
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = listing.splitlines()[2:]
        assert rows, f"{pdf.name}: no fonts at all"
        for row in rows:
            name = row.split()[0].split("+", 1)[-1]
            assert re.search(r"\byes\s+yes\s+yes\b", row), f"{pdf.name}: font not embedded/subset: {row}"
            assert re.fullmatch(r"Wugu(Serif|Sans)SC-[0-9a-f]+(-Bold)?", name), f"{pdf.name}: unexpected font {row}"
    for pdf in (next(out.glob("WG-*.pdf")), next(out.glob("pack-*.pdf"))):
        names = _embedded_font_names(pdf)
        assert names and all(re.fullmatch(r"Noto(Serif|Sans)CJKsc-(Regular|Bold)", n) for n in names), names


def test_text_gives_back_titles_and_labels(built, handbook):
    _project, out, _result, _seconds = built
    for form in handbook.forms:
        text = _squash("".join(_text_pages(out / form_pdf(form))))
        assert _squash(form.title) in text, form.id
        for printed in paper_sections(form):  # headings as printed (numbered; a landscape signature line has none)
            assert _squash(printed.title) in text, (form.id, printed.title)
        for section in form.sections:
            for field in section.fields:
                if field.label:
                    assert _squash(field.label) in text, (form.id, field.label)
                for column in field.columns:
                    assert _squash(column.label) in text, (form.id, column.label)
                for choice in field.choices:
                    assert _squash(choice) in text, (form.id, choice)


def test_every_page_has_code_version_group_and_page_numbers(built, handbook):
    _project, out, _result, _seconds = built
    group = _squash(handbook.profile.name)
    for form in handbook.forms:
        pages = _text_pages(out / form_pdf(form))
        for i, page in enumerate(pages, 1):
            flat = _squash(page)
            assert f"第{i}页共{len(pages)}页" in flat, (form.id, i)
            assert form.code in flat and f"{form.version}版" in flat and group in flat, (form.id, i)
            if form.has_sensitive:
                assert "注意保密" in flat, (form.id, i)


def test_packs_have_cover_contents_and_their_parts(built, handbook):
    _project, out, _result, _seconds = built
    for pack in handbook.packs:
        pdf = out / pack_pdf(pack)
        pages = [_squash(p) for p in _text_pages(pdf)]
        assert _squash(pack.title) in pages[0] and _squash(pack.audience) in pages[0]
        assert handbook.profile.content_version in pages[0] and _squash(handbook.profile.name) in pages[0]
        contents = pages[1]
        assert "目录" in contents
        for form in handbook.pack_forms(pack):
            assert _squash(form.title) in contents
            standalone = len(_text_pages(out / form_pdf(form)))
            # the form's pages are in the pack, each still numbered within the form
            assert sum(1 for p in pages if form.code in p and "第1页" in p and _squash(form.title) in p) >= 1
            assert f"第{standalone}页共{standalone}页" in "".join(p for p in pages if form.code in p)
        for reg in handbook.pack_regulations(pack):
            assert _squash(reg.title) in contents
            assert any(_squash(reg.title) in p and "第一条" in p for p in pages[2:]), reg.id


def test_metadata_dates_come_from_the_content_version(built, handbook):
    _project, out, _result, _seconds = built
    day = str(handbook.profile.effective_date)
    form = handbook.forms[0]
    info = subprocess.run(["pdfinfo", "-isodates", str(out / form_pdf(form))], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^CreationDate:\s+" + re.escape(day), info, re.M), info
    assert re.search(r"^Title:\s+" + re.escape(form.title), info, re.M), info
    assert re.search(r"^Author:\s+" + re.escape(handbook.profile.name), info, re.M), info


def test_long_tables_repeat_their_header_on_the_next_page(handbook, tmp_path):
    """The forms are sized so that no table breaks; a table made longer (60 rows) repeats its header."""
    from dataclasses import replace

    from wugu.render.pdf import PdfBuilder

    form = handbook.form("F11")
    table = next(f for f in form.fields if f.type == "table")
    sections = tuple(replace(s, fields=tuple(replace(f, rows=60) if f is table else f for f in s.fields))
                     for s in form.sections)
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(PdfBuilder(handbook).form_bytes(replace(form, sections=sections)))
    pages = [_squash(p) for p in _text_pages(pdf)]
    first = table.columns[0].group or table.columns[0].label
    head = re.escape(_squash(table.label)) + r"(（[^）]*）)?" + re.escape(_squash(first))
    on = [i for i, p in enumerate(pages) if re.search(head, p)]  # caption then header: the table's top
    assert len(on) > 1, "the long table should break across pages"
    for i in on:
        assert all(_squash(c.label) in pages[i] for c in table.columns), (table.label, i)


def test_pages_are_not_clipped(built):
    """Nothing is drawn in the outer 6 mm of any page: no table runs off the paper."""
    from PIL import Image

    _project, out, _result, _seconds = built
    png = out.parent / "png"
    png.mkdir(exist_ok=True)
    for pdf in sorted(out.glob("WG-*.pdf")):
        subprocess.run(["pdftoppm", "-gray", "-r", "30", str(pdf), str(png / pdf.stem)], check=True)
    images = sorted(png.glob("*.pgm")) + sorted(png.glob("*.png"))
    assert images
    for path in images:
        im = Image.open(path).convert("L")
        edge = round(6 / 25.4 * 30)
        w, h = im.size
        for box in ((0, 0, edge, h), (w - edge, 0, w, h), (0, 0, w, edge), (0, h - edge, w, h)):
            assert im.crop(box).getextrema()[0] > 200, f"{path.name}: ink near the edge {box}"


def test_two_builds_are_byte_identical_and_the_cache_is_used(built, tmp_path):
    project, out, _result, cold_seconds = built
    again = tmp_path / "out-b"
    result = run_wugu("pdf", str(project), "--out", str(again), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert _sums(again) == _sums(out)
    # from the cache: nothing is rendered again, and the bytes are the same
    warm = tmp_path / "out-c"
    started = time.perf_counter()
    result = run_wugu("pdf", str(project), "--out", str(warm))
    warm_seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert "已生成" not in result.stdout and result.stdout.count("未改动") == len(_sums(out))
    assert _sums(warm) == _sums(out)
    assert warm_seconds < max(3.0, cold_seconds / 3)


def test_a_changed_form_renders_only_itself_and_its_packs(built, handbook, tmp_path):
    project, out, _result, _seconds = built
    form = next(f for f in handbook.forms if handbook.packs_for_form(f.id))
    path = next((project / "forms").glob(f"{form.id}-*.yml"))
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original.replace(f"title: {form.title}", f"title: {form.title}（试行）", 1), encoding="utf-8")
        result = run_wugu("pdf", str(project), "--out", str(tmp_path / "changed"))
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode == 0, result.stderr
    fresh = set(re.findall(r"^已生成\s+(\S+)$", result.stdout, re.M))
    expected = {form_pdf(form)} | {pack_pdf(p) for p in handbook.packs_for_form(form.id)}
    assert fresh == expected


def test_missing_cjk_font_stops_with_a_clear_message(built, tmp_path):
    project, _out, _result, _seconds = built
    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?>\n<fontconfig><cachedir>{tmp_path / "fc-cache"}</cachedir></fontconfig>\n',
                      encoding="utf-8")
    env_result = subprocess.run(
        [sys.executable, "-m", "wugu", "pdf", str(project), "--out", str(tmp_path / "x"), "--no-cache"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "FONTCONFIG_FILE": str(config)}, timeout=120)
    assert env_result.returncode == 2, env_result.stdout + env_result.stderr
    assert "E504" in env_result.stderr and "fonts-noto-cjk" in env_result.stderr
    assert "Traceback" not in env_result.stderr
    assert not (tmp_path / "x").exists()


def test_refuses_to_replace_a_folder_it_did_not_make(built, tmp_path):
    project, _out, _result, _seconds = built
    other = tmp_path / "mine"
    other.mkdir()
    (other / "keep.txt").write_text("x", encoding="utf-8")
    result = run_wugu("pdf", str(project), "--out", str(other))
    assert result.returncode == 2 and "E511" in result.stderr
    assert (other / "keep.txt").is_file()
    result = run_wugu("pdf", str(project), "--out", str(project))
    assert result.returncode == 2 and "E511" in result.stderr


def test_bad_content_is_refused_with_the_check_lines(tmp_path):
    project = copy_project(tmp_path / "p")
    pack = next((project / "packs").glob("*.yml"))
    pack.write_text(pack.read_text(encoding="utf-8").replace("forms: [", "forms: [F99, ", 1), encoding="utf-8")
    check = run_wugu("check", str(project))
    result = run_wugu("pdf", str(project), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 == check.returncode
    problem_lines = [line for line in check.stdout.splitlines() if " error E" in line]
    assert problem_lines and all(line in result.stderr for line in problem_lines)
    assert not (tmp_path / "out").exists()


def test_fillable_fields_are_opt_in(built, handbook, tmp_path):
    from pypdf import PdfReader

    project, out, _result, _seconds = built
    assert all(not PdfReader(p).get_fields() for p in out.glob("*.pdf"))  # off by default
    form = next(f for f in handbook.forms if handbook.packs_for_form(f.id))
    path = next((project / "forms").glob(f"{form.id}-*.yml"))
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original.replace("\nsections:", "\nfillable: true\nsections:", 1), encoding="utf-8")
        result = run_wugu("pdf", str(project), "--out", str(tmp_path / "fill"))
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode == 0, result.stderr
    fields = PdfReader(tmp_path / "fill" / form_pdf(form)).get_fields()
    labelled = [f for f in form.fields if f.type in ("text", "longtext", "date", "number")]
    assert len(fields) >= len(labelled)
    # packs are for printing: their copy of the form has no fields
    for pack in handbook.packs_for_form(form.id):
        assert not PdfReader(tmp_path / "fill" / pack_pdf(pack)).get_fields()


def test_layout_helpers():
    from wugu.render.pdf import chinese_date, chinese_number, header_lines

    assert [chinese_number(n) for n in (1, 10, 11, 20, 21, 99)] == ["一", "十", "十一", "二十", "二十一", "九十九"]
    assert chinese_date("2026-12-01") == "2026 年 12 月 1 日"
    assert header_lines("男", 10, 9) == ("男",)
    assert header_lines("精神病家庭", 14, 9) == ("精神病", "家庭")
    assert header_lines("服刑人员家庭", 16, 9) == ("服刑人员", "家庭")
    # too narrow for 服刑人员: the word stays whole (the table widens its column), never 服刑/人员/家庭
    assert header_lines("服刑人员家庭", 12.4, 8.5) == ("服刑人员", "家庭")

"""Practice guides as PDFs (issue 11, issue 9 §3): the emergency card as a one-page A4 download of its own and a
part of the 新志愿者入团包; packs list guides (``guides:``, E418 for an unknown id); an edition's card prints its
own phone numbers; a card that lays out on more than one page stops the build (E419).

The PDFs are the real ones: the session's `wugu pdf`, `wugu build` and `wugu build --editions` (conftest), read
back with pdfinfo, pdftotext and pdftoppm.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT, city_phones, copy_project, run_wugu

CARD = "guide-emergency.pdf"


def _info(pdf: Path) -> str:
    return subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout


def _text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    pages = ([] if first is None else ["-f", str(first)]) + ([] if last is None else ["-l", str(last)])
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def _one_a4_page(pdf: Path) -> None:
    info = _info(pdf)
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info


def test_the_emergency_card_is_one_a4_page_in_black_and_white(pdf_build, tmp_path):
    _project, out, result, _seconds = pdf_build
    assert f"已生成  {CARD}" in result.stdout
    card = out / CARD
    _one_a4_page(card)
    text = _text(card)
    flat = re.sub(r"\s+", "", text)
    for part in ("紧急情况处置", "电话", "先保护孩子", "孩子向你说出受到的伤害", "不要做", "立即报告", "110公安",
                 "120急救", "12355"):
        assert part in flat, part
    assert "依据" in flat and "未成年人保护法" in flat  # the card cites what it applies
    # the base sets no local numbers: the rows for them are write-in lines, no digits
    for row in ("乡镇儿童督导员", "县级未成年人救助保护机构", "乡镇团负责人"):
        line = next(x for x in text.splitlines() if row in x)
        assert not re.search(r"\d{5,}", line), line
    # black-and-white safe: every pixel of the page is a grey (red and teal would print as pale grey)
    subprocess.run(["pdftoppm", "-r", "30", str(card), str(tmp_path / "card")], check=True)
    ppm = next(tmp_path.glob("card*.ppm")).read_bytes()
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", ppm)
    assert header
    pixels = ppm[header.end():]
    coloured = sum(1 for i in range(0, len(pixels), 3) if max(pixels[i:i + 3]) - min(pixels[i:i + 3]) > 24)
    assert coloured == 0


def test_the_new_volunteer_pack_carries_the_card_and_the_red_lines(pdf_build):
    _project, out, _result, _seconds = pdf_build
    pack = out / "pack-new-volunteer.pdf"
    contents = _text(pack, 1, 2)
    assert "实用指南1篇" in re.sub(r"\s+", "", contents) and "红线" in contents
    m = re.search(r"紧急情况处置（单页卡片，可张贴）[·\s]*(\d+)", contents)
    assert m, contents
    page = int(m.group(1))
    assert page % 2 == 1  # on the front of a sheet
    card_page = _text(pack, page, page)
    assert "紧急情况处置" in card_page and "先保护孩子" in card_page and f"本包第 {page} 页" in card_page
    assert re.search(r"第\s*1\s*页\s+共\s*1\s*页", card_page)  # its own page number: one page
    # the same layout as the card's own PDF: the same lines, bar the pack's page number
    lines = [x.rstrip() for x in card_page.splitlines() if x.strip() and "本包第" not in x]
    assert lines == [x.rstrip() for x in _text(out / CARD).splitlines() if x.strip()]
    red = re.search(r"红线：任何时候都不能碰的 \d+ 条[·\s]*(\d+)", contents)
    assert red and "▲" in _text(pack, int(red.group(1)), int(red.group(1)))


def test_the_site_offers_the_card_as_a_download_that_says_what_it_is(base_site):
    out, result = base_site
    assert result.returncode == 0, result.stdout + result.stderr
    _one_a4_page(out / "downloads" / CARD)
    page = (out / "guides" / "emergency.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="md-button[^"]*" href="\.\./downloads/guide-emergency\.pdf" download>'
                     r"下载《紧急情况处置》卡片（PDF，1 页 A4）</a>", page), page
    assert 'href="../packs/new-volunteer.html"' in page  # and where else it is printed
    pack = (out / "packs" / "new-volunteer.html").read_text(encoding="utf-8")
    assert "随附：实用指南" in pack and 'href="../downloads/guide-emergency.pdf"' in pack
    assert 'href="../guides/emergency.html"' in pack


def test_an_unknown_guide_in_a_pack_is_named_with_its_line(tmp_path):
    project = copy_project(tmp_path / "p")
    pack = project / "packs" / "new-volunteer.yml"
    text = pack.read_text(encoding="utf-8").replace("guides: [emergency]", "guides: [emergncy]")
    assert "emergncy" in text
    pack.write_text(text, encoding="utf-8")
    line = next(i for i, x in enumerate(text.splitlines(), 1) if x.startswith("guides:"))
    result = run_wugu("check", str(project))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    out = result.stdout + result.stderr
    assert re.search(rf"packs/new-volunteer\.yml:{line}:\d+: error E418: 表格包列出了不存在的实用指南“emergncy”"
                     r".*是不是“emergency”.*emergency（紧急情况处置）", out), out


def test_an_edition_card_prints_its_own_phone_numbers(city):
    folder, _result, _editions = city
    own = folder / "build" / "editions" / "county-01" / CARD
    base = folder / "build" / "editions" / "city" / CARD
    _one_a4_page(own)
    _one_a4_page(base)
    assert city_phones
    own_text, base_text = _text(own), _text(base)
    for number in city_phones.values():
        assert number in own_text
        assert number not in base_text
    assert "青禾县" in own_text  # its own name in the footer
    pack = _text(folder / "build" / "editions" / "county-01" / "pack-new-volunteer.pdf")
    assert all(n in pack for n in city_phones.values())


def test_a_card_longer_than_a_page_stops_the_pdfs(tmp_path):
    """E419 (in-process: only the card is laid out, not every form)."""
    from wugu.errors import WuguError
    from wugu.render.pdf import PdfBuilder
    from wugu.validate import check

    handbook = check(ROOT).handbook
    card = handbook.guide("emergency")
    longer = replace(card, sections=card.sections * 3)
    h = replace(handbook, guides=tuple(longer if g.id == "emergency" else g for g in handbook.guides))
    builder = PdfBuilder(h)
    builder.render_parts([(builder.guide_part(longer), False)])
    with pytest.raises(WuguError) as caught:
        builder._check_cards()
    (p,) = caught.value.problems
    assert p.code == "E419" and p.path == "guides/emergency.yml" and p.args["pages"] > 1

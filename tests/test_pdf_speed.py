"""The faster PDF renderer prints exactly what the previous one printed.

The speed-ups (our own HTML parsed with the standard library's XML parser, fixed widths for the header's margin
boxes, zlib's default compression level) must not move a single pixel: the shared cold build (optimised) is
compared, page image by page image, with a cold build by the previous renderer (``WUGU_PDF_PLAIN=1``, an internal
switch kept for this test), for every form and every pack. Speed itself is measured by scripts/bench_pdf.py.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from wugu.paths import form_pdf, pack_pdf
from wugu.render.pdf import _xml_tree
from wugu.validate import load_handbook

from conftest import ROOT


@pytest.fixture(scope="module")
def previous(pdf_build, tmp_path_factory) -> Path:
    """The same project built cold by the previous renderer."""
    project = pdf_build[0]
    out = tmp_path_factory.mktemp("previous") / "out"
    result = subprocess.run([sys.executable, "-m", "wugu", "pdf", str(project), "--out", str(out), "--no-cache"],
                            capture_output=True, text=True, env={**os.environ, "WUGU_PDF_PLAIN": "1"}, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _pages(pdf: Path, dpi: int, dest: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(dest)], check=True)
    return sorted(dest.parent.glob(dest.name + "-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def _same(a: Path, b: Path) -> bool:
    """The two page images have the same pixels (the same PNG bytes, or else compared pixel by pixel)."""
    if a.read_bytes() == b.read_bytes():
        return True
    x, y = Image.open(a).convert("RGB"), Image.open(b).convert("RGB")
    return x.size == y.size and ImageChops.difference(x, y).getbbox() is None


def test_every_form_and_pack_prints_the_same_as_before(pdf_build, previous, tmp_path):
    handbook = load_handbook(ROOT)
    now = pdf_build[1]
    names = [(form_pdf(f), 100) for f in handbook.forms] + [(pack_pdf(p), 50) for p in handbook.packs]
    compared = 0
    for name, dpi in names:
        a = _pages(now / name, dpi, tmp_path / ("now-" + name))
        b = _pages(previous / name, dpi, tmp_path / ("before-" + name))
        assert len(a) == len(b), (name, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b), 1):
            assert _same(x, y), (name, "page", i)
            compared += 1
    assert compared >= 100
    # the two renderers really are different code: the files differ (compression), the pages do not
    assert (now / "WG-F07.pdf").read_bytes() != (previous / "WG-F07.pdf").read_bytes()


def test_the_xml_parser_gives_the_html5_tree():
    """Void elements closed, rows put in a tbody as the HTML5 parser does; anything else is refused (and then
    parsed the HTML5 way)."""
    html = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>表</title></head><body>'
            '<table><colgroup><col style="width: 50%"><col></colgroup><tr><td>一<br>二</td></tr></table>'
            '<img src="data:image/svg+xml,%3Csvg%3E" alt="码"></body></html>')
    root = _xml_tree(html)
    table = root.find("body/table")
    assert [c.tag for c in table] == ["colgroup", "tbody"] and table.find("tbody/tr/td/br") is not None
    assert root.find("body/img").get("alt") == "码"
    for bad in ("<p>未闭合", "<html><body><p>a</b></body></html>", "<svg xmlns='http://www.w3.org/2000/svg'/>"):
        with pytest.raises(ValueError):
            _xml_tree(bad)


def test_the_benchmarks_typst_twin_is_the_same_form(pdf_build, tmp_path):
    """scripts/bench_pdf.py compares wugu with a Typst document of the same form: same pages, QR code, header."""
    import segno
    import typst
    from pypdf import PdfReader

    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_pdf

    from wugu.paths import form_page, html_url
    from wugu.render.fonts import FontSet

    handbook = load_handbook(ROOT)
    form = handbook.form("F07")
    url = bench_pdf.SITE + html_url(form_page(form))
    segno.make(url, error="m", micro=False).save(str(tmp_path / "qr.svg"), border=0, dark="#000")
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    for path in {f.path for f in FontSet().faces.values()}:
        (fonts / Path(path).name).symlink_to(path)
    (tmp_path / "form.typ").write_text(bench_pdf.typst_source(form, handbook.profile.name, url), encoding="utf-8")
    pdf = tmp_path / "typst.pdf"
    pdf.write_bytes(typst.compile(str(tmp_path / "form.typ"), root=str(tmp_path), font_paths=[str(fonts)],
                                  ignore_system_fonts=True))
    assert len(PdfReader(pdf).pages) == len(PdfReader(pdf_build[1] / form_pdf(form)).pages)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = "".join(text.split())
    assert "WG-F07" in text and "扫码" in text and "填表说明" in text and "共2页" in text, text[-200:]


def test_the_character_map_read_with_harfbuzz_is_fonttools_own():
    """Which characters the fonts have (for the warning about characters they lack, and for fillable forms) is
    read with HarfBuzz, ten times faster than with fontTools: the same set."""
    from wugu.render.fonts import FontSet, _cmap_fonttools, _cmap_harfbuzz

    face = FontSet().faces["serif"]
    fast = _cmap_harfbuzz(face.path, face.index)
    assert fast is not None and fast == _cmap_fonttools(face.path, face.index) and ord("孤") in fast

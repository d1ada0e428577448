"""Many editions at once (`wugu build --editions`): the shared bodies stamped with each edition's name give the same
pages as the edition built on its own; failures are named and do not lose the others' output.

One small city (the city, a county with a rewritten clause, two townships, and one broken township) is generated
at run time and built once for the session through the real CLI; the tests read back the real PDFs (pdftoppm page
images, pdftotext, pdfinfo).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, run_wugu

TOWN = "青禾县东岗镇手牵手孤困儿童心理辅导志愿服务团"


def _pages(pdf: Path, folder: Path, prefix: str) -> list[bytes]:
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(pdf), str(folder / prefix)], check=True)
    return [p.read_bytes() for p in sorted(folder.glob(f"{prefix}-*.pgm"))]


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_every_good_edition_is_built_and_the_broken_one_is_named(city):
    folder, result, editions = city
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for ed in editions:
        made = sorted(p.name for p in (folder / "build" / "editions" / ed.name).glob("*.pdf"))
        assert len(made) == 18 and "WG-F04.pdf" in made and "pack-screening.pdf" in made and "guide-emergency.pdf" in made, (ed.name, made)
    assert not (folder / "build" / "editions" / "county-01-town-03").exists()
    # which edition, which file and line, then the edition by name and a summary
    assert re.search(r"county-01-town-03/local/overrides\.yml:\d+:\d+: error E101", result.stderr), result.stderr
    assert "error E413" in result.stderr and "county-01-town-03" in result.stderr
    assert "error E415: 1 个地方版没有生成（共 5 个）" in result.stderr
    # the city (no site: no QR codes), the county (a clause of its own), the townships (QR codes to their sites)
    assert "共用排版 3 组" in result.stdout
    assert "已检查 5/5" in result.stdout and "已完成 4/4" in result.stdout


@pytest.mark.parametrize("edition", ["county-01-town-01", "county-01", "city"])
def test_stamped_pdfs_are_the_edition_built_on_its_own(city, edition, tmp_path):
    folder, _result, _editions = city
    own = tmp_path / "own"
    result = run_wugu("pdf", str(folder / edition), "--out", str(own), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    stamped = folder / "build" / "editions" / edition
    names = sorted(p.name for p in own.glob("*.pdf"))
    assert names == sorted(p.name for p in stamped.glob("*.pdf"))
    if edition == "county-01":  # its own bodies: the files that print the rewritten clause are enough
        names = ["pack-monthly-report.pdf", "pack-pairing.pdf", "WG-F05.pdf", "guide-emergency.pdf"]
    if edition == "city":  # no site, no QR codes: a form in both orientations and a pack
        names = ["WG-F04.pdf", "WG-F05.pdf", "pack-screening.pdf", "guide-emergency.pdf"]
    for name in names:
        a = _pages(own / name, tmp_path, "a-" + name)
        b = _pages(stamped / name, tmp_path, "b-" + name)
        assert len(a) == len(b) and a, name
        different = [i + 1 for i, (x, y) in enumerate(zip(a, b)) if x != y]
        assert not different, f"{edition}/{name}: pages {different} differ from the edition built on its own"


def test_stamped_text_and_metadata_name_the_edition(city):
    folder, _result, _editions = city
    out = folder / "build" / "editions" / "county-01-town-01"
    form = _text(out / "WG-F04.pdf")
    assert form.count(TOWN) >= 3  # every page's footer
    assert "孤困儿童调查表" in form
    pack = _text(out / "pack-screening.pdf")
    cover = pack.split("\f")[0]
    assert cover.count(TOWN) == 2 and "摸排建档包" in cover  # the group line and the foot of the cover
    info = subprocess.run(["pdfinfo", str(out / "WG-F04.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"Author:\s+{TOWN}", info), info
    other = _text(folder / "build" / "editions" / "city" / "WG-F04.pdf")
    assert TOWN not in other and "青川市手牵手孤困儿童心理辅导志愿服务团" in other


def test_rebuild_reuses_and_restamps_only_what_changed(city, tmp_path):
    folder, _result, editions = city
    work = tmp_path / "city"
    shutil.copytree(folder, work, symlinks=True)
    shutil.rmtree(work / "county-01-town-03")
    again = run_wugu("build", "--editions", str(work), timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "沿用上次的 72 个文件" in again.stdout  # 4 editions × 18
    profile = work / "county-01-town-02" / "wugu.yml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("西坪镇", "西坪乡"), encoding="utf-8")
    renamed = run_wugu("build", "--editions", str(work), timeout=600)
    assert renamed.returncode == 0, renamed.stdout + renamed.stderr
    assert "沿用上次的 54 个文件" in renamed.stdout  # only the renamed edition is stamped again
    assert "西坪乡" in _text(work / "build" / "editions" / "county-01-town-02" / "WG-F01.pdf")


def test_a_failed_edition_keeps_its_previous_pdfs(city, tmp_path):
    folder, _result, _editions = city
    work = tmp_path / "city"
    shutil.copytree(folder, work, symlinks=True)
    shutil.rmtree(work / "county-01-town-03")
    before = (work / "build" / "editions" / "county-01-town-02" / "WG-F01.pdf").read_bytes()
    (work / "county-01-town-02" / "wugu.yml").write_text("name: [\n", encoding="utf-8")
    result = run_wugu("build", "--editions", str(work), timeout=600)
    assert result.returncode == 1
    assert "county-01-town-02/wugu.yml:" in result.stderr and "上一次生成的 PDF 原样保留" in result.stderr
    assert (work / "build" / "editions" / "county-01-town-02" / "WG-F01.pdf").read_bytes() == before
    assert (work / "build" / "editions" / "city" / "WG-F01.pdf").is_file()


def test_a_list_file_names_bad_lines(city, tmp_path):
    folder, _result, _editions = city
    listing = folder / "editions.txt"  # beside the editions: the same cache
    listing.write_text("# 本市各地方版\ncity\nno-such-town\n", encoding="utf-8")
    result = run_wugu("build", "--editions", str(listing), "--out", str(tmp_path / "out"), timeout=600)
    assert result.returncode == 1
    assert re.search(r"editions\.txt:3:1: error E411", result.stderr), result.stderr
    assert (tmp_path / "out" / "city" / "WG-F04.pdf").is_file()


def test_nothing_to_build_is_a_usage_error(tmp_path):
    result = run_wugu("build", "--editions", str(tmp_path))
    assert result.returncode == 2 and "E410" in result.stderr and "Traceback" not in result.stderr


def test_the_pdfs_print_no_profile_field_the_bodies_leave_out():
    """Bodies keep of the profile only what :data:`BODY_PROFILE_FIELDS` names (the name is stamped): a template or
    the renderer printing another field would make editions share bodies they must not share."""
    from wugu.render.stamp import BODY_PROFILE_FIELDS

    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "src/wugu/templates/pdf").glob("*.j2")]
    sources.append((ROOT / "src/wugu/render/pdf.py").read_text(encoding="utf-8"))
    used = {m for text in sources for m in re.findall(r"profile\.(\w+)", text)}
    assert used <= {"name", *BODY_PROFILE_FIELDS}, used - {"name", *BODY_PROFILE_FIELDS}

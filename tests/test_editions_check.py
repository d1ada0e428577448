"""`wugu build --editions` checks every edition as `wugu build` checks one project (issue 9).

A single build refuses placeholder text (示例, example.org, a run of zeros, TODO, 待填) unless `--draft`, and `--strict`
turns every warning into an error; each edition's own configuration (its `wugu.yml`, its `local/` files, on top of
the base) gets the same check. A refused edition is named with its file, line and key (E417), is not built, keeps
its previous PDFs, and the others are built (exit 1). Runs on a copy of the small city of tests/test_editions.py
(the session's build), so only the check and the stamping of what changed cost time.
"""
from __future__ import annotations

import re
import shutil

from conftest import run_wugu

EDITION = "county-01-town-02"


def _city(city, tmp_path):
    """A copy of the built city without its broken township; (folder, the edition's previous WG-F01.pdf bytes)."""
    folder, _result, _editions = city
    work = tmp_path / "city"
    shutil.copytree(folder, work, symlinks=True)
    shutil.rmtree(work / "county-01-town-03")
    return work, (work / "build" / "editions" / EDITION / "WG-F01.pdf").read_bytes()


def test_a_placeholder_in_one_edition_stops_it_and_only_it(city, tmp_path):
    work, before = _city(city, tmp_path)
    profile = work / EDITION / "wugu.yml"
    text = profile.read_text(encoding="utf-8")
    assert re.search(r"(?m)^  phone: ", text)
    profile.write_text(re.sub(r"(?m)^  phone: .*$", "  phone: 0539-0000000", text), encoding="utf-8")
    line = next(n for n, t in enumerate(profile.read_text(encoding="utf-8").splitlines(), 1) if "phone:" in t)

    result = run_wugu("build", "--editions", str(work), timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    # the edition's file, line and key, the value, and how to go on
    assert re.search(rf"{EDITION}/wugu\.yml:{line}:\d+: error E417: .*“{EDITION}”.*“contact\.phone”.*0539-0000000.*"
                     r"--draft", result.stderr), result.stderr
    assert re.search(rf"error E413: 地方版“{EDITION}”没有通过检查.*上一次生成的 PDF 原样保留", result.stderr)
    assert f"error E415: 1 个地方版没有生成（共 4 个）：{EDITION}" in result.stderr
    assert (work / "build" / "editions" / EDITION / "WG-F01.pdf").read_bytes() == before
    for other in ("city", "county-01", "county-01-town-01"):
        assert len(list((work / "build" / "editions" / other).glob("*.pdf"))) == 18, other

    # the same edition on its own: `wugu pdf` refuses it with the same check (W303 at the same line)
    alone = run_wugu("pdf", str(work / EDITION), "--out", str(tmp_path / "alone"))
    assert alone.returncode == 1 and re.search(rf"wugu\.yml:{line}:\d+: error W303", alone.stderr), alone.stderr

    # --draft lets it through, as for a single build
    draft = run_wugu("build", "--editions", str(work), "--draft", timeout=600)
    assert draft.returncode == 0, draft.stdout + draft.stderr
    assert "完成：4 个地方版" in draft.stdout and "E417" not in draft.stderr
    assert len(list((work / "build" / "editions" / EDITION).glob("*.pdf"))) == 18


def test_strict_stops_an_edition_with_a_warning(city, tmp_path):
    work, before = _city(city, tmp_path)
    overrides = work / EDITION / "local" / "overrides.yml"  # a clause in a variant spelling (W302: 县区团)
    overrides.write_text("clauses:\n  - regulation: R13\n    clause: 1\n"
                         "    text: 每月 5 日前，乡镇团把上月的服务情况汇总报县区团。\n    reason: 统一报送时间\n",
                         encoding="utf-8")
    strict = run_wugu("build", "--editions", str(work), "--strict", timeout=600)
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert re.search(rf"{EDITION}/local/overrides\.yml:\d+:\d+: error W302", strict.stderr), strict.stderr
    assert re.search(rf"error E413: 地方版“{EDITION}”没有通过检查", strict.stderr)
    assert re.search(r"error E413: 地方版“city”", strict.stderr) is None  # no warning there: built
    assert (work / "build" / "editions" / EDITION / "WG-F01.pdf").read_bytes() == before

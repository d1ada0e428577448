"""The fill page prints like the PDF form, page for page: headless Chromium prints every form's fill page from the
real build (file://) and the printout is compared with the downloadable PDF (pdfinfo: same number of pages; the
same sections start on each page); filled in (F04, F05 landscape with its totals, F07 with a table), the printout is
compared the same way with `wugu records pdf` of the saved record, and pdftotext finds the values. Records are
fictional and generated at run time (``records_sample``).
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from cdp import Browser
from conftest import run_wugu
from records_sample import f04, f07
from test_site_browser import CHROMIUM

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh installs it)")
SECTION = re.compile(r"^\s*([一二三四五六七八九十]+、\S+)", re.M)


def pages(pdf: Path) -> list[str]:
    """Each page's text (pdftotext), as many as pdfinfo counts."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout for n in range(1, count + 1)]


def layout(pdf: Path) -> list[list[str]]:
    """Per page, the sections that start on it."""
    return [SECTION.findall(text) for text in pages(pdf)]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = Browser(CHROMIUM, tmp_path_factory.mktemp("print-browser") / "profile")
    yield b
    b.close()


def printed(browser: Browser, site: Path, form_id: str, target: Path, record: dict | None = None) -> Path:
    page = browser.page()
    page.goto((site / "forms" / f"{form_id}-fill.html").resolve().as_uri())
    if record is not None:
        page.js(f"WuguFill.fill({json.dumps(record, ensure_ascii=False)}); true")
    target.write_bytes(page.pdf())
    return target


def test_every_blank_fill_page_prints_page_for_page_as_its_pdf(base_site, browser, tmp_path):
    site, result = base_site
    assert result.returncode == 0, result.stdout + result.stderr
    forms = sorted((site / "downloads").glob("WG-F*.pdf"))
    assert len(forms) >= 11
    for pdf in forms:
        form_id = pdf.stem.split("-")[1]
        mine = printed(browser, site, form_id, tmp_path / f"{form_id}.pdf")
        assert layout(mine) == layout(pdf), form_id
        first = re.sub(r"\s+", "", pages(mine)[0])
        assert f"第1页共{len(pages(pdf))}页" in first and pdf.stem in first, form_id  # the PDF's header and footer


def _f05(version: str) -> dict:
    rows = [{"township": town, "villages": "3", "children": str(m + f), "orphan": str(m + f), "male": str(m),
             "female": str(f), "primary": str(m + f), "paired": str(m), "unpaired": str(f)}
            for town, m, f in (("东镇", 2, 3), ("西镇", 4, 1), ("南乡", 1, 1))]
    return {"form": "WG-F05", "version": version, "unit": "示例县服务团", "unit_signed": True, "month": "2026-10-31",
            "townships": rows, "head_signed": True, "reviewer_signed": True, "filler_signed": True,
            "phone": "0539-0000000", "report_date": "2026-11-03"}


def test_filled_printout_pages_like_records_pdf_with_the_values(base_site, browser, tmp_path):
    site, _ = base_site
    schema = json.loads((site / "downloads" / "schemas" / "WG-F05.schema.json").read_text(encoding="utf-8"))
    version = re.search(r":(\d{4}\.\d+)$", schema["$id"]) or re.search(r"(\d{4}\.\d+)", schema["$id"])
    records = {
        "F04": f04(3, needs=["学业辅导", "生活物资"], observations="孩子有礼貌。\n衣服单薄。",
                   mother_status=["其他"], mother_status_other="长期外出",   # and values too long for one line:
                   school_grade="测试县测试镇中心小学四年级二班", carer_health="高血压，腿脚不便，需长期服药",
                   household_register="某某省某某市某某县某某镇某某村第三村民小组" * 2),
        "F05": _f05(version.group(1)),
        "F07": f07(visit_kind="其他", visit_kind_other="学校走访"),
    }
    for form_id, record in records.items():
        saved = tmp_path / f"{form_id}.json"
        saved.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    made = run_wugu("records", "pdf", *(str(tmp_path / f"{i}.json") for i in records), "--out", str(tmp_path / "pdf"))
    assert made.returncode == 0, made.stdout + made.stderr
    for form_id, record in records.items():
        mine = printed(browser, site, form_id, tmp_path / f"{form_id}-printed.pdf", record)
        theirs = tmp_path / "pdf" / f"{form_id}-WG-{form_id}-0001.pdf"
        assert layout(mine) == layout(theirs), form_id
        assert len(pages(mine)) == len(pages(theirs)), form_id
        flat = re.sub(r"\s+", "", "".join(pages(mine)))
        assert "内部资料注意保密" in flat                                  # every filled record is marked
        if form_id == "F04":
            assert record["id_number"] in flat and "赵某某" in flat and "2015年3月2日" in flat
            assert "■学业辅导" in flat and "■其他：长期外出" in flat and "□初中" in flat
            assert "衣服单薄" in flat and "（纸面已签）" in flat
        if form_id == "F05":
            assert "南乡" in flat and "2026年10月" in flat and "示例县服务团" in flat
            assert re.search(r"合计\s*9", "".join(pages(mine))), "the 合计 row adds the townships up"
        if form_id == "F07":
            assert "■其他：学校走访" in flat and "村儿童主任" in flat and "2.5" in flat


def test_a_record_the_check_accepts_opens_without_problems(base_site, browser, tmp_path):
    """r13 finding 10: dates and numbers written as people write them (2015/3/20, 2026年10月8日, an ID in groups)
    pass `wugu records check`, which tidies them; 打开 tidies them the same way, so the page shows no problem."""
    from test_fill_browser import Fill

    site, _ = base_site
    record = f04(7)
    idn = record["id_number"]
    record.update(birth_date="2015/3/2", survey_date="2026年10月8日", consent_f08_date="2026年10月8日",
                  id_number=f"{idn[:6]} {idn[6:14]} {idn[14:]}")
    path = tmp_path / "WG-F04-typed.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    checked = run_wugu("records", "check", str(path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    fill = Fill(browser, site, "F04")
    fill.open(path)
    assert fill.problems() == [], fill.problems()
    got = fill.record()
    assert got["birth_date"] == "2015-03-02" and got["id_number"] == idn and got["survey_date"] == "2026-10-08"

"""Smaller points left open by the third reviews (r9 trainer, r13 clerk): tap-to-call numbers on the site, one
complaint receiver, the card's 依据 list without repeats, F05's columns for R08 and for visits, a closed pipe, F04's
不详, and a volunteer taking a child to the doctor."""
from __future__ import annotations

import html.parser
import json
import random
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from wugu import escape
from wugu.render.site import md_tel
from wugu.validate import load_handbook

from conftest import ROOT
from test_site_browser import CHROMIUM, chromium, file_url


class _TelLinks(html.parser.HTMLParser):
    """The ``tel:`` links of a page (as the browser built its DOM): [(href, text)]."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("tel:"):
            self._href = href
            self.links.append((href, ""))

    def handle_data(self, data):
        if self._href is not None:
            self.links[-1] = (self._href, self.links[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "a":
            self._href = None


def _tel_links(tmp_path: Path, page: Path) -> list[tuple[str, str]]:
    run = chromium(tmp_path, "--virtual-time-budget=3000", "--dump-dom", file_url(page))
    assert run.returncode == 0, run.stderr[-2000:]
    parser = _TelLinks()
    parser.feed(run.stdout)
    return parser.links


# ---- 1. tap-to-call numbers (r9 trainer, D6) ----------------------------------------------------------------------

def test_dialable_numbers_become_tel_links_and_nothing_else_does():
    landline = f"0{random.randint(530, 539)}-{random.randint(2000000, 8999999)}"  # made up at run time
    text = md_tel(f"马上拨打 120；电话{landline}；2026 年共 4 次；电话＿＿＿＿；编号 WG-F07-110")
    assert "[120](tel:120)" in text and f"[{landline}](tel:{landline})" in text
    assert "[2026]" not in text and "[4]" not in text and "＿＿＿＿" in text
    assert "tel:110" not in text  # part of a form number, not a phone number
    assert md_tel("**粗体** [链接](javascript:x)") == escape.markdown("**粗体** [链接](javascript:x)")  # still escaped


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_emergency_numbers_are_tap_to_call_in_the_browser(tmp_path, base_site):
    site, result = base_site
    assert result.returncode == 0, result.stdout + result.stderr  # the built-page scan (E530) accepted tel:
    card = _tel_links(tmp_path, site / "guides" / "emergency.html")
    for number in ("110", "120", "12355"):
        assert (f"tel:{number}", number) in card, card
    complaints = _tel_links(tmp_path, site / "guides" / "child-complaints.html")
    assert ("tel:110", "110") in complaints and ("tel:12355", "12355") in complaints
    home = _tel_links(tmp_path, site / "index.html")
    assert ("tel:110", "110") in home and ("tel:120", "120") in home


# ---- 2. one complaint receiver (r9 trainer, D9) -------------------------------------------------------------------

def _published() -> dict[str, str]:
    return {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8")
            for pattern in ("regulations/*.yml", "norms/*.yml", "forms/*.yml", "guides/*.yml", "questions/*.yml",
                            "glossary.yml") for p in sorted(ROOT.glob(pattern))}


def test_who_receives_a_complaint_is_one_fact():
    facts = {f["name"]: f["value"] for f in yaml.safe_load((ROOT / "facts.yml").read_text(encoding="utf-8"))["facts"]}
    assert facts["投诉受理"].startswith("投诉、举报统一由县团登记和答复")
    texts = _published()
    for name in ("regulations/R16-violations-exit.yml", "guides/child-complaints.yml", "forms/F08-guardian-consent.yml"):
        assert "【投诉受理】" in texts[name], name
    # nowhere else says which group receives complaints in words of its own
    said = re.compile(r"(?:乡镇团|县团|市团)[^，。；、]{0,4}(?:受理|接到|收到)[^，。；、]{0,4}(?:投诉|举报)")
    assert [(n, m.group()) for n, t in texts.items() for m in said.finditer(t)] == []


def test_the_complaints_guide_and_consent_form_print_the_receiver(base_site):
    site = base_site[0]
    value = "投诉、举报统一由县团登记和答复"
    page = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", (site / "guides" / "child-complaints.html").read_text("utf-8")))
    assert "不管你告诉了谁，" + value in page
    f08 = subprocess.run(["pdftotext", str(site / "downloads" / "WG-F08.pdf"), "-"], capture_output=True, text=True)
    assert value in re.sub(r"\s+", "", f08.stdout)


# ---- 3. the card's 依据 list without repeats (r9 trainer, D5) -----------------------------------------------------

def _pdf_text(path: Path) -> str:
    run = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return re.sub(r"\s+", "", run.stdout)


def test_the_emergency_cards_sources_list_each_rule_once_in_order(base_site):
    site = base_site[0]
    card = _pdf_text(site / "downloads" / "guide-emergency.pdf")
    refs = card.split("依据", 1)[1].split("。出处", 1)[0]
    items = refs.split("；")
    assert len(items) == len(set(items)), items
    titles = [re.match(r"《(.+?)》", i)[1] for i in items if i.startswith("《")]
    assert len(titles) == len(set(titles)), titles  # a regulation once, its clauses together: 第四、五、九条
    assert "《心理关爱与危机转介制度》第四、五、九条" in items
    assert titles == [r.title for r in load_handbook(ROOT).regulations if r.title in titles]  # in number order
    assert items[-1] == "规范9、25、27、44"  # norms last, in number order
    page = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", (site / "guides" / "emergency.html").read_text("utf-8")))
    listed = re.findall(r"《[^》]+》第[一二三四五六七八九十]+条", page.rsplit("依据的制度和规范", 1)[1].split("出处", 1)[0])
    assert len(listed) == len(set(listed)) and listed, listed


# ---- 4, 5. F05 has the column R08 §5 names, and home visits apart from calls (r9 trainer, D13 and D15) ------------

def test_r08_names_a_column_f05_has_and_f05_counts_visits_apart_from_calls():
    handbook = load_handbook(ROOT)
    f05 = handbook.form("F05")
    columns = next(f for f in f05.fields if f.type == "table").columns
    labels = {c.label: c for c in columns}
    clause = handbook.regulation("R08").clauses[4].text
    named = re.search(r"统计表的“(.+?)”一栏", clause)
    assert named and named[1] in labels, clause
    assert "本月入户人次" in labels and "本月电话人次" in labels and "本月走访人次" not in labels
    said = " ".join(f05.instructions)
    assert "“本月入户人次”只计上门见到孩子的入户走访" in said and "电话、微信语音和视频联系，不能代替入户" in said
    assert not re.search(r"入户、电话[^。]*走访的人次", said)  # a call is not counted as a visit any more


def test_stats_leave_what_surveys_cannot_count_for_the_office(tmp_path):
    from openpyxl import load_workbook
    from records_sample import f04
    from test_records_office import records

    surveys = [f04(n, township="东镇", township_decision="纳入帮扶") for n in range(1, 4)]
    (tmp_path / "东镇.json").write_text(json.dumps(surveys, ensure_ascii=False), encoding="utf-8")
    result = records("stats", "东镇.json", "--month", "2026-10", "--out", "s", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    sheet = load_workbook(tmp_path / "s" / "WG-F05-stats.xlsx", data_only=True)["各乡镇孤困儿童统计"]
    header = [c.value for c in sheet[2]]
    row = [c.value for c in sheet[3]]
    assert row[header.index("儿童总数")] == 3
    for name in ("摸排·未建档", "本月入户人次", "本月电话人次", "摸排·村数"):
        assert row[header.index(name)] is None, name  # blank for the office, not a made-up 0
    text = _pdf_text(tmp_path / "s" / "WG-F05-stats.pdf")
    assert "未建档" in text and "本月入户人次" in text and "本月电话人次" in text


# ---- 6. a closed pipe ends quietly (r13 clerk round 3, N11) -------------------------------------------------------

def _into_closed_pipe(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run wugu with its standard output a pipe whose reader has already gone (as ``wugu … | head`` once head has
    its lines): every write fails with EPIPE."""
    import os
    import sys

    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "wugu", *args], cwd=cwd, stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=240)
    finally:
        os.close(write)


def test_output_into_a_closed_pipe_ends_quietly(tmp_path):
    from records_sample import f04

    surveys = [f04(n, township=f"镇{n % 20}", township_decision="纳入帮扶") for n in range(1, 120)]
    (tmp_path / "all.json").write_text(json.dumps(surveys, ensure_ascii=False), encoding="utf-8")
    for args in (("check", str(ROOT)),
                 ("records", "stats", "all.json", "--month", "2026-10", "--out", "s", "--no-pdf", "--project", str(ROOT)),
                 ("records", "check", "all.json", "--project", str(ROOT))):
        result = _into_closed_pipe(*args, cwd=tmp_path)
        assert result.returncode == 0 and result.stderr == "", (args, result.returncode, result.stderr)
    assert (tmp_path / "s" / "WG-F05-stats.xlsx").is_file()  # what the command writes to files is still written


# ---- 7. F04 says where 不详 goes, as the checker reads it (r13 clerk round 3, #8) ---------------------------------

def test_f04_says_unknown_numbers_and_dates_stay_blank_as_the_checker_asks(tmp_path):
    from records_sample import f04
    from test_records_office import records

    said = " ".join(load_handbook(ROOT).form("F04").instructions)
    assert "写字的栏目不知道的写“不详”" in said and "数字和日期栏（年龄、收入、人数、日期）不知道的留空" in said
    assert "信息，不知道的写“不详”" not in said  # no longer for every field
    text_unknown = dict(f04(1, township="东镇", township_decision="纳入帮扶"), ethnicity="不详")
    number_unknown = dict(f04(2, township="东镇", township_decision="纳入帮扶"), father_age="不详")
    (tmp_path / "ok.json").write_text(json.dumps([text_unknown], ensure_ascii=False), encoding="utf-8")
    (tmp_path / "bad.json").write_text(json.dumps([number_unknown], ensure_ascii=False), encoding="utf-8")
    assert records("check", "ok.json", cwd=tmp_path).returncode == 0  # a text field: 不详 as the form says
    result = records("check", "bad.json", "--format", "json", cwd=tmp_path)
    found = json.loads(result.stdout)["problems"]
    assert result.returncode == 1 and [p["code"] for p in found] == ["E720"], found
    assert "留空" in found[0]["fix"]  # the same advice as the form's 填表说明


# ---- 8. taking a child to the doctor (r9 trainer, D10) ------------------------------------------------------------

def test_taking_a_child_to_the_doctor_has_a_rule_and_medical_consent_is_one_fact(base_site):
    handbook = load_handbook(ROOT)
    consent = handbook.fact("医疗同意")
    clause = handbook.regulation("R07").clauses[3]  # 外出和陪同就医: the outing rule, where a trainer looks
    assert consent in clause.text and "不用志愿者的私家车" in clause.text and "2 名以上成年人" in clause.text
    assert any(consent in (f.text or "") for f in handbook.form("F09").fields)
    texts = _published()
    assert [n for n, t in texts.items() if "不代签手术" in t] == []  # said once, in facts.yml
    assert "不代签，请医院直接联系监护人" in texts["questions/S3-safety.yml"]  # trainers can test it (Q331)
    page = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", (base_site[0] / "regulations" / "R07.html").read_text("utf-8")))
    assert "外出和陪同就医" in page and consent.replace(" ", "") in page

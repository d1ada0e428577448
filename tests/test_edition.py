"""Local editions: wugu init → check → overrides → changes, on a temporary edition, through the real CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT

COUNTY = "青禾县手牵手孤困儿童心理辅导志愿服务团"


def init(wugu, folder: Path) -> Path:
    result = wugu("init", str(folder), "--name", COUNTY, "--short-name", "青禾县手牵手", "--level", "县",
                  "--parent", "临沂市手牵手孤困儿童心理辅导志愿服务团", "--site-url", "https://shouce.qinghe.test/")
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


@pytest.fixture
def edition(wugu, tmp_path) -> Path:
    return init(wugu, tmp_path / "county")


def write_overrides(edition: Path, text: str) -> None:
    (edition / "local" / "overrides.yml").write_text(text, encoding="utf-8")


OVERRIDES = """\
clauses:
  - regulation: R10
    clause: 1
    text: 本县山区路远，结对志愿者每季度至少走访一次，每次不少于 2 小时。
    reason: 山区交通不便
add_norms:
  - section: S3
    id: N49
    number: 49
    rule: 汛期不组织孩子到河道、水库附近活动。
    why: 本县水库多，汛期溺水风险高。
    regulations: [R07]
    sources:
      - kind: handbook
        title: 本手册拟定
hide_forms: [F11]
hide_packs: [records]
"""


def test_init_creates_a_working_edition(wugu, edition):
    for rel in ("wugu.yml", "mkdocs.yml", "README.md", ".github/workflows/wugu.yml", "local/overrides.yml",
                "local/base-snapshot.json", ".wugu/schemas/form.schema.json"):
        assert (edition / rel).is_file(), rel
    assert not (edition / "regulations").exists()
    result = wugu("check", cwd=edition)
    assert result.returncode == 0, result.stdout
    assert "16 项制度，48 条服务规范" in result.stdout
    assert "提示：" not in result.stdout  # no notice that the base moved on (warnings may say 请按提示修改)


def test_init_refuses_an_existing_handbook(wugu, edition):
    result = wugu("init", str(edition), "--name", COUNTY, "--level", "县")
    assert result.returncode == 2
    assert "E503" in result.stderr and "Traceback" not in result.stderr


def test_init_refuses_a_bad_level(wugu, tmp_path):
    result = wugu("init", str(tmp_path / "x"), "--name", COUNTY, "--level", "省")
    assert result.returncode == 2


def test_overrides_apply(wugu, edition):
    write_overrides(edition, OVERRIDES)
    result = wugu("check", cwd=edition)
    assert result.returncode == 0, result.stdout
    assert "16 项制度，49 条服务规范，10 张表格" in result.stdout

    from wugu.validate import load_handbook

    h = load_handbook(edition)
    clause = h.regulation("R10").clauses[0]
    assert clause.local and clause.text.startswith("本县山区路远")
    assert h.norm("N49").local and h.norm("N49").section_id == "S3"
    assert "F11" not in {f.id for f in h.forms} and "records" not in {p.id for p in h.packs}
    assert all("F11" not in r.form_ids for r in h.regulations)
    assert h.profile.name == COUNTY and h.base_version


@pytest.mark.parametrize("change, code, line", [
    (("clause: 1", "clause: 40"), "E306", 3),
    (("hide_packs: [records]", "hide_packs: []"), "E306", 16),
    (("regulation: R10", "regulation: R99"), "E302", 2),
    (("section: S3", "section: S30"), "E302", 7),
    (("id: N49", "id: N07"), "E301", 8),
    (("number: 49", "number: 50"), "E303", 8),
    (("    reason:", "    reasons:"), "E201", 5),
])
def test_bad_overrides_point_at_file_and_line(wugu, edition, change, code, line):
    write_overrides(edition, OVERRIDES.replace(*change))
    result = wugu("check", "--format", "json", cwd=edition)
    assert result.returncode == 1, result.stdout
    found = [(p["code"], p["path"], p["line"]) for p in json.loads(result.stdout)["problems"]]
    assert (code, "local/overrides.yml", line) in found, found


def test_local_form_with_base_id_conflicts(wugu, edition, root):
    form = (root / "forms" / "F07-visit-log.yml").read_text(encoding="utf-8")
    (edition / "local" / "forms" / "F07-local.yml").write_text(form, encoding="utf-8")
    result = wugu("check", "--format", "json", cwd=edition)
    assert result.returncode == 1
    codes = {(p["code"], p["path"]) for p in json.loads(result.stdout)["problems"]}
    assert ("E301", "local/forms/F07-local.yml") in codes


def test_changes_reports_base_updates_and_accept_records_them(wugu, edition):
    write_overrides(edition, OVERRIDES)
    snap = edition / "local" / "base-snapshot.json"
    data = json.loads(snap.read_text(encoding="utf-8"))
    data["items"]["R10#1"]["hash"] = "0" * 16          # the base changed a clause the edition overrides
    data["items"]["F04"]["hash"] = "1" * 16            # …and a form
    del data["items"]["N48"]                            # …and added a norm
    snap.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    profile = edition / "wugu.yml"
    profile.write_text(profile.read_text(encoding="utf-8").replace('base_version: "2026.1"', 'base_version: "2025.1"'),
                       encoding="utf-8")

    check = wugu("check", cwd=edition)
    assert check.returncode == 0
    assert "基础版已有更新" in check.stdout and "wugu changes" in check.stdout
    assert "请复核" in check.stdout

    listed = wugu("changes", cwd=edition)
    assert listed.returncode == 0
    assert "[修改] 条款 R10 第1条" in listed.stdout and "本地改写过" in listed.stdout
    assert "[修改] 表格 F04：孤困儿童调查表" in listed.stdout
    assert "[新增] 规范 N48" in listed.stdout

    assert wugu("changes", "--accept", cwd=edition).returncode == 0
    assert 'base_version: "2026.1"' in profile.read_text(encoding="utf-8")
    again = wugu("check", cwd=edition)
    assert "基础版已有更新" not in again.stdout
    assert "没有新的改动" in wugu("changes", cwd=edition).stdout


def test_changes_in_the_base_project_is_a_usage_error(wugu, root):
    assert wugu("changes", cwd=root).returncode == 2


def test_edition_builds_with_local_name_and_overrides(wugu, edition):
    """init → check → build: the county's name is in the site and every PDF; overrides show up in both."""
    import subprocess

    write_overrides(edition, OVERRIDES)
    form = (ROOT / "forms" / "F07-visit-log.yml").read_text(encoding="utf-8")
    form = form.replace("id: F07", "id: F12").replace("code: WG-F07", "code: SX-F12").replace("title: 走访记录表", "title: 山区电话回访表")
    (edition / "local" / "forms" / "F12-phone-follow-up.yml").write_text(form, encoding="utf-8")
    (edition / "local" / "packs" / "mountain.yml").write_text(
        "id: mountain\ntitle: 山区走访包\naudience: 山区乡镇团\npurpose: 路远难以入户时使用。\nforms: [F12, F07]\n",
        encoding="utf-8")
    result = wugu("build", cwd=edition, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    site = edition / "build" / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "青禾县手牵手" in home
    r10 = (site / "regulations" / "R10.html").read_text(encoding="utf-8")
    assert "本县山区路远" in r10 and "本地修订" in r10
    s3 = (site / "norms" / "S3.html").read_text(encoding="utf-8")
    assert "汛期不组织孩子" in s3 and "本地补充" in s3
    assert not (site / "forms" / "F11.html").exists()
    local_form = (site / "forms" / "F12.html").read_text(encoding="utf-8")
    assert "山区电话回访表" in local_form and "本地表格" in local_form
    assert "本地表格包" in (site / "packs" / "mountain.html").read_text(encoding="utf-8")
    assert (site / "downloads" / "SX-F12.pdf").is_file()
    assert (site / "downloads" / "pack-mountain.pdf").is_file()
    about = (site / "about.html").read_text(encoding="utf-8")
    assert "与基础版的关系" in about
    pdfs = sorted((site / "downloads").glob("*.pdf"))
    assert pdfs and not any("F11" in p.name for p in pdfs)
    for pdf in pdfs:
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert COUNTY in text or "青禾县手牵手" in text, pdf.name
    visit_log = next(p for p in pdfs if "WG-F07" in p.name)
    # the pairing pack carries R10 with the county's own clause
    pack = next(p for p in pdfs if p.name == "pack-pairing.pdf")
    assert "本县山区路远" in subprocess.run(["pdftotext", str(pack), "-"], capture_output=True, text=True).stdout
    assert visit_log.stat().st_size > 0

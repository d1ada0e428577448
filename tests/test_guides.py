"""Practice guides (guides/*.yml): checked like every other kind, rendered as site pages that link to the rules
they apply, reachable from the home and training pages, and printable on A4 — the emergency card on one page."""
from __future__ import annotations

import html.parser
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from wugu import paths
from wugu.validate import load_handbook

from conftest import ROOT, copy_project, run_wugu

GUIDE = Path("guides") / "emergency.yml"


@pytest.fixture(scope="module")
def handbook():
    return load_handbook(ROOT)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("guides") / "site"
    result = run_wugu("build", str(ROOT), "--out", str(out), "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


# ---- content and checks -------------------------------------------------------------------------------------

def test_shipped_guides(handbook):
    ids = [g.id for g in handbook.guides]
    assert ids[0] == "emergency"
    emergency = handbook.guide("emergency")
    assert emergency.card
    text = "".join(i.text + (i.label or "") for s in emergency.sections for i in s.items)
    for must in ("110", "120", "12355", "儿童督导员", "未成年人救助保护机构", "公安、民政、教育等有关部门", "乡镇团",
                 "原话", "不答应替孩子保密"):
        assert must in text, must
    for g in handbook.guides:
        assert g.all_applies, g.id
        assert g.sources, g.id
    assert {"regulation", "norm"} <= {r.kind for g in handbook.guides for r in g.all_applies}


def _break(tmp_path: Path, old: str, new: str) -> Path:
    project = copy_project(tmp_path / "p")
    path = project / GUIDE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return project


def _line_of(project: Path, needle: str) -> int:
    lines = (project / GUIDE).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize("old, new, code, needle", [
    ("card: true", "cards: true", "E201", "cards:"),                       # misspelt key
    ("style: dont", "style: never", "E204", "style: never"),               # unknown style
    ("summary: 孩子受伤", "summary:\n  - 孩子受伤", "E203", "- 孩子受伤"),  # wrong type
    ("applies: [R13#4, N09]", "applies: [R13#4, N99]", "E330", "N99"),     # unknown norm
    ("applies: [R13#4, N09]", "applies: [R31#4, N09]", "E330", "R31#4"),   # unknown regulation
    ("applies: [R13#4, N09]", "applies: [R13#40, N09]", "E331", "R13#40"),  # clause beyond the last
    ("applies: [R13#4, N09]", "applies: [R13#4, N09#2]", "E332", "N09#2"),  # a norm has no clauses
])
def test_bad_guides_point_at_file_and_line(tmp_path, old, new, code, needle):
    project = _break(tmp_path, old, new)
    result = run_wugu("check", str(project), cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    expected = f"guides/emergency.yml:{_line_of(project, needle)}:"
    lines = [line for line in result.stdout.splitlines() if f"error {code}" in line]
    assert lines and any(expected in line for line in lines), result.stdout
    assert "Traceback" not in result.stderr


def test_the_check_counts_the_guides(handbook):
    result = run_wugu("check", str(ROOT), "--format", "json")
    assert json.loads(result.stdout)["counts"]["guides"] == len(handbook.guides)
    assert f"{len(handbook.guides)} 篇实用指南" in run_wugu("check", str(ROOT)).stdout


def test_duplicate_guide_id_is_reported(tmp_path):
    project = copy_project(tmp_path / "p")
    text = (project / GUIDE).read_text(encoding="utf-8")
    (project / "guides" / "copy.yml").write_text(text, encoding="utf-8")
    result = run_wugu("check", str(project), cwd=tmp_path)
    assert result.returncode == 1 and "error E301" in result.stdout, result.stdout


def test_an_edition_gets_the_base_guides_and_can_add_its_own(tmp_path):
    assert run_wugu("init", "ed", "--name", "示例县服务团", "--level", "县", cwd=tmp_path).returncode == 0
    edition = tmp_path / "ed"
    local = edition / "local" / "guides"
    local.mkdir(parents=True)
    text = (ROOT / GUIDE).read_text(encoding="utf-8").replace("id: emergency", "id: flood").replace(
        "title: 紧急情况处置", "title: 汛期走访").replace("card: true", "card: false")
    (local / "flood.yml").write_text(text.replace("../schemas/", "../../.wugu/schemas/"), encoding="utf-8")
    result = run_wugu("check", cwd=edition)
    assert result.returncode == 0, result.stdout + result.stderr
    h = load_handbook(edition)
    base = {g.id for g in load_handbook(ROOT).guides}
    assert base | {"flood"} == {g.id for g in h.guides}
    assert h.guide("flood").local and not h.guide("emergency").local


def test_wugu_changes_reports_a_changed_base_guide(tmp_path):
    assert run_wugu("init", "ed", "--name", "示例县服务团", "--level", "县", cwd=tmp_path).returncode == 0
    edition = tmp_path / "ed"
    snap = edition / "local" / "base-snapshot.json"
    data = json.loads(snap.read_text(encoding="utf-8"))
    assert data["items"]["emergency"]["kind"] == "指南"
    data["items"]["emergency"]["hash"] = "0" * 16   # the base changed the emergency card since it was recorded
    snap.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    listed = run_wugu("changes", cwd=edition)
    assert listed.returncode == 0 and "[修改] 指南 emergency：紧急情况处置" in listed.stdout, listed.stdout


# ---- the site -----------------------------------------------------------------------------------------------

class _Links(html.parser.HTMLParser):
    """Links and element ids of one built page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _target(page: Path, href: str) -> tuple[Path, str]:
    parts = urlsplit(href)
    return (page.parent / unquote(parts.path)).resolve(), parts.fragment


def test_every_guide_has_a_page_that_links_to_its_rules(site, handbook):
    index = site / paths.html_url("guides/index.md")
    assert index.is_file()
    for g in handbook.guides:
        page = site / paths.html_url(paths.guide_page(g))
        assert page.is_file(), page
        assert any(_target(index, h)[0] == page.resolve() for h in _parse(index).links), g.id
        links = _parse(page).links
        shown = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))
        assert "](" not in shown and ".md#" not in shown, f"{g.id}: a link is shown as raw Markdown"
        for ref in g.all_applies:
            if ref.kind == "regulation":
                r = handbook.regulation(ref.id)
                want = (site / paths.html_url(paths.regulation_page(r))).resolve(), (
                    f"clause-{ref.clause}" if ref.clause else "")
            elif ref.kind == "norm":
                n = handbook.norm(ref.id)
                want = (site / paths.html_url(paths.norms_page(handbook.section(n.section_id)))).resolve(), n.id
            elif ref.kind == "guide":
                want = (site / paths.html_url(paths.guide_page(handbook.guide(ref.id)))).resolve(), ""
            elif ref.kind == "section":
                want = (site / paths.html_url(paths.norms_page(handbook.section(ref.id)))).resolve(), ""
            else:
                want = (site / paths.html_url(paths.form_page(handbook.form(ref.id)))).resolve(), ""
            assert want in {_target(page, h) for h in links}, (g.id, ref)
            target, anchor = want
            assert target.is_file() and (not anchor or anchor in _parse(target).ids), (g.id, ref)


def test_regulation_pages_link_back_to_their_guides(site, handbook):
    page = site / paths.html_url(paths.regulation_page(handbook.regulation("R13")))
    targets = {_target(page, h)[0] for h in _parse(page).links}
    assert (site / "guides" / "emergency.html").resolve() in targets


def test_the_emergency_page_cites_the_law_and_the_route(site):
    text = re.sub(r"<[^>]+>", "", (site / "guides" / "emergency.html").read_text(encoding="utf-8"))
    assert "中华人民共和国未成年人保护法》第十一条" in text
    assert "立即向公安、民政、教育等有关部门报告" in text
    assert "本手册拟定" in text


@pytest.mark.parametrize("page", ["index.html", "training.html"])
def test_guides_are_reachable_from_home_and_training(site, handbook, page):
    built = site / page
    targets = {_target(built, h)[0] for h in _parse(built).links}
    assert (site / "guides" / "index.html").resolve() in targets
    for g in handbook.guides:
        assert (site / paths.html_url(paths.guide_page(g))).resolve() in targets, (page, g.id)


# ---- printing -----------------------------------------------------------------------------------------------

def _chromium() -> str | None:
    return next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


def _print(tmp_path: Path, page: Path) -> Path:
    """Print a built page the way a browser does (A4 from the page's own print stylesheet) and return the PDF."""
    chromium = _chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (scripts/setup.sh installs it)")
    pdf = tmp_path / (page.stem + ".pdf")
    run = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update",
                          f"--user-data-dir={tmp_path / ('profile-' + page.stem)}", f"--print-to-pdf={pdf}",
                          page.resolve().as_uri()], capture_output=True, text=True, timeout=90)
    assert run.returncode == 0 and pdf.is_file(), run.stderr[-2000:]
    return pdf


def _pdfinfo(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def test_the_emergency_card_prints_on_exactly_one_a4_page(tmp_path, site):
    pdf = _print(tmp_path, site / "guides" / "emergency.html")
    info = _pdfinfo(pdf)
    assert info["Pages"] == "1"
    assert "A4" in info["Page size"]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    compact = re.sub(r"\s+", "", text)
    for must in ("紧急情况处置", "120", "12355", "立即报告", "不要做", "儿童督导员"):
        assert must in compact, must
    for chrome in ("搜索", "上一页", "下一页"):  # site navigation stays off paper
        assert chrome not in compact, chrome


def test_every_guide_prints_on_a4(tmp_path, site, handbook):
    for g in handbook.guides:
        if g.card:
            continue
        info = _pdfinfo(_print(tmp_path, site / paths.html_url(paths.guide_page(g))))
        assert "A4" in info["Page size"], g.id
        assert 1 <= int(info["Pages"]) <= 3, (g.id, info["Pages"])

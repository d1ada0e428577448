"""Issue 9, third review: things stated in several places are defined once and printed from there — the five
child categories (vocab/child-category.yml: the home page, 《摸排建档制度》第一条 and the glossary print its words),
the office address (a fact set in wugu.yml, a line to write on while unset)."""
from __future__ import annotations

import html
import re
from pathlib import Path

import yaml
from conftest import ROOT

#: A made-up office address of a made-up county (not a placeholder: no 示例, no run of zeros).
ADDRESS = "青禾县幸福路 17 号青禾县关工委二楼"
OFFICE = "0001-2345670"  # area code 0001 does not exist


def _text(page: Path) -> str:
    """The visible text of a built page, whitespace removed."""
    body = re.sub(r"<script.*?</script>|<style.*?</style>", "", page.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", body)))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _categories() -> list[dict]:
    return yaml.safe_load((ROOT / "vocab" / "child-category.yml").read_text(encoding="utf-8"))["items"]


def test_the_five_categories_read_the_same_everywhere(base_site):
    """The home page, R08's first clause and the glossary show each category with the very words of the list."""
    site = base_site[0]
    pages = {"首页": _text(site / "index.html"), "R08": _text(site / "regulations" / "R08.html"),
             "名词解释": _text(site / "glossary.html")}
    items = _categories()
    assert len(items) == 5
    for item in items:
        note = _squash(item["note"])
        for name, text in pages.items():
            assert note in text, (name, item["label"])
            assert text.count(note) == 1, (name, item["label"])  # shown once per page, not restated
    r08 = _squash(pages["R08"])
    assert "（四）服刑人员家庭儿童：" + _squash(items[3]["note"]) in r08


def test_no_file_describes_a_category_in_its_own_words():
    """R08 takes its items from the list; the glossary entry does not restate them; no YAML file writes a category
    followed by its own description (“服刑人员家庭儿童：…”, “服刑人员家庭儿童（父母在服刑）”)."""
    r08 = yaml.safe_load((ROOT / "regulations" / "R08-screening-files.yml").read_text(encoding="utf-8"))
    assert r08["clauses"][0].get("vocab") == "child-category" and "items" not in r08["clauses"][0]
    labels = [i["label"] for i in _categories()]
    described = re.compile("(?:" + "|".join(labels) + r")[：（(]")
    found = []
    for path in sorted(ROOT.glob("*.yml")) + sorted(ROOT.glob("*/*.yml")):
        if path.parts[-2] in ("questions", "build") or path.name == "child-category.yml":
            continue
        found += [(path.name, m.group()) for m in described.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_children_of_detained_parents_are_counted_as_the_parent_status_says():
    """服刑人员家庭儿童 covers a parent in prison and one held in a detention centre, as 服刑在押 on the survey does."""
    note = _categories()[3]["note"]
    assert "监狱" in note and "看守所" in note and "服刑在押" in note
    status = yaml.safe_load((ROOT / "vocab" / "parent-status.yml").read_text(encoding="utf-8"))
    held = next(i for i in status["items"] if i["label"] == "服刑在押")
    assert "监狱" in held["note"] and "看守所" in held["note"]


def test_a_clause_naming_an_unknown_list_is_an_error(wugu, tmp_path):
    from conftest import copy_project

    project = copy_project(tmp_path / "p")
    reg = project / "regulations" / "R08-screening-files.yml"
    text = reg.read_text(encoding="utf-8")
    reg.write_text(text.replace("vocab: child-category", "vocab: child-categroy"), encoding="utf-8")
    result = wugu("check", str(project))
    line = text[:text.index("vocab: child-category")].count("\n") + 1
    assert result.returncode == 1
    assert re.search(rf"regulations/R08-screening-files\.yml:{line}:\d+: error E302", result.stdout), result.stdout
    assert "child-category" in result.stdout  # 是不是“child-category”？


def test_the_office_address_is_a_fact_an_edition_sets_in_wugu_yml(wugu, tmp_path, base_site):
    """The base prints 【办公地址】 and 【办公电话】 as lines to write on (no generic “服务团办公室”); an edition made
    with --address/--phone prints them on the home page and in the complaints guide; setting the address in
    overrides.yml is E320, whose fix names wugu.yml and --address."""
    base = _text(base_site[0] / "index.html")
    contact = base[base.index("联系我们"):]
    assert re.search("办公地址：＿{8,}", contact) and re.search("办公电话：＿{8,}", contact)
    assert "服务团办公室" not in contact
    assert "地址＿" in _text(base_site[0] / "guides" / "child-complaints.html")

    folder = tmp_path / "county"
    made = wugu("init", str(folder), "--name", "青禾县手牵手孤困儿童心理辅导志愿服务团", "--level", "县",
                "--address", ADDRESS, "--phone", OFFICE)
    assert made.returncode == 0, made.stdout + made.stderr
    profile = yaml.safe_load((folder / "wugu.yml").read_text(encoding="utf-8"))
    assert profile["contact"] == {"address": ADDRESS, "phone": OFFICE}  # no made-up “…办公室” line
    built = wugu("build", "--no-pdf", cwd=folder, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    site = folder / "build" / "site"
    home, complaints = _text(site / "index.html"), _text(site / "guides" / "child-complaints.html")
    assert "办公地址：" + _squash(ADDRESS) in home and "办公电话：" + OFFICE in home
    assert "地址" + _squash(ADDRESS) in complaints and "＿＿＿＿" not in complaints
    assert _squash(ADDRESS) in _text(site / "glossary.html")  # the facts table lists the edition's value

    (folder / "local" / "overrides.yml").write_text(f"facts:\n  - name: 办公地址\n    value: {ADDRESS}\n",
                                                    encoding="utf-8")
    result = wugu("check", cwd=folder)
    assert result.returncode == 1
    assert re.search(r"local/overrides\.yml:2:\d+: error E320", result.stdout), result.stdout
    assert "contact.address" in result.stdout and "--address" in result.stdout

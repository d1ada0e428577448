"""Issue 9, third review: things stated in several places are defined once and printed from there — the five
child categories (vocab/child-category.yml: the home page, 《摸排建档制度》第一条 and the glossary print its words),
the office address (a fact set in wugu.yml, a line to write on while unset)."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
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


def test_the_1204_method_reads_the_same_everywhere(base_site):
    """The same for the “1204” method and the four supports: the home page, 《服务团组织管理办法》第二条 (the method)
    and the glossary print the words of vocab/method-1204.yml and vocab/four-supports.yml."""
    site = base_site[0]
    home, r01, glossary = (_text(site / p) for p in ("index.html", "regulations/R01.html", "glossary.html"))
    method = yaml.safe_load((ROOT / "vocab" / "method-1204.yml").read_text(encoding="utf-8"))["items"]
    supports = yaml.safe_load((ROOT / "vocab" / "four-supports.yml").read_text(encoding="utf-8"))["items"]
    for item in method:
        note = _squash(re.sub(r"【[^】]+】", "", item["note"]))
        for name, text in (("首页", home), ("R01", r01), ("名词解释", glossary)):
            assert _squash(item["label"]) in text and note.split("。")[0] in text, (name, item["label"])
    for item in supports:
        for name, text in (("首页", home), ("名词解释", glossary)):
            assert _squash(item["note"]) in text, (name, item["label"])
    r01_yaml = yaml.safe_load((ROOT / "regulations" / "R01-organization.yml").read_text(encoding="utf-8"))
    assert r01_yaml["clauses"][1].get("vocab") == "method-1204"


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


@pytest.fixture(scope="module")
def handbook():
    from wugu.validate import check

    report = check(ROOT)
    assert report.ok, "\n".join(p.format() for p in report.problems)
    return report.handbook


def _clause(handbook, reg: str, title: str):
    return next(c for c in next(r for r in handbook.regulations if r.id == reg).clauses if c.title == title)


def _norm(handbook, nid: str):
    return next(n for n in handbook.norms if n.id == nid)


def test_a_record_found_after_joining_has_its_ground_in_r16(handbook):
    """R02's yearly re-check points at R16 第五条, and 第五条 names a record found (or made) after joining."""
    barred = handbook.fact("禁入犯罪记录")
    recheck = _clause(handbook, "R02", "犯罪记录查询")
    assert "每年至少重新查询一次" in recheck.text and "《违规处理与退出制度》第五条除名" in recheck.text
    removal = _clause(handbook, "R16", "除名情形")
    assert removal.number == 5
    assert any(barred in item and "加入服务团以后" in item for item in removal.items)


def test_every_red_line_breach_starts_at_a_suspension(handbook):
    """A red line is never just a talk: the graded penalties of 规范第 37 条 and 第 10 条 start at 暂停服务, as R16
    第十一条 says for every red line; R16 第四条 lists a kept, unreported gift as a suspension."""
    for name in ("收礼处理", "泄露处理"):
        value = handbook.fact(name)
        assert "提醒" not in value and "暂停服务" in value and "除名" in value, name
    red = _clause(handbook, "R16", "违反红线的处理")
    assert not any("提醒" in item for item in red.items)
    suspension = _clause(handbook, "R16", "暂停服务情形")
    assert any("小礼品" in item and "没有报告" in item for item in suspension.items)


def test_consent_of_a_child_of_14_reads_the_same(handbook):
    """N08 (registering) and N33 (publishing) say the same about a child of 14 to 17; nothing says “满 14 岁”."""
    own = "孩子已满 14 周岁的，孩子本人也要签字同意"
    assert own in _norm(handbook, "N08").rule and own in _norm(handbook, "N33").rule
    texts = [n.rule for n in handbook.norms] + [c.text for r in handbook.regulations for c in r.clauses]
    assert not [t for t in texts if re.search(r"(?<!已)满 ?14 ?岁", t)]


def test_the_overnight_rule_is_one_sentence_everywhere(handbook):
    """N15 (a red line), R07, the pledge (R04, F02) and the boundaries guide all print 【过夜规定】, which allows the
    approved camps of R14, so no text forbids what another allows."""
    rule = handbook.fact("过夜规定")
    assert "集体活动管理制度" in rule and "经批准" in rule
    assert rule in _norm(handbook, "N15").rule
    assert rule in _clause(handbook, "R07", "不留宿不过夜").text
    assert any(rule in c.text for r in handbook.regulations if r.id == "R04" for c in r.clauses)
    f02 = next(f for f in handbook.forms if f.id == "F02")
    assert any(rule in (x.text or "") for s in f02.sections for x in s.fields)
    guide = next(g for g in handbook.guides if g.id == "boundaries")
    assert any(rule in i.text for s in guide.sections for i in s.items)


def test_same_day_activities_across_townships_have_an_approver(handbook):
    approval = _clause(handbook, "R14", "分级审批")
    assert "几个乡镇联合举办" in approval.text and "县团审批" in approval.text
    assert "乡镇团不自行审批" in approval.text


def test_the_data_dictionary_speaks_to_the_people_who_read_it(base_site):
    page = _text(base_site[0] / "forms" / "F04.html")
    assert "数据字典" in page and "README" not in page and "志愿者照纸面表格填写就行" in page


def test_hand_in_and_hand_back_deadlines_are_one_sentence(handbook):
    """Where the survey form goes and when (R01, R08, F04), what the visit log is handed in with (no photos on the
    paper: they go by the internal channel), and what a leaving volunteer hands back (R05, R16, the guide)."""
    survey = handbook.fact("调查表交县团")
    assert any(survey in i for i in _clause(handbook, "R01", "报表时限").items)
    assert survey in _clause(handbook, "R08", "填写调查表").text
    f04 = next(f for f in handbook.forms if f.id == "F04")
    assert any(survey in (x.text or "") for s in f04.sections for x in s.fields)
    assert "照片" not in handbook.fact("走访记录交表")
    back = handbook.fact("退出交还")
    assert back in _clause(handbook, "R05", "离开时交还").text and back in _clause(handbook, "R16", "退出交接").text
    guide = next(g for g in handbook.guides if g.id == "pairing-change")
    assert any(back in i.text for s in guide.sections for i in s.items)


def test_the_pledge_is_signed_at_registration_everywhere(handbook):
    """R03 第四条, R04's scope, F02 and F03 agree: the pledge and the secrecy agreement are signed when joining."""
    assert "报名时" in _clause(handbook, "R03", "上岗手续").text
    r04 = next(r for r in handbook.regulations if r.id == "R04")
    assert "报名时" in r04.scope and "考试合格后" not in r04.scope
    f02, f03 = (next(f for f in handbook.forms if f.id == i) for i in ("F02", "F03"))
    assert "报名时" in f02.purpose and not any("考核合格。" in (x.text or "") for s in f02.sections for x in s.fields)
    assert any("报名时" in i for i in f03.instructions)


def test_the_training_page_agrees_on_when_the_pledge_is_signed(base_site):
    page = _text(base_site[0] / "training.html")
    assert "承诺书和保密协议在报名时就签好了" in page and "培训考核、签署承诺书" not in page

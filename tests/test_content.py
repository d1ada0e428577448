"""The shipped content (issue: 16 regulations, 48 norms, the standard forms and packs) holds together."""
from __future__ import annotations

import difflib
import re

import pytest

from wugu.validate import check


@pytest.fixture(scope="module")
def handbook(request):
    report = check(request.config.rootpath)
    assert report.ok, "\n".join(p.format() for p in report.problems)
    return report.handbook


def test_counts(handbook):
    assert len(handbook.regulations) == 16
    assert len(handbook.norms) == 48
    assert len(handbook.forms) >= 11
    assert len(handbook.packs) >= 4


def test_public_titles_are_there(handbook):
    titles = {r.title for r in handbook.regulations if r.public}
    assert {"新志愿者招募方法", "志愿者承诺书", "儿童信息保密协议", "关于明确保护孩子隐私的通知", "志愿者安全注意事项"} <= titles


def test_regulations_have_real_bodies(handbook):
    for r in handbook.regulations:
        assert 5 <= len(r.clauses) <= 12, r.id
        assert r.duties, r.id
        assert r.sources, r.id


def test_law_is_cited_by_name_and_article(handbook):
    sources = [s for r in handbook.regulations for s in r.sources] + [s for n in handbook.norms for s in n.sources]
    sources += [s for f in handbook.forms for s in f.sources]
    laws = [s for s in sources if s.kind == "law"]
    assert laws
    for s in laws:
        assert s.article and re.search(r"第.+条", s.article), s


def test_norms_are_distinct_and_serve_regulations(handbook):
    rules = [n.rule for n in handbook.norms]
    for i, a in enumerate(rules):
        for b in rules[i + 1:]:
            assert difflib.SequenceMatcher(None, a, b).ratio() < 0.75, (a, b)
    served = {r for n in handbook.norms for r in n.regulation_ids}
    assert all(n.regulation_ids for n in handbook.norms)
    assert served == {r.id for r in handbook.regulations}, "every regulation should have norms that serve it"


def test_red_lines_are_marked(handbook):
    red = [n.rule for n in handbook.norms if n.red_line]
    assert len(red) >= 5
    assert any("现金" in r or "钱" in r for r in red)
    assert any("过夜" in r for r in red)


def test_every_form_is_in_a_pack_and_named_by_a_regulation(handbook):
    for f in handbook.forms:
        assert handbook.packs_for_form(f.id), f"{f.id} {f.title} is in no pack"
        assert handbook.regulations_for_form(f.id), f"{f.id} {f.title} is named by no regulation"


def test_the_eleven_standard_forms(handbook):
    titles = {f.title for f in handbook.forms}
    assert {"志愿者申请表", "志愿者承诺书", "儿童信息保密协议", "孤困儿童调查表", "孤困儿童统计表", "帮扶志愿者对接表",
            "走访记录表", "监护人知情同意书", "集体活动报名及安全告知书", "款物转交登记表", "志愿服务记录表"} <= titles


def test_forms_with_sensitive_data_carry_a_notice(handbook):
    for f in handbook.forms:
        if f.has_sensitive:
            assert any(x.type == "notice" for x in f.fields), f"{f.id} collects sensitive data but has no notice"


def test_statistics_table_has_counts_only(handbook):
    stats = next(f for f in handbook.forms if f.title == "孤困儿童统计表")
    labels = [f.label for f in stats.fields] + [c.label for f in stats.fields for c in f.columns]
    assert not any("姓名" in x for x in labels if "填报人" not in x and "审核人" not in x)
    assert any(f.type == "table" for f in stats.fields)


def test_packs(handbook):
    titles = {p.title for p in handbook.packs}
    assert {"新志愿者入团包", "摸排建档包", "结对帮扶包", "款物与记录包"} <= titles


def test_shared_vocabulary_and_glossary(handbook):
    vocab = {v.id for v in handbook.vocabs}
    assert {"child-category", "school-stage", "four-supports", "help-type", "parent-status"} <= vocab
    categories = [i.label for i in handbook.vocab("child-category").items]
    assert len(categories) == 5
    terms = {t.term for t in handbook.glossary}
    for needed in ("孤儿", "事实无人抚养儿童", "困境儿童", "农村留守儿童", "五老", "儿童主任"):
        assert needed in terms


def test_money_is_never_handled_by_the_group(handbook):
    text = " ".join(c.text for r in handbook.regulations for c in r.clauses)
    assert "慈善总会" in text
    money = handbook.regulations[10]
    assert "现金" in " ".join(c.text for c in money.clauses)

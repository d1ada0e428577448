"""Unit tests of the YAML loader: positions, safety limits, encodings."""
from __future__ import annotations

import time

import pytest

from wugu.errors import WuguError
from wugu.loader import decode, load_text


def codes(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(WuguError) as info:
        load_text(text, "x.yml")
    return [(p.code, p.line, p.col) for p in info.value.problems]


def test_positions_of_values_and_keys():
    doc = load_text("id: R01\nclauses:\n  - text: 第一条\n  - text: 第二条\n", "x.yml")
    assert doc.data == {"id": "R01", "clauses": [{"text": "第一条"}, {"text": "第二条"}]}
    assert doc.pos(("clauses", 1, "text")) == (4, 11)
    assert doc.key_pos(("clauses",)) == (2, 1)
    assert doc.pos(("clauses", 5, "nothing")) == doc.pos(("clauses",))


def test_dates_and_versions_stay_as_written():
    doc = load_text('effective_date: 2026-12-01\nversion: "2026.1"\nn: 3\nflag: true\nnone: null\n', "x.yml")
    assert doc.data == {"effective_date": "2026-12-01", "version": "2026.1", "n": 3, "flag": True, "none": None}


def test_duplicate_keys_are_reported_with_both_lines():
    problems = codes("a: 1\nb: 2\na: 3\n")
    assert problems == [("E102", 3, 1)]


def test_nested_duplicate_keys():
    assert codes("x:\n  a: 1\n  a: 2\n")[0][:2] == ("E102", 3)


@pytest.mark.parametrize("text", [
    "a: !!python/object/apply:os.system [echo hi]\n",
    "a: !!python/name:os.system\n",
    "a: !custom 3\n",
    "a: !!binary aGk=\n",
    "a: !!set {x, y}\n",
])
def test_tags_are_refused(text):
    assert codes(text)[0][0] == "E103"


def test_merge_keys_are_refused():
    assert codes("base: &b {x: 1}\nother:\n  <<: *b\n")[0][0] == "E103"


def test_alias_bomb_fails_fast():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]" for i in range(1, 10)]
    started = time.perf_counter()
    assert codes("\n".join(lines))[0][0] == "E104"
    assert time.perf_counter() - started < 5


def test_recursive_alias_fails_cleanly():
    assert codes("a: &a [*a]\n")[0][0] == "E104"


def test_small_aliases_are_fine():
    assert load_text("a: &a [1, 2]\nb: *a\n", "x.yml").data == {"a": [1, 2], "b": [1, 2]}


def test_tab_indentation():
    assert codes("a:\n\tb: 1\n") == [("E105", 2, 1)]


def test_tab_after_a_colon_is_named():
    assert codes("a:\tx\n") == [("E105", 1, 3)]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text):
    assert codes(text)[0][0] == "E106"


def test_syntax_error_points_at_the_line_in_chinese():
    (code, line, _), = codes("a: 1\nb: c: d\n")
    assert (code, line) == ("E101", 2)
    with pytest.raises(WuguError) as info:
        load_text("a: 1\nb: c: d\n", "x.yml")
    assert "冒号" in info.value.problems[0].message


def test_unclosed_quote():
    assert codes('a: "abc\nb: 1\n')[0][0] == "E101"


def test_bom_is_accepted():
    assert decode("\ufeffa: 1".encode("utf-8"), "x.yml") == "a: 1"


def test_gbk_is_refused_with_a_resave_hint():
    with pytest.raises(WuguError) as info:
        decode("a: 1\ntitle: 儿童信息保密协议\n".encode("gbk"), "x.yml")
    p = info.value.problems[0]
    assert (p.code, p.line) == ("E107", 2)
    assert "GBK" in p.message and "UTF-8" in p.fix


def test_utf16_is_refused():
    with pytest.raises(WuguError) as info:
        decode("a: 1".encode("utf-16"), "x.yml")
    assert info.value.problems[0].code == "E107"


def test_fullwidth_colon_after_a_key():
    assert codes("id: R01\ntitle：服务团\nnumber: 1\n") == [("E110", 2, 6)]
    assert codes("title：服务团\n")[0][0] == "E110"


def test_missing_space_after_colon():
    assert codes("id: R01\nnumber:1\ntitle: x\n") == [("E111", 2, 7)]


def test_times_stay_as_written():
    assert load_text("hours: 9:00\nurl: https://example.org/x/\n", "x.yml").data == {
        "hours": "9:00", "url": "https://example.org/x/"}

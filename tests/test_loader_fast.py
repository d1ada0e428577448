"""The libyaml fast path of the loader (wugu.loader._FastLoader, for the site build's speed) gives the very nodes the
pure-Python loader gives — tags, values, positions — on every YAML file of the repository; text it would read
differently (a tab, a BOM inside) and text that does not parse go the Python way, with the Python messages."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from wugu import loader
from wugu.errors import WuguError

pytestmark = pytest.mark.skipif(loader._FastLoader is None, reason="PyYAML without libyaml")


def _nodes(node: yaml.Node, path: tuple = (), seen: set[int] | None = None) -> list[tuple]:
    """Every node once (an alias is not expanded again: the test files hold alias bombs)."""
    seen = set() if seen is None else seen
    out = [(path, type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column,
            node.value if isinstance(node, yaml.ScalarNode) else None, getattr(node, "explicit_timestamp", False))]
    if id(node) in seen:
        return out
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            out += _nodes(child, path + (i,), seen)
    elif isinstance(node, yaml.MappingNode):
        for i, (key, value) in enumerate(node.value):
            out += _nodes(key, path + (i, "key"), seen) + _nodes(value, path + (i,), seen)
    return out


def _yaml_files() -> list[Path]:
    skip = (".venv", "build", ".git")
    return sorted(p for p in ROOT.rglob("*.yml") if not any(part in skip for part in p.relative_to(ROOT).parts))


def test_the_fast_path_gives_the_same_nodes_on_every_file():
    checked = 0
    for path in _yaml_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            slow = loader._Loader(text).get_single_node()
        except (yaml.YAMLError, loader._DepthError):
            continue  # a broken example: the fast path hands it back to this loader anyway
        fast = loader._FastLoader(text).get_single_node()
        if slow is None:
            assert fast is None, path
            continue
        assert _nodes(fast) == _nodes(slow), path
        checked += 1
    assert checked > 70


def test_text_the_fast_path_would_read_differently_goes_the_python_way(tmp_path):
    # a tab inside a plain word: libyaml takes it, PyYAML (and so wugu) refuses it
    with pytest.raises(WuguError) as caught:
        loader.load_text("id: R01\ntitle: 制\t度\n", "x.yml")
    assert caught.value.problems[0].code == "E105"
    # a parse error: the message is the Python parser's, explained in Chinese
    with pytest.raises(WuguError) as caught:
        loader.load_text('id: R01\ntitle: "没有结束的引号\n', "x.yml")
    (p,) = caught.value.problems
    assert p.code == "E101" and "引号" in p.args["detail"]
    # the depth limit holds on the fast path too
    with pytest.raises(WuguError) as caught:
        loader.load_text("a: " + "[" * 200 + "]" * 200 + "\n", "x.yml")
    assert caught.value.problems[0].code == "E112"

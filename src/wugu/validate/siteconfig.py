"""``mkdocs.yml`` read safely: plain YAML plus MkDocs' own ``!ENV`` and ``!relative`` tags, nothing that runs code.

MkDocs itself parses ``mkdocs.yml`` with a YAML loader that constructs arbitrary Python objects
(``!!python/object/apply:os.system [...]`` would run a command at build time). wugu never lets it: the file is
read here with a safe loader, settings that would run code or read outside the project are refused, and what
is left is handed to MkDocs as plain data. Every problem is a check error with ``file:line``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, WuguError, problem
from ..loader import MAX_BYTES, _yaml_error, bad_character, check_aliases, compose, decode, too_big
from ..project import link_on_path
from .sitepolicy import unsafe_settings

CONFIG_FILE = "mkdocs.yml"
#: ``!ENV`` may read only these variables (a CI job's other variables hold tokens that must not be published).
ENV_PREFIXES = ("WUGU_", "MKDOCS_")
#: Settings that make MkDocs run code from the project or read files outside it.
_RUNS_CODE = {
    "hooks": "会在生成网站时运行其中的 Python 代码",
    "INHERIT": "会读入另一个设置文件",
}
_THEME_RUNS_CODE = {"custom_dir": "里的页面模板在生成时执行（模板可以运行代码）"}


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader plus ``!ENV`` and ``!relative``; any other tag is a problem, not an object."""

    def __init__(self, stream: str, path: str, config: Any = None):
        super().__init__(stream)
        self.path = path
        self.config = config
        self.problems: list[Problem] = []


def _env(loader: _SafeLoader, node: yaml.Node) -> Any:
    import yaml_env_tag

    if isinstance(node, yaml.SequenceNode):
        names = [loader.construct_scalar(n) for n in (node.value[:-1] if len(node.value) > 1 else node.value)]
    else:
        names = [loader.construct_scalar(node)]
    for name in names:
        if not isinstance(name, str) or not name.startswith(ENV_PREFIXES):
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            loader.problems.append(problem("E515", loader.path, line, col, name=name, prefixes="、".join(ENV_PREFIXES)))
            return None
    return yaml_env_tag.construct_env_tag(loader, node)


def _relative(loader: _SafeLoader, node: yaml.Node) -> Any:
    if loader.config is None:  # while checking: the value is resolved by MkDocs at build time
        return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None
    from mkdocs.utils.yaml import _construct_dir_placeholder

    return _construct_dir_placeholder(loader.config, loader, node)


def _unknown(loader: _SafeLoader, suffix: str, node: yaml.Node) -> None:
    loader.problems.append(problem("E513", loader.path, node.start_mark.line + 1, node.start_mark.column + 1,
                                   tag=node.tag))
    return None


_SafeLoader.add_constructor("!ENV", _env)
_SafeLoader.add_constructor("!relative", _relative)
_SafeLoader.add_multi_constructor("", _unknown)


def docs_dir(root: Path, data: dict[str, Any]) -> Path:
    """The folder of hand-written pages (``docs_dir``, default ``site``), resolved."""
    return docs_path(root, data).resolve()


def docs_path(root: Path, data: dict[str, Any]) -> Path:
    """The folder of hand-written pages as written (absolute, not resolved: a link on its way is a problem)."""
    return Path(os.path.normpath(Path(root) / str(data.get("docs_dir") or "site")))


def project_docs(root: Path) -> Path:
    """The published folder of hand-written pages of the project at ``root``: ``docs_dir`` of its ``mkdocs.yml``
    (default ``site``), as written. Whatever reads, writes or guards "the site folder" asks here, never names it."""
    data, _problems = read_checked(Path(root) / "mkdocs.yml", "mkdocs.yml", root=root)
    return docs_path(root, data if isinstance(data, dict) else {})


def _positions(node: yaml.Node) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Line and column of every key (of a mapping) and item (of a list) in ``mkdocs.yml``, by its path."""
    found: dict[tuple[Any, ...], tuple[int, int]] = {}
    stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [(node, ())]
    while stack:
        current, at = stack.pop()
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode) and len(at) < 8:
                    found.setdefault(at + (key.value,), (key.start_mark.line + 1, key.start_mark.column + 1))
                    stack.append((value, at + (key.value,)))
        elif isinstance(current, yaml.SequenceNode) and len(at) < 8:
            for i, item in enumerate(current.value):
                found.setdefault(at + (i,), (item.start_mark.line + 1, item.start_mark.column + 1))
                stack.append((item, at + (i,)))
    return found


def _where(positions: dict[tuple[Any, ...], tuple[int, int]], at: tuple[Any, ...]) -> tuple[int, int]:
    while at and at not in positions:
        at = at[:-1]
    return positions.get(at, (1, 1))


def _dangerous(data: dict[str, Any], positions: dict[tuple[Any, ...], tuple[int, int]], path: str,
               root: Path | None = None) -> list[Problem]:
    found = []
    if root is not None and link_on_path(docs_path(root, data), root) is None:  # a link: check_links says so
        docs = docs_dir(root, data)
        real = root.resolve()
        hidden = docs != real and real in docs.parents and any(
            p.startswith(".") or p in ("records", "build") for p in docs.relative_to(real).parts)
        if docs != real and real not in docs.parents:
            found.append(problem("E514", path, *_where(positions, ("docs_dir",)), key="docs_dir",
                                 what=f"指向手册目录以外（{docs}），会把那里的文件发布出去"))
        elif docs == real:
            found.append(problem("E514", path, *_where(positions, ("docs_dir",)), key="docs_dir",
                                 what="是手册目录本身，会把整个目录（包括密钥和设置）发布出去"))
        elif hidden:
            found.append(problem("E514", path, *_where(positions, ("docs_dir",)), key="docs_dir",
                                 what="指向隐藏目录、records/ 或 build/，会把那里的文件（密钥、填好的记录）发布出去"))
    for key, what in _RUNS_CODE.items():
        if key in data:
            found.append(problem("E514", path, *_where(positions, (key,)), key=key, what=what))
    theme = data.get("theme")
    if isinstance(theme, dict):
        for key, what in _THEME_RUNS_CODE.items():
            if key in theme:
                found.append(problem("E514", path, *_where(positions, ("theme", key)), key=f"theme.{key}", what=what))
    for at, code, args in unsafe_settings(data):
        if code == "E512":
            args = {**args, "config": path}
        found.append(problem(code, path, *_where(positions, at), **args))
    return found


def _bad_characters(node: yaml.Node, path: str) -> list[Problem]:
    """E116 for every key or value holding a character no text may hold (a NUL, a lone surrogate …)."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            bad = bad_character(current.value)
            if bad is not None:
                found.append(problem("E116", path, current.start_mark.line + 1, current.start_mark.column + 1,
                                     char=bad[0], what=bad[1]))
        elif isinstance(current, yaml.MappingNode):
            stack.extend(n for pair in current.value for n in pair)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return sorted(found, key=lambda p: (p.line, p.col))


def _as_config_problem(p: Problem, path: str) -> Problem:
    """A loader problem in mkdocs.yml said as a settings problem (E512, a usage error as before), same place."""
    if p.code in ("E112", "E104"):
        return p
    return problem("E512", path, p.line, p.col, detail=p.message, config=path)


def parse(text: str, path: str, config: Any = None, root: Path | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """The settings in ``text`` as plain data, and the problems found (unsafe tags, code-running settings).

    ``config`` is the MkDocs config being built, for ``!relative`` (None while checking).
    """
    try:
        node = compose(text, path)  # the loader's own composer: bounded depth, every error with its line
        if node is not None:
            check_aliases(node, path)
    except WuguError as exc:
        return {}, [_as_config_problem(p, path) for p in exc.problems]
    except yaml.YAMLError as exc:
        return {}, [_as_config_problem(_yaml_error(exc, path, text), path)]
    if node is None:
        return {}, []
    chars = _bad_characters(node, path)
    if chars:
        return {}, chars
    loader = _SafeLoader("", path, config)
    try:
        data = loader.construct_document(node)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:  # e.g. !!int "x", !ENV on a mapping
        mark = getattr(exc, "problem_mark", None) or node.start_mark
        detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return {}, [problem("E512", path, mark.line + 1, mark.column + 1, detail=f"值读不懂（{detail}）", config=path)]
    finally:
        loader.dispose()
    if loader.problems:
        return {}, loader.problems
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [problem("E512", path, 1, 1, detail="最外层应该是“键: 值”的设置", config=path)]
    return data, _dangerous(data, _positions(node), path, root)


def read(config_file: Path, shown: str, config: Any = None) -> dict[str, Any]:
    """Read ``mkdocs.yml`` safely (``{}`` when there is none); raises :class:`WuguError` on any problem."""
    data, problems = read_checked(config_file, shown, config, root=config_file.parent)
    if problems:
        raise WuguError(problems)
    return data


def read_checked(config_file: Path, shown: str, config: Any = None,
                 root: Path | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """Like :func:`read`, returning the problems instead of raising."""
    if not os.path.lexists(config_file):
        return {}, []
    if config_file.is_symlink():
        real, home = config_file.resolve(), config_file.parent.resolve()
        if not config_file.exists() or not (real == home or home in real.parents):
            return {}, []  # never read: check_links names the link (E113, E114)
    try:
        if not config_file.is_file():  # a pipe would block the check forever
            return {}, [problem("E109", shown, detail="不是普通文件（管道、设备或目录）")]
        if (size := config_file.stat().st_size) > MAX_BYTES:
            return {}, [too_big(shown, size)]
        text = decode(config_file.read_bytes(), shown)
    except WuguError as exc:
        return {}, exc.problems
    except OSError as exc:
        return {}, [problem("E109", shown, detail=exc.strerror or str(exc))]
    return parse(text, shown, config, root)


def check_site_config(root: Path) -> tuple[dict[str, Any], list[Problem]]:
    """The check's part: ``mkdocs.yml`` parses safely and asks for nothing that runs code or reads outside the
    project. Returns the settings too (the docs folder is checked for links next)."""
    from ..project import display_path

    path = root / CONFIG_FILE
    return read_checked(path, display_path(path), root=root)

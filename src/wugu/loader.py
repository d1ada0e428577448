"""Safe YAML loading that keeps the line and column of every key and value.

Only plain data is built (mappings, sequences, strings, numbers, booleans, null); dates stay strings so
that JSON Schema sees what the maintainer wrote. Duplicate keys, tags, tab indentation, alias bombs,
empty files and non-UTF-8 files are reported as :class:`~wugu.errors.Problem` with their position.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem, WuguError, problem

#: How many values aliases may expand to in one file before we call it a "billion laughs" bomb. Only values
#: reached a second time through an alias count: a legitimately large file is not a bomb.
MAX_NODES = 200_000
#: Deepest nesting of lists and mappings we read (a handbook file needs about 8 levels).
MAX_DEPTH = 64
#: Largest YAML file we read (a handbook file is a few KB, the biggest question file about 20 KB). A bigger one is
#: refused before it is parsed (E121): parsing and checking 5 MB of YAML took the check half a minute.
MAX_BYTES = 512 * 1024
#: Most items one list (or keys one mapping) may hold (the biggest lists shipped have 30): E215, at its line,
#: before the schema check walks it.
MAX_ITEMS = 500

Path_ = tuple[Any, ...]

_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {
    "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

# Common PyYAML problems, said in Chinese.
_YAML_PROBLEMS = [
    ("mapping values are not allowed", "这里不能出现“键: 值”。常见原因：冒号后面少了空格、缩进不对，或文字里含有英文冒号（这时整段文字要加引号）"),
    ("could not find expected ':'", "找不到应有的冒号。常见原因：上一行的引号没有配对，或“键”后面忘了写冒号"),
    ("expected <block end>", "缩进不一致：同一层的内容要对齐到同一列"),
    ("did not find expected key", "缩进不一致，或者某一行少了“键:”"),
    ("did not find expected '-' indicator", "列表的各项（以 - 开头）没有对齐"),
    ("found undefined alias", "引用（*名称）找不到对应的锚点（&名称）"),
    ("found unexpected end of stream", "文件在引号或括号还没结束时就结束了：检查引号是否成对"),
    ("found unknown escape character", "双引号里的反斜杠 \\ 用法不对：改用单引号，或把 \\ 写成 \\\\"),
    ("expected a single document", "一个文件里只能有一份内容：删除多余的 --- 分隔线"),
    ("found character", "这里有 YAML 不允许的字符（例如 @ 或 ` 开头的文字要加引号）"),
    ("expected ',' or ']'", "方括号 [ ] 里的列表没有正确结束"),
    ("expected ',' or '}'", "花括号 { } 里的内容没有正确结束"),
    ("unacceptable character", "文件里有不可见的控制字符：删除它"),
]


@dataclass
class Document:
    """A loaded YAML file: its data plus where each value and key stands in the file."""

    path: str
    data: Any
    local: bool = False
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: The first content line of each literal block (``text: |-``): its value's lines are the file's lines from there.
    literal_lines: dict[Path_, int] = field(default_factory=dict)

    def pos(self, path: Path_ = ()) -> tuple[int, int]:
        """Line and column of the value at ``path``, or of its nearest parent that has one."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))

    def key_pos(self, path: Path_) -> tuple[int, int]:
        """Line and column of the key that holds ``path`` (falls back to the value's position)."""
        return self.key_positions.get(tuple(path)) or self.pos(path)


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def decode(raw: bytes, path: str) -> str:
    """Decode UTF-8 (with or without BOM); anything else is a clear :class:`WuguError` (E107)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise WuguError([problem("E107", path, 1, 1, guess="（看起来是 UTF-16 / “Unicode”编码）")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        guess = ""
        try:
            raw.decode("gb18030")
            guess = "（看起来是 GBK/ANSI 编码，Windows 记事本默认常见）"
        except UnicodeDecodeError:
            pass
        raise WuguError([problem("E107", path, line, col, guess=guess)]) from None


def _check_tabs(text: str, path: str) -> list[Problem]:
    problems = []
    for n, line in enumerate(text.splitlines(), 1):
        indent = re.match(r"[ \t]*", line).group()
        if "\t" in indent and line.strip():
            problems.append(problem("E105", path, n, indent.index("\t") + 1))
    return problems


_KEY_FULLWIDTH = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_-]*)\s*：")
_KEY_NO_SPACE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_-]*):(?=[^\s/:])")


def _colon_slip(text: str, path: str, upto: int) -> Problem | None:
    """The usual cause of a failed parse when typing in a Chinese input method: ``key：`` or ``key:value``."""
    for n, line in enumerate(text.splitlines()[:upto], 1):
        if m := _KEY_FULLWIDTH.match(line):
            return problem("E110", path, n, len(m.group(1)) + len(m.group(2)) + 1, key=m.group(2))
        if m := _KEY_NO_SPACE.match(line):
            return problem("E111", path, n, len(m.group(1)) + len(m.group(2)) + 1, key=m.group(2))
    return None


def _yaml_error(exc: yaml.YAMLError, path: str, text: str = "") -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    if isinstance(exc, yaml.reader.ReaderError):  # a control character: the reader knows only its offset
        before = text[:exc.position]
        line, col = before.count("\n") + 1, exc.position - before.rfind("\n")
        return problem("E101", path, line, col,
                       detail=f"文件里有不可见的控制字符（U+{exc.character if isinstance(exc.character, int) else ord(exc.character):04X}）：删除它")
    raw = f"{getattr(exc, 'context', '') or ''} {getattr(exc, 'problem', '') or exc}"
    for needle, chinese in _YAML_PROBLEMS:
        if needle in raw:
            detail = chinese
            break
    else:
        detail = f"无法解析（{(getattr(exc, 'problem', None) or str(exc)).strip()}）"
    if "while scanning a quoted scalar" in raw:
        detail = "引号没有配对：检查这里开始的引号是否有对应的结束引号"
    return problem("E101", path, line, col, detail=detail)


#: Characters no text of a handbook may hold: C0 controls other than tab and line breaks, DEL, C1 controls, lone
#: surrogates (``"\\ud800"`` in double quotes; they crash every encoder), non-characters and the bidi overrides that
#: reorder what a reader sees. PyYAML refuses most of them written raw, but not when written as escapes.
#: Also the invisible characters that hide or change what a reader sees (zero-width spaces and joiners, the word
#: joiner, soft hyphen, a BOM inside the text, bidi marks, line/paragraph separators, tag characters, Hangul fillers).
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                       "\u202a-\u202e\u2066-\u2069"
                       "\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u2028\u2029\u2060-\u2064\u3164\ufeff"
                       "\uffa0\U000e0000-\U000e007f]")
_INVISIBLE = frozenset([0x00AD, 0x034F, 0x115F, 0x1160, 0x180E, 0x200B, 0x200C, 0x200D, 0x2060, 0x2061, 0x2062,
                        0x2063, 0x2064, 0x3164, 0xFEFF, 0xFFA0])


def bad_character(text: str) -> tuple[str, str] | None:
    """The first character of ``text`` that no handbook text may hold, as ``("U+0000", what it is)``; or None."""
    m = _BAD_CHAR.search(text)
    if m is None:
        return None
    code = ord(m.group())
    if 0xD800 <= code <= 0xDFFF:
        what = "不成对的代理字符，不是有效的 Unicode 文字"
    elif 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 or code in (0x061C, 0x200E, 0x200F):
        what = "改变文字显示方向的控制字符，会让看到的和实际写的不一样"
    elif code in _INVISIBLE:
        what = "看不见的字符（零宽空格、连接符、软连字符一类），会让看到的和实际写的不一样"
    elif code in (0x2028, 0x2029):
        what = "Unicode 的换行符或分段符，显示时会断行，文件里却看不出来"
    elif 0xE0000 <= code <= 0xE007F:
        what = "看不见的标签字符，可以把别的文字藏在里面"
    elif code >= 0xFDD0:
        what = "Unicode 规定不能用于文字的字符"
    else:
        what = "不可见的控制字符"
    return f"U+{code:04X}", f"{what}；在这段文字的第 {m.start() + 1} 个字处"


class _DepthError(Exception):
    def __init__(self, mark: Any):
        self.mark = mark


class _Bounded:
    """Composing at most :data:`MAX_DEPTH` levels (PyYAML itself recurses without bound and a file of ``[[[[…``
    would end in a ``RecursionError``), and marking an explicit ``!!timestamp``."""

    depth = 0

    def compose_scalar_node(self, anchor: Any) -> ScalarNode:
        explicit = self.peek_event().tag  # None (or "!") when the tag comes from the value, not from the file
        node = super().compose_scalar_node(anchor)
        if explicit == _TIMESTAMP:
            node.explicit_timestamp = True  # type: ignore[attr-defined]
        return node

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _DepthError(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Loader(_Bounded, yaml.SafeLoader):
    """PyYAML's safe loader, all in Python (its error messages are the ones :func:`_yaml_error` knows)."""


if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser as _CParser

    class _FastLoader(_Bounded, yaml.composer.Composer, _CParser, yaml.resolver.Resolver):  # type: ignore[misc]
        """libyaml's scanner and parser (C) under the same Python composer: the same nodes, marks and limits
        as :class:`_Loader`, the scanning about five times faster. Only for text that parses: on any YAML error
        the text is read again by :class:`_Loader`, whose messages wugu explains."""

        def __init__(self, stream: str):
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        get_single_node = yaml.composer.Composer.get_single_node  # not CParser's (C) composer
        check_node = yaml.composer.Composer.check_node
        get_node = yaml.composer.Composer.get_node

        def dispose(self) -> None:
            pass
else:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = None  # type: ignore[assignment,misc]


def compose(text: str, path: str) -> Node | None:
    """The node tree of ``text`` (safe, bounded depth); raises :class:`yaml.YAMLError` or :class:`WuguError`."""
    # libyaml takes a tab inside a plain word (PyYAML does not) and counts a BOM in the text differently
    if _FastLoader is not None and "\t" not in text and "\ufeff" not in text:
        fast = _FastLoader(text)
        try:
            return fast.get_single_node()
        except _DepthError as exc:
            raise WuguError([problem("E112", path, exc.mark.line + 1, exc.mark.column + 1,
                                     limit=MAX_DEPTH)]) from None
        except (yaml.YAMLError, RecursionError, ValueError, TypeError):
            pass  # read again below: the same error, told by the Python parser
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except _DepthError as exc:
        raise WuguError([problem("E112", path, exc.mark.line + 1, exc.mark.column + 1, limit=MAX_DEPTH)]) from None
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise WuguError([problem("E112", path, 1, 1, limit=MAX_DEPTH)]) from None
    finally:
        loader.dispose()


def check_aliases(node: Node, path: str) -> None:
    """Raise :class:`WuguError` (E104) if aliases in ``node`` loop back on themselves or expand to more than
    :data:`MAX_NODES` repeated values: for files built by another constructor (``mkdocs.yml``)."""
    seen: set[int] = set()
    repeats = 0
    stack: list[tuple[Node, bool]] = [(node, False)]
    open_: set[int] = set()
    while stack:
        current, leaving = stack.pop()
        if leaving:
            open_.discard(id(current))
            continue
        if id(current) in open_:
            raise WuguError([problem("E104", path, *_mark(current), limit=MAX_NODES)])
        if id(current) in seen:
            repeats += 1
            if repeats > MAX_NODES:
                raise WuguError([problem("E104", path, *_mark(current), limit=MAX_NODES)])
        seen.add(id(current))
        if isinstance(current, SequenceNode):
            children = current.value
        elif isinstance(current, MappingNode):
            children = [n for pair in current.value for n in pair]
        else:
            continue
        open_.add(id(current))
        stack.append((current, True))
        stack.extend((child, False) for child in reversed(children))


class _Builder:
    """Turns a composed node tree into plain data, recording positions and refusing anything unsafe."""

    def __init__(self, path: str):
        self.path = path
        self.doc = Document(path, None)
        self.problems: list[Problem] = []
        self.count = 0  # values reached again through an alias
        self._seen: set[int] = set()
        self._open: set[int] = set()
        self._scalars = yaml.constructor.SafeConstructor()

    def build(self, node: Node, at: Path_) -> Any:
        if id(node) in self._seen:
            self.count += 1
            if self.count > MAX_NODES:
                # An alias points back at its anchor's lines: report the top-level key being expanded instead.
                line, col = self.doc.key_positions.get(at[:1]) or _mark(node)
                raise WuguError([problem("E104", self.path, line, col, limit=MAX_NODES)])
        else:
            self._seen.add(id(node))
        self.doc.positions.setdefault(at, _mark(node))
        if isinstance(node, ScalarNode):
            if node.style == "|":
                self.doc.literal_lines.setdefault(at, node.start_mark.line + 2)
            return self._scalar(node) if self._check_chars(node) else node.value
        if id(node) in self._open:
            raise WuguError([problem("E104", self.path, *_mark(node), limit=MAX_NODES)])
        if len(at) > MAX_DEPTH:  # aliases nested in aliases
            raise WuguError([problem("E112", self.path, *_mark(node), limit=MAX_DEPTH)])
        self._open.add(id(node))
        try:
            return self._collection(node, at)
        finally:
            self._open.discard(id(node))

    def _collection(self, node: Node, at: Path_) -> Any:
        if len(node.value) > MAX_ITEMS:
            self.problems.append(problem("E215", self.path, *_mark(node), count=len(node.value), limit=MAX_ITEMS))
            return [] if isinstance(node, SequenceNode) else {}
        if isinstance(node, SequenceNode):
            self._check_tag(node, _SEQ)
            return [self.build(child, at + (i,)) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            self._check_tag(node, _MAP)
            out: dict[str, Any] = {}
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problems.append(problem("E103", self.path, *_mark(key_node), tag="<< 合并键"))
                    continue
                key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
                if isinstance(key_node, ScalarNode):
                    self._check_chars(key_node)
                line = _mark(key_node)[0]
                if key in seen:
                    self.problems.append(problem("E102", self.path, *_mark(key_node), key=key, first=seen[key]))
                    continue
                seen[key] = line
                self.doc.key_positions[at + (key,)] = _mark(key_node)
                out[key] = self.build(value_node, at + (key,))
            return out
        raise AssertionError(node)  # pragma: no cover

    def _check_chars(self, node: ScalarNode) -> bool:
        """False (and E116) when the value holds a character no text may hold."""
        found = bad_character(node.value)
        if found is not None:
            self.problems.append(problem("E116", self.path, *_mark(node), char=found[0], what=found[1]))
        return found is None

    def _check_tag(self, node: Node, expected: str) -> None:
        if node.tag != expected:
            self.problems.append(problem("E103", self.path, *_mark(node), tag=node.tag))

    def _scalar(self, node: ScalarNode) -> Any:
        if getattr(node, "explicit_timestamp", False):
            self.problems.append(problem("E118", self.path, *_mark(node)))
            return node.value
        if node.tag in (_STR, _TIMESTAMP):
            return node.value
        if node.tag in _PLAIN_TAGS:
            if ":" in node.value:  # YAML 1.1 reads 9:00 as the number 540: keep what was written
                return node.value
            try:
                return self._scalars.construct_object(node)
            except (ValueError, TypeError, OverflowError, yaml.YAMLError):  # e.g. !!int "abc"
                self.problems.append(problem("E115", self.path, *_mark(node), tag=node.tag, value=node.value[:20]))
                return node.value
        self.problems.append(problem("E103", self.path, *_mark(node), tag=node.tag))
        return node.value


def load_text(text: str, path: str) -> Document:
    """Parse YAML text into a :class:`Document`; raises :class:`WuguError` listing every problem found."""
    problems = _check_tabs(text, path)
    if problems:
        raise WuguError(problems)
    try:
        node = compose(text, path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None and "'\\t'" in str(getattr(exc, "problem", "")):
            raise WuguError([problem("E105", path, mark.line + 1, mark.column + 1)]) from None
        error = _yaml_error(exc, path, text)
        raise WuguError([_colon_slip(text, path, error.line or 10**9) or error]) from None
    if node is None:
        raise WuguError([problem("E106", path, 1, 1)])
    if isinstance(node, ScalarNode) and (slip := _colon_slip(text, path, 10**9)):
        raise WuguError([slip])
    builder = _Builder(path)
    data = builder.build(node, ())
    if builder.problems:
        raise WuguError(builder.problems)
    builder.doc.data = data
    return builder.doc


def too_big(shown: str, size: int) -> Problem:
    """E121: a file over :data:`MAX_BYTES`, refused before it is read."""
    return problem("E121", shown, size=f"{size / 1024:.0f} KB" if size < 10 * 1024 * 1024 else f"{size // 2**20} MB",
                   limit=f"{MAX_BYTES // 1024} KB")


def load_file(file: Path, display: str | None = None) -> Document:
    """Read and parse one YAML file. ``display`` is the path shown in messages (default: as given)."""
    shown = display or str(file)
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise WuguError([too_big(shown, size)])
        raw = file.read_bytes()
    except OSError as exc:
        raise WuguError([problem("E109", shown, detail=exc.strerror or str(exc))]) from None
    return load_text(decode(raw, shown), shown)

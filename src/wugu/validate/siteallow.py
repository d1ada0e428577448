"""Allow-lists for ``mkdocs.yml``: which top-level settings, which options of each Markdown extension (with what
values) and which names under ``theme:`` wugu accepts. Everything else is refused with its line and how to fix it.

Deny-lists kept losing: mkdocs-material prints ``toc: title`` raw into every page, Python-Markdown's ``smarty``
puts its ``substitutions`` into pages as raw HTML, ``fenced_code: lang_prefix`` lands in an attribute unescaped,
``theme.icon.admonition`` *keys* are pasted into a ``<style>`` element, and ``exclude_docs: "!.htaccess"`` publishes
server settings (refused by :mod:`wugu.validate.sitepolicy`). So only what is known to be harmless passes: plain switches, small numbers, fixed words and
short plain text, each option named here by hand.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterator

Found = tuple[tuple[Any, ...], str, dict[str, Any]]  # (path of the setting, code, message arguments)

#: Top-level settings of ``mkdocs.yml`` wugu knows to be harmless (the ones that run code or load scripts are
#: refused with their own reason before this list is consulted: ``hooks``, ``INHERIT``, ``extra_javascript`` …).
TOP_KEYS = frozenset({
    "site_name", "site_description", "site_author", "site_url", "copyright", "repo_url", "repo_name", "edit_uri",
    "edit_uri_template", "docs_dir", "use_directory_urls", "theme", "nav", "plugins", "markdown_extensions",
    "extra", "extra_css", "validation", "exclude_docs", "not_in_nav", "draft_docs", "strict", "dev_addr",
    "remote_branch", "remote_name",
})
#: Top-level settings refused elsewhere with a reason of their own (not repeated here).
_REFUSED_ELSEWHERE = frozenset({"hooks", "INHERIT", "extra_javascript", "extra_templates", "google_analytics"})
#: Why some top-level settings are not on the list.
_TOP_WHY = {
    "site_dir": "输出目录由 wugu build --out 决定；直接运行 mkdocs build 时它还可能指向手册目录以外，把那里的文件清空",
    "watch": "预览时会读取、监视别的目录（wugu serve 自己知道要看哪些文件）",
}

#: ``extra`` settings wugu knows (``wugu`` is set by wugu itself; the refused ones have reasons in sitepolicy).
EXTRA_KEYS = frozenset({"social", "generator"})

Check = Callable[[Any], str | None]  # why the value is not allowed, or None


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "只能写 true 或 false"


def _int(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        return None if ok else f"只能写 {low} 到 {high} 之间的整数"
    return check


def _one_of(*words: Any) -> Check:
    def check(value: Any) -> str | None:
        return None if value in words else "只能写以下之一：" + "、".join(map(str, words))
    return check


#: Plain text that may appear on a page as it is: no markup, quotes, ampersands, backslashes, braces or controls.
_PLAIN = re.compile(r"[^<>&\"'`\\{}\x00-\x1f\x7f]{1,60}")


def _text(value: Any) -> str | None:
    if isinstance(value, str) and _PLAIN.fullmatch(value):
        return None
    return "只能写一行普通文字（60 字以内，不含尖括号、引号、&、反斜杠和花括号）"


_CLASS = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,39}(?: [A-Za-z][A-Za-z0-9_\-]{0,39}){0,3}")


def _numbered(value: Any) -> str | None:
    """Plain text with at most one ``{}`` (where the footnote's number goes: a format string, so nothing else)."""
    if isinstance(value, str) and value.count("{}") <= 1 and _text(value.replace("{}", "1")) is None:
        return None
    return "只能写一行普通文字，最多带一个 {}（放编号的地方），不含尖括号、引号、& 和别的花括号"


def _css_class(value: Any) -> str | None:
    return None if isinstance(value, str) and _CLASS.fullmatch(value) else "只能写字母、数字和 - _ 组成的样式名"


def _token(pattern: str, what: str) -> Check:
    """A short name that goes into an id or class of the page as it is (nothing that ends the attribute)."""
    compiled = re.compile(pattern)

    def check(value: Any) -> str | None:
        return None if isinstance(value, str) and compiled.fullmatch(value) else what
    return check


#: An id prefix of each code line (``line_spans: __span`` → ``<span id="__span-0-1">``); empty switches it off.
_ID_PREFIX = _token(r"(?:[A-Za-z_][A-Za-z0-9_\-]{0,39})?", "只能写字母、数字和 - _ 组成的名字（例如 __span），或留空")
#: A language name (``python``, ``c++``, ``c#``), prefixed to a class name.
_LANGUAGE = _token(r"[A-Za-z0-9][A-Za-z0-9_+#.\-]{0,39}", "只能写语言名，例如 python、text")


def _either(*checks: Check) -> Check:
    def check(value: Any) -> str | None:
        whys = [c(value) for c in checks]
        return None if any(w is None for w in whys) else "；或".join(w for w in whys if w)
    return check


def _toc_depth(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 6:
        return None
    if isinstance(value, str) and re.fullmatch(r"[1-6]-[1-6]", value):
        return None
    return "只能写 1 到 6 的整数，或“2-4”这样的范围"


def _baselevel(value: Any) -> str | None:
    return None if str(value) in ("1", "2", "3", "4", "5", "6") and not isinstance(value, bool) else \
        "只能写 1 到 6 的整数"


_SEPARATOR = _one_of("-", "_", ".")

#: Each allowed Markdown extension and the options it may have, with the values each option may take. An option
#: not named here is refused (E520): it may put raw HTML into pages (``smarty: substitutions``, ``footnotes:
#: BACKLINK_TEXT``, ``fenced_code: lang_prefix``), be a format string or regular expression, or name Python code.
OPTIONS: dict[str, dict[str, Check]] = {
    "abbr": {},
    "admonition": {},
    "attr_list": {},
    "def_list": {},
    "fenced_code": {},
    "footnotes": {"UNIQUE_IDS": _bool, "USE_DEFINITION_ORDER": _bool, "BACKLINK_TEXT": _text,
                  "SUPERSCRIPT_TEXT": _numbered, "BACKLINK_TITLE": _numbered},
    "md_in_html": {},
    "nl2br": {},
    "sane_lists": {},
    "smarty": {"smart_quotes": _bool, "smart_angled_quotes": _bool, "smart_dashes": _bool, "smart_ellipses": _bool},
    "tables": {"use_align_attribute": _bool},
    "toc": {"permalink": _either(_bool, _text), "permalink_title": _text, "permalink_leading": _bool,
            "anchorlink": _bool, "baselevel": _baselevel, "toc_depth": _toc_depth, "title": _text,
            "separator": _SEPARATOR},
    "pymdownx.betterem": {"smart_enable": _one_of("all", "asterisk", "underscore", "none"), "punctuation": _bool},
    "pymdownx.caret": {"smart_insert": _bool, "insert": _bool, "superscript": _bool},
    "pymdownx.critic": {"mode": _one_of("view", "accept", "reject")},
    "pymdownx.details": {},
    "pymdownx.escapeall": {"hardbreak": _bool, "nbsp": _bool},
    "pymdownx.highlight": {"use_pygments": _bool, "guess_lang": _bool, "linenums": _bool,
                           "linenums_style": _one_of("table", "pymdownx-inline", "inline"),
                           "anchor_linenums": _bool, "auto_title": _bool, "pygments_lang_class": _bool,
                           "css_class": _css_class, "line_spans": _ID_PREFIX, "line_anchors": _ID_PREFIX,
                           "linenums_special": _int(-1, 1000), "linenums_class": _css_class,
                           "code_attr_on_pre": _bool, "stripnl": _bool, "noclasses": _bool,
                           "default_lang": _LANGUAGE},
    "pymdownx.inlinehilite": {"style_plain_text": _bool, "css_class": _css_class},
    "pymdownx.keys": {"strict": _bool, "camel_case": _bool},
    "pymdownx.mark": {"smart_mark": _bool},
    "pymdownx.progressbar": {"level_class": _bool, "progress_increment": _int(1, 100)},
    "pymdownx.saneheaders": {},
    "pymdownx.smartsymbols": {k: _bool for k in ("trademark", "copyright", "registered", "plusminus", "arrows",
                                                 "notequal", "fractions", "ordinal_numbers", "care_of")},
    "pymdownx.striphtml": {"strip_comments": _bool, "strip_js_on_attributes": _bool},
    "pymdownx.superfences": {"disable_indented_code_blocks": _bool, "preserve_tabs": _bool, "css_class": _css_class},
    "pymdownx.tabbed": {"alternate_style": _bool, "combine_header_slug": _bool, "separator": _SEPARATOR},
    "pymdownx.tasklist": {"custom_checkbox": _bool, "clickable_checkbox": _bool},
    "pymdownx.tilde": {"smart_delete": _bool, "delete": _bool, "subscript": _bool},
}


def extension_options(name: str, full: str, options: Any, at: tuple[Any, ...]) -> Iterator[Found]:
    """Problems with the options of the allowed extension ``name`` (written ``full``) at setting path ``at``."""
    allowed = OPTIONS.get(name, {})
    listed = "、".join(sorted(allowed)) or "（没有：写成“- " + full + "”即可）"
    if options is None:
        return
    if not isinstance(options, dict):
        yield at, "E520", dict(key=f"markdown_extensions: {full}", value=str(options)[:80],
                               why="应该是“选项: 值”的设置", fix=f"删掉这些值；{full} 可以写的选项：{listed}")
        return
    for option, value in options.items():
        check = allowed.get(str(option))
        if check is None:
            yield at + (option,), "E520", dict(
                key=f"markdown_extensions: {full}: {str(option)[:60]}", value=str(value)[:80],
                why="这个选项不在 wugu 允许的清单里（有的选项会把文字原样放进网页、当作格式或正则表达式，或指定 Python 代码）",
                fix=f"删掉“{str(option)[:60]}”这一项；{full} 可以写的选项：{listed}")
            continue
        why = check(value)
        if why is not None:
            yield at + (option,), "E520", dict(key=f"markdown_extensions: {full}: {option}", value=str(value)[:80],
                                              why=why, fix="改成允许的值，或删掉这一项（用默认设置）")


_NAME = re.compile(r"[A-Za-z0-9_\-]{1,60}")


def _theme_names(value: Any, at: tuple[Any, ...]) -> Iterator[Found]:
    """Every name (mapping key) under ``theme:``: mkdocs-material pastes some of them into pages as they are
    (``theme.icon.admonition`` keys go into a ``<style>`` element of every page)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str) or not _NAME.fullmatch(k):
                yield at + (k,), "E541", dict(key=".".join(map(str, at)), name=str(k)[:60])
            else:
                yield from _theme_names(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _theme_names(v, at + (i,))


def _kind(*types: type, what: str, empty: bool = True) -> Check:
    """Values of ``types`` (or nothing, when MkDocs accepts an empty value: ``empty``)."""
    def check(value: Any) -> str | None:
        ok = (value is None and empty) or (isinstance(value, types) and not (isinstance(value, bool) and bool not in types))
        return None if ok else what
    return check


_LEVELS = ("warn", "info", "ignore")
_VALIDATION = {"nav": {"omitted_files": _LEVELS, "not_found": _LEVELS, "absolute_links": _LEVELS + ("relative_to_docs",)},
               "links": {"not_found": _LEVELS, "absolute_links": _LEVELS + ("relative_to_docs",),
                         "unrecognized_links": _LEVELS, "anchors": _LEVELS}}


def _validation(value: Any) -> Iterator[tuple[tuple[Any, ...], Any, str]]:
    """(path, value, why) for what in ``validation:`` MkDocs would refuse (it fails the build in English)."""
    if not isinstance(value, dict):
        yield ("validation",), value, "应该是 nav: 和 links: 两组设置（不需要时删掉这一项）"
        return
    for key, sub in value.items():
        groups = [g for g in _VALIDATION if key == g] or [g for g in _VALIDATION if key in _VALIDATION[g]]
        if not groups:
            yield ("validation", key), key, "MkDocs 没有这项检查"
        elif key in _VALIDATION:
            if not isinstance(sub, dict):
                yield ("validation", key), sub, "应该是“检查项: warn/info/ignore”的设置"
                continue
            for k, level in sub.items():
                if k not in _VALIDATION[key]:
                    yield ("validation", key, k), k, "MkDocs 没有这项检查"
                elif level not in _VALIDATION[key][k]:
                    yield ("validation", key, k), level, "只能写 " + "、".join(_VALIDATION[key][k])
        elif any(sub not in _VALIDATION[g][key] for g in groups):
            yield ("validation", key), sub, "只能写 " + "、".join(_LEVELS)


#: What each top-level setting must be (MkDocs refuses anything else only when building, and in English).
#: The addresses, ``exclude_docs`` and its kin, ``theme``'s and ``extra``'s contents are checked in sitepolicy.
VALUE_KINDS: dict[str, Check] = {
    **{k: _kind(str, what="应该是一行文字") for k in ("site_name", "site_description", "site_author", "copyright",
                                                   "repo_name", "docs_dir", "remote_branch", "remote_name")},
    "dev_addr": lambda v: None if v is None or isinstance(v, str) and re.fullmatch(r"[\w.\-]+:\d{1,5}", v)
    else "应该写成 127.0.0.1:8000 这样的地址和端口",
    "use_directory_urls": _kind(bool, what="只能写 true 或 false"),
    "strict": _kind(bool, what="只能写 true 或 false"),
    "theme": _kind(str, dict, what="应该是主题名称或“设置: 值”"),
    "nav": _kind(list, what="应该是一个列表（每项一个页面）"),
    "plugins": _kind(list, dict, what="应该是一个列表（每项一个插件）"),
    "markdown_extensions": _kind(list, dict, what="应该是一个列表（每项一个扩展）"),
    "extra": _kind(dict, what="应该是“设置: 值”（不需要时删掉这一项）", empty=False),
    "extra_css": _kind(list, str, what="应该是一个列表（每项一个样式文件）"),
}


def _values(data: dict[str, Any]) -> Iterator[Found]:
    for key, check in VALUE_KINDS.items():
        if key in data and (why := check(data[key])) is not None:
            yield (key,), "E520", dict(key=key, value=str(data[key])[:80], why=why,
                                       fix="改成这种写法，或删掉这一项（wugu 会用默认设置）")
    for at, value, why in _validation(data["validation"]) if "validation" in data else ():
        yield at, "E520", dict(key=" ".join(map(str, at)), value=str(value)[:80], why=why,
                               fix="改正这一项，或删掉整个 validation（wugu 会用默认设置）")


def _nav_items(nav: Any, at: tuple[Any, ...]) -> Iterator[Found]:
    """Each navigation item is a page (text) or one ``标题: 页面或列表`` pair, as MkDocs requires."""
    for i, item in enumerate(nav if isinstance(nav, list) else ()):
        if isinstance(item, str):
            continue
        if isinstance(item, dict) and len(item) == 1:
            value = next(iter(item.values()))
            if isinstance(value, list):
                yield from _nav_items(value, at + (i, next(iter(item))))
                continue
            if isinstance(value, str):
                continue
        yield at + (i,), "E520", dict(key=f"nav 第 {i + 1} 项", value=str(item)[:80],
                                      why="每项应该是一个页面（about.md），或“标题: 页面”“标题: [几个页面]”",
                                      fix="写成 - 关于: about.md")


#: mkdocs-material's theme features (its templates and bundle, 9.x) a project may turn on: none puts a script
#: address into a page or loads anything from outside, and each works from file:// (tests/test_harden_attack6.py
#: builds the handbook with all of them on and finds no E530).
THEME_FEATURES = frozenset({
    "navigation.tabs", "navigation.tabs.sticky", "navigation.sections", "navigation.expand", "navigation.path",
    "navigation.prune", "navigation.indexes", "navigation.top", "navigation.footer", "navigation.tracking",
    "toc.follow", "toc.integrate", "search.highlight", "search.suggest", "header.autohide", "announce.dismiss",
    "content.tabs.link", "content.code.copy", "content.code.select", "content.code.annotate", "content.tooltips",
    "content.footnote.tooltips", "content.action.edit", "content.action.view",
})
_INSTANT = "它让网页用脚本去取下一页；从 U 盘或本机直接打开（file://）时翻页会失败，离线的手册用不了"
#: Features mkdocs-material has that wugu refuses, and why.
FEATURES_REFUSED = {
    "search.share": "它在搜索框里放一个地址是 javascript:void(0) 的“分享”按钮；wugu 生成的网页里不允许脚本地址，"
                    "每次生成网站都会失败（E530）",
    "navigation.instant": _INSTANT, "navigation.instant.prefetch": _INSTANT, "navigation.instant.progress": _INSTANT,
    "navigation.instant.preview": _INSTANT,
}


def _features(theme: dict[str, Any]) -> Iterator[Found]:
    """E520 for each theme feature not on :data:`THEME_FEATURES`, at its own line, with the reason."""
    features = theme.get("features")
    for i, name in enumerate(features if isinstance(features, list) else ()):
        if not isinstance(name, str) or name in THEME_FEATURES:
            continue
        why = FEATURES_REFUSED.get(name, "mkdocs-material 没有这个功能，或者 wugu 还没有查过它会不会往网页里放脚本、"
                                         "从外网加载东西")
        yield ("theme", "features", i), "E520", dict(
            key="theme.features", value=name[:80], why=why,
            fix="删掉这一项；可以用的功能：" + "、".join(sorted(THEME_FEATURES)))


#: What each theme setting must be (mkdocs-material fails with a Python error in the build otherwise).
_THEME_KINDS: dict[str, Check] = {
    "features": lambda v: None if isinstance(v, list) and all(isinstance(x, str) for x in v)
    else "应该是一个列表，每项一个功能名（例如 navigation.tabs）",
    "palette": lambda v: None if isinstance(v, dict) or (isinstance(v, list) and all(isinstance(x, dict) for x in v))
    else "应该是“设置: 值”，或这样的几组（浅色、深色）",
    "icon": _kind(dict, what="应该是“名称: 图标”"),
    "font": lambda v: None if v is False or isinstance(v, dict) else "写 false（wugu 不用外部字体）",
    "direction": _one_of("ltr", "rtl"),
    "language": _kind(str, what="应该是语言代码，例如 zh"),
    "locale": _kind(str, what="应该是语言代码，例如 zh"),
}
#: Options of the allowed plugins and their kinds (the search's separator, lang and fields are checked in
#: sitepolicy, which knows what reaches a regular expression).
_PLUGIN_KINDS: dict[str, dict[str, Check]] = {
    "search": {"enabled": _bool, "pipeline": lambda v: None if isinstance(v, list) and set(v) <= {
        "stemmer", "stopWordFilter", "trimmer"} else "只能是 stemmer、stopWordFilter、trimmer 组成的列表"},
    "offline": {"enabled": _bool},
}


def _theme_values(theme: Any) -> Iterator[Found]:
    if not isinstance(theme, dict):
        return
    for key, check in _THEME_KINDS.items():
        if key in theme and (why := check(theme[key])) is not None:
            yield ("theme", key), "E520", dict(key=f"theme.{key}", value=str(theme[key])[:80], why=why,
                                               fix="改成这种写法，或删掉这一项（wugu 会用默认设置）")
    yield from _features(theme)


def _plugin_values(plugins: Any) -> Iterator[Found]:
    from .sitepolicy import _items, plugin_name

    for key, item in _items(plugins):
        if not isinstance(item, dict) or not item:
            continue
        full = next(iter(item))
        options, kinds = item[full], _PLUGIN_KINDS.get(plugin_name(item), {})
        at = ("plugins", key) + ((full,) if isinstance(key, int) else ())
        if options is None:
            continue
        if not isinstance(options, dict):
            yield at, "E520", dict(key=f"plugins: {full}", value=str(options)[:80], why="应该是“选项: 值”",
                                   fix=f"写成 - {full}，或在下面写“选项: 值”")
            continue
        for option, check in kinds.items():
            if option in options and (why := check(options[option])) is not None:
                yield at + (option,), "E520", dict(key=f"plugins: {full}: {option}", value=str(options[option])[:80],
                                                   why=why, fix="改成这种写法，或删掉这一项")


def unknown_settings(data: dict[str, Any]) -> Iterator[Found]:
    """Top-level and ``extra`` settings not on the allow-lists or of the wrong kind, and odd names under
    ``theme``."""
    known = "、".join(sorted(TOP_KEYS))
    for key in data:
        if key in TOP_KEYS or key in _REFUSED_ELSEWHERE:
            continue
        why = _TOP_WHY.get(str(key), "wugu 不认识这项设置（有的设置会读取别的文件、运行代码或改变网页）")
        yield (key,), "E540", dict(key=str(key)[:60], what=f"不在允许的清单里：{why}",
                                   fix=f"删掉这一项；可以写的设置：{known}")
    yield from _values(data)
    yield from _nav_items(data.get("nav"), ("nav",))
    yield from _theme_values(data.get("theme"))
    yield from _plugin_values(data.get("plugins"))
    extra = data.get("extra")
    if isinstance(extra, dict):
        from .sitepolicy import _EXTRA_REFUSED

        for key in extra:
            if key in EXTRA_KEYS or key in _EXTRA_REFUSED:
                continue
            yield ("extra", key), "E540", dict(
                key=f"extra.{str(key)[:60]}", what="不在允许的清单里（mkdocs-material 会把 extra 里的一些设置原样放进网页）",
                fix=f"删掉这一项；extra 下可以写：{'、'.join(sorted(EXTRA_KEYS))}")
    theme = data.get("theme")
    if isinstance(theme, dict):
        yield from _theme_names(theme, ("theme",))

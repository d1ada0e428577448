"""What ``mkdocs.yml`` may ask for: allowlists of Markdown extensions, plugins, theme and ``extra`` settings, and
safe values for every setting that mkdocs-material puts into each page as it is.

mkdocs renders its templates without auto-escaping: ``repo_url``, ``extra.social``, ``extra_css``, palette names,
nav links … land in every page raw. And extensions and plugins are Python code picked by name: one that reads
files (``pymdownx.snippets`` in any spelling), loads scripts or goes to the network would run from a pull request.
So wugu accepts only what it knows to be safe and says, for everything else, the line and how to fix it.
"""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from .siteallow import extension_options, unknown_settings

#: Markdown extensions known to render locally and read no files (compared without ``markdown.extensions.`` and
#: without a ``:Class`` suffix, so ``pymdownx.snippets:SnippetExtension`` is ``pymdownx.snippets``).
EXTENSIONS = frozenset({
    "abbr", "admonition", "attr_list", "def_list", "fenced_code", "footnotes", "md_in_html", "nl2br", "sane_lists",
    "smarty", "tables", "toc",
    "pymdownx.betterem", "pymdownx.caret", "pymdownx.critic", "pymdownx.details", "pymdownx.escapeall",
    "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.keys", "pymdownx.mark", "pymdownx.progressbar",
    "pymdownx.saneheaders", "pymdownx.smartsymbols", "pymdownx.striphtml", "pymdownx.superfences",
    "pymdownx.tabbed", "pymdownx.tasklist", "pymdownx.tilde",
})
#: Why some well-known extensions are not on the list.
_EXTENSION_WHY = {
    "pymdownx.snippets": "：它会把任意文件（包括 /etc/passwd、密钥）的内容插进页面",
    "pymdownx.b64": "：它会把任意图片文件读进页面",
    "pymdownx.emoji": "：它的表情图片从外网加载，离线时显示不出来",
    "pymdownx.arithmatex": "：公式要从外网加载脚本",
}
#: Plugins and the options each may have (mkdocs-material's search and offline, and wugu itself).
PLUGINS: dict[str, frozenset[str]] = {
    "wugu": frozenset(),
    "search": frozenset({"enabled", "lang", "separator", "pipeline", "fields"}),
    "offline": frozenset({"enabled"}),
}
_PLUGIN_WHY = {
    "social": "：它会从外网下载字体、生成图片写进缓存目录",
    "privacy": "：它会从外网下载文件",
    "info": "：它会把整个目录打包，还可能上传",
    "blog": "：wugu 的网站不用博客",
    "macros": "：它会在页面里运行模板代码",
}
#: Theme settings that may be written (``custom_dir`` is refused as running code, see siteconfig).
THEME_KEYS = frozenset({"name", "language", "locale", "font", "features", "palette", "icon", "logo", "favicon",
                        "direction", "custom_dir"})
#: ``extra`` settings of mkdocs-material that put scripts, outside addresses or raw markup into every page.
_EXTRA_REFUSED = {
    "analytics": "会把每个访问者的记录发到外面的网站",
    "consent": "会把 Cookie 提示原样放进每一页",
    "polyfills": "会在每一页加载脚本",
    "alternate": "会把别的网址原样放进每一页",
    "version": "会在每一页从网站读取版本列表",
    "homepage": "会把网址原样放进每一页的标志链接",
    "status": "会把文字原样放进导航",
    "tags": "会把文字原样放进页面",
    "annotate": "会改变页面的脚本行为",
    "scope": "会改变页面的脚本行为",
}
#: Top-level settings that load scripts, run templates or report visitors elsewhere.
REFUSED = {
    "extra_javascript": "会在每一页加载脚本",
    "extra_templates": "里的模板会在生成时执行（模板可以运行代码）",
    "google_analytics": "会把每个访问者的记录发到外面的网站",
}

#: A value that may go into an HTML attribute as it is: no quotes, angle brackets, ampersands or backslashes that
#: could end the attribute or start markup.
_TOKEN = re.compile(r"[A-Za-z0-9_./:()=,+#%@~\- ]*")
_PATH = re.compile(r"[A-Za-z0-9_\-][A-Za-z0-9_./\-]*")

Found = tuple[tuple[Any, ...], str, dict[str, Any]]  # (path of the setting, code, message arguments)


def extension_name(item: Any) -> str:
    """The module name of a ``markdown_extensions`` item: ``markdown.extensions.toc`` → ``toc``,
    ``pymdownx.snippets:SnippetExtension`` → ``pymdownx.snippets``."""
    name = item if isinstance(item, str) else next(iter(item), "") if isinstance(item, dict) and item else ""
    name = str(name).split(":", 1)[0].strip()
    return name[len("markdown.extensions."):] if name.startswith("markdown.extensions.") else name


def plugin_name(item: Any) -> str:
    """A ``plugins`` item's name without ``material/`` (``material/search`` is ``search``)."""
    name = item if isinstance(item, str) else next(iter(item), "") if isinstance(item, dict) and item else ""
    name = str(name)
    return name[len("material/"):] if name.startswith("material/") else name


def _items(raw: Any) -> list[tuple[Any, Any]]:
    """(key in the settings, item) of a list or a mapping of extensions or plugins."""
    if isinstance(raw, dict):
        return [(k, {k: v}) for k, v in raw.items()]
    if isinstance(raw, list):
        return list(enumerate(raw))
    return []


_UNSAFE_CHARS = re.compile(r"[\s\"'<>&`\\\x00-\x1f\x7f]")


def _bad_url(value: Any, *, web_only: bool = True) -> str | None:
    """Why ``value`` is no safe address for a link, or None (http/https with a host; relative paths too unless
    ``web_only``)."""
    if not isinstance(value, str):
        return "应该是一个网址"
    if _UNSAFE_CHARS.search(value):
        return "含有引号、尖括号、& 或空格这类会改变网页的字符"
    parts = urlsplit(value)
    if parts.scheme or value.startswith("//"):
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return "只能是 http:// 或 https:// 开头的网址"
        return None
    if web_only:
        return "只能是 http:// 或 https:// 开头的网址"
    if value.startswith("/") or ".." in value.split("/"):
        return "只能写 site/ 里的文件（相对路径，不能以 / 开头，不能有 ..）"
    return None


#: Text in an extension's options may not hold markup, quotes, backslashes or a format field other than ``{}``:
#: some options land in pages as they are (``footnotes: BACKLINK_TEXT``, ``smarty: substitutions``) and some
#: are format strings (``footnotes: BACKLINK_TITLE``).
_OPTION_TEXT_BAD = re.compile(r"[<>&\"'`\\\x00-\x1f\x7f]|\{(?!\})")
#: Extension options that name Python code (wugu supplies the slug function; custom fences and inline
#: highlighters need a Python function, which ``mkdocs.yml`` cannot name safely).
OPTION_CODE = frozenset({"slugify", "custom_fences", "custom_inline", "formatter", "validator"})
#: Options that go into a regular expression (Python-Markdown's slugs build ``[{separator}\s]+``): one of these.
SEPARATORS = ("-", "_", ".")


def _options(name: str, key: Any, value: Any, at: tuple[Any, ...]) -> Iterator[Found]:
    """Problems with the options of an allowed extension (``at``: the path of its settings)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if str(k) in OPTION_CODE:
                yield _value(at + (k,), v, "这个选项要指定 Python 代码，mkdocs.yml 里不能写",
                             f"删掉“{k}”；标题锚点由 wugu 生成" if k == "slugify" else f"删掉“{k}”")
            elif str(k) == "separator" and v not in SEPARATORS:
                yield _value(at + (k,), v, "分隔符会被放进正则表达式，只能是一个 - _ 或 .",
                             "写 separator: \"-\"，或删掉这一项（默认是 -）")
            else:
                yield from _options(name, k, v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _options(name, i, v, at + (i,))
    elif isinstance(value, str) and _OPTION_TEXT_BAD.search(value):
        yield _value(at, value, "含有尖括号、引号、& 、反斜杠或 {…} 这类会原样放进网页或当作格式的字符",
                     "只写普通文字；不确定时删掉这一项，用默认设置")


def _extensions(raw: Any) -> Iterator[Found]:
    allowed = "、".join(sorted(EXTENSIONS))
    for key, item in _items(raw):
        name = extension_name(item)
        full = item if isinstance(item, str) else next(iter(item), "") if isinstance(item, dict) and item else name
        if name not in EXTENSIONS or ":" in str(full):  # "fenced_code:CodeHiliteExtension" loads another class
            why = _EXTENSION_WHY.get(name, "") if ":" not in str(full) else "（“模块:类名”会加载清单以外的类）"
            yield ("markdown_extensions", key), "E518", dict(name=full, why=why, allowed=allowed)
        elif isinstance(item, dict) and item.get(full) is not None:
            at = ("markdown_extensions", key) + ((full,) if isinstance(key, int) else ())
            problems = list(extension_options(name, full, item[full], at))  # the allow-list of options
            yield from problems if problems else _options(name, full, item[full], at)


#: The search's word separator as mkdocs-material's browser code uses it (``new RegExp(separator)``, and in the
#: build): only one character class, perhaps with ``+`` — a regular expression that cannot backtrack.
_SAFE_SEPARATOR = re.compile(r"\[\^?(?:[^\\\[\]]|\\[sSdDwW\-\\\[\]./^|()+*?{}]|\\u[0-9a-fA-F]{4}"
                             r"|\\x[0-9a-fA-F]{2})+\]\+?")
_BOOSTED = frozenset({"title", "text", "tags"})


def _search(key: Any, full: str, options: dict[str, Any]) -> Iterator[Found]:
    """The search plugin's options that reach a regular expression or the page's script."""
    at = ("plugins", key) + ((full,) if isinstance(key, int) else ())
    if "separator" in options:
        sep = options["separator"]
        if not isinstance(sep, str) or not _SAFE_SEPARATOR.fullmatch(sep) or len(sep) > 200:
            yield _value(at + ("separator",), sep, "搜索的分隔符是浏览器里的正则表达式，写法复杂时会让搜索卡死",
                         "删掉这一项（wugu 已设好中文的分隔符）；一定要改时只写一个字符类，例如 \"[\\s\\-，。]+\"")
    if "lang" in options:
        lang = options["lang"]
        langs = lang if isinstance(lang, list) else [lang]
        if not all(isinstance(x, str) and re.fullmatch(r"[a-z]{2}(?:-[A-Za-z]{2,4})?", x) for x in langs):
            yield _value(at + ("lang",), lang, "搜索语言只能是 zh、en 这样的语言代码", "写 lang: [zh]，或删掉这一项")
    if "fields" in options:
        fields = options["fields"]
        good = isinstance(fields, dict) and all(
            k in _BOOSTED and isinstance(v, dict) and set(v) <= {"boost"}
            and isinstance(v.get("boost", 1), (int, float)) and not isinstance(v.get("boost", 1), bool)
            for k, v in fields.items())
        if not good:
            yield _value(at + ("fields",), fields, "只能给 title、text、tags 设 boost（一个数字）",
                         "写成 fields: {title: {boost: 1000}}，或删掉这一项")


def _plugins(raw: Any) -> Iterator[Found]:
    allowed = "、".join(PLUGINS)
    for key, item in _items(raw):
        name = plugin_name(item)
        full = item if isinstance(item, str) else next(iter(item), "") if isinstance(item, dict) and item else name
        if name not in PLUGINS:
            yield ("plugins", key), "E519", dict(name=full, why=_PLUGIN_WHY.get(name, ""), allowed=allowed)
            continue
        options = item.get(full) if isinstance(item, dict) else None
        if name == "search" and isinstance(options, dict):
            yield from _search(key, full, options)
        for option in options if isinstance(options, dict) else {}:
            if option not in PLUGINS[name]:
                yield ("plugins", key), "E520", dict(
                    key=f"plugins: {full}: {option}", value=str(options[option])[:60],
                    why="wugu 不允许这个选项（它会读取别的文件，或改变网站的安全设置）",
                    fix=f"删掉“{option}”；{name} 可以写的选项：{'、'.join(sorted(PLUGINS[name])) or '（没有）'}")


def setting_name(path: tuple[Any, ...]) -> str:
    """``("extra", "social", 0, "link")`` → ``extra.social 第 1 项 link``."""
    out = ""
    for p in path:
        out += f" 第 {p + 1} 项" if isinstance(p, int) else (" " if out.endswith("项") else "." if out else "") + str(p)
    return out


def _value(path: tuple[Any, ...], value: Any, why: str, fix: str) -> Found:
    key = setting_name(path)
    return path, "E520", dict(key=key, value=str(value)[:80], why=why, fix=fix)


def _theme(theme: Any) -> Iterator[Found]:
    if isinstance(theme, str):
        theme = {"name": theme}
    if not isinstance(theme, dict):
        return
    name = theme.get("name", "material")
    if name != "material":  # a settings problem, as when the theme does not exist (E512, exit code 2)
        yield ("theme", "name"), "E512", dict(detail=f"主题“{str(name)[:40]}”不能用：wugu 的网站只用 material 主题"
                                                     "（别的主题不转义页面上的文字）")
    for key in theme:
        if key not in THEME_KEYS:
            yield _value(("theme", key), theme[key], "wugu 不认识这项主题设置",
                         f"删掉这一项；可以写的主题设置：{'、'.join(sorted(THEME_KEYS - {'custom_dir'}))}")
    language = theme.get("language")
    if language is not None and (not isinstance(language, str) or not _language_exists(language)):
        yield _value(("theme", "language"), language, "mkdocs-material 没有这种语言的界面文字",
                     "写 language: zh（简体中文），或删掉这一项")
    icons = _icons_dir()
    for path, text in _strings(theme.get("icon") or {}, ("theme", "icon")):
        if icons is not None and (not _PATH.fullmatch(text) or ".." in text.split("/")
                                  or not (icons / f"{text}.svg").is_file()):
            yield _value(path, text, "mkdocs-material 里没有这个图标", "写 mkdocs-material 自带的图标名，例如 material/home，或删掉这一项")
    for key in ("logo", "favicon"):
        if key not in theme:
            continue
        why = _bad_url(theme[key], web_only=False)
        if why is None and (urlsplit(str(theme[key])).scheme or str(theme[key]).startswith("//")):
            why = "图片要从外网加载，离线时显示不出来，还会让外面的网站知道谁在看手册"
        if why is not None:
            yield _value(("theme", key), theme[key], why, "把图片放进 site/ 目录，这里写它的相对路径，例如 images/logo.png")
    for path, text in _strings(theme, ("theme",)):
        if path[1] in ("name", "logo", "favicon") or (len(path) > 2 and path[-1] == "name" and "toggle" in path):
            continue  # checked above; a palette toggle's name is escaped like other text
        if not _TOKEN.fullmatch(text):
            yield _value(path, text, "含有引号、尖括号或 & 这类会改变网页的字符",
                         "只写字母、数字和 - . / 这类符号，例如 primary: teal")


def _extra(extra: Any) -> Iterator[Found]:
    if not isinstance(extra, dict):
        return
    for key, why in _EXTRA_REFUSED.items():
        if key in extra:
            yield ("extra", key), "E514", dict(key=f"extra.{key}", what=why)
    social = extra.get("social")
    if social is None:
        return
    if not isinstance(social, list):
        yield _value(("extra", "social"), social, "应该是一个列表", "每项写 icon、link 和 name，例如 - {icon: fontawesome/brands/weixin, link: https://…, name: 微信公众号}")
        return
    icons = _icons_dir()
    for i, item in enumerate(social):
        if not isinstance(item, dict):
            yield _value(("extra", "social", i), item, "应该是 icon、link、name 三项", "写成 {icon: …, link: https://…, name: …}")
            continue
        if (why := _bad_url(item.get("link"))) is not None:
            yield _value(("extra", "social", i, "link"), item.get("link"), why, "写 https:// 开头的网址")
        icon = item.get("icon")
        if not isinstance(icon, str) or not _PATH.fullmatch(icon) or ".." in icon.split("/") or (
                icons is not None and not (icons / f"{icon}.svg").is_file()):
            yield _value(("extra", "social", i, "icon"), icon, "mkdocs-material 里没有这个图标",
                         "写 mkdocs-material 自带的图标名，例如 fontawesome/brands/weixin")


def _language_exists(language: str) -> bool:
    """True if mkdocs-material (or wugu's own overrides) has the interface words of ``language``."""
    if not re.fullmatch(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?", language):
        return False
    try:
        import material
    except ImportError:  # pragma: no cover - the check works without the site's packages
        return True
    from ..resources import templates_dir

    name = f"partials/languages/{language}.html"
    return (Path(material.__file__).parent / "templates" / name).is_file() or \
        (templates_dir() / "site" / "overrides" / name).is_file()


def _icons_dir() -> Path | None:
    try:
        import material
    except ImportError:  # pragma: no cover - the check works without the site's packages
        return None
    return Path(material.__file__).parent / "templates" / ".icons"


def _strings(value: Any, at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield at, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, at + (i,))


def _nav(nav: Any, at: tuple[Any, ...]) -> Iterator[Found]:
    if isinstance(nav, list):
        for i, item in enumerate(nav):
            yield from _nav(item, at + (i,))
    elif isinstance(nav, dict):
        for k, v in nav.items():
            yield from _nav(v, at + (k,))
    elif isinstance(nav, str) and (why := _bad_url(nav, web_only=False)) is not None:
        yield _value(at, nav, why, "写 site/ 里页面的相对路径（例如 about.md），或 https:// 开头的网址")


def _simple(data: dict[str, Any]) -> Iterator[Found]:
    for key in ("repo_url", "site_url"):
        if data.get(key) is not None and (why := _bad_url(data[key])) is not None:
            yield _value((key,), data[key], why, "写 https:// 开头的网址，例如 https://github.com/某某/手册")
    for key in ("edit_uri", "edit_uri_template"):
        if data.get(key) is not None and (not isinstance(data[key], str) or not _TOKEN.fullmatch(data[key])):
            yield _value((key,), data[key], "含有引号、尖括号或 & 这类会改变网页的字符",
                         "写仓库里页面目录的路径，例如 edit/main/site/；不需要“编辑此页”按钮时删掉这一项")
    yield from _copyright(data.get("copyright"))
    css = data.get("extra_css")
    for i, item in enumerate(css if isinstance(css, list) else [] if css is None else [css]):
        if not isinstance(item, str) or not _PATH.fullmatch(item) or ".." in item.split("/"):
            yield _value(("extra_css", i), item, "只能写 site/ 里的样式文件（相对路径，不能是网址）",
                         "把样式文件放进 site/，这里写它的相对路径，例如 css/local.css")


def _copyright(value: Any) -> Iterator[Found]:
    """Numbers the footer shows once its character references are read (the site decodes ``&copy;`` and
    ``&#49;``; the scan of mkdocs.yml's text sees the references only)."""
    if not isinstance(value, str) or "&" not in value:
        return
    from .privacy import scan_text

    seen = {masked for _code, masked, _at in scan_text(value)}
    for code, masked, _at in scan_text(html.unescape(value)):
        if masked not in seen:
            yield ("copyright",), code, dict(masked=masked)


def _patterns(data: dict[str, Any]) -> Iterator[Found]:
    """``exclude_docs`` and its kin are gitignore-style patterns; a ``!`` line takes a file back in, and MkDocs
    would publish hidden files (``.htaccess``: server settings) that wugu does not look at."""
    for key in ("exclude_docs", "not_in_nav", "draft_docs"):
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            yield _value((key,), value, "应该是几行文件名模式", f"写成 {key}: |，下面每行一个模式；或删掉这一项")
        elif any(line.strip().startswith("!") for line in value.splitlines()):
            yield _value((key,), value, "以 ! 开头的行会把隐藏文件（例如 .htaccess 服务器设置）也发布出去",
                         "删掉以 ! 开头的行")


def unsafe_settings(data: dict[str, Any]) -> Iterator[Found]:
    """Every setting of ``mkdocs.yml`` that wugu refuses, as (path of the setting, code, message arguments)."""
    yield from _patterns(data)
    for key, what in REFUSED.items():
        if key in data:
            yield (key,), "E514", dict(key=key, what=what)
    yield from _extensions(data.get("markdown_extensions"))
    yield from _plugins(data.get("plugins"))
    yield from _theme(data.get("theme"))
    yield from _extra(data.get("extra"))
    yield from _nav(data.get("nav"), ("nav",))
    yield from _simple(data)
    yield from unknown_settings(data)  # allow-lists: top-level and extra settings, names under theme

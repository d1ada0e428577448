"""Hand-written pages under ``site/``: no script, no outside loads, no personal data, as they will be published.

A page is checked the way a browser will see it: the Markdown is rendered to HTML (with the project's allowed
extensions, ``attr_list`` included, which can add ``onclick=`` to any element), then read by an HTML parser, which
decodes entities (``java&#115;cript:``) as a browser does. Refused, with the page and line and how to fix it:
script elements and other active or embedding elements, event handlers, ``javascript:``/``data:`` addresses,
resources loaded from outside hosts. The privacy scan runs on the text as shown (tags stripped, entities decoded,
comments apart), so ``**138**0013…``, ``&#49;38…`` or ``138<!-- -->0013…`` cannot hide a number. Front matter may
only hold the few keys wugu knows (``title``, ``description``, ``keywords`` or ``tags`` — search keywords, checked
as in the content files —, ``hide``, ``search``), and scripts, special files and anything but regular files are
refused in the docs folder.
"""
from __future__ import annotations

import bisect
import html
import itertools
import os
import re
import time
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Iterable

from ..errors import Problem, problem
from ..loader import _BAD_CHAR, bad_character
from ..timelimit import PAGE_ENV, PAGE_SECONDS, PAGES_ENV, PAGES_SECONDS, TimeLimit, TimeUp, seconds
from .keywords import word_problems
from .privacy import MAX_PUBLISHED, TEXT_SUFFIXES, normalise, scan_text

#: Elements that run code, embed other documents, change where links go, or submit data.
BANNED_TAGS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta",
                         "link", "form", "style", "portal", "noscript", "template", "xmp", "plaintext",
                         # SVG elements that set attributes or run handlers (<set attributeName=href to=javascript:…>)
                         "set", "animate", "animatemotion", "animatetransform", "animatecolor", "handler",
                         "listener", "discard", "foreignobject"})
#: Attributes holding an address.
_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset",
                        "background", "lowsrc", "ping", "cite", "longdesc", "dynsrc", "manifest", "codebase",
                        "archive", "usemap", "profile", "icon"})
#: Attributes that run code or load a document whatever their value.
_ACTIVE_ATTRS = frozenset({"srcdoc", "http-equiv", "formaction"})
_LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_BLOCK = frozenset({"p", "div", "li", "ul", "ol", "td", "th", "tr", "table", "thead", "tbody", "h1", "h2", "h3",
                    "h4", "h5", "h6", "br", "hr", "pre", "blockquote", "section", "article", "dt", "dd", "dl",
                    "details", "summary", "figure", "figcaption", "caption", "header", "footer", "nav", "aside"})
#: Front matter keys a hand-written page may have, and the ``hide:`` values mkdocs-material knows.
FRONT_MATTER = ("title", "description", "keywords", "tags", "hide", "search")
_HIDE = frozenset({"navigation", "toc", "footer", "path", "tags", "feedback"})
#: Files in the docs folder that would be published as scripts.
_SCRIPT_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".wasm", ".php", ".py", ".sh", ".exe", ".bat", ".cmd", ".ps1",
                              # Windows programs and scripts a reader could open from the site, documents that carry
                              # macros, and files a browser runs or renders with scripts (XSLT, web archives, Flash)
                              ".com", ".scr", ".pif", ".msi", ".msp", ".dll", ".hta", ".vbs", ".vbe", ".jse", ".wsf",
                              ".wsh", ".psm1", ".reg", ".lnk", ".url", ".apk", ".jar", ".docm", ".dotm", ".xlsm",
                              ".xltm", ".xlam", ".pptm", ".potm", ".ppsm", ".xsl", ".xslt", ".mht", ".mhtml",
                              ".swf", ".svgz", ".appcache", ".webmanifest"})
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xht", ".xhtm", ".svg", ".xml", ".shtml"})
#: What MkDocs renders as a page (all of them are checked as pages).
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkdn", ".mkd"})
#: Other files published as they are: pictures, fonts, sound and video, and text the privacy scan reads. A file of
#: any other kind is refused (E213): a browser may run it (``.xht`` is XHTML, ``.xsl`` a transform …), or wugu
#: cannot look into it for personal data (``.doc``, ``.xlsb``, ``.wps`` …).
_PLAIN_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".jpe", ".gif", ".webp", ".ico", ".bmp", ".avif", ".tif",
                             ".tiff", ".heic", ".heif", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp3", ".m4a",
                             ".mp4", ".webm", ".ogg", ".oga", ".ogv", ".wav"}) | (TEXT_SUFFIXES - {".js"})
#: Old binary spreadsheets: refused as E526 by the records guard (:mod:`wugu.records.publish`), said there.
_PLAIN_SUFFIXES |= {".xls", ".et"}
#: Files without a suffix that are published (GitHub Pages reads ``CNAME``).
_PLAIN_NAMES = frozenset({"CNAME"})
#: Problems reported per page at most (each is looked up line by line in the page).
MAX_PER_PAGE = 20
_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")
#: Characters a file name in the docs folder may not hold: a page without a heading is titled by its file name,
#: and the title lands in the navigation of every page.
_BAD_NAME = re.compile(r"[<>\"'&`\\\x00-\x1f\x7f]")


def _scheme(url: str) -> str:
    """The scheme of an address as a browser reads it (whitespace and controls inside are ignored)."""
    url = _SPACE.sub("", url).lower().replace("\\", "/")  # a browser reads \ as / in a web address: /\host, \\host
    m = re.match(r"([a-z][a-z0-9+.\-]*):", url)
    return m.group(1) if m else ("//" if url.startswith("//") else "")


class _Scanner(HTMLParser):
    """Finds active markup in a page's HTML and collects its text as shown (for the privacy scan)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (what, a needle to find the source line)
        self.text: list[str] = []
        self.comments: list[str] = []
        #: Attribute values a reader may see (a tooltip, a link's address): kept apart from the text, into which a
        #: link or a tag put them between two halves of one number (``139…[4522](#x)`` read ``139… #x 4522``).
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BANNED_TAGS:
            self.found.append((f"<{tag}> 元素", f"<{tag}"))
        if tag in _BLOCK:
            self.text.append("\n")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append((f"事件处理属性 {name}=", name))
            elif name in _ACTIVE_ATTRS:
                self.found.append((f"属性 {name}=", name))
            elif name == "style" and re.search(r"url\s*\(|image-set\s*\(|expression\s*\(|@import|behavior\s*:",
                                              _SPACE.sub(" ", css_plain(value)), re.I):
                self.found.append(("style 里加载外部资源或运行代码（url(…)、expression(…)）", "style"))
            elif name in _URL_ATTRS:
                for url in value.split(",") if name == "srcset" else [value]:
                    scheme = _scheme(url)
                    if scheme and scheme != "//" and scheme not in _LINK_SCHEMES:
                        self.found.append((f"{scheme}: 地址（{name}=）", url.strip()[:30] or f"{scheme}:"))
                    elif (name not in ("href", "cite") or tag not in ("a", "area")) and scheme in ("http", "https", "//"):
                        # href loads on anything but a link (SVG <image>, <use>, <feImage>)
                        self.found.append((f"从外网加载的资源（{name}={url.strip()[:60]}），离线打不开，还会泄露访问记录",
                                           url.strip()[:20] or name))
            if name in ("title", "alt", "href", "value", "content", "placeholder", "aria-label") and value:
                self.attributes.append(value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK:
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_pi(self, data: str) -> None:
        self.found.append(("<? … ?> 处理指令", "<?"))

    def unknown_decl(self, data: str) -> None:
        self.found.append(("<![ … ]> 声明", "<!["))


#: Comments a browser ends earlier than Python's parser does (``<!-->``, ``<!--->``, ``--!>``): what follows them
#: would be live markup in the page but a comment to the scanner.
_ODD_COMMENT = re.compile(r"<!---?>|--!>")
#: Inside any tag, whatever the parser made of it: an event handler after a space, slash or quote
#: (``<img/src=x/onerror=…>``), or a script address.
_TAG = re.compile(r"<[a-zA-Z!/?][^>]*>?")
_HANDLER = re.compile(r"(?:^|[\s/\"'\x00-\x20])(on[a-z]+)\s*=", re.I)
_SCRIPT_URL = re.compile(r"(?:java|vb|live)script:|data:text/html", re.I)


def scan_html(markup: str) -> _Scanner:
    """Parse ``markup``; the result holds what is refused (``found``), the shown text and the comments.

    Python's HTML parser does not read every odd construct as a browser does, so every tag is also searched as
    plain text (entities decoded, whitespace dropped) for event handlers and script addresses, and comments that
    browsers close early are refused outright.
    """
    scanner = _Scanner()
    try:
        scanner.feed(markup)
        scanner.close()
    except (AssertionError, ValueError):  # pragma: no cover - html.parser is lenient
        scanner.found.append(("读不懂的 HTML", "<"))
    seen = {what for what, _ in scanner.found}
    odd = _ODD_COMMENT.search(markup)
    if odd is not None:
        scanner.found.append(("浏览器会提前结束的注释（<!-->、<!--->、--!>），后面的内容会变成网页代码", odd.group()))
    for tag in _TAG.finditer(markup):
        chunk = html.unescape(tag.group())
        for m in _HANDLER.finditer(chunk):
            what = f"事件处理属性 {m.group(1).lower()}="
            if what not in seen:
                seen.add(what)
                scanner.found.append((what, m.group(1)))
        url = _SCRIPT_URL.search(_SPACE.sub("", chunk))
        if url is not None and not any("javascript" in w or "vbscript" in w or "data:" in w for w in seen):
            seen.add("javascript:")
            scanner.found.append((f"{url.group().lower()} 地址", url.group()))
    return scanner


#: Elements every built page has (mkdocs-material's chrome, wugu's fill pages): not proof of an injection by
#: themselves, but each is held to what the theme and wugu write (see :func:`_unsafe_chrome`).
_CHROME_TAGS = frozenset({"script", "link", "meta", "style", "form", "noscript", "template"})
#: What a script element of a built page may load: only the site's own assets.
_OWN_SCRIPT = re.compile(r"(?!//)(?:/[A-Za-z0-9_.~\-]+)*/?(?:\.\./)*assets/[A-Za-z0-9_./\-]+\.js")
#: Script types a browser never runs (wugu's form schemas and the theme's settings are such data blocks).
_DATA_SCRIPTS = frozenset({"application/json"})
#: ``<link rel>`` values the theme writes; those that load what they name may only name the site's own files.
_LINK_LOADS = frozenset({"icon", "stylesheet"})
_LINK_RELS = _LINK_LOADS | {"prev", "next", "canonical", "alternate"}
#: ``<meta name>`` values the theme writes (``charset`` aside); ``http-equiv`` (refresh …) is never written.
_META_NAMES = frozenset({"viewport", "generator", "description", "author"})
#: Where the content of a script or style element ends (in an HTML page: the first closing tag of its kind).
_RAW_END = {"script": re.compile(r"</script", re.I), "style": re.compile(r"</style", re.I)}

_BUILT_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9:-]*)((?:\"[^\"]*\"|'[^']*'|[^>\"'])*)>")
_BUILT_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_JINJA_VALUE = re.compile(r"\{\{.*?\}\}", re.S)


@cache
def _known_scripts() -> re.Pattern[str]:
    """The inline scripts the theme (mkdocs-material's ``partials/javascripts/``) and wugu's own site templates
    write, as one pattern: each ``{{ … }}`` of a template stands for plain text without quotes, brackets or
    backslashes (the theme puts the site's base address there). Read from the installed templates, so a new
    version of the theme brings its own scripts; a template script with ``{% … %}`` in it is not accepted."""
    from ..resources import templates_dir

    folders = [templates_dir() / "site"]
    try:
        import material

        folders.append(Path(material.__file__).parent / "templates" / "partials" / "javascripts")
    except ImportError:  # pragma: no cover - the site cannot be built without the theme anyway
        pass
    patterns = set()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix not in (".html", ".j2") or not path.is_file():
                continue
            for body in _INLINE_SCRIPT.findall(path.read_text(encoding="utf-8")):
                if "{%" not in body and "{#" not in body:
                    parts = _JINJA_VALUE.split(body)
                    patterns.add("[^\"'<>\\\\`\n]*".join(map(re.escape, parts)))
    return re.compile("|".join(f"(?:{p})" for p in sorted(patterns)) or "(?!)")


#: CSS read token by token as a browser does, for its comments: an escape (``\*`` never opens a comment), a string
#: (``"/*"`` is text) and the rest are kept (group 1); a comment (to its end, or the end of the text) is not.
_CSS_TOKEN = re.compile(r"""(\\.|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?|(?:[^\\"'/]++|/(?!\*))++)"""
                        r"|/\*.*?(?:\*/|\Z)", re.S)


def css_uncommented(text: str) -> str:
    """CSS text without its comments, found as the browser finds them: on the raw text, outside strings, escapes
    never making one (``x/\\*{}`` is no comment: read after its escapes it would start one that only wugu sees).
    A comment is dropped without a trace (``u/**/rl(`` reads ``url(``: refused rather than missed)."""
    if "/*" not in text:
        return text
    if "\\" not in text and '"' not in text and "'" not in text:
        return _drop_between(text, "/*", "*/")  # nothing can hide or make a comment: the quick way
    return _CSS_TOKEN.sub(r"\1", text)


def css_outside(text: str) -> str | None:
    """What in CSS text loads from outside hosts or runs code (comments left out as the browser finds them, then
    escapes read as the browser reads them), or None."""
    m = _CSS_OUTSIDE.search(css_plain(css_uncommented(text)))
    return None if m is None else m.group()


def _same_site(url: str) -> bool:
    """An address of the site itself: no scheme, not ``//host`` (nor ``/\\host``, which browsers read alike)."""
    url = _SPACE.sub("", url).replace("\\", "/")
    return _scheme(url) == "" and not url.startswith("//")


#: Attributes whose address a browser loads as soon as the page opens (not a link the reader follows): on any
#: element. ``href`` loads only on the SVG elements below (on ``<a>`` it is a link; ``<link>`` is chrome).
_LOAD_ATTRS = frozenset({"src", "srcset", "poster", "data", "background", "lowsrc", "dynsrc", "xlink:href",
                         "imagesrcset", "manifest", "codebase", "archive", "icon"})
_HREF_LOADS = frozenset({"image", "use", "feimage", "script", "pattern", "filter", "mask", "clippath",
                         "textpath", "tref", "mpath", "altglyph", "cursor", "font-face-uri"})


def _outside_load(tag: str, name: str, value: str) -> str | None:
    """The address ``value`` of attribute ``name`` when it loads something from outside the site as the page
    opens (another host, ``//host``, ``file:``…; the site's own files and ``data:`` images are fine), else None."""
    if name not in _LOAD_ATTRS and not (name == "href" and tag in _HREF_LOADS):
        return None
    urls = [u.strip().split()[0] for u in value.split(",") if u.strip()] if "srcset" in name else [value]
    for url in urls:
        if not _same_site(url) and _scheme(url) != "data":
            return url
    return None


def _unsafe_chrome(tag: str, attrs: dict[str, str], body: str) -> str | None:
    """What is wrong with one chrome element (``body``: the content of a script or style element), or None."""
    if tag == "script":
        src = next((attrs[k] for k in ("src", "href", "xlink:href") if k in attrs), None)  # SVG: href
        if src is not None:
            return None if _OWN_SCRIPT.fullmatch(src) else f"<script src={src[:60]}>"
        if attrs.get("type", "").strip().lower() in _DATA_SCRIPTS or _known_scripts().fullmatch(body):
            return None
        return f"不是主题或 wugu 写的内联脚本（<script>{body.strip()[:40]}…）"
    if tag == "style":
        outside = css_outside(body)
        return None if outside is None else f"<style> 里从外网加载资源或运行代码（{outside.strip()[:40]}）"
    if tag == "link":
        rels = attrs.get("rel", "").lower().split()
        href = attrs.get("href", "")
        if not rels or not set(rels) <= _LINK_RELS:
            return f"<link rel={attrs.get('rel', '')[:30]}>（主题只写 {'、'.join(sorted(_LINK_RELS))}）"
        if set(rels) & _LINK_LOADS and not _same_site(href):
            return f"<link href={href[:60]}> 从网站以外加载"
        if _scheme(href) not in ("", "http", "https"):
            return f"<link href={href[:60]}>"
        return None
    if tag == "meta":
        if "charset" in attrs or attrs.get("name", "").lower() in _META_NAMES:
            return None
        shown = " ".join(f"{k}={v[:30]}" for k, v in attrs.items() if k != "content")
        return f"<meta {shown[:60]}>（主题只写 charset 和 {'、'.join(sorted(_META_NAMES))}）"
    if tag == "form" and attrs.get("action", "").strip():
        return f"<form action={attrs['action'][:60]}>（会把填写的内容提交出去）"
    return None


def unsafe_built(markup: str) -> list[str]:
    """What in a whole built page (chrome included) shows an injection: an event handler, a script address, an
    embedding element; or chrome the theme and wugu do not write — a script loaded from anywhere but the site's
    own ``assets/``, an inline script whose body is not one of theirs (:func:`_known_scripts`; JSON data blocks
    run nothing), a style element or style attribute that loads from outside hosts, a ``<link>`` of another kind
    or loading from outside, a ``<meta>`` other than charset/viewport/generator/description/author, a form that
    submits somewhere. Tags and their attributes are read as a browser reads them (quoted values are values,
    whatever text they hold), by regular expression: fast enough for every page of every build. The content of
    script and style elements is searched for tags too (inside an ``<svg>`` a browser reads it as markup)."""
    found: list[str] = []
    pos = 0
    while (m := _BUILT_TAG.search(markup, pos)) is not None:
        pos = m.end()
        tag, rest = m.group(1).lower(), m.group(2)
        chrome = tag in _CHROME_TAGS
        if tag in BANNED_TAGS and not chrome:
            found.append(f"<{tag}> 元素")
        attrs: dict[str, str] = {}
        for a in _BUILT_ATTR.finditer(rest) if rest else ():
            name, value = a.group(1).lower(), html.unescape((a.group(2) or "").strip("\"'"))
            if chrome and name not in attrs:  # a browser keeps the first of two alike
                attrs[name] = value
            if name.startswith("on"):
                found.append(f"事件处理属性 {name}=")
            elif name in _ACTIVE_ATTRS:
                found.append(f"属性 {name}=")
            elif name in _URL_ATTRS and (url := _SCRIPT_URL.match(_SPACE.sub("", value))):
                found.append(f"{url.group().lower()} 地址")
            elif name == "style" and "(" in value and (outside := css_outside(value)) is not None:
                found.append(f"style 属性里从外网加载资源或运行代码（{outside.strip()[:40]}）")
            elif (url := _outside_load(tag, name, value)) is not None:
                found.append(f"<{tag} {name}={url[:60]}> 从网站以外加载")
        if chrome:
            body = ""
            if tag in _RAW_END:  # its content is scanned as markup all the same: inside an SVG it is markup
                end = _RAW_END[tag].search(markup, pos)
                body = markup[pos:end.start() if end else len(markup)]
            if (what := _unsafe_chrome(tag, attrs, body)) is not None:
                found.append(what)
    return found


def unsafe_html(markup: str) -> list[str]:
    """What in ``markup`` is refused, in Chinese (empty when the HTML is safe to publish)."""
    return [what for what, _ in scan_html(markup).found]


def _line_of(text: str, needle: str, nth: int = 0) -> int:
    """The line of ``text`` holding the ``nth`` occurrence (0: the first) of ``needle`` (case and entities ignored);
    the last occurrence's line when there are fewer, 1 when there is none."""
    needle = needle.lower()
    last = 0
    for n, line in enumerate(text.splitlines(), 1):
        count = max(line.lower().count(needle), html.unescape(line).lower().count(needle)) if needle else 0
        if count:
            last = n
            if nth < count:
                return n
            nth -= count
    if last:
        return last
    squeezed = _SPACE.sub("", needle)  # Markdown turned tabs into spaces
    for n, line in enumerate(text.splitlines(), 1):
        if squeezed and squeezed in _SPACE.sub("", html.unescape(line)).lower():
            return n
    return 1


_FLAT = re.compile(r"<[^>]*>|[*_~=^`]")


def _drop_between(text: str, start: str, end: str) -> str:
    """``text`` without every ``start … end`` span (an unclosed one runs to the end). Linear: a regex like
    ``<!--.*?-->`` takes quadratic time on a line of many unclosed ``<!--``, and ``wugu check`` must not hang."""
    out, pos = [], 0
    while (i := text.find(start, pos)) != -1:
        out.append(text[pos:i])
        j = text.find(end, i + len(start))
        if j == -1:
            return "".join(out)
        pos = j + len(end)
    out.append(text[pos:])
    return "".join(out)


def _line_of_number(text: str, masked: str, digits: str = "") -> int:
    """The line where a number found in the rendered text starts: where its digits (``digits``, all of them) begin
    in the digits of the source read in a row (markup removed: a link or a tag may split them over lines), else the
    first line holding its first three digits, else 1."""
    lines = [re.sub(r"[^0-9]", "", normalise(_flat(line))[0]) for line in text.splitlines()]
    if len(digits) >= 3 and (at := "".join(lines).find(digits)) != -1:
        ends = list(itertools.accumulate(map(len, lines)))
        return bisect.bisect_right(ends, at) + 1
    return next((n for n, line in enumerate(lines, 1) if masked[:3] in line), 1)


def _flat(line: str) -> str:
    """One source line as it reads on the page: comments, tags, emphasis marks and backslashes gone, entities
    decoded (``**138**0013…``, ``&#49;38…`` and ``138<!-- -->0013…`` all read as one number)."""
    return html.unescape(_FLAT.sub("", _drop_between(line.replace("\\", ""), "<!--", "-->")))


def _hidden_numbers(text: str, scanner: _Scanner, shown: str) -> list[Problem]:
    """Numbers the scan of the source text (:func:`wugu.validate.privacy.scan_file`) cannot see: first line by
    line as shown (exact lines), then in the whole page as shown (numbers split over lines, at their first line)."""
    lines = text.splitlines()
    hits = list(scan_text(text))  # as privacy.scan_file reported them: a number over two lines at its first line
    breaks = [i for i, c in enumerate(text) if c == "\n"] if hits else []
    reported = {(bisect.bisect_left(breaks, at) + 1, masked) for _c, masked, at in hits}
    masks = {masked for _n, masked in reported}
    problems = []
    for n, line in enumerate(lines, 1):
        if not any(c.isdigit() for c in line) and "&#" not in line:
            continue
        if len(problems) >= MAX_PER_PAGE:
            return problems
        for code, masked, _at in scan_text(_flat(line)):
            if (n, masked) not in reported:
                reported.add((n, masked))
                masks.add(masked)
                problems.append(problem(code, shown, n, 1, masked=masked))
    shown_text = re.sub(r"[ \t\r\f\v]+", " ", "".join(scanner.text))
    for piece in [shown_text, *scanner.comments, *scanner.attributes]:
        for code, masked, at in scan_text(piece):
            if len(problems) >= MAX_PER_PAGE:
                return problems
            if masked not in masks:
                masks.add(masked)
                size = len(masked) - masked[-1:].isalpha()  # an ID number's final X is not looked for
                digits = re.sub(r"[^0-9]", "", normalise(piece[at:at + 4 * len(masked)])[0])[:size]
                problems.append(problem(code, shown, _line_of_number(text, masked, digits), 1, masked=masked))
    return problems


def _markdown(data: dict[str, Any]) -> Any:
    """A Markdown converter like the site's: the project's allowed extensions plus wugu's own."""
    import markdown

    from .sitepolicy import OPTION_CODE, SEPARATORS, EXTENSIONS, extension_name

    names: list[str] = []
    configs: dict[str, Any] = {}
    raw = data.get("markdown_extensions")
    items = [{k: v} for k, v in raw.items()] if isinstance(raw, dict) else raw if isinstance(raw, list) else []
    for item in [*items, "toc", "attr_list", "md_in_html", "admonition", "tables", "pymdownx.tasklist"]:
        name = extension_name(item)
        if name not in EXTENSIONS or name in names:
            continue
        names.append(name)
        options = next(iter(item.values()), None) if isinstance(item, dict) else None
        if isinstance(options, dict):
            # options that name code, or put a regular expression together (a separator that backtracks would
            # hang the check), are refused by the settings check: the pages are read without them
            configs[name] = {k: v for k, v in options.items()
                             if k not in OPTION_CODE and (k != "separator" or v in SEPARATORS)}
    try:
        return markdown.Markdown(extensions=names, extension_configs=configs)
    except Exception:  # a bad option: the build says so; scan with wugu's own extensions
        return markdown.Markdown(extensions=["toc", "attr_list", "md_in_html", "admonition", "tables"])


def _front_matter(text: str, shown: str) -> tuple[str, list[Problem]]:
    """The page without its front matter, and the problems with the front matter (as mkdocs reads it)."""
    from mkdocs.utils.meta import YAML_RE, get_data

    if (m := YAML_RE.match(text)) is not None and (shared := _aliased(m.group(1))) is not None:
        # ``&a`` … ``*a`` lets a few lines stand for millions of values (``hide: *bomb`` made the check and the
        # build expand them all): front matter is a few plain settings, refused before mkdocs reads it
        return text[m.end():], [problem("E212", shown, shared + 1, 1, key="&/*", what="用了 & 锚点和 * 引用",
                                        fix="页面开头的设置直接写出来，不用 & 和 *")]
    try:
        body, meta = get_data(text)
    except Exception:  # mkdocs ignores front matter it cannot read
        return text, []
    head = text[:len(text) - len(body)] if text.endswith(body) else text[:2000]
    problems = []
    for key, value in meta.items():
        line = _line_of(head, f"{key}:")
        if key not in FRONT_MATTER:
            problems.append(problem("E212", shown, line, 1, key=key, what="wugu 不认识（有的设置会换页面模板、加载脚本）",
                                    fix=f"删掉这一行；页面开头只能写 {'、'.join(FRONT_MATTER)}"))
        elif key in ("title", "description") and not isinstance(value, str):
            problems.append(problem("E212", shown, line, 1, key=key, what="应该是一行文字",
                                    fix=f"写成 {key}: 一行文字"))
        elif key in ("keywords", "tags"):  # search keywords: the same rules as keywords: in the content files
            problems += word_problems(value, shown, f"页面开头的 {key}（搜索关键词）", _item_line(head, line, value))
        elif key == "hide" and (not isinstance(value, list) or not set(map(str, value)) <= _HIDE):
            problems.append(problem("E212", shown, line, 1, key=key, what="只能隐藏 " + "、".join(sorted(_HIDE)),
                                    fix="写成 hide: [toc]"))
        elif key == "search" and (not isinstance(value, dict) or not set(value) <= {"exclude", "boost"}
                                  or not isinstance(value.get("exclude", False), bool)
                                  or isinstance(value.get("boost", 1), bool)
                                  or not isinstance(value.get("boost", 1), (int, float))):
            problems.append(problem("E212", shown, line, 1, key=key, what="只能写 exclude（true 或 false）和 boost（一个数字）",
                                    fix="写成 search: {boost: 2}"))
    return body, problems


def _aliased(front: str) -> int | None:
    """The line (in the front matter) of the first value reached twice through an alias, or None."""
    import yaml

    from ..loader import compose
    from ..errors import WuguError

    try:
        node = compose(front, "")
    except (yaml.YAMLError, WuguError):
        return None  # mkdocs ignores front matter it cannot read; too deep is refused by the same limit there
    seen: set[int] = set()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if id(current) in seen:
            return current.start_mark.line + 1
        seen.add(id(current))
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(n for pair in current.value for n in pair)
    return None


def _item_line(head: str, line: int, value: Any) -> Callable[[int | None], tuple[int, int]]:
    """Where item ``i`` of a front matter list stands: items are looked for in order, from the key's line on (one
    item per ``- `` line, or several on the key's line)."""
    lines = head.splitlines()
    found: list[int] = []
    start = line
    for item in value if isinstance(value, list) else ():
        text = str(item).strip() if item is not None else ""
        at = next((n for n in range(start, len(lines) + 1) if text and text in lines[n - 1]), start)
        found.append(at)
        start = at + 1 if lines[at - 1:at] and lines[at - 1].lstrip().startswith("-") else at

    def at(i: int | None) -> tuple[int, int]:
        return (found[i] if i is not None and i < len(found) else line), 1
    return at


#: Largest hand-written Markdown page (the shipped pages are a few KB).
MAX_MARKDOWN = 512 * 1024
#: Python-Markdown reads the ``[`` and ``<`` of a paragraph in quadratic time (15 000 ``[`` took the check 36 s,
#: and the build as long again), and attr_list the ``{`` of a heading, a list item or a table cell (60 000 `` {a``
#: in one heading took 26 s inside one regular-expression call, which no time bound can stop): the sum over
#: paragraphs of their count squared may be at most this (about a second; a page of ordinary links, tags and
#: ``{#id}`` stays far below).
MAX_MARKUP_COST = 1_000_000
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")
_TAG_OPEN = re.compile(r"<[A-Za-z/]")  # what the inline parser tries to close (comments <!-- it reads in one go)
#: Headings per page: the table of contents makes each id unique by trying ``id_1``, ``id_2`` … in turn (20 000
#: ``## 节`` took the check 8 s, 60 000 minutes); a long real page has a few dozen.
MAX_HEADINGS = 1000
#: Longest line of a hand-written page (a long paragraph has a few thousand characters): some of Python-Markdown's
#: regular expressions read one line in quadratic time inside C (attr_list on a heading of 60 000 `` {a``: 26 s).
MAX_LINE = 30_000
_HEADING = re.compile(r"^[ \t]*(?:#|(?:=+|-+)[ \t]*$)", re.M)  # ATX headings and setext underlines (rules too)
#: Backslashes in a row: Python-Markdown reads a run of them in quadratic time (500 000 took minutes).
MAX_BACKSLASH_RUN = 1000
_BACKSLASHES = re.compile(r"\\{%d,}" % (MAX_BACKSLASH_RUN + 1))


def _slow_markdown(text: str, shown: str) -> Problem | None:
    """E531 when Python-Markdown would take very long on ``text``: too big, too many brackets per paragraph, too many
    headings, a long run of backslashes (what is known to be slow, said early and clearly; whatever else is slow
    meets the time bound, E532)."""
    size = len(text.encode("utf-8"))
    if size > MAX_MARKDOWN:
        return problem("E531", shown, 1, 1, what=f"页面有 {size // 1024} KB，超过 {MAX_MARKDOWN // 1024} KB",
                       fix="把它拆成几个页面；大的资料做成 PDF 另外发放")
    if (long := next(((n, len(t)) for n, t in enumerate(text.split("\n"), 1) if len(t) > MAX_LINE), None)):
        return problem("E531", shown, long[0], 1, what=f"这一行有 {long[1]} 个字符，超过 {MAX_LINE} 个",
                       fix="把这一行分成几段（段与段之间空一行）；大的表格或资料做成 PDF 另外发放")
    if (run := _BACKSLASHES.search(text)) is not None:
        line = text.count("\n", 0, run.start()) + 1
        return problem("E531", shown, line, 1, what=f"这一行有 {len(run.group())} 个连在一起的反斜杠 \\",
                       fix="删掉多余的反斜杠；要显示一个 \\ 写两个就够了")
    for count, heading in enumerate(_HEADING.finditer(text), 1):
        if count > MAX_HEADINGS:
            line = text.count("\n", 0, heading.start()) + 1
            return problem("E531", shown, line, 1, what=f"页面的标题超过 {MAX_HEADINGS} 个（从这一行起）",
                           fix="把它拆成几个页面，每页的标题少一些；不是标题的行，行首的 # 前面加一个 \\")
    cost, worst, worst_count, pos = 0, 0, 0, 0
    for block in _BLOCK_BREAK.split(text):
        count = block.count("[") + block.count("{") + len(_TAG_OPEN.findall(block))
        cost += count * count
        if count > worst_count:
            worst_count, worst = count, text.count("\n", 0, text.find(block, pos)) + 1
        pos += len(block)
    if cost <= MAX_MARKUP_COST:
        return None
    return problem("E531", shown, worst, 1, what=f"这一段有 {worst_count} 个 [、{{ 或 <",
                   fix="删掉多余的 [、{ 和 <，或把这一段拆成几段")


def check_page(text: str, shown: str, converter: Any, *, markdown_page: bool = True,
               budget: PageBudget | None = None) -> list[Problem]:
    """The problems of one hand-written page (Markdown, or an HTML/SVG file published as it is).

    Reading it (Markdown to HTML, and the scan) has at most :data:`wugu.timelimit.PAGE_SECONDS` (E532), and no
    more than what is left of ``budget``, the time for all pages of one check (E534)."""
    problems: list[Problem] = []
    bad = bad_character(text.replace("\r", ""))
    if bad is not None:
        at = _BAD_CHAR.search(text.replace("\r", "")).start()
        problems.append(problem("E116", shown, text.count("\n", 0, at) + 1, 1, char=bad[0], what=bad[1]))
    if markdown_page and (slow := _slow_markdown(text, shown)) is not None:
        return problems + [slow]
    page = seconds(PAGE_ENV, PAGE_SECONDS)
    left = budget.left() if budget is not None else page
    if left <= 0:
        return problems + [budget.spent(shown)]  # type: ignore[union-attr]
    limit = TimeLimit(min(page, left))
    started = time.perf_counter()
    try:
        with limit:
            return problems + _read_page_apart(text, shown, converter, markdown_page)
    except TimeUp as exc:
        limit.stop()
        if exc.limit is not limit:
            raise
        if converter is not None:
            converter.reset()
        if page > left:
            return problems + [budget.spent(shown)]  # type: ignore[union-attr]
        return problems + [page_timed_out(shown, page)]
    finally:
        if budget is not None:
            budget.used += time.perf_counter() - started


def page_timed_out(shown: str, limit: float, fix: str = "") -> Problem:
    """E532: reading the page ``shown`` took more than ``limit`` seconds, and wugu stopped."""
    return problem("E532", shown, 1, 1, seconds=f"{limit:g}",
                   fix=fix or "把它拆成几个小页面，删掉大量重复的标题、列表、表格行和成串的 \\ [ < 这类符号；大的资料做成 PDF 另外发放")


class PageBudget:
    """The time reading all hand-written pages of one check may take together (:data:`wugu.timelimit.PAGES_SECONDS`):
    many pages each just under the bound for one page would hold the check for as long as they like."""

    def __init__(self) -> None:
        self.total = seconds(PAGES_ENV, PAGES_SECONDS)
        self.used = 0.0
        self.reported = False

    def left(self) -> float:
        return self.total - self.used

    def spent(self, shown: str) -> Problem:
        """E534 at the page where the time ran out."""
        self.reported = True
        return problem("E534", shown, 1, 1, seconds=f"{self.total:g}")


def _read_page_apart(text: str, shown: str, converter: Any, markdown_page: bool) -> list[Problem]:
    """:func:`_read_page` in a child process that is killed when the page's time bound runs out.

    The bound (:class:`~wugu.timelimit.TimeLimit`) stops Python code between two instructions, but not one regular
    expression running in C: Python-Markdown's ``attr_list`` reads a heading of 60 000 `` {a`` in one quadratic
    search (26 s; 150 000 took minutes). So the page is read in a forked child while this process waits in Python,
    where the bound does land; then the child is killed. Where there is no ``fork`` (Windows) the page is read here.
    """
    if not hasattr(os, "fork"):
        return _read_page(text, shown, converter, markdown_page)
    import pickle
    import select
    import signal

    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read the page, send the problems, leave without running any clean-up of the parent
        status = 0
        try:
            os.close(reader)
            data = pickle.dumps(_read_page(text, shown, converter, markdown_page))
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(data)
        except BaseException:  # noqa: BLE001 - the parent reads the page itself and reports what goes wrong
            status = 1
        finally:
            os._exit(status)
    os.close(writer)
    chunks: list[bytes] = []
    try:
        while True:
            if select.select([reader], [], [], 0.1)[0]:  # short waits: the time bound lands between them
                chunk = os.read(reader, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(reader)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and chunks:
        return pickle.loads(b"".join(chunks))
    return _read_page(text, shown, converter, markdown_page)  # the child failed: the same error, said here


def _read_page(text: str, shown: str, converter: Any, markdown_page: bool) -> list[Problem]:
    """:func:`check_page` after the quick checks: the page rendered and scanned."""
    problems: list[Problem] = []
    if markdown_page:
        body, front = _front_matter(text, shown)
        problems += front  # (after the E116 above: a bad character in a Markdown page was lost here)
        converter.reset()
        try:
            markup = converter.convert(body)
        except Exception as exc:  # an extension choking on the page: say so here rather than in the build
            return problems + [problem("E211", shown, 1, 1, what=f"Markdown 读不懂（{type(exc).__name__}）")]
    else:
        markup = text
    scanner = scan_html(markup)
    seen: dict[str, int] = {}  # needle → how often it was reported: a repeat offence is shown at its own line
    for what, needle in scanner.found[:MAX_PER_PAGE]:  # a page of 100 000 <script> says so twenty times
        nth = seen.get(needle.lower(), 0)
        seen[needle.lower()] = nth + 1
        problems.append(problem("E211", shown, _line_of(text, needle, nth), 1, what=what))
    problems += _hidden_numbers(text, scanner, shown)[:MAX_PER_PAGE]
    return problems


#: What in a stylesheet loads from outside hosts or runs code (old IE ``expression()``, ``behavior``, XBL).
#: (``//`` is also ``/\``, ``\/`` or ``\\``: a browser reads a backslash in a web address as a slash.)
_CSS_OUTSIDE = re.compile(r"""url\(\s*['"]?\s*(?:https?:|[/\\]{2}|ftp:)|@import\s+['"]\s*(?:https?:|[/\\]{2})"""
                          r"""|image-set\s*\([^)]*?['"]\s*(?:https?:|[/\\]{2})|src\(\s*['"]?\s*(?:https?:|[/\\]{2})"""
                          r"|expression\s*\(|behavior\s*:|-moz-binding", re.I)


_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(\r\n|[\n\r\f])|(.))", re.S)


def _css_char(m: re.Match[str]) -> str:
    if m.group(1):
        code = int(m.group(1), 16)
        return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return "" if m.group(2) else m.group(3)


def css_plain(text: str) -> str:
    """CSS text with every escape read as the browser reads it: ``\\75 rl(`` and ``u\\rl(`` are both ``url(``
    (a backslash before any character that is not a hex digit or a line break stands for that character)."""
    return _CSS_ESCAPE.sub(_css_char, text)


#: Backslash escapes a stylesheet under the docs folder may hold: each is read as the browser reads it (one step
#: of Python each), and a stylesheet of millions (18 MB of ``\7``) took 40 s to check; an icon font's has hundreds.
MAX_CSS_ESCAPES = 50_000


def _css_escapes(path: Path, shown: str) -> list[Problem]:
    """E561 for a stylesheet of more than :data:`MAX_CSS_ESCAPES` escapes (counted in the raw bytes: no decoding)."""
    try:
        count = path.read_bytes()[:MAX_PUBLISHED].count(b"\\")
    except OSError:
        return []
    return [problem("E561", shown, file=shown, count=count, limit=MAX_CSS_ESCAPES)] if count > MAX_CSS_ESCAPES else []


#: A stylesheet's declared encoding (a browser reads the file in it).
_CSS_CHARSET = re.compile(r"""@charset\s*["']([^"'\n]*)""", re.I)


def _check_css(path: Path, shown: str) -> list[Problem]:
    """A stylesheet of the docs folder loads nothing from outside hosts (the site works offline, tells no one who
    reads it) and runs no code."""
    try:
        text = path.read_bytes()[:MAX_PUBLISHED].decode("utf-8", errors="replace")
    except OSError:
        return []
    charset = _CSS_CHARSET.search(css_plain(text))
    if charset is not None and charset.group(1).strip().lower() not in ("utf-8", "utf8"):
        return [problem("E213", shown, text.count("\n", 0, charset.start()) + 1, 1, name=shown,
                        what=f"声明了 UTF-8 以外的编码（@charset \"{charset.group(1)[:30]}\"），浏览器会按它读，和 wugu 检查的不一样",
                        fix="删掉 @charset 这一行（或写成 @charset \"UTF-8\";），文件用 UTF-8 保存")]
    outside = css_outside(text)
    if outside is None:
        return []
    text = css_plain(text)
    return [problem("E213", shown, _line_of(text, outside.strip()[:12]), 1, name=shown,
                    what=f"从外网加载资源或运行代码（{outside.strip()[:30]}…），离线打不开，还会泄露访问记录",
                    fix="把图片、字体放进 site/，用相对路径引用；删掉 expression()、behavior 这类写法")]


#: Pictures that may carry EXIF data (where and when a photo was taken, by whom).
_PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".tif", ".tiff", ".png", ".webp", ".heic", ".heif"})
_GPS_IFD = 0x8825


def _check_photo(path: Path, shown: str) -> list[Problem]:
    """A photo published with the site must not tell where it was taken: a picture of a visit would give away a
    child's home (EXIF GPS position)."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with WeasyPrint
        return []
    try:
        with Image.open(path) as img:
            gps = img.getexif().get_ifd(_GPS_IFD)
    except Exception:  # noqa: BLE001 - not a picture Pillow can read: nothing to say about its EXIF
        return []
    if not gps:
        return []
    return [problem("E213", shown, name=shown, what="这张照片里带着拍摄地点（GPS 位置），发布后谁都能查到照片是在哪里拍的",
                    fix="用手机相册的“移除位置信息”、微信发送原图以外的方式或画图软件另存，去掉位置信息后再放进来")]


#: Office documents (zip of XML parts) published as they are: their text is scanned like a page's.
_OFFICE_SUFFIXES = frozenset({".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"})
#: Archives under the docs folder: published as they are, but nothing inside them could be checked (E527).
_ARCHIVE_SUFFIXES = frozenset({".zip", ".rar", ".7z", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".zst", ".cab", ".jar"})
#: Paragraph, cell and row ends in those XML parts: text on either side never runs together.
_XML_BREAK = re.compile(r"</(?:w:p|w:tc|a:p|si|c|v|row|text:p|text:h|table:table-cell)>")
_XML_TAG = re.compile(r"<[^>]*>")
#: How much of one document is read (parts, bytes, PDF pages): enough for any real form or leaflet.
_DOC_PARTS, _DOC_BYTES, _PDF_PAGES = 500, 32 * 1024 * 1024, 200


class _Unread(Exception):
    """A document wugu cannot read to the end (too many or too large parts, too many pages)."""


class _Active(Exception):
    """A PDF that runs something when opened: JavaScript, a program, embedded files, a form that sends data."""


class _Private(Exception):
    """A PDF wugu made that must never be published: its metadata says a filled record or an exam's answer key."""


#: What every answer key of ``wugu exam`` prints (templates/exam/key.html.j2) and no paper does: a key passed through
#: another PDF tool (WeChat, WPS, “打印为 PDF”) loses the mark in its keywords, not these words.
_KEY_HEADINGS = ("答案速查", "随机数种子")


def _private_pdf(reader: Any) -> str | None:
    """The mark wugu left in a PDF's keywords (:data:`wugu.paths.FILLED_RECORD_PDF`, ``EXAM_KEY_PDF``), if any."""
    from ..paths import EXAM_KEY_PDF, FILLED_RECORD_PDF

    keywords = str((reader.metadata or {}).get("/Keywords") or "")
    return next((mark for mark in (FILLED_RECORD_PDF, EXAM_KEY_PDF) if mark in keywords.split()), None)


#: PDF names that make a reader run script, start a program, open embedded files or send data.
_PDF_ACTIVE = frozenset({"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA",
                         "/ImportData", "/SubmitForm", "/GoToE", "/GoToR", "/Sound", "/Movie"})
_PDF_OBJECTS = 200_000


def _pdf_active(reader: Any) -> str | None:
    """The first active PDF name (see :data:`_PDF_ACTIVE`) among the objects of ``reader``, or None."""
    from pypdf.generic import DictionaryObject, IndirectObject

    numbers = {(n, gen) for gen, objects in reader.xref.items() for n in objects}
    numbers |= {(n, 0) for n in reader.xref_objStm}
    for n, gen in sorted(numbers)[:_PDF_OBJECTS]:
        try:
            obj = reader.get_object(IndirectObject(n, gen, reader))
        except Exception:  # noqa: BLE001 - a broken object: the text extraction says so
            continue
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key in _PDF_ACTIVE or (key in ("/S", "/Type", "/Subtype") and value in _PDF_ACTIVE):
                    return str(value if key in ("/S", "/Type", "/Subtype") else key)
    return None


def _document_text(path: Path) -> str:
    """The text of an Office document or a PDF; :class:`_Unread` when it is larger than the limits above."""
    if path.suffix.lower() == ".pdf":
        import logging

        from pypdf import PdfReader

        logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is one Chinese line (E527), not noise

        reader = PdfReader(str(path))
        if len(reader.pages) > _PDF_PAGES:
            raise _Unread(f"有 {len(reader.pages)} 页，超过 {_PDF_PAGES} 页")
        active = _pdf_active(reader)
        if active is not None:
            raise _Active(active)
        if (mark := _private_pdf(reader)) is not None:
            raise _Private(mark)
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        if all(heading in _SPACE.sub("", text) for heading in _KEY_HEADINGS):  # re-saved: its keywords are gone
            from ..paths import EXAM_KEY_PDF

            raise _Private(EXAM_KEY_PDF)
        return text
    import zipfile

    pieces, total = [], 0
    with zipfile.ZipFile(path) as z:
        parts = z.infolist()
        if len(parts) > _DOC_PARTS:
            raise _Unread(f"由 {len(parts)} 个部分组成，超过 {_DOC_PARTS} 个")
        for info in parts:
            if not info.filename.endswith(".xml"):
                continue
            total += info.file_size
            if total > _DOC_BYTES:
                raise _Unread(f"解压后超过 {_DOC_BYTES // (1024 * 1024)} MB")
            xml = _xml_text(z.read(info))
            pieces.append(html.unescape(_XML_TAG.sub("", _XML_BREAK.sub("\n", xml))))
    return "\n".join(pieces)


#: Spreadsheet text that may be in GBK, as Excel and WPS in China save it (a filled record among them is said as
#: such, E742; the privacy scan reads it as GBK).
_SHEET_SUFFIXES = frozenset({".csv", ".tsv"})


def _not_plain_text(path: Path, shown: str, page: bool) -> Problem | None:
    """E107 for a published text file that is not UTF-8 (UTF-16 or UTF-32 — a byte-order mark, or NUL bytes —,
    GBK, ISO-2022-JP …), E116 for one holding a control character (other than tab and line breaks) or another
    character no text may hold (for pages the page check says it). A browser honours a byte-order mark or a
    declared encoding, or guesses, and shows or applies the file, while read as UTF-8 its digits and ``url(`` stand
    apart — separated by NULs, or by the ``ESC ( B`` of ISO-2022-JP, which vanishes when decoded — and no scan sees
    them."""
    from ..errors import WuguError
    from ..loader import decode

    try:
        raw = path.read_bytes()[:MAX_PUBLISHED]
    except OSError:
        return None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return problem("E107", shown, 1, 1, guess="（看起来是 UTF-16 / “Unicode”编码）")
    if b"\x00" in raw:
        return problem("E107", shown, raw.count(b"\n", 0, raw.index(b"\x00")) + 1, 1,
                       guess="（里面有空字符 NUL，看起来是 UTF-16 / “Unicode”编码）")
    try:
        text = decode(raw, shown)
    except WuguError as exc:
        if path.suffix.lower() not in _SHEET_SUFFIXES:
            return exc.problems[0]
        try:  # Excel and WPS save CSV in GBK: opened in them, not in the browser; scanned as GBK (privacy)
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            return exc.problems[0]
    if page or (bad := _BAD_CHAR.search(text.replace("\r", " "))) is None:
        return None
    start = text.rfind("\n", 0, bad.start()) + 1
    end = text.find("\n", bad.start())
    char, what = bad_character(text[start:end if end != -1 else len(text)].replace("\r", " "))  # type: ignore[misc]
    return problem("E116", shown, text.count("\n", 0, start) + 1, bad.start() - start + 1, char=char, what=what)


def _xml_text(raw: bytes) -> str:
    """An XML part of an Office file as text: UTF-8, or UTF-16 (which the format allows: a BOM, or NULs)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    if b"\x00" in raw[:200]:
        return raw.decode("utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be", errors="replace")
    return raw.decode("utf-8", errors="replace")


def _check_document(path: Path, shown: str) -> list[Problem]:
    """No personal data in a Word, Excel, presentation or PDF file published with the site (E401–E403, at the
    file: these have no lines); E527 for one that cannot be read to the end (it is not published unread)."""
    try:
        text = _document_text(path)
    except _Active as exc:
        return [problem("E529", shown, file=shown, name=str(exc))]
    except _Private as exc:  # a filled record (never published, as record spreadsheets: E742) or an answer key
        from ..paths import FILLED_RECORD_PDF

        folder = shown.split("/")[0]
        if str(exc) == FILLED_RECORD_PDF:
            return [problem("E742", shown, where=f"网站页面目录 {folder}/")]
        return [problem("E550", shown, file=shown, folder=folder)]
    except _Unread as exc:
        return [problem("E527", shown, file=shown, what=str(exc), fix="删掉不需要的内容后重新保存，或拆成几个文件；"
                                                                       "大的资料请另外发放")]
    except Exception:  # noqa: BLE001 - damaged or encrypted: it cannot be looked into, so it is not published
        return [problem("E527", shown, file=shown, what="打不开（文件损坏或加了密码）",
                        fix="用 Word、Excel、WPS 或 PDF 软件打开后去掉密码、另存一份，再放进 site/；不需要就删掉")]
    found = {}
    for code, masked, _at in scan_text(text):
        found.setdefault(masked, code)
    return [problem(code, shown, masked=masked) for masked, code in list(found.items())[:MAX_PER_PAGE]]


def _record_like(path: Path) -> bool:
    """A filled record under an odd name: said as such (E742) by the records guard, not as an unknown file."""
    from ..records.publish import is_record_file

    try:
        return is_record_file(path, by_content=True)
    except (OSError, ValueError):
        return False


def _masked_path(shown: str) -> str:
    """``shown`` with its runs of four or more digits masked (the number in a file name is not echoed in full)."""
    def mask(m: re.Match[str]) -> str:
        run = m.group()
        keep = (3, 2) if len(run) >= 7 else (1, 1)
        return run[:keep[0]] + "*" * (len(run) - sum(keep)) + run[-keep[1]:]
    return re.sub(r"\d{4,}", mask, shown)


def check_pages(root: Path, files: Iterable[Path], settings: dict[str, Any]) -> list[Problem]:
    """Every file of the docs folder: pages as they will be published; scripts and special files refused.

    ``files`` are the docs folder's files (links were checked before); ``settings`` is ``mkdocs.yml``'s data.
    The source text of pages has been scanned for personal data already (:mod:`wugu.validate.privacy`): numbers
    found here again are not reported twice.
    """
    import stat

    problems: list[Problem] = []
    converter = None
    budget = PageBudget()
    named: set[str] = set()  # numbers found in file and folder names
    for path in files:
        try:
            shown = path.relative_to(root).as_posix()
        except ValueError:
            shown = str(path)
        try:
            mode = path.lstat().st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            continue  # checked by check_links
        if any(part.startswith(".") for part in Path(shown).parts):
            continue  # MkDocs publishes no hidden file (.gitkeep …)
        for code, masked, _at in scan_text(Path(shown).with_suffix("").as_posix()):
            if masked not in named:  # a page's file name is its title (in every page's navigation), a folder's
                named.add(masked)   # name is in the address: said once, at the first file under it
                problems.append(problem(code, _masked_path(shown), masked=masked))
        if not stat.S_ISREG(mode):
            problems.append(problem("E213", shown, name=shown, what="不是普通文件（管道、设备或套接字），生成网站时会卡住",
                                    fix="删掉它"))
            continue
        bad_name = _BAD_NAME.search(path.name) or _BAD_CHAR.search(path.name)  # bidi controls reorder a title
        if bad_name is not None:
            problems.append(problem("E213", shown, name=shown, what=f"的文件名里有“{bad_name.group()}”这样的字符",
                                    fix="改个文件名，只用汉字、字母、数字和 - _ . ：文件名会成为网页的标题和链接"))
            continue
        suffix = path.suffix.lower()
        if (suffix in TEXT_SUFFIXES - _SCRIPT_SUFFIXES
                and (wrong := _not_plain_text(path, shown, suffix in MARKDOWN_SUFFIXES | _HTML_SUFFIXES)) is not None):
            problems.append(wrong)  # read as UTF-8, other text hides its numbers and addresses from every scan
            continue
        if suffix in _SCRIPT_SUFFIXES:
            problems.append(problem("E213", shown, name=shown, what="是脚本或程序文件，会随网站原样发布",
                                    fix="删掉它：手册网站不用自己的脚本"))
            continue
        if suffix == ".css":
            problems += _css_escapes(path, shown) or _check_css(path, shown)
            continue
        if suffix in _PHOTO_SUFFIXES:
            problems += _check_photo(path, shown)
            continue
        if suffix in _OFFICE_SUFFIXES or suffix == ".pdf":
            problems += _check_document(path, shown)
            continue
        if suffix in _ARCHIVE_SUFFIXES:
            problems.append(problem("E527", shown, file=shown, what="是压缩包",
                                    fix="把里面需要公开的文件直接放进 site/（wugu 会逐个检查）；填好的记录放到 records/ 目录"))
            continue
        if suffix not in MARKDOWN_SUFFIXES and suffix not in _HTML_SUFFIXES:
            if suffix not in _PLAIN_SUFFIXES and path.name not in _PLAIN_NAMES and not _record_like(path):
                problems.append(problem(
                    "E213", shown, name=shown, what=f"是 wugu 不认识的文件（{suffix or '没有扩展名'}），不会原样发布",
                    fix="网站上只放页面（.md）、图片、字体、样式（.css）、PDF 和 .docx/.xlsx/.pptx 文档；"
                        "其他文件另存为这些格式（例如 .doc 另存为 .docx），不需要就删掉"))
            continue
        try:
            text = path.read_bytes()[:MAX_PUBLISHED].decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(problem("E107", shown, 1, 1, guess=""))
            continue
        except OSError:
            continue
        if budget.reported:
            continue  # the time for reading pages is over: one E534 says so
        if suffix in _HTML_SUFFIXES:
            problems += check_page(text, shown, None, markdown_page=False, budget=budget)
            continue
        if converter is None:
            converter = _markdown(settings)
        problems += check_page(text, shown, converter, budget=budget)
    return problems

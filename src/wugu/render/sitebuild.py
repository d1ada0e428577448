"""Driving mkdocs-material from Python: the generated pages, wugu's site assets and settings, for any project folder.

``build_site(project_root, handbook, out_dir)`` loads the project's ``mkdocs.yml`` when there is one, fills in what
it lacks (theme, Chinese search, offline use, Markdown extensions, strict link checks), adds :class:`WuguPlugin`
and builds. The plugin injects :func:`wugu.render.site.pages` with ``File.generated`` in ``on_files`` and the
package's assets (the print/form stylesheet, the vendored iframe-worker shim), so a project folder needs no
pages of its own. The same plugin works from a plain ``mkdocs build`` when ``mkdocs.yml`` lists ``wugu``.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # mkdocs-material's end-of-life notice: not for our users

from mkdocs.commands.build import build as mkdocs_build  # noqa: E402
from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.exceptions import Abort, MkDocsException  # noqa: E402
from mkdocs.plugins import BasePlugin, event_priority  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402

from .. import escape, paths  # noqa: E402
from ..errors import Problem, WuguError, problem  # noqa: E402
from ..model import Handbook  # noqa: E402
from ..project import display_path, walk  # noqa: E402
from ..validate import siteconfig  # noqa: E402
from ..validate.pages import page_timed_out, unsafe_built, unsafe_html  # noqa: E402
from ..timelimit import PAGE_ENV, PAGE_SECONDS, SITE_ENV, SITE_SECONDS, TimeLimit, TimeUp, seconds  # noqa: E402
from ..resources import templates_dir  # noqa: E402
from . import search, site, terms  # noqa: E402
from .sitelive import LiveSite, inputs_stamp  # noqa: E402
from .jinjacache import bytecode_cache  # noqa: E402

#: Where wugu's own site assets go in the built site (and sit in the package, under ``templates/site/``).
ASSETS = "assets/wugu"
#: The stylesheet for badges, the form preview and A4 printing.
STYLESHEET = f"{ASSETS}/wugu.css"
#: The iframe-worker shim (npm ``iframe-worker`` 1.0.4, MIT), vendored so the offline plugin fetches nothing.
#: Its path must contain "iframe-worker": that is how the offline plugin sees a shim is already there.
IFRAME_WORKER = f"{ASSETS}/iframe-worker/shim.js"

#: wugu's templates over mkdocs-material's (lang="zh-CN", Chinese search separators, the emergency strip…).
OVERRIDES = templates_dir() / "site" / "overrides"

CONFIG_FILE = "mkdocs.yml"
DOCS_DIR = "site"

THEME: dict[str, Any] = {
    "name": "material",
    "language": "zh-CN",
    "font": False,
    "features": ["navigation.tabs", "navigation.indexes", "navigation.top", "navigation.footer",
                 "search.highlight", "toc.follow"],
    "palette": {"scheme": "default", "primary": "teal", "accent": "deep orange"},
}
PLUGINS = ("search", "offline")
VALIDATION: dict[str, Any] = {
    "nav": {"omitted_files": "info", "not_found": "warn", "absolute_links": "warn"},
    "links": {"not_found": "warn", "anchors": "warn", "absolute_links": "warn", "unrecognized_links": "warn"},
}


def _slugify() -> Any:
    """Heading anchors: Unicode kept (Chinese headings get readable anchors), lower case."""
    from pymdownx.slugs import slugify

    return slugify(case="lower")


def markdown_extensions() -> list[Any]:
    """The Markdown extensions the generated pages use (all render locally: no emoji CDN, no web fonts)."""
    return [
        {"toc": {"permalink": True, "permalink_title": "本节的链接", "slugify": _slugify()}},
        "attr_list", "md_in_html", "admonition", "tables",
        {"pymdownx.tasklist": {"custom_checkbox": True}},
    ]


@dataclass(frozen=True)
class SiteResult:
    """What a site build made: the folder, how many pages, how long mkdocs took, and the state to update it in
    place from (:class:`wugu.render.sitelive.LiveSite`)."""

    out_dir: Path
    pages: int
    seconds: float
    live: Any = None


# ---- the plugin -----------------------------------------------------------------------------------------

class WuguPlugin(BasePlugin):
    """Feeds the handbook's generated pages and wugu's assets to mkdocs (``plugins: [wugu]`` in ``mkdocs.yml``)."""

    def __init__(self, handbook: Handbook | None = None) -> None:
        self.handbook = handbook
        self.generated: dict[str, str] = {}
        self.glossary: terms.Glossary | None = None
        self.overridden: list[str] = []
        self.user_words: str | None = None
        # what the build left behind, for updating the site in place (wugu.render.sitelive)
        self.files: Files | None = None
        self.nav: Any = None
        self.env: Any = None
        self.reading: TimeLimit | None = None  # the bound on the page being read (Markdown to HTML), if one is
        # bounds only where wugu drives mkdocs and says what ran out (build_site, wugu serve); a plain
        # ``mkdocs build`` would show a traceback instead
        self.bounded = handbook is not None

    def _start_page(self, page: Any) -> None:
        """The page is read (Markdown to HTML, glossary links) under a time bound of its own (E532)."""
        self.end_page()
        if self.bounded:
            self.reading = TimeLimit(seconds(PAGE_ENV, PAGE_SECONDS), page.file.src_uri).start()

    def end_page(self) -> None:
        """The page has been read: stop its bound."""
        self.stop_reading()
        self.reading = None

    def stop_reading(self) -> None:
        """Stop the bound on the page being read, if one is (after a failed build: it must never fire later);
        which page it was stays known, for :meth:`timed_out`."""
        if self.reading is not None:
            self.reading.stop()

    @event_priority(100)  # before the offline plugin looks for an iframe-worker shim
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.handbook is None:  # plain ``mkdocs build``: read the project next to mkdocs.yml
            from ..report import as_text
            from ..validate import check

            report = check(Path(config.config_file_path or CONFIG_FILE).resolve().parent)
            if report.handbook is None:
                from mkdocs.exceptions import PluginError

                raise PluginError("\n" + as_text(report))
            self.handbook = report.handbook
        _quiet_jieba()
        profile = self.handbook.profile
        config.theme["font"] = False  # never Google Fonts, whatever mkdocs.yml says
        extra = config.extra
        extra["polyfills"] = [IFRAME_WORKER] + [p for p in extra.get("polyfills", []) or []
                                                if "iframe-worker" not in str(p)]
        extra["generator"] = False  # the "Made with Material" footer links to an outside host
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        # character references (mkdocs-material's own example: ``Copyright &copy; 2026``) are read first, then the
        # whole text is escaped: &copy; shows ©, and neither <b> nor &lt;b&gt; ever becomes markup
        config.copyright = escape.html(unescape(config.copyright) if config.copyright
                                       else f"{profile.name} · 手册内容版本 {profile.content_version}")
        # Every text that lands in the page chrome is escaped here, once (templates that escape again leave
        # Markup alone); mkdocs.yml is untrusted input like the content.
        config.site_name = escape.html(config.site_name)
        for key in ("site_description", "site_author", "repo_name", "repo_url", "edit_uri"):
            if config.get(key):  # repo_url, edit_uri: checked to be http(s) and quote-free; escaped all the same
                config[key] = escape.html(config[key])
        _escape_strings(config.theme.get("palette"))
        _escape_strings(extra.get("social"))
        if str(OVERRIDES) not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(OVERRIDES))
        if config.nav is not None:
            config.nav = _escaped_nav(config.nav)
        toc = config.mdx_configs.setdefault("toc", {}) if "toc" in config.markdown_extensions else None
        if toc is not None and "slugify" not in toc:  # mkdocs.yml cannot name a function safely: wugu supplies it
            toc["slugify"] = _slugify()
        if config.theme["language"] in ("zh", "zh-CN"):  # Simplified Chinese as written in mainland China
            config.theme["language"] = "zh-CN"
        if not config.site_url and profile.site_url:
            config.site_url = profile.site_url
        search_plugin = config.plugins.get("material/search")
        if search_plugin is not None:
            self.user_words = _load_user_words_once(search_plugin.config)
        emergency = site.emergency_page(self.handbook)
        extra["wugu"] = {"emergency": paths.html_url(emergency) if emergency else None}
        self.generated = site.pages(self.handbook)
        self.glossary = terms.glossary(self.handbook, site.GLOSSARY)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.user_words:  # every plugin is configured: the search plugin has loaded it
            _USER_WORDS_LOADED.add(self.user_words)
        self.overridden = []
        for path, text in self.generated.items():
            if files.get_file_from_path(path) is not None:  # a hand-written page of the same name wins
                self.overridden.append(path)
                continue
            files.append(File.generated(config, path, content=text))
        for path, text in site.assets(self.handbook).items():  # generated data files (the self-test's bank)
            files.append(File.generated(config, path, content=text))
        root = templates_dir() / "site"
        for asset in sorted((root / ASSETS).rglob("*")):
            uri = asset.relative_to(root).as_posix()
            if asset.is_file() and files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, abs_src_path=str(asset)))
        if config.nav is None:
            assert self.handbook is not None
            nav = site.nav(self.handbook)
            extra = [f.src_uri for f in files.documentation_pages() if f.src_uri not in self.generated]
            if extra:
                nav.append({"更多": sorted(extra)})
            config.nav = _escaped_nav(nav)
        return files

    @event_priority(-100)  # what the other plugins made of them
    def on_nav(self, nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
        self.nav, self.files = nav, files
        return nav

    @event_priority(-100)
    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        self.env = env
        if env.bytecode_cache is None:  # the theme's templates compiled once, not on every build (jinjacache)
            env.bytecode_cache = bytecode_cache()
        return env

    def timed_out(self, exc: TimeUp, whole: TimeLimit | None, config_label: str, docs_dir: Path) -> WuguError:
        """The problem line for a build stopped by a time bound: the page being read (E532), or the whole build
        (E533, at the page being read then if there was one). Re-raises a bound that is not the build's."""
        reading = self.reading
        self.end_page()
        if exc.limit is not reading and (whole is None or exc.limit is not whole):
            raise exc
        page = reading.what if reading is not None else None
        if page is None:
            where = config_label
        elif page in self.generated and page not in self.overridden:
            where = f"〔生成〕{page}"
        else:
            where = display_path(docs_dir / page)
        generated = where.startswith("〔生成〕")
        if exc.limit is reading:
            assert reading is not None
            fix = ("这是由内容生成的页面：把最近改动的内容里很长的文字和列表拆短；确认不是内容造成的，请把这一行报告给手册维护人"
                   if generated else "")
            return WuguError([page_timed_out(where, reading.seconds, fix)])
        assert whole is not None
        return WuguError([problem("E533", where, seconds=f"{whole.seconds:g}",
                                  fix="多半是手写页面太大，或标题、列表、链接太多：把它拆成几个页面；内容确实这么多、电脑又很慢时，"
                                      f"可以设置环境变量 {SITE_ENV}（秒数）放宽时限")])

    def _hand_written(self, page: Any) -> bool:
        """A page from the docs folder (also one that replaces a generated page of the same name)."""
        return page.file.src_uri not in self.generated or page.file.src_uri in self.overridden

    def on_page_markdown(self, markdown: str, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        """A hand-written page's front matter lands in the page title, navigation and search index as it is:
        escape it (the generated pages' front matter comes from the model, escaped when written). Its
        ``keywords:`` join ``tags:``, which the search indexes with a high weight, as for a generated page."""
        self._start_page(page)
        if self._hand_written(page):
            for key in ("title", "description"):
                if isinstance(page.meta.get(key), str):
                    page.meta[key] = escape.html(page.meta[key])
            words = [w for key in ("tags", "keywords") if isinstance(page.meta.get(key), list)
                     for w in page.meta[key] if isinstance(w, str) and w.strip()]
            if words or "tags" in page.meta:
                page.meta["tags"] = [escape.html(w.strip()) for w in dict.fromkeys(words)]
        return markdown

    def on_page_content(self, html: str, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        """Glossary terms link to their definitions where they first appear on a page. A hand-written page with
        active markup never gets this far (``wugu check`` refuses it, E211); checked again here all the same, and
        once more after linking: linking must never make markup live (the page is then left unlinked)."""
        hand_written = self._hand_written(page)
        if hand_written:
            found = unsafe_html(html)
            if found:
                shown = display_path(Path(config.docs_dir) / page.file.src_uri)
                raise WuguError([problem("E211", shown, what=what) for what in found])
        linked = terms.link_terms(html, page.file.src_uri, self.glossary) if self.glossary else html
        if hand_written and linked != html and unsafe_html(linked):
            linked = html
        self.end_page()
        return linked

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        site_dir = Path(config.site_dir)
        _refuse_active_pages(site_dir)
        search.fix_worker(site_dir)
        if not config.site_url:  # a sitemap needs absolute addresses: without a site URL it would list none
            for name in ("sitemap.xml", "sitemap.xml.gz"):
                (site_dir / name).unlink(missing_ok=True)
        _relative_404(site_dir, urlsplit(config.site_url or "/").path or "/")


#: Files a browser opens as documents that can run script, besides ``.html``/``.htm`` (XHTML, SVG, XML).
BROWSER_DOCUMENTS = (".xhtml", ".xht", ".xhtm", ".svg", ".xml", ".shtml")


def _refuse_active_pages(site_dir: Path) -> None:
    """The last guard: no built page (chrome included, generated pages too) holds an event handler, a script
    address, an embedding element or an outside script. Whatever put it there (an extension option, a theme
    setting, a template), the build fails (E530) and the previous site stays."""
    problems = []
    pages = sorted(Path(d, n) for d, _dirs, names in walk(site_dir) for n in names
                   if ".htm" in n.lower() or n.lower().endswith(BROWSER_DOCUMENTS))
    for page in pages:
        try:
            found = unsafe_built(page.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if found:
            problems.append(problem("E530", page.relative_to(site_dir).as_posix(), what="、".join(sorted(set(found))[:3])))
        if len(problems) >= 20:
            break
    if problems:
        raise WuguError(problems)


#: jieba user dictionaries already loaded in this process (see :func:`_load_user_words_once`).
_USER_WORDS_LOADED: set[str] = set()


def _load_user_words_once(search_config: Any) -> str | None:
    """Have the search plugin load wugu's (or mkdocs.yml's) jieba user dictionary only on the first build of a
    process; returns the dictionary it will load now (recorded as loaded once every plugin is configured).
    Loading it again adds every word's frequency to jieba's total once more, which changes how later builds
    segment Chinese: ``wugu serve`` rebuilding ten times would index differently from ``wugu build``."""
    words = search_config.jieba_dict_user or str(search.USER_WORDS)
    search_config.jieba_dict_user = None if words in _USER_WORDS_LOADED else words
    return search_config.jieba_dict_user


def _relative_404(site_dir: Path, prefix: str) -> None:
    """mkdocs gives 404.html links from the server root (``/assets/…``, or under the site URL's path), which a
    page opened from file:// cannot follow; 404.html sits at the site root, so the same links relative to it
    work there."""
    page = site_dir / "404.html"
    if page.is_file():
        prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        text = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r'(\b(?:href|src)=")' + re.escape(prefix), r"\1", text), encoding="utf-8")


def _escape_strings(value: Any) -> None:
    """HTML-escape, in place, every string inside a list or mapping of settings mkdocs-material shows raw."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in list(items):
        if isinstance(item, str):
            value[key] = escape.html(item)
        else:
            _escape_strings(item)


def _escaped_nav(nav: Any) -> Any:
    """The navigation with every title HTML-escaped (as :class:`~markupsafe.Markup`, so templates that escape
    again leave it alone): titles come from the content or from ``mkdocs.yml`` and land in the page chrome."""
    if isinstance(nav, list):
        return [_escaped_nav(item) for item in nav]
    if isinstance(nav, dict):
        return {escape.html(k): _escaped_nav(v) for k, v in nav.items()}
    return nav


# ---- building -------------------------------------------------------------------------------------------

class _Collect(logging.Handler):
    """Keeps mkdocs' warnings and errors so they can be shown as wugu problem lines."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _quiet_jieba() -> None:
    """jieba sets its own logger to DEBUG when imported and talks on stderr: import it first, then quiet it.

    jieba imports ``pkg_resources`` (setuptools' old API, ~0.1 s to import) only to open its own data files, and
    falls back to a plain ``open`` beside its module without it: it is imported here, before the search plugin
    does, with ``pkg_resources`` out of reach (nothing else in a site build uses it)."""
    import sys

    blocked = "jieba" not in sys.modules and "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes its import an ImportError
    try:
        import jieba
    except ImportError:  # pragma: no cover - search then indexes Chinese without word segmentation
        return
    finally:
        if blocked:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)


@contextmanager
def _quiet_mkdocs() -> Iterator[_Collect]:
    """Silence mkdocs' (and jieba's) own output for the duration; collect warnings instead of printing them."""
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    saved = logger.handlers[:], logger.propagate, logger.level
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    _quiet_jieba()
    try:
        yield handler
    finally:
        logger.handlers, logger.propagate, _ = saved
        logger.setLevel(saved[2])


def _ext_name(item: Any) -> str:
    return item if isinstance(item, str) else next(iter(item))


def _settings(raw: dict[str, Any], handbook: Handbook, out_dir: Path, docs_dir: Path, strict: bool) -> dict[str, Any]:
    """The settings wugu passes over the project's own ``mkdocs.yml``: its values win except where they would
    break the handbook (Google Fonts, a missing search or offline plugin)."""
    theme = raw.get("theme") or {}
    theme = {"name": theme} if isinstance(theme, str) else dict(theme)
    merged_theme = {**THEME, **theme, "font": False}
    plugins = _plugin_list(raw.get("plugins"))
    plugins = [p for p in plugins if _plugin_name(p) != "wugu"]  # the real instance is added after loading
    names = {_plugin_name(p) for p in plugins}
    plugins = [p for p in PLUGINS if p not in names] + plugins
    exts = list(raw.get("markdown_extensions") or [])
    have = {_ext_name(e) for e in exts}
    exts = [e for e in markdown_extensions() if _ext_name(e) not in have] + exts
    settings: dict[str, Any] = {
        "site_name": f"{handbook.profile.short_name}志愿服务手册",  # wugu.yml is the one place for names
        "docs_dir": str(docs_dir),
        "site_dir": str(out_dir),
        "theme": merged_theme,
        "plugins": plugins,
        "markdown_extensions": exts,
        "use_directory_urls": False,
        "strict": strict,
    }
    if "validation" not in raw:
        settings["validation"] = VALIDATION
    return settings


def _plugin_list(raw: Any) -> list[Any]:
    """``plugins:`` as a list of names and one-key ``{name: options}`` mappings (mkdocs accepts both forms)."""
    if isinstance(raw, dict):
        return [{k: v} if v else k for k, v in raw.items()]
    return list(raw or [])


def _plugin_name(p: Any) -> str:
    return p if isinstance(p, str) else next(iter(p))


_PAGE_IN_MESSAGE = re.compile(r"'([^']+\.md)'")


def _problems(records: list[logging.LogRecord], config_label: str, docs_dir: Path, docs_label: str,
              generated: set[str]) -> list[Problem]:
    """mkdocs' warnings as wugu problem lines, pointing at the page they are about where one is named."""
    out = []
    for r in records:
        text = r.getMessage().strip()
        if text.startswith("Config value"):
            lines = [x.strip() for x in text.splitlines() if x.strip()]
            if len(lines) > 1:  # a Python traceback inside the message: its first and last lines say it
                text = f"{lines[0]}（{lines[-1][:160]}）"
            out.append(problem("E512", config_label, detail=text[:300], config=config_label))
            continue
        m = _PAGE_IN_MESSAGE.search(text)
        page = m.group(1) if m else None
        if page and (docs_dir / page).is_file():
            where, fix = f"{docs_label}/{page}", f"修改手写页面 {docs_label}/{page}"
        elif page in generated:
            where = f"〔生成〕{page}"
            fix = "这是 wugu 生成的页面出了问题，请把这一行报告给手册维护人"
        else:
            where, fix = config_label, f"检查 {config_label} 和 {docs_label}/ 里的手写页面"
        out.append(problem("E601", where, detail=text, fix=fix))
    return out


def _load_config(config_file: Path, config_label: str, settings: dict[str, Any]) -> MkDocsConfig:
    """MkDocs' ``load_config``, but with ``mkdocs.yml`` read by wugu's safe loader (never MkDocs' own, which
    constructs Python objects from tags), then ``settings`` on top; warnings and errors are logged as MkDocs
    does, so they become problem lines."""
    log = logging.getLogger("mkdocs.config")
    config = MkDocsConfig(config_file_path=str(config_file))
    config.load_dict(siteconfig.read(config_file, config_label, config=config))
    config.load_dict(settings)
    errors, warnings = config.validate()
    for name, warning in warnings:
        log.warning(f"Config value '{name}': {warning}")
    for name, error in errors:
        log.error(f"Config value '{name}': {error}")
    if errors or (config.strict and warnings):
        raise Abort("Aborted with a configuration error!")
    return config


@contextmanager
def _empty_docs(out_dir: Path) -> Iterator[Path]:
    """An empty folder beside ``out_dir`` named after it, removed afterwards."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    empty = Path(tempfile.mkdtemp(prefix=f"{out_dir.name}.docs-", dir=out_dir.parent))
    try:
        yield empty
    finally:
        shutil.rmtree(empty, ignore_errors=True)


def build_site(project_root: Path, handbook: Handbook, out_dir: Path, *, strict: bool = True) -> SiteResult:
    """Build the handbook website of ``project_root`` into ``out_dir`` (which mkdocs empties first).

    Works for any project folder: the base project (this repository) or an edition that has only ``wugu.yml``,
    ``local/`` and perhaps its own ``mkdocs.yml``. Raises :class:`WuguError` with one problem per mkdocs warning
    (strict mode: every warning fails the build).
    """
    started = time.perf_counter()
    project_root = Path(project_root).resolve()
    out_dir = Path(out_dir).resolve()
    config_file = project_root / CONFIG_FILE
    config_label = display_path(config_file)
    raw = siteconfig.read(config_file, config_label)
    docs_dir = (project_root / str(raw.get("docs_dir") or DOCS_DIR)).resolve()
    stamp = inputs_stamp(config_file, docs_dir)  # before reading them: a change made during the build shows later
    # An edition may have no hand-written pages at all: every page the handbook needs is generated. Its empty
    # docs folder stands beside the output (never in /tmp): ``.site.new-….docs-…`` when building into a staging
    # folder, which the next build's stale cleanup removes should this one be killed; inside the preview's own
    # temporary folder for ``wugu serve``.
    with _empty_docs(out_dir) as empty:
        use_docs = docs_dir if docs_dir.is_dir() else empty
        settings = _settings(raw, handbook, out_dir, use_docs, strict)
        plugin = WuguPlugin(handbook)
        with _quiet_mkdocs() as collected:
            whole = TimeLimit(seconds(SITE_ENV, SITE_SECONDS))
            try:
                with whole:
                    config = _load_config(config_file, config_label, settings)
                    config.plugins["wugu"] = plugin
                    config.plugins.on_startup(command="build", dirty=False)
                    try:
                        mkdocs_build(config)
                    finally:
                        plugin.stop_reading()
                        config.plugins.on_shutdown()
            except TimeUp as exc:
                whole.stop()
                raise plugin.timed_out(exc, whole, config_label, docs_dir) from None
            except MkDocsException as exc:
                problems = _problems(collected.records, config_label, docs_dir, display_path(docs_dir),
                                     set(plugin.generated))
                if not problems:
                    problems = [problem("E601", config_label, detail=str(exc),
                                        fix="检查 mkdocs.yml 和 site/ 里的手写页面")]
                raise WuguError(problems) from None
            except WuguError:
                raise
            except OSError as exc:  # the environment (full disk …), said by the caller as E505 — but Jinja's
                # TemplateNotFound is an OSError too: a theme setting naming a language or icon that does not exist
                from jinja2 import TemplateNotFound

                if not isinstance(exc, TemplateNotFound):
                    raise
                raise WuguError([problem("E512", config_label, detail=f"主题里找不到“{str(exc.name)[:80]}”"
                                         "（theme 的 language 或 icon 写了不存在的名称）", config=config_label)]) from None
            except Exception as exc:  # an extension or template choking on input: a problem line, not a traceback
                problems = _problems(collected.records, config_label, docs_dir, display_path(docs_dir),
                                     set(plugin.generated))
                detail = f"{type(exc).__name__}: {str(exc)[:200]}"
                raise WuguError(problems + [problem("E601", config_label, detail=detail,
                                                    fix=f"检查 {config_label} 和 {display_path(docs_dir)}/ 里的手写页面"
                                                        "最近改动的地方")]) from None
    pages = sum(1 for p in plugin.generated if p not in plugin.overridden)
    live = LiveSite(config, plugin, stamp, config_file, config_label, docs_dir, display_path(docs_dir))
    return SiteResult(out_dir, pages, time.perf_counter() - started, live)

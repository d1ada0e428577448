"""Updating a built site in place after an edit: only the pages whose Markdown changed are rendered again.

A full site build (:func:`wugu.render.sitebuild.build_site`) leaves a :class:`LiveSite` behind: mkdocs' settings,
files, navigation and theme, and every page as it was rendered. ``wugu serve`` hands it each new checked model.
The dependency map from a source file to the pages it affects is not written down by hand, where it could go
stale: the generated pages are a pure function of the model (:func:`wugu.render.site.pages`, ~40 ms), so the new
Markdown is compared with the old one, page by page, and exactly the pages that differ are rendered again, with
their search index entries. Whatever the page chrome of every page depends on — settings, navigation, page
titles, the glossary (linked on every page), the profile, hand-written pages — is global: when it changes,
:meth:`LiveSite.update` returns None and the caller builds the whole site.
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.commands.build import get_context

try:  # mkdocs' own step (1.5, 1.6): read a page's Markdown, render it, run the plugins' page events
    from mkdocs.commands.build import _populate_page
except ImportError:  # pragma: no cover - another mkdocs: every change builds the whole site
    _populate_page = None
from mkdocs.exceptions import MkDocsException
from mkdocs.structure.files import File

from ..errors import WuguError, problem
from ..timelimit import TimeUp
from ..model import Handbook
from . import site

#: Plugins whose output an in-place update keeps right (any other plugin in mkdocs.yml: every change is a full build).
KNOWN_PLUGINS = frozenset({"wugu", "search", "material/search", "offline", "material/offline"})
SEARCH_PLUGINS = ("material/search", "search")


def inputs_stamp(config_file: Path, docs_dir: Path) -> str:
    """A fingerprint of what the site takes besides the model: ``mkdocs.yml`` and the hand-written pages."""
    digest = hashlib.sha256()
    for path in [config_file, *sorted(p for p in docs_dir.rglob("*") if p.is_file())] if docs_dir.is_dir() \
            else [config_file]:
        digest.update(os.fsencode(path) + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


@dataclass
class Update:
    """What an in-place update wrote: site-relative paths of the pages and other files, and how long it took."""

    pages: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0


class LiveSite:
    """A built site that can take a new model and render only the pages that changed (see the module notes)."""

    def __init__(self, config: Any, plugin: Any, stamp: str, config_file: Path, config_label: str, docs_dir: Path,
                 docs_label: str) -> None:
        self.config = config
        self.plugin = plugin
        self.stamp = stamp  # inputs_stamp() taken before the build: a later change shows up as a difference
        self.config_file = config_file
        self.labels = (config_label, docs_dir, docs_label)  # how mkdocs' warnings are shown (see sitebuild._problems)
        self.handbook: Handbook = plugin.handbook
        self.nav_spec = site.nav(self.handbook)
        self.assets = site.assets(self.handbook)
        self.broken = False  # an update failed half-way: the in-memory state no longer matches the site
        search = next((config.plugins[k] for k in SEARCH_PLUGINS if k in config.plugins), None)
        self.search_index = getattr(search, "search_index", None)
        entries = getattr(self.search_index, "entries", None)
        self.page_entries = group_entries(entries) if isinstance(entries, list) else {}

    def inputs_stamp(self) -> str:
        """:func:`inputs_stamp` now; differs from :attr:`stamp` when mkdocs.yml or a hand-written page changed."""
        return inputs_stamp(self.config_file, self.labels[1])

    def supported(self) -> bool:
        """True when an in-place update can equal a full build: only the plugins wugu knows, and the search
        index built (its entries are regrouped by page)."""
        return (not self.broken and _populate_page is not None and set(self.config.plugins) <= KNOWN_PLUGINS
                and isinstance(getattr(self.search_index, "entries", None), list)
                and hasattr(self.search_index, "generate_search_index")
                and self.plugin.nav is not None and self.plugin.env is not None)

    def _global_change(self, handbook: Handbook, pages: dict[str, str]) -> bool:
        old = self.handbook
        return (handbook.profile != old.profile or handbook.glossary != old.glossary
                or set(pages) != set(self.plugin.generated) or site.nav(handbook) != self.nav_spec
                or site.emergency_page(handbook) != site.emergency_page(old))

    def update(self, handbook: Handbook, out_dir: Path) -> Update | None:
        """Render again the pages of ``handbook`` whose Markdown changed and write them (with the search index and
        changed data files) into ``out_dir``, the folder the last full build went to. Returns None when only a
        full build is correct; raises :class:`WuguError` (strict mode: any mkdocs warning) and writes nothing."""
        from .sitebuild import _problems, _quiet_mkdocs

        started = time.perf_counter()
        if not self.supported():
            return None
        pages = site.pages(handbook)
        if self._global_change(handbook, pages):
            return None
        changed = [p for p, text in pages.items() if text != self.plugin.generated[p] and p not in self.plugin.overridden]
        assets = site.assets(handbook)
        changed_assets = {p: t for p, t in assets.items() if self.assets.get(p) != t}
        if set(assets) != set(self.assets):
            return None
        config, files, nav, env = self.config, self.plugin.files, self.plugin.nav, self.plugin.env
        self.broken = True  # until every step below went well
        html: dict[str, bytes] = {}
        with _quiet_mkdocs() as collected:
            try:
                self.plugin.handbook = handbook
                for path in changed:
                    file = files.get_file_from_path(path)
                    assert file is not None and file.page is not None
                    title = file.page.title
                    file.content_string = pages[path]
                    _populate_page(file.page, config, files)
                    if file.page.title != title:  # the title is in every page's navigation
                        return None
                doc_files = files.documentation_pages()
                for path in changed:
                    file = files.get_file_from_path(path)
                    html[file.dest_uri] = self._render(file, doc_files)
                for file in doc_files:  # a changed page may have lost an anchor another page links to
                    file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
            except TimeUp as exc:
                raise self.plugin.timed_out(exc, None, self.labels[0], self.labels[1]) from None
            except MkDocsException as exc:
                problems = _problems(collected.records, *self.labels, set(pages)) or [
                    problem("E601", self.labels[0], detail=str(exc), fix="检查 mkdocs.yml 和 site/ 里的手写页面")]
                raise WuguError(problems) from None
            finally:
                self.plugin.stop_reading()
            if collected.records:
                raise WuguError(_problems(collected.records, *self.labels, set(pages)))
        index = self._search_index(doc_files)
        out = Path(out_dir)
        for uri, data in html.items():
            _write(out / uri, data)
        for uri, text in changed_assets.items():
            _write(out / uri, text.encode("utf-8"))
        written = [*html]
        if changed:
            _write(out / "search" / "search_index.json", index.encode("utf-8"))
            _write(out / "search" / "search_index.js", f"var __index = {index}".encode("utf-8"))  # offline plugin
            written += ["search/search_index.json", "search/search_index.js"]
        self.plugin.generated = pages
        self.handbook, self.assets = handbook, assets
        self.broken = False
        return Update(pages=changed, files=written + list(changed_assets), seconds=time.perf_counter() - started)

    def _render(self, file: File, doc_files: Any) -> bytes:
        """One page through the theme as mkdocs' ``_build_page`` does it, with its search entries replaced."""
        config, nav, page = self.config, self.plugin.nav, file.page
        entries = self.search_index.entries
        before = len(entries)
        config._current_page = page
        try:
            page.active = True
            context = get_context(nav, doc_files, config, page)
            template = self.plugin.env.get_template(page.meta.get("template", "main.html"))
            context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
            output = template.render(context)
            output = config.plugins.on_post_page(output, page=page, config=config)
        finally:
            page.active = False
            config._current_page = None
        fresh = entries[before:]
        del entries[before:]
        self.page_entries[page.url] = fresh
        return output.encode("utf-8", errors="xmlcharrefreplace")

    def _search_index(self, doc_files: Any) -> str:
        """The search index as the search plugin writes it: entries page by page, in build order."""
        idx = self.search_index
        idx.entries = [e for f in doc_files for e in self.page_entries.get(f.page.url, [])]
        return idx.generate_search_index(None)


def _write(path: Path, data: bytes) -> None:
    """Replace one file in one step (a browser never reads half a page)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.wugu-tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def group_entries(entries: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Search index entries by the page they belong to (the location before ``#``)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        out.setdefault(str(e["location"]).partition("#")[0], []).append(e)
    return out



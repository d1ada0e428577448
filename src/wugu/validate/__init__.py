"""Checking a handbook project in phases: each file against its schema, then across files, then privacy."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..bank import parse_ref
from ..errors import Problem, WuguError
from ..loader import MAX_BYTES, Document, load_file
from ..model import Handbook, build_handbook, review_fact_values
from .. import facts as _facts
from ..project import SourceFile, find_root, is_edition, source_files, walk
from ..resources import base_dir
from .keys import check_keys
from .facts import check_facts, check_pass_rule
from .overrides import check_overrides
from .privacy import check_privacy, check_published_files, check_resolved
from .guides import check_guides
from .keywords import check_keywords
from .questions import check_coverage, check_options_distinct, check_questions, check_reviews
from .balance import check_balance
from .refs import check_references
from .schema import check_document
from .limits import check_limits
from .pages import check_pages
from .links import check_links, check_not_files
from .siteconfig import check_site_config, docs_dir, docs_path
from .glyphs import check_glyphs


@dataclass
class Report:
    """What a check found: problems, counts of content, how many files were read and how long it took."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # W-codes: shown, exit 0 unless --strict
    files: int = 0
    seconds: float = 0.0
    handbook: Handbook | None = None
    review_handbook: Handbook | None = None  # the handbook with the base's facts: what question reviews fingerprint
    notices: list[str] = field(default_factory=list)
    base_changes: Any = None  # an edition: wugu.edition.Changes, what moved in the base since it was recorded

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    @property
    def counts(self) -> dict[str, int]:
        """How many regulations, norms, forms and packs the (valid) handbook holds."""
        h = self.handbook
        if h is None:
            return {}
        return {"regulations": len(h.regulations), "norms": len(h.norms), "forms": len(h.forms), "packs": len(h.packs),
                "guides": len(h.guides),
                "questions": len(h.questions), "scenarios": sum(q.type == "scenario" for q in h.questions),
                "red_line_questions": sum(q.red_line for q in h.questions),
                "guide_questions": sum(any(parse_ref(t).guide for t in q.tests) for q in h.questions)}

    @property
    def exit_code(self) -> int:
        """0 clean, 1 content problems, 2 usage problems."""
        if any(p.is_usage for p in self.problems):
            return 2
        return 1 if self.problems else 0

    @property
    def placeholders(self) -> list[Problem]:
        """Warnings about placeholder text: ``wugu build`` refuses to publish them unless ``--draft``."""
        return [w for w in self.warnings if w.code == "W303"]

    def strict(self) -> Report:
        """The same report with every warning counted as an error (``wugu check --strict``)."""
        return replace(self, problems=self.problems + [replace(w, strict=True) for w in self.warnings], warnings=[])


class DocumentCache:
    """What reading and schema-checking each file gave last time, keyed by the file's exact bytes.

    ``wugu serve`` keeps one across rebuilds: a file whose bytes did not change is not parsed or checked again
    (parsing and the schema check are most of the time ``wugu check`` takes). The cross-file checks always run
    on all documents. Cached documents are shared, never changed by the checks or the model.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str, bool], tuple[bytes, Document | None, list[Problem]]] = {}

    def load(self, f: SourceFile) -> tuple[Document | None, list[Problem]]:
        """The document of ``f`` (None when it has problems) and its problems, parsed again only when it changed."""
        key = (str(f.path), f.display, f.kind, f.local)
        try:
            raw = f.path.read_bytes() if f.path.stat().st_size <= MAX_BYTES else None
        except OSError:
            raw = None
        hit = self._entries.get(key)
        if raw is not None and hit is not None and hit[0] == raw:
            return hit[1], hit[2]
        doc, problems = _load_checked(f)
        if raw is not None:
            self._entries[key] = (raw, doc, problems)
        return doc, problems

    def documents(self) -> list[Document]:
        """The documents the cache holds (to recognise them)."""
        return [doc for _raw, doc, _problems in self._entries.values() if doc is not None]


#: The installed base's files, read and schema-checked once per process for every edition that reads them
#: (``wugu build --editions`` checks many editions, all on the same base).
_BASE_DOCS = DocumentCache()


def _load_checked(f: SourceFile) -> tuple[Document | None, list[Problem]]:
    try:
        doc = load_file(f.path, f.display)
    except WuguError as exc:
        return None, exc.problems
    doc.local = f.local
    found = check_document(doc, f.kind)
    return (None, found) if found else (doc, [])


def load_documents(root: Path, kinds: frozenset[str] | None = None, cache: DocumentCache | None = None
                   ) -> tuple[list[tuple[str, Document]], list[Problem], int]:
    """Load and schema-check every file (or only those of ``kinds``); returns the clean documents, the problems, and
    the file count. With a ``cache``, files whose bytes did not change since the last call are not read again."""
    docs: list[tuple[str, Document]] = []
    problems: list[Problem] = []
    files = [f for f in source_files(root) if kinds is None or f.kind in kinds]
    too_many = _too_many(root, files)
    if too_many is not None:
        return [], [too_many], len(files)
    inside = (root.resolve(), base_dir().resolve())
    shared = cache is None and is_edition(root)
    for f in files:
        real = f.path.resolve()
        if not any(real == r or r in real.parents for r in inside):
            continue  # a link out of the project: never read, reported by check_links
        if cache is not None:
            doc, found = cache.load(f)
        elif shared and not f.local and inside[1] in real.parents:  # the base, as every other edition reads it
            doc, found = _BASE_DOCS.load(f)
        else:
            doc, found = _load_checked(f)
        if doc is None:
            problems += found
        else:
            docs.append((f.kind, doc))
    return docs, problems, len(files)


#: Most content files a project may have, and most bytes they may hold together (the base has about 70 files,
#: 400 KB; an edition adds its own): beyond this the check stops before parsing anything (E122).
MAX_FILES = 1000
MAX_TOTAL_BYTES = 32 * 1024 * 1024


def _too_many(root: Path, files: list[SourceFile]) -> Problem | None:
    """E122 when the project holds more content files, or more bytes of them, than a handbook ever needs."""
    from ..errors import problem
    from ..project import display_path

    if len(files) > MAX_FILES:
        return problem("E122", display_path(root), what=f"{len(files)} 个 YAML 文件", limit=f"{MAX_FILES} 个")
    total = 0
    for f in files:
        try:
            total += f.path.stat().st_size
        except OSError:
            continue
    if total > MAX_TOTAL_BYTES:
        return problem("E122", display_path(root), what=f"YAML 文件一共 {total // 2**20} MB",
                       limit=f"{MAX_TOTAL_BYTES // 2**20} MB")
    return None


#: The privacy scan of each shared base document (see ``_BASE_DOCS``): id → (document, problems).
_BASE_SCANS: dict[int, tuple[Document, list[Problem]]] = {}


def _privacy(docs: list[tuple[str, Document]]) -> list[Problem]:
    """:func:`check_privacy`, each shared base document scanned once per process."""
    shared = {id(doc) for doc in _BASE_DOCS.documents()}
    problems: list[Problem] = []
    for kind, doc in docs:
        if id(doc) not in shared:
            problems += check_privacy([(kind, doc)])
            continue
        if id(doc) not in _BASE_SCANS or _BASE_SCANS[id(doc)][0] is not doc:
            _BASE_SCANS[id(doc)] = (doc, check_privacy([(kind, doc)]))
        problems += _BASE_SCANS[id(doc)][1]
    return problems


def _files(folder: Path, too_deep: list[Path] | None = None) -> list[Path]:
    """Every file under ``folder`` without following links (links are checked on their own); folders nested more
    than :data:`~wugu.project.MAX_FOLDER_DEPTH` deep are added to ``too_deep``, not entered."""
    if not folder.is_dir():
        return []
    return sorted(Path(d, name) for d, _dirs, names in walk(folder, too_deep) for name in names)


def _too_deep(root: Path, folder: Path) -> Problem:
    from ..errors import problem
    from ..project import MAX_FOLDER_DEPTH, display_path

    try:
        shown = folder.relative_to(root).as_posix()
    except ValueError:
        shown = display_path(folder)
    return problem("E213", shown[:200] + ("…" if len(shown) > 200 else ""), name=shown[:80] + "…",
                   what=f"所在的目录层次超过 {MAX_FOLDER_DEPTH} 层，wugu 不往下读，也不会发布",
                   fix="把里面的文件移到浅一些的目录里（网站的目录一般只有两三层），删掉多余的空目录")


def check(directory: str | Path = ".", cache: DocumentCache | None = None) -> Report:
    """Run every phase on a project folder. Later phases run only when the earlier ones are clean.

    ``cache`` (see :class:`DocumentCache`) skips parsing files that did not change since the last check."""
    started = time.perf_counter()
    try:
        root = find_root(directory)
    except WuguError as exc:
        return Report(Path(directory), exc.problems)
    report = Report(root)
    site_config, site_problems = check_site_config(root)
    docs, report.problems, report.files = load_documents(root, cache=cache)
    report.problems += site_problems + check_links(root, docs_path(root, site_config)) + check_not_files(root)
    if not report.problems:
        report.problems = check_references(docs) + check_limits(docs) + check_keys(docs)
        report.problems += check_guides(docs)
        report.problems += check_keywords(docs)
        report.problems += check_overrides(docs) if not report.problems else []
        report.problems += check_questions(docs) if not report.problems else []
        report.problems += check_facts(docs)
        report.problems += _privacy(docs)
        report.problems += check_glyphs(docs)  # W375: characters the PDFs would print as boxes
        deep: list[Path] = []
        pages = _files(docs_dir(root, site_config), deep)
        report.problems += [_too_deep(root, d) for d in deep[:1]]
        report.problems += check_published_files(root, [root / "mkdocs.yml", *pages])
        report.problems += check_pages(root, pages, site_config)
        if not any(p.code in ("E218", "E219", "E313") for p in report.problems):  # facts fill in to a sane size
            report.problems += check_resolved(docs)  # numbers glued from facts, as the pages show them
            report.problems += check_pass_rule(docs)  # the exam's pass mark, stated in a fact: 1–100 of 100
        report.problems, report.warnings = _split(report.problems)
    if not report.problems:
        triples = [(kind, doc.data, doc.local) for kind, doc in docs]
        handbook = build_handbook(triples)
        values, own = review_fact_values(triples), _facts.table([(k, d) for k, d, _ in triples])
        report.review_handbook = handbook if values == own else build_handbook(triples, fact_values=values)
        phones = {_facts.resolve(own[n], own): _facts.resolve(values[n], values)  # an edition's own phone numbers
                  for n in _facts.PROFILE_FACTS if n in own and own[n] != values.get(n)}
        errors, warnings = _split(check_coverage(docs, handbook)
                                  + check_reviews(docs, report.review_handbook, handbook, phones)
                                  + check_balance(docs, handbook) + check_options_distinct(docs, handbook))
        report.problems += errors
        from ..records.publish import record_files_inside  # filled records are never published (as wugu build)

        report.problems += record_files_inside(root, handbook, docs_path(root, site_config))
        # W-codes (a rule changed since a question was reviewed, …) are warnings: shown, and errors only with --strict
        report.warnings += warnings
    if not report.problems:
        report.handbook = handbook
        if is_edition(root):
            report.handbook, notes, report.base_changes = _with_base_changes(root, report.handbook, docs)
            report.notices += notes
    report.seconds = time.perf_counter() - started
    return report


def _split(found: list[Problem]) -> tuple[list[Problem], list[Problem]]:
    """Errors and warnings apart: a phase may return both (see ``Problem.severity``)."""
    return [p for p in found if p.severity == "error"], [p for p in found if p.severity == "warning"]


def _with_base_changes(root: Path, edition: Handbook,
                       docs: list[tuple[str, Document]]) -> tuple[Handbook, list[str], Any]:
    """For an edition: record unreviewed base changes in the model, and say so when the base moved on."""
    from ..edition import changes

    base = build_handbook([("profile" if kind == "base_profile" else kind, doc.data, False)
                           for kind, doc in docs if not doc.local and kind != "profile"])
    found = changes(root, edition, base)
    edition = replace(edition, base_changes=found.items)
    if not found.any:
        return edition, [], found
    recorded = found.recorded_version or "（未记录）"
    notes = [f"提示：基础版已有更新（本地版记录的是 {recorded}，现在安装的是 {found.installed_version}，"
             f"{len(found.items)} 处改动）。运行 wugu changes 查看，核对后运行 wugu changes --accept 记录。"]
    review = [c for c in found.items if c.overridden]
    if review:
        notes.append("提示：本地改写过的条款在基础版里也改了，请复核：" + "、".join(f"{c.title}" for c in review))
    return edition, notes, found


def _warning(p: Problem) -> str:
    """A warning as one line, like a problem line but marked ``warning`` (it does not change the exit code)."""
    return f"{p.location()}: warning {p.code}: {p.message} — {p.fix}"


def load_handbook(directory: str | Path = ".") -> Handbook:
    """The validated handbook of a project folder, or :class:`WuguError` with every problem found."""
    report = check(directory)
    if report.handbook is None:
        raise WuguError(report.problems)
    return report.handbook

"""Many editions at once (``wugu build --editions``): a city's own edition and those of its counties and townships,
each with its own name on every PDF, the shared forms, regulations and packs laid out only once.

How (see :mod:`wugu.render.stamp` for the PDF side):

1. **Find** the editions: every folder with a ``wugu.yml`` under a folder, or the folders a list file names
   (one a line; ``#`` starts a comment). Each is checked as ``wugu check`` would (the installed base is read once
   for all of them).
2. **Group** them by content: editions that differ only in their names and contacts share one set of *bodies*
   (each form, regulation and pack rendered once, without the name). An edition that changes content in
   ``local/overrides.yml`` or adds its own forms gets its own bodies.
3. **Stamp** each edition: its names and footers in one small document, drawn over the shared bodies.

Bodies are cached by content (``build/.cache/editions/bodies``), stamp documents by what they print, and every
stamped file is reused from the last output when its body and its stamp are unchanged: a changed form renders one
body again and stamps again only the files that print it. An edition that fails (check or build) is reported by
name with its problems; the others are written, the failed one keeps its previous PDFs, and the exit code is 1.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from .errors import Problem, WuguError, problem
from .escape import file_name
from .output import atomic_dir, check_output_dir, inside
from .project import PROFILE, display_path, walk

#: A file in every folder ``wugu build --editions`` wrote (only such a folder is ever replaced).
MARKER = ".wugu-editions"
#: What each stamped file was made from (to reuse it next time), inside the output folder.
MANIFEST = ".wugu-editions.json"
#: Default output, and the cache beside it, relative to the editions folder (or the list file's folder).
OUT = Path("build") / "editions"
CACHE = Path("build") / ".cache" / "editions"
#: Folders never searched for editions.
_SKIP = {"build", "local", "site", "records", "node_modules", "__pycache__"}

Echo = Callable[[str], Any]


@dataclass(frozen=True)
class Source:
    """One edition to build: its folder, its output folder's name (relative), where it was named."""

    root: Path
    name: str
    where: str  # a list file's ``path:line``, or the folder as shown
    inside: bool = True  # False: a list line naming a folder outside the list's folder (refused, never read)


@dataclass
class Outcome:
    """What became of one edition."""

    source: Source
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None  # what went wrong while making its PDFs (not a problem of its content)
    files: int = 0
    reused: int = 0
    kept_previous: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and self.error is None


@dataclass
class EditionsResult:
    """What ``wugu build --editions`` made."""

    out_dir: Path
    outcomes: list[Outcome]
    groups: int
    alone: int
    seconds: float

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def files(self) -> int:
        return sum(o.files for o in self.outcomes)


# ---- finding the editions --------------------------------------------------------------------------------------

def find_editions(source: Path) -> tuple[Path, list[Source], list[Outcome]]:
    """The editions named by ``source`` (a folder of edition folders, or a list file): (the folder the output and
    cache go beside, the editions, editions that could not even be found — each with its problem)."""
    source = Path(source)
    if source.is_dir():
        base = source.resolve()
        found = []
        for folder, dirs, names in walk(base):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP)
            here = Path(folder)
            if PROFILE in names and here != base:
                found.append(here)
        if not found:
            raise WuguError([problem("E410", display_path(source), source=display_path(source))])
        return base, [Source(p, p.relative_to(base).as_posix(), display_path(p)) for p in found], []
    if not source.is_file():
        raise WuguError([problem("E502", str(source), folder=str(source))])
    return _read_list(source)


def _read_list(path: Path) -> tuple[Path, list[Source], list[Outcome]]:
    base = path.resolve().parent
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "不是 UTF-8 编码" if isinstance(exc, UnicodeDecodeError) else (exc.strerror or str(exc))
        raise WuguError([problem("E416", display_path(path), file=display_path(path), reason=reason)]) from None
    sources, bad = [], []
    for n, raw in enumerate(text.splitlines(), 1):
        entry = raw.split("#", 1)[0].strip()
        if not entry:
            continue
        where = f"{display_path(path)}:{n}"
        folder = (base / entry).resolve()
        try:
            name = folder.relative_to(base).as_posix()
        except ValueError:
            name = folder.name
        src = Source(folder, name, where)
        outside = _outside(entry, folder, base)
        if outside is not None:
            bad.append(Outcome(Source(folder, entry, where, inside=False), [problem("E411", display_path(path), n, 1, entry=entry, n=n, what=outside,
                                             fix="清单只能写清单文件所在目录里面的地方版目录（相对路径，例如 "
                                                 "清河县/）；别处的地方版，把清单放到它们共同的上级目录里")]))
        elif not folder.is_dir():
            bad.append(Outcome(src, [problem("E411", display_path(path), n, 1, entry=entry, n=n,
                                             what="不存在或不是目录", fix="改正目录名（相对于清单文件所在的目录）")]))
        elif not (folder / PROFILE).is_file():
            bad.append(Outcome(src, [problem("E411", display_path(path), n, 1, entry=entry, n=n,
                                             what=f"里没有 {PROFILE}，不是手册目录",
                                             fix="写地方版的目录（用 wugu init 建立的那一层）")]))
        else:
            sources.append(src)
    if not sources and not bad:
        raise WuguError([problem("E410", display_path(path), source=display_path(path))])
    return base, sources, bad


def _outside(entry: str, folder: Path, base: Path) -> str | None:
    """Why a list line may not name ``folder`` (it must be inside the list's own folder ``base``, symbolic links
    followed), or None. A list committed with a change must not pull another project on the machine into the
    output."""
    if Path(entry).is_absolute() or entry.startswith("\\") or entry[1:2] == ":":  # also C:\… and \\server
        return "是绝对路径，会读到清单所在目录以外的地方"
    if folder == base:
        return "是清单文件所在的目录本身，不是其中的一本地方版"
    if base not in folder.parents:
        return "不在清单文件所在的目录里面（用了 .. 或指向别处的链接）"
    return None


def _check_names(sources: list[Source]) -> None:
    """Every edition's output folder must be a plain, distinct name (E412, exit 2)."""
    seen: dict[str, Source] = {}
    for s in sources:
        parts = s.name.split("/")
        try:
            for part in parts:
                file_name(part)
        except ValueError:
            raise WuguError([problem("E412", s.where, name=s.name, other="", what="不能用作输出目录名",
                                     fix="把这个地方版的目录改成普通的名字（不用 . 开头，不含 / \\ : * ? \" < > |）")]) \
                from None
        key = s.name.casefold()
        if key in seen:
            raise WuguError([problem("E412", s.where, name=s.name, other=seen[key].where,
                                     what=f"和 {seen[key].where} 的输出目录同名", fix="给其中一个目录改个名字")])
        seen[key] = s


# ---- checking (in parallel) -----------------------------------------------------------------------------------

def _check_one(job: tuple[Path, bool, bool]) -> tuple[list[Problem], str | None, tuple[str, str | None], bool]:
    """Check one edition as ``wugu build`` checks a project: (problems, body key, (name, site), stampable).
    ``job``: (its folder, draft, strict). Unless ``draft``, placeholder text (W303) stops it; ``strict``: every
    warning does."""
    from .render.stamp import body_key, stampable
    from .validate import check

    root, draft, strict = job
    report = check(root)
    if report.handbook is None:
        return report.problems or [problem("E501", display_path(root), missing=PROFILE)], None, ("", None), False
    refused = report.warnings if strict else [] if draft else report.placeholders
    if refused:
        return [replace(w, strict=True) for w in refused], None, ("", None), False
    h = report.handbook
    return [], body_key(h), (h.profile.name, h.profile.site_url), stampable(h)


def _pool_map(fn: Callable[[Any], Any], items: list[Any], progress: Callable[[int], None]) -> list[Any]:
    """``fn`` over ``items`` in up to two forked processes (in order), calling ``progress`` with the count done."""
    from .render.pdf import _workers

    n = _workers(len(items))
    if n < 2:
        out = []
        for i, item in enumerate(items, 1):
            out.append(fn(item))
            progress(i)
        return out
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(n) as pool:
        out = []
        for i, value in enumerate(pool.imap(fn, items, chunksize=max(1, min(8, len(items) // (4 * n)))), 1):
            out.append(value)
            progress(i)
        return out


# ---- stamping (in parallel) -----------------------------------------------------------------------------------

#: Set before forking: the groups' bodies, the output and cache folders, the previous manifest.
_JOB: dict[str, Any] = {}


def _stamp_one(item: tuple[str, str, tuple[str, str | None]]) -> tuple[str, dict[str, str], int, str, str | None]:
    """Stamp every file of one edition into the new output: (name, file → key, files reused, stamp cache entry,
    error)."""
    name, group, who = item
    bodies, builder, fonts = _JOB["groups"][group]
    entry = ""
    try:
        spec = bodies.spec(*who)
        salt = _JOB["salt"]
        entry = _stamp_entry(spec)
        keys = {f: hashlib.sha256(f"{salt}\0{_JOB['digests'][group][f]}\0{spec.key}\0{marks}".encode()).hexdigest()
                for f, (_body, marks) in bodies.files.items()}
        target = _JOB["tmp"] / name
        target.mkdir(parents=True, exist_ok=True)
        old = _JOB["manifest"].get(name, {})
        todo = set()
        reused = 0
        for f, key in keys.items():
            if old.get(f) == key and _link(_JOB["old"] / name / f, target / f):
                reused += 1
            else:
                todo.add(f)
        if todo:
            stamps = _stamp_doc(builder, spec, entry, fonts)
            for f, data in bodies.stamp(spec, stamps, todo).items():
                inside(target, f).write_bytes(data)
        return name, keys, reused, entry, None
    except Exception as exc:  # one edition failing must not stop the others
        return name, {}, 0, entry, f"{exc.__class__.__name__}: {exc}"


def _stamp_entry(spec: Any) -> str:
    """The stamp document's file name in the cache."""
    return hashlib.sha256((_JOB["salt"] + "\0" + spec.key).encode()).hexdigest() + ".pdf"


def _stamp_doc(builder: Any, spec: Any, entry: str, fonts: str) -> bytes:
    """The stamp document of ``spec``, from the cache when it was made before."""
    from .output import write_atomic
    from .render.stamp import stamp_document

    cache = _JOB["cache"] / "stamps" / entry
    try:
        return cache.read_bytes()
    except OSError:
        pass
    data = stamp_document(builder, spec, fonts)
    try:
        write_atomic(cache, data)
    except OSError:
        pass
    return data


def _link(src: Path, dst: Path) -> bool:
    """Reuse a file of the previous output (a hard link; a copy where links are not possible)."""
    try:
        if not src.is_file() or src.is_symlink():
            return False
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)
        return True
    except OSError:
        return False


def _salt(builder: Any) -> str:
    """What every stamped file depends on besides its body and its stamp: the versions, fonts and templates the
    builder's cache keys hold, and the stamping code."""
    from .render import stamp

    return hashlib.sha256(Path(stamp.__file__).read_bytes()).hexdigest() + "\0" + builder._salt


# ---- the whole build ------------------------------------------------------------------------------------------

def _placeholder(src: Source, p: Problem) -> Problem:
    """A placeholder in an edition's content (W303) said as the edition's: E417 with its file, line and key."""
    if p.code != "W303":
        return p
    return problem("E417", p.path, p.line, p.col, edition=src.name, key=p.args.get("key", "这一项"),
                   snippet=p.args.get("snippet", ""))


def build_editions(source: Path, out: Path | None = None, *, echo: Echo = print, draft: bool = False,
                   strict: bool = False) -> EditionsResult:
    """Build the PDFs of every edition named by ``source`` into ``out/<edition>/`` (default: ``build/editions``
    beside them). Raises :class:`WuguError` for usage problems (exit 2); failed editions are in the result.

    Each edition is checked as ``wugu build`` checks one project: placeholder text stops it unless ``draft``,
    any warning does with ``strict``."""
    from .render.pdf import PdfBuilder
    from .render.stamp import prepare_bodies
    from .validate import check

    started = time.perf_counter()
    base, sources, outcomes = find_editions(source)
    _check_names(sources + [o.source for o in outcomes if o.source.inside])
    out = (Path(out) if out is not None else base / OUT).resolve()
    check_output_dir(base, out, MARKER, str(OUT), projects=[s.root for s in sources])
    cache = base / CACHE  # (beside the editions even when the output goes elsewhere)
    total = len(sources)
    echo(f"检查 {total} 个地方版……")
    step = max(1, total // 10)
    checked = _pool_map(_check_one, [(s.root, draft, strict) for s in sources],
                        lambda i: echo(f"  已检查 {i}/{total}") if i % step == 0 or i == total else None)
    results: dict[str, Outcome] = {o.source.name: o for o in outcomes if o.source.inside}
    groups: dict[str, list[tuple[Source, str]]] = {}
    alone: list[Source] = []
    for src, (problems, key, who, stampable) in zip(sources, checked):
        results[src.name] = Outcome(src, [_placeholder(src, p) for p in problems])
        if problems:
            continue
        if stampable:
            groups.setdefault(key, []).append((src, who))
        else:
            alone.append(src)
    old_manifest = _read_manifest(out)
    new_manifest: dict[str, dict[str, str]] = {}
    used_bodies: set[str] = set()
    note = "wugu build --editions 生成的各地方版 PDF。每次会整个替换这个目录，请不要在里面放别的文件。"
    with atomic_dir(out, MARKER, note) as tmp:
        bodies_dir = tmp / ".bodies"
        prepared: dict[str, tuple[Any, Any]] = {}
        if groups:
            echo(f"排版共用的表格、制度和表格包：{len(groups)} 组内容……")
        for i, (key, members) in enumerate(groups.items()):
            first = members[0][0]
            report = check(first.root)
            if report.handbook is None:  # changed since it was checked
                for src, _t in members:
                    results[src.name].problems = report.problems
                continue
            began = time.perf_counter()
            try:
                bodies, builder = prepare_bodies(report.handbook, bodies_dir / str(i), cache / "bodies",
                                                 lambda msg: None)
            except WuguError:
                raise
            except Exception as exc:  # this content cannot be rendered: its editions fail, the others go on
                for src, _t in members:
                    results[src.name].error = f"{exc.__class__.__name__}: {exc}"
                continue
            used_bodies |= builder._used
            echo(f"  {i + 1}/{len(groups)}：{len(members)} 个地方版共用（{first.name} 等），"
                 f"用时 {time.perf_counter() - began:.1f} 秒")
            if bodies is None:
                alone += [src for src, _t in members]
                continue
            prepared[key] = (bodies, builder)
        for src in alone:  # built on their own: what a stamp cannot give them
            echo(f"单独生成：{src.where}")
            report = check(src.root)
            try:
                if report.handbook is None:
                    raise WuguError(report.problems)
                own = PdfBuilder(report.handbook, cache / "bodies")
                results[src.name].files = len(own.build(tmp / src.name))
                used_bodies |= own._used
            except WuguError as exc:
                if any(p.is_usage for p in exc.problems):
                    raise
                results[src.name].problems = exc.problems
            except Exception as exc:  # noqa: BLE001 - one edition failing must not stop the others
                results[src.name].error = f"{exc.__class__.__name__}: {exc}"
        items = [(src.name, key, who) for key, members in groups.items() if key in prepared
                 for src, who in members]
        for key, (bodies, builder) in list(prepared.items()):  # fonts cut and WeasyPrint set up before forking
            prepared[key] = (bodies, builder, bodies.fonts(builder, [t for _s, (t, _u) in groups[key]]))
            builder.engine._wp  # noqa: B018
        if items:
            echo(f"给 {len(items)} 个地方版加印各自的名称……")
            _JOB.update(groups=prepared, tmp=tmp, old=out, manifest=old_manifest, cache=cache, used=set(),
                        salt=_salt(next(iter(prepared.values()))[1]),
                        digests={k: {f: hashlib.sha256(b.data).hexdigest() for f, (b, _m) in v[0].files.items()}
                                 for k, v in prepared.items()})
            step = max(1, len(items) // 10)
            stamped = _pool_map(_stamp_one, items, lambda i: echo(f"  已完成 {i}/{len(items)}")
                                if i % step == 0 or i == len(items) else None)
            _prune(cache / "stamps", {entry for _n, _k, _r, entry, _e in stamped})
            for name, keys, reused, _entry, error in stamped:
                if error:
                    results[name].error = error
                else:
                    new_manifest[name] = keys
                    results[name].files = len(keys)
                    results[name].reused = reused
        shutil.rmtree(bodies_dir, ignore_errors=True)
        for o in results.values():  # a failed edition keeps what it had
            if not o.ok and (out / o.source.name).is_dir() and not (tmp / o.source.name).exists():
                shutil.copytree(out / o.source.name, tmp / o.source.name, copy_function=_copy_or_link)
                o.kept_previous = True
                if o.source.name in old_manifest:
                    new_manifest[o.source.name] = old_manifest[o.source.name]
        (tmp / MANIFEST).write_text(json.dumps(new_manifest, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    _prune(cache / "bodies", used_bodies, nested=True)
    ordered = [results[s.name] for s in sources] + [o for o in outcomes]
    return EditionsResult(out, ordered, len(prepared), len(alone), time.perf_counter() - started)


def _copy_or_link(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _prune(folder: Path, keep: set[str], nested: bool = False) -> None:
    """Remove the cache entries of ``folder`` this build did not use (``keep``: their names, or their full paths
    for the ``nested`` cache of a PDF builder)."""
    if not folder.is_dir():
        return
    for p in folder.glob("*/*.pdf" if nested else "*.pdf"):
        if (str(p) if nested else p.name) not in keep:
            try:
                p.unlink()
            except OSError:
                pass


def _read_manifest(out: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}

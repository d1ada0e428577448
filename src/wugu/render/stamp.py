"""Stamping: the forms, regulations and packs laid out once for many editions, each edition's name added on top.

A city keeps one edition per county and township (169 of them): the same forms and regulations, each printed with
its own group's name in the footer of every page and on the pack covers. Laying every edition out anew costs
4–5 s each. Instead:

1. **Body** (:class:`BodyBuilder`): the PDFs rendered from :func:`body_handbook` — the edition's content with the
   group's name left out (the footer's left box empty, the cover's name lines blank). Editions whose content is
   the same have the same body handbook, so they share one body, rendered once.
2. **Stamp** (:func:`stamp_document`): per edition one small WeasyPrint document: a page per part (form,
   regulation, red lines) that holds only that part's footer, with the same text, box and page as when the
   edition is built on its own; and per pack its cover, with everything but the group's name hidden.
3. **Merge** (:func:`stamp_pdf`): each stamp page becomes a form XObject drawn over the body pages it belongs to,
   appended to the body's bytes as an incremental update (new page dictionaries, the XObjects and their fonts,
   the document information with the group's name): the body is copied, never parsed and written again.

Every page of a stamped PDF looks exactly like the same page of the edition built on its own (the tests compare
them as images) and its text reads the same (``pdftotext`` finds the group's name).
"""
from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass, field, replace
from functools import cached_property
from io import BytesIO
from typing import Any, Callable

from markupsafe import escape

from ..escape import css_string
from ..model import Contact, Form, Handbook, Pack, Profile
from .pdf import PdfBuilder, Part, _fillable, has_real_site

#: What the PDFs print of the profile besides the name (the body keeps these — of the site only whether there is
#: one: its QR codes are stamped; anything else is left out so that editions differing only in contacts, parents,
#: short names or sites share their bodies).
BODY_PROFILE_FIELDS = ("content_version", "effective_date", "site_url")
#: The site of every body whose editions have one (their forms print a QR code, left blank in the body).
QR_SITE = "https://stamp.wugu.cn/"
#: The QR code in a body: nothing to see, in the box of the real one (whose size the stylesheet sets).
BLANK_QR = "data:image/svg+xml," + "%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'/%3E"
#: A group name longer than this may take a second line at the foot of a pack's cover; such an edition is built
#: on its own (the cover's layout would depend on the name).
MAX_STAMPED_NAME = 36

_BOTTOM_LEFT = re.compile(r"@bottom-left\s*\{\s*content:\s*(\"(?:[^\"\\]|\\.)*\")\s*;\s*\}")
_COVER = re.compile(r"<section class=\"cover\">.*?</section>", re.S)


def body_handbook(handbook: Handbook) -> Handbook:
    """The handbook as its bodies are printed: the content, and of the profile only what the PDFs print besides
    the group's name. Two editions with equal body handbooks share every body."""
    p = handbook.profile
    profile = Profile(name="", short_name="", level="", parent=None, contact=Contact(),
                      site_url=QR_SITE if has_real_site(p.site_url) else None,
                      content_version=p.content_version, effective_date=p.effective_date)
    return Handbook(profile=profile, regulations=handbook.regulations, sections=handbook.sections,
                    forms=handbook.forms, packs=handbook.packs, vocabs=handbook.vocabs, glossary=handbook.glossary,
                    guides=handbook.printed_guides)  # (with an edition's facts: its phone numbers are on its card)


def body_key(handbook: Handbook) -> str:
    """A digest of the body handbook: editions with the same key share their bodies."""
    return hashlib.sha256(repr(body_handbook(handbook)).encode("utf-8")).hexdigest()[:20]


def stampable(handbook: Handbook) -> bool:
    """True if the edition's PDFs can be made by stamping (else it is built on its own): no fillable form (those
    carry whole fonts of their own) and a name short enough to keep to one line at the foot of a cover."""
    return len(handbook.profile.name) <= MAX_STAMPED_NAME and not any(_fillable(f) for f in handbook.forms)


class BodyBuilder(PdfBuilder):
    """The PDF builder for bodies: every running footer's left box (the group's name and the part's title) is left
    empty; the stamp draws it."""

    def __init__(self, handbook: Handbook, *args: Any, **kwargs: Any):
        super().__init__(body_handbook(handbook), *args, **kwargs)

    def _margins(self, top_left: str, top_right: str, bottom_left: str) -> str:
        return super()._margins(top_left, top_right, "")

    def form_part(self, form: Form, fillable: bool = False) -> Part:
        return _no_footer(super().form_part(form, fillable))

    def regulation_part(self, reg: Any) -> Part:
        return _no_footer(super().regulation_part(reg))

    def red_lines_part(self) -> Part:
        return _no_footer(super().red_lines_part())

    def guide_part(self, guide: Any) -> Part:
        return _no_footer(super().guide_part(guide))

    def qr_uri(self, form: Form) -> str | None:
        return BLANK_QR if has_real_site(self.profile.site_url) else None


def _no_footer(part: Part) -> Part:
    """``part`` without the footer's left box on the pages a pack turns (they draw header and footer apart)."""
    part.texts = (*part.texts[:2], "")
    return part


def qr_code(site_url: str | None, form: Form) -> str | None:
    """The QR code an edition with the site ``site_url`` prints on ``form`` (as :meth:`PdfBuilder.qr_uri`)."""
    from types import SimpleNamespace

    return PdfBuilder.qr_uri(SimpleNamespace(profile=SimpleNamespace(site_url=site_url)), form)  # type: ignore


# ---- the stamp document ---------------------------------------------------------------------------------------

_STAMP_CSS = """@page { @top-left { content: none; } @top-right { content: none; } @bottom-right { content: none; }
  @bottom-left { content: string(wugufoot); } }
.cover * { visibility: hidden; }
.cover .group, .cover .foot .name { visibility: visible; }
.stamp .qr div { visibility: hidden; }
"""
#: The caption beside a QR code (in the body; laid out, not drawn, in the stamp).
_QR_CAPTION = "扫码看说明"


@dataclass
class StampSpec:
    """An edition's stamp pages: the footer of each part (a CSS string, as in the edition's own page CSS), and
    the cover of each pack (its HTML section, the pack's page total filled in)."""

    name: str
    footers: dict[str, tuple[str, bool]] = field(default_factory=dict)  # part id → (CSS string, landscape)
    covers: dict[str, str] = field(default_factory=dict)  # pack id → <section class="cover">…</section>
    qrs: dict[str, str] = field(default_factory=dict)  # form id → its QR code (a data URI), on its first page
    #: the part pages to stamp: ``<part id>``, with ``:qr`` (a form's first page, with its QR code) and
    #: ``:turned`` (a landscape page in a pack: its footer drawn turned, where a portrait page has it)
    pages: tuple[str, ...] = ()

    @cached_property
    def order(self) -> list[str]:
        """Stamp page order: :attr:`pages`, then ``pack:<id>`` (the covers)."""
        return list(self.pages) + [f"pack:{k}" for k in self.covers]

    @cached_property
    def key(self) -> str:
        """A digest of everything the stamp prints."""
        return hashlib.sha256(repr((self.name, sorted(self.footers.items()), sorted(self.covers.items()),
                                    sorted(self.qrs.items()), self.pages)).encode("utf-8")).hexdigest()[:20]


def footer_string(part: Part) -> str | None:
    """The CSS string of a part's footer left box (``"<name>　<title>"``), as its page CSS has it."""
    m = _BOTTOM_LEFT.search(part.margins)
    return m.group(1) if m else None


def stamp_document(builder: PdfBuilder, spec: StampSpec, fonts: str | None = None) -> bytes:
    """The stamp pages of ``spec`` as one PDF (page order: :attr:`StampSpec.order`). ``fonts``: a font
    stylesheet that covers the stamp's text (one for many editions: the faces are cut and loaded once)."""
    from .pdf import _stamped

    rules, pages = [], []
    plan: list[tuple[int, int | None]] = []  # per stamp: its page, and the portrait page of a turned footer
    for k, key in enumerate(spec.pages):
        pid = key.split(":")[0]
        css, landscape = spec.footers[pid]
        head = (f'<header class="form-head has-qr"><div class="qr"><img src="{escape(spec.qrs[pid])}" alt="">'
                f'<div>扫码<br>看说明</div></div></header>') if ":qr" in key else ""
        rules.append(f"#s{k} {{ string-set: wugufoot {css}; }}")
        if ":turned" in key:  # the page as it is, then its footer laid out on a portrait page (as a pack does)
            pages += [f'<div class="stamp landscape">{head}</div>', f'<div class="stamp" id="s{k}"></div>']
            plan.append((len(pages) - 2, len(pages) - 1))
        else:
            pages.append(f'<div class="stamp{" landscape" if landscape else ""}" id="s{k}">{head}</div>')
            plan.append((len(pages) - 1, None))
    for cover in spec.covers.values():
        pages.append(cover)
        plan.append((len(pages) - 1, None))
    html = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>stamp</title></head><body>'
            + "".join(pages) + "</body></html>")
    if fonts is None:
        text = spec.name + "".join(c for c, _l in spec.footers.values()) + "".join(spec.covers.values())
        fonts = builder.fonts.stylesheet(text + builder.print_css + _QR_CAPTION)
    doc = builder.engine.layout(html, fonts + "\n" + _STAMP_CSS + "\n".join(rules))
    if len(doc.pages) != len(pages):
        raise ValueError(f"stamp pages: {len(doc.pages)} for {len(pages)}")
    done = [doc.pages[a] if b is None else _stamped(doc.pages[a], doc.pages[b], True) for a, b in plan]
    return doc.copy(done).write_pdf()  # no tags: marked content becomes artifacts (see StampPages.xobject)


# ---- merging: an incremental update -----------------------------------------------------------------------------
#
# Objects are turned into "chunks" once: PDF bytes, with a *key* wherever an object of the update is referred to
# (its number is known only per file). Writing a file then only joins chunks.

Chunks = list  # of bytes, and keys that stand for "<number> 0 R"

#: Placeholders in a body page: the stream that opens the page's own drawing, the one that closes it and draws the
#: stamp, and the stamp's XObject.
_OPEN, _DRAW, _XO = -1, -2, -3


_REF = re.compile(rb"(\d+) 0 R\b")
_OBJ = re.compile(rb"\s*\d+\s+\d+\s+obj\s*")
_LENGTH = re.compile(rb"/Length\s+(\d+)")


def _chunks(obj: Any, ref: Callable[[Any], Any], out: Chunks) -> None:
    """Append ``obj`` (a pypdf object) to ``out`` as PDF bytes; an indirect reference becomes ``ref(reference)``
    (bytes, or a key)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    if isinstance(obj, IndirectObject):
        out.append(ref(obj))
    elif isinstance(obj, DictionaryObject):
        out.append(b"<<")
        for k, v in obj.items():
            if isinstance(obj, StreamObject) and k == "/Length":
                continue
            out.append(_name(k) + b" ")
            _chunks(v, ref, out)
            out.append(b" ")
        if isinstance(obj, StreamObject):
            data = obj._data
            out.append(b"/Length %d>>\nstream\n" % len(data) + data + b"\nendstream")
        else:
            out.append(b">>")
    elif isinstance(obj, ArrayObject):
        out.append(b"[")
        for v in obj:
            _chunks(v, ref, out)
            out.append(b" ")
        out.append(b"]")
    else:
        buf = BytesIO()
        obj.write_to_stream(buf)
        out.append(buf.getvalue())


def _render(chunks: Chunks, numbers: dict[Any, int]) -> bytes:
    return b"".join(c if isinstance(c, bytes) else b"%d 0 R" % numbers[c] for c in chunks)


def _name(key: str) -> bytes:
    from pypdf.generic import NameObject

    out = BytesIO()
    NameObject(key).write_to_stream(out)
    return out.getvalue()


def _key(num: int) -> Any:
    """A placeholder reference (see ``_OPEN``, ``_DRAW``, ``_XO``)."""
    from pypdf.generic import IndirectObject

    return IndirectObject(num, 0, None)


def _stream(entries: bytes, data: bytes, compress: bool = True) -> bytes:
    if compress:
        data = zlib.compress(data, 6)
        entries += b"/Filter /FlateDecode"
    return b"<<" + entries + b"/Length %d>>\nstream\n" % len(data) + data + b"\nendstream"


class Body:
    """A PDF made by WeasyPrint, read lazily: only the trailer, the page tree and the objects asked for are parsed
    (pypdf parses every object of an object stream to reach one, and WeasyPrint puts thousands in one)."""

    def __init__(self, data: bytes):
        from pypdf import PdfReader

        self.data = data
        self.reader = PdfReader(BytesIO(data))
        self._streams: dict[int, tuple[bytes, int, list[int]]] = {}
        self._objects: dict[int, Any] = {}
        self._pages: dict[int, Chunks] = {}

    def obj(self, ref: Any) -> Any:
        """The object an indirect reference points to (anything else: itself). Do not change what it returns."""
        from pypdf.generic import IndirectObject, read_object

        if not isinstance(ref, IndirectObject):
            return ref
        num = ref.idnum
        if num in self._objects:
            return self._objects[num]
        if num not in self.reader.xref_objStm:
            found = self.reader.get_object(num)
        else:
            stm, index = self.reader.xref_objStm[num]
            if stm not in self._streams:
                stream = self.reader.get_object(stm)
                data, first = stream.get_data(), int(stream["/First"])
                self._streams[stm] = (data, first, [int(x) for x in data[:first].split()[1::2]])
            data, first, offsets = self._streams[stm]
            end = first + offsets[index + 1] if index + 1 < len(offsets) else len(data)
            found = read_object(BytesIO(data[first + offsets[index]:end]), self.reader)
        self._objects[num] = found
        return found

    def raw(self, num: int) -> tuple[bytes, bytes] | None:
        """Object ``num`` as it is written: (the part that may hold references, the stream that follows it if
        any); ``None`` if it is not written the way WeasyPrint writes objects."""
        from pypdf.generic import IndirectObject

        if num in self.reader.xref_objStm:
            self.obj(IndirectObject(num, 0, self.reader))  # (reads the object stream)
            stm, index = self.reader.xref_objStm[num]
            data, first, offsets = self._streams[stm]
            end = first + offsets[index + 1] if index + 1 < len(offsets) else len(data)
            return data[first + offsets[index]:end].strip(), b""
        offset = self.reader.xref.get(0, {}).get(num)
        m = _OBJ.match(self.data, offset) if offset is not None else None
        if m is None:
            return None
        start = m.end()
        end = self.data.find(b"endobj", start)
        stream = self.data.find(b"stream", start, end)
        if stream < 0:
            return self.data[start:end].strip(), b""
        head = self.data[start:stream].strip()
        length = _LENGTH.search(head)
        if length is None or _REF.search(head[length.start():]):
            return None
        begin = stream + 6 + (2 if self.data[stream + 6:stream + 8] == b"\r\n" else 1)
        return head, b"\nstream\n" + self.data[begin:begin + int(length.group(1))] + b"\nendstream"

    @cached_property
    def pages(self) -> list[tuple[int, Any]]:
        """(object number, dictionary) of every page, in order."""
        out: list[tuple[int, Any]] = []

        def walk(ref: Any) -> None:
            node = self.obj(ref)
            if node.get("/Type") == "/Pages":
                for kid in node.raw_get("/Kids"):
                    walk(kid)
            else:
                out.append((ref.idnum, node))

        walk(self.obj(self.reader.trailer.raw_get("/Root")).raw_get("/Pages"))
        return out

    @cached_property
    def prev(self) -> int:
        """Where the body's own cross-reference section starts."""
        at = self.data.rfind(b"startxref")
        return int(self.data[at + 9:].split()[0])

    def stamped_page(self, index: int) -> Chunks:
        """Page ``index`` drawing its own content, then the stamp (``_XO``), as a new page dictionary."""
        from pypdf.generic import ArrayObject, DictionaryObject, NameObject

        if index not in self._pages:
            _num, page = self.pages[index]
            resources = DictionaryObject(self.obj(page.raw_get("/Resources")))
            xo = DictionaryObject(self.obj(resources.raw_get("/XObject")) if "/XObject" in resources else {})
            xo[NameObject("/WuguStamp")] = _key(_XO)
            resources[NameObject("/XObject")] = xo
            raw = page.raw_get("/Contents")
            found = self.obj(raw)
            contents = list(found) if isinstance(found, ArrayObject) else [raw]
            entries = DictionaryObject(page)
            entries[NameObject("/Resources")] = resources
            entries[NameObject("/Contents")] = ArrayObject([_key(_OPEN), *contents, _key(_DRAW)])
            out: Chunks = []
            _chunks(entries, lambda r: r.idnum if r.idnum < 0 else b"%d 0 R" % r.idnum, out)
            self._pages[index] = out
        return self._pages[index]


class StampPages:
    """The pages of a stamp PDF as form XObjects, with the objects they use, ready to be copied into other PDFs."""

    def __init__(self, data: bytes):
        self.pdf = Body(data)
        self.objects: dict[int, tuple[Chunks, set[int]]] = {}  # object number → (chunks, numbers it refers to)
        self._xobjects: dict[int, tuple[Chunks, set[int]]] = {}

    def _copy(self, obj: Any) -> tuple[Chunks, set[int]]:
        refs: set[int] = set()
        out: Chunks = []

        def ref(r: Any) -> Any:
            refs.add(r.idnum)
            self._copy_raw(r.idnum)
            return ("s", r.idnum)

        _chunks(obj, ref, out)
        return out, refs

    def _copy_raw(self, num: int) -> None:
        """Object ``num`` (a font and what it refers to) as chunks of its own bytes: only its references are
        found and renumbered, nothing is parsed (fonts carry long arrays of glyph widths)."""
        if num in self.objects:
            return
        self.objects[num] = ([], set())  # (cycles)
        raw = self.pdf.raw(num)
        if raw is None:  # not in the shape WeasyPrint writes: the slow way
            from pypdf.generic import IndirectObject

            self.objects[num] = self._copy(self.pdf.obj(IndirectObject(num, 0, self.pdf.reader)))
            return
        head, tail = raw
        chunks: Chunks = []
        refs: set[int] = set()
        at = 0
        for m in _REF.finditer(head):
            n = int(m.group(1))
            chunks += [head[at:m.start()], ("s", n)]
            refs.add(n)
            at = m.end()
        chunks.append(head[at:] + tail)
        self.objects[num] = (chunks, refs)
        for n in refs:
            self._copy_raw(n)

    def closure(self, numbers: set[int]) -> set[int]:
        """The objects ``numbers`` refer to, directly or not, with themselves."""
        seen, todo = set(), list(numbers)
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo += self.objects[n][1]
        return seen

    def xobject(self, index: int) -> tuple[Chunks, set[int]]:
        """Stamp page ``index`` as a form XObject (chunks, objects it refers to): marked content that refers to the
        stamp's own structure tree becomes an artifact; only the fonts the page uses are kept."""
        from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject

        if index in self._xobjects:
            return self._xobjects[index]
        _num, page = self.pdf.pages[index]
        raw = page.raw_get("/Contents")
        found = self.pdf.obj(raw)
        parts = list(found) if isinstance(found, ArrayObject) else [raw]
        content = b"".join(self.pdf.obj(p).get_data() for p in parts)
        content = re.sub(rb"/[A-Za-z0-9]+\s*<<\s*/MCID\s+\d+\s*>>\s*BDC", b"/Artifact BMC", content)
        used = set(re.findall(rb"/([^\s/\[\]()<>{}]+)\s+[\d.]+\s+Tf", content))
        resources = DictionaryObject()
        for key, value in self.pdf.obj(page.raw_get("/Resources")).items():
            value = self.pdf.obj(value)
            if key == "/Font":
                value = DictionaryObject({NameObject(k): v for k, v in value.items()
                                          if k[1:].encode("latin-1") in used})
            resources[NameObject(key)] = value
        entries = DictionaryObject({NameObject("/Type"): NameObject("/XObject"),
                                    NameObject("/Subtype"): NameObject("/Form"),
                                    NameObject("/BBox"): ArrayObject(FloatObject(x) for x in page["/MediaBox"]),
                                    NameObject("/Resources"): resources})
        head, refs = self._copy(entries)
        data = zlib.compress(content, 6)
        chunks = head[:-1] + [b"/Filter /FlateDecode/Length %d>>\nstream\n" % len(data) + data + b"\nendstream"]
        self._xobjects[index] = (chunks, refs)
        return self._xobjects[index]


def stamp_pdf(body: Body, stamps: StampPages, page_stamps: list[int | None], author: str) -> bytes:
    """``body`` with stamp page ``page_stamps[i]`` drawn over its page ``i`` (``None``: left as it is) and
    ``author`` as the document's author, as an incremental update of the body's bytes: the body's bytes come
    first, unchanged; then the new objects, and a cross-reference stream pointing back to the body's."""
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    trailer = body.reader.trailer
    nxt = int(trailer.raw_get("/Size"))
    numbers: dict[Any, int] = {}

    def reserve(key: Any) -> int:
        nonlocal nxt
        numbers[key] = nxt
        nxt += 1
        return numbers[key]

    objects: dict[int, bytes] = {}
    used = sorted({s for s in page_stamps if s is not None})
    xobjects = {s: stamps.xobject(s) for s in used}
    needed = stamps.closure(set().union(*(refs for _c, refs in xobjects.values())))
    for n in sorted(needed):
        reserve(("s", n))
    for s in used:
        reserve(("x", s))
    for n in sorted(needed):
        objects[numbers["s", n]] = _render(stamps.objects[n][0], numbers)
    for s, (chunks, _refs) in xobjects.items():
        objects[numbers["x", s]] = _render(chunks, numbers)
    objects[reserve(_OPEN)] = _stream(b"", b"q\n", compress=False)
    objects[reserve(_DRAW)] = _stream(b"", b"Q\nq /WuguStamp Do Q\n", compress=False)
    for i, (num, _page) in enumerate(body.pages):
        if page_stamps[i] is not None:
            numbers[_XO] = numbers["x", page_stamps[i]]
            objects[num] = _render(body.stamped_page(i), numbers)
    info = DictionaryObject(body.obj(trailer.raw_get("/Info"))) if "/Info" in trailer else DictionaryObject()
    info[NameObject("/Author")] = TextStringObject(author)
    chunks: Chunks = []
    _chunks(info, lambda r: b"%d 0 R" % r.idnum, chunks)
    info_num = reserve("info")
    objects[info_num] = b"".join(chunks)
    ids = trailer.get("/ID")
    first = bytes(ids[0].original_bytes) if ids else hashlib.md5(body.data).hexdigest().encode()
    second = hashlib.md5(first + author.encode("utf-8")).hexdigest().encode()
    fields = b"/Root %d 0 R/Info %d 0 R/ID [<%s> <%s>]" % (trailer.raw_get("/Root").idnum, info_num,
                                                          first.hex().encode(), second.hex().encode())
    return _append(body.data, objects, nxt, fields, body.prev)


def _append(original: bytes, objects: dict[int, bytes], size: int, fields: bytes, prev: int) -> bytes:
    """``original`` with ``objects`` appended and a cross-reference stream (object ``size``) pointing back to
    ``prev``."""
    out = BytesIO()
    out.write(original)
    if not original.endswith(b"\n"):
        out.write(b"\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n")
    offsets[size] = out.tell()
    index: list[list[int]] = []
    rows = []
    for n in sorted(offsets):
        if index and index[-1][0] + index[-1][1] == n:
            index[-1][1] += 1
        else:
            index.append([n, 1])
        rows.append(b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00\x00")
    entries = b"/Type /XRef/Size %d/Index [%s]/W [1 4 2]/Prev %d" % (
        size + 1, b" ".join(b"%d %d" % (a, b) for a, b in index), prev) + fields
    out.write(b"%d 0 obj\n" % size + _stream(entries, b"".join(rows)) + b"\nendobj\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % offsets[size])
    return out.getvalue()


# ---- the bodies of a group of editions --------------------------------------------------------------------------

#: Stands for the group's name while the stamp texts are worked out (a private-use character no name has).
PROBE = "\ue000"


def part_ids(handbook: Handbook, pack: Pack) -> list[str]:
    """The parts of a pack in print order, by id (forms, regulations, ``red-lines``, guides)."""
    ids = [f.id for f in handbook.pack_forms(pack)] + [r.id for r in handbook.pack_regulations(pack)]
    if pack.red_lines and any(n.red_line for n in handbook.norms):
        ids.append("red-lines")
    return ids + list(pack.guide_ids)


def _part(builder: PdfBuilder, part_id: str) -> Part:
    if part_id == "red-lines":
        return builder.red_lines_part()
    if part_id in {f.id for f in builder.handbook.forms}:
        return builder.form_part(builder.handbook.form(part_id))
    if part_id in {g.id for g in builder.handbook.guides}:
        return builder.guide_part(builder.handbook.guide(part_id))
    return builder.regulation_part(builder.handbook.regulation(part_id))


def pack_layout(pack_pages: int, part_pages: list[int]) -> list[int] | None:
    """Which part each page of a pack prints: the cover (``-1``), its contents (``-2``), part ``i``, or a page
    left blank (``-3``). ``None`` if the pages do not add up (then the pack is not stamped)."""
    body = sum(n + n % 2 for n in part_pages)
    cover = pack_pages - body
    if cover < 2 or cover % 2:
        return None
    pages = [-1] + [-2] * (cover - 1)
    for i, n in enumerate(part_pages):
        pages += [i] * n + [-3] * (n % 2)
    return pages


@dataclass
class BodySet:
    """The bodies a group of editions shares, and what stamping them needs: per file its body and the stamp of each
    page (a part id, ``pack:<id>`` for a cover, ``None``); the footers and covers with :data:`PROBE` for the name."""

    files: dict[str, tuple[Body, list[str | None]]]
    footers: dict[str, tuple[str, bool]]
    covers: dict[str, str]
    qr_forms: list[Form] = field(default_factory=list)  # forms whose first page carries a QR code

    @cached_property
    def pages(self) -> tuple[str, ...]:
        """Every part page stamp the files use (see :attr:`StampSpec.pages`)."""
        marks = {m for _body, marks in self.files.values() for m in marks if m and not m.startswith("pack:")}
        return tuple(sorted(marks))

    def fonts(self, builder: PdfBuilder, names: list[str]) -> str:
        """One font stylesheet for the stamps of every edition called one of ``names``, its faces cut now (before
        the work is shared out between processes)."""
        text = "".join(names) + "".join(c for c, _l in self.footers.values()) + "".join(self.covers.values())
        stylesheet = builder.fonts.stylesheet(text + builder.print_css + _QR_CAPTION)
        builder.fonts.blobs_for(stylesheet)
        return stylesheet

    def spec(self, name: str, site_url: str | None = None) -> StampSpec:
        """The stamp pages of the edition called ``name`` (with the site ``site_url``)."""
        css, html = css_string(name), str(escape(name))
        qrs = {f.id: qr_code(site_url, f) for f in self.qr_forms}
        if any(v is None for v in qrs.values()):
            raise ValueError("an edition without a site in a group of editions with one")
        return StampSpec(name, {k: (v.replace(PROBE, css), wide) for k, (v, wide) in self.footers.items()},
                         {k: v.replace(PROBE, html) for k, v in self.covers.items()}, qrs,  # type: ignore[arg-type]
                         self.pages)

    def stamp(self, spec: StampSpec, stamps: bytes, only: set[str] | None = None) -> dict[str, bytes]:
        """Every file (or those in ``only``) of the edition of ``spec``, stamped with ``stamps`` (the PDF that
        :func:`stamp_document` made for ``spec``)."""
        pages = StampPages(stamps)
        order = {k: i for i, k in enumerate(spec.order)}
        return {file: stamp_pdf(body, pages, [None if s is None else order[s] for s in marks], spec.name)
                for file, (body, marks) in self.files.items() if only is None or file in only}


def prepare_bodies(handbook: Handbook, out_dir: Any, cache_dir: Any = None,
                   progress: Any = None) -> tuple[BodySet | None, PdfBuilder]:
    """Render the bodies of ``handbook``'s PDFs into ``out_dir`` (from ``cache_dir`` when unchanged) and work out
    where an edition's name goes. The set is ``None`` if this content cannot be stamped (the name would appear
    where no stamp reaches); its editions are then built on their own. Also returns the body builder (its cache
    entries, its fonts)."""
    from pathlib import Path

    from ..paths import form_pdf, guide_pdf, pack_pdf

    out_dir = Path(out_dir)
    bb = BodyBuilder(handbook, cache_dir, progress)
    h = bb.handbook
    probe = PdfBuilder(replace(h, profile=replace(h.profile, name=PROBE)), fonts=bb.fonts)
    ids = [f.id for f in h.forms] + [g.id for g in h.printed_guides]
    for pack in h.packs:
        ids += [i for i in part_ids(h, pack) if i not in ids]
    footers: dict[str, tuple[str, bool]] = {}
    for pid in ids:
        part = _part(probe, pid)
        css = footer_string(part)
        if css is None or PROBE not in css or PROBE in part.html.split("</head>", 1)[-1] \
                or PROBE in part.margins.replace(css, ""):
            return None, bb
        footers[pid] = (css, part.landscape)
    form_ids = {f.id for f in h.forms}
    others = {i: _part(bb, i) for i in ids if i not in form_ids}
    bb.render_parts([(p, False) for p in others.values()])  # regulations, red lines: their pages in a pack
    bb.build(out_dir)  # (and closes the process pool that render_parts may have opened)
    pages: dict[str, int] = {}
    files: dict[str, tuple[Body, list[str | None]]] = {}
    qr_forms = [f for f in h.forms if bb.qr_uri(f) is not None]
    first = {f.id: f"{f.id}:qr" for f in qr_forms}
    for form in h.forms:
        body = Body((out_dir / form_pdf(form)).read_bytes())
        pages[form.id] = len(body.pages)
        files[form_pdf(form)] = (body, [first.get(form.id, form.id)] + [form.id] * (len(body.pages) - 1))
    for pid, part in others.items():
        pages[pid] = len(Body(bb._parts[bb._part_key(part, False)][0]).pages)
    for guide in h.printed_guides:  # a guide's own PDF: its footer on every page
        files[guide_pdf(guide)] = (Body((out_dir / guide_pdf(guide)).read_bytes()), [guide.id] * pages[guide.id])
    covers: dict[str, str] = {}
    for pack in h.packs:
        body = Body((out_dir / pack_pdf(pack)).read_bytes())
        members = part_ids(h, pack)
        layout = pack_layout(len(body.pages), [pages[i] for i in members])
        cover, _parts = probe._pack_parts(pack)
        html = cover.html.replace("@@TOTAL@@", str(len(body.pages)))
        m = _COVER.search(html)
        if layout is None or m is None or m.group(0).count(PROBE) != 2 \
                or html.split("</head>", 1)[-1].count(PROBE) != 2:
            return None, bb
        covers[pack.id] = m.group(0)
        marks: list[str | None] = []
        for k, x in enumerate(layout):
            if x < 0:
                marks.append(f"pack:{pack.id}" if x == -1 else None)
                continue
            pid = members[x]
            mark = first[pid] if pid in first and (k == 0 or layout[k - 1] != x) else pid
            marks.append(mark + (":turned" if footers[pid][1] else ""))  # a pack turns landscape pages
        files[pack_pdf(pack)] = (body, marks)
    return BodySet(files, footers, covers, qr_forms), bb

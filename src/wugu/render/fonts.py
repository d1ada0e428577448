"""Simplified-Chinese fonts for the PDFs: find them, and cut them down to the characters a document uses.

Why not let WeasyPrint pick the fonts itself (see ``shared/design.md``)? Fontconfig may choose the Japanese face
of the Noto CJK collection, a missing font prints empty boxes, and subsetting the 20 MB collection costs time on
every document. Instead:

1. :func:`find_faces` asks fontconfig for the **SC** (Simplified Chinese) faces of a serif (宋体-like) and a sans
   (黑体-like) family, regular and bold. None at all → :class:`~wugu.errors.WuguError` E504 (exit 2) telling
   what to install. Japanese, Korean or Traditional faces are never chosen.
2. :meth:`FontSet.subset` cuts each face down to exactly the characters of one document with HarfBuzz
   (``libharfbuzz-subset``, ~10 ms a face; fontTools is the slow fallback), memoised by a hash of the characters.
3. The document's stylesheet loads the subsets through ``@font-face`` under family names derived from that
   hash, so a document's PDF depends only on its own text: other documents changing never changes its bytes.
"""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from functools import cache

from ..errors import WuguError, problem

#: role → (family names to accept, in order of preference; fontconfig weight)
ROLES: dict[str, tuple[tuple[str, ...], int]] = {
    "serif": (("Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC"), 80),
    "serif-bold": (("Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC"), 200),
    "sans": (("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC"), 80),
    "sans-bold": (("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC"), 200),
}
#: if a role is missing, use the first of these that was found
_FALLBACK = {
    "serif": ("sans",), "sans": ("serif",),
    "serif-bold": ("serif", "sans-bold", "sans"), "sans-bold": ("sans", "serif-bold", "serif"),
}
#: characters every document may print without having them in its HTML (page counters, table filler)
ALWAYS = "0123456789 第页共—－-/（）()：:，。□☑"

_FC_WEIGHT_REGULAR, _FC_WEIGHT_BOLD = 80, 200


@dataclass(frozen=True)
class Face:
    """One font face inside a font file (a ``.ttc`` collection holds several)."""

    path: str
    index: int
    family: str
    weight: int

    @property
    def identity(self) -> str:
        """What changes when the font file changes: path, face, size and modification time."""
        try:
            st = os.stat(self.path)
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            stamp = "?"
        return f"{self.path}#{self.index}:{stamp}"


# ---- fontconfig ----------------------------------------------------------------------------------------------

_FC_CDEF = """
typedef struct _FcConfig FcConfig; typedef struct _FcPattern FcPattern; typedef struct _FcObjectSet FcObjectSet;
typedef struct _FcFontSet { int nfont; int sfont; FcPattern **fonts; } FcFontSet;
typedef int FcBool; typedef unsigned char FcChar8;
FcConfig *FcInitLoadConfigAndFonts(void);
void FcConfigDestroy(FcConfig *config);
FcPattern *FcNameParse(const FcChar8 *name);
void FcPatternDestroy(FcPattern *p);
FcObjectSet *FcObjectSetCreate(void);
FcBool FcObjectSetAdd(FcObjectSet *os, const char *object);
void FcObjectSetDestroy(FcObjectSet *os);
FcFontSet *FcFontList(FcConfig *config, FcPattern *p, FcObjectSet *os);
void FcFontSetDestroy(FcFontSet *s);
int FcPatternGetString(const FcPattern *p, const char *object, int n, FcChar8 **s);
int FcPatternGetInteger(const FcPattern *p, const char *object, int n, int *i);
"""


def _fontconfig_list() -> list[tuple[str, int, tuple[str, ...], int | None]]:
    """Every font fontconfig knows: (file, face index, family names, weight or None)."""
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_FC_CDEF)
    try:
        fc = ffi.dlopen("libfontconfig.so.1")
    except OSError:
        try:
            fc = ffi.dlopen("fontconfig")
        except OSError:
            return []
    config = fc.FcInitLoadConfigAndFonts()
    pattern = fc.FcNameParse(b"")
    objects = fc.FcObjectSetCreate()
    for name in (b"file", b"index", b"family", b"weight"):
        fc.FcObjectSetAdd(objects, name)
    fonts = fc.FcFontList(config, pattern, objects)
    found = []
    try:
        string = ffi.new("FcChar8 **")
        integer = ffi.new("int *")
        for i in range(fonts.nfont if fonts != ffi.NULL else 0):
            p = fonts.fonts[i]
            if fc.FcPatternGetString(p, b"file", 0, string) != 0:
                continue
            path = ffi.string(string[0]).decode("utf-8", "replace")
            index = integer[0] if fc.FcPatternGetInteger(p, b"index", 0, integer) == 0 else 0
            families = []
            n = 0
            while fc.FcPatternGetString(p, b"family", n, string) == 0:
                families.append(ffi.string(string[0]).decode("utf-8", "replace"))
                n += 1
            weight = integer[0] if fc.FcPatternGetInteger(p, b"weight", 0, integer) == 0 else None
            found.append((path, index, tuple(families), weight))
    finally:
        if fonts != ffi.NULL:
            fc.FcFontSetDestroy(fonts)
        fc.FcObjectSetDestroy(objects)
        fc.FcPatternDestroy(pattern)
        fc.FcConfigDestroy(config)
    return found


def find_faces() -> dict[str, Face]:
    """The SC face for every role (``serif``, ``serif-bold``, ``sans``, ``sans-bold``).

    Raises :class:`WuguError` E504 when no Simplified-Chinese font is installed at all.
    """
    listed = sorted(_fontconfig_list())  # sorted: the same choice on every run
    chosen: dict[str, Face] = {}
    for role, (families, weight) in ROLES.items():
        for family in families:
            hits = [(path, index) for path, index, fams, w in listed if family in fams and w == weight]
            if hits:
                path, index = hits[0]
                chosen[role] = Face(path, index, family, weight)
                break
    if not chosen:
        raise WuguError([problem("E504", "wugu pdf")])
    for role in ROLES:
        if role not in chosen:
            chosen[role] = next(chosen[r] for r in _FALLBACK[role] if r in chosen) if any(
                r in chosen for r in _FALLBACK[role]) else next(iter(chosen.values()))
    return chosen


# ---- subsetting ------------------------------------------------------------------------------------------------

_HB_CDEF = """
typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t; typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t; typedef uint32_t hb_codepoint_t;
hb_blob_t *hb_blob_create_from_file_or_fail(const char *file_name);
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
void hb_set_add(hb_set_t *set, hb_codepoint_t codepoint);
const char *hb_version_string(void);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
uint32_t hb_tag_from_string(const char *str, int len);
hb_set_t *hb_set_create(void);
void hb_set_destroy(hb_set_t *set);
void hb_face_collect_unicodes(hb_face_t *face, hb_set_t *out);
unsigned int hb_set_get_population(const hb_set_t *set);
unsigned int hb_set_next_many(const hb_set_t *set, hb_codepoint_t codepoint, hb_codepoint_t *out, unsigned int size);
"""
_HB_SUBSET_SETS_DROP_TABLE_TAG = 3
#: Tables a horizontal Simplified-Chinese document does not need: glyph substitutions (the SC face's default
#: glyphs are already the Simplified ones), vertical metrics, baselines, signatures. Kerning (GPOS) stays.
_DROP_TABLES = (b"GSUB", b"VORG", b"vmtx", b"vhea", b"BASE", b"DSIG")


@cache
def _harfbuzz():
    """``(ffi, libharfbuzz, libharfbuzz-subset)`` or ``None`` when the subsetting library is missing."""
    try:
        import cffi

        ffi = cffi.FFI()
        ffi.cdef(_HB_CDEF)
        hb = ffi.dlopen("libharfbuzz.so.0")
        hbs = ffi.dlopen("libharfbuzz-subset.so.0")
        hbs.hb_subset_input_create_or_fail  # noqa: B018 - fails here if the symbol is missing
        return ffi, hb, hbs
    except (OSError, AttributeError, ImportError):
        return None


def subsetter_version() -> str:
    """Which subsetter is used, with its version (part of the PDF cache key)."""
    lib = _harfbuzz()
    if lib is None:
        import fontTools

        return f"fonttools-{fontTools.version}"
    ffi, hb, _ = lib
    return "harfbuzz-" + ffi.string(hb.hb_version_string()).decode()


def _subset_harfbuzz(face: Face, codepoints: list[int]) -> bytes | None:
    lib = _harfbuzz()
    if lib is None:
        return None
    ffi, hb, hbs = lib
    blob = _blob(face.path)
    if blob is None:
        return None
    src = hb.hb_face_create(blob, face.index)
    inp = hbs.hb_subset_input_create_or_fail()
    try:
        unicodes = hbs.hb_subset_input_unicode_set(inp)
        for cp in codepoints:
            hb.hb_set_add(unicodes, cp)
        hbs.hb_subset_input_set_flags(inp, 0)
        drop = hbs.hb_subset_input_set(inp, _HB_SUBSET_SETS_DROP_TABLE_TAG)
        for tag in _DROP_TABLES:
            hb.hb_set_add(drop, hb.hb_tag_from_string(tag, -1))
        out = hbs.hb_subset_or_fail(src, inp)
        if out == ffi.NULL:
            return None
        out_blob = hb.hb_face_reference_blob(out)
        length = ffi.new("unsigned int *")
        data = bytes(ffi.buffer(hb.hb_blob_get_data(out_blob, length), length[0]))
        hb.hb_blob_destroy(out_blob)
        hb.hb_face_destroy(out)
        return data or None
    finally:
        hbs.hb_subset_input_destroy(inp)
        hb.hb_face_destroy(src)


@cache
def _blob(path: str):
    """The font file, mapped once per process and kept (HarfBuzz reads it without copying)."""
    ffi, hb, _ = _harfbuzz()
    blob = hb.hb_blob_create_from_file_or_fail(path.encode())
    return None if blob == ffi.NULL else blob


def _subset_fonttools(face: Face, codepoints: list[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(face.path, fontNumber=face.index, lazy=True, recalcTimestamp=False)
    options = subset.Options()
    options.drop_tables += [t.decode().strip() for t in _DROP_TABLES]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def subset_face(face: Face, chars: str) -> bytes:
    """The face cut down to ``chars`` (an OpenType font as bytes)."""
    codepoints = sorted({ord(c) for c in chars + ALWAYS if not c.isspace() or c == " "})
    return _subset_harfbuzz(face, codepoints) or _subset_fonttools(face, codepoints)


class FontSet:
    """The chosen faces, and their per-document subsets served to WeasyPrint from memory."""

    SCHEME = "wugu-font:"

    def __init__(self, faces: dict[str, Face] | None = None):
        self.faces = faces if faces is not None else find_faces()
        self.blobs: dict[str, bytes] = {}
        self._pending: dict[str, tuple[Face, str | None]] = {}

    @property
    def identity(self) -> str:
        """Everything about the fonts that changes the PDFs (for the cache key)."""
        faces = ";".join(f"{role}={face.identity}" for role, face in sorted(self.faces.items()))
        return f"{faces};{subsetter_version()}"

    def stylesheet(self, text: str) -> str:
        """``@font-face`` rules and ``--serif``/``--sans`` variables for a document whose text is ``text``."""
        chars = "".join(sorted(set(text)))
        tag = hashlib.sha256((self.identity + "\0" + chars).encode()).hexdigest()[:10]
        rules = []
        for role, face in sorted(self.faces.items()):
            url = f"{self.SCHEME}{tag}-{role}"
            if url not in self.blobs:
                self._pending[url] = (face, chars)
            family = ("WuguSerifSC-" if role.startswith("serif") else "WuguSansSC-") + tag
            weight = 700 if role.endswith("bold") else 400
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{url}"); font-weight: {weight}; }}')
        rules.append(f':root {{ --serif: "WuguSerifSC-{tag}"; --sans: "WuguSansSC-{tag}"; }}')
        return "\n".join(rules)

    def field_stylesheet(self) -> str:
        """``@font-face`` and ``--field`` for fillable form fields: the whole sans face, so any text can be typed.

        This is what makes fillable PDFs big (the face is embedded whole, ~10 MB); the same for every form.
        """
        face = self.faces["sans"]
        tag = hashlib.sha256(("field\0" + face.identity).encode()).hexdigest()[:10]
        url = f"{self.SCHEME}{tag}-field"
        if url not in self.blobs:
            self._pending[url] = (face, None)
        return (f'@font-face {{ font-family: "WuguFieldSC-{tag}"; src: url("{url}"); }}\n'
                f':root {{ --field: "WuguFieldSC-{tag}"; }}')

    def blob(self, url: str) -> bytes | None:
        """The subset behind a URL of :meth:`stylesheet` (cut on first use: cached PDFs never need it)."""
        if url not in self.blobs and url in self._pending:
            face, chars = self._pending.pop(url)
            if chars is None:  # the whole face
                chars = "".join(map(chr, sorted(_cmap(face.path, face.index))))
            self.blobs[url] = subset_face(face, chars)
        return self.blobs.get(url)

    def blobs_for(self, stylesheet: str) -> dict[str, bytes]:
        """The subsets a stylesheet made by :meth:`stylesheet` refers to (to hand them to another process)."""
        urls = [u for u in (*self.blobs, *self._pending) if f'url("{u}")' in stylesheet]
        return {u: self.blob(u) for u in urls}

    def missing(self, text: str) -> str:
        """Characters of ``text`` that the serif face cannot print (they would fall back to another font)."""
        try:
            face = self.faces["serif"]
            cmap = _cmap(face.path, face.index)
        except Exception:  # pragma: no cover - best effort only
            return ""
        return "".join(sorted({c for c in text if not c.isspace() and ord(c) >= 0x20 and ord(c) not in cmap}))


@cache
def _cmap(path: str, index: int) -> frozenset[int]:
    """The characters a face has (read with HarfBuzz: ~10 ms; fontTools, the fallback, takes ~100 ms)."""
    return _cmap_harfbuzz(path, index) or _cmap_fonttools(path, index)


def _cmap_harfbuzz(path: str, index: int) -> frozenset[int] | None:
    lib = _harfbuzz()
    if lib is None or _blob(path) is None:
        return None
    ffi, hb, _ = lib
    face = hb.hb_face_create(_blob(path), index)
    found = hb.hb_set_create()
    try:
        hb.hb_face_collect_unicodes(face, found)
        size = hb.hb_set_get_population(found)
        out = ffi.new("hb_codepoint_t[]", max(size, 1))
        got = hb.hb_set_next_many(found, 0xFFFFFFFF, out, size)  # from "before the first" (HB_SET_VALUE_INVALID)
        return frozenset(ffi.unpack(out, got)) or None
    except AttributeError:  # pragma: no cover - a HarfBuzz older than 4.2
        return None
    finally:
        hb.hb_set_destroy(found)
        hb.hb_face_destroy(face)


def _cmap_fonttools(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, fontNumber=index, lazy=True).getBestCmap())



# ---- what the PDFs can print (for the checks) -----------------------------------------------------------------

_PRINTABLE_KEY = "printable-1"


@cache
def printable() -> frozenset[str] | None:
    """The characters every chosen Chinese face has (what a PDF prints in its own fonts), or None when no Chinese
    font is installed (nothing can be said then). Kept in the user's cache folder, sealed (see
    :mod:`wugu.render.sealed`) and checked against the font files' size and time, so a check does not ask
    fontconfig and read four cmaps every time (~130 ms)."""
    import json

    from .sealed import read_entry, secret, write_entry

    entry = _printable_file() if secret() is not None else None  # secret(): makes the cache folder on first use
    data = read_entry(entry, _PRINTABLE_KEY, 4 * 1024 * 1024) if entry is not None else None
    if data is not None:
        try:
            stored = json.loads(data)
            if all(_stamp(path) == stamp for path, stamp in stored["files"].items()):
                return frozenset(chr(c) for a, b in stored["ranges"] for c in range(a, b + 1))
        except (ValueError, KeyError, TypeError):
            pass
    try:
        faces = find_faces()
    except WuguError:
        return None
    found = frozenset.intersection(*(_cmap(f.path, f.index) for f in set(faces.values())))
    if entry is not None:
        files = {f.path: _stamp(f.path) for f in faces.values()}
        write_entry(entry, _PRINTABLE_KEY, json.dumps({"files": files, "ranges": _ranges(found)}).encode())
    return frozenset(map(chr, found))


def _printable_file():
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "wugu"
    return folder / "printable.json" if folder.is_dir() and not folder.is_symlink() else None


def _stamp(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "?"
    return f"{st.st_size}:{st.st_mtime_ns}"


def _ranges(codes: frozenset[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for c in sorted(codes):
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out

"""Benchmark the PDF forms fairly: wugu (WeasyPrint) against a faithful Typst twin, and the cold build.

    python scripts/bench_pdf.py [--forms F07,F04] [--runs 7] [--cold-runs 3]

Per form, best of N runs, the contenders interleaved run by run (on a shared machine a burst of load then hits
all of them alike):

* wugu, a new document: the form's HTML rendered by Jinja with its QR code, the font subsets cut and loaded
  anew (a run-unique character makes every run a document WeasyPrint has never seen), layout, PDF;
* wugu, a new document in a build: the same, with the build's font subsets already loaded in the process
  (what `wugu pdf` does: one subset per face for the whole build, see wugu/render/fonts.py);
* Typst one-off: `typst.compile` of the twin, fonts loaded every time (like running `typst compile`);
* Typst, fonts preloaded: one `typst.Compiler` reused, a run-unique text each time.

The Typst twin (:func:`typst_source`) is laid out from the very same form layout as wugu's PDF: the same
margins, running header and footer, QR code, title block with 编号 and 填表日期, confidentiality box,
numbered section headings, label/value grids (label columns 21 %, rows at least 8 mm that grow with their
content), ruled lines, ID boxes, photo box, data tables with their header rows, blank rows and 合计, signature
lines, and the 填表说明 in two columns, on the same Noto CJK SC fonts. Both get the same real site address, so
both print the QR code. The page counts of both are printed: a twin on fewer pages would be a cheaper document.

Then all forms and packs from cold (`wugu pdf --no-cache`, a new process, best of --cold-runs) and a rebuild
with nothing changed. The machine's load is printed with the figures.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from wugu.model import Field, Form  # noqa: E402
from wugu.paths import form_page, html_url  # noqa: E402
from wugu.render.fonts import FontSet  # noqa: E402
from wugu.render.pdf import (_FAST_CSS, DataTable, Engine, PdfBuilder, confidentiality_notice,  # noqa: E402
                             hint_parts, label_lines, layout_section, paper_sections)
from wugu.validate import load_handbook  # noqa: E402

CONTENT = ("wugu.yml", "glossary.yml", "facts.yml", "regulations", "norms", "forms", "packs", "vocab", "guides", "questions")
#: A real-looking site address, so that both wugu and Typst print the QR code (no QR to example addresses).
SITE = "https://shouqianshou.linyi.org.cn/wugu/"


# ---- the Typst twin ---------------------------------------------------------------------------------------------

def _t(text: str | None) -> str:
    """Typst markup for plain text."""
    if not text:
        return ""
    out = text.replace("\\", "\\\\")
    for ch in "#$*_`<>@[]~/=-+\"'":
        out = out.replace(ch, "\\" + ch)
    return out


_BR = " \\ "  # a line break in Typst markup


def _blank(width: str) -> str:
    return f"#box(width: {width}, height: 0.9em, stroke: (bottom: 0.6pt))"


def _ymd_blank() -> str:
    return f"{_blank('13mm')}年{_blank('8mm')}月{_blank('8mm')}日"


def _hint(f: Field, prefix: str = "") -> str:
    if not f.hint:
        return ""
    rule, example = hint_parts(f.hint)
    from wugu.render.pdf import is_safety_hint

    rule_t = f"#text(weight: \"bold\")[{_t(rule)}]" if is_safety_hint(f.hint) else _t(rule)
    return f"#block(spacing: 0.8mm)[#text(size: 9pt, font: sans)[{_t(prefix)}{rule_t}{_t(example)}]]"


def _options(f: Field) -> str:
    opts = "#h(2.5mm)".join(f"#box[□{_t(c)}]" for c in f.choices)
    if f.other:
        opts += f"#h(2.5mm)#box[□其他{_blank('20mm')}]"
    return opts


def _value(f: Field) -> str:
    if f.type == "text":
        if f.chars == 18 or "身份证" in f.label:
            boxes = "".join(f"#box(width: 6.5mm, height: 7mm, stroke: 0.5pt){'#h(1mm)' if i in (5, 13) else ''}"
                            for i in range(18))
            return _hint(f) + boxes
        return _hint(f)
    if f.type == "longtext":
        lines = "".join("#block(height: 8mm, width: 100%, stroke: (bottom: 0.5pt + luma(119)), spacing: 0pt)"
                        for _ in range(f.lines))
        return _hint(f) + lines
    if f.type == "date":
        return _hint(f) + "#align(right)[年#h(8mm)月#h(8mm)日]"
    if f.type == "number":
        return _hint(f) + f"#align(right)[{_t(f.unit)}]"
    if f.type in ("choice", "multichoice"):
        if f.hint:
            return _hint(f, "可多选；" if f.type == "multichoice" else "") + _options(f)
        return ("#text(size: 9pt, font: sans)[（可多选）]" if f.type == "multichoice" else "") + _options(f)
    if f.type == "yesno":
        detail = f"（{_t(f.detail)}：{_blank('22mm')}）" if f.detail else ""
        return _hint(f) + f"□是{detail}#h(4mm)□否"
    if f.type == "statement":
        return _hint(f) + f"□{_t(f.text)}"
    if f.type == "notice":
        return f"#text(size: 9.5pt)[{_t(f.text)}]"
    if f.type == "photo":
        what = "贴照片处" if f.size and "张" in f.size else "照片"
        return _hint(f) + (f"#align(center, box(width: 25mm, height: 35mm, stroke: 0.6pt)[#align(center + horizon)"
                           f"[#text(size: 9pt, font: sans)[{what} \\ （{_t(f.size)}）]]])")
    return ""


def _sign(f: Field) -> str:
    seal = "#h(3mm)（盖章）" if getattr(f, "seal", False) else ""
    if f.type == "signdate":
        return _hint(f) + f"#align(right)[#text(font: sans)[{_t(f.label)}]：{_ymd_blank()}]"
    date = f"#h(4mm)日期：{_ymd_blank()}" if f.with_date else ""
    return _hint(f) + f"#align(right)[#text(font: sans)[{_t(f.label)}]：{_blank('34mm')}{seal}{date}]"


def _strut(height: str, body: str) -> str:
    """A cell at least ``height`` high that grows with its content (rows of wugu's tables do)."""
    return f"#grid(columns: (0pt, 1fr), align: horizon, box(height: {height}), [{body}])"


def typst_source(form: Form, group: str, qr: str | None) -> str:
    """A Typst document laid out like wugu's PDF of ``form``."""
    landscape = form.orientation == "landscape"
    margin = "(top: 14mm, bottom: 13mm, left: 20mm, right: 15mm)" if landscape else \
        "(top: 15mm, bottom: 14mm, left: 25mm, right: 16mm)"
    secret = confidentiality_notice(form)
    top_left = "内部资料　注意保密" if form.has_sensitive else ""
    out = [
        '#let serif = "Noto Serif CJK SC"', '#let sans = "Noto Sans CJK SC"',
        f'#set page(paper: "a4", flipped: {"true" if landscape else "false"}, margin: {margin}, '
        f'header: context [#text(size: 9pt, font: sans, weight: "bold")[{_t(top_left)}]#h(1fr)'
        f'#text(size: 9pt, font: sans)[{form.code}　{form.version} 版]], '
        f'footer: context [#text(size: 9pt)[{_t(group)}　{_t(form.title)}]'
        '#h(1fr)#text(size: 9pt, font: sans)[第 #counter(page).display() 页　共 #counter(page).final().first() 页]])',
        '#set text(font: serif, size: 10pt, lang: "zh", region: "cn")',
        '#set par(leading: 0.45em)',
        '#set table(stroke: 0.75pt, inset: (x: 1.6mm, y: 0.7mm))',
        '#show table: set block(spacing: 0pt)',  # adjacent tables share their rules, as in wugu's
        '#block(width: 100%, height: 15mm)[',
        (f'#place(top + left)[#grid(columns: (15mm, 12mm), gutter: 1.5mm, image("qr.svg", width: 15mm), '
         f'text(size: 9pt, font: sans)[扫码 \\ 看说明])]' if qr else ""),
        f'#place(top + right)[#text(size: 10pt, font: sans)[编号：{_blank("26mm")}]]',
        f'#align(center)[#text(font: serif, weight: "bold", size: 18pt, tracking: 0.12em)[{_t(form.title)}]]',
        f'#place(top + right, dy: 7mm)[#text(size: 10pt)[填表日期：{_ymd_blank()}]]',
        ']',
    ]
    if secret:
        out.append(f'#block(width: 100%, stroke: 1pt, inset: (x: 2.5mm, y: 1.2mm))[#text(size: 9pt)'
                   f'[#text(font: sans, weight: "bold")[{_t(secret[0])}：]{_t(secret[1])}]]')
    cols = "(12%, 38%, 12%, 38%)" if landscape else "(21%, 29%, 21%, 29%)"
    photo_cols = "(12%, 33%, 12%, 28%, 15%)" if landscape else "(21%, 24%, 21%, 18%, 16%)"
    for section in paper_sections(form):
        view = layout_section(section, form.orientation)
        if section.title:
            out.append(f'#table(columns: (1fr,), fill: luma(236), inset: (x: 2mm, y: 0.8mm), '
                       f'text(font: sans, weight: "bold", size: 10.5pt)[{_t(section.title)}])')
        for block in view.blocks:
            if isinstance(block, DataTable):
                f = block.field
                widths = ", ".join(f"{w}%" for w in block.widths)
                n = len(block.widths)
                height = "9mm" if block.writing else "7mm" if block.dense else "8mm"
                hint = f'#text(size: 9pt, weight: "regular")[（{_t(f.hint)}）]' if f.hint else ""
                head = [f'table.cell(colspan: {n}, align: left, text(font: sans, weight: "bold")[{_t(f.label)}{hint}])']
                for row in block.header:
                    head += [f'table.cell(colspan: {c}, rowspan: {r}, align: center + horizon, '
                             f'text(size: 9pt, font: sans)[{_BR.join(_t(x) for x in lines)}])'
                             for lines, c, r in row]
                body = [f"[#box(height: {height})]"] + ["[]"] * (n - 1)
                body = body * f.rows
                if f.total:
                    body += [f'[#box(height: {height})#text(font: sans, weight: "bold")[合计]]'] + ["[]"] * (n - 1)
                out.append(f"#table(columns: ({widths}), table.header({', '.join(head)}), {', '.join(body)})")
                continue
            cells = []
            for row in block.rows:
                for c in row:
                    f = c.field
                    if c.kind == "label":
                        star = "\\*" if f.required else ""
                        text = _BR.join(_t(x) for x in label_lines(f.label, landscape, f.required))
                        cells.append(f'table.cell(align: center + horizon)[{_strut("6.6mm", star + text)}]')
                    elif c.kind in ("sign", "signdate"):
                        cells.append(f"table.cell(colspan: {c.colspan})[{_strut('9.6mm', _sign(f))}]")
                    elif c.kind == "opinion":
                        cells.append(f"table.cell(colspan: {c.colspan})[{_value(f)}{_sign(c.extra[0])}]")
                    elif c.kind == "signline":
                        cells.append(f"table.cell(colspan: {c.colspan})[{'#h(6mm)'.join(_sign(g) for g in c.extra)}]")
                    elif c.kind == "consent":
                        cells.append(f"table.cell(colspan: {c.colspan})[#text(font: sans)[{_t(f.label)}]{_hint(f)}]")
                    elif c.kind == "consent-opts":
                        cells.append(f"table.cell(align: center + horizon)[{_options(f)}]")
                    elif c.kind == "statement-full":
                        cells.append(f"table.cell(colspan: {c.colspan})[{_hint(f)}□#text(font: sans, weight: "
                                     f"\"bold\")[{_t(f.label)}]　{_t(f.text)}]")
                    elif c.kind == "photo-side":
                        cells.append(f"table.cell(rowspan: {c.rowspan}, align: center + horizon)[{_value(f)}]")
                    else:
                        cells.append(f"table.cell(colspan: {c.colspan}, rowspan: {c.rowspan})[{_value(f)}]")
            out.append(f"#table(columns: {photo_cols if block.photo else cols}, {', '.join(cells)})")
    items = [_t(i) for i in form.instructions] + ["标“\\*”的栏目必须填写。"]
    out.append('#v(2mm)#text(size: 9pt)[#text(font: sans, weight: "bold", size: 10pt)[填表说明]\n'
               f'#columns({3 if landscape else 2}, gutter: 7mm)[' + "\n".join(f"+ {i}" for i in items) + "]]")
    return "\n".join(out) + "\n"


# ---- timing ------------------------------------------------------------------------------------------------------

def _copy_project(dest: Path, site: str | None = None) -> Path:
    dest.mkdir(parents=True)
    for name in CONTENT:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    if site:
        profile = dest / "wugu.yml"
        lines = [f"site_url: {site}" if ln.startswith("site_url:") else ln
                 for ln in profile.read_text(encoding="utf-8").splitlines()]
        profile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


def _wugu_cli(*args: str, previous: bool = False) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its workers) of one `wugu pdf …` in a new process
    (``previous``: the previous renderer, WUGU_PDF_PLAIN=1)."""
    import resource

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "WUGU_PDF_PLAIN": "1" if previous else "0"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "wugu", "pdf", *args], check=True, capture_output=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


class WuguBench:
    """A form rendered by wugu as a new document each run (see the module's docstring)."""

    def __init__(self, handbook, form: Form):
        self.handbook, self.form = handbook, form
        self.fonts = FontSet()
        self.builder = PdfBuilder(handbook, None, fonts=self.fonts)
        self.current = self.fonts
        self.engine = Engine(self.builder.print_css, lambda url: self.current.blob(url), _FAST_CSS, False)
        self.before = Engine(self.builder.print_css, lambda url: self.current.blob(url), _FAST_CSS, True)
        part = self.builder.form_part(form)
        self.shared = self.fonts.stylesheet(part.html + part.margins + self.builder.print_css + "本包第页本页空白")
        self.run = 0

    def new_document(self, shared_fonts: bool, before: bool = False) -> bytes:
        self.run += 1
        self.builder._memo.clear()
        part = self.builder._form_part(self.form)  # Jinja and the QR code, every time
        html = part.html.replace("</title>", f"{chr(0x4E00 + self.run % 20000)}</title>", 1)
        if shared_fonts:
            self.current = self.fonts
            fonts = self.shared
        else:  # the font subsets cut for this document alone and loaded anew
            self.current = FontSet(self.fonts.faces)
            fonts = self.current.stylesheet(html + part.margins + self.builder.print_css)
        engine = self.before if before else self.engine
        doc = engine.layout(html, fonts + "\n" + part.margins)
        return engine.write(doc)


def _best(times: list[float]) -> float:
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", default="F07,F04", help="forms to compare (default F07,F04)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per contender (best is reported)")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold `wugu pdf --no-cache` runs (best)")
    parser.add_argument("--no-cold", action="store_true", help="skip the whole-build figures")
    args = parser.parse_args()

    import segno
    import typst

    work = Path(tempfile.mkdtemp(prefix="wugu-bench-"))
    try:
        project = _copy_project(work / "project", SITE)
        handbook = load_handbook(project)
        fonts = FontSet()
        font_dir = work / "fonts"  # Typst gets the very font files wugu subsets (the Noto CJK collections)
        font_dir.mkdir()
        for face in {f.path for f in fonts.faces.values()}:
            (font_dir / Path(face).name).symlink_to(face)
        print(f"load at start: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores; "
              f"best of {args.runs}, interleaved; WeasyPrint {__import__('weasyprint').__version__}, "
              f"typst-py {getattr(typst, '__version__', '?')}")
        for code in args.forms.split(","):
            form = handbook.form(code.strip())
            tdir = work / form.id
            tdir.mkdir()
            url = SITE + html_url(form_page(form))
            segno.make(url, error="m", micro=False).save(str(tdir / "qr.svg"), border=0, dark="#000")
            source = typst_source(form, handbook.profile.name, url)
            (tdir / "form.typ").write_text(source, encoding="utf-8")
            bench = WuguBench(handbook, form)
            compiler = typst.Compiler(root=str(tdir), font_paths=[str(font_dir)], ignore_system_fonts=True)
            counter = iter(range(10**6))

            def typst_oneoff() -> bytes:
                return typst.compile(str(tdir / "form.typ"), root=str(tdir), font_paths=[str(font_dir)],
                                     ignore_system_fonts=True)

            def typst_warm() -> bytes:
                src = source.replace("填表说明]", f"填表说明]#hide[{next(counter)}]", 1)
                return compiler.compile(input=src.encode())

            contenders = {
                "wugu, new document (fonts cut and loaded for it)": lambda: bench.new_document(False),
                "wugu, new document in a build (fonts of the build)": lambda: bench.new_document(True),
                "  the same with the previous renderer": lambda: bench.new_document(True, before=True),
                "Typst one-off (typst.compile, fonts loaded)": typst_oneoff,
                "Typst, fonts preloaded (Compiler reused)": typst_warm,
            }
            outputs = {name: fn() for name, fn in contenders.items()}  # warm up (imports, caches)
            times: dict[str, list[float]] = {name: [] for name in contenders}
            cpu: dict[str, list[float]] = {name: [] for name in contenders}
            for _ in range(args.runs):
                for name, fn in contenders.items():
                    c, t = time.process_time(), time.perf_counter()
                    fn()
                    times[name].append(time.perf_counter() - t)
                    cpu[name].append(time.process_time() - c)
            best = {name: _best(ts) for name, ts in times.items()}
            print(f"\n{form.code} {form.title}: wugu {_pages(outputs[next(iter(outputs))])} pages, "
                  f"Typst twin {_pages(outputs['Typst one-off (typst.compile, fonts loaded)'])} pages")
            print(f"  {'':<52} {'wall':>7}    {'CPU':>7}   (best of {args.runs}; CPU: all threads of this process)")
            for name, t in best.items():
                print(f"  {name:<52} {t * 1000:7.1f} ms {min(cpu[name]) * 1000:7.1f} ms")
            w_new = best["wugu, new document (fonts cut and loaded for it)"]
            w_build = best["wugu, new document in a build (fonts of the build)"]
            t_one = best["Typst one-off (typst.compile, fonts loaded)"]
            t_warm = best["Typst, fonts preloaded (Compiler reused)"]
            print(f"  ratios wugu/Typst: new document / one-off {w_new / t_one:.2f}, "
                  f"in a build / one-off {w_build / t_one:.2f}, "
                  f"new document / preloaded {w_new / t_warm:.1f}, in a build / preloaded {w_build / t_warm:.1f}")
        print(f"load now: {os.getloadavg()[0]:.2f}")
        if args.no_cold:
            return
        plain = _copy_project(work / "plain")  # the handbook as it is (no QR code: example address)
        colds: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
        for i in range(args.cold_runs):
            for previous in (True, False):
                colds[previous].append(_wugu_cli(str(plain), "--out", str(work / f"cold{i}{previous}"), "--no-cache",
                                                 previous=previous))
        count = len(list((work / "cold0False").glob("*.pdf")))
        _wugu_cli(str(plain), "--out", str(work / "warm"))  # fills the cache
        unchanged = min(_wugu_cli(str(plain), "--out", str(work / "warm"))[0] for _ in range(3))
        print(f"\nall {count} PDFs (forms + packs) from cold, `wugu pdf --no-cache`, a new process (best of "
              f"{args.cold_runs}, interleaved):")
        for previous, label in ((True, "previous renderer"), (False, "now")):
            walls = [w for w, _c in colds[previous]]
            print(f"  {label:<18} wall {min(walls):.2f} s (runs {', '.join(f'{w:.2f}' for w in walls)}), "
                  f"CPU {min(c for _w, c in colds[previous]):.2f} s")
        print(f"rebuild with nothing changed, `wugu pdf`: best {unchanged:.2f} s")
        print(f"load at the end: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

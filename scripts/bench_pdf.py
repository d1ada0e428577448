"""Benchmark the PDF forms: wugu (WeasyPrint) against Typst on the same form, all packs cold, a no-change rebuild.

    python scripts/bench_pdf.py [--form F07] [--runs 5]

Typst (the `typst` Python package, what a user might pick instead) gets an equivalent source generated from the
same layout (the same grid rows, tables and lines) and the same Noto CJK SC font files. Both run in this one
process, side by side. Printed figures:

* per form: wugu's time (HTML, font subsets, layout, PDF) and Typst's, as medians, and their ratio
  (Typst "one-off" = `typst.compile` per form, fonts loaded each time, like running `typst compile`;
   Typst "warm" = one `typst.Compiler` reused with a changed input each run: incremental, memoised);
* all forms and packs from cold (`wugu pdf --no-cache`, a separate process, caches empty);
* a rebuild with nothing changed (`wugu pdf` again, from the cache).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from wugu.model import Field, Form  # noqa: E402
from wugu.render.fonts import FontSet, subset_face  # noqa: E402
from wugu.render.pdf import DataTable, PdfBuilder, layout_section  # noqa: E402
from wugu.validate import load_handbook  # noqa: E402

CONTENT = ("wugu.yml", "glossary.yml", "regulations", "norms", "forms", "packs", "vocab")


# ---- an equivalent Typst source -----------------------------------------------------------------------------

def _t(text: str | None) -> str:
    """Typst markup for plain text."""
    if not text:
        return ""
    out = text
    for ch in "\\#$*_`<>@[]~/=-+":
        out = out.replace(ch, "\\" + ch)
    return out


def _blank(width: str) -> str:
    return f'#box(width: {width}, stroke: (bottom: 0.6pt))'


def _ymd() -> str:
    return f"{_blank('13mm')}年{_blank('8mm')}月{_blank('8mm')}日"


def _value(f: Field) -> str:
    hint = f"#text(size: 7.5pt, font: sans)[{_t(f.hint)}] \\ " if f.hint else ""
    if f.type == "text":
        boxes = "#box(grid(columns: 18, ..range(18).map(_ => box(width: 4.6mm, height: 6mm, stroke: 0.5pt))))" \
            if f.chars == 18 or "身份证" in f.label else ""
        return hint + boxes
    if f.type == "longtext":
        return hint + "".join("#line(length: 100%, stroke: 0.4pt + gray)#v(6mm)" for _ in range(f.lines))
    if f.type == "date":
        return hint + "#h(1fr)年#h(8mm)月#h(8mm)日"
    if f.type == "number":
        return hint + f"#h(1fr){_t(f.unit)}"
    if f.type in ("choice", "multichoice"):
        opts = "#h(4mm)".join(f"□{_t(c)}" for c in f.choices)
        if f.other:
            opts += f"#h(4mm)□其他{_blank('20mm')}"
        return (f"#text(size: 7.5pt, font: sans)[可多选] \\ " if f.type == "multichoice" else "") + hint + opts
    if f.type == "yesno":
        detail = f"（{_t(f.detail)}：{_blank('26mm')}）" if f.detail else ""
        return hint + f"□是{detail}#h(4mm)□否"
    if f.type == "statement":
        return hint + f"□ {_t(f.text)}"
    if f.type == "notice":
        return f"#text(size: 9.5pt)[{_t(f.text)}]"
    if f.type == "photo":
        return hint + f"#align(center, box(width: 25mm, height: 34mm, stroke: 0.6pt + gray)[#align(center + horizon)[照片 \\ （{_t(f.size)}）]])"
    return ""


def _sign(f: Field) -> str:
    hint = f"#text(size: 7.5pt, font: sans)[{_t(f.hint)}] \\ " if f.hint else ""
    if f.type == "signdate":
        return hint + f"#align(right)[#text(font: sans)[{_t(f.label)}]：{_ymd()}]"
    date = f" 日期：{_ymd()}" if f.with_date else ""
    return hint + f"#align(right)[#text(font: sans)[{_t(f.label)}]：{_blank('34mm')}{date}]"


def typst_source(form: Form, group: str) -> str:
    """A Typst document laid out like wugu's PDF of ``form`` (same rows, cells, tables and lines)."""
    landscape = form.orientation == "landscape"
    out = [
        '#let serif = "Noto Serif CJK SC"', '#let sans = "Noto Sans CJK SC"',
        f'#set page(paper: "a4", flipped: {"true" if landscape else "false"}, '
        'margin: (top: 22mm, bottom: 20mm, left: 25mm, right: 18mm), '
        f'header: context [#text(size: 9pt, font: sans)[#h(1fr){form.code}　{form.version} 版]], '
        f'footer: context [#text(size: 8pt)[{_t(group)}　{form.code} {_t(form.title)}（{form.version} 版）]'
        '#h(1fr)#text(size: 9pt, font: sans)[第 #counter(page).display() 页　共 #counter(page).final().first() 页]])',
        '#set text(font: serif, size: 10.5pt, lang: "zh", region: "cn")',
        '#set table(stroke: 0.75pt, inset: (x: 1.8mm, y: 1.2mm))',
        f'#align(center, text(font: serif, weight: "bold", size: 18pt, tracking: 0.12em)[{_t(form.title)}])',
        '#v(3mm)',
    ]
    for section in form.sections:
        view = layout_section(section, form.orientation)
        out.append(f'#table(columns: (1fr,), fill: luma(236), text(font: sans, weight: "bold", size: 11pt)[{_t(section.title)}])')
        for block in view.blocks:
            if isinstance(block, DataTable):
                f = block.field
                cols = ", ".join(f"{w}%" for w in block.widths)
                n = len(block.widths)
                head = [f'table.cell(colspan: {n}, align: left, text(font: sans, weight: "bold")[{_t(f.label)}])']
                for row in block.header:
                    head += [f'table.cell(colspan: {c}, rowspan: {r}, text(size: 9pt, font: sans)[{_t("".join(label))}])'
                             for label, c, r in row]
                body = ["[]"] * (n * f.rows)
                if f.total:
                    body += ['text(font: sans, weight: "bold")[合计]'] + ["[]"] * (n - 1)
                out.append(f"#table(columns: ({cols}), rows: 7.5mm, align: center + horizon, "
                           f"table.header({', '.join(head)}), {', '.join(body)})")
                continue
            widths = "(18%, 27%, 18%, 21%, 16%)" if block.photo else "(19%, 31%, 19%, 31%)"
            cells = []
            for row in block.rows:
                for c in row:
                    f = c.field
                    if c.kind == "label":
                        star = "\\*" if f.required else ""
                        cells.append(f'table.cell(align: center + horizon, text(font: sans, size: 10pt)[{star}{_t(f.label)}])')
                    elif c.kind in ("sign", "signdate"):
                        cells.append(f"table.cell(colspan: {c.colspan})[{_sign(f)}]")
                    else:
                        cells.append(f"table.cell(colspan: {c.colspan}, rowspan: {c.rowspan})[{_value(f)}]")
            out.append(f"#table(columns: {widths}, rows: (8.5mm), {', '.join(cells)})")
    if form.instructions:
        items = "\n".join(f"+ {_t(i)}" for i in form.instructions)
        out.append(f'#v(4mm)\n#text(size: 9pt)[#text(font: sans, weight: "bold")[填表说明]\n{items}\n\n'
                   f'用途：{_t(form.purpose)} \\ 填表：{_t(form.filled_by)}。保管：{_t(form.kept_by)}。]')
    return "\n".join(out) + "\n"


# ---- timing ----------------------------------------------------------------------------------------------------

def _median(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def _copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in CONTENT:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


def _wugu_cli(*args: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "wugu", "pdf", *args], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t


_TYPST_FONTS = ""


def _typst_init(fonts: str) -> None:
    global _TYPST_FONTS
    _TYPST_FONTS = fonts


def _typst_job(source: bytes) -> int:
    import typst

    return len(typst.compile(source, font_paths=[_TYPST_FONTS], ignore_system_fonts=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--form", default="F07", help="which form to compare (default F07 走访记录表)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (median is reported)")
    args = parser.parse_args()

    import typst

    handbook = load_handbook(ROOT)
    form = handbook.form(args.form)
    fonts = FontSet()
    builder = PdfBuilder(handbook, None, fonts=fonts)
    work = Path(tempfile.mkdtemp(prefix="wugu-bench-"))
    try:
        # Typst gets the very font files wugu subsets (the Noto CJK collections).
        font_dir = work / "fonts"
        font_dir.mkdir()
        for face in {f.path for f in fonts.faces.values()}:
            (font_dir / Path(face).name).symlink_to(face)
        source = typst_source(form, handbook.profile.name)
        (work / "form.typ").write_text(source, encoding="utf-8")

        part = builder.form_part(form)
        engine = builder.engine

        def wugu_once() -> bytes:
            builder._memo.clear()
            p = builder._form_part(form)
            for face in fonts.faces.values():  # the font subsets are part of the work, every time
                subset_face(face, p.html)
            doc = engine.layout(p.html, p.page_css)
            return engine.write(doc)

        wugu_once()  # warm up: import WeasyPrint, parse print.css, load fontconfig
        t_wugu, pdf = _median(wugu_once, args.runs)
        (work / "wugu.pdf").write_bytes(pdf)

        # All forms, both tools on two processes (what a full build does): time per form. wugu first: its pool
        # forks, which must happen before Typst starts threads in this process.
        batch = PdfBuilder(handbook, None)
        batch.render_parts([(batch.regulation_part(r), False) for r in handbook.regulations[:2]])  # start, warm
        t = time.perf_counter()
        batch.render_parts([(batch.form_part(f), False) for f in handbook.forms])
        t_wugu_batch = (time.perf_counter() - t) / len(handbook.forms)
        if batch._pool is not None:
            batch._pool.close()
        import multiprocessing

        sources = [typst_source(f, handbook.profile.name).encode() for f in handbook.forms]
        with multiprocessing.get_context("spawn").Pool(2, initializer=_typst_init, initargs=(str(font_dir),)) as pool:
            pool.map(_typst_job, sources[:2])  # start and warm both processes
            t = time.perf_counter()
            pool.map(_typst_job, sources, chunksize=1)
            t_typst_batch = (time.perf_counter() - t) / len(sources)

        def typst_once() -> bytes:
            return typst.compile(source.encode(), font_paths=[str(font_dir)], ignore_system_fonts=True)

        typst_once()
        t_typst, tpdf = _median(typst_once, args.runs)
        (work / "typst.pdf").write_bytes(tpdf)

        compiler = typst.Compiler(font_paths=[str(font_dir)], ignore_system_fonts=True)
        compiler.compile(input=source.encode())
        counter = iter(range(10**6))
        t_warm, _ = _median(lambda: compiler.compile(input=(source + f"\n// run {next(counter)}\n").encode()),
                            args.runs)

        def pages(path: Path) -> str:
            info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
            return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")

        project = _copy_project(work / "project")
        cold = _wugu_cli(str(project), "--out", str(work / "cold"), "--no-cache")
        _wugu_cli(str(project), "--out", str(work / "warm"))  # fills the cache
        unchanged = statistics.median(_wugu_cli(str(project), "--out", str(work / "warm")) for _ in range(3))
        count = len(list((work / "cold").glob("*.pdf")))

        print(f"form {form.code} {form.title}: wugu {pages(work / 'wugu.pdf')} pages "
              f"{len(pdf) // 1024} KB, Typst {pages(work / 'typst.pdf')} pages {len(tpdf) // 1024} KB")
        print(f"  wugu (WeasyPrint {__import__('weasyprint').__version__}) per form: {t_wugu * 1000:7.0f} ms")
        print(f"  Typst one-off (typst.compile)        : {t_typst * 1000:7.0f} ms   ratio wugu/Typst = "
              f"{t_wugu / t_typst:.2f}")
        print(f"  Typst warm (Compiler, incremental)   : {t_warm * 1000:7.0f} ms   ratio wugu/Typst = "
              f"{t_wugu / t_warm:.1f}")
        print(f"all {len(sources)} forms on 2 processes, per form: wugu {t_wugu_batch * 1000:.0f} ms "
              f"Typst {t_typst_batch * 1000:.0f} ms   ratio = "
              f"{t_wugu_batch / t_typst_batch:.2f}")
        print(f"all {count} PDFs (11 forms + packs) from cold, `wugu pdf --no-cache`: {cold:.2f} s")
        print(f"rebuild with nothing changed, `wugu pdf`: {unchanged:.2f} s")
        print(f"(goals: per form ≤ 1.0 × Typst; all packs cold < 10 s; no-change rebuild < 2 s; "
              f"{__import__('os').cpu_count()} cores)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Exam papers, answer sheets (答题卡) and answer keys as A4 PDFs, through the same WeasyPrint engine and font
subsets as the forms (:class:`wugu.render.pdf.Engine`, :class:`wugu.render.fonts.FontSet`).

Nothing here reads the clock: the PDFs' dates come from the content's effective date, so the same seed gives the
same bytes. The files go to their own folder (``build/exam`` by default), never into the website.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

import jinja2

from .. import __version__
from ..bank import LETTERS, ref_label
from ..escape import css_string as _css
from ..exam import SHEET_RULE, Paper
from ..model import Handbook
from ..output import inside
from ..paths import EXAM_KEY_PDF
from ..resources import templates_dir
from .fonts import FontSet
from .pdf import Engine, chinese_number

#: The marker file ``wugu exam`` leaves in its output folder (so it may replace that folder next time).
MARKER = ".wugu-exam"
#: What each version is made of: template → (name in the running header, heading). The file of a version is
#: ``exam-A-paper.pdf`` (:func:`file_name`): ASCII only, like the forms' PDFs, so it survives WeChat and zip on Windows.
DOCUMENTS = {
    "paper": ("试卷", "新志愿者岗前培训考试试卷"),
    "sheet": ("答题卡", "新志愿者岗前培训考试答题卡"),
    "key": ("答案与解析", "新志愿者岗前培训考试答案与解析"),
}

#: The paper's and the answer sheet's later pages carry 姓名 and 志愿者编号 in the header (templates/exam/
#: candidate.html.j2, a running element), so a page printed single-sided or separated while marking still says whose
#: it is; the first page has the full boxes. The centre box has a fixed width: a long group name wraps beside it.
CANDIDATE_HEADER = ("@page { @top-center { content: element(candidate); vertical-align: middle; width: 80mm; } } "
                    "@page :first { @top-center { content: none; } }")
WITH_CANDIDATE = ("paper", "sheet")


def file_name(version: str, kind: str) -> str:
    """``exam-A-paper.pdf``, ``exam-A-sheet.pdf``, ``exam-A-key.pdf``."""
    return f"exam-{version}-{kind}.pdf"


@dataclass(frozen=True)
class Written:
    """One PDF written: its path and page count."""

    path: Path
    pages: int


def _w3c_date(value: str) -> str:
    return f"{value}T00:00:00+00:00"


class ExamRenderer:
    """Renders the documents of exam papers for one handbook."""

    def __init__(self, handbook: Handbook, fonts: FontSet | None = None):
        self.handbook = handbook
        self.fonts = fonts if fonts is not None else FontSet()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir() / "exam")),
            autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
        )
        self.env.filters["cn"] = chinese_number
        self.css = (templates_dir() / "exam" / "exam.css").read_text(encoding="utf-8")

    @cached_property
    def engine(self) -> Engine:
        """WeasyPrint with the exam stylesheet and the font subsets of this renderer."""
        return Engine(self.css, self.fonts.blob)

    def html(self, paper: Paper, kind: str) -> str:
        """The HTML of one document (``paper``, ``sheet`` or ``key``) of one version."""
        suffix, heading = DOCUMENTS[kind]
        p = self.handbook.profile
        refs = {pq.question.id: "；".join(ref_label(self.handbook, t) for t in pq.question.tests)
                for pq in paper.questions}
        return self.env.get_template(f"{kind}.html.j2").render(
            profile=p, version=__version__, date=_w3c_date(p.effective_date), paper=paper, letters=LETTERS,
            heading=heading, doc_title=f"{heading}（{paper.version} 卷）", points=paper.points, sheet_rule=SHEET_RULE,
            description=f"{p.name} {heading} {paper.version} 卷", refs=refs,
            keywords=f"{heading} {EXAM_KEY_PDF}" if kind == "key" else heading,  # a key is never published
            reds=sum(q.question.red_line for q in paper.questions), pass_rule=paper.pass_rule,
        )

    def page_css(self, html: str, paper: Paper, kind: str) -> str:
        """Font subsets for exactly this document's text, and its running header and footer."""
        suffix, _ = DOCUMENTS[kind]
        left = f"{self.handbook.profile.short_name}　培训考试"
        right = f"{paper.version} 卷　{suffix}" + ("　阅卷用　考前保密" if kind == "key" else "")
        margins = (f'@page {{ @top-left {{ content: "{_css(left)}"; }} @top-right {{ content: "{_css(right)}"; }} '
                   f'@bottom-left {{ content: "{_css("试题来自本手册的题库，依据见答案与解析")}"; }} }}')
        if kind in WITH_CANDIDATE:
            margins += "\n" + CANDIDATE_HEADER
        text = html + left + right + "试题来自本手册的题库，依据见答案与解析" + "第页共✓" + self.css
        return self.fonts.stylesheet(text) + "\n" + margins

    def render(self, paper: Paper, kind: str) -> tuple[bytes, int]:
        """One document as PDF bytes, and its number of pages."""
        html = self.html(paper, kind)
        doc = self.engine.layout(html, self.page_css(html, paper, kind))
        return self.engine.write(doc), len(doc.pages)

    def write(self, papers: list[Paper], out_dir: Path, progress: Callable[[str], None] | None = None) -> list[Written]:
        """Every document of every version into ``out_dir``; returns what was written."""
        written = []
        for paper in papers:
            for kind, (name, _) in DOCUMENTS.items():
                data, pages = self.render(paper, kind)
                path = inside(out_dir, file_name(paper.version, kind))
                _write_private(path, data)
                written.append(Written(path, pages))
                if progress:
                    progress(f"已生成  {path.name}（{paper.version} 卷{name}，{pages} 页）")
        return written


def _write_private(path: Path, data: bytes) -> None:
    """Write an exam document readable by its owner only (0600): papers and answer keys are secret until the exam,
    also from the other users of a shared office PC or CI runner."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)

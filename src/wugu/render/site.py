"""The handbook website as Markdown: a pure function of the model, ``pages(handbook) -> {path: Markdown}``.

Every page the handbook needs comes from here (or from the templates shipped in the package), so an edition
folder that holds only ``wugu.yml`` and ``local/`` still gets the whole site. The pages feed mkdocs through an
``on_files`` hook (see :mod:`wugu.render.sitebuild`); nothing generated is written into a project folder.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Iterable
from urllib.parse import quote

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .. import cnformats as cn, escape, paths
from ..model import LEVELS, Field, Form, Guide, GuideRef, Handbook, Norm, NormSection, Vocab
from ..records.publish import data_dictionary
from . import search, selftest
from .jinjacache import bytecode_cache
from ..resources import templates_dir

#: Pages that are not about one regulation, norm section, form or pack.
HOME = "index.md"
REGULATIONS = "regulations/index.md"
NORMS = "norms/index.md"
FORMS = "forms/index.md"
PACKS = "packs/index.md"
TRAINING = "training.md"
GLOSSARY = "glossary.md"
ABOUT = "about.md"
GUIDES = "guides/index.md"
METHOD = "method.md"
#: The guide that "遇到紧急情况" (the strip, the tab and the callouts) leads to.
EMERGENCY_GUIDE = "emergency"

#: Vocabularies the home page explains when the content has them.
METHOD_VOCAB = "method-1204"
SUPPORTS_VOCAB = "four-supports"
CATEGORY_VOCAB = "child-category"

#: What 《中华人民共和国个人信息保护法》第二十八条 means for a form, in the handbook's own words (not a quotation).
PIPL_ARTICLE_28 = (
    "按照个人信息保护法第二十八条，一旦泄露或被滥用就可能伤害人的尊严、人身或财产安全的信息，属于敏感个人信息，"
    "例如身份证号等特定身份、健康和病情、银行账户、行踪；不满十四周岁孩子的所有个人信息也都算在内。"
    "这类信息只有目的明确、确有必要，并且有严格保护措施时才能收集和使用。"
)

#: What the 公开报道 badge on a regulation means, said on the page (not only in a tooltip).
PUBLIC_NOTE = ("标“公开报道”的制度，名称见于服务团的公开报道；报道没有公布条文，这里的条文是本手册按报道描述的做法"
               "拟定的。")

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """A number from 1 to 99 in Chinese numerals, as in 第十二条."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


#: Text from the model made safe to drop into Markdown (no accidental emphasis, links or tags).
md = escape.markdown

#: A run of digits (hyphens inside) standing on its own: not part of a longer number, word or date.
_NUMBER = re.compile(r"(?<![0-9A-Za-z.\-])[0-9][0-9-]{1,18}[0-9](?![0-9A-Za-z.\-])")


def md_tel(text: Any) -> str:
    """Like :func:`md`, and every phone number a phone can dial (110, 12355, a landline with its area code, a
    mobile) becomes a tap-to-call ``tel:`` link; blanks to write on and other numbers stay text."""
    return _NUMBER.sub(lambda m: f"[{m[0]}](tel:{m[0]})" if cn.dialable(m[0]) else m[0], md(text))


def rel(page: str, target: str) -> str:
    """The link from one docs-relative page to another (``target`` may carry ``#anchor``)."""
    path, _, anchor = target.partition("#")
    link = posixpath.relpath(path, posixpath.dirname(page) or ".")
    return link + (f"#{anchor}" if anchor else "")


def download_href(page: str, pdf_name: str) -> str:
    """The URL of a PDF in ``downloads/`` as seen from a built page (percent-encoded, relative, file:// safe)."""
    return quote(rel(paths.html_url(page), f"{paths.DOWNLOADS}/{pdf_name}"))


def norm_label(n: Norm) -> str:
    """How a norm is named in lists and links, e.g. ``规范 7``."""
    return f"规范 {n.number}"


def section_of(handbook: Handbook, norm: Norm) -> NormSection:
    """The section a norm belongs to."""
    return handbook.section(norm.section_id)


def norm_link(page: str, handbook: Handbook, norm: Norm) -> str:
    """Link from ``page`` to one norm (its anchor on its section's page)."""
    return rel(page, f"{paths.norms_page(section_of(handbook, norm))}#{norm.id}")


def guide_ref(page: str, handbook: Handbook, ref: GuideRef) -> tuple[str, str]:
    """What a guide applies, as ``(label, link from page)``: 《制度》第四条, 规范 44, 服务规范·安全, WG-F07 表名."""
    h = handbook
    label = h.applies_label(ref, cn_number)
    if ref.kind == "regulation":
        r = h.regulation(ref.id)
        return label, rel(page, paths.regulation_page(r) + (f"#clause-{ref.clause}" if ref.clause else ""))
    if ref.kind == "norm":
        return label, norm_link(page, h, h.norm(ref.id))
    if ref.kind == "section":
        return label, rel(page, paths.norms_page(h.section(ref.id)))
    if ref.kind == "guide":
        return label, rel(page, paths.guide_page(h.guide(ref.id)))
    return label, rel(page, paths.form_page(h.form(ref.id)))


def guide_download(g: Guide) -> str:
    """What a guide's download link says it downloads: 下载《紧急情况处置》卡片（PDF，1 页 A4）."""
    return f"下载《{g.title}》{'卡片（PDF，1 页 A4）' if g.card else '（PDF，A4）'}"


# ---- the form preview -----------------------------------------------------------------------------------

#: Field types that always take a whole row of the preview.
_WIDE = {"table", "statement", "notice"}


@dataclass(frozen=True)
class Cell:
    """One field placed on a row of the form preview; ``wide`` fields span the whole row."""

    field: Field
    wide: bool


def form_rows(fields: tuple[Field, ...]) -> list[list[Cell]]:
    """Lay fields out like the printed form: two half-width fields share a row, full-width ones get their own."""
    rows: list[list[Cell]] = []
    pending: Field | None = None
    for f in fields:
        if f.type in _WIDE or f.span == "full":
            if pending is not None:
                rows.append([Cell(pending, True)])
                pending = None
            rows.append([Cell(f, True)])
        elif pending is None:
            pending = f
        else:
            rows.append([Cell(pending, False), Cell(f, False)])
            pending = None
    if pending is not None:
        rows.append([Cell(pending, True)])
    return rows


def column_groups(f: Field) -> list[tuple[str | None, int]]:
    """Header groups of a table field's columns: ``[(group or None, how many columns), …]`` in order."""
    groups: list[tuple[str | None, int]] = []
    for c in f.columns:
        if groups and c.group is not None and groups[-1][0] == c.group:
            groups[-1] = (c.group, groups[-1][1] + 1)
        else:
            groups.append((c.group, 1))
    return groups


def sensitive_labels(form: Form) -> list[str]:
    """Names of the sensitive fields of a form; for tables, the sensitive columns as ``表名（列、列）``."""
    out = []
    for f in form.sensitive_fields:
        cols = [c.label for c in f.columns if c.sensitive]
        name = f.label or (f.text or "")[:12]
        out.append(f"{name}（{'、'.join(cols)}）" if cols and not f.sensitive else name)
    return out



# ---- templates ------------------------------------------------------------------------------------------

@cache
def _env(html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir() / "site")),
        undefined=StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache(),
    )
    env.filters.update(md=md, md_tel=md_tel, cn=cn_number)
    env.globals.update(
        rel=rel, download_href=download_href, norm_label=norm_label, paths=paths, levels=LEVELS,
        form_rows=form_rows, column_groups=column_groups, sensitive_labels=sensitive_labels,
        pipl_28=PIPL_ARTICLE_28, public_note=PUBLIC_NOTE, html_url=paths.html_url, section_of=section_of, norm_link=norm_link,
        guide_ref=guide_ref, guide_download=guide_download,
        data_dictionary=data_dictionary,
    )
    return env


def _render(name: str, **context: Any) -> str:
    text = _env(False).get_template(f"pages/{name}.md.j2").render(**context)
    return text.rstrip("\n") + "\n"


def _own_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """A page template may start with front matter of its own (``hide:``, ``search:``; and ``keywords: […]`` when
    the template is the page's only source, as for the red-line list and its heading). Returns it and the page."""
    if not text.startswith("---\n") or (end := text.find("\n---\n", 4)) < 0:
        return {}, text
    return dict(yaml.safe_load(text[4:end]) or {}), text[end + 5:].lstrip("\n")


def form_preview(handbook: Handbook, form: Form) -> str:
    """The HTML preview of a form that looks like the printed one (ruled table, □ boxes, blanks)."""
    html = _env(True).get_template("form.html.j2").render(form=form, profile=handbook.profile)
    # Markdown passes a raw HTML block through only while it has no blank line inside.
    return "\n".join(line for line in html.splitlines() if line.strip())


def _vocab(handbook: Handbook, vocab_id: str) -> Vocab | None:
    return next((v for v in handbook.vocabs if v.id == vocab_id), None)


def glossary_vocabs(handbook: Handbook) -> dict[str, Vocab]:
    """Glossary terms that a choice list shares its name with (四扶, 五类孤困儿童…): term id → list. The glossary
    shows such a list under its term, once, instead of a second entry of the same name."""
    by_title = {_unquoted(v.title): v for v in handbook.vocabs}
    return {t.id: by_title[_unquoted(t.term)] for t in handbook.glossary if _unquoted(t.term) in by_title}


def _unquoted(text: str) -> str:
    return text.replace("“", "").replace("”", "")


def emergency_page(handbook: Handbook) -> str | None:
    """The page "遇到紧急情况" leads to: the emergency guide (None in a handbook without one)."""
    guide = next((g for g in handbook.guides if g.id == EMERGENCY_GUIDE), None)
    return paths.guide_page(guide) if guide is not None else None


def pages(handbook: Handbook) -> dict[str, str]:
    """Every generated page of the site: docs-relative path → Markdown. Pure: same model, same pages."""
    h = handbook
    red_lines = tuple(n for n in h.norms if n.red_line)
    common = dict(h=h, profile=h.profile, red_lines=red_lines, HOME=HOME, REGULATIONS=REGULATIONS, NORMS=NORMS,
                  FORMS=FORMS, PACKS=PACKS, TRAINING=TRAINING, GLOSSARY=GLOSSARY, ABOUT=ABOUT, GUIDES=GUIDES)
    common["EMERGENCY"] = emergency_page(h)
    method, supports = _vocab(h, METHOD_VOCAB), _vocab(h, SUPPORTS_VOCAB)
    common["METHOD"] = METHOD if method else None
    common["SELF_TEST"] = selftest.PAGE if h.questions else None
    out: dict[str, str] = {}

    def add(page: str, template: str, keywords: Iterable[str] = (), **context: Any) -> None:
        """Render one page; ``keywords`` (the content's ``keywords:``) and the template's own go into its front
        matter."""
        own, body = _own_front_matter(_render(template, page=page, **common, **context))
        out[page] = search.front_matter((*own.pop("keywords", ()), *keywords), other=own) + body

    add(HOME, "home", method=method, supports=supports,
        categories=_vocab(h, CATEGORY_VOCAB), first_regulation=h.regulations[0] if h.regulations else None)
    if method:
        add(METHOD, "method", method.keywords, method=method, supports=supports,
            regulations=tuple(r for r in h.regulations if any(method.title.strip("“”") in (c.title or "") + c.text
                                                              for c in r.clauses)))
    add(REGULATIONS, "regulations")
    for r in h.regulations:
        add(paths.regulation_page(r), "regulation", r.keywords, r=r, norms=h.norms_for_regulation(r.id),
            forms=tuple(h.form(i) for i in r.form_ids),
            packs=tuple(p for p in h.packs if r.id in p.regulation_ids), guides=h.guides_for(r.id))
    add(NORMS, "norms")  # the red-line list: its words are in its template, with its heading
    for s in h.sections:
        add(paths.norms_page(s), "norm_section", (*s.keywords, *(w for n in s.norms for w in n.keywords)), s=s)
    add(FORMS, "forms")
    from .fill import fill_form  # fill mode renders the record schema too; it builds on this module

    for f in h.forms:
        add(paths.form_page(f), "form", f.keywords, f=f, preview=Markup(form_preview(h, f)),
            regulations=h.regulations_for_form(f.id), packs=h.packs_for_form(f.id), norms=h.norms_for_form(f.id))
        fill_page = paths.form_fill_page(f)
        add(fill_page, "fill", f=f, form_html=Markup(fill_form(h, f, fill_page)))
    add(PACKS, "packs")
    for p in h.packs:
        add(paths.pack_page(p), "pack", p.keywords, p=p, forms=h.pack_forms(p), regulations=h.pack_regulations(p))
    add(TRAINING, "training", categories=_vocab(h, CATEGORY_VOCAB), method=_vocab(h, METHOD_VOCAB),
        volunteer_forms=tuple(f for f in h.forms if "志愿者" in f.filled_by))
    if h.questions:  # the self-test: a page, and the bank as a classic script beside the quiz script
        add(selftest.PAGE, "selftest", draw=selftest.DRAW, count=len(h.questions), mix=selftest.mix_text(h))
    if h.guides:
        add(GUIDES, "guides")
        for g in h.guides:
            add(paths.guide_page(g), "guide", g.keywords, g=g)
    term_vocab = glossary_vocabs(h)
    # the choice lists are explained here, except the “1204” method, which has a page of its own
    add(GLOSSARY, "glossary", (w for v in h.vocabs if not (method and v.id == method.id) for w in v.keywords),
        term_vocab=term_vocab, merged_vocabs={v.id for v in term_vocab.values()})
    add(ABOUT, "about")
    return out


def assets(handbook: Handbook) -> dict[str, str]:
    """Generated files that are not pages (site-relative path → text): the question bank for the self-test."""
    return {selftest.DATA: selftest.data_script(handbook)} if handbook.questions else {}


def _training_nav(h: Handbook, method: Vocab | None) -> Any:
    """新志愿者培训 and the pages under it (the “1204” method, the self-test)."""
    items: list[Any] = [TRAINING]
    if method:
        items.append({method.title: METHOD})
    if h.questions:
        items.append({"自测练习": selftest.PAGE})
    return items if len(items) > 1 else TRAINING


def nav(handbook: Handbook) -> list[Any]:
    """The navigation (mkdocs ``nav``) for the generated pages, in reading order; "遇到紧急情况" comes last, where
    the theme shows it as a button of its own."""
    h = handbook
    method = _vocab(h, METHOD_VOCAB)
    emergency = emergency_page(h)
    return [
        {"首页": HOME},
        {"制度": [REGULATIONS, *({f"{r.number}. {r.title}": paths.regulation_page(r)} for r in h.regulations)]},
        {"服务规范": [NORMS, *({f"{cn_number(s.number)}、{s.title}": paths.norms_page(s)} for s in h.sections)]},
        {"表格": [FORMS, *({f.title: paths.form_page(f)} for f in h.forms)]},
        {"表格包": [PACKS, *({p.title: paths.pack_page(p)} for p in h.packs)]},
        {"新志愿者培训": _training_nav(h, method)},
        # the emergency guide has its own entry, "遇到紧急情况" (a page has one title in the navigation)
        *([{"实用指南": [GUIDES, *({g.title: paths.guide_page(g)} for g in h.guides
                                   if paths.guide_page(g) != emergency)]}] if h.guides else []),
        {"名词解释": GLOSSARY},
        {"关于本手册": ABOUT},
        *([{"遇到紧急情况": emergency}] if emergency else []),
    ]

"""The handbook as plain, frozen data, built only from validated input. Renderers see nothing else."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Callable

from . import facts as _facts

SOURCE_KINDS = {"law": "法律法规", "policy": "政策文件", "report": "公开报道", "handbook": "本手册拟定"}
LEVELS = (("city", "市团"), ("county", "县团"), ("township", "乡镇团"))
FIELD_TYPES = ("text", "longtext", "date", "number", "choice", "multichoice", "yesno", "table", "signature",
               "signdate", "photo", "statement", "notice")


@dataclass(frozen=True)
class Source:
    """Where an item comes from: a law article, a policy document, a public report, or the handbook itself."""

    kind: str
    title: str
    article: str | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        """How the source is cited, e.g. ``《中华人民共和国未成年人保护法》第六十二条``."""
        if self.kind == "handbook":  # the note is the maintainers' record of what the handbook adds: not printed
            return self.title
        if self.kind == "law":
            name, version = self.title.strip("《》"), ""
            if self.title.endswith("）") and "（" in self.title and "年" in self.title.rsplit("（", 1)[1]:
                name, version = self.title[:-1].rsplit("（", 1)  # 慈善法（2023 年修正） → 《慈善法》（2023 年修正）
                version = f"（{version}）"
            text = f"《{name.strip('《》')}》{version}{self.article or ''}"
        else:
            text = self.title + (f" {self.article}" if self.article else "")
        return text + (f"（{self.note.rstrip('。')}）" if self.note else "")  # never "。）"


@dataclass(frozen=True)
class Contact:
    """The group's public office contact."""

    office: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    hours: str | None = None


@dataclass(frozen=True)
class Change:
    """One entry of the content's change history."""

    version: str
    date: str
    summary: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    """The group this edition of the handbook belongs to."""

    name: str
    short_name: str
    level: str
    parent: str | None
    contact: Contact
    site_url: str | None
    content_version: str
    effective_date: str
    changes: tuple[Change, ...] = ()
    edition_base_version: str | None = None  # an edition: the base version it last recorded


@dataclass(frozen=True)
class Clause:
    """One numbered article (条) of a regulation."""

    number: int
    text: str
    title: str | None = None
    items: tuple[str, ...] = ()
    local: bool = False


@dataclass(frozen=True)
class Regulation:
    """One of the 16 regulations (制度)."""

    id: str
    number: int
    title: str
    public: bool
    purpose: str
    scope: str
    clauses: tuple[Clause, ...]
    duties: tuple[tuple[str, tuple[str, ...]], ...]  # ((level label, duties), …) in city → township order
    form_ids: tuple[str, ...]
    sources: tuple[Source, ...]
    version: str
    effective_date: str
    local: bool = False
    keywords: tuple[str, ...] = field(default=(), repr=False)  # search words; not in repr: edition.snapshot skips them


@dataclass(frozen=True)
class Norm:
    """One service norm or code of conduct (服务规范/行为准则)."""

    id: str
    number: int
    section_id: str
    rule: str
    why: str
    red_line: bool
    regulation_ids: tuple[str, ...]
    sources: tuple[Source, ...]
    local: bool = False
    form_ids: tuple[str, ...] = ()  # the forms a volunteer fills, signs or hands in to follow this norm
    keywords: tuple[str, ...] = field(default=(), repr=False)  # search words; not in repr: edition.snapshot skips them


@dataclass(frozen=True)
class NormSection:
    """A section of the norms, e.g. 隐私保护."""

    id: str
    number: int
    title: str
    intro: str
    norms: tuple[Norm, ...]
    keywords: tuple[str, ...] = field(default=(), repr=False)  # search words; not in repr: edition.snapshot skips them


@dataclass(frozen=True)
class Column:
    """A column of a table field."""

    label: str
    group: str | None = None
    width: float = 1.0
    sensitive: bool = False
    key: str = ""  # the column's name in a record's rows (stable when the label changes)


@dataclass(frozen=True)
class Field:
    """One field of a form. Which attributes matter depends on ``type`` (see ``schemas/form.schema.json``)."""

    type: str
    label: str = ""
    required: bool = False
    hint: str | None = None
    sensitive: bool = False
    span: str = "half"
    choices: tuple[str, ...] = ()
    vocab_id: str | None = None
    other: bool = False
    chars: int | None = None
    lines: int = 3
    unit: str | None = None
    detail: str | None = None
    columns: tuple[Column, ...] = ()
    rows: int = 0
    total: bool = False
    with_date: bool = True
    seal: bool = False
    size: str | None = None
    text: str | None = None
    key: str = ""  # the field's name in a filled record (stable when the label changes); notices have none
    short: str | None = None  # a statement's short name for Excel headers and messages (not printed on paper)
    format: str | None = None  # id-number, mobile or phone: checked beyond the type (see wugu.cnformats)
    form_date: bool = False  # this date is the form's 填表日期: a filled record prints it in the header


@dataclass(frozen=True)
class FormSection:
    """A titled block of fields on a form."""

    title: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Form:
    """One standard paper form (表)."""

    id: str
    code: str
    version: str
    title: str
    purpose: str
    filled_by: str
    kept_by: str
    retention: str | None
    orientation: str
    instructions: tuple[str, ...]
    sections: tuple[FormSection, ...]
    sources: tuple[Source, ...]
    local: bool = False
    fillable: bool = False  # PDF with form fields that can be filled in on a computer (opt-in: embeds a whole font)
    keywords: tuple[str, ...] = field(default=(), repr=False)  # search words; not in repr: edition.snapshot skips them

    @property
    def fields(self) -> tuple[Field, ...]:
        """All fields, in order, across sections."""
        return tuple(f for s in self.sections for f in s.fields)

    @property
    def sensitive_fields(self) -> tuple[Field, ...]:
        """Fields (or tables with columns) that hold sensitive personal information."""
        return tuple(f for f in self.fields if f.sensitive or any(c.sensitive for c in f.columns))

    @property
    def has_sensitive(self) -> bool:
        """True if the form collects any sensitive personal information (it then carries a notice)."""
        return bool(self.sensitive_fields)


@dataclass(frozen=True)
class Pack:
    """A printable bundle of forms (and regulations) for one audience."""

    id: str
    title: str
    audience: str
    purpose: str
    form_ids: tuple[str, ...]
    regulation_ids: tuple[str, ...]
    local: bool = False
    red_lines: bool = False  # the pack carries the list of red lines
    guide_ids: tuple[str, ...] = ()  # practice guides printed in the pack (e.g. the emergency card)
    keywords: tuple[str, ...] = field(default=(), repr=False)  # search words; not in repr: edition.snapshot skips them


@dataclass(frozen=True)
class VocabItem:
    """One option of a shared choice list."""

    label: str
    note: str | None = None


@dataclass(frozen=True)
class Vocab:
    """A shared choice list (the five categories, school stages, …)."""

    id: str
    title: str
    intro: str | None
    items: tuple[VocabItem, ...]
    sources: tuple[Source, ...]
    keywords: tuple[str, ...] = field(default=(), repr=False)  # search words; not in repr: edition.snapshot skips them


@dataclass(frozen=True)
class Term:
    """A glossary term with its official definition and the variant spellings ``wugu check`` warns about."""

    id: str
    term: str
    definition: str
    sources: tuple[Source, ...]
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    """A fact stated in many places (a deadline, a retention period…), defined once in ``facts.yml``.

    ``value`` is final text (references inside it resolved); ``local`` when an edition changed it.
    """

    name: str
    value: str
    note: str | None
    sources: tuple[Source, ...]
    local: bool = False


@dataclass(frozen=True)
class GuideItem:
    """One step or point of a practice guide; ``label`` is its bold lead (a phone number, “事前”…)."""

    text: str
    label: str | None = None


@dataclass(frozen=True)
class GuideRef:
    """What a guide applies: a regulation (optionally one clause), a norm, a norm section, a form or another guide."""

    kind: str  # regulation / norm / section / form / guide
    id: str
    clause: int | None = None


@dataclass(frozen=True)
class GuideSection:
    """A titled part of a guide; ``style`` says how its items read (steps, list, dont, check, table)."""

    title: str
    style: str
    intro: str | None
    items: tuple[GuideItem, ...]
    applies: tuple[GuideRef, ...] = ()
    columns: tuple[str, str] = ("事项", "怎么做")


@dataclass(frozen=True)
class Guide:
    """A practice guide (实用指南): what a volunteer does in one situation, tied to the rules it applies."""

    id: str
    order: int
    title: str
    summary: str
    audience: str
    card: bool
    sections: tuple[GuideSection, ...]
    applies: tuple[GuideRef, ...]
    sources: tuple[Source, ...]
    version: str
    local: bool = False
    keywords: tuple[str, ...] = field(default=(), repr=False)  # search words; not in repr: edition.snapshot skips them

    @property
    def all_applies(self) -> tuple[GuideRef, ...]:
        """Everything the guide applies, the guide's own list first, then each section's, without repeats."""
        seen: dict[GuideRef, None] = {}
        for ref in (*self.applies, *(r for s in self.sections for r in s.applies)):
            seen.setdefault(ref, None)
        return tuple(seen)


@dataclass(frozen=True)
class BaseChange:
    """In an edition: one difference between the base it recorded and the base now installed."""

    kind: str      # 制度 / 条款 / 规范 / 表格 / 表格包
    id: str
    title: str
    what: str      # 新增 / 修改 / 删除
    overridden: bool = False  # the edition changes this clause itself: review it

    @property
    def code(self) -> str:
        """The id as people read it: ``R10 第1条`` for a clause (stored as ``R10#1``), else the id."""
        reg, _, clause = self.id.partition("#")
        return f"{reg} 第{clause}条" if clause else self.id


#: Question types of the training bank, with the names used on papers and in exports.
QUESTION_TYPES = {"single": "单选题", "multiple": "多选题", "truefalse": "判断题", "scenario": "情景题"}
#: The two "options" of a true/false question.
TRUE_FALSE = ("对", "错")


@dataclass(frozen=True)
class Question:
    """One question of the training bank. Every type is held as a choice: a true/false question has the options
    ``对``/``错``; ``answer`` holds the indices of the right options."""

    id: str
    section_id: str
    type: str
    stem: str
    options: tuple[str, ...]
    answer: tuple[int, ...]
    explain: str
    tests: tuple[str, ...]  # norm ids (N13) and clauses (R07.1)
    difficulty: str
    situation: str | None = None
    red_line: bool = False  # it tests a red-line norm
    local: bool = False
    paper: bool = True  # drawn for printed papers (false: self-test only, e.g. the paper's instructions answer it)

    @property
    def multiple(self) -> bool:
        """True when more than one option may be right (answered with check boxes)."""
        return self.type == "multiple" or len(self.answer) > 1

    @property
    def kind_label(self) -> str:
        """单选题 / 多选题 / 判断题 / 情景题."""
        return QUESTION_TYPES[self.type]


@dataclass(frozen=True)
class Handbook:
    """The whole validated handbook. Lists are sorted (regulations and norms by number, forms by id)."""

    profile: Profile
    regulations: tuple[Regulation, ...]
    sections: tuple[NormSection, ...]
    forms: tuple[Form, ...]
    packs: tuple[Pack, ...]
    vocabs: tuple[Vocab, ...] = ()
    glossary: tuple[Term, ...] = ()
    guides: tuple[Guide, ...] = ()
    base_version: str | None = None  # an edition: the version of the installed base it builds on
    base_changes: tuple[BaseChange, ...] = ()  # an edition: base changes not yet recorded (wugu changes)
    questions: tuple[Question, ...] = ()  # the training bank, in section then id order
    facts: tuple[Fact, ...] = ()

    def has_fact(self, name: str) -> bool:
        """True if the handbook defines the fact (a template asks before it prints an optional one)."""
        return any(f.name == name for f in self.facts)

    def fact(self, name: str) -> str:
        """The final text of a fact, for templates: ``{{ h.fact("紧急报告途径") }}``."""
        for f in self.facts:
            if f.name == name:
                return f.value
        raise KeyError(f"fact {name} is not defined in facts.yml")

    @cached_property
    def norms(self) -> tuple[Norm, ...]:
        """All norms in number order."""
        return tuple(sorted((n for s in self.sections for n in s.norms), key=lambda n: n.number))

    @cached_property
    def _index(self) -> dict[str, Any]:
        items: list[Any] = [*self.regulations, *self.sections, *self.norms, *self.forms, *self.packs, *self.vocabs,
                            *self.glossary]
        return {x.id: x for x in items}

    def regulation(self, id: str) -> Regulation:
        """The regulation with this id."""
        return self._index[id]

    def norm(self, id: str) -> Norm:
        """The norm with this id."""
        return self._index[id]

    def form(self, id: str) -> Form:
        """The form with this id."""
        return self._index[id]

    def pack(self, id: str) -> Pack:
        """The pack with this id."""
        return self._index[id]

    def vocab(self, id: str) -> Vocab:
        """The shared choice list with this id."""
        return self._index[id]

    def section(self, id: str) -> NormSection:
        """The norm section with this id."""
        return self._index[id]

    def guide(self, id: str) -> Guide:
        """The practice guide with this id."""
        return next(g for g in self.guides if g.id == id)

    def guides_for(self, target_id: str) -> tuple[Guide, ...]:
        """Guides that apply a regulation (or one of its clauses), a norm, a norm section or a form."""
        return tuple(g for g in self.guides if any(r.id == target_id for r in g.all_applies))

    def norms_for_regulation(self, regulation_id: str) -> tuple[Norm, ...]:
        """Norms that serve a regulation (the reverse of ``Norm.regulation_ids``)."""
        return tuple(n for n in self.norms if regulation_id in n.regulation_ids)

    def norms_for_form(self, form_id: str) -> tuple[Norm, ...]:
        """Norms carried out with a form (the reverse of ``Norm.form_ids``)."""
        return tuple(n for n in self.norms if form_id in n.form_ids)

    def regulations_for_form(self, form_id: str) -> tuple[Regulation, ...]:
        """Regulations that name a form."""
        return tuple(r for r in self.regulations if form_id in r.form_ids)

    def packs_for_form(self, form_id: str) -> tuple[Pack, ...]:
        """Packs that contain a form."""
        return tuple(p for p in self.packs if form_id in p.form_ids)

    def pack_forms(self, pack: Pack) -> tuple[Form, ...]:
        """The forms of a pack, in print order."""
        return tuple(self.form(i) for i in pack.form_ids)

    def pack_regulations(self, pack: Pack) -> tuple[Regulation, ...]:
        """The regulations printed with a pack."""
        return tuple(self.regulation(i) for i in pack.regulation_ids)

    def pack_guides(self, pack: Pack) -> tuple[Guide, ...]:
        """The practice guides printed with a pack, in its order."""
        return tuple(self.guide(i) for i in pack.guide_ids)

    def packs_for_guide(self, guide_id: str) -> tuple[Pack, ...]:
        """Packs that print a practice guide."""
        return tuple(p for p in self.packs if guide_id in p.guide_ids)

    def guide_applies(self, guide: Guide) -> tuple[GuideRef, ...]:
        """What a guide applies, as its 依据 list prints it: each thing once, regulations in number order (a whole
        regulation left out where clauses of it are listed; clauses in order), then norm sections, norms in number
        order, forms, other guides."""
        refs = guide.all_applies
        with_clauses = {r.id for r in refs if r.kind == "regulation" and r.clause is not None}
        order = {kind: {x.id: i for i, x in enumerate(items)} for kind, items in (
            ("regulation", self.regulations), ("section", self.sections), ("norm", self.norms),
            ("form", self.forms), ("guide", self.guides))}
        kinds = tuple(order)
        kept = [r for r in refs if not (r.kind == "regulation" and r.clause is None and r.id in with_clauses)]
        return tuple(sorted(kept, key=lambda r: (kinds.index(r.kind), order[r.kind].get(r.id, len(order[r.kind])),
                                                 r.clause or 0)))

    def guide_applies_short(self, guide: Guide, number: Callable[[int], str]) -> tuple[str, ...]:
        """The 依据 list of a one-page card, as short as it reads: a regulation's clauses in one item
        (《制度》第四、五、九条), norms by number in one item (规范 9、25、44), then the rest."""
        out: list[str] = []
        norms: list[str] = []
        clauses: dict[str, list[int]] = {}
        for ref in self.guide_applies(guide):
            if ref.kind == "regulation" and ref.clause is not None:
                if ref.id not in clauses:
                    clauses[ref.id] = []
                    out.append(ref.id)
                clauses[ref.id].append(ref.clause)
            elif ref.kind == "norm":
                norms.append(str(self.norm(ref.id).number))
            else:
                out.append(self.applies_label(ref, number))
        shown = [f"《{self.regulation(x).title}》第{'、'.join(number(c) for c in clauses[x])}条" if x in clauses else x
                 for x in out]
        return (*shown, *(("规范 " + "、".join(norms),) if norms else ()))

    def applies_label(self, ref: GuideRef, number: Callable[[int], str]) -> str:
        """What a guide applies, as people read it (``number`` writes 4 as 四): 《制度》第四条（标题）, 规范 44　…,
        服务规范·安全, 实用指南：…, WG-F07 表名."""
        if ref.kind == "regulation":
            r = self.regulation(ref.id)
            if ref.clause is None:
                return f"《{r.title}》"
            clause = r.clauses[ref.clause - 1]
            named = f"（{clause.title}）" if clause.title else ""
            return f"《{r.title}》第{number(ref.clause)}条{named}"
        if ref.kind == "norm":
            n = self.norm(ref.id)
            return f"规范 {n.number}　{n.rule.rstrip('。')}"  # a list follows: ；, not 。；
        if ref.kind == "section":
            return f"服务规范·{self.section(ref.id).title}"
        if ref.kind == "guide":
            return f"实用指南：{self.guide(ref.id).title}"
        f = self.form(ref.id)
        return f"{f.code} {f.title}"

    @property
    def printed_guides(self) -> tuple[Guide, ...]:
        """Guides that have a PDF of their own in ``downloads/``: every one-page card, and every guide a pack
        prints (its pages are laid out for the pack anyway)."""
        return tuple(g for g in self.guides if g.card or self.packs_for_guide(g.id))


# ---- building the model from validated data -------------------------------------------------------------

def _sources(data: list[dict[str, Any]]) -> tuple[Source, ...]:
    return tuple(Source(s["kind"], s["title"], s.get("article"), s.get("note")) for s in data)


def _keywords(d: dict[str, Any]) -> tuple[str, ...]:
    """The search keywords of an item (checked by wugu.validate.keywords), without surrounding spaces."""
    return tuple(w.strip() for w in d.get("keywords", ()))


def build_profile(d: dict[str, Any]) -> Profile:
    """The profile from validated ``wugu.yml`` data."""
    c = d.get("contact", {})
    return Profile(
        name=d["name"], short_name=d["short_name"], level=d["level"], parent=d.get("parent"),
        contact=Contact(c.get("office"), c.get("address"), c.get("phone"), c.get("email"), c.get("hours")),
        site_url=d.get("site_url"), content_version=d["content_version"], effective_date=d["effective_date"],
        changes=tuple(Change(x["version"], x["date"], tuple(x["summary"])) for x in d.get("changes", [])),
        edition_base_version=d.get("edition", {}).get("base_version"),
    )


def vocab_items(vocab: Vocab) -> tuple[str, ...]:
    """A choice list as a clause's items, "名称：说明" each: a clause with ``vocab:`` states the list's own words,
    so a regulation, the home page and the glossary cannot describe the same categories differently."""
    return tuple(f"{i.label}：{i.note}" if i.note else i.label for i in vocab.items)


def build_regulation(d: dict[str, Any], vocabs: dict[str, Vocab] | None = None, local: bool = False) -> Regulation:
    """A regulation from validated data; a clause's ``vocab`` reference becomes its items."""
    vocabs = vocabs or {}
    clauses = tuple(Clause(i, c["text"], c.get("title"),
                           vocab_items(vocabs[c["vocab"]]) if c.get("vocab") in vocabs else tuple(c.get("items", ())))
                    for i, c in enumerate(d["clauses"], 1))
    duties = tuple((label, tuple(d["duties"][key])) for key, label in LEVELS if d["duties"].get(key))
    return Regulation(
        id=d["id"], number=d["number"], title=d["title"], public=d.get("public", False), purpose=d["purpose"],
        scope=d["scope"], clauses=clauses, duties=duties, form_ids=tuple(d.get("forms", ())),
        sources=_sources(d["sources"]), version=d["version"], effective_date=d["effective_date"], local=local,
        keywords=_keywords(d),
    )


def build_norm(n: dict[str, Any], section_id: str, local: bool = False) -> Norm:
    """One norm from validated data."""
    return Norm(n["id"], n["number"], section_id, n["rule"], n["why"], n.get("red_line", False),
                tuple(n["regulations"]), _sources(n["sources"]), local, tuple(n.get("forms", ())), _keywords(n))


def build_section(d: dict[str, Any], local: bool = False) -> NormSection:
    """A norm section (with its norms) from validated data."""
    norms = tuple(build_norm(n, d["id"], local) for n in d["norms"])
    return NormSection(d["id"], d["number"], d["title"], d["intro"], tuple(sorted(norms, key=lambda n: n.number)),
                       _keywords(d))


def build_field(d: dict[str, Any], vocabs: dict[str, Vocab]) -> Field:
    """A form field; a ``vocab`` reference is resolved into its choices."""
    choices = tuple(d.get("choices", ()))
    if "vocab" in d:
        choices = tuple(i.label for i in vocabs[d["vocab"]].items)
    default_span = "half" if d["type"] in ("text", "date", "number", "yesno", "signdate") else "full"
    return Field(
        type=d["type"], label=d.get("label", ""), required=d.get("required", False), hint=d.get("hint"),
        sensitive=d.get("sensitive", False), span=d.get("span", default_span), choices=choices,
        vocab_id=d.get("vocab"), other=d.get("other", False), chars=d.get("chars"), lines=d.get("lines", 3),
        unit=d.get("unit"), detail=d.get("detail"),
        columns=tuple(Column(c["label"], c.get("group"), float(c.get("width", 1)), c.get("sensitive", False),
                             c.get("key", "")) for c in d.get("columns", ())),
        rows=d.get("rows", 0), total=d.get("total", False), with_date=d.get("with_date", True),
        seal=d.get("seal", False), size=d.get("size"),
        text=d.get("text"), key=d.get("key", ""), format=d.get("format"), form_date=d.get("form_date", False),
        short=d.get("short"),
    )


def build_form(d: dict[str, Any], vocabs: dict[str, Vocab], local: bool = False) -> Form:
    """A form from validated data."""
    sections = tuple(FormSection(s["title"], tuple(build_field(f, vocabs) for f in s["fields"]))
                     for s in d["sections"])
    return Form(
        id=d["id"], code=d["code"], version=d["version"], title=d["title"], purpose=d["purpose"],
        filled_by=d["filled_by"], kept_by=d["kept_by"], retention=d.get("retention"),
        orientation=d.get("orientation", "portrait"), instructions=tuple(d.get("instructions", ())),
        sections=sections, sources=_sources(d["sources"]), local=local, fillable=d.get("fillable", False),
        keywords=_keywords(d),
    )


def build_pack(d: dict[str, Any], local: bool = False) -> Pack:
    """A pack from validated data."""
    return Pack(d["id"], d["title"], d["audience"], d["purpose"], tuple(d["forms"]), tuple(d.get("regulations", ())),
                local, d.get("red_lines", False), tuple(d.get("guides", ())), _keywords(d))


def build_vocab(d: dict[str, Any]) -> Vocab:
    """A shared choice list from validated data."""
    return Vocab(d["id"], d["title"], d.get("intro"), tuple(VocabItem(i["label"], i.get("note")) for i in d["items"]),
                 _sources(d["sources"]), _keywords(d))


def build_glossary(d: dict[str, Any]) -> tuple[Term, ...]:
    """Glossary terms from validated data."""
    return tuple(Term(t["id"], t["term"], t["definition"], _sources(t["sources"]), tuple(t.get("variants", ())))
                 for t in d["terms"])


def build_facts(docs: list[tuple[str, Any, bool]], values: dict[str, str]) -> tuple[Fact, ...]:
    """Every fact with its final value, in ``facts.yml`` order; an edition's changed ones marked ``local``."""
    changed = {f["name"] for kind, d, _ in docs if kind == "overrides" for f in d.get("facts", ())}
    return tuple(Fact(f["name"], _facts.resolve(values[f["name"]], values), f.get("note"), _sources(f["sources"]),
                      f["name"] in changed)
                 for kind, d, _ in docs if kind == "facts" for f in d["facts"])


def build_guide(d: dict[str, Any], kinds: dict[str, str], local: bool = False) -> Guide:
    """A practice guide from validated data; ``kinds`` maps every linkable id to its kind (ids not in it — a form
    an edition hides — are left out)."""
    def refs(items: Any) -> tuple[GuideRef, ...]:
        out = []
        for ref in items or ():
            target, _, clause = ref.partition("#")
            if target in kinds:
                out.append(GuideRef(kinds[target], target, int(clause) if clause else None))
        return tuple(out)

    def item(i: Any) -> GuideItem:
        return GuideItem(i) if isinstance(i, str) else GuideItem(i["text"], i["label"])

    sections = tuple(GuideSection(s["title"], s.get("style", "list"), s.get("intro"),
                                  tuple(item(i) for i in s["items"]), refs(s.get("applies")),
                                  tuple(s.get("columns", ("事项", "怎么做"))))
                     for s in d["sections"])
    return Guide(id=d["id"], order=d.get("order", 100), title=d["title"], summary=d["summary"],
                 audience=d["audience"], card=d.get("card", False), sections=sections, applies=refs(d["applies"]),
                 sources=_sources(d["sources"]), version=d["version"], local=local, keywords=_keywords(d))
def _answer(d: dict[str, Any], options: tuple[str, ...]) -> tuple[int, ...]:
    raw = d["answer"]
    if d["type"] == "truefalse":
        return (TRUE_FALSE.index(raw),)
    letters = [raw] if isinstance(raw, str) else raw
    return tuple(sorted(ord(x) - ord("A") for x in letters))


def build_question(d: dict[str, Any], section_id: str, red_lines: frozenset[str], local: bool = False) -> Question:
    """One question from validated data; ``red_lines`` holds the ids of the red-line norms."""
    options = TRUE_FALSE if d["type"] == "truefalse" else tuple(d["options"])
    tests = tuple(d["tests"])
    return Question(
        id=d["id"], section_id=section_id, type=d["type"], stem=d["stem"], options=options,
        answer=_answer(d, options), explain=d["explain"], tests=tests, difficulty=d["difficulty"],
        situation=d.get("situation"), red_line=any(t in red_lines for t in tests), local=local,
        paper=d.get("paper", True),
    )


def review_fact_values(docs: list[tuple[str, Any, bool]]) -> dict[str, str]:
    """The facts as the base handbook states them (``facts.yml`` and the base ``wugu.yml``), whatever an edition
    sets: a question's review fingerprints the rules it tests with these, so an edition's own phone numbers or
    deadlines do not make every base question look changed (a clause the edition rewrites is flagged apart)."""
    edition = any(kind == "base_profile" for kind, _, _ in docs)
    base = "base_profile" if edition else "profile"
    return _facts.table([("profile" if kind == base else kind, data) for kind, data, local in docs
                         if (kind == "facts" and not local) or kind == base])


def build_handbook(docs: list[tuple[str, Any, bool]], fact_values: dict[str, str] | None = None) -> Handbook:
    """The whole handbook from ``(kind, validated data, local?)`` triples that passed every check.

    In an edition, local files are marked ``local`` and ``overrides`` are applied: changed clauses, added norms,
    hidden forms and packs. ``fact_values`` replaces the facts' values (see :func:`review_fact_values`).
    """
    values = _facts.table([(kind, data) for kind, data, _ in docs]) if fact_values is None else fact_values
    facts = build_facts(docs, values)
    by_kind: dict[str, list[tuple[Any, bool]]] = {}
    for kind, data, local in docs:  # every 【名称】 becomes the fact's text before anything is built
        by_kind.setdefault(kind, []).append((_facts.resolve_tree(data, values) if values else data, local))
    vocabs = {v.id: v for v in (build_vocab(d) for d, _ in by_kind.get("vocab", []))}
    glossary = tuple(t for d, _ in by_kind.get("glossary", []) for t in build_glossary(d))
    overrides = [d for d, _ in by_kind.get("overrides", [])]
    hidden = {i for o in overrides for i in (*o.get("hide_forms", ()), *o.get("hide_packs", ()))}
    regulations = [_override_clauses(build_regulation(d, vocabs, local), overrides)
                   for d, local in by_kind.get("regulation", [])]
    regulations = [replace(r, form_ids=tuple(i for i in r.form_ids if i not in hidden)) for r in regulations]
    sections = [build_section(d, local) for d, local in by_kind.get("norms", [])]
    sections = [_add_norms(s, overrides) for s in sections]
    sections = [replace(s, norms=tuple(replace(n, form_ids=tuple(i for i in n.form_ids if i not in hidden))
                                       for n in s.norms)) for s in sections]
    base = by_kind.get("base_profile")
    forms = tuple(sorted((build_form(d, vocabs, local) for d, local in by_kind.get("form", []) if d["id"] not in hidden),
                         key=lambda f: f.id))
    kinds = {**{r.id: "regulation" for r in regulations}, **{s.id: "section" for s in sections},
             **{n.id: "norm" for s in sections for n in s.norms}, **{f.id: "form" for f in forms},
             **{d["id"]: "guide" for d, _ in by_kind.get("guide", [])}}
    guides = tuple(sorted((build_guide(d, kinds, local) for d, local in by_kind.get("guide", [])),
                          key=lambda g: (g.order, g.id)))
    red_lines = frozenset(n.id for s in sections for n in s.norms if n.red_line)
    hidden_questions = {i for o in overrides for i in o.get("hide_questions", ())}
    questions = [build_question(q, d["section"], red_lines, local) for d, local in by_kind.get("question", [])
                 for q in d["questions"] if q["id"] not in hidden_questions]
    order = {s.id: s.number for s in sections}
    return Handbook(
        profile=build_profile(by_kind["profile"][0][0]),
        regulations=tuple(sorted(regulations, key=lambda r: r.number)),
        sections=tuple(sorted(sections, key=lambda s: s.number)),
        forms=forms,
        packs=tuple(sorted((build_pack(d, local) for d, local in by_kind.get("pack", []) if d["id"] not in hidden),
                           key=lambda p: p.id)),
        vocabs=tuple(sorted(vocabs.values(), key=lambda v: v.id)),
        glossary=glossary,
        guides=guides,
        base_version=base[0][0]["content_version"] if base else None,
        questions=tuple(sorted(questions, key=lambda q: (order.get(q.section_id, 0), q.local, q.id))),
        facts=facts,
    )


def _override_clauses(r: Regulation, overrides: list[dict[str, Any]]) -> Regulation:
    changes = {c["clause"]: c for o in overrides for c in o.get("clauses", ()) if c["regulation"] == r.id}
    if not changes:
        return r
    clauses = tuple(
        Clause(c.number, changes[c.number]["text"], changes[c.number].get("title", c.title),
               tuple(changes[c.number].get("items", ())), local=True) if c.number in changes else c
        for c in r.clauses
    )
    return replace(r, clauses=clauses)


def _add_norms(s: NormSection, overrides: list[dict[str, Any]]) -> NormSection:
    added = tuple(build_norm(n, s.id, local=True) for o in overrides for n in o.get("add_norms", ())
                  if n["section"] == s.id)
    if not added:
        return s
    return replace(s, norms=tuple(sorted(s.norms + added, key=lambda n: n.number)))

"""Statistics from records: child surveys (WG-F04, with pairings WG-F06) → the statistics table (WG-F05) per township;
township F05 returns → one county F05. Counts only — no names, no child numbers.

The F05 columns are counted as the form's own instructions say: 儿童总数 are the children taken into care (the
township's decision is 纳入帮扶 or not yet written); categories may count a child more than once; 学前 covers 未入园
and 幼儿园, 高中及以上 covers 高中, 中职 and 大专及以上, 其他 covers 辍学, 不在学 and an unknown stage; 重点关注 counts
safety risk 需关注 or 紧急. A cell below the threshold in F05's own rule (“小于 5 的不单独公布”) is marked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..model import Form, Handbook
from .read import TOTAL, Record
from .schema import missing_required

#: F05 column key → the school stages (vocab school-stage) it counts.
STAGES = {"preschool": ("未入园", "幼儿园"), "primary": ("小学",), "junior_high": ("初中",),
          "senior_high_up": ("高中", "中职", "大专及以上"), "other_stage": ("辍学", "不在学")}
#: Township decisions (F04 乡镇团意见) that keep a surveyed child out of 儿童总数.
NOT_TAKEN = ("暂不纳入", "转介其他部门")
WATCH = ("需关注", "紧急")


def still_to_fill(f05: Form, record: dict[str, Any]) -> str | None:
    """What the office still fills in on a statistics table wugu made (signatures, phone, 报出日期), and that
    ``wugu records check`` reports these as missing until then; None when nothing is missing."""
    todo = missing_required(f05, record)
    if not todo:
        return None
    signs = [f for f in todo if f.type == "signature"]
    parts = []
    if signs:
        parts.append("、".join(f.label for f in signs) + "在打印出的统计表上签好" + ("、盖章" if any(f.seal for f in signs) else "")
                     + "后，在 Excel 里选“是”")
    others = [f.label for f in todo if f.type != "signature"]
    if others:
        parts.append("写上" + "、".join(others))
    return ("还要填写（Excel 里是橙色格子）：" + "；".join(parts) + "。填好以前，wugu records check 检查这个文件会报"
            "这几栏没填（E714）；填好、检查通过后再报出。")


def small_threshold(f05: Form) -> int | None:
    """The number below which F05's own instructions keep a count from being published alone (e.g. 5)."""
    for line in f05.instructions:
        m = re.search(r"小于\s*(\d+)", line)
        if m:
            return int(m.group(1))
    return None


#: F05 columns that child surveys cannot count, left for the office to fill: 村数, children found whose guardian
#: did not agree to a file (no survey exists for them), and the month's home visits and calls (from visit logs).
OFFICE_COLUMNS = frozenset({"villages", "no_consent", "visits", "calls"})


def count_columns(f05: Form) -> list[str]:
    """The keys of F05's count columns (every column of its table but the township)."""
    table = next(f for f in f05.fields if f.type == "table")
    return [c.key for c in table.columns if c.key != "township"]


def category_columns(f05: Form, f04: Form) -> dict[str, str]:
    """F05 category column key → the F04 category label it counts (the column label is the category's short name)."""
    table = next(f for f in f05.fields if f.type == "table")
    cats = next(f for f in f04.fields if f.key == "categories").choices
    out = {}
    for c in table.columns:
        match = [v for v in cats if v.startswith(c.label)]
        if c.group and "类别" in c.group and match:
            out[c.key] = match[0]
    return out


def month_end(text: str | None, today: date | None = None) -> str:
    """The F05 统计月份 as a date: the last day of the month written (2026-11, 2026/11, 2026 年 11 月, 2026-11-30),
    or of last month when nothing is written (F05: 统计截至上月末). ValueError when the text is not a month."""
    if text is None:
        first = (today or date.today()).replace(day=1)
        return (first - timedelta(days=1)).isoformat()
    m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月|[-/.]\s*\d{1,2}\s*日?)?\s*", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(text)
    year, month = int(m.group(1)), int(m.group(2))
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).isoformat()


@dataclass
class Stats:
    """An F05 record built from records, and which cells are small."""

    record: dict[str, Any]
    small_below: int | None
    sources: dict[str, int] = field(default_factory=dict)  # form code → records used
    units: list[tuple[str, str]] = field(default_factory=list)  # township returns: (填报单位, file) of each
    notes: list[str] = field(default_factory=list)  # what the office should look at (names that may be one township)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """One row of counts per township."""
        return self.record["townships"]

    def display_record(self) -> dict[str, Any]:
        """The F05 record as printed: small counts carry ＊, explained in the remarks."""
        rows = []
        for row in self.rows:
            shown: dict[str, Any] = {"township": row["township"]}
            for k, v in row.items():
                if k != "township" and isinstance(v, int):
                    shown[k] = f"{v}＊" if self.small_below and 0 < v < self.small_below else str(v)
            rows.append(shown)
        note = (f"＊ 小于 {self.small_below}：对外发布时不单独公布，并入上一级汇总（本表填表说明）。"
                if self.small_below and any("＊" in str(v) for r in rows for v in r.values()) else "")
        out = {**self.record, "townships": rows}
        if note:
            out["remarks"] = (str(self.record.get("remarks", "")) + " " + note).strip()
        return out

    def summary_lines(self) -> list[str]:
        """A few lines for the terminal: counts per township, no names."""
        lines = []
        for row in self.rows:
            lines.append(f"  {row['township']}：儿童 {row.get('children', 0)} 人（已结对 {row.get('paired', 0)}，"
                         f"重点关注 {row.get('watch', 0)}）")
        total = sum(int(r.get("children", 0)) for r in self.rows)
        lines.append(f"  合计：{len(self.rows)} 个乡镇（街道），儿童 {total} 人")
        if self.units:
            lines.append("  报送单位：" + "、".join(f"{u or '（没写填报单位）'}（{f}）" for u, f in self.units))
        return lines + self.notes


def township_name(value: Any) -> str:
    """A township as written, blanks (also full-width ones) between Chinese characters taken out: “北 镇” is 北镇
    (anything else is kept as written, ends trimmed)."""
    text = str(value or "").strip()
    return re.sub(r"\s+", "", text) if re.fullmatch(r"[\u4e00-\u9fff\s]+", text) else text


def alike_townships(names: list[str]) -> list[str]:
    """Notices for townships that may be one written two ways (北镇, 北镇人民政府): each counted on its own row."""
    out = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            short, long = sorted((a, b), key=len)
            if len(short) >= 2 and long.startswith(short):
                out.append(f"提示：“{short}”和“{long}”像是同一个乡镇（街道）的两种写法，现在分成两行统计；"
                           "是同一个的，把记录里的写法改成一样，再统计")
    return out


def from_surveys(handbook: Handbook, records: list[tuple[Record, Form]], month: str) -> Stats:
    """Count child surveys (and pairings) per township into an F05 record."""
    f05, f04 = handbook.form("F05"), handbook.form("F04")
    cols = count_columns(f05)
    cats = category_columns(f05, f04)
    pairings = [str(r.data.get("child_no")).strip() for r, f in records if f.id == "F06" and r.data.get("child_no")]
    paired = set(pairings)
    rows: dict[str, dict[str, int]] = {}
    used = {"WG-F04": 0, "WG-F06": len([1 for _, f in records if f.id == "F06"])}
    unstaged = later = undecided = 0
    for r, f in records:
        if f.id != "F04":
            continue
        d = r.data
        if str(d.get("survey_date") or "") > month:  # surveyed after the month counted: next month's return
            later += 1
            continue
        used["WG-F04"] += 1
        undecided += not d.get("township_decision")
        row = rows.setdefault(township_name(d["township"]), {k: 0 for k in cols if k not in OFFICE_COLUMNS})
        row["surveyed"] += 1
        if d.get("township_decision") in NOT_TAKEN:
            continue
        row["children"] += 1
        for key, label in cats.items():
            row[key] += label in (d.get("categories") or [])
        row["male" if d.get("sex") == "男" else "female"] += 1
        stage = next((k for k, v in STAGES.items() if d.get("school_stage") in v), "other_stage")
        unstaged += d.get("school_stage") in (None, "")
        row[stage] += 1
        row["paired" if str(d.get("child_no", "")).strip() in paired and d.get("child_no") else "unpaired"] += 1
        row["watch"] += d.get("safety_risk") in WATCH
    record = {"form": f05.code, "version": f05.version, "month": month,
              "townships": [{"township": t, **v} for t, v in rows.items()]}  # in the order the records came
    notes = alike_townships(list(rows))
    twice = sorted({n for n in pairings if pairings.count(n) > 1})
    if twice:
        notes.append(f"提示：有 {len(twice)} 名儿童各有两份以上的结对表（WG-F06），只按一人计入“已结对”；"
                     "核对是不是重复交了，或者换了志愿者而旧的结对表没有注销")
    not_taken = {str(r.data.get("child_no")).strip() for r, f in records
                 if f.id == "F04" and r.data.get("township_decision") in NOT_TAKEN}
    odd = len(not_taken & paired)
    if odd:
        notes.append(f"提示：有 {odd} 名儿童的调查表写的是暂不纳入或转介，却交了结对表；他们不计入儿童总数和已结对，"
                     "核对乡镇团意见和结对表哪个对")
    if later:
        notes.append(f"提示：{later} 份调查表的调查日期在 {month} 之后，不计入这个月的统计（下个月统计时计入）；"
                     "要统计别的月份，用 --month 写明")
    if undecided:
        notes.append(f"提示：{undecided} 份调查表还没写乡镇团意见，现在按纳入帮扶计入儿童总数；"
                     "乡镇团审核写上意见后重新统计更准确")
    if unstaged:
        notes.append(f"提示：{unstaged} 名儿童的调查表没填就学阶段，按统计表的规则计入“其他”；补填后重新统计更准确")
    return Stats(record, small_threshold(f05), used, notes=notes)


def from_returns(handbook: Handbook, records: list[tuple[Record, Form]], month: str | None) -> Stats:
    """Add township F05 returns up into one county F05: one row per township, rows of the same township summed."""
    f05 = handbook.form("F05")
    cols = count_columns(f05)
    rows: dict[str, dict[str, Any]] = {}
    months = []
    for r, f in records:
        months.append(str(r.data.get("month", "")))
        for item in r.data.get("townships") or []:
            name = township_name(item.get("township"))
            if not name or name == TOTAL:
                continue
            row = rows.setdefault(name, {})
            for k in cols:
                v = item.get(k)
                if isinstance(v, str) and v.strip().isdigit():
                    v = int(v)
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    row[k] = row.get(k, 0) + int(v)
    units = [(str(r.data.get("unit") or "").strip()[:40], r.file) for r, _ in records]
    record = {"form": f05.code, "version": f05.version, "month": month or (months[0] if months else ""),
              "townships": [{"township": t, **v} for t, v in rows.items()]}  # in the order the records came
    named = [u for u, _ in units if u]
    if named:  # which unit produced each return, kept with the county's table
        record["remarks"] = f"汇总自 {len(units)} 份统计表，填报单位：" + "、".join(dict.fromkeys(named))
    return Stats(record, small_threshold(f05), {f05.code: len(records)}, units, alike_townships(list(rows)))


def totals(rows: list[dict[str, Any]], cols: list[str]) -> dict[str, int]:
    """The 合计 row: each count column summed over the townships."""
    return {k: sum(int(r.get(k) or 0) for r in rows) for k in cols if any(k in r for r in rows)}


def build_stats(handbook: Handbook, records: list[tuple[Record, Form]], month: str | None) -> Stats:
    """F05 from checked records: from surveys (F04, F06) or from township F05 returns, never a mix (E744)."""
    from ..errors import WuguError, problem

    kinds = {f.id for _, f in records}
    if "F05" in kinds and kinds & {"F04", "F06"}:
        raise WuguError([problem("E744", "wugu records stats", what="调查表（WG-F04）记录和统计表（WG-F05）混在一起给出",
                                 fix="乡镇团统计：只给调查表（和结对表）记录；县团汇总：只给各乡镇报来的统计表")])
    if "F05" in kinds:
        by_month: dict[str, list[str]] = {}
        for r, f in records:
            if f.id == "F05":
                by_month.setdefault(str(r.data.get("month", ""))[:7], []).append(r.file)
        if len(by_month) > 1 and not month:
            shown = "、".join(f"{m or '（没写）'}（{'、'.join(dict.fromkeys(files))}）" for m, files in sorted(by_month.items()))
            raise WuguError([problem("E745", "wugu records stats", what="各乡镇报来的统计表月份不同：" + shown,
                                     fix="核对后只汇总同一个月的统计表，或用 --month 写明汇总的月份")])
        seen: dict[str, str] = {}
        problems = []
        for r, f in records:
            if f.id != "F05":
                continue
            for item in r.data.get("townships") or []:
                name = township_name(item.get("township"))
                if name and name != TOTAL:
                    if name in seen:
                        what = (f"乡镇“{name}”在这份统计表里写了两行" if seen[name] == r.file
                                else f"乡镇“{name}”在两份统计表里都有（{seen[name]}）")
                        problems.append(problem("E745", r.file, what=what,
                                                fix="同一个乡镇只报一行：核对后删掉重复的一行（或一份）再汇总"))
                    seen.setdefault(name, r.file)
        if problems:
            raise WuguError(problems)
        return from_returns(handbook, [(r, f) for r, f in records if f.id == "F05"], month)
    if "F04" not in kinds:
        raise WuguError([problem("E744", "wugu records stats", what="没有可以统计的记录",
                                 fix="给出孤困儿童调查表（WG-F04）记录（可以加上结对表 WG-F06 记录），"
                                     "或各乡镇报来的统计表（WG-F05）")])
    return from_surveys(handbook, records, month or month_end(None))

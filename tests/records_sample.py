"""Fictional filled records for the records tests and the benchmark, generated at run time (never stored).

ID numbers use the region code 999xxx, which does not exist; names are the handbook's usual fictional ones; phone
numbers are placeholders. Nothing here can belong to a real person.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from wugu.cnformats import id_check_digit

TOWNSHIPS = ("东镇", "西镇", "南乡", "北乡", "中街道")
NAMES = ("张小明", "王某某", "李小红", "赵某某", "刘小华")
STAGES = ("未入园", "幼儿园", "小学", "初中", "高中", "中职", "大专及以上", "辍学", "不在学")
CATEGORIES = ("孤儿", "事实孤儿", "精神病患者家庭儿童", "服刑人员家庭儿童", "大病患者家庭儿童")


def fake_mobile(prefix: str = "138") -> str:
    """A mobile-shaped test number made up at run time, so none is ever stored in the repository."""
    return prefix + "".join(random.choice("0123456789") for _ in range(8))


MOBILE = fake_mobile()


def fake_id(born: date, seq: int = 1, sex: str = "男") -> str:
    """An ID number in the non-existent region 999901 with a correct check digit."""
    n = seq % 500 * 2 + (1 if sex == "男" else 0)
    body = f"999901{born:%Y%m%d}{n:03d}"
    return body + id_check_digit(body)


def f04(n: int = 1, *, born: date = date(2015, 3, 2), survey: date = date(2026, 10, 8), sex: str = "男",
        township: str = "东镇", **extra: Any) -> dict[str, Any]:
    """One valid child survey record (WG-F04); ``extra`` replaces or adds values. WG-F08 is signed on the survey
    day: signed earlier, it would predate the 14th birthday of a child who turned 14 in between (rule E733)."""
    adult = (survey.year - born.year - ((survey.month, survey.day) < (born.month, born.day))) >= 14
    r: dict[str, Any] = {
        "form": "WG-F04", "version": "2026.1", "child_no": f"DZ-{n:05d}", "township": township,
        "name": NAMES[n % len(NAMES)], "sex": sex, "birth_date": born.isoformat(), "aged_14": adult,
        "id_number": fake_id(born, n, sex), "school_stage": "小学", "legal_status": "孤儿", "categories": ["孤儿"],
        "carer_name": "王某某", "carer_relation": "祖父母", "carer_phone": MOBILE, "safety_risk": "无",
        "consent_f08": True, "consent_f08_date": survey.isoformat(), "consent_f08_health": "同意",
        "consent_f08_share": "同意",
        "survey_date": survey.isoformat(), "surveyor_signed": True, "reviewer_signed": True, "head_signed": True,
    }
    if adult:
        r["consent_f08_child"] = True
    r.update(extra)
    return r


def f04_batch(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` varied, valid survey records with distinct child numbers."""
    rnd = random.Random(seed)
    out = []
    for i in range(1, count + 1):
        born = date(2009, 1, 1) + timedelta(days=rnd.randrange(0, 365 * 16))  # under 18 when surveyed
        r = f04(i, born=born, sex=rnd.choice("男女"), township=rnd.choice(TOWNSHIPS),
                school_stage=rnd.choice(STAGES), categories=rnd.sample(CATEGORIES, rnd.choice((1, 1, 2))),
                safety_risk=rnd.choice(("无", "无", "需关注", "紧急")))
        out.append(r)
    return out


def f06(child_no: str, **extra: Any) -> dict[str, Any]:
    """One valid pairing record (WG-F06) for a child number."""
    r: dict[str, Any] = {
        "form": "WG-F06", "version": "2026.1", "child_no": child_no, "pseudonym": "小明", "volunteer_name": "李某某",
        "volunteer_no": "V-0001", "paired_date": "2026-10-20", "guardian_agrees": True, "guardian_signed": True,
        "volunteer_agrees": True, "volunteer_signed": True, "township_head_signed": True, "county_head_signed": True,
    }
    r.update(extra)
    return r


def f08(**extra: Any) -> dict[str, Any]:
    """One valid guardian consent (WG-F08) for a child under 14: only the guardian ticks and signs."""
    uses = ("use_basic", "use_health", "use_photos_internal", "use_publicity", "share_charity")
    r: dict[str, Any] = {
        "form": "WG-F08", "version": "2026.1", "group_name": "东镇乡镇团", "contact_person": "李某某",
        "child_name": "张小明", "birth_date": "2015-03-02", "aged_14": False, "guardian_name": "王某某",
        "guardian_relation": "祖父母", "guardian_phone": MOBILE, **{u: ["监护人同意"] for u in uses},
        "guardian_confirms": True, "guardian_signed": True, "child_signed": False, "volunteer_signed": True,
    }
    r.update(extra)
    return r


def f07(**extra: Any) -> dict[str, Any]:
    """One valid visit log (WG-F07) with a table of participants."""
    r: dict[str, Any] = {
        "form": "WG-F07", "version": "2026.1", "child": "小明", "village": "东村", "visit_date": "2026-11-03",
        "time_span": "14:00—16:30", "hours": 2.5, "visit_kind": "入户走访", "place": "东村",
        "participants": [{"name": "李某某", "role": "结对志愿者", "volunteer_no": "V-0001"},
                         {"name": "赵某某", "role": "村儿童主任"}],
        "daily_life": "奶奶照顾得很细心，孩子自己洗衣服。", "study": "数学进步，作业按时完成。", "mood": "说话多了，爱笑。",
        "measures": "陪孩子做完作业，送了两本课外书。", "risk_level": "无：情况平稳",
        "volunteer_signed": True, "companion_signed": True, "carer_signed": True,
    }
    r.update(extra)
    return r

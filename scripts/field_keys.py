"""Add the stable data keys (``key:``) to the form files, line by line, where a field or column has none yet.

Keys are ASCII snake_case and unique within a form; records, record schemas and Excel templates use them, so a
label can change wording without breaking filled records. This script is re-runnable: it only adds missing keys
(and ``format:`` on ID and phone fields) and leaves every other character of the file alone, so it survives
parallel edits of the same files.

    .venv/bin/python scripts/field_keys.py [forms/…yml …]

Fields are found by form id and label (``label#2`` for a label's second use in the same form; ``~text`` for a
statement without a label, by the first characters of its text; ``table/column`` for a table's column).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wugu.loader import load_file  # noqa: E402

#: form id → {label: key}; a key may carry a format after "|": id-number, mobile, phone.
KEYS: dict[str, dict[str, str]] = {
    "F01": {
        "姓名": "name", "性别": "sex", "出生日期": "birth_date", "民族": "ethnicity", "政治面貌": "political_status",
        "文化程度": "education", "身份证号": "id_number|id-number", "联系电话": "phone|mobile", "照片": "photo",
        "住址": "address", "工作单位或职业": "occupation", "五老身份": "wulao", "特长": "specialties",
        "可服务时间": "available_times", "意向乡镇（街道）": "preferred_township", "能否长期结对": "long_term",
        "志愿服务系统注册": "registered", "志愿服务经历": "experience", "健康状况": "health",
        "违法犯罪记录": "criminal_record", "情况说明": "criminal_record_note",
        "无犯罪记录证明": "no_record_certificate", "姓名#2": "emergency_name", "与本人关系": "emergency_relation",
        "联系电话#2": "emergency_phone|phone", "~本人自愿加入": "pledge_truthful", "~本人已了解志": "pledge_risks",
        "~本人愿意长期": "pledge_long_term", "~本人同意服务": "pledge_data_use", "申请人签名": "applicant_signed",
        "乡镇团推荐意见": "township_opinion", "乡镇团负责人签名": "township_head_signed", "已参加岗前培训": "trained",
        "考核结果": "assessment", "已核查犯罪记录": "record_checked", "县团审核意见": "county_decision",
        "志愿者编号": "volunteer_no", "发放服装胸牌日期": "badge_date", "县团负责人签名": "county_head_signed",
    },
    "F02": {
        "姓名": "name", "志愿者编号": "volunteer_no", "所属乡镇团": "township_group", "无偿服务": "unpaid",
        "长期陪伴": "long_term", "服从管理": "follow_rules", "不经手钱款": "no_cash", "保护隐私": "privacy",
        "安全走访": "safe_visits", "尊重孩子": "respect", "及时报告": "report_danger",
        "陪伴不代替治疗": "not_therapy", "退出提前告知": "notice_before_leaving", "违诺处理": "sanctions",
        "承诺人签名": "pledger_signed", "签署日期": "signed_date", "见证人签名": "witness_signed",
        "见证日期": "witness_date",
    },
    "F03": {
        "甲方（服务团）": "group_name", "乙方（志愿者）": "volunteer_name", "志愿者编号": "volunteer_no",
        "身份证号": "id_number|id-number", "联系电话": "phone|mobile", "所属乡镇团": "township_group",
        "可接触的信息": "info_kinds", "接触方式": "access_ways", "结对儿童编号": "child_nos",
        "负责的村（社区）": "village", "只取必要": "only_necessary", "不复制不转发": "no_copies",
        "不对外透露": "no_disclosure", "宣传用化名": "pseudonyms", "不贴标签不募捐": "no_labels",
        "及时交回": "hand_back", "泄露即报": "report_leaks", "离团交还": "return_on_leaving",
        "义务不终止": "duty_continues", "违约责任": "liability", "乙方签名": "volunteer_signed",
        "甲方负责人签名": "group_head_signed", "离团或交还日期": "return_date", "交还材料份数": "returned_copies",
        "~本人已交还全": "return_confirmed", "乙方签名#2": "return_volunteer_signed",
        "甲方经办人签名": "return_officer_signed",
    },
    "F04": {
        "儿童编号": "child_no", "所属乡镇（街道）": "township", "姓名": "name", "性别": "sex", "民族": "ethnicity",
        "出生日期": "birth_date", "已满 14 周岁": "aged_14", "身份证号": "id_number|id-number",
        "户籍地": "household_register", "现居住地": "residence", "健康状况": "health",
        "残疾或疾病": "disability_illness", "就学阶段": "school_stage", "学校和年级": "school_grade",
        "寄宿": "boarding", "法定身份": "legal_status", "已经民政部门认定": "certified",
        "帮扶类别": "categories", "困难类型": "help_types", "父亲姓名": "father_name", "父亲年龄": "father_age",
        "父亲状况": "father_status", "父亲情况说明": "father_note", "母亲姓名": "mother_name",
        "母亲年龄": "mother_age", "母亲状况": "mother_status", "母亲情况说明": "mother_note",
        "父母婚姻状况": "parents_marriage", "父母联系方式": "parents_contact", "抚养人姓名": "carer_name",
        "与儿童关系": "carer_relation", "抚养人年龄": "carer_age", "抚养人身体状况": "carer_health",
        "抚养人电话": "carer_phone|mobile", "抚养人是监护人": "carer_is_guardian",
        "抚养人身份证号": "carer_id_number|id-number", "法定监护人": "guardian", "照料情况": "care_quality",
        "同住人数": "household_size", "同住未成年人": "household_minors", "主要收入来源": "income_sources",
        "家庭年收入": "annual_income", "住房情况": "housing", "已享受救助": "aid_received", "救助说明": "aid_note",
        "主要需求": "needs", "需求说明": "needs_note", "观察记录": "observations", "安全风险": "safety_risk",
        "建议帮扶重点": "support_focus", "帮扶建议": "support_advice", "同意收集": "consent_collect",
        "同意提供": "consent_share", "本人同意": "consent_child", "监护人签名": "guardian_signed",
        "与儿童关系#2": "signer_relation", "儿童本人签名": "child_signed", "调查日期": "survey_date",
        "调查方式": "survey_methods", "陪同人员": "companions", "填表人签名": "surveyor_signed",
        "复核人签名": "reviewer_signed", "乡镇团意见": "township_decision", "负责人签名": "head_signed",
        "村（居）儿童主任签字": "village_director_signed", "村（居）委会": "village_committee_signed",
    },
    "F05": {
        "县（区）团": "county_group", "统计月份": "month", "各乡镇孤困儿童统计": "townships",
        "各乡镇孤困儿童统计/乡镇（街道）": "township", "各乡镇孤困儿童统计/村数": "villages",
        "各乡镇孤困儿童统计/已摸排": "surveyed", "各乡镇孤困儿童统计/儿童总数": "children",
        "各乡镇孤困儿童统计/孤儿": "orphan", "各乡镇孤困儿童统计/事实孤儿": "de_facto_orphan",
        "各乡镇孤困儿童统计/精神病家庭": "mental_illness_family",
        "各乡镇孤困儿童统计/服刑人员家庭": "prisoner_family",
        "各乡镇孤困儿童统计/大病患者家庭": "serious_illness_family", "各乡镇孤困儿童统计/男": "male",
        "各乡镇孤困儿童统计/女": "female", "各乡镇孤困儿童统计/学前": "preschool",
        "各乡镇孤困儿童统计/小学": "primary", "各乡镇孤困儿童统计/初中": "junior_high",
        "各乡镇孤困儿童统计/高中及以上": "senior_high_up", "各乡镇孤困儿童统计/其他": "other_stage",
        "各乡镇孤困儿童统计/已结对": "paired", "各乡镇孤困儿童统计/未结对": "unpaired",
        "各乡镇孤困儿童统计/重点关注": "watch", "各乡镇孤困儿童统计/本月走访人次": "visits",
        "备注": "remarks", "填报人": "filler_signed", "审核人": "reviewer_signed", "填报日期": "filled_date",
        "填报单位": "unit_signed", "单位负责人": "head_signed", "填表人": "filler_signed", "联系电话": "phone|phone",
        "报出日期": "report_date",
    },
    "F06": {
        "儿童编号": "child_no", "化名": "pseudonym", "性别": "child_sex", "年龄": "child_age",
        "就学阶段": "school_stage", "所在村（社区）": "village", "抚养人称呼": "carer_title",
        "抚养人电话": "carer_phone|mobile", "主要需求": "needs", "志愿者姓名": "volunteer_name",
        "志愿者编号": "volunteer_no", "性别#2": "volunteer_sex", "联系电话": "volunteer_phone|mobile",
        "特长": "specialties", "离孩子住处": "distance", "结对日期": "paired_date", "结对性质": "pairing_kind",
        "帮扶重点": "support_focus", "匹配理由": "match_reason", "首次见面陪同人": "first_meeting_companion",
        "~我是孩子的监": "guardian_agrees", "监护人签名": "guardian_signed", "~本人按志愿者": "volunteer_agrees",
        "志愿者签名": "volunteer_signed", "乡镇团意见": "township_opinion", "乡镇团负责人": "township_head_signed",
        "县团审批": "county_decision", "县团负责人": "county_head_signed", "变更记录": "changes",
        "变更记录/日期": "date", "变更记录/变更事项": "change", "变更记录/原志愿者": "old_volunteer",
        "变更记录/新志愿者": "new_volunteer", "变更记录/原因": "reason", "变更记录/抚养人签名": "carer_signed",
        "变更记录/审批人签名": "approver_signed",
    },
    "F07": {
        "儿童编号或化名": "child", "所在村（居）": "village", "走访日期": "visit_date", "起止时间": "time_span",
        "走访时长": "hours", "走访方式": "visit_kind", "走访地点": "place", "参加人员": "participants",
        "参加人员/姓名": "name", "参加人员/身份": "role", "参加人员/志愿者编号": "volunteer_no",
        "生活": "daily_life", "学习": "study", "身体": "body", "情绪": "mood", "安全": "safety",
        "发现的问题": "problems", "已采取的措施": "measures", "需要上级协调的事项": "escalations",
        "风险等级": "risk_level", "紧急情况报告对象及时间": "urgent_report", "照片同意确认": "photo_consent",
        "走访照片（仅供内部存档）": "photos", "走访志愿者签名": "volunteer_signed",
        "同行人员签名": "companion_signed", "监护人或照护人确认": "carer_signed",
        "乡镇团审核人签名": "reviewer_signed",
    },
    "F08": {
        "经办的县区团或乡镇团": "group_name", "联系人": "contact_person", "办公电话": "office_phone|phone",
        "投诉渠道": "complaints", "儿童姓名": "child_name", "儿童编号": "child_no", "儿童出生日期": "birth_date",
        "孩子已满 14 周岁": "aged_14", "监护人姓名": "guardian_name", "与儿童关系": "guardian_relation",
        "监护人联系电话": "guardian_phone|phone", "实际照护人（与监护人不同时填写）": "carer",
        "① 基本信息和家庭情况用于建档、结对和走访": "use_basic", "② 健康信息用于安全照顾、活动安排和救助申请": "use_health",
        "③ 走访和活动照片仅在服务团内部存档": "use_photos_internal", "④ 照片和事迹用于宣传报道": "use_publicity",
        "⑤ 向慈善总会和民政部门提供必要信息": "share_charity", "⑥ 向承保公司提供投保必需的信息": "share_insurer",
        "监护人确认": "guardian_confirms", "监护人签名": "guardian_signed", "儿童本人签名": "child_signed",
        "讲解志愿者签名": "volunteer_signed", "经办团负责人签名": "group_head_signed", "撤回登记": "withdrawals",
        "撤回登记/撤回日期": "date", "撤回登记/撤回的项目（填序号）": "items", "撤回登记/提出方式": "how",
        "撤回登记/处理结果": "result", "撤回登记/监护人签名": "guardian_signed",
        "撤回登记/经办人签名": "officer_signed",
    },
    "F09": {
        "活动名称": "activity", "主办团": "organiser", "带队负责人": "leader", "开始日期": "start_date",
        "结束日期": "end_date", "集合时间和地点": "meeting_point", "活动地点": "place", "交通方式": "transport",
        "是否过夜": "overnight", "成人与儿童人数比": "adult_child_ratio", "保险公司": "insurer",
        "保单号": "policy_no", "保险期间": "insurance_period", "活动值班电话": "duty_phone|phone",
        "活动内容和日程": "programme", "儿童姓名": "child_name", "儿童编号": "child_no", "性别": "sex",
        "年龄": "age", "健康状况": "health", "有无过敏": "allergies", "正在服用的药物及用法": "medication",
        "不宜参加的项目或需要特别照顾的情况": "special_care", "第一联系人": "contact_name",
        "与儿童关系": "contact_relation", "联系电话": "contact_phone|phone", "备用联系人及电话": "backup_contact",
        "去程": "outbound", "返程": "return", "接送人姓名": "escort_name", "接送人电话": "escort_phone|phone",
        "交接记录（活动当天填写）": "handovers", "交接记录（活动当天填写）/环节": "stage",
        "交接记录（活动当天填写）/时间": "time", "交接记录（活动当天填写）/交出人签名": "from_signed",
        "交接记录（活动当天填写）/接收人签名": "to_signed", "同意参加": "agree_join",
        "健康信息单独同意": "agree_health_info", "监护人签名": "guardian_signed", "儿童本人签名": "child_signed",
        "经办志愿者签名": "volunteer_signed", "带队负责人签名": "leader_signed",
    },
    "F10": {
        "捐赠方": "donor", "来源类型": "source_kind", "项目或活动名称": "project", "慈善总会项目编号": "project_no",
        "转交日期": "handover_date", "转交乡镇（街道）": "township", "物资明细": "goods",
        "物资明细/儿童编号": "child_no", "物资明细/物品名称及规格": "item", "物资明细/数量": "quantity",
        "物资明细/单位": "unit", "物资明细/照护人签收": "carer_signed", "物资明细/签收日期": "signed_date",
        "物资明细/备注": "note", "同意核对": "consent_checked", "现金救助登记（服务团未经手）": "cash_aid",
        "现金救助登记（服务团未经手）/儿童编号": "child_no", "现金救助登记（服务团未经手）/拨付日期": "paid_date",
        "现金救助登记（服务团未经手）/金额（元）": "amount",
        "现金救助登记（服务团未经手）/账户后 4 位": "account_last4",
        "现金救助登记（服务团未经手）/监护人确认到账": "guardian_confirmed",
        "现金救助登记（服务团未经手）/核对志愿者": "checked_by", "转交现场照片（仅内部存档）": "photos",
        "经手人（一）签名": "handler1_signed", "经手人（二）签名": "handler2_signed",
        "村儿童主任见证": "witness_signed", "乡镇团负责人审核": "township_head_signed",
    },
    "F11": {
        "姓名": "name", "性别": "sex", "志愿者编号": "volunteer_no", "所属县区团和乡镇团": "groups",
        "身份证号": "id_number|id-number", "已在全国志愿服务信息系统注册": "registered", "记录年度": "year",
        "结对儿童编号": "child_nos", "服务明细": "services", "服务明细/日期": "date",
        "服务明细/活动名称": "activity", "服务明细/服务内容": "content", "服务明细/服务对象编号": "child_no",
        "服务明细/时长（小时）": "hours", "服务明细/确认人签名": "confirmer_signed",
        "本年度累计服务时长": "hours_this_year", "历年累计服务时长": "hours_total", "培训记录": "trainings",
        "培训记录/日期": "date", "培训记录/培训内容": "content", "培训记录/组织单位": "organiser",
        "培训记录/学时": "hours", "培训记录/考核结果": "result", "表彰奖励记录": "awards",
        "表彰奖励记录/时间": "date", "表彰奖励记录/表彰或奖励名称": "award", "表彰奖励记录/授予单位": "awarded_by",
        "年度评价": "rating", "评价意见": "rating_note", "备注（更正记录等）": "remarks", "本人核对": "checked",
        "志愿者本人签名": "volunteer_signed", "记录员签名": "recorder_signed", "县区团负责人审核": "county_head_signed",
    },
}


def _name(field: dict, seen: dict[str, int]) -> str:
    label = field.get("label") or "~" + str(field.get("text", ""))[:6]
    seen[label] = seen.get(label, 0) + 1
    return label if seen[label] == 1 else f"{label}#{seen[label]}"


def plan(path: Path) -> tuple[list[tuple[int, int, str, bool]], list[str]]:
    """Edits for one form file: ``(line, column, text, flow?)`` and the names that have no key in ``KEYS``."""
    doc = load_file(path, str(path))
    data = doc.data
    text_lines = path.read_text(encoding="utf-8").splitlines()
    keys = KEYS.get(data.get("id"), {})
    edits, missing = [], []
    seen: dict[str, int] = {}
    for s, section in enumerate(data.get("sections", [])):
        for f, field in enumerate(section.get("fields", [])):
            if field.get("type") == "notice":
                continue
            name = _name(field, seen)
            todo = [(name, field, ("sections", s, "fields", f))]
            todo += [(f"{name}/{c.get('label')}", c, ("sections", s, "fields", f, "columns", i))
                     for i, c in enumerate(field.get("columns", []))]
            for label, item, at in todo:
                if "key" in item:
                    continue
                entry = keys.get(label) or next((v for k, v in keys.items()
                                                  if k.startswith("~") and label.startswith(k)), None)
                if entry is None:
                    missing.append(f"{data.get('id')} {label}")
                    continue
                key, _, fmt = entry.partition("|")
                text = f"key: {key}" + (f", format: {fmt}" if fmt and "format" not in item else "")
                line, col = doc.pos(at)
                edits.append((line, col, text, text_lines[line - 1][col - 1] == "{"))
    return edits, missing


def apply(path: Path) -> list[str]:
    """Add the missing keys to one file; returns the labels the map does not know."""
    edits, missing = plan(path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for line, col, text, flow in sorted(edits, reverse=True):
        s = lines[line - 1]
        if flow:
            lines[line - 1] = s[:col] + text + ", " + s[col:]
        else:  # block mapping: new lines at the same indent, after the field's first line (which stays as is)
            indent = " " * (col - 1)
            lines.insert(line, indent + text.replace(", format: ", "\n" + indent + "format: ") + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return missing


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[1]
    paths = [Path(p) for p in argv] or sorted((root / "forms").glob("*.yml"))
    unknown = [m for p in paths for m in apply(p)]
    for m in unknown:
        print(f"没有键名：{m}（在 scripts/field_keys.py 的 KEYS 里加上）")
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""One vocabulary: every code the parser and the library use, and its Chinese name (pure; no Streamlit).

Codes are stable (stored in the library, in exports and in the parse JSON); the Chinese text a reader
sees is written here once: sections, check rules, cell flags, templates, formats, metadata columns,
KPIs and measure kinds. Every layer may import this module (it imports only ``parsing.schema``);
a name written in another module is a copy to remove. Canonical cell keys are named by
:func:`parsing.schema.key_label` (re-exported here).
"""

from __future__ import annotations

import re

from parsing.schema import key_label

__all__ = ["key_label"]

# Stands for "not filled in" in filter choices and tables (a report whose region, year or type is unknown).
MISSING = "（未填写）"

# The target of a label override that means "not a table item: ignore this label" (parsing/matching.py).
IGNORE = "ignore"

# ----------------------------------------------------------------------------------------- sections
SECTION_S2, SECTION_S3, SECTION_S4 = "s2", "s3", "s4"
SECTION_NAMES: dict[str, str] = {
    SECTION_S2: "二、主动公开",
    SECTION_S3: "三、依申请公开",
    SECTION_S4: "四、复议诉讼",
}

# ------------------------------------------------------------------------------------- check rules
# Stable rule codes of parsing/checks.py (§6 of the domain reference). Use the constants, never a
# string built at run time, so that a rule can be searched for.
RULE_O1_BALANCE = "O1_balance"
RULE_D1_ROW_TOTAL = "D1_row_total"
RULE_D3_OUTCOME_SUM = "D3_outcome_sum"
RULE_D5_REVIEW = "D5_review"
RULE_D5_LIT_DIRECT = "D5_lit_direct"
RULE_D5_LIT_AFTER = "D5_lit_after"
RULE_D6_TYPES = "D6_types"
D5_RULES: tuple[str, ...] = (RULE_D5_REVIEW, RULE_D5_LIT_DIRECT, RULE_D5_LIT_AFTER)

# What each rule says, for reviewers.
RULE_NAMES: dict[str, str] = {
    RULE_O1_BALANCE: "本列平衡：新收＋上年结转＝办理结果总计＋结转下年",
    RULE_D1_ROW_TOTAL: "行合计：总计＝各类申请人之和",
    RULE_D3_OUTCOME_SUM: "办理结果之和＝（七）总计",
    RULE_D5_REVIEW: "行政复议：总计＝维持＋纠正＋其他＋尚未审结",
    RULE_D5_LIT_DIRECT: "未经复议直接起诉：总计＝各结果之和",
    RULE_D5_LIT_AFTER: "复议后起诉：总计＝各结果之和",
    RULE_D6_TYPES: "数值类型（非负整数/金额）",
}

TEMPLATE_NAMES: dict[str, str] = {
    "2019": "2019 版格式",
    "2021": "2021 版格式",
    "mixed": "混合格式",
    "unknown": "未识别格式",
}

# Short forms for narrow table columns.
TEMPLATE_SHORT_NAMES: dict[str, str] = {
    "2019": "2019版",
    "2021": "2021版",
    "mixed": "混合",
    "unknown": "未识别",
}

# Source formats (ParsedReport.format).
FORMAT_NAMES: dict[str, str] = {
    "txt": "文本",
    "md": "文本",
    "html": "网页",
    "pdf": "PDF",
    "docx": "Word",
    "doc": "Word（旧版）",
    "wps": "WPS",
    "xlsx": "Excel",
    "ocr": "扫描件",
    "image": "图片",
    "zip": "压缩包",
    "unknown": "未知",
}

CHECK_STATUS_NAMES: dict[str, str] = {"pass": "通过", "fail": "未通过", "skipped": "未校验"}

# ----------------------------------------------------------------------------- metadata and measures
# Column headers of a report's metadata, the same on every screen and in every export.
AGENCY_TYPE_HEADER = "机关类型"
META_HEADERS: dict[str, str] = {
    "report_id": "报告编号",
    "agency": "单位",
    "region": "地区",
    "year": "年度",
    "agency_type": AGENCY_TYPE_HEADER,
    "template": "格式版本",
    "filename": "文件名",
    "checks_failed": "未通过校验数",
    "unmatched_labels": "未识别标签数",
}
# CellSpec.kind and CellSpec.measure_kind (parsing/schema.py).
KIND_NAMES: dict[str, str] = {"count": "件数", "signed": "增减数（可为负）", "amount": "金额"}
MEASURE_KIND_NAMES: dict[str, str] = {
    "flow": "流量（当年发生数，可跨年相加）",
    "stock": "存量（时点数，不跨年相加）",
}

# The overview figures (library/aggregate.py computes them under these codes): name and unit ("%" = share).
KPIS: dict[str, tuple[str, str]] = {
    "reports": ("报告数", "份"),
    "agencies": ("单位数", "个"),
    "proactive_items": ("主动公开信息", "条"),
    "regulations_new_made_2019": ("规章 本年新制作数量（2019版）", "件"),
    "normative_new_made_2019": ("规范性文件 本年新制作数量（2019版）", "件"),
    "regulations_issued_2021": ("规章 本年制发件数（2021版）", "件"),
    "normative_issued_2021": ("行政规范性文件 本年制发件数（2021版）", "件"),
    "normative_in_force_2021": ("行政规范性文件 现行有效件数（2021版）", "件"),
    "licensing_decisions": ("行政许可处理决定", "件"),
    "applications_received": ("收到申请", "件"),
    "answered_share": ("予以公开＋部分公开占比", "%"),
    "review_cases": ("行政复议", "件"),
    "litigation_cases": ("行政诉讼", "件"),
    "review_litigation_cases": ("复议、诉讼案件", "件"),
    "reports_failing_checks": ("校验未通过的报告", "份"),
}
# Their names with the unit, for tables: "收到申请（件）" (a count of reports or agencies needs none).
KPI_NAMES: dict[str, str] = {
    key: name if unit in ("%", "份", "个") or name.endswith("）") else f"{name}（{unit}）"
    for key, (name, unit) in KPIS.items()
}

# Cell flags (parsing/values.py, parsing/interpret.py) → what a reviewer reads in the 标记 column.
# "ok" reads as nothing: a value read as written needs no mark.
FLAG_NAMES: dict[str, str] = {
    "ok": "",
    "blank": "空白",
    "na": "不适用（/、无）",
    "dash": "横线（-）",
    "signed": "带增减符号",
    "unit_converted": "已换算单位",
    "split": "数字中间有空格，已合并",
    "unparsed": "无法识别的数值",
    "too_long": "位数过多，未读取",
    "split_by_rule": "按勾稽关系拆分",
    "placed_by_rule": "按勾稽关系放置",
}

# Why a table shown in the text was not read (ParsedReport.unread_tables "code"), for the 数据质量 list.
TABLE_NAMES: dict[str | None, str] = {
    "s2": "第二部分（主动公开）表格",
    "s3": "第三部分（依申请公开）表格",
    "s4": "第四部分（复议诉讼）表格",
    None: "统计表格",
}


def flag_name(flag: str | None) -> str:
    """Chinese mark of a cell flag ('' for a value read as written; the code itself when unknown)."""
    if flag is None or (isinstance(flag, float) and flag != flag):
        return ""
    return FLAG_NAMES.get(str(flag), str(flag))


def unread_table_text(entry: dict) -> str:
    """One line naming a table shown but not read and why ('第三部分（依申请公开）表格未读取：…')."""
    table = entry.get("table")
    table = table if isinstance(table, str) else None  # None: no table at all (NaN once in a DataFrame)
    name = TABLE_NAMES.get(table, table)
    return f"{name}未读取：{entry.get('reason') or '原因未说明'}"


def template_name(code: str | None) -> str:
    """Chinese name of a template version code."""
    if code is None or code == MISSING:
        return MISSING
    return TEMPLATE_NAMES.get(str(code), str(code))


def section_name(code: str | None) -> str:
    """Chinese name of a section code ('部分未定' when unknown)."""
    return SECTION_NAMES.get(code or "", "部分未定")


def rule_name(code: str) -> str:
    """Chinese description of a check rule code (the code itself when unknown)."""
    return RULE_NAMES.get(code, code)


# A parser note is "中文 / English" (parsing/interpret.py): the English half starts with an ASCII
# letter, digit or quote, while " / " inside the Chinese half (labels like "规章 / 本年新制作数量") is
# followed by Chinese.
_EN_HALF = re.compile(r" / (?=[A-Za-z0-9'\"(])")
_QUOTED_IN_ENGLISH = re.compile(r"^unmatched table row: (.+)$", re.S)
# A canonical cell key (s3.r3_1_granted.natural_person, n.proactive_total) inside a note.
_KEY = re.compile(r"(?<![A-Za-z0-9_.])(?:n\.[a-z0-9_]+|s[234]\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)")


def warning_text(note: str) -> str:
    """A parser note as a reader sees it: the Chinese half only, canonical keys replaced by their labels.

    The interpreter writes notes as 'Chinese / English'; readers write Chinese only.
    """
    note = note or ""
    half = _EN_HALF.search(note)
    chinese = note[: half.start()] if half else note
    quoted = _QUOTED_IN_ENGLISH.search(note[half.end() :]) if half else None
    if quoted and quoted.group(1) not in chinese:
        chinese += f"：{quoted.group(1)}"  # 'unmatched table row: X' names the row only in English
    return _KEY.sub(lambda m: key_label(m.group()), chinese).strip()


# ------------------------------------------------------------------------------------------ findings
# Stable codes of the findings engine (library/findings.py), the review page, the rubric
# (library/rubric.toml), the notices and the command line. Arithmetic findings reuse the rule names of
# §6 of the domain reference (one finding code per rule family: the three D5 groups share "D5").
FINDING_O1, FINDING_D1, FINDING_D3, FINDING_D5, FINDING_D6 = "O1", "D1", "D3", "D5", "D6"
FINDING_OLD_TEMPLATE = "FMT_OLD_TEMPLATE"
FINDING_SECTION_MISSING = "FMT_SECTION_MISSING"
FINDING_TABLE_MISSING = "FMT_TABLE_MISSING"
FINDING_NONSTANDARD_ROW = "FMT_NONSTANDARD_ROW"
FINDING_UNMATCHED_LABEL = "FMT_UNMATCHED_LABEL"
FINDING_X1, FINDING_X2, FINDING_X3, FINDING_S1, FINDING_S2 = "X1", "X2", "X3", "S1", "S2"
FINDING_COPY_PREVIOUS = "COPY_PREVIOUS"
FINDING_COPY_PEER = "COPY_PEER"
FINDING_LATE = "LATE"
FINDING_MISSING = "MISSING"
FINDING_REGULATIONS_COUNTY = "P_REGULATIONS_COUNTY"
# Found by the website re-check (library/collect): the published page changed, or its URL is gone.
FINDING_CHANGED_ONLINE = "C1_changed_after_publication"
FINDING_URL_GONE = "C2_url_gone"

FINDING_NAMES: dict[str, str] = {
    FINDING_O1: "本列平衡不符（新收＋上年结转≠办理结果总计＋结转下年）",
    FINDING_D1: "行合计不符（总计≠各类申请人之和）",
    FINDING_D3: "办理结果之和不等于（七）总计",
    FINDING_D5: "复议诉讼总计不等于各结果之和",
    FINDING_D6: "数值类型不符（应为非负整数或金额）",
    FINDING_OLD_TEMPLATE: "2021年及以后的报告仍使用2019版格式",
    FINDING_SECTION_MISSING: "缺少规定的部分（一至六）",
    FINDING_TABLE_MISSING: "缺少统计表格",
    FINDING_NONSTANDARD_ROW: "表格行名称与标准格式不一致",
    FINDING_UNMATCHED_LABEL: "表格中有无法对应标准格式的行",
    FINDING_X1: "上年结转与上一年度报告的结转下年度不一致",
    FINDING_X2: "上一年项目数量与上一年度报告不衔接（2019版）",
    FINDING_X3: "现行有效件数与上一年度报告不衔接（2021版）",
    FINDING_S1: "现行有效件数小于本年制发减废止",
    FINDING_S2: "正文数字与表格不一致",
    FINDING_COPY_PREVIOUS: "正文大段照搬本单位上一年度报告",
    FINDING_COPY_PEER: "正文大段与同年其他单位报告雷同",
    FINDING_LATE: "逾期发布",
    FINDING_MISSING: "未发布年度报告",
    FINDING_REGULATIONS_COUNTY: "县级及以下单位填报了规章",
    FINDING_CHANGED_ONLINE: "网站上的年度报告在发布后被修改",
    FINDING_URL_GONE: "网站上的年度报告已无法访问（网址失效）",
}
FINDING_SEVERITY: dict[str, str] = {
    FINDING_O1: "error",
    FINDING_D1: "error",
    FINDING_D3: "error",
    FINDING_D5: "error",
    FINDING_D6: "error",
    FINDING_OLD_TEMPLATE: "warning",
    FINDING_SECTION_MISSING: "warning",
    FINDING_TABLE_MISSING: "error",
    FINDING_NONSTANDARD_ROW: "info",
    FINDING_UNMATCHED_LABEL: "warning",
    FINDING_X1: "warning",
    FINDING_X2: "warning",
    FINDING_X3: "info",
    FINDING_S1: "warning",
    FINDING_S2: "warning",
    FINDING_COPY_PREVIOUS: "warning",
    FINDING_COPY_PEER: "warning",
    FINDING_LATE: "error",
    FINDING_MISSING: "error",
    FINDING_REGULATIONS_COUNTY: "warning",
    FINDING_CHANGED_ONLINE: "warning",
    FINDING_URL_GONE: "warning",
}
SEVERITY_NAMES: dict[str, str] = {"error": "错误", "warning": "提醒", "info": "提示"}
FINDING_STATUS_NAMES: dict[str, str] = {
    "open": "待处理",
    "confirmed": "已确认",
    "dismissed": "已排除",
    "explained": "已说明",
}


def finding_name(code: str) -> str:
    """Chinese name of a finding code (the code itself when unknown)."""
    return FINDING_NAMES.get(code, code)


# ----------------------------------------------------------------------------- roster and publication
# A roster entry's status for one year (library/completeness.py), worst first.
PUBLICATION_STATUS_NAMES: dict[str, str] = {
    "missing": "未发布",
    "late": "逾期发布",
    "unknown": "已发布（日期不详）",
    "on_time": "按时发布",
    "not_due": "未到截止日期",
}
# Where a publication date came from: the parser's metadata_source, or a reviewer.
PUBLISHED_SOURCE_NAMES: dict[str, str] = {
    "page": "报告网页的发布时间",
    "signature": "报告落款日期",
    "document": "报告原文",
    "reviewer": "审核人员录入",
}
# How a report was linked to a roster entry (library/roster_link.py).
ROSTER_LINK_NAMES: dict[str, str] = {
    "reviewer": "人工指定",
    "exact": "名称一致",
    "alias": "别名一致",
    "fuzzy": "名称相近",
    "none": "未匹配",
    "ambiguous": "有多个同名机关，需人工指定",
}
# Column headers of the roster (import, editor, export).
ROSTER_HEADERS: dict[str, str] = {
    "name": "名称",
    "agency_type": "类型",
    "region": "地区",
    "level": "层级",
    "aliases": "别名",
    "column_url": "年报栏目网址",
    "report_urls": "报告网址",
}


# Account roles (library.access.Role values).
ROLE_NAMES: dict[str, str] = {
    "admin": "管理员",
    "reviewer": "审核员",
    "viewer": "只读",
    "agency": "填报单位",
}


# The audit trail (library/audit.py): action codes → Chinese (操作记录 page, export).
AUDIT_ACTION_NAMES: dict[str, str] = {
    "report_upload": "上传报告",
    "report_delete": "删除报告",
    "report_reparse": "重新解析",
    "metadata_edit": "修改报告信息",
    "cell_correction": "更正数据",
    "correction_withdrawn": "撤回更正",
    "label_override": "保存标签对应",
    "label_override_removed": "删除标签对应",
    "finding_status": "审核结论",
    "roster_import": "导入名录",
    "roster_edit": "编辑名录",
    "roster_link": "关联名录",
    "roster_unlink": "取消名录关联",
    "publication_date": "录入发布日期",
    "notice_generated": "生成整改通知单",
    "briefing_generated": "生成通报",
    "account_created": "新建账户",
    "account_changed": "修改账户",
    "account_deleted": "删除账户",
    "collect_run": "网站采集",
    "collect_sources": "编辑采集来源",
    "setting_changed": "修改设置",
}
# What an audit record is about (audit_log.target_kind).
AUDIT_TARGET_NAMES: dict[str, str] = {
    "report": "报告",
    "label": "标签",
    "finding": "审核意见",
    "roster": "名录",
    "roster_link": "名录关联",
    "notice": "整改通知单",
    "briefing": "通报",
    "account": "账户",
    "collect": "网站采集",
    "setting": "设置",
}
# Keys of an audit record's before/after, as the 操作记录 page and its export name them.
AUDIT_FIELD_NAMES: dict[str, str] = {
    "filename": "文件名",
    "agency": "单位",
    "region": "地区",
    "year": "年度",
    "agency_type": "类型",
    "template": "模板",
    "parser_version": "解析器版本",
    "cells": "识别字段数",
    "checks_failed": "未通过校验",
    "field": "字段",
    "value": "数值",
    "note": "说明",
    "text": "标签",
    "target": "对应字段",
    "status": "状态",
    "entry": "名录机关",
    "published": "发布日期",
    "added": "新增",
    "updated": "修改",
    "removed": "删除",
    "entries": "机关",
    "file": "文件",
    "count": "问题数",
    "agencies": "单位",
    "documents": "文件",
    "role": "角色",
    "scope": "范围",
    "active": "启用",
    "password": "密码",
    "name": "名称",
    "level": "层级",
    "aliases": "别名",
}

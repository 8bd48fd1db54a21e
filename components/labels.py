"""Chinese display names for codes the parser and the library use (pure; shared by pages and charts)."""

from __future__ import annotations

import re

from library.filters import MISSING, Filters
from parsing.schema import key_label

TEMPLATE_NAMES: dict[str, str] = {
    "2019": "2019 版格式",
    "2021": "2021 版格式",
    "mixed": "混合格式",
    "unknown": "未识别格式",
}

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

# Parser rule codes → what the rule says, for reviewers.
RULE_NAMES: dict[str, str] = {
    "O1_balance": "本列平衡：新收＋上年结转＝办理结果总计＋结转下年",
    "D1_row_total": "行合计：总计＝各类申请人之和",
    "D3_outcome_sum": "办理结果之和＝（七）总计",
    "D5_review": "行政复议：总计＝维持＋纠正＋其他＋尚未审结",
    "D5_lit_direct": "未经复议直接起诉：总计＝各结果之和",
    "D5_lit_after": "复议后起诉：总计＝各结果之和",
    "D6_types": "数值类型（非负整数/金额）",
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


def rule_name(code: str) -> str:
    """Chinese description of a check rule code (the code itself when unknown)."""
    return RULE_NAMES.get(code, code)


def describe_filters(filters: Filters) -> str:
    """One line such as "地区：施秉县；年度：2020、2021" ("全部报告" when nothing is filtered)."""
    parts = []
    for title, values, fmt in (
        ("地区", filters.regions, str),
        ("年度", filters.years, str),
        ("机关类型", filters.agency_types, str),
        ("格式版本", filters.templates, template_name),
    ):
        if values:
            parts.append(f"{title}：" + "、".join(fmt(v) for v in values))
    return "；".join(parts) or "全部报告"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: object) -> str:
    """Text from reports or users, made inert inside a Markdown string (no links, emphasis or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


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

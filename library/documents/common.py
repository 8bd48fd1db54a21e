"""What the notice and the briefing share: templates, fonts, dates, the Chinese text of findings."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docxtpl import DocxTemplate

from library.finding import Finding
from parsing import vocabulary
from parsing.schema import CELLS, key_label

TEMPLATE_DIR = Path(__file__).with_name("templates")
# East Asian font names of Chinese official documents; Word uses them for Chinese characters, a
# machine without them (Debian) substitutes its CJK font (Noto CJK).
TITLE_FONT, BODY_FONT, TABLE_FONT = "黑体", "仿宋", "宋体"
LATIN_FONT = "Times New Roman"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_REPLY_DAYS = 15  # working days, the usual period given in a rectification notice
DEFAULT_OFFICE = "政务公开办公室"

# One vocabulary (parsing/vocabulary.py); re-exported under the names the documents use.
SEVERITY_NAMES = vocabulary.SEVERITY_NAMES
STATUS_NAMES = vocabulary.FINDING_STATUS_NAMES
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
# Chinese names of the evidence keys the findings engine may use; other keys show their value only.
EVIDENCE_LABELS = {
    "numbers": "数字",
    "cells": "单元格",
    "cell": "单元格",
    "expected": "应为",
    "actual": "实为",
    "stated": "填报",
    "difference": "差额",
    "excerpt": "原文摘录",
    "excerpts": "原文摘录",
    "text": "原文",
    "passages": "相同段落",
    "shared": "相同段落",
    "share": "重复比例",
    "other_report": "对照报告",
    "other_agency": "对照单位",
    "other_year": "对照年度",
    "previous": "上年报告",
    "published": "发布日期",
    "deadline": "发布期限",
    "template": "格式版本",
    "section": "部分",
    "table": "表格",
    "label": "标签",
    "labels": "标签",
    "rule": "规则",
    "note": "说明",
}
MAX_EVIDENCE_CHARS = 600  # a cell of the notice stays readable; the app shows the whole evidence


def code_name(code: str) -> str:
    """The Chinese name of a finding code (the code itself only when the vocabulary does not know it)."""
    return vocabulary.finding_name(code)


def set_run_fonts(run, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Set a run's Latin and East Asian font names (python-docx sets only the Latin ones)."""
    run.font.name = latin
    rfonts_of(run._r.get_or_add_rPr()).set(qn("w:eastAsia"), east_asian)


def rfonts_of(rpr: Any) -> Any:  # python-docx's oxml elements carry no type hints
    """The ``w:rFonts`` element of a run's or a style's properties, created when missing."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    return fonts


def working_days_after(start: date, days: int) -> date:
    """The date ``days`` working days (Monday–Friday) after ``start``; public holidays are not known."""
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def zh_date(day: date) -> str:
    """2025年1月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        return key_label(value) if value in CELLS else value
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}"
        return f"{value:.1%}" if 0 < abs(value) < 1 else f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, Mapping):
        return "；".join(f"{_value_text(k)}：{_value_text(v)}" for k, v in value.items())
    if isinstance(value, Iterable):
        return "；".join(_value_text(v) for v in value)
    return "" if value is None else str(value)


def evidence_text(evidence: Mapping[str, Any]) -> str:
    """The evidence of a finding as lines ``名称：值`` (cell keys in Chinese), shortened for a table cell."""
    lines = []
    for key, value in evidence.items():
        text = _value_text(value)
        if not text:
            continue
        label = EVIDENCE_LABELS.get(key) or (key_label(key) if key in CELLS else "")
        if key == "rule" and isinstance(value, str):
            text = vocabulary.rule_name(value)  # a check rule code reads as what the rule says
        lines.append(f"{label}：{text}" if label else text)
    out = "\n".join(lines)
    return out if len(out) <= MAX_EVIDENCE_CHARS else out[: MAX_EVIDENCE_CHARS - 1] + "…"


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then by code and key: the order of the notice's table."""
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.code, f.key))


def render(template: str, context: dict[str, Any], prepare=None) -> bytes:
    """Render ``templates/<template>`` with ``context``; ``prepare(tpl)`` may add images or subdocuments."""
    tpl = DocxTemplate(TEMPLATE_DIR / template)
    if prepare is not None:
        context = {**context, **prepare(tpl)}
    tpl.render(context, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def safe_name(text: str) -> str:
    """A file name part: keeps Chinese and letters, replaces path separators and control characters."""
    return re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "_", text).strip() or "未命名"

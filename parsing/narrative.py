"""Figures a report states in its prose (not in its tables), under the keys of ``schema.NARRATIVE_KEYS``.

Rules that keep the figures trustworthy:
- Only exact figures: "500多条", "1700余条", "约300条", "300条左右", "近百条" are approximate and are
  skipped (the key stays absent rather than holding a number the report did not commit to).
- Only the overall statement: a clause that starts with 其中 is a breakdown ("其中主动公开公文类政府信息
  127条") and is never read as the total. The first overall statement in the text wins.
  Exception: the carried-forward count is normally stated as a breakdown of the applications
  ("共收到…申请5件,其中1件结转下年度继续办理"), so 其中 is allowed there.
- Only stated numbers: "未收到政府信息公开申请" or "无行政复议" leave the key absent (a negative
  statement is not parsed into 0 here; the tables carry the zeros).
- A phrase is matched within one clause: the gap between the keyword and the number may not cross
  punctuation or digits, so "主动公开了学校收费标准、学区划分…各类信息500多条" cannot borrow a later number.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from parsing.limits import get_limits
from parsing.normalize import normalize_text
from parsing.schema import NARRATIVE_KEYS

# The number itself: digits with optional thousands separators (NFKC already made them ASCII). It
# starts where a number starts: without the lookbehind a long run of digits (a table flattened into
# the text) is tried from each of its digits, which is quadratic (minutes for 20,000 digits).
_NUM = r"(?<![\d,.])(?P<num>\d[\d,]*(?:\.\d+)?)"
# A gap inside one clause: no punctuation, no digit, no line break.
_GAP = r"[^\d,.;:!?，。；：、！？\n|]"
# Words in the gap that make the figure approximate or a lower bound.
_APPROX_BEFORE = ("约", "近", "超过", "逾", "大约", "将近", "达到近", "不少于", "以上")
# After the unit ("300条左右"). "500多条" / "1700余条" never match: the unit must follow the digits.
_APPROX_AFTER_UNIT = re.compile(r"\s*(?:左右|以上|上下)")
_INFO = r"(?:信息|资讯)"


def _pattern(before: str, units: str, gap: int = 14) -> re.Pattern[str]:
    """``before`` … number … unit, with a gap of at most ``gap`` clause characters before the number."""
    return re.compile(rf"{before}(?P<gap>{_GAP}{{0,{gap}}}?)\s*{_NUM}\s*(?P<unit>{units})")


_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    # "主动公开信息39条", "主动公开政府信息243条", "主动公开信息 42 条", "共主动公开各类政府信息1,036条"
    "proactive_total": (_pattern(rf"主动(?:公开|发布)(?:了)?{_GAP}{{0,8}}?{_INFO}", "条|件", gap=4),),
    # "共收到各类政府信息公开申请5件", "收到政府信息公开申请X件", "受理依申请公开X件"
    "applications_received": (
        _pattern(r"(?:收到|受理|接收|接到)", "件|份|个|条", gap=16),
    ),
    # "其中1件结转下年度继续办理", "另有103件顺延到下年度答复", "结转下年度继续办理1件"
    "applications_carried_forward": (
        re.compile(rf"{_NUM}\s*(?P<unit>件)(?P<gap>{_GAP}{{0,4}}?)(?:结转|顺延)(?:至|到)?下一?年度?"),
        _pattern(r"结转(?:至|到)?下一?年度?(?:继续)?办理", "件", gap=3),
    ),
    # "被申请行政复议2件", "行政复议案件1起"
    "review_cases": (_pattern(r"行政复议(?:案件)?(?:共)?", "件|起|宗", gap=0),),
    # "提起行政诉讼1件", "行政诉讼案件2起"
    "litigation_cases": (_pattern(r"行政诉讼(?:案件)?(?:共)?", "件|起|宗", gap=0),),
    # "收取信息处理费300元", "共收取政府信息公开信息处理费0.3万元"
    "fee_collected_yuan": (_pattern(r"收取[^\d\n，。；]{0,12}?信息处理费(?:共计|共|合计)?", "万元|元", gap=0),),
}

# Which figures must come from an overall clause (not a 其中 breakdown).
_BREAKDOWN_ALLOWED = {"applications_carried_forward"}
# What the gap before an application count must contain ("收到…申请5件", not "收到群众来信5件").
_APPLICATION_WORDS = "申请"

_CJK_OR_DIGIT = r"[\u4e00-\u9fff\d]"
_SPACED = re.compile(rf"(?<={_CJK_OR_DIGIT})[ \t]+(?={_CJK_OR_DIGIT})")
_WRAPPED = re.compile(rf"(?<={_CJK_OR_DIGIT})[ \t]*\n[ \t]*(?={_CJK_OR_DIGIT})")


def join_spaced(text: str) -> str:
    """Remove spaces between CJK characters and digits ("2024 年 1 月" → "2024年1月")."""
    return _SPACED.sub("", text)


def prose_text(text: str) -> str:
    """Normalised text in which sentences wrapped over lines (PDF) read as one line.

    A single line break between two CJK characters or digits is a wrap ("主动公开各类政\n府信息");
    an empty line (a table cell boundary in text dumps) and a break next to punctuation or "|" stay.
    """
    return _WRAPPED.sub("", join_spaced(normalize_text(text or "")))


def _clause_before(text: str, pos: int) -> str:
    """The text from the start of the clause containing ``pos`` up to ``pos``."""
    start = max(text.rfind(ch, 0, pos) for ch in ",.;:!?，。；：！？\n") + 1
    return text[start:pos]


def _number(raw: str) -> int | float:
    value = float(raw.replace(",", ""))
    return int(value) if value.is_integer() and "." not in raw else value


def _applications_gap_ok(gap: str) -> bool:
    # A carried-over count ("收到上年结转申请2件") is another figure.
    return _APPLICATION_WORDS in gap and "结转" not in gap


_GAP_FILTERS: dict[str, Callable[[str], bool]] = {"applications_received": _applications_gap_ok}


def _first_exact(text: str, key: str) -> int | float | None:
    """The first exact figure for ``key`` in ``text`` (None when the text states none)."""
    matches = sorted((m for p in _PATTERNS[key] for m in p.finditer(text)), key=lambda m: m.start())
    for m in matches:
        gap = m.group("gap") or ""
        if any(word in gap for word in _APPROX_BEFORE):
            continue
        if _APPROX_AFTER_UNIT.match(text[m.end():]):
            continue
        if key not in _BREAKDOWN_ALLOWED and "其中" in _clause_before(text, m.start()) + m.group(0)[:2]:
            continue
        gap_ok = _GAP_FILTERS.get(key)
        if gap_ok is not None and not gap_ok(gap):
            continue
        if sum(ch.isdigit() for ch in m.group("num")) > get_limits().max_digits:
            continue  # not a figure of a report (and a float would overflow to inf: invalid JSON)
        value = _number(m.group("num"))
        if m.group("unit") == "万元":
            value = round(value * 10000, 2)
            value = int(value) if float(value).is_integer() else value
        return value
    return None


def extract_narrative(text: str) -> dict[str, int | float]:
    """Exact figures stated in the prose, keyed by ``schema.NARRATIVE_KEYS``; absent figures are absent.

    Keys: proactive_total (items proactively disclosed that year), applications_received,
    applications_carried_forward, review_cases, litigation_cases, fee_collected_yuan (in 元).
    """
    text = prose_text(text)
    out: dict[str, int | float] = {}
    for key in NARRATIVE_KEYS:
        if key not in _PATTERNS:
            continue
        value = _first_exact(text, key)
        if value is not None:
            out[key] = value
    return out

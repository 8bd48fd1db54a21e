"""Figures a report states in its prose (not in its tables), under the keys of ``schema.NARRATIVE_KEYS``.

Rules that keep the figures trustworthy:
- Only exact figures, with one exception: the proactive total is kept when the report gives a lower
  bound ("5500余条", "500多条", "1000条以上"), with ``proactive_total_approx: true`` beside it so the
  figure is shown as "5,500余". "约300条", "300条左右", "近百条" stay absent (not a bound).
- Only the overall statement: a clause that starts with 其中 is a breakdown ("其中主动公开公文类政府信息
  127条") and is never read as the total. The first overall statement in the text wins.
  Exception: the carried-forward count is normally stated as a breakdown of the applications
  ("共收到…申请5件,其中1件结转下年度继续办理"), so 其中 is allowed there.
- The proactive total (:func:`proactive_total`) is read from every statement "(共/累计/全年) 主动公开/
  发布/公布 (各类)(政府)信息 N 条/篇/件", never from an item of a list (after 其中/包括 in the
  sentence, or "其他应主动公开政府信息321条"), never from a cumulative figure (截至…, 历年); when the
  report gives different totals (per channel, per year) and none is marked as the overall one, it
  is left out.
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
from parsing.schema import NARRATIVE_FLAGS, NARRATIVE_KEYS

# The number itself: digits with optional thousands separators (NFKC already made them ASCII). It
# starts where a number starts: without the lookbehind a long run of digits (a table flattened into
# the text) is tried from each of its digits, which is quadratic (minutes for 20,000 digits). A comma
# or point closes the number only after a digit ("1,036"); after a word it separates clauses
# ("其中5件予以公开,2件不予公开" once NFKC has made the comma ASCII).
_NUM = r"(?<!\d)(?<!\d[,.])(?P<num>\d[\d,]*(?:\.\d+)?)"
# A gap inside one clause: no punctuation, no digit, no line break.
_GAP = r"[^\d,.;:!?，。；：、！？\n|]"
# Words in the gap that make the figure approximate or a lower bound.
_APPROX_BEFORE = ("约", "近", "超过", "逾", "大约", "将近", "达到近", "不少于", "以上")
# After the unit ("300条左右"). "500多条" / "1700余条" never match: the unit must follow the digits.
_APPROX_AFTER_UNIT = re.compile(r"\s*(?:左右|以上|上下)")
PROACTIVE_APPROX_KEY = "proactive_total_approx"
assert PROACTIVE_APPROX_KEY in NARRATIVE_FLAGS, "schema narrative flags changed"


def _pattern(before: str, units: str, gap: int = 14) -> re.Pattern[str]:
    """``before`` … number … unit, with a gap of at most ``gap`` clause characters before the number."""
    return re.compile(rf"{before}(?P<gap>{_GAP}{{0,{gap}}}?)\s*{_NUM}\s*(?P<unit>{units})")


_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    # "共收到各类政府信息公开申请5件", "收到政府信息公开申请X件", "受理依申请公开X件"
    "applications_received": (_pattern(r"(?:收到|受理|接收|接到)", "件|份|个|条", gap=16),),
    # "其中1件结转下年度继续办理", "另有103件顺延到下年度答复", "结转下年度继续办理1件"
    "applications_carried_forward": (
        re.compile(rf"{_NUM}\s*(?P<unit>件)(?P<gap>{_GAP}{{0,4}}?)(?:结转|顺延)(?:至|到)?下一?年度?"),
        _pattern(r"结转(?:至|到)?下一?年度?(?:继续)?办理", "件", gap=3),
    ),
    # "被申请行政复议2件", "行政复议案件1起"
    "review_cases": (_pattern(r"行政复议(?:申请|案件)?(?:共计|共|计)?", "件|起|宗", gap=0),),
    # "提起行政诉讼1件", "行政诉讼案件2起"
    "litigation_cases": (_pattern(r"行政诉讼(?:案件)?(?:共计|共|计)?", "件|起|宗", gap=0),),
    # "收取信息处理费300元", "共收取政府信息公开信息处理费0.3万元"
    "fee_collected_yuan": (
        _pattern(r"收取[^\d\n，。；]{0,12}?信息处理费(?:共计|共|合计)?", "万元|元", gap=0),
    ),
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
    # A carried-over count ("收到上年结转申请2件") is another figure, and so are review and
    # litigation applications ("收到行政复议申请2件").
    return _APPLICATION_WORDS in gap and not any(word in gap for word in ("结转", "复议", "诉讼"))


_GAP_FILTERS: dict[str, Callable[[str], bool]] = {"applications_received": _applications_gap_ok}


def _first_exact(text: str, key: str) -> int | float | None:
    """The first exact figure for ``key`` in ``text`` (None when the text states none)."""
    matches = sorted((m for p in _PATTERNS[key] for m in p.finditer(text)), key=lambda m: m.start())
    for m in matches:
        gap = m.group("gap") or ""
        if any(word in gap for word in _APPROX_BEFORE):
            continue
        if _APPROX_AFTER_UNIT.match(text[m.end() :]):
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


# --------------------------------------------------------------------------- the proactive total

_VERB = r"(?P<verb>主动(?:公开|发布|公布)|公开|发布|公布)"
# The object must be information in general: "公开规范性文件12件" or "发布政策解读5篇" are items.
_OBJECT = r"(?:了)?(?:各类|各项|各种)?(?:政府|政务)?(?:信息|资讯)"
_AFTER_OBJECT = (
    r"(?P<mark>共计|总计|合计|总共|共|累计|总数|总量|数量|数)?(?:达到|达|为|计)?(?P<over>超过|逾|超)?"
)
_COUNT = r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<wan>万)?\s*(?P<approx>余|多)?\s*(?P<unit>条|篇|件|则)"
_PROACTIVE = (
    # "主动公开政府信息1234条", "共公布政府信息1234条", "主动发布各类政府信息2428条",
    # "主动公开信息共计5500余条"
    re.compile(rf"{_VERB}{_OBJECT}{_AFTER_OBJECT}\s*{_COUNT}"),
    # "主动公开2428条政府信息", "共发布各类信息1.2万条" written number first
    re.compile(
        rf"{_VERB}(?:了)?(?P<mark>共计|总计|合计|共)?(?P<over>超过|逾|超)?\s*{_COUNT}(?:各类|各项)?(?:政府|政务)?(?:信息|资讯)"
    ),
)
# Words before the verb (in its clause) that make the statement an overall total.
_TOTAL_MARKERS = ("共计", "总计", "合计", "总共", "共", "累计", "全年", "全区", "全市", "全县", "全省")
# Words in the sentence before the figure that make it an item of a list or a cumulative count.
_ITEM_WORDS = ("其中", "包括", "包含", "分别")
_CUMULATIVE_WORDS = ("截至", "截止", "历年", "以来累计", "累计至")
# Words right before the verb that name a category, not the whole: "其他应主动公开政府信息321条".
_CATEGORY_BEFORE = ("应", "其他", "依申请")
# Channels: "通过微信公众号共发布信息588篇" counts one channel. Only statements with 主动 may name one.
_CHANNEL_WORDS = (
    "微信",
    "微博",
    "公众号",
    "头条",
    "抖音",
    "客户端",
    "新媒体",
    "平台",
    "栏目",
    "网站",
    "专栏",
)
_APPROX_UNIT_AFTER = re.compile(r"\s*以上")


def _sentence_before(text: str, pos: int) -> str:
    """The text from the start of the sentence containing ``pos`` up to ``pos`` (lists use ，；、)."""
    start = max(text.rfind(ch, 0, pos) for ch in ".!?。！？\n") + 1
    return text[start:pos]


def _proactive_candidate(text: str, m: re.Match[str]) -> tuple[bool, bool, int, bool] | None:
    """(strong, marked, value, approx) of one statement, or None when it is not an overall total.

    ``strong``: the verb says 主动; ``marked``: 共/累计/全年… says it is the total.
    """
    clause = _clause_before(text, m.start())
    sentence = _sentence_before(text, m.start())
    if any(w in sentence for w in _ITEM_WORDS + _CUMULATIVE_WORDS) or clause.endswith(_CATEGORY_BEFORE):
        return None
    if _APPROX_AFTER_UNIT.match(text[m.end() :]) and not _APPROX_UNIT_AFTER.match(text[m.end() :]):
        return None  # "300条左右": neither exact nor a bound
    strong = m.group("verb").startswith("主动")
    marked = (
        bool(m.group("mark"))
        and m.group("mark") not in ("数量", "数")
        or any(w in clause for w in _TOTAL_MARKERS)
    )
    if not strong and (not marked or any(w in clause for w in _CHANNEL_WORDS)):
        return None
    value = float(m.group("num").replace(",", "")) * (10000 if m.group("wan") else 1)
    if not value.is_integer():
        return None  # a fraction of an item is a misread
    approx = bool(m.group("approx") or m.group("over") or _APPROX_UNIT_AFTER.match(text[m.end() :]))
    return strong, marked, int(value), approx


def proactive_total(text: str) -> tuple[int, bool] | None:
    """The overall count of items proactively disclosed, stated in the prose ``text``, and whether it
    is a lower bound ("5500余条"); None when the prose states none or its totals disagree.

    Preference: statements with 主动 over bare 公开/发布/公布; among them, those marked as a total
    (共, 累计, 全年 …). Candidates left after that must agree, else the figure is left out.
    """
    found = []
    for pattern in _PROACTIVE:
        for m in pattern.finditer(text):
            cand = _proactive_candidate(text, m)
            if cand is not None:
                found.append(cand)
    if not found:
        return None
    best = max((strong, marked) for strong, marked, _, _ in found)
    values = {(v, approx) for strong, marked, v, approx in found if (strong, marked) == best}
    if len({v for v, _ in values}) != 1:
        return None  # several different totals: unsure which is the overall one
    value = next(iter(values))[0]
    return value, all(approx for _, approx in values)


# --------------------------------------------------------------------------- figures of 三 and 四
# "共收到申请21件，其中予以公开9件，部分公开2件，不予公开1件，无法提供6件，不予处理2件，其他处理1件":
# each outcome is a breakdown by nature, so 其中 is allowed; a figure stated twice with different
# numbers is ambiguous and left out.

_OUTCOME_WORDS: dict[str, str] = {
    "answered_granted": "予以公开",
    "answered_partial": "部分(?:予以)?公开",
    "answered_withheld": "不予(?:以)?公开",
    "answered_unavailable": "无法提供",
    "answered_not_processed": "不予处理",
    "answered_other": "其他处理",
}
_APP_UNITS = "件|个|份"
# What may stand right before a number written first: a clause start, 其中 or 另有 (checked in code:
# a look-behind tried at every position of the text would be slow).
_CLAUSE_ENDS = tuple(",，;；、:：\n") + ("其中", "另有")


def _words() -> str:
    """One named group per outcome key: '(?P<answered_granted>(?<!不)予以公开)|…'."""
    parts = []
    for key, word in _OUTCOME_WORDS.items():
        before = r"(?<!不)" if key == "answered_granted" else ""  # 不予以公开 is withheld
        parts.append(rf"(?P<{key}>{before}{word})")
    return "|".join(parts)


# Outcome words are found first (one scan), then the number after or before each: a pattern that
# starts with a number is tried at every digit of the tables and was slow.
_OUTCOME_SCAN = re.compile(_words())
# "予以公开9件", "予以公开的有9件", "部分公开答复2件" …
_AFTER_WORD = re.compile(
    rf"(?P<gap>(?:的|答复|决定|类)?(?:申请)?(?:有|为|共)?)\s*{_NUM}\s*(?P<unit>{_APP_UNITS})"
)
# … and "其中9件予以公开", "，2件部分公开" (the number must open its clause: see _opens_clause).
_BEFORE_WORD = re.compile(rf"(?<!\d){_NUM}\s*(?P<unit>{_APP_UNITS})(?P<gap>(?:申请)?(?:为|属于|作|予以)?)$")
_BEFORE_WINDOW = 16  # characters before a word searched for its number
_CONTEXT = 150  # an outcome counts only when 申请 was written this close before it
# "上年结转政府信息公开申请2件", "含上年度结转申请34件", "上一年度结转1件"
_CARRIED_OVER = re.compile(rf"上一?年度?结转(?P<gap>{_GAP}{{0,12}}?)\s*{_NUM}\s*(?P<unit>{_APP_UNITS})")
S3_PROSE_KEYS: tuple[str, ...] = ("applications_carried_over", *_OUTCOME_WORDS)


def _opens_clause(text: str, start: int) -> bool:
    """Whether a number at ``start`` opens a clause ("，2件部分公开", "其中9件…")."""
    before = text[:start].rstrip()
    return not before or before.endswith(_CLAUSE_ENDS)


def _statements(text: str) -> list[tuple[str, re.Match[str], int]]:
    """(key, match, end of the statement) of every statement of a 三 figure in ``text``."""
    out = [("applications_carried_over", m, m.end()) for m in _CARRIED_OVER.finditer(text)]
    for word in _OUTCOME_SCAN.finditer(text):
        if _APPLICATION_WORDS not in text[max(0, word.start() - _CONTEXT) : word.start()]:
            continue  # not about applications ("人大代表建议…予以公开12件")
        key = next(k for k in _OUTCOME_WORDS if word.group(k))
        after = _AFTER_WORD.match(text, word.end())
        if after is not None:
            out.append((key, after, after.end()))
        offset = max(0, word.start() - _BEFORE_WINDOW)
        before = _BEFORE_WORD.search(text[offset : word.start()])
        if before is not None and _opens_clause(text, offset + before.start()):
            out.append((key, before, word.end()))
    return out


def _exact_count(text: str, m: re.Match[str], end: int) -> int | None:
    """The count of one statement ending at ``end``, or None when it is approximate or not whole."""
    if any(word in (m.group("gap") or "") for word in _APPROX_BEFORE):
        return None
    if _APPROX_AFTER_UNIT.match(text, end) or text[end : end + 1] in ("余", "多"):
        return None
    raw = m.group("num").replace(",", "")
    return int(raw) if raw.isdigit() else None  # a fraction of an application is a misread


def application_figures(text: str) -> dict[str, int]:
    """Counts of section 三 the prose states beyond the received total: carried over from last year
    and answered in each outcome (``S3_PROSE_KEYS``). ``text`` is prose text (:func:`prose_text`).

    A figure is kept only when every statement of it is exact and they all agree.
    """
    values: dict[str, set[int | None]] = {}
    for key, m, end in _statements(text):
        values.setdefault(key, set()).add(_exact_count(text, m, end))
    return {
        key: count
        for key in S3_PROSE_KEYS
        if len(found := values.get(key, set())) == 1 and (count := next(iter(found))) is not None
    }


def extract_narrative(text: str) -> dict[str, int | float]:
    """Exact figures stated in the prose, keyed by ``schema.NARRATIVE_KEYS``; absent figures are absent.

    Keys: proactive_total (items proactively disclosed that year), applications_received,
    applications_carried_over (from last year), answered_granted / answered_partial /
    answered_withheld / answered_unavailable / answered_not_processed / answered_other (the outcome
    groups of table 三), applications_carried_forward, review_cases, litigation_cases,
    fee_collected_yuan (in 元); plus ``proactive_total_approx: True`` when the proactive total is a
    lower bound ("5500余条").
    """
    text = prose_text(text)
    out: dict[str, int | float] = {}
    proactive = proactive_total(text)
    if proactive is not None:
        out["proactive_total"] = proactive[0]
        if proactive[1]:
            out[PROACTIVE_APPROX_KEY] = True
    for key in NARRATIVE_KEYS:
        if key not in _PATTERNS:
            continue
        value = _first_exact(text, key)
        if value is not None:
            out[key] = value
    out.update(application_figures(text))
    return out

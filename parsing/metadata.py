"""Who issued a report, for which region, and which year it reports on.

Only what the document states is returned; anything not stated is None (never a guess).

Year, in order of trust:
1. the title "…2020年政府信息公开工作年度报告" (also 2020年度…, spaced "2020 年");
2. the statistics period "统计期限为:2021年1月1日—2021年12月31日" / "统计限自2021年1月1日至…";
3. "2020年度" directly followed by 报告 / 政府信息公开 ("2021年度报告根据…").
Publication dates ("发布时间: 2021-01-25", "时间:2024年01月25日") match none of these on purpose:
a report published in January of year N is usually about N-1, but that is a guess, not a statement.

Agency: the text in front of the year in the title, else a "由乐清市教育局编制" statement.
Titles quoted inside 《…》 (e.g. a provincial notice "关于做好2021年政府信息公开工作年度报告编发工作的
通知") are not the report's own title and are ignored.

Region: see :func:`region_of`.
"""

from __future__ import annotations

import re

from parsing.narrative import join_spaced, prose_text
from parsing.normalize import normalize_text

_CJK = r"\u4e00-\u9fff"
_YEAR = r"((?:19|20)\d{2})"
# Plausible report years: the 条例 took effect in 2008; a far-future year is a typo, not a statement.
_YEAR_RANGE = range(2008, 2100)

# The part of a title after the year. 资讯 is what OpenCC t2s leaves for traditional 資訊.
_TITLE_TAIL = r"年度?(?:政府|政务)?(?:信息|资讯)公开(?:工作)?(?:年度)?报告"

# Title form A: agency, year, tail ("施秉县教育和科技局2020年政府信息公开工作年度报告").
# The agency is a run of CJK characters (brackets allowed), so a leading "首页 >", "|" or
# "标题:" is not taken into it. The look-behind keeps a match from starting inside a word.
_TITLE_A = re.compile(rf"(?<![{_CJK}《])(?P<agency>[{_CJK}()]{{0,40}}?)(?:关于)?{_YEAR}{_TITLE_TAIL}")
# Title form B: year, agency, tail ("2021年度北京市财政局政府信息公开工作年度报告").
_TITLE_B = re.compile(
    rf"(?<![{_CJK}《]){_YEAR}年度?(?P<agency>[{_CJK}()]{{2,40}}?)(?:政府|政务)?(?:信息|资讯)公开(?:工作)?(?:年度)?报告"
)
# Form B would also read "2020年政府信息公开…" with an agency like "度"; demand an agency-like ending.
_AGENCY_ENDINGS = ("局", "委", "委员会", "办", "办公室", "政府", "厅", "部", "署", "中心", "院", "所", "馆", "站",
                   "队", "处", "会", "镇", "乡", "街道", "街道办事处", "管委会", "公署")

_STAT_PERIOD = re.compile(
    rf"统计[^。\n]{{0,20}}?{_YEAR}年0?1月0?1日[^\d。\n]{{0,6}}?(?:{_YEAR}年)?12月31日"
)
_YEAR_DU = re.compile(rf"{_YEAR}年度(?=(?:政府|政务)?(?:信息|资讯)公开|(?:工作)?(?:年度)?报告)")
_COMPILED_BY = re.compile(rf"由([{_CJK}()]{{2,40}}?)(?:负责|组织)?编制")

# Characters that end a region name at the start of an agency name.
_REGION_SUFFIXES = "省市县区旗州盟"
# A suffix character followed by one of these starts an ordinary word (市场, 区域…), not a region.
# Not 政/民: "淮安市政府", "朝阳区民政局" are regions followed by words.
_WORD_AFTER_SUFFIX = "场域级属"
# Prefixes that are not place names: "国家市场监督管理总局", "本县…", "全市…".
_NOT_PLACES = {"国家", "城", "本", "全", "我", "该", "各", "省", "市", "县", "区", "州"}
# Party bodies carry the region after this prefix: "中共施秉县委…".
_LEADING_NON_REGION = ("中国共产党", "中共")
_MAX_REGION_LEN = 16


_AGENCY_LINE = re.compile(rf"[{_CJK}()]{{2,40}}")


def _agency_line(line: str) -> str | None:
    """The line itself when it is nothing but an agency name (the first half of a two-line title)."""
    line = line.strip()
    return line if _AGENCY_LINE.fullmatch(line) and line.endswith(_AGENCY_ENDINGS) else None


def _inside_book_title(text: str, pos: int) -> bool:
    """True when ``pos`` lies inside 《…》 on its line (a quoted document title, not the report's own)."""
    line_start = text.rfind("\n", 0, pos) + 1
    before = text[line_start:pos]
    return before.count("《") > before.count("》")


def _valid_year(raw: str) -> int | None:
    year = int(raw)
    return year if year in _YEAR_RANGE else None


def _title(text: str) -> tuple[str | None, int | None]:
    """(agency, year) from the first report title in ``text``; (None, None) when there is none.

    ``text`` is normalised, one line per source line. A title broken after the agency
    ("淮安市人民政府" / "2024 年政府信息公开工作年度报告", PDF) takes the agency from the line before,
    but only when that line is nothing but an agency name (a breadcrumb line is not).
    """
    previous = ""
    for raw_line in text.splitlines():
        line = join_spaced(raw_line)
        for m in _TITLE_A.finditer(line):
            if _inside_book_title(line, m.start()):
                continue
            year = _valid_year(m.group(2))
            if year is None:
                continue
            agency = m.group("agency").strip("()")
            if len(agency) < 2:
                agency = _agency_line(previous) if not line[: m.start()].strip(" |") else None
            return agency or None, year
        for m in _TITLE_B.finditer(line):
            agency = m.group("agency")
            if _inside_book_title(line, m.start()) or not agency.endswith(_AGENCY_ENDINGS):
                continue
            year = _valid_year(m.group(1))
            if year is not None:
                return agency, year
        if line.strip():
            previous = line
    return None, None


def _statistics_year(text: str) -> int | None:
    """The year of a stated statistics period that covers exactly one calendar year."""
    for m in _STAT_PERIOD.finditer(text):
        start, end = m.group(1), m.group(2)
        if end is None or end == start:
            year = _valid_year(start)
            if year is not None:
                return year
    return None


def _year_du(text: str) -> int | None:
    for m in _YEAR_DU.finditer(text):
        if not _inside_book_title(text, m.start()):
            year = _valid_year(m.group(1))
            if year is not None:
                return year
    return None


def region_of(agency: str | None) -> str | None:
    """The administrative region that leads an agency name, or None.

    Algorithm: take the shortest prefix of the name that ends in one of 省市县区旗州盟 and has at
    least one character before that suffix ("施秉县教育和科技局" → "施秉县", "县教育局" → None).
    A 州 that is the second character or directly followed by another suffix is part of the name
    ("广州市" not "广州", "贵州省", "苏州工业园区"),
    a suffix followed by 场/域… starts an ordinary word ("国家市场…" → not "国家市"), and
    generic prefixes (本县, 全市, 国家…) are no place. A leading 中共 is skipped ("中共施秉县委" →
    "施秉县"). Only the first level is returned ("温州市鹿城区…" → "温州市").
    """
    if not agency:
        return None
    name = agency
    for prefix in _LEADING_NON_REGION:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    for i, ch in enumerate(name[:_MAX_REGION_LEN]):
        if ch not in _REGION_SUFFIXES or i == 0:
            continue
        nxt = name[i + 1: i + 2]
        if ch == "州" and (i == 1 or (nxt and nxt in _REGION_SUFFIXES)):
            continue  # 广州|市, 贵州|省, 苏州|工业园区: 州 is part of the name, the suffix comes later
        if nxt and nxt in _WORD_AFTER_SUFFIX:
            continue
        prefix = name[:i]
        if prefix in _NOT_PLACES:
            continue
        return name[: i + 1]
    return None


def extract_metadata(text: str) -> dict[str, str | int | None]:
    """Agency, region and report year stated in a report's text.

    Returns ``{"agency": str | None, "region": str | None, "year": int | None}``; each value is None
    when the document does not state it. The text may be traditional Chinese or carry Kangxi radicals.
    """
    agency, year = _title(normalize_text(text or ""))
    prose = prose_text(text)  # PDF sentences wrapped over lines read as one line
    if year is None:
        year = _statistics_year(prose)
    if year is None:
        year = _year_du(prose)
    if agency is None:
        for m in _COMPILED_BY.finditer(prose):
            if not _inside_book_title(prose, m.start()):
                agency = m.group(1)
                break
    return {"agency": agency, "region": region_of(agency), "year": year}

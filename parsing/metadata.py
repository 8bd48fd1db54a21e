"""Who issued a report, for which region, and which year it reports on.

Only what the document states is returned; anything not stated is None (never a guess).

Year, in order of trust:
1. the title "…2020年政府信息公开工作年度报告" (also 2020年度…, spaced "2020 年");
2. the statistics period "统计期限为:2021年1月1日—2021年12月31日" / "统计限自2021年1月1日至…";
3. "2020年度" directly followed by 报告 / 政府信息公开 ("2021年度报告根据…").
Publication dates ("发布时间: 2021-01-25", "时间:2024年01月25日") match none of these on purpose:
a report published in January of year N is usually about N-1, but that is a guess, not a statement.

4. a statement about the year's work: "汇报我镇2023年政府信息公开工作", "现将我局2023年度政府信息公开
   工作情况报告如下";
5. the opening of 一、总体情况: "2023年，我局…".

Agency: the text in front of the year in the title, else a "由乐清市教育局编制" statement, cleaned of
the prose around it ("现将青山镇…" → 青山镇, "由东湖区民政局办公室编制的" → 东湖区民政局办公室), then
completed from a fuller name the document states (the signature, the top lines, 由…编制): "洪泽区人民政府"
→ "淮安市洪泽区人民政府", a bare region "河口镇" → "临江县河口镇人民政府". Never shortened to a region.
Titles quoted inside 《…》 (e.g. a provincial notice "关于做好2021年政府信息公开工作年度报告编发工作的
通知") are not the report's own title and are ignored.

Region: see :func:`region_of`.

Publication date (``published``, ISO): page chrome "发布时间：2022-02-08 16:34", "发布日期:2020-01-31",
"时间：2023-02-20", "更新日期", "公开日期" (never 成文日期/生成日期, which date the drafting), else the
date under the signature at the end ("临江县河口镇人民政府" / "2024年1月25日").

:func:`read_metadata` also says where each value was found (``source``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

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
_AGENCY_ENDINGS = (
    "局",
    "委",
    "委员会",
    "办",
    "办公室",
    "政府",
    "厅",
    "部",
    "署",
    "中心",
    "院",
    "所",
    "馆",
    "站",
    "队",
    "处",
    "会",
    "镇",
    "乡",
    "街道",
    "街道办事处",
    "管委会",
    "公署",
)

_STAT_PERIOD = re.compile(rf"统计[^。\n]{{0,20}}?{_YEAR}年0?1月0?1日[^\d。\n]{{0,6}}?(?:{_YEAR}年)?12月31日")
_YEAR_DU = re.compile(rf"{_YEAR}年度(?=(?:政府|政务)?(?:信息|资讯)公开|(?:工作)?(?:年度)?报告)")
_COMPILED_BY = re.compile(rf"由([{_CJK}()]{{2,40}}?)(?:负责|组织)?编制")
# "本报告由淮安市洪泽区人民政府办公室根据《条例》…编制": a name the document states (for completion).
_REPORT_BY = re.compile(rf"报告由([{_CJK}()]{{2,40}}?)(?:根据|按照|依据)")

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
            named = strip_stray_parens(m.group("agency"))
            if len(named) >= 2:
                return named, year
            return (_agency_line(previous) if not line[: m.start()].strip(" |") else None) or None, year
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


def _first_region(name: str) -> int | None:
    """The end (exclusive) of the region that leads ``name``, or None (rules of :func:`region_of`)."""
    for i, ch in enumerate(name[:_MAX_REGION_LEN]):
        if ch not in _REGION_SUFFIXES or i == 0:
            continue
        nxt = name[i + 1 : i + 2]
        if ch == "州" and (i == 1 or (nxt and nxt in _REGION_SUFFIXES)):
            continue  # 广州|市, 贵州|省, 苏州|工业园区: 州 is part of the name, the suffix comes later
        if nxt and nxt in _WORD_AFTER_SUFFIX:
            continue
        if name[:i] in _NOT_PLACES:
            continue
        return i + 1
    return None


# A lower level after a region: a district or county name of 2–7 characters without organ words.
_ORGAN_CHARS = set("局委办厅部队所院处科室站馆会府署")
# Generic zone names are no region on their own ("高新区" exists in many cities): keep the parent.
_GENERIC_ZONES = (
    "开发区",
    "片区",
    "园区",
    "高新区",
    "度假区",
    "风景区",
    "示范区",
    "保税区",
    "管理区",
    "试验区",
    "实验区",
)


def _lower_region(rest: str) -> int | None:
    """The end of a county/district that directly follows a region ("洪泽区人民政府" → 3), or None."""
    end = _first_region(rest)
    if end is None or not 3 <= end <= 8:
        return None
    level = rest[:end]
    if any(ch in _ORGAN_CHARS for ch in level) or "政府" in level or level.endswith(_GENERIC_ZONES):
        return None
    return end


def region_of(agency: str | None) -> str | None:
    """The county, district or city an agency belongs to, or None.

    Algorithm: take the shortest prefix of the name that ends in one of 省市县区旗州盟 and has at
    least one character before that suffix ("施秉县教育和科技局" → "施秉县", "县教育局" → None).
    A 州 that is the second character or directly followed by another suffix is part of the name
    ("广州市" not "广州", "贵州省", "苏州工业园区"),
    a suffix followed by 场/域… starts an ordinary word ("国家市场…" → not "国家市"), and
    generic prefixes (本县, 全市, 国家…) are no place. A leading 中共 is skipped ("中共施秉县委" →
    "施秉县"). Lower levels that follow are taken down to the county or district the agency belongs
    to ("淮安市洪泽区人民政府" → "洪泽区", "江苏省淮安市…局" → "淮安市"); townships are no region
    ("临江县河口镇人民政府" → "临江县"), nor generic zones ("苏州市工业园区…" → "苏州市").
    """
    if not agency:
        return None
    name = agency
    for prefix in _LEADING_NON_REGION:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    end = _first_region(name)
    if end is None:
        return None
    start = 0
    while (lower := _lower_region(name[end:])) is not None:
        start, end = end, end + lower
    return name[start:end]


# ------------------------------------------------------------------------------- agency names

# Prose that runs into a name in a sentence. Markers of two characters or more that never occur
# inside an agency name are cut wherever they are; ambiguous ones only at the very start.
_PROSE_ANYWHERE = (
    "现将",
    "特将",
    "兹将",
    "现把",
    "现就",
    "现予以公布",
    "现予公布",
    "予以公布",
    "现公布",
    "特此公布",
)
_PROSE_LEADING = (
    "本年度报告由",
    "本报告由",
    "本报告是",
    "本报告为",
    "编制了",
    "编制",
    "编写",
    "公布",
    "发布",
    "印发",
    "关于",
    "根据",
    "按照",
    "依据",
    "由",
    "是",
    "为",
    "对",
)
_PROSE_TRAILING = (
    "组织编制的",
    "负责编制的",
    "编制的",
    "组织编制",
    "负责编制",
    "编制",
    "编写的",
    "编写",
    "制作的",
    "发布的",
    "公布的",
    "关于",
    "的",
)
# 我镇, 本局, 全区: no name (but 全椒县, 本溪市 are)
_PRONOUN_NAME = re.compile(
    r"^[我本该全](?:镇|乡|局|委|办|区|县|市|省|厅|院|所|站|单位|机关|部门|街道|中心|政府)$"
)
_BARE_REGION = re.compile(rf"^(?:[{_CJK}]{{1,10}}?(?:省|市|县|区|旗|州|盟|镇|乡|街道))+$")
# A government of a region, written after the region's name ("河口镇" + "人民政府").
_GOVERNMENT_TAILS = ("人民政府", "街道办事处", "办事处", "政府")


def strip_stray_parens(name: str) -> str:
    """``name`` without brackets at its ends that close nothing or wrap all of it: "(某县财政局" and
    "(某县财政局)" → "某县财政局", but "(合成)甲县教育局" keeps its balanced bracket (a plain
    ``strip("()")`` cut it to "合成)甲县教育局")."""
    while name:
        if name[0] == ")" or (name[0] == "(" and name.count("(") > name.count(")")):
            name = name[1:]
        elif name[-1] == "(" or (name[-1] == ")" and name.count(")") > name.count("(")):
            name = name[:-1]
        elif name[0] == "(" and name[-1] == ")" and _closes_at_end(name):
            name = name[1:-1]
        else:
            return name
    return name


def _closes_at_end(name: str) -> bool:
    """True when the bracket opening ``name`` is the one its last character closes."""
    depth = 0
    for i, ch in enumerate(name):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return i == len(name) - 1
    return False


def clean_agency(raw: str | None) -> str | None:
    """An agency name without the prose around it, or None when nothing name-like remains.

    "现将青山镇" → "青山镇", "由东湖区民政局办公室编制的" → "东湖区民政局办公室", "编制云溪乡" → "云溪乡",
    "现公布北川市自然资源局" → "北川市自然资源局", "我镇" → None.
    """
    if not raw:
        return None
    name = strip_stray_parens(raw)
    for marker in _PROSE_ANYWHERE:
        if marker in name:
            name = name[name.rindex(marker) + len(marker) :]
    changed = True
    while changed and name:
        changed = False
        for marker in _PROSE_LEADING:
            if name.startswith(marker) and len(name) > len(marker) + 1:
                name, changed = name[len(marker) :], True
        for marker in _PROSE_TRAILING:
            if name.endswith(marker) and len(name) > len(marker) + 1:
                name, changed = name[: -len(marker)], True
    if len(name) < 2 or _PRONOUN_NAME.match(name):
        return None
    return name


def _complete(agency: str, stated: list[str]) -> str | None:
    """A fuller form of ``agency`` among names the document states, or None.

    Only two completions: a region chain in front ("洪泽区人民政府" in "淮安市洪泽区人民政府办公室" →
    "淮安市洪泽区人民政府"), and a bare region completed to the organ stated for it ("河口镇" →
    "临江县河口镇人民政府", "某市西城区" → "西城区应急管理局" when the signature says so).
    """
    bare = bool(_BARE_REGION.match(agency))
    last_level = region_of(agency) if bare else None
    for name in stated:
        if name == agency:
            continue
        pos = name.find(agency)
        if pos > 0 and _BARE_REGION.match(name[:pos]):
            rest = name[pos + len(agency) :]
            if not bare:
                return name[: pos + len(agency)]
            if rest and name.endswith(_AGENCY_ENDINGS) and not _BARE_REGION.match(name):
                tail = next((t for t in _GOVERNMENT_TAILS if rest.startswith(t)), None)
                return name[: pos + len(agency)] + tail if tail else name
        if pos == 0 and bare and name.endswith(_AGENCY_ENDINGS) and not _BARE_REGION.match(name):
            return name
        if (
            bare
            and last_level
            and agency.endswith(last_level)
            and name.startswith(last_level)
            and len(name) > len(last_level)
        ):
            if name.endswith(_AGENCY_ENDINGS) and not _BARE_REGION.match(name):
                return name
    return None


# ------------------------------------------------------------------------------ publication date

_DATE = r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)"
# Page chrome keys: 发布时间, 发布日期, 发布于, 更新日期/时间, 公开日期/时间, and a bare 时间/日期 only
# after a non-CJK character ("来源: 时间:…"), so 成文日期, 生成日期, 办公时间 and the like never match.
# Found as literals first (a pattern with look-behinds tried at every position of a long page is slow).
_DATE_KEY = re.compile(r"时间|日期|发布于")
_KEY_QUALIFIERS = ("发布", "更新", "公开")
_AFTER_KEY = re.compile(rf"\s*[:：]?\s*{_DATE}")
# A date alone on its line, and an agency followed by a date on one line (the signature at the end).
_DATE_LINE = re.compile(rf"(?m)^[ \t]*{_DATE}[ \t]*日?[ \t]*$")
_SIGNED_LINE = re.compile(rf"(?m)^[ \t]*(?P<agency>[{_CJK}()]{{2,40}}?)[ \t]*{_DATE}[ \t]*日[ \t]*$")


def _iso(m: re.Match[str]) -> str | None:
    try:
        day = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None
    return day.isoformat() if day.year in _YEAR_RANGE else None


# A date that opens a range ("时间：2023年1月1日至12月31日") is a period, not a publication date.
_RANGE_AFTER = re.compile(r"\s*日?\s*(?:起|至|到|—|–|～|~|-\s*\d)")


def _is_page_key(text: str, key: re.Match[str]) -> bool:
    start = key.start()
    if key.group(0) == "发布于" or text[max(0, start - 2) : start] in _KEY_QUALIFIERS:
        return True
    return start == 0 or not ("\u4e00" <= text[start - 1] <= "\u9fff")


def _page_date(text: str) -> str | None:
    for key in _DATE_KEY.finditer(text):
        if not _is_page_key(text, key):
            continue
        m = _AFTER_KEY.match(text, key.end())
        if m is None or _RANGE_AFTER.match(text, m.end()):
            continue
        iso = _iso(m)
        if iso is not None:
            return iso
    return None


def _line_before(text: str, pos: int) -> str:
    """The last non-empty line that ends before ``pos`` (the start of a line)."""
    end = pos
    while end > 0:
        start = text.rfind("\n", 0, end - 1) + 1
        line = text[start : end - 1] if text[end - 1] == "\n" else text[start:end]
        if line.strip():
            return line
        end = start
    return ""


def _signatures(text: str) -> list[tuple[str, str]]:
    """(agency, ISO date) of every signature in ``text``, in order: an agency line with a date alone
    under it, or an agency and a date on one line. The last one is the report's own.

    Whole-text patterns, not a loop over lines: a table dump has thousands of lines."""
    found: list[tuple[int, str, str]] = []
    for m in _DATE_LINE.finditer(text):
        if (agency := _agency_line(_line_before(text, m.start()))) and (iso := _iso(m)):
            found.append((m.start(), agency, iso))
    for m in _SIGNED_LINE.finditer(text):
        if m.group("agency").endswith(_AGENCY_ENDINGS) and (iso := _iso(m)):
            found.append((m.start(), m.group("agency"), iso))
    return [(agency, iso) for _, agency, iso in sorted(found)]


# ---------------------------------------------------------------------------------- year in prose

_WORK_STATEMENT = re.compile(
    rf"[我本][{_CJK}]{{0,3}}?{_YEAR}\s*年度?(?:的)?(?:政府|政务)?(?:信息|资讯)公开工作(?!要点|计划|安排|方案|任务)"
)
_OVERVIEW = re.compile(
    rf"(?:^|\n)\s*(?:一|1)\s*[、.．]?\s*总体情况\s*[:：]?\s*(?:\n\s*)*{_YEAR}\s*年度?(?:以来)?\s*[,，]"
)


def _work_statement_year(text: str) -> int | None:
    for m in _WORK_STATEMENT.finditer(text):
        if not _inside_book_title(text, m.start()):
            year = _valid_year(m.group(1))
            if year is not None:
                return year
    return None


def _overview_year(text: str) -> int | None:
    m = _OVERVIEW.search(text)
    return _valid_year(m.group(1)) if m else None


# ------------------------------------------------------------------------------------ the result


@dataclass(frozen=True)
class Metadata:
    """What a report states about itself; ``source`` says where each value was found."""

    agency: str | None = None
    region: str | None = None
    year: int | None = None
    published: str | None = None  # ISO date
    source: dict[str, str] = field(default_factory=dict)


def _title_agency(text: str) -> tuple[str | None, int | None, str | None]:
    """(agency, year, where the agency came from) of the report's title."""
    agency, year = _title(text)
    return agency, year, ("title" if agency else None)


def _year(text: str, prose: str, title_year: int | None) -> tuple[int | None, str | None]:
    if title_year is not None:
        return title_year, "title"
    for finder, where in (
        (_statistics_year, "period"),
        (_year_du, "prose"),
        (_work_statement_year, "prose"),
        (_overview_year, "overview"),
    ):
        year = finder(prose)
        if year is not None:
            return year, where
    return None, None


@lru_cache(maxsize=8)
def read_metadata(text: str) -> Metadata:
    """Agency, region, report year and publication date stated in a report's text, with their sources.

    Each value is None when the document does not state it. ``source`` maps each found value to where
    it was read: year → title | period | prose | overview; agency → title | compiled_by | signature;
    region → agency; published → page | signature. Cached: the parser asks twice per document.
    """
    norm = normalize_text(text or "")
    joined = join_spaced(norm)
    agency, title_year, agency_from = _title_agency(norm)
    prose = prose_text(text)  # PDF sentences wrapped over lines read as one line
    year, year_from = _year(norm, prose, title_year)
    agency = clean_agency(agency)
    compiled = []
    for m in _COMPILED_BY.finditer(prose):
        if not _inside_book_title(prose, m.start()) and (name := clean_agency(m.group(1))):
            compiled.append(name)
    signatures = _signatures(joined)
    if agency is None and compiled:
        agency, agency_from = compiled[0], "compiled_by"
    if agency is None and signatures:
        agency, agency_from = signatures[-1][0], "signature"
    if agency is not None:
        stated = [name for name, _ in reversed(signatures)] + compiled
        stated += [name for m in _REPORT_BY.finditer(prose) if (name := clean_agency(m.group(1)))]
        stated += [a for line in joined.split("\n", 6)[:6] if (a := _agency_line(line))]
        fuller = _complete(agency, stated)
        if fuller is not None:
            agency = fuller
    published, published_from = _page_date(norm), "page"
    if published is None and signatures:
        published, published_from = signatures[-1][1], "signature"
    region = region_of(agency)
    source = {
        key: where
        for key, value, where in (
            ("year", year, year_from),
            ("agency", agency, agency_from),
            ("region", region, "agency"),
            ("published", published, published_from),
        )
        if value is not None and where
    }
    return Metadata(agency, region, year, published, source)


def extract_metadata(text: str) -> dict[str, str | int | None]:
    """Agency, region and report year stated in a report's text.

    Returns ``{"agency": str | None, "region": str | None, "year": int | None}``; each value is None
    when the document does not state it. The text may be traditional Chinese or carry Kangxi radicals.
    See :func:`read_metadata` for the publication date and the sources.
    """
    meta = read_metadata(text or "")
    return {"agency": meta.agency, "region": meta.region, "year": meta.year}

"""Canonical schema of the annual report tables: keys and standard labels of both formats.

This module is the single source of truth for every key and label (domain reference §9).
Everything else in the project (matcher, interpreter, checks, store, charts) reads from here.

Key forms:
- section 二: ``s2.<block>.<row>.<col>``  e.g. ``s2.art20_1.normative_documents.in_force``
- section 三: ``s3.<row>.<col>``          e.g. ``s3.r3_4_1_not_held.natural_person``
- section 四: ``s4.<col>``                e.g. ``s4.review_total``
"""

from __future__ import annotations

from dataclasses import dataclass, field

V2019 = "2019"
V2021 = "2021"
VERSIONS = (V2019, V2021)

# What a measure counts over time (every aggregation, card, chart and export obeys it):
# - FLOW: what happened during the year (issued, repealed, decisions, applications, cases, fees);
#   sums over agencies within a year and over years.
# - STOCK: a count at a point in time (现行有效件数, 对外公开总数量, 上一年项目数量); sums over agencies
#   within one year, never over years: for one agency over several years it is the latest year's.
FLOW = "flow"
STOCK = "stock"

# --------------------------------------------------------------------------- section 二


@dataclass(frozen=True)
class Column:
    """A data column of a section-二 block."""

    key: str
    label: str
    kind: str = "count"  # count | signed | amount
    unit: str | None = None  # canonical unit of an amount column (None = not fixed by the template)
    measure_kind: str = FLOW  # FLOW or STOCK (see above)


@dataclass(frozen=True)
class Block:
    """One 第二十条 block of section 二 in one template version."""

    key: str  # art20_1 ...
    clause: str  # the clause numeral: 一, 五, 六, 八, 九
    rows: tuple[tuple[str, str], ...]  # (row key, standard label)
    cols: tuple[Column, ...]

    @property
    def caption(self) -> str:
        return f"第二十条第（{self.clause}）项"


_V2019_ITEMS = (
    # The number of items (许可事项 …) on the list at the end of the previous year: a stock.
    Column("prev_year_items", "上一年项目数量", measure_kind=STOCK),
    Column("items_change", "本年增/减", kind="signed"),
    Column("decisions", "处理决定数量"),
)

SECTION2: dict[str, tuple[Block, ...]] = {
    V2019: (
        Block(
            "art20_1",
            "一",
            (("regulations", "规章"), ("normative_documents", "规范性文件")),
            (
                Column("new_made", "本年新制作数量"),
                Column("new_published", "本年新公开数量"),
                Column("total_published", "对外公开总数量", measure_kind=STOCK),
            ),
        ),
        Block(
            "art20_5",
            "五",
            (("administrative_licensing", "行政许可"), ("other_management_services", "其他对外管理服务事项")),
            _V2019_ITEMS,
        ),
        Block(
            "art20_6",
            "六",
            (("administrative_penalty", "行政处罚"), ("administrative_coercion", "行政强制")),
            _V2019_ITEMS,
        ),
        Block("art20_8", "八", (("administrative_fees", "行政事业性收费"),), _V2019_ITEMS[:2]),
        Block(
            "art20_9",
            "九",
            (("centralized_procurement", "政府集中采购"),),
            (
                Column("procurement_items", "采购项目数量"),
                Column("procurement_amount", "采购总金额", kind="amount", unit=None),
            ),
        ),
    ),
    V2021: (
        Block(
            "art20_1",
            "一",
            (("regulations", "规章"), ("normative_documents", "行政规范性文件")),
            (
                Column("issued", "本年制发件数"),
                Column("repealed", "本年废止件数"),
                Column("in_force", "现行有效件数", measure_kind=STOCK),
            ),
        ),
        Block(
            "art20_5",
            "五",
            (("administrative_licensing", "行政许可"),),
            (Column("decisions", "本年处理决定数量"),),
        ),
        Block(
            "art20_6",
            "六",
            (("administrative_penalty", "行政处罚"), ("administrative_coercion", "行政强制")),
            (Column("decisions", "本年处理决定数量"),),
        ),
        Block(
            "art20_8",
            "八",
            (("administrative_fees", "行政事业性收费"),),
            (Column("fee_amount_wan_yuan", "本年收费金额（单位：万元）", kind="amount", unit="万元"),),
        ),
    ),
}

# --------------------------------------------------------------------------- section 三

S3_COLUMNS: tuple[tuple[str, str], ...] = (
    ("natural_person", "自然人"),
    ("commercial_enterprise", "商业企业"),
    ("research_institution", "科研机构"),
    ("public_interest_org", "社会公益组织"),
    ("legal_service_org", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
)
S3_COL_KEYS: tuple[str, ...] = tuple(k for k, _ in S3_COLUMNS)
S3_APPLICANT_COLS: tuple[str, ...] = S3_COL_KEYS[:6]
S3_ORG_COLS: tuple[str, ...] = S3_COL_KEYS[1:6]
S3_CORNER_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
S3_APPLICANT_GROUP = "申请人情况"
S3_ORG_GROUP = "法人或其他组织"


@dataclass(frozen=True)
class S3Row:
    """A data row of the section-三 table."""

    key: str
    label: str  # standard label, numbering included
    group: str | None = None  # the group label cell this row sits under (no data of its own)
    versions: tuple[str, ...] = VERSIONS


_G3 = "三、本年度办理结果"
_G33 = "（三）不予公开"
_G34 = "（四）无法提供"
_G35 = "（五）不予处理"
_G36 = "（六）其他处理"

S3_ROWS: tuple[S3Row, ...] = (
    S3Row("r1_new_received", "一、本年新收政府信息公开申请数量"),
    S3Row("r2_carried_over", "二、上年结转政府信息公开申请数量"),
    S3Row("r3_1_granted", "（一）予以公开", _G3),
    S3Row("r3_2_partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", _G3),
    S3Row("r3_3_1_state_secret", "1.属于国家秘密", _G33),
    S3Row("r3_3_2_prohibited_by_law", "2.其他法律行政法规禁止公开", _G33),
    S3Row("r3_3_3_three_safety_one_stability", "3.危及“三安全一稳定”", _G33),
    S3Row("r3_3_4_third_party_rights", "4.保护第三方合法权益", _G33),
    S3Row("r3_3_5_internal_affairs", "5.属于三类内部事务信息", _G33),
    S3Row("r3_3_6_process_info", "6.属于四类过程性信息", _G33),
    S3Row("r3_3_7_enforcement_file", "7.属于行政执法案卷", _G33),
    S3Row("r3_3_8_admin_inquiry", "8.属于行政查询事项", _G33),
    S3Row("r3_4_1_not_held", "1.本机关不掌握相关政府信息", _G34),
    S3Row("r3_4_2_needs_creation", "2.没有现成信息需要另行制作", _G34),
    S3Row("r3_4_3_unclear_after_fix", "3.补正后申请内容仍不明确", _G34),
    S3Row("r3_5_1_petition_complaint", "1.信访举报投诉类申请", _G35),
    S3Row("r3_5_2_repeated", "2.重复申请", _G35),
    S3Row("r3_5_3_publication", "3.要求提供公开出版物", _G35),
    S3Row("r3_5_4_excessive", "4.无正当理由大量反复申请", _G35),
    S3Row("r3_5_5_confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息", _G35),
    S3Row("r3_6_other", "（六）其他处理", _G3, (V2019,)),
    S3Row(
        "r3_6_1_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        _G36,
        (V2021,),
    ),
    S3Row(
        "r3_6_2_fee_unpaid",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        _G36,
        (V2021,),
    ),
    S3Row("r3_6_3_other", "3.其他", _G36, (V2021,)),
    S3Row("r3_7_total", "（七）总计", _G3),
    S3Row("r4_carry_forward", "四、结转下年度继续办理"),
)
S3_ROW_BY_KEY: dict[str, S3Row] = {r.key: r for r in S3_ROWS}

# Group label cells: they carry no numbers of their own.
S3_GROUPS: dict[str, str] = {
    "g3_results": _G3,
    "g3_3_withheld": _G33,
    "g3_4_unavailable": _G34,
    "g3_5_not_processed": _G35,
    "g3_6_other": _G36,  # a group in v2021, a data row (r3_6_other) in v2019
}


def s3_rows(version: str) -> tuple[S3Row, ...]:
    """Data rows of table 三 in one template version, in order (23 for 2019, 25 for 2021)."""
    return tuple(r for r in S3_ROWS if version in r.versions)


def outcome_rows(version: str) -> tuple[str, ...]:
    """OUT(v): the mutually exclusive outcome rows that add up to （七）总计."""
    return tuple(r.key for r in s3_rows(version) if r.key.startswith("r3_") and r.key != "r3_7_total")


# Virtual subtotals (D4): never parsed from the official template.
S3_SUBTOTALS: dict[str, tuple[str, ...]] = {
    "r3_3_subtotal": tuple(f"r3_3_{i}" for i in range(1, 9)),
    "r3_4_subtotal": tuple(f"r3_4_{i}" for i in range(1, 4)),
    "r3_5_subtotal": tuple(f"r3_5_{i}" for i in range(1, 6)),
    "r3_6_subtotal": tuple(f"r3_6_{i}" for i in range(1, 4)),
}

# --------------------------------------------------------------------------- section 四

S4_GROUPS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("lit_direct", "行政诉讼/未经复议直接起诉"),
    ("lit_after_review", "行政诉讼/复议后起诉"),
)
S4_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
S4_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (f"{g}_{o}", f"{gl}/{ol}") for g, gl in S4_GROUPS for o, ol in S4_OUTCOMES
)
S4_COL_KEYS: tuple[str, ...] = tuple(k for k, _ in S4_COLUMNS)
S4_HEADER_WORDS: tuple[str, ...] = (
    "行政复议",
    "行政诉讼",
    "未经复议直接起诉",
    "复议后起诉",
    "结果维持",
    "结果纠正",
    "其他结果",
    "尚未审结",
    "总计",
)

# --------------------------------------------------------------------------- all cells


@dataclass(frozen=True)
class CellSpec:
    """One canonical data cell: its key, where it sits and its standard label."""

    key: str
    section: str  # s2 | s3 | s4
    label: str  # human label "row / column"
    versions: tuple[str, ...]
    kind: str = "count"
    unit: str | None = None
    parts: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    measure_kind: str = FLOW  # FLOW or STOCK: sections 三 and 四 are all flows


def _build_cells() -> dict[str, CellSpec]:
    cells: dict[str, CellSpec] = {}
    for version, blocks in SECTION2.items():
        for block in blocks:
            for row_key, row_label in block.rows:
                for col in block.cols:
                    key = f"s2.{block.key}.{row_key}.{col.key}"
                    if key in cells:  # same key in both versions (e.g. regulations? no: cols differ)
                        old = cells[key]
                        cells[key] = CellSpec(
                            key,
                            "s2",
                            old.label,
                            old.versions + (version,),
                            old.kind,
                            old.unit,
                            old.parts,
                            old.measure_kind,
                        )
                        continue
                    cells[key] = CellSpec(
                        key,
                        "s2",
                        f"{row_label} / {col.label}",
                        (version,),
                        col.kind,
                        col.unit,
                        {"block": block.key, "row": row_key, "col": col.key},
                        col.measure_kind,
                    )
    for row in S3_ROWS:
        for col_key, col_label in S3_COLUMNS:
            key = f"s3.{row.key}.{col_key}"
            cells[key] = CellSpec(
                key, "s3", f"{row.label} / {col_label}", row.versions, parts={"row": row.key, "col": col_key}
            )
    for col_key, col_label in S4_COLUMNS:
        key = f"s4.{col_key}"
        cells[key] = CellSpec(key, "s4", col_label, VERSIONS, parts={"col": col_key})
    return cells


CELLS: dict[str, CellSpec] = _build_cells()
# The stock cells (everything else, narrative figures included, is a flow).
STOCK_KEYS: frozenset[str] = frozenset(k for k, c in CELLS.items() if c.measure_kind == STOCK)


def measure_kind(key: str) -> str:
    """FLOW or STOCK for a cell key or a dataset column (``n.<figure>`` and unknown keys are flows)."""
    return STOCK if key in STOCK_KEYS else FLOW


def cell_keys(version: str, section: str | None = None) -> list[str]:
    """All canonical cell keys of one template version (optionally one section), in template order."""
    return [
        k for k, c in CELLS.items() if version in c.versions and (section is None or c.section == section)
    ]


def block(version: str, key: str) -> Block | None:
    """The section-二 block ``key`` of ``version``, or None when that version has no such block."""
    return next((b for b in SECTION2[version] if b.key == key), None)


# Section-二 columns that mark a template version (§8 of the reference).
S2_VERSION_MARKERS: dict[str, tuple[str, ...]] = {
    V2019: (
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增/减",
        "其他对外管理服务事项",
        "政府集中采购",
        "采购项目数量",
        "采购总金额",
    ),
    V2021: ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额"),
}

SECTION_HEADINGS: dict[str, str] = {
    "s1": "一、总体情况",
    "s2": "二、主动公开政府信息情况",
    "s3": "三、收到和处理政府信息公开申请情况",
    "s4": "四、政府信息公开行政复议、行政诉讼情况",
    "s5": "五、存在的主要问题及改进情况",
    "s6": "六、其他需要报告的事项",
}

# Narrative figure keys (stated in prose, not in tables) and their Chinese names.
NARRATIVE_KEYS: dict[str, str] = {
    "proactive_total": "主动公开政府信息（条）",
    "applications_received": "收到政府信息公开申请（件）",
    "applications_carried_over": "上年结转申请（件）",
    "answered_granted": "予以公开（件）",
    "answered_partial": "部分公开（件）",
    "answered_withheld": "不予公开（件）",
    "answered_unavailable": "无法提供（件）",
    "answered_not_processed": "不予处理（件）",
    "answered_other": "其他处理（件）",
    "applications_carried_forward": "结转下年度办理（件）",
    "review_cases": "行政复议（件）",
    "litigation_cases": "行政诉讼（件）",
    "fee_collected_yuan": "收取信息处理费（元）",
}

# Flags stated next to a narrative figure (``narrative`` key → Chinese meaning). A flag is True or
# absent: ``proactive_total_approx`` marks a lower bound written "5500余条" (shown "5,500余").
NARRATIVE_FLAGS: dict[str, str] = {
    "proactive_total_approx": "主动公开政府信息为约数（余）",
}

# --------------------------------------------------------------------------- display labels

LABEL_SEP = " · "


def s3_row_path(row_key: str) -> str:
    """A row of table 三 as the template numbers it, e.g. ``三、（一）予以公开`` or
    ``三、（三）不予公开 · 1.属于国家秘密``; rows outside a group keep their own numbering."""
    row = S3_ROW_BY_KEY[row_key]
    if row.group is None:
        return row.label
    if row.group == _G3:
        return f"三、{row.label}"
    return f"三、{row.group}{LABEL_SEP}{row.label}"


def s3_col_label(col_key: str) -> str:
    """Chinese name of a column of table 三 (``自然人`` … ``总计``)."""
    return dict(S3_COLUMNS)[col_key]


def s4_group_label(group_key: str) -> str:
    """Chinese name of a group of table 四, e.g. ``行政诉讼 · 未经复议直接起诉``."""
    return dict(S4_GROUPS)[group_key].replace("/", LABEL_SEP)


def key_label(key: str) -> str:
    """The Chinese label a reader sees for any canonical key (cells and ``n.<narrative>``).

    ``s3.r3_1_granted.natural_person`` → ``三、（一）予以公开 · 自然人``;
    ``s2.art20_1.regulations.new_made`` → ``第二十条第（一）项 · 规章 · 本年新制作数量``;
    ``s4.review_upheld`` → ``行政复议 · 结果维持``; ``n.proactive_total`` → ``正文 · 主动公开政府信息（条）``.
    A key the schema does not know is returned unchanged (it is then at least not hidden).
    """
    if key.startswith("n.") and key[2:] in NARRATIVE_KEYS:
        return f"正文{LABEL_SEP}{NARRATIVE_KEYS[key[2:]]}"
    spec = CELLS.get(key)
    if spec is None:
        return key
    if spec.section == "s3":
        return f"{s3_row_path(spec.parts['row'])}{LABEL_SEP}{s3_col_label(spec.parts['col'])}"
    if spec.section == "s4":
        return spec.label.replace("/", LABEL_SEP)
    parts = spec.parts
    caption = next(b.caption for blocks in SECTION2.values() for b in blocks if b.key == parts["block"])
    return f"{caption}{LABEL_SEP}{spec.label.replace(' / ', LABEL_SEP)}"

"""Every chart of the dashboard, page by page: pure functions from the standardised dataset to ChartSpecs.

The pages render these lists and the 简报包 packs all of them, so "every chart under the current filters"
is one definition. Numbers come from library.aggregate; this module only chooses what to plot and how
to label it in Chinese.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from charts.image_export import ChartSpec
from parsing.vocabulary import template_name
from reference_pages import aggregate as agg
from reference_pages.figures import NO_DATA, bar_by_category, donut, sankey, trend_lines
from reference_pages.theme import TEMPLATE_COLORS

# Chart keys: stable names a screen picks its charts by (and the 简报包 names its files by).
OVERVIEW_REPORTS = "overview_reports"
OVERVIEW_APPLICATIONS = "overview_applications"
PROACTIVE_ITEMS_PROSE = "proactive_items_prose"
ENFORCEMENT_DECISIONS_AGENCY = "enforcement_decisions_agency"
ENFORCEMENT_DECISIONS_TREND = "enforcement_decisions_trend"
ENFORCEMENT_FEES_2021 = "enforcement_fees_2021"
ENFORCEMENT_ITEMS_2019 = "enforcement_items_2019"
APPLICATIONS_APPLICANTS_SHARE = "applications_applicants_share"
APPLICATIONS_APPLICANTS_AGENCY = "applications_applicants_agency"
APPLICATIONS_OUTCOMES = "applications_outcomes"
APPLICATIONS_CARRY = "applications_carry"
APPLICATIONS_FLOW = "applications_flow"
REVIEW_OUTCOMES = "review_outcomes"
LITIGATION_OUTCOMES = "litigation_outcomes"
REVIEW_TREND = "review_trend"
QUALITY_RULES = "quality_rules"
QUALITY_UNMATCHED = "quality_unmatched"
PROACTIVE_ITEMS = ("normative_documents", "regulations")


def proactive_key(item: str, version: str, view: str) -> str:
    """Key of a 主动公开 chart: ``item`` of PROACTIVE_ITEMS, ``version`` 2019/2021, ``view`` agency/trend."""
    return f"proactive_{item}_{version}_{view}"


VERSION_NOTE = (
    "2019 版与 2021 版格式的第二十条第（一）项是不同的统计口径：2019 版统计“本年新制作／本年新公开／"
    "对外公开总数量”，2021 版统计“本年制发／本年废止／现行有效件数”。两者分开展示，不合并、不换算。"
)
OUTCOME_COLORS = {
    "予以公开": "#3A9E6F",
    "部分公开": "#8BC28C",
    "不予公开": "#C8484F",
    "无法提供": "#E07B39",
    "不予处理": "#B3893A",
    "其他处理": "#7F8C8D",
}
S4_OUTCOME_COLORS = {
    "结果维持": "#2E6FBA",
    "结果纠正": "#C8484F",
    "其他结果": "#7F8C8D",
    "尚未审结": "#E0A030",
}
ITEM_ORDER = ["行政许可", "其他对外管理服务事项", "行政处罚", "行政强制", "行政事业性收费"]


def with_agency_label(long: pd.DataFrame, *, by_year: bool = False) -> pd.DataFrame:
    """Add ``单位`` for display: the agency, plus its region when the data spans several regions.

    Two counties both have a "县教育局"; without the region their bars would silently add up. With
    ``by_year``, when an agency has reports of several years, its bars are one per year ("某局 2021年"):
    a per-agency chart whose series are not the years must never add years together (a stock such as
    现行有效件数 summed over seven years is no figure at all). ``单位组`` keeps the agency alone, so its
    years stay side by side.
    """
    out = long.copy()
    if out.empty:
        out["单位"] = pd.Series(dtype=object)
        out["单位组"] = pd.Series(dtype=object)
        return out
    regions = out["region"].dropna().unique() if "region" in out else []
    label = out["agency"].astype(str)
    if len(regions) > 1:
        label = label + "（" + out["region"].fillna("地区未填").astype(str) + "）"
    # Vectorised (tens of thousands of rows on a big library): same as chart_text per value.
    label = label.str.replace("<", "＜", regex=False).str.replace(">", "＞", regex=False)
    out["单位组"] = label
    if by_year and "year" in out and (out.groupby(label, sort=False)["year"].nunique(dropna=False) > 1).any():
        label = label + " " + out["year"].pipe(_year_labels)
    out["单位"] = label
    return out


def _log_alt(fig_builder, **kwargs) -> tuple:
    """The same grouped bars on a log scale: a county's bar stays visible next to a city's."""
    return fig_builder(**kwargs, log=True), "对数刻度（小单位也看得清）"


def _shares(long: pd.DataFrame, category: str, series: str) -> pd.DataFrame:
    """Each series' share of its category's total (rows whose total is 0 or blank are left out)."""
    if long.empty:
        return pd.DataFrame(columns=[category, series, "share", "单位组"])
    sums = long.groupby([category, series], sort=False).agg(
        value=("value", "sum"), 单位组=("单位组", "first")
    )
    sums = sums.reset_index()
    totals = sums.groupby(category)["value"].transform("sum")
    sums["share"] = (sums["value"] / totals).where(totals > 0)
    return sums.dropna(subset=["share"])


def _share_alt(long: pd.DataFrame, *, series: str, title: str, **kwargs) -> tuple:
    """Stacked bars normalised per agency (each bar 100%), for a stack where a small agency vanishes."""
    fig = bar_by_category(
        _shares(long, "单位", series),
        category="单位",
        value="share",
        series=series,
        title=title + "（各单位占比）",
        value_title="占本单位合计的比例",
        percent=True,
        category_group="单位组",
        **kwargs,
    )
    return fig, "按单位占比（每个单位合计为 100%）"


def _year_labels(years: pd.Series) -> pd.Series:
    """'2021年' (or '年度未填') for a whole column of years, computed once per distinct year."""
    # Each distinct year is formatted once (a long frame repeats a handful of years 30,000 times).
    codes, uniques = pd.factorize(years)  # a blank year gets code -1: the last label below
    labels = np.array([f"{int(y)}年" for y in uniques] + ["年度未填"], dtype=object)
    return pd.Series(labels[codes], index=years.index, name=years.name, dtype=object)


def _label_by_year(part: pd.DataFrame, col: str) -> pd.Series:
    """``col`` prefixed with the year ("2024年 现行有效件数") when ``part`` spans several years.

    A stock (现行有效件数, 对外公开总数量, 上一年项目数量; ``parsing.schema.STOCK_KEYS``) must never add
    its years in one bar or one data cell; one series per year and measure keeps them apart.
    """
    if part["year"].nunique() <= 1:
        return part[col]
    return part["year"].pipe(_year_labels) + " " + part[col].astype(str)


def _agency_table(long: pd.DataFrame, columns: str) -> pd.DataFrame:
    """One row per agency (``单位组``), its years in the columns: the chart draws one bar per agency and
    year, the table keeps an agency on one line with each year's figure apart."""
    return _pivot(long, "单位组", columns).rename(columns={"单位组": "单位"})


def _pivot(long: pd.DataFrame, index: str, columns: str, value: str = "value") -> pd.DataFrame:
    """The numbers behind a chart as a readable table (rows × series), for the 查看数据 popover and Excel."""
    if long.empty:
        return pd.DataFrame()
    # What pivot_table(aggfunc="sum", sort=False) does, without its generic machinery (a third of the
    # time), on the three columns it reads rather than the whole long frame.
    sums = (
        long[[index, columns, value]].groupby([index, columns], sort=False)[value].sum(min_count=1)
    )  # blank ≠ 0
    table = sums.unstack(columns).dropna(how="all", axis=1)
    return table.reset_index()


# --------------------------------------------------------------------------- 总览


def overview_charts(df: pd.DataFrame) -> list[ChartSpec]:
    """Reports per year and template; applications received per agency."""
    charts = []
    counts = df.assign(年度=df["year"].pipe(_year_labels), 格式=df["template"].map(template_name), n=1)
    title = "各年度报告数（按格式版本）"
    fig = bar_by_category(
        counts,
        category="年度",
        value="n",
        series="格式",
        title=title,
        value_title="报告数（份）",
        category_title="年度",
        colors={template_name(k): v for k, v in TEMPLATE_COLORS.items()},
        horizontal=False,
    )
    fig.update_xaxes(categoryorder="category ascending")
    charts.append(ChartSpec(OVERVIEW_REPORTS, title, fig, _pivot(counts, "年度", "格式", "n")))

    table = with_agency_label(agg.agency_table(df))
    table["年度"] = table["year"].pipe(_year_labels)
    table = table.rename(columns={"applications_received": "value"})
    title = "各单位本年新收政府信息公开申请（件）"
    charts.append(
        _by_year_chart(
            OVERVIEW_APPLICATIONS,
            table,
            title,
            "申请数（件）",
            note="表格未填时取正文所述数字；空白不计为 0。各年度并列，不相加。",
        )
    )
    return charts


def _by_year_chart(
    key: str,
    long: pd.DataFrame,
    title: str,
    value_title: str,
    *,
    note: str = "",
    decimals: int | None = None,
    data: pd.DataFrame | None = None,
    wan: bool = True,
) -> ChartSpec:
    """Bars per agency with one bar per year side by side (grouped): years are never stacked into one total.

    A log-scale version is offered beside it, since one city can be a hundred times a county.
    """
    kwargs = {
        "df": long,
        "category": "单位",
        "value": "value",
        "series": "年度",
        "title": title,
        "value_title": value_title,
        "series_order": sorted(long["年度"].unique()),
        "barmode": "group",
        "decimals": decimals,
        "category_group": "单位组",
        "wan": wan,
    }
    alt, alt_label = _log_alt(bar_by_category, **kwargs)
    return ChartSpec(
        key,
        title,
        bar_by_category(**kwargs),
        _pivot(long, "单位", "年度") if data is None else data,
        note=note,
        alt_fig=alt,
        alt_label=alt_label,
    )


# --------------------------------------------------------------------------- 主动公开


def proactive_charts(df: pd.DataFrame, items: tuple[str, ...] = PROACTIVE_ITEMS) -> list[ChartSpec]:
    """规章/规范性文件 per agency and per year, one pair of charts per template version and item."""
    long = agg.normative_documents(df)
    long = with_agency_label(
        long[["agency", "region", "year", "item", "item_label", "version", "measure_name", "value"]],
        by_year=True,
    )
    charts = []
    prose = with_agency_label(
        pd.DataFrame(
            {
                "agency": agg.agency_name(df),
                "region": df["region"],
                "year": df["year"],
                "value": df["n.proactive_total"] if "n.proactive_total" in df else float("nan"),
            }
        )
    )
    prose["年度"] = prose["year"].pipe(_year_labels)
    title = "主动公开政府信息条数（正文所述，按单位）"
    charts.append(
        _by_year_chart(
            PROACTIVE_ITEMS_PROSE,
            prose,
            title,
            "条数",
            note="年报表格中没有“主动公开条数”一栏，"
            "此数取自报告正文（如“主动公开政府信息 39 条”）；正文未写明的报告不计入。",
        )
    )
    for item in items:
        part_item = long[long["item"] == item]
        for version in ("2019", "2021"):
            part = part_item[part_item["version"] == version].copy()
            item_label = (
                part["item_label"].iloc[0]
                if not part.empty
                else (
                    "规章"
                    if item == "regulations"
                    else ("规范性文件" if version == "2019" else "行政规范性文件")
                )
            )
            part["指标"] = part["measure_name"]
            part["年度"] = part["year"].pipe(_year_labels)
            by_agency = part.assign(指标=_label_by_year(part, "measure_name"))  # a stock: years kept apart
            title = f"{version} 版格式：{item_label}（按单位）"
            charts.append(
                ChartSpec(
                    proactive_key(item, version, "agency"),
                    title,
                    bar_by_category(
                        part,
                        category="单位",
                        value="value",
                        series="指标",
                        title=title,
                        value_title="件数",
                        barmode="group",
                        category_group="单位组",
                    ),
                    _agency_table(by_agency, "指标"),
                    note=f"仅含 {version} 版格式报告；"
                    f"{version} 版口径与{'2021' if version == '2019' else '2019'} 版不同，不合并。",
                )
            )
            title = f"{version} 版格式：{item_label}（按年度）"
            charts.append(
                ChartSpec(
                    proactive_key(item, version, "trend"),
                    title,
                    trend_lines(
                        part, x="year", value="value", series="指标", title=title, value_title="件数"
                    ),
                    _pivot(part, "年度", "指标"),
                    note=f"仅含 {version} 版格式报告，各单位合计。",
                )
            )
    return charts


# --------------------------------------------------------------------------- 行政许可与执法


def enforcement_charts(df: pd.DataFrame) -> list[ChartSpec]:
    """Decisions (许可/处罚/强制) by agency and over the years; fees, kept apart by template version."""
    long = agg.enforcement(df)
    long = with_agency_label(
        long[["agency", "region", "year", "item", "item_label", "version", "measure", "value"]], by_year=True
    )
    charts = []
    decisions = long[
        (long["measure"] == "decisions")
        & long["item"].isin(
            [
                "administrative_licensing",
                "administrative_penalty",
                "administrative_coercion",
                "other_management_services",
            ]
        )
    ].copy()
    title = "行政许可、行政处罚、行政强制处理决定数量（按单位）"
    alt, alt_label = _share_alt(decisions, series="item_label", title=title, series_order=ITEM_ORDER)
    charts.append(
        ChartSpec(
            ENFORCEMENT_DECISIONS_AGENCY,
            title,
            bar_by_category(
                decisions,
                category="单位",
                value="value",
                series="item_label",
                title=title,
                value_title="处理决定（件）",
                series_order=ITEM_ORDER,
                category_group="单位组",
            ),
            _pivot(decisions, "单位", "item_label"),
            note="2019 版“处理决定数量”与 2021 版“本年处理决定数量”含义相同，"
            "合并统计；同一单位的不同年度分列，不相加。",
            alt_fig=alt,
            alt_label=alt_label,
        )
    )
    trend = agg.enforcement_trend(df)
    trend_dec = trend[trend["measure"] == "decisions"]
    title = "处理决定数量年度趋势"
    charts.append(
        ChartSpec(
            ENFORCEMENT_DECISIONS_TREND,
            title,
            trend_lines(
                trend_dec,
                x="year",
                value="value",
                series="item_label",
                title=title,
                value_title="处理决定（件）",
                series_order=ITEM_ORDER,
            ),
            trend_dec.rename(
                columns={
                    "year": "年度",
                    "item_label": "事项",
                    "value": "处理决定（件）",
                    "n_reports": "报告数",
                }
            )[["年度", "事项", "处理决定（件）", "报告数"]]
            if not trend_dec.empty
            else pd.DataFrame(),
        )
    )
    fees = with_agency_label(long[long["measure"] == "fee_amount_wan_yuan"].drop(columns=["单位", "单位组"]))
    fees["年度"] = fees["year"].pipe(_year_labels)
    title = "2021 版格式：行政事业性收费金额（万元，按单位）"
    charts.append(
        _by_year_chart(
            ENFORCEMENT_FEES_2021,
            fees,
            title,
            "收费金额（万元）",
            decimals=2,
            wan=False,
            # 万元 to four decimals is exact to the yuan; more digits are conversion noise (元 ÷ 10,000).
            data=_pivot(fees, "单位", "年度").round(4),
            note="2021 版填报本年收费金额（万元，图中保留两位小数）；"
            "2019 版只填收费项目数量，口径不同，见下图。",
        )
    )
    items_2019 = long[(long["measure"] == "prev_year_items") & (long["version"] == "2019")].copy()
    items_2019["事项"] = _label_by_year(items_2019, "item_label")  # a stock: years kept apart
    title = "2019 版格式：事项数量（上一年项目数量，按单位）"
    charts.append(
        ChartSpec(
            ENFORCEMENT_ITEMS_2019,
            title,
            bar_by_category(
                items_2019,
                category="单位",
                value="value",
                series="item_label",
                title=title,
                value_title="项目数量（项）",
                series_order=ITEM_ORDER,
                barmode="group",
                category_group="单位组",
            ),
            _agency_table(items_2019, "事项"),
            note="2019 版统计许可、处罚、强制、收费等事项的项目数量，不是决定数或金额，与 2021 版不可比。",
        )
    )
    return charts


# --------------------------------------------------------------------------- 依申请公开


def applications_charts(df: pd.DataFrame) -> list[ChartSpec]:
    """Applicants by type, outcome mix per agency, carry-over and the flow from received to outcomes."""
    charts = []
    applicants = agg.applicants_by_type(df)
    applicants = with_agency_label(
        applicants[["agency", "region", "year", "applicant_label", "value"]], by_year=True
    )
    title = "本年新收申请：申请人类型构成"
    charts.append(
        ChartSpec(
            APPLICATIONS_APPLICANTS_SHARE,
            title,
            donut(applicants, names="applicant_label", value="value", title=title),
            applicants.groupby("applicant_label", sort=False)["value"]
            .sum()
            .reset_index()
            .rename(columns={"applicant_label": "申请人类型", "value": "申请数（件）"})
            if not applicants.empty
            else pd.DataFrame(),
        )
    )
    title = "本年新收申请（按单位和申请人类型）"
    alt, alt_label = _share_alt(applicants, series="applicant_label", title=title)
    charts.append(
        ChartSpec(
            APPLICATIONS_APPLICANTS_AGENCY,
            title,
            bar_by_category(
                applicants,
                category="单位",
                value="value",
                series="applicant_label",
                title=title,
                value_title="申请数（件）",
                category_group="单位组",
            ),
            _pivot(applicants, "单位", "applicant_label"),
            alt_fig=alt,
            alt_label=alt_label,
        )
    )
    mix = agg.outcome_mix(df)
    mix = with_agency_label(
        mix[["agency", "region", "year", "category_label", "value", "share"]], by_year=True
    )
    sums = mix.dropna(subset=["share"])  # the share of each outcome in its report (library.aggregate)
    title = "办理结果构成（按单位）"
    fig = bar_by_category(
        sums,
        category="单位",
        value="share",
        series="category_label",
        title=title,
        value_title="占办理结果的比例",
        colors=OUTCOME_COLORS,
        series_order=list(OUTCOME_COLORS),
        percent=True,
        category_group="单位组",
    )
    charts.append(
        ChartSpec(
            APPLICATIONS_OUTCOMES,
            title,
            fig,
            _pivot(sums, "单位", "category_label"),
            note="数据表为件数；图为各单位办理结果中各类所占比例。",
        )
    )
    carry = agg.carry_over(df)
    carry = carry[["agency", "region", "year", "measure", "measure_label", "value"]]
    carry = with_agency_label(
        carry[carry["measure"].isin(["r2_carried_over", "r4_carry_forward"])], by_year=True
    )
    title = "上年结转与结转下年度的申请（按单位）"
    charts.append(
        ChartSpec(
            APPLICATIONS_CARRY,
            title,
            bar_by_category(
                carry,
                category="单位",
                value="value",
                series="measure_label",
                title=title,
                value_title="申请数（件）",
                barmode="group",
                category_group="单位组",
                colors={"上年结转": "#4BA3C7", "结转下年度继续办理": "#E07B39"},
            ),
            _pivot(carry, "单位", "measure_label"),
        )
    )
    flow = agg.application_flow(df)
    title = "申请办理流向：从收到申请到办理结果"
    stated = int(agg.s3_total(df, "r1_new_received").notna().sum())
    charts.append(
        ChartSpec(
            APPLICATIONS_FLOW,
            title,
            sankey(
                flow,
                title=title,
                empty_message=f"{stated} 份报告填报了申请表，申请数与办理结果均为 0" if stated else NO_DATA,
            ),
            flow.rename(columns={"source": "来源", "target": "去向", "value": "件数"}),
            note="左侧为本年新收与上年结转的申请，右侧为办理结果与结转下年度；两侧相等即符合勾稽关系。",
        )
    )
    return charts


# --------------------------------------------------------------------------- 复议诉讼


def _s4_outcome_chart(key: str, part: pd.DataFrame, title: str) -> ChartSpec:
    """Cases of 四 by outcome (维持/纠正/其他/尚未审结), one bar per agency."""
    fig = bar_by_category(
        part,
        category="单位",
        value="value",
        series="outcome_label",
        title=title,
        value_title="案件数（件）",
        colors=S4_OUTCOME_COLORS,
        series_order=list(S4_OUTCOME_COLORS),
        category_group="单位组",
    )
    return ChartSpec(key, title, fig, _pivot(part, "单位", "outcome_label"))


def review_charts(df: pd.DataFrame) -> list[ChartSpec]:
    """行政复议 and 行政诉讼 outcomes per agency, and cases per year."""
    long = agg.review_litigation(df)
    long = with_agency_label(
        long[["agency", "region", "year", "group", "group_label", "outcome_label", "value"]], by_year=True
    )
    charts = []
    review = long[long["group"] == "review"]
    charts.append(_s4_outcome_chart(REVIEW_OUTCOMES, review, "行政复议结果（按单位）"))
    lit = long[long["group"] != "review"]
    title = "行政诉讼结果（未经复议直接起诉＋复议后起诉，按单位）"
    charts.append(_s4_outcome_chart(LITIGATION_OUTCOMES, lit, title))
    title = "复议、诉讼案件数年度趋势"
    charts.append(
        ChartSpec(
            REVIEW_TREND,
            title,
            trend_lines(
                long, x="year", value="value", series="group_label", title=title, value_title="案件数（件）"
            ),
            _pivot(long.assign(年度=long["year"].pipe(_year_labels)), "年度", "group_label"),
            note="案件数为结果维持、纠正、其他结果与尚未审结之和。",
        )
    )
    return charts


# --------------------------------------------------------------------------- 数据质量


def quality_charts(failed: pd.DataFrame, unmatched: pd.DataFrame) -> list[ChartSpec]:
    """Failed checks by rule and unmatched labels by agency (from Library.failed_checks/unmatched_labels)."""
    from parsing.vocabulary import rule_name

    by_rule = (
        failed.assign(规则=failed["rule"].map(rule_name), n=1)
        if not failed.empty
        else pd.DataFrame(columns=["规则", "n"])
    )
    labels = (
        with_agency_label(unmatched.assign(n=1))
        if not unmatched.empty
        else pd.DataFrame(columns=["单位", "n"])
    )
    return [
        _count_chart(QUALITY_RULES, by_rule, "规则", "未通过的校验（按规则）", "未通过次数"),
        _count_chart(QUALITY_UNMATCHED, labels, "单位", "未识别的标签（按单位）", "标签数"),
    ]


def _count_chart(key: str, rows: pd.DataFrame, category: str, title: str, value_title: str) -> ChartSpec:
    """One bar per ``category`` counting the rows (column ``n`` = 1 each), with its table."""
    fig = bar_by_category(
        rows, category=category, value="n", series=None, title=title, value_title=value_title
    )
    data = (
        rows.groupby(category)["n"].sum().reset_index().rename(columns={"n": value_title})
        if not rows.empty
        else pd.DataFrame()
    )
    return ChartSpec(key, title, fig, data)


def quality_page_charts(lib, filters) -> list[ChartSpec]:
    """The 数据质量 charts of a library under ``filters`` (its failed checks and unmatched labels)."""
    return quality_charts(lib.failed_checks(filters), lib.unmatched_labels(filters))

"""总览: headline figures for the chosen region and years, and one row per agency report."""

from __future__ import annotations

import streamlit as st

from components.chart_view import show_chart
from components.page_frame import analysis_page
from components.state import computed
from library.aggregate import KPI_RISE_IS_BAD

# (label, kpi key, unit); the unit is shown after the number and after its change.
CARDS: tuple[tuple[str, str, str], ...] = (
    ("报告数", "reports", "份"),
    ("单位数", "agencies", "个"),
    ("主动公开信息", "proactive_items", "条"),
    ("行政许可处理决定", "licensing_decisions", "件"),
    ("收到申请", "applications_received", "件"),
    ("予以公开＋部分公开占比", "answered_share", "%"),
    ("复议、诉讼案件", "review_litigation_cases", "件"),
    ("校验未通过的报告", "reports_failing_checks", "份"),
)


def card_value(k: dict, key: str, unit: str) -> str:
    """The card text: "1,234 件", "5,500余 条" for a lower bound, "37.5%", or — when unknown."""
    value = k[key]
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.1%}"
    approx = "余" if key == "proactive_items" and k.get("proactive_items_approx") else ""
    return f"{value:,.0f}{approx} {unit}"


def card_delta(k: dict, key: str, unit: str) -> str | None:
    """The change on the previous year ("+12 件（较2023年）"), None with one year or an unknown side."""
    delta = k["deltas"].get(key)
    if delta is None:
        return None
    text = f"{delta * 100:+.1f} 个百分点" if unit == "%" else f"{delta:+,.0f} {unit}"
    return f"{text}（较{k['previous_year']}年）"


n_reports = analysis_page("总览", "所选地区、年度的年报概况。卡片上的问号说明每个数字的口径；空白的单元格不计为 0。")
if n_reports:
    k = computed("kpis")
    if k["previous_year"] is not None:
        st.caption(
            f"已选 {len(k['years'])} 个年度：卡片显示其中最新的 **{k['year']} 年**，下方为较 {k['previous_year']} 年的变化"
            "（现行有效件数等存量不跨年相加，各年数字也不相加）。各年明细见下方图表和单位一览。"
        )
    for row in (CARDS[:4], CARDS[4:]):
        for col, (label, key, unit) in zip(st.columns(4), row, strict=True):
            col.metric(
                f"{label}（{k['year']}年）" if k["previous_year"] is not None else label,
                card_value(k, key, unit),
                delta=card_delta(k, key, unit),
                delta_color="inverse" if key in KPI_RISE_IS_BAD else "off",
                help=k["notes"].get(key),  # with several years it says which year
                border=True,
            )

    by_year, by_agency = computed("overview_charts")
    left, right = st.columns([2, 3])
    with left:
        show_chart(by_year)
    with right:
        show_chart(by_agency)

    st.subheader("各单位年报一览")
    # Formatted once per library revision and filters (components/tables.py), shared read-only.
    shown = computed("agency_table_view")
    st.dataframe(shown, hide_index=True, key="agency_table", column_config={"报告编号": st.column_config.NumberColumn(format="%d")})

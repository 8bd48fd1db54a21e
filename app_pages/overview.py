"""总览: headline figures for the chosen region and years, and one row per agency report."""

from __future__ import annotations

import streamlit as st

from charts import catalog, tables
from charts.tables import CARDS, agency_table_rows, card_delta, card_value
from components.chart_view import show_chart
from components.page_frame import analysis_page
from components.state import from_dataset
from library import aggregate as agg
from library.aggregate import KPI_RISE_IS_BAD

n_reports = analysis_page(
    "总览", "所选地区、年度的年报概况。卡片上的问号说明每个数字的口径；空白的单元格不计为 0。"
)
if n_reports:
    k = from_dataset(agg.kpis)
    if k["previous_year"] is not None:
        if k["same_agencies"]:
            compared = f"，下方为较 {k['previous_year']} 年的变化"
        elif k["compared_agencies"]:
            compared = (
                f"，下方为较 {k['previous_year']} 年的变化，"
                f"只比较两年都有报告的 {k['compared_agencies']} 个单位"
                "（两年收录的单位不完全相同，合计数不能直接相比）"
            )
        else:
            compared = f"；{k['previous_year']} 年没有同一单位的报告，不显示变化"
        st.caption(
            f"已选 {len(k['years'])} 个年度：卡片显示其中最新的 **{k['year']} 年**{compared}"
            "（现行有效件数等存量不跨年相加，各年数字也不相加）。各年明细见下方图表和单位一览。"
        )
    for row in (CARDS[:4], CARDS[4:]):
        for col, (label, key, unit) in zip(st.columns(4), row, strict=True):
            col.metric(
                label,
                card_value(k, key, unit),
                delta=card_delta(k, key, unit),
                delta_color="inverse" if key in KPI_RISE_IS_BAD else "off",
                help=k["notes"].get(key),  # with several years it says which year
                border=True,
            )

    by_year, by_agency = from_dataset(catalog.overview_charts)
    left, right = st.columns([2, 3])
    with left:
        show_chart(by_year)
    with right:
        show_chart(by_agency)

    st.subheader("各单位年报一览")
    # Formatted once per library revision and filters (charts/tables.py), shared read-only; only the
    # rows shown are formatted.
    shown, total = from_dataset(agency_table_rows, tables.AGENCY_TABLE_ROWS)
    if total > len(shown):
        st.caption(
            f"共 {total:,} 份报告，此处按地区、单位、年度列出前 {len(shown):,} 份；"
            "全部见简报包（图表数据.xlsx 的“单位一览”工作表），或用左侧的筛选条件缩小范围。"
        )
    st.dataframe(
        shown,
        hide_index=True,
        key="agency_table",
        column_config={"报告编号": st.column_config.NumberColumn(format="%d")},
    )

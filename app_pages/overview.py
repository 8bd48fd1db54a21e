"""总览: headline figures for the chosen region and years, and one row per agency report."""

from __future__ import annotations

import streamlit as st

from components.chart_view import show_chart
from components.page_frame import analysis_page
from components.state import computed

n_reports = analysis_page("总览", "所选地区、年度的年报概况。卡片上的问号说明每个数字的口径；空白的单元格不计为 0。")
if n_reports:
    k = computed("kpis")
    notes = k["notes"]

    def number(value, unit: str = "") -> str:
        return "—" if value is None else f"{value:,.0f}{unit}"

    cards = [
        ("报告数", number(k["reports"], " 份"), None),
        ("单位数", number(k["agencies"], " 个"), None),
        ("主动公开信息", number(k["proactive_items"], " 条"), notes["proactive_items"]),
        ("行政许可处理决定", number(k["licensing_decisions"], " 件"), notes["licensing_decisions"]),
        ("收到申请", number(k["applications_received"], " 件"), notes["applications_received"]),
        (
            "予以公开＋部分公开占比",
            "—" if k["answered_share"] is None else f"{k['answered_share']:.1%}",
            notes["answered_share"],
        ),
        ("复议、诉讼案件", number(k["review_litigation_cases"], " 件"), notes["review_litigation_cases"]),
        ("校验未通过的报告", number(k["reports_failing_checks"], " 份"), notes["reports_failing_checks"]),
    ]
    for row in (cards[:4], cards[4:]):
        for col, (label, value, help_text) in zip(st.columns(4), row, strict=True):
            col.metric(label, value, help=help_text, border=True)

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

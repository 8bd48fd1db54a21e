"""总览: headline figures for the chosen region and years, and one row per agency report."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.chart_view import show_chart
from components.page_frame import analysis_page
from components.state import computed
from library import aggregate as agg

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
    table = computed("agency_table").copy()  # shared cached result: never change it in place
    table["template"] = table["template"].map({"2019": "2019版", "2021": "2021版", "mixed": "混合", "unknown": "未识别"})
    table["answered_share"] = table["answered_share"].map(lambda v: "" if v != v or v is None else f"{v:.0%}")
    shown = table.rename(columns=agg.AGENCY_TABLE_HEADERS)
    # A blank cell means "the report does not state it"; show it as a dash, not as "None".
    for col in shown.columns:
        if col == "年度":
            shown[col] = shown[col].map(lambda v: "—" if pd.isna(v) else str(int(v)))
        elif pd.api.types.is_numeric_dtype(shown[col]) and col != "报告编号":
            shown[col] = shown[col].map(lambda v: "—" if pd.isna(v) else f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}")
        else:
            shown[col] = shown[col].astype(object).where(shown[col].notna(), "—")
    st.dataframe(shown, hide_index=True, key="agency_table", column_config={"报告编号": st.column_config.NumberColumn(format="%d")})

"""依申请公开: applicants by type, outcome mix per agency, carry-over and the flow to outcomes."""

from __future__ import annotations

import streamlit as st

from charts import catalog
from components.page_frame import analysis_page, show_charts
from components.state import from_dataset
from library import aggregate as agg

n_reports = analysis_page("依申请公开", "第三部分：收到和处理政府信息公开申请的情况。")
if n_reports:
    charts = {c.key: c for c in from_dataset(catalog.applications_charts)}
    show_charts([charts[catalog.APPLICATIONS_FLOW]])
    show_charts(
        [charts[catalog.APPLICATIONS_APPLICANTS_SHARE], charts[catalog.APPLICATIONS_APPLICANTS_AGENCY]]
    )
    show_charts([charts[catalog.APPLICATIONS_OUTCOMES]])
    show_charts([charts[catalog.APPLICATIONS_CARRY]])
    consistency = from_dataset(agg.carry_over_consistency)
    if not consistency.empty:
        st.subheader("跨年度结转核对")
        st.caption("本年“上年结转”应等于同一单位上一年度报告的“结转下年度继续办理”（总计列）。")
        st.dataframe(
            consistency.rename(
                columns={
                    "agency": "单位",
                    "region": "地区",
                    "year": "年度",
                    "carried_over": "本年报告：上年结转",
                    "previous_carry_forward": "上年报告：结转下年度",
                    "consistent": "一致",
                }
            ),
            hide_index=True,
            key="carry_consistency",
        )

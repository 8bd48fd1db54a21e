"""单位档案: one agency across the years: key figures and their trend, its reports (each opening on 数据质量
with the report chosen), its findings and their status, and its 整改通知单 for download."""

from __future__ import annotations

import streamlit as st

from charts.agency import (
    agency_charts,
    agency_choices,
    agency_figures,
    agency_report_list,
    findings_view,
)
from charts.text import md_escape
from components.auth import can, not_allowed
from components.documents import notice_buttons, notice_options, notices_zip_buttons
from components.page_frame import analysis_page, show_charts
from components.state import from_dataset, from_library
from library.access import Action
from library.findings_access import UNAVAILABLE_ZH, agency_findings, load_findings, notice_counts
from page_registry import page

# A link to this page may name the agency: /agency?agency=县教育局&region=洪泽区.
AGENCY_PARAM, REGION_PARAM = "agency", "region"
CHOICE = "agency_choice"


def _choose(choices) -> int:
    """The chosen row of ``choices``; the address may preselect one (once per session)."""
    labels = choices["label"].tolist()
    wanted = st.query_params.get(AGENCY_PARAM)
    if wanted and not st.session_state.get("agency_from_address"):
        st.session_state["agency_from_address"] = True
        region = st.query_params.get(REGION_PARAM) or None
        match = choices[(choices["agency"] == wanted) & (choices["region"].map(lambda r: r == region))]
        if not match.empty:
            st.session_state[CHOICE] = match["label"].iloc[0]
        else:  # another region's agency reads as one that does not exist: a name reveals nothing
            st.warning("无权查看地址中的单位：它不在您的账户可查看的范围内，或当前筛选条件下没有它的报告。")
    if st.session_state.get(CHOICE) not in labels:  # the filters changed: the old choice is gone
        st.session_state.pop(CHOICE, None)
    reports = dict(zip(labels, choices["reports"].tolist(), strict=True))
    label = st.selectbox("选择单位", labels, format_func=lambda x: f"{x}｜{reports[x]} 份报告", key=CHOICE)
    return labels.index(label)


def _reports(agency: str, region: str | None) -> None:
    st.subheader("年度报告")
    reports = from_dataset(agency_report_list, agency, region)
    quality = page("quality").path
    for row in reports.itertuples():
        year = "年度不详" if row.year is None else f"{row.year}年"
        failed = f"，{row.checks_failed} 项校验未通过" if row.checks_failed else "，校验全部通过"
        st.page_link(
            quality,
            label=f"{year}　报告 {row.report_id}（{row.template}{failed}）：{row.filename}",
            icon=":material/fact_check:",
            query_params={"report": str(row.report_id)},
        )
    st.caption("点击报告，在“数据质量”页查看它的每个数值在原文中的位置，并可更正。")


def _findings(agency: str, region: str | None) -> None:
    st.subheader("审核意见")
    found = from_library(agency_findings, agency, region)
    if found is None:
        st.info(
            UNAVAILABLE_ZH + "审核意见启用后，这里列出该单位每份报告的问题及处理状态，并可下载整改通知单。"
        )
        return
    if not found:
        st.success("该单位的报告没有审核意见。")
        return
    live = sum(f.counts for f in found)
    c1, c2 = st.columns(2)
    c1.metric("审核意见", f"{len(found)} 条", border=True)
    c2.metric("待整改（待处理或已确认）", f"{live} 条", border=True)
    # Findings quote report text: a table (plain text), never Markdown.
    st.dataframe(
        findings_view(found),
        hide_index=True,
        key="agency_findings",
        column_config={"具体情况与依据": st.column_config.TextColumn(width="large")},
    )
    st.markdown("**整改通知单**（只列待处理和已确认的问题；已排除、已说明的不列入）")
    if not can(Action.SEND_NOTICES):
        not_allowed(Action.SEND_NOTICES, "生成整改通知单")
        return
    options = notice_options("agency_notice")
    notice_buttons(found, agency, options, key="agency_notice")
    with st.expander("所有单位的整改通知单（当前筛选条件下，每年一个 ZIP）"):
        counts = from_library(notice_counts)
        notices_zip_buttons(
            from_library(load_findings) or [], options, key="agency_notices_zip", counts=counts
        )


n_reports = analysis_page(
    "单位档案", "一个单位历年的主要数字和变化、各年度报告、审核意见及整改通知单。空白的单元格不计为 0。"
)
if n_reports:
    choices = from_dataset(agency_choices)
    if choices.empty:
        st.warning("当前筛选条件下的报告都没有识别出单位名称，请在“报告库”中补充。")
    else:
        i = _choose(choices)
        agency, region = choices["agency"].iloc[i], choices["region"].iloc[i]
        st.header(md_escape(choices["label"].iloc[i]), divider="gray")
        st.subheader("主要数字")
        st.dataframe(from_dataset(agency_figures, agency, region), hide_index=True, key="agency_figures")
        show_charts(from_dataset(agency_charts, agency, region), columns=2)
        _reports(agency, region)
        _findings(agency, region)

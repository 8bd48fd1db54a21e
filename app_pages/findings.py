"""审核意见: what is wrong in each report (findings with evidence), the reviewer's decision on each, and
the scores and rankings of the rubric (library/rubric.toml)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from charts.findings_tables import HIDDEN, FindingsView, findings_view_of, ranking_display
from charts.text import md_escape
from components.auth import can, not_allowed, who
from components.finding_card import SEVERITY_ICONS, show_finding_evidence
from components.flash import show_flash
from components.samples_button import samples_offer
from components.state import current_filters, from_library, get_library, library_is_empty
from library.access import Action
from library.filters import describe_filters
from library.finding import Finding
from library.findings import scores_with_roster, summary_with_roster
from library.rubric import default_rubric
from library.store import LibraryError
from parsing.vocabulary import FINDING_NAMES, FINDING_STATUS_NAMES, SEVERITY_NAMES, finding_name

MAX_TABLE_ROWS = 2000  # a longer table costs the browser more than a reviewer can read

st.title("审核意见")
show_flash()
st.caption(
    "逐份报告列出不符合格式、勾稽关系、跨年度衔接、正文与表格一致性、发布时限等要求的问题及其依据。"
    "审核人可逐条确认、排除（须说明理由）或标记为报告已作说明（如脚注）；排除和已说明的问题不再扣分。"
)
if library_is_empty():
    samples_offer("load_samples_findings")
    st.stop()
st.caption(f"筛选条件：{md_escape(describe_filters(current_filters()))}")

rubric = default_rubric()
tab_list, tab_rank = st.tabs(["审核意见", "得分与排名"])


def _chosen(view: FindingsView):
    """Positions of the findings that pass the code, severity and status choices above the table."""
    c1, c2, c3 = st.columns(3)
    codes = c1.multiselect("问题类型", view.codes, format_func=finding_name, key="fd_codes")
    severities = c2.multiselect(
        "严重程度", list(SEVERITY_NAMES), format_func=SEVERITY_NAMES.get, key="fd_severities"
    )
    statuses = c3.multiselect(
        "状态", list(FINDING_STATUS_NAMES), format_func=FINDING_STATUS_NAMES.get, key="fd_statuses"
    )
    return view.chosen(codes, severities, statuses)


def _decide(f: Finding, status: str, note: str) -> None:
    """Save a reviewer's decision and show it after the rerun."""
    try:
        get_library().set_finding_status(f.report_id, f.key, status, note, who=who(), about=f)
    except LibraryError as exc:
        st.session_state["flash"] = ("error", exc.zh)
    else:
        st.session_state["flash"] = (
            "success",
            f"已将“{finding_name(f.code)}”标记为{FINDING_STATUS_NAMES[status]}。",
        )
    st.rerun()


def widget_id(f: Finding) -> str:
    """A widget key part that names one finding of one report (stable across reruns and choices)."""
    return f"{f.report_id}_{f.key}"


def _finding_card(f: Finding) -> None:
    """One finding: its message, evidence and the decision buttons."""
    n = widget_id(f)
    label = f"{SEVERITY_NAMES[f.severity]}｜{finding_name(f.code)}｜{FINDING_STATUS_NAMES[f.status]}"
    with st.expander(label, expanded=f.status == "open", icon=SEVERITY_ICONS[f.severity]):
        show_finding_evidence(f, key=f"fd_cells_{n}")
        if f.status != "open":
            who = f"，审核人：{f.who}" if f.who else ""
            when = f"，{f.at:%Y-%m-%d %H:%M}" if f.at else ""
            st.caption(md_escape(f"状态：{FINDING_STATUS_NAMES[f.status]}{who}{when}；{f.note}"))
        if not can(Action.REVIEW_FINDINGS):
            return  # the page says once why there are no decision buttons
        note = st.text_input("说明（排除或标记已说明时必填）", key=f"fd_note_{n}")
        b1, b2, b3, b4 = st.columns(4)
        if b1.button("确认", key=f"fd_confirm_{n}", icon=":material/check:"):
            _decide(f, "confirmed", note)
        if b2.button("排除", key=f"fd_dismiss_{n}", icon=":material/close:"):
            _decide(f, "dismissed", note)
        if b3.button("已说明", key=f"fd_explained_{n}", icon=":material/description:"):
            _decide(f, "explained", note)
        if f.status != "open" and b4.button("撤回", key=f"fd_reopen_{n}", icon=":material/undo:"):
            _decide(f, "open", note)


with tab_list:
    summary = from_library(summary_with_roster)
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("审核意见", summary.findings, border=True)
    m2.metric("错误", summary.errors, border=True)
    m3.metric("待处理", summary.open, border=True)
    m4.metric("涉及报告", summary.reports, border=True)
    view: FindingsView = from_library(findings_view_of)
    rows = _chosen(view)
    if not rows:
        st.info("没有符合条件的审核意见。")
    else:
        if len(rows) > MAX_TABLE_ROWS:
            st.caption(
                f"共 {len(rows):,} 条，表格只列出前 {MAX_TABLE_ROWS:,} 条，逐条审核也只列出其中的报告；"
                "可用上方的类型、严重程度和状态缩小范围。"
            )
        shown = view.table(rows[:MAX_TABLE_ROWS])
        st.dataframe(shown.drop(columns=HIDDEN), hide_index=True, key="fd_table")
        reports = shown[["报告编号", "单位", "年度"]].drop_duplicates().to_records(index=False).tolist()
        pick = st.selectbox(
            "逐条审核的报告",
            range(len(reports)),
            format_func=lambda i: (
                f"{reports[i][1]} {reports[i][2] if not pd.isna(reports[i][2]) else ''}年"
                + (f"（编号 {reports[i][0]}）" if not pd.isna(reports[i][0]) else "（未发布）")
            ),
            key="fd_report",
        )
        if not can(Action.REVIEW_FINDINGS):
            not_allowed(Action.REVIEW_FINDINGS, "确认、排除或标注审核意见")
        rid, agency, year = reports[pick]
        chosen = set(rows) if not isinstance(rows, range) else rows
        mine = view.of_report(
            None if pd.isna(rid) else int(rid), agency, None if pd.isna(year) else int(year)
        )
        for i in mine:
            if i in chosen:
                _finding_card(view.found[i])
    with st.expander("问题类型说明"):
        st.dataframe(
            {"问题类型": list(FINDING_NAMES.values()), "扣分": [rubric.points_of(c) for c in FINDING_NAMES]},
            hide_index=True,
            key="fd_codes_help",
        )

with tab_rank:
    minimum = rubric.thresholds.min_applications
    st.caption(
        f"得分＝{rubric.base:g} 分减去各项未排除问题的扣分（规则见 library/rubric.toml，可由本办修改）；"
        f"在同年度、同机关类型、同层级的单位之间排名。予以公开率（予以公开÷办理结果总计）"
        f"只在本年新收申请不少于 {minimum} 件的报告之间排名。"
    )
    ranks = from_library(scores_with_roster)
    if ranks.empty:
        st.info("当前筛选条件下没有报告。")
    else:
        if len(ranks) > MAX_TABLE_ROWS:
            st.caption(
                f"共 {len(ranks):,} 份报告，只列出前 {MAX_TABLE_ROWS:,} 份；可用左侧的筛选条件缩小范围。"
            )
        st.dataframe(ranking_display(ranks.head(MAX_TABLE_ROWS), minimum), hide_index=True, key="fd_ranking")

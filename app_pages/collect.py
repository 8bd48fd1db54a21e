"""网站采集: collect the annual reports from the agencies' websites (pasted URLs or the roster's
sources), see a result per URL, re-check the URLs collected before, and the changes it noticed.

Thin: library.collect does the fetching, parsing and storing; this screen only asks and shows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.account import current_account
from components.auth import can, not_allowed, who
from components.finding_card import show_finding_evidence
from components.flash import show_flash
from components.state import current_filters, current_scope, get_library
from library.access import Action
from library.collect import pipeline
from library.collect.store import (
    Target,
    add_sources,
    allow_private,
    parse_url_list,
    set_allow_private,
    source_status,
)
from library.findings import online_findings_with_roster
from library.store import LibraryError
from parsing.vocabulary import FINDING_CHANGED_ONLINE, FINDING_URL_GONE, finding_name

RESULTS = "collect_results"  # session: (title, list[UrlResult]) of the last run
ANY_AGENCY = "（按报告内容识别）"
PLACEHOLDER = (
    "https://www.example.gov.cn/xxgk/ndbg/\n"
    "某县教育局 https://www.example.gov.cn/art/2024/1/20/art_1.html 2023"
)


def _run(title: str, work) -> None:
    """Run ``work(progress)`` with a progress bar inside a status box; keep its results for the table."""
    with st.status(f"{title}：正在进行……", expanded=True) as box:
        bar = st.progress(0.0, text="准备中")

        def progress(done: int, total: int, url: str) -> None:
            bar.progress(min(done / max(total, 1), 1.0), text=f"{done}/{total}：{url[:80]}")

        results = work(progress)
        failed = sum(not r.ok for r in results)
        box.update(
            label=f"{title}完成：{len(results)} 个网址，失败 {failed} 个",
            state="error" if results and failed == len(results) else "complete",
            expanded=False,
        )
    st.session_state[RESULTS] = (title, results)


def _setting() -> None:
    lib = get_library()
    allowed = allow_private(lib)
    account = current_account()
    if account is not None and account.can(Action.MANAGE_SETTINGS):
        wanted = st.toggle(
            "允许采集内网及本机地址（仅在报告网站位于单位内网时开启）",
            value=allowed,
            key="collect_allow_private",
        )
        if wanted != allowed:
            try:
                set_allow_private(lib, wanted, account=account)
            except LibraryError as exc:
                st.error(exc.zh)
            else:
                st.rerun()
    elif allowed:
        st.caption("管理员已允许采集内网及本机地址。")


def _paste_section() -> None:
    st.subheader("粘贴网址采集")
    lib = get_library()
    names = [ANY_AGENCY] + sorted({r.name for r in lib.roster(current_filters().scope)})
    with st.form("collect_form"):
        text = st.text_area(
            "网址（每行一个；可以是年报栏目页、报告网页或报告文件，网址前后可写单位名称和年度）",
            key="collect_urls",
            placeholder=PLACEHOLDER,
        )
        c1, c2, c3 = st.columns([2, 1, 1])
        agency = c1.selectbox("单位（可选，适用于全部网址）", names, key="collect_agency")
        year = c2.number_input(
            "年度（可选）", min_value=0, max_value=2100, value=0, step=1, key="collect_year"
        )
        keep = c3.checkbox("登记为采集来源", value=True, key="collect_keep")
        go = st.form_submit_button("开始采集", type="primary")
    if not go:
        return
    pasted = parse_url_list(text)
    for problem in pasted.problems:
        st.warning(problem)
    if not pasted.targets:
        st.error("没有可采集的网址。")
        return
    entry = next((r for r in lib.roster() if r.name == agency), None) if agency != ANY_AGENCY else None
    targets = [
        Target(
            t.url,
            agency=entry.name if entry else t.agency,
            region=entry.region if entry else t.region,
            year=int(year) if year else t.year,
            agency_type=entry.agency_type if entry else None,
            entry_id=entry.id if entry else None,
        )
        for t in pasted.targets
    ]
    if keep:
        add_sources(lib, targets, who=who())
    _run(
        "网站采集",
        lambda progress: pipeline.collect(lib, targets, who=who(), progress=progress, scope=current_scope()),
    )


def _results() -> None:
    kept = st.session_state.get(RESULTS)
    if not kept:
        return
    title, results = kept
    st.subheader(f"{title}结果")
    frame = pipeline.results_frame(results)
    counts = frame["结果"].value_counts()
    st.caption("；".join(f"{name} {n} 个" for name, n in counts.items()))
    st.dataframe(
        frame,
        hide_index=True,
        key="collect_results_table",
        column_config={
            "网址": st.column_config.TextColumn(width="large"),
            "原因": st.column_config.TextColumn(width="large"),
        },
    )


def _sources_section() -> None:
    st.subheader("名录中的采集来源")
    lib = get_library()
    table = source_status(lib)
    if table.empty:
        st.caption(
            "还没有登记采集来源。可在“名录”页为机关填写年报栏目网址或报告网址，或在上方粘贴网址时勾选“登记为采集来源”。"
        )
        return
    st.dataframe(table, hide_index=True, key="collect_sources_table")
    if st.button("采集全部来源", key="collect_sources_run"):
        _run(
            "采集全部来源",
            lambda progress: pipeline.collect_sources(
                lib, who=who(), progress=progress, scope=current_scope()
            ),
        )
        st.rerun()


def _recheck_section() -> None:
    st.subheader("重新检查")
    st.caption(
        "重新访问已采集过的全部报告网址：内容有改动的存为新版本，并记为审核意见“"
        f"{finding_name(FINDING_CHANGED_ONLINE)}”；网址失效（404、410 或页面上已没有报告）记为“"
        f"{finding_name(FINDING_URL_GONE)}”；访问超时等临时问题只列在结果中。"
        "也可用命令 python -m library collect --recheck 定时运行。"
    )
    if st.button("重新检查", key="collect_recheck"):
        lib = get_library()
        _run(
            "重新检查",
            lambda progress: pipeline.recheck(lib, who=who(), progress=progress, scope=current_scope()),
        )
        st.rerun()


def _changes_section() -> None:
    found = [
        f
        for f in online_findings_with_roster(get_library(), current_filters())
        if f.code in (FINDING_CHANGED_ONLINE, FINDING_URL_GONE)
    ]
    st.subheader(f"网站上的变化（{len(found)} 条审核意见）")
    if not found:
        st.caption("重新检查尚未发现已发布报告的改动或失效网址。")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "单位": [f.agency or "" for f in found],
                "年度": pd.array([f.year for f in found], dtype="Int64"),
                "问题": [finding_name(f.code) for f in found],
                "报告编号": pd.array([f.report_id for f in found], dtype="Int64"),
                "网址": [str(f.evidence.get("url") or "") for f in found],
            }
        ),
        hide_index=True,
        key="collect_changes_table",
    )
    for i, f in enumerate(found[:20]):
        with st.expander(f"{f.agency or '单位不详'} {f.year or ''}年：{finding_name(f.code)}"):
            show_finding_evidence(f, key=f"collect_change_{i}")


st.title("网站采集")
show_flash()
st.caption(
    "从各单位政府信息公开网站的年报栏目或报告网页采集年度报告：自动找出栏目中的年报链接，网页没有表格时下载附件"
    "（PDF、Word、WPS、Excel）解析，按与上传相同的方式入库（相同文件不重复保存，同一单位同一年度的新内容存为新版本），"
    "并记录网页上的发布日期。只访问 http 和 https 网址，默认不访问内网和本机地址，网页中的脚本不会运行。"
)
if not can(Action.UPLOAD):
    not_allowed(Action.UPLOAD, "采集报告")
    st.stop()
_setting()
_paste_section()
_results()
_sources_section()
_recheck_section()
_changes_section()

"""名录: import the office's list of agencies (Excel/CSV), edit and export it, and review which roster
entry each report is linked to (a reviewer's link is saved and reused for later reports)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from charts.roster import ID_HEADER, editor_frame, rows_from_editor
from components.auth import can, not_allowed, who
from components.collect_sources import sources_editor
from components.flash import show_flash
from components.state import current_scope, from_library, get_library
from library.access import Action
from library.deadlines import LEVELS
from library.roster import RosterImport, report_links_page, roster_of
from library.roster_io import HEADERS, RosterRow
from library.roster_link import FUZZY_CUTOFF
from library.store import LibraryError
from parsing.vocabulary import ROSTER_HEADERS, ROSTER_LINK_NAMES

H = ROSTER_HEADERS
MAX_LINK_ROWS = 500  # rows of the link table sent to the browser
NOT_LISTED = -1  # the select box's "不在名录中" choice


def _import_section() -> None:
    st.subheader("导入名录")
    if not can(Action.MANAGE_ROSTER):
        not_allowed(Action.MANAGE_ROSTER, "导入或修改名录")
        return
    words = {
        col: "、".join(HEADERS[col][:3]) for col in ("name", "agency_type", "region", "level", "aliases")
    }
    st.caption(
        f"上传 Excel（.xlsx）或 CSV 文件，第一行（或标题下的一行）为表头：名称列（{words['name']}）必填；"
        f"类型（{words['agency_type']}）、地区（{words['region']}）、层级（部门、人民政府、乡镇街道；留空则按名称推断）"
        f"和别名（多个用“、”分隔）可选。名称和地区相同的机关视为同一个。"
    )
    with st.form("roster_import", clear_on_submit=True):
        upload = st.file_uploader("名录文件", type=["xlsx", "csv"], key="roster_file")
        mode = st.radio(
            "导入方式",
            ["合并：新增文件中的机关，更新已有机关", "替换：以文件为准，删除文件中没有的机关"],
            key="roster_mode",
        )
        if st.form_submit_button("导入", type="primary") and upload is not None:
            result = get_library().import_roster(
                upload.getvalue(),
                upload.name,
                replace=mode.startswith("替换"),
                who=who(),
                scope=current_scope(),
            )
            _import_message(result)
            st.rerun()


def _import_message(result: RosterImport) -> None:
    """Leave the outcome of an import for the next run: counts, the skipped rows and why."""
    taken = result.added + result.updated
    text = f"已导入 {taken} 个机关：新增 {result.added} 个，更新 {result.updated} 个"
    text += f"，删除 {result.removed} 个。" if result.removed else "。"
    if result.skipped:
        text += f"跳过 {len(result.skipped)} 行，原因如下。"
    kind = "success" if taken and not result.skipped else "warning" if taken else "error"
    if not taken:
        text = "没有导入任何机关。" + ("跳过的行及原因如下。" if result.skipped else "")
    st.session_state["flash"] = (kind, text)
    st.session_state["flash_details"] = [*result.notes, *(f"第 {n} 行：{why}" for n, why in result.skipped)]


def _edit_section(rows: list[RosterRow]) -> None:
    st.subheader(f"当前名录（{len(rows)} 个机关）")
    if not rows:
        st.info("名录为空。请先导入名录文件，或在下表中逐行添加后保存。")
    may_edit = can(Action.MANAGE_ROSTER)
    edited = st.data_editor(
        editor_frame(rows),
        num_rows="dynamic" if may_edit else "fixed",
        hide_index=True,
        key="roster_editor",
        disabled=[ID_HEADER] if may_edit else True,
        column_config={
            ID_HEADER: st.column_config.NumberColumn(help="系统编号，新增的行保存后生成"),
            H["name"]: st.column_config.TextColumn(required=True),
            H["level"]: st.column_config.SelectboxColumn(options=list(LEVELS), required=True, default="部门"),
            H["aliases"]: st.column_config.TextColumn(help="报告中可能使用的其他名称，多个用“、”分隔"),
        },
    )
    c1, c2, c3 = st.columns([1, 1, 1])
    if c1.button("保存修改", key="roster_save", type="primary", disabled=not may_edit):
        try:
            result = get_library().save_roster(rows_from_editor(edited), who=who(), scope=current_scope())
        except LibraryError as exc:
            st.error(exc.zh)
        else:
            st.session_state["flash"] = (
                "success",
                f"名录已保存：新增 {result.added} 个，更新 {result.updated} 个，删除 {result.removed} 个。",
            )
            st.rerun()
    lib = get_library()
    c2.download_button(
        "导出 Excel",
        lib.export_roster("xlsx", current_scope()),
        "机关名录.xlsx",
        key="roster_xlsx",
        disabled=not rows,
    )
    c3.download_button(
        "导出 CSV",
        lib.export_roster("csv", current_scope()),
        "机关名录.csv",
        key="roster_csv",
        disabled=not rows,
    )


def _links_table(links: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "报告编号": links["report_id"],
            "单位（报告）": links["agency"],
            "地区（报告）": links["region"],
            "年度": links["year"],
            "名录中的机关": links["entry_name"].fillna(""),
            "关联方式": links["tier"].map(ROSTER_LINK_NAMES),
            "相似度": links["score"],
        }
    )


def _links_section(rows: list[RosterRow]) -> None:
    st.subheader("报告与名录的关联")
    st.caption(
        "报告按以下顺序关联到名录：人工指定（优先）→ 名称一致（去掉前面的地区名后比较，"
        "如“淮安市洪泽区人民政府”＝洪泽区的“区人民政府”）"
        f"→ 别名一致 → 名称相近（相似度不低于 {FUZZY_CUTOFF:.0f}，且明显高于其他候选）。"
        "只在报告所属地区内关联，不会跨地区；多个地区都有的简称（如“区财政局”）只与报告所属地区的机关关联。"
    )
    # Only what is shown is read (the counts come from the (agency, region) pairs): O(agencies), not
    # O(reports), after each write. One call: the toggle's value is in the session state before the
    # toggle is drawn (a click reruns the page with it), and a separate call for the count alone
    # linked every (agency, region) pair a second time (~100 ms at 50,000 reports after a write).
    only_open = bool(st.session_state.get("roster_only_open", False))
    n_all, n_shown, shown = from_library(report_links_page, only_open, MAX_LINK_ROWS)
    if n_all == 0:
        st.info("报告库中还没有报告。")
        return
    st.toggle("只看未关联的报告", key="roster_only_open")
    if n_shown > MAX_LINK_ROWS:
        # A table of 5,000 reports is sent on every rerun; the unlinked ones are what needs a reviewer.
        st.caption(
            f"共 {n_shown} 份报告，仅显示前 {MAX_LINK_ROWS} 份；打开“只看未关联的报告”可只看需要处理的。"
        )
    st.dataframe(_links_table(shown), hide_index=True, key="roster_links")
    if shown.empty:
        st.success("所有报告都已关联到名录中的机关。")
    elif rows and not can(Action.REVIEW_FINDINGS):
        not_allowed(Action.REVIEW_FINDINGS, "人工指定报告与名录的关联")
    elif rows:
        _link_form(shown, rows)  # the reports listed above


def _link_form(links: pd.DataFrame, rows: list[RosterRow]) -> None:
    """A reviewer links a report's agency to an entry (or marks it as not in the roster)."""
    with st.expander("人工指定关联（保存后同一单位名称、同一地区的其他报告也按此关联）"):
        labels = {
            int(
                r.report_id
            ): f"{r.agency or '（无单位）'}｜{r.region or '地区不详'}｜{r.year}年度（编号 {r.report_id}）"
            for r in links.itertuples()
        }
        report_id = st.selectbox("报告", list(labels), format_func=labels.get, key="roster_link_report")
        entries = {int(r.id or 0): f"{r.name}｜{r.region or '地区不详'}" for r in rows}
        options = [NOT_LISTED, *entries]
        entry_id = st.selectbox(
            "名录中的机关",
            options,
            format_func=lambda i: "（不在名录中）" if i == NOT_LISTED else entries[i],
            key="roster_link_entry",
        )
        row = links[links["report_id"] == report_id].iloc[0]
        c1, c2 = st.columns([1, 1])
        if c1.button("保存关联", key="roster_link_save", type="primary"):
            _save_link(row, None if entry_id == NOT_LISTED else entry_id)
        if c2.button("撤销人工关联", key="roster_link_remove", disabled=not bool(row["saved"])):
            get_library().remove_link(row["agency"] or "", row["region"], who=who())
            st.session_state["flash"] = ("success", "已撤销人工关联，改为自动关联。")
            st.rerun()


def _save_link(row: pd.Series, entry_id: int | None) -> None:
    try:
        get_library().save_link(
            row["agency"] or "", row["region"], entry_id, report_id=int(row["report_id"]), who=who()
        )
    except LibraryError as exc:
        st.error(exc.zh)
        return
    st.session_state["flash"] = ("success", "已保存关联。")
    st.rerun()


st.title("名录")
show_flash()
st.caption("本地区应发布年报的机关名单。导入后，“发布情况”页按名录逐个核对是否发布、是否按时。")
_import_section()
roster_rows = from_library(roster_of)
_edit_section(roster_rows)
sources_editor(roster_rows)
_links_section(roster_rows)

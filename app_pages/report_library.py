"""报告库: list, search, inspect, re-parse, delete and download stored reports; export the dataset."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components.auth import can, not_allowed, who
from components.flash import show_flash
from components.samples_button import samples_offer
from components.state import counts as cached_counts
from components.state import current_filters, from_library, get_library
from library.access import Action
from library.export import export_csv, export_excel
from library.filters import Filters
from library.queries import PARSER_VERSION, search_of, search_words
from library.store import LibraryError
from library.versions import diff_table, version_name
from library.visibility import describe_scope, report_visible
from parsing.agency_types import AGENCY_TYPES
from parsing.vocabulary import AGENCY_TYPE_HEADER, FORMAT_NAMES, template_name

lib = get_library()
st.title("报告库")
show_flash()
counts = cached_counts()
if counts["reports"] == 0:
    samples_offer("load_samples_library")
    st.stop()

c1, c2, c3, c4 = st.columns(4)
c1.metric(
    "报告",
    counts["reports"],
    border=True,
    help="同一单位、地区、年度的报告按版本计一份（只计当前版本）。"
    + (f"另有 {counts['superseded']} 份旧版本保留在库中，不计入统计。" if counts["superseded"] else ""),
)
c2.metric("单位", counts["agencies"], border=True)
c3.metric("校验未通过", counts["reports_failing_checks"], border=True)
c4.metric(
    "待重新解析",
    counts["outdated"],
    border=True,
    help=f"解析器已更新到 {PARSER_VERSION} 版，旧版本解析的报告可重新解析。",
)


def _outdated_in_scope() -> list[int]:
    """The outdated reports this account may see (the counts above are of those only)."""
    ids = lib.outdated_ids()
    scope = current_filters().scope
    if scope is not None and scope.unrestricted:
        return ids
    seen = set(lib.list(Filters(scope=scope))["report_id"])
    return [i for i in ids if i in seen]


if counts["outdated"] and can(Action.UPLOAD):
    if st.button(
        f"重新解析全部 {counts['outdated']} 份旧版本报告", key="reparse_outdated", icon=":material/refresh:"
    ):
        bar = st.progress(0.0, text="正在重新解析…")

        def progress(done: int, total: int, _name: str) -> None:
            bar.progress(done / max(total, 1), text=f"正在重新解析（{done}/{total}）")

        result = lib.reparse_many(_outdated_in_scope(), None, progress, who=who())
        st.session_state["flash"] = (
            "warning" if result["failed"] else "success",
            f"已重新解析 {len(result['reparsed'])} 份报告"
            + (f"，{len(result['failed'])} 份失败（原数据保留）" if result["failed"] else "")
            + "。",
        )
        st.session_state["flash_details"] = [f"编号 {i}：{msg}" for i, msg in result["failed"]]
        st.rerun()

# ---------------------------------------------------------------- list and search
filters = current_filters()
term = st.text_input(
    "搜索",
    key="library_search",
    placeholder="单位、地区、文件名、正文中的文字或年度，多个词用空格分开，如：平潭 2023",
    icon=":material/search:",
    help="每个词都要在某一项中出现；四位数的年份（如 2023、2023年）只与报告年度比较。",
)
found = from_library(search_of, term)
st.caption(
    f"找到 {len(found)} 份报告（左侧筛选条件同样适用）。"
    "点击表格左侧选中一行，可查看、修改、重新解析、下载或删除。"
)
shown = pd.DataFrame(
    {
        "编号": found["report_id"],
        "单位": found["agency"].fillna("（未识别）"),
        "地区": found["region"].fillna("—"),
        "年度": found["year"],
        "版本": [
            version_name(int(n), int(t), None if pd.isna(s) else int(s))
            for n, t, s in zip(found["version"], found["n_versions"], found["superseded_by"], strict=True)
        ],
        AGENCY_TYPE_HEADER: found["agency_type"].fillna("—"),
        "格式": found["template"].map(template_name),
        "文件": found["filename"],
        "文件类型": found["format"].map(lambda f: FORMAT_NAMES.get(f, "其他")),
        "未通过校验": found["checks_failed"],
        "未识别标签": found["unmatched_labels"],
        "更正": found["n_corrections"],
        "需重新解析": found["outdated"].map({True: "是", False: ""}),
    }
)
if search_words(term):
    shown.insert(1, "匹配原因", found["match_reason"])
selection = st.dataframe(
    shown,
    hide_index=True,
    key="library_table",
    on_select="rerun",
    selection_mode="single-row",
    column_config={
        "编号": st.column_config.NumberColumn(format="%d"),
        "年度": st.column_config.NumberColumn(format="%d"),
        "匹配原因": st.column_config.TextColumn(width="large"),
    },
)
rows = selection.selection.rows if selection else []
selected_id = int(found["report_id"].iloc[rows[0]]) if rows and rows[0] < len(found) else None
if selected_id is None and st.session_state.get("library_selected") in set(found["report_id"].tolist()):
    selected_id = st.session_state["library_selected"]


def _region_allowed(region: str, agency: str) -> bool:
    """A report may be given only a region (and agency) within the account's scope: saving it into
    another county would hand it to that county's office and hide it from this one."""
    if filters.unrestricted or report_visible(agency or None, region or None, filters.scope):
        return True
    st.error(f"未保存：地区和单位须在您的账户可查看的范围内（{describe_scope(filters.scope)}）。")
    return False


def show_versions(report_id: int, versions: pd.DataFrame) -> None:
    """The versions of the selected report and the figures that differ between two of them."""
    st.markdown("**版本**（同一单位、地区、年度的报告；只有当前版本计入各页统计）")
    names = {
        int(r.report_id): f"第{r.version}版（编号 {r.report_id}{'，当前' if r.current else ''}）"
        for r in versions.itertuples()
    }
    st.dataframe(
        pd.DataFrame(
            {
                "版本": [names[int(i)] for i in versions["report_id"]],
                "文件": versions["filename"],
                "发布日期": versions["published"].fillna("未识别"),
                "入库时间（UTC）": pd.to_datetime(versions["created_at"]).dt.strftime("%Y-%m-%d %H:%M"),
                "未通过校验": versions["checks_failed"],
            }
        ),
        hide_index=True,
        key="versions_table",
    )
    ids = [int(i) for i in versions["report_id"]]
    current = ids[-1]
    if report_id != current:
        st.warning(f"这是旧版本，已被编号 {current} 取代，不计入各页统计。")
    # Compare the selected version with the current one (the current one: with the version before it).
    others = [i for i in ids if i != report_id]
    default = others.index(ids[-2]) if report_id == current else others.index(current)
    other = st.selectbox(
        "与哪个版本比较", others, index=default, format_func=names.get, key=f"versions_compare_{report_id}"
    )
    old_id, new_id = sorted((report_id, other), key=ids.index)
    diff = lib.version_diff(old_id, new_id)
    if diff.empty:
        st.info(f"{names[old_id]} 与 {names[new_id]} 的各项数值相同。")
        return
    st.caption(f"{names[old_id]} → {names[new_id]}：{len(diff)} 项数值不同（空白表示报告未填写，不是 0）。")
    st.dataframe(diff_table(diff, names[old_id], names[new_id]), hide_index=True, key="versions_diff")


# ---------------------------------------------------------------- one report
if selected_id is not None:
    report = lib.get(selected_id, scope=filters.scope)
    if report is None:
        st.warning("该报告已被删除，或不在您的账户可查看的范围内。")
    else:
        st.session_state["library_selected"] = selected_id
        st.subheader(f"报告 {report.id}")
        st.text(
            f"{report.agency or '（未识别单位）'}｜{report.region or '地区未填'}｜"
            f"{report.year or '年度未填'}｜{report.filename}"
        )
        versions = lib.versions_of(selected_id)
        a1, a2, a3 = st.columns(3)

        def original() -> bytes:
            found_file = lib.original_bytes(selected_id, scope=filters.scope)
            return found_file[1] if found_file else b""

        a1.download_button(
            "下载原件",
            data=original,
            file_name=report.filename.split("/")[-1],
            key="download_original",
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
        )
        may_upload = can(Action.UPLOAD)
        if a2.button(
            "重新解析", key="reparse_one", icon=":material/refresh:", width="stretch", disabled=not may_upload
        ):
            try:
                parsed = lib.reparse(selected_id, who=who())
                st.session_state["flash"] = (
                    "success",
                    f"已重新解析：识别 {len(parsed.cells)} 个单元格，更正与已确认的信息均保留。",
                )
            except LibraryError as exc:
                st.session_state["flash"] = ("error", exc.zh)
            st.rerun()
        if a3.button(
            "删除", key="delete_one", icon=":material/delete:", width="stretch", disabled=not may_upload
        ):
            st.session_state["confirm_delete"] = selected_id
        if not may_upload:
            not_allowed(Action.UPLOAD, "重新解析或删除报告")
        elif st.session_state.get("confirm_delete") == selected_id:
            with st.container(border=True):
                st.warning("确定删除这份报告吗？其解析结果、校验结果和人工更正将一并删除，且无法恢复。")
                st.text(f"{report.agency or report.filename}（{report.year or '年度未填'}）")
                y, n = st.columns(2)
                if y.button("确认删除", key="confirm_delete_yes", type="primary", width="stretch"):
                    lib.delete(selected_id, scope=filters.scope, who=who())
                    st.session_state.pop("confirm_delete", None)
                    st.session_state.pop("library_selected", None)
                    st.session_state["flash"] = ("success", f"已删除报告 {selected_id}。")
                    st.rerun()
                if n.button("取消", key="confirm_delete_no", width="stretch"):
                    st.session_state.pop("confirm_delete", None)
                    st.rerun()

        with st.form(f"metadata_{selected_id}"):
            st.markdown("**报告信息**（修改后保存；重新解析时保留）")
            m1, m2, m3, m4 = st.columns(4)
            agency = m1.text_input("单位", value=report.agency or "")
            region = m2.text_input("地区", value=report.region or "")
            year = m3.number_input("年度", min_value=2000, max_value=2100, value=report.year or None, step=1)
            types = list(AGENCY_TYPES)
            agency_type = m4.selectbox(
                AGENCY_TYPE_HEADER,
                types,
                index=types.index(report.agency_type) if report.agency_type in types else len(types) - 1,
            )
            if st.form_submit_button("保存报告信息", disabled=not can(Action.CORRECT)) and _region_allowed(
                region.strip(), agency.strip()
            ):
                lib.set_metadata(
                    selected_id,
                    agency=agency.strip() or None,
                    region=region.strip() or None,
                    year=int(year) if year else None,
                    agency_type=agency_type,
                    who=who(),
                )
                st.session_state["flash"] = ("success", "报告信息已保存。")
                st.rerun()
        if not can(Action.CORRECT):
            not_allowed(Action.CORRECT, "修改报告信息")
        st.caption("逐项数值、校验结果与原文对照，请到“数据质量”页查看；也可在那里更正数值。")
        if len(versions) > 1:
            show_versions(selected_id, versions)

# ---------------------------------------------------------------- export
st.subheader("导出标准化数据")
st.caption(
    "每份报告（单位×年度）一行，列为固定的字段键；表头为中文，Excel 另附“字段说明”工作表。"
    "空白表示报告未填写该项（不是 0）。导出范围为左侧筛选条件下的全部报告。"
)


def _excel() -> bytes:
    return export_excel(lib.dataset(filters))


def _csv() -> bytes:
    return export_csv(lib.dataset(filters))


e1, e2, _ = st.columns([1, 1, 2])
stamp = f"{date.today():%Y%m%d}"
e1.download_button(
    "导出 Excel",
    data=_excel,
    file_name=f"公开年报标准化数据_{stamp}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="export_excel",
    on_click="ignore",
    icon=":material/table_view:",
    width="stretch",
)
e2.download_button(
    "导出 CSV",
    data=_csv,
    file_name=f"公开年报标准化数据_{stamp}.csv",
    mime="text/csv",
    key="export_csv",
    on_click="ignore",
    icon=":material/csv:",
    width="stretch",
)

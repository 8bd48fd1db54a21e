"""汇总表: a region's tables 二、三、四 summed over its agencies (library.rollup), in the official layout,
with who was summed, missing and left out, the blanks, the checks, last year and the government's own
report; downloads as Excel and Word."""

from __future__ import annotations

from functools import partial

import streamlit as st

from components.auth import can, not_allowed
from components.rollup_view import (
    default_region_of,
    regions_of,
    rollup_of,
    show_table,
    years_of,
)
from components.state import from_library
from library.access import Action
from library.documents.common import DOCX_MIME
from library.documents.rollup_doc import rollup_docx, rollup_filename
from library.errors import LibraryError
from library.rollup_export import TABLE_TITLES, XLSX_MIME, frames, workbook

st.title("汇总表")
st.caption(
    "把本地区名录中各机关本年度年报的第二、三、四部分表格逐格相加，得到本级政府年报应填写的汇总数。"
    "空白单元格按格式说明的规则处理：一般空白按 0 计；总计空白表示未填写，不按 0 计，汇总数标为“≥”（下限）。"
    "现行有效件数等存量只在同一年度内按单位相加，不跨年度累加。"
)
regions = from_library(regions_of)
if not regions:
    st.info("报告库中还没有可汇总的报告。请先上传各单位的年报，并在“名录”页导入本地区的机关名录。")
    st.stop()
c1, c2 = st.columns(2)
start = from_library(default_region_of, regions)
first = regions.index(start) if start in regions else 0
region = c1.selectbox("地区", regions, index=first, key="rollup_region")
years = from_library(years_of, region)
if not years:
    st.info(f"报告库中没有{region}的报告。")
    st.stop()
year = c2.selectbox("年度（报告所述年度）", years, key="rollup_year")
try:
    result = from_library(rollup_of, region, int(year))
except LibraryError as exc:
    st.error(exc.zh)
    st.stop()

tables = frames(result)
m = st.columns(5)
m[0].metric("计入报告", f"{len(result.included)} 份")
m[1].metric("缺报机关", f"{len(result.missing)} 个")
m[2].metric("未计入报告", f"{len(result.excluded)} 份")
m[3].metric("不完整单元格", f"{len(result.incomplete_cells)} 个")
m[4].metric("勾稽关系不符", f"{len(result.failed_checks)} 处")
for note in result.notes:
    st.warning(note)
if not result.included:
    # No table of zeros: a sum over nobody is not a figure anyone should paste into a report.
    st.info(
        f"{region}{year} 年度没有可计入汇总的报告，不生成汇总表；下方列出缺报的机关和未计入的报告及原因。"
    )
elif can(Action.EXPORT):
    # Built when clicked (Streamlit's deferred download data): the Word document alone takes about
    # a second, which every rerun of the page would otherwise pay.
    d1, d2 = st.columns(2)
    d1.download_button(
        "下载 Excel（模板格式）",
        partial(workbook, result),
        rollup_filename(result, "xlsx"),
        XLSX_MIME,
        key="rollup_xlsx",
    )
    d2.download_button(
        "下载 Word（可直接粘贴）",
        partial(rollup_docx, result),
        rollup_filename(result, "docx"),
        DOCX_MIME,
        key="rollup_docx",
    )
else:
    not_allowed(Action.EXPORT, "下载汇总表")


def _tables_and_checks() -> None:
    """The three tables in the official layout and the checks on them (only when something was summed)."""
    st.caption(
        f"表格格式：{result.version} 年版。带“≥”的黄色单元格为不完整的汇总数（下限），鼠标悬停可见原因。"
    )
    for section in ("s2", "s3", "s4"):
        st.subheader(TABLE_TITLES[section])
        show_table(result, section)

    st.subheader("勾稽关系校验（O1、D1、D3、D5）")
    checks = tables["checks"]
    failed = checks[checks["结果"] == "不符"]
    if failed.empty:
        st.caption(f"共 {len(checks)} 项，无不符（未校验 {int((checks['结果'] == '未校验').sum())} 项）。")
    else:
        st.error(f"{len(failed)} 处不符；“自身同样不符的单位”列出本身表格同一规则不符的单位。")
    st.dataframe(checks, hide_index=True, key="rollup_checks")


if result.included:
    _tables_and_checks()

st.subheader(f"计入的报告（{len(result.included)} 份）")
st.dataframe(tables["included"], hide_index=True, key="rollup_included")
st.subheader(f"缺报的名录机关（{len(result.missing)} 个）")
if result.missing:
    st.dataframe(tables["missing"], hide_index=True, key="rollup_missing")
else:
    st.caption("名录中的机关都有可用的本年度报告。" if result.roster_used else "未使用名录。")
st.subheader(f"未计入的报告（{len(result.excluded)} 份）")
if result.excluded:
    st.dataframe(tables["excluded"], hide_index=True, key="rollup_excluded")
else:
    st.caption("没有未计入的报告。")
st.subheader(f"空白单元格（{len(tables['blanks'])} 处）")
if tables["blanks"].empty:
    st.caption("计入的报告没有空白单元格。")
else:
    st.dataframe(tables["blanks"], hide_index=True, key="rollup_blanks")
if not tables["incomplete"].empty:
    st.dataframe(tables["incomplete"], hide_index=True, key="rollup_incomplete")

st.subheader("与上年汇总比较")
only_changed = st.toggle("只看有变化或有差异的单元格", value=True, key="rollup_only_changed")


def _changed(df, column: str):
    """The rows whose change/difference is not 0 (an unknown one is kept: it may hide a change)."""
    return df[df[column] != "0"] if only_changed else df


if result.previous_available:
    st.dataframe(_changed(tables["previous"], "增减"), hide_index=True, key="rollup_previous")
else:
    st.caption(f"报告库中没有 {int(year) - 1} 年度可计入的报告。")
st.subheader("与本级政府年报对照")
if result.government is not None:
    st.caption(
        f"{result.government.agency}（报告编号 {result.government.report_id}）所填数字与汇总数的差额。"
    )
    st.dataframe(
        _changed(tables["government"], "差额（汇总−年报）"), hide_index=True, key="rollup_government"
    )
else:
    st.caption("报告库中没有本级政府自身的本年度年报。")

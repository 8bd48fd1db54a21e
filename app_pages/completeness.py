"""发布情况: for one year, which roster agencies published on time, late, without a known date, or not at
all; the reports that match no roster entry; a chart by region and type; and the reviewer's form to enter
or correct a report's publication date."""

from __future__ import annotations

from datetime import date

import streamlit as st

from charts.completeness import completeness_page, completeness_workbook, entries_view, unmatched_view
from components.auth import can, not_allowed, who
from components.flash import show_flash
from components.page_frame import show_charts
from components.state import current_filters, filter_options, from_library, get_library
from library.access import Action
from library.completeness import NOT_DUE, Completeness
from library.deadlines import LEVELS, MISSING, ON_TIME, UNKNOWN, deadline
from library.filters import MISSING as NO_VALUE
from library.filters import describe_filters
from library.roster import roster_of
from library.store import LibraryError
from page_registry import page


def _deadline_text(year: int) -> str:
    dates = {level: deadline(level, year) for level in LEVELS}
    return "；".join(f"{level} {d.year}年{d.month}月{d.day}日" for level, d in dates.items())


def _year() -> int | None:
    years = [y for y in filter_options().get("years", []) if y != NO_VALUE]
    chosen = [y for y in current_filters().years if y != NO_VALUE]
    options = sorted({int(y) for y in (chosen or years)}, reverse=True)
    if not options:
        return None
    return st.selectbox("年度（报告所述年度）", options, key="completeness_year")


def _counts(result: Completeness) -> None:
    c = result.counts
    cols = st.columns(5)
    cols[0].metric("应发布", f"{c['expected']} 个")
    cols[1].metric("已发布", f"{c['published']} 个")
    cols[2].metric("按时", f"{c[ON_TIME]} 个")
    cols[3].metric("逾期", f"{c['late']} 个")
    cols[4].metric("未发布", f"{c[MISSING]} 个")
    notes = []
    if c[UNKNOWN]:
        notes.append(
            f"另有 {c[UNKNOWN]} 个已发布但发布日期不详（报告中未写明，可在下方录入），不计入按时或逾期"
        )
    if c[NOT_DUE]:
        notes.append(f"{c[NOT_DUE]} 个尚无报告但未到截止日期，不计入应发布")
    if notes:
        st.caption("；".join(notes) + "。")


def _date_form(result: Completeness) -> None:
    """Enter or correct the publication date of one of the year's reports (who and when are kept)."""
    linked = result.entries.dropna(subset=["report_id"])
    choices = {
        int(r.report_id): f"{r.name}｜{r.report_agency}（编号 {int(r.report_id)}）"
        for r in linked.itertuples()
    }
    choices.update(
        {
            int(r.report_id): f"未列入名录｜{r.agency}（编号 {int(r.report_id)}）"
            for r in result.unmatched.itertuples()
        }
    )
    if not choices:
        return
    if not can(Action.CORRECT):
        not_allowed(Action.CORRECT, "录入或更正发布日期")
        return
    with st.expander("录入或更正发布日期"):
        st.caption(
            "报告中没有写明发布日期、或写错时，按网站上的实际发布时间录入。录入的日期优先于报告中的日期，并记录录入人和时间。"
        )
        report_id = st.selectbox("报告", list(choices), format_func=choices.get, key="completeness_report")
        history = get_library().publication_dates([report_id])
        if not history.empty and history.iloc[0]["published"]:
            h = history.iloc[0]
            st.markdown(
                f"当前录入：{h['published']}（{h['who'] or '未署名'}，{h['created_at']:%Y-%m-%d %H:%M}）"
            )
        with st.form("completeness_date"):
            c1, c3 = st.columns([1, 3])
            day = c1.date_input("发布日期", value=None, format="YYYY-MM-DD", key="completeness_day")
            note = c3.text_input("说明（如：据政府网站发布时间）", key="completeness_note")
            save = st.form_submit_button("保存日期", type="primary")
            withdraw = st.form_submit_button("撤销录入的日期（改用报告中的日期）")
        if save and day is None:
            st.error("请选择发布日期。")
        elif save or withdraw:
            _save_date(report_id, day if save else None, note)


def _save_date(report_id: int, day: date | None, note: str) -> None:
    try:
        get_library().set_publication_date(report_id, day, who=who(), note=note)
    except LibraryError as exc:
        st.error(exc.zh)
        return
    st.session_state["flash"] = ("success", "已保存发布日期。" if day else "已撤销录入的日期。")
    st.rerun()


st.title("发布情况")
show_flash()
st.caption(
    "按机关名录逐个核对年报是否发布、是否按时（《政府信息公开条例》第四十九条）。"
    "发布日期以审核人员录入的为准，其次为报告中写明的发布时间或落款日期。"
)
year = _year()
roster = from_library(roster_of)
if not roster:
    st.info("尚未导入机关名录：请先在“名录”页导入本地区应发布年报的机关名单。")
    st.page_link(page("roster").path, label="去导入名录", icon=":material/list:")
elif year is None:
    st.info("报告库中还没有报告，所有机关都将显示为未发布。请先上传年报。")
else:
    result, charts = from_library(completeness_page, year, date.today())
    filters = current_filters()
    scope = describe_filters(
        type(filters)(regions=filters.regions, agency_types=filters.agency_types, scope=filters.scope)
    )
    st.caption(
        f"{year}年度截止日期：{_deadline_text(year)}｜名录范围：{scope}（地区、机关类型筛选作用于名录）"
    )
    _counts(result)
    st.subheader("逐个机关")
    st.dataframe(
        entries_view(result.entries),
        hide_index=True,
        key="completeness_entries",
        column_config={
            "机关": st.column_config.TextColumn(width="medium"),
            "日期来源": st.column_config.TextColumn(width="medium"),
            "报告": st.column_config.TextColumn(width="large"),
        },
    )
    st.download_button(
        "下载清单（Excel）",
        completeness_workbook(result),
        f"{year}年度年报发布情况.xlsx",
        key="completeness_xlsx",
    )
    show_charts(charts, columns=2)
    st.subheader(f"未列入名录的报告（{len(result.unmatched)} 份）")
    if result.unmatched.empty:
        st.caption("本年度的报告都已关联到名录中的机关。")
    else:
        st.caption(
            "这些报告没有关联到名录中的任何机关，不计入上面的统计。可在“名录”页人工指定关联，或把机关补入名录。"
        )
        st.dataframe(unmatched_view(result.unmatched), hide_index=True, key="completeness_unmatched")
    _date_form(result)

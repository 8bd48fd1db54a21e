"""操作记录: the audit trail — who uploaded, deleted, corrected, decided or sent what, when, and what it
was before and after; filtered by person, action, dates and text; exported as Excel or CSV.

Reads library.audit only (newest first, one page of rows per run), so it stays quick on a long trail.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from components.account import current_account
from components.state import get_library
from library import audit
from library.audit import AuditQuery
from parsing.vocabulary import AUDIT_ACTION_NAMES, AUDIT_FIELD_NAMES

PAGE_SIZE = 200  # rows sent to the browser per page
EVERYONE = "（全部）"

st.title("操作记录")
st.caption(
    "报告的上传、删除、重新解析，信息修改、数值更正、标签对照，审核结论，名录的导入、编辑与关联，"
    "发布日期录入，以及整改通知单和通报的生成，均在此记录：谁、何时（北京时间）、改了什么、改前改后。"
    "记录只增不改。"
)

lib = get_library()
account = current_account()
# A scoped account sees the records of its regions only (records without a region are left out).
regions = account.scope.regions if account is not None else ()


def _filters() -> AuditQuery:
    """The filter row: person, actions, date range, search words."""
    c1, c2, c3, c4 = st.columns([1, 2, 1.4, 1.6])
    people = [EVERYONE, *lib.audit_people(regions)]
    who = c1.selectbox("操作人", people, key="audit_who")
    actions = c2.multiselect(
        "操作", list(AUDIT_ACTION_NAMES), format_func=AUDIT_ACTION_NAMES.__getitem__, key="audit_actions"
    )
    days = c3.date_input("日期范围", value=(), format="YYYY-MM-DD", key="audit_days")
    text = c4.text_input("搜索", key="audit_text", placeholder="单位、地区、文件名、字段等")
    since, until = _range(days)
    return AuditQuery(
        who=None if who == EVERYONE else who,
        actions=tuple(actions),
        since=since,
        until=until,
        text=text.strip(),
        regions=regions,
    )


def _range(days: object) -> tuple[date | None, date | None]:
    """The chosen days (one day chosen so far counts as that day alone)."""
    if isinstance(days, date):
        return days, days
    chosen = [d for d in (days or ()) if isinstance(d, date)]  # type: ignore[union-attr]
    if not chosen:
        return None, None
    return min(chosen), max(chosen)


def _page(total: int) -> int:
    """The page of rows to show (newest first)."""
    pages = max(1, -(-total // PAGE_SIZE))
    if pages == 1:
        return 0
    c1, c2 = st.columns([1, 5])
    number = c1.number_input("页码", min_value=1, max_value=pages, value=1, step=1, key="audit_page")
    c2.caption(f"\n\n共 {pages} 页，每页 {PAGE_SIZE} 条，最新的在前。")
    return int(number) - 1


def _details(row: pd.Series) -> None:
    """One record's before and after, field by field."""
    before, after = row["before"], row["after"]
    st.markdown(f"**{audit.local_time(row['at'])}　{row['who'] or '未署名'}　{row['summary']}**")
    if isinstance(before, dict) or isinstance(after, dict):
        keys = list(dict.fromkeys([*(before or {}), *(after or {})]))
        st.dataframe(
            pd.DataFrame(
                {
                    "项目": [AUDIT_FIELD_NAMES.get(k, k) for k in keys],
                    "修改前": [_side(before, k) for k in keys],
                    "修改后": [_side(after, k) for k in keys],
                }
            ),
            hide_index=True,
            key="audit_detail",
        )
    else:
        st.text(f"修改前：{audit.describe(before)}\n修改后：{audit.describe(after)}")


def _side(values: object, key: str) -> str:
    """One field of a before or after ('—' when that side has no such field)."""
    if not isinstance(values, dict) or key not in values:
        return "—"
    return audit.field_text(values[key])


def _exports(query: AuditQuery, total: int) -> None:
    """Excel and CSV of every record the filters select (built on click, not on every rerun)."""
    everything = replace(query, limit=None, offset=0)
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button(
        f"导出 Excel（{total} 条）",
        data=lambda: audit.export_xlsx(lib.audit_entries(everything)),
        file_name=f"操作记录_{date.today():%Y%m%d}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="audit_xlsx",
        on_click="ignore",
        icon=":material/download:",
        disabled=not total,
    )
    c2.download_button(
        f"导出 CSV（{total} 条）",
        data=lambda: audit.export_csv(lib.audit_entries(everything)),
        file_name=f"操作记录_{date.today():%Y%m%d}.csv",
        mime="text/csv",
        key="audit_csv",
        on_click="ignore",
        icon=":material/download:",
        disabled=not total,
    )


query = _filters()
total = lib.audit_count(query)
if not total:
    any_record = lib.audit_count(AuditQuery(regions=regions))
    st.info("没有符合条件的操作记录。" if any_record else "还没有操作记录。")
else:
    page = _page(total)
    rows = lib.audit_entries(replace(query, limit=PAGE_SIZE, offset=page * PAGE_SIZE))
    st.caption(f"共 {total} 条记录。点选一行可查看修改前后的逐项对照。")
    shown = audit.export_frame(rows)
    year = audit.HEADERS["year"]
    shown[year] = [None if pd.isna(y) else str(y) for y in shown[year]]  # no year: blank, not "None"
    picked = st.dataframe(
        shown,
        hide_index=True,
        key="audit_table",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            audit.HEADERS["summary"]: st.column_config.TextColumn(width="large"),
            year: st.column_config.TextColumn(width="small"),
        },
    )
    chosen = picked.selection.rows if picked is not None else []
    if chosen:
        with st.container(border=True):
            _details(rows.iloc[chosen[0]])
    _exports(query, total)

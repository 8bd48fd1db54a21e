"""数据质量: every failed check and unmatched label per report; each value next to its place in the original
(page image, table row or text lines) and a correction form that starts from the clicked value."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from charts import catalog
from charts.tables import attention_table, check_places, explained_checks, value_text
from charts.text import md_escape
from components.auth import can, not_allowed, who
from components.page_frame import analysis_page, show_charts
from components.source_view import position_text, show_source
from components.state import current_filters, from_library, get_library
from library import queries
from library.access import Action
from library.filters import Filters
from library.queries import RULE_FLAGS, search_words
from library.store import Library, LibraryError
from library.stored_report import StoredReport
from parsing.schema import CELLS, NARRATIVE_KEYS, key_label
from parsing.vocabulary import (
    CHECK_STATUS_NAMES,
    flag_name,
    rule_name,
    unread_table_text,
    warning_text,
)

CORRECTABLE = [*CELLS, *(f"n.{k}" for k in NARRATIVE_KEYS)]


def _report_checks(report: StoredReport) -> None:
    """The report's checks that did not pass, explained in Chinese."""
    checks = pd.DataFrame(report.checks)
    if checks.empty:
        return
    checks = checks[checks["status"] != "pass"]
    if checks.empty:
        return
    st.markdown("**未通过或未能校验的规则**")
    st.dataframe(
        pd.DataFrame(
            {
                "规则": checks["rule"].map(rule_name),
                "位置": check_places(checks),
                "结果": checks["status"].map(CHECK_STATUS_NAMES),
                "说明": explained_checks(checks),
            }
        ),
        hide_index=True,
        key=f"quality_checks_{report.id}",
    )


def _report_notes(report: StoredReport) -> None:
    """Parser notes of the report, in Chinese only (the English half is for tools and logs)."""
    notes = [warning_text(w) for w in report.warnings]
    if notes:
        with st.expander(f"解析提示（{len(notes)} 条）"):
            # Notes quote report text: a table (plain text), never Markdown.
            st.dataframe(pd.DataFrame({"提示": notes}), hide_index=True, key=f"quality_notes_{report.id}")


def _attention_section(unread: pd.DataFrame, flagged: pd.DataFrame) -> None:
    """需要关注的报告: tables seen but not read, values split or placed by rule or not readable."""
    st.subheader("需要关注的报告")
    table = attention_table(unread, flagged)
    if table.empty:
        st.success("当前筛选条件下没有需要关注的报告。")
        return
    st.caption(
        "“表格未读取”：文中出现了该部分的标题或标准行标签，但没有读出任何数值；"
        "“按勾稽关系拆分/放置”：数值不是逐格写出的，而是按官方勾稽关系唯一确定的，请在下方“逐份核对”中与原文对照。"
    )
    # Reasons quote report labels: a table (plain text), never Markdown.
    st.dataframe(
        table,
        hide_index=True,
        key="attention_reports",
        column_config={"说明": st.column_config.TextColumn(width="large")},
    )


def _report_unread(report: StoredReport) -> None:
    """The tables of this report that its text shows but whose cells could not be read."""
    for entry in report.unread_tables:
        st.warning(md_escape(unread_table_text(entry)))


def _current(report: StoredReport, key: str) -> tuple[object, str | None]:
    """(effective value, raw text as written) of one field of the report."""
    row = report.cells[report.cells["key"] == key]
    if not row.empty:
        return row["corrected"].iloc[0], str(row["raw"].iloc[0])
    return report.values.get(key), None


def _corrections(report: StoredReport, clicked: pd.Series | None) -> None:
    """The correction form, starting from the clicked cell and showing its current value."""
    lib = get_library()
    field_key = f"correction_field_{report.id}"
    seen_key = f"correction_clicked_{report.id}"
    clicked_key = None if clicked is None else str(clicked["key"])
    # A new click picks its field; choosing another field by hand is kept until the next click.
    if clicked_key in CORRECTABLE and st.session_state.get(seen_key) != clicked_key:
        st.session_state[field_key] = clicked_key
    st.session_state[seen_key] = clicked_key
    with st.expander(f"更正数值（已有 {len(report.corrections)} 条更正）", expanded=clicked_key is not None):
        st.caption(
            "更正后的数值在所有图表和导出中生效，重新解析后仍保留；原解析值保留可查。留空表示该项在报告中为空白。"
        )
        key = st.selectbox("字段", CORRECTABLE, format_func=key_label, key=field_key)
        value, raw = _current(report, key)
        if raw is None and key not in report.values:
            st.markdown("当前值：报告中没有这一项。")
        else:
            # Raw text comes from the report: escaped so it reads as plain text.
            written = f"　报告原文：“{md_escape(raw)}”" if raw else ""
            st.markdown(f"当前值：**{md_escape(value_text(value))}**{written}")
        with st.form(f"correction_{report.id}"):
            c1, c2 = st.columns([1, 2])
            raw_value = c1.text_input("正确的数值（留空＝空白）", key=f"correction_value_{report.id}_{key}")
            note = c2.text_input("说明（如：据原文第 3 页表格）", key=f"correction_note_{report.id}")
            if st.form_submit_button("保存更正", disabled=not can(Action.CORRECT)):
                _save_correction(lib, report.id, key, raw_value, note)
        if not can(Action.CORRECT):
            not_allowed(Action.CORRECT, "更正数值")
        if report.corrections:
            corr = pd.DataFrame(report.corrections)
            st.dataframe(
                pd.DataFrame(
                    {
                        "字段": corr["key"].map(key_label),
                        "原值": corr["old"],
                        "更正为": corr["new"],
                        "说明": corr["note"],
                        "时间": corr["created_at"],
                    }
                ),
                hide_index=True,
                key=f"corrections_{report.id}",
            )


def _save_correction(lib, report_id: int, key: str, raw_value: str, note: str) -> None:
    try:
        # The library reads the number (1,036 / 3.5 / blank).
        lib.add_correction(report_id, key, raw_value, note, who=who())
    except LibraryError as exc:
        st.error(exc.zh)
        return
    st.session_state["flash"] = ("success", f"已更正“{key_label(key)}”。")
    st.rerun()


# A link from another page (单位档案) opens this page on one report: /quality?report=12.
REPORT_PARAM = "report"
_REPORT_SEEN = "quality_report_from_address"


# At 50,000 reports a picker of every report (and a table of every failed check) cost the server a
# second to build and the browser as long to draw: the picker holds the reports with the most problems
# and finds any other by its search box; the tables show their first rows and download in full.
# (Read from library.queries at each run, where the tests set them small.)
PICKER_LIMIT = queries.QUALITY_PICKER_LIMIT
TABLE_LIMIT = queries.QUALITY_TABLE_LIMIT
_PINNED = "quality_report_pinned"


def _report_labels(summary: pd.DataFrame) -> dict:
    """Picker label of each report of a ``Library.quality_reports`` frame."""
    return {
        rid: f"{rid}｜{agency}｜{'' if pd.isna(year) else int(year)}｜未通过 {failed}｜未识别 {unmatched}"
        for rid, agency, year, failed, unmatched in zip(
            summary["report_id"].tolist(),
            summary["agency"].tolist(),
            summary["year"].tolist(),
            summary["checks_failed"].tolist(),
            summary["unmatched_labels"].tolist(),
            strict=True,
        )
    }


def _quality_report_labels(
    lib: Library, filters: Filters, term: str, limit: int
) -> tuple[list, dict, int | None]:
    """The reports of 逐份核对 (problems first; the first ``limit`` of those matching ``term``), their
    labels and how many match in all (None: all the filters select, Library.report_count), for
    ``from_library``: from the reports' narrow columns
    (Library.quality_reports, sorted and cut in the database), not the dataset, which a write makes stale."""
    summary = lib.quality_reports(filters, term=term, limit=limit)
    if len(summary) < limit:
        total: int | None = len(summary)
    elif term:
        total = lib.quality_report_count(filters, term=term)
    else:  # every current report the filters select: the page frame's count (cached), not a query
        total = None
    return summary["report_id"].tolist(), _report_labels(summary), total


def _reachable_labels(lib: Library, filters: Filters, ids: tuple[int, ...]) -> dict:
    """Labels of those of ``ids`` that the filters select (a report chosen from the address or before
    the search changed, kept in the picker although beyond its first rows)."""
    return _report_labels(lib.quality_reports(filters, ids=list(ids)))


def _failed_table(lib: Library, filters: Filters, limit: int | None) -> pd.DataFrame:
    """The table of 未通过的校验: its first ``limit`` rows (None: all)."""
    return _failed_frame(lib.failed_checks(filters, limit=limit))


def _failed_frame(failed: pd.DataFrame) -> pd.DataFrame:
    """The table of 未通过的校验 made from rows of ``Library.failed_checks``."""
    return pd.DataFrame(
        {
            "报告编号": failed["report_id"],
            "单位": failed["agency"],
            "年度": failed["year"],
            "规则": failed["rule"].map(rule_name),
            "位置": check_places(failed),
            "说明": explained_checks(failed.assign(status="fail")),
        }
    )


def _findings(lib: Library, filters: Filters, limit: int) -> dict:
    """What the page shows of the failed checks and unmatched labels, read and built once per revision
    and filters: the failed-checks table (first ``limit`` rows) and its total, the unmatched labels
    (all: a few thousand at 50,000 reports) and the two charts. One cached call that takes no frame as
    argument: a frame passed to a cached call is hashed on every run."""
    # The chart by rule needs the rule of each failed check only, and they count them; the table its
    # first ``limit`` rows. One read of every failed check instead decodes each one's JSON column:
    # ~110 ms on PostgreSQL at 50,000 reports against ~65 ms for the two narrow reads.
    rules = lib.failed_check_rules(filters)
    failed_table = _failed_table(lib, filters, limit)
    n_failed = len(rules)
    unmatched = lib.unmatched_labels(filters)
    charts = catalog.quality_page_charts(lib, filters, rules, unmatched)
    labels = pd.DataFrame(
        {
            "报告编号": unmatched["report_id"],
            "单位": unmatched["agency"],
            "年度": unmatched["year"],
            "标签原文": unmatched["label"],
        }
    )
    return {"failed": failed_table, "n_failed": n_failed, "labels": labels, "charts": charts}


def _csv(table: pd.DataFrame) -> bytes:
    """A table as CSV that Excel opens in Chinese (UTF-8 with BOM)."""
    return table.to_csv(index=False).encode("utf-8-sig")


def _full_download(label: str, file_name: str, make, key: str) -> None:
    """A download button whose file is built only when clicked (the full list, beyond the table's rows)."""
    st.download_button(
        label,
        data=lambda: _csv(make()),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def _failing_reports(lib: Library, filters: Filters) -> int:
    """How many of the filtered reports fail a check (aggregate.reports_failing_checks of the dataset)."""
    return lib.report_count(filters, failing=True)


def _report_from_address() -> None:
    """Choose the report named in the address, once per address value (the reader may then pick another)."""
    wanted = st.query_params.get(REPORT_PARAM)
    if not wanted or st.session_state.get(_REPORT_SEEN) == wanted:
        return
    st.session_state[_REPORT_SEEN] = wanted
    scope = current_filters().scope
    # Any report the filters select, also one beyond the picker's first rows (it is added there).
    if wanted.isdigit() and from_library(_reachable_labels, (int(wanted),)):
        st.session_state[_PINNED] = int(wanted)
        st.session_state["quality_report"] = int(wanted)
        st.info(f"已选中报告 {int(wanted)}，其数值与原文的对照见本页下方“逐份核对”。")
    elif wanted.isdigit() and get_library().visible(int(wanted), scope):
        st.warning(f"报告 {wanted} 不在当前筛选条件下的报告中，请放宽左侧筛选条件。")
    elif scope is not None and scope.unrestricted:
        st.warning(f"没有编号为 {wanted} 的报告（可能已被删除）。")
    else:
        # The same words whether the report exists in another region or not at all: an id reveals nothing.
        st.warning(f"无权查看报告 {wanted}：它不在您的账户可查看的范围内，或已不存在。")


n_reports = analysis_page(
    "数据质量", "逐份报告核对：未通过的勾稽校验、未识别的标签，以及解析值与原文的对照和人工更正。"
)
if n_reports:
    lib = get_library()
    _report_from_address()
    findings = from_library(_findings, TABLE_LIMIT)
    failed_table, n_failed, labels_table = findings["failed"], findings["n_failed"], findings["labels"]

    unread = from_library(Library.unread_tables)
    flagged = from_library(Library.flagged_cells)
    by_rule = int(flagged.loc[flagged["flag"].isin(RULE_FLAGS), "n"].sum())
    attention = set(unread["report_id"]) | set(flagged["report_id"])

    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric("校验未通过的报告", from_library(_failing_reports), border=True)
    m2.metric("未通过的校验项", n_failed, border=True)
    m3.metric("未识别的标签", len(labels_table), border=True)
    m4.metric("需要关注的报告", len(attention), border=True)
    m5.metric("按勾稽关系推定的数值", by_rule, border=True)
    # The frames read above, not read again (the charts are cached with them as part of the key).
    show_charts(findings["charts"], columns=2)

    st.subheader("未通过的校验")
    if n_failed == 0:
        st.success("当前筛选条件下的报告全部通过校验。")
    else:
        if n_failed > len(failed_table):
            st.caption(f"共 {n_failed} 项，下表显示前 {len(failed_table)} 项；全部未通过的校验项可下载。")
        st.dataframe(failed_table, hide_index=True, key="failed_checks")
        if n_failed > len(failed_table):
            lib_filters = current_filters()
            _full_download(
                f"下载全部 {n_failed} 项未通过的校验（CSV）",
                "未通过的校验.csv",
                lambda: _failed_table(lib, lib_filters, None),
                "failed_checks_download",
            )
    st.subheader("未识别的标签")
    if labels_table.empty:
        st.success("当前筛选条件下没有未识别的标签。")
    else:
        st.caption("可在“上传报告”页为标签选择对应的标准项目，保存后在“报告库”中重新解析即可生效。")
        if len(labels_table) > TABLE_LIMIT:
            st.caption(f"共 {len(labels_table)} 个，下表显示前 {TABLE_LIMIT} 个；全部未识别的标签可下载。")
        st.dataframe(labels_table.head(TABLE_LIMIT), hide_index=True, key="unmatched_labels")
        if len(labels_table) > TABLE_LIMIT:
            _full_download(
                f"下载全部 {len(labels_table)} 个未识别的标签（CSV）",
                "未识别的标签.csv",
                lambda: labels_table,
                "unmatched_labels_download",
            )

    _attention_section(unread, flagged)

    # ------------------------------------------------------------ one report: values next to source
    st.subheader("逐份核对")
    term = st.text_input(
        "查找报告",
        key="quality_report_search",
        placeholder="单位、地区、文件名或报告编号，多个词用空格分开",
        icon=":material/search:",
    )
    # The labels once per revision, filters and search, not on every rerun.
    options, names, total = from_library(_quality_report_labels, " ".join(search_words(term)), PICKER_LIMIT)
    if total is None:  # no search: as many as the page frame counts (the same rows, its cached count)
        total = from_library(Library.report_count)
    # A report chosen from the address, or before the search changed, stays choosable (filters permitting).
    kept = tuple(
        dict.fromkeys(
            v
            for v in (st.session_state.get(_PINNED), st.session_state.get("quality_report"))
            if isinstance(v, int) and v not in names
        )
    )
    if kept:
        extra = from_library(_reachable_labels, kept)
        names = {**names, **extra}
        options = [*options, *(i for i in kept if i in extra)]
    searched = "符合查找条件的" if search_words(term) else ""
    if total > len(options):
        st.caption(
            f"按问题多少排列，显示 {len(options)} 份，共 {total} 份{searched}报告；"
            "其余报告请在上方按单位、地区、文件名或编号查找。"
        )
    elif searched and total == 0:
        st.info("没有符合查找条件的报告（在左侧筛选条件下，按单位、地区、文件名或报告编号查找）。")
    elif searched:
        st.caption(f"找到 {total} 份符合查找条件的报告。")
    report_id = st.selectbox(
        "选择报告（问题多的排在前面）", options, format_func=names.get, key="quality_report"
    )
    report = lib.get(int(report_id), scope=current_filters().scope) if report_id is not None else None
    if report is not None:
        _report_unread(report)
        cells = report.cells
        left, right = st.columns([1, 1])
        with left:
            st.markdown("**解析值**（点选一行，右侧显示它在原件中的位置，下方可更正）")
            table = pd.DataFrame(
                {
                    "字段": [key_label(k) for k in cells["key"]],
                    "报告中的标签": cells["label"],
                    "原文": cells["raw"],
                    "解析值": cells["value"],
                    "现值（含更正）": cells["corrected"],
                    "标记": [flag_name(f) for f in cells["flag"]],
                    "置信度": cells["score"],
                    "位置": [position_text(s) for s in cells["source"]],
                }
            )
            picked = st.dataframe(
                table,
                hide_index=True,
                key=f"quality_cells_{report.id}",
                on_select="rerun",
                selection_mode="single-row",
                height=420,
                column_config={
                    "置信度": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f")
                },
            )
            _report_checks(report)
            _report_notes(report)
        rows = picked.selection.rows if picked else []
        clicked = cells.iloc[rows[0]] if rows and rows[0] < len(cells) else None
        with right:
            show_source(report, clicked)
        _corrections(report, clicked)

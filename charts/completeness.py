"""发布情况: the charts and display tables of one year's completeness and timeliness (pure, no Streamlit)."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from charts.figures import bar_by_category
from charts.image_export import ChartSpec
from library.completeness import STATUSES, Completeness, status_by_group
from library.filters import Filters
from library.roster import LibraryRoster
from parsing.vocabulary import PUBLICATION_STATUS_NAMES, PUBLISHED_SOURCE_NAMES, ROSTER_LINK_NAMES

# Worst in red, late in orange, unknown date in grey, on time in green, not yet due in blue.
STATUS_COLORS = {
    PUBLICATION_STATUS_NAMES["missing"]: "#C0392B",
    PUBLICATION_STATUS_NAMES["late"]: "#E67E22",
    PUBLICATION_STATUS_NAMES["unknown"]: "#95A5A6",
    PUBLICATION_STATUS_NAMES["on_time"]: "#27AE60",
    PUBLICATION_STATUS_NAMES["not_due"]: "#5DADE2",
}
GROUPS = {"region": ("地区", "completeness_by_region"), "agency_type": ("机关类型", "completeness_by_type")}


def _status_long(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Tidy counts: group, 状态, 机关数 (only the statuses that occur)."""
    wide = status_by_group(table, column)
    label = GROUPS[column][0]
    long = wide.reset_index().melt(id_vars=column, var_name="status", value_name="n")
    long = long[long["n"] > 0]
    return pd.DataFrame(
        {
            label: long[column],
            "状态": long["status"].map(PUBLICATION_STATUS_NAMES),
            "机关数": long["n"].astype(int),
        }
    )


def completeness_charts(result: Completeness) -> list[ChartSpec]:
    """Roster entries by status, per region and per agency type."""
    charts = []
    order = [PUBLICATION_STATUS_NAMES[s] for s in STATUSES]
    for column, (label, key) in GROUPS.items():
        long = _status_long(result.entries, column)
        title = f"{result.year}年度年报发布情况（按{label}）"
        fig = bar_by_category(
            long,
            category=label,
            value="机关数",
            series="状态",
            title=title,
            value_title="机关数",
            series_order=order,
            colors=STATUS_COLORS,
        )
        charts.append(ChartSpec(key, title, fig, long.reset_index(drop=True)))
    return charts


def completeness_page(
    lib: LibraryRoster, filters: Filters, year: int, today: date
) -> tuple[Completeness, list[ChartSpec]]:
    """The year's completeness and its charts (the shape of ``components.state.from_library``)."""
    result = lib.completeness(year, filters, today)
    return result, completeness_charts(result)


def _date_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def entries_view(table: pd.DataFrame) -> pd.DataFrame:
    """The per-entry list as shown and exported: Chinese headers, worst status first."""
    if table.empty:
        return pd.DataFrame(
            columns=[
                "机关",
                "类型",
                "地区",
                "层级",
                "截止日期",
                "状态",
                "发布日期",
                "日期来源",
                "逾期天数",
                "报告",
            ]
        )
    rank = {s: i for i, s in enumerate(STATUSES)}
    ordered = table.assign(_r=table["status"].map(rank)).sort_values(["_r", "region", "name"], kind="stable")
    return pd.DataFrame(
        {
            "机关": ordered["name"],
            "类型": ordered["agency_type"].fillna(""),
            "地区": ordered["region"].fillna(""),
            "层级": ordered["level"],
            "截止日期": [_date_text(d) for d in ordered["deadline"]],
            "状态": ordered["status"].map(PUBLICATION_STATUS_NAMES),
            "发布日期": [_date_text(d) for d in ordered["published"]],
            "日期来源": [
                PUBLISHED_SOURCE_NAMES.get(s, "") if isinstance(s, str) else "" for s in ordered["source"]
            ],
            # Text, not a nullable number: a blank cell shows blank, never "None".
            "逾期天数": [f"{int(d)}" if pd.notna(d) else "" for d in ordered["days_late"]],
            "报告": [
                f"{a}（编号 {int(i)}）" if pd.notna(i) else ""
                for a, i in zip(ordered["report_agency"], ordered["report_id"], strict=True)
            ],
        }
    ).reset_index(drop=True)


def unmatched_view(table: pd.DataFrame) -> pd.DataFrame:
    """Reports of the year that match no roster entry, with why (no candidate, or several)."""
    return pd.DataFrame(
        {
            "报告编号": table["report_id"].astype(int) if not table.empty else [],
            "单位": table["agency"],
            "地区": table["region"],
            "发布日期": [_date_text(d) for d in table["published"]],
            "匹配结果": [ROSTER_LINK_NAMES.get(t, "") if isinstance(t, str) else "" for t in table["tier"]],
        }
    )


def completeness_workbook(result: Completeness) -> bytes:
    """The year's list and the reports outside the roster as an Excel workbook (two sheets)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        entries_view(result.entries).to_excel(writer, index=False, sheet_name=f"{result.year}年度发布情况")
        unmatched_view(result.unmatched).to_excel(writer, index=False, sheet_name="未列入名录的报告")
    return buffer.getvalue()

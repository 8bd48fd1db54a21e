"""The common top of every analysis page: title, filter summary, and the empty-library/empty-filter cases."""

from __future__ import annotations

import streamlit as st

from charts.image_export import ChartSpec
from charts.text import md_escape
from components.chart_view import show_chart
from components.flash import show_flash
from components.samples_button import samples_offer
from components.state import current_filters, from_library, library_is_empty
from library.filters import describe_filters
from library.store import Library


def analysis_page(title: str, intro: str) -> int:
    """Draw the page header; return how many reports the filters select (0: nothing to analyse)."""
    st.title(title)
    show_flash()
    st.caption(intro)
    if library_is_empty():
        samples_offer(f"load_samples_{title}")
        return 0
    # Counted in the database: a page that needs no dataset (数据质量) then never waits for it to
    # catch up after a write; the analysis pages read it for their charts anyway.
    n = from_library(Library.report_count)
    st.caption(f"筛选条件：{md_escape(describe_filters(current_filters()))}｜共 {n} 份报告")
    if n == 0:
        st.warning("当前筛选条件下没有报告。请在左侧放宽筛选条件。")
    return n


def show_charts(charts: list[ChartSpec], columns: int = 1) -> None:
    """Show charts one per row, or side by side in ``columns`` columns."""
    if columns == 1:
        for chart in charts:
            show_chart(chart)
        return
    for i in range(0, len(charts), columns):
        cols = st.columns(columns)
        for col, chart in zip(cols, charts[i : i + columns], strict=False):
            with col:
                show_chart(chart)

"""Render one chart on a page: the interactive figure, its note, PNG/SVG/PDF downloads and its numbers."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from charts.image_export import FORMATS, ChartSpec, export_caption, figure_image, safe_filename
from components.state import current_filters, image_server
from library.filters import describe_filters

_PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
# Rows of a chart's numbers shown on screen. A per-report table of 5,000 reports is half a megabyte that
# every rerun sends and the browser decodes before it draws the next chart; the full table is in the
# 简报包 Excel and the dataset export.
TABLE_PREVIEW_ROWS = 300


def _renderer(fig: go.Figure, fmt: str, caption: str) -> Callable[[], bytes]:
    # Deferred: the image is rendered only when the user clicks, on a worker thread, so a page with
    # twelve charts does not pay 36 exports on every rerun.
    return lambda: figure_image(fig, fmt, caption=caption)


def _chosen_figure(spec: ChartSpec) -> go.Figure:
    """The figure the reader chose: as built, or its other view (log scale / shares) when offered."""
    if spec.alt_fig is None:
        return spec.fig
    alt = st.toggle(
        spec.alt_label, key=f"alt_{spec.key}", help="只改变显示方式，数字不变；下载的图片与所见一致。"
    )
    return (spec.alternative() or spec.fig) if alt else spec.fig


def show_chart(spec: ChartSpec, *, data_table: bool = True) -> None:
    """Show ``spec`` with one download button per image format (rendered server-side by kaleido).

    Every downloaded image carries the current filters and the date in a caption line.
    """
    image_server()
    caption = export_caption(describe_filters(current_filters()))
    # The chart's slot comes first; the view switch sits in the row under it and decides what fills it.
    slot = st.empty()
    if spec.note:
        st.caption(spec.note)
    stem = safe_filename(spec.title)
    # One compact row under the chart; wraps on narrow columns instead of truncating the labels.
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        fig = _chosen_figure(spec)
        # The figure is shown as built (title inside, the same as the downloaded image); theme=None keeps
        # Streamlit from restyling it. Figures are shared read-only between sessions (components/state.py).
        slot.plotly_chart(fig, theme=None, key=f"chart_{spec.key}", config=_PLOTLY_CONFIG)
        for fmt, (label, mime) in FORMATS.items():
            st.download_button(
                label,
                data=_renderer(fig, fmt, caption),
                file_name=f"{stem}.{fmt}",
                mime=mime,
                key=f"dl_{spec.key}_{fmt}",
                on_click="ignore",
                icon=":material/download:",
                help=f"下载 {label} 图片（服务器端生成，中文字体已内置）",
            )
        if data_table:
            with st.popover("查看数据", icon=":material/table:"):
                _data_preview(spec)


def _data_preview(spec: ChartSpec) -> None:
    """The chart's numbers: the whole table when short, else its first rows and where the rest is."""
    if spec.data.empty:
        st.write("当前筛选条件下没有数据")
        return
    st.dataframe(spec.data.head(TABLE_PREVIEW_ROWS), hide_index=True)
    if len(spec.data) > TABLE_PREVIEW_ROWS:
        st.caption(
            f"共 {len(spec.data):,} 行，此处显示前 {TABLE_PREVIEW_ROWS} 行；"
            "完整数据请下载简报包（图表数据.xlsx）或在报告库导出标准化数据。"
        )

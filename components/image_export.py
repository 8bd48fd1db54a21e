"""Server-side image export of Plotly figures (kaleido 1.x + Debian chromium) and the 简报包 ZIP.

Pure Python: no Streamlit here. The Streamlit side only decides *when* to start the warm kaleido server
(``st.cache_resource`` in components/downloads.py) and wires the bytes to download buttons.
"""

from __future__ import annotations

import io
import re
import threading
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from components.theme import EXPORT_HEIGHT, EXPORT_WIDTH, TEMPLATE

# Plotly passes kopts that the warm server ignores; the warning is noise.
warnings.filterwarnings("ignore", message="The kopts argument")

# format -> (button label, MIME type)
FORMATS: dict[str, tuple[str, str]] = {
    "png": ("PNG", "image/png"),
    "svg": ("SVG", "image/svg+xml"),
    "pdf": ("PDF", "application/pdf"),
}

_server_lock = threading.Lock()
_server_started = False


def start_image_server() -> bool:
    """Start ONE warm kaleido browser for this process (idempotent); later exports take ~0.2 s instead of ~3 s."""
    global _server_started
    import kaleido

    with _server_lock:
        if not _server_started:
            kaleido.start_sync_server(silence_warnings=True)
            _server_started = True
    return True


@dataclass
class ChartSpec:
    """One chart as shown on a page and packed into the 简报包: the figure plus the numbers behind it."""

    key: str  # stable ASCII id, also the file name stem in the ZIP
    title: str  # Chinese title
    fig: go.Figure
    data: pd.DataFrame = field(default_factory=pd.DataFrame)  # tidy table of the plotted numbers, Chinese headers
    note: str = ""  # one line shown under the chart (e.g. why two measures are not merged)
    # Another view of the same numbers the reader may switch to (a log scale, or shares per agency) so a
    # county's bar does not vanish next to a city's; ``alt_label`` names the switch.
    alt_fig: go.Figure | None = None
    alt_label: str = ""


def export_caption(filters_text: str, day: date | None = None) -> str:
    """The caption line of an exported image: the filters and the date it was made."""
    day = day or date.today()
    return f"筛选条件：{filters_text or '全部报告'}　｜　导出日期：{day.year}年{day.month}月{day.day}日　｜　公开年报看板"


_CAPTION_ROOM = 26  # pixels added under the title for the caption line


def for_export(fig: go.Figure, caption: str) -> go.Figure:
    """A copy of ``fig`` laid out for a file: the caption under the title, a pie's legend beside it."""
    out = go.Figure(fig)
    layout: dict = {"template": TEMPLATE}
    if any(t.type == "pie" for t in out.data):
        # On paper the pie's outside labels ran into the legend row above it: legend to the right.
        layout["legend"] = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 0.5, "yanchor": "middle"}
        layout["margin"] = {"r": 180}
    if caption:
        top = out.layout.margin.t if out.layout.margin.t is not None else TEMPLATE.layout.margin.t
        layout["title_subtitle"] = {"text": caption, "font": {"size": 12, "color": "#52606D"}}
        layout.setdefault("margin", {})["t"] = int(top) + _CAPTION_ROOM
    out.update_layout(layout)
    return out


def figure_image(
    fig: go.Figure, fmt: str, *, width: int = EXPORT_WIDTH, height: int | None = None, caption: str = ""
) -> bytes:
    """Render ``fig`` to PNG/SVG/PDF bytes with the project template set explicitly.

    The template is set again here because importing streamlit changes plotly's default template, and a
    figure built elsewhere might rely on the default. ``caption`` (see :func:`export_caption`) is printed
    under the title, so an image passed on still says which reports it shows and when it was made.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unsupported image format: {fmt}")
    out = for_export(fig, caption)
    h = (height or int(out.layout.height or EXPORT_HEIGHT)) + (_CAPTION_ROOM if caption else 0)
    return pio.to_image(out, format=fmt, width=width, height=h, scale=2 if fmt == "png" else 1)


def safe_filename(text: str) -> str:
    """A file name from a Chinese title: keeps CJK, letters and digits, replaces the rest with '_'."""
    name = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", text).strip("_")
    return name[:60] or "chart"


def charts_excel(charts: Iterable[ChartSpec], *, filters_text: str = "") -> bytes:
    """An Excel workbook: a 说明 sheet (filters, list of charts) and one sheet per chart with its numbers."""
    from library.export import export_tables_excel

    charts = list(charts)
    index = pd.DataFrame(
        {
            "序号": range(1, len(charts) + 1),
            "图表": [c.title for c in charts],
            "说明": [c.note for c in charts],
            "筛选条件": [filters_text or "全部报告"] * len(charts),
        }
    )
    tables = {"说明": index}
    for i, chart in enumerate(charts, start=1):
        data = chart.data if not chart.data.empty else pd.DataFrame({"提示": ["当前筛选条件下没有数据"]})
        tables[f"{i:02d}_{chart.title}"] = data
    return export_tables_excel(tables)


def briefing_zip(
    charts: Iterable[ChartSpec], *, filters_text: str = "", formats: tuple[str, ...] = ("png", "pdf")
) -> bytes:
    """The 简报包: every chart as image files plus ``图表数据.xlsx`` with the numbers behind them."""
    charts = list(charts)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, chart in enumerate(charts, start=1):
            stem = f"{i:02d}_{safe_filename(chart.title)}"
            for fmt in formats:
                zf.writestr(f"{stem}.{fmt}", figure_image(chart.fig, fmt, caption=export_caption(filters_text)))
        zf.writestr("图表数据.xlsx", charts_excel(charts, filters_text=filters_text))
        readme = "公开年报看板 简报包\n筛选条件：" + (filters_text or "全部") + "\n图表：\n"
        readme += "".join(f"{i:02d} {c.title}\n" for i, c in enumerate(charts, start=1))
        zf.writestr("说明.txt", readme.encode("utf-8"))
    return buf.getvalue()

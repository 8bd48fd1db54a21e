"""Server-side image export of Plotly figures (kaleido 1.x + Debian chromium) and the 简报包 ZIP.

Pure Python: no Streamlit here. The Streamlit side only decides *when* to start the warm kaleido server
(``st.cache_resource`` in components/state.py) and wires the bytes to download buttons
(components/chart_view.py).
"""

from __future__ import annotations

import io
import re
import threading
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from charts.tables import agency_sheet, cards_sheet, cards_text
from charts.theme import EXPORT_HEIGHT, EXPORT_WIDTH, TEMPLATE
from library.aggregate import kpis

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
    """Start ONE warm kaleido browser for this process (idempotent); later exports take ~0.2 s instead
    of ~3 s."""
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
    data: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # tidy table of the plotted numbers, Chinese headers
    note: str = ""  # one line shown under the chart (e.g. why two measures are not merged)
    # Another view of the same numbers the reader may switch to (a log scale, or shares per agency) so a
    # county's bar does not vanish next to a city's; ``alt_label`` names the switch. A function making
    # it is called by :meth:`alternative` when first asked for: most readers never switch, and building
    # it with the page cost 10–30 ms per chart at 50,000 reports.
    alt_fig: go.Figure | Callable[[], go.Figure] | None = None
    alt_label: str = ""

    def alternative(self) -> go.Figure | None:
        """The other view, built on the first call and kept (specs are shared read-only between
        sessions; two building it at once build the same figure, and either is kept)."""
        alt = self.alt_fig
        if callable(alt):
            alt = alt()
            self.alt_fig = alt
        return alt


def export_caption(filters_text: str, day: date | None = None) -> str:
    """The caption line of an exported image: the filters and the date it was made."""
    day = day or date.today()
    return (
        f"筛选条件：{filters_text or '全部报告'}"
        f"　｜　导出日期：{day.year}年{day.month}月{day.day}日　｜　公开年报看板"
    )


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


def _overview_parts(
    dataset: pd.DataFrame | None,
) -> tuple[dict | None, pd.DataFrame | None, pd.DataFrame | None]:
    """(kpis, cards sheet, agency sheet) of the selection, or Nones without a dataset."""
    if dataset is None:
        return None, None, None
    return kpis(dataset), cards_sheet(dataset), agency_sheet(dataset)


def _cards_scope(k: dict) -> str:
    """Which year the 总览 cards show ("2024 年，较 2023 年")."""
    if k["year"] is None:
        return "所选报告（年度未识别）"
    if k["previous_year"] is None:
        return f"{k['year']} 年"
    scope = f"{k['year']} 年（所选年度中最新一年；存量不跨年相加）"
    if k.get("same_agencies", True):
        return f"{scope}，变化为较 {k['previous_year']} 年"
    if k.get("compared_agencies"):
        return (
            f"{scope}，变化为较 {k['previous_year']} 年，只比较两年都有报告的 {k['compared_agencies']} 个单位"
        )
    return f"{scope}；{k['previous_year']} 年没有同一单位的报告，不计算变化"


def charts_excel(
    charts: Iterable[ChartSpec],
    *,
    filters_text: str = "",
    dataset: pd.DataFrame | None = None,
    made_at: str = "",
) -> bytes:
    """An Excel workbook: 说明 (filters, date, contents), 总览卡片 and 单位一览 (from ``dataset``, the
    selection the pack was made from), then one sheet per chart with its numbers.

    Blank cells stay blank (not 0) and years run in ascending order in columns and rows.
    """
    from library.export import export_tables_excel

    charts = list(charts)
    k, cards, agencies = _overview_parts(dataset)
    about = [
        ("筛选条件", filters_text or "全部报告"),
        ("生成时间", made_at or f"{datetime.now():%Y-%m-%d %H:%M}"),
    ]
    tables: dict[str, pd.DataFrame] = {}
    if k is not None:
        about.append(("总览卡片", f"工作表“总览卡片”：{_cards_scope(k)}；空白表示报告未填报，不是 0"))
        about.append(("单位一览", f"工作表“单位一览”：{len(agencies)} 份报告，每份一行"))
    about += [
        (f"图表 {i:02d}", chart.title + (f"（{chart.note}）" if chart.note else ""))
        for i, chart in enumerate(charts, start=1)
    ]
    tables["说明"] = pd.DataFrame(about, columns=["项目", "内容"])
    if k is not None:
        tables["总览卡片"] = cards
        tables["单位一览"] = agencies
    for i, chart in enumerate(charts, start=1):
        data = chart.data if not chart.data.empty else pd.DataFrame({"提示": ["当前筛选条件下没有数据"]})
        tables[f"{i:02d}_{chart.title}"] = data
    return export_tables_excel(tables)


def briefing_readme(
    charts: list[ChartSpec], *, filters_text: str, k: dict | None, n_agency_rows: int, made_at: str
) -> str:
    """说明.txt of the 简报包: filters, date, the 总览 cards as on screen, and the contents."""
    lines = ["公开年报看板 简报包", f"筛选条件：{filters_text or '全部报告'}", f"生成时间：{made_at}", ""]
    if k is not None:
        lines.append(f"总览卡片（{_cards_scope(k)}）：")
        lines += [f"  {line}" for line in cards_text(k)]
        lines += ["  — 表示所选报告均未填报该数字（不是 0）。", ""]
        lines.append(f"单位一览：{n_agency_rows} 份报告，见 图表数据.xlsx 的“单位一览”工作表。")
    lines.append("图表（PNG、PDF 图片；数字见 图表数据.xlsx）：")
    lines += [f"  {i:02d} {c.title}" for i, c in enumerate(charts, start=1)]
    return "\n".join(lines) + "\n"


def briefing_zip(
    charts: Iterable[ChartSpec],
    *,
    filters_text: str = "",
    formats: tuple[str, ...] = ("png", "pdf"),
    dataset: pd.DataFrame | None = None,
) -> bytes:
    """The 简报包: every chart as image files, ``图表数据.xlsx`` (总览卡片, 单位一览 and the numbers
    behind each chart) and ``说明.txt`` (filters, date, the 总览 cards, contents).

    ``dataset`` is the selection the charts were made from (``Library.dataset(filters)``); without it
    the pack holds the charts only.
    """
    charts = list(charts)
    made_at = f"{datetime.now():%Y-%m-%d %H:%M}"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, chart in enumerate(charts, start=1):
            stem = f"{i:02d}_{safe_filename(chart.title)}"
            for fmt in formats:
                zf.writestr(
                    f"{stem}.{fmt}", figure_image(chart.fig, fmt, caption=export_caption(filters_text))
                )
        zf.writestr(
            "图表数据.xlsx", charts_excel(charts, filters_text=filters_text, dataset=dataset, made_at=made_at)
        )
        k = None if dataset is None else kpis(dataset)
        readme = briefing_readme(
            charts,
            filters_text=filters_text,
            k=k,
            n_agency_rows=0 if dataset is None else len(dataset),
            made_at=made_at,
        )
        zf.writestr("说明.txt", readme.encode("utf-8"))
    return buf.getvalue()

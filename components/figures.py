"""Generic Plotly figure builders: pure functions from a tidy DataFrame to a themed figure.

Every builder takes long ("tidy") data, labels everything in Chinese and applies the one project template
(components/theme.py). The page-specific charts in components/catalog.py are thin calls of these.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.theme import PALETTE, new_figure, themed

NO_DATA = "当前筛选条件下没有数据"
ALL_ZERO = "所选报告填报的数字均为 0"
MAX_AGENCIES = 25  # beyond this a per-agency chart becomes unreadable; the rest is folded and said so


def empty_figure(title: str, message: str = NO_DATA) -> go.Figure:
    """A figure that says there is nothing to show (rather than an empty frame that looks broken)."""
    fig = new_figure()
    fig.add_annotation(
        text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 16, "color": "#7F8C8D"}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return themed(fig, title=title, height=320)


def top_categories(df: pd.DataFrame, cat: str, value: str, limit: int = MAX_AGENCIES) -> tuple[pd.DataFrame, int]:
    """Keep the ``limit`` categories with the largest total ``value``; returns (data, number dropped)."""
    totals = df.groupby(cat, sort=False)[value].sum(min_count=1).fillna(0).sort_values(ascending=False)
    if len(totals) <= limit:
        return df, 0
    keep = totals.index[:limit]
    return df[df[cat].isin(keep)], len(totals) - limit


def _slim(df: pd.DataFrame, columns: list[str | None], value: str) -> pd.DataFrame:
    """Only the columns a chart reads, rows with a value: every later filter then moves 2–3 columns.

    Why: the long frames carry a dozen Arrow-backed text columns, and each boolean filter of the whole
    frame takes every one of them (most of a chart's build time on 5,000 reports).
    """
    wanted = list(dict.fromkeys(c for c in columns if c is not None))
    data = df[wanted]
    return data[data[value].notna()]


def _sum_matrix(data: pd.DataFrame, category: str, series: str | None, value: str, cats: pd.Index,
                names: list) -> np.ndarray:
    """Σ ``value`` per (category in ``cats``, series in ``names``) in one groupby; NaN where no row."""
    cat_codes = cats.get_indexer(data[category])
    if series is None:
        ser_codes = np.zeros(len(data), dtype="int64")
    else:
        ser_codes = pd.Index(names).get_indexer(data[series])
    keep = (cat_codes >= 0) & (ser_codes >= 0)
    flat = cat_codes[keep].astype("int64") * len(names) + ser_codes[keep]
    # pandas' grouped sum (compensated), as the per-series groupby it replaces: identical figures.
    sums = data[value][keep].groupby(flat, sort=False).sum()
    matrix = np.full(len(cats) * len(names), np.nan)
    matrix[sums.index.to_numpy()] = sums.to_numpy(dtype=float)
    return matrix.reshape(len(cats), len(names))


def _order(df: pd.DataFrame, col: str, given: list[str] | None) -> list:
    present = df[col].unique().tolist()  # first-appearance order, like dict.fromkeys
    if not given:
        return present
    return [c for c in given if c in present] + [c for c in present if c not in given]


def _colors(names: list, colors: dict[str, str] | None) -> dict:
    out = {}
    for i, n in enumerate(names):
        out[n] = (colors or {}).get(str(n), PALETTE[i % len(PALETTE)])
    return out


def bar_by_category(
    df: pd.DataFrame,
    *,
    category: str,
    value: str,
    series: str | None,
    title: str,
    value_title: str,
    category_title: str = "",
    series_order: list[str] | None = None,
    colors: dict[str, str] | None = None,
    barmode: str = "stack",
    horizontal: bool = True,
    limit: int = MAX_AGENCIES,
    percent: bool = False,
) -> go.Figure:
    """Bars per category (usually agency), one trace per series, stacked or grouped.

    Categories are sorted by their total, largest on top; beyond ``limit`` categories the smallest are
    dropped and the title says how many were left out.
    """
    data = _slim(df, [category, series, value], value)
    if data.empty:
        return empty_figure(title)
    if not percent and (data[value] == 0).all():
        return empty_figure(title, ALL_ZERO)
    data, dropped = top_categories(data, category, value, limit)
    totals = data.groupby(category, sort=False)[value].sum().sort_values(ascending=horizontal)
    cats = [str(c) for c in totals.index]
    fig = new_figure()
    names = _order(data, series, series_order) if series else [None]
    palette = _colors(names, colors)
    matrix = _sum_matrix(data, category, series, value, totals.index, names)
    if barmode == "stack":
        # plotly.js restarts a stack at 0 after a NaN segment, drawing the next series over the
        # previous one: a blank followed by a value in the same bar draws as an empty segment instead
        # (the data table keeps it blank).
        later = np.flip(np.cumsum(np.flip(~np.isnan(matrix), axis=1), axis=1), axis=1) - ~np.isnan(matrix)
        matrix = np.where(np.isnan(matrix) & (later > 0), 0.0, matrix)
    whole = pd.api.types.is_integer_dtype(data[value].dtype)
    traces = []
    for j, name in enumerate(names):
        sums = matrix[:, j]
        if whole and not np.isnan(sums).any():
            sums = sums.astype(data[value].dtype)  # counts stay integers, as a per-series groupby leaves them
        kwargs = {"x": sums, "y": cats} if horizontal else {"x": cats, "y": sums}
        hover = "%{y}<br>%{x:,}" if horizontal else "%{x}<br>%{y:,}"
        if percent:
            hover = "%{y}<br>%{x:.1%}" if horizontal else "%{x}<br>%{y:.1%}"
        axis = "x" if horizontal else "y"
        traces.append(
            {
                "type": "bar",
                "name": str(name) if name is not None else value_title,
                "orientation": "h" if horizontal else "v",
                "marker": {"color": palette[name]},
                "hovertemplate": (f"{name}<br>" if name is not None else "") + hover + "<extra></extra>",
                # Numbers on the bars: a briefing reader should not have to guess values from gridlines.
                "texttemplate": f"%{{{axis}:.0%}}" if percent else f"%{{{axis}:,}}",
                "textposition": "inside" if (barmode == "stack" or percent) else "outside",
                "insidetextanchor": "middle",
                "cliponaxis": False,
                **kwargs,
            }
        )
    # Traces as dicts in one add_traces and the layout in one update: plotly validates each call
    # separately, and that (not the numbers) was most of a chart's build time.
    fig.add_traces(traces)
    full_title = title + (f"（仅显示前 {limit} 个，另有 {dropped} 个未显示）" if dropped else "")
    layout = {
        "barmode": barmode,
        "showlegend": series is not None,
        "uniformtext": {"minsize": 10, "mode": "hide"} if barmode == "stack" else None,
        "legend": {"traceorder": "normal"},  # plotly reverses stacked horizontal bars' legend otherwise
    }
    value_axis = {"title": {"text": value_title}}
    if (data[value] >= 0).all():
        value_axis["rangemode"] = "nonnegative"
    if percent:
        value_axis.update(tickformat=".0%", range=[0, 1])
    cat_axis = {"title": {"text": category_title}, "type": "category"}
    if horizontal:
        layout["xaxis"] = {**value_axis, "showgrid": True, "gridcolor": "#E4E7EB"}
        layout["yaxis"] = {**cat_axis, "showgrid": False, "rangemode": None}
        height = max(320, 110 + 26 * len(cats) * (1 if barmode != "group" else max(1, len(names)) * 0.7))
    else:
        layout["yaxis"] = value_axis
        layout["xaxis"] = {**cat_axis, "tickangle": -30 if len(cats) > 6 else 0}
        height = 460
    fig.update_layout(layout)
    return themed(fig, title=full_title, height=int(min(height, 1400)))


def trend_lines(
    df: pd.DataFrame,
    *,
    x: str,
    value: str,
    series: str | None,
    title: str,
    value_title: str,
    x_title: str = "年度",
    series_order: list[str] | None = None,
    colors: dict[str, str] | None = None,
) -> go.Figure:
    """Lines over the years (x), one per series, with markers (few years, so every point matters)."""
    data = _slim(df, [x, series, value], value)
    data = data[data[x].notna()]
    if data.empty:
        return empty_figure(title)
    if (data[value] == 0).all():
        return empty_figure(title, ALL_ZERO)
    fig = new_figure()
    names = _order(data, series, series_order) if series else [None]
    palette = _colors(names, colors)
    traces = []
    for name in names:
        part = data if name is None else data[data[series] == name]
        sums = part.groupby(x)[value].sum().sort_index()
        sums.index = [int(v) if isinstance(v, float) and v.is_integer() else v for v in sums.index]
        traces.append(
            {
                "type": "scatter",
                "x": [str(v) for v in sums.index],
                "y": sums.values,
                "mode": "lines+markers+text" if len(sums) <= 8 else "lines+markers",
                "text": [f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}" for v in sums.values],
                "textposition": "top center",
                "name": str(name) if name is not None else value_title,
                "line": {"color": palette[name], "width": 2.5},
                "marker": {"size": 8},
                "hovertemplate": (f"{name}<br>" if name is not None else "") + "%{x}年：%{y:,}<extra></extra>",
            }
        )
    fig.add_traces(traces)  # one validation pass, as in bar_by_category
    fig.update_layout(
        {
            "xaxis": {"title": {"text": x_title}, "type": "category"},
            "yaxis": {
                "title": {"text": value_title},
                "rangemode": "nonnegative" if (data[value] >= 0).all() else "tozero",
            },
            "showlegend": series is not None,
        }
    )
    return themed(fig, title=title, height=420)


def donut(df: pd.DataFrame, *, names: str, value: str, title: str, colors: dict[str, str] | None = None) -> go.Figure:
    """A share chart (donut) of ``value`` by ``names``; zero slices are dropped."""
    data = df[[names, value]].groupby(names, sort=False)[value].sum()
    if not data.empty and (data == 0).all():
        return empty_figure(title, ALL_ZERO)
    data = data[data > 0]
    if data.empty:
        return empty_figure(title)
    labels = [str(n) for n in data.index]
    palette = _colors(labels, colors)
    fig = new_figure()
    fig.add_trace(
        go.Pie(
            labels=labels,
            values=data.values,
            hole=0.45,
            sort=False,
            marker={"colors": [palette[n] for n in labels]},
            textinfo="label+percent",
            hovertemplate="%{label}：%{value:,}（%{percent}）<extra></extra>",
        )
    )
    fig.update_layout(showlegend=True)
    return themed(fig, title=title, height=420)


def sankey(
    flows: pd.DataFrame,
    *,
    title: str,
    source: str = "source",
    target: str = "target",
    value: str = "value",
    empty_message: str = NO_DATA,
) -> go.Figure:
    """A flow chart (Sankey) from a (source, target, value) table; zero flows are dropped."""
    data = flows[flows[value].fillna(0) > 0]
    if data.empty:
        return empty_figure(title, empty_message)
    nodes = list(dict.fromkeys([*data[source].tolist(), *data[target].tolist()]))
    index = {n: i for i, n in enumerate(nodes)}
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(nodes))]
    fig = new_figure()
    fig.add_trace(
        go.Sankey(
            arrangement="snap",
            node={
                "label": nodes,
                "pad": 18,
                "thickness": 18,
                "color": colors,
                "line": {"width": 0},
                "hovertemplate": "%{label}：%{value:,}<extra></extra>",
            },
            link={
                "source": [index[s] for s in data[source]],
                "target": [index[t] for t in data[target]],
                "value": data[value].tolist(),
                "color": ["rgba(46,111,186,0.25)"] * len(data),
                "hovertemplate": "%{source.label} → %{target.label}：%{value:,}<extra></extra>",
            },
        )
    )
    return themed(fig, title=title, height=520)

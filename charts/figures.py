"""Generic Plotly figure builders: pure functions from a tidy DataFrame to a themed figure.

Every builder takes long ("tidy") data, labels everything in Chinese and applies the one project template
(charts/theme.py). The page-specific charts in charts/catalog.py are thin calls of these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts.theme import PALETTE, figure
from library import aggregate as agg

NO_DATA = "当前筛选条件下没有数据"
ALL_ZERO = "所选报告填报的数字均为 0"
MAX_AGENCIES = 25  # beyond this a per-agency chart becomes unreadable; the rest is folded and said so
_NICE_STEPS = (1, 2, 2.5, 5)


def wan_text(value: float) -> str:
    """A tick label the way Chinese readers write large numbers: 5000 → "5,000", 50000 → "5万",
    1.2e8 → "1.2亿"."""
    size = abs(value)
    if size >= 1e8:
        return f"{value / 1e8:,.4g}亿"
    if size >= 1e4:
        return f"{value / 1e4:,.4g}万"
    return f"{value:,.10g}"


def _nice_step(span: float, target: int = 6) -> float:
    """A 1/2/2.5/5 × 10ⁿ step giving about ``target`` ticks over ``span``."""
    raw = span / target
    power = 10 ** np.floor(np.log10(raw))
    return float(next((k * power for k in _NICE_STEPS if k * power >= raw), 10 * power))


def value_axis_ticks(low: float, high: float, *, whole: bool, wan: bool = True) -> dict:
    """Tick settings of a value axis spanning [low, high]: integer steps for counts, 万/亿 labels for
    large numbers.

    Plotly would write 0.5 on a count axis and "0.5M" for half a million; neither is how a briefing reads.
    """
    low, high = min(low, 0.0), max(high, 0.0)
    span = high - low
    if span <= 0:
        return {"tickformat": ",d"} if whole else {}
    step = _nice_step(span)
    if whole:
        step = max(1.0, float(np.ceil(step)))
    if not wan or (high < 1e4 and low > -1e4):
        return {"dtick": step, "tick0": 0, "tickformat": ",d" if whole else ",.10~g"}
    start = np.floor(low / step) * step
    ticks = np.arange(start, high + step * 1.001, step)
    return {"tickmode": "array", "tickvals": ticks.tolist(), "ticktext": [wan_text(v) for v in ticks]}


def log_axis_ticks(low: float, high: float, *, wan: bool = True) -> dict:
    """Log-axis ticks at 1, 2, 5, 10, 20 … over [low, high] (1, 10, 100 … when that spans many decades).

    ``wan=False`` for values already in 万 (an axis of 万元 must not read "10万").
    """
    bottom = int(np.floor(np.log10(max(low, 1e-9))))
    top = int(np.ceil(np.log10(max(high, 10))))
    steps = (1, 2, 5) if top - bottom <= 3 else (1,)
    ticks = [
        k * 10.0**e for e in range(bottom, top + 1) for k in steps if low / 1.001 <= k * 10.0**e <= high * 5
    ]
    text = [wan_text(v) if wan else f"{v:,.10g}" for v in ticks]
    return {"type": "log", "tickmode": "array", "tickvals": ticks, "ticktext": text}


def number_format(decimals: int | None) -> str:
    """A d3 format for values shown on bars and in hovers: thousands separators, fixed decimals if given."""
    return ",d" if decimals == 0 else (f",.{decimals}f" if decimals else ",")


def empty_figure(title: str, message: str = NO_DATA) -> go.Figure:
    """A figure that says there is nothing to show (rather than an empty frame that looks broken).

    Built in one go (:func:`charts.theme.figure`): through plotly's validating calls it cost ~19 ms, and a
    filtered page can show several."""
    note = {
        "text": message,
        "x": 0.5,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
        "showarrow": False,
        "font": {"size": 16, "color": "#7F8C8D"},
    }
    hidden = {"visible": False}
    layout = {"annotations": [note], "xaxis": hidden, "yaxis": dict(hidden)}
    return figure([], layout, title=title, height=320)


def _colors(names: list, colors: dict[str, str] | None) -> dict:
    out = {}
    for i, n in enumerate(names):
        out[n] = (colors or {}).get(str(n), PALETTE[i % len(PALETTE)])
    return out


@dataclass(frozen=True)
class Rows:
    """Long chart data as integer codes: per row a category, optionally a series and a group, and a value.

    ``*_labels[code]`` is the label of a code (labels unique: equal labels have one code). Code −1 is a
    blank category or group (left out of every sum, as a groupby leaves out a blank key). Built from a
    long frame by :func:`rows_of`, or directly from per-report codes (charts.catalog) so that a chart of
    50,000 reports never builds, filters or groups a long frame of text.
    """

    value: np.ndarray
    cat: np.ndarray
    cat_labels: np.ndarray
    ser: np.ndarray | None = None
    ser_labels: np.ndarray | None = None
    grp: np.ndarray | None = None
    grp_labels: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.value)

    def take(self, keep: np.ndarray | slice) -> Rows:
        """The rows where ``keep`` (a boolean mask, positions or a slice), in their order."""
        return Rows(
            self.value[keep],
            self.cat[keep],
            self.cat_labels,
            None if self.ser is None else self.ser[keep],
            self.ser_labels,
            None if self.grp is None else self.grp[keep],
            self.grp_labels,
        )


def _codes(column: pd.Series, *, blank_code: bool) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, label per code) of a column; a blank gets −1, or its own code with ``blank_code``."""
    codes, uniques = pd.factorize(column, use_na_sentinel=not blank_code)
    labels = np.empty(len(uniques), dtype=object)
    labels[:] = list(uniques)
    return codes.astype(np.int64, copy=False), labels


def rows_of(df: pd.DataFrame, category: str, value: str, series: str | None, group: str | None) -> Rows:
    """The :class:`Rows` of a long frame."""
    cat, cat_labels = _codes(df[category], blank_code=False)
    ser, ser_labels = _codes(df[series], blank_code=True) if series is not None else (None, None)
    grp, grp_labels = _codes(df[group], blank_code=False) if group is not None else (None, None)
    return Rows(df[value].to_numpy(), cat, cat_labels, ser, ser_labels, grp, grp_labels)


def _present(values: np.ndarray) -> np.ndarray:
    """True where a value is stated (the ``notna`` of a numeric column)."""
    return (
        ~pd.isna(values)
        if values.dtype == object
        else ~np.isnan(values)
        if values.dtype.kind == "f"
        else np.ones(len(values), bool)
    )


def group_sums(values: np.ndarray, codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(Σ, count) of the stated values per code 0 … size−1 (codes < 0 are left out).

    The sums pandas' grouped sum gives: whole numbers (counts: nearly every figure) are added exactly
    by ``bincount``; anything else goes through pandas' compensated sum, as before.
    """
    keep = (codes >= 0) & _present(values)
    if keep.all():  # the usual case: no copies of the long rows
        numbers, at = values.astype(float, copy=False), codes
    else:
        numbers, at = values[keep].astype(float), codes[keep]
    counts = np.bincount(at, minlength=size)
    # ``trunc(x) == x`` is ``x % 1 == 0`` for finite x (an infinity fails the bound instead), 15× cheaper.
    if not numbers.size or (
        float(np.abs(numbers).sum()) < 2.0**53 and bool((np.trunc(numbers) == numbers).all())
    ):
        return np.bincount(at, weights=numbers, minlength=size), counts
    return agg.grouped_sums(numbers, at, counts), counts


def first_appearance(codes: np.ndarray) -> np.ndarray:
    """The distinct codes in the order they first appear (``pd.unique``'s result).

    Chart codes are mostly numbered in order of first appearance (a factorize's: 0, 1, 2, … each new code
    one more than the last) or never decrease (the series of series-major long rows); a running maximum
    tells either without hashing every row (3× cheaper on 300,000 rows). Anything else: ``pd.unique``.
    """
    if not len(codes) or codes.dtype.kind not in "iu":
        return pd.unique(codes)
    before = np.maximum.accumulate(codes)
    firsts = codes[np.flatnonzero(np.concatenate(([True], codes[1:] > before[:-1])))]
    start = int(codes[0])
    # New maxima start, start+1, start+2, … and nothing below start: every code lies between start and
    # the maximum so far, all of which have appeared, so only a new maximum is a new code.
    if int(firsts[-1]) - start == len(firsts) - 1 and int(codes.min()) >= start:
        return firsts
    if bool((before == codes).all()):  # never decreasing: a new code is a new maximum
        return firsts
    return pd.unique(codes)


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
    decimals: int | None = None,
    log: bool = False,
    category_group: str | None = None,
    wan: bool = True,
) -> go.Figure:
    """Bars per category (usually agency), one trace per series, stacked or grouped.

    Categories are sorted by their total, largest on top; beyond ``limit`` categories the smallest are
    dropped and the title says how many were left out. ``decimals`` fixes the decimals of the numbers on
    the bars (amounts); ``log`` draws the value axis on a log scale (grouped bars only: a stack on a log
    axis misstates its parts), so a county's bar stays visible next to a city's. ``category_group`` (a
    column) keeps categories of one group together (an agency's bars of several years), groups ordered
    by their total.
    """
    return bar_from_rows(
        rows_of(df, category, value, series, category_group),
        title=title,
        value_title=value_title,
        category_title=category_title,
        series_order=series_order,
        colors=colors,
        barmode=barmode,
        horizontal=horizontal,
        limit=limit,
        percent=percent,
        decimals=decimals,
        log=log,
        wan=wan,
    )


def bar_from_rows(
    rows: Rows,
    *,
    title: str,
    value_title: str,
    category_title: str = "",
    series_order: list[str] | None = None,
    colors: dict[str, str] | None = None,
    barmode: str = "stack",
    horizontal: bool = True,
    limit: int = MAX_AGENCIES,
    percent: bool = False,
    decimals: int | None = None,
    log: bool = False,
    wan: bool = True,
) -> go.Figure:
    """:func:`bar_by_category` of coded rows (``rows.ser`` None: one series; ``rows.grp``: the groups)."""
    stated_rows = _present(rows.value)
    # Long rows of codes hold no blanks: no copy then.
    data = rows if stated_rows.all() else rows.take(stated_rows)
    if not len(data):
        return empty_figure(title)
    values = data.value
    if not percent and bool((values == 0).all()):
        return empty_figure(title, ALL_ZERO)
    # The `limit` categories of the largest totals (a stable order among equal totals, as before).
    seen = first_appearance(data.cat[data.cat >= 0])
    sums, _ = group_sums(values, data.cat, len(data.cat_labels))
    totals = pd.Series(sums[seen], index=seen).sort_values(ascending=False)
    dropped = 0
    if len(totals) > limit:
        dropped = len(totals) - limit
        top = np.zeros(len(data.cat_labels) + 1, dtype=bool)
        top[totals.index[:limit].to_numpy()] = True
        data = data.take(top[data.cat])  # code −1 reads the extra slot: False
        values = data.value
    order = _category_order_codes(data, top_first=not horizontal)
    cats = [str(c) for c in data.cat_labels[order]]
    if data.ser is not None:
        ser_seen = first_appearance(data.ser)
        present = list(data.ser_labels[ser_seen])
        given = series_order or []
        names = (
            [c for c in given if c in present] + [c for c in present if c not in given] if given else present
        )
        ser_pos = np.full(len(data.ser_labels), -1, dtype=np.int64)
        name_pos = {n: i for i, n in enumerate(names)}
        for code in ser_seen:
            ser_pos[code] = name_pos[data.ser_labels[code]]
        row_ser = ser_pos[data.ser]
    else:
        names = [None]
        row_ser = np.zeros(len(data), dtype=np.int64)
    palette = _colors(names, colors)
    cat_pos = np.full(len(data.cat_labels) + 1, -1, dtype=np.int64)
    cat_pos[order] = np.arange(len(order))
    row_cat = cat_pos[data.cat]  # code −1 reads the extra slot: −1
    keep = (row_cat >= 0) & (row_ser >= 0)
    flat = row_cat[keep] * len(names) + row_ser[keep]
    sums, counts = group_sums(values[keep], flat, len(order) * len(names))
    matrix = np.where(counts > 0, sums, np.nan).reshape(len(order), len(names))
    if barmode == "stack":
        # plotly.js restarts a stack at 0 after a NaN segment, drawing the next series over the
        # previous one: a blank followed by a value in the same bar draws as an empty segment instead
        # (the data table keeps it blank).
        later = np.flip(np.cumsum(np.flip(~np.isnan(matrix), axis=1), axis=1), axis=1) - ~np.isnan(matrix)
        matrix = np.where(np.isnan(matrix) & (later > 0), 0.0, matrix)
    whole = pd.api.types.is_integer_dtype(values.dtype)
    traces = []
    for j, name in enumerate(names):
        column = matrix[:, j]
        if whole and not np.isnan(column).any():
            column = column.astype(values.dtype)  # counts stay integers, as a per-series groupby leaves them
        kwargs = {"x": column, "y": cats} if horizontal else {"x": cats, "y": column}
        axis = "x" if horizontal else "y"
        shown = ".1%" if percent else number_format(decimals)
        hover = f"%{{y}}<br>%{{x:{shown}}}" if horizontal else f"%{{x}}<br>%{{y:{shown}}}"
        traces.append(
            {
                "type": "bar",
                "name": str(name) if name is not None else value_title,
                "orientation": "h" if horizontal else "v",
                "marker": {"color": palette[name]},
                "hovertemplate": (f"{name}<br>" if name is not None else "") + hover + "<extra></extra>",
                # Numbers on the bars: a briefing reader should not have to guess values from gridlines.
                "texttemplate": f"%{{{axis}:.0%}}" if percent else f"%{{{axis}:{number_format(decimals)}}}",
                "textposition": "inside" if (barmode == "stack" or percent) else "outside",
                "insidetextanchor": "middle",
                "cliponaxis": False,
                **kwargs,
            }
        )
    full_title = title + (f"（仅显示前 {limit} 个，另有 {dropped} 个未显示）" if dropped else "")
    layout = {
        "barmode": barmode,
        "showlegend": data.ser is not None,
        "uniformtext": {"minsize": 10, "mode": "hide"} if barmode == "stack" else None,
        "legend": {"traceorder": "normal"},  # plotly reverses stacked horizontal bars' legend otherwise
    }
    value_axis = {"title": {"text": value_title}}
    if bool((values >= 0).all()):
        value_axis["rangemode"] = "nonnegative"
    if percent:
        value_axis.update(tickformat=".0%", range=[0, 1])
    elif log and barmode != "stack":
        positive = matrix[matrix > 0]  # a zero has no place on a log axis; its bar is simply absent
        if positive.size:
            value_axis.update(log_axis_ticks(float(positive.min()), float(positive.max()), wan=wan))
        value_axis.pop("rangemode", None)
    else:
        counts = whole or bool((values % 1 == 0).all())  # nullable counts arrive as floats
        value_axis.update(value_axis_ticks(*_value_range(matrix, barmode), whole=counts, wan=wan))
    cat_axis = {"title": {"text": category_title}, "type": "category"}
    if horizontal:
        layout["xaxis"] = {**value_axis, "showgrid": True, "gridcolor": "#E4E7EB"}
        layout["yaxis"] = {**cat_axis, "showgrid": False, "rangemode": None}
        height = max(320, 110 + 26 * len(cats) * (1 if barmode != "group" else max(1, len(names)) * 0.7))
    else:
        layout["yaxis"] = value_axis
        layout["xaxis"] = {**cat_axis, "tickangle": -30 if len(cats) > 6 else 0}
        height = 460
    # Traces as dicts and the whole layout in one figure: plotly validates each call separately, and
    # that (not the numbers) was most of a chart's build time.
    return figure(traces, layout, title=full_title, height=int(min(height, 1400)))


def _category_order_codes(data: Rows, *, top_first: bool) -> np.ndarray:
    """The category codes in drawing order: by total (or by group total, then label), largest first on
    screen. Plotly draws horizontal categories bottom-up, so for those the largest comes last."""
    seen = first_appearance(data.cat[data.cat >= 0])
    sums, _ = group_sums(data.value, data.cat, len(data.cat_labels))
    totals = pd.Series(sums[seen], index=seen)
    if data.grp is None:
        return totals.sort_values(ascending=not top_first).index.to_numpy()
    # The first stated group of each category, and each group's total.
    first_group = np.full(len(data.cat_labels), -1, dtype=np.int64)
    with_grp = (data.grp >= 0) & (data.cat >= 0)
    cats, first_at = np.unique(data.cat[with_grp], return_index=True)
    first_group[cats] = data.grp[with_grp][first_at]
    group_totals, _ = group_sums(data.value, data.grp, len(data.grp_labels))
    glab, clab = data.grp_labels, data.cat_labels
    order = sorted(
        seen.tolist(),
        key=lambda c: (-group_totals[first_group[c]], str(glab[first_group[c]]), str(clab[c])),
    )
    return np.asarray(order if top_first else order[::-1], dtype=np.int64)


def _value_range(matrix: np.ndarray, barmode: str) -> tuple[float, float]:
    """The span the value axis must show: the stacked totals for a stack, single bars otherwise."""
    if matrix.size == 0 or np.isnan(matrix).all():
        return 0.0, 0.0
    if barmode == "stack":
        filled = np.nan_to_num(matrix)
        return float(np.where(filled < 0, filled, 0).sum(axis=1).min()), float(
            np.where(filled > 0, filled, 0).sum(axis=1).max()
        )
    return float(np.nanmin(matrix)), float(np.nanmax(matrix))


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
    ser, ser_labels = _codes(df[series], blank_code=True) if series is not None else (None, None)
    return trend_from_rows(
        df[x].to_numpy(dtype=float, na_value=np.nan),
        df[value].to_numpy(),
        ser,
        ser_labels,
        title=title,
        value_title=value_title,
        x_title=x_title,
        series_order=series_order,
        colors=colors,
    )


def _sorted_codes(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(x, return_inverse=True)`` by hashing (a handful of years among 600,000 rows: sorting
    the rows cost more than the sums)."""
    codes, uniques = pd.factorize(x)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return np.asarray(uniques)[order], rank[codes]


def trend_from_rows(
    x: np.ndarray,
    value: np.ndarray,
    ser: np.ndarray | None,
    ser_labels: np.ndarray | None,
    *,
    title: str,
    value_title: str,
    x_title: str = "年度",
    series_order: list[str] | None = None,
    colors: dict[str, str] | None = None,
    year_codes: tuple[np.ndarray, np.ndarray] | None = None,
) -> go.Figure:
    """:func:`trend_lines` of coded rows: the year ``x``, the value and the series code of each row.

    ``year_codes`` (float values only): the distinct years, ascending, and each row's position among
    them (−1: no year), when the caller has them per report; else the years are coded here.
    """
    if year_codes is not None and value.dtype.kind == "f":
        coded = year_codes[1]
        keep = _present(value) & (coded >= 0)
    else:
        year_codes = None
        keep = _present(value) & ~np.isnan(x)
    all_kept = bool(keep.all())
    if not all_kept:
        value = value[keep]
        x = x[keep] if year_codes is None else x
    if not len(value):
        return empty_figure(title)
    if bool((value == 0).all()):
        return empty_figure(title, ALL_ZERO)
    if ser is not None and ser_labels is not None:
        ser = ser if all_kept else ser[keep]
        seen = first_appearance(ser)
        present = list(ser_labels[seen])
        given = series_order or []
        names = (
            [c for c in given if c in present] + [c for c in present if c not in given] if given else present
        )
        code_of = {ser_labels[c]: c for c in seen}
    else:
        names = [None]
    palette = _colors(names, colors)
    traces = []
    # The years once for every series; a float column is summed as pandas' grouped sum would
    # (group_sums), other dtypes by that grouped sum itself (its result keeps their dtype).
    years: np.ndarray | None
    year_code: np.ndarray | None
    if year_codes is not None:
        years, year_code = year_codes[0], year_codes[1] if all_kept else year_codes[1][keep]
    else:
        years, year_code = _sorted_codes(x) if value.dtype.kind == "f" else (None, None)
    if years is not None and year_code is not None:
        # Every (series, year) sum in one pass: a group's sum does not depend on the other groups.
        if names == [None]:
            line, n_lines = year_code, 1
        else:
            line_of = np.full(len(ser_labels) if ser_labels is not None else 0, -1, dtype=np.int64)
            for i, name in enumerate(names):
                line_of[code_of[name]] = i
            line, n_lines = line_of[ser] * len(years) + year_code, len(names)
        all_totals, all_counts = group_sums(value, line, n_lines * len(years))
    for i, name in enumerate(names):
        if years is not None and year_code is not None:
            totals = all_totals[i * len(years) : (i + 1) * len(years)]
            stated = all_counts[i * len(years) : (i + 1) * len(years)] > 0
            sums = pd.Series(totals[stated], index=years[stated])
        else:
            part = np.ones(len(value), bool) if name is None else ser == code_of[name]
            sums = pd.Series(value[part]).groupby(x[part]).sum().sort_index()
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
                "hovertemplate": (f"{name}<br>" if name is not None else "")
                + "%{x}年：%{y:,}<extra></extra>",
            }
        )
    # ``value % 1 == 0`` (a whole number; an infinity is not), 10× cheaper on 600,000 rows.
    whole = pd.api.types.is_integer_dtype(value.dtype) or bool(
        (np.isfinite(value) & (np.trunc(value) == value)).all()
        if value.dtype.kind == "f"
        else (value % 1 == 0).all()
    )
    ys = np.concatenate([np.asarray(t["y"], dtype=float) for t in traces]) if traces else np.zeros(1)
    return figure(
        traces,
        {
            "xaxis": {"title": {"text": x_title}, "type": "category"},
            "yaxis": {
                "title": {"text": value_title},
                "rangemode": "nonnegative" if bool((value >= 0).all()) else "tozero",
                **value_axis_ticks(float(np.nanmin(ys)), float(np.nanmax(ys)) * 1.08, whole=whole),
            },
            "showlegend": ser is not None,
        },
        title=title,
        height=420,
    )


def donut(
    df: pd.DataFrame, *, names: str, value: str, title: str, colors: dict[str, str] | None = None
) -> go.Figure:
    """A share chart (donut) of ``value`` by ``names``; zero slices are dropped."""
    return donut_of_sums(
        df[[names, value]].groupby(names, sort=False)[value].sum(), title=title, colors=colors
    )


def donut_of_sums(data: pd.Series, *, title: str, colors: dict[str, str] | None = None) -> go.Figure:
    """:func:`donut` of the sums per name (a Series: name → Σ value, in the order of the slices)."""
    if not data.empty and (data == 0).all():
        return empty_figure(title, ALL_ZERO)
    data = data[data > 0]
    if data.empty:
        return empty_figure(title)
    labels = [str(n) for n in data.index]
    palette = _colors(labels, colors)
    pie = {
        "type": "pie",
        "labels": labels,
        "values": data.values,
        "hole": 0.45,
        "sort": False,
        "marker": {"colors": [palette[n] for n in labels]},
        "texttemplate": "%{label}<br>%{value:,}（%{percent:.1%}）",
        # Outside labels of small slices push the margins instead of running into the title or legend.
        "automargin": True,
        # The last (usually smallest) slices end at 3 o'clock, so their labels sit beside the ring
        # rather than piling up against the title and caption at 12 o'clock.
        "rotation": 90,
        "insidetextorientation": "horizontal",
        "hovertemplate": "%{label}：%{value:,}（%{percent:.1%}）<extra></extra>",
    }
    # Built in one go without validation (charts.theme.figure): the same figure as a validated one.
    return figure([pie], {"showlegend": True}, title=title, height=420)


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
    # The number of each node in its label: the picture (and its exported image) states the figures, not
    # only the hover. A node's size is the larger of what flows in and what flows out, as plotly draws it.
    inflow = data.groupby(target, sort=False)[value].sum()
    outflow = data.groupby(source, sort=False)[value].sum()
    sizes = [max(float(inflow.get(n, 0)), float(outflow.get(n, 0))) for n in nodes]
    labels = [
        f"{n}：{size:,.0f}" if float(size).is_integer() else f"{n}：{size:,.2f}"
        for n, size in zip(nodes, sizes, strict=True)
    ]
    trace = {
        "type": "sankey",
        "arrangement": "snap",
        "node": {
            "label": labels,
            "customdata": nodes,
            "pad": 18,
            "thickness": 18,
            "color": colors,
            "line": {"width": 0},
            "hovertemplate": "%{customdata}：%{value:,}<extra></extra>",
        },
        "link": {
            "source": [index[s] for s in data[source]],
            "target": [index[t] for t in data[target]],
            "value": data[value].tolist(),
            "color": ["rgba(46,111,186,0.25)"] * len(data),
            "hovertemplate": "%{source.customdata} → %{target.customdata}：%{value:,}<extra></extra>",
        },
    }
    return figure([trace], {}, title=title, height=520)

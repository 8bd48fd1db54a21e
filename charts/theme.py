"""The one fixed light Plotly template used by every chart, on screen and in exported images.

Why a template of our own: importing streamlit switches plotly's default template to "streamlit", which
leaves colours to the browser, so server-side (kaleido) exports came out black and plain. Every builder
sets ``template=TEMPLATE`` explicitly and pages render with ``theme=None``, so the chart a user sees is
the chart they download.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

FONT_FAMILY = "Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"

# A calm qualitative palette with enough contrast on white (and for projector briefings).
PALETTE: tuple[str, ...] = (
    "#2E6FBA",  # blue
    "#E07B39",  # orange
    "#3A9E6F",  # green
    "#C8484F",  # red
    "#8A6BBE",  # purple
    "#B3893A",  # ochre
    "#4BA3C7",  # light blue
    "#D46FA6",  # pink
    "#7F8C8D",  # grey
    "#5C7F2E",  # olive
)

# Fixed colours for recurring categories so the same thing has the same colour on every page.
TEMPLATE_COLORS: dict[str, str] = {
    "2019": "#2E6FBA",
    "2021": "#E07B39",
    "mixed": "#8A6BBE",
    "unknown": "#7F8C8D",
}

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT_FAMILY, "size": 13, "color": "#1F2933"},
        # Title pinned to the top edge and the legend just above the plot, with room for about three
        # legend rows between them: a wrapping legend never runs over the title, on screen or on paper.
        title={
            "font": {"family": FONT_FAMILY, "size": 17, "color": "#1F2933"},
            "x": 0.012,
            "xanchor": "left",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 14},
        },
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        colorway=list(PALETTE),
        margin={"l": 60, "r": 24, "t": 100, "b": 60},
        xaxis={
            "showgrid": False,
            "linecolor": "#9AA5B1",
            "ticks": "outside",
            "tickcolor": "#9AA5B1",
            "automargin": True,
            "title": {"standoff": 8},
        },
        yaxis={
            "showgrid": True,
            "gridcolor": "#E4E7EB",
            "zeroline": True,
            "zerolinecolor": "#9AA5B1",
            "linecolor": "#9AA5B1",
            "automargin": True,
            "rangemode": "tozero",
        },
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "xanchor": "left",
            "x": 0.0,
            "title": {"text": ""},
        },
        hoverlabel={"font": {"family": FONT_FAMILY}},
        separators=".,",
    ),
    data={"bar": [go.Bar(marker={"line": {"width": 0}})]},
)

# Size of exported images (pixels); on screen the chart takes the container width.
EXPORT_WIDTH = 1100
EXPORT_HEIGHT = 560


def new_figure() -> go.Figure:
    """An empty figure already carrying the project template.

    Setting the template before adding traces is ~10x cheaper than setting it afterwards (plotly
    re-validates every trace against a new template), which matters for page speed.
    """
    return go.Figure(layout={"template": TEMPLATE})


def themed(fig: go.Figure, *, title: str | None = None, height: int | None = None) -> go.Figure:
    """Finish a figure made by :func:`new_figure`: margins, and optionally a title and a height."""
    layout: dict = {}
    if (
        not any(getattr(t, "showlegend", None) is not False for t in fig.data)
        or fig.layout.showlegend is False
    ):
        layout["margin"] = {"t": 56}  # no legend row to make room for
    if title is not None:
        layout["title"] = {"text": title}
    if height is not None:
        layout["height"] = height
    if layout:
        fig.update_layout(layout)  # one update: each call re-validates the layout
    return fig


def figure(
    traces: list[dict], layout: dict, *, title: str | None = None, height: int | None = None
) -> go.Figure:
    """``themed(new_figure() + traces + layout)`` built in one go: the same figure, validated once.

    Plotly validates every ``add_traces``/``update_layout`` call on its own, and on a page of many
    charts those passes (not the numbers) were most of the build time.
    """
    layout = {"template": TEMPLATE, **layout}
    legend_row = (
        any(t.get("showlegend") is not False for t in traces) and layout.get("showlegend") is not False
    )
    if not legend_row:
        layout["margin"] = {"t": 56}  # no legend row to make room for
    if title is not None:
        layout["title"] = {"text": title}
    if height is not None:
        layout["height"] = height
    # Not validated: the builders write only valid properties (tests/test_pages_reference.py compares the
    # JSON with validated figures); validation was most of a figure's build time. A validated figure
    # leaves out properties set to None, so these are dropped here.
    return go.Figure(data=_without_none(traces), layout=_without_none(layout), _validate=False)


def _without_none(value: Any) -> Any:
    """``value`` with every dict entry whose value is None left out, at any depth."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value

"""The chart view's table of numbers: short tables whole, long ones as a preview that says where the
rest is."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page(n_rows: int) -> None:
    import pandas as pd
    import plotly.graph_objects as go

    from charts.image_export import ChartSpec
    from components.chart_view import _data_preview

    data = pd.DataFrame({"单位": [f"单位{i}" for i in range(n_rows)], "数量": range(n_rows)})
    _data_preview(ChartSpec(key="t", title="测试", fig=go.Figure(), data=data))


def _run(n_rows: int) -> AppTest:
    at = AppTest.from_function(_page, args=(n_rows,)).run()
    assert not at.exception, at.exception
    return at


def test_a_short_table_is_shown_whole() -> None:
    at = _run(12)
    assert len(at.dataframe[0].value) == 12
    assert not at.caption


def test_a_long_table_shows_a_preview_and_says_where_the_rest_is() -> None:
    from components.chart_view import TABLE_PREVIEW_ROWS

    at = _run(TABLE_PREVIEW_ROWS * 3)
    assert len(at.dataframe[0].value) == TABLE_PREVIEW_ROWS
    note = at.caption[0].value
    assert f"{TABLE_PREVIEW_ROWS * 3:,}" in note and "简报包" in note

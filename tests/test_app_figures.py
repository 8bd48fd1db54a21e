"""Figure builders and image export: real numbers from the sample reports, real kaleido output."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import pytest
from _app_support import SAMPLES, values

from components.catalog import (
    applications_charts,
    enforcement_charts,
    overview_charts,
    proactive_charts,
    review_charts,
    with_agency_label,
)
from components.figures import ALL_ZERO, NO_DATA, bar_by_category, empty_figure
from components.image_export import briefing_zip, figure_image, start_image_server
from components.theme import FONT_FAMILY


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """The standardised dataset of the five real sample reports."""
    from library.samples import load_samples
    from library.store import Library

    lib = Library(f"sqlite:///{tmp_path_factory.mktemp('figures') / 'library.sqlite'}")
    load_samples(lib, SAMPLES)
    yield lib.dataset()
    lib.close()


@pytest.fixture(scope="module")
def warm_kaleido():
    """One warm Chromium for the module, as the app keeps one per server process (~0.2 s per image)."""
    return start_image_server()


def by_key(charts):
    return {c.key: c for c in charts}


def test_every_chart_uses_the_fixed_template_and_cjk_font(dataset):
    charts = [
        *overview_charts(dataset),
        *proactive_charts(dataset),
        *enforcement_charts(dataset),
        *applications_charts(dataset),
        *review_charts(dataset),
    ]
    assert len(charts) == 23
    assert len({c.key for c in charts}) == len(charts)
    for chart in charts:
        layout = chart.fig.layout
        assert layout.template.layout.font.family == FONT_FAMILY, chart.key
        assert layout.template.layout.paper_bgcolor == "#FFFFFF", chart.key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in layout.title.text), chart.key


def test_licensing_decisions_per_agency(dataset):
    chart = by_key(enforcement_charts(dataset))["enforcement_decisions_agency"]
    trace = next(t for t in chart.fig.data if t.name == "行政许可")
    got = dict(zip(trace.y, values(trace.x), strict=True))
    assert got["施秉县教育和科技局（施秉县）"] == 79
    assert got["盐池县教育体育局（盐池县）"] == 228
    assert got["县教育局（地区未填）"] == 581
    # The numbers behind the chart travel with it (查看数据 and the 简报包 Excel).
    table = chart.data.set_index("单位")
    assert table.loc["盐池县教育体育局（盐池县）", "其他对外管理服务事项"] == 19


def test_2019_and_2021_measures_are_never_in_one_chart(dataset):
    charts = proactive_charts(dataset)
    measures_2019 = {"本年新制作数量", "本年新公开数量", "对外公开总数量"}
    measures_2021 = {"本年制发件数", "本年废止件数", "现行有效件数"}
    for chart in charts:
        if chart.key == "proactive_items_prose":
            continue  # the prose figure, not a table-二 measure
        # Per-agency tables over several years name the year ("2020年 对外公开总数量"): a stock's years
        # are kept apart, never added.
        columns = {c.split(" ", 1)[-1] for c in chart.data.columns} - {"单位", "年度"}
        if "_2019_" in chart.key:
            assert columns <= measures_2019 and columns, chart.key
        else:
            assert columns <= measures_2021 and columns, chart.key


def test_applications_from_prose_are_shown(dataset):
    chart = by_key(overview_charts(dataset))["overview_applications"]
    bars = {name: v for t in chart.fig.data for name, v in zip(t.y, values(t.x), strict=True) if v == v}
    assert bars["乐清市教育局（乐清市）"] == 5  # stated in the report's prose; its tables are absent


def test_all_zero_data_says_so_instead_of_an_empty_frame(dataset):
    chart = by_key(review_charts(dataset))["review_outcomes"]
    assert chart.fig.layout.annotations[0].text == ALL_ZERO
    empty = empty_figure("标题")
    assert empty.layout.annotations[0].text == NO_DATA


def test_long_agency_lists_are_folded_and_said_so(dataset):
    many = pd.DataFrame({"单位": [f"第{i}局" for i in range(30)], "value": range(1, 31)})
    fig = bar_by_category(many, category="单位", value="value", series=None, title="测试", value_title="件", limit=25)
    assert "另有 5 个未显示" in fig.layout.title.text
    assert len(fig.data[0].y) == 25 and "第0局" not in fig.data[0].y


def test_agency_labels_cannot_carry_markup():
    long = pd.DataFrame({"agency": ["<a href='x'>某局</a>", "乙局"], "region": ["甲县", "乙县"]})
    assert with_agency_label(long)["单位"].tolist() == ["＜a href='x'＞某局＜/a＞（甲县）", "乙局（乙县）"]


def test_images_render_with_chinese(dataset, warm_kaleido):
    chart = by_key(enforcement_charts(dataset))["enforcement_decisions_agency"]
    png = figure_image(chart.fig, "png")
    svg = figure_image(chart.fig, "svg").decode("utf-8")
    pdf = figure_image(chart.fig, "pdf")
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    assert "施秉县教育和科技局" in svg and "Noto Sans CJK SC" in svg
    assert pdf.startswith(b"%PDF")
    # The export sets the project template itself: streamlit's import-time default would give black bars.
    assert "#2E6FBA".lower() in svg.lower() or "rgb(46, 111, 186)" in svg


def test_briefing_pack_has_every_chart_and_the_numbers(dataset, warm_kaleido):
    charts = overview_charts(dataset)
    pack = briefing_zip(charts, filters_text="年度：2020", formats=("png",))
    with zipfile.ZipFile(io.BytesIO(pack)) as zf:
        names = zf.namelist()
        assert [n for n in names if n.endswith(".png")] == ["01_各年度报告数_按格式版本.png", "02_各单位本年新收政府信息公开申请_件.png"]
        book = openpyxl.load_workbook(io.BytesIO(zf.read("图表数据.xlsx")))
        assert "年度：2020" in zf.read("说明.txt").decode("utf-8")
    assert book.sheetnames[0] == "说明"
    assert len(book.sheetnames) == 3
    rows = list(book[book.sheetnames[1]].values)
    assert rows[0][0] == "年度"


def test_proactive_items_stated_in_prose(dataset):
    chart = next(c for c in proactive_charts(dataset) if c.key == "proactive_items_prose")
    bars = {name: v for t in chart.fig.data for name, v in zip(t.y, values(t.x), strict=True) if v == v}
    # 乐清市教育局 2021: 243; 盐池县教育体育局 2020: 42; the 2021 report without an agency name: 39.
    assert bars["乐清市教育局（乐清市）"] == 243
    assert bars["盐池县教育体育局（盐池县）"] == 42
    assert chart.data.set_index("单位").loc["乐清市教育局（乐清市）", "2021年"] == 243


def test_stacked_bars_keep_stacking_past_a_series_the_report_left_blank() -> None:
    """淮安 2024 states 行政许可 447,228 but has no 其他对外管理服务事项 (a 2019-only row): the blank
    middle series must not restart the stack, or 行政处罚 is drawn over 行政许可 (seen in an export)."""
    data = pd.DataFrame(
        {
            "单位": ["淮安市人民政府"] * 3 + ["盐池县教育体育局"] * 3,
            "item": ["行政许可", "其他对外管理服务事项", "行政处罚"] * 2,
            "value": [447228.0, float("nan"), 3985758.0, 228.0, 19.0, 0.0],
        }
    )
    order = ["行政许可", "其他对外管理服务事项", "行政处罚"]  # the enforcement chart's fixed order
    fig = bar_by_category(
        data, category="单位", value="value", series="item", title="测试", value_title="件", series_order=order
    )
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == order
    bars = {t.name: dict(zip(t.y, values(t.x), strict=True)) for t in fig.data}
    assert bars["行政许可"]["淮安市人民政府"] == 447228
    assert bars["行政处罚"]["淮安市人民政府"] == 3985758
    # In drawing order, no blank segment comes before a value in the same bar.
    segments = [bars[t.name]["淮安市人民政府"] for t in fig.data]
    drawn = [v == v for v in segments]
    assert drawn == sorted(drawn, reverse=True), segments

"""Figure builders and image export: real numbers from the sample reports, real kaleido output."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pandas as pd
import pytest
from _app_support import values
from paths import SHARED_SEEDS

from charts.catalog import (
    applications_charts,
    enforcement_charts,
    overview_charts,
    proactive_charts,
    review_charts,
    with_agency_label,
)
from charts.figures import ALL_ZERO, NO_DATA, bar_by_category, donut, empty_figure, sankey, wan_text
from charts.image_export import briefing_zip, export_caption, figure_image, for_export, start_image_server
from charts.theme import FONT_FAMILY


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """The standardised dataset of the five seed reports (text; the sample PDFs are tested elsewhere)."""
    from library.samples import load_samples
    from library.store import Library

    lib = Library(f"sqlite:///{tmp_path_factory.mktemp('figures') / 'library.sqlite'}")
    load_samples(lib, SHARED_SEEDS)
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
    fig = bar_by_category(
        many, category="单位", value="value", series=None, title="测试", value_title="件", limit=25
    )
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
        assert [n for n in names if n.endswith(".png")] == [
            "01_各年度报告数_按格式版本.png",
            "02_各单位本年新收政府信息公开申请_件.png",
        ]
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
        data,
        category="单位",
        value="value",
        series="item",
        title="测试",
        value_title="件",
        series_order=order,
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


# ------------------------------------------------------------------------ readable charts (issue 7, item 10)


FEE = "s2.art20_8.administrative_fees.fee_amount_wan_yuan"


@pytest.fixture(scope="module")
def with_fees(dataset):
    """The samples with a fee stated (万元 from 元: six decimals) by the 2023 report, all of whose fees
    are 0."""
    df = dataset.copy()
    df.loc[df["year"] == 2023, FEE] = 7730.284567
    return df


def test_years_are_side_by_side_never_stacked(with_fees):
    charts = {
        **by_key(overview_charts(with_fees)),
        **by_key(proactive_charts(with_fees)),
        **by_key(enforcement_charts(with_fees)),
    }
    for key in ("overview_applications", "proactive_items_prose", "enforcement_fees_2021"):
        fig = charts[key].fig
        assert fig.layout.barmode == "group", key
        assert {t.name for t in fig.data} <= {f"{y}年" for y in range(2000, 2100)}, key


def test_an_agency_of_several_years_gets_one_bar_per_year(dataset):
    """Per-agency charts whose series are not the years must not add an agency's years together."""
    df = dataset.copy()
    other = df.index[(df["year"] == 2021) & df["agency"].isna()][0]  # the 2021 report without an agency name
    df.loc[other, ["agency", "region"]] = ["施秉县教育和科技局", "施秉县"]
    chart = by_key(enforcement_charts(df))["enforcement_decisions_agency"]
    licensing = dict(zip(*[values(v) for v in (chart.fig.data[0].y, chart.fig.data[0].x)], strict=True))
    assert licensing["施秉县教育和科技局（施秉县） 2020年"] == 79
    assert licensing["施秉县教育和科技局（施秉县） 2021年"] == 0
    assert not any(label == "施秉县教育和科技局（施秉县）" for label in licensing)
    # The two years of one agency stay next to each other.
    order = list(chart.fig.data[0].y)
    i = order.index("施秉县教育和科技局（施秉县） 2020年")
    assert order[i - 1 : i + 2].count("施秉县教育和科技局（施秉县） 2021年") == 1


def test_count_axes_have_whole_number_ticks(dataset):
    fig = by_key(overview_charts(dataset))["overview_reports"].fig  # 1 or 2 reports per year
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.tickformat == ",d"
    small = pd.DataFrame({"单位": ["甲局", "乙局"], "value": [3.0, 1.0]})
    fig = bar_by_category(small, category="单位", value="value", series=None, title="测试", value_title="件")
    assert fig.layout.xaxis.dtick >= 1 and float(fig.layout.xaxis.dtick).is_integer()


def test_large_numbers_read_in_wan_not_si_prefixes():
    data = pd.DataFrame({"单位": ["淮安市人民政府", "洪泽区人民政府"], "value": [3985758.0, 5620.0]})
    fig = bar_by_category(data, category="单位", value="value", series=None, title="测试", value_title="件")
    ticks = list(fig.layout.xaxis.ticktext)
    assert any(t.endswith("万") for t in ticks), ticks
    assert not any(t.endswith(("M", "k")) for t in ticks)
    assert ticks[:3] == ["0", "100万", "200万"]
    assert wan_text(50000) == "5万" and wan_text(120_000_000) == "1.2亿" and wan_text(5000) == "5,000"


def test_fees_show_two_decimals(with_fees):
    chart = by_key(enforcement_charts(with_fees))["enforcement_fees_2021"]
    assert chart.fig.data and all(",.2f" in t.texttemplate for t in chart.fig.data)
    assert chart.data.set_index("单位").iloc[0]["2023年"] == 7730.2846  # exact to the yuan in the table
    # An axis in 万元 is not relabelled in 万 (it would read 万万元).
    fees = pd.DataFrame({"单位": ["甲", "乙"], "value": [96171.6, 7545.0]})
    fig = bar_by_category(
        fees,
        category="单位",
        value="value",
        series=None,
        title="t",
        value_title="万元",
        decimals=2,
        wan=False,
    )
    assert fig.layout.xaxis.ticktext is None and fig.data[0].texttemplate == "%{x:,.2f}"


def test_small_agencies_can_be_shown_on_a_log_scale_or_as_shares(dataset):
    charts = {**by_key(overview_charts(dataset)), **by_key(enforcement_charts(dataset))}
    log = charts["overview_applications"]
    log_fig = log.alternative()
    assert log_fig is not None and log_fig.layout.xaxis.type == "log" and "对数" in log.alt_label
    assert log.alternative() is log_fig  # built once, then kept
    shares = charts["enforcement_decisions_agency"]
    share_fig = shares.alternative()
    assert share_fig is not None and share_fig.layout.xaxis.tickformat == ".0%" and "占比" in shares.alt_label
    share_values = pd.DataFrame({t.name: values(t.x) for t in share_fig.data}).fillna(0).sum(axis=1)
    assert ((share_values - 1).abs() < 1e-9).all()


def test_sankey_states_its_numbers_in_the_node_labels():
    flows = pd.DataFrame(
        {
            "source": ["本年新收申请", "上年结转申请", "本年度应办理申请", "本年度应办理申请"],
            "target": ["本年度应办理申请", "本年度应办理申请", "予以公开", "结转下年度继续办理"],
            "value": [3235, 34, 3166, 103],
        }
    )
    labels = list(sankey(flows, title="流向").data[0].node.label)
    assert (
        "本年新收申请：3,235" in labels
        and "本年度应办理申请：3,269" in labels
        and "予以公开：3,166" in labels
    )


def test_pie_export_puts_the_legend_beside_the_ring():
    """The exported pie's small-slice labels ran into the legend row above it."""
    fig = donut(
        pd.DataFrame({"类型": ["自然人", "商业企业", "其他"], "n": [3117, 53, 4]}),
        names="类型",
        value="n",
        title="构成",
    )
    out = for_export(fig, "筛选条件：全部报告")
    assert out.layout.legend.orientation == "v" and out.layout.legend.x >= 1
    # The small slices end at 3 o'clock, their labels beside the ring, not piled under the title.
    assert fig.data[0].automargin and fig.data[0].rotation == 90


def test_exported_images_carry_the_filters_and_the_date(dataset, warm_kaleido):
    from datetime import date

    caption = export_caption("年度：2020")
    today = date.today()
    assert (
        caption.startswith("筛选条件：年度：2020")
        and f"{today.year}年{today.month}月{today.day}日" in caption
    )
    chart = by_key(enforcement_charts(dataset))["enforcement_decisions_agency"]
    svg = figure_image(chart.fig, "svg", caption=caption).decode("utf-8")
    assert "筛选条件：年度：2020" in svg and f"{today.year}年{today.month}月{today.day}日" in svg
    pack = briefing_zip(overview_charts(dataset), filters_text="年度：2020", formats=("svg",))
    with zipfile.ZipFile(io.BytesIO(pack)) as zf:
        images = [zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".svg")]
    assert images and all(
        "筛选条件：年度：2020" in svg and f"{today.month}月{today.day}日" in svg for svg in images
    )


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("办理结果构成（按单位）", NO_DATA),
        ("某图", ALL_ZERO),
        ("", "3 份报告填报了申请表，申请数与办理结果均为 0"),
    ],
)
def test_an_empty_figure_is_the_one_plotlys_validating_calls_built(title, message):
    from reference_pages.figures import empty_figure as former_empty_figure  # the former code, verbatim

    built, former = empty_figure(title, message), former_empty_figure(title, message)
    assert built.to_plotly_json() == former.to_plotly_json()
    assert json.loads(built.to_json()) == json.loads(former.to_json())  # as sent (key order aside)

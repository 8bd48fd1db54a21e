"""AppTest smoke tests of every page on a library loaded with the real sample reports."""

from __future__ import annotations

import pandas as pd
import pytest
from _app_support import (
    app_test,
    bar_values,
    chart,
    chart_specs,
    library_at,
    metric,
    table_with,
    texts,
    values,
)
from paths import SHARED_SEEDS

from charts import catalog
from page_registry import GROUPS, PAGES, SCREENS, page

# Every registered page is smoke-tested: a new registry entry gets its test without editing this file.
TITLES = {spec.path: spec.title for spec in PAGES}
# Pages that must draw charts: those with a chart builder, and 数据质量 (charts of checks and labels).
ANALYSIS = {spec.path for spec in PAGES if spec.charts is not None} | {page("quality").path}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One temp library with the five seed reports, shared by the module (loading takes ~0.1 s)."""
    path = tmp_path_factory.mktemp("ui_pages") / "library.sqlite"
    with library_at(path):
        from library.samples import load_samples
        from library.store import Library

        results = load_samples(Library(), SHARED_SEEDS)
        assert [r.status for r in results].count("failed") == 0
        yield path


def open_page(page: str):
    at = app_test().run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_registry_lists_every_screen_file():
    # A screen file without an entry would never be reachable; an entry without a file breaks the router.
    assert {p.name for p in SCREENS.glob("*.py")} == {spec.screen for spec in PAGES}
    assert len({spec.url_path for spec in PAGES}) == len(PAGES)
    assert {spec.group for spec in PAGES} <= set(GROUPS)


@pytest.mark.parametrize("page", list(TITLES))
def test_every_page_renders(loaded, page):
    at = open_page(page)
    assert at.title[0].value == TITLES[page]
    # The sidebar filters are drawn by app.py on every page, so they hold across pages.
    assert [m.label for m in at.sidebar.multiselect] == ["地区", "年度", "机关类型", "格式版本"]
    if page in ANALYSIS:
        assert chart_specs(at), f"{page} shows no chart"


def test_opens_on_overview_when_library_has_reports(loaded):
    at = app_test().run()
    assert not at.exception
    assert at.title[0].value == "总览"


def test_overview_cards_show_real_totals(loaded):
    at = open_page("app_pages/overview.py")
    # The samples span 2020, 2021 and 2023: the cards show 2023 (never the sum of the years).
    assert metric(at, "报告数") == "1 份"
    # 行政许可 decisions: 581 (县教育局 2023), not 79 + 228 + 581 over the years.
    assert metric(at, "行政许可处理决定") == "581 件"
    at.sidebar.multiselect(key="f_years").set_value([2021]).run()
    # Applications in 2021: 乐清市教育局 states 5 in its prose only; the other 2021 table says 0.
    assert metric(at, "收到申请") == "5 件"
    table = table_with(at, "行政许可决定")
    assert len(table) == 2 and "乐清市教育局" in set(table["单位"])


def test_enforcement_chart_has_each_agency_decisions(loaded):
    at = open_page("app_pages/enforcement.py")
    licensing = bar_values(chart(at, catalog.ENFORCEMENT_DECISIONS_AGENCY), "行政许可")
    by_agency = {name.split("（")[0]: v for name, v in licensing.items()}
    assert by_agency["施秉县教育和科技局"] == 79
    assert by_agency["盐池县教育体育局"] == 228
    assert by_agency["县教育局"] == 581


def test_filters_hold_across_pages(loaded):
    at = app_test().run()
    at.sidebar.multiselect(key="f_years").set_value([2020]).run()
    assert metric(at, "报告数") == "2 份"
    at.switch_page("app_pages/enforcement.py").run()
    assert at.sidebar.multiselect(key="f_years").value == [2020]
    licensing = bar_values(chart(at, catalog.ENFORCEMENT_DECISIONS_AGENCY), "行政许可")
    assert sorted(licensing.values()) == [79, 228]
    assert "年度：2020" in texts(at)


def test_proactive_keeps_template_versions_apart(loaded):
    at = open_page("app_pages/proactive.py")
    shown = texts(at)
    assert "不合并" in shown and "2019 版格式" in shown and "2021 版格式" in shown
    titles = [spec["layout"]["title"]["text"] for spec in chart_specs(at)]
    assert sorted(titles) == sorted(
        [
            "主动公开政府信息条数（正文所述，按单位）",
            "2019 版格式：规范性文件（按单位）",
            "2019 版格式：规范性文件（按年度）",
            "2021 版格式：行政规范性文件（按单位）",
            "2021 版格式：行政规范性文件（按年度）",
        ]
    )


def test_applications_flow_explains_all_zero_tables(loaded):
    at = open_page("app_pages/applications.py")
    flow = chart(at, catalog.APPLICATIONS_FLOW)
    # The four reports with a section-三 table all state 0 applications: the chart says so instead of
    # drawing an empty Sankey.
    assert "4 份报告填报了申请表" in flow["layout"]["annotations"][0]["text"]


def test_quality_shows_report_text_as_code(loaded):
    at = open_page("app_pages/quality.py")
    box = at.selectbox(key="quality_report")
    assert len(box.options) == 5
    from library.store import Library

    report = Library().get(int(box.value))
    lines = [line.strip() for line in report.text.splitlines() if len(line.strip()) >= 12]
    assert lines, "the chosen sample report has text"
    codes = "\n".join(c.value for c in at.code)
    # The report's own text is shown next to the values, as code (plain text, never interpreted) ...
    assert sum(line in codes for line in lines) >= len(lines) // 2
    # ... and no line of it reaches a markdown element, where a "[x](y)" or "<b>" in a report would act.
    markdown = "\n".join(md.value for md in at.markdown)
    assert not [line for line in lines if line in markdown]


def test_library_lists_and_searches(loaded):
    at = open_page("app_pages/report_library.py")
    assert len(table_with(at, "文件类型")) == 5
    at.text_input(key="library_search").input("盐池").run()
    found = table_with(at, "文件类型")
    assert list(found["单位"]) == ["盐池县教育体育局"]


def test_review_trend_says_all_zero(loaded):
    at = open_page("app_pages/review.py")
    spec = chart(at, catalog.REVIEW_TREND)
    # Every 2021-format and 2019-format table 四 in the samples is all zeros: the chart says so, and
    # draws no line of zeros that would read as "no cases" without saying it.
    assert spec["layout"]["annotations"][0]["text"] == "所选报告填报的数字均为 0"
    assert all(not any(values(trace.get("y"))) for trace in spec["data"])


def test_clear_filters_after_choosing_a_region(loaded):
    """清除筛选 used to set the widgets' state after they were drawn:
    StreamlitWidgetAlreadyInstantiatedError."""
    at = app_test().run()
    region = at.sidebar.multiselect(key="f_regions")
    at = region.set_value([region.options[0]]).run()
    assert not at.exception
    assert "共 5 份报告" not in texts(at)
    at.sidebar.button(key="clear_filters").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.sidebar.multiselect] == [[], [], [], []]
    assert "筛选条件：全部报告｜共 5 份报告" in texts(at)
    assert not any(k in at.query_params for k in ("regions", "years", "agency_types", "templates"))


def test_filters_are_read_from_the_address(loaded):
    """A shared link (…/overview?years=2020&templates=2019) reproduces the view."""
    at = app_test()
    at.query_params["years"] = "2020"
    at.query_params["templates"] = "2019"
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="f_years").value == [2020]
    assert at.sidebar.multiselect(key="f_templates").value == ["2019"]
    assert "共 2 份报告" in texts(at)


def test_filters_are_written_to_the_address(loaded):
    at = app_test().run()
    at.sidebar.multiselect(key="f_years").set_value([2020, 2021]).run()
    assert at.query_params["years"] == ["2020", "2021"]
    at.switch_page("app_pages/enforcement.py").run()
    assert at.query_params["years"] == ["2020", "2021"]  # a page switch keeps them in the address
    at.sidebar.multiselect(key="f_years").set_value([]).run()
    assert "years" not in at.query_params


def test_unknown_filter_values_in_the_address_are_dropped(loaded):
    at = app_test()
    at.query_params["years"] = ["2020", "1900", "abc"]
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="f_years").value == [2020]


@pytest.mark.parametrize(
    ("page_path", "key", "check"),
    [
        ("app_pages/enforcement.py", catalog.ENFORCEMENT_DECISIONS_AGENCY, "share"),
        ("app_pages/overview.py", catalog.OVERVIEW_APPLICATIONS, "log"),
    ],
)
def test_the_view_switch_draws_the_other_view(loaded, page_path, key, check):
    """The other view (per-agency shares, log scale) is built when the reader switches to it: the same
    numbers as the chart as built, drawn the other way."""
    at = open_page(page_path)
    built = chart(at, key)
    at.toggle(key=f"alt_{key}").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    other = chart(at, key)
    assert other != built
    axes = [v for k, v in other["layout"].items() if k.startswith(("xaxis", "yaxis"))]
    if check == "log":
        assert any(axis.get("type") == "log" for axis in axes)
        pd.testing.assert_series_equal(_trace_values(other), _trace_values(built))
    else:
        assert any(axis.get("tickformat") == ".0%" for axis in axes), axes
        shares = _trace_values(other)
        per_unit = shares.groupby(level="unit").sum()
        assert len(per_unit) and ((per_unit - 1).abs() < 1e-9).all(), per_unit
        # The same units, and a share only where the figure as built has a value.
        assert set(shares.index) <= set(_trace_values(built).index)
    at.toggle(key=f"alt_{key}").set_value(False).run()
    assert chart(at, key) == built


def _trace_values(spec: dict) -> pd.Series:
    """Every bar's value by (series, unit): the value axis is the numeric one of each trace."""
    out = {}
    for trace in spec["data"]:
        horizontal = trace.get("orientation") == "h"
        units, numbers = (trace["y"], trace["x"]) if horizontal else (trace["x"], trace["y"])
        for unit, number in zip(values(units), values(numbers), strict=True):
            if number is not None and not pd.isna(number):
                out[(trace.get("name"), unit)] = float(number)
    return pd.Series(out, dtype=float).rename_axis(["series", "unit"]).sort_index()

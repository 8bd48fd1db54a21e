"""AppTest of 单位档案 (one agency across the years) and of the link that opens 数据质量 on one report."""

from __future__ import annotations

import pytest
import streamlit as st
from _app_support import app_test, chart_specs, library_at, table_with, texts
from paths import HONGZE_2023, HONGZE_2024

from charts import agency as agency_charts
from library import findings_access
from library.finding import Finding

AGENCY = "淮安市洪泽区人民政府"
REGION = "洪泽区"
LABEL = f"{AGENCY}（洪泽区）"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The real 洪泽区 reports of 2023 and 2024 and the five seed reports."""
    path = tmp_path_factory.mktemp("ui_agency") / "library.sqlite"
    with library_at(path):
        from library.ingest import ingest_upload
        from library.samples import load_samples
        from library.store import Library

        lib = Library()
        load_samples(lib)
        ids = {}
        for pdf, year in ((HONGZE_2023, 2023), (HONGZE_2024, 2024)):
            [result] = ingest_upload(lib, pdf.read_bytes(), pdf.name)
            ids[year] = result.report_id
        yield ids


def open_agency(engine=None, monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setattr(findings_access, "findings_engine", lambda: engine)
    st.cache_resource.clear()  # the findings are cached per library revision: start from the patched engine
    at = app_test().run()
    at.switch_page("app_pages/agency.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="agency_choice").set_value(LABEL).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_agency_figures_trend_and_reports(loaded, monkeypatch):
    at = open_agency(None, monkeypatch)
    assert at.title[0].value == "单位档案"
    figures = table_with(at, "新收申请")
    assert list(figures["年度"]) == ["2023", "2024"]
    assert list(figures["新收申请"]) == ["21", "95"]
    keys = {spec["layout"]["title"]["text"] for spec in chart_specs(at)}
    assert {title for _, title, _, _ in agency_charts.TRENDS} <= keys
    links = [el.proto for el in at.get("page_link")]
    assert len(links) == 2
    assert [link.page for link in links] == ["quality", "quality"]  # the 数据质量 address
    assert [link.query_string for link in links] == [f"report={loaded[2023]}", f"report={loaded[2024]}"]
    # The sidebar offers the 通报 of the latest year beside the 简报包.
    assert "下载通报（Word）" in [el.proto.label for el in at.sidebar.get("download_button")]
    # Without the findings engine the section says so, in Chinese.
    assert "审核意见模块（library.findings）尚未安装" in texts(at)


def _engine(lib, filters):
    return [
        Finding(
            None,
            AGENCY,
            2023,
            "D5",
            "error",
            "表四行政复议合计与各项之和不符",
            evidence={"总计": 3},
            region=REGION,
        ),
        Finding(
            None,
            AGENCY,
            2023,
            "F3",
            "warning",
            "缺少第六部分",
            status="dismissed",
            note="附件中已说明",
            region=REGION,
        ),
        Finding(None, AGENCY, 2023, "D1", "error", "另一个地区同名单位的问题", region="淮阴区"),
        Finding(None, "洪泽区教育局", 2023, "T1", "error", "逾期发布", region=REGION),
    ]


def test_agency_findings_and_notice_download(loaded, monkeypatch):
    at = open_agency(_engine, monkeypatch)
    table = table_with(at, "问题说明")
    assert sorted(table["状态"]) == ["已排除", "待处理"]
    assert "逾期发布" not in set(table["问题说明"])  # another agency's finding
    assert "另一个地区同名单位的问题" not in set(table["问题说明"])  # the same name in another region
    buttons = [el.proto.label for el in at.get("download_button")]
    assert "下载2023年整改通知单（1项）" in buttons
    # All agencies of 2023 with open findings: this one, its namesake of 淮阴区 and 洪泽区教育局.
    assert "2023年全部通知单（3个单位，ZIP）" in buttons


def test_link_opens_quality_on_the_report(loaded):
    st.cache_resource.clear()
    at = app_test().run()
    wanted = loaded[2024]  # no failed check: not the report the page would choose by itself
    at.query_params["report"] = str(wanted)
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.selectbox(key="quality_report")
    assert int(box.options[0].split("｜")[0]) != wanted
    assert box.value == wanted
    assert f"已选中报告 {wanted}" in "\n".join(i.value for i in at.info)
    # The reader may then choose another report: the address no longer forces its choice.
    other = next(int(o.split("｜")[0]) for o in box.options if int(o.split("｜")[0]) != wanted)
    at.selectbox(key="quality_report").set_value(other).run()
    assert at.selectbox(key="quality_report").value == other

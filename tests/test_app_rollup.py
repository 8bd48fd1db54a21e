"""AppTest of 汇总表 on a library with the real 洪泽区 and 淮安市 PDFs, two synthetic 洪泽区 departments
and a roster that names a department with no report."""

from __future__ import annotations

import pytest
from _app_support import app_test, library_at, metric, texts
from paths import HONGZE_2023, HONGZE_2024, HUAIAN

from library.synthetic import SyntheticSpec, synthetic_bytes, synthetic_parsed

ROSTER_CSV = (
    "机关名称,机关类型,地区,层级\n"
    "洪泽区人民政府,政府办,洪泽区,人民政府\n"
    "区教育局,教育,洪泽区,部门\n"
    "区财政局,财政,洪泽区,部门\n"
    "区卫生健康委员会,卫健,洪泽区,部门\n"
    "淮安市人民政府,政府办,淮安市,人民政府\n"
).encode()
PAGE = "app_pages/rollup.py"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    with library_at(tmp_path_factory.mktemp("rollup") / "library.sqlite"):
        from library.store import Library
        from parsing.api import parse_bytes

        lib = Library()
        parsed = {}
        for path in (HONGZE_2023, HONGZE_2024, HUAIAN):
            data = path.read_bytes()
            parsed[path.name] = parse_bytes(data, path.name)
            lib.add(parsed[path.name], data)
        for name in ("洪泽区教育局", "洪泽区财政局"):
            for year in (2023, 2024):
                p = synthetic_parsed(SyntheticSpec("洪泽区", name, "其他", year))
                lib.add(p, synthetic_bytes(p))
                parsed[(name, year)] = p
        lib.import_roster(ROSTER_CSV, "roster.csv")
        lib.close()
        yield parsed


def _open(**account):
    at = app_test(**account).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _html(at) -> str:
    return "\n".join(el.proto.body for el in at.get("html") if "rollup-table" in el.proto.body)


def test_rollup_page_shows_sums_lists_and_downloads(loaded):
    at = _open()
    assert at.title[0].value == "汇总表"
    at.selectbox(key="rollup_region").set_value("洪泽区")
    at.selectbox(key="rollup_year").set_value(2024).run()
    assert not at.exception, [e.value for e in at.exception]
    assert (metric(at, "计入报告"), metric(at, "缺报机关"), metric(at, "未计入报告")) == (
        "2 份",
        "1 个",
        "1 份",
    )
    tables = _html(at)
    # Three tables in the official layout: merged captions and headers, the standard labels.
    assert tables.count('<table class="rollup-table">') == 3
    assert '<th colspan="4">第二十条第（一）项</th>' in tables
    assert 'rowspan="3"' in tables and "法人或其他组织" in tables and "未经复议直接起诉" in tables
    key = "s3.r1_new_received.total"
    want = sum(loaded[(n, 2024)].cells[key].value for n in ("洪泽区教育局", "洪泽区财政局"))
    assert f"<td>{want}</td>" in tables
    page = texts(at)
    assert "区卫生健康委员会" in str([df.value for df in at.dataframe])
    assert "与本级政府年报对照" in [s.value for s in at.subheader]
    assert "淮安市洪泽区人民政府" in page
    assert {"rollup_xlsx", "rollup_docx"} <= {b.key for b in at.get("download_button")}
    # The government's own figures beside the sums, cell by cell.
    gov = next(df.value for df in at.dataframe if "政府年报" in df.value.columns).set_index("单元格")
    licensing = "第二十条第（五）项 · 行政许可 · 本年处理决定数量"
    key = "s2.art20_5.administrative_licensing.decisions"
    stated = loaded[HONGZE_2024.name].cells[key].value
    summed = sum(loaded[(n, 2024)].cells[key].value for n in ("洪泽区教育局", "洪泽区财政局"))
    assert gov.loc[licensing].tolist() == [str(summed), str(stated), str(summed - stated)]


def test_region_outside_the_scope_is_not_offered(loaded):
    at = _open(role="viewer", regions=("淮安市",))
    options = at.selectbox(key="rollup_region").options
    assert "洪泽区" not in options and "淮安市" in options


def test_page_opens_on_the_busiest_region_and_never_shows_a_table_of_nobody(loaded):
    at = _open()
    # 洪泽区 has three current 2024 reports, 淮安市 one: the page opens where there is something to sum.
    assert at.selectbox(key="rollup_region").value == "洪泽区"
    # 淮安市 2024: only the government's own report, which is compared against, never summed.
    at.selectbox(key="rollup_region").set_value("淮安市")
    at.selectbox(key="rollup_year").set_value(2024).run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "计入报告") == "0 份"
    assert _html(at) == ""  # no table of zeros
    assert not {"rollup_xlsx", "rollup_docx"} & {b.key for b in at.get("download_button")}
    assert any("没有可计入汇总的报告" in i.value for i in at.info)

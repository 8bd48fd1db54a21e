"""AppTest of 名录 and 发布情况 on a library with the real 洪泽区 and 淮安市 PDFs and a small roster that
names an agency with no report."""

from __future__ import annotations

from datetime import date

import pytest
from _app_support import app_test, chart, library_at, metric, signed_in_as, table_with, texts
from paths import HONGZE_2023, HONGZE_2024, HUAIAN

ROSTER_CSV = (
    "机关名称,机关类型,地区,层级\n"
    "洪泽区人民政府,政府,洪泽区,人民政府\n"
    "淮安市人民政府,政府,淮安市,人民政府\n"
    "区财政局,财政,洪泽区,部门\n"
).encode()
ROSTER_PAGE = "app_pages/roster.py"
COMPLETENESS_PAGE = "app_pages/completeness.py"


@pytest.fixture
def loaded(tmp_path):
    """A temp library with the three real PDFs and the roster (fresh per test: the tests write)."""
    with library_at(tmp_path / "library.sqlite"):
        from library.store import Library
        from parsing.api import parse_bytes

        lib = Library()
        for path in (HONGZE_2023, HONGZE_2024, HUAIAN):
            data = path.read_bytes()
            lib.add(parse_bytes(data, path.name), data)
        lib.import_roster(ROSTER_CSV, "roster.csv")
        lib.close()
        yield


def _open(page: str):
    at = app_test().run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _status(at, name: str) -> str:
    table = table_with(at, "状态")
    return str(table.set_index("机关").loc[name, "状态"])


def test_completeness_counts_list_and_charts(loaded):
    at = _open(COMPLETENESS_PAGE)
    assert at.title[0].value == "发布情况"
    at.selectbox(key="completeness_year").set_value(2023).run()
    assert (metric(at, "应发布"), metric(at, "已发布"), metric(at, "未发布")) == ("3 个", "1 个", "2 个")
    assert (metric(at, "按时"), metric(at, "逾期")) == ("0 个", "0 个")
    # 区财政局 has no report at all; 洪泽区's 2023 report states no date.
    assert _status(at, "区财政局") == "未发布"
    assert _status(at, "洪泽区人民政府") == "已发布（日期不详）"
    assert "1 个已发布但发布日期不详" in texts(at)
    by_region = chart(at, "completeness_by_region")
    assert {t["name"] for t in by_region["data"]} == {"未发布", "已发布（日期不详）"}
    chart(at, "completeness_by_type")


def test_completeness_workbook_reads_back(loaded):
    import io

    from openpyxl import load_workbook

    from charts.completeness import completeness_workbook
    from library.store import Library

    lib = Library()
    book = load_workbook(io.BytesIO(completeness_workbook(lib.completeness(2023))))
    lib.close()
    assert book.sheetnames == ["2023年度发布情况", "未列入名录的报告"]
    rows = list(book["2023年度发布情况"].values)
    assert rows[0][:6] == ("机关", "类型", "地区", "层级", "截止日期", "状态")
    assert {(r[0], r[5]) for r in rows[1:]} == {
        ("区财政局", "未发布"),
        ("淮安市人民政府", "未发布"),
        ("洪泽区人民政府", "已发布（日期不详）"),
    }


def test_reviewer_enters_a_late_date(loaded):
    at = _open(COMPLETENESS_PAGE)
    at.selectbox(key="completeness_year").set_value(2023).run()
    report = at.selectbox(key="completeness_report")
    hongze = next(o for o in report.options if "洪泽区人民政府" in o)
    report.set_value(_id_of(report, hongze)).run()
    at.date_input(key="completeness_day").set_value(date(2024, 4, 15))
    at.button[[b.label for b in at.button].index("保存日期")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _status(at, "洪泽区人民政府") == "逾期发布"
    row = table_with(at, "状态").set_index("机关").loc["洪泽区人民政府"]
    assert (row["发布日期"], row["日期来源"], row["逾期天数"]) == ("2024-04-15", "审核人员录入", "15")
    assert metric(at, "逾期") == "1 个"
    # Who entered it: the signed-in account (the form no longer asks for a name).
    assert f"（{signed_in_as('admin').label}，" in texts(at)


def _id_of(_select, label: str) -> int:
    """The option value (a report id) whose shown label is ``label``."""
    return int(label.rsplit("编号 ", 1)[1].rstrip("）"))


def test_completeness_without_roster(tmp_path):
    with library_at(tmp_path / "empty.sqlite"):
        at = _open(COMPLETENESS_PAGE)
        assert "尚未导入机关名录" in texts(at)


def test_roster_page_lists_entries_and_links(loaded):
    at = _open(ROSTER_PAGE)
    assert at.title[0].value == "名录"
    assert "当前名录（3 个机关）" in [s.value for s in at.subheader]
    links = table_with(at, "关联方式")
    assert set(links["关联方式"]) == {"名称一致"}
    assert set(links["名录中的机关"]) == {"洪泽区人民政府", "淮安市人民政府"}
    at.toggle(key="roster_only_open").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "所有报告都已关联到名录中的机关。" in [s.value for s in at.success]


def test_reviewer_links_a_report_by_hand(loaded):
    at = _open(ROSTER_PAGE)
    report = at.selectbox(key="roster_link_report")
    huaian = next(v for v in report.options if "淮安市人民政府" in v)
    report.set_value(_id_of(report, huaian)).run()
    entry = at.selectbox(key="roster_link_entry")
    entry.set_value(-1).run()  # 不在名录中
    at.button(key="roster_link_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    links = table_with(at, "关联方式").set_index("单位（报告）")
    assert links.loc["淮安市人民政府", "关联方式"] == "人工指定"
    assert links.loc["淮安市人民政府", "名录中的机关"] == ""
    at.toggle(key="roster_only_open").set_value(True).run()
    assert list(table_with(at, "关联方式")["单位（报告）"]) == ["淮安市人民政府"]

"""AppTest of the 总览 cards over several years: the latest year with its change, never a sum of years.

Library: 洪泽区人民政府 2023 and 2024 (one government, two years; real PDFs) and 淮安市人民政府 2024.
"""

from __future__ import annotations

import pytest
from _app_support import app_test, library_at, metric, table_with, texts
from paths import FIXTURES


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    path = tmp_path_factory.mktemp("ui_years") / "library.sqlite"
    with library_at(path):
        from library.store import Library
        from parsing.api import parse_bytes

        lib = Library()
        for name, year in (
            ("hongze-district-government-2023.pdf", 2023),
            ("hongze-district-government-2024.pdf", 2024),
        ):
            data = (FIXTURES / name).read_bytes()
            lib.add(parse_bytes(data, name), data, agency="洪泽区人民政府", region="洪泽区", year=year)
        data = (FIXTURES / "huaian-city-government-2024.pdf").read_bytes()
        lib.add(parse_bytes(data, "huaian-city-government-2024.pdf"), data, region="淮安市")
        lib.close()
        yield path


def _overview():
    at = app_test().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "总览"
    return at


def _card(at, label: str):
    return next(m for m in at.metric if m.label == label)


def test_cards_show_the_latest_year_and_its_change(loaded):
    at = _overview()
    # Two years selected (all): 2024 shows both governments; the change compares 洪泽区 alone, the
    # only agency with a report in both years (淮安市 has none of 2023: its 447,228 is no "increase").
    assert metric(at, "报告数") == "2 份"
    assert _card(at, "报告数").delta == "+0 份（较2023年）"
    licensing = _card(at, "行政许可处理决定")
    assert licensing.value == "456,715 件"  # 洪泽 9,487 + 淮安 447,228 in 2024, not 2023 + 2024
    assert licensing.delta == "+8,937 件（较2023年）"  # 洪泽 9,487 against 洪泽 550
    assert "2024 年" in licensing.help and "只比较 2023 年和 2024 年都有报告的 1 个单位" in licensing.help
    # 主动公开: 洪泽 2,428 + 淮安 "5500余条": a lower bound, shown with 余.
    assert metric(at, "主动公开信息") == "7,928余 条"
    assert "卡片显示其中最新的 **2024 年**，下方为较 2023 年的变化，只比较两年都有报告的 1 个单位" in texts(
        at
    )
    # The agency table shows 淮安's figure as the report wrote it.
    table = table_with(at, "主动公开（条）")
    assert "5,500余" in set(table["主动公开（条）"])


def test_one_year_selected_shows_no_change(loaded):
    at = _overview()
    at.sidebar.multiselect(key="f_years").set_value([2023]).run()
    card = _card(at, "行政许可处理决定")
    assert card.value == "550 件" and not card.delta


def test_agency_table_lists_its_first_rows_and_says_so(loaded, monkeypatch):
    """A province's table is cut to its first rows (in its order), with a caption saying where the rest is."""
    from charts import tables

    at = _overview()
    table = table_with(at, "主动公开（条）")
    assert len(table) == 3 and "此处按地区、单位、年度列出前" not in texts(at)
    monkeypatch.setattr(tables, "AGENCY_TABLE_ROWS", 2)
    at = _overview()
    shown = table_with(at, "主动公开（条）")
    assert shown["报告编号"].tolist() == table["报告编号"].tolist()[:2]
    assert "共 3 份报告，此处按地区、单位、年度列出前 2 份" in texts(at)

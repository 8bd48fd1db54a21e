"""The 简报包 read back with openpyxl: cards, agency table, filters, blanks and year order (issue 7, 3/14/9).

Library: the five sample reports, 洪泽区人民政府 2023 and 2024 and 淮安市人民政府 2024 (real PDFs).
"""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from paths import FIXTURES

from charts.image_export import briefing_zip
from library.export import export_csv, export_excel
from library.filters import Filters
from library.samples import load_samples
from library.store import Library
from page_registry import briefing_builders
from parsing.api import parse_bytes


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    library = Library(f"sqlite:///{tmp_path_factory.mktemp('brief') / 'lib.sqlite'}")
    load_samples(library)
    for year in (2023, 2024):
        name = f"hongze-district-government-{year}.pdf"
        data = (FIXTURES / name).read_bytes()
        library.add(parse_bytes(data, name), data, agency="洪泽区人民政府", region="洪泽区", year=year)
    data = (FIXTURES / "huaian-city-government-2024.pdf").read_bytes()
    library.add(parse_bytes(data, "huaian-city-government-2024.pdf"), data, region="淮安市")
    yield library
    library.close()


@pytest.fixture(scope="module")
def pack(lib: Library) -> tuple[str, openpyxl.Workbook]:
    filters = Filters()
    dataset = lib.dataset(filters)
    charts = [chart for build in briefing_builders() for chart in build(dataset)]
    data = briefing_zip(charts, filters_text="地区：全部；年度：全部", formats=(), dataset=dataset)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        readme = zf.read("说明.txt").decode("utf-8")
        book = openpyxl.load_workbook(io.BytesIO(zf.read("图表数据.xlsx")))
    return readme, book


def _rows(book: openpyxl.Workbook, prefix: str) -> list[tuple]:
    name = next(n for n in book.sheetnames if n.startswith(prefix))
    return list(book[name].iter_rows(values_only=True))


def test_readme_states_filters_and_cards(pack) -> None:
    readme, _ = pack
    assert "筛选条件：地区：全部；年度：全部" in readme and "生成时间：" in readme
    # The cards as on screen: 2024 (latest year); the change only for 洪泽区, the one agency with a
    # report in both years (9,487 against 550); 淮安's "5500余条" keeps its 余.
    assert "行政许可处理决定：456,715 件，+8,937 件（较2023年）" in readme
    assert "主动公开信息：7,928余 条" in readme
    assert "单位一览：8 份报告" in readme


def test_excel_has_cards_agency_table_and_filters(pack) -> None:
    _, book = pack
    assert book.sheetnames[:3] == ["说明", "总览卡片", "单位一览"]
    about = dict(_rows(book, "说明")[1:])
    assert about["筛选条件"] == "地区：全部；年度：全部"
    cards = {r[0]: r for r in _rows(book, "总览卡片")[1:]}
    # 现行有效件数 is a stock: 洪泽 8 + 淮安 66 in 2024, never 5 + 8 + 66 over the years. The change
    # compares 洪泽 alone (5 → 8): 淮安 has no 2023 report in the library.
    in_force = cards["行政规范性文件 现行有效件数（2021版）"]
    assert in_force[1:7] == (2024, 74, 2023, 5, 8, 3)
    # A figure no report of 2024 states is blank, not 0.
    assert cards["规章 本年新制作数量（2019版）"][2] is None
    agencies = _rows(book, "单位一览")
    header = agencies[0]
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in agencies[1:]}
    assert len(by_id) == 8
    huaian = next(r for r in by_id.values() if r["单位"] == "淮安市人民政府")
    assert huaian["主动公开（条）"] == 5500 and huaian["主动公开为约数"] == "是"
    shibing = next(r for r in by_id.values() if r["单位"] == "施秉县教育和科技局")
    assert shibing["主动公开（条）"] is None  # the report states no total: blank, as on screen


def test_blanks_stay_blank_and_years_ascend(pack) -> None:
    _, book = pack
    # 施秉县 2020 states no 主动公开 figure: the screen shows —, the sheet an empty cell (was 0).
    rows = _rows(book, "03_")
    assert rows[0] == ("单位", "2020年", "2021年", "2023年", "2024年")
    shibing = next(r for r in rows if str(r[0]).startswith("施秉县"))
    assert shibing[1:] == (None, None, None, None)
    # Applications per agency: year columns ascending (they came in first-seen order, 2021 first).
    assert _rows(book, "02_")[0][1:] == ("2020年", "2021年", "2023年", "2024年")
    # Rows by year ascending as numbers in a year-per-row table.
    years = [r[0] for r in _rows(book, "13_")[1:]]
    assert years == sorted(years)


def test_no_code_names_in_any_sheet(pack) -> None:
    _, book = pack
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                assert value not in ("unknown", "mixed", "None", "nan", "NaN"), (ws.title, row)  # text cells


def test_dataset_exports_show_chinese_names(lib: Library) -> None:
    df = lib.dataset()
    rows = list(csv.reader(io.StringIO(export_csv(df).decode("utf-8-sig"))))
    keys = rows[1]
    table = [dict(zip(keys, r, strict=True)) for r in rows[2:]]
    templates = {r["template"] for r in table}
    assert "unknown" not in templates and "未识别格式" in templates and "2019 版格式" in templates
    assert {r["n.proactive_total_approx"] for r in table} == {"是", ""}
    book = openpyxl.load_workbook(io.BytesIO(export_excel(df)))
    values = {v for row in book["标准化数据"].iter_rows(min_row=2, values_only=True) for v in row}
    assert not values & {"unknown", "mixed", "None", "nan"}
    kinds = {r[4] for r in book["字段说明"].iter_rows(min_row=2, values_only=True)}
    assert not kinds & {"count", "signed", "amount"}
    stock = {r[0]: r[6] for r in book["字段说明"].iter_rows(min_row=2, values_only=True)}
    assert stock["s2.art20_1.normative_documents.in_force"].startswith("存量")

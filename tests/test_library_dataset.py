"""The standardised dataset and its Excel/CSV exports, on real reports parsed by the real parser."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from paths import HUAIAN, shared_seeds

from library.dataset import META_COLUMNS, chinese_headers, dataset_columns, empty_dataset
from library.export import export_csv, export_excel, export_tables_excel
from library.filters import Filters
from library.store import Library
from parsing.api import parse_bytes
from parsing.schema import CELLS, NARRATIVE_KEYS


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory):
    """A library holding the five seeds and the 淮安 2024 PDF; returns (library, {report_id: parsed})."""
    lib = Library(f"sqlite:///{tmp_path_factory.mktemp('ds') / 'lib.sqlite'}")
    parsed = {}
    for path in [*shared_seeds(), HUAIAN]:
        data = path.read_bytes()
        report = parse_bytes(data, path.name)
        report_id, _ = lib.add(report, data)
        parsed[report_id] = report
    yield lib, parsed
    lib.close()


def huaian_id(parsed: dict) -> int:
    return next(i for i, p in parsed.items() if p.file == HUAIAN.name)


def test_one_row_per_report_with_stable_columns(stored) -> None:
    lib, parsed = stored
    df = lib.dataset()
    assert list(df.columns) == dataset_columns()
    assert list(df.columns[: len(META_COLUMNS)]) == META_COLUMNS
    assert len(df) == len(parsed) == 6
    assert set(df.columns) >= set(CELLS) | {f"n.{k}" for k in NARRATIVE_KEYS}


def test_values_are_exactly_the_parsed_cells(stored) -> None:
    lib, parsed = stored
    df = lib.dataset().set_index("report_id")
    for report_id, report in parsed.items():
        row = df.loc[report_id]
        assert row["agency"] == report.agency or (report.agency is None and pd.isna(row["agency"]))
        assert row["template"] == report.template
        for key in CELLS:
            cell = report.cells.get(key)
            if cell is None or cell.value is None:  # absent or blank: NaN, never 0
                assert math.isnan(row[key]), (report.file, key)
            else:
                assert row[key] == cell.value, (report.file, key)
        for key, value in report.narrative.items():
            assert row[f"n.{key}"] == value


def test_real_figures_of_the_huaian_report(stored) -> None:
    lib, parsed = stored
    row = lib.dataset().set_index("report_id").loc[huaian_id(parsed)]
    assert (row["agency"], row["region"], row["year"], row["template"]) == (
        "淮安市人民政府",
        "淮安市",
        2024,
        "2021",
    )
    assert row["s3.r1_new_received.total"] == 3119
    assert row["s2.art20_8.administrative_fees.fee_amount_wan_yuan"] == pytest.approx(96171.6)
    assert row["s4.review_total"] == 351
    assert math.isnan(row["s2.art20_1.normative_documents.new_made"])  # a 2019 column in a 2021 report


def test_filters_apply_to_the_dataset(stored) -> None:
    lib, parsed = stored
    assert set(lib.dataset(Filters(years=[2024]))["report_id"]) == {huaian_id(parsed)}
    assert set(lib.dataset(Filters(templates=["2019"]))["template"]) == {"2019"}
    assert len(lib.dataset(Filters(regions=["淮安市", "施秉县"]))) == 2
    assert lib.dataset(Filters(regions=["不存在的县"])).empty


def test_chinese_headers_are_unique_and_say_the_version() -> None:
    headers = chinese_headers()
    assert set(headers) == set(dataset_columns())
    assert len(set(headers.values())) == len(headers)
    assert (
        headers["s2.art20_1.normative_documents.new_made"]
        == "二｜第二十条第（一）项｜规范性文件 / 本年新制作数量（2019版）"
    )
    assert headers["s2.art20_1.normative_documents.in_force"].endswith("现行有效件数（2021版）")
    assert "版）" not in headers["s2.art20_5.administrative_licensing.decisions"]  # shared by both versions
    assert headers["s3.r1_new_received.total"] == "三｜一、本年新收政府信息公开申请数量 / 总计"
    assert headers["n.proactive_total"] == "正文｜主动公开政府信息（条）"


def test_export_csv_has_bom_chinese_and_key_rows(stored) -> None:
    lib, parsed = stored
    df = lib.dataset()
    raw = export_csv(df)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["报告编号", "单位", "地区", "年度"]
    assert rows[1] == dataset_columns()
    assert len(rows) == 2 + len(df)
    by_id = {r[0]: dict(zip(rows[1], r, strict=True)) for r in rows[2:]}
    huaian = by_id[str(huaian_id(parsed))]
    assert huaian["s3.r1_new_received.total"] == "3119"  # an integer, not 3119.0
    assert huaian["s2.art20_8.administrative_fees.fee_amount_wan_yuan"] == "96171.6"
    assert huaian["s2.art20_1.normative_documents.new_made"] == ""  # absent stays empty
    only_keys = list(csv.reader(io.StringIO(export_csv(df, headers="key").decode("utf-8-sig"))))
    assert only_keys[0] == dataset_columns() and len(only_keys) == 1 + len(df)


def test_export_excel_has_data_and_key_sheets(stored) -> None:
    lib, parsed = stored
    df = lib.dataset()
    wb = openpyxl.load_workbook(io.BytesIO(export_excel(df)))
    assert wb.sheetnames == ["标准化数据", "字段说明"]
    data = wb["标准化数据"]
    header = [c.value for c in data[1]]
    assert header == [chinese_headers()[k] for k in dataset_columns()]
    assert data.max_row == 1 + len(df)
    col = {k: i for i, k in enumerate(dataset_columns())}
    rows = {r[0]: r for r in data.iter_rows(min_row=2, values_only=True)}
    huaian = rows[huaian_id(parsed)]
    assert huaian[col["s3.r1_new_received.total"]] == 3119 and isinstance(
        huaian[col["s3.r1_new_received.total"]], int
    )
    assert huaian[col["s2.art20_8.administrative_fees.fee_amount_wan_yuan"]] == pytest.approx(96171.6)
    assert huaian[col["s2.art20_1.normative_documents.new_made"]] is None
    keys = wb["字段说明"]
    key_rows = list(keys.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in key_rows] == dataset_columns()
    assert "s2.art20_8.administrative_fees.fee_amount_wan_yuan" in {r[0] for r in key_rows if r[5] == "万元"}


def test_export_tables_excel_names_sheets_safely() -> None:
    tables = {
        "规章/规范性文件（按单位和年度，2019版与2021版分列）": pd.DataFrame({"a": [1.0, 2.0]}),
        "规章/规范性文件（按单位和年度，2019版与2021版分列）第二张": pd.DataFrame({"b": ["x"]}),
    }
    wb = openpyxl.load_workbook(io.BytesIO(export_tables_excel(tables)))
    assert len(wb.sheetnames) == 2 and len(set(wb.sheetnames)) == 2
    assert all(len(n) <= 31 and "/" not in n for n in wb.sheetnames)
    assert [c.value for c in wb[wb.sheetnames[0]]["A"]] == ["a", 1, 2]
    empty = openpyxl.load_workbook(io.BytesIO(export_tables_excel({})))
    assert empty.sheetnames == ["说明"]


def test_empty_library_gives_an_empty_dataset_with_all_columns(tmp_path: Path) -> None:
    lib = Library(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    df = lib.dataset()
    assert df.empty and list(df.columns) == dataset_columns()
    assert list(empty_dataset().columns) == dataset_columns()
    assert export_csv(df).decode("utf-8-sig").count("\n") == 2  # the two header rows
    lib.close()

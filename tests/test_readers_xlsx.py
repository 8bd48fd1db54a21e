"""XLSX reader: sheets as tables, merged ranges once, numbers as the sheet shows them."""

from __future__ import annotations

import io

import openpyxl
from test_fixtures_real import HUAIAN_S3_ROWS, HUAIAN_S4

from parsing.api import parse_bytes
from parsing.readers import sniff
from parsing.readers import xlsx as xlsx_reader
from parsing.schema import S3_COLUMNS, S3_CORNER_NOTE, s3_rows


def _workbook() -> bytes:
    """Tables 三 and 四 of the 淮安 report typed into a sheet the way an office keeps them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "依申请公开"
    ws.append(["淮安市人民政府2024年政府信息公开工作年度报告"])
    ws.append([S3_CORNER_NOTE, None, None, "申请人情况"])
    ws.merge_cells("A2:C4")
    ws.merge_cells("D2:J2")
    ws.append([None, None, None, "自然人", "法人或其他组织", None, None, None, None, "总计"])
    ws.append([None, None, None, None] + [label for _, label in S3_COLUMNS[1:6]])
    for row in s3_rows("2021"):
        values = HUAIAN_S3_ROWS[row.key]
        ws.append([row.label, None, None, *[float(v) if i == 6 else v for i, v in enumerate(values)]])
    hidden = wb.create_sheet("草稿")
    hidden.append(["行政许可", 1])
    hidden.sheet_state = "hidden"
    s4 = wb.create_sheet("复议诉讼")
    s4.append(["行政复议", None, None, None, None, "行政诉讼"])
    s4.append(
        [
            "结果维持",
            "结果纠正",
            "其他结果",
            "尚未审结",
            "总计",
            "未经复议直接起诉",
            None,
            None,
            None,
            None,
            "复议后起诉",
        ]
    )
    s4.append([None] * 5 + ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)
    s4.append(list(HUAIAN_S4))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_sheet_grid_and_merges():
    data = _workbook()
    assert sniff.sniff(data, "stats.xls") == "xlsx"
    doc = xlsx_reader.read(data, "stats.xlsx")
    texts = [[c.text for c in row] for row in doc.rows]
    assert texts[1][:2] == [S3_CORNER_NOTE, "申请人情况"]  # merged ranges emitted once
    assert texts.count(["行政许可", "1"]) == 0  # hidden sheet skipped
    assert ["一、本年新收政府信息公开申请数量", "", "", "3001", "53", "0", "0", "61", "4", "3119"] in texts
    assert doc.rows[1][1].source.col == 3
    assert {c.source.table for row in doc.rows for c in row} == {0, 1}


def test_workbook_parses_to_the_huaian_cells():
    report = parse_bytes(_workbook(), "stats.xlsx")
    assert report.error is None and report.format == "xlsx"
    values = report.values()
    for row, expected in HUAIAN_S3_ROWS.items():
        assert tuple(values[f"s3.{row}.{col}"] for col, _ in S3_COLUMNS) == expected, row
    assert values["s4.review_total"] == 351 and values["s4.lit_after_review_total"] == 20


def test_format_value():
    assert xlsx_reader.format_value(3119.0) == "3119"
    assert xlsx_reader.format_value(96171.6) == "96171.6"
    assert xlsx_reader.format_value(0.1 + 0.2) == "0.3"
    assert xlsx_reader.format_value(None) == ""
    assert xlsx_reader.format_value("  行政\u3000许可 ") == "行政许可"

"""Roster import and export (library/roster_io.py and Library.import_roster): Excel and CSV, liberal
headers, bad rows reported in Chinese, export read back."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from paths import HONGZE_2023

from library.roster_io import RosterRow, export_csv, export_xlsx, read_roster


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


XLSX_ROWS = [
    ["洪泽区应发布年报机关名单（2024年）"],  # a title row above the header
    [],
    ["序号", "机关名称（必填）", "机关类型", "所属地区", "级别", "简称"],
    [1, "洪泽区人民政府", "政府", "洪泽区", "本级政府", "洪泽区政府、区政府"],
    [2, "区财政局", "财政", "洪泽区", "部门", None],
    [3, None, "教育", "洪泽区", "部门", None],
    [4, "高良涧街道办事处", "街道", "洪泽区", None, None],
    [5, "区教育局", "教育", "洪泽区", "科级", None],
    [6, "区财政局", "财政", "洪泽区", "部门", None],
    [7, "区财政局", "财政", "淮阴区", "部门", None],
]


def test_xlsx_with_title_row_and_other_headers():
    read = read_roster(_xlsx(XLSX_ROWS), "名录.xlsx")
    names = [(r.name, r.region, r.level) for r in read.rows]
    assert names == [
        ("洪泽区人民政府", "洪泽区", "人民政府"),
        ("区财政局", "洪泽区", "部门"),
        ("高良涧街道办事处", "洪泽区", "乡镇街道"),  # level left blank: guessed from the name, and said so
        ("区财政局", "淮阴区", "部门"),  # the same short name in another region is another agency
    ]
    assert read.rows[0].aliases == ("洪泽区政府", "区政府")
    assert read.rows[0].agency_type == "政府"
    # Spreadsheet row numbers, and why each row was left out.
    assert read.skipped == [
        (6, "名称为空"),
        (8, "层级“科级”无法识别（应为 部门、人民政府、乡镇街道）"),
        (9, "与第 5 行重复（名称和地区相同）"),
    ]
    assert any("序号" in n for n in read.notes)  # an unused column is named
    assert any("按名称推断" in n for n in read.notes)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_in_utf8_or_gb18030(encoding):
    text = (
        "名称,类型,地区,层级\n淮安市人民政府,政府,淮安市,人民政府\n区财政局,财政,洪泽区,\n,教育,洪泽区,部门\n"
    )
    read = read_roster(text.encode(encoding), "roster.csv")
    assert [(r.name, r.level) for r in read.rows] == [("淮安市人民政府", "人民政府"), ("区财政局", "部门")]
    assert read.skipped == [(4, "名称为空")]


def test_tab_separated_with_english_headers():
    read = read_roster("name\tregion\tlevel\n某县教育局\t某县\t部门\n".encode(), "roster.csv")
    assert [(r.name, r.region) for r in read.rows] == [("某县教育局", "某县")]


def test_no_name_column_and_unreadable_files():
    read = read_roster("地区,层级\n洪泽区,部门\n".encode(), "roster.csv")
    assert not read.rows and "未找到名称列" in read.notes[0]
    broken = read_roster(b"PK\x03\x04 not really a workbook", "名录.xlsx")
    assert not broken.rows and "无法读取文件" in broken.notes[0]


def test_export_reads_back():
    rows = [
        RosterRow("洪泽区人民政府", "政府", "洪泽区", "人民政府", ("洪泽区政府",)),
        RosterRow("区财政局", None, "淮阴区", "部门"),
    ]
    for data, name in ((export_xlsx(rows), "x.xlsx"), (export_csv(rows), "x.csv")):
        again = read_roster(data, name)
        assert [(r.name, r.agency_type, r.region, r.level, r.aliases) for r in again.rows] == [
            (r.name, r.agency_type, r.region, r.level, r.aliases) for r in rows
        ]
        assert not again.skipped
    sheet = load_workbook(io.BytesIO(export_xlsx(rows))).active
    assert [c.value for c in sheet[1]] == ["名称", "类型", "地区", "层级", "别名"]
    assert export_csv(rows).startswith("\ufeff名称".encode())  # BOM: Excel opens the Chinese correctly


def test_library_import_merge_and_replace(tmp_path):
    from library.store import Library

    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    first = lib.import_roster(_xlsx(XLSX_ROWS), "名录.xlsx")
    assert (first.added, first.updated, len(first.skipped)) == (4, 0, 3)
    # Merge: the same agency (name and region) is updated, a new one added.
    csv = "名称,类型,地区,层级\n区财政局,财政局,洪泽区,部门\n区统计局,统计,洪泽区,部门\n".encode()
    merged = lib.import_roster(csv, "more.csv")
    assert (merged.added, merged.updated, merged.removed) == (1, 1, 0)
    assert len(lib.roster()) == 5
    assert {r.agency_type for r in lib.roster() if r.name == "区财政局" and r.region == "洪泽区"} == {
        "财政局"
    }
    # Replace: what the file does not list is removed.
    replaced = lib.import_roster(csv, "more.csv", replace=True)
    assert replaced.removed == 3
    assert sorted(r.name for r in lib.roster()) == ["区统计局", "区财政局"]
    # A file without a single good row changes nothing.
    empty = lib.import_roster("名称\n\n".encode(), "empty.csv", replace=True)
    assert empty.added == 0 and len(lib.roster()) == 2
    lib.close()


def test_editor_table_round_trip_and_new_rows():
    import pandas as pd

    from charts.roster import ID_HEADER, editor_frame, rows_from_editor

    # An empty roster still gives text columns (a float column is refused by the editor's text columns).
    empty = editor_frame([])
    assert all(str(empty[c].dtype) == "string" for c in empty.columns if c != ID_HEADER)
    rows = [RosterRow("洪泽区人民政府", "政府", "洪泽区", "人民政府", ("洪泽区政府",), 1)]
    frame = editor_frame(rows)
    assert rows_from_editor(frame) == rows
    # Rows added in the editor: <NA> and None cells, aliases written with commas; a blank row is dropped.
    added = pd.DataFrame(
        [
            {
                ID_HEADER: pd.NA,
                "名称": "区统计局",
                "类型": None,
                "地区": "洪泽区",
                "层级": pd.NA,
                "别名": "统计局，区统计",
            },
            {ID_HEADER: pd.NA, "名称": pd.NA, "类型": None, "地区": None, "层级": None, "别名": None},
        ]
    )
    edited = pd.concat([frame, added.astype(frame.dtypes.to_dict())], ignore_index=True)
    assert rows_from_editor(edited)[1] == RosterRow(
        "区统计局", None, "洪泽区", "部门", ("统计局", "区统计"), None
    )
    assert len(rows_from_editor(edited)) == 2


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("坏表格.xlsx", b"PK\x03\x04" + b"\x00" * 500),
        ("乱码.csv", bytes(range(256)) * 20),
        ("其实是PDF.csv", HONGZE_2023.read_bytes()),
    ],
)
def test_unreadable_roster_file_gets_a_chinese_reason_without_python_names(name: str, data: bytes) -> None:
    out = read_roster(data, name)
    assert out.rows == []
    [note] = out.notes
    assert note.startswith(f"无法读取文件“{name}”") and "Excel" in note
    assert not any(word in note for word in ("Error", "BadZip", "Exception", "Traceback"))

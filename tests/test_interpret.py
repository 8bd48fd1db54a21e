"""The interpreter (parsing/interpret.py) on its own: a neutral Document (rows of cells, as every reader
produces them: parsing/document.py, parsing/readers/grid.py) → canonical cells.

No file and no reader is involved, so a failure here points at the interpreter. The tables are
invented, written the way the official templates lay them out; expected values are read off them.
"""

from __future__ import annotations

import pytest

from parsing.document import Document, Source, SourceCell
from parsing.interpret import Interpretation, heading, interpret
from parsing.matching import Matcher

S2_HEADING = ["二、主动公开政府信息情况"]
S3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
S3_HEAD = [
    ["三、收到和处理政府信息公开申请情况"],
    [S3_CORNER, "申请人情况"],
    ["自然人", "法人或其他组织", "总计"],
    ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
]
S4_HEAD = [
    ["四、政府信息公开行政复议、行政诉讼情况"],
    ["行政复议", "行政诉讼"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
]
S4_KEYS = [
    f"s4.{group}_{col}"
    for group in ("review", "lit_direct", "lit_after_review")
    for col in ("upheld", "corrected", "other", "pending", "total")
]


def grid(rows: list[list[str]], kind: str = "html", **extra: set[int]) -> Document:
    """A one-table grid document: each cell's source is its (table 0, row, column) slot."""
    cells = [
        [SourceCell(text, Source(kind, table=0, row=r, col=c)) for c, text in enumerate(row)]
        for r, row in enumerate(rows)
    ]
    return Document(kind, cells, text="\n".join("\t".join(row) for row in rows), **extra)


def lines(rows: list[list[str]]) -> Document:
    """A text dump: one row per line, no row end to be trusted (every row is loose)."""
    cells = [[SourceCell(text, Source("text", line=i + 1)) for text in row] for i, row in enumerate(rows)]
    text = "\n".join("\t".join(row) for row in rows)
    return Document("txt", cells, text=text, loose_rows=set(range(len(rows))))


def found(result: Interpretation, prefix: str = "") -> dict[str, int | float | None]:
    return {k: c.value for k, c in result.cells.items() if k.startswith(prefix)}


# ------------------------------------------------------------------ section 二


def test_section_2_grid_gives_values_flags_labels_and_sources() -> None:
    result = interpret(
        grid(
            [
                S2_HEADING,
                ["第二十条第（一）项"],
                ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                ["规章", "0", "", "3"],
                ["行政规范性文件", "4", "1", "33"],
                ["第二十条第（五）项"],
                ["信息内容", "本年处理决定数量"],
                ["行政许可", "1,520"],
            ]
        )
    )
    assert found(result) == {
        "s2.art20_1.regulations.issued": 0,
        "s2.art20_1.regulations.repealed": None,
        "s2.art20_1.regulations.in_force": 3,
        "s2.art20_1.normative_documents.issued": 4,
        "s2.art20_1.normative_documents.repealed": 1,
        "s2.art20_1.normative_documents.in_force": 33,
        "s2.art20_5.administrative_licensing.decisions": 1520,
    }
    blank = result.cells["s2.art20_1.regulations.repealed"]
    assert (blank.raw, blank.flag) == ("", "blank")  # a blank cell is kept as blank, never 0
    zero = result.cells["s2.art20_1.regulations.issued"]
    assert (zero.raw, zero.flag) == ("0", "ok")
    licensing = result.cells["s2.art20_5.administrative_licensing.decisions"]
    assert licensing.raw == "1,520" and licensing.label == "行政许可 / 本年处理决定数量"
    assert licensing.source == Source("html", table=0, row=7, col=1)
    assert licensing.score == 100.0
    assert result.table_versions == {"s2": "2021"} and result.template == "2021"
    assert result.warnings == [] and result.unmatched_labels == [] and result.unread_tables == []


def test_section_2_columns_decide_the_2019_version() -> None:
    result = interpret(
        grid(
            [
                S2_HEADING,
                ["第二十条第（一）项"],
                ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
                ["规范性文件", "5", "5", "61"],
            ]
        )
    )
    assert found(result) == {
        "s2.art20_1.normative_documents.new_made": 5,
        "s2.art20_1.normative_documents.new_published": 5,
        "s2.art20_1.normative_documents.total_published": 61,
    }
    assert result.table_versions == {"s2": "2019"}


def test_unknown_row_is_unmatched_and_its_values_go_nowhere() -> None:
    rows = [S2_HEADING, ["第二十条第（五）项"], ["信息内容", "本年处理决定数量"], ["红头许可", "7"]]
    result = interpret(grid(rows))
    assert result.cells == {}
    assert result.unmatched_labels == ["红头许可"]
    assert any("未识别的表格行：红头许可" in w for w in result.warnings)
    assert [t["code"] for t in result.unread_tables] == ["no_values"]


def test_reviewer_override_given_to_the_matcher_places_the_row() -> None:
    rows = [S2_HEADING, ["第二十条第（五）项"], ["信息内容", "本年处理决定数量"], ["红头许可", "7"]]
    result = interpret(grid(rows), Matcher({"红头许可": "s2.row.art20_5.administrative_licensing"}))
    assert found(result) == {"s2.art20_5.administrative_licensing.decisions": 7}
    assert any(m.text == "红头许可" and m.tier == "override" for m in result.labels)


@pytest.mark.parametrize("make", [grid, lines], ids=["grid_rows", "text_lines"])
def test_values_on_the_row_after_their_label(make) -> None:
    """A label alone on its line and its value on the next: in a grid and in a text dump alike."""
    rows = [
        S2_HEADING,
        ["第二十条第（五）项"],
        ["信息内容", "本年处理决定数量"],
        ["行政许可"],
        ["88"],
        ["第二十条第（六）项"],
        ["信息内容", "本年处理决定数量"],
        ["行政处罚"],
        ["36"],
        ["行政强制"],
        ["2"],
    ]
    assert found(interpret(make(rows))) == {
        "s2.art20_5.administrative_licensing.decisions": 88,
        "s2.art20_6.administrative_penalty.decisions": 36,
        "s2.art20_6.administrative_coercion.decisions": 2,
    }


# ------------------------------------------------------------------ section 三

S3_ROWS = [
    ["一、本年新收政府信息公开申请数量", "9", "2", "0", "0", "1", "0", "12"],
    ["二、上年结转政府信息公开申请数量", "1", "0", "0", "0", "0", "0"],  # 6 values for 7 columns
    ["三、本年度办理结果", "（一）予以公开", "4", "0", "0", "0", "0", "0", "4"],
    ["— 4 —"],  # a page number printed inside the table
    ["四、结转下年度继续办理", "0", "0", "0", "0", "0", "0", "0"],
]


def test_section_3_rows_group_cells_and_page_numbers() -> None:
    result = interpret(grid(S3_HEAD + S3_ROWS))
    assert found(result, "s3.r1_new_received.") == {
        "s3.r1_new_received.natural_person": 9,
        "s3.r1_new_received.commercial_enterprise": 2,
        "s3.r1_new_received.research_institution": 0,
        "s3.r1_new_received.public_interest_org": 0,
        "s3.r1_new_received.legal_service_org": 1,
        "s3.r1_new_received.other_org": 0,
        "s3.r1_new_received.total": 12,
    }
    # the group cell (三、本年度办理结果) before the row label: values start after both
    granted = result.cells["s3.r3_1_granted.natural_person"]
    assert (granted.value, granted.source.col, granted.label) == (4, 2, "（一）予以公开 / 自然人")
    assert result.cells["s3.r3_1_granted.total"].value == 4
    # the page number between rows is no value: the next row keeps its seven zeros
    assert list(found(result, "s3.r4_carry_forward.").values()) == [0] * 7


def test_section_3_row_with_a_missing_value_is_reported_not_shifted() -> None:
    result = interpret(grid(S3_HEAD + S3_ROWS))
    assert not any(k.startswith("s3.r2_") for k in result.cells)
    assert any(
        "二、上年结转政府信息公开申请数量" in w and "6 个数值，应为 7 个" in w for w in result.warnings
    )


def _clipped_grid(clipped: bool) -> Document:
    """Table 三 with its header cells in their grid columns and one row cut after 4 values."""
    placed = [
        [(0, "三、收到和处理政府信息公开申请情况")],
        [(0, S3_CORNER), (2, "申请人情况")],
        [(2, "自然人"), (3, "法人或其他组织"), (8, "总计")],
        [(3, "商业企业"), (4, "科研机构"), (5, "社会公益组织"), (6, "法律服务机构"), (7, "其他")],
        [(0, "一、本年新收政府信息公开申请数量"), (2, "9"), (3, "2"), (4, "0"), (5, "0")],
    ]
    rows = [
        [SourceCell(t, Source("pdf", table=0, row=r, col=c, page=1)) for c, t in row]
        for r, row in enumerate(placed)
    ]
    return Document("pdf", rows, clipped_rows={4} if clipped else set())


def test_row_cut_by_the_page_edge_keeps_its_printed_columns() -> None:
    result = interpret(_clipped_grid(clipped=True))
    assert found(result) == {
        "s3.r1_new_received.natural_person": 9,
        "s3.r1_new_received.commercial_enterprise": 2,
        "s3.r1_new_received.research_institution": 0,
        "s3.r1_new_received.public_interest_org": 0,
    }
    assert any("超出页面右边缘" in w for w in result.warnings)


def test_the_same_short_row_not_cut_by_the_page_is_not_guessed() -> None:
    result = interpret(_clipped_grid(clipped=False))
    assert result.cells == {}
    assert [t["code"] for t in result.unread_tables] == ["values_unplaced"]


# ------------------------------------------------------------------ section 四


def test_section_4_fifteen_values() -> None:
    result = interpret(grid(S4_HEAD + [[str(i) for i in range(1, 16)]]))
    assert found(result) == dict(zip(S4_KEYS, range(1, 16), strict=True))


def test_section_4_blank_row_is_fifteen_blank_cells_not_zeros() -> None:
    result = interpret(grid(S4_HEAD + [[""] * 15]))
    assert found(result) == dict.fromkeys(S4_KEYS)
    assert {c.flag for c in result.cells.values()} == {"blank"}


def test_section_4_with_fourteen_values_is_not_guessed() -> None:
    result = interpret(grid(S4_HEAD + [[str(i) for i in range(1, 15)]]))
    assert result.cells == {}
    assert any("有 14 个数值，应为 15 个" in w for w in result.warnings)
    assert result.unread_tables == [
        {
            "table": "s4",
            "code": "values_unplaced",
            "reason": "数值无法对应到表格的行和列（原因见本表的其他提示）",
        }
    ]


# ------------------------------------------------------------------ document level


def test_report_without_tables_says_so() -> None:
    title = "某县人民政府办公室2021年政府信息公开工作年度报告"
    doc = Document(
        "txt",
        [[SourceCell(title, Source("text", line=1))]],
        text=f"{title}\n二、主动公开政府信息情况\n本年度按要求公开各类信息。",
    )
    result = interpret(doc)
    assert result.cells == {}
    assert result.report_signs  # recognised as a report by its title and headings
    assert [t["code"] for t in result.unread_tables] == ["no_tables"]


@pytest.mark.parametrize(
    ("versions", "template"),
    [
        ({}, "unknown"),
        ({"s2": "2019"}, "2019"),
        ({"s2": "2021", "s3": "2021", "s4": "2021"}, "2021"),
        ({"s2": "2019", "s3": "2021"}, "mixed"),
        ({"s4": "2019"}, "unknown"),
    ],
)
def test_template_is_read_from_tables_2_and_3(versions: dict[str, str], template: str) -> None:
    assert Interpretation(table_versions=versions).template == template


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("二、主动公开政府信息情况", "s2"),
        ("二、主動公開政府信息情況", "s2"),  # traditional characters
        ("三、收到和处理政府信息公开申请情况", "s3"),
        (S3_CORNER, "s3"),  # the corner note of table 三 opens it too
        ("四、政府信息公开行政复议、行政诉讼情况", "s4"),
        ("五、存在的主要问题及改进情况", "end"),
        ("六、其他需要报告的事项", "end"),
        ("行政许可", None),
        ("本机关主动公开政府信息情况良好。", None),  # a sentence is no heading
    ],
)
def test_heading(text: str, section: str | None) -> None:
    assert heading(text) == section

"""Domain reference §7.3, table structure: corner notes, empty columns, label areas, flat and
vertical rows, values on the next line, wrapped labels, cells run together.

One focused test per variant of the domain reference §7 and per item of the parsing-core issue
(split by topic from the former test_variants.py; helpers in variants_support.py). Each test parses a
small, realistic report snippet and checks what the parser must get from it.
"""

from __future__ import annotations

import pytest
from render_text import full_spec, render
from variants_support import (
    S2,
    S3,
    S3_HEAD_TABS,
    S4,
    S5,
    TITLE_2020,
    TITLE_2021,
    clean,
    parse,
    s3_row,
    values,
)

from parsing import schema

# --------------------------------------------------------------------------- §7.3 structure


@pytest.mark.parametrize("style", ["tabs", "pipes"])
def test_corner_note_as_first_header_cell(style: str) -> None:
    head = S3_HEAD_TABS
    row = "一、本年新收政府信息公开申请数量\t8\t1\t0\t2\t0\t0\t11\n"
    if style == "pipes":
        head, row = head.replace("\t", " | "), row.replace("\t", " | ")
    report = parse(TITLE_2021 + head + row + S5)
    clean(report)
    assert s3_row(report, "r1_new_received") == (8, 1, 0, 2, 0, 0, 11)


def test_extra_empty_columns() -> None:
    report = parse(
        TITLE_2021
        + S2
        + "第二十条第（一）项\t\t\t\t\t\t\n信息内容\t\t本年制发件数\t\t本年废止件数\t\t现行有效件数\n"
        "规章\t\t0\t\t0\t\t1\n行政规范性文件\t\t7\t\t2\t\t45\n"
        + S3_HEAD_TABS
        + "一、本年新收政府信息公开申请数量\t\t5\t\t1\t\t0\t\t0\t\t0\t\t0\t\t6\t\t\n"
        + S5
    )
    clean(report)
    assert values(report, "s2.art20_1.normative_documents.") == {"issued": 7, "repealed": 2, "in_force": 45}
    assert s3_row(report, "r1_new_received") == (5, 1, 0, 0, 0, 0, 6)


@pytest.mark.parametrize("width", [1, 2, 3])
def test_label_area_one_to_three_columns(width: int) -> None:
    rows = [
        ("三、本年度办理结果", None, "（一）予以公开", "4\t0\t0\t0\t0\t0\t4"),
        (None, "（三）不予公开", "1.属于国家秘密", "1\t0\t0\t0\t0\t0\t1"),
        (None, None, "2.其他法律行政法规禁止公开", "0\t2\t0\t0\t0\t0\t2"),
    ]
    lines = []
    for group, sub, label, vals in rows:
        if width == 1:  # group labels on their own rows, no padding
            lines += [g for g in (group, sub) if g]
            lines.append(f"{label}\t{vals}")
        elif width == 2:
            lines += [g for g in (group,) if g]
            lines.append(f"{sub or ''}\t{label}\t{vals}")
        else:
            lines.append(f"{group or ''}\t{sub or ''}\t{label}\t{vals}")
    report = parse(TITLE_2021 + S3_HEAD_TABS + "\n".join(lines) + "\n" + S5)
    clean(report)
    assert s3_row(report, "r3_1_granted") == (4, 0, 0, 0, 0, 0, 4)
    assert s3_row(report, "r3_3_1_state_secret") == (1, 0, 0, 0, 0, 0, 1)
    assert s3_row(report, "r3_3_2_prohibited_by_law") == (0, 2, 0, 0, 0, 0, 2)


S4_HEAD_LINES = (
    S4
    + "行政复议\n行政诉讼\n结果维持\n结果纠正\n其他结果\n尚未审结\n总计\n未经复议直接起诉\n复议后起诉\n"
    + "结果维持\n结果纠正\n其他结果\n尚未审结\n总计\n" * 2
)
S4_VALUES = (1, 0, 0, 0, 1, 2, 0, 0, 1, 3, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    "sep",
    ["\n", "\t", " | ", "  "],
    ids=["one_per_line", "tabs", "pipes", "padded"],
)
def test_section_4_as_one_flat_row(sep: str) -> None:
    report = parse(TITLE_2021 + S4_HEAD_LINES + sep.join(map(str, S4_VALUES)) + "\n" + S5)
    clean(report)
    assert [report.cells[f"s4.{k}"].value for k in schema.S4_COL_KEYS] == list(S4_VALUES)


def test_section_4_flat_row_with_single_spaces() -> None:
    """PDF text extraction gives '1 0 0 0 1 2 0 0 1 3 0 0 0 0 0': 15 numbers, not one split number."""
    report = parse(TITLE_2021 + S4_HEAD_LINES + " ".join(map(str, S4_VALUES)) + "\n" + S5)
    clean(report)
    assert [report.cells[f"s4.{k}"].value for k in schema.S4_COL_KEYS] == list(S4_VALUES)


@pytest.mark.parametrize(
    ("fees", "procurement", "expected"),
    [
        ("4 0", "12 8040", (4, 0, 12, 8040, None)),
        ("4 增5", "12 125万元", (4, 5, 12, 125, "万元")),
        ("3 -1 30", None, None),
    ],
)
def test_values_on_the_line_after_the_label(
    fees: str, procurement: str | None, expected: tuple | None
) -> None:
    """PDF text: a row's values on one line after its label, separated by single spaces."""
    if procurement is None:  # a 3-value v2019 row: (五) 行政许可
        report = parse(
            TITLE_2020
            + S2
            + "第二十条第（五）项\n信息内容\n上一年项目数量\n本年增/减\n处理决定数量\n行政许可\n"
            + fees
            + "\n"
            + S5
        )
        clean(report)
        assert values(report, "s2.art20_5.administrative_licensing.") == {
            "prev_year_items": 3,
            "items_change": -1,
            "decisions": 30,
        }
        return
    report = parse(
        TITLE_2020
        + S2
        + "第二十条第（八）项\n信息内容\n上一年项目数量\n本年增/减\n行政事业性收费\n"
        + fees
        + "\n"
        "第二十条第（九）项\n信息内容\n采购项目数量\n采购总金额\n政府集中采购\n" + procurement + "\n" + S5
    )
    clean(report)
    prev, change, items, amount, unit = expected
    assert values(report, "s2.art20_8.administrative_fees.") == {
        "prev_year_items": prev,
        "items_change": change,
    }
    assert report.cells["s2.art20_9.centralized_procurement.procurement_items"].value == items
    cell = report.cells["s2.art20_9.centralized_procurement.procurement_amount"]
    assert (cell.value, cell.unit) == (amount, unit)


@pytest.mark.parametrize("layout", ["tabs", "lines", "markdown"])
def test_section_4_row_left_blank_is_fifteen_blank_cells(layout: str) -> None:
    """A report that leaves the 四 data row empty has 15 blank cells: present, null, not absent."""
    head = [
        ["行政复议", "", "", "", "", "行政诉讼"] + [""] * 9,
        [
            "结果维持",
            "结果纠正",
            "其他结果",
            "尚未审结",
            "总计",
            "未经复议直接起诉",
            "",
            "",
            "",
            "",
            "复议后起诉",
        ]
        + [""] * 4,
        [""] * 5 + ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
        [""] * 15,
    ]
    if layout == "tabs":
        table = "\n".join("\t".join(r) for r in head)
    elif layout == "markdown":
        lines = ["| " + " | ".join(r) + " |" for r in head]
        table = "\n".join([lines[0], "|" + " --- |" * 15, *lines[1:]])
    else:  # one cell per line: header words only, then 15 whitespace-only lines
        table = "\n".join([w for r in head[:3] for w in r if w] + [" "] * 15)
    report = parse(TITLE_2021 + S4 + table + "\n" + S5)
    clean(report)
    assert [report.cells[f"s4.{k}"].value for k in schema.S4_COL_KEYS] == [None] * 15
    assert all(report.cells[f"s4.{k}"].raw == "" for k in schema.S4_COL_KEYS)


@pytest.mark.parametrize("sep", [" ", ""], ids=["space", "joined"])
def test_group_label_in_the_same_cell_as_the_row_label(sep: str) -> None:
    """PDF text puts a group cell and the first row label on one line: '（三）不予公开 1.属于国家秘密'.
    The row is 1.属于国家秘密, and its values are never dropped without a word."""
    report = parse(
        TITLE_2021 + S3_HEAD_TABS + f"三、本年度办理结果{sep}（一）予以公开\t4\t0\t0\t0\t0\t0\t4\n"
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t1\t0\t0\t0\t0\t0\t1\n"
        f"（三）不予公开{sep}1.属于国家秘密\t2\t0\t0\t0\t0\t0\t2\n"
        f"（五）不予处理{sep}1.信访举报投诉类申请\t3\t0\t0\t0\t0\t0\t3\n" + S5
    )
    clean(report)
    assert s3_row(report, "r3_1_granted") == (4, 0, 0, 0, 0, 0, 4)
    assert s3_row(report, "r3_2_partial") == (1, 0, 0, 0, 0, 0, 1)
    assert s3_row(report, "r3_3_1_state_secret") == (2, 0, 0, 0, 0, 0, 2)
    assert s3_row(report, "r3_5_1_petition_complaint") == (3, 0, 0, 0, 0, 0, 3)


def test_values_without_a_row_are_reported() -> None:
    """Numbers that follow a group label (no data row open) must not vanish silently."""
    report = parse(TITLE_2021 + S3_HEAD_TABS + "\t（三）不予公开\t5\t0\t0\t0\t0\t0\t5\n" + S5)
    assert not any(k.startswith("s3.") for k in report.cells)
    assert report.warnings, "7 values after a group label were dropped without a warning"


@pytest.mark.parametrize("version", schema.VERSIONS)
def test_one_cell_per_line_table_beside_blank_separated_tables(version: str) -> None:
    """Table 二 one cell per line without blank lines, tables 三/四 with blank lines between cells."""
    spec = full_spec(version, version, 2021, "0")
    spec.cells = {k: str(i % 89 + 1) for i, k in enumerate(spec.cells)}  # distinct values
    heading = schema.SECTION_HEADINGS["s3"]
    head, tail = render(spec, "lines", 1), render(spec, "lines_blank", 1)
    report = parse(head[: head.index(heading)] + tail[tail.index(heading) :])
    clean(report)
    assert {k: c.raw for k, c in report.cells.items()} == spec.cells


def test_report_supplied_subtotal_rows() -> None:
    """Some reports fill the group rows with subtotals (§6.2 D4); in v2021 the （六）其他处理 subtotal is
    not the v2019 single row, and no subtotal disappears without a word."""
    report = parse(
        TITLE_2021 + S3_HEAD_TABS + "\t（三）不予公开\t\t3\t0\t0\t0\t0\t0\t3\n"
        "\t\t1.属于国家秘密\t1\t0\t0\t0\t0\t0\t1\n"
        "\t\t2.其他法律行政法规禁止公开\t2\t0\t0\t0\t0\t0\t2\n"
        "\t（六）其他处理\t\t4\t0\t0\t0\t0\t0\t4\n"
        "\t\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t4\t0\t0\t0\t0\t0\t4\n"
        "\t\t3.其他\t0\t0\t0\t0\t0\t0\t0\n" + S5
    )
    assert report.table_versions == {"s3": "2021"}
    assert not any(k.startswith("s3.r3_6_other.") for k in report.cells)
    assert s3_row(report, "r3_3_2_prohibited_by_law") == (2, 0, 0, 0, 0, 0, 2)
    assert s3_row(report, "r3_6_1_no_correction") == (4, 0, 0, 0, 0, 0, 4)
    for group, subtotal in (("（三）不予公开", "r3_3_subtotal"), ("（六）其他处理", "r3_6_subtotal")):
        kept = report.cells.get(f"s3.{subtotal}.total")
        assert (kept is not None and kept.value in (3, 4)) or any(group in w for w in report.warnings), group


def test_pdf_text_rows_with_wrapped_labels() -> None:
    """pdfplumber text: a wrapped label's first part and the numbers on one line, the rest below."""
    report = parse(
        TITLE_2021 + S3 + "（二）部分公开（区分处理的，只计这一情形， 1 0 0 0 0 0 1\n不计其他情形）\n"
        "（六）其他处理\n1.申请人无正当理由逾期不补正、行政机关不再处 2 0 0 0 0 0 2\n理其政府信息公开申请\n"
        "2.申请人逾期未按收费通知要求缴纳费用、行政机 0 3 0 0 0 0 3\n关不再处理其政府信息公开申请\n"
        "3.其他 0 0 0 0 0 0 0\n" + S5
    )
    clean(report)
    assert s3_row(report, "r3_2_partial") == (1, 0, 0, 0, 0, 0, 1)
    assert s3_row(report, "r3_6_1_no_correction") == (2, 0, 0, 0, 0, 0, 2)
    assert s3_row(report, "r3_6_2_fee_unpaid") == (0, 3, 0, 0, 0, 0, 3)
    assert s3_row(report, "r3_6_3_other") == (0,) * 7
    assert report.table_versions == {"s3": "2021"}


def test_pdf_label_wrapped_after_a_few_characters() -> None:
    report = parse(
        TITLE_2021
        + S3
        + "4.无正当理由 1 0 0 0 0 0 1\n大量反复申请\n5.要求行政 2 0 0 0 0 0 2\n机关确认或重新出具已获取信息\n"
        + S5
    )
    clean(report)
    assert s3_row(report, "r3_5_4_excessive") == (1, 0, 0, 0, 0, 0, 1)
    assert s3_row(report, "r3_5_5_confirm_or_reissue") == (2, 0, 0, 0, 0, 0, 2)


def test_header_row_on_one_line_with_spaces() -> None:
    """螅镇 2022 in PDF text: the v2019 header on one line; the only row (规章) has no version marker."""
    report = parse(
        "某县螅镇人民政府2022年政府信息公开工作年度报告\n"
        + S2
        + "第二十条第（一）项\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章 1 2 3\n"
        + S5
    )
    clean(report)
    assert values(report, "s2.art20_1.regulations.") == {
        "new_made": 1,
        "new_published": 2,
        "total_published": 3,
    }
    assert report.table_versions == {"s2": "2019"}


def test_section_4_vertical_header_from_pdf() -> None:
    """§5: PDF headers come out one character per line ('结 结 其 尚 / 果 果 他 未 …')."""
    report = parse(
        TITLE_2021 + S4 + "行政复议\n行政诉讼\n未经复议直接起诉\n复议后起诉\n"
        "结 结 其 尚 总 结 结 其 尚 总 结 结 其 尚 总\n果 果 他 未 计 果 果 他 未 计 果 果 他 未 计\n"
        "维 纠 结 审   维 纠 结 审   维 纠 结 审\n持 正 果 结   持 正 果 结   持 正 果 结\n"
        + " ".join(map(str, S4_VALUES))
        + "\n"
        + S5
    )
    clean(report)
    assert [report.cells[f"s4.{k}"].value for k in schema.S4_COL_KEYS] == list(S4_VALUES)


@pytest.mark.parametrize("layout", ["lines", "pipes", "tabs"])
def test_long_row_labels_wrapped_inside_their_cell(layout: str) -> None:
    rows = [
        ("（二）部分公开（区分处理的，只计这一情形，\n不计其他情形）", "2\t0\t0\t0\t0\t0\t2"),
        ("1.申请人无正当理由逾期不补正、行政机关不再处\n理其政府信息公开申请", "1\t1\t0\t0\t0\t0\t2"),
        ("2.申请人逾期未按收费通知要求缴纳费用、\n行政机关不再处理其政府信息公开申请", "0\t0\t1\t0\t0\t0\t1"),
    ]
    sep = {"lines": "\n", "pipes": " | ", "tabs": "\t"}[layout]
    body = "".join(f"{label}{sep}{vals.replace(chr(9), sep)}\n" for label, vals in rows)
    report = parse(TITLE_2021 + S3_HEAD_TABS + body + S5)
    clean(report)
    assert s3_row(report, "r3_2_partial") == (2, 0, 0, 0, 0, 0, 2)
    assert s3_row(report, "r3_6_1_no_correction") == (1, 1, 0, 0, 0, 0, 2)
    assert s3_row(report, "r3_6_2_fee_unpaid") == (0, 0, 1, 0, 0, 0, 1)


@pytest.mark.parametrize("layout", ["tabs", "lines"])
def test_row_with_six_of_seven_values_is_flagged_and_absent(layout: str) -> None:
    rows = (
        "一、本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3\n"
        "二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t0\t1\n"  # one value short
        "三、本年度办理结果\t（一）予以公开\t2\t0\t0\t0\t0\t0\t2\n"
    )
    if layout == "lines":
        rows = rows.replace("\t", "\n")
    report = parse(TITLE_2021 + S3_HEAD_TABS + rows + S5)
    assert report.error is None
    assert s3_row(report, "r1_new_received") == (3, 0, 0, 0, 0, 0, 3)
    assert s3_row(report, "r2_carried_over") == ("absent",) * 7
    assert s3_row(report, "r3_1_granted") == (2, 0, 0, 0, 0, 0, 2)
    assert any(
        "二、上年结转政府信息公开申请数量" in w and "6 values for 7 columns" in w for w in report.warnings
    )


def test_v2019_rows_with_blank_cells_stay_v2019() -> None:
    """Blank cells in 行政强制 / 行政事业性收费 must not turn these v2019 rows into v2021 ones."""
    report = parse(
        TITLE_2020 + S2 + "第二十条第（六）项\t\t\t\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n"
        "行政处罚\t12\t+2\t30\n行政强制\t\t\t5\n"
        "第二十条第（八）项\t\t\t\n信息内容\t上一年项目数量\t本年增/减\t\n行政事业性收费\t4\t\t\n" + S5
    )
    clean(report)
    assert values(report, "s2.art20_6.administrative_coercion.") == {
        "prev_year_items": None,
        "items_change": None,
        "decisions": 5,
    }
    assert values(report, "s2.art20_8.administrative_fees.") == {"prev_year_items": 4, "items_change": None}
    assert report.table_versions == {"s2": "2019"}


def test_section_4_header_padding_is_not_data() -> None:
    """Markdown header rows padded with empty cells: a blank last data cell must stay last."""
    pad = " |" * 8
    report = parse(
        TITLE_2021 + S4 + "| 行政复议 | 行政诉讼 |" + " |" * 13 + "\n|" + " --- |" * 15 + "\n"
        "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 |" + pad + "\n"
        "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |"
        " 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |" + " |" * 5 + "\n"
        "| 1 | 2 | 3 | 4 | 10 | 5 | 6 | 7 | 8 | 26 | 9 | 0 | 0 | 0 |  |\n\n" + S5
    )
    clean(report)
    got = [report.cells[f"s4.{k}"].value for k in schema.S4_COL_KEYS]
    assert got == [1, 2, 3, 4, 10, 5, 6, 7, 8, 26, 9, 0, 0, 0, None]
    assert report.cells["s4.lit_after_review_total"].raw == ""


@pytest.mark.parametrize(
    ("raw", "row", "values_"),
    [
        ("规章000", "regulations", (0, 0, 0)),
        ("规章1 12 30", "regulations", (1, 12, 30)),
        ("规章 0  0  0", "regulations", (0, 0, 0)),
        ("规范性文件2 2 15", "normative_documents", (2, 2, 15)),
    ],
)
def test_cells_run_together(raw: str, row: str, values_: tuple) -> None:
    report = parse(
        TITLE_2020
        + S2
        + "第二十条第(一)项\n信息内容\n本年新制作数量\n本年新公开数量\n对外公开总数量\n"
        + raw
        + "\n"
        + S5
    )
    clean(report)
    assert tuple(values(report, f"s2.art20_1.{row}.").values()) == values_


def test_run_together_digits_that_cannot_be_split_are_flagged() -> None:
    report = parse(
        TITLE_2020
        + S2
        + "第二十条第(一)项\n信息内容\n本年新制作数量\n本年新公开数量\n对外公开总数量\n规章1230\n"
        + S5
    )
    assert not any(k.startswith("s2.art20_1.regulations.") for k in report.cells)
    assert any("规章" in w for w in report.warnings)


def test_run_together_single_column() -> None:
    report = parse(TITLE_2021 + S2 + "第二十条第(五)项\n信息内容\n本年处理决定数量\n行政许可581\n" + S5)
    clean(report)
    assert report.cells["s2.art20_5.administrative_licensing.decisions"].value == 581

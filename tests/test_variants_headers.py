"""Domain reference §7.1, damaged headers and labels: words split across lines, truncated or clipped
labels, missing numbering and group labels.

One focused test per variant of the domain reference §7 and per item of the parsing-core issue
(split by topic from the former test_variants.py; helpers in variants_support.py). Each test parses a
small, realistic report snippet and checks what the parser must get from it.
"""

from __future__ import annotations

import pytest
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

# --------------------------------------------------------------------------- §7.1 damaged headers

SPLIT_HEADER_LINES = (
    TITLE_2020 + S2 + "第二十条第(一)项\n信息内容\n本年新\n制作数量\n本年新\n公开数量\n对外公开总数量\n"
    "规章\n0\n0\n0\n规范性文件\n3\n3\n21\n"
    + S3
    + "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)\n"
    "申请人情况\n自然人\n法人或其他组织\n总计\n"
    "商业\n企业\n科研\n机构\n社会公益\n组织\n法律服务\n机构\n其他\n"
    "一、本年新收政府信息公开申请数量\n5\n1\n0\n0\n0\n0\n6\n" + S5
)


@pytest.mark.parametrize("blank_lines", [False, True], ids=["lines", "lines_blank"])
def test_header_words_split_across_lines(blank_lines: bool) -> None:
    text = SPLIT_HEADER_LINES
    if blank_lines:  # seed 000 style: a split header stays one multi-line cell between blank lines
        text = text.replace("本年新\n制作数量", "本年新\t制作数量").replace(
            "本年新\n公开数量", "本年新\t公开数量"
        )
        text = text.replace("\n", "\n\n").replace("\t", "\n")
    report = parse(text)
    clean(report)
    assert values(report, "s2.art20_1.normative_documents.") == {
        "new_made": 3,
        "new_published": 3,
        "total_published": 21,
    }
    assert s3_row(report, "r1_new_received") == (5, 1, 0, 0, 0, 0, 6)


def test_truncated_headers_new_new_and_change_slash() -> None:
    """Seed-001 style pipes with '本年新 | 本年新' and a truncated '本年增/'."""
    report = parse(
        TITLE_2020 + S2 + "第二十条第(一)项\n| |||\n信息内容\n| 本年新\n| 本年新\n| 对外公开总数量\n|\n"
        "规范性文件\n| 4\n| 3 | 12\n|\n"
        "第二十条第(五)项 | |||\n信息内容\n| 上一年项目数量\n| 本年增/\n| 处理决定数量\n|\n"
        "行政许可 | 9 | -2 | 120 |\n其他对外管理服务事项 | 1 | 0 | 7 |\n" + S5
    )
    clean(report)
    assert values(report, "s2.art20_1.normative_documents.") == {
        "new_made": 4,
        "new_published": 3,
        "total_published": 12,
    }
    assert values(report, "s2.art20_5.administrative_licensing.") == {
        "prev_year_items": 9,
        "items_change": -2,
        "decisions": 120,
    }
    assert "s2.art20_1.regulations.new_made" not in report.cells  # the report has no 规章 row


def test_padded_multi_line_cells_with_leading_spaces() -> None:
    """Seed-004 style: cells padded with spaces and wrapped over lines, blank-line separated."""
    report = parse(
        TITLE_2021
        + "\n"
        + S3
        + "\n             申请人情况\n\n自然人\n\n  法人或其他组织\n\n总计\n\n商业\n企业\n\n"
        "科研\n机构\n\n社会公益组织\n\n法律服务机构\n\n其他\n\n"
        "一、本年新收政府信息公开申请数量\n\n 7\n\n0\n\n0\n\n0\n\n1\n\n0\n\n 8 \n\n"
        "二、上年结转政府信息公开申请数量\n\n0\n\n\u00a0\n\n0\n\n0\n\n0\n\n0\n\n0\n\n"
        + S5.replace("\n", "\n\n")
    )
    clean(report)
    assert s3_row(report, "r1_new_received") == (7, 0, 0, 0, 1, 0, 8)
    assert s3_row(report, "r2_carried_over") == (0, None, 0, 0, 0, 0, 0)
    assert report.cells["s3.r2_carried_over.commercial_enterprise"].raw == ""


def test_missing_item_numbers_and_emptied_numbering() -> None:
    """Seed-004 style '()予以公开' and '第二十条第()', plus rows that lost their numbers altogether."""
    report = parse(
        TITLE_2021
        + S2
        + "第二十条第()\n信息内容\t本年处理决定数量\n行政许可\t581\n"
        + S3_HEAD_TABS
        + "本年新收政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2\n"
        "\t()予以公开\t1\t0\t0\t0\t0\t0\t1\n"
        "\t\t属于国家秘密\t0\t0\t0\t0\t0\t0\t0\n"
        "\t\t本机关不掌握相关政府信息\t1\t0\t0\t0\t0\t0\t1\n"
        "\t\t其他\t0\t0\t0\t0\t0\t0\t0\n"
        "\t()总计\t2\t0\t0\t0\t0\t0\t2\n"
        "结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0\n" + S5
    )
    clean(report)
    assert report.cells["s2.art20_5.administrative_licensing.decisions"].value == 581
    assert s3_row(report, "r1_new_received") == (2, 0, 0, 0, 0, 0, 2)
    assert s3_row(report, "r3_1_granted") == (1, 0, 0, 0, 0, 0, 1)
    assert s3_row(report, "r3_3_1_state_secret") == (0,) * 7
    assert s3_row(report, "r3_4_1_not_held") == (1, 0, 0, 0, 0, 0, 1)
    assert s3_row(report, "r3_6_3_other") == (0,) * 7
    assert s3_row(report, "r3_7_total") == (2, 0, 0, 0, 0, 0, 2)
    assert s3_row(report, "r4_carry_forward") == (0,) * 7


def test_missing_group_labels_v2021() -> None:
    """No 三、本年度办理结果 / （三）…（六） group cells: the sub-rows alone decide rows and version."""
    report = parse(
        TITLE_2021 + S3_HEAD_TABS + "（一）予以公开\t6\t0\t0\t0\t0\t0\t6\n"
        "1.属于国家秘密\t1\t0\t0\t0\t0\t0\t1\n"
        "1.本机关不掌握相关政府信息\t2\t0\t0\t0\t0\t0\t2\n"
        "1.信访举报投诉类申请\t3\t0\t0\t0\t0\t0\t3\n"
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t4\t0\t0\t0\t0\t0\t4\n"
        "3.其他\t5\t0\t0\t0\t0\t0\t5\n" + S5
    )
    clean(report)
    assert report.cells["s3.r3_3_1_state_secret.natural_person"].value == 1
    assert report.cells["s3.r3_4_1_not_held.natural_person"].value == 2
    assert report.cells["s3.r3_5_1_petition_complaint.natural_person"].value == 3
    assert report.cells["s3.r3_6_1_no_correction.natural_person"].value == 4
    assert report.cells["s3.r3_6_3_other.natural_person"].value == 5
    assert report.table_versions == {"s3": "2021"}


def test_other_and_total_as_row_and_as_column() -> None:
    """'其他'/'总计' are columns in the header, rows under （六）/（七）, and column words in 四."""
    report = parse(
        TITLE_2021 + S3_HEAD_TABS + "\t（六）其他处理\t3.其他\t1\t2\t3\t4\t5\t6\t21\n"
        "\t（七）总计\t\t11\t12\t13\t14\t15\t16\t81\n" + S4 + "行政复议\t\t\t\t\t行政诉讼\n"
        "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\n"
        "\t\t\t\t\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n"
        "1\t2\t3\t4\t10\t0\t1\t0\t0\t1\t0\t0\t0\t2\t2\n" + S5
    )
    clean(report)
    assert s3_row(report, "r3_6_3_other") == (1, 2, 3, 4, 5, 6, 21)
    assert s3_row(report, "r3_7_total") == (11, 12, 13, 14, 15, 16, 81)
    assert [report.cells[f"s4.{k}"].value for k in schema.S4_COL_KEYS] == [
        1,
        2,
        3,
        4,
        10,
        0,
        1,
        0,
        0,
        1,
        0,
        0,
        0,
        2,
        2,
    ]
    col_labels = {m.text: m.key for m in report.labels if m.text in ("其他", "总计") and m.section == "s3"}
    assert col_labels == {"其他": "s3.col.other_org", "总计": "s3.col.total"}


@pytest.mark.parametrize("cut", [24, 18])
def test_clipped_long_row_labels(cut: int) -> None:
    """A narrow label column clips long labels (seed 004 has '()其他处'); a clipped label that is still
    unique names its row, and the values never go to the （六）其他处理 group."""
    first = "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"[:cut]
    second = "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"[:cut]
    report = parse(
        TITLE_2021 + S3_HEAD_TABS + f"\t（六）其他处理\t{first}\t3\t0\t0\t0\t0\t0\t3\n"
        f"\t\t{second}\t0\t1\t0\t0\t0\t0\t1\n"
        "\t\t3.其他\t2\t0\t0\t0\t0\t1\t3\n" + S5
    )
    clean(report)
    assert s3_row(report, "r3_6_1_no_correction") == (3, 0, 0, 0, 0, 0, 3)
    assert s3_row(report, "r3_6_2_fee_unpaid") == (0, 1, 0, 0, 0, 0, 1)
    assert report.table_versions == {"s3": "2021"}


def test_unknown_label_after_other_processing_group_keeps_its_values() -> None:
    """An unrecognised label right after the （六）其他处理 group cell must not lend its values to the
    v2019 single row （六）其他处理: that would invent r3_6_other cells and call the table mixed."""
    report = parse(
        TITLE_2021 + S3_HEAD_TABS + "\t（六）其他处理\t1.申请人逾期不补正\t3\t0\t0\t0\t0\t0\t3\n"
        "\t\t3.其他\t2\t0\t0\t0\t0\t1\t3\n" + S5
    )
    assert not any(k.startswith("s3.r3_6_other.") for k in report.cells)
    assert s3_row(report, "r3_6_3_other") == (2, 0, 0, 0, 0, 1, 3)
    assert report.table_versions == {"s3": "2021"}


def test_clipped_group_label_qita_chu() -> None:
    """Seed 004 writes the v2021 group as '()其他处' (clipped)."""
    report = parse(
        TITLE_2021 + S3_HEAD_TABS + "\t()其他处\t1.申请人无正当理由逾期不补正、"
        "行政机关不再处理其政府信息公开申请\t3\t0\t0\t0\t0\t0\t3\n"
        "\t\t3.其他\t2\t0\t0\t0\t0\t1\t3\n" + S5
    )
    clean(report)
    assert s3_row(report, "r3_6_1_no_correction") == (3, 0, 0, 0, 0, 0, 3)
    assert report.table_versions == {"s3": "2021"}

"""One focused test per variant of the domain reference §7 and per item of the parsing-core issue.

Each test parses a small, realistic report snippet (written here, in the layout such reports come in)
and checks what the parser must get from it. Expected values are read off the snippet text.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from render_text import LAYOUTS, ReportSpec, full_spec, kangxi, render, traditional

from parsing import schema
from parsing.api import parse_bytes
from parsing.normalize import normalize_text
from parsing.report import ParsedReport

ROOT = Path(__file__).resolve().parents[1]

TITLE_2020 = "某市生态环境局2020年政府信息公开工作年度报告\n"
TITLE_2021 = "某县人力资源和社会保障局2021年政府信息公开工作年度报告\n"
S2 = "二、主动公开政府信息情况\n"
S3 = "三、收到和处理政府信息公开申请情况\n"
S4 = "四、政府信息公开行政复议、行政诉讼情况\n"
S5 = "五、存在的主要问题及改进情况\n本年度工作仍有不足。\n"
COLS7 = schema.S3_COL_KEYS


def parse(text: str, name: str = "report.txt") -> ParsedReport:
    """Parse a text snippet as a .txt upload."""
    return parse_bytes(text.encode("utf-8"), name)


def values(report: ParsedReport, prefix: str) -> dict[str, int | float | None]:
    """Cell values under a key prefix, keyed by the rest of the key."""
    return {k[len(prefix) :]: c.value for k, c in report.cells.items() if k.startswith(prefix)}


def s3_row(report: ParsedReport, row: str) -> tuple:
    """The 7 values of one table-三 row (None for a cell that is absent)."""
    return tuple(
        report.cells[f"s3.{row}.{c}"].value if f"s3.{row}.{c}" in report.cells else "absent" for c in COLS7
    )


def clean(report: ParsedReport) -> None:
    """The report parsed with nothing to warn about and no label left over."""
    assert report.error is None
    assert report.warnings == []
    assert report.unmatched_labels == []


# Table 三 header as tab dumps show it (seed 002): the corner note is the first cell of a header row.
S3_HEAD_TABS = (
    S3 + "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况\n"
    "\t自然人\t法人或其他组织\t\t\t\t\t总计\n"
    "\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\n"
)

# --------------------------------------------------------------------------- §7.1 labels: Hubei v2019

HUBEI = (
    TITLE_2020 + S2 + "第二十条第（一）项\t\t\t\n"
    "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n"
    "规章（设区的市、自治州人民政府应提供相关数据）\t1\t1\t9\n"
    "规范性文件\t2\t2\t15\n"
    "其他主动公开文件\t310\t305\t2716\n"
    "第二十条第（五）项\t\t\t\n"
    "信息内容\t上一年项目数量（指2019年事项数）\t本年增/减（指2020年增加或减少的事项数，减用负值表示，如-8）\t处理决定数量（指2020年办件量）\n"
    "行政许可\t12\t-8\t356\n"
    "其他对外管理服务事项\t5\t0\t40\n" + S5
)


def test_hubei_extra_row_is_unmatched_not_forced_onto_a_standard_key() -> None:
    report = parse(HUBEI)
    assert report.unmatched_labels == ["其他主动公开文件"]
    assert any(
        m.text == "其他主动公开文件" and m.tier == "unmatched" and m.key is None for m in report.labels
    )
    assert not any(c.raw in ("310", "305", "2716") for c in report.cells.values())
    assert values(report, "s2.art20_1.normative_documents.") == {
        "new_made": 2,
        "new_published": 2,
        "total_published": 15,
    }


def test_hubei_long_parenthetical_notes_in_row_and_column_labels() -> None:
    report = parse(HUBEI)
    assert values(report, "s2.art20_1.regulations.") == {
        "new_made": 1,
        "new_published": 1,
        "total_published": 9,
    }
    assert values(report, "s2.art20_5.administrative_licensing.") == {
        "prev_year_items": 12,
        "items_change": -8,
        "decisions": 356,
    }
    assert values(report, "s2.art20_5.other_management_services.") == {
        "prev_year_items": 5,
        "items_change": 0,
        "decisions": 40,
    }
    assert report.table_versions == {"s2": "2019"}


def test_regulations_label_with_note_keeps_a_score() -> None:
    report = parse(HUBEI)
    cell = report.cells["s2.art20_1.regulations.total_published"]
    assert cell.label.startswith("规章（设区的市")
    assert 80 <= cell.score <= 100


def test_change_column_note_with_a_negative_example_is_not_a_value() -> None:
    """'本年增/减（指…减用负值表示，如-8）' is a header: its '-8' must not become a cell."""
    # The same report, one cell per line with blank separators (merged caption cells are not emitted).
    text = "\n\n".join(c for line in HUBEI.split("\n") for c in line.rstrip("\t").split("\t"))
    report = parse(text)
    assert report.unmatched_labels == ["其他主动公开文件"]
    assert values(report, "s2.art20_5.administrative_licensing.") == {
        "prev_year_items": 12,
        "items_change": -8,
        "decisions": 356,
    }


def test_annotated_in_force_header() -> None:
    report = parse(
        TITLE_2021 + S2 + "第二十条第（一）项\n"
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数（历史累计）\n"
        "规章\t0\t0\t0\n"
        "行政规范性文件\t3\t1\t27\n" + S5
    )
    clean(report)
    assert values(report, "s2.art20_1.normative_documents.") == {"issued": 3, "repealed": 1, "in_force": 27}
    assert report.table_versions == {"s2": "2021"}


# --------------------------------------------------------------------------- §7.1 typos and near-synonyms


def test_typos_qingkuang_and_neirong() -> None:
    report = parse(
        TITLE_2021
        + S3_HEAD_TABS
        + "\t\t（二）部分公开（区分处理的，只计这一情况，不计其他情形）\t4\t0\t0\t0\t0\t0\t4\n"
        "\t（三）不予公开\t5.属于三类内容事务信息\t2\t1\t0\t0\t0\t0\t3\n" + S5
    )
    clean(report)
    assert s3_row(report, "r3_2_partial") == (4, 0, 0, 0, 0, 0, 4)
    assert s3_row(report, "r3_3_5_internal_affairs") == (2, 1, 0, 0, 0, 0, 3)


@pytest.mark.parametrize(
    "caption",
    ["第二十条 第(一)项", "第二十条第（一）项", "第（一）项", "第一项", "第二十条第(一)项 | |||"],
)
def test_caption_forms(caption: str) -> None:
    report = parse(
        TITLE_2021 + S2 + caption + "\n"
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
        "规章\t0\t0\t2\n"
        "行政规范性文件\t6\t2\t41\n" + S5
    )
    clean(report)
    assert values(report, "s2.art20_1.regulations.") == {"issued": 0, "repealed": 0, "in_force": 2}
    assert values(report, "s2.art20_1.normative_documents.") == {"issued": 6, "repealed": 2, "in_force": 41}


def test_missing_article_20_captions() -> None:
    report = parse(
        TITLE_2021 + S2 + "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
        "规章\t0\t0\t0\n"
        "行政规范性文件\t2\t0\t18\n"
        "信息内容\t本年处理决定数量\n"
        "行政许可\t1520\n"
        "信息内容\t本年处理决定数量\n"
        "行政处罚\t36\n"
        "行政强制\t2\n"
        "信息内容\t本年收费金额（单位：万元）\n"
        "行政事业性收费\t12.5\n" + S5
    )
    clean(report)
    assert values(report, "s2.") == {
        "art20_1.regulations.issued": 0,
        "art20_1.regulations.repealed": 0,
        "art20_1.regulations.in_force": 0,
        "art20_1.normative_documents.issued": 2,
        "art20_1.normative_documents.repealed": 0,
        "art20_1.normative_documents.in_force": 18,
        "art20_5.administrative_licensing.decisions": 1520,
        "art20_6.administrative_penalty.decisions": 36,
        "art20_6.administrative_coercion.decisions": 2,
        "art20_8.administrative_fees.fee_amount_wan_yuan": 12.5,
    }


@pytest.mark.parametrize("sep", ["、", "，", ","])
def test_v2021_other_processing_sub_row_separators(sep: str) -> None:
    report = parse(
        TITLE_2021
        + S3_HEAD_TABS
        + f"\t（六）其他处理\t1.申请人无正当理由逾期不补正{sep}行政机关不再处理其政府信息公开申请\t3\t0\t0\t0\t0\t0\t3\n"
        f"\t\t2.申请人逾期未按收费通知要求缴纳费用{sep}行政机关不再处理其政府信息公开申请\t0\t1\t0\t0\t0\t0\t1\n"
        "\t\t3.其他\t2\t0\t0\t0\t0\t1\t3\n" + S5
    )
    clean(report)
    assert s3_row(report, "r3_6_1_no_correction") == (3, 0, 0, 0, 0, 0, 3)
    assert s3_row(report, "r3_6_2_fee_unpaid") == (0, 1, 0, 0, 0, 0, 1)
    assert s3_row(report, "r3_6_3_other") == (2, 0, 0, 0, 0, 1, 3)
    assert report.table_versions == {"s3": "2021"}


# --------------------------------------------------------------------------- §7.1 damaged headers

SPLIT_HEADER_LINES = (
    TITLE_2020 + S2 + "第二十条第(一)项\n信息内容\n本年新\n制作数量\n本年新\n公开数量\n对外公开总数量\n"
    "规章\n0\n0\n0\n规范性文件\n3\n3\n21\n"
    + S3
    + "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)\n申请人情况\n自然人\n法人或其他组织\n总计\n"
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
        "\t（七）总计\t\t11\t12\t13\t14\t15\t16\t81\n"
        + S4
        + "行政复议\t\t\t\t\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\n"
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
        TITLE_2021
        + S3_HEAD_TABS
        + "\t()其他处\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t3\t0\t0\t0\t0\t0\t3\n"
        "\t\t3.其他\t2\t0\t0\t0\t0\t1\t3\n" + S5
    )
    clean(report)
    assert s3_row(report, "r3_6_1_no_correction") == (3, 0, 0, 0, 0, 0, 3)
    assert report.table_versions == {"s3": "2021"}


# --------------------------------------------------------------------------- §7.1 characters

TRADITIONAL_2021 = (
    "某某市人力資源和社會保障局2021年政府信息公開工作年度報告\n"
    "二、主動公開政府信息情況\n"
    "第二十條第（一）項\n信息內容\t本年制發件數\t本年廢止件數\t現行有效件數\n"
    "規章\t0\t0\t0\n行政規範性檔案\t4\t1\t33\n"
    "第二十條第（五）項\n信息內容\t本年處理決定數量\n行政許可\t1520\n"
    "第二十條第（六）項\n信息內容\t本年處理決定數量\n行政處罰\t36\n行政強制\t2\n"
    "第二十條第（八）項\n信息內容\t本年收費金額（單位：萬元）\n行政事業性收費\t12.5\n"
    "三、收到和處理政府信息公開申請情況\n"
    "（本列數據的勾稽關係為：第一項加第二項之和，等於第三項加第四項之和）\t申請人情況\n"
    "\t自然人\t法人或其他組織\t\t\t\t\t總計\n\t\t商業企業\t科研機構\t社會公益組織\t法律服務機構\t其他\t\n"
    "一、本年新收政府信息公開申請數量\t9\t2\t0\t0\t1\t0\t12\n"
    "\t（六）其他處理\t1.申請人無正當理由逾期不補正、行政機關不再處理其政府信息公開申請\t1\t0\t0\t0\t0\t0\t1\n"
    "\t\t3.其他\t0\t0\t0\t0\t0\t0\t0\n"
    "四、結轉下年度繼續辦理\t0\t0\t0\t0\t0\t0\t0\n"
    "五、存在的主要問題及改進情況\n本年度工作仍有不足。\n"
)


def test_traditional_report_with_dang_an_vocabulary() -> None:
    report = parse(TRADITIONAL_2021)
    clean(report)
    assert values(report, "s2.art20_1.normative_documents.") == {"issued": 4, "repealed": 1, "in_force": 33}
    assert report.cells["s2.art20_8.administrative_fees.fee_amount_wan_yuan"].value == 12.5
    assert s3_row(report, "r1_new_received") == (9, 2, 0, 0, 1, 0, 12)
    assert s3_row(report, "r3_6_1_no_correction") == (1, 0, 0, 0, 0, 0, 1)
    assert report.template == "2021"


def test_traditional_v2019_gui_fan_xing_dang_an() -> None:
    report = parse(
        "某市生態環境局2020年政府信息公開工作年度報告\n二、主動公開政府信息情況\n第二十條第（一）項\n"
        "信息內容\t本年新製作數量\t本年新公開數量\t對外公開總數量\n規章\t0\t0\t0\n規範性檔案\t5\t5\t61\n"
    )
    clean(report)
    assert values(report, "s2.art20_1.normative_documents.") == {
        "new_made": 5,
        "new_published": 5,
        "total_published": 61,
    }
    assert report.table_versions == {"s2": "2019"}


def test_traditional_with_zi_xun_for_xin_xi() -> None:
    """Taiwan-style converters also swap 信息 → 資訊 (政府資訊公開)."""
    report = parse(TRADITIONAL_2021.replace("政府信息", "政府資訊"))
    clean(report)
    assert s3_row(report, "r1_new_received") == (9, 2, 0, 0, 1, 0, 12)
    assert report.cells["s2.art20_5.administrative_licensing.decisions"].value == 1520


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        (
            "第二十條第（九）項\n信息內容\t採購項目數量\t採購總金額\n政府集中採購\t12\t160.5964萬元\n",
            "s2.art20_9.centralized_procurement.procurement_amount",
            160.5964,
        ),
        (
            "第二十條第（八）項\n信息內容\t本年收費金額（單位：萬元）\n行政事業性收費\t1.2萬元\n",
            "s2.art20_8.administrative_fees.fee_amount_wan_yuan",
            1.2,
        ),
    ],
    ids=["procurement", "fee"],
)
def test_traditional_units_in_values(text: str, key: str, value: float) -> None:
    report = parse("某市生態環境局2021年政府信息公開工作年度報告\n二、主動公開政府信息情況\n" + text)
    clean(report)
    assert report.cells[key].value == pytest.approx(value)
    assert report.cells[key].unit == "万元"


SEEDS = sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
# Pinyin that mirror sites inject after some characters: 國務(wù)院, 辦(bàn)公(gōng).
PINYIN = {
    "數": "shù",
    "務": "wù",
    "處": "chǔ",
    "辦": "bàn",
    "公": "gōng",
    "開": "kāi",
    "請": "qǐng",
    "規": "guī",
}
HALF_WIDTH = str.maketrans({"（": "(", "）": ")", "，": ",", "：": ":", "；": ";", "“": '"', "”": '"'})


def _with_pinyin(text: str) -> str:
    return "".join(f"{ch}({PINYIN[ch]})" if ch in PINYIN else ch for ch in traditional(text))


SCRIPT_VARIANTS = {
    "traditional": traditional,
    "traditional_pinyin": _with_pinyin,
    "kangxi": kangxi,
    "half_width": lambda text: text.translate(HALF_WIDTH),
    "crlf_gb18030": lambda text: text.replace("\n", "\r\n"),
}


@pytest.mark.parametrize(
    ("seed", "variant"),
    [
        pytest.param(
            seed, name
        )
        for seed in SEEDS
        for name in SCRIPT_VARIANTS
    ],
    ids=lambda x: x.name[:3] if isinstance(x, Path) else x,
)
def test_seed_in_other_scripts_gives_the_same_cells(seed: Path, variant: str) -> None:
    """A real report converted to traditional script (with 檔案, with or without injected pinyin), to
    Kangxi radicals, to half-width punctuation, or saved as GB18030 with CRLF line ends says the same thing: the same cells with the same values and raw
    digits, the same template, the same year."""
    text = seed.read_text(encoding="utf-8")
    original = parse(text, seed.name)
    converted = parse_bytes(SCRIPT_VARIANTS[variant](text).encode("gb18030"), seed.name)
    assert converted.error is None
    # raw keeps the text as written ('125萬元'), so it is compared in simplified characters
    assert {k: (c.value, normalize_text(c.raw)) for k, c in converted.cells.items()} == {
        k: (c.value, c.raw) for k, c in original.cells.items()
    }
    assert (converted.template, converted.table_versions, converted.year) == (
        original.template,
        original.table_versions,
        original.year,
    )
    assert len(converted.warnings) == len(original.warnings)


def test_pinyin_injected_by_mirror_sites() -> None:
    report = parse(
        TITLE_2021
        + S2
        + "第二十條第（一）項\n信息內容\t本年制發(fā)件數(shù)\t本年廢止件數(shù)\t現行有效件數(shù)\n"
        "規章\t0\t0\t0\n行政規(guī)範(fàn)性檔案\t4\t1\t33\n"
        "第二十條第（六）項\n信息內容\t本年處(chǔ)理決定數(shù)量\n行政處(chǔ)罰\t36\n行政強制\t2\n"
    )
    clean(report)
    assert values(report, "s2.art20_1.normative_documents.") == {"issued": 4, "repealed": 1, "in_force": 33}
    assert values(report, "s2.art20_6.") == {
        "administrative_penalty.decisions": 36,
        "administrative_coercion.decisions": 2,
    }


def test_kangxi_radicals_in_labels() -> None:
    """PDF fonts give ⼀ (U+2F00) for 一 and ⾏ (U+2F8F) for 行."""
    report = parse(
        TITLE_2021
        + S2
        + "第⼆⼗条第（⼀）项\n信息内容\t本年处理决定数量\n⾏政许可\t77\n"
        + S3_HEAD_TABS
        + "⼀、本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3\n"
        + S5
    )
    clean(report)
    assert report.cells["s2.art20_5.administrative_licensing.decisions"].value == 77
    assert s3_row(report, "r1_new_received") == (3, 0, 0, 0, 0, 0, 3)


def test_half_width_punctuation_and_straight_quotes() -> None:
    report = parse(
        TITLE_2021
        + S3.replace("（", "(")
        + "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)\t申请人情况\n"
        "\t自然人\t法人或其他组织\t\t\t\t\t总计\n\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\n"
        "\t\t(二)部分公开(区分处理的,只计这一情形,不计其他情形)\t2\t0\t0\t0\t0\t0\t2\n"
        '\t(三)不予公开\t3.危及"三安全一稳定"\t1\t0\t0\t0\t0\t0\t1\n'
        "\t\t4.保护第三方合法权益\t0\t1\t0\t0\t0\t0\t1\n"
        "\t【四】无法提供\t1.本机关不掌握相关政府信息\t5\t0\t0\t0\t0\t0\t5\n" + S5
    )
    clean(report)
    assert s3_row(report, "r3_2_partial") == (2, 0, 0, 0, 0, 0, 2)
    assert s3_row(report, "r3_3_3_three_safety_one_stability") == (1, 0, 0, 0, 0, 0, 1)
    assert s3_row(report, "r3_3_4_third_party_rights") == (0, 1, 0, 0, 0, 0, 1)
    assert s3_row(report, "r3_4_1_not_held") == (5, 0, 0, 0, 0, 0, 5)


def test_whitespace_inside_labels() -> None:
    report = parse(
        TITLE_2021 + S2 + "第二十条第（五）项\n信息内容\t本年处理 决定数量\n行 政 许 可\t64\n" + S5
    )
    clean(report)
    assert report.cells["s2.art20_5.administrative_licensing.decisions"].value == 64


@pytest.mark.parametrize(
    ("word", "key"), [("商业机构", "s3.col.commercial_enterprise"), ("合计", "s3.col.total")]
)
def test_column_aliases(word: str, key: str) -> None:
    standard = "商业企业" if word == "商业机构" else "总计"
    report = parse(
        TITLE_2021
        + S3_HEAD_TABS.replace(standard, word)
        + "一、本年新收政府信息公开申请数量\t4\t3\t0\t0\t0\t1\t8\n"
        + S5
    )
    clean(report)
    assert s3_row(report, "r1_new_received") == (4, 3, 0, 0, 0, 1, 8)
    assert any(
        m.text == word and m.key == key and m.tier == "alias" and m.score == 100 for m in report.labels
    )


def test_matching_tiers_and_a_score_for_every_cell() -> None:
    """Exact labels score 100, a near-miss ('其它' for '其他') is fuzzy with a lower score, a
    non-standard row stays unmatched."""
    report = parse(
        TITLE_2020 + S2 + "第二十条第（一）项\n信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n"
        "规范性文件\t1\t1\t4\n其他主动公开文件\t50\t50\t300\n"
        + S3_HEAD_TABS
        + "\t（三）不予公开\t2.其它法律行政法规禁止公开\t1\t0\t0\t0\t0\t0\t1\n"
        + S5
    )
    assert report.unmatched_labels == ["其他主动公开文件"]
    tiers = {m.text: (m.tier, m.score) for m in report.labels}
    assert tiers["规范性文件"] == ("exact", 100.0)
    assert tiers["其他主动公开文件"][0] == "unmatched"
    tier, score = tiers["2.其它法律行政法规禁止公开"]
    assert tier == "fuzzy" and 80 <= score < 100
    fuzzy_cell = report.cells["s3.r3_3_2_prohibited_by_law.natural_person"]
    assert fuzzy_cell.value == 1 and fuzzy_cell.score == score
    assert all(0 < c.score <= 100 for c in report.cells.values())


def test_reviewer_overrides_map_or_ignore_a_label() -> None:
    """A reviewer's override (written label → target id) beats every other tier; 'ignore' silences a row."""
    text = HUBEI.replace("规范性文件\t2\t2\t15", "红头文件\t2\t2\t15")
    assert "红头文件" in parse(text).unmatched_labels
    report = parse_bytes(
        text.encode("utf-8"),
        "hubei.txt",
        overrides={"红头文件": "s2.row.art20_1.normative_documents", "其他主动公开文件": "ignore"},
    )
    clean(report)
    assert values(report, "s2.art20_1.normative_documents.") == {
        "new_made": 2,
        "new_published": 2,
        "total_published": 15,
    }
    assert any(m.text == "红头文件" and m.tier == "override" for m in report.labels)


# --------------------------------------------------------------------------- §7.2 values

V2019_VALUES = (
    TITLE_2020 + S2 + "第二十条第（五）项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n"
    "行政许可\t{prev}\t{change}\t{decisions}\n"
    "其他对外管理服务事项\t0\t0\t0\n"
    "第二十条第（九）项\n信息内容\t采购项目数量\t{amount_header}\n政府集中采购\t3\t{amount}\n" + S5
)


def _v2019(
    prev: str = "10",
    change: str = "0",
    decisions: str = "5",
    amount: str = "0",
    amount_header: str = "采购总金额",
):
    return parse(
        V2019_VALUES.format(
            prev=prev, change=change, decisions=decisions, amount=amount, amount_header=amount_header
        )
    )


@pytest.mark.parametrize(
    ("raw", "flag"), [("", "blank"), ("/", "na"), ("-", "dash"), ("—", "dash"), ("--", "dash"), ("无", "na")]
)
def test_null_markers_are_null_and_keep_raw(raw: str, flag: str) -> None:
    report = _v2019(decisions=raw)
    clean(report)
    cell = report.cells["s2.art20_5.administrative_licensing.decisions"]
    assert cell.value is None
    assert cell.raw == raw
    assert cell.flag == flag
    assert cell.to_json()["value"] is None and cell.to_json()["raw"] == raw
    assert report.cells["s2.art20_5.administrative_licensing.prev_year_items"].value == 10


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("+2", 2),
        ("-1", -1),
        ("增72", 72),
        ("减3", -3),
        ("+22", 22),
        ("-35", -35),
        ("--253", -253),
        ("0", 0),
        ("7", 7),
    ],
)
def test_signed_changes(raw: str, value: int) -> None:
    _assert_change(raw, value)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("－3", -3), ("- 3", -3), ("增 5", 5), ("增加5", 5), ("减少2", -2), ("\u22123", -3)],
)
def test_signed_change_spellings(raw: str, value: int) -> None:
    """Full-width minus, spaces after the sign, 增加/减少 spelled out, the typographic minus sign."""
    _assert_change(raw, value)


def _assert_change(raw: str, value: int) -> None:
    report = _v2019(change=raw)
    clean(report)
    cell = report.cells["s2.art20_5.administrative_licensing.items_change"]
    assert cell.value == value and isinstance(cell.value, int)
    assert cell.raw == raw


@pytest.mark.parametrize(
    ("raw", "value", "unit"),
    [("251000元", 251000, "元"), ("160.5964万元", 160.5964, "万元"), ("8040", 8040, None), ("0", 0, None)],
)
def test_v2019_procurement_amount_keeps_the_unit_written(raw: str, value: float, unit: str | None) -> None:
    report = _v2019(amount=raw)
    clean(report)
    cell = report.cells["s2.art20_9.centralized_procurement.procurement_amount"]
    assert cell.value == pytest.approx(value)
    assert cell.unit == unit
    assert cell.to_json()["unit"] == unit  # the JSON always states the unit of this column, null included
    assert report.cells["s2.art20_9.centralized_procurement.procurement_items"].value == 3


def test_v2019_procurement_unit_from_the_header() -> None:
    report = _v2019(amount="8040", amount_header="采购总金额（万元）")
    clean(report)
    cell = report.cells["s2.art20_9.centralized_procurement.procurement_amount"]
    assert (cell.value, cell.unit) == (8040, "万元")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("? 0", 0),
        ("\ufffd12", 12),
        ("1,036", 1036),
        (" 15 ", 15),
        ("１２", 12),
        ("１，２３４", 1234),
        ("5件", 5),
        ("12条", 12),
    ],
)
def test_garbage_and_thousands_separators(raw: str, value: int) -> None:
    report = _v2019(decisions=raw)
    clean(report)
    assert report.cells["s2.art20_5.administrative_licensing.decisions"].value == value


def test_split_number_is_flagged() -> None:
    """Seed 001 has '| 0 0 |' in a single cell: read it, but say it looks split."""
    report = parse(
        TITLE_2021 + S3 + "一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 036 |\n" + S5
    )
    cell = report.cells["s3.r1_new_received.total"]
    assert cell.flag == "split"
    assert cell.value == 1036
    assert any("s3.r1_new_received.total" in w and "split" in w for w in report.warnings)


V2021_FEE = TITLE_2021 + S2 + "第二十条第（八）项\n信息内容\t{header}\n行政事业性收费\t{raw}\n" + S5


@pytest.mark.parametrize(
    ("raw", "value", "flag"),
    [("0.35", 0.35, "ok"), ("1.2万元", 1.2, "ok"), ("3500元", 0.35, "unit_converted"), ("0", 0, "ok")],
)
def test_v2021_fee_is_in_wan_yuan(raw: str, value: float, flag: str) -> None:
    report = parse(V2021_FEE.format(header="本年收费金额（单位：万元）", raw=raw))
    clean(report)
    cell = report.cells["s2.art20_8.administrative_fees.fee_amount_wan_yuan"]
    assert cell.value == pytest.approx(value)
    assert cell.unit == "万元"
    assert cell.flag == flag


def test_v2021_fee_header_in_yuan_is_converted() -> None:
    """A report that changed the header to 元 states 3500 元 = 0.35 万元."""
    report = parse(V2021_FEE.format(header="本年收费金额（单位：元）", raw="3500"))
    clean(report)
    cell = report.cells["s2.art20_8.administrative_fees.fee_amount_wan_yuan"]
    assert cell.value == pytest.approx(0.35)
    assert cell.unit == "万元"


# --------------------------------------------------------------------------- template version per table


def test_v2019_tables_in_a_2022_report() -> None:
    """螅镇 2022 used the whole v2019 template: the tables decide, not the year."""
    spec = full_spec("2019", "2019", 2022, "1")
    spec.agency = "某县螅镇人民政府"
    report = parse(render(spec, "lines_blank"))
    clean(report)
    assert report.year == 2022
    assert report.template == "2019"
    assert report.table_versions == {"s2": "2019", "s3": "2019"}
    assert report.cells["s3.r3_6_other.total"].value == 1
    assert "s3.r3_6_1_no_correction.total" not in report.cells


def test_v2021_tables_in_a_2020_report() -> None:
    """七里乡: 2020 data laid out in the v2021 format."""
    report = parse(render(full_spec("2021", "2021", 2020, "2"), "tabs"))
    clean(report)
    assert report.template == "2021"
    assert report.cells["s2.art20_1.regulations.in_force"].value == 2


def test_v2019_section_2_with_v2021_section_3_is_mixed() -> None:
    spec = ReportSpec("2019", "2021", 2021, {})
    spec.cells = {k: "3" for k in schema.cell_keys("2019", "s2") + schema.cell_keys("2021", "s3")}
    report = parse(render(spec, "pipes", seed=7))
    clean(report)
    assert report.template == "mixed"
    assert report.table_versions == {"s2": "2019", "s3": "2021"}
    assert report.cells["s2.art20_9.centralized_procurement.procurement_items"].value == 3
    assert report.cells["s3.r3_6_2_fee_unpaid.total"].value == 3


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
        "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |"
        + " |"
        * 5
        + "\n"
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


# --------------------------------------------------------------------------- truncated and bad input


def test_truncated_document_keeps_cells_before_the_cut() -> None:
    text = (
        TITLE_2021
        + S2
        + "第二十条第（五）项\n信息内容\t本年处理决定数量\n行政许可\t88\n"
        + S3_HEAD_TABS
        + "一、本年新收政府信息公开申请数量\t6\t0\t0\t0\t0\t0\t6\n"
        "二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0\n"
        "三、本年度办理结果\t（一）予以公开\t4\t0\t0\t0\t0\t0\t4\n"
        "\t（三）不予公开\t1.属于国家秘密\t0\t0"  # cut mid-row, mid-table
    )
    report = parse(text)
    assert report.error is None
    assert report.cells["s2.art20_5.administrative_licensing.decisions"].value == 88
    assert s3_row(report, "r1_new_received") == (6, 0, 0, 0, 0, 0, 6)
    assert s3_row(report, "r3_1_granted") == (4, 0, 0, 0, 0, 0, 4)
    assert s3_row(report, "r3_3_1_state_secret") == ("absent",) * 7
    assert any("1.属于国家秘密" in w for w in report.warnings)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_cut_at_any_line_never_crashes_nor_invents(layout: str) -> None:
    """Cut a full report after every k-th line: no exception, and every cell returned is right."""
    spec = full_spec("2019", "2021", 2021, "0")
    spec.cells = {k: str(i % 97 + 1) for i, k in enumerate(spec.cells)}  # distinct, non-zero values
    lines = render(spec, layout, seed=11).split("\n")
    step = max(1, len(lines) // 40)
    for cut in range(0, len(lines), step):
        report = parse("\n".join(lines[:cut]))
        if report.error is not None:
            assert report.error["code"] in ("empty", "not_a_report")
            continue
        wrong = {k: c.raw for k, c in report.cells.items() if spec.cells.get(k) != c.raw}
        assert wrong == {}, f"cut at line {cut}"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (b"\x00\x01\x02\x03binary\xff\xfe\x00garbage" * 20, None),
        ("今天天气很好，我们去公园散步。\n晚上吃饺子。\n".encode(), "not_a_report"),
    ],
    ids=["empty", "whitespace", "binary", "not_a_report"],
)
def test_bad_input_gives_an_error_object(data: bytes, code: str | None) -> None:
    report = parse_bytes(data, "bad.txt")
    assert report.error is not None
    if code:
        assert report.error["code"] == code
    assert report.error["message"] and report.error["message_en"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in report.error["message"])  # a Chinese message
    assert report.cells == {}
    json.dumps(report.to_json(), ensure_ascii=False)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16", "utf-16-le"])
def test_text_encodings(encoding: str) -> None:
    report = parse_bytes(HUBEI.replace("\n", "\r\n").encode(encoding), "hubei.txt")
    assert report.error is None
    assert report.cells["s2.art20_5.administrative_licensing.items_change"].value == -8
    assert report.unmatched_labels == ["其他主动公开文件"]


def test_cli_good_and_empty_file(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(HUBEI, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = subprocess.run(
        [sys.executable, "-m", "parsing", str(good), str(empty)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    out = json.loads(proc.stdout)
    assert isinstance(out, list) and len(out) == 2
    assert out[0]["error"] is None
    assert out[0]["cells"]["s2.art20_5.administrative_licensing.decisions"]["value"] == 356
    assert out[1]["error"]["code"] == "empty"
    assert out[1]["cells"] == {}

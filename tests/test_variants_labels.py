"""Domain reference §7.1, row and column labels: the Hubei v2019 notes, typos and near-synonyms,
caption forms, column aliases, the matching tiers and reviewer overrides.

One focused test per variant of the domain reference §7 and per item of the parsing-core issue
(split by topic from the former test_variants.py; helpers in variants_support.py). Each test parses a
small, realistic report snippet and checks what the parser must get from it.
"""

from __future__ import annotations

import pytest
from variants_support import (
    HUBEI,
    S2,
    S3_HEAD_TABS,
    S5,
    TITLE_2020,
    TITLE_2021,
    clean,
    parse,
    s3_row,
    values,
)

from parsing.api import parse_bytes


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
        TITLE_2021 + S3_HEAD_TABS + "\t（六）其他处理\t1.申请人无正当理由逾期不补正"
        f"{sep}行政机关不再处理其政府信息公开申请\t3\t0\t0\t0\t0\t0\t3\n"
        f"\t\t2.申请人逾期未按收费通知要求缴纳费用{sep}行政机关不再处理其政府信息公开申请\t0\t1\t0\t0\t0\t0\t1\n"
        "\t\t3.其他\t2\t0\t0\t0\t0\t1\t3\n" + S5
    )
    clean(report)
    assert s3_row(report, "r3_6_1_no_correction") == (3, 0, 0, 0, 0, 0, 3)
    assert s3_row(report, "r3_6_2_fee_unpaid") == (0, 1, 0, 0, 0, 0, 1)
    assert s3_row(report, "r3_6_3_other") == (2, 0, 0, 0, 0, 1, 3)
    assert report.table_versions == {"s3": "2021"}


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

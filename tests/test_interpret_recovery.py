"""Focused tests for issue 9, items 1 and 4: never silent, never refused; digits run together.

Every document here is written for the test (invented agencies and numbers, in the layouts real
copies come in); expected values are read off the text.
"""

from __future__ import annotations

import pytest

from parsing import schema
from parsing.api import parse_bytes
from parsing.digit_runs import Run, TooMany, agreed, free_splits, s4_splits, solve_s3, sum_splits
from parsing.report import ParsedReport


def parse(text: str) -> ParsedReport:
    return parse_bytes(text.encode("utf-8"), "report.txt")


def row(report: ParsedReport, key: str) -> tuple:
    return tuple(
        report.cells[f"s3.{key}.{c}"].value if f"s3.{key}.{c}" in report.cells else None
        for c in schema.S3_COL_KEYS
    )


# ------------------------------------------------------------------ item 1: accepted or refused
SKELETON = """政府信息公开工作年度报告
一、总体情况
（一）主动公开
（二）依申请公开
二、主动公开政府信息情况
第二十条第（一）项
信息内容
本年制发件数
本年废止件数
现行有效件数
规章
行政规范性文件
第二十条第（五）项
行政许可
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量
二、上年结转政府信息公开申请数量
（七）总计
四、结转下年度继续办理
四、政府信息公开行政复议、行政诉讼情况
五、存在的主要问题及改进情况
六、其他需要报告的事项
"""

TRADITIONAL_EXCERPT = """政府信息公開工作年度報告
一、總體情況
本機關認真貫徹落實《中華人民共和國政府信息公開條例》，堅持以公開為常態、不公開為例外。
二、主動公開政府信息情況
按照《條例》第二十條第（一）項、第二十條第（五）項的要求，及時公開規章和行政許可信息。
五、存在的主要問題及改進情況
公開內容的規範性仍需加強，下一步將加強培訓。
"""

UNRELATED = """关于做好政府信息公开工作年度报告编制发布工作的通知
各乡镇人民政府，县政府各部门：
请各单位按照要求，认真编制本单位政府信息公开工作年度报告，并按时在门户网站发布。
联系人：办公室
"""


def test_skeleton_template_is_a_report_and_names_each_unread_table() -> None:
    report = parse(SKELETON)
    assert report.error is None
    assert not report.cells
    for table in (
        "第二部分（主动公开政府信息情况）表格",
        "第三部分（收到和处理政府信息公开申请情况）表格",
        "第四部分（行政复议、行政诉讼情况）表格",
    ):
        assert any(w.startswith(table + "未读取到任何数值") for w in report.warnings), table
    assert all(" / " in w for w in report.warnings)  # Chinese and English


def test_traditional_prose_excerpt_is_a_report() -> None:
    report = parse(TRADITIONAL_EXCERPT)
    assert report.error is None
    assert report.warnings  # it says what could not be read


def test_unrelated_document_is_not_a_report() -> None:
    report = parse(UNRELATED)
    assert report.error is not None and report.error["code"] == "not_a_report"
    assert (
        parse("产品说明书\n一、安装\n将设备放置于平整处。\n二、使用\n接通电源。\n").error["code"]
        == "not_a_report"
    )


def test_prose_only_report_says_no_table_was_found() -> None:
    text = (
        "青山镇人民政府政府信息公开工作年度报告\n一、总体情况\n"
        "本镇依法做好政府信息公开工作。\n"
        "五、存在的主要问题及改进情况\n无。\n"
    )
    report = parse(text)
    assert report.error is None and not report.cells
    assert any("没有找到第二、三、四部分的统计表格" in w for w in report.warnings)


# ------------------------------------------------------------------ item 4: digit runs
def test_sum_splits_respect_d1_and_leading_zeros() -> None:
    assert sum_splits(Run.parse("1000001"), 7) == [(1, 0, 0, 0, 0, 0, 1)]
    assert sum_splits(Run.parse("12000000120"), 7) == [(120, 0, 0, 0, 0, 0, 120)]
    assert sum_splits(Run.parse("31001036"), 7) == []  # no split adds up
    assert (12, 0, 0, 0, 0, 0, 12) in sum_splits(Run.parse("120000012"), 7)
    assert sum_splits(Run.parse("0100000010"), 7) == []  # '01' is never a cell
    # the pieces a run shows are kept: a cell never spans a space
    assert sum_splits(Run.parse("1 2 0 0 0 0 3"), 7) == [(1, 2, 0, 0, 0, 0, 3)]
    assert sum_splits(Run.parse("11 0000011"), 7) == [(11, 0, 0, 0, 0, 0, 11)]


def test_s4_split_in_three_groups() -> None:
    assert s4_splits(Run.parse("2110400000101001")) == []  # the last group does not add up
    assert s4_splits(Run.parse("211040000010001")) == [(2, 1, 1, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1)]


def test_free_splits_and_agreement() -> None:
    assert free_splits(Run.parse("000"), 3) == [(0, 0, 0)]
    splits = free_splits(Run.parse("512430"), 3)
    assert (5, 12, 430) in splits and (51, 24, 30) in splits
    assert agreed([(1, 2, 3), (1, 5, 3)]) == [1, None, 3]


def test_the_search_is_bounded() -> None:
    with pytest.raises(TooMany):
        sum_splits(Run.parse("9" * 60), 7)


def test_cross_row_rules_fix_an_ambiguous_row() -> None:
    # （一）予以公开 '1111111' alone... is not D1; take '110000011' with two D1 splits:
    # (1,10,0,0,0,0,11) and (11,0,0,0,0,0,11); O1 and D3 decide.
    cands = sum_splits(Run.parse("110000011"), 7)
    assert len(cands) == 2
    zero = (0,) * 7
    version = schema.V2021
    fixed = {k: zero for k in schema.outcome_rows(version)}
    fixed |= {"r2_carried_over": zero, "r3_7_total": (11, 0, 0, 0, 0, 0, 11), "r4_carry_forward": zero}
    del fixed["r3_1_granted"]
    runs = {"r3_1_granted": Run.parse("110000011"), "r1_new_received": Run.parse("110000011")}
    result = solve_s3(fixed, runs, schema.outcome_rows(version))
    assert result.values["r3_1_granted"] == [11, 0, 0, 0, 0, 0, 11]
    assert result.values["r1_new_received"] == [11, 0, 0, 0, 0, 0, 11]


RUN_DUMP = """东湖区民政局2022年政府信息公开工作年度报告
一、总体情况
2022年，我局依法做好政府信息公开工作。
二、主动公开政府信息情况
第二十条第（一）项
信息内容本年制发件数本年废止件数现行有效件数
规章000
行政规范性文件512430
第二十条第（五）项
信息内容本年处理决定数量
行政许可1520
第二十条第（六）项
行政处罚37
行政强制0
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量91001011
二、上年结转政府信息公开申请数量1000001
三、本年度办理结果
（一）予以公开2000103
（二）部分公开（区分处理的，只计这一情形，不计其他情形）1000001
（三）不予公开1.属于国家秘密0000000
2.其他法律行政法规禁止公开0000000
3.危及“三安全一稳定”0000000
4.保护第三方合法权益0000000
5.属于三类内部事务信息0000000
6.属于四类过程性信息0000000
7.属于行政执法案卷0000000
8.属于行政查询事项0000000
（四）无法提供1.本机关不掌握相关政府信息4000004
2.没有现成信息需要另行制作0000000
3.补正后申请内容仍不明确0000000
（五）不予处理1.信访举报投诉类申请0000000
2.重复申请0000000
3.要求提供公开出版物0000000
4.无正当理由大量反复申请0000000
5.要求行政机关确认或重新出具已获取信息0000000
（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请0000000
2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请0000000
3.其他0000000
（七）总计7000108
四、结转下年度继续办理3100004
四、政府信息公开行政复议、行政诉讼情况
行政复议行政诉讼
结果维持结果纠正其他结果尚未审结总计
211040000010001
五、存在的主要问题及改进情况
无。
"""


def test_run_together_dump_is_split_by_the_rules() -> None:
    report = parse(RUN_DUMP)
    assert report.error is None and report.template == "2021"
    assert row(report, "r1_new_received") == (9, 1, 0, 0, 1, 0, 11)
    assert row(report, "r3_1_granted") == (2, 0, 0, 0, 1, 0, 3)
    assert row(report, "r3_7_total") == (7, 0, 0, 0, 1, 0, 8)
    assert row(report, "r4_carry_forward") == (3, 1, 0, 0, 0, 0, 4)
    assert len([k for k in report.cells if k.startswith("s3.")]) == 25 * 7
    assert not [c for c in report.checks if c.status == "fail"]
    assert report.cells["s3.r1_new_received.total"].flag == "split_by_rule"
    assert [report.cells[f"s4.{k}"].value for k in schema.S4_COL_KEYS] == [
        2,
        1,
        1,
        0,
        4,
        0,
        0,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        1,
    ]
    assert report.cells["s4.review_total"].flag == "split_by_rule"
    # 二 has no rule: '512430' stays out, its candidates listed; '000' has one split only
    assert not any(k.startswith("s2.art20_1.normative_documents") for k in report.cells)
    assert any("512430" in w and "5/12/430" in w for w in report.warnings)
    assert report.cells["s2.art20_1.regulations.in_force"].value == 0
    assert report.cells["s2.art20_5.administrative_licensing.decisions"].value == 1520
    assert report.cells["s2.art20_6.administrative_penalty.decisions"].value == 37
    assert report.cells["s2.art20_6.administrative_coercion.decisions"].value == 0
    assert not any("没有对应的行标签" in w for w in report.warnings)


# ------------------------------------------------------------------ item 5: OCR markdown
# The long header row of the first table is split in the source only (adjacent literals): one line.
OCR_MD = (
    """# 云溪乡人民政府2023年政府信息公开工作年度报告

## 三、收到和处理政府信息公开申请情况

| 本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和 |"""
    """ 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |
| --- | --- | --- | --- | --- | --- | --- | --- |
| 一、本年新收政府信息公开申请数量 | 5 | 1 | - | - | - | - | 6 |
| 二、上年结转政府信息公开申请数量 | 1 | - | - | - | - | - | 1 |

| 三、本年度办理结果 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |
| --- | --- | --- | --- | --- | --- | --- | --- |
| （一）予以公开 | 3 | 1 | - | - | - | - | 4 |

## 四、政府信息公开行政复议、行政诉讼情况

| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
| --- | --- | --- | --- | --- |
| 1 | 0 | 0 | 0 | 1 |

| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
| --- | --- | --- | --- | --- |
| 0 | 0 | 0 | 0 | 0 |

| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
| --- | --- | --- | --- | --- |
| 0 | 0 | 0 | 2 | 2 |
"""
)


def test_ocr_markdown_generic_columns_split_tables_and_three_tables_of_four() -> None:
    report = parse_bytes(OCR_MD.encode("utf-8"), "ocr.md")
    assert row(report, "r1_new_received") == (5, 1, None, None, None, None, 6)
    assert report.cells["s3.r1_new_received.research_institution"].flag == "dash"
    assert row(report, "r3_1_granted") == (3, 1, None, None, None, None, 4)
    assert not any("总计" in w and "0 个数值" in w for w in report.warnings)  # 总计 after 数据6 is a header
    assert [report.cells[f"s4.{k}"].value for k in schema.S4_COL_KEYS] == [
        1,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        2,
        2,
    ]


# ------------------------------------------------------------------ extracted markdown debris
DEBRIS = """某县司法局2022年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（一）项
信息内容
本年制发件数
本年废止件数
现行有效件数
规章
0
0
0
行政规范性文件
22
（其中修订16件）
3
41
— 4 —
第二十条第（五）项
信息内容
本年处理决定数量
行政许可
130
- 5 -
三、收到和处理政府信息公开申请情况
| 本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和 | 申请人情况 | | | | | | |
| | 自然人 | 法人或其他组织 | | | | | 总计 |
| | | 商 | 科 | 社会公 | 法律服 | 其他 | |
| | | 业 | 构 | 益组织 | 务机构 | | |
| 一、本年新收政府信息公开申请数量 | 4 | 0 | 0 | 0 | 0 | 0 | 4 |
| 第 5 页 | | | | | | | |
| 二、上年结转政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
"""


def test_torn_cell_notes_page_marks_and_header_fragments() -> None:
    report = parse(DEBRIS)
    assert [
        report.cells[f"s2.art20_1.normative_documents.{c}"].value for c in ("issued", "repealed", "in_force")
    ] == [22, 3, 41]
    assert report.cells["s2.art20_5.administrative_licensing.decisions"].value == 130
    assert row(report, "r1_new_received") == (4, 0, 0, 0, 0, 0, 4)
    assert row(report, "r2_carried_over") == (1, 0, 0, 0, 0, 0, 1)
    assert not report.unmatched_labels
    assert not report.warnings


def test_a_dash_number_dash_line_right_after_a_label_is_never_dropped_silently() -> None:
    text = DEBRIS.replace("行政许可\n130\n- 5 -\n", "行政许可\n- 5 -\n130\n")
    report = parse(text)
    assert report.cells.get("s2.art20_5.administrative_licensing.decisions") is None
    assert any("行政许可" in w for w in report.warnings)


def test_run_together_header_of_table_two_decides_the_template() -> None:
    """A 2019 template used for a 2021 report, header words run together: the header (not the year)
    says v2019, so '规章000' fills 本年新制作数量… and never the v2021 columns."""
    text = (
        "某县民政局2021年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\n"
        "信息内容本年新制作数量本年新公开数量对外公开总数量\n规章000\n规范性文件0512\n"
    )
    report = parse(text)
    assert report.table_versions.get("s2") == "2019"
    assert report.cells["s2.art20_1.regulations.total_published"].value == 0
    assert "s2.art20_1.regulations.in_force" not in report.cells
    # '0512': 0/5/12 or 0/51/2 — only the first cell is certain
    assert report.cells["s2.art20_1.normative_documents.new_made"].value == 0
    assert report.cells["s2.art20_1.normative_documents.new_made"].flag == "split_by_rule"
    assert "s2.art20_1.normative_documents.new_published" not in report.cells
    assert any("0/5/12" in w and "0/51/2" in w for w in report.warnings)


def test_generic_columns_not_confirmed_by_d1_are_reported() -> None:
    text = OCR_MD.replace(
        "| （一）予以公开 | 3 | 1 | - | - | - | - | 4 |", "| （一）予以公开 | 3 | 1 | - | - | - | - | 5 |"
    )
    report = parse_bytes(text.encode("utf-8"), "ocr.md")
    assert any("通用列名" in w and "（一）予以公开" in w for w in report.warnings)
    assert not any("通用列名" in w for w in parse_bytes(OCR_MD.encode("utf-8"), "ocr.md").warnings)


# ------------------------------------------------------------------ item 2: a label with a long note
LONG_NOTE = """某县民政局2020年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（一）项
信息内容
本年新制作数量
本年新公开数量
对外公开总数量
规章
0
0
0
规范性文件（行政机关制定发布的决定、公告、通告、意见、通知，以及标题采用“规定”“办法”“细则”“规则”等形式的文件，各级政府部门及其内设机构制定的具有普遍约束力的文件）
3
2
17
"""


def test_a_label_with_a_long_provincial_note_on_one_line_keeps_its_row() -> None:
    report = parse(LONG_NOTE)
    key = "s2.art20_1.normative_documents"
    got = [report.cells[f"{key}.{c}"].value for c in ("new_made", "new_published", "total_published")]
    assert got == [3, 2, 17]
    assert not any("没有对应的行标签" in w for w in report.warnings)


CLIPPED = """某县商务局2020年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（五）项
信息内容 上一年项目数量 本年增/减 处理决定数量
行政许可 3 0 12
其他对外管 5 1 40
"""


def test_a_label_clipped_mid_word_is_read_when_one_open_row_starts_with_it() -> None:
    report = parse(CLIPPED)
    key = "s2.art20_5.other_management_services"
    assert [report.cells[f"{key}.{c}"].value for c in ("prev_year_items", "items_change", "decisions")] == [
        5,
        1,
        40,
    ]
    assert any(m.tier == "clipped" for m in report.labels)


def test_a_clipped_label_that_starts_two_open_rows_is_left_out() -> None:
    # '行政' starts 行政许可, 行政处罚 and 行政强制: no position decides, so nothing is read.
    report = parse(CLIPPED.replace("其他对外管 5 1 40", "行政 5 1 40").replace("行政许可 3 0 12\n", ""))
    assert not any(k.endswith(".decisions") and report.cells[k].value == 40 for k in report.cells)

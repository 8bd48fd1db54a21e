"""Real documents from ../shared/fixtures, parsed end to end.

The expected values of the 淮安 report were read by eye from the PDF pages rendered with
``pdftoppm -r 200`` (pages 3-5), not copied from parser output; the sums were checked by hand
(e.g. column 自然人: 3001 + 34 = 2932 + 103).
"""

from __future__ import annotations

import pytest
from paths import BLANK_2021, HUAIAN

from parsing.api import parse_bytes
from parsing.readers import docx as docx_reader
from parsing.readers import pdf as pdf_reader
from parsing.schema import S3_COL_KEYS, S4_COL_KEYS, cell_keys

HUAIAN_S2 = {
    "s2.art20_1.regulations.issued": 1,
    "s2.art20_1.regulations.repealed": 0,
    "s2.art20_1.regulations.in_force": 11,
    "s2.art20_1.normative_documents.issued": 8,
    "s2.art20_1.normative_documents.repealed": 26,
    "s2.art20_1.normative_documents.in_force": 66,
    "s2.art20_5.administrative_licensing.decisions": 447228,
    "s2.art20_6.administrative_penalty.decisions": 3985758,
    "s2.art20_6.administrative_coercion.decisions": 88283,
    "s2.art20_8.administrative_fees.fee_amount_wan_yuan": 96171.6,
}
# Table 三, columns in order: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
HUAIAN_S3_ROWS = {
    "r1_new_received": (3001, 53, 0, 0, 61, 4, 3119),
    "r2_carried_over": (34, 0, 0, 0, 0, 0, 34),
    "r3_1_granted": (1288, 21, 0, 0, 50, 3, 1362),
    "r3_2_partial": (447, 7, 0, 0, 0, 0, 454),
    "r3_3_1_state_secret": (2, 0, 0, 0, 0, 0, 2),
    "r3_3_2_prohibited_by_law": (30, 1, 0, 0, 0, 0, 31),
    "r3_3_3_three_safety_one_stability": (5, 0, 0, 0, 0, 0, 5),
    "r3_3_4_third_party_rights": (6, 0, 0, 0, 0, 0, 6),
    "r3_3_5_internal_affairs": (7, 1, 0, 0, 0, 0, 8),
    "r3_3_6_process_info": (12, 0, 0, 0, 0, 0, 12),
    "r3_3_7_enforcement_file": (9, 0, 0, 0, 0, 0, 9),
    "r3_3_8_admin_inquiry": (105, 0, 0, 0, 0, 0, 105),
    "r3_4_1_not_held": (746, 12, 0, 0, 10, 1, 769),
    "r3_4_2_needs_creation": (11, 0, 0, 0, 0, 0, 11),
    "r3_4_3_unclear_after_fix": (1, 0, 0, 0, 0, 0, 1),
    "r3_5_1_petition_complaint": (56, 6, 0, 0, 0, 0, 62),
    "r3_5_2_repeated": (25, 0, 0, 0, 0, 0, 25),
    "r3_5_3_publication": (0, 0, 0, 0, 0, 0, 0),
    "r3_5_4_excessive": (0, 0, 0, 0, 0, 0, 0),
    "r3_5_5_confirm_or_reissue": (1, 0, 0, 0, 0, 0, 1),
    "r3_6_1_no_correction": (67, 3, 0, 0, 1, 0, 71),
    "r3_6_2_fee_unpaid": (6, 0, 0, 0, 0, 0, 6),
    "r3_6_3_other": (108, 2, 0, 0, 0, 0, 110),
    "r3_7_total": (2932, 53, 0, 0, 61, 4, 3050),
    "r4_carry_forward": (103, 0, 0, 0, 0, 0, 103),
}
HUAIAN_S4 = (72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20)


def _huaian_expected() -> dict[str, int | float]:
    expected: dict[str, int | float] = dict(HUAIAN_S2)
    for row, values in HUAIAN_S3_ROWS.items():
        for col, value in zip(S3_COL_KEYS, values, strict=True):
            expected[f"s3.{row}.{col}"] = value
    for col, value in zip(S4_COL_KEYS, HUAIAN_S4, strict=True):
        expected[f"s4.{col}"] = value
    return expected


@pytest.fixture(scope="module")
def huaian():
    return parse_bytes(HUAIAN.read_bytes(), HUAIAN.name)


def test_huaian_expected_data_is_self_consistent():
    """The hand-read values themselves satisfy O1 per column (guards against a typo in this file)."""
    rows = HUAIAN_S3_ROWS
    for i in range(7):
        assert rows["r1_new_received"][i] + rows["r2_carried_over"][i] == (
            rows["r3_7_total"][i] + rows["r4_carry_forward"][i]
        )


def test_huaian_every_cell_exact(huaian):
    expected = _huaian_expected()
    assert huaian.error is None
    assert huaian.format == "pdf"
    assert huaian.template == "2021"
    got = huaian.values()
    assert sum(k.startswith("s2.") for k in got) == 10
    assert sum(k.startswith("s3.") for k in got) == 175
    assert sum(k.startswith("s4.") for k in got) == 15
    wrong = {k: (got.get(k), v) for k, v in expected.items() if got.get(k) != v}
    assert wrong == {}
    assert set(got) == set(expected)


def test_huaian_all_rules_pass(huaian):
    assert huaian.checks, "no rule was evaluated"
    failed = [c for c in huaian.checks if c.status == "fail"]
    assert failed == []
    assert {c.rule for c in huaian.checks if c.status == "pass"} >= {
        "O1_balance",
        "D1_row_total",
        "D3_outcome_sum",
    }


def test_huaian_metadata(huaian):
    assert huaian.year == 2024
    assert huaian.agency == "淮安市人民政府"


def test_huaian_cells_keep_page_and_bbox(huaian):
    """Provenance: every cell points at its page and box; the table crossing pages 4→5 is one table."""
    for key, cell in huaian.cells.items():
        assert cell.source is not None, key
        assert cell.source.kind == "pdf"
        assert cell.source.page in (3, 4, 5), key
        x0, top, x1, bottom = cell.source.bbox
        assert 0 <= x0 < x1 <= 595 and 0 <= top < bottom <= 842, key
    first = huaian.cells["s3.r1_new_received.natural_person"].source
    last = huaian.cells["s3.r4_carry_forward.total"].source
    assert (first.page, last.page) == (4, 5)
    assert first.table == last.table
    assert huaian.cells["s4.lit_after_review_total"].source.page == 5


def test_huaian_reader_rebuilds_split_and_vertical_labels():
    doc = pdf_reader.read(HUAIAN.read_bytes(), HUAIAN.name)
    texts = [c.text for row in doc.rows for c in row]
    # "（四）无" at the foot of page 4 and "法提供" at the top of page 5 are one merged cell again.
    assert "（四）无\n法提供" in texts
    assert "法提供" not in texts
    # The label printed one character per line keeps its characters in order.
    assert "三、\n本\n年\n度\n办\n理\n结\n果" in texts
    # Page marks ("- 5 -") are gone, from the rows and from the text.
    assert not any(t.strip() in {"- 1 -", "- 5 -", "-5-"} for t in texts)
    assert "- 5 -" not in doc.text
    assert doc.pages == 6
    assert "全年收取政府信息公开信息处理费 3940 元" in doc.text


def test_blank_2021_template_is_2021_with_only_blank_cells():
    data = BLANK_2021.read_bytes()
    report = parse_bytes(data, BLANK_2021.name)
    assert report.error is None
    assert report.template == "2021"
    keys_2021 = set(cell_keys("2021"))
    assert set(report.cells) == keys_2021
    assert len(report.cells) == 200
    invented = {k: c.value for k, c in report.cells.items() if c.value is not None}
    assert invented == {}
    assert all(c.raw.strip() == "" for c in report.cells.values())
    assert not [c for c in report.checks if c.status == "fail"]


def test_blank_template_docx_grid_dedupes_merges():
    doc = docx_reader.read(BLANK_2021.read_bytes(), BLANK_2021.name)
    texts = [c.text for row in doc.rows for c in row]
    # vMerge continuation cells are not emitted: each merged label appears exactly once.
    assert texts.count("三、本年度办理结果") == 1
    assert texts.count("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）") == 1
    assert texts.count("（三）不予公开") == 1
    assert texts.count("自然人") == 1
    # The data row of table 四 is 15 empty cells, all emitted.
    s4_row = next(row for row in doc.rows if row and row[0].source.table == 2 and row[0].source.row == 3)
    assert [c.text for c in s4_row] == [""] * 15

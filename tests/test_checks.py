"""Consistency checks (parsing/checks.py) on real report numbers and on focused edge cases."""

from __future__ import annotations

import re

import pdfplumber
import pytest
from paths import HUAIAN
from paths import SHARED_SEEDS as SEEDS

from parsing.checks import check_place, explain, run_checks, s3_key, s4_key, summarize
from parsing.report import Cell, Check
from parsing.schema import CELLS, NARRATIVE_KEYS, S3_COL_KEYS, S4_COL_KEYS, key_label, outcome_rows, s3_rows

V2021 = {"s2": "2021", "s3": "2021", "s4": "2021"}
V2019 = {"s2": "2019", "s3": "2019", "s4": "2019"}


def cell(key: str, value: int | float | None, flag: str | None = None) -> Cell:
    raw = "" if value is None else str(value)
    return Cell(key, value, raw, flag=flag or ("blank" if value is None else "ok"))


def by(checks: list[Check], rule: str, where: str) -> Check:
    found = [c for c in checks if c.rule == rule and c.where == where]
    assert len(found) == 1, (rule, where, found)
    return found[0]


@pytest.fixture(scope="module")
def huaian_cells() -> dict[str, Cell]:
    """Tables 三 and 四 of the real 淮安市人民政府 2024 report, read from the PDF (v2021 layout).

    Every data row of 三 ends in its 7 numbers on one text line; 四 is the one line of 15 numbers.
    """
    with pdfplumber.open(HUAIAN) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    s3_text = text[text.index("三、收到和处理政府信息公开申请情况") : text.index("四、政府信息公开行政复议")]
    s3_lines = [m.group(1).split() for m in re.finditer(r"((?:\s\d+){7})\s*$", s3_text, re.M)]
    rows = s3_rows("2021")
    assert len(s3_lines) == len(rows) == 25
    cells = {}
    for row, values in zip(rows, s3_lines, strict=True):
        for col, v in zip(S3_COL_KEYS, values, strict=True):
            cells[s3_key(row.key, col)] = cell(s3_key(row.key, col), int(v))
    s4_line = re.search(r"^((?:\d+\s+){14}\d+)$", text[text.index("四、政府信息公开行政复议") :], re.M)
    assert s4_line is not None
    for col, v in zip(S4_COL_KEYS, s4_line.group(1).split(), strict=True):
        cells[s4_key(col)] = cell(s4_key(col), int(v))
    return cells


def test_huaian_2024_satisfies_every_rule(huaian_cells):
    checks = run_checks(huaian_cells, V2021)
    assert summarize(checks) == {"pass": 43, "fail": 0, "skipped": 0, "total": 43}
    # 7 O1 + 25 D1 + 7 D3 + 3 D5 + 1 D6, in that order.
    assert [c.rule for c in checks][:7] == ["O1_balance"] * 7
    assert by(checks, "O1_balance", "total").detail == "3119 + 34 = 3050 + 103"
    assert by(checks, "O1_balance", "natural_person").detail == "3001 + 34 = 2932 + 103"
    assert by(checks, "D1_row_total", "r3_4_1_not_held").detail == "769 = 746 + 12 + 0 + 0 + 10 + 1"
    assert by(checks, "D3_outcome_sum", "total").detail == "3050 = sum of 21 cells (3050)"
    assert by(checks, "D5_review", "review").detail == "351 = 72 + 64 + 178 + 37"
    assert by(checks, "D5_lit_direct", "lit_direct").detail == "26 = 13 + 4 + 8 + 1"
    assert by(checks, "D5_lit_after", "lit_after_review").detail == "20 = 12 + 1 + 1 + 6"
    assert by(checks, "D6_types", "all").detail == "190 values checked"


def test_huaian_misread_cell_fails_three_rules_with_numbers(huaian_cells):
    # One digit misread in （七）总计/自然人 must show up in O1, D1 and D3, each with its numbers.
    cells = dict(huaian_cells)
    key = s3_key("r3_7_total", "natural_person")
    cells[key] = cell(key, 2923)
    checks = run_checks(cells, V2021)
    failed = {(c.rule, c.where): c.detail for c in checks if c.status == "fail"}
    assert failed == {
        ("O1_balance", "natural_person"): "3001 + 34 = 2923 + 103 → 3035 ≠ 3026",
        ("D1_row_total", "r3_7_total"): "3050 = 2923 + 53 + 0 + 0 + 61 + 4 → 3050 ≠ 3041",
        ("D3_outcome_sum", "natural_person"): "2923 = sum of 21 cells (2932) → 2923 ≠ 2932",
    }


def test_failing_o1_states_the_numbers():
    cells = {
        s3_key("r1_new_received", "total"): cell("a", 0),
        s3_key("r2_carried_over", "total"): cell("b", 3),
        s3_key("r3_7_total", "total"): cell("c", 2),
        s3_key("r4_carry_forward", "total"): cell("d", 0),
    }
    check = by(run_checks(cells, V2021), "O1_balance", "total")
    assert check.status == "fail"
    assert check.detail == "0 + 3 = 2 + 0 → 3 ≠ 2"
    assert check.blank_as_zero == []


def _o1_cells(col: str, r1, r2, r3, r4) -> dict[str, Cell]:
    keys = [s3_key(r, col) for r in ("r1_new_received", "r2_carried_over", "r3_7_total", "r4_carry_forward")]
    return {k: cell(k, v) for k, v in zip(keys, (r1, r2, r3, r4), strict=True)}


def test_blank_total_is_skipped_not_zero():
    cells = _o1_cells("total", 5, 0, None, 0)
    check = by(run_checks(cells, V2021), "O1_balance", "total")
    assert check.status == "skipped"
    assert "total blank" in check.detail and s3_key("r3_7_total", "total") in check.detail


def test_blank_summand_is_zero_and_listed():
    cells = _o1_cells("natural_person", 4, None, 4, None)
    check = by(run_checks(cells, V2021), "O1_balance", "natural_person")
    assert check.status == "pass"
    assert check.detail == "4 + 0 = 4 + 0"
    assert check.blank_as_zero == [
        s3_key("r2_carried_over", "natural_person"),
        s3_key("r4_carry_forward", "natural_person"),
    ]


def test_blank_summand_can_still_fail():
    cells = _o1_cells("total", None, 0, 5, 0)
    check = by(run_checks(cells, V2021), "O1_balance", "total")
    assert check.status == "fail"
    assert check.detail == "0 + 0 = 5 + 0 → 0 ≠ 5"
    assert check.blank_as_zero == [s3_key("r1_new_received", "total")]


def test_absent_cell_is_skipped_and_named():
    cells = _o1_cells("total", 5, 0, 5, 0)
    del cells[s3_key("r2_carried_over", "total")]
    checks = run_checks(cells, V2021)
    check = by(checks, "O1_balance", "total")
    assert check.status == "skipped"
    assert check.detail == f"absent: {s3_key('r2_carried_over', 'total')}"
    # the other columns are absent entirely: skipped too, never passed on invented zeros
    assert by(checks, "O1_balance", "natural_person").status == "skipped"
    assert all(c.status != "pass" for c in checks if c.rule != "D6_types")


def test_unparsed_cell_is_not_read_as_zero():
    cells = _o1_cells("total", 5, 0, 5, 0)
    key = s3_key("r2_carried_over", "total")
    cells[key] = Cell(key, None, "五件?", flag="unparsed")
    check = by(run_checks(cells, V2021), "O1_balance", "total")
    assert check.status == "skipped"
    assert check.detail == f"unreadable: {key}"


def test_shanghai_2019_blank_zero_cells():
    # 上海市政府办公厅 2019 (report-format.md §6.4): zero cells are blank, outcome-row 总计 blank.
    values = {
        ("r1_new_received", "natural_person"): 821,
        ("r2_carried_over", "natural_person"): 18,
        ("r3_7_total", "natural_person"): 767,
        ("r4_carry_forward", "natural_person"): 72,
        ("r1_new_received", "commercial_enterprise"): 35,
        ("r2_carried_over", "commercial_enterprise"): None,
        ("r3_7_total", "commercial_enterprise"): 35,
        ("r4_carry_forward", "commercial_enterprise"): None,
        ("r1_new_received", "total"): 859,
        ("r2_carried_over", "total"): 18,
        ("r3_7_total", "total"): 805,
        ("r4_carry_forward", "total"): 72,
        ("r3_1_granted", "natural_person"): 100,
        ("r3_1_granted", "total"): None,
    }
    cells = {s3_key(r, c): cell(s3_key(r, c), v) for (r, c), v in values.items()}
    for col, v in zip(
        ("review_upheld", "review_corrected", "review_other", "review_pending", "review_total"),
        (5, None, None, 2, 7),
        strict=True,
    ):
        cells[s4_key(col)] = cell(s4_key(col), v)
    checks = run_checks(cells, V2019)
    assert by(checks, "O1_balance", "natural_person").detail == "821 + 18 = 767 + 72"
    assert by(checks, "O1_balance", "total").detail == "859 + 18 = 805 + 72"
    commercial = by(checks, "O1_balance", "commercial_enterprise")
    assert (commercial.status, commercial.detail) == ("pass", "35 + 0 = 35 + 0")
    assert len(commercial.blank_as_zero) == 2
    assert by(checks, "D1_row_total", "r3_1_granted").status == "skipped"
    review = by(checks, "D5_review", "review")
    assert (review.status, review.detail) == ("pass", "7 = 5 + 0 + 0 + 2")
    assert review.blank_as_zero == [s4_key("review_corrected"), s4_key("review_other")]
    # the two litigation groups are not in the report at all: skipped, naming what is absent
    assert by(checks, "D5_lit_direct", "lit_direct").detail.startswith("absent: s4.lit_direct_total")


def _d3_cells(version: str, other: dict[str, int], total: int) -> dict[str, Cell]:
    cells = {}
    for row in outcome_rows(version):
        key = s3_key(row, "total")
        cells[key] = cell(key, 0)
    for row, v in other.items():
        cells[s3_key(row, "total")] = cell(s3_key(row, "total"), v)
    cells[s3_key("r3_7_total", "total")] = cell("t", total)
    return cells


def test_d3_v2019_uses_the_single_other_row():
    assert "r3_6_other" in outcome_rows("2019") and "r3_6_1_no_correction" not in outcome_rows("2019")
    cells = _d3_cells("2019", {"r3_6_other": 2, "r3_1_granted": 1}, 3)
    assert by(run_checks(cells, V2019), "D3_outcome_sum", "total").status == "pass"
    # a stray v2021 sub-row is not counted in a v2019 table
    cells[s3_key("r3_6_1_no_correction", "total")] = cell("x", 9)
    assert by(run_checks(cells, V2019), "D3_outcome_sum", "total").status == "pass"
    # the same table declared v2021 lacks the three sub-rows
    check = by(run_checks(cells, V2021), "D3_outcome_sum", "total")
    assert check.status == "skipped"
    assert "s3.r3_6_2_fee_unpaid.total" in check.detail and "r3_6_other" not in check.detail


def test_d3_v2021_uses_the_three_sub_rows():
    cells = _d3_cells("2021", {"r3_6_1_no_correction": 1, "r3_6_2_fee_unpaid": 1, "r3_6_3_other": 1}, 3)
    cells[s3_key("r3_6_other", "total")] = cell("x", 3)  # must not be added in v2021
    check = by(run_checks(cells, V2021), "D3_outcome_sum", "total")
    assert check.status == "pass"
    cells[s3_key("r3_7_total", "total")] = cell("t", 6)
    check = by(run_checks(cells, V2021), "D3_outcome_sum", "total")
    assert check.status == "fail" and check.detail.endswith("→ 6 ≠ 3")


@pytest.mark.parametrize("version", ["mixed", None])
def test_d3_unknown_version_is_skipped(version):
    cells = _d3_cells("2021", {}, 0)
    versions = {"s3": version} if version else {}
    checks = [c for c in run_checks(cells, versions) if c.rule == "D3_outcome_sum"]
    assert len(checks) == 7 and all(c.status == "skipped" for c in checks)
    assert f"version is {version or 'unknown'}" in checks[0].detail


def test_d6_types():
    cells = {
        "s2.art20_5.administrative_licensing.items_change": cell("a", -3),
        "s2.art20_8.administrative_fees.fee_amount_wan_yuan": cell("b", 96171.6),
        "s2.art20_9.centralized_procurement.procurement_amount": cell("c", 160.5964),
        s4_key("review_total"): cell("d", 0),
        s4_key("review_upheld"): cell("e", None),
    }
    assert [(c.where, c.status, c.detail) for c in run_checks(cells, V2021) if c.rule == "D6_types"] == [
        ("all", "pass", "4 values checked")
    ]
    cells["s2.art20_5.administrative_licensing.items_change"] = cell("a", 2.5)
    cells["s2.art20_8.administrative_fees.fee_amount_wan_yuan"] = cell("b", -1.5)
    cells[s4_key("review_total")] = cell("d", -1)
    cells[s3_key("r1_new_received", "total")] = cell("f", 3.5)
    failed = [(c.where, c.detail) for c in run_checks(cells, V2021) if c.rule == "D6_types"]
    assert failed == [
        ("s2.art20_5.administrative_licensing.items_change", "2.5: signed must be an integer"),
        ("s2.art20_8.administrative_fees.fee_amount_wan_yuan", "-1.5: amount must be a non-negative amount"),
        ("s4.review_total", "-1: count must be a non-negative integer"),
        ("s3.r1_new_received.total", "3.5: count must be a non-negative integer"),
    ]


def test_absent_tables_get_no_checks():
    assert run_checks({}, {}) == []
    only_s2 = {"s2.art20_1.regulations.issued": cell("a", 1)}
    assert [c.rule for c in run_checks(only_s2, V2021)] == ["D6_types"]
    only_s4 = {s4_key(k): cell(k, 0) for k in S4_COL_KEYS}
    assert {c.rule for c in run_checks(only_s4, V2021)} == {
        "D5_review",
        "D5_lit_direct",
        "D5_lit_after",
        "D6_types",
    }


def test_summarize_counts_every_status():
    checks = [
        Check("O1_balance", "total", "pass"),
        Check("D1_row_total", "r1", "fail"),
        Check("D3_outcome_sum", "total", "skipped"),
        Check("D5_review", "review", "pass"),
    ]
    assert summarize(checks) == {"pass": 2, "fail": 1, "skipped": 1, "total": 4}
    assert summarize([]) == {"pass": 0, "fail": 0, "skipped": 0, "total": 0}


def test_json_form_lists_blanks_read_as_zero():
    cells = _o1_cells("total", 4, None, 4, 0)
    out = by(run_checks(cells, V2021), "O1_balance", "total").to_json()
    assert out == {
        "rule": "O1_balance",
        "where": "total",
        "status": "pass",
        "detail": "4 + 0 = 4 + 0",
        "detail_zh": "总计列：一、本年新收＋二、上年结转 4（4 + 0）"
        " ＝ 三、（七）总计＋四、结转下年度继续办理 4（4 + 0）"
        "；按 0 计的空白：“二、上年结转政府信息公开申请数量 · 总计”",
        "blank_as_zero": ["s3.r2_carried_over.total"],
    }


@pytest.mark.parametrize(
    "seed", ["000_bd3a826d0705f6e5.txt", "001_d954dc0dac9f162f.txt", "004_e3c733e02cbb2cbf.txt"]
)
def test_seed_reports_balance_end_to_end(seed):
    # Real all-zero reports through the whole parser: every O1 column is evaluated and none fails.
    from parsing.api import parse_path

    report = parse_path(SEEDS / seed)[0]
    assert report.error is None
    o1 = [c for c in report.checks if c.rule == "O1_balance"]
    assert [c.status for c in o1] == ["pass"] * 7
    assert summarize(report.checks)["fail"] == 0


# ------------------------------------------------------------------ Chinese explanations (issue 7 item 9)

_CODE_LIKE = re.compile(r"[A-Za-z_]")


def test_failed_outcome_sum_reads_in_chinese_with_standard_labels():
    rows = outcome_rows("2021")
    cells = {s3_key("r3_7_total", c): cell(s3_key("r3_7_total", c), 0) for c in S3_COL_KEYS}
    cells[s3_key("r3_7_total", "natural_person")] = cell("t", 20)
    for i, r in enumerate(rows):
        for c in S3_COL_KEYS:
            cells[s3_key(r, c)] = cell(s3_key(r, c), 26 if (i == 0 and c == "natural_person") else 0)
    check = by(run_checks(cells, V2021), "D3_outcome_sum", "natural_person")
    assert check.status == "fail" and check.detail == "20 = sum of 21 cells (26) → 20 ≠ 26"
    assert check.to_json()["detail_zh"] == "三、（七）总计 · 自然人 20 ≠ 各办理结果之和 26"
    assert check_place(check.rule, check.where) == "自然人列"


def test_every_check_of_a_report_is_explained_without_code_names(huaian_cells):
    broken = dict(huaian_cells)
    broken[s3_key("r2_carried_over", "natural_person")] = cell("b", None)  # blank read as 0
    broken[s3_key("r3_7_total", "total")] = cell("t", None)  # blank total: skipped
    broken[s4_key("review_upheld")] = cell("v", 2.5)  # D6 type error
    del broken[s4_key("lit_direct_total")]  # absent: skipped
    checks = run_checks(broken, V2021)
    assert {c.status for c in checks} == {"pass", "fail", "skipped"}
    for check in checks:
        text = check.to_json()["detail_zh"]
        assert text and not _CODE_LIKE.search(text), (check, text)
        assert not _CODE_LIKE.search(check_place(check.rule, check.where)), check
    d6 = by(checks, "D6_types", s4_key("review_upheld"))
    assert d6.detail_zh == "行政复议 · 结果维持：数值 2.5 应为非负整数"


def test_stored_checks_without_detail_zh_are_explained_the_same_way():
    # Reports stored before detail_zh existed keep only rule/where/status/detail: derived on display.
    assert explain("D3_outcome_sum", "natural_person", "fail", "20 = sum of 19 cells (26) → 20 ≠ 26") == (
        "三、（七）总计 · 自然人 20 ≠ 各办理结果之和 26"
    )
    assert explain("D1_row_total", "r3_1_granted", "fail", "5 = 1 + 1 + 0 + 0 + 0 + 0 → 5 ≠ 2") == (
        "三、（一）予以公开 · 总计 5 ≠ 各类申请人之和 2（1 + 1 + 0 + 0 + 0 + 0）"
    )
    assert (
        explain("D5_review", "review", "skipped", "absent: s4.review_total")
        == "报告中缺少“行政复议 · 总计”，未校验"
    )
    assert explain(
        "D3_outcome_sum", "total", "skipped", "table 三 version is mixed: outcome rows unknown"
    ) == ("第三部分的格式版本无法确定，办理结果各行不明，未校验")


def test_every_canonical_key_has_a_unique_chinese_label():
    labels = {key: key_label(key) for key in [*CELLS, *(f"n.{k}" for k in NARRATIVE_KEYS)]}
    assert len(set(labels.values())) == len(labels)
    assert not [v for v in labels.values() if _CODE_LIKE.search(v)]
    assert labels["s3.r3_1_granted.natural_person"] == "三、（一）予以公开 · 自然人"
    assert labels["s4.lit_after_review_total"] == "行政诉讼 · 复议后起诉 · 总计"

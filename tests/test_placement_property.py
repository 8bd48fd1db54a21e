"""Rows of 三 whose labels were torn out of an extracted markdown table (issue 9, item 3).

Property test: a valid table 三 (D1, D3, O1 hold) is written as markdown the way PDF-to-markdown
tools print it: some row labels torn out of their cells and printed as loose lines before or after
the table, and the rows in scrambled order. Whatever is torn and however the rows are shuffled, no
cell the parser returns may ever carry a wrong value; every cell it placed by the rules is flagged.
Focused tests pin the cases where the rules leave exactly one placement, or none.
"""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st
from property_support import balanced_s3, property_settings

from parsing import schema
from parsing.api import parse_bytes
from parsing.placement import place

SETTINGS = property_settings(60)
HEAD = (
    "| 本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和 |"
    " 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |"
)


def _table(rng: random.Random, version: str) -> dict[str, list[int]]:
    """A valid table 三: outcome rows drawn, 总计 and the balance row derived."""
    return balanced_s3(
        rng, version, lambda: rng.choice([0, 0, 0, 0, 1, 2, 3, 5, 12]), columns=6, p_outcome=0.4
    )


def _markdown(
    table: dict[str, list[int]], version: str, torn: set[str], order: list[str], loose_before: bool
) -> str:
    labels = {r.key: r.label for r in schema.s3_rows(version)}
    loose = [labels[k] for k in order if k in torn]
    lines = [
        "# 西城区应急管理局2022年政府信息公开工作年度报告",
        "",
        "## 三、收到和处理政府信息公开申请情况",
        "",
    ]
    if loose_before:
        lines += [*loose, ""]
    lines += [HEAD, "| --- " * 8 + "|"]
    for key in order:
        label = "" if key in torn else labels[key]
        lines.append(f"| {label} | " + " | ".join(map(str, table[key])) + " |")
    lines.append("")
    if not loose_before:
        lines += [*loose, ""]
    lines += ["## 四、政府信息公开行政复议、行政诉讼情况", "", "## 五、存在的主要问题及改进情况", "无。"]
    return "\n".join(lines) + "\n"


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    new=st.booleans(),
    ntorn=st.integers(1, 6),
    shuffle=st.booleans(),
    before=st.booleans(),
)
def test_torn_and_scrambled_rows_never_get_a_wrong_value(
    seed: int, new: bool, ntorn: int, shuffle: bool, before: bool
) -> None:
    rng = random.Random(seed)
    version = schema.V2021 if new else schema.V2019
    table = _table(rng, version)
    order = [r.key for r in schema.s3_rows(version)]
    torn = set(rng.sample(order, ntorn))
    if shuffle:
        rng.shuffle(order)
    report = parse_bytes(_markdown(table, version, torn, order, before).encode(), "extracted.md")
    for key, cell in report.cells.items():
        _, row, col = key.split(".")
        assert cell.value == table[row][schema.S3_COL_KEYS.index(col)], (key, cell)
        assert (cell.flag == "placed_by_rule") == (row in torn), (key, cell.flag)
    if any(k.startswith("s3.") and report.cells[k].flag == "placed_by_rule" for k in report.cells):
        assert any("已按勾稽关系" in w for w in report.warnings)
    placed_rows = {k.split(".")[1] for k in report.cells}
    if not placed_rows >= torn:
        assert any("没有行标签" in w for w in report.warnings)  # never silent


def _v2021_table() -> dict[str, list[int]]:
    t = {k: [0] * 7 for k in (r.key for r in schema.s3_rows(schema.V2021))}
    t["r1_new_received"] = [12, 2, 0, 0, 1, 0, 15]
    t["r2_carried_over"] = [1, 0, 0, 0, 0, 0, 1]
    t["r3_1_granted"] = [6, 1, 0, 0, 0, 0, 7]
    t["r3_2_partial"] = [2, 0, 0, 0, 1, 0, 3]
    t["r3_4_1_not_held"] = [3, 0, 0, 0, 0, 0, 3]
    t["r3_7_total"] = [11, 1, 0, 0, 1, 0, 13]
    t["r4_carry_forward"] = [2, 1, 0, 0, 0, 0, 3]
    return t


def test_torn_total_and_carry_forward_are_placed_uniquely() -> None:
    table = _v2021_table()
    order = [r.key for r in schema.s3_rows(schema.V2021)]
    # the two rows printed the other way round and without their labels
    i, j = order.index("r3_7_total"), order.index("r4_carry_forward")
    order[i], order[j] = order[j], order[i]
    report = parse_bytes(
        _markdown(table, schema.V2021, {"r3_7_total", "r4_carry_forward"}, order, False).encode(), "x.md"
    )
    got = [report.cells[f"s3.r3_7_total.{c}"].value for c in schema.S3_COL_KEYS]
    assert got == table["r3_7_total"]
    assert [report.cells[f"s3.r4_carry_forward.{c}"].value for c in schema.S3_COL_KEYS] == table[
        "r4_carry_forward"
    ]
    assert report.cells["s3.r3_7_total.total"].flag == "placed_by_rule"
    assert any("已按勾稽关系" in w and "（七）总计" in w for w in report.warnings)
    assert not any("没有对应的行标签" in w for w in report.warnings)


def test_torn_outcome_rows_keep_only_the_columns_they_agree_on() -> None:
    table = _v2021_table()
    order = [r.key for r in schema.s3_rows(schema.V2021)]
    report = parse_bytes(
        _markdown(table, schema.V2021, {"r3_1_granted", "r3_2_partial"}, order, True).encode(), "x.md"
    )
    # (一) 6 1 0 0 0 0 7 and (二) 2 0 0 0 1 0 3 could trade places: only their common zeros are placed
    assert "s3.r3_1_granted.natural_person" not in report.cells
    assert report.cells["s3.r3_1_granted.research_institution"].value == 0
    assert report.cells["s3.r3_2_partial.other_org"].flag == "placed_by_rule"
    assert any("多种放法" in w for w in report.warnings)


def test_label_printed_after_its_row_does_not_claim_the_next_row() -> None:
    """A wrapped label torn out and printed after its own row, right before the next torn row: the old
    parser gave （七）总计 the values of 四、结转下年度继续办理 (a wrong number)."""
    table = _v2021_table()
    text = _markdown(
        table,
        schema.V2021,
        {"r3_7_total", "r4_carry_forward"},
        [r.key for r in schema.s3_rows(schema.V2021)],
        False,
    )
    total_row = "|  | " + " | ".join(map(str, table["r3_7_total"])) + " |"
    assert total_row in text
    text = text.replace(total_row, total_row + "\n（七）总计")
    text = text.replace("\n（七）总计\n四、结转下年度继续办理\n", "\n四、结转下年度继续办理\n")
    report = parse_bytes(text.encode(), "x.md")
    assert [report.cells[f"s3.r3_7_total.{c}"].value for c in schema.S3_COL_KEYS] == table["r3_7_total"]
    assert [report.cells[f"s3.r4_carry_forward.{c}"].value for c in schema.S3_COL_KEYS] == table[
        "r4_carry_forward"
    ]
    assert report.cells["s3.r3_7_total.natural_person"].flag == "placed_by_rule"


def test_place_refuses_when_rows_do_not_fill_the_table() -> None:
    fixed = {"r1_new_received": (1, 0, 0, 0, 0, 0, 1)}
    assert (
        place(
            fixed,
            [(1, 0, 0, 0, 0, 0, 1)],
            ["r1_new_received", "r3_1_granted", "r3_7_total"],
            ["r3_1_granted"],
        ).valid
        == 0
    )
    assert (
        place({}, [(1, 0, 0, 0, 0, 0, 2)], ["r3_1_granted"], ["r3_1_granted"]).reason
        == "an unlabelled row breaks D1"
    )

"""Domain reference §7.2, values (null markers, signed changes, units, separators, split numbers) and
the template version read per table.

One focused test per variant of the domain reference §7 and per item of the parsing-core issue
(split by topic from the former test_variants.py; helpers in variants_support.py). Each test parses a
small, realistic report snippet and checks what the parser must get from it.
"""

from __future__ import annotations

import pytest
from render_text import ReportSpec, full_spec, render
from variants_support import (
    S2,
    S3,
    S5,
    TITLE_2020,
    TITLE_2021,
    clean,
    parse,
)

from parsing import schema

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

"""Every cell, the metadata and the check results of each seed report, against reviewed golden files.

The golden files (sample_reports/expected/*.json) were reviewed against the report text; the
hand-typed assertions below pin the values that matter most independently of those files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paths import SAMPLES, sample_reports
from update_golden import golden

from parsing.api import parse_path
from parsing.schema import cell_keys

SEEDS = sample_reports()


def parse(name: str):
    (report,) = parse_path(SAMPLES / name)
    return report


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_seed_matches_golden(path: Path) -> None:
    expected = json.loads((SAMPLES / "expected" / f"{path.stem}.json").read_text(encoding="utf-8"))
    (report,) = parse_path(path)
    got = golden(report)
    assert report.error is None
    for field in (
        "agency",
        "region",
        "year",
        "template",
        "table_versions",
        "narrative",
        "unmatched_labels",
        "warnings",
    ):
        assert got[field] == expected[field], field
    assert set(got["cells"]) == set(expected["cells"])
    for key, cell in expected["cells"].items():
        assert got["cells"][key] == cell, key
    assert got["checks"] == expected["checks"]


def test_seed_000_every_cell_of_the_2019_template() -> None:
    r = parse("000_bd3a826d0705f6e5.txt")
    assert (r.agency, r.region, r.year, r.template) == ("施秉县教育和科技局", "施秉县", 2020, "2019")
    assert set(r.cells) == set(cell_keys("2019"))  # 22 + 161 + 15
    v = r.values()
    assert v["s2.art20_5.administrative_licensing.prev_year_items"] == 1
    assert v["s2.art20_5.administrative_licensing.decisions"] == 79
    assert v["s2.art20_8.administrative_fees.prev_year_items"] == 3
    assert v["s2.art20_9.centralized_procurement.procurement_items"] == 12
    amount = r.cells["s2.art20_9.centralized_procurement.procurement_amount"]
    assert (amount.value, amount.unit, amount.raw) == (125, "万元", "125万元")
    assert all(v[k] == 0 for k in v if k.startswith(("s3.", "s4.")))
    assert all(c.status == "pass" for c in r.checks)


def test_seed_001_truncated_headers_and_split_number() -> None:
    r = parse("001_d954dc0dac9f162f.txt")
    assert (r.agency, r.region, r.year, r.template) == (None, None, 2021, "2019")
    # The report's (一) block has only the 规范性文件 row: 规章 is absent, not zero.
    assert not any(k.startswith("s2.art20_1.regulations") for k in r.cells)
    assert r.values()["s2.art20_1.normative_documents.total_published"] == 0
    split = r.cells["s3.r3_5_1_petition_complaint.total"]
    assert (split.raw, split.flag) == ("0 0", "split")
    assert r.narrative == {"proactive_total": 39}
    assert len([k for k in r.cells if k.startswith("s3.")]) == 161


def test_seed_002_rows_with_six_values_are_flagged_not_guessed() -> None:
    r = parse("002_d0afa1047310c76e.txt")
    assert (r.agency, r.region, r.year, r.template) == ("盐池县教育体育局", "盐池县", 2020, "2019")
    assert not any(k.startswith(("s3.r3_1_granted.", "s3.r3_2_partial.")) for k in r.cells)
    assert sum("has 6 values for 7 columns" in w for w in r.warnings) == 2
    v = r.values()
    assert v["s2.art20_5.administrative_licensing.decisions"] == 228
    assert v["s2.art20_5.other_management_services.prev_year_items"] == 32
    assert v["s2.art20_5.other_management_services.decisions"] == 19
    assert v["s2.art20_6.administrative_penalty.prev_year_items"] == 13
    assert v["s2.art20_8.administrative_fees.prev_year_items"] == 4
    assert r.narrative["proactive_total"] == 42
    d3 = [c for c in r.checks if c.rule == "D3_outcome_sum"]
    assert d3 and all(c.status == "skipped" for c in d3)


def test_seed_003_prose_only_gives_figures_and_no_cells() -> None:
    r = parse("003_1ccb1d8209286b28.txt")
    assert r.error is None
    assert r.cells == {}
    assert (r.agency, r.region, r.year, r.template) == ("乐清市教育局", "乐清市", 2021, "unknown")
    assert r.narrative["proactive_total"] == 243
    assert r.narrative["applications_received"] == 5


def test_seed_004_2021_template_with_lost_item_numbers() -> None:
    r = parse("004_e3c733e02cbb2cbf.txt")
    assert (r.agency, r.year, r.template) == ("县教育局", 2023, "2021")
    assert set(r.cells) == set(cell_keys("2021"))  # 10 + 175 + 15
    assert r.values()["s2.art20_5.administrative_licensing.decisions"] == 581
    assert r.cells["s2.art20_8.administrative_fees.fee_amount_wan_yuan"].unit == "万元"
    assert all(c.status == "pass" for c in r.checks)

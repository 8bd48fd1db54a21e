"""Aggregations on real reports: the 淮安市人民政府 2024 PDF (full tables) and the five pasted seeds.

The expected figures are the numbers printed in those reports; where an aggregation adds them up,
the test also checks the report's own totals (e.g. the six outcome categories sum to （七）总计).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from paths import HUAIAN, SHARED, shared_seeds

from library import aggregate as agg
from library.store import Library
from library.synthetic import specs, synthetic_bytes, synthetic_parsed
from parsing.api import parse_bytes
from parsing.vocabulary import KPI_NAMES, RULE_NAMES

SEEDS = shared_seeds()


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    library = Library(f"sqlite:///{tmp_path_factory.mktemp('agg') / 'lib.sqlite'}")
    for path in [*SEEDS, HUAIAN]:
        data = path.read_bytes()
        library.add(parse_bytes(data, path.name), data)
    yield library
    library.close()


@pytest.fixture(scope="module")
def df(lib: Library) -> pd.DataFrame:
    return lib.dataset()


@pytest.fixture(scope="module")
def huaian(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["agency"] == "淮安市人民政府"]


def test_outcome_mix_of_huaian(huaian: pd.DataFrame) -> None:
    mix = agg.outcome_mix(huaian).set_index("category")
    # 予以公开 1362, 部分公开 454, 不予公开 2+31+5+6+8+12+9+105, 无法提供 769+11+1,
    # 不予处理 62+25+1, 其他处理 (2021: three sub-rows) 71+6+110.
    assert mix["value"].to_dict() == {
        "granted": 1362,
        "partial": 454,
        "withheld": 178,
        "unavailable": 781,
        "not_processed": 88,
        "other": 187,
    }
    assert mix["value"].sum() == huaian["s3.r3_7_total.total"].iloc[0] == 3050
    assert mix["share"].sum() == pytest.approx(1.0)
    assert list(mix["category_label"]) == [
        "予以公开",
        "部分公开",
        "不予公开",
        "无法提供",
        "不予处理",
        "其他处理",
    ]


def test_kpis_of_huaian(huaian: pd.DataFrame) -> None:
    k = agg.kpis(huaian)
    assert k["reports"] == 1 and k["agencies"] == 1
    assert k["applications_received"] == 3119
    assert k["answered_share"] == pytest.approx((1362 + 454) / 3050)
    assert k["licensing_decisions"] == 447228
    assert k["review_cases"] == 351
    # 26 direct + 20 after review in the table; the prose says 46 too.
    assert k["litigation_cases"] == 46 == huaian["n.litigation_cases"].iloc[0]
    assert k["review_litigation_cases"] == 397
    assert (k["regulations_issued_2021"], k["normative_issued_2021"], k["normative_in_force_2021"]) == (
        1,
        8,
        66,
    )
    assert k["normative_new_made_2019"] is None  # no 2019 report in the selection: unknown, not 0
    # "主动公开各类政府信息5500余条": a lower bound, kept and marked.
    assert k["proactive_items"] == 5500 and k["proactive_items_approx"] is True
    assert k["reports_failing_checks"] == 0
    assert set(k["notes"]) <= set(KPI_NAMES)


def test_kpis_of_one_year_use_prose_only_without_a_table(df: pd.DataFrame) -> None:
    k = agg.kpis(df[df["year"] == 2021])
    assert k["reports"] == 2 and k["year"] == 2021 and k["previous_year"] is None and k["deltas"] == {}
    # 乐清 2021 has no table but says 5 applications in the prose; 001 states 0 in its table.
    assert k["applications_received"] == 5
    assert k["notes"]["applications_received"] == "1 份报告取自表格，1 份取自正文"
    # Prose 主动公开 figures: 001 says 39, 乐清 243.
    assert k["proactive_items"] == 39 + 243 and k["proactive_items_approx"] is False
    table = agg.kpi_table(df)
    assert list(table["key"]) == list(KPI_NAMES)
    assert table.set_index("key").loc["licensing_decisions", "label"] == "行政许可处理决定（件）"


def test_kpis_over_several_years_show_the_latest_year_and_its_change(df: pd.DataFrame) -> None:
    # Seeds of 2020, 2021, 2023 (one with no year) and 淮安 2024: the cards show 2024. No agency has a
    # report in both 2023 (县教育局) and 2024 (淮安市人民政府): a change would compare two different
    # agencies (447,228 against 581 licensing decisions), so none is given, and the notes say why.
    k = agg.kpis(df)
    assert (k["year"], k["previous_year"]) == (2024, 2023)
    assert k["reports"] == 1 and k["licensing_decisions"] == 447228 and k["applications_received"] == 3119
    assert (k["previous"], k["deltas"], k["same_agencies"], k["compared_agencies"]) == ({}, {}, False, 0)
    assert all("2024 年" in note and "没有同一单位的报告，不计算变化" in note for note in k["notes"].values())
    table = agg.kpi_table(df).set_index("key")
    row = table.loc["licensing_decisions", ["year", "value", "previous_year", "previous_value", "change"]]
    assert row.tolist()[:3] == [2024, 447228, 2023] and row.isna().tolist()[3:] == [True, True]


def test_kpis_change_compares_the_agencies_in_both_years(tmp_path) -> None:
    """洪泽区 2023 and 2024 plus 淮安市 2024: the 2024 cards hold both governments, the change only 洪泽区."""
    library = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    for name in ("hongze-district-government-2023.pdf", "hongze-district-government-2024.pdf", HUAIAN.name):
        data = (SHARED / "fixtures" / name).read_bytes()
        library.add(parse_bytes(data, name), data)
    k = agg.kpis(library.dataset())
    library.close()
    assert k["applications_received"] == 95 + 3119  # the 2024 total: both reports
    assert (k["same_agencies"], k["compared_agencies"]) == (False, 1)
    assert k["previous"]["applications_received"] == 21 and k["compared"]["applications_received"] == 95
    assert k["deltas"]["applications_received"] == 95 - 21  # not 3,214 − 21
    assert "只比较 2023 年和 2024 年都有报告的 1 个单位" in k["notes"]["applications_received"]


@pytest.fixture(scope="module")
def hongze(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """洪泽区人民政府 2023 and 2024: one government, two years (metadata confirmed as the same agency)."""
    library = Library(f"sqlite:///{tmp_path_factory.mktemp('hongze') / 'lib.sqlite'}")
    for year in (2023, 2024):
        path = SHARED / "fixtures" / f"hongze-district-government-{year}.pdf"
        data = path.read_bytes()
        library.add(parse_bytes(data, path.name), data, agency="洪泽区人民政府", region="洪泽区", year=year)
    yield library.dataset()
    library.close()


def test_stock_is_never_summed_over_years(hongze: pd.DataFrame) -> None:
    # 行政规范性文件 现行有效件数: 5 at the end of 2023, 8 at the end of 2024 (the reports' tables).
    # The agency has 8 in force, not 13.
    assert agg.is_stock("s2.art20_1.normative_documents.in_force")
    assert not agg.is_stock("s2.art20_1.normative_documents.issued")
    k = agg.kpis(hongze)
    assert k["year"] == 2024 and k["previous_year"] == 2023
    assert k["normative_in_force_2021"] == 8 and k["deltas"]["normative_in_force_2021"] == 3
    # Flows: 2024's own figure with its change, never 2023 + 2024.
    assert k["normative_issued_2021"] == 3 and k["deltas"]["normative_issued_2021"] == 3
    assert k["licensing_decisions"] == 9487 and k["deltas"]["licensing_decisions"] == 9487 - 550
    assert k["applications_received"] == 95 and k["deltas"]["applications_received"] == 95 - 21
    assert k["proactive_items"] == 2428 and k["deltas"]["proactive_items"] == 2428 - 1136
    assert k["review_litigation_cases"] == 2 + 1 + 3 and k["previous"]["review_litigation_cases"] == 0
    assert k["reports"] == 1 and k["agencies"] == 1
    long = agg.normative_documents(hongze)
    assert set(long.loc[long["measure"] == "in_force", "kind"]) == {"stock"}
    assert set(long.loc[long["measure"] == "issued", "kind"]) == {"flow"}


def test_agency_chart_data_keeps_a_stock_s_years_apart(hongze: pd.DataFrame) -> None:
    from charts.catalog import proactive_charts

    chart = next(c for c in proactive_charts(hongze) if c.key == "proactive_normative_documents_2021_agency")
    row = chart.data.set_index("单位").loc["洪泽区人民政府"]
    assert row["2023年 现行有效件数"] == 5 and row["2024年 现行有效件数"] == 8
    assert 13 not in row.tolist()  # 5 + 8: a stock added over years


def test_application_flow_balances_for_huaian(huaian: pd.DataFrame) -> None:
    flow = agg.application_flow(huaian)
    inflow = flow[flow["target"] == agg.FLOW_HUB]["value"].sum()
    outflow = flow[flow["source"] == agg.FLOW_HUB]["value"].sum()
    assert inflow == outflow == 3119 + 34
    links = {(s, t): v for s, t, v in flow.itertuples(index=False)}
    assert links[(agg.FLOW_HUB, agg.FLOW_FORWARD)] == 103
    assert links[(agg.FLOW_HUB, "予以公开")] == 1362
    detail = agg.application_flow(huaian, detail=True)
    reasons = detail[detail["source"] == "不予公开"]
    assert reasons["value"].sum() == 178
    assert (detail["value"] > 0).all()


def test_applicants_and_carry_over_of_huaian(huaian: pd.DataFrame) -> None:
    applicants = agg.applicants_by_type(huaian).set_index("applicant")["value"].to_dict()
    assert applicants == {
        "natural_person": 3001,
        "commercial_enterprise": 53,
        "research_institution": 0,
        "public_interest_org": 0,
        "legal_service_org": 61,
        "other_org": 4,
    }
    assert sum(applicants.values()) == 3119
    carry = agg.carry_over(huaian).set_index("measure")["value"].to_dict()
    assert carry == {
        "r1_new_received": 3119,
        "r2_carried_over": 34,
        "r3_7_total": 3050,
        "r4_carry_forward": 103,
    }


def test_review_litigation_of_huaian(huaian: pd.DataFrame) -> None:
    long = agg.review_litigation(huaian)
    by_group = long.groupby("group")["value"].sum().to_dict()
    assert by_group == {"review": 351, "lit_direct": 26, "lit_after_review": 20}
    review = long[long["group"] == "review"].set_index("outcome")["value"].to_dict()
    assert review == {"upheld": 72, "corrected": 64, "other": 178, "pending": 37}
    assert set(long["group_label"]) == {"行政复议", "诉讼：未经复议直接起诉", "诉讼：复议后起诉"}


def test_normative_documents_keep_versions_apart(df: pd.DataFrame) -> None:
    long = agg.normative_documents(df)
    v2019 = long[long["version"] == "2019"]
    v2021 = long[long["version"] == "2021"]
    assert set(v2019["measure"]) == {"new_made", "new_published", "total_published"}
    assert set(v2021["measure"]) == {"issued", "repealed", "in_force"}
    huaian = v2021[v2021["agency"] == "淮安市人民政府"].set_index(["item", "measure"])["value"]
    assert huaian[("normative_documents", "in_force")] == 66
    assert huaian[("normative_documents", "repealed")] == 26
    assert huaian[("regulations", "in_force")] == 11
    assert set(v2019["template"]) == {"2019"}
    assert v2019["measure_label"].str.endswith("（2019版）").all()
    assert (v2019["measure_name"] + "（2019版）").equals(v2019["measure_label"])
    # The 2021 row label is 行政规范性文件, the 2019 one 规范性文件.
    assert set(v2021[v2021["item"] == "normative_documents"]["item_label"]) == {"行政规范性文件"}
    assert set(v2019[v2019["item"] == "normative_documents"]["item_label"]) == {"规范性文件"}


def test_enforcement_fees_and_trend(df: pd.DataFrame) -> None:
    long = agg.enforcement(df)
    fee_2021 = long[long["measure"] == "fee_amount_wan_yuan"]
    assert fee_2021.set_index("agency")["value"].to_dict() == {
        "县教育局": 0,
        "淮安市人民政府": pytest.approx(96171.6),
    }
    assert set(fee_2021["unit"]) == {"万元"} and set(fee_2021["version"]) == {"2021"}
    fee_2019 = long[(long["item"] == "administrative_fees") & (long["version"] == "2019")]
    assert set(fee_2019["measure"]) == {"prev_year_items", "items_change"}  # item counts, not money
    decisions = long[long["measure"] == "decisions"]
    versions = decisions.groupby("item")["version"].agg(set).to_dict()
    assert versions == {
        "administrative_licensing": {"2019/2021"},
        "administrative_penalty": {"2019/2021"},
        "administrative_coercion": {"2019/2021"},
        "other_management_services": {"2019"},
    }
    trend = agg.enforcement_trend(df)
    lic = trend[(trend["item"] == "administrative_licensing") & (trend["measure"] == "decisions")].set_index(
        "year"
    )
    # 2020: 施秉 79 + 盐池 228; 2021: only 001 states it (0); 2023: 县教育局 581; 2024: 淮安.
    assert lic["value"].to_dict() == {2020: 307, 2021: 0, 2023: 581, 2024: 447228}
    assert lic["n_reports"].to_dict() == {2020: 2, 2021: 1, 2023: 1, 2024: 1}
    fees = trend[trend["measure"] == "fee_amount_wan_yuan"]
    assert fees.set_index("year")["value"].to_dict() == {2023: 0, 2024: pytest.approx(96171.6)}


def test_agency_table_rows(df: pd.DataFrame) -> None:
    table = agg.agency_table(df)
    assert list(table.columns) == list(agg.AGENCY_TABLE_HEADERS)
    assert len(table) == 6
    row = table[table["agency"] == "淮安市人民政府"].iloc[0]
    assert row["applications_received"] == 3119 and row["review_litigation_cases"] == 397
    assert row["answered_share"] == pytest.approx(1816 / 3050)
    unnamed = table[table["agency"].str.startswith("（未识别单位）")]
    assert len(unnamed) == 1 and unnamed["agency"].iloc[0].endswith("001_d954dc0dac9f162f.txt")
    # 乐清 has no table: its applications come from the prose, its share is unknown.
    leqing = table[table["agency"] == "乐清市教育局"].iloc[0]
    assert leqing["applications_received"] == 5 and math.isnan(leqing["answered_share"])


def test_blank_total_column_falls_back_to_applicant_columns(huaian: pd.DataFrame) -> None:
    # As in Shanghai 2019, a report may leave 总计 blank and fill only the applicant columns.
    blanked = huaian.copy()
    for col in [c for c in blanked.columns if c.startswith("s3.") and c.endswith(".total")]:
        blanked[col] = float("nan")
    assert agg.s3_total(blanked, "r1_new_received").iloc[0] == 3119
    assert agg.outcome_mix(blanked)["value"].sum() == 3050
    # With nothing stated at all the figure is unknown, not zero.
    for col in [c for c in blanked.columns if c.startswith("s3.r1_new_received.")]:
        blanked[col] = float("nan")
    assert math.isnan(agg.s3_total(blanked, "r1_new_received").iloc[0])


def test_quality_views(lib: Library, df: pd.DataFrame) -> None:
    summary = agg.quality_summary(df)
    assert len(summary) == 6 and (summary["checks_failed"] == 0).all()
    assert summary.set_index("filename").loc["001_d954dc0dac9f162f.txt", "missing_metadata"] == "单位、地区"
    assert summary.set_index("filename").loc[HUAIAN.name, "cells_stated"] == 200
    assert lib.failed_checks().empty
    # The same report once more with one extra byte (another file) of the same agency, region and
    # year is a new version of it: counted once, so not a duplicate.
    data = (SEEDS[0]).read_bytes() + b"\n"
    report_id, created = lib.add(parse_bytes(data, "copy.txt"), data)
    # A third copy whose region is unknown cannot be told apart from another agency of the same name:
    # it is the possible duplicate the quality page lists.
    blind = parse_bytes(data + b"\n", "copy2.txt")
    blind.region = None
    blind_id, _ = lib.add(blind, data + b"\n")
    try:
        assert len(lib.dataset()) == 7  # six reports (one in two versions) and the copy without region
        dups = agg.duplicate_agency_years(lib.dataset())
        assert len(dups) == 1 and dups["agency"].iloc[0] == "施秉县教育和科技局" and dups["n"].iloc[0] == 2
        assert set(dups["report_ids"].iloc[0]) == {report_id, blind_id} and dups["region"].iloc[0] == "施秉县"
        lib.delete(blind_id)
        assert agg.duplicate_agency_years(lib.dataset()).empty
        lib.add_correction(report_id, "s3.r3_7_total.total", 9, note="测试")
        failed = lib.failed_checks()
        assert set(failed["report_id"]) == {report_id}
        assert {"O1_balance", "D3_outcome_sum"} <= set(failed["rule"])
        assert set(failed["rule"]) <= set(RULE_NAMES)
        worst = agg.quality_summary(lib.dataset()).iloc[0]
        assert worst["report_id"] == report_id and worst["checks_failed"] == len(failed)
    finally:
        lib.delete(report_id)
        lib.delete(blind_id)


def test_carry_over_consistency_across_years(tmp_path: Path) -> None:
    lib = Library(f"sqlite:///{tmp_path / 'x1.sqlite'}")
    ids = {}
    for spec in specs(3):  # one synthetic agency, 2019-2021
        parsed = synthetic_parsed(spec)
        ids[spec.year], _ = lib.add(parsed, synthetic_bytes(parsed))
    df = lib.dataset().set_index("report_id")
    forward_2019 = df.loc[ids[2019], "s3.r4_carry_forward.total"]
    lib.add_correction(ids[2020], "s3.r2_carried_over.total", forward_2019, note="与上年结转一致")
    lib.add_correction(
        ids[2021], "s3.r2_carried_over.total", df.loc[ids[2020], "s3.r4_carry_forward.total"] + 1
    )
    x1 = agg.carry_over_consistency(lib.dataset()).set_index("year")
    assert x1.loc[2020, "consistent"] and x1.loc[2020, "previous_carry_forward"] == forward_2019
    assert not x1.loc[2021, "consistent"]
    assert 2019 not in x1.index  # no 2018 report to compare with
    lib.close()


def test_every_aggregation_accepts_an_empty_selection(df: pd.DataFrame) -> None:
    empty = df.iloc[0:0]
    assert agg.kpis(empty)["reports"] == 0
    for fn in (
        agg.agency_table,
        agg.normative_documents,
        agg.enforcement,
        agg.enforcement_trend,
        agg.applicants_by_type,
        agg.outcome_mix,
        agg.carry_over,
        agg.carry_over_consistency,
        agg.application_flow,
        agg.review_litigation,
        agg.quality_summary,
        agg.duplicate_agency_years,
        agg.kpi_table,
    ):
        out = fn(empty)
        assert isinstance(out, pd.DataFrame), fn.__name__
        if fn is not agg.kpi_table:
            assert out.empty, fn.__name__


def test_outcome_chart_shows_the_library_s_shares(hongze: pd.DataFrame) -> None:
    """办理结果构成: each agency-year bar is that report's outcome shares as library.aggregate computes them
    (one definition of the share), so the parts of a bar add up to 100%."""
    from _app_support import values

    from charts.catalog import APPLICATIONS_OUTCOMES, applications_charts

    chart = next(c for c in applications_charts(hongze) if c.key == APPLICATIONS_OUTCOMES)
    mix = agg.outcome_mix(hongze)
    for year in (2023, 2024):
        expected = mix[mix["year"] == year].set_index("category_label")["share"].dropna()
        assert abs(expected.sum() - 1) < 1e-9
        shown = {}
        for trace in chart.fig.data:
            for label, share in zip(values(trace.y), values(trace.x), strict=True):
                if str(label).endswith(f"{year}年") and share == share:
                    shown[trace.name] = share
        assert shown == pytest.approx(expected.to_dict())

"""The findings kept per report and brought up to date after a write (library.findings._advance) equal a
fresh computation of the whole library, finding for finding (keys, order, evidence, statuses), after
every kind of write: a report added, a new version, a deletion, a correction, a metadata edit that
moves a report to another agency identity or year, a re-parse that makes copied prose appear or
disappear, a status, a roster and a reviewer's publication date. Synthetic libraries (sequences of
writes drawn by hypothesis) and the real 洪泽区 2023/2024 pair."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import paths
import pytest
from hypothesis import given
from hypothesis import strategies as st
from property_support import property_settings
from sqlalchemy import text

from charts.findings_tables import UNKNOWN_AGENCY, FindingsView
from library import findings as engine
from library.documents.notice import notice_keys
from library.filters import Filters
from library.finding import Finding
from library.findings import (
    FindingsSummary,
    codes_with_roster,
    findings_with_roster,
    scores_with_roster,
    summary_with_roster,
)
from library.findings_access import agency_blocks, notice_counts
from library.rubric import default_rubric, rank_table, score_table
from library.store import Library
from library.synthetic import SyntheticSpec, synthetic_bytes, synthetic_parsed
from parsing.api import parse_bytes
from parsing.checks import run_checks
from parsing.report import ParsedReport
from parsing.vocabulary import FINDING_COPY_PEER, FINDING_COPY_PREVIOUS, FINDING_X1

REGIONS = ("（合成）甲县", "（合成）乙县")
AGENCIES = ("教育局", "财政局", "卫生健康局", "民政局", "城关镇人民政府")
YEARS = (2022, 2023, 2024)
# Clauses shared by many reports of a year (copied prose, and common wording once more than five
# reports of the year use one), and clauses an agency keeps from year to year.
SHARED = [
    f"{subject}{action}"
    for subject in ("我单位", "本机关", "局党组", "办公室")
    for action in (
        "认真贯彻落实政府信息公开条例",
        "持续完善主动公开目录和公开指南",
        "规范依申请公开办理流程和答复文书",
        "加强政府网站和政务新媒体管理",
    )
]


def own_clauses(agency: str) -> list[str]:
    return [f"{agency}第{i}项重点工作按计划推进并形成长效机制" for i in range(12)]


def text_for(agency: str, year: int, shared: int, variant: int = 0) -> str:
    """A report text: the agency's own clauses (kept across years), then ``shared`` shared clauses
    (the same ones in every report of the year with this ``variant``)."""
    clauses = own_clauses(agency)[: 8 + variant % 3] + random.Random(f"{year}{variant}").sample(
        SHARED, shared
    )
    random.Random(f"{agency}{year}{variant}").shuffle(clauses)
    return "。".join(clauses) + "。"


def parsed_report(
    region: str, name: str, year: int, *, shared: int, variant: int = 0, layout: bool = True
) -> ParsedReport:
    """A synthetic report whose text is :func:`text_for` (then the synthetic layout: headings and
    tables, whose few prose pieces every report shares, unless ``layout`` is False)."""
    agency = f"{region}{name}"
    parsed = synthetic_parsed(SyntheticSpec(region, agency, "教育", year), seed=variant)
    parsed.text = text_for(agency, year, shared, variant) + ("\n" + (parsed.text or "") if layout else "")
    rng = random.Random(f"{agency}{year}{variant}")
    if rng.random() < 0.3:  # X1: last year's 结转 does not match
        cell = parsed.cells.get("s3.r2_carried_over.natural_person")
        if cell is not None:
            cell.value = (cell.value or 0) + 1
    parsed.published = f"{year + 1}-0{rng.choice((1, 3, 5))}-15"
    parsed.checks = run_checks(parsed.cells, parsed.table_versions)
    parsed.sha256 = f"{agency}:{year}:{variant}"
    return parsed


def store(lib: Library, parsed: ParsedReport) -> int:
    return lib.add(parsed, synthetic_bytes(parsed) + parsed.sha256.encode(), agency_type="教育")[0]


def reference(lib: Library, filters: Filters | None = None, **options) -> list[Finding]:
    """The findings as computed before they were kept per report: compute_findings on the whole
    library read afresh, then timeliness, scope, statuses and regions on every finding, one sort."""
    inp = engine.read_inputs(lib)
    found = engine.compute_findings(inp)
    dates = {int(r): p for r, p in zip(inp.reports["report_id"], inp.reports["published"], strict=True)}
    df = (filters or Filters()).apply(inp.dataset)
    wanted = {int(r) for r in df["report_id"]}
    dates = {**dates, **(options.get("published") or {})}
    late = engine.late_findings(df, engine.timeliness_of(df, dates, options.get("levels")))
    chosen = (
        [f for f in found if f.report_id in wanted]
        + late
        + engine.missing_findings(options.get("missing", ()))
    )
    if filters is not None and not filters.unrestricted:
        seen = {int(r) for r in Filters(scope=filters.scope).apply(inp.dataset)["report_id"]}
        chosen = [engine._outside_named(f, seen) for f in chosen]
    marks = lib.statuses()
    regions = {
        int(r): g if isinstance(g, str) else None for r, g in zip(df["report_id"], df["region"], strict=True)
    }
    out = []
    for f in chosen:
        region = regions.get(f.report_id) if f.report_id is not None else f.evidence.get("region")
        mark = marks.get((f.report_id, f.key))
        if mark is not None:
            f = replace(f, status=mark.status, note=mark.note, who=mark.who, at=mark.at)
        out.append(replace(f, region=region))
    out.sort(
        key=lambda f: (
            -(f.year or 0),
            f.agency or "",
            f.report_id or 0,
            engine.SEVERITY_ORDER[f.severity],
            f.code,
            f.key,
        )
    )
    return out


def reference_scores(lib: Library, filters: Filters, found: list[Finding], options: dict) -> pd.DataFrame:
    """The ranking as scores_of computed it from the whole list of findings."""
    inp = engine.read_inputs(lib)
    df = filters.apply(inp.dataset)
    dates = {int(r): p for r, p in zip(inp.reports["report_id"], inp.reports["published"], strict=True)}
    dates = {**dates, **(options.get("published") or {})}
    levels = options.get("levels")
    states = {rid: s for rid, (s, _, _) in engine.timeliness_of(df, dates, levels).items()}
    return rank_table(score_table(df, found, default_rubric(), states, levels), df, default_rubric())


def assert_same(lib: Library, url: str) -> list[Finding]:
    """The incremental findings of ``lib`` equal a fresh library's and the reference computation's."""
    for filters in (Filters(), Filters(years=(2023,)), Filters(regions=(REGIONS[0],))):
        mine = findings_with_roster(lib, filters)
        fresh = Library(url)
        try:
            theirs = findings_with_roster(fresh, filters)
            assert_equal_lists(mine, theirs)
            options = engine._roster_options(fresh, filters)
            expected = reference(fresh, filters, **options)
            assert_equal_lists(mine, expected)
            assert scores_with_roster(lib, filters).equals(
                reference_scores(fresh, filters, expected, options)
            )
        finally:
            fresh.close()
    return findings_with_roster(lib)


def assert_summary_and_view(lib: Library, filters: Filters, found: list[Finding]) -> None:
    """The page's counts and its per-report lookup agree with the list of findings."""
    counting = [f for f in found if f.counts]
    assert summary_with_roster(lib, filters) == FindingsSummary(
        len(found),
        sum(f.severity == "error" for f in found),
        sum(f.status == "open" for f in found),
        len({f.report_id for f in counting}),
    )
    expected_counts: dict[int, int] = {}
    for _, _, year in notice_keys(found):
        expected_counts[year] = expected_counts.get(year, 0) + 1
    assert notice_counts(lib, filters) == expected_counts
    for agency, region in {(f.agency, f.region) for f in found if f.agency}:
        assert agency_blocks(found, agency, region) == [
            f for f in found if f.agency == agency and f.region == region
        ]
    assert codes_with_roster(lib, filters) == sorted({f.code for f in found})
    view = FindingsView(found)
    for rid, agency, year in {(f.report_id, f.agency or UNKNOWN_AGENCY, f.year) for f in found}:
        expected = [
            i
            for i, f in enumerate(found)
            if f.report_id == rid and (f.agency or UNKNOWN_AGENCY) == agency and f.year == year
        ]
        assert view.of_report(rid, agency, year) == expected


def assert_equal_lists(mine: list[Finding], theirs: list[Finding]) -> None:
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs, strict=True):
        assert a == b, (a, b)


def base_library(lib: Library) -> None:
    """Two regions, five agencies, three years: six reports of 2023 share ten clauses (common wording:
    one fewer, and they copy each other), four of 2024 share twelve (copied prose)."""
    for region in REGIONS:
        for n, name in enumerate(AGENCIES):
            for year in YEARS:
                shared = 10 if year == 2023 and n < 3 else 12 if year == 2024 and n < 2 else 2
                store(lib, parsed_report(region, name, year, shared=shared))


OPS = (
    "add",
    "version",
    "delete",
    "correct",
    "uncorrect",
    "rename",
    "move_year",
    "reparse",
    "status",
    "roster",
    "date",
)


def apply(lib: Library, op: str, rng: random.Random) -> None:
    ids = lib.dataset()["report_id"].tolist()
    rid = int(rng.choice(ids))
    row = lib.dataset().set_index("report_id").loc[rid]
    agency, region, year = row["agency"], row["region"], int(row["year"])
    name = agency.removeprefix(region)
    if op == "add":
        store(
            lib,
            parsed_report(
                rng.choice(REGIONS),
                rng.choice([*AGENCIES, "司法局"]),
                rng.choice([*YEARS, 2021]),
                shared=rng.choice((2, 6, 10)),
                variant=rng.randrange(1, 50),
            ),
        )
    elif op == "version":  # the same agency and year stored again: the older one is superseded
        store(
            lib,
            parsed_report(region, name, year, shared=rng.choice((0, 6, 10)), variant=rng.randrange(50, 100)),
        )
    elif op == "delete":
        lib.delete(rid)
    elif op == "correct":
        key = rng.choice(
            (
                "s3.r2_carried_over.natural_person",
                "s3.r4_carry_forward.natural_person",
                "s3.r1_new_received.total",
            )
        )
        lib.add_correction(rid, key, rng.randrange(0, 9), "测试更正", who="测试")
    elif op == "uncorrect":
        with lib.engine.connect() as conn:
            stored = [r[0] for r in conn.execute(text("SELECT id FROM corrections ORDER BY id"))]
        if stored:
            lib.remove_correction(rng.choice(stored), who="测试")
    elif op == "rename":  # another agency identity (or back to one that exists)
        lib.set_metadata(rid, agency=f"{region}{rng.choice([*AGENCIES, '审计局'])}", who="测试")
    elif op == "move_year":
        lib.set_metadata(rid, year=rng.choice([*YEARS, 2021]), who="测试")
    elif op == "reparse":  # new text: copied prose appears or disappears
        parsed = parsed_report(
            region, name, year, shared=rng.choice((0, 10)), variant=rng.randrange(100, 150)
        )
        lib.reparse(rid, lambda data, filename, overrides: parsed)
    elif op == "status":
        found = [f for f in findings_with_roster(lib) if f.report_id is not None]
        if found:
            f = rng.choice(found)
            lib.set_finding_status(
                f.report_id, f.key, rng.choice(("confirmed", "dismissed", "open")), "说明", who="测试"
            )
    elif op == "roster":
        level = rng.choice(("部门", "人民政府"))
        rows = f"名称,类型,地区,层级\n{agency},教育,{region},{level}\n{region}审计局,审计,{region},部门\n"
        lib.import_roster(rows.encode(), "名录.csv", replace=True)
    elif op == "date":
        lib.set_publication_date(rid, date(year + 1, rng.choice((1, 6)), 20), who="测试")


@pytest.fixture
def lib_url(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'lib.sqlite'}"
    lib = Library(url)
    base_library(lib)
    yield lib, url
    lib.close()


def test_the_base_library_has_every_kind_of_finding_the_update_must_follow(lib_url) -> None:
    lib, url = lib_url
    codes = {f.code for f in assert_same(lib, url)}
    assert {FINDING_X1, FINDING_COPY_PREVIOUS, FINDING_COPY_PEER} <= codes


@property_settings(max_examples=6)
@given(ops=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10_000)), min_size=4, max_size=8))
def test_incremental_findings_equal_a_fresh_computation_after_any_writes(tmp_path_factory, ops) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('inc') / 'lib.sqlite'}"
    lib = Library(url)
    try:
        base_library(lib)
        findings_with_roster(lib)  # cached: every step below is brought up to date from it
        for op, seed in ops:
            apply(lib, op, random.Random(seed))
            assert_same(lib, url)
    finally:
        lib.close()


def test_copied_prose_appears_and_disappears(lib_url) -> None:
    lib, url = lib_url
    data = lib.dataset()
    pick = data[(data["year"] == 2024) & data["agency"].str.endswith("民政局")]
    a, b = (int(r) for r in pick["report_id"])  # 民政局 of both regions, 2024: little shared prose
    row = data.set_index("report_id").loc[a]
    findings_with_roster(lib)

    def copy_of(rid: int) -> set[str]:
        return {
            f.key for f in findings_with_roster(lib) if f.report_id == rid and f.code == FINDING_COPY_PEER
        }

    assert not copy_of(b)
    copied = parsed_report(
        row["region"], row["agency"].removeprefix(row["region"]), 2024, shared=0, variant=7
    )
    texts = engine.read_inputs(lib, only=[b]).texts
    copied.text = texts[b]  # a's text becomes b's: each now copies the other
    lib.reparse(a, lambda data, filename, overrides: copied)
    assert_same(lib, url)
    assert copy_of(b) == {f"{FINDING_COPY_PEER}:{a}"}
    lib.reparse(
        a, lambda data, filename, overrides: parsed_report(row["region"], "民政局", 2024, shared=0, variant=8)
    )
    assert_same(lib, url)
    assert not copy_of(b)


def test_only_the_changed_reports_and_their_neighbours_are_computed_again(lib_url, monkeypatch) -> None:
    lib, url = lib_url
    findings_with_roster(lib)
    seen: list[int] = []
    own = engine._own_findings

    def counting(inp):
        seen.append(len(inp.dataset))
        return own(inp)

    monkeypatch.setattr(engine, "_own_findings", counting)
    rid = int(lib.dataset()["report_id"].iloc[0])
    lib.add_correction(rid, "s3.r1_new_received.total", 3, "测试", who="测试")
    findings_with_roster(lib)
    assert seen == [1]  # one report's own findings, not the library's
    assert_same(lib, url)


def test_the_real_hongze_pair_through_writes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lib.sqlite'}"
    lib = Library(url)
    try:
        base_library(lib)
        ids = []
        for pdf in (paths.HONGZE_2023, paths.HONGZE_2024):
            data = pdf.read_bytes()
            ids.append(lib.add(parse_bytes(data, pdf.name), data)[0])
        first = assert_same(lib, url)
        assert f"{FINDING_COPY_PREVIOUS}:{ids[0]}" in {f.key for f in first if f.report_id == ids[1]}
        row = lib.dataset().set_index("report_id").loc[ids[0]]
        lib.add_correction(ids[1], "s3.r2_carried_over.natural_person", 4, "测试", who="测试")
        found = assert_same(lib, url)
        assert f"{FINDING_X1}:natural_person" in {f.key for f in found if f.report_id == ids[1]}
        lib.set_metadata(ids[0], agency="另一单位", who="测试")  # the pair is broken
        found = assert_same(lib, url)
        assert not [
            f for f in found if f.report_id == ids[1] and f.code in (FINDING_X1, FINDING_COPY_PREVIOUS)
        ]
        lib.set_metadata(ids[0], agency=row["agency"], who="测试")
        assert_same(lib, url)
        lib.delete(ids[0])
        assert_same(lib, url)
        data = paths.HONGZE_2023.read_bytes()
        lib.add(parse_bytes(data, paths.HONGZE_2023.name), data)
        assert_same(lib, url)
    finally:
        lib.close()


def test_a_deletion_that_turns_common_wording_into_copied_prose(lib_url) -> None:
    lib, url = lib_url
    data = lib.dataset()
    sharers = data[(data["year"] == 2023) & data["agency"].str.endswith(AGENCIES[:3])]["report_id"].tolist()
    assert len(sharers) == 6
    found = findings_with_roster(lib)
    assert not [f for f in found if f.report_id in sharers and f.code == FINDING_COPY_PEER]  # common
    lib.delete(int(sharers[0]))
    found = assert_same(lib, url)
    assert [f for f in found if f.report_id in sharers[1:] and f.code == FINDING_COPY_PEER]  # five: copied


def test_a_new_report_that_raises_the_common_wording_limit(lib_url, monkeypatch) -> None:
    """Common wording is a share of the year's reports: two more reports of 2023 (sharing nothing)
    raise the limit above the six that share ten clauses, which then read as copied."""
    lib, url = lib_url
    rubric = engine.default_rubric()
    limits = replace(rubric.thresholds, common_share=0.5, common_min_reports=1)
    monkeypatch.setattr(engine, "default_rubric", lambda: replace(rubric, thresholds=limits))
    data = lib.dataset()
    sharers = data[(data["year"] == 2023) & data["agency"].str.endswith(AGENCIES[:3])]["report_id"].tolist()
    found = assert_same(lib, url)
    assert not [f for f in found if f.report_id in sharers and f.code == FINDING_COPY_PEER]
    store(lib, parsed_report(REGIONS[1], "司法局", 2023, shared=0, layout=False))
    assert_same(lib, url)
    store(
        lib, parsed_report(REGIONS[1], "审计局", 2023, shared=0, layout=False)
    )  # 12 reports: the limit is 6
    found = assert_same(lib, url)
    assert [f for f in found if f.report_id in sharers and f.code == FINDING_COPY_PEER]


def reference_rank_table(scores: pd.DataFrame, dataset: pd.DataFrame, rubric) -> pd.DataFrame:
    """rank_table as it was: groups named by the text of every row's (year, type, level) tuple."""
    import numpy as np

    from library.rubric import CONCLUDED, GRANTED, NEW_APPLICATIONS

    cols = dataset.set_index("report_id")
    out = scores.copy()
    ids = out["report_id"]
    out["applications"] = cols[NEW_APPLICATIONS].reindex(ids).to_numpy()
    concluded = cols[CONCLUDED].reindex(ids).to_numpy()
    granted = cols[GRANTED].reindex(ids).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["granted_rate"] = np.where(concluded > 0, granted / concluded, np.nan)
    group = [out["year"].astype("object"), out["agency_type"].fillna(""), out["level"].fillna("")]
    keys = pd.Series(list(zip(*group, strict=True)), index=out.index).astype(str)
    out["peers"] = keys.map(keys.value_counts())
    out["rank"] = out.groupby(keys)["score"].rank(method="min", ascending=False).astype("Int64")
    eligible = (out["applications"] >= rubric.thresholds.min_applications) & out["granted_rate"].notna()
    rate = out["granted_rate"].where(eligible)
    out["rate_rank"] = rate.groupby(keys).rank(method="min", ascending=False).astype("Int64")
    order = out.assign(_g=keys).sort_values(
        ["year", "_g", "rank", "agency"], ascending=[False, True, True, True]
    )
    return order.drop(columns="_g").reset_index(drop=True)


def test_rank_table_equals_the_per_row_grouping(lib_url) -> None:
    """Groups named once per distinct tuple rank as the text of every row did, blanks included."""
    lib, _ = lib_url
    lib.set_metadata(int(lib.dataset()["report_id"].iloc[3]), agency_type="其他", who="测试")
    data = lib.dataset()
    data.loc[data.index[:4], "agency_type"] = None
    data.loc[data.index[5:7], "year"] = None
    found = findings_with_roster(lib)
    rubric = default_rubric()
    table = score_table(data, found, rubric)
    for rows in (table, table.iloc[::-1].reset_index(drop=True)):  # in the dataset's order, and not
        assert rank_table(rows, data, rubric).equals(reference_rank_table(rows, data, rubric))

"""What the 审核意见 and 网站采集 pages read equals the former code's. The scores and ranks of the
审核意见 page (library.findings.scores_of, library.rubric.score_table_of and
rank_table, built from arrays and kept per data revision) equal the former per-row code, kept here
verbatim, after writes of every kind (upload, new version, removal, correction, metadata, re-parse,
status, roster, reviewer's date), for filters and a scoped account; and rank_table equals it on
frames with blanks, ties and rows in any order. 网站采集's re-check findings equal those among every
finding."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pg_schema import pg_library
from test_findings_incremental import OPS, REGIONS, apply, base_library

from charts.findings_tables import (
    FINDING_STATUS_NAMES,
    SEVERITY_NAMES,
    UNKNOWN_AGENCY,
    _when,
    finding_name,
    findings_display,
)
from library import findings as engine
from library.access import Scope
from library.collect.store import add_finding, resolve_findings
from library.deadlines import LATE
from library.filters import Filters
from library.finding import Finding
from library.findings import findings_with_roster, online_findings_with_roster, scores_with_roster
from library.rubric import (
    CONCLUDED,
    GRANTED,
    NEW_APPLICATIONS,
    Rubric,
    deductions,
    default_rubric,
    rank_table,
)
from library.store import Library
from parsing.vocabulary import FINDING_CHANGED_ONLINE, FINDING_URL_GONE

# ---------------------------------------------------------------- the former code, verbatim


def former_score_table_of(
    dataset: pd.DataFrame,
    counted: Sequence[int],
    minus: Sequence[float],
    rubric: Rubric,
    states: Sequence[str],
    levels: Sequence[str],
) -> pd.DataFrame:
    """:func:`score_table` from, per row of ``dataset``, its counting findings (:func:`counting`), the
    points they deduct (:func:`deductions`), its timeliness state and its level."""
    direct = [0.0 if s == LATE else rubric.timeliness.get(s, 0.0) for s in states]
    deducted = np.array(minus, dtype=float) + np.array(direct, dtype=float)
    return pd.DataFrame(
        {
            "report_id": dataset["report_id"].astype(int).to_numpy(),
            "agency": dataset["agency"].to_numpy(),
            "region": dataset["region"].to_numpy(),
            "year": dataset["year"].to_numpy(),
            "agency_type": dataset["agency_type"].to_numpy(),
            "level": levels,
            "timeliness": list(states),
            "findings": list(counted),
            "deducted": deducted,
            "score": np.maximum(rubric.base - deducted, rubric.floor),
        }
    )


def former_rank_table(scores: pd.DataFrame, dataset: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Scores ranked within peer groups (year, agency type, level), with the 予以公开 rate.

    Adds: peers (size of the group), rank (1 = best score; ties share a rank), applications (本年新收),
    granted_rate (予以公开 ÷ 办理结果总计), rate_rank (only among the group's reports with at least
    ``rubric.thresholds.min_applications`` applications; NaN for the others). Sorted by group, rank.
    """
    out = scores.copy()
    ids = out["report_id"].to_numpy()
    if np.array_equal(ids, dataset["report_id"].to_numpy()):  # score_table's rows: the dataset's own
        out["applications"] = dataset[NEW_APPLICATIONS].to_numpy()
        concluded = dataset[CONCLUDED].to_numpy()
        granted = dataset[GRANTED].to_numpy()
    else:
        cols = dataset.set_index("report_id")[[NEW_APPLICATIONS, CONCLUDED, GRANTED]]
        out["applications"] = cols[NEW_APPLICATIONS].reindex(ids).to_numpy()
        concluded = cols[CONCLUDED].reindex(ids).to_numpy()
        granted = cols[GRANTED].reindex(ids).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["granted_rate"] = np.where(concluded > 0, granted / concluded, np.nan)
    # The group of a row is named by the text of its (year, type, level) tuple (the order of the
    # groups within a year); the text is built once per distinct tuple.
    group = [out["year"].astype("object"), out["agency_type"].fillna(""), out["level"].fillna("")]
    values = [g.to_numpy(dtype=object) for g in group]
    combined = np.zeros(len(out), dtype=np.int64)
    for column in values:
        part_codes, part_uniques = pd.factorize(column, use_na_sentinel=False)
        combined = combined * len(part_uniques) + part_codes
    _, first, codes = np.unique(combined, return_index=True, return_inverse=True)
    texts = [str(tuple(column[i] for column in values)) for i in first.tolist()]
    names = np.array(texts, dtype=object)[codes.reshape(-1)]
    keys = pd.Series(names, index=out.index)
    group_of = pd.factorize(keys)[0]
    out["peers"] = np.bincount(group_of)[group_of]
    out["rank"] = out["score"].groupby(group_of).rank(method="min", ascending=False).astype("Int64")
    eligible = (out["applications"] >= rubric.thresholds.min_applications) & out["granted_rate"].notna()
    rate = out["granted_rate"].where(eligible)
    out["rate_rank"] = rate.groupby(group_of).rank(method="min", ascending=False).astype("Int64")
    order = out.assign(_g=keys).sort_values(
        ["year", "_g", "rank", "agency"], ascending=[False, True, True, True]
    )
    return order.drop(columns="_g").reset_index(drop=True)


def former_scores_of(
    lib: Library,
    filters: Filters | None = None,
    *,
    levels: Mapping[int, str] | None = None,
    published: Mapping[int, Any] | None = None,
    missing: Sequence[tuple[str, str | None, int]] = (),
    rubric: Rubric | None = None,
) -> pd.DataFrame:
    """Score and peer-group rank of every filtered report (see :func:`library.rubric.rank_table`).

    The counting findings and deductions of each report are kept with its findings; only the reports
    with a reviewer's status or a LATE finding are counted again (any report under another rubric)."""
    kept = rubric is None or rubric == default_rubric()
    rubric = rubric or default_rubric()
    data = lib.cached_findings(engine._compute)
    adjust = engine._adjust(lib, data, filters, levels, published)
    df = adjust.df
    ids = df["report_id"].tolist()
    again = adjust.counted() if kept else set(ids)
    scored = data.scored
    counted, minus = [], []
    for r in ids:
        if r in again:
            found = adjust.findings(data, r)
            counted.append(sum(f.counts for f in found))
            minus.append(deductions(found, rubric).get(r, 0.0))
        else:
            n, points, _ = scored[r]
            counted.append(n)
            minus.append(points)
    states = [adjust.states[r] for r in ids]
    table = former_score_table_of(df, counted, minus, rubric, [s[0] for s in states], [s[1] for s in states])
    return former_rank_table(table, df, rubric)


def former_findings_display(findings: Iterable[Finding]) -> pd.DataFrame:
    """One row per finding: 报告编号, 单位, 年度, 严重程度, 问题, 说明, 状态, 审核人, 时间, 备注."""
    rows = [
        {
            "报告编号": f.report_id,
            "单位": f.agency or UNKNOWN_AGENCY,
            "年度": f.year,
            "严重程度": SEVERITY_NAMES.get(f.severity, f.severity),
            "问题": finding_name(f.code),
            "说明": f.message.removeprefix(f"{finding_name(f.code)}："),  # the name is in 问题
            "状态": FINDING_STATUS_NAMES.get(f.status, f.status),
            "审核人": f.who or "",
            "时间": _when(f.at),
            "备注": f.note,
        }
        for f in findings
    ]
    columns = ["报告编号", "单位", "年度", "严重程度", "问题", "说明", "状态", "审核人", "时间", "备注"]
    out = pd.DataFrame(rows, columns=columns)
    out["报告编号"] = out["报告编号"].astype("Int64")
    out["年度"] = out["年度"].astype("Int64")
    return out


# ---------------------------------------------------------------- the comparisons


def former_scores_with_roster(lib: Library, filters: Filters | None = None) -> pd.DataFrame:
    options = dict(engine._roster_options(lib, filters))
    options.pop("missing", None)
    return former_scores_of(lib, filters, **options)


def filter_choices(lib: Library) -> list[Filters]:
    data = lib.dataset()
    agency = data["agency"].iloc[0]
    return [
        Filters(),
        Filters(years=(2023,)),
        Filters(regions=(REGIONS[0],)),
        Filters(scope=Scope(regions=(REGIONS[1],))),
        Filters(scope=Scope(regions=(REGIONS[0],), agency=agency), years=(2022, 2024)),
    ]


def assert_scores_as_before(lib: Library) -> None:
    for filters in filter_choices(lib):
        mine = scores_with_roster(lib, filters)
        theirs = former_scores_with_roster(lib, filters)
        pd.testing.assert_frame_equal(mine, theirs)
        assert mine.equals(theirs)
    rubric = default_rubric()
    other = Rubric(**{**rubric.__dict__, "base": rubric.base - 7})  # another rubric: every report again
    pd.testing.assert_frame_equal(
        engine.scores_of(lib, Filters(), rubric=other), former_scores_of(lib, Filters(), rubric=other)
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def library(request, tmp_path):
    """An empty library on SQLite, and on PostgreSQL (a schema of its own) when NIANBAO_TEST_PG_URL is set."""
    if request.param == "sqlite":
        lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
        yield lib
        lib.close()
        return
    with pg_library(pool_pre_ping=True) as lib:
        yield lib


def test_scores_equal_the_former_code_through_writes(library) -> None:
    lib = library
    base_library(lib)
    assert_scores_as_before(lib)
    rng = random.Random(13)
    ops = [*OPS, *OPS]
    rng.shuffle(ops)
    for op in ops:
        apply(lib, op, random.Random(rng.randrange(10_000)))
        assert_scores_as_before(lib)
    statuses = [f for f in findings_with_roster(lib) if f.report_id is not None][:3]
    for f in statuses:
        lib.set_finding_status(f.report_id, f.key, "dismissed", "说明", who="测试")
    assert_scores_as_before(lib)


def frames(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A dataset and its score table with blank years, types and levels, tied scores and rates,
    too few applications, and texts that compare differently as bytes and as characters."""
    rng = np.random.default_rng(seed)
    n = 400
    data = pd.DataFrame(
        {
            "report_id": rng.permutation(np.arange(1, n + 1)),
            "agency": rng.choice(["甲局", "乙局", "丙镇人民政府", "Ａ局", "a局", None], n),
            "region": rng.choice(["甲县", "乙县", None], n),
            "year": pd.array(rng.choice([2022, 2023, 2024, None], n), dtype="Int64"),
            "agency_type": rng.choice(["教育", "财政", "", None], n),
            NEW_APPLICATIONS: rng.choice([0, 1, 5, 30, np.nan], n),
            CONCLUDED: rng.choice([0, 4, 10, np.nan], n),
            GRANTED: rng.choice([0, 1, 2, 4], n).astype(float),
        }
    )
    rubric = default_rubric()
    states = list(rng.choice(["on_time", LATE, "unknown", "missing"], n))
    levels = list(rng.choice(["部门", "人民政府", "乡镇街道", None], n))
    counted = list(rng.integers(0, 4, n))
    minus = list(rng.choice([0.0, 2.0, 5.0, 12.5], n))
    table = former_score_table_of(data, counted, minus, rubric, states, levels)
    return data, table


@pytest.mark.parametrize("seed", range(6))
def test_rank_table_equals_the_former_code_on_blanks_and_ties(seed) -> None:
    data, table = frames(seed)
    rubric = default_rubric()
    for rows in (table, table.iloc[::-1].reset_index(drop=True), table.iloc[:0], table.iloc[:1]):
        mine, theirs = rank_table(rows, data, rubric), former_rank_table(rows, data, rubric)
        pd.testing.assert_frame_equal(mine, theirs)
        assert mine.equals(theirs)


def former_online(lib: Library, filters: Filters) -> list:
    """What 网站采集 listed before: every finding, then those of the website re-check."""
    return [
        f for f in findings_with_roster(lib, filters) if f.code in (FINDING_CHANGED_ONLINE, FINDING_URL_GONE)
    ]


def assert_online_as_before(lib: Library) -> None:
    for filters in filter_choices(lib):
        mine = [
            f
            for f in online_findings_with_roster(lib, filters)
            if f.code in (FINDING_CHANGED_ONLINE, FINDING_URL_GONE)
        ]
        assert mine == former_online(lib, filters)


def test_online_findings_equal_those_among_every_finding(library) -> None:
    """网站采集's list (read without computing the other findings) equals the re-check findings among
    findings_with_roster's: order, regions, statuses, scope, after writes."""
    lib = library
    base_library(lib)
    assert online_findings_with_roster(lib) == []
    ids = lib.dataset()["report_id"].tolist()
    rng = random.Random(5)
    for n, rid in enumerate(rng.sample(ids, 8)):
        code = FINDING_CHANGED_ONLINE if n % 2 else FINDING_URL_GONE
        for k in range(1 + n % 3):  # several findings of one report: their order within it
            add_finding(lib, int(rid), code, f"{code}:{n}:{k}", f"https://example.org/{n}/{k}", {"k": k})
    found = online_findings_with_roster(lib)
    assert len(found) >= 8
    assert_online_as_before(lib)
    f = found[0]
    lib.set_finding_status(f.report_id, f.key, "dismissed", "已核实", who="测试")
    assert_online_as_before(lib)
    assert online_findings_with_roster(lib)[0].status == "dismissed"
    for op in ("version", "delete", "rename", "move_year", "roster", "correct"):
        apply(lib, op, random.Random(op))
        assert_online_as_before(lib)
    resolve_findings(lib, "https://example.org/0/0", FINDING_URL_GONE)
    assert_online_as_before(lib)


def test_findings_display_equals_the_former_rows(library) -> None:
    """The table of the 审核意见 page, built column by column, equals the former row-by-row table:
    statuses with who, when and note, a missing report (no id, region from the roster), blanks."""
    lib = library
    base_library(lib)
    data = lib.dataset()
    agency, region = data["agency"].iloc[0], data["region"].iloc[0]
    rows = f"名称,类型,地区,层级\n{agency},教育,{region},部门\n{region}审计局,审计,{region},部门\n"
    lib.import_roster(rows.encode(), "名录.csv", replace=True)
    found = findings_with_roster(lib, Filters(years=(2024,)))
    assert any(f.report_id is None for f in found)
    for f in found[:: max(1, len(found) // 5)]:
        lib.set_finding_status(f.report_id, f.key, "explained", "见脚注", who="审核人甲")
    for filters in (Filters(), Filters(years=(2024,))):
        found = findings_with_roster(lib, filters)
        assert any(f.status != "open" for f in found)
        for rows_ in (found, found[:1], []):
            mine, theirs = findings_display(rows_), former_findings_display(rows_)
            pd.testing.assert_frame_equal(mine, theirs)
            assert mine.equals(theirs)

"""汇总表's faster reading (library.rollup) against the former code kept verbatim in
tests/reference_pages/rollup.py: every field of the roll-up, the regions, the years and the region the
page opens on must be the same, on the real reports of 洪泽区 (tests/test_rollup.py's county) and on
synthetic ones with blanks, corrections, superseded versions, other spellings of the region, a report
of another region linked to the roster by a reviewer, a removal and a metadata change."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from reference_pages import rollup as former
from test_lists_scale import _library, _more_scopes, empty_lib  # noqa: F401 (the fixture: both stores)
from test_rollup import REGION, County, _synthetic, county  # noqa: F401 (the fixture)

from library import rollup as current
from library.access import ALL, Scope
from library.errors import LibraryError
from library.roster_io import RosterRow
from library.store import Library
from library.synthetic import synthetic_bytes

SCOPES = (ALL, Scope((REGION,)), Scope(("淮安市",)))


def _same(lib: Library, scope: Scope | None = ALL, years: tuple[int, ...] = (2021, 2022, 2023, 2024)) -> int:
    """Assert that both codes agree on everything the page and the command line read; the number of
    roll-ups compared (so a test cannot pass by comparing nothing)."""
    regions = current.known_regions(lib, scope)
    assert regions == former.known_regions(lib, scope)
    assert current.busiest_region(lib, regions) == former.busiest_region(lib, regions)
    assert current.known_years(lib, None, scope) == former.known_years(lib, None, scope)
    compared = 0
    for region in [*regions, "淮安市洪泽区", "火星区"]:
        assert current.known_years(lib, region, scope) == former.known_years(lib, region, scope)
        for year in years:
            try:
                old = former.rollup(lib, region, year, scope=scope)
            except LibraryError as exc:
                with pytest.raises(LibraryError) as raised:
                    current.rollup(lib, region, year, scope=scope)
                assert (type(raised.value).__name__, raised.value.zh) == (type(exc).__name__, exc.zh)
                continue
            new = current.rollup(lib, region, year, scope=scope)
            assert asdict(new) == asdict(old), (region, year)
            assert [asdict(b) for b in new.blanks] == [asdict(b) for b in old.blanks]
            compared += 1
    return compared


def test_county_of_real_reports_as_before(county: County) -> None:  # noqa: F811
    lib = county.lib
    for scope in SCOPES:
        _same(lib, scope)
    assert _same(lib) >= 8
    # A failing check of the roll-up is traced to the agencies (checks now run only then).
    assert any(c.traced for c in current.rollup(lib, REGION, 2024).checks) == any(
        c.traced for c in former.rollup(lib, REGION, 2024).checks
    )


def test_writes_spellings_and_links_as_before(county: County) -> None:  # noqa: F811
    lib = county.lib
    # Corrections: a figure changed, a blank filled, a figure blanked.
    fin = county.ids["fin2024"]
    lib.add_correction(fin, "s3.r3_1_granted.natural_person", 41, "测试", who="测试")
    lib.add_correction(fin, "s3.r3_2_partial.total", 9, "测试", who="测试")
    lib.add_correction(county.ids["street2024"], "s4.review_upheld", None, "测试", who="测试")
    # The region written another way (with its city in front), and a report of another region that a
    # reviewer links to a roster entry of 洪泽区.
    spelled = _synthetic("淮安市洪泽区审计局", 2024, seed=11)
    spelled.region = "淮安市洪泽区"
    lib.add(spelled, synthetic_bytes(spelled))
    elsewhere = _synthetic("卫生健康委", 2024, seed=12)
    elsewhere.region = "淮安市"
    rid, _ = lib.add(elsewhere, synthetic_bytes(elsewhere))
    entry = next(e for e in lib.roster() if e.name == "区卫生健康委员会")
    lib.save_link(elsewhere.agency or "", "淮安市", entry.id, report_id=rid, who="测试")
    # A second correction of 区教育局 2024 (a third version) and a removal.
    third = _synthetic("洪泽区教育局", 2024, seed=13)
    lib.add(third, synthetic_bytes(third))
    lib.delete(county.ids["justice2024"])
    # A report moved to another year by its metadata.
    lib.set_metadata(county.ids["edu2023"], year=2021, who="测试")
    compared = 0
    for scope in SCOPES:
        compared += _same(lib, scope)
    assert compared >= 8
    linked = current.rollup(lib, REGION, 2024)
    assert rid in {i.report_id for i in linked.included}  # the linked report of 淮安市 is summed


def test_synthetic_library_as_before(empty_lib: Library) -> None:  # noqa: F811
    """On both stores: blanks, an unreadable value, duplicates, a new version superseding one, a
    correction, first without a roster, then with one and a reviewer's link across regions."""
    lib = empty_lib
    for year in (2020, 2021):
        for n, dept in enumerate(("教育局", "财政局", "人民政府", "民政局")):
            p = _synthetic(f"洪泽区{dept}", year, seed=n)
            if n == 1:
                p.cells["s3.r3_2_partial.total"].value = None
                p.cells["s3.r3_2_partial.total"].raw = ""
                p.cells["s3.r3_2_partial.total"].flag = "blank"
            if n == 3:
                p.cells["s4.review_upheld"].value = None
                p.cells["s4.review_upheld"].raw = "约5"
                p.cells["s4.review_upheld"].flag = "unparsed"
            lib.add(p, synthetic_bytes(p))
        again = _synthetic("区教育局", year, seed=9)  # the same agency, short name: a duplicate
        lib.add(again, synthetic_bytes(again))
        newer = _synthetic("洪泽区民政局", year, seed=10)  # a new version: the first one is superseded
        lib.add(newer, synthetic_bytes(newer))
    other = _synthetic("淮安市教育局", 2021)
    other.region = "淮安市"
    other_id, _ = lib.add(other, synthetic_bytes(other))
    some = int(lib.list()["report_id"].iloc[0])
    lib.add_correction(some, "s3.r3_1_granted.natural_person", 17, "测试", who="测试")
    assert _same(lib, ALL, (2020, 2021)) >= 4
    assert _same(lib, Scope(("淮安市",)), (2020, 2021)) >= 2
    lib.save_roster(
        [
            RosterRow("洪泽区人民政府", "政府办", REGION, "人民政府"),
            RosterRow("区教育局", "教育", REGION),
            RosterRow("区财政局", "财政", REGION),
            RosterRow("区审计局", "审计", REGION),  # never reports
        ]
    )
    audit = next(e for e in lib.roster() if e.name == "区审计局")
    lib.save_link("淮安市教育局", "淮安市", audit.id, report_id=other_id, who="测试")
    assert _same(lib, ALL, (2020, 2021)) >= 4
    assert _same(lib, Scope((REGION,)), (2020, 2021)) >= 2
    assert other_id in {i.report_id for i in current.rollup(lib, REGION, 2021).included}


def test_table_versions_read_without_decoding_the_whole_parse(county: County) -> None:  # noqa: F811
    """Only the table_versions object of a stored parse is decoded: the same as decoding all of it,
    also when a cell's text spells the key (escaped in JSON) or an old parse has no such key."""
    from sqlalchemy import select

    from library.db import ReportFile, pack_json, unpack_json
    from library.rollup import _table_versions

    with county.lib.engine.connect() as conn:
        blobs = [b for (b,) in conn.execute(select(ReportFile.parsed_json_z))]
    assert len(blobs) >= 10
    for blob in blobs:
        assert _table_versions(blob) == unpack_json(blob)["table_versions"]
    parse = unpack_json(blobs[0])
    first = next(iter(parse["cells"]))
    parse["cells"][first]["raw"] = 'x"table_versions":{"s3":"2019"}'
    assert _table_versions(pack_json(parse)) == unpack_json(blobs[0])["table_versions"]
    del parse["table_versions"]
    assert _table_versions(pack_json(parse)) == {}
    parse["table_versions"] = {"s2": "2019", "s3": "mixed"}
    assert _table_versions(pack_json(parse)) == {"s2": "2019", "s3": "mixed"}


def _former_counts(self: Library, scope: Scope | None = ALL) -> dict[str, int]:
    """Library.counts as it was before the regions and years were counted over subqueries (verbatim)."""
    from sqlalchemy import case, func, select, true

    from library.db import Correction, LabelOverride, Report
    from library.queries import CURRENT, PARSER_VERSION

    seen = true() if scope is not None and scope.unrestricted else self._scope_condition(scope)
    with self.engine.connect() as conn:
        row = conn.execute(
            select(
                func.count(Report.id),
                func.count(func.distinct(Report.agency)),  # replaced below by (region, agency) pairs
                func.count(func.distinct(Report.region)),
                func.count(func.distinct(Report.year)),
                func.coalesce(func.sum(Report.n_cells), 0),
                func.coalesce(func.sum(case((Report.checks_failed > 0, 1), else_=0)), 0),
            ).where(CURRENT, seen)
        ).one()
        outdated, superseded = conn.execute(
            select(
                func.coalesce(func.sum(case((Report.parser_version != PARSER_VERSION, 1), else_=0)), 0),
                func.count(Report.superseded_by),
            ).where(seen)
        ).one()
        pairs = (
            select(Report.region, Report.agency)
            .where(Report.agency.is_not(None), CURRENT, seen)
            .distinct()
            .subquery()
        )
        n_agencies = conn.execute(select(func.count()).select_from(pairs)).scalar_one()
        n_corrections = conn.execute(
            select(func.count(Correction.id)).join(Report, Report.id == Correction.report_id).where(seen)
        ).scalar_one()
        n_overrides = conn.execute(select(func.count(LabelOverride.id))).scalar_one()
    keys = ("reports", "agencies", "regions", "years", "cells", "reports_failing_checks")
    out = {k: int(v) for k, v in zip(keys, row, strict=True)}
    out["outdated"] = int(outdated)
    out["superseded"] = int(superseded)
    out["agencies"] = int(n_agencies)
    out["corrections"] = int(n_corrections)
    out["label_overrides"] = int(n_overrides)
    return out


def test_library_header_counts_as_before(empty_lib: Library) -> None:  # noqa: F811
    """报告库's header counts (regions and years now counted over subqueries) equal the former
    query's for every scope, on synthetic reports with new versions, corrections, removals, other
    regions and reports without agency, region or year."""
    from sqlalchemy import update

    from library.db import Report

    lib = _library(empty_lib)
    with lib.engine.begin() as conn:  # no region and no year on a few more current reports
        ids = lib.list()["report_id"].tolist()
        conn.execute(update(Report).where(Report.id.in_(ids[10:13])).values(region=None, year=None))
    scopes = [ALL, None, Scope(("（合成）乙县",)), Scope(("（合成）丙市丁区", "（合成）乙县"))]
    scopes.append(Scope(("（合成）乙县",), agency=str(lib.list()["agency"].dropna().iloc[-1])))
    counts = [lib.counts(s) for s in scopes]
    assert counts == [_former_counts(lib, s) for s in scopes]
    assert counts[0]["regions"] >= 3 and counts[0]["years"] >= 2 and counts[2]["reports"] > 0


def test_counts_equal_the_former_sql_through_writes(empty_lib: Library) -> None:  # noqa: F811
    """报告库's header totals (the current reports' from the dataset in memory, the rest in one scan)
    equal the former query's for every scope, after corrections, deletions, metadata edits, an outdated
    parse and a report without a region."""
    from sqlalchemy import func, text

    from library.db import Report

    lib = _library(empty_lib)

    def same() -> dict[str, int]:
        for scope in _more_scopes(lib):
            assert lib.counts(scope) == _former_counts(lib, scope), scope
        return lib.counts()

    first = same()
    assert first["superseded"] > 0 and first["reports_failing_checks"] > 0 and first["corrections"] > 0
    full = lib.list()
    current = full[full["superseded_by"].isna()]
    ids = [int(i) for i in current["report_id"]]
    with lib.engine.begin() as conn:  # as a write does: a new stamp and revision (the dataset's cache)
        conn.execute(
            Report.__table__.update()
            .where(Report.id == ids[2])
            .values(region=None, parser_version="0.1", updated_at=func.now())
        )
        conn.execute(text("UPDATE library_meta SET value = value + 1 WHERE key = 'revision'"))
    lib.add_correction(ids[4], "s3.r1_new_received.total", 10**6, who="测试")
    lib.delete(ids[7])
    lib.set_metadata(ids[9], year=2031, agency="（合成）新单位", who="测试")
    after = same()
    assert after["outdated"] == first["outdated"] + 1 and after["reports"] == first["reports"] - 1
    assert after["years"] == first["years"] + 1

"""The lists of a big library (报告库, counts, 数据质量, the sidebar's choices, the roster's links) read
narrow indexes (revision 0006) and cached pieces: the results equal those of the code they replaced,
kept here as reference copies, on synthetic libraries with scopes, filters, corrections, deletions,
new versions and unread tables."""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from pg_schema import PG_URL, pg_library
from sqlalchemy import func, or_, select, text

from library.access import Scope
from library.db import Correction, Report, ReportFile
from library.filters import MISSING, Filters, filter_options_of
from library.queries import CURRENT, LIST_COLUMNS, PARSER_VERSION, _escape_like, _is_year, _year_of
from library.store import Library
from library.synthetic import SYNTHETIC_PREFIX, populate, specs, synthetic_bytes, synthetic_parsed
from library.versions import version_numbers

# ---------------------------------------------------------------------- reference copies (old code)


def _old_list_select():
    n_corr = select(func.count(Correction.id)).where(Correction.report_id == Report.id).scalar_subquery()
    return select(
        Report.id.label("report_id"),
        Report.filename,
        Report.format,
        Report.size,
        Report.agency,
        Report.region,
        Report.year,
        Report.agency_type,
        Report.template,
        Report.parser_version,
        Report.checks_failed,
        Report.unmatched_count.label("unmatched_labels"),
        Report.warnings_count,
        Report.n_cells,
        n_corr.label("n_corrections"),
        Report.created_at,
        Report.updated_at,
        Report.superseded_by,
    )


def _old_word_condition(word: str):
    if _is_year(word):
        return Report.year == _year_of(word)
    pattern = f"%{_escape_like(word)}%"
    in_text = (
        select(ReportFile.report_id).where(ReportFile.text.ilike(pattern, escape="\\")).scalar_subquery()
    )
    return or_(
        Report.agency.ilike(pattern, escape="\\"),
        Report.region.ilike(pattern, escape="\\"),
        Report.filename.ilike(pattern, escape="\\"),
        Report.id.in_(in_text),
    )


def _old_frame(lib: Library, stmt) -> pd.DataFrame:
    with lib.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(stmt)]
        numbers = version_numbers(conn)
    derived = ("outdated", "version", "n_versions")
    df = pd.DataFrame(rows, columns=[c for c in LIST_COLUMNS if c not in derived])
    df.insert(LIST_COLUMNS.index("outdated"), "outdated", df["parser_version"] != PARSER_VERSION)
    df["year"] = df["year"].astype("Int64")
    df["superseded_by"] = df["superseded_by"].astype("Int64")
    df["version"] = [numbers.get(int(i), (1, 1))[0] for i in df["report_id"]]
    df["n_versions"] = [numbers.get(int(i), (1, 1))[1] for i in df["report_id"]]
    return df


def old_list(lib: Library, filters: Filters | None = None) -> pd.DataFrame:
    stmt = lib._where_filters(_old_list_select(), filters)
    return _old_frame(lib, stmt.order_by(Report.year.desc(), Report.agency, Report.id))


def old_search(lib: Library, term: str, filters: Filters | None = None, limit: int = 500) -> pd.DataFrame:
    from library.queries import search_words

    stmt = lib._where_filters(_old_list_select(), filters)
    words = search_words(term)
    for word in words:
        stmt = stmt.where(_old_word_condition(word))
    df = _old_frame(lib, stmt.order_by(Report.year.desc(), Report.agency, Report.id).limit(limit))
    df["match_reason"] = lib._match_reasons(df, words) if words and not df.empty else ""
    return df


def old_unread_tables(lib: Library, filters: Filters | None = None) -> pd.DataFrame:
    stmt = select(
        Report.id, Report.agency, Report.region, Report.year, Report.filename, Report.unread_json
    ).where(Report.unread_json.is_not(None), CURRENT)
    stmt = lib._where_filters(stmt, filters).order_by(Report.year.desc(), Report.agency, Report.id)
    with lib.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    records = [
        (r.id, r.agency, r.region, r.year, r.filename, t.get("table"), t.get("code"), t.get("reason"))
        for r in rows
        for t in r.unread_json or []
    ]
    cols = ["report_id", "agency", "region", "year", "filename", "table", "code", "reason"]
    df = pd.DataFrame(records, columns=cols)
    df["year"] = df["year"].astype("Int64")
    return df


def old_filter_options(lib: Library, scope: Scope | None) -> dict[str, builtins.list]:
    return filter_options_of(lib.dataset(Filters(scope=scope)))


# ---------------------------------------------------------------------- the synthetic library

UNREAD = [
    {"table": "s2", "code": "heading_only", "reason": "只有标题"},
    {"table": "s4", "code": "image", "reason": "表格为图片"},
]


def _library(where: Path | Library) -> Library:
    """Synthetic reports with new versions, corrections, deletions, unread tables, changed metadata
    (in a SQLite file at ``where``, or in the empty library ``where``)."""
    lib = where if isinstance(where, Library) else Library(f"sqlite:///{where}")
    populate(lib, 90, seed=0)
    chosen = specs(90)
    # New versions of some reports (same agency, region, year: the new one supersedes the old).
    for spec in chosen[:12:3]:
        parsed = synthetic_parsed(spec, seed=1)
        parsed.unread_tables = list(UNREAD)
        lib.add(parsed, synthetic_bytes(parsed), agency_type=spec.agency_type)
    ids = lib.list()["report_id"].tolist()
    # Unread tables on a few current reports, and one report with none recorded (stored before).
    for spec in chosen[20:26]:
        parsed = dataclasses.replace(synthetic_parsed(spec, seed=2), unread_tables=UNREAD[:1])
        lib.add(parsed, synthetic_bytes(parsed), agency_type=spec.agency_type)
    with lib.engine.begin() as conn:
        conn.execute(Report.__table__.update().where(Report.id == ids[30]).values(unread_json=None))
    for rid in ids[40:43]:
        lib.add_correction(rid, "n.proactive_total", 7, "更正", who="测试")
    with lib.engine.begin() as conn:  # three regions (a scope then sees part of the library)
        for n, region in ((3, "（合成）乙县"), (4, "（合成）丙市丁区")):
            conn.execute(Report.__table__.update().where(Report.id.in_(ids[70:][::n])).values(region=region))
    lib.delete(ids[50])
    lib.delete(ids[0])  # a current version: the one before becomes current again
    with lib.engine.begin() as conn:  # a report whose agency, region and year were not recognised
        conn.execute(
            Report.__table__.update().where(Report.id == ids[60]).values(agency=None, region=None, year=None)
        )
    lib.set_metadata(ids[61], region="另一地区", who="测试")
    return lib


_pg_library = pg_library  # test_quality_scale imports it from here


STORES = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="NIANBAO_TEST_PG_URL not set")),
]


@pytest.fixture(scope="module", params=STORES)
def lib(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    if request.param == "sqlite":
        yield _library(tmp_path_factory.mktemp("lists") / "lib.sqlite")
        return
    with _pg_library() as empty:
        yield _library(empty)


@pytest.fixture(params=STORES)
def empty_lib(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Library]:
    if request.param == "sqlite":
        yield Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
        return
    with _pg_library() as empty:
        yield empty


def _scopes(lib: Library) -> list[Scope | None]:
    full = lib.list()
    regions = sorted(full["region"].dropna().unique())
    agency = full.dropna(subset=["agency"])["agency"].iloc[5]
    region = full.dropna(subset=["agency"])["region"].iloc[5]
    return [
        Scope(),
        None,
        Scope(regions=(regions[0],)),
        Scope(regions=tuple(regions[1:3])),
        Scope(regions=(region,), agency=agency),
        Scope(regions=("没有的地区",)),
    ]


def _filters(lib: Library) -> list[Filters]:
    full = lib.list()
    regions = sorted(full["region"].dropna().unique())
    out = []
    for scope in _scopes(lib):
        out += [
            Filters(scope=scope),
            Filters(regions=(regions[0], MISSING), scope=scope),
            Filters(years=(2021, 2022), scope=scope),
            Filters(agency_types=("教育", MISSING), templates=("2021",), scope=scope),
            Filters(years=(MISSING,), scope=scope),
        ]
    return out


def test_the_library_has_what_the_comparisons_need(lib: Library) -> None:
    full = lib.list()
    assert full["superseded_by"].notna().any() and (full["n_corrections"] > 0).any()
    assert full["agency"].isna().any() and len(old_unread_tables(lib)) > 0
    assert full["agency"].dropna().str.startswith(SYNTHETIC_PREFIX).all()


def test_list_and_search_equal_the_old_code(lib: Library) -> None:
    for filters in [None, *_filters(lib)]:
        pd.testing.assert_frame_equal(lib.list(filters), old_list(lib, filters))
        for term in ("", "教育", "2021", "合成 2022", "txt", "synthetic 局", "没有这个词", "50%_"):
            pd.testing.assert_frame_equal(lib.search(term, filters), old_search(lib, term, filters))
        pd.testing.assert_frame_equal(lib.search("局", filters, limit=7), old_search(lib, "局", filters, 7))


def test_unread_tables_equal_the_old_code(lib: Library) -> None:
    for filters in [None, *_filters(lib)]:
        pd.testing.assert_frame_equal(lib.unread_tables(filters), old_unread_tables(lib, filters))


def test_filter_choices_and_totals_equal_the_datasets(lib: Library) -> None:
    for scope in _scopes(lib):
        options, total = lib.choices(scope)
        assert options == old_filter_options(lib, scope) == lib.filter_options(scope), scope
        assert total == len(lib.dataset(Filters(scope=scope))), scope


def old_choices(lib: Library, scope: Scope | None) -> tuple[dict[str, builtins.list], int]:
    """The choices as read before round 3: one group per (agency, region, year, type, template)."""
    from library.visibility import visible_pairs

    groups: builtins.list[tuple] = []
    columns = (Report.agency, Report.region, Report.year, Report.agency_type, Report.template)
    if scope is not None:
        stmt = select(*columns, func.count()).where(CURRENT).group_by(*columns)
        with lib.engine.connect() as conn:
            groups = [tuple(r) for r in conn.execute(stmt)]
        if not scope.unrestricted:
            seen = set(visible_pairs(((g[0], g[1]) for g in groups), scope))
            groups = [g for g in groups if (g[0], g[1]) in seen]
    out: dict[str, builtins.list] = {}
    for n, name in enumerate(("regions", "years", "agency_types", "templates"), start=1):
        values = {g[n] for g in groups}
        present = [v for v in values if v is not None]
        ordered = sorted(present, reverse=True) if name == "years" else sorted(str(v) for v in present)
        out[name] = ordered + ([MISSING] if None in values else [])
    return out, sum(g[5] for g in groups)


def _more_scopes(lib: Library) -> list[Scope | None]:
    """:func:`_scopes` and scopes with an agency but no region, of a report without a region, and of
    a region only older versions have."""
    full = lib.list()
    no_region = full[full["region"].isna() & full["agency"].notna() & full["superseded_by"].isna()]
    old_only = set(full[full["superseded_by"].notna()]["region"].dropna()) - set(
        full[full["superseded_by"].isna()]["region"].dropna()
    )
    named = full.dropna(subset=["agency"])
    out = [
        *_scopes(lib),
        Scope(agency=str(named["agency"].iloc[7])),
        Scope(regions=tuple(sorted(full["region"].dropna().unique()))),
        Scope(regions=("（合成）乙县", "另一地区"), agency=str(named["agency"].iloc[3])),
    ]
    if len(no_region):
        out.append(Scope(agency=str(no_region["agency"].iloc[0])))
    out += [Scope(regions=(r,)) for r in sorted(old_only)]
    return out


def test_filter_choices_equal_the_old_grouping_through_writes(empty_lib: Library) -> None:
    """The choices (read per column) equal the former one-group-per-combination read, and the
    dataset's, for every scope, after deletions, new versions, metadata edits and a removed region."""
    lib = _library(empty_lib)

    def same() -> None:
        for scope in _more_scopes(lib):
            got = lib.choices(scope)
            assert got == old_choices(lib, scope), scope
            assert got[0] == old_filter_options(lib, scope), scope
            assert got[1] == len(lib.dataset(Filters(scope=scope))), scope

    same()
    full = lib.list()
    current = full[full["superseded_by"].isna()]
    # A report given an agency but no region; a region's last report deleted; a year changed.
    with lib.engine.begin() as conn:  # as a write does: a new stamp and revision (the dataset's cache)
        where = Report.id == int(current["report_id"].iloc[2])
        conn.execute(Report.__table__.update().where(where).values(region=None, updated_at=func.now()))
        conn.execute(text("UPDATE library_meta SET value = value + 1 WHERE key = 'revision'"))
    for rid in current[current["region"] == "另一地区"]["report_id"]:
        lib.delete(int(rid))
    lib.set_metadata(int(current["report_id"].iloc[5]), year=2031, agency_type="新类型", who="测试")
    same()
    assert "另一地区" not in lib.choices(Scope())[0]["regions"]
    assert 2031 in lib.choices(Scope())[0]["years"] and MISSING in lib.choices(Scope())[0]["regions"]


def test_report_years_are_the_datasets(lib: Library) -> None:
    for filters in _filters(lib):
        expected = lib.dataset(filters)["year"]
        got = lib.report_years(filters)
        assert sorted(got, key=str) == sorted(
            [None if pd.isna(y) else int(y) for y in expected.unique()], key=str
        ), filters


def old_unmatched_labels(lib: Library, filters: Filters | None = None) -> pd.DataFrame:
    stmt = select(
        Report.id, Report.agency, Report.region, Report.year, Report.filename, Report.unmatched_json
    ).where(Report.unmatched_count > 0, CURRENT)
    stmt = lib._where_filters(stmt, filters).order_by(Report.year.desc(), Report.agency, Report.id)
    with lib.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    records = [
        (r.id, r.agency, r.region, r.year, r.filename, label) for r in rows for label in r.unmatched_json
    ]
    df = pd.DataFrame(records, columns=["report_id", "agency", "region", "year", "filename", "label"])
    df["year"] = df["year"].astype("Int64")
    return df


def test_unmatched_labels_equal_the_old_code(lib: Library) -> None:
    assert len(old_unmatched_labels(lib)) > 0
    for filters in [None, *_filters(lib)]:
        pd.testing.assert_frame_equal(lib.unmatched_labels(filters), old_unmatched_labels(lib, filters))


def _old_year_reports(lib: Library, year: int | None) -> pd.DataFrame:
    stmt = (
        select(
            Report.id.label("report_id"),
            Report.agency,
            Report.region,
            Report.year,
            Report.agency_type,
            Report.published,
            Report.published_source,
        )
        .where(CURRENT)
        .order_by(Report.id)
    )
    if year is not None:
        stmt = stmt.where(Report.year == int(year))
    with lib.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(stmt)]
    return pd.DataFrame(
        rows,
        columns=["report_id", "agency", "region", "year", "agency_type", "published", "published_source"],
    )


def old_report_links(lib: Library, year: int | None = None) -> tuple[pd.DataFrame, dict]:
    from library.roster import LINK_COLUMNS
    from library.roster_link import RosterItem, link_reports

    reports = _old_year_reports(lib, year)
    entries = lib.roster()
    saved = lib.saved_links()
    links = link_reports(
        zip(reports["report_id"].astype(int), reports["agency"], reports["region"], strict=True),
        (RosterItem(e.id or 0, e.name, e.region, e.aliases) for e in entries),
        saved,
    )
    names = {e.id: e.name for e in entries}
    table = reports.drop(columns=["published", "published_source"]).assign(
        entry_id=pd.Series([links[int(i)].entry_id for i in reports["report_id"]], dtype=object),
        tier=[links[int(i)].tier for i in reports["report_id"]],
        score=[round(links[int(i)].score, 1) for i in reports["report_id"]],
    )
    table["entry_name"] = pd.Series(
        [names.get(i) if i is not None else None for i in table["entry_id"]], index=table.index, dtype=object
    )
    table["saved"] = table["tier"] == "reviewer"
    return table[LINK_COLUMNS], links


def _same_links(lib: Library) -> None:
    from library.roster import report_links_of

    for year in (None, 2021, 1999):
        pd.testing.assert_frame_equal(lib._year_reports(year), _old_year_reports(lib, year))
        new, new_links = lib.report_links(year)
        old, old_links = old_report_links(lib, year)
        pd.testing.assert_frame_equal(new, old)
        assert new_links == old_links
    for filters in _filters(lib)[:10]:
        table, _ = old_report_links(lib, None)
        chosen = Filters(regions=filters.regions, agency_types=filters.agency_types, scope=filters.scope)
        expected = chosen.apply(table.assign(template=None))[table.columns]
        pd.testing.assert_frame_equal(report_links_of(lib, filters, None), expected)
    _same_page(lib)


def _same_page(lib: Library) -> None:
    """名录's link table (report_links_page) equals the full table filtered, counted and cut."""
    from library import roster
    from library.roster import report_links_of, report_links_page

    for filters in [Filters(), *_filters(lib)]:
        table = report_links_of(lib, filters, None)
        for only_open in (False, True):
            listed = table[table["entry_id"].isna()] if only_open else table
            for limit in (0, 3, 500):
                n_all, n_listed, head = report_links_page(lib, filters, only_open, limit)
                assert (n_all, n_listed) == (len(table), len(listed)), filters
                expected = (
                    listed.head(limit)
                    .reset_index(drop=True)
                    .assign(year=listed["year"].head(limit).reset_index(drop=True).astype("Int64"))
                )
                pd.testing.assert_frame_equal(head, expected, check_dtype=False, check_index_type=False)
                assert str(head["year"].dtype) == "Int64"
    # The other two ways of finding the unlinked reports (names in SQL / filtered while reading).
    for bound in (0, 10_000):
        old_bound = roster._OPEN_PAIRS_IN_SQL
        roster._OPEN_PAIRS_IN_SQL = bound
        try:
            table = report_links_of(lib, Filters(), None)
            listed = table[table["entry_id"].isna()]
            _, n, head = report_links_page(lib, Filters(), True, 4)
            assert n == len(listed)
            assert head["report_id"].tolist() == listed["report_id"].head(4).tolist()
        finally:
            roster._OPEN_PAIRS_IN_SQL = old_bound


def test_report_links_equal_the_old_code_as_the_roster_and_links_change(empty_lib: Library) -> None:
    from library.roster_io import RosterRow

    lib = _library(empty_lib)
    _same_links(lib)  # no roster yet
    full = lib.list().dropna(subset=["agency"])
    pairs = list(dict.fromkeys(zip(full["agency"], full["region"], strict=True)))
    rows = [RosterRow(a, None, r) for a, r in pairs[:8]]
    rows.append(RosterRow("（合成）别名局", None, pairs[9][1], aliases=(pairs[9][0],)))
    rows.append(RosterRow(pairs[10][0] + "办", None, pairs[10][1]))  # a near name (fuzzy)
    lib.save_roster(rows, who="测试")
    _same_links(lib)
    _same_links(lib)  # the second time from the memo
    entry = lib.roster()[0]
    lib.save_link(pairs[12][0], pairs[12][1], entry.id, who="测试")
    lib.save_link(pairs[0][0], pairs[0][1], None, who="测试")
    _same_links(lib)
    assert {"exact", "alias", "reviewer", "none"} <= set(lib.report_links()[0]["tier"])
    lib.save_roster([r for r in lib.roster() if r.id != entry.id], who="测试")  # an entry removed
    _same_links(lib)
    lib.delete(int(full["report_id"].iloc[3]))
    _same_links(lib)


def _full_reads(lib: Library, call) -> list[str]:
    """The lines of the SQLite query plans of ``call``'s statements that read every wide report row
    (a scan of ``reports`` not answered from a covering index)."""
    from sqlalchemy import event

    statements: list[tuple[str, object]] = []

    def remember(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(lib.engine, "before_cursor_execute", remember)
    try:
        call()
    finally:
        event.remove(lib.engine, "before_cursor_execute", remember)
    bad = []
    with lib.engine.connect() as conn:
        for statement, parameters in statements:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            bad += [
                f"{row[-1]}  ← {statement[:80]}"
                for row in plan
                if "reports" in str(row[-1])
                # every report, or every current one (superseded_by IS NULL), row by row
                and (str(row[-1]).startswith("SCAN") or str(row[-1]).endswith("(superseded_by=?)"))
                and "COVERING INDEX" not in str(row[-1])
            ]
    return bad


def test_the_lists_read_no_wide_report_row_of_every_report(tmp_path: Path) -> None:
    from library.roster import report_links_page

    lib = _library(tmp_path / "plans.sqlite")
    scoped = Scope(regions=("（合成）乙县",))
    agency = Scope(regions=("（合成）甲县",), agency=lib.list()["agency"].dropna().iloc[0])
    calls = {
        "counts": lambda: lib.counts(),
        "counts scoped": lambda: (lib.counts(scoped), lib.counts(agency)),
        "choices": lambda: (lib.choices(Scope()), lib.choices(scoped), lib.choices(agency)),
        "report_years": lambda: lib.report_years(Filters(scope=scoped)),
        "list": lambda: lib.list(),
        "search": lambda: lib.search(""),
        "unmatched_labels": lambda: lib.unmatched_labels(),
        "unread_tables": lambda: lib.unread_tables(),
        "report_links": lambda: lib.report_links(2021),
        "report_count": lambda: (lib.report_count(), lib.report_count(Filters(scope=scoped), failing=True)),
        "quality_reports": lambda: lib.quality_reports(Filters(scope=agency)),
        "report_links_page": lambda: (
            report_links_page(lib, Filters(), True, 500),
            report_links_page(lib, Filters(scope=scoped), False, 500),
        ),
    }
    # choices and report_years read the dataset's META columns in memory (library.dataset_cache): its
    # one full read is the dataset's own, once per process; after a write it reads the journal's few.
    lib.dataset()
    assert {name: _full_reads(lib, call) for name, call in calls.items()} == {name: [] for name in calls}
    lib.set_metadata(int(lib.list()["report_id"].iloc[0]), agency_type="新类型")
    after = {"choices": calls["choices"], "report_years": calls["report_years"]}
    assert {name: _full_reads(lib, call) for name, call in after.items()} == {name: [] for name in after}


def test_revision_0006_counts_the_unread_tables_already_stored(empty_lib: Library) -> None:
    """A library of revision 0005 (no unread_count, no new index) gets them, counted from unread_json."""
    from sqlalchemy import inspect

    from library.migrate import current_revision, head_revision, upgrade

    lib = _library(empty_lib)
    expected = {int(r): n for r, n in old_unread_tables(lib).groupby("report_id").size().items()}
    with lib.engine.begin() as conn:  # back to 0005 as it was: a JSON null stored, the column gone
        conn.execute(Report.__table__.update().where(Report.id == min(expected)).values(unread_json=None))
        for name in ("ix_reports_current_meta", "ix_reports_agency_region", "ix_reports_list"):
            conn.execute(text(f"DROP INDEX {name}"))
        conn.execute(text("ALTER TABLE reports DROP COLUMN unread_count"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0005_dataset_stamps'"))
    del expected[min(expected)]
    upgrade(lib.engine)
    assert current_revision(lib.engine) == head_revision()  # 0006 and every later revision
    with lib.engine.connect() as conn:
        counted = dict(
            conn.execute(select(Report.id, Report.unread_count).where(Report.unread_count > 0)).all()
        )
        indexes = {ix["name"] for ix in inspect(conn).get_indexes("reports")}
    assert counted == expected and len(expected) > 3
    assert {"ix_reports_current_meta", "ix_reports_agency_region", "ix_reports_list"} <= indexes


def _texts(lib: Library, table: str) -> dict[int, str]:
    with lib.engine.connect() as conn:
        return dict(conn.execute(text(f"SELECT report_id, text FROM {table}")).all())  # noqa: S608


def test_the_search_text_table_follows_every_write(empty_lib: Library) -> None:
    """report_texts (revision 0008) holds exactly report_files' texts after adds, a re-parse with a
    new text, and deletions; the search finds a word of the new text and not of the old."""
    lib = _library(empty_lib)
    assert _texts(lib, "report_texts") == _texts(lib, "report_files")
    assert len(_texts(lib, "report_texts")) > 80
    target = int(lib.list()["report_id"].iloc[10])
    stored = lib.get(target)
    assert stored is not None

    def parse(data: bytes, filename: str, overrides: dict[str, str]):
        parsed = synthetic_parsed(specs(90)[0], seed=5)
        parsed.text = "重新解析后的全文含有独特词语紫罗兰"
        return parsed

    assert lib.search("紫罗兰").empty
    lib.reparse(target, parse)
    assert _texts(lib, "report_texts") == _texts(lib, "report_files")
    assert lib.search("紫罗兰")["report_id"].tolist() == [target]
    lib.delete(target)
    assert _texts(lib, "report_texts") == _texts(lib, "report_files")
    assert target not in _texts(lib, "report_texts")
    assert lib.search("紫罗兰").empty


def test_revision_0008_copies_the_texts_already_stored(empty_lib: Library) -> None:
    """A library of revision 0007 (no report_texts) gets the table, filled from report_files, and its
    search finds what the former search (over report_files) found."""
    from library.migrate import current_revision, head_revision, upgrade

    lib = _library(empty_lib)
    expected = _texts(lib, "report_files")
    with lib.engine.begin() as conn:
        conn.execute(text("DROP TABLE report_texts"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0007_collect'"))
    upgrade(lib.engine)
    assert current_revision(lib.engine) == head_revision()
    assert _texts(lib, "report_texts") == expected and len(expected) > 80
    for term in ("局", "合成 2022", "synthetic", "没有这个词"):
        pd.testing.assert_frame_equal(lib.search(term), old_search(lib, term))


def test_quality_reports_and_counts_equal_the_datasets(empty_lib: Library) -> None:
    """数据质量's report list (problems first) and the page frame's count, read without the dataset,
    equal those of the dataset for every filter and scope, also after writes."""
    from library import aggregate as agg

    lib = _library(empty_lib)

    def same() -> None:
        for filters in [None, *_filters(lib)]:
            expected = agg.quality_summary(lib.dataset(filters))
            got = lib.quality_reports(filters)
            columns = ["report_id", "agency", "year", "checks_failed", "unmatched_labels"]
            pd.testing.assert_frame_equal(got, expected[columns], check_dtype=False)
            assert got["year"].dtype == "Int64" and len(got) == lib.report_count(filters), filters
            failing = int((got["checks_failed"] > 0).sum())
            assert failing == agg.reports_failing_checks(lib.dataset(filters))
            assert lib.report_count(filters, failing=True) == failing

    same()
    assert (lib.quality_reports()["checks_failed"] > 0).any()  # the order is tested, not only the ids
    ids = lib.list()["report_id"].tolist()
    lib.add_correction(int(ids[5]), "n.proactive_total", 3, "更正", who="测试")
    lib.delete(int(ids[7]))
    lib.set_metadata(int(ids[9]), year=2031, who="测试")
    same()

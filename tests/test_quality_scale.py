"""数据质量 at scale (its picker and tables capped, counts in SQL) and the full-text search index of
报告库 (revision 0010_search_index), compared with the former code on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from _app_support import app_test, library_at
from sqlalchemy import event, func, select, text
from sqlalchemy import inspect as sa_inspect
from test_lists_scale import STORES, _filters, _library, _pg_library, old_search

from charts import catalog
from library import queries
from library.db import CheckRow, Report, ReportFile, ReportText
from library.filters import Filters
from library.migrate import current_revision, head_revision, upgrade
from library.quality_order_index import QUALITY_ORDER_INDEX, drop_quality_order_index
from library.report_json import parsed_from_json
from library.search_index import FTS_TABLE, PG_INDEX, drop_search_index, has_fts
from library.store import Library

# ---------------------------------------------------------------------- the library

# Texts that exercise the search: Chinese, ASCII and full-width case, LIKE wildcards, quotes.
TEXTS = [
    "本机关2023年度政府信息公开工作年度报告：教育局收到申请 12 件。",
    "Report of the ABC Bureau, 100% online; file a_b.pdf",
    "ＡＢＣ全角字母与 abc 半角字母；Ärger und ärger",
    'it\'s "quoted" text with back\\slash and 50％ 全角百分号',
    "平潭综合实验区教育局 政务公开 申请人撤回申请",
]
TERMS = [
    "教育局",
    "局",
    "教育",
    "ABC",
    "abc",
    "ＡＢＣ",
    "ａｂｃ",
    "Ä",
    "ärger",
    "ÄRGER",
    "100%",
    "%",
    "a_b",
    "_",
    "it's",
    "'",
    '"quoted"',
    '"',
    "back\\slash",
    "\\",
    "50％",
    "平潭 2023",
    "教育局 撤回申请",
    "申请人撤回",
    "合成",
    "synthetic",
    "没有这个词",
    "xyz",
]


@pytest.fixture(scope="module", params=STORES)
def lib(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """The synthetic library of test_lists_scale, some reports given the texts above."""
    if request.param == "sqlite":
        yield _with_texts(_library(tmp_path_factory.mktemp("quality") / "lib.sqlite"))
        return
    with _pg_library() as empty:
        yield _with_texts(_library(empty))


def _with_texts(lib: Library) -> Library:
    ids = lib.list()["report_id"].tolist()
    with lib.engine.begin() as conn:
        for n, rid in enumerate(ids[: 3 * len(TEXTS)]):
            body = TEXTS[n % len(TEXTS)]
            for table in (ReportText, ReportFile):  # the old search (0007) reads report_files
                conn.execute(table.__table__.update().where(table.report_id == rid).values(text=body))
    return lib


def _without_index(lib: Library, term: str, filters: Filters | None = None) -> pd.DataFrame:
    """``lib.search`` as it was before revision 0009 (the same query, no index lookup)."""
    saved = lib.__dict__.get("_fts")
    lib.__dict__["_fts"] = False
    try:
        return lib.search(term, filters)
    finally:
        lib.__dict__["_fts"] = saved


def test_the_store_has_its_index(lib: Library) -> None:
    with lib.engine.connect() as conn:
        if lib.engine.dialect.name == "sqlite":
            assert has_fts(conn) and lib._has_fts()
        else:
            names = conn.execute(
                text("SELECT indexname FROM pg_indexes WHERE indexname = :n"), {"n": PG_INDEX}
            )
            assert names.scalar() == PG_INDEX


def test_search_finds_what_the_former_query_found(lib: Library) -> None:
    found_any = 0
    for term in TERMS:
        got = lib.search(term)
        pd.testing.assert_frame_equal(got, _without_index(lib, term), obj=term)
        pd.testing.assert_frame_equal(got, old_search(lib, term), obj=term)
        found_any += not got.empty
    assert found_any >= 15  # the comparison is of hits, not of empty frames
    # Case: ASCII folds, the rest is compared as written (as LIKE/ILIKE did on each store).
    assert set(lib.search("ABC")["report_id"]) == set(lib.search("abc")["report_id"])
    for filters in _filters(lib)[:6]:
        for term in ("教育局", "abc", "局"):
            pd.testing.assert_frame_equal(lib.search(term, filters), _without_index(lib, term, filters))


def test_the_sqlite_index_is_what_finds_the_long_words(tmp_path: Path) -> None:
    """A word of 3+ characters is looked up in the FTS table (emptied here: nothing is found), a
    shorter one is not (it still is found): the index is really used, and only where it can be."""
    lib = _with_texts(_library(tmp_path / "lib.sqlite"))
    assert not lib.search("教育局").empty and not lib.search("局").empty
    with lib.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
    hits = lib.search("教育局")
    assert all("正文" not in r for r in hits["match_reason"])  # only agency names match now
    assert not lib.search("局").empty
    assert lib.search("撤回申请").empty and not _without_index(lib, "撤回申请").empty
    lib.close()


def test_the_sqlite_index_follows_every_write(tmp_path: Path) -> None:
    lib = _library(tmp_path / "lib.sqlite")
    ids = lib.list()["report_id"].tolist()

    def check() -> None:
        with lib.engine.begin() as conn:  # the external-content index equals its table
            conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
        for term in ("紫罗兰色的", "合成", "教育局"):
            pd.testing.assert_frame_equal(lib.search(term), _without_index(lib, term))

    with lib.engine.begin() as conn:
        conn.execute(
            ReportText.__table__.update().where(ReportText.report_id == ids[3]).values(text="紫罗兰色的报告")
        )
    check()
    assert lib.search("紫罗兰色的")["report_id"].tolist() == [ids[3]]
    lib.reparse(ids[3], who="测试")  # the parse writes the text again
    check()
    lib.delete(ids[4])
    check()
    assert ids[4] not in set(lib.search("合成")["report_id"])
    lib.close()


def test_revision_0010_indexes_the_texts_already_stored(tmp_path: Path) -> None:
    lib = _with_texts(_library(tmp_path / "lib.sqlite"))
    expected = {t: _without_index(lib, t) for t in ("教育局", "abc", "申请人撤回")}
    with lib.engine.begin() as conn:
        drop_search_index(conn)
        conn.execute(text("UPDATE alembic_version SET version_num = '0008_report_texts'"))
    lib.close()
    again = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")  # opening migrates
    assert current_revision(again.engine) == head_revision()
    assert again._has_fts()
    for term, frame in expected.items():
        pd.testing.assert_frame_equal(again.search(term), frame)
        assert not frame.empty
    again.close()


def test_a_sqlite_without_the_index_searches_as_before(tmp_path: Path) -> None:
    """No FTS table (an SQLite without the trigram tokenizer): the former query, same hits."""
    lib = _with_texts(_library(tmp_path / "lib.sqlite"))
    with lib.engine.begin() as conn:
        drop_search_index(conn)
    lib.close()
    plain = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    assert not plain._has_fts()
    for term in ("教育局", "abc", "%", "局"):
        pd.testing.assert_frame_equal(plain.search(term), old_search(plain, term))
    plain.close()


def test_revisions_and_a_fresh_postgres_library_both_get_the_trigram_index() -> None:
    pytest.importorskip("psycopg")
    from test_lists_scale import PG_URL

    if not PG_URL:
        pytest.skip("NIANBAO_TEST_PG_URL not set")
    with _pg_library() as fresh:
        with fresh.engine.begin() as conn:
            drop_search_index(conn)
            conn.execute(text("UPDATE alembic_version SET version_num = '0008_report_texts'"))
        assert upgrade(fresh.engine) == "upgraded"
        with fresh.engine.connect() as conn:
            found = conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": PG_INDEX}
            )
            assert "gin_trgm_ops" in found.scalar_one()


# ---------------------------------------------------------------------- 数据质量's queries


def test_the_capped_quality_queries_equal_the_full_ones(lib: Library) -> None:
    for filters in [None, *_filters(lib)[:8]]:
        full = lib.quality_reports(filters)
        for limit in (1, 7, len(full) + 5):
            pd.testing.assert_frame_equal(lib.quality_reports(filters, limit=limit), full.head(limit))
        assert lib.quality_report_count(filters) == len(full)
        failed = lib.failed_checks(filters)
        assert lib.failed_check_count(filters) == len(failed)
        pd.testing.assert_frame_equal(lib.failed_checks(filters, limit=5), failed.head(5))
        pd.testing.assert_frame_equal(lib.failed_check_rules(filters), failed[["rule"]])
    assert lib.failed_check_count() > 5  # the cap cuts


def test_the_partial_index_questions_equal_the_former_ones(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Revision 0012: the reports with unmatched labels / failed checks from partial indexes, on
    PostgreSQL the unmatched ones by the plain condition; 数据质量 reads the failed checks once and
    takes the picker's total from the page frame's count. Same rows as the former queries."""
    from app_pages import quality

    names = {ix["name"] for ix in sa_inspect(lib.engine).get_indexes("reports")}
    assert {"ix_reports_current_unmatched", "ix_reports_current_failing"} <= names
    former_having = queries._current_having
    for filters in [None, *_filters(lib)[:8]]:
        full = lib.quality_reports(filters)
        assert lib.quality_report_count(filters) == lib.report_count(filters) == len(full)
        assert lib.report_count(filters, failing=True) == int((full["checks_failed"] > 0).sum())
        unmatched = lib.unmatched_labels(filters)
        # The other form of the condition (subquery where plain, plain where subquery): same rows.
        monkeypatch.setattr(queries, "_current_having", lambda c, plain=False: former_having(c, not plain))
        pd.testing.assert_frame_equal(lib.unmatched_labels(filters), unmatched)
        monkeypatch.setattr(queries, "_current_having", former_having)
        counts = unmatched.groupby("report_id").size()
        having = full[full["unmatched_labels"] > 0].set_index("report_id")["unmatched_labels"]
        assert counts.sort_index().tolist() == having.sort_index().tolist()
        assert unmatched["report_id"].nunique() == len(having)
        for limit in (3, 10_000):
            found = quality._findings(lib, filters or Filters(), limit)
            pd.testing.assert_frame_equal(found["failed"], quality._failed_table(lib, filters, limit))
            assert found["n_failed"] == len(lib.failed_check_rules(filters))
            former = catalog.quality_charts(lib.failed_check_rules(filters), lib.unmatched_labels(filters))
            assert [c.key for c in found["charts"]] == [c.key for c in former]
            for chart, was in zip(found["charts"], former, strict=True):
                pd.testing.assert_frame_equal(chart.data, was.data)
    assert len(lib.unmatched_labels()) > 0 and lib.report_count(failing=True) > 0


def _fail_rows_per_report(lib: Library) -> dict[int, tuple[int, int]]:
    """Every report (superseded ones too): its ``checks_failed`` and its number of "fail" check rows."""
    with lib.engine.connect() as conn:
        rows = conn.execute(
            select(
                Report.id,
                Report.checks_failed,
                select(func.count())
                .where(CheckRow.report_id == Report.id, CheckRow.status == "fail")
                .scalar_subquery(),
            )
        ).all()
    return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}


def _assert_failing_restriction_keeps_the_rows(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    """The failed-check questions restricted by ``checks_failed > 0`` (ix_reports_current_failing) give
    what the former join over every current report gave, and the column equals the rows it stands for."""
    counts = _fail_rows_per_report(lib)
    assert all(column == rows for column, rows in counts.values()), {
        rid: c for rid, c in counts.items() if c[0] != c[1]
    }
    restricted = queries._FAILING
    for filters in [None, *_filters(lib)[:8]]:
        got = (lib.failed_checks(filters), lib.failed_check_rules(filters), lib.failed_check_count(filters))
        got_capped = lib.failed_checks(filters, limit=4)
        monkeypatch.setattr(queries, "_FAILING", (queries.CURRENT,))  # the former condition
        try:
            pd.testing.assert_frame_equal(got[0], lib.failed_checks(filters))
            pd.testing.assert_frame_equal(got[1], lib.failed_check_rules(filters))
            assert got[2] == lib.failed_check_count(filters)
            pd.testing.assert_frame_equal(got_capped, lib.failed_checks(filters, limit=4))
        finally:
            monkeypatch.setattr(queries, "_FAILING", restricted)


@pytest.fixture(params=STORES)
def own_lib(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Library]:
    """test_lists_scale's synthetic library, this test's own (it writes), on each store."""
    if request.param == "sqlite":
        lib = _library(tmp_path / "lib.sqlite")
        yield lib
        lib.close()
        return
    with _pg_library() as empty:
        yield _library(empty)


def test_the_failed_checks_start_from_the_failing_reports_after_every_write(
    own_lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Corrections that make a report fail and pass again, their removal and a re-parse each keep
    ``checks_failed`` equal to the report's failed check rows, so the restricted questions lose none."""
    lib = own_lib
    _assert_failing_restriction_keeps_the_rows(lib, monkeypatch)
    quality = lib.quality_reports()
    passing = [int(r) for r in quality.loc[quality["checks_failed"] == 0, "report_id"]]
    failing = [int(r) for r in quality.loc[quality["checks_failed"] > 0, "report_id"]]
    assert passing and failing
    # A passing report made to fail: a received total no column adds up to.
    target = passing[-1]
    fix = lib.add_correction(target, "s3.r1_new_received.total", 10**6, who="测试")
    assert lib.quality_reports(ids=[target])["checks_failed"].iloc[0] > 0
    assert target in set(lib.failed_checks()["report_id"])
    _assert_failing_restriction_keeps_the_rows(lib, monkeypatch)
    # A failing report blanked there: whatever that does to its checks, the rows follow.
    lib.add_correction(failing[0], "s3.r1_new_received.total", None, who="测试")
    _assert_failing_restriction_keeps_the_rows(lib, monkeypatch)
    # The correction removed: it passes again and leaves the failed checks.
    assert lib.remove_correction(fix, who="测试")
    assert lib.quality_reports(ids=[target])["checks_failed"].iloc[0] == 0
    assert target not in set(lib.failed_checks()["report_id"])
    _assert_failing_restriction_keeps_the_rows(lib, monkeypatch)
    # Re-parsed with a correction kept (the synthetic original reads as no table: the stored parse is
    # given again): the parse's checks are stored, then the correction's.
    lib.add_correction(target, "s3.r1_new_received.total", 10**6, who="测试")
    for rid in (target, failing[0]):
        stored = parsed_from_json(lib.get(rid).parsed_json)
        lib.reparse(rid, lambda *_, given=stored: given, who="测试")
    assert target in set(lib.failed_checks()["report_id"])
    _assert_failing_restriction_keeps_the_rows(lib, monkeypatch)


def _pg_index_def(lib: Library, name: str) -> str | None:
    with lib.engine.connect() as conn:
        query = "SELECT indexdef FROM pg_indexes WHERE indexname = :n AND schemaname = current_schema()"
        found = conn.execute(text(query), {"n": name})
        return found.scalar()


def test_the_quality_order_index_is_made_on_postgres_fresh_and_by_revision_0013(lib: Library) -> None:
    names = {ix["name"] for ix in sa_inspect(lib.engine).get_indexes("reports")}
    if lib.engine.dialect.name == "sqlite":
        assert QUALITY_ORDER_INDEX not in names  # nothing would read it there
        return
    with _pg_library() as fresh:  # created from the models
        made = _pg_index_def(fresh, QUALITY_ORDER_INDEX)
        assert made is not None
        assert "checks_failed DESC, unmatched_count DESC, id" in made and "superseded_by IS NULL" in made
        with fresh.engine.begin() as conn:
            drop_quality_order_index(conn)
            conn.execute(text("UPDATE alembic_version SET version_num = '0012_quality_partial_indexes'"))
        assert _pg_index_def(fresh, QUALITY_ORDER_INDEX) is None
        assert upgrade(fresh.engine) == "upgraded"
        assert _pg_index_def(fresh, QUALITY_ORDER_INDEX) == made


def test_the_picker_read_along_the_order_index_equals_the_sort(lib: Library) -> None:
    """PostgreSQL made to read the picker's rows along the index (no sort, no sequential scan allowed):
    the same rows in the same order as sorting every current report, for each filter and cap."""
    if lib.engine.dialect.name != "postgresql":
        pytest.skip("the index is PostgreSQL's")
    cases = [None, *_filters(lib)[:8]]
    expected = [lib.quality_reports(filters) for filters in cases]

    def along_the_index(dbapi_conn, *_: object) -> None:  # undone by the rollback ending each use
        with dbapi_conn.cursor() as cur:
            cur.execute("SET enable_sort = off; SET enable_seqscan = off; SET enable_bitmapscan = off")

    event.listen(lib.engine, "checkout", along_the_index)
    try:
        with lib.engine.connect() as conn:
            stmt = (
                "EXPLAIN SELECT id, agency, year, checks_failed, unmatched_count FROM reports"
                " WHERE superseded_by IS NULL ORDER BY checks_failed DESC, unmatched_count DESC, id LIMIT 7"
            )
            plan = "\n".join(r[0] for r in conn.exec_driver_sql(stmt))
        assert QUALITY_ORDER_INDEX in plan and "Sort" not in plan, plan
        for filters, full in zip(cases, expected, strict=True):
            for limit in (1, 4, len(full) + 3):
                pd.testing.assert_frame_equal(lib.quality_reports(filters, limit=limit), full.head(limit))
    finally:
        event.remove(lib.engine, "checkout", along_the_index)
        lib.engine.dispose()


def _expected_matches(lib: Library, term: str, filters: Filters | None = None) -> list[int]:
    """The reports of quality_reports whose agency, region or file name holds every word (or whose id
    it is), by a plain Python reading of the report list."""
    listed = lib.list(filters).set_index("report_id")
    keep = []
    for rid in lib.quality_reports(filters)["report_id"]:
        row = listed.loc[rid]
        fields = [str(row[c]).casefold() for c in ("agency", "region", "filename") if not pd.isna(row[c])]
        if all(any(w.casefold() in f for f in fields) or w == str(rid) for w in queries.search_words(term)):
            keep.append(int(rid))
    return keep


def test_the_quality_search_finds_by_agency_region_file_name_and_id(lib: Library) -> None:
    full = lib.quality_reports()
    last = int(full["report_id"].iloc[-1])
    listed = lib.list().set_index("report_id")
    terms = [
        str(last),
        listed.loc[last, "filename"],
        "教育局",
        "乙县",
        "（合成）",
        "局 乙县",
        "%",
        "_",
        "没有",
    ]
    for term in terms:
        got = lib.quality_reports(term=term)
        assert got["report_id"].tolist() == _expected_matches(lib, term), term
        assert lib.quality_report_count(term=term) == len(got)
        assert lib.quality_reports(term=term, limit=3)["report_id"].tolist() == got["report_id"].tolist()[:3]
    assert last in set(lib.quality_reports(term=str(last))["report_id"])
    assert lib.quality_reports(ids=[last, 10**9])["report_id"].tolist() == [last]
    assert lib.quality_reports(ids=[]).empty


# ---------------------------------------------------------------------- the page


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("quality_page") / "library.sqlite"
    with library_at(path):
        _library(path).close()
        yield path


@pytest.fixture
def small_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "QUALITY_PICKER_LIMIT", 5)
    monkeypatch.setattr(queries, "QUALITY_TABLE_LIMIT", 3)


def _open(report: int | None = None):
    import streamlit as st

    st.cache_resource.clear()
    at = app_test().run()
    if report is not None:
        at.query_params["report"] = str(report)
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _ids(at) -> list[int]:
    return [int(o.split("｜")[0]) for o in at.selectbox(key="quality_report").options]


def _table_with(at, column: str) -> pd.DataFrame:
    """The page's table with ``column`` and 报告编号 (AppTest keeps no key of a plain st.dataframe)."""
    return next(df.value for df in at.dataframe if {column, "报告编号"} <= set(df.value.columns))


def _captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def test_the_picker_holds_the_reports_with_most_problems_first(synthetic: Path, small_caps: None) -> None:
    full = Library().quality_reports()
    at = _open()
    assert _ids(at) == full["report_id"].head(5).tolist()
    assert f"显示 5 份，共 {len(full)} 份报告" in _captions(at)
    assert at.selectbox(key="quality_report").value == int(full["report_id"].iloc[0])


def test_the_search_box_reaches_a_report_beyond_the_cap(synthetic: Path, small_caps: None) -> None:
    lib = Library()
    full = lib.quality_reports()
    last = int(full["report_id"].iloc[-1])
    at = _open()
    assert last not in _ids(at)
    at.text_input(key="quality_report_search").input(str(last)).run()
    assert last in _ids(at)
    at.selectbox(key="quality_report").set_value(last).run()
    assert not at.exception
    assert any(df.key == f"quality_cells_{last}" for df in at.dataframe)
    # By file name too; the report chosen stays choosable when the search changes.
    name = str(lib.list().set_index("report_id").loc[last, "filename"])
    at.text_input(key="quality_report_search").input(name).run()
    assert last in _ids(at) and at.selectbox(key="quality_report").value == last
    at.text_input(key="quality_report_search").input("").run()
    assert at.selectbox(key="quality_report").value == last and last in _ids(at)
    at.text_input(key="quality_report_search").input("没有这个单位").run()
    assert not at.exception and "没有符合查找条件的报告" in "\n".join(i.value for i in at.info)


def test_an_address_names_a_report_beyond_the_cap(synthetic: Path, small_caps: None) -> None:
    last = int(Library().quality_reports()["report_id"].iloc[-1])
    at = _open(report=last)
    assert at.selectbox(key="quality_report").value == last
    assert f"已选中报告 {last}" in "\n".join(i.value for i in at.info)


def test_the_failed_checks_table_is_capped_and_downloads_in_full(synthetic: Path, small_caps: None) -> None:
    lib = Library()
    failed = lib.failed_checks()
    at = _open()
    table = _table_with(at, "规则")
    assert table["报告编号"].tolist() == failed["report_id"].head(3).tolist()
    assert f"共 {len(failed)} 项，下表显示前 3 项" in _captions(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["未通过的校验项"] == str(len(failed))
    buttons = [el.proto.label for el in at.get("download_button")]
    assert f"下载全部 {len(failed)} 项未通过的校验（CSV）" in buttons
    unmatched = lib.unmatched_labels()
    labels = _table_with(at, "标签原文")
    assert len(labels) == min(3, len(unmatched)) and metrics["未识别的标签"] == str(len(unmatched))

"""The library on PostgreSQL: runs only when NIANBAO_TEST_PG_URL points at a server (skipped otherwise).

Example: ``NIANBAO_TEST_PG_URL=postgresql+psycopg://user:pw@localhost:5432/postgres``. The test works
in a schema of its own (created and dropped here), so it never touches existing tables.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from paths import SHARED
from pg_schema import PG_URL, pg_library

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="PostgreSQL not configured: set NIANBAO_TEST_PG_URL to run this test against a server"
)


@pytest.fixture
def pg_lib():
    with pg_library(pool_pre_ping=True) as lib:
        yield lib


def test_store_query_correct_and_delete_on_postgres(pg_lib) -> None:
    from library import aggregate as agg
    from library.filters import Filters
    from parsing.api import parse_bytes

    lib = pg_lib
    ids = {}
    for path in [
        *sorted((SHARED / "seeds").glob("*.txt")),
        SHARED / "fixtures" / "huaian-city-government-2024.pdf",
    ]:
        data = path.read_bytes()
        ids[path.name], created = lib.add(parse_bytes(data, path.name), data)
        assert created
    data = (SHARED / "seeds" / "000_bd3a826d0705f6e5.txt").read_bytes()
    assert lib.add(parse_bytes(data, "dup.txt"), data) == (ids["000_bd3a826d0705f6e5.txt"], False)
    df = lib.dataset()
    assert len(df) == 6
    huaian = df[df["agency"] == "淮安市人民政府"]
    assert agg.kpis(huaian)["applications_received"] == 3119
    assert agg.outcome_mix(huaian)["value"].sum() == 3050
    assert set(lib.search("三级联签")["report_id"]) == {ids["002_d0afa1047310c76e.txt"]}
    assert len(lib.list(Filters(years=[2020]))) == 2
    options = lib.filter_options()
    assert options["years"][0] == 2024 and "淮安市" in options["regions"]
    assert (
        lib.get(ids["000_bd3a826d0705f6e5.txt"])
        .cells.set_index("key")
        .loc["s2.art20_5.administrative_licensing.decisions", "value"]
        == 79
    )
    rid = ids["000_bd3a826d0705f6e5.txt"]
    lib.add_correction(rid, "s3.r3_7_total.total", 9, note="测试")
    assert set(lib.failed_checks()["report_id"]) == {rid}
    assert lib.dataset().set_index("report_id").loc[rid, "s3.r3_7_total.total"] == 9
    lib.save_label_override("其他主动公开文件", "ignore")
    assert list(lib.label_overrides().values()) == ["ignore"]
    lib.reparse(rid)
    assert lib.dataset().set_index("report_id").loc[rid, "s3.r3_7_total.total"] == 9
    assert lib.delete(rid) and lib.get(rid) is None
    assert lib.counts()["reports"] == 5


def test_concurrent_adds_on_postgres(pg_lib) -> None:
    from library.synthetic import specs, synthetic_bytes, synthetic_parsed

    lib = pg_lib
    all_specs = specs(40)
    errors: list[str] = []
    barrier = threading.Barrier(4)

    def run(k: int) -> None:
        barrier.wait()
        try:
            for spec in all_specs[k::4]:
                parsed = synthetic_parsed(spec)
                lib.add(parsed, synthetic_bytes(parsed))
            # Everyone also saves the same file at once: stored exactly once.
            parsed = synthetic_parsed(all_specs[0])
            lib.add(parsed, synthetic_bytes(parsed))
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert lib.counts()["reports"] == 40


# ---------------------------------------------------------------------- schema migrations (Alembic)


@pytest.fixture
def pg_schema():
    """A schema of its own and an engine whose search_path is that schema (dropped afterwards)."""
    pytest.importorskip("psycopg", reason="the psycopg driver (test extra) is not installed")
    from sqlalchemy import create_engine, text

    schema = f"nianbao_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield schema, engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _differences(engine) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from library.db import Base
    from library.quality_order_index import SQL_ONLY_INDEX_NAMES
    from library.search_index import SEARCH_INDEX_NAMES

    def include_name(name, _type, _parent) -> bool:  # made by SQL, not the models; checked on their own
        return name not in SEARCH_INDEX_NAMES | SQL_ONLY_INDEX_NAMES

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        return compare_metadata(context, Base.metadata)


def test_revisions_and_models_give_the_same_schema_on_postgres(pg_schema) -> None:
    from library.migrate import current_revision, head_revision, upgrade

    _, engine = pg_schema
    assert upgrade(engine, create_fresh=False) == "upgraded"  # every revision, from an empty schema
    assert current_revision(engine) == head_revision()
    assert _differences(engine) == []
    assert upgrade(engine) is None


def test_a_legacy_library_upgrades_on_postgres(pg_schema) -> None:
    """A PostgreSQL library of the legacy runner (schema_version 6: no superseded_by) keeps its reports
    and gets its versions computed."""
    from sqlalchemy import text

    from library.migrate import current_revision, head_revision, upgrade
    from library.store import Library
    from parsing.api import parse_bytes

    _, engine = pg_schema
    lib = Library(engine=engine)
    data = (SHARED / "seeds" / "000_bd3a826d0705f6e5.txt").read_bytes()
    first, _ = lib.add(parse_bytes(data, "a.txt"), data)
    second, _ = lib.add(parse_bytes(data + b"\n", "b.txt"), data + b"\n")
    lib.add_correction(first, "s3.r3_7_total.total", 9, note="测试")
    with engine.begin() as conn:  # take it back to what the legacy runner's step 6 left
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(text("DROP TABLE report_journal"))  # and its triggers (0009): the runner had none
        for name, table in (("reports_journal_update", "reports"), ("reports_journal_insert", "reports")):
            conn.execute(text(f"DROP TRIGGER {name} ON {table}"))
        conn.execute(text("DROP TRIGGER reports_journal_delete ON reports"))
        conn.execute(text("DROP TRIGGER corrections_journal_insert ON corrections"))
        conn.execute(text("ALTER TABLE reports DROP COLUMN superseded_by"))
        conn.execute(text("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR(200))"))
        conn.execute(text("INSERT INTO schema_version VALUES (1, 'a'), (2, 'b'), (6, 'finding_statuses')"))
    assert upgrade(engine) == "upgraded"
    assert current_revision(engine) == head_revision() and _differences(engine) == []
    listed = lib.list().set_index("report_id")
    assert listed.loc[first, "superseded_by"] == second and len(listed) == 2
    stored = lib.get(first)
    assert stored is not None and [c["new"] for c in stored.corrections] == [9]
    lib.close()


def test_processes_opening_a_fresh_library_at_once_on_postgres(pg_schema, tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    schema, engine = pg_schema
    script = """
import sys, time
from pathlib import Path
from sqlalchemy import create_engine
from library.migrate import upgrade
engine = create_engine(sys.argv[1], connect_args={"options": f"-csearch_path={sys.argv[2]}"})
print("ready", flush=True)
while not Path(sys.argv[3]).exists():
    time.sleep(0.005)
print(upgrade(engine), flush=True)
"""
    go = tmp_path / "go"
    root = Path(__file__).resolve().parent.parent
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, PG_URL, schema, str(go)],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(out.strip())
    assert sorted(results) == ["None", "None", "created"]
    assert _differences(engine) == []


def test_two_sessions_uploading_and_correcting_at_once_on_postgres(pg_lib) -> None:
    """The audit acceptance on the shared deployment's database: nothing lost, both users on record."""
    from sqlalchemy import create_engine
    from test_audit import run_two_sessions

    from library.store import Library

    url = pg_lib.engine.url
    options = {"options": f"-csearch_path={pg_lib.engine.dialect.default_schema_name}"}

    def session_library() -> Library:
        # A Library (engine and pool) of its own per session, in the test's schema.
        return Library(engine=create_engine(url, connect_args=options, pool_pre_ping=True), migrate=False)

    run_two_sessions(session_library)


def test_dataset_patched_after_writes_equals_a_full_read_on_postgres(pg_lib) -> None:
    """On PostgreSQL too, the dataset patched after writes (only changed reports re-read) is the frame a
    full read gives."""
    import pandas as pd

    from library.dataset_cache import DatasetCache
    from library.synthetic import populate, specs, synthetic_bytes, synthetic_parsed

    lib = pg_lib
    populate(lib, 40)
    lib.dataset()
    ids = lib.list().sort_values("report_id")["report_id"].tolist()
    spec = specs(40)[3]
    newer = synthetic_parsed(spec, seed=5)
    writes = [
        lambda: lib.add_correction(ids[0], "n.proactive_total", 7),
        lambda: lib.set_metadata(ids[1], region=specs(40)[30].region),
        lambda: lib.add(newer, synthetic_bytes(newer) + b"v2", agency_type=spec.agency_type),
        lambda: lib.delete(ids[-1]),
    ]
    for write in writes:
        write()
        patched = lib.dataset()
        assert lib._dataset_cache.last_reread <= 2
        with lib.engine.connect() as conn:
            full = DatasetCache().refresh(conn)
        pd.testing.assert_frame_equal(patched, full)

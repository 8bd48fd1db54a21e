"""Schema migrations (Alembic, library/alembic/): legacy libraries upgrade in place, the revisions give the
models' schema, and concurrent starts are safe.

The legacy libraries in ``tests/fixtures/`` were made by the code of main 6842bed (the hand-written
runner, ``schema_version`` 7 and 4) with ``tests/fixtures/make_legacy_libraries.py``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from legacy_db import legacy_library, make_legacy, to_baseline
from sqlalchemy import Column, Engine, Index, Integer, MetaData, String, Table

from library.config import make_engine
from library.db import Base
from library.migrate import alembic_config, current_revision, head_revision, upgrade
from library.quality_order_index import SQL_ONLY_INDEX_NAMES
from library.roster_io import RosterRow
from library.search_index import SEARCH_INDEX_NAMES
from library.store import Library
from parsing.api import parse_bytes

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = FIXTURES / "library_6842bed.sqlite"  # schema_version 7
V4 = FIXTURES / "library_v4.sqlite"  # schema_version 4
# The tables (and their rows) every legacy library has; those of steps 5 and 6 only from version 5/6 on.
KEPT_TABLES = (
    "reports",
    "report_files",
    "value_layouts",
    "cells",
    "checks",
    "corrections",
    "label_overrides",
)
LATER_TABLES = ("finding_statuses", "roster_entries", "roster_links", "publication_dates")


def copy(fixture: Path, tmp_path: Path) -> Path:
    """A writable copy of a fixture (the test never changes the committed file)."""
    target = tmp_path / fixture.name
    shutil.copyfile(fixture, target)
    return target


def rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    """Every row of ``table``, in primary-key order, as sqlite3 reads it."""
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    finally:
        con.close()


def columns(path: Path, table: str) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
    finally:
        con.close()


def tables(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        # sqlite_sequence: SQLite's own (report_journal's AUTOINCREMENT, revision 0009)
        query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        return {r[0] for r in con.execute(query)}
    finally:
        con.close()


def schema_differences(engine: Engine, metadata: MetaData = Base.metadata) -> list[Any]:
    """What autogenerate would change to make the database match ``metadata`` (indexes included)."""

    # The search index (library.search_index) and PostgreSQL's quality order index
    # (library.quality_order_index) are made by SQL, outside the models; tests of their own check them.
    def include_name(name: str | None, _type: str, _parent: object) -> bool:
        return name not in SEARCH_INDEX_NAMES | SQL_ONLY_INDEX_NAMES

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        return compare_metadata(context, metadata)


def meta(path: Path) -> dict[str, int]:
    # journal_epoch: a random value set by 0009 (library.db.new_journal_epoch), not a counter
    return {k: v for k, v in rows(path, "library_meta") if k != "journal_epoch"}


# ---------------------------------------------------------------------- (a) a library of today's main


def test_a_library_made_by_todays_main_upgrades_in_place_keeping_everything(tmp_path: Path) -> None:
    path = copy(TODAY, tmp_path)
    before = {t: rows(path, t) for t in (*KEPT_TABLES, *LATER_TABLES)}
    assert before["reports"] and before["corrections"] and before["finding_statuses"]
    assert before["roster_entries"] and before["roster_links"] and before["publication_dates"]
    revision = meta(path)["revision"]
    lib = Library(f"sqlite:///{path}")
    assert current_revision(lib.engine) == head_revision()
    assert "schema_version" not in tables(path)
    for table, old in before.items():
        after = rows(path, table)
        if table == "reports":  # revision 0006 appends unread_count: the length of unread_json
            names = columns(path, "reports")
            unread = names.index("unread_json")
            assert names[-1] == "unread_count"
            assert [r[-1] for r in after] == [len(json.loads(r[unread] or "[]")) for r in after]
            after = [r[:-1] for r in after]
        assert after == old, table  # every row, every column, byte for byte
    assert meta(path) == {"revision": revision, "status_writes": 2}
    # The library reads it as before: the correction wins, statuses, roster and links are there.
    df = lib.dataset().set_index("report_id")
    assert df.loc[1, "s3.r3_7_total.total"] == 9
    assert sorted(e.status for e in lib.statuses().values()) == ["confirmed", "dismissed"]
    assert sorted(r.name for r in lib.roster()) == ["县财政局", "施秉县教育和科技局"]
    assert len(lib.saved_links()) == 1 and len(lib.publication_dates()) == 1
    assert list(lib.label_overrides().values()) == ["s2.art20_9.other.count"]
    assert schema_differences(lib.engine) == []
    assert upgrade(lib.engine) is None  # idempotent
    lib.add_correction(2, "s3.r3_7_total.total", 1, who="测试")  # and writes work
    assert meta(path)["revision"] == revision + 1
    lib.close()


# ---------------------------------------------------------------------- (b) older legacy libraries


def test_a_version_4_library_gets_the_later_tables_columns_and_counters(tmp_path: Path) -> None:
    path = copy(V4, tmp_path)
    assert [r[0] for r in rows(path, "schema_version")] == [1, 2, 3, 4]
    assert "superseded_by" not in columns(path, "reports") and "finding_statuses" not in tables(path)
    before = {t: rows(path, t) for t in KEPT_TABLES}
    lib = Library(f"sqlite:///{path}")
    assert current_revision(lib.engine) == head_revision() and "schema_version" not in tables(path)
    after = {t: rows(path, t) for t in KEPT_TABLES}
    added = [c for c in columns(path, "reports") if c in ("published_source", "superseded_by")]
    assert added == ["published_source", "superseded_by"]  # appended, so the old columns come first
    assert {t: [r[: len(before[t][0])] for r in after[t]] for t in KEPT_TABLES} == before
    assert meta(path)["status_writes"] == 0
    assert schema_differences(lib.engine) == []
    assert len(lib.dataset()) == 5 and lib.dataset().set_index("report_id").loc[1, "s3.r3_7_total.total"] == 9
    # The tables the later steps added work: a status, a roster row, a publication date.
    lib.set_finding_status(1, "TEST:key", "confirmed", who="测试")
    lib.save_roster([RosterRow("施秉县教育和科技局", "教育", "施秉县")])
    assert len(lib.statuses()) == 1 and len(lib.roster()) == 1 and meta(path)["status_writes"] == 1
    lib.close()


@pytest.mark.parametrize("version", range(8))
def test_every_legacy_version_reaches_the_models_schema(tmp_path: Path, version: int) -> None:
    url = legacy_library(tmp_path / f"v{version}.sqlite", version)
    lib = Library(url)
    assert current_revision(lib.engine) == head_revision()
    assert schema_differences(lib.engine) == []
    assert "schema_version" not in tables(tmp_path / f"v{version}.sqlite")
    assert set(meta(tmp_path / f"v{version}.sqlite")) == {"revision", "status_writes"}
    lib.close()


def test_report_versions_are_computed_when_the_column_is_added(tmp_path: Path, sample_reports) -> None:
    path = tmp_path / "v6.sqlite"
    url = f"sqlite:///{path}"
    lib = Library(url)  # the same agency and year twice, as two documents
    data = sample_reports[0].read_bytes()
    first, _ = lib.add(parse_bytes(data, "a.txt"), data)
    second, _ = lib.add(parse_bytes(data + b"\n", "b.txt"), data + b"\n")
    lib.close()
    con = sqlite3.connect(path)  # the library as the legacy step 6 left it
    to_baseline(con)
    make_legacy(con, 6)
    con.commit()
    con.close()
    lib = Library(url)
    assert dict(lib.list()[["report_id", "superseded_by"]].values.tolist())[first] == second
    lib.close()


# ---------------------------------------------------------------------- (c) revisions == models


def test_the_revisions_give_the_schema_of_the_models(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'revisions.sqlite'}")
    assert upgrade(engine, create_fresh=False) == "upgraded"  # every revision, not create_all
    assert current_revision(engine) == head_revision()
    assert schema_differences(engine) == []
    engine.dispose()


def test_the_comparison_catches_a_model_changed_without_a_revision(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'revisions.sqlite'}")
    upgrade(engine, create_fresh=False)
    models = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(models)
    Table("new_things", models, Column("id", Integer, primary_key=True))
    models.tables["reports"].append_column(Column("new_column", String(10)))
    Index("ix_new", models.tables["cells"].c.flag)
    found = {(d[0], getattr(d[-1], "name", None)) for d in schema_differences(engine, models)}
    assert {("add_table", "new_things"), ("add_column", "new_column"), ("add_index", "ix_new")} <= found
    engine.dispose()


def test_the_revisions_form_one_chain_starting_at_the_baseline() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [head_revision()]  # two revisions on one parent would make two heads
    chain = [s.revision for s in script.walk_revisions()]
    assert chain[-1] == "0001_baseline" and len(chain) == len(set(chain))
    for path in (Path(script.versions)).glob("*.py"):
        assert path.stem in chain, f"{path.name}: the file name and the revision id must be the same"


def test_a_fresh_database_is_created_from_the_models_and_stamped(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    assert upgrade(engine) == "created"
    assert upgrade(engine) is None
    assert meta(path) == {"revision": 0, "status_writes": 0}
    assert tables(path) - SEARCH_INDEX_NAMES == set(Base.metadata.tables) | {"alembic_version"}
    engine.dispose()


def test_opening_an_up_to_date_library_takes_no_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite"
    Library(f"sqlite:///{path}").close()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")  # another process holds the write lock (e.g. a long ingest)
    try:
        started = time.perf_counter()
        lib = Library(f"sqlite:///{path}")
        assert time.perf_counter() - started < 5  # the busy timeout is 30 s: no wait for the lock
        assert lib.counts()["reports"] == 0
        lib.close()
    finally:
        con.execute("ROLLBACK")
        con.close()


# ---------------------------------------------------------------------- (d) concurrent starts

OPEN_SCRIPT = """
import sys, time
from pathlib import Path
from library.config import make_engine
from library.migrate import upgrade
engine = make_engine(sys.argv[1])
go = Path(sys.argv[2])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.005)
print(upgrade(engine), flush=True)
"""


def open_at_once(url: str, tmp_path: Path, n: int = 3) -> list[str]:
    """Start ``n`` processes, let them import, then open the library in all of them at the same moment;
    returns what each one's upgrade did."""
    go = tmp_path / "go"
    go.unlink(missing_ok=True)
    root = Path(__file__).resolve().parent.parent
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_SCRIPT, url, str(go)],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(out.strip())
    return sorted(results)


def test_processes_opening_a_fresh_library_at_once_all_succeed(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite"
    assert open_at_once(f"sqlite:///{path}", tmp_path) == ["None", "None", "created"]
    assert meta(path) == {"revision": 0, "status_writes": 0}
    lib = Library(f"sqlite:///{path}")
    assert current_revision(lib.engine) == head_revision() and schema_differences(lib.engine) == []
    lib.close()


def test_processes_opening_a_legacy_library_at_once_upgrade_it_once(tmp_path: Path) -> None:
    path = copy(TODAY, tmp_path)
    before = rows(path, "finding_statuses")
    assert open_at_once(f"sqlite:///{path}", tmp_path) == ["None", "None", "upgraded"]
    assert rows(path, "finding_statuses") == before and "schema_version" not in tables(path)

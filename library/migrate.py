"""Bring the library's database schema up to date with Alembic (``library/alembic/``), in code.

:func:`upgrade` is what :class:`library.store.Library` runs when it opens:

- **Up to date** (the common case): one read of ``alembic_version``; no write lock is taken, so
  opening the library never waits behind a writer.
- **Fresh database** (none of the library's tables): ``Base.metadata.create_all`` (tables and their
  indexes, the models being the latest schema), the ``library_meta`` counters, then a stamp of the
  head revision. Running the revisions instead would give the same schema (a test compares them);
  creating from the models is one step and cannot drift from what the code uses.
- **Existing database** (made by an earlier version, with or without ``alembic_version``): the
  pending revisions, in order; ``0001_baseline`` takes any library made before Alembic to the
  baseline and drops its old ``schema_version`` table.

Two processes starting at once are safe: the work runs in ONE transaction that first takes the
database's write lock (SQLite ``BEGIN IMMEDIATE``; PostgreSQL a transaction-level advisory lock), then
reads the revision again, so the second process finds the work done. On SQLite, foreign keys are off
during the upgrade (a batch operation recreates a table, and dropping the old copy must not cascade)
and are checked before the commit.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from library.config import WRITE_OPTION
from library.db import Base
from library.errors import LibraryError

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = Path(__file__).resolve().parent / "alembic"
# Any constant that no other application of the same PostgreSQL database uses ('nianbao' in ASCII).
PG_LOCK_KEY = 0x6E69616E62616F
META_KEYS = ("revision", "status_writes")
LEGACY_TABLE = "schema_version"
VERSION_TABLE = "alembic_version"
# ``revision = "0002_accounts"`` / ``down_revision: str | None = "0001_baseline"`` in a revision file.
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(?:[\"']([^\"']+)[\"']|None)", re.M)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration built in code (no ``alembic.ini``), bound to ``connection``."""
    from alembic.config import Config  # Alembic is imported only when there is work to do

    cfg = Config()
    # configparser interpolation: a '%' in the install path must be doubled.
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def head_revision() -> str:
    """The id of the newest revision under ``library/alembic/versions`` (read once per process).

    Read from the files' ``revision``/``down_revision`` lines rather than through Alembic, whose
    import costs about half a second on every start although an up-to-date library needs none of
    it; ``tests/test_migrations.py`` checks the answer against Alembic's own.
    """
    revisions, parents = set(), set()
    for path in (SCRIPT_LOCATION / "versions").glob("*.py"):
        found = dict(_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
        revisions.add(found["revision"])
        parents.add(found.get("down_revision") or None)
    heads = revisions - parents
    if len(heads) != 1:  # pragma: no cover - the chain test catches it first
        raise RuntimeError(f"library/alembic/versions must have exactly one head, found {sorted(heads)}")
    return heads.pop()


def current_revision(engine_or_conn: Engine | Connection) -> str | None:
    """The revision stamped in the database (None: never stamped, fresh or made before Alembic)."""
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            return current_revision(conn)
    if not inspect(engine_or_conn).has_table(VERSION_TABLE):
        return None
    return engine_or_conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def upgrade(engine: Engine, *, target: str = "head", create_fresh: bool = True) -> str | None:
    """Bring the database to ``target`` (default the head); returns what was done: ``"created"``,
    ``"upgraded"`` or None (already there). ``create_fresh=False`` builds even a fresh database by
    running every revision (the tests compare that with the models)."""
    wanted = head_revision() if target == "head" else target
    if current_revision(engine) == wanted:
        return None  # no write lock taken: opening an up-to-date library never waits
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # must be set outside a transaction; the sqlite3 module starts none by itself here
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                return _upgrade_locked(conn, target, wanted, create_fresh)
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def _upgrade_locked(conn: Connection, target: str, wanted: str, create_fresh: bool) -> str | None:
    """The upgrade inside the write-locked transaction (see the module docstring)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
    current = current_revision(conn)
    if current == wanted:
        return None  # another process did it while this one waited for the lock
    from alembic import command

    if current is None and create_fresh and target == "head" and _is_fresh(conn):
        Base.metadata.create_all(conn)
        conn.execute(
            text("INSERT INTO library_meta (key, value) VALUES (:key, 0)"), [{"key": k} for k in META_KEYS]
        )
        command.stamp(alembic_config(conn), "head")
        return "created"
    command.upgrade(alembic_config(conn), target)
    if conn.dialect.name == "sqlite":
        _check_foreign_keys(conn)
    return "upgraded"


def _is_fresh(conn: Connection) -> bool:
    """True when the database holds none of the library's tables (nor the legacy bookkeeping)."""
    present = set(inspect(conn).get_table_names())
    return not present & (set(Base.metadata.tables) | {LEGACY_TABLE})


def _check_foreign_keys(conn: Connection) -> None:
    """Refuse (and so roll back) an upgrade that left rows pointing at nothing (SQLite)."""
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise LibraryError(
            f"数据库升级未完成：升级后有 {len(broken)} 行引用了不存在的记录"
            f"（表 {'、'.join(tables)}），已撤销升级",
            f"schema upgrade left {len(broken)} foreign-key violations in {tables}; rolled back",
        )

"""Where the report library lives and how to connect to it.

- ``NIANBAO_DATABASE_URL``: any SQLAlchemy URL (``postgresql+psycopg://…``, ``sqlite:///…``); wins when set.
- ``NIANBAO_DB_PATH``: path of the SQLite file when no URL is given.
- otherwise ``data/library.sqlite`` under the current directory (the folder is created).

SQLite runs in WAL mode with a busy timeout, and write transactions start with ``BEGIN IMMEDIATE``:
two browser sessions (threads of one Streamlit server, or two processes) saving at the same moment
then queue behind each other instead of one failing with "database is locked".
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event

DEFAULT_DB_PATH = Path("data") / "library.sqlite"
URL_ENV = "NIANBAO_DATABASE_URL"
PATH_ENV = "NIANBAO_DB_PATH"
# Long enough to wait behind a large ingest transaction (a 50-report ZIP takes well under a second
# per report), short enough that a truly stuck lock still surfaces as an error.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option that asks :func:`make_engine`'s begin hook for a write transaction.
WRITE_OPTION = "nianbao_write"


def database_url() -> str:
    """The SQLAlchemy URL of the library, from the environment or the default SQLite file."""
    url = os.environ.get(URL_ENV, "").strip()
    if url:
        return url
    path = Path(os.environ.get(PATH_ENV, "").strip() or DEFAULT_DB_PATH)
    return sqlite_url(path)


def sqlite_url(path: str | Path) -> str:
    """The URL of a SQLite file, creating its folder so the first connection does not fail."""
    path = Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default :func:`database_url`), with the SQLite pragmas set per connection."""
    url = url or database_url()
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, future=True)
    if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
        raise ValueError(
            "内存数据库无法在多个会话间共享，请使用 SQLite 文件 / in-memory SQLite is not supported"
        )
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        future=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
        # Take transaction control away from the sqlite3 module so the "begin" hook decides the mode.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        # WAL + NORMAL is durable across application crashes; only an OS crash can lose the last commit.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # A deferred transaction that reads and then writes can fail at once with SQLITE_BUSY when
        # another writer committed in between (the busy timeout does not apply). Writers therefore
        # take the write lock up front; readers stay deferred and never block anyone in WAL mode.
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine

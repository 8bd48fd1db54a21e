"""The index of the full-text search (报告库): words found in ``report_texts`` without reading every text.

A word is searched as a substring (``ILIKE '%word%'``), which no B-tree index serves: every search read
every report's text. Both databases have a substring index:

- **SQLite**: an FTS5 table with the ``trigram`` tokenizer (SQLite 3.34+) over ``report_texts``
  (external content: the texts are not stored twice), kept up to date by triggers on that table. A word
  of three characters or more is looked up there first (its trigrams), then the candidates are checked
  with the former ``ILIKE``, so the hits are exactly the former ones (the index folds case beyond ASCII,
  ``lower()`` does not: the index finds a superset). Shorter words have no trigram: they scan as before.
- **PostgreSQL**: a GIN index with ``pg_trgm``'s ``gin_trgm_ops`` on ``report_texts.text``, which the
  planner uses for the unchanged ``ILIKE`` (and rechecks every candidate itself). When the extension
  cannot be created (no privilege), there is no index and the search is what it was.

Made by revision ``0010_search_index`` for existing libraries and, for a fresh one, when
``create_all`` makes ``report_texts`` (the listener in :mod:`library.db`), so both give the same schema.
Neither is part of the models: ``SEARCH_INDEX_NAMES`` lists what a schema comparison must leave aside.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, exc, text

log = logging.getLogger(__name__)

FTS_TABLE = "report_texts_fts"
PG_INDEX = "ix_report_texts_trgm"
MIN_INDEXED = 3  # characters: a trigram index has nothing for shorter words
# The FTS5 table, its shadow tables and the PostgreSQL index (none of them in the models).
SEARCH_INDEX_NAMES = frozenset(
    {FTS_TABLE, *(f"{FTS_TABLE}_{s}" for s in ("data", "idx", "docsize", "config", "content")), PG_INDEX}
)

_SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "text, content='report_texts', content_rowid='report_id', tokenize='trigram')",
    # External content: the index learns of every change from these triggers (and only from them).
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON report_texts BEGIN"
    f" INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.report_id, new.text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON report_texts BEGIN"
    f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.report_id, old.text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE ON report_texts BEGIN"
    f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.report_id, old.text);"
    f" INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.report_id, new.text); END",
    # The texts already stored (none in a fresh library).
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)


def create_search_index(conn: Connection) -> bool:
    """Create the search index of ``conn``'s database (and fill it) unless it is there; False when
    this database cannot have one (SQLite without the trigram tokenizer, PostgreSQL without pg_trgm):
    the search then reads every text, as it did before."""
    if conn.dialect.name == "sqlite":
        if has_fts(conn):
            return True
        if not _sqlite_has_trigram(conn):
            log.warning("SQLite %s has no FTS5 trigram tokenizer: search without index", _version(conn))
            return False
        for statement in _SQLITE_CREATE:
            conn.exec_driver_sql(statement)
        return True
    if conn.dialect.name == "postgresql":
        try:
            with conn.begin_nested():  # a failure must not abort the surrounding transaction
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
                conn.execute(
                    text(
                        f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON report_texts USING gin (text gin_trgm_ops)"
                    )
                )
        except exc.DBAPIError as error:
            log.warning("no pg_trgm index for the full-text search: %s", error.orig)
            return False
        return True
    return False


def drop_search_index(conn: Connection) -> None:
    """Remove the search index (the texts themselves stay in ``report_texts``)."""
    if conn.dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif conn.dialect.name == "postgresql":
        conn.execute(text(f"DROP INDEX IF EXISTS {PG_INDEX}"))


def has_fts(conn: Connection) -> bool:
    """True when ``conn``'s database is SQLite and has the FTS5 trigram table of the search."""
    if conn.dialect.name != "sqlite":
        return False
    found = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FTS_TABLE,)
    ).first()
    return found is not None


def fts_phrase(word: str) -> str:
    """``word`` as an FTS5 string: every character literal (a double quote doubled)."""
    return '"' + word.replace('"', '""') + '"'


def _sqlite_has_trigram(conn: Connection) -> bool:
    """Whether this SQLite has FTS5 with the trigram tokenizer (3.34+, FTS5 compiled in)."""
    try:
        with conn.begin_nested():
            conn.exec_driver_sql(
                "CREATE VIRTUAL TABLE temp._nianbao_trigram_probe USING fts5(x, tokenize='trigram')"
            )
            conn.exec_driver_sql("DROP TABLE temp._nianbao_trigram_probe")
    except exc.OperationalError:
        return False
    return True


def _version(conn: Connection) -> str:
    return str(conn.exec_driver_sql("SELECT sqlite_version()").scalar())

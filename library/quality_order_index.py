"""数据质量's picker order as an index, on PostgreSQL only (revision 0013).

The picker asks for the first 2,000 current reports with most failed checks, then most unmatched
labels, ties in id order (``LibraryQueries.quality_reports(limit=…)``). PostgreSQL answered it by
reading and sorting every current report (~30 ms at 50,000 reports, on every uncached run); from an
index in that order it reads just those rows (~2 ms). SQLite is left without it: its planner, with no
statistics, keeps the covering ``ix_reports_current_meta`` and a sort (~12 ms at 50,000), and every
write would pay for an index nothing reads.

A descending index on one dialect only is not something the models can say (Alembic's comparison knows
neither ``ddl_if`` nor sort order), so it is made here by SQL, like the search index, and
``SQL_ONLY_INDEX_NAMES`` lists it for a schema comparison to leave aside.
"""

from __future__ import annotations

from sqlalchemy import Connection

QUALITY_ORDER_INDEX = "ix_reports_quality_order"
SQL_ONLY_INDEX_NAMES = frozenset({QUALITY_ORDER_INDEX})

# The order of quality_reports and the condition of its CURRENT reports, written out: the revision
# must not change when the queries do.
_DDL = (
    f"CREATE INDEX IF NOT EXISTS {QUALITY_ORDER_INDEX} ON reports "
    "(checks_failed DESC, unmatched_count DESC, id) WHERE superseded_by IS NULL"
)


def create_quality_order_index(conn: Connection) -> bool:
    """Create the index where the database is PostgreSQL (True), else nothing (False)."""
    if conn.dialect.name != "postgresql":
        return False
    conn.exec_driver_sql(_DDL)
    return True


def drop_quality_order_index(conn: Connection) -> None:
    """Drop the index where there is one."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {QUALITY_ORDER_INDEX}")

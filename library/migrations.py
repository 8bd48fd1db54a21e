"""A small versioned migration runner (table ``schema_version``).

Each migration is a function of a connection inside the upgrade transaction, applied once, in order.
Rules for adding one: append to :data:`MIGRATIONS` with the next number, never edit an applied one,
and make it idempotent (``checkfirst`` / :func:`add_column_if_missing`). Migration 1 creates the
tables from the current models, so on a fresh database a later "add column" finds the column
already there and does nothing, while an old database gets the column added.

Concurrent starts (two app processes) are safe: on SQLite the upgrade runs under ``BEGIN IMMEDIATE``;
on PostgreSQL it takes an exclusive lock on ``schema_version`` first.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    inspect,
    text,
)

from library.config import WRITE_OPTION
from library.db import Base, FindingStatus, utcnow
from library.versions import rebuild_versions

_meta = MetaData()
schema_version = Table(
    "schema_version",
    _meta,
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)


def _m1_baseline(conn: Connection) -> None:
    """The tables of :mod:`library.db`."""
    Base.metadata.create_all(conn, checkfirst=True)
    conn.execute(text("INSERT INTO library_meta (key, value) VALUES ('revision', 0)"))


_M2_INDEXES = (
    ("ix_reports_year", "reports (year)"),
    ("ix_reports_region", "reports (region)"),
    ("ix_reports_agency", "reports (agency)"),
    ("ix_reports_parser_version", "reports (parser_version)"),
    ("ux_cells_report_key", "cells (report_id, key)"),
    ("ix_checks_report_status", "checks (report_id, status)"),
    ("ix_checks_status", "checks (status)"),
    ("ix_corrections_report_key", "corrections (report_id, key)"),
)


def _m2_indexes(conn: Connection) -> None:
    """Secondary indexes for the filters, the per-report lookups and the check/correction queries.

    Plain DDL rather than ``Index`` objects: those would attach themselves to the shared model
    metadata, and migration 1 of the next database would then create them twice.
    """
    for name, target in _M2_INDEXES:
        unique = "UNIQUE " if name.startswith("ux_") else ""
        conn.execute(text(f"CREATE {unique}INDEX IF NOT EXISTS {name} ON {target}"))


def _m3_published(conn: Connection) -> None:
    """``reports.published``: the publication date a report states (ISO string, nullable).

    Idempotent: on a database created by migration 1 from the current models the column exists.
    Reports stored before get it when they are next re-parsed.
    """
    if "published" not in {c["name"] for c in inspect(conn).get_columns("reports")}:
        conn.execute(text("ALTER TABLE reports ADD COLUMN published VARCHAR(10)"))


def _m4_unread_tables(conn: Connection) -> None:
    """``reports.unread_json``: the tables a report shows but whose cells could not be read (JSON list).

    Nullable and idempotent like migration 3; reports stored before get it when next re-parsed.
    """
    if "unread_json" not in {c["name"] for c in inspect(conn).get_columns("reports")}:
        kind = JSON().compile(dialect=conn.dialect)
        conn.execute(text(f"ALTER TABLE reports ADD COLUMN unread_json {kind}"))


def _m5_roster(conn: Connection) -> None:
    """The roster (机关名录), reviewers' roster links and publication dates, and
    ``reports.published_source`` (where the parser found the publication date).

    Idempotent: tables with ``checkfirst``, the column only when missing. Reports stored before get
    the source when they are next re-parsed (their date is shown as read from the report meanwhile).
    """
    from library.db import PublicationDate, RosterEntry, RosterLink

    for model in (RosterEntry, RosterLink, PublicationDate):
        model.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]
    if "published_source" not in {c["name"] for c in inspect(conn).get_columns("reports")}:
        conn.execute(text("ALTER TABLE reports ADD COLUMN published_source VARCHAR(20)"))
    for name, target in (
        ("ux_roster_links_key", "roster_links (agency_key, region_key)"),
        ("ix_publication_dates_report", "publication_dates (report_id)"),
    ):
        unique = "UNIQUE " if name.startswith("ux_") else ""
        conn.execute(text(f"CREATE {unique}INDEX IF NOT EXISTS {name} ON {target}"))


def _m6_finding_statuses(conn: Connection) -> None:
    """``finding_statuses`` (a reviewer's status of each finding) and the ``status_writes`` counter.

    Status writes bump both ``revision`` and ``status_writes``, so ``revision - status_writes`` changes
    only when the reports themselves change and the findings computed from them can stay cached.
    """
    Base.metadata.tables[FindingStatus.__tablename__].create(conn, checkfirst=True)
    conn.execute(
        text("CREATE INDEX IF NOT EXISTS ix_finding_statuses_report ON finding_statuses (report_id)")
    )
    have = conn.execute(text("SELECT COUNT(*) FROM library_meta WHERE key = 'status_writes'")).scalar_one()
    if not have:
        conn.execute(text("INSERT INTO library_meta (key, value) VALUES ('status_writes', 0)"))


def _m7_versions(conn: Connection) -> None:
    """``reports.superseded_by``: reports with the same agency, region and year are versions of one
    report; older versions point to the current one (see :mod:`library.versions`).

    Idempotent, and independent of steps 5 and 6: adds the column when missing, then computes it for
    every stored report (existing libraries get their versions at once).
    """
    if "superseded_by" not in {c["name"] for c in inspect(conn).get_columns("reports")}:
        conn.execute(text("ALTER TABLE reports ADD COLUMN superseded_by INTEGER"))
    rebuild_versions(conn)


def _m8_audit_log(conn: Connection) -> None:
    """``audit_log``: the audit trail (library/audit.py), with its indexes; empty at first.

    Idempotent (the table of a fresh database comes from migration 1). Alembic's revision
    ``0003_audit`` creates the same table once the Alembic chain replaces this module.
    """
    from library.db import AuditEntry

    AuditEntry.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "baseline tables", _m1_baseline),
    (2, "secondary indexes", _m2_indexes),
    (3, "reports.published", _m3_published),
    (4, "reports.unread_json", _m4_unread_tables),
    (5, "roster, roster links, publication dates", _m5_roster),
    (6, "finding_statuses", _m6_finding_statuses),
    (7, "reports.superseded_by (report versions)", _m7_versions),
    (8, "audit_log (audit trail)", _m8_audit_log),
]
LATEST = MIGRATIONS[-1][0]


def current_version(engine: Engine) -> int:
    """The schema version of the database (0 when it has never been migrated)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("schema_version"):
            return 0
        return conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_version")).scalar_one()


def upgrade(engine: Engine, target: int | None = None) -> list[int]:
    """Apply every pending migration up to ``target`` (default: the latest); returns those applied."""
    target = LATEST if target is None else target
    if current_version(engine) >= target:
        return []  # the common case: no write lock taken, so opening the library never waits
    # Creating the bookkeeping table outside the lock is harmless: it is idempotent.
    schema_version.create(engine, checkfirst=True)
    applied: list[int] = []
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("LOCK TABLE schema_version IN EXCLUSIVE MODE"))
        done = conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_version")).scalar_one()
        for number, name, step in MIGRATIONS:
            if done < number <= target:
                step(conn)
                conn.execute(schema_version.insert().values(version=number, name=name, applied_at=utcnow()))
                applied.append(number)
    return applied

"""SQLAlchemy models of the report library.

Tables:
- ``reports``: one row per stored document (de-duplicated by sha256), with its metadata, a few
  denormalised figures for fast listing (failed checks, unmatched labels) and ``values_blob``, the
  parsed cell values as a little-endian float64 array (NaN = absent or blank) in the key order of
  its ``value_layouts`` row. The blob is derived from ``cells`` in the same transaction; it exists
  because the dashboard reads every report on every page, and 5,000 blobs turn into one numpy
  matrix in milliseconds, where 1,000,000 cell rows or 5,000 JSON objects take seconds or
  hundreds of milliseconds.
- ``value_layouts``: the key list of a values blob (the canonical keys at the time of writing),
  so a schema change never misreads an older blob.
- ``report_files``: the original bytes, the full parse JSON (zlib-compressed: it repeats every cell
  with its provenance and is only read for one report at a time) and the plain text (searched).
  Kept apart so that listing reports never touches the large columns.
- ``cells``: every parsed cell with its provenance (label as written, match score, flag, source).
- ``checks``: every consistency check result of the parse.
- ``corrections``: a reviewer's corrected value for one cell; the latest one wins in every query.
- ``label_overrides``: label text (normalised) → canonical target, reused by later parses.
- ``library_meta``: a revision counter bumped by every write, so readers can cache safely.
- ``finding_statuses``: a reviewer's status of one finding (report, finding key) with note, who and
  when; append-only, the latest row per (report, key) wins.
- ``roster_entries``: the office's list of agencies (机关名录) with type, region, level and aliases.
- ``roster_links``: a reviewer's decision that an agency name (in a region) is a roster entry, or none.
- ``publication_dates``: a reviewer's entered or corrected publication date of a report (latest wins).
- ``audit_log``: the audit trail (操作记录): who changed what, when, before and after (library/audit.py).
- ``collect_sources``, ``collect_fetches``, ``collect_findings``: the websites reports are collected
  from, every document fetched, and what a re-check noticed (library/collect/store.py).
- ``app_settings``: settings an administrator changes (library/collect/store.py: private addresses).
- ``report_journal``: one row per change of a report's row or of its corrections, written by database
  triggers (:func:`journal_ddl`, revision 0009), so the dataset re-reads only what changed
  (library.dataset_cache); the oldest rows are trimmed by a trigger as well.

Secondary indexes are declared on the models (``__table_args__``), so ``create_all`` of a fresh
database makes them; a schema change also needs its Alembic revision (see :mod:`library.alembic`).
"""

from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Connection,
    CursorResult,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    event,
    insert,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from parsing.report import Check


def utcnow() -> datetime:
    """Timezone-aware now, stored as UTC."""
    return datetime.now(UTC)


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key of the one row an ``insert()`` just added."""
    key = result.inserted_primary_key
    if key is None:  # SQLAlchemy gives None only when the statement inserted no row
        raise RuntimeError("the insert returned no primary key")
    return key[0]


def pack_json(obj: Any) -> bytes:
    """zlib-compressed compact JSON (the parse JSON shrinks about tenfold)."""
    return zlib.compress(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode(), 6)


def unpack_json(blob: bytes) -> Any:
    """The inverse of :func:`pack_json`."""
    return json.loads(zlib.decompress(blob))


class Base(DeclarativeBase):
    """Declarative base of the library tables."""


# Conditions of the partial indexes of revision 0012 (the same text in the models and the revision).
UNMATCHED_WHERE = "superseded_by IS NULL AND unmatched_count > 0"
FAILING_WHERE = "superseded_by IS NULL AND checks_failed > 0"


class Report(Base):
    """One stored report document."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_year", "year"),
        Index("ix_reports_region", "region"),
        Index("ix_reports_agency", "agency"),
        Index("ix_reports_parser_version", "parser_version"),
        # Covers the dataset's "which current reports, changed when" (library.dataset_cache).
        Index("ix_reports_current_stamp", "superseded_by", "id", "updated_at"),
        # The narrow columns of the lists (revision 0006): counts, filter choices, scope pairs, the
        # roster's reports of a year and 报告库 are read from these indexes, not from the wide rows.
        Index(
            "ix_reports_current_meta",
            "superseded_by",
            "id",
            "region",
            "agency",
            "year",
            "agency_type",
            "template",
            "checks_failed",
            "unmatched_count",
            "unread_count",
            "n_cells",
            "parser_version",
            "published",
            "published_source",
        ),
        # The (agency, region) pairs a scope with an agency is judged on (Library._scope_condition).
        Index("ix_reports_agency_region", "agency", "region"),
        # The (region, year) groups of the current reports 汇总表 opens on (library.rollup; revision 0009).
        Index("ix_reports_region_year", "superseded_by", "region", "year", "template", "agency"),
        # The few current reports with unmatched labels / failed checks (数据质量; revision 0012): on
        # PostgreSQL each was a sequential scan of every report (~20 ms at 50,000) per question.
        Index(
            "ix_reports_current_unmatched",
            "id",
            sqlite_where=text(UNMATCHED_WHERE),
            postgresql_where=text(UNMATCHED_WHERE),
        ),
        Index(
            "ix_reports_current_failing",
            "id",
            sqlite_where=text(FAILING_WHERE),
            postgresql_where=text(FAILING_WHERE),
        ),
        Index(
            "ix_reports_list",
            "id",
            "filename",
            "format",
            "size",
            "warnings_count",
            "created_at",
            "updated_at",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    filename: Mapped[str] = mapped_column(String(500), nullable=False)
    format: Mapped[str] = mapped_column(String(20), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    agency: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    # Publication date the document states (ISO), for the timeliness check; not shown yet.
    published: Mapped[str | None] = mapped_column(String(10))
    # Where the parser found that date (metadata_source: page | signature); NULL for reports stored
    # before the column existed, until re-parsed.
    published_source: Mapped[str | None] = mapped_column(String(20))
    agency_type: Mapped[str | None] = mapped_column(String(50))
    # Metadata fields a person confirmed or typed in; a re-parse keeps them (JSON list of names).
    confirmed: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    template: Mapped[str] = mapped_column(String(20), nullable=False, default="unknown")
    parser_version: Mapped[str] = mapped_column(String(40), nullable=False)
    checks_failed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unmatched_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    warnings_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    n_cells: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    layout_id: Mapped[int] = mapped_column(ForeignKey("value_layouts.id"), nullable=False)
    values_blob: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    narrative_json: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    unmatched_json: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # Tables shown but not read (ParsedReport.unread_tables); NULL for reports stored before the column.
    unread_json: Mapped[list | None] = mapped_column(JSON)
    # How many tables unread_json lists (0: none, or not recorded): 数据质量 reads only those reports.
    unread_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # The current version of this report's group when this one is an older version (same agency,
    # region and year; library.versions keeps it up to date); NULL for a current report.
    superseded_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


@event.listens_for(Report.__table__, "after_create")
def _quality_order_index_with_the_reports(_table, connection, **_kw) -> None:
    """A fresh PostgreSQL library gets 数据质量's order index (library.quality_order_index) with its
    reports table, as revision 0013 gives it to an existing one."""
    from library.quality_order_index import create_quality_order_index  # imports nothing of this module

    create_quality_order_index(connection)


class ValueLayout(Base):
    """The ordered key list of the values blobs that reference it."""

    __tablename__ = "value_layouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    keys: Mapped[list] = mapped_column(JSON, nullable=False)


class ReportFile(Base):
    """The large parts of a report: original bytes, full parse JSON and plain text."""

    __tablename__ = "report_files"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    parsed_json_z: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # zlib(JSON of the parse)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")


class ReportText(Base):
    """A report's plain text alone, for the full-text search of 报告库 (revision 0008). The same text
    is in ``report_files``, but a row there also carries the document and the parse, so a search
    scanned the whole file store (seconds at 50,000 reports on SQLite); this table holds only the
    text. Written wherever ``report_files.text`` is."""

    __tablename__ = "report_texts"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")


@event.listens_for(ReportText.__table__, "after_create")
def _search_index_with_the_texts(_table, connection, **_kw) -> None:
    """A fresh library gets the search index (library.search_index) with its texts table, as
    revision 0009 gives it to an existing one: the same schema either way."""
    from library.search_index import create_search_index  # imports nothing of this module

    create_search_index(connection)


class CellRow(Base):
    """One parsed cell with its provenance."""

    __tablename__ = "cells"
    __table_args__ = (
        Index("ux_cells_report_key", "report_id", "key", unique=True),
        # 数据质量 counts the few cells with an attention flag: found by index, not by scanning every cell.
        Index("ix_cells_flag_report", "flag", "report_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(120), nullable=False)
    value: Mapped[float | None] = mapped_column(Float)
    raw: Mapped[str] = mapped_column(Text, nullable=False, default="")
    label: Mapped[str] = mapped_column(Text, nullable=False, default="")
    score: Mapped[float] = mapped_column(Float, nullable=False, default=100.0)
    flag: Mapped[str] = mapped_column(String(30), nullable=False, default="ok")
    unit: Mapped[str | None] = mapped_column(String(20))
    source_json: Mapped[dict | None] = mapped_column(JSON)


class CheckRow(Base):
    """One consistency check result."""

    __tablename__ = "checks"
    __table_args__ = (
        Index("ix_checks_report_status", "report_id", "status"),
        Index("ix_checks_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    rule: Mapped[str] = mapped_column(String(60), nullable=False)
    where: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")
    blank_as_zero: Mapped[list] = mapped_column(JSON, nullable=False, default=list)


class Correction(Base):
    """A reviewer's corrected value for one cell of one report (latest wins)."""

    __tablename__ = "corrections"
    __table_args__ = (Index("ix_corrections_report_key", "report_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(120), nullable=False)
    old: Mapped[float | None] = mapped_column(Float)
    new: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    who: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class LabelOverride(Base):
    """A label as written (normalised) and the canonical target a reviewer chose for it."""

    __tablename__ = "label_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(String(500), unique=True, nullable=False)
    target: Mapped[str] = mapped_column(String(200), nullable=False)
    who: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class FindingStatus(Base):
    """A reviewer's status of one finding: the latest row per (report_id, key) wins (history kept).

    ``report_sha256`` ties the status to the document: a status is not carried over to another
    document that later gets the same report id. ``report_id`` is NULL for an agency-level finding
    (a report that was never published), whose ``key`` then names the agency and year.
    """

    __tablename__ = "finding_statuses"
    __table_args__ = (Index("ix_finding_statuses_report", "report_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int | None] = mapped_column(Integer)
    report_sha256: Mapped[str | None] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(300), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    who: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class LibraryMeta(Base):
    """Key/integer pairs; ``revision`` is bumped by every write."""

    __tablename__ = "library_meta"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class RosterEntry(Base):
    """One agency of the office's roster (机关名录)."""

    __tablename__ = "roster_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    agency_type: Mapped[str | None] = mapped_column(String(50))
    region: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20), nullable=False)  # library.deadlines.LEVELS
    aliases: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class RosterLink(Base):
    """A reviewer's link of an agency name in a region to a roster entry (None: not in the roster).

    Keyed by the normalised name and region (library.roster_link), so it is reused by every report of
    that agency, later years included; ``report_id`` records the report it was decided on.
    """

    __tablename__ = "roster_links"
    __table_args__ = (Index("ux_roster_links_key", "agency_key", "region_key", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_key: Mapped[str] = mapped_column(String(300), nullable=False)
    region_key: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("roster_entries.id", ondelete="CASCADE"))
    report_id: Mapped[int | None] = mapped_column(Integer)
    who: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class PublicationDate(Base):
    """A reviewer's publication date of a report (entered or corrected; the latest row wins)."""

    __tablename__ = "publication_dates"
    __table_args__ = (Index("ix_publication_dates_report", "report_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    published: Mapped[str | None] = mapped_column(String(10))  # ISO date; None = the date is unknown
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    who: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


def insert_checks(conn: Connection, report_id: int, checks: Iterable[Check]) -> None:
    """Store a report's check results (one row per check)."""
    rows = [
        {
            "report_id": report_id,
            "rule": c.rule,
            "where": c.where or "",
            "status": c.status,
            "detail": c.detail or "",
            "blank_as_zero": list(c.blank_as_zero),
        }
        for c in checks
    ]
    if rows:
        conn.execute(insert(CheckRow), rows)


class Draft(Base):
    """A 填报单位's self-check (自查) draft: a report uploaded before publication, kept apart from
    ``reports`` so that no analysis, count, completeness status, finding list, ranking, notice or export
    of the library can ever include it. ``owner`` is the account's login name; agency and region come
    from the account (or, for a reviewer, as entered); the parse JSON is zlib-compressed as in
    ``report_files`` (revision 0004_drafts)."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    agency: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(500), nullable=False)
    format: Mapped[str] = mapped_column(String(20), nullable=False, default="unknown")
    size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    parsed_json_z: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # zlib(JSON of the parse)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class AuditEntry(Base):
    """One recorded change (操作记录): written in the transaction of the change it records.

    ``agency``/``region``/``year`` are those of the report concerned when there is one, so a scoped
    account's view of the trail can be limited to its regions; ``before``/``after`` say what changed
    (JSON, None when there is nothing on that side). Append-only: nothing updates or deletes a row.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_region_at", "region", "at"),
        # The people of 操作记录's filter, read in order (library.audit.people; revision 0009).
        Index("ix_audit_log_who_region", "who", "region"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    who: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    target_kind: Mapped[str] = mapped_column(String(30), nullable=False)
    target_id: Mapped[str | None] = mapped_column(String(300))
    agency: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    before: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))


class User(Base):
    """An account that signs in to the app (library.accounts): role, scope and the argon2 password hash.

    ``login`` is stored casefolded (unique); ``regions`` is a JSON list (empty = every region);
    ``agency`` limits a 填报单位 account to its own agency. ``failed_attempts`` and ``locked_until``
    carry the lock-out after repeated wrong passwords (revision 0002_accounts).
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    role: Mapped[str] = mapped_column(String(20), nullable=False)  # library.access.Role
    regions: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    agency: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class UserSession(Base):
    """A signed-in browser that may come back without the password (a reload, a new tab) until
    ``expires_at``: only the sha256 of its random token is stored (library.accounts)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    login: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class CollectSource(Base):
    """Where an agency publishes its reports (网站采集来源): its 年报 column page or one report's page.

    ``entry_id`` ties the source to a roster entry (its agency and region); a URL pasted without one
    keeps the agency name typed with it, if any (revision 0007_collect). One row per URL.
    """

    __tablename__ = "collect_sources"
    __table_args__ = (Index("ix_collect_sources_entry", "entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # column | report
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("roster_entries.id", ondelete="CASCADE"))
    agency: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    who: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class CollectFetch(Base):
    """One document fetched from a website (a column page, a report page or its attachment): where
    it came from, when, the HTTP date headers, the publication date the page shows, the sha256 of its
    bytes, the report it became and the result (stored | version | unchanged | failed, with the
    reason). Append-only: the re-check compares a URL's latest fetch with its earlier ones."""

    __tablename__ = "collect_fetches"
    __table_args__ = (
        Index("ix_collect_fetches_url", "url", "id"),
        Index("ix_collect_fetches_report", "report_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    final_url: Mapped[str | None] = mapped_column(String(2000))
    source_url: Mapped[str | None] = mapped_column(String(2000))  # the column page that linked it
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # column | page | attachment
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    http_status: Mapped[int | None] = mapped_column(Integer)
    http_date: Mapped[str | None] = mapped_column(String(100))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    etag: Mapped[str | None] = mapped_column(String(300))
    content_type: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(Integer)
    published: Mapped[str | None] = mapped_column(String(10))  # ISO date the page shows
    sha256: Mapped[str | None] = mapped_column(String(64))
    report_id: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recheck: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    who: Mapped[str | None] = mapped_column(String(100))


class CollectFinding(Base):
    """What a re-check noticed about a published report: its page changed after publication
    (``C1_changed_after_publication``, evidence: the cells and text that differ) or its URL is gone
    (``C2_url_gone``). ``resolved_at`` is set when a gone URL answers again."""

    __tablename__ = "collect_findings"
    __table_args__ = (Index("ix_collect_findings_report", "report_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(Integer, nullable=False)
    code: Mapped[str] = mapped_column(String(60), nullable=False)
    key: Mapped[str] = mapped_column(String(300), nullable=False)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    evidence: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AppSetting(Base):
    """A setting of the whole app that an administrator changes (e.g. ``collect.allow_private``):
    key → JSON value, who changed it last and when."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    who: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class ReportJournal(Base):
    """One change of a report's row (insert, update of a column the dataset reads, delete) or of its
    corrections, in commit-ish order (``seq``). Written only by the triggers of :func:`journal_ddl`,
    never by the library's code, so no write path can forget it (revision 0009)."""

    __tablename__ = "report_journal"
    __table_args__ = {"sqlite_autoincrement": True}  # seq never reused after a trim

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    report_id: Mapped[int] = mapped_column(Integer, nullable=False)


# How many journal rows the trim keeps (it runs every JOURNAL_TRIM_EVERY rows): a reader further
# behind finds the journal trimmed and compares every report's stamp instead (library.dataset_cache).
JOURNAL_KEEP = 10_000
JOURNAL_TRIM_EVERY = 1_000
# The reports columns a change of which is journaled: what the dataset reads (library.dataset_cache
# _COLUMNS), and superseded_by (a superseded report leaves the dataset).
JOURNAL_COLUMNS = (
    "id, filename, agency, region, year, agency_type, template, checks_failed, unmatched_count,"
    " layout_id, values_blob, narrative_json, updated_at, superseded_by"
)


# library_meta key: changed (at random) whenever the journal starts over as another one (revision 0009
# creating it, a backup restored), so a reader never takes the new journal's seqs for the old one's.
JOURNAL_EPOCH_KEY = "journal_epoch"


def new_journal_epoch(conn: Connection) -> None:
    """Give the library's write journal a new epoch (library.dataset_cache then compares every stamp)."""
    import secrets

    conn.execute(text("DELETE FROM library_meta WHERE key = :k"), {"k": JOURNAL_EPOCH_KEY})
    conn.execute(
        text("INSERT INTO library_meta (key, value) VALUES (:k, :v)"),
        {"k": JOURNAL_EPOCH_KEY, "v": secrets.randbelow(2**31 - 1) + 1},
    )


def journal_ddl(dialect: str) -> list[str]:
    """The statements creating the journal's triggers on ``reports`` and ``corrections`` (after the
    three tables exist), for ``dialect`` ("sqlite" or "postgresql")."""
    trim = f"DELETE FROM report_journal WHERE seq <= {{seq}} - {JOURNAL_KEEP}"
    if dialect == "sqlite":
        out = []
        for table, event, ids in (
            ("reports", "INSERT", ["NEW.id"]),
            ("reports", f"UPDATE OF {JOURNAL_COLUMNS}", ["OLD.id", "NEW.id"]),
            ("reports", "DELETE", ["OLD.id"]),
            ("corrections", "INSERT", ["NEW.report_id"]),
            ("corrections", "UPDATE", ["OLD.report_id", "NEW.report_id"]),
            ("corrections", "DELETE", ["OLD.report_id"]),
        ):
            name = f"{table}_journal_{event.split()[0].lower()}"
            body = f" INSERT INTO report_journal (report_id) VALUES ({ids[0]});"
            if len(ids) == 2:  # an update moving a row to another report: both change
                body += (
                    f" INSERT INTO report_journal (report_id) SELECT {ids[1]} WHERE {ids[1]} IS NOT {ids[0]};"
                )
            out.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN{body} END")
        out.append(
            f"CREATE TRIGGER report_journal_trim AFTER INSERT ON report_journal FOR EACH ROW"
            f" WHEN NEW.seq % {JOURNAL_TRIM_EVERY} = 0 BEGIN {trim.format(seq='NEW.seq')}; END"
        )
        return out
    if dialect == "postgresql":
        out = [
            f"""CREATE OR REPLACE FUNCTION report_journal_note(rid integer) RETURNS void AS $$
DECLARE s bigint;
BEGIN
  INSERT INTO report_journal (report_id) VALUES (rid) RETURNING seq INTO s;
  IF mod(s, {JOURNAL_TRIM_EVERY}) = 0 THEN {trim.format(seq="s")}; END IF;
END $$ LANGUAGE plpgsql""",
            """CREATE OR REPLACE FUNCTION reports_journal() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM report_journal_note(OLD.id); END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.id IS DISTINCT FROM OLD.id) THEN
    PERFORM report_journal_note(NEW.id);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
            """CREATE OR REPLACE FUNCTION corrections_journal() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM report_journal_note(OLD.report_id); END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.report_id IS DISTINCT FROM OLD.report_id) THEN
    PERFORM report_journal_note(NEW.report_id);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
        ]
        for table, event in (
            ("reports", "INSERT"),
            ("reports", f"UPDATE OF {JOURNAL_COLUMNS}"),
            ("reports", "DELETE"),
            ("corrections", "INSERT OR UPDATE OR DELETE"),
        ):
            name = f"{table}_journal_{event.split()[0].lower()}"
            out.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table}"
                f" FOR EACH ROW EXECUTE FUNCTION {table}_journal()"
            )
        return out
    return []  # another database: no journal; the dataset compares every report's stamp


@functools.cache
def journal_triggers(dialect: str) -> tuple[str, ...]:
    """The names of the triggers :func:`journal_ddl` creates for ``dialect``."""
    import re

    return tuple(m.group(1) for d in journal_ddl(dialect) if (m := re.match(r"CREATE TRIGGER (\w+)", d)))


@event.listens_for(Base.metadata, "after_create")
def _journal_triggers(target: Any, connection: Any, **kw: Any) -> None:
    """A fresh library (``create_all``) gets the journal's triggers as 0009 gives an older one."""
    if {"reports", "corrections", "report_journal"} <= {
        t.name for t in kw.get("tables", target.sorted_tables)
    }:
        for statement in journal_ddl(connection.dialect.name):
            connection.exec_driver_sql(statement)

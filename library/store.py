"""The report library: store, find, correct, re-parse and delete parsed reports (no Streamlit here).

Typical use::

    lib = Library()                       # URL from library.config (SQLite file by default)
    report_id, created = lib.add(parsed, data, agency="某县教育局", agency_type="教育")
    df = lib.dataset(Filters(years=[2023]))  # one row per report, canonical cell keys as columns

Every write runs in one transaction: a failure leaves nothing behind. Every write bumps a revision
number, and :meth:`Library.dataset` caches the wide table per revision, so the pages read it once
after each change and then filter in memory.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, text
from sqlalchemy.exc import IntegrityError

from library import audit
from library.access import ALL, Scope
from library.audit import LibraryAudit
from library.config import WRITE_OPTION, make_engine
from library.db import (
    CellRow,
    CheckRow,
    Correction,
    PublicationDate,
    Report,
    ReportFile,
    ReportText,
    ValueLayout,
    insert_checks,
    inserted_id,
    pack_json,
    unpack_json,
    utcnow,
)
from library.errors import LibraryError, number
from library.findings_store import LibraryFindings
from library.migrate import upgrade
from library.queries import LIST_COLUMNS, LibraryQueries
from library.report_meta import METADATA_FIELDS, given_fields, merged_metadata
from library.review import LibraryReview, ParseFn, ProgressFn, unmatched_labels_of
from library.roster import LibraryRoster
from library.stored_report import StoredReport
from library.versions import LibraryVersions, key_of, refresh_versions
from library.visibility import report_visible
from parsing.report import ParsedReport
from parsing.schema import CELLS

__all__ = [
    "LIST_COLUMNS",
    "METADATA_FIELDS",
    "Library",
    "LibraryError",
    "NewReport",
    "ParseFn",
    "ProgressFn",
    "StoredReport",
]


class Library(LibraryQueries, LibraryReview, LibraryVersions, LibraryFindings, LibraryRoster, LibraryAudit):
    """The report library on one database (see module docstring; queries, review writes, report
    versions, finding statuses and the roster are in :mod:`library.queries`, :mod:`library.review`,
    :mod:`library.versions`, :mod:`library.findings_store` and :mod:`library.roster`; every write
    records itself in the audit trail, :mod:`library.audit`, in its own transaction)."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None, migrate: bool = True) -> None:
        """Connect to ``url`` (default from :mod:`library.config`) and bring the schema up to date."""
        self.engine = engine or make_engine(url)
        if migrate:
            upgrade(self.engine)
        self._cache_lock = threading.Lock()
        self._cache: tuple[int, pd.DataFrame] | None = None
        self._layouts: dict[str, int] = {}  # layout digest → id (layouts are never changed or deleted)

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _write(self, bump: int = 1) -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite) that also bumps the revision (by
        ``bump``: a batch of N adds moves it as far as N single adds)."""
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            yield conn
            conn.execute(
                text("UPDATE library_meta SET value = value + :n WHERE key = 'revision'"), {"n": bump}
            )

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    # ------------------------------------------------------------------ adding

    def add(
        self,
        parsed: ParsedReport,
        data: bytes,
        *,
        agency: str | None = None,
        region: str | None = None,
        year: int | None = None,
        agency_type: str | None = None,
        who: str | None = None,
    ) -> tuple[int, bool]:
        """Store a parsed report and its original bytes; returns ``(report_id, created)``.

        De-duplicated by the sha256 of ``data``: a file already stored returns its id and ``False``
        (nothing is changed). Metadata given here is what the reviewer confirmed and overrides the
        parser's guess (and survives re-parsing); omitted fields come from ``parsed``; the agency
        type, when not given, is guessed from the agency name. Reports with ``.error`` are refused
        with :class:`LibraryError`. Atomic: on any failure nothing is stored. ``who`` (the account's
        label) is written to the audit trail with the upload; a duplicate records nothing.
        """
        new = NewReport(parsed, data, agency=agency, region=region, year=year, agency_type=agency_type)
        try:
            return self.add_many([new], who=who)[0]
        except IntegrityError:
            # Another session stored the same bytes between our check and insert (PostgreSQL only;
            # SQLite serialises writers). The whole transaction was rolled back: return theirs.
            existing = self.find_sha256(hashlib.sha256(data).hexdigest())
            if existing is None:
                raise
            return existing, False

    def add_many(self, reports: Sequence[NewReport], *, who: str | None = None) -> list[tuple[int, bool]]:
        """Store several parsed reports in ONE write transaction; ``(report_id, created)`` for each, in order.

        Row for row what :meth:`add` of each report in turn stores (it is the same code): reports,
        files, cells, checks, versions, one audit record per stored report (with ``who``) and one
        revision step per report written. De-duplicated by sha256 against the library and within
        ``reports`` (a repeat returns the first one's id and ``False``). All or nothing: a refused
        report (:class:`LibraryError`, raised before anything is written) or a database error
        (:class:`sqlalchemy.exc.SQLAlchemyError`, e.g. another process stored the same bytes at the
        same moment on PostgreSQL) leaves nothing of the batch behind; the caller may then store
        the reports one by one (library.ingest.store_items does) so the good ones are kept.
        """
        prepared = [_prepared(r) for r in reports]  # every refusal before any write
        # Checked before taking the write lock: duplicates cost no write.
        stored = self._ids_by_sha256([p.sha for p in prepared])
        results: list[tuple[int, bool] | None] = [None] * len(prepared)
        first: dict[str, int] = {}  # sha256 → index of its first occurrence to be written
        for i, p in enumerate(prepared):
            if p.sha in stored:
                results[i] = (stored[p.sha], False)
            elif p.sha not in first:
                first[p.sha] = i
        if first:
            rows = {i: _rows(prepared[i].new.parsed) for i in first.values()}
            # A layout created by one report of the batch is found (and cached) by the next one: a
            # rollback must forget it, or the next write would point at a layout that is not there.
            layouts = dict(self._layouts)
            try:
                with self._write(bump=len(first)) as conn:
                    for i in first.values():
                        results[i] = self._insert_report(conn, prepared[i], rows[i], who)
            except BaseException:
                self._layouts = layouts
                raise
        return [
            r if r is not None else (_id_of(results[first[p.sha]]), False)
            for r, p in zip(results, prepared, strict=True)
        ]

    def _ids_by_sha256(self, shas: list[str]) -> dict[str, int]:
        """sha256 → id of the stored reports among ``shas``."""
        found: dict[str, int] = {}
        unique = sorted(set(shas))
        with self.engine.connect() as conn:
            for start in range(0, len(unique), 500):  # bounded IN lists
                chunk = unique[start : start + 500]
                rows = conn.execute(select(Report.sha256, Report.id).where(Report.sha256.in_(chunk)))
                found.update((sha, report_id) for sha, report_id in rows)
        return found

    def _insert_report(
        self, conn: Connection, p: _Prepared, rows: _Rows, who: str | None
    ) -> tuple[int, bool]:
        """Write one report inside the caller's write transaction (the body of :meth:`add`)."""
        existing = conn.execute(select(Report.id).where(Report.sha256 == p.sha)).scalar()
        if existing is not None:  # stored by another session a moment ago
            return existing, False
        parsed, data = p.new.parsed, p.new.data
        now = utcnow()
        result = conn.execute(
            insert(Report).values(
                sha256=p.sha,
                filename=parsed.file or "未命名",
                format=parsed.format or "unknown",
                size=len(data),
                confirmed=p.confirmed,
                created_at=now,
                parser_version=parsed.parser_version,
                **p.meta,
                **rows.columns,
                layout_id=self._layout_id(conn, rows.layout_keys),
                updated_at=now,
            )
        )
        report_id = inserted_id(result)
        conn.execute(
            insert(ReportFile).values(
                report_id=report_id, data=data, parsed_json_z=rows.parsed_json_z, text=parsed.text or ""
            )
        )
        conn.execute(insert(ReportText).values(report_id=report_id, text=parsed.text or ""))
        self._insert_rows(conn, report_id, rows.cells, parsed)
        refresh_versions(conn, [report_id])  # a corrected report becomes the new version
        _record_upload(conn, report_id, parsed, p.meta, who)
        return report_id, True

    def _layout_id(self, conn: Connection, keys: list[str]) -> int:
        """The id of the value layout with exactly these keys, created on first use."""
        digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()
        cached = self._layouts.get(digest)
        if cached is not None:
            return cached
        layout_id = conn.execute(select(ValueLayout.id).where(ValueLayout.digest == digest)).scalar()
        if layout_id is not None:
            self._layouts[digest] = layout_id  # committed by an earlier transaction: safe to cache
            return layout_id
        # Created inside this transaction: not cached, since a rollback of the add would remove it.
        try:
            with conn.begin_nested():  # a concurrent PostgreSQL writer may create it first
                return inserted_id(conn.execute(insert(ValueLayout).values(digest=digest, keys=keys)))
        except IntegrityError:
            return conn.execute(select(ValueLayout.id).where(ValueLayout.digest == digest)).scalar_one()

    def _parse_columns(self, conn: Connection, parsed: ParsedReport, now: datetime) -> dict[str, Any]:
        """The reports-table columns that come from a parse (shared by add and reparse)."""
        keys, columns = parse_columns(parsed)
        return {**columns, "layout_id": self._layout_id(conn, keys), "updated_at": now}

    @staticmethod
    def _insert_cells_and_checks(conn: Connection, report_id: int, parsed: ParsedReport) -> None:
        Library._insert_rows(conn, report_id, cell_rows(parsed), parsed)

    @staticmethod
    def _insert_rows(
        conn: Connection, report_id: int, cells: list[dict[str, Any]], parsed: ParsedReport
    ) -> None:
        """The cells (rows of :func:`cell_rows`) and checks of a report just inserted as ``report_id``."""
        if cells:
            conn.execute(insert(CellRow), [{"report_id": report_id, **cell} for cell in cells])
        insert_checks(conn, report_id, parsed.checks)

    # ------------------------------------------------------------------ reading one report

    def get(self, report_id: int, *, scope: Scope | None = ALL) -> StoredReport | None:
        """Everything stored about one report, or None when there is no such report or ``scope`` does not
        let it through (the caller cannot tell the two apart: another region's ids reveal nothing)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(Report).where(Report.id == report_id)).mappings().first()
            if row is None or not _in_scope(row["agency"], row["region"], scope):
                return None
            files = conn.execute(
                select(ReportFile.parsed_json_z, ReportFile.text).where(ReportFile.report_id == report_id)
            ).one()
            cells = conn.execute(
                select(
                    CellRow.key,
                    CellRow.value,
                    CellRow.raw,
                    CellRow.label,
                    CellRow.score,
                    CellRow.flag,
                    CellRow.unit,
                    CellRow.source_json,
                )
                .where(CellRow.report_id == report_id)
                .order_by(CellRow.id)
            ).all()
            checks = (
                conn.execute(
                    select(
                        CheckRow.rule,
                        CheckRow.where,
                        CheckRow.status,
                        CheckRow.detail,
                        CheckRow.blank_as_zero,
                    )
                    .where(CheckRow.report_id == report_id)
                    .order_by(CheckRow.id)
                )
                .mappings()
                .all()
            )
            corrections = (
                conn.execute(
                    select(
                        Correction.id,
                        Correction.key,
                        Correction.old,
                        Correction.new,
                        Correction.note,
                        Correction.who,
                        Correction.created_at,
                    )
                    .where(Correction.report_id == report_id)
                    .order_by(Correction.id)
                )
                .mappings()
                .all()
            )
        latest = {c["key"]: c["new"] for c in corrections}
        cell_df = pd.DataFrame(
            cells, columns=["key", "value", "raw", "label", "score", "flag", "unit", "source"]
        )
        cell_df.insert(1, "std_label", [CELLS[k].label if k in CELLS else "" for k in cell_df["key"]])
        cell_df.insert(
            3, "corrected", [latest.get(k, v) for k, v in zip(cell_df["key"], cell_df["value"], strict=True)]
        )
        values: dict[str, Any] = {
            k: (None if pd.isna(v) else v) for k, v in zip(cell_df["key"], cell_df["value"], strict=True)
        }
        values.update({f"n.{k}": v for k, v in row["narrative_json"].items()})
        values.update(latest)
        return StoredReport(
            id=row["id"],
            sha256=row["sha256"],
            filename=row["filename"],
            format=row["format"],
            size=row["size"],
            agency=row["agency"],
            region=row["region"],
            year=row["year"],
            agency_type=row["agency_type"],
            confirmed=list(row["confirmed"] or []),
            template=row["template"],
            parser_version=row["parser_version"],
            checks_failed=row["checks_failed"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            narrative=dict(row["narrative_json"]),
            unmatched_labels=list(row["unmatched_json"]),
            cells=cell_df,
            checks=[dict(c) for c in checks],
            corrections=[dict(c) for c in corrections],
            parsed_json=unpack_json(files.parsed_json_z),
            text=files.text,
            values=values,
        )

    def original_bytes(self, report_id: int, *, scope: Scope | None = ALL) -> tuple[str, bytes] | None:
        """``(filename, bytes)`` of the uploaded original, for download and re-parsing; None when there is
        no such report or ``scope`` does not let it through."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(Report.filename, Report.agency, Report.region, ReportFile.data)
                .join(ReportFile, ReportFile.report_id == Report.id)
                .where(Report.id == report_id)
            ).first()
        if row is None or not _in_scope(row.agency, row.region, scope):
            return None
        return row.filename, row.data

    def find_sha256(self, sha256: str) -> int | None:
        """The id of the stored report with these bytes, if any (to show "already in the library")."""
        with self.engine.connect() as conn:
            return conn.execute(select(Report.id).where(Report.sha256 == sha256)).scalar()

    def delete(self, report_id: int, *, scope: Scope | None = ALL, who: str | None = None) -> bool:
        """Delete a report with its cells, checks, corrections and file; False when it did not exist (or
        ``scope`` does not let it through: nothing is deleted then).

        Deleting the current version of a report makes the previous version current again. The
        deletion is recorded in the audit trail (what the report was) with ``who``.
        """
        if not self.visible(report_id, scope):
            return False
        with self._write() as conn:
            before = _report_summary(conn, report_id)
            key = key_of(conn, report_id)
            # Explicit child deletes: SQLite enforces ON DELETE CASCADE only with the pragma on,
            # and a database opened by another tool may not have it.
            for table in (CellRow, CheckRow, Correction, PublicationDate, ReportFile, ReportText):
                conn.execute(delete(table).where(table.report_id == report_id))
            deleted = conn.execute(delete(Report).where(Report.id == report_id)).rowcount > 0
            refresh_versions(conn, old_keys=[key])
            if deleted and before is not None:
                audit.record_report(
                    conn,
                    audit.REPORT_DELETE,
                    report_id,
                    who=who,
                    summary=f"删除{audit.report_name(before, report_id)}",
                    before=before,
                    context=before,
                )
            return deleted


@dataclass(frozen=True)
class NewReport:
    """A parsed report to store with its original bytes and the metadata a person confirmed (the
    arguments of :meth:`Library.add`, for :meth:`Library.add_many`)."""

    parsed: ParsedReport
    data: bytes
    agency: str | None = None
    region: str | None = None
    year: int | None = None
    agency_type: str | None = None


@dataclass(frozen=True)
class _Prepared:
    """A checked :class:`NewReport` with its sha256 and the metadata to store."""

    new: NewReport
    sha: str
    meta: dict[str, Any]
    confirmed: list[str]


@dataclass(frozen=True)
class _Rows:
    """What is stored of a parse, computed before the write lock is taken (the lock is held for the
    inserts only)."""

    layout_keys: list[str]
    columns: dict[str, Any]  # parse_columns
    parsed_json_z: bytes
    cells: list[dict[str, Any]]  # cell_rows


def _rows(parsed: ParsedReport) -> _Rows:
    keys, columns = parse_columns(parsed)
    return _Rows(keys, columns, pack_json(parsed.to_json()), cell_rows(parsed))


def _prepared(new: NewReport) -> _Prepared:
    """Refuse a failed parse or empty bytes (:class:`LibraryError`); merge the confirmed metadata."""
    if new.parsed.error is not None:
        msg = new.parsed.error.get("message") or "解析失败"
        raise LibraryError(f"解析失败的报告不能入库：{msg}", f"refusing a failed parse: {new.parsed.error}")
    if not new.data:
        raise LibraryError("文件内容为空，未入库", "empty file")
    given = {"agency": new.agency, "region": new.region, "year": new.year, "agency_type": new.agency_type}
    confirmed = given_fields(**given)
    meta = merged_metadata(new.parsed, given, confirmed)
    return _Prepared(new, hashlib.sha256(new.data).hexdigest(), meta, confirmed)


def cell_rows(parsed: ParsedReport) -> list[dict[str, Any]]:
    """The ``cells`` rows of a parse, without their report id."""
    return [
        {
            "key": key,
            "value": number(cell.value),
            "raw": cell.raw or "",
            "label": cell.label or "",
            "score": float(cell.score),
            "flag": cell.flag or "ok",
            "unit": cell.unit,
            "source_json": cell.source.to_dict() if cell.source is not None else None,
        }
        for key, cell in parsed.cells.items()
    ]


def _id_of(result: tuple[int, bool] | None) -> int:
    """The report id of a result already computed (the first occurrence of a repeated file)."""
    if result is None:  # every first occurrence was written or found before repeats are resolved
        raise RuntimeError("no result for the first occurrence of a repeated file")
    return result[0]


def parse_columns(parsed: ParsedReport) -> tuple[list[str], dict[str, Any]]:
    """The value layout's keys and the reports-table columns that come from a parse (all but the
    layout id and the time): what :meth:`Library.add` stores, and what the self-check (自查) builds a
    draft's dataset row from without storing it."""
    values = {k: number(c.value) for k, c in parsed.cells.items()}
    # Canonical keys in schema order, then any non-canonical key the parser emitted: every report
    # parsed under one schema shares one layout, which makes the dataset read one numpy reshape.
    keys = list(CELLS) + sorted(k for k in values if k not in CELLS)
    blob = np.array([values.get(k) for k in keys], dtype="<f8").tobytes()
    # Flags (proactive_total_approx: True) are stored as they are; figures as plain numbers.
    narrative = {k: v if isinstance(v, bool) else number(v) for k, v in parsed.narrative.items()}
    unmatched = unmatched_labels_of(parsed)
    return keys, {
        "published": parsed.published,
        "published_source": parsed.metadata_source.get("published") if parsed.published else None,
        "template": parsed.template or "unknown",
        "checks_failed": sum(1 for c in parsed.checks if c.status == "fail"),
        "unmatched_count": len(unmatched),
        "warnings_count": len(parsed.warnings),
        "n_cells": len(parsed.cells),
        "values_blob": blob,
        "narrative_json": narrative,
        "unmatched_json": unmatched,
        "unread_json": [dict(t) for t in parsed.unread_tables],
        "unread_count": len(parsed.unread_tables),
    }


def _report_summary(conn: Connection, report_id: int) -> dict[str, Any] | None:
    """What the audit trail says a stored report is: file, agency, region, year, type, figures read."""
    row = conn.execute(
        select(
            Report.filename,
            Report.agency,
            Report.region,
            Report.year,
            Report.agency_type,
            Report.n_cells,
            Report.checks_failed,
        ).where(Report.id == report_id)
    ).first()
    if row is None:
        return None
    return {
        "filename": row.filename,
        "agency": row.agency,
        "region": row.region,
        "year": row.year,
        "agency_type": row.agency_type,
        "cells": row.n_cells,
        "checks_failed": row.checks_failed,
    }


def _record_upload(
    conn: Connection, report_id: int, parsed: ParsedReport, meta: dict[str, Any], who: str | None
) -> None:
    after = _report_summary(conn, report_id)
    context = after or meta
    audit.record_report(
        conn,
        audit.REPORT_UPLOAD,
        report_id,
        who=who,
        summary=f"上传{audit.report_name(context, report_id)}：{parsed.file or '未命名'}",
        after=after,
        context=context,
    )


def _in_scope(agency: str | None, region: str | None, scope: Scope | None) -> bool:
    """Does ``scope`` let a report of ``agency`` in ``region`` through (an unrestricted scope at no cost)?"""
    return (scope is not None and scope.unrestricted) or report_visible(agency, region, scope)

"""Reviewer statuses of findings (审核意见): confirm, dismiss or mark explained, with note, who and when.

:class:`LibraryFindings` is a mixin of :class:`library.store.Library`. A status belongs to one finding
of one report, named by the finding's stable ``key`` (library/findings.py), and to the document
(its sha256): a re-parse keeps both, so the status survives; another document stored later under
the same id does not inherit it. Every status write bumps the library revision (pages re-read) and
the ``status_writes`` counter, so :meth:`LibraryFindings.data_revision` stays the same and the findings
computed from the reports stay cached.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, insert, select, text

from library import audit
from library.db import FindingStatus, Report, utcnow
from library.errors import LibraryError
from library.finding import STATUSES
from parsing.vocabulary import FINDING_STATUS_NAMES, finding_name

if TYPE_CHECKING:
    from library.filters import Filters
    from library.finding import Finding

# Statuses that need a note saying why (dismissed: why it is not a problem; explained: where).
NOTE_REQUIRED = frozenset({"dismissed", "explained"})
T = TypeVar("T")


@dataclass(frozen=True)
class StatusEntry:
    """The latest status of one finding."""

    status: str
    note: str
    who: str | None
    at: datetime


class LibraryFindings:
    """Finding statuses and the per-revision findings cache (mixin of ``Library``)."""

    engine: Engine
    _findings_lock = threading.Lock()  # class-level: guards each instance's cache attribute below
    if TYPE_CHECKING:

        def _write(self) -> AbstractContextManager[Connection]: ...
        def revision(self) -> int: ...

    def data_revision(self) -> int:
        """A number that changes when the reports change but not when only a finding status does."""
        with self.engine.connect() as conn:
            rows: dict[str, int] = dict(
                conn.execute(
                    text("SELECT key, value FROM library_meta WHERE key IN ('revision', 'status_writes')")
                ).all()
            )
        return int(rows.get("revision", 0)) - int(rows.get("status_writes", 0))

    def set_finding_status(
        self,
        report_id: int | None,
        key: str,
        status: str,
        note: str = "",
        *,
        who: str | None = None,
        about: Finding | None = None,
    ) -> None:
        """Record a reviewer's status of the finding ``key`` of ``report_id`` (None: agency-level).

        ``status`` is one of :data:`library.finding.STATUSES` (``open`` withdraws an earlier decision);
        dismissing or marking explained needs a note. The history is kept; the latest entry wins.
        The audit trail gets the status before and after, with ``who``; ``about`` (the finding) names
        it there and gives the agency, region and year of a finding without a report.
        """
        if status not in STATUSES:
            raise LibraryError(f"未知的状态：{status}", f"unknown status {status!r}")
        if status in NOTE_REQUIRED and not (note or "").strip():
            raise LibraryError("排除或标记为已说明时须填写说明", f"status {status} needs a note")
        if not key:
            raise LibraryError("审核意见编号为空", "empty finding key")
        with self._write() as conn:
            sha = None
            if report_id is not None:
                sha = conn.execute(select(Report.sha256).where(Report.id == report_id)).scalar()
                if sha is None:
                    raise LibraryError(f"报告 {report_id} 不存在", f"no report {report_id}")
            before = _latest_status(conn, report_id, sha, key)
            conn.execute(
                insert(FindingStatus).values(
                    report_id=report_id,
                    report_sha256=sha,
                    key=key,
                    status=status,
                    note=(note or "").strip(),
                    who=who,
                    created_at=utcnow(),
                )
            )
            bumped = conn.execute(
                text("UPDATE library_meta SET value = value + 1 WHERE key = 'status_writes'")
            )
            if not bumped.rowcount:  # a database whose migration 6 ran before the counter existed
                conn.execute(text("INSERT INTO library_meta (key, value) VALUES ('status_writes', 1)"))
            _record_status(
                conn, report_id, key, before, {"status": status, "note": (note or "").strip()}, who, about
            )

    def statuses(self) -> dict[tuple[int | None, str], StatusEntry]:
        """The latest status of every finding that has one: ``(report_id, key) → StatusEntry``.

        Statuses of deleted reports, and of a document no longer stored under that id, are left out.
        """
        stmt = (
            select(
                FindingStatus.report_id,
                FindingStatus.report_sha256,
                FindingStatus.key,
                FindingStatus.status,
                FindingStatus.note,
                FindingStatus.who,
                FindingStatus.created_at,
                Report.sha256,
            )
            .outerjoin(Report, Report.id == FindingStatus.report_id)
            .order_by(FindingStatus.id)
        )
        out: dict[tuple[int | None, str], StatusEntry] = {}
        with self.engine.connect() as conn:
            for rid, sha, key, status, note, who, at, current_sha in conn.execute(stmt):
                if rid is not None and sha != current_sha:
                    continue  # report deleted, or another document under this id
                out[(rid, key)] = StatusEntry(status, note or "", who, at)
        return out

    def status_history(self, report_id: int | None, key: str) -> list[StatusEntry]:
        """Every status recorded for one finding, oldest first (for the audit trail)."""
        cond = (
            FindingStatus.report_id.is_(None) if report_id is None else FindingStatus.report_id == report_id
        )
        stmt = (
            select(FindingStatus.status, FindingStatus.note, FindingStatus.who, FindingStatus.created_at)
            .where(cond, FindingStatus.key == key)
            .order_by(FindingStatus.id)
        )
        with self.engine.connect() as conn:
            return [StatusEntry(s, n or "", w, a) for s, n, w, a in conn.execute(stmt)]

    # ------------------------------------------------------------------ findings (cached per data revision)

    def cached_findings(self, compute: Callable[[Any, Any], T]) -> T:
        """``compute(self, previous)`` (the findings of the whole library, statuses not applied), cached
        per :meth:`data_revision` on this library object (one entry: the latest revision).

        ``previous`` is the result cached for an earlier revision (None at first), which ``compute`` may
        bring up to date instead of starting afresh; it is not used again afterwards. One computation
        at a time: the others wait for it and share its result."""
        rev = self.data_revision()
        with self._findings_lock:
            cached = getattr(self, "_findings_cache", None)
        if cached is not None and cached[0] == rev:
            return cached[1]
        with self._compute_lock():
            with self._findings_lock:
                cached = getattr(self, "_findings_cache", None)
            if cached is not None and cached[0] == rev:
                return cached[1]
            with self._findings_lock:
                self._findings_cache = None  # handed to compute: a failure below starts afresh
            found = compute(self, None if cached is None else cached[1])
            with self._findings_lock:
                self._findings_cache = (rev, found)
        return found

    def _compute_lock(self) -> threading.Lock:
        with self._findings_lock:
            lock = self.__dict__.get("_findings_compute_lock")
            if lock is None:
                lock = self.__dict__["_findings_compute_lock"] = threading.Lock()
        return lock

    def findings(self, filters: Filters | None = None, **options: Any) -> list[Finding]:
        """The findings of the filtered reports with their statuses (:func:`library.findings.findings_of`)."""
        from library.findings import findings_of  # findings imports this module's types

        return findings_of(self, filters, **options)  # type: ignore[arg-type]  # self is a Library


def _latest_status(
    conn: Connection, report_id: int | None, sha: str | None, key: str
) -> dict[str, str] | None:
    """The finding's status before this decision (None: never decided), read in the write transaction."""
    cond = FindingStatus.report_id.is_(None) if report_id is None else FindingStatus.report_sha256 == sha
    row = conn.execute(
        select(FindingStatus.status, FindingStatus.note)
        .where(cond, FindingStatus.key == key)
        .order_by(FindingStatus.id.desc())
        .limit(1)
    ).first()
    return None if row is None else {"status": row.status, "note": row.note or ""}


def _record_status(
    conn: Connection,
    report_id: int | None,
    key: str,
    before: dict[str, str] | None,
    after: dict[str, str],
    who: str | None,
    about: Finding | None,
) -> None:
    """The audit record of a finding decision (statuses by their Chinese names)."""
    context = audit.report_context(conn, report_id)
    if not context and about is not None:  # a finding without a report: the agency it is about
        context = {"agency": about.agency, "region": about.region, "year": about.year}
    what = f"“{finding_name(about.code)}”" if about is not None else f"（{key}）"
    where = audit.report_name(context, report_id) if report_id is not None else (context.get("agency") or "")
    audit.record(
        conn,
        audit.FINDING_STATUS,
        who=who,
        target_kind="finding",
        target_id=key if report_id is None else f"{report_id}/{key}",
        summary=f"将{where}的审核意见{what}标记为{_named(after)['status']}",
        before=None if before is None else _named(before),
        after=_named(after),
        agency=context.get("agency"),
        region=context.get("region"),
        year=context.get("year"),
    )


def _named(entry: dict[str, str]) -> dict[str, str]:
    return {"status": FINDING_STATUS_NAMES.get(entry["status"], entry["status"]), "note": entry["note"]}

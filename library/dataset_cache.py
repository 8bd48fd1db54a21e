"""The library's dataset kept up to date after a write by re-reading only the reports that changed.

Rebuilding the dataset from every stored value blob costs about 1 s at 50,000 reports; after one
upload or one correction only a handful of rows differ. :class:`DatasetCache` keeps the frame of the
last read with, per current report, its stamp: ``updated_at`` (set by every write of the report's row:
add, re-parse, metadata, re-check after a correction) and its corrections. A refresh reads the stamps of
every current report (one narrow query) and all corrections, re-reads the rows whose stamp differs,
drops the reports that left (deleted or superseded), and builds a new frame; it never modifies a frame
it has handed out (other sessions may be reading it). When most reports changed it reads everything,
as the first read does. The result is the frame a full rebuild gives, row for row (tests compare both).

The write journal (``report_journal``, revision 0009). Comparing every stamp costs ~35 ms at 50,000
reports, paid by every page's first run after a write. Database triggers append (seq, report_id) for
every insert/update/delete of a report's row and of its corrections, so after the first read a refresh
reads only the journal rows after the last ``seq`` it saw, then re-reads those reports (current ones)
and their corrections; a report in the journal that is no longer current has left.

Out-of-order commits. SQLite has one writer at a time and commits in ``seq`` order. On PostgreSQL a
transaction can take seq 10 and commit after another one took 11: a refresh between the two sees 11
but not 10. Every seq missing below the highest one seen is kept as a *gap* and asked for again by the
next refreshes (``seq > last OR seq IN (gaps)``). A gap ends when its row arrives, or when every
transaction that could hold it has ended: the gap is tagged with ``xmax`` of a snapshot taken after the
read that found it, and once the ``xmin`` of a later snapshot (taken before that refresh's journal read)
is past the tag, the writer has committed (its row is then read by that refresh) or rolled back (the
seq is never used). The trigger writes the journal row after the report's row, so the writer already
has its transaction id when it takes the seq. On SQLite (no snapshot ids) a gap can only be made by
hand; one older than GAP_SECONDS makes the refresh compare every stamp.

The safety net: every stamp is compared (as before the journal) on the first read, when the journal is
missing, when rows the reader still needs were trimmed (the smallest seq present is above the first one
it needs), when too many gaps are open, and on SQLite when a gap expires. Only a transaction that stays
open while JOURNAL_KEEP later journal rows are written and trimmed, across a full read, could go unseen.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from library import dataset as ds
from library.db import JOURNAL_EPOCH_KEY, Correction, ValueLayout, journal_triggers

_COLUMNS = (
    "SELECT id, filename, agency, region, year, agency_type, template, checks_failed,"
    " unmatched_count, layout_id, values_blob, narrative_json, updated_at FROM reports"
)
_CURRENT = " WHERE superseded_by IS NULL"
_IN_CHUNK = 500  # ids per IN (...) list: well under SQLite's bound on parameters
# Above this share of changed reports a full read is cheaper than patching.
# Rows to spare at the end of a new matrix buffer, for reports added later (2 MB at 240 columns).
SPARE_ROWS = 1024
FULL_READ_SHARE = 0.25
# A gap in the journal older than this on SQLite (where none can arise by itself) ends the journal's trust.
GAP_SECONDS = 60.0
# More open gaps than this: compare every stamp instead of asking for each.
MAX_GAPS = 1_000
_JOURNAL = "report_journal"

Stamp = tuple[Any, tuple]


class DatasetCache:
    """The current dataset and the stamps of the rows it was built from (one per Library)."""

    def __init__(self) -> None:
        self.frame: pd.DataFrame | None = None
        # The parts the frame was assembled from (library.dataset.dataset_parts), patched after a write.
        # Never changed once published: a refresh builds new arrays (readers use them unlocked).
        self.meta: dict[str, np.ndarray] = {}
        self.matrix = np.empty((0, len(ds.VALUE_COLUMNS)))
        self._typed: dict[str, Any] = {}  # the meta columns as the frame holds them (ds.typed_meta)
        self.stamps: dict[int, Stamp] = {}
        self.layouts: dict[int, Sequence[str]] = {}
        self.last_reread = 0  # how many reports the last refresh read (tests, benchmarks)
        self.last_full_compare = False  # whether the last refresh compared every stamp (tests)
        # The stamps' ids (sorted) and updated_at, and the ids with corrections (see _changes); None:
        # to be made from the stamps when next needed.
        self._ids: np.ndarray | None = np.empty(0, dtype=np.int64)
        self._ups = np.empty(0, dtype=object)
        self._corrected: set[int] = set()
        # The matrix is the first rows of _buf (rows to spare let new reports be appended in place:
        # no frame handed out sees a row past its own end). _spare: an earlier _buf, reused once
        # unreferenced.
        self._buf = self.matrix
        self._spare: np.ndarray | None = None
        self.reused = 0  # how many patches copied into an earlier matrix (tests)
        # The journal read so far: the highest seq seen (None: not trusted, compare every stamp) and
        # the seqs below it not seen yet, each with (snapshot xmax tag or None, monotonic time noticed).
        self.journal_last: int | None = None
        self.gaps: dict[int, tuple[int | None, float]] = {}
        self.journal_epoch: int | None = None  # library_meta's journal_epoch when the journal was read
        self._lock = threading.Lock()  # one refresh at a time: it updates the stamps

    def meta_frame(self) -> pd.DataFrame:
        """The META columns of the last refresh's frame alone, as it holds them (no copy)."""
        return pd.DataFrame(dict(self._typed), copy=False)

    def refresh(self, conn: Connection) -> pd.DataFrame:
        """The dataset as the database holds it now (a new frame when anything changed)."""
        with self._lock:
            return self._refresh(conn)

    def _refresh(self, conn: Connection) -> pd.DataFrame:
        if self.frame is not None and self.journal_last is not None:
            changed = self._journal_changes(conn)
            if changed is not None:
                self.last_full_compare = False
                return self._reread(conn, changed)
        return self._compare_all(conn)

    # ------------------------------------------------------------------ the journal

    def _journal_changes(self, conn: Connection) -> list[int] | None:
        """The reports the journal lists since the last read (None: the journal cannot be trusted)."""
        assert self.journal_last is not None
        if _journal_state(conn) != (True, self.journal_epoch):
            return None  # dropped, or another journal (restored backup, made again)
        xmin = _snapshot(conn)[0]
        last = self.journal_last
        asked = sorted(self.gaps)
        query = f"SELECT seq, report_id FROM {_JOURNAL} WHERE seq > {int(last)}"
        if asked:
            query += f" OR seq IN ({','.join(str(int(g)) for g in asked)})"
        rows = conn.exec_driver_sql(query).all()
        lowest = conn.exec_driver_sql(f"SELECT min(seq) FROM {_JOURNAL}").scalar()
        needed = min([last + 1, *asked])
        if lowest is not None and lowest > needed:
            return None  # trimmed past what this reader still needs
        seen = {int(r[0]) for r in rows}
        for g in seen & self.gaps.keys():
            del self.gaps[g]
        now = time.monotonic()
        for g, (tag, since) in list(self.gaps.items()):
            if tag is not None and xmin is not None and xmin >= tag:
                del self.gaps[g]  # its writer ended before this read without a row: rolled back
            elif tag is None and now - since > GAP_SECONDS:
                return None
        top = max(seen, default=last)
        if top > last:
            self._note_gaps(conn, set(range(last + 1, top)) - seen, now)
            self.journal_last = top
        if len(self.gaps) > MAX_GAPS:
            return None
        return sorted({int(r[1]) for r in rows})

    def _note_gaps(self, conn: Connection, missing: set[int], now: float) -> None:
        if missing:
            tag = _snapshot(conn)[1]  # taken after the journal read that found them
            for g in missing:
                self.gaps[g] = (tag, now)

    def _journal_start(self, conn: Connection) -> bool:
        """Before a full comparison: where the journal stands (its newest seq, the gaps below it in
        the rows it keeps). False when the library has no journal."""
        self.gaps = {}
        self.journal_last = None
        present, self.journal_epoch = _journal_state(conn)
        if not present:
            return False
        seqs = [int(r[0]) for r in conn.exec_driver_sql(f"SELECT seq FROM {_JOURNAL} ORDER BY seq").all()]
        top = seqs[-1] if seqs else 0
        if conn.dialect.name == "postgresql":  # elsewhere one writer at a time: a hole stays one
            self._note_gaps(conn, set(range(seqs[0] if seqs else 1, top)) - set(seqs), time.monotonic())
        self.journal_last = top
        return True

    def _reread(self, conn: Connection, listed: list[int]) -> pd.DataFrame:
        """Patch the frame with the reports the journal listed (read again; the gone ones dropped)."""
        assert self.frame is not None
        if not listed:
            self.last_reread = 0
            return self.frame
        rows: list[Any] = []
        corrections: list[Any] = []
        for start in range(0, len(listed), _IN_CHUNK):
            ids = ",".join(str(int(i)) for i in listed[start : start + _IN_CHUNK])
            rows += conn.exec_driver_sql(f"{_COLUMNS}{_CURRENT} AND id IN ({ids})").all()
            corrections += conn.execute(
                select(Correction.report_id, Correction.key, Correction.new)
                .where(Correction.report_id.in_([int(i) for i in listed[start : start + _IN_CHUNK]]))
                .order_by(Correction.id)  # a report's corrections are all in its chunk: latest wins
            ).all()
        rows.sort(key=lambda r: r.id)
        by_report: dict[int, list] = {}
        for c in corrections:
            by_report.setdefault(c.report_id, []).append(c)
        read = {r.id for r in rows}
        left = [i for i in listed if i not in read and i in self.stamps]
        if len(read) > FULL_READ_SHARE * max(len(self.stamps), 1):
            return self._compare_all(conn)
        self._patch(conn, sorted(read), left, by_report, rows)
        self._ids = None
        self.frame = ds.frame_of(self.meta, self.matrix, self._typed)
        return self.frame

    # ------------------------------------------------------------------ every stamp compared

    def _compare_all(self, conn: Connection) -> pd.DataFrame:
        self.last_full_compare = True
        journal = self._journal_start(conn)  # first: whatever is written after it is read next time
        # The corrections first: their query opens the read transaction the stamps are then read in.
        corrections = conn.execute(
            select(Correction.report_id, Correction.key, Correction.new).order_by(Correction.id)
        ).all()
        ids, ups = _current_stamps(conn)
        by_report: dict[int, list] = {}
        for c in corrections:
            by_report.setdefault(c.report_id, []).append(c)
        changed, left = self._changes(ids, ups, by_report)
        if not journal:
            self.journal_last = None
        if self.frame is not None and not changed and not left:
            self.last_reread = 0
            return self.frame
        if self.frame is None or len(changed) > FULL_READ_SHARE * max(len(ids), 1):
            rows = conn.exec_driver_sql(_COLUMNS + _CURRENT + " ORDER BY id").all()
            self.stamps = {}
            self._remember(conn, rows, by_report)
            self.meta, self.matrix = ds.dataset_parts(rows, corrections, self.layouts)
            self._buf = self.matrix
            self._typed = ds.typed_meta(self.meta)
        else:
            self._patch(conn, changed, left, by_report, self._read(conn, changed))
        self._ids = None
        self.frame = ds.frame_of(self.meta, self.matrix, self._typed)
        return self.frame

    def _changes(
        self, ids: np.ndarray, ups: np.ndarray, by_report: dict[int, list]
    ) -> tuple[list[int], list[int]]:
        """The current reports whose stamp differs from the one the frame was built from (new ones
        included), and the reports of the frame that are no longer current.

        Column-wise over the sorted ids (every current report's ``updated_at`` is compared on each
        refresh; a dict per report cost ~0.1 s at 50,000); corrections are compared only for the
        reports that have or had any."""
        if self._ids is None:
            self._index_stamps()
        known_ids, known_ups = self._ids, self._ups
        assert known_ids is not None
        if len(known_ids) == len(ids) and np.array_equal(known_ids, ids):
            differs = ids[_differ(ups, known_ups)]
            left: list[int] = []
        else:
            at = np.searchsorted(known_ids, ids)
            at_ok = np.minimum(at, max(len(known_ids) - 1, 0))
            found = (at < len(known_ids)) & (known_ids[at_ok] == ids) if len(known_ids) else at < 0
            same = np.zeros(len(ids), dtype=bool)
            same[found] = ~_differ(ups[found], known_ups[at_ok[found]])
            differs = ids[~same]
            left = known_ids[~np.isin(known_ids, ids)].tolist()
        changed = set(differs.tolist())
        # Corrections: the reports with any now or when last read (few); a current one whose list
        # differs is changed.
        maybe = [i for i in {*by_report, *self._corrected} if i not in changed]
        if maybe:
            current = np.array(maybe, dtype=np.int64)
            current = current[np.isin(current, ids)]
            for i in current.tolist():
                stamp = self.stamps.get(i)
                if stamp is None or stamp[1] != _signature(by_report.get(i)):
                    changed.add(i)
        return sorted(changed), left

    def _copy_of_matrix(self) -> np.ndarray:
        """A copy of the matrix to patch. Into the buffer of the refresh before last when nothing else
        holds it any more: a frame, a column or any view of it holds a reference to the buffer (numpy
        views keep the array owning the memory as their base), so a reference count of two (the local
        name and the call's argument) means nobody can read it. A fresh 100 MB copy at 50,000 reports
        spends 0.15–0.5 s in page faults; copying into memory already mapped takes about 20 ms."""
        n = len(self.matrix)
        spare, self._spare = self._spare, self._buf
        if spare is not None and spare is not self._buf and len(spare) >= n and sys.getrefcount(spare) == 2:
            np.copyto(spare[:n], self.matrix)
            self.reused += 1
            self._buf = spare
        else:
            self._buf = np.empty((n + SPARE_ROWS, self.matrix.shape[1]))
            self._buf[:n] = self.matrix
        return self._buf[:n]

    def _index_stamps(self) -> None:
        """The stamps as sorted arrays (ids, ``updated_at``) for :meth:`_changes`, and the reports
        with corrections."""
        n = len(self.stamps)
        ids = np.fromiter(self.stamps.keys(), dtype=np.int64, count=n)
        ups = np.empty(n, dtype=object)
        ups[:] = [s[0] for s in self.stamps.values()]
        order = np.argsort(ids, kind="stable")
        self._ids, self._ups = ids[order], ups[order]
        self._corrected = {i for i, s in self.stamps.items() if s[1]}

    def _remember(self, conn: Connection, rows: Sequence[Any], by_report: dict[int, list]) -> None:
        """Record the stamps of ``rows`` (read now) and the layouts they use."""
        self.last_reread = len(rows)
        if not rows:
            return
        columns = ds.row_columns(rows)
        for report_id, updated_at in zip(columns["id"], columns["updated_at"], strict=True):
            self.stamps[report_id] = (updated_at, _signature(by_report.get(report_id)))
        missing = set(columns["layout_id"]) - set(self.layouts)
        if missing:  # layouts are never changed or deleted: each is read once
            query = select(ValueLayout.id, ValueLayout.keys).where(ValueLayout.id.in_(missing))
            self.layouts.update({r.id: r.keys for r in conn.execute(query)})

    @staticmethod
    def _read(conn: Connection, changed: list[int]) -> list[Any]:
        """The current rows of ``changed`` (a report superseded meanwhile is not read back)."""
        rows: list[Any] = []
        for start in range(0, len(changed), _IN_CHUNK):
            ids = ",".join(str(int(i)) for i in changed[start : start + _IN_CHUNK])
            rows += conn.exec_driver_sql(f"{_COLUMNS}{_CURRENT} AND id IN ({ids}) ORDER BY id").all()
        return rows

    def _patch(
        self, conn: Connection, changed: list[int], left: list[int], by_report: dict, rows: list[Any]
    ) -> None:
        """Drop the reports that left or changed from the parts, and add the changed ones read again.

        New arrays each time, published at the end: the frame handed out before may share memory
        with the old ones, and :meth:`Library.choices` reads ``meta`` unlocked."""
        for i in [*left, *changed]:
            self.stamps.pop(i, None)
        self._remember(conn, rows, by_report)
        read = {r.id for r in rows}
        meta, matrix = ds.dataset_parts(rows, [c for r in read for c in by_report.get(r, ())], self.layouts)
        old_ids = self.meta["report_id"].astype(np.int64)
        keep = ~np.isin(old_ids, np.array([*left, *changed], dtype=np.int64))
        kept = old_ids[keep]
        new_ids = meta["report_id"].astype(np.int64)
        if len(kept) == len(old_ids) - len(new_ids) and np.array_equal(np.sort(old_ids[~keep]), new_ids):
            # The same reports, some changed (a correction, an edit): rows replaced in one copy, or
            # none when their figures are what the frame holds (e.g. a metadata write).
            at = np.searchsorted(old_ids, new_ids)
            if not _same_values(self.matrix[at], matrix):
                patched = self._copy_of_matrix()
                patched[at] = matrix
                self.matrix = patched
            out_meta, typed = {}, dict(self._typed)
            for c, old in self.meta.items():
                if _same_objects(old[at], meta[c]):
                    out_meta[c] = old
                    continue
                out_meta[c] = old.copy()
                out_meta[c][at] = meta[c]
                typed[c] = ds.typed_meta({c: out_meta[c]})[c]
            self.meta, self._typed = out_meta, typed
            return
        joined = np.concatenate([kept, new_ids])
        order = np.argsort(joined, kind="stable")  # id order, as a full read
        # Usually already in order (new reports have the highest ids): one 100 MB copy, not two.
        ordered = bool(np.all(joined[:-1] <= joined[1:]))
        n, k = len(self.matrix), len(matrix)
        if ordered and keep.all():  # reports added after the last one: appended
            if len(self._buf) < n + k:  # no rows to spare: a new buffer with some
                buf = np.empty((n + k + SPARE_ROWS, self.matrix.shape[1]))
                buf[:n] = self.matrix
                self._spare, self._buf = self._buf, buf
            # Past the end of every frame handed out (they see rows [:n] at most): nobody reads these.
            self._buf[n : n + k] = matrix
            self.matrix = self._buf[: n + k]
        else:
            kept_rows = self.matrix if keep.all() else self.matrix[keep]
            self.matrix = np.concatenate([kept_rows, matrix])
            if not ordered:
                self.matrix = self.matrix[order]
            self._spare, self._buf = self._buf, self.matrix
        out_meta = {}
        for c in self.meta:
            column = np.concatenate([self.meta[c][keep], meta[c]])
            out_meta[c] = column if ordered else column[order]
        self._typed = ds.typed_meta(out_meta, self._typed, keep, meta, None if ordered else order)
        self.meta = out_meta


def _same_values(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two float arrays hold the same values, NaN equal to NaN."""
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


def _same_objects(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two object arrays hold equal values of the same types (1 and 1.0 differ: the frame's
    dtype could)."""
    return len(a) == len(b) and all(
        type(x) is type(y) and x == y for x, y in zip(a.tolist(), b.tolist(), strict=True)
    )


def _journal_state(conn: Connection) -> tuple[bool, int | None]:
    """Whether the journal is written (its table and every trigger writing it exist: a migration
    that rebuilds ``reports`` on SQLite would drop its triggers), and the journal's epoch
    (library.db.JOURNAL_EPOCH_KEY). One query that cannot fail when the table is gone (a failed
    statement would end a PostgreSQL transaction)."""
    dialect = conn.dialect.name
    names = ", ".join(f"'{n}'" for n in journal_triggers(dialect))
    if dialect == "postgresql":
        present = (
            f"to_regclass('{_JOURNAL}') IS NOT NULL AND (SELECT count(*) FROM pg_trigger WHERE tgname IN"
            f" ({names}) AND tgrelid IN (to_regclass('reports'), to_regclass('corrections'))) = {{n}}"
        )
    elif dialect == "sqlite":
        present = (
            f"EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{_JOURNAL}') AND"
            f" (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})) = {{n}}"
        )
    else:
        return False, None
    present = present.format(n=len(journal_triggers(dialect)))
    row = conn.exec_driver_sql(
        f"SELECT {present}, (SELECT value FROM library_meta WHERE key = '{JOURNAL_EPOCH_KEY}')"
    ).one()
    return bool(row[0]), None if row[1] is None else int(row[1])


def _snapshot(conn: Connection) -> tuple[int | None, int | None]:
    """(xmin, xmax) of the current snapshot on PostgreSQL: every transaction id below xmin has ended,
    none at or above xmax had started. (None, None) elsewhere."""
    if conn.dialect.name != "postgresql":
        return None, None
    row = conn.exec_driver_sql(
        "SELECT txid_snapshot_xmin(s), txid_snapshot_xmax(s) FROM (SELECT txid_current_snapshot() AS s) q"
    ).one()
    return int(row[0]), int(row[1])


def _differ(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise ``a != b`` of two object arrays of equal length, as booleans."""
    return np.fromiter((x != y for x, y in zip(a, b, strict=True)), dtype=bool, count=len(a))


def _current_stamps(conn: Connection) -> tuple[np.ndarray, np.ndarray]:
    """(id, updated_at) of every current report, sorted by id, as arrays: read through the driver's
    own cursor from ix_reports_current_stamp (SQLAlchemy's row objects cost more than the query)."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute("SELECT id, updated_at FROM reports" + _CURRENT + " ORDER BY id")
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=object)
    stamps = np.empty(len(rows), dtype=object)
    stamps[:] = [r[1] for r in rows]
    return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)), stamps


def _signature(corrections: list | None) -> tuple:
    """A report's corrections as a comparable value (none: the empty tuple)."""
    return tuple(tuple(c) for c in corrections) if corrections else ()

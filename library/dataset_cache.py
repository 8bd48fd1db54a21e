"""The library's dataset kept up to date after a write by re-reading only the reports that changed.

Rebuilding the dataset from every stored value blob costs about 1 s at 50,000 reports; after one
upload or one correction only a handful of rows differ. :class:`DatasetCache` keeps the frame of the
last read with, per current report, its stamp: ``updated_at`` (set by every write of the report's row:
add, re-parse, metadata, re-check after a correction) and its corrections. A refresh reads the stamps of
every current report (one narrow query) and all corrections, re-reads the rows whose stamp differs,
drops the reports that left (deleted or superseded), and builds a new frame; it never modifies a frame
it has handed out (other sessions may be reading it). When most reports changed it reads everything,
as the first read does. The result is the frame a full rebuild gives, row for row (tests compare both).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from library import dataset as ds
from library.db import Correction, ValueLayout

_COLUMNS = (
    "SELECT id, filename, agency, region, year, agency_type, template, checks_failed,"
    " unmatched_count, layout_id, values_blob, narrative_json, updated_at FROM reports"
)
_CURRENT = " WHERE superseded_by IS NULL"
_IN_CHUNK = 500  # ids per IN (...) list: well under SQLite's bound on parameters
# Above this share of changed reports a full read is cheaper than patching.
FULL_READ_SHARE = 0.25

Stamp = tuple[Any, tuple]


class DatasetCache:
    """The current dataset and the stamps of the rows it was built from (one per Library)."""

    def __init__(self) -> None:
        self.frame: pd.DataFrame | None = None
        # The parts the frame was assembled from (library.dataset.dataset_parts), patched after a write.
        self.meta: dict[str, np.ndarray] = {}
        self.matrix = np.empty((0, len(ds.VALUE_COLUMNS)))
        self.stamps: dict[int, Stamp] = {}
        self.layouts: dict[int, Sequence[str]] = {}
        self.last_reread = 0  # how many reports the last refresh read (tests, benchmarks)
        # The stamps' ids (sorted) and updated_at, and the ids with corrections (see _changes).
        self._ids = np.empty(0, dtype=np.int64)
        self._ups = np.empty(0, dtype=object)
        self._corrected: set[int] = set()
        self._spare: np.ndarray | None = None  # an earlier matrix, reused once unreferenced
        self.reused = 0  # how many patches copied into an earlier matrix (tests)
        self._lock = threading.Lock()  # one refresh at a time: it updates the stamps

    def refresh(self, conn: Connection) -> pd.DataFrame:
        """The dataset as the database holds it now (a new frame when anything changed)."""
        with self._lock:
            return self._refresh(conn)

    def _refresh(self, conn: Connection) -> pd.DataFrame:
        # The corrections first: their query opens the read transaction the stamps are then read in.
        corrections = conn.execute(
            select(Correction.report_id, Correction.key, Correction.new).order_by(Correction.id)
        ).all()
        ids, ups = _current_stamps(conn)
        by_report: dict[int, list] = {}
        for c in corrections:
            by_report.setdefault(c.report_id, []).append(c)
        changed, left = self._changes(ids, ups, by_report)
        if self.frame is not None and not changed and not left:
            self.last_reread = 0
            return self.frame
        if self.frame is None or len(changed) > FULL_READ_SHARE * max(len(ids), 1):
            rows = conn.exec_driver_sql(_COLUMNS + _CURRENT + " ORDER BY id").all()
            self.stamps = {}
            self._remember(conn, rows, by_report)
            self.meta, self.matrix = ds.dataset_parts(rows, corrections, self.layouts)
        else:
            self._patch(conn, changed, left, by_report)
        self._index_stamps()
        self.frame = ds.frame_of(self.meta, self.matrix)
        return self.frame

    def _changes(
        self, ids: np.ndarray, ups: np.ndarray, by_report: dict[int, list]
    ) -> tuple[list[int], list[int]]:
        """The current reports whose stamp differs from the one the frame was built from (new ones
        included), and the reports of the frame that are no longer current.

        Column-wise over the sorted ids (every current report's ``updated_at`` is compared on each
        refresh; a dict per report cost ~0.1 s at 50,000); corrections are compared only for the
        reports that have or had any."""
        known_ids, known_ups = self._ids, self._ups
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
        """A copy of the matrix to patch. Into the matrix of the refresh before last when nothing else
        holds it any more: a frame, a column or any view of it holds a reference to the array (numpy
        views keep their base), so a reference count of two (the attribute and the call's argument)
        means nobody can read it. A fresh 100 MB copy at 50,000 reports spends 0.15–0.5 s in page
        faults; copying into memory already mapped takes about 20 ms."""
        spare, self._spare = self._spare, self.matrix
        if spare is not None and spare.shape == self.matrix.shape and sys.getrefcount(spare) == 2:
            np.copyto(spare, self.matrix)
            self.reused += 1
            return spare
        return self.matrix.copy()

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

    def _patch(self, conn: Connection, changed: list[int], left: list[int], by_report: dict) -> None:
        """Drop the reports that left or changed from the parts, and add the changed ones read again.

        New arrays each time: the frame handed out before may share memory with the old ones."""
        rows: list[Any] = []
        for start in range(0, len(changed), _IN_CHUNK):
            ids = ",".join(str(int(i)) for i in changed[start : start + _IN_CHUNK])
            rows += conn.exec_driver_sql(f"{_COLUMNS}{_CURRENT} AND id IN ({ids}) ORDER BY id").all()
        for i in [*left, *changed]:  # a changed report superseded meanwhile is not read back
            self.stamps.pop(i, None)
        self._remember(conn, rows, by_report)
        read = {r.id for r in rows}
        meta, matrix = ds.dataset_parts(rows, [c for r in read for c in by_report.get(r, ())], self.layouts)
        old_ids = self.meta["report_id"].astype(np.int64)
        keep = ~np.isin(old_ids, np.array([*left, *changed], dtype=np.int64))
        kept = old_ids[keep]
        new_ids = meta["report_id"].astype(np.int64)
        if len(kept) == len(old_ids) - len(new_ids) and np.array_equal(np.sort(old_ids[~keep]), new_ids):
            # The same reports, some changed (a correction, an edit): one copy, rows replaced in place.
            at = np.searchsorted(old_ids, new_ids)
            self.matrix = self._copy_of_matrix()
            self.matrix[at] = matrix
            self.meta = {c: self.meta[c].copy() for c in self.meta}
            for c in self.meta:
                self.meta[c][at] = meta[c]
            return
        order = np.argsort(np.concatenate([kept, new_ids]), kind="stable")  # id order, as a full read
        self.matrix = np.concatenate([self.matrix[keep], matrix])[order]
        self.meta = {c: np.concatenate([self.meta[c][keep], meta[c]])[order] for c in self.meta}


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

"""Versions of one report: a corrected report uploaded again for the same agency, region and year.

An agency publishes one annual report per year, so stored reports with the same agency, region and
year (all three known, compared as stored) are versions of one report. The current version is the
one with the latest stated publication date when every version states one (ties: the one stored
last); otherwise the one stored last (highest id). Older versions keep everything (bytes, cells,
checks, corrections) but ``reports.superseded_by`` names the current version, and every analysis
(the dataset, the quality lists, the counts) reads current versions only, so a report is never
counted twice. The column is maintained by :func:`refresh_versions` in the transaction of every
write that can change a group (add, metadata edit, re-parse, delete) and built by migration 7.

The grouping reads the table through a lightweight :func:`sqlalchemy.table` rather than the
model, so the migration step keeps working when the model grows.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd
from sqlalchemy import Connection, Engine, column, select, table, text, update

from library.errors import LibraryError
from parsing.schema import CELLS, NARRATIVE_KEYS, key_label

if TYPE_CHECKING:
    from library.stored_report import StoredReport

VersionKey = tuple[str, str, int]  # (agency, region, year)

_reports = table(
    "reports",
    column("id"),
    column("agency"),
    column("region"),
    column("year"),
    column("published"),
    column("superseded_by"),
)


class Member(NamedTuple):
    """One report of a version group, as the ordering needs it."""

    id: int
    published: str | None


def version_key(agency: str | None, region: str | None, year: int | None) -> VersionKey | None:
    """The group a report belongs to, or None when agency, region or year is unknown (then it has
    no other version: two reports without a region may be two agencies of the same name)."""
    if not agency or not region or year is None:
        return None
    return (agency, region, int(year))


def ordered(members: Iterable[Member]) -> list[Member]:
    """Versions oldest first (the last one is current): by publication date when every version
    states one (ties by id), otherwise by id. One total order, so version numbers never cycle."""
    members = list(members)
    if all(m.published for m in members):
        return sorted(members, key=lambda m: (m.published or "", m.id))
    return sorted(members, key=lambda m: m.id)


def _superseded_by(members: Sequence[Member]) -> dict[int, int | None]:
    """report id → the id of its group's current version (None for the current one itself)."""
    if len(members) < 2:
        return {m.id: None for m in members}
    current = ordered(members)[-1].id
    return {m.id: None if m.id == current else current for m in members}


def _members(conn: Connection, key: VersionKey) -> list[Any]:
    agency, region, year = key
    stmt = select(_reports.c.id, _reports.c.published, _reports.c.superseded_by).where(
        _reports.c.agency == agency, _reports.c.region == region, _reports.c.year == year
    )
    return list(conn.execute(stmt))


def _set(conn: Connection, report_id: int, superseded_by: int | None) -> None:
    conn.execute(update(_reports).where(_reports.c.id == report_id).values(superseded_by=superseded_by))


def _regroup(conn: Connection, key: VersionKey) -> None:
    """Recompute ``superseded_by`` within one group, writing only the rows that change."""
    rows = _members(conn, key)
    wanted = _superseded_by([Member(r.id, r.published) for r in rows])
    for r in rows:
        if r.superseded_by != wanted[r.id]:
            _set(conn, r.id, wanted[r.id])


def key_of(conn: Connection, report_id: int) -> VersionKey | None:
    """The stored group key of one report (None when incomplete or when there is no such report)."""
    row = conn.execute(
        select(_reports.c.agency, _reports.c.region, _reports.c.year).where(_reports.c.id == report_id)
    ).first()
    return None if row is None else version_key(row.agency, row.region, row.year)


def refresh_versions(
    conn: Connection, report_ids: Iterable[int] = (), old_keys: Iterable[VersionKey | None] = ()
) -> None:
    """Bring ``superseded_by`` up to date after a write, inside the writer's transaction.

    ``report_ids``: the reports just added or changed (their current group is recomputed, and a
    report whose agency, region or year became unknown leaves every group); ``old_keys``: the
    groups they were in before the write (a metadata edit, a re-parse or a delete recomputes them,
    which promotes the previous version when the current one leaves).
    """
    keys = {k for k in old_keys if k is not None}
    for report_id in report_ids:
        key = key_of(conn, report_id)
        if key is None:
            _set(conn, report_id, None)
        else:
            keys.add(key)
    for key in sorted(keys):  # sorted: two writers take the group locks in one order (no deadlock)
        _lock_group(conn, key)
        _regroup(conn, key)


def _lock_group(conn: Connection, key: VersionKey) -> None:
    """On PostgreSQL, serialise writers of one group until commit: two sessions adding versions of one
    report at once would otherwise each miss the other's row and both stay current. (SQLite already
    serialises every write transaction.) After the wait, READ COMMITTED shows the other's row."""
    if conn.dialect.name != "postgresql":
        return
    digest = hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).digest()
    conn.execute(
        text("SELECT pg_advisory_xact_lock(:k)"), {"k": int.from_bytes(digest[:8], "big", signed=True)}
    )


def rebuild_versions(conn: Connection) -> None:
    """Compute ``superseded_by`` for the whole library (migration 7; also a repair tool)."""
    groups: dict[VersionKey, list[Member]] = {}
    stored: dict[int, int | None] = {}
    for r in conn.execute(select(_reports)):
        stored[r.id] = r.superseded_by
        key = version_key(r.agency, r.region, r.year)
        if key is not None:
            groups.setdefault(key, []).append(Member(r.id, r.published))
    wanted: dict[int, int | None] = dict.fromkeys(stored)
    for members in groups.values():
        wanted.update(_superseded_by(members))
    for report_id, value in wanted.items():
        if stored[report_id] != value:
            _set(conn, report_id, value)


# ---------------------------------------------------------------------- reading versions

VERSION_COLUMNS = ["report_id", "version", "current", "published", "filename", "created_at", "checks_failed"]


def version_name(number: int, total: int, superseded_by: int | None) -> str:
    """The 版本 column of 报告库: '第2版（当前）', '第1版（已被编号 9 取代）'; '' for a single version."""
    if total < 2:
        return ""
    if superseded_by is None:
        return f"第{number}版（当前）"
    return f"第{number}版（已被编号 {superseded_by} 取代）"


def version_numbers(conn: Connection) -> dict[int, tuple[int, int]]:
    """report id → (version number, number of versions), for the reports that have other versions."""
    current_ids = {
        r.superseded_by
        for r in conn.execute(select(_reports.c.superseded_by).where(_reports.c.superseded_by.is_not(None)))
    }
    if not current_ids:
        return {}
    rows = conn.execute(
        select(_reports.c.id, _reports.c.published, _reports.c.superseded_by).where(
            _reports.c.id.in_(current_ids) | _reports.c.superseded_by.in_(current_ids)
        )
    )
    groups: dict[int, list[Member]] = {}
    for r in rows:
        groups.setdefault(r.superseded_by or r.id, []).append(Member(r.id, r.published))
    out: dict[int, tuple[int, int]] = {}
    for members in groups.values():
        for n, m in enumerate(ordered(members), 1):
            out[m.id] = (n, len(members))
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal figures; a blank (None/NaN) equals only a blank, never 0."""
    blank_a = a is None or (isinstance(a, float) and math.isnan(a))
    blank_b = b is None or (isinstance(b, float) and math.isnan(b))
    if blank_a or blank_b:
        return blank_a and blank_b
    return float(a) == float(b)


def values_diff(old: dict[str, Any], new: dict[str, Any], order: Sequence[str]) -> pd.DataFrame:
    """The keys whose figure differs between two value maps (blank ≠ 0; a key absent from one side
    counts as blank there): key, label (Chinese), old, new; in ``order``, then any other key sorted."""
    keys = [k for k in order if k in old or k in new]
    keys += sorted((set(old) | set(new)) - set(keys))
    rows = [(k, key_label(k), old.get(k), new.get(k)) for k in keys if not _same(old.get(k), new.get(k))]
    df = pd.DataFrame(rows, columns=["key", "label", "old", "new"])
    df["old"] = pd.to_numeric(df["old"], errors="coerce").astype("float64")
    df["new"] = pd.to_numeric(df["new"], errors="coerce").astype("float64")
    return df


class LibraryVersions:
    """Versions of a report (mixin of ``Library``)."""

    engine: Engine
    if TYPE_CHECKING:

        def get(self, report_id: int) -> StoredReport | None: ...

    def versions_of(self, report_id: int) -> pd.DataFrame:
        """Every version of the report's group, oldest first (the last row is current).

        Columns: report_id, version (1, 2, …), current (bool), published, filename, created_at,
        checks_failed. One row when the report has no other version; empty when there is no report.
        """
        full = table(
            "reports",
            *(column(c) for c in ("id", "published", "filename", "created_at", "checks_failed")),
        )
        with self.engine.connect() as conn:
            key = key_of(conn, report_id)
            ids = [r.id for r in _members(conn, key)] if key is not None else [report_id]
            rows = conn.execute(select(full).where(full.c.id.in_(ids))).all()
        by_id = {r.id: r for r in rows}
        members = ordered(Member(r.id, r.published) for r in rows)
        records = [
            (
                m.id,
                n,
                n == len(members),
                m.published,
                by_id[m.id].filename,
                by_id[m.id].created_at,
                by_id[m.id].checks_failed,
            )
            for n, m in enumerate(members, 1)
        ]
        return pd.DataFrame(records, columns=VERSION_COLUMNS)

    def version_diff(self, old_id: int, new_id: int) -> pd.DataFrame:
        """The figures that differ between two stored reports (corrections applied, as every page
        shows them): key, label (Chinese), old, new (NaN = blank); in template order."""
        old, new = self.get(old_id), self.get(new_id)
        if old is None or new is None:
            missing = old_id if old is None else new_id
            raise LibraryError(f"报告 {missing} 不存在", f"no report {missing}")
        order = list(CELLS) + [f"n.{k}" for k in NARRATIVE_KEYS]
        return values_diff(old.values, new.values, order)

    def version_note(self, report_id: int) -> str | None:
        """What the upload page says after saving a report that has other versions (Chinese), or None:
        '已保存为“某单位（某地区）2023 年度报告”的第 2 版（编号 9，当前版本）；…'."""
        versions = self.versions_of(report_id)
        if len(versions) < 2:
            return None
        with self.engine.connect() as conn:
            key = key_of(conn, report_id)
        if key is None:  # a group always has a complete key; guards a concurrent metadata edit
            return None
        agency, region, year = key
        mine = versions[versions["report_id"] == report_id].iloc[0]
        others = "、".join(str(i) for i in versions["report_id"] if i != report_id)
        text = (
            f"已保存为“{agency}（{region}）{year} 年度报告”的第 {int(mine['version'])} 版（编号 {report_id}"
        )
        if bool(mine["current"]):
            return text + f"，当前版本）；其他版本（编号 {others}）保留在报告库中，不再计入统计。"
        current = int(versions["report_id"].iloc[-1])
        return text + f"）；当前版本仍为编号 {current}（发布日期更晚），本份保留但不计入统计。"


def _shown(value: float) -> str:
    """A figure as the diff table shows it: blank says 空白 (never 0)."""
    return "空白" if pd.isna(value) else f"{value:.10g}"


def diff_table(diff: pd.DataFrame, old_header: str, new_header: str) -> pd.DataFrame:
    """:meth:`LibraryVersions.version_diff` for display: 项目, 字段键, the two versions' figures as text."""
    return pd.DataFrame(
        {
            "项目": diff["label"],
            old_header: diff["old"].map(_shown),
            new_header: diff["new"].map(_shown),
            "字段键": diff["key"],
        }
    )

"""The roster (机关名录) in the library: import, edit, export, reviewer links and publication dates.

:class:`LibraryRoster` is a mixin of :class:`library.store.Library` (it uses ``self.engine`` and
``self._write``). The reading and writing of files is in :mod:`library.roster_io`, the linking of
reports to entries in :mod:`library.roster_link` and the year's table in :mod:`library.completeness`;
this module only stores and loads.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from library import audit
from library.access import ALL, Scope
from library.collect.store import COLUMN, REPORT, entry_sources, set_entry_sources
from library.completeness import Completeness, completeness, effective_dates
from library.db import CollectSource, PublicationDate, Report, RosterEntry, RosterLink, inserted_id, utcnow
from library.deadlines import LEVELS
from library.errors import LibraryError
from library.filters import Filters
from library.roster_io import RosterRead, RosterRow, export_csv, export_xlsx, read_roster
from library.roster_link import Link, RosterItem, link_reports, normalize_name, region_key
from library.visibility import entry_visible, visible_mask

if TYPE_CHECKING:
    from library.store import Library

LINK_COLUMNS = [
    "report_id",
    "agency",
    "region",
    "year",
    "agency_type",
    "entry_id",
    "entry_name",
    "tier",
    "score",
    "saved",
]


@dataclass
class RosterImport:
    """What an import did: rows added and updated, rows skipped (number, reason) and file notes."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _entry_row(row: RosterRow) -> dict:
    return {
        "name": row.name,
        "agency_type": row.agency_type or None,
        "region": row.region or None,
        "level": row.level,
        "aliases": list(row.aliases),
    }


def check_rows(rows: list[RosterRow]) -> list[str]:
    """Problems of an edited roster, in Chinese (empty when it can be saved)."""
    problems = []
    seen: dict[tuple[str, str], int] = {}
    for n, row in enumerate(rows, start=1):
        if not row.name.strip():
            problems.append(f"第 {n} 行：名称为空")
        elif row.key in seen:
            problems.append(f"第 {n} 行：与第 {seen[row.key]} 行重复（名称和地区相同）")
        else:
            seen[row.key] = n
        if row.level not in LEVELS:
            problems.append(f"第 {n} 行：层级“{row.level}”无法识别（应为 {'、'.join(LEVELS)}）")
    return problems


def _in_scope(row: RosterRow, scope: Scope | None) -> bool:
    return (scope is not None and scope.unrestricted) or entry_visible(row.name, row.region, scope)


def out_of_scope(rows: list[RosterRow], scope: Scope | None) -> list[str]:
    """Rows an account may not write (an entry of a region outside its scope), in Chinese."""
    return [
        f"第 {n} 行：“{row.name}”不在本账户的地区范围内"
        for n, row in enumerate(rows, 1)
        if not _in_scope(row, scope)
    ]


class LibraryRoster:
    """Roster, reviewer links and publication dates (mixin of ``Library``)."""

    engine: Engine
    if TYPE_CHECKING:

        def _write(self) -> AbstractContextManager[Connection]: ...

    # ------------------------------------------------------------------ the roster

    def roster(self, scope: Scope | None = ALL) -> list[RosterRow]:
        """Every roster entry ``scope`` lets through (its region, else the region its name states), by
        region then name."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    RosterEntry.id,
                    RosterEntry.name,
                    RosterEntry.agency_type,
                    RosterEntry.region,
                    RosterEntry.level,
                    RosterEntry.aliases,
                ).order_by(RosterEntry.region, RosterEntry.name, RosterEntry.id)
            ).all()
            urls = entry_sources(conn)
        entries = [
            RosterRow(
                r.name,
                r.agency_type,
                r.region,
                r.level,
                tuple(r.aliases or ()),
                r.id,
                next((u for k, u in urls.get(r.id, ()) if k == COLUMN), None),
                tuple(u for k, u in urls.get(r.id, ()) if k == REPORT),
            )
            for r in rows
        ]
        return [e for e in entries if _in_scope(e, scope)]

    def import_roster(
        self,
        data: bytes,
        filename: str,
        *,
        replace: bool = False,
        who: str | None = None,
        scope: Scope | None = ALL,
    ) -> RosterImport:
        """Read an Excel/CSV roster and store it: rows of an agency already listed (same name and
        region) update it, others are added; ``replace`` removes the entries the file does not list
        (with their reviewer links). Nothing is written when the file yields no row. Within ``scope``:
        rows of other regions are skipped, and ``replace`` removes only entries of the scope. The audit
        trail gets the entries added, changed and removed, with ``who``."""
        read: RosterRead = read_roster(data, filename)
        result = RosterImport(skipped=list(read.skipped), notes=list(read.notes))
        outside = [row for row in read.rows if not _in_scope(row, scope)]
        if outside:
            result.notes.append(
                f"{len(outside)} 个机关不在本账户的地区范围内，未导入："
                + "、".join(r.name for r in outside[:10])
            )
            read = RosterRead([row for row in read.rows if _in_scope(row, scope)], read.skipped, read.notes)
        if not read.rows:
            return result
        stored = {r.key: r for r in self.roster(scope)}
        with self._write() as conn:
            now = utcnow()
            change = _Change()
            for row in read.rows:
                old = stored.get(row.key)
                if old is not None and not read.url_columns:  # the file says nothing of the sources
                    row = dataclass_replace(row, column_url=old.column_url, report_urls=old.report_urls)
                change.note(old, row)
                if old is None:
                    entry_id = inserted_id(
                        conn.execute(
                            insert(RosterEntry).values(**_entry_row(row), created_at=now, updated_at=now)
                        )
                    )
                    result.added += 1
                else:
                    conn.execute(
                        update(RosterEntry)
                        .where(RosterEntry.id == old.id)
                        .values(**_entry_row(row), updated_at=now)
                    )
                    entry_id = int(old.id or 0)
                    result.updated += 1
                if read.url_columns:  # a file without the URL columns leaves the sources as they are
                    set_entry_sources(conn, entry_id, row.column_url or "", row.report_urls, who)
            if replace:
                listed = {r.key for r in read.rows}
                gone = [r for k, r in stored.items() if k not in listed and r.id is not None]
                result.removed = self._delete_entries(conn, [r.id for r in gone if r.id is not None])
                change.remove(gone)
            change.record(conn, audit.ROSTER_IMPORT, f"导入名录“{filename}”", who)
        return result

    def save_roster(
        self, rows: list[RosterRow], *, who: str | None = None, scope: Scope | None = ALL
    ) -> RosterImport:
        """Store an edited roster: rows with an id are updated, rows without one added, stored entries
        left out deleted (with their reviewer links). Refused with the problems when it is invalid.
        ``rows`` is the part of the roster ``scope`` lets through: only that part is replaced, and a row
        outside it is refused. The audit trail gets the entries added, changed and removed, with ``who``."""
        problems = check_rows(rows) + out_of_scope(rows, scope)
        if problems:
            raise LibraryError("名录未保存：" + "；".join(problems), f"invalid roster: {problems}")
        result = RosterImport()
        stored = {r.id: r for r in self.roster(scope)}
        with self._write() as conn:
            now = utcnow()
            change = _Change()
            for row in rows:
                old = stored.get(row.id) if row.id is not None else None
                if old is not None and not (row.column_url or row.report_urls):
                    # The table of entries does not show the sources (the sources table does): kept.
                    row = dataclass_replace(row, column_url=old.column_url, report_urls=old.report_urls)
                # An id outside the scope's part is never updated: the row is added as a new entry.
                change.note(old, row)
                if row.id in stored:
                    conn.execute(
                        update(RosterEntry)
                        .where(RosterEntry.id == row.id)
                        .values(**_entry_row(row), updated_at=now)
                    )
                    entry_id = int(row.id or 0)
                    result.updated += 1
                else:
                    entry_id = inserted_id(
                        conn.execute(
                            insert(RosterEntry).values(**_entry_row(row), created_at=now, updated_at=now)
                        )
                    )
                    result.added += 1
                if row.column_url or row.report_urls:
                    set_entry_sources(conn, entry_id, row.column_url or "", row.report_urls, who)
            kept = {r.id for r in rows}
            gone = [r for i, r in stored.items() if i not in kept and i is not None]
            result.removed = self._delete_entries(conn, [r.id for r in gone if r.id is not None])
            change.remove(gone)
            change.record(conn, audit.ROSTER_EDIT, "编辑名录", who)
        return result

    @staticmethod
    def _delete_entries(conn: Connection, ids: list[int]) -> int:
        if not ids:
            return 0
        conn.execute(delete(RosterLink).where(RosterLink.entry_id.in_(ids)))
        conn.execute(delete(CollectSource).where(CollectSource.entry_id.in_(ids)))
        return conn.execute(delete(RosterEntry).where(RosterEntry.id.in_(ids))).rowcount

    def export_roster(self, fmt: str = "xlsx", scope: Scope | None = ALL) -> bytes:
        """The roster (the entries ``scope`` lets through) as an Excel workbook (``xlsx``) or a CSV file
        (``csv``), importable again."""
        rows = self.roster(scope)
        return export_csv(rows) if fmt == "csv" else export_xlsx(rows)

    # ------------------------------------------------------------------ reviewer links

    def saved_links(self) -> dict[tuple[str, str], int | None]:
        """The reviewers' links: (normalised agency, region key) → entry id (None: not in the roster)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(RosterLink.agency_key, RosterLink.region_key, RosterLink.entry_id)
            ).all()
        return {(r.agency_key, r.region_key): r.entry_id for r in rows}

    def save_link(
        self,
        agency: str,
        region: str | None,
        entry_id: int | None,
        *,
        report_id: int | None = None,
        who: str | None = None,
    ) -> None:
        """Link an agency name in a region to a roster entry (None: "not in the roster"), for every
        report with that name and region, later ones included."""
        key = normalize_name(agency)
        if not key:
            raise LibraryError("报告没有单位名称，无法关联名录", "no agency name to link")
        with self._write() as conn:
            if (
                entry_id is not None
                and conn.execute(select(RosterEntry.id).where(RosterEntry.id == entry_id)).scalar() is None
            ):
                raise LibraryError("名录中没有这个机关（可能已被删除）", f"no roster entry {entry_id}")
            rkey = region_key(region)
            before = _link_of(conn, key, rkey)
            conn.execute(
                delete(RosterLink).where(RosterLink.agency_key == key, RosterLink.region_key == rkey)
            )
            conn.execute(
                insert(RosterLink).values(
                    agency_key=key,
                    region_key=rkey,
                    entry_id=entry_id,
                    report_id=report_id,
                    who=who,
                    created_at=utcnow(),
                )
            )
            after = _link_of(conn, key, rkey)
            _record_link(conn, audit.ROSTER_LINK, agency, region, report_id, before, after, who)

    def remove_link(self, agency: str, region: str | None, *, who: str | None = None) -> bool:
        """Forget a reviewer's link (the automatic tiers decide again); False when there was none.
        Recorded in the audit trail with ``who``."""
        key, rkey = normalize_name(agency), region_key(region)
        with self._write() as conn:
            before = _link_of(conn, key, rkey)
            if before is None:
                return False
            conn.execute(
                delete(RosterLink).where(RosterLink.agency_key == key, RosterLink.region_key == rkey)
            )
            _record_link(conn, audit.ROSTER_UNLINK, agency, region, None, before, None, who)
            return True

    # ------------------------------------------------------------------ publication dates

    def set_publication_date(
        self, report_id: int, published: date | None, *, who: str | None = None, note: str = ""
    ) -> None:
        """Enter or correct a report's publication date (None: withdraw it, the report's own date counts)."""
        with self._write() as conn:
            if conn.execute(select(Report.id).where(Report.id == report_id)).scalar() is None:
                raise LibraryError("报告不存在（可能已被删除）", f"no report {report_id}")
            before = _date_of(conn, report_id)
            conn.execute(
                insert(PublicationDate).values(
                    report_id=report_id,
                    published=published.isoformat() if published else None,
                    note=note,
                    who=who,
                    created_at=utcnow(),
                )
            )
            context = audit.report_context(conn, report_id)
            shown = published.isoformat() if published else "撤回录入，以报告所载日期为准"
            audit.record_report(
                conn,
                audit.PUBLICATION_DATE,
                report_id,
                who=who,
                summary=f"{audit.report_name(context, report_id)}的发布日期：{shown}",
                before=before,
                after={"published": published.isoformat() if published else None, "note": note},
                context=context,
            )

    def publication_dates(self, report_ids: list[int] | None = None) -> pd.DataFrame:
        """Reviewers' dates, latest per report: report_id, published, note, who, created_at."""
        stmt = select(
            PublicationDate.id,
            PublicationDate.report_id,
            PublicationDate.published,
            PublicationDate.note,
            PublicationDate.who,
            PublicationDate.created_at,
        ).order_by(PublicationDate.id)
        if report_ids is not None:
            stmt = stmt.where(PublicationDate.report_id.in_([int(i) for i in report_ids]))
        with self.engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(stmt)]
        frame = pd.DataFrame(rows, columns=["id", "report_id", "published", "note", "who", "created_at"])
        return frame.drop_duplicates("report_id", keep="last").drop(columns="id").reset_index(drop=True)

    # ------------------------------------------------------------------ reports against the roster

    def _year_reports(self, year: int | None) -> pd.DataFrame:
        """The current reports (of ``year``) in id order: report_id, agency, region, year, agency_type,
        published, published_source (an older version of a report is not published again).

        Read from ``ix_reports_current_meta`` through the driver's own cursor: at 50,000 reports
        SQLAlchemy's row objects cost three times the query (every column is a plain int or string)."""
        sql = (
            "SELECT id, agency, region, year, agency_type, published, published_source FROM reports"
            " WHERE superseded_by IS NULL"
            + (f" AND year = {int(year)}" if year is not None else "")  # an int: nothing to escape
            + " ORDER BY id"
        )
        names = ["report_id", "agency", "region", "year", "agency_type", "published", "published_source"]
        with self.engine.connect() as conn:
            cursor = conn.connection.cursor()
            try:
                cursor.execute(sql)
                rows = cursor.fetchall()
            finally:
                cursor.close()
        if not rows:
            return pd.DataFrame([], columns=names)
        # Column by column (the dtypes pandas infers are those of a frame built row by row).
        return pd.DataFrame(dict(zip(names, (list(c) for c in zip(*rows, strict=True)), strict=True)))

    def _link_memo(
        self, items: list[RosterItem], saved: dict[tuple[str, str], int | None]
    ) -> dict[tuple[str | None, str | None], Link]:
        """The links made so far with exactly this roster and these reviewer links, by (agency, region):
        a write that changes neither (an upload, a correction) links only names not seen before."""
        key = (tuple(items), tuple(sorted(saved.items(), key=repr)))
        memo = self.__dict__.get("_roster_link_memo")
        if memo is None or memo[0] != key:
            memo = (key, {})
            self.__dict__["_roster_link_memo"] = memo
        return memo[1]

    def report_links(self, year: int | None = None) -> tuple[pd.DataFrame, dict[int, Link]]:
        """Every report (of ``year``) with the roster entry it is linked to: :data:`LINK_COLUMNS`, and
        the links by report id."""
        reports = self._year_reports(year)
        entries = self.roster()
        saved = self.saved_links()
        items = [RosterItem(e.id or 0, e.name, e.region, e.aliases) for e in entries]
        ids = reports["report_id"].astype(int).tolist()
        agencies, regions = reports["agency"].tolist(), reports["region"].tolist()
        links = link_reports(
            zip(ids, agencies, regions, strict=True), items, saved, self._link_memo(items, saved)
        )
        names = {e.id: e.name for e in entries}
        # The table's cells of each distinct link once (a name shared by many reports has one link).
        cells: dict[int, tuple] = {}
        for link in links.values():
            if id(link) not in cells:
                name = names.get(link.entry_id) if link.entry_id is not None else None
                cells[id(link)] = (link.entry_id, link.tier, round(link.score, 1), name)
        entry_ids, tiers, scores, entry_names = (
            zip(*(cells[id(links[i])] for i in ids), strict=True) if ids else ((), (), (), ())
        )
        table = reports.drop(columns=["published", "published_source"]).assign(
            entry_id=pd.Series(list(entry_ids), dtype=object),
            tier=list(tiers),
            score=list(scores),
        )
        table["entry_name"] = pd.Series(list(entry_names), index=table.index, dtype=object)
        table["saved"] = table["tier"] == "reviewer"
        return table[LINK_COLUMNS], links

    def completeness(
        self, year: int, filters: Filters | None = None, today: date | None = None
    ) -> Completeness:
        """The year's 发布情况 (see :mod:`library.completeness`) for the regions and agency types of
        ``filters`` (the other filters do not apply to a roster), within their scope: the roster entries
        and the reports the scope lets through."""
        scope = filters.scope if filters else ALL
        reports = self._year_reports(year)
        if scope is None or not scope.unrestricted:
            reports = reports[visible_mask(reports, scope)].reset_index(drop=True)
        _, links = self.report_links(year)
        reviewer = self.publication_dates(list(reports["report_id"]))
        dated = effective_dates(reports, dict(zip(reviewer["report_id"], reviewer["published"], strict=True)))
        return completeness(
            self.roster(scope),
            dated,
            links,
            year,
            today or date.today(),
            regions=filters.regions if filters else (),
            agency_types=filters.agency_types if filters else (),
        )


def _entry_text(row: RosterRow) -> str:
    """One roster entry as the audit trail shows it: '某县教育局（某县，部门，教育；别名：县教育局）'."""
    parts = [row.region or "地区不详", row.level] + ([row.agency_type] if row.agency_type else [])
    aliases = f"；别名：{'/'.join(row.aliases)}" if row.aliases else ""
    urls = f"；年报栏目：{row.column_url}" if row.column_url else ""
    urls += f"；报告网址：{' '.join(row.report_urls)}" if row.report_urls else ""
    return f"{row.name}（{'，'.join(parts)}{aliases}{urls}）"


def _same_entry(old: RosterRow, new: RosterRow) -> bool:
    return _entry_row(old) == _entry_row(new) and (old.column_url or None, old.report_urls) == (
        new.column_url or None,
        new.report_urls,
    )


@dataclass
class _Change:
    """The roster entries one import or edit adds, changes and removes (for its audit record)."""

    added: list[str] = field(default_factory=list)
    changed_from: list[str] = field(default_factory=list)
    changed_to: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    regions: set[str | None] = field(default_factory=set)

    def note(self, old: RosterRow | None, new: RosterRow) -> None:
        """Note one row written: added when ``old`` is None, changed when it differs."""
        if old is None:
            self.added.append(_entry_text(new))
        elif not _same_entry(old, new):
            self.changed_from.append(_entry_text(old))
            self.changed_to.append(_entry_text(new))
            self.regions.add(old.region or None)
        else:
            return
        self.regions.add(new.region or None)

    def remove(self, rows: list[RosterRow]) -> None:
        """Note the rows deleted."""
        self.removed += [_entry_text(r) for r in rows]
        self.regions |= {r.region or None for r in rows}

    def record(self, conn: Connection, action: str, what: str, who: str | None) -> None:
        """One audit record of the whole import or edit (a region only when every change is in one)."""
        counts = f"新增 {len(self.added)} 个、修改 {len(self.changed_to)} 个、删除 {len(self.removed)} 个机关"
        regions = self.regions
        audit.record(
            conn,
            action,
            who=who,
            target_kind="roster",
            summary=f"{what}：{counts}",
            before={"updated": self.changed_from, "removed": self.removed},
            after={"added": self.added, "updated": self.changed_to},
            region=next(iter(regions)) if len(regions) == 1 else None,
        )


def _link_of(conn: Connection, key: str, rkey: str) -> dict | None:
    """A saved link as the audit trail shows it ({'entry': name or 不在名录中}), None when there is none."""
    row = conn.execute(
        select(RosterLink.entry_id, RosterEntry.name, RosterEntry.region)
        .outerjoin(RosterEntry, RosterEntry.id == RosterLink.entry_id)
        .where(RosterLink.agency_key == key, RosterLink.region_key == rkey)
    ).first()
    if row is None:
        return None
    if row.entry_id is None:
        return {"entry": "不在名录中"}
    return {"entry": f"{row.name}（{row.region or '地区不详'}，名录编号 {row.entry_id}）"}


def _record_link(
    conn: Connection,
    action: str,
    agency: str,
    region: str | None,
    report_id: int | None,
    before: dict | None,
    after: dict | None,
    who: str | None,
) -> None:
    context = audit.report_context(conn, report_id)
    name = f"{agency}（{region}）" if region else agency
    what = "取消" if action == audit.ROSTER_UNLINK else "保存"
    audit.record(
        conn,
        action,
        who=who,
        target_kind="roster_link",
        target_id=name,
        summary=f"{what}“{name}”与名录的关联",
        before=before,
        after=after,
        agency=agency,
        region=region or None,
        year=context.get("year"),
    )


def _date_of(conn: Connection, report_id: int) -> dict:
    """The publication date that counted before a reviewer's entry: the last entry, else the report's."""
    row = conn.execute(
        select(PublicationDate.published, PublicationDate.note)
        .where(PublicationDate.report_id == report_id)
        .order_by(PublicationDate.id.desc())
        .limit(1)
    ).first()
    if row is not None:
        return {"published": row.published, "note": row.note}
    stated = conn.execute(select(Report.published).where(Report.id == report_id)).scalar()
    return {"published": stated, "note": "报告所载日期" if stated else ""}


def roster_of(lib: LibraryRoster, filters: Filters) -> list[RosterRow]:
    """The roster within the filters' scope for ``components.state.from_library`` (the other filters do
    not apply to a roster)."""
    return lib.roster(filters.scope)


def report_links_of(lib: LibraryRoster, filters: Filters, year: int | None) -> pd.DataFrame:
    """The link table of one year (or all years) for ``components.state.from_library``; the sidebar
    filters of regions and types select the reports, within the filters' scope."""
    table, _ = lib.report_links(year)
    chosen = Filters(regions=filters.regions, agency_types=filters.agency_types, scope=filters.scope)
    return chosen.apply(table.assign(template=None))[LINK_COLUMNS]


@dataclass(frozen=True)
class RosterContext:
    """What the roster adds to the findings: levels and reviewers' dates of linked reports, and the
    roster agencies without a report (see :func:`library.findings.findings_of`)."""

    levels: dict[int, str]
    published: dict[int, str]
    missing: list[tuple[str, str | None, int]]

    @property
    def empty(self) -> bool:
        """True when the roster adds nothing (no roster, no reviewer's date)."""
        return not (self.levels or self.published or self.missing)


def roster_context(lib: LibraryRoster, filters: Filters, years: list[int]) -> RosterContext:
    """The roster's levels, the reviewers' dates and, for each of ``years``, the roster agencies (in the
    filters' regions and types) whose report is missing after the deadline."""
    entries = {e.id: e for e in lib.roster()}
    levels: dict[int, str] = {}
    if entries:
        _, links = lib.report_links(None)
        for rid, link in links.items():
            entry = entries.get(link.entry_id) if link.entry_id is not None else None
            if entry is not None and entry.level:
                levels[int(rid)] = entry.level
    dates = lib.publication_dates()
    published = {
        int(r): str(p)
        for r, p in zip(dates["report_id"], dates["published"], strict=True)
        if isinstance(p, str)
    }
    missing: list[tuple[str, str | None, int]] = []
    for year in years if entries else []:
        table = lib.completeness(int(year), filters).entries
        gone = table[table["status"] == "missing"]
        missing += [(str(n), r or None, int(year)) for n, r in zip(gone["name"], gone["region"], strict=True)]
    return RosterContext(levels, published, missing)


_OPEN_PAIRS_IN_SQL = 500  # unlinked (agency, region) pairs named in the SQL; more: filtered while reading


def report_links_page(
    lib: Library, filters: Filters, only_open: bool, limit: int
) -> tuple[int, int, pd.DataFrame]:
    """What 名录's link table shows, for ``components.state.from_library``: how many reports the
    filters' regions, agency types and scope select, how many of them are listed (all, or with
    ``only_open`` those linked to no entry), and the first ``limit`` listed in id order with the
    columns of :func:`report_links_of` (``year`` as Int64). Equal to filtering and counting that
    table, but O(agencies + shown), not O(reports): the links are made per distinct (agency, region)
    of the selected reports (one grouped read of an index), and only the shown reports are read."""
    from library.queries import CURRENT, _pairs_condition  # the roster is a mixin of the store

    chosen = Filters(regions=filters.regions, agency_types=filters.agency_types, scope=filters.scope)
    grouped = select(Report.agency, Report.region, func.count()).where(CURRENT)
    grouped = lib._where_filters(grouped, chosen).group_by(Report.agency, Report.region)
    entries = lib.roster()
    saved = lib.saved_links()
    items = [RosterItem(e.id or 0, e.name, e.region, e.aliases) for e in entries]
    names = {e.id: e.name for e in entries}
    with lib.engine.connect() as conn:
        pairs = [tuple(r) for r in conn.execute(grouped)]
        links = link_reports(
            ((n, p[0], p[1]) for n, p in enumerate(pairs)), items, saved, lib._link_memo(items, saved)
        )
        link_of = {(p[0], p[1]): links[n] for n, p in enumerate(pairs)}
        listed = [p for p in pairs if not only_open or link_of[(p[0], p[1])].entry_id is None]
        n_all, n_listed = sum(int(p[2]) for p in pairs), sum(int(p[2]) for p in listed)
        rows: list[tuple] = []
        if n_listed and limit > 0:
            stmt = select(Report.id, Report.agency, Report.region, Report.year, Report.agency_type)
            stmt = lib._where_filters(stmt.where(CURRENT), chosen).order_by(Report.id)
            if len(listed) == len(pairs):
                rows = [tuple(r) for r in conn.execute(stmt.limit(limit))]
            elif len(listed) <= _OPEN_PAIRS_IN_SQL:
                where = _pairs_condition([(p[0], p[1]) for p in listed])
                rows = [tuple(r) for r in conn.execute(stmt.where(where).limit(limit))]
            else:  # many unlinked names: they are common, so the first ``limit`` come early
                wanted = {(p[0], p[1]) for p in listed}
                for r in conn.execute(stmt.execution_options(yield_per=1000)):
                    if (r[1], r[2]) in wanted:
                        rows.append(tuple(r))
                        if len(rows) >= limit:
                            break
    cells = []
    for rid, agency, region, year, agency_type in rows:
        link = link_of[(agency, region)]
        name = names.get(link.entry_id) if link.entry_id is not None else None
        cells.append(
            (rid, agency, region, year, agency_type, link.entry_id, name, link.tier, round(link.score, 1))
        )
    values = dict(zip(LINK_COLUMNS[:-1], (list(c) for c in zip(*cells, strict=True)), strict=False))
    # The dtypes of report_links' table (inferred for the texts; None, not NaN, for a missing entry).
    table = pd.DataFrame(
        {
            column: pd.Series(values.get(column, []), dtype=dtype)
            for column, dtype in zip(
                LINK_COLUMNS[:-1],
                ("int64", None, None, "Int64", None, object, object, None, "float64"),
                strict=True,
            )
        }
    )
    table["saved"] = table["tier"] == "reviewer"
    return n_all, n_listed, table[LINK_COLUMNS]

"""The audit trail (操作记录): who changed what in the library, when, and what it was before and after.

Every library write calls :func:`record` on its own connection, inside its own transaction, so a change
never lands without its record and a record never exists for a change that was rolled back. Events
that change no row (a 整改通知单 or 通报 generated and downloaded) are recorded by
:meth:`LibraryAudit.record_event` in a transaction of their own. The trail is append-only.

Reading: :func:`entries` (newest first, filtered by :class:`AuditQuery`, limited), :func:`count`,
:func:`people` and :func:`export_frame` (Chinese headers, before/after as readable text). No Streamlit
here: the 操作记录 page (app_pages/audit.py) only shows what this module returns.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Select, func, insert, or_, select

from library.config import WRITE_OPTION
from library.db import AuditEntry, Report, inserted_id, utcnow
from parsing.vocabulary import AUDIT_ACTION_NAMES, AUDIT_FIELD_NAMES, AUDIT_TARGET_NAMES

# Action codes (their Chinese names: parsing.vocabulary.AUDIT_ACTION_NAMES).
REPORT_UPLOAD = "report_upload"
REPORT_DELETE = "report_delete"
REPORT_REPARSE = "report_reparse"
METADATA_EDIT = "metadata_edit"
CELL_CORRECTION = "cell_correction"
CORRECTION_WITHDRAWN = "correction_withdrawn"
LABEL_OVERRIDE = "label_override"
LABEL_OVERRIDE_REMOVED = "label_override_removed"
FINDING_STATUS = "finding_status"
ROSTER_IMPORT = "roster_import"
ROSTER_EDIT = "roster_edit"
ROSTER_LINK = "roster_link"
ROSTER_UNLINK = "roster_unlink"
PUBLICATION_DATE = "publication_date"
NOTICE_GENERATED = "notice_generated"
BRIEFING_GENERATED = "briefing_generated"
ACCOUNT_CREATED = "account_created"  # for the accounts (library/accounts.py): record(conn, ACCOUNT_…, …)
ACCOUNT_CHANGED = "account_changed"
ACCOUNT_DELETED = "account_deleted"
COLLECT_RUN = "collect_run"  # a collection or re-check from the agencies' websites (library/collect)
COLLECT_SOURCES = "collect_sources"
SETTING_CHANGED = "setting_changed"
ACTIONS: tuple[str, ...] = tuple(AUDIT_ACTION_NAMES)

SYSTEM = "系统"  # the "who" of changes no person made (the re-parse after a parser update)
CLI = "命令行"  # the "who" of the command line when no name is given
# Chinese offices all keep Beijing time (no daylight saving): times are shown and filtered in it.
BEIJING = timezone(timedelta(hours=8), "北京时间")
DEFAULT_LIMIT = 500

COLUMNS = [
    "id",
    "at",
    "who",
    "action",
    "target_kind",
    "target_id",
    "agency",
    "region",
    "year",
    "summary",
    "before",
    "after",
]
HEADERS = {  # in the order of the page's table and the export: what happened first, then what about
    "at": "时间（北京时间）",
    "who": "操作人",
    "action": "操作",
    "summary": "摘要",
    "before": "修改前",
    "after": "修改后",
    "target": "对象",
    "agency": "单位",
    "region": "地区",
    "year": "年度",
}


# ---------------------------------------------------------------------- writing


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON: dates as ISO text, NaN as None (a blank is not a zero), numpy scalars
    as Python numbers, enums by value, other objects as text."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        return jsonable(value.item())
    return str(value)


def record(
    conn: Connection,
    action: str,
    *,
    who: str | None,
    target_kind: str,
    target_id: object = None,
    summary: str,
    before: Any = None,
    after: Any = None,
    agency: str | None = None,
    region: str | None = None,
    year: int | None = None,
) -> int:
    """Append one record on ``conn`` (call it inside the transaction of the change); returns its id.

    ``who`` is the account's label (:attr:`library.access.Account.label`) or the name a person typed;
    ``agency``/``region``/``year`` those of the report concerned, when there is one.
    """
    if action not in AUDIT_ACTION_NAMES:
        raise ValueError(f"unknown audit action {action!r}")
    if target_kind not in AUDIT_TARGET_NAMES:
        raise ValueError(f"unknown audit target kind {target_kind!r}")
    values = {
        "at": utcnow(),
        "who": (who or "").strip()[:100] or None,
        "action": action,
        "target_kind": target_kind,
        "target_id": None if target_id is None else str(target_id)[:300],
        "agency": agency,
        "region": region,
        "year": None if year is None else int(year),
        "summary": summary,
        "before": jsonable(before),
        "after": jsonable(after),
    }
    return inserted_id(conn.execute(insert(AuditEntry).values(**values)))


def report_context(conn: Connection, report_id: int | None) -> dict[str, Any]:
    """``agency``, ``region`` and ``year`` of a stored report (empty when there is no such report)."""
    if report_id is None:
        return {}
    row = conn.execute(
        select(Report.agency, Report.region, Report.year).where(Report.id == report_id)
    ).first()
    return {} if row is None else {"agency": row.agency, "region": row.region, "year": row.year}


def report_name(context: Mapping[str, Any], report_id: int) -> str:
    """'某县教育局（某县）2023 年度报告（编号 7）' for summaries; what is unknown is left out."""
    agency = context.get("agency") or "单位不详"
    region = f"（{context['region']}）" if context.get("region") else ""
    year = f"{context['year']} 年度" if context.get("year") is not None else ""
    return f"{agency}{region}{year}报告（编号 {report_id}）"


def record_report(
    conn: Connection,
    action: str,
    report_id: int,
    *,
    who: str | None,
    summary: str,
    before: Any = None,
    after: Any = None,
    context: Mapping[str, Any] | None = None,
) -> int:
    """:func:`record` for a change to one report; its agency, region and year are read on ``conn``
    unless ``context`` gives them (a deleted report is read before the delete)."""
    ctx = dict(context) if context is not None else report_context(conn, report_id)
    return record(
        conn,
        action,
        who=who,
        target_kind="report",
        target_id=report_id,
        summary=summary,
        before=before,
        after=after,
        agency=ctx.get("agency"),
        region=ctx.get("region"),
        year=ctx.get("year"),
    )


def record_account(
    conn: Connection, action: str, name: str, *, who: str | None, before: Any = None, after: Any = None
) -> int:
    """The record of an account change (library/accounts.py calls it inside its write transaction):
    ``action`` is ACCOUNT_CREATED / ACCOUNT_CHANGED / ACCOUNT_DELETED, ``name`` the login; ``before`` and
    ``after`` say role, scope, display name, enabled (never a password or its hash)."""
    verbs = {ACCOUNT_CREATED: "新建", ACCOUNT_CHANGED: "修改", ACCOUNT_DELETED: "删除"}
    if action not in verbs:
        raise ValueError(f"not an account action: {action!r}")
    return record(
        conn,
        action,
        who=who,
        target_kind="account",
        target_id=name,
        summary=f"{verbs[action]}账户“{name}”",
        before=before,
        after=after,
    )


# ---------------------------------------------------------------------- reading


@dataclass(frozen=True)
class AuditQuery:
    """Which records to read: by who, actions, a date range (Beijing time, both days included),
    free text (summary, who, agency, region, target), regions (a scoped account: empty = every
    region; when set, records without a region are left out) and a page (limit, offset)."""

    who: str | None = None
    actions: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    text: str = ""
    regions: tuple[str, ...] = ()
    limit: int | None = DEFAULT_LIMIT
    offset: int = 0


def _bound(conn: Connection, day: date) -> datetime:
    """The UTC instant a Beijing day starts, as the dialect compares stored times."""
    instant = datetime.combine(day, time.min, BEIJING).astimezone(UTC)
    # SQLite stores the UTC time without its zone: compare with a naive UTC value.
    return instant.replace(tzinfo=None) if conn.dialect.name == "sqlite" else instant


def _where(conn: Connection, stmt: Select, query: AuditQuery) -> Select:
    if query.who:
        stmt = stmt.where(AuditEntry.who == query.who)
    if query.actions:
        stmt = stmt.where(AuditEntry.action.in_(query.actions))
    if query.since is not None:
        stmt = stmt.where(AuditEntry.at >= _bound(conn, query.since))
    if query.until is not None:
        stmt = stmt.where(AuditEntry.at < _bound(conn, query.until + timedelta(days=1)))
    if query.regions:
        stmt = stmt.where(AuditEntry.region.in_(query.regions))
    words = query.text.split()
    for word in words:  # every word must appear somewhere (case-insensitive for Latin letters)
        pattern = f"%{_escape_like(word)}%"
        stmt = stmt.where(
            or_(
                *(
                    col.ilike(pattern, escape="\\")
                    for col in (
                        AuditEntry.summary,
                        AuditEntry.who,
                        AuditEntry.agency,
                        AuditEntry.region,
                        AuditEntry.target_id,
                    )
                )
            )
        )
    return stmt


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _utc(value: datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite gives it back without its zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def entries(engine: Engine, query: AuditQuery | None = None) -> pd.DataFrame:
    """The matching records, newest first, at most ``query.limit``: :data:`COLUMNS` (``at`` in UTC)."""
    query = query or AuditQuery()
    with engine.connect() as conn:
        stmt = _where(conn, select(*(getattr(AuditEntry, c) for c in COLUMNS)), query)
        stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).offset(query.offset)
        if query.limit is not None:
            stmt = stmt.limit(query.limit)
        rows = [tuple(r) for r in conn.execute(stmt)]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)  # SQLite's naive values are UTC
    frame["year"] = frame["year"].astype("Int64")
    return frame


def count(engine: Engine, query: AuditQuery | None = None) -> int:
    """How many records match ``query`` (its limit and offset ignored)."""
    query = query or AuditQuery()
    with engine.connect() as conn:
        return conn.execute(_where(conn, select(func.count(AuditEntry.id)), query)).scalar_one()


def people(engine: Engine, regions: tuple[str, ...] = ()) -> list[str]:
    """Everyone who appears in the trail (of ``regions`` when given), sorted."""
    stmt = select(AuditEntry.who).distinct().where(AuditEntry.who.is_not(None))
    if regions:
        stmt = stmt.where(AuditEntry.region.in_(regions))
    with engine.connect() as conn:
        return sorted(w for w in conn.execute(stmt).scalars() if w)


# ---------------------------------------------------------------------- showing


def field_text(value: Any) -> str:
    """One field of a before/after as text: a blank figure says 空白 (never 0)."""
    if value is None:
        return "空白"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.15g}"
    if isinstance(value, Mapping):
        return "，".join(f"{AUDIT_FIELD_NAMES.get(k, k)}：{field_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(field_text(v) for v in value) if value else "无"
    return str(value)


def describe(value: Any) -> str:
    """A before/after as a reader wants it: '数值：12；说明：…'; '—' when that side is empty."""
    if value is None:
        return "—"
    if isinstance(value, Mapping):
        return "；".join(f"{AUDIT_FIELD_NAMES.get(k, k)}：{field_text(v)}" for k, v in value.items()) or "—"
    return field_text(value)


def local_time(at: datetime) -> str:
    """A stored time in Beijing time: '2026-12-06 09:49:22'."""
    return _utc(at).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _local_times(times: pd.Series) -> list[str]:
    """:func:`local_time` of a whole column at once (100,000 one by one take seconds)."""
    if times.empty:
        return []
    return pd.to_datetime(times, utc=True).dt.tz_convert(BEIJING).dt.strftime("%Y-%m-%d %H:%M:%S").tolist()


def _target(kind: str, target_id: Any) -> str:
    name = AUDIT_TARGET_NAMES.get(kind, kind)
    if target_id is None or pd.isna(target_id) or target_id == "":
        return name
    return f"{name} {target_id}" if kind == "report" else f"{name}：{target_id}"


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`entries` for reading and export: Chinese headers (:data:`HEADERS`), Beijing time, the
    action and target in Chinese, before/after as text."""
    columns = {
        "at": _local_times(frame["at"]),
        "who": [w if isinstance(w, str) and w else "未署名" for w in frame["who"]],
        "action": [AUDIT_ACTION_NAMES.get(a, a) for a in frame["action"]],
        "summary": frame["summary"].tolist(),
        "before": [describe(v) for v in frame["before"]],
        "after": [describe(v) for v in frame["after"]],
        "target": [_target(k, i) for k, i in zip(frame["target_kind"], frame["target_id"], strict=True)],
        "agency": frame["agency"].fillna("").astype(str).tolist(),
        "region": frame["region"].fillna("").astype(str).tolist(),
        "year": frame["year"].astype("Int64"),
    }
    return pd.DataFrame({HEADERS[k]: v for k, v in columns.items()})


def export_csv(frame: pd.DataFrame) -> bytes:
    """:func:`export_frame` of ``frame`` as CSV (UTF-8 with BOM, so Excel keeps the Chinese)."""
    return ("\ufeff" + export_frame(frame).to_csv(index=False)).encode("utf-8")


def export_xlsx(frame: pd.DataFrame) -> bytes:
    """:func:`export_frame` of ``frame`` as an Excel workbook (one sheet, 操作记录)."""
    from library.export import export_tables_excel

    return export_tables_excel({"操作记录": export_frame(frame)})


# ---------------------------------------------------------------------- the Library mixin


class LibraryAudit:
    """The audit trail of a library (mixin of ``Library``)."""

    engine: Engine

    def audit_entries(self, query: AuditQuery | None = None) -> pd.DataFrame:
        """:func:`entries` of this library."""
        return entries(self.engine, query)

    def audit_count(self, query: AuditQuery | None = None) -> int:
        """:func:`count` of this library."""
        return count(self.engine, query)

    def audit_people(self, regions: tuple[str, ...] = ()) -> list[str]:
        """:func:`people` of this library."""
        return people(self.engine, regions)

    def record_event(
        self, action: str, *, who: str | None, target_kind: str, summary: str, **fields: Any
    ) -> int:
        """Record an event that changes nothing in the library (a document generated and downloaded),
        in a transaction of its own that leaves the library revision alone (no page re-reads)."""
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            return record(conn, action, who=who, target_kind=target_kind, summary=summary, **fields)

    def record_notices(
        self, sent: Iterable[tuple[str, str | None, int, int]], *, who: str | None, how: str
    ) -> int:
        """Record the 整改通知单 generated: one record per (agency, region, year, open findings), all in
        one transaction; ``how`` says where ('网页下载', '命令行生成'). Returns how many were recorded."""
        n = 0
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            for agency, region, year, findings in sent:
                name = f"{agency}（{region}）" if region else agency
                record(
                    conn,
                    NOTICE_GENERATED,
                    who=who,
                    target_kind="notice",
                    target_id=f"{name} {year} 年",
                    summary=f"{how}{name} {year} 年度整改通知单（{findings} 项待整改问题）",
                    after={"agency": agency, "region": region, "year": year, "count": findings},
                    agency=agency,
                    region=region,
                    year=year,
                )
                n += 1
        return n

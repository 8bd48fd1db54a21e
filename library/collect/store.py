"""The collection's tables: sources, fetched documents, re-check findings and the admin setting.

No network and no parsing here (library/collect/pipeline.py does the work): these functions read and
write ``collect_sources``, ``collect_fetches``, ``collect_findings`` and ``app_settings`` (library/db.py,
revision 0007_collect) on a :class:`library.store.Library`. Changes a person makes (sources, the
setting) are recorded in the audit trail with who made them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select, update

from library import audit
from library.access import Account, Action
from library.config import WRITE_OPTION
from library.db import (
    AppSetting,
    CollectFetch,
    CollectFinding,
    CollectSource,
    Report,
    RosterEntry,
    utcnow,
)
from library.errors import LibraryError
from library.finding import Finding
from library.roster_link import normalize_name
from parsing.vocabulary import FINDING_SEVERITY, finding_name

if TYPE_CHECKING:
    from library.store import Library

ALLOW_PRIVATE = "collect.allow_private"  # setting: may the collector fetch loopback/private addresses
MAX_URL = 2000
COLUMN, REPORT = "column", "report"  # the kinds of a source
SOURCE_KIND_NAMES = {COLUMN: "年报栏目", REPORT: "报告网址"}
# What a fetched document's result is called on the page and in the command line.
RESULT_NAMES = {
    "stored": "已入库",
    "version": "已入库（新版本）",
    "unchanged": "未变化",
    "changed": "已变化（已存为新版本）",
    "column": "栏目页",
    "failed": "失败",
}
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s，,；;、<>\"'）)]+")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_SEPARATORS = " \t,，;；、|:：\u3000"


# ---------------------------------------------------------------------- URLs


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a source (Chinese), or None when it is an http(s) address."""
    if len(url) > MAX_URL:
        return f"网址超过 {MAX_URL} 个字符"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "网址格式不正确"
    if parts.scheme.lower() not in ("http", "https"):
        return "只支持 http:// 或 https:// 开头的网址"
    if not parts.hostname:
        return "网址缺少主机名"
    return None


def clean_url(text: str) -> str:
    """A URL as typed or pasted: NFKC (full-width letters), no surrounding spaces or brackets."""
    return unicodedata.normalize("NFKC", text or "").strip().strip("<>「」“”\"'")


def split_urls(text: str) -> list[str]:
    """The URLs of a cell that may hold several (one per line, or separated by spaces, 、 or ;)."""
    return [clean_url(u) for u in re.split(r"[\s、;；,，]+", unicodedata.normalize("NFKC", text or "")) if u]


@dataclass(frozen=True)
class Target:
    """One URL to collect, with what is known of it: the agency (a roster entry or a name typed),
    its region and type, the year, and whether it is a column page (``kind``: auto | column | report)."""

    url: str
    agency: str | None = None
    region: str | None = None
    year: int | None = None
    agency_type: str | None = None
    entry_id: int | None = None
    kind: str = "auto"


@dataclass
class PastedList:
    """A pasted list of URLs: the targets read and the lines left out (Chinese)."""

    targets: list[Target] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_url_list(text: str) -> PastedList:
    """Read a pasted list: one URL per line, optionally with the agency's name and the year on the
    same line (``某县教育局 https://… 2023`` or ``https://…,某县教育局``). Blank lines are passed over."""
    out = PastedList()
    seen: set[str] = set()
    for n, line in enumerate((text or "").splitlines(), 1):
        line = unicodedata.normalize("NFKC", line).strip()
        if not line:
            continue
        found = _URL.search(line)
        if found is None:
            if "." in line and " " not in line.strip():  # www.example.gov.cn without a scheme
                out.problems.append(f"第 {n} 行：“{line[:80]}”缺少 http:// 或 https://")
            else:
                out.problems.append(f"第 {n} 行：没有找到网址")
            continue
        url = clean_url(found.group())
        problem = url_problem(url)
        if problem:
            out.problems.append(f"第 {n} 行：{problem}（{url[:80]}）")
            continue
        if url in seen:
            continue
        seen.add(url)
        rest = (line[: found.start()] + " " + line[found.end() :]).strip(_SEPARATORS)
        year_match = _YEAR.search(rest)
        year = int(year_match.group(1)) if year_match else None
        if year_match:
            rest = (rest[: year_match.start()] + rest[year_match.end() :]).strip(_SEPARATORS)
        rest = re.sub(r"^(年度?|年)", "", rest).strip(_SEPARATORS)
        out.targets.append(Target(url, agency=rest[:200] or None, year=year))
    return out


# ---------------------------------------------------------------------- plumbing


@contextmanager
def _quiet_write(lib: Library) -> Iterator[Connection]:
    """A write transaction that does not bump the library's revision: the fetch log is read only by
    the 网站采集 page, and 200 fetches must not make every other page re-read the library."""
    with lib.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        yield conn


# ---------------------------------------------------------------------- settings


def get_setting(lib: Library, key: str, default: Any = None) -> Any:
    """The value of an app setting (``default`` when never set)."""
    with lib.engine.connect() as conn:
        row = conn.execute(select(AppSetting.value).where(AppSetting.key == key)).first()
    return default if row is None or row.value is None else row.value


def set_setting(lib: Library, key: str, value: Any, *, account: Account) -> None:
    """Change an app setting: administrators only (:class:`LibraryError` otherwise); recorded in the
    audit trail with the value before and after."""
    if not account.can(Action.MANAGE_SETTINGS):
        raise LibraryError("只有管理员可以修改设置", f"{account.name} may not change settings")
    with lib._write() as conn:
        before = conn.execute(select(AppSetting.value).where(AppSetting.key == key)).first()
        values = {"value": value, "who": account.label, "updated_at": utcnow()}
        if before is None:
            conn.execute(insert(AppSetting).values(key=key, **values))
        else:
            conn.execute(update(AppSetting).where(AppSetting.key == key).values(**values))
        audit.record(
            conn,
            audit.SETTING_CHANGED,
            who=account.label,
            target_kind="setting",
            target_id=key,
            summary=f"修改设置“{SETTING_NAMES.get(key, key)}”：{_shown_setting(value)}",
            before=None if before is None else {"value": _shown_setting(before.value)},
            after={"value": _shown_setting(value)},
        )


SETTING_NAMES = {ALLOW_PRIVATE: "允许采集内网及本机地址"}


def _shown_setting(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def allow_private(lib: Library) -> bool:
    """Whether an administrator allowed fetching loopback and private addresses (default: no)."""
    return bool(get_setting(lib, ALLOW_PRIVATE, False))


def set_allow_private(lib: Library, allowed: bool, *, account: Account) -> None:
    """Allow or forbid fetching loopback and private addresses (administrators only)."""
    set_setting(lib, ALLOW_PRIVATE, bool(allowed), account=account)


# ---------------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    """One stored source with the agency it is for (the roster entry's name and region, when linked)."""

    id: int
    url: str
    kind: str
    entry_id: int | None
    agency: str | None
    region: str | None
    year: int | None
    agency_type: str | None = None

    def target(self) -> Target:
        """What the pipeline collects from this source."""
        return Target(
            self.url, self.agency, self.region, self.year, self.agency_type, self.entry_id, self.kind
        )


def sources(lib: Library) -> list[Source]:
    """Every stored source, by agency then URL."""
    stmt = select(
        CollectSource.id,
        CollectSource.url,
        CollectSource.kind,
        CollectSource.entry_id,
        CollectSource.agency,
        CollectSource.region,
        CollectSource.year,
        RosterEntry.name,
        RosterEntry.region.label("entry_region"),
        RosterEntry.agency_type,
    ).outerjoin(RosterEntry, RosterEntry.id == CollectSource.entry_id)
    with lib.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    out = [
        Source(
            r.id,
            r.url,
            r.kind,
            r.entry_id,
            r.name if r.entry_id is not None else r.agency,
            r.entry_region if r.entry_id is not None else r.region,
            r.year,
            r.agency_type,
        )
        for r in rows
    ]
    return sorted(out, key=lambda s: (s.agency or "\uffff", s.url))


def entry_sources(
    conn: Connection, entry_ids: Iterable[int] | None = None
) -> dict[int, list[tuple[str, str]]]:
    """Roster entry id → its sources as (kind, url), columns first (for the roster's columns)."""
    stmt = (
        select(CollectSource.entry_id, CollectSource.kind, CollectSource.url)
        .where(CollectSource.entry_id.is_not(None))
        .order_by(CollectSource.id)
    )
    if entry_ids is not None:
        stmt = stmt.where(CollectSource.entry_id.in_(list(entry_ids)))
    out: dict[int, list[tuple[str, str]]] = {}
    for entry_id, kind, url in conn.execute(stmt):
        if entry_id is not None:
            out.setdefault(int(entry_id), []).append((kind, url))
    return out


def set_entry_sources(
    conn: Connection,
    entry_id: int,
    column_url: str | None,
    report_urls: Sequence[str] | None,
    who: str | None,
) -> tuple[list[str], list[str]]:
    """Inside the roster's write transaction: make the entry's column source ``column_url`` and its
    report sources ``report_urls`` (None leaves that kind as it is; "" or () removes it). A URL another
    source already has is moved to this entry. Returns (URLs added, URLs removed)."""
    added: list[str] = []
    removed: list[str] = []
    for kind, wanted_urls in (
        (COLUMN, None if column_url is None else [column_url] if column_url else []),
        (REPORT, None if report_urls is None else list(report_urls)),
    ):
        if wanted_urls is None:
            continue
        wanted = [u for u in dict.fromkeys(clean_url(u) for u in wanted_urls) if u and not url_problem(u)]
        have = [
            u
            for (u,) in conn.execute(
                select(CollectSource.url).where(
                    CollectSource.entry_id == entry_id, CollectSource.kind == kind
                )
            )
        ]
        for url in have:
            if url not in wanted:
                conn.execute(delete(CollectSource).where(CollectSource.url == url))
                removed.append(url)
        for url in wanted:
            if url in have:
                continue
            conn.execute(delete(CollectSource).where(CollectSource.url == url))
            conn.execute(
                insert(CollectSource).values(
                    url=url, kind=kind, entry_id=entry_id, who=who, created_at=utcnow()
                )
            )
            added.append(url)
    return added, removed


def match_entry(lib: Library, agency: str | None, region: str | None = None) -> Any:
    """The roster entry a typed agency name names (same normalised name or alias, and region when
    given), or None when there is none or more than one."""
    if not agency:
        return None
    key = normalize_name(agency)
    hits = [
        e
        for e in lib.roster()
        if (normalize_name(e.name) == key or key in {normalize_name(a) for a in e.aliases})
        and (not region or normalize_name(e.region) == normalize_name(region))
    ]
    return hits[0] if len(hits) == 1 else None


def add_sources(lib: Library, targets: Sequence[Target], *, who: str | None = None) -> int:
    """Store pasted URLs as sources (linked to the roster entry their agency names, when one does);
    a URL already stored gets the new details. Returns how many were stored; recorded in the audit
    trail with ``who``."""
    rows = []
    for t in targets:
        if url_problem(t.url):
            continue
        entry = match_entry(lib, t.agency, t.region) if t.entry_id is None else None
        entry_id = t.entry_id if t.entry_id is not None else (entry.id if entry is not None else None)
        kind = t.kind if t.kind in (COLUMN, REPORT) else (REPORT if t.year else COLUMN)
        rows.append(
            {
                "url": t.url,
                "kind": kind,
                "entry_id": entry_id,
                "agency": None if entry_id is not None else t.agency,
                "region": None if entry_id is not None else t.region,
                "year": t.year,
                "who": who,
                "created_at": utcnow(),
            }
        )
    if not rows:
        return 0
    with lib._write() as conn:
        for row in rows:
            conn.execute(delete(CollectSource).where(CollectSource.url == row["url"]))
            conn.execute(insert(CollectSource).values(**row))
        audit.record(
            conn,
            audit.COLLECT_SOURCES,
            who=who,
            target_kind="collect",
            summary=f"添加 {len(rows)} 个采集来源网址",
            after={"urls": [r["url"] for r in rows]},
        )
    return len(rows)


def remove_sources(lib: Library, urls: Sequence[str], *, who: str | None = None) -> int:
    """Forget these sources (their fetched documents and reports stay); recorded with ``who``."""
    if not urls:
        return 0
    with lib._write() as conn:
        n = conn.execute(delete(CollectSource).where(CollectSource.url.in_(list(urls)))).rowcount
        if n:
            audit.record(
                conn,
                audit.COLLECT_SOURCES,
                who=who,
                target_kind="collect",
                summary=f"删除 {n} 个采集来源网址",
                before={"urls": list(urls)},
            )
    return int(n or 0)


# ---------------------------------------------------------------------- fetched documents


def record_fetch(lib: Library, **values: Any) -> int:
    """Append one fetched document (columns of ``collect_fetches``); returns its id."""
    values.setdefault("fetched_at", utcnow())
    values["message"] = values.get("message") or ""
    values["recheck"] = bool(values.get("recheck"))
    for key in ("url", "final_url", "source_url"):
        if values.get(key):
            values[key] = str(values[key])[:MAX_URL]
    for key, size in (("http_date", 100), ("last_modified", 100), ("etag", 300), ("content_type", 200)):
        if values.get(key):
            values[key] = str(values[key])[:size]
    with _quiet_write(lib) as conn:
        primary = conn.execute(insert(CollectFetch).values(**values)).inserted_primary_key
    return int(primary[0]) if primary else 0


FETCH_COLUMNS = [
    "id",
    "url",
    "final_url",
    "source_url",
    "kind",
    "fetched_at",
    "http_status",
    "http_date",
    "last_modified",
    "etag",
    "published",
    "sha256",
    "report_id",
    "result",
    "reason",
    "message",
    "recheck",
]


def fetches(lib: Library, urls: Sequence[str] | None = None, limit: int = 1000) -> pd.DataFrame:
    """The fetched documents, newest first (of ``urls`` when given): :data:`FETCH_COLUMNS`."""
    stmt = select(*(getattr(CollectFetch, c) for c in FETCH_COLUMNS)).order_by(CollectFetch.id.desc())
    if urls is not None:
        stmt = stmt.where(CollectFetch.url.in_(list(urls)))
    with lib.engine.connect() as conn:
        rows = conn.execute(stmt.limit(limit)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=FETCH_COLUMNS)


def latest_fetch(lib: Library, url: str, *, with_report: bool = False) -> Any:
    """The latest fetch of ``url`` (only one that became a report, with ``with_report``), or None."""
    stmt = select(CollectFetch).where(CollectFetch.url == url)
    if with_report:
        stmt = stmt.where(CollectFetch.report_id.is_not(None))
    with lib.engine.connect() as conn:
        return conn.execute(stmt.order_by(CollectFetch.id.desc()).limit(1)).first()


def first_fetch(lib: Library, url: str) -> Any:
    """The first fetch of ``url`` that became a report, or None."""
    stmt = (
        select(CollectFetch)
        .where(CollectFetch.url == url, CollectFetch.report_id.is_not(None))
        .order_by(CollectFetch.id)
        .limit(1)
    )
    with lib.engine.connect() as conn:
        return conn.execute(stmt).first()


def tracked_urls(lib: Library) -> list[str]:
    """Every report URL a report was collected from (report pages and direct files, not column pages
    or attachments, which are fetched again through their page), in the order first collected."""
    stmt = (
        select(CollectFetch.url, func.min(CollectFetch.id).label("first"))
        .where(CollectFetch.kind == "page", CollectFetch.report_id.is_not(None))
        .group_by(CollectFetch.url)
        .order_by("first")
    )
    with lib.engine.connect() as conn:
        return [r.url for r in conn.execute(stmt)]


def source_status(lib: Library) -> pd.DataFrame:
    """The stored sources with their latest fetch: 网址, 类型, 单位, 地区, 年度, 最近采集, 结果, 说明."""
    rows = []
    found = sources(lib)
    latest: dict[str, Any] = {}
    if found:
        with lib.engine.connect() as conn:
            last_ids = (
                select(func.max(CollectFetch.id))
                .where(CollectFetch.url.in_([s.url for s in found]))
                .group_by(CollectFetch.url)
            )
            for r in conn.execute(select(CollectFetch).where(CollectFetch.id.in_(last_ids))):
                latest[r.url] = r
    for s in found:
        last = latest.get(s.url)
        rows.append(
            {
                "网址": s.url,
                "类型": SOURCE_KIND_NAMES.get(s.kind, s.kind),
                "单位": s.agency or "",
                "地区": s.region or "",
                "年度": s.year,
                "最近采集": last.fetched_at if last is not None else None,
                "结果": RESULT_NAMES.get(last.result, last.result) if last is not None else "尚未采集",
                "说明": last.message if last is not None else "",
            }
        )
    return pd.DataFrame(rows, columns=["网址", "类型", "单位", "地区", "年度", "最近采集", "结果", "说明"])


# ---------------------------------------------------------------------- findings of the re-check


def add_finding(
    lib: Library, report_id: int, code: str, key: str, url: str, evidence: dict[str, Any]
) -> bool:
    """Store a re-check finding unless the same one (report, key) is already open; True when stored.
    Bumps the library revision, so the 审核意见 page reads it."""
    with lib._write() as conn:
        exists = conn.execute(
            select(CollectFinding.id).where(
                CollectFinding.report_id == report_id,
                CollectFinding.key == key,
                CollectFinding.resolved_at.is_(None),
            )
        ).first()
        if exists is not None:
            return False
        conn.execute(
            insert(CollectFinding).values(
                report_id=report_id,
                code=code,
                key=key[:300],
                url=url[:MAX_URL],
                evidence=audit.jsonable(evidence),
                detected_at=utcnow(),
            )
        )
    return True


def resolve_findings(lib: Library, url: str, code: str) -> int:
    """Close the open findings ``code`` of ``url`` (a gone URL that answers again); how many."""
    with lib.engine.connect() as conn:
        open_ids = [
            r.id
            for r in conn.execute(
                select(CollectFinding.id).where(
                    CollectFinding.url == url,
                    CollectFinding.code == code,
                    CollectFinding.resolved_at.is_(None),
                )
            )
        ]
    if not open_ids:
        return 0
    with lib._write() as conn:
        conn.execute(
            update(CollectFinding).where(CollectFinding.id.in_(open_ids)).values(resolved_at=utcnow())
        )
    return len(open_ids)


def open_findings(lib: Library, report_ids: Iterable[int] | None = None) -> list[Finding]:
    """The open re-check findings as :class:`Finding` objects, each on the current version of its
    report (a change stored as a new version is about that version), of ``report_ids`` when given.
    Without region and status: the findings engine adds them (library.findings)."""
    stmt = (
        select(
            CollectFinding.report_id,
            CollectFinding.code,
            CollectFinding.key,
            CollectFinding.url,
            CollectFinding.evidence,
            CollectFinding.detected_at,
            Report.superseded_by,
        )
        .join(Report, Report.id == CollectFinding.report_id)
        .where(CollectFinding.resolved_at.is_(None))
        .order_by(CollectFinding.id)
    )
    with lib.engine.connect() as conn:
        rows = conn.execute(stmt).all()
        if not rows:
            return []
        current = {int(r.superseded_by or r.report_id) for r in rows}
        meta = {
            r.id: r
            for r in conn.execute(
                select(Report.id, Report.agency, Report.year).where(Report.id.in_(sorted(current)))
            )
        }
    wanted = None if report_ids is None else set(report_ids)
    out: list[Finding] = []
    seen: set[tuple[int, str]] = set()
    for r in rows:
        rid = int(r.superseded_by or r.report_id)
        if (wanted is not None and rid not in wanted) or (rid, r.key) in seen or rid not in meta:
            continue
        seen.add((rid, r.key))
        evidence = dict(r.evidence or {})
        evidence.setdefault("url", r.url)
        evidence.setdefault(
            "detected_at", r.detected_at.isoformat() if isinstance(r.detected_at, datetime) else None
        )
        out.append(
            Finding(
                report_id=rid,
                agency=meta[rid].agency,
                year=meta[rid].year,
                code=r.code,
                severity=FINDING_SEVERITY.get(r.code, "warning"),
                message=f"{finding_name(r.code)}：{evidence.get('summary') or r.url}",
                key=r.key,
                evidence=evidence,
            )
        )
    return out


def save_entry_sources(
    lib: Library, sources_by_entry: Mapping[int, tuple[str | None, Sequence[str]]], *, who: str | None = None
) -> tuple[int, int, list[str]]:
    """Store the sources a person edited for roster entries: entry id → (column URL, report URLs);
    what is given replaces the entry's sources. URLs that cannot be fetched are left out and named.
    Returns (URLs added, URLs removed, problems in Chinese); recorded in the audit trail with ``who``."""
    problems: list[str] = []
    cleaned: dict[int, tuple[str, list[str]]] = {}
    for entry_id, (column, reports) in sources_by_entry.items():
        column = clean_url(column or "")
        if column and (why := url_problem(column)):
            problems.append(f"“{column[:80]}”：{why}")
            column = ""
        ok = []
        for url in reports:
            url = clean_url(url)
            if url and (why := url_problem(url)):
                problems.append(f"“{url[:80]}”：{why}")
            elif url:
                ok.append(url)
        cleaned[int(entry_id)] = (column, ok)
    added: list[str] = []
    removed: list[str] = []
    with lib._write() as conn:
        known = {r for (r,) in conn.execute(select(RosterEntry.id).where(RosterEntry.id.in_(list(cleaned))))}
        for entry_id, (column, reports) in cleaned.items():
            if entry_id not in known:
                continue
            a, r = set_entry_sources(conn, entry_id, column, reports, who)
            added += a
            removed += r
        if added or removed:
            audit.record(
                conn,
                audit.COLLECT_SOURCES,
                who=who,
                target_kind="collect",
                summary=f"编辑名录的采集来源：新增 {len(added)} 个、删除 {len(removed)} 个网址",
                before={"urls": removed} if removed else None,
                after={"urls": added} if added else None,
            )
    return len(added), len(removed), problems

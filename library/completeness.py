"""Completeness and timeliness of one year's reports against the roster (发布情况): pure functions.

For each roster entry: published on time, published late (after the deadline of its level,
:mod:`library.deadlines`), published without a known date, missing, or not yet due (no report, but the
deadline has not passed). The date is the reviewer's when one was entered, else the one the report
states (with where it was found: the page's 发布时间 or the date under the signature). Reports of the
year that match no entry are listed apart, never counted as an entry's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from library.deadlines import LATE, MISSING, ON_TIME, UNKNOWN, deadline, timeliness
from library.roster_io import RosterRow
from library.roster_link import Link, same_region
from parsing.vocabulary import MISSING as FILTER_MISSING

NOT_DUE = "not_due"
# The order of the statuses on the page and in the chart (worst first).
STATUSES = (MISSING, LATE, UNKNOWN, ON_TIME, NOT_DUE)
REVIEWER_SOURCE = "reviewer"

ENTRY_COLUMNS = [
    "entry_id",
    "name",
    "agency_type",
    "region",
    "level",
    "deadline",
    "status",
    "published",
    "source",
    "days_late",
    "report_id",
    "report_agency",
    "n_reports",
    "tier",
]
REPORT_COLUMNS = ["report_id", "agency", "region", "agency_type", "published", "source", "tier"]


@dataclass
class Completeness:
    """One year's table per roster entry, the reports matching no entry, and the counts."""

    year: int
    entries: pd.DataFrame  # ENTRY_COLUMNS, one row per roster entry
    unmatched: pd.DataFrame  # REPORT_COLUMNS, reports of the year that match no entry
    counts: dict[str, int] = field(default_factory=dict)


def effective_dates(reports: pd.DataFrame, reviewer: Mapping[int, str | None]) -> pd.DataFrame:
    """``reports`` with ``published`` / ``source`` set to the reviewer's date where one is entered.

    ``reports`` has columns report_id, published (ISO or None) and published_source (page/signature or
    None); a reviewer's ``None`` means they withdrew their date: the report's own date counts again.
    """
    out = reports.copy()
    published: list[str | None] = []
    source: list[str | None] = []
    for report_id, own, found_at in zip(
        out["report_id"], out["published"], out["published_source"], strict=True
    ):
        given = reviewer.get(int(report_id))
        own = own if isinstance(own, str) and own else None  # pandas may hand a missing date as NaN
        if isinstance(given, str) and given:
            published.append(given)
            source.append(REVIEWER_SOURCE)
        else:
            published.append(own)
            # Reports stored before migration 5 have a date but no recorded place: "the report".
            source.append((found_at or "document") if own else None)
    out["published"] = pd.Series(published, index=out.index, dtype=object)
    out["source"] = pd.Series(source, index=out.index, dtype=object)
    return out


def _iso(text: object) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) and text else None
    except ValueError:
        return None


def _entry_row(entry: RosterRow, reports: list[dict], year: int, today: date) -> dict:
    """The status of one entry from the reports linked to it (records of the year's report table);
    with several reports the earliest known date counts (the first publication)."""
    due = deadline(entry.level, year)
    row = {
        "entry_id": entry.id,
        "name": entry.name,
        "agency_type": entry.agency_type,
        "region": entry.region,
        "level": entry.level,
        "deadline": due,
        "published": None,
        "source": None,
        "days_late": None,
        "report_id": None,
        "report_agency": None,
        "n_reports": len(reports),
        "tier": None,
    }
    if not reports:
        row["status"] = NOT_DUE if today <= due else MISSING
        return row
    # Dated reports first, earliest first; undated ones keep their order (by report id).
    first = min(reports, key=lambda r: (_iso(r["published"]) is None, _iso(r["published"]) or due))
    published = _iso(first["published"])
    row.update(
        status=timeliness(published, entry.level, year),
        published=published,
        source=first["source"] if published else None,
        days_late=(published - due).days if published and published > due else None,
        report_id=int(first["report_id"]),
        report_agency=first["agency"],
        tier=first["tier"],
    )
    return row


def _wanted(value: str | None, wanted: tuple, *, region: bool = False) -> bool:
    """Does an entry's region or type pass a sidebar filter (empty = all; MISSING = blank)?"""
    if not wanted:
        return True
    if not value:
        return FILTER_MISSING in wanted
    if region:
        return any(w != FILTER_MISSING and same_region(value, str(w)) for w in wanted)
    return value in wanted


def completeness(
    entries: list[RosterRow],
    reports: pd.DataFrame,
    links: Mapping[int, Link],
    year: int,
    today: date,
    *,
    regions: tuple = (),
    agency_types: tuple = (),
) -> Completeness:
    """The year's status of every roster entry (in the regions and types asked for) and the reports
    of the year that match no entry.

    ``reports``: the year's reports with report_id, agency, region, agency_type, published and source
    (see :func:`effective_dates`); ``links``: report_id → :class:`~library.roster_link.Link`.
    """
    found = [links.get(int(i)) for i in reports["report_id"]]
    reports = reports.assign(
        entry_id=pd.Series([k.entry_id if k else None for k in found], index=reports.index, dtype=object),
        tier=pd.Series([k.tier if k else None for k in found], index=reports.index, dtype=object),
    )
    chosen = [
        e for e in entries if _wanted(e.region, regions, region=True) and _wanted(e.agency_type, agency_types)
    ]
    by_entry: dict[int, list[dict]] = {}
    for record in reports.to_dict("records"):
        if record["entry_id"] is not None:
            by_entry.setdefault(int(record["entry_id"]), []).append(record)
    rows = [_entry_row(e, by_entry.get(e.id or 0, []), year, today) for e in chosen]
    table = pd.DataFrame(rows, columns=ENTRY_COLUMNS)
    keep = reports["entry_id"].isna()
    keep &= pd.Series(
        [_wanted(r, regions, region=True) for r in reports["region"]], index=reports.index, dtype=bool
    )
    keep &= pd.Series(
        [_wanted(t, agency_types) for t in reports["agency_type"]], index=reports.index, dtype=bool
    )
    loose = reports[keep]
    unmatched = loose[REPORT_COLUMNS].reset_index(drop=True)
    return Completeness(year, table, unmatched, completeness_counts(table))


def completeness_counts(table: pd.DataFrame) -> dict[str, int]:
    """应发布 (expected: every entry whose deadline has passed or that has published), 已发布, each status."""
    status = table["status"] if not table.empty else pd.Series([], dtype=object)
    counts = {s: int((status == s).sum()) for s in STATUSES}
    counts["published"] = counts[ON_TIME] + counts[LATE] + counts[UNKNOWN]
    counts["expected"] = len(table) - counts[NOT_DUE]
    counts["entries"] = len(table)
    return counts


def status_by_group(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Entries per value of ``column`` (region or agency_type) and status: rows = groups, columns =
    :data:`STATUSES` (a blank group is 未填)."""
    if table.empty:
        return pd.DataFrame(columns=list(STATUSES))
    groups = table[column].fillna("未填").replace("", "未填")
    out = pd.crosstab(groups, table["status"]).reindex(columns=list(STATUSES), fill_value=0)
    out.index.name = column
    return out

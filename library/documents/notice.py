"""整改通知单: one agency and year, the findings that still count, with their evidence and a reply date.

Pure functions of a list of :class:`library.finding.Finding` (however they were computed): the page,
the ZIP and ``python -m library notices`` all call :func:`notice_docx`.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from library.documents.common import (
    DEFAULT_OFFICE,
    DEFAULT_REPLY_DAYS,
    SEVERITY_NAMES,
    STATUS_NAMES,
    code_name,
    evidence_text,
    ordered,
    render,
    safe_name,
    working_days_after,
    zh_date,
)
from library.finding import Finding


@dataclass(frozen=True)
class NoticeOptions:
    """Who sends the notice, when, and by when the agency replies (a date, or working days after issue)."""

    office: str = DEFAULT_OFFICE
    issued: date | None = None  # default: today
    reply_by: date | None = None  # default: ``reply_days`` working days after ``issued``
    reply_days: int = DEFAULT_REPLY_DAYS

    def issue_date(self) -> date:
        """The date printed under the office's name."""
        return self.issued or date.today()

    def reply_date(self) -> date:
        """The reply deadline."""
        return self.reply_by or working_days_after(self.issue_date(), self.reply_days)


_ANY_REGION: Any = object()


def counting(
    findings: Iterable[Finding], agency: str, year: int, region: str | None = _ANY_REGION
) -> list[Finding]:
    """The findings of ``agency`` (in ``region`` when given: two 区财政局 are two agencies) and ``year``
    that still count (open or confirmed), in notice order."""
    return ordered(
        f
        for f in findings
        if f.counts
        and f.agency == agency
        and f.year == year
        and (region is _ANY_REGION or f.region == region)
    )


def notice_keys(findings: Iterable[Finding], year: int | None = None) -> list[tuple[str, str | None, int]]:
    """(agency, region, year) of every notice to send: each agency (within its region) and year with
    at least one counting finding; ``year`` limits the years."""
    keys: set[tuple[str, str | None, int]] = set()
    for f in findings:
        if f.counts and f.agency and f.year is not None and (year is None or f.year == year):
            keys.add((f.agency, f.region, f.year))
    return sorted(keys, key=lambda k: (k[2], k[0], k[1] or ""))


def agencies_with_open_findings(
    findings: Iterable[Finding], year: int | None = None
) -> list[tuple[str, int]]:
    """(agency, year) pairs that have at least one counting finding, sorted; ``year`` limits the years."""
    pairs: set[tuple[str, int]] = set()
    for f in findings:
        if f.counts and f.agency and f.year is not None and (year is None or f.year == year):
            pairs.add((f.agency, f.year))
    return sorted(pairs)


def _severity_text(findings: list[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    return "，".join(
        f"{SEVERITY_NAMES.get(s, s)}{counts[s]}项" for s in ("error", "warning", "info") if counts[s]
    )


def _reports_text(findings: list[Finding]) -> str:
    ids = sorted({f.report_id for f in findings if f.report_id is not None})
    if not ids:
        return "未在报告库中找到该年度报告"
    return "报告库编号 " + "、".join(str(i) for i in ids)


def _row(n: int, f: Finding) -> dict[str, str]:
    status = "" if f.status == "open" else f"（{STATUS_NAMES.get(f.status, f.status)}）"
    evidence = evidence_text(f.evidence)
    if f.note:
        evidence = f"{evidence}\n审核备注：{f.note}".strip()
    return {
        "n": str(n),
        "code_name": code_name(f.code),
        "severity": SEVERITY_NAMES.get(f.severity, f.severity) + status,
        "message": f.message,
        "evidence": evidence,
    }


def notice_context(
    findings: Iterable[Finding],
    agency: str,
    year: int,
    options: NoticeOptions,
    region: str | None = _ANY_REGION,
) -> dict:
    """The template's values for one notice (exposed for tests and for a preview on the page)."""
    rows = counting(findings, agency, year, region)
    return {
        "agency": agency,
        "year": year,
        "count": len(rows),
        "severity_text": _severity_text(rows) or "无",
        "reports_text": _reports_text(rows),
        "reply_by": zh_date(options.reply_date()),
        "office": options.office,
        "issued": zh_date(options.issue_date()),
        "findings": [_row(i, f) for i, f in enumerate(rows, 1)],
    }


def notice_docx(
    findings: Iterable[Finding],
    agency: str,
    year: int,
    options: NoticeOptions | None = None,
    region: str | None = _ANY_REGION,
) -> bytes:
    """The 整改通知单 of ``agency`` (in ``region`` when given) for ``year`` as .docx bytes (its counting
    findings only)."""
    context = notice_context(findings, agency, year, options or NoticeOptions(), region)
    return render("notice.docx", context)


def notice_filename(agency: str, year: int, region: str | None = None) -> str:
    """整改通知单_<agency>_<year>.docx (with the region when it tells two agencies apart)."""
    who = f"{agency}（{region}）" if region else agency
    return f"整改通知单_{safe_name(who)}_{year}.docx"


def notices(
    findings: Iterable[Finding], year: int | None = None, options: NoticeOptions | None = None
) -> list[tuple[str, bytes]]:
    """(file name, .docx bytes) for every agency and year with counting findings."""
    findings = list(findings)
    options = options or NoticeOptions()
    keys = notice_keys(findings, year)
    # The region goes into the file name only where one agency name stands in several regions.
    names = [(agency, y) for agency, _, y in keys]
    return [
        (
            notice_filename(agency, y, region if names.count((agency, y)) > 1 else None),
            notice_docx(findings, agency, y, options, region),
        )
        for agency, region, y in keys
    ]


def notices_zip(
    findings: Iterable[Finding], year: int | None = None, options: NoticeOptions | None = None
) -> bytes:
    """One ZIP with a notice per agency (and year) that has counting findings."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in notices(findings, year, options):
            zf.writestr(name, data)
    return out.getvalue()


def notices_sent(
    findings: Iterable[Finding], year: int | None = None, agency: str | None = None
) -> list[tuple[str, str | None, int, int]]:
    """(agency, region, year, counting findings) of every notice :func:`notices` writes for ``year``
    (only ``agency``'s when given): what the audit trail records when they are generated."""
    findings = list(findings)
    return [
        (name, region, y, len(counting(findings, name, y, region)))
        for name, region, y in notice_keys(findings, year)
        if agency is None or name == agency
    ]

"""What a reviewer's finding (审核意见) is: one problem of one report, with its evidence and status.

The shape shared by the findings engine (library/findings.py), the review pages, the notices and
briefings (library/documents/) and the command line (``python -m library findings --json``). Codes
are stable and named in Chinese in :mod:`parsing.vocabulary` (``FINDING_NAMES``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

SEVERITIES = ("error", "warning", "info")  # 错误 / 提醒 / 提示
STATUSES = ("open", "confirmed", "dismissed", "explained")  # 待处理 / 已确认 / 已排除 / 已说明
# Statuses that keep a finding counting against the report (score, notice): dismissed and explained stop it.
COUNTING = frozenset({"open", "confirmed"})


@dataclass(frozen=True)
class Finding:
    """One finding. ``report_id`` is None for a finding about an agency without a report (missing).

    ``key`` identifies the finding within its report across re-evaluations (the code and where it
    applies, e.g. ``O1_balance:natural_person``), so a reviewer's status survives a re-parse.
    ``evidence`` holds what a reader needs to see the problem: the numbers, the cell keys, excerpts of
    the source text, the other report compared with.
    """

    report_id: int | None
    agency: str | None
    year: int | None
    code: str
    severity: str
    message: str
    key: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    status: str = "open"
    note: str = ""
    who: str | None = None
    at: datetime | None = None
    region: str | None = None  # with the agency, who the finding is about (two 区财政局 are two agencies)

    @property
    def counts(self) -> bool:
        """Whether the finding still counts (open or confirmed)."""
        return self.status in COUNTING

    def to_json(self) -> dict[str, Any]:
        """The JSON object of ``python -m library findings --json``."""
        out = asdict(self)
        out["at"] = self.at.isoformat() if self.at else None
        return out

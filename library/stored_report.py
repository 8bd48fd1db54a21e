"""What ``Library.get`` returns: one stored report with everything a reviewer looks at."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from library.report_json import parsed_from_json
from parsing.report import ParsedReport


@dataclass
class StoredReport:
    """One stored report with everything a reviewer looks at.

    ``cells`` has one row per parsed cell: key, std_label (the template's label), value (parsed),
    corrected (effective value after corrections; equals value when uncorrected), raw, label (as
    written), score, flag, unit, source (dict or None). ``checks`` and ``corrections`` are lists of
    dicts in stored order. ``values`` maps every cell key (and ``n.<narrative>``) to its effective value.
    """

    id: int
    sha256: str
    filename: str
    format: str
    size: int
    agency: str | None
    region: str | None
    year: int | None
    agency_type: str | None
    confirmed: list[str]
    template: str
    parser_version: str
    checks_failed: int
    created_at: datetime
    updated_at: datetime
    narrative: dict[str, Any]
    unmatched_labels: list[str]
    cells: pd.DataFrame
    checks: list[dict[str, Any]]
    corrections: list[dict[str, Any]]
    parsed_json: dict[str, Any]
    text: str
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        """Parser warnings as stored in the parse JSON."""
        return list(self.parsed_json.get("warnings") or [])

    @property
    def unread_tables(self) -> list[dict[str, Any]]:
        """Tables the report shows but whose cells could not be read (table/code/reason), from the parse
        JSON."""
        return [dict(t) for t in self.parsed_json.get("unread_tables") or []]

    @property
    def labels(self) -> list[dict[str, Any]]:
        """How each label was matched (text/key/score/tier/section), from the parse JSON."""
        return list(self.parsed_json.get("labels") or [])

    @property
    def parsed(self) -> ParsedReport:
        """The stored parse as a :class:`ParsedReport` (as parsed: corrections are not applied)."""
        return parsed_from_json(self.parsed_json, self.text)

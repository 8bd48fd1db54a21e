"""A stored report's metadata: what the reviewer confirmed wins over what the parser read.

One rule for every path that writes metadata (saving an upload, re-parsing a stored report, the
upload form's pre-filled guess): a confirmed field is kept as given; any other field comes from the
parse; the agency type, when not confirmed, is guessed from the agency name
(:func:`parsing.agency_types.guess_agency_type`, data in ``parsing/agency_types.toml``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from parsing.agency_types import guess_agency_type
from parsing.report import ParsedReport

METADATA_FIELDS = ("agency", "region", "year", "agency_type")


def merged_metadata(
    parsed: ParsedReport, kept: Mapping[str, Any] | None = None, confirmed: Collection[str] = ()
) -> dict[str, Any]:
    """``{agency, region, year, agency_type}``: the ``confirmed`` fields from ``kept``, the rest from
    ``parsed``; the agency type guessed from the resulting agency name unless confirmed."""
    kept = kept or {}

    def pick(field: str, parsed_value: Any) -> Any:
        return kept.get(field) if field in confirmed else parsed_value

    year = pick("year", parsed.year)
    meta: dict[str, Any] = {
        "agency": pick("agency", parsed.agency),
        "region": pick("region", parsed.region),
        "year": int(year) if year not in (None, "") else None,
    }
    meta["agency_type"] = pick("agency_type", None) or guess_agency_type(meta["agency"])
    return meta


def given_fields(**given: Any) -> list[str]:
    """The metadata fields a caller actually gave (a blank or ``None`` means "take the parser's")."""
    return [k for k in METADATA_FIELDS if given.get(k) not in (None, "")]

"""The canonical parse result and its JSON form (../shared/spec/parse-output.md)."""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, field
from typing import Any

from parsing.document import Source

PARSER_VERSION = "1.2.1"


@dataclass
class Cell:
    """One canonical cell as the report states it.

    ``value`` is None when the cell is present but blank, ``/``, a dash or ``无``; ``raw`` keeps the text.
    ``flag``: ok | blank | na | dash | unit_converted | unparsed | split | signed | too_long.
    """

    key: str
    value: int | float | None
    raw: str
    label: str = ""
    score: float = 100.0
    flag: str = "ok"
    unit: str | None = None
    source: Source | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "raw": self.raw, "label": self.label, "score": self.score}
        if self.flag != "ok":
            out["flag"] = self.flag
        if self.unit is not None or self.key.endswith("procurement_amount"):
            out["unit"] = self.unit
        if self.source is not None:
            out["source"] = self.source.to_dict()
        return out


@dataclass
class Check:
    """The outcome of one consistency rule at one place (a column, a row or a group)."""

    rule: str  # stable code: O1_balance, D1_row_total, D3_outcome_sum, D5_review, ...
    where: str
    status: str  # pass | fail | skipped
    detail: str = ""
    blank_as_zero: list[str] = field(default_factory=list)  # cell keys read as 0 because blank

    @property
    def detail_zh(self) -> str:
        """The Chinese explanation reviewers read (``detail`` stays the terse English contract form)."""
        from parsing.checks import explain  # checks imports this module

        return explain(self.rule, self.where, self.status, self.detail, self.blank_as_zero)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "where": self.where,
            "status": self.status,
            "detail": self.detail,
        }
        out["detail_zh"] = self.detail_zh
        if self.blank_as_zero:
            out["blank_as_zero"] = list(self.blank_as_zero)
        return out


@dataclass
class LabelMatch:
    """How a label written in the report was matched (or not) to a canonical key."""

    text: str
    key: str | None
    score: float
    tier: str  # exact | note_stripped | alias | override | prefix | contained | clipped | fuzzy | unmatched
    section: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "key": self.key,
            "score": self.score,
            "tier": self.tier,
            "section": self.section,
        }


@dataclass
class ParsedReport:
    """Everything the parser learned from one document."""

    file: str
    sha256: str
    format: str
    error: dict[str, str] | None = None
    agency: str | None = None
    region: str | None = None
    year: int | None = None
    published: str | None = None  # ISO date the document states it was published
    # Where each metadata value was found: {"year": "title"|"period"|"prose"|"overview", "agency": …}
    metadata_source: dict[str, str] = field(default_factory=dict)
    template: str = "unknown"
    table_versions: dict[str, str] = field(default_factory=dict)
    cells: dict[str, Cell] = field(default_factory=dict)
    narrative: dict[str, int | float] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    unmatched_labels: list[str] = field(default_factory=list)
    labels: list[LabelMatch] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Tables the text shows (heading or standard labels) but whose cells could not be read, each
    # {"table": "s2"|"s3"|"s4"|None, "code": no_values|heading_only|values_unplaced|no_tables,
    #  "reason": 中文};
    # table None with code no_tables: a report without any table. The warnings say the same for people.
    unread_tables: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""  # plain text of the document, for reviewers (not part of the JSON)
    parser_version: str = PARSER_VERSION

    @property
    def ok(self) -> bool:
        return self.error is None

    def values(self) -> dict[str, int | float | None]:
        """Cell key → value."""
        return {k: c.value for k, c in self.cells.items()}

    def to_json(self) -> dict[str, Any]:
        """The object of the parse contract (keys are only ever added, never changed)."""
        out = {
            "file": self.file,
            "sha256": self.sha256,
            "format": self.format,
            "error": self.error,
            "agency": self.agency,
            "region": self.region,
            "year": self.year,
            "published": self.published,
            "metadata_source": dict(self.metadata_source),
            "template": self.template,
            "table_versions": dict(self.table_versions),
            "parser_version": self.parser_version,
            "cells": {k: c.to_json() for k, c in self.cells.items()},
            "narrative": dict(self.narrative),
            "checks": [c.to_json() for c in self.checks],
            "unmatched_labels": list(self.unmatched_labels),
            "labels": [m.to_json() for m in self.labels],
            "warnings": list(self.warnings),
            "unread_tables": [dict(t) for t in self.unread_tables],
        }
        name_bytes = _name_bytes(self.file)
        if name_bytes is not None:
            # Not valid UTF-8 on disk: a readable name in "file", the exact bytes in "file_b64".
            out["file"] = name_bytes.decode("utf-8", "replace")
            out["file_b64"] = base64.b64encode(name_bytes).decode("ascii")
        return out


_SURROGATE = re.compile("[\ud800-\udfff]")


def _name_bytes(name: str) -> bytes | None:
    """The original bytes of a file name that is not valid UTF-8 (Python keeps such bytes as lone
    surrogates, ``os.fsdecode``), or None for a name that is valid text."""
    if not _SURROGATE.search(name):
        return None
    try:
        return os.fsencode(name)
    except UnicodeEncodeError:  # surrogates that did not come from bytes: encode them visibly
        return name.encode("utf-8", "surrogatepass")


def scrub_json(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings replaced by U+FFFD, so that it encodes as
    UTF-8 JSON whatever a reader put in a message (``file_b64`` keeps the exact file name)."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {scrub_json(k): scrub_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_json(v) for v in value]
    return value


def error_report(
    file: str, sha256: str, fmt: str, code: str, zh: str, en: str, limit: str | None = None
) -> ParsedReport:
    """A report object for a file that could not be parsed: a stable code plus Chinese and English text.

    ``limit`` (added key) names the field of :class:`parsing.limits.Limits` that was crossed."""
    error = {"code": code, "message": zh, "message_en": en}
    if limit is not None:
        error["limit"] = limit
    return ParsedReport(file=file, sha256=sha256, format=fmt, error=error)


def error_from(file: str, sha256: str, fmt: str, exc) -> ParsedReport:
    """:func:`error_report` for a :class:`parsing.errors.ReadError`."""
    return error_report(file, sha256, fmt, exc.code, exc.zh, exc.en, getattr(exc, "limit", None))

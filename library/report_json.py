"""Rebuild a :class:`~parsing.report.ParsedReport` from its stored JSON (the parse contract)."""

from __future__ import annotations

from typing import Any

from parsing.document import Source
from parsing.report import Cell, Check, LabelMatch, ParsedReport


def _source(d: dict[str, Any] | None) -> Source | None:
    if not d:
        return None
    fields = {k: d.get(k) for k in ("line", "table", "row", "col", "page", "confidence")}
    bbox = d.get("bbox")
    return Source(kind=d.get("kind", ""), bbox=tuple(bbox) if bbox else None, **fields)


def parsed_from_json(d: dict[str, Any], text: str = "") -> ParsedReport:
    """The inverse of ``ParsedReport.to_json()`` (plus the plain text, which the JSON leaves out)."""
    cells = {
        key: Cell(
            key=key,
            value=c.get("value"),
            raw=c.get("raw", ""),
            label=c.get("label", ""),
            score=c.get("score", 100.0),
            flag=c.get("flag", "ok"),
            unit=c.get("unit"),
            source=_source(c.get("source")),
        )
        for key, c in (d.get("cells") or {}).items()
    }
    checks = [
        Check(
            rule=c["rule"],
            where=c.get("where", ""),
            status=c["status"],
            detail=c.get("detail", ""),
            blank_as_zero=list(c.get("blank_as_zero") or []),
        )
        for c in d.get("checks") or []
    ]
    labels = [
        LabelMatch(
            text=m["text"],
            key=m.get("key"),
            score=m.get("score", 0.0),
            tier=m.get("tier", ""),
            section=m.get("section"),
        )
        for m in d.get("labels") or []
    ]
    return ParsedReport(
        file=d.get("file", ""),
        sha256=d.get("sha256", ""),
        format=d.get("format", ""),
        error=d.get("error"),
        agency=d.get("agency"),
        region=d.get("region"),
        year=d.get("year"),
        published=d.get("published"),
        metadata_source=dict(d.get("metadata_source") or {}),
        template=d.get("template", "unknown"),
        table_versions=dict(d.get("table_versions") or {}),
        cells=cells,
        narrative=dict(d.get("narrative") or {}),
        checks=checks,
        unmatched_labels=list(d.get("unmatched_labels") or []),
        labels=labels,
        warnings=list(d.get("warnings") or []),
        unread_tables=[dict(t) for t in d.get("unread_tables") or []],
        text=text,
        parser_version=d.get("parser_version", ""),
    )

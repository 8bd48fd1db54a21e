"""Review-side writes of the library: metadata, corrections, label overrides and re-parsing.

:class:`LibraryReview` is a mixin of :class:`library.store.Library` (it uses ``self._write``,
``self.get`` and the parse helpers defined there); it is split out only to keep each module short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from library import audit
from library.db import (
    CellRow,
    CheckRow,
    Correction,
    LabelOverride,
    Report,
    ReportFile,
    ReportText,
    insert_checks,
    inserted_id,
    pack_json,
    unpack_json,
    utcnow,
)
from library.errors import LibraryError, number
from library.report_json import parsed_from_json
from library.report_meta import METADATA_FIELDS, merged_metadata
from library.versions import key_of, refresh_versions
from parsing.report import PARSER_VERSION, Cell, ParsedReport
from parsing.schema import CELLS, NARRATIVE_KEYS, key_label
from parsing.vocabulary import IGNORE

if TYPE_CHECKING:
    from library.stored_report import StoredReport

# parse_fn(data, filename, overrides) -> ParsedReport; the default is parsing.api.parse_bytes.
ParseFn = Callable[[bytes, str, dict[str, str]], ParsedReport]
ProgressFn = Callable[[int, int, str], None]


def unmatched_labels_of(parsed: ParsedReport) -> list[str]:
    """The unmatched labels of a parse: the one definition used by the upload page, 报告库 and 数据质量.

    An unmatched label is a table row label the parser could not place whose row carries figures, so
    those figures are left out of the report (``ParsedReport.unmatched_labels``); each distinct text
    once, in document order. A cell that matched nothing on its own but was resolved together with the
    next one ('商业' + '企业' = 商业企业), or a label without figures, loses nothing and is not counted
    (its ``LabelMatch`` keeps tier ``unmatched`` for the record).
    """
    return list(dict.fromkeys(t.strip() for t in parsed.unmatched_labels if t and t.strip()))


def _default_parse(data: bytes, filename: str, overrides: dict[str, str]) -> ParsedReport:
    from parsing.api import parse_bytes  # late import: the parser pulls in PDF/OCR stacks

    return parse_bytes(data, filename, overrides=overrides)


class LibraryReview:
    """Corrections, metadata, label overrides and re-parsing (mixin of ``Library``)."""

    # Provided by ``Library`` (library.store); declared here so the calls below are type checked.
    engine: Engine
    if TYPE_CHECKING:

        def _write(self) -> AbstractContextManager[Connection]: ...
        def get(self, report_id: int) -> StoredReport | None: ...
        def original_bytes(self, report_id: int) -> tuple[str, bytes] | None: ...
        def _parse_columns(self, conn: Connection, parsed: ParsedReport, now: datetime) -> dict[str, Any]: ...
        @staticmethod
        def _insert_cells_and_checks(conn: Connection, report_id: int, parsed: ParsedReport) -> None: ...

    def set_metadata(
        self,
        report_id: int,
        *,
        agency: str | None = None,
        region: str | None = None,
        year: int | None = None,
        agency_type: str | None = None,
        who: str | None = None,
    ) -> None:
        """Set (and mark as confirmed) the given metadata fields; fields passed as None are unchanged.

        The fields given are recorded in the audit trail (before and after) with ``who``.
        """
        given = {"agency": agency, "region": region, "year": year, "agency_type": agency_type}
        changes = {k: v for k, v in given.items() if v is not None}
        if "year" in changes:
            changes["year"] = int(changes["year"])
        if not changes:
            return
        with self._write() as conn:
            confirmed = conn.execute(select(Report.confirmed).where(Report.id == report_id)).scalar()
            if confirmed is None:
                raise LibraryError(f"报告 {report_id} 不存在", f"no report {report_id}")
            merged = sorted(set(confirmed) | set(changes))
            old_key = key_of(conn, report_id)
            before = audit.report_context(conn, report_id)
            before["agency_type"] = conn.execute(
                select(Report.agency_type).where(Report.id == report_id)
            ).scalar()
            conn.execute(
                update(Report)
                .where(Report.id == report_id)
                .values(confirmed=merged, updated_at=utcnow(), **changes)
            )
            refresh_versions(conn, [report_id], [old_key])  # the edit may make or unmake versions
            changed = [k for k in changes if before.get(k) != changes[k]]
            audit.record_report(
                conn,
                audit.METADATA_EDIT,
                report_id,
                who=who,
                summary=f"修改{audit.report_name(before, report_id)}的单位信息"
                + ("" if changed else "（确认原值）"),
                before={k: before.get(k) for k in changes},
                after=dict(changes),
            )

    def add_correction(
        self,
        report_id: int,
        key: str,
        value: int | float | str | None,
        note: str = "",
        *,
        who: str | None = None,
    ) -> int:
        """Record a reviewer's value for one cell (``None`` = blank); returns the correction id.

        ``key`` is a canonical cell key of :data:`parsing.schema.CELLS` or ``n.<narrative key>``.
        The correction wins over the parsed value in every query, and survives re-parsing.
        """
        if key not in CELLS and not (key.startswith("n.") and key[2:] in NARRATIVE_KEYS):
            raise LibraryError(f"未知的字段：{key}", f"unknown cell key {key!r}")
        value = number(value)
        with self._write() as conn:
            if conn.execute(select(Report.id).where(Report.id == report_id)).scalar() is None:
                raise LibraryError(f"报告 {report_id} 不存在", f"no report {report_id}")
            # The value this correction replaces, read in the write transaction: another session's
            # correction of the same cell a moment ago is what this one changes.
            old = number(_current_value(conn, report_id, key))
            result = conn.execute(
                insert(Correction).values(
                    report_id=report_id,
                    key=key,
                    old=old,
                    new=value,
                    note=note or "",
                    who=who,
                    created_at=utcnow(),
                )
            )
            new_id = inserted_id(result)
            self._recheck(conn, report_id)
            audit.record_report(
                conn,
                audit.CELL_CORRECTION,
                report_id,
                who=who,
                summary=f"更正{audit.report_name(audit.report_context(conn, report_id), report_id)}"
                f"的“{key_label(key)}”",
                before={"field": key_label(key), "value": old},
                after={"field": key_label(key), "value": value, "note": note or ""},
            )
        return new_id

    def remove_correction(self, correction_id: int, *, who: str | None = None) -> bool:
        """Withdraw one correction (the previous correction or the parsed value applies again);
        recorded in the audit trail with ``who``."""
        with self._write() as conn:
            row = conn.execute(
                select(Correction.report_id, Correction.key).where(Correction.id == correction_id)
            ).first()
            if row is None:
                return False
            report_id = row.report_id
            shown = number(_current_value(conn, report_id, row.key))
            conn.execute(delete(Correction).where(Correction.id == correction_id))
            self._recheck(conn, report_id)
            context = audit.report_context(conn, report_id)
            audit.record_report(
                conn,
                audit.CORRECTION_WITHDRAWN,
                report_id,
                who=who,
                summary=f"撤回{audit.report_name(context, report_id)}“{key_label(row.key)}”的更正",
                before={"field": key_label(row.key), "value": shown},
                after={
                    "field": key_label(row.key),
                    "value": number(_current_value(conn, report_id, row.key)),
                },
            )
            return True

    @staticmethod
    def _recheck(conn: Connection, report_id: int) -> None:
        """Run the consistency checks again on the parsed cells with the corrections applied.

        The stored checks (and ``checks_failed``) then describe the figures the dashboard shows, so a
        reviewer who fixes a misread total sees the failure go away. The parse JSON keeps the
        checks as parsed.
        """
        from parsing.checks import run_checks

        blob = conn.execute(
            select(ReportFile.parsed_json_z).where(ReportFile.report_id == report_id)
        ).scalar_one()
        parsed = parsed_from_json(unpack_json(blob))
        corrections = conn.execute(
            select(Correction.key, Correction.new)
            .where(Correction.report_id == report_id)
            .order_by(Correction.id)
        ).all()
        cells = dict(parsed.cells)
        for key, new in corrections:
            if key not in CELLS:
                continue  # narrative figures take part in no check
            old = cells.get(key)
            cells[key] = Cell(
                key=key,
                value=new,
                raw="" if new is None else f"{new:g}",
                label=old.label if old else "",
                score=100.0,
                flag="ok" if new is not None else "blank",
                unit=old.unit if old else None,
                source=old.source if old else None,
            )
        checks = run_checks(cells, parsed.table_versions) if corrections else parsed.checks
        conn.execute(delete(CheckRow).where(CheckRow.report_id == report_id))
        insert_checks(conn, report_id, checks)
        conn.execute(
            update(Report)
            .where(Report.id == report_id)
            .values(checks_failed=sum(c.status == "fail" for c in checks), updated_at=utcnow())
        )

    # ------------------------------------------------------------------ label overrides

    def label_overrides(self) -> dict[str, str]:
        """Normalised label text → target id, to pass as ``overrides`` to the parser."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(LabelOverride.text, LabelOverride.target).where(LabelOverride.active.is_(True))
            ).all()
        return {r.text: r.target for r in rows}

    def label_override_table(self) -> pd.DataFrame:
        """All overrides with who/when, for review: text, target, who, active, created_at."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    LabelOverride.text,
                    LabelOverride.target,
                    LabelOverride.who,
                    LabelOverride.active,
                    LabelOverride.created_at,
                ).order_by(LabelOverride.created_at)
            ).all()
        return pd.DataFrame(rows, columns=["text", "target", "who", "active", "created_at"])

    def save_label_override(self, text_: str, target: str, *, who: str | None = None) -> None:
        """Remember that the label ``text_`` means ``target`` (replaces an earlier choice for that text).

        The text is normalised with ``parsing.normalize.normalize_label``, as the matcher does.
        """
        key = _normalize_label(text_)
        if not key or not target:
            raise LibraryError("标签和目标字段都不能为空", "label text and target are required")
        with self._write() as conn:
            previous = conn.execute(select(LabelOverride.target).where(LabelOverride.text == key)).scalar()
            conn.execute(delete(LabelOverride).where(LabelOverride.text == key))
            conn.execute(
                insert(LabelOverride).values(
                    text=key, target=target, who=who, active=True, created_at=utcnow()
                )
            )
            audit.record(
                conn,
                audit.LABEL_OVERRIDE,
                who=who,
                target_kind="label",
                target_id=key,
                summary=f"标签“{text_.strip()}”对应到“{_target_name(target)}”",
                before=None if previous is None else {"text": key, "target": _target_name(previous)},
                after={"text": key, "target": _target_name(target)},
            )

    def delete_label_override(self, text_: str, *, who: str | None = None) -> bool:
        """Forget the override of ``text_`` (recorded in the audit trail with ``who``)."""
        key = _normalize_label(text_)
        with self._write() as conn:
            previous = conn.execute(select(LabelOverride.target).where(LabelOverride.text == key)).scalar()
            if previous is None:
                return False
            conn.execute(delete(LabelOverride).where(LabelOverride.text == key))
            audit.record(
                conn,
                audit.LABEL_OVERRIDE_REMOVED,
                who=who,
                target_kind="label",
                target_id=key,
                summary=f"删除标签“{text_.strip()}”的对应",
                before={"text": key, "target": _target_name(previous)},
            )
            return True

    # ------------------------------------------------------------------ re-parsing

    def reparse(
        self, report_id: int, parse_fn: ParseFn | None = None, *, who: str | None = None
    ) -> ParsedReport:
        """Parse the stored original again (with the current label overrides) and replace the parse.

        Corrections and confirmed metadata are kept; unconfirmed metadata is taken from the new
        parse. A failed parse raises :class:`LibraryError` and leaves the stored report untouched
        (and unrecorded). Returns the new :class:`ParsedReport`; the audit trail gets the parse
        before and after, with ``who``.
        """
        original = self.original_bytes(report_id)
        if original is None:
            raise LibraryError(f"报告 {report_id} 不存在", f"no report {report_id}")
        filename, data = original
        parsed = (parse_fn or _default_parse)(data, filename, self.label_overrides())
        if parsed.error is not None:
            msg = parsed.error.get("message") or "解析失败"
            raise LibraryError(f"重新解析失败，原数据保留：{msg}", f"re-parse failed: {parsed.error}")
        with self._write() as conn:
            row = (
                conn.execute(
                    select(Report.confirmed, *(getattr(Report, f) for f in METADATA_FIELDS)).where(
                        Report.id == report_id
                    )
                )
                .mappings()
                .one()
            )
            meta = merged_metadata(parsed, dict(row), set(row["confirmed"] or []))
            old_key = key_of(conn, report_id)
            before = _parse_summary(conn, report_id)
            conn.execute(delete(CellRow).where(CellRow.report_id == report_id))
            conn.execute(delete(CheckRow).where(CheckRow.report_id == report_id))
            conn.execute(
                update(Report)
                .where(Report.id == report_id)
                .values(
                    parser_version=parsed.parser_version,
                    format=parsed.format or "unknown",
                    **meta,
                    **self._parse_columns(conn, parsed, utcnow()),
                )
            )
            conn.execute(
                update(ReportFile)
                .where(ReportFile.report_id == report_id)
                .values(parsed_json_z=pack_json(parsed.to_json()), text=parsed.text or "")
            )
            conn.execute(  # the search's copy of the text (revision 0008)
                update(ReportText).where(ReportText.report_id == report_id).values(text=parsed.text or "")
            )
            self._insert_cells_and_checks(conn, report_id, parsed)
            has_corrections = conn.execute(
                select(func.count(Correction.id)).where(Correction.report_id == report_id)
            ).scalar_one()
            if has_corrections:
                self._recheck(conn, report_id)
            # New unconfirmed metadata or a new publication date may regroup or reorder versions.
            refresh_versions(conn, [report_id], [old_key])
            context = audit.report_context(conn, report_id)
            audit.record_report(
                conn,
                audit.REPORT_REPARSE,
                report_id,
                who=who,
                summary=f"重新解析{audit.report_name(context, report_id)}",
                before=before,
                after=_parse_summary(conn, report_id),
                context=context,
            )
        return parsed

    def reports_concerned_by(self, texts: Iterable[str]) -> list[int]:
        """Ids of the stored reports whose parse the saved overrides of ``texts`` would change.

        A report is concerned when one of its unmatched labels, or a label it matched to another
        target (a low-confidence match), is one of ``texts`` after label normalisation. Uses the
        overrides as saved, so call it after :meth:`save_label_override`.
        """
        saved = self.label_overrides()
        wanted = {key: saved[key] for key in map(_normalize_label, texts) if key in saved}
        if not wanted:
            return []
        found: set[int] = set()
        with self.engine.connect() as conn:
            for report_id, labels in conn.execute(
                select(Report.id, Report.unmatched_json).where(Report.unmatched_count > 0)
            ):
                if any(_normalize_label(label) in wanted for label in labels):
                    found.add(report_id)
            # Matched labels live only in the stored parse: read each one (this runs in the background).
            # yield_per streams (a server-side cursor on PostgreSQL): the blobs are never all in memory.
            stmt = select(ReportFile.report_id, ReportFile.parsed_json_z).execution_options(yield_per=200)
            rows = conn.execute(stmt)
            for report_id, blob in rows:
                if report_id not in found and _labels_concerned(
                    unpack_json(blob).get("labels") or [], wanted
                ):
                    found.add(report_id)
        return sorted(found)

    def apply_label_overrides(
        self,
        texts: Iterable[str],
        parse_fn: ParseFn | None = None,
        *,
        progress: ProgressFn | None = None,
        who: str | None = None,
    ) -> dict[str, list]:
        """Re-parse every stored report the saved overrides of ``texts`` concern (see
        :meth:`reports_concerned_by`), so they reach the library and not only later uploads.

        Each report is re-parsed atomically by :meth:`reparse` (corrections and confirmed metadata
        kept). Returns ``{"reparsed": [ids], "failed": [(id, Chinese message)]}``; ``progress(done,
        total, filename)`` is called after each report.
        """
        return self.reparse_many(self.reports_concerned_by(list(texts)), parse_fn, progress, who=who)

    def reparse_many(
        self,
        ids: list[int],
        parse_fn: ParseFn | None = None,
        progress: ProgressFn | None = None,
        *,
        who: str | None = None,
    ) -> dict[str, list]:
        """Re-parse ``ids`` one transaction each (see :meth:`reparse`); a failure is recorded and the rest
        go on. Returns ``{"reparsed": [ids], "failed": [(id, Chinese message)]}``."""
        result: dict[str, list] = {"reparsed": [], "failed": []}
        for i, report_id in enumerate(ids, 1):
            try:
                parsed = self.reparse(report_id, parse_fn, who=who)
                result["reparsed"].append(report_id)
                name = parsed.file
            except LibraryError as exc:
                result["failed"].append((report_id, exc.zh))
                name = str(report_id)
            if progress:
                progress(i, len(ids), name)
        return result

    def outdated_ids(self, current_version: str = PARSER_VERSION) -> list[int]:
        """Ids of the reports parsed by a parser version other than ``current_version``."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(Report.id).where(Report.parser_version != current_version).order_by(Report.id)
                ).scalars()
            )

    def reparse_outdated(
        self,
        parse_fn: ParseFn | None = None,
        *,
        current_version: str = PARSER_VERSION,
        progress: ProgressFn | None = None,
        who: str | None = None,
    ) -> dict[str, list]:
        """Re-parse every report whose parser version differs from ``current_version``.

        One transaction per report, so an interruption keeps the work done so far. Returns
        ``{"reparsed": [ids], "failed": [(id, Chinese message)]}``. ``progress(done, total, filename)``
        is called after each report.
        """
        return self.reparse_many(self.outdated_ids(current_version), parse_fn, progress, who=who)


def _current_value(conn: Connection, report_id: int, key: str) -> Any:
    """The value a cell shows now (read in the caller's transaction): its latest correction, else the
    parsed value (None: blank or not read)."""
    row = conn.execute(
        select(Correction.new)
        .where(Correction.report_id == report_id, Correction.key == key)
        .order_by(Correction.id.desc())
        .limit(1)
    ).first()
    if row is not None:
        return row.new
    if key.startswith("n."):
        narrative = conn.execute(select(Report.narrative_json).where(Report.id == report_id)).scalar()
        return (narrative or {}).get(key[2:])
    return conn.execute(
        select(CellRow.value).where(CellRow.report_id == report_id, CellRow.key == key)
    ).scalar()


def _parse_summary(conn: Connection, report_id: int) -> dict[str, Any]:
    """What a re-parse may change, for the audit trail."""
    row = conn.execute(
        select(
            Report.parser_version,
            Report.template,
            Report.n_cells,
            Report.checks_failed,
            Report.agency,
            Report.region,
            Report.year,
        ).where(Report.id == report_id)
    ).one()
    return {
        "parser_version": row.parser_version,
        "template": row.template,
        "cells": row.n_cells,
        "checks_failed": row.checks_failed,
        "agency": row.agency,
        "region": row.region,
        "year": row.year,
    }


def _target_name(target: str) -> str:
    """A label override's target as a reader knows it (the field's Chinese name, or 忽略)."""
    return "忽略（不是数据行）" if target == IGNORE else key_label(target)


def _labels_concerned(labels: list[dict], wanted: dict[str, str]) -> bool:
    """Whether an override in ``wanted`` (normalised text → target) changes one of these label matches."""
    for m in labels:
        target = wanted.get(_normalize_label(m.get("text") or ""))
        if target is None:
            continue
        current = m.get("key")
        if target == IGNORE and current is not None or target != IGNORE and current != target:
            return True
    return False


def _normalize_label(text_: str) -> str:
    """The parser's label normalisation, so a stored override is found by the matcher's lookup."""
    from parsing.normalize import normalize_label

    return normalize_label(text_ or "")

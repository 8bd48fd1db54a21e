"""Read-side of the library: listing, search, counts, filter choices, the dataset and quality lists.

:class:`LibraryQueries` is a mixin of :class:`library.store.Library` (it uses ``self.engine`` and the
dataset cache set up there); it is split out only to keep each module short.
"""

from __future__ import annotations

import threading

import pandas as pd
from sqlalchemy import Engine, case, func, or_, select, text

from library import dataset as ds
from library.db import CheckRow, Correction, LabelOverride, Report, ReportFile, ValueLayout
from library.filters import MISSING, Filters
from parsing.report import PARSER_VERSION

# Columns of list()/search(), in display order.
LIST_COLUMNS = [
    "report_id",
    "filename",
    "format",
    "size",
    "agency",
    "region",
    "year",
    "agency_type",
    "template",
    "parser_version",
    "outdated",
    "checks_failed",
    "unmatched_labels",
    "warnings_count",
    "n_cells",
    "n_corrections",
    "created_at",
    "updated_at",
]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class LibraryQueries:
    """Queries over the stored reports (mixin of ``Library``)."""

    engine: Engine
    _cache_lock: threading.Lock
    _cache: tuple[int, pd.DataFrame] | None

    def revision(self) -> int:
        """A number that changes whenever anything in the library changes (a cache key)."""
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT value FROM library_meta WHERE key = 'revision'")).scalar_one()

    # ------------------------------------------------------------------ listing

    def _list_select(self):
        n_corr = (
            select(func.count(Correction.id)).where(Correction.report_id == Report.id).scalar_subquery()
        )
        return select(
            Report.id.label("report_id"),
            Report.filename,
            Report.format,
            Report.size,
            Report.agency,
            Report.region,
            Report.year,
            Report.agency_type,
            Report.template,
            Report.parser_version,
            Report.checks_failed,
            Report.unmatched_count.label("unmatched_labels"),
            Report.warnings_count,
            Report.n_cells,
            n_corr.label("n_corrections"),
            Report.created_at,
            Report.updated_at,
        )

    @staticmethod
    def _where_filters(stmt, filters: Filters | None):
        if filters is None or filters.is_empty:
            return stmt
        for column, wanted in (
            (Report.region, filters.regions),
            (Report.year, filters.years),
            (Report.agency_type, filters.agency_types),
            (Report.template, filters.templates),
        ):
            if not wanted:
                continue
            values = [w for w in wanted if w != MISSING]
            if column is Report.year:
                values = [int(v) for v in values]
            conds = [column.in_(values)] if values else []
            if MISSING in wanted:
                conds.append(column.is_(None))
            stmt = stmt.where(or_(*conds))
        return stmt

    def _frame(self, stmt) -> pd.DataFrame:
        with self.engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(stmt)]  # plain tuples: pandas probes Row objects slowly
        df = pd.DataFrame(rows, columns=[c for c in LIST_COLUMNS if c != "outdated"])
        df.insert(LIST_COLUMNS.index("outdated"), "outdated", df["parser_version"] != PARSER_VERSION)
        df["year"] = df["year"].astype("Int64")
        return df

    def list(self, filters: Filters | None = None) -> pd.DataFrame:
        """Stored reports (no cell values), newest year first; columns :data:`LIST_COLUMNS`.

        ``outdated`` is True when the report was parsed by another parser version than the current one.
        """
        stmt = self._where_filters(self._list_select(), filters)
        return self._frame(stmt.order_by(Report.year.desc(), Report.agency, Report.id))

    def search(self, term: str, filters: Filters | None = None, *, limit: int = 500) -> pd.DataFrame:
        """Reports whose agency, region, file name or full text contains ``term`` (case-insensitive).

        Same columns as :meth:`list`; an empty term lists everything (up to ``limit``).
        """
        stmt = self._where_filters(self._list_select(), filters)
        term = (term or "").strip()
        if term:
            pattern = f"%{_escape_like(term)}%"
            in_text = (
                select(ReportFile.report_id)
                .where(ReportFile.text.ilike(pattern, escape="\\"))
                .scalar_subquery()
            )
            stmt = stmt.where(
                or_(
                    Report.agency.ilike(pattern, escape="\\"),
                    Report.region.ilike(pattern, escape="\\"),
                    Report.filename.ilike(pattern, escape="\\"),
                    Report.id.in_(in_text),
                )
            )
        return self._frame(stmt.order_by(Report.year.desc(), Report.agency, Report.id).limit(limit))

    def metadata_of(self, report_ids: list[int]) -> dict[int, dict]:
        """The stored agency, region, year and agency_type of each report id (missing ids left out)."""
        if not report_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(Report.id, Report.agency, Report.region, Report.year, Report.agency_type).where(
                    Report.id.in_([int(i) for i in report_ids])
                )
            ).mappings().all()
        return {r["id"]: {k: r[k] for k in ("agency", "region", "year", "agency_type")} for r in rows}

    def counts(self) -> dict[str, int]:
        """Totals for the library header: reports, agencies, regions, years, cells, failing and outdated reports."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    func.count(Report.id),
                    func.count(func.distinct(Report.agency)),  # replaced below by (region, agency) pairs
                    func.count(func.distinct(Report.region)),
                    func.count(func.distinct(Report.year)),
                    func.coalesce(func.sum(Report.n_cells), 0),
                    func.coalesce(func.sum(case((Report.checks_failed > 0, 1), else_=0)), 0),
                    func.coalesce(func.sum(case((Report.parser_version != PARSER_VERSION, 1), else_=0)), 0),
                )
            ).one()
            # An agency is a (region, name) pair, as in aggregate.kpis: two counties each have a 县教育局.
            pairs = select(Report.region, Report.agency).where(Report.agency.is_not(None)).distinct().subquery()
            n_agencies = conn.execute(select(func.count()).select_from(pairs)).scalar_one()
            n_corrections = conn.execute(select(func.count(Correction.id))).scalar_one()
            n_overrides = conn.execute(select(func.count(LabelOverride.id))).scalar_one()
        keys = ("reports", "agencies", "regions", "years", "cells", "reports_failing_checks", "outdated")
        out = {k: int(v) for k, v in zip(keys, row, strict=True)}
        out["agencies"] = int(n_agencies)
        out["corrections"] = int(n_corrections)
        out["label_overrides"] = int(n_overrides)
        return out

    def filter_options(self) -> dict[str, list]:
        """The choices of each sidebar filter: regions, years (newest first), agency_types, templates.

        ``MISSING`` is included where some report lacks that field.
        """
        out: dict[str, list] = {}
        with self.engine.connect() as conn:
            for name, column in (
                ("regions", Report.region),
                ("years", Report.year),
                ("agency_types", Report.agency_type),
                ("templates", Report.template),
            ):
                values = list(conn.execute(select(column).distinct()).scalars())
                present = sorted((v for v in values if v is not None), reverse=(name == "years"))
                out[name] = present + ([MISSING] if None in values else [])
        return out

    # ------------------------------------------------------------------ the standardised dataset

    def dataset(self, filters: Filters | None = None) -> pd.DataFrame:
        """The standardised dataset: one row per report, corrections applied (see :mod:`library.dataset`).

        Cached per library revision, so repeated calls cost a filter in memory. The returned frame
        is a fresh copy: callers may modify it.
        """
        rev = self.revision()
        with self._cache_lock:
            cached = self._cache
        if cached is None or cached[0] != rev:
            full = self._read_dataset()
            # The revision may have moved while we read; keyed by the one read before, a stale
            # frame is simply rebuilt on the next call.
            with self._cache_lock:
                self._cache = (rev, full)
        else:
            full = cached[1]
        out = (filters or Filters()).apply(full)
        return out.copy()

    def _read_dataset(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            # Plain SQL without result types: SQLAlchemy's per-row type processing cost more than the
            # rest of the read on 5,000 reports. The values come back as the driver gives them.
            rows = conn.exec_driver_sql(
                "SELECT id, filename, agency, region, year, agency_type, template, checks_failed,"
                " unmatched_count, layout_id, values_blob, narrative_json FROM reports ORDER BY id"
            ).all()
            layouts = {r.id: r.keys for r in conn.execute(select(ValueLayout.id, ValueLayout.keys))}
            corrections = conn.execute(
                select(Correction.report_id, Correction.key, Correction.new).order_by(Correction.id)
            ).all()
        return ds.build_dataset(rows, corrections, layouts)

    def failed_checks(self, filters: Filters | None = None) -> pd.DataFrame:
        """Every failed check of the filtered reports.

        Columns: report_id, agency, region, year, filename, rule, where, detail, blank_as_zero.
        """
        stmt = (
            select(
                Report.id.label("report_id"),
                Report.agency,
                Report.region,
                Report.year,
                Report.filename,
                CheckRow.rule,
                CheckRow.where,
                CheckRow.detail,
                CheckRow.blank_as_zero,
            )
            .join(CheckRow, CheckRow.report_id == Report.id)
            .where(CheckRow.status == "fail")
        )
        stmt = self._where_filters(stmt, filters).order_by(Report.year.desc(), Report.agency, CheckRow.id)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        cols = ["report_id", "agency", "region", "year", "filename", "rule", "where", "detail", "blank_as_zero"]
        df = pd.DataFrame(rows, columns=cols)
        df["year"] = df["year"].astype("Int64")
        return df

    def unmatched_labels(self, filters: Filters | None = None) -> pd.DataFrame:
        """Every unmatched label of the filtered reports: report_id, agency, region, year, filename, label."""
        stmt = select(
            Report.id, Report.agency, Report.region, Report.year, Report.filename, Report.unmatched_json
        ).where(Report.unmatched_count > 0)
        stmt = self._where_filters(stmt, filters).order_by(Report.year.desc(), Report.agency, Report.id)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        records = [
            (r.id, r.agency, r.region, r.year, r.filename, label) for r in rows for label in r.unmatched_json
        ]
        df = pd.DataFrame(records, columns=["report_id", "agency", "region", "year", "filename", "label"])
        df["year"] = df["year"].astype("Int64")
        return df

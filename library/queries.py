"""Read-side of the library: listing, search, counts, filter choices, the dataset and quality lists.

:class:`LibraryQueries` is a mixin of :class:`library.store.Library` (it uses ``self.engine`` and the
dataset cache set up there); it is split out only to keep each module short.
"""

from __future__ import annotations

import builtins
import re
import threading
import weakref
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, case, false, func, or_, select, text, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql import column as sa_column
from sqlalchemy.sql import table as sa_table

from library.access import ALL, Scope
from library.dataset_cache import DatasetCache
from library.db import CellRow, CheckRow, Correction, LabelOverride, Report, ReportText
from library.filters import MISSING, Filters
from library.heap import settle_after_full_read
from library.search_index import FTS_TABLE, MIN_INDEXED, fts_phrase, has_fts
from library.versions import version_numbers
from library.visibility import report_visible, visible_pairs
from parsing.report import PARSER_VERSION

# Cell flags a reviewer should look at (数据质量): values obtained by the official rules rather than
# read as written, and values that could not be read as written.
RULE_FLAGS: tuple[str, ...] = ("split_by_rule", "placed_by_rule")
ATTENTION_FLAGS: tuple[str, ...] = (*RULE_FLAGS, "split", "unparsed", "too_long")

# Every analysis reads current versions only (library.versions): an older version of a report that a
# corrected one replaced stays listed in 报告库 but is never counted.
CURRENT = Report.superseded_by.is_(None)
# Filtered datasets kept per revision (Library.dataset): each holds its rows' values (up to ~100 MB at
# 50,000 reports), so only the last few selections.
FILTERED_KEPT = 2

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
    "superseded_by",
    "version",
    "n_versions",
]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# 报告库's order: newest year first, then agency and id. ``year + 0`` sorts exactly as ``year`` (NULL
# too, on either database) but is no indexed column: SQLite would otherwise walk ix_reports_year in
# order and read every wide row, instead of the narrow ix_reports_current_meta and a sort.
_LIST_ORDER = ((Report.year + 0).desc(), Report.agency, Report.id)
_IN_LIST = 500  # ids per IN (...) list; more are read by one scan of the index instead
# 数据质量 at 50,000 reports: its report picker holds this many (problems first; a search box finds
# the others) and its tables show this many rows (the full lists download).
QUALITY_PICKER_LIMIT = 2000
QUALITY_TABLE_LIMIT = 500

_SEPARATORS = re.compile(r"[\s\u3000,，、;；]+")
_YEAR = re.compile(r"(199\d|20\d\d|2100)(?:年度?)?")
_TEXT_FIELDS = (("agency", "单位"), ("region", "地区"), ("filename", "文件名"))


def search_words(term: str | None) -> list[str]:
    """The words of a search term: split at spaces (full-width too), commas and semicolons; each once."""
    return list(dict.fromkeys(w for w in _SEPARATORS.split(term or "") if w))


def _is_year(word: str) -> bool:
    """A word that names a year ('2023', '2023年', '2023年度'): it matches the report's year only,
    since nearly every report mentions last year's date in its text."""
    return _YEAR.fullmatch(word) is not None


def _year_of(word: str) -> int:
    m = _YEAR.fullmatch(word)
    if m is None:
        raise ValueError(f"not a year: {word!r}")  # callers check _is_year first
    return int(m.group(1))


# The FTS5 trigram table of revision 0009 (library.search_index); its hidden column of the same name
# is the left side of MATCH.
_FTS = sa_table(FTS_TABLE, sa_column("rowid"), sa_column(FTS_TABLE))


def _text_condition(word: str, fts: bool):
    """SQL condition on ``ReportText``: its text holds ``word`` (case-insensitive, wildcards literal).
    With the trigram index (SQLite, ``fts``) a word of 3 characters or more is looked up there and the
    candidates checked with the very same ``ILIKE``, so the rows are the same as without it."""
    pattern = f"%{_escape_like(word)}%"
    like = ReportText.text.ilike(pattern, escape="\\")
    if not fts or len(word) < MIN_INDEXED:
        return like
    candidates = select(_FTS.c.rowid).where(_FTS.c[FTS_TABLE].match(fts_phrase(word)))
    return and_(ReportText.report_id.in_(candidates), like)


def _word_condition(word: str, fts: bool = False, *, wide_rows: bool = True):
    """SQL condition: the report matches ``word`` in some field (``fts``: see :func:`_text_condition`).

    ``wide_rows``: the store keeps a report's value blob in its row (SQLite), so the file name is read
    from ``ix_reports_list`` (an index-only read) rather than from the wide rows. PostgreSQL moves
    large values out of the row (TOAST): there the name is compared in the same scan, as a second
    scan of every report for the name alone cost ~65 ms at 50,000."""
    if _is_year(word):
        return Report.year == _year_of(word)
    pattern = f"%{_escape_like(word)}%"
    # The narrow text table (revision 0008), not report_files: its rows also carry the documents.
    in_text = select(ReportText.report_id).where(_text_condition(word, fts)).scalar_subquery()
    if wide_rows:
        named = aliased(Report)
        in_name = Report.id.in_(
            select(named.id).where(named.filename.ilike(pattern, escape="\\")).scalar_subquery()
        )
    else:
        in_name = Report.filename.ilike(pattern, escape="\\")
    return or_(
        Report.agency.ilike(pattern, escape="\\"),
        Report.region.ilike(pattern, escape="\\"),
        in_name,
        Report.id.in_(in_text),
    )


# A current report with a failed check: ``Report.checks_failed`` is the number of its "fail" check rows
# (set with the rows by every write: Library.add, reparse, corrections' recheck), so the condition
# keeps the same rows while letting the join start from ``ix_reports_current_failing`` (revision 0012):
# on PostgreSQL at 50,000 reports 37 → 7 ms per question instead of hashing every current report.
_FAILING = (Report.checks_failed > 0, CURRENT)


def _current_having(count: str, plain: bool = False):
    """SQL condition: a current report whose ``count`` column is positive. The ids come from
    ``ix_reports_current_meta`` (an index-only read), so only those reports' wide rows are read; as
    a plain condition SQLite walked every current row through a narrower index.

    ``plain``: the plain condition (for a column with a partial index of revision 0012, on
    PostgreSQL): there the ids' subquery was a second sequential scan of every report and a hash
    join, while the plain condition is the partial index's own and reads only those reports."""
    if plain:
        return and_(getattr(Report, count) > 0, CURRENT)
    inner = aliased(Report)
    column = getattr(inner, count)
    return Report.id.in_(select(inner.id).where(column > 0, inner.superseded_by.is_(None)))


def _pairs_condition(pairs: list[tuple[str | None, str | None]]):
    """SQL condition: the report's (agency, region) is one of ``pairs`` (none: false)."""
    conds = [
        and_(Report.agency == a, Report.region == r if r is not None else Report.region.is_(None))
        for a, r in pairs
    ]
    return or_(*conds) if conds else false()


def _fields_matched(word: str, row) -> list[str]:
    """The short fields of a listed report (a row of :meth:`LibraryQueries.list`) that ``word`` matches."""
    if _is_year(word):
        return ["年度"] if not pd.isna(row.year) and int(row.year) == _year_of(word) else []
    low = word.casefold()
    return [name for column, name in _TEXT_FIELDS if low in str(getattr(row, column) or "").casefold()]


def search_of(lib: LibraryQueries, filters: Filters, term: str) -> pd.DataFrame:
    """``lib.search(term, filters)`` for ``components.state.from_library`` (cached per revision, filters
    and term: 报告库 reruns on every click in its table)."""
    return lib.search(term, filters)


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
        """The columns of a 报告库 row that ``ix_reports_current_meta`` holds (the rest: :meth:`_frame`)."""
        return select(
            Report.id.label("report_id"),
            Report.agency,
            Report.region,
            Report.year,
            Report.agency_type,
            Report.template,
            Report.parser_version,
            Report.checks_failed,
            Report.unmatched_count.label("unmatched_labels"),
            Report.n_cells,
            Report.superseded_by,
        )

    def _where_filters(self, stmt, filters: Filters | None):
        if filters is None or filters.selects_all:
            return stmt
        if not filters.unrestricted:
            stmt = stmt.where(self._scope_condition(filters.scope))
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

    def _scope_condition(self, scope: Scope | None):
        """SQL condition: the report is within ``scope``. The names are compared in Python (as the roster
        linker compares them) over the distinct stored (agency, region) pairs, then selected exactly."""
        if scope is None:
            return false()
        with self.engine.connect() as conn:
            if scope.agency is None:
                regions = conn.execute(select(Report.region).distinct()).scalars().all()
                allowed = [r for r in regions if r is not None and report_visible(None, r, scope)]
                return Report.region.in_(allowed) if allowed else false()
            pairs = conn.execute(select(Report.agency, Report.region).distinct()).all()
        return _pairs_condition(visible_pairs(((p.agency, p.region) for p in pairs), scope))

    def visible(self, report_id: int, scope: Scope | None = ALL) -> bool:
        """True when the report exists and ``scope`` lets it through (every version of a report: an
        older version has the agency and region it was stored with)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(Report.agency, Report.region).where(Report.id == int(report_id))
            ).first()
        return row is not None and (
            (scope is not None and scope.unrestricted) or report_visible(row.agency, row.region, scope)
        )

    def _frame(self, stmt) -> pd.DataFrame:
        """The 报告库 rows that ``stmt`` (a :meth:`_list_select`) selects, in its order.

        A report row is wide (value blob, JSON): read as such, 50,000 rows cost about a second on
        SQLite. The selected columns come from ``ix_reports_current_meta``, the file columns from
        ``ix_reports_list`` and the corrections per report from their index, each an index-only read.
        """
        with self.engine.connect() as conn:
            selected = [tuple(r) for r in conn.execute(stmt)]  # plain tuples: Row objects are slow
            ids = [r[0] for r in selected]
            file_columns = select(
                Report.id,
                Report.filename,
                Report.format,
                Report.size,
                Report.warnings_count,
                Report.created_at,
                Report.updated_at,
            )
            if len(ids) > _IN_LIST:
                files = {r[0]: tuple(r) for r in conn.execute(file_columns)}
            else:
                files = {r[0]: tuple(r) for r in conn.execute(file_columns.where(Report.id.in_(ids)))}
            n_corrections = dict(
                conn.execute(
                    select(Correction.report_id, func.count(Correction.id)).group_by(Correction.report_id)
                ).all()
            )
            numbers = version_numbers(conn)
        # The columns in the order of LIST_COLUMNS, then one frame built from plain tuples as before.
        rows = []
        for rid, agency, region, year, atype, template, pv, failed, unmatched, n_cells, sup in selected:
            if rid not in files:  # deleted between the two reads: as if read a moment later
                continue
            _, filename, fmt, size, warnings, created, updated = files[rid]
            rows.append(
                (
                    rid,
                    filename,
                    fmt,
                    size,
                    agency,
                    region,
                    year,
                    atype,
                    template,
                    pv,
                    failed,
                    unmatched,
                    warnings,
                    n_cells,
                    n_corrections.get(rid, 0),
                    created,
                    updated,
                    sup,
                )
            )
        derived = ("outdated", "version", "n_versions")
        df = pd.DataFrame(rows, columns=[c for c in LIST_COLUMNS if c not in derived])
        df.insert(LIST_COLUMNS.index("outdated"), "outdated", df["parser_version"] != PARSER_VERSION)
        df["year"] = df["year"].astype("Int64")
        df["superseded_by"] = df["superseded_by"].astype("Int64")
        # A report without other versions is version 1 of 1.
        df["version"] = [numbers.get(int(i), (1, 1))[0] for i in df["report_id"]]
        df["n_versions"] = [numbers.get(int(i), (1, 1))[1] for i in df["report_id"]]
        return df

    def list(self, filters: Filters | None = None) -> pd.DataFrame:
        """Stored reports (no cell values), newest year first; columns :data:`LIST_COLUMNS`.

        Every version of a report is listed: ``version`` (1, 2, …) of ``n_versions``, and
        ``superseded_by`` (the current version's id; NA for a current report). ``outdated`` is True
        when the report was parsed by another parser version than the current one.
        """
        stmt = self._where_filters(self._list_select(), filters)
        return self._frame(stmt.order_by(*_LIST_ORDER))

    def search(self, term: str, filters: Filters | None = None, *, limit: int = 500) -> pd.DataFrame:
        """Reports matching every word of ``term``, with why each matched.

        ``term`` is split at spaces (also full-width ones) and commas; each word must match some field:
        a 4-digit year (1990–2100) matches the report's year; any other word the agency, region, file
        name or full text (case-insensitive, wildcards literal). So ``平潭 2023`` finds 平潭's 2023
        report. Same columns as :meth:`list` plus ``match_reason`` (Chinese: which field each word
        matched; empty when there is no term). An empty term lists everything (up to ``limit``).
        """
        stmt = self._where_filters(self._list_select(), filters)
        words = search_words(term)
        fts = self._has_fts()
        wide_rows = self.engine.dialect.name != "postgresql"
        for word in words:
            stmt = stmt.where(_word_condition(word, fts, wide_rows=wide_rows))
        df = self._frame(stmt.order_by(*_LIST_ORDER).limit(limit))
        df["match_reason"] = self._match_reasons(df, words) if words and not df.empty else ""
        return df

    def _has_fts(self) -> bool:
        """Whether the database has the SQLite trigram index of the search (looked up once)."""
        found = self.__dict__.get("_fts")
        if found is None:
            with self.engine.connect() as conn:
                found = self.__dict__["_fts"] = has_fts(conn)
        return bool(found)

    def _match_reasons(self, df: pd.DataFrame, words: builtins.list[str]) -> builtins.list[str]:
        """Per found report: '“平潭”：单位；“2023”：年度'. The full text is consulted only for the
        words that matched no short field, and only for the reports found."""
        reasons: list[list[str]] = [[] for _ in range(len(df))]
        ids = [int(i) for i in df["report_id"]]
        for word in words:
            in_text: set[int] | None = None
            for n, row in enumerate(df.itertuples(index=False)):
                fields = _fields_matched(word, row)
                if not fields and not _is_year(word):
                    if in_text is None:
                        in_text = self._ids_with_text(word, ids)
                    if row.report_id in in_text:
                        fields = ["正文"]
                reasons[n].append(f"“{word}”：{'、'.join(fields)}")
        return ["；".join(r) for r in reasons]

    def _ids_with_text(self, word: str, ids: builtins.list[int]) -> set[int]:
        """Which of ``ids`` have ``word`` in their full text (those few texts read: no index)."""
        with self.engine.connect() as conn:
            return set(
                conn.execute(
                    select(ReportText.report_id).where(
                        ReportText.report_id.in_(ids), _text_condition(word, fts=False)
                    )
                ).scalars()
            )

    def metadata_of(self, report_ids: builtins.list[int], scope: Scope | None = ALL) -> dict[int, dict]:
        """The stored agency, region, year and agency_type of each report id (missing ids, and those
        ``scope`` does not let through, left out)."""
        if not report_ids:
            return {}
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(Report.id, Report.agency, Report.region, Report.year, Report.agency_type).where(
                        Report.id.in_([int(i) for i in report_ids])
                    )
                )
                .mappings()
                .all()
            )
        shown = [
            r
            for r in rows
            if (scope is not None and scope.unrestricted) or report_visible(r["agency"], r["region"], scope)
        ]
        return {r["id"]: {k: r[k] for k in ("agency", "region", "year", "agency_type")} for r in shown}

    def counts(self, scope: Scope | None = ALL) -> dict[str, int]:
        """Totals for the library header: reports, agencies, regions, years, cells, failing and outdated
        reports, of the reports ``scope`` lets through.

        Current versions only, except ``outdated`` (every stored document is re-parsed) and
        ``superseded`` (the older versions kept beside them).
        """
        # The current reports' figures from the dataset's META columns in memory (brought up to this
        # revision first: after a write, the journal's few reports), as report_count counts them: in SQL
        # they were four scans of every report row (~115 ms on PostgreSQL at 50,000 after each write).
        current = self._current_meta(Filters(scope=scope), ["agency", "checks_failed"])
        regions = current["region"].dropna().nunique()
        years = current["year"].dropna().nunique()
        # An agency is a (region, name) pair, as in aggregate.kpis: two counties each have a 县教育局.
        agencies = len(current.loc[current["agency"].notna(), ["region", "agency"]].drop_duplicates())
        seen = true() if scope is not None and scope.unrestricted else self._scope_condition(scope)
        with self.engine.connect() as conn:
            # What the dataset does not hold, in one scan of every stored report: the cells of the
            # current ones, the outdated parses and the older versions.
            cells, outdated, superseded = conn.execute(
                select(
                    func.coalesce(func.sum(case((CURRENT, Report.n_cells), else_=0)), 0),
                    func.coalesce(func.sum(case((Report.parser_version != PARSER_VERSION, 1), else_=0)), 0),
                    func.count(Report.superseded_by),
                ).where(seen)
            ).one()
            n_corrections = conn.execute(
                select(func.count(Correction.id)).join(Report, Report.id == Correction.report_id).where(seen)
            ).scalar_one()
            n_overrides = conn.execute(select(func.count(LabelOverride.id))).scalar_one()
        return {
            "reports": len(current),
            "agencies": int(agencies),
            "regions": int(regions),
            "years": int(years),
            "cells": int(cells),
            "reports_failing_checks": int((current["checks_failed"] > 0).sum()),
            "outdated": int(outdated),
            "superseded": int(superseded),
            "corrections": int(n_corrections),
            "label_overrides": int(n_overrides),
        }

    def filter_options(self, scope: Scope | None = ALL) -> dict[str, builtins.list]:
        """The choices of each sidebar filter among the reports ``scope`` lets through: regions, years
        (newest first), agency_types, templates.

        ``MISSING`` is included where some report lacks that field.
        """
        return self.choices(scope)[0]

    def report_years(self, filters: Filters | None = None) -> builtins.list[int | None]:
        """The distinct years of the current reports ``filters`` select (None: a report without one),
        the years of ``dataset(filters)``, from its META columns alone (the sidebar asks on every
        page: a SQL ``DISTINCT`` cost ~8 ms at 50,000 reports, filtering the META columns ~2 ms)."""
        self.dataset()  # brings the dataset cache up to this revision
        with self._cache_lock:
            cache = self.__dict__.setdefault("_dataset_cache", DatasetCache())
        years = (filters or Filters()).apply(cache.meta_frame())["year"].unique()
        return [None if pd.isna(y) else int(y) for y in years]

    def choices(self, scope: Scope | None = ALL) -> tuple[dict[str, builtins.list], int]:
        """The sidebar's filter choices (:meth:`filter_options`) and how many current reports ``scope``
        lets through (the rows of ``dataset(Filters(scope=scope))``).

        Paid by every page after each write, so it reads no row from the database: the dataset's
        META columns are in memory (library.dataset_cache, brought up to date from the write journal,
        a few reports after a write), and the distinct values of 50,000 rows take a few ms. The SQL
        this replaced (distinct regions or (agency, region) pairs, then a GROUP BY of year, agency
        type and template) cost 45–60 ms per page after each write at 50,000 reports; the result is
        the same (tests/test_dataset_journal.py keeps it as the reference)."""
        empty: dict[str, builtins.list] = {n: [] for n in ("regions", "years", "agency_types", "templates")}
        if scope is None:
            return empty, 0
        meta = self._dataset_meta()
        # The same arrays (a write that changed no META value keeps them): the same choices.
        arrays = tuple(meta[c] for c in ("agency", "region", "year", "agency_type", "template"))
        memo = self.__dict__.setdefault("_choices_memo", {})
        known = memo.get(scope)
        if known is not None and all(a is b for a, b in zip(known[0], arrays, strict=True)):
            return {k: builtins.list(v) for k, v in known[1].items()}, known[2]
        out, total = self._choices_of(meta, scope)
        if len(memo) > 64:
            memo.clear()
        memo[scope] = (arrays, out, total)
        return {k: builtins.list(v) for k, v in out.items()}, total

    @staticmethod
    def _choices_of(meta: dict[str, np.ndarray], scope: Scope) -> tuple[dict[str, builtins.list], int]:
        """:meth:`choices` computed from the dataset's META columns."""
        empty: dict[str, builtins.list] = {n: [] for n in ("regions", "years", "agency_types", "templates")}
        region = meta["region"]
        if scope.agency is None:
            present = pd.unique(region).tolist()
            if scope.unrestricted:
                regions, mask = present, None
            else:  # a report without a region is never visible to a scope with regions
                regions = [r for r in present if r is not None and report_visible(None, r, scope)]
                mask = np.isin(region, np.array(regions, dtype=object))
        else:
            agency = meta["agency"]
            seen = visible_pairs(zip(agency.tolist(), region.tolist(), strict=True), scope)
            regions = builtins.list(dict.fromkeys(r for _, r in seen))
            # As the former SQL condition: agency = a never holds for a missing agency.
            wanted = {p for p in seen if p[0] is not None}
            mask = np.fromiter(
                ((a, r) in wanted for a, r in zip(agency.tolist(), region.tolist(), strict=True)),
                dtype=bool,
                count=len(agency),
            )
        if not regions:
            return empty, 0

        def values(column: str) -> set[Any]:
            return set(pd.unique(meta[column] if mask is None else meta[column][mask]).tolist())

        out: dict[str, builtins.list] = {}
        columns: tuple[tuple[str, set[Any]], ...] = (
            ("regions", set(regions)),
            ("years", values("year")),
            ("agency_types", values("agency_type")),
            ("templates", values("template")),
        )
        for name, found in columns:
            present_values = [v for v in found if v is not None]
            ordered = (
                sorted(present_values, reverse=True)
                if name == "years"
                else sorted(str(v) for v in present_values)
            )
            out[name] = ordered + ([MISSING] if None in found else [])
        return out, len(region) if mask is None else int(mask.sum())

    def report_count(self, filters: Filters | None = None, *, failing: bool = False) -> int:
        """How many current reports ``filters`` select: ``len(dataset(filters))`` (the page frame's
        total); with ``failing`` only those with a failed check (``aggregate.reports_failing_checks``).

        Counted on the dataset's META columns in memory: the sidebar's choices have brought the dataset
        up to this revision already (after a write, the journal's few reports), and a count in the
        database reads every current report's row (~20 ms on PostgreSQL at 50,000)."""
        picked = self._current_meta(filters or Filters(), ["checks_failed"])
        if not failing:
            return len(picked)
        return int((picked["checks_failed"] > 0).sum())

    def _current_meta(self, filters: Filters, columns: builtins.list[str]) -> pd.DataFrame:
        """The dataset's META ``columns`` (and those ``filters`` read) of the current reports ``filters``
        select, from the columns in memory (brought up to this revision first)."""
        needed = ["region", "year", "agency_type", "template"]
        if not filters.unrestricted:
            needed.append("agency")  # the scope's visibility needs it
        return filters.apply(self.dataset()[list(dict.fromkeys([*needed, *columns]))])

    def quality_reports(
        self,
        filters: Filters | None = None,
        *,
        term: str = "",
        limit: int | None = None,
        ids: builtins.list[int] | None = None,
    ) -> pd.DataFrame:
        """The current reports ``filters`` select, most failed checks first, then most unmatched
        labels (ties in id order): report_id, agency, year (Int64), checks_failed, unmatched_labels.
        The rows and order of ``aggregate.quality_summary(dataset(filters))``, read from
        ``ix_reports_current_meta``: 数据质量 never waits for the dataset after a write.

        ``term`` keeps the reports each of whose words (:func:`search_words`) is in the agency, region
        or file name (case-insensitive, wildcards literal) or is the report's id; ``ids`` only those
        reports; ``limit`` the first ``limit`` rows of that order (sorted and cut in the database).
        """
        stmt = select(
            Report.id, Report.agency, Report.year, Report.checks_failed, Report.unmatched_count
        ).where(CURRENT)
        stmt = self._quality_where(stmt, filters, term, ids)
        if limit is not None:
            stmt = stmt.order_by(Report.checks_failed.desc(), Report.unmatched_count.desc(), Report.id).limit(
                int(limit)
            )
        else:
            stmt = stmt.order_by(Report.id)
        with self.engine.connect() as conn:
            result = conn.execute(stmt)
            # The driver's tuples: ints and strings, nothing to convert; row objects cost as much again.
            rows = result.cursor.fetchall() if result.cursor is not None else []
            result.close()
        columns = ["report_id", "agency", "year", "checks_failed", "unmatched_labels"]
        df = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame({c: [] for c in columns})
        dtypes: dict[str, Any] = {"report_id": "int64", "agency": object, "year": "Int64"}
        df = df.astype({**dtypes, "checks_failed": "int64", "unmatched_labels": "int64"})
        # An unknown agency is shown as aggregate.agency_name shows it: 未识别单位 and the file name
        # (read for those few reports only, from ix_reports_list).
        unknown = df.loc[df["agency"].isna(), "report_id"].tolist()
        if unknown:
            names: dict[int, str] = {}
            with self.engine.connect() as conn:
                for start in range(0, len(unknown), _IN_LIST):
                    chunk = Report.id.in_(unknown[start : start + _IN_LIST])
                    names.update(conn.execute(select(Report.id, Report.filename).where(chunk)).tuples().all())
            labels = ["（未识别单位）" + str(names.get(int(i))) for i in unknown]
            df.loc[df["agency"].isna(), "agency"] = pd.Series(labels, index=df.index[df["agency"].isna()])
        if limit is not None:  # already in that order
            return df.reset_index(drop=True)
        return df.sort_values(["checks_failed", "unmatched_labels"], ascending=False).reset_index(drop=True)

    def quality_report_count(self, filters: Filters | None = None, *, term: str = "") -> int:
        """How many rows :meth:`quality_reports` gives for ``filters`` and ``term`` without a limit
        (counted in the database)."""
        counted = select(func.count()).select_from(Report).where(CURRENT)
        stmt = self._quality_where(counted, filters, term, None)
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def _quality_where(self, stmt, filters: Filters | None, term: str, ids: builtins.list[int] | None):
        """``stmt`` restricted to ``filters``, the words of ``term`` and ``ids`` (see quality_reports)."""
        stmt = self._where_filters(stmt, filters)
        for word in search_words(term):
            pattern = f"%{_escape_like(word)}%"
            conds: builtins.list[Any] = [
                Report.agency.ilike(pattern, escape="\\"),
                Report.region.ilike(pattern, escape="\\"),
                Report.filename.ilike(pattern, escape="\\"),
            ]
            if word.isascii() and word.isdigit():
                conds.append(Report.id == int(word))
            stmt = stmt.where(or_(*conds))
        if ids is not None:
            stmt = stmt.where(Report.id.in_([int(i) for i in ids]) if ids else false())
        return stmt

    # ------------------------------------------------------------------ the standardised dataset

    def dataset(self, filters: Filters | None = None) -> pd.DataFrame:
        """The standardised dataset: one row per report, corrections applied (see :mod:`library.dataset`).

        Cached per library revision, so repeated calls cost a filter in memory. Callers may modify
        the returned frame: copy-on-write keeps the cached one unchanged.
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
        out = self._filtered(rev, full, filters or Filters())
        # A new frame sharing the cached one's memory: under pandas' copy-on-write (pandas 3) whatever
        # the caller changes is copied then, so the cache is never changed (a deep copy of every
        # column cost ~0.1 s per call at 50,000 reports, several times per page).
        return out.copy(deep=False)

    def _filtered(self, rev: int, full: pd.DataFrame, filters: Filters) -> pd.DataFrame:
        """``filters.apply(full)``, kept for the last FILTERED_KEPT filters of this revision: a page asks
        for the same selection once per computation (4–5 per page), and each selection copies the chosen
        rows of every value column (~15 ms for 30,000 of 50,000 reports)."""
        if filters.selects_all or full.empty:
            return filters.apply(full)
        # Per frame too (two reads of one revision racing make two frames), held by a weak reference:
        # an older frame must not outlive its revision here, or the memory of its value matrix could
        # not be reused by the next write's patch (library.dataset_cache: a fresh 100 MB copy instead).
        key = (rev, id(full), filters)
        with self._cache_lock:
            kept: dict = self.__dict__.setdefault("_filtered_frames", {})
            hit = kept.get(key)
        if hit is not None and hit[0]() is full:
            return hit[1]
        out = filters.apply(full)
        with self._cache_lock:
            kept = {k: v for k, v in self.__dict__["_filtered_frames"].items() if v[0]() is full}
            while len(kept) >= FILTERED_KEPT:
                del kept[next(iter(kept))]
            kept[key] = (weakref.ref(full), out)
            self.__dict__["_filtered_frames"] = kept
        return out

    def _dataset_meta(self) -> dict[str, np.ndarray]:
        """The META columns of the current dataset as object arrays (library.dataset_cache), brought up
        to this revision first (after a write: the journal's few reports, not every row)."""
        self.dataset()
        with self._cache_lock:
            cache = self.__dict__.setdefault("_dataset_cache", DatasetCache())
        return cache.meta

    def _read_dataset(self) -> pd.DataFrame:
        # Only the reports changed since the last read are read again (library.dataset_cache): after
        # one upload or correction the frame is patched instead of rebuilt from every value blob.
        with self._cache_lock:
            cache = self.__dict__.setdefault("_dataset_cache", DatasetCache())
        with self.engine.connect() as conn:
            frame = cache.refresh(conn)
        if cache.last_full_compare and cache.last_reread == len(frame):  # every report read again
            settle_after_full_read(len(frame))
        return frame

    def failed_check_count(self, filters: Filters | None = None) -> int:
        """How many rows :meth:`failed_checks` gives (counted in the database)."""
        stmt = (
            select(func.count())
            .select_from(Report)
            .join(CheckRow, CheckRow.report_id == Report.id)
            .where(CheckRow.status == "fail", *_FAILING)
        )
        with self.engine.connect() as conn:
            return int(conn.execute(self._where_filters(stmt, filters)).scalar_one())

    def failed_check_rules(self, filters: Filters | None = None) -> pd.DataFrame:
        """The ``rule`` column of :meth:`failed_checks` alone (one row per failed check; its order),
        for the chart by rule, which needs nothing else."""
        stmt = (
            select(CheckRow.rule)
            .select_from(Report)
            .join(CheckRow, CheckRow.report_id == Report.id)
            .where(CheckRow.status == "fail", *_FAILING)
        )
        stmt = self._where_filters(stmt, filters).order_by(Report.year.desc(), Report.agency, CheckRow.id)
        with self.engine.connect() as conn:
            rules = conn.execute(stmt).scalars().all()
        return pd.DataFrame([(r,) for r in rules], columns=["rule"])  # as failed_checks builds it

    def failed_checks(self, filters: Filters | None = None, *, limit: int | None = None) -> pd.DataFrame:
        """Every failed check of the filtered reports (the first ``limit`` only, when given).

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
            .where(CheckRow.status == "fail", *_FAILING)
        )
        stmt = self._where_filters(stmt, filters).order_by(Report.year.desc(), Report.agency, CheckRow.id)
        if limit is not None:
            stmt = stmt.limit(int(limit))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        cols = [
            "report_id",
            "agency",
            "region",
            "year",
            "filename",
            "rule",
            "where",
            "detail",
            "blank_as_zero",
        ]
        df = pd.DataFrame(rows, columns=cols)
        df["year"] = df["year"].astype("Int64")
        return df

    def unmatched_labels(self, filters: Filters | None = None) -> pd.DataFrame:
        """Every unmatched label of the filtered reports: report_id, agency, region, year, filename, label."""
        stmt = select(
            Report.id, Report.agency, Report.region, Report.year, Report.filename, Report.unmatched_json
        )
        plain = self.engine.dialect.name == "postgresql"  # ix_reports_current_unmatched there
        stmt = stmt.where(_current_having(Report.unmatched_count.key, plain), CURRENT)
        stmt = self._where_filters(stmt, filters).order_by(Report.year.desc(), Report.agency, Report.id)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        records = [
            (r.id, r.agency, r.region, r.year, r.filename, label) for r in rows for label in r.unmatched_json
        ]
        df = pd.DataFrame(records, columns=["report_id", "agency", "region", "year", "filename", "label"])
        df["year"] = df["year"].astype("Int64")
        return df

    def unread_tables(self, filters: Filters | None = None) -> pd.DataFrame:
        """Every table the filtered reports show but whose cells could not be read.

        Columns: report_id, agency, region, year, filename, table (s2/s3/s4, None: no table at all),
        code, reason (Chinese). Reports stored before the library kept this have none until re-parsed.
        """
        stmt = select(
            Report.id, Report.agency, Report.region, Report.year, Report.filename, Report.unread_json
        ).where(_current_having(Report.unread_count.key), CURRENT)
        stmt = self._where_filters(stmt, filters).order_by(Report.year.desc(), Report.agency, Report.id)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        records = [
            (r.id, r.agency, r.region, r.year, r.filename, t.get("table"), t.get("code"), t.get("reason"))
            for r in rows
            for t in r.unread_json or []
        ]
        cols = ["report_id", "agency", "region", "year", "filename", "table", "code", "reason"]
        df = pd.DataFrame(records, columns=cols)
        df["year"] = df["year"].astype("Int64")
        return df

    def flagged_cells(
        self, filters: Filters | None = None, flags: tuple[str, ...] = ATTENTION_FLAGS
    ) -> pd.DataFrame:
        """How many cells of each filtered report carry each of ``flags``.

        Columns: report_id, agency, region, year, filename, flag, n.
        """
        n = func.count(CellRow.id).label("n")
        stmt = (
            select(Report.id, Report.agency, Report.region, Report.year, Report.filename, CellRow.flag, n)
            .join(CellRow, CellRow.report_id == Report.id)
            .where(CellRow.flag.in_(flags), CURRENT)
            .group_by(Report.id, Report.agency, Report.region, Report.year, Report.filename, CellRow.flag)
        )
        stmt = self._where_filters(stmt, filters).order_by(
            Report.year.desc(), Report.agency, Report.id, CellRow.flag
        )
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        df = pd.DataFrame(rows, columns=["report_id", "agency", "region", "year", "filename", "flag", "n"])
        df["year"] = df["year"].astype("Int64")
        return df

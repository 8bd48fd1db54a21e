"""Aggregations for the dashboard pages: pure functions, standardised dataset in → DataFrame out.

Input is :meth:`library.store.Library.dataset` (one row per report). Outputs are tidy (long) frames
ready for Plotly, with Chinese labels in ``*_label`` columns. Blank or absent cells are NaN and are
never counted as zero; a sum over reports uses only the reports that state the figure, and the
``reports``/``n_reports`` columns say how many did.

Functions (page → function):
- 总览: :func:`kpis` (dict for the cards), :func:`kpi_table` (same, long, for Excel), :func:`agency_table`
- 主动公开: :func:`normative_documents` (规章/规范性文件 by agency × year, 2019 and 2021 measures kept apart)
- 行政许可与执法: :func:`enforcement` (long, per report), :func:`enforcement_trend` (per year)
- 依申请公开: :func:`applicants_by_type`, :func:`outcome_mix`, :func:`carry_over`,
  :func:`carry_over_consistency` (cross-year X1), :func:`application_flow` (Sankey links)
- 复议诉讼: :func:`review_litigation`
- 数据质量: :func:`quality_summary`, :func:`duplicate_agency_years`, :data:`RULE_NAMES`
  (the failed checks and unmatched labels themselves come from ``Library.failed_checks`` /
  ``Library.unmatched_labels``)

Decisions, stated once:
- 主动公开 items: the templates have no "items disclosed" cell (the 2019 columns count 规章/规范性文件,
  not all items), so the KPI is the sum of the prose figure ``n.proactive_total`` over the reports
  that state it, with that count shown next to it.
- A section-三 row's total is the report's 总计 cell; when that is blank (some reports fill only the
  applicant columns) it is the sum of the six applicant columns (:func:`s3_total`).
- Applications received and 复议/诉讼 cases come from the tables; a report without the table but
  with a prose figure (``n.applications_received``, ``n.review_cases``, ``n.litigation_cases``)
  contributes that figure, and the KPI notes say how many did.
- Stocks and flows (``parsing.schema.measure_kind``): a stock (现行有效件数, 对外公开总数量,
  上一年项目数量) sums over agencies within a year, never over years. :func:`kpis` therefore shows
  the latest year of a multi-year selection with its change on the year before; long frames carry
  ``kind`` ("stock"/"flow") so a chart never adds a stock's years.
- 处理决定数量 (2019) and 本年处理决定数量 (2021) share one key and are summed across versions; every
  other 2019/2021 pair is a different measure and is labelled with its version, never merged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from parsing.schema import (
    CELLS,
    S3_APPLICANT_COLS,
    S3_COLUMNS,
    S3_ROW_BY_KEY,
    S3_ROWS,
    S4_GROUPS,
    S4_OUTCOMES,
    SECTION2,
    STOCK,
    V2019,
    V2021,
    measure_kind,
)
from parsing.vocabulary import KPI_NAMES, META_HEADERS

ID_COLUMNS = ["report_id", "agency", "region", "year", "agency_type", "template"]


def _rows_with_prefix(prefix: str) -> tuple[str, ...]:
    """Full section-三 row keys starting with ``prefix`` (``r3_3_`` → r3_3_1_state_secret, …)."""
    return tuple(r.key for r in S3_ROWS if r.key.startswith(prefix))


OUTCOME_CATEGORIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("granted", "予以公开", ("r3_1_granted",)),
    ("partial", "部分公开", ("r3_2_partial",)),
    ("withheld", "不予公开", _rows_with_prefix("r3_3_")),
    ("unavailable", "无法提供", _rows_with_prefix("r3_4_")),
    ("not_processed", "不予处理", _rows_with_prefix("r3_5_")),
    # 2019 has one （六）其他处理 row (r3_6_other), 2021 three sub-rows; a report has one or the other.
    ("other", "其他处理", _rows_with_prefix("r3_6_")),
)
assert all(rows for _, _, rows in OUTCOME_CATEGORIES), "schema row keys changed"

_APPLICANT_LABELS = dict(S3_COLUMNS)
_S4_GROUP_LABELS = dict(S4_GROUPS)
_S4_OUTCOME_LABELS = dict(S4_OUTCOMES)

try:  # pandas' grouped-sum kernel (see grouped_sums)
    from pandas._libs.groupby import group_sum as _group_sum  # type: ignore[import-not-found]
except ImportError:  # another pandas: its public grouped sum (slower, the same numbers)
    _group_sum = None

# --------------------------------------------------------------------------- helpers


def agency_name(df: pd.DataFrame) -> pd.Series:
    """The agency for display: the stored name, or 未识别单位 plus the file name when unknown."""
    fallback = "（未识别单位）" + df["filename"].astype(str) if "filename" in df else "（未识别单位）"
    return df["agency"].where(df["agency"].notna(), fallback)


def _col(df: pd.DataFrame, key: str) -> pd.Series:
    return df[key] if key in df.columns else pd.Series(np.nan, index=df.index)


def _sum_arrays(arrays: list[np.ndarray], n: int) -> np.ndarray:
    """Row-wise sum like ``DataFrame.sum(axis=1, min_count=1)``: NaN where every part is NaN.

    On plain float arrays: the pandas call on a column subset of the wide dataset cost ~1 ms each,
    and a page makes a hundred of them.
    """
    if not arrays:
        return np.full(n, np.nan)
    if len(arrays) < 8:
        # Added in place, left to right: what numpy's row sum does for fewer than eight columns (from
        # eight on it adds pairwise, another rounding of fractions), without stacking the columns.
        total = np.zeros(n)
        stated = np.zeros(n, dtype=bool)
        for part in arrays:
            blank = np.isnan(part)
            total += np.where(blank, 0.0, part)
            stated |= ~blank
        total[~stated] = np.nan
        return total
    stacked = np.column_stack(arrays)
    blank = np.isnan(stacked)
    total = np.where(blank, 0.0, stacked).sum(axis=1)
    total[blank.all(axis=1)] = np.nan
    return total


def _sum_cols(df: pd.DataFrame, keys: list[str] | tuple[str, ...]) -> pd.Series:
    """Row-wise sum of ``keys``; NaN where none of them is stated (blank stays blank)."""
    arrays = [df[k].to_numpy(dtype=float) for k in keys if k in df.columns]
    return pd.Series(_sum_arrays(arrays, len(df)), index=df.index)


def s3_total(df: pd.DataFrame, row: str) -> pd.Series:
    """The 总计 of one section-三 row: the report's 总计 cell, else the sum of the applicant columns."""
    return pd.Series(_s3_total_array(df, row), index=df.index, copy=False)


def _s3_total_array(df: pd.DataFrame, row: str) -> np.ndarray:
    """:func:`s3_total` as an array (no Series per row: a page asks for thirty rows)."""
    key = f"s3.{row}.total"
    out = df[key].to_numpy(dtype=float, copy=True) if key in df.columns else np.full(len(df), np.nan)
    # The applicant columns are added only where the 总计 is blank (a few reports), not for every report.
    blank = np.flatnonzero(np.isnan(out))
    if len(blank):
        keys = [f"s3.{row}.{c}" for c in S3_APPLICANT_COLS]
        out[blank] = _sum_arrays(
            [df[k].to_numpy(dtype=float)[blank] for k in keys if k in df.columns], len(blank)
        )
    return out


def _s3_rows_total(df: pd.DataFrame, rows: tuple[str, ...]) -> pd.Series:
    parts = [s3_total(df, r).to_numpy() for r in rows]
    return pd.Series(_sum_arrays(parts, len(df)), index=df.index)


class S3Totals:
    """:func:`s3_total` and the sums of several rows' totals of one dataset, each computed once (the
    依申请公开 charts ask for the same rows several times); kept as arrays, a Series made when asked."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self._rows: dict[str, np.ndarray] = {}
        self._sums: dict[tuple[str, ...], np.ndarray] = {}

    def total_array(self, row: str) -> np.ndarray:
        """:func:`s3_total` of ``row`` as an array (read-only: shared by the charts of a page)."""
        if row not in self._rows:
            out = _s3_total_array(self.df, row)
            out.flags.writeable = False
            self._rows[row] = out
        return self._rows[row]

    def total(self, row: str) -> pd.Series:
        return pd.Series(self.total_array(row), index=self.df.index, copy=False)

    def rows_total_array(self, rows: tuple[str, ...]) -> np.ndarray:
        """:func:`_s3_rows_total` as an array (read-only)."""
        if rows not in self._sums:
            out = _sum_arrays([self.total_array(r) for r in rows], len(self.df))
            out.flags.writeable = False
            self._sums[rows] = out
        return self._sums[rows]

    def rows_total(self, rows: tuple[str, ...]) -> pd.Series:
        """:func:`_s3_rows_total`."""
        return pd.Series(self.rows_total_array(rows), index=self.df.index, copy=False)


def s4_total(df: pd.DataFrame, group: str) -> pd.Series:
    """The 总计 of one section-四 group, else the sum of its four outcomes."""
    stated = _col(df, f"s4.{group}_total")
    out = stated.to_numpy(dtype=float, na_value=np.nan, copy=True)
    blank = np.flatnonzero(np.isnan(out))  # the outcomes are added only where the 总计 is blank
    if len(blank):
        keys = [f"s4.{group}_{o}" for o, _ in S4_OUTCOMES[:-1]]
        out[blank] = _sum_arrays(
            [df[k].to_numpy(dtype=float)[blank] for k in keys if k in df.columns], len(blank)
        )
    return pd.Series(out, index=df.index, name=stated.name)


def _with_fallback(table: pd.Series, prose: pd.Series) -> tuple[pd.Series, int, int]:
    """Table value, else the prose figure; plus how many reports used each."""
    out = table.where(table.notna(), prose)
    return out, int(table.notna().sum()), int((table.isna() & prose.notna()).sum())


def _ids(df: pd.DataFrame) -> pd.DataFrame:
    out = df[[c for c in ID_COLUMNS if c in df.columns]].copy()
    out["agency"] = agency_name(df)
    return out


def _long(
    df: pd.DataFrame, series: list[pd.Series], attrs: dict[str, list], *, keep_nan: bool = False
) -> pd.DataFrame:
    """Long form of several per-report series in one pass: ID columns, ``attrs`` per series, value.

    Rows are series-major (all reports of the first series, then the second, ...). Reports where a
    series is NaN are left out unless ``keep_nan``. One ``take`` of the ID columns instead of one copy
    per series keeps this fast on 5,000 reports.
    """
    ids = _ids(df).reset_index(drop=True)
    if not series:
        return pd.DataFrame(columns=[*ids.columns, *attrs, "value"])
    values = (
        np.column_stack([s.to_numpy(dtype=float) for s in series]) if len(df) else np.empty((0, len(series)))
    )
    present = np.ones_like(values, dtype=bool) if keep_nan else ~np.isnan(values)
    s_idx, r_idx = np.nonzero(present.T)
    out = ids.take(r_idx).reset_index(drop=True)
    for name, per_series in attrs.items():
        out[name] = pd.array(np.asarray(per_series, dtype=object)[s_idx], dtype=np.object_)
    out["value"] = values[r_idx, s_idx]
    return out


def _total(series: pd.Series) -> int | float | None:
    """Sum of the stated values (an int when whole), None when no report states one."""
    s = series.dropna()
    if s.empty:
        return None
    total = float(s.sum())
    return int(total) if total.is_integer() else total


# --------------------------------------------------------------------------- 总览

# The section-二 cards and their cells.
KPI_S2_KEYS: dict[str, str] = {
    "regulations_new_made_2019": "s2.art20_1.regulations.new_made",
    "normative_new_made_2019": "s2.art20_1.normative_documents.new_made",
    "regulations_issued_2021": "s2.art20_1.regulations.issued",
    "normative_issued_2021": "s2.art20_1.normative_documents.issued",
    "normative_in_force_2021": "s2.art20_1.normative_documents.in_force",
}


# Cards whose rise is bad news (the others are neutral: more applications is neither good nor bad).
KPI_RISE_IS_BAD = frozenset({"reports_failing_checks"})


class _KpiColumns:
    """The per-report figures behind the cards, taken from the dataset once: the cards of a year, of the
    year before and of the agencies both years share are then sums over masks of these arrays (three or
    four card sets per page, each formerly a copy of the 250-column dataset and its own totals)."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.n = len(df)

        def col(key: str) -> np.ndarray:
            return _col(df, key).to_numpy(dtype=float, na_value=np.nan)

        agency, _ = pd.factorize(df["agency"].array)  # −1: agency unknown
        region, _ = pd.factorize(df["region"].array)  # −1: region unknown (one value of its own)
        pair = agency.astype(np.int64) * (int(region.max(initial=0)) + 2) + (region.astype(np.int64) + 1)
        self.pair = np.where(agency >= 0, pair, -1)  # an agency is a (region, name) pair
        self.proactive = col("n.proactive_total")
        self.approx = col("n.proactive_total_approx") == 1
        self.s2 = {key: col(key) for key in (*KPI_S2_KEYS.values(), _LICENSING)}
        self.received_table = s3_total(df, "r1_new_received").to_numpy()
        self.received_prose = col("n.applications_received")
        self.concluded = s3_total(df, "r3_7_total").to_numpy()
        self.answered = _s3_rows_total(df, ("r3_1_granted", "r3_2_partial")).to_numpy()
        self.review_table = s4_total(df, "review").to_numpy(dtype=float, na_value=np.nan)
        self.review_prose = col("n.review_cases")
        lit = [
            s4_total(df, g).to_numpy(dtype=float, na_value=np.nan) for g in ("lit_direct", "lit_after_review")
        ]
        self.lit_table = _sum_arrays(lit, self.n)
        self.lit_prose = col("n.litigation_cases")
        self.failing = df["checks_failed"].to_numpy() > 0 if self.n else np.zeros(0, dtype=bool)


_LICENSING = "s2.art20_5.administrative_licensing.decisions"


def _masked_total(values: np.ndarray, mask: np.ndarray) -> int | float | None:
    """:func:`_total` of the reports at ``mask``: the same numbers added in the same order."""
    stated = values[mask & ~np.isnan(values)]
    if not stated.size:
        return None
    total = float(stated.sum())
    return int(total) if total.is_integer() else total


def _fallback_at(table: np.ndarray, prose: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, int, int]:
    """:func:`_with_fallback` on arrays: table value else prose; how many reports at ``mask`` used each."""
    blank = np.isnan(table)
    return (
        np.where(blank, prose, table),
        int((mask & ~blank).sum()),
        int((mask & blank & ~np.isnan(prose)).sum()),
    )


def _kpis_of(df: pd.DataFrame) -> tuple[dict[str, Any], dict[str, str]]:
    """Card values and notes over the reports of ``df`` (one year: stocks and flows both sum)."""
    return _kpis_at(_KpiColumns(df), np.ones(len(df), dtype=bool))


def _kpis_at(c: _KpiColumns, mask: np.ndarray) -> tuple[dict[str, Any], dict[str, str]]:
    """Card values and notes over the reports at ``mask`` (one year: stocks and flows both sum)."""
    n = int(mask.sum())
    notes: dict[str, str] = {}
    # An agency is a (region, name) pair: two counties each have a "县教育局".
    pairs = c.pair[mask]
    out: dict[str, Any] = {"reports": n, "agencies": len(np.unique(pairs[pairs >= 0]))}

    proactive_stated = mask & ~np.isnan(c.proactive)
    out["proactive_items"] = _masked_total(c.proactive, mask)
    n_approx = int((proactive_stated & c.approx).sum())
    # A sum with one lower bound ("5500余条") in it is itself a lower bound.
    out["proactive_items_approx"] = n_approx > 0
    notes["proactive_items"] = (
        f"正文所述主动公开条数之和（{int(proactive_stated.sum())}/{n} 份报告有此数字）"
        + (f"；其中 {n_approx} 份报告只写了约数（如“5500余条”），合计为下限" if n_approx else "")
    )

    for name, key in KPI_S2_KEYS.items():
        out[name] = _masked_total(c.s2[key], mask)
        notes[name] = f"{int((mask & ~np.isnan(c.s2[key])).sum())} 份报告填报" + (
            "（存量：各单位当年数之和）" if is_stock(key) else ""
        )

    lic = c.s2[_LICENSING]
    out["licensing_decisions"] = _masked_total(lic, mask)
    notes["licensing_decisions"] = (
        f"{int((mask & ~np.isnan(lic)).sum())} 份报告填报（2019版处理决定数量与2021版本年处理决定数量合计）"
    )

    received, n_table, n_prose = _fallback_at(c.received_table, c.received_prose, mask)
    out["applications_received"] = _masked_total(received, mask)
    notes["applications_received"] = f"{n_table} 份报告取自表格，{n_prose} 份取自正文"

    with np.errstate(invalid="ignore"):
        ok = mask & (c.concluded > 0)  # NaN > 0 is False
    denom = float(c.concluded[ok].sum())
    answered = c.answered[ok]
    out["answered_share"] = (
        float(np.where(np.isnan(answered), 0.0, answered).sum()) / denom if denom > 0 else None
    )
    notes["answered_share"] = f"（予以公开＋部分公开）÷（七）总计，{int(ok.sum())} 份报告有办理结果"

    review, r_table, r_prose = _fallback_at(c.review_table, c.review_prose, mask)
    litigation, l_table, l_prose = _fallback_at(c.lit_table, c.lit_prose, mask)
    out["review_cases"] = _masked_total(review, mask)
    out["litigation_cases"] = _masked_total(litigation, mask)
    both = _sum_arrays([review, litigation], c.n)
    out["review_litigation_cases"] = _masked_total(both, mask)
    notes["review_cases"] = f"{r_table} 份报告取自表格，{r_prose} 份取自正文"
    notes["litigation_cases"] = f"{l_table} 份报告取自表格，{l_prose} 份取自正文"
    notes["review_litigation_cases"] = "行政复议＋行政诉讼（未经复议直接起诉＋复议后起诉）"

    out["reports_failing_checks"] = int((mask & c.failing).sum()) if n else 0
    notes["reports_failing_checks"] = "至少一项勾稽关系或数值类型校验未通过"
    return out, notes


def is_stock(key: str) -> bool:
    """True for a stock measure (现行有效件数, 对外公开总数量, 上一年项目数量): never summed over years."""
    return measure_kind(key) == STOCK


def report_years(df: pd.DataFrame) -> list[int]:
    """The distinct years of the reports in ``df``, ascending (reports of unknown year left out)."""
    return sorted(int(y) for y in df["year"].dropna().unique()) if "year" in df else []


def _delta(now: Any, before: Any) -> int | float | None:
    if now is None or before is None or isinstance(now, bool):
        return None
    d = now - before
    return int(d) if float(d).is_integer() and not isinstance(now, float) else d


def kpis(df: pd.DataFrame) -> dict[str, Any]:
    """The overview cards: ``{key: value}`` for :data:`KPI_NAMES` plus ``notes`` ({key: Chinese note}).

    Values are int/float, or None when no report in ``df`` states the figure. ``answered_share``
    is a fraction (0–1) over the reports whose （七）总计 is known and positive.

    Several years in ``df``: stocks may not be added over years and a sum of flows over years is
    not a figure any report states, so every card shows the LATEST year (``year``) and
    ``deltas`` its change on the year before it in ``df`` (``previous_year``; ``previous`` holds
    that year's values). Reports of unknown year then count in no card (``unknown_year`` says how
    many). With one year, ``year`` is that year, ``previous_year`` None and ``deltas`` empty.
    ``proactive_items_approx`` is True when the proactive sum includes a lower bound ("5500余条").
    """
    years = report_years(df)
    if len(years) <= 1:
        values, notes = _kpis_of(df)
        values.update(
            year=years[0] if years else None,
            previous_year=None,
            previous={},
            deltas={},
            unknown_year=0,
            years=years,
        )
        values["notes"] = notes
        return values
    latest, before = years[-1], years[-2]
    columns = _KpiColumns(df)
    now = (df["year"] == latest).fillna(False).to_numpy(dtype=bool)
    values, notes = _kpis_at(columns, now)
    previous, compared, same, n_common = _compared_years(df, latest, before, columns)
    deltas = {k: d for k in KPI_NAMES if (d := _delta(compared.get(k), previous.get(k))) is not None}
    unknown = int(df["year"].isna().sum())
    scope = f"{latest} 年的数字（所选 {years[0]}–{latest} 年中最新一年；存量不跨年相加）"
    if same:
        scope += f"，变化为较 {before} 年"
    elif n_common:
        scope += f"，变化只比较 {before} 年和 {latest} 年都有报告的 {n_common} 个单位（两年的单位不完全相同）"
    else:
        scope += f"；{before} 年与 {latest} 年没有同一单位的报告，不计算变化"
    if unknown:
        scope += f"；年度未识别的 {unknown} 份报告不计入"
    notes = {k: f"{scope}。{notes[k]}" if k in notes else f"{scope}。" for k in KPI_NAMES}
    values.update(
        year=latest,
        previous_year=before,
        previous=previous,
        deltas=deltas,
        unknown_year=unknown,
        years=years,
        same_agencies=same,
        compared_agencies=n_common,
        compared=compared,
    )
    values["notes"] = notes
    return values


def _agency_keys(df: pd.DataFrame) -> np.ndarray:
    """A code per (agency, region) pair of each report (an unknown region counts as ""); −1 where the
    agency is unknown. Codes, not tuples: 50,000 reports compare in numpy."""
    agency, _ = pd.factorize(df["agency"].array)
    regions, uniques = pd.factorize(df["region"].array)  # −1: unknown, counted as ""
    regions = regions.astype(np.int64, copy=False)
    empty = np.flatnonzero(np.asarray(uniques, dtype=object) == "")
    regions[regions < 0] = empty[0] if len(empty) else len(uniques)
    keys = agency.astype(np.int64) * (int(regions.max(initial=0)) + 1) + regions
    keys[agency < 0] = -1
    return keys


def _compared_years(
    df: pd.DataFrame, latest: int, before: int, columns: _KpiColumns | None = None
) -> tuple[dict[str, Any], dict[str, Any], bool, int]:
    """(previous, compared, same set, agencies compared): the two years on the agencies that have a
    report in both. A change of totals over two different sets of agencies is no trend (a city's report
    added in one year multiplies the applications a hundredfold), so only those agencies count.
    ``compared`` is the latest year on them (the full figures when both years hold the same agencies).
    """
    keys = _agency_keys(df)
    now = (df["year"] == latest).fillna(False).to_numpy(dtype=bool)
    then = (df["year"] == before).fillna(False).to_numpy(dtype=bool)
    now_keys, then_keys = np.unique(keys[now & (keys >= 0)]), np.unique(keys[then & (keys >= 0)])
    common = np.intersect1d(now_keys, then_keys)
    same = np.array_equal(now_keys, then_keys) and bool((keys[now | then] >= 0).all())
    columns = columns or _KpiColumns(df)
    if same:
        previous, _ = _kpis_at(columns, then)
        current, _ = _kpis_at(columns, now)
        return previous, current, True, len(common)
    if not len(common):
        return {}, {}, False, 0
    inside = np.isin(keys, common)
    previous, _ = _kpis_at(columns, then & inside)
    current, _ = _kpis_at(columns, now & inside)
    return previous, current, False, len(common)


def kpi_table(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`kpis` as rows for the briefing Excel: key, label, year, value, previous year, its value,
    the latest year's value on the agencies compared (the same as ``value`` when both years hold the
    same agencies), change and note (blank where unknown: blank is not zero)."""
    k = kpis(df)
    prev = k["previous"]
    rows = []
    for key, label in KPI_NAMES.items():
        value = k[key]
        if key == "proactive_items" and value is not None and k["proactive_items_approx"]:
            label += "（下限，含约数）"
        rows.append(
            (
                key,
                label,
                k["year"],
                value,
                k["previous_year"],
                prev.get(key),
                k.get("compared", {}).get(key),
                k["deltas"].get(key),
                k["notes"].get(key, ""),
            )
        )
    columns = ["key", "label", "year", "value", "previous_year", "previous_value", "compared_value", "change"]
    return pd.DataFrame(rows, columns=[*columns, "note"])


AGENCY_TABLE_HEADERS: dict[str, str] = {
    **{k: META_HEADERS[k] for k in ("report_id", "agency", "region", "year", "agency_type", "template")},
    "proactive_items": "主动公开（条）",
    "proactive_items_approx": "主动公开为约数",
    "licensing_decisions": "行政许可决定",
    "penalty_decisions": "行政处罚决定",
    "applications_received": "新收申请",
    "answered_share": "公开占比",
    "review_litigation_cases": "复议诉讼",
    "checks_failed": "未通过校验",
    "unmatched_labels": "未识别标签",
}


def agency_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per report (agency × year) with the headline figures; columns :data:`AGENCY_TABLE_HEADERS`."""
    out = _ids(df)
    out["proactive_items"] = _col(df, "n.proactive_total")
    # Shown "5,500余" where the report gave a lower bound ("5500余条").
    out["proactive_items_approx"] = (_col(df, "n.proactive_total_approx") == 1) & out[
        "proactive_items"
    ].notna()
    out["licensing_decisions"] = _col(df, "s2.art20_5.administrative_licensing.decisions")
    out["penalty_decisions"] = _col(df, "s2.art20_6.administrative_penalty.decisions")
    received, _, _ = _with_fallback(s3_total(df, "r1_new_received"), _col(df, "n.applications_received"))
    out["applications_received"] = received
    concluded = s3_total(df, "r3_7_total")
    answered = _s3_rows_total(df, ("r3_1_granted", "r3_2_partial")).fillna(0)
    out["answered_share"] = (answered / concluded).where(concluded > 0)
    cases = pd.concat([s4_total(df, g) for g, _ in S4_GROUPS], axis=1).sum(axis=1, min_count=1)
    out["review_litigation_cases"] = cases
    out["checks_failed"] = df["checks_failed"]
    out["unmatched_labels"] = df["unmatched_labels"] if "unmatched_labels" in df else 0
    return out.take(agency_table_order(df)).reset_index(drop=True)


def _sort_codes(values: Any) -> np.ndarray:
    """Each value's rank among the distinct values (blanks after every value): equal values share a
    rank, so sorting the ranks sorts the values."""
    codes, _ = pd.factorize(values, sort=True)  # −1: blank
    codes = codes.astype(np.int64, copy=False)
    codes[codes < 0] = int(codes.max(initial=-1)) + 1
    return codes


def agency_table_order(df: pd.DataFrame) -> np.ndarray:
    """The positions of ``df``'s reports in :func:`agency_table` order (region, agency, year; blanks last).

    A stable sort of the distinct values' ranks (what a multi-column ``sort_values`` does), without
    comparing 50,000 texts row by row."""
    if not len(df):
        return np.zeros(0, dtype=np.int64)
    keys = (
        _sort_codes(df["year"].array),
        _sort_codes(agency_name(df).array),
        _sort_codes(df["region"].array),
    )
    return np.lexsort(keys)


# --------------------------------------------------------------------------- 主动公开


def _s2_measures(block_key: str, rows: tuple[str, ...] | None = None) -> list[tuple]:
    """(key, version, row, row_label, measure, measure_label, unit, measure_name) of a section-二 block.

    ``measure_label`` carries the version (``本年新制作数量（2019版）``); ``measure_name`` is the bare
    template label.

    A cell key both versions share (处理决定数量) is listed once, with version "2019/2021".
    """
    out = []
    for version, blocks in SECTION2.items():
        for block in blocks:
            if block.key != block_key:
                continue
            for row_key, row_label in block.rows:
                if rows is not None and row_key not in rows:
                    continue
                for col in block.cols:
                    key = f"s2.{block_key}.{row_key}.{col.key}"
                    shared = len(CELLS[key].versions) > 1
                    if shared and version != CELLS[key].versions[0]:
                        continue  # a shared key is listed once
                    vlabel = f"{V2019}/{V2021}" if shared else version
                    mlabel = f"{col.label}（两版可比）" if shared else f"{col.label}（{version}版）"
                    out.append((key, vlabel, row_key, row_label, col.key, mlabel, col.unit, col.label))
    return out


def _melt(df: pd.DataFrame, measures: list[tuple]) -> pd.DataFrame:
    present = [m for m in measures if m[0] in df.columns]
    cols = [
        *ID_COLUMNS,
        "version",
        "item",
        "item_label",
        "measure",
        "measure_label",
        "measure_name",
        "unit",
        "key",
        "kind",
        "value",
    ]
    attrs: dict[str, list] = {name: [] for name in cols[len(ID_COLUMNS) : -1]}
    for key, version, row_key, row_label, measure, measure_label, unit, measure_name in present:
        attrs["version"].append(version)
        attrs["item"].append(row_key)
        attrs["item_label"].append(row_label)
        attrs["measure"].append(measure)
        attrs["measure_label"].append(measure_label)
        attrs["measure_name"].append(measure_name)
        attrs["unit"].append(unit or ("万元" if measure == "fee_amount_wan_yuan" else "件"))
        attrs["key"].append(key)
        attrs["kind"].append(measure_kind(key))
    return _long(df, [df[m[0]] for m in present], attrs)[cols]


def normative_documents(df: pd.DataFrame) -> pd.DataFrame:
    """规章 and 规范性文件 (第二十条第（一）项) per report, long form.

    Columns: report_id, agency, region, year, agency_type, template, version ("2019"/"2021"), item
    (regulations/normative_documents), item_label, measure, measure_label (with the version, e.g.
    ``本年新制作数量（2019版）``), measure_name (bare template label), unit, key, kind ("stock" for
    现行有效件数/对外公开总数量: never add its years), value.
    2019 measures (本年新制作数量/本年新公开数量/对外公开总数量) and 2021 measures (本年制发件数/
    本年废止件数/现行有效件数) have different ``measure`` values and labels: chart them apart.
    """
    return _melt(df, _s2_measures("art20_1"))


def enforcement(df: pd.DataFrame) -> pd.DataFrame:
    """行政许可, 其他对外管理服务事项, 行政处罚, 行政强制 and 行政事业性收费 per report, long form.

    Same columns as :func:`normative_documents`. ``measure == "decisions"`` (version "2019/2021") is
    comparable across versions; 2019 item counts (上一年项目数量, 本年增/减) and the 2021 fee amount
    (``fee_amount_wan_yuan``, 万元) are separate measures.
    """
    measures = []
    for block in ("art20_5", "art20_6", "art20_8"):
        measures += _s2_measures(block)
    return _melt(df, measures)


def enforcement_trend(df: pd.DataFrame) -> pd.DataFrame:
    """Per year and item: Σ decisions (both versions) and, separately, Σ 2021 fee amounts (万元).

    Columns: year, item, item_label, measure, measure_label, unit, value, n_reports.
    """
    cols = ["year", "item", "item_label", "measure", "measure_label", "unit", "value", "n_reports"]
    measures = [m for block in ("art20_5", "art20_6", "art20_8") for m in _s2_measures(block)]
    frames = []
    # The years once for every measure (codes in ascending year order, −1: unknown), then per measure a
    # grouped sum of its column: what a groupby by year gave, without grouping 50,000 rows ten times.
    codes, uniques = pd.factorize(df["year"].to_numpy(dtype=float, na_value=np.nan))
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    year_of = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1) if len(order) else codes
    years = np.asarray(uniques)[order]
    for key, _version, row_key, row_label, measure, measure_label, unit, _name in measures:
        if measure not in ("decisions", "fee_amount_wan_yuan") or key not in df.columns:
            continue
        sums, counts = _year_sums(df[key].to_numpy(dtype=float, na_value=np.nan), year_of, len(years))
        stated = counts > 0
        if not stated.any():
            continue
        frames.append(
            pd.DataFrame(
                {
                    "year": years[stated].astype("int64"),
                    "item": row_key,
                    "item_label": row_label,
                    "measure": measure,
                    "measure_label": measure_label,
                    "unit": unit or ("万元" if measure == "fee_amount_wan_yuan" else "件"),
                    "value": sums[stated],
                    "n_reports": counts[stated],
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)[cols].sort_values(["item", "year"]).reset_index(drop=True)


def _year_sums(values: np.ndarray, year: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(Σ, count) of the stated values per year code 0 … size−1, as pandas' grouped sum gives them:
    whole numbers added exactly by ``bincount``, anything else by pandas' compensated sum."""
    keep = (year >= 0) & ~np.isnan(values)
    numbers, at = values[keep], year[keep]
    counts = np.bincount(at, minlength=size)
    if not numbers.size or (
        float(np.abs(numbers).sum()) < 2.0**53 and bool((np.trunc(numbers) == numbers).all())
    ):
        return np.bincount(at, weights=numbers, minlength=size), counts
    return grouped_sums(numbers, at, counts), counts


def grouped_sums(numbers: np.ndarray, at: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``Series(numbers).groupby(at, sort=False).sum()`` laid out per code 0 … len(counts)−1 (0 for a
    code without rows; ``at`` ≥ 0, ``counts`` its bincount), bit for bit.

    pandas adds a group's rows with ``np.add.reduceat`` when every group's rows are contiguous (its own
    choice: left to it), else with a compensated sum per group in row order: its own kernel, called
    here with the codes as they are, so the rows are not factorized again (most of the groupby's time).
    """
    size = len(counts)
    contiguous = np.count_nonzero(at[1:] != at[:-1]) + 1 == np.count_nonzero(counts)
    if not contiguous and _group_sum is not None:
        out = np.zeros((size, 1))
        _group_sum(
            out=out,
            counts=np.zeros(size, dtype=np.int64),
            values=np.ascontiguousarray(numbers, dtype=np.float64).reshape(-1, 1),
            labels=at.astype(np.intp, copy=False),
            mask=None,
            min_count=0,
            is_datetimelike=False,
            initial=0,
        )
        return out[:, 0]
    grouped = pd.Series(numbers).groupby(at, sort=False).sum()
    sums = np.zeros(size)
    sums[grouped.index.to_numpy()] = grouped.to_numpy(dtype=float)
    return sums


# --------------------------------------------------------------------------- 依申请公开


def applicants_by_type(df: pd.DataFrame) -> pd.DataFrame:
    """New applications (一、本年新收) per report and applicant type, long form.

    Columns: report_id, agency, region, year, agency_type, template, applicant, applicant_label, value.
    Only the six applicant columns (not 总计); a report that fills only 总计 contributes nothing here.
    """
    return _long(
        df,
        [_col(df, f"s3.r1_new_received.{col}") for col in S3_APPLICANT_COLS],
        {
            "applicant": list(S3_APPLICANT_COLS),
            "applicant_label": [_APPLICANT_LABELS[c] for c in S3_APPLICANT_COLS],
        },
    )


def outcome_mix(df: pd.DataFrame) -> pd.DataFrame:
    """How each report's applications ended, in six categories, long form.

    Columns: report_id, agency, region, year, agency_type, template, category, category_label,
    value, share (of the six categories' sum for that report; NaN when it is 0). Categories:
    予以公开, 部分公开, 不予公开 (Σ （三）1–8), 无法提供 (Σ （四）1–3), 不予处理 (Σ （五）1–5),
    其他处理 (2019 （六） or Σ 2021 （六）1–3). A report without any outcome row is left out.
    """
    cols = [*ID_COLUMNS, "category", "category_label", "value", "share"]
    has_any, values, shares = outcome_values(df)
    if not has_any.any():
        return pd.DataFrame(columns=cols)
    out = _long(
        df[has_any],
        [values[cat] for cat, _, _ in OUTCOME_CATEGORIES],
        {
            "category": [c for c, _, _ in OUTCOME_CATEGORIES],
            "category_label": [lb for _, lb, _ in OUTCOME_CATEGORIES],
        },
        keep_nan=True,
    )
    out["share"] = np.concatenate([shares[cat].to_numpy(dtype=float) for cat, _, _ in OUTCOME_CATEGORIES])
    return out[cols]


def outcome_values(
    df: pd.DataFrame, s3: S3Totals | None = None
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    """(has_any, values, shares) behind :func:`outcome_mix`: which reports state any outcome row, and
    for those the six categories' values (a blank next to filled ones counts 0) and shares (NaN when
    the report's six categories sum to 0), one column per category."""
    s3 = s3 or S3Totals(df)
    values = pd.DataFrame({cat: s3.rows_total(rows) for cat, _, rows in OUTCOME_CATEGORIES}, index=df.index)
    has_any = values.notna().any(axis=1)
    values = values[has_any].fillna(0)  # a blank outcome row next to filled ones counts 0 (§9.4)
    shares = values.div(values.sum(axis=1).where(lambda d: d > 0), axis=0)
    return has_any, values, shares


def outcome_arrays(df: pd.DataFrame, s3: S3Totals | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`outcome_values` as arrays: (positions of the reports stating any outcome row, their
    values and their shares, one column per category of OUTCOME_CATEGORIES).

    The same numbers without the frames: the row total adds the six columns left to right, as the
    frame's row sum of six columns does.
    """
    s3 = s3 or S3Totals(df)
    columns = [s3.rows_total_array(rows) for _, _, rows in OUTCOME_CATEGORIES]
    stated = np.zeros(len(df), dtype=bool)
    for column in columns:
        stated |= ~np.isnan(column)
    at = np.flatnonzero(stated)
    # A blank outcome row next to filled ones counts 0 (§9.4); an infinity stays one (fillna).
    values = np.column_stack([np.where(np.isnan(c[at]), 0.0, c[at]) for c in columns])
    total = values[:, 0].copy()
    for j in range(1, values.shape[1]):
        total += values[:, j]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = values / np.where(total > 0, total, np.nan)[:, None]
    return at, values, shares


CARRY_MEASURES: tuple[tuple[str, str], ...] = (
    ("r1_new_received", "本年新收"),
    ("r2_carried_over", "上年结转"),
    ("r3_7_total", "本年办结（七）总计"),
    ("r4_carry_forward", "结转下年度继续办理"),
)


def carry_over(df: pd.DataFrame) -> pd.DataFrame:
    """Applications carried in and out per report, long form (totals, see :func:`s3_total`).

    Columns: report_id, agency, region, year, agency_type, template, measure, measure_label, value.
    """
    return _long(
        df,
        [s3_total(df, row) for row, _ in CARRY_MEASURES],
        {"measure": [r for r, _ in CARRY_MEASURES], "measure_label": [lb for _, lb in CARRY_MEASURES]},
    )


def carry_over_consistency(df: pd.DataFrame) -> pd.DataFrame:
    """Cross-year rule X1: 上年结转 of year N equals 结转下年度 of year N−1, same agency (总计 column).

    Columns: agency, region, year, carried_over, previous_carry_forward, consistent (bool).
    Only agencies with both years in ``df`` appear.
    """
    carried, forward = s3_total(df, "r2_carried_over"), s3_total(df, "r4_carry_forward")
    fast = _carry_pairs(df, carried.to_numpy(), forward.to_numpy())
    if fast is not None:
        return fast
    frame = pd.DataFrame(
        {
            "agency": df["agency"],
            "region": df["region"],
            "year": df["year"],
            "carried_over": carried,
            "carry_forward": forward,
        }
    ).dropna(subset=["agency", "year"])
    prev = frame[["agency", "region", "year", "carry_forward"]].copy()
    prev["year"] = prev["year"] + 1
    merged = frame.drop(columns="carry_forward").merge(
        prev.rename(columns={"carry_forward": "previous_carry_forward"}), on=["agency", "region", "year"]
    )
    merged = merged.dropna(subset=["carried_over", "previous_carry_forward"])
    merged["consistent"] = merged["carried_over"] == merged["previous_carry_forward"]
    return merged.sort_values(["agency", "year"]).reset_index(drop=True)


def _carry_pairs(df: pd.DataFrame, carried: np.ndarray, forward: np.ndarray) -> pd.DataFrame | None:
    """:func:`carry_over_consistency` on codes when each (agency, region, year) is one report (the
    library keeps one current version of a report), else None (the merge handles repeated keys).

    The merge on (agency, region, year + 1) is a lookup of each report's key among the previous
    year's keys (a blank region matches a blank region, as in the merge); rows in report order, then
    stably by agency and year, as ``sort_values`` ordered the merged rows.
    """
    agency, region, year = df["agency"], df["region"], df["year"]
    keep = np.flatnonzero(agency.notna().to_numpy() & year.notna().to_numpy())
    a_codes, a_names = pd.factorize(agency.array[keep])
    r_codes, _ = pd.factorize(region.array[keep])  # −1: blank region, matched with blank
    years = year.to_numpy(dtype="int64", na_value=0)[keep]
    if len(keep) and int(np.abs(years).max()) >= 1 << 20:
        return None
    base = (a_codes.astype(np.int64) * (int(r_codes.max(initial=0)) + 2) + (r_codes + 1)) << 21
    key = base + (years + (1 << 20))
    keys = pd.Index(key)
    if not keys.is_unique:
        return None
    previous = keys.get_indexer(key - 1)  # the report of the year before, −1 if none
    hit = np.flatnonzero(previous >= 0)
    now, before = keep[hit], keep[previous[hit]]
    stated = ~np.isnan(carried[now]) & ~np.isnan(forward[before])
    hit, now, before = hit[stated], now[stated], before[stated]
    # Stably by agency (its text: the names' order, ranked once per distinct name), then year.
    name_rank = np.empty(len(a_names), dtype=np.int64)
    name_rank[np.argsort(np.asarray(a_names, dtype=object), kind="stable")] = np.arange(len(a_names))
    order = np.lexsort((years[hit], name_rank[a_codes[hit]]))
    now, before = now[order], before[order]
    out = pd.DataFrame(
        {
            "agency": agency.iloc[now].reset_index(drop=True),
            "region": region.iloc[now].reset_index(drop=True),
            "year": year.iloc[now].reset_index(drop=True),
            "carried_over": carried[now],
            "previous_carry_forward": forward[before],
        }
    )
    out["consistent"] = out["carried_over"] == out["previous_carry_forward"]
    return out


FLOW_RECEIVED = "本年新收申请"
FLOW_CARRIED = "上年结转申请"
FLOW_HUB = "本年度应办理申请"
FLOW_FORWARD = "结转下年度继续办理"


def application_flow(df: pd.DataFrame, *, detail: bool = False, s3: S3Totals | None = None) -> pd.DataFrame:
    """Sankey links (source, target, value) summed over ``df``: received + carried → outcomes / carry forward.

    Nodes: 本年新收申请 and 上年结转申请 flow into 本年度应办理申请, which flows out to the six outcome
    categories and 结转下年度继续办理. With ``detail`` the categories 不予公开/无法提供/不予处理/其他处理
    also flow to their numbered reasons. Links of value 0 are left out; the two sides balance only
    when the reports satisfy the official 勾稽关系.
    """
    s3 = s3 or S3Totals(df)
    links: list[tuple[str, str, float]] = [
        (FLOW_RECEIVED, FLOW_HUB, s3.total("r1_new_received").sum()),
        (FLOW_CARRIED, FLOW_HUB, s3.total("r2_carried_over").sum()),
    ]
    for _cat, label, rows in OUTCOME_CATEGORIES:
        links.append((FLOW_HUB, label, s3.rows_total(rows).sum()))
        if detail and len(rows) > 1:
            for row in rows:
                reason = S3_ROW_BY_KEY[row].label
                links.append((label, f"{label}：{reason}", s3.total(row).sum()))
    links.append((FLOW_HUB, FLOW_FORWARD, s3.total("r4_carry_forward").sum()))
    out = pd.DataFrame(links, columns=["source", "target", "value"])
    return out[out["value"] > 0].reset_index(drop=True)


# --------------------------------------------------------------------------- 复议诉讼


def review_litigation(df: pd.DataFrame) -> pd.DataFrame:
    """Review and litigation outcomes per report, long form (the four outcomes, not 总计).

    Columns: report_id, agency, region, year, agency_type, template, group (review/lit_direct/
    lit_after_review), group_label, outcome (upheld/corrected/other/pending), outcome_label, value.
    """
    pairs = [(g, gl, o, ol) for g, gl in S4_GROUPS for o, ol in S4_OUTCOMES[:-1]]
    return _long(
        df,
        [_col(df, f"s4.{g}_{o}") for g, _, o, _ in pairs],
        {
            "group": [g for g, _, _, _ in pairs],
            "group_label": [gl.replace("行政诉讼/", "诉讼：") for _, gl, _, _ in pairs],
            "outcome": [o for _, _, o, _ in pairs],
            "outcome_label": [ol for _, _, _, ol in pairs],
        },
    )


# --------------------------------------------------------------------------- 数据质量


def duplicate_agency_years(df: pd.DataFrame) -> pd.DataFrame:
    """Reports of one agency name and year that may be the same report stored twice.

    Reports with the same agency, region and year are versions of one report (:mod:`library.versions`):
    only the current one is in the dataset, so they never show here. What remains ambiguous is the same
    agency name and year where some report's region is unknown: it may be another version of one of
    them (then counted twice in sums until its region is filled in) or another agency of the same
    name. Reports of the same name in two known regions are two agencies (two counties each have a
    县教育局) and are not listed. Columns: agency, region (the known regions, "、"-joined; None when
    none is known), year, report_ids (list), n.
    """
    known = df.dropna(subset=["agency", "year"])
    keys = ["agency", "year"]
    clash = known[known.duplicated(keys, keep=False)]  # cheap test first: most libraries have none
    clash = clash[clash.groupby(keys)["region"].transform(lambda r: r.isna().any()).astype(bool)]
    grouped = (
        clash.groupby(keys)
        .agg(
            region=("region", lambda r: "、".join(sorted(set(r.dropna()))) or None),
            report_ids=("report_id", list),
        )
        .reset_index()
    )
    grouped["n"] = grouped["report_ids"].map(len).astype("int64")
    return grouped[["agency", "region", "year", "report_ids", "n"]]


def quality_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Per report: failed checks, unmatched labels, cells stated, missing metadata; worst first.

    Columns: report_id, agency, region, year, agency_type, template, filename, checks_failed,
    unmatched_labels, cells_stated, missing_metadata (Chinese list, "" when complete).
    """
    out = _ids(df)
    out["filename"] = df["filename"]
    out["checks_failed"] = df["checks_failed"]
    out["unmatched_labels"] = df["unmatched_labels"]
    cell_cols = [c for c in df.columns if c in CELLS]
    out["cells_stated"] = df[cell_cols].notna().sum(axis=1)
    missing = pd.Series("", index=df.index)
    for col in ("agency", "region", "year", "agency_type"):
        zh = META_HEADERS[col]
        gap = df[col].isna()
        missing = missing.where(~gap, missing + "、" + zh)
    missing = missing.str.lstrip("、")
    out["missing_metadata"] = missing
    return out.sort_values(["checks_failed", "unmatched_labels"], ascending=False).reset_index(drop=True)


def template_counts(df: pd.DataFrame) -> dict[str, int]:
    """Reports per template version code (``{"2021": 12, "2019": 3}``)."""
    return {str(k): int(v) for k, v in df["template"].value_counts().items()}


def reports_failing_checks(df: pd.DataFrame) -> int:
    """How many reports have at least one failed check."""
    return int((df["checks_failed"] > 0).sum())


__all__ = [
    "reports_failing_checks",
    "template_counts",
    "AGENCY_TABLE_HEADERS",
    "OUTCOME_CATEGORIES",
    "V2019",
    "V2021",
    "agency_name",
    "agency_table",
    "application_flow",
    "applicants_by_type",
    "carry_over",
    "carry_over_consistency",
    "duplicate_agency_years",
    "enforcement",
    "enforcement_trend",
    "is_stock",
    "kpi_table",
    "kpis",
    "normative_documents",
    "outcome_mix",
    "quality_summary",
    "report_years",
    "review_litigation",
    "s3_total",
    "s4_total",
]

"""Every chart of the dashboard, page by page: pure functions from the standardised dataset to ChartSpecs.

The pages render these lists and the 简报包 packs all of them, so "every chart under the current filters"
is one definition. Numbers come from library.aggregate; this module only chooses what to plot and how
to label it in Chinese.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts.figures import (
    NO_DATA,
    Rows,
    bar_by_category,
    bar_from_rows,
    donut_of_sums,
    first_appearance,
    group_sums,
    sankey,
    trend_from_rows,
    trend_lines,
)
from charts.image_export import ChartSpec
from charts.theme import TEMPLATE_COLORS
from library import aggregate as agg
from parsing.schema import S3_APPLICANT_COLS, S4_GROUPS, S4_OUTCOMES
from parsing.vocabulary import template_name

# Chart keys: stable names a screen picks its charts by (and the 简报包 names its files by).
OVERVIEW_REPORTS = "overview_reports"
OVERVIEW_APPLICATIONS = "overview_applications"
PROACTIVE_ITEMS_PROSE = "proactive_items_prose"
ENFORCEMENT_DECISIONS_AGENCY = "enforcement_decisions_agency"
ENFORCEMENT_DECISIONS_TREND = "enforcement_decisions_trend"
ENFORCEMENT_FEES_2021 = "enforcement_fees_2021"
ENFORCEMENT_ITEMS_2019 = "enforcement_items_2019"
APPLICATIONS_APPLICANTS_SHARE = "applications_applicants_share"
APPLICATIONS_APPLICANTS_AGENCY = "applications_applicants_agency"
APPLICATIONS_OUTCOMES = "applications_outcomes"
APPLICATIONS_CARRY = "applications_carry"
APPLICATIONS_FLOW = "applications_flow"
REVIEW_OUTCOMES = "review_outcomes"
LITIGATION_OUTCOMES = "litigation_outcomes"
REVIEW_TREND = "review_trend"
QUALITY_RULES = "quality_rules"
QUALITY_UNMATCHED = "quality_unmatched"
PROACTIVE_ITEMS = ("normative_documents", "regulations")


def proactive_key(item: str, version: str, view: str) -> str:
    """Key of a 主动公开 chart: ``item`` of PROACTIVE_ITEMS, ``version`` 2019/2021, ``view`` agency/trend."""
    return f"proactive_{item}_{version}_{view}"


VERSION_NOTE = (
    "2019 版与 2021 版格式的第二十条第（一）项是不同的统计口径：2019 版统计“本年新制作／本年新公开／"
    "对外公开总数量”，2021 版统计“本年制发／本年废止／现行有效件数”。两者分开展示，不合并、不换算。"
)
OUTCOME_COLORS = {
    "予以公开": "#3A9E6F",
    "部分公开": "#8BC28C",
    "不予公开": "#C8484F",
    "无法提供": "#E07B39",
    "不予处理": "#B3893A",
    "其他处理": "#7F8C8D",
}
S4_OUTCOME_COLORS = {
    "结果维持": "#2E6FBA",
    "结果纠正": "#C8484F",
    "其他结果": "#7F8C8D",
    "尚未审结": "#E0A030",
}
ITEM_ORDER = ["行政许可", "其他对外管理服务事项", "行政处罚", "行政强制", "行政事业性收费"]


def with_agency_label(long: pd.DataFrame, *, by_year: bool = False) -> pd.DataFrame:
    """Add ``单位`` for display: the agency, plus its region when the data spans several regions.

    Two counties both have a "县教育局"; without the region their bars would silently add up. With
    ``by_year``, when an agency has reports of several years, its bars are one per year ("某局 2021年"):
    a per-agency chart whose series are not the years must never add years together (a stock such as
    现行有效件数 summed over seven years is no figure at all). ``单位组`` keeps the agency alone, so its
    years stay side by side.
    """
    out = long.copy()
    if out.empty:
        out["单位"] = pd.Series(dtype=object)
        out["单位组"] = pd.Series(dtype=object)
        return out
    regions = out["region"].dropna().unique() if "region" in out else []
    label = out["agency"].astype(str)
    if len(regions) > 1:
        label = label + "（" + out["region"].fillna("地区未填").astype(str) + "）"
    # Vectorised (tens of thousands of rows on a big library): same as chart_text per value.
    label = label.str.replace("<", "＜", regex=False).str.replace(">", "＞", regex=False)
    out["单位组"] = label
    if by_year and "year" in out and (out.groupby(label, sort=False)["year"].nunique(dropna=False) > 1).any():
        label = label + " " + out["year"].pipe(_year_labels)
    out["单位"] = label
    return out


def _year_labels(years: pd.Series) -> pd.Series:
    """'2021年' (or '年度未填') for a whole column of years, computed once per distinct year."""
    # Each distinct year is formatted once (a long frame repeats a handful of years 30,000 times).
    codes, uniques = pd.factorize(years)  # a blank year gets code -1: the last label below
    labels = np.array([f"{int(y)}年" for y in uniques] + ["年度未填"], dtype=object)
    return pd.Series(labels[codes], index=years.index, name=years.name, dtype=object)


# --------------------------------------------------------------------------- long rows as codes
#
# A page of 50,000 reports must not build long frames of text (50,000 reports × a dozen measures, each
# row carrying the agency, region and labels) only to group them again: the long rows below are
# positions (report, series) and values, the labels are made once per distinct agency, year or series,
# and charts.figures draws from the codes. Every chart gives exactly what the former long frames gave
# (tests/test_pages_reference.py compares them with a copy of the former code).


@dataclass(frozen=True)
class _Long:
    """Long rows of per-report measures, series-major (all reports of the first series, then the second,
    ...), reports in dataset order: like :func:`library.aggregate._long`, as positions."""

    report: np.ndarray  # row position in the dataset
    ser: np.ndarray  # series number
    value: np.ndarray

    def take(self, keep: np.ndarray) -> _Long:
        return _Long(self.report[keep], self.ser[keep], self.value[keep])

    def __len__(self) -> int:
        return len(self.value)


def _long_of(columns: list[np.ndarray], n: int, *, keep_nan: bool = False) -> _Long:
    """The long rows of per-report value arrays (a row per stated value, or per report with ``keep_nan``)."""
    if not columns or not n:
        empty = np.zeros(0, dtype=np.int64)
        return _Long(empty, empty, np.zeros(0))
    values = np.column_stack(columns)
    present = np.ones_like(values, dtype=bool) if keep_nan else ~np.isnan(values)
    ser, report = np.nonzero(present.T)
    return _Long(report, ser, values[report, ser])


def _factorized(labels: list) -> tuple[np.ndarray, np.ndarray]:
    """(code of each label, distinct labels): equal texts get one code."""
    codes, uniques = pd.factorize(np.asarray(labels, dtype=object))
    out = np.empty(len(uniques), dtype=object)
    out[:] = list(uniques)
    return codes.astype(np.int64, copy=False), out


def _first_positions(codes: np.ndarray) -> np.ndarray:
    """Where each code first appears, for codes numbered in order of first appearance (a factorize's):
    a code appears first where it exceeds every code before it. No sort (``np.unique``) needed."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    before = np.maximum.accumulate(codes)
    return np.flatnonzero(np.concatenate(([True], codes[1:] > before[:-1])))


def _escaped(labels: np.ndarray) -> np.ndarray:
    """The labels as texts safe in a chart (``<``, ``>`` as full-width signs), an object array."""
    out = np.empty(len(labels), dtype=object)
    out[:] = [str(v).replace("<", "＜").replace(">", "＞") for v in labels]
    return out


def _several(values: np.ndarray) -> bool:
    """True when ``values`` holds two different values."""
    return bool(len(values)) and bool((values != values[0]).any())


def _pair_codes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pair code per row, first a, first b of each pair) of two code arrays (codes ≥ −1)."""
    key = (a.astype(np.int64) + 1) * (int(b.max(initial=0)) + 2) + (b.astype(np.int64) + 1)
    if len(key) and int(key.max()) < 8 * len(key) and int(np.bincount(key).max()) == 1:
        # Every pair once (a long row per report and series): the pairs are the rows, numbered in
        # order; a count over the small key range tells it without hashing the keys.
        return np.arange(len(key), dtype=np.int64), a, b
    codes, _ = pd.factorize(key)
    first = _first_positions(codes)
    return codes.astype(np.int64, copy=False), a[first], b[first]


@dataclass(frozen=True)
class _Units:
    """Per report: the code of its 单位 and 单位组 (−1 for reports not labelled), and their labels."""

    unit: np.ndarray
    unit_labels: np.ndarray
    group: np.ndarray
    group_labels: np.ndarray


class _Reports:
    """The per-report columns the charts label by, taken once from the dataset."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.n = len(df)
        self._cache: dict[tuple[str, bool], tuple[np.ndarray, np.ndarray]] = {}
        # Factorized as stored (Arrow strings): no Python string per report.
        codes, uniques = pd.factorize(agg.agency_name(df).array)
        self.agency = codes.astype(np.int64, copy=False)
        self.agency_labels = np.asarray(uniques, dtype=object)
        codes, uniques = pd.factorize(df["region"].array)  # −1: region unknown
        self.region = codes.astype(np.int64, copy=False)
        self.region_labels = np.asarray(list(uniques), dtype=object)
        years = df["year"].to_numpy(dtype=float, na_value=np.nan)
        self.year_value = years
        codes, uniques = pd.factorize(years)  # −1: year unknown
        self.year = codes.astype(np.int64, copy=False)
        self.year_labels = np.array([f"{int(y)}年" for y in uniques] + ["年度未填"], dtype=object)

    def sorted_years(self, reports: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the distinct years ascending, each of ``reports``' position among them, −1 for no year):
        the years of a trend coded per report, not per long row."""
        uniques = self.year_labels[:-1]  # one per distinct year, in code order
        values = np.array([float(v[:-1]) for v in uniques], dtype=float)
        order = np.argsort(values, kind="stable")
        rank = np.empty(len(order) + 1, dtype=np.int64)
        rank[order] = np.arange(len(order))
        rank[-1] = -1  # code −1 (no year) reads the last slot
        return values[order], rank[self.year][reports]

    def year_label_codes(self) -> np.ndarray:
        """The code of each report's year label in :attr:`year_labels` (年度未填 last)."""
        return np.where(self.year < 0, len(self.year_labels) - 1, self.year)

    def _groups(self, several: bool) -> tuple[np.ndarray, np.ndarray]:
        """(单位组 code of every report, labels): the agency, with its region when ``several``; each
        distinct (agency, region) pair is written once, and kept per ``several`` for the next chart."""
        cached = self._cache.get(("group", several))
        if cached is None:
            region = self.region if several else np.zeros_like(self.region)
            pair, pair_agency, pair_region = _pair_codes(self.agency, region)
            # Whole arrays of texts added in one go (no Python loop per pair); escaping each part once
            # is escaping the joined label ("（", "）" and 地区未填 hold no "<" or ">").
            texts = _escaped(self.agency_labels)[pair_agency]
            if several:
                regions = _escaped(np.append(self.region_labels, "地区未填"))  # code −1: the last
                texts = texts + "（" + regions[pair_region] + "）"
            pair_group, labels = _factorized(texts)
            cached = self._cache[("group", several)] = (pair_group[pair], labels)
        return cached

    def _units_by_year(self, several: bool) -> tuple[np.ndarray, np.ndarray]:
        """(单位 code of every report, labels) when an agency's years are kept apart: "某局 2021年"."""
        cached = self._cache.get(("unit", several))
        if cached is None:
            group, group_labels = self._groups(several)
            combo, combo_group, combo_year = _pair_codes(group, self.year)
            years = self.year_labels
            # Code −1 (year unknown) reads the last label, 年度未填.
            labels = group_labels[combo_group] + (" " + years)[combo_year]
            # Distinct (单位组, year) pairs have distinct labels (the group labels are distinct and a year
            # label has no space), so the pair code is the label's code: no need to factorize the texts.
            cached = self._cache[("unit", several)] = (combo, labels)
        return cached

    def units(self, reports: np.ndarray, *, by_year: bool) -> _Units:
        """What :func:`with_agency_label` adds, for the reports at ``reports`` (those of a long frame):
        the region shown when they span several regions, the year when ``by_year`` and some agency among
        them has several years."""
        unit = np.full(self.n, -1, dtype=np.int64)
        group = np.full(self.n, -1, dtype=np.int64)
        chosen = np.zeros(self.n, dtype=bool)
        chosen[reports] = True
        reports = np.flatnonzero(chosen)
        if not len(reports):
            return _Units(unit, np.zeros(0, object), group, np.zeros(0, object))
        region = self.region[reports]
        several = _several(region[region >= 0])
        group_of, group_labels = self._groups(several)
        group[reports] = group_of[reports]
        if by_year:
            g = group_of[reports]
            width = len(self.year_labels) + 1
            combos = np.bincount(g * width + (self.year[reports] + 1), minlength=1)
            groups = np.bincount(g, minlength=1)
            # Some agency has several years (a blank one counts): more (group, year) pairs than groups.
            if np.count_nonzero(combos) > np.count_nonzero(groups):
                unit_of, unit_labels = self._units_by_year(several)
                unit[reports] = unit_of[reports]
                return _Units(unit, unit_labels, group, group_labels)
        unit[reports] = group_of[reports]
        return _Units(unit, group_labels, group, group_labels)


def _rows(long: _Long, units: _Units, ser: np.ndarray | None, ser_labels: np.ndarray | None) -> Rows:
    """Chart rows: category 单位, group 单位组, the given series code of each long row."""
    return Rows(
        long.value,
        units.unit[long.report],
        units.unit_labels,
        ser,
        ser_labels,
        units.group[long.report],
        units.group_labels,
    )


def _pivot_codes(
    index: np.ndarray,
    index_labels: np.ndarray,
    index_name: str,
    columns: np.ndarray,
    column_labels: np.ndarray,
    columns_name: str | None,
    values: np.ndarray,
) -> pd.DataFrame:
    """The numbers behind a chart as a table (for the 查看数据 popover and Excel), from coded rows:
    Σ values per (index, column), rows and columns in order of first appearance (as a grouped sum and
    unstack gave them), blank where no value is stated (blank ≠ 0)."""
    if not len(values):
        return pd.DataFrame()
    rows, cols = first_appearance(index), first_appearance(columns)
    row_at = np.zeros(len(index_labels), dtype=np.int64)
    row_at[rows] = np.arange(len(rows))
    col_at = np.zeros(len(column_labels), dtype=np.int64)
    col_at[cols] = np.arange(len(cols))
    size = len(rows) * len(cols)
    sums, counts = group_sums(values, row_at[index] * len(cols) + col_at[columns], size)
    matrix = np.where(counts > 0, sums, np.nan).reshape(len(rows), len(cols))  # blank ≠ 0
    if values.dtype.kind in "iu" and not np.isnan(matrix).any():
        matrix = matrix.astype(values.dtype)  # counts stay integers when every cell has one, as before
    # The frame ``DataFrame(matrix, index, columns).dropna(how="all", axis=1).reset_index()`` gave,
    # built directly: the row labels as a column, the columns without a stated cell left out.
    kept = np.flatnonzero(~np.isnan(matrix).all(axis=0))
    names = [str(v) for v in column_labels[cols[kept]]]
    labels = _str_array(index_labels)
    # Every label in code order (the usual: a row per agency of the page) is the array itself; the
    # frame copies it (a shallow copy of an Arrow array), so no 50,000-string take is needed.
    every = len(rows) == len(labels) and bool((rows == np.arange(len(rows))).all())
    data = {index_name: labels if every else labels.take(rows)}
    if index_name in names:  # a column named like the row labels: let pandas sort it out, as before
        table = pd.DataFrame(
            matrix,
            index=pd.Index(index_labels[rows], name=index_name, dtype="str"),
            columns=pd.Index(column_labels[cols], name=columns_name, dtype="str"),
        )
        return table.dropna(how="all", axis=1).reset_index()
    stated = {name: matrix[:, j] for name, j in zip(names, kept.tolist(), strict=True)}
    table = pd.DataFrame({**data, **stated})
    table.columns = pd.Index([index_name, *names], name=columns_name, dtype="str")
    return table


# The labels of a page's agencies (tens of thousands), as pandas text arrays: converted once per labels
# array and taken from for every table of the page (the array is kept, so its id is not reused). A few
# entries only (a page has two or three label arrays); pages run in threads, hence the lock.
_STR_ARRAYS: dict[int, tuple[np.ndarray, pd.api.extensions.ExtensionArray]] = {}
_STR_ARRAYS_LOCK = threading.Lock()


def _str_array(labels: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``pd.array(labels, dtype="str")``, converted once per labels array, and once per content: after a
    write that changed figures only, the page's labels are made again with the same texts (comparing
    50,000 labels costs ~1 ms, converting them ~10 ms per table)."""
    with _STR_ARRAYS_LOCK:
        cached = _STR_ARRAYS.get(id(labels))
        earlier = list(_STR_ARRAYS.values())
    if cached is not None and cached[0] is labels:
        return cached[1]
    same = (c for known, c in earlier if len(known) == len(labels) and _same_texts(known, labels))
    converted = next(same, None)
    if converted is None:
        converted = pd.array(labels, dtype="str")
    with _STR_ARRAYS_LOCK:
        while len(_STR_ARRAYS) >= 4:
            del _STR_ARRAYS[next(iter(_STR_ARRAYS))]
        _STR_ARRAYS[id(labels)] = (labels, converted)
    return converted


def _same_texts(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two label arrays hold the same strings at every position (anything but a string, e.g.
    a missing label, makes them count as different: converted afresh)."""
    # infer_dtype walks the array in C: "string" when every item is a str (a non-str equal to a str
    # could convert to other text, e.g. 1 and 1.0).
    return pd.api.types.infer_dtype(b, skipna=False) == "string" and bool(np.array_equal(a, b))


def _series(labels: list[str]) -> np.ndarray:
    out = np.empty(len(labels), dtype=object)
    out[:] = labels
    return out


# --------------------------------------------------------------------------- 总览


def overview_charts(df: pd.DataFrame) -> list[ChartSpec]:
    """Reports per year and template; applications received per agency."""
    charts = []
    reports = _Reports(df)
    templates, uniques = pd.factorize(df["template"], use_na_sentinel=False)
    names = pd.Series(uniques, dtype=object).map(template_name).tolist()
    name_codes, name_labels = _factorized(names)
    years = reports.year_label_codes()
    counts = Rows(
        np.ones(len(df), dtype=np.int64),
        years,
        reports.year_labels,
        name_codes[templates] if len(df) else np.zeros(0, np.int64),
        name_labels,
    )
    title = "各年度报告数（按格式版本）"
    fig = bar_from_rows(
        counts,
        title=title,
        value_title="报告数（份）",
        category_title="年度",
        colors={template_name(k): v for k, v in TEMPLATE_COLORS.items()},
        horizontal=False,
    )
    fig.update_xaxes(categoryorder="category ascending")
    table = _pivot_codes(years, reports.year_labels, "年度", counts.ser, name_labels, "格式", counts.value)
    charts.append(ChartSpec(OVERVIEW_REPORTS, title, fig, table))

    order = agg.agency_table_order(df)
    received, _, _ = agg._with_fallback(
        agg.s3_total(df, "r1_new_received"), agg._col(df, "n.applications_received")
    )
    long = _Long(order, np.zeros(len(order), dtype=np.int64), received.to_numpy(dtype=float)[order])
    rows = _rows(long, reports.units(long.report, by_year=False), years[order], reports.year_labels)
    title = "各单位本年新收政府信息公开申请（件）"
    charts.append(
        _by_year_rows(
            OVERVIEW_APPLICATIONS,
            rows,
            title,
            "申请数（件）",
            note="表格未填时取正文所述数字；空白不计为 0。各年度并列，不相加。",
        )
    )
    return charts


def _by_year_rows(
    key: str,
    rows: Rows,
    title: str,
    value_title: str,
    *,
    note: str = "",
    decimals: int | None = None,
    data: pd.DataFrame | None = None,
    wan: bool = True,
) -> ChartSpec:
    """Bars per agency with one bar per year side by side (grouped: years are never stacked into one
    total) and a log-scale version beside it (one city can be a hundred times a county).

    ``rows``: coded rows whose series is the year label, blank values included (the years offered are
    those of every row, the bars those of the stated values).
    """
    assert rows.ser is not None and rows.ser_labels is not None
    kwargs = {
        "title": title,
        "value_title": value_title,
        "series_order": sorted(rows.ser_labels[pd.unique(rows.ser)]),
        "barmode": "group",
        "decimals": decimals,
        "wan": wan,
    }
    alt, alt_label = partial(bar_from_rows, rows, **kwargs, log=True), "对数刻度（小单位也看得清）"
    return ChartSpec(
        key,
        title,
        bar_from_rows(rows, **kwargs),
        _unit_pivot(rows, "年度") if data is None else data,
        note=note,
        alt_fig=alt,
        alt_label=alt_label,
    )


def _s2_long(df: pd.DataFrame, measures: list[tuple]) -> tuple[_Long, list[tuple]]:
    """The long rows of section-二 measures (:func:`library.aggregate._s2_measures`) and the measures
    present in ``df``, in order: series ``i`` of the rows is ``present[i]``."""
    present = [m for m in measures if m[0] in df.columns]
    return _long_of([df[m[0]].to_numpy(dtype=float) for m in present], len(df)), present


def _label_codes(labels: list) -> tuple[np.ndarray, np.ndarray]:
    """(code of each series, distinct labels) for per-series labels (equal labels share a code)."""
    return _factorized([str(x) for x in labels]) if labels else (np.zeros(0, np.int64), np.zeros(0, object))


def _year_prefixed(long: _Long, reports: _Reports, ser: np.ndarray, labels: np.ndarray) -> tuple:
    """The series label with its year ("2021年 现行有效件数") when
    the rows span several years, so a stock never adds its years."""
    years = reports.year[long.report]
    if not _several(years[years >= 0]):
        return ser, labels
    year_codes = reports.year_label_codes()[long.report]
    combo, combo_year, combo_ser = _pair_codes(year_codes, ser)
    texts = [
        f"{reports.year_labels[y]} {labels[c]}"
        for y, c in zip(combo_year.tolist(), combo_ser.tolist(), strict=True)
    ]
    codes, out = _factorized(texts)
    return codes[combo], out


# --------------------------------------------------------------------------- 主动公开


def proactive_charts(df: pd.DataFrame, items: tuple[str, ...] = PROACTIVE_ITEMS) -> list[ChartSpec]:
    """规章/规范性文件 per agency and per year, one pair of charts per template version and item."""
    long, present = _s2_long(df, agg._s2_measures("art20_1"))
    reports = _Reports(df)
    units = reports.units(long.report, by_year=True)
    charts = []
    prose = _long_of(
        [
            df["n.proactive_total"].to_numpy(dtype=float)
            if "n.proactive_total" in df
            else np.full(len(df), np.nan)
        ],
        len(df),
        keep_nan=True,
    )
    title = "主动公开政府信息条数（正文所述，按单位）"
    charts.append(
        _by_year_rows(
            PROACTIVE_ITEMS_PROSE,
            _rows(
                prose,
                reports.units(prose.report, by_year=False),
                reports.year_label_codes()[prose.report],
                reports.year_labels,
            ),
            title,
            "条数",
            note="年报表格中没有“主动公开条数”一栏，"
            "此数取自报告正文（如“主动公开政府信息 39 条”）；正文未写明的报告不计入。",
        )
    )
    # The series of each (item, version), then the long rows of those series (not a text test per row).
    item_of = np.asarray([m[2] for m in present] or [""], dtype=object)
    version_of = np.asarray([m[1] for m in present] or [""], dtype=object)
    name_codes, name_labels = _label_codes([m[7] for m in present])
    for item in items:
        for version in ("2019", "2021"):
            chosen = np.flatnonzero(((item_of == item) & (version_of == version))[long.ser])
            part = long.take(chosen)
            item_label = (
                present[part.ser[0]][3]
                if len(part)
                else (
                    "规章"
                    if item == "regulations"
                    else ("规范性文件" if version == "2019" else "行政规范性文件")
                )
            )
            ser = name_codes[part.ser]
            rows = _rows(part, units, ser, name_labels)
            # A stock: its years kept apart in the table.
            by_year_ser, by_year_labels = _year_prefixed(part, reports, ser, name_labels)
            title = f"{version} 版格式：{item_label}（按单位）"
            charts.append(
                ChartSpec(
                    proactive_key(item, version, "agency"),
                    title,
                    bar_from_rows(rows, title=title, value_title="件数", barmode="group"),
                    _pivot_codes(
                        rows.grp, rows.grp_labels, "单位", by_year_ser, by_year_labels, "指标", part.value
                    ),
                    note=f"仅含 {version} 版格式报告；"
                    f"{version} 版口径与{'2021' if version == '2019' else '2019'} 版不同，不合并。",
                )
            )
            title = f"{version} 版格式：{item_label}（按年度）"
            charts.append(
                ChartSpec(
                    proactive_key(item, version, "trend"),
                    title,
                    trend_from_rows(
                        reports.year_value[part.report],
                        part.value,
                        ser,
                        name_labels,
                        title=title,
                        value_title="件数",
                        year_codes=reports.sorted_years(part.report),
                    ),
                    _pivot_codes(
                        reports.year_label_codes()[part.report],
                        reports.year_labels,
                        "年度",
                        ser,
                        name_labels,
                        "指标",
                        part.value,
                    ),
                    note=f"仅含 {version} 版格式报告，各单位合计。",
                )
            )
    return charts


# --------------------------------------------------------------------------- 行政许可与执法


def enforcement_charts(df: pd.DataFrame) -> list[ChartSpec]:
    """Decisions (许可/处罚/强制) by agency and over the years; fees, kept apart by template version."""
    measures = [m for block in ("art20_5", "art20_6", "art20_8") for m in agg._s2_measures(block)]
    long, present = _s2_long(df, measures)
    reports = _Reports(df)
    units = reports.units(long.report, by_year=True)
    item_codes, item_labels = _label_codes([m[3] for m in present])
    charts = []

    def of_series(test: Callable[[tuple], bool]) -> np.ndarray:
        """Per long row: whether its series' measure passes ``test`` (decided per series, not per row)."""
        return np.array([test(m) for m in present], dtype=bool)[long.ser] if present else np.zeros(0, bool)

    decided_items = {
        "administrative_licensing",
        "administrative_penalty",
        "administrative_coercion",
        "other_management_services",
    }
    decided = of_series(lambda m: m[4] == "decisions" and m[2] in decided_items)
    part = long.take(decided)
    decisions = _rows(part, units, item_codes[part.ser], item_labels)
    title = "行政许可、行政处罚、行政强制处理决定数量（按单位）"
    alt, alt_label = _share_alt_rows(decisions, title=title, series_order=ITEM_ORDER)
    charts.append(
        ChartSpec(
            ENFORCEMENT_DECISIONS_AGENCY,
            title,
            bar_from_rows(decisions, title=title, value_title="处理决定（件）", series_order=ITEM_ORDER),
            _unit_pivot(decisions, "item_label"),
            note="2019 版“处理决定数量”与 2021 版“本年处理决定数量”含义相同，"
            "合并统计；同一单位的不同年度分列，不相加。",
            alt_fig=alt,
            alt_label=alt_label,
        )
    )
    trend = agg.enforcement_trend(df)
    trend_dec = trend[trend["measure"] == "decisions"]
    title = "处理决定数量年度趋势"
    charts.append(
        ChartSpec(
            ENFORCEMENT_DECISIONS_TREND,
            title,
            trend_lines(
                trend_dec,
                x="year",
                value="value",
                series="item_label",
                title=title,
                value_title="处理决定（件）",
                series_order=ITEM_ORDER,
            ),
            trend_dec.rename(
                columns={
                    "year": "年度",
                    "item_label": "事项",
                    "value": "处理决定（件）",
                    "n_reports": "报告数",
                }
            )[["年度", "事项", "处理决定（件）", "报告数"]]
            if not trend_dec.empty
            else pd.DataFrame(),
        )
    )
    fee = long.take(of_series(lambda m: m[4] == "fee_amount_wan_yuan"))
    fee_units = reports.units(fee.report, by_year=False)  # labelled on the fee rows alone
    fees = _rows(fee, fee_units, reports.year_label_codes()[fee.report], reports.year_labels)
    title = "2021 版格式：行政事业性收费金额（万元，按单位）"
    charts.append(
        _by_year_rows(
            ENFORCEMENT_FEES_2021,
            fees,
            title,
            "收费金额（万元）",
            decimals=2,
            wan=False,
            # 万元 to four decimals is exact to the yuan; more digits are conversion noise (元 ÷ 10,000).
            data=_unit_pivot(fees, "年度").round(4),
            note="2021 版填报本年收费金额（万元，图中保留两位小数）；"
            "2019 版只填收费项目数量，口径不同，见下图。",
        )
    )
    part = long.take(of_series(lambda m: m[4] == "prev_year_items" and m[1] == "2019"))
    items_2019 = _rows(part, units, item_codes[part.ser], item_labels)
    # A stock: its years kept apart in the table.
    by_year_ser, by_year_labels = _year_prefixed(part, reports, item_codes[part.ser], item_labels)
    title = "2019 版格式：事项数量（上一年项目数量，按单位）"
    charts.append(
        ChartSpec(
            ENFORCEMENT_ITEMS_2019,
            title,
            bar_from_rows(
                items_2019,
                title=title,
                value_title="项目数量（项）",
                series_order=ITEM_ORDER,
                barmode="group",
            ),
            _pivot_codes(
                items_2019.grp, items_2019.grp_labels, "单位", by_year_ser, by_year_labels, "事项", part.value
            ),
            note="2019 版统计许可、处罚、强制、收费等事项的项目数量，不是决定数或金额，与 2021 版不可比。",
        )
    )
    return charts


# --------------------------------------------------------------------------- 依申请公开


def _share_rows(rows: Rows) -> Rows:
    """Each (单位, series) sum as a share of its 单位's total (rows whose
    total is 0 or blank are left out), pairs in order of first appearance."""
    if not len(rows) or rows.ser is None or rows.grp is None:
        return rows.take(np.zeros(len(rows), dtype=bool))
    pair, pair_cat, pair_ser = _pair_codes(rows.cat, rows.ser)
    first = _first_positions(pair)
    sums, _ = group_sums(rows.value, pair, len(first))
    totals, _ = group_sums(sums, pair_cat, len(rows.cat_labels))
    total = totals[pair_cat]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, sums / np.where(total > 0, total, 1.0), np.nan)
    keep = ~np.isnan(share)
    return Rows(
        share[keep],
        pair_cat[keep],
        rows.cat_labels,
        pair_ser[keep],
        rows.ser_labels,
        rows.grp[first][keep],
        rows.grp_labels,
    )


def _share_alt_rows(rows: Rows, *, title: str, **kwargs) -> tuple:
    """Stacked bars normalised per agency (each bar 100%), for a stack where a small agency vanishes:
    (a function building the figure, for ChartSpec.alt_fig, and the switch's label)."""

    def build() -> go.Figure:
        return bar_from_rows(
            _share_rows(rows),
            title=title + "（各单位占比）",
            value_title="占本单位合计的比例",
            percent=True,
            **kwargs,
        )

    return build, "按单位占比（每个单位合计为 100%）"


def _unit_pivot(rows: Rows, columns_name: str, values: np.ndarray | None = None) -> pd.DataFrame:
    """The table behind a per-agency chart: one row per 单位, one column per series."""
    assert rows.ser is not None and rows.ser_labels is not None
    return _pivot_codes(
        rows.cat,
        rows.cat_labels,
        "单位",
        rows.ser,
        rows.ser_labels,
        columns_name,
        rows.value if values is None else values,
    )


def _label_sums(values: np.ndarray, codes: np.ndarray, labels: np.ndarray, name: str) -> pd.Series:
    """Σ values per label (a groupby of the label column: labels in order of first appearance)."""
    seen = first_appearance(codes)
    sums, _ = group_sums(values, codes, len(labels))
    return pd.Series(sums[seen], index=pd.Index(labels[seen], name=name, dtype="str"), name="value")


def applications_charts(df: pd.DataFrame) -> list[ChartSpec]:
    """Applicants by type, outcome mix per agency, carry-over and the flow from received to outcomes."""
    charts = []
    reports = _Reports(df)
    n = len(df)
    applicant_labels = _series([agg._APPLICANT_LABELS[c] for c in S3_APPLICANT_COLS])
    long = _long_of(
        [agg._col(df, f"s3.r1_new_received.{c}").to_numpy(dtype=float) for c in S3_APPLICANT_COLS], n
    )
    applicants = _rows(long, reports.units(long.report, by_year=True), long.ser, applicant_labels)
    title = "本年新收申请：申请人类型构成"
    by_type = _label_sums(long.value, long.ser, applicant_labels, "applicant_label")
    charts.append(
        ChartSpec(
            APPLICATIONS_APPLICANTS_SHARE,
            title,
            donut_of_sums(by_type, title=title),
            by_type.reset_index().rename(columns={"applicant_label": "申请人类型", "value": "申请数（件）"})
            if len(long)
            else pd.DataFrame(),
        )
    )
    title = "本年新收申请（按单位和申请人类型）"
    alt, alt_label = _share_alt_rows(applicants, title=title)
    charts.append(
        ChartSpec(
            APPLICATIONS_APPLICANTS_AGENCY,
            title,
            bar_from_rows(applicants, title=title, value_title="申请数（件）"),
            _unit_pivot(applicants, "applicant_label"),
            alt_fig=alt,
            alt_label=alt_label,
        )
    )
    s3 = agg.S3Totals(df)
    at, values, shares = agg.outcome_arrays(df, s3)
    n_categories = len(agg.OUTCOME_CATEGORIES)
    mix = _long_of([values[:, j] for j in range(n_categories)], len(at), keep_nan=True)
    share = shares.T.ravel() if len(at) else np.zeros(0)  # series-major, as the long rows
    mix = _Long(at[mix.report], mix.ser, mix.value)
    stated = ~np.isnan(share)  # the share of each outcome in its report (library.aggregate)
    units = reports.units(mix.report, by_year=True)
    category_labels = _series([lb for _, lb, _ in agg.OUTCOME_CATEGORIES])
    sums = _rows(mix.take(stated), units, mix.ser[stated], category_labels)
    title = "办理结果构成（按单位）"
    fig = bar_from_rows(
        Rows(share[stated], sums.cat, sums.cat_labels, sums.ser, sums.ser_labels, sums.grp, sums.grp_labels),
        title=title,
        value_title="占办理结果的比例",
        colors=OUTCOME_COLORS,
        series_order=list(OUTCOME_COLORS),
        percent=True,
    )
    charts.append(
        ChartSpec(
            APPLICATIONS_OUTCOMES,
            title,
            fig,
            _unit_pivot(sums, "category_label"),
            note="数据表为件数；图为各单位办理结果中各类所占比例。",
        )
    )
    carry_measures = [(r, lb) for r, lb in agg.CARRY_MEASURES if r in ("r2_carried_over", "r4_carry_forward")]
    long = _long_of([s3.total_array(r) for r, _ in carry_measures], n)
    carry = _rows(
        long, reports.units(long.report, by_year=True), long.ser, _series([lb for _, lb in carry_measures])
    )
    title = "上年结转与结转下年度的申请（按单位）"
    charts.append(
        ChartSpec(
            APPLICATIONS_CARRY,
            title,
            bar_from_rows(
                carry,
                title=title,
                value_title="申请数（件）",
                barmode="group",
                colors={"上年结转": "#4BA3C7", "结转下年度继续办理": "#E07B39"},
            ),
            _unit_pivot(carry, "measure_label"),
        )
    )
    flow = agg.application_flow(df, s3=s3)
    title = "申请办理流向：从收到申请到办理结果"
    stated_n = int(s3.total("r1_new_received").notna().sum())
    charts.append(
        ChartSpec(
            APPLICATIONS_FLOW,
            title,
            sankey(
                flow,
                title=title,
                empty_message=f"{stated_n} 份报告填报了申请表，申请数与办理结果均为 0"
                if stated_n
                else NO_DATA,
            ),
            flow.rename(columns={"source": "来源", "target": "去向", "value": "件数"}),
            note="左侧为本年新收与上年结转的申请，右侧为办理结果与结转下年度；两侧相等即符合勾稽关系。",
        )
    )
    return charts


# --------------------------------------------------------------------------- 复议诉讼


def _s4_outcome_chart(key: str, rows: Rows, title: str) -> ChartSpec:
    """Cases of 四 by outcome (维持/纠正/其他/尚未审结), one bar per agency."""
    fig = bar_from_rows(
        rows,
        title=title,
        value_title="案件数（件）",
        colors=S4_OUTCOME_COLORS,
        series_order=list(S4_OUTCOME_COLORS),
    )
    table = _pivot_codes(
        rows.cat, rows.cat_labels, "单位", rows.ser, rows.ser_labels, "outcome_label", rows.value
    )
    return ChartSpec(key, title, fig, table)


def review_charts(df: pd.DataFrame) -> list[ChartSpec]:
    """行政复议 and 行政诉讼 outcomes per agency, and cases per year."""
    pairs = [(g, gl, o, ol) for g, gl in S4_GROUPS for o, ol in S4_OUTCOMES[:-1]]
    n_outcomes = len(S4_OUTCOMES) - 1
    long = _long_of([agg._col(df, f"s4.{g}_{o}").to_numpy(dtype=float) for g, _, o, _ in pairs], len(df))
    reports = _Reports(df)
    units = reports.units(long.report, by_year=True)
    outcome_labels = _series([ol for _, _, _, ol in pairs[:n_outcomes]])
    rows = _rows(long, units, long.ser % n_outcomes, outcome_labels)
    # The first group of S4_GROUPS is 行政复议: its series come first in the series-major long rows, so
    # its rows are a prefix (views, not copies).
    split = int(np.searchsorted(long.ser, n_outcomes))
    review, litigation = np.s_[:split], np.s_[split:]
    charts = [_s4_outcome_chart(REVIEW_OUTCOMES, rows.take(review), "行政复议结果（按单位）")]
    title = "行政诉讼结果（未经复议直接起诉＋复议后起诉，按单位）"
    charts.append(_s4_outcome_chart(LITIGATION_OUTCOMES, rows.take(litigation), title))
    group_labels = _series(list(dict.fromkeys(gl.replace("行政诉讼/", "诉讼：") for _, gl, _, _ in pairs)))
    group = long.ser // n_outcomes
    title = "复议、诉讼案件数年度趋势"
    charts.append(
        ChartSpec(
            REVIEW_TREND,
            title,
            trend_from_rows(
                reports.year_value[long.report],
                long.value,
                group,
                group_labels,
                title=title,
                value_title="案件数（件）",
                year_codes=reports.sorted_years(long.report),
            ),
            _pivot_codes(
                reports.year_label_codes()[long.report],
                reports.year_labels,
                "年度",
                group,
                group_labels,
                "group_label",
                long.value,
            ),
            note="案件数为结果维持、纠正、其他结果与尚未审结之和。",
        )
    )
    return charts


# --------------------------------------------------------------------------- 数据质量


def quality_charts(failed: pd.DataFrame, unmatched: pd.DataFrame) -> list[ChartSpec]:
    """Failed checks by rule and unmatched labels by agency (from Library.failed_checks/unmatched_labels)."""
    from parsing.vocabulary import rule_name

    by_rule = (
        failed.assign(规则=failed["rule"].map(rule_name), n=1)
        if not failed.empty
        else pd.DataFrame(columns=["规则", "n"])
    )
    labels = (
        with_agency_label(unmatched.assign(n=1))
        if not unmatched.empty
        else pd.DataFrame(columns=["单位", "n"])
    )
    return [
        _count_chart(QUALITY_RULES, by_rule, "规则", "未通过的校验（按规则）", "未通过次数"),
        _count_chart(QUALITY_UNMATCHED, labels, "单位", "未识别的标签（按单位）", "标签数"),
    ]


def _count_chart(key: str, rows: pd.DataFrame, category: str, title: str, value_title: str) -> ChartSpec:
    """One bar per ``category`` counting the rows (column ``n`` = 1 each), with its table."""
    fig = bar_by_category(
        rows, category=category, value="n", series=None, title=title, value_title=value_title
    )
    data = (
        rows.groupby(category)["n"].sum().reset_index().rename(columns={"n": value_title})
        if not rows.empty
        else pd.DataFrame()
    )
    return ChartSpec(key, title, fig, data)


def quality_page_charts(lib, filters, failed=None, unmatched=None) -> list[ChartSpec]:
    """The 数据质量 charts of a library under ``filters`` (its failed checks and unmatched labels:
    ``failed`` and ``unmatched`` when the page has them already, else read here)."""
    return quality_charts(
        lib.failed_checks(filters) if failed is None else failed,
        lib.unmatched_labels(filters) if unmatched is None else unmatched,
    )

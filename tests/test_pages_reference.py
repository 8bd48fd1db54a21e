"""The analysis pages' computations, rewritten for 50,000 reports, give exactly what they gave before.

``reference_pages`` holds library.aggregate, library.filters and charts.{catalog,figures,tables,agency,
theme} as they were before the rewrite (verbatim, only the imports point at each other). Every chart
(figure JSON, its alternative view, its data table, title and note), card, table and filter result of
总览, 主动公开, 行政许可与执法, 依申请公开, 复议诉讼 and 单位档案 is compared with the reference on
synthetic libraries made messy on purpose (blank cells, unknown agency/region/year, negative and
fractional values, one region or one year only, filters and scopes) and on the real sample reports.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from reference_pages import agency as ref_agency
from reference_pages import aggregate as ref_agg
from reference_pages import catalog as ref_catalog
from reference_pages import filters as ref_filters
from reference_pages import tables as ref_tables

from charts import agency, catalog, tables
from charts.image_export import ChartSpec
from library import aggregate as agg
from library.access import Scope
from library.dataset import VALUE_COLUMNS
from library.filters import MISSING, Filters
from library.samples import load_samples
from library.store import Library
from library.synthetic import populate_bulk


def _figure(fig: go.Figure) -> Any:
    """The figure's JSON, without empty objects: the former code set ``uniformtext`` to None through
    ``update_layout`` (an empty object), a figure built in one go leaves it out; both draw the same."""
    return _without_empty(json.loads(fig.to_json()))


def _without_empty(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v != {}}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


def assert_same(new: Any, old: Any, where: str = "") -> None:
    """Equal outputs: frames (values, dtypes, order), figures (their JSON), ChartSpecs, dicts, lists."""
    if isinstance(old, pd.DataFrame):
        assert isinstance(new, pd.DataFrame), where
        pd.testing.assert_frame_equal(new, old, check_exact=True, obj=where or "DataFrame")
    elif isinstance(old, pd.Series):
        pd.testing.assert_series_equal(new, old, check_exact=True, obj=where or "Series")
    elif isinstance(old, go.Figure):
        assert isinstance(new, go.Figure), where
        assert _figure(new) == _figure(old), where
    elif isinstance(old, ChartSpec):
        assert new.key == old.key and new.title == old.title, where
        assert new.note == old.note and new.alt_label == old.alt_label, old.key
        assert_same(new.fig, old.fig, f"{old.key} fig")
        assert_same(new.data, old.data, f"{old.key} data")
        assert (new.alt_fig is None) == (old.alt_fig is None), old.key
        if old.alt_fig is not None:
            assert_same(new.alternative(), old.alt_fig, f"{old.key} alt")
    elif isinstance(old, dict):
        assert isinstance(new, dict) and list(new) == list(old), where
        for k in old:
            assert_same(new[k], old[k], f"{where}[{k}]")
    elif isinstance(old, list | tuple):
        assert len(new) == len(old), where
        for i, (a, b) in enumerate(zip(new, old, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(old, float) and np.isnan(old):
        assert isinstance(new, float) and np.isnan(new), where
    else:
        assert new == old and type(new) is type(old), f"{where}: {new!r} != {old!r}"


def _table_head(df: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, int]:
    """The former 总览 table's first ``limit`` rows and its length."""
    return ref_tables.agency_table_view(df).head(limit), len(df)


# (name, new, reference, extra arguments): every computation of the five pages and 单位档案.
def _page_functions(df: pd.DataFrame) -> list[tuple[str, Callable, Callable, tuple]]:
    named = df[df["agency"].notna()]
    picks = [(None, None)]
    if not named.empty:
        first = named.iloc[0]
        picks = [(first["agency"], None if pd.isna(first["region"]) else first["region"])]
        blank = named[named["region"].isna()]
        if not blank.empty:
            picks.append((blank.iloc[0]["agency"], None))
    out = [
        ("kpis", agg.kpis, ref_agg.kpis, ()),
        ("overview_charts", catalog.overview_charts, ref_catalog.overview_charts, ()),
        ("agency_table_view", tables.agency_table_view, ref_tables.agency_table_view, ()),
        # 总览 formats only the rows it shows: the first rows of the whole table, and its length.
        ("agency_table_rows", tables.agency_table_rows, _table_head, (50,)),
        ("agency_table_rows", tables.agency_table_rows, _table_head, (tables.AGENCY_TABLE_ROWS,)),
        ("template_counts", agg.template_counts, ref_agg.template_counts, ()),
        ("enforcement_charts", catalog.enforcement_charts, ref_catalog.enforcement_charts, ()),
        ("applications_charts", catalog.applications_charts, ref_catalog.applications_charts, ()),
        ("carry_over_consistency", agg.carry_over_consistency, ref_agg.carry_over_consistency, ()),
        ("review_charts", catalog.review_charts, ref_catalog.review_charts, ()),
        ("agency_choices", agency.agency_choices, ref_agency.agency_choices, ()),
    ]
    for item in catalog.PROACTIVE_ITEMS:
        out.append(("proactive_charts", catalog.proactive_charts, ref_catalog.proactive_charts, ((item,),)))
    out.append(("proactive_charts", catalog.proactive_charts, ref_catalog.proactive_charts, ()))
    for name, region in picks:
        args = (name, region)
        out += [
            ("agency_figures", agency.agency_figures, ref_agency.agency_figures, args),
            ("agency_report_list", agency.agency_report_list, ref_agency.agency_report_list, args),
            ("agency_charts", agency.agency_charts, ref_agency.agency_charts, args),
        ]
    return out


def assert_pages_same(df: pd.DataFrame) -> None:
    for name, new, old, args in _page_functions(df):
        assert_same(new(df.copy(), *args), old(df.copy(), *args), name)


def _messy(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The dataset with blanks, unknown metadata, negative and fractional values and a repeated agency."""
    rng = np.random.default_rng(seed)
    out = df.copy()
    n = len(out)
    values = out[VALUE_COLUMNS].to_numpy(copy=True)
    values[rng.random(values.shape) < 0.25] = np.nan  # blank cells
    rows = rng.random(n) < 0.05
    values[rows] = np.nan  # reports with no figures at all
    cells = rng.random(values.shape) < 0.01
    values[cells] = -values[cells]  # a negative figure (a misread sign)
    cells = rng.random(values.shape) < 0.02
    values[cells] = values[cells] + 0.25  # fractional (万元 amounts, misreads)
    out[VALUE_COLUMNS] = values
    for column, share in (("agency", 0.05), ("region", 0.08), ("year", 0.04), ("agency_type", 0.1)):
        blank = rng.random(n) < share
        out.loc[blank, column] = None if column != "year" else pd.NA
    # A name with markup and a name repeated in two regions.
    out.loc[out.index[:3], "agency"] = "<合成>局"
    return out


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    lib = Library(f"sqlite:///{tmp_path_factory.mktemp('pages') / 'lib.sqlite'}")
    populate_bulk(lib, 420, seed=3)
    df = lib.dataset()
    lib.close()
    return df


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    lib = Library(f"sqlite:///{tmp_path_factory.mktemp('samples') / 'lib.sqlite'}")
    load_samples(lib)
    df = lib.dataset()
    lib.close()
    return df


def test_synthetic_library(synthetic: pd.DataFrame) -> None:
    assert_pages_same(synthetic)


@pytest.mark.parametrize("seed", [1, 2])
def test_messy_library(synthetic: pd.DataFrame, seed: int) -> None:
    assert_pages_same(_messy(synthetic, seed))


def _filters(df: pd.DataFrame) -> list[dict]:
    regions = sorted(df["region"].dropna().unique())
    years = sorted(int(y) for y in df["year"].dropna().unique())
    agencies = df["agency"].dropna().unique()
    return [
        {"years": (years[-1],)},
        {"years": tuple(years[-2:])},
        {"regions": (regions[0],)},
        {"regions": (regions[0], MISSING), "years": (years[0], MISSING)},
        {"templates": ("2019",)},
        {"agency_types": (sorted(df["agency_type"].dropna().unique())[0],)},
        {"scope": Scope(regions=(regions[1],))},
        {"scope": Scope(agency=str(agencies[0])), "years": (years[-1],)},
        {"years": (1990,)},  # nothing left
    ]


@pytest.mark.parametrize("seed", [0, 1])
def test_filters_and_scopes(synthetic: pd.DataFrame, seed: int) -> None:
    df = synthetic if seed == 0 else _messy(synthetic, seed)
    for chosen in _filters(df):
        new = Filters(**chosen).apply(df)
        old = ref_filters.Filters(**chosen).apply(df)
        assert_same(new, old, str(chosen))
        assert_pages_same(new)


def test_one_region_and_one_year(synthetic: pd.DataFrame) -> None:
    region = synthetic["region"].dropna().iloc[0]
    assert_pages_same(synthetic[synthetic["region"] == region])
    assert_pages_same(synthetic[synthetic["year"] == 2021])
    assert_pages_same(synthetic.iloc[:1])
    assert_pages_same(synthetic.iloc[:0])


def test_sample_reports(samples: pd.DataFrame) -> None:
    assert len(samples) >= 5
    assert_pages_same(samples)
    for year in samples["year"].dropna().unique():
        assert_pages_same(samples[samples["year"] == year])


def test_reference_is_the_old_code() -> None:
    """The yardstick really is a separate copy (a test against itself would prove nothing)."""
    assert Path(ref_catalog.__file__).parent.name == "reference_pages"
    assert ref_catalog.agg is ref_agg and catalog.agg is agg


@pytest.mark.parametrize("k", range(1, 14))
def test_row_sums_round_as_before(k: int) -> None:
    """Row sums of k columns added in place give the bits the former stacked sum gave (fractions,
    negative zeros and blanks included): the page data are built from them."""
    rng = np.random.default_rng(k)
    n = 5000
    arrays = []
    for _ in range(k):
        v = rng.normal(size=n) * 10.0 ** rng.integers(0, 8)
        v[rng.random(n) < 0.3] = np.nan
        v[rng.random(n) < 0.05] = -0.0
        arrays.append(v)
    new, old = agg._sum_arrays(arrays, n), ref_agg._sum_arrays(arrays, n)
    assert np.array_equal(new, old, equal_nan=True)
    assert np.array_equal(np.signbit(new), np.signbit(old))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_carry_over_lookup_as_the_merge(synthetic: pd.DataFrame, seed: int) -> None:
    """The cross-year carry-over check looks the previous year's report up on codes; it gives the merge's
    rows: blank regions matched with blank ones, agencies in two regions kept apart, a key repeated
    (two reports of one agency, region and year: the merge's many-to-many rows) and filters/scopes."""
    df = synthetic if seed == 0 else _messy(synthetic, seed)
    cases = [df, df[df["region"].isna() | (df["year"] > 2020)]]
    if seed == 1:
        cases.append(pd.concat([df, df.iloc[:40]]))  # keys repeated: the merge itself
    for chosen in _filters(df):
        cases.append(Filters(**chosen).apply(df))
    for case in cases:
        assert_same(agg.carry_over_consistency(case), ref_agg.carry_over_consistency(case), "carry")


@pytest.mark.parametrize("variant", ["reversed", "first_type_blank", "shuffled"])
def test_applications_out_of_order_units(synthetic: pd.DataFrame, variant: str) -> None:
    """依申请公开 when the agencies do not come up in code order in the long rows (the tables take
    their labels and the distinct codes come from pd.unique) as well as in order (the shortcuts)."""
    df = synthetic.copy()
    if variant == "reversed":
        df = df.iloc[::-1]
    elif variant == "first_type_blank":
        # The first applicant type blank for the first half: those agencies first appear in a later series.
        column = f"s3.r1_new_received.{catalog.S3_APPLICANT_COLS[0]}"
        df.loc[df.index[: len(df) // 2], column] = np.nan
    else:
        df = df.sample(frac=1.0, random_state=5)
    for name, new, old, args in _page_functions(df):
        if name in ("applications_charts", "carry_over_consistency"):
            assert_same(new(df.copy(), *args), old(df.copy(), *args), f"{variant} {name}")


def test_label_texts_are_converted_once_per_content_and_never_reused_for_other_texts() -> None:
    """charts.catalog._str_array: labels made again with the same texts (after a write that changed
    figures only) reuse the conversion; any other text, order or a missing label is converted afresh."""
    from charts.catalog import _str_array

    def labels(texts: list) -> np.ndarray:
        out = np.empty(len(texts), dtype=object)
        out[:] = texts
        return out

    texts = [f"（合成）单位{i} 202{i % 4}年" for i in range(300)]
    first = _str_array(labels(texts))
    again = _str_array(labels([t[:] for t in texts]))
    assert again is first
    for other in (
        [*texts[:-1], "另一单位"],
        [*texts[1:], texts[0]],
        [*texts[:-1], None],
    ):
        converted = _str_array(labels(other))
        assert converted is not first
        pd.testing.assert_extension_array_equal(converted, pd.array(labels(other), dtype="str"))
    pd.testing.assert_extension_array_equal(first, pd.array(labels(texts), dtype="str"))

"""单位档案's computations, rewritten on arrays (agency_choices, agency_charts' rows), give exactly what the
former code gave (tests/reference_pages/agency.py, verbatim): on names that only the region tells apart,
labels that collide, blank and empty regions, no named agency at all, filters, scopes and after writes
(a correction, a removal, more reports)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference_pages import agency as ref_agency
from test_pages_reference import assert_same

from charts import agency
from library.access import Scope
from library.filters import MISSING, Filters
from library.store import Library
from library.synthetic import populate_bulk


def _assert_agency_page_same(df: pd.DataFrame) -> None:
    """agency_choices, then agency_figures, agency_report_list and agency_charts of every agency."""
    choices = agency.agency_choices(df.copy())
    assert_same(choices, ref_agency.agency_choices(df.copy()), "agency_choices")
    for a, r in zip(choices["agency"], choices["region"], strict=True):
        for name in ("agency_figures", "agency_report_list", "agency_charts"):
            new, old = getattr(agency, name), getattr(ref_agency, name)
            assert_same(new(df.copy(), a, r), old(df.copy(), a, r), f"{name} {a} {r}")


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):
    lib = Library(f"sqlite:///{tmp_path_factory.mktemp('agency') / 'lib.sqlite'}")
    populate_bulk(lib, 80, seed=5)
    yield lib
    lib.close()


def _odd(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Names only the region tells apart, colliding labels, blank/empty regions, blank years and values."""
    rng = np.random.default_rng(seed)
    out = df.copy()
    n = len(out)
    out.loc[out.index[0:4], "agency"] = "县教育局"  # the same name in several regions, and in none
    out.loc[out.index[0:2], "region"] = "甲区"
    out.loc[out.index[2], "region"] = None
    out.loc[out.index[3], "region"] = ""  # an empty region reads as no region in the label
    out.loc[out.index[4], ["agency", "region"]] = ["乙局（丙区）", None]  # label 乙局（丙区） twice
    out.loc[out.index[5], ["agency", "region"]] = ["乙局", "丙区"]
    out.loc[out.index[6], ["agency", "region"]] = ["乙局（丙区）", ""]
    out.loc[rng.random(n) < 0.1, "agency"] = None
    out.loc[rng.random(n) < 0.15, "region"] = None
    out.loc[rng.random(n) < 0.1, "year"] = pd.NA
    for key in ("n.applications_received", "s2.art20_5.administrative_licensing.decisions"):
        if key in out:
            out.loc[rng.random(n) < 0.3, key] = np.nan
    return out


def test_odd_names_regions_and_blanks(library: Library) -> None:
    df = library.dataset()
    _assert_agency_page_same(df)
    for seed in (1, 2):
        _assert_agency_page_same(_odd(df, seed))


def test_no_named_agency_and_empty(library: Library) -> None:
    df = library.dataset()
    nameless = df.assign(agency=pd.Series(None, index=df.index, dtype=df["agency"].dtype))
    assert agency.agency_choices(nameless).empty
    assert_same(agency.agency_choices(nameless), ref_agency.agency_choices(nameless))
    assert_same(agency.agency_choices(df.iloc[:0]), ref_agency.agency_choices(df.iloc[:0]))
    # An agency the frame does not hold (a stale choice): empty figures, no points.
    assert_same(agency.agency_charts(df, "无此单位", None), ref_agency.agency_charts(df, "无此单位", None))


def test_filters_and_scopes(library: Library) -> None:
    df = _odd(library.dataset(), 3)
    regions = sorted(df["region"].dropna().unique())
    years = sorted(int(y) for y in df["year"].dropna().unique())
    for chosen in (
        {"years": (years[-1],)},
        {"regions": (regions[0], MISSING), "years": (years[0], MISSING)},
        {"scope": Scope(regions=(regions[1],))},
        {"scope": Scope(agency="县教育局")},
        {"years": (1990,)},
    ):
        _assert_agency_page_same(Filters(**chosen).apply(df))


def test_after_writes(library: Library) -> None:
    df = library.dataset()
    first = int(df["report_id"].iloc[0])
    library.add_correction(first, "n.applications_received", 12345)
    second = int(df["report_id"].iloc[1])
    library.add_correction(second, "s2.art20_5.administrative_licensing.decisions", None)
    _assert_agency_page_same(library.dataset())
    assert library.delete(int(df["report_id"].iloc[2]))
    _assert_agency_page_same(library.dataset())
    populate_bulk(library, 95, seed=5, start=80)
    after = library.dataset()
    assert len(after) > len(df) - 1
    _assert_agency_page_same(after)

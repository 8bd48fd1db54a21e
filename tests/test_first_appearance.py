"""charts.figures.first_appearance gives pd.unique's result on every kind of code array (its fast paths
are only taken when they are exact)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from charts.figures import first_appearance


def _cases() -> list[np.ndarray]:
    rng = np.random.default_rng(13)
    factorized = pd.factorize(rng.integers(0, 500, 3000))[0].astype(np.int64)
    series_major = np.repeat(np.arange(6), 400).astype(np.int64)
    cases = [
        np.zeros(0, dtype=np.int64),
        np.array([0], dtype=np.int64),
        np.array([5], dtype=np.int64),
        factorized,  # numbered in order of first appearance: fast path
        np.tile(factorized, 3),  # the same units once per series
        series_major,  # never decreasing: fast path
        np.repeat(np.array([0, 2, 7, 9]), 5),  # never decreasing with gaps
        np.array([0, -1, 1, 2]),  # a −1 below the first code: not a new code by the running maximum
        np.array([1, 0, 2]),  # consecutive maxima, but 0 lies below the first code
        np.array([0, 2, 1, 3]),  # maxima with a gap, 1 appears later
        np.array([3, 3, 4, 5, 3, 4]),  # consecutive from 3, nothing below
        np.array([2, 3, 1, 4]),
        rng.integers(-1, 50, 5000),  # anything
        np.concatenate([factorized, [factorized.max() + 3], factorized[:10]]),
        factorized.astype(np.int32),
        factorized.astype(np.uint16),
        rng.integers(0, 40, 2000).astype(np.uint8),
        np.array([0.0, 2.0, 1.0]),  # not integers: pd.unique
    ]
    for _ in range(200):  # small random arrays hit every branch with odd shapes
        n = int(rng.integers(1, 12))
        cases.append(rng.integers(-1, 5, n))
        cases.append(np.sort(rng.integers(-1, 5, n)))
        cases.append(pd.factorize(rng.integers(0, 5, n))[0].astype(np.int64) - int(rng.integers(0, 2)))
    return cases


@pytest.mark.parametrize("codes", _cases())
def test_first_appearance_is_pd_unique(codes: np.ndarray) -> None:
    got = first_appearance(codes)
    want = pd.unique(codes)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)

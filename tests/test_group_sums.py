"""charts.figures.group_sums adds fractional values exactly as pandas' grouped sum does (bit for bit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from charts.figures import group_sums


def _pandas(values: np.ndarray, codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    keep = (codes >= 0) & ~np.isnan(values)
    sums = pd.Series(values[keep]).groupby(codes[keep], sort=False).sum()
    out = np.zeros(size)
    out[sums.index.to_numpy()] = sums.to_numpy(dtype=float)
    return out, np.bincount(codes[keep], minlength=size)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("per_group", [1, 2, 3, 7, 40, 200])
def test_fractional_sums_bit_for_bit(seed: int, per_group: int) -> None:
    rng = np.random.default_rng(seed)
    size = 997 if seed % 2 else 70_000  # 16-bit codes and wider ones
    n = min(size * per_group // 2, 400_000) + 1
    codes = rng.integers(-1, size, n)
    values = rng.normal(size=n) * 10.0 ** rng.integers(-3, 9, n)
    values[rng.random(n) < 0.1] = np.nan
    values[rng.random(n) < 0.05] = -0.0
    values[rng.random(n) < 0.05] = 0.0
    values[rng.random(n) < 0.05] = 1 / 3
    if seed % 3 == 0:
        values[rng.random(n) < 0.001] = np.inf
        values[rng.random(n) < 0.001] = -np.inf
    # Every group of negative zeros only, and shares of a whole (the 占比 charts).
    codes[: 3 * 10] = np.repeat(np.arange(10), 3)
    values[: 3 * 10] = -0.0
    if seed >= 6:
        codes = np.sort(codes)  # every group's rows together: pandas adds them another way
    new, new_counts = group_sums(values, codes, size)
    old, old_counts = _pandas(values, codes, size)
    assert np.array_equal(new_counts, old_counts)
    assert np.array_equal(new, old, equal_nan=True)
    assert np.array_equal(np.signbit(new), np.signbit(old))


def test_shares_of_a_whole() -> None:
    rng = np.random.default_rng(5)
    parts = rng.integers(0, 50, (5000, 7)).astype(float)
    shares = (parts / parts.sum(axis=1, keepdims=True)).T.ravel()  # series-major, as the long rows
    codes = np.tile(np.arange(5000), 7)
    new, _ = group_sums(shares, codes, 5000)
    old, _ = _pandas(shares, codes, 5000)
    assert np.array_equal(new, old, equal_nan=True)
    assert not np.array_equal(new, np.bincount(codes, weights=shares))  # the order of adding matters


def test_outcome_arrays_are_outcome_values() -> None:
    """The 依申请公开 outcome mix on arrays gives the frames' numbers (blanks, zeros, infinities)."""
    from library import aggregate as agg

    rng = np.random.default_rng(4)
    n = 3000
    columns = {}
    for _, _, rows in agg.OUTCOME_CATEGORIES:
        for row in rows:
            v = rng.integers(0, 30, n).astype(float)
            v[rng.random(n) < 0.4] = np.nan
            v[rng.random(n) < 0.05] = 0.25
            v[rng.random(n) < 0.002] = np.inf
            columns[f"s3.{row}.total"] = v
    df = pd.DataFrame(columns)
    df.iloc[:50] = np.nan  # reports stating no outcome
    df.iloc[50:60] = 0.0  # all zero: no shares
    has_any, values, shares = agg.outcome_values(df)
    at, v, s = agg.outcome_arrays(df)
    assert np.array_equal(at, np.flatnonzero(has_any.to_numpy()))
    assert np.array_equal(v, values.to_numpy(), equal_nan=True)
    assert np.array_equal(s, shares.to_numpy(), equal_nan=True)

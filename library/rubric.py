"""The scoring rubric as data (``rubric.toml`` beside this module), scores per report, and rankings.

An office edits ``rubric.toml`` (the format is described in its comments): points deducted per finding
code and per timeliness state, optional caps per code, and the thresholds the findings and rankings
use. :func:`score_table` turns findings into one score per report; :func:`rank_table` ranks reports
within peer groups (same year, agency type and level) and ranks rates only above a minimum number of
applications.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from library.deadlines import LATE, MISSING, ON_TIME, UNKNOWN, level_of
from library.finding import Finding
from parsing.vocabulary import FINDING_LATE, FINDING_MISSING

DATA_FILE = Path(__file__).with_name("rubric.toml")
TIMELINESS_STATES = (ON_TIME, LATE, UNKNOWN, MISSING)

# The rate ranked in the table: 予以公开 among the requests concluded (（七）总计), and its volume column.
GRANTED = "s3.r3_1_granted.total"
CONCLUDED = "s3.r3_7_total.total"
NEW_APPLICATIONS = "s3.r1_new_received.total"


@dataclass(frozen=True)
class Thresholds:
    """Limits used by the findings engine and the ranking (``[thresholds]`` of the rubric)."""

    copy_share: float = 0.3
    min_copy_chars: int = 200
    common_share: float = 0.2
    common_min_reports: int = 5
    x3_tolerance: float = 0.0
    min_applications: int = 20


@dataclass(frozen=True)
class Rubric:
    """Points per finding code and timeliness state, caps, base and floor of the score, thresholds."""

    points: dict[str, float]
    timeliness: dict[str, float]
    caps: dict[str, float] = field(default_factory=dict)
    base: float = 100.0
    floor: float = 0.0
    thresholds: Thresholds = Thresholds()

    def points_of(self, code: str) -> float:
        """Deduction of one finding of ``code`` (LATE and MISSING take their timeliness points)."""
        if code == FINDING_LATE:
            return self.timeliness.get(LATE, 0.0)
        if code == FINDING_MISSING:
            return self.timeliness.get(MISSING, 0.0)
        return self.points.get(code, 0.0)


def load_rubric(path: Path = DATA_FILE) -> Rubric:
    """Read a rubric file (format described in ``rubric.toml``); unknown timeliness states are refused."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    timeliness = {k: float(v) for k, v in data.get("timeliness", {}).items()}
    unknown = set(timeliness) - set(TIMELINESS_STATES)
    if unknown:
        raise ValueError(f"unknown timeliness state(s) in {path}: {sorted(unknown)}")
    score = data.get("score", {})
    known = Thresholds.__dataclass_fields__
    limits = {k: v for k, v in data.get("thresholds", {}).items() if k in known}
    return Rubric(
        points={k: float(v) for k, v in data.get("points", {}).items()},
        timeliness=timeliness,
        caps={k: float(v) for k, v in data.get("caps", {}).items()},
        base=float(score.get("base", 100)),
        floor=float(score.get("floor", 0)),
        thresholds=Thresholds(**limits),
    )


@cache
def default_rubric() -> Rubric:
    """The repository's ``rubric.toml`` (read once per process)."""
    return load_rubric()


def deductions(findings: Iterable[Finding], rubric: Rubric) -> dict[int, float]:
    """Report id → points deducted by its counting findings (caps applied per code)."""
    per_code: dict[tuple[int, str], float] = {}
    for f in findings:
        if f.report_id is None or not f.counts:
            continue
        per_code[(f.report_id, f.code)] = per_code.get((f.report_id, f.code), 0.0) + rubric.points_of(f.code)
    out: dict[int, float] = {}
    for (rid, code), points in per_code.items():
        cap = rubric.caps.get(code)
        out[rid] = out.get(rid, 0.0) + (min(points, cap) if cap is not None else points)
    return out


def score_table(
    dataset: pd.DataFrame,
    findings: Iterable[Finding],
    rubric: Rubric,
    timeliness: Mapping[int, str] | None = None,
    levels: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """One row per report of ``dataset``: report_id, agency, region, year, agency_type, level,
    timeliness, findings (counting), deducted, score.

    ``timeliness`` maps report id → on_time|late|unknown (default unknown); a late report's deduction
    comes through its LATE finding (so a dismissed LATE finding stops it), the other states' directly.
    """
    found = list(findings)
    counted, minus = counting(found), deductions(found, rubric)
    ids = [int(i) for i in dataset["report_id"]]
    levels = levels or {}
    return score_table_of(
        dataset,
        [counted.get(i, 0) for i in ids],
        [minus.get(i, 0.0) for i in ids],
        rubric,
        [(timeliness or {}).get(i, UNKNOWN) for i in ids],
        [levels.get(i) or level_of(a) for i, a in zip(ids, dataset["agency"].tolist(), strict=True)],
    )


def counting(findings: Iterable[Finding]) -> dict[int, int]:
    """Report id → how many of its findings count (open or confirmed)."""
    out: dict[int, int] = {}
    for f in findings:
        if f.report_id is not None and f.counts:
            out[f.report_id] = out.get(f.report_id, 0) + 1
    return out


def score_table_of(
    dataset: pd.DataFrame,
    counted: Sequence[int] | np.ndarray,
    minus: Sequence[float] | np.ndarray,
    rubric: Rubric,
    states: Sequence[str] | np.ndarray,
    levels: Sequence[str] | np.ndarray,
) -> pd.DataFrame:
    """:func:`score_table` from, per row of ``dataset``, its counting findings (:func:`counting`), the
    points they deduct (:func:`deductions`), its timeliness state and its level."""
    codes, names = pd.factorize(np.asarray(states, dtype=object))
    direct_of = np.array([0.0 if s == LATE else rubric.timeliness.get(s, 0.0) for s in names], dtype=float)
    direct = direct_of[codes] if len(names) else np.zeros(len(codes), dtype=float)
    if (codes < 0).any():  # a state that is no text (None): as rubric.timeliness.get(None, 0.0)
        direct = np.where(codes < 0, rubric.timeliness.get(None, 0.0), direct)  # type: ignore[call-overload]
    deducted = np.asarray(minus, dtype=float) + direct
    return pd.DataFrame(
        {
            "report_id": dataset["report_id"].astype(int).to_numpy(),
            "agency": _column_of(dataset["agency"]),
            "region": _column_of(dataset["region"]),
            "year": dataset["year"].to_numpy(),
            "agency_type": _column_of(dataset["agency_type"]),
            "level": _texts(levels),
            "timeliness": _texts(states),
            "findings": np.asarray(counted) if len(counted) else list(counted),
            "deducted": deducted,
            "score": np.maximum(rubric.base - deducted, rubric.floor),
        }
    )


_STR = pd.Series(["text"]).dtype  # the dtype pandas gives a column of texts (pandas 3: "str")


def _column_of(column: pd.Series) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """``column.to_numpy()`` as a new frame would hold it: a text column as it is (converting it to
    Python objects and back costs ~10 ms per 50,000 rows), any other through ``to_numpy``."""
    return column.array if column.dtype == _STR else column.to_numpy()


def _texts(values: Sequence[Any] | np.ndarray) -> Any:
    """``list(values)`` as a new frame would hold it: a few distinct texts (levels, timeliness states)
    converted once each and repeated, instead of one conversion per row."""
    if not len(values):
        return list(values)
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    sample = list(uniques) + ([None] if (codes < 0).any() else [])
    if pd.Series(sample).dtype != _STR:  # not all texts: as pandas infers the whole list
        return list(values)
    return pd.array(list(uniques), dtype=_STR).take(codes, allow_fill=True)  # type: ignore[arg-type]


def rank_table(scores: pd.DataFrame, dataset: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Scores ranked within peer groups (year, agency type, level), with the 予以公开 rate.

    Adds: peers (size of the group), rank (1 = best score; ties share a rank), applications (本年新收),
    granted_rate (予以公开 ÷ 办理结果总计), rate_rank (only among the group's reports with at least
    ``rubric.thresholds.min_applications`` applications; NaN for the others). Sorted by group, rank.
    """
    out = scores.copy(deep=False)
    ids = out["report_id"].to_numpy()
    if np.array_equal(ids, dataset["report_id"].to_numpy()):  # score_table's rows: the dataset's own
        out["applications"] = dataset[NEW_APPLICATIONS].to_numpy()
        concluded = dataset[CONCLUDED].to_numpy()
        granted = dataset[GRANTED].to_numpy()
    else:
        cols = dataset.set_index("report_id")[[NEW_APPLICATIONS, CONCLUDED, GRANTED]]
        out["applications"] = cols[NEW_APPLICATIONS].reindex(ids).to_numpy()
        concluded = cols[CONCLUDED].reindex(ids).to_numpy()
        granted = cols[GRANTED].reindex(ids).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["granted_rate"] = np.where(concluded > 0, granted / concluded, np.nan)
    # The group of a row is named by the text of its (year, type, level) tuple (blanks as ""): the
    # text is built once per distinct tuple, from the tuple's first row; rows whose texts are equal
    # are one group. Groups sort by that text within a year.
    n = len(out)
    combined = np.zeros(n, dtype=np.int64)
    for name in ("year", "agency_type", "level"):
        part_codes, part_uniques = pd.factorize(out[name])
        combined = combined * (len(part_uniques) + 1) + (part_codes + 1)
    _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    heads = out.iloc[first]
    texts = [
        str(t)
        for t in zip(
            heads["year"].astype("object").tolist(),
            heads["agency_type"].fillna("").tolist(),
            heads["level"].fillna("").tolist(),
            strict=True,
        )
    ]
    text_id: dict[str, int] = {}
    group_of = np.array([text_id.setdefault(t, len(text_id)) for t in texts], dtype=np.int64)
    group_of = group_of[inverse.reshape(-1)] if n else np.zeros(0, dtype=np.int64)
    named = sorted(text_id)
    text_place = np.empty(len(named), dtype=np.int64)
    for place, t in enumerate(named):
        text_place[text_id[t]] = place
    out["peers"] = np.bincount(group_of)[group_of] if n else np.zeros(0, dtype=np.int64)
    rank = _rank_within(out["score"].to_numpy(dtype=float, na_value=np.nan), group_of)
    out["rank"] = rank
    applications = out["applications"].to_numpy(dtype=float, na_value=np.nan)
    rate = out["granted_rate"].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        eligible = (applications >= rubric.thresholds.min_applications) & ~np.isnan(rate)
    out["rate_rank"] = _rank_within(np.where(eligible, rate, np.nan), group_of)
    # Newest year first, then the group's text, rank and agency (blanks last; ties keep their order).
    year = out["year"].to_numpy(dtype=float, na_value=np.nan)
    big = np.iinfo(np.int64).max
    year_key = np.where(np.isnan(year), np.inf, -year)
    rank_key = np.where(rank.isna(), big, rank.to_numpy(dtype=np.int64, na_value=0))
    agency_codes, _ = pd.factorize(out["agency"], sort=True)
    agency_key = np.where(agency_codes < 0, big, agency_codes)
    order = np.lexsort((agency_key, rank_key, text_place[group_of], year_key))
    return out.take(order).reset_index(drop=True)


def _rank_within(values: np.ndarray, groups: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``Series(values).groupby(groups).rank(method="min", ascending=False).astype("Int64")``: 1 for
    the largest value of each group, ties sharing the lowest rank, NaN left without a rank."""
    n = len(values)
    ranks = np.zeros(n, dtype=np.int64)
    valid = ~np.isnan(values)
    at = np.flatnonzero(valid)
    if len(at):
        v, g = values[at], groups[at]
        order = np.lexsort((-v, g))
        sv, sg = v[order], g[order]
        new_group = np.r_[True, sg[1:] != sg[:-1]]
        new_value = new_group | np.r_[True, sv[1:] != sv[:-1]]
        pos = np.arange(len(order))
        group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
        value_start = np.maximum.accumulate(np.where(new_value, pos, 0))
        ranks[at[order]] = value_start - group_start + 1
    return pd.arrays.IntegerArray(ranks, ~valid)

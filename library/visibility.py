"""Which reports and roster entries an account's :class:`~library.access.Scope` lets through (pure).

A report is visible when its region is one of the scope's regions (empty = every region) and, for a
填报单位 account, its agency is the scope's agency. Names are compared the way the roster linker
compares them (:mod:`library.roster_link`): normalised, with or without the region in front
(``淮安市洪泽区财政局`` = ``洪泽区财政局`` = ``区财政局`` of 洪泽区), and only within the scope's regions.
A report without a region is never visible to a scope with regions: a wrong "yes" leaks another
county's report, a wrong "no" only hides one that the reviewer can give a region.

``None`` as a scope (a session nobody signed in to) lets nothing through.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from library.access import Scope
from library.roster_link import normalize_name, placed_name

# The level character a region name ends with: "淮安市" + "洪泽区" is 洪泽区 with its city in front.
_LEVEL_CHARS = "省市县区旗州盟"


def same_place(a: str | None, b: str | None) -> bool:
    """True when two region names are one place: equal once normalised, or one is the other with
    higher regions in front (``淮安市洪泽区`` and ``洪泽区``; not ``城南区`` and ``南区``)."""
    na, nb = normalize_name(a), normalize_name(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    short, long = sorted((na, nb), key=len)
    return len(short) >= 2 and long.endswith(short) and long[: -len(short)][-1] in _LEVEL_CHARS


def region_visible(region: object, scope: Scope | None) -> bool:
    """Does ``scope`` let through a report (or roster entry) of ``region``?"""
    if scope is None:
        return False
    if not scope.regions:
        return True
    return isinstance(region, str) and any(same_place(region, r) for r in scope.regions)


def same_agency(wanted: str, agency: object, region: object, scope: Scope) -> bool:
    """Is ``agency`` (of a report in ``region``) the scope's agency ``wanted``? Equal normalised
    names, or the same name within the same place once the region in front is set aside."""
    name = agency if isinstance(agency, str) else None
    where_report = region if isinstance(region, str) else None
    a, b = normalize_name(wanted), normalize_name(name)
    if not a or not b:
        return False
    if a == b:
        return True
    # A short name of the scope ("财政局") stands for the report's region only when the scope has
    # regions (the report's region is then one of them); without, only a name stating its region counts.
    home_a, rest_a = placed_name(wanted, where_report if scope.regions else None)
    home_b, rest_b = placed_name(name, where_report)
    return bool(rest_a) and rest_a == rest_b and same_place(home_a, home_b)


def report_visible(agency: object, region: object, scope: Scope | None) -> bool:
    """Does ``scope`` let through a report of ``agency`` in ``region``?"""
    if not region_visible(region, scope):
        return False
    assert scope is not None  # region_visible refuses None
    return scope.agency is None or same_agency(scope.agency, agency, region, scope)


def visible_mask(df: pd.DataFrame, scope: Scope | None) -> np.ndarray:
    """Boolean mask of the rows of ``df`` (columns agency, region) that ``scope`` lets through; each
    distinct (agency, region) pair is judged once."""
    if scope is not None and scope.unrestricted:
        return np.ones(len(df), dtype=bool)
    memo: dict[tuple[object, object], bool] = {}
    out = np.zeros(len(df), dtype=bool)
    for i, (agency, region) in enumerate(zip(df["agency"].tolist(), df["region"].tolist(), strict=True)):
        # NaN and None (a blank read back through pandas) are one key: "not known".
        key = (agency if isinstance(agency, str) else None, region if isinstance(region, str) else None)
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = report_visible(key[0], key[1], scope)
        out[i] = hit
    return out


def visible_pairs(
    pairs: Iterable[tuple[str | None, str | None]], scope: Scope | None
) -> list[tuple[str | None, str | None]]:
    """The (agency, region) pairs ``scope`` lets through (for a SQL condition on the stored values)."""
    return [(a, r) for a, r in dict.fromkeys(pairs) if report_visible(a, r, scope)]


def entry_visible(name: str, region: str | None, scope: Scope | None) -> bool:
    """Does ``scope`` let through a roster entry (its region as given, else the one its name states)?"""
    home = region or placed_name(name, None)[0]
    return report_visible(name, home, scope)


def describe_scope(scope: Scope | None) -> str:
    """The scope in Chinese: "全部地区", "洪泽区、金湖县", "洪泽区 洪泽区财政局", "无"."""
    if scope is None:
        return "无（未登录）"
    where = "、".join(scope.regions) or "全部地区"
    return f"{where} {scope.agency}" if scope.agency else where

"""The findings engine (``library.findings``, computed elsewhere) reached lazily, for the command line and
the agency page: they work, and say so in Chinese, while the engine is not installed.

The agreed entry point is ``library.findings.findings_of(lib, filters) -> list[Finding]``.
"""

from __future__ import annotations

import bisect
import importlib
from collections.abc import Callable
from typing import Any

from library.filters import Filters
from library.finding import Finding

ENGINE_MODULE = "library.findings"
ENGINE_FUNCTION = "findings_with_roster"  # findings_of plus what the roster knows
UNAVAILABLE_ZH = "审核意见模块（library.findings）尚未安装，暂时无法计算审核意见。"

FindingsFn = Callable[[Any, Filters], list[Finding]]


def findings_engine() -> FindingsFn | None:
    """``library.findings.findings_of``, or None when that module (or the function) does not exist."""
    try:
        module = importlib.import_module(ENGINE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != ENGINE_MODULE:  # the engine exists but one of ITS imports is missing: a real bug
            raise
        return None
    return getattr(module, ENGINE_FUNCTION, None)


def load_findings(lib: Any, filters: Filters | None = None) -> list[Finding] | None:
    """The findings of the reports that pass ``filters``; None when the engine is not available."""
    engine = findings_engine()
    return None if engine is None else list(engine(lib, filters or Filters()))


def agency_findings(
    lib: Any, filters: Filters, agency: str, region: str | None = None
) -> list[Finding] | None:
    """The findings about ``agency`` in ``region`` (two 区财政局 are two agencies) among the filtered
    reports; None without the engine. The signature fits ``components.state.from_library``."""
    engine = findings_engine()
    if engine is None:
        return None
    found = list(engine(lib, filters or Filters()))
    if engine is not _own_engine():  # another engine's list may be in any order
        return [f for f in found if f.agency == agency and f.region == region]
    return agency_blocks(found, agency, region)


def _own_engine() -> FindingsFn | None:
    """The engine's own function (what findings_engine returns unless a test replaces it)."""
    return getattr(importlib.import_module(ENGINE_MODULE), ENGINE_FUNCTION, None)


def agency_blocks(found: list[Finding], agency: str, region: str | None) -> list[Finding]:
    """``[f for f in found if f.agency == agency and f.region == region]`` for findings in the engine's
    order (newest year first, then agency): per year, the agency's block is found by bisection."""
    out: list[Finding] = []
    i = 0
    while i < len(found):
        year = -(found[i].year or 0)
        lo = bisect.bisect_left(found, (year, agency), lo=i, key=_year_agency)
        hi = bisect.bisect_right(found, (year, agency), lo=lo, key=_year_agency)
        out += [f for f in found[lo:hi] if f.agency == agency and f.region == region]
        i = bisect.bisect_left(found, (year + 1,), lo=hi, key=_year_agency)
    return out


def _year_agency(f: Finding) -> tuple:
    return (-(f.year or 0), f.agency or "")


def notice_counts(lib: Any, filters: Filters | None = None) -> dict[int, int]:
    """Year → how many agencies have findings that still count (one 整改通知单 each); for
    ``components.state.from_library``, so a page does not walk every finding on each rerun."""
    from library.documents.notice import notice_keys

    engine = findings_engine()
    if engine is not None and engine is _own_engine():  # the counts the engine keeps per report
        return importlib.import_module(ENGINE_MODULE).notice_counts_with_roster(lib, filters or Filters())
    counts: dict[int, int] = {}
    for _, _, year in notice_keys(load_findings(lib, filters) or []):
        counts[year] = counts.get(year, 0) + 1
    return counts

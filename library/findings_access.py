"""The findings engine (``library.findings``, computed elsewhere) reached lazily, for the command line and
the agency page: they work, and say so in Chinese, while the engine is not installed.

The agreed entry point is ``library.findings.findings_of(lib, filters) -> list[Finding]``.
"""

from __future__ import annotations

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
    found = load_findings(lib, filters)
    return None if found is None else [f for f in found if f.agency == agency and f.region == region]


def notice_counts(lib: Any, filters: Filters | None = None) -> dict[int, int]:
    """Year → how many agencies have findings that still count (one 整改通知单 each); for
    ``components.state.from_library``, so a page does not walk every finding on each rerun."""
    from library.documents.notice import notice_keys

    counts: dict[int, int] = {}
    for _, _, year in notice_keys(load_findings(lib, filters) or []):
        counts[year] = counts.get(year, 0) + 1
    return counts

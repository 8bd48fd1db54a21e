"""The sidebar filters shared by every page, and how they apply to a report table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from library.access import ALL, Scope
from library.visibility import describe_scope, visible_mask
from parsing.vocabulary import AGENCY_TYPE_HEADER, MISSING, template_name

__all__ = ["FILTER_COLUMNS", "MISSING", "Filters", "describe_filters", "filter_options_of"]

# Each filter and the dataset column it selects on.
FILTER_COLUMNS = {
    "regions": "region",
    "years": "year",
    "agency_types": "agency_type",
    "templates": "template",
}


def _tuple(values: Iterable | None) -> tuple:
    if values is None:
        return ()
    if isinstance(values, str | int):
        return (values,)
    return tuple(values)


@dataclass(frozen=True)
class Filters:
    """Region, year, agency type and template filters; an empty field means "all".

    Hashable, so it can key a cache. ``MISSING`` in a field selects the reports where that field is empty.
    ``scope`` is the signed-in account's :class:`~library.access.Scope` (``ALL``: every report; ``None``:
    nobody signed in, no report): the filters choose within it and can never widen it, and every cache
    keyed by the filters is kept apart per scope.
    """

    regions: tuple[str, ...] = ()
    years: tuple[int | str, ...] = ()
    agency_types: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    scope: Scope | None = ALL

    def __post_init__(self) -> None:
        # Accept lists (what st.multiselect returns) but keep the object hashable.
        for name in ("regions", "years", "agency_types", "templates"):
            object.__setattr__(self, name, _tuple(getattr(self, name)))

    @property
    def is_empty(self) -> bool:
        """True when the reader chose no filter (the scope is not a choice: see :attr:`selects_all`)."""
        return not (self.regions or self.years or self.agency_types or self.templates)

    @property
    def unrestricted(self) -> bool:
        """True when the scope lets every report through."""
        return self.scope is not None and self.scope.unrestricted

    @property
    def selects_all(self) -> bool:
        """True when every report passes: no filter chosen and an unrestricted scope."""
        return self.is_empty and self.unrestricted

    def apply(self, df: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``df`` (with columns region, year, agency_type, template; and agency when the
        scope is restricted) that pass the filters and the scope."""
        if self.selects_all or df.empty:
            return df
        mask = pd.Series(True, index=df.index)
        if not self.unrestricted:
            mask &= visible_mask(df, self.scope)
        for column, wanted in (
            ("region", self.regions),
            ("year", self.years),
            ("agency_type", self.agency_types),
            ("template", self.templates),
        ):
            if not wanted:
                continue
            values = [w for w in wanted if w != MISSING]
            if column == "year":
                values = [int(v) for v in values]
            col = df[column]
            hit = col.isin(values)
            if MISSING in wanted:
                hit |= col.isna()
            mask &= hit
        return df[mask]


def describe_filters(filters: Filters) -> str:
    """One line such as "地区：施秉县；年度：2020、2021" ("全部报告" when nothing is filtered); a restricted
    scope comes first ("可见范围：洪泽区；…")."""
    parts = [] if filters.unrestricted else [f"可见范围：{describe_scope(filters.scope)}"]
    for title, values, fmt in (
        ("地区", filters.regions, str),
        ("年度", filters.years, str),
        (AGENCY_TYPE_HEADER, filters.agency_types, str),
        ("格式版本", filters.templates, lambda code: template_name(str(code))),
    ):
        if values:
            parts.append(f"{title}：" + "、".join(fmt(v) for v in values))
    return "；".join(parts) or "全部报告"


def filter_options_of(df: pd.DataFrame) -> dict[str, list]:
    """The choices of each filter in a dataset: regions, years (newest first), agency_types, templates;
    ``MISSING`` last where some report lacks that field."""
    out: dict[str, list] = {}
    for name, column in FILTER_COLUMNS.items():
        values = df[column]
        present = values.dropna().unique().tolist()
        if name == "years":
            present = sorted((int(v) for v in present), reverse=True)
        else:
            present = sorted(str(v) for v in present)
        out[name] = present + ([MISSING] if values.isna().any() else [])
    return out

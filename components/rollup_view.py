"""Widgets of the 汇总表 page: a table of the roll-up in the official layout (merged headers), cached
computations keyed by the library's revision and the session's scope."""

from __future__ import annotations

import streamlit as st

from library.filters import Filters
from library.rollup import RollUp, busiest_region, known_regions, known_years, rollup
from library.rollup_export import grid, grid_html


def show_table(result: RollUp, section: str) -> None:
    """Table 二, 三 or 四 as the template draws it (an HTML table with its merged cells)."""
    st.html(grid_html(grid(result, section)))


def rollup_of(lib, filters: Filters, region: str, year: int) -> RollUp:
    """The roll-up within the session's scope (for ``components.state.from_library``)."""
    return rollup(lib, region, year, scope=filters.scope)


def regions_of(lib, filters: Filters) -> list[str]:
    """The regions (within the scope) a roll-up can be made for."""
    return known_regions(lib, filters.scope)


def years_of(lib, filters: Filters, region: str) -> list[int]:
    """The years a roll-up of ``region`` can be made for, newest first."""
    return known_years(lib, region, filters.scope)


def default_region_of(lib, filters: Filters, regions: list[str]) -> str | None:
    """The region the page opens on: the most reports in the latest year (library.rollup)."""
    return busiest_region(lib, regions)

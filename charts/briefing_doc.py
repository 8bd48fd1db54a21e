"""The 通报 (Word) with its charts: the main charts of the year as PNG images, then
:func:`library.documents.briefing.briefing_docx` (the library cannot draw charts; this layer can)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from charts import catalog
from charts.image_export import ChartSpec, export_caption, figure_image
from library.documents.briefing import BriefingInput, briefing_docx

# The charts a briefing carries, in this order (keys of charts/catalog.py).
BRIEFING_CHARTS = (
    catalog.OVERVIEW_APPLICATIONS,
    catalog.APPLICATIONS_OUTCOMES,
    catalog.ENFORCEMENT_DECISIONS_AGENCY,
)


def briefing_year(df: pd.DataFrame, chosen: tuple = ()) -> int | None:
    """The year a briefing is about: the latest chosen year, else the latest year of the dataset."""
    years = [int(y) for y in chosen if str(y).isdigit()] or [int(y) for y in df["year"].dropna().unique()]
    return max(years) if years else None


def briefing_charts(df: pd.DataFrame, year: int) -> list[ChartSpec]:
    """:data:`BRIEFING_CHARTS` drawn over the reports of ``year`` and the year before."""
    part = df[df["year"].isin([year - 1, year])]
    built = [
        *catalog.overview_charts(part),
        *catalog.applications_charts(part),
        *catalog.enforcement_charts(part),
    ]
    by_key = {chart.key: chart for chart in built}
    return [by_key[key] for key in BRIEFING_CHARTS if key in by_key]


def briefing_document(df: pd.DataFrame, year: int, extra: BriefingInput) -> bytes:
    """The 通报 of ``year`` with :data:`BRIEFING_CHARTS` as images (``extra.charts`` is replaced)."""
    caption = export_caption(extra.scope)
    images = [(c.title, figure_image(c.fig, "png", caption=caption)) for c in briefing_charts(df, year)]
    return briefing_docx(df, year, replace(extra, charts=images))

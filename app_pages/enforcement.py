"""行政许可与执法: licensing, penalty and coercion decisions and fees by agency, with trends."""

from __future__ import annotations

from charts import catalog
from components.page_frame import analysis_page, show_charts
from components.state import from_dataset

n_reports = analysis_page(
    "行政许可与执法",
    "第二十条第（五）（六）（八）项：行政许可、行政处罚、行政强制的处理决定数量，以及行政事业性收费。",
)
if n_reports:
    show_charts(from_dataset(catalog.enforcement_charts))

"""复议诉讼: administrative review and litigation outcomes by agency."""

from __future__ import annotations

from charts import catalog
from components.page_frame import analysis_page, show_charts
from components.state import from_dataset

n_reports = analysis_page("复议诉讼", "第四部分：因政府信息公开工作被申请行政复议、提起行政诉讼的情况。")
if n_reports:
    show_charts(from_dataset(catalog.review_charts))

"""主动公开: 规章 and 规范性文件 by agency and year, the 2019 and 2021 measures shown apart."""

from __future__ import annotations

import streamlit as st

from charts import catalog
from components.page_frame import analysis_page, show_charts
from components.state import from_dataset
from library import aggregate as agg

n_reports = analysis_page("主动公开", "第二十条第（一）项：规章和规范性文件的制发与公开情况。")
if n_reports:
    st.info(catalog.VERSION_NOTE, icon=":material/info:")
    item = (
        st.segmented_control(
            "事项",
            list(catalog.PROACTIVE_ITEMS),
            format_func={"normative_documents": "规范性文件", "regulations": "规章"}.get,
            default="normative_documents",
            key="proactive_item",
        )
        or "normative_documents"
    )
    charts = {c.key: c for c in from_dataset(catalog.proactive_charts, (item,))}
    per_template = from_dataset(agg.template_counts)
    show_charts([charts[catalog.PROACTIVE_ITEMS_PROSE]])
    for version, caption in (
        ("2019", "2019 版格式（一般为 2019、2020 年度报告）：本年新制作数量、本年新公开数量、对外公开总数量"),
        ("2021", "2021 版格式（2021 年度起）：本年制发件数、本年废止件数、现行有效件数"),
    ):
        st.subheader(f"{version} 版格式")
        st.caption(caption)
        if not per_template.get(version):
            st.caption(f"当前筛选条件下没有 {version} 版格式的报告。")
            continue
        show_charts(
            [
                charts[catalog.proactive_key(item, version, "agency")],
                charts[catalog.proactive_key(item, version, "trend")],
            ]
        )

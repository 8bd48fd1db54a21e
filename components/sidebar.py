"""The sidebar: filters shared by every page (held in st.session_state and in the address) and the 简报包."""

from __future__ import annotations

from datetime import date

import streamlit as st

from components.auth import can
from components.documents import briefing_button
from components.state import (
    FILTER_KEYS,
    current_filters,
    filter_options,
    filters_from_url,
    filters_to_url,
    get_library,
    image_server,
    library_has_reports,
    library_is_empty,
)
from library.access import Action
from library.filters import describe_filters
from parsing.vocabulary import template_name

_TITLES = {"regions": "地区", "years": "年度", "agency_types": "机关类型", "templates": "格式版本"}


def _filter_widget(name: str, options: list) -> None:
    key = FILTER_KEYS[name]
    # A value can vanish from the options (its last report deleted); a stale value would make the
    # widget raise, so keep only what is still offered.
    if key in st.session_state:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
    st.multiselect(
        _TITLES[name],
        options,
        key=key,
        placeholder="全部",
        format_func=template_name if name == "templates" else str,
    )


def _clear_filters() -> None:
    # A button callback runs before the next run draws the widgets, the only moment their state may be
    # set (setting it after the multiselects were drawn raised StreamlitWidgetAlreadyInstantiatedError).
    for key in FILTER_KEYS.values():
        st.session_state[key] = []


def render_sidebar() -> None:
    """Draw the filters and the 简报包 button; called by app.py on every run, whatever the page."""
    filters_from_url()
    options = filter_options()
    with st.sidebar:
        st.markdown("**筛选条件**（各页通用，不选即全部）")
        for name in FILTER_KEYS:
            _filter_widget(name, options.get(name, []))
        filters = current_filters()
        filters_to_url()
        if not filters.is_empty:
            st.button("清除筛选", key="clear_filters", width="stretch", on_click=_clear_filters)
        st.divider()
        _briefing_button(filters)


def _briefing_button(filters) -> None:
    # Imported here: the registry pulls in every chart builder, needed only when the pack is built.
    from charts.image_export import briefing_zip
    from page_registry import briefing_builders

    st.markdown("**简报包**")
    if library_is_empty():
        where = "您可查看的范围内没有报告" if library_has_reports() else "报告库为空"
        st.caption(f"{where}，暂无可打包的图表。")
        return
    st.caption("当前筛选条件下的全部图表（PNG 与 PDF）及其数据（Excel），打包为 ZIP，约需 10–30 秒生成。")
    lib = get_library()
    image_server()
    description = describe_filters(filters)

    def build() -> bytes:
        # Runs on a worker thread when the button is clicked; no Streamlit calls in here.
        dataset = lib.dataset(filters)
        charts = [chart for build in briefing_builders() for chart in build(dataset)]
        return briefing_zip(charts, filters_text=description, dataset=dataset)

    st.download_button(
        "下载简报包（ZIP）",
        data=build,
        file_name=f"公开年报简报包_{date.today():%Y%m%d}.zip",
        mime="application/zip",
        key="briefing_pack",
        on_click="ignore",
        icon=":material/folder_zip:",
        width="stretch",
    )
    if can(Action.SEND_NOTICES):  # the 通报 goes out to the agencies
        briefing_button(filters)

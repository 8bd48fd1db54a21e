"""公开年报看板 — entry point and router (`streamlit run app.py`).

The pages live in app_pages/ and are registered here with st.navigation (so Streamlit does not auto-load
the folder). The sidebar filters are drawn here, on every run, so their values hold across pages; they are
also kept in the address (components/state.py), so a copied link reproduces the view.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components.sidebar import render_sidebar
from components.state import current_filters, filter_query
from components.ui_text import install_ui_text

st.set_page_config(page_title="公开年报看板", page_icon=":material/monitoring:", layout="wide")

OVERVIEW = st.Page("app_pages/overview.py", title="总览", icon=":material/dashboard:", url_path="overview")


def _home() -> None:
    # Streamlit serves its default page at "/" only, never at its own url_path: with 总览 as the default,
    # /overview answered "Page not found". The default is therefore this hidden page, which forwards to
    # /overview with the filters, so every page, 总览 included, has an address that works. An unknown
    # address also lands here (after Streamlit's notice, translated by components/ui_text.py): 总览 then
    # says in Chinese which address does not exist.
    unknown = _requested_address()
    if unknown:
        st.session_state["flash"] = ("warning", f"没有地址为“/{unknown}”的页面，已为您打开总览。")
    st.switch_page(OVERVIEW, query_params=filter_query(current_filters()))


def _requested_address() -> str:
    """The page address the browser asked for when it is not one of ours ("" for the root and our pages)."""
    ctx = get_script_run_ctx()
    name = (ctx.pages_manager.intended_page_name or "") if ctx else ""
    return name


pages = {
    "": [st.Page(_home, title="首页", url_path="home", default=True, visibility="hidden")],
    "报告": [
        st.Page("app_pages/upload.py", title="上传报告", icon=":material/upload_file:", url_path="upload"),
        st.Page("app_pages/report_library.py", title="报告库", icon=":material/folder_open:", url_path="library"),
    ],
    "分析": [
        OVERVIEW,
        st.Page("app_pages/proactive.py", title="主动公开", icon=":material/campaign:", url_path="proactive"),
        st.Page("app_pages/enforcement.py", title="行政许可与执法", icon=":material/gavel:", url_path="enforcement"),
        st.Page("app_pages/applications.py", title="依申请公开", icon=":material/mark_email_read:", url_path="applications"),
        st.Page("app_pages/review.py", title="复议诉讼", icon=":material/balance:", url_path="review"),
    ],
    "核查": [
        st.Page("app_pages/quality.py", title="数据质量", icon=":material/fact_check:", url_path="quality"),
    ],
}
page = st.navigation(pages)
render_sidebar()
install_ui_text()  # Chinese for Streamlit's built-in English (no locale setting exists)
page.run()

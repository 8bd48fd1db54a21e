"""公开年报看板 — entry point and router (`streamlit run app.py`).

The pages are listed once, in page_registry.py; this router builds st.navigation from that list (the
screens live in app_pages/, a folder Streamlit does not auto-load: see the README). The sidebar filters
are drawn here, on every run, so their values hold across pages; they are also kept in the address
(components/state.py), so a copied link reproduces the view. An error in a page is shown in Chinese
with an id that is also in the server log (components/errors.py); tracebacks never reach the browser.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components.errors import report_errors
from components.sidebar import render_sidebar
from components.state import current_filters, filter_query
from components.ui_text import install_ui_text
from page_registry import GROUPS, HOME, PAGES

st.set_page_config(page_title="公开年报看板", page_icon=":material/monitoring:", layout="wide")

SCREENS = {
    spec.url_path: st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path)
    for spec in PAGES
}


def _home() -> None:
    # Streamlit serves its default page at "/" only, never at its own url_path: with 总览 as the default,
    # /overview answered "Page not found". The default is therefore this hidden page, which forwards to
    # /overview with the filters, so every page, 总览 included, has an address that works. An unknown
    # address also lands here (after Streamlit's notice, translated by components/ui_text.py): 总览 then
    # says in Chinese which address does not exist.
    unknown = _requested_address()
    if unknown:
        st.session_state["flash"] = ("warning", f"没有地址为“/{unknown}”的页面，已为您打开总览。")
    st.switch_page(SCREENS[HOME], query_params=filter_query(current_filters()))


def _requested_address() -> str:
    """The page address the browser asked for when it is not one of ours ("" for the root and our pages)."""
    ctx = get_script_run_ctx()
    name = (ctx.pages_manager.intended_page_name or "") if ctx else ""
    return name


pages = {
    "": [st.Page(_home, title="首页", url_path="home", default=True, visibility="hidden")],
    **{group: [SCREENS[spec.url_path] for spec in PAGES if spec.group == group] for group in GROUPS},
}
page = st.navigation(pages)
with report_errors("侧边栏"):
    render_sidebar()
install_ui_text()  # Chinese for Streamlit's built-in English (no locale setting exists)
with report_errors():
    page.run()

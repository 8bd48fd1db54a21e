"""公开年报看板 — entry point and router (`streamlit run app.py`).

The pages are listed once, in page_registry.py; this router builds st.navigation from that list (the
screens live in app_pages/, a folder Streamlit does not auto-load: see the README). The sidebar filters
are drawn here, on every run, so their values hold across pages; they are also kept in the address
(components/state.py), so a copied link reproduces the view. An error in a page is shown in Chinese
with an id that is also in the server log (components/errors.py); tracebacks never reach the browser.

Nothing is drawn before sign-in (components/auth.py); the sidebar lists, and the router opens, only the
pages whose ``action`` (page_registry.py) the signed-in account may do.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components.auth import account_box, signed_in_account
from components.errors import report_errors
from components.sidebar import render_sidebar
from components.state import current_filters, filter_query
from components.ui_text import install_ui_text
from library.access import Account
from page_registry import GROUPS, HOME, PAGES, PageSpec
from parsing.vocabulary import ROLE_NAMES

st.set_page_config(page_title="公开年报看板", page_icon=":material/monitoring:", layout="wide")
account = signed_in_account()  # draws only the sign-in form, and stops the run, until signed in

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


def _forbidden(spec: PageSpec, account: Account):
    """The stand-in of a page this account may not open: its address lands on 总览 with a notice."""

    def screen() -> None:
        role = ROLE_NAMES[account.role.value]
        st.session_state["flash"] = ("warning", f"您的账户（{role}）无权打开“{spec.title}”，已为您打开总览。")
        st.switch_page(SCREENS[HOME], query_params=filter_query(current_filters()))

    return screen


allowed = [spec for spec in PAGES if account.can(spec.action)]
hidden = [
    st.Page(_forbidden(spec, account), title=spec.title, url_path=spec.url_path, visibility="hidden")
    for spec in PAGES
    if not account.can(spec.action)
]
pages = {
    "": [st.Page(_home, title="首页", url_path="home", default=True, visibility="hidden"), *hidden],
    **{
        group: [SCREENS[spec.url_path] for spec in allowed if spec.group == group]
        for group in GROUPS
        if any(spec.group == group for spec in allowed)
    },
}
# Every page listed (Streamlit folds all but the first ten behind "show more" otherwise: 审核意见 and
# 单位档案 would be hidden from a supervisor).
page = st.navigation(pages, expanded=True)
account_box(account)
with report_errors("侧边栏"):
    render_sidebar()
install_ui_text()  # Chinese for Streamlit's built-in English (no locale setting exists)
with report_errors():
    page.run()

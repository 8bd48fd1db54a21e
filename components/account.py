"""The signed-in account of this browser session (set by the sign-in of components/auth.py)."""

from __future__ import annotations

import streamlit as st

from library.access import Account

ACCOUNT_KEY = "account"  # st.session_state key holding the signed-in library.access.Account


def current_account() -> Account | None:
    """The account signed in to this session, or None before sign-in."""
    account = st.session_state.get(ACCOUNT_KEY)
    return account if isinstance(account, Account) else None

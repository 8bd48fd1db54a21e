"""Who is acting in this session, for the library's records (audit trail, corrections, decisions).

The signed-in account's label (:attr:`library.access.Account.label`) when there is one; before sign-in
exists, the name the reviewer typed on a page (审核人 on 名录 / 发布情况 / 审核意见), else None.
"""

from __future__ import annotations

import streamlit as st

from components.account import current_account

# Session keys where the pages keep a typed reviewer name (app_pages/roster.py, findings.py).
TYPED_KEYS = ("reviewer_name", "fd_who")


def who(typed: str | None = None) -> str | None:
    """The name written into records: the account's label, else ``typed``, else a name typed earlier."""
    account = current_account()
    if account is not None:
        return account.label
    for name in (typed, *(st.session_state.get(k) for k in TYPED_KEYS)):
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None

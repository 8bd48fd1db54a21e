"""Errors in a screen: a Chinese message with an id for the user, the traceback in the server log.

``.streamlit/config.toml`` sets ``showErrorDetails = "none"``, so Streamlit never sends a traceback to
the browser; this wrapper replaces Streamlit's English notice with a message a supervisor can act on
(reload, or quote the id to the administrator, who finds the traceback by that id in the log).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.logger import get_logger

log = get_logger("nianbao.errors")


def error_id() -> str:
    """A short id that names one error in the message and in the server log."""
    return uuid.uuid4().hex[:8]


@contextmanager
def report_errors(where: str = "页面") -> Iterator[None]:
    """Run a screen; an unexpected exception becomes a Chinese message with an id (logged with its traceback).

    Streamlit's own control flow (st.rerun, st.stop, st.switch_page) derives from BaseException and
    passes through untouched.
    """
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the last line of defence of a screen
        eid = error_id()
        log.error("error %s in %s: %s", eid, where, exc, exc_info=exc)
        st.error(
            f"{where}出错了，已记录（错误编号 {eid}）。请刷新页面后重试；如果问题仍然存在，"
            "请把错误编号告诉系统管理员。已保存的数据不受影响。",
            icon=":material/error:",
        )

"""A failing screen shows a Chinese message with an error id; the traceback goes to the server log only."""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def _failing_screen() -> None:
    from components.errors import report_errors

    with report_errors():
        raise RuntimeError("secret internal detail /srv/app/library.sqlite")


def _stopping_screen() -> None:
    import streamlit as st

    from components.errors import report_errors

    with report_errors():
        st.write("before")
        st.stop()  # Streamlit's own control flow passes through: no error message
    st.write("never shown")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_error_is_chinese_with_an_id_that_is_logged() -> None:
    handler = _Records()
    logger = logging.getLogger("nianbao.errors")  # Streamlit's logger of components/errors.py
    logger.addHandler(handler)
    try:
        at = AppTest.from_function(_failing_screen).run()
    finally:
        logger.removeHandler(handler)
    assert not at.exception  # handled: Streamlit shows no traceback
    [message] = [e.value for e in at.error]
    assert "出错了" in message and "secret internal detail" not in message
    found = re.search(r"错误编号 ([0-9a-f]{8})", message)
    assert found, message
    # The server log gets the id with the traceback (Streamlit's loggers write to stderr).
    logged = [r for r in handler.records if found.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info and "secret internal detail" in str(logged[0].exc_info[1])


def test_streamlit_control_flow_passes_through() -> None:
    at = AppTest.from_function(_stopping_screen).run()
    assert not at.exception and not at.error
    assert [m.value for m in at.markdown] == ["before"]


def test_tracebacks_are_not_sent_to_the_browser() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_app_wraps_the_page_and_the_sidebar() -> None:
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    assert "with report_errors():\n    page.run()" in source
    assert 'with report_errors("侧边栏"):\n    render_sidebar()' in source

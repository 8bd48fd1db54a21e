"""Fixtures shared by every test module."""

from __future__ import annotations

import sys

import pytest


@pytest.fixture(autouse=True)
def _restore_main_module():
    """Put back the real ``__main__`` after each test.

    Streamlit's script runner (AppTest included) installs the page script as ``sys.modules["__main__"]``
    and leaves it there. A process started later with the ``spawn`` method re-imports ``__main__`` from
    its file: a temporary AppTest script is gone by then, so the child dies and a multiprocessing pool
    waits for it forever.
    """
    saved = sys.modules.get("__main__")
    yield
    if saved is not None:
        sys.modules["__main__"] = saved

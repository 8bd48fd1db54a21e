"""The pages' cached results are let go when the library moves to a new revision: a page always asks
with the current revision, so the results of an earlier one would only fill memory (hundreds of MB
after a morning of corrections at 50,000 reports)."""

from __future__ import annotations

import gc
from pathlib import Path

from _app_support import library_at

from library.store import Library
from library.synthetic import populate


def _script() -> None:
    import weakref

    import pandas as pd
    import streamlit as st

    from components.state import from_dataset

    def probe(df: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"n": [len(df)]})

    out = from_dataset(probe)
    st.session_state.setdefault("probes", []).append(weakref.ref(out))


def test_results_of_an_earlier_revision_are_let_go(tmp_path: Path) -> None:
    from streamlit.testing.v1 import AppTest

    with library_at(tmp_path / "lib.sqlite"):
        lib = Library()
        populate(lib, 6, seed=1)
        at = AppTest.from_function(_script, default_timeout=60)
        at.run()
        first = at.session_state["probes"][-1]
        at.run()
        assert at.session_state["probes"][-1]() is first()  # the same revision: the cached result
        rid = int(lib.dataset()["report_id"].iloc[0])
        lib.add_correction(rid, "n.proactive_total", 5, who="测试")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        newer = at.session_state["probes"][-1]
        gc.collect()
        assert newer() is not None and newer() is not first()
        assert first() is None  # nothing holds the earlier revision's result any more
        lib.close()

"""Helpers shared by the UI tests (AppTest): a temp library per module and reading Plotly specs."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SAMPLES = ROOT / "sample_reports"
SEED_000 = SAMPLES / "000_bd3a826d0705f6e5.txt"  # 施秉县教育和科技局 2020, v2019, 行政许可 decisions 79
SEED_002 = SAMPLES / "002_d0afa1047310c76e.txt"  # 盐池县教育体育局 2020, v2019, decisions 228
SEED_004 = SAMPLES / "004_e3c733e02cbb2cbf.txt"  # 县教育局 2023, v2021, decisions 581, split header 商业/企业
DB_ENV = ("NIANBAO_DB_PATH", "NIANBAO_DATABASE_URL")


@contextmanager
def library_at(path: Path):
    """Point the app at a fresh SQLite file for the duration (env + Streamlit resource cache)."""
    import streamlit as st

    saved = {k: os.environ.get(k) for k in DB_ENV}
    os.environ.pop("NIANBAO_DATABASE_URL", None)
    os.environ["NIANBAO_DB_PATH"] = str(path)
    # The app keeps ONE Library per process and caches results per library: drop the previous test's.
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        yield
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


TEST_PASSWORD = "test-passw0rd"  # the password of the accounts made by signed_in_as()
_made: set[tuple[str, str]] = set()  # (database, login) of the accounts already created


def signed_in_as(role: str = "admin", regions: tuple[str, ...] = (), agency: str | None = None):
    """The account of that role and scope in the current test library (created on first use)."""
    from library.access import Account, Role, Scope
    from library.accounts import Accounts
    from library.store import Library

    scope = Scope(regions, agency)
    digest = hashlib.sha1(repr((scope.regions, scope.agency)).encode()).hexdigest()[:8]
    suffix = "" if scope.unrestricted else f"_{digest}"
    login = f"test_{role}{suffix}"
    database = os.environ.get("NIANBAO_DATABASE_URL") or os.environ.get("NIANBAO_DB_PATH", "")
    if (database, login) not in _made:
        lib = Library()
        accounts = Accounts(lib.engine)
        if accounts.user(login) is None:
            accounts.create(
                login,
                TEST_PASSWORD,
                role=role,
                display_name=f"测试{role}",
                regions=scope.regions,
                agency=scope.agency,
            )
        lib.close()
        _made.add((database, login))
    return Account(login, Role(role), scope, f"测试{role}")


def sign_in(at, account):
    """Sign ``at`` in as ``account`` (a library.access.Account), creating that user in the current test
    library first: the app re-reads the session's account from the database on every run."""
    from components.account import ACCOUNT_KEY
    from library.accounts import Accounts
    from library.store import Library

    lib = Library()
    accounts = Accounts(lib.engine)
    if accounts.user(account.name) is None:
        accounts.create(
            account.name,
            TEST_PASSWORD,
            role=account.role.value,
            display_name=account.display_name,
            regions=account.scope.regions,
            agency=account.scope.agency,
        )
    lib.close()
    at.session_state[ACCOUNT_KEY] = account
    return at


_ROLE = object()  # app_test(account=...) not given: sign in by role


def app_test(
    timeout: float = 60,
    *,
    role: str | None = "admin",
    regions: tuple[str, ...] = (),
    agency: str | None = None,
    account=_ROLE,
):
    """A fresh AppTest of app.py (absolute path: AppTest resolves relative paths against the test file),
    signed in as an account of ``role`` (and scope) of the current test library; ``role=None``: not
    signed in (the sign-in form). ``account``: sign in as this library.access.Account (None: nobody)."""
    from streamlit.testing.v1 import AppTest

    from components.account import ACCOUNT_KEY

    at = AppTest.from_file(APP, default_timeout=timeout)
    if account is not _ROLE:
        return at if account is None else sign_in(at, account)
    if role is not None:
        at.session_state[ACCOUNT_KEY] = signed_in_as(role, regions, agency)
    return at


def open_address(at, url_path: str):
    """Point the AppTest at a page address as a typed URL would (``/upload``), before ``run()``."""
    from streamlit.util import calc_hash

    at._page_hash = calc_hash(url_path)  # st.Page hashes its url_path; AppTest has no public way
    return at


def chart_specs(at) -> list[dict]:
    """The Plotly figure JSON of every st.plotly_chart on the current page."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def values(array) -> list:
    """Plotly 7 sends numeric arrays base64-encoded ({"dtype", "bdata"}); strings stay lists."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    if array is None:
        return []
    return list(array.tolist() if hasattr(array, "tolist") else array)


def bar_values(spec: dict, trace_name: str) -> dict[str, float]:
    """{category: value} of one horizontal bar trace."""
    trace = next(t for t in spec["data"] if t.get("name") == trace_name)
    return dict(zip(values(trace["y"]), values(trace["x"]), strict=True))


def metric(at, label: str) -> str:
    """The displayed value of the st.metric with this label."""
    return next(m.value for m in at.metric if m.label == label)


def texts(at) -> str:
    """Every markdown/caption/text/code string on the page, joined (for 'is it shown' checks)."""
    parts = [
        e.value
        for kind in ("markdown", "caption", "text", "code", "info", "success", "warning", "error")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def chart(at, key: str) -> dict:
    """The Plotly figure JSON of the chart rendered with ``key`` (components/chart_view.py uses
    chart_<key>)."""
    for el in at.get("plotly_chart"):
        if f"chart_{key}" in el.proto.id:
            return json.loads(el.proto.spec)
    raise AssertionError(
        f"no chart {key!r} on the page; ids: {[el.proto.id for el in at.get('plotly_chart')]}"
    )


def table_with(at, column: str):
    """The first st.dataframe on the page that has ``column`` (chart data popovers render tables too)."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with column {column!r}")

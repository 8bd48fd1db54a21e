"""Process-wide resources and per-session state of the UI (the only place that opens the library).

Speed (target ≤ 300 ms per interaction on 5,000 reports): everything a page shows is computed by a pure
function of (library revision, filters), so results are cached process-wide under that key and shared
by every browser session. Any write to the library bumps the revision, so a cached result is never stale.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import streamlit as st

from charts.image_export import start_image_server
from components.account import current_account
from library.access import Scope
from library.filters import Filters
from library.maintenance import reparse_in_background
from library.store import Library

FILTER_KEYS = {
    "regions": "f_regions",
    "years": "f_years",
    "agency_types": "f_types",
    "templates": "f_templates",
}


@st.cache_resource(show_spinner=False)
def get_library() -> Library:
    """ONE library (engine + connection pool) per server process, shared by every browser session.

    The database comes from NIANBAO_DATABASE_URL / NIANBAO_DB_PATH (library.config).
    """
    lib = Library()
    reparse_in_background(lib)  # reports read by an older parser version are parsed again
    return lib


@st.cache_resource(show_spinner=False)
def image_server() -> bool:
    """Start the warm kaleido browser once per process; each PNG/SVG/PDF export then takes ~0.2 s."""
    return start_image_server()


def revision() -> tuple[int, int]:
    """Cache key of the library's current content: (which library object, its change counter).

    The object id matters when a process switches databases (tests); the counter is one tiny query.
    """
    lib = get_library()
    rev = id(lib), lib.revision()
    with _SEEN_LOCK:
        changed = _SEEN.get("revision", rev) != rev
        _SEEN["revision"] = rev
    if changed:
        # The results of an earlier revision are never asked for again (a page always asks with the
        # current one), but they stayed cached until 256 entries or 6 hours: after a morning of
        # corrections at 50,000 reports that was ~0.5–1 GB of stale charts and tables.
        _computed.clear()
    return rev


_SEEN: dict[str, tuple[int, int]] = {}  # the last revision a session asked with
_SEEN_LOCK = threading.Lock()


# The totals and choices below are per (revision, scope): every account sees those of its own reports.
@st.cache_data(show_spinner=False, max_entries=32)
def _counts(rev: tuple[int, int], scope: Scope | None) -> dict[str, int]:
    return get_library().counts(scope)


@st.cache_data(show_spinner=False, max_entries=32)
def _choices(rev: tuple[int, int], scope: Scope | None) -> tuple[dict[str, list], int]:
    # From the dataset's META columns in memory: catching up on a write reads only the reports the
    # write journal lists (a few ms at 50,000 reports), cheaper than the SQL this replaced (45–60 ms).
    return get_library().choices(scope)


def _filter_options(rev: tuple[int, int], scope: Scope | None) -> dict[str, list]:
    return _choices(rev, scope)[0]


def _report_total(rev: tuple[int, int], scope: Scope | None) -> int:
    return _choices(rev, scope)[1]


def current_scope() -> Scope | None:
    """The reports this session may see: the signed-in account's scope; None (nothing) before sign-in."""
    account = current_account()
    return None if account is None else account.scope


def counts() -> dict[str, int]:
    """Totals of the reports this session may see (cached per revision and scope)."""
    return _counts(revision(), current_scope())


def filter_options() -> dict[str, list]:
    """Choices of the sidebar filters among the reports this session may see (cached per revision and
    scope): a value of another region is never offered, so one in the address is dropped."""
    return _filter_options(revision(), current_scope())


def library_is_empty() -> bool:
    """True when this session may see no report (the app then opens on 上传报告 with the 加载示例报告
    button when the whole library is empty, see :func:`library_has_reports`)."""
    return _report_total(revision(), current_scope()) == 0


def library_has_reports() -> bool:
    """True when the library holds any report, seen by this session or not (only the fact is used)."""
    return _counts(revision(), Scope())["reports"] > 0


def current_filters() -> Filters:
    """The sidebar filters of this session (empty = all) within the signed-in account's scope, as the
    library's hashable Filters (so every cache keyed by them is kept apart per scope)."""
    chosen = {name: st.session_state.get(key) or () for name, key in FILTER_KEYS.items()}
    return Filters(**chosen, scope=current_scope())


# The filters also live in the page address (?regions=…&years=2020&years=2021&agency_types=…&templates=2021),
# so a copied link reproduces the view and a reload keeps it. One query key per filter, repeated per value.
_URL_READ = "_filters_read_from_url"


def _parse_query_values(name: str, raw: list[str]) -> list:
    """Values of one filter as the sidebar widget holds them; a comma also separates values."""
    values = [part.strip() for item in raw for part in item.split(",") if part.strip()]
    if name == "years":
        return [int(v) if v.isdigit() else v for v in values]
    return values


def filters_from_url() -> None:
    """Once per browser session, before the sidebar widgets are drawn: take the filters from the address.

    Values the library does not offer are dropped later by the sidebar (as for any stale choice).
    """
    if st.session_state.get(_URL_READ):
        return
    st.session_state[_URL_READ] = True
    for name, key in FILTER_KEYS.items():
        raw = st.query_params.get_all(name)
        if raw:
            st.session_state[key] = _parse_query_values(name, raw)


def filter_query(filters: Filters) -> dict[str, list[str]]:
    """The query parameters that describe ``filters`` (only the non-empty ones)."""
    return {name: [str(v) for v in getattr(filters, name)] for name in FILTER_KEYS if getattr(filters, name)}


def filters_to_url() -> None:
    """Write this session's filters into the address (after the widgets are drawn), touching only what
    changed."""
    wanted = filter_query(current_filters())
    for name in FILTER_KEYS:
        values = wanted.get(name, [])
        if st.query_params.get_all(name) == values:
            continue
        if values:
            st.query_params[name] = values
        else:
            del st.query_params[name]


# The page computations, by name: filled as pages ask for them (the name is the function's own).
_FUNCTIONS: dict[str, tuple[Callable[..., Any], bool]] = {}


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


@st.cache_resource(show_spinner=False, max_entries=256, ttl=6 * 3600)
def _computed(name: str, rev: tuple[int, int], filters: Filters, args: tuple) -> Any:
    fn, on_dataset = _FUNCTIONS[name]
    lib = get_library()
    return fn(lib.dataset(filters), *args) if on_dataset else fn(lib, filters, *args)


def _cached(fn: Callable[..., Any], args: tuple, *, on_dataset: bool) -> Any:
    name = _name(fn)
    _FUNCTIONS.setdefault(name, (fn, on_dataset))
    return _computed(name, revision(), current_filters(), args)


def from_dataset(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(dataset, *args)`` for this session's filters: cached per (library revision, filters, args)
    and shared across sessions. ``fn`` is a pure function of the standardised dataset (library.aggregate,
    charts.catalog); results are treated as read-only by the pages (figures are copied before any change).
    """
    return _cached(fn, args, on_dataset=True)


def from_library(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(library, filters, *args)`` for this session's filters, cached like :func:`from_dataset`
    (for what the dataset does not hold, e.g. ``Library.failed_checks``)."""
    return _cached(fn, args, on_dataset=False)

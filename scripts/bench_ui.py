"""Benchmark: median server time of each page interaction, through AppTest, on 5,000 synthetic reports.

    .venv/bin/python scripts/bench_ui.py                 # builds (once) and reuses a benchmark library
    .venv/bin/python scripts/bench_ui.py --db /tmp/b.sqlite --n 5000 --repeat 7
    .venv/bin/python scripts/bench_ui.py --sizes 5000,20000,50000 --repeat 3   # the growth table

With ``--sizes`` each size gets its own SQLite library (``nianbao-bench-ui-synthetic-<n>.sqlite`` in the
directory of ``--db``: reused; else copied from ``--source``, a directory of complete benchmark libraries
shared read-only, when it holds one of that size; else built from a copy of the next smaller one there
by writing only the missing reports in bulk, library.synthetic.populate_bulk) and, when
NIANBAO_TEST_PG_URL names a PostgreSQL server (scripts/start_postgres.sh prints one), its own database
on that server, ``nianbao_bench_ui_synthetic_<n>`` (reused; else created as a copy of the next smaller
one, ``CREATE DATABASE … TEMPLATE``, and grown). One database per size rather than one database grown
through the sizes: the 50,000 one, the slow one to build (minutes), survives every run and is never
rebuilt, and the smaller ones can be dropped. One table prints every interaction's cached and uncached
median per size and store side by side (the stores of one size next to each other), with the load
average of each column.

    NIANBAO_TEST_PG_URL=postgresql+psycopg://nianbao:nianbao@127.0.0.1:5432/nianbao_test \
        .venv/bin/python scripts/bench_ui.py --sizes 5000,20000,50000 --stores sqlite,postgresql \
        --db /tmp/bench/x.sqlite --source /tmp/h7-bench --only 总览,筛选 --repeat 3

``--only`` measures the interactions whose names contain one of the comma-separated substrings.

The library is SYNTHETIC (library.synthetic: agencies named "（合成）…") and lives in its own SQLite file
outside the repository, never in data/ or sample_reports/. Times are wall-clock seconds of
``AppTest.run()`` after one warm-up run of the same interaction (the Streamlit script run, the
queries, the aggregations and the figure building; not the browser's drawing). "Uncached" is the
first run right after a write to the library (``--write``: by default a correction of one report and
its removal; ``correction``: a figure really changes at each write; ``upload``: a report is added, then
removed at the next write. Every cached result is computed again, the dataset re-reads the changed
report). Target: ≤ 0.300 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
APP = str(ROOT / "app.py")
TARGET = 0.300
BENCH_LOGIN, BENCH_PASSWORD = "bench", "Bench2024pw"  # the administrator the benchmarks sign in as


def library_to_build(path: Path, n: int):
    """An empty library at ``path`` to fill with ``n`` reports, or None when the file already holds
    exactly ``n`` (a benchmark library is reused between runs; any other content is replaced)."""
    from library.store import Library

    lib = Library(db_url(path))
    have = lib.counts()["reports"]
    if have == n:
        print(f"reusing {path} ({have} synthetic reports)")
        lib.close()
        return None
    if have:
        lib.close()
        path.unlink()
        lib = Library(f"sqlite:///{path}")
    return lib


def db_url(where: Path | str) -> str:
    """The SQLAlchemy URL of a benchmark library: a SQLite file path, or a URL as it is."""
    return where if isinstance(where, str) else f"sqlite:///{where}"


@functools.cache
def bench_account(path: Path | str, region: str | None = None):
    """The administrator account of the benchmark library at ``path`` (a SQLite file or a URL), or a
    reviewer scoped to ``region`` (created when missing)."""
    from library.access import Role
    from library.accounts import Accounts
    from library.store import Library

    lib = Library(db_url(path))
    accounts = Accounts(lib.engine)
    login = (
        BENCH_LOGIN if region is None else f"{BENCH_LOGIN}_{hashlib.sha1(region.encode()).hexdigest()[:8]}"
    )
    if accounts.user(login) is None:
        role, regions = (Role.ADMIN, ()) if region is None else (Role.REVIEWER, (region,))
        accounts.create(login, BENCH_PASSWORD, role=role, display_name="基准测试", regions=regions)
    account = accounts.account(login)
    lib.close()
    return account


def build_library(path: Path, n: int) -> None:
    """Create the synthetic benchmark library at ``path`` unless it already holds ``n`` reports, with
    the benchmarks' administrator account."""
    from library.synthetic import populate

    lib = library_to_build(path, n)
    if lib is None:
        bench_account(path)
        return
    start = time.perf_counter()

    def progress(done: int, total: int, _name: str) -> None:
        if done % 500 == 0:
            print(f"  populated {done}/{total}", flush=True)

    populate(lib, n, seed=0, progress=progress)
    print(f"built {path}: {lib.counts()['reports']} reports in {time.perf_counter() - start:.1f} s")
    lib.close()
    bench_account(path)


def grow_library(where: Path | str, n: int) -> None:
    """Bring the benchmark library at ``where`` (SQLite file or URL) to exactly ``n`` synthetic reports,
    writing only the missing ones in bulk (a bigger one is emptied and rebuilt), with the account."""
    from library.store import Library
    from library.synthetic import populate_bulk

    lib = Library(db_url(where))
    have = lib.counts()["reports"]
    if have > n:
        raise SystemExit(f"{where} holds {have} reports, more than {n}: give an emptier library")
    if have < n:
        start = time.perf_counter()

        def progress(done: int, total: int, _name: str) -> None:
            if done % 5000 == 0 or done == total:
                print(f"  populated {done}/{total}", flush=True)

        populate_bulk(lib, n, start=have, progress=progress)
        print(f"grew {where} from {have} to {n} reports in {time.perf_counter() - start:.1f} s", flush=True)
    lib.close()
    bench_account(where)


def sqlite_for(n: int, directory: Path, source: Path | None = None) -> Path:
    """The SQLite benchmark library of ``n`` reports in ``directory``: reused; else copied from the
    complete one of ``source`` (a directory of benchmark libraries shared read-only, e.g. another
    run's; copied because the benchmarks write); else built from a copy of the biggest smaller one in
    ``directory`` (the same reports in the same order, so only the rest is written)."""
    path = directory / f"nianbao-bench-ui-synthetic-{n}.sqlite"
    shared = source / path.name if source is not None else None
    if not path.exists() and shared is not None and shared.exists() and _sqlite_reports(shared) == n:
        _sqlite_copy(shared, path)
        print(f"copied {shared} to {path}", flush=True)
    if not path.exists():
        smaller = sorted(
            (int(p.stem.rsplit("-", 1)[1]), p)
            for p in directory.glob("nianbao-bench-ui-synthetic-*.sqlite")
            if p.stem.rsplit("-", 1)[1].isdigit() and int(p.stem.rsplit("-", 1)[1]) < n
        )
        if smaller:
            shutil.copyfile(smaller[-1][1], path)
            print(f"copied {smaller[-1][1]} to {path}", flush=True)
    grow_library(path, n)
    return path


PG_PREFIX = "nianbao_bench_ui_synthetic_"  # + the size: one PostgreSQL database per benchmark size


def postgres_for(n: int, server_url: str) -> str:
    """The URL of the PostgreSQL benchmark database of ``n`` reports on the server of ``server_url``
    (any database there; the role must be allowed to create databases): ``nianbao_bench_ui_synthetic_<n>``,
    reused, or created as a copy (``CREATE DATABASE … TEMPLATE``) of the biggest smaller one on the server
    and grown to ``n`` (as :func:`sqlite_for` does with files). Each size keeps its own database, so the
    50,000 one survives a run and is never rebuilt; the smaller ones can be dropped when not needed."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(server_url)
    url = base.set(database=f"{PG_PREFIX}{n}").render_as_string(hide_password=False)
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            names = conn.execute(text("SELECT datname FROM pg_database")).scalars().all()
            sizes = sorted(
                int(d[len(PG_PREFIX) :])
                for d in names
                if d.startswith(PG_PREFIX) and d[len(PG_PREFIX) :].isdigit()
            )
            if n not in sizes:
                smaller = [s for s in sizes if s < n]
                template = f' TEMPLATE "{PG_PREFIX}{smaller[-1]}"' if smaller else ""
                if smaller:  # a template database must have no other session (e.g. an earlier size's app)
                    conn.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = :d AND pid <> pg_backend_pid()"
                        ),
                        {"d": f"{PG_PREFIX}{smaller[-1]}"},
                    )
                conn.execute(text(f'CREATE DATABASE "{PG_PREFIX}{n}"{template}'))
                print(
                    f"created {PG_PREFIX}{n}" + (f" from {PG_PREFIX}{smaller[-1]}" if smaller else ""),
                    flush=True,
                )
    finally:
        admin.dispose()
    grow_library(url, n)
    return url


def _sqlite_reports(path: Path) -> int | None:
    """How many reports the SQLite library at ``path`` holds, read without writing (None: unreadable)."""
    import sqlite3

    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            return int(conn.execute("SELECT count(*) FROM reports").fetchone()[0])
    except sqlite3.Error:
        return None


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of the SQLite file ``source`` (its write-ahead log included) at ``target``."""
    import sqlite3

    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
        with closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
    partial.rename(target)


# The region of the measured sessions' account: None for the city's unrestricted one (--region).
REGION: list[str | None] = [None]
# The library the sessions open: a SQLite file path or a database URL (set by use_library).
CURRENT_DB: list[Path | str] = [Path()]


def use_library(where: Path | str) -> None:
    """Point the app (this process) at the benchmark library ``where``, dropping the old one's caches."""
    import streamlit as st

    CURRENT_DB[0] = where
    os.environ.pop("NIANBAO_DATABASE_URL", None)
    os.environ.pop("NIANBAO_DB_PATH", None)
    if isinstance(where, str):
        os.environ["NIANBAO_DATABASE_URL"] = where
    else:
        os.environ["NIANBAO_DB_PATH"] = str(where)
    st.cache_data.clear()
    st.cache_resource.clear()  # the process-wide Library (and its dataset) of the previous library


# What a write is (--write): "undo" — a correction of one report's figure and its removal (the
# figures end as they were; the dataset re-reads the report and finds its figures unchanged);
# "correction" — one figure really changes on each write (a correction added, then removed on the next
# write, and so on); "upload" — a new report is stored, then removed on the next write (an append and a
# removal in turn: the removal is the dearest write for the dataset).
WRITE = ["undo"]
WRITES = ("undo", "correction", "upload")
BENCH_NOTE = "基准测试：修改后撤销"


def library_changed() -> None:
    """A write to the library, as a reviewer's (see :data:`WRITE`). The next interaction is the first
    after a write: every cached result is computed again."""
    from components import state

    lib = state.get_library()
    change_library(lib, int(lib.dataset()["report_id"].iloc[0]))


def change_library(lib, report_id: int, write: str | None = None) -> None:
    """The write of :func:`library_changed` on ``lib`` (any process's Library of the benchmark library:
    the app reads the revision from the database, so a server sees another process's write)."""
    write = write or WRITE[0]
    if write == "undo":
        correction = lib.add_correction(report_id, "n.proactive_total", 1, BENCH_NOTE, who="基准测试")
        lib.remove_correction(correction, who="基准测试")
    elif write == "correction":
        _toggle_correction(lib, report_id)
    elif write == "upload":
        _toggle_upload(lib)
    else:
        raise ValueError(write)


def _toggle_correction(lib, report_id: int) -> None:
    """Add the benchmark's correction of one figure to ``report_id``, or remove it when it is there."""
    from sqlalchemy import select

    from library.db import Correction

    with lib.engine.connect() as conn:
        found = conn.execute(
            select(Correction.id).where(Correction.report_id == report_id, Correction.note == BENCH_NOTE)
        ).scalar()
    if found is None:
        lib.add_correction(report_id, "n.proactive_total", 1, BENCH_NOTE, who="基准测试")
    else:
        lib.remove_correction(int(found), who="基准测试")


def _toggle_upload(lib) -> None:
    """Store one extra synthetic report (with its own bytes), or remove it when it is there."""
    from sqlalchemy import select

    from library.db import Report
    from library.synthetic import specs, synthetic_bytes, synthetic_parsed

    with lib.engine.connect() as conn:
        found = conn.execute(select(Report.id).where(Report.filename == _EXTRA)).scalar()
    if found is not None:
        lib.delete(int(found), who="基准测试")
        return
    # An agency of its own: a new report, not a new version of a stored one.
    spec = dataclasses.replace(specs(1)[0], agency="（合成）基准测试追加单位")
    parsed = synthetic_parsed(spec, seed=987654321)
    parsed.file = _EXTRA
    lib.add(parsed, synthetic_bytes(parsed), agency_type=spec.agency_type)


_EXTRA = "基准测试-追加报告.txt"


def app_on(page: str | None):
    """A fresh AppTest that has already opened ``page`` once (cold caches are not what we measure)."""
    from streamlit.testing.v1 import AppTest

    from components.account import ACCOUNT_KEY

    at = AppTest.from_file(APP, default_timeout=120)
    # Signed in (a session without an account sees nothing): the administrator, or --region's account.
    at.session_state[ACCOUNT_KEY] = bench_account(CURRENT_DB[0], REGION[0])
    at.run()
    if page:
        at.switch_page(page).run()
    if at.exception:
        raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")
    return at


def _year(at) -> int:
    return at.sidebar.multiselect(key="f_years").options[0]


def interactions() -> list[tuple[str, str | None, Callable]]:
    """(name, page to open first, action returning the AppTest to run)."""
    from page_registry import PAGES

    pages = {spec.title: spec.path for spec in PAGES}  # every registered page, new ones included
    out: list[tuple[str, str | None, Callable]] = []
    for name, path in pages.items():
        out.append((f"打开页面：{name}", None, lambda at, path=path: at.switch_page(path)))
        out.append((f"重新运行：{name}", path, lambda at: at))
    out += [
        (
            "筛选年度（总览）",
            pages["总览"],
            lambda at: at.sidebar.multiselect(key="f_years").set_value([_year(at)]),
        ),
        (
            "筛选格式版本（主动公开）",
            pages["主动公开"],
            lambda at: at.sidebar.multiselect(key="f_templates").set_value(["2021"]),
        ),
        (
            "切换事项：规章（主动公开）",
            pages["主动公开"],
            lambda at: at.segmented_control(key="proactive_item").set_value("regulations"),
        ),
        (
            "筛选机关类型（依申请公开）",
            pages["依申请公开"],
            lambda at: at.sidebar.multiselect(key="f_types").set_value(["教育"]),
        ),
        ("搜索（报告库）", pages["报告库"], lambda at: at.text_input(key="library_search").input("教育局")),
        (
            "选择报告（数据质量）",
            pages["数据质量"],
            lambda at: at.selectbox(key="quality_report").set_value(
                int(at.selectbox(key="quality_report").options[3].split("｜")[0])
            ),
        ),
    ]
    return out


def measure(page: str | None, action: Callable, repeat: int, *, cold: bool) -> list[float]:
    """Run the interaction ``repeat`` times, each on a fresh session, and return the times.

    ``cold``: the library changes (:func:`library_changed`) before each timed run, as after an upload
    by anyone; otherwise the run finds the results another session computed (one warm-up first).
    """
    times = []
    for _ in range(repeat + (0 if cold else 1)):
        at = app_on(page)
        action(at)
        if cold:
            library_changed()
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError([e.value for e in at.exception])
    return times if cold else times[1:]


def parse_only(spec: str | None) -> list[str]:
    """The name substrings of ``--only`` ("总览,筛选" → ["总览", "筛选"]); empty: everything."""
    return [part.strip() for part in (spec or "").split(",") if part.strip()]


def selected(names: Sequence[str], only: Sequence[str]) -> list[str]:
    """The ``names`` that contain one of the substrings ``only`` (all of them when ``only`` is empty),
    in their order; a substring that matches nothing is an error (a typo would measure nothing)."""
    if not only:
        return list(names)
    unmatched = [part for part in only if not any(part in name for name in names)]
    if unmatched:
        raise SystemExit(f"--only: no interaction contains {unmatched}; the names are: {', '.join(names)}")
    return [name for name in names if any(part in name for part in only)]


def measure_all(repeat: int, label: str, only: Sequence[str] = ()) -> list[tuple[str, float, float]]:
    """(interaction, cached median, uncached median) of every interaction on the current library (or
    of those named by ``only``, see :func:`selected`), printed as they come."""
    rows = []
    print(f"{label}\n{pad('interaction', 26)}{'cached (ms)':>14}{'uncached (ms)':>16}   (median of {repeat})")
    chosen = interactions()
    wanted = set(selected([name for name, _, _ in chosen], only))
    for name, page, action in chosen:
        if name not in wanted:
            continue
        warm = statistics.median(measure(page, action, repeat, cold=False))
        cold = statistics.median(measure(page, action, repeat, cold=True))
        rows.append((name, warm, cold))
        flag = "OK" if cold <= TARGET else ("OK when cached" if warm <= TARGET else "SLOW")
        print(f"{pad(name, 26)}{warm * 1000:>14.0f}{cold * 1000:>16.0f}   {flag}", flush=True)
    return rows


def width(text: str) -> int:
    """Terminal columns of ``text``: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``columns`` terminal columns (left-aligned, or ``right``)."""
    fill = " " * max(columns - width(text), 0)
    return fill + text if right else text + fill


def load() -> str:
    """The 1-minute load average now (the machine is shared: every figure carries it)."""
    return f"{os.getloadavg()[0]:.2f}"


def growth(
    sizes: list[int],
    repeat: int,
    directory: Path,
    stores_wanted: str = "sqlite,postgresql",
    only: Sequence[str] = (),
    source: Path | None = None,
) -> None:
    """Measure every interaction (or ``only`` those) at each size, on SQLite and (NIANBAO_TEST_PG_URL)
    PostgreSQL, and print one table with the sizes and stores side by side."""
    stores: list[tuple[str, Callable[[int], Path | str]]] = []
    if "sqlite" in stores_wanted:
        stores.append(("SQLite", lambda n: sqlite_for(n, directory, source)))
    pg_url = os.environ.get("NIANBAO_TEST_PG_URL")
    if "postgresql" in stores_wanted:
        if pg_url:
            stores.append(("PostgreSQL", lambda n: postgres_for(n, pg_url)))
        else:
            print("PostgreSQL skipped: NIANBAO_TEST_PG_URL is not set (scripts/start_postgres.sh prints one)")
    results: dict[tuple[str, int], list[tuple[str, float, float]]] = {}
    loads: dict[tuple[str, int], str] = {}
    for store, prepare in stores:
        for n in sizes:
            use_library(prepare(n))
            before = load()
            results[store, n] = measure_all(repeat, f"\n{store}, {n} reports (load {before})", only)
            loads[store, n] = f"{before}–{load()}"
    print(growth_table(results, loads, repeat))


def growth_table(
    results: dict[tuple[str, int], list[tuple[str, float, float]]],
    loads: dict[tuple[str, int], str],
    repeat: int,
) -> str:
    """The growth table: one row per interaction, one column per (size, store) — the stores of a size
    next to each other — each cell "cached / uncached" in ms, the load averages, then the count over the
    target and the slowest interaction per column."""
    columns = sorted(results, key=lambda k: (k[1], k[0] != "SQLite", k[0]))  # by size, SQLite first
    names = [r[0] for r in results[columns[0]]] if columns else []
    cell = 20
    lines = [
        f"\nserver time per interaction, ms, median of {repeat}: cached / uncached (first after a write)",
        pad("interaction", 26) + "".join(pad(f"{store} {n}", cell, right=True) for store, n in columns),
    ]
    for i, name in enumerate(names):
        cells = [f"{results[k][i][1] * 1000:.0f} / {results[k][i][2] * 1000:.0f}" for k in columns]
        lines.append(pad(name, 26) + "".join(pad(c, cell, right=True) for c in cells))
    lines.append(pad("load average", 26) + "".join(pad(loads[k], cell, right=True) for k in columns))
    for k in columns:
        rows = results[k]
        worst = max(rows, key=lambda r: r[2])
        lines.append(
            f"{k[0]} {k[1]}: over {TARGET * 1000:.0f} ms {sum(r[2] > TARGET for r in rows)} uncached, "
            f"{sum(r[1] > TARGET for r in rows)} cached; slowest uncached {worst[0]} {worst[2] * 1000:.0f} ms"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "nianbao-bench-ui-synthetic.sqlite"
    )
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--region", help="measure as an account scoped to this region (default: all)")
    parser.add_argument(
        "--write",
        choices=WRITES,
        default="undo",
        help="the write before each uncached run: undo (a correction and its removal), correction (a "
        "figure changes each time), upload (a new report stored, then removed, in turn)",
    )
    parser.add_argument("--sizes", help="comma-separated library sizes of the growth table: 5000,20000,50000")
    parser.add_argument("--stores", default="sqlite,postgresql", help="with --sizes: which stores")
    parser.add_argument(
        "--source",
        type=Path,
        help="with --sizes: a directory of complete benchmark libraries to copy from (left untouched)",
    )
    parser.add_argument(
        "--only",
        help="comma-separated substrings of interaction names to measure (default: all), e.g. 总览,筛选",
    )
    args = parser.parse_args()
    REGION[0] = args.region
    WRITE[0] = args.write
    only = parse_only(args.only)
    quiet()
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
        growth(sizes, args.repeat, args.db.parent, args.stores, only, args.source)
        return 0

    build_library(args.db, args.n)
    use_library(args.db)
    rows = measure_all(args.repeat, f"{args.n} reports (load {load()})", only)
    print(
        f"\n{len(rows)} interactions on {args.n} synthetic reports. Over {TARGET * 1000:.0f} ms: "
        f"{sum(r[2] > TARGET for r in rows)} uncached, {sum(r[1] > TARGET for r in rows)} cached."
    )
    return 0


def quiet() -> None:
    """Silence the warnings and log lines that would bury the table."""
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    # Streamlit gives its module loggers their own levels, so the parent's level does not silence the
    # "missing ScriptRunContext" lines that otherwise bury the table; nothing below ERROR is needed here.
    logging.disable(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: median server time of each page interaction, through AppTest, on 5,000 synthetic reports.

    .venv/bin/python scripts/bench_ui.py                 # builds (once) and reuses a benchmark library
    .venv/bin/python scripts/bench_ui.py --db /tmp/b.sqlite --n 5000 --repeat 7

The library is SYNTHETIC (library.synthetic: agencies named "（合成）…") and lives in its own SQLite file
outside the repository, never in data/ or sample_reports/. Times are wall-clock seconds of
``AppTest.run()`` after one warm-up run of the same interaction (the Streamlit script run, the
queries, the aggregations and the figure building; not the browser's drawing). Target: ≤ 0.300 s.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
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

    lib = Library(f"sqlite:///{path}")
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


@functools.cache
def bench_account(path: Path, region: str | None = None):
    """The administrator account of the benchmark library at ``path``, or a reviewer scoped to
    ``region`` (created when missing)."""
    from library.access import Role
    from library.accounts import Accounts
    from library.store import Library

    lib = Library(f"sqlite:///{path}")
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


# The region of the measured sessions' account: None for the city's unrestricted one (--region).
REGION: list[str | None] = [None]


def app_on(page: str | None):
    """A fresh AppTest that has already opened ``page`` once (cold caches are not what we measure)."""
    from streamlit.testing.v1 import AppTest

    from components.account import ACCOUNT_KEY

    at = AppTest.from_file(APP, default_timeout=120)
    # Signed in (a session without an account sees nothing): the administrator, or --region's account.
    at.session_state[ACCOUNT_KEY] = bench_account(Path(os.environ["NIANBAO_DB_PATH"]), REGION[0])
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

    ``cold``: the UI's result cache (components.state) is emptied before each timed run, as after an
    upload by anyone; otherwise the run finds the results another session computed (one warm-up first).
    """
    from components import state

    times = []
    for _ in range(repeat + (0 if cold else 1)):
        at = app_on(page)
        action(at)
        if cold:
            state._computed.clear()
            state._counts.clear()
            state._filter_options.clear()
            state._report_total.clear()
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError([e.value for e in at.exception])
    return times if cold else times[1:]


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
    args = parser.parse_args()
    REGION[0] = args.region

    build_library(args.db, args.n)
    os.environ.pop("NIANBAO_DATABASE_URL", None)
    os.environ["NIANBAO_DB_PATH"] = str(args.db)
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    # Streamlit gives its module loggers their own levels, so the parent's level does not silence the
    # "missing ScriptRunContext" lines that otherwise bury the table; nothing below ERROR is needed here.
    logging.disable(logging.WARNING)

    rows = []
    print(f"{'interaction':<22}{'cached (ms)':>14}{'uncached (ms)':>16}   (median of {args.repeat})")
    for name, page, action in interactions():
        warm = statistics.median(measure(page, action, args.repeat, cold=False))
        cold = statistics.median(measure(page, action, args.repeat, cold=True))
        rows.append((name, warm, cold))
        flag = "OK" if cold <= TARGET else ("OK when cached" if warm <= TARGET else "SLOW")
        print(f"{name:<22}{warm * 1000:>12.0f}{cold * 1000:>16.0f}   {flag}", flush=True)
    print(
        f"\n{len(rows)} interactions on {args.n} synthetic reports. Over {TARGET * 1000:.0f} ms: "
        f"{sum(r[2] > TARGET for r in rows)} uncached, {sum(r[1] > TARGET for r in rows)} cached."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

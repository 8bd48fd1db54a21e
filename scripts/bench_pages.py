"""Benchmark: CPU time of each analysis-page computation, the current code next to the former one.

    .venv/bin/python scripts/bench_pages.py --db /tmp/nianbao-bench-ui-synthetic-50000.sqlite

The former code is the verbatim copy in tests/reference_pages (the yardstick of
tests/test_pages_reference.py). Each function runs on the library's whole dataset (as after a write,
uncached), ``--repeat`` times; the median CPU time (``time.process_time``: on a shared machine wall time
mostly measures the neighbours) is printed per function with the load average. Read-only on ``--db``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def functions(df) -> list[tuple[str, Callable, Callable, tuple]]:
    """(name, current, former, extra arguments) of every computation of the five pages and 单位档案."""
    from reference_pages import agency as ref_agency
    from reference_pages import aggregate as ref_agg
    from reference_pages import catalog as ref_catalog
    from reference_pages import filters as ref_filters
    from reference_pages import tables as ref_tables

    from charts import agency, catalog, tables
    from library import aggregate as agg
    from library.filters import Filters

    first = df[df["agency"].notna()].iloc[0]
    pick = (first["agency"], first["region"])
    years = (int(df["year"].max()),)
    return [
        ("总览 kpis", agg.kpis, ref_agg.kpis, ()),
        ("总览 overview_charts", catalog.overview_charts, ref_catalog.overview_charts, ()),
        ("总览 agency_table_view", tables.agency_table_view, ref_tables.agency_table_view, ()),
        # What the page shows now: the first rows only (former: the whole table it showed).
        (
            "总览 agency_table_rows",
            tables.agency_table_rows,
            lambda d, _limit: ref_tables.agency_table_view(d),
            (tables.AGENCY_TABLE_ROWS,),
        ),
        (
            "主动公开 proactive_charts",
            catalog.proactive_charts,
            ref_catalog.proactive_charts,
            (("normative_documents",),),
        ),
        ("主动公开 template_counts", agg.template_counts, ref_agg.template_counts, ()),
        ("行政许可与执法 enforcement_charts", catalog.enforcement_charts, ref_catalog.enforcement_charts, ()),
        ("依申请公开 applications_charts", catalog.applications_charts, ref_catalog.applications_charts, ()),
        ("依申请公开 carry_over_consistency", agg.carry_over_consistency, ref_agg.carry_over_consistency, ()),
        ("复议诉讼 review_charts", catalog.review_charts, ref_catalog.review_charts, ()),
        ("单位档案 agency_choices", agency.agency_choices, ref_agency.agency_choices, ()),
        ("单位档案 agency_figures", agency.agency_figures, ref_agency.agency_figures, pick),
        ("单位档案 agency_charts", agency.agency_charts, ref_agency.agency_charts, pick),
        (
            "Filters.apply (year)",
            lambda d: Filters(years=years).apply(d),
            lambda d: ref_filters.Filters(years=years).apply(d),
            (),
        ),
    ]


def cpu_ms(fn: Callable, df, args: tuple, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn(df, *args)
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from library.store import Library

    lib = Library(f"sqlite:///{args.db}", migrate=False)
    df = lib.dataset()
    print(f"{len(df)} reports, load {os.getloadavg()[0]:.2f}")
    print(f"{'computation':<40}{'former (ms)':>12}{'now (ms)':>10}")
    for name, new, old, extra in functions(df):
        new(df, *extra)  # imports and first-call costs out of the way
        former, now = cpu_ms(old, df, extra, args.repeat), cpu_ms(new, df, extra, args.repeat)
        print(f"{name:<40}{former:>12.0f}{now:>10.0f}")
    print(f"load {os.getloadavg()[0]:.2f}")
    lib.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

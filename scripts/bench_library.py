"""Benchmark of the report library (not a test): page queries on 5,000 stored reports, and ingest.

    .venv/bin/python scripts/bench_library.py [--reports 5000] [--ingest 1000] [--runs 15] [--db PATH]

1. Fills a benchmark SQLite file (a temp dir unless --db is given; never data/library.sqlite) with
   synthetic reports (library.synthetic, names marked （合成）).
2. Times each query/aggregation a page runs: median (and max) over --runs runs, in ms. The dataset
   is timed cold (cache dropped: what the first page view after any upload pays) and warm.
3. Ingests --ingest synthetic report texts through the real parser into a fresh library, the way
   the upload page does (parse, then store, one transaction per report) and prints the total time.

Targets (issue 4): every page interaction ≤ 300 ms median; 1,000 text reports ≤ 2 minutes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from library import aggregate as agg  # noqa: E402
from library.export import export_csv, export_excel, export_tables_excel  # noqa: E402
from library.filters import Filters  # noqa: E402
from library.ingest import ingest_upload  # noqa: E402
from library.store import Library  # noqa: E402
from library.synthetic import populate, specs, synthetic_text  # noqa: E402

TARGET_MS = 300.0


def timed(
    fn: Callable[[], object], runs: int, before: Callable[[], None] | None = None
) -> tuple[float, float]:
    """Median and max wall time of ``fn`` in ms (``before`` runs untimed ahead of each call)."""
    times = []
    for _ in range(runs):
        if before:
            before()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=5000)
    ap.add_argument("--ingest", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--db", type=Path, default=None, help="benchmark SQLite file (reused if it exists)")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="nianbao-bench-")
    db = args.db or Path(tmp.name) / "bench.sqlite"
    lib = Library(f"sqlite:///{db.resolve()}")
    have = lib.counts()["reports"]
    if have < args.reports:
        t0 = time.perf_counter()
        populate(lib, args.reports)
        dt = time.perf_counter() - t0
        print(
            f"populate: {args.reports} synthetic reports stored in {dt:.1f} s "
            f"({args.reports / dt:.0f} reports/s), db {db.stat().st_size / 1e6:.0f} MB"
        )
    counts = lib.counts()
    print(f"library: {counts['reports']} reports, {counts['cells']} cells, {counts['agencies']} agencies")

    def drop_cache() -> None:
        lib._cache = None  # what the first view after a write pays

    full = lib.dataset()
    opts = lib.filter_options()
    one_year = Filters(years=[opts["years"][0]])
    one_region = Filters(regions=[opts["regions"][0]])
    some_id = int(full["report_id"].iloc[len(full) // 2])
    rows: list[tuple[str, float, float]] = []

    def bench(name: str, fn: Callable[[], object], before: Callable[[], None] | None = None) -> None:
        med, worst = timed(fn, args.runs, before)
        rows.append((name, med, worst))

    bench("revision()", lib.revision)
    bench("filter_options()", lib.filter_options)
    bench("counts()", lib.counts)
    bench("dataset() cold, all", lambda: lib.dataset(), drop_cache)
    bench("dataset() cold, one year", lambda: lib.dataset(one_year), drop_cache)
    bench("dataset() warm, all", lambda: lib.dataset())
    bench("dataset() warm, one region", lambda: lib.dataset(one_region))
    bench("list() all", lambda: lib.list())
    bench("list() one year", lambda: lib.list(one_year))
    bench("search('教育局')", lambda: lib.search("教育局"))
    bench("search(text word '性能测试')", lambda: lib.search("性能测试"))
    bench("get(id)", lambda: lib.get(some_id))
    bench("original_bytes(id)", lambda: lib.original_bytes(some_id))
    bench("failed_checks() all", lambda: lib.failed_checks())
    bench("unmatched_labels() all", lambda: lib.unmatched_labels())
    for name in (
        "kpis",
        "agency_table",
        "normative_documents",
        "enforcement",
        "enforcement_trend",
        "applicants_by_type",
        "outcome_mix",
        "carry_over",
        "carry_over_consistency",
        "application_flow",
        "review_litigation",
        "quality_summary",
        "duplicate_agency_years",
    ):
        fn = getattr(agg, name)
        bench(f"aggregate.{name}(all)", lambda fn=fn: fn(full))
    year_df = lib.dataset(one_year)
    bench(
        "overview page (dataset warm+kpis+agency_table, one year)",
        lambda: (agg.kpis(lib.dataset(one_year)), agg.agency_table(lib.dataset(one_year))),
    )
    bench("export_csv(one year)", lambda: export_csv(year_df))
    bench("export_excel(one year)", lambda: export_excel(year_df))
    bench(
        "export_tables_excel(pack tables, one year)",
        lambda: export_tables_excel(
            {
                "总览": agg.kpi_table(year_df),
                "单位": agg.agency_table(year_df),
                "规范性文件": agg.normative_documents(year_df),
                "办理结果": agg.outcome_mix(year_df),
            }
        ),
    )

    width = max(len(r[0]) for r in rows)
    print(f"\n{'query':<{width}}  median ms   max ms")
    for name, med, worst in rows:
        flag = "" if med <= TARGET_MS else "   <-- over 300 ms"
        print(f"{name:<{width}}  {med:9.1f} {worst:8.1f}{flag}")
    print(f"\nrows in one year: {len(year_df)}; all rows: {len(full)}")

    if args.ingest:
        ing_lib = Library(f"sqlite:///{(Path(tmp.name) / 'ingest.sqlite').resolve()}")
        texts = [
            (f"synthetic-{i:04d}.txt", synthetic_text(s).encode()) for i, s in enumerate(specs(args.ingest))
        ]
        done = {"n": 0}

        def progress(i: int, total: int, name: str) -> None:
            done["n"] = i

        t0 = time.perf_counter()
        statuses: dict[str, int] = {}
        for name, data in texts:
            for result in ingest_upload(ing_lib, data, name, progress=progress):
                statuses[result.status] = statuses.get(result.status, 0) + 1
        dt = time.perf_counter() - t0
        print(
            f"\ningest: {args.ingest} text reports parsed + stored in {dt:.1f} s "
            f"({dt / args.ingest * 1000:.1f} ms each; target 120 s); statuses {statuses}"
        )
        ing_lib.close()
    lib.close()
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

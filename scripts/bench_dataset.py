"""Benchmark: the standardised dataset right after a write, at the sizes of the growth table.

    .venv/bin/python scripts/bench_dataset.py --db /tmp/nianbao-bench-ui-synthetic-50000.sqlite
    .venv/bin/python scripts/bench_dataset.py --db … --code /path/to/other/checkout   # the same, old code

Each round writes a correction of one report's figure (then removes it, as scripts/bench_ui.py does)
and times what a page then asks of the library: ``Library.dataset()`` for every report and for one
year. Prints the median and spread over ``--rounds`` and the load average. ``--code`` imports the
library from another checkout (same database), so the code before a change is measured the same way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, required=True, help="a synthetic benchmark library (SQLite)")
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    from library.filters import Filters
    from library.store import Library

    lib = Library(f"sqlite:///{args.db}")
    start = time.perf_counter()
    full = lib.dataset()
    first = time.perf_counter() - start
    report_id, year = int(full["report_id"].iloc[0]), int(full["year"].dropna().iloc[0])
    times: list[float] = []
    for _ in range(args.rounds):
        correction = lib.add_correction(report_id, "n.proactive_total", 1, "基准测试")
        lib.remove_correction(correction)
        start = time.perf_counter()
        lib.dataset()
        lib.dataset(Filters(years=(year,)))
        times.append(time.perf_counter() - start)
    print(
        f"{args.code.name}: {len(full)} reports; first read {first * 1000:.0f} ms; after a write "
        f"{statistics.median(times) * 1000:.0f} ms median ({min(times) * 1000:.0f}–{max(times) * 1000:.0f}) "
        f"over {args.rounds}; load {os.getloadavg()[0]:.2f}"
    )
    lib.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

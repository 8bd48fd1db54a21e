"""Benchmark of collecting reports from websites (not a test): N report pages from the local test server
into a fresh SQLite library, as ``python -m library collect`` does it (fetch, parse, store).

    .venv/bin/python scripts/bench_collect.py [--pages 200] [--hosts 10] [--interval 0.5] [--workers 4]

The pages are :func:`tests.collect_server.add_report_pages`' (distinct synthetic agencies, realistic CMS
pages with the official tables, each page about 60 KB). Two runs, each on a fresh library:

1. **One host, no pause**: the column page listing all N reports, on 127.0.0.1, with no politeness
   interval: what the collector itself costs per page (fetch, sniff, parse in the worker pool, store,
   record the fetch). Target: N = 200 in under one minute.
2. **The real policy on several hosts**: the same N pages spread over ``--hosts`` host names
   (``site0.bench.test`` …, resolved to 127.0.0.1 by the fetcher's resolver: the server does not care
   which name it is called by) with the fetcher's default per-host interval (``--interval``, 0.5 s):
   agencies publish on their own sites, so a real batch spreads over many hosts and the fetch-ahead
   threads spend one host's pause on the others.

With the real policy on ONE host, N pages take at least (N − 1) × interval by design (99.5 s for 200
pages at 0.5 s): the politeness, not the collector, sets that figure; it is printed, not run.
Every figure is printed with the 1-minute load average (2 cores shared with other jobs).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from collect_server import CollectServer, add_report_pages  # noqa: E402

from library.collect import pipeline  # noqa: E402
from library.collect.fetch import Fetcher, FetchPolicy  # noqa: E402
from library.ingest import parse_one  # noqa: E402
from library.store import Library  # noqa: E402

TARGET_S = 60.0


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def _on_host(url: str, host: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, f"{host}:{parts.port}", parts.path, parts.query, ""))


def _run(
    label: str,
    targets: Sequence[str],
    policy: FetchPolicy,
    workers: int,
    expected: int,
    resolver=None,
) -> tuple[float, Counter]:
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(f"sqlite:///{Path(tmp) / 'library.sqlite'}")
        try:
            load = _load()
            with Fetcher(policy, resolver=resolver) as fetcher:
                start = time.perf_counter()
                results = pipeline.collect(
                    lib, list(targets), fetch=fetcher.fetch, max_reports=expected, workers=workers
                )
                seconds = time.perf_counter() - start
            counts = Counter(r.result for r in results)
            stored = len(lib.dataset())
        finally:
            lib.close()
    pages = counts["stored"] + counts["version"]
    rate = pages / seconds if seconds else 0.0
    verdict = "under" if seconds < TARGET_S else "OVER"
    print(
        f"{label}: {pages} pages stored ({stored} in the library) in {seconds:.1f} s = {rate:.1f} pages/s "
        f"({verdict} {TARGET_S:.0f} s); results {dict(counts)}; load {load} → {_load()}",
        flush=True,
    )
    return seconds, counts


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when a page was not stored."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--interval", type=float, default=FetchPolicy.per_host_interval_s)
    parser.add_argument("--workers", type=int, default=pipeline.FETCH_WORKERS)
    args = parser.parse_args(argv)
    n = args.pages
    with CollectServer() as server:
        urls = add_report_pages(server, n)
        column = server.url("/bench/index.html")
        parse_one(b"warm-up", "warm.txt", None)  # start the parse workers before the clock runs
        print(
            f"{n} report pages on {server.host}; fetch-ahead threads {args.workers}; "
            f"one fresh SQLite library per run",
            flush=True,
        )
        local = FetchPolicy(allowed_hosts=frozenset({"127.0.0.1"}), per_host_interval_s=0.0)
        _, one = _run("1. one host, no pause (the column page)", [column], local, args.workers, n)
        hosts = [f"site{k}.bench.test" for k in range(max(1, args.hosts))]
        spread = [_on_host(u, hosts[i % len(hosts)]) for i, u in enumerate(urls)]
        polite = FetchPolicy(allowed_hosts=frozenset(hosts), per_host_interval_s=args.interval)
        _, many = _run(
            f"2. real policy ({args.interval:g} s per host) on {len(hosts)} hosts",
            spread,
            polite,
            args.workers,
            n,
            resolver=lambda host, port: ["127.0.0.1"],
        )
        print(
            f"   (real policy on ONE host: at least {(n - 1) * args.interval:.1f} s for {n} pages by design, "
            "not run)",
            flush=True,
        )
    complete = one["stored"] == n and many["stored"] == n
    return 0 if complete else 1


if __name__ == "__main__":
    raise SystemExit(main())

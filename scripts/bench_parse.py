"""Benchmark the text parser: median and p95 milliseconds per text report.

Usage: ``python scripts/bench_parse.py [--synthetic 300] [--repeat 3] [--seed 1]``

Two sources of reports:
- the seed reports (real pasted web text) from ``../shared/seeds`` (or ``sample_reports/`` when the
  shared folder is not beside the repo);
- synthetic reports, generated in memory (never written to disk): random values of both template
  versions rendered by ``tests/render_text.py`` in every text layout. They are labelled "synthetic".

Each report is parsed ``--repeat`` times with :func:`parsing.api.parse_bytes` (the whole pipeline:
decode, rows, interpretation, metadata, narrative, checks); its time is the median of those runs.
The first parse of the process (imports, OpenCC dictionaries) is reported on its own and excluded.
Target: median ≤ 20 ms per report.

``--worker`` parses through :class:`parsing.worker.Worker` instead, as ``python -m parsing`` and the
ingest do (one worker process for the whole run, the bytes and the result crossing a pipe); CPU time
is then the parent's only, so read the wall time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from render_text import LAYOUTS, ReportSpec, render  # noqa: E402

from parsing import schema  # noqa: E402
from parsing.api import parse_bytes  # noqa: E402

TARGET_MS = 20.0


def seed_reports() -> list[tuple[str, str, bytes]]:
    """(group, name, bytes) for every real seed report found."""
    for folder in (ROOT.parent / "shared" / "seeds", ROOT / "sample_reports"):
        files = sorted(folder.glob("*.txt"))
        if files:
            return [("seed", f.name, f.read_bytes()) for f in files]
    return []


def _random_value(key: str, rng: random.Random) -> str:
    spec = schema.CELLS[key]
    if rng.random() < 0.05:
        return rng.choice(["/", "-", "无"])
    if spec.kind == "signed":
        return rng.choice(["0", f"+{rng.randint(1, 50)}", f"-{rng.randint(1, 50)}", f"增{rng.randint(1, 9)}"])
    if spec.kind == "amount":
        return f"{rng.randint(0, 9999)}.{rng.randint(0, 99):02d}"
    return str(rng.randint(0, 30) if rng.random() < 0.7 else rng.randint(0, 99999))


def synthetic_reports(count: int, seed: int) -> list[tuple[str, str, bytes]]:
    """(group, name, bytes) for ``count`` synthetic reports spread over every layout and both versions."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        layout = LAYOUTS[i % len(LAYOUTS)]
        s2v, s3v = rng.choice(schema.VERSIONS), rng.choice(schema.VERSIONS)
        keys = schema.cell_keys(s2v, "s2") + schema.cell_keys(s3v, "s3") + schema.cell_keys(s2v, "s4")
        cells = {k: _random_value(k, rng) for k in keys}
        spec = ReportSpec(
            s2v,
            s3v,
            rng.randint(2019, 2024),
            cells,
            halfwidth=rng.random() < 0.5,
            traditional=rng.random() < 0.25,
            kangxi=rng.random() < 0.25,
        )
        text = render(spec, layout, seed=rng.randrange(2**16))
        out.append((f"synthetic/{layout}", f"synthetic-{i:03d}-{layout}", text.encode("utf-8")))
    return out


PARSE = parse_bytes  # replaced by a worker's parse with --worker


def time_report(data: bytes, name: str, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time in ms of ``repeat`` parses of one report.

    CPU time is printed too because CI and developer machines are shared (2 cores): wall time then
    includes waiting for a core, CPU time does not.
    """
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        PARSE(data, name)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def p95(values: list[float]) -> float:
    """95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(0.95 * len(ordered)) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", type=int, default=300, help="number of synthetic reports (default 300)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="parses per report; its time is their median")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the synthetic reports")
    parser.add_argument("--worker", action="store_true", help="parse in a worker process (the CLI's way)")
    args = parser.parse_args(argv)
    global PARSE
    if args.worker:
        from parsing.worker import Worker

        worker = Worker()
        PARSE = worker.parse

    reports = seed_reports() + synthetic_reports(args.synthetic, args.seed)
    if not reports:
        print("no reports to time", file=sys.stderr)
        return 1
    start = time.perf_counter()
    PARSE(reports[0][2], reports[0][1])  # warm-up: imports, OpenCC, regex compilation
    first_ms = (time.perf_counter() - start) * 1000

    times: dict[str, list[float]] = {}
    cpu_times: dict[str, list[float]] = {}
    per_seed: list[tuple[str, float, float]] = []
    for group, name, data in reports:
        ms, cpu_ms = time_report(data, name, args.repeat)
        times.setdefault(group, []).append(ms)
        cpu_times.setdefault(group, []).append(cpu_ms)
        if group == "seed":
            per_seed.append((name, ms, cpu_ms))

    def line(label: str, wall: list[float], cpu: list[float]) -> str:
        return (
            f"{label:<36} {len(wall):>4} {statistics.median(wall):>10.2f} {p95(wall):>8.2f} {max(wall):>8.2f}"
            f" {statistics.median(cpu):>12.2f}"
        )

    print(f"first parse in this process (warm-up, excluded): {first_ms:.1f} ms")
    print(f"each report parsed {args.repeat}x, its time = median of those runs\n")
    print(f"{'report':<36} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'median CPU ms':>12}")
    print("-" * 83)
    for name, ms, cpu_ms in per_seed:
        print(line(f"seed {name}", [ms], [cpu_ms]))
    for group, values in times.items():
        print(line(group, values, cpu_times[group]))
    print("-" * 83)
    synthetic = [g for g in times if g.startswith("synthetic")]
    if synthetic:
        print(
            line(
                "all synthetic",
                [m for g in synthetic for m in times[g]],
                [m for g in synthetic for m in cpu_times[g]],
            )
        )
    every = [m for values in times.values() for m in values]
    print(line("all reports", every, [m for values in cpu_times.values() for m in values]))
    verdict = "meets" if statistics.median(every) <= TARGET_MS else "MISSES"
    print(f"\nmedian {statistics.median(every):.2f} ms per report {verdict} the {TARGET_MS:.0f} ms target")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the app server's resident memory over repeated filter changes on a big synthetic library.

    .venv/bin/python scripts/bench_memory.py --n 50000 --steps 200

One process serves every interaction through AppTest (the same process-wide caches a real server keeps:
the library's dataset, the results per (revision, filters, scope)). One signed-in session opens the
analysis pages and changes the sidebar filters ``--steps`` times (years, agency types, templates and
their combinations, cycling through the pages), as a supervisor clicking around would. After each
interaction the resident set size (VmRSS of /proc/self/status) is read; the curve is printed every
``--every`` steps, then the start, peak and end, and the growth over the second half (a flat curve
grows by about nothing there once the result caches are full). Target: < 1.5 GB, flat.

The library is the SYNTHETIC benchmark library of scripts/bench_ui.py (built once, in bulk).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_ui  # noqa: E402  (the benchmark library, its account and the AppTest session)

TARGET_MB = 1536.0
PAGES = ("总览", "主动公开", "依申请公开", "复议诉讼", "行政许可与执法")


def rss_mb() -> float:
    """This process's resident set size in MiB (VmRSS)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def filter_choices(at) -> list[dict[str, list]]:
    """The filter settings to cycle through: every single year, agency type and template, and
    year × template pairs (distinct settings, so the result caches fill as they would in real use)."""
    years = at.sidebar.multiselect(key="f_years").options
    types = at.sidebar.multiselect(key="f_types").options
    templates = at.sidebar.multiselect(key="f_templates").options
    out: list[dict[str, list]] = [{}]
    out += [{"f_years": [y]} for y in years]
    out += [{"f_types": [t]} for t in types]
    out += [{"f_templates": [t]} for t in templates]
    out += [{"f_years": [y], "f_types": [t]} for y, t in itertools.product(years, types)]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()), help="benchmark libraries")
    parser.add_argument("--n", type=int, default=50000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--every", type=int, default=10)
    args = parser.parse_args()
    bench_ui.quiet()
    db = bench_ui.sqlite_for(args.n, args.dir)
    bench_ui.use_library(db)
    from page_registry import PAGES as REGISTRY

    paths = {spec.title: spec.path for spec in REGISTRY}
    base = rss_mb()
    at = bench_ui.app_on(paths[PAGES[0]])
    choices = filter_choices(at)
    print(f"{args.n} synthetic reports; RSS {base:.0f} MiB after imports, {rss_mb():.0f} MiB after one page")
    print(f"{'step':>5}{'RSS (MiB)':>11}{'ms':>8}  page, filters   (load {os.getloadavg()[0]:.2f})")
    curve: list[float] = []
    for step in range(1, args.steps + 1):
        page = PAGES[step % len(PAGES)]
        wanted = choices[step % len(choices)]
        at.switch_page(paths[page]).run()
        for key in ("f_years", "f_types", "f_templates"):
            at.sidebar.multiselect(key=key).set_value(wanted.get(key, []))
        start = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - start
        if at.exception:
            raise RuntimeError([e.value for e in at.exception])
        curve.append(rss_mb())
        if step % args.every == 0 or step == 1:
            shown = wanted or "全部"
            print(f"{step:>5}{curve[-1]:>11.0f}{elapsed * 1000:>8.0f}  {page}, {shown}", flush=True)
    half = curve[len(curve) // 2 :]
    print(
        f"\nRSS over {args.steps} filter changes: first {curve[0]:.0f} MiB, peak {max(curve):.0f} MiB, "
        f"last {curve[-1]:.0f} MiB; second half {half[0]:.0f} → {half[-1]:.0f} MiB "
        f"({half[-1] - half[0]:+.0f} MiB). Target < {TARGET_MB:.0f} MiB: "
        f"{'met' if max(curve) < TARGET_MB else 'MISSED'} (load {os.getloadavg()[0]:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the findings (审核意见) of a 5,000-report library, cold and cached.

    .venv/bin/python scripts/bench_findings.py                  # builds (once) and reuses the library
    .venv/bin/python scripts/bench_findings.py --db /tmp/f.sqlite --n 5000

The library is SYNTHETIC (library.synthetic: agencies named "（合成）…", figures by its generator) and
lives in its own SQLite file outside the repository. So that the copy detection and the section
check have real work to do, each report's text is the full report layout of
:func:`library.synthetic.synthetic_text` plus about 1,500 characters of prose, written from a pool of
clauses: an agency reuses much of its own wording from year to year, as real agencies do.

Figures printed: the cold computation (everything read from the database and computed), the cached
call (statuses applied, filters), the call after a status change (findings stay cached: only the
statuses are read again), one filtered year, and the call after a correction of one report (the
findings kept per report are brought up to date where the write can change them). Target: cold ≤ 10 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET = 10.0

_SUBJECTS = (
    "我单位",
    "本机关",
    "局党组",
    "办公室",
    "各科室",
    "信息公开工作领导小组",
    "政务公开专班",
    "各下属单位",
)
_ACTIONS = (
    "坚持以习近平新时代中国特色社会主义思想为指导",
    "认真贯彻落实政府信息公开条例",
    "持续完善主动公开目录",
    "规范依申请公开办理流程",
    "加强政府网站和政务新媒体管理",
    "强化信息发布保密审查",
    "推进重点领域信息公开",
    "做好政策解读和回应关切",
    "健全政务公开考核机制",
    "开展业务培训和跟班学习",
    "加强答复文书规范化建设",
    "优化政府信息公开专栏设置",
)
_ENDS = (
    "取得明显成效",
    "确保公开信息及时准确",
    "切实保障群众知情权",
    "不断提升公开质量",
    "形成长效机制",
    "群众满意度持续提高",
)


def _clause_pool() -> list[str]:
    return [f"{s}{a}，{e}" for s in _SUBJECTS for a in _ACTIONS for e in _ENDS]


def _prose(rng: random.Random, own: list[str], pool: list[str], n: int = 40) -> str:
    """About ``n`` clauses: two thirds from the agency's own wording, the rest from the common pool."""
    picked = rng.sample(own, min(len(own), 2 * n // 3)) + rng.sample(pool, n // 3)
    rng.shuffle(picked)
    return "。".join(picked) + "。"


def build_library(path: Path, n: int) -> None:
    """Create the synthetic benchmark library at ``path`` unless it already holds ``n`` reports."""
    from bench_ui import library_to_build

    from library.synthetic import specs, synthetic_bytes, synthetic_parsed, synthetic_text

    lib = library_to_build(path, n)
    if lib is None:
        return
    start = time.perf_counter()
    pool = _clause_pool()
    for i, spec in enumerate(specs(n), 1):
        parsed = synthetic_parsed(spec)
        agency_rng = random.Random(spec.agency)
        own = agency_rng.sample(pool, 45)
        text = synthetic_text(spec)
        head, rest = text.split("二、主动公开政府信息情况", 1)
        prose = _prose(random.Random(f"{spec.agency}{spec.year}"), own, pool)
        parsed.text = f"{head}{prose}\n\n二、主动公开政府信息情况{rest}"
        lib.add(parsed, synthetic_bytes(parsed), agency_type=spec.agency_type)
        if i % 500 == 0:
            print(f"  populated {i}/{n}", flush=True)
    print(f"built {path}: {lib.counts()['reports']} reports in {time.perf_counter() - start:.1f} s")
    lib.close()


def measure(path: Path) -> dict[str, float]:
    """Seconds of: cold findings, cached findings, findings after a status change, one filtered year."""
    from library.filters import Filters
    from library.store import Library

    lib = Library(f"sqlite:///{path}")
    lib.dataset()  # the pages read the dataset anyway: its own cost is not the findings'
    times: dict[str, float] = {}
    start, cpu = time.perf_counter(), time.process_time()
    found = lib.findings()
    times["cold"] = time.perf_counter() - start
    # CPU seconds of this process: on a shared machine the wall time also counts other jobs' load.
    times["cold_cpu"] = time.process_time() - cpu
    start = time.perf_counter()
    lib.findings()
    times["cached"] = time.perf_counter() - start
    first = next(f for f in found if f.report_id is not None)
    lib.set_finding_status(first.report_id, first.key, "confirmed", who="bench")
    start = time.perf_counter()
    lib.findings()
    times["after_status"] = time.perf_counter() - start
    lib.set_finding_status(first.report_id, first.key, "open", who="bench")
    start = time.perf_counter()
    lib.findings(Filters(years=[2023]))
    times["one_year"] = time.perf_counter() - start
    # A reviewer's correction of one report (then its removal): the findings are brought up to date
    # for that report and its neighbours only (library.findings._advance), not computed afresh.
    correction = lib.add_correction(first.report_id, "s3.r1_new_received.total", 1, "基准测试", who="bench")
    lib.dataset()  # the dataset's own refresh is not the findings' cost
    start = time.perf_counter()
    lib.findings()
    times["after_write"] = time.perf_counter() - start
    lib.remove_correction(correction, who="bench")
    by_code: dict[str, int] = {}
    for f in found:
        by_code[f.code] = by_code.get(f.code, 0) + 1
    print(f"{len(found)} findings: {dict(sorted(by_code.items()))}")
    lib.close()
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "nianbao_bench_findings.sqlite")
    ap.add_argument("--n", type=int, default=5000)
    args = ap.parse_args()
    build_library(args.db, args.n)
    times = measure(args.db)
    for name, seconds in times.items():
        print(f"{name:>13}: {seconds:7.3f} s")
    ok = times["cold"] <= TARGET
    print(
        f"cold findings for {args.n} reports: {times['cold']:.2f} s "
        f"({'within' if ok else 'ABOVE'} {TARGET:.0f} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of bulk ingest (not a test): ``python -m library ingest`` with 1 and with 2 workers.

    .venv/bin/python scripts/bench_ingest.py [--texts 1000] [--pdfs 100] [--runs 1] [--batches 1 50 200]

1. Builds a temp folder of ``--texts`` synthetic report texts (library.synthetic, names marked （合成）)
   and one of ``--pdfs`` PDFs: the rendered seeds (sample_reports/rendered) and the real reports of
   sample_reports, each copy saved again with its own document information (pypdf), so every copy has
   different bytes and the sha256 de-duplication stores all of them.
2. Runs the command as a user would, as a whole process, on a fresh SQLite library each time: texts
   and PDFs, with 1 and with 2 workers in turn (1, 2, 1, 2, … for ``--runs``), and prints seconds,
   reports per second, the 2-vs-1 ratio (target ≥ 1.6× for the texts) and the peak resident memory of
   the whole process tree (parent, ingest processes and their parse workers, sampled every 0.1 s).
3. Memory against batch size: the texts with 2 workers and ``--batch`` 1, 50 and 200.
4. The same 1-vs-2 runs against PostgreSQL when ``NIANBAO_TEST_PG_URL`` is set (a fresh database per
   run, dropped afterwards; ``bash scripts/start_postgres.sh`` starts one).

Every figure is printed with the 1-minute load average before and after the run: the machine has
2 cores, and a run that shared them with other jobs is slower than it would be on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from proc_tree import rss, tree  # noqa: E402

from library.synthetic import specs, synthetic_text  # noqa: E402

PG_ENV = "NIANBAO_TEST_PG_URL"
TARGET_RATIO = 1.6


# ---------------------------------------------------------------------- the corpus


def write_texts(folder: Path, n: int) -> None:
    """``n`` synthetic report texts (distinct agencies and years)."""
    folder.mkdir(parents=True)
    for i, spec in enumerate(specs(n)):
        (folder / f"{i:05d}.txt").write_text(synthetic_text(spec), encoding="utf-8")


def write_pdfs(folder: Path, n: int) -> None:
    """``n`` PDFs: the sample PDFs in turn, each copy with its own title and subject (new bytes)."""
    from pypdf import PdfReader, PdfWriter

    sources = sorted((ROOT / "sample_reports" / "rendered").glob("*.pdf"))
    sources += sorted((ROOT / "sample_reports").glob("*.pdf"))
    folder.mkdir(parents=True)
    for i in range(n):
        source = sources[i % len(sources)]
        writer = PdfWriter(clone_from=PdfReader(source))
        writer.add_metadata({"/Title": f"{source.stem} copy {i}", "/Subject": "ingest benchmark copy"})
        with open(folder / f"{i:03d}_{source.stem}.pdf", "wb") as fh:
            writer.write(fh)


# ---------------------------------------------------------------------- one run


@dataclass
class Run:
    label: str
    workers: int
    batch: int
    seconds: float
    stored: int
    peak_tree_mb: float  # all processes of the command together
    peak_one_mb: float  # the largest single process
    load_before: float
    load_after: float


def ingest(folder: Path, workers: int, batch: int, env: dict[str, str], label: str) -> Run:
    """Time ``python -m library ingest folder`` as a whole process, sampling its tree's memory."""
    command = [sys.executable, "-m", "library", "ingest", str(folder), "--workers", str(workers)]
    command += ["--batch", str(batch), "--who", "性能测试"]
    load_before = os.getloadavg()[0]
    peak_tree = peak_one = 0
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            sizes = [rss(pid) for pid in tree(proc.pid)]
            peak_tree, peak_one = max(peak_tree, sum(sizes)), max(peak_one, max(sizes, default=0))
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        out.seek(0)
        lines = out.read().splitlines()
    stored = sum(line.startswith("[已保存]") for line in lines)
    if proc.returncode != 0:
        print("\n".join(lines[-5:]), file=sys.stderr)
    return Run(
        label,
        workers,
        batch,
        seconds,
        stored,
        peak_tree / 2**20,
        peak_one / 2**20,
        load_before,
        os.getloadavg()[0],
    )


def sqlite_env(tmp: Path) -> dict[str, str]:
    """The environment of a run on a fresh SQLite library."""
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_DATABASE_URL"}
    env["NIANBAO_DB_PATH"] = str(tmp / f"bench-{uuid.uuid4().hex[:8]}.sqlite")
    return env


class FreshPostgres:
    """A new database on the server of ``NIANBAO_TEST_PG_URL`` for one run, dropped afterwards."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.base = make_url(url)
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.name = f"nianbao_bench_{uuid.uuid4().hex[:8]}"

    def __enter__(self) -> dict[str, str]:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        env = dict(os.environ)
        env["NIANBAO_DATABASE_URL"] = self.base.set(database=self.name).render_as_string(hide_password=False)
        return env

    def __exit__(self, *exc) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


# ---------------------------------------------------------------------- report


def _row(run: Run, n: int) -> str:
    return (
        f"| {run.label} | {run.workers} | {run.batch} | {run.seconds:.1f} s | "
        f"{run.stored / run.seconds:.0f} | "
        f"{run.stored}/{n} | {run.peak_tree_mb:.0f} MB ({run.peak_one_mb:.0f} MB) | "
        f"{run.load_before:.2f} → {run.load_after:.2f} |"
    )


def side_by_side(label: str, folder: Path, n: int, runs: int, batch: int, env_of) -> list[Run]:
    """1 and 2 workers in turn, ``runs`` times each; prints every run and the median ratio."""
    done: list[Run] = []
    for _ in range(runs):
        for workers in (1, 2):
            with env_of() as env:
                run = ingest(folder, workers, batch, env, label)
            print(_row(run, n), flush=True)
            done.append(run)
    one = statistics.median(r.seconds for r in done if r.workers == 1)
    two = statistics.median(r.seconds for r in done if r.workers == 2)
    print(
        f"|  | {label}: 2 workers vs 1 | | **{one / two:.2f}×** (median {one:.1f} s → {two:.1f} s) | | | | |"
    )
    return done


class _Sqlite:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp

    def __enter__(self) -> dict[str, str]:
        return sqlite_env(self.tmp)

    def __exit__(self, *exc) -> None:
        pass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=1000)
    ap.add_argument("--pdfs", type=int, default=100)
    ap.add_argument("--runs", type=int, default=1, help="runs of each worker count (median quoted)")
    ap.add_argument("--batch", type=int, default=50, help="--batch of the 1-vs-2 runs")
    ap.add_argument(
        "--batches", type=int, nargs="*", default=[1, 50, 200], help="batch sizes of the memory runs"
    )
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="nianbao-bench-ingest-") as name:
        tmp = Path(name)
        texts, pdfs = tmp / "texts", tmp / "pdfs"
        write_texts(texts, args.texts)
        write_pdfs(pdfs, args.pdfs)
        print(
            f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; load {os.getloadavg()[0]:.2f}"
        )
        print(
            "| what | workers | batch | time | reports/s | stored | "
            "peak memory, all processes (largest one) | load 1 min |"
        )
        print("|---|---|---|---|---|---|---|---|")
        side_by_side("texts, SQLite", texts, args.texts, args.runs, args.batch, lambda: _Sqlite(tmp))
        side_by_side("PDFs, SQLite", pdfs, args.pdfs, args.runs, args.batch, lambda: _Sqlite(tmp))
        for batch in args.batches:
            with _Sqlite(tmp) as env:
                print(
                    _row(ingest(texts, 2, batch, env, "texts, SQLite (memory vs batch)"), args.texts),
                    flush=True,
                )
        pg = os.environ.get(PG_ENV, "").strip()
        if pg:
            side_by_side(
                "texts, PostgreSQL", texts, args.texts, args.runs, args.batch, lambda: FreshPostgres(pg)
            )
            side_by_side(
                "PDFs, PostgreSQL", pdfs, args.pdfs, args.runs, args.batch, lambda: FreshPostgres(pg)
            )
        else:
            print(f"(PostgreSQL skipped: {PG_ENV} not set)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run the hostile corpus through ``python -m parsing`` in batches and print one summary line.

Usage: ``python scripts/hostile_run.py [--small] [--batch 8] [--keep DIR]``

The corpus is ``tests/hostile_corpus.py`` (deterministic; ``--small`` is the sample of the test
suite). Each batch is one call of the command line with one good report (a real seed, in turn
text, HTML, DOCX, PDF) followed by hostile files. Per hostile document the outcome is one of:

- parsed: an object without ``error``;
- clean error: an error object with a stable code other than ``internal``;
- internal error: an ``internal`` error object (a traceback caught);
- crash: the call printed no valid JSON, gave no object for the file, or a wrong exit status;
- hang: the call did not finish within the budget of its documents (plus a minute).

A good file is lost when its object is missing, has an error, or has other cells than when it is
parsed alone. Peak memory is the largest sum of the resident memory of the call and every process
under it (the parse worker), sampled every 0.1 s.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import hostile_corpus as corpus  # noqa: E402
from proc_tree import children, tree_rss  # noqa: E402

from parsing.api import parse_path  # noqa: E402
from parsing.limits import get_limits  # noqa: E402


def _run(paths: list[Path], timeout: float) -> tuple[int | None, bytes, int]:
    """(exit status or None on timeout, stdout, peak tree RSS) of one CLI call."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "parsing", *[os.fsencode(p) for p in paths]],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, _ = proc.communicate(timeout=timeout)
        status: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        for child in children().get(proc.pid, []):
            try:
                os.kill(child, 9)
            except OSError:
                pass
        proc.kill()
        out, _ = proc.communicate()
        status = None
    done.set()
    sampler.join()
    return status, out, peak[0]


def _name_of(obj: dict) -> bytes:
    if "file_b64" in obj:
        return base64.b64decode(obj["file_b64"])
    return os.fsencode(obj["file"])


def _objects_for(path: Path, objects: list[dict]) -> list[dict]:
    key = os.fsencode(path)
    return [o for o in objects if _name_of(o) == key or _name_of(o).startswith(key + b"/")]


def _cells(obj: dict) -> dict:
    return {k: v.get("value") for k, v in (obj.get("cells") or {}).items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="the small sample of the test suite only")
    parser.add_argument("--batch", type=int, default=8, help="hostile files per call")
    parser.add_argument("--keep", help="write the corpus into this folder and keep it")
    args = parser.parse_args()
    limits = get_limits()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hostile-"))
    folder.mkdir(parents=True, exist_ok=True)
    goods = corpus.good_reports()
    baseline = {g: _cells(parse_path(g)[0].to_json()) for g in goods}
    stats = dict.fromkeys(("tried", "clean", "parsed", "internal", "crashes", "hangs", "good_lost"), 0)
    peak = 0
    batch: list[Path] = []
    n_batch = 0
    cases = corpus.cases(full=not args.small)
    while True:
        case = next(cases, None)
        if case is not None:
            batch.append(corpus.write(case, folder))
        if batch and (len(batch) >= args.batch or case is None):
            good = goods[n_batch % len(goods)]
            n_batch += 1
            budget = (len(batch) + 1) * limits.document_seconds(limits.max_ocr_pages) + 60
            status, out, rss = _run([good, *batch], budget)
            peak = max(peak, rss)
            _tally(stats, good, batch, status, out, baseline[good])
            for path in batch:
                if not args.keep:
                    os.unlink(path)
            batch = []
            print(f"batch {n_batch}: {dict(stats)} peak {peak / 2**20:.0f} MB", file=sys.stderr, flush=True)
        if case is None:
            break
    print(
        f"tried {stats['tried']}, clean errors {stats['clean']}, parsed {stats['parsed']}, "
        f"internal errors {stats['internal']}, crashes {stats['crashes']}, hangs {stats['hangs']}, "
        f"good files lost {stats['good_lost']}, peak memory {peak / 2**20:.0f} MB"
    )
    bad = stats["internal"] + stats["crashes"] + stats["hangs"] + stats["good_lost"]
    return 1 if bad or peak > 1.5 * 2**30 else 0


def _tally(
    stats: dict, good: Path, batch: list[Path], status: int | None, out: bytes, good_cells: dict
) -> None:
    stats["tried"] += len(batch)
    if status is None:
        stats["hangs"] += len(batch)
        stats["good_lost"] += 1
        return
    try:
        objects = json.loads(out.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        stats["crashes"] += len(batch)
        stats["good_lost"] += 1
        return
    mine = _objects_for(good, objects)
    if len(mine) != 1 or mine[0]["error"] is not None or _cells(mine[0]) != good_cells:
        stats["good_lost"] += 1
    any_error = any(o["error"] is not None for o in objects)
    if status != (1 if any_error else 0):
        stats["crashes"] += len(batch)
        return
    for path in batch:
        found = _objects_for(path, objects)
        if not found or (len(found) > 1 and not _is_zip(path)):
            stats["crashes"] += 1
        elif any(o["error"] is not None and o["error"]["code"] == "internal" for o in found):
            stats["internal"] += 1
        elif found[0]["error"] is None and len(found) == 1:
            stats["parsed"] += 1
        else:
            stats["clean"] += 1


def _is_zip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06")


if __name__ == "__main__":
    sys.exit(main())

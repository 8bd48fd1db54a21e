"""Two sessions saving to one SQLite file at the same moment lose nothing (threads and processes)."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest
from paths import SHARED_SEEDS as SEEDS

from library.store import Library
from library.synthetic import specs, synthetic_bytes, synthetic_parsed
from parsing.api import parse_bytes
from parsing.report import Check


def _add_range(url: str, start: int, stop: int, broken_every: int = 0) -> list[str]:
    """Add synthetic reports start..stop-1 through a Library of its own (one browser session)."""
    lib = Library(url)
    errors = []
    try:
        for i, spec in enumerate(specs(stop)[start:stop], start):
            parsed = synthetic_parsed(spec)
            if broken_every and i % broken_every == 0:
                parsed.checks.append(Check(rule="X", where="w", status=None))  # NOT NULL violation
                try:
                    lib.add(parsed, synthetic_bytes(parsed))
                    errors.append(f"{i}: broken report was stored")
                except Exception:  # noqa: BLE001 - expected: the add must fail as a whole
                    pass
                continue
            _, created = lib.add(parsed, synthetic_bytes(parsed))
            if not created:
                errors.append(f"{i}: not created")
    except Exception as exc:  # noqa: BLE001 - reported to the parent test
        errors.append(repr(exc))
    finally:
        lib.close()
    return errors


def _counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {
            t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("reports", "report_files", "cells")
        }
    finally:
        con.close()


def test_two_threads_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite"
    url = f"sqlite:///{path}"
    Library(url).close()
    results: dict[int, list[str]] = {}
    barrier = threading.Barrier(2)

    def run(k: int, start: int, stop: int) -> None:
        barrier.wait()
        results[k] = _add_range(url, start, stop, broken_every=7)

    threads = [threading.Thread(target=run, args=(0, 0, 30)), threading.Thread(target=run, args=(1, 30, 60))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {0: [], 1: []}
    broken = len([i for i in range(60) if i % 7 == 0])
    lib = Library(url)
    assert lib.counts()["reports"] == 60 - broken
    stored = set(lib.list()["filename"])
    expected = {synthetic_parsed(s).file for i, s in enumerate(specs(60)) if i % 7}
    assert stored == expected
    # No partial rows of the failed adds: every file and cell row belongs to a stored report.
    counts = _counts(path)
    assert counts["report_files"] == counts["reports"]
    assert counts["cells"] == sum(lib.list()["n_cells"])
    lib.close()


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite"
    url = f"sqlite:///{path}"
    Library(url).close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        outcomes = pool.starmap(_add_range, [(url, 0, 25), (url, 25, 50)])
    assert outcomes == [[], []]
    lib = Library(url)
    assert lib.counts()["reports"] == 50
    assert _counts(path)["report_files"] == 50
    lib.close()


def test_same_file_saved_by_two_sessions_at_once_is_stored_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lib.sqlite'}"
    Library(url).close()
    data = (SEEDS / "000_bd3a826d0705f6e5.txt").read_bytes()
    parsed = parse_bytes(data, "000.txt")
    out: list[tuple[int, bool]] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        lib = Library(url)
        barrier.wait()
        out.append(lib.add(parsed, data))
        lib.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 4
    assert len({rid for rid, _ in out}) == 1
    assert sorted(created for _, created in out) == [False, False, False, True]


@pytest.mark.parametrize("workers", [4])
def test_one_shared_library_used_by_many_threads(tmp_path: Path, workers: int) -> None:
    """The UI keeps one Library per process (st.cache_resource): sessions share it across threads."""
    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    all_specs = specs(workers * 8)
    errors: list[str] = []

    def run(k: int) -> None:
        try:
            for spec in all_specs[k::workers]:
                parsed = synthetic_parsed(spec)
                lib.add(parsed, synthetic_bytes(parsed))
                lib.dataset()  # readers interleave with writers
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(lib.dataset()) == workers * 8
    lib.close()

"""library.heap: the dataset's long-lived objects are frozen out of the cyclic collector after a large
full read, and nothing in a reference cycle is lost for good."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from library import heap, queries
from library.store import Library
from library.synthetic import populate


class Node:
    """An object that can sit in a reference cycle and be watched through a weak reference."""

    def __init__(self) -> None:
        self.other: Node | None = None


def _cycle() -> weakref.ref:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.collect()


def test_a_small_read_freezes_nothing() -> None:
    assert not heap.settle_after_full_read(heap.FREEZE_FROM_REPORTS - 1)
    assert gc.get_freeze_count() == 0


def test_a_large_read_collects_cycles_then_freezes_and_the_next_one_frees_frozen_cycles() -> None:
    garbage = _cycle()  # unreachable already: collected by the settle, not frozen
    kept = Node()
    kept.other = Node()
    kept.other.other = kept
    watched = weakref.ref(kept)
    assert heap.settle_after_full_read(heap.FREEZE_FROM_REPORTS)
    assert garbage() is None
    assert gc.get_freeze_count() > 0
    del kept  # now a frozen cycle without references: the collector does not look at it
    gc.collect()
    assert watched() is not None
    assert heap.settle_after_full_read(heap.FREEZE_FROM_REPORTS)  # the next full read frees it
    assert watched() is None


def test_the_library_settles_after_a_full_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "FREEZE_FROM_REPORTS", 5)
    calls: list[int] = []

    def spy(reports: int) -> bool:
        calls.append(reports)
        return heap.settle_after_full_read(reports)

    monkeypatch.setattr(queries, "settle_after_full_read", spy)
    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    populate(lib, 12, seed=1)
    n = len(lib.dataset())
    assert calls == [n] and gc.get_freeze_count() > 0
    rid = int(lib.dataset()["report_id"].iloc[0])
    lib.add_correction(rid, "n.proactive_total", 7, who="测试")
    assert lib.dataset().set_index("report_id").loc[rid, "n.proactive_total"] == 7
    assert calls == [n]  # a patch re-reads one report: nothing to settle
    lib.close()


def test_the_findings_settle_after_a_full_computation_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from library import findings

    calls: list[int] = []
    monkeypatch.setattr(findings, "settle_after_full_read", calls.append)
    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    populate(lib, 6, seed=2)
    lib.findings()
    assert calls == [len(lib.dataset())]
    rid = int(lib.dataset()["report_id"].iloc[0])
    lib.add_correction(rid, "n.proactive_total", 7, who="测试")
    lib.findings()  # brought up to date from the previous result: nothing settled
    assert calls == [len(lib.dataset())]
    lib.close()

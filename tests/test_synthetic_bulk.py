"""The bulk writer of benchmark libraries writes exactly what Library.add writes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from library.db import CellRow, CheckRow, Report
from library.store import Library
from library.synthetic import populate, populate_bulk, specs, synthetic_parsed

N = 260


def _library(path: Path) -> Library:
    return Library(f"sqlite:///{path}")


def _table_counts(lib: Library) -> tuple[int, int, int]:
    with lib.engine.connect() as conn:
        tables = (Report, CellRow, CheckRow)
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables
        )


def test_bulk_writer_gives_the_rows_of_add(tmp_path: Path) -> None:
    one_by_one, bulk = _library(tmp_path / "add.sqlite"), _library(tmp_path / "bulk.sqlite")
    assert populate(one_by_one, N) == N
    # Built in two steps (a copy of a smaller library extended), with batches that do not divide N.
    assert populate_bulk(bulk, 100, batch=37) == 100
    assert populate_bulk(bulk, N, start=100, batch=64) == N - 100
    assert populate_bulk(bulk, N, batch=64) == 0  # already stored: nothing written twice
    pd.testing.assert_frame_equal(one_by_one.dataset(), bulk.dataset())
    times = ["created_at", "updated_at"]
    pd.testing.assert_frame_equal(one_by_one.list().drop(columns=times), bulk.list().drop(columns=times))
    assert one_by_one.counts() == bulk.counts()
    assert _table_counts(one_by_one) == _table_counts(bulk)


def test_bulk_writer_refuses_real_reports(tmp_path: Path) -> None:
    lib = _library(tmp_path / "real.sqlite")
    parsed = synthetic_parsed(specs(1)[0])
    lib.add(parsed, b"real bytes", agency="某县教育局")
    with pytest.raises(Exception, match="真实报告|real"):
        populate_bulk(lib, 5)

"""The questions asked after every write of a big library are answered from indexes (revision 0005)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from library.migrate import upgrade
from library.store import Library
from library.synthetic import populate

STAMPS = "SELECT id, updated_at FROM reports WHERE superseded_by IS NULL"
FLAGGED = (
    "SELECT report_id, flag, count(*) FROM cells WHERE flag IN ('split', 'unparsed', 'placed_by_rule')"
    " GROUP BY report_id, flag"
)


def _plan(lib: Library, sql: str) -> str:
    with lib.engine.connect() as conn:
        return " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))


@pytest.mark.parametrize("fresh", [True, False])
def test_stamps_and_flagged_cells_come_from_indexes(tmp_path: Path, fresh: bool) -> None:
    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}", migrate=False)
    # Fresh: tables from the models; otherwise revision 0004's schema brought up by the revisions.
    upgrade(lib.engine, target="head" if fresh else "0004_drafts")
    if not fresh:
        upgrade(lib.engine)
    populate(lib, 30)
    with lib.engine.connect() as conn:
        indexes = {ix["name"] for table in ("reports", "cells") for ix in inspect(conn).get_indexes(table)}
    assert {"ix_reports_current_stamp", "ix_cells_flag_report"} <= indexes
    assert "COVERING INDEX ix_reports_current_stamp" in _plan(lib, STAMPS)
    assert "ix_cells_flag_report" in _plan(lib, FLAGGED)

"""quality partial indexes: the current reports with unmatched labels, and those with failed checks.

数据质量 asks for these few reports (a few percent of the library) on every uncached run:
``Library.unmatched_labels`` and ``Library.report_count(failing=True)``. On PostgreSQL each question was
a sequential scan of every report row (~20 ms at 50,000 reports; unmatched_labels did it twice, ~50–80
ms); from a partial index holding only those reports' ids it reads just them. SQLite gets the same
indexes (a partial index is used only by a query whose condition implies it, so no other plan changes).

Revision ID: 0012_quality_partial_indexes
Revises: 0011_rollup_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_quality_partial_indexes"
down_revision = "0011_rollup_indexes"
branch_labels = None
depends_on = None

# The conditions of library.db's UNMATCHED_WHERE / FAILING_WHERE, written out: a revision must not
# change when the models do.
INDEXES = {  # name: condition
    "ix_reports_current_unmatched": "superseded_by IS NULL AND unmatched_count > 0",
    "ix_reports_current_failing": "superseded_by IS NULL AND checks_failed > 0",
}


def upgrade() -> None:
    """Create the indexes unless the models already made them (a library created at this version)."""
    existing = {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes("reports")}
    for name, where in INDEXES.items():
        if name not in existing:
            op.create_index(
                name,
                "reports",
                ["id"],
                sqlite_where=sa.text(where),
                postgresql_where=sa.text(where),
            )


def downgrade() -> None:
    """Drop the indexes (the questions are then answered from the wider indexes and rows again)."""
    for name in INDEXES:
        op.drop_index(name, table_name="reports")

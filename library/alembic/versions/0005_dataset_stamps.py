"""dataset stamps: indexes for the questions asked after every write of a big library.

- ``ix_reports_current_stamp``: Library.dataset re-reads only the reports changed since its last read
  (library.dataset_cache); the question it asks reads (superseded_by, id, updated_at) of every report,
  which without this index scans the whole reports table with its value blobs.
- ``ix_cells_flag_report``: 数据质量 counts the cells with an attention flag per report
  (Library.flagged_cells), a few among millions of cells.

Revision ID: 0005_dataset_stamps
Revises: 0004_drafts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_dataset_stamps"
down_revision = "0004_drafts"
branch_labels = None
depends_on = None

INDEXES = {  # name: (table, columns)
    "ix_reports_current_stamp": ("reports", ["superseded_by", "id", "updated_at"]),
    "ix_cells_flag_report": ("cells", ["flag", "report_id"]),
}


def upgrade() -> None:
    """Create the indexes; idempotent like 0002 (a library whose tables came from the models has them).
    On a big library this takes a while once (about a minute for 15 million cells)."""
    inspector = sa.inspect(op.get_bind())
    for name, (table, columns) in INDEXES.items():
        if name not in {ix["name"] for ix in inspector.get_indexes(table)}:
            op.create_index(name, table, columns)


def downgrade() -> None:
    """Drop the indexes (the dataset and 数据质量 then scan their tables after each write)."""
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)

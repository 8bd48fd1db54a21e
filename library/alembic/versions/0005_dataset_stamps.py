"""dataset stamps: an index that answers "which current reports, changed when" from the index alone.

Library.dataset re-reads only the reports changed since its last read (library.dataset_cache); the
question it asks after every write reads (superseded_by, id, updated_at) of every report, which
without this index scans the whole reports table with its value blobs.

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

INDEX = "ix_reports_current_stamp"


def upgrade() -> None:
    """Create the index; idempotent like 0002 (a library whose tables came from the models has it)."""
    if INDEX in {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes("reports")}:
        return
    op.create_index(INDEX, "reports", ["superseded_by", "id", "updated_at"])


def downgrade() -> None:
    """Drop the index (the dataset then scans the reports table after each write)."""
    op.drop_index(INDEX, table_name="reports")

"""rollup indexes: the (region, year) groups of the current reports, and the people of the audit trail,
from narrow indexes.

- ``ix_reports_region_year``: 汇总表 opens on the region with the most reports of the latest year and
  lists the years a region has (library.rollup.busiest_region, known_years), and the header of 报告库
  counts the regions and years (Library.counts): all group the current reports by region and year.
  Read from ``ix_reports_current_meta`` (15 columns, and a sort per count(DISTINCT)) that took
  ~45–90 ms each at 50,000 reports on SQLite after every write; this index holds only what they ask
  (current or not, region, year, format, agency) in the order they group by: ~5–25 ms.
- ``ix_audit_log_who_region``: the people of 操作记录's filter (library.audit.people, DISTINCT who,
  optionally within regions) scanned the whole trail with its before/after JSON (~50 ms at 50,000
  records); from this index they are read in order.

Revision ID: 0011_rollup_indexes
Revises: 0010_search_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_rollup_indexes"
down_revision = "0010_search_index"
branch_labels = None
depends_on = None

INDEXES = {  # name: (table, columns)
    "ix_reports_region_year": ("reports", ["superseded_by", "region", "year", "template", "agency"]),
    "ix_audit_log_who_region": ("audit_log", ["who", "region"]),
}


def upgrade() -> None:
    """Create the indexes unless the models already made them (a library created at this version)."""
    inspector = sa.inspect(op.get_bind())
    for name, (table, columns) in INDEXES.items():
        if name not in {ix["name"] for ix in inspector.get_indexes(table)}:
            op.create_index(name, table, columns)


def downgrade() -> None:
    """Drop the indexes (the questions are then answered from the wider indexes and rows again)."""
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)

"""scale indexes: the lists of a big library answered from narrow indexes instead of the wide rows.

A report row carries its value blob and JSON (about 2 KB), so on SQLite every question that reads a
column of every report reads the whole table (about 0.1 s per 20,000 reports). These indexes hold the
narrow columns those questions ask for, so they are answered from the index alone:

- ``ix_reports_current_meta``: the counts of the header and the sidebar's choices (current reports),
  the scope's (agency, region) pairs, the reports of a year against the roster (published date), the
  outdated reports; ``unread_count`` lets 数据质量 read only the reports with unread tables.
- ``ix_reports_agency_region``: the (agency, region) pairs a scope with an agency is judged on.
- ``ix_reports_list``: the rest of a 报告库 row (file name, format, size, warnings, times).

``reports.unread_count``: how many tables a report shows but could not be read (the length of
``unread_json``; 0 when none or not recorded), filled here for the reports already stored.

Revision ID: 0006_scale_indexes
Revises: 0005_dataset_stamps
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0006_scale_indexes"
down_revision = "0005_dataset_stamps"
branch_labels = None
depends_on = None

INDEXES = {  # name: (table, columns)
    "ix_reports_current_meta": (
        "reports",
        [
            "superseded_by",
            "id",
            "region",
            "agency",
            "year",
            "agency_type",
            "template",
            "checks_failed",
            "unmatched_count",
            "unread_count",
            "n_cells",
            "parser_version",
            "published",
            "published_source",
        ],
    ),
    "ix_reports_agency_region": ("reports", ["agency", "region"]),
    "ix_reports_list": (
        "reports",
        ["id", "filename", "format", "size", "warnings_count", "created_at", "updated_at"],
    ),
}
_BATCH = 1000


def _length(value: object) -> int:
    """How many unread tables a stored ``unread_json`` lists (NULL, JSON null and '[]' are none)."""
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return len(value) if isinstance(value, list) else 0


def upgrade() -> None:
    """Add and fill ``unread_count``, then create the indexes; idempotent like 0002 (a library whose
    tables came from the models has them). On a big library this takes a few seconds once."""
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    if "unread_count" not in {c["name"] for c in inspector.get_columns("reports")}:
        op.add_column("reports", sa.Column("unread_count", sa.Integer(), nullable=False, server_default="0"))
        # Counted in Python: the JSON functions differ between SQLite and PostgreSQL, and a JSON null
        # stored by an old version has no array length on PostgreSQL.
        reports = sa.table("reports", sa.column("id", sa.Integer), sa.column("unread_count", sa.Integer))
        last = 0
        while True:
            rows = bind.execute(
                sa.text(
                    "SELECT id, CAST(unread_json AS TEXT) FROM reports"
                    " WHERE id > :last AND unread_json IS NOT NULL ORDER BY id LIMIT :n"
                ),
                {"last": last, "n": _BATCH},
            ).all()
            if not rows:
                break
            last = rows[-1][0]
            counted = [{"rid": r[0], "n": _length(r[1])} for r in rows if _length(r[1])]
            if counted:
                bind.execute(
                    reports.update()
                    .where(reports.c.id == sa.bindparam("rid"))
                    .values(unread_count=sa.bindparam("n")),
                    counted,
                )
    inspector = sa.inspect(bind)
    for name, (table, columns) in INDEXES.items():
        if name not in {ix["name"] for ix in inspector.get_indexes(table)}:
            op.create_index(name, table, columns)


def downgrade() -> None:
    """Drop the indexes and the column (the lists then read the wide rows again)."""
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("unread_count")

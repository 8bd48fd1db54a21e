"""collect: reports collected from the agencies' websites, and what a re-check noticed.

- ``collect_sources``: a roster agency's 年报 column page or report page (or a pasted URL);
- ``collect_fetches``: every document fetched, with its HTTP date headers, the publication date the
  page shows, its sha256, the report it became and the result;
- ``collect_findings``: a report whose page changed after publication, or whose URL is gone;
- ``app_settings``: settings an administrator changes (whether private addresses may be fetched).

Revision ID: 0007_collect
Revises: 0006_scale_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_collect"
down_revision = "0006_scale_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the four tables and their indexes; idempotent like 0002 (a library whose tables came
    from the models already has them)."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "collect_sources" not in existing:
        op.create_table(
            "collect_sources",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("url", sa.String(length=2000), nullable=False, unique=True),
            sa.Column("kind", sa.String(length=10), nullable=False),
            sa.Column(
                "entry_id",
                sa.Integer(),
                sa.ForeignKey("roster_entries.id", ondelete="CASCADE"),
                nullable=True,
            ),
            sa.Column("agency", sa.String(length=200), nullable=True),
            sa.Column("region", sa.String(length=200), nullable=True),
            sa.Column("year", sa.Integer(), nullable=True),
            sa.Column("who", sa.String(length=100), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index("ix_collect_sources_entry", "collect_sources", ["entry_id"])
    if "collect_fetches" not in existing:
        op.create_table(
            "collect_fetches",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("url", sa.String(length=2000), nullable=False),
            sa.Column("final_url", sa.String(length=2000), nullable=True),
            sa.Column("source_url", sa.String(length=2000), nullable=True),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("http_status", sa.Integer(), nullable=True),
            sa.Column("http_date", sa.String(length=100), nullable=True),
            sa.Column("last_modified", sa.String(length=100), nullable=True),
            sa.Column("etag", sa.String(length=300), nullable=True),
            sa.Column("content_type", sa.String(length=200), nullable=True),
            sa.Column("size", sa.Integer(), nullable=True),
            sa.Column("published", sa.String(length=10), nullable=True),
            sa.Column("sha256", sa.String(length=64), nullable=True),
            sa.Column("report_id", sa.Integer(), nullable=True),
            sa.Column("result", sa.String(length=20), nullable=False),
            sa.Column("reason", sa.String(length=40), nullable=True),
            sa.Column("message", sa.Text(), nullable=False),
            sa.Column("recheck", sa.Boolean(), nullable=False),
            sa.Column("who", sa.String(length=100), nullable=True),
        )
        op.create_index("ix_collect_fetches_url", "collect_fetches", ["url", "id"])
        op.create_index("ix_collect_fetches_report", "collect_fetches", ["report_id"])
    if "collect_findings" not in existing:
        op.create_table(
            "collect_findings",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("report_id", sa.Integer(), nullable=False),
            sa.Column("code", sa.String(length=60), nullable=False),
            sa.Column("key", sa.String(length=300), nullable=False),
            sa.Column("url", sa.String(length=2000), nullable=False),
            sa.Column("evidence", sa.JSON(), nullable=False),
            sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        )
        op.create_index("ix_collect_findings_report", "collect_findings", ["report_id"])
    if "app_settings" not in existing:
        op.create_table(
            "app_settings",
            sa.Column("key", sa.String(length=100), primary_key=True),
            sa.Column("value", sa.JSON(), nullable=True),
            sa.Column("who", sa.String(length=100), nullable=True),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        )


def downgrade() -> None:
    """Drop the collection tables (the reports collected stay in the library)."""
    op.drop_index("ix_collect_findings_report", table_name="collect_findings")
    op.drop_table("collect_findings")
    op.drop_index("ix_collect_fetches_report", table_name="collect_fetches")
    op.drop_index("ix_collect_fetches_url", table_name="collect_fetches")
    op.drop_table("collect_fetches")
    op.drop_index("ix_collect_sources_entry", table_name="collect_sources")
    op.drop_table("collect_sources")
    op.drop_table("app_settings")

"""The audit trail (操作记录): table ``audit_log`` with its indexes (time; region and time).

Revision ID: 0003_audit
Revises: 0002_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_audit"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``audit_log`` (empty: earlier changes were not recorded); idempotent like 0002: a library
    whose tables came from the models already has it."""
    if "audit_log" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=100), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_kind", sa.String(length=30), nullable=False),
        sa.Column("target_id", sa.String(length=300), nullable=True),
        sa.Column("agency", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("after", sa.JSON(none_as_null=True), nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_region_at", "audit_log", ["region", "at"])


def downgrade() -> None:
    """Drop ``audit_log`` (the recorded trail is lost)."""
    op.drop_index("ix_audit_log_region_at", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")

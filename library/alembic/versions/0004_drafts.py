"""drafts: a 填报单位's self-check (自查) drafts, kept apart from the published reports.

Revision ID: 0004_drafts
Revises: 0003_audit
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_drafts"
down_revision = "0003_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the ``drafts`` table and its index on the owner (each account lists its own drafts);
    idempotent like 0002: a library whose tables came from the models already has it."""
    if "drafts" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("parsed_json_z", sa.LargeBinary(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_drafts_owner", "drafts", ["owner"])


def downgrade() -> None:
    """Drop the drafts (they were never part of the library's analyses)."""
    op.drop_index("ix_drafts_owner", table_name="drafts")
    op.drop_table("drafts")

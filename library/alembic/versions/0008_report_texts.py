"""report texts: the plain text of each report in a narrow table of its own, for the search.

``report_files`` rows carry the original document, the parse (zlib JSON) and the text; a search for a
word in the full text (报告库) scanned every such row, that is the whole file store (0.4 s warm to 8 s
cold at 50,000 synthetic reports on SQLite). ``report_texts`` holds (report_id, text) only and is
filled here from ``report_files`` for the reports already stored; the library writes both from now on.

Revision ID: 0008_report_texts
Revises: 0007_collect
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_report_texts"
down_revision = "0007_collect"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table (unless the models already made it) and copy the texts of the stored reports
    that have none there yet, in one statement inside the database."""
    if "report_texts" not in set(sa.inspect(op.get_bind()).get_table_names()):
        op.create_table(
            "report_texts",
            sa.Column(
                "report_id",
                sa.Integer(),
                sa.ForeignKey("reports.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column("text", sa.Text(), nullable=False),
        )
    op.execute(
        "INSERT INTO report_texts (report_id, text) SELECT f.report_id, f.text FROM report_files f"
        " WHERE NOT EXISTS (SELECT 1 FROM report_texts t WHERE t.report_id = f.report_id)"
    )


def downgrade() -> None:
    """Drop the table (the texts stay in report_files)."""
    op.drop_table("report_texts")

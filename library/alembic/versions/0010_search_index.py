"""quality search index: a substring index over report_texts for the full-text search of 报告库.

SQLite: an FTS5 ``trigram`` table over ``report_texts`` (external content) with the triggers that keep
it current, filled from the texts already stored; PostgreSQL: ``pg_trgm`` and a GIN index on
``report_texts.text``. Where the database cannot have one (SQLite without the trigram tokenizer, no
privilege to create the extension), nothing is made and the search reads every text as before. See
:mod:`library.search_index`.

Revision ID: 0010_search_index
Revises: 0009_base_report_journal
"""

from __future__ import annotations

from alembic import op

from library.search_index import create_search_index, drop_search_index

revision = "0010_search_index"
down_revision = "0009_base_report_journal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create and fill the index (unless the models' create_all made it already)."""
    create_search_index(op.get_bind())


def downgrade() -> None:
    """Drop the index and its triggers (the texts stay)."""
    drop_search_index(op.get_bind())

"""report journal: every change of a report's row or of its corrections, written by triggers.

After a write, the dataset (library.dataset_cache) compared the stamp (id, updated_at) of every current
report with the ones it was built from: ~35 ms at 50,000 reports on every page's first run after a
write. ``report_journal`` lists the changed reports instead, in ``seq`` order; the triggers on
``reports`` (insert, update of a column the dataset reads, delete) and ``corrections`` (insert,
update, delete) write it inside the database, so no write path (library code, CLI, restore, manual
SQL) can skip it. A trigger keeps the journal to its newest rows (library.db.JOURNAL_KEEP).

The journal starts empty: a library's first dataset read compares every stamp anyway.

Revision ID: 0009_base_report_journal
Revises: 0008_report_texts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from library.db import journal_ddl, new_journal_epoch

revision = "0009_base_report_journal"
down_revision = "0008_report_texts"
branch_labels = None
depends_on = None

_TRIGGERS = (
    ("reports_journal_insert", "reports"),
    ("reports_journal_update", "reports"),
    ("reports_journal_delete", "reports"),
    ("corrections_journal_insert", "corrections"),
    ("corrections_journal_update", "corrections"),
    ("corrections_journal_delete", "corrections"),
    ("report_journal_trim", "report_journal"),
)


def upgrade() -> None:
    """Create the table (unless the models already made it) and the triggers of this dialect."""
    bind = op.get_bind()
    if "report_journal" not in set(sa.inspect(bind).get_table_names()):
        op.create_table(
            "report_journal",
            sa.Column(
                "seq",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                primary_key=True,
                autoincrement=True,
            ),
            sa.Column("report_id", sa.Integer(), nullable=False),
            sqlite_autoincrement=True,
        )
    _drop_triggers(bind)  # idempotent: a library whose tables came from the models has them
    for statement in journal_ddl(bind.dialect.name):
        op.execute(statement)
    new_journal_epoch(bind)  # a journal made again (after a downgrade) is another one


def downgrade() -> None:
    """Drop the triggers and the table (the dataset then compares every stamp after each write)."""
    _drop_triggers(op.get_bind())
    op.drop_table("report_journal")


def _drop_triggers(bind: sa.Connection) -> None:
    postgres = bind.dialect.name == "postgresql"
    for name, table in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
    if postgres:
        for function in ("reports_journal()", "corrections_journal()", "report_journal_note(integer)"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}")

"""Alembic environment of the library: always driven by :mod:`library.migrate`, which passes the
connection (already inside its locked transaction) in ``config.attributes["connection"]``."""

from __future__ import annotations

from alembic import context

from library.db import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when someone runs the alembic CLI directly
    raise RuntimeError("library/alembic is run by library.migrate.upgrade(engine), not by the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot alter most column properties in place: op.batch_alter_table recreates the table.
    render_as_batch=connection.dialect.name == "sqlite",
)
# The caller's transaction is already open (and locked), so this neither begins nor commits one.
with context.begin_transaction():
    context.run_migrations()

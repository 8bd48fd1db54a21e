"""The library's schema migrations (Alembic), run in code by :func:`library.migrate.upgrade` when a
:class:`library.store.Library` opens; users never call Alembic and no ``alembic.ini`` is needed.

- A fresh database gets the tables (and their indexes) of :mod:`library.db` from
  ``Base.metadata.create_all`` and is stamped at the head revision: the models ARE the latest schema.
- An existing database is upgraded revision by revision. ``versions/0001_baseline.py`` brings any
  library made before Alembic (the old ``schema_version`` 1..7, or none) to the schema of that time,
  idempotently, and drops ``schema_version``.

Adding a table or a column is two edits: the model in :mod:`library/db.py` (indexes declared on the
model, ``__table_args__``) and ONE new file ``versions/NNNN_name.py`` whose ``down_revision`` is the
previous head, written in plain ``op.*`` calls (``op.create_table``, ``op.add_column``,
``op.create_index``). Copy ``script.py.mako``'s layout or an existing revision; the file name and
``revision`` share the id (``0002_accounts``). ``tests/test_migrations.py`` upgrades an empty database
and the legacy libraries through every revision and compares the result with the models
(``alembic.autogenerate.compare_metadata``): a model changed without its revision fails there, and the
difference it prints is what the revision must do. On SQLite the upgrade runs with foreign keys off
(``op.batch_alter_table`` copies tables; dropping the old copy must not cascade) and checks them before
committing.
"""

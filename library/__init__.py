"""The report library (no Streamlit): storage, queries, aggregations and exports of parsed reports.

- :mod:`library.store` — ``Library``: add (de-duplicated by sha256, atomic), get, list, search,
  delete, corrections, metadata, label overrides, re-parse (queries in :mod:`library.queries`,
  review writes in :mod:`library.review`).
- :mod:`library.versions` — versions of one report (same agency, region and year): which is current,
  ``versions_of``, ``version_diff``; analyses read current versions only.
- :mod:`library.accounts` — sign-in accounts (argon2 hashes, lock-out, roles and scopes);
  :mod:`library.accounts_cli` manages them from the shell.
- :mod:`library.config` — database URL (``NIANBAO_DATABASE_URL`` / ``NIANBAO_DB_PATH``), SQLite pragmas.
- :mod:`library.db`, :mod:`library.migrate` — tables and their Alembic migrations (``library/alembic/``);
  :mod:`library.backup` — backup and restore of the SQLite file.
- :mod:`library.filters` — the sidebar ``Filters``.
- :mod:`library.dataset` — the standardised dataset (one row per report) and its Chinese headers.
- :mod:`library.aggregate` — pure DataFrame → DataFrame aggregations for the pages.
- :mod:`library.export` — Excel/CSV bytes.
- :mod:`library.ingest`, :mod:`library.samples` — uploads (ZIPs included) and the sample folder.
- :mod:`library.synthetic` — synthetic reports for benchmarks only (names marked （合成）).
"""

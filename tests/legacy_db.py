"""SQLite libraries in the shapes the pre-Alembic runner (``library/migrations.py``, ``schema_version``
1..7) left them, for the upgrade tests of the modules whose columns those steps added.

:func:`legacy_library` builds the baseline schema (revision ``0001_baseline``, whatever revisions came
later), then undoes what each legacy step after ``version`` added (tables, columns, indexes, counters)
and writes the ``schema_version`` rows that runner kept. :func:`to_baseline` takes a library made at
the head back to the baseline schema (later tables, columns and indexes dropped). The real files made
by main's own code are ``tests/fixtures/*.sqlite``.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from library.config import make_engine
from library.migrate import SCRIPT_LOCATION, upgrade

# What each legacy step added: tables, ``reports`` columns, indexes, ``library_meta`` keys.
STEPS: dict[int, dict[str, tuple[str, ...]]] = {
    2: {
        "indexes": (
            "ix_reports_year",
            "ix_reports_region",
            "ix_reports_agency",
            "ix_reports_parser_version",
            "ux_cells_report_key",
            "ix_checks_report_status",
            "ix_checks_status",
            "ix_corrections_report_key",
        )
    },
    3: {"columns": ("published",)},
    4: {"columns": ("unread_json",)},
    5: {
        "tables": ("roster_links", "roster_entries", "publication_dates"),
        "columns": ("published_source",),
    },
    6: {"tables": ("finding_statuses",), "meta": ("status_writes",)},
    7: {"columns": ("superseded_by",)},
}
NAMES = {
    1: "baseline tables",
    2: "secondary indexes",
    3: "reports.published",
    4: "reports.unread_json",
    5: "roster, roster links, publication dates",
    6: "finding_statuses",
    7: "reports.superseded_by (report versions)",
}


def legacy_library(path: Path, version: int) -> str:
    """Make ``path`` an empty library at legacy ``schema_version`` ``version`` (0: no bookkeeping at
    all, the tables of step 1 only); returns its URL."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine, target="0001_baseline", create_fresh=False)
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("DROP TABLE alembic_version")
    make_legacy(con, version)
    con.commit()
    con.close()
    return url


def make_legacy(con: sqlite3.Connection, version: int) -> None:
    """Turn a database at the baseline schema into one the legacy runner left at ``version``."""
    con.execute("PRAGMA foreign_keys=OFF")
    for step in sorted(STEPS, reverse=True):
        if step > version:
            undo(con, STEPS[step])
    if version:
        con.execute(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, "
            "applied_at DATETIME NOT NULL)"
        )
        con.executemany(
            "INSERT INTO schema_version VALUES (?, ?, '2025-01-01 00:00:00')",
            [(n, NAMES[n]) for n in range(1, version + 1)],
        )


def undo(con: sqlite3.Connection, added: dict[str, tuple[str, ...]]) -> None:
    """Remove what one legacy step added."""
    for index in added.get("indexes", ()):
        con.execute(f"DROP INDEX {index}")
    for table in added.get("tables", ()):
        con.execute(f"DROP TABLE {table}")
    for column in added.get("columns", ()):
        con.execute(f"ALTER TABLE reports DROP COLUMN {column}")
    for key in added.get("meta", ()):
        con.execute("DELETE FROM library_meta WHERE key = ?", (key,))


def baseline() -> object:
    """The baseline revision module (its file name starts with digits: loaded from its path)."""
    spec = importlib.util.spec_from_file_location(
        "baseline_0001", SCRIPT_LOCATION / "versions" / "0001_baseline.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def to_baseline(con: sqlite3.Connection) -> None:
    """Drop what revisions after the baseline added: tables, columns of baseline tables, indexes."""
    base = baseline()
    columns = {
        name: {c.name for c in make() if isinstance(c, sa.Column)}
        for name, make in base.TABLES  # type: ignore[attr-defined]
    }
    indexes = {name for name, *_ in base.INDEXES}  # type: ignore[attr-defined]
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("DROP TABLE IF EXISTS alembic_version")
    found = con.execute("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    for kind, name, table in found.fetchall():
        if kind == "trigger":  # the journal's (0009) and the search index's, before their tables go
            con.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif kind == "table" and name not in columns:
            con.execute(f"DROP TABLE IF EXISTS {name}")  # an FTS table takes its shadow tables along
        elif kind == "index" and name not in indexes and table in columns:
            con.execute(f"DROP INDEX {name}")
    for table, wanted in columns.items():
        for column in [r[1] for r in con.execute(f"PRAGMA table_info({table})")]:
            if column not in wanted:
                con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")

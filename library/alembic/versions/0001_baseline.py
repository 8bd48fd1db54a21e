"""Baseline: the schema of the library before Alembic (the legacy runner's ``schema_version`` 1..7).

Reached idempotently from any library an earlier main made: every table is created when missing
(frozen definitions below, NOT the current models, so a later revision always finds the schema of
this point), the columns the legacy steps 3, 4, 5 and 7 added are added when missing, the secondary
indexes are created when missing, the ``library_meta`` counters are inserted when missing, report
versions are computed when ``superseded_by`` is new, and the old ``schema_version`` table is dropped.
A fresh database never runs this: it is created from the models and stamped at the head.

Revision ID: 0001_baseline
Revises: (none)
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _report_fk(nullable: bool = False) -> sa.Column:
    return sa.Column(
        "report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=nullable
    )


def _value_layouts() -> list[SchemaItem]:
    return [
        _id(),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("keys", sa.JSON, nullable=False),
    ]


def _reports() -> list[SchemaItem]:
    return [
        _id(),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("agency", sa.String(200)),
        sa.Column("region", sa.String(200)),
        sa.Column("year", sa.Integer),
        sa.Column("published", sa.String(10)),
        sa.Column("published_source", sa.String(20)),
        sa.Column("agency_type", sa.String(50)),
        sa.Column("confirmed", sa.JSON, nullable=False),
        sa.Column("template", sa.String(20), nullable=False),
        sa.Column("parser_version", sa.String(40), nullable=False),
        sa.Column("checks_failed", sa.Integer, nullable=False),
        sa.Column("unmatched_count", sa.Integer, nullable=False),
        sa.Column("warnings_count", sa.Integer, nullable=False),
        sa.Column("n_cells", sa.Integer, nullable=False),
        sa.Column("layout_id", sa.Integer, sa.ForeignKey("value_layouts.id"), nullable=False),
        sa.Column("values_blob", sa.LargeBinary, nullable=False),
        sa.Column("narrative_json", sa.JSON, nullable=False),
        sa.Column("unmatched_json", sa.JSON, nullable=False),
        sa.Column("unread_json", sa.JSON),
        sa.Column("superseded_by", sa.Integer),
        _created_at(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _report_files() -> list[SchemaItem]:
    return [
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("parsed_json_z", sa.LargeBinary, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    ]


def _cells() -> list[SchemaItem]:
    return [
        _id(),
        _report_fk(),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("flag", sa.String(30), nullable=False),
        sa.Column("unit", sa.String(20)),
        sa.Column("source_json", sa.JSON),
    ]


def _checks() -> list[SchemaItem]:
    return [
        _id(),
        _report_fk(),
        sa.Column("rule", sa.String(60), nullable=False),
        sa.Column("where", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("blank_as_zero", sa.JSON, nullable=False),
    ]


def _corrections() -> list[SchemaItem]:
    return [
        _id(),
        _report_fk(),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("old", sa.Float),
        sa.Column("new", sa.Float),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("who", sa.String(100)),
        _created_at(),
    ]


def _label_overrides() -> list[SchemaItem]:
    return [
        _id(),
        sa.Column("text", sa.String(500), nullable=False, unique=True),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("who", sa.String(100)),
        sa.Column("active", sa.Boolean, nullable=False),
        _created_at(),
    ]


def _finding_statuses() -> list[SchemaItem]:
    return [
        _id(),
        sa.Column("report_id", sa.Integer),
        sa.Column("report_sha256", sa.String(64)),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("who", sa.String(100)),
        _created_at(),
    ]


def _library_meta() -> list[SchemaItem]:
    return [
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    ]


def _roster_entries() -> list[SchemaItem]:
    return [
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("agency_type", sa.String(50)),
        sa.Column("region", sa.String(200)),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("aliases", sa.JSON, nullable=False),
        _created_at(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _roster_links() -> list[SchemaItem]:
    return [
        _id(),
        sa.Column("agency_key", sa.String(300), nullable=False),
        sa.Column("region_key", sa.String(200), nullable=False),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("roster_entries.id", ondelete="CASCADE")),
        sa.Column("report_id", sa.Integer),
        sa.Column("who", sa.String(100)),
        _created_at(),
    ]


def _publication_dates() -> list[SchemaItem]:
    return [
        _id(),
        _report_fk(),
        sa.Column("published", sa.String(10)),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("who", sa.String(100)),
        _created_at(),
    ]


# In dependency order (a table after the tables its foreign keys name).
TABLES: list[tuple[str, Callable[[], list[SchemaItem]]]] = [
    ("value_layouts", _value_layouts),
    ("reports", _reports),
    ("report_files", _report_files),
    ("cells", _cells),
    ("checks", _checks),
    ("corrections", _corrections),
    ("label_overrides", _label_overrides),
    ("finding_statuses", _finding_statuses),
    ("library_meta", _library_meta),
    ("roster_entries", _roster_entries),
    ("roster_links", _roster_links),
    ("publication_dates", _publication_dates),
]

# Columns of ``reports`` the legacy steps added to libraries made before them (step 3, 4, 5, 7).
ADDED_REPORT_COLUMNS: list[tuple[str, sa.types.TypeEngine]] = [
    ("published", sa.String(10)),
    ("unread_json", sa.JSON()),
    ("published_source", sa.String(20)),
    ("superseded_by", sa.Integer()),
]

# name, table, columns, unique (the legacy steps 2, 5 and 6).
INDEXES: list[tuple[str, str, list[str], bool]] = [
    ("ix_reports_year", "reports", ["year"], False),
    ("ix_reports_region", "reports", ["region"], False),
    ("ix_reports_agency", "reports", ["agency"], False),
    ("ix_reports_parser_version", "reports", ["parser_version"], False),
    ("ux_cells_report_key", "cells", ["report_id", "key"], True),
    ("ix_checks_report_status", "checks", ["report_id", "status"], False),
    ("ix_checks_status", "checks", ["status"], False),
    ("ix_corrections_report_key", "corrections", ["report_id", "key"], False),
    ("ux_roster_links_key", "roster_links", ["agency_key", "region_key"], True),
    ("ix_publication_dates_report", "publication_dates", ["report_id"], False),
    ("ix_finding_statuses_report", "finding_statuses", ["report_id"], False),
]

# ``revision`` is bumped by every write (readers cache by it); ``status_writes`` by finding-status writes.
META_KEYS = ("revision", "status_writes")


def _create_missing_tables(bind: sa.Connection) -> set[str]:
    existing = set(sa.inspect(bind).get_table_names())
    for name, columns in TABLES:
        if name not in existing:
            op.create_table(name, *columns())
    return existing


def _add_missing_report_columns(bind: sa.Connection) -> set[str]:
    have = {c["name"] for c in sa.inspect(bind).get_columns("reports")}
    added = set()
    for name, kind in ADDED_REPORT_COLUMNS:
        if name not in have:
            op.add_column("reports", sa.Column(name, kind))
            added.add(name)
    return added


def _insert_missing_meta(bind: sa.Connection) -> None:
    meta = sa.table("library_meta", sa.column("key", sa.String), sa.column("value", sa.Integer))
    have = set(bind.execute(sa.select(meta.c.key)).scalars())
    for key in META_KEYS:
        if key not in have:
            bind.execute(sa.insert(meta).values(key=key, value=0))


def upgrade() -> None:
    """Bring a legacy library (or an empty database) to the baseline schema; see the module docstring."""
    bind = op.get_bind()
    existing = _create_missing_tables(bind)
    added = _add_missing_report_columns(bind)
    for name, table, columns, unique in INDEXES:
        op.create_index(name, table, columns, unique=unique, if_not_exists=True)
    _insert_missing_meta(bind)
    if "superseded_by" in added:
        # Reports with the same agency, region and year are versions of one report (legacy step 7):
        # an existing library gets its versions at once. Imported here: only this step needs it.
        from library.versions import rebuild_versions

        rebuild_versions(bind)
    if "schema_version" in existing:
        op.drop_table("schema_version")


def downgrade() -> None:
    """Not supported: the baseline is where the library's history starts; restore a backup instead."""
    raise NotImplementedError("downgrade below the baseline: restore a backup instead")

"""An empty library on the test PostgreSQL server (NIANBAO_TEST_PG_URL), in a schema of its own that is
dropped afterwards: shared by the modules that run their tests on both stores."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from library.store import Library

PG_URL = os.environ.get("NIANBAO_TEST_PG_URL", "").strip()


@contextmanager
def pg_library(*, pool_pre_ping: bool = False) -> Iterator[Library]:
    """An empty library in a fresh schema on :data:`PG_URL` (skips the test when no server is set or the
    driver is missing); the schema is dropped when the block ends."""
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set NIANBAO_TEST_PG_URL")
    pytest.importorskip("psycopg", reason="the psycopg driver (test extra) is not installed")
    schema = f"nianbao_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(
        PG_URL, connect_args={"options": f"-csearch_path={schema}"}, pool_pre_ping=pool_pre_ping
    )
    lib = Library(engine=engine)
    try:
        yield lib
    finally:
        lib.close()
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

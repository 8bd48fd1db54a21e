"""Fixtures shared by every test module, and the check that the shared test files are there."""

from __future__ import annotations

import sys
from pathlib import Path

import paths
import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Stop the session before collection when ``../shared`` (or a file in it) is missing.

    Many tests read the real fixtures and seeds from ``../shared``; without them a glob-based
    parametrization would silently collect nothing. A usage error names what is missing and where.
    """
    missing = paths.missing_shared_files()
    if missing:
        listed = "\n  ".join(str(p) for p in missing)
        raise pytest.UsageError(
            f"shared test files missing (looked in {paths.SHARED}; set {paths.SHARED_ENV} to another "
            f"copy of the shared directory):\n  {listed}"
        )


@pytest.fixture(autouse=True)
def _restore_main_module():
    """Put back the real ``__main__`` after each test.

    Streamlit's script runner (AppTest included) installs the page script as ``sys.modules["__main__"]``
    and leaves it there. A process started later with the ``spawn`` method re-imports ``__main__`` from
    its file: a temporary AppTest script is gone by then, so the child dies and a multiprocessing pool
    waits for it forever.
    """
    saved = sys.modules.get("__main__")
    yield
    if saved is not None:
        sys.modules["__main__"] = saved


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The repository's ``sample_reports/`` folder."""
    return paths.SAMPLES


@pytest.fixture(scope="session")
def sample_reports() -> list[Path]:
    """The sample report texts in ``sample_reports/`` (sorted, never empty)."""
    return paths.sample_reports()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared directory (``../shared`` or ``$NIANBAO_SHARED_DIR``), checked at session start."""
    return paths.SHARED


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The real documents in the shared directory."""
    return paths.FIXTURES


@pytest.fixture(scope="session")
def shared_seeds() -> list[Path]:
    """The seed report texts in the shared directory (sorted, never empty)."""
    return paths.shared_seeds()


@pytest.fixture(scope="session")
def huaian_pdf() -> Path:
    """淮安市人民政府 2024 report as published (PDF)."""
    return paths.HUAIAN


@pytest.fixture(scope="session")
def blank_template() -> Path:
    """The official 2021 template, blank (Word)."""
    return paths.BLANK_2021


@pytest.fixture(scope="module")
def server():
    """The local test web server (tests/collect_server.py), one per module, on a free loopback port."""
    from collect_server import CollectServer

    with CollectServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def site(server):
    """The realistic government pages installed on the module's test server."""
    from collect_server import install_site

    return install_site(server)

"""Where the tests find their files: one place, read at import time so parametrizations can use it.

The repository's own sample reports live in ``sample_reports/``; the real documents (fixtures: the
淮安市 and 洪泽区 PDFs, the blank 2021 template) and the seed reports live outside the repository in
``../shared``. ``NIANBAO_SHARED_DIR`` points the tests at another copy of that directory.
``conftest.py`` refuses to start a session when anything listed in :data:`REQUIRED` is missing, so a
checkout without ``../shared`` fails loudly instead of skipping or collecting zero cases.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_reports"
RENDERED = SAMPLES / "rendered"
EXPECTED = SAMPLES / "expected"
SCRIPTS = ROOT / "scripts"

SHARED_ENV = "NIANBAO_SHARED_DIR"
SHARED = Path(os.environ.get(SHARED_ENV) or ROOT.parent / "shared").resolve()
FIXTURES = SHARED / "fixtures"
SHARED_SEEDS = SHARED / "seeds"

HUAIAN = FIXTURES / "huaian-city-government-2024.pdf"
HONGZE_2023 = FIXTURES / "hongze-district-government-2023.pdf"
HONGZE_2024 = FIXTURES / "hongze-district-government-2024.pdf"
BLANK_2021 = FIXTURES / "official-template-2021-blank.docx"

# The seed reports the tests name one by one (000 … 004); a glob over them must find every one.
SEED_NAMES = (
    "000_bd3a826d0705f6e5.txt",
    "001_d954dc0dac9f162f.txt",
    "002_d0afa1047310c76e.txt",
    "003_1ccb1d8209286b28.txt",
    "004_e3c733e02cbb2cbf.txt",
)
REQUIRED = (HUAIAN, HONGZE_2023, HONGZE_2024, BLANK_2021, *(SHARED_SEEDS / n for n in SEED_NAMES))


def missing_shared_files() -> list[Path]:
    """The required shared files that are absent (empty when ``../shared`` is complete)."""
    return [p for p in REQUIRED if not p.is_file()]


def _globbed(folder: Path) -> list[Path]:
    """Every ``*.txt`` report directly in ``folder``, sorted; fails when there is none.

    A parametrization over an empty glob would collect zero cases and pass: this makes it an error.
    """
    found = sorted(folder.glob("*.txt"))
    if not found:
        raise FileNotFoundError(f"no *.txt report in {folder}: the seed reports are missing")
    return found


def shared_seeds() -> list[Path]:
    """The seed reports in ``../shared/seeds`` (never empty)."""
    return _globbed(SHARED_SEEDS)


def sample_reports() -> list[Path]:
    """The sample reports in the repository's ``sample_reports/`` (never empty)."""
    return _globbed(SAMPLES)

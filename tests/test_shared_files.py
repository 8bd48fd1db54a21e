"""A checkout without ``../shared`` (or with part of it) fails loudly instead of skipping tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import paths
import pytest


def _pytest_with_shared(shared: Path) -> subprocess.CompletedProcess[str]:
    """Start a pytest session over one cheap module with the shared directory pointed at ``shared``."""
    env = {**os.environ, paths.SHARED_ENV: str(shared)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "tests/test_checks.py"],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_empty_shared_directory_stops_the_session(tmp_path: Path) -> None:
    proc = _pytest_with_shared(tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "shared test files missing" in out
    assert str(tmp_path / "fixtures" / "huaian-city-government-2024.pdf") in out
    assert "collected" not in out  # stopped before any test was collected


def test_one_missing_file_is_named(tmp_path: Path) -> None:
    """A copy of the shared directory without the blank template: the message names exactly that file."""
    for required in paths.REQUIRED:
        if required != paths.BLANK_2021:
            target = tmp_path / required.relative_to(paths.SHARED)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(required)
    proc = _pytest_with_shared(tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    missing = [line.strip() for line in out.splitlines() if line.startswith("  /")]
    assert missing == [str(tmp_path / "fixtures" / "official-template-2021-blank.docx")]


def test_the_fixtures_point_at_complete_folders(
    shared_dir: Path,
    fixtures_dir: Path,
    shared_seeds: list[Path],
    huaian_pdf: Path,
    blank_template: Path,
    samples_dir: Path,
    sample_reports: list[Path],
) -> None:
    assert shared_dir == paths.SHARED and paths.missing_shared_files() == []
    assert huaian_pdf.parent == blank_template.parent == fixtures_dir
    assert huaian_pdf.read_bytes()[:5] == b"%PDF-" and blank_template.read_bytes()[:2] == b"PK"
    assert [p.name for p in shared_seeds] == list(paths.SEED_NAMES)
    assert sample_reports and all(p.parent == samples_dir and p.suffix == ".txt" for p in sample_reports)


def test_glob_over_an_empty_folder_raises(tmp_path: Path) -> None:
    """A parametrization built from an empty glob would collect zero cases: it is an error instead."""
    with pytest.raises(FileNotFoundError, match="no \\*.txt report"):
        paths._globbed(tmp_path)
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    assert paths._globbed(tmp_path) == [tmp_path / "a.txt"]

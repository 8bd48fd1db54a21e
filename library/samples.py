"""Load the real reports shipped in ``sample_reports/`` (first run, one click). Idempotent.

Only the files at the top level of the folder are loaded: subfolders (``rendered/``: derived
renderings of the same reports; ``expected/``: test expectations) are not reports of their own.
"""

from __future__ import annotations

from pathlib import Path

from library.ingest import IngestResult, ProgressFn, ingest_upload
from library.store import Library

# The repository's sample folder, wherever the app is started from.
DEFAULT_FOLDER = Path(__file__).resolve().parents[1] / "sample_reports"
_SKIP_SUFFIXES = {".md", ".json", ".py"}


def sample_files(folder: str | Path | None = None) -> list[Path]:
    """The sample report files that :func:`load_samples` would load, sorted by name."""
    root = Path(folder) if folder is not None else DEFAULT_FOLDER
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and p.suffix.lower() not in _SKIP_SUFFIXES
        and p.name.upper() not in ("README", "LICENSE")
    )


def load_samples(
    library: Library,
    folder: str | Path | None = None,
    *,
    progress: ProgressFn | None = None,
    who: str | None = None,
) -> list[IngestResult]:
    """Parse and store every sample file; files already stored come back as ``duplicate``.

    ``progress(done, total, filename)`` is called after each file; the uploads are recorded as ``who``'s.
    """
    files = sample_files(folder)
    results: list[IngestResult] = []
    for i, path in enumerate(files, 1):
        results.extend(ingest_upload(library, path.read_bytes(), path.name, who=who))
        if progress:
            progress(i, len(files), path.name)
    return results

"""Background upkeep of the library: re-parse reports after a parser update or a new label override.

Reports are parsed again when the parser version changes (the app starts this once per server
process) and when a reviewer saves label overrides (the upload page starts it and shows its progress).
Each report is re-parsed in its own transaction (library.review), so pages stay usable and see the new
values as soon as each report is done, and an interruption keeps the work done so far.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from library import audit
from library.store import Library

log = logging.getLogger(__name__)


def reparse_in_background(lib: Library) -> threading.Thread | None:
    """Start re-parsing outdated reports in a daemon thread; None when every report is current."""
    if not lib.outdated_ids():
        return None

    def run() -> None:
        try:
            result = lib.reparse_outdated(who=audit.SYSTEM)  # after a parser update: nobody's doing
            log.info("re-parsed %d reports, %d failed", len(result["reparsed"]), len(result["failed"]))
        except Exception:  # noqa: BLE001 - upkeep must never take the app down
            log.exception("background re-parse failed")

    thread = threading.Thread(target=run, name="reparse-outdated", daemon=True)
    thread.start()
    return thread


@dataclass
class OverrideJob:
    """Progress of applying saved label overrides to the stored reports (read by the page, written by
    the worker thread; plain attribute writes, so no lock is needed for a progress display)."""

    texts: list[str]
    done: int = 0
    total: int | None = None  # None while the concerned reports are still being looked up
    current: str = ""
    updated: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    error: str | None = None  # a Chinese message when the job stopped on an unexpected error
    finished: bool = False
    thread: threading.Thread | None = None

    @property
    def fraction(self) -> float:
        """Share of the work done, 0..1 (0 while looking up the reports)."""
        return self.done / self.total if self.total else (1.0 if self.finished else 0.0)


def apply_overrides_in_background(
    lib: Library, texts: Iterable[str], *, who: str | None = None
) -> OverrideJob:
    """Start re-parsing, in a daemon thread, every stored report the saved overrides of ``texts`` concern.

    Returns the job at once; its fields show the progress and, once ``finished``, the reports updated.
    The re-parses are recorded in the audit trail as ``who``'s (the reviewer who saved the overrides).
    """
    job = OverrideJob(texts=list(texts))

    def progress(done: int, total: int, name: str) -> None:
        job.total, job.done, job.current = total, done, name

    def run() -> None:
        try:
            ids = lib.reports_concerned_by(job.texts)
            job.total = len(ids)
            result = lib.reparse_many(ids, None, progress, who=who)
            job.updated, job.failed = result["reparsed"], result["failed"]
            log.info("label overrides re-parsed %d reports, %d failed", len(job.updated), len(job.failed))
        except Exception:  # noqa: BLE001 - upkeep must never take the app down; the page says it failed
            log.exception("applying label overrides failed")
            job.error = "应用标签对照时出错，已更新的报告保留，其余报告未改动"
        finally:
            job.finished = True

    job.thread = threading.Thread(target=run, name="apply-label-overrides", daemon=True)
    job.thread.start()
    return job

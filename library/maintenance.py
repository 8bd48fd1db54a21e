"""Background upkeep of the library: re-parse reports read by an older parser version.

Reports are parsed again when the parser version changes. The app starts this once per server process;
each report is re-parsed in its own transaction (library.review.reparse_outdated), so pages stay usable
and see the new values as soon as each report is done, and an interruption keeps the work done so far.
"""

from __future__ import annotations

import logging
import threading

from library.store import Library

log = logging.getLogger(__name__)


def reparse_in_background(lib: Library) -> threading.Thread | None:
    """Start re-parsing outdated reports in a daemon thread; None when every report is current."""
    if not lib.outdated_ids():
        return None

    def run() -> None:
        try:
            result = lib.reparse_outdated()
            log.info("re-parsed %d reports, %d failed", len(result["reparsed"]), len(result["failed"]))
        except Exception:  # noqa: BLE001 - upkeep must never take the app down
            log.exception("background re-parse failed")

    thread = threading.Thread(target=run, name="reparse-outdated", daemon=True)
    thread.start()
    return thread

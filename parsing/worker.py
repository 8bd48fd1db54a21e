"""Each document is parsed in a worker process that can be stopped: the budget of parsing.limits.

The stage limits of the readers refuse most hostile input early, but no list of checks can promise
that a document never loops or allocates without end inside a C library. So the document runs in a
worker process:

- **memory**: the memory a document may use is ``memory_bytes`` of resident memory on top of what
  the worker's loaded code takes (measured when it is ready). The parent samples the worker's
  resident size every 0.1 s and kills it beyond that (``too_large``). A sample can miss a very fast
  allocation, so the address space is also capped (``RLIMIT_AS``) at the loaded code plus
  1.75 × ``memory_bytes`` (OCR reserves more address space than it touches: a scanned A4 page
  peaks at ~0.9 GB resident and ~1.3 GB of address space above the loaded code); an allocation
  beyond it fails inside the worker (MemoryError → ``too_large``) and the worker is replaced;
- **wall time**: the parent waits ``wall_seconds`` (plus ``ocr_page_seconds`` for every page the
  worker announces it sends to OCR), then kills the worker (``timeout``) and starts a new one for the
  next document;
- a worker that dies is reported as an error object of that document only.

Starting a process costs about half a second (imports), so one worker serves many documents in
turn and is only replaced after a kill. Workers use the ``spawn`` start method: the app parses in
threads, and forking a threaded process is unsafe.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import multiprocessing as mp
import os
import queue
import sys
import threading
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from parsing.limits import MB, Limits, get_limits, limit_error
from parsing.report import ParsedReport, error_from, error_report

log = logging.getLogger(__name__)

_POLL_S = 0.1  # how often the parent looks at the worker (and its memory) while it parses
_AS_FACTOR = 1.75  # address-space cap: loaded code + this × memory_bytes (see the module docstring)
_START_S = 120.0  # a worker that is not ready after this long (imports on a loaded machine) failed


_MAIN_LOCK = threading.Lock()


@contextmanager
def _plain_main() -> Iterator[None]:
    """While a worker is spawned, hide the parent's ``__main__`` from it.

    A spawned child re-imports the parent's main script. Under Streamlit (the app, and AppTest in the
    tests) ``__main__`` is the page script being run, or a temporary script already deleted: the
    child would run the app's page code, or die at once. The worker needs nothing from the main
    script (its entry point lives in this module).
    """
    with _MAIN_LOCK:
        saved = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if saved is not None:
                sys.modules["__main__"] = saved


class Worker:
    """One worker process that parses documents one at a time (not thread-safe: see :class:`WorkerPool`)."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or get_limits()
        self._proc: Any = None
        self._conn: Any = None

    # ------------------------------------------------------------------ lifecycle

    def _start(self) -> None:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_serve, args=(child, self.limits), daemon=True, name="nianbao-parse-worker")
        with _plain_main():
            proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        self._base_rss = 0
        if parent.poll(_START_S):
            try:
                message = parent.recv()
                if message[0] == "ready":
                    self._base_rss = message[1]
            except (EOFError, OSError):
                pass

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def _stop(self) -> None:
        """Kill the worker (it may be stuck in C code, so no polite request)."""
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(5)
            self._proc.close()
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def close(self) -> None:
        """Stop the worker process."""
        if self._alive():
            try:
                self._conn.send(None)  # a clean exit when it is idle
                self._proc.join(2)
            except (OSError, ValueError):
                pass
        self._stop()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ parsing

    def parse(self, data: bytes, filename: str = "", overrides: dict[str, str] | None = None) -> ParsedReport:
        """Parse one document in the worker within the budget; never raises for bad input."""
        sha = hashlib.sha256(data).hexdigest()
        if len(data) > self.limits.max_file_bytes:
            found = f"{len(data) / MB:.0f} MB"
            return error_from(
                filename, sha, "unknown", limit_error("too_large", "max_file_bytes", self.limits, found)
            )
        for attempt in (1, 2):
            if not self._alive():
                self._stop()
                self._start()
            try:
                self._conn.send((filename, overrides))
                self._conn.send_bytes(data)
                break
            except (OSError, ValueError):  # the idle worker died (killed from outside): once more
                self._stop()
                if attempt == 2:
                    return self._died(filename, sha)
        return self._wait(filename, sha)

    def _wait(self, filename: str, sha: str) -> ParsedReport:
        started = time.monotonic()
        deadline = started + self.limits.wall_seconds
        ocr_pages = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._stop()
                spent = f"已用 {time.monotonic() - started:.0f} 秒" + (
                    f"，其中 {ocr_pages} 页扫描页" if ocr_pages else ""
                )
                return error_from(
                    filename, sha, "unknown", limit_error("timeout", "wall_seconds", self.limits, spent)
                )
            try:
                if not self._conn.poll(min(remaining, _POLL_S)):
                    if not self._proc.is_alive():
                        return self._died(filename, sha)
                    used = _rss(self._proc.pid) - self._base_rss
                    if used > self.limits.memory_bytes:
                        self._stop()
                        err = limit_error(
                            "too_large", "memory_bytes", self.limits, f"超过 {used / MB:.0f} MB"
                        )
                        return error_from(filename, sha, "unknown", err)
                    continue
                message = self._conn.recv()
            except (EOFError, OSError):
                return self._died(filename, sha)
            kind = message[0]
            if kind == "ocr_page":
                ocr_pages += 1
                if ocr_pages <= self.limits.max_ocr_pages:
                    deadline += self.limits.ocr_page_seconds
            elif kind == "done":
                _, report, restart = message
                if restart:  # after a MemoryError the worker's heap is not to be trusted
                    self._stop()
                return report

    def _died(self, filename: str, sha: str) -> ParsedReport:
        """The worker exited in the middle of a document (a native crash, or the memory cap hit
        inside C code, which aborts instead of raising)."""
        code = self._proc.exitcode if self._proc is not None else None
        self._stop()
        log.warning("parse worker died on %s (exit code %s)", filename, code)
        return error_report(
            filename,
            sha,
            "unknown",
            "too_large",
            f"解析进程中止（退出码 {code}），"
            f"文件可能超出内存上限 {self.limits.memory_bytes // MB} MB，未解析",
            f"the parse worker stopped (exit code {code}); the file probably exceeds the memory limit "
            f"memory_bytes = {self.limits.memory_bytes // MB} MB; not parsed",
            limit="memory_bytes",
        )


class WorkerPool:
    """A few workers shared by threads (the app parses uploads of several sessions at once)."""

    def __init__(self, size: int = 2, limits: Limits | None = None) -> None:
        self.limits = limits
        self._free: queue.Queue[Worker] = queue.Queue()
        for _ in range(max(size, 1)):
            self._free.put(Worker(limits))

    def parse(self, data: bytes, filename: str = "", overrides: dict[str, str] | None = None) -> ParsedReport:
        """Parse one document in the next free worker (waits for one)."""
        worker = self._free.get()
        try:
            return worker.parse(data, filename, overrides)
        finally:
            self._free.put(worker)

    def close(self) -> None:
        """Stop every idle worker."""
        while True:
            try:
                self._free.get_nowait().close()
            except queue.Empty:
                return


_shared: WorkerPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> WorkerPool:
    """The process-wide pool used by the library ingest and the app (stopped at exit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = WorkerPool(size=2)
            atexit.register(_shared.close)
        return _shared


# ---------------------------------------------------------------------- worker side


def _rss(pid: int) -> int:
    """Resident bytes of process ``pid`` (Linux); 0 when unknown."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _cap_memory(limits: Limits) -> None:
    """Cap the address space at what is mapped now plus the memory budget (times _AS_FACTOR)."""
    import resource

    try:
        import ctypes

        # One malloc arena per thread reserves 64 MB of address space each (OCR runs threads):
        # two arenas keep the cap about real allocations.
        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass
    mapped = _vm_size()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = mapped + int(_AS_FACTOR * limits.memory_bytes)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _vm_size() -> int:
    """Bytes of address space mapped by this process (Linux); 0 elsewhere."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _serve(conn, limits: Limits) -> None:
    """The worker loop: receive (name, overrides) and the bytes, send back ("done", report, restart)."""
    from parsing import limits as limits_mod
    from parsing.api import parse_bytes, warm_up

    limits_mod.use_limits(limits)
    limits_mod.add_listener(lambda event: conn.send((event,)))
    warm_up()  # imports count as code, not as the document's memory
    _cap_memory(limits)
    conn.send(("ready", _rss(os.getpid())))
    while True:
        try:
            head = conn.recv()
            if head is None:
                return
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        filename, overrides = head
        report = parse_bytes(data, filename, overrides)
        del data
        restart = report.error is not None and report.error.get("limit") == "memory_bytes"
        try:
            conn.send(("done", report, restart))
        except MemoryError:
            conn.send(
                (
                    "done",
                    error_report(
                        filename,
                        report.sha256,
                        report.format,
                        "too_large",
                        "解析结果过大，超出内存上限，未解析",
                        "the parse result exceeds the memory limit; not parsed",
                        limit="memory_bytes",
                    ),
                    True,
                )
            )
        if restart:
            return

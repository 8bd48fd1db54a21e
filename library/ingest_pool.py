"""Bulk ingest on every core: ``python -m library ingest`` runs N ingest processes side by side.

Each ingest process reads the files it is handed (a ZIP gives its members), parses every document in
its own parse worker (:class:`parsing.worker.Worker`: the per-document time and memory budget of
:mod:`parsing.limits`) and stores what it parsed in batches, one write transaction per batch
(:func:`library.ingest.store_items`, i.e. ``Library.add_many``). The parent hands out files one at a
time (each process has at most one file waiting), collects the result lines and prints them.

Why every process stores its own batches instead of one writer in the parent: storing a report costs
about as much CPU as parsing it (cells, checks, audit, versions), so a single writer would be busy
for half of the work and two cores could never do much better than one. Writers take turns on
SQLite (``BEGIN IMMEDIATE``) and run side by side on PostgreSQL; the unique sha256 of ``reports``
keeps a file that two processes store at the same moment to one row, exactly as when several such
commands run on several machines against one PostgreSQL library.

Memory stays flat: the parent holds file names only, and an ingest process holds at most one batch,
cut short when its documents add up to :data:`BATCH_BYTES` (a batch of PDFs is stored sooner).
A broken file is one failed line; a batch the database refuses is stored report by report; an
ingest process that dies turns the documents it held into failed lines and the others go on.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from library.access import ALL, Scope
from library.ingest import IngestResult, UploadItem, store_items
from library.store import Library
from parsing.api import documents
from parsing.errors import ReadError
from parsing.limits import MB, Limits, get_limits
from parsing.report import ParsedReport, error_from, error_report

log = logging.getLogger(__name__)

DEFAULT_BATCH = 50  # reports per write transaction
BATCH_BYTES = 64 * MB  # a batch is stored early once its documents add up to this
DIED_ZH = "入库进程意外中止，该文档可能未入库（重新运行本命令即可：已入库的文档会显示为重复）"


def default_workers() -> int:
    """One ingest process per core this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):  # not Linux
        return max(os.cpu_count() or 1, 1)


@dataclass(frozen=True)
class IngestJob:
    """What every ingest process needs: where the library is and how to store."""

    url: str
    overrides: dict[str, str] = field(default_factory=dict)
    who: str | None = None
    scope: Scope = ALL
    batch: int = DEFAULT_BATCH
    batch_bytes: int = BATCH_BYTES
    limits: Limits | None = None


# ---------------------------------------------------------------------- files and documents


def files_of(paths: list[Path]) -> Iterator[Path]:
    """Every file named, and every file under a named folder (sorted, hidden ones left out)."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                rel = found.relative_to(path).parts
                if found.is_file() and not any(part.startswith(".") for part in rel):
                    yield found
        else:
            yield path


def members_of(path: Path) -> list[tuple[str, bytes | ReadError | ParsedReport]]:
    """The documents of one file (a ZIP's members), or the error that refuses the whole file."""
    name = str(path)
    limit = get_limits().max_file_bytes
    try:
        if not path.is_file():
            zh = "文件不存在" if not path.exists() else "不是普通文件"
            return [(name, error_report(name, "", "unknown", "unreadable", zh, "cannot read"))]
        size = path.stat().st_size
        if size > limit:
            zh = f"文件过大（{size / MB:.0f} MB，上限 {limit // MB} MB），未读取"
            return [(name, error_report(name, "", "unknown", "too_large", zh, "file too large"))]
        data = path.read_bytes()
    except OSError as exc:
        zh = f"无法读取文件：{exc.strerror}"
        return [(name, error_report(name, "", "unknown", "unreadable", zh, str(exc)))]
    return list(documents(data, name))


def parse_member(
    parser, name: str, content: bytes | ReadError | ParsedReport, overrides: dict[str, str]
) -> UploadItem:
    """One document parsed by ``parser`` (a parse worker or pool), or the error that refused it."""
    if isinstance(content, ParsedReport):
        return UploadItem(name, None, content)
    if isinstance(content, ReadError):
        return UploadItem(name, None, error_from(name, "", "unknown", content))
    parsed = parser.parse(content, name, overrides)
    return UploadItem(name, content if parsed.error is None else None, parsed)


def scoped(lib: Library, result: IngestResult, scope: Scope) -> IngestResult:
    """``result`` as an account of ``scope`` may read it: the id of a report outside the scope (a
    duplicate of another region's report, or a report stored under another region) is not shown."""
    if result.report_id is None or scope.unrestricted or lib.visible(result.report_id, scope):
        return result
    if result.status == "duplicate":
        return IngestResult(
            result.name, result.status, None, "已在报告库中（不在您的可查看范围内），未重复保存"
        )
    note = "已保存；该报告的地区或单位不在您的可查看范围内，您将无法查看它"
    return IngestResult(result.name, result.status, None, note)


# ---------------------------------------------------------------------- the ingest process


class _Batch:
    """Parsed documents waiting for their write transaction."""

    def __init__(self, lib: Library, conn: Connection, job: IngestJob) -> None:
        self.lib, self.conn, self.job = lib, conn, job
        self.items: list[UploadItem] = []
        self.held = 0

    def add(self, item: UploadItem) -> None:
        self.items.append(item)
        self.held += len(item.data or b"")
        if len(self.items) >= self.job.batch or self.held >= self.job.batch_bytes:
            self.flush()

    def flush(self) -> None:
        """Store the batch in one transaction and send its result lines to the parent."""
        if not self.items:
            return
        results = store_items(self.lib, self.items, who=self.job.who)
        self.items, self.held = [], 0
        self.conn.send(("results", [scoped(self.lib, r, self.job.scope) for r in results]))


def _serve(conn: Connection, job: IngestJob) -> None:
    """An ingest process: ("file", path) → ("members", path, names), later ("results", [...]);
    ("end",) → the last batch stored, then ("done",)."""
    from parsing.worker import Worker

    lib = Library(job.url, migrate=False)  # the parent brought the schema up to date
    parser = Worker(job.limits)
    batch = _Batch(lib, conn, job)
    try:
        while True:
            message = conn.recv()
            if message[0] == "end":
                break
            path = Path(message[1])
            members = members_of(path)
            conn.send(("members", message[1], [name for name, _ in members]))
            for name, content in members:
                batch.add(parse_member(parser, name, content, job.overrides))
            del members
        batch.flush()
        conn.send(("done",))
    finally:
        parser.close()
        lib.close()


# ---------------------------------------------------------------------- the parent


@dataclass
class _Slot:
    """One ingest process as the parent sees it."""

    proc: mp.process.BaseProcess
    conn: Connection
    queued: deque[str] = field(default_factory=deque)  # files sent, not started yet
    pending: Counter[str] = field(default_factory=Counter)  # documents started, no result yet
    ended: bool = False  # ("end",) sent
    done: bool = False

    def send_file(self, path: str) -> None:
        self.queued.append(path)
        self.conn.send(("file", path))

    def end(self) -> None:
        if not self.ended:
            self.ended = True
            self.conn.send(("end",))

    def lost(self) -> list[IngestResult]:
        """Failed lines for everything the process held when it died."""
        lost = [IngestResult(path, "failed", None, DIED_ZH) for path in self.queued]
        for name, n in self.pending.items():
            lost += [IngestResult(name, "failed", None, DIED_ZH)] * max(n, 0)
        self.queued.clear()
        self.pending.clear()
        self.done = True
        return lost


def _start(ctx, job: IngestJob) -> _Slot:
    from parsing.worker import _plain_main

    parent, child = ctx.Pipe(duplex=True)
    # Not a daemon: it starts its own parse worker. Stopped by run() in every case.
    proc = ctx.Process(target=_serve, args=(child, job), name="nianbao-ingest")
    with _plain_main():  # the child must not re-run the caller's main script (see parsing.worker)
        proc.start()
    child.close()
    return _Slot(proc, parent)


def run(paths: list[Path], workers: int, job: IngestJob) -> Iterator[IngestResult]:
    """Ingest every document under ``paths`` with ``workers`` ingest processes; yields one result
    per document as batches are stored (not in input order)."""
    ctx = mp.get_context("spawn")  # no fork: the caller may run threads
    slots = [_start(ctx, job) for _ in range(max(workers, 1))]
    files = files_of(paths)
    try:
        for slot in slots:
            _feed(slot, files)
        while not all(slot.done for slot in slots):
            owners: dict[object, _Slot] = {}
            for slot in slots:
                if not slot.done:
                    owners[slot.conn] = owners[slot.proc.sentinel] = slot
            for ready in wait(list(owners)):  # type: ignore[arg-type]  # connections and sentinels
                slot = owners[ready]
                if slot.done:
                    continue
                yield from _receive(slot, files)
        yield from (IngestResult(str(path), "failed", None, DIED_ZH) for path in files)  # none alive
    finally:
        for slot in slots:
            _stop(slot)


def _feed(slot: _Slot, files: Iterator[Path]) -> None:
    """Keep one file waiting in the process (so it never idles between files), or end it."""
    if slot.ended or slot.queued:
        return
    path = next(files, None)
    if path is None:
        slot.end()
    else:
        slot.send_file(str(path))


def _receive(slot: _Slot, files: Iterator[Path]) -> Iterator[IngestResult]:
    """Handle what one ingest process sent (or its death)."""
    try:
        if not slot.conn.poll():
            raise EOFError  # woken by the process sentinel: it exited
        message = slot.conn.recv()
    except (EOFError, OSError):
        slot.proc.join(5)
        log.warning("ingest process %s stopped (exit code %s)", slot.proc.pid, slot.proc.exitcode)
        yield from slot.lost()
        return
    kind = message[0]
    if kind == "members":
        slot.queued.popleft()
        slot.pending.update(message[2])
        _feed(slot, files)
    elif kind == "results":
        for result in message[1]:
            slot.pending[result.name] -= 1
            yield result
    elif kind == "done":
        slot.done = True


def _stop(slot: _Slot) -> None:
    """Wait for a finished process; kill one still running (an interrupted command)."""
    slot.proc.join(10 if slot.done else 0)
    if slot.proc.is_alive():
        slot.proc.kill()
        slot.proc.join(5)
    slot.conn.close()

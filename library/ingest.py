"""From uploaded bytes to stored reports: expand ZIPs, parse each document, store it.

The upload page uses :func:`parse_upload` (parse, then let the reviewer confirm metadata, then
``Library.add`` each item with its own bytes); loaders and scripts use :func:`ingest_upload`, which
does all three steps. A ZIP member is stored with its own bytes, so it can be re-parsed and
downloaded on its own, and de-duplicated against the same file uploaded loose.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from library.review import ProgressFn
from library.store import Library, LibraryError, NewReport
from parsing.api import documents
from parsing.errors import ReadError
from parsing.report import ParsedReport, error_from

log = logging.getLogger(__name__)
STORE_FAILED_ZH = "保存失败（写入报告库时出错），未写入任何数据"


@dataclass
class UploadItem:
    """One document of an upload: its name (``archive.zip/dir/file`` for ZIP members), bytes and parse.

    The upload page's review (:func:`library.upload_review.review_item`) fills ``status``, ``reason``,
    ``issues`` and the ``agency_type`` guess; ``saved_id``/``save_note`` say where it was stored.
    """

    name: str
    data: bytes | None  # None when the document failed: there is nothing to store
    parsed: ParsedReport
    status: str = ""
    reason: str = ""
    issues: list[str] = field(default_factory=list)
    agency_type: str | None = None
    saved_id: int | None = None
    save_note: str = ""

    @property
    def ok(self) -> bool:
        """True when the document parsed (warnings allowed)."""
        return self.parsed.error is None

    @property
    def uid(self) -> str:
        """Stable id of the document within a session (its sha256; its name when it failed)."""
        return self.parsed.sha256 if self.data is not None else f"failed:{self.name}"


@dataclass
class IngestResult:
    """What happened to one document: ``status`` is ok | warnings | duplicate | failed."""

    name: str
    status: str
    report_id: int | None
    message: str  # Chinese, for the result list


def _members(data: bytes, filename: str) -> list[tuple[str, bytes | ReadError]]:
    # The same expansion as the parser's command line: an empty or junk-only ZIP is one error item.
    return documents(data, filename)


def parse_one(data: bytes, name: str, overrides: dict[str, str] | None = None) -> ParsedReport:
    """Parse one document in the shared worker pool: the per-document budget of parsing.limits
    (wall time, memory, stage limits) applies, and a document that overruns it is an error item."""
    from parsing.worker import shared_pool

    return shared_pool().parse(data, name, overrides)


def _parse_member(name: str, content: bytes | ReadError, overrides: dict[str, str] | None) -> UploadItem:
    if isinstance(content, ReadError):
        sha = hashlib.sha256(b"").hexdigest()
        return UploadItem(name, None, error_from(name, sha, "unknown", content))
    parsed = parse_one(content, name, overrides)
    return UploadItem(name, content if parsed.error is None else None, parsed)


def parse_upload(
    data: bytes,
    filename: str,
    overrides: dict[str, str] | None = None,
    *,
    progress: ProgressFn | None = None,
) -> list[UploadItem]:
    """Parse an uploaded file (a ZIP gives one item per member); never raises for bad input.

    ``progress(done, total, name)`` is called after each document.
    """
    members = _members(data, filename)
    items: list[UploadItem] = []
    for i, (name, content) in enumerate(members, 1):
        items.append(_parse_member(name, content, overrides))
        if progress:
            progress(i, len(members), name)
    return items


def store_item(lib: Library, item: UploadItem, **metadata) -> IngestResult:
    """Store one parsed upload item (metadata and ``who`` as for ``Library.add``); never raises for a
    refused item."""
    if item.parsed.error is not None or item.data is None:
        return _failed(item)
    try:
        report_id, created = lib.add(item.parsed, item.data, **metadata)
    except LibraryError as exc:
        return IngestResult(item.name, "failed", None, exc.zh)
    except SQLAlchemyError:  # the add is atomic: nothing was written; the batch goes on
        log.exception("storing %s failed", item.name)
        return IngestResult(item.name, "failed", None, STORE_FAILED_ZH)
    return _added(lib, item, report_id, created)


def store_items(lib: Library, items: Sequence[UploadItem], *, who: str | None = None) -> list[IngestResult]:
    """Store several parsed items in ONE write transaction (``Library.add_many``; each recorded in the
    audit trail as ``who``'s), one result per item in order; never raises for a refused item.

    A failed parse is reported and left out. When the batch cannot be stored (a refused report, a
    database error), nothing of it was written and every item is stored on its own instead
    (:func:`store_item`), so one bad report never costs the others their place in the library.
    """
    storable = [item for item in items if item.parsed.error is None and item.data]
    try:
        added = lib.add_many([NewReport(i.parsed, i.data or b"") for i in storable], who=who)
    except (LibraryError, SQLAlchemyError):
        # Info only: another process storing the same file at the same moment ends here too, and a
        # report that fails again on its own is logged by store_item with the real error.
        log.info("storing a batch of %d failed; storing its reports one by one", len(storable), exc_info=True)
        return [store_item(lib, item, who=who) for item in items]
    by_item = {id(item): result for item, result in zip(storable, added, strict=True)}
    results = []
    for item in items:
        if id(item) in by_item:
            results.append(_added(lib, item, *by_item[id(item)]))
        else:
            results.append(store_item(lib, item, who=who))  # a failed parse or empty bytes: says why
    return results


def _failed(item: UploadItem) -> IngestResult:
    message = (item.parsed.error or {}).get("message") or "解析失败"
    return IngestResult(item.name, "failed", None, message)


def _added(lib: Library, item: UploadItem, report_id: int, created: bool) -> IngestResult:
    """The result line of an item stored (or recognised as already stored) as ``report_id``."""
    if not created:
        return IngestResult(
            item.name, "duplicate", report_id, f"已在报告库中（编号 {report_id}），未重复保存"
        )
    result = _stored_result(item, report_id)
    version = lib.version_note(report_id)  # a corrected report of the same agency and year
    if version:
        result.message = f"{result.message}；{version}"
    return result


def _stored_result(item: UploadItem, report_id: int) -> IngestResult:
    """ok or warnings, with the Chinese line of a newly stored document."""
    if item.parsed.warnings or any(c.status == "fail" for c in item.parsed.checks):
        n_fail = sum(c.status == "fail" for c in item.parsed.checks)
        parts = []
        if n_fail:
            parts.append(f"{n_fail} 项校验未通过")
        if item.parsed.warnings:
            parts.append(f"{len(item.parsed.warnings)} 条解析提示")
        return IngestResult(item.name, "warnings", report_id, "已保存；" + "，".join(parts))
    return IngestResult(item.name, "ok", report_id, "已保存")


def ingest_upload(
    lib: Library,
    data: bytes,
    filename: str,
    *,
    progress: ProgressFn | None = None,
    who: str | None = None,
) -> list[IngestResult]:
    """Parse (with the library's label overrides) and store every document of an upload (recorded in
    the audit trail as ``who``'s)."""
    overrides = lib.label_overrides()
    members = _members(data, filename)
    results = []
    for i, (name, content) in enumerate(members, 1):
        # Parse and store member by member: memory stays flat and progress moves steadily.
        results.append(store_item(lib, _parse_member(name, content, overrides), who=who))
        if progress:
            progress(i, len(members), name)
    return results

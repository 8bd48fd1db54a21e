"""Public entry points: document bytes → :class:`~parsing.report.ParsedReport`."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from parsing.document import Document, SourceCell
from parsing.errors import ReadError
from parsing.interpret import interpret
from parsing.limits import MB, get_limits, limit_error
from parsing.matching import Matcher
from parsing.readers import read_document
from parsing.readers.sniff import MAX_BYTES, sniff
from parsing.report import ParsedReport, error_from, error_report

log = logging.getLogger(__name__)

MAX_FILE_BYTES = MAX_BYTES  # one document; archives are bounded member by member
# parse(data, filename, overrides) -> ParsedReport: parse_bytes in this process, or a worker's parse.
ParseFn = Callable[[bytes, str, "dict[str, str] | None"], ParsedReport]


def _narrative(text: str) -> dict:
    from parsing.narrative import extract_narrative

    return extract_narrative(text)


def _checks(report: ParsedReport) -> list:
    from parsing.checks import run_checks

    return run_checks(report.cells, report.table_versions)


def parse_document(
    doc: Document, file: str, sha256: str, overrides: dict[str, str] | None = None
) -> ParsedReport:
    """Interpret an already-read Document: cells, metadata, narrative figures and checks."""
    text = doc.text  # metadata and narrative normalise it themselves (once: normalize_text is cached)
    from parsing.metadata import read_metadata

    meta = read_metadata(text)
    found = interpret(doc, Matcher(overrides), meta.year)
    report = ParsedReport(
        file=file,
        sha256=sha256,
        format=doc.format,
        agency=meta.agency,
        region=meta.region,
        year=meta.year,
        published=meta.published,
        # Where each value was found, for the values the text gave.
        metadata_source={k: v for k, v in meta.source.items() if getattr(meta, k, None) is not None},
        template=found.template,
        table_versions=found.table_versions,
        cells=found.cells,
        narrative=_narrative(text),
        unmatched_labels=found.unmatched_labels,
        labels=found.labels,
        warnings=[*doc.warnings, *found.warnings],
        unread_tables=found.unread_tables,
        text=doc.text,
    )
    report.checks = _checks(report)
    if (
        not report.cells
        and not report.narrative
        and report.year is None
        and report.agency is None
        and not found.report_signs
    ):
        return error_report(
            file,
            sha256,
            doc.format,
            "not_a_report",
            "未识别为政府信息公开工作年度报告：没有找到标准表格、年份或机关名称",
            "not recognised as an annual disclosure report: no standard table, year or agency found",
        )
    return report


def check_document(doc: Document) -> None:
    """Stage limits on what a reader produced: the number of cells (too_complex) and the length of
    one cell (cut, with a warning: a 10 MB cell is not a label or a value, and fuzzy matching of
    such a cell would take minutes)."""
    lim = get_limits()
    cells = sum(len(row) for row in doc.rows)
    if cells > lim.max_cells:
        raise limit_error("too_complex", "max_cells", lim, f"{cells:,} 个单元格")
    if len(doc.text) > lim.max_text_chars:
        raise limit_error("too_large", "max_text_chars", lim, f"{len(doc.text):,} 个字符")
    cut = 0
    for row in doc.rows:
        for i, cell in enumerate(row):
            if len(cell.text) > lim.max_cell_chars:
                row[i] = SourceCell(cell.text[: lim.max_cell_chars], cell.source)
                cut += 1
    if cut:
        doc.warnings.append(f"{cut} 个单元格超过 {lim.max_cell_chars:,} 个字符，只读取了前面部分")


def _out_of_memory(exc: BaseException) -> bool:
    """True for an allocation failure reported by a native library as its own exception type."""
    text = repr(exc)
    return "bad_alloc" in text or "Failed to allocate" in text


def warm_up() -> None:
    """Import every reader and load the shared matcher (a worker does it before its memory cap)."""
    import importlib

    from parsing.matching import shared_matcher
    from parsing.readers import READER_MODULES

    for module in ("parsing.metadata", "parsing.narrative", "parsing.checks"):
        importlib.import_module(module)
    for fmt, module in READER_MODULES.items():
        if fmt != "image":  # OCR models load on first use (2 s): most batches have no scan
            try:
                importlib.import_module(module)
            except ImportError:
                continue
    shared_matcher()


def parse_bytes(data: bytes, filename: str = "", overrides: dict[str, str] | None = None) -> ParsedReport:
    """Parse one document in this process. Never raises for bad input: the report then carries ``error``.

    The stage limits of :mod:`parsing.limits` apply; the wall-time and memory budget need a worker
    process (:class:`parsing.worker.Worker`)."""
    sha = hashlib.sha256(data).hexdigest()
    fmt = "unknown"
    lim = get_limits()
    try:
        if len(data) > lim.max_file_bytes:
            raise limit_error("too_large", "max_file_bytes", lim, f"{len(data) / MB:.0f} MB")
        fmt = sniff(data, filename)
        if fmt == "zip":
            raise ReadError("archive", "压缩包请按批量方式解析", "archives are parsed with parse_batch")
        doc = read_document(data, fmt, filename)
        check_document(doc)
        return parse_document(doc, filename, sha, overrides)
    except ReadError as exc:
        return error_from(filename, sha, fmt, exc)
    except RecursionError:
        # Structure nested beyond what the reader (or a library under it) walks: a clean refusal.
        return error_from(filename, sha, fmt, limit_error("too_complex", "max_depth", lim))
    except MemoryError:
        # Only under the worker's memory cap; the worker is replaced after this document.
        return error_from(filename, sha, fmt, limit_error("too_large", "memory_bytes", lim))
    except Exception as exc:  # noqa: BLE001 - one broken file must never stop a batch
        if _out_of_memory(exc):  # a C++ library (OCR) that hit the worker's memory cap
            return error_from(filename, sha, fmt, limit_error("too_large", "memory_bytes", lim))
        log.exception("unexpected failure parsing %s", filename)
        return error_report(
            filename,
            sha,
            fmt,
            "internal",
            f"解析失败（内部错误：{type(exc).__name__}）",
            f"parse failed: {exc!r}",
        )


def documents(data: bytes, filename: str) -> list[tuple[str, bytes | ReadError]]:
    """The documents of an upload as (name, bytes or ReadError): the file itself, or the members of a
    ZIP. Never empty: an archive with no document in it is one ReadError entry."""
    try:
        fmt = sniff(data, filename)
    except ReadError as exc:
        return [(filename, exc)]
    if fmt != "zip":
        return [(filename, data)]
    from parsing.readers.archive import expand

    try:
        members = expand(data, filename)
    except ReadError as exc:
        return [(filename, exc)]
    if not members:
        return [
            (
                filename,
                ReadError(
                    "empty_archive",
                    "压缩包中没有可读取的文件（为空，或只有系统文件、文件夹）",
                    "the archive holds no document (empty, or only folders and system files)",
                ),
            )
        ]
    return members


def parse_batch(
    data: bytes, filename: str = "", overrides: dict[str, str] | None = None, parse: ParseFn | None = None
) -> list[ParsedReport]:
    """Parse a document or a ZIP of documents; exactly one report per document, in archive order.

    ``parse`` parses one document (default :func:`parse_bytes`; a worker's ``parse`` adds the time
    and memory budget)."""
    parse = parse or parse_bytes
    out: list[ParsedReport] = []
    try:
        docs = documents(data, filename)
    except Exception as exc:  # noqa: BLE001 - a container damaged in a way zipfile does not name
        log.exception("cannot expand %s", filename)
        docs = [(filename, ReadError("corrupt", "文件已损坏，无法打开", f"damaged file: {exc!r}"))]
    for name, content in docs:
        if isinstance(content, ReadError):
            sha = hashlib.sha256(data).hexdigest() if name == filename else ""
            fmt = "zip" if content.code in ("corrupt_archive", "empty_archive") else "unknown"
            out.append(error_from(name, sha, fmt, content))
        else:
            out.append(parse(content, name, overrides))
    return out


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_path(
    path: str | Path, overrides: dict[str, str] | None = None, parse: ParseFn | None = None
) -> list[ParsedReport]:
    """Parse a file on disk (a ZIP gives one report per member). A file above the size limit is
    refused from its size, without being read into memory."""
    p = Path(path)
    name = str(path)
    lim = get_limits()
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise IsADirectoryError(21, "Is a directory", name)
        if not p.is_file():  # a device or a pipe (/dev/zero) would be read without end
            zh, en = (
                "无法读取：不是普通文件（设备或管道）",
                "cannot read: not a regular file (a device or a pipe)",
            )
            return [error_report(name, "", "unknown", "unreadable", zh, en)]
        if size > lim.max_file_bytes:
            err = limit_error("too_large", "max_file_bytes", lim, f"{size / MB:.0f} MB")
            return [error_from(name, _sha256_file(p), "unknown", err)]
        data = p.read_bytes()
    except OSError as exc:
        return [
            error_report(
                name, "", "unknown", "unreadable", f"无法读取文件：{exc.strerror}", f"cannot read file: {exc}"
            )
        ]
    return parse_batch(data, name, overrides, parse)

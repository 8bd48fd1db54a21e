"""Public entry points: document bytes → :class:`~parsing.report.ParsedReport`."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from parsing.document import Document
from parsing.errors import ReadError
from parsing.interpret import interpret
from parsing.matching import Matcher
from parsing.readers import read_document
from parsing.readers.sniff import MAX_BYTES, sniff
from parsing.report import ParsedReport, error_report

log = logging.getLogger(__name__)

MAX_FILE_BYTES = MAX_BYTES  # one document; archives are bounded member by member


def _metadata(text: str) -> dict:
    from parsing.metadata import extract_metadata

    return extract_metadata(text)


def _narrative(text: str) -> dict:
    from parsing.narrative import extract_narrative

    return extract_narrative(text)


def _checks(report: ParsedReport) -> list:
    from parsing.checks import run_checks

    return run_checks(report.cells, report.table_versions)


def parse_document(doc: Document, file: str, sha256: str, overrides: dict[str, str] | None = None) -> ParsedReport:
    """Interpret an already-read Document: cells, metadata, narrative figures and checks."""
    text = doc.text  # metadata and narrative normalise it themselves (once: normalize_text is cached)
    meta = _metadata(text)
    found = interpret(doc, Matcher(overrides), meta.get("year"))
    report = ParsedReport(
        file=file,
        sha256=sha256,
        format=doc.format,
        agency=meta.get("agency"),
        region=meta.get("region"),
        year=meta.get("year"),
        template=found.template,
        table_versions=found.table_versions,
        cells=found.cells,
        narrative=_narrative(text),
        unmatched_labels=found.unmatched_labels,
        labels=found.labels,
        warnings=[*doc.warnings, *found.warnings],
        text=doc.text,
    )
    report.checks = _checks(report)
    if not report.cells and not report.narrative and report.year is None and report.agency is None and not found.report_signs:
        return error_report(
            file,
            sha256,
            doc.format,
            "not_a_report",
            "未识别为政府信息公开工作年度报告：没有找到标准表格、年份或机关名称",
            "not recognised as an annual disclosure report: no standard table, year or agency found",
        )
    return report


def parse_bytes(data: bytes, filename: str = "", overrides: dict[str, str] | None = None) -> ParsedReport:
    """Parse one document. Never raises for bad input: the report then carries ``error``."""
    sha = hashlib.sha256(data).hexdigest()
    fmt = "unknown"
    try:
        if len(data) > MAX_FILE_BYTES:
            raise ReadError(
                "too_large",
                f"文件过大（{len(data) // 1048576} MB，上限 {MAX_FILE_BYTES // 1048576} MB）",
                f"file too large ({len(data)} bytes)",
            )
        fmt = sniff(data, filename)
        if fmt == "zip":
            raise ReadError("archive", "压缩包请按批量方式解析", "archives are parsed with parse_batch")
        doc = read_document(data, fmt, filename)
        return parse_document(doc, filename, sha, overrides)
    except ReadError as exc:
        return error_report(filename, sha, fmt, exc.code, exc.zh, exc.en)
    except Exception as exc:  # noqa: BLE001 - one broken file must never stop a batch
        log.exception("unexpected failure parsing %s", filename)
        return error_report(
            filename, sha, fmt, "internal", f"解析失败（内部错误：{type(exc).__name__}）", f"parse failed: {exc!r}"
        )


def parse_batch(data: bytes, filename: str = "", overrides: dict[str, str] | None = None) -> list[ParsedReport]:
    """Parse a document or a ZIP of documents; one report per document, in archive order."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        fmt = sniff(data, filename)
    except ReadError as exc:
        return [error_report(filename, sha, "unknown", exc.code, exc.zh, exc.en)]
    if fmt != "zip":
        return [parse_bytes(data, filename, overrides)]
    from parsing.readers.archive import expand

    try:
        members = expand(data, filename)
    except ReadError as exc:
        return [error_report(filename, sha, "zip", exc.code, exc.zh, exc.en)]
    out: list[ParsedReport] = []
    for name, content in members:
        if isinstance(content, ReadError):
            out.append(error_report(name, "", "unknown", content.code, content.zh, content.en))
        else:
            out.append(parse_bytes(content, name, overrides))
    return out


def parse_path(path: str | Path, overrides: dict[str, str] | None = None) -> list[ParsedReport]:
    """Parse a file on disk (a ZIP gives one report per member)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        return [error_report(str(path), "", "unknown", "unreadable", f"无法读取文件：{exc.strerror}", f"cannot read file: {exc}")]
    return parse_batch(data, str(path), overrides)

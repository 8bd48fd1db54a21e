"""One set of limits for every document, defined once.

The parser (each stage and the worker process that runs it), the library ingest and the upload page
all read these numbers, so what the page promises is what the parser enforces. A limit that is
crossed becomes a :class:`~parsing.errors.ReadError` with a stable code naming the limit:

- ``too_large``: the input is bigger than a size limit (bytes, pages, OCR pages, text, memory);
- ``too_complex``: its structure is beyond a bound (cells, rows × columns, nesting depth);
- ``timeout``: the document used up its wall-time budget (the worker process is stopped).

Every limit can be changed with an environment variable ``NIANBAO_LIMIT_<NAME>`` (e.g.
``NIANBAO_LIMIT_WALL_SECONDS=60``); the upload limit of Streamlit (``.streamlit/config.toml``,
``server.maxUploadSize``) must equal :attr:`Limits.max_file_bytes` (a test checks it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

from parsing.errors import ReadError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The budget of one document. Sizes in bytes, times in seconds."""

    # whole document
    max_file_bytes: int = 100 * MB  # one upload, one file, one ZIP member (a 60-page scan is ~50 MB)
    wall_seconds: float = 30.0  # everything but OCR
    ocr_page_seconds: float = 30.0  # added per page sent to OCR (5-8 s a page; much more on a loaded machine)
    memory_bytes: int = 1024 * MB  # address space the worker may add to what its code takes
    # stages
    max_pages: int = 300  # PDF pages read
    max_ocr_pages: int = 10  # scanned PDF pages or image frames sent to OCR
    max_page_pixels: int = (
        6_000_000  # a page rendered for OCR (A4 at 200 dpi: 3.9 M; OCR memory grows with it)
    )
    max_image_pixels: int = 60_000_000  # a decoded image (decompression bombs)
    max_text_chars: int = 5_000_000  # characters of a text document (a report has ~20,000)
    max_cells: int = 50_000  # cells (and lines) of a document, all tables together (a report has ~500)
    max_grid_slots: int = 1_000_000  # rows × columns of one table after span expansion
    max_span: int = 200  # rowspan / colspan / gridSpan; larger spans are clamped, not refused
    max_depth: int = 100  # element nesting kept in HTML; deeper elements are flattened
    max_digits: int = 15  # digits of a numeric value; longer numbers stay raw text (flag too_long)
    max_cell_chars: int = 20_000  # characters of one cell; longer cells are cut (with a warning)
    # archives
    max_archive_bytes: int = 512 * MB  # all members of a ZIP inflated, nested archives included
    max_archive_members: int = 1000
    max_archive_depth: int = 3
    max_archive_ratio: int = 200  # inflated / compressed size of a member

    def document_seconds(self, ocr_pages: int = 0) -> float:
        """Wall-time budget of a document whose reading sent ``ocr_pages`` pages to OCR."""
        return self.wall_seconds + self.ocr_page_seconds * min(ocr_pages, self.max_ocr_pages)


# Chinese names of the limits, for messages that name the limit that was crossed.
NAMES_ZH: dict[str, str] = {
    "max_file_bytes": "单个文件大小上限",
    "wall_seconds": "单份报告解析时间上限",
    "ocr_page_seconds": "扫描页识别时间",
    "memory_bytes": "单份报告内存上限",
    "max_pages": "PDF 页数上限",
    "max_ocr_pages": "扫描页（OCR）数量上限",
    "max_page_pixels": "页面渲染像素上限",
    "max_image_pixels": "图片像素上限",
    "max_text_chars": "文本字符数上限",
    "max_cells": "单元格总数上限",
    "max_grid_slots": "表格行数×列数上限",
    "max_span": "合并单元格跨度上限",
    "max_depth": "嵌套层数上限",
    "max_digits": "数值位数上限",
    "max_cell_chars": "单元格字符数上限",
    "max_archive_bytes": "压缩包解压总大小上限",
    "max_archive_members": "压缩包文件数上限",
    "max_archive_depth": "压缩包嵌套层数上限",
    "max_archive_ratio": "压缩比上限",
}


def _from_env(base: Limits) -> Limits:
    """``base`` with the values set through ``NIANBAO_LIMIT_<NAME>`` environment variables."""
    changes: dict[str, Any] = {}  # an int or a float, as the field's own type says
    for f in fields(base):
        raw = os.environ.get(f"NIANBAO_LIMIT_{f.name.upper()}")
        if raw is None:
            continue
        try:
            changes[f.name] = float(raw) if f.type in ("float", float) else int(float(raw))
        except ValueError:
            continue  # a typo in the environment must not stop the app; the default stays
    return replace(base, **changes) if changes else base


_current: Limits | None = None
_listeners: list[Callable[[str], None]] = []


def get_limits() -> Limits:
    """The limits in force: those set by :func:`use_limits`, else the defaults changed by
    ``NIANBAO_LIMIT_*`` environment variables (read once per process)."""
    global _current
    if _current is None:
        _current = _from_env(Limits())
    return _current


def use_limits(limits: Limits | None) -> None:
    """Put ``limits`` in force in this process (None: back to the defaults and the environment)."""
    global _current
    _current = limits


def add_listener(fn: Callable[[str], None]) -> None:
    """Call ``fn(event)`` on progress events (``"ocr_page"``: a page is about to be sent to OCR).
    The worker process forwards them to its parent, which extends the document's time budget."""
    _listeners.append(fn)


def report_progress(event: str) -> None:
    """Tell the listeners (the worker's parent) that ``event`` happened."""
    for fn in _listeners:
        fn(event)


def upload_limit_mb(limits: Limits | None = None) -> int:
    """The per-file upload limit in MB (what ``server.maxUploadSize`` must say)."""
    return (limits or get_limits()).max_file_bytes // MB


def describe_zh(limits: Limits | None = None) -> str:
    """The limits as one Chinese sentence for the upload page."""
    lim = limits or get_limits()
    return (
        f"单个文件（含 ZIP 压缩包）不超过 {lim.max_file_bytes // MB} MB；压缩包解压后合计不超过 "
        f"{lim.max_archive_bytes // MB} MB、最多 {lim.max_archive_members} 个文件。每份报告解析限时 "
        f"{lim.wall_seconds:g} 秒（扫描件每页另加 {lim.ocr_page_seconds:g} 秒，"
        f"最多识别 {lim.max_ocr_pages} 页）、"
        f"内存 {lim.memory_bytes // MB} MB，PDF 最多读取 {lim.max_pages} 页，单份文档最多 "
        f"{lim.max_cells:,} 个单元格。超出限制的文件会给出说明，不影响同批其他文件。"
    )


def _amount(name: str, value: float) -> tuple[str, str]:
    """(Chinese, English) form of a limit value with its unit."""
    if name.endswith("_bytes"):
        return f"{value / MB:g} MB", f"{value / MB:g} MB"
    if name.endswith("_seconds"):
        return f"{value:g} 秒", f"{value:g} s"
    return f"{value:,.0f}", f"{value:,.0f}"


def limit_error(code: str, name: str, limits: Limits | None = None, found: str | None = None) -> ReadError:
    """A ReadError for crossing limit ``name`` (a field of :class:`Limits`), with code
    ``too_large``, ``too_complex`` or ``timeout``; ``found`` says what the document had."""
    lim = limits or get_limits()
    zh_amount, en_amount = _amount(name, getattr(lim, name))
    what_zh = {"too_large": "文件超出限制", "too_complex": "文件结构过于复杂", "timeout": "解析超时"}.get(
        code, "超出限制"
    )
    what_en = {
        "too_large": "file too large",
        "too_complex": "file too complex",
        "timeout": "parse timed out",
    }.get(code, "limit exceeded")
    zh = (
        f"{what_zh}：{NAMES_ZH.get(name, name)}为 {zh_amount}"
        + (f"（本文件：{found}）" if found else "")
        + "，未解析"
    )
    en = (
        f"{what_en}: limit {name} = {en_amount}"
        + (f" (this file: {found})" if found else "")
        + "; not parsed"
    )
    return ReadError(code, zh, en, limit=name)

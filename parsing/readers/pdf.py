"""PDF reader: ruled tables, unruled tables, tables across pages, scanned pages (the entry point).

The text layer and the ruling lines are read with pdfium (:mod:`parsing.readers.pdfium_text`, several
times faster than pdfminer, most of all on the Type 3 fonts of Chromium's PDFs); pdfplumber's table
finder and word grouping then run on them. pdfplumber/pdfminer reads what pdfium cannot (see
:func:`extract_layouts`). The steps live in their own modules:

- :mod:`~parsing.readers.pdf_layout`: the layout model (words, lines, ruled tables, pages);
- :mod:`~parsing.readers.pdf_page`: one page → its ruled tables and the lines outside them (a table
  cut by the right edge of the paper loses its unprinted slice and its rows are marked as cut);
- :mod:`~parsing.readers.pdf_lines` and :mod:`~parsing.readers.pdf_wrapped_labels`: words → lines
  → cells (unruled tables, labels printed one character per line or wrapped over several lines,
  page marks such as ``- 5 -`` or ``第5页`` removed);
- :mod:`~parsing.readers.pdf_stitch`: a table that ends a page and a table with the same columns
  that starts the next page are one table (cut cells joined, repeated header rows dropped);
- :mod:`~parsing.readers.pdf_blank_cells`: an unruled table 三 whose blank cells print nothing;
- :mod:`~parsing.readers.pdf_assembly`: pages → Document rows and text.

A page with no text layer goes to OCR (:mod:`parsing.readers.ocr`). Kangxi radicals (``⾏`` for
``行``), which some PDF fonts produce, are normalised.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import Any

from parsing.document import Document
from parsing.errors import ReadError
from parsing.readers.pdf_assembly import assemble
from parsing.readers.pdf_blank_cells import slot_blank_cells
from parsing.readers.pdf_labels import is_known_label
from parsing.readers.pdf_layout import LineBlock, PageLayout, TableBlock, Word, line_edge, page_list
from parsing.readers.pdf_lines import lines_from_words, order_items
from parsing.readers.pdf_page import TABLE_SETTINGS, cap_lines, read_page
from parsing.readers.pdf_stitch import continues as _continues
from parsing.readers.pdf_stitch import stitch as _stitch
from parsing.readers.pdf_wrapped_labels import attach_wrapped_labels
from parsing.readers.pdfium_text import PDFIUM_LOCK, FastPage, pdfium_views

# Names other modules and the tests import from here (the reader's public face before the split).
__all__ = [
    "MAX_PAGES",
    "PDFIUM_LOCK",
    "TABLE_SETTINGS",
    "FastPage",
    "LineBlock",
    "PageLayout",
    "TableBlock",
    "Word",
    "_continues",
    "_stitch",
    "assemble",
    "attach_wrapped_labels",
    "cap_lines",
    "extract_layouts",
    "is_known_label",
    "line_edge",
    "lines_from_words",
    "open_pdf",
    "order_items",
    "read",
    "slot_blank_cells",
]

MAX_PAGES = 300


def read(data: bytes, filename: str = "", fast: bool = True) -> Document:
    """Read a PDF into a Document (OCR for pages without a text layer).

    ``fast=False`` reads every page with pdfminer only (the reference the fast path matches; the
    benchmark compares both)."""
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    layouts, warnings = extract_layouts(data, fast)
    doc = assemble(layouts)
    doc.warnings.extend(warnings)
    if not doc.rows:
        raise ReadError(
            "no_content", "PDF 中没有可读取的文字（可能是空白页）", "the PDF has no readable text"
        )
    return doc


def open_pdf(data: bytes) -> Any:
    """Open with pdfplumber, turning password and corruption failures into ReadError."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        _ = pdf.pages  # forces the page tree to be parsed: corruption shows here
    except Exception as exc:  # pdfminer raises many types for damaged files (KeyError, TypeError...)
        # pdfplumber wraps pdfminer's errors in PdfminerException(original).
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in repr(inner).lower():
            raise _encrypted() from exc
        raise _corrupt(inner) from exc  # PDFSyntaxError, PSException, and the odd KeyError
    if not pdf.pages:
        pdf.close()
        raise ReadError("corrupt", "PDF 文件没有页面，可能已损坏", "the PDF has no pages")
    return pdf


def _corrupt(exc: Exception) -> ReadError:
    return ReadError("corrupt", "PDF 文件已损坏，无法打开", f"corrupt PDF file: {exc or type(exc).__name__}")


def _encrypted() -> ReadError:
    return ReadError(
        "encrypted", "PDF 文件已加密（需要密码才能打开），无法读取", "the PDF is password-protected"
    )


@dataclass
class _Pages:
    """The layouts read so far, the warnings, and which pages are scans (to OCR afterwards)."""

    layouts: list[PageLayout] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    scanned: list[int] = field(default_factory=list)

    def add(self, number: int, result: tuple[PageLayout, bool, str | None]) -> None:
        """One page's (layout, is a scan, warning)."""
        layout, scan, warning = result
        self.layouts.append(layout)
        if scan:
            self.scanned.append(number)
        if warning:
            self.warnings.append(warning)

    def cap(self, pages: list[Any]) -> list[Any]:
        """The first MAX_PAGES pages (with a warning when there are more)."""
        if len(pages) > MAX_PAGES:
            self.warnings.append(f"PDF 共 {len(pages)} 页，只读取前 {MAX_PAGES} 页")
            return pages[:MAX_PAGES]
        return pages


def extract_layouts(data: bytes, fast: bool = True) -> tuple[list[PageLayout], list[str]]:
    """Every page's tables and lines, OCR'd when the page is a scan.

    Pages are read with pdfium (fast) and fall back to pdfplumber/pdfminer for what pdfium cannot
    give here: a file pdfium cannot open or finds no page in (pdfplumber then names the problem:
    password, damage), a page pdfium fails on, and a rotated page.
    """
    views = pdfium_views(data, MAX_PAGES) if fast else None
    if not views:
        return _extract_plumber(data)
    pages = _Pages()
    views = pages.cap(views)
    fallback = _PlumberFallback(data)
    try:
        for index, view in enumerate(views):
            number = index + 1
            page = view if view is not None else fallback.page(index)
            if page is None:
                pages.warnings.append(f"第 {number} 页无法读取")
                pages.layouts.append(PageLayout(number, 0.0, 0.0))
                continue
            pages.add(number, read_page(page, number))
    finally:
        fallback.close()
    _ocr_scans(data, pages)
    return pages.layouts, pages.warnings


class _PlumberFallback:
    """pdfplumber, opened only for a page pdfium could not read (and at most once)."""

    def __init__(self, data: bytes):
        self._data = data
        self._pdf: Any = None  # the open document, or the ReadError opening it gave

    def page(self, index: int) -> Any:
        """Page ``index`` read by pdfplumber, or None when pdfplumber cannot give it either."""
        if self._pdf is None:
            try:
                self._pdf = open_pdf(self._data)
            except ReadError as exc:  # pdfium read the other pages: keep them
                self._pdf = exc
        if isinstance(self._pdf, ReadError) or index >= len(self._pdf.pages):
            return None
        return self._pdf.pages[index]

    def close(self) -> None:
        """Close pdfplumber if it was opened."""
        if self._pdf is not None and not isinstance(self._pdf, ReadError):
            self._pdf.close()


def _extract_plumber(data: bytes) -> tuple[list[PageLayout], list[str]]:
    """Every page read with pdfplumber alone (the file pdfium could not open)."""
    pages = _Pages()
    pdf = open_pdf(data)
    with pdf:
        for index, page in enumerate(pages.cap(pdf.pages)):
            pages.add(index + 1, read_page(page, index + 1))
    _ocr_scans(data, pages)
    return pages.layouts, pages.warnings


def _ocr_scans(data: bytes, pages: _Pages) -> None:
    """OCR the pages that are scans (refused beyond the limit of OCR pages, before any is rendered)."""
    if not pages.scanned:
        return
    from parsing.limits import get_limits, limit_error

    limits = get_limits()
    if len(pages.scanned) > limits.max_ocr_pages:  # refused before any page is rendered
        raise limit_error("too_large", "max_ocr_pages", limits, f"{len(pages.scanned)} 页扫描页")
    from parsing.readers import ocr

    for layout in pages.layouts:
        if layout.ocr:
            ocr.fill_pdf_page(data, layout)
    pages.warnings.append(f"第 {page_list(pages.scanned)} 页没有文字层，已用 OCR 识别（置信度较低，请核对）")

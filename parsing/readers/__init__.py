"""Readers: document bytes of one format → format-neutral :class:`~parsing.document.Document`.

Each reader module exposes ``read(data: bytes, filename: str) -> Document`` and raises
:class:`~parsing.errors.ReadError` for input it cannot read. Modules are imported on demand so that
a heavy dependency (OCR, PDF) costs nothing when it is not used.
"""

from __future__ import annotations

import importlib

from parsing.document import Document
from parsing.errors import ReadError

# format name (as returned by sniffing) → reader module
READER_MODULES: dict[str, str] = {
    "txt": "parsing.readers.text",
    "md": "parsing.readers.text",
    "html": "parsing.readers.html",
    "pdf": "parsing.readers.pdf",
    "docx": "parsing.readers.docx",
    "doc": "parsing.readers.legacy",
    "wps": "parsing.readers.legacy",
    "xlsx": "parsing.readers.xlsx",
    "image": "parsing.readers.ocr",
}


def read_document(data: bytes, fmt: str, filename: str = "") -> Document:
    """Read ``data`` already sniffed as ``fmt`` into a Document."""
    module_name = READER_MODULES.get(fmt)
    if module_name is None:
        raise ReadError(
            "unsupported_format",
            f"不支持的文件格式（{fmt}）",
            f"unsupported file format ({fmt})",
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:  # a reader whose dependency is missing on this machine
        raise ReadError(
            "reader_unavailable",
            f"无法读取该格式（{fmt}）：缺少组件 {exc.name}",
            f"cannot read {fmt}: missing component {exc.name}",
        ) from exc
    return module.read(data, filename)

"""Format sniffing from the bytes; the file name is only a hint.

Government sites routinely serve a Word "Save as HTML" page named ``.doc``, a PDF named ``.html``
or a ZIP of reports named ``.rar``, so the magic bytes decide and the extension only breaks ties
that the bytes cannot (``.wps`` and ``.doc`` share the OLE2 container).
"""

from __future__ import annotations

import io
import re
import zipfile

from parsing.errors import ReadError
from parsing.limits import get_limits, limit_error
from parsing.readers.text import utf16_without_bom

# Largest single document accepted by default (parsing.limits.Limits.max_file_bytes decides).
MAX_BYTES = 100 * 1024 * 1024

FORMATS = ("txt", "html", "pdf", "docx", "xlsx", "doc", "wps", "zip", "image")

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC: tuple[tuple[bytes, int], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0),
    (b"\xff\xd8\xff", 0),  # JPEG
    (b"II*\x00", 0),  # TIFF little-endian
    (b"MM\x00*", 0),  # TIFF big-endian
    (b"BM", 0),  # BMP
    (b"GIF87a", 0),
    (b"GIF89a", 0),
)
_HTML_MARKERS = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|table|meta|title|div|p|span|font)[\s>/]", re.IGNORECASE
)
_MHTML = re.compile(rb"^content-type:\s*multipart/related", re.IGNORECASE | re.MULTILINE)
# Formats we recognise but cannot read: a clear message beats "unrecognised binary".
_KNOWN_UNSUPPORTED: tuple[tuple[bytes, str], ...] = (
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
)


def sniff(data: bytes, filename: str = "") -> str:
    """Return the format of ``data``: one of :data:`FORMATS`, or raise :class:`ReadError`.

    Raises ``empty`` for zero bytes or whitespace only, ``too_large`` above :data:`MAX_BYTES`,
    ``unsupported_format`` for known containers we cannot open (RAR, 7z, XLS) and ``binary`` for
    anything else that is not text.
    """
    limits = get_limits()
    if len(data) > limits.max_file_bytes:  # first: nothing below may copy a huge input
        raise limit_error("too_large", "max_file_bytes", limits, f"{len(data) / 1048576:.0f} MB")
    if not data or data.isspace():  # isspace, unlike strip, makes no copy
        raise ReadError("empty", "文件为空（0 字节或只有空白）", "the file is empty")
    ext = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    head = data[:1024]

    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(data)
    if data.startswith(_OLE2):
        return _sniff_ole(data, ext)
    for magic, offset in _IMAGE_MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return "image"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image"
    # PDF: the header may sit after some junk bytes (readers accept it within the first 1 KB).
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"{\\rtf"):
        # LibreOffice converts RTF exactly like .doc; "Word" reports saved as RTF do occur.
        return "doc"
    for magic, name in _KNOWN_UNSUPPORTED:
        if data.startswith(magic):
            raise ReadError(
                "unsupported_format",
                f"不支持的压缩格式（{name}），请改用 ZIP 打包",
                f"unsupported archive format ({name}); please use ZIP",
            )
    return _sniff_text(data)


def _sniff_zip(data: bytes) -> str:
    """docx / xlsx are ZIP containers: look at the member names, not the extension."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReadError(
            "corrupt",
            "ZIP 容器已损坏，无法打开（可能是下载不完整的 Word/Excel 文件或压缩包）",
            f"corrupt ZIP container: {exc}",
        ) from exc
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        raise ReadError("unsupported_format", "不支持 PowerPoint 文件", "PowerPoint files are not supported")
    if "mimetype" in names and any(n == "content.xml" for n in names):
        # OpenDocument (.odt): LibreOffice reads it like a legacy document.
        return "doc"
    return "zip"


def _sniff_ole(data: bytes, ext: str) -> str:
    """OLE2 container: Word 97-2003 (.doc), WPS Office (.wps) or Excel 97-2003 (.xls)."""
    # Directory entries are UTF-16LE names; a plain byte search is enough to tell them apart.
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data[:65536]:
        if "WordDocument".encode("utf-16-le") not in data:
            raise ReadError(
                "unsupported_format",
                "不支持旧版 Excel（.xls）文件，请另存为 .xlsx",
                "legacy Excel (.xls) is not supported; save it as .xlsx",
            )
    if "EncryptionInfo".encode("utf-16-le") in data:
        raise ReadError(
            "encrypted", "文件已加密（设置了打开密码），无法读取", "the file is password-protected"
        )
    return "wps" if ext in ("wps", "wpt") else "doc"


def _sniff_text(data: bytes) -> str:
    """HTML (incl. MHTML saved from a browser) or plain text; anything else is binary."""
    sample = data[:65536]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 text or HTML: look at it decoded.
        decoded = sample.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
        return "html" if _HTML_MARKERS.search(decoded[:8192]) else "txt"
    if _MHTML.search(sample[:8192]):
        return "html"
    if utf16_without_bom(sample):
        return "txt"
    if b"\x00" in sample[:8192]:
        raise ReadError("binary", "无法识别的二进制文件，不是可读取的年报格式", "unrecognised binary file")
    # Control characters other than whitespace mean a binary format we do not know.
    controls = sum(1 for b in sample[:8192] if b < 9 or 13 < b < 32)
    if controls > max(8, len(sample[:8192]) // 100):
        raise ReadError("binary", "无法识别的二进制文件，不是可读取的年报格式", "unrecognised binary file")
    if _HTML_MARKERS.search(sample[:8192]):
        return "html"
    return "txt"

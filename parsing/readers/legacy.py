"""Legacy Word (.doc), WPS (.wps), RTF and OpenDocument files, through LibreOffice headless.

LibreOffice converts the file to .docx in a private temporary directory (with its own user profile,
so parallel conversions do not fight over a lock), and the DOCX reader does the rest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from parsing.document import Document
from parsing.errors import ReadError

TIMEOUT_S = 120


def soffice_path() -> str | None:
    """The LibreOffice binary, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(data: bytes, filename: str = "") -> bytes:
    """Convert legacy document bytes to DOCX bytes with LibreOffice; ReadError when that fails."""
    binary = soffice_path()
    if binary is None:
        raise ReadError(
            "converter_missing",
            "无法读取 .doc/.wps 文件：本机未安装 LibreOffice（请运行 make setup，或把文件另存为 .docx）",
            "cannot read .doc/.wps: LibreOffice is not installed (run make setup, or save as .docx)",
        )
    suffix = Path(filename).suffix.lower() if filename else ""
    if suffix not in (".doc", ".wps", ".rtf", ".odt", ".wpt", ".dot"):
        suffix = ".rtf" if data.startswith(b"{\\rtf") else ".doc"
    with tempfile.TemporaryDirectory(prefix="legacy-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        cmd = [
            binary,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            tmp,
            str(src),
        ]
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                timeout=TIMEOUT_S,
                env={**os.environ, "HOME": tmp},
                start_new_session=True,
            )
        except subprocess.TimeoutExpired as exc:
            raise ReadError(
                "conversion_timeout",
                f"LibreOffice 转换超时（{TIMEOUT_S} 秒），文件可能已损坏",
                f"LibreOffice conversion timed out after {TIMEOUT_S} s",
            ) from exc
        out = Path(tmp) / "input.docx"
        if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise ReadError(
                "corrupt",
                "无法转换该 Word/WPS 文件，文件可能已损坏或已加密",
                f"LibreOffice could not convert the file: {detail[0]}",
            )
        return out.read_bytes()


def read(data: bytes, filename: str = "") -> Document:
    """Read a .doc/.wps/.rtf/.odt file into a Document (via DOCX)."""
    from parsing.readers import docx

    doc = docx.read(to_docx(data, filename), filename)
    doc.format = "wps" if filename.lower().endswith((".wps", ".wpt")) else "doc"
    return doc

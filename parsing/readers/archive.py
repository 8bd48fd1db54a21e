"""ZIP archives of many reports: members out, safely.

Supervisors send folders zipped on Windows (member names in GBK), with nested ZIPs and the junk
that macOS and Windows add. An archive is untrusted input, so every bound is enforced on the bytes
actually inflated, never on the sizes the archive claims (a zip bomb lies about them).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from parsing.errors import ReadError
from parsing.limits import get_limits

# Defaults of parsing.limits.Limits (max_archive_*), which decides at run time.
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # all members inflated, nested archives included
MAX_MEMBERS = 1000  # files in one batch, nested archives included
MAX_DEPTH = 3  # a ZIP inside a ZIP inside a ZIP, no deeper
MAX_RATIO = 200  # inflated/compressed; real reports compress 2-20x, bombs 1000x+
_RATIO_FLOOR = 1024 * 1024  # small members may compress extremely (a blank form): not a bomb
_CHUNK = 1024 * 1024
_JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini", ".localized"}


class _Budget:
    """Bounds shared by an archive and every archive nested in it."""

    def __init__(self) -> None:
        self.total = 0
        self.members = 0


def expand(data: bytes, filename: str) -> list[tuple[str, bytes | ReadError]]:
    """The member files of a ZIP archive, recursively, as (path, bytes or ReadError).

    Paths are ``archive.zip/folder/report.pdf``; nested archives add a level. Directories and OS
    junk (``__MACOSX/``, ``.DS_Store``, ``Thumbs.db``, Office ``~$`` lock files) are skipped. A
    member that breaks a bound, is encrypted or corrupt becomes a ReadError entry and the rest of
    the archive is still returned. Raises ReadError only when the archive itself cannot be opened.
    """
    return _expand(data, filename, depth=1, budget=_Budget())


def _expand(data: bytes, path: str, depth: int, budget: _Budget) -> list[tuple[str, bytes | ReadError]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReadError(
            "corrupt_archive",
            "压缩包已损坏，无法打开",
            f"corrupt ZIP archive: {exc}",
        ) from exc
    out: list[tuple[str, bytes | ReadError]] = []
    with zf:
        for info in zf.infolist():
            name = _member_name(info)
            if info.is_dir() or _is_junk(name):
                continue
            member_path = f"{path}/{name}"
            budget.members += 1
            if budget.members > get_limits().max_archive_members:
                out.append((member_path, _too_many()))
                break
            try:
                payload = _inflate(zf, info, budget)
            except ReadError as err:
                out.append((member_path, err))
                if err.code == "archive_too_large":
                    break  # the total budget is spent: every further member would fail too
                continue
            if _is_zip(payload):
                if depth >= get_limits().max_archive_depth:
                    out.append(
                        (
                            member_path,
                            ReadError(
                                "archive_too_deep",
                                f"压缩包嵌套超过 {get_limits().max_archive_depth} 层，未展开",
                                f"archives nested deeper than {get_limits().max_archive_depth}"
                                " levels are not expanded",
                            ),
                        )
                    )
                    continue
                try:
                    out.extend(_expand(payload, member_path, depth + 1, budget))
                except ReadError as err:
                    out.append((member_path, err))
                continue
            out.append((member_path, payload))
    return out


def _member_name(info: zipfile.ZipInfo) -> str:
    """Member name, repaired when a Chinese Windows zipper wrote GBK without the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    # Never let a member name climb out of the archive path ("../", absolute paths).
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("/", "..", ".")]
    return "/".join(parts) or "unnamed"


def _is_junk(name: str) -> bool:
    """OS junk, Office lock files, and the asset folder of a page saved from a browser
    ("报告_files/", "报告.files/": styles, scripts and logos, not reports)."""
    parts = name.split("/")
    base = parts[-1].lower()
    return (
        "__MACOSX" in parts
        or base in _JUNK_NAMES
        or base.startswith("._")
        or base.startswith("~$")
        or any(p.lower().endswith(("_files", ".files")) for p in parts[:-1])
    )


def _is_zip(payload: bytes) -> bool:
    """A nested ZIP archive (not a docx/xlsx, which are ZIP containers of their own)."""
    if not payload.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return not ({"word/document.xml", "xl/workbook.xml", "[Content_Types].xml", "mimetype"} & names)


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    """Read one member in chunks, stopping as soon as a bound is crossed."""
    if info.flag_bits & 0x1:
        raise ReadError("encrypted", "压缩包内文件已加密，无法读取", "the archive member is encrypted")
    limit = get_limits().max_file_bytes
    buf = io.BytesIO()
    read = 0
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                read += len(chunk)
                budget.total += len(chunk)
                if read > limit:
                    raise ReadError(
                        "too_large",
                        f"压缩包内文件过大（超过 {limit // 1048576} MB），已跳过",
                        f"archive member larger than {limit // 1048576} MB; skipped",
                    )
                if read > _RATIO_FLOOR and read > get_limits().max_archive_ratio * max(info.compress_size, 1):
                    raise ReadError(
                        "zip_bomb",
                        f"压缩比异常（超过 {get_limits().max_archive_ratio} 倍），疑似压缩炸弹，已跳过",
                        f"compression ratio above {get_limits().max_archive_ratio}"
                        ": suspected zip bomb; skipped",
                    )
                if budget.total > get_limits().max_archive_bytes:
                    raise ReadError(
                        "archive_too_large",
                        f"压缩包解压后总大小超过 {get_limits().max_archive_bytes // 1048576} MB"
                        "，其余文件未展开",
                        f"archive inflates to more than {get_limits().max_archive_bytes // 1048576} MB"
                        "; the rest was not expanded",
                    )
                buf.write(chunk)
    except ReadError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
    ) as exc:
        # CRC errors, truncated data, unsupported compression methods (e.g. deflate64, AES).
        raise ReadError("corrupt", "压缩包内文件已损坏，无法解压", f"corrupt archive member: {exc}") from exc
    except RuntimeError as exc:  # zipfile raises RuntimeError for a password-protected member
        raise ReadError(
            "encrypted", "压缩包内文件已加密，无法读取", f"encrypted archive member: {exc}"
        ) from exc
    return buf.getvalue()


def _too_many() -> ReadError:
    return ReadError(
        "too_many_files",
        f"压缩包内文件超过 {get_limits().max_archive_members} 个，其余文件未展开",
        f"more than {get_limits().max_archive_members} files in the archive; the rest was not expanded",
    )

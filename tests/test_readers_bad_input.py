"""Bad input gives an error object with a clear message, loses nothing else, and never crashes."""

from __future__ import annotations

import io
import zipfile

import pytest
from paths import BLANK_2021 as BLANK
from paths import HUAIAN

from parsing.api import parse_batch, parse_bytes
from parsing.errors import ReadError
from parsing.readers import archive, sniff


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(HUAIAN))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _bomb(size: int = 120 * 1024 * 1024) -> bytes:
    """One member of ``size`` zero bytes: compresses ~1000:1."""
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("report.txt", "w", force_zip64=True) as fh,
    ):
        chunk = b"\0" * (1024 * 1024)
        for _ in range(size // len(chunk)):
            fh.write(chunk)
    return buf.getvalue()


def _error(report) -> dict:
    assert report.error is not None
    assert report.error["message"] and report.error["message_en"]
    # The Chinese message is Chinese.
    assert any("\u4e00" <= ch <= "\u9fff" for ch in report.error["message"])
    return report.error


@pytest.mark.parametrize("data", [b"", b"   \n\t  "])
def test_zero_byte_and_blank_files(data):
    err = _error(parse_bytes(data, "empty.pdf"))
    assert err["code"] == "empty"
    assert "空" in err["message"]


def test_corrupt_pdf():
    truncated = HUAIAN.read_bytes()[:5000]
    err = _error(parse_bytes(truncated, "broken.pdf"))
    assert err["code"] in ("corrupt", "no_content")
    garbage = b"%PDF-1.7\n" + bytes(range(256)) * 40
    err = _error(parse_bytes(garbage, "garbage.pdf"))
    assert err["code"] == "corrupt"
    assert "损坏" in err["message"]


def test_encrypted_pdf():
    data = _encrypted_pdf()
    assert sniff.sniff(data, "x.pdf") == "pdf"
    err = _error(parse_bytes(data, "locked.pdf"))
    assert err["code"] == "encrypted"
    assert "加密" in err["message"]


def test_corrupt_docx():
    data = BLANK.read_bytes()
    # A ZIP whose document.xml is cut short.
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            payload = src.read(info)
            dst.writestr(
                info, payload[: len(payload) // 2] if info.filename == "word/document.xml" else payload
            )
    err = _error(parse_bytes(buf.getvalue(), "broken.docx"))
    assert err["code"] == "corrupt"
    err = _error(parse_bytes(data[:3000], "truncated.docx"))
    assert err["code"] == "corrupt"


def test_encrypted_office_file_is_reported_as_encrypted():
    # Office encrypts a .docx into an OLE2 container with an "EncryptionInfo" stream.
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 600
    )
    err = _error(parse_bytes(ole, "locked.docx"))
    assert err["code"] == "encrypted"


def test_binary_and_unsupported_files():
    assert _error(parse_bytes(bytes(range(256)) * 10, "blob.bin"))["code"] == "binary"
    assert (
        _error(parse_bytes(b"Rar!\x1a\x07\x00" + b"\0" * 100, "reports.rar"))["code"] == "unsupported_format"
    )


def test_oversized_file():
    data = b"%PDF-1.7\n" + b"0" * (sniff.MAX_BYTES + 1)
    with pytest.raises(ReadError) as exc:
        sniff.sniff(data, "huge.pdf")
    assert exc.value.code == "too_large"
    err = _error(parse_bytes(data, "huge.pdf"))
    assert err["code"] == "too_large"


def test_zip_bomb_is_stopped_and_reported():
    bomb = _bomb()
    assert len(bomb) < 1024 * 1024  # 120 MB inflated from well under 1 MB
    members = archive.expand(bomb, "bomb.zip")
    assert len(members) == 1
    name, err = members[0]
    assert name == "bomb.zip/report.txt"
    assert isinstance(err, ReadError)
    assert err.code == "zip_bomb"
    assert "压缩炸弹" in err.zh


def test_nested_zip_depth_and_member_count_bounds():
    docx = BLANK.read_bytes()
    level3 = _zip({"deep/blank.docx": docx})
    level2 = _zip({"l3.zip": level3, "blank2.docx": docx})
    level1 = _zip({"l2.zip": level2, "a/blank1.docx": docx})
    members = dict(archive.expand(level1, "batch.zip"))
    assert members["batch.zip/a/blank1.docx"] == docx
    assert members["batch.zip/l2.zip/blank2.docx"] == docx
    assert members["batch.zip/l2.zip/l3.zip/deep/blank.docx"] == docx  # depth 3 is allowed
    level4 = _zip({"l1.zip": level1})
    deep = dict(archive.expand(level4, "outer.zip"))
    err = deep["outer.zip/l1.zip/l2.zip/l3.zip"]
    assert isinstance(err, ReadError) and err.code == "archive_too_deep"
    many = _zip({f"f{i}.txt": b"x" for i in range(archive.MAX_MEMBERS + 5)}, zipfile.ZIP_STORED)
    out = archive.expand(many, "many.zip")
    assert len(out) == archive.MAX_MEMBERS + 1
    assert isinstance(out[-1][1], ReadError) and out[-1][1].code == "too_many_files"


def test_archive_skips_junk_and_repairs_gbk_names():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("__MACOSX/._报告.pdf", b"junk")
        zf.writestr(".DS_Store", b"junk")
        zf.writestr("docs/Thumbs.db", b"junk")
        zf.writestr("docs/~$blank.docx", b"lock")
        zf.writestr("docs/", b"")
        zf.writestr("docs/年报_files/logo.png", b"\x89PNG\r\n\x1a\n")  # a browser-saved page's assets
        # Placeholder name, swapped below for raw GBK bytes with no UTF-8 flag, as a Chinese
        # Windows zipper writes them (zipfile itself would set the flag).
        zf.writestr("ABCDEFGH.txt", "二〇二四年".encode())
        zf.writestr("../../etc/evil.txt", b"x")
    gbk_name = "淮安年报.txt".encode("gbk")
    assert len(gbk_name) == len(b"ABCDEFGH.txt")
    members = archive.expand(buf.getvalue().replace(b"ABCDEFGH.txt", gbk_name), "upload.zip")
    names = [n for n, _ in members]
    assert names == ["upload.zip/淮安年报.txt", "upload.zip/etc/evil.txt"]


def test_corrupt_archive():
    data = _zip({"a.txt": b"hello" * 1000})
    with pytest.raises(ReadError) as exc:
        archive.expand(data[:50] + b"\0" * 50, "cut.zip")
    assert exc.value.code == "corrupt_archive"
    results = parse_batch(b"PK\x03\x04" + b"\0" * 100, "cut.zip")
    assert len(results) == 1
    assert _error(results[0])["code"] in ("corrupt", "corrupt_archive")


def test_batch_with_bad_members_still_parses_the_good_ones():
    bomb_member = _bomb(40 * 1024 * 1024)  # a nested bomb: the zip is a member of the batch
    batch = _zip(
        {
            "good/huaian.pdf": HUAIAN.read_bytes(),
            "good/blank.docx": BLANK.read_bytes(),
            "bad/empty.txt": b"",
            "bad/locked.pdf": _encrypted_pdf(),
            "bad/broken.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 20,
            "bad/bomb.zip": bomb_member,
            "__MACOSX/good/._huaian.pdf": b"junk",
        }
    )
    results = {r.file: r for r in parse_batch(batch, "batch.zip")}
    assert set(results) == {
        "batch.zip/good/huaian.pdf",
        "batch.zip/good/blank.docx",
        "batch.zip/bad/empty.txt",
        "batch.zip/bad/locked.pdf",
        "batch.zip/bad/broken.pdf",
        "batch.zip/bad/bomb.zip/report.txt",
    }
    good = results["batch.zip/good/huaian.pdf"]
    assert good.error is None and len(good.cells) == 200
    assert good.values()["s3.r3_7_total.total"] == 3050
    blank = results["batch.zip/good/blank.docx"]
    assert blank.error is None and blank.template == "2021"
    assert _error(results["batch.zip/bad/empty.txt"])["code"] == "empty"
    assert _error(results["batch.zip/bad/locked.pdf"])["code"] == "encrypted"
    assert _error(results["batch.zip/bad/broken.pdf"])["code"] == "corrupt"
    assert _error(results["batch.zip/bad/bomb.zip/report.txt"])["code"] == "zip_bomb"

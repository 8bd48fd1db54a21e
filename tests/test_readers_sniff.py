"""Format sniffing from the bytes: the extension is only a hint."""

from __future__ import annotations

import io
import zipfile

import pytest
from test_fixtures_real import BLANK_2021, HUAIAN

from parsing.errors import ReadError
from parsing.readers import sniff


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (HUAIAN.read_bytes(), "report.html", "pdf"),  # a PDF served under a wrong name
        (b"\r\n\r\n" + HUAIAN.read_bytes()[:2000], "x", "pdf"),  # junk before %PDF
        (BLANK_2021.read_bytes(), "report.zip", "docx"),
        (_zip({"xl/workbook.xml": b"<workbook/>", "[Content_Types].xml": b"<Types/>"}), "a.xlsx", "xlsx"),
        (_zip({"a/report.pdf": b"%PDF-1.4"}), "batch.docx", "zip"),
        (
            _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
            "a.odt",
            "doc",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\0" * 600,
            "a.doc",
            "doc",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\0" * 600,
            "a.WPS",
            "wps",
        ),
        (b"{\\rtf1\\ansi report}", "a.doc", "doc"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "scan.pdf", "image"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 50, "scan", "image"),
        (b"II*\x00" + b"\0" * 50, "scan.tif", "image"),
        ("<!DOCTYPE html><html><body>年报</body></html>".encode(), "report.txt", "html"),
        ("<p>二、主动公开政府信息情况</p>".encode("gbk"), "report.doc", "html"),
        ("<html><body>年报</body></html>".encode("utf-16"), "report.htm", "html"),
        ("二、主动公开政府信息情况\n规章\t0\t0\t0\n".encode("gbk"), "report.html", "txt"),
        ("二、主动公开政府信息情况\n".encode("utf-16"), "report.txt", "txt"),
    ],
)
def test_sniff(data, name, expected):
    assert sniff.sniff(data, name) == expected


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b" \r\n\t ", "empty"),
        (bytes(range(256)) * 4, "binary"),
        (b"Rar!\x1a\x07\x01\x00" + b"\0" * 64, "unsupported_format"),
        (b"7z\xbc\xaf\x27\x1c" + b"\0" * 64, "unsupported_format"),
        (b"PK\x03\x04" + b"\0" * 64, "corrupt"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le") + b"\0" * 600,
            "unsupported_format",
        ),
    ],
)
def test_sniff_errors(data, code):
    with pytest.raises(ReadError) as exc:
        sniff.sniff(data, "file")
    assert exc.value.code == code
    assert exc.value.zh and exc.value.en

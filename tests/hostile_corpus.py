"""A deterministic corpus of hostile documents (issue 10), written for this project.

``cases(full=False)`` yields :class:`Case` objects: a file name (``bytes`` when the name itself is
hostile: not UTF-8, odd characters), the content, and a category. The same seed gives the same
bytes. ``full=False`` is the small sample run by ``tests/test_hostile.py`` in ``make test`` (each
case parses in well under a second or is refused at once); ``full=True`` adds the big ones
(100,000-cell tables, a million rows, 99 MB and 150 MB texts, 40 scanned pages, 300 TIFF frames)
run by ``scripts/hostile_run.py``.

Categories: sizes and counts (cells, spans, lines, digits, rows, frames, pages, words), nesting
(HTML, MHTML, ZIP), values (digits beyond float), structure bombs (gridSpan, merged ranges, page
size, zip bombs, billion laughs, external entities), damage (truncations, byte flips, magic bytes
followed by junk), encodings, and file names.
"""

from __future__ import annotations

import base64
import io
import random
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOOD_DIR = ROOT / "sample_reports"


@dataclass
class Case:
    """One hostile document."""

    name: str | bytes  # file name (bytes for names that are not valid UTF-8)
    data: bytes
    category: str


# --------------------------------------------------------------------------- builders


def good_reports() -> list[Path]:
    """The real seed reports (text, HTML, DOCX, PDF renderings) used as the good file of each batch."""
    files = sorted(GOOD_DIR.glob("*.txt")) + sorted((GOOD_DIR / "rendered").glob("*"))
    return [f for f in files if f.is_file()]


def html_table(rows: list[list[str]], attrs: str = "") -> bytes:
    body = "".join("<tr>" + "".join(f"<td{attrs}>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<html><head><meta charset='utf-8'></head><body><table>{body}</table></body></html>".encode()


def _info(name: str, method: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    """A member header with a fixed date, so that the same corpus has the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = method
    return info


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(_info(name, method), data)
    return buf.getvalue()


_CONTENT_TYPES_DOCX = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS_DOCX = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_of(body_xml: str, prolog: str = "") -> bytes:
    """A minimal DOCX whose body is ``body_xml`` (WordprocessingML)."""
    doc = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document {_W}>'
        f"<w:body>{body_xml}</w:body></w:document>"
    )
    return zip_of(
        {
            "[Content_Types].xml": _CONTENT_TYPES_DOCX,
            "_rels/.rels": _RELS_DOCX,
            "word/document.xml": doc.encode(),
        }
    )


def docx_table(rows: int, cols: int, span: int | None = None) -> bytes:
    tc = "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>"
    span_tc = f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>'
    trs = []
    for r in range(rows):
        cells = [tc.format(r * cols + c) for c in range(cols)]
        if span is not None and r == 0:
            cells[0] = span_tc
        trs.append("<w:tr>" + "".join(cells) + "</w:tr>")
    return docx_of("<w:tbl>" + "".join(trs) + "</w:tbl><w:p><w:r><w:t>行政许可</w:t></w:r></w:p>")


def xlsx_of(sheet_xml_parts: Iterator[bytes] | list[bytes], merge: str | None = None) -> bytes:
    """A minimal XLSX with one sheet whose <sheetData> content is streamed from ``sheet_xml_parts``."""
    ct = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
        ' Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    wb = (
        '<?xml version="1.0" encoding="UTF-8"?><workbook '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
        ' Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_info("[Content_Types].xml"), ct)
        zf.writestr(_info("_rels/.rels"), rels)
        zf.writestr(_info("xl/workbook.xml"), wb)
        zf.writestr(_info("xl/_rels/workbook.xml.rels"), wb_rels)
        with zf.open(_info("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as fh:
            fh.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for part in sheet_xml_parts:
                fh.write(part)
            fh.write(b"</sheetData>")
            if merge:
                fh.write(f'<mergeCells count="1"><mergeCell ref="{merge}"/></mergeCells>'.encode())
            fh.write(b"</worksheet>")
    return buf.getvalue()


def _xlsx_rows(n: int, cols: int = 3) -> Iterator[bytes]:
    letters = "ABCDEFGHIJ"
    for r in range(1, n + 1):
        yield (
            f'<row r="{r}">'
            + "".join(f'<c r="{letters[c]}{r}"><v>{r + c}</v></c>' for c in range(cols))
            + "</row>"
        ).encode()


def pdf_of(pages: list[tuple[float, float, bytes, bytes | None]]) -> bytes:
    """A PDF from (width, height, content stream, optional raw RGB image 1×1 scaled to the page)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    pages_id = len(objects) + 1 + 3 * len(pages)  # placeholder fixed below
    page_ids = []
    for width, height, content, image in pages:
        resources = f"/Font << /F1 {font} 0 R >>".encode()
        if image is not None:
            img = add(
                b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 "
                b"/ColorSpace /DeviceRGB /BitsPerComponent 8 "
                b"/Filter /FlateDecode /Length "
                + str(len(image)).encode()
                + b" >>\nstream\n"
                + image
                + b"\nendstream"
            )
            resources += f" /XObject << /Im1 {img} 0 R >>".encode()
        stream = add(
            b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream"
        )
        page_ids.append(add(b"PAGE:" + f"{width} {height} {stream}".encode() + b":" + resources))
    pages_id = add(b"")
    for pid in page_ids:
        raw = objects[pid - 1][5:]
        dims, resources = raw.split(b":", 1)
        width, height, stream = dims.split()
        objects[pid - 1] = (
            f"<< /Type /Page /Parent {pages_id} 0 R "
            f"/MediaBox [0 0 {width.decode()} {height.decode()}] ".encode()
            + b"/Resources << "
            + resources
            + b" >> /Contents "
            + stream
            + b" 0 R >>"
        )
        kids.append(f"{pid} 0 R")
    objects[pages_id - 1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    catalog = add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode())
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _noise_image(rng: random.Random) -> bytes:
    pixels = bytes(rng.randrange(256) for _ in range(64 * 64 * 3))
    return zlib.compress(pixels)


def scanned_pdf(pages: int, size: tuple[float, float] = (595, 842), seed: int = 0) -> bytes:
    """Image-only pages (no text layer): every page goes to OCR."""
    rng = random.Random(seed)
    image = _noise_image(rng)
    w, h = size
    content = f"q {w} 0 0 {h} 0 0 cm /Im1 Do Q".encode()
    return pdf_of([(w, h, content, image) for _ in range(pages)])


def words_pdf(words: int) -> bytes:
    """One 1000 × 1000 pt page with ``words`` tiny words (text layer), each a word of its own:
    gaps wider than the word tolerance, lines further apart than the line tolerance."""
    parts = [b"BT /F1 0.5 Tf"]
    per_line = 295
    for i in range(words):
        x, y = 2 + (i % per_line) * 3.3, 995 - ((i // per_line) * 3.5) % 990
        parts.append(f" 1 0 0 1 {x:.1f} {y:.1f} Tm ({i % 10}) Tj".encode())
    parts.append(b" ET")
    return pdf_of([(1000, 1000, b"".join(parts), None)])


def tiff_frames(frames: int) -> bytes:
    from PIL import Image

    imgs = [Image.new("L", (32, 32), color=(i * 7) % 256) for i in range(frames)]
    buf = io.BytesIO()
    imgs[0].save(buf, format="TIFF", save_all=True, append_images=imgs[1:])
    return buf.getvalue()


def nested_html(tag: str, depth: int, close: bool = True, inner: str = "行政许可 1 2 3") -> bytes:
    opening = f"<{tag}>" if tag != "table" else "<table><tr><td>"
    closing = f"</{tag}>" if tag != "table" else "</td></tr></table>"
    return (
        "<html><body>" + opening * depth + inner + (closing * depth if close else "") + "</body></html>"
    ).encode()


def nested_mhtml(depth: int) -> bytes:
    parts = []
    for i in range(depth):
        parts.append(f'Content-Type: multipart/related; boundary="b{i}"\n\n--b{i}\n')
    body = "Content-Type: text/html; charset=utf-8\n\n<html><body>行政许可 1</body></html>\n"
    tail = "".join(f"--b{i}--\n" for i in reversed(range(depth)))
    return ("MIME-Version: 1.0\n" + "".join(parts) + body + tail).encode()


def nested_zip(depth: int, payload: bytes) -> bytes:
    data = payload
    for i in range(depth):
        data = zip_of({f"level{i}.zip" if i else "report.txt": data})
    return data


def zip_bomb(size: int) -> bytes:
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open(_info("report.txt"), "w", force_zip64=True) as fh,
    ):
        chunk = b"0" * (1 << 20)
        for _ in range(size >> 20):
            fh.write(chunk)
    return buf.getvalue()


def billion_laughs() -> str:
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    return f"<!DOCTYPE lolz [{ents}]>"


def _bigtext_lines(n: int) -> bytes:
    return b"\n".join(b"%d" % i for i in range(n))


# --------------------------------------------------------------------------- the corpus


def _damaged(good: list[Path], rng: random.Random, count: int) -> Iterator[Case]:
    """Truncations and byte flips of the good reports (every format)."""
    for i in range(count):
        path = good[i % len(good)]
        data = path.read_bytes()
        cut = rng.randrange(1, max(len(data) - 1, 2))
        yield Case(f"trunc-{i:03d}{path.suffix}", data[:cut], "truncation")
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 40)):
            pos = rng.randrange(len(flipped))
            flipped[pos] = rng.randrange(256)
        yield Case(f"flip-{i:03d}{path.suffix}", bytes(flipped), "byte_flip")


_MAGICS = {
    "pdf": b"%PDF-1.7\n",
    "zip": b"PK\x03\x04",
    "ole": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "png": b"\x89PNG\r\n\x1a\n",
    "jpg": b"\xff\xd8\xff\xe0",
    "tif": b"II*\x00",
    "gif": b"GIF89a",
    "bmp": b"BM",
    "webp": b"RIFF\x10\x00\x00\x00WEBP",
    "rtf": b"{\\rtf1",
    "html": b"<html><body>",
    "rar": b"Rar!\x1a\x07\x00",
    "gz": b"\x1f\x8b\x08",
    "utf16": b"\xff\xfe",
}


def _magic_junk(rng: random.Random, full: bool) -> Iterator[Case]:
    for ext, magic in _MAGICS.items():
        if ext in ("ole", "rtf") and not full:
            continue  # LibreOffice takes seconds per file: the full run only
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(10, 3000)))
        yield Case(f"magic-{ext}.{ext}", magic + junk, "magic_junk")
    yield Case("zeros.pdf", b"\0" * 4096, "magic_junk")
    yield Case("ff.docx", b"\xff" * 4096, "magic_junk")


def _encodings(good_text: str) -> Iterator[Case]:
    yield Case("utf16le-nobom.txt", good_text.encode("utf-16-le"), "encoding")
    yield Case("utf16be-bom.txt", b"\xfe\xff" + good_text.encode("utf-16-be"), "encoding")
    yield Case("utf32.txt", good_text.encode("utf-32"), "encoding")
    yield Case(
        "gbk-as-utf8-meta.html",
        f"<meta charset='utf-8'><p>{good_text[:2000]}</p>".encode("gb18030"),
        "encoding",
    )
    yield Case("big5.txt", good_text[:3000].encode("big5", "replace"), "encoding")
    yield Case("utf7.txt", good_text[:500].encode("utf-7"), "encoding")
    yield Case("bad-charset.html", b"<meta charset='x-no-such-thing'><p>\xb9\xab\xbf\xaa 1</p>", "encoding")
    yield Case(
        "mixed.txt",
        good_text[:1000].encode() + bytes(range(128, 256)) + good_text[:1000].encode("gb18030"),
        "encoding",
    )
    yield Case("controls.txt", bytes(range(0, 32)) * 50, "encoding")
    yield Case("bom-only.txt", b"\xef\xbb\xbf", "encoding")
    yield Case("nul-in-html.html", b"<html><body>\x00\x00<table><tr><td>1\x00</td></tr></table>", "encoding")


def _names(good_data: bytes) -> Iterator[Case]:
    tiny = good_data[:200]
    yield Case(b"latin1-\xe9\xe8.txt", tiny, "odd_name")
    yield Case(b"gbk-\xb1\xa8\xb8\xe6.txt", tiny, "odd_name")
    yield Case(b"\xff\xfe\xfd", tiny, "odd_name")
    yield Case("no-extension", tiny, "odd_name")
    yield Case("report.pdf.exe", tiny, "odd_name")
    yield Case("x" * 240 + ".txt", tiny, "odd_name")
    yield Case("new\nline\t\"quote'.txt", tiny, "odd_name")
    yield Case("rtl-\u202egnp.txt", tiny, "odd_name")
    yield Case("emoji-📄报告.html", b"<p>" + tiny + b"</p>", "odd_name")
    yield Case(".hidden", tiny, "odd_name")
    yield Case("-starts-with-dash.txt", tiny, "odd_name")
    yield Case("wrong-ext.pdf", tiny, "odd_name")


def _archives(good_data: bytes) -> Iterator[Case]:
    yield Case("empty.zip", zip_of({}), "archive")
    yield Case(
        "junk-only.zip",
        zip_of({"__MACOSX/._a.txt": b"x", ".DS_Store": b"\0\0", "Thumbs.db": b"x", "dir/": b""}),
        "archive",
    )
    yield Case(
        "non-reports.zip",
        zip_of({"logo.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 10, "style.css": b"body{}", "a.js": b"1"}),
        "archive",
    )
    yield Case(
        "traversal.zip", zip_of({"../../etc/evil.txt": good_data[:300], "/abs/x.txt": b"1"}), "archive"
    )
    yield Case("nested-deep.zip", nested_zip(6, good_data[:300]), "archive")
    yield Case("stored-bomb.zip", zip_bomb(110 << 20), "bomb")
    yield Case(b"gbk-member.zip", _gbk_member_zip(good_data), "archive")
    truncated = zip_of({"a.txt": good_data})
    yield Case("truncated.zip", truncated[: len(truncated) // 2], "archive")
    yield Case("encrypted-flag.zip", _encrypted_flag_zip(), "archive")


def _gbk_member_zip(good_data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(_info("x.txt", zipfile.ZIP_STORED), good_data[:500])
    raw = bytearray(buf.getvalue())
    # Replace the ASCII name by GBK bytes of the same length in both headers ("报告" minus one byte).
    return bytes(raw).replace(b"x.txt", b"\xb1\xa8\xb8\xe6t")


def _encrypted_flag_zip() -> bytes:
    raw = bytearray(zip_of({"a.txt": b"hello"}))
    raw[6] |= 0x1  # local header: "encrypted"
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 8] |= 0x1
    return bytes(raw)


def _xml_attacks() -> Iterator[Case]:
    xxe = '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    yield Case("xxe.docx", docx_of("<w:p><w:r><w:t>&x;</w:t></w:r></w:p>", xxe), "xml_attack")
    yield Case(
        "laughs.docx", docx_of("<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", billion_laughs()), "xml_attack"
    )
    yield Case(
        "laughs.html", (billion_laughs() + "<html><body><p>&lol9;</p></body></html>").encode(), "xml_attack"
    )
    sheet = [b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>']
    data = xlsx_of(sheet)
    yield Case(
        "laughs.xlsx",
        data.replace(
            b'<?xml version="1.0" encoding="UTF-8"?><worksheet',
            b'<?xml version="1.0" encoding="UTF-8"?>' + billion_laughs().encode() + b"<worksheet",
        ),
        "xml_attack",
    )


def _small(rng: random.Random) -> Iterator[Case]:
    """Fast hostile cases: refused at once or read quickly."""
    yield Case(
        "spans-1000.html",
        html_table([[str(i) for i in range(10)] for _ in range(100)], ' rowspan="200" colspan="200"'),
        "spans",
    )
    yield Case(
        "span-huge.html", html_table([["行政许可", "1"]], ' rowspan="99999999999" colspan="-5"'), "spans"
    )
    yield Case("digits-400.html", html_table([["行政许可", "9" * 400, "1" * 5000]]), "digits")
    yield Case("digits-400.txt", ("规章 " + "7" * 400 + " " + "8" * 5000 + "\n").encode(), "digits")
    yield Case("digits-split.txt", ("行政许可 " + " ".join(["9" * 300] * 3) + "\n").encode(), "digits")
    yield Case("float-overflow.html", html_table([["行政许可", "1" * 320 + ".5", "1e400"]]), "digits")
    for tag in ("div", "span", "table", "b"):
        yield Case(f"deep-{tag}-20k.html", nested_html(tag, 20_000), "nesting")
    yield Case("deep-unclosed-table.html", nested_html("table", 10_000, close=False), "nesting")
    yield Case("deep-mhtml.mht", nested_mhtml(3_000), "nesting")
    yield Case("gridspan-2e9.docx", docx_table(2, 3, span=2_000_000_000), "spans")
    yield Case("gridspan-neg.docx", docx_table(2, 3, span=-7), "spans")
    yield Case("merged-whole-sheet.xlsx", xlsx_of(list(_xlsx_rows(3)), merge="A1:XFD1048576"), "spans")
    yield Case(
        "xlsx-far-cell.xlsx", xlsx_of([b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>']), "size"
    )
    yield Case("br-20k.html", ("<html><body><p>" + "<br>" * 20_000 + "</p></body></html>").encode(), "size")
    yield Case("tiff-60.tif", tiff_frames(60), "size")  # refused before any OCR
    yield Case("ocr-40-pages.pdf", scanned_pdf(40), "size")
    yield Case("ocr-zero-size.pdf", scanned_pdf(1, size=(0, 0)), "size")
    yield Case("neg-page.pdf", pdf_of([(-595, -842, b"BT /F1 12 Tf 10 10 Td (1) Tj ET", None)]), "size")
    yield Case("png-bomb.png", _png_bomb(), "bomb")
    yield Case("one-cell-100k-digits.html", html_table([["1" * 100_000]]), "digits")
    yield Case("text-lines-50k.txt", _bigtext_lines(50_000), "size")
    yield Case("html-cells-20k.html", html_table([[str(i) for i in range(20_000)]]), "size")
    yield Case("docx-100x100.docx", docx_table(100, 100), "size")


def _png_bomb() -> bytes:
    """A PNG that claims 30000 × 30000 pixels (header only, the data is a few bytes of zeros)."""
    import struct

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * (30001 * 100))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _big() -> Iterator[Case]:
    """The issue's full-size cases (slow to build or to refuse; the full run only)."""
    yield Case("html-cells-100k-row.html", html_table([[str(i) for i in range(100_000)]]), "size")
    yield Case(
        "html-cells-316x316.html",
        html_table([[str(r * 316 + c) for c in range(316)] for r in range(316)]),
        "size",
    )
    yield Case("br-1m.html", ("<html><body><p>" + "<br>" * 1_000_000 + "</p></body></html>").encode(), "size")
    yield Case("text-1m-digits.txt", b"1" * 1_000_000, "digits")
    yield Case("text-1m-lines.txt", _bigtext_lines(1_000_000), "size")
    yield Case(
        "text-99mb.txt", ("行政许可 12 34\n" * (99 * 1024 * 1024 // 20)).encode()[: 99 * 1024 * 1024], "size"
    )
    yield Case("text-150mb.txt", b"a" * (150 * 1024 * 1024), "size")
    yield Case("html-cell-1m-digits.html", html_table([["行政许可", "1" * 1_000_000]]), "digits")
    yield Case("xlsx-1m-rows.xlsx", xlsx_of(_xlsx_rows(1_000_000)), "size")
    yield Case(
        "xlsx-10mb-cell.xlsx",
        xlsx_of([b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"8" * (10 << 20) + b"</t></is></c></row>"]),
        "size",
    )
    yield Case("ocr-40-pages-b.pdf", scanned_pdf(40, seed=1), "size")
    yield Case("pdf-84k-words.pdf", words_pdf(84_000), "size")
    yield Case("tiff-300.tif", tiff_frames(300), "size")
    yield Case("huge-page.pdf", scanned_pdf(1, size=(14400, 14400)), "size")
    yield Case("tiff-8.tif", tiff_frames(8), "size")
    yield Case("docx-316x316.docx", docx_table(316, 316), "size")
    for tag in ("div", "span", "table"):
        yield Case(f"deep-{tag}-100k.html", nested_html(tag, 100_000), "nesting")
    yield Case("deep-mhtml-10k.mht", nested_mhtml(10_000), "nesting")
    yield Case(
        "zip-bomb-nested.zip", zip_of({"a.zip": zip_bomb(300 << 20), "b.zip": zip_bomb(300 << 20)}), "bomb"
    )


def cases(full: bool = False, seed: int = 10) -> Iterator[Case]:
    """The hostile corpus in a fixed order (``full`` adds the big cases of :func:`_big`)."""
    rng = random.Random(seed)
    good = good_reports()
    good_text = good[0].read_text("utf-8")
    yield from _small(rng)
    yield from _archives(good[0].read_bytes())
    yield from _names(good[0].read_bytes())
    yield from _encodings(good_text)
    yield from _xml_attacks()
    yield from _magic_junk(rng, full)
    yield from _damaged(good, rng, 60 if full else 6)
    if full:
        yield from _big()


def write(case: Case, folder: Path) -> Path:
    """Write ``case`` into ``folder`` under its (possibly hostile) name; returns the path."""
    import os

    name = case.name if isinstance(case.name, bytes) else case.name.encode("utf-8")
    path = os.path.join(os.fsencode(folder), name.replace(b"/", b"_"))
    with open(path, "wb") as fh:
        fh.write(case.data)
    return Path(os.fsdecode(path))


def name_b64(case: Case) -> str:
    """The base64 of the case's file name bytes (as the parser's ``file_b64`` would hold them)."""
    name = case.name if isinstance(case.name, bytes) else case.name.encode("utf-8")
    return base64.b64encode(name).decode("ascii")

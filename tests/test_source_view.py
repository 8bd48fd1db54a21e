"""library/source_view.py: the page image with the cell's box, and the table row of grid formats."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from paths import HUAIAN, RENDERED
from PIL import Image

from library.source_view import cell_matches, page_image, read_tables
from parsing.api import parse_bytes

KEY = "s3.r3_1_granted.natural_person"


@pytest.fixture(scope="module")
def huaian():
    data = HUAIAN.read_bytes()
    return data, parse_bytes(data, HUAIAN.name)


def _word_centre(
    data: bytes, page: int, text: str, near: tuple[float, float, float, float]
) -> tuple[float, float]:
    """Centre (points, top-left origin) of the word ``text`` closest to ``near``, found by pdfplumber."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        words = [w for w in pdf.pages[page - 1].extract_words() if w["text"] == text]
    assert words, text
    cx, cy = (near[0] + near[2]) / 2, (near[1] + near[3]) / 2
    word = min(
        words, key=lambda w: abs((w["x0"] + w["x1"]) / 2 - cx) + abs((w["top"] + w["bottom"]) / 2 - cy)
    )
    return (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2


def test_pdf_page_is_drawn_with_the_box_around_the_value(huaian):
    data, report = huaian
    cell = report.cells[KEY]
    shown = page_image(data, cell.source.to_dict(), report.format)
    image = Image.open(io.BytesIO(shown.png))
    assert max(image.size) <= 1400 and image.size == (shown.width, shown.height)
    # The value printed on the page (found independently by pdfplumber) lies inside the drawn box.
    x, y = _word_centre(data, cell.source.page, cell.raw, cell.source.bbox)
    px, py = x * shown.scale - shown.crop[0], y * shown.scale - shown.crop[1]
    x0, top, x1, bottom = shown.box_px
    assert x0 <= px <= x1 and top <= py <= bottom
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page_width = float(pdf.pages[cell.source.page - 1].width)
    assert shown.crop[0] > 0 and shown.width < page_width * shown.scale  # blank margins cut off
    # The box is drawn: its outline is red.
    r, g, b = image.getpixel((x0 - 2, (top + bottom) // 2))[:3]
    assert r > 180 and g < 90 and b < 90
    band = Image.open(io.BytesIO(shown.band_png))
    assert band.width == shown.width and band.height < shown.height / 3


def test_ocr_box_of_a_scanned_page_lands_on_the_value():
    """A scanned page: OCR boxes are in points of the rendered page, drawn on the same page image."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(HUAIAN.read_bytes())
    try:
        picture = pdf[3].render(scale=200 / 72).to_pil().convert("RGB")
    finally:
        pdf.close()
    buf = io.BytesIO()
    picture.save(buf, "PDF", resolution=200)
    data = buf.getvalue()
    report = parse_bytes(data, "scan.pdf")
    cell = report.cells[KEY]
    assert cell.source.kind == "ocr" and cell.source.page == 1
    shown = page_image(data, cell.source.to_dict(), report.format)
    assert shown.box_px is not None and shown.note is None
    # Same place as in the text-layer PDF (page 4 of the original), within a few pixels.
    original = page_image(
        HUAIAN.read_bytes(), parse_bytes(HUAIAN.read_bytes(), "h.pdf").cells[KEY].source.to_dict(), "pdf"
    )

    # Compare in points of the page: pixel / scale, margins added back.
    def centre(img):
        return [((img.box_px[i] + img.box_px[i + 2]) / 2 + img.crop[i]) / img.scale for i in (0, 1)]

    got, expected = centre(shown), centre(original)
    assert abs(got[0] - expected[0]) < 8 and abs(got[1] - expected[1]) < 8


def test_image_file_box_is_drawn_in_image_pixels():
    picture = Image.new("RGB", (2000, 1000), "white")
    buf = io.BytesIO()
    picture.save(buf, "PNG")
    shown = page_image(buf.getvalue(), {"kind": "ocr", "page": 1, "bbox": [1000, 500, 1100, 540]}, "image")
    assert shown.scale == 0.7
    assert shown.box_px == (
        700 - shown.crop[0],
        350 - shown.crop[1],
        770 - shown.crop[0],
        378 - shown.crop[1],
    )


def test_a_box_outside_the_page_is_not_drawn(huaian):
    data, _ = huaian
    shown = page_image(data, {"kind": "pdf", "page": 1, "bbox": [5000, 5000, 5100, 5100]}, "pdf")
    assert shown.box_px is None and shown.band_png is None and shown.note


@pytest.mark.parametrize(
    "name",
    [
        "000_bd3a826d0705f6e5.html",
        "000_bd3a826d0705f6e5.gbk.html",
        "004_e3c733e02cbb2cbf.docx",
        "004_e3c733e02cbb2cbf.html",
    ],
)
def test_every_table_cell_is_found_again_in_its_row(name):
    data = (RENDERED / name).read_bytes()
    report = parse_bytes(data, name)
    tables = read_tables(data, name)
    positioned = [c for c in report.cells.values() if c.source.table is not None]
    assert positioned
    for cell in positioned:
        src = cell.source
        row = tables[src.table].row_texts(src.row)
        assert cell_matches(row[src.col], cell.raw), (cell.key, cell.raw, row)
    granted = report.cells[KEY].source
    assert "（一）予以公开" in tables[granted.table].row_texts(granted.row)
    # Column headings come from the header rows above the row's block of data rows.
    headings = tables[granted.table].header_for(granted.row)
    assert headings[granted.col] == "自然人" and headings[granted.col + 1] == "商业企业"
    assert headings[-1] == "总计"
    fee = report.cells.get("s2.art20_8.administrative_fees.fee_amount_wan_yuan") or report.cells.get(
        "s2.art20_8.administrative_fees.items_change"
    )
    src = fee.source
    assert tables[src.table].header_for(src.row)[src.col] in ("本年收费金额（单位：万元）", "本年增/减")


def test_xlsx_cells_are_found_again():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["信息内容", "本年处理决定数量"])
    ws.append(["行政许可", 356])
    ws.append(["行政处罚", 12])
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    tables = read_tables(data, "t.xlsx")
    assert tables[0].row_texts(1) == ["行政许可", "356"]


def test_a_changed_cell_is_not_trusted():
    assert cell_matches("1,288 件", "1,288")
    assert not cell_matches("21", "1288")
    assert cell_matches("", "")

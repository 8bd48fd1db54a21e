"""OCR: a scanned PDF and a photo-like image go through the same interpreter with exact cells.

The scan is made here from the real 淮安 report: pages 4-5 rendered to pictures (no text layer),
saved as an image-only PDF, so the expected values are the hand-read ones of test_fixtures_real.
"""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import pytest
from test_fixtures_real import HUAIAN, HUAIAN_S2, _huaian_expected

from parsing.api import parse_bytes
from parsing.readers import ocr, sniff


def _page_images(pages: list[int], dpi: int = 200):
    pdf = pdfium.PdfDocument(HUAIAN.read_bytes())
    try:
        return [pdf[p - 1].render(scale=dpi / 72).to_pil().convert("RGB") for p in pages]
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def scanned_report():
    images = _page_images([4, 5])
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=200)
    data = buf.getvalue()
    return data, parse_bytes(data, "scan.pdf")


def test_scanned_pdf_has_no_text_layer(scanned_report):
    import pdfplumber

    data, _ = scanned_report
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert all(not page.chars for page in pdf.pages)


def test_scanned_pdf_cells_are_exact(scanned_report):
    _, report = scanned_report
    assert report.error is None
    assert report.template == "2021"
    expected = _huaian_expected()
    # Page 3 (table 二's first blocks) is not in the scan: those cells must be absent, not invented.
    on_page_3 = {k for k in HUAIAN_S2 if ".art20_1." in k or ".art20_5." in k}
    expected = {k: v for k, v in expected.items() if k not in on_page_3}
    assert report.values() == expected
    assert not [c for c in report.checks if c.status == "fail"]
    assert any("OCR" in w for w in report.warnings)


def test_ocr_cells_carry_page_bbox_and_lower_confidence(scanned_report):
    _, report = scanned_report
    for key, cell in report.cells.items():
        src = cell.source
        assert src.kind == "ocr", key
        assert src.page in (1, 2), key
        assert src.confidence is not None and 0 < src.confidence <= ocr.MAX_CONFIDENCE < 1, key
        x0, top, x1, bottom = src.bbox  # PDF points of the scanned page
        assert 0 <= x0 < x1 <= 600 and 0 <= top < bottom <= 850, key
    # Table 三 runs from the first scanned page to the second: stitched into one table.
    first = report.cells["s3.r1_new_received.natural_person"].source
    last = report.cells["s3.r4_carry_forward.total"].source
    assert (first.page, last.page) == (1, 2) and first.table == last.table


def test_image_file_is_read_by_ocr():
    (page,) = _page_images([5], dpi=150)
    # A crooked photo of the part of page 5 with the heading and table 四 (a crop keeps the test
    # fast), turned by 1.5° as a hand-fed scan is: the rules must be straightened to find the grid.
    image = page.crop((0, int(page.height * 0.56), page.width, int(page.height * 0.84)))
    image = image.rotate(1.5, expand=True, fillcolor="white")
    _, angle = ocr.deskew(np.array(image))
    assert abs(angle + 1.5) < 0.3
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=80)
    data = buf.getvalue()
    assert sniff.sniff(data, "photo.jpg") == "image"
    report = parse_bytes(data, "photo.jpg")
    assert report.error is None
    assert report.format == "image"
    values = report.values()
    expected = _huaian_expected()
    s4 = {k: v for k, v in expected.items() if k.startswith("s4.")}
    assert values == s4
    src = report.cells["s4.review_total"].source
    assert src.kind == "ocr" and src.page == 1 and src.confidence <= ocr.MAX_CONFIDENCE


def test_corrupt_image_is_an_error():
    report = parse_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "broken.png")
    assert report.error is not None
    assert report.error["code"] == "corrupt"


def test_digit_confusions_are_fixed_only_in_rows_of_numbers():
    from parsing.readers.grid import GridCell

    numbers = [GridCell(t, confidence=0.98) for t in ("72", "I", "178", "O", "l0")]
    labels = [GridCell(t, confidence=0.97) for t in ("其他", "I", "O")]
    grid = [list(numbers), list(labels)]
    ocr._fix_digit_confusions(grid)
    assert [c.text for c in grid[0]] == ["72", "1", "178", "0", "10"]
    assert [c.confidence for c in grid[0]] == [
        0.98,
        ocr.FIXED_CONFIDENCE,
        0.98,
        ocr.FIXED_CONFIDENCE,
        ocr.FIXED_CONFIDENCE,
    ]
    assert [c.text for c in grid[1]] == ["其他", "I", "O"]  # no row of numbers: left as read

"""Where a parsed value sits in the original document, drawn for a reviewer (Streamlit-free).

A cell's provenance (:class:`parsing.document.Source`, stored as a dict with every cell) says:
- ``page`` + ``bbox`` (PDF text layer, OCR of a scanned PDF, OCR of an image): the page is rendered
  with pypdfium2 (the image itself for an image file) at a bounded size and the box is drawn on it;
- ``table`` + ``row`` + ``col`` (web page, Word, Excel): the original document is read again with the
  same reader and that table is returned, so the row can be shown with the cell marked;
- ``line`` (text formats, and paragraphs of web pages): the text view of the page does the rest.

Coordinates: the PDF reader gives text-layer boxes in points from the top-left of the media box;
OCR boxes of a scanned PDF page are in points of the rendered page (the crop box), those of an image
file in pixels of the image.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

MAX_SIDE_PX = 1400  # longest side of a rendered page: sharp enough to read, small enough to send
MAX_SCALE = 3.0  # a tiny page is not blown up beyond this
BAND_MARGIN = 0.06  # the zoomed strip around a box: this share of the page height above and below
BOX_COLOUR = (220, 38, 38)  # the red the charts use for warnings
FILL_ALPHA = 60
CONTENT_INK = 24  # a pixel this much darker than white is printed content (scan noise is lighter)
CONTENT_PAD = 16  # pixels of margin kept around the printed content
POINT_KINDS = ("pdf",)
_NUMBER = re.compile(r"[+\-−]?\d[\d,.，]*")  # text-layer boxes: points from the media box's top-left corner


@dataclass(frozen=True)
class PageImage:
    """A rendered page with the cell's box drawn on it, plus a zoomed strip around the box."""

    png: bytes  # the page, cropped to its printed content
    band_png: bytes | None  # a strip of the page around the box (None when there is no box)
    width: int
    height: int
    box_px: (
        tuple[int, int, int, int] | None
    )  # where the box was drawn, in pixels of ``png`` (None: not drawn)
    note: str | None = None  # why no box was drawn, for the reviewer
    scale: float = 1.0  # pixels per unit of the box (PDF point, or image pixel)
    crop: tuple[int, int] = (0, 0)  # pixels cut from the left and top of the rendered page (blank margins)


@dataclass(frozen=True)
class TableView:
    """One table of the original document as the reader saw it: ``rows`` maps row → column → text."""

    rows: dict[int, dict[int, str]]

    @property
    def width(self) -> int:
        """Number of columns (the widest row)."""
        return 1 + max((c for cols in self.rows.values() for c in cols), default=-1)

    def row_texts(self, row: int) -> list[str]:
        """The texts of one row, one per column; a slot covered by a merged cell is ``""``."""
        cols = self.rows.get(row, {})
        return [cols.get(c, "") for c in range(self.width)]

    def is_data_row(self, row: int) -> bool:
        """True when some cell of the row holds a number (header rows hold words only)."""
        return any(_NUMBER.fullmatch(text.strip()) for text in self.rows.get(row, {}).values())

    def header_for(self, row: int) -> list[str]:
        """Column headings of ``row``: the header rows right above its block of data rows.

        Going up from ``row``, the data rows of its own block are passed, then the consecutive
        header rows are read; each column takes the text of the lowest header row that has one
        (``自然人`` under ``申请人情况``, ``商业企业`` under ``法人或其他组织``). ``""`` where none.
        """
        ordered = sorted(r for r in self.rows if r < row)
        while ordered and self.is_data_row(ordered[-1]):
            ordered.pop()
        header: list[int] = []
        while ordered and not self.is_data_row(ordered[-1]):
            header.insert(0, ordered.pop())
        out = [""] * self.width
        for r in header:
            for c, text in self.rows[r].items():
                if text.strip():
                    out[c] = text.replace("\n", "")
        return out


def source_dict(source: Any) -> dict[str, Any]:
    """A stored source as a dict (``{}`` when missing: a blank or NaN from the table)."""
    return source if isinstance(source, dict) else {}


def has_box(source: dict[str, Any]) -> bool:
    """True when the source names a page and a bounding box."""
    return source.get("page") is not None and source.get("bbox") is not None


def has_table_position(source: dict[str, Any]) -> bool:
    """True when the source names a table, row and column."""
    return all(source.get(k) is not None for k in ("table", "row", "col"))


# --------------------------------------------------------------------------- tables (HTML, DOCX, XLSX)


def read_tables(data: bytes, filename: str = "") -> dict[int, TableView]:
    """Every table of a document read again with its reader, by table index (``{}`` if unreadable).

    Row and column indexes are those the reader stored with each cell (merged slots expanded), so a
    stored ``(table, row, col)`` finds its cell here.
    """
    from parsing.errors import ReadError
    from parsing.readers import read_document
    from parsing.readers.sniff import sniff

    try:
        fmt = sniff(data, filename)
        doc = read_document(data, fmt, filename)
    except ReadError:
        return {}
    tables: dict[int, dict[int, dict[int, str]]] = {}
    for row in doc.rows:
        for cell in row:
            src = cell.source
            if src.table is None or src.row is None or src.col is None:
                continue
            tables.setdefault(src.table, {}).setdefault(src.row, {})[src.col] = cell.text
    return {index: TableView(rows) for index, rows in tables.items()}


def cell_matches(text: str, raw: str | None) -> bool:
    """Whether the re-read cell still holds the stored raw text (spaces ignored): if not, the
    original changed meaning (another parser version) and the marked cell must not be trusted."""
    if raw is None or raw == "":
        return True
    squash = "".join(str(text).split())
    return "".join(str(raw).split()) in squash


# --------------------------------------------------------------------------- page images (PDF, OCR, image)


def _scale_for(width: float, height: float, max_side: int) -> float:
    return min(max_side / max(width, height, 1.0), MAX_SCALE)


def _render_pdf_page(data: bytes, page: int, max_side: int) -> tuple[Any, float, tuple[float, float], int]:
    """(PIL image, scale px/pt, (dx, dy) in points from media-box to crop-box origin, rotation)."""
    import pypdfium2 as pdfium

    from parsing.readers.pdfium_text import PDFIUM_LOCK  # pdfium is not thread-safe

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            if not 1 <= page <= len(pdf):
                raise ValueError(f"page {page} out of range")
            p = pdf[page - 1]
            try:
                m_left, _m_bottom, _m_right, m_top = p.get_mediabox()
                c_left, _c_bottom, _c_right, c_top = p.get_cropbox()
                width, height = p.get_size()
                scale = _scale_for(width, height, max_side)
                image = p.render(scale=scale).to_pil().convert("RGB")
                rotation = p.get_rotation()
            finally:
                p.close()
        finally:
            pdf.close()
    return image, scale, (m_left - c_left, c_top - m_top), rotation


def _open_image_frame(data: bytes, page: int, max_side: int) -> tuple[Any, float]:
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = 60_000_000  # as the OCR reader: a decompression bomb is refused
    img = Image.open(io.BytesIO(data))
    frames = ImageSequence.Iterator(img)
    frame = next((f for i, f in enumerate(frames, 1) if i == page), None)
    if frame is None:
        raise ValueError(f"frame {page} out of range")
    frame = frame.convert("RGB")
    scale = min(max_side / max(frame.size), 1.0)
    if scale < 1.0:
        frame = frame.resize((round(frame.width * scale), round(frame.height * scale)))
    return frame, scale


def _box_px(
    bbox, scale: float, offset: tuple[float, float], size: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """The box in pixels of the rendered image, clipped to it (None when it falls outside)."""
    x0, top, x1, bottom = (float(v) for v in bbox)
    dx, dy = offset
    box = (
        max(0, round((x0 + dx) * scale)),
        max(0, round((top + dy) * scale)),
        min(size[0] - 1, round((x1 + dx) * scale)),
        min(size[1] - 1, round((bottom + dy) * scale)),
    )
    return box if box[0] < box[2] and box[1] < box[3] else None


def draw_box(image, box: tuple[int, int, int, int]):
    """The image with ``box`` outlined in red over a light red fill (a new image)."""
    from PIL import Image, ImageDraw

    base = image.convert("RGBA")
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    pad = 3  # the outline must not cover the digits it marks
    outer = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
    draw.rectangle(outer, fill=(*BOX_COLOUR, FILL_ALPHA), outline=(*BOX_COLOUR, 255), width=3)
    return Image.alpha_composite(base, overlay).convert("RGB")


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _content_crop(image, box: tuple[int, int, int, int] | None) -> tuple[int, int, int, int]:
    """The part of the page with something printed on it (plus the box), with a small margin:
    blank page margins would only shrink the page in a narrow column."""
    from PIL import ImageOps

    ink = ImageOps.invert(image.convert("L")).point(lambda v: 255 if v > CONTENT_INK else 0).getbbox()
    if ink is None:
        return (0, 0, image.width, image.height)
    if box is not None:
        ink = (min(ink[0], box[0]), min(ink[1], box[1]), max(ink[2], box[2]), max(ink[3], box[3]))
    pad = CONTENT_PAD
    return (
        max(0, ink[0] - pad),
        max(0, ink[1] - pad),
        min(image.width, ink[2] + pad),
        min(image.height, ink[3] + pad),
    )


def _band(image, box: tuple[int, int, int, int]):
    """A full-width strip of the page around the box: the row with its label, readable at a glance."""
    margin = round(image.height * BAND_MARGIN)
    top, bottom = max(0, box[1] - margin), min(image.height, box[3] + margin)
    return image.crop((0, top, image.width, bottom))


def page_image(data: bytes, source: dict[str, Any], fmt: str, max_side: int = MAX_SIDE_PX) -> PageImage:
    """The page named by ``source`` (``page``, ``bbox``, ``kind``) with the box drawn on it.

    ``fmt`` is the stored document format: ``image`` means the original is a picture (OCR boxes in
    its pixels); anything else is a PDF. Raises ValueError when the page cannot be rendered.
    """
    page = int(source["page"])
    bbox = source.get("bbox")
    note = None
    if fmt == "image":
        image, scale = _open_image_frame(data, page, max_side)
        offset, rotation = (0.0, 0.0), 0
    else:
        image, scale, offset, rotation = _render_pdf_page(data, page, max_side)
        if source.get("kind") not in POINT_KINDS:
            offset = (0.0, 0.0)  # OCR of a rendered page: points of the crop box already
    box = None
    if bbox is not None and rotation == 0:
        box = _box_px(bbox, scale, offset, image.size)
        if box is None:
            note = "单元格位置超出页面范围，未能标出"
    elif bbox is not None:
        note = "该页面经过旋转，未标出单元格位置，请按页码查看"
    left, top, right, bottom = _content_crop(image, box)
    image = image.crop((left, top, right, bottom))
    if box is not None:
        box = (box[0] - left, box[1] - top, box[2] - left, box[3] - top)
    marked = draw_box(image, box) if box else image
    band = _png(_band(marked, box)) if box else None
    return PageImage(_png(marked), band, marked.width, marked.height, box, note, scale, (left, top))

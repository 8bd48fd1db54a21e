"""OCR for scanned PDFs and images (rapidocr; its models ship inside the wheel and run offline).

OCR gives text boxes, not tables, so the table structure is rebuilt from the picture itself: the
ruling lines are found with morphology (OpenCV), turned into cells by pdfplumber's own
edge → intersection → cell functions, and every text box goes into the cell that holds its centre.
Text outside the ruled tables becomes lines, exactly like a PDF text layer, so scans go through the
same page assembly (page marks, tables across pages) and the same interpreter.

OCR cells carry the recogniser's confidence, capped below 1 so a reviewer can tell them apart.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from typing import cast

import numpy as np

from parsing.document import Document
from parsing.errors import ReadError
from parsing.limits import get_limits, limit_error, report_progress
from parsing.readers.grid import GridCell, clean_cell_text
from parsing.readers.pdf_assembly import assemble
from parsing.readers.pdf_layout import Bbox, PageLayout, TableBlock, Word, line_edge
from parsing.readers.pdf_lines import lines_from_words, order_items
from parsing.readers.pdfium_text import PDFIUM_LOCK  # pdfium is not thread-safe

RENDER_DPI = 200  # 200 dpi reads small table digits reliably; 100 dpi loses some
MAX_CONFIDENCE = 0.99  # an OCR cell never claims the certainty of a text layer


@lru_cache(maxsize=1)
def engine():
    """The OCR engine, loaded once per process (loading the models takes ~2 s)."""
    from rapidocr import RapidOCR

    return RapidOCR(params={"Global.log_level": "warning"})


def read(data: bytes, filename: str = "") -> Document:
    """Read an image (PNG, JPEG, TIFF, BMP, GIF, WebP; every TIFF frame is a page) via OCR."""
    pages = _load_image_pages(data)
    layouts = []
    for number, image in enumerate(pages, 1):
        report_progress("ocr_page")  # the worker's parent adds the OCR time of a page to the budget
        h, w = image.shape[:2]
        layout = PageLayout(number, float(w), float(h), ocr=True)
        # Image coordinates are pixels: scale 1, so bounding boxes are in pixels of the image.
        fill_layout(layout, image, scale=1.0)
        layouts.append(layout)
    doc = assemble(layouts)
    doc.format = "image"
    doc.warnings.append("图片经 OCR 识别，置信度较低，请核对数字")
    if not doc.rows:
        raise ReadError("no_content", "图片中没有识别出文字", "no text was recognised in the image")
    return doc


def _load_image_pages(data: bytes) -> list[np.ndarray]:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    limits = get_limits()
    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    try:
        img = Image.open(io.BytesIO(data))
        count = getattr(img, "n_frames", 1)
        if count > limits.max_ocr_pages:  # every frame is a page to OCR (a 300-frame TIFF)
            raise limit_error("too_large", "max_ocr_pages", limits, f"{count} 帧")
        frames = [
            _bounded(frame.convert("RGB"), limits.max_page_pixels) for frame in ImageSequence.Iterator(img)
        ]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ReadError("corrupt", "图片文件已损坏，无法打开", f"corrupt image: {exc}") from exc
    except Image.DecompressionBombError as exc:
        raise limit_error("too_large", "max_image_pixels", limits) from exc
    return [np.array(frame) for frame in frames]


def _bounded(image, max_pixels: int):
    """``image`` scaled down to at most ``max_pixels`` pixels (OCR memory grows with the pixels)."""
    w, h = image.size
    if w * h <= max_pixels:
        return image
    factor = (max_pixels / (w * h)) ** 0.5
    return image.resize((max(int(w * factor), 1), max(int(h * factor), 1)))


def render_scale(width_pt: float, height_pt: float, max_pixels: int) -> float:
    """The render scale of a PDF page: RENDER_DPI, lowered so that the page stays within
    ``max_pixels`` pixels whatever size the page claims (a 200 × 200 inch page would be 1.6 G pixels)."""
    scale = RENDER_DPI / 72
    area = abs(width_pt * height_pt) * scale * scale
    if area > max_pixels:
        scale *= (max_pixels / area) ** 0.5
    return scale


def fill_pdf_page(data: bytes, layout: PageLayout) -> None:
    """OCR one scanned PDF page (rendered with pypdfium2) into ``layout``, in PDF points."""
    import pypdfium2 as pdfium

    report_progress("ocr_page")  # the worker's parent adds the OCR time of a page to the budget
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            page = pdf[layout.number - 1]
            # The size is checked before rendering: the pixel count is bounded, not the page's claim.
            scale = render_scale(page.get_width(), page.get_height(), get_limits().max_page_pixels)
            image = np.array(page.render(scale=scale).to_pil().convert("RGB"))
        finally:
            pdf.close()
    if image.size == 0:
        return  # a page of zero size has nothing to read
    fill_layout(layout, image, scale=1 / scale)


def deskew(image: np.ndarray) -> tuple[np.ndarray, float]:
    """Straighten a slightly rotated scan by its long horizontal lines (table rules, underlines).

    Returns the image (rotated about its centre when the skew is between 0.15° and 10°) and the
    angle found. Ruling lines must be straight for the table grid to be found at all.
    """
    import cv2

    gray: np.ndarray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    binary = cv2.adaptiveThreshold(~gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -2)
    h, w = binary.shape
    horiz = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(w // 30, 20), 1))
    )
    found = cv2.HoughLinesP(
        horiz, 1, np.pi / 3600, threshold=max(w // 8, 50), minLineLength=w // 4, maxLineGap=15
    )
    if found is None:
        return image, 0.0
    angles = []
    for x1, y1, x2, y2 in np.asarray(found).reshape(-1, 4):
        angle = float(np.degrees(np.arctan2(y2 - y1, x2 - x1)))
        if abs(angle) < 10:
            angles.append(angle)
    if len(angles) < 3:
        return image, 0.0
    angle = float(np.median(angles))
    if abs(angle) < 0.15:
        return image, angle
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = (255, 255, 255) if image.ndim == 3 else 255
    rotated = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=border)
    return rotated, angle


def fill_layout(layout: PageLayout, image: np.ndarray, scale: float) -> None:
    """Recognise ``image`` and put its tables and lines into ``layout`` (coordinates × ``scale``).

    A skewed scan is straightened first; coordinates then refer to the straightened page.
    """
    image, _ = deskew(image)
    words = recognise(image, scale)
    tables = []
    for cells in detect_tables(image):
        scaled = [tuple(v * scale for v in c) for c in cells]
        block = _table_from_cells(scaled, words, layout.number)
        if block is not None:
            tables.append(block)
    inside = [w for w in words if any(_centre_in(w, t.bbox) for t in tables)]
    outside = [w for w in words if w not in inside]
    layout.items = order_items(tables, lines_from_words(outside, layout.number), layout)


def recognise(image: np.ndarray, scale: float = 1.0) -> list[Word]:
    """Text boxes of an image as Words (axis-aligned boxes, confidence capped)."""
    result = engine()(image)
    if result is None or result.boxes is None:
        return []
    words = []
    for box, text, score in zip(result.boxes, result.txts, result.scores, strict=False):
        text = (text or "").strip()
        if not text:
            continue
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        words.append(
            Word(
                text,
                min(xs) * scale,
                min(ys) * scale,
                max(xs) * scale,
                max(ys) * scale,
                round(min(float(score), MAX_CONFIDENCE), 3),
            )
        )
    return words


def detect_tables(image: np.ndarray) -> list[list[tuple[float, float, float, float]]]:
    """Cells (x0, top, x1, bottom in pixels) of every ruled table in the image."""
    import cv2
    from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

    gray: np.ndarray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    binary = cv2.adaptiveThreshold(~gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -2)
    h, w = binary.shape
    edges = []
    # A ruling line is a long thin run of dark pixels; text strokes are short.
    horiz = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(w // 40, 20), 1))
    )
    vert = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(h // 80, 20)))
    )
    # Close small gaps in scanned lines.
    horiz = cv2.dilate(horiz, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 1)))
    vert = cv2.dilate(vert, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 5)))
    for mask, orientation in ((horiz, "h"), (vert, "v")):
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for i in range(1, count):
            x, y, bw, bh, _ = stats[i]
            if orientation == "h":
                mid = y + bh / 2
                edges.append(line_edge("h", float(x), mid, float(x + bw), mid))
            else:
                mid = x + bw / 2
                edges.append(line_edge("v", mid, float(y), mid, float(y + bh)))
    if not edges:
        return []
    edges = merge_edges(edges, 4, 4, 6, 6)
    cells = intersections_to_cells(edges_to_intersections(edges, 4, 4))
    return [list(t) for t in cells_to_tables(cells)]


def _centre_in(w: Word, bbox) -> bool:
    cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _index(value: float, anchors: list[float], tol: float) -> int:
    return min(range(len(anchors)), key=lambda i: abs(anchors[i] - value)) if anchors else 0


def _table_from_cells(cells: list[tuple[float, ...]], words: list[Word], page: int) -> TableBlock | None:
    """A grid of cells (origin slots hold text, covered slots None) filled with the OCR words."""
    if len(cells) < 2:
        return None
    xs = _cluster([c[0] for c in cells] + [c[2] for c in cells], 3)
    ys = _cluster([c[1] for c in cells] + [c[3] for c in cells], 3)
    ncols, nrows = len(xs) - 1, len(ys) - 1
    if ncols < 2 or nrows < 1:
        return None
    grid: list[list[GridCell | None]] = [[None] * ncols for _ in range(nrows)]
    for cell in cells:
        r, c = _index(cell[1], ys, 3), _index(cell[0], xs, 3)
        if r >= nrows or c >= ncols:
            continue
        inner = [w for w in words if _centre_in(w, cell)]
        grid[r][c] = GridCell(
            _cell_text(inner),
            page=page,
            bbox=tuple(round(float(v), 2) for v in cell),  # type: ignore[arg-type]
            confidence=min((w.confidence for w in inner if w.confidence is not None), default=None),
        )
    _fix_digit_confusions(grid)
    bbox = (
        min(c[0] for c in cells),
        min(c[1] for c in cells),
        max(c[2] for c in cells),
        max(c[3] for c in cells),
    )
    rounded = cast(Bbox, tuple(round(v, 2) for v in bbox))
    return TableBlock(grid, rounded, [round(x, 1) for x in xs], page, kind="ocr")


_CONFUSABLE = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0", "o": "0"})
_DIGITS = re.compile(r"^\d+(?:\.\d+)?$")
_ALMOST_DIGITS = re.compile(r"^[\dIl|Oo]+$")
FIXED_CONFIDENCE = 0.5  # a digit read as a letter and corrected: shown to the reviewer as doubtful


def _fix_digit_confusions(grid: list[list[GridCell | None]]) -> None:
    """In a row of numbers, OCR sometimes reads 1 as I/l/| and 0 as O/o. Such a cell is corrected
    only when its row already holds at least two real numbers, and its confidence is lowered so
    that the reviewer checks it."""
    for row in grid:
        cells = [c for c in row if c is not None]
        if sum(bool(_DIGITS.match(c.text)) for c in cells) < 2:
            continue
        for cell in cells:
            if _ALMOST_DIGITS.match(cell.text) and not _DIGITS.match(cell.text):
                cell.text = cell.text.translate(_CONFUSABLE)
                cell.confidence = min(cell.confidence or 1.0, FIXED_CONFIDENCE)


def _cell_text(words: list[Word]) -> str:
    """Words of one cell: lines top to bottom, words left to right."""
    if not words:
        return ""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.top + w.bottom) / 2):
        cy = (w.top + w.bottom) / 2
        if lines and abs(cy - sum((x.top + x.bottom) / 2 for x in lines[-1]) / len(lines[-1])) < 0.5 * w.size:
            lines[-1].append(w)
        else:
            lines.append([w])
    return clean_cell_text(
        "\n".join(" ".join(x.text for x in sorted(line, key=lambda x: x.x0)) for line in lines)
    )

"""The fast text layer: pages read with pdfium (C++) and shaped like the pdfplumber pages the reader uses.

pdfminer interprets Type 3 fonts (every PDF Chromium prints) several times slower than embedded
TrueType; pdfium reads the same page in ~15 ms. It supplies the characters (loose, font-based boxes,
as pdfminer gives) and the ruling segments of path objects as pdfplumber edges, so pdfplumber's
table finder and word grouping run unchanged on them. pdfium is not thread-safe: every call to it
runs under :data:`PDFIUM_LOCK`.
"""

from __future__ import annotations

import threading
from typing import Any

from parsing.readers.pdf_layout import line_edge

# pdfium is not thread-safe, and the app parses in a background thread while a page may upload a
# file: every pdfium call of the readers runs under this lock (other modules may take it too).
PDFIUM_LOCK = threading.Lock()

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def pdfium_views(data: bytes, max_pages: int) -> list[FastPage | None] | None:
    """Every page's characters and rules read with pdfium (None for a page it cannot read or that
    is rotated), or None when pdfium cannot open the file. Only plain data leaves the lock.

    Past ``max_pages`` the pages are not read, only counted (as None)."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pdfplumber brings it, but a trimmed install still reads PDFs
        return None
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except Exception:  # noqa: BLE001 - pdfplumber then reports the precise reason
            return None
        try:
            views: list[FastPage | None] = [
                _view(document, index) for index in range(min(len(document), max_pages + 1))
            ]
            if len(document) > max_pages:
                views.extend([None] * (len(document) - len(views)))  # counted for the warning only
            return views
        finally:
            document.close()


def _view(document: Any, index: int) -> FastPage | None:
    """Page ``index`` as a FastPage, or None for pdfminer to try (unreadable or rotated)."""
    try:
        page = document[index]
    except Exception:  # noqa: BLE001 - pdfminer gets its chance on this page
        return None
    try:
        return FastPage(page, index + 1) if page.get_rotation() == 0 else None
    except Exception:  # noqa: BLE001 - pdfminer gets its chance on this page
        return None
    finally:
        page.close()


class FastPage:
    """A page read with pdfium (C++) and shaped like the pdfplumber page the readers use.

    pdfminer interprets Type 3 fonts (every PDF Chromium prints) several times slower than embedded
    TrueType; pdfium reads the same page in ~15 ms. It supplies the characters (loose, font-based
    boxes, as pdfminer gives) and the ruling segments of path objects as pdfplumber edges, so
    pdfplumber's table finder and word grouping run unchanged on them.
    """

    def __init__(self, page: Any, number: int):
        left, bottom, right, top = page.get_mediabox()
        self.page_number = number
        self.width = right - left
        self.height = top - bottom
        self.bbox = (0, 0, self.width, self.height)
        self._origin = (left, top)
        # Text placed beyond the paper (a table wider than the page) is not printed: not read either.
        self.chars = [
            c
            for c in _pdfium_chars(page, self._origin)
            if 0 <= (c["x0"] + c["x1"]) / 2 <= self.width and 0 <= (c["top"] + c["bottom"]) / 2 <= self.height
        ]
        self.images: list[dict] = []  # bounding boxes only: what the scan check needs
        self.edges = _pdfium_edges(page, self._origin, self.images)

    def find_tables(self, settings: dict) -> list[Any]:
        """pdfplumber's table finder run on this page's edges and characters."""
        from pdfplumber.table import TableFinder, TableSettings

        return TableFinder(self, TableSettings.resolve(settings)).tables  # type: ignore[arg-type]

    def extract_words(self, **kwargs: Any) -> list[dict]:
        """pdfplumber's word grouping run on this page's characters."""
        from pdfplumber.utils import extract_words

        return extract_words(self.chars, **kwargs)

    def flush_cache(self) -> None:
        """Nothing is cached beyond this object (pdfplumber pages cache their layout)."""


def _pdfium_chars(page: Any, origin: tuple[float, float]) -> list[dict]:
    """The page's characters as pdfplumber char dicts, in page space (top-left origin)."""
    left, top = origin
    raw_chars = _raw_chars(page)
    _even_heights(raw_chars)
    chars: list[dict] = []
    for text, (x0, y0, x1, y1), _, size, upright, _ in raw_chars:
        t, b = top - y1, top - y0
        chars.append(
            {
                "text": text,
                "x0": x0 - left,
                "x1": x1 - left,
                "top": t,
                "bottom": b,
                "doctop": t,
                "width": x1 - x0,
                "height": b - t,
                "size": size,
                "upright": upright,
                "fontname": "",
                "object_type": "char",
            }
        )
    return chars


def _raw_chars(page: Any) -> list[list]:
    """[text, loose box (l, b, r, t), baseline, font size, upright, origin x] of every character the
    document holds, in PDF space."""
    import ctypes
    import math

    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    raw_chars: list[list] = []
    ox = ctypes.c_double()
    oy = ctypes.c_double()
    matrix = raw.FS_MATRIX()
    try:
        for i in range(textpage.count_chars()):
            if raw.FPDFText_IsGenerated(textpage, i):
                continue  # spaces and line breaks pdfium infers: not in the document
            code = raw.FPDFText_GetUnicode(textpage, i)
            if code in (0, 0xFFFE, 0xFFFF) or code < 0x20:
                continue
            box = list(textpage.get_charbox(i, loose=True))
            raw.FPDFText_GetCharOrigin(textpage, i, ctypes.byref(ox), ctypes.byref(oy))
            raw.FPDFText_GetMatrix(textpage, i, ctypes.byref(matrix))
            # The size in page units, as pdfminer reports it: the text size times the matrix scale.
            size = raw.FPDFText_GetFontSize(textpage, i) * math.hypot(matrix.c, matrix.d)
            angle = raw.FPDFText_GetCharAngle(textpage, i)
            upright = angle < 0.01 or angle > 6.27  # radians: 0 (or 2π) is upright text
            raw_chars.append([chr(code), box, oy.value, size, upright, ox.value])
    finally:
        textpage.close()
    return raw_chars


def _even_heights(chars: list[list]) -> None:
    """Make every character box one font size tall, standing on the font's descent, in place.

    That is the box pdfminer gives, which the line and cell rules were tuned on. pdfium's loose box
    spans the font's ascent and descent, but for some glyphs of Type 3 fonts (the ones mapped to
    Kangxi radicals: ``⼀ ⼆ ⼗``) it falls back to the ink box, so "一" would be a flat sliver in
    the middle of its line, and word grouping would put it on a line of its own. Such a glyph
    stands where the nearest full-height character on its baseline stands (alone: on its baseline),
    and starts at its pen position as the others do.
    """
    n = len(chars)

    def full(k: int) -> bool:
        box, size = chars[k][1], chars[k][3]
        return size > 0 and box[3] - box[1] >= 0.9 * size

    for i, (_, box, base, size, upright, x_origin) in enumerate(chars):
        if not upright or size <= 0:
            continue
        if full(i):
            floor = box[1]
        else:
            box[0] = min(box[0], x_origin)  # the ink starts right of the pen: the cell starts at the pen
            floor = base - 0.12 * size
            for j in sorted(range(max(0, i - 6), min(n, i + 7)), key=lambda j: abs(j - i)):
                if j != i and abs(chars[j][2] - base) < 0.01 and full(j):
                    floor = chars[j][1][1]
                    break
        box[1], box[3] = floor, floor + size


def _pdfium_edges(page: Any, origin: tuple[float, float], images: list[dict]) -> list[dict]:
    """Horizontal and vertical segments of every path (inside form XObjects too), in page space;
    the boxes of the page's top-level images go to ``images``."""
    import pypdfium2.raw as raw

    walker = _PathWalker(origin, images)
    for i in range(raw.FPDFPage_CountObjects(page.raw)):
        walker.walk(raw.FPDFPage_GetObject(page.raw, i), _IDENTITY)
    return walker.edges


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix of ``inner`` applied inside ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


class _PathWalker:
    """Walks a page's objects, collecting the straight segments of paths and the top-level images."""

    def __init__(self, origin: tuple[float, float], images: list[dict]):
        import ctypes

        import pypdfium2.raw as raw

        self.raw = raw
        self.ctypes = ctypes
        self.left, self.top = origin
        self.images = images
        self.edges: list[dict] = []
        self._x = ctypes.c_float()
        self._y = ctypes.c_float()

    def transform(self, m: Matrix, px: float, py: float) -> tuple[float, float]:
        """A point of PDF space (through ``m``) in page space (top-left origin)."""
        return (m[0] * px + m[2] * py + m[4] - self.left, self.top - (m[1] * px + m[3] * py + m[5]))

    def add(self, p: tuple[float, float], q: tuple[float, float]) -> None:
        """The segment p–q as an edge when it is horizontal or vertical (never a point)."""
        (xa, ya), (xb, yb) = p, q
        if abs(ya - yb) < 0.01 and abs(xa - xb) >= 0.01:
            x0, x1 = sorted((xa, xb))
            self.edges.append(line_edge("h", x0, ya, x1, ya))
        elif abs(xa - xb) < 0.01 and abs(ya - yb) >= 0.01:
            t, b = sorted((ya, yb))
            self.edges.append(line_edge("v", xa, t, xa, b))

    def walk(self, obj: Any, outer: Matrix) -> None:
        """Collect from one page object (a form's objects in turn) drawn with matrix ``outer``."""
        raw, ctypes = self.raw, self.ctypes
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_IMAGE and outer == _IDENTITY:
            self._add_image(obj)
            return
        if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
            return
        fm = raw.FS_MATRIX()
        raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(fm))
        m = _compose((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), outer)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            for j in range(raw.FPDFFormObj_CountObjects(obj)):
                self.walk(raw.FPDFFormObj_GetObject(obj, j), m)
            return
        self._add_path(obj, m)

    def _add_image(self, obj: Any) -> None:
        raw, ctypes = self.raw, self.ctypes
        bounds = [ctypes.c_float() for _ in range(4)]
        if raw.FPDFPageObj_GetBounds(obj, *(ctypes.byref(b) for b in bounds)):
            x0, y0, x1, y1 = (b.value for b in bounds)
            self.images.append(
                {"x0": x0 - self.left, "x1": x1 - self.left, "top": self.top - y1, "bottom": self.top - y0}
            )

    def _add_path(self, obj: Any, m: Matrix) -> None:
        """The straight segments of a path object (curves only move the pen)."""
        raw, ctypes = self.raw, self.ctypes
        start = current = None
        for s in range(raw.FPDFPath_CountSegments(obj)):
            seg = raw.FPDFPath_GetPathSegment(obj, s)
            raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(self._x), ctypes.byref(self._y))
            point = self.transform(m, self._x.value, self._y.value)
            kind_s = raw.FPDFPathSegment_GetType(seg)
            if kind_s == raw.FPDF_SEGMENT_MOVETO:
                start = point
            elif kind_s == raw.FPDF_SEGMENT_LINETO and current is not None:
                self.add(current, point)
            current = point  # curves only move the pen: they are never table rules
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                self.add(current, start)
                current = start

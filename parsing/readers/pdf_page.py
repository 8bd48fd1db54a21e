"""One page with a text layer → :class:`~parsing.readers.pdf_layout.PageLayout`.

The page is a pdfplumber page or a :class:`~parsing.readers.pdfium_text.FastPage` shaped like one.
Ruled tables are found with the lines strategy (a merged cell is emitted once: pdfplumber gives None
for the slots it covers) and keep their page and bounding box; a ruled table that runs past the
right edge of the paper loses the slice beyond its last rule (those cells were never printed: they
must not read as blank), and its rows are marked as cut. The words outside the tables become lines
(:mod:`parsing.readers.pdf_lines`). A page with almost no text but an image is a scan, for OCR.
"""

from __future__ import annotations

from typing import Any

from parsing.errors import ReadError
from parsing.normalize import fix_radicals
from parsing.readers.grid import GridCell, clean_cell_text
from parsing.readers.pdf_layout import Bbox, PageLayout, TableBlock, Word, round_bbox
from parsing.readers.pdf_lines import lines_from_words, order_items

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3}
_SCAN_MIN_CHARS = 10  # fewer text characters than this on a page with an image: a scan
_PAGE_EDGE_TOL = 1.0  # a rule this close to the paper's edge is where the page cut the table


def read_page(page: Any, number: int) -> tuple[PageLayout, bool, str | None]:
    """(layout, is a scan, warning) for one page (pdfplumber page or :class:`FastPage`)."""
    try:
        if _is_scan(page):
            return PageLayout(number, float(page.width), float(page.height), ocr=True), True, None
        return page_layout(page, number), False, None
    except ReadError:
        raise
    except Exception as exc:  # one damaged page must not lose the others
        return (
            PageLayout(number, float(page.width), float(page.height)),
            False,
            f"第 {number} 页无法读取：{type(exc).__name__}",
        )
    finally:
        page.flush_cache()


def _is_scan(page: Any) -> bool:
    if len(page.chars) >= _SCAN_MIN_CHARS:
        return False
    area = float(page.width) * float(page.height)
    covered = sum(abs((im["x1"] - im["x0"]) * (im["bottom"] - im["top"])) for im in page.images)
    return covered > 0.3 * area


def page_layout(page: Any, number: int) -> PageLayout:
    """The page's ruled tables and the lines of the words outside them, in reading order."""
    layout = PageLayout(number, float(page.width), float(page.height))
    tables: list[TableBlock] = []
    settings: dict[str, Any] = dict(TABLE_SETTINGS)
    caps = cap_lines(page.edges)
    if caps:
        settings["explicit_horizontal_lines"] = caps
    for table in page.find_tables(settings):
        block = _table_block(table, number, layout.width)
        if block is not None:
            tables.append(block)
    words = [
        Word(fix_radicals(w["text"]), w["x0"], w["top"], w["x1"], w["bottom"])
        for w in page.extract_words(
            x_tolerance=1.5, y_tolerance=3, keep_blank_chars=False, use_text_flow=False
        )
        if w.get("upright", True)
    ]
    words = [w for w in words if not any(_inside(w, t.bbox) for t in tables)]
    layout.items = order_items(tables, lines_from_words(words, number), layout)
    return layout


def cap_lines(edges: list[dict], tol: float = 1.5) -> list[dict]:
    """Horizontal segments that close a table fragment cut by a page break.

    Browsers print a collapsed-border table row that crosses a page with its shared border on one
    page only: the fragment at the bottom of a page has no bottom line, the one at the top of the next
    page no top line, and the lines strategy then drops those rows (or the text of a cut rowspan
    cell). A real table never has two vertical borders ending at the same height with nothing
    joining them, so where the topmost (or bottommost) vertical borders of the page end without a
    horizontal line between them, a segment is added there.
    """
    verticals = [e for e in edges if e.get("orientation") == "v" and e["bottom"] - e["top"] >= 3]
    horizontals = [e for e in edges if e.get("orientation") == "h"]
    if len(verticals) < 2:
        return []
    caps: list[dict] = []
    for end, pick in (("top", min), ("bottom", max)):
        y = pick(e[end] for e in verticals)
        xs = sorted({round((e["x0"] + e["x1"]) / 2, 1) for e in verticals if abs(e[end] - y) <= tol})
        cols: list[float] = []
        for x in xs:
            if not cols or x - cols[-1] > tol:
                cols.append(x)
        if len(cols) < 2:
            continue
        at_y = sorted((e["x0"], e["x1"]) for e in horizontals if abs(e["top"] - y) <= tol)
        caps.extend(_open_spans(cols, at_y, y, tol))
    return caps


def _open_spans(cols: list[float], at_y: list[tuple[float, float]], y: float, tol: float) -> list[dict]:
    """Segments at height ``y`` over the runs of column gaps that no horizontal line covers."""
    caps: list[dict] = []
    start = None
    for a, b in zip(cols, cols[1:], strict=False):
        covered = _covered(at_y, a + tol, b - tol)
        if not covered and start is None:
            start = a
        if covered and start is not None:
            caps.append(_h_segment(start, a, y))
            start = None
    if start is not None:
        caps.append(_h_segment(start, cols[-1], y))
    return caps


def _covered(segments: list[tuple[float, float]], a: float, b: float) -> bool:
    """Whether the union of sorted ``segments`` covers [a, b]."""
    reach = a
    for x0, x1 in segments:
        if x0 > reach:
            break
        reach = max(reach, x1)
        if reach >= b:
            return True
    return reach >= b


def _h_segment(x0: float, x1: float, y: float) -> dict:
    return {
        "object_type": "line",
        "x0": x0,
        "x1": x1,
        "top": y,
        "bottom": y,
        "doctop": y,
        "width": x1 - x0,
        "height": 0,
    }


def _table_block(table: Any, number: int, page_width: float = 0.0) -> TableBlock | None:
    """A pdfplumber table as a grid; one-column "tables" are boxed prose, not tables.

    A table that reaches the right edge of the page was cut there (LibreOffice sizes a web page's
    table to its content, wider than the paper): the slice between its last rule and the page edge
    is a column whose text was not printed, so it is dropped rather than read as blank cells."""
    # Inside a cell the cell box separates columns, so a wide tolerance only keeps letter-spaced
    # digits ("3 0 0 1" in justified fonts) together.
    texts = table.extract(x_tolerance=3, y_tolerance=3)
    if not texts or max(len(r) for r in texts) < 2:
        return None
    grid: list[list[GridCell | None]] = []
    for row, row_texts in zip(table.rows, texts, strict=False):
        line: list[GridCell | None] = []
        for bbox, text in zip(row.cells, row_texts, strict=False):
            if bbox is None:
                line.append(None)
            else:
                line.append(
                    GridCell(clean_cell_text(fix_radicals(text or "")), page=number, bbox=round_bbox(bbox))
                )
        grid.append(line)
    if sum(1 for r in grid for c in r if c is not None and c.text) == 0:
        return None
    edges = sorted({round(c[0], 1) for r in table.rows for c in r.cells if c} | {round(table.bbox[2], 1)})
    clipped = page_width > 0 and table.bbox[2] >= page_width - _PAGE_EDGE_TOL and len(edges) >= 4
    if clipped:
        grid = [row[: len(edges) - 2] for row in grid]
        edges = edges[:-1]
    return TableBlock(grid, round_bbox(table.bbox), edges, number, clipped=clipped)


def _inside(w: Word, bbox: Bbox) -> bool:
    cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
    return bbox[0] - 1 <= cx <= bbox[2] + 1 and bbox[1] - 1 <= cy <= bbox[3] + 1

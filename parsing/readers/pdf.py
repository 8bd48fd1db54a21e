"""PDF reader: ruled tables, unruled tables, tables across pages, scanned pages.

The text layer and the ruling lines are read with pdfium (:class:`FastPage`, several times faster
than pdfminer, most of all on the Type 3 fonts of Chromium's PDFs); pdfplumber's table finder and
word grouping then run on them. pdfplumber/pdfminer reads what pdfium cannot (see
:func:`extract_layouts`). Per page:
- ruled tables are found with the lines strategy; a merged cell is emitted once (pdfplumber gives
  None for the slots it covers) and keeps its page and bounding box;
- the words outside those tables become lines in reading order; a line splits into cells at wide
  gaps, which is how an unruled table reads; labels printed one character per line are rebuilt;
- a ruled table that runs past the right edge of the paper loses the slice beyond its last rule
  (those cells were never printed: they must not read as blank), and its rows are marked as cut;
- in an unruled table 三 whose blank cells print nothing, each number goes to the column it stands
  under and the blank columns get empty cells (:func:`slot_blank_cells`);
- page marks (``- 5 -``, ``— 5 —``, ``-5-``, ``第5页``) are removed;
- a page with no text layer goes to OCR (``parsing.readers.ocr``).
Across pages, a table that ends a page and a table with the same columns that starts the next page
are one table: the cell a page break cut in two is joined again, and repeated header rows dropped.
Kangxi radicals (``⾏`` for ``行``), which some PDF fonts produce, are normalised.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from parsing.document import Document, Source, SourceCell
from parsing.errors import ReadError
from parsing.normalize import fix_radicals
from parsing.readers.grid import GridCell, clean_cell_text, grid_rows, grid_text

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3}
_PAGE_MARK = re.compile(
    r"^\s*(?:[-—–－―~·•]+\s*\d{1,4}\s*[-—–－―~·•]+|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|[-—–－―]?\s*\d{1,3}\s*[-—–－―]?)\s*$"
)
_NUMERIC = re.compile(r"^[\s+\-−－—–/／.,，0-9０-９%％万元件个项条次]*[0-9０-９][\s.,，0-9０-９%％万元件个项条次]*$")
_MARKER = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+\s*[.、．])")
_SCAN_MIN_CHARS = 10  # fewer text characters than this on a page with an image: a scan
MAX_PAGES = 300


@dataclass
class Word:
    """A run of text on a page, in PDF points (top-left origin)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float | None = None

    @property
    def size(self) -> float:
        return max(self.bottom - self.top, 1.0)


@dataclass
class TableBlock:
    """A ruled table found on one page."""

    grid: list[list[GridCell | None]]
    bbox: tuple[float, float, float, float]
    col_edges: list[float]
    page: int
    kind: str = "pdf"  # pdf | ocr
    clipped: bool = False  # the table runs past the right edge of the page: its last columns are not printed


@dataclass
class LineBlock:
    """A line of text outside ruled tables, already split into cells."""

    cells: list[Word]
    page: int
    top: float
    bottom: float


@dataclass
class PageLayout:
    """What one page holds, in reading order."""

    number: int
    width: float
    height: float
    items: list[TableBlock | LineBlock] = field(default_factory=list)
    ocr: bool = False


def read(data: bytes, filename: str = "", fast: bool = True) -> Document:
    """Read a PDF into a Document (OCR for pages without a text layer).

    ``fast=False`` reads every page with pdfminer only (the reference the fast path matches; the
    benchmark compares both)."""
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    layouts, warnings = extract_layouts(data, fast)
    doc = assemble(layouts)
    doc.warnings.extend(warnings)
    if not doc.rows:
        raise ReadError("no_content", "PDF 中没有可读取的文字（可能是空白页）", "the PDF has no readable text")
    return doc


def open_pdf(data: bytes):
    """Open with pdfplumber, turning password and corruption failures into ReadError."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        _ = pdf.pages  # forces the page tree to be parsed: corruption shows here
    except Exception as exc:  # pdfminer raises many types for damaged files (KeyError, TypeError...)
        # pdfplumber wraps pdfminer's errors in PdfminerException(original).
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in repr(inner).lower():
            raise _encrypted() from exc
        raise _corrupt(inner) from exc  # PDFSyntaxError, PSException, and the odd KeyError
    if not pdf.pages:
        pdf.close()
        raise ReadError("corrupt", "PDF 文件没有页面，可能已损坏", "the PDF has no pages")
    return pdf


def _corrupt(exc: Exception) -> ReadError:
    return ReadError("corrupt", "PDF 文件已损坏，无法打开", f"corrupt PDF file: {exc or type(exc).__name__}")


def _encrypted() -> ReadError:
    return ReadError("encrypted", "PDF 文件已加密（需要密码才能打开），无法读取", "the PDF is password-protected")


def extract_layouts(data: bytes, fast: bool = True) -> tuple[list[PageLayout], list[str]]:
    """Every page's tables and lines, OCR'd when the page is a scan.

    Pages are read with pdfium (fast) and fall back to pdfplumber/pdfminer for what pdfium cannot
    give here: a file pdfium cannot open or finds no page in (pdfplumber then names the problem:
    password, damage), a page pdfium fails on, and a rotated page.
    """
    views = _pdfium_views(data) if fast else None
    if not views:
        return _extract_plumber(data)
    warnings: list[str] = []
    layouts: list[PageLayout] = []
    if len(views) > MAX_PAGES:
        warnings.append(f"PDF 共 {len(views)} 页，只读取前 {MAX_PAGES} 页")
        views = views[:MAX_PAGES]
    scanned: list[int] = []
    plumber = None  # opened only for a page pdfium could not read
    try:
        for index, view in enumerate(views):
            number = index + 1
            if view is None:
                if plumber is None:
                    try:
                        plumber = open_pdf(data)
                    except ReadError as exc:  # pdfium read the other pages: keep them
                        plumber = exc
                if isinstance(plumber, ReadError) or index >= len(plumber.pages):
                    warnings.append(f"第 {number} 页无法读取")
                    layouts.append(PageLayout(number, 0.0, 0.0))
                    continue
                layout, scan, warning = _read_page(plumber.pages[index], number)
            else:
                layout, scan, warning = _read_page(view, number)
            layouts.append(layout)
            if scan:
                scanned.append(number)
            if warning:
                warnings.append(warning)
    finally:
        if plumber is not None and not isinstance(plumber, ReadError):
            plumber.close()
    _ocr_scans(data, layouts, scanned, warnings)
    return layouts, warnings


# pdfium is not thread-safe, and the app parses in a background thread while a page may upload a
# file: every pdfium call of this module runs under this lock (other modules may take it too).
PDFIUM_LOCK = threading.Lock()


def _pdfium_views(data: bytes) -> list[FastPage | None] | None:
    """Every page's characters and rules read with pdfium (None for a page it cannot read or that
    is rotated), or None when pdfium cannot open the file. Only plain data leaves the lock."""
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
            views: list[FastPage | None] = []
            for index in range(min(len(document), MAX_PAGES + 1)):
                try:
                    page = document[index]
                except Exception:  # noqa: BLE001 - pdfminer gets its chance on this page
                    views.append(None)
                    continue
                try:
                    views.append(FastPage(page, index + 1) if page.get_rotation() == 0 else None)
                except Exception:  # noqa: BLE001 - pdfminer gets its chance on this page
                    views.append(None)
                finally:
                    page.close()
            if len(document) > MAX_PAGES:
                views.extend([None] * (len(document) - len(views)))  # counted for the warning only
            return views
        finally:
            document.close()


def _read_page(page, number: int) -> tuple[PageLayout, bool, str | None]:
    """(layout, is a scan, warning) for one page (pdfplumber page or :class:`FastPage`)."""
    try:
        if _is_scan(page):
            return PageLayout(number, float(page.width), float(page.height), ocr=True), True, None
        return _page_layout(page, number), False, None
    except ReadError:
        raise
    except Exception as exc:  # one damaged page must not lose the others
        return PageLayout(number, float(page.width), float(page.height)), False, f"第 {number} 页无法读取：{type(exc).__name__}"
    finally:
        page.flush_cache()


def _extract_plumber(data: bytes) -> tuple[list[PageLayout], list[str]]:
    """Every page read with pdfplumber alone (the file pdfium could not open)."""
    warnings: list[str] = []
    layouts: list[PageLayout] = []
    pdf = open_pdf(data)
    with pdf:
        pages = pdf.pages
        if len(pages) > MAX_PAGES:
            warnings.append(f"PDF 共 {len(pages)} 页，只读取前 {MAX_PAGES} 页")
            pages = pages[:MAX_PAGES]
        scanned: list[int] = []
        for index, page in enumerate(pages):
            layout, scan, warning = _read_page(page, index + 1)
            layouts.append(layout)
            if scan:
                scanned.append(index + 1)
            if warning:
                warnings.append(warning)
    _ocr_scans(data, layouts, scanned, warnings)
    return layouts, warnings


def _ocr_scans(data: bytes, layouts: list[PageLayout], scanned: list[int], warnings: list[str]) -> None:
    if not scanned:
        return
    from parsing.limits import get_limits, limit_error

    limits = get_limits()
    if len(scanned) > limits.max_ocr_pages:  # refused before any page is rendered
        raise limit_error("too_large", "max_ocr_pages", limits, f"{len(scanned)} 页扫描页")
    from parsing.readers import ocr

    for layout in layouts:
        if layout.ocr:
            ocr.fill_pdf_page(data, layout)
    warnings.append(f"第 {_page_list(scanned)} 页没有文字层，已用 OCR 识别（置信度较低，请核对）")


def _page_list(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers[:10]) + ("等" if len(numbers) > 10 else "")


def _is_scan(page) -> bool:
    if len(page.chars) >= _SCAN_MIN_CHARS:
        return False
    area = float(page.width) * float(page.height)
    covered = sum(abs((im["x1"] - im["x0"]) * (im["bottom"] - im["top"])) for im in page.images)
    return covered > 0.3 * area


def _page_layout(page, number: int) -> PageLayout:
    layout = PageLayout(number, float(page.width), float(page.height))
    tables: list[TableBlock] = []
    settings = dict(TABLE_SETTINGS)
    caps = cap_lines(page.edges)
    if caps:
        settings["explicit_horizontal_lines"] = caps
    for table in page.find_tables(settings):
        block = _table_block(table, number, layout.width)
        if block is not None:
            tables.append(block)
    words = [
        Word(fix_radicals(w["text"]), w["x0"], w["top"], w["x1"], w["bottom"])
        for w in page.extract_words(x_tolerance=1.5, y_tolerance=3, keep_blank_chars=False, use_text_flow=False)
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
    return {"object_type": "line", "x0": x0, "x1": x1, "top": y, "bottom": y, "doctop": y, "width": x1 - x0, "height": 0}


def _table_block(table, number: int, page_width: float = 0.0) -> TableBlock | None:
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
                line.append(GridCell(clean_cell_text(fix_radicals(text or "")), page=number, bbox=_round(bbox)))
        grid.append(line)
    if sum(1 for r in grid for c in r if c is not None and c.text) == 0:
        return None
    edges = sorted({round(c[0], 1) for r in table.rows for c in r.cells if c} | {round(table.bbox[2], 1)})
    clipped = page_width > 0 and table.bbox[2] >= page_width - _PAGE_EDGE_TOL and len(edges) >= 4
    if clipped:
        grid = [row[: len(edges) - 2] for row in grid]
        edges = edges[:-1]
    return TableBlock(grid, _round(table.bbox), edges, number, clipped=clipped)


_PAGE_EDGE_TOL = 1.0  # a rule this close to the paper's edge is where the page cut the table


def _round(bbox) -> tuple[float, float, float, float]:
    return tuple(round(float(v), 2) for v in bbox)  # type: ignore[return-value]


def _inside(w: Word, bbox) -> bool:
    cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
    return bbox[0] - 1 <= cx <= bbox[2] + 1 and bbox[1] - 1 <= cy <= bbox[3] + 1


# --------------------------------------------------------------------------- lines outside tables


def lines_from_words(words: list[Word], page: int) -> list[LineBlock]:
    """Group words into lines by vertical overlap, then split each line into cells at wide gaps."""
    words = sorted(words, key=lambda w: (round(w.top), w.x0))
    lines: list[list[Word]] = []
    for w in words:
        placed = False
        for line in reversed(lines[-3:]):
            ref_top = min(x.top for x in line)
            ref_bottom = max(x.bottom for x in line)
            overlap = min(ref_bottom, w.bottom) - max(ref_top, w.top)
            if overlap > 0.5 * min(w.size, ref_bottom - ref_top):
                line.append(w)
                placed = True
                break
        if not placed:
            lines.append([w])
    blocks = []
    for line in lines:
        line.sort(key=lambda x: x.x0)
        blocks.append(
            LineBlock(_detach_first_number(line, _split_cells(line)), page, min(x.top for x in line), max(x.bottom for x in line))
        )
    blocks.sort(key=lambda b: b.top)
    return attach_wrapped_labels(_rebuild_vertical(blocks))


def _numeric_cells(line: LineBlock) -> list[Word]:
    return [c for c in line.cells if _is_number(c.text)]


def attach_wrapped_labels(lines: list[LineBlock]) -> list[LineBlock]:
    """In an unruled table, a label that wraps over several lines prints its numbers on one of them
    (often the middle one, as cells are centred vertically). Rebuild each data row: the numbers of
    a line plus the whole labels (every fragment) that sit beside it in the label columns.

    A data line has at least two numbers. The label zone is everything left of the first number
    column. A fragment is a line that lies wholly in the label zone, next to a data line. Fragments
    join the label above them unless they start with a numbering mark ("1.", "（六）"); two labels
    that both sit on data lines are never joined.
    """
    data = [i for i, ln in enumerate(lines) if len(_numeric_cells(ln)) >= 2]
    if len(data) < 2:
        return lines
    data_set = set(data)
    # Each data line's own label zone: left of its first number (tables differ on one page).
    zone_of = {i: _numeric_cells(lines[i])[0].x0 for i in data}
    height = sorted(lines[i].bottom - lines[i].top for i in data)[len(data) // 2]

    def neighbours(i: int) -> list[int]:
        window = [j for j in range(max(0, i - 3), min(len(lines), i + 4)) if j in data_set]
        near = [j for j in window if abs(lines[j].top - lines[i].top) < 2.5 * height]
        if near:
            return near
        # Rows whose labels wrap over several lines are tall: a group label centred between two
        # of them is far from both, but still between two data lines of the table.
        window = [j for j in range(max(0, i - 6), min(len(lines), i + 7)) if j in data_set]
        above = [j for j in window if j < i and lines[i].top - lines[j].top < 5 * height]
        below = [j for j in window if j > i and lines[j].top - lines[i].top < 5 * height]
        return [above[-1], below[0]] if above and below else []

    fragments: set[int] = set()
    for i, ln in enumerate(lines):
        if i in data_set or len(ln.cells) > 3 or any(_is_number(c.text) for c in ln.cells):
            continue
        near = neighbours(i)
        if near and all(c.x1 <= max(zone_of[j] for j in near) + 1 for c in ln.cells):
            fragments.add(i)
    if not fragments:
        return lines
    zone = {i: zone_of[i] for i in data}
    for i in fragments:
        zone[i] = max(zone_of[j] for j in neighbours(i))
    # Label cells (fragment lines and the label part of data lines), per sub-column of the zone.
    cells: list[tuple[Word, int]] = []
    for i in sorted(fragments | data_set):
        cells.extend((c, i) for c in lines[i].cells if c.x1 <= zone[i] + 1)
    columns: list[list[tuple[Word, int]]] = []
    for cell, i in sorted(cells, key=lambda ci: ci[0].x0):
        for col in columns:
            if abs(col[0][0].x0 - cell.x0) < 0.8 * cell.size:
                col.append((cell, i))
                break
        else:
            columns.append([(cell, i)])
    # Blocks: a label and the fragments that continue it. A label wraps only when its line is full,
    # so a fragment continues the label above only if that line reaches the column's right edge.
    owner: dict[int, list[Word]] = {}
    standalone: list[LineBlock] = []
    for col in columns:
        col.sort(key=lambda ci: ci[0].top)
        right = max(c.x1 for c, _ in col)
        blocks: list[tuple[list[Word], set[int]]] = []
        for cell, i in col:
            if blocks:
                words, rows = blocks[-1]
                above = words[-1]
                gap = cell.top - above.bottom
                on_data = i in data_set and any(r in data_set for r in rows)
                # A line ending on a clause mark ("补正、") was broken by the author, not by width.
                full = above.x1 >= right - 1.5 * above.size or above.text.endswith(("、", "，", ","))
                if (
                    full
                    and gap < 0.9 * cell.size
                    and not on_data
                    and not _MARKER.match(cell.text)
                    and not is_known_label(cell.text)
                ):
                    words.append(cell)
                    rows.add(i)
                    continue
            blocks.append(([cell], {i}))
        for words, rows in blocks:
            top, bottom = words[0].top, words[-1].bottom
            merged = Word(
                "\n".join(w.text for w in words),
                min(w.x0 for w in words),
                top,
                max(w.x1 for w in words),
                bottom,
                _min_conf_all(w.confidence for w in words),
            )
            target = next((r for r in sorted(rows) if r in data_set), None)
            if target is None:
                # A label on lines of its own: it belongs to the data row it sits beside (a group
                # label centred over its rows), or it is a line of its own (a caption).
                overlapping = [j for j in data if lines[j].bottom > top and lines[j].top < bottom]
                if not overlapping:
                    standalone.append(LineBlock([merged], lines[min(rows)].page, top, bottom))
                    continue
                target = overlapping[0]
            owner.setdefault(target, []).append(merged)
    out: list[LineBlock] = list(standalone)
    for i, ln in enumerate(lines):
        if i in fragments:
            continue
        if i in data_set and i in owner:
            labels = sorted(owner[i], key=lambda w: w.x0)
            rest = [c for c in ln.cells if c.x1 > zone[i] + 1]
            top = min([ln.top] + [w.top for w in labels])
            out.append(LineBlock(labels + rest, ln.page, top, max([ln.bottom] + [w.bottom for w in labels])))
        else:
            out.append(ln)
    out.sort(key=lambda b: b.top)
    return out


def _split_cells(line: list[Word]) -> list[Word]:
    """Words closer than ~1.5 characters belong to the same cell; wider gaps separate columns."""
    cells: list[Word] = []
    last: Word | None = None
    for w in line:
        if cells and last is not None and not _new_cell(last, w):
            prev = cells[-1]
            gap = w.x0 - prev.x1
            if gap < 1.5 * max(prev.size, w.size) * 0.9:
                joiner = " " if gap > 0.2 * w.size and not (_is_cjk(prev.text[-1]) and _is_cjk(w.text[0])) else ""
                cells[-1] = Word(
                    prev.text + joiner + w.text,
                    prev.x0,
                    min(prev.top, w.top),
                    w.x1,
                    max(prev.bottom, w.bottom),
                    _min_conf(prev.confidence, w.confidence),
                )
                last = w
                continue
        cells.append(w)
        last = w
    return cells


def _new_cell(prev: Word, word: Word) -> bool:
    """A visible gap starts a new cell, however narrow, before a number that follows a number
    ("12 | 3" in tight unruled columns) and before a numbered label that follows Chinese text
    ("（五）不予处 | 1.信访举报投诉类申请"): neither happens inside one cell of a table row."""
    gap = word.x0 - prev.x1
    size = max(prev.size, word.size)
    if gap < 0.3 * size:
        return False
    if _is_number(prev.text) and _is_number(word.text):
        return gap > 0.6 * size
    return _is_cjk(prev.text[-1]) and bool(_MARKER.match(word.text))


def _detach_first_number(words: list[Word], cells: list[Word]) -> list[Word]:
    """An unruled table row whose label runs close to its first number ("其他对外管理服务事项 21 | 增2 |
    720"): when every later cell is a value, the number that ended the label cell is a cell too.
    Prose ("某局 2021 年…") is left alone: its later cells are not all values, and a lone
    "label number" line is split only when the label is a standard one."""
    from parsing.values import is_value_text  # '增2', '-3', '/' are values too

    if not cells or not all(is_value_text(c.text) for c in cells[1:]):
        return cells
    first = cells[0]
    inside = [w for w in words if w.x0 >= first.x0 - 0.5 and w.x1 <= first.x1 + 0.5]
    if len(inside) < 2 or not _is_number(inside[-1].text) or _is_number(inside[-2].text):
        return cells
    if not _is_cjk(inside[-2].text[-1]):
        return cells
    label = _split_cells(inside[:-1])
    if len(label) != 1:
        return cells
    if len(cells) == 1 and not is_known_label(label[0].text):
        return cells  # a one-value row only when the label is a standard one ('行政事业性收费 12.56')
    return [label[0], inside[-1], *cells[1:]]


def _min_conf(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"


def _rebuild_vertical(blocks: list[LineBlock]) -> list[LineBlock]:
    """Labels printed one character per line ("结 结 其 / 果 果 他 / 维 纠 结 / 持 正 果") become one
    line whose cells are the columns read top to bottom."""
    out: list[LineBlock] = []
    i = 0
    while i < len(blocks):
        j = i
        while (
            j < len(blocks)
            and _single_chars(blocks[j])
            and (j == i or blocks[j].top - blocks[j - 1].bottom < 1.2 * blocks[j].cells[0].size)
        ):
            j += 1
        if j - i >= 2:
            out.append(_merge_vertical(blocks[i:j]))
            i = j
        else:
            out.append(blocks[i])
            i += 1
    return out


def _single_chars(block: LineBlock) -> bool:
    return bool(block.cells) and all(len(c.text) == 1 and _is_cjk(c.text) for c in block.cells)


def _merge_vertical(run: list[LineBlock]) -> LineBlock:
    columns: list[list[Word]] = []
    for block in run:
        for cell in block.cells:
            cx = (cell.x0 + cell.x1) / 2
            for col in columns:
                ccx = (col[0].x0 + col[0].x1) / 2
                if abs(cx - ccx) < 0.6 * cell.size:
                    col.append(cell)
                    break
            else:
                columns.append([cell])
    columns.sort(key=lambda col: col[0].x0)
    cells = [
        Word(
            "".join(c.text for c in col),
            min(c.x0 for c in col),
            min(c.top for c in col),
            max(c.x1 for c in col),
            max(c.bottom for c in col),
            min((c.confidence for c in col if c.confidence is not None), default=None),
        )
        for col in columns
    ]
    return LineBlock(cells, run[0].page, run[0].top, run[-1].bottom)


def order_items(tables: list[TableBlock], lines: list[LineBlock], layout: PageLayout) -> list:
    """Tables and lines in reading order (top to bottom), page marks removed."""
    items: list[tuple[float, TableBlock | LineBlock]] = [(t.bbox[1], t) for t in tables]
    items += [(ln.top, ln) for ln in lines]
    items.sort(key=lambda x: x[0])
    ordered = [item for _, item in items]
    return [
        item
        for k, item in enumerate(ordered)
        if not (isinstance(item, LineBlock) and _is_page_mark(item, k, len(ordered), layout))
    ]


def _is_page_mark(line: LineBlock, index: int, count: int, layout: PageLayout) -> bool:
    text = "".join(c.text for c in line.cells)
    if not _PAGE_MARK.match(text):
        return False
    near_edge = line.top > 0.85 * layout.height or line.bottom < 0.12 * layout.height
    return near_edge and (index <= 1 or index >= count - 2)


# --------------------------------------------------------------------------- assembling pages


def assemble(layouts: list[PageLayout]) -> Document:
    """Pages → Document rows and text, with tables stitched across page breaks."""
    items: list[TableBlock | LineBlock] = []
    for layout in layouts:
        items.extend(layout.items)
    merged: list[TableBlock | LineBlock] = []
    for item in items:
        if isinstance(item, TableBlock):
            # Running headers/footers ("淮安市人民政府办公室" at the top of every page) may sit
            # between the two halves of a table: look past lines in the page margins.
            k = len(merged) - 1
            while k >= 0 and isinstance(merged[k], LineBlock) and _in_margin(merged[k], layouts):
                k -= 1
            prev = merged[k] if k >= 0 else None
            if isinstance(prev, TableBlock) and _continues(prev, item):
                merged[k] = _stitch(prev, item)
                continue
        merged.append(item)
    rows: list[list[SourceCell]] = []
    lines: list[str] = []
    table_index = 0
    paragraph: list[LineBlock] = []
    clipped_rows: set[int] = set()
    clipped_pages: list[int] = []

    def flush_paragraph() -> None:
        if not paragraph:
            return
        text = _join_paragraph(paragraph)
        first = paragraph[0]
        bbox = (
            min(c.x0 for p in paragraph for c in p.cells),
            first.top,
            max(c.x1 for p in paragraph for c in p.cells),
            paragraph[-1].bottom,
        )
        conf = _min_conf_all(c.confidence for p in paragraph for c in p.cells)
        rows.append([SourceCell(text, Source(kind=_kind(layouts, first.page), page=first.page, bbox=_round(bbox), confidence=conf))])
        lines.append(text)
        paragraph.clear()

    merged = slot_blank_cells(merged)
    for item in merged:
        if isinstance(item, TableBlock):
            flush_paragraph()
            table_rows = grid_rows(item.grid, item.kind, table_index)
            if item.clipped:
                clipped_rows.update(range(len(rows), len(rows) + len(table_rows)))
                clipped_pages.append(item.page)
            rows.extend(table_rows)
            lines.append(grid_text(item.grid))
            table_index += 1
        elif len(item.cells) > 1:
            flush_paragraph()
            kind = _kind(layouts, item.page)
            rows.append(
                [
                    SourceCell(c.text, Source(kind=kind, page=item.page, bbox=_round((c.x0, c.top, c.x1, c.bottom)), confidence=c.confidence))
                    for c in item.cells
                ]
            )
            lines.append("\t".join(c.text for c in item.cells))
        else:
            if paragraph and not _same_paragraph(paragraph[-1], item, layouts):
                flush_paragraph()
            paragraph.append(item)
    flush_paragraph()
    doc = Document(format="pdf", rows=rows, text="\n".join(lines), pages=len(layouts), clipped_rows=clipped_rows)
    if clipped_pages:
        doc.warnings.append(
            f"第 {_page_list(sorted(set(clipped_pages)))} 页的表格超出页面右边缘，最右侧的列没有印出，无法读取"
        )
    return doc


_S3_WIDTH = 7  # data columns of table 三: 自然人, five organisation columns, 总计
_SECTION_END = re.compile(r"^\s*[四五六]\s*[、.．]")
Anchor = tuple[float, float]  # a column's (left edge, centre) of text: cells are left-aligned or centred


def slot_blank_cells(items: list) -> list:
    """Rows of an unruled table 三 whose blank cells print nothing ('34 … 49' with the five
    organisation columns left blank): each number is put in the column it stands under, and the
    columns with nothing get an empty cell, so the row keeps all seven cells and blanks stay blank.

    The columns come from a row of the same table that prints all seven numbers, or, for the two
    outer columns alone, from the header words 自然人 and 总计. A number stands under a column when
    its left edge or its centre is within a character of the column's. A row is rebuilt only when
    every number stands under exactly one known column; otherwise it is left as it is (and reported
    as short by the interpreter). The columns are forgotten where section 四 (or 五, 六) begins.
    """
    full: list[Anchor] | None = None
    natural: Anchor | None = None
    total: Anchor | None = None
    out: list = []
    for item in items:
        if isinstance(item, TableBlock) or not item.cells:
            out.append(item)
            continue
        if _SECTION_END.match(item.cells[0].text) and not any(_is_number(c.text) for c in item.cells):
            full = natural = total = None  # a heading (四、政府信息公开行政复议…), not the row 四、结转…
        for cell in item.cells:
            key = _label_key(cell.text)
            # Header words, possibly run together with their neighbours ('自然商科', '其计'): short
            # cells only, so that prose ('自然资源局…', '总的来看…') never sets a column.
            if key.startswith("自然") and len(key) <= 6:
                natural = _anchor(cell)
            elif key.startswith("总") and len(key) <= 4 and natural is not None and cell.x0 > natural[0]:
                total = _anchor(cell)
        labels = 0
        while labels < len(item.cells) and not _is_number(item.cells[labels].text):
            labels += 1
        numbers = item.cells[labels:]
        if not labels or not numbers or not all(_is_number(c.text) for c in numbers):
            out.append(item)
            continue
        if len(numbers) == _S3_WIDTH and natural is not None:
            full = [_anchor(c) for c in numbers]
        slots = _slots(numbers, full, natural, total)
        if slots is None:
            out.append(item)
            continue
        blank = [Word("", item.cells[labels - 1].x1, item.top, item.cells[labels - 1].x1, item.bottom)]
        cells = item.cells[:labels] + [w if w is not None else blank[0] for w in slots]
        out.append(LineBlock(cells, item.page, item.top, item.bottom))
    return out


def _anchor(w: Word) -> Anchor:
    return (w.x0, (w.x0 + w.x1) / 2)


def _slots(numbers: list[Word], full: list[Anchor] | None, natural: Anchor | None, total: Anchor | None) -> list[Word | None] | None:
    """The row's seven cells (None where blank), or None when a number stands under no known column
    or two numbers under one. Without a full row only 自然人 and 总计 are known columns."""
    if len(numbers) >= _S3_WIDTH:
        return None
    if full is not None:
        columns: list[Anchor | None] = list(full)
    elif natural is not None and total is not None:
        columns = [natural, *([None] * (_S3_WIDTH - 2)), total]
    else:
        return None
    slots: list[Word | None] = [None] * _S3_WIDTH
    for w in numbers:
        x0, centre = _anchor(w)
        near = [i for i, a in enumerate(columns) if a is not None and (abs(x0 - a[0]) <= w.size or abs(centre - a[1]) <= w.size)]
        if len(near) != 1 or slots[near[0]] is not None:
            return None
        slots[near[0]] = w
    return slots


def _in_margin(line: LineBlock, layouts: list[PageLayout]) -> bool:
    height = layouts[line.page - 1].height
    return line.bottom < 0.1 * height or line.top > 0.9 * height


def _kind(layouts: list[PageLayout], page: int) -> str:
    return "ocr" if layouts[page - 1].ocr else "pdf"


def _min_conf_all(values) -> float | None:
    vals = [v for v in values if v is not None]
    return min(vals) if vals else None


def _same_paragraph(prev: LineBlock, line: LineBlock, layouts: list[PageLayout]) -> bool:
    """A wrapped prose line continues the previous one when the previous line ran to the right margin
    and this one does not start with an indent, a heading number or a new section."""
    layout = layouts[prev.page - 1]
    prev_right = prev.cells[-1].x1
    right_margin = _right_margin(layout)
    size = prev.cells[-1].size
    if prev_right < right_margin - 2.5 * size:
        return False
    if _MARKER.match(line.cells[0].text):
        return False
    if prev.page == line.page and line.top - prev.bottom > 1.6 * size:
        return False
    return True


def _right_margin(layout: PageLayout) -> float:
    rights = sorted(c.x1 for item in layout.items if isinstance(item, LineBlock) for c in item.cells[-1:])
    if not rights:
        return layout.width
    # The right edge that most full lines reach: a high percentile of line ends.
    return rights[int(0.9 * (len(rights) - 1))]


def _join_paragraph(paragraph: list[LineBlock]) -> str:
    parts: list[str] = []
    for line in paragraph:
        text = " ".join(c.text for c in line.cells)
        if parts and parts[-1] and text and not (_is_cjk(parts[-1][-1]) or _is_cjk(text[0])):
            parts.append(" ")
        parts.append(text)
    return "".join(parts)


# --------------------------------------------------------------------------- stitching


_EDGE_TOL = 3.0


def _continues(prev: TableBlock, nxt: TableBlock) -> bool:
    """``nxt`` continues ``prev`` on the next page: same columns, prev ends its page's content.

    The column borders of one half may be a subset of the other's: a label column that only the
    level-3 rows use (1.属于国家秘密 …) has no border on a page that holds none of those rows.
    """
    if nxt.page != prev.page + 1:
        return False
    a, b = prev.col_edges, nxt.col_edges
    if len(a) == len(b) and all(abs(x - y) <= _EDGE_TOL for x, y in zip(a, b, strict=True)):
        return True
    if abs(a[0] - b[0]) > _EDGE_TOL or abs(a[-1] - b[-1]) > _EDGE_TOL or min(len(a), len(b)) < 3:
        return False
    small, large = (a, b) if len(a) < len(b) else (b, a)
    if not all(any(abs(x - y) <= _EDGE_TOL for y in large) for x in small):
        return False
    return _width(prev) == len(a) - 1 and _width(nxt) == len(b) - 1


def _width(block: TableBlock) -> int:
    return max((len(r) for r in block.grid), default=0)


def _widen(block: TableBlock, edges: list[float]) -> TableBlock:
    """The block's grid laid out on finer column ``edges``: a cell covers the new columns inside it."""
    if len(block.col_edges) == len(edges):
        return block
    starts = [min(range(len(edges)), key=lambda j, x=x: abs(edges[j] - x)) for x in block.col_edges]
    width = len(edges) - 1
    grid: list[list[GridCell | None]] = []
    for row in block.grid:
        line: list[GridCell | None] = [None] * width
        for c, cell in enumerate(row):
            if c < len(starts) - 1 and starts[c] < width:
                line[starts[c]] = cell
        grid.append(line)
    return TableBlock(grid, block.bbox, list(edges), block.page, block.kind, block.clipped)


def _is_number(text: str) -> bool:
    return bool(_NUMERIC.match(text))


def _stitch(prev: TableBlock, nxt: TableBlock) -> TableBlock:
    """Append ``nxt``'s rows to ``prev``, joining the cells that the page break cut in two."""
    if len(prev.col_edges) != len(nxt.col_edges):  # lay both halves on the finer set of columns
        edges = max(prev.col_edges, nxt.col_edges, key=len)
        prev, nxt = _widen(prev, edges), _widen(nxt, edges)
    grid = [list(r) for r in prev.grid]
    cont = [list(r) for r in nxt.grid]
    width = len(grid[0]) if grid else 0
    # Header rows repeated at the top of the new page ("repeat as header row").
    k = 0
    while k < len(cont) and k < len(grid) and _row_texts(cont[k]) == _row_texts(grid[k]) and any(_row_texts(cont[k])):
        k += 1
    cont = cont[k:]
    if cont and grid:
        data_cols = _data_columns(grid)
        first = cont[0]
        last = grid[-1]
        for c in range(min(width, len(first))):
            cell = first[c]
            if cell is None or c in data_cols:
                continue
            origin = _origin_above(grid, c)
            if origin is None or _is_number(origin.text):
                continue
            spans_to_bottom = last[c] is None
            if cell.text == "":
                if spans_to_bottom:
                    first[c] = None  # the blank lower part of a merged label cell
                continue
            if _is_number(cell.text) or _MARKER.match(cell.text) or is_known_label(cell.text):
                continue  # a label of its own: a new row or group starts at the top of the page
            if spans_to_bottom or not is_known_label(origin.text):
                # "（四）无" | page break | "法提供": one label cut by the page break.
                origin.text = origin.text + "\n" + cell.text
                first[c] = None
        # A row cut in two by the page break: its label went up, its numbers may be on either half.
        if first and all(first[c] is None for c in range(len(first)) if c not in data_cols):
            below = {c for c in data_cols if c < len(first) and first[c] is not None and first[c].text}
            above = {c for c in data_cols if c < len(last) and last[c] is not None and last[c].text}
            if not below:
                cont = cont[1:]
            elif not above:
                for c in below:
                    if c < len(last) and last[c] is not None:
                        last[c] = first[c]
                cont = cont[1:]
    grid.extend(cont)
    bbox = (prev.bbox[0], prev.bbox[1], prev.bbox[2], prev.bbox[3])
    # The joined table now ends on nxt's page: a third page may continue it in turn.
    return TableBlock(grid, bbox, prev.col_edges, nxt.page, prev.kind, prev.clipped or nxt.clipped)


def _label_key(text: str) -> str:
    """A label reduced to its Chinese characters (numbering, brackets and spaces do not count)."""
    from parsing.normalize import normalize_label

    return re.sub(r"[^\u4e00-\u9fff]", "", normalize_label(text))


@lru_cache(maxsize=1)
def _known_labels() -> frozenset[str]:
    from parsing import schema

    labels: set[str] = {"信息内容", schema.S3_CORNER_NOTE, schema.S3_APPLICANT_GROUP, schema.S3_ORG_GROUP}
    for blocks in schema.SECTION2.values():
        for block in blocks:
            labels.add(block.caption)
            labels.update(label for _, label in block.rows)
            labels.update(col.label for col in block.cols)
    labels.update(row.label for row in schema.S3_ROWS)
    labels.update(schema.S3_GROUPS.values())
    labels.update(label for _, label in schema.S3_COLUMNS)
    labels.update(schema.S4_HEADER_WORDS)
    labels.update(schema.SECTION_HEADINGS.values())
    return frozenset(k for k in (_label_key(x) for x in labels) if k)


def is_known_label(text: str) -> bool:
    """Whether ``text`` is a whole standard label (so not half of one cut by a page break)."""
    return _label_key(text) in _known_labels()


def _row_texts(row: list[GridCell | None]) -> list[str | None]:
    return [c.text if c is not None else None for c in row]


def _data_columns(grid: list[list[GridCell | None]]) -> set[int]:
    """Columns whose filled cells are mostly numbers."""
    cols: set[int] = set()
    width = max(len(r) for r in grid)
    for c in range(width):
        texts = [r[c].text for r in grid if c < len(r) and r[c] is not None and r[c].text]
        if texts and sum(_is_number(t) for t in texts) >= 0.5 * len(texts):
            cols.add(c)
    return cols


def _origin_above(grid: list[list[GridCell | None]], c: int) -> GridCell | None:
    for row in reversed(grid):
        if c < len(row) and row[c] is not None:
            return row[c]
    return None


# --------------------------------------------------------------------------- fast text layer (pdfium)


class FastPage:
    """A page read with pdfium (C++) and shaped like the pdfplumber page the readers use.

    pdfminer interprets Type 3 fonts (every PDF Chromium prints) several times slower than embedded
    TrueType; pdfium reads the same page in ~15 ms. It supplies the characters (loose, font-based
    boxes, as pdfminer gives) and the ruling segments of path objects as pdfplumber edges, so
    pdfplumber's table finder and word grouping run unchanged on them.
    """

    def __init__(self, page, number: int):
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

    def find_tables(self, settings: dict):
        from pdfplumber.table import TableFinder, TableSettings

        return TableFinder(self, TableSettings.resolve(settings)).tables

    def extract_words(self, **kwargs) -> list[dict]:
        from pdfplumber.utils import extract_words

        return extract_words(self.chars, **kwargs)

    def flush_cache(self) -> None:
        """Nothing is cached beyond this object (pdfplumber pages cache their layout)."""


def _pdfium_chars(page, origin: tuple[float, float]) -> list[dict]:
    import ctypes
    import math

    import pypdfium2.raw as raw

    left, top = origin
    textpage = page.get_textpage()
    raw_chars: list[list] = []  # [text, loose box (l, b, r, t), baseline, font size, upright, origin x]
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


def _pdfium_edges(page, origin: tuple[float, float], images: list[dict]) -> list[dict]:
    """Horizontal and vertical segments of every path (inside form XObjects too), in page space;
    the boxes of the page's top-level images go to ``images``."""
    import ctypes

    import pypdfium2.raw as raw

    edges: list[dict] = []
    left, top = origin
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    x = ctypes.c_float()
    y = ctypes.c_float()

    def transform(m, px: float, py: float) -> tuple[float, float]:
        return (m[0] * px + m[2] * py + m[4] - left, top - (m[1] * px + m[3] * py + m[5]))

    def compose(inner, outer):
        a, b, c, d, e, f = inner
        A, B, C, D, E, F = outer
        return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)

    def add(p, q) -> None:
        (xa, ya), (xb, yb) = p, q
        if abs(ya - yb) < 0.01 and abs(xa - xb) >= 0.01:
            x0, x1 = sorted((xa, xb))
            edges.append(line_edge("h", x0, ya, x1, ya))
        elif abs(xa - xb) < 0.01 and abs(ya - yb) >= 0.01:
            t, b = sorted((ya, yb))
            edges.append(line_edge("v", xa, t, xa, b))

    def walk(obj, outer) -> None:
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_IMAGE and outer == identity:
            bounds = [ctypes.c_float() for _ in range(4)]
            if raw.FPDFPageObj_GetBounds(obj, *(ctypes.byref(b) for b in bounds)):
                x0, y0, x1, y1 = (b.value for b in bounds)
                images.append({"x0": x0 - left, "x1": x1 - left, "top": top - y1, "bottom": top - y0})
            return
        if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
            return
        fm = raw.FS_MATRIX()
        raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(fm))
        m = compose((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), outer)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            for j in range(raw.FPDFFormObj_CountObjects(obj)):
                walk(raw.FPDFFormObj_GetObject(obj, j), m)
            return
        start = current = None
        for s in range(raw.FPDFPath_CountSegments(obj)):
            seg = raw.FPDFPath_GetPathSegment(obj, s)
            raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
            point = transform(m, x.value, y.value)
            kind_s = raw.FPDFPathSegment_GetType(seg)
            if kind_s == raw.FPDF_SEGMENT_MOVETO:
                start = point
            elif kind_s == raw.FPDF_SEGMENT_LINETO and current is not None:
                add(current, point)
            current = point  # curves only move the pen: they are never table rules
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                add(current, start)
                current = start

    for i in range(raw.FPDFPage_CountObjects(page.raw)):
        walk(raw.FPDFPage_GetObject(page.raw, i), identity)
    return edges


def line_edge(orientation: str, x0: float, top: float, x1: float, bottom: float) -> dict:
    """A ruling line in the form pdfplumber's table finder takes ('h' or 'v'; also used by OCR)."""
    return {
        "object_type": "line",
        "orientation": orientation,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
    }

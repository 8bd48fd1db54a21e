"""Tables across pages: a table that ends a page and one with the same columns that starts the next
page are one table. The cell a page break cut in two is joined again, repeated header rows dropped,
and a row cut in two (label above, numbers below or the other way round) made one row again.
"""

from __future__ import annotations

from parsing.readers.grid import GridCell
from parsing.readers.pdf_labels import is_known_label
from parsing.readers.pdf_layout import MARKER, Item, LineBlock, PageLayout, TableBlock, is_number

Grid = list[list[GridCell | None]]
Row = list[GridCell | None]

_EDGE_TOL = 3.0


def join_across_pages(layouts: list[PageLayout]) -> list[Item]:
    """Every page's items in order, a table continued on the next page joined to its first half."""
    merged: list[Item] = []
    for layout in layouts:
        for item in layout.items:
            if isinstance(item, TableBlock):
                # Running headers/footers ("淮安市人民政府办公室" at the top of every page) may sit
                # between the two halves of a table: look past lines in the page margins.
                k = len(merged) - 1
                while k >= 0 and _in_margin(merged[k], layouts):
                    k -= 1
                prev = merged[k] if k >= 0 else None
                if isinstance(prev, TableBlock) and continues(prev, item):
                    merged[k] = stitch(prev, item)
                    continue
            merged.append(item)
    return merged


def _in_margin(item: Item, layouts: list[PageLayout]) -> bool:
    """Whether ``item`` is a line in the top or bottom margin of its page (a running header/footer)."""
    if not isinstance(item, LineBlock):
        return False
    height = layouts[item.page - 1].height
    return item.bottom < 0.1 * height or item.top > 0.9 * height


def continues(prev: TableBlock, nxt: TableBlock) -> bool:
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
    starts = [_nearest(edges, x) for x in block.col_edges]
    width = len(edges) - 1
    grid: Grid = []
    for row in block.grid:
        line: Row = [None] * width
        for c, cell in enumerate(row):
            if c < len(starts) - 1 and starts[c] < width:
                line[starts[c]] = cell
        grid.append(line)
    return TableBlock(grid, block.bbox, list(edges), block.page, block.kind, block.clipped)


def _nearest(edges: list[float], x: float) -> int:
    """The index of the edge nearest to ``x`` (the first of equals)."""
    return min(range(len(edges)), key=lambda j: abs(edges[j] - x))


def stitch(prev: TableBlock, nxt: TableBlock) -> TableBlock:
    """Append ``nxt``'s rows to ``prev``, joining the cells that the page break cut in two."""
    if len(prev.col_edges) != len(nxt.col_edges):  # lay both halves on the finer set of columns
        edges = max(prev.col_edges, nxt.col_edges, key=len)
        prev, nxt = _widen(prev, edges), _widen(nxt, edges)
    grid = [list(r) for r in prev.grid]
    cont = [list(r) for r in nxt.grid]
    width = len(grid[0]) if grid else 0
    cont = cont[_repeated_headers(grid, cont) :]
    if cont and grid:
        data_cols = _data_columns(grid)
        _join_cut_labels(grid, cont[0], width, data_cols)
        cont = _join_cut_row(grid, cont, data_cols)
    grid.extend(cont)
    bbox = (prev.bbox[0], prev.bbox[1], prev.bbox[2], prev.bbox[3])
    # The joined table now ends on nxt's page: a third page may continue it in turn.
    return TableBlock(grid, bbox, prev.col_edges, nxt.page, prev.kind, prev.clipped or nxt.clipped)


def _repeated_headers(grid: Grid, cont: Grid) -> int:
    """How many header rows are repeated at the top of the new page ("repeat as header row")."""
    k = 0
    while (
        k < len(cont)
        and k < len(grid)
        and _row_texts(cont[k]) == _row_texts(grid[k])
        and any(_row_texts(cont[k]))
    ):
        k += 1
    return k


def _join_cut_labels(grid: Grid, first: Row, width: int, data_cols: set[int]) -> None:
    """Label cells of the new page's first row that continue the label above them, joined to it."""
    last = grid[-1]
    for c in range(min(width, len(first))):
        cell = first[c]
        if cell is None or c in data_cols:
            continue
        origin = _origin_above(grid, c)
        if origin is None or is_number(origin.text):
            continue
        spans_to_bottom = last[c] is None
        if cell.text == "":
            if spans_to_bottom:
                first[c] = None  # the blank lower part of a merged label cell
            continue
        if is_number(cell.text) or MARKER.match(cell.text) or is_known_label(cell.text):
            continue  # a label of its own: a new row or group starts at the top of the page
        if spans_to_bottom or not is_known_label(origin.text):
            # "（四）无" | page break | "法提供": one label cut by the page break.
            origin.text = origin.text + "\n" + cell.text
            first[c] = None


def _join_cut_row(grid: Grid, cont: Grid, data_cols: set[int]) -> Grid:
    """A row cut in two by the page break: its label went up, its numbers may be on either half.

    Returns the rows still to append (without the first when it was joined to the last row)."""
    first, last = cont[0], grid[-1]
    if not (first and all(first[c] is None for c in range(len(first)) if c not in data_cols)):
        return cont
    below = {c for c in data_cols if c < len(first) and (cell := first[c]) is not None and cell.text}
    above = {c for c in data_cols if c < len(last) and (cell := last[c]) is not None and cell.text}
    if not below:
        return cont[1:]
    if not above:
        for c in below:
            if c < len(last) and last[c] is not None:
                last[c] = first[c]
        return cont[1:]
    return cont


def _row_texts(row: Row) -> list[str | None]:
    return [c.text if c is not None else None for c in row]


def _data_columns(grid: Grid) -> set[int]:
    """Columns whose filled cells are mostly numbers."""
    cols: set[int] = set()
    width = max(len(r) for r in grid)
    for c in range(width):
        texts = [cell.text for r in grid if c < len(r) and (cell := r[c]) is not None and cell.text]
        if texts and sum(is_number(t) for t in texts) >= 0.5 * len(texts):
            cols.add(c)
    return cols


def _origin_above(grid: Grid, c: int) -> GridCell | None:
    for row in reversed(grid):
        if c < len(row) and row[c] is not None:
            return row[c]
    return None

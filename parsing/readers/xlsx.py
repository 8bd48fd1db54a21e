"""XLSX reader (openpyxl): every visible sheet as a table, merged ranges emitted once.

Agencies that keep the statistics in Excel send the workbook itself. Values are the cached results
(``data_only``): a formula whose result was never saved reads as blank rather than as its formula.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from parsing.document import Document
from parsing.errors import ReadError
from parsing.readers.grid import GridCell, clean_cell_text, grid_rows, grid_text

_MAX_CELLS = 200_000  # a sheet formatted down to row 1,048,576 must not build a giant grid


def read(data: bytes, filename: str = "") -> Document:
    """Read an .xlsx workbook into a Document (one table per non-empty visible sheet)."""
    import openpyxl

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError("encrypted", "Excel 文件已加密（设置了打开密码），无法读取", "the Excel file is password-protected")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ReadError("corrupt", "Excel 文件已损坏，无法打开", f"corrupt XLSX file: {exc}") from exc
    except Exception as exc:  # lxml parse errors of a damaged sheet
        raise ReadError("corrupt", "Excel 文件已损坏，无法打开", f"corrupt XLSX file: {exc}") from exc
    rows = []
    lines = []
    warnings = []
    table = 0
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        grid = _sheet_grid(ws, warnings)
        if not grid:
            continue
        lines.append(ws.title)
        rows.extend(grid_rows(grid, "xlsx", table))
        lines.append(grid_text(grid))
        table += 1
    if not rows:
        raise ReadError("no_content", "Excel 文件中没有数据", "the workbook has no data")
    return Document(format="xlsx", rows=rows, text="\n".join(lines), warnings=warnings)


def format_value(value) -> str:
    """A cell value as the sheet shows it: 3.0 → "3", 96171.6 → "96171.6", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(round(value, 10)).rstrip("0").rstrip(".") if "e" not in repr(value) else f"{value:f}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return clean_cell_text(str(value))


def _sheet_grid(ws, warnings: list[str]) -> list[list[GridCell | None]]:
    max_row, max_col = ws.max_row or 0, ws.max_column or 0
    if max_row * max_col > _MAX_CELLS:
        warnings.append(f"工作表“{ws.title}”过大，只读取前 {_MAX_CELLS // max(max_col, 1)} 行")
        max_row = _MAX_CELLS // max(max_col, 1)
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered.add((r, c))
    grid: list[list[GridCell | None]] = []
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col, values_only=True), 1):
        line: list[GridCell | None] = []
        for c, value in enumerate(row, 1):
            line.append(None if (r, c) in covered else GridCell(format_value(value)))
        grid.append(line)
    # Trailing empty rows and columns are sheet formatting, not content.
    while grid and all(cell is None or not cell.text for cell in grid[-1]):
        grid.pop()
    width = max((i + 1 for line in grid for i, cell in enumerate(line) if cell is not None and cell.text), default=0)
    return [line[:width] for line in grid]

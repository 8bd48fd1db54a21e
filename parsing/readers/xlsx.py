"""XLSX reader (openpyxl): every visible sheet as a table, merged ranges emitted once.

Agencies that keep the statistics in Excel send the workbook itself. Values are the cached results
(``data_only``): a formula whose result was never saved reads as blank rather than as its formula.

The workbook is read in streaming mode (``read_only``): a sheet of a million rows is never held in
memory. Rows beyond ``max_cells`` are not read (a warning says so), a sheet with more non-empty
cells than ``max_cells`` is refused, and merged ranges (which read-only mode does not give) are
streamed from the sheet XML and clipped to the cells actually read.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from parsing.document import Document
from parsing.errors import ReadError
from parsing.limits import get_limits, limit_error
from parsing.readers.grid import GridCell, clean_cell_text, grid_rows, grid_text

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read(data: bytes, filename: str = "") -> Document:
    """Read an .xlsx workbook into a Document (one table per non-empty visible sheet)."""
    import openpyxl

    _patch_openpyxl()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(
            "encrypted",
            "Excel 文件已加密（设置了打开密码），无法读取",
            "the Excel file is password-protected",
        )
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ReadError("corrupt", "Excel 文件已损坏，无法打开", f"corrupt XLSX file: {exc}") from exc
    except Exception as exc:  # lxml parse errors of a damaged sheet
        raise ReadError("corrupt", "Excel 文件已损坏，无法打开", f"corrupt XLSX file: {exc}") from exc
    rows = []
    lines = []
    warnings: list[str] = []
    table = 0
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        try:
            grid = _sheet_grid(ws, data, warnings)
        except ReadError:
            raise
        except Exception as exc:  # lxml/openpyxl errors of a damaged sheet, met while streaming
            raise ReadError("corrupt", "Excel 文件已损坏，无法打开", f"corrupt XLSX sheet: {exc}") from exc
        if not grid:
            continue
        lines.append(ws.title)
        rows.extend(grid_rows(grid, "xlsx", table))
        lines.append(grid_text(grid))
        table += 1
    if not rows:
        raise ReadError("no_content", "Excel 文件中没有数据", "the workbook has no data")
    return Document(format="xlsx", rows=rows, text="\n".join(lines), warnings=warnings)


_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s[^>]*ref=\"([A-Za-z]{1,3}\d{1,7}(?::[A-Za-z]{1,3}\d{1,7})?)\""
)


def _head_size(self) -> None:
    """ReadOnlyWorksheet._get_size reading only the head of the sheet XML.

    openpyxl looks for the <dimension> element by parsing the sheet until it finds one: in a sheet
    that has none (written by a tool, or by an attacker) that is the whole sheet, a million rows
    parsed before a single row is read. Excel writes it first, so the head is enough; without it
    the sizes stay unknown, which openpyxl handles (rows are then read as they come).
    """
    from openpyxl.utils.cell import range_boundaries

    with self._get_source() as src:
        head = src.read(65536)
    match = _DIMENSION.search(head)
    if match:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(match.group(1).decode("ascii"))
        except (ValueError, TypeError):
            return
        self._min_column, self._min_row, self._max_column, self._max_row = min_col, min_row, max_col, max_row


def _patch_openpyxl() -> None:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    # same result for Excel's files, bounded for the rest; the stubs omit this private method
    ReadOnlyWorksheet._get_size = _head_size  # type: ignore[attr-defined]


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


def _merged_ranges(data: bytes, sheet_path: str) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of every merged range of a sheet, streamed from its XML."""
    from lxml import etree
    from openpyxl.utils.cell import range_boundaries

    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open(sheet_path.lstrip("/")) as fh:
        for _, el in etree.iterparse(
            fh, events=("end",), resolve_entities=False, no_network=True, huge_tree=False
        ):
            if el.tag == f"{_MAIN_NS}mergeCell":
                try:
                    min_col, min_row, max_col, max_row = range_boundaries(el.get("ref", ""))
                except (ValueError, TypeError):
                    continue
                if (
                    min_col is not None
                    and min_row is not None
                    and max_col is not None
                    and max_row is not None
                ):
                    out.append((min_row, min_col, max_row, max_col))
            el.clear()
    return out


def _covered(ranges: list[tuple[int, int, int, int]], nrows: int, ncols: int) -> set[tuple[int, int]]:
    """Slots covered by merged ranges (not their origin), clipped to the nrows × ncols cells read."""
    limits = get_limits()
    covered: set[tuple[int, int]] = set()
    work = 0
    for r0, c0, r1, c1 in ranges:
        r1, c1 = min(r1, nrows), min(c1, ncols)
        work += max(r1 - r0 + 1, 0) * max(c1 - c0 + 1, 0)
        if work > limits.max_grid_slots:
            raise limit_error("too_complex", "max_grid_slots", limits, f"合并单元格覆盖超过 {work:,} 格")
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    covered.add((r, c))
    return covered


def _sheet_grid(ws, data: bytes, warnings: list[str]) -> list[list[GridCell | None]]:
    limits = get_limits()
    values: list[list[str]] = []
    filled = 0
    width = 0
    for r, row in enumerate(ws.iter_rows(values_only=True), 1):
        if r > limits.max_cells:
            warnings.append(
                f"工作表“{ws.title}”超过 {limits.max_cells:,} 行，只读取前 {limits.max_cells:,} 行"
            )
            break
        texts = [format_value(v) for v in row[: limits.max_span * 50]]
        while texts and not texts[-1]:
            texts.pop()  # trailing empty (formatted) columns
        filled += sum(1 for t in texts if t)
        if filled > limits.max_cells:
            raise limit_error(
                "too_complex",
                "max_cells",
                limits,
                f"工作表“{ws.title}”超过 {limits.max_cells:,} 个非空单元格",
            )
        width = max(width, len(texts))
        values.append(texts)
    # Trailing empty rows are sheet formatting, not content.
    while values and not any(values[-1]):
        values.pop()
    if len(values) * width > limits.max_grid_slots:
        raise limit_error("too_complex", "max_grid_slots", limits, f"{len(values):,} 行 × {width:,} 列")
    path = getattr(ws, "_worksheet_path", None)
    covered = _covered(_merged_ranges(data, path), len(values), width) if path and values else set()
    grid: list[list[GridCell | None]] = []
    for r, texts in enumerate(values, 1):
        line: list[GridCell | None] = []
        for c in range(1, width + 1):
            text = texts[c - 1] if c <= len(texts) else ""
            line.append(None if (r, c) in covered else GridCell(text))
        grid.append(line)
    return grid

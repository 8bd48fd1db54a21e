"""Shared helpers of the grid readers (HTML, DOCX, XLSX, PDF, OCR): a table as a grid → Document rows.

Every grid reader first builds a rectangular grid in which a slot covered by a merged cell is
``None`` and every real cell is a :class:`GridCell`. :func:`grid_rows` then emits the real cells in
reading order, so that all formats hand the interpreter the same shape (document.py contract:
covered slots are not emitted, empty cells are emitted as ``""``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsing.document import Source, SourceCell

# Runs of spaces/tabs (not line breaks) and the zero-width characters Word and web editors leave behind.
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2002-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A space between two CJK characters (or CJK and full-width punctuation) is a source line wrap, not text.
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


@dataclass
class GridCell:
    """One real (origin) cell of a table grid."""

    text: str
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None


def clean_cell_text(text: str) -> str:
    """Tidy the text of one cell while keeping its line breaks.

    Spaces are collapsed, a space between two CJK characters is dropped (it comes from a line wrap
    in the source), and each line is stripped, including ideographic spaces used as blank filler.
    """
    text = _ZERO_WIDTH.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for line in text.split("\n"):
        line = _SPACES.sub(" ", line).strip(" \u3000")
        line = _CJK_GAP.sub("", line)
        lines.append(line)
    # Drop leading/trailing empty lines but keep inner breaks: the interpreter reads them as wraps.
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def grid_rows(grid: list[list[GridCell | None]], kind: str, table: int | None) -> list[list[SourceCell]]:
    """Turn a grid into Document rows: covered slots skipped, provenance filled in.

    Rows that end up with no cell at all (every slot covered by a rowspan) are dropped. A row of
    empty cells is kept: in a blank template it is the blank data row of table 四.
    """
    rows: list[list[SourceCell]] = []
    for r, grid_row in enumerate(grid):
        out: list[SourceCell] = []
        for c, cell in enumerate(grid_row):
            if cell is None:
                continue
            src = Source(
                kind=kind,
                table=table,
                row=r,
                col=c,
                page=cell.page,
                bbox=cell.bbox,
                confidence=cell.confidence,
            )
            out.append(SourceCell(cell.text, src))
        if out:
            rows.append(out)
    return rows


def grid_text(grid: list[list[GridCell | None]]) -> str:
    """Plain-text form of a grid: one line per row, cells separated by tabs, wraps flattened."""
    lines = []
    for grid_row in grid:
        cells = [c.text.replace("\n", "") for c in grid_row if c is not None]
        if any(cells):
            lines.append("\t".join(cells))
    return "\n".join(lines)


def prose_row(text: str, kind: str, **where) -> list[SourceCell]:
    """A paragraph outside any table, as a one-cell row."""
    return [SourceCell(text, Source(kind=kind, **where))]

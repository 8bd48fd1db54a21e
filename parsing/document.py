"""Format-neutral document model: what every reader produces and the interpreter consumes.

A reader (text, HTML, PDF, DOCX, XLSX, OCR) turns bytes into a :class:`Document`:
- ``rows``: the table-like content in reading order, as rows of :class:`SourceCell`.
  Row boundaries are hints: text dumps lose them, so the interpreter never relies on them alone.
  A slot covered by a merged (row/col-spanned) cell is simply not emitted, while an empty
  cell is emitted with ``text == ""``.
- ``text``: the whole plain text, used for prose figures and metadata (agency, region, year).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """Where a cell came from, so a reviewer can see the source next to the number."""

    kind: str  # text | html | pdf | docx | xlsx | ocr
    line: int | None = None  # 1-based line in text formats
    table: int | None = None  # 0-based table index in grid formats
    row: int | None = None  # 0-based row in that table
    col: int | None = None  # 0-based column in that table
    page: int | None = None  # 1-based PDF page
    bbox: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom in PDF points
    confidence: float | None = None  # OCR confidence 0..1

    def to_dict(self) -> dict:
        """JSON form without the unset fields."""
        out: dict[str, object] = {"kind": self.kind}
        for name in ("line", "table", "row", "col", "page", "bbox", "confidence"):
            value = getattr(self, name)
            if value is not None:
                out[name] = list(value) if name == "bbox" else value
        return out


@dataclass(frozen=True)
class SourceCell:
    """One cell of text as the document shows it (not yet normalised)."""

    text: str
    source: Source


@dataclass
class Document:
    """A document reduced to rows of cells plus plain text."""

    format: str  # txt | html | pdf | docx | xlsx | ocr ...
    rows: list[list[SourceCell]] = field(default_factory=list)
    text: str = ""
    warnings: list[str] = field(default_factory=list)
    pages: int | None = None
    # Indexes of rows whose end is NOT a real row end (text dumps that wrap one table row over several
    # lines). Grid readers leave it empty: their row boundaries are real.
    loose_rows: set[int] = field(default_factory=set)
    # Indexes of rows cut off on the right by the page edge (a PDF table wider than the paper): their
    # last cells were never printed, so the row holds only its leftmost columns.
    clipped_rows: set[int] = field(default_factory=set)

"""The layout model of a PDF (or scanned) page, shared by the PDF reader and OCR.

A page is read into a :class:`PageLayout`: ruled tables (:class:`TableBlock`) and lines of text
outside them (:class:`LineBlock`, whose cells are :class:`Word` runs), in reading order. This module
also holds the small text tests every later step shares (a number, a CJK character, a numbering
mark) and the ruling-line shape pdfplumber's table finder takes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from parsing.readers.grid import GridCell

Bbox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points (top-left origin)

_NUMERIC = re.compile(
    r"^[\s+\-−－—–/／.,，0-9０-９%％万元件个项条次]*[0-9０-９][\s.,，0-9０-９%％万元件个项条次]*$"
)
# A numbering mark that starts a label or heading: "（六）", "三、", "1." ...
MARKER = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+\s*[.、．])")


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
        """The height of the run (at least 1 pt): the font size the spacing rules compare against."""
        return max(self.bottom - self.top, 1.0)


@dataclass
class TableBlock:
    """A ruled table found on one page."""

    grid: list[list[GridCell | None]]
    bbox: Bbox
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


Item = TableBlock | LineBlock


@dataclass
class PageLayout:
    """What one page holds, in reading order."""

    number: int
    width: float
    height: float
    items: list[TableBlock | LineBlock] = field(default_factory=list)
    ocr: bool = False


def is_number(text: str) -> bool:
    """Whether ``text`` reads as a number (digits with units, signs and separators)."""
    return bool(_NUMERIC.match(text))


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a CJK character or CJK/full-width punctuation (no space between such)."""
    return (
        "\u3400" <= ch <= "\u9fff"
        or "\uf900" <= ch <= "\ufaff"
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
    )


def min_conf(a: float | None, b: float | None) -> float | None:
    """The lower of two confidences, where None (a text layer) is no confidence at all."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def min_conf_all(values: Iterable[float | None]) -> float | None:
    """The lowest of the known confidences, None when none is known."""
    vals = [v for v in values if v is not None]
    return min(vals) if vals else None


def round_bbox(bbox: Iterable[float]) -> Bbox:
    """A bounding box rounded to 0.01 pt, as the document's sources carry it."""
    return tuple(round(float(v), 2) for v in bbox)  # type: ignore[return-value]


def page_list(numbers: list[int]) -> str:
    """Page numbers for a warning: the first ten, then 等."""
    return "、".join(str(n) for n in numbers[:10]) + ("等" if len(numbers) > 10 else "")


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

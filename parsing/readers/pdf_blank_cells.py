"""Blank cells of an unruled table 三, which print nothing, put back in their columns.

In an unruled table 三 whose blank cells print nothing ('34 … 49' with the five organisation
columns left blank), each number goes to the column it stands under and the blank columns get empty
cells (:func:`slot_blank_cells`), so that blanks stay blank instead of shifting the numbers left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsing.readers.pdf_labels import label_key
from parsing.readers.pdf_layout import Item, LineBlock, TableBlock, Word, is_number

_S3_WIDTH = 7  # data columns of table 三: 自然人, five organisation columns, 总计
_SECTION_END = re.compile(r"^\s*[四五六]\s*[、.．]")
Anchor = tuple[float, float]  # a column's (left edge, centre) of text: cells are left-aligned or centred


@dataclass
class _Columns:
    """The columns of table 三 known so far: all seven from a full row, or the two outer ones."""

    full: list[Anchor] | None = None
    natural: Anchor | None = None
    total: Anchor | None = None

    def forget(self) -> None:
        self.full = self.natural = self.total = None

    def learn_headers(self, line: LineBlock) -> None:
        """The 自然人 and 总计 columns from the header words of ``line``, if it holds them."""
        for cell in line.cells:
            key = label_key(cell.text)
            # Header words, possibly run together with their neighbours ('自然商科', '其计'): short
            # cells only, so that prose ('自然资源局…', '总的来看…') never sets a column.
            if key.startswith("自然") and len(key) <= 6:
                self.natural = _anchor(cell)
            elif (
                key.startswith("总")
                and len(key) <= 4
                and self.natural is not None
                and cell.x0 > self.natural[0]
            ):
                self.total = _anchor(cell)


def slot_blank_cells(items: list[Item]) -> list[Item]:
    """Rows of an unruled table 三 whose blank cells print nothing ('34 … 49' with the five
    organisation columns left blank): each number is put in the column it stands under, and the
    columns with nothing get an empty cell, so the row keeps all seven cells and blanks stay blank.

    The columns come from a row of the same table that prints all seven numbers, or, for the two
    outer columns alone, from the header words 自然人 and 总计. A number stands under a column when
    its left edge or its centre is within a character of the column's. A row is rebuilt only when
    every number stands under exactly one known column; otherwise it is left as it is (and reported
    as short by the interpreter). The columns are forgotten where section 四 (or 五, 六) begins.
    """
    columns = _Columns()
    out: list[Item] = []
    for item in items:
        if isinstance(item, TableBlock) or not item.cells:
            out.append(item)
            continue
        if _SECTION_END.match(item.cells[0].text) and not any(is_number(c.text) for c in item.cells):
            columns.forget()  # a heading (四、政府信息公开行政复议…), not the row 四、结转…
        columns.learn_headers(item)
        out.append(_slotted_row(item, columns))
    return out


def _slotted_row(item: LineBlock, columns: _Columns) -> LineBlock:
    """``item`` with its numbers in their columns and empty cells for the blank ones, or as it is."""
    labels = 0
    while labels < len(item.cells) and not is_number(item.cells[labels].text):
        labels += 1
    numbers = item.cells[labels:]
    if not labels or not numbers or not all(is_number(c.text) for c in numbers):
        return item
    if len(numbers) == _S3_WIDTH and columns.natural is not None:
        columns.full = [_anchor(c) for c in numbers]
    slots = _slots(numbers, columns.full, columns.natural, columns.total)
    if slots is None:
        return item
    blank = Word("", item.cells[labels - 1].x1, item.top, item.cells[labels - 1].x1, item.bottom)
    cells = item.cells[:labels] + [w if w is not None else blank for w in slots]
    return LineBlock(cells, item.page, item.top, item.bottom)


def _anchor(w: Word) -> Anchor:
    return (w.x0, (w.x0 + w.x1) / 2)


def _slots(
    numbers: list[Word], full: list[Anchor] | None, natural: Anchor | None, total: Anchor | None
) -> list[Word | None] | None:
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
        near = [
            i
            for i, a in enumerate(columns)
            if a is not None and (abs(x0 - a[0]) <= w.size or abs(centre - a[1]) <= w.size)
        ]
        if len(near) != 1 or slots[near[0]] is not None:
            return None
        slots[near[0]] = w
    return slots

"""Lines of text outside ruled tables: words → lines → cells, in reading order (PDF and OCR).

Words are grouped into lines by vertical overlap; a line splits into cells at wide gaps, which is
how an unruled table reads; labels printed one character per line are rebuilt; labels wrapped over
several lines go back to their data row (:mod:`parsing.readers.pdf_wrapped_labels`); page marks
(``- 5 -``, ``— 5 —``, ``-5-``, ``第5页``) are removed when the page's items are put in order.
"""

from __future__ import annotations

import re

from parsing.readers.pdf_labels import is_known_label
from parsing.readers.pdf_layout import (
    MARKER,
    Item,
    LineBlock,
    PageLayout,
    TableBlock,
    Word,
    is_cjk,
    is_number,
    min_conf,
)
from parsing.readers.pdf_wrapped_labels import attach_wrapped_labels

_PAGE_MARK = re.compile(
    r"^\s*(?:[-—–－―~·•]+\s*\d{1,4}\s*[-—–－―~·•]+|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|[-—–－―]?\s*\d{1,3}\s*[-—–－―]?)\s*$"
)


def lines_from_words(words: list[Word], page: int) -> list[LineBlock]:
    """Group words into lines by vertical overlap, then split each line into cells at wide gaps."""
    blocks = []
    for line in _group_lines(words):
        line.sort(key=lambda x: x.x0)
        blocks.append(
            LineBlock(
                _detach_first_number(line, _split_cells(line)),
                page,
                min(x.top for x in line),
                max(x.bottom for x in line),
            )
        )
    blocks.sort(key=lambda b: b.top)
    return attach_wrapped_labels(_rebuild_vertical(blocks))


def _group_lines(words: list[Word]) -> list[list[Word]]:
    """Words that overlap vertically by more than half the smaller height share a line."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (round(w.top), w.x0)):
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
    return lines


def _split_cells(line: list[Word]) -> list[Word]:
    """Words closer than ~1.5 characters belong to the same cell; wider gaps separate columns."""
    cells: list[Word] = []
    last: Word | None = None
    for w in line:
        if cells and last is not None and not _new_cell(last, w):
            prev = cells[-1]
            gap = w.x0 - prev.x1
            if gap < 1.5 * max(prev.size, w.size) * 0.9:
                joiner = (
                    " " if gap > 0.2 * w.size and not (is_cjk(prev.text[-1]) and is_cjk(w.text[0])) else ""
                )
                cells[-1] = Word(
                    prev.text + joiner + w.text,
                    prev.x0,
                    min(prev.top, w.top),
                    w.x1,
                    max(prev.bottom, w.bottom),
                    min_conf(prev.confidence, w.confidence),
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
    if is_number(prev.text) and is_number(word.text):
        return gap > 0.6 * size
    return is_cjk(prev.text[-1]) and bool(MARKER.match(word.text))


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
    if len(inside) < 2 or not is_number(inside[-1].text) or is_number(inside[-2].text):
        return cells
    if not is_cjk(inside[-2].text[-1]):
        return cells
    label = _split_cells(inside[:-1])
    if len(label) != 1:
        return cells
    if len(cells) == 1 and not is_known_label(label[0].text):
        return cells  # a one-value row only when the label is a standard one ('行政事业性收费 12.56')
    return [label[0], inside[-1], *cells[1:]]


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
    return bool(block.cells) and all(len(c.text) == 1 and is_cjk(c.text) for c in block.cells)


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


def order_items(tables: list[TableBlock], lines: list[LineBlock], layout: PageLayout) -> list[Item]:
    """Tables and lines in reading order (top to bottom), page marks removed."""
    items: list[tuple[float, Item]] = [(t.bbox[1], t) for t in tables]
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

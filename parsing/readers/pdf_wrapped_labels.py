"""Labels of an unruled table that wrap over several lines, joined back to their data row.

In an unruled table, a label that wraps over several lines prints its numbers on one of them (often
the middle one, as cells are centred vertically). :func:`attach_wrapped_labels` rebuilds each data
row: the numbers of a line plus the whole labels (every fragment) that sit beside it in the label
columns. The steps:

1. data lines (at least two numbers) and each one's label zone (left of its first number);
2. fragments: short lines without numbers lying wholly in the label zone of nearby data lines;
3. label cells grouped into the sub-columns of the zone;
4. per sub-column, a label and the fragments that continue it become one cell, owned by the data
   row it sits on or beside (or a line of its own: a caption);
5. the lines rebuilt: data rows with their whole labels, fragments gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parsing.readers.pdf_labels import is_known_label
from parsing.readers.pdf_layout import MARKER, LineBlock, Word, is_number, min_conf_all

Column = list[tuple[Word, int]]  # label cells of one sub-column, with the index of their line
Block = tuple[list[Word], set[int]]  # one label's cells, top to bottom, and the lines they come from


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
    table = _DataLines.of(lines, data)
    fragments = table.fragments()
    if not fragments:
        return lines
    zone = table.zones(fragments)
    labels = _Labels()
    for col in _label_columns(lines, sorted(fragments | table.data_set), zone):
        for words, rows in _column_blocks(col, table.data_set):
            labels.add(table, words, rows)
    return _rebuild_lines(table, fragments, zone, labels)


def _numeric_cells(line: LineBlock) -> list[Word]:
    return [c for c in line.cells if is_number(c.text)]


@dataclass
class _DataLines:
    """The lines of a page and which of them are data lines (at least two numbers)."""

    lines: list[LineBlock]
    data: list[int]
    data_set: set[int]
    zone_of: dict[int, float]  # each data line's own label zone: left of its first number
    height: float  # the median height of a data line

    @classmethod
    def of(cls, lines: list[LineBlock], data: list[int]) -> _DataLines:
        # Each data line has its own label zone: tables differ on one page.
        zone_of = {i: _numeric_cells(lines[i])[0].x0 for i in data}
        height = sorted(lines[i].bottom - lines[i].top for i in data)[len(data) // 2]
        return cls(lines, data, set(data), zone_of, height)

    def neighbours(self, i: int) -> list[int]:
        """The data lines that line ``i`` sits beside."""
        lines, height = self.lines, self.height
        window = [j for j in range(max(0, i - 3), min(len(lines), i + 4)) if j in self.data_set]
        near = [j for j in window if abs(lines[j].top - lines[i].top) < 2.5 * height]
        if near:
            return near
        # Rows whose labels wrap over several lines are tall: a group label centred between two
        # of them is far from both, but still between two data lines of the table.
        window = [j for j in range(max(0, i - 6), min(len(lines), i + 7)) if j in self.data_set]
        above = [j for j in window if j < i and lines[i].top - lines[j].top < 5 * height]
        below = [j for j in window if j > i and lines[j].top - lines[i].top < 5 * height]
        return [above[-1], below[0]] if above and below else []

    def fragments(self) -> set[int]:
        """Short lines without numbers that lie wholly in the label zone of nearby data lines."""
        fragments: set[int] = set()
        for i, ln in enumerate(self.lines):
            if i in self.data_set or len(ln.cells) > 3 or any(is_number(c.text) for c in ln.cells):
                continue
            near = self.neighbours(i)
            if near and all(c.x1 <= max(self.zone_of[j] for j in near) + 1 for c in ln.cells):
                fragments.add(i)
        return fragments

    def zones(self, fragments: set[int]) -> dict[int, float]:
        """The label zone of every data line and fragment (a fragment's: its neighbours' widest)."""
        zone = {i: self.zone_of[i] for i in self.data}
        for i in fragments:
            zone[i] = max(self.zone_of[j] for j in self.neighbours(i))
        return zone


def _label_columns(lines: list[LineBlock], indices: list[int], zone: dict[int, float]) -> list[Column]:
    """Label cells (fragment lines and the label part of data lines), per sub-column of the zone."""
    cells: Column = []
    for i in indices:
        cells.extend((c, i) for c in lines[i].cells if c.x1 <= zone[i] + 1)
    columns: list[Column] = []
    for cell, i in sorted(cells, key=lambda ci: ci[0].x0):
        for col in columns:
            if abs(col[0][0].x0 - cell.x0) < 0.8 * cell.size:
                col.append((cell, i))
                break
        else:
            columns.append([(cell, i)])
    return columns


def _column_blocks(col: Column, data_set: set[int]) -> list[Block]:
    """Blocks of one sub-column: a label and the fragments that continue it, top to bottom."""
    col.sort(key=lambda ci: ci[0].top)
    right = max(c.x1 for c, _ in col)
    blocks: list[Block] = []
    for cell, i in col:
        if blocks and _continues_label(blocks[-1], cell, i, right, data_set):
            words, rows = blocks[-1]
            words.append(cell)
            rows.add(i)
            continue
        blocks.append(([cell], {i}))
    return blocks


def _continues_label(block: Block, cell: Word, i: int, right: float, data_set: set[int]) -> bool:
    """Whether ``cell`` (on line ``i``) continues the label ``block`` above it.

    A label wraps only when its line is full, so a fragment continues the label above only if that
    line reaches the column's right edge."""
    words, rows = block
    above = words[-1]
    gap = cell.top - above.bottom
    on_data = i in data_set and any(r in data_set for r in rows)
    # A line ending on a clause mark ("补正、") was broken by the author, not by width.
    full = above.x1 >= right - 1.5 * above.size or above.text.endswith(("、", "，", ","))
    return (
        full
        and gap < 0.9 * cell.size
        and not on_data
        and not MARKER.match(cell.text)
        and not is_known_label(cell.text)
    )


@dataclass
class _Labels:
    """Whole labels: owned by a data line (its index) or standing on lines of their own."""

    owner: dict[int, list[Word]] = field(default_factory=dict)
    standalone: list[LineBlock] = field(default_factory=list)

    def add(self, table: _DataLines, words: list[Word], rows: set[int]) -> None:
        """File one label block under the data row it belongs to."""
        top, bottom = words[0].top, words[-1].bottom
        merged = Word(
            "\n".join(w.text for w in words),
            min(w.x0 for w in words),
            top,
            max(w.x1 for w in words),
            bottom,
            min_conf_all(w.confidence for w in words),
        )
        target = next((r for r in sorted(rows) if r in table.data_set), None)
        if target is None:
            # A label on lines of its own: it belongs to the data row it sits beside (a group
            # label centred over its rows), or it is a line of its own (a caption).
            overlapping = [
                j for j in table.data if table.lines[j].bottom > top and table.lines[j].top < bottom
            ]
            if not overlapping:
                self.standalone.append(LineBlock([merged], table.lines[min(rows)].page, top, bottom))
                return
            target = overlapping[0]
        self.owner.setdefault(target, []).append(merged)


def _rebuild_lines(
    table: _DataLines, fragments: set[int], zone: dict[int, float], labels: _Labels
) -> list[LineBlock]:
    """The lines again: each data row with its whole labels, fragments gone, captions kept."""
    out: list[LineBlock] = list(labels.standalone)
    for i, ln in enumerate(table.lines):
        if i in fragments:
            continue
        if i in table.data_set and i in labels.owner:
            row_labels = sorted(labels.owner[i], key=lambda w: w.x0)
            rest = [c for c in ln.cells if c.x1 > zone[i] + 1]
            top = min([ln.top] + [w.top for w in row_labels])
            out.append(
                LineBlock(row_labels + rest, ln.page, top, max([ln.bottom] + [w.bottom for w in row_labels]))
            )
        else:
            out.append(ln)
    out.sort(key=lambda b: b.top)
    return out

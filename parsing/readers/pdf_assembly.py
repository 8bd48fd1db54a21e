"""Pages → :class:`~parsing.document.Document` (PDF and OCR): tables stitched across page breaks,
the blank cells of an unruled table 三 slotted, lines of cells as rows, wrapped prose joined into
paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parsing.document import Document, Source, SourceCell
from parsing.readers.grid import grid_rows, grid_text
from parsing.readers.pdf_blank_cells import slot_blank_cells
from parsing.readers.pdf_layout import (
    MARKER,
    LineBlock,
    PageLayout,
    TableBlock,
    is_cjk,
    min_conf_all,
    page_list,
    round_bbox,
)
from parsing.readers.pdf_stitch import join_across_pages


def assemble(layouts: list[PageLayout]) -> Document:
    """Pages → Document rows and text, with tables stitched across page breaks."""
    builder = _DocumentBuilder(layouts)
    for item in slot_blank_cells(join_across_pages(layouts)):
        if isinstance(item, TableBlock):
            builder.add_table(item)
        elif len(item.cells) > 1:
            builder.add_cells(item)
        else:
            builder.add_line(item)
    return builder.document()


@dataclass
class _DocumentBuilder:
    """Rows and text lines of the Document, built item by item in reading order."""

    layouts: list[PageLayout]
    rows: list[list[SourceCell]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    table_index: int = 0
    paragraph: list[LineBlock] = field(default_factory=list)  # one-cell lines of the prose being read
    clipped_rows: set[int] = field(default_factory=set)
    clipped_pages: list[int] = field(default_factory=list)

    def add_table(self, item: TableBlock) -> None:
        """A ruled table: its grid's rows (marked when the paper cut the table)."""
        self.flush_paragraph()
        table_rows = grid_rows(item.grid, item.kind, self.table_index)
        if item.clipped:
            self.clipped_rows.update(range(len(self.rows), len(self.rows) + len(table_rows)))
            self.clipped_pages.append(item.page)
        self.rows.extend(table_rows)
        self.lines.append(grid_text(item.grid))
        self.table_index += 1

    def add_cells(self, item: LineBlock) -> None:
        """A line of several cells (an unruled table row): one row."""
        self.flush_paragraph()
        kind = _kind(self.layouts, item.page)
        self.rows.append(
            [
                SourceCell(
                    c.text,
                    Source(
                        kind=kind,
                        page=item.page,
                        bbox=round_bbox((c.x0, c.top, c.x1, c.bottom)),
                        confidence=c.confidence,
                    ),
                )
                for c in item.cells
            ]
        )
        self.lines.append("\t".join(c.text for c in item.cells))

    def add_line(self, item: LineBlock) -> None:
        """A line of prose: it continues the paragraph, or starts a new one."""
        if self.paragraph and not _same_paragraph(self.paragraph[-1], item, self.layouts):
            self.flush_paragraph()
        self.paragraph.append(item)

    def flush_paragraph(self) -> None:
        """The paragraph read so far as one row of one cell."""
        paragraph = self.paragraph
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
        conf = min_conf_all(c.confidence for p in paragraph for c in p.cells)
        source = Source(
            kind=_kind(self.layouts, first.page), page=first.page, bbox=round_bbox(bbox), confidence=conf
        )
        self.rows.append([SourceCell(text, source)])
        self.lines.append(text)
        paragraph.clear()

    def document(self) -> Document:
        """The Document of everything added (the last paragraph included)."""
        self.flush_paragraph()
        doc = Document(
            format="pdf",
            rows=self.rows,
            text="\n".join(self.lines),
            pages=len(self.layouts),
            clipped_rows=self.clipped_rows,
        )
        if self.clipped_pages:
            pages = page_list(sorted(set(self.clipped_pages)))
            doc.warnings.append(f"第 {pages} 页的表格超出页面右边缘，最右侧的列没有印出，无法读取")
        return doc


def _kind(layouts: list[PageLayout], page: int) -> str:
    return "ocr" if layouts[page - 1].ocr else "pdf"


def _same_paragraph(prev: LineBlock, line: LineBlock, layouts: list[PageLayout]) -> bool:
    """A wrapped prose line continues the previous one when the previous line ran to the right margin
    and this one does not start with an indent, a heading number or a new section."""
    layout = layouts[prev.page - 1]
    prev_right = prev.cells[-1].x1
    right_margin = _right_margin(layout)
    size = prev.cells[-1].size
    if prev_right < right_margin - 2.5 * size:
        return False
    if MARKER.match(line.cells[0].text):
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
        if parts and parts[-1] and text and not (is_cjk(parts[-1][-1]) or is_cjk(text[0])):
            parts.append(" ")
        parts.append(text)
    return "".join(parts)

"""The roll-up (县级汇总表) as a Word document: tables 二、三、四 as in the official template, ready to paste.

The tables are drawn from the same grids as the Excel workbook (:func:`library.rollup_export.grid`):
merged caption and header cells, the template's row and column labels, 宋体 in the tables, 黑体 for the
headings (the fonts of the other documents, :mod:`library.documents.common`). A lower bound is printed
``≥12`` and explained under the tables, so it is never pasted as a total by mistake.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from library.documents.common import BODY_FONT, TABLE_FONT, TITLE_FONT, safe_name, set_run_fonts
from library.rollup import RollCell, RollUp
from library.rollup_export import TABLE_TITLES, Grid, cell_text, grid, summary_lines, title

# Table font sizes: 五号 (10.5 pt) for the narrow table 二, 小五 (9 pt) for the wide tables 三 and 四.
_SIZES = {"s2": Pt(10.5), "s3": Pt(9), "s4": Pt(9)}
# Column widths (cm) within a portrait A4 page with 2 cm margins (17 cm of text width).
_WIDTHS = {
    "s2": [4.4, 4.2, 4.2, 4.2],
    "s3": [1.3, 1.7, 4.0] + [1.43] * 7,
    "s4": [17.0 / 15] * 15,
}


def _paragraph(doc, text: str, font: str, size: Pt, *, bold: bool = False, center: bool = False):
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    set_run_fonts(run, font)
    run.font.size = size
    run.bold = bold
    return p


def _cell_text(cell, text: str, size: Pt, *, bold: bool = False, left: bool = False) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    set_run_fonts(run, TABLE_FONT)
    run.font.size = size
    run.bold = bold


def _fixed_layout(table) -> None:
    """Word keeps the given column widths (autofit would squeeze the label columns)."""
    props = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    props.append(layout)


def _draw(doc, g: Grid, section: str) -> None:
    size = _SIZES[section]
    table = doc.add_table(rows=len(g.rows), cols=g.width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _fixed_layout(table)
    for c, width in enumerate(_WIDTHS[section]):
        table.columns[c].width = Cm(width)  # the table grid (LibreOffice reads this)
        for row in table.rows:  # and each cell (Word reads this)
            row.cells[c].width = Cm(width)
    for r, values in enumerate(g.rows):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            if isinstance(value, RollCell):
                _cell_text(cell, cell_text(value), size)
            elif value is not None:
                header = r in g.header_rows
                _cell_text(cell, value, size, bold=header, left=section == "s3" and not header and c == 2)
    for r0, c0, r1, c1 in g.merges:
        table.cell(r0, c0).merge(table.cell(r1, c1))
        # A merge joins the paragraphs of every merged cell: keep only the first (the label).
        merged = table.cell(r0, c0)
        for extra in merged.paragraphs[1:]:
            extra._element.getparent().remove(extra._element)


def rollup_docx(rollup: RollUp) -> bytes:
    """The Word document: a title, the three tables with their section headings, and the notes."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    _paragraph(doc, title(rollup), TITLE_FONT, Pt(16), center=True)
    for key in ("s2", "s3", "s4"):
        heading = _paragraph(doc, TABLE_TITLES[key], TITLE_FONT, Pt(14))
        heading.paragraph_format.space_before = Pt(12)
        heading.paragraph_format.keep_with_next = True
        _draw(doc, grid(rollup, key), key)
    _paragraph(doc, "说明", TITLE_FONT, Pt(12)).paragraph_format.space_before = Pt(12)
    for line in summary_lines(rollup):
        _paragraph(doc, line, BODY_FONT, Pt(10.5))
    for cell in rollup.incomplete_cells:
        who = "；".join(f"{c.agency}（{c.reason}）" for c in cell.incomplete)
        _paragraph(doc, f"{cell.label}：≥{cell_text(cell).lstrip('≥')}，{who}", BODY_FONT, Pt(9))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def rollup_filename(rollup: RollUp, extension: str) -> str:
    """``洪泽区2024年度年报汇总表.docx``."""
    return f"{safe_name(rollup.region)}{rollup.year}年度年报汇总表.{extension}"

"""Build the Word templates of library/documents/templates/ (run once; the .docx files are committed).

    python scripts/make_doc_templates.py

The templates are ordinary .docx files with docxtpl (Jinja) tags, so an office can open one in Word,
change the wording or the layout and keep the tags. Fonts follow Chinese official documents: titles in
黑体, body in 仿宋, tables in 宋体, with the East Asian font name set on every style and run
(``w:eastAsia``), which is the name Word and LibreOffice use for Chinese characters; a machine without
these fonts substitutes another CJK font (Noto CJK on Debian).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from library.documents.common import (  # noqa: E402
    BODY_FONT,
    LATIN_FONT,
    TABLE_FONT,
    TEMPLATE_DIR,
    TITLE_FONT,
    rfonts_of,
    set_run_fonts,
)

BODY_PT, TITLE_PT, HEADING_PT, TABLE_PT = 14, 20, 15, 10.5


def _style_fonts(doc, name: str, east_asian: str, size: float, bold: bool = False) -> None:
    style = doc.styles[name]
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    fonts = rfonts_of(style.element.get_or_add_rPr())
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    # Theme fonts would override the names above in Word: drop them.
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _style_fonts(doc, "Normal", BODY_FONT, BODY_PT)
    doc.styles["Normal"].paragraph_format.line_spacing = 1.35
    doc.styles["Normal"].paragraph_format.space_after = Pt(0)
    _style_fonts(doc, "Title", TITLE_FONT, TITLE_PT)
    _style_fonts(doc, "Heading 1", TITLE_FONT, HEADING_PT)
    _style_fonts(doc, "Table Grid", TABLE_FONT, TABLE_PT)
    for name in ("Title", "Heading 1"):
        style = doc.styles[name]
        style.font.color.rgb = None
        style.font.bold = False
        style.paragraph_format.space_before = Pt(12 if name == "Heading 1" else 0)
        style.paragraph_format.space_after = Pt(6 if name == "Heading 1" else 18)
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The Title style of python-docx's default template draws a rule under the title: drop it.
    ppr = doc.styles["Title"].element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)
    return doc


def _para(doc, text: str, *, style: str | None = None, align=None, indent: bool = False) -> Paragraph:
    p = doc.add_paragraph(style=style)
    run = p.add_run(text)
    if style in (None, "Normal"):
        set_run_fonts(run, BODY_FONT)
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    return p


def _table(doc, headers: list[str], row: list[str], *, loop: str, widths: list[float]):
    """A table with a header row and one template row repeated by ``{%tr for … %}``."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (head, cell_text) in enumerate(zip(headers, row, strict=True)):
        _cell(table.cell(0, i), head, bold=True)
        _cell(table.cell(2, i), cell_text)
    table.cell(1, 0).merge(table.cell(1, len(headers) - 1))
    table.cell(3, 0).merge(table.cell(3, len(headers) - 1))
    _cell(table.cell(1, 0), f"{{%tr {loop} %}}")
    _cell(table.cell(3, 0), "{%tr endfor %}")
    # The header repeats on every page of a long table.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    tr_pr.append(header)
    _set_widths(table, widths)
    return table


def _set_widths(table, widths: list[float]) -> None:
    """Fixed column widths: LibreOffice reads the table grid, Word the cell widths; set both."""
    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        col.w = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = Cm(width)


def _cell(cell, text: str, *, bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.line_spacing = 1.0
    if bold:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(TABLE_PT)
    set_run_fonts(run, TITLE_FONT if bold else TABLE_FONT)


def notice_template() -> Document:
    """整改通知单: one agency, one year, its findings that still count, a reply date."""
    doc = _new_document()
    _para(doc, "政府信息公开工作年度报告整改通知单", style="Title")
    _para(doc, "{{ agency }}：", indent=False)
    _para(
        doc,
        "经审核，你单位发布的{{ year }}年政府信息公开工作年度报告（{{ reports_text }}）存在以下"
        "{{ count }}项需要整改的问题（{{ severity_text }}）。请逐项核实，在报告中更正后重新发布，"
        "并于{{ reply_by }}前将整改情况书面回复{{ office }}。",
        indent=True,
    )
    _para(
        doc,
        "报告中已作说明的问题，请在回复中注明说明所在位置，经核实后不再计入。",
        indent=True,
    )
    _table(
        doc,
        ["序号", "问题类别", "程度", "问题说明", "具体情况与依据"],
        ["{{ f.n }}", "{{ f.code_name }}", "{{ f.severity }}", "{{ f.message }}", "{{ f.evidence }}"],
        loop="for f in findings",
        widths=[1.2, 2.8, 2.2, 4.8, 4.6],
    )
    _para(doc, "")
    _para(doc, "{{ office }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "{{ issued }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "")
    _para(doc, "（本通知单由公开年报看板根据审核意见生成，审核意见编号见“问题类别”栏。）")
    return doc


def briefing_template() -> Document:
    """通报: figures, sentences written from them, completeness, ranking, charts, findings."""
    doc = _new_document()
    _para(doc, "{{ title }}", style="Title")
    _para(doc, "{{ office }}　　{{ issued }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "统计范围：{{ scope }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "一、总体情况", style="Heading 1")
    _para(doc, "{%p for s in sentences %}")
    _para(doc, "{{ s }}", indent=True)
    _para(doc, "{%p endfor %}")
    _table(
        doc,
        ["指标", "{{ year }}年", "{{ previous_label }}", "变化"],
        ["{{ k.label }}", "{{ k.value }}", "{{ k.previous }}", "{{ k.change }}"],
        loop="for k in figures",
        widths=[5.4, 2.9, 2.9, 4.4],
    )
    _para(doc, "{{ figures_note }}")
    _para(doc, "二、报告发布情况", style="Heading 1")
    _para(doc, "{{ completeness_text }}", indent=True)
    _para(doc, "{%p if completeness %}")
    _table(
        doc,
        ["项目", "单位数", "占比"],
        ["{{ c.label }}", "{{ c.value }}", "{{ c.share }}"],
        loop="for c in completeness",
        widths=[6.0, 3.5, 3.5],
    )
    _para(doc, "{%p endif %}")
    _para(doc, "三、排名情况", style="Heading 1")
    _para(doc, "{{ ranking_text }}", indent=True)
    _para(doc, "{{p ranking }}")
    _para(doc, "四、审核发现的问题", style="Heading 1")
    _para(doc, "{{ findings_text }}", indent=True)
    _para(doc, "{%p if finding_rows %}")
    _table(
        doc,
        ["问题类别", "项数", "涉及单位"],
        ["{{ r.name }}", "{{ r.count }}", "{{ r.agencies }}"],
        loop="for r in finding_rows",
        widths=[7.0, 2.5, 3.5],
    )
    _para(doc, "{%p endif %}")
    _para(doc, "五、主要图表", style="Heading 1")
    _para(doc, "{{ charts_text }}", indent=True)
    _para(doc, "{%p for c in charts %}")
    _para(doc, "{{ c.image }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "图{{ c.n }}　{{ c.title }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{%p endfor %}")
    return doc


def main() -> None:
    """Write both templates into library/documents/templates/."""
    TEMPLATE_DIR.mkdir(parents=True, exist_ok=True)
    for name, build in (("notice.docx", notice_template), ("briefing.docx", briefing_template)):
        build().save(TEMPLATE_DIR / name)
        print(TEMPLATE_DIR / name)


if __name__ == "__main__":
    main()

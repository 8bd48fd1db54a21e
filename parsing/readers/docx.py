"""DOCX reader (python-docx): paragraphs and tables in body order, merged cells de-duplicated.

python-docx's ``row.cells`` repeats a merged cell in every slot it covers, so the grid is built
from the XML instead: ``w:gridSpan`` covers slots to the right and ``w:vMerge="continue"`` covers
the slot below its origin. Covered slots become None and are not emitted. A table whose cells
hold tables is page layout (a web page pasted into Word): its cells are read as containers.

A web page saved as Word by LibreOffice keeps the page's chrome where Word keeps page furniture:
a floated or positioned block (the "发布时间：2023-01-20 来源：…" line) becomes a text box, a
``<div title="header">`` the page header. Page headers are read first, then the body; a text box is
read once (Word stores it twice: the DrawingML box and a VML fallback) as lines of its own, before
the paragraph it is anchored to.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

from docx.oxml.ns import qn

from parsing.document import Document, SourceCell
from parsing.errors import ReadError
from parsing.limits import get_limits, limit_error
from parsing.readers.grid import GridCell, clean_cell_text, grid_rows, grid_text, prose_row

_W_P = qn("w:p")
_W_TBL = qn("w:tbl")
_W_TR = qn("w:tr")
_W_TC = qn("w:tc")
_W_SDT = qn("w:sdt")
_W_SDT_CONTENT = qn("w:sdtContent")
_W_T = qn("w:t")
_W_TAB = qn("w:tab")
_W_BR = qn("w:br")
_W_CR = qn("w:cr")
_W_DEL = qn("w:del")
_W_VAL = qn("w:val")
_W_ALT_CHUNK = qn("w:altChunk")
_R_ID = qn("r:id")
_W_TXBX = qn("w:txbxContent")
_W_SECT_PR = qn("w:sectPr")
_W_HEADER_REF = qn("w:headerReference")
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SKIPPED_IN_PARA = (_W_DEL, _W_TXBX, _MC_FALLBACK)  # deletions; text boxes are read on their own


def read(data: bytes, filename: str = "") -> Document:
    """Read a .docx file into a Document."""
    document = _open(data)
    body = document.element.body
    rows: list[list[SourceCell]] = []
    lines: list[str] = []
    warnings: list[str] = []
    tables = [0]

    def visit(container) -> None:
        for child in container.iterchildren():
            if child.tag == _W_P:
                for box in _text_boxes(child):
                    visit(box)
                text = clean_cell_text(_para_text(child))
                for line in text.split("\n"):
                    if line.strip():
                        rows.append(prose_row(line.strip(), "docx"))
                        lines.append(line.strip())
            elif child.tag == _W_TBL and _is_layout_table(child):
                # A table that holds tables (a report pasted from a web page into Word keeps the
                # page's layout table): its cells are containers of paragraphs and real tables.
                for tr in child.iterchildren(_W_TR):
                    for tc in _row_cells(tr):
                        visit(tc)
            elif child.tag == _W_TBL:
                grid = build_grid(child)
                index = tables[0]
                tables[0] += 1
                rows.extend(grid_rows(grid, "docx", index))
                lines.append(grid_text(grid))
            elif child.tag == _W_SDT:
                content = child.find(_W_SDT_CONTENT)
                if content is not None:
                    visit(content)
            elif child.tag == _W_ALT_CHUNK:
                _alt_chunk(document, child, rows, lines, warnings, tables)

    for header in _headers(document):
        visit(header)
    visit(body)
    if not rows:
        raise ReadError("no_content", "Word 文件中没有文字内容", "the Word file has no text")
    return Document(format="docx", rows=rows, text="\n".join(lines), warnings=warnings)


def _alt_chunk(document, element, rows, lines, warnings, tables) -> None:
    """An embedded HTML/MHT part (w:altChunk): web publishing systems export reports this way."""
    from parsing.readers import html

    part = document.part.related_parts.get(element.get(_R_ID))
    if part is None:
        return
    blob = part.blob
    if "html" not in part.content_type and "mhtml" not in part.content_type and b"<" not in blob[:2048]:
        warnings.append(f"Word 文件中有无法读取的嵌入内容（{part.content_type}）")
        return
    try:
        embedded = html.read(blob, str(part.partname))
    except ReadError:
        return
    offset = tables[0]
    for row in embedded.rows:
        rows.append(
            [
                SourceCell(
                    c.text,
                    replace(
                        c.source,
                        kind="docx",
                        table=None if c.source.table is None else c.source.table + offset,
                    ),
                )
                for c in row
            ]
        )
    tables[0] += len({c.source.table for row in embedded.rows for c in row if c.source.table is not None})
    lines.append(embedded.text)


def _open(data: bytes):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        # An encrypted .docx is an OLE2 container, not a ZIP.
        raise ReadError(
            "encrypted", "Word 文件已加密（设置了打开密码），无法读取", "the Word file is password-protected"
        )
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReadError("corrupt", "Word 文件已损坏，无法打开", f"corrupt DOCX file: {exc}") from exc
    except Exception as exc:  # lxml XMLSyntaxError and friends from a damaged document.xml
        raise ReadError("corrupt", "Word 文件已损坏，无法打开", f"corrupt DOCX file: {exc}") from exc
    return document


def _headers(document) -> list:
    """The page header parts (w:hdr elements) the sections refer to, each once, in order."""
    out: list = []
    seen: set[str] = set()
    for sect in document.element.body.iter(_W_SECT_PR):
        for ref in sect.iterchildren(_W_HEADER_REF):
            part = document.part.related_parts.get(ref.get(_R_ID))
            if part is None or str(part.partname) in seen or not hasattr(part, "element"):
                continue
            seen.add(str(part.partname))
            out.append(part.element)
    return out


def _text_boxes(p) -> list:
    """The text boxes anchored in a paragraph (w:txbxContent), without the VML fallback copies and
    without boxes nested in another box (visiting the outer box reaches those)."""
    return [box for box in p.iter(_W_TXBX) if not _under(box, p, (_W_TXBX, _MC_FALLBACK))]


def _under(el, stop, tags: tuple[str, ...]) -> bool:
    """Whether an ancestor of ``el`` below ``stop`` has one of ``tags``."""
    for anc in el.iterancestors():
        if anc is stop:
            return False
        if anc.tag in tags:
            return True
    return False


def _para_text(p) -> str:
    """Text of a paragraph: runs, hyperlinks, fields and insertions; deletions and text boxes left out."""
    parts: list[str] = []
    for el in p.iter(_W_T, _W_TAB, _W_BR, _W_CR):
        if _under(el, p, _SKIPPED_IN_PARA):
            continue
        if el.tag == _W_T:
            parts.append(el.text or "")
        elif el.tag == _W_TAB:
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc) -> str:
    """Text of a table cell: its paragraphs joined by line breaks (nested tables included)."""
    paras = [_para_text(p) for p in tc.iter(_W_P) if not _under(p, tc, (_MC_FALLBACK,))]
    return clean_cell_text("\n".join(paras))


def _is_layout_table(tbl) -> bool:
    """Whether a table nests other tables in its cells (page layout rather than data)."""
    return any(True for tc in tbl.iter(_W_TC) for _ in tc.iterchildren(_W_TBL))


def _int_prop(el, path: tuple[str, ...], default: int) -> int:
    node = el
    for tag in path:
        node = node.find(qn(tag)) if node is not None else None
    if node is None:
        return default
    try:
        return max(int(str(node.get(_W_VAL, default))[:12]), 0)  # never convert a 5,000-digit attribute
    except ValueError:
        return default


def _vmerge(tc) -> str | None:
    """'restart', 'continue' or None (a bare <w:vMerge/> means continue)."""
    tcpr = tc.find(qn("w:tcPr"))
    node = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
    if node is None:
        return None
    return node.get(_W_VAL) or "continue"


def _hmerge_continue(tc) -> bool:
    tcpr = tc.find(qn("w:tcPr"))
    node = tcpr.find(qn("w:hMerge")) if tcpr is not None else None
    return node is not None and (node.get(_W_VAL) or "continue") == "continue"


def build_grid(tbl) -> list[list[GridCell | None]]:
    """The table as a grid: origin cells with their text, covered slots None."""
    limits = get_limits()
    grid: list[list[GridCell | None]] = []
    slots = 0
    for tr in tbl.iterchildren(_W_TR):
        # Spans are clamped before expansion: a gridSpan of 2,000,000,000 is one wide cell, not 2e9 slots.
        line: list[GridCell | None] = [None] * min(
            _int_prop(tr, ("w:trPr", "w:gridBefore"), 0), limits.max_span
        )
        for tc in _row_cells(tr):
            span = min(max(_int_prop(tc, ("w:tcPr", "w:gridSpan"), 1), 1), limits.max_span)
            if _vmerge(tc) == "continue" or _hmerge_continue(tc):
                line.extend([None] * span)
                continue
            line.append(GridCell(_cell_text(tc)))
            line.extend([None] * (span - 1))
        grid.append(line)
        slots += len(line)
        if slots > limits.max_grid_slots:
            raise limit_error("too_complex", "max_grid_slots", limits, f"超过 {len(grid):,} 行")
    width = max((len(r) for r in grid), default=0)
    if len(grid) * width > limits.max_grid_slots:
        raise limit_error("too_complex", "max_grid_slots", limits, f"{len(grid):,} 行 × {width:,} 列")
    for line in grid:
        line.extend([None] * (width - len(line)))
    return grid


def _row_cells(tr):
    """The w:tc of a row, including those wrapped in content controls (w:sdt)."""
    for child in tr.iterchildren():
        if child.tag == _W_TC:
            yield child
        elif child.tag == _W_SDT:
            content = child.find(_W_SDT_CONTENT)
            if content is not None:
                yield from content.iterchildren(_W_TC)

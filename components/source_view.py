"""Where a clicked value sits in the original document (thin Streamlit layer over library.source_view).

PDF and scans: the page image with the cell's box in red, plus a zoomed strip of its row. Web pages,
Word and Excel: the table row the value came from, the cell highlighted, and the whole table on
demand. Text files (and paragraphs of web pages): the lines around the value. Rendering is cached per
report and cell, so clicking back and forth costs nothing after the first time.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from components.state import get_library
from library.source_view import (
    PageImage,
    TableView,
    cell_matches,
    has_box,
    has_table_position,
    page_image,
    read_tables,
    source_dict,
)
from library.stored_report import StoredReport

CONTEXT_LINES = 12  # lines of source text shown above and below the selected cell
CELL_STYLE = "background-color: #fecaca; color: #7f1d1d; font-weight: 700"
ROW_STYLE = "background-color: #fef3c7"
HEADING_CHARS = 10  # a column title longer than this is shortened (the corner note of table 三 is long)


def position_text(source: Any) -> str:
    """Where a cell sits, in words: "第 4 页", "表格 2 · 第 6 行 · 第 4 列", "第 12 行" or ""."""
    src = source_dict(source)
    if src.get("page") is not None:
        return f"第 {src['page']} 页"
    if has_table_position(src):
        return f"表格 {src['table'] + 1} · 第 {src['row'] + 1} 行 · 第 {src['col'] + 1} 列"
    if src.get("line") is not None:
        return f"第 {src['line']} 行"
    return ""


def _hashable(source: dict[str, Any]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in source.items()))


@st.cache_data(show_spinner="正在生成原件页面图像…", max_entries=32)
def _page_image(report_id: int, sha256: str, fmt: str, source: tuple) -> PageImage | None:
    """The rendered page (the sha256 is part of the cache key: a replaced original is redrawn)."""
    found = get_library().original_bytes(report_id)
    if found is None:
        return None
    try:
        return page_image(found[1], dict(source), fmt)
    except Exception:  # noqa: BLE001 - a page pdfium or PIL cannot draw must not break the page
        return None


@st.cache_data(show_spinner="正在读取原件中的表格…", max_entries=16)
def _tables(report_id: int, sha256: str) -> dict[int, TableView]:
    found = get_library().original_bytes(report_id)
    return {} if found is None else read_tables(found[1], found[0])


def _show_page(report: StoredReport, src: dict[str, Any]) -> bool:
    shown = _page_image(report.id, report.sha256, report.format, _hashable(src))
    if shown is None:
        st.warning("无法生成原件页面图像，请下载原件查看。")
        return False
    what = "（所选单元格以红框标出）" if shown.box_px else ""
    st.markdown(f"**原件第 {src['page']} 页**{what}")
    if src.get("confidence") is not None:
        st.caption(f"该数值由 OCR 识别，置信度 {float(src['confidence']):.0%}，请对照图像核对。")
    if shown.note:
        st.caption(shown.note)
    if shown.band_png:
        st.image(shown.band_png, caption="所在行（放大）", width="stretch")
    st.image(shown.png, caption=f"第 {src['page']} 页", width="stretch")
    return True


def _styled(frame: pd.DataFrame, row_label: str, col: int, whole: bool):
    def style(data: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame("", index=data.index, columns=data.columns)
        if whole:
            out.loc[row_label, :] = ROW_STYLE
        out.loc[row_label, data.columns[col]] = CELL_STYLE
        return out

    return frame.style.apply(style, axis=None)


def _column_names(headings: list[str]) -> list[str]:
    """Column titles: the number, then the heading above (shortened), so every title is unique."""
    out = []
    for c, heading in enumerate(headings):
        short = heading if len(heading) <= HEADING_CHARS else heading[: HEADING_CHARS - 1] + "…"
        out.append(f"{c + 1}｜{short}" if short else f"第 {c + 1} 列")
    return out


def _table_frame(view: TableView, rows: list[int], headings: list[str] | None = None) -> pd.DataFrame:
    columns = _column_names(headings or [""] * view.width)
    data = [[text.replace("\n", "") for text in view.row_texts(r)] for r in rows]
    return pd.DataFrame(data, index=[f"第 {r + 1} 行" for r in rows], columns=columns)


def _show_table_row(report: StoredReport, src: dict[str, Any], raw: str | None) -> bool:
    table, row, col = int(src["table"]), int(src["row"]), int(src["col"])
    view = _tables(report.id, report.sha256).get(table)
    if view is None or row not in view.rows or col >= view.width:
        st.info("原件中没有找到这一行（原件可能无法再次读取），请查看下方全文。")
        return False
    st.markdown(f"**原件表格 {table + 1} · 第 {row + 1} 行**（所选单元格在第 {col + 1} 列，红色标出）")
    if not cell_matches(view.rows[row].get(col, ""), raw):
        st.warning("原件中该位置的文字与解析时不一致，标出的单元格可能不准确。")
    label = f"第 {row + 1} 行"
    headings = view.header_for(row)
    st.dataframe(
        _styled(_table_frame(view, [row], headings), label, col, whole=False), key=f"source_row_{report.id}"
    )
    with st.expander("整张表格"):
        st.dataframe(
            _styled(_table_frame(view, sorted(view.rows)), label, col, whole=True),
            key=f"source_table_{report.id}",
        )
    return True


def _show_lines(report: StoredReport, line: int) -> bool:
    lines = (report.text or "").splitlines()
    if not lines or not 1 <= line <= len(lines):
        return False
    start, end = max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES)
    st.markdown(f"**原文第 {start}–{end} 行**（所选单元格在第 {line} 行，以 ▶ 标出）")
    excerpt = "\n".join(
        ("▶ " if i == line else "  ") + f"{i:>4} {lines[i - 1]}" for i in range(start, end + 1)
    )
    # Report text is shown as code (plain text), never rendered as Markdown or HTML.
    st.code(excerpt, language=None, wrap_lines=True)
    return True


def show_source(report: StoredReport, cell: pd.Series | None) -> None:
    """The source of ``cell`` (a row of ``report.cells``) next to its value, then the full text."""
    shown = False
    if cell is None:
        st.markdown("**报告原文**（点选左侧一行，即可在此查看该数值在原件中的位置）")
    else:
        src = source_dict(cell.get("source"))
        raw = cell.get("raw")
        if has_box(src):
            shown = _show_page(report, src)
        elif has_table_position(src):
            shown = _show_table_row(report, src, None if pd.isna(raw) else str(raw))
        if not shown and src.get("line") is not None:
            shown = _show_lines(report, int(src["line"]))
        if not shown and not src:
            st.info("该数值没有记录在原件中的位置，请在下方全文中查找。")
    with st.expander("全文", expanded=cell is None):
        st.code(report.text or "（无文本）", language=None, line_numbers=True, wrap_lines=True, height=520)

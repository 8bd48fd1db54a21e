"""Render each seed report as an official-format document in HTML, GBK HTML, DOCX and PDF.

    .venv/bin/python scripts/render_seeds.py        # writes sample_reports/rendered/

The seeds are pasted web text. To check that every reader hands the interpreter the same cells,
each seed is parsed once and its cells are laid out again in the official 2019/2021 tables:
- ``<stem>.html``: UTF-8, rowspan/colspan exactly like the official template;
- ``<stem>.gbk.html``: ``<meta charset="gb2312">``, encoded GB18030, every number and label split
  across ``<span>``/``<font>`` runs the way Word's "Save as HTML" does;
- ``<stem>.docx``: python-docx with merged cells (gridSpan, vMerge);
- ``<stem>.pdf``: Chromium ``--print-to-pdf`` of the HTML (Noto CJK Type 3 fonts: Kangxi radicals,
  table 三 running over a page break with its header rows repeated);
- ``<stem>.lo.pdf``: LibreOffice's PDF of the DOCX.
Each cell is written as the report wrote it (its ``raw`` text); a row the report does not have is
left out, so nothing is invented. Prose sections (一, 五, 六 and the title) are copied verbatim.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app_server import CHROMIUM  # noqa: E402, F401 - tests import CHROMIUM from here too
from app_server import CHROMIUM_FLAGS as BROWSER_FLAGS  # noqa: E402

from parsing.api import parse_path  # noqa: E402
from parsing.report import ParsedReport  # noqa: E402
from parsing.schema import (  # noqa: E402
    S3_APPLICANT_GROUP,
    S3_COLUMNS,
    S3_CORNER_NOTE,
    S3_ORG_GROUP,
    S4_OUTCOMES,
    SECTION2,
    SECTION_HEADINGS,
    s3_rows,
)

SAMPLES = ROOT / "sample_reports"
OUT = SAMPLES / "rendered"
# Chromium as the app's browser tests start it, printing without its own page header and footer.
CHROMIUM_FLAGS = [*BROWSER_FLAGS, "--no-pdf-header-footer"]


# --------------------------------------------------------------------------- table model


@dataclass
class TCell:
    """One cell of a rendered table: origin slot, spans, text, and whether it is a header."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


@dataclass
class Table:
    cells: list[TCell]
    rows: int
    cols: int
    header_rows: int = 0


def _raw(report: ParsedReport, key: str) -> str | None:
    cell = report.cells.get(key)
    return None if cell is None else cell.raw


def section2_table(report: ParsedReport) -> Table | None:
    """The 第二十条 blocks of the report's own template, 4 columns like the official form."""
    version = report.table_versions.get("s2")
    if version not in SECTION2:
        return None
    cells: list[TCell] = []
    r = 0
    for block in SECTION2[version]:
        rows = [
            (row_key, label)
            for row_key, label in block.rows
            if any(_raw(report, f"s2.{block.key}.{row_key}.{c.key}") is not None for c in block.cols)
        ]
        if not rows:
            continue
        cells.append(TCell(r, 0, block.caption, colspan=4, header=True))
        r += 1
        cells.append(TCell(r, 0, "信息内容", header=True))
        spans = _col_spans(len(block.cols))
        col = 1
        for c, span in zip(block.cols, spans, strict=True):
            cells.append(TCell(r, col, c.label, colspan=span, header=True))
            col += span
        r += 1
        for row_key, label in rows:
            cells.append(TCell(r, 0, label))
            col = 1
            for c, span in zip(block.cols, spans, strict=True):
                cells.append(
                    TCell(r, col, _raw(report, f"s2.{block.key}.{row_key}.{c.key}") or "", colspan=span)
                )
                col += span
            r += 1
    return Table(cells, r, 4) if cells else None


def _col_spans(n: int) -> list[int]:
    """Three data columns; a block with fewer lets its last column span the rest."""
    return [1] * (n - 1) + [3 - (n - 1)]


def section3_table(report: ParsedReport) -> Table | None:
    """The official table 三: 3 header rows, 3 label columns with row-spanning group labels."""
    version = report.table_versions.get("s3")
    if version is None:
        return None
    rows = [
        row
        for row in s3_rows(version)
        if any(_raw(report, f"s3.{row.key}.{c}") is not None for c, _ in S3_COLUMNS)
    ]
    if not rows:
        return None
    cells = [
        TCell(0, 0, S3_CORNER_NOTE, rowspan=3, colspan=3, header=True),
        TCell(0, 3, S3_APPLICANT_GROUP, colspan=7, header=True),
        TCell(1, 3, S3_COLUMNS[0][1], rowspan=2, header=True),
        TCell(1, 4, S3_ORG_GROUP, colspan=5, header=True),
        TCell(1, 9, S3_COLUMNS[6][1], rowspan=2, header=True),
    ]
    cells += [TCell(2, 4 + i, label, header=True) for i, (_, label) in enumerate(S3_COLUMNS[1:6])]
    # Label path of each data row: (level-1 group, level-2 group, own label).
    paths = []
    for row in rows:
        if row.group is None:
            paths.append((row.label, None, None))
        elif row.group.startswith("三、"):
            paths.append(("三、本年度办理结果", row.label, None))
        else:
            paths.append(("三、本年度办理结果", row.group, row.label))
    first = 3
    for i, (row, path) in enumerate(zip(rows, paths, strict=True)):
        r = first + i
        level1, level2, level3 = path
        if level2 is None:
            cells.append(TCell(r, 0, level1, colspan=3))
        else:
            if i == 0 or paths[i - 1][0] != level1:
                cells.append(TCell(r, 0, level1, rowspan=_run(paths, i, 0)))
            if level3 is None:
                cells.append(TCell(r, 1, level2, colspan=2))
            else:
                if i == 0 or paths[i - 1][1] != level2:
                    cells.append(TCell(r, 1, level2, rowspan=_run(paths, i, 1)))
                cells.append(TCell(r, 2, level3))
        for j, (col_key, _) in enumerate(S3_COLUMNS):
            cells.append(TCell(r, 3 + j, _raw(report, f"s3.{row.key}.{col_key}") or ""))
    return Table(cells, first + len(rows), 10, header_rows=3)


def _run(paths: list[tuple], start: int, level: int) -> int:
    """How many consecutive rows from ``start`` share the label at ``level``."""
    n = 0
    for p in paths[start:]:
        if p[level] != paths[start][level] or (level == 1 and p[0] != paths[start][0]):
            break
        n += 1
    return n


def section4_table(report: ParsedReport) -> Table | None:
    """The official table 四: 15 columns under a 3-row header."""
    keys = [f"s4.{g}_{o}" for g in ("review", "lit_direct", "lit_after_review") for o, _ in S4_OUTCOMES]
    raws = [_raw(report, k) for k in keys]
    if all(v is None for v in raws):
        return None
    cells = [
        TCell(0, 0, "行政复议", colspan=5, header=True),
        TCell(0, 5, "行政诉讼", colspan=10, header=True),
        TCell(1, 5, "未经复议直接起诉", colspan=5, header=True),
        TCell(1, 10, "复议后起诉", colspan=5, header=True),
    ]
    cells += [TCell(1, i, label, rowspan=2, header=True) for i, (_, label) in enumerate(S4_OUTCOMES)]
    cells += [TCell(2, 5 + i, label, header=True) for i, (_, label) in enumerate(S4_OUTCOMES * 2)]
    cells += [TCell(3, i, v or "") for i, v in enumerate(raws)]
    return Table(cells, 4, 15, header_rows=3)


# --------------------------------------------------------------------------- report structure


_HEADING_TESTS = (
    ("s1", "一、", ("总体",)),
    ("s2", "二、", ("主动公开",)),
    ("s3", "三、", ("申请",)),
    ("s4", "四、", ("复议", "诉讼")),
    ("s5", "五、", ("问题",)),
    ("s6", "六、", ("其他",)),
)


def split_sections(text: str) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """The seed's lines before the first heading (title), the lines of each section 一..六, and all
    lines from the first heading on."""
    lines = [ln.strip() for ln in text.splitlines()]
    marks: list[tuple[int, str]] = []
    start = 0
    for key, prefix, words in _HEADING_TESTS:
        for i in range(start, len(lines)):
            ln = lines[i]
            if ln.startswith(prefix) and any(w in ln for w in words) and "结转" not in ln and len(ln) < 40:
                marks.append((i, key))
                start = i + 1
                break
    start = marks[0][0] if marks else len(lines)
    sections: dict[str, list[str]] = {}
    for n, (i, key) in enumerate(marks):
        end = marks[n + 1][0] if n + 1 < len(marks) else len(lines)
        sections[key] = lines[i:end]
    return [ln for ln in lines[:start] if ln], sections, lines[start:]


def _prose(lines: list[str]) -> list[str]:
    """Prose lines of a seed section: markdown table dumps ("| a | b |", "---") left out."""
    out = []
    for ln in lines:
        if not ln or ln.startswith("|") or set(ln) <= set("-|\t :"):
            continue
        out.append(ln)
    return out


@dataclass
class Rendered:
    title: list[str]
    blocks: list[tuple[str, object]]  # ("h", text) | ("p", text) | ("table", Table)


def build(report: ParsedReport, text: str) -> Rendered:
    """The document to render: title, headings, prose and the official tables."""
    title, sections, body = split_sections(text)
    blocks: list[tuple[str, object]] = []
    tables = {"s2": section2_table(report), "s3": section3_table(report), "s4": section4_table(report)}
    if not any(tables.values()):
        # A report with no tables (prose only): render its text as it is.
        blocks.extend(("p", ln) for ln in _prose(body))
        return Rendered(title, blocks)
    for key in ("s1", "s2", "s3", "s4", "s5", "s6"):
        lines = sections.get(key)
        table = tables.get(key)
        if lines is None and table is None:
            continue
        heading = lines[0] if lines else SECTION_HEADINGS[key]
        blocks.append(("h", heading))
        if table is not None:
            blocks.append(("table", table))
        elif lines:
            blocks.extend(("p", ln) for ln in _prose(lines[1:]))
    return Rendered(title, blocks)


# --------------------------------------------------------------------------- HTML


_CSS = """
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 14px; margin: 24px; }
h1 { font-size: 20px; text-align: center; }
h2 { font-size: 16px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
td, th { border: 1px solid #000; padding: 4px 6px; font-size: 12px; font-weight: normal; text-align: center; }
td.label { text-align: left; }
p { text-indent: 2em; line-height: 1.6; }
"""


def _split_runs(text: str, tag: str = "span") -> str:
    """Split a text into two or three editor runs (``<span>31</span><span>19</span>``)."""
    if len(text) < 2:
        return f"<{tag}>{html.escape(text)}</{tag}>"
    cut = max(1, len(text) // 2)
    a, b = text[:cut], text[cut:]
    if tag == "span":
        return (
            f'<span lang="EN-US">{html.escape(a)}</span>'
            f'<span style="font-family:宋体">{html.escape(b)}</span>'
        )
    return f'<font face="宋体">{html.escape(a)}</font><font>{html.escape(b)}</font>'


def table_html(table: Table, split: bool) -> str:
    by_row: dict[int, list[TCell]] = {}
    for c in table.cells:
        by_row.setdefault(c.row, []).append(c)
    out = ['<table border="1" cellspacing="0" cellpadding="0">']
    if table.header_rows:
        out.append("<thead>")
    for r in range(table.rows):
        if table.header_rows and r == table.header_rows:
            out.append("</thead><tbody>")
        out.append("<tr>")
        for c in sorted(by_row.get(r, []), key=lambda c: c.col):
            attrs = ""
            if c.rowspan > 1:
                attrs += f' rowspan="{c.rowspan}"'
            if c.colspan > 1:
                attrs += f' colspan="{c.colspan}"'
            numeric = bool(re.fullmatch(r"[\d.\-+]+", c.text))
            if not numeric and c.col < 3 and not c.header:
                attrs += ' class="label"'
            if split:
                body = _split_runs(c.text, "span" if numeric else "font")
            else:
                body = html.escape(c.text)
            out.append(f"<td{attrs}>{body}</td>")
        out.append("</tr>")
    if table.header_rows:
        out.append("</tbody>")
    out.append("</table>")
    return "\n".join(out)


def to_html(doc: Rendered, gbk: bool) -> bytes:
    charset = "gb2312" if gbk else "utf-8"
    parts = [
        "<!DOCTYPE html>",
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        f"<title>{html.escape(''.join(doc.title[:1]))}</title>",
        f"<style>{_CSS}</style>",
        "<script>window.analytics = {page: 1};</script>",
        "</head><body>",
    ]
    parts += [f"<h1>{html.escape(t)}</h1>" for t in doc.title[:2]]
    parts += [f"<p>{html.escape(t)}</p>" for t in doc.title[2:]]
    for kind, value in doc.blocks:
        if kind == "h":
            parts.append(f"<h2>{html.escape(value)}</h2>")
        elif kind == "p":
            parts.append(f"<p>{html.escape(value)}</p>")
        else:
            parts.append(table_html(value, split=gbk))
    parts.append("</body></html>")
    page = "\n".join(parts)
    # Declared gb2312, encoded GB18030: what government sites do (GBK-only characters included).
    return page.encode("gb18030") if gbk else page.encode("utf-8")


# --------------------------------------------------------------------------- DOCX


def to_docx(doc: Rendered, path: Path | BinaryIO) -> None:
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = docx.Document()
    style = d.styles["Normal"]
    style.font.size = Pt(10.5)
    style.font.name = "宋体"  # creates w:rFonts, then the East Asian font is set on it
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    for t in doc.title[:2]:
        d.add_heading(t, level=1)
    for t in doc.title[2:]:
        d.add_paragraph(t)
    for kind, value in doc.blocks:
        if kind == "h":
            d.add_heading(value, level=2)
        elif kind == "p":
            d.add_paragraph(value)
        else:
            table: Table = value
            t = d.add_table(rows=table.rows, cols=table.cols)
            t.style = "Table Grid"
            for c in table.cells:
                cell = t.cell(c.row, c.col)
                if c.rowspan > 1 or c.colspan > 1:
                    cell = cell.merge(t.cell(c.row + c.rowspan - 1, c.col + c.colspan - 1))
                cell.text = c.text
    d.save(path)


# --------------------------------------------------------------------------- PDF


def chromium_pdf(html_path: Path, pdf_path: Path, profile: Path | None = None, check: bool = True) -> None:
    """Print an HTML file to PDF with headless Chromium (also used by the PDF tests)."""
    extra = [f"--user-data-dir={profile}"] if profile is not None else []
    subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, *extra, f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()],
        check=check,
        capture_output=True,
        timeout=120,
    )


def libreoffice_pdf(docx_path: Path, pdf_path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(docx_path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.move(Path(tmp) / (docx_path.stem + ".pdf"), pdf_path)


def render(seed: Path) -> list[Path]:
    (report,) = parse_path(seed)
    doc = build(report, seed.read_text(encoding="utf-8"))
    stem = seed.stem
    html_path = OUT / f"{stem}.html"
    html_path.write_bytes(to_html(doc, gbk=False))
    gbk_path = OUT / f"{stem}.gbk.html"
    gbk_path.write_bytes(to_html(doc, gbk=True))
    docx_path = OUT / f"{stem}.docx"
    to_docx(doc, docx_path)
    pdf_path = OUT / f"{stem}.pdf"
    chromium_pdf(html_path, pdf_path)
    lo_path = OUT / f"{stem}.lo.pdf"
    libreoffice_pdf(docx_path, lo_path)
    return [html_path, gbk_path, docx_path, pdf_path, lo_path]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SAMPLES.glob("*.txt")):
        for path in render(seed):
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()

"""The roll-up (县级汇总表) in the official table layout: one grid per table, and the Excel workbook.

:func:`grid` lays out table 二, 三 or 四 exactly as the official template does (merged caption and header
cells, the standard row and column labels); the Excel workbook here and the Word document
(:mod:`library.documents.rollup_doc`) both draw these grids, so the two downloads cannot differ.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from library.rollup import EXCLUDE_REASONS, RollCell, RollUp, format_number
from parsing.schema import (
    S3_APPLICANT_GROUP,
    S3_COLUMNS,
    S3_CORNER_NOTE,
    S3_GROUPS,
    S3_ORG_GROUP,
    S4_GROUPS,
    S4_OUTCOMES,
    SECTION2,
    s3_rows,
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_TITLES = {
    "s2": "二、主动公开政府信息情况",
    "s3": "三、收到和处理政府信息公开申请情况",
    "s4": "四、政府信息公开行政复议、行政诉讼情况",
}
RESULTS_GROUP = S3_GROUPS["g3_results"]  # 三、本年度办理结果: spans every outcome row
SHEET_NAMES = {"s2": "二、主动公开", "s3": "三、依申请公开", "s4": "四、复议诉讼"}
INCOMPLETE_NOTE = (
    "≥ 表示不完整的汇总数（下限）：有单位空白的总计、无法识别的数值或格式无法对应，原因逐格列出。"
)


@dataclass
class Grid:
    """A table as rows of cells; ``merges`` are (first row, first col, last row, last col), 0-based.

    A cell is text (a label), a :class:`RollCell` (a figure) or None (covered by a merge)."""

    width: int
    rows: list[list[str | RollCell | None]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    header_rows: set[int] = field(default_factory=set)  # caption and header rows (bold, centred)

    def add(self, cells: Sequence[str | RollCell | None], *, header: bool = False) -> int:
        if len(cells) != self.width:
            raise ValueError(f"row of {len(cells)} cells in a grid of {self.width}")
        self.rows.append(list(cells))
        if header:
            self.header_rows.add(len(self.rows) - 1)
        return len(self.rows) - 1

    def merge(self, r0: int, c0: int, r1: int, c1: int) -> None:
        if (r0, c0) != (r1, c1):
            self.merges.append((r0, c0, r1, c1))


def _table2(rollup: RollUp) -> Grid:
    """Table 二: four columns; each 第二十条 block has a caption row, a 信息内容 header row and its data
    rows; a block with fewer than three columns widens its last column over the rest (the template)."""
    g = Grid(4)
    for blk in SECTION2[rollup.version]:
        at = g.add([blk.caption] * 4, header=True)
        g.merge(at, 0, at, 3)
        spans = _spans(len(blk.cols))
        header: list[str | RollCell | None] = ["信息内容"]
        for col, (start, end) in zip(blk.cols, spans, strict=True):
            header += [col.label] + [None] * (end - start)
        at = g.add(header, header=True)
        for start, end in spans:
            g.merge(at, start, at, end)
        for row_key, row_label in blk.rows:
            line: list[str | RollCell | None] = [row_label]
            for col, (start, end) in zip(blk.cols, spans, strict=True):
                line += [rollup.cells[f"s2.{blk.key}.{row_key}.{col.key}"]] + [None] * (end - start)
            at = g.add(line)
            for start, end in spans:
                g.merge(at, start, at, end)
    return g


def _spans(n: int) -> list[tuple[int, int]]:
    """The grid columns (1–3) of a block's ``n`` data columns: the last one takes what is left."""
    return [(1 + i, 1 + i if i < n - 1 else 3) for i in range(n)]


def _table3(rollup: RollUp) -> Grid:
    """Table 三: three label columns and seven data columns, a three-row header with the 勾稽 note in
    the corner, and the row-spanning group labels 三、本年度办理结果, （三）…（六）."""
    g = Grid(10)
    labels = [label for _, label in S3_COLUMNS]
    top = g.add([S3_CORNER_NOTE, None, None, S3_APPLICANT_GROUP] + [None] * 6, header=True)
    mid = g.add([None, None, None, labels[0], S3_ORG_GROUP, None, None, None, None, labels[6]], header=True)
    low = g.add([None, None, None, None, *labels[1:6], None], header=True)
    g.merge(top, 0, low, 2)
    g.merge(top, 3, top, 9)
    g.merge(mid, 3, low, 3)
    g.merge(mid, 4, mid, 8)
    g.merge(mid, 9, low, 9)
    rows = s3_rows(rollup.version)
    group_start: dict[str, int] = {}
    results_start = None
    for i, row in enumerate(rows):
        data: list[str | RollCell | None] = [rollup.cells[f"s3.{row.key}.{c}"] for c, _ in S3_COLUMNS]
        if row.group is None:
            at = g.add([row.label, None, None, *data])
            g.merge(at, 0, at, 2)
            continue
        first_of_results = results_start is None
        if row.group == RESULTS_GROUP:
            at = g.add([RESULTS_GROUP if first_of_results else None, row.label, None, *data])
            g.merge(at, 1, at, 2)
        else:
            first_of_group = row.group not in group_start
            at = g.add(
                [
                    RESULTS_GROUP if first_of_results else None,
                    row.group if first_of_group else None,
                    row.label,
                    *data,
                ]
            )
            if first_of_group:
                group_start[row.group] = at
            last_of_group = i + 1 == len(rows) or rows[i + 1].group != row.group
            if last_of_group:
                g.merge(group_start[row.group], 1, at, 1)
        if first_of_results:
            results_start = at
        last_of_results = i + 1 == len(rows) or rows[i + 1].group is None
        if last_of_results and results_start is not None:
            g.merge(results_start, 0, at, 0)
    return g


def _table4(rollup: RollUp) -> Grid:
    """Table 四: fifteen columns, a three-row header (行政复议 | 行政诉讼: 未经复议直接起诉, 复议后起诉)."""
    g = Grid(15)
    outcomes: list[str | RollCell | None] = [label for _, label in S4_OUTCOMES]
    top = g.add(["行政复议"] + [None] * 4 + ["行政诉讼"] + [None] * 9, header=True)
    mid = g.add(outcomes + ["未经复议直接起诉"] + [None] * 4 + ["复议后起诉"] + [None] * 4, header=True)
    low = g.add([None] * 5 + outcomes + outcomes, header=True)
    g.merge(top, 0, top, 4)
    g.merge(top, 5, top, 14)
    for c in range(5):
        g.merge(mid, c, low, c)
    g.merge(mid, 5, mid, 9)
    g.merge(mid, 10, mid, 14)
    g.add([rollup.cells[f"s4.{grp}_{o}"] for grp, _ in S4_GROUPS for o, _ in S4_OUTCOMES])
    return g


def grid(rollup: RollUp, section: str) -> Grid:
    """Table ``section`` (s2 | s3 | s4) of the roll-up in the official layout of its format."""
    return {"s2": _table2, "s3": _table3, "s4": _table4}[section](rollup)


def title(rollup: RollUp) -> str:
    """``洪泽区2024年度政府信息公开工作年度报告汇总表``."""
    return f"{rollup.region}{rollup.year}年度政府信息公开工作年度报告汇总表"


def summary_lines(rollup: RollUp) -> list[str]:
    """Who was summed, who is missing and what was left out, in Chinese (the notes of both downloads)."""
    lines = [
        f"表格格式：{rollup.version} 年版；计入 {len(rollup.included)} 份报告，"
        f"名录中缺报 {len(rollup.missing)} 个机关，未计入 {len(rollup.excluded)} 份报告。",
        *rollup.notes,
    ]
    if rollup.incomplete_cells:
        lines.append(INCOMPLETE_NOTE)
    return lines


# --------------------------------------------------------------------------- Excel

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(name="宋体", bold=True, size=10)
_PLAIN = Font(name="宋体", size=10)
_TITLE = Font(name="黑体", size=14)
_INCOMPLETE_FILL = PatternFill("solid", fgColor="FFF2CC")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_WIDTHS = {"s2": [22, 18, 18, 18], "s3": [12, 14, 40] + [9] * 7, "s4": [7] * 15}


def _write_grid(ws, g: Grid, first_row: int, section: str) -> int:
    for r, row in enumerate(g.rows):
        for c, value in enumerate(row):
            cell = ws.cell(row=first_row + r, column=c + 1)
            cell.border = _BORDER
            if isinstance(value, RollCell):
                cell.value = value.value  # a number, never text: a lower bound is marked, not changed
                cell.number_format = "0" if float(value.value).is_integer() else "0.00##"
                cell.alignment = _CENTER
                cell.font = _PLAIN
                if not value.complete:
                    cell.fill = _INCOMPLETE_FILL
                    who = "；".join(f"{x.agency}：{x.reason}" for x in value.incomplete)
                    cell.comment = Comment(f"不完整（下限）。{who}"[:2000], "汇总表")
            elif value is not None:
                cell.value = value
                header = r in g.header_rows
                cell.font = _BOLD if header else _PLAIN
                cell.alignment = _CENTER if header or section != "s3" else _LEFT
    if section == "s3":  # rows with long labels: tall enough for the wrapped text (no auto-height)
        per_line = _WIDTHS["s3"][2] // 2
        for r, row in enumerate(g.rows):
            label = row[2] if isinstance(row[2], str) else row[1] if isinstance(row[1], str) else ""
            lines = -(-len(label) // per_line) if r not in g.header_rows else 1
            if lines > 1:
                ws.row_dimensions[first_row + r].height = 14 * lines
    for r0, c0, r1, c1 in g.merges:
        ws.merge_cells(
            start_row=first_row + r0, start_column=c0 + 1, end_row=first_row + r1, end_column=c1 + 1
        )
    return first_row + len(g.rows)


def workbook(rollup: RollUp) -> bytes:
    """The roll-up as an Excel workbook: one sheet per table in the template layout (merged headers,
    numbers as numbers, incomplete sums shaded with a comment), and a sheet 说明 with the reports summed,
    the agencies missing, the reports left out, the blanks and the checks."""
    wb = Workbook()
    for sheet in list(wb.worksheets):  # the default empty sheet
        wb.remove(sheet)
    for section in ("s2", "s3", "s4"):
        ws = wb.create_sheet(SHEET_NAMES[section])
        g = grid(rollup, section)
        ws.cell(row=1, column=1, value=f"{title(rollup)}　{TABLE_TITLES[section]}").font = _TITLE
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=g.width)
        ws.cell(row=1, column=1).alignment = _CENTER
        ws.row_dimensions[1].height = 36
        _write_grid(ws, g, 3, section)
        # Printed on one page wide, like the template (三 and 四 are wide: landscape).
        ws.page_setup.orientation = "portrait" if section == "s2" else "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        for i, width in enumerate(_WIDTHS[section], 1):
            ws.column_dimensions[get_column_letter(i)].width = width
    _notes_sheet(wb.create_sheet("说明"), rollup)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _notes_sheet(ws, rollup: RollUp) -> None:
    rows: list[list[object]] = [[title(rollup)]]
    rows += [[line] for line in summary_lines(rollup)]
    rows.append([])
    rows.append(["计入的报告"])
    rows.append(["单位", "报告编号", "格式", "名录机关", "说明"])
    rows += [[i.agency, i.report_id, i.template, i.entry or "", "；".join(i.notes)] for i in rollup.included]
    rows += [[], ["缺报的名录机关"], ["机关", "机关类型", "层级", "原因"]]
    rows += [[m.name, m.agency_type or "", m.level, m.reason] for m in rollup.missing]
    rows += [[], ["未计入的报告"], ["单位", "报告编号", "原因"]]
    rows += [[e.agency, e.report_id, e.reason] for e in rollup.excluded]
    rows += [[], ["空白单元格"], ["单元格", "单位", "报告编号", "处理"]]
    rows += [[b.label, b.agency, b.report_id, b.reason] for b in rollup.blanks]
    rows += [[], ["不完整的汇总数"], ["单元格", "已知部分之和", "单位及原因"]]
    rows += [
        [c.label, c.value, "；".join(f"{x.agency}：{x.reason}" for x in c.incomplete)]
        for c in rollup.incomplete_cells
    ]
    rows += [[], ["勾稽关系校验"], ["规则", "位置", "结果", "说明", "自身同样不符的单位"]]
    status = {"pass": "通过", "fail": "不符", "skipped": "未校验"}
    rows += [
        [c.rule_zh, c.place_zh, status[c.status], c.detail_zh, "；".join(t.agency for t in c.traced)]
        for c in rollup.checks
    ]
    for row in rows:
        ws.append(row)
    for i, width in enumerate([40, 16, 14, 40, 40], 1):
        ws.column_dimensions[get_column_letter(i)].width = width


def excluded_reason_names() -> dict[str, str]:
    """The codes of excluded reports and their Chinese reasons (for the page's legend)."""
    return dict(EXCLUDE_REASONS)


def cell_text(cell: RollCell) -> str:
    """A figure as printed in the Word tables: ``≥12`` for a lower bound."""
    return ("" if cell.complete else "≥") + format_number(cell.value)


# --------------------------------------------------------------------------- on the page

_HTML_STYLE = (
    "<style>.rollup-table{border-collapse:collapse;font-size:13px;margin:4px 0 12px 0}"
    ".rollup-table td,.rollup-table th{border:1px solid #888;padding:2px 6px;text-align:center}"
    ".rollup-table th{background:#f3f4f6;font-weight:600}.rollup-table td.label{text-align:left}"
    ".rollup-table td.incomplete{background:#fff2cc}</style>"
)


def grid_html(g: Grid) -> str:
    """The grid as an HTML table with the template's rowspan/colspan (incomplete sums shaded, ``≥``)."""
    span: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for r0, c0, r1, c1 in g.merges:
        span[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
        covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - {(r0, c0)}
    lines = [_HTML_STYLE, '<table class="rollup-table">']
    for r, row in enumerate(g.rows):
        cells = []
        for c, value in enumerate(row):
            if (r, c) in covered:
                continue
            rows, cols = span.get((r, c), (1, 1))
            attrs = (f' rowspan="{rows}"' if rows > 1 else "") + (f' colspan="{cols}"' if cols > 1 else "")
            if isinstance(value, RollCell):
                cls = "" if value.complete else ' class="incomplete"'
                tip = "" if value.complete else f' title="{html.escape(_who_incomplete(value))}"'
                cells.append(f"<td{attrs}{cls}{tip}>{html.escape(cell_text(value))}</td>")
            elif r in g.header_rows:
                cells.append(f"<th{attrs}>{html.escape(value or '')}</th>")
            else:
                cells.append(f'<td{attrs} class="label">{html.escape(value or "")}</td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table>")
    return "".join(lines)


def _who_incomplete(cell: RollCell) -> str:
    return "不完整（下限）：" + "；".join(f"{c.agency}：{c.reason}" for c in cell.incomplete)


_STATUS_ZH = {"pass": "通过", "fail": "不符", "skipped": "未校验"}


def frames(rollup: RollUp) -> dict[str, pd.DataFrame]:
    """The lists of the roll-up as tables with Chinese headers (the page and its tests read these)."""
    gov = rollup.government
    return {
        "included": pd.DataFrame(
            [[i.agency, i.report_id, i.template, i.entry or "", "；".join(i.notes)] for i in rollup.included],
            columns=["单位", "报告编号", "格式", "名录机关", "说明"],
        ),
        "missing": pd.DataFrame(
            [[m.name, m.agency_type or "", m.level, m.reason] for m in rollup.missing],
            columns=["机关", "机关类型", "层级", "原因"],
        ),
        "excluded": pd.DataFrame(
            [[e.agency, e.report_id, e.reason] for e in rollup.excluded], columns=["单位", "报告编号", "原因"]
        ),
        "blanks": pd.DataFrame(
            [
                [b.label, b.agency, b.report_id, "按 0 计" if b.summed_as_zero else "汇总数不完整", b.reason]
                for b in rollup.blanks
            ],
            columns=["单元格", "单位", "报告编号", "处理", "说明"],
        ),
        "incomplete": pd.DataFrame(
            [[c.label, c.value, _who_incomplete(c)] for c in rollup.incomplete_cells],
            columns=["单元格", "已知部分之和", "说明"],
        ),
        "checks": pd.DataFrame(
            [
                [
                    c.rule_zh,
                    c.place_zh,
                    _STATUS_ZH[c.status],
                    c.detail_zh,
                    "；".join(f"{t.agency}（{t.detail_zh}）" for t in c.traced),
                ]
                for c in rollup.checks
            ],
            columns=["规则", "位置", "结果", "说明", "自身同样不符的单位"],
        ),
        "previous": _comparison(rollup.previous_year, "本年汇总", f"{rollup.year - 1}年汇总", "增减"),
        "government": _comparison(gov.comparison if gov else (), "汇总", "政府年报", "差额（汇总−年报）"),
    }


def _comparison(rows, mine: str, other: str, diff: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            [
                c.label,
                ("" if c.rollup_complete else "≥") + format_number(c.rollup),
                format_number(c.other) if c.other_complete else "（未知）",
                format_number(c.difference) if c.difference is not None else "（无法计算）",
            ]
            for c in rows
        ],
        columns=["单元格", mine, other, diff],
    )

"""Render an annual report, whose cells the test chooses, as plain text in every layout seen in real dumps.

The tests use it to check the text parser end to end: a :class:`ReportSpec` says what each cell
contains (the raw text exactly as a report would write it), :func:`render` lays the whole report out
as one text layout, and the test compares what ``parse_bytes`` returns with what the spec contains.

Labels come from :mod:`parsing.schema` (the single source of truth); layouts mimic the seeds:

- ``lines_blank``: one cell per line, blank lines between cells (seed 000, 004);
- ``lines``: one cell per line, no blank lines;
- ``pipes``: inline pipes, cells wrapping onto ``| x`` lines and lone ``|`` lines (seed 001);
- ``markdown``: Markdown tables with a ``| --- |`` separator and trailing empty cells;
- ``tabs``: tab-separated rows with a padded label area (seed 002);
- ``padded``: a data row on one line, ``label  v  v  v``; other cells one per line;
- ``values_line``: PDF text extraction: a label on its own line, then all its values on the next
  line separated by single spaces (``1 0 0 0 1 2 …`` for 四);
- ``pdf_rows``: PDF text extraction of a whole table: every row on one line, cells separated by
  single spaces, header and group labels included (``（三）不予公开 1.属于国家秘密 0 0 0 0 0 0 0``).

An empty value cell is written as a whitespace-only line in the line layouts, as nothing between
two separators in the pipe and tab layouts; the padded, values_line and pdf_rows layouts cannot
show one (see :data:`BLANK_OK`).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from parsing import schema

LAYOUTS = ("lines_blank", "lines", "pipes", "markdown", "tabs", "padded", "values_line", "pdf_rows")
# Layouts that can show an empty value cell at all.
BLANK_OK = {
    "lines_blank": True,
    "lines": True,
    "pipes": True,
    "markdown": True,
    "tabs": True,
    "padded": False,
    "values_line": False,
    "pdf_rows": False,
}

S3_CORNER_NOTE = schema.S3_CORNER_NOTE


@dataclass
class ReportSpec:
    """What a rendered report contains: versions of its tables and the raw text of every cell."""

    s2_version: str
    s3_version: str
    year: int
    cells: dict[str, str] = field(default_factory=dict)  # canonical key → raw text as written
    agency: str = "某某县人民政府办公室"
    halfwidth: bool = False  # ASCII brackets and commas, as many web copies have
    traditional: bool = False  # the whole report in traditional script, 文件 → 檔案 in labels
    kangxi: bool = False  # some characters as Kangxi radicals, as PDF fonts produce
    extra_s2_rows: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)  # block → extra rows
    caption_style: str = "full"  # one of CAPTION_STYLES
    column_aliases: bool = False  # 商业机构 for 商业企业, 合计 for the 总计 column (seed 002, §7.1)
    lost_numbering: bool = False  # '（一）予以公开' → '()予以公开', quotes dropped (seed 004)
    # Cut labels longer than this (a narrow label column; seed 004 has '()其他处'), ending in U+FFFD as a
    # copy clipped mid-character does; 0 = no cut.
    truncate_labels: int = 0
    annotated: bool = False  # Hubei/汉阳 notes inside labels: 规章（设区的市…）, 本年增/减（指…如-8）…
    wrap_at: int = 0  # row labels longer than 16 characters wrap onto a second line here; 0 = never
    groups_joined: bool = False  # PDF text: '（三）不予公开 1.属于国家秘密' as one label cell


# Notes real reports add inside standard labels (domain reference §7.1).
ANNOTATIONS = {
    "规章": "规章（设区的市、自治州人民政府应提供相关数据）",
    "上一年项目数量": "上一年项目数量（指上一年度事项数）",
    "本年增/减": "本年增/减（指本年增加或减少的事项数，减用负值表示，如-8）",
    "处理决定数量": "处理决定数量（指本年办件量）",
    "现行有效件数": "现行有效件数（历史累计）",
}


CAPTION_STYLES = ("full", "spaced", "short", "plain", "emptied", "none")


def caption(clause: str, style: str) -> str | None:
    """A section-二 block caption as reports write it; None when the report has none."""
    return {
        "full": f"第二十条第（{clause}）项",
        "spaced": f"第二十条 第（{clause}）项",
        "short": f"第（{clause}）项",
        "plain": f"第{clause}项",
        "emptied": "第二十条第（）项",
        "none": None,
    }[style]


def _label(spec: ReportSpec, text: str) -> str:
    """A row or group label with the spec's damage applied (lost numbers, truncation)."""
    if spec.lost_numbering:
        text = re.sub(r"^（[一二三四五六七]）", "()", text).replace("“", "").replace("”", "")
    if spec.truncate_labels and len(text) > spec.truncate_labels:
        text = text[: spec.truncate_labels] + "\ufffd"
    return text


@dataclass
class Row:
    """One logical row of the report: a text line, or table cells with ``labels`` label cells first."""

    cells: list[str]
    kind: str  # text | caption | header | data
    labels: int = 0  # number of leading label cells in a data row


# --------------------------------------------------------------------------- logical content


def _s2_rows(spec: ReportSpec) -> list[Row]:
    rows: list[Row] = [
        Row([schema.SECTION_HEADINGS["s2"]], "text"),
        Row(["本年度，本机关通过门户网站主动公开政府信息。"], "text"),
    ]
    for block in schema.SECTION2[spec.s2_version]:
        width = 1 + len(block.cols)
        cap = caption(block.clause, spec.caption_style)
        if cap is not None:
            rows.append(Row([cap] + [""] * (width - 1), "caption"))
        notes = ANNOTATIONS if spec.annotated else {}
        rows.append(Row(["信息内容"] + [notes.get(c.label, c.label) for c in block.cols], "header"))
        for row_key, row_label in block.rows:
            keys = [f"s2.{block.key}.{row_key}.{c.key}" for c in block.cols]
            if not any(k in spec.cells for k in keys):
                continue
            label = _label(spec, notes.get(row_label, row_label))
            rows.append(Row([label] + [spec.cells.get(k, "") for k in keys], "data", 1))
        for label, values in spec.extra_s2_rows.get(block.key, []):
            rows.append(Row([label, *values], "data", 1))
    return rows


def _s3_rows(spec: ReportSpec) -> list[Row]:
    business, total = ("商业机构", "合计") if spec.column_aliases else ("商业企业", "总计")
    rows: list[Row] = [
        Row([schema.SECTION_HEADINGS["s3"]], "text"),
        Row([S3_CORNER_NOTE, schema.S3_APPLICANT_GROUP], "header"),
        Row(["自然人", schema.S3_ORG_GROUP, total], "header"),
        Row([business, "科研机构", "社会公益组织", "法律服务机构", "其他"], "header"),
    ]
    opened: set[str] = set()
    for row in schema.s3_rows(spec.s3_version):
        keys = [f"s3.{row.key}.{c}" for c in schema.S3_COL_KEYS]
        if not any(k in spec.cells for k in keys):
            continue
        groups: list[str] = []
        # 三、本年度办理结果 also heads the nested groups (三)…(六): open it before any of them.
        if row.group is not None and row.group != schema.S3_GROUPS["g3_results"]:
            outer = schema.S3_GROUPS["g3_results"]
            if outer not in opened:
                groups.append(outer)
                opened.add(outer)
        if row.group is not None and row.group not in opened:
            groups.append(row.group)
            opened.add(row.group)
        labels = [_label(spec, g) for g in [*groups, row.label]]
        if spec.groups_joined:
            labels = [" ".join(labels)]
        rows.append(Row(labels + [spec.cells.get(k, "") for k in keys], "data", len(labels)))
    return rows


def _s4_rows(spec: ReportSpec) -> list[Row]:
    keys = [f"s4.{k}" for k in schema.S4_COL_KEYS]
    if not any(k in spec.cells for k in keys):
        return []
    outcomes = [label for _, label in schema.S4_OUTCOMES]
    return [
        Row([schema.SECTION_HEADINGS["s4"]], "text"),
        Row(["行政复议", "行政诉讼"], "header"),
        Row([*outcomes, "未经复议直接起诉", "复议后起诉"], "header"),
        Row([*outcomes, *outcomes], "header"),
        Row([spec.cells.get(k, "") for k in keys], "data", 0),
    ]


def logical_rows(spec: ReportSpec) -> list[Row]:
    """The report as logical rows: title, prose, the three tables, closing prose."""
    rows = [
        Row([f"{spec.agency}{spec.year}年政府信息公开工作年度报告"], "text"),
        Row([schema.SECTION_HEADINGS["s1"]], "text"),
        Row(
            [f"{spec.year}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，持续推进政务公开工作。"],
            "text",
        ),
    ]
    rows += _s2_rows(spec) + _s3_rows(spec) + _s4_rows(spec)
    rows += [
        Row([schema.SECTION_HEADINGS["s5"]], "text"),
        Row(["政务公开工作仍存在信息更新不够及时等问题，下一步将加强培训、完善制度。"], "text"),
        Row([schema.SECTION_HEADINGS["s6"]], "text"),
        Row(["本机关无其他需要报告的事项。"], "text"),
    ]
    return rows


# --------------------------------------------------------------------------- character variants

_HALF = str.maketrans({"（": "(", "）": ")", "，": ",", "：": ":", "；": ";"})


@lru_cache(maxsize=1)
def _to_kangxi() -> dict[str, str]:
    """Ordinary character → Kangxi radical (U+2F00–U+2FD5) that NFKC maps back to it."""
    out: dict[str, str] = {}
    for cp in range(0x2F00, 0x2FD6):
        out.setdefault(unicodedata.normalize("NFKC", chr(cp)), chr(cp))
    return out


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def traditional(text: str) -> str:
    """Simplified → traditional as auto-converted mirrors do it, including the 文件 → 檔案 swap."""
    return _s2t().convert(text).replace("文件", "檔案")


def kangxi(text: str) -> str:
    """Replace every character that has a Kangxi radical twin by the radical (⼀ for 一, ⾏ for 行)."""
    table = _to_kangxi()
    return "".join(table.get(ch, ch) for ch in text)


def style(spec: ReportSpec, text: str) -> str:
    """A label or prose line as the spec writes it: half-width punctuation, traditional, Kangxi."""
    if spec.halfwidth:
        text = text.translate(_HALF)
    if spec.traditional:
        text = traditional(text)
    if spec.kangxi:
        text = kangxi(text)
    return text


def styled_rows(spec: ReportSpec) -> list[Row]:
    """Logical rows with the spec's character variants applied to labels and prose (not to values)."""
    out = []
    for row in logical_rows(spec):
        n = len(row.cells) if row.kind != "data" else row.labels
        cells = [style(spec, c) if i < n else c for i, c in enumerate(row.cells)]
        if spec.wrap_at and row.kind == "data":  # a long label wrapped inside its cell
            cells = [
                c[: spec.wrap_at] + "\n" + c[spec.wrap_at :] if i < n and len(c) > 16 else c
                for i, c in enumerate(cells)
            ]
        out.append(Row(cells, row.kind, row.labels))
    return out


# --------------------------------------------------------------------------- layouts


def _table_cells(row: Row) -> list[str]:
    """Cells a line layout shows: caption/header rows lose trailing merged (empty) cells."""
    cells = list(row.cells)
    if row.kind in ("caption", "header"):
        while cells and not cells[-1]:
            cells.pop()
    return cells


def _lines(rows: list[Row], blank: bool) -> str:
    out: list[str] = []
    for row in rows:
        for cell in _table_cells(row):
            out.append(cell if cell else " ")
            if blank:
                out.append("")
    return "\n".join(out) + "\n"


def _pipes(rows: list[Row], rng: random.Random) -> str:
    out: list[str] = []
    for row in rows:
        if row.kind == "text":
            out.append(row.cells[0])
            continue
        if row.kind == "caption":
            out.append(f"{row.cells[0]} | {'|' * (len(row.cells) - 1)}")
            continue
        cells = row.cells
        # A row that starts with an empty cell needs its opening pipe, or the cell would vanish.
        line = cells[0] if cells[0] else "| "
        for prev, cell in zip(cells, cells[1:], strict=False):
            # The cell wraps onto its own '| x' line. Not next to an empty cell: '| ' alone on a line,
            # or a line ending in '| ', reads as the row's closing pipe, so no reader could tell.
            if cell and prev and rng.random() < 0.3:
                out.append(line)
                line = f"| {cell}"
            else:
                line += f" | {cell}"
        if cells[-1] and rng.random() < 0.3:
            out.append(line)
            out.append("|")  # the row's closing pipe alone on a line
        else:
            out.append(line + " |" + "|" * rng.randrange(3))  # sometimes trailing empty cells
    return "\n".join(out) + "\n"


def _markdown(rows: list[Row]) -> str:
    out: list[str] = []
    table: list[Row] = []

    def flush() -> None:
        if not table:
            return
        width = max(len(r.cells) for r in table)
        for i, r in enumerate(table):
            cells = r.cells + [""] * (width - len(r.cells))
            out.append("| " + " | ".join(cells) + " |")
            if i == 0:
                out.append("|" + "|".join([" --- "] * width) + "|")
        out.append("")
        table.clear()

    for row in rows:
        if row.kind == "text":
            flush()
            out.append(row.cells[0])
            out.append("")
        else:
            table.append(row)
    flush()
    return "\n".join(out)


def _tabs(rows: list[Row]) -> str:
    out: list[str] = []
    label_area = 3  # table 三: group, sub-group and row label columns
    for row in rows:
        if row.kind == "text":
            out.append("")
            out.append(row.cells[0])
            out.append("")
            continue
        cells = list(row.cells)
        if row.kind == "data" and row.labels and len(row.cells) - row.labels == 7:
            cells = [""] * (label_area - row.labels) + cells  # label-area padding, as in seed 002
        out.append("\t".join(cells))
    return "\n".join(out) + "\n"


def _padded(rows: list[Row], rng: random.Random) -> str:
    out: list[str] = []
    for row in rows:
        if row.kind != "data":
            out.extend(c for c in _table_cells(row))
            continue
        labels, values = row.cells[: row.labels], row.cells[row.labels :]
        out.extend(labels[:-1])  # group labels on their own lines
        if any(not v.strip() for v in values):
            raise ValueError("the padded layout cannot show an empty cell")
        sep = " " * rng.randint(2, 4)
        if labels:
            out.append(labels[-1] + sep + sep.join(values))
        else:  # 四: no row label; one value per line
            out.extend(values)
    return "\n".join(out) + "\n"


def _values_line(rows: list[Row]) -> str:
    out: list[str] = []
    for row in rows:
        if row.kind != "data":
            out.extend(c for c in _table_cells(row))
            continue
        labels, values = row.cells[: row.labels], row.cells[row.labels :]
        if any(not v.strip() for v in values):
            raise ValueError("the values_line layout cannot show an empty cell")
        out.extend(labels)
        out.append(" ".join(values))
    return "\n".join(out) + "\n"


def _pdf_rows(rows: list[Row]) -> str:
    out: list[str] = []
    for row in rows:
        if row.kind == "data" and any(not v.strip() for v in row.cells[row.labels :]):
            raise ValueError("the pdf_rows layout cannot show an empty cell")
        # A label wrapped in its cell: the row's line carries the first part and the numbers, the rest
        # of the label follows on the next line (what pdfplumber's extract_text gives).
        first = [c.split("\n")[0] for c in row.cells if c]
        rest = [c.split("\n", 1)[1] for c in row.cells if "\n" in c]
        out.append(" ".join(first))
        out.extend(rest)
    return "\n".join(out) + "\n"


def render(spec: ReportSpec, layout: str, seed: int = 0) -> str:
    """The whole report as text in ``layout`` (one of :data:`LAYOUTS`); ``seed`` drives line wrapping."""
    rows = styled_rows(spec)
    rng = random.Random(seed)
    if layout == "lines_blank":
        return _lines(rows, blank=True)
    if layout == "lines":
        return _lines(rows, blank=False)
    if layout == "pipes":
        return _pipes(rows, rng)
    if layout == "markdown":
        return _markdown(rows)
    if layout == "tabs":
        return _tabs(rows)
    if layout == "padded":
        return _padded(rows, rng)
    if layout == "values_line":
        return _values_line(rows)
    if layout == "pdf_rows":
        return _pdf_rows(rows)
    raise ValueError(f"unknown layout {layout}")


def full_spec(s2_version: str, s3_version: str, year: int, value: str = "0") -> ReportSpec:
    """A spec with every cell of both tables and of 四 present, all written as ``value``."""
    cells = {k: value for k in schema.cell_keys(s2_version, "s2")}
    cells.update({k: value for k in schema.cell_keys(s3_version, "s3")})
    cells.update({k: value for k in schema.cell_keys(s2_version, "s4")})
    return ReportSpec(s2_version, s3_version, year, cells)

"""Realistic annual-report documents with known cell values, for tests/test_robustness_realistic.py.

The documents are modelled on how real government sites and offices produce them (CMS pages with
layout tables and split ``<span>``/``<font>`` runs, Word's "Save as HTML", GBK pages, Word files with
merged cells, Excel sheets), not on the project's own renderer. Every value cell is generated here
together with the value it must parse to, so the expectations come from the document, never from
the parser.

A table is a list of rows of :class:`TCell` in HTML order (slots covered by a span are omitted); the
same table model is rendered to HTML, DOCX and XLSX.
"""

from __future__ import annotations

import html as html_lib
import io
import random
from dataclasses import dataclass, field, replace
from functools import lru_cache

from parsing import schema

# --------------------------------------------------------------------------- the report's values


@dataclass(frozen=True)
class Val:
    """A value cell: the text the document shows and the value it must parse to."""

    raw: str
    value: int | float | None
    unit: str | None = None  # only for the v2019 procurement amount


@dataclass
class Report:
    """The content of one report: metadata, template versions and every value cell."""

    agency: str
    year: int
    s2_version: str
    s3_version: str
    s2: dict[str, Val] = field(default_factory=dict)  # full canonical keys
    s3: dict[str, Val] = field(default_factory=dict)
    s4: dict[str, Val] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    def cells(self) -> dict[str, Val]:
        return {**self.s2, **self.s3, **self.s4}

    def expected(self) -> dict[str, int | float | None]:
        return {k: v.value for k, v in self.cells().items()}


def _n(value: int) -> Val:
    return Val(str(value), value)


def make_report(agency: str, year: int, s2_version: str, s3_version: str, seed: int) -> Report:
    """A report with nonzero realistic numbers that satisfy every rule (O1, D1, D3, D5)."""
    rng = random.Random(seed)
    rep = Report(agency, year, s2_version, s3_version)
    # ---- section 二
    if s2_version == schema.V2019:
        rep.s2.update(
            {
                "s2.art20_1.regulations.new_made": _n(0),
                "s2.art20_1.regulations.new_published": _n(0),
                "s2.art20_1.regulations.total_published": _n(rng.randint(1, 9)),
                "s2.art20_1.normative_documents.new_made": _n(rng.randint(2, 19)),
                "s2.art20_1.normative_documents.new_published": _n(rng.randint(2, 19)),
                "s2.art20_1.normative_documents.total_published": _n(rng.randint(40, 300)),
                "s2.art20_5.administrative_licensing.prev_year_items": _n(rng.randint(20, 200)),
                "s2.art20_5.administrative_licensing.items_change": Val("-3", -3),
                "s2.art20_5.administrative_licensing.decisions": _n(rng.randint(1000, 9999)),
                "s2.art20_5.other_management_services.prev_year_items": _n(rng.randint(5, 60)),
                "s2.art20_5.other_management_services.items_change": Val("增2", 2),
                "s2.art20_5.other_management_services.decisions": _n(rng.randint(100, 900)),
                "s2.art20_6.administrative_penalty.prev_year_items": _n(rng.randint(100, 900)),
                "s2.art20_6.administrative_penalty.items_change": _n(0),
                "s2.art20_6.administrative_penalty.decisions": _n(rng.randint(10, 500)),
                "s2.art20_6.administrative_coercion.prev_year_items": _n(rng.randint(5, 40)),
                "s2.art20_6.administrative_coercion.items_change": Val("+1", 1),
                "s2.art20_6.administrative_coercion.decisions": _n(rng.randint(0, 30)),
                "s2.art20_8.administrative_fees.prev_year_items": _n(rng.randint(1, 9)),
                "s2.art20_8.administrative_fees.items_change": _n(0),
                "s2.art20_9.centralized_procurement.procurement_items": _n(rng.randint(3, 40)),
                "s2.art20_9.centralized_procurement.procurement_amount": Val("251000元", 251000, "元"),
            }
        )
    else:
        rep.s2.update(
            {
                "s2.art20_1.regulations.issued": _n(0),
                "s2.art20_1.regulations.repealed": _n(0),
                "s2.art20_1.regulations.in_force": _n(rng.randint(1, 9)),
                "s2.art20_1.normative_documents.issued": _n(rng.randint(2, 19)),
                "s2.art20_1.normative_documents.repealed": _n(rng.randint(1, 9)),
                "s2.art20_1.normative_documents.in_force": _n(rng.randint(40, 300)),
                "s2.art20_5.administrative_licensing.decisions": _n(rng.randint(1000, 99999)),
                "s2.art20_6.administrative_penalty.decisions": _n(rng.randint(10, 500)),
                "s2.art20_6.administrative_coercion.decisions": _n(rng.randint(1, 30)),
                "s2.art20_8.administrative_fees.fee_amount_wan_yuan": Val("12.56", 12.56),
            }
        )
    # ---- section 三: outcome counts per applicant column, then totals that satisfy O1/D1/D3
    rows = [r.key for r in schema.s3_rows(s3_version)]
    outcomes = schema.outcome_rows(s3_version)
    cols = schema.S3_APPLICANT_COLS
    grid: dict[tuple[str, str], int] = {}
    busy = {"r3_1_granted": 30, "r3_2_partial": 6, "r3_4_1_not_held": 12, "r3_5_2_repeated": 3}
    for col_i, col in enumerate(cols):
        scale = 1.0 if col_i == 0 else (0.3 if col_i == 1 else 0.08)
        for row in outcomes:
            top = int(busy.get(row, 2) * scale)
            grid[(row, col)] = rng.randint(0, top) if top else 0
        grid[("r3_7_total", col)] = sum(grid[(r, col)] for r in outcomes)
        grid[("r4_carry_forward", col)] = rng.randint(0, 4) if col_i < 2 else 0
        grid[("r2_carried_over", col)] = rng.randint(0, 3) if col_i < 2 else 0
        grid[("r1_new_received", col)] = (
            grid[("r3_7_total", col)] + grid[("r4_carry_forward", col)] - grid[("r2_carried_over", col)]
        )
        if grid[("r1_new_received", col)] < 0:  # keep counts non-negative: nothing carried over then
            grid[("r2_carried_over", col)] = 0
            grid[("r1_new_received", col)] = grid[("r3_7_total", col)] + grid[("r4_carry_forward", col)]
    grid[("r3_1_granted", "natural_person")] += 7  # a clearly nonzero table
    grid[("r3_7_total", "natural_person")] += 7
    grid[("r1_new_received", "natural_person")] += 7
    for row in rows:
        grid[(row, "total")] = sum(grid[(row, c)] for c in cols)
    for row in rows:
        for col in schema.S3_COL_KEYS:
            rep.s3[f"s3.{row}.{col}"] = _n(grid[(row, col)])
    # ---- section 四
    for group, _ in schema.S4_GROUPS:
        parts = [rng.randint(0, 3) for _ in range(4)]
        for (outcome, _), n in zip(schema.S4_OUTCOMES[:4], parts, strict=True):
            rep.s4[f"s4.{group}_{outcome}"] = _n(n)
        rep.s4[f"s4.{group}_total"] = _n(sum(parts))
    return rep


def shanghai_blanks(rep: Report) -> Report:
    """Shanghai 2019 style: zero cells left blank, and the 总计 column blank in every outcome row."""
    out = replace(rep, s2=dict(rep.s2), s3=dict(rep.s3), s4=dict(rep.s4))
    for part in (out.s2, out.s3, out.s4):
        for key, val in part.items():
            if val.value == 0:
                part[key] = Val("", None)
    for row in schema.outcome_rows(rep.s3_version):
        out.s3[f"s3.{row}.total"] = Val("", None)
    return out


def all_slash(rep: Report) -> Report:
    """高陵 2021 style: a unit with nothing to report writes '/' in every cell."""
    slash = Val("/", None)
    return replace(
        rep,
        s2={k: slash for k in rep.s2},
        s3={k: slash for k in rep.s3},
        s4={k: slash for k in rep.s4},
    )


def restyle_values(rep: Report, style: str) -> Report:
    """The same values written differently: ``nbsp`` padding around numbers (editors centre them with
    no-break spaces) or ``fullwidth`` digits (typed with a Chinese input method)."""
    table = str.maketrans("0123456789.+-", "０１２３４５６７８９．＋－")

    def one(val: Val) -> Val:
        if not val.raw:
            return val
        raw = f"\u00a0{val.raw}\u00a0" if style == "nbsp" else val.raw.translate(table)
        return Val(raw, val.value, val.unit)

    def part(d: dict[str, Val]) -> dict[str, Val]:
        return {k: one(v) for k, v in d.items()}

    return replace(rep, s2=part(rep.s2), s3=part(rep.s3), s4=part(rep.s4))


# --------------------------------------------------------------------------- the table model


@dataclass(frozen=True)
class TCell:
    """One cell as the document writes it; ``text`` may contain line breaks ("\\n")."""

    text: str
    rs: int = 1
    cs: int = 1
    head: bool = False
    value: bool = False


def _lab(text: str, rs: int = 1, cs: int = 1) -> TCell:
    return TCell(text, rs, cs)


def _hd(text: str, rs: int = 1, cs: int = 1) -> TCell:
    return TCell(text, rs, cs, head=True)


def _v(val: Val, cs: int = 1) -> TCell:
    return TCell(val.raw, 1, cs, value=True)


@dataclass(frozen=True)
class Table:
    rows: list[list[TCell]]
    caption: str | None = None  # a paragraph printed just before the table


@dataclass(frozen=True)
class Layout:
    """How the tables of one document are laid out."""

    s2: str = "merged"  # merged (one grid) | separate (a table per block)
    s2_captions: bool = True
    s2_extra_col: bool = False  # a 5-column grid: the label cell spans two columns
    s3_label_cols: int = 3  # 1, 2 or 3
    s3_corner: str = "corner"  # corner (rowspan 3) | row (the note as a full-width first row) | none
    s3_extra_empty_col: bool = False
    wrap_labels: bool = True  # long labels broken with line breaks, as editors do


S2_V2019_HEADERS = {
    "art20_1": ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
    "art20_5": ["上一年项目数量", "本年增/减", "处理决定数量"],
    "art20_6": ["上一年项目数量", "本年增/减", "处理决定数量"],
    "art20_8": ["上一年项目数量", "本年增/减"],
    "art20_9": ["采购项目数量", "采购总金额"],
}


def s2_tables(rep: Report, lay: Layout) -> list[Table]:
    """Section 二: one merged grid (4 or 5 columns wide) or one table per 第二十条 block."""
    blocks = schema.SECTION2[rep.s2_version]
    width = 3  # data columns of the widest block
    label_cs = 2 if lay.s2_extra_col else 1
    out: list[Table] = []
    merged: list[list[TCell]] = []
    for block in blocks:
        rows: list[list[TCell]] = []
        caption = block.caption
        if lay.s2_captions:
            rows.append([_hd(caption, cs=width + label_cs)])
        heads = [c.label for c in block.cols]
        if rep.s2_version == schema.V2021 and lay.wrap_labels:
            heads = [h.replace("（单位：万元）", "\n（单位：万元）") for h in heads]
        header = [_hd("信息内容", cs=label_cs)]
        spans = _spread(len(heads), width)
        header += [_hd(h, cs=s) for h, s in zip(heads, spans, strict=True)]
        rows.append(header)
        for row_key, row_label in block.rows:
            line = [_lab(row_label, cs=label_cs)]
            for col, s in zip(block.cols, spans, strict=True):
                line.append(_v(rep.s2[f"s2.{block.key}.{row_key}.{col.key}"], cs=s))
            rows.append(line)
        if lay.s2 == "merged":
            merged.extend(rows)
        else:
            out.append(Table(rows))
    if lay.s2 == "merged":
        out.append(Table(merged))
    return out


def _spread(n: int, width: int) -> list[int]:
    """Column spans of ``n`` header cells over ``width`` grid columns (the last one takes the rest)."""
    return [1] * (n - 1) + [width - n + 1]


def _s3_label(label: str, wrap: bool) -> str:
    if not wrap:
        return label
    if label.startswith("（二）部分公开"):
        return "（二）部分公开（区分处理的，只计这一情形，\n不计其他情形）"
    if label.startswith(("1.申请人无正当理由", "2.申请人逾期未按")):
        return label.replace("、", "、\n", 1)
    if label.startswith("一、本年新收"):
        return "一、本年新收政府信息\n公开申请数量"
    return label


def s3_table(rep: Report, lay: Layout) -> Table:
    """Section 三 with a 1-, 2- or 3-column label area, the corner note where the layout puts it."""
    L = lay.s3_label_cols
    extra = [TCell("")] if lay.s3_extra_empty_col else []
    rows: list[list[TCell]] = []
    note = schema.S3_CORNER_NOTE
    org = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    if lay.wrap_labels:
        org = ["商业\n企业", "科研\n机构", "社会公益\n组织", "法律服务\n机构", "其他"]
    ncols = L + 7 + len(extra)
    if lay.s3_corner == "row":
        rows.append([_hd(note, cs=ncols)])
    corner = _hd(note if lay.s3_corner == "corner" else "", rs=3, cs=L)
    rows.append([corner, _hd("申请人情况", cs=7), *[_hd("") for _ in extra]])
    rows.append(
        [_hd("自然人", rs=2), _hd("法人或其他组织", cs=5), _hd("总计", rs=2), *[_hd("") for _ in extra]]
    )
    rows.append([*[_hd(w) for w in org], *[_hd("") for _ in extra]])
    data = [r for r in schema.s3_rows(rep.s3_version)]

    def values(key: str) -> list[TCell]:
        return [_v(rep.s3[f"s3.{key}.{c}"]) for c in schema.S3_COL_KEYS] + [
            TCell("", value=True) for _ in extra
        ]

    def blank_values() -> list[TCell]:
        return [TCell("", value=True) for _ in range(7 + len(extra))]

    groups = {g: [r for r in data if r.group == g] for g in {r.group for r in data if r.group}}
    g3 = "三、本年度办理结果"
    g3_span = sum(1 for r in data if r.group and r.group != g3) + sum(1 for r in data if r.group == g3)
    seen_groups: set[str] = set()
    first_in_g3 = True
    for r in data:
        label = _s3_label(r.label, lay.wrap_labels)
        if r.group is None:  # 一、 二、 四、
            rows.append([_lab(label, cs=L), *values(r.key)])
            continue
        sub = r.group if r.group != g3 else None  # （三）…（六） group of a level-3 row
        if L == 3:
            line: list[TCell] = []
            if first_in_g3:
                line.append(_lab(g3, rs=g3_span))
                first_in_g3 = False
            if sub is None:
                line.append(_lab(label, cs=2))
            else:
                if sub not in seen_groups:
                    line.append(_lab(sub, rs=len(groups[sub])))
                    seen_groups.add(sub)
                line.append(_lab(label))
            rows.append(line + values(r.key))
        elif L == 2:
            if first_in_g3:  # 三、本年度办理结果 as a full-width row of its own
                rows.append([_lab(g3, cs=L + 7 + len(extra))])
                first_in_g3 = False
            if sub is None:
                rows.append([_lab(label, cs=2), *values(r.key)])
            else:
                line = []
                if sub not in seen_groups:
                    line.append(_lab(sub, rs=len(groups[sub])))
                    seen_groups.add(sub)
                rows.append([*line, _lab(label), *values(r.key)])
        else:  # one label column: group labels are rows of their own with empty cells
            if first_in_g3:
                rows.append([_lab(g3), *blank_values()])
                first_in_g3 = False
            if sub is not None and sub not in seen_groups:
                rows.append([_lab(sub), *blank_values()])
                seen_groups.add(sub)
            rows.append([_lab(label), *values(r.key)])
    return Table(rows)


def s4_table(rep: Report) -> Table:
    """Section 四 with its three header rows."""
    outcomes = [o for _, o in schema.S4_OUTCOMES]
    rows = [
        [_hd("行政复议", cs=5), _hd("行政诉讼", cs=10)],
        [*[_hd(o, rs=2) for o in outcomes], _hd("未经复议直接起诉", cs=5), _hd("复议后起诉", cs=5)],
        [_hd(o) for o in outcomes * 2],
        [_v(rep.s4[f"s4.{k}"]) for k in schema.S4_COL_KEYS],
    ]
    return Table(rows)


def positions(table: Table) -> list[tuple[int, int, TCell]]:
    """(row, col, cell) of every cell once the spans are laid out, as a browser lays them out."""
    occupied: set[tuple[int, int]] = set()
    out = []
    for r, line in enumerate(table.rows):
        c = 0
        for cell in line:
            while (r, c) in occupied:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    occupied.add((r + dr, c + dc))
            c += cell.cs
    return out


def table_size(table: Table) -> tuple[int, int]:
    pos = positions(table)
    return len(table.rows), max(c + cell.cs for _, c, cell in pos)


# --------------------------------------------------------------------------- prose

INTRO = (
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制。全文包括总体情况、"
    "主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议及行政诉讼情况、"
    "存在的主要问题及改进情况、其他需要报告的事项。本报告中所列数据的统计期限自{y}年1月1日起至"
    "{y}年12月31日止。如对本报告有疑问，请与本机关政务公开办公室联系（地址：人民路88号，邮编："
    "223001，电话：0517-83600000）。"
)
GENERAL = (
    "{y}年，我局坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实党中央、国务院关于全面"
    "推进政务公开工作的决策部署，围绕中心工作，不断提升政务公开质量和实效。全年通过门户网站主动公开"
    "政府信息1268条，其中政策文件32条，政策解读15篇，召开新闻发布会4场。"
)
PROBLEMS = (
    "一是政策解读形式还比较单一，图表、视频等解读方式运用不多；二是依申请公开答复的规范化水平有待"
    "进一步提高。下一步，我局将加强业务培训，完善工作机制，不断提升政府信息公开工作水平。"
)
OTHER = "本年度未收取信息处理费。本机关无其他需要报告的事项。"


def sections(rep: Report, lay: Layout) -> list[tuple[str, list]]:
    """The report as (heading, [paragraph str | Table, ...]) in order."""
    s2 = s2_tables(rep, lay)
    return [
        ("", [INTRO.format(y=rep.year)]),
        ("一、总体情况", [GENERAL.format(y=rep.year), "（一）主动公开。", "（二）依申请公开。"]),
        ("二、主动公开政府信息情况", s2),
        ("三、收到和处理政府信息公开申请情况", [s3_table(rep, lay)]),
        ("四、政府信息公开行政复议、行政诉讼情况", [s4_table(rep)]),
        ("五、存在的主要问题及改进情况", [PROBLEMS]),
        ("六、其他需要报告的事项", [OTHER]),
    ]


# --------------------------------------------------------------------------- HTML


def _esc(text: str) -> str:
    return html_lib.escape(text, quote=False)


def _cms_run(text: str, split: bool) -> str:
    """A CMS editor's markup: runs in <span style><font>, a number split over two runs."""
    if not text:
        return "&nbsp;"
    style = 'style="font-family:宋体;font-size:10.5pt"'
    if split and len(text) >= 2:
        a, b = text[: len(text) // 2], text[len(text) // 2 :]
        return f'<span {style}><font face="宋体">{_esc(a)}</font></span>\n<span {style}>{_esc(b)}</span>'
    parts = [f'<span {style}><font face="宋体">{_esc(line)}</font></span>' for line in text.split("\n")]
    return "<br/>".join(parts)


def _word_run(text: str, value: bool) -> str:
    """Word "Save as HTML": MsoNormal paragraphs, lang=EN-US runs for digits, <o:p> fillers."""
    if not text:
        return (
            "<p class=MsoNormal align=center style='text-align:center'>"
            "<span lang=EN-US><o:p>&nbsp;</o:p></span></p>"
        )
    lang = " lang=EN-US" if value else ""
    inner = "<br>\n".join(
        f"<span{lang} style='font-size:10.5pt;font-family:宋体;"
        'mso-ascii-font-family:"Times New Roman"'
        f"'>{_esc(line)}</span>"
        for line in text.split("\n")
    )
    return (
        f"<p class=MsoNormal align=center style='text-align:center;mso-pagination:widow-orphan'>"
        f"{inner}<span{lang} style='font-size:10.5pt'><o:p></o:p></span></p>"
    )


def html_table(
    table: Table,
    markup: str = "plain",
    th: bool = False,
    attrs: str = 'border="1" cellspacing="0"',
    thead: bool = False,
) -> str:
    """A table in the markup of one kind of publishing system.

    ``thead``: the leading header rows go in ``<thead>``, which browsers repeat on every printed page.
    """
    lines = [f"<table {attrs}>"]
    nhead = 0
    if thead:
        while nhead < len(table.rows) and all(c.head for c in table.rows[nhead]):
            nhead += 1
        lines.append("<thead>")
    else:
        lines.append("<tbody>")
    for r, line in enumerate(table.rows):
        if thead and r == nhead:
            lines.append("</thead><tbody>")
        cells = []
        for i, cell in enumerate(line):
            tag = "th" if th and cell.head else "td"
            span = ""
            if cell.rs > 1:
                span += f' rowspan="{cell.rs}"'
            if cell.cs > 1:
                span += f' colspan="{cell.cs}"'
            if markup == "cms":
                body = (
                    f'<p style="text-align:center">{_cms_run(cell.text, cell.value and (r + i) % 2 == 0)}</p>'
                )
            elif markup == "word":
                body = _word_run(cell.text, cell.value)
                span += (
                    " width=64 valign=middle style='border:solid windowtext 1.0pt;"
                    "mso-border-alt:solid windowtext .5pt;"
                    "padding:0cm 5.4pt 0cm 5.4pt'"
                )
            else:
                body = "&nbsp;" if not cell.text else "<br>".join(_esc(t) for t in cell.text.split("\n"))
            cells.append(f"<{tag}{span}>{body}</{tag}>")
        style = f" style='mso-yfti-irow:{r};height:20.0pt'" if markup == "word" else ""
        lines.append(f"<tr{style}>" + "".join(cells) + "</tr>")
    if markup == "word":  # Word closes each table with a zero-height row that fixes column widths
        _, width = table_size(table)
        lines.append(
            "<![if !supportMisalignedColumns]><tr height=0>"
            + "<td width=64 style='border:none'></td>" * width
            + "</tr><![endif]>"
        )
    lines.append("</tbody></table>")
    return "\n".join(lines)


SIDEBAR = """<table class="sidebar" width="100%" border="0">
<tr><td colspan="2">信息公开目录</td></tr>
<tr><td>规章</td><td>12</td></tr>
<tr><td>行政许可</td><td>356</td></tr>
<tr><td>行政处罚</td><td>87</td></tr>
<tr><td>2023年</td><td>41</td></tr>
<tr><td>访问量</td><td>1234567</td></tr>
</table>"""

FOOTER = (
    '<table class="footer" width="100%"><tr><td>主办单位：某市人民政府办公室</td>'
    "<td>网站标识码：3208000001</td></tr>\n"
    "<tr><td>苏ICP备05009160号</td><td>总计访问 886321 次</td></tr></table>"
)


def html_page(
    rep: Report,
    lay: Layout,
    *,
    markup: str = "plain",
    th: bool = False,
    chrome: str = "cms",  # cms (layout table + sidebar + footer) | html5 (nav/aside/article) | plain | word
    charset_meta: str | None = "utf-8",
    s2_caption_as: str | None = None,  # paragraph | caption: 第二十条 captions outside the grid
    thead: bool = False,
    prose_extra: str = "",
    css: str = "",
) -> str:
    """A whole page of one kind of site."""
    body: list[str] = [f'<h1 style="text-align:center">{_esc(rep.title)}</h1>']
    body.append(
        f'<div class="info">发布时间：{rep.year + 1}-01-20 来源：{_esc(rep.agency)} 字号：[大 中 小]</div>'
    )
    if prose_extra:
        body.append(f"<p>{_esc(prose_extra)}</p>")
    for heading, parts in sections(rep, lay):
        if heading:
            body.append(
                '<p style="text-indent:2em"><strong>'
                f'<span style="font-family:黑体">{_esc(heading)}</span></strong></p>'
            )
        for part in parts:
            if isinstance(part, Table):
                rows = part.rows
                caption = ""
                if s2_caption_as and rows and rows[0][0].text.startswith("第二十条"):
                    caption = rows[0][0].text
                    part = Table(rows[1:])
                    if s2_caption_as == "paragraph":
                        body.append(f'<p style="text-align:center">{_esc(caption)}</p>')
                table_html = html_table(part, markup, th, thead=thead)
                if s2_caption_as == "caption" and caption:
                    table_html = table_html.replace(">", f"><caption>{_esc(caption)}</caption>", 1)
                body.append(table_html)
            else:
                body.append(f'<p style="text-indent:2em">{_esc(part)}</p>')
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">'
        if charset_meta
        else ""
    )
    content = "\n".join(body)
    if chrome == "cms":
        content = (
            '<div class="top"><a href="/">首页</a> &gt; <a href="/xxgk">政府信息公开</a>'
            " &gt; 年度报告</div>\n"
            '<table width="1000" align="center" border="0" class="layout"><tr>\n'
            f'<td width="220" valign="top">{SIDEBAR}</td>\n'
            f'<td valign="top"><div class="article">{content}</div></td>\n'
            "</tr></table>\n" + FOOTER
        )
    if chrome == "html5":
        content = (
            '<header><div class="logo">某市人民政府</div>'
            "<nav><table><tr><td>行政许可</td><td>356</td></tr></table></nav></header>\n"
            f'<div class="main"><aside class="side">{SIDEBAR}</aside>\n<article>{content}</article></div>\n'
            f"<footer>{FOOTER}</footer>"
        )
    head_extra = ""
    if chrome == "word":
        head_extra = (
            '<meta name=ProgId content=Word.Document><meta name=Generator content="Microsoft Word 15">'
            "<!--[if gte mso 9]><xml><w:WordDocument>"
            "<w:View>Print</w:View></w:WordDocument></xml><![endif]-->"
            '<style><!-- p.MsoNormal {mso-style-parent:""; margin:0cm; font-size:10.5pt;} --></style>'
        )
        content = f"<div class=WordSection1 style='layout-grid:15.6pt'>{content}</div>"
    html_open = (
        '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:w="urn:schemas-microsoft-com:office:word">'
        if chrome == "word"
        else '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">\n<html>'
    )
    return (
        f"{html_open}<head>{meta}{head_extra}<title>{_esc(rep.title)}</title>"
        f"<style>table{{border-collapse:collapse}} td,th{{border:1px solid #000;padding:3px}} {css}</style>"
        "<script>var _hmt = _hmt || []; document.write('<span>12</span>');</script></head>\n"
        f"<body>\n{content}\n</body></html>"
    )


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """A whole page converted to traditional script as mirror sites do (文件→檔案 as well)."""
    return _s2t().convert(text).replace("文件", "檔案")


# --------------------------------------------------------------------------- DOCX


def docx_bytes(
    rep: Report, lay: Layout, *, long_intro: int = 0, traditional: bool = False, edited: bool = False
) -> bytes:
    """A Word file as an agency types it: 宋体, tables with gridSpan/vMerge merged cells."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    conv = to_traditional if traditional else (lambda t: t)
    title = d.add_paragraph(conv(rep.title))
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for _ in range(long_intro):  # enough prose to push the tables across page breaks
        d.add_paragraph(GENERAL.format(y=rep.year) * 2)
    for heading, parts in sections(rep, lay):
        if heading:
            p = d.add_paragraph()
            p.add_run(conv(heading)).bold = True
        for part in parts:
            if isinstance(part, Table):
                _docx_table(d, part, conv, edited)
            else:
                d.add_paragraph(conv(part))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def docx_in_layout_table(rep: Report, lay: Layout) -> bytes:
    """A report pasted from a web page into Word: the whole body sits in a one-cell layout table."""
    import copy

    import docx

    src = docx.Document(io.BytesIO(docx_bytes(rep, lay)))
    out = docx.Document()
    cell = out.add_table(rows=1, cols=1).cell(0, 0)
    for el in src.element.body.iterchildren():
        if not el.tag.endswith("}sectPr"):
            cell._tc.append(copy.deepcopy(el))
    cell._tc.append(copy.deepcopy(src.paragraphs[-1]._p))  # a cell must end with a paragraph
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def _docx_table(d, table: Table, conv=lambda t: t, edited: bool = False) -> None:
    """``edited``: the file went through several rounds of editing, as agency files do: numbers split
    over runs (one per edit), wrapped labels as separate paragraphs, blank cells holding spaces."""
    from docx.oxml import OxmlElement

    nrows, ncols = table_size(table)
    t = d.add_table(rows=nrows, cols=ncols)
    t.style = "Table Grid"
    # Header rows marked "repeat as header row" (w:tblHeader), as offices do for long tables: the
    # PDF export prints them again at the top of the next page.
    for r, line in enumerate(table.rows):
        if line and all(cell.head for cell in line) and r < 4:
            tr_pr = t.rows[r]._tr.get_or_add_trPr()
            tr_pr.append(OxmlElement("w:tblHeader"))
        else:
            break
    for r, c, cell in positions(table):
        target = t.cell(r, c)
        if cell.rs > 1 or cell.cs > 1:
            target = target.merge(t.cell(r + cell.rs - 1, c + cell.cs - 1))
        lines = conv(cell.text).split("\n")
        para = target.paragraphs[0]
        if edited and cell.value:
            text = lines[0] or "\u3000 "
            for ch in text:  # one run per character, as revision marks leave them
                para.add_run(ch)
            continue
        run = para.add_run(lines[0])
        for line in lines[1:]:
            if edited:
                para = target.add_paragraph()
                run = para.add_run(line)
                continue
            run.add_break()
            run = para.add_run(line)


# --------------------------------------------------------------------------- XLSX


def xlsx_bytes(rep: Report, lay: Layout, *, one_sheet: bool = True) -> bytes:
    """A workbook as statistics offices keep it: merged ranges, numbers stored as numbers."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年报数据"
    row0 = 1

    def put(ws, table: Table, start: int) -> int:
        for r, c, cell in positions(table):
            target = ws.cell(row=start + r, column=1 + c)
            text = cell.text
            if cell.value and text and _is_plain_number(text):
                target.value = float(text) if "." in text else int(text)
            else:
                target.value = text or None
            if cell.rs > 1 or cell.cs > 1:
                ws.merge_cells(
                    start_row=start + r,
                    start_column=1 + c,
                    end_row=start + r + cell.rs - 1,
                    end_column=c + cell.cs,
                )
        return start + len(table.rows)

    ws.cell(row=row0, column=1, value=rep.title)
    row0 += 2
    for heading, parts in sections(rep, lay):
        if not heading or not any(isinstance(p, Table) for p in parts):
            continue
        if not one_sheet:
            ws = wb.create_sheet(heading[:2].rstrip("、"))
            row0 = 1
        ws.cell(row=row0, column=1, value=heading)
        row0 += 1
        for part in parts:
            if isinstance(part, Table):
                row0 = put(ws, part, row0) + 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return not text.startswith("+")

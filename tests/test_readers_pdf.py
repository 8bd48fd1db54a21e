"""PDF reader: unruled tables from word positions, vertical labels, page marks, Kangxi radicals."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pdfplumber
import pytest
from paths import RENDERED
from render_seeds import CHROMIUM, chromium_pdf
from test_fixtures_real import HUAIAN_S4

from parsing.api import parse_bytes
from parsing.readers import pdf as pdf_reader
from parsing.schema import S4_COL_KEYS

# Two A4 pages; tables without any ruling line; table 四's 15 headers printed one character per
# line; a page mark at the foot of each page in two styles.
UNRULED_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
@page { size: A4; margin: 12mm; }
body { font-family: "Noto Sans CJK SC", sans-serif; font-size: 13px; margin: 0; }
.page { height: 265mm; position: relative; page-break-after: always; }
.mark { position: absolute; bottom: 0; width: 100%; text-align: center; }
table { border-collapse: collapse; margin: 6px 0; }
td { padding: 3px 14px; text-align: center; vertical-align: top; }
td.l { text-align: left; }
</style></head><body>
<div class="page">
<h3>某县人民政府2023年政府信息公开工作年度报告</h3>
<p>二、主动公开政府信息情况</p>
<table>
<tr><td class="l">第二十条第（一）项</td></tr>
<tr><td class="l">信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td class="l">规章</td><td>5</td><td>0</td><td>12</td></tr>
<tr><td class="l">行政规范性文件</td><td>36</td><td>4</td><td>208</td></tr>
<tr><td class="l">第二十条第（五）项</td></tr>
<tr><td class="l">信息内容</td><td>本年处理决定数量</td></tr>
<tr><td class="l">行政许可</td><td>17</td></tr>
</table>
<div class="mark">- 1 -</div>
</div>
<div class="page">
<p>四、政府信息公开行政复议、行政诉讼情况</p>
<table>
<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr>HEADERS</tr>
<tr>VALUES</tr>
</table>
<div class="mark">— 2 —</div>
</div>
</body></html>"""


def _vertical(word: str) -> str:
    return "<br>".join(word)


@pytest.fixture(scope="module")
def unruled_pdf() -> bytes:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is installed by make setup")
    words = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    page = UNRULED_PAGE.replace("HEADERS", "".join(f"<td>{_vertical(w)}</td>" for w in words))
    page = page.replace("VALUES", "".join(f"<td>{v}</td>" for v in HUAIAN_S4))
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "unruled.html"
        src.write_text(page, encoding="utf-8")
        out = Path(tmp) / "unruled.pdf"
        chromium_pdf(src, out, Path(tmp) / "profile")
        return out.read_bytes()


def test_unruled_table_rows_split_at_column_gaps(unruled_pdf):
    doc = pdf_reader.read(unruled_pdf, "unruled.pdf")
    texts = [[c.text for c in row] for row in doc.rows]
    assert ["规章", "5", "0", "12"] in texts
    assert ["行政规范性文件", "36", "4", "208"] in texts
    assert ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"] in texts
    assert [str(v) for v in HUAIAN_S4] in texts
    row = next(r for r in doc.rows if r[0].text == "规章")
    assert all(c.source.page == 1 and c.source.bbox is not None for c in row)
    assert row[0].source.bbox[2] < row[1].source.bbox[0]  # cells left to right


def test_vertical_labels_are_rebuilt(unruled_pdf):
    doc = pdf_reader.read(unruled_pdf, "unruled.pdf")
    texts = [[c.text for c in row] for row in doc.rows]
    assert ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3 in texts


def test_page_marks_are_removed(unruled_pdf):
    doc = pdf_reader.read(unruled_pdf, "unruled.pdf")
    flat = [c.text for row in doc.rows for c in row]
    assert "- 1 -" not in flat and "— 2 —" not in flat
    assert "- 1 -" not in doc.text and "— 2 —" not in doc.text
    assert doc.pages == 2


def test_unruled_pdf_interprets(unruled_pdf):
    report = parse_bytes(unruled_pdf, "unruled.pdf")
    assert report.error is None
    values = report.values()
    assert values["s2.art20_1.regulations.issued"] == 5
    assert values["s2.art20_1.normative_documents.in_force"] == 208
    assert values["s2.art20_5.administrative_licensing.decisions"] == 17
    assert [values[f"s4.{k}"] for k in S4_COL_KEYS] == list(HUAIAN_S4)


def test_kangxi_radicals_are_normalised():
    """Chromium's PDF (Noto CJK as Type 3 fonts) maps 行 to ⾏ (U+2F8F) and so on."""
    path = RENDERED / "000_bd3a826d0705f6e5.pdf"
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    with pdfplumber.open(path) as pdf:
        raw = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "⾏" in raw  # the raw text layer has radicals...
    doc = pdf_reader.read(path.read_bytes(), path.name)
    everything = doc.text + "".join(c.text for row in doc.rows for c in row)
    assert not [ch for ch in everything if "\u2f00" <= ch <= "\u2fdf" or "\u2e80" <= ch <= "\u2eff"]
    assert "行政许可" in everything  # ...the Document has the ordinary characters


def test_label_cut_by_a_page_break_is_joined_but_a_new_label_is_not():
    from parsing.readers.grid import GridCell

    def block(rows, page):
        grid = [[GridCell(t) if t is not None else None for t in r] for r in rows]
        return pdf_reader.TableBlock(grid, (0, 0, 100, 100), [0.0, 30.0, 60.0, 100.0], page)

    prev = block(
        [
            ["（三）不予公开", "1.属于国家秘密", "2"],
            [None, "2.其他法律行政法规禁止公开", "0"],
            ["（四）无", "1.本机关不掌握相关政府信息", "7"],
        ],
        1,
    )
    nxt = block([["法提供", "2.没有现成信息需要另行制作", "1"], [None, "3.补正后申请内容仍不明确", "0"]], 2)
    assert pdf_reader._continues(prev, nxt)
    joined = pdf_reader._stitch(prev, nxt)
    assert joined.grid[2][0].text == "（四）无\n法提供"
    assert joined.grid[3][0] is None
    assert len(joined.grid) == 5

    header = block([["信息内容", "本年新制作数量", "本年新公开数量"]], 1)
    rows = block([["规章", "0", "0"], ["规范性文件", "1", "2"]], 2)
    joined = pdf_reader._stitch(header, rows)
    assert [c.text for c in joined.grid[1]] == ["规章", "0", "0"]  # a whole label is a new row
    assert joined.grid[0][0].text == "信息内容"


def test_unruled_official_tables_with_wrapped_labels_give_every_cell_exact(tmp_path):
    """The 淮安 report laid out in the official tables with every ruling line removed: labels wrap
    over two or three lines and the numbers sit on the middle one; table 三 crosses a page."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is installed by make setup")
    import render_seeds
    from test_fixtures_real import HUAIAN, _huaian_expected

    report = parse_bytes(HUAIAN.read_bytes(), HUAIAN.name)
    page = render_seeds.to_html(render_seeds.build(report, report.text), gbk=False).decode("utf-8")
    assert "border: 1px solid #000;" in page
    src = tmp_path / "unruled.html"
    page = page.replace("border: 1px solid #000;", "border: none;").replace(' border="1"', "")
    src.write_text(page, encoding="utf-8")
    out = tmp_path / "unruled.pdf"
    chromium_pdf(src, out, tmp_path / "profile")
    data = out.read_bytes()
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    with pdfplumber.open(out) as pdf:
        assert not any(page.lines or page.rects for page in pdf.pages)  # really unruled
    doc = pdf_reader.read(data, "unruled.pdf")
    texts = [[c.text for c in row] for row in doc.rows]
    # The wrapped label is whole again and sits on the row of its numbers.
    row = next(r for r in texts if r[0].startswith("1.申请人无正当理由"))
    assert "\n" in row[0] and row[0].replace("\n", "").endswith("不再处理其政府信息公开申请")
    assert row[1:] == ["67", "3", "0", "0", "1", "0", "71"]
    parsed = parse_bytes(data, "unruled.pdf")
    assert parsed.values() == _huaian_expected()
    assert not [c for c in parsed.checks if c.status == "fail"]


def test_stitching_looks_past_running_headers_and_footers():
    from parsing.readers.grid import GridCell

    def table(rows, page, top, bottom):
        grid = [[GridCell(t) if t is not None else None for t in r] for r in rows]
        return pdf_reader.TableBlock(grid, (50, top, 500, bottom), [50.0, 200.0, 500.0], page)

    def line(text, page, top):
        return pdf_reader.LineBlock([pdf_reader.Word(text, 250, top, 350, top + 10)], page, top, top + 10)

    page1 = pdf_reader.PageLayout(1, 595, 842)
    page1.items = [
        table([["（四）无", "1.本机关不掌握相关政府信息"]], 1, 600, 780),
        line("淮安市人民政府办公室", 1, 800),
    ]
    page2 = pdf_reader.PageLayout(2, 595, 842)
    page2.items = [
        line("2024年政府信息公开工作年度报告", 2, 40),
        table([["法提供", "2.没有现成信息需要另行制作"]], 2, 90, 300),
    ]
    doc = pdf_reader.assemble([page1, page2])
    texts = [[c.text for c in row] for row in doc.rows]
    assert ["（四）无\n法提供", "1.本机关不掌握相关政府信息"] in texts
    assert ["2.没有现成信息需要另行制作"] in texts
    assert {c.source.table for row in doc.rows for c in row if c.source.table is not None} == {0}

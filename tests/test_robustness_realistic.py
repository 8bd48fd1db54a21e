"""Mis-parse hunt on realistic documents the parser has never seen (see tests/realistic_docs.py).

Every document is generated with known cell values, in the shapes real sites and offices produce:
CMS pages (layout tables, sidebars with numbers, split ``<span>``/``<font>`` runs, ``&nbsp;`` cells),
Word's "Save as HTML", GBK pages with and without a charset, UTF-8 with BOM, traditional script,
Word files with gridSpan/vMerge, Excel workbooks, and PDFs printed by Chromium and LibreOffice with
tables crossing page breaks. Each case asserts that every cell the document contains parses to
exactly the value written, and that no other cell appears.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import realistic_docs as rd
from render_seeds import CHROMIUM, chromium_pdf

from parsing import schema
from parsing.api import parse_bytes
from parsing.report import ParsedReport

# --------------------------------------------------------------------------- the reports

R21 = rd.make_report("某市交通运输局", 2021, schema.V2021, schema.V2021, seed=1)
R19 = rd.make_report("某县教育局", 2020, schema.V2019, schema.V2019, seed=2)
SHANGHAI = rd.shanghai_blanks(
    rd.make_report("上海市人民政府办公厅", 2019, schema.V2019, schema.V2019, seed=3)
)
GAOLING = rd.all_slash(rd.make_report("西安市高陵区行政审批服务局", 2021, schema.V2021, schema.V2021, seed=4))
MIXED = rd.make_report("某县某镇人民政府", 2022, schema.V2019, schema.V2021, seed=5)  # v2019 二 + v2021 三
V2019_IN_2022 = rd.make_report("某县螅镇人民政府", 2022, schema.V2019, schema.V2019, seed=6)
V2021_IN_2020 = rd.make_report("某县七里乡人民政府", 2020, schema.V2021, schema.V2021, seed=7)

NBSP21 = rd.restyle_values(R21, "nbsp")
FULLWIDTH19 = rd.restyle_values(R19, "fullwidth")

OFFICIAL = rd.Layout()
SEPARATE_2COL = rd.Layout(s2="separate", s3_label_cols=2, s3_corner="row")
ONE_COL_BARE = rd.Layout(
    s2_captions=False, s2_extra_col=True, s3_label_cols=1, s3_corner="none", s3_extra_empty_col=True
)


def _template(rep: rd.Report) -> str:
    return rep.s2_version if rep.s2_version == rep.s3_version else "mixed"


@dataclass(frozen=True)
class Case:
    """One generated document and the report it was generated from."""

    data: bytes
    filename: str
    report: rd.Report


def _html(rep: rd.Report, lay: rd.Layout, encoding: str = "utf-8", traditional: bool = False, **kw) -> bytes:
    page = rd.html_page(rep, lay, **kw)
    if traditional:
        page = rd.to_traditional(page)
    # Characters the charset lacks are written as character references, as CMSs and browsers do.
    return page.encode(encoding, errors="xmlcharrefreplace")


HTML_CASES: dict[str, object] = {
    # CMS page: report inside a layout table next to a sidebar table with numbers, runs split over
    # <span>/<font>, <th> header rows.
    "cms_sidebar_v2021": lambda: Case(
        _html(R21, OFFICIAL, markup="cms", th=True, chrome="cms"), "a.html", R21
    ),
    "cms_sidebar_v2019": lambda: Case(_html(R19, SEPARATE_2COL, markup="cms", chrome="cms"), "a.html", R19),
    # HTML5 site chrome: the sidebar and menu are in <aside>/<nav>.
    "html5_aside_v2021": lambda: Case(_html(R21, OFFICIAL, markup="cms", chrome="html5"), "a.html", R21),
    "html5_aside_v2019": lambda: Case(_html(R19, ONE_COL_BARE, markup="cms", chrome="html5"), "a.html", R19),
    "plain_v2021": lambda: Case(_html(R21, OFFICIAL, chrome="plain"), "a.html", R21),
    "plain_separate_2col_v2021": lambda: Case(
        _html(R21, SEPARATE_2COL, chrome="plain", th=True), "a.html", R21
    ),
    "plain_one_col_v2021": lambda: Case(_html(R21, ONE_COL_BARE, chrome="plain"), "a.html", R21),
    "plain_one_col_v2019": lambda: Case(_html(R19, ONE_COL_BARE, chrome="plain"), "a.html", R19),
    "captions_as_paragraphs_v2019": lambda: Case(
        _html(R19, rd.Layout(s2="separate"), chrome="plain", s2_caption_as="paragraph"), "a.html", R19
    ),
    "captions_in_caption_tags_v2019": lambda: Case(
        _html(R19, rd.Layout(s2="separate"), chrome="plain", s2_caption_as="caption"), "a.html", R19
    ),
    "thead_th_html5_v2021": lambda: Case(
        _html(R21, OFFICIAL, chrome="html5", th=True, thead=True), "a.html", R21
    ),
    "nbsp_padded_numbers_v2021": lambda: Case(
        _html(NBSP21, OFFICIAL, markup="cms", chrome="plain"), "a.html", NBSP21
    ),
    "fullwidth_digits_gbk_v2019": lambda: Case(
        _html(FULLWIDTH19, SEPARATE_2COL, "gbk", chrome="plain"), "a.html", FULLWIDTH19
    ),
    # Word "Save as HTML": mso styles, <o:p>, zero-height width row, UTF-8 with BOM.
    "word_html_bom_v2021": lambda: Case(
        _html(R21, OFFICIAL, "utf-8-sig", markup="word", chrome="word"), "a.htm", R21
    ),
    "word_html_gbk_v2019": lambda: Case(
        _html(R19, SEPARATE_2COL, "gbk", markup="word", chrome="word", charset_meta="gb2312"), "a.htm", R19
    ),
    # Shanghai 2019: blank zero cells, blank 总计 in outcome rows; gb2312 declared, GBK-only 縣 used.
    "shanghai_gb2312_meta": lambda: Case(
        _html(
            SHANGHAI,
            rd.Layout(s2="separate"),
            "gbk",
            chrome="plain",
            charset_meta="gb2312",
            prose_extra="縣級機關參與",
        ),
        "a.html",
        SHANGHAI,
    ),
    "shanghai_gbk_no_meta_cms": lambda: Case(
        _html(SHANGHAI, rd.Layout(s3_label_cols=2), "gbk", markup="cms", chrome="plain", charset_meta=None),
        "a.html",
        SHANGHAI,
    ),
    "gaoling_slashes_word_html": lambda: Case(
        _html(GAOLING, OFFICIAL, "utf-8-sig", markup="word", chrome="word"), "a.htm", GAOLING
    ),
    "mixed_v2019_s2_v2021_s3": lambda: Case(_html(MIXED, OFFICIAL, chrome="plain"), "a.html", MIXED),
    "v2019_in_2022_no_captions": lambda: Case(
        _html(V2019_IN_2022, rd.Layout(s2_captions=False), chrome="plain"), "a.html", V2019_IN_2022
    ),
    "v2021_in_2020_no_captions": lambda: Case(
        _html(V2021_IN_2020, rd.Layout(s2_captions=False), chrome="plain"), "a.html", V2021_IN_2020
    ),
    "traditional_utf8_v2021": lambda: Case(
        _html(R21, OFFICIAL, traditional=True, chrome="plain"), "a.html", R21
    ),
    "traditional_gbk_no_meta_v2019": lambda: Case(
        _html(
            R19,
            rd.Layout(s3_label_cols=2),
            "gbk",
            traditional=True,
            markup="cms",
            chrome="plain",
            charset_meta=None,
        ),
        "a.html",
        R19,
    ),
    "traditional_big5_shanghai": lambda: Case(
        _html(SHANGHAI, OFFICIAL, "big5", traditional=True, chrome="plain", charset_meta="big5"),
        "a.html",
        SHANGHAI,
    ),
}
HTML_XFAIL: dict = {}

OFFICE_CASES: dict[str, object] = {
    "docx_v2021": lambda: Case(rd.docx_bytes(R21, OFFICIAL), "a.docx", R21),
    "docx_v2019_separate_2col": lambda: Case(rd.docx_bytes(R19, SEPARATE_2COL), "a.docx", R19),
    "docx_one_col_v2019": lambda: Case(rd.docx_bytes(R19, ONE_COL_BARE), "a.docx", R19),
    "docx_one_col_v2021": lambda: Case(rd.docx_bytes(R21, ONE_COL_BARE), "a.docx", R21),
    "docx_shanghai_blanks": lambda: Case(rd.docx_bytes(SHANGHAI, OFFICIAL), "a.docx", SHANGHAI),
    "docx_gaoling_slashes": lambda: Case(rd.docx_bytes(GAOLING, SEPARATE_2COL), "a.docx", GAOLING),
    "docx_mixed": lambda: Case(rd.docx_bytes(MIXED, rd.Layout(s2="separate")), "a.docx", MIXED),
    "docx_traditional_v2021": lambda: Case(rd.docx_bytes(R21, OFFICIAL, traditional=True), "a.docx", R21),
    "docx_pasted_in_layout_table": lambda: Case(rd.docx_in_layout_table(R21, SEPARATE_2COL), "a.docx", R21),
    "docx_edited_runs_and_paragraphs": lambda: Case(
        rd.docx_bytes(SHANGHAI, SEPARATE_2COL, edited=True), "a.docx", SHANGHAI
    ),
    "xlsx_v2021_one_sheet": lambda: Case(rd.xlsx_bytes(R21, OFFICIAL), "a.xlsx", R21),
    "xlsx_v2019_sheets": lambda: Case(rd.xlsx_bytes(R19, SEPARATE_2COL, one_sheet=False), "a.xlsx", R19),
    "xlsx_one_col_v2021": lambda: Case(rd.xlsx_bytes(R21, ONE_COL_BARE), "a.xlsx", R21),
    "xlsx_shanghai_blanks": lambda: Case(rd.xlsx_bytes(SHANGHAI, OFFICIAL), "a.xlsx", SHANGHAI),
}
OFFICE_XFAIL: dict = {}

# PDFs: (source kind, report, layout, options). Chromium prints an HTML page; LibreOffice a DOCX.
_TALL = "td,th{font-size:13px;padding:6px}"
_NO_BORDERS = "table,td,th{border:none !important}"  # a page whose tables have no rules at all
PDF_SOURCES: dict[str, tuple] = {
    "chromium_v2021": ("html", R21, OFFICIAL, {"chrome": "plain", "css": _TALL}),
    "chromium_shanghai_2col": ("html", SHANGHAI, SEPARATE_2COL, {"chrome": "plain", "css": _TALL}),
    "chromium_word_html_row_split": (
        "html",
        R21,
        rd.Layout(s3_corner="row"),
        {"markup": "word", "chrome": "word"},
    ),
    "chromium_thead_repeated_v2019": (
        "html",
        R19,
        OFFICIAL,
        {"chrome": "plain", "css": _TALL, "thead": True},
    ),
    "chromium_traditional_v2021": (
        "html",
        R21,
        OFFICIAL,
        {"chrome": "plain", "css": _TALL, "traditional": True},
    ),
    "chromium_borderless_v2019": (
        "html",
        R19,
        rd.Layout(s3_label_cols=2),
        {"chrome": "plain", "css": _NO_BORDERS},
    ),
    "soffice_v2021": ("docx", R21, OFFICIAL, {"long_intro": 6}),
    "soffice_edited_one_col_shanghai": ("docx", SHANGHAI, ONE_COL_BARE, {"long_intro": 3, "edited": True}),
    "soffice_shanghai_2col": ("docx", SHANGHAI, rd.Layout(s3_label_cols=2), {"long_intro": 4}),
    "soffice_mixed_separate": ("docx", MIXED, rd.Layout(s2="separate"), {"long_intro": 5}),
}


# Unruled tables with group labels centred over rows whose labels wrap over several lines, in
# columns so tight that a group label nearly touches the row label beside it: what is read must be
# right, and (since the reader splits tight numbered cells and joins labels broken by the author)
# every cell is read. name → (source, least share of the cells recovered when written).
BORDERLESS = {
    "borderless_v2021_3col": (("html", R21, OFFICIAL, {"chrome": "plain", "css": _NO_BORDERS}), 1.0),
    "borderless_v2019_2col_groups": (
        ("html", R19, SEPARATE_2COL, {"chrome": "plain", "css": _NO_BORDERS}),
        1.0,
    ),
}


# --------------------------------------------------------------------------- assertions


def assert_cells_exact(report: ParsedReport, rep: rd.Report) -> None:
    """Every cell of the document parsed to the value written; no other cell; the right template."""
    assert report.error is None, report.error
    expected = rep.cells()
    got = report.cells
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    wrong = sorted(
        (k, expected[k].raw, expected[k].value, got[k].value)
        for k in set(expected) & set(got)
        if got[k].value != expected[k].value or type(got[k].value) is not type(expected[k].value)
    )
    assert not (missing or extra or wrong), (
        f"missing {missing[:10]} extra {extra[:10]} wrong {wrong[:10]} warnings {report.warnings[:6]}"
    )
    for key, val in expected.items():
        if key.endswith("procurement_amount"):
            assert got[key].unit == val.unit, key
    assert report.year == rep.year
    assert report.template == _template(rep)


def _params(cases: dict, xfails: dict) -> list:
    return [pytest.param(name, marks=xfails[name]) if name in xfails else name for name in cases]


@pytest.mark.parametrize("name", _params(HTML_CASES, HTML_XFAIL))
def test_html_pages_parse_every_cell_exactly(name: str) -> None:
    case = HTML_CASES[name]()
    assert_cells_exact(parse_bytes(case.data, case.filename), case.report)


@pytest.mark.parametrize("name", _params(OFFICE_CASES, OFFICE_XFAIL))
def test_word_and_excel_files_parse_every_cell_exactly(name: str) -> None:
    case = OFFICE_CASES[name]()
    assert_cells_exact(parse_bytes(case.data, case.filename), case.report)


@pytest.fixture(scope="session")
def realistic_pdfs(tmp_path_factory) -> dict[str, Path]:
    """All PDFs printed once per session: Chromium per page, LibreOffice in one batch."""
    out = tmp_path_factory.mktemp("realistic_pdfs")
    pdfs: dict[str, Path] = {}
    docx_paths = []
    sources = {**PDF_SOURCES, **{name: src for name, (src, _) in BORDERLESS.items()}}
    for name, (kind, rep, lay, opts) in sources.items():
        if kind == "html":
            if not Path(CHROMIUM).exists():
                continue
            opts = dict(opts)
            traditional = opts.pop("traditional", False)
            html = rd.html_page(rep, lay, **opts)
            page = out / f"{name}.html"
            page.write_text(rd.to_traditional(html) if traditional else html, encoding="utf-8")
            target = out / f"{name}.pdf"
            chromium_pdf(page, target, check=False)
        else:
            path = out / f"{name}.docx"
            path.write_bytes(rd.docx_bytes(rep, lay, **opts))
            docx_paths.append(path)
    soffice = shutil.which("soffice")
    if docx_paths and soffice:
        subprocess.run(
            [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(out), *map(str, docx_paths)],
            capture_output=True,
            timeout=240,
            check=False,
        )
    for name in sources:
        if (out / f"{name}.pdf").exists():
            pdfs[name] = out / f"{name}.pdf"
    return pdfs


def _pdf(pdfs: dict[str, Path], name: str) -> bytes:
    if name not in pdfs:
        pytest.skip(f"{name}: Chromium/LibreOffice not installed (make setup)")
    return pdfs[name].read_bytes()


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("name", list(PDF_SOURCES))
def test_printed_pdfs_parse_every_cell_exactly(realistic_pdfs, name: str) -> None:
    data = _pdf(realistic_pdfs, name)
    rep = PDF_SOURCES[name][1]
    assert _pages(data) >= 3  # the tables do cross page breaks
    report = parse_bytes(data, f"{name}.pdf")
    assert_cells_exact(report, rep)
    s3_pages = {c.source.page for k, c in report.cells.items() if k.startswith("s3.")}
    assert len(s3_pages) >= 2, f"table 三 should cross a page break, found on pages {s3_pages}"


@pytest.mark.parametrize("name", list(BORDERLESS))
def test_borderless_pdf_tables_are_never_wrong(realistic_pdfs, name: str) -> None:
    data = _pdf(realistic_pdfs, name)
    (_, rep, _, _), share = BORDERLESS[name]
    report = parse_bytes(data, f"{name}.pdf")
    expected = rep.cells()
    for key, cell in report.cells.items():
        assert key in expected, f"invented cell {key}"
        assert cell.value == expected[key].value, (key, cell.raw, expected[key].raw)
    assert all(k in report.cells for k in rep.s2)
    assert all(k in report.cells for k in rep.s4)
    assert len(report.cells) >= share * len(expected)


# --------------------------------------------------------------------------- truncated documents


def _assert_prefix(report: ParsedReport, rep: rd.Report, complete_rows: list[str]) -> None:
    """A cut document: what was parsed is exact, rows wholly before the cut are all there."""
    expected = rep.cells()
    for key, cell in report.cells.items():
        assert key in expected, f"invented cell {key}"
        assert cell.value == expected[key].value, (key, cell.raw, expected[key].raw)
    for row in complete_rows:
        for col in schema.S3_COL_KEYS:
            assert f"s3.{row}.{col}" in report.cells, f"s3.{row}.{col} lost before the cut"
    assert not any(k.startswith("s4.") for k in report.cells)


def test_html_cut_in_the_middle_of_table_three() -> None:
    page = rd.html_page(R21, OFFICIAL, markup="cms", chrome="plain")
    row_at = page.index("2.重复申请")
    cut = page.index("</td>", page.index("</td>", row_at) + 5)  # inside the row, after its first value
    report = parse_bytes(page[:cut].encode("utf-8"), "cut.html")
    rows = [r.key for r in schema.s3_rows(schema.V2021)]
    before = rows[: rows.index("r3_5_2_repeated")]
    _assert_prefix(report, R21, before)
    assert all(k in report.cells for k in R21.s2)
    assert not any(k.startswith("s3.r3_5_2_repeated.") for k in report.cells)  # half a row is not a row


def test_pdf_cut_after_its_first_pages(realistic_pdfs) -> None:
    from pypdf import PdfReader, PdfWriter

    data = _pdf(realistic_pdfs, "chromium_v2021")
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for page in reader.pages[:2]:
        writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    full = parse_bytes(data, "full.pdf")
    report = parse_bytes(buf.getvalue(), "cut.pdf")
    on_first_pages = [
        k.split(".")[1]
        for k, c in full.cells.items()
        if k.startswith("s3.") and k.endswith(".total") and c.source is not None and c.source.page <= 2
    ]
    assert len(on_first_pages) >= 5  # the cut is in the middle of table 三
    _assert_prefix(report, R21, on_first_pages[:-1])  # the row at the page foot may be the cut one


# --------------------------------------------------------------------------- numbers that break the rules


def test_rule_violations_fail_with_the_numbers() -> None:
    s3 = dict(R21.s3)
    s4 = dict(R21.s4)
    granted = s3["s3.r3_1_granted.natural_person"].value
    s3["s3.r3_1_granted.natural_person"] = rd.Val(str(granted + 2), granted + 2)  # D1 row and D3 column break
    new_total = s3["s3.r1_new_received.total"].value
    s3["s3.r1_new_received.total"] = rd.Val(str(new_total + 5), new_total + 5)  # D1 row and O1 total break
    review = s4["s4.review_total"].value
    s4["s4.review_total"] = rd.Val(str(review + 1), review + 1)  # D5 review breaks
    bad = replace(R21, s3=s3, s4=s4)
    report = parse_bytes(rd.html_page(bad, OFFICIAL, markup="cms", chrome="plain").encode("gbk"), "bad.html")
    assert_cells_exact(report, bad)
    fails = {(c.rule, c.where): c.detail for c in report.checks if c.status == "fail"}
    r3 = [s3[f"s3.r3_1_granted.{c}"].value for c in schema.S3_APPLICANT_COLS]
    assert ("D1_row_total", "r3_1_granted") in fails
    assert f"{s3['s3.r3_1_granted.total'].value} = " in fails[("D1_row_total", "r3_1_granted")]
    assert f"≠ {sum(r3)}" in fails[("D1_row_total", "r3_1_granted")]
    assert ("D3_outcome_sum", "natural_person") in fails
    assert ("D1_row_total", "r1_new_received") in fails
    assert ("O1_balance", "total") in fails
    assert str(new_total + 5) in fails[("O1_balance", "total")]
    assert ("D5_review", "review") in fails
    assert f"{review + 1}" in fails[("D5_review", "review")]
    # Nothing else fails: the untouched rows and columns still balance.
    assert len(fails) == 5, fails
    clean = parse_bytes(rd.html_page(R21, OFFICIAL, markup="cms", chrome="plain").encode("gbk"), "ok.html")
    assert not [c for c in clean.checks if c.status == "fail"]


def test_decimal_run_into_its_label() -> None:
    """Text copied out of a PDF glues a one-column row's label and number together."""
    text = (
        "某局2021年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（八）项\n"
        "信息内容\t本年收费金额（单位：万元）\n行政事业性收费12.56\n五、存在的主要问题及改进情况\n"
    )
    report = parse_bytes(text.encode("utf-8"), "glued.txt")
    assert report.cells["s2.art20_8.administrative_fees.fee_amount_wan_yuan"].value == 12.56

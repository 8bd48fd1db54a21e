"""A report saved as Word by LibreOffice (.docx, .doc) and exported to PDF gives the cells of its web page.

Agencies write their reports in Word and supervisors receive the .docx, the .doc or a PDF exported
from it. Every real report the project has as a web page (``sample_reports/rendered/*.html``, the
seeds laid out in the official tables of both formats) and a few realistic pages written here are
converted by LibreOffice itself, as an agency's office would: HTML → .docx and HTML → .doc, then
each of those → PDF. Each form must give the page's cells (value and raw text), checks and metadata
(year, agency, region, template versions), and keep the page's publication-date line.

Differences that cannot be avoided are listed in ``EXPECTED_MISSING`` with the reason: LibreOffice
sizes a web page's table to its content, so a wide table runs past the right edge of the A4 page
and the cells out there are never printed in the PDF. The parser must report those rows as cut by
the page edge and read their printed columns; it must never read the unprinted cells as blank.

The conversions run once per test session (one ``soffice`` call per target format for all pages).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pytest
import realistic_docs as rd
from paths import RENDERED

from parsing import schema
from parsing.api import parse_bytes
from parsing.document import Document, Source, SourceCell
from parsing.interpret import interpret
from parsing.readers.legacy import soffice_path
from parsing.report import ParsedReport

SEED_PAGES = sorted(p for p in RENDERED.glob("*.html") if not p.name.endswith(".gbk.html"))
assert SEED_PAGES, f"no rendered seed page in {RENDERED}: run scripts/render_seeds.py"
FORMS = ("docx", "doc", "docx.pdf", "doc.pdf")

# --------------------------------------------------------------------------- realistic pages


def _with_other_processing(rep: rd.Report, n: int) -> rd.Report:
    """The v2019 row （六）其他处理 with ``n`` requests from natural persons (the rules still hold)."""
    s3 = dict(rep.s3)
    for row in ("r3_6_other", "r3_7_total", "r1_new_received"):
        for col in ("natural_person", "total"):
            key = f"s3.{row}.{col}"
            s3[key] = rd.Val(str(s3[key].value + n), s3[key].value + n)
    return replace(rep, s3=s3)


def _blank_organisations(rep: rd.Report) -> rd.Report:
    """Only natural persons applied: the five organisation columns of 三 are left blank."""
    orgs = schema.S3_APPLICANT_COLS[1:]
    s3 = {k: (rd.Val("", None) if k.split(".")[-1] in orgs else v) for k, v in rep.s3.items()}
    return replace(rep, s3=s3)


def _split_table_three(page: str, rep: rd.Report, lay: rd.Layout, after: str, **kw) -> str:
    """Table 三 as two tables, the second repeating the header rows (a page break in the source)."""
    table = rd.s3_table(rep, lay)
    nhead = next(i for i, row in enumerate(table.rows) if not all(c.head for c in row))
    cut = next(i for i, row in enumerate(table.rows) if row[0].text.startswith(after)) + 1
    whole = rd.html_table(table, **kw)
    first = rd.html_table(rd.Table(table.rows[:cut]), **kw)
    second = rd.html_table(rd.Table(table.rows[:nhead] + table.rows[cut:]), **kw)
    assert whole in page
    return page.replace(whole, f"{first}\n<p>&nbsp;</p>\n{second}")


def _floated_info(page: str) -> str:
    """The CMS info line (publication date, source) floated to the right: LibreOffice makes it a frame."""
    return page.replace('<div class="info">', '<div class="info" style="float:right;width:45%">', 1)


@dataclass(frozen=True)
class Variant:
    name: str
    report: rd.Report
    html: str


@cache
def variants() -> tuple[Variant, ...]:
    r19 = _with_other_processing(
        rd.make_report("某县人力资源和社会保障局", 2020, schema.V2019, schema.V2019, seed=21), 3
    )
    one_col = rd.Layout(s3_label_cols=1)
    page19 = rd.html_page(r19, one_col, markup="word", chrome="word")
    split19 = _split_table_three(page19, r19, one_col, "4.保护第三方合法权益", markup="word")
    r21 = _blank_organisations(rd.make_report("某区民政局", 2022, schema.V2021, schema.V2021, seed=22))
    two_col = rd.Layout(s3_label_cols=2)
    blank21 = _floated_info(rd.html_page(r21, two_col, markup="word", chrome="plain"))
    # Borders set only in the page's style sheet, which LibreOffice does not apply: the PDF table has
    # no rules, and its long labels wrap over up to four lines beside their numbers.
    r21b = rd.make_report("某市生态环境局", 2023, schema.V2021, schema.V2021, seed=23)
    unruled = rd.html_page(r21b, rd.Layout(), chrome="plain").replace(
        'border="1" cellspacing="0"', 'width="100%" cellspacing="0"'
    )
    # The same without rules and with the organisation columns blank: nothing is printed in their
    # cells, so each number is placed by the column it stands under.
    r19b = _blank_organisations(rd.make_report("某县教育局", 2020, schema.V2019, schema.V2019, seed=24))
    unruled_blank = rd.html_page(r19b, two_col, chrome="plain").replace(
        'border="1" cellspacing="0"', 'width="100%" cellspacing="0"'
    )
    return (
        Variant("v2019_six_with_values_split_header", r19, split19),
        Variant("v2019_unruled_blank_orgs", r19b, unruled_blank),
        Variant("v2021_blank_orgs_wrapped_floated_date", r21, blank21),
        Variant("v2021_unruled_wrapped_labels", r21b, unruled),
    )


# --------------------------------------------------------------------------- conversion


@pytest.fixture(scope="session")
def converted(tmp_path_factory) -> dict[str, Path]:
    """stem → directory holding ``<stem>.html`` and its LibreOffice forms (``<stem>.<form>``)."""
    binary = soffice_path()
    if binary is None:
        pytest.skip("LibreOffice is not installed (make setup installs it)")
    base = tmp_path_factory.mktemp("word-forms")
    src = base / "html"
    src.mkdir()
    for page in SEED_PAGES:
        (src / page.name).write_bytes(page.read_bytes())
    for v in variants():
        (src / f"{v.name}.html").write_text(v.html, encoding="utf-8")
    pages = sorted(src.glob("*.html"))
    _soffice(binary, base, "docx:MS Word 2007 XML", base / "docx", pages)
    _soffice(binary, base, "doc:MS Word 97", base / "doc", pages)
    _soffice(binary, base, "pdf", base / "docx.pdf", sorted((base / "docx").glob("*.docx")))
    _soffice(binary, base, "pdf", base / "doc.pdf", sorted((base / "doc").glob("*.doc")))
    out = {}
    for page in pages:
        stem = page.name[: -len(".html")]
        for form, folder, suffix in (
            ("docx", "docx", ".docx"),
            ("doc", "doc", ".doc"),
            ("docx.pdf", "docx.pdf", ".pdf"),
            ("doc.pdf", "doc.pdf", ".pdf"),
        ):
            made = base / folder / f"{stem}{suffix}"
            assert made.is_file(), f"LibreOffice did not convert {page.name} to {form}"
            (src / f"{stem}.{form}").write_bytes(made.read_bytes())
        out[stem] = src
    return out


def _soffice(binary: str, base: Path, target: str, outdir: Path, files: list[Path]) -> None:
    cmd = [binary, f"-env:UserInstallation=file://{base / 'profile'}", "--headless", "--norestore"]
    cmd += ["--convert-to", target, "--outdir", str(outdir), *map(str, files)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600, env={**os.environ, "HOME": str(base)})


@cache
def _parse(path: Path) -> ParsedReport:
    name = path.name.replace(".docx.pdf", ".pdf").replace(".doc.pdf", ".pdf")
    return parse_bytes(path.read_bytes(), name)


# --------------------------------------------------------------------------- expected differences

_S3_TOTAL = {f"s3.{r.key}.total" for r in schema.S3_ROWS}


def _s4(*cols: str) -> set[str]:
    return {f"s4.lit_after_review_{c}" for c in cols}


# Cells a form does not have, with the reason. Only the PDFs lose cells, and only these: LibreOffice
# lays the seed pages' tables out wider than A4 (the pages give no table width), so in the PDF the
# 总计 column of 三 and the last columns of 四 lie beyond the right edge of the paper. They are absent
# from the PDF itself; the parser reads the printed columns and warns about the cut.
_CUT_BY_PAGE_EDGE = "table wider than the A4 page: these columns are not printed in the PDF"
EXPECTED_MISSING: dict[tuple[str, str], tuple[set[str], str]] = {}
for _pdf in ("docx.pdf", "doc.pdf"):
    for _stem, _s4_cut in (
        ("000_bd3a826d0705f6e5", _s4("pending", "total")),
        ("001_d954dc0dac9f162f", _s4("pending", "total")),
        ("002_d0afa1047310c76e", _s4("pending", "total")),
        ("004_e3c733e02cbb2cbf", _s4("pending", "total")),
    ):
        EXPECTED_MISSING[(_stem, _pdf)] = (_S3_TOTAL | _s4_cut, _CUT_BY_PAGE_EDGE)


def _cases():
    stems = [p.name[: -len(".html")] for p in SEED_PAGES] + [v.name for v in variants()]
    for stem in stems:
        for form in FORMS:
            yield pytest.param(stem, form, id=f"{stem[:40]}-{form}")


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize(("stem", "form"), list(_cases()))
def test_word_form_gives_the_page_cells(converted, stem: str, form: str) -> None:
    folder = converted[stem]
    page = _parse(folder / f"{stem}.html")
    other = _parse(folder / f"{stem}.{form}")
    assert other.error is None, other.error
    assert (other.year, other.agency, other.region) == (page.year, page.agency, page.region)
    assert (other.template, other.table_versions) == (page.template, page.table_versions)
    missing, why = EXPECTED_MISSING.get((stem, form), (set(), ""))
    missing = missing & set(page.cells)
    assert set(other.cells) == set(page.cells) - missing, why or "cells differ"
    # Raw text is compared without spaces: a PDF prints the gap between '251000' and '元' as a space.
    wrong = {
        k: (c.raw, other.cells[k].raw)
        for k, c in page.cells.items()
        if k in other.cells
        and (c.value, c.raw.replace(" ", "")) != (other.cells[k].value, other.cells[k].raw.replace(" ", ""))
    }
    assert wrong == {}
    page_checks = {(c.rule, c.where): c.status for c in page.checks}
    other_checks = {(c.rule, c.where): c.status for c in other.checks}
    if not missing:
        assert other_checks == page_checks
    else:
        # A check over a cell that was not printed cannot run: it is skipped, never failed or passed.
        changed = {k: (page_checks.get(k), s) for k, s in other_checks.items() if page_checks.get(k) != s}
        assert all(s == "skipped" for _, s in changed.values()), changed
        assert any("页面右边缘" in w for w in other.warnings)


@pytest.mark.parametrize(("stem", "form"), [c for c in _cases() if c.values[1] == "docx.pdf"])
def test_pdf_never_reads_unprinted_cells_as_blank(converted, stem: str, form: str) -> None:
    """Every cell a PDF gives is a cell the page has, with the page's value (blank stays blank)."""
    folder = converted[stem]
    page = _parse(folder / f"{stem}.html")
    other = _parse(folder / f"{stem}.{form}")
    for key, cell in other.cells.items():
        assert key in page.cells and page.cells[key].value == cell.value, key


@pytest.mark.parametrize("variant", variants(), ids=lambda v: v.name)
def test_variant_pages_hold_the_report(variant: Variant) -> None:
    """The realistic pages are read exactly as the web page; the forms are compared with them above."""
    page = parse_bytes(variant.html.encode("utf-8"), f"{variant.name}.html")
    assert page.values() == variant.report.expected()
    assert (page.year, page.agency) == (variant.report.year, variant.report.agency)


_PUBLISHED = re.compile(
    r"(?:发布时间|发布日期|时间)\s*[:：]\s*(\d{4}\s*[-年./]\s*\d{1,2}\s*[-月./]\s*\d{1,2})"
)


def _dated_cases():
    for case in _cases():
        stem = case.values[0]
        page = RENDERED / f"{stem}.html"
        html = (
            page.read_text(encoding="utf-8")
            if page.is_file()
            else next(v.html for v in variants() if v.name == stem)
        )
        if _PUBLISHED.search(html):
            yield case


@pytest.mark.parametrize(("stem", "form"), list(_dated_cases()))
def test_publication_date_line_is_kept(converted, stem: str, form: str) -> None:
    """The page's publication line (in a frame when the page floated it) is in the form's text, once."""
    folder = converted[stem]
    page_text = _parse(folder / f"{stem}.html").text
    date = _PUBLISHED.search(page_text).group(1).replace(" ", "")
    text = _parse(folder / f"{stem}.{form}").text.replace(" ", "")
    assert text.count(date) == page_text.replace(" ", "").count(date) >= 1, date


# ----------------------------------------------------------------------- the mechanisms, without LibreOffice


def _grid(rows: list[list[str]], table: int, kind: str = "docx") -> list[list[SourceCell]]:
    return [
        [SourceCell(t, Source(kind, table=table, row=r, col=c)) for c, t in enumerate(row)]
        for r, row in enumerate(rows)
    ]


_HEADER = [
    [schema.S3_CORNER_NOTE, schema.S3_APPLICANT_GROUP],
    ["自然人", schema.S3_ORG_GROUP, "总计"],
    ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
]


def test_six_other_processing_is_a_leaf_row_of_2019_when_the_header_repeats() -> None:
    """（六）其他处理 with values and no sub-rows is the v2019 leaf row, even when table 三 repeats its
    header rows halfway (their 其他 and 总计 are column words, not the v2021 row 3.其他 or （七）总计)."""
    rows = [[r.label, "2", "1", "0", "0", "0", "0", "3"] for r in schema.s3_rows(schema.V2019)]
    head = [[SourceCell("三、收到和处理政府信息公开申请情况", Source("docx"))]]
    doc = Document("docx", rows=head + _grid(_HEADER + rows[:10], 0) + _grid(_HEADER + rows[10:], 1))
    found = interpret(doc)
    assert found.table_versions["s3"] == schema.V2019
    assert found.cells["s3.r3_6_other.natural_person"].value == 2
    assert found.cells["s3.r3_6_other.total"].value == 3
    assert len([k for k in found.cells if k.startswith("s3.")]) == 23 * 7
    assert found.warnings == []


def test_a_grid_cell_is_never_split_into_two_values() -> None:
    """'2 7' in one table cell is 27 written with a space; splitting it would shift the row."""
    rows = [["（一）予以公开", "2 7", "2", "0", "0", "0", "1"]]
    head = [[SourceCell("三、收到和处理政府信息公开申请情况", Source("pdf"))]]
    found = interpret(Document("pdf", rows=head + _grid(_HEADER + rows, 0, "pdf")))
    assert not any(k.startswith("s3.r3_1_granted") for k in found.cells)
    assert any("6 个数值" in w for w in found.warnings)


def test_a_row_cut_by_the_page_edge_keeps_its_printed_columns() -> None:
    """A PDF row whose last column lies beyond the paper: the printed columns are read, the cut one
    is absent (not blank), and the cut is reported."""
    placed = [  # (grid column, text) per row: the corner note spans column 0 of the header rows
        [(0, schema.S3_CORNER_NOTE), (1, schema.S3_APPLICANT_GROUP)],
        [(1, "自然人"), (2, schema.S3_ORG_GROUP)],  # 总计 (column 7) lies beyond the paper
        [(2, "商业企业"), (3, "科研机构"), (4, "社会公益组织"), (5, "法律服务机构"), (6, "其他")],
        [(0, "（一）予以公开"), (1, "27"), (2, ""), (3, ""), (4, ""), (5, ""), (6, "")],
    ]
    body = [
        [SourceCell(t, Source("pdf", table=0, row=r, col=c)) for c, t in row] for r, row in enumerate(placed)
    ]
    head = [[SourceCell("三、收到和处理政府信息公开申请情况", Source("pdf"))]]
    doc = Document("pdf", rows=head + body, clipped_rows=set(range(1, 1 + len(body))))
    found = interpret(doc)
    cells = {k: c.value for k, c in found.cells.items()}
    assert cells["s3.r3_1_granted.natural_person"] == 27
    assert cells["s3.r3_1_granted.commercial_enterprise"] is None
    assert "s3.r3_1_granted.total" not in cells
    assert any("超出页面右边缘" in w for w in found.warnings)


def test_docx_page_header_and_text_box_are_read_once() -> None:
    """A page header (LibreOffice puts a page's ``<div title="header">`` there) is read, and a text box
    (a floated block of the page) is read once, not twice (DrawingML box plus its VML fallback)."""
    import docx
    from lxml import etree

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "某县民政局2021年政府信息公开工作年度报告"
    body = d.add_paragraph()
    box = (
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        "<w:txbxContent><w:p><w:r><w:t>发布时间：2022-01-20</w:t>"
        "</w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r>"
        "<w:t>发布时间：2022-01-20</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    body._p.append(etree.fromstring(box))
    body.add_run("正文")
    buf = io.BytesIO()
    d.save(buf)
    report = parse_bytes(buf.getvalue(), "a.docx")
    assert (report.year, report.agency) == (2021, "某县民政局")
    assert report.text.splitlines()[:3] == [
        "某县民政局2021年政府信息公开工作年度报告",
        "发布时间：2022-01-20",
        "正文",
    ]


def test_six_other_processing_wrapped_in_a_narrow_cell_is_still_the_2019_leaf() -> None:
    """'（六）其他处' + '理' (a narrow PDF cell) matches the group label; with its own cells and no
    v2021 sub-row after it, it is the v2019 row （六）其他处理, not a subtotal to drop."""
    rows = [[r.label, "1", "0", "0", "0", "0", "0", "1"] for r in schema.s3_rows(schema.V2019)]
    six = next(i for i, r in enumerate(rows) if r[0] == "（六）其他处理")
    rows[six] = ["（六）其他处", "4", "0", "0", "0", "0", "0", "4"]
    head = [[SourceCell("三、收到和处理政府信息公开申请情况", Source("pdf"))]]
    found = interpret(Document("pdf", rows=head + _grid(_HEADER + rows, 0, "pdf")))
    assert found.table_versions["s3"] == schema.V2019
    assert found.cells["s3.r3_6_other.natural_person"].value == 4
    assert found.cells["s3.r3_6_other.total"].value == 4
    assert not any("小计" in w for w in found.warnings)

"""DOCX reader (merged cells de-duplicated) and legacy .doc/.wps through LibreOffice."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import pytest
import render_seeds
from test_fixtures_real import BLANK_2021, HUAIAN, _huaian_expected

from parsing.api import parse_bytes
from parsing.errors import ReadError
from parsing.readers import docx as docx_reader
from parsing.readers import legacy, sniff


def _huaian_docx() -> bytes:
    report = parse_bytes(HUAIAN.read_bytes(), HUAIAN.name)
    buf = io.BytesIO()
    render_seeds.to_docx(render_seeds.build(report, report.text), buf)
    return buf.getvalue()


def test_merged_cells_are_emitted_once():
    d = docx.Document()
    d.add_paragraph("二、主动公开政府信息情况")
    t = d.add_table(rows=3, cols=4)
    t.cell(0, 0).merge(t.cell(0, 3)).text = "第二十条第（五）项"  # gridSpan 4
    t.cell(1, 0).merge(t.cell(2, 0)).text = "行政许可"  # vMerge over two rows
    t.cell(1, 1).text = "4472"
    t.cell(1, 2).merge(t.cell(1, 3)).text = "28"
    t.cell(2, 1).text = ""
    buf = io.BytesIO()
    d.save(buf)
    doc = docx_reader.read(buf.getvalue(), "t.docx")
    rows = [[(c.text, c.source.row, c.source.col) for c in row] for row in doc.rows]
    assert rows == [
        [("二、主动公开政府信息情况", None, None)],
        [("第二十条第（五）项", 0, 0)],
        [("行政许可", 1, 0), ("4472", 1, 1), ("28", 1, 2)],
        [("", 2, 1), ("", 2, 2), ("", 2, 3)],
    ]
    assert all(c.source.kind == "docx" and c.source.table == 0 for row in doc.rows[1:] for c in row)


def test_runs_deletions_and_content_controls():
    d = docx.Document()
    p = d.add_paragraph()
    p.add_run("共受理申请")
    p.add_run("31")
    p.add_run("19")
    p.add_run("件")
    buf = io.BytesIO()
    d.save(buf)
    doc = docx_reader.read(buf.getvalue(), "runs.docx")
    assert doc.rows[0][0].text == "共受理申请3119件"
    assert "共受理申请3119件" in doc.text


def test_huaian_as_official_docx_gives_every_cell_exact():
    report = parse_bytes(_huaian_docx(), "huaian.docx")
    assert report.error is None and report.format == "docx"
    assert report.values() == _huaian_expected()
    assert not [c for c in report.checks if c.status == "fail"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by make setup")
def test_legacy_doc_through_libreoffice():
    legacy_bytes = _convert(BLANK_2021.read_bytes(), "doc")
    assert legacy_bytes.startswith(b"\xd0\xcf\x11\xe0")
    assert sniff.sniff(legacy_bytes, "template.doc") == "doc"
    assert sniff.sniff(legacy_bytes, "template.wps") == "wps"
    report = parse_bytes(legacy_bytes, "template.doc")
    assert report.error is None
    assert report.format == "doc"
    assert report.template == "2021"
    assert len(report.cells) == 200 and all(c.value is None for c in report.cells.values())
    doc_bytes = _convert(_huaian_docx(), "doc")
    report = parse_bytes(doc_bytes, "huaian.wps")
    assert report.values() == _huaian_expected()


def _convert(data: bytes, fmt: str) -> bytes:
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.docx"
        src.write_bytes(data)
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp}/p",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                tmp,
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return (Path(tmp) / f"in.{fmt}").read_bytes()


def test_legacy_without_libreoffice_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(legacy, "soffice_path", lambda: None)
    with pytest.raises(ReadError) as exc:
        legacy.read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.doc")
    assert exc.value.code == "converter_missing"
    assert "LibreOffice" in exc.value.zh


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by make setup")
def test_corrupt_legacy_doc_is_an_error_not_a_hang():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8
    report = parse_bytes(data, "broken.doc")
    assert report.error is not None
    assert report.error["code"] in ("corrupt", "no_content", "not_a_report")


def test_alt_chunk_html_inside_docx_is_read():
    """Web publishing systems export a report as a .docx wrapping an HTML part (w:altChunk)."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    d = docx.Document()
    d.add_paragraph("淮安市人民政府2024年政府信息公开工作年度报告")
    page = (
        "<html><body><table><tr><td>行政处罚</td>"
        "<td><span>398</span><span>5758</span></td></tr></table></body></html>"
    )
    part = Part(PackURI("/word/afchunk1.htm"), "text/html", page.encode("gb18030"), d.part.package)
    rid = d.part.relate_to(
        part, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk"
    )
    chunk = OxmlElement("w:altChunk")
    chunk.set(qn("r:id"), rid)
    d.element.body.insert(len(d.element.body) - 1, chunk)  # before the section properties
    buf = io.BytesIO()
    d.save(buf)
    doc = docx_reader.read(buf.getvalue(), "export.docx")
    texts = [[c.text for c in row] for row in doc.rows]
    assert texts == [["淮安市人民政府2024年政府信息公开工作年度报告"], ["行政处罚", "3985758"]]
    assert doc.rows[1][1].source.kind == "docx" and doc.rows[1][1].source.table == 0

"""HTML reader: encodings, spans expanded, runs joined, scripts dropped, browser-saved pages."""

from __future__ import annotations

from functools import lru_cache

import pytest
import render_seeds
from paths import ROOT
from test_fixtures_real import HUAIAN, _huaian_expected

from parsing.api import parse_bytes
from parsing.readers import html as html_reader
from parsing.readers import sniff

PAGE = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>淮安市人民政府2024年政府信息公开工作年度报告</title>
<style>td {{ color: red }} .x::after {{ content: "99" }}</style>
<script>document.write("<table><tr><td>行政许可</td><td>999</td></tr></table>")</script>
</head><body>
<!-- <table><tr><td>规章</td><td>7</td></tr></table> -->
<div class="nav">首页 &gt; 信息公开</div>
<p>全市共受理政府信息公开申请<span>3</span><span>119</span>件，縣級機關參與。</p>
<table border="1">
<tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
    <td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总<br>计</td></tr>
<tr><td>商业<br>企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>
    <td><span lang=EN-US>30</span><span lang=EN-US>01</span></td>
    <td><font face="宋体">5</font><font>3</font></td><td>0</td><td>0</td>
    <td><span
lang=EN-US>6</span><span lang=EN-US>1</span></td><td>4</td><td><b>31</b><i>19</i></td></tr>
</table>
<div style="display:none"><table><tr><td>行政处罚</td><td>12345</td></tr></table></div>
</body></html>"""


def _read(data: bytes):
    return html_reader.read(data, "page.html")


def _texts(doc) -> list[list[str]]:
    return [[c.text for c in row] for row in doc.rows]


def test_gb2312_page_with_gbk_characters_and_split_runs():
    data = PAGE.format().encode("gb18030")  # declared gb2312; 縣 級 機 關 參 exist only in GBK
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")
    assert sniff.sniff(data, "report.doc") == "html"  # a Word "Save as HTML" page named .doc
    doc = _read(data)
    rows = _texts(doc)
    assert ["全市共受理政府信息公开申请3119件，縣級機關參與。"] in rows
    # rowspan/colspan: covered slots are not emitted; the corner cell appears once.
    assert rows[2] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"]
    assert rows[3] == ["自然人", "法人或其他组织", "总\n计"]
    assert rows[4] == ["商业\n企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    # Runs joined: no number is split.
    assert rows[5] == ["一、本年新收政府信息公开申请数量", "3001", "53", "0", "0", "61", "4", "3119"]
    # Grid positions of the expanded table.
    data_row = doc.rows[5]
    assert [c.source.col for c in data_row] == [0, 3, 4, 5, 6, 7, 8, 9]
    assert {c.source.row for c in data_row} == {3}
    assert all(c.source.kind == "html" and c.source.table == 0 for c in data_row)
    # Scripts, styles, comments and hidden elements are dropped.
    flat = "\n".join(doc.text.splitlines())
    for gone in ("999", "document.write", "color: red", "规章", "12345"):
        assert gone not in flat


def test_encodings_bom_meta_and_detector():
    body = "<html><body><p>行政许可 447228 件，體現</p></body></html>"
    cases = {
        "utf8-bom": b"\xef\xbb\xbf" + body.encode("utf-8"),
        "utf16-bom": body.encode("utf-16"),
        "meta-gbk": body.replace("<html>", '<html><head><meta charset="GBK"></head>').encode("gbk"),
        "xml-decl": ('<?xml version="1.0" encoding="gb2312"?>' + body).encode("gb18030"),
        "no-declaration-gbk": (body * 20).encode("gbk"),
        "big5": body.replace("<html>", '<html><head><meta charset="big5"></head>')
        .replace("许", "許")
        .encode("big5"),
    }
    for name, data in cases.items():
        doc = _read(data)
        expected = "行政許可 447228 件，體現" if name == "big5" else "行政许可 447228 件，體現"
        assert doc.rows[0][0].text == expected, name


def test_page_saved_by_a_browser_as_utf8_with_the_old_gb2312_meta():
    page = PAGE.format().replace(
        "<html>", "<!-- saved from url=(0041)http://www.huaian.gov.cn/col/1.html -->\n<html>"
    )
    doc = _read(page.encode("utf-8"))
    assert ["全市共受理政府信息公开申请3119件，縣級機關參與。"] in _texts(doc)
    assert any("UTF-8" in w for w in doc.warnings)


def test_mhtml_single_file_page():
    html_part = PAGE.format().encode("gb18030")
    import quopri

    mhtml = (
        b"From: <Saved by Blink>\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related; type="text/html"; boundary="----B"\r\n\r\n'
        b"------B\r\nContent-Type: text/html; charset=gb2312\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b"Content-Location: http://www.huaian.gov.cn/a.html\r\n\r\n"
        + quopri.encodestring(html_part)
        + b"\r\n------B--\r\n"
    )
    assert sniff.sniff(mhtml, "report.mhtml") == "html"
    rows = _texts(_read(mhtml))
    assert ["一、本年新收政府信息公开申请数量", "3001", "53", "0", "0", "61", "4", "3119"] in rows


def test_layout_table_around_the_report_is_walked_not_gridded():
    page = (
        "<html><body><table width=100%><tr><td>导航</td><td>"
        "<p>二、主动公开政府信息情况</p>"
        "<table border=1><tr><td>行政许可</td><td>447228</td></tr></table>"
        "</td></tr></table></body></html>"
    )
    doc = _read(page.encode("utf-8"))
    assert _texts(doc) == [["导航"], ["二、主动公开政府信息情况"], ["行政许可", "447228"]]
    assert doc.rows[2][1].source.table == 0


def test_rowspan_past_the_end_and_zero_are_clipped():
    page = (
        "<table><tr><td rowspan=0>甲</td><td>1</td></tr>"
        "<tr><td>2</td></tr><tr><td rowspan=99>乙</td></tr></table>"
    )
    doc = _read(page.encode("utf-8"))
    assert _texts(doc) == [["甲", "1"], ["2"], ["乙"]]
    assert doc.rows[1][0].source.col == 1


def test_empty_page_is_an_error():
    result = parse_bytes(b"<html><head><script>x=1</script></head><body>  </body></html>", "blank.html")
    assert result.error is not None
    assert result.error["code"] == "no_content"


@lru_cache(maxsize=1)
def _huaian_rendered():
    report = parse_bytes(HUAIAN.read_bytes(), HUAIAN.name)
    return render_seeds.build(report, report.text)


@pytest.mark.parametrize("gbk", [False, True], ids=["utf8", "gbk-split-spans"])
def test_huaian_as_official_html_gives_every_cell_exact(gbk):
    """The 淮安 values (multi-digit numbers, a decimal fee) laid out as an official HTML page."""
    data = render_seeds.to_html(_huaian_rendered(), gbk=gbk)
    if gbk:
        assert (
            '<span lang="EN-US">398</span><span style="font-family:宋体">5758</span>'.encode("gb18030")
            in data
        )
    report = parse_bytes(data, "huaian.html")
    assert report.error is None
    assert report.format == "html"
    assert report.template == "2021"
    assert report.values() == _huaian_expected()
    assert not [c for c in report.checks if c.status == "fail"]


def test_word_save_as_html_page():
    """Word's HTML: Office namespaces, <o:p> runs, conditional comments, the zero-height width row."""
    page = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv=Content-Type content="text/html; charset=gb2312">
<!--[if gte mso 9]><xml><o:DocumentProperties><o:Author>王</o:Author></o:DocumentProperties></xml><![endif]-->
</head><body lang=ZH-CN><div class=WordSection1>
<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0>
 <tr><td width=94><p class=MsoNormal align=center><span style='font-family:宋体'>行政复议</span></p></td>
  <td><p class=MsoNormal align=center><span lang=EN-US>3<o:p></o:p></span><span
  lang=EN-US>51<o:p></o:p></span></p></td></tr>
 <![if !supportMisalignedColumns]>
 <tr height=0><td width=94 style='border:none'></td><td width=50 style='border:none'></td></tr>
 <![endif]>
</table></div></body></html>"""
    doc = _read(page.encode("gb18030"))
    assert _texts(doc) == [["行政复议", "351"]]
    assert "王" not in doc.text


def test_every_cell_of_a_page_has_a_position_in_a_table_or_a_line():
    """Issue 7 item 7: a value written in a paragraph of a web page points at its line of the page
    text; a value in a table at its table, row and column."""
    import html as html_lib

    text = (ROOT / "sample_reports" / "000_bd3a826d0705f6e5.txt").read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{html_lib.escape(line)}</p>" for line in text.splitlines())
    rendered = (ROOT / "sample_reports" / "rendered" / "000_bd3a826d0705f6e5.html").read_bytes()
    for page in (f"<html><body>{paragraphs}</body></html>".encode(), rendered):
        report = parse_bytes(page, "page.html")
        lines = report.text.split("\n")
        assert report.cells
        for key, cell in report.cells.items():
            src = cell.source
            if src.table is not None:
                assert src.row is not None and src.col is not None, key
            else:
                assert src.line is not None, key
                assert cell.raw in lines[src.line - 1], (key, cell.raw, lines[src.line - 1])

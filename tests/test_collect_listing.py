"""The dates a 年报 column lists beside its links (library/collect/listing.py)."""

from __future__ import annotations

from datetime import date

from library.collect.listing import listed_dates

PAGE = """<html><head><meta charset="gbk"><base href="http://x.gov.cn/ndbg/"></head><body>
<ul>
<li><a href="a.pdf">2023年政府信息公开工作年度报告</a><span>2024-01-26</span></li>
<li><a href="/b.html#top">2022年度报告</a> 发布时间：2023年1月20日 10:00</li>
<li><a href="c.html">两个链接</a><a href="d.html">同一行</a> 2023-01-01</li>
<li><a href="e.html">两个日期</a> 2023-01-01 至 2023-12-31</li>
<li><a href="f.html">没有日期</a></li>
</ul>
<table><tr><td><a href="g.html">2021年报</a></td><td>2022/1/5</td></tr></table>
</body></html>"""


def test_each_link_gets_the_one_date_of_its_line():
    dates = listed_dates(PAGE.encode("gb18030"), "http://x.gov.cn/index.html")
    assert dates == {
        "http://x.gov.cn/ndbg/a.pdf": date(2024, 1, 26),
        "http://x.gov.cn/b.html": date(2023, 1, 20),
        "http://x.gov.cn/ndbg/g.html": date(2022, 1, 5),
    }


def test_no_page_no_dates():
    assert listed_dates(b"", "http://x/") == {}
    assert listed_dates(b"%PDF-1.7 ...", "http://x/") == {}
    assert listed_dates(bytes(range(256)) * 10, "http://x/") == {}

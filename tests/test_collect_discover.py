"""Page understanding for the collector (issue 14): report links, attachments, titles, dates.

The column and report pages of tests/collect_server.py are fetched for real from 127.0.0.1; the
variety of real CMS markup (tables, truncated titles, <base>, GBK, script links…) is covered by small
pages written here.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
from collect_server import CollectServer, install_site

from library.collect.discover import (
    Link,
    attachment_links,
    next_page_links,
    page_text,
    page_title,
    published_date,
    redirect_url,
    rendered_by_script,
    report_links,
    report_year,
)
from library.collect.fetch import Fetcher, FetchPolicy

BASE = "http://www.example.gov.cn/xxgk/ndbg/index.html"


@pytest.fixture(scope="module")
def served():
    with CollectServer() as server:
        site = install_site(server)
        policy = FetchPolicy(per_host_interval_s=0, retries=0, allowed_hosts=frozenset({"127.0.0.1"}))
        with Fetcher(policy) as fetcher:
            yield server, site, fetcher


def page(body: str, head: str = "", charset: str = "utf-8") -> bytes:
    html = f'<html><head><meta charset="{charset}">{head}</head><body>{body}</body></html>'
    return html.encode("gb18030" if charset.lower() in ("gbk", "gb2312") else "utf-8")


# --------------------------------------------------------------------------- the served column pages


def test_agency_column_lists_its_reports_and_nothing_else(served):
    server, site, fetcher = served
    got = fetcher.fetch(site.url(site.hz_column))
    links = report_links(got.data, got.final_url, got.charset)
    assert links == [
        Link(
            site.url(site.hz_2024_page),
            "淮安市洪泽区人民政府2024年政府信息公开工作年度报告",
            2024,
        ),
        Link(site.url(site.hz_2023_pdf), "淮安市洪泽区人民政府2023年政府信息公开工作年度报告", 2023),
    ]
    # Every link found is served: the URLs were joined right.
    for link in links:
        assert fetcher.fetch(link.url).status == 200


def test_platform_column_with_table_list_pagination_and_base_href(served):
    server, site, fetcher = served
    first = fetcher.fetch(site.url(site.platform_column))
    links = report_links(first.data, first.final_url, first.charset)
    assert [(link.url, link.year) for link in links] == [
        (site.url(p.path), p.year) for p in site.seed_pages[:3]
    ]
    assert [link.title for link in links] == [p.title for p in site.seed_pages[:3]]
    assert next_page_links(first.data, first.final_url, first.charset) == [site.url(site.platform_page2)]
    second = fetcher.fetch(site.url(site.platform_page2))
    later = report_links(second.data, second.final_url, second.charset)
    assert later == [Link(site.url(site.seed_pages[3].path), site.seed_pages[3].title, 2021)]
    assert fetcher.fetch(later[0].url).status == 200  # "../" against <base href=".../nb/">
    assert next_page_links(second.data, second.final_url, second.charset) == []


def test_report_page_with_pdf_attachment(served):
    server, site, fetcher = served
    got = fetcher.fetch(site.url(site.hz_2024_page))
    assert page_title(got.data, got.charset) == "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    assert published_date(got.data, got.charset) == date(2025, 1, 20)
    files = attachment_links(got.data, got.final_url, got.charset)
    assert files == [
        Link(site.url(site.hz_2024_pdf), "淮安市洪泽区人民政府2024年政府信息公开工作年度报告.pdf", 2024)
    ]
    assert fetcher.fetch(files[0].url).data.startswith(b"%PDF-")
    text = page_text(got.data, got.charset)
    assert "全文见附件" in text
    assert "document.write" not in text and "Math.random" not in text


@pytest.mark.parametrize("stem", ["004", "000", "002", "001"])
def test_seed_report_pages_title_and_date(served, stem):
    server, site, fetcher = served
    seed = site.seed(stem)
    got = fetcher.fetch(site.url(seed.path))
    assert page_title(got.data, got.charset) == seed.title
    assert published_date(got.data, got.charset) == date.fromisoformat(seed.published)
    assert attachment_links(got.data, got.final_url, got.charset) == []
    assert "政府信息公开" in page_text(got.data, got.charset)


# --------------------------------------------------------------------------- variety of list markup

NOISE = """
<div class="nav"><a href="/">首页</a><a href="/xxgk/ndbg/">政府信息公开年报</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">信息公开</a> &gt;
  <a href="/xxgk/ndbg/">政府信息公开工作年度报告</a></div>
"""


def test_li_list_with_truncated_titles_uses_the_title_attribute():
    full = "某市生态环境局{}年度政府信息公开工作年度报告"
    body = NOISE + (
        '<ul class="list">'
        f'<li><a href="./202401/t20240125_1.html" title="{full.format(2023)}">'
        "某市生态环境局2023年度政府信息公开工…</a>"
        "<span>2024-01-25</span></li>"
        f'<li><a href="202301/t20230120_2.html" title="{full.format(2022)}">'
        "某市生态环境局2022年度政府信息公开工...</a>"
        "<span>2023-01-20</span></li>"
        '<li><a href="/xxgk/ndbg/202201/t20220118_3.html">某市生态环境局2021年度政府信息公开工…</a></li>'
        "</ul>"
    )
    links = report_links(page(body), BASE)
    assert [(x.url, x.title, x.year) for x in links] == [
        (
            "http://www.example.gov.cn/xxgk/ndbg/202401/t20240125_1.html",
            "某市生态环境局2023年度政府信息公开工作年度报告",
            2023,
        ),
        (
            "http://www.example.gov.cn/xxgk/ndbg/202301/t20230120_2.html",
            "某市生态环境局2022年度政府信息公开工作年度报告",
            2022,
        ),
        # no title attribute: the cut text still names the year and 信息公开
        (
            "http://www.example.gov.cn/xxgk/ndbg/202201/t20220118_3.html",
            "某市生态环境局2021年度政府信息公开工…",
            2021,
        ),
    ]


def test_table_list_and_title_variants():
    rows = [
        ("a1.html", "2023年度政府信息公开工作年度报告"),
        ("a2.html", "某县人民政府办公室关于2022年政府信息公开工作年度报告"),
        ("a3.html", "政府信息公开工作年度报告（2021年）"),
        ("a4.html", "二〇二〇年政府信息公开工作年度报告"),
        ("a5.html", "某县财政局 2019 年 政府信息公开 工作 年度报告"),
        ("a6.html", "某镇2018年政务公开工作年度报告"),
        ("a7.html", "某县统计局政府信息公开年报（2017年度）"),
        ("a8.html", "关于报送2023年政府信息公开工作年度报告的通知"),
        ("a9.html", "2023年政府信息公开工作年度报告解读"),
        ("a10.html", "图解：2023年政府信息公开工作年度报告"),
        ("a11.html", "2023年度法治政府建设工作报告"),
        ("a12.html", "2023年政务公开工作要点"),
        ("a13.html", "政府信息公开指南"),
        ("a14.html", "某市职业技能培训指导中心2016年政府信息公开工作年度报告"),  # 培训 in the name
        ("a15.html", "某省卫生监督检查所2015年政府信息公开年报"),
        ("a16.html", "关于2023年政府信息公开工作年度报告第三方评估情况的通报"),
        ("a17.html", "【一图读懂】2023年政府信息公开工作年度报告"),
        ("a18.html", "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知"),
    ]
    body = "<table class='tb'>" + "".join(
        f"<tr><td><a href='{h}'>{t}</a></td><td>2024-01-2{i % 9}</td></tr>" for i, (h, t) in enumerate(rows)
    )
    links = report_links(page(body + "</table>"), BASE)
    assert [(x.url.rsplit("/", 1)[1], x.year) for x in links] == [
        ("a1.html", 2023),
        ("a2.html", 2022),
        ("a3.html", 2021),
        ("a4.html", 2020),
        ("a5.html", 2019),
        ("a6.html", 2018),
        ("a7.html", 2017),
        ("a14.html", 2016),
        ("a15.html", 2015),
    ]


def test_script_mail_anchor_and_onclick_links_are_ignored():
    body = """
    <a href="javascript:void(0)" onclick="openReport(2023)">2023年政府信息公开工作年度报告</a>
    <a href="JavaScript:openReport('2022')">2022年政府信息公开工作年度报告</a>
    <a onclick="location.href='/nb/2021.html'">2021年政府信息公开工作年度报告</a>
    <a href="#top">2020年政府信息公开工作年度报告</a>
    <a href="mailto:gk@example.gov.cn">2019年政府信息公开工作年度报告</a>
    <a href="tel:0517-1234567">2018年政府信息公开工作年度报告</a>
    <a href="data:text/html,x">2017年政府信息公开工作年度报告</a>
    <script>document.write('<a href="/nb/2016.html">2016年政府信息公开工作年度报告</a>')</script>
    <noscript><a href="/nb/2015.html">2015年政府信息公开工作年度报告</a></noscript>
    <a href=" ./nb/2014.html#content ">2014年政府信息公开工作年度报告</a>
    """
    links = report_links(page(body), BASE)
    # A <noscript> link is a plain link for a reader that runs no script (as the collector).
    assert [x.url for x in links] == [
        "http://www.example.gov.cn/nb/2015.html",
        "http://www.example.gov.cn/xxgk/ndbg/nb/2014.html",
    ]


def test_duplicate_links_are_listed_once_with_the_full_title():
    body = """
    <div class="focus"><a href="t1.html">2023年政府信息公开工作年…</a></div>
    <ul><li><a href="t1.html#p">某区2023年政府信息公开工作年度报告</a></li>
        <li><a href="t2.html">某区2022年政府信息公开工作年度报告</a></li>
        <li><a href="t1.html">某区2023年政府信息公开工作年度报告</a></li></ul>"""
    links = report_links(page(body), BASE)
    assert [(x.url.rsplit("/", 1)[1], x.title) for x in links] == [
        ("t1.html", "某区2023年政府信息公开工作年度报告"),
        ("t2.html", "某区2022年政府信息公开工作年度报告"),
    ]


def test_base_href_and_gbk_column_page():
    body = '<ul><li><a href="../2023/nb.html">某县2023年政府信息公开工作年度报告</a></li></ul>'
    head = '<base href="http://cms.example.gov.cn/site/col/ndbg/">'
    data = page(body, head=head, charset="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    links = report_links(data, BASE)
    assert links == [
        Link("http://cms.example.gov.cn/site/col/2023/nb.html", "某县2023年政府信息公开工作年度报告", 2023)
    ]
    # The HTTP charset alone is enough too (no meta).
    bare = "<html><body><a href='x.html'>某县2022年政府信息公开工作年度报告</a></body></html>".encode("gbk")
    assert report_links(bare, BASE, "GBK")[0].title == "某县2022年政府信息公开工作年度报告"


def test_direct_pdf_report_link_counts_and_image_links_use_their_title():
    body = """
    <a href="/u/P020240125.pdf">某县2023年政府信息公开工作年度报告.pdf</a>
    <a href="/nb/2022.html" title="某县2022年政府信息公开工作年度报告"><img src="/i/nb2022.png"></a>"""
    links = report_links(page(body), BASE)
    assert [(x.url, x.year) for x in links] == [
        ("http://www.example.gov.cn/u/P020240125.pdf", 2023),
        ("http://www.example.gov.cn/nb/2022.html", 2022),
    ]


def test_report_year_forms():
    assert report_year("2023年度政府信息公开工作年度报告") == 2023
    assert report_year("二〇二三年政府信息公开工作年度报告") == 2023
    assert report_year("二○二二年度报告") == 2022
    assert report_year("政府信息公开工作年度报告（2021）") == 2021
    assert report_year("２０２０年政府信息公开工作年度报告") == 2020
    assert report_year("政府信息公开工作年度报告 2024-01-20") is None  # a date, not a year
    assert report_year("政府信息公开工作年度报告") is None


# --------------------------------------------------------------------------- attachments


def test_attachment_link_forms():
    body = """
    <div class="article">
      <a href="/att/nb2023.PDF">附件1</a>
      <a href="/att/nb2023.docx">附件2：统计表</a>
      <a href="/att/nb2023.wps">附件3</a>
      <a href="/att/nb2023.xls">附件4</a>
      <a href="/att/nb2023.xlsx">附件5</a>
      <a href="/att/nb2022.doc">2022年报（Word版）</a>
      <a href="/download.jsp?fileName=%E5%B9%B4%E6%8A%A5.docx&amp;id=9">下载</a>
      <a href="/pdfjs/web/viewer.html?file=/upload/2024/nb2023.pdf">在线阅读</a>
      <a href="/system/download?id=88231">某县2023年政府信息公开工作年度报告.pdf</a>
      <iframe src="/upload/embedded2023.pdf" title="年报全文"></iframe>
      <a href="/att/photo.jpg">图片</a>
      <a href="/att/nb.html">网页版</a>
      <a href="javascript:download('x.pdf')">下载x.pdf</a>
    </div>
    <div class="footer"><a href="/att/site-guide.pdf">网站使用说明.pdf</a></div>"""
    found = attachment_links(page(body), "http://www.example.gov.cn/nb/t1.html")
    assert [x.url.replace("http://www.example.gov.cn", "") for x in found] == [
        "/att/nb2023.PDF",
        "/att/nb2023.docx",
        "/att/nb2023.wps",
        "/att/nb2023.xls",
        "/att/nb2023.xlsx",
        "/att/nb2022.doc",
        "/download.jsp?fileName=%E5%B9%B4%E6%8A%A5.docx&id=9",
        "/upload/2024/nb2023.pdf",  # the file, not the viewer
        "/system/download?id=88231",
        "/upload/embedded2023.pdf",
    ]
    by_url = {x.url.rsplit("/", 1)[1]: x for x in found}
    assert by_url["nb2022.doc"].year == 2022 and by_url["nb2022.doc"].title == "2022年报（Word版）"
    assert by_url["download?id=88231"].year == 2023
    assert by_url["nb2023.wps"].year == 2023  # from the file name when the title has none


# --------------------------------------------------------------------------- publication dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布日期：2024-01-20", date(2024, 1, 20)),
        ("发布时间：2024年1月20日 09:30", date(2024, 1, 20)),
        ("发布时间: 2021-01-25 18:13 字体:[]", date(2021, 1, 25)),
        ("来源: 时间:2024年01月25日", date(2024, 1, 25)),
        ("日期：2024/01/20", date(2024, 1, 20)),
        ("发布日期：2024.01.20 来源：县政府办", date(2024, 1, 20)),
        ("公开日期 2023-12-29", date(2023, 12, 29)),
        ("成文日期：2024-01-15", date(2024, 1, 15)),
        ("发布时间：２０２４－０１－２０", date(2024, 1, 20)),
        ("统计时间：2023年1月1日至2023年12月31日", None),  # a period, not a date
        ("办公时间：2024-01-20", None),
        ("发布日期：2024-13-45", None),
        ("某县教育局\n2024年1月15日", None),  # a signature is not the publication date shown
        ("Copyright © 2003-2024 某县人民政府 版权所有", None),
    ],
)
def test_published_date_in_text(text, expected):
    body = "".join(f"<p>{line}</p>" for line in text.split("\n"))
    assert published_date(page(body)) == expected


def test_published_date_prefers_meta_then_publication_over_written_date():
    body = "<p>成文日期：2024-01-10</p><p>发布日期：2024-01-20</p><p>版权所有 2026</p>"
    assert published_date(page(body)) == date(2024, 1, 20)
    meta = '<meta name="PubDate" content="2024-01-22 09:00">'
    assert published_date(page(body, head=meta)) == date(2024, 1, 22)
    first = '<meta name="firstpublishedtime" content="2024-01-23-09:00:00">'
    assert published_date(page("<p>无日期</p>", head=first)) == date(2024, 1, 23)
    og = '<meta property="article:published_time" content="2024-01-24T08:00:00+08:00">'
    assert published_date(page("", head=og)) == date(2024, 1, 24)


# --------------------------------------------------------------------------- titles and text


def test_page_title_sources():
    assert page_title(page("", head='<meta name="ArticleTitle" content="某县2023年报">')) == "某县2023年报"
    assert page_title(page("", head="<title>某县2023年政府信息公开工作年度报告_某县人民政府</title>")) == (
        "某县2023年政府信息公开工作年度报告"
    )
    assert page_title(page("", head="<title>某县2023年报 - 某县人民政府门户网站</title>")) == "某县2023年报"
    assert page_title(page("<h1>某县 2023 年报</h1>")) == "某县2023年报"
    assert page_title(page("<p>无</p>")) == ""


def test_page_text_skips_scripts_styles_and_hidden_parts():
    body = """<style>.x{color:red}</style><script>var secret = 1;</script>
    <div style="display:none">隐藏内容</div><p>第一段</p><p>第二&nbsp;段</p><template>模板</template>"""
    assert page_text(page(body)) == "第一段\n第二 段"


# --------------------------------------------------------------------------- hostile pages


def test_binary_and_empty_bytes_give_nothing():
    import random

    junk = random.Random(3).randbytes(100_000)
    for data in (junk, b"", b"%PDF-1.7\n...", b"PK\x03\x04rest"):
        assert report_links(data, BASE) == []
        assert attachment_links(data, BASE) == []
        assert page_text(data) == ""
        assert page_title(data) == ""
        assert published_date(data) is None


def test_deep_nesting_and_many_links_stay_fast():
    link = "<a href='x.html'>2023年政府信息公开工作年度报告</a>"
    start = time.monotonic()
    # 50,000 levels: flattened below the reader's depth limit (the link tag is lost, nothing breaks).
    assert isinstance(report_links((("<div>" * 50_000) + link + ("</div>" * 50_000)).encode(), BASE), list)
    # A deep but real layout (60 levels of tables and divs) keeps its links.
    assert [x.year for x in report_links((("<div>" * 60) + link + ("</div>" * 60)).encode(), BASE)] == [2023]
    many = "".join(f"<li><a href='/n/{i}.html'>新闻{i}</a></li>" for i in range(20_000))
    many += "<li><a href='/nb.html'>2023年政府信息公开工作年度报告</a></li>"
    assert [x.url for x in report_links(page(many), BASE)] == ["http://www.example.gov.cn/nb.html"]
    assert time.monotonic() - start < 20


def test_links_in_site_chrome_are_not_reports():
    """Menus, banners, breadcrumbs and footers link to reports of other levels or years' sub-columns."""
    body = """
    <nav><a href="/sj/nb2023.html">市政府2023年政府信息公开工作年度报告</a></nav>
    <div class="header"><a href="/banner.html">2023年度政府信息公开工作年度报告已发布</a></div>
    <div class="left-menu"><ul><li><a href="/ndbg/2023/">2023年政府信息公开年报</a></li></ul></div>
    <div class="breadcrumb"><a href="/xxgk/">信息公开</a> &gt;
      <a href="/ndbg/2022/">2022年政府信息公开年报</a></div>
    <div class="list"><ul><li><a href="/ndbg/t1.html">某县2023年政府信息公开工作年度报告</a></li></ul></div>
    <div id="footer"><a href="/qt/nb.html">2021年政府信息公开工作年度报告（旧版）</a></div>
    <footer><a href="/qt/nb2.html">2020年政府信息公开工作年度报告</a></footer>"""
    assert [x.url for x in report_links(page(body), BASE)] == ["http://www.example.gov.cn/ndbg/t1.html"]


# --------------------------------------------------------------------------- pagers and redirect pages


def test_trs_script_pager_gives_the_next_page():
    literal = '<div id="page"></div><script>createPageHTML(5, 0, "index", "html");</script>'
    assert next_page_links(page(literal), BASE) == ["http://www.example.gov.cn/xxgk/ndbg/index_1.html"]
    variables = (
        "<script>var currentPage = 2;//所在页从0开始\nvar countPage = 4//共多少页\n"
        "createPageHTML('page_div', countPage, currentPage, 'index', 'shtml', 68);</script>"
    )
    url = "http://www.example.gov.cn/xxgk/ndbg/index_2.shtml"
    assert next_page_links(page(variables), url) == ["http://www.example.gov.cn/xxgk/ndbg/index_3.shtml"]
    last = "<script>createPageHTML(3, 2, 'index', 'html');</script>"
    assert next_page_links(page(last), BASE) == []


def test_redirect_only_pages():
    refresh = page("", head='<meta http-equiv="refresh" content="0; URL=\'../ndbg2/index.html\'">')
    assert redirect_url(refresh, BASE) == "http://www.example.gov.cn/xxgk/ndbg2/index.html"
    script = page('<script type="text/javascript">window.location.href = "/col/col123/index.html";</script>')
    assert redirect_url(script, BASE) == "http://www.example.gov.cn/col/col123/index.html"
    replace = page("<script>location.replace('https://new.example.gov.cn/nb/')</script>")
    assert redirect_url(replace, BASE) == "https://new.example.gov.cn/nb/"
    # A real page that has a script mentioning location is not a redirect.
    article = page("<p>" + "政府信息公开工作年度报告正文。" * 30 + "</p><script>location.href='/';</script>")
    assert redirect_url(article, BASE) is None
    assert redirect_url(page("<script>location.href='javascript:void(0)'</script>"), BASE) is None


def test_pages_built_by_scripts_are_recognised():
    challenge = page(
        '<script>var _0x3f=["\\x63"];eval(atob("ZG9jdW1lbnQ="));</script>' + "<noscript>请开启</noscript>"
    )
    assert rendered_by_script(challenge)
    assert report_links(challenge, BASE) == []
    ajax = page(
        '<div id="list"></div><script src="/js/list.js"></script>' + '<script>loadList("ndbg")</script>'
    )
    assert rendered_by_script(ajax)
    report = "<h1>2023年政府信息公开工作年度报告</h1><p>一、总体情况。2023年，本机关认真贯彻落实条例。</p>"
    assert not rendered_by_script(page(report + "<script>var a=1</script>"))
    assert not rendered_by_script(page("<p>无脚本</p>"))
    assert not rendered_by_script(page("<script>location.href='/a.html'</script>"))  # a redirect page


def test_corrections_and_update_dates():
    body = "<a href='c.html'>关于2023年政府信息公开工作年度报告的更正</a>"
    body += "<a href='r.html'>2023年政府信息公开工作年度报告</a>"
    assert [x.url.rsplit("/", 1)[1] for x in report_links(page(body), BASE)] == ["r.html"]
    assert published_date(page("<p>更新时间：2024-02-01</p>")) == date(2024, 2, 1)
    both = page("<p>更新时间：2024-02-01</p><p>发布时间：2024-01-20</p>")
    assert published_date(both) == date(2024, 1, 20)
    assert published_date(page("<p>本页2026年1月1日更新</p>")) is None


def test_modification_meta_does_not_outrank_the_shown_publication_date():
    head = '<meta name="lastmodifiedtime" content="2025-06-01 10:00"><meta name="date" content="2026-01-01">'
    assert published_date(page("<p>发布时间：2024-01-20</p>", head=head)) == date(2024, 1, 20)


def test_frameset_page_points_to_its_content_frame():
    frames = (
        '<html><head><meta charset="utf-8"><title>某县政府信息公开</title></head>'
        '<frameset rows="120,*"><frame name="top" src="top.html">'
        '<frameset cols="200,*"><frame name="left" src="menu.html"><frame name="main" src="ndbg/list.html">'
        "</frameset></frameset></html>"
    ).encode()
    assert redirect_url(frames, BASE) == "http://www.example.gov.cn/xxgk/ndbg/ndbg/list.html"


def test_header_and_meta_charsets_that_disagree_with_the_bytes():
    title = "某县2023年政府信息公开工作年度报告"
    gbk_page = f'<html><head><meta charset="gbk"></head><body><a href="a.html">{title}</a></body></html>'
    # The server says UTF-8 (its default), the page is GBK as its <meta> says.
    assert report_links(gbk_page.encode("gbk"), BASE, "utf-8")[0].title == title
    # The server says GBK, the page was saved as UTF-8.
    utf8_page = gbk_page.replace("gbk", "utf-8").encode("utf-8")
    assert report_links(utf8_page, BASE, "gbk")[0].title == title
    # A charset no codec knows.
    assert report_links(gbk_page.encode("gbk"), BASE, "x-unknown-charset")[0].title == title


def test_periodic_reload_of_a_real_page_is_not_a_redirect():
    text = (
        "<ul>"
        + "".join(f"<li><a href='/n/{i}.html'>政务动态新闻标题第{i}条</a></li>" for i in range(30))
        + "</ul>"
    )
    reload = page(text, head='<meta http-equiv="refresh" content="1800;url=index.html">')
    assert redirect_url(reload, BASE) is None
    to_self = page("", head='<meta http-equiv="refresh" content="0;url=index.html">')
    assert redirect_url(to_self, BASE) is None
    moved = page(text, head='<meta http-equiv="refresh" content="3; url=/new/ndbg/">')
    assert redirect_url(moved, BASE) == "http://www.example.gov.cn/new/ndbg/"


def test_hanweb_datastore_records_are_read_as_the_list():
    """大汉 jpage columns ship their list as CDATA records in <script type="text/xml">."""
    records = "".join(
        f"<record><![CDATA[<li><a href='/art/{y + 1}/1/2{y % 10}/art_4567_{y}.html' target='_blank' "
        f"title='某区{y}年政府信息公开工作年度报告'>某区{y}年政府信息公开工作年度报告</a>"
        f"<span>{y + 1}-01-2{y % 10}</span></li>]]></record>\n"
        for y in (2023, 2022, 2021)
    )
    body = (
        '<div class="main"><div id="4567"><script type="text/xml"><datastore>'
        '<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&columnid=4567"></a>]]>'
        "</nextgroup>"
        f"<recordset>{records}</recordset></datastore></script>"
        '<script language="javascript" src="/module/web/jpage/jpage.js"></script></div></div>'
    )
    links = report_links(page(body), "http://www.hongze.example.gov.cn/col/col4567/index.html")
    assert [(x.url, x.year) for x in links] == [
        ("http://www.hongze.example.gov.cn/art/2024/1/23/art_4567_2023.html", 2023),
        ("http://www.hongze.example.gov.cn/art/2023/1/22/art_4567_2022.html", 2022),
        ("http://www.hongze.example.gov.cn/art/2022/1/21/art_4567_2021.html", 2021),
    ]
    assert not rendered_by_script(page(body))


def test_served_hanweb_column_gives_the_same_reports_as_the_trs_column(served):
    server, site, fetcher = served
    trs = fetcher.fetch(site.url(site.hz_column))
    hanweb = fetcher.fetch(site.url(site.hz_hanweb_column))
    assert b"<record><![CDATA[" in hanweb.data
    assert report_links(hanweb.data, hanweb.final_url) == report_links(trs.data, trs.final_url)
    assert len(report_links(hanweb.data, hanweb.final_url)) == 2


def test_link_titles_split_over_runs_read_as_one():
    body = (
        "<ul><li><a href='a.html'><span>2023</span><span>年</span>"
        "<font>政府信息公开工作年度报告</font></a></li>"
        "<li><a href='b.html'>某县财政局 2019 年 政府信息公开 工作 年度报告</a></li>"
        "<li><a href='c.html'><div class='t'>Annual report 2022 年度政府信息公开工作年度报告</div></a>"
        "</li></ul>"
    )
    titles = [x.title for x in report_links(page(body), BASE)]
    assert titles == [
        "2023年政府信息公开工作年度报告",
        "某县财政局2019年政府信息公开工作年度报告",
        "Annual report 2022年度政府信息公开工作年度报告",
    ]

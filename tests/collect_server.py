"""A local HTTP server that plays government websites for the collector's tests (issue 14).

    with CollectServer() as server:            # 127.0.0.1, a free port, a background thread
        site = install_site(server)            # the realistic pages below
        server.url("/xxgk/ndbg/index.html")
        server.set("/p.html", "<html>…</html>")  # add or change a page between two fetches
        server.hits("/p.html")                 # how many requests it got

Pages (everything a real site would serve; the report pages are built from the repository's real
reports, so the values a test expects come from the documents, never from the collector):

- ``/hzq/xxgk/ndbg/index.html``: the 年报 column of 洪泽区人民政府 in TRS-style markup (nav, breadcrumb,
  sidebar, footer, scripts): its 2024 report as a page with a short text and the real PDF as an
  attachment, its 2023 report as a direct link to the real PDF, plus links that are not reports (a
  notice on compiling reports, a 解读, the 指南, ``javascript:``/``mailto:``/``onclick`` links).
- ``/ptnb/index.html`` (+ ``index_1.html``): a county platform's 部门年报 column listing reports of
  several agencies; the report pages are the seed reports rendered in the official tables
  (``sample_reports/rendered``) wrapped in CMS chrome: UTF-8, GBK declared in a ``<meta>`` and the
  HTTP header, GBK declared only in the HTTP header.
- hostile routes: 404, 410, a redirect loop, a slow drip, a 60 MB body (generated lazily, with and
  without Content-Length), a binary body served as text/html, a page with scripts, a 503 that heals.

:func:`add_report_pages` adds N distinct valid synthetic report pages fast (the 200-page benchmark).
"""

from __future__ import annotations

import html as html_lib
import random
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_reports"
RENDERED = SAMPLES / "rendered"

Body = bytes | Callable[[], Iterable[bytes]]


@dataclass
class Route:
    """What one path answers. A callable body is streamed chunk by chunk (close-delimited)."""

    body: Body = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    content_length: int | None = None  # announced for a streamed body (None: not announced)


@dataclass(frozen=True)
class Hit:
    """One request the server received."""

    path: str
    at: float  # time.monotonic()
    headers: dict[str, str]


class CollectServer:
    """A ThreadingHTTPServer on 127.0.0.1 with a mutable route table (thread-safe)."""

    def __init__(self) -> None:
        self._routes: dict[str, Route | list[Route]] = {}
        self._hits: list[Hit] = []
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ life cycle

    def start(self) -> CollectServer:
        server = self

        class Handler(_Handler):
            owner = server

        httpd = _QuietServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> CollectServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path if path.startswith('/') else '/' + path}"

    # ------------------------------------------------------------------ routes

    def set(
        self,
        path: str,
        body: Body | str,
        *,
        content_type: str | None = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_length: int | None = None,
    ) -> str:
        """Serve ``body`` at ``path`` (replacing what was there); returns the URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(data, status, content_type, dict(headers or {}), content_length)
        with self._lock:
            self._routes[path] = route
        return self.url(path)

    def set_sequence(self, path: str, routes: list[Route]) -> str:
        """Answer the requests to ``path`` with ``routes`` in turn; the last one repeats."""
        assert routes
        with self._lock:
            self._routes[path] = list(routes)
        return self.url(path)

    def remove(self, path: str) -> None:
        """Make ``path`` a 404 (a report that disappeared)."""
        with self._lock:
            self._routes.pop(path, None)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.set(path, b"", status=status, content_type=None, headers={"Location": location})

    def hits(self, path: str) -> int:
        """How many requests ``path`` received (query strings included in the path)."""
        with self._lock:
            return sum(1 for h in self._hits if h.path == path)

    def requests(self, path: str | None = None) -> list[Hit]:
        with self._lock:
            return [h for h in self._hits if path is None or h.path == path]

    def _route(self, path: str) -> Route | None:
        with self._lock:
            self._hits.append(Hit(path, time.monotonic(), {}))
            found = self._routes.get(path)
            if found is None and "?" in path:
                found = self._routes.get(path.split("?", 1)[0])
            if isinstance(found, list):
                return found.pop(0) if len(found) > 1 else found[0]
            return found

    def _record_headers(self, headers: dict[str, str]) -> None:
        with self._lock:
            last = self._hits[-1]
            self._hits[-1] = Hit(last.path, last.at, headers)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up mid-response is what the hostile tests do on purpose


class _Handler(BaseHTTPRequestHandler):
    owner: CollectServer
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers (the benchmark reuses connections)
    # Headers and body go out in two writes: with Nagle on, the body waits for the client's delayed
    # ACK (40 ms a response on Linux). Real servers (nginx: tcp_nodelay on) do not wait.
    disable_nagle_algorithm = True
    server_version = "nginx"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet tests
        pass

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        route = self.owner._route(self.path)
        self.owner._record_headers({k.lower(): v for k, v in self.headers.items()})
        if route is None:
            route = Route(_not_found_page(), 404)
        try:
            self.send_response(route.status)
            if route.content_type:
                self.send_header("Content-Type", route.content_type)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if isinstance(route.body, bytes):
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                if not head:
                    self.wfile.write(route.body)
                return
            if route.content_length is not None:
                self.send_header("Content-Length", str(route.content_length))
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            if head:
                return
            for chunk in route.body():
                if self.owner.stopping.is_set():
                    break
                self.wfile.write(chunk)
                self.wfile.flush()
        except (TimeoutError, BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True  # the client gave up (as the fetcher must, on hostile routes)


# --------------------------------------------------------------------------- hostile bodies


def drip(
    interval: float = 1.0, byte: bytes = b" ", prefix: bytes = b"<html><body>"
) -> Callable[[], Iterator[bytes]]:
    """A body that never ends: ``prefix``, then one byte every ``interval`` seconds."""

    def body() -> Iterator[bytes]:
        yield prefix
        while True:
            time.sleep(interval)
            yield byte

    return body


def huge(size: int = 60 * 1024 * 1024, chunk: int = 64 * 1024) -> Callable[[], Iterator[bytes]]:
    """``size`` bytes of HTML-looking filler, generated lazily (never held in memory)."""
    block = (b"<p>" + "政府信息公开".encode() * 64 + b"</p>\n") * (chunk // 1200 + 1)
    block = block[:chunk]

    def body() -> Iterator[bytes]:
        sent = 0
        while sent < size:
            part = block[: min(chunk, size - sent)]
            sent += len(part)
            yield part

    return body


def garbage(size: int = 200_000, seed: int = 14) -> bytes:
    """Random bytes (with NULs): what a broken server or a mislabelled archive sends."""
    return random.Random(seed).randbytes(size)


# --------------------------------------------------------------------------- realistic pages

_NAV = (
    '<div class="top-nav"><ul class="nav">'
    '<li><a href="/">首页</a></li><li><a href="/zwdt/">政务动态</a></li>'
    '<li><a href="/xxgk/">政府信息公开</a></li><li><a href="/hdjl/">互动交流</a></li>'
    '<li><a href="/zwfw/">政务服务</a></li>'
    '<li><a href="javascript:void(0)" onclick="openSearch()">搜索</a></li>'
    "</ul></div>"
)
_FOOTER = (
    '<div class="footer"><p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | '
    '<a href="mailto:webmaster@example.gov.cn">意见建议</a></p>'
    "<p>主办单位：{owner} 承办：{owner}办公室 网站标识码：3208130001</p>"
    '<p>苏ICP备05009160号-1 <a href="http://www.beian.gov.cn/">苏公网安备 32081302000123号</a></p>'
    "<p>Copyright © 2019-2026 {owner} 版权所有 2026年1月1日更新</p></div>"
)
_SCRIPTS = (
    '<script src="/js/jquery.min.js"></script>'
    "<script>var _hmt = _hmt || []; (function(){var hm=document.createElement('script');"
    "hm.src='https://hm.example.com/hm.js?abc';document.body.appendChild(hm);})();"
    "document.write('<a href=\"/injected-2099年政府信息公开工作年度报告.html\">'"
    "+'2099年政府信息公开工作年度报告</a>');"
    "</script>"
)


def cms_page(
    title: str,
    content: str,
    *,
    owner: str,
    crumbs: str = "政府信息公开 &gt; 政府信息公开年报",
    charset: str | None = "utf-8",
    pubdate: str | None = None,
    base: str | None = None,
    column: str = "/xxgk/ndbg/index.html",
) -> str:
    """A whole TRS/Hanweb-style page: head with CMS meta tags, nav, breadcrumb, sidebar, content, footer."""
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    if pubdate:
        meta += (
            f'<meta name="ArticleTitle" content="{html_lib.escape(title)}">'
            f'<meta name="PubDate" content="{pubdate}">'
            f'<meta name="ContentSource" content="{html_lib.escape(owner)}">'
        )
    meta += f'<meta name="SiteName" content="{html_lib.escape(owner)}门户网站">'
    meta += '<meta name="ColumnName" content="年度报告">'
    if base:
        meta += f'<base href="{base}">'
    sidebar = (
        '<div class="left-menu"><h3>政府信息公开</h3><ul>'
        '<li><a href="/xxgk/zn/">政府信息公开指南</a></li>'
        '<li><a href="/xxgk/zd/">政府信息公开制度</a></li>'
        '<li><a href="/xxgk/fdzdgknr/">法定主动公开内容</a></li>'
        f'<li class="on"><a href="{column}">政府信息公开年报</a></li>'
        '<li><a href="/xxgk/ysqgk/">依申请公开</a></li></ul></div>'
    )
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml"><head>{meta}'
        f"<title>{html_lib.escape(title)}_{html_lib.escape(owner)}</title>"
        '<link rel="stylesheet" href="/css/style.css"></head>\n<body>\n'
        '<div class="header"><div class="logo"><a href="/">'
        f'<img src="/images/logo.png" alt="{owner}"></a></div>{_NAV}</div>\n'
        f'<div class="position">当前位置：<a href="/">首页</a> &gt; {crumbs}</div>\n'
        f'<div class="container">{sidebar}<div class="main-content">{content}</div></div>\n'
        f"{_FOOTER.format(owner=owner)}\n{_SCRIPTS}\n</body></html>"
    )


def _column_list(items: list[tuple[str, str, str]]) -> str:
    """``<ul class="list">`` of (href, full title, date) with titles cut at 22 characters as CMSs do."""
    lines = []
    for href, title, day in items:
        shown = title if len(title) <= 22 else title[:22] + "…"
        lines.append(
            f'<li><a href="{href}" target="_blank" title="{html_lib.escape(title)}">'
            f"{html_lib.escape(shown)}</a>"
            f'<span class="date">{day}</span></li>'
        )
    return '<ul class="list">' + "\n".join(lines) + "</ul>"


def _seed_body(stem: str, gbk: bool) -> tuple[str, str]:
    """(title, article HTML) of a rendered seed report: its body, first line dropped when it is the
    site's breadcrumb as the seed was pasted."""
    path = RENDERED / (f"{stem}.gbk.html" if gbk else f"{stem}.html")
    raw = path.read_bytes()
    text = raw.decode("gb18030") if gbk else raw.decode("utf-8")
    body = text.split("<body>", 1)[1].rsplit("</body>", 1)[0]
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    return (html_lib.unescape(title.group(1)).strip() if title else stem), body


@dataclass(frozen=True)
class SeedPage:
    """A seed report served as a page: where, its title and what the parser must read from it."""

    path: str
    stem: str
    title: str
    year: int
    published: str  # ISO date the page shows
    encoding: str  # utf-8 | gbk-meta | gbk-header


# The seeds the platform column lists: (stem, link title, year, publication date, encoding).
_PLATFORM_SEEDS = (
    ("004_e3c733e02cbb2cbf", "县教育局2023年政府信息公开工作年度报告", 2023, "2024-01-25", "utf-8"),
    (
        "000_bd3a826d0705f6e5",
        "施秉县教育和科技局2020年政府信息公开工作年度报告",
        2020,
        "2021-01-25",
        "gbk-meta",
    ),
    (
        "002_d0afa1047310c76e",
        "盐池县教育体育局2020年政府信息公开工作年度报告",
        2020,
        "2021-01-29",
        "gbk-header",
    ),
    (
        "001_d954dc0dac9f162f",
        "二〇二一年度政府信息公开工作年度报告（县交通运输局）",
        2021,
        "2022-01-20",
        "utf-8",
    ),
)


def seed_page_bytes(
    stem: str, title: str, published: str, encoding: str, *, owner: str = "某县人民政府"
) -> bytes:
    """A seed report (official tables, real values) inside CMS chrome, in the given encoding."""
    gbk = encoding.startswith("gbk")
    _, article = _seed_body(stem, gbk)
    info = (
        f'<div class="info">发布时间：{published} 09:30 来源：{owner} '
        '浏览次数：<span id="views">128</span> 【字体：大 中 小】</div>'
    )
    content = (
        f'<div class="article"><h1 class="title">{html_lib.escape(title)}</h1>{info}'
        f'<div class="TRS_Editor">{article}</div></div>'
    )
    page = cms_page(
        title,
        content,
        owner=owner,
        crumbs='<a href="/ptnb/index.html">部门年报</a>',
        charset="gb2312" if encoding == "gbk-meta" else ("utf-8" if not gbk else None),
        pubdate=f"{published} 09:30",
        column="/ptnb/index.html",
    )
    return page.encode("gb18030") if gbk else page.encode("utf-8")


def change_cell(page: bytes, encoding: str, row_label: str, new_values: dict[int, str]) -> bytes:
    """``page`` with value cells of the row labelled ``row_label`` replaced (position → new text).

    Positions count the value cells of the row (0 = first after the label cells)."""
    text = page.decode("gb18030" if encoding.startswith("gbk") else "utf-8")
    start = text.index(row_label)
    row_end = text.index("</tr>", start)
    row = text[start:row_end]
    cells = list(re.finditer(r"<td>([^<]*)</td>", row))
    for pos, value in new_values.items():
        m = cells[pos]
        row = row[: m.start(1)] + value + row[m.end(1) :]
        cells = list(re.finditer(r"<td>([^<]*)</td>", row))
    text = text[:start] + row + text[row_end:]
    return text.encode("gb18030" if encoding.startswith("gbk") else "utf-8")


@dataclass
class Site:
    """The URLs of the realistic site (paths on the server)."""

    server: CollectServer
    hz_column: str = "/hzq/xxgk/ndbg/index.html"
    hz_hanweb_column: str = "/hzq/xxgk/ndbg/hanweb.html"  # the same list as a Hanweb data block
    hz_2024_page: str = "/hzq/xxgk/ndbg/202501/t20250120_4511237.html"
    hz_2024_pdf: str = "/hzq/xxgk/ndbg/202501/P020250120585512345678.pdf"
    hz_2023_pdf: str = "/uploadfiles/2024/01/P020240126396512381122.pdf"
    platform_column: str = "/ptnb/index.html"
    platform_page2: str = "/ptnb/index_1.html"
    seed_pages: list[SeedPage] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.server.url(path)

    def seed(self, stem_prefix: str) -> SeedPage:
        return next(p for p in self.seed_pages if p.stem.startswith(stem_prefix))


def install_site(server: CollectServer) -> Site:
    """Serve the realistic pages (see the module docstring); returns their paths."""
    site = Site(server)
    owner = "淮安市洪泽区人民政府"
    # ---- 洪泽区: a page with a short text and the real PDF attached; a direct PDF link.
    server.set(
        site.hz_2024_pdf,
        (SAMPLES / "hongze-district-government-2024.pdf").read_bytes(),
        content_type="application/pdf",
        headers={"Last-Modified": "Mon, 20 Jan 2025 01:30:00 GMT"},
    )
    server.set(
        site.hz_2023_pdf,
        (SAMPLES / "hongze-district-government-2023.pdf").read_bytes(),
        content_type="application/octet-stream",
        headers={"Content-Disposition": 'attachment; filename="P020240126396512381122.pdf"'},
    )
    title24 = "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    article = (
        f'<div class="article"><h1 class="title">{title24}</h1>'
        '<div class="info"><span>发布日期：2025-01-20</span><span>来源：区政府办公室</span>'
        "<span>浏览量：<script>document.write(Math.floor(Math.random()*1000))</script></span></div>"
        '<div class="TRS_Editor"><p style="text-indent:2em">根据《中华人民共和国政府信息公开条例》规定，'
        "现公布淮安市洪泽区人民政府2024年政府信息公开工作年度报告，全文见附件。</p>"
        "<p>本报告电子版可在洪泽区人民政府门户网站（www.hongze.gov.cn）下载。如对本报告有任何疑问，"
        "请联系洪泽区人民政府办公室，电话：0517-87222222。</p></div>"
        '<div class="fj"><p>附件：<a href="./P020250120585512345678.pdf" '
        f'oldsrc="/protect/P0202501/P020250120585512345678.pdf">{title24}.pdf</a></p></div></div>'
    )
    server.set(
        site.hz_2024_page,
        cms_page(title24, article, owner=owner, pubdate="2025-01-20 10:12:00", column=site.hz_column),
    )
    items = [
        ("./202501/t20250120_4511237.html", title24, "2025-01-20"),
        ("../../.." + site.hz_2023_pdf, "淮安市洪泽区人民政府2023年政府信息公开工作年度报告", "2024-01-26"),
        (
            "./202401/t20240110_4400001.html",
            "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知",
            "2024-01-10",
        ),
        (
            "./202401/t20240130_4400002.html",
            "《淮安市洪泽区人民政府2023年政府信息公开工作年度报告》解读",
            "2024-01-30",
        ),
        ("/xxgk/zn/t20230301_1.html", "淮安市洪泽区人民政府信息公开指南", "2023-03-01"),
    ]
    content = (
        '<div class="list-title"><h2>政府信息公开年报</h2></div>'
        + _column_list(items)
        + '<p class="note"><a href="javascript:void(0);" onclick="window.open(\'/old/2022年报.html\')">'
        "2022年政府信息公开工作年度报告（旧版网站）</a> "
        "<a onclick=\"location.href='/old/2021.html'\">2021年政府信息公开工作年度报告</a> "
        '<a href="mailto:hzzfb@example.gov.cn?subject=2023年政府信息公开工作年度报告">'
        "对年度报告提意见</a></p>"
        '<div class="page"><span>共2条 1/1页</span></div>'
    )
    server.set(site.hz_column, cms_page("政府信息公开年报", content, owner=owner, column=site.hz_column))
    # The same column as a 大汉 Hanweb site publishes it: the list as CDATA records in a data block.
    records = "".join(
        f"<record><![CDATA[<li><a href='{href}' target='_blank' title='{html_lib.escape(title)}'>"
        f"{html_lib.escape(title)}</a><span class='bt-data-time'>{day}</span></li>]]></record>\n"
        for href, title, day in items
    )
    hanweb = (
        '<div class="list-title"><h2>政府信息公开年报</h2></div><div id="4567"><script type="text/xml">'
        '<datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&columnid=4567">'
        f"</a>]]></nextgroup><recordset>{records}</recordset></datastore></script>"
        '<script language="javascript" src="/module/web/jpage/jpage.js"></script></div>'
    )
    server.set(
        site.hz_hanweb_column, cms_page("政府信息公开年报", hanweb, owner=owner, column=site.hz_column)
    )
    # ---- the county platform's 部门年报 column, with the seed reports as pages.
    rows = []
    for i, (stem, title, year, published, encoding) in enumerate(_PLATFORM_SEEDS):
        path = f"/ptnb/{published[:4]}{published[5:7]}/t{published.replace('-', '')}_{9100 + i}.html"
        data = seed_page_bytes(stem, title, published, encoding)
        # GBK declared by the <meta> only, by the HTTP header only; UTF-8 by both.
        ctype = {"gbk-meta": "text/html", "gbk-header": "text/html; charset=GBK"}.get(
            encoding, "text/html; charset=utf-8"
        )
        server.set(path, data, content_type=ctype)
        site.seed_pages.append(SeedPage(path, stem, title, year, published, encoding))
        rows.append((path, title, published))
    page1 = rows[:3]
    table = "".join(
        f'<tr><td class="xh">{n}</td><td class="bt"><a href="{p.rsplit("/", 2)[1]}/{p.rsplit("/", 1)[1]}" '
        f'title="{html_lib.escape(t)}">{html_lib.escape(t)}</a></td><td class="rq">{d}</td></tr>'
        for n, (p, t, d) in enumerate(page1, 1)
    )
    content1 = (
        '<table class="list-table" width="100%"><tr><th>序号</th><th>标题</th><th>发布日期</th></tr>'
        f"{table}</table>"
        '<div class="pagination"><a href="index.html">首页</a> <span class="current">1</span> '
        '<a href="index_1.html">2</a> <a href="index_1.html">下一页</a> <a href="index_1.html">尾页</a></div>'
    )
    server.set(
        site.platform_column,
        cms_page("部门年报", content1, owner="某县人民政府", crumbs="部门年报", column=site.platform_column),
    )
    # Links relative to the <base href> (…/ptnb/nb/), not to the page: only right if <base> is read.
    content2 = _column_list([("../" + p.split("/ptnb/", 1)[1], t, d) for p, t, d in rows[3:]]) + (
        '<div class="pagination"><a href="index.html">上一页</a> <span class="current">2</span></div>'
    )
    server.set(
        site.platform_page2,
        cms_page(
            "部门年报",
            content2,
            owner="某县人民政府",
            crumbs="部门年报",
            base=server.url("/ptnb/nb/"),
            column=site.platform_column,
        ),
    )
    # ---- hostile and error routes.
    server.set("/gone.html", _not_found_page(), status=410)
    server.redirect("/loop/a", "/loop/b")
    server.redirect("/loop/b", "/loop/a")
    server.set("/slow.html", drip(0.2), content_type="text/html; charset=utf-8")
    server.set("/huge-declared.html", huge(), content_length=60 * 1024 * 1024)
    server.set("/huge-undeclared.html", huge())
    server.set("/binary.html", garbage(), content_type="text/html")
    return site


def _not_found_page() -> bytes:
    page = "<html><head><title>404 Not Found</title></head><body><h1>您访问的页面不存在</h1></body></html>"
    return page.encode()


# --------------------------------------------------------------------------- benchmark pages


def add_report_pages(server: CollectServer, n: int, *, prefix: str = "/bench", seed: int = 14) -> list[str]:
    """Serve ``n`` distinct valid report pages (synthetic agencies, realistic CMS tables); their URLs.

    The agencies are :func:`library.synthetic.specs` names (all marked （合成）), the figures are
    :func:`realistic_docs.make_report`'s (they satisfy every 勾稽 rule), rendered by
    :func:`realistic_docs.html_page` with a PubDate meta tag. Also serves ``{prefix}/index.html``, a
    column page listing them all.
    """
    from realistic_docs import Layout, html_page, make_report

    from library.synthetic import specs
    from parsing import schema

    urls: list[str] = []
    items: list[tuple[str, str, str]] = []
    for i, spec in enumerate(specs(n)):
        version = schema.V2019 if spec.year <= 2020 else schema.V2021
        rep = make_report(spec.agency, spec.year, version, version, seed=seed * 100_003 + i)
        page = html_page(rep, Layout(), chrome="cms")
        published = f"{spec.year + 1}-01-{10 + i % 18:02d}"
        page = page.replace("<head>", f'<head><meta name="PubDate" content="{published} 09:00">', 1)
        page = page.replace(f"{rep.year + 1}-01-20", published, 1)
        path = f"{prefix}/{spec.year + 1}01/t{published.replace('-', '')}_{100000 + i}.html"
        urls.append(server.set(path, page))
        items.append((path, rep.title, published))
    server.set(
        f"{prefix}/index.html",
        cms_page("政府信息公开年报", _column_list(items), owner="（合成）某县人民政府"),
    )
    return urls


def serve_forever() -> None:  # pragma: no cover - a manual check: python tests/collect_server.py
    with CollectServer() as server:
        site = install_site(server)
        print("洪泽区年报栏目:", site.url(site.hz_column))
        print("部门年报栏目:", site.url(site.platform_column))
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


# Hits per path for a quick look in a debugger.
def hit_table(server: CollectServer) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for h in server.requests():
        out[h.path] += 1
    return dict(out)


if __name__ == "__main__":  # pragma: no cover
    serve_forever()

"""Understanding fetched pages: report links, attachments, titles and publication dates (issue 14).

Pure functions on the bytes of a page (no network, no script ever run: the HTML is only parsed by
lxml through BeautifulSoup). Decoding is the HTML reader's (:func:`parsing.readers.html.decode_html`:
BOM, HTTP charset, ``<meta charset>``, GBK read as GB18030, then a detector), and the tree is built by
:func:`parsing.readers.html.bounded_soup`, so a hostile nesting depth cannot blow the stack.

Chinese government sites run a handful of CMSs (TRS WCM, 大汉 Hanweb, 拓尔思, 政府网站集约化平台 …):
- a 年报 column page lists reports as ``<li><a href="./202401/t20240120_123.html" title="full title">
  truncated title…</a><span>2024-01-20</span></li>``, or in a table, with relative URLs and sometimes
  a ``<base href>``; navigation, breadcrumbs, sidebars and footers hold many other links;
- a report page shows "发布时间：2024-01-20 09:00 来源：…" above the article, and the CMS writes
  ``<meta name="PubDate" content="2024-01-20 09:00">`` (TRS), ``firstpublishedtime`` or ``pubdate``;
- attachments are ``<a href="/attach/…/P020240120.pdf">附件：XX年报.pdf</a>``, ``download.jsp?
  fileName=….docx``, or a pdf.js viewer ``viewer.html?file=/upload/….pdf``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, PageElement, Tag

from parsing.readers.html import bounded_soup, decode_html

__all__ = [
    "Link",
    "attachment_links",
    "next_page_links",
    "page_text",
    "page_title",
    "published_date",
    "redirect_url",
    "rendered_by_script",
    "report_links",
    "report_year",
]

ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx")
# Pages above this size are only read up to it for discovery (a column page is ~100 KB; a report
# page with inline base64 images a few MB); the cut keeps a hostile page from costing minutes.
MAX_PAGE_BYTES = 8 * 1024 * 1024
_MAX_DEPTH = 100

_INVISIBLE = {
    "script",
    "style",
    "noscript",
    "template",
    "head",
    "iframe",
    "object",
    "svg",
    "canvas",
    "select",
}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "nav",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "th",
    "br",
    "blockquote",
    "pre",
    "form",
    "center",
    "hr",
    "caption",
    "title",
    "body",
}
# Site chrome: links there are navigation, not the column's list.
_CHROME_TAGS = {"nav", "header", "footer"}
_CHROME_CLASS = re.compile(
    r"(^|[-_\s])(nav|navbar|menu|topbar|top-bar|header|footer|foot|crumb|breadcrumb|bread|position|"
    r"location|dqwz|wzdh|sitemap|copyright|friend-?links?|yqlj|share|toolbar)([-_\s\d]|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Link:
    """A link found on a page."""

    url: str  # absolute (joined with the page URL and any <base href>), without #fragment
    title: str  # link text or title attribute, whitespace-normalised
    year: int | None  # the report year stated in the title, None if none


# --------------------------------------------------------------------------- parsing, cached


# Pages up to this size keep their tree in a small cache (a collector asks for the title, the links,
# the attachments and the date of one page in a row); larger ones are parsed for each question
# rather than held (a tree takes 10-20 times the page's size).
_CACHED_PAGE_BYTES = 1024 * 1024


def _soup(data: bytes, charset: str | None) -> BeautifulSoup | None:
    """The page as a tree (None when the bytes are not a page); shared read-only by the functions below."""
    if not data:
        return None
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # binary (a PDF or garbage served as text/html): nothing to discover
    if data.startswith((b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return None
    if len(data) <= _CACHED_PAGE_BYTES:
        return _cached_soup(data, charset)
    return _parse(data, charset)


@lru_cache(maxsize=4)
def _cached_soup(data: bytes, charset: str | None) -> BeautifulSoup | None:
    return _parse(data, charset)


def _parse(data: bytes, charset: str | None) -> BeautifulSoup | None:
    text, _encoding, _note = decode_html(data[:MAX_PAGE_BYTES], charset)
    try:
        soup, _flattened = bounded_soup(text, _MAX_DEPTH)
    except Exception:  # noqa: BLE001 - lxml on garbage: no page, no links (never a traceback)
        return None
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    _unpack_datastores(soup)
    return soup


# 大汉 Hanweb (jpage) column pages carry their list as data in <script type="text/xml">:
# <datastore><recordset><record><![CDATA[<li><a href="/art/2024/1/20/art_4567_123.html">…</a></li>]]>
# </record>…</recordset></datastore>; a browser script turns the records into the list. The records
# are markup, not code: they are parsed in place of the data block (nothing is run).
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL | re.IGNORECASE)


def _unpack_datastores(soup: BeautifulSoup) -> None:
    for script in soup.find_all("script"):
        code = script.get_text()
        if "<datastore" not in code.lower() and "<recordset" not in code.lower():
            continue
        records = _RECORD.findall(code)
        if not records:
            continue
        fragment, _ = bounded_soup('<div class="datastore">' + "".join(records) + "</div>", _MAX_DEPTH)
        block = fragment.find("div", class_="datastore")
        if isinstance(block, Tag):
            script.replace_with(block.extract())


def _norm(text: str) -> str:
    """Whitespace collapsed (incl. ideographic spaces and nbsp); the characters are kept as written."""
    return re.sub(r"[\s\u3000\u00a0]+", " ", text).strip()


def _fold(text: str) -> str:
    """For matching only: full-width digits, letters and punctuation folded (ＮＦＫＣ), spaces collapsed."""
    return _norm(unicodedata.normalize("NFKC", text))


def _visible_text(node: Tag) -> str:
    """Visible text of a subtree, blocks on their own lines (scripts, styles and hidden parts skipped)."""
    parts: list[str] = []
    stack: list[PageElement | str] = [node]
    while stack:  # iterative: no recursion on deep pages
        item = stack.pop()
        if isinstance(item, str) and not isinstance(item, NavigableString):
            parts.append(item)
            continue
        if isinstance(item, NavigableString):
            if not isinstance(item, Comment):
                parts.append(str(item))
            continue
        if not isinstance(item, Tag):
            continue
        if item.name in _INVISIBLE or _hidden(item):
            continue
        block = item.name in _BLOCK
        if block:
            stack.append("\n")
        stack.extend(reversed(list(item.children)))
        if block:
            stack.append("\n")
    lines = (re.sub(r"[ \t\r\f\v\u00a0\u3000]+", " ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _hidden(tag: Tag) -> bool:
    style = tag.get("style")
    if isinstance(style, str) and re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", style, re.I):
        return True
    return tag.has_attr("hidden")


# --------------------------------------------------------------------------- text and title


def page_text(data: bytes, charset: str | None = None) -> str:
    """The visible text of the page, decoded, one block per line ('' when the bytes are not a page)."""
    soup = _soup(data, charset)
    if soup is None:
        return ""
    return _visible_text(soup.body or soup)


_TITLE_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s[-—–]\s).*$")


def page_title(data: bytes, charset: str | None = None) -> str:
    """The page's title: the CMS's ``ArticleTitle`` meta, else ``<title>`` without the site name
    ("…年度报告_某县人民政府"), else the first ``<h1>``; '' when none."""
    soup = _soup(data, charset)
    if soup is None:
        return ""
    for name in ("articletitle", "title", "dc.title"):
        content = _meta(soup, name)
        if content:
            return _title_text(content)
    if soup.title is not None:
        raw = _title_text(soup.title.get_text(" "))
        trimmed = _TITLE_SUFFIX.sub("", raw)
        if len(trimmed) >= 4:
            return trimmed
        if raw:
            return raw
    h1 = soup.find("h1")
    return _title_text(h1.get_text(" ")) if isinstance(h1, Tag) else ""


def _meta(soup: BeautifulSoup, name: str) -> str:
    """The content of ``<meta name=…>`` or ``<meta property=…>`` (case-insensitive), '' if none."""
    for tag in soup.find_all("meta"):
        key = tag.get("name") or tag.get("property") or tag.get("itemprop") or ""
        if isinstance(key, str) and key.strip().lower() == name:
            content = tag.get("content")
            if isinstance(content, str) and content.strip():
                return _norm(content)
    return ""


# --------------------------------------------------------------------------- years

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4}
_CN_DIGITS.update({"五": 5, "六": 6, "七": 7, "八": 8, "九": 9})
_CN_YEAR = re.compile(r"([二][〇○零Ｏ0Oo][〇○零Ｏ0Oo一二三四五六七八九]{2})\s*年")
_YEAR_NIAN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年|年度)")
_YEAR_PAREN = re.compile(r"[（(【\[]\s*((?:19|20)\d{2})\s*(?:年度?)?\s*[)）】\]]")
_YEAR_BARE = re.compile(r"(?<![\d\-/.])((?:19|20)\d{2})(?![\d\-/.])(?!\s*[-/.]\s*\d)")
_YEAR_RANGE = range(2000, 2100)


def _cn_year(text: str) -> int:
    return int("".join(str(_CN_DIGITS[c]) for c in text))


def report_year(title: str) -> int | None:
    """The report year a title states: "2023年度…" / "…2023年…" / "二〇二三年…" / "…（2023）"; else None.

    A publication date inside the title ("2024-01-20") is not a report year.
    """
    text = _fold(title)
    for pattern in (_YEAR_NIAN, _YEAR_PAREN):
        for m in pattern.finditer(text):
            year = int(m.group(1))
            if year in _YEAR_RANGE:
                return year
    cn = _CN_YEAR.search(title)
    if cn:
        year = _cn_year(cn.group(1))
        if year in _YEAR_RANGE:
            return year
    for m in _YEAR_BARE.finditer(text):
        year = int(m.group(1))
        if year in _YEAR_RANGE:
            return year
    return None


# --------------------------------------------------------------------------- report links

_DISCLOSURE = re.compile(r"(?:政府|政务)?(?:信息|资讯)公开|政务公开")
_REPORT_WORD = re.compile(r"年度报告|年报|工作报告|年度工作报告")
# Documents about reports that are not reports: notices on compiling them, readings, evaluations.
_NOT_A_REPORT = re.compile(
    r"通知|解读|图解|图说|编制|编发|报送|模板|格式|培训|要点|评估|考核|测评|评议|督查|检查|通报|整改|更正|勘误|"
    r"函|意见|方案|目录|指南|制度|规定|办法|统计表$"
)
# The column itself ("政府信息公开年报" in the sidebar or breadcrumb), not one report.
_COLUMN_NAME = re.compile(
    r"^(?:政府|政务)?(?:信息|资讯)?公开(?:工作)?(?:年度报告|年报)(?:专栏|栏目|目录|列表)?$|^(?:年度报告|年报)$"
)
_TRUNCATED = re.compile(r"(?:…|\.\.\.|。。。|⋯)+\s*$")
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "vbscript:", "about:", "file:", "ftp:", "#")


# Titles that open with these are about a report, whatever the agency.
_LEADING_NOT_A_REPORT = re.compile(r"^[【\[（(]?(?:图解|图说|一图读懂|一图看懂|图文解读|解读|政策解读)")


def _is_report_title(title: str) -> bool:
    """True when a link title names an annual report on government information disclosure.

    The words that make a title a notice, a reading or an evaluation *about* a report count only
    after the report word ("…年度报告的通知", "…年度报告解读", "…年度报告第三方评估") or at the start
    ("图解：…"): before it they are part of the agency's name (职业技能培训指导中心, 卫生监督检查所).
    """
    text = _fold(title).replace(" ", "")
    if not text or _COLUMN_NAME.match(text) or _LEADING_NOT_A_REPORT.match(text):
        return False
    word = _REPORT_WORD.search(text)
    if word is not None and _DISCLOSURE.search(text):
        return not _NOT_A_REPORT.search(text, word.start())
    # A title cut short by the list ("2023年度政府信息公开工作年…"): the year and 公开 are enough.
    if _TRUNCATED.search(title) and _DISCLOSURE.search(text) and report_year(text) is not None:
        return not _NOT_A_REPORT.search(text)
    return False


def _base(soup: BeautifulSoup, page_url: str) -> str:
    base = soup.find("base", href=True)
    if isinstance(base, Tag):
        href = base.get("href")
        if isinstance(href, str) and href.strip() and not href.strip().lower().startswith(_SKIP_SCHEMES):
            return urljoin(page_url, href.strip())
    return page_url


def _absolute(base: str, href: str | None) -> str | None:
    """The absolute http(s) URL of an href, without fragment; None for script/mail/anchor links."""
    if not isinstance(href, str):
        return None
    raw = href.strip().replace("\\", "/")
    raw = re.sub(r"[\t\r\n]", "", raw)
    if not raw or raw.lower().startswith(_SKIP_SCHEMES):
        return None
    try:
        url = urldefrag(urljoin(base, raw))[0]
    except ValueError:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


# A space the markup put between two CJK characters, or between a CJK character and a digit
# (<span>2023</span><span>年…</span>, "某县财政局 2019 年"): not part of the title.
_WIDE = r"\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"  # CJK ideographs, CJK and full-width punctuation
_CJK_GAP = re.compile(rf"(?<=[{_WIDE}]) (?=[{_WIDE}\d])|(?<=\d) (?=[\u4e00-\u9fff])")


def _title_text(text: str) -> str:
    return _CJK_GAP.sub("", _norm(text))


def _link_title(a: Tag) -> str:
    """The best title of a link: its text, or its ``title`` attribute when the text is cut short,
    missing (an image link) or less informative."""
    text = _title_text(a.get_text(" "))
    attr = a.get("title")
    attr_text = _title_text(attr) if isinstance(attr, str) else ""
    if not attr_text:
        return text
    if not text or _TRUNCATED.search(text):
        return attr_text
    stem = _TRUNCATED.sub("", text)
    if len(attr_text) > len(text) and (stem in attr_text or not _is_report_title(text)):
        return attr_text
    return text


def _in_chrome(a: Tag) -> bool:
    """True when a link sits in the site's navigation, header, footer or breadcrumb."""
    for parent in a.parents:
        if not isinstance(parent, Tag) or parent.name in ("body", "html", "[document]"):
            break
        if parent.name in _CHROME_TAGS or parent.get("role") == "navigation":
            return True
        classes: object = parent.get("class") or []
        names = [str(c) for c in classes] if isinstance(classes, list) else [str(classes)]
        ident = " ".join([*names, str(parent.get("id") or "")])
        if ident.strip() and _CHROME_CLASS.search(ident):
            return True
    return False


def _anchors(soup: BeautifulSoup) -> list[Tag]:
    return [a for a in soup.find_all(["a", "area"]) if isinstance(a, Tag) and a.get("href") is not None]


def report_links(data: bytes, base_url: str, charset: str | None = None) -> list[Link]:
    """Links on a 年报 column page whose title names an annual report on 政府信息公开.

    Absolute URLs, deduplicated, in page order; navigation, header, footer and breadcrumb links are
    left out, as are ``javascript:``/``mailto:``/anchor links and links with only an ``onclick``.
    A link straight to a PDF or Word report counts. Pagination: :func:`next_page_links`.
    """
    soup = _soup(data, charset)
    if soup is None:
        return []
    base = _base(soup, base_url)
    found: dict[str, Link] = {}
    for a in _anchors(soup):
        url = _absolute(base, a.get("href"))  # type: ignore[arg-type]
        if url is None:
            continue
        title = _link_title(a)
        if not _is_report_title(title) or _in_chrome(a):
            continue
        link = Link(url=url, title=title, year=report_year(title))
        previous = found.get(url)
        if previous is None:
            found[url] = link
        elif _TRUNCATED.search(previous.title) and not _TRUNCATED.search(title):
            found[url] = link  # the same report listed twice: keep the full title
    return list(found.values())


_NEXT_TEXT = re.compile(r"^(?:下一页|下页|后一页|后页|next|next\s*page|>|›|»|>>)$", re.IGNORECASE)


# TRS WCM writes its pager with a script: createPageHTML(countPage, currentPage, "index", "html"),
# newer templates createPageHTML('pageDiv', countPage, currentPage, 'index', 'html', records); the
# arguments may be variables set just above (var countPage = 5). Page 0 is index.html, page n
# index_n.html. The literal arguments are read; the script is never run.
_TRS_PAGER = re.compile(
    r"createPageHTML\(\s*(?:['\"][\w-]*['\"]\s*,\s*)?(\w+)\s*,\s*(\w+)\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)


def _script_int(script: str, token: str) -> int | None:
    if token.isdigit():
        return int(token)
    m = re.search(rf"\b(?:var\s+|let\s+|const\s+)?{re.escape(token)}\s*=\s*(\d+)", script)
    return int(m.group(1)) if m else None


def next_page_links(data: bytes, base_url: str, charset: str | None = None) -> list[str]:
    """URLs of the next page of a paginated column: "下一页"/"下页"/"›" links, and the next page of a
    TRS script pager (``createPageHTML``), read from its arguments. Other script pagers (ajax) are
    not followed."""
    soup = _soup(data, charset)
    if soup is None:
        return []
    base = _base(soup, base_url)
    here = urldefrag(base_url)[0]
    out: dict[str, None] = {}
    for a in _anchors(soup):
        if _NEXT_TEXT.match(_norm(a.get_text(" "))) or _NEXT_TEXT.match(_norm(str(a.get("title") or ""))):
            url = _absolute(base, a.get("href"))  # type: ignore[arg-type]
            if url is not None and urldefrag(url)[0] != here:
                out.setdefault(url, None)
    if not out:
        for script in soup.find_all("script"):
            code = script.get_text()
            m = _TRS_PAGER.search(code)
            if m is None:
                continue
            count, current = _script_int(code, m.group(1)), _script_int(code, m.group(2))
            if count is not None and current is not None and current + 1 < count:
                url = _absolute(base, f"{m.group(3)}_{current + 1}.{m.group(4)}")
                if url is not None and url != here:
                    out.setdefault(url, None)
    return list(out)


# --------------------------------------------------------------------------- redirect-only pages

_REFRESH = re.compile(r"^\s*(\d*)(?:\.\d*)?\s*[;,]?\s*url\s*=\s*['\"]?([^'\"]+)['\"]?\s*$", re.IGNORECASE)
# A refresh later than this on a page with text is a periodic reload, not a move.
_REFRESH_MOVE_S = 10
_JS_REDIRECT = re.compile(
    r"(?:window\.|document\.|self\.|top\.)?location(?:\.href)?\s*=\s*['\"]([^'\"]+)['\"]"
    r"|location\.(?:replace|assign)\(\s*['\"]([^'\"]+)['\"]\s*\)"
)
_CONTENT_FRAMES = ("main", "content", "right", "mainframe")
# A page with less visible text than this that sends the browser elsewhere is only a redirect.
_REDIRECT_PAGE_CHARS = 200


def redirect_url(data: bytes, base_url: str, charset: str | None = None) -> str | None:
    """Where a redirect-only page sends the browser, or None.

    Sites move columns and leave ``index.html`` pages holding only ``<meta http-equiv="refresh"
    content="0;url=…">`` or ``<script>location.href="…"</script>``; old sites still wrap the content in
    a ``<frameset>`` (the content frame is returned). The target is read from the
    markup (the script is not run) and only when the page itself shows next to nothing, so a report
    page with a "back to top" script is never mistaken for a redirect.
    """
    soup = _soup(data, charset)
    if soup is None:
        return None
    base = _base(soup, base_url)
    frames = [f for f in soup.find_all("frame") if isinstance(f, Tag) and f.get("src")]
    if frames:  # an old <frameset> site: the content frame ("main", "content", "right") or the last one
        named = [
            f for f in frames if str(f.get("name") or "").lower() in ("main", "content", "right", "mainframe")
        ]
        url = _absolute(base, str((named or frames[-1:])[0].get("src")))
        if url is not None:
            return url
    here = urldefrag(base_url)[0]
    little_text = len(_visible_text(soup.body or soup)) <= _REDIRECT_PAGE_CHARS
    for meta in soup.find_all("meta"):
        if str(meta.get("http-equiv") or "").strip().lower() == "refresh":
            m = _REFRESH.match(str(meta.get("content") or ""))
            if m is None or not (little_text or int(m.group(1) or 0) <= _REFRESH_MOVE_S):
                continue
            url = _absolute(base, m.group(2).strip())
            if url is not None and url != here:
                return url
    if not little_text:
        return None
    for script in soup.find_all("script"):
        m = _JS_REDIRECT.search(script.get_text())
        if m and (url := _absolute(base, (m.group(1) or m.group(2)).strip())):
            return url
    return None


def rendered_by_script(data: bytes, charset: str | None = None) -> bool:
    """True for a page whose content a script would build (next to no text, scripts present): an
    anti-robot challenge or an ajax-loaded column. The collector runs no script, so such a page gives
    nothing; the caller says so instead of "no report found"."""
    soup = _soup(data, charset)
    if soup is None or not soup.find("script"):
        return False
    return len(_visible_text(soup.body or soup)) < 30 and redirect_url(data, "http://x/", charset) is None


# --------------------------------------------------------------------------- attachments

_FILE_NAME = re.compile(r"[^\s/\\:：]+\.(pdf|docx?|wps|xlsx?)(?![a-z0-9])", re.IGNORECASE)


def _extension(path: str) -> str:
    name = unquote(path).rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _attachment_url(url: str, title: str) -> str | None:
    """The file URL a link stands for, or None when it is not an attachment link.

    - the path ends in .pdf/.doc/…;
    - a viewer or download script names the file in a parameter (``viewer.html?file=/a/b.pdf``:
      the file itself is fetched; ``download.jsp?fileName=x.docx``: the script is the download);
    - the link text names a file ("附件：2023年报.pdf") behind an opaque download URL.
    """
    parts = urlsplit(url)
    if _extension(parts.path) in ATTACHMENT_EXTENSIONS:
        return url
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if _extension(urlsplit(value).path) in ATTACHMENT_EXTENSIONS:
            if key.lower() == "file" and ("viewer" in parts.path.lower() or "pdfjs" in parts.path.lower()):
                return _absolute(url, value) or url  # the pdf.js viewer page: fetch the file itself
            return url  # a download script that names the file
    if _FILE_NAME.search(title):
        return url
    return None


def attachment_links(data: bytes, base_url: str, charset: str | None = None) -> list[Link]:
    """Links to attachments (.pdf .doc .docx .wps .xls .xlsx) on a page, in page order, deduplicated.

    Also ``<iframe>``/``<embed>``/``<object>`` that show a PDF inline. Navigation and footer links are
    skipped; the year is the one the link title (or else the file name) states.
    """
    soup = _soup(data, charset)
    if soup is None:
        return []
    base = _base(soup, base_url)
    found: dict[str, Link] = {}
    candidates: list[tuple[str | None, str, Tag]] = []
    for a in _anchors(soup):
        candidates.append((_absolute(base, a.get("href")), _link_title(a), a))  # type: ignore[arg-type]
    for tag in soup.find_all(["iframe", "embed", "object"]):
        src = tag.get("src") or tag.get("data")
        title = _norm(str(tag.get("title") or ""))
        candidates.append((_absolute(base, src if isinstance(src, str) else None), title, tag))
    for url, title, tag in candidates:
        if url is None:
            continue
        file_url = _attachment_url(url, title)
        if file_url is None or _in_chrome(tag):
            continue
        if not title:
            title = unquote(urlsplit(file_url).path).rsplit("/", 1)[-1]
        year = report_year(title)
        if year is None:
            year = report_year(unquote(urlsplit(file_url).path).rsplit("/", 1)[-1].rsplit(".", 1)[0])
        found.setdefault(file_url, Link(url=file_url, title=title, year=year))
    return list(found.values())


# --------------------------------------------------------------------------- publication date

# <meta> names CMSs use for the publication time, best first.
_DATE_METAS = (
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "publishtime",
    "publish_time",
    "article:published_time",
    "dc.date.issued",
    "dc.date",
)
# Not read: "lastmodifiedtime" and a bare "date" meta (an edit or build time would outrank the
# 发布时间 the page shows).
_DATE = r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})(?!\d)"
_DATE_RE = re.compile(_DATE)
# Labels, best first: the publication itself, then the document's date, then a bare 日期/时间 (only
# where it is a label of its own: "来源：… 时间：2024-01-25", not "办公时间" or "生成日期").
_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("publish", re.compile(rf"(?:发布|公开|发表|上线|公布)(?:日期|时间|于)\s*[:：]?\s*{_DATE}")),
    ("written", re.compile(rf"(?:成文|发文|印发)(?:日期|时间)\s*[:：]?\s*{_DATE}")),
    ("bare", re.compile(rf"(?<![\u4e00-\u9fff])(?:日期|时间)\s*[:：]\s*{_DATE}")),
    ("updated", re.compile(rf"(?:更新|修改)(?:日期|时间)\s*[:：]?\s*{_DATE}")),
)
_RANGE_AFTER = re.compile(r"\s*日?\s*(?:起|至|到|—|–|～|~|-\s*\d)")


def _valid_date(m: re.Match[str]) -> date | None:
    try:
        day = date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None
    return day if day.year in _YEAR_RANGE else None


def published_date(data: bytes, charset: str | None = None) -> date | None:
    """The publication date the page shows, or None.

    ``<meta name="PubDate">`` and the other CMS meta tags first, then a labelled date in the text
    (发布日期/发布时间/公开日期 before 成文日期 before a bare 日期/时间), in the formats 2024-01-20,
    2024年1月20日, 2024/01/20 and 2024.01.20. An unlabelled date (a signature, a copyright line) is
    never taken: a wrong date is worse than none.
    """
    soup = _soup(data, charset)
    if soup is None:
        return None
    for name in _DATE_METAS:
        content = _meta(soup, name)
        m = _DATE_RE.search(_fold(content)) if content else None
        if m and (day := _valid_date(m)):
            return day
    text = _fold(_visible_text(soup.body or soup))
    for _kind, pattern in _LABELS:
        for m in pattern.finditer(text):
            if _RANGE_AFTER.match(text, m.end()):
                continue  # "时间：2023年1月1日至12月31日" is a period
            day = _valid_date(m)
            if day is not None:
                return day
    return None

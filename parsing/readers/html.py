"""HTML reader: web pages as published, saved from a browser (incl. MHTML), or Word's "Save as HTML".

- Encoding: BOM, then the declared charsets (``<meta charset>``, ``http-equiv``, XML declaration),
  gb2312/gbk read as gb18030 (pages declare gb2312 and use GBK-only characters), then a detector.
- Tables become grids with rowspan/colspan expanded; the covered slots are not emitted.
- The text of a cell is joined across ``<span>``/``<font>`` runs so that a number split by the
  editor (``<span>2</span><span>0</span>``) stays ``20``; ``<br>`` and block children are line breaks.
- Scripts, styles, comments, hidden elements and marked site chrome (``<nav>``, ``<aside>``,
  ``role=navigation``) are dropped; the body text is kept in reading order.
- A table that contains tables is page layout: its cells are walked as containers instead.
"""

from __future__ import annotations

import email
import email.policy
import re
import warnings
from html import escape
from html.parser import HTMLParser

from bs4 import BeautifulSoup, Comment, NavigableString, Tag, XMLParsedAsHTMLWarning

from parsing.document import Document, SourceCell
from parsing.errors import ReadError
from parsing.limits import get_limits, limit_error
from parsing.readers.grid import GridCell, clean_cell_text, grid_rows, grid_text, prose_row

_DROP_TAGS = {
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
# Site chrome that HTML5 pages mark as such: menus and sidebars often list item counts
# ("行政许可 356") that would read as table rows of the report.
_CHROME_TAGS = {"nav", "aside"}
_BLOCK_TAGS = {
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
    "blockquote",
    "pre",
    "form",
    "fieldset",
    "address",
    "center",
    "figure",
    "figcaption",
    "hr",
    "caption",
    "body",
    "html",
}
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_DECL_RE = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE)
_CELL_OR_BREAK = re.compile(r"<(?:t[dh]|br)[\s>/]", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def read(data: bytes, filename: str = "") -> Document:
    """Read an HTML (or MHTML) page into a Document."""
    warnings_out: list[str] = []
    charset_hint = None
    if _looks_mhtml(data):
        data, charset_hint = _mhtml_html_part(data)
    text, encoding, note = decode_html(data, charset_hint)
    if note:
        warnings_out.append(note)
    limits = get_limits()
    if len(text) > limits.max_text_chars:
        raise limit_error("too_large", "max_text_chars", limits, f"{len(text):,} 个字符")
    # Cells and line breaks counted on the text, before any tree is built (a tree of a million
    # elements takes minutes and gigabytes to build only to be refused).
    marks = sum(1 for _ in _CELL_OR_BREAK.finditer(text))
    if marks > limits.max_cells:
        raise limit_error("too_complex", "max_cells", limits, f"{marks:,} 个单元格或换行")
    soup, flattened = bounded_soup(text, limits.max_depth)
    if flattened:
        warnings_out.append(f"网页嵌套超过 {limits.max_depth} 层，更深的 {flattened} 个元素按普通文字读取")
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(style=_HIDDEN_STYLE):
        tag.decompose()
    for tag in soup.find_all(_CHROME_TAGS) + soup.find_all(role="navigation"):
        if not tag.decomposed:
            tag.decompose()
    walker = _Walker()
    root = soup.body or soup
    walker.walk(root)
    walker.flush()
    if not walker.rows:
        raise ReadError("no_content", "网页中没有可读取的文字内容", "the page has no readable text")
    doc = Document(format="html", rows=walker.rows, text="\n".join(walker.lines), warnings=warnings_out)
    return doc


def _max_depth(soup: BeautifulSoup) -> int:
    """The element nesting depth of a parsed page, computed iteratively."""
    depth: dict[int, int] = {id(soup): 0}
    deepest = 0
    for node in soup.descendants:
        if isinstance(node, Tag):
            level = depth.get(id(node.parent), 0) + 1
            depth[id(node)] = level
            deepest = max(deepest, level)
    return deepest


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _DepthFilter(HTMLParser):
    """Re-emits a page with the tags nested deeper than ``max_depth`` left out (their text stays).

    A tokenizer, not a tree builder: it never recurses and keeps the text after a deep region,
    which libxml2 drops (it stops building at a few thousand levels, even with huge_tree)."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(convert_charrefs=False)
        self.max_depth = max_depth
        self.out: list[str] = []
        self.stack: list[str] = []
        self.open_count: dict[str, int] = {}
        self.dropped = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _VOID:
            self.out.append(self.get_starttag_text() or "")
            return
        self.stack.append(tag)
        self.open_count[tag] = self.open_count.get(tag, 0) + 1
        if len(self.stack) <= self.max_depth:
            self.out.append(self.get_starttag_text() or "")
        else:
            self.dropped += 1

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if not self.open_count.get(tag):
            return  # a stray end tag
        while self.stack:
            name = self.stack.pop()
            self.open_count[name] -= 1
            if len(self.stack) < self.max_depth:
                self.out.append(f"</{name}>")
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")


def _flatten(text: str, max_depth: int) -> tuple[str, int]:
    """``text`` with every element nested deeper than ``max_depth`` left out (its text stays in
    place); returns (html, number of elements left out)."""
    parser = _DepthFilter(max_depth)
    parser.feed(text)
    parser.close()
    return "".join(parser.out), parser.dropped


def bounded_soup(text: str, max_depth: int) -> tuple[BeautifulSoup, int]:
    """The page as a BeautifulSoup tree at most ``max_depth`` elements deep, so that the recursive
    walks below never go deeper than that whatever the page; returns (soup, elements flattened)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "lxml")
        if _max_depth(soup) <= max_depth:  # libxml2 stops at a few thousand levels: seen here as deep
            return soup, 0
        flat, dropped = _flatten(text, max_depth)
        return BeautifulSoup(flat, "lxml"), dropped


# --------------------------------------------------------------------------- encoding


def _norm_charset(name: str) -> str:
    name = name.strip().lower().replace("_", "-")
    if name in ("gb2312", "gbk", "gb-2312", "x-gbk", "cp936", "ms936", "euc-cn", "gb18030", "hz-gb-2312"):
        return "gb18030"
    if name in ("utf8", "unicode-1-1-utf-8"):
        return "utf-8"
    if name in ("big5", "big5-hkscs", "cp950"):
        return "big5hkscs"
    return name


def decode_html(data: bytes, hint: str | None = None) -> tuple[str, str, str | None]:
    """Decode page bytes; returns (text, encoding used, warning or None)."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace"), enc, None
    head = data[:8192]
    declared = [_norm_charset(m.decode("ascii", "ignore")) for m in _CHARSET_RE.findall(head)]
    declared += [_norm_charset(m.decode("ascii", "ignore")) for m in _XML_DECL_RE.findall(head[:200])]
    if hint:
        declared.insert(0, _norm_charset(hint))
    non_ascii = any(b > 0x7F for b in data)
    # Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the meta says: GBK text is practically never
    # valid UTF-8, while browsers that save a page re-encode it as UTF-8 but keep the old meta.
    if non_ascii:
        try:
            text = data.decode("utf-8")
            note = None
            if declared and declared[0] != "utf-8":
                note = f"网页声明编码为 {declared[0]}，实际按 UTF-8 读取"
            return text, "utf-8", note
        except UnicodeDecodeError:
            pass
    else:
        return data.decode("ascii"), "ascii", None
    for enc in dict.fromkeys(declared):
        try:
            return data.decode(enc), enc, None
        except (LookupError, UnicodeDecodeError):
            continue
    # No usable declaration. The detector is good on long pages but guesses wildly on short ones
    # (Korean, Cyrillic...), so only a Chinese guess is taken; otherwise GB18030, the usual encoding
    # of Chinese government pages, when the bytes decode cleanly.
    detected = _detect(data)
    candidates = [detected] if detected in ("gb18030", "big5hkscs") else []
    candidates += ["gb18030"] + ([detected] if detected and detected not in candidates else [])
    for enc in candidates:
        try:
            return data.decode(enc), enc, None
        except (LookupError, UnicodeDecodeError):
            continue
    # Last resort: the usual encoding of Chinese government pages, damaged bytes replaced.
    enc = next((e for e in declared if _codec_ok(e)), "gb18030")
    return data.decode(enc, errors="replace"), enc, f"网页编码有损坏的字节，已按 {enc} 尽量读取"


def _codec_ok(name: str) -> bool:
    try:
        "".encode(name)
        return True
    except LookupError:
        return False


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return _norm_charset(best.encoding) if best else None


# --------------------------------------------------------------------------- MHTML


def _looks_mhtml(data: bytes) -> bool:
    head = data[:4096].lower()
    return b"multipart/related" in head and b"content-type:" in head


def _mhtml_html_part(data: bytes) -> tuple[bytes, str | None]:
    """The first text/html part of an MHTML file (Chrome/IE "save as single file")."""
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload:  # decode=True gives bytes for a non-multipart part
                return payload, part.get_content_charset()
    raise ReadError("no_content", "MHTML 文件中没有网页内容", "the MHTML file has no HTML part")


# --------------------------------------------------------------------------- DOM walk


def _inline_text(raw: str) -> str:
    """A text node as inline text. Source line breaks are plain whitespace in HTML (only <br> and
    blocks break lines), and a node that is nothing but a source line break between two runs is
    editor formatting: dropping it keeps ``<span>2</span>\n<span>0</span>`` as ``20``."""
    if not raw.strip() and ("\n" in raw or "\r" in raw):
        return ""
    return re.sub(r"\s+", " ", raw)


def cell_text(tag: Tag) -> str:
    """The text of a table cell: runs joined without separators, ``<br>``/blocks as line breaks."""
    parts: list[str] = []
    _collect(tag, parts)
    return clean_cell_text("".join(parts))


def _collect(node: Tag, parts: list[str]) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            parts.append(_inline_text(str(child)))
        elif isinstance(child, Tag):
            name = child.name
            if name == "br":
                parts.append("\n")
            elif name in _BLOCK_TAGS or name in ("table", "tr"):
                parts.append("\n")
                _collect(child, parts)
                parts.append("\n")
            elif name in ("td", "th"):
                parts.append(" ")
                _collect(child, parts)
            else:
                _collect(child, parts)


class _Walker:
    """Walks the DOM in reading order: prose paragraphs become one-cell rows, tables become grids."""

    def __init__(self) -> None:
        self.rows: list[list[SourceCell]] = []
        self.lines: list[str] = []
        self.tables = 0
        self._inline: list[str] = []
        self._next_line = 1  # 1-based line of doc.text ("\n".join(self.lines)) the next line will have

    def flush(self) -> None:
        """End the current paragraph of inline text."""
        text = clean_cell_text("".join(self._inline))
        self._inline = []
        for line in text.split("\n"):
            line = line.strip()
            if line:
                # The line in the page's text, so a value written in a paragraph has a position too.
                self.rows.append(prose_row(line, "html", line=self._next_line))
                self.lines.append(line)
                self._next_line += 1

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                self._inline.append(_inline_text(str(child)))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name == "table":
                self.flush()
                if child.find("table"):
                    self._walk_layout_table(child)
                else:
                    self._emit_table(child)
            elif name == "br":
                self._inline.append("\n")
            elif name in _BLOCK_TAGS or name in ("tr", "td", "th", "tbody", "thead", "tfoot"):
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.walk(child)

    def _walk_layout_table(self, table: Tag) -> None:
        """A table used for page layout: its cells are containers of paragraphs and real tables."""
        for row in _own_rows(table):
            for cell in row.find_all(["td", "th"], recursive=False):
                self.walk(cell)
                self.flush()

    def _emit_table(self, table: Tag) -> None:
        # A <caption> ("第二十条第（一）项", a section heading) reads before the grid, as it shows.
        for caption in table.find_all("caption", recursive=False):
            self.walk(caption)
            self.flush()
        grid = build_grid(table)
        if not grid:
            return
        index = self.tables
        self.tables += 1
        self.rows.extend(grid_rows(grid, "html", index))
        text = grid_text(grid)
        self.lines.append(text)
        self._next_line += text.count("\n") + 1


def _own_rows(table: Tag) -> list[Tag]:
    """The <tr> of this table (through thead/tbody/tfoot), not those of nested tables.

    Word's "Save as HTML" closes every table with a zero-height row of empty cells that only fixes
    column widths (``<tr height=0>`` inside ``<![if !supportMisalignedColumns]>``): not content.
    """
    rows = []
    for child in table.children:
        if not isinstance(child, Tag):
            continue
        if child.name == "tr":
            rows.append(child)
        elif child.name in ("thead", "tbody", "tfoot"):
            rows.extend(tr for tr in child.children if isinstance(tr, Tag) and tr.name == "tr")
    return [tr for tr in rows if str(tr.get("height", "")).strip() != "0"]


def _span(tag: Tag, attr: str) -> int:
    """A rowspan/colspan clamped to 1..max_span before any expansion (a broken page says 10000)."""
    raw = str(tag.get(attr, "1")).strip()
    match = re.match(r"\d{1,9}", raw)  # never convert a 5,000-digit attribute
    value = int(match.group()) if match else 1
    return min(max(value, 1), get_limits().max_span)


def _check_slots(rows: list[Tag]) -> None:
    """Refuse a table whose expanded grid (rows × columns, spans included) is beyond the limit,
    before any slot is built."""
    limits = get_limits()
    width = 0
    slots = 0
    for r, tr in enumerate(rows):
        row_width = 0
        for td in tr.find_all(["td", "th"], recursive=False):
            colspan = _span(td, "colspan")
            row_width += colspan
            slots += colspan * min(_span(td, "rowspan"), len(rows) - r)
        width = max(width, row_width)
        if slots > limits.max_grid_slots or len(rows) * width > limits.max_grid_slots:
            found = f"{len(rows):,} 行 × {width:,} 列，合并单元格覆盖 {slots:,} 格"
            raise limit_error("too_complex", "max_grid_slots", limits, found)


def build_grid(table: Tag) -> list[list[GridCell | None]]:
    """Expand rowspan/colspan: the origin slot holds the cell, covered slots hold None.

    ``rowspan="0"`` (span to the end) and spans running past the last row are clipped to the table.
    """
    rows = _own_rows(table)
    _check_slots(rows)
    occupied: dict[tuple[int, int], bool] = {}
    cells: dict[tuple[int, int], GridCell] = {}
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.find_all(["td", "th"], recursive=False):
            while occupied.get((r, c)):
                c += 1
            rowspan = _span(td, "rowspan")
            colspan = _span(td, "colspan")
            if str(td.get("rowspan", "")).strip() == "0":
                rowspan = max(len(rows) - r, 1)
            rowspan = min(rowspan, len(rows) - r)
            cells[(r, c)] = GridCell(cell_text(td))
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied[(r + dr, c + dc)] = True
            c += colspan
            width = max(width, c)
    grid: list[list[GridCell | None]] = []
    for r in range(len(rows)):
        line: list[GridCell | None] = []
        for c in range(width):
            if (r, c) in cells:
                line.append(cells[(r, c)])
            elif occupied.get((r, c)):
                line.append(None)
            else:
                # A short row (fewer cells than the table is wide): nothing there, not even a blank.
                line.append(None)
        grid.append(line)
    return grid

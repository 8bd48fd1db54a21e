"""The date a 年报 column lists next to each link (``<li><a>…年度报告</a><span>2024-01-26</span></li>``).

A report linked straight to its PDF has no page of its own to show a publication date: the column's
line is the only place the site states it. Pure function on the column page's bytes (decoded as the
HTML reader does); used by library/collect/pipeline.py when the report itself shows no date.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urldefrag, urljoin

from parsing.readers.html import bounded_soup, decode_html

MAX_PAGE_BYTES = 8 * 1024 * 1024
_MAX_DEPTH = 100
# 2024-01-26, 2024/1/26, 2024.01.26, 2024年1月26日 (a time after it is ignored).
_DATE = re.compile(r"(?<!\d)(20\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?!\d)")
_ROW_TAGS = ("li", "tr", "dd", "p")


def _one_date(text: str) -> date | None:
    """The one date a list line shows (None when it shows none, or several that differ)."""
    found = set()
    for m in _DATE.finditer(text):
        try:
            found.add(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            continue
    return found.pop() if len(found) == 1 else None


def listed_dates(data: bytes, base_url: str, charset: str | None = None) -> dict[str, date]:
    """URL (absolute, without #fragment) → the date shown on the same list line as its link; links on a
    line without exactly one date are left out."""
    if not data or data.startswith((b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return {}
    text, _encoding, _note = decode_html(data[:MAX_PAGE_BYTES], charset)
    try:
        soup, _ = bounded_soup(text, _MAX_DEPTH)
    except Exception:  # noqa: BLE001 - lxml on garbage: no list, no dates (never a traceback)
        return {}
    base_tag = soup.find("base", href=True)
    base = urljoin(base_url, str(base_tag["href"])) if base_tag is not None else base_url
    out: dict[str, date] = {}
    for a in soup.find_all("a", href=True):
        row = a.find_parent(_ROW_TAGS)
        if row is None or len(row.find_all("a", href=True)) > 1:
            continue  # a line with several links cannot say whose date it shows
        when = _one_date(row.get_text(" "))
        if when is not None:
            out.setdefault(urldefrag(urljoin(base, str(a["href"]).strip()))[0], when)
    return out

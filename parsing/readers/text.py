"""Plain text and Markdown: decode, then rebuild table rows from every text layout seen in real reports.

Layouts (domain reference §7 and the seeds):
- one cell per line, with or without blank separator lines (a blank-separated dump keeps multi-line
  cells such as '本年新\\n制作数量' together, and whitespace-only lines are empty cells);
- inline and Markdown pipes, with lone '|' lines and trailing empty cells;
- tab-separated rows;
- padded rows, a label followed by its numbers on one line: '规章  0  0  0'.
"""

from __future__ import annotations

import codecs
import re

from parsing.document import Document, Source, SourceCell
from parsing.errors import ReadError
from parsing.values import is_value_text

_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:[|\t]\s*:?-{3,}:?\s*)*\|?\s*$")


def decode(data: bytes) -> str:
    """Decode text bytes: BOM first, then UTF-8, then GB18030 (a superset of GBK/GB2312), then a detector."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace")
    bomless = utf16_without_bom(data)
    if bomless:
        return data.decode(bomless, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # a file cut inside its last character
            return data[: exc.start].decode("utf-8", errors="replace")
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):  # UTF-8 with a few damaged bytes: read it, damaged bytes replaced
        return data.decode("utf-8", errors="replace")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReadError("undecodable", "无法识别文本编码", "cannot determine the text encoding")
    return str(best)


def _mostly_utf8(data: bytes) -> bool:
    """True when at most 1 % of the non-ASCII sequences are invalid UTF-8 (a damaged UTF-8 file)."""
    text = data[:200_000].decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return bad <= max(3, sum(1 for ch in text if ord(ch) > 127) // 100)


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when ``data`` looks like UTF-16 written without a BOM, else None.

    Text in UTF-16 has a NUL on the same side of most byte pairs (ASCII and line breaks); CJK pairs
    rarely contain NULs, so a third of the pairs is a safe threshold for Chinese reports.
    """
    head = data[:4096]
    if len(head) < 4 or len(data) % 2 or b"\x00" not in head:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if max(odd, even) > 0.3 * (len(head) // 2) and min(odd, even) * 4 < max(odd, even):
        return "utf-16-le" if odd > even else "utf-16-be"
    return None


def read(data: bytes, filename: str = "") -> Document:
    """Read a .txt/.md report (refused before any row is built when beyond the text limits)."""
    from parsing.limits import get_limits, limit_error

    limits = get_limits()
    text = decode(data)
    if len(text) > limits.max_text_chars:
        raise limit_error("too_large", "max_text_chars", limits, f"{len(text):,} 个字符")
    lines = text.count("\n")
    if lines > limits.max_cells:  # every line is at least one cell
        raise limit_error("too_complex", "max_cells", limits, f"{lines:,} 行")
    if "\x00" in text:
        raise ReadError("binary", "文件不是文本文件", "the file is not a text file")
    rows, loose = rows_from_text(text)
    return Document(format="txt", rows=rows, text=text, loose_rows=loose)


def _blank_separated(lines: list[str]) -> bool:
    """True when cells are separated by blank lines (most non-empty lines are followed by one)."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    if len(content) < 10:
        return False
    followed = sum(1 for i in content if i + 1 < len(lines) and lines[i + 1] == "")
    return followed >= 0.6 * len(content)


def _split_pipe(line: str) -> tuple[list[str], bool]:
    """Cells of a pipe line and whether the line is a whole row ('| a | b |')."""
    stripped = line.strip()
    parts = stripped.split("|")
    starts, ends = stripped.startswith("|"), stripped.endswith("|")
    if starts:
        parts = parts[1:]
    if ends and parts:
        parts = parts[:-1]
    return parts, starts and ends


def _split_padded(text: str) -> list[str]:
    """'规章  0  0  0' → ['规章', '0', '0', '0']; a row of values → its values; anything else stays one
    cell."""
    if "\n" in text:
        return [text]
    words = text.split()
    if len(words) < 2:
        return [text]
    if all(is_value_text(w) for w in words):
        # A row of values: '1 0 0 0 1 2 …', '4 增5', '12 125万元'. Two bare digit groups stay one cell
        # ('1 036' may be one number); the interpreter splits it when the row needs exactly two.
        if len(words) >= 3 or not all(w.isdigit() for w in words):
            return words
        return [text]
    # The label is everything before the longest run of trailing values.
    k = len(words)
    while k > 0 and is_value_text(words[k - 1]):
        k -= 1
    if k == len(words) or k == 0 or words[k - 1][-1].isdigit():
        return [text]  # digits run into the label ('规章1 2 3') are split by the interpreter
    return [" ".join(words[:k]), *words[k:]]


def _one_cell_per_line(lines: list[str]) -> bool:
    """True when a blank-separated paragraph is really a run of one-cell-per-line cells: three lines or
    more, or two lines that are each a value or a known label, while the lines joined are not one label
    ('本年新\n制作数量')."""
    from parsing.matching import shared_matcher

    matcher = shared_matcher()
    if matcher.candidates("".join(lines)):
        return False
    if len(lines) >= 3:  # real multi-line cells wrap once ('商业\n企业'); longer runs are a dump
        return True
    return all(is_value_text(line) or matcher.candidates(line) for line in lines if line.strip())


def rows_from_text(text: str, kind: str = "text") -> tuple[list[list[SourceCell]], set[int]]:
    """Rows of cells from running text, plus the indexes of rows that continue on the next line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blank_mode = _blank_separated(lines)
    rows: list[list[SourceCell]] = []
    loose: set[int] = set()

    def emit(cells: list[str], line_no: int, whole_row: bool) -> None:
        if not cells:
            return
        rows.append([SourceCell(c.strip(), Source(kind, line=line_no)) for c in cells])
        if not whole_row:
            loose.add(len(rows) - 1)

    para: list[str] = []
    para_start = 0
    blank_run = 0

    def flush_para() -> None:
        nonlocal para
        if para:
            joined = "\n".join(para)
            if len(para) > 1 and _one_cell_per_line(para):
                for offset, line in enumerate(para):
                    cells = _split_padded(line.strip())
                    emit(cells, para_start + offset, len(cells) > 1)
            elif joined.strip():
                cells = _split_padded(joined.strip())
                emit(cells, para_start, len(cells) > 1)
            else:  # whitespace-only (e.g. NBSP) paragraph: a padded empty cell
                emit([""], para_start, False)
            para = []

    for no, line in enumerate(lines, start=1):
        if line == "":
            if blank_mode:
                blank_run += 1
                flush_para()
            continue
        if blank_mode and blank_run >= 3:  # an empty cell between two separators
            for _ in range((blank_run - 1) // 2):
                emit([""], no - 1, False)
        blank_run = 0
        if _MD_SEPARATOR.match(line):
            flush_para()
            continue
        if "\t" in line:
            flush_para()
            cells = line.split("\t")
            if all(not c.strip() for c in cells):  # a row left entirely blank: keep its empty cells
                emit(cells, no, True)
                continue
            while cells and not cells[0].strip():  # label-area padding before the label
                cells = cells[1:]
            emit(cells, no, True)
        elif "|" in line:
            flush_para()
            cells, whole = _split_pipe(line)
            emit(cells, no, whole)
        elif blank_mode:
            if not para:
                para_start = no
            para.append(line)
        elif line.strip():
            cells = _split_padded(line.strip())
            emit(cells, no, len(cells) > 1)
        else:
            emit([""], no, False)
    flush_para()
    return rows, loose

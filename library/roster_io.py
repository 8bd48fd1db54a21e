"""Reading and writing the roster (机关名录) as Excel or CSV: pure functions, no database.

An office's list comes in many shapes: headers such as 名称 / 机关名称 / 单位名称, 类型 / 机关类型,
地区 / 所属地区, 层级 / 级别, 别名 / 简称, sometimes under a title row, in UTF-8 or GB18030. Every row is
either taken or skipped with the reason in Chinese (row numbers as the spreadsheet shows them).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field, replace

import pandas as pd

from library.collect.store import clean_url, split_urls
from library.deadlines import LEVELS, level_of
from library.roster_link import normalize_name, region_key
from parsing.vocabulary import ROSTER_HEADERS

# Column → accepted header words, most specific first. A header matches when, without spaces and
# bracketed notes (“名称（必填）”), it equals one of the words, or else contains one.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("机关名称", "单位名称", "部门名称", "机构名称", "名称", "机关", "单位", "部门", "name"),
    "agency_type": ("机关类型", "单位类型", "类型", "类别", "分类", "type", "agency_type"),
    "region": ("所属地区", "行政区划", "地区", "区域", "县区", "region"),
    "level": ("机关层级", "层级", "级别", "level"),
    "aliases": ("别名", "简称", "曾用名", "其他名称", "aliases"),
    # Where the agency publishes its reports (library/collect): optional, several report URLs allowed.
    "column_url": ("年报栏目网址", "年报栏目", "栏目网址", "栏目地址", "column_url"),
    "report_urls": ("报告网址", "年报网址", "报告地址", "年报地址", "report_urls"),
}
URL_COLUMNS = ("column_url", "report_urls")
EXPORT_HEADERS = ROSTER_HEADERS
# Level words as offices write them → the levels of library.deadlines.
LEVEL_WORDS: dict[str, str] = {
    "部门": "部门",
    "政府部门": "部门",
    "工作部门": "部门",
    "人民政府": "人民政府",
    "政府": "人民政府",
    "本级政府": "人民政府",
    "政府本级": "人民政府",
    "乡镇街道": "乡镇街道",
    "乡镇": "乡镇街道",
    "街道": "乡镇街道",
    "乡": "乡镇街道",
    "镇": "乡镇街道",
    "乡镇(街道)": "乡镇街道",
}
_ALIAS_SPLIT = re.compile(r"[、,，;；/|\n]+")
_NOTE = re.compile(r"[(（][^)）]*[)）]")
_HEADER_SCAN_ROWS = 10  # a header row may sit under a title row or two
MAX_NAME = 200
_HEADER_MAX = 12  # characters of a header cell read as containing a header word

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RosterRow:
    """One agency of a roster, as read or edited (``id`` when it is already stored)."""

    name: str
    agency_type: str | None = None
    region: str | None = None
    level: str = "部门"
    aliases: tuple[str, ...] = ()
    id: int | None = None
    column_url: str | None = None  # the agency's 年报 column page (library/collect)
    report_urls: tuple[str, ...] = ()  # pages or files of its reports

    @property
    def key(self) -> tuple[str, str]:
        """What makes two rows the same agency: the normalised name and region."""
        return normalize_name(self.name), region_key(self.region)


@dataclass
class RosterRead:
    """The rows taken and, for every row left out, its number and the reason (Chinese)."""

    rows: list[RosterRow] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the whole file (columns ignored, levels guessed)
    url_columns: bool = False  # the file has a URL column: its rows say the agencies' sources


def _header_word(text: object) -> str:
    word = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"\s+", "", _NOTE.sub("", word))


def header_columns(headers: list[object]) -> dict[str, int]:
    """``{column: position}`` of the recognised headers (first match wins; exact words before parts)."""
    words = [_header_word(h) for h in headers]
    found: dict[str, int] = {}
    for exact in (True, False):
        for column, accepted in HEADERS.items():
            if column in found:
                continue
            for pos, word in enumerate(words):
                if pos in found.values() or not word:
                    continue
                # A part only in a short header ("机关名称（必填）"), never in a title line.
                if any(word == a if exact else len(word) <= _HEADER_MAX and a in word for a in accepted):
                    found[column] = pos
                    break
    return found


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return "" if text.lower() in ("nan", "none") else text


def parse_level(text: str, name: str) -> tuple[str | None, bool]:
    """``(level, guessed)``: the level a cell states, or the one the name suggests when it is blank;
    ``(None, False)`` when the cell says something that is no level."""
    word = re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")
    if not word:
        return level_of(name), True
    if word in LEVEL_WORDS:
        return LEVEL_WORDS[word], False
    if "街道" in word or "乡镇" in word:
        return "乡镇街道", False
    if word.endswith("政府"):  # 县政府, 区人民政府
        return "人民政府", False
    return ("部门", False) if "部门" in word else (None, False)


def rows_from_table(table: list[list[object]]) -> RosterRead:
    """The roster in a table of cells (header row found among the first rows)."""
    out = RosterRead()
    # The header is the row (among the first few) that names the most columns: a title row above it
    # ("…机关名单") or a data row ("部门") may name one by chance.
    found = [header_columns(list(h)) for h in table[:_HEADER_SCAN_ROWS]]
    at = max(range(len(found)), key=lambda i: len(found[i]), default=-1)
    columns = found[at] if at >= 0 else {}
    if "name" not in columns:
        names = "、".join(HEADERS["name"][:4])
        out.notes.append(f"未找到名称列：表头应包含“{names}”之一。")
        return out
    out.url_columns = any(c in columns for c in URL_COLUMNS)
    ignored = [_cell(h) for i, h in enumerate(table[at]) if _cell(h) and i not in columns.values()]
    if ignored:
        out.notes.append(f"未使用的列：{'、'.join(ignored)}。")
    seen: dict[tuple[str, str], int] = {}
    guessed = 0
    for number, cells in enumerate(table[at + 1 :], start=at + 2):
        row, reason, was_guessed = _row(cells, columns)
        if row is None:
            if reason:
                out.skipped.append((number, reason))
            continue
        if row.key in seen:
            out.skipped.append((number, f"与第 {seen[row.key]} 行重复（名称和地区相同）"))
            continue
        seen[row.key] = number
        guessed += was_guessed
        row, problems = _checked_urls(row)
        out.notes += [f"第 {number} 行：{p}" for p in problems]
        out.rows.append(row)
    if guessed:
        out.notes.append(
            f"{guessed} 行未填层级，已按名称推断"
            "（以“人民政府”结尾为人民政府，乡镇街道为乡镇街道，其余为部门）。"
        )
    return out


def _row(cells: list[object], columns: dict[str, int]) -> tuple[RosterRow | None, str, bool]:
    """One row, or None with the reason ("" for a blank row, which is passed over silently)."""
    values = {c: _cell(cells[i]) if i < len(cells) else "" for c, i in columns.items()}
    if not any(_cell(c) for c in cells):
        return None, "", False
    name = re.sub(r"\s+", "", values.get("name", ""))
    if not name:
        return None, "名称为空", False
    if len(name) > MAX_NAME:
        return None, f"名称超过 {MAX_NAME} 个字", False
    level, guessed = parse_level(values.get("level", ""), name)
    if level is None:
        return None, f"层级“{values['level']}”无法识别（应为 {'、'.join(LEVELS)}）", False
    aliases = tuple(
        dict.fromkeys(a.strip() for a in _ALIAS_SPLIT.split(values.get("aliases", "")) if a.strip())
    )
    row = RosterRow(
        name=name,
        agency_type=values.get("agency_type") or None,
        region=values.get("region") or None,
        level=level,
        aliases=tuple(a for a in aliases if normalize_name(a) != normalize_name(name)),
        column_url=clean_url(values.get("column_url", "")) or None,
        report_urls=tuple(dict.fromkeys(split_urls(values.get("report_urls", "")))),
    )
    return row, "", guessed


def _checked_urls(row: RosterRow) -> tuple[RosterRow, list[str]]:
    """``row`` without the URLs that cannot be fetched, and why each was left out (Chinese)."""
    from library.collect.store import url_problem  # the rules of the collector

    problems: list[str] = []
    column = row.column_url
    if column and (why := url_problem(column)):
        problems.append(f"年报栏目网址“{column[:80]}”未导入：{why}")
        column = None
    reports = []
    for url in row.report_urls:
        why = url_problem(url)
        if why:
            problems.append(f"报告网址“{url[:80]}”未导入：{why}")
        else:
            reports.append(url)
    if not problems:
        return row, []
    return replace(row, column_url=column, report_urls=tuple(reports)), problems


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("无法识别的文字编码")


def read_table(data: bytes, filename: str) -> list[list[object]]:
    """The cells of the first sheet of an .xlsx file, or of a CSV (comma, tab or semicolon)."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        frame = pd.read_excel(io.BytesIO(data), header=None, dtype=str, engine="openpyxl")
        return frame.astype(object).where(frame.notna(), None).values.tolist()
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def read_roster(data: bytes, filename: str) -> RosterRead:
    """The roster in an uploaded Excel or CSV file; a file that cannot be read gives a note, no rows."""
    try:
        table = read_table(data, filename)
    except Exception as exc:  # a damaged or foreign file: tell the user, never crash the page
        log.info("roster file %s not readable: %r", filename, exc)  # the cause, for the server log
        out = RosterRead()
        out.notes.append(
            f"无法读取文件“{filename}”：文件已损坏或不是表格文件。请上传 Excel（.xlsx）或 CSV 文件。"
        )
        return out
    return rows_from_table(table)


def roster_frame(rows: list[RosterRow]) -> pd.DataFrame:
    """The roster as a table with the Chinese headers of an export (aliases joined with 、; the URL
    columns, report URLs joined with a space, only when some agency has a source)."""
    headers = list(EXPORT_HEADERS.values())
    if not any(r.column_url or r.report_urls for r in rows):
        headers = [EXPORT_HEADERS[c] for c in EXPORT_HEADERS if c not in URL_COLUMNS]
    frame = pd.DataFrame(
        [
            {
                EXPORT_HEADERS["name"]: r.name,
                EXPORT_HEADERS["agency_type"]: r.agency_type or "",
                EXPORT_HEADERS["region"]: r.region or "",
                EXPORT_HEADERS["level"]: r.level,
                EXPORT_HEADERS["aliases"]: "、".join(r.aliases),
                EXPORT_HEADERS["column_url"]: r.column_url or "",
                EXPORT_HEADERS["report_urls"]: " ".join(r.report_urls),
            }
            for r in rows
        ],
        columns=list(EXPORT_HEADERS.values()),
    )
    return frame[headers]


def export_csv(rows: list[RosterRow]) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so Excel opens the Chinese correctly."""
    return roster_frame(rows).to_csv(index=False).encode("utf-8-sig")


def export_xlsx(rows: list[RosterRow]) -> bytes:
    """An Excel workbook with one sheet, 机关名录."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        roster_frame(rows).to_excel(writer, index=False, sheet_name="机关名录")
    return buffer.getvalue()

"""The table interpreter: a Document's rows of cells → canonical cells, whatever the layout.

It is label-driven, because text dumps lose row boundaries: a recognised row label opens a row and
the value cells that follow fill it, until the next label (or a real row end in grid formats).
Section headings, block captions and header words steer which targets a label may stand for.
A row with fewer values than columns is reported, never shifted; extra empty cells are dropped only
when exactly the right number of non-empty cells remains.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from parsing import digit_runs, placement, schema
from parsing.document import Document, Source
from parsing.evidence import report_signs
from parsing.matching import TARGET_BY_ID, Match, Matcher, Target, label_core, split_prefix
from parsing.normalize import normalize_label
from parsing.report import Cell, LabelMatch
from parsing.values import is_value_text, parse_value

_ORDER = {"s2": 2, "s3": 3, "s4": 4, "end": 5}
_RUN_TOGETHER = re.compile(r"^(?P<label>.*?[^\d\s.,])\s*(?P<digits>\d[\d\s]*(?:\.\d+)?)$")
MAX_LABEL_LEN = 60  # longer cells are prose, never table labels


@dataclass
class Token:
    text: str
    source: Source
    is_value: bool
    row_end: bool = False
    run: bool = False  # digits that ran into the label cell: '规章000'
    clipped: bool = False  # its row was cut off on the right by the page edge (PDF)
    rule_flag: str | None = None  # how the value was obtained when not written as a cell ('split_by_rule')
    torn: bool = False  # the empty first cell of a real row of values: its label was torn out
    mark: bool = False  # part of a line that reads as a page number ('— 4 —')
    note: str = ""  # added to the cell's label: how a value not written as a cell was obtained
    alone: bool = False  # the only cell of a real row (a label printed as a loose line)


@dataclass
class PendingRow:
    section: str
    target: Target | None
    match: Match | None
    text: str
    source: Source
    values: list[Token] = field(default_factory=list)
    headers: list[Target] = field(default_factory=list)  # section-二 header columns in force
    ignored: bool = False  # a reviewer said this label is deliberately not mapped
    anchored: bool = False  # seen under a section heading (not in a sidebar before the report)
    alone: bool = False  # its label was a loose line by itself


@dataclass
class Interpretation:
    """What the interpreter found: canonical cells plus everything a reviewer needs to trust them."""

    cells: dict[str, Cell] = field(default_factory=dict)
    labels: list[LabelMatch] = field(default_factory=list)
    unmatched_labels: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    table_versions: dict[str, str] = field(default_factory=dict)
    # Why the document is an annual report even when few or no cells could be read (evidence.py).
    report_signs: list[str] = field(default_factory=list)
    # Tables the text shows but whose cells could not be read: {"table": "s3" | None, "code", "reason"}
    # (None: the report shows no table at all). Machine-readable twin of the matching warnings.
    unread_tables: list[dict] = field(default_factory=list)

    @property
    def template(self) -> str:
        versions = {v for k, v in self.table_versions.items() if k in ("s2", "s3")}
        if not versions:
            return "unknown"
        if len(versions) == 1:
            return versions.pop()
        return "mixed"


def heading(text: str) -> str | None:
    """The section a heading line opens ('s2', 's3', 's4', 'end'), or None when it is not a heading."""
    t = normalize_label(text)
    if len(t) > 45 or t.endswith(("。", ";", "；")):  # headings never end a sentence
        return None
    if "勾稽关系" in t or "收到和处理政府信息公开申请" in t:
        return "s3"
    if "主动公开政府信息" in t and "情况" in t:
        return "s2"
    if "行政复议" in t and ("行政诉讼" in t or "结果维持" in t) and len(t) <= 30:
        return "s4"
    if re.match(r"^[五六][、.]", t) or "存在的主要问题" in t or "其他需要报告的事项" in t:
        return "end"
    return None


# A page number printed inside a table by a PDF extraction ('— 4 —', '- 4 -', '第4页 共10页').
PAGE_MARK = re.compile(
    r"^\s*(?:[-—–－―]+\s*\d{1,3}\s*[-—–－―]+|第\s*\d{1,3}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,3}\s*页)?)\s*$"
)
# The note of an annotated cell torn onto a line of its own: '22（其中修订16件）' → '22' and the note.
CELL_NOTE = re.compile(r"^[（(][^（()）]*(?:其中|含|包括)[^（()）]*[)）]$")


def _page_mark_row(row: list) -> bool:
    """A row that is only a page number ('— 4 —', split or not into cells by the reader)."""
    if len(row) > 3 or row[0].text.strip()[:1] not in _MARK_START:
        return False  # cheap test first: most rows are not page numbers
    return bool(PAGE_MARK.match(" ".join(c.text.strip() for c in row if c.text.strip())))


_MARK_START = set("-—–－―第")


def _tokens(doc: Document) -> list[Token]:
    out: list[Token] = []
    for i, row in enumerate(doc.rows):
        if not row:
            continue
        mark = _page_mark_row(row)
        real = i not in doc.loose_rows
        values = [is_value_text(c.text) for c in row]
        torn = real and len(row) > 2 and not row[0].text.strip() and all(values[1:])
        alone = len(row) == 1  # a line by itself, whatever wraps around it
        clipped = i in doc.clipped_rows
        last = len(row) - 1
        for j, cell in enumerate(row):
            out.append(
                Token(
                    cell.text,
                    cell.source,
                    values[j],
                    j == last and real,
                    clipped=clipped,
                    torn=torn and j == 0,
                    alone=alone,
                    mark=mark,
                )
            )
    return out


def _is_empty(tok: Token) -> bool:
    return not tok.text.strip()


def _replaces(new: PendingRow, old: PendingRow) -> bool:
    """A later occurrence of a row replaces an earlier one only when the earlier one stood outside
    the report (before any section heading: a sidebar or catalogue of the web page) and it does not."""
    return new.anchored and not old.anchored


def fit(values: list[Token], ncols: int) -> tuple[list[Token] | None, tuple[str, str] | None]:
    """Fit a row's value cells to ``ncols`` columns, or explain why they do not fit."""
    vals = list(values)
    if len(vals) == 1 and vals[0].run:
        digits = vals[0].text.split()
        if len(digits) == 1 and ncols > 1:
            digits = list(digits[0]) if len(digits[0]) == ncols else []
        if len(digits) != ncols:
            return None, (
                f"数字与标签粘连且无法拆分（{vals[0].text}）",
                f"digits run into the label cannot be split ('{vals[0].text}')",
            )
        return [Token(d, vals[0].source, True) for d in digits], None
    while len(vals) > ncols and _is_empty(vals[-1]):
        vals.pop()
    while len(vals) > ncols and _is_empty(vals[0]):
        vals.pop(0)
    if len(vals) > ncols:
        non_empty = [v for v in vals if not _is_empty(v)]
        if len(non_empty) != ncols:
            return None, _count_message(len(non_empty), ncols)
        vals = non_empty
    if len(vals) < ncols:
        # Values of a row printed on one line ('4 0'): split when that gives exactly the columns.
        # A cell of a real table grid is one value however it is spaced ('2 7' is 27 with a stray
        # space); splitting it would shift every later value into the wrong column.
        if any(_is_grid_cell(t) for t in vals):
            return None, _count_message(len(vals), ncols)
        parts = [(t, t.text.split()) for t in vals]
        if sum(len(p) for _, p in parts) == ncols and any(len(p) > 1 for _, p in parts):
            return [Token(text, t.source, True) for t, p in parts for text in p], None
        return None, _count_message(len(vals), ncols)
    return vals, None


def _is_grid_cell(tok: Token) -> bool:
    """Whether a token is one cell of a table whose cell boundaries the reader saw (HTML, Word,
    Excel, ruled PDF); OCR grids are guessed from pixels, so their cells may hold two values."""
    return tok.source.col is not None and tok.source.kind != "ocr"


def _count_message(n: int, ncols: int) -> tuple[str, str]:
    return (
        f"有 {n} 个数值，应为 {ncols} 个；未按位置猜测，该行未入库",
        f"has {n} values for {ncols} columns",
    )


SPLIT_FLAG = "split_by_rule"  # a cell read from a run of digits, split by the official rules
PLACED_FLAG = "placed_by_rule"  # a cell of a row without a label, placed by the official rules


def run_of(values: list[Token], glued: bool = False) -> digit_runs.Run | None:
    """The digit run a row's values form, when they are one cell of digits run together (text scraped
    from a web page: '512430'); a cell of a real table grid is one value and never a run.

    ``glued``: only digits run into the row label count. Rows of 二 have no rule to check a split, so
    a lone value (what is left of a row cut short) must never be taken apart."""
    filled = [t for t in values if not _is_empty(t)]
    if len(filled) != 1 or (_is_grid_cell(filled[0]) and not filled[0].run) or (glued and not filled[0].run):
        return None
    return digit_runs.Run.parse(filled[0].text)


GENERIC_COL = re.compile(r"^(?:数据|数值|列|col(?:umn)?)\s*\d{1,2}$", re.IGNORECASE)  # OCR: 数据1…数据7


def _whole_groups(values: list[Token]) -> bool:
    """Whether the values of 四 read so far are one or two whole groups of five filled cells."""
    return len(values) in (5, 10) and not any(_is_empty(t) for t in values)


@lru_cache(maxsize=1)
def _s2_header_vocabulary() -> tuple[str, ...]:
    words = {normalize_label(c.label) for blocks in schema.SECTION2.values() for b in blocks for c in b.cols}
    words.add("信息内容")
    return tuple(sorted(words, key=len, reverse=True))  # longest first: 本年新公开数量 before 本年新公开


def _run_header_words(text: str) -> list[str] | None:
    """The column words of 二 that make up ``text`` exactly, in order (at least two), else None."""
    out: list[str] = []
    pos = 0
    while pos < len(text):
        word = next((w for w in _s2_header_vocabulary() if text.startswith(w, pos)), None)
        if word is None:
            return None
        out.append(word)
        pos += len(word)
    return out if len(out) >= 2 else None


def run_source(values: list[Token]) -> Source:
    return next(t for t in values if not _is_empty(t)).source


def _int_or_none(text: str) -> int | None:
    v = parse_value(text).value
    return v if isinstance(v, int) else None


def _run_tokens(values: list[int | None], run: digit_runs.Run, source: Source) -> list[Token | None]:
    """Cells split from a run: the reviewer reads where they came from in the cell's label."""
    note = f"（由连写数字“{' '.join(run.pieces)}”按勾稽关系拆分）"
    return [
        None if v is None else Token(str(v), source, True, rule_flag=SPLIT_FLAG, note=note) for v in values
    ]


class Interpreter:
    """Maps one Document to canonical cells."""

    def __init__(self, matcher: Matcher | None = None, year: int | None = None) -> None:
        self.matcher = matcher or Matcher()
        self.year = year
        self.out = Interpretation()
        self.section: str | None = None
        self.row: PendingRow | None = None
        self.s2_rows: list[PendingRow] = []
        self.s3_rows: dict[str, PendingRow] = {}
        self.s3_started = False
        self.s3_group_other = False
        self.s3_other_values: PendingRow | None = None  # （六）其他处理 read as a group label, with cells
        self.s2_headers: list[Target] = []
        self.s4_values: list[Token] = []
        self.s4_row: list[Token] = []  # values of the current row of 四, until it ends
        self.stray: list[Token] = []  # values in 二/三 that arrived with no row open
        self.stray_section: str | None = None
        self.unlabelled: list[list[Token]] = []  # rows of values of 三 with no label
        self.generic_cols: set[int] = set()  # numbers of the generic column names of 三 ('数据1' → 1)
        self.anchored = False  # a section heading has been seen
        # (section, table index) → grid column of the first value column, from the header cells
        # (自然人 in 三, the leftmost outcome word in 四): where a row cut by the page edge starts.
        self.value_cols: dict[tuple[str, int], int] = {}
        self.last_kind: str | None = None  # kind and section of the last label matched
        self.last_section: str | None = None
        # Per table (s2/s3/s4): how the text showed it (a heading, standard labels), for the warning
        # given when none of its cells could be read.
        self.shown: dict[str, set[str]] = {}

    # ------------------------------------------------------------------ driving
    def run(self, doc: Document) -> Interpretation:
        for tok in _tokens(doc):
            if tok.mark and not (self.row is not None and not self.row.values):
                # A page number printed between the rows of a table. Right after a row label it
                # would be that row's values ('— 4 —': a dash, 4, a dash), so it is kept there.
                continue
            if tok.is_value:
                self._value(tok)
            else:
                self._label(tok)
            if tok.row_end:
                self._end_stray_row()
                # An unmatched row (or a group row with values) stays open: its label may continue on the
                # next line (PDF text).
                if self.row is not None and self.row.values and not self._may_continue(self.row):
                    self._close()
                self._end_s4_row()
        self._close()
        self._report_stray()
        self._end_s4_row()
        self._finish_s2()
        self._finish_s3()
        self._finish_s4()
        self._explain_unread_tables()
        keys = {m.key for m in self.out.labels if m.key}
        self.out.report_signs = report_signs(doc.text, len(keys))
        if self.out.report_signs and not self.out.cells and not self.shown:
            kinds = "、".join(dict.fromkeys(sign.split("：")[0] for sign in self.out.report_signs))
            why = "文中没有找到第二、三、四部分的统计表格（可能是图片，或未随正文复制）"
            self.out.unread_tables.append({"table": None, "code": "no_tables", "reason": why})
            self._warn(
                f"{why}，未读取到任何表格数值（按{kinds}识别为年度报告）",
                "no table of sections 二, 三 or 四 found: no cell read"
                " (recognised as a report by its title, headings or labels)",
            )
        return self.out

    def _explain_unread_tables(self) -> None:
        """A table the text shows (by its heading or its standard labels) without a single cell read
        gets a warning naming it and saying why: never an unexplained empty result."""
        names = {
            "s2": ("第二部分（主动公开政府信息情况）表格", "table 二"),
            "s3": ("第三部分（收到和处理政府信息公开申请情况）表格", "table 三"),
            "s4": ("第四部分（行政复议、行政诉讼情况）表格", "table 四"),
        }
        for sec, (zh, en) in names.items():
            how = self.shown.get(sec)
            if not how or any(k.startswith(sec + ".") for k in self.out.cells):
                continue
            own = {"s2": "第二部分", "s3": "第三部分", "s4": "第四部分"}[sec]
            if any(w.startswith(own) for w in self.out.warnings):
                code, why_zh, why_en = (
                    "values_unplaced",
                    "数值无法对应到表格的行和列（原因见本表的其他提示）",
                    "its values could not be placed (see the other warnings of this table)",
                )
            elif "labels" in how:
                code, why_zh, why_en = (
                    "no_values",
                    "找到了标准行标签，但表格中没有数值（空白模板，或数值在复制、提取时丢失）",
                    "standard labels found but no values (a blank template, or values lost in copying)",
                )
            else:
                code, why_zh, why_en = (
                    "heading_only",
                    "只找到章节标题，没有找到表格的标准行标签（表格可能是图片，或在复制、提取时丢失）",
                    "only the heading was found, no standard labels"
                    " (the table may be an image or lost in copying)",
                )
            self.out.unread_tables.append({"table": sec, "code": code, "reason": why_zh})
            self._warn(f"{zh}未读取到任何数值：{why_zh}", f"{en}: no cell read: {why_en}")

    def _value(self, tok: Token) -> None:
        if (
            tok.torn
            and self.row is not None
            and self.row.alone
            and not self.row.values
            and self.row.section == "s3"
        ):
            # A row of values whose label cell is empty, after a label printed as a loose line: the
            # label was torn out of the table (extracted markdown), so the values are not that label's.
            self._close()
        if self.row is not None:
            self.row.values.append(tok)
        elif self.section == "s4":
            self.s4_row.append(tok)
        elif self.section in ("s2", "s3") and not _is_empty(tok):
            if not self.stray:
                self.stray_section = self.section
            self.stray.append(tok)

    def _end_stray_row(self) -> None:
        """Values of 三 that no label claimed, one row of them: kept to be placed by the rules."""
        if self.stray and self.stray_section == "s3":
            self.unlabelled.append(self.stray)
            self.stray = []

    def _report_stray(self) -> None:
        """Values that no row label claimed are reported, never dropped silently (those of 三 are
        first offered to the rules, see ``_place_unlabelled``)."""
        self._end_stray_row()
        self._report_stray_now()

    def _end_s4_row(self) -> None:
        """A row of section 四 ended: keep its values unless it was only the padding of a header row.

        Exactly 15 empty cells, with no data kept yet, are the data row of a blank table, not padding.
        """
        full_blank_row = len(self.s4_row) == len(schema.S4_COLUMNS) and not self.s4_values
        if full_blank_row or any(not _is_empty(t) for t in self.s4_row):
            self.s4_values.extend(self.s4_row)
        self.s4_row = []

    def _warn(self, zh: str, en: str) -> None:
        """A warning for people (Chinese) and for tools and logs (English): 'zh / en'."""
        self.out.warnings.append(f"{zh} / {en}")

    def _record(self, m: Match, section: str | None) -> None:
        self.out.labels.append(LabelMatch(m.text, m.id, m.score, m.tier, section))
        if m.target is not None and m.target.kind in ("row", "caption") and section in ("s2", "s3", "s4"):
            self.shown.setdefault(section, set()).add("labels")

    def _label(self, tok: Token) -> None:
        text = tok.text.strip()
        if not text:
            return
        self._report_stray()
        h = heading(text)
        if h is not None:
            if h != "end":
                self.shown.setdefault(h, set()).add("heading")
            self._close()
            self.section = h
            self.anchored = True
            return
        # Long cells are prose, but a label carrying a province's long note is short once the note is
        # taken off ('规范性文件（行政机关制定发布的决定、公告、通告…）').
        if len(normalize_label(text)) > MAX_LABEL_LEN and len(label_core(text)) > MAX_LABEL_LEN:
            self._close()
            return
        if self.row is not None and self.row.values and CELL_NOTE.match(normalize_label(text)):
            return  # the note of the value just read, torn onto its own line: not a new row
        if GENERIC_COL.match(text.strip()):
            # A generic column name of OCR output ('数据1'): a header cell, placed by position.
            self.last_kind, self.last_section = "col", self.section
            if self.section == "s3":
                self.generic_cols.add(int(re.sub(r"\D", "", text)))
            return
        if self._label_run_together(tok):
            return
        cands = self._candidates(text)
        if self._continues_unmatched_row(text, cands):
            return
        if not cands:
            cands = self._clipped(text)
        if not cands and (self._split_header_words(tok) or self._split_run_header(tok)):
            return
        if not cands:
            self._unmatched(tok)
            return
        target = self._choose(cands)
        match = next(m for m in cands if m.target is target) if target else cands[0]
        if target is None:  # an override that says "ignore this label": its values go with it
            self._record(match, self.section)
            self._close()
            self.row = PendingRow(self.section or "", None, match, text, tok.source, ignored=True)
            return
        self._record(match, target.section)
        self._handle(target, match, tok)
        self.last_kind, self.last_section = target.kind, target.section

    def _clipped(self, text: str) -> list[Match]:
        """A row label clipped mid-word ('行政强'), taken only when it starts exactly one row of this
        table that has not been read yet (the table position leaves one candidate)."""
        if self.section not in ("s2", "s3"):
            return []
        rows = [*self.s2_rows, *self.s3_rows.values(), *([self.row] if self.row is not None else [])]
        seen = {r.target.id for r in rows if r.target is not None}
        allowed = [tid for tid in TARGET_BY_ID if tid.startswith(f"{self.section}.row.") and tid not in seen]
        return [m for m in self.matcher.at_position(text, allowed, self.section) if m.tier == "clipped"]

    @staticmethod
    def _may_continue(row: PendingRow) -> bool:
        """Whether a row's label may go on in the next cell although its values came (PDF text wraps
        '（六）其他处理 1.申请人无 4 0 …' before '正当理由逾期不补正…'): unmatched rows and rows matched
        only by the prefix or fuzzy tier (which include a group label with more text after it)."""
        if row.target is None:
            return True
        # An exactly written group label with values on its own row is a report's subtotal row; a
        # group label with more text after it ('（六）其他处理 1.申请人无') starts a wrapped row label.
        return row.match is not None and row.match.tier in ("prefix", "fuzzy")

    def _continues_unmatched_row(self, text: str, alone: list[Match]) -> bool:
        """A label wrapped after a few characters, its numbers on the first line (PDF text):
        '4.无正当理由 1 0 0 0 0 0 1' then '大量反复申请'. The halves joined must match better."""
        row = self.row
        if row is None or row.ignored or not row.values or not self._may_continue(row):
            return False
        if split_prefix(normalize_label(text))[0]:
            return False  # an item number ('2.', '（七）') starts a new row, never a continuation
        cands = self._candidates(row.text + text)
        target = self._choose(cands) if cands else None
        if target is None or target.kind != "row":
            return False
        # The second half alone may name the same row (a fuzzy match of the rest of the label): then
        # the halves belong together. A different, better match alone is a new row.
        if alone and alone[0].target is not target and alone[0].score >= cands[0].score:
            return False
        groupish = row.target is not None and (
            row.target.kind == "group" or row.target.id == "s3.row.r3_6_other"
        )
        if (
            row.match is not None
            and row.target is not None
            and not groupish
            and cands[0].score <= row.match.score
        ):
            return False  # a weakly matched row only gives way to a better match
        first = row.text
        row.text, row.target = row.text + text, target
        row.match = next(c for c in cands if c.target is target)
        self.out.labels = [lm for lm in self.out.labels if not (lm.key is None and lm.text == first)]
        self._record(row.match, target.section)
        if target.section == "s3":
            self.s3_started = True
        return True

    def _split_run_header(self, tok: Token) -> bool:
        """A header row of 二 whose words ran together ('信息内容本年制发件数本年废止件数现行有效件数'):
        read as its column words when the whole text is a sequence of them."""
        if self.section != "s2":
            return False
        words = _run_header_words(normalize_label(tok.text))
        if words is None:
            return False
        for word in words:
            self._label(Token(word, tok.source, False))
        return True

    def _split_header_words(self, tok: Token) -> bool:
        """A header row on one line, words separated by spaces: '信息内容 本年新制作数量 …'."""
        words = tok.text.split()
        if len(words) < 2 or any(is_value_text(w) for w in words):
            return False
        matches = [self._candidates(w) for w in words]
        if not all(
            m and m[0].target is not None and m[0].target.kind in ("col", "header", "group") for m in matches
        ):
            return False
        for word in words:
            self._label(Token(word, tok.source, False))
        return True

    def _candidates(self, text: str) -> list[Match]:
        sec = self.section if self.section in ("s2", "s3", "s4") else None
        if self.section == "end":  # after 五: only a distinctive row label brings a table back
            return [
                m
                for m in self.matcher.candidates(text, None)
                if m.target and m.target.kind in ("row", "caption")
            ]
        cands = self.matcher.candidates(text, sec)
        if cands or sec is None:
            return cands
        # Not a label of this section: maybe the next section began without its heading, or a stray
        # heading-like line moved us on too early. Row labels are distinctive enough to move either way.
        return [
            m
            for m in self.matcher.candidates(text, None)
            if m.target and (_ORDER[m.target.section] > _ORDER[sec] or m.target.kind in ("row", "caption"))
        ]

    def _choose(self, cands: list[Match]) -> Target | None:
        targets = [m.target for m in cands if m.target is not None]
        if len(targets) != len(cands):
            return None
        if len(targets) == 1:
            return targets[0]
        kinds = {t.kind for t in targets}
        numbered = cands[0].numbered
        if "row" in kinds and "col" in kinds:  # 总计 / 其他: a row when numbered or once rows began,
            # unless it sits among the header words of a header row repeated further down the table
            # (Word pages split table 三 at a page break and print its header rows again).
            in_header = self.last_kind in ("col", "header") and self.last_section == "s3"
            want = "row" if (numbered or (self.s3_started and not in_header)) else "col"
            return next(t for t in targets if t.kind == want)
        if "row" in kinds and "group" in kinds:  # (六)其他处理: decided by whether values follow
            return next(t for t in targets if t.kind == "row")
        if self.section:
            same = [t for t in targets if t.section == self.section]
            if same:
                return same[0]
        return targets[0]

    def _handle(self, target: Target, match: Match, tok: Token) -> None:
        if (
            self.section is None
            or _ORDER[target.section] > _ORDER.get(self.section, 0)
            or target.kind in ("row", "caption")
        ):
            self.section = target.section
        kind = target.kind
        if kind == "row":
            if (
                self.row is not None
                and not self.row.values
                and self.row.target is not None
                and self.row.target.id == target.id
            ):
                return  # the same label repeated (e.g. a merged cell emitted twice)
            self._close()
            self.row = PendingRow(
                target.section,
                target,
                match,
                tok.text.strip(),
                tok.source,
                anchored=self.anchored,
                alone=tok.alone,
            )
            if target.section == "s2":
                self.row.headers = list(self.s2_headers)
            if target.section == "s3":
                self.s3_started = True
            return
        self._close()
        self._note_value_col(target, tok)
        if kind == "group":  # a group cell has no data; values after it are a report's own subtotal
            self.row = PendingRow(target.section, target, match, tok.text.strip(), tok.source)
        if kind in ("caption",) or target.id == "s2.header":
            self.s2_headers = []
        elif kind == "col" and target.section == "s2":
            self.s2_headers.append(target)
        elif kind == "group" and target.id == "s3.group.g3_6_other":
            self.s3_group_other = True
        elif target.section == "s4":
            # The data row comes after the header words. Only whole groups of five read under an
            # earlier header survive: 四 printed as three 5-column tables (OCR, extracted markdown).
            if not _whole_groups(self.s4_values):
                self.s4_values = []
            self.s4_row = []

    def _note_value_col(self, target: Target, tok: Token) -> None:
        """Remember the grid column where the value columns of a table start (see ``value_cols``)."""
        src = tok.source
        if src.col is None or src.table is None:
            return
        if target.id == "s3.col.natural_person":
            self.value_cols.setdefault(("s3", src.table), src.col)
        elif target.section == "s4" and target.id.split(".")[-1] in {o for _, o in schema.S4_OUTCOMES}:
            key = ("s4", src.table)
            self.value_cols[key] = min(self.value_cols.get(key, src.col), src.col)

    def _clipped_part(self, values: list[Token], section: str, ncols: int) -> list[Token] | None:
        """The leftmost value cells of a row whose right end the page edge cut off, when they are
        exactly the table's first value columns side by side; None otherwise."""
        if not values or len(values) >= ncols or not all(t.clipped for t in values):
            return None
        first = values[0].source
        start = self.value_cols.get((section, first.table)) if first.table is not None else None
        if start is None or any(t.source.table != first.table for t in values):
            return None
        if [t.source.col for t in values] != list(range(start, start + len(values))):
            return None
        return values

    def _unmatched(self, tok: Token) -> None:
        text = tok.text.strip()
        row = self.row
        if (
            row is not None
            and not row.values
            and row.target is not None
            and row.target.id == "s3.row.r3_6_other"
        ):
            self._close()  # （六）其他处理 followed by another label is the v2021 group, not a row
            row = None
        if row is not None and not row.values:
            # A label wrapped over two cells: try the two halves together.
            joined = row.text + text
            cands = self.matcher.candidates(joined, row.section)
            target = self._choose(cands) if cands else None
            if target is not None and cands[0].score >= (row.match.score if row.match else 0):
                match = next(c for c in cands if c.target is target)
                if target.kind == "row":
                    row.text, row.match, row.target = joined, match, target
                else:  # a header word split over two cells ('科研' + '机构')
                    self.row = None
                    self._record(match, target.section)
                    self._handle(target, match, Token(joined, row.source, False))
                return
            m = _RUN_TOGETHER.match(text)
            if m is None:
                return  # a fragment of the row label (e.g. the rest of a long note): keep the row open
        if self._label_run_together(tok):
            return
        self._close()
        if self.section in ("s2", "s3"):
            self.out.labels.append(LabelMatch(text, None, 0.0, "unmatched", self.section))
            self.row = PendingRow(self.section, None, None, text, tok.source)

    def _label_run_together(self, tok: Token) -> bool:
        """A row label with its digits run into it ('行政处罚37', '2.重复申请0000000'): open the row and
        give it the digits as one run (split later, by the rules of its table)."""
        m = _RUN_TOGETHER.match(tok.text.strip())
        if m is None:
            return False
        cands = self._candidates(m.group("label"))
        target = self._choose(cands) if cands else None
        if target is None or target.kind != "row":
            return False
        match = next(c for c in cands if c.target is target)
        self._record(match, target.section)
        self._handle(target, match, tok)
        assert self.row is not None
        self.row.text = m.group("label").strip()
        self.row.values.append(Token(m.group("digits").strip(), tok.source, True, run=True))
        self.last_kind, self.last_section = target.kind, target.section
        return True

    def _close(self) -> None:
        row, self.row = self.row, None
        if row is None:
            return
        if row.target is not None and row.target.kind == "group":
            if row.target.id == "s3.group.g3_6_other" and row.values and self.s3_other_values is None:
                # （六）其他处理 (or its clipped form '（六）其他处') with cells: the v2019 leaf row unless
                # v2021 sub-rows turn up; decided once the table has been read (_finish_s3).
                self.s3_other_values = row
                return
            if any(not _is_empty(v) for v in row.values):
                self._warn(
                    f"第三部分：分组行“{row.text}”自带小计数值，未入库",
                    f"section 三: group row {row.text} carries its own subtotal; not stored",
                )
            return
        if row.target is None:
            if not row.ignored and any(not _is_empty(v) for v in row.values):
                self.out.unmatched_labels.append(row.text)
                self.out.warnings.append(f"未识别的表格行：{row.text} / unmatched table row: {row.text}")
            return
        if row.section == "s2":
            self.s2_rows.append(row)
        elif row.section == "s3":
            key = row.target.id.split(".")[-1]
            if key == "r3_6_other" and not row.values:
                self.s3_group_other = True  # (六)其他处理 as the v2021 group label
                return
            if key in self.s3_rows and not _replaces(row, self.s3_rows[key]):
                if row.values:
                    self._warn(
                        f"第三部分：行“{row.text}”出现两次，保留第一次",
                        f"section 三: row {row.text} appears twice; the first is kept",
                    )
                return
            self.s3_rows[key] = row

    # ------------------------------------------------------------------ cells
    def _put(
        self,
        key: str,
        tok: Token,
        row: PendingRow | None,
        col_label: str,
        unit: str | None,
        hint: str | None = None,
    ) -> None:
        spec = schema.CELLS[key]
        text = tok.text
        if hint and "元" not in text and is_value_text(text) and any(ch.isdigit() for ch in text):
            text = text.strip() + hint  # the header states the unit: '本年收费金额（单位：元）'
        parsed = parse_value(text, unit)
        out_unit = parsed.unit
        if spec.kind == "amount" and spec.unit is None and out_unit is None:
            out_unit = hint
        if parsed.flag == "split":
            self._warn(
                f"{spec.label}：“{tok.text.strip()}”疑似被拆开的数字，请核对",
                f"{key}: '{tok.text.strip()}' looks like a split number",
            )
        elif parsed.flag == "unparsed":
            self._warn(
                f"{spec.label}：无法识别数值“{tok.text.strip()}”",
                f"{key}: cannot read value '{tok.text.strip()}'",
            )
        elif parsed.flag == "too_long":
            self._warn(
                f"{spec.label}：数值位数过多（{len(tok.text.strip())} 个字符），按原文保留，未读作数字",
                f"{key}: value has too many digits; kept as raw text",
            )
        label = f"{row.text} / {col_label}" if row is not None else col_label
        label += tok.note
        flag = tok.rule_flag if tok.rule_flag and parsed.flag == "ok" else parsed.flag
        score = row.match.score if row is not None and row.match is not None else 100.0
        self.out.cells[key] = Cell(
            key=key,
            value=parsed.value,
            raw=tok.text.strip(),
            label=label.replace("\n", ""),
            score=score,
            flag=flag,
            unit=out_unit if spec.kind == "amount" else None,
            source=tok.source,
        )

    def _finish_s2(self) -> None:
        # A row named twice: the one under a section heading wins over a sidebar's (CMS pages).
        rows: dict[str, PendingRow] = {}
        for row in self.s2_rows:
            assert row.target is not None
            kept = rows.get(row.target.id)
            if kept is None or _replaces(row, kept):
                rows[row.target.id] = row
            elif row.values:
                self._warn(
                    f"第二部分：行“{row.text}”出现两次，保留第一次",
                    f"section 二: row {row.text} appears twice; the first is kept",
                )
        decided = [(row, self._s2_version(row)) for row in rows.values()]
        known = Counter(v for _, v in decided if v)
        fallback = (
            known.most_common(1)[0][0]
            if known
            else (schema.V2021 if (self.year or 0) >= 2021 else schema.V2019 if self.year else None)
        )
        versions: set[str] = set()
        for row, version in decided:
            assert row.target is not None
            _, _, block_key, row_key = row.target.id.split(".")
            version = version or fallback
            if version is None:
                self._warn(
                    f"第二部分：无法判断行“{row.text}”的格式版本",
                    f"section 二: cannot tell the template version of row {row.text}",
                )
                continue
            block = schema.block(version, block_key)
            if block is None or row_key not in dict(block.rows):
                self._warn(
                    f"第二部分：{version} 版格式中没有“{row.text}”行",
                    f"section 二: row {row.text} does not exist in the {version} template",
                )
                continue
            cols = self._s2_columns(row, block, version)
            vals: Sequence[Token | None] | None  # fitted cells, or a digit run's (some undetermined)
            vals, why = fit(row.values, len(cols))
            if vals is None:
                vals = self._split_s2_run(row, len(cols))
            if vals is None:
                if run_of(row.values, glued=True) is None:
                    assert why is not None  # fit explains every row it cannot fit
                    self._warn(f"第二部分：行“{row.text}”{why[0]}", f"section 二: row {row.text} {why[1]}")
                continue
            versions.add(version)
            for col, tok in zip(cols, vals, strict=True):
                if tok is None:
                    continue  # a cell of a digit run that the digits do not determine
                hint = self._unit_hint(version, block_key, col.key) if col.kind == "amount" else None
                self._put(f"s2.{block_key}.{row_key}.{col.key}", tok, row, col.label, col.unit, hint)
        if versions:
            self.out.table_versions["s2"] = versions.pop() if len(versions) == 1 else "mixed"

    def _split_s2_run(self, row: PendingRow, ncols: int) -> list[Token | None] | None:
        """A run of digits in a row of 二 (no rule ties its cells): a cell is kept only when every
        split the digits allow gives it the same value; otherwise the candidates are listed for a
        reviewer to pick."""
        run = run_of(row.values, glued=True)
        if run is None:
            return None
        try:
            splits = digit_runs.free_splits(run, ncols)
        except digit_runs.TooMany:
            self._warn_run_gave_up(f"第二部分：行“{row.text}”", f"section 二: row {row.text}", run)
            return None
        values = digit_runs.agreed(splits)
        if len(splits) != 1:
            self._warn_run(
                f"第二部分：行“{row.text}”",
                f"section 二: row {row.text}",
                run,
                splits,
                "二的各列之间没有勾稽关系",
            )
        if all(v is None for v in values):
            return None
        return _run_tokens(values, run, run_source(row.values))  # None where the splits differ

    def _warn_run(self, where_zh: str, where_en: str, run: digit_runs.Run, splits: list, why_zh: str) -> None:
        """Cells withheld from a run of digits: the candidate splits, for a reviewer to pick one."""
        text = " ".join(run.pieces)
        if not splits:
            self._warn(
                f"{where_zh}的数字连在一起（{text}），没有任何拆分符合勾稽关系，未入库",
                f"{where_en}: digits run together ('{text}') and no split satisfies the rules; not stored",
            )
            return
        cands = digit_runs.describe(splits)
        self._warn(
            f"{where_zh}的数字连在一起（{text}），{why_zh}，"
            f"有 {len(splits)} 种拆分：{cands}；"
            "无法唯一确定的单元格未入库，请人工选择",
            f"{where_en}: digits run together ('{text}'),"
            f" {len(splits)} possible splits: {cands}; undetermined cells not stored",
        )

    def _warn_run_gave_up(self, where_zh: str, where_en: str, run: digit_runs.Run) -> None:
        text = " ".join(run.pieces)
        self._warn(
            f"{where_zh}的数字连在一起（{text}），可能的拆分过多，未入库",
            f"{where_en}: digits run together ('{text}') allow too many splits; not stored",
        )

    def _unit_hint(self, version: str, block_key: str, col_key: str) -> str | None:
        """The unit a section-二 header states for an amount column ('采购总金额（万元）', '（单位：元）')."""
        target_id = f"s2.col.{version}.{block_key}.{col_key}"
        for m in self.out.labels:
            if m.key == target_id:
                t = normalize_label(m.text)
                if "万元" in t:
                    return "万元"
                if "元" in t:
                    return "元"
        return None

    def _s2_version(self, row: PendingRow) -> str | None:
        assert row.target is not None
        block_key = row.target.id.split(".")[2]
        # Header words seen since the block's caption vote, whatever block the matcher filed a shared
        # word under (上一年项目数量 is a column of (五), (六) and (八) alike).
        votes = Counter(h.version for h in row.headers if h.version)
        if len(votes) == 1:
            return next(iter(votes))
        if row.match and row.target.version:
            return row.target.version
        vals = list(row.values)
        while vals and _is_empty(vals[-1]):
            vals.pop()
        counts = {len(vals), sum(1 for v in vals if not _is_empty(v))}
        if any(v.run for v in vals):
            counts = set()  # digits run together: their number says nothing about the columns
        fits = [
            v
            for v in schema.VERSIONS
            if (b := schema.block(v, block_key)) is not None and len(b.cols) in counts
        ]
        if len(fits) == 1:
            return fits[0]
        if votes:
            return votes.most_common(1)[0][0]
        return None

    def _s2_columns(self, row: PendingRow, block: schema.Block, version: str) -> tuple[schema.Column, ...]:
        """Columns in the order the header states them, or template order when it cannot tell."""
        by_key = {c.key: c for c in block.cols}
        order = [key for h in row.headers if h.version == version and (key := h.id.split(".")[-1]) in by_key]
        if sorted(order) == sorted(by_key) and len(order) == len(set(order)):
            return tuple(by_key[k] for k in order)
        return block.cols

    def _finish_s3(self) -> None:
        if not self.s3_rows:
            return
        # Only a v2021 sub-row with cells of its own proves the v2021 split of （六）; a bare label
        # with no cells is reported below and proves nothing.
        has_2021 = any(
            k.startswith("r3_6_") and k != "r3_6_other" and row.values for k, row in self.s3_rows.items()
        )
        self._settle_other_processing(has_2021)
        if has_2021 and "r3_6_other" in self.s3_rows:  # （六）其他处理 with cells, then its v2021 sub-rows
            row = self.s3_rows.pop("r3_6_other")
            if any(not _is_empty(v) for v in row.values):
                self._warn(
                    f"第三部分：分组行“{row.text}”自带小计数值，未入库",
                    f"section 三: group row {row.text} carries its own subtotal; not stored",
                )
        has_2019 = "r3_6_other" in self.s3_rows
        if has_2021 and has_2019:
            version = "mixed"
        elif has_2021:
            version = schema.V2021
        elif has_2019:
            version = schema.V2019
        elif self.s3_group_other:
            version = schema.V2021
        else:
            version = None
        if version:
            self.out.table_versions["s3"] = version
        ncols = len(schema.S3_COLUMNS)
        fitted: dict[str, list[Token]] = {}
        runs: dict[str, digit_runs.Run] = {}
        for key, row in self.s3_rows.items():
            vals, why = fit(row.values, ncols)
            if vals is None and (run := run_of(row.values)) is not None:
                runs[key] = run
                continue
            if vals is None:
                vals = self._clipped_part(row.values, "s3", ncols)
                if vals is None:
                    if self.unlabelled and all(_is_empty(v) for v in row.values):
                        continue  # a label without values: a place for a row without a label
                    assert why is not None  # fit explains every row it cannot fit
                    self._warn(f"第三部分：行“{row.text}”{why[0]}", f"section 三: row {row.text} {why[1]}")
                    continue
                self._warn_clipped(
                    f"第三部分：行“{row.text}”", f"section 三: row {row.text}", len(vals), ncols
                )
            fitted[key] = vals
        split = self._split_s3_runs(fitted, runs, version)
        for key, row in self.s3_rows.items():
            toks = fitted.get(key) or split.get(key)
            for (col_key, col_label), tok in zip(schema.S3_COLUMNS, toks or [], strict=False):
                if tok is not None:
                    self._put(f"s3.{key}.{col_key}", tok, row, col_label, None)
        self._place_unlabelled({**fitted, **{k: v for k, v in split.items() if k not in fitted}}, version)
        self._confirm_generic_columns(fitted)

    def _confirm_generic_columns(self, fitted: dict[str, list[Token]]) -> None:
        """Generic column names ('数据1'…'数据6') are read by position as the applicant columns; say so
        when the count of names or D1 (总计 = Σ applicant columns) does not confirm that reading."""
        if not self.generic_cols:
            return
        broken = []
        for key, toks in fitted.items():
            vals = [_int_or_none(t.text) for t in toks]
            if (
                len(vals) == len(schema.S3_COLUMNS)
                and vals[-1] is not None
                and sum(v or 0 for v in vals[:-1]) != vals[-1]
            ):
                broken.append(schema.S3_ROW_BY_KEY[key].label)
        if max(self.generic_cols) not in (6, 7) or broken:
            rows = "、".join(broken[:3]) + ("等" if len(broken) > 3 else "")
            self._warn(
                f"第三部分：表头是通用列名（数据1…数据{max(self.generic_cols)}），"
                "已按位置对应到申请人各列，"
                f"但{'行' + rows + '的总计不等于各列之和' if broken else '列数不是 6 或 7'}"
                "，请核对列的对应",
                "section 三: generic column names read by position"
                f" are not confirmed ({len(broken)} rows break D1)",
            )

    def _place_unlabelled(self, rows: Mapping[str, Sequence[Token | None]], version: str | None) -> None:
        """Rows of 三 that arrived without labels, placed where the rules O1, D1 and D3 leave no doubt
        (parsing.placement); everything else is reported with the reason."""
        if not self.unlabelled:
            return
        ncols = len(schema.S3_COLUMNS)
        groups, self.unlabelled = self.unlabelled, []
        good = [[t for t in g if not _is_empty(t)] for g in groups]
        if any(len(g) != ncols for g in good):
            for g in groups:
                self.stray = g
                self._report_stray_now()
            return
        fixed = {
            k: tuple(None if t is None else _int_or_none(t.text) for t in v)
            for k, v in rows.items()
            if len(v) == ncols and all(t is not None for t in v)
        }
        values = [tuple(_int_or_none(t.text) for t in g) for g in good]
        versions = [version] if version in schema.VERSIONS else list(schema.VERSIONS)
        tried = [
            (v, placement.place(fixed, values, [r.key for r in schema.s3_rows(v)], schema.outcome_rows(v)))
            for v in versions
        ]
        fits = [(v, p) for v, p in tried if p.valid]
        texts = "；".join(" ".join(t.text.strip() for t in g) for g in good[:6])
        if len(fits) != 1:
            reason = tried[0][1].reason if len(tried) == 1 else "no single template version fits"
            self._warn(
                f"第三部分：{len(good)} 行数值没有行标签（{texts}），按勾稽关系无法确定其位置，未入库",
                f"section 三: {len(good)} rows of values without a label ({texts})"
                f" cannot be placed by the rules ({reason}); not stored",
            )
            return
        v, found = fits[0]
        if version not in schema.VERSIONS:
            self.out.table_versions["s3"] = v
        self._put_placed(found.cells, good[0][0].source, texts, found.valid, len(good))

    def _report_stray_now(self) -> None:
        if self.stray:
            where = f"line {self.stray[0].source.line}" if self.stray[0].source.line else "a table"
            texts = " ".join(t.text.strip() for t in self.stray[:8])
            n = sum(1 for t in self.stray if not _is_empty(t))
            self._warn(
                f"{n} 个数值没有对应的行标签（{texts}）",
                f"{n} values without a row label near {where}: {texts}",
            )
            self.stray = []

    def _put_placed(
        self, cells: dict[str, list[int | None]], source: Source, texts: str, valid: int, nrows: int
    ) -> None:
        placed, withheld = [], 0
        for key, vals in cells.items():
            label = schema.S3_ROW_BY_KEY[key].label
            row = PendingRow("s3", None, None, f"（无标签，按勾稽关系放置为“{label}”）", source)
            for (col_key, col_label), v in zip(schema.S3_COLUMNS, vals, strict=True):
                if v is None:
                    withheld += 1
                    continue
                self._put(
                    f"s3.{key}.{col_key}",
                    Token(str(v), source, True, rule_flag=PLACED_FLAG),
                    row,
                    col_label,
                    None,
                )
            if any(v is not None for v in vals):
                placed.append(label)
        more = f"；另有 {withheld} 个单元格有多种放法符合勾稽关系，未入库" if withheld else ""
        self._warn(
            f"第三部分：{nrows} 行数值没有行标签（{texts}），"
            "已按勾稽关系（第一项加第二项等于第三项加第四项、各项之和等于总计）"
            f"放入：{'、'.join(placed) or '无'}"
            f"（单元格标记为“按规则放置”，请核对）{more}",
            f"section 三: {nrows} rows without a label placed by the rules O1/D1/D3"
            f" ({valid} valid assignments; flag {PLACED_FLAG}); {withheld} cells left out",
        )

    def _split_s3_runs(
        self, fitted: dict[str, list[Token]], runs: dict[str, digit_runs.Run], version: str | None
    ) -> dict[str, list[Token | None]]:
        """Rows of 三 whose digits ran together, split by D1 per row and O1/D3 across rows (§9.5)."""
        if not runs:
            return {}
        fixed = {
            k: tuple(_int_or_none(t.text) for t in toks)
            for k, toks in fitted.items()
            if len(toks) == len(schema.S3_COLUMNS)
        }
        outcome = schema.outcome_rows(version) if version in schema.VERSIONS else ()
        result = digit_runs.solve_s3(fixed, runs, outcome)
        out: dict[str, list[Token | None]] = {}
        for key, run in runs.items():
            row = self.s3_rows[key]
            where = (f"第三部分：行“{row.text}”", f"section 三: row {row.text}")
            if key in result.gave_up:
                self._warn_run_gave_up(*where, run)
                continue
            values = result.values.get(key, [])
            if not values:
                self._warn_run(*where, run, [], "")
                continue
            out[key] = _run_tokens(values, run, run_source(row.values))
            if any(v is None for v in values):
                splits = result.candidates[key]
                self._warn_run(
                    *where,
                    run,
                    splits,
                    "按勾稽关系（每行总计等于各列之和、第一项加第二项等于第三项加第四项）仍不能唯一确定",
                )
        done = [self.s3_rows[k].text for k, v in out.items() if all(t is not None for t in v)]
        if done:
            self._warn(
                f"第三部分：{len(done)} 行的数字连在一起，"
                "已按勾稽关系唯一拆分（单元格标记为“按规则拆分”，请核对）"
                f"：{'、'.join(done[:5])}{'等' if len(done) > 5 else ''}",
                f"section 三: {len(done)} rows of digits run together"
                f" split uniquely by the rules (flag {SPLIT_FLAG})",
            )
        return out

    def _finish_s4_run(self) -> list[Token | None] | None:
        """四 as one run of digits: three groups of five cells, each group's 总计 the sum of the others."""
        run = run_of(self.s4_values)
        if run is None:
            return None
        where = ("第四部分表格", "section 四")
        try:
            splits = digit_runs.s4_splits(run)
        except digit_runs.TooMany:
            self._warn_run_gave_up(*where, run)
            return None
        values = digit_runs.agreed(splits)
        if not splits or any(v is None for v in values):
            self._warn_run(*where, run, splits, "按勾稽关系（各组总计等于前四项之和）仍不能唯一确定")
        if not splits:
            return None
        if all(v is not None for v in values):
            self._warn(
                "第四部分：数字连在一起，已按勾稽关系唯一拆分（单元格标记为“按规则拆分”，请核对）",
                f"section 四: digits run together split uniquely by the rules (flag {SPLIT_FLAG})",
            )
        return _run_tokens(values, run, run_source(self.s4_values))

    def _warn_clipped(self, where_zh: str, where_en: str, kept: int, ncols: int) -> None:
        self._warn(
            f"{where_zh}最右侧 {ncols - kept} 列超出页面右边缘没有印出，只读取了前 {kept} 列",
            f"{where_en} the last {ncols - kept} columns lie beyond the page edge"
            f"; only the first {kept} were read",
        )

    def _settle_other_processing(self, has_2021: bool) -> None:
        """（六）其他处理 matched as the group label but followed by its own cells: with no v2021 sub-row
        in the table it is the v2019 leaf row (§4.2); under v2021 sub-rows it is a subtotal, not stored."""
        row = self.s3_other_values
        if row is None:
            return
        if has_2021 or "r3_6_other" in self.s3_rows:
            if any(not _is_empty(v) for v in row.values):
                self._warn(
                    f"第三部分：分组行“{row.text}”自带小计数值，未入库",
                    f"section 三: group row {row.text} carries its own subtotal; not stored",
                )
            return
        rows = list(self.s3_rows.items())
        at = next((i for i, (k, _) in enumerate(rows) if k in ("r3_7_total", "r4_carry_forward")), len(rows))
        rows.insert(at, ("r3_6_other", row))
        self.s3_rows = dict(rows)

    def _finish_s4(self) -> None:
        if not self.s4_values:
            return
        ncols = len(schema.S4_COLUMNS)
        vals, why = fit(self.s4_values, ncols)
        if vals is None and run_of(self.s4_values) is not None:
            split = self._finish_s4_run()
            for (key, label), tok in zip(schema.S4_COLUMNS, split or [], strict=False):
                if tok is not None:
                    self._put(f"s4.{key}", tok, None, label, None)
            return
        if vals is None:
            vals = self._clipped_part(self.s4_values, "s4", ncols)
            if vals is None:
                assert why is not None  # fit explains every row it cannot fit
                self._warn(f"第四部分：{why[0]}", f"section 四: {why[1]}")
                return
            self._warn_clipped("第四部分：", "section 四:", len(vals), ncols)
        for (key, label), tok in zip(schema.S4_COLUMNS, vals, strict=False):
            self._put(f"s4.{key}", tok, None, label, None)


def interpret(doc: Document, matcher: Matcher | None = None, year: int | None = None) -> Interpretation:
    """Map a Document's tables to canonical cells (``year`` is only a prior for the template version)."""
    return Interpreter(matcher, year).run(doc)

"""The findings engine (审核意见): what is wrong in each stored report, with its evidence.

Every finding has a stable code (:data:`parsing.vocabulary.FINDING_NAMES`), a severity, a Chinese
message, evidence (numbers, cell keys, excerpts, the other report compared with) and a key that is
stable within its report (code plus place), so a reviewer's status survives a re-parse. Families:

- arithmetic: the stored failed checks (O1, D1, D3, D5, D6; corrections applied, since the library
  re-checks after each correction);
- format: the 2019 format in a report on 2021 or later (per table, from the 2019-only rows it fills),
  a missing section of the six (headings found in the text), a missing table, row labels not in the
  official wording (matched only as a variant) and labels that match no row;
- across years for the same agency (region + name), when last year's report is stored: X1 per column,
  X2 (2019 format), X3 (2021 format); S1 within the year;
- prose against tables (S2): the narrative figures (``n.*``) against the cells they restate;
- copied prose: the share of a report's sentences repeated from the same agency's previous report or
  from another agency's report of the same year (sentence hashing; only reports that share a
  sentence are compared);
- late publication (:mod:`library.deadlines`; the roster's level when given) and missing reports;
- plausibility: 规章 reported by a county-level or township agency (only provincial and 设区的市
  governments make 规章);
- the website re-check (library/collect): a report's page changed after publication (C1) or its URL
  is gone (C2), stored by the re-check and added like the timeliness findings.

Everything except timeliness is computed for the whole library once per data revision
(:meth:`library.findings_store.LibraryFindings.cached_findings`); :func:`findings_of` then adds the
timeliness findings, applies the filters and the reviewers' statuses.
"""

from __future__ import annotations

import bisect
import re
import threading
import weakref
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import TextClause, bindparam, text

from library.deadlines import LATE, deadline, level_of, timeliness
from library.filters import Filters
from library.finding import Finding
from library.heap import settle_after_full_read
from library.rubric import Rubric, Thresholds, deductions, default_rubric, rank_table, score_table_of
from parsing.checks import check_place, explain
from parsing.schema import (
    CELLS,
    S3_APPLICANT_COLS,
    S3_COL_KEYS,
    S3_COLUMNS,
    S3_CORNER_NOTE,
    S3_GROUPS,
    S3_ROW_BY_KEY,
    S3_ROWS,
    S4_HEADER_WORDS,
    S4_OUTCOMES,
    SECTION2,
    SECTION_HEADINGS,
    V2019,
    key_label,
)
from parsing.vocabulary import (
    FINDING_COPY_PEER,
    FINDING_COPY_PREVIOUS,
    FINDING_D1,
    FINDING_D3,
    FINDING_D5,
    FINDING_D6,
    FINDING_LATE,
    FINDING_MISSING,
    FINDING_NONSTANDARD_ROW,
    FINDING_O1,
    FINDING_OLD_TEMPLATE,
    FINDING_REGULATIONS_COUNTY,
    FINDING_S1,
    FINDING_S2,
    FINDING_SECTION_MISSING,
    FINDING_SEVERITY,
    FINDING_TABLE_MISSING,
    FINDING_UNMATCHED_LABEL,
    FINDING_X1,
    FINDING_X2,
    FINDING_X3,
    RULE_D1_ROW_TOTAL,
    RULE_D3_OUTCOME_SUM,
    RULE_D6_TYPES,
    RULE_O1_BALANCE,
    TABLE_NAMES,
    finding_name,
)

if TYPE_CHECKING:
    from library.store import Library

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

# Stored check rule → finding code (the three D5 groups share one code; the key keeps the group).
_CHECK_CODES = {
    RULE_O1_BALANCE: FINDING_O1,
    RULE_D1_ROW_TOTAL: FINDING_D1,
    RULE_D3_OUTCOME_SUM: FINDING_D3,
    "D5_review": FINDING_D5,
    "D5_lit_direct": FINDING_D5,
    "D5_lit_after": FINDING_D5,
    RULE_D6_TYPES: FINDING_D6,
}
_S4_PARTS = tuple(o for o, _ in S4_OUTCOMES)
_ALL_OUTCOME_ROWS = tuple(r.key for r in S3_ROWS if r.key.startswith("r3_") and r.key != "r3_7_total")


def make(
    report_id: int | None, agency: Any, year: Any, code: str, message: str, key: str, **evidence: Any
) -> Finding:
    """A finding with the code's severity and a message prefixed by the code's Chinese name."""
    return Finding(
        report_id=report_id,
        agency=None if agency is None or pd.isna(agency) else str(agency),
        year=None if year is None or pd.isna(year) else int(year),
        code=code,
        severity=FINDING_SEVERITY[code],
        message=f"{finding_name(code)}：{message}" if message else finding_name(code),
        key=key,
        evidence=evidence,
    )


def _num(value: Any) -> int | float | None:
    """A dataset value as shown in evidence: None for NaN (blank is not zero), int when whole."""
    if value is None or pd.isna(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def _fmt(value: Any) -> str:
    v = _num(value)
    return "空白" if v is None else f"{v:g}" if isinstance(v, float) else str(v)


def cell_evidence(row: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """``{cell key: value}`` for ``keys`` of one dataset row, in order (None = blank or absent); the
    pages and documents name each key with :func:`parsing.schema.key_label`."""
    return {k: _num(row.get(k)) for k in keys}


class Row(Mapping[str, Any]):
    """One dataset row read from :class:`Rows` (``rows_of(df)[i]`` of a 600-column frame costs ~1 ms)."""

    def __init__(self, rows: Rows, i: int) -> None:
        self._rows, self._i = rows, i

    def __getitem__(self, key: str) -> Any:
        meta = self._rows.meta.get(key)
        if meta is not None:
            return meta[self._i]
        return self._rows.values[self._i, self._rows.index[key]]

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._rows.meta or key in self._rows.index:
            return self[key]
        return default

    def __iter__(self):
        return iter([*self._rows.meta, *self._rows.index])

    def __len__(self) -> int:
        return len(self._rows.meta) + len(self._rows.index)


class Rows:
    """The dataset as one float matrix plus metadata lists, for fast access by row position."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.meta = {c: df[c].tolist() for c in ("report_id", "agency", "region", "year")}
        cols = [
            str(c) for c, t in df.dtypes.items() if c not in self.meta and pd.api.types.is_numeric_dtype(t)
        ]
        self.index = {c: j for j, c in enumerate(cols)}
        self.values = df[cols].to_numpy(dtype=float)

    def __getitem__(self, i: int | np.integer) -> Row:
        return Row(self, int(i))


_ROWS: dict[int, tuple[weakref.ref, Rows]] = {}


def rows_of(df: pd.DataFrame) -> Rows:
    """The :class:`Rows` of ``df``, built once per frame (the frame's identity is checked)."""
    hit = _ROWS.get(id(df))
    if hit is not None and hit[0]() is df:
        return hit[1]
    _ROWS.clear()  # one frame at a time: the engine works on one dataset per computation
    rows = Rows(df)
    _ROWS[id(df)] = (weakref.ref(df), rows)
    return rows


# ----------------------------------------------------------------------------------- inputs


@dataclass
class Inputs:
    """What the engine reads from the library, once per data revision."""

    dataset: pd.DataFrame
    reports: pd.DataFrame  # report_id, published, unmatched_json, unread_json
    failed: pd.DataFrame  # report_id, rule, where, detail, blank_as_zero
    texts: dict[int, str]
    variants: pd.DataFrame  # report_id, key, label, score: cells whose row label was matched as a variant


def _restricted(sql: str, only: Collection[int] | None, column: str = "report_id") -> TextClause:
    """``sql`` with its ``{only}`` slot filled: every row, or only the reports ``only`` names."""
    if only is None:
        return text(sql.format(only=""))
    clause = text(sql.format(only=f" AND {column} IN :ids"))
    return clause.bindparams(bindparam("ids", value=sorted(only), expanding=True))


def read_inputs(lib: Library, only: Collection[int] | None = None) -> Inputs:
    """Read the dataset and the few report columns, failed checks, texts and variant labels.

    ``only``: just these report ids (the self-check compares a draft with a few reports: those of its
    year and its agency's report of the year before, see :mod:`library.drafts`).
    """
    tables = read_tables(lib, only)
    dataset = lib.dataset()
    if only is not None:
        dataset = dataset[dataset["report_id"].isin(list(only))].reset_index(drop=True)
    return Inputs(dataset, *tables)


def read_tables(
    lib: Library, only: Collection[int] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, str], pd.DataFrame]:
    """The inputs besides the dataset (reports, failed, texts, variants of :class:`Inputs`)."""
    with lib.engine.connect() as conn:
        reports = pd.DataFrame(
            conn.execute(
                _restricted(
                    "SELECT id, published, unmatched_json, unread_json FROM reports WHERE 1 = 1{only}",
                    only,
                    "id",
                )
            ).all(),
            columns=["report_id", "published", "unmatched_json", "unread_json"],
        )
        failed = pd.DataFrame(
            conn.execute(
                _restricted(
                    'SELECT report_id, rule, "where", detail, blank_as_zero FROM checks'
                    " WHERE status = 'fail'{only} ORDER BY id",
                    only,
                )
            ).all(),
            columns=["report_id", "rule", "where", "detail", "blank_as_zero"],
        )
        texts_sql = _restricted("SELECT report_id, text FROM report_files WHERE 1 = 1{only}", only)
        texts: dict[int, str] = dict(conn.execute(texts_sql).all())
        # Scores below 100: prefix, contained, clipped, fuzzy (the exact, note-stripped, alias and
        # override tiers score 100). Reading only those rows keeps this a fast scan. In stored order:
        # the first variant cell of a row names it (label_findings), whichever reports are read.
        variants = pd.DataFrame(
            conn.execute(
                _restricted(
                    "SELECT report_id, key, label, score FROM cells WHERE score < 100{only} ORDER BY id", only
                )
            ).all(),
            columns=["report_id", "key", "label", "score"],
        )
    return reports, failed, texts, variants


def _json_list(value: Any) -> list:
    if isinstance(value, str | bytes):
        import json

        value = json.loads(value)
    return list(value or [])


# ----------------------------------------------------------------------------------- arithmetic


def rule_keys(rule: str, where: str, columns: Iterable[str]) -> list[str]:
    """The cell keys an arithmetic check at ``where`` compares (those that exist in ``columns``)."""
    have = set(columns)
    if rule == RULE_O1_BALANCE:
        keys = [
            f"s3.{r}.{where}"
            for r in ("r1_new_received", "r2_carried_over", "r3_7_total", "r4_carry_forward")
        ]
    elif rule == RULE_D1_ROW_TOTAL:
        keys = [f"s3.{where}.total", *(f"s3.{where}.{c}" for c in S3_APPLICANT_COLS)]
    elif rule == RULE_D3_OUTCOME_SUM:
        keys = [f"s3.r3_7_total.{where}", *(f"s3.{r}.{where}" for r in _ALL_OUTCOME_ROWS)]
    elif rule in _CHECK_CODES and _CHECK_CODES[rule] == FINDING_D5:
        keys = [f"s4.{where}_total", *(f"s4.{where}_{o}" for o in _S4_PARTS[:-1])]
    else:
        keys = [where]
    return [k for k in keys if k in have]


def arithmetic_findings(inp: Inputs) -> list[Finding]:
    """The stored failed checks as findings, with the numbers and the cells they compare."""
    df = inp.dataset
    table = rows_of(df)
    pos_of = {int(r): p for p, r in enumerate(table.meta["report_id"])}
    out = []
    for rid, rule, where, detail, blank in inp.failed.itertuples(index=False):
        code = _CHECK_CODES.get(rule)
        if code is None or int(rid) not in pos_of:
            continue
        row = table[pos_of[int(rid)]]
        blank = _json_list(blank)
        keys = rule_keys(rule, where, table.index)
        if rule == RULE_D3_OUTCOME_SUM:  # name the outcome rows the report fills, not all 22 of both versions
            keys = keys[:1] + [k for k in keys[1:] if not pd.isna(row.get(k))]
        explanation = explain(rule, where, "fail", detail, blank)
        out.append(
            make(
                int(rid),
                row["agency"],
                row["year"],
                code,
                explanation,
                f"{code}:{where}",
                rule=rule,
                place=check_place(rule, where),
                detail=explanation,
                cells=cell_evidence(row, keys),
                blank_as_zero=blank,
            )
        )
    return out


# ----------------------------------------------------------------------------------- format

_OLD_ONLY = {
    sec: [k for k, spec in CELLS.items() if spec.section == sec and spec.versions == (V2019,)]
    for sec in ("s2", "s3")
}
_SECTION_COLUMNS = {
    sec: [k for k, spec in CELLS.items() if spec.section == sec] for sec in ("s2", "s3", "s4")
}


def old_template_findings(df: pd.DataFrame) -> list[Finding]:
    """FMT_OLD_TEMPLATE: a report on 2021 or later that fills rows only the 2019 format has (per table)."""
    out = []
    year = df["year"].to_numpy(dtype=float, na_value=np.nan)
    for sec, cols in _OLD_ONLY.items():
        filled = df[cols].notna().to_numpy()
        hit = np.flatnonzero((year >= 2021) & filled.any(axis=1))
        for i in hit:
            row = rows_of(df)[i]
            keys = [c for c, f in zip(cols, filled[i], strict=True) if f]
            shown = "、".join(key_label(k) for k in keys[:3]) + ("等" if len(keys) > 3 else "")
            out.append(
                make(
                    int(row["report_id"]),
                    row["agency"],
                    row["year"],
                    FINDING_OLD_TEMPLATE,
                    f"{TABLE_NAMES[sec]}填写了2019版格式才有的栏目：{shown}",
                    f"{FINDING_OLD_TEMPLATE}:{sec}",
                    table=sec,
                    cells=cell_evidence(row, keys[:12]),
                )
            )
    return out


def table_missing_findings(df: pd.DataFrame, reports: pd.DataFrame) -> list[Finding]:
    """FMT_TABLE_MISSING: a table (二, 三, 四) with no value at all; the parser's reason when it gave one."""
    unread = {
        int(r): _json_list(u) for r, u in zip(reports["report_id"], reports["unread_json"], strict=True)
    }
    out = []
    for sec, cols in _SECTION_COLUMNS.items():
        empty = np.flatnonzero(~df[cols].notna().to_numpy().any(axis=1))
        for i in empty:
            row = rows_of(df)[i]
            rid = int(row["report_id"])
            reasons = [u.get("reason") for u in unread.get(rid, []) if u.get("table") in (sec, None)]
            why = (
                reasons[0]
                if reasons and reasons[0]
                else "没有读到任何数值（报告中没有该表格，或各栏均为空白、“/”）"
            )
            out.append(
                make(
                    rid,
                    row["agency"],
                    row["year"],
                    FINDING_TABLE_MISSING,
                    f"{TABLE_NAMES[sec]}：{why}",
                    f"{FINDING_TABLE_MISSING}:{sec}",
                    table=sec,
                    reason=why,
                )
            )
    return out


_NUMERALS = "一二三四五六"
# After a numeral and its mark: the words that make a line the heading of that section.
_HEADING_WORDS = {
    "s1": r"(?:总体情况|概述|基本情况)",
    "s2": r"主动公开",
    "s3": r"(?:收到和处理|依申请)",
    "s4": r"(?:行政复议|行政诉讼)",
    "s5": r"(?:存在的?主要问题|问题及改进|存在问题|改进情况)",
    "s6": r"其他需要报告",
}
_SECTION_OF_NUMERAL = dict(zip(_NUMERALS, _HEADING_WORDS, strict=True))
_HEADING_WORD_RE = {sec: re.compile(words) for sec, words in _HEADING_WORDS.items()}
# A line that starts with a section numeral and its mark: one pass finds the candidates, then the
# words are checked on those few lines only.
_NUMBERED_LINE = re.compile(r"(?m)^[^\S\n]*([一二三四五六])[^\S\n]*[、.．]([^\n]{0,40})")
_INLINE_SPACE = re.compile(r"[ \t\u3000]+")
MIN_TEXT_FOR_SECTIONS = 300  # shorter texts (a table only, an excerpt) are not judged for sections
MIN_SECTIONS_FOUND = 3  # fewer headings found: the text is not laid out by headings, nothing to judge


def sections_found(text_: str) -> set[str]:
    """The sections (s1…s6) whose numbered heading appears at the start of a line of ``text_``."""
    found = set()
    for numeral, rest in _NUMBERED_LINE.findall(text_ or ""):
        sec = _SECTION_OF_NUMERAL[numeral]
        if _HEADING_WORD_RE[sec].search(_INLINE_SPACE.sub("", rest)[:25]):
            found.add(sec)
    return found


def section_findings(df: pd.DataFrame, texts: Mapping[int, str]) -> list[Finding]:
    """FMT_SECTION_MISSING: one per section of the six whose heading the report's text lacks."""
    out = []
    for rid, agency, year in zip(df["report_id"], df["agency"], df["year"], strict=True):
        body = texts.get(int(rid)) or ""
        if len(body) < MIN_TEXT_FOR_SECTIONS:
            continue
        found = sections_found(body)
        if len(found) < MIN_SECTIONS_FOUND:
            continue
        for sec, heading in SECTION_HEADINGS.items():
            if sec not in found:
                out.append(
                    make(
                        int(rid),
                        agency,
                        year,
                        FINDING_SECTION_MISSING,
                        f"未找到“{heading}”",
                        f"{FINDING_SECTION_MISSING}:{sec}",
                        section=sec,
                        heading=heading,
                        found=sorted(found),
                    )
                )
    return out


_ROW_NOISE = re.compile(r"[\s、.．]")


def standard_row_label(key: str) -> str | None:
    """The official label of the row (二, 三) or column (四) a cell key belongs to."""
    spec = CELLS.get(key)
    if spec is None:
        return None
    if spec.section == "s3":
        return S3_ROW_BY_KEY[spec.parts["row"]].label
    return spec.label.split(" / ")[0] if spec.section == "s2" else spec.label.split("/")[-1]


def label_findings(df: pd.DataFrame, reports: pd.DataFrame, variants: pd.DataFrame) -> list[Finding]:
    """FMT_UNMATCHED_LABEL per label matching no row; FMT_NONSTANDARD_ROW per row written as a variant."""
    meta = df.set_index("report_id")[["agency", "year"]]
    out = []
    for rid, labels in zip(reports["report_id"], reports["unmatched_json"], strict=True):
        if int(rid) not in meta.index:
            continue
        agency, year = meta.loc[int(rid)]
        for label in _json_list(labels):
            out.append(
                make(
                    int(rid),
                    agency,
                    year,
                    FINDING_UNMATCHED_LABEL,
                    f"“{label}”（该行数字未计入）",
                    f"{FINDING_UNMATCHED_LABEL}:{label}",
                    label=label,
                )
            )
    seen: set[tuple[int, str]] = set()
    for rid, key, label, score in variants.itertuples(index=False):
        standard = standard_row_label(key)
        written = str(label).split(" / ")[0]  # the stored label is "row / column" for a cell
        if (
            standard is None
            or key.startswith("s4.")  # 四 has no row labels: its columns are read in template order (§5)
            or int(rid) not in meta.index
            or _ROW_NOISE.sub("", standard) in _ROW_NOISE.sub("", written)
        ):
            continue  # the official wording is all there: extra characters are notes or layout debris
        row_key = key.rsplit(".", 1)[0]
        if (int(rid), row_key) in seen:
            continue
        seen.add((int(rid), row_key))
        agency, year = meta.loc[int(rid)]
        out.append(
            make(
                int(rid),
                agency,
                year,
                FINDING_NONSTANDARD_ROW,
                f"写作“{written}”，标准为“{standard}”",
                f"{FINDING_NONSTANDARD_ROW}:{row_key}",
                written=written,
                standard=standard,
                score=float(score),
            )
        )
    return out


# ----------------------------------------------------------------------------------- across years


def agency_identity(df: pd.DataFrame) -> pd.Series:
    """The key that makes two reports the same agency: region and name (two counties each have a 教育局)."""
    return df["region"].fillna("").astype(str) + "｜" + df["agency"].fillna("").astype(str)


def previous_pairs(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row positions (current, previous) of reports whose agency's report of the year before is stored.

    With several reports of one agency and year (versions), the latest stored (highest id) is used.
    """
    ident = agency_identity(df).tolist()
    years, ids = df["year"].tolist(), df["report_id"].tolist()
    usable = df["agency"].notna().to_numpy() & df["year"].notna().to_numpy()
    latest: dict[tuple[str, int], int] = {}
    for pos in np.flatnonzero(usable).tolist():
        k = (ident[pos], int(years[pos]))
        if k not in latest or ids[pos] > ids[latest[k]]:
            latest[k] = pos
    cur, prev = [], []
    for (who, year), pos in latest.items():
        before = latest.get((who, year - 1))
        if before is not None:
            cur.append(pos)
            prev.append(before)
    return np.array(cur, dtype=int), np.array(prev, dtype=int)


def _col(df: pd.DataFrame, key: str) -> np.ndarray:
    rows = rows_of(df)
    j = rows.index.get(key)
    return rows.values[:, j] if j is not None else np.full(len(df), np.nan)


def _pair_finding(
    df: pd.DataFrame,
    i: int,
    j: int,
    code: str,
    where: str,
    message: str,
    keys_now: list[str],
    keys_before: list[str],
    **extra: Any,
) -> Finding:
    row, before = rows_of(df)[i], rows_of(df)[j]
    return make(
        int(row["report_id"]),
        row["agency"],
        row["year"],
        code,
        message,
        f"{code}:{where}",
        cells=cell_evidence(row, keys_now),
        previous_report_id=int(before["report_id"]),
        previous_year=int(before["year"]),
        previous_cells=cell_evidence(before, keys_before),
        **extra,
    )


def x1_findings(df: pd.DataFrame, cur: np.ndarray, prev: np.ndarray) -> list[Finding]:
    """X1 per column of 三: 二、上年结转 (year N) = 四、结转下年度继续办理 (year N−1)."""
    out = []
    for col in S3_COL_KEYS:
        now_key, before_key = f"s3.r2_carried_over.{col}", f"s3.r4_carry_forward.{col}"
        a, b = _col(df, now_key)[cur], _col(df, before_key)[prev]
        for n in np.flatnonzero(~np.isnan(a) & ~np.isnan(b) & (a != b)):
            i, j = int(cur[n]), int(prev[n])
            message = f"{key_label(now_key)} {_fmt(a[n])}，上一年度报告{key_label(before_key)} {_fmt(b[n])}"
            out.append(_pair_finding(df, i, j, FINDING_X1, col, message, [now_key], [before_key]))
    return out


_X2_ROWS = (
    ("art20_5", "administrative_licensing"),
    ("art20_5", "other_management_services"),
    ("art20_6", "administrative_penalty"),
    ("art20_6", "administrative_coercion"),
    ("art20_8", "administrative_fees"),
)


def x2_findings(df: pd.DataFrame, cur: np.ndarray, prev: np.ndarray) -> list[Finding]:
    """X2 (2019 format): 上一年项目数量 (N) = 上一年项目数量 (N−1) + 本年增/减 (N−1), per row."""
    out = []
    for block, row_key in _X2_ROWS:
        items, change = f"s2.{block}.{row_key}.prev_year_items", f"s2.{block}.{row_key}.items_change"
        if items not in df:
            continue
        now, before, delta = _col(df, items)[cur], _col(df, items)[prev], _col(df, change)[prev]
        expected = before + delta
        for n in np.flatnonzero(~np.isnan(now) & ~np.isnan(expected) & (now != expected)):
            message = (
                f"{key_label(items)} {_fmt(now[n])}，上一年度报告为 {_fmt(before[n])}，"
                f"增减 {_fmt(delta[n])}，应为 {_fmt(expected[n])}"
            )
            out.append(
                _pair_finding(
                    df,
                    int(cur[n]),
                    int(prev[n]),
                    FINDING_X2,
                    f"{block}.{row_key}",
                    message,
                    [items],
                    [items, change],
                )
            )
    return out


_X3_ROWS = ("regulations", "normative_documents")


def x3_findings(df: pd.DataFrame, cur: np.ndarray, prev: np.ndarray, tolerance: float) -> list[Finding]:
    """X3 (2021 format): 现行有效件数 (N) ≈ 现行有效件数 (N−1) + 本年制发件数 (N) − 本年废止件数 (N)."""
    out = []
    for row_key in _X3_ROWS:
        base = f"s2.art20_1.{row_key}"
        in_force, issued, repealed = f"{base}.in_force", f"{base}.issued", f"{base}.repealed"
        now = _col(df, in_force)[cur]
        expected = _col(df, in_force)[prev] + _col(df, issued)[cur] - _col(df, repealed)[cur]
        for n in np.flatnonzero(~np.isnan(now) & ~np.isnan(expected) & (np.abs(now - expected) > tolerance)):
            i, j = int(cur[n]), int(prev[n])
            message = (
                f"{key_label(in_force)} {_fmt(now[n])}，上一年度 {_fmt(_col(df, in_force)[j])} ＋ 本年制发 "
                f"{_fmt(_col(df, issued)[i])} − 本年废止 {_fmt(_col(df, repealed)[i])} ＝ {_fmt(expected[n])}"
            )
            out.append(
                _pair_finding(
                    df,
                    i,
                    j,
                    FINDING_X3,
                    row_key,
                    message,
                    [in_force, issued, repealed],
                    [in_force],
                    expected=_num(expected[n]),
                )
            )
    return out


def s1_findings(df: pd.DataFrame) -> list[Finding]:
    """S1 (2021 format): 现行有效件数 ≥ 本年制发件数 − 本年废止件数, per row of 第二十条第（一）项."""
    out = []
    for row_key in _X3_ROWS:
        base = f"s2.art20_1.{row_key}"
        keys = [f"{base}.in_force", f"{base}.issued", f"{base}.repealed"]
        in_force, issued, repealed = (_col(df, k) for k in keys)
        bad = ~np.isnan(in_force) & ~np.isnan(issued) & (in_force < issued - np.nan_to_num(repealed))
        for i in np.flatnonzero(bad):
            row = rows_of(df)[i]
            message = (
                f"{key_label(keys[0])} {_fmt(in_force[i])}，"
                f"小于本年制发 {_fmt(issued[i])} − 本年废止 {_fmt(repealed[i])}"
            )
            out.append(
                make(
                    int(row["report_id"]),
                    row["agency"],
                    row["year"],
                    FINDING_S1,
                    message,
                    f"{FINDING_S1}:{row_key}",
                    cells=cell_evidence(row, keys),
                )
            )
    return out


# ----------------------------------------------------------------------------------- prose vs tables

# Narrative figure → the table cells it restates (summed; blank summands read as zero, §9.4).
PROSE_CELLS: dict[str, tuple[str, ...]] = {
    "applications_received": ("s3.r1_new_received.total",),
    "applications_carried_over": ("s3.r2_carried_over.total",),
    "answered_granted": ("s3.r3_1_granted.total",),
    "answered_partial": ("s3.r3_2_partial.total",),
    "answered_withheld": tuple(
        f"s3.r3_3_{i}_{r}.total"
        for i, r in enumerate(
            (
                "state_secret",
                "prohibited_by_law",
                "three_safety_one_stability",
                "third_party_rights",
                "internal_affairs",
                "process_info",
                "enforcement_file",
                "admin_inquiry",
            ),
            1,
        )
    ),
    "answered_unavailable": (
        "s3.r3_4_1_not_held.total",
        "s3.r3_4_2_needs_creation.total",
        "s3.r3_4_3_unclear_after_fix.total",
    ),
    "answered_not_processed": tuple(
        f"s3.{r}.total"
        for r in (
            "r3_5_1_petition_complaint",
            "r3_5_2_repeated",
            "r3_5_3_publication",
            "r3_5_4_excessive",
            "r3_5_5_confirm_or_reissue",
        )
    ),
    "answered_other": (
        "s3.r3_6_other.total",
        "s3.r3_6_1_no_correction.total",
        "s3.r3_6_2_fee_unpaid.total",
        "s3.r3_6_3_other.total",
    ),
    "applications_carried_forward": ("s3.r4_carry_forward.total",),
    "review_cases": ("s4.review_total",),
    "litigation_cases": ("s4.lit_direct_total", "s4.lit_after_review_total"),
}


def s2_findings(df: pd.DataFrame) -> list[Finding]:
    """S2: a figure stated in the prose that differs from the table cells it restates."""
    out = []
    for figure, keys in PROSE_CELLS.items():
        prose = _col(df, f"n.{figure}")
        parts = np.column_stack([_col(df, k) for k in keys])
        stated = ~np.isnan(parts).all(axis=1)
        table = np.nansum(parts, axis=1)
        for i in np.flatnonzero(~np.isnan(prose) & stated & (prose != table)):
            row = rows_of(df)[i]
            cells = [k for k, v in zip(keys, parts[i], strict=True) if not np.isnan(v)]
            names = "＋".join(key_label(k) for k in cells)
            stated = key_label("n." + figure).split(" · ")[-1]
            message = f"正文写{stated} {_fmt(prose[i])}，表格{names}为 {_fmt(table[i])}"
            out.append(
                make(
                    int(row["report_id"]),
                    row["agency"],
                    row["year"],
                    FINDING_S2,
                    message,
                    f"{FINDING_S2}:{figure}",
                    figure=figure,
                    prose=_num(prose[i]),
                    table=_num(table[i]),
                    cells=cell_evidence(row, [f"n.{figure}", *cells]),
                )
            )
    return out


# ----------------------------------------------------------------------------------- copied prose

# Prose is compared clause by clause (split at full stops, semicolons, commas and colons): copied
# reports keep most clauses word for word while the sentences around them are retouched.
_CLAUSE_END = re.compile(r"[。！？；!?;，,：:]")
_ALL_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
# A numbered heading on its own ("（一）主动公开情况", "五、存在的主要问题及改进情况"): template wording.
_HEADING_PIECE = re.compile(
    r"^(?:[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)[^，。；]{0,20}$"
)
# Words of the tables' headers and captions: a piece holding one is a table run into the text.
_TABLE_WORDS = (
    "第二十条",
    "第一项加第二项",
    "法人或其他组织",
    "行政复议行政诉讼",
    "未经复议直接起诉",
    "信息内容",
    "勾稽关系",
    "申请人情况",
    "结果维持",
    "本年制发件数",
    "本年新制作数量",
)
MIN_CLAUSE = 8  # shorter pieces ("无", "2023年") say nothing about copying
MAX_CLAUSE = 120  # longer pieces without punctuation are tables or lists run together
MAX_DIGIT_SHARE = 0.15  # a piece this full of digits is a table row, not prose
MAX_PASSAGES = 8


# Characters of the tables' column headers: a piece made mostly of them is a header row split over
# lines ("商业 科研 / 企业 机构"), not prose. Characters, not words, so one str.translate tells.
_HEADER_CHARS = str.maketrans(
    "",
    "",
    "".join(
        {label for _, label in S3_COLUMNS}
        | set(S4_HEADER_WORDS)
        | {"法人或其他组织", "申请人情况", "信息内容", "社会公益组织", "法律服务机构"}
    ),
)


def _header_piece(piece: str) -> bool:
    return len(piece.translate(_HEADER_CHARS)) < 0.3 * len(piece)


_NO_DIGITS = str.maketrans("", "", "0123456789")
_TABLE_WORD = re.compile("|".join(map(re.escape, _TABLE_WORDS)))


def _digit_count(piece: str) -> int:
    return len(piece) - len(piece.translate(_NO_DIGITS))


def _standard_labels() -> list[str]:
    """Every label of the official tables (rows, groups, columns, captions), longest first."""
    labels = {r.label for r in S3_ROWS} | set(S3_GROUPS.values()) | {label for _, label in S3_COLUMNS}
    labels |= set(S4_HEADER_WORDS) | {"法人或其他组织", "申请人情况", "信息内容", "行政复议", "行政诉讼"}
    for blocks in SECTION2.values():
        for block in blocks:
            labels |= {block.caption} | {label for _, label in block.rows} | {c.label for c in block.cols}
    return sorted(labels, key=len, reverse=True)


# A line without clause punctuation and at most this long is not running prose: a heading, a table
# label or cell, a figure, a page number (text dumps put each cell on its own line, §7.3).
# Runs of such lines become one mark (a table dumped cell by cell is hundreds of lines).
_SHORT_LINE = re.compile(r"(?m)(?:^[^，。；：,;:！？!?\n]{0,24}(?:\n|\Z))+")
_NO_SPACE = str.maketrans("", "", " \t\n\r\f\v\u3000\xa0")


def _template_hashes() -> frozenset[int]:
    """Hashes of the clauses of the official labels, headings and the corner note: never "copied"."""
    text_ = "。".join([*_standard_labels(), *SECTION_HEADINGS.values(), S3_CORNER_NOTE])
    flat = _DIGITS.sub("#", _ALL_SPACE.sub("", text_))
    return frozenset(hash(piece) for piece in _CLAUSE_END.split(flat))


_TEMPLATE = _template_hashes()


def prose_sentences(text_: str) -> list[tuple[int, str]]:
    """The prose clauses of a text as ``(hash, clause)``: whitespace removed (PDF line breaks), figures
    replaced by ``#`` for the hash, so a text copied with this year's numbers still matches; headings,
    table labels and figures, and the template's own wording left out."""
    # Lines are joined (PDF text breaks sentences across lines), but short lines without punctuation
    # are first replaced by a full stop, so they never glue themselves to the prose around them.
    # Whole-text substitutions: a per-line Python loop cost seconds on 5,000 reports.
    flat = _SHORT_LINE.sub("。\n", text_ or "").translate(_NO_SPACE)
    # Digits become "#" in a copy split at the same marks (the digit pattern never eats a clause
    # mark), so each clause and its hashed form line up.
    hashed = _DIGITS.sub("#", flat)
    out = []
    for piece, norm in zip(_CLAUSE_END.split(flat), _CLAUSE_END.split(hashed), strict=True):
        if not MIN_CLAUSE <= len(piece) <= MAX_CLAUSE:
            continue
        h = hash(norm)
        if h in _TEMPLATE or _digit_count(piece) > MAX_DIGIT_SHARE * len(piece) or _header_piece(piece):
            continue
        if _HEADING_PIECE.match(piece) or _TABLE_WORD.search(piece):
            continue
        out.append((h, piece))
    return out


# Report id → (hash of its text, its clauses): a text changes only when its report is re-parsed, so
# a recomputation after a correction or an upload reads the clauses of the other reports from here.
_PROSE_CACHE: dict[int, tuple[int, list[tuple[int, str]]]] = {}


def _prose_of(report_id: int, text_: str) -> list[tuple[int, str]]:
    key = hash(text_)
    hit = _PROSE_CACHE.get(report_id)
    if hit is not None and hit[0] == key:
        return hit[1]
    clauses = prose_sentences(text_)
    _PROSE_CACHE[report_id] = (key, clauses)
    return clauses


def _shared(mine: list[tuple[int, str]], other: set[int]) -> tuple[int, list[str]]:
    """Characters of ``mine`` whose sentence is in ``other``, and those sentences (each once)."""
    chars, passages, seen = 0, [], set()
    for h, s in mine:
        if h in other:
            chars += len(s)
            if h not in seen:
                seen.add(h)
                passages.append(s)
    return chars, passages


def copy_findings(df: pd.DataFrame, texts: Mapping[int, str], limits: Thresholds) -> list[Finding]:
    """COPY_PREVIOUS and COPY_PEER: the share of a report's prose found in another report."""
    ids = [int(r) for r in df["report_id"]]
    sentences = {r: _prose_of(r, texts.get(r) or "") for r in ids}
    totals = {r: sum(len(s) for _, s in ss) for r, ss in sentences.items()}
    hashes = {r: {h for h, _ in ss} for r, ss in sentences.items()}
    return [
        *_previous_copies(df, sentences, totals, hashes, limits),
        *_peer_copies(df, sentences, totals, hashes, limits),
    ]


def _previous_copies(
    df: pd.DataFrame,
    sentences: Mapping[int, list[tuple[int, str]]],
    totals: Mapping[int, int],
    hashes: Mapping[int, set[int]],
    limits: Thresholds,
) -> list[Finding]:
    """COPY_PREVIOUS: the share of a report's prose found in its agency's report of the year before."""
    ids = [int(r) for r in df["report_id"]]
    out = []
    cur, prev = previous_pairs(df)
    for i, j in zip(cur, prev, strict=True):
        rid, other = ids[i], ids[j]
        if totals[rid] < limits.min_copy_chars:
            continue
        chars, passages = _shared(sentences[rid], hashes[other])
        if chars / totals[rid] >= limits.copy_share:
            out.append(
                _copy_finding(df, i, j, FINDING_COPY_PREVIOUS, chars / totals[rid], passages, "上一年度报告")
            )
    return out


def _copy_finding(
    df: pd.DataFrame, i: int, j: int, code: str, share: float, passages: list[str], whose: str
) -> Finding:
    row, other = rows_of(df)[i], rows_of(df)[j]
    name = f"{other['agency'] or '未署名单位'}{_fmt(other['year'])}年报告"
    message = f"正文 {share:.0%} 的文字与{whose}（{name}）相同"
    return make(
        int(row["report_id"]),
        row["agency"],
        row["year"],
        code,
        message,
        f"{code}:{int(other['report_id'])}",
        share=round(share, 3),
        other_report_id=int(other["report_id"]),
        other_agency=None if pd.isna(other["agency"]) else other["agency"],
        other_year=_num(other["year"]),
        passages=passages[:MAX_PASSAGES],
        passages_total=len(passages),
    )


def common_limit(limits: Thresholds, group_size: int) -> float:
    """Postings longer than this (reports of the year using one sentence) are common wording."""
    return max(limits.common_min_reports, limits.common_share * group_size)


def _peer_copies(
    df: pd.DataFrame,
    sentences: Mapping[int, list[tuple[int, str]]],
    totals: Mapping[int, int],
    hashes: Mapping[int, set[int]],
    limits: Thresholds,
) -> list[Finding]:
    """COPY_PEER: for each report, the other agency's report of the same year that shares most prose.

    Candidates come from an inverted index sentence → reports of the year, so only reports sharing a
    sentence are compared. Sentences in many of the year's reports are common wording, left out.
    """
    out = []
    ident = agency_identity(df).tolist()
    pos_of = {int(r): p for p, r in enumerate(df["report_id"])}
    for _year, group in df.groupby("year", dropna=True):
        ids = [int(r) for r in group["report_id"] if totals[int(r)] >= limits.min_copy_chars]
        index: dict[int, list[int]] = defaultdict(list)
        for r in ids:
            for h in hashes[r]:
                index[h].append(r)
        common = common_limit(limits, len(group))
        for r in ids:
            hit = _peer_copy_of(r, sentences, index, common)
            if hit is None or ident[pos_of[hit[0]]] == ident[pos_of[r]]:
                continue  # two versions of one agency's report are not copying
            best, chars = hit
            share = chars / totals[r]
            if share >= limits.copy_share:
                _, passages = _shared(sentences[r], hashes[best])
                out.append(
                    _copy_finding(
                        df, pos_of[r], pos_of[best], FINDING_COPY_PEER, share, passages, "同年其他单位报告"
                    )
                )
    return out


def _peer_copy_of(
    r: int,
    sentences: Mapping[int, list[tuple[int, str]]],
    index: Any,
    common: float,
) -> tuple[int, int] | None:
    """The report of the year sharing most of ``r``'s prose (lowest id among equals) and the characters
    it shares (sentences not common to the year); None: no report shares any. ``index``: sentence hash
    → the year's reports using it (a dict, or a _YearIndex: anything with ``get(h, default)``)."""
    weight: dict[int, int] = defaultdict(int)
    for h, s in sentences[r]:
        posting = index.get(h, ())
        if len(posting) > common:
            continue
        for o in posting:
            if o != r:
                weight[o] += len(s)
    if not weight:
        return None
    best = max(weight, key=lambda o: (weight[o], -o))
    return best, weight[best]


# ----------------------------------------------------------------------------------- plausibility

_REGULATION_KEYS = [
    k for k in CELLS if k.startswith("s2.art20_1.regulations.") and not k.endswith("repealed")
]
_COUNTY = re.compile(r"(?:县|旗|(?<!自治)区)")


def county_level(agency: Any, region: Any) -> bool:
    """Whether an agency is at county level or below (county, district, banner, township, street):
    from its region, else from a 县/区/旗 in its name, or a township name. A county-level 市 cannot
    be told from a prefecture city by its name: not judged."""
    if isinstance(region, str) and region and _COUNTY.search(region[-1:]) and not region.endswith("自治区"):
        return True
    name = agency if isinstance(agency, str) else ""
    return bool(name) and (bool(_COUNTY.search(name)) or level_of(name) == "乡镇街道")


def plausibility_findings(df: pd.DataFrame) -> list[Finding]:
    """P_REGULATIONS_COUNTY: 规章 above zero reported by a county-level or township agency."""
    keys = [k for k in _REGULATION_KEYS if k in df]
    if not keys:
        return []
    values = df[keys].to_numpy(dtype=float)
    out = []
    for i in np.flatnonzero((np.nan_to_num(values) > 0).any(axis=1)):
        row = rows_of(df)[i]
        if not county_level(row["agency"], row["region"]):
            continue
        shown = [k for k, v in zip(keys, values[i], strict=True) if not np.isnan(v) and v > 0]
        message = (
            "；".join(f"{key_label(k)} {_fmt(row[k])}" for k in shown) + "（县级及以下不能制定规章，请核实）"
        )
        out.append(
            make(
                int(row["report_id"]),
                row["agency"],
                row["year"],
                FINDING_REGULATIONS_COUNTY,
                message,
                FINDING_REGULATIONS_COUNTY,
                cells=cell_evidence(row, shown),
            )
        )
    return out


# ----------------------------------------------------------------------------------- timeliness


def _as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def timeliness_of(
    df: pd.DataFrame,
    published: Mapping[int, Any],
    levels: Mapping[int, str] | None = None,
) -> dict[int, tuple[str, str, date | None]]:
    """Report id → (on_time|late|unknown, level, publication date); the roster's level wins over the
    name's."""
    levels = levels or {}
    out = {}
    for rid, agency, year in zip(df["report_id"], df["agency"], df["year"], strict=True):
        rid = int(rid)
        level = levels.get(rid) or level_of(agency if isinstance(agency, str) else None)
        when = _as_date(published.get(rid))
        state = timeliness(when, level, int(year)) if not pd.isna(year) else "unknown"
        out[rid] = (state, level, when)
    return out


def late_findings(df: pd.DataFrame, states: Mapping[int, tuple[str, str, date | None]]) -> list[Finding]:
    """LATE: published after the deadline of the agency's level (条例 第四十九条; deadlines.toml)."""
    out = []
    for rid, agency, year in zip(df["report_id"], df["agency"], df["year"], strict=True):
        state, level, when = states.get(int(rid), ("unknown", "", None))
        if state != LATE or when is None:
            continue
        due = deadline(level, int(year))
        days = (when - due).days
        out.append(
            make(
                int(rid),
                agency,
                year,
                FINDING_LATE,
                f"{when.isoformat()} 发布，{level}的期限为 {due.isoformat()}，逾期 {days} 天",
                FINDING_LATE,
                published=when.isoformat(),
                deadline=due.isoformat(),
                level=level,
                days_late=days,
            )
        )
    return out


def missing_findings(missing: Iterable[tuple[str, str | None, int]]) -> list[Finding]:
    """MISSING: one per (agency, region, year) of the roster without a report (no report id)."""
    return [
        make(
            None,
            agency,
            year,
            FINDING_MISSING,
            f"名录中的{agency}（{region or '地区未填写'}）没有{year}年度报告",
            f"{FINDING_MISSING}:{region or ''}:{agency}:{year}",
            region=region,
        )
        for agency, region, year in missing
    ]


# ----------------------------------------------------------------------------------- whole library


def compute_findings(inp: Inputs, limits: Thresholds | None = None) -> list[Finding]:
    """Every finding of the library except timeliness, statuses not applied (pure: no database)."""
    limits = limits or default_rubric().thresholds
    df = inp.dataset.reset_index(drop=True)
    if df.empty:
        return []
    cur, prev = previous_pairs(df)
    return [
        *arithmetic_findings(inp),
        *old_template_findings(df),
        *table_missing_findings(df, inp.reports),
        *section_findings(df, inp.texts),
        *label_findings(df, inp.reports, inp.variants),
        *x1_findings(df, cur, prev),
        *x2_findings(df, cur, prev),
        *x3_findings(df, cur, prev, limits.x3_tolerance),
        *s1_findings(df),
        *s2_findings(df),
        *copy_findings(df, inp.texts, limits),
        *plausibility_findings(df),
    ]


# ----------------------------------------------------------------------------------- kept per report
#
# The library's findings are kept per report between data revisions (LibraryFindingData). After a
# write only what it can change is computed again (see _advance): the changed reports' own findings;
# the across-year findings (X1–X3, COPY_PREVIOUS) of every report of an agency identity a changed or
# deleted report had or has; and COPY_PEER of every report of the year that shares a sentence with a
# changed report (before or after the change), or all whose verdict a new common-wording limit flips.
# The result equals compute_findings on the whole library (tests/test_findings_incremental.py).

# Above this share of changed reports everything is computed again (as after the first read).
FULL_COMPUTE_SHARE = 0.25


def _own_findings(inp: Inputs) -> list[Finding]:
    """The findings that depend on one report alone (``inp.dataset`` with a RangeIndex)."""
    df = inp.dataset
    return [
        *arithmetic_findings(inp),
        *old_template_findings(df),
        *table_missing_findings(df, inp.reports),
        *section_findings(df, inp.texts),
        *label_findings(df, inp.reports, inp.variants),
        *s1_findings(df),
        *s2_findings(df),
        *plausibility_findings(df),
    ]


def _pair_findings(
    df: pd.DataFrame,
    sentences: Mapping[int, list[tuple[int, str]]],
    totals: Mapping[int, int],
    hashes: Mapping[int, set[int]],
    limits: Thresholds,
) -> list[Finding]:
    """The findings of a report against its agency's report of the year before."""
    cur, prev = previous_pairs(df)
    return [
        *x1_findings(df, cur, prev),
        *x2_findings(df, cur, prev),
        *x3_findings(df, cur, prev, limits.x3_tolerance),
        *_previous_copies(df, sentences, totals, hashes, limits),
    ]


def _within(f: Finding) -> tuple:
    """Order of a report's findings: severity, code, key (the report's place is _report_key's)."""
    return SEVERITY_ORDER[f.severity], f.code, f.key


def _report_key(report_id: int, agency: Any, year: Any) -> tuple:
    """A report's place in the findings' order: newest year first, agency, id (as findings_of sorts)."""
    name = None if agency is None or pd.isna(agency) else str(agency)
    y = None if year is None or pd.isna(year) else int(year)
    return (-(y or 0), name or "", report_id)


def _region(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class _YearIndex:
    """Sentence hash → the year's reports using it (those with enough prose to be judged), as two
    arrays sorted by hash: a few megabytes at 50,000 reports, where dicts of sets took hundreds."""

    def __init__(self, hashes: np.ndarray, rids: np.ndarray) -> None:
        order = np.argsort(hashes, kind="stable")
        self.hashes, self.rids = hashes[order], rids[order]

    @classmethod
    def of(cls, entries: Mapping[int, Collection[int]]) -> _YearIndex:
        """The index of ``entries``: report id → its sentence hashes."""
        hashes = [np.fromiter(hs, dtype=np.int64, count=len(hs)) for hs in entries.values()]
        rids = [np.full(len(hs), r, dtype=np.int64) for r, hs in entries.items()]
        if not hashes:
            return cls(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
        return cls(np.concatenate(hashes), np.concatenate(rids))

    def get(self, h: int, default: Any = ()) -> Any:
        lo = int(np.searchsorted(self.hashes, h, "left"))
        hi = int(np.searchsorted(self.hashes, h, "right"))
        return self.rids[lo:hi].tolist() if hi > lo else default

    def lengths(self) -> Iterable[tuple[int, np.ndarray]]:
        """(posting length, its report ids) of every hash."""
        if not len(self.hashes):
            return
        starts = np.flatnonzero(np.r_[True, self.hashes[1:] != self.hashes[:-1]])
        ends = np.r_[starts[1:], len(self.hashes)]
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            yield b - a, self.rids[a:b]

    def without(self, gone: Collection[int]) -> _YearIndex:
        keep = ~np.isin(self.rids, np.fromiter(gone, dtype=np.int64, count=len(gone)))
        out = _YearIndex.__new__(_YearIndex)
        out.hashes, out.rids = self.hashes[keep], self.rids[keep]
        return out

    def with_(self, entries: Mapping[int, Collection[int]]) -> _YearIndex:
        added = _YearIndex.of(entries)
        return _YearIndex(
            np.concatenate([self.hashes, added.hashes]), np.concatenate([self.rids, added.rids])
        )


@dataclass
class _Book:
    """What the next incremental update needs (only the computation that replaces it reads it)."""

    stamps: dict[int, Any]  # report id → its stamp in the dataset cache
    limits: Thresholds
    parts: dict[int, tuple[list[Finding], list[Finding], list[Finding]]]  # own, pair, peer findings
    sentences: dict[int, list[tuple[int, str]]]
    ident: dict[int, str]  # report id → agency identity
    year: dict[int, int | None]
    members: dict[str, set[int]]  # identity → its reports
    by_year: dict[int, set[int]]  # year → its reports
    keys: list[tuple]  # _report_key of every report, sorted
    totals: dict[int, int] = field(default_factory=dict)  # report id → characters of its prose
    index: dict[int, _YearIndex] = field(default_factory=dict)  # year → its sentence index


@dataclass(frozen=True)
class _Totals:
    """Sums over every report's kept findings (all open): what the unfiltered page counts."""

    findings: int = 0
    errors: int = 0
    reports: int = 0  # reports with a finding
    codes: Mapping[str, int] = field(default_factory=dict)  # code → findings
    notice: Mapping[tuple, int] = field(default_factory=dict)  # _notice_key → reports
    notice_years: Mapping[int, int] = field(default_factory=dict)  # year → distinct notice keys

    def changed(self, remove: Iterable[Sequence[Finding]], add: Iterable[Sequence[Finding]]) -> _Totals:
        """These totals without the reports' findings ``remove`` and with ``add``."""
        n, errors, reports = self.findings, self.errors, self.reports
        codes, notice, years = dict(self.codes), dict(self.notice), dict(self.notice_years)
        for sign, lists in ((-1, remove), (1, add)):
            for found in lists:
                n += sign * len(found)
                errors += sign * sum(f.severity == "error" for f in found)
                reports += sign * (len(found) > 0)
                for f in found:
                    codes[f.code] = codes.get(f.code, 0) + sign
                key = _notice_key(found)
                if key:
                    before = notice.get(key, 0)
                    notice[key] = before + sign
                    if (before > 0) != (notice[key] > 0):
                        years[key[2]] = years.get(key[2], 0) + (1 if notice[key] > 0 else -1)
        return _Totals(n, errors, reports, codes, notice, years)


@dataclass(frozen=True)
class LibraryFindingData:
    """The cached per-data-revision result: the findings of each report (sorted, region set, no
    status), the reports in the findings' order, and the publication dates they were read with."""

    by_report: dict[int, tuple[Finding, ...]]
    order: list[int]
    published: dict[int, Any]
    # The dataset they were computed from: the same until the reports change, while the library's own
    # dataset cache is rebuilt after every write, a status included.
    dataset: pd.DataFrame
    report_keys: dict[int, tuple] = field(default_factory=dict)  # report id → _report_key
    # Report id → timeliness_of with the reports' own dates and no roster levels.
    timely: dict[int, tuple[str, str, date | None]] = field(default_factory=dict)
    # Report id → (counting findings, points deducted, errors) of its findings (all open; the points by
    # the default rubric).
    scored: dict[int, tuple[int, float, int]] = field(default_factory=dict)
    late: set[int] = field(default_factory=set)  # reports late by timely
    copying: set[int] = field(default_factory=set)  # reports with a finding naming another report
    notice: dict[int, tuple[str, str | None, int]] = field(default_factory=dict)  # see _notice_key
    totals: _Totals = field(default_factory=_Totals)
    book: _Book | None = field(default=None, repr=False, compare=False)
    # What pages derive from this data and keep with it (see _kept_scores).
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def findings(self) -> list[Finding]:
        """Every finding in the findings' order (no status applied)."""
        return [f for r in self.order for f in self.by_report[r]]


def _dataset_and_stamps(lib: Library) -> tuple[pd.DataFrame, dict[int, Any] | None]:
    """The library's dataset and the stamps of the rows it was built from (library.dataset_cache),
    read together; no stamps when the library keeps no dataset cache."""
    frame = lib.dataset()
    cache = getattr(lib, "__dict__", {}).get("_dataset_cache")
    if cache is None:
        return frame, None
    with cache._lock:
        if cache.frame is None:
            return frame, None
        return cache.frame, dict(cache.stamps)


def _compute(lib: Library, previous: LibraryFindingData | None = None) -> LibraryFindingData:
    """The findings of the library now: computed again only where reports changed since ``previous``."""
    limits = default_rubric().thresholds
    frame, stamps = _dataset_and_stamps(lib)
    frame = frame.reset_index(drop=True)
    if previous is not None and previous.book is not None and stamps is not None:
        advanced = _advance(lib, previous, frame, stamps, limits)
        if advanced is not None:
            return advanced
    found = _full(lib, frame, stamps, limits)
    settle_after_full_read(len(frame))  # its objects live until the next full computation (library.heap)
    return found


def _sentence_parts(
    ids: Iterable[int], sentences: Mapping[int, list[tuple[int, str]]]
) -> tuple[dict[int, int], dict[int, set[int]]]:
    totals = {r: sum(len(s) for _, s in sentences[r]) for r in ids}
    hashes = {r: {h for h, _ in sentences[r]} for r in totals}
    return totals, hashes


def _sorted_findings(
    parts: tuple[list[Finding], list[Finding], list[Finding]], region: str | None
) -> tuple[Finding, ...]:
    found = [*parts[0], *parts[1], *parts[2]]
    found.sort(key=_within)
    return tuple(replace(f, region=region) for f in found)


def _full(
    lib: Library, frame: pd.DataFrame, stamps: dict[int, Any] | None, limits: Thresholds
) -> LibraryFindingData:
    reports, failed, texts, variants = read_tables(lib)
    published = {int(r): p for r, p in zip(reports["report_id"], reports["published"], strict=True)}
    ids = [int(r) for r in frame["report_id"]]
    sentences = {r: _prose_of(r, texts.get(r) or "") for r in ids}
    parts: dict[int, tuple[list[Finding], list[Finding], list[Finding]]] = {r: ([], [], []) for r in ids}
    totals: dict[int, int] = {}
    hashes: dict[int, set[int]] = {}
    if ids:
        totals, hashes = _sentence_parts(ids, sentences)
        families = (
            _own_findings(Inputs(frame, reports, failed, texts, variants)),
            _pair_findings(frame, sentences, totals, hashes, limits),
            _peer_copies(frame, sentences, totals, hashes, limits),
        )
        for k, found in enumerate(families):
            for f in found:
                parts[int(f.report_id)][k].append(f)  # type: ignore[arg-type]  # every one has a report
    idents = agency_identity(frame).tolist()
    years = [None if pd.isna(y) else int(y) for y in frame["year"]]
    members: dict[str, set[int]] = defaultdict(set)
    by_year: dict[int, set[int]] = defaultdict(set)
    for r, who, y in zip(ids, idents, years, strict=True):
        members[who].add(r)
        if y is not None:
            by_year[y].add(r)
    report_keys = {
        r: _report_key(r, a, y) for r, a, y in zip(ids, frame["agency"], frame["year"], strict=True)
    }
    regions = [_region(g) for g in frame["region"]]
    by_report = {r: _sorted_findings(parts[r], g) for r, g in zip(ids, regions, strict=True)}
    keys = sorted(report_keys.values())
    book = None
    if stamps is not None:
        book = _Book(
            stamps,
            limits,
            parts,
            sentences,
            dict(zip(ids, idents, strict=True)),
            dict(zip(ids, years, strict=True)),
            dict(members),
            dict(by_year),
            keys,
            totals,
            {
                y: _YearIndex.of({r: hashes[r] for r in rs if totals[r] >= limits.min_copy_chars})
                for y, rs in by_year.items()
            },
        )
    timely = timeliness_of(frame, published)
    return LibraryFindingData(
        by_report,
        [k[2] for k in keys],
        published,
        frame,
        report_keys,
        timely,
        {r: _scored(found) for r, found in by_report.items()},
        {r for r, state in timely.items() if _is_late(state)},
        {r for r, found in by_report.items() if any(_names_other(f) for f in found)},
        {r: key for r, key in ((r, _notice_key(found)) for r, found in by_report.items()) if key},
        _Totals().changed((), by_report.values()),
        book,
    )


def _notice_key(found: Sequence[Finding]) -> tuple[str, str | None, int] | None:
    """(agency, region, year) of a report's 整改通知单 when it has a finding and names its agency and
    year (all of a report's findings name the same)."""
    if not found:
        return None
    f = found[0]
    return (f.agency, f.region, f.year) if f.agency and f.year is not None else None


def _scored(found: Sequence[Finding], rubric: Rubric | None = None) -> tuple[int, float, int]:
    """(counting findings, points deducted, errors) of one report's findings."""
    points = deductions(found, rubric or default_rubric())
    errors = sum(f.severity == "error" for f in found)
    return sum(f.counts for f in found), next(iter(points.values()), 0.0), errors


def _rows(frame: pd.DataFrame, ids: Collection[int]) -> pd.DataFrame:
    """The rows of ``ids`` (in the frame's order), with a RangeIndex."""
    return frame[frame["report_id"].isin(list(ids))].reset_index(drop=True)


def _advance(
    lib: Library,
    old: LibraryFindingData,
    frame: pd.DataFrame,
    stamps: dict[int, Any],
    limits: Thresholds,
) -> LibraryFindingData | None:
    """``old`` brought up to ``frame`` (stamps ``stamps``); None when computing everything is better.

    Updates ``old.book`` in place and hands it to the result: ``old`` must not be advanced again."""
    book = old.book
    assert book is not None
    if book.limits != limits:
        return None
    known = book.stamps  # an unchanged report keeps its stamp object (library.dataset_cache): "is" first
    changed = [i for i, s in stamps.items() if known.get(i) is not s and known.get(i) != s]
    left = [i for i in book.stamps if i not in stamps]
    if not changed and not left:
        return replace(old, dataset=frame)
    if len(changed) + len(left) > FULL_COMPUTE_SHARE * max(len(stamps), 1):
        return None
    object.__setattr__(
        old, "book", None
    )  # its bookkeeping moves to the result (a failure below: full compute)
    reports, failed, texts, variants = read_tables(lib, changed)
    published = dict(old.published)
    for r in left:
        published.pop(r, None)
    published.update({int(r): p for r, p in zip(reports["report_id"], reports["published"], strict=True)})
    mine = _rows(frame, changed)
    gone = [*changed, *left]
    # What the changed and deleted reports were: their identities and years, and their sentences.
    before = {r: (book.ident[r], book.year[r], book.sentences[r]) for r in gone if r in book.ident}
    eligible_before = {r for r in before if book.totals[r] >= limits.min_copy_chars}
    for r, (who, y, _) in before.items():
        book.members[who].discard(r)
        if not book.members[who]:
            del book.members[who]
        if y is not None:
            book.by_year[y].discard(r)
        del book.ident[r], book.year[r], book.sentences[r], book.totals[r]
        book.parts.pop(r, None)
    for r in left:
        book.stamps.pop(r, None)
    idents = agency_identity(mine).tolist()
    for r, who, y in zip(mine["report_id"].tolist(), idents, mine["year"].tolist(), strict=True):
        r, y = int(r), None if pd.isna(y) else int(y)
        book.ident[r], book.year[r] = who, y
        book.members.setdefault(who, set()).add(r)
        if y is not None:
            book.by_year.setdefault(y, set()).add(r)
        book.sentences[r] = _prose_of(r, texts.get(r) or "")
        book.totals[r] = sum(len(x) for _, x in book.sentences[r])
        book.stamps[r] = stamps[r]
    # Across years: every report of an identity a changed report had or has.
    touched_idents = {who for who, _, _ in before.values()} | set(idents)
    pair_ids = set().union(*(book.members.get(who, ()) for who in touched_idents))
    # Copied from a report of the same year: whoever shares a sentence with a changed report.
    peer_ids: set[int] = set()
    years: set[int] = {y for _, y, _ in before.values() if y is not None}
    years |= {y for y in (book.year[r] for r in changed) if y is not None}
    peer_index: dict[int, tuple[_YearIndex, float]] = {}
    for y in years:
        old_index = book.index.get(y) or _YearIndex.of({})
        members = book.by_year.get(y, set())
        removed = {r: {h for h, _ in before[r][2]} for r in eligible_before if before[r][1] == y}
        added = {
            r: {h for h, _ in book.sentences[r]}
            for r in changed
            if book.year[r] == y and book.totals[r] >= limits.min_copy_chars
        }
        index = old_index.without(removed).with_(added) if removed or added else old_index
        book.index[y] = index
        common = common_limit(limits, len(members))
        size_before = len(members) + sum(1 for _, yb, _ in before.values() if yb == y)
        size_before -= sum(1 for r in changed if book.year[r] == y)
        common_before = common_limit(limits, size_before)
        peer_index[y] = (index, common)
        peer_ids.update(r for r in changed if book.year[r] == y)
        # A sentence of a changed report: its reports are affected unless it was and stays common
        # wording (left out of every weight either way).
        delta: dict[int, int] = defaultdict(int)
        for hs, sign in [*((hs, -1) for hs in removed.values()), *((hs, 1) for hs in added.values())]:
            for h in hs:
                delta[h] += sign
        for h, d in delta.items():
            posting = index.get(h)
            now = len(posting)
            if now > common and now - d > common_before:
                continue
            peer_ids.update(posting)
        if common_before != common:  # a sentence may have become common wording, or stopped being so
            for length, rids in index.lengths():
                if (length > common_before) != (length > common):
                    peer_ids.update(rids.tolist())
    hits: dict[int, tuple[int, int]] = {}
    for r in peer_ids:
        y = book.year[r]
        index, common = peer_index[y]  # type: ignore[index]  # r is in a year of peer_index
        total = book.totals[r]
        if total < limits.min_copy_chars:
            continue
        hit = _peer_copy_of(r, book.sentences, index, common)
        if hit is not None and book.ident[hit[0]] != book.ident[r] and hit[1] / total >= limits.copy_share:
            hits[r] = hit
    sub = _rows(frame, set(changed) | pair_ids | peer_ids | {o for o, _ in hits.values()})
    pos_of = {int(r): p for p, r in enumerate(sub["report_id"])}
    own = _own_findings(Inputs(_rows(sub, changed), reports, failed, texts, variants))
    pair_df = _rows(sub, pair_ids)
    totals, hashes = _sentence_parts(pair_ids, book.sentences)
    pairs = _pair_findings(pair_df, book.sentences, totals, hashes, limits)
    peers = []
    for r, (o, chars) in hits.items():
        total = sum(len(s) for _, s in book.sentences[r])
        _, passages = _shared(book.sentences[r], {h for h, _ in book.sentences[o]})
        peers.append(
            _copy_finding(
                sub, pos_of[r], pos_of[o], FINDING_COPY_PEER, chars / total, passages, "同年其他单位报告"
            )
        )
    new_parts: dict[int, tuple[list[Finding], list[Finding], list[Finding]]] = {}
    for r in changed:
        new_parts[r] = ([], [], [])
    for r in pair_ids | peer_ids:
        if r not in new_parts:
            own_r, pair_r, peer_r = book.parts[r]
            new_parts[r] = (own_r, [] if r in pair_ids else pair_r, [] if r in peer_ids else peer_r)
    for k, found in enumerate((own, pairs, peers)):
        for f in found:
            new_parts[int(f.report_id)][k].append(f)  # type: ignore[arg-type]  # every one has a report
    book.parts.update(new_parts)
    by_report = dict(old.by_report)
    report_keys = dict(old.report_keys)
    for r in left:
        by_report.pop(r, None)
        report_keys.pop(r, None)
    for r, agency, y in zip(mine["report_id"].tolist(), mine["agency"], mine["year"], strict=True):
        report_keys[int(r)] = _report_key(int(r), agency, y)
    regions = dict(zip(sub["report_id"].tolist(), sub["region"].tolist(), strict=True))
    for r, parts in new_parts.items():
        by_report[r] = _sorted_findings(parts, _region(regions[r]))
    keys, order = book.keys, list(old.order)  # the old order stays with the old result
    # Where the reports whose findings are new were, and the deleted ones (for _carry).
    old_at = {
        r: bisect.bisect_left(keys, old.report_keys[r]) for r in {*gone, *new_parts} if r in old.report_keys
    }
    for r in gone:
        if r in old.report_keys:
            at = bisect.bisect_left(keys, old.report_keys[r])
            del keys[at], order[at]
    for r in changed:
        at = bisect.bisect_left(keys, report_keys[r])
        keys.insert(at, report_keys[r])
        order.insert(at, r)
    timely, scored, late = dict(old.timely), dict(old.scored), set(old.late)
    copying, notice = set(old.copying), dict(old.notice)
    for r in gone:
        timely.pop(r, None)
        scored.pop(r, None)
        late.discard(r)
    timely.update(timeliness_of(mine, published))
    late |= {r for r in changed if _is_late(timely[r])}
    for r in new_parts:
        kept = by_report[r]
        scored[r] = _scored(kept)
        copying.discard(r)
        notice.pop(r, None)
        if any(_names_other(f) for f in kept):
            copying.add(r)
        key = _notice_key(kept)
        if key:
            notice[r] = key
    for r in left:
        copying.discard(r)
        notice.pop(r, None)
    redone = [r for r in new_parts if r in old.by_report] + [r for r in left if r in old.by_report]
    tally = old.totals.changed([old.by_report[r] for r in redone], [by_report[r] for r in new_parts])
    new = LibraryFindingData(
        by_report, order, published, frame, report_keys, timely, scored, late, copying, notice, tally, book
    )
    new_at = {r: bisect.bisect_left(keys, report_keys[r]) for r in new_parts}
    _carry(old, new, old_at, new_at, {*new_parts, *changed})
    return new


def _carry(
    old: LibraryFindingData,
    new: LibraryFindingData,
    old_at: Mapping[int, int],
    new_at: Mapping[int, int],
    redone: Collection[int],
) -> None:
    """What pages derived from ``old`` (its memo) brought up to ``new`` where it is kept already: the
    reports at ``old_at`` (their places in old.order: deleted ones, and those with new findings) left,
    those at ``new_at`` (places in new.order) came in; ``redone``: reports with a new score or state."""
    with _KEPT_LOCK:
        flat, kept = old.memo.get("flat"), old.memo.get("scores")
    if flat is not None:
        carried = _spliced(flat, old_at, new, new_at)
        if carried is not None:
            with _KEPT_LOCK:
                new.memo.setdefault("flat", carried)
    if kept is not None and len(kept.ids):
        scores = _kept_scores_carried(kept, new, redone)
        with _KEPT_LOCK:
            new.memo.setdefault("scores", scores)


def findings_of(
    lib: Library,
    filters: Filters | None = None,
    *,
    levels: Mapping[int, str] | None = None,
    published: Mapping[int, Any] | None = None,
    missing: Sequence[tuple[str, str | None, int]] = (),
) -> list[Finding]:
    """The findings of the reports selected by ``filters``, with the reviewers' statuses applied.

    ``levels`` (report id → 部门/人民政府/乡镇街道, from the roster) and ``published`` (report id → date a
    reviewer entered) override what the name and the document say; ``missing`` lists roster agencies
    without a report as (agency, region, year). Sorted by year (newest first), agency, severity, code.
    Without options, the result is kept for the library's current revision and filters (a page asks
    for it for its list, its table and its ranking in one run); callers must not modify it.
    """
    plain = levels is None and published is None and not missing
    memo_key = (lib.revision(), filters or Filters())
    memo = getattr(lib, "_findings_memo", None)
    if plain and memo is not None and memo[0] == memo_key:
        return memo[1]
    out = _findings_of(lib, filters, levels, published, missing)
    if plain:
        lib._findings_memo = (memo_key, out)  # type: ignore[attr-defined]
    return out


@dataclass
class _Adjust:
    """What findings_of changes in the kept findings of the filtered reports: the reports in order,
    their timeliness, LATE findings, reviewers' statuses, and which reports the reader may see."""

    df: pd.DataFrame
    order: list[int]
    states: Mapping[int, tuple[str, str, date | None]]  # of the reports in order (maybe more)
    extra: dict[int, list[Finding]]
    marks: dict[int | None, dict[str, Any]]
    seen: set[int] | None
    touched: set[int]  # reports whose findings findings_of changes (statuses, LATE, scope)
    own_states: bool = False  # states[r] is the data's timely[r] for every report of df

    def findings(self, data: LibraryFindingData, r: int) -> Sequence[Finding]:
        """Report ``r``'s findings as findings_of gives them."""
        found = data.by_report[r]
        if r not in self.touched:
            return found
        more, marked, seen = self.extra.get(r), self.marks.get(r), self.seen
        changed = [*found, *more] if more else list(found)
        if more:
            changed.sort(key=_within)
        if seen is not None:
            changed = [_outside_named(f, seen) for f in changed]
        if marked:
            changed = [_marked(f, marked.get(f.key)) for f in changed]
        return changed

    def counted(self) -> set[int]:
        """The reports whose counts (findings, errors, counting ones) differ from the kept ones."""
        return {r for r in self.marks if r is not None} | set(self.extra)


def _timeliness(
    data: LibraryFindingData,
    df: pd.DataFrame,
    published: Mapping[int, Any] | None,
    levels: Mapping[int, str] | None,
) -> tuple[Mapping[int, tuple[str, str, date | None]], list[int]]:
    """timeliness_of ``df`` with the reports' dates, ``published`` and ``levels`` (the kept states,
    computed again only for the reports a reviewer's date or the roster's level concerns; it may hold
    more reports than ``df``, and must not be modified), and the late reports of ``df``."""
    full = len(df) == len(data.dataset)
    over = set(levels or ()) | set(published or ())
    if full and not over:
        return data.timely, sorted(data.late)
    ids = df["report_id"].tolist()
    states = dict(data.timely) if full else {r: data.timely[r] for r in ids}
    over &= set(states)
    if over:
        dates = {**data.published, **(published or {})}
        states.update(timeliness_of(df[df["report_id"].isin(list(over))], dates, levels))
    late = data.late if full else data.late & set(ids)
    late = (late - over) | {r for r in over if _is_late(states[r])}
    return states, sorted(late)


def _is_late(state: tuple[str, str, date | None]) -> bool:
    return state[0] == LATE and state[2] is not None


def _adjust(
    lib: Library,
    data: LibraryFindingData,
    filters: Filters | None,
    levels: Mapping[int, str] | None,
    published: Mapping[int, Any] | None,
) -> _Adjust:
    """The :class:`_Adjust` of ``data`` for these arguments (kept per library revision and filters
    without roster options: a page asks for findings, counts and scores in one run)."""
    plain = levels is None and published is None
    key = (lib.revision(), id(data), filters or Filters())
    hit = lib.__dict__.get("_findings_adjust_memo") if plain else None
    if hit is not None and hit[0] == key and hit[1][0] is data:
        return hit[1][1]
    out = _adjusted(lib, data, filters, levels, published)
    if plain:
        lib.__dict__["_findings_adjust_memo"] = (key, (data, out))
    return out


def _adjusted(
    lib: Library,
    data: LibraryFindingData,
    filters: Filters | None,
    levels: Mapping[int, str] | None,
    published: Mapping[int, Any] | None,
) -> _Adjust:
    df = (filters or Filters()).apply(data.dataset)
    if len(df) == len(data.dataset):
        order = data.order
    else:
        wanted = set(df["report_id"].tolist())
        order = [r for r in data.order if r in wanted]
    states, late = _timeliness(data, df, published, levels)
    extra: dict[int, list[Finding]] = defaultdict(list)
    if late:
        rows = df[df["report_id"].isin(late)]
        regions = dict(zip(rows["report_id"].tolist(), rows["region"].tolist(), strict=True))
        for f in late_findings(rows, states):
            extra[f.report_id].append(replace(f, region=_region(regions[f.report_id])))  # type: ignore[index]
    # What the website re-check noticed (library/collect): a page changed after publication, a URL gone.
    from library.collect.store import open_findings

    online = open_findings(lib, df["report_id"].tolist())
    if online:
        regions = dict(zip(df["report_id"].tolist(), df["region"].tolist(), strict=True))
        for f in online:
            extra[f.report_id].append(replace(f, region=_region(regions[f.report_id])))  # type: ignore[index]
    seen: set[int] | None = None
    if filters is not None and not filters.unrestricted:
        seen = set(Filters(scope=filters.scope).apply(data.dataset)["report_id"].tolist())
    marks: dict[int | None, dict[str, Any]] = defaultdict(dict)
    for (rid, key), mark in lib.statuses().items():
        marks[rid][key] = mark
    touched = {r for r in marks if r is not None} | set(extra) | (data.copying if seen is not None else set())
    over = set(levels or ()) | set(published or ())  # reports whose state _timeliness computed again
    own = not over or over.isdisjoint(df["report_id"].tolist())
    return _Adjust(df, order, states, dict(extra), dict(marks), seen, touched, own)


def _findings_of(
    lib: Library,
    filters: Filters | None,
    levels: Mapping[int, str] | None,
    published: Mapping[int, Any] | None,
    missing: Sequence[tuple[str, str | None, int]],
) -> list[Finding]:
    data = lib.cached_findings(_compute)
    adjust = _adjust(lib, data, filters, levels, published)
    by_report, touched = data.by_report, adjust.touched
    out: list[Finding] = []
    if not missing and adjust.order is data.order:  # every report: the kept list, where touched anew
        flat = _flat(data)
        if not touched:
            return list(flat.found)
        key = data.report_keys.__getitem__
        places = sorted(
            (bisect.bisect_left(data.order, key(r), key=key), r) for r in touched if r in by_report
        )
        starts, kept = flat.starts.tolist(), flat.found
        done = 0
        for i, r in places:
            out += kept[starts[done] : starts[i]]
            out += adjust.findings(data, r)
            done = i + 1
        out += kept[starts[done] :]
        return out
    if not missing:
        if not touched:
            return list(chain.from_iterable(map(by_report.__getitem__, adjust.order)))
        for r in adjust.order:
            out.extend(adjust.findings(data, r) if r in touched else by_report[r])
        return out
    starts = []  # where each report's findings begin in out
    for r in adjust.order:
        starts.append(len(out))
        out.extend(adjust.findings(data, r))
    starts.append(len(out))
    keys = [data.report_keys[r][:2] for r in adjust.order]
    return _with_missing(out, starts, keys, missing, adjust.marks.get(None) or {})


def _names_other(f: Finding) -> bool:
    return f.evidence.get("other_report_id") is not None


def _marked(f: Finding, mark: Any) -> Finding:
    if mark is None:
        return f
    return replace(f, status=mark.status, note=mark.note, who=mark.who, at=mark.at)


def _with_missing(
    out: list[Finding],
    starts: list[int],
    keys: list[tuple],
    missing: Sequence[tuple[str, str | None, int]],
    marks: Mapping[str, Any],
) -> list[Finding]:
    """``out`` (the reports' findings; report i's begin at ``starts[i]`` and it sorts as ``keys[i]``,
    its year and agency) with the missing reports' findings in their places: before the reports of
    the same year and agency (no report id sorts as 0)."""
    absent = [
        _marked(replace(f, region=f.evidence.get("region")), marks.get(f.key))
        for f in missing_findings(missing)
    ]
    absent.sort(key=lambda f: (-(f.year or 0), f.agency or "", 0, *_within(f)))
    merged: list[Finding] = []
    done = 0
    for f in absent:
        at = starts[bisect.bisect_left(keys, (-(f.year or 0), f.agency or ""))]
        merged.extend(out[done:at])
        done = max(done, at)
        merged.append(f)
    merged.extend(out[done:])
    return merged


def _outside_named(f: Finding, seen: set[int]) -> Finding:
    """``f`` without the name and id of a report the reader may not see (a copy from another region's
    report): the finding is about the reader's own report, the other one is only named "其他地区"."""
    other = f.evidence.get("other_report_id")
    if other is None or int(other) in seen:
        return f
    hidden = "其他地区单位的报告"
    name = f"{f.evidence.get('other_agency') or '未署名单位'}{_fmt(f.evidence.get('other_year'))}年报告"
    evidence = {**f.evidence, "other_report_id": None, "other_agency": hidden}
    return replace(f, message=f.message.replace(name, hidden), evidence=evidence)


def scores_of(
    lib: Library,
    filters: Filters | None = None,
    *,
    levels: Mapping[int, str] | None = None,
    published: Mapping[int, Any] | None = None,
    missing: Sequence[tuple[str, str | None, int]] = (),
    rubric: Rubric | None = None,
) -> pd.DataFrame:
    """Score and peer-group rank of every filtered report (see :func:`library.rubric.rank_table`).

    The counting findings and deductions of each report are kept with its findings; only the reports
    with a reviewer's status or a LATE finding are counted again (any report under another rubric)."""
    kept = rubric is None or rubric == default_rubric()
    rubric = rubric or default_rubric()
    data = lib.cached_findings(_compute)
    adjust = _adjust(lib, data, filters, levels, published)
    df = adjust.df
    ids = df["report_id"].to_numpy(dtype=np.int64)
    book = _kept_scores(data)
    at = np.searchsorted(book.ids, ids)  # every filtered report is one of the data's
    counted, minus = book.counted[at], book.minus[at]
    again = adjust.counted() if kept else set(ids.tolist())
    if again:
        redo = np.flatnonzero(np.isin(ids, np.fromiter(again, dtype=np.int64, count=len(again))))
        for p in redo.tolist():
            r = int(ids[p])
            found = adjust.findings(data, r)
            counted[p] = sum(f.counts for f in found)
            minus[p] = deductions(found, rubric).get(r, 0.0)
    timeliness: Sequence[str] | np.ndarray
    level: Sequence[str] | np.ndarray
    if adjust.own_states:  # the reports' own dates and levels: kept per data revision
        timeliness, level = book.states[at], book.levels[at]
    else:
        states = [adjust.states[r] for r in ids.tolist()]
        timeliness, level = [s[0] for s in states], [s[1] for s in states]
    table = score_table_of(df, counted, minus, rubric, timeliness, level)
    return rank_table(table, df, rubric)


@dataclass(frozen=True)
class _KeptScores:
    """The kept scores of every report of a data revision as arrays sorted by report id: counting
    findings and points deducted (all open, default rubric), timeliness state and level (the reports'
    own dates and levels). :func:`scores_of` looks the filtered reports up by bisection."""

    ids: np.ndarray
    counted: np.ndarray
    minus: np.ndarray
    states: np.ndarray  # texts (objects)
    levels: np.ndarray


def _kept_scores(data: LibraryFindingData) -> _KeptScores:
    """The :class:`_KeptScores` of ``data`` (built once per data revision)."""
    with _KEPT_LOCK:
        hit = data.memo.get("scores")
    if hit is not None:
        return hit
    ids = np.fromiter(data.scored.keys(), dtype=np.int64, count=len(data.scored))
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    scored = list(data.scored.values())
    counted = np.fromiter((s[0] for s in scored), dtype=np.int64, count=len(scored))[order]
    minus = np.fromiter((s[1] for s in scored), dtype=float, count=len(scored))[order]
    timely = [data.timely[r] for r in ids.tolist()]
    out = _KeptScores(
        ids,
        counted,
        minus,
        _objects([s[0] for s in timely]),
        _objects([s[1] for s in timely]),
    )
    with _KEPT_LOCK:
        data.memo["scores"] = out
    return out


_KEPT_LOCK = threading.Lock()


def _kept_scores_carried(kept: _KeptScores, new: LibraryFindingData, redone: Collection[int]) -> _KeptScores:
    """``kept`` (of an earlier data revision) brought up to ``new``: the reports of ``redone`` and the
    new ones read again, the others looked up."""
    ids = np.fromiter(new.scored.keys(), dtype=np.int64, count=len(new.scored))
    ids.sort()
    at = np.minimum(np.searchsorted(kept.ids, ids), len(kept.ids) - 1)
    again = kept.ids[at] != ids
    if redone:
        again |= np.isin(ids, np.fromiter(redone, dtype=np.int64, count=len(redone)))
    counted, minus = kept.counted[at], kept.minus[at]
    states, levels = kept.states[at], kept.levels[at]
    for p in np.flatnonzero(again).tolist():
        r = int(ids[p])
        counted[p], minus[p], _ = new.scored[r]
        states[p], levels[p] = new.timely[r][:2]
    return _KeptScores(ids, counted, minus, states, levels)


@dataclass(frozen=True)
class _Flat:
    """Every finding of a data revision in the findings' order (no status applied), and where each
    report's begin: report ``order[i]``'s are ``found[starts[i]:starts[i + 1]]``."""

    found: list[Finding]
    starts: np.ndarray


def _flat(data: LibraryFindingData) -> _Flat:
    """The :class:`_Flat` of ``data`` (built once per data revision, or carried from the last one)."""
    with _KEPT_LOCK:
        hit = data.memo.get("flat")
    if hit is not None:
        return hit
    by_report = data.by_report
    lengths = np.fromiter((len(by_report[r]) for r in data.order), dtype=np.int64, count=len(data.order))
    starts = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    out = _Flat(list(chain.from_iterable(map(by_report.__getitem__, data.order))), starts)
    with _KEPT_LOCK:
        return data.memo.setdefault("flat", out)


def _spliced(
    flat: _Flat, old_at: Mapping[int, int], new: LibraryFindingData, new_at: Mapping[int, int]
) -> _Flat | None:
    """``flat`` (of the old order) without the reports at ``old_at`` and with ``new``'s findings of the
    reports at ``new_at`` in their places: the runs of reports kept between them are copied as slices.
    None when the result does not add up (then it is built afresh)."""
    old_n, new_n = len(flat.starts) - 1, len(new.order)
    kept_old = np.delete(np.arange(old_n), np.fromiter(old_at.values(), dtype=np.int64, count=len(old_at)))
    kept_new = np.delete(np.arange(new_n), np.fromiter(new_at.values(), dtype=np.int64, count=len(new_at)))
    if len(kept_old) != len(kept_new):
        return None
    lengths = np.empty(new_n, dtype=np.int64)
    lengths[kept_new] = np.diff(flat.starts)[kept_old]
    for r, i in new_at.items():
        lengths[i] = len(new.by_report[r])
    starts = np.zeros(new_n + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    # (place in the new order, 0, first, end): a run of kept reports (positions in kept_old), or
    # (place, 1, report, 0): a report with new findings.
    pieces: list[tuple[int, int, int, int]] = [(i, 1, r, 0) for r, i in new_at.items()]
    if len(kept_old):
        breaks = np.flatnonzero((np.diff(kept_old) != 1) | (np.diff(kept_new) != 1)) + 1
        firsts, ends = np.r_[0, breaks], np.r_[breaks, len(kept_old)]
        pieces += [(int(kept_new[a]), 0, a, b) for a, b in zip(firsts.tolist(), ends.tolist(), strict=True)]
    pieces.sort()
    found: list[Finding] = []
    for _, kind, a, b in pieces:
        if kind:
            found += new.by_report[a]
        else:
            found += flat.found[flat.starts[kept_old[a]] : flat.starts[kept_old[b - 1] + 1]]
    if len(found) != starts[-1] or any(new.order[i] != r for r, i in new_at.items()):
        return None
    return _Flat(found, starts)


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@dataclass(frozen=True)
class FindingsSummary:
    """The counts the 审核意见 page shows above its table (of :func:`findings_of`'s list)."""

    findings: int  # every finding
    errors: int  # of severity error
    open: int  # still open
    reports: int  # distinct report ids (None for a missing report) among the counting findings


def summary_of(
    lib: Library,
    filters: Filters | None = None,
    *,
    levels: Mapping[int, str] | None = None,
    published: Mapping[int, Any] | None = None,
    missing: Sequence[tuple[str, str | None, int]] = (),
) -> FindingsSummary:
    """The counts of :func:`findings_of` with the same arguments, from the counts kept per report:
    only the reports with a status or a LATE finding, and the missing reports, are counted again."""
    data = lib.cached_findings(_compute)
    adjust = _adjust(lib, data, filters, levels, published)
    again = adjust.counted()
    not_open = 0
    if adjust.order is data.order:  # every report: the kept totals, less the reports counted again
        base = data.totals.changed([data.by_report[r] for r in again if r in data.by_report], ())
        total, errors, reports = base.findings, base.errors, base.reports
    else:
        total = errors = reports = 0
        for r in adjust.order:
            if r in again:
                continue
            counted, _, bad = data.scored[r]
            total += counted  # kept findings are all open: each one counts
            errors += bad
            reports += counted > 0
    shown = set(adjust.order) if again else set()
    mark = adjust.marks.get(None) or {}
    lists = [adjust.findings(data, r) for r in again if r in shown]
    lists.append([_marked(f, mark.get(f.key)) for f in missing_findings(missing)])
    for found in lists:  # one list per report, then the missing reports' (report id None)
        total += len(found)
        errors += sum(f.severity == "error" for f in found)
        not_open += sum(f.status != "open" for f in found)
        reports += any(f.counts for f in found)
    return FindingsSummary(total, errors, total - not_open, reports)


def notice_counts_of(
    lib: Library,
    filters: Filters | None = None,
    *,
    levels: Mapping[int, str] | None = None,
    published: Mapping[int, Any] | None = None,
    missing: Sequence[tuple[str, str | None, int]] = (),
) -> dict[int, int]:
    """Year → how many (agency, region) have counting findings among :func:`findings_of`'s (one
    整改通知单 each, :func:`library.documents.notice.notice_keys`), from the counts kept per report."""
    data = lib.cached_findings(_compute)
    adjust = _adjust(lib, data, filters, levels, published)
    again, notice = adjust.counted(), data.notice
    shown = set(adjust.order) if again else set()
    redo = [r for r in again if r in shown]
    if adjust.order is data.order:  # every report: the kept counts, less the reports counted again
        base = data.totals.changed([data.by_report[r] for r in redo], ())
        by_year = {y: n for y, n in base.notice_years.items() if n > 0}
        extra: set[tuple[str, str | None, int]] = set()
        for r in redo:
            found = adjust.findings(data, r)
            key = _notice_key(found)
            if key and any(f.counts for f in found):
                extra.add(key)
        mark = adjust.marks.get(None) or {}
        for f in missing_findings(missing):
            f = _marked(replace(f, region=f.evidence.get("region")), mark.get(f.key))
            if f.counts and f.agency and f.year is not None:
                extra.add((f.agency, f.region, f.year))
        for key in extra:
            if base.notice.get(key, 0) <= 0:
                by_year[key[2]] = by_year.get(key[2], 0) + 1
        return by_year
    keys = {notice[r] for r in adjust.order if r in notice and r not in again}
    for r in redo:
        found = adjust.findings(data, r)
        key = _notice_key(found)
        if key and any(f.counts for f in found):
            keys.add(key)
    mark = adjust.marks.get(None) or {}
    for f in missing_findings(missing):
        f = _marked(replace(f, region=f.evidence.get("region")), mark.get(f.key))
        if f.counts and f.agency and f.year is not None:
            keys.add((f.agency, f.region, f.year))
    counts: dict[int, int] = {}
    for _, _, year in keys:
        counts[year] = counts.get(year, 0) + 1
    return counts


def notice_counts_with_roster(lib: Library, filters: Filters | None = None) -> dict[int, int]:
    """:func:`notice_counts_of` with what the roster knows (of :func:`findings_with_roster`)."""
    return notice_counts_of(lib, filters, **_roster_options(lib, filters))


def codes_of(
    lib: Library,
    filters: Filters | None = None,
    *,
    levels: Mapping[int, str] | None = None,
    published: Mapping[int, Any] | None = None,
    missing: Sequence[tuple[str, str | None, int]] = (),
) -> list[str]:
    """The codes of :func:`findings_of`'s findings, sorted (kept per report: no walk over them)."""
    data = lib.cached_findings(_compute)
    adjust = _adjust(lib, data, filters, levels, published)
    if adjust.order is data.order:
        codes = {c for c, n in data.totals.codes.items() if n > 0}
    else:
        codes = {f.code for r in adjust.order for f in data.by_report[r]}
    codes |= {f.code for found in adjust.extra.values() for f in found}
    if missing:
        codes.add(FINDING_MISSING)
    return sorted(codes)


def codes_with_roster(lib: Library, filters: Filters | None = None) -> list[str]:
    """:func:`codes_of` with what the roster knows (of :func:`findings_with_roster`)."""
    return codes_of(lib, filters, **_roster_options(lib, filters))


def summary_with_roster(lib: Library, filters: Filters | None = None) -> FindingsSummary:
    """:func:`summary_of` with what the roster knows (the counts of :func:`findings_with_roster`)."""
    return summary_of(lib, filters, **_roster_options(lib, filters))


def _roster_options(lib: Library, filters: Filters | None) -> dict[str, Any]:
    """:func:`_roster_read` kept per library revision and filters (a page asks for findings, counts
    and scores in one run; callers must not modify it)."""
    key = (lib.revision(), filters or Filters())
    hit = lib.__dict__.get("_findings_roster_memo")
    if hit is not None and hit[0] == key:
        return hit[1]
    out = _roster_read(lib, filters)
    lib.__dict__["_findings_roster_memo"] = (key, out)
    return out


def _roster_read(lib: Library, filters: Filters | None) -> dict[str, Any]:
    """The roster's levels, the reviewers' publication dates and the missing agencies, for the years
    the filters select — or, when none is chosen, the latest year of the library only: the roster is
    today's list of agencies, and a year before the office used it would list every agency as missing."""
    from library.roster import roster_context  # the roster module reads the library's tables

    filters = filters or Filters()
    years = [int(y) for y in filters.years if str(y).isdigit()]
    if not years:  # the findings' own cached dataset (findings_of reads it next): no copy of the library
        known = filters.apply(lib.cached_findings(_compute).dataset)["year"].dropna()
        years = [int(known.max())] if len(known) else []
    context = roster_context(lib, filters, years)
    if context.empty:
        return {}
    return {"levels": context.levels, "published": context.published, "missing": context.missing}


def findings_with_roster(lib: Library, filters: Filters | None = None) -> list[Finding]:
    """:func:`findings_of` with what the roster knows: each linked report's level, the dates reviewers
    entered, and the roster agencies whose report is missing. What the pages, the notices and the
    command line use."""
    return findings_of(lib, filters, **_roster_options(lib, filters))


def scores_with_roster(lib: Library, filters: Filters | None = None) -> pd.DataFrame:
    """:func:`scores_of` with the roster's levels (peer groups, deadlines) and reviewers' dates."""
    options = dict(_roster_options(lib, filters))
    options.pop("missing", None)  # a missing report has no score of its own
    return scores_of(lib, filters, **options)


def online_findings_with_roster(lib: Library, filters: Filters | None = None) -> list[Finding]:
    """The findings of the website re-check (library.collect: a published page changed, a URL gone)
    among :func:`findings_with_roster`'s, in its order and with its statuses and regions, read without
    computing the other findings (what 网站采集 lists on every open)."""
    from library.collect.store import open_findings

    filters = filters or Filters()
    df = filters.apply(lib.dataset())
    online = open_findings(lib, df["report_id"].tolist())
    if not online:
        return []
    mine = df[df["report_id"].isin({f.report_id for f in online})]
    rows = {
        int(r): (_region(g), _report_key(int(r), a, y))
        for r, g, a, y in zip(mine["report_id"], mine["region"], mine["agency"], mine["year"], strict=True)
    }
    seen: set[int] | None = None
    if not filters.unrestricted:
        seen = set(Filters(scope=filters.scope).apply(lib.dataset())["report_id"].tolist())
    marks = lib.statuses()
    out = []
    # findings_of's order: by report, then severity, code and key (a stable sort: ties keep their order)
    for f in sorted(online, key=lambda f: (rows[f.report_id][1], *_within(f))):  # type: ignore[index]
        f = replace(f, region=rows[f.report_id][0])  # type: ignore[index]
        if seen is not None:
            f = _outside_named(f, seen)
        out.append(_marked(f, marks.get((f.report_id, f.key))))
    return out

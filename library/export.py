"""Excel and CSV exports of the standardised dataset and of chart tables (bytes, for download buttons)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from library.dataset import FLAG_COLUMNS, chinese_headers, key_documentation
from parsing.vocabulary import TEMPLATE_NAMES

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)


def _integral_to_int(df: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding only whole numbers become nullable integers, so 12 is not written 12.0."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s) and s.notna().any():
            vals = s.dropna()
            if (vals == vals.round()).all() and vals.abs().max() < 2**53:
                out[col] = s.astype("Int64")
    return out


_YEAR_COLUMN = re.compile(r"^(\d{4})年(?:\s+(.*))?$")
_UNKNOWN_YEAR = "年度未填"
FLAG_TEXT = "是"


def readable_values(df: pd.DataFrame) -> pd.DataFrame:
    """Codes a reader should not see, replaced by Chinese: template codes ("unknown" → 未识别格式),
    flag columns (1.0 → 是). Missing values stay missing (an empty cell), never "None" or "nan"."""
    out = df.copy()
    if "template" in out.columns:
        codes = out["template"]
        out["template"] = codes.map(TEMPLATE_NAMES).where(
            codes.isna() | codes.isin(list(TEMPLATE_NAMES)), codes
        )
    for col in FLAG_COLUMNS:
        if col in out.columns:
            out[col] = pd.Series(
                np.where(out[col] == 1, FLAG_TEXT, np.array(None, dtype=object)),
                index=out.index,
                dtype=object,
            )
    return out


def _year_of(text: object) -> float:
    """2021 for "2021年", 2021 or "2021"; +inf for 年度未填 and anything else (sorted last)."""
    if isinstance(text, int | float | np.integer | np.floating) and not pd.isna(text):
        return float(text)
    m = _YEAR_COLUMN.match(str(text)) or re.match(r"^(\d{4})$", str(text))
    return float(m.group(1)) if m else float("inf")


def order_years(table: pd.DataFrame) -> pd.DataFrame:
    """Years ascending as numbers: year columns ("2020年", or "2020年 现行有效件数" kept with their
    measure) and, when the table has a 年度 column, its rows. Other columns keep their place."""
    cols = list(table.columns)
    year_cols = [i for i, c in enumerate(cols) if _YEAR_COLUMN.match(str(c)) or str(c) == _UNKNOWN_YEAR]
    if len(year_cols) > 1:
        measures: dict[str, int] = {}
        for i in year_cols:
            m = _YEAR_COLUMN.match(str(cols[i]))
            measures.setdefault((m.group(2) or "") if m else "", len(measures))

        def key(c: object) -> tuple[int, float]:
            m = _YEAR_COLUMN.match(str(c))
            return measures[(m.group(2) or "") if m else ""], _year_of(c)

        ordered = sorted((cols[i] for i in year_cols), key=key)
        for slot, col in zip(year_cols, ordered, strict=True):
            cols[slot] = col
        table = table[cols]
    if "年度" in table.columns and len(table) > 1:
        years = table["年度"].map(_year_of)
        table = table.iloc[np.argsort(years.to_numpy(), kind="stable")].reset_index(drop=True)
    return table


def _with_headers(df: pd.DataFrame, headers: Mapping[str, str] | None) -> pd.DataFrame:
    names = dict(chinese_headers())
    names.update(headers or {})
    return df.rename(columns={c: names.get(c, c) for c in df.columns})


def export_csv(
    df: pd.DataFrame, *, headers: str = "both", extra_headers: Mapping[str, str] | None = None
) -> bytes:
    """The frame as CSV in UTF-8 with BOM (Excel opens it with the Chinese intact).

    ``headers``: ``"both"`` (default) writes a Chinese header row, then a row of the stable column
    keys; ``"zh"`` only the Chinese row; ``"key"`` only the keys. Blank cells stay empty and whole
    numbers are written without ".0".
    """
    df = readable_values(df)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if headers in ("zh", "both"):
        names = dict(chinese_headers())
        names.update(extra_headers or {})
        writer.writerow([names.get(c, c) for c in df.columns])
    if headers in ("key", "both"):
        writer.writerow(list(df.columns))
    # %.15g prints 3119.0 as 3119 and 96171.6 as 96171.6, and is exact for every count we store.
    df.to_csv(buf, index=False, header=False, float_format="%.15g", lineterminator="\n")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", name)[:31] or "Sheet"
    candidate, i = base, 2
    while candidate in used:
        suffix = f"_{i}"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(candidate)
    return candidate


def _cell_values(df: pd.DataFrame) -> list[list]:
    """Rows of plain Python values; NaN/NA become None (an empty cell: blank is not zero)."""
    out = []
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)  # Excel has no time zones
        values = s.astype(object).where(s.notna(), None).tolist()
        out.append(values)
    return [list(row) for row in zip(*out, strict=True)] if out else []


def _add_sheet(wb: Workbook, df: pd.DataFrame, name: str) -> None:
    """A write-only sheet (about 7x faster than pandas' openpyxl writer) with a bold, frozen header."""
    ws = wb.create_sheet(name)
    ws.freeze_panes = "A2"
    for i, col in enumerate(df.columns, 1):
        sample = [str(col)] + [str(v) for v in df[col].head(50).tolist()]
        width = min(max(len(x) for x in sample) * 1.6 + 2, 60)
        ws.column_dimensions[get_column_letter(i)].width = width
    header = []
    for col in df.columns:
        cell = WriteOnlyCell(ws, value=str(col))
        cell.font = _BOLD
        header.append(cell)
    ws.append(header)
    for row in _cell_values(df):
        ws.append(row)


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_excel(df: pd.DataFrame, *, extra_headers: Mapping[str, str] | None = None) -> bytes:
    """The dataset as .xlsx: sheet 标准化数据 with Chinese headers, sheet 字段说明 documenting each key."""
    data = _with_headers(_integral_to_int(readable_values(df)), extra_headers)
    keys = key_documentation()
    keys = keys[keys["字段键"].isin(df.columns)]
    extra = [c for c in df.columns if c not in set(keys["字段键"])]
    if extra:
        names = dict(extra_headers or {})
        extra_rows = pd.DataFrame([(c, names.get(c, c), "", "", "", "") for c in extra], columns=keys.columns)
        keys = pd.concat([keys, extra_rows], ignore_index=True)
    wb = Workbook(write_only=True)
    _add_sheet(wb, data, "标准化数据")
    _add_sheet(wb, keys, "字段说明")
    return _save(wb)


def export_tables_excel(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """Several tables as one .xlsx, one sheet per entry (sheet names are cut to Excel's 31 characters).

    For the 简报包: the numbers behind each chart. Column names are written as given; years are put
    in ascending order (:func:`order_years`); blank cells stay blank.
    """
    wb = Workbook(write_only=True)
    used: set[str] = set()
    if not tables:
        _add_sheet(wb, pd.DataFrame({"说明": ["当前筛选条件下没有数据"]}), "说明")
    for name, table in tables.items():
        _add_sheet(wb, _integral_to_int(order_years(table)), _sheet_name(name, used))
    return _save(wb)

"""Excel and CSV exports of the standardised dataset and of chart tables (bytes, for download buttons)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from library.dataset import chinese_headers, key_documentation

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


def _with_headers(df: pd.DataFrame, headers: Mapping[str, str] | None) -> pd.DataFrame:
    names = dict(chinese_headers())
    names.update(headers or {})
    return df.rename(columns={c: names.get(c, c) for c in df.columns})


def export_csv(df: pd.DataFrame, *, headers: str = "both", extra_headers: Mapping[str, str] | None = None) -> bytes:
    """The frame as CSV in UTF-8 with BOM (Excel opens it with the Chinese intact).

    ``headers``: ``"both"`` (default) writes a Chinese header row, then a row of the stable column
    keys; ``"zh"`` only the Chinese row; ``"key"`` only the keys. Blank cells stay empty and whole
    numbers are written without ".0".
    """
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
    data = _with_headers(_integral_to_int(df), extra_headers)
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

    For the 简报包: the numbers behind each chart. Column names are written as given.
    """
    wb = Workbook(write_only=True)
    used: set[str] = set()
    if not tables:
        _add_sheet(wb, pd.DataFrame({"说明": ["当前筛选条件下没有数据"]}), "说明")
    for name, table in tables.items():
        _add_sheet(wb, _integral_to_int(table), _sheet_name(name, used))
    return _save(wb)

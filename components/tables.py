"""Tables as the pages show them: text cells formatted once per library revision and filters (pure, no UI).

Why here and not in the page: formatting 5,000 rows cell by cell took longer than everything else on the
总览 page, and it was redone on every rerun. Built once and cached (components.state ``computed``), and
with text columns of the Arrow-backed ``str`` dtype, which Streamlit sends without converting each cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from library import aggregate as agg

DASH = "—"  # a blank cell means "the report does not state it", never 0
TEMPLATE_SHORT = {"2019": "2019版", "2021": "2021版", "mixed": "混合", "unknown": "未识别"}
APPROX_SUFFIX = "余"  # a lower bound stated as "5500余条" is shown "5,500余"
# Columns folded into another one on screen: (flag column, the column it qualifies).
_FLAGS = {"proactive_items_approx": "proactive_items"}


def _format_numbers(values: pd.Series) -> pd.Series:
    """``1,234`` for whole numbers, ``1,234.50`` otherwise, — when blank; each distinct value formatted once."""
    array = values.to_numpy(dtype=float, na_value=np.nan)
    blank = np.isnan(array)
    if blank.all():
        return pd.Series(DASH, index=values.index, dtype="str")
    uniques, inverse = np.unique(array[~blank], return_inverse=True)
    text = np.array([f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}" for v in uniques], dtype=object)
    out = np.full(len(array), DASH, dtype=object)
    out[~blank] = text[inverse]
    return pd.Series(out, index=values.index, dtype="str")


def _format_shares(values: pd.Series) -> pd.Series:
    """``37%``; an empty string when the share is unknown (no concluded applications)."""
    array = values.to_numpy(dtype=float, na_value=np.nan)
    blank = np.isnan(array)
    uniques, inverse = np.unique(array[~blank], return_inverse=True)
    text = np.array([f"{v:.0%}" for v in uniques], dtype=object)
    out = np.full(len(array), "", dtype=object)
    out[~blank] = text[inverse]
    return pd.Series(out, index=values.index, dtype="str")


def agency_table_view(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`library.aggregate.agency_table` with Chinese headers and display text (— for blank cells).

    报告编号 stays an integer (the page formats it); every other column is text. A lower bound
    ("5500余条") reads "5,500余".
    """
    table = agg.agency_table(df)
    shown = pd.DataFrame(index=table.index)
    for key, header in agg.AGENCY_TABLE_HEADERS.items():
        column = table[key]
        if key in _FLAGS:
            continue  # shown as the suffix 余 of the figure it qualifies
        if key == "report_id":
            shown[header] = column
        elif key == "template":
            short = column.map(TEMPLATE_SHORT).astype(object)
            shown[header] = short.where(short.notna(), DASH).astype("str")
        elif key == "answered_share":
            shown[header] = _format_shares(column)
        elif key == "year":
            years = column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            text = np.where(np.isnan(years), DASH, np.nan_to_num(years).astype("int64").astype(str))
            shown[header] = pd.Series(text, index=table.index, dtype="str")
        elif pd.api.types.is_numeric_dtype(column):
            shown[header] = _format_numbers(column)
            flag = next((f for f, target in _FLAGS.items() if target == key), None)
            if flag is not None and table[flag].any():
                approx = table[flag].to_numpy(dtype=bool)
                shown[header] = shown[header].where(~approx, shown[header] + APPROX_SUFFIX)
        else:
            shown[header] = column.astype(object).where(column.notna(), DASH).astype("str")
    return shown

"""Tables as the pages show them: text cells formatted once per library revision and filters (pure, no UI).

Why here and not in the page: formatting 5,000 rows cell by cell took longer than everything else on the
总览 page, and it was redone on every rerun. Built once and cached (components.state ``from_dataset``), and
with text columns of the Arrow-backed ``str`` dtype, which Streamlit sends without converting each cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from library import aggregate as agg
from parsing.checks import check_place, explain
from parsing.vocabulary import KPIS, TEMPLATE_NAMES, TEMPLATE_SHORT_NAMES, flag_name, unread_table_text

DASH = "—"  # a blank cell means "the report does not state it", never 0
APPROX_SUFFIX = "余"  # a lower bound stated as "5500余条" is shown "5,500余"
# Columns folded into another one on screen: (flag column, the column it qualifies).
_FLAGS = {"proactive_items_approx": "proactive_items"}


def _format_numbers(values: pd.Series) -> pd.Series:
    """``1,234`` for whole numbers, ``1,234.50`` otherwise, — when blank; each distinct value formatted
    once."""
    array = values.to_numpy(dtype=float, na_value=np.nan)
    blank = np.isnan(array)
    if blank.all():
        return pd.Series(DASH, index=values.index, dtype="str")
    inverse, uniques = pd.factorize(array[~blank])  # each distinct value formatted once
    text = np.array([f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}" for v in uniques], dtype=object)
    out = np.full(len(array), DASH, dtype=object)
    out[~blank] = text[inverse]
    return pd.Series(out, index=values.index, dtype="str")


def _format_shares(values: pd.Series) -> pd.Series:
    """``37%``; an empty string when the share is unknown (no concluded applications)."""
    array = values.to_numpy(dtype=float, na_value=np.nan)
    blank = np.isnan(array)
    inverse, uniques = pd.factorize(array[~blank])
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
    # Columns gathered, then one frame: inserting 20 columns one by one cost more than formatting them
    # on an agency's handful of rows (单位档案).
    shown: dict[str, pd.Series] = {}
    for key, header in agg.AGENCY_TABLE_HEADERS.items():
        column = table[key]
        if key in _FLAGS:
            continue  # shown as the suffix 余 of the figure it qualifies
        if key == "report_id":
            shown[header] = column
        elif key == "template":
            short = column.map(TEMPLATE_SHORT_NAMES).astype(object)
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
    return pd.DataFrame(shown, index=table.index)


AGENCY_TABLE_ROWS = 2000  # rows of 各单位年报一览 on screen; the 简报包's 单位一览 sheet has them all


def agency_table_rows(df: pd.DataFrame, limit: int = AGENCY_TABLE_ROWS) -> tuple[pd.DataFrame, int]:
    """The first ``limit`` rows of :func:`agency_table_view` (its order) and how many rows it has.

    Only the rows shown are formatted: the order comes from sorting codes, then the text of ``limit``
    rows is made. All 50,000 rows of a province cost the server a quarter of a second per change and the
    browser 10 MB to decode, for a table nobody scrolls through (the filters narrow it; Excel has it all).
    """
    order = agg.agency_table_order(df)
    return agency_table_view(df.take(order[:limit])), len(df)


# --------------------------------------------------------------------------- 总览 cards

# The cards on 总览, in screen order: (label, kpi key, unit), names and units from the vocabulary.
CARD_KEYS = (
    "reports",
    "agencies",
    "proactive_items",
    "licensing_decisions",
    "applications_received",
    "answered_share",
    "review_litigation_cases",
    "reports_failing_checks",
)
CARDS: tuple[tuple[str, str, str], ...] = tuple((KPIS[key][0], key, KPIS[key][1]) for key in CARD_KEYS)


def card_value(k: dict, key: str, unit: str) -> str:
    """The card text: "1,234 件", "5,500余 条" for a lower bound, "37.5%", or — when unknown."""
    value = k[key]
    if value is None:
        return DASH
    if unit == "%":
        return f"{value:.1%}"
    approx = APPROX_SUFFIX if key == "proactive_items" and k.get("proactive_items_approx") else ""
    return f"{value:,.0f}{approx} {unit}"


def card_delta(k: dict, key: str, unit: str) -> str | None:
    """The change on the previous year ("+12 件（较2023年）"); None with one year or an unknown side."""
    delta = k.get("deltas", {}).get(key)
    if delta is None:
        return None
    # "百分点" rather than "个百分点": the card is narrow and a cut-off delta hides the year.
    text = f"{delta * 100:+.1f} 百分点" if unit == "%" else f"{delta:+,.0f} {unit}"
    return f"{text}（较{k['previous_year']}年）"


def cards_text(k: dict) -> list[str]:
    """One line per 总览 card, as on screen ("收到申请：3,214 件，+74 件（较2023年）")."""
    lines = []
    for label, key, unit in CARDS:
        delta = card_delta(k, key, unit)
        lines.append(f"{label}：{card_value(k, key, unit)}" + (f"，{delta}" if delta else ""))
    return lines


def _share_percent(value: object) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value) * 100, 1)


def cards_sheet(df: pd.DataFrame) -> pd.DataFrame:
    """Every headline figure of 总览 (:func:`library.aggregate.kpi_table`) with Chinese headers, for
    Excel: the year shown, its value, the year before and its value, the change, the note. Unknown
    figures stay blank; the share is in percent."""
    table = agg.kpi_table(df)
    share = table["key"] == "answered_share"
    for col in ("value", "previous_value", "compared_value", "change"):
        table[col] = table[col].astype(object)
        table.loc[share, col] = table.loc[share, col].map(_share_percent)
    table.loc[share, "label"] = table.loc[share, "label"] + "（%）"
    return table.drop(columns="key").rename(
        columns={
            "label": "指标",
            "year": "年度",
            "value": "数值",
            "previous_year": "上一年度",
            "previous_value": "上一年度数值（比较的单位）",
            "compared_value": "本年度数值（比较的单位）",
            "change": "变化",
            "note": "口径说明",
        }
    )


def agency_sheet(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`library.aggregate.agency_table` for Excel: numbers stay numbers (blank when the report
    does not state them), codes become Chinese (格式版本, 主动公开为约数 是/空白), share in percent."""
    table = agg.agency_table(df)
    table["template"] = table["template"].map(TEMPLATE_NAMES).where(table["template"].notna(), None)
    table["answered_share"] = (table["answered_share"] * 100).round(1)
    table["proactive_items_approx"] = np.where(table["proactive_items_approx"], "是", None)
    headers = {**agg.AGENCY_TABLE_HEADERS, "answered_share": "公开占比（%）"}
    return table.rename(columns=headers)[list(headers.values())]


# --------------------------------------------------------------------------- 数据质量


def explained_checks(checks: pd.DataFrame) -> pd.Series:
    """The Chinese explanation of each check row (stored checks carry only the English ``detail``)."""
    blanks = (
        checks["blank_as_zero"]
        if "blank_as_zero" in checks
        else pd.Series([None] * len(checks), index=checks.index)
    )
    return pd.Series(
        [
            explain(rule, where, status, detail or "", list(blank) if isinstance(blank, list | tuple) else ())
            for rule, where, status, detail, blank in zip(
                checks["rule"], checks["where"], checks["status"], checks["detail"], blanks, strict=True
            )
        ],
        index=checks.index,
        dtype=object,
    )


def check_places(checks: pd.DataFrame) -> list[str]:
    """Where each check row applies, in Chinese."""
    return [check_place(rule, where) for rule, where in zip(checks["rule"], checks["where"], strict=True)]


def value_text(value: object) -> str:
    """A stored value as a reviewer reads it ("空白" for a blank, no float noise)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "空白"
    if isinstance(value, float):  # 3985758.0 must not read "3.98576e+06"
        return str(int(value)) if value.is_integer() else f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def attention_table(unread: pd.DataFrame, flagged: pd.DataFrame) -> pd.DataFrame:
    """One row per reason a report needs attention: each table shown but not read, and per flag the
    number of values obtained by rule or not readable as written (Chinese columns, for the page)."""
    cols = ["报告编号", "单位", "年度", "问题", "说明"]
    rows = [
        (rid, agency, year, "表格未读取", unread_table_text({"table": table, "reason": reason}))
        for rid, agency, year, table, reason in zip(
            unread["report_id"],
            unread["agency"],
            unread["year"],
            unread["table"],
            unread["reason"],
            strict=True,
        )
    ]
    rows += [
        (rid, agency, year, flag_name(flag), f"{n} 个数值{flag_name(flag)}，请与原文核对")
        for rid, agency, year, flag, n in zip(
            flagged["report_id"],
            flagged["agency"],
            flagged["year"],
            flagged["flag"],
            flagged["n"],
            strict=True,
        )
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["单位"] = out["单位"].fillna("（未识别）")
    return out.sort_values(["报告编号"], kind="stable", ignore_index=True) if not out.empty else out

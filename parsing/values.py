"""Cell values: what a table cell says, as a number (or an explicit null) plus a flag.

Flags (domain reference §9.4): ok, blank, na ('/', '无'), dash ('-', '—'), signed (增/减/+/-),
unit_converted, split (digits separated by spaces, e.g. '0 0'), unparsed, too_long (more digits than
``parsing.limits.Limits.max_digits``: kept as raw text with a null value, never converted to a
number, since no count or amount of a report has that many digits and a float would lose or
overflow it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from parsing.limits import get_limits

_NA = {"/", "\\", "无", "不适用", "n/a", "na", "×", "x"}
_DASHES = re.compile(r"^[-‐‑‒–—―−－~～_]+$")
_JUNK = re.compile(r"[?？\ufffd*＊#△▲※]")
_UNITS = {"万元": 10000.0, "元": 1.0, "亿元": 100000000.0}
_NUMBER = re.compile(
    r"^(?P<sign>增加|减少|增|减|[+\-]{1,2}|[+\-]?)"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<unit>万元|亿元|元|件|条|个|项|次|人次|宗)?$"
)
_SPLIT = re.compile(r"^\d+(?:\s+\d+)+$")
_COUNT_UNITS = {"件", "条", "个", "项", "次", "人次", "宗"}


@dataclass(frozen=True)
class Value:
    """A parsed cell value."""

    value: int | float | None
    flag: str = "ok"
    unit: str | None = None  # the unit the value is expressed in (after conversion)


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)
    text = (
        text.replace("\u00a0", " ")
        .replace("\u3000", " ")
        .replace("\u2212", "-")
        .replace("萬", "万")
        .replace("億", "亿")
        .replace("圓", "元")
        .strip()
    )
    return text


def is_value_text(raw: str) -> bool:
    """True when a cell holds a value (a number, a blank, a null marker), not a label."""
    text = _clean(raw)
    if not text:
        return True
    compact = _JUNK.sub("", text).strip()
    if not compact:
        return bool(text)  # only junk such as '?': a damaged value
    if compact.lower() in _NA or _DASHES.match(compact):
        return True
    if _SPLIT.match(compact):
        return True
    return bool(_NUMBER.match(compact.replace(" ", "")))


def parse_value(raw: str, unit: str | None = None) -> Value:
    """Parse one cell.

    ``unit`` is the canonical unit of the column ("万元" for the 2021 fee); an amount written with a
    different unit is converted to it and flagged ``unit_converted``. With ``unit=None`` an amount keeps
    the unit written in the cell (None when the cell has none).
    """
    text = _clean(raw)
    if not text:
        return Value(None, "blank")
    compact = _JUNK.sub("", text).strip()
    if not compact:
        return Value(None, "unparsed")
    if compact.lower() in _NA:
        return Value(None, "na")
    if _DASHES.match(compact):
        return Value(None, "dash")
    max_digits = get_limits().max_digits
    if _SPLIT.match(compact):
        digits = re.sub(r"\s+", "", compact)
        if len(digits) > max_digits:
            return Value(None, "too_long")
        return Value(int(digits), "split", unit)
    m = _NUMBER.match(compact.replace(" ", ""))
    if not m:
        return Value(None, "unparsed")
    if sum(ch.isdigit() for ch in m.group("num")) > max_digits:
        return Value(None, "too_long")
    number = float(m.group("num").replace(",", ""))
    sign = m.group("sign")
    negative = sign in ("减", "减少", "-", "--")
    flag = "signed" if sign else "ok"
    if negative:
        number = -number
    written_unit = m.group("unit")
    out_unit = unit
    if written_unit in _UNITS:
        if unit in _UNITS and unit != written_unit:
            number = number * _UNITS[written_unit] / _UNITS[unit]
            flag = "unit_converted"
        else:
            out_unit = written_unit
    elif written_unit in _COUNT_UNITS:
        out_unit = unit
    value: int | float = int(number) if number == int(number) and "." not in m.group("num") else number
    if isinstance(value, float):
        value = round(value, 6)
    return Value(value, flag, out_unit)

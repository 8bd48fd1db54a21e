"""The value parser (parsing/values.py) on its own: one table cell's text → a number or an explicit null.

A blank cell is never a zero, a null marker is never a number, and what cannot be read stays null
with the flag ``unparsed`` rather than being guessed.
"""

from __future__ import annotations

import pytest

from parsing.limits import Limits, get_limits, use_limits
from parsing.values import Value, is_value_text, parse_value


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12", 12),
        ("0", 0),
        ("１２", 12),  # full-width digits (NFKC)
        ("０", 0),
        ("1,234", 1234),  # 千分位 comma
        ("1，234", 1234),  # full-width comma
        ("1,234,567", 1234567),
        ("1,234.5", 1234.5),
        ("3.5", 3.5),
        (".5", 0.5),
        ("3.50", 3.5),
        (" 7 ", 7),
        ("\u3000８\u3000", 8),  # ideographic spaces around a full-width digit
        ("5件", 5),  # a count unit is dropped
        ("5人次", 5),
        ("3宗", 3),
        ("12?", 12),  # a damaged glyph beside the digits is junk
        ("1２？", 12),
    ],
)
def test_plain_numbers(raw: str, value: int | float) -> None:
    got = parse_value(raw)
    assert got == Value(value, "ok", None)
    assert type(got.value) is type(value)


def test_decimal_point_keeps_a_float_even_when_whole() -> None:
    """'1.0' was written with a decimal: it stays a float, while '1' is an int."""
    assert parse_value("1.0").value == 1.0 and isinstance(parse_value("1.0").value, float)
    assert isinstance(parse_value("1").value, int)


def test_float_noise_is_rounded_to_six_places() -> None:
    assert parse_value("300元", "万元").value == 0.03
    assert parse_value("0.1234567").value == 0.123457


@pytest.mark.parametrize("raw", ["", " ", "\u3000", "\u00a0", "\t"])
def test_blank_is_null_not_zero(raw: str) -> None:
    assert parse_value(raw) == Value(None, "blank")
    assert parse_value(raw, "万元") == Value(None, "blank")


@pytest.mark.parametrize("raw", ["/", "\\", "无", "不适用", "N/A", "n/a", "NA", "×", "x", "／"])
def test_not_applicable_markers(raw: str) -> None:
    assert parse_value(raw) == Value(None, "na")


@pytest.mark.parametrize("raw", ["-", "--", "—", "——", "－", "−", "~", "～", "_", "–"])
def test_dashes_are_null(raw: str) -> None:
    """A dash in a count cell says 'nothing to report', which is not the same as a written 0."""
    assert parse_value(raw) == Value(None, "dash")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("增3", 3),
        ("增加5", 5),
        ("+4", 4),
        ("减3", -3),
        ("减少5", -5),
        ("-4", -4),
        ("--4", -4),
        ("−4", -4),  # U+2212 minus sign
        ("－4", -4),  # full-width hyphen-minus
        ("-0", 0),
        ("-1,200", -1200),
    ],
)
def test_signed_values(raw: str, value: int) -> None:
    assert parse_value(raw) == Value(value, "signed", None)


@pytest.mark.parametrize(
    ("raw", "value", "unit"),
    [
        ("12万元", 12, "万元"),
        ("12萬元", 12, "万元"),  # traditional 萬
        ("12 万元", 12, "万元"),
        ("1.2亿元", 1.2, "亿元"),
        ("1.2億元", 1.2, "亿元"),
        ("300元", 300, "元"),
        ("300圓", 300, "元"),
    ],
)
def test_amount_keeps_the_unit_written_without_a_column_unit(raw: str, value: float, unit: str) -> None:
    assert parse_value(raw) == Value(value, "ok", unit)


@pytest.mark.parametrize(
    ("raw", "value", "flag"),
    [
        ("12", 12, "ok"),  # no unit written: the column's unit
        ("12万元", 12, "ok"),
        ("1.2亿元", 12000, "unit_converted"),
        ("300元", 0.03, "unit_converted"),
        ("5件", 5, "ok"),
    ],
)
def test_amount_in_a_wan_yuan_column(raw: str, value: float, flag: str) -> None:
    got = parse_value(raw, "万元")
    assert (got.value, got.flag, got.unit) == (pytest.approx(value), flag, "万元")


@pytest.mark.parametrize(("raw", "value"), [("0 0", 0), ("1 2 3", 123), ("1\u30002", 12), ("１ ２", 12)])
def test_digits_split_by_spaces_are_joined_and_flagged(raw: str, value: int) -> None:
    assert parse_value(raw) == Value(value, "split", None)


@pytest.mark.parametrize(
    "raw",
    [
        "?",  # only junk
        "12,34",  # a comma that is not a thousands separator
        "12,3456",
        "（12）",  # a bracketed figure is a note, not a value
        "(3)",
        "1e3",
        "十二",  # Chinese numerals are not read
        "零",
        "〇",
        "O",  # a letter O is not silently a zero
        "o",
        "Ｏ",
        "约10",
    ],
)
def test_unreadable_text_is_null_and_unparsed(raw: str) -> None:
    assert parse_value(raw) == Value(None, "unparsed")


def test_more_digits_than_the_limit_stay_raw() -> None:
    limit = get_limits().max_digits
    assert parse_value("9" * limit) == Value(int("9" * limit), "ok", None)
    assert parse_value("9" * (limit + 1)) == Value(None, "too_long")
    assert parse_value(" ".join("9" * (limit + 1))) == Value(None, "too_long")  # split digits too
    use_limits(Limits(max_digits=3))
    try:
        assert parse_value("1234") == Value(None, "too_long")
        assert parse_value("1,234") == Value(None, "too_long")  # digits are counted, not characters
        assert parse_value("123") == Value(123, "ok", None)
    finally:
        use_limits(None)


@pytest.mark.parametrize(
    "raw",
    ["12", "", "\u3000", "/", "无", "—", "增3", "-4", "12万元", "0 0", "1,234", "?", "１２", "5件"],
)
def test_is_value_text_for_values_blanks_and_markers(raw: str) -> None:
    assert is_value_text(raw)


@pytest.mark.parametrize(
    "raw",
    ["行政许可", "（一）予以公开", "自然人", "12,34", "O", "十二", "(3)", "第二十条第（一）项", "2.其他"],
)
def test_is_value_text_rejects_labels(raw: str) -> None:
    assert not is_value_text(raw)

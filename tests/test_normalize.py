"""Text normalisation (parsing/normalize.py) on its own: the same characters for the same words."""

from __future__ import annotations

import pytest

from parsing.normalize import fix_radicals, normalize_label, normalize_text, to_simplified


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("⼀、本年新收", "一、本年新收"),  # Kangxi radical U+2F00 (PDF fonts)
        ("⼈⼝", "人口"),
        ("⺠政局", "民政局"),  # CJK radical supplement, which NFKC leaves alone
        ("⻔户⽹站", "门户网站"),
        ("行政许可", "行政许可"),  # nothing to replace: the same string
    ],
)
def test_fix_radicals(raw: str, expected: str) -> None:
    assert fix_radicals(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("處理決定數量", "处理决定数量"),
        ("第二十條第（一）項", "第二十条第（一）项"),
        ("後來", "后来"),  # t2s keeps vocabulary: 後 → 后
        ("國務(wù)院", "国务院"),  # pinyin injected by mirror sites
        ("辦(bàn)公(gōng)廳", "办公厅"),
        ("发(fā)", "发"),
        ("abc", "abc"),
    ],
)
def test_to_simplified(raw: str, expected: str) -> None:
    assert to_simplified(raw) == expected


@pytest.mark.parametrize("raw", ["(a)", "行政(AB)", "A(shù)", "规章(1)"])
def test_brackets_that_are_not_injected_pinyin_stay(raw: str) -> None:
    """Pinyin is removed only after a CJK character and only with a tone mark."""
    assert to_simplified(raw) == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１２３（一）", "123(一)"),  # NFKC: full-width digits and brackets
        ("规章：", "规章:"),
        ("a\u00a0b\u3000c", "a b c"),  # no-break and ideographic spaces become spaces
        ("⼀、處理(chǔ)", "一、处理"),  # radicals, traditional and pinyin together
        ("x\n\ny", "x\n\ny"),  # line structure is kept for the line-based readers
        ("行 政 许 可", "行 政 许 可"),  # running text keeps its spaces
        ("“其他”", "“其他”"),  # and its quotes
        ("行政規範性檔案", "行政规范性档案"),  # 档案 stays in running text
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("行 政 许 可", "行政许可"),  # whitespace inside labels
        ("行政\n许可", "行政许可"),
        ("\ufeff行政许可\u200b", "行政许可"),  # BOM and zero-width space
        ("“其他”", "其他"),
        ("「其他」", "其他"),
        ("【一】〔二〕", "(一)(二)"),
        ("（一）予以公开", "(一)予以公开"),
        ("规章：", "规章"),  # trailing and leading separators
        ("，其他；", "其他"),
        ("行政規範性檔案", "行政规范性文件"),  # 檔案 → 文件 of auto-converted copies
        ("规范性档案", "规范性文件"),
        ("行政處(chǔ)罰", "行政处罚"),
        ("⾏政许可", "行政许可"),
    ],
)
def test_normalize_label(raw: str, expected: str) -> None:
    assert normalize_label(raw) == expected


def test_label_and_text_agree_up_to_spaces_quotes_and_vocabulary() -> None:
    """A label normalises to its running-text form with no whitespace (when it has no quotes,
    brackets, separators or 档案)."""
    for raw in ("第 二十 條第（五）項", "本年處理決定數量", "⼆、主動公開政府信息情況"):
        assert normalize_label(raw) == "".join(normalize_text(raw).split())

"""Text normalisation: the same characters for the same words, whatever the source did to them.

- Kangxi radicals and CJK radical supplements (PDF fonts map shared glyphs to them: ⼀ → 一);
- compatibility forms (NFKC: full-width digits and brackets, ideographic space);
- traditional → simplified with OpenCC (t2s keeps vocabulary), plus the 檔案 → 文件 swap of
  auto-converted copies, which OpenCC leaves as 档案;
- pinyin injected by mirror sites after characters: 國務(wù)院 → 国务院;
- whitespace and quotes inside labels.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# U+2E80–U+2EFF radicals that NFKC leaves alone but fonts use for ordinary characters.
_RADICAL_SUPPLEMENT = {
    "⺠": "民",
    "⻓": "长",
    "⻔": "门",
    "⻋": "车",
    "⻅": "见",
    "⻛": "风",
    "⻜": "飞",
    "⻝": "食",
    "⻢": "马",
    "⻥": "鱼",
    "⻚": "页",
    "⻘": "青",
    "⻄": "西",
    "⻆": "角",
    "⻈": "讠",
    "⻉": "贝",
    "⻊": "足",
    "⺟": "母",
    "⺁": "厂",
    "⺇": "几",
    "⺈": "⺈",
    "⺋": "㔾",
    "⺍": "⺍",
    "⺏": "尣",
    "⺐": "尢",
    "⺒": "巳",
    "⺓": "幺",
    "⺛": "旡",
    "⺝": "月",
    "⺞": "歺",
    "⺡": "氵",
    "⺢": "氺",
    "⺣": "灬",
    "⺤": "爫",
    "⺦": "丬",
    "⺨": "犭",
    "⺩": "王",
    "⺪": "疋",
    "⺫": "罒",
    "⺬": "示",
    "⺭": "礻",
    "⺮": "⺮",
    "⺶": "⺶",
    "⺸": "⺸",
    "⺻": "聿",
    "⺼": "⺼",
    "⻁": "虎",
    "⻂": "衤",
    "⻃": "覀",
    "⻌": "辶",
    "⻏": "阝",
    "⻖": "阝",
    "⻗": "雨",
    "⻙": "韦",
    "⻟": "饣",
    "⻤": "鬼",
    "⻨": "麦",
    "⻩": "黄",
    "⻬": "齐",
    "⻮": "齿",
    "⻳": "龟",
}
_TONE_VOWELS = "āáǎàōóǒòēéěèīíǐìūúǔùǖǘǚǜńňǹḿ"
# (shù) after a CJK character; at least one tone mark, so (a) or (AB) stay.
_PINYIN = re.compile(
    rf"(?<=[\u4e00-\u9fff])\((?=[a-zü{_TONE_VOWELS}]*[{_TONE_VOWELS}])[a-zü{_TONE_VOWELS}]{{1,7}}\)"
)
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_QUOTES = re.compile(r"[\"'“”‘’「」『』〝〞″]")
_VOCAB = (("檔案", "文件"), ("档案", "文件"))


@lru_cache(maxsize=1)
def _converter():
    import opencc  # imported lazily: a 2 MB extension not needed to import the package

    return opencc.OpenCC("t2s")


def fix_radicals(text: str) -> str:
    """Replace Kangxi radicals (U+2F00–U+2FDF) and radical supplements by the ordinary characters."""
    if not any("\u2e80" <= ch <= "\u2fdf" for ch in text):
        return text
    out = []
    for ch in text:
        if "\u2f00" <= ch <= "\u2fdf":
            out.append(unicodedata.normalize("NFKC", ch))
        elif "\u2e80" <= ch <= "\u2eff":
            out.append(_RADICAL_SUPPLEMENT.get(ch, ch))
        else:
            out.append(ch)
    return "".join(out)


def to_simplified(text: str) -> str:
    """Traditional → simplified (OpenCC t2s) and removal of injected pinyin."""
    text = _PINYIN.sub("", text)
    if text.isascii():
        return text
    return _converter().convert(text)


@lru_cache(maxsize=16)
def normalize_text(text: str) -> str:
    """Normalise running text: radicals, NFKC, simplified characters, no injected pinyin.

    Line structure is kept (prose figures and metadata are read line by line). Cached: the metadata
    and prose readers each normalise the same document text.
    """
    text = fix_radicals(text)
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00a0", " ")
    return to_simplified(text)


@lru_cache(maxsize=4096)
def normalize_label(text: str) -> str:
    """Normalise a table label for matching: as :func:`normalize_text`, then no whitespace, no quotes,
    ASCII brackets, and the 檔案 → 文件 vocabulary swap."""
    text = normalize_text(text)
    text = _WS.sub("", text)
    text = _QUOTES.sub("", text)
    text = text.replace("〔", "(").replace("〕", ")").replace("【", "(").replace("】", ")")
    for old, new in _VOCAB:
        text = text.replace(old, new)
    return text.strip(":：;；,，")

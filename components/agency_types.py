"""Agency types (机关类型) used to group agencies, and a guess of the type from the agency's name.

Pure Python (no Streamlit), so the library, the synthetic data generator and tests can use it too.
The guess only pre-fills the upload form: the reviewer confirms or edits it before saving.
"""

from __future__ import annotations

import re

OTHER = "其他"

# Order matters: the first type whose keyword occurs in the name wins. Department keywords come before
# the township rule so that "某镇卫生院" is 卫健, and the township rule comes before 政府办 so that
# "某镇人民政府" is 乡镇 rather than a county/city government office.
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("教育", ("教育", "教体", "教科", "学校", "大学", "学院", "中学", "小学")),
    ("卫健", ("卫生", "卫健", "健康", "医院", "医疗保障", "医保", "疾病预防", "疾控")),
    ("公安", ("公安",)),
    ("财政", ("财政",)),
    ("自然资源", ("自然资源", "国土", "规划和自然")),
    ("生态环境", ("生态环境", "环境保护", "环保")),
    ("住建", ("住房和城乡建设", "住房城乡建设", "住建", "城乡建设", "城市管理", "城管", "房产")),
    ("交通", ("交通",)),
    ("农业农村", ("农业农村", "农业", "农村", "乡村振兴", "畜牧", "农牧")),
    ("市场监管", ("市场监督", "市场监管", "工商行政", "质量技术监督", "食品药品")),
    ("人社", ("人力资源", "人社", "社会保障")),
    ("民政", ("民政",)),
    ("文旅", ("文化", "旅游", "文旅", "广电", "文广")),
    ("应急", ("应急", "安全生产", "安监")),
)

AGENCY_TYPES: tuple[str, ...] = (
    "教育",
    "卫健",
    "乡镇",
    "公安",
    "财政",
    "自然资源",
    "生态环境",
    "住建",
    "交通",
    "农业农村",
    "市场监管",
    "人社",
    "民政",
    "文旅",
    "应急",
    "政府办",
    OTHER,
)

# A township or sub-district government: "某乡人民政府", "某镇", "某街道办事处".
_TOWNSHIP = re.compile(r"(乡|镇|街道)(人民政府|政府|办事处)?$|(乡|镇)人民政府|街道办事处")
# A county/city/district government itself or its general office.
_GOVERNMENT = re.compile(r"人民政府(办公室|办公厅)?$|政府办公室|政府办公厅|政府办$")


def guess_agency_type(name: str | None) -> str:
    """Guess the agency type from its name (``其他`` when nothing fits or the name is unknown)."""
    if not name:
        return OTHER
    text = re.sub(r"\s+", "", name)
    # "人民政府" contains "民政": hide it from the keyword search so a government is not taken for 民政.
    department = text.replace("人民政府", "政府")
    for agency_type, keywords in _KEYWORDS:
        if any(k in department for k in keywords):
            return agency_type
    if _TOWNSHIP.search(text):
        return "乡镇"
    if _GOVERNMENT.search(text):
        return "政府办"
    return OTHER

"""Agency types: every type a county has, guessed from the name by patterns kept in a data file."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsing.agency_types import AGENCY_TYPES, DATA_FILE, guess_agency_type, load_agency_types

COUNTY = {
    "某县发展和改革局": "发改",
    "某县人民政府办公室": "政府办",
    "某县人民政府": "政府办",
    "平潭综合实验区管理委员会": "综合实验区/开发区",
    "某经济技术开发区管理委员会": "综合实验区/开发区",
    "某县城关镇人民政府": "乡镇",
    "某县新民乡人民政府": "乡镇",
    "某区城南街道办事处": "街道",
    "某县教育局": "教育",
    "平潭综合实验区教育局": "教育",  # a department of the zone is the department's type
    "某县卫生健康局": "卫健",
    "某镇卫生院": "卫健",
    "某县公安局": "公安",
    "某县财政局": "财政",
    "某县人力资源和社会保障局": "人社",
    "某县自然资源和规划局": "自然资源",
    "某县生态环境局": "生态环境",
    "某县住房和城乡建设局": "住建",
    "某县交通运输局": "交通",
    "某县水利局": "水利",
    "某县农业农村局": "农业农村",
    "某县商务局": "商务",
    "某县文化广电旅游局": "文旅",
    "某县应急管理局": "应急",
    "某县市场监督管理局": "市场监管",
    "某县医疗保障局": "医保",
    "某县统计局": "统计",
    "某县民政局": "民政",
    "某县司法局": "司法",
    "某县审计局": "审计",
    "某县信访局": "信访",
    "某县城市管理局": "城管",
    "国家税务总局某县税务局": "税务",
}


@pytest.mark.parametrize(("name", "expected"), list(COUNTY.items()))
def test_every_county_agency_type_is_guessed(name: str, expected: str) -> None:
    assert guess_agency_type(name) == expected
    assert expected in AGENCY_TYPES  # offered in the upload form and on 报告库


def test_unknown_names_are_other() -> None:
    assert guess_agency_type(None) == guess_agency_type("") == guess_agency_type("某某委员会") == "其他"
    assert AGENCY_TYPES[-1] == "其他"


def test_types_and_patterns_are_data(tmp_path: Path) -> None:
    assert DATA_FILE.suffix == ".toml" and DATA_FILE.exists()
    edited = tmp_path / "types.toml"
    edited.write_text(
        DATA_FILE.read_text(encoding="utf-8") + '\n[[type]]\nname = "档案"\ncontains = ["档案"]\n',
        encoding="utf-8",
    )
    table = load_agency_types(edited)
    assert guess_agency_type("某县档案馆", table) == "档案"
    assert guess_agency_type("某县档案馆") == "其他"  # the shipped file has no such type

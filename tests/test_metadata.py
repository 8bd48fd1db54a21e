"""Agency, region and report year (parsing/metadata.py) on real reports and focused cases."""

from __future__ import annotations

import pdfplumber
import pytest
from paths import SHARED
from paths import SHARED_SEEDS as SEEDS

from parsing.metadata import extract_metadata, read_metadata, region_of


@pytest.mark.parametrize(
    ("seed", "agency", "region", "year"),
    [
        ("000_bd3a826d0705f6e5.txt", "施秉县教育和科技局", "施秉县", 2020),  # title with a stray space
        ("001_d954dc0dac9f162f.txt", None, None, 2021),  # no title; 统计期限为:2021年1月1日—2021年12月31日
        ("002_d0afa1047310c76e.txt", "盐池县教育体育局", "盐池县", 2020),  # "… 2020 年 政府信息…"
        ("003_1ccb1d8209286b28.txt", "乐清市教育局", "乐清市", 2021),
        ("004_e3c733e02cbb2cbf.txt", "县教育局", None, 2023),  # published 2024年01月25日
    ],
)
def test_seed_metadata(seed, agency, region, year):
    text = (SEEDS / seed).read_text(encoding="utf-8")
    assert extract_metadata(text) == {"agency": agency, "region": region, "year": year}


def test_huaian_pdf_title_split_over_two_lines():
    # "淮安市人民政府" / "2024 年政府信息公开工作年度报告": the agency is the line above the year.
    with pdfplumber.open(SHARED / "fixtures" / "huaian-city-government-2024.pdf") as pdf:
        text = pdf.pages[0].extract_text()
    assert extract_metadata(text) == {"agency": "淮安市人民政府", "region": "淮安市", "year": 2024}


def test_traditional_title():
    text = "施秉縣教育和科技局2020年政府資訊公開工作年度報告\n發佈時間: 2021-01-25"
    assert extract_metadata(text) == {"agency": "施秉县教育和科技局", "region": "施秉县", "year": 2020}


def test_kangxi_radicals_in_title():
    text = "淮安市⼈民政府2024年政府信息公开⼯作年度报告"  # U+2F08 ⼈, U+2F2F ⼯ from PDF fonts
    assert extract_metadata(text) == {"agency": "淮安市人民政府", "region": "淮安市", "year": 2024}


def test_spaced_title():
    text = "盐池县教育体育局 2020 年 政府信息公开工作年度报告"
    assert extract_metadata(text) == {"agency": "盐池县教育体育局", "region": "盐池县", "year": 2020}


def test_title_with_year_first():
    text = "2021年度北京市财政局政府信息公开工作年度报告"
    assert extract_metadata(text) == {"agency": "北京市财政局", "region": "北京市", "year": 2021}


def test_publication_date_is_not_the_report_year():
    text = "发布时间: 2021-01-25 18:13\n来源:    时间:2024年01月25日\n一、总体情况\n我局认真贯彻落实条例。"
    assert extract_metadata(text) == {"agency": None, "region": None, "year": None}


def test_quoted_notice_title_is_not_the_report_title():
    text = "按照《甘肃省人民政府信息公开办公室关于做好2021年政府信息公开工作年度报告编发工作的通知》的要求"
    assert extract_metadata(text) == {"agency": None, "region": None, "year": None}


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("本报告中所列数据的统计限自2021年1月1日至2021年12月31日止。", 2021),
        ("报告所列统计期限自 2024 年 1 月 1 日至 2024 年 12 月 31 日。", 2024),
        ("统计期限自2022年1月1日起至12月31日止", 2022),
        ("统计期间为2020年7月1日至2021年6月30日", None),  # not one calendar year: no guess
        ("2021年度报告根据新修订《条例》的要求编制", 2021),
        ("督导报告2023年度开展的建设项目进行了公示", None),  # 年度 not about the report
    ],
)
def test_year_from_prose(text, year):
    assert extract_metadata(text)["year"] == year


def test_agency_from_compiled_by_statement():
    text = "本年度报告由乐清市教育局编制而成,并向社会公布。"
    assert extract_metadata(text)["agency"] == "乐清市教育局"
    assert extract_metadata(text)["region"] == "乐清市"


def test_title_without_agency():
    text = "2020年政府信息公开工作年度报告\n一、总体情况"
    assert extract_metadata(text) == {"agency": None, "region": None, "year": 2020}


def test_breadcrumb_line_is_not_an_agency():
    text = "首页 > 政府信息公开 > 年度报告\n2022年政府信息公开工作年度报告"
    assert extract_metadata(text)["agency"] is None


def test_empty_text():
    assert extract_metadata("") == {"agency": None, "region": None, "year": None}


@pytest.mark.parametrize(
    ("agency", "region"),
    [
        ("施秉县教育和科技局", "施秉县"),
        ("乐清市教育局", "乐清市"),
        ("县教育局", None),
        ("广州市教育局", "广州市"),  # 州 followed by 市
        ("贵州省教育厅", "贵州省"),
        ("宁夏回族自治区教育厅", "宁夏回族自治区"),
        ("杭锦后旗教育局", "杭锦后旗"),
        ("锡林郭勒盟行政公署", "锡林郭勒盟"),
        ("长春市二道区人民政府办公室", "二道区"),  # the district the agency belongs to (issue 9)
        ("国家市场监督管理总局", None),  # 市场 is a word, 国家 no place
        ("市场监督管理局", None),
        ("本县教育局", None),
        ("中共施秉县委办公室", "施秉县"),
        ("淮安市市场监督管理局", "淮安市"),  # 市 then the word 市场
        ("淮安市政府办公室", "淮安市"),
        ("朝阳区民政局", "朝阳区"),
        ("苏州工业园区管理委员会", "苏州工业园区"),  # the 州 of a two-character name is no suffix
        ("通州区教育委员会", "通州区"),
        ("苏州大学", None),  # no suffix at all: no guess
        ("恩施州教育局", "恩施州"),
        ("国家新闻出版署", None),
        (None, None),
    ],
)
def test_region_of(agency, region):
    assert region_of(agency) == region


# ------------------------------------------------------------------ issue 9: prose, names, dates
# Invented documents in the shapes real copied pages and PDFs take (report-format.md §7.4).


@pytest.mark.parametrize(
    ("text", "year", "where"),
    [
        (
            "青山镇人民政府\n按照县政务公开办要求，现汇报我镇2023年政府信息公开工作情况如下。\n一、总体情况",
            2023,
            "prose",
        ),
        ("根据《条例》规定，现将本局2022年度政府信息公开工作情况报告如下：", 2022, "prose"),
        ("本报告统计期限自2021年1月1日起至2021年12月31日止。", 2021, "period"),
        ("一、总体情况\n2024年，我局坚持以人民为中心，主动公开政府信息。", 2024, "overview"),
        ("一、总体情况 2020年以来，区民政局认真落实条例。", 2020, "overview"),
        ("东湖区民政局2023年政府信息公开工作年度报告\n现汇报我局2022年政府信息公开工作", 2023, "title"),
    ],
)
def test_year_stated_in_prose(text, year, where):
    meta = read_metadata(text)
    assert meta.year == year
    assert meta.source["year"] == where


@pytest.mark.parametrize(
    "text",
    [
        "发布日期:2024-01-31\n一、总体情况\n全年主动公开信息120条。",  # publication date only
        "一、总体情况\n2024年1月，我局印发工作要点。",  # a month, not the year's opening
        "下一步，我局将按照2024年政府信息公开工作要点抓好落实。",
        "一、总体情况\n我局认真贯彻落实条例。2023年，共受理申请2件。",  # not the opening sentence
    ],
)
def test_no_year_without_a_statement(text):
    assert read_metadata(text).year is None


@pytest.mark.parametrize(
    ("text", "agency", "region"),
    [
        ("现将青山镇2023年政府信息公开工作年度报告公布如下。", "青山镇", None),
        (
            "本报告是由东湖区民政局办公室编制的2022年政府信息公开工作年度报告。",
            "东湖区民政局办公室",
            "东湖区",
        ),
        ("编制云溪乡2021年政府信息公开工作年度报告，数据统计期限为2021年1月1日至12月31日。", "云溪乡", None),
        (
            "现公布北川市自然资源和规划局2022年度政府信息公开工作年度报告。",
            "北川市自然资源和规划局",
            "北川市",
        ),
        ("我镇2023年政府信息公开工作年度报告", None, None),
        ("全椒县2023年政府信息公开工作年度报告", "全椒县", "全椒县"),  # 全 starts a place name here
        ("本溪市教育局2022年政府信息公开工作年度报告", "本溪市教育局", "本溪市"),
        (
            "中国（福建）自由贸易试验区厦门片区管理委员会2021年政府信息公开工作年度报告",
            "中国(福建)自由贸易试验区厦门片区管理委员会",
            "中国(福建)自由贸易试验区",
        ),  # 由 inside the name stays
    ],
)
def test_agency_cleaned_of_prose(text, agency, region):
    meta = read_metadata(text)
    assert (meta.agency, meta.region) == (agency, region)


def test_agency_not_cut_to_a_bare_region():
    # The title names only the township; the signature gives the full name of the government.
    text = (
        "河口镇2023年政府信息公开工作年度报告\n一、总体情况\n2023年，我镇认真落实条例。\n"
        "六、其他需要报告的事项\n无。\n临江县河口镇人民政府\n2024年1月25日\n"
    )
    meta = read_metadata(text)
    assert (meta.agency, meta.region, meta.year) == ("临江县河口镇人民政府", "临江县", 2023)
    assert meta.published == "2024-01-25"
    assert meta.source == {"year": "title", "agency": "title", "region": "agency", "published": "signature"}


def test_bare_city_district_completed_from_the_signature():
    text = "某市西城区2022年政府信息公开工作年度报告\n……\n西城区应急管理局\n2023年1月20日"
    meta = read_metadata(text)
    assert (meta.agency, meta.region) == ("西城区应急管理局", "西城区")


def test_agency_completed_with_its_region_chain():
    text = (
        "洪山区人民政府\n2023 年政府信息公开工作年度报告\n"
        "本报告由江城市洪山区人民政府办公室根据《条例》要求编制。"
    )
    meta = read_metadata(text)
    assert (meta.agency, meta.region) == ("江城市洪山区人民政府", "洪山区")


def test_hongze_district_region_is_the_district():
    with pdfplumber.open(SHARED / "fixtures" / "hongze-district-government-2024.pdf") as pdf:
        text = pdf.pages[0].extract_text()
    meta = read_metadata(text)
    assert (meta.agency, meta.region, meta.year) == ("淮安市洪泽区人民政府", "洪泽区", 2024)


@pytest.mark.parametrize(
    ("text", "published"),
    [
        (
            "东湖区民政局2021年政府信息公开工作年度报告\n发布时间：2022-02-08 16:34  来源：区民政局",
            "2022-02-08",
        ),
        ("来源：县政府办  发布日期:2020-01-31  浏览次数：12", "2020-01-31"),
        ("字号：大 中 小  时间：2023-02-20", "2023-02-20"),
        ("更新日期：2021年3月5日", "2021-03-05"),
        ("公开日期: 2022/01/28", "2022-01-28"),
        ("成文日期：2022-01-10\n发布日期：2022-01-26", "2022-01-26"),  # drafting date skipped
        ("成文日期：2022-01-10\n生成日期：2022-01-11", None),
        ("办公时间：2022-01-10", None),
        ("时间：2023年1月1日至2023年12月31日", None),  # a period
        ("时间: 2023-01-01—2023-12-31", None),
        ("发布时间：2022-02-30", None),  # no such day
    ],
)
def test_publication_date(text, published):
    meta = read_metadata(text)
    assert meta.published == published
    if published:
        assert meta.source["published"] == "page"


def test_page_date_wins_over_the_signature_date():
    text = (
        "发布时间：2024-01-30 09:00\n青山镇2023年政府信息公开工作年度报告\n……\n青山镇人民政府\n2024年1月25日"
    )
    meta = read_metadata(text)
    assert (meta.published, meta.source["published"]) == ("2024-01-30", "page")


def test_publication_date_is_never_the_year():
    meta = read_metadata("发布时间：2024-01-30\n一、总体情况\n我局认真落实条例。")
    assert meta.year is None and meta.published == "2024-01-30"


def test_parse_output_carries_published_and_sources():
    from parsing.api import parse_bytes

    text = (
        "青山镇2023年政府信息公开工作年度报告\n发布时间：2024-01-30 09:00\n"
        "一、总体情况\n2023年，我镇主动公开政府信息120条。"
    )
    out = parse_bytes(text.encode(), "r.txt").to_json()
    assert out["published"] == "2024-01-30"
    assert out["metadata_source"] == {"year": "title", "agency": "title", "published": "page"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(某县财政局", "某县财政局"),  # a bracket that closes nothing
        ("(某县财政局)", "某县财政局"),  # one that wraps the whole name
        ("某县财政局)", "某县财政局"),
        ("(合成)甲县教育局", "(合成)甲县教育局"),  # a balanced bracket inside the name stays
        ("某县人民政府办公室(县政务公开办)", "某县人民政府办公室(县政务公开办)"),
    ],
)
def test_stray_brackets_around_an_agency_name(raw, expected):
    from parsing.metadata import strip_stray_parens

    assert strip_stray_parens(raw) == expected


def test_a_title_whose_agency_starts_with_a_bracketed_prefix_keeps_it():
    meta = extract_metadata("（试点）甲县教育局2023年政府信息公开工作年度报告\n\n一、总体情况\n")
    assert meta["agency"] == "(试点)甲县教育局" and meta["year"] == 2023

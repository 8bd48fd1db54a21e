"""Figures stated in report prose (parsing/narrative.py) on real reports and focused cases."""

from __future__ import annotations

import pdfplumber
import pytest
from paths import SHARED
from paths import SHARED_SEEDS as SEEDS

from parsing.narrative import extract_narrative
from parsing.schema import NARRATIVE_KEYS


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        ("000_bd3a826d0705f6e5.txt", {}),  # the prose states no total
        ("001_d954dc0dac9f162f.txt", {"proactive_total": 39}),  # "主动公开信息39条,其中公开指南1条…"
        ("002_d0afa1047310c76e.txt", {"proactive_total": 42}),  # "主动公开信息 42 条"
        (
            "003_1ccb1d8209286b28.txt",
            {"proactive_total": 243, "applications_received": 5, "applications_carried_forward": 1},
        ),
        # "主动公开了…各类信息500多条" is approximate, "录入公开信息 1700余条" too: nothing exact.
        ("004_e3c733e02cbb2cbf.txt", {}),
    ],
)
def test_seed_narrative(seed, expected):
    assert extract_narrative((SEEDS / seed).read_text(encoding="utf-8")) == expected


def test_huaian_pdf_prose_wrapped_over_lines():
    with pdfplumber.open(SHARED / "fixtures" / "huaian-city-government-2024.pdf") as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    # "主动公开各类政\n府信息 5500 余条" is a lower bound, kept and marked; the others are exact and match
    # the tables (三 一、总计 3119, 四、总计 103, 复议总计 351, 诉讼 26 + 20).
    assert extract_narrative(text) == {
        "proactive_total": 5500,
        "proactive_total_approx": True,
        "applications_received": 3119,
        "applications_carried_forward": 103,
        "applications_carried_over": 34,  # "含上年度结转申请34件" = table 三 二、上年结转 总计
        "review_cases": 351,
        "litigation_cases": 46,
        "fee_collected_yuan": 3940,
    }


def test_keys_are_schema_keys():
    text = (
        "主动公开信息12条。共收到政府信息公开申请3件,其中1件结转下年度继续办理。"
        "被申请行政复议2件,提起行政诉讼1件。收取信息处理费100元。"
    )
    out = extract_narrative(text)
    assert out == {
        "proactive_total": 12,
        "applications_received": 3,
        "applications_carried_forward": 1,
        "review_cases": 2,
        "litigation_cases": 1,
        "fee_collected_yuan": 100,
    }
    assert set(out) <= set(NARRATIVE_KEYS)


@pytest.mark.parametrize("text", ["主动公开信息约300条", "主动公开信息300条左右", "主动公开信息近300条"])
def test_approximate_figures_are_skipped(text):
    assert "proactive_total" not in extract_narrative(text)


@pytest.mark.parametrize(
    "text",
    [
        "主动公开信息300余条",
        "主动公开信息300多条",
        "全年主动公开政府信息300条以上",
        "主动公开各类信息逾300条",
    ],
)
def test_lower_bound_proactive_total_is_kept_and_marked(text):
    assert extract_narrative(text) == {"proactive_total": 300, "proactive_total_approx": True}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The case: the stated total, not the last item of the list after it.
        (
            "2024年共公布政府信息1234条，其中：规范性文件12条，政策解读30条，其他应主动公开政府信息321条。",
            1234,
        ),
        # The total after the list, in its own sentence.
        ("其中：规范性文件12条，其他应主动公开政府信息321条。全年共主动公开政府信息1234条。", 1234),
        # The total at the end of the sentence that lists the items.
        ("发布政策文件10条、政策解读5篇，共计主动公开信息300条。", 300),
        ("2024年,市政府网站主动公开各类政府信息7700余条,全年新增公开市政府规章1件。", 7700),
        ("本年度累计发布政务信息2,428篇。", 2428),
        ("本年度主动公开2428条政府信息。", 2428),
        ("全年共发布各类信息1.2万条。", 12000),
        # A cumulative count since a date is not the year's total.
        ("截至2024年底，累计主动公开政府信息12万条。2024年主动公开政府信息2000条。", 2000),
        # 主动公开 beats a channel's 共发布.
        ("主动公开信息42条,其中机构职能1条。通过微信公众号共发布信息588篇。", 42),
    ],
)
def test_proactive_total_is_the_overall_figure(text, expected):
    assert extract_narrative(text)["proactive_total"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "其中主动公开公文类政府信息127条，其他应主动公开政府信息321条。",
        # Two channels, no overall figure: unsure, so nothing.
        "通过政府网站主动公开信息1500条，通过政务新媒体主动公开信息500条。",
        # One channel's count is not the total.
        "通过微信公众号共发布信息588篇。",
        "在社会信用信息平台共计录入公开信息1700余条,其中督导检查872条。",
        # A category is not information in general.
        "全年共公开规范性文件12件。",
    ],
)
def test_no_proactive_total_when_unsure(text):
    assert "proactive_total" not in extract_narrative(text)


def test_breakdown_is_not_the_total():
    text = "其中主动公开公文类政府信息127条。"
    assert extract_narrative(text) == {}
    text = "本局主动公开政府信息1,036条,其中主动公开公文类政府信息127条。"
    assert extract_narrative(text) == {"proactive_total": 1036}


def test_traditional_and_full_width():
    text = "2021年，本局主動公開政府資訊２４３條。共收到各類政府資訊公開申請５件。"
    assert extract_narrative(text) == {"proactive_total": 243, "applications_received": 5}


def test_received_needs_applications():
    assert extract_narrative("全年共收到群众来信5件") == {}
    assert extract_narrative("未收到政府信息公开申请") == {}  # a negative statement is not parsed into 0


def test_carried_over_from_last_year_is_not_carried_forward():
    # carried over from last year is its own figure, never the carried-forward one
    assert extract_narrative("含上年度结转申请 34 件") == {"applications_carried_over": 34}
    assert extract_narrative("结转下年度继续办理2件") == {"applications_carried_forward": 2}


def test_table_row_is_not_a_prose_figure():
    text = "四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n行政复议 | 行政诉讼 |"
    assert extract_narrative(text) == {}


def test_fee_in_wan_yuan_is_converted_to_yuan():
    assert extract_narrative("全年共收取政府信息公开信息处理费0.3万元") == {"fee_collected_yuan": 3000}
    assert extract_narrative("本单位无收取信息处理费情况") == {}


# ------------------------------------------------------------------ issue 9: figures of 三 and 四
# Invented prose in the shapes real reports use (S2 of report-format.md §6.3 compares them with the tables).


def test_outcomes_listed_after_the_received_total():
    text = (
        "2023年，我局共收到政府信息公开申请21件，另有上年结转申请2件。其中予以公开9件，部分公开2件，"
        "不予公开1件，无法提供6件，不予处理2件，其他处理1件，结转下年度继续办理2件。"
    )
    assert extract_narrative(text) == {
        "applications_received": 21,
        "applications_carried_forward": 2,
        "applications_carried_over": 2,
        "answered_granted": 9,
        "answered_partial": 2,
        "answered_withheld": 1,
        "answered_unavailable": 6,
        "answered_not_processed": 2,
        "answered_other": 1,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "依申请公开办理结果中，予以公开的有5件、部分公开答复3件。",
            {"answered_granted": 5, "answered_partial": 3},
        ),
        (
            "收到申请8件，其中5件予以公开，2件不予公开，1件无法提供。",
            {
                "applications_received": 8,
                "answered_granted": 5,
                "answered_withheld": 2,
                "answered_unavailable": 1,
            },
        ),
        ("上年结转政府信息公开申请3件，均已办结。", {"applications_carried_over": 3}),
        ("收到行政复议申请2件，行政诉讼案件共1起。", {"review_cases": 2, "litigation_cases": 1}),
    ],
)
def test_outcome_wordings(text, expected):
    assert extract_narrative(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "不予以公开3件",  # withheld, never granted
        "依法予以公开政府信息500条",  # proactive items, not applications
        "予以公开约10件",  # approximate
        "予以公开10余件",
        "收到申请12件，予以公开9件。……依申请公开中，予以公开7件。",  # two different figures: ambiguous
        "（一）予以公开 9 0 0 0 0 0 9",  # a table row, no unit
        "收到申请21件予以公开",  # no clause break: 21 is not the granted count
        "共办理人大代表建议12件，办理结果予以公开12件。",  # not about applications
        "未收到行政复议申请。",  # a negative statement is not 0
    ],
)
def test_outcome_never_guessed(text):
    out = extract_narrative(text)
    assert "answered_granted" not in out
    assert "review_cases" not in out


def test_withheld_is_not_read_as_granted():
    assert extract_narrative("对收到的申请，不予以公开3件") == {"answered_withheld": 3}

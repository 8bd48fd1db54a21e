"""Domain reference §7.1, characters: traditional script (with 檔案 and 資訊), injected pinyin, Kangxi
radicals, half-width punctuation, whitespace inside labels; the seeds in each script give the same cells.

One focused test per variant of the domain reference §7 and per item of the parsing-core issue
(split by topic from the former test_variants.py; helpers in variants_support.py). Each test parses a
small, realistic report snippet and checks what the parser must get from it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paths import EXPECTED, shared_seeds
from render_text import kangxi, traditional
from variants_support import (
    S2,
    S3,
    S3_HEAD_TABS,
    S5,
    TITLE_2021,
    clean,
    parse,
    s3_row,
    values,
)

from parsing.api import parse_bytes
from parsing.normalize import normalize_text

# --------------------------------------------------------------------------- §7.1 characters

TRADITIONAL_2021 = (
    "某某市人力資源和社會保障局2021年政府信息公開工作年度報告\n"
    "二、主動公開政府信息情況\n"
    "第二十條第（一）項\n信息內容\t本年制發件數\t本年廢止件數\t現行有效件數\n"
    "規章\t0\t0\t0\n行政規範性檔案\t4\t1\t33\n"
    "第二十條第（五）項\n信息內容\t本年處理決定數量\n行政許可\t1520\n"
    "第二十條第（六）項\n信息內容\t本年處理決定數量\n行政處罰\t36\n行政強制\t2\n"
    "第二十條第（八）項\n信息內容\t本年收費金額（單位：萬元）\n行政事業性收費\t12.5\n"
    "三、收到和處理政府信息公開申請情況\n"
    "（本列數據的勾稽關係為：第一項加第二項之和，等於第三項加第四項之和）\t申請人情況\n"
    "\t自然人\t法人或其他組織\t\t\t\t\t總計\n\t\t商業企業\t科研機構\t社會公益組織\t法律服務機構\t其他\t\n"
    "一、本年新收政府信息公開申請數量\t9\t2\t0\t0\t1\t0\t12\n"
    "\t（六）其他處理\t1.申請人無正當理由逾期不補正、行政機關不再處理其政府信息公開申請\t1\t0\t0\t0\t0\t0\t1\n"
    "\t\t3.其他\t0\t0\t0\t0\t0\t0\t0\n"
    "四、結轉下年度繼續辦理\t0\t0\t0\t0\t0\t0\t0\n"
    "五、存在的主要問題及改進情況\n本年度工作仍有不足。\n"
)


def test_traditional_report_with_dang_an_vocabulary() -> None:
    report = parse(TRADITIONAL_2021)
    clean(report)
    assert values(report, "s2.art20_1.normative_documents.") == {"issued": 4, "repealed": 1, "in_force": 33}
    assert report.cells["s2.art20_8.administrative_fees.fee_amount_wan_yuan"].value == 12.5
    assert s3_row(report, "r1_new_received") == (9, 2, 0, 0, 1, 0, 12)
    assert s3_row(report, "r3_6_1_no_correction") == (1, 0, 0, 0, 0, 0, 1)
    assert report.template == "2021"


def test_traditional_v2019_gui_fan_xing_dang_an() -> None:
    report = parse(
        "某市生態環境局2020年政府信息公開工作年度報告\n二、主動公開政府信息情況\n第二十條第（一）項\n"
        "信息內容\t本年新製作數量\t本年新公開數量\t對外公開總數量\n規章\t0\t0\t0\n規範性檔案\t5\t5\t61\n"
    )
    clean(report)
    assert values(report, "s2.art20_1.normative_documents.") == {
        "new_made": 5,
        "new_published": 5,
        "total_published": 61,
    }
    assert report.table_versions == {"s2": "2019"}


def test_traditional_with_zi_xun_for_xin_xi() -> None:
    """Taiwan-style converters also swap 信息 → 資訊 (政府資訊公開)."""
    report = parse(TRADITIONAL_2021.replace("政府信息", "政府資訊"))
    clean(report)
    assert s3_row(report, "r1_new_received") == (9, 2, 0, 0, 1, 0, 12)
    assert report.cells["s2.art20_5.administrative_licensing.decisions"].value == 1520


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        (
            "第二十條第（九）項\n信息內容\t採購項目數量\t採購總金額\n政府集中採購\t12\t160.5964萬元\n",
            "s2.art20_9.centralized_procurement.procurement_amount",
            160.5964,
        ),
        (
            "第二十條第（八）項\n信息內容\t本年收費金額（單位：萬元）\n行政事業性收費\t1.2萬元\n",
            "s2.art20_8.administrative_fees.fee_amount_wan_yuan",
            1.2,
        ),
    ],
    ids=["procurement", "fee"],
)
def test_traditional_units_in_values(text: str, key: str, value: float) -> None:
    report = parse("某市生態環境局2021年政府信息公開工作年度報告\n二、主動公開政府信息情況\n" + text)
    clean(report)
    assert report.cells[key].value == pytest.approx(value)
    assert report.cells[key].unit == "万元"


# Never empty: shared_seeds() raises on an empty folder, so the parametrization cannot collect zero cases.
SEEDS = shared_seeds()
# Pinyin that mirror sites inject after some characters: 國務(wù)院, 辦(bàn)公(gōng).
PINYIN = {
    "數": "shù",
    "務": "wù",
    "處": "chǔ",
    "辦": "bàn",
    "公": "gōng",
    "開": "kāi",
    "請": "qǐng",
    "規": "guī",
}
HALF_WIDTH = str.maketrans({"（": "(", "）": ")", "，": ",", "：": ":", "；": ";", "“": '"', "”": '"'})


def _with_pinyin(text: str) -> str:
    return "".join(f"{ch}({PINYIN[ch]})" if ch in PINYIN else ch for ch in traditional(text))


SCRIPT_VARIANTS = {
    "traditional": traditional,
    "traditional_pinyin": _with_pinyin,
    "kangxi": kangxi,
    "half_width": lambda text: text.translate(HALF_WIDTH),
    "crlf_gb18030": lambda text: text.replace("\n", "\r\n"),
}


@pytest.mark.parametrize(
    ("seed", "variant"),
    [pytest.param(seed, name) for seed in SEEDS for name in SCRIPT_VARIANTS],
    ids=lambda x: x.name[:3] if isinstance(x, Path) else x,
)
def test_seed_in_other_scripts_gives_the_same_cells(seed: Path, variant: str) -> None:
    """A real report converted to traditional script (with 檔案, with or without injected pinyin), to
    Kangxi radicals, to half-width punctuation, or saved as GB18030 with CRLF line ends says the same
    thing: the same cells with the same values and raw digits, the same template, the same year."""
    text = seed.read_text(encoding="utf-8")
    original = parse(text, seed.name)
    # Two empty results would be equal: the original must give what its reviewed golden file says.
    golden = json.loads((EXPECTED / f"{seed.stem}.json").read_text(encoding="utf-8"))
    assert original.error is None
    assert (set(original.cells), original.narrative) == (set(golden["cells"]), golden["narrative"])
    converted = parse_bytes(SCRIPT_VARIANTS[variant](text).encode("gb18030"), seed.name)
    assert converted.error is None
    # raw keeps the text as written ('125萬元'), so it is compared in simplified characters
    assert {k: (c.value, normalize_text(c.raw)) for k, c in converted.cells.items()} == {
        k: (c.value, c.raw) for k, c in original.cells.items()
    }
    assert (converted.template, converted.table_versions, converted.year) == (
        original.template,
        original.table_versions,
        original.year,
    )
    assert len(converted.warnings) == len(original.warnings)
    assert converted.narrative == original.narrative  # seed 003 has no table: its figures are in prose


def test_pinyin_injected_by_mirror_sites() -> None:
    report = parse(
        TITLE_2021
        + S2
        + "第二十條第（一）項\n信息內容\t本年制發(fā)件數(shù)\t本年廢止件數(shù)\t現行有效件數(shù)\n"
        "規章\t0\t0\t0\n行政規(guī)範(fàn)性檔案\t4\t1\t33\n"
        "第二十條第（六）項\n信息內容\t本年處(chǔ)理決定數(shù)量\n行政處(chǔ)罰\t36\n行政強制\t2\n"
    )
    clean(report)
    assert values(report, "s2.art20_1.normative_documents.") == {"issued": 4, "repealed": 1, "in_force": 33}
    assert values(report, "s2.art20_6.") == {
        "administrative_penalty.decisions": 36,
        "administrative_coercion.decisions": 2,
    }


def test_kangxi_radicals_in_labels() -> None:
    """PDF fonts give ⼀ (U+2F00) for 一 and ⾏ (U+2F8F) for 行."""
    report = parse(
        TITLE_2021
        + S2
        + "第⼆⼗条第（⼀）项\n信息内容\t本年处理决定数量\n⾏政许可\t77\n"
        + S3_HEAD_TABS
        + "⼀、本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3\n"
        + S5
    )
    clean(report)
    assert report.cells["s2.art20_5.administrative_licensing.decisions"].value == 77
    assert s3_row(report, "r1_new_received") == (3, 0, 0, 0, 0, 0, 3)


def test_half_width_punctuation_and_straight_quotes() -> None:
    report = parse(
        TITLE_2021
        + S3.replace("（", "(")
        + "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)\t申请人情况\n"
        "\t自然人\t法人或其他组织\t\t\t\t\t总计\n\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\n"
        "\t\t(二)部分公开(区分处理的,只计这一情形,不计其他情形)\t2\t0\t0\t0\t0\t0\t2\n"
        '\t(三)不予公开\t3.危及"三安全一稳定"\t1\t0\t0\t0\t0\t0\t1\n'
        "\t\t4.保护第三方合法权益\t0\t1\t0\t0\t0\t0\t1\n"
        "\t【四】无法提供\t1.本机关不掌握相关政府信息\t5\t0\t0\t0\t0\t0\t5\n" + S5
    )
    clean(report)
    assert s3_row(report, "r3_2_partial") == (2, 0, 0, 0, 0, 0, 2)
    assert s3_row(report, "r3_3_3_three_safety_one_stability") == (1, 0, 0, 0, 0, 0, 1)
    assert s3_row(report, "r3_3_4_third_party_rights") == (0, 1, 0, 0, 0, 0, 1)
    assert s3_row(report, "r3_4_1_not_held") == (5, 0, 0, 0, 0, 0, 5)


def test_whitespace_inside_labels() -> None:
    report = parse(
        TITLE_2021 + S2 + "第二十条第（五）项\n信息内容\t本年处理 决定数量\n行 政 许 可\t64\n" + S5
    )
    clean(report)
    assert report.cells["s2.art20_5.administrative_licensing.decisions"].value == 64

"""Direct tests of the label matcher's tiers (parsing/matching.py), on labels written the way copied,
extracted and provincial reports write them (report-format.md §7.1 and §7.4; examples invented)."""

from __future__ import annotations

import pytest

from parsing.api import parse_bytes
from parsing.matching import FUZZY_CUTOFF, Matcher, label_core, strip_notes

NORMATIVE = "s2.row.art20_1.normative_documents"
OTHER_SERVICES = "s2.row.art20_5.other_management_services"
FEES = "s2.row.art20_8.administrative_fees"
PENALTY = "s2.row.art20_6.administrative_penalty"
COERCION = "s2.row.art20_6.administrative_coercion"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher()


def _best(matcher: Matcher, text: str, section: str | None = None) -> tuple[str | None, str, float]:
    cands = matcher.candidates(text, section)
    assert cands, f"no match for {text!r}"
    return cands[0].id, cands[0].tier, cands[0].score


# ------------------------------------------------------------------ notes


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # closed note, full-width brackets and quotes
        ("规范性文件（机关依法制定、在一定时期内反复适用的“办法”“规定”等）", NORMATIVE),
        # half-width brackets, the note cut off where the page ended
        ("规范性文件(行政机关制定发布的决定、公告、通告、意见、通", NORMATIVE),
        # a note wrapped over lines (the reader joins the cell's lines with a line break)
        ("其他对外管理服务事项（指行政许可\n以外的对外管理服务事项）", OTHER_SERVICES),
        # a note with a note inside it
        ("行政事业性收费（指本年度（含代收）项目）", FEES),
        ("（二）部分公开（区分处理的，只计这一情况，不计其他情况）", "s3.row.r3_2_partial"),
        ("本年增/减（指本年增加或减少的事项数，减用负值表示，如-8）", "s2.col.2019.art20_5.items_change"),
    ],
)
def test_note_stripped_tier(matcher: Matcher, text: str, key: str) -> None:
    assert _best(matcher, text) == (key, "note_stripped", 100.0)


def test_official_label_with_its_own_note_is_exact(matcher: Matcher) -> None:
    # The template's own wording of 部分公开 includes the note: nothing was stripped from it.
    text = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert _best(matcher, text) == ("s3.row.r3_2_partial", "exact", 100.0)
    assert _best(matcher, "行政许可") == ("s2.row.art20_5.administrative_licensing", "exact", 100.0)


def test_the_tail_of_a_wrapped_note_is_not_a_label(matcher: Matcher) -> None:
    # The second line of a wrapped note mentions a label inside it: it must not open that row.
    assert matcher.candidates("以外的其他对外管理服务事项）") == []
    assert matcher.candidates("知，以及标题采用“规定”“办法”等的文件）") == []


def test_label_core_is_short_for_a_long_note() -> None:
    text = (
        "（一）规范性文件（行政机关制定发布的决定、公告、通告、意见、通知，"
        "以及标题采用“规定”“办法”“细则”等名称、对公民法人具有普遍约束力的文件）"
    )
    assert len(text) > 60
    assert label_core(text) == "规范性文件"


def test_strip_notes() -> None:
    assert strip_notes("规章(设区的市(州)人民政府)") == ("规章", True)
    assert strip_notes("规范性文件(行政机关制定") == ("规范性文件", True)
    assert strip_notes("通知,以及标题)") == ("", True)
    assert strip_notes("行政许可") == ("行政许可", False)


# ------------------------------------------------------------------ digits run into a label


@pytest.mark.parametrize(
    ("text", "key", "digits"),
    [
        ("其他对外管理服务事项000", OTHER_SERVICES, "000"),
        ("行政事业性收费00", FEES, "00"),
        ("行政规范性文件 3 0 41", NORMATIVE, "3 0 41"),
        ("行政事业性收费12.5", FEES, "12.5"),
        ("规章000", "s2.row.art20_1.regulations", "000"),
        ("（二）部分公开2000002", "s3.row.r3_2_partial", "2000002"),
        ("规范性文件（含行政规范性文件）513", NORMATIVE, "513"),
    ],
)
def test_run_in_digits_come_back_apart_from_the_label(
    matcher: Matcher, text: str, key: str, digits: str
) -> None:
    found = matcher.run_in(text)
    assert found is not None
    assert found.matches[0].id == key
    assert found.digits == digits
    # The plain lookup never swallows the digits into a fuzzy match of the label.
    assert matcher.candidates(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "2023",  # no label
        "行政许可",  # no digits
        "上一年项目数量（指2019",  # the digits are inside a note cut off at the line end
        "本年新收申请10330年",  # not digits at the end
    ],
)
def test_no_run_in(matcher: Matcher, text: str) -> None:
    assert matcher.run_in(text) is None


def test_run_in_rows_keep_their_cells_end_to_end() -> None:
    text = "\n".join(
        [
            "某县交通运输局2020年政府信息公开工作年度报告",
            "二、主动公开政府信息情况",
            "第二十条第（五）项",
            "信息内容",
            "上一年项目数量",
            "本年增/减",
            "处理决定数量",
            "行政许可",
            "12",
            "0",
            "340",
            "其他对外管理服务事项（指行政许可以外的",
            "对外管理服务事项）",
            "4",
            "1",
            "25",
            "第二十条第（八）项",
            "信息内容",
            "上一年项目数量",
            "本年增/减",
            "行政事业性收费30",
        ]
    )
    report = parse_bytes(text.encode(), "t.txt")
    values = report.values()
    assert values["s2.art20_5.other_management_services.decisions"] == 25
    assert values["s2.art20_8.administrative_fees.prev_year_items"] == 3
    assert values["s2.art20_8.administrative_fees.items_change"] == 0
    assert not [w for w in report.warnings if "没有对应的行标签" in w or "has 0 values" in w]
    assert {m.tier for m in report.labels if m.key == OTHER_SERVICES} == {"note_stripped"}


# ------------------------------------------------------------------ containment


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("市级行政规范性文件", NORMATIVE),
        ("本级政府集中采购", "s2.row.art20_9.centralized_procurement"),
    ],
)
def test_contained_tier(matcher: Matcher, text: str, key: str) -> None:
    assert _best(matcher, text) == (key, "contained", 88.0)


@pytest.mark.parametrize(
    "text",
    [
        "全年办理行政许可",  # the label is half of the line: prose
        "我局严格执行行政许可相关规定",
        "行政许可事项办理情况良好，全年共办理",
        "行政许可和行政处罚",  # two labels: ambiguous
        "其中：行政处罚",
    ],
)
def test_prose_never_matches_by_containment(matcher: Matcher, text: str) -> None:
    assert [m for m in matcher.candidates(text) if m.tier == "contained"] == []


# ------------------------------------------------------------------ clipped at a known position


def test_clipped_label_at_a_position_with_one_candidate(matcher: Matcher) -> None:
    allowed = [PENALTY, COERCION]
    [m] = matcher.at_position("行政强", allowed)
    assert (m.id, m.tier, m.score) == (COERCION, "clipped", 85.0)
    [m] = matcher.at_position("行政处", allowed)
    assert (m.id, m.tier) == (PENALTY, "clipped")


def test_clipped_label_ambiguous_or_foreign_stays_unmatched(matcher: Matcher) -> None:
    assert matcher.at_position("行政", [PENALTY, COERCION]) == []  # start of both
    assert matcher.at_position("行政强", [FEES]) == []  # not a start of the allowed label
    assert matcher.at_position("行政强000", [COERCION]) == []  # digits: a run-in row, not a clip


def test_position_keeps_ordinary_matches(matcher: Matcher) -> None:
    [m] = matcher.at_position("行政强制（含查封扣押）", [PENALTY, COERCION])
    assert (m.id, m.tier) == (COERCION, "note_stripped")


def test_fuzzy_tier_still_there(matcher: Matcher) -> None:
    key, tier, score = _best(matcher, "属于行政执法卷宗", "s3")
    assert (key, tier) == ("s3.row.r3_3_7_enforcement_file", "fuzzy")
    assert 80.0 <= score < 100.0


# ------------------------------------------------------------- every tier, and the order they are tried in


@pytest.mark.parametrize(
    ("text", "key", "tier", "score"),
    [
        ("规范性文件", NORMATIVE, "exact", 100.0),
        ("规 范 性 文 件", NORMATIVE, "exact", 100.0),  # spaces inside a label
        ("（一）予以公开", "s3.row.r3_1_granted", "exact", 100.0),
        ("四、结转下年度继续办理", "s3.row.r4_carry_forward", "exact", 100.0),
        ("1.属于国家秘密", "s3.row.r3_3_1_state_secret", "exact", 100.0),
        ("行政许可（2020年新增事项）", "s2.row.art20_5.administrative_licensing", "note_stripped", 100.0),
        ("商业机构", "s3.col.commercial_enterprise", "alias", 100.0),
        ("合计", "s3.col.total", "alias", 100.0),
        ("复议", "s4.header.行政复议", "alias", 100.0),
        ("规范性文件数量", NORMATIVE, "alias", 100.0),
        ("行政许可事项办理情况", "s2.row.art20_5.administrative_licensing", "prefix", 90.0),  # annotation
        ("规范性文件说明", NORMATIVE, "prefix", 90.0),
        ("本年新收政府信息公开", "s3.row.r1_new_received", "prefix", 85.0),  # a long label clipped
        ("申请人逾期未按收费通知要求缴纳费用、行政机关不", "s3.row.r3_6_2_fee_unpaid", "prefix", 85.0),
        ("市级行政规范性文件", NORMATIVE, "contained", 88.0),
        ("属于行政执法卷宗", "s3.row.r3_3_7_enforcement_file", "fuzzy", 87.5),
    ],
)
def test_one_label_per_tier(matcher: Matcher, text: str, key: str, tier: str, score: float) -> None:
    assert _best(matcher, text) == (key, tier, score)


@pytest.mark.parametrize(
    ("text", "numbered"),
    [("规范性文件", False), ("（一）予以公开", True), ("()予以公开", True), ("2.其他", True)],
)
def test_numbering_is_reported_not_matched(matcher: Matcher, text: str, numbered: bool) -> None:
    assert matcher.candidates(text)[0].numbered is numbered


def test_fuzzy_cutoff_is_inclusive_at_80() -> None:
    """'属于三类内部事务信息' (10 characters) with two changed: ratio exactly 80, matched; three changed
    (or two of 8): below the cutoff, unmatched rather than guessed."""
    assert FUZZY_CUTOFF == 80.0
    matcher = Matcher()
    [m] = matcher.candidates("属于三类内部事务资料", "s3")
    assert (m.id, m.tier, m.score) == ("s3.row.r3_3_5_internal_affairs", "fuzzy", 80.0)
    assert matcher.candidates("关于三类内部事务资料", "s3") == []  # 70
    assert matcher.candidates("不是行政执法案卷", "s3") == []  # 75


@pytest.mark.parametrize("text", ["其他主动公开文件", "今天天气很好", "红头文件", "行", ""])
def test_unmatched(matcher: Matcher, text: str) -> None:
    assert matcher.candidates(text) == []


def test_ties_are_all_returned_and_a_section_narrows_them(matcher: Matcher) -> None:
    """'其他' is both a table-三 row and a table-三 column: the interpreter decides by position."""
    assert {m.id for m in matcher.candidates("其他")} == {"s3.row.r3_6_3_other", "s3.col.other_org"}
    assert matcher.candidates("规范性文件", "s3") == []  # a section-2 label asked in section 3
    assert matcher.candidates("商业机构", "s2") == []  # an alias only within its own section
    assert _best(matcher, "合计", "s3") == ("s3.col.total", "alias", 100.0)


def test_group_label_and_first_row_in_one_cell(matcher: Matcher) -> None:
    [m] = matcher.candidates("（三）不予公开 1.属于国家秘密")
    assert (m.id, m.tier, m.numbered) == ("s3.row.r3_3_1_state_secret", "exact", True)


def test_override_maps_ignores_and_beats_every_other_tier() -> None:
    matcher = Matcher({"红头文件": NORMATIVE, "规范性文件": "ignore", "行政许可": "s3.col.total"})
    assert _best(matcher, "红头文件") == (NORMATIVE, "override", 100.0)
    [ignored] = matcher.candidates("规 范 性 文 件")  # the override key is normalised like a label
    assert (ignored.target, ignored.tier) == (None, "override")
    assert _best(matcher, "行政许可") == ("s3.col.total", "override", 100.0)  # beats exact
    assert matcher.candidates("（一）红头文件") == []  # the numbering is part of the saved label


def test_override_to_an_unknown_target_falls_back_to_the_tiers() -> None:
    matcher = Matcher({"规范性文件": "s9.row.no_such_row"})
    assert _best(matcher, "规范性文件") == (NORMATIVE, "exact", 100.0)


def test_digits_run_into_a_label_are_no_fuzzy_match(matcher: Matcher) -> None:
    """A run-in row is left to run_in(): a fuzzy or prefix match would lose its digits."""
    assert matcher.candidates("行政事业性收费00") == []
    run_in = matcher.run_in("行政事业性收费00")
    assert run_in is not None and (run_in.label, run_in.digits) == ("行政事业性收费", "00")

"""Linking reports to roster entries (library/roster_link.py): every tier, regions, the cutoff, ties."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from library.roster_link import (
    FUZZY_CUTOFF,
    RosterIndex,
    RosterItem,
    link_reports,
    normalize_name,
    placed_name,
    same_region,
)

ROSTER = [
    RosterItem(1, "区财政局", "洪泽区"),
    RosterItem(2, "区财政局", "淮阴区"),
    RosterItem(3, "洪泽区人民政府", "洪泽区", ("洪泽区政府",)),
    RosterItem(4, "洪泽区卫生健康委员会", "洪泽区"),
    RosterItem(5, "淮安市人民政府", "淮安市"),
    RosterItem(6, "高良涧街道办事处", "洪泽区", ("高良涧街道",)),
    RosterItem(7, "洪泽区市场监督管理局", "洪泽区"),
]


@pytest.fixture(scope="module")
def index() -> RosterIndex:
    return RosterIndex(ROSTER)


def test_exact_full_name_and_name_without_its_region(index):
    # The parser writes the city in front ("淮安市洪泽区人民政府"); the roster lists it within 洪泽区.
    link = index.link("淮安市洪泽区人民政府", "洪泽区")
    assert (link.entry_id, link.tier, link.score) == (3, "exact", 100.0)
    assert index.link("淮安市人民政府", "淮安市").entry_id == 5
    # Full-width spaces, traditional characters: normalised before comparing.
    assert index.link("淮安市人民政府 ", "淮安市").entry_id == 5
    assert index.link("高良澗街道辦事處", "洪泽区").entry_id == 6


def test_alias_tier(index):
    link = index.link("洪泽区政府", "洪泽区")
    assert (link.entry_id, link.tier) == (3, "alias")
    assert index.link("淮安市洪泽区高良涧街道", "洪泽区").tier == "alias"


def test_same_short_name_in_two_regions_links_within_the_reports_region(index):
    # 区财政局 is listed for 洪泽区 and for 淮阴区: each report goes to its own region's entry.
    assert index.link("洪泽区财政局", "洪泽区").entry_id == 1
    assert index.link("淮阴区财政局", "淮阴区").entry_id == 2
    assert index.link("区财政局", "淮阴区").entry_id == 2
    # Without the report's region the short name could be either: no link, both candidates named.
    link = index.link("区财政局", None)
    assert (link.entry_id, link.tier, set(link.candidates)) == (None, "ambiguous", {1, 2})


def test_never_across_regions(index):
    # 清河区 has no 财政局 in the roster: neither 洪泽区's nor 淮阴区's entry may take its report.
    assert index.link("清河区财政局", "清河区").entry_id is None
    # Not even a near name: 清河区卫生健康委员会 is 100 % like 洪泽区's entry without the region.
    assert index.link("清河区卫生健康委员会", "清河区").entry_id is None
    # A name that states its region belongs there, whatever region was given with it.
    assert index.link("淮安市洪泽区人民政府", "淮安市").entry_id == 3


def test_fuzzy_tier_above_the_cutoff(index):
    name = "洪泽区卫生和健康委员会"
    score = fuzz.ratio(placed_name(name, "洪泽区")[1], "卫生健康委员会")
    assert score >= FUZZY_CUTOFF
    link = index.link(name, "洪泽区")
    assert (link.entry_id, link.tier) == (4, "fuzzy")
    assert link.score == pytest.approx(score)


def test_fuzzy_tier_below_the_cutoff_is_no_link(index):
    # 市场监管局 is a common short form of 市场监督管理局, but only 83 % alike: below the cutoff of 85.
    name = "洪泽区市场监管局"
    score = fuzz.ratio(placed_name(name, "洪泽区")[1], "市场监督管理局")
    assert score < FUZZY_CUTOFF
    link = index.link(name, "洪泽区")
    assert (link.entry_id, link.tier) == (None, "none")
    # With the short form as an alias it links (the office's way to teach the roster a name).
    with_alias = RosterIndex([RosterItem(7, "洪泽区市场监督管理局", "洪泽区", ("洪泽区市场监管局",))])
    assert with_alias.link(name, "洪泽区").tier == "alias"


def test_fuzzy_tie_is_ambiguous():
    # 农业农村 is 89 % like both 农业农村局 and 农业农村委: neither is taken.
    index = RosterIndex(
        [RosterItem(1, "洪泽区农业农村局", "洪泽区"), RosterItem(2, "洪泽区农业农村委", "洪泽区")]
    )
    link = index.link("洪泽区农业农村", "洪泽区")
    assert link.entry_id is None and link.tier == "ambiguous" and set(link.candidates) == {1, 2}


def test_reviewer_link_wins_and_is_reused(index):
    # A reviewer decided that 洪泽区市场监管局 is entry 7: the saved link beats every automatic tier …
    saved = {(normalize_name("洪泽区市场监管局"), "洪泽区"): 7}
    assert index.link("洪泽区市场监管局", "洪泽区", saved).tier == "reviewer"
    # … and "not in the roster" (None) stops even an exact match.
    saved_none = {(normalize_name("淮安市人民政府"), "淮安市"): None}
    link = index.link("淮安市人民政府", "淮安市", saved_none)
    assert (link.entry_id, link.tier) == (None, "reviewer")
    # Reused for every report of that name and region (another year), and only in that region.
    links = link_reports(
        [(10, "洪泽区市场监管局", "洪泽区"), (11, "洪泽区市场监管局", "洪泽区")], ROSTER, saved
    )
    assert {k: v.entry_id for k, v in links.items()} == {10: 7, 11: 7}


def test_unknown_report_region_links_only_a_unique_full_name():
    index = RosterIndex([RosterItem(1, "县教育局"), RosterItem(2, "施秉县教育和科技局", "施秉县")])
    assert index.link("县教育局", None).entry_id == 1  # a roster without regions is one flat list
    assert index.link("施秉县教育和科技局", None).entry_id == 2
    assert index.link("县教育体育局", None).entry_id is None  # 80 %: below the cutoff


def test_regions_and_names():
    assert same_region("淮安市洪泽区", "洪泽区") and not same_region("淮安市", "洪泽区")
    assert not same_region(None, "洪泽区")
    assert placed_name("淮安市洪泽区人民政府", None) == ("洪泽区", "人民政府")
    assert placed_name("区财政局", "洪泽区") == ("洪泽区", "财政局")
    assert placed_name("区财政局", "施秉县") == ("施秉县", "区财政局")  # 区 is not 施秉县's level


def test_every_tier_and_status_has_a_chinese_name():
    from library.completeness import STATUSES
    from library.roster_link import LINK_TIERS
    from parsing.vocabulary import PUBLICATION_STATUS_NAMES, ROSTER_LINK_NAMES

    assert set(ROSTER_LINK_NAMES) == set(LINK_TIERS)
    assert set(PUBLICATION_STATUS_NAMES) == set(STATUSES)


def test_unknown_names_read_back_as_nan_link_nothing():
    # A report whose agency or region the parser could not read comes back from a DataFrame as NaN.
    nan = float("nan")
    links = link_reports([(1, nan, "洪泽区"), (2, "区财政局", nan), (3, "区财政局", "洪泽区")], ROSTER)
    assert links[1].entry_id is None and links[2].entry_id is None
    assert links[3].entry_id == 1
    assert normalize_name(nan) == ""  # type: ignore[arg-type]

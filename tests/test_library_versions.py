"""Report versions: a corrected report for the same agency, region and year replaces the stored one.

The real 洪泽区 2023 report states table 四 totals of 0 where its own figures add up to 11 (行政复议)
and 5 (复议后起诉): D5 fails in the document itself. The "corrected" report is that document's text
with those two totals set to the sum of their parts, as an agency's corrected re-publication would.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from legacy_db import make_legacy, to_baseline
from paths import HONGZE_2023

from library import aggregate as agg
from library.migrate import current_revision, head_revision
from library.store import Library
from library.versions import Member, ordered, values_diff, version_name
from parsing.api import parse_bytes
from parsing.report import ParsedReport

REVIEW_TOTAL = "s4.review_total"
LIT_AFTER_TOTAL = "s4.lit_after_review_total"


@pytest.fixture(scope="module")
def original() -> tuple[ParsedReport, bytes]:
    data = HONGZE_2023.read_bytes()
    return parse_bytes(data, HONGZE_2023.name), data


def _corrected_text(text: str) -> str:
    """The report text with table 四's two group totals replaced by the sum of their four outcomes."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("五、")) - 1
    cells = lines[at].split("\t")
    assert len(cells) == 15, cells  # 复议 5, 直接起诉 5, 复议后起诉 5
    for total in (4, 14):  # the total of 行政复议 and of 复议后起诉
        cells[total] = str(sum(int(c) for c in cells[total - 4 : total]))
    lines[at] = "\t".join(cells)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def corrected(original: tuple[ParsedReport, bytes]) -> tuple[ParsedReport, bytes]:
    data = _corrected_text(original[0].text).encode("utf-8")
    return parse_bytes(data, "洪泽区2023年政府信息公开工作年度报告（更正版）.txt"), data


@pytest.fixture()
def lib(tmp_path: Path) -> Library:
    library = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    yield library
    library.close()


def _hongze(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["agency"] == "淮安市洪泽区人民政府"]


def test_the_fixture_pair_is_a_real_correction(original, corrected) -> None:
    old, new = original[0], corrected[0]
    assert (
        (old.agency, old.region, old.year)
        == (new.agency, new.region, new.year)
        == (
            "淮安市洪泽区人民政府",
            "洪泽区",
            2023,
        )
    )
    assert old.cells[REVIEW_TOTAL].value == 0 and new.cells[REVIEW_TOTAL].value == 11
    assert old.cells[LIT_AFTER_TOTAL].value == 0 and new.cells[LIT_AFTER_TOTAL].value == 5
    assert {c.rule for c in old.checks if c.status == "fail"} == {"D5_review", "D5_lit_after"}
    assert not [c for c in new.checks if c.status == "fail"]


def test_a_corrected_upload_becomes_the_current_version(lib: Library, original, corrected) -> None:
    old_id, _ = lib.add(*original)
    assert set(lib.failed_checks()["report_id"]) == {old_id}
    new_id, created = lib.add(*corrected)
    assert created and new_id != old_id
    listing = lib.list().set_index("report_id")
    assert len(listing) == 2  # the old version is kept
    assert listing.loc[old_id, "superseded_by"] == new_id and pd.isna(listing.loc[new_id, "superseded_by"])
    assert list(listing.loc[[old_id, new_id], "version"]) == [1, 2]
    assert list(listing.loc[[old_id, new_id], "n_versions"]) == [2, 2]
    df = lib.dataset()
    assert list(df["report_id"]) == [new_id]  # one row: the new values
    assert df[REVIEW_TOTAL].iloc[0] == 11 and df[LIT_AFTER_TOTAL].iloc[0] == 5
    assert agg.kpis(df)["reports"] == 1
    assert lib.failed_checks().empty  # the old version's D5 failures are not findings any more
    counts = lib.counts()
    assert counts["reports"] == 1 and counts["superseded"] == 1 and counts["agencies"] == 1
    assert lib.filter_options()["years"] == [2023]
    note = lib.version_note(new_id)
    assert note is not None and "第 2 版" in note and f"编号 {new_id}" in note and "当前版本" in note
    assert lib.version_note(old_id) is not None and "第 1 版" in lib.version_note(old_id)


def test_only_the_current_versions_checks_are_listed(lib: Library, original, corrected) -> None:
    # The faulty document uploaded after the corrected one is the later version, and its failures count.
    fixed_id, _ = lib.add(*corrected)
    faulty_id, _ = lib.add(*original)
    failed = lib.failed_checks()
    assert set(failed["report_id"]) == {faulty_id}
    assert set(failed["rule"]) == {"D5_review", "D5_lit_after"}
    assert list(lib.dataset()["report_id"]) == [faulty_id]
    assert lib.list().set_index("report_id").loc[fixed_id, "superseded_by"] == faulty_id


def test_the_diff_lists_exactly_the_changed_cells(lib: Library, original, corrected) -> None:
    old_id, _ = lib.add(*original)
    new_id, _ = lib.add(*corrected)
    diff = lib.version_diff(old_id, new_id)
    assert list(diff["key"]) == [REVIEW_TOTAL, LIT_AFTER_TOTAL]
    assert list(diff["label"]) == ["行政复议 · 总计", "行政诉讼 · 复议后起诉 · 总计"]
    assert list(diff["old"]) == [0, 0] and list(diff["new"]) == [11, 5]
    assert lib.version_diff(new_id, old_id)["new"].tolist() == [0, 0]
    # A reviewer's correction is what every page shows, so the diff shows it too.
    lib.add_correction(old_id, REVIEW_TOTAL, 11, note="按分项合计更正")
    assert list(lib.version_diff(old_id, new_id)["key"]) == [LIT_AFTER_TOTAL]


def test_blank_is_not_zero_in_a_diff() -> None:
    old = {"a": None, "b": 0.0, "c": 3.0, "d": None}
    new = {"a": 0.0, "b": 0.0, "c": None, "e": float("nan")}
    diff = values_diff(old, new, ["a", "b", "c", "d", "e"])
    assert list(diff["key"]) == ["a", "c"]  # blank → 0 and 3 → blank; absent and blank are both no figure
    assert pd.isna(diff["old"].iloc[0]) and diff["new"].iloc[0] == 0


def test_a_metadata_edit_makes_and_unmakes_versions(lib: Library, original, corrected) -> None:
    old_id, _ = lib.add(*original)
    new_id, _ = lib.add(*corrected, region="清河区")  # confirmed at upload: another district's report
    assert len(lib.dataset()) == 2 and lib.versions_of(old_id)["report_id"].tolist() == [old_id]
    lib.set_metadata(new_id, region="洪泽区")
    assert list(lib.dataset()["report_id"]) == [new_id]
    assert lib.versions_of(old_id)["report_id"].tolist() == [old_id, new_id]
    lib.set_metadata(old_id, year=2022)  # it was really last year's report
    assert sorted(lib.dataset()["report_id"]) == [old_id, new_id]
    assert lib.list()["superseded_by"].isna().all()
    # A re-parse keeps confirmed metadata, so the reports stay apart.
    lib.reparse(old_id)
    assert sorted(lib.dataset()["report_id"]) == [old_id, new_id]


def test_deleting_the_current_version_promotes_the_previous(lib: Library, original, corrected) -> None:
    old_id, _ = lib.add(*original)
    new_id, _ = lib.add(*corrected)
    assert lib.delete(new_id)
    assert list(lib.dataset()["report_id"]) == [old_id]
    assert pd.isna(lib.list()["superseded_by"].iloc[0]) and lib.version_note(old_id) is None
    assert set(lib.failed_checks()["report_id"]) == {old_id}


def test_the_publication_date_decides_when_every_version_states_one(
    lib: Library, original, corrected
) -> None:
    fixed, fixed_data = corrected
    fixed.published = "2024-01-28"
    faulty, faulty_data = original
    faulty.published = "2024-01-20"
    try:
        fixed_id, _ = lib.add(fixed, fixed_data)
        faulty_id, _ = lib.add(faulty, faulty_data)  # stored later, published earlier: an older version
    finally:
        fixed.published = faulty.published = None
    assert list(lib.dataset()["report_id"]) == [fixed_id]
    note = lib.version_note(faulty_id)
    assert note is not None and "第 1 版" in note and f"当前版本仍为编号 {fixed_id}" in note


def test_version_order_is_total() -> None:
    dated = [Member(3, "2024-01-05"), Member(1, "2024-03-01"), Member(2, "2024-01-05")]
    assert [m.id for m in ordered(dated)] == [2, 3, 1]
    mixed = [Member(1, "2024-03-01"), Member(2, None), Member(3, "2024-01-01")]
    assert [m.id for m in ordered(mixed)] == [1, 2, 3]  # a date unknown anywhere: storage order
    assert version_name(2, 2, None) == "第2版（当前）"
    assert version_name(1, 2, 9) == "第1版（已被编号 9 取代）"
    assert version_name(1, 1, None) == ""


def test_the_migration_groups_an_existing_library(tmp_path: Path, original, corrected) -> None:
    path = tmp_path / "old.sqlite"
    lib = Library(f"sqlite:///{path}")
    old_id, _ = lib.add(*original)
    new_id, _ = lib.add(*corrected)
    lib.close()
    con = sqlite3.connect(path)  # the same library as the legacy runner's step 6 left it
    to_baseline(con)
    make_legacy(con, 6)
    con.commit()
    con.close()
    lib = Library(f"sqlite:///{path}")  # the baseline revision adds the column and groups the versions
    assert current_revision(lib.engine) == head_revision()
    assert list(lib.dataset()["report_id"]) == [new_id]
    assert lib.list().set_index("report_id").loc[old_id, "superseded_by"] == new_id
    lib.close()

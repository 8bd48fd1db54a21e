"""The findings with what the roster knows (library.findings.findings_with_roster): the roster's level
decides the deadline, a reviewer's date counts, and agencies without a report are missing — in the
chosen years, or the latest year of the library when none is chosen."""

from __future__ import annotations

from datetime import date

import pytest
from paths import SHARED_SEEDS

from library.filters import Filters
from library.findings import findings_with_roster
from library.samples import load_samples
from library.store import Library
from parsing.vocabulary import FINDING_LATE, FINDING_MISSING

ROSTER = "名称,类型,地区,层级\n盐池县教育体育局,教育,盐池县,{level}\n盐池县财政局,财政,盐池县,部门\n"


@pytest.fixture
def lib(tmp_path):
    library = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    load_samples(library, SHARED_SEEDS)  # 2020, 2021 and 2023 reports; 盐池县教育体育局 reports on 2020
    yield library
    library.close()


def _yanchi(lib: Library) -> int:
    return int(lib.search("盐池")["report_id"].iloc[0])


def _codes(found, code: str) -> set[tuple[str | None, int | None]]:
    return {(f.agency, f.year) for f in found if f.code == code}


def test_missing_agencies_in_the_latest_year_or_the_chosen_ones(lib: Library) -> None:
    lib.import_roster(ROSTER.format(level="部门").encode(), "名录.csv")
    # No year chosen: only the latest year of the library (2023), not every year before the roster.
    assert _codes(findings_with_roster(lib), FINDING_MISSING) == {
        ("盐池县财政局", 2023),
        ("盐池县教育体育局", 2023),
    }
    chosen = findings_with_roster(lib, Filters(years=(2020,)))
    assert _codes(chosen, FINDING_MISSING) == {("盐池县财政局", 2020)}  # 教育体育局 did publish on 2020


def test_reviewer_date_and_roster_level_decide_lateness(lib: Library) -> None:
    rid = _yanchi(lib)
    lib.set_publication_date(rid, date(2021, 3, 1), who="审核员")
    lib.import_roster(ROSTER.format(level="部门").encode(), "名录.csv")
    late = [f for f in findings_with_roster(lib, Filters(years=(2020,))) if f.code == FINDING_LATE]
    assert [f.report_id for f in late] == [rid]  # a department's report is due on 31 January 2021
    lib.import_roster(ROSTER.format(level="人民政府").encode(), "名录.csv", replace=True)
    late = [f for f in findings_with_roster(lib, Filters(years=(2020,))) if f.code == FINDING_LATE]
    assert late == []  # at the 人民政府 level the deadline is 31 March 2021


def test_without_a_roster_nothing_is_missing(lib: Library) -> None:
    assert _codes(findings_with_roster(lib), FINDING_MISSING) == set()


def test_findings_name_the_region_of_their_agency(lib: Library) -> None:
    """Two agencies of one name in two regions are two agencies: every finding carries the region."""
    lib.import_roster(ROSTER.format(level="部门").encode(), "名录.csv")
    found = findings_with_roster(lib)
    regions = dict(zip(lib.dataset()["report_id"], lib.dataset()["region"], strict=True))
    for f in found:
        if f.report_id is None:
            assert f.region == "盐池县"  # the roster's region of the missing agency
        else:
            expected = regions[f.report_id]
            assert f.region == (expected if isinstance(expected, str) else None)
    assert any(f.report_id is not None for f in found)

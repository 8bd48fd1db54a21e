"""发布情况 on a library with the real 洪泽区 and 淮安市 PDFs and a small roster: published (with the date
and its source), late, missing, not yet due, reports outside the roster, the reviewer's dates and links,
and migration 5 on an older database."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from paths import HONGZE_2023, HONGZE_2024, HUAIAN, SAMPLES

from library.completeness import NOT_DUE
from library.deadlines import LATE, MISSING, ON_TIME, UNKNOWN
from library.errors import LibraryError
from library.roster_io import RosterRow
from parsing.api import parse_bytes

ROSTER_CSV = (
    "机关名称,机关类型,地区,层级\n"
    "洪泽区人民政府,政府,洪泽区,人民政府\n"
    "淮安市人民政府,政府,淮安市,人民政府\n"
    "区财政局,财政,洪泽区,部门\n"  # no report in the library: missing
    "施秉县教育和科技局,教育,施秉县,部门\n"
).encode()
TODAY = date(2026, 1, 15)
SHIBING = SAMPLES / "000_bd3a826d0705f6e5.txt"  # 施秉县教育和科技局 2020, "发布时间：2021-01-25"


@pytest.fixture(scope="module")
def parsed():
    """The three real PDFs, parsed once for the module."""
    return {
        p: (parse_bytes(p.read_bytes(), p.name), p.read_bytes()) for p in (HONGZE_2023, HONGZE_2024, HUAIAN)
    }


@pytest.fixture
def lib(tmp_path, parsed):
    from library.store import Library

    library = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    for report, data in parsed.values():
        library.add(report, data)
    library.import_roster(ROSTER_CSV, "roster.csv")
    yield library
    library.close()


def _ids(lib) -> dict[tuple[str, int], int]:
    table, _ = lib.report_links()
    return {(r.agency, int(r.year)): int(r.report_id) for r in table.itertuples()}


def _row(result, name: str, region: str):
    table = result.entries
    return table[(table["name"] == name) & (table["region"] == region)].iloc[0]


def test_the_real_pdfs_state_no_publication_date(parsed):
    # What the parser gives: the three PDFs print no 发布时间 and no date under a signature.
    for report, _ in parsed.values():
        assert report.published is None and "published" not in report.metadata_source
    assert {r.agency for r, _ in parsed.values()} == {"淮安市洪泽区人民政府", "淮安市人民政府"}


def test_published_without_date_and_missing(lib):
    result = lib.completeness(2023, today=TODAY)
    hongze = _row(result, "洪泽区人民政府", "洪泽区")
    # Linked by name within 洪泽区 ("淮安市洪泽区人民政府"), published, date unknown.
    assert (hongze["status"], hongze["tier"], hongze["report_agency"]) == (
        UNKNOWN,
        "exact",
        "淮安市洪泽区人民政府",
    )
    assert hongze["deadline"] == date(2024, 3, 31)
    assert _row(result, "区财政局", "洪泽区")["status"] == MISSING
    assert _row(result, "淮安市人民政府", "淮安市")["status"] == MISSING  # its report is on 2024 only
    c = result.counts
    assert (c["expected"], c["published"], c[ON_TIME], c[LATE], c[MISSING], c[UNKNOWN]) == (4, 1, 0, 0, 3, 1)
    assert result.unmatched.empty


def test_reviewer_date_makes_it_late_and_can_be_withdrawn(lib):
    ids = _ids(lib)
    report_id = ids[("淮安市洪泽区人民政府", 2023)]
    # The government's report on 2023 was due on 31 March 2024: 15 April is 15 days late.
    lib.set_publication_date(report_id, date(2024, 4, 15), who="张三", note="据区政府网站")
    row = _row(lib.completeness(2023, today=TODAY), "洪泽区人民政府", "洪泽区")
    assert (row["status"], row["published"], row["source"], row["days_late"]) == (
        LATE,
        date(2024, 4, 15),
        "reviewer",
        15,
    )
    dates = lib.publication_dates([report_id])
    assert (dates.iloc[0]["published"], dates.iloc[0]["who"]) == ("2024-04-15", "张三")
    # A correction: 31 March is on the deadline day, on time.
    lib.set_publication_date(report_id, date(2024, 3, 31), who="李四")
    assert _row(lib.completeness(2023, today=TODAY), "洪泽区人民政府", "洪泽区")["status"] == ON_TIME
    # Withdrawn: the report's own date counts again (it states none).
    lib.set_publication_date(report_id, None, who="李四")
    assert _row(lib.completeness(2023, today=TODAY), "洪泽区人民政府", "洪泽区")["status"] == UNKNOWN
    with pytest.raises(LibraryError):
        lib.set_publication_date(9999, date(2024, 1, 1))
    # Deleting the report deletes its dates.
    lib.delete(report_id)
    assert lib.publication_dates([report_id]).empty


def test_date_stated_by_the_report_on_time_and_late(lib):
    # A department's report with 发布时间 in the page: on time as written, late when published on 8 February.
    data = SHIBING.read_bytes()
    lib.add(parse_bytes(data, SHIBING.name), data)
    late = data.replace(b"2021-01-25", b"2021-02-08")
    assert late != data
    result = lib.completeness(2020, today=TODAY)
    row = _row(result, "施秉县教育和科技局", "施秉县")
    assert (row["status"], row["published"], row["source"]) == (ON_TIME, date(2021, 1, 25), "page")
    lib.delete(int(row["report_id"]))
    lib.add(parse_bytes(late, "late.txt"), late)
    row = _row(lib.completeness(2020, today=TODAY), "施秉县教育和科技局", "施秉县")
    assert (row["status"], row["days_late"], row["source"]) == (LATE, 8, "page")


def test_not_yet_due_and_filters(lib):
    # On 15 January 2025 a department's report on 2024 is not due yet; the governments' not until March.
    result = lib.completeness(2024, today=date(2025, 1, 15))
    assert _row(result, "区财政局", "洪泽区")["status"] == NOT_DUE
    # Expected: the 2 governments (both published); the 2 departments without a report are not due yet.
    assert (result.counts["expected"], result.counts["published"], result.counts[NOT_DUE]) == (2, 2, 2)
    # A day after their deadline (31 January 2025) they are missing.
    after = lib.completeness(2024, today=date(2025, 2, 1))
    assert (after.counts["expected"], after.counts[MISSING]) == (4, 2)
    only = lib.completeness(2024, _filters(regions=("洪泽区",)), today=TODAY)
    assert sorted(only.entries["name"]) == ["区财政局", "洪泽区人民政府"]
    typed = lib.completeness(2024, _filters(agency_types=("财政",)), today=TODAY)
    assert list(typed.entries["name"]) == ["区财政局"]


def _filters(**kwargs):
    from library.filters import Filters

    return Filters(**kwargs)


def test_reports_outside_the_roster_and_the_reviewers_link(lib):
    lib.save_roster([r for r in lib.roster() if r.name != "淮安市人民政府"])
    result = lib.completeness(2024, today=TODAY)
    assert list(result.unmatched["agency"]) == ["淮安市人民政府"]
    assert "淮安市人民政府" not in set(result.entries["name"])
    # The reviewer says 淮安市人民政府's report is not in the roster … then links 洪泽区's to another entry.
    lib.save_link("淮安市人民政府", "淮安市", None, who="张三")
    table, _ = lib.report_links(2024)
    assert table.set_index("agency").loc["淮安市人民政府", "tier"] == "reviewer"
    entry = next(r for r in lib.roster() if r.name == "区财政局")
    lib.save_link("淮安市洪泽区人民政府", "洪泽区", entry.id, who="张三")
    for year in (2023, 2024):  # one decision, every report of that agency in that region
        row = _row(lib.completeness(year, today=TODAY), "区财政局", "洪泽区")
        assert (row["status"], row["tier"]) == (UNKNOWN, "reviewer")
    assert lib.remove_link("淮安市洪泽区人民政府", "洪泽区")
    assert _row(lib.completeness(2024, today=TODAY), "洪泽区人民政府", "洪泽区")["tier"] == "exact"
    with pytest.raises(LibraryError):
        lib.save_link("淮安市人民政府", "淮安市", 9999)


def test_edited_roster_is_checked(lib):
    rows = lib.roster()
    with pytest.raises(LibraryError) as err:
        lib.save_roster([*rows, RosterRow("区财政局", region="洪泽区"), RosterRow(" ", level="科级")])
    assert "重复" in err.value.zh and "名称为空" in err.value.zh and "科级" in err.value.zh
    entry = next(r for r in rows if r.name == "区财政局")
    lib.save_link("洪泽区财政局", "洪泽区", entry.id)
    result = lib.save_roster(
        [r for r in rows if r.id != entry.id] + [RosterRow("区统计局", "统计", "洪泽区")]
    )
    assert (result.added, result.updated, result.removed) == (1, 3, 1)
    assert lib.saved_links() == {}  # the deleted entry's links went with it


def test_migration_5_on_an_older_database(tmp_path: Path):
    from legacy_db import legacy_library

    from library.migrate import current_revision, head_revision
    from library.store import Library

    path = tmp_path / "v4.sqlite"
    lib = Library(legacy_library(path, 4))  # a database made before the legacy step 5
    assert current_revision(lib.engine) == head_revision()
    data = SHIBING.read_bytes()
    report_id, _ = lib.add(parse_bytes(data, SHIBING.name), data)
    lib.import_roster("名称,地区\n施秉县教育和科技局,施秉县\n".encode(), "r.csv")
    assert _row(lib.completeness(2020, today=TODAY), "施秉县教育和科技局", "施秉县")["source"] == "page"
    lib.close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT published_source FROM reports WHERE id = ?", (report_id,)).fetchone() == (
        "page",
    )
    con.close()

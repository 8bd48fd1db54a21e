"""Self-check (自查) drafts (library/drafts.py): a draft never counts as published anywhere; its findings
equal those the supervisor sees once the same file is stored as a report; each account reaches only
its own drafts; a broken file stores nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import paths
import pytest
from sqlalchemy import func, select
from test_findings import COPY_TEXT, OWN_TEXT

from library.access import Account, Role, Scope
from library.completeness import NOT_DUE
from library.db import Draft
from library.deadlines import MISSING
from library.documents.notice import notice_keys
from library.drafts import (
    delete_draft,
    draft_bytes,
    draft_findings,
    findings_for_parse,
    get_draft,
    list_drafts,
    save_draft,
    shown_to,
)
from library.errors import LibraryError
from library.finding import Finding
from library.findings import findings_of, findings_with_roster, scores_with_roster
from library.ingest import parse_one
from library.roster_io import RosterRow
from library.store import Library
from library.synthetic import SyntheticSpec, synthetic_text
from parsing.vocabulary import FINDING_LATE

REGION = "（合成）测试县"
EDU = f"{REGION}教育局"
HEALTH = f"{REGION}卫生健康局"
POLICE = f"{REGION}公安局"
COPY = COPY_TEXT.format(agency="本机关")
S2_SENTENCE = "\n\n本年度共收到政府信息公开申请9999件。\n\n"  # differs from the table's 本年新收


def report_bytes(agency: str, year: int, extra: str = "") -> bytes:
    """A synthetic report text in the official layout (read by the real parser), plus ``extra`` prose."""
    return (synthetic_text(SyntheticSpec(REGION, agency, "教育", year)) + extra).encode()


def store(lib: Library, data: bytes, name: str, agency: str, year: int, region: str = REGION) -> int:
    """Store ``data`` as the upload page does: parsed with the library's overrides, metadata confirmed."""
    parsed = parse_one(data, name, lib.label_overrides())
    report_id, created = lib.add(parsed, data, agency=agency, region=region, year=year)
    assert created
    return report_id


def agency_account(name: str = "edu", agency: str = EDU, region: str = REGION) -> Account:
    return Account(name, Role.AGENCY, Scope(regions=(region,), agency=agency))


def comparable(found: list[Finding]) -> list[tuple]:
    """What the supervisor reads of each finding (the report id differs: a draft has none)."""
    return sorted(
        (f.code, f.key, f.severity, f.message, repr(sorted(f.evidence.items())), f.agency, f.year, f.region)
        for f in found
    )


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    out = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    yield out
    out.close()


@pytest.fixture
def library_with_neighbours(lib: Library) -> Library:
    """The education bureau's 2022 report (its prose then copied), two other agencies' 2023 reports
    (one sharing that prose), and the roster listing all three."""
    store(lib, report_bytes(EDU, 2022, COPY), "edu2022.txt", EDU, 2022)
    store(lib, report_bytes(HEALTH, 2023, COPY), "health2023.txt", HEALTH, 2023)
    store(lib, report_bytes(POLICE, 2023, OWN_TEXT.format(agency="本局")), "police2023.txt", POLICE, 2023)
    lib.save_roster([RosterRow(name, "教育", REGION) for name in (EDU, HEALTH, POLICE)])
    return lib


def draft_data() -> bytes:
    """The education bureau's 2023 draft: last year's prose again (also in 卫生健康局's report) and a
    figure in the prose that differs from its table."""
    return report_bytes(EDU, 2023, S2_SENTENCE + COPY)


# ------------------------------------------------------------------------------ findings equality


def test_draft_findings_equal_what_the_supervisor_sees_after_storing(library_with_neighbours) -> None:
    lib = library_with_neighbours
    account = agency_account()
    draft_id = save_draft(lib, account, draft_data(), "草稿.txt")
    draft = get_draft(lib, account, draft_id)
    assert draft is not None
    before = draft_findings(lib, draft)
    codes = {f.code for f in before}
    # Per-report (S2 prose vs table), across years against the stored 2022 report (X1), and prose
    # copied from last year's report and from another agency's report of the same year.
    assert {"S2", "X1", "COPY_PREVIOUS", "COPY_PEER"} <= codes, codes
    assert all(f.report_id is None and f.status == "open" for f in before)

    report_id = store(lib, draft_data(), "草稿.txt", EDU, 2023)
    supervisor = [f for f in findings_with_roster(lib) if f.report_id == report_id]
    assert comparable(before) == comparable(supervisor)
    # Against the library as it is now: the same again (the draft is its own report's next version).
    assert comparable(draft_findings(lib, draft)) == comparable(supervisor)


def test_real_report_draft_against_last_years_published_report(lib, tmp_path) -> None:
    """洪泽区人民政府: 2023 published in the library, 2024 checked as a draft, then stored."""
    old = paths.HONGZE_2023.read_bytes()
    store(lib, old, paths.HONGZE_2023.name, "淮安市洪泽区人民政府", 2023, region="洪泽区")
    account = agency_account("hongze", "淮安市洪泽区人民政府", "洪泽区")
    data = paths.HONGZE_2024.read_bytes()
    draft = get_draft(lib, account, save_draft(lib, account, data, paths.HONGZE_2024.name))
    assert draft is not None and draft.info.year == 2024
    before = draft_findings(lib, draft)
    assert "COPY_PREVIOUS" in {f.code for f in before}  # against the published 2023 report
    assert not [f for f in before if f.code == FINDING_LATE]  # a draft is not published
    report_id = store(lib, data, paths.HONGZE_2024.name, "淮安市洪泽区人民政府", 2024, region="洪泽区")
    supervisor = [f for f in findings_of(lib) if f.report_id == report_id and f.code != FINDING_LATE]
    assert comparable(before) == comparable(supervisor)


# ------------------------------------------------------------------------------ never counted


def _everything(lib: Library) -> dict:
    """Every view of the library a draft must not change."""
    findings = findings_with_roster(lib)
    return {
        "revision": lib.revision(),
        "counts": lib.counts(),
        "list": lib.list(),
        "dataset": lib.dataset(),
        "completeness_due": lib.completeness(2023, today=date(2024, 1, 10)).entries,
        "completeness_late": lib.completeness(2023, today=date(2024, 6, 1)).entries,
        "findings": comparable(findings),
        "notices": notice_keys(findings, 2023),
        "scores": scores_with_roster(lib),
        "options": lib.filter_options(),
    }


def test_a_draft_counts_nowhere(library_with_neighbours) -> None:
    lib = library_with_neighbours
    before = _everything(lib)
    save_draft(lib, agency_account(), draft_data(), "草稿.txt")
    after = _everything(lib)
    for name in ("dataset", "list", "scores", "completeness_due", "completeness_late"):
        pd.testing.assert_frame_equal(before.pop(name), after.pop(name), obj=name)
    assert before == after
    # The agency still has no 2023 report: not yet due in January, missing in June.
    due = lib.completeness(2023, today=date(2024, 1, 10)).entries.set_index("name")
    late = lib.completeness(2023, today=date(2024, 6, 1)).entries.set_index("name")
    assert due.loc[EDU, "status"] == NOT_DUE and late.loc[EDU, "status"] == MISSING
    assert not [f for f in findings_of(lib) if f.agency == EDU and f.year == 2023]


# ------------------------------------------------------------------------------ who sees what


def test_an_agency_reaches_only_its_own_drafts(library_with_neighbours) -> None:
    lib = library_with_neighbours
    edu, health = agency_account(), agency_account("health", HEALTH)
    mine = save_draft(lib, edu, draft_data(), "草稿.txt")
    theirs = save_draft(lib, health, report_bytes(HEALTH, 2024), "卫健草稿.txt")
    assert [d.id for d in list_drafts(lib, edu)] == [mine]
    assert [d.id for d in list_drafts(lib, health)] == [theirs]
    assert get_draft(lib, edu, theirs) is None and draft_bytes(lib, edu, theirs) is None
    assert delete_draft(lib, edu, theirs) is False
    assert get_draft(lib, health, theirs) is not None  # untouched
    # A reviewer (no scope) lists only the drafts it uploaded itself, not the agencies'.
    assert list_drafts(lib, Account("reviewer", Role.REVIEWER)) == []
    # The account's own agency and region win over anything given.
    other = save_draft(lib, edu, report_bytes(EDU, 2024), "x.txt", agency=HEALTH)
    assert get_draft(lib, edu, other).info.agency == EDU  # type: ignore[union-attr]
    with pytest.raises(LibraryError) as refused:
        save_draft(lib, edu, report_bytes(EDU, 2024), "x.txt", region="别的县")
    assert "地区" in refused.value.zh
    with pytest.raises(LibraryError):
        save_draft(lib, Account("viewer", Role.VIEWER), draft_data(), "x.txt")
    assert delete_draft(lib, edu, mine)
    assert mine not in [d.id for d in list_drafts(lib, edu)] and get_draft(lib, edu, mine) is None


def test_an_agency_is_not_told_which_other_agency_it_copied(library_with_neighbours) -> None:
    lib = library_with_neighbours
    account = agency_account()
    draft = get_draft(lib, account, save_draft(lib, account, draft_data(), "草稿.txt"))
    found = draft_findings(lib, draft)  # type: ignore[arg-type]
    peer = next(f for f in found if f.code == "COPY_PEER")
    assert HEALTH in peer.message and peer.evidence["other_agency"] == HEALTH
    shown = next(f for f in shown_to(account, found) if f.code == "COPY_PEER")
    assert HEALTH not in shown.message and "other_agency" not in shown.evidence
    assert shown.evidence["passages"] == peer.evidence["passages"]  # its own sentences stay
    previous = next(f for f in shown_to(account, found) if f.code == "COPY_PREVIOUS")
    assert EDU in previous.message  # its own last year's report is named


# ------------------------------------------------------------------------------ refusals store nothing


def _drafts(lib: Library) -> int:
    with lib.engine.connect() as conn:
        return conn.execute(select(func.count(Draft.id))).scalar_one()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("报告.pdf", b"%PDF-1.7\n" + b"\x00\x13garbage" * 50, "未能解析"),
        ("报告.docx", b"PK\x03\x04 not really a zip", "未能解析"),
        ("空.txt", b"", "未能解析"),
    ],
)
def test_a_broken_file_gives_a_chinese_message_and_stores_nothing(lib, name, data, words) -> None:
    with pytest.raises(LibraryError) as refused:
        save_draft(lib, agency_account(), data, name)
    assert words in refused.value.zh
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.zh.split("：", 1)[-1])
    assert _drafts(lib) == 0 and lib.counts()["reports"] == 0


def test_a_zip_of_several_reports_is_refused(lib) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a.txt", report_bytes(EDU, 2023))
        zf.writestr("b.txt", report_bytes(EDU, 2022))
    with pytest.raises(LibraryError) as refused:
        save_draft(lib, agency_account(), buffer.getvalue(), "两份.zip")
    assert "一份" in refused.value.zh and _drafts(lib) == 0


def test_cross_year_rules_compare_with_the_same_agency_only(library_with_neighbours) -> None:
    lib = library_with_neighbours
    parsed = parse_one(draft_data(), "草稿.txt")
    with_year = {f.code for f in findings_for_parse(lib, parsed, EDU, REGION, 2023)}
    other_region = {f.code for f in findings_for_parse(lib, parsed, EDU, "别的县", 2023)}
    assert "X1" in with_year and "X1" not in other_region  # another region's 教育局 is another agency

"""Per-region access in the library and on the command line: a county's scope lets through its own
reports only, in every read (dataset, lists, search, counts, one report, its original, findings, roster,
completeness, notices), and the unrestricted scope still sees everything; no scope (None) sees nothing."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date

import pytest
from _scope_support import (
    COUNTY,
    COUNTY_ACCOUNT,
    OTHER_MARKERS,
    OWN_MARKER,
    SAMPLES,
    build_two_regions,
    leaked,
)

from library import cli
from library.access import ALL, Account, Role, Scope
from library.documents.notice import NoticeOptions, notices_zip
from library.export import export_csv, export_excel
from library.filters import Filters, describe_filters
from library.findings import findings_with_roster, scores_with_roster
from library.store import Library
from library.visibility import report_visible, same_place
from parsing.api import parse_bytes

SCOPE = COUNTY_ACCOUNT.scope
COUNTY_ONLY = Filters(scope=SCOPE)


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    """(library path, ids) of the two-region library, built once for the module's read-only tests."""
    path = tmp_path_factory.mktemp("scope") / "library.sqlite"
    lib = Library(f"sqlite:///{path}")
    ids = build_two_regions(lib)
    yield lib, ids
    lib.close()


def test_names_compare_as_the_roster_linker_does():
    # With or without the region in front, normalised, only within the scope's regions.
    agency = Scope(regions=("洪泽区",), agency="洪泽区财政局")
    for name, region in (
        ("淮安市洪泽区财政局", "洪泽区"),
        ("区财政局", "洪泽区"),
        ("洪泽区 财政局", "洪泽区"),
    ):
        assert report_visible(name, region, agency), name
    for name, region in (("金湖县财政局", "金湖县"), ("区财政局", "清江浦区"), ("洪泽区教育局", "洪泽区")):
        assert not report_visible(name, region, agency), name
    assert report_visible("财政局", "淮安市洪泽区", agency)  # the region with its city in front
    assert not report_visible("洪泽区财政局", None, agency)  # no region: never within a regional scope
    assert same_place("淮安市洪泽区", "洪泽区") and not same_place("城南区", "南区")
    assert not report_visible("任何单位", "洪泽区", None)  # nobody signed in
    assert report_visible(None, None, ALL)


def test_dataset_lists_search_and_counts(two):
    lib, ids = two
    assert sorted(lib.dataset(COUNTY_ONLY)["report_id"]) == sorted(ids.own)
    assert sorted(lib.dataset()["report_id"]) == sorted(ids.own + ids.other)  # unrestricted: all
    assert lib.dataset(Filters(scope=None)).empty  # a session without an account
    assert sorted(lib.list(COUNTY_ONLY)["report_id"]) == sorted(ids.own)
    assert lib.list(Filters(scope=None)).empty
    # Searching for another county's name or file finds nothing; the sidebar's region choice cannot widen.
    assert lib.search("淮安市人民政府", COUNTY_ONLY).empty
    assert lib.search("huaian", COUNTY_ONLY).empty
    assert lib.dataset(Filters(regions=("淮安市",), scope=SCOPE)).empty
    assert len(lib.search("淮安市人民政府", Filters())) == 1
    counts = lib.counts(SCOPE)
    assert (counts["reports"], counts["agencies"], counts["regions"]) == (2, 1, 1)
    assert lib.counts(None)["reports"] == 0
    assert lib.counts()["reports"] == len(ids.own) + len(ids.other)
    assert lib.filter_options(SCOPE)["regions"] == [COUNTY]
    for frame in (
        lib.failed_checks(COUNTY_ONLY),
        lib.unmatched_labels(COUNTY_ONLY),
        lib.flagged_cells(COUNTY_ONLY),
    ):
        assert set(frame["report_id"]) <= set(ids.own)
    assert describe_filters(COUNTY_ONLY) == f"可见范围：{COUNTY}"


def test_one_report_original_and_delete_by_id(two):
    lib, ids = two
    own, other = ids.own[0], ids.other[0]
    assert lib.get(own, scope=SCOPE) is not None
    assert lib.get(other, scope=SCOPE) is None and lib.get(other) is not None
    assert lib.original_bytes(own, scope=SCOPE) is not None
    assert lib.original_bytes(other, scope=SCOPE) is None
    assert lib.original_bytes(other, scope=None) is None
    assert not lib.visible(other, SCOPE) and lib.visible(own, SCOPE) and lib.visible(other)
    assert lib.delete(other, scope=SCOPE) is False
    assert lib.get(other) is not None  # nothing was deleted
    assert set(lib.metadata_of(ids.own + ids.other, SCOPE)) == set(ids.own)


def test_exports_hold_the_county_only(two):
    lib, _ = two
    for data in (export_csv(lib.dataset(COUNTY_ONLY)), export_excel(lib.dataset(COUNTY_ONLY))):
        assert not leaked(data)
        assert OWN_MARKER in data.decode("utf-8", "ignore") or leaked(data, (OWN_MARKER,))
    assert leaked(export_csv(lib.dataset()))  # the check finds the other regions when they are there


def test_findings_notices_and_roster(two):
    lib, ids = two
    found = findings_with_roster(lib, COUNTY_ONLY)
    assert found and all(f.report_id in ids.own or f.report_id is None for f in found)
    assert all(f.region == COUNTY for f in found if f.report_id is None)
    missing = {f.agency for f in found if f.report_id is None}
    assert "区财政局" in missing  # the county's own roster entry without a report
    assert not leaked(json.dumps([f.to_json() for f in found], ensure_ascii=False, default=str))
    everything = findings_with_roster(lib, Filters())
    assert {"施秉县财政局", "（合成）乙县交通运输局"} & {f.agency for f in everything if f.report_id is None}
    for year in sorted({f.year for f in found if f.counts and f.year}):
        assert not leaked(notices_zip(found, year, NoticeOptions()))
    ranks = scores_with_roster(lib, COUNTY_ONLY)
    assert set(ranks["report_id"]) <= set(ids.own)
    assert [e.name for e in lib.roster(SCOPE)] == ["区财政局", "洪泽区人民政府"]
    assert not leaked(lib.export_roster("csv", SCOPE)) and not leaked(lib.export_roster("xlsx", SCOPE))
    table = lib.completeness(2024, COUNTY_ONLY, today=date(2025, 12, 31))
    assert set(table.entries["region"]) == {COUNTY}
    assert set(table.unmatched["report_id"]) <= set(ids.own)


def test_agency_scope_sees_its_own_agency_only(tmp_path):
    lib = Library(f"sqlite:///{tmp_path / 'a.sqlite'}")
    data = (SAMPLES / "004_e3c733e02cbb2cbf.txt").read_bytes()  # 县教育局 2023, no region
    own, _ = lib.add(parse_bytes(data, "a.txt"), data, agency="区教育局", region="洪泽区")
    other_bytes = data + b"\n"
    other, _ = lib.add(parse_bytes(other_bytes, "b.txt"), other_bytes, agency="区财政局", region="洪泽区")
    agency = Scope(regions=("洪泽区",), agency="淮安市洪泽区教育局")
    assert list(lib.dataset(Filters(scope=agency))["report_id"]) == [own]
    assert list(lib.list(Filters(scope=agency))["report_id"]) == [own]
    assert lib.get(other, scope=agency) is None
    lib.close()


def test_a_copy_from_another_region_does_not_name_it(tmp_path):
    """A county report copying another county's: the finding is shown, the other report is not named."""
    lib = Library(f"sqlite:///{tmp_path / 'c.sqlite'}")
    data = (SAMPLES / "000_bd3a826d0705f6e5.txt").read_bytes()  # 施秉县教育和科技局 2020
    lib.add(parse_bytes(data, "a.txt"), data, region="施秉县")
    copy = data + b"\n"
    mine, _ = lib.add(parse_bytes(copy, "b.txt"), copy, agency="洪泽区教育局", region="洪泽区")
    unrestricted = [f for f in findings_with_roster(lib, Filters()) if f.report_id == mine]
    assert any(f.evidence.get("other_agency") == "施秉县教育和科技局" for f in unrestricted)  # premise
    found = findings_with_roster(lib, COUNTY_ONLY)
    copies = [f for f in found if "other_report_id" in f.evidence]
    assert copies and all(f.evidence["other_report_id"] is None for f in copies)
    # The passages are this report's own text (copied from 施秉县's): only the other report's name goes.
    assert all("施秉县教育和科技局" not in f.message + str(f.evidence["other_agency"]) for f in copies)
    assert all("其他地区单位的报告" in f.message for f in copies)
    lib.close()


# ---------------------------------------------------------------------------------- command line


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    path = tmp_path / "library.sqlite"
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    monkeypatch.setenv("NIANBAO_DB_PATH", str(path))
    lib = Library()
    ids = build_two_regions(lib)
    lib.close()
    return ids


def _sign_in(accounts: dict[str, tuple[str, Account]]):
    def authenticate(lib, name, password):
        known = accounts.get(name)
        return known[1] if known and known[0] == password else None

    return authenticate


ACCOUNTS = {
    "hongze": ("secret", COUNTY_ACCOUNT),
    "city": ("secret", Account("city", Role.REVIEWER)),
    "viewer": ("secret", Account("viewer", Role.VIEWER, Scope(regions=(COUNTY,)))),
}


def _run(argv, monkeypatch, password="secret"):
    monkeypatch.setenv(cli.PASSWORD_ENV, password)
    out = io.StringIO()
    code = cli.main(argv, out=out, authenticate=_sign_in(ACCOUNTS))
    return code, out.getvalue()


def test_cli_findings_and_notices_of_a_county_user(cli_db, monkeypatch, tmp_path):
    code, out = _run(["findings", "--json", "--user", "hongze"], monkeypatch)
    assert code == 0
    rows = json.loads(out)
    assert rows and all(r["report_id"] in cli_db.own or r["report_id"] is None for r in rows)
    assert not leaked(out)
    code, out = _run(["findings", "--json", "--user", "city"], monkeypatch)
    assert code == 0 and leaked(out)  # the city's account sees every region
    folder = tmp_path / "notices"
    code, out = _run(["notices", "--year", "2024", "-o", str(folder), "--user", "hongze"], monkeypatch)
    assert code == 0, out
    files = list(folder.glob("*.docx"))
    assert files and not any(leaked(f.read_bytes()) or leaked(f.name) for f in files)
    code, out = _run(["findings", "--json", "--regions", COUNTY], monkeypatch)
    assert code == 0 and not leaked(out) and json.loads(out)


def test_cli_refuses_a_wrong_password_or_role(cli_db, monkeypatch, tmp_path, capsys):
    assert _run(["findings", "--user", "hongze"], monkeypatch, password="wrong")[0] == cli.EXIT_REFUSED
    assert "密码不正确" in capsys.readouterr().err
    folder = tmp_path / "n"
    argv = ["notices", "--year", "2024", "-o", str(folder), "--user", "viewer"]
    assert _run(argv, monkeypatch)[0] == cli.EXIT_REFUSED  # 只读 may not send notices
    assert not folder.exists()
    assert _run(["findings", "--user", "hongze", "--regions", "淮安市"], monkeypatch)[0] == cli.EXIT_REFUSED


def test_cli_ingest_hides_ids_outside_the_scope(cli_db, monkeypatch, tmp_path):
    huaian_seed = SAMPLES / "000_bd3a826d0705f6e5.txt"  # already stored under 施秉县
    code, out = _run(["ingest", str(huaian_seed), "--user", "hongze"], monkeypatch)
    assert code == 0
    assert "[重复]" in out and "编号" not in out and "不在您的可查看范围内" in out


def test_filters_keep_the_scope_through_replace():
    # Pages widen the years (dataclasses.replace) for the year before: the scope must stay.
    assert replace(COUNTY_ONLY, years=(2023,)).scope == SCOPE
    assert hash(Filters(scope=SCOPE)) != hash(Filters()) or Filters(scope=SCOPE) != Filters()
    assert OTHER_MARKERS  # the markers are shared with the UI tests

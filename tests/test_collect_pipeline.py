"""Collecting reports from websites (issue 14) against the local test server (tests/collect_server.py):
a column page with UTF-8 and GBK report pages, a report page with its PDF attached, a page changed
between two fetches, a URL that disappears, and hostile URLs — with the values a test expects taken
from the documents (sample_reports/expected), never from the collector."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from collect_server import change_cell, drip, seed_page_bytes

from library.access import Account, Role
from library.collect import pipeline
from library.collect import store as cstore
from library.collect.fetch import Fetcher, FetchPolicy
from library.errors import LibraryError
from library.filters import Filters
from library.findings import findings_with_roster
from library.store import Library
from parsing.vocabulary import FINDING_CHANGED_ONLINE, FINDING_URL_GONE

EXPECTED = Path(__file__).resolve().parents[1] / "sample_reports" / "expected"
LICENSING = "s2.art20_5.administrative_licensing.decisions"
NORMATIVE_ISSUED = "s2.art20_1.normative_documents.issued"
CHECKED_KEYS = (LICENSING, "s3.r1_new_received.natural_person", "s3.r1_new_received.total")


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = Library(f"sqlite:///{tmp_path / 'library.sqlite'}")
    yield library
    library.close()


@pytest.fixture(scope="module")
def fetcher() -> Iterator[Fetcher]:
    # Tests name 127.0.0.1 explicitly; no pause between requests (one test server, no one to spare).
    policy = FetchPolicy(
        allowed_hosts=frozenset({"127.0.0.1"}), per_host_interval_s=0.0, timeout_s=2.0, retries=0
    )
    with Fetcher(policy) as f:
        yield f


def expected(stem: str) -> dict:
    return json.loads((EXPECTED / f"{stem}.json").read_text(encoding="utf-8"))


def stored_value(lib: Library, report_id: int, key: str) -> float | None:
    report = lib.get(report_id)
    assert report is not None
    row = report.cells[report.cells["key"] == key]
    return None if row.empty else float(row["value"].iloc[0])


def effective_date(lib: Library, report_id: int) -> str | None:
    """The publication date that counts: the latest entered one, else the report's own."""
    dates = lib.publication_dates([report_id])
    if len(dates):
        return dates.iloc[-1]["published"]
    from sqlalchemy import select

    from library.db import Report

    with lib.engine.connect() as conn:
        return conn.execute(select(Report.published).where(Report.id == report_id)).scalar()


def by_url(results: list[pipeline.UrlResult]) -> dict[str, pipeline.UrlResult]:
    return {r.url: r for r in results}


# ---------------------------------------------------------------------- the story of the issue


def test_a_column_page_gives_its_reports_with_values_and_publication_dates(lib, site, fetcher):
    column = site.url(site.platform_column)
    results = pipeline.collect(lib, [column], fetch=fetcher.fetch, who="测试员")
    assert results[0].url == column and results[0].result == "column"
    # The column has two pages ("下一页"); the second page's link is relative to its <base href>.
    reports = {r.url: r for r in results[1:]}
    assert set(reports) == {site.url(p.path) for p in site.seed_pages}
    assert {r.result for r in reports.values()} == {"stored"}, [r.line() for r in results]
    for page in site.seed_pages:
        got = reports[site.url(page.path)]
        assert got.year == page.year
        assert got.published == page.published
        assert effective_date(lib, got.report_id) == page.published
        if page.stem.startswith("001"):
            continue  # its expected file has no row for every key checked below
        want = expected(page.stem)["cells"]
        for key in CHECKED_KEYS:  # UTF-8, GBK by <meta> and GBK by the HTTP header alike
            assert stored_value(lib, got.report_id, key) == pytest.approx(want[key]["value"]), (page, key)
    # Every fetched document is recorded: final URL, headers, sha256 of the bytes served, report.
    seed = site.seed("000")
    rows = cstore.fetches(lib, [site.url(seed.path)])
    assert len(rows) == 1
    row = rows.iloc[0]
    served = seed_page_bytes(seed.stem, seed.title, seed.published, seed.encoding)
    assert row["sha256"] == hashlib.sha256(served).hexdigest()
    assert row["final_url"] == site.url(seed.path) and row["http_date"] and row["kind"] == "page"
    assert row["report_id"] == reports[site.url(seed.path)].report_id and row["published"] == seed.published
    assert row["source_url"] == column
    # The uploads are the collector's, in the audit trail, with who did it.
    trail = lib.audit_entries()
    assert set(trail[trail["action"] == "report_upload"]["who"]) == {"测试员"}
    assert "网站采集" in trail[trail["action"] == "collect_run"]["summary"].iloc[0]

    # Collected again: nothing new.
    again = pipeline.collect(lib, [column], fetch=fetcher.fetch)
    assert [r.result for r in again[1:]] == ["unchanged"] * 4
    assert len(lib.dataset()) == 4


def test_a_page_changed_after_publication_and_a_url_gone_become_findings(lib, site, server, fetcher):
    shibing, yanchi = site.seed("004"), site.seed("002")
    urls = [site.url(shibing.path), site.url(yanchi.path)]
    # The region as a roster source gives it (the page does not state it).
    targets = [cstore.Target(urls[0], region="某县"), cstore.Target(urls[1])]
    first = pipeline.collect(lib, targets, fetch=fetcher.fetch)
    assert [r.result for r in first] == ["stored", "stored"]
    old_id = first[0].report_id
    original = seed_page_bytes(shibing.stem, shibing.title, shibing.published, shibing.encoding)
    was = expected(shibing.stem)["cells"][NORMATIVE_ISSUED]["value"]
    assert was != 12
    try:
        # The agency edits a figure on its published page.
        server.set(
            shibing.path,
            change_cell(original, shibing.encoding, "行政规范性文件", {0: "12"}),
            content_type="text/html; charset=utf-8",
        )
        checked = by_url(pipeline.recheck(lib, fetch=fetcher.fetch, who="测试员"))
        changed = checked[urls[0]]
        assert changed.result == "changed" and changed.finding == FINDING_CHANGED_ONLINE
        assert checked[urls[1]].result == "unchanged"
        new_id = changed.report_id
        assert new_id != old_id
        # Stored as a new version through the upload path: the new one counts, the old one is kept.
        versions = lib.versions_of(new_id)
        assert list(versions["report_id"]) == [old_id, new_id] and bool(versions["current"].iloc[-1])
        assert stored_value(lib, new_id, NORMATIVE_ISSUED) == 12
        found = [f for f in findings_with_roster(lib) if f.code == FINDING_CHANGED_ONLINE]
        assert len(found) == 1 and found[0].report_id == new_id and found[0].region == "某县"
        cells = {c["key"]: (c["old"], c["new"]) for c in found[0].evidence["changed_cells"]}
        assert cells == {NORMATIVE_ISSUED: (was, 12)}
        assert "+" in found[0].evidence["text_diff"] and "12" in found[0].evidence["text_diff"]
        assert found[0].evidence["url"] == urls[0]
        # The agency's 单位档案 lists it with its other findings.
        from library.findings_access import agency_findings

        profile = agency_findings(lib, Filters(), "县教育局", "某县") or []
        assert FINDING_CHANGED_ONLINE in {f.code for f in profile}

        # Nothing changed since: no second finding, no new version.
        again = by_url(pipeline.recheck(lib, fetch=fetcher.fetch))
        assert again[urls[0]].result == "unchanged"
        assert len([f for f in findings_with_roster(lib) if f.code == FINDING_CHANGED_ONLINE]) == 1

        # One page disappears (404), the other only answers too slowly (a timeout is no finding).
        server.remove(shibing.path)
        server.set(yanchi.path, drip(0.5), content_type="text/html; charset=GBK")
        last = by_url(pipeline.recheck(lib, fetch=fetcher.fetch))
        assert last[urls[0]].result == "failed" and last[urls[0]].reason == "not_found"
        assert last[urls[0]].finding == FINDING_URL_GONE
        assert last[urls[1]].result == "failed" and last[urls[1]].reason == "timeout"
        assert last[urls[1]].finding is None
        gone = [f for f in findings_with_roster(lib) if f.code == FINDING_URL_GONE]
        assert [(f.report_id, f.evidence["url"]) for f in gone] == [(new_id, urls[0])]
        assert "404" in gone[0].message

        # The page comes back: the gone finding is closed.
        server.set(shibing.path, change_cell(original, shibing.encoding, "行政规范性文件", {0: "12"}))
        pipeline.recheck(lib, [urls[0]], fetch=fetcher.fetch)
        assert not [f for f in findings_with_roster(lib) if f.code == FINDING_URL_GONE]
        # The change is undone on the site: the first version's bytes again, said as such.
        server.set(shibing.path, original, content_type="text/html; charset=utf-8")
        undone = pipeline.recheck(lib, [urls[0]], fetch=fetcher.fetch)[0]
        assert undone.report_id == old_id and f"上次采集时为编号 {new_id}" in undone.message
    finally:
        server.set(shibing.path, original, content_type="text/html; charset=utf-8")
        server.set(
            yanchi.path,
            seed_page_bytes(yanchi.stem, yanchi.title, yanchi.published, yanchi.encoding),
            content_type="text/html; charset=GBK",
        )


def test_a_report_page_without_tables_gives_its_pdf_attachment(lib, site, fetcher):
    results = pipeline.collect(lib, [site.url(site.hz_column)], fetch=fetcher.fetch, who="测试员")
    assert results[0].result == "column"
    reports = by_url(results[1:])
    page, direct = site.url(site.hz_2024_page), site.url(site.hz_2023_pdf)
    assert set(reports) == {page, direct}, [r.line() for r in results]  # notices, 解读, 指南 left out
    assert reports[page].result == "stored" and reports[direct].result == "stored"
    assert (reports[page].year, reports[direct].year) == (2024, 2023)
    assert reports[page].agency == "淮安市洪泽区人民政府"
    # The PDF linked straight from the column: the date the column lists beside it.
    assert reports[direct].published == "2024-01-26"
    assert effective_date(lib, reports[direct].report_id) == "2024-01-26"
    # The date shown on the page becomes the report's publication date (entered as the collector's).
    assert effective_date(lib, reports[page].report_id) == "2025-01-20"
    dates = lib.publication_dates([reports[page].report_id])
    assert dates.iloc[-1]["note"].startswith(pipeline.DATE_NOTE)
    # The stored original is the PDF attachment, recorded as fetched from the page.
    name, data = lib.original_bytes(reports[page].report_id)
    assert data.startswith(b"%PDF") and name.endswith(".pdf")
    rows = cstore.fetches(lib, [site.url(site.hz_2024_pdf)])
    assert list(rows["kind"]) == ["attachment"] and rows.iloc[0]["source_url"] == page
    assert rows.iloc[0]["report_id"] == reports[page].report_id


def test_broken_urls_each_get_their_reason_and_never_stop_the_batch(lib, site, server, fetcher):
    good = site.seed("004")
    server.set("/dead.html", b"", status=404)
    urls = {
        "/dead.html": "not_found",
        "/gone.html": "gone",
        "/loop/a": "too_many_redirects",
        "/slow.html": "timeout",
        "/huge-declared.html": "too_large",
        "/binary.html": "not_a_document",
    }
    targets = [site.url(p) for p in urls] + ["ftp://127.0.0.1/x.pdf", site.url(good.path)]
    results = pipeline.collect(lib, targets, fetch=fetcher.fetch)
    assert [r.url for r in results] == targets
    for r, reason in zip(results, [*urls.values(), "bad_url"], strict=False):
        assert r.result == "failed" and r.reason == reason, r.line()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.message), r.message  # said in Chinese
    assert "404" in results[0].message and "超时" in results[3].message
    assert results[-1].result == "stored" and results[-1].report_id is not None
    assert len(lib.dataset()) == 1


def test_private_addresses_need_the_administrators_setting(lib, site):
    url = site.url(site.seed("004").path)
    # Without the setting (and without allowed_hosts) the loopback test server is refused.
    blocked = pipeline.collect(lib, [url])
    assert blocked[0].result == "failed" and blocked[0].reason == "blocked"
    reviewer = Account("r", Role.REVIEWER, display_name="审核员甲")
    with pytest.raises(LibraryError):
        cstore.set_allow_private(lib, True, account=reviewer)
    assert not cstore.allow_private(lib)
    admin = Account("a", Role.ADMIN, display_name="管理员甲")
    cstore.set_allow_private(lib, True, account=admin)
    assert cstore.allow_private(lib)
    assert pipeline.collect(lib, [url])[0].result == "stored"


def test_roster_sources_are_imported_exported_and_collected(lib, site, fetcher):
    column = site.url(site.hz_column)
    seed = site.url(site.seed("004").path)
    csv = (
        "名称,地区,层级,年报栏目网址,报告网址\n"
        f"淮安市洪泽区人民政府,洪泽区,人民政府,{column},\n"
        f"县教育局,某县,部门,,{seed} javascript:alert(1)\n"
    ).encode()
    result = lib.import_roster(csv, "名录.csv")
    assert result.added == 2 and any("javascript" in n for n in result.notes)
    rows = {r.name: r for r in lib.roster()}
    assert rows["淮安市洪泽区人民政府"].column_url == column
    assert rows["县教育局"].report_urls == (seed,)
    exported = lib.export_roster("csv").decode("utf-8-sig")
    assert "年报栏目网址" in exported and column in exported and seed in exported
    # A file without the URL columns leaves the sources alone; so does editing the entries.
    lib.import_roster("名称,地区,类型\n县教育局,某县,教育\n".encode(), "名录2.csv")
    lib.save_roster(lib.roster())
    assert {s.url for s in cstore.sources(lib)} == {column, seed}
    results = pipeline.collect_sources(lib, fetch=fetcher.fetch)
    stored = [r for r in results if r.result == "stored"]
    assert len(stored) == 3, [r.line() for r in results]
    # The roster entry's agency and region are the reports' (its name as the roster writes it).
    by = by_url(results)
    assert (by[seed].agency, by[seed].region) == ("县教育局", "某县")
    status = cstore.source_status(lib)
    assert set(status["结果"]) == {"栏目页", "已入库"}


def test_a_pasted_list_reads_urls_names_and_years():
    pasted = cstore.parse_url_list(
        "https://a.gov.cn/ndbg/\n"
        "某县教育局 https://b.gov.cn/art/1.html 2023\n"
        "https://c.gov.cn/x.pdf，某县财政局\n"
        "\n"
        "www.d.gov.cn/ndbg\n"
        "file:///etc/passwd\n"
        "https://a.gov.cn/ndbg/\n"
    )
    assert [(t.url, t.agency, t.year) for t in pasted.targets] == [
        ("https://a.gov.cn/ndbg/", None, None),
        ("https://b.gov.cn/art/1.html", "某县教育局", 2023),
        ("https://c.gov.cn/x.pdf", "某县财政局", None),
    ]
    assert len(pasted.problems) == 2
    assert "http" in pasted.problems[0] and "第 6 行" in pasted.problems[1]


def test_a_moved_page_is_followed_and_a_script_page_is_explained(lib, site, server, fetcher):
    seed = site.seed("004")
    refresh = f'<meta http-equiv="refresh" content="0;url={seed.path}">'
    server.set("/moved/index.html", f"<html><head>{refresh}</head><body></body></html>".encode())
    server.set(
        "/app/index.html",
        b'<html><head><script src="/app.js"></script></head><body><div id="app"></div>'
        b"<script>load()</script></body></html>",
    )
    moved, script = pipeline.collect(
        lib, [site.url("/moved/index.html"), site.url("/app/index.html")], fetch=fetcher.fetch
    )
    assert moved.result == "stored" and moved.final_url == site.url(seed.path)
    assert moved.published == seed.published
    assert script.result == "failed" and "脚本" in script.message


def test_a_county_account_stores_only_its_own_region(lib, site, fetcher):
    from library.access import Scope

    county = Scope(regions=("施秉县",))
    results = pipeline.collect(lib, [site.url(site.platform_column)], fetch=fetcher.fetch, scope=county)
    outcome = {r.url: (r.result, r.reason) for r in results[1:]}
    assert outcome[site.url(site.seed("000").path)] == ("stored", None)
    others = [v for k, v in outcome.items() if k != site.url(site.seed("000").path)]
    assert others == [("failed", "out_of_scope")] * 3
    assert list(lib.dataset()["region"]) == ["施秉县"]


def test_the_roster_pages_sources_table_saves_what_it_shows(lib):
    lib.import_roster("名称,地区\n县教育局,某县\n县财政局,某县\n".encode(), "名录.csv")
    ids = {r.name: r.id for r in lib.roster()}
    added, removed, problems = cstore.save_entry_sources(
        lib,
        {
            ids["县教育局"]: ("https://jy.example.gov.cn/ndbg/", ["https://jy.example.gov.cn/2023.html"]),
            ids["县财政局"]: ("javascript:alert(1)", ["https://cz.example.gov.cn/2023.pdf"]),
        },
        who="管理员甲",
    )
    assert (added, removed) == (3, 0) and len(problems) == 1 and "javascript" in problems[0]
    rows = {r.name: r for r in lib.roster()}
    assert rows["县教育局"].column_url == "https://jy.example.gov.cn/ndbg/"
    assert rows["县财政局"].column_url is None
    assert rows["县财政局"].report_urls == ("https://cz.example.gov.cn/2023.pdf",)
    # Cleared in the table: removed.
    added, removed, _ = cstore.save_entry_sources(lib, {ids["县教育局"]: (None, [])}, who="管理员甲")
    assert (added, removed) == (0, 2)
    assert {s.url for s in cstore.sources(lib)} == {"https://cz.example.gov.cn/2023.pdf"}
    trail = lib.audit_entries()
    assert list(trail[trail["action"] == "collect_sources"]["who"]) == ["管理员甲", "管理员甲"]
    # Deleting the entry from the roster deletes its sources.
    lib.save_roster([r for r in lib.roster() if r.name != "县财政局"])
    assert cstore.sources(lib) == []

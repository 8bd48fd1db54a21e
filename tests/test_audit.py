"""The audit trail (library/audit.py): every library write leaves exactly one record with who, before and
after, in the same transaction (a failed write leaves none); queries, export, speed on 100,000 records,
and two sessions writing at once on one SQLite file."""

from __future__ import annotations

import io
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from library import audit
from library.audit import AuditQuery
from library.db import AuditEntry
from library.errors import LibraryError
from library.finding import Finding
from library.roster_io import RosterRow
from library.store import Library
from library.synthetic import specs, synthetic_bytes, synthetic_parsed
from parsing.report import Check

KEY = "s3.r1_new_received.total"  # 本年新收政府信息公开申请数量 · 总计: every synthetic report has it
ROSTER_CSV = "名称,地区,层级\n合成甲县教育局,合成甲县,部门\n合成乙县财政局,合成乙县,部门\n".encode()


@pytest.fixture
def lib(tmp_path: Path):
    library = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    yield library
    library.close()


def _add(lib: Library, n: int, who: str = "张三", start: int = 0) -> list[int]:
    ids = []
    for spec in specs(start + n)[start:]:
        parsed = synthetic_parsed(spec)
        rid, created = lib.add(parsed, synthetic_bytes(parsed), who=who)
        assert created
        ids.append(rid)
    return ids


def _all(lib: Library):
    return lib.audit_entries(AuditQuery(limit=None))


def _only_new(lib: Library, before: int):
    """The records written since there were ``before`` (exactly one expected), newest first."""
    rows = _all(lib)
    assert len(rows) == before + 1, rows[["action", "summary"]].to_dict("records")
    return rows.iloc[0]


# ---------------------------------------------------------------------- one record per write


def test_upload_is_recorded_with_who_and_the_report(lib: Library) -> None:
    (rid,) = _add(lib, 1, who="张三")
    row = _only_new(lib, 0)
    spec = specs(1)[0]
    assert (row["action"], row["who"], row["target_kind"], row["target_id"]) == (
        audit.REPORT_UPLOAD,
        "张三",
        "report",
        str(rid),
    )
    assert (row["agency"], row["region"], row["year"]) == (spec.agency, spec.region, spec.year)
    assert row["before"] is None and row["after"]["filename"] == f"synthetic-{spec.agency}-{spec.year}.txt"
    # The same file again is no change: nothing recorded.
    parsed = synthetic_parsed(spec)
    assert lib.add(parsed, synthetic_bytes(parsed), who="李四") == (rid, False)
    assert lib.audit_count() == 1


def test_corrections_record_the_old_and_new_value(lib: Library) -> None:
    (rid,) = _add(lib, 1)
    parsed_value = lib.get(rid).values[KEY]
    first = lib.add_correction(rid, KEY, parsed_value + 5, "核对原件", who="李四")
    row = _only_new(lib, 1)
    assert (row["action"], row["who"]) == (audit.CELL_CORRECTION, "李四")
    assert row["before"]["value"] == parsed_value and row["after"]["value"] == parsed_value + 5
    assert row["after"]["note"] == "核对原件" and "本年新收" in row["after"]["field"]
    # A second correction changes the first one's value; a blank is recorded as a blank, not 0.
    lib.add_correction(rid, KEY, None, who="王五")
    row = _only_new(lib, 2)
    assert row["before"]["value"] == parsed_value + 5 and row["after"]["value"] is None
    assert "数值：空白" in audit.describe(row["after"])
    # Withdrawing the first correction: the shown value (the blank) goes, the second stays in force.
    assert lib.remove_correction(first, who="赵六")
    row = _only_new(lib, 3)
    assert (row["action"], row["who"]) == (audit.CORRECTION_WITHDRAWN, "赵六")
    assert row["before"]["value"] is None and row["after"]["value"] is None


def test_metadata_edit_reparse_and_delete_are_recorded(lib: Library) -> None:
    (rid,) = _add(lib, 1)
    spec = specs(1)[0]
    lib.set_metadata(rid, region="合成新县", year=spec.year, who="李四")
    row = _only_new(lib, 1)
    assert row["action"] == audit.METADATA_EDIT
    assert row["before"] == {"region": spec.region, "year": spec.year}
    assert row["after"] == {"region": "合成新县", "year": spec.year}

    def parse_again(data: bytes, name: str, overrides: dict[str, str]):
        return synthetic_parsed(spec, seed=1)

    lib.reparse(rid, parse_again, who="王五")
    row = _only_new(lib, 2)
    assert (row["action"], row["who"], row["region"]) == (audit.REPORT_REPARSE, "王五", "合成新县")
    assert set(row["before"]) >= {"parser_version", "cells", "checks_failed"}
    assert row["after"]["cells"] == len(synthetic_parsed(spec, seed=1).cells)

    assert lib.delete(rid, who="赵六")
    row = _only_new(lib, 3)
    assert (row["action"], row["who"], row["agency"], row["region"]) == (
        audit.REPORT_DELETE,
        "赵六",
        spec.agency,
        "合成新县",
    )
    assert row["before"]["filename"].startswith("synthetic-") and row["after"] is None
    assert not lib.delete(rid, who="赵六")  # nothing deleted, nothing recorded
    assert lib.audit_count() == 4


def test_label_overrides_record_the_previous_target(lib: Library) -> None:
    lib.save_label_override("其他主动公开文件", "ignore", who="张三")
    row = _only_new(lib, 0)
    assert row["action"] == audit.LABEL_OVERRIDE and row["before"] is None
    assert row["after"]["target"].startswith("忽略")
    lib.save_label_override("其他主动公开文件", KEY, who="李四")
    row = _only_new(lib, 1)
    assert row["before"]["target"].startswith("忽略") and "本年新收" in row["after"]["target"]
    assert lib.delete_label_override("其他主动公开文件", who="王五")
    row = _only_new(lib, 2)
    assert (row["action"], row["who"], row["after"]) == (audit.LABEL_OVERRIDE_REMOVED, "王五", None)
    assert not lib.delete_label_override("其他主动公开文件", who="王五")
    assert lib.audit_count() == 3


def test_finding_decisions_record_the_status_before_and_after(lib: Library) -> None:
    (rid,) = _add(lib, 1)
    lib.set_finding_status(rid, "D5:review", "confirmed", who="张三")
    row = _only_new(lib, 1)
    assert (row["action"], row["who"], row["target_id"]) == (audit.FINDING_STATUS, "张三", f"{rid}/D5:review")
    assert row["before"] is None and row["after"] == {"status": "已确认", "note": ""}
    lib.set_finding_status(rid, "D5:review", "dismissed", "已电话核实", who="李四")
    row = _only_new(lib, 2)
    assert row["before"] == {"status": "已确认", "note": ""}
    assert row["after"] == {"status": "已排除", "note": "已电话核实"}
    assert row["region"] == specs(1)[0].region
    # A finding without a report (a report never published) names its agency and region.
    missing = Finding(
        None, "合成丙县卫健委", 2024, "R1", "info", "未发布", key="missing:x", region="合成丙县"
    )
    lib.set_finding_status(None, "missing:x", "explained", "已在网站发布", who="王五", about=missing)
    row = _only_new(lib, 3)
    assert (row["agency"], row["region"], row["year"]) == ("合成丙县卫健委", "合成丙县", 2024)


def test_roster_writes_links_and_dates_are_recorded(lib: Library) -> None:
    (rid,) = _add(lib, 1)
    lib.import_roster(ROSTER_CSV, "名录.csv", who="张三")
    row = _only_new(lib, 1)
    assert (row["action"], row["who"]) == (audit.ROSTER_IMPORT, "张三")
    assert len(row["after"]["added"]) == 2 and row["before"] == {"updated": [], "removed": []}
    rows = [r for r in lib.roster() if r.name == "合成甲县教育局"]
    edited = [RosterRow(r.name, "教育", r.region, r.level, r.aliases, r.id) for r in rows]
    lib.save_roster(edited, who="李四")
    row = _only_new(lib, 2)
    assert row["action"] == audit.ROSTER_EDIT
    assert row["before"]["removed"] == ["合成乙县财政局（合成乙县，部门）"]
    assert row["before"]["updated"] == ["合成甲县教育局（合成甲县，部门）"]
    assert row["after"]["updated"] == ["合成甲县教育局（合成甲县，部门，教育）"]
    spec = specs(1)[0]
    lib.save_link(spec.agency, spec.region, rows[0].id, report_id=rid, who="王五")
    row = _only_new(lib, 3)
    assert (row["action"], row["before"]) == (audit.ROSTER_LINK, None)
    assert row["after"]["entry"].startswith("合成甲县教育局")
    assert lib.remove_link(spec.agency, spec.region, who="王五")
    row = _only_new(lib, 4)
    assert row["action"] == audit.ROSTER_UNLINK and row["before"]["entry"].startswith("合成甲县教育局")
    lib.set_publication_date(rid, date(2025, 1, 20), who="赵六", note="据网站")
    row = _only_new(lib, 5)
    assert row["action"] == audit.PUBLICATION_DATE
    assert row["after"] == {"published": "2025-01-20", "note": "据网站"}
    lib.set_publication_date(rid, None, who="赵六")
    row = _only_new(lib, 6)
    assert (
        row["before"] == {"published": "2025-01-20", "note": "据网站"} and row["after"]["published"] is None
    )


def test_notices_generated_are_recorded_per_agency(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from library.cli import main
    from library.documents.notice import notices_sent

    found = [
        Finding(1, "合成甲县教育局", 2024, "D5", "error", "不等", key="D5:review", region="合成甲县"),
        Finding(1, "合成甲县教育局", 2024, "D1", "error", "不等", key="D1:x", region="合成甲县"),
        Finding(2, "合成乙县财政局", 2024, "D5", "error", "不等", key="D5:review", region="合成乙县"),
        Finding(3, "合成乙县财政局", 2023, "D5", "error", "不等", key="D5:review", region="合成乙县"),
    ]
    assert notices_sent(found, 2024) == [
        ("合成乙县财政局", "合成乙县", 2024, 1),
        ("合成甲县教育局", "合成甲县", 2024, 2),
    ]
    monkeypatch.setenv("NIANBAO_DATABASE_URL", str(lib.engine.url))
    out = io.StringIO()
    code = main(
        ["notices", "--year", "2024", "-o", str(tmp_path / "out"), "--who", "张三"],
        out=out,
        findings_provider=lambda _lib, _filters: found,
    )
    assert code == 0
    rows = _all(lib)
    assert list(rows["action"]) == [audit.NOTICE_GENERATED] * 2
    assert set(zip(rows["agency"], rows["region"], rows["year"], rows["who"], strict=True)) == {
        ("合成甲县教育局", "合成甲县", 2024, "张三"),
        ("合成乙县财政局", "合成乙县", 2024, "张三"),
    }
    assert any("2 项待整改问题" in s for s in rows["summary"])


def test_command_line_ingest_records_the_operator(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paths import SHARED_SEEDS

    from library.cli import main

    monkeypatch.setenv("NIANBAO_DATABASE_URL", str(lib.engine.url))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes((SHARED_SEEDS / "000_bd3a826d0705f6e5.txt").read_bytes())
    assert main(["ingest", str(folder), "--workers", "1"], out=io.StringIO()) == 0
    rows = _all(lib)
    assert list(rows["action"]) == [audit.REPORT_UPLOAD]
    assert rows.iloc[0]["who"].startswith(audit.CLI)


# ---------------------------------------------------------------------- the change and its record together


def test_failed_writes_leave_no_record(lib: Library) -> None:
    (rid,) = _add(lib, 1)
    parsed = synthetic_parsed(specs(2)[1])
    parsed.checks.append(Check(rule="X", where="w", status=None))  # NOT NULL violation inside the add
    with pytest.raises(Exception):  # noqa: B017 - any database error: the add fails as a whole
        lib.add(parsed, synthetic_bytes(parsed), who="张三")
    with pytest.raises(LibraryError):
        lib.add_correction(rid + 99, KEY, 1, who="张三")
    with pytest.raises(LibraryError):
        lib.set_finding_status(rid + 99, "D5:review", "confirmed", who="张三")
    with pytest.raises(LibraryError):
        lib.set_publication_date(rid + 99, date(2025, 1, 1), who="张三")
    with pytest.raises(LibraryError):
        lib.save_roster([RosterRow(""), RosterRow("")], who="张三")

    def failing(data: bytes, name: str, overrides: dict[str, str]):
        bad = synthetic_parsed(specs(1)[0])
        bad.error = {"code": "x", "message": "读不出"}
        return bad

    with pytest.raises(LibraryError):
        lib.reparse(rid, failing, who="张三")
    assert lib.audit_count() == 1  # the upload of the fixture only


def test_a_change_never_lands_without_its_record(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    (rid,) = _add(lib, 1)

    def broken(*args, **kwargs):
        raise RuntimeError("audit write failed")

    monkeypatch.setattr(audit, "record", broken)
    before = lib.get(rid).values[KEY]
    with pytest.raises(RuntimeError):
        lib.add_correction(rid, KEY, before + 1, who="张三")
    assert lib.get(rid).values[KEY] == before and lib.get(rid).corrections == []
    parsed = synthetic_parsed(specs(2)[1])
    with pytest.raises(RuntimeError):
        lib.add(parsed, synthetic_bytes(parsed), who="张三")
    assert lib.counts()["reports"] == 1
    with pytest.raises(RuntimeError):
        lib.delete(rid, who="张三")
    assert lib.get(rid) is not None


# ---------------------------------------------------------------------- reading


def test_queries_filter_page_and_come_newest_first(lib: Library) -> None:
    ids = _add(lib, 2, who="张三")
    lib.add_correction(ids[0], KEY, 7, who="李四")
    lib.add_correction(ids[1], KEY, 8, who="李四")
    assert list(_all(lib)["action"]) == [audit.CELL_CORRECTION] * 2 + [audit.REPORT_UPLOAD] * 2
    assert lib.audit_people() == sorted(["张三", "李四"])
    assert lib.audit_count(AuditQuery(who="李四")) == 2
    assert lib.audit_count(AuditQuery(actions=(audit.REPORT_UPLOAD,))) == 2
    assert lib.audit_count(AuditQuery(regions=(specs(2)[1].region,))) == 4  # both reports are in it
    assert lib.audit_count(AuditQuery(regions=("合成他县",))) == 0
    today = datetime.now(audit.BEIJING).date()
    assert lib.audit_count(AuditQuery(since=today, until=today)) == 4
    assert lib.audit_count(AuditQuery(until=today - timedelta(days=1))) == 0
    assert lib.audit_count(AuditQuery(since=today + timedelta(days=1))) == 0
    page = lib.audit_entries(AuditQuery(limit=3, offset=1))
    assert list(page["id"]) == list(_all(lib)["id"])[1:4]
    assert lib.audit_count(AuditQuery(text="synthetic 李四")) == 0  # the corrections name no file
    assert lib.audit_count(AuditQuery(text=f"编号 {ids[0]}）")) == 2  # its upload and its correction
    assert lib.audit_count(AuditQuery(text="100%")) == 0  # LIKE wildcards are plain text


def test_export_has_chinese_headers_and_readable_before_after(lib: Library) -> None:
    (rid,) = _add(lib, 1)
    lib.add_correction(rid, KEY, None, "原件为空白", who="李四")
    frame = audit.export_frame(_all(lib))
    assert list(frame.columns) == list(audit.HEADERS.values())
    first = frame.iloc[0]
    assert first["操作"] == "更正数据" and first["操作人"] == "李四" and first["对象"] == f"报告 {rid}"
    assert "数值：空白" in first["修改后"] and "说明：原件为空白" in first["修改后"]
    assert frame.iloc[1]["修改前"] == "—"
    sheet = load_workbook(io.BytesIO(audit.export_xlsx(_all(lib)))).active
    values = list(sheet.values)
    assert values[0] == tuple(audit.HEADERS.values()) and values[1][2] == "更正数据"
    text = audit.export_csv(_all(lib)).decode("utf-8-sig")
    assert text.splitlines()[0].split(",")[:3] == ["时间（北京时间）", "操作人", "操作"]


def test_times_are_shown_in_beijing_time() -> None:
    assert audit.local_time(datetime(2026, 12, 6, 17, 30, tzinfo=UTC)) == "2026-12-07 01:30:00"
    assert audit.local_time(datetime(2026, 12, 6, 17, 30)) == "2026-12-07 01:30:00"  # SQLite: naive UTC


def test_a_hundred_thousand_records_are_queried_quickly(lib: Library) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    people = ["张三", "李四", "王五", "赵六"]
    rows = [
        {
            "at": start + timedelta(minutes=7 * i),
            "who": people[i % 4],
            "action": audit.ACTIONS[i % 8],
            "target_kind": "report",
            "target_id": str(i),
            "agency": f"合成{i % 50}县教育局",
            "region": f"合成{i % 50}县",
            "year": 2020 + i % 5,
            "summary": f"更正合成{i % 50}县教育局报告（编号 {i}）",
            "before": {"value": i},
            "after": {"value": i + 1},
        }
        for i in range(100_000)
    ]
    with lib.engine.begin() as conn:
        conn.execute(insert(AuditEntry), rows)
    timings = {}
    for name, query in {
        "newest page": AuditQuery(),
        "one person": AuditQuery(who="李四"),
        "action and dates": AuditQuery(
            actions=(audit.CELL_CORRECTION,), since=date(2024, 6, 1), until=date(2024, 6, 30)
        ),
        "text": AuditQuery(text="合成7县"),
        "region": AuditQuery(regions=("合成7县",)),
    }.items():
        t0 = time.perf_counter()
        page = lib.audit_entries(query)
        total = lib.audit_count(query)
        audit.export_frame(page)
        timings[name] = time.perf_counter() - t0
        assert 0 < len(page) <= audit.DEFAULT_LIMIT and total >= len(page)
    t0 = time.perf_counter()
    lib.audit_people()
    timings["people"] = time.perf_counter() - t0
    assert max(timings.values()) < 1.0, timings


# ---------------------------------------------------------------------- two sessions at once


def run_two_sessions(make_library) -> None:
    """Two sessions (a Library each, as two app processes would have) upload different reports and
    correct cells at the same moment: every report and correction is stored, and the trail shows both."""
    all_specs = specs(24)
    errors: list[str] = []
    barrier = threading.Barrier(2)
    corrected: dict[str, list[int]] = {"张三": [], "李四": []}

    def session(who: str, mine: list) -> None:
        lib = make_library()
        try:
            barrier.wait()
            for spec in mine:
                parsed = synthetic_parsed(spec)
                rid, created = lib.add(parsed, synthetic_bytes(parsed), who=who)
                assert created
                lib.add_correction(rid, KEY, 1000 + rid, f"{who}核对", who=who)
                corrected[who].append(rid)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(f"{who}: {exc!r}")
        finally:
            lib.close()

    threads = [
        threading.Thread(target=session, args=("张三", all_specs[0::2])),
        threading.Thread(target=session, args=("李四", all_specs[1::2])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    lib = make_library()
    try:
        assert lib.counts()["reports"] == 24
        data = lib.dataset().set_index("report_id")
        for rids in corrected.values():
            assert [data.loc[r, KEY] for r in rids] == [1000 + r for r in rids]
        trail = _all(lib)
        for who, rids in corrected.items():
            mine = trail[trail["who"] == who]
            assert sorted(mine[mine["action"] == audit.REPORT_UPLOAD]["target_id"].astype(int)) == sorted(
                rids
            )
            fixes = mine[mine["action"] == audit.CELL_CORRECTION]
            assert sorted(fixes["target_id"].astype(int)) == sorted(rids)
            assert all(
                a["value"] == 1000 + int(t) for a, t in zip(fixes["after"], fixes["target_id"], strict=True)
            )
        assert len(trail) == 48
    finally:
        lib.close()


def test_two_sessions_uploading_and_correcting_at_once_lose_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lib.sqlite'}"
    Library(url).close()
    run_two_sessions(lambda: Library(url))


def test_a_library_made_before_the_audit_trail_gets_it_on_opening(tmp_path: Path) -> None:
    """A library made by main before the audit trail (tests/fixtures/library_6842bed.sqlite) has no
    audit_log: opening it runs revision 0003_audit, and the first write is recorded."""
    import shutil
    import sqlite3

    path = tmp_path / "old.sqlite"
    shutil.copy(Path(__file__).parent / "fixtures" / "library_6842bed.sqlite", path)
    con = sqlite3.connect(path)
    assert not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'audit_log'").fetchall()
    con.close()
    lib = Library(f"sqlite:///{path}")
    try:
        before = len(_all(lib))
        _add(lib, 1, who="张三")
        assert len(_all(lib)) == before + 1 and _all(lib)["who"].iloc[0] == "张三"
    finally:
        lib.close()
    con = sqlite3.connect(path)
    indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'audit_log'")}
    con.close()
    assert {"ix_audit_log_at", "ix_audit_log_region_at"} <= indexes


def test_account_changes_have_a_record_call_for_the_accounts_module(lib: Library) -> None:
    with lib.engine.begin() as conn:
        audit.record_account(
            conn,
            audit.ACCOUNT_CHANGED,
            "county",
            who="管理员",
            before={"role": "只读", "scope": ["合成甲县"]},
            after={"role": "审核员", "scope": ["合成甲县"]},
        )
    row = _only_new(lib, 0)
    assert (row["action"], row["target_kind"], row["target_id"], row["region"]) == (
        audit.ACCOUNT_CHANGED,
        "account",
        "county",
        None,
    )
    assert audit.export_frame(_all(lib)).iloc[0]["修改后"] == "角色：审核员；范围：合成甲县"
    with pytest.raises(ValueError), lib.engine.begin() as conn:
        audit.record_account(conn, audit.REPORT_UPLOAD, "county", who="管理员")

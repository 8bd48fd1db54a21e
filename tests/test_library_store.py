"""Store tests on a SQLite file, with the real seed reports parsed by the real parser."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from legacy_db import legacy_library
from paths import SHARED_SEEDS as SEEDS

from library.config import database_url, make_engine
from library.filters import MISSING, Filters
from library.maintenance import reparse_in_background
from library.migrate import current_revision, head_revision, upgrade
from library.store import Library, LibraryError
from parsing.api import parse_bytes
from parsing.report import Check

SHIBING = "000_bd3a826d0705f6e5.txt"  # 施秉县教育和科技局 2020, v2019, 行政许可 79 decisions
YANCHI = "002_d0afa1047310c76e.txt"  # 盐池县教育体育局 2020, 主动公开 42 条 in the prose


def seed(name: str) -> tuple[bytes, str]:
    return (SEEDS / name).read_bytes(), name


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    yield library
    library.close()


def add_seed(lib: Library, name: str, **meta) -> int:
    data, fname = seed(name)
    report_id, created = lib.add(parse_bytes(data, fname), data, **meta)
    assert created
    return report_id


def table_counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {
            t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("reports", "report_files", "cells", "checks", "corrections")
        }
    finally:
        con.close()


def test_add_keeps_cells_with_provenance_and_checks(lib: Library) -> None:
    data, name = seed(SHIBING)
    parsed = parse_bytes(data, name)
    report_id, created = lib.add(parsed, data)
    assert created
    stored = lib.get(report_id)
    assert stored.agency == "施秉县教育和科技局" and stored.year == 2020 and stored.template == "2019"
    assert stored.agency_type == "教育"  # guessed from the name, not confirmed
    assert stored.confirmed == []
    cells = stored.cells.set_index("key")
    lic = cells.loc["s2.art20_5.administrative_licensing.decisions"]
    assert lic["value"] == 79 and lic["raw"] == "79" and lic["source"]["kind"] == "text"
    assert lic["std_label"] == "行政许可 / 处理决定数量"
    assert len(stored.cells) == len(parsed.cells)
    assert [c["rule"] for c in stored.checks] == [c.rule for c in parsed.checks]
    # The stored parse rebuilds into the same contract JSON.
    assert stored.parsed.to_json() == parsed.to_json()
    assert stored.parsed.text == parsed.text
    assert lib.original_bytes(report_id) == (name, data)


def test_duplicate_bytes_return_the_existing_report(lib: Library) -> None:
    first = add_seed(lib, SHIBING)
    data, name = seed(SHIBING)
    again, created = lib.add(parse_bytes(data, "renamed.txt"), data)
    assert (again, created) == (first, False)
    assert lib.counts()["reports"] == 1


def test_failed_parse_is_refused_and_stores_nothing(lib: Library, tmp_path: Path) -> None:
    bad = parse_bytes(b"\x00\x01\x02 not a report", "x.bin")
    assert bad.error is not None
    with pytest.raises(LibraryError) as err:
        lib.add(bad, b"\x00\x01\x02 not a report")
    assert "解析失败" in err.value.zh
    assert table_counts(tmp_path / "lib.sqlite")["reports"] == 0


def test_failure_midway_leaves_no_partial_rows(lib: Library, tmp_path: Path) -> None:
    add_seed(lib, YANCHI)
    before = table_counts(tmp_path / "lib.sqlite")
    data, name = seed(SHIBING)
    parsed = parse_bytes(data, name)
    # A check without a status violates NOT NULL: the insert fails after the report row, the file
    # row and ~200 cell rows were written in the same transaction.
    parsed.checks.append(Check(rule="X", where="w", status=None))
    with pytest.raises(Exception):  # noqa: B017 - the driver's IntegrityError
        lib.add(parsed, data)
    assert table_counts(tmp_path / "lib.sqlite") == before
    assert lib.find_sha256(parsed.sha256) is None
    # ... and the same file can then be stored normally.
    report_id, created = lib.add(parse_bytes(data, name), data)
    assert created and lib.get(report_id).agency == "施秉县教育和科技局"


def test_confirmed_metadata_wins_and_survives_reparse(lib: Library) -> None:
    report_id = add_seed(lib, SHIBING, region="黔东南州施秉县", agency_type="教育")
    stored = lib.get(report_id)
    assert stored.region == "黔东南州施秉县" and stored.agency == "施秉县教育和科技局"
    assert set(stored.confirmed) == {"region", "agency_type"}
    lib.set_metadata(report_id, year=2021)
    lib.reparse(report_id)
    after = lib.get(report_id)
    assert (after.region, after.year, after.agency_type) == ("黔东南州施秉县", 2021, "教育")
    assert after.agency == "施秉县教育和科技局"  # unconfirmed: from the new parse


def test_correction_overrides_value_everywhere_and_rechecks(lib: Library) -> None:
    report_id = add_seed(lib, SHIBING)
    key = "s3.r1_new_received.natural_person"
    assert lib.get(report_id).checks_failed == 0
    # The reviewer types 5 new applications: 一+二 no longer equals 三（七）+四 in that column,
    # and the row total no longer equals the sum of applicants.
    lib.add_correction(report_id, key, 5, note="原表漏填")
    stored = lib.get(report_id)
    assert stored.values[key] == 5
    assert stored.cells.set_index("key").loc[key, "corrected"] == 5
    assert stored.cells.set_index("key").loc[key, "value"] == 0  # the parse is kept
    assert stored.corrections[0]["old"] == 0 and stored.corrections[0]["note"] == "原表漏填"
    failed = {(c["rule"], c["where"]) for c in stored.checks if c["status"] == "fail"}
    assert ("O1_balance", "natural_person") in failed
    assert stored.checks_failed == len(failed)
    assert lib.dataset().set_index("report_id").loc[report_id, key] == 5
    # Corrections survive re-parsing (and still fail the same checks).
    lib.reparse(report_id)
    assert lib.dataset().set_index("report_id").loc[report_id, key] == 5
    assert lib.get(report_id).checks_failed == len(failed)
    # Withdrawing it restores the parsed value and the passing checks.
    assert lib.remove_correction(stored.corrections[0]["id"])
    assert lib.get(report_id).checks_failed == 0
    assert lib.dataset().set_index("report_id").loc[report_id, key] == 0


def test_correction_to_blank_and_unknown_key(lib: Library) -> None:
    report_id = add_seed(lib, YANCHI)
    lib.add_correction(report_id, "n.proactive_total", None, note="正文数字不可靠")
    row = lib.dataset().set_index("report_id").loc[report_id]
    assert row["n.proactive_total"] != row["n.proactive_total"]  # NaN: blank, not zero
    with pytest.raises(LibraryError):
        lib.add_correction(report_id, "s9.nonsense", 1)
    # What a data editor hands back: numpy scalars and numeric text are accepted, other text is not.
    lib.add_correction(report_id, "s3.r1_new_received.total", np.int64(7))
    lib.add_correction(report_id, "s4.review_total", "1,036")
    row = lib.dataset().set_index("report_id").loc[report_id]
    assert (row["s3.r1_new_received.total"], row["s4.review_total"]) == (7, 1036)
    with pytest.raises(LibraryError) as err:
        lib.add_correction(report_id, "s4.review_total", "十二")
    assert "数值无效" in err.value.zh


def test_list_search_filters_and_delete(lib: Library) -> None:
    a = add_seed(lib, SHIBING)
    b = add_seed(lib, YANCHI)
    c = add_seed(lib, "004_e3c733e02cbb2cbf.txt")  # 县教育局 2023, no region in the text
    listing = lib.list()
    assert set(listing["report_id"]) == {a, b, c}
    assert list(listing.columns[:3]) == ["report_id", "filename", "format"]
    assert set(lib.list(Filters(years=[2020]))["report_id"]) == {a, b}
    assert set(lib.list(Filters(regions=["盐池县"]))["report_id"]) == {b}
    assert set(lib.list(Filters(regions=[MISSING]))["report_id"]) == {c}
    assert set(lib.list(Filters(templates=["2021"]))["report_id"]) == {c}
    assert MISSING in lib.filter_options()["regions"]
    assert lib.filter_options()["years"] == [2023, 2020]
    assert set(lib.search("盐池")["report_id"]) == {b}
    assert set(lib.search("施秉县教育和科技局")["report_id"]) == {a}
    # Full-text: a phrase only in the body of the 盐池 report.
    assert set(lib.search("三级联签")["report_id"]) == {b}
    assert lib.search("100%").empty  # LIKE wildcards are literal
    assert lib.delete(b) is True
    assert lib.delete(b) is False
    assert lib.get(b) is None and lib.original_bytes(b) is None
    assert set(lib.list()["report_id"]) == {a, c}
    assert lib.search("三级联签").empty


def test_label_overrides_are_normalised_and_reused_by_reparse(lib: Library) -> None:
    report_id = add_seed(lib, SHIBING)
    lib.save_label_override(" 规范性文件（含党内） ", "s2.row.art20_1.normative_documents", who="张三")
    overrides = lib.label_overrides()
    assert list(overrides.values()) == ["s2.row.art20_1.normative_documents"]
    (text,) = overrides
    assert text.strip() == text  # normalised, as the matcher looks it up
    seen: dict = {}

    def parse_fn(data: bytes, filename: str, ov: dict[str, str]):
        seen.update(ov)
        return parse_bytes(data, filename, overrides=ov)

    lib.reparse(report_id, parse_fn)
    assert seen == overrides
    lib.save_label_override("规范性文件（含党内）", "ignore")  # a later choice replaces the earlier
    assert list(lib.label_overrides().values()) == ["ignore"]
    assert lib.delete_label_override("规范性文件（含党内）")
    assert lib.label_overrides() == {}


def test_reparse_outdated_uses_stored_bytes(lib: Library) -> None:
    a = add_seed(lib, SHIBING)
    b = add_seed(lib, YANCHI)
    with lib.engine.begin() as conn:  # as if stored by an older parser
        conn.exec_driver_sql("UPDATE reports SET parser_version = '0.9' WHERE id = ?", (a,))
    assert lib.outdated_ids() == [a]
    assert lib.counts()["outdated"] == 1
    calls = []
    result = lib.reparse_outdated(progress=lambda i, n, name: calls.append((i, n, name)))
    assert result == {"reparsed": [a], "failed": []}
    assert calls == [(1, 1, SHIBING)]
    assert lib.outdated_ids() == []
    assert (
        lib.get(a).cells.set_index("key").loc["s2.art20_5.administrative_licensing.decisions", "value"] == 79
    )
    assert lib.get(b).parser_version == lib.get(a).parser_version


def test_app_start_reparses_reports_of_an_older_parser_in_the_background(lib: Library) -> None:
    a = add_seed(lib, SHIBING)
    assert reparse_in_background(lib) is None  # everything current: nothing to do
    with lib.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE reports SET parser_version = '0.9' WHERE id = ?", (a,))
    thread = reparse_in_background(lib)
    assert thread is not None
    thread.join(timeout=60)
    assert lib.outdated_ids() == []
    assert (
        lib.get(a).cells.set_index("key").loc["s2.art20_5.administrative_licensing.decisions", "value"] == 79
    )


def test_failed_reparse_keeps_the_stored_report(lib: Library) -> None:
    report_id = add_seed(lib, SHIBING)
    before = lib.get(report_id)

    def broken(data: bytes, filename: str, ov: dict[str, str]):
        return parse_bytes(b"", filename)  # an empty file: the parser reports an error

    with pytest.raises(LibraryError) as err:
        lib.reparse(report_id, broken)
    assert "原数据保留" in err.value.zh
    after = lib.get(report_id)
    assert after.cells.equals(before.cells) and after.parser_version == before.parser_version


def test_revision_changes_on_every_write_and_dataset_cache_follows(lib: Library) -> None:
    r0 = lib.revision()
    a = add_seed(lib, SHIBING)
    r1 = lib.revision()
    assert r1 != r0
    assert len(lib.dataset()) == 1
    data, name = seed(SHIBING)
    lib.add(parse_bytes(data, name), data)  # duplicate: nothing written
    assert lib.revision() == r1
    # Another Library on the same file (another process) writes: this one sees it.
    other = Library(str(lib.engine.url))
    add_seed(other, YANCHI)
    other.close()
    assert lib.revision() != r1
    assert len(lib.dataset()) == 2
    lib.delete(a)
    assert len(lib.dataset()) == 1


def test_counts_on_real_seeds(lib: Library) -> None:
    for name in (SHIBING, YANCHI, "004_e3c733e02cbb2cbf.txt"):
        add_seed(lib, name)
    counts = lib.counts()
    assert counts["reports"] == 3 and counts["years"] == 2
    assert counts["agencies"] == 3 and counts["regions"] == 2  # 县教育局 has no region
    assert counts["reports_failing_checks"] == 0
    # The same name in another county is another agency.
    data = (SEEDS / "004_e3c733e02cbb2cbf.txt").read_bytes() + b"\n"
    lib.add(parse_bytes(data, "other.txt"), data, region="乙县")
    assert lib.counts()["agencies"] == 4


def test_migrations_upgrade_an_old_database(tmp_path: Path) -> None:
    url = legacy_library(tmp_path / "old.sqlite", 1)  # schema_version 1: before the indexes
    con = sqlite3.connect(tmp_path / "old.sqlite")
    assert not con.execute("SELECT name FROM sqlite_master WHERE name = 'ux_cells_report_key'").fetchall()
    con.close()
    lib = Library(url)  # opening the library brings it up to date
    assert current_revision(lib.engine) == head_revision()
    assert upgrade(lib.engine) is None  # idempotent
    con = sqlite3.connect(tmp_path / "old.sqlite")
    assert con.execute("SELECT name FROM sqlite_master WHERE name = 'ux_cells_report_key'").fetchall()
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    add_seed(lib, SHIBING)
    lib.close()


def test_config_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    target = tmp_path / "nested" / "dir" / "lib.sqlite"
    monkeypatch.setenv("NIANBAO_DB_PATH", str(target))
    assert database_url() == f"sqlite:///{target}"
    assert target.parent.is_dir()  # created so the first connection works
    lib = Library()
    assert lib.counts()["reports"] == 0 and target.exists()
    lib.close()
    monkeypatch.setenv("NIANBAO_DATABASE_URL", f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert database_url().endswith("other.sqlite")
    monkeypatch.delenv("NIANBAO_DATABASE_URL")
    monkeypatch.delenv("NIANBAO_DB_PATH")
    monkeypatch.chdir(tmp_path)
    assert database_url() == f"sqlite:///{tmp_path / 'data' / 'library.sqlite'}"
    with pytest.raises(ValueError):
        make_engine("sqlite://")


def test_publication_date_is_stored_and_an_old_database_gets_the_column(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite"
    lib = Library(legacy_library(path, 2))  # a database made before the column existed
    assert current_revision(lib.engine) == head_revision()
    report_id = add_seed(lib, SHIBING)  # "发布时间: 2021-01-25 18:13"
    lib.close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT published FROM reports WHERE id = ?", (report_id,)).fetchone() == (
        "2021-01-25",
    )
    con.close()

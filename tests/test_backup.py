"""Backup and restore of the SQLite library (library/backup.py, ``python -m library backup|restore``)."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from library.backup import backup, check_library, restore
from library.cli import main
from library.errors import LibraryError
from library.migrate import current_revision, head_revision
from library.store import Library
from library.synthetic import specs, synthetic_bytes, synthetic_parsed

FIXTURES = Path(__file__).parent / "fixtures"


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


def add_synthetic(lib: Library, indexes: range) -> None:
    all_specs = specs(max(indexes) + 1)
    for k in indexes:
        parsed = synthetic_parsed(all_specs[k])
        lib.add(parsed, synthetic_bytes(parsed))


def count(path: Path, sql: str) -> int:
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql).fetchone()[0]


def test_a_backup_taken_while_another_connection_writes_is_consistent_and_restores(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite"
    lib = Library(url_of(live))
    add_synthetic(lib, range(5))
    stop, errors = threading.Event(), []

    def write() -> None:  # another session keeps storing reports during the backup
        try:
            k = 5
            while not stop.is_set() and k < 400:
                add_synthetic(lib, range(k, k + 1))
                k += 1
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(exc))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while count(live, "SELECT COUNT(*) FROM reports") < 15:
            pass
        made = backup(tmp_path / "copy.sqlite", url_of(live))
    finally:
        stop.set()
        writer.join()
    assert errors == []
    total = lib.counts()["reports"]
    lib.close()
    copy = made.path
    assert not Path(f"{copy}-wal").exists()  # one self-contained file
    assert 15 <= made.reports == count(copy, "SELECT COUNT(*) FROM reports") <= total
    # One snapshot: every report has its file row and its cells, and nothing points at a missing report.
    assert count(copy, "SELECT COUNT(*) FROM report_files") == made.reports
    assert count(copy, "SELECT COUNT(*) FROM reports WHERE id NOT IN (SELECT report_id FROM cells)") == 0
    assert count(copy, "SELECT COUNT(*) FROM cells WHERE report_id NOT IN (SELECT id FROM reports)") == 0
    target = tmp_path / "restored.sqlite"
    done = restore(copy, url_of(target))
    assert done.reports == made.reports and done.kept is None  # nothing was there to keep
    restored = Library(url_of(target))
    assert len(restored.list()) == made.reports
    assert current_revision(restored.engine) == head_revision()
    restored.close()


@pytest.fixture
def library_file(tmp_path: Path) -> Path:
    """A library with two reports, closed (as with the app stopped)."""
    path = tmp_path / "library.sqlite"
    lib = Library(url_of(path))
    add_synthetic(lib, range(2))
    lib.close()
    return path


def corrupted(tmp_path: Path, library: Path) -> Path:
    """A copy of ``library`` with garbage written over the middle of the file (a damaged disk or copy)."""
    bad = tmp_path / "damaged.sqlite"
    backup(bad, url_of(library))
    data = bytearray(bad.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 3000] = b"\xa5" * 3000
    bad.write_bytes(bytes(data))
    return bad


def written(name: str, data: bytes):
    """A maker of a file holding ``data`` (binary junk, nothing, text)."""

    def make(tmp_path: Path, _library: Path) -> Path:
        (tmp_path / name).write_bytes(data)
        return tmp_path / name

    return make


def not_a_library(tmp_path: Path, _library: Path) -> Path:
    """A sound SQLite database of some other program."""
    path = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(path)) as con:
        con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        con.commit()
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (written("x.bin", bytes(range(256)) * 40), "不是 SQLite"),
        (written("e.sqlite", b""), "不是 SQLite"),
        (written("t.txt", "报告库备份".encode()), "不是 SQLite"),
        (not_a_library, "不是报告库"),
        (corrupted, "损坏"),
        (lambda tmp_path, _library: tmp_path / "missing.sqlite", "不存在"),
    ],
    ids=["binary", "empty", "text", "other-database", "damaged", "missing"],
)
def test_restore_refuses_what_is_not_a_sound_library(tmp_path: Path, library_file: Path, make, words) -> None:
    source = make(tmp_path, library_file)
    before = library_file.read_bytes()
    with pytest.raises(LibraryError) as err:
        restore(source, url_of(library_file))
    assert words in err.value.zh or (words == "损坏" and "无法作为数据库读取" in err.value.zh), err.value.zh
    assert library_file.read_bytes() == before  # untouched
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_restore_keeps_the_replaced_library_and_upgrades_a_legacy_backup(
    tmp_path: Path, library_file: Path
) -> None:
    old_revision = count(library_file, "SELECT value FROM library_meta WHERE key = 'revision'")
    legacy = tmp_path / "legacy.sqlite"  # a backup of a version-4 library made by main 6842bed
    shutil.copyfile(FIXTURES / "library_v4.sqlite", legacy)
    done = restore(legacy, url_of(library_file))
    assert done.kept is not None and done.kept.parent == library_file.parent
    assert count(done.kept, "SELECT COUNT(*) FROM reports") == 2  # the replaced library, kept whole
    lib = Library(url_of(library_file))
    assert current_revision(lib.engine) == head_revision()
    assert len(lib.dataset()) == 5 and lib.dataset().set_index("report_id").loc[1, "s3.r3_7_total.total"] == 9
    assert lib.revision() > old_revision
    lib.close()
    assert count(legacy, "SELECT COUNT(*) FROM schema_version") == 4  # the backup file itself unchanged


def test_restore_refuses_while_the_library_is_open_unless_forced(tmp_path: Path, library_file: Path) -> None:
    other = tmp_path / "other-lib.sqlite"
    lib2 = Library(url_of(other))
    add_synthetic(lib2, range(10, 13))
    lib2.close()
    saved = backup(tmp_path / "three.sqlite", url_of(other))
    app = Library(url_of(library_file))  # the app is running
    assert len(app.dataset()) == 2
    with pytest.raises(LibraryError) as err:
        restore(saved.path, url_of(library_file))
    assert "请先停止应用" in err.value.zh
    restore(saved.path, url_of(library_file), force=True)
    # The running library's caches are keyed by the revision, which the restore moved on.
    assert len(app.dataset()) == 3
    app.close()


def test_a_backup_of_a_newer_program_is_refused(tmp_path: Path, library_file: Path) -> None:
    newer = tmp_path / "newer.sqlite"
    backup(newer, url_of(library_file))
    with closing(sqlite3.connect(newer)) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999_future'")
        con.commit()
    with pytest.raises(LibraryError) as err:
        check_library(newer)
    assert "更新版本" in err.value.zh


def test_command_line_backup_and_restore(
    tmp_path: Path, library_file: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    monkeypatch.setenv("NIANBAO_DB_PATH", str(library_file))
    target = tmp_path / "nightly" / "library-backup.sqlite"
    assert main(["backup", str(target)]) == 0
    assert "已备份报告库（2 份报告" in capsys.readouterr().out
    assert main(["backup", str(target)]) == 1  # never overwrites
    assert "目标文件已存在" in capsys.readouterr().err
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    assert main(["restore", str(junk)]) == 1
    assert "错误：" in capsys.readouterr().err
    assert main(["restore", str(target)]) == 0
    out = capsys.readouterr().out
    assert "恢复报告库（2 份报告）" in out and "原报告库已另存为" in out


def test_postgresql_libraries_are_sent_to_pg_dump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("NIANBAO_DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1:1/nianbao")
    for command in ("backup", "restore"):
        assert main([command, str(tmp_path / "x.dump")]) == 2  # no connection attempted
        err = capsys.readouterr().err
        assert "pg_dump" in err and "pg_restore" in err

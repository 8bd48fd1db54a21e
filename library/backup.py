"""Backup and restore of the embedded SQLite library (``python -m library backup|restore FILE``).

- :func:`backup` copies the library with SQLite's online backup API: the copy is consistent (one
  snapshot) even while the app or an ingest writes, and it is written beside the target and renamed
  into place, so a failed backup never leaves half a file under the name given.
- :func:`restore` first checks that the file is a library (a SQLite database that passes
  ``integrity_check`` and has the library's tables, of this version or an earlier one); only then it
  keeps a copy of the library it replaces (``<name>.before-restore-<time>.sqlite`` beside it), copies
  the backup in with the same API, brings the schema up to date (a backup of an older version is
  upgraded like any library) and moves the revision counter past every value the replaced library
  had, so nothing cached from it is served again.
- A PostgreSQL library is backed up with ``pg_dump`` and restored with ``pg_restore`` (see README):
  both functions refuse it with a Chinese message saying so.

Restoring replaces the whole library: stop the app first. While another process has the file open
(SQLite keeps ``-wal``/``-shm`` files beside it then) the restore refuses unless ``force=True``.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from library.config import SQLITE_BUSY_TIMEOUT_MS, WRITE_OPTION, database_url, make_engine
from library.errors import LibraryError

SQLITE_MAGIC = b"SQLite format 3\x00"
# Tables every library has had since its first version; a file without them is not a library.
REQUIRED_TABLES = frozenset({"reports", "report_files", "cells", "checks", "value_layouts", "library_meta"})
POSTGRES_ZH = (
    "当前报告库是 PostgreSQL 数据库（NIANBAO_DATABASE_URL），本命令只备份/恢复 SQLite 文件。"
    "请用 PostgreSQL 自带的工具：备份 pg_dump -Fc -f 备份文件 数据库名；"
    "恢复 pg_restore --clean --if-exists -d 数据库名 备份文件（见 README 的 PostgreSQL 一节）。"
)


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote."""

    path: Path
    reports: int
    size: int


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the file restored, its reports, and where the replaced library was kept."""

    source: Path
    reports: int
    kept: Path | None


def sqlite_file(url: str | None = None) -> Path:
    """The SQLite file of the library ``url`` (default: the app's); refuses PostgreSQL and the like."""
    parsed = make_url(url or database_url())
    if not parsed.drivername.startswith("sqlite"):
        raise LibraryError(POSTGRES_ZH, f"not a SQLite library: {parsed.drivername}")
    if not parsed.database:
        raise LibraryError("报告库地址中没有 SQLite 文件名", "SQLite URL without a file")
    return Path(parsed.database).expanduser().resolve()


def backup(target: Path, url: str | None = None) -> BackupResult:
    """Write a consistent copy of the library to ``target`` (refused when it exists)."""
    source = sqlite_file(url)
    target = Path(target).expanduser().resolve()
    if not source.is_file():
        raise LibraryError(f"报告库文件不存在：{source}", f"no library file at {source}")
    if target.exists():
        raise LibraryError(f"目标文件已存在，未覆盖：{target}", f"{target} exists")
    if target == source:
        raise LibraryError("备份文件不能是报告库本身", "target is the library itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(source, partial)
        with closing(_connect(partial)) as con:
            # A self-contained file: no -wal beside it is needed to read the copy.
            con.execute("PRAGMA journal_mode=DELETE")
        reports = check_library(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, reports, target.stat().st_size)


def _copy(source: Path, target: Path) -> None:
    """SQLite's online backup of ``source`` into ``target`` (a snapshot, even while others write)."""
    with closing(_connect(source)) as src, closing(_connect(target)) as dst:
        src.backup(dst)


def _connect(path: Path) -> sqlite3.Connection:
    """A plain connection (read-write: read-only ones leave ``-wal``/``-shm`` files behind a WAL-mode
    file, which would then look in use) with the app's busy timeout."""
    return sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)


def check_library(path: Path) -> int:
    """Refuse ``path`` with a Chinese message unless it is an intact library; returns its report count."""
    path = Path(path)
    if not path.is_file():
        raise LibraryError(f"文件不存在：{path}", f"no file {path}")
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise LibraryError(f"{path.name} 不是 SQLite 数据库文件，不是报告库备份", "not a SQLite file")
    try:
        with closing(_connect(path)) as con:
            verdict = [r[0] for r in con.execute("PRAGMA integrity_check")]
            if verdict != ["ok"]:
                raise LibraryError(
                    f"{path.name} 已损坏（完整性检查未通过：{verdict[0]}），不能用于恢复",
                    f"integrity_check failed: {verdict[:3]}",
                )
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = REQUIRED_TABLES - tables
            if missing:
                raise LibraryError(
                    f"{path.name} 不是报告库（缺少数据表：{'、'.join(sorted(missing))}）",
                    f"not a library: missing {sorted(missing)}",
                )
            _check_revision(con, tables, path.name)
            return int(con.execute("SELECT COUNT(*) FROM reports").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise LibraryError(f"{path.name} 无法作为数据库读取（{exc}），不能用于恢复", str(exc)) from exc


def _check_revision(con: sqlite3.Connection, tables: set[str], name: str) -> None:
    """A backup made by a NEWER version of the program cannot be read by this one: refuse it."""
    if "alembic_version" not in tables:
        return  # made before Alembic: upgraded by the baseline revision
    from alembic.script import ScriptDirectory

    from library.migrate import alembic_config

    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    stamped = {r[0] for r in con.execute("SELECT version_num FROM alembic_version")}
    if not stamped <= known:
        raise LibraryError(
            f"{name} 来自更新版本的程序（数据库版本 {'、'.join(sorted(stamped))}），请先升级本程序再恢复",
            f"unknown revision {sorted(stamped)}",
        )


def in_use(path: Path) -> bool:
    """True when SQLite's write-ahead files are beside ``path``: a process has the library open (or
    one ended without closing it)."""
    return any(path.with_name(path.name + suffix).exists() for suffix in ("-wal", "-shm"))


def restore(source: Path, url: str | None = None, *, force: bool = False) -> RestoreResult:
    """Replace the library with the backup ``source`` (checked first), keeping a copy of the old one."""
    target = sqlite_file(url)
    source = Path(source).expanduser().resolve()
    if source == target:
        raise LibraryError("备份文件就是当前报告库，无需恢复", "source is the library itself")
    reports = check_library(source)
    if target.exists() and in_use(target) and not force:
        raise LibraryError(
            "报告库正在被使用（应用或其他命令仍打开着它）：请先停止应用再恢复。"
            "若确认没有程序在使用（例如应用曾异常退出），可加 --force。",
            "the library is open in another process",
        )
    kept, old_revision = None, 0
    if target.exists():
        kept = _free_name(target, f"before-restore-{datetime.now():%Y%m%d-%H%M%S}")
        _copy(target, kept)
        old_revision = _revision(kept)
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(source, target)
    _upgrade_and_bump(target, old_revision)
    return RestoreResult(source, reports, kept)


def _free_name(target: Path, tag: str) -> Path:
    """``<stem>.<tag><suffix>`` beside ``target``, numbered when that name is taken."""
    candidate = target.with_name(f"{target.stem}.{tag}{target.suffix}")
    number = 2
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}.{tag}-{number}{target.suffix}")
        number += 1
    return candidate


def _revision(path: Path) -> int:
    with closing(_connect(path)) as con:
        row = con.execute("SELECT value FROM library_meta WHERE key = 'revision'").fetchone()
    return int(row[0]) if row else 0


def _upgrade_and_bump(target: Path, old_revision: int) -> None:
    """Bring the restored library to the current schema, then set its revision past the replaced
    library's (and its data revision too: ``revision - status_writes`` keys the cached findings)."""
    from sqlalchemy import text

    from library.db import new_journal_epoch
    from library.migrate import upgrade

    engine = make_engine(f"sqlite:///{target}")
    try:
        upgrade(engine)
        with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            counters = {k: int(v) for k, v in conn.execute(text("SELECT key, value FROM library_meta"))}
            revision = max(old_revision, counters.get("revision", 0)) + counters.get("status_writes", 0) + 1
            conn.execute(text("UPDATE library_meta SET value = :v WHERE key = 'revision'"), {"v": revision})
            # Another library's write journal now: readers must not take its seq for the old one's.
            new_journal_epoch(conn)
    finally:
        engine.dispose()

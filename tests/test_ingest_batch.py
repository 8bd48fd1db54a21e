"""Bulk ingest: batches store what single adds store, one bad document or report never costs the
others, two ingest commands on one folder store each document once, ``--workers`` uses every core."""

from __future__ import annotations

import io
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from paths import ROOT, SAMPLES
from sqlalchemy import select

from library import cli, ingest_pool
from library.db import Base
from library.ingest import STORE_FAILED_ZH, UploadItem, store_items
from library.ingest_pool import IngestJob
from library.store import Library, NewReport
from library.synthetic import specs, synthetic_text
from parsing.api import parse_bytes
from parsing.report import Check

SEEDS = sorted(SAMPLES.glob("00*.txt"))
TIME_COLUMNS = {"created_at", "updated_at", "at"}  # when, not what: differs between any two runs


@pytest.fixture
def db(tmp_path, monkeypatch):
    """The command's library: a fresh SQLite file named by the app's environment variable."""
    path = tmp_path / "library.sqlite"
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    monkeypatch.setenv("NIANBAO_DB_PATH", str(path))
    return path


def _documents(n_synthetic: int) -> list[tuple[str, bytes]]:
    """The seeds, then synthetic report texts (two versions of one report among them: the same agency
    and year twice, so the batch also has to keep the versions right)."""
    docs = [(p.name, p.read_bytes()) for p in SEEDS]
    spec = specs(n_synthetic)
    docs += [(f"syn{i:03d}.txt", synthetic_text(s).encode()) for i, s in enumerate(spec)]
    docs.append(("syn-corrected.txt", synthetic_text(spec[0], seed=7).encode()))
    return docs


def dump(lib: Library) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in primary-key order, without the time columns."""
    out = {}
    with lib.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            out[table.name] = [{k: v for k, v in row.items() if k not in TIME_COLUMNS} for row in rows]
        out["library_meta"] = [dict(r) for r in conn.exec_driver_sql("SELECT * FROM library_meta").mappings()]
    return out


def test_batches_store_exactly_what_single_adds_store(tmp_path: Path) -> None:
    docs = _documents(12)
    parsed = [(parse_bytes(data, name), data) for name, data in docs]
    parsed.insert(6, parsed[2])  # the same file twice in one batch: stored once
    one = Library(f"sqlite:///{tmp_path / 'one.sqlite'}")
    many = Library(f"sqlite:///{tmp_path / 'many.sqlite'}")
    try:
        for lib in (one, many):  # one report already in both libraries: a duplicate in the batch
            lib.add(*parsed[9], who="王科员")
        single = [one.add(p, data, who="王科员") for p, data in parsed]
        batched = []
        for start in range(0, len(parsed), 5):
            chunk = parsed[start : start + 5]
            batched += many.add_many([NewReport(p, data) for p, data in chunk], who="王科员")
        assert batched == single
        assert sum(created for _, created in batched) == len(docs) - 1
        a, b = dump(one), dump(many)
        assert a["reports"] and a["cells"] and a["checks"] and a["audit_log"]
        assert any(r["superseded_by"] is not None for r in a["reports"])  # the versions were kept
        assert {r["who"] for r in b["audit_log"]} == {"王科员"}
        assert len(b["audit_log"]) == len(docs)  # one upload record per stored report
        for table in a:
            assert a[table] == b[table], table
    finally:
        one.close()
        many.close()


def test_a_store_failure_in_a_batch_keeps_the_good_reports(tmp_path: Path) -> None:
    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    try:
        items = [UploadItem(name, data, parse_bytes(data, name)) for name, data in _documents(5)]
        bad = items[4]
        bad.parsed.checks.append(Check(rule="X", where="w", status=None))  # NOT NULL: the insert fails
        items.insert(2, UploadItem("broken.pdf", None, parse_bytes(b"%PDF-1.7 broken", "broken.pdf")))
        results = store_items(lib, items, who="王科员")
        assert [r.name for r in results] == [i.name for i in items]
        by_name = {r.name: r for r in results}
        assert by_name["broken.pdf"].status == "failed" and by_name["broken.pdf"].report_id is None
        assert by_name[bad.name].status == "failed" and by_name[bad.name].message == STORE_FAILED_ZH
        good = [r for r in results if r.name not in ("broken.pdf", bad.name)]
        assert all(r.status in ("ok", "warnings") and r.report_id for r in good)
        rows = dump(lib)
        assert len(rows["reports"]) == len(good) == len(items) - 2
        assert len(rows["audit_log"]) == len(good)
    finally:
        lib.close()


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(argv, out=out)
    return code, out.getvalue()


def test_a_broken_file_in_the_middle_of_a_batch(db, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for i, seed in enumerate(SEEDS):
        shutil.copy(seed, folder / f"{i * 2:02d}_{seed.name}")
    (folder / "03_broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)  # between seeds 1 and 2
    (folder / "05_empty.docx").write_bytes(b"")
    code, out = run(["ingest", str(folder), "--workers", "1", "--batch", "50"])
    assert code == 1, out
    lines = out.strip().splitlines()
    assert len(lines) == len(SEEDS) + 3
    failed = [line for line in lines if line.startswith("[失败]")]
    assert (
        len(failed) == 2
        and any("03_broken.pdf" in f for f in failed)
        and any("05_empty" in f for f in failed)
    )
    assert sum(line.startswith("[已保存]") for line in lines) == len(SEEDS)
    lib = Library()
    try:
        assert lib.counts()["reports"] == len(SEEDS)
    finally:
        lib.close()


def test_workers_default_is_every_core(monkeypatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    args = cli.build_parser().parse_args(["ingest", "folder"])
    assert args.workers == 3
    assert cli.build_parser().parse_args(["ingest", "folder", "--workers", "1"]).workers == 1


def test_two_ingest_commands_on_one_folder_store_each_document_once(db, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    docs = _documents(16)
    for name, data in docs:
        (folder / name).write_bytes(data)
    Library().close()  # the schema exists before the two commands start
    env = {**os.environ, "NIANBAO_DB_PATH": str(db), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "library", "ingest", str(folder), "--workers", "2", "--batch", "3"]
    procs = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    lines = [line for out, _ in outs for line in out.splitlines() if line.startswith("[")]
    assert len(lines) == 2 * len(docs)
    saved = [line for line in lines if line.startswith("[已保存]")]
    assert len(saved) == len(docs) and sum(line.startswith("[重复]") for line in lines) == len(docs)
    for name, _ in docs:  # each document saved by exactly one of the two commands
        assert sum(line.split("（")[0].endswith(name) for line in saved) == 1, name
    lib = Library()
    try:
        rows = dump(lib)
        assert len(rows["reports"]) == len(docs) == len({r["sha256"] for r in rows["reports"]})
        assert len([r for r in rows["audit_log"] if r["action"] == "report_upload"]) == len(docs)
    finally:
        lib.close()


def test_an_ingest_process_that_dies_costs_only_the_documents_it_held(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for i, spec in enumerate(specs(40)):
        (folder / f"{i:03d}.txt").write_text(synthetic_text(spec), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'lib.sqlite'}"
    Library(url).close()
    results = []
    for result in ingest_pool.run([folder], 2, IngestJob(url, batch=4)):
        if not results:  # the first batch is stored: kill one of the two ingest processes
            victim = next(p for p in multiprocessing.active_children() if p.name == "nianbao-ingest")
            victim.kill()
        results.append(result)
    assert sorted(r.name for r in results) == sorted(str(p) for p in folder.iterdir())  # one line each
    failed = [r for r in results if r.status == "failed"]
    saved = [r for r in results if r.status in ("ok", "warnings")]
    assert failed and all(r.message == ingest_pool.DIED_ZH for r in failed)
    assert len(failed) <= 4 + 2  # at most a batch and the files waiting in the process
    assert len(saved) + len(failed) == 40
    lib = Library(url)
    try:  # every saved line is in the library (a failed one may be too: re-running says 重复)
        assert {r.report_id for r in saved} <= set(lib.list()["report_id"])
    finally:
        lib.close()

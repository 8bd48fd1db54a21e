"""``python -m library``: ingest (files, folders, ZIPs, a broken file), findings --json, notices."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile

import pytest
from docx import Document
from paths import ROOT, SAMPLES

from library import cli
from library.finding import Finding
from library.store import Library

SEEDS = sorted(SAMPLES.glob("00*.txt"))


@pytest.fixture
def db(tmp_path, monkeypatch):
    """The app's environment variable points the command at a fresh SQLite file."""
    path = tmp_path / "library.sqlite"
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    monkeypatch.setenv("NIANBAO_DB_PATH", str(path))
    return path


def run(argv: list[str], **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(argv, out=out, **kwargs)
    return code, out.getvalue()


def test_ingest_folder_with_a_broken_file(db, tmp_path):
    folder = tmp_path / "reports"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SEEDS[0], folder / SEEDS[0].name)
    shutil.copy(SEEDS[1], folder / "sub" / SEEDS[1].name)  # found in a subfolder
    with zipfile.ZipFile(folder / "batch.zip", "w") as zf:  # a ZIP: its member is stored
        zf.write(SEEDS[2], SEEDS[2].name)
    (folder / "sub" / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    code, out = run(["ingest", str(folder), str(SEEDS[3]), "--workers", "2"])
    assert code == 1, out
    lines = out.strip().splitlines()
    assert len(lines) == 6  # five documents and the summary
    broken = next(line for line in lines if "broken.pdf" in line)
    assert broken.startswith("[失败]")
    assert sum(line.startswith("[已保存]") for line in lines) == 4
    assert "batch.zip/" + SEEDS[2].name in out
    assert lines[-1] == "共 5 份文档：新入库 4 份（其中 3 份有校验或解析提示），已在库中 0 份，失败 1 份。"
    lib = Library()
    try:
        assert len(lib.list()) == 4  # the broken file did not stop the others
    finally:
        lib.close()
    # Run again on the good files only: duplicates, nothing failed → exit status 0.
    code, out = run(["ingest", str(SEEDS[0]), str(SEEDS[3]), "--workers", "1"])
    assert code == 0 and out.count("[重复]") == 2, out


def _provider(lib, filters):
    """A findings provider standing in for the engine: one finding per stored report."""
    found = []
    for row in lib.list().itertuples():
        found.append(
            Finding(
                int(row.report_id),
                row.agency if isinstance(row.agency, str) else None,
                None if row.year != row.year else int(row.year),
                "D5",
                "error",
                "表四合计与各项之和不符",
                key=f"D5:{row.report_id}",
                evidence={"numbers": {"各项之和": 2, "总计": 3}, "cells": ["s4.review_total"]},
            )
        )
    years = {int(y) for y in filters.years}
    return [f for f in found if not years or f.year in years]


def test_findings_json_shape(db):
    assert run(["ingest", *map(str, SEEDS)])[0] == 0
    code, out = run(["findings", "--year", "2020", "--json"], findings_provider=_provider)
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 2  # the two 2020 sample reports
    required = {"report_id", "agency", "year", "code", "severity", "status", "message", "evidence"}
    for obj in data:
        assert required <= set(obj)
        assert obj["year"] == 2020 and obj["code"] == "D5" and obj["status"] == "open"
        assert isinstance(obj["report_id"], int) and obj["evidence"]["numbers"] == {"各项之和": 2, "总计": 3}
    assert {obj["agency"] for obj in data} == {"施秉县教育和科技局", "盐池县教育体育局"}


def test_findings_without_engine_says_so_in_chinese(db, monkeypatch, capsys):
    monkeypatch.setattr(cli, "findings_engine", lambda: None)
    assert cli.main(["findings", "--json"]) == 2
    assert "审核意见模块" in capsys.readouterr().err


def test_notices_writes_one_file_per_agency(db, tmp_path):
    assert run(["ingest", *map(str, SEEDS)])[0] == 0
    out_dir = tmp_path / "notices"
    code, out = run(
        [
            "notices",
            "--year",
            "2020",
            "-o",
            str(out_dir),
            "--office",
            "某县政务公开办",
            "--reply-by",
            "2026-03-31",
        ],
        findings_provider=_provider,
    )
    assert code == 0, out
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["整改通知单_施秉县教育和科技局_2020.docx", "整改通知单_盐池县教育体育局_2020.docx"]
    doc = Document(out_dir / names[0])
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "施秉县教育和科技局：" in text and "2026年3月31日前" in text and "某县政务公开办" in text
    assert "已生成 2 份整改通知单" in out
    code, out = run(["notices", "--year", "1999", "-o", str(out_dir)], findings_provider=_provider)
    assert code == 0 and "没有需要整改的单位" in out


def test_module_entry_point_and_chinese_usage_error():
    done = subprocess.run(
        [sys.executable, "-m", "library", "notices"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "参数错误：缺少参数：--year, -o/--output" in done.stderr

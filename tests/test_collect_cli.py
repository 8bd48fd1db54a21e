"""``python -m library collect`` (issue 14): URLs, the roster's sources and the re-check for a scheduler,
one Chinese line per URL (or JSON), against the local test server."""

from __future__ import annotations

import io
import json

import pytest
from collect_server import change_cell, seed_page_bytes

from library import cli
from library.store import Library
from parsing.vocabulary import FINDING_CHANGED_ONLINE

LOCAL = ["--allow-host", "127.0.0.1"]


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "library.sqlite"
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    monkeypatch.setenv("NIANBAO_DB_PATH", str(path))
    return path


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(argv, out=out)
    return code, out.getvalue()


def test_collect_prints_a_line_per_url_and_fails_only_when_everything_failed(db, site, capsys):
    page = site.url(site.seed("004").path)
    code, out = run(["collect", page, site.url("/gone.html"), *LOCAL, "--who", "张三"])
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith(page) and "已入库" in lines[0]
    assert lines[1].startswith(site.url("/gone.html")) and "失败" in lines[1] and "410" in lines[1]
    assert "共 2 个网址" in lines[-1]
    # Only failures: exit status 1; no URL at all: a usage error.
    assert run(["collect", site.url("/gone.html"), *LOCAL])[0] == 1
    assert run(["collect"])[0] == 2
    assert "参数错误" in capsys.readouterr().err
    assert run(["collect", "ftp://127.0.0.1/a.pdf"])[0] == 2
    # Without --allow-host (and without the administrator's setting) the loopback server is refused.
    code, out = run(["collect", page, "--json"])
    assert code == 1 and json.loads(out)[0]["reason"] == "blocked"
    lib = Library()
    try:
        trail = lib.audit_entries()
        assert set(trail[trail["action"] == "report_upload"]["who"]) == {"张三"}
    finally:
        lib.close()


def test_collect_with_metadata_then_recheck_for_a_scheduler(db, site, server):
    seed = site.seed("004")
    url = site.url(seed.path)
    code, out = run(["collect", url, "--region", "某县", "--year", "2023", *LOCAL, "--json"])
    assert code == 0
    first = json.loads(out)
    assert first[0]["result"] == "stored" and first[0]["region"] == "某县" and first[0]["year"] == 2023
    original = seed_page_bytes(seed.stem, seed.title, seed.published, seed.encoding)
    try:
        server.set(seed.path, change_cell(original, seed.encoding, "行政规范性文件", {0: "7"}))
        code, out = run(["collect", "--recheck", *LOCAL, "--json"])
        assert code == 0
        again = json.loads(out)
        assert [(r["url"], r["result"], r["finding"]) for r in again] == [
            (url, "changed", FINDING_CHANGED_ONLINE)
        ]
        code, out = run(["findings", "--json"])
        codes = [f["code"] for f in json.loads(out)]
        assert FINDING_CHANGED_ONLINE in codes
    finally:
        server.set(seed.path, original)


def test_collect_sources_uses_the_roster(db, site):
    lib = Library()
    try:
        column = site.url(site.platform_column)
        lib.import_roster(f"名称,地区,年报栏目网址\n某县人民政府,某县,{column}\n".encode(), "名录.csv")
    finally:
        lib.close()
    code, out = run(["collect", "--sources", *LOCAL])
    assert code == 0
    # A platform's column lists several agencies' reports: each keeps the agency it states.
    assert out.count("已入库：") == 4 and "栏目页" in out and "新版本" not in out
    lib = Library()
    try:
        agencies = set(lib.dataset()["agency"])
    finally:
        lib.close()
    assert {"施秉县教育和科技局", "盐池县教育体育局"} <= agencies and len(agencies) == 4

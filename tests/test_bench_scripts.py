"""The benchmark scripts' own logic (no app, no browser): --only, the tables and the library copies."""

from __future__ import annotations

import sqlite3

import bench_browser
import bench_ui
import pytest


def test_only_selects_by_substring_in_order():
    names = ["打开页面：总览", "重新运行：总览", "筛选年度（总览）", "打开页面：账户", "搜索（报告库）"]
    assert bench_ui.parse_only(None) == [] and bench_ui.parse_only(" 总览 , ,筛选") == ["总览", "筛选"]
    assert bench_ui.selected(names, []) == names
    assert bench_ui.selected(names, ["筛选", "打开页面：总"]) == ["打开页面：总览", "筛选年度（总览）"]
    with pytest.raises(SystemExit, match="无此"):
        bench_ui.selected(names, ["总览", "无此"])


def test_growth_table_puts_the_stores_of_a_size_side_by_side():
    rows = lambda f: [("打开页面：总览", 0.010 * f, 0.100 * f), ("筛选年度（总览）", 0.020 * f, 0.400 * f)]  # noqa: E731
    results = {("SQLite", 5000): rows(1), ("SQLite", 50000): rows(10), ("PostgreSQL", 5000): rows(2)}
    loads = {k: f"{i}.00–{i}.50" for i, k in enumerate(results)}
    lines = bench_ui.growth_table(results, loads, 3).splitlines()
    head = lines[2].split()
    assert head == ["interaction", "SQLite", "5000", "PostgreSQL", "5000", "SQLite", "50000"]
    assert lines[3].split() == ["打开页面：总览", "10", "/", "100", "20", "/", "200", "100", "/", "1000"]
    assert lines[5].split() == ["load", "average", "0.00–0.50", "2.00–2.50", "1.00–1.50"]
    assert (
        "SQLite 50000: over 300 ms 2 uncached, 0 cached; slowest uncached 筛选年度（总览） 4000 ms" in lines
    )
    # Chinese names take two columns: the cells start at the same terminal column on every row.
    assert bench_ui.width(lines[3][: lines[3].index("10")]) == bench_ui.width(
        lines[4][: lines[4].index("20")]
    )


def test_browser_table_shows_each_size_and_mode_with_spread_and_load():
    t = bench_browser.Timing
    results = {
        5000: {
            "打开：总览": {"cached": t([0.3, 0.5, 0.4], [0.1] * 3), "write": t([0.9, 1.2, 1.1], [0.8] * 3)}
        },
        50000: {
            "打开：总览": {"cached": t([0.6, 0.7, 0.8], [0.2] * 3), "write": t([2.0, 2.5, 3.0], [1.9] * 3)}
        },
    }
    text = bench_browser.table(results, {5000: "1.00–1.20", 50000: "0.90–1.10"}, 3)
    lines = text.splitlines()
    assert lines[2].split() == [
        "interaction",
        "5000",
        "cached",
        "5000",
        "after",
        "write",
        "50000",
        "cached",
    ] + [
        "50000",
        "after",
        "write",
    ]
    assert lines[3].split() == [
        "打开：总览",
        "400",
        "(300–500)",
        "1100",
        "(900–1200)!",
        "700",
        "(600–800)",
    ] + [
        "2500",
        "(2000–3000)!",
    ]
    assert lines[4].split()[2:] == ["1.00–1.20", "1.00–1.20", "0.90–1.10", "0.90–1.10"]
    assert "50000 after write: 1 of 1 over 1.0 s 打开：总览; slowest 打开：总览 2500 ms" in lines
    served = bench_browser.table(results, {5000: "1", 50000: "1"}, 3, served=True).splitlines()
    assert served[3].split() == ["打开：总览", "100", "800", "200", "1900"]


def test_a_shared_library_is_copied_complete_and_left_alone(tmp_path):
    """--source: the complete library of the size is copied (its write-ahead log included), not grown."""
    shared, own = tmp_path / "shared", tmp_path / "own"
    shared.mkdir()
    own.mkdir()
    source = shared / "nianbao-bench-ui-synthetic-3.sqlite"
    keep = sqlite3.connect(source)  # held open: the rows below stay in the WAL, not yet in the file
    keep.execute("PRAGMA journal_mode=wal")
    keep.execute("CREATE TABLE reports (id INTEGER PRIMARY KEY)")
    keep.executemany("INSERT INTO reports VALUES (?)", [(1,), (2,), (3,)])
    keep.commit()
    assert bench_ui._sqlite_reports(source) == 3
    bench_ui._sqlite_copy(source, own / source.name)
    keep.close()
    assert bench_ui._sqlite_reports(own / source.name) == 3
    assert bench_ui._sqlite_reports(shared / "missing.sqlite") is None


def test_the_collect_benchmark_runs_on_a_few_pages(capsys):
    import bench_collect

    assert bench_collect.main(["--pages", "4", "--hosts", "2", "--interval", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "1. one host, no pause" in out and "2. real policy (0.05 s per host) on 2 hosts" in out
    assert out.count("4 pages stored (4 in the library)") == 2 and "pages/s" in out


def test_each_write_of_the_uncached_runs_changes_what_it_says(tmp_path):
    """--write: "undo" leaves the figures as they were, "correction" changes one figure and the next
    write restores it, "upload" adds a report and the next write removes it (the library's size is kept)."""
    from library.store import Library
    from library.synthetic import populate

    lib = Library(f"sqlite:///{tmp_path / 'bench.sqlite'}")
    populate(lib, 4)
    first = int(lib.dataset()["report_id"].iloc[0])

    def proactive() -> float:
        frame = lib.dataset()
        return frame.loc[frame["report_id"] == first, "n.proactive_total"].iloc[0]

    before, revision = proactive(), lib.revision()
    bench_ui.change_library(lib, first, "undo")
    assert proactive() == before and lib.revision() != revision
    bench_ui.change_library(lib, first, "correction")
    assert proactive() == 1 != before
    bench_ui.change_library(lib, first, "correction")
    assert proactive() == before
    bench_ui.change_library(lib, first, "upload")
    assert len(lib.dataset()) == 5 and bench_ui._EXTRA in set(lib.dataset()["filename"])
    bench_ui.change_library(lib, first, "upload")
    assert len(lib.dataset()) == 4
    lib.close()

"""AppTest of the 审核意见 page on the real 洪泽区 reports: the D5 finding of 2023 with its numbers, a
reviewer confirming one finding and dismissing another with a note, and the ranking with its minimum."""

from __future__ import annotations

from pathlib import Path

import paths
import pytest
from _app_support import app_test, library_at, signed_in_as

from library.rubric import default_rubric
from library.store import Library
from parsing.api import parse_bytes

PAGE = "app_pages/findings.py"


@pytest.fixture(scope="module")
def hongze_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library file holding the real 洪泽区 2023 and 2024 reports."""
    path = tmp_path_factory.mktemp("findings_page") / "lib.sqlite"
    lib = Library(f"sqlite:///{path}")
    for pdf in (paths.HONGZE_2023, paths.HONGZE_2024):
        data = pdf.read_bytes()
        lib.add(parse_bytes(data, pdf.name), data)
    lib.close()
    return path


def frame(at, column: str):
    """The first table on the page with ``column`` (AppTest keeps keys only on selectable tables)."""
    found = [df.value for df in at.dataframe if column in df.value.columns]
    assert found, f"no table with column {column}"
    return found[0]


def _open(db: Path):
    at = app_test(timeout=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _choose_report(at, year: int) -> None:
    box = at.selectbox(key="fd_report")
    labels = [str(o) for o in box.options]
    pick = next(i for i, label in enumerate(labels) if f"{year}年" in label)
    box.set_value(pick).run()


def test_page_lists_the_d5_finding_and_records_decisions(hongze_db: Path) -> None:
    with library_at(hongze_db):
        at = _open(hongze_db)
        table = frame(at, "状态")
        d5 = table[(table["年度"] == 2023) & (table["问题"] == "复议诉讼总计不等于各结果之和")]
        assert len(d5) == 2
        assert any("行政复议 · 总计 0 ≠" in m and "11（10 + 1 + 0 + 0）" in m for m in d5["说明"])
        _choose_report(at, 2023)
        assert not at.exception
        lib = Library(f"sqlite:///{hongze_db}")
        rid = next(f.report_id for f in lib.findings() if f.year == 2023)
        at.button(key=f"fd_confirm_{rid}_D5:review").click().run()
        assert not at.exception, [e.value for e in at.exception]
        # Dismissing without a note is refused; with a note it is saved.
        at.button(key=f"fd_dismiss_{rid}_D5:lit_after_review").click().run()
        assert any("须填写说明" in e.value for e in at.error)
        at.text_input(key=f"fd_note_{rid}_D5:lit_after_review").set_value(
            "复议后起诉总计栏为打印错误，已电话核实为5"
        ).run()
        at.button(key=f"fd_dismiss_{rid}_D5:lit_after_review").click().run()
        assert not at.exception
        marks = lib.statuses()
        assert marks[(rid, "D5:review")].status == "confirmed"
        # Who decided: the signed-in account's name (no name to type any more).
        assert marks[(rid, "D5:review")].who == signed_in_as("admin").label
        assert marks[(rid, "D5:lit_after_review")].status == "dismissed"
        assert "打印错误" in marks[(rid, "D5:lit_after_review")].note
        table = frame(at, "状态")
        row = table[(table["年度"] == 2023) & table["说明"].str.contains("行政复议 · 总计")]
        assert row["状态"].tolist() == ["已确认"]
        lib.close()


def test_ranking_tab_states_the_minimum_of_applications(hongze_db: Path) -> None:
    with library_at(hongze_db):
        at = _open(hongze_db)
        minimum = default_rubric().thresholds.min_applications
        assert any(f"不少于 {minimum} 件" in c.value for c in at.caption)
        ranking = frame(at, "组内排名")
        assert set(ranking["年度"]) == {2023, 2024}
        assert ranking["得分"].max() <= default_rubric().base

"""Report versions in the app: uploading a corrected report and reading its versions in 报告库."""

from __future__ import annotations

import pytest
from _app_support import app_test, library_at, metric, table_with, texts
from paths import HONGZE_2023
from test_library_versions import _corrected_text

from parsing.api import parse_bytes

CORRECTED_NAME = "洪泽区2023年年报（更正版）.txt"


@pytest.fixture
def library(tmp_path):
    with library_at(tmp_path / "library.sqlite"):
        from library.store import Library

        yield Library()


@pytest.fixture(scope="module")
def pair() -> dict:
    data = HONGZE_2023.read_bytes()
    parsed = parse_bytes(data, HONGZE_2023.name)
    fixed = _corrected_text(parsed.text).encode("utf-8")
    return {"original": (parsed, data), "corrected": fixed}


def test_upload_says_the_saved_report_is_a_new_version(library, pair) -> None:
    old_id, _ = library.add(*pair["original"])
    at = app_test().run()
    at.switch_page("app_pages/upload.py").run()
    at.file_uploader(key="upload_files").upload(CORRECTED_NAME, pair["corrected"], "text/plain")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="save_batch").click().run()
    assert not at.exception, [e.value for e in at.exception]
    new_id = max(library.list()["report_id"])
    shown = texts(at)
    assert "已保存 1 份报告（其中 1 份为库中已有报告的新版本）" in shown
    assert (
        f"已保存为“淮安市洪泽区人民政府（洪泽区）2023 年度报告”的第 2 版（编号 {new_id}，当前版本）" in shown
    )
    assert f"其他版本（编号 {old_id}）保留在报告库中" in shown
    assert list(library.dataset()["report_id"]) == [new_id]


def test_report_library_lists_versions_and_shows_the_differences(library, pair) -> None:
    old_id, _ = library.add(*pair["original"])
    new_id, _ = library.add(parse_bytes(pair["corrected"], CORRECTED_NAME), pair["corrected"])
    at = app_test().run()
    at.switch_page("app_pages/report_library.py")
    at.session_state["library_selected"] = old_id
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "报告") == "1"  # counted once
    listed = table_with(at, "版本").set_index("编号")
    assert listed.loc[new_id, "版本"] == "第2版（当前）"
    assert listed.loc[old_id, "版本"] == f"第1版（已被编号 {new_id} 取代）"
    assert f"这是旧版本，已被编号 {new_id} 取代，不计入各页统计。" in texts(at)
    versions = table_with(at, "发布日期")
    assert list(versions["版本"]) == [f"第1版（编号 {old_id}）", f"第2版（编号 {new_id}，当前）"]
    assert list(versions["未通过校验"]) == [2, 0]
    diff = table_with(at, "字段键")
    old_col, new_col = f"第1版（编号 {old_id}）", f"第2版（编号 {new_id}，当前）"
    assert list(diff["项目"]) == ["行政复议 · 总计", "行政诉讼 · 复议后起诉 · 总计"]
    assert list(diff[old_col]) == ["0", "0"] and list(diff[new_col]) == ["11", "5"]
    # The current version compares itself with the one before it.
    at.session_state["library_selected"] = new_id
    at.run()
    assert "这是旧版本" not in texts(at)
    assert list(table_with(at, "字段键")[new_col]) == ["11", "5"]

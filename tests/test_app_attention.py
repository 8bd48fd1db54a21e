"""Reports needing attention (issue 9, item 1 and the UI of items 3/4): a table the text shows but
whose cells could not be read, and values split or placed by the official rules, are marked 需要关注
on the upload page and listed on 数据质量 with Chinese reasons; each value carries its 标记.

Documents: the run-together dump of tests/test_interpret_recovery.py (an invented 民政局 whose tables
were scraped with every cell run together), and an invented town report whose tables were images
(the headings of 二, 三 and 四 are there, no table line).
"""

from __future__ import annotations

import pytest
from _app_support import app_test, library_at, metric, table_with, texts
from test_interpret_recovery import RUN_DUMP

IMAGE_ONLY = """青山镇人民政府2023年政府信息公开工作年度报告
一、总体情况
2023年，青山镇人民政府认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开各类信息。
二、主动公开政府信息情况
（统计表见附图一）
三、收到和处理政府信息公开申请情况
（统计表见附图二）
四、政府信息公开行政复议、行政诉讼情况
（统计表见附图三）
五、存在的主要问题及改进情况
公开内容不够全面，下一步将加强培训。
六、其他需要报告的事项
无。
"""
TABLES = ("第二部分（主动公开）表格", "第三部分（依申请公开）表格", "第四部分（复议诉讼）表格")
RUN_NAME, IMAGE_NAME = "东湖区民政局.txt", "青山镇.txt"


@pytest.fixture
def empty_library(tmp_path):
    with library_at(tmp_path / "library.sqlite"):
        from library.store import Library

        lib = Library()
        yield lib
        lib.close()


def _parse(text: str, name: str):
    from parsing.api import parse_bytes

    return parse_bytes(text.encode("utf-8"), name)


def test_parse_result_lists_each_table_seen_but_unread():
    image = _parse(IMAGE_ONLY, IMAGE_NAME)
    assert image.error is None and not image.cells
    assert [t["table"] for t in image.unread_tables] == ["s2", "s3", "s4"]
    assert {t["code"] for t in image.unread_tables} == {"heading_only"}
    assert image.to_json()["unread_tables"] == image.unread_tables  # in the JSON (an added key)
    dump = _parse(RUN_DUMP, RUN_NAME)
    assert dump.unread_tables == [] and dump.to_json()["unread_tables"] == []


def test_upload_marks_unread_tables_and_rule_split_values_as_needing_attention(empty_library):
    at = app_test().run()
    at.switch_page("app_pages/upload.py").run()
    uploader = at.file_uploader(key="upload_files")
    uploader.upload(RUN_NAME, RUN_DUMP.encode("utf-8"), "text/plain")
    uploader.upload(IMAGE_NAME, IMAGE_ONLY.encode("utf-8"), "text/plain")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    results = table_with(at, "说明")
    status = dict(zip(results["文件"], results["状态"], strict=True))
    reason = dict(zip(results["文件"], results["说明"], strict=True))
    assert status == {RUN_NAME: "需要关注", IMAGE_NAME: "需要关注"}
    assert metric(at, "需要关注") == "2"
    for table in TABLES:  # each table named, with why
        assert f"{table}未读取：只找到章节标题" in reason[IMAGE_NAME], reason[IMAGE_NAME]
    assert "个数值按勾稽关系拆分" in reason[RUN_NAME]
    assert "2 份报告需要关注" in texts(at)
    reasons = table_with(at, "需要关注的原因")  # one row per reason: each unread table named on its own
    image_reasons = list(reasons.loc[reasons["文件"] == IMAGE_NAME, "需要关注的原因"])
    assert [r.split("未读取")[0] for r in image_reasons] == list(TABLES)


def _store(lib) -> dict[str, int]:
    ids = {}
    for text, name in ((RUN_DUMP, RUN_NAME), (IMAGE_ONLY, IMAGE_NAME)):
        ids[name], _ = lib.add(_parse(text, name), text.encode("utf-8"))
    return ids


def test_library_keeps_unread_tables_and_flags(empty_library):
    ids = _store(empty_library)
    unread = empty_library.unread_tables()
    assert set(unread["report_id"]) == {ids[IMAGE_NAME]}
    assert list(unread["table"]) == ["s2", "s3", "s4"]
    flagged = empty_library.flagged_cells()
    split = flagged[flagged["flag"] == "split_by_rule"]
    assert list(split["report_id"]) == [ids[RUN_NAME]]
    parsed = _parse(RUN_DUMP, RUN_NAME)
    assert int(split["n"].iloc[0]) == sum(c.flag == "split_by_rule" for c in parsed.cells.values())
    stored = empty_library.get(ids[RUN_NAME])
    assert stored.cells.set_index("key").loc["s3.r1_new_received.total", "flag"] == "split_by_rule"
    assert empty_library.get(ids[IMAGE_NAME]).unread_tables == _parse(IMAGE_ONLY, IMAGE_NAME).unread_tables


def test_old_database_gets_the_unread_column(tmp_path):
    from legacy_db import legacy_library

    from library.migrate import current_revision, head_revision
    from library.store import Library

    lib = Library(legacy_library(tmp_path / "v3.sqlite", 3))  # a database made before the column existed
    assert current_revision(lib.engine) == head_revision()
    lib.add(_parse(IMAGE_ONLY, IMAGE_NAME), IMAGE_ONLY.encode("utf-8"))
    assert len(lib.unread_tables()) == 3
    lib.close()


def test_quality_page_lists_reports_needing_attention_with_chinese_reasons(empty_library):
    ids = _store(empty_library)
    at = app_test().run()
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "需要关注的报告") == "2"
    parsed = _parse(RUN_DUMP, RUN_NAME)
    n_split = sum(c.flag == "split_by_rule" for c in parsed.cells.values())
    assert metric(at, "按勾稽关系推定的数值") == str(n_split)
    listed = table_with(at, "问题")
    image_rows = listed[listed["报告编号"] == ids[IMAGE_NAME]]
    assert list(image_rows["问题"]) == ["表格未读取"] * 3
    for table in TABLES:
        assert any(s.startswith(f"{table}未读取：只找到章节标题") for s in image_rows["说明"]), table
    run_rows = listed[listed["报告编号"] == ids[RUN_NAME]]
    assert list(run_rows["问题"]) == ["按勾稽关系拆分"]
    assert list(run_rows["说明"]) == [f"{n_split} 个数值按勾稽关系拆分，请与原文核对"]

    # One report: the 标记 column says how each value was obtained; the unread tables are named.
    at.selectbox(key="quality_report").set_value(ids[RUN_NAME]).run()
    assert not at.exception, [e.value for e in at.exception]
    cells = next(df.value for df in at.dataframe if df.key == f"quality_cells_{ids[RUN_NAME]}")
    from parsing.schema import key_label

    marks = dict(zip(cells["字段"], cells["标记"], strict=True))
    assert marks[key_label("s3.r1_new_received.total")] == "按勾稽关系拆分"
    assert marks[key_label("s2.art20_5.administrative_licensing.decisions")] == ""  # read as written
    at.selectbox(key="quality_report").set_value(ids[IMAGE_NAME]).run()
    assert "第三部分（依申请公开）表格未读取" in texts(at)


def test_every_parser_flag_has_a_chinese_mark():
    import re
    from pathlib import Path

    from parsing.vocabulary import FLAG_NAMES, flag_name

    root = Path(__file__).resolve().parents[1] / "parsing"
    source = (root / "values.py").read_text(encoding="utf-8") + (root / "interpret.py").read_text(
        encoding="utf-8"
    )
    flags = set(re.findall(r'Value\([^)]*?"([a-z_]+)"', source)) | set(
        re.findall(r'_FLAG = "([a-z_]+)"', source)
    )
    assert {"split_by_rule", "placed_by_rule", "too_long"} <= flags
    assert flags <= set(FLAG_NAMES)
    assert flag_name("placed_by_rule") == "按勾稽关系放置" and flag_name("ok") == ""


PROSE_ONLY = """白沙乡人民政府2024年政府信息公开工作年度报告
一、总体情况
2024年，白沙乡人民政府坚持以公开为常态、不公开为例外，全年主动公开信息一百余条。
五、存在的主要问题及改进情况
信息更新不够及时，下一步将明确专人负责。
"""


def test_report_without_any_table_is_listed_by_its_reason(empty_library):
    from parsing.vocabulary import unread_table_text

    parsed = _parse(PROSE_ONLY, "白沙乡.txt")
    assert parsed.error is None and [t["code"] for t in parsed.unread_tables] == ["no_tables"]
    empty_library.add(parsed, PROSE_ONLY.encode("utf-8"))
    empty_library.add(_parse(IMAGE_ONLY, IMAGE_NAME), IMAGE_ONLY.encode("utf-8"))  # named tables beside it
    unread = empty_library.unread_tables()
    row = unread[unread["code"] == "no_tables"].iloc[0].to_dict()
    text = unread_table_text(row)  # the table is missing (NaN in the frame): "统计表格", never "nan"
    assert text.startswith("统计表格未读取：文中没有找到第二、三、四部分的统计表格"), text

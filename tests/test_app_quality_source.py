"""数据质量 page (AppTest): clicking a value shows its source for every format, the correction form
starts from the clicked value, and checks, fields and notes read in Chinese (issue 7 items 7, 9, 12)."""

from __future__ import annotations

import re

import pytest
from _app_support import SAMPLES, app_test, library_at, table_with, texts
from paths import HUAIAN

HTML_SEED = SAMPLES / "rendered" / "000_bd3a826d0705f6e5.html"
TEXT_SEED = SAMPLES / "004_e3c733e02cbb2cbf.txt"  # v2021
KEY = "s3.r3_1_granted.natural_person"
CANONICAL = re.compile(r"\b(?:s[234]\.[a-z0-9_.]+|n\.[a-z_]+|natural_person|total)\b")


def _broken_text() -> bytes:
    """Seed 004 with its 予以公开 · 自然人 raised by 5, so the row, column and balance checks fail."""
    from parsing.api import parse_bytes

    text = TEXT_SEED.read_text(encoding="utf-8")
    cell = parse_bytes(text.encode("utf-8"), TEXT_SEED.name).cells[KEY]
    lines = text.split("\n")
    line = lines[cell.source.line - 1]
    assert line.strip() == cell.raw, "seed 004 has one value per line"
    lines[cell.source.line - 1] = line.replace(cell.raw, str(int(cell.raw) + 5))
    return "\n".join(lines).encode("utf-8")


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A temp library with the real 淮安 PDF, a web page and a text report: {format: report id}."""
    path = tmp_path_factory.mktemp("quality_source") / "library.sqlite"
    with library_at(path):
        from library.store import Library
        from parsing.api import parse_bytes

        lib = Library()
        ids = {}
        for fmt, name, data in (
            ("pdf", HUAIAN.name, HUAIAN.read_bytes()),
            ("html", HTML_SEED.name, HTML_SEED.read_bytes()),
            ("txt", "broken.txt", _broken_text()),
        ):
            report_id, _ = lib.add(parse_bytes(data, name), data)
            ids[fmt] = report_id
        lib.close()
        yield path, ids


def _open(stored, fmt: str):
    path, ids = stored
    at = app_test().run()
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="quality_report").set_value(ids[fmt]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at, ids[fmt]


def _click(at, report_id: int, key: str):
    """Select the row of ``key`` in the values table, as a click does (selection state is writable)."""
    table = next(df for df in at.dataframe if df.key == f"quality_cells_{report_id}")
    from parsing.schema import key_label

    row = list(table.value["字段"]).index(key_label(key))
    at.session_state[f"quality_cells_{report_id}"] = {
        "selection": {"rows": [row], "columns": [], "cells": []}
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_pdf_value_shows_its_page_with_the_box(stored):
    with library_at(stored[0]):
        at, rid = _open(stored, "pdf")
        at = _click(at, rid, KEY)
        images = at.get("image")
        assert images, "a PDF value must show its page image"
        assert "原件第 4 页" in texts(at) and "红框" in texts(at)


def test_web_page_value_shows_its_table_row(stored):
    with library_at(stored[0]):
        at, rid = _open(stored, "html")
        at = _click(at, rid, KEY)
        row = table_with(at, "4｜自然人")  # the row first; the whole table follows in an expander
        assert list(row.index) == ["第 6 行"]
        assert list(row.iloc[0])[:2] == ["三、本年度办理结果", "（一）予以公开"]
        assert "第 6 行" in texts(at) and "第 4 列" in texts(at)


def test_text_value_keeps_the_line_view(stored):
    with library_at(stored[0]):
        at, rid = _open(stored, "txt")
        at = _click(at, rid, KEY)
        excerpt = next(c.value for c in at.code if "▶" in c.value)
        marked = next(line for line in excerpt.splitlines() if line.startswith("▶"))
        assert "予以公开" in marked or re.search(r"\d", marked)


def test_correction_form_starts_from_the_clicked_cell(stored):
    with library_at(stored[0]):
        at, rid = _open(stored, "html")
        at = _click(at, rid, "s3.r1_new_received.total")
        field = at.selectbox(key=f"correction_field_{rid}")
        assert field.value == "s3.r1_new_received.total"
        assert field.format_func(field.value) == "一、本年新收政府信息公开申请数量 · 总计"
        shown = texts(at)
        assert "当前值：**0**" in shown and "报告原文：“0”" in shown


def test_quality_page_reads_in_chinese(stored):
    with library_at(stored[0]):
        at, rid = _open(stored, "txt")
        failed = table_with(at, "报告编号")
        assert list(failed.columns) == ["报告编号", "单位", "年度", "规则", "位置", "说明"]
        assert any(
            re.fullmatch(r"三、（七）总计 · 自然人 \d+ ≠ 各办理结果之和 \d+", t) for t in failed["说明"]
        ), failed
        field = at.selectbox(key=f"correction_field_{rid}")
        options = [field.format_func(o) for o in field.options]
        for frame in [df.value for df in at.dataframe]:
            for column in frame.columns:
                if frame[column].dtype == object:
                    leaks = [v for v in frame[column].astype(str) if CANONICAL.search(v)]
                    assert not leaks, (column, leaks[:3])
        assert not [o for o in options if CANONICAL.search(o)]


def test_current_value_of_a_large_number_reads_in_full(stored):
    with library_at(stored[0]):
        at, rid = _open(stored, "pdf")
        at = _click(at, rid, "s2.art20_6.administrative_penalty.decisions")
        assert "当前值：**3985758**" in texts(at)

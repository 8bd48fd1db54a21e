"""Hostile files (issue 10): every document answered within its budget, nothing else lost.

The small sample of the hostile corpus (tests/hostile_corpus.py) runs through one worker process;
the full corpus runs with scripts/hostile_run.py. Each budget item has its own test below.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import hostile_corpus as corpus
import pytest

from parsing.api import parse_batch, parse_bytes, parse_path
from parsing.limits import Limits, describe_zh, get_limits, upload_limit_mb, use_limits
from parsing.readers.ocr import render_scale
from parsing.values import parse_value
from parsing.worker import Worker

ROOT = Path(__file__).resolve().parents[1]
GOOD = corpus.good_reports()[0]
BUDGET_CODES = {"timeout", "too_large", "too_complex"}


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture(scope="module")
def worker():
    with Worker() as w:
        yield w


@pytest.fixture(scope="module")
def sample_results(worker):
    """(case, reports, seconds) for every case of the small sample, parsed by one worker."""
    out = []
    for case in corpus.cases(full=False):
        name = case.name if isinstance(case.name, str) else os.fsdecode(case.name)
        started = time.monotonic()
        reports = parse_batch(case.data, name, None, worker.parse)
        out.append((case, reports, time.monotonic() - started))
    return out


def test_sample_every_document_gets_a_clean_answer(sample_results):
    limits = get_limits()
    for case, reports, seconds in sample_results:
        assert reports, case.name  # at least one object, even for an empty ZIP
        assert seconds < limits.wall_seconds + 10, case.name
        for report in reports:
            data = json.dumps(report.to_json(), ensure_ascii=False, allow_nan=False)  # valid JSON: no inf/NaN
            assert data
            if report.error is not None:
                assert report.error["code"] != "internal", (case.name, report.error)
                assert report.error["message_en"] and _chinese(report.error["message"]), case.name


def test_sample_covers_every_category(sample_results):
    categories = {case.category for case, _, _ in sample_results}
    assert {
        "size",
        "spans",
        "digits",
        "nesting",
        "archive",
        "odd_name",
        "encoding",
        "bomb",
        "xml_attack",
        "magic_junk",
        "truncation",
        "byte_flip",
    } <= categories


def test_corpus_is_deterministic():
    first = [(c.name, c.data) for c in corpus.cases(full=False)]
    second = [(c.name, c.data) for c in corpus.cases(full=False)]
    assert first == second


@pytest.mark.parametrize(
    "name, code, limit",
    [
        ("spans-1000.html", "too_complex", "max_grid_slots"),
        ("tiff-60.tif", "too_large", "max_ocr_pages"),
        ("ocr-40-pages.pdf", "too_large", "max_ocr_pages"),
        ("png-bomb.png", "too_large", "max_image_pixels"),
    ],
)
def test_overruns_name_the_limit(sample_results, name, code, limit):
    (reports,) = [r for c, r, _ in sample_results if c.name == name]
    assert reports[0].error["code"] == code
    assert reports[0].error["limit"] == limit
    assert re.search(r"上限", reports[0].error["message"])


def test_the_good_report_survives_after_each_hostile_one(worker):
    """One document's failure never touches the next one: the same worker parses the good report."""
    good = GOOD.read_bytes()
    expected = parse_bytes(good, GOOD.name).values()
    for name in ("deep-table-20k.html", "spans-1000.html", "digits-400.html", "merged-whole-sheet.xlsx"):
        case = next(c for c in corpus.cases(full=False) if c.name == name)
        worker.parse(case.data, name)
        assert worker.parse(good, GOOD.name).values() == expected


def test_timeout_kills_the_worker_and_the_next_document_parses():
    slow = corpus._bigtext_lines(40_000)  # about 1.5 s of work
    good = GOOD.read_bytes()
    with Worker(Limits(wall_seconds=0.3)) as w:
        w.parse(b"warm", "warm.txt")  # the worker is started outside the measured budget
        report = w.parse(slow, "slow.txt")
        assert report.error["code"] == "timeout"
        assert report.error["limit"] == "wall_seconds"
        assert _chinese(report.error["message"])
    with Worker(Limits(wall_seconds=30)) as w:
        assert w.parse(good, GOOD.name).error is None


def test_memory_budget_stops_a_document():
    big_html = corpus.html_table([[str(i) for i in range(200)] for _ in range(240)])  # bs4 needs > 40 MB
    with Worker(Limits(memory_bytes=40 * 1024 * 1024)) as w:
        report = w.parse(big_html, "big.html")
        assert report.error["code"] == "too_large"
        assert report.error["limit"] == "memory_bytes"
        assert w.parse(GOOD.read_bytes(), GOOD.name).error is None  # a fresh worker took over


def test_value_with_absurd_digit_count_stays_raw():
    value = parse_value("9" * 400)
    assert value.value is None and value.flag == "too_long"
    assert (
        parse_value("1" * 5000 + " " + "2" * 5000).flag == "too_long"
    )  # split form: no int() of 10,000 digits
    assert parse_value("12345").value == 12345


def test_render_scale_bounds_the_pixels_of_a_page():
    limits = get_limits()
    huge = render_scale(14400, 14400, limits.max_page_pixels)
    assert (14400 * huge) ** 2 <= limits.max_page_pixels * 1.001
    assert render_scale(595, 842, limits.max_page_pixels) == pytest.approx(200 / 72)  # A4 keeps 200 dpi


def test_html_nesting_is_flattened_not_recursed():
    depth = 5_000
    page = (
        "<html><body>"
        + "<div>" * depth
        + "</div>" * depth
        + "<table><tr><td>行政许可</td><td>5</td></tr></table>"
        "</body></html>"
    ).encode()
    report = parse_bytes(page, "deep.html")
    assert report.error is None or report.error["code"] != "internal"
    from parsing.readers.html import read

    doc = read(page, "deep.html")
    assert any(c.text == "行政许可" for row in doc.rows for c in row)


def test_docx_grid_span_is_clamped():
    report = parse_bytes(corpus.docx_table(2, 3, span=2_000_000_000), "span.docx")
    assert report.error is None or report.error["code"] not in ("internal",)
    from parsing.readers.docx import read

    doc = read(corpus.docx_table(2, 3, span=2_000_000_000), "span.docx")
    assert max(c.source.col or 0 for row in doc.rows for c in row) <= get_limits().max_span + 3


def test_xlsx_merged_range_over_the_whole_sheet_is_bounded():
    from parsing.readers.xlsx import read

    started = time.monotonic()
    doc = read(corpus.xlsx_of(list(corpus._xlsx_rows(3)), merge="A1:XFD1048576"), "m.xlsx")
    assert time.monotonic() - started < 5
    assert [c.text for row in doc.rows for c in row] == ["1"]  # the merge covers the rest: emitted once


def test_stage_limits_come_from_one_place():
    use_limits(Limits(max_cells=50))
    try:
        report = parse_bytes(corpus._bigtext_lines(100), "lines.txt")
        assert report.error["code"] == "too_complex" and report.error["limit"] == "max_cells"
    finally:
        use_limits(None)


def test_file_above_the_size_limit_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(get_limits().max_file_bytes + 1)  # sparse: nothing to read if refused from its size
    (report,) = parse_path(path)
    assert report.error["code"] == "too_large" and report.error["limit"] == "max_file_bytes"


def test_upload_limit_and_ui_text_agree_with_the_parser():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["maxUploadSize"] == upload_limit_mb()
    text = describe_zh()
    assert f"{upload_limit_mb()} MB" in text and _chinese(text)
    assert "describe_zh()" in (ROOT / "app_pages" / "upload.py").read_text("utf-8")


def test_make_run_listens_on_loopback_by_default():
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert re.search(r"^ADDRESS \?= 127\.0\.0\.1$", makefile, re.MULTILINE)
    assert "--server.address $(ADDRESS)" in makefile


def test_cli_output_is_valid_for_any_name_and_every_input(tmp_path):
    """A batch with a good report, non-UTF-8 names, an empty and a junk-only ZIP: valid JSON, one
    object per input (file_b64 gives the exact name back), exit status 1."""
    cases = [
        corpus.Case(b"bad-\xff\xfe.txt", b"x", "odd_name"),
        corpus.Case(b"gbk-\xb1\xa8\xb8\xe6.txt", GOOD.read_bytes(), "odd_name"),
        corpus.Case("empty.zip", corpus.zip_of({}), "archive"),
        corpus.Case("junk.zip", corpus.zip_of({"__MACOSX/._a": b"x", ".DS_Store": b"x"}), "archive"),
    ]
    paths = [corpus.write(c, tmp_path) for c in cases]
    proc = subprocess.run(
        [sys.executable, "-m", "parsing", os.fsencode(GOOD), *[os.fsencode(p) for p in paths]],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    objects = json.loads(proc.stdout.decode("utf-8"))
    assert proc.returncode == 1
    assert len(objects) == 5
    assert objects[0]["error"] is None
    names = [
        base64.b64decode(o["file_b64"]) if "file_b64" in o else os.fsencode(o["file"]) for o in objects[1:]
    ]
    assert names == [os.fsencode(p) for p in paths]
    assert objects[2]["error"] is None  # the GBK-named copy of the good report parses
    assert objects[3]["error"]["code"] == "empty_archive" and objects[4]["error"]["code"] == "empty_archive"


def test_ingest_answers_every_upload_with_an_item_within_the_limits():
    """The library ingest uses the same expansion and worker: an empty ZIP is one failed item, and a
    document beyond a limit is a failed item naming it."""
    from library.ingest import parse_one, parse_upload

    (item,) = parse_upload(corpus.zip_of({}), "empty.zip")
    assert not item.ok and item.parsed.error["code"] == "empty_archive"
    report = parse_one(corpus.html_table([["1"] * 10] * 100, ' rowspan="200" colspan="200"'), "spans.html")
    assert report.error["code"] == "too_complex" and report.error["limit"] == "max_grid_slots"


def test_a_device_or_directory_is_an_error_object_not_an_endless_read(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "parsing", "/dev/zero", str(tmp_path), str(GOOD)],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    objects = json.loads(proc.stdout.decode("utf-8"))
    assert [o["error"]["code"] if o["error"] else None for o in objects] == ["unreadable", "unreadable", None]
    assert proc.returncode == 1


def test_a_worker_starts_whatever_the_main_script_is(tmp_path, monkeypatch):
    """Under Streamlit and AppTest, ``__main__`` is a page script (or a deleted temporary one): the
    spawned worker must not re-run it, or every document of the app would fail as a dead worker."""
    import types

    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('the page script ran in the worker')\n", encoding="utf-8")
    fake = types.ModuleType("__main__")
    fake.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake)
    with Worker() as w:
        report = w.parse(GOOD.read_bytes(), GOOD.name)
    assert report.error is None, report.error
    assert report.cells

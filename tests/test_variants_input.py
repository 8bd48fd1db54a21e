"""Truncated and bad input, text encodings and the command line.

One focused test per variant of the domain reference §7 and per item of the parsing-core issue
(split by topic from the former test_variants.py; helpers in variants_support.py). Each test parses a
small, realistic report snippet and checks what the parser must get from it.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from paths import ROOT
from render_text import LAYOUTS, full_spec, render
from variants_support import (
    HUBEI,
    S2,
    S3_HEAD_TABS,
    TITLE_2021,
    parse,
    s3_row,
)

from parsing.api import parse_bytes

# --------------------------------------------------------------------------- truncated and bad input


def test_truncated_document_keeps_cells_before_the_cut() -> None:
    text = (
        TITLE_2021
        + S2
        + "第二十条第（五）项\n信息内容\t本年处理决定数量\n行政许可\t88\n"
        + S3_HEAD_TABS
        + "一、本年新收政府信息公开申请数量\t6\t0\t0\t0\t0\t0\t6\n"
        "二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0\n"
        "三、本年度办理结果\t（一）予以公开\t4\t0\t0\t0\t0\t0\t4\n"
        "\t（三）不予公开\t1.属于国家秘密\t0\t0"  # cut mid-row, mid-table
    )
    report = parse(text)
    assert report.error is None
    assert report.cells["s2.art20_5.administrative_licensing.decisions"].value == 88
    assert s3_row(report, "r1_new_received") == (6, 0, 0, 0, 0, 0, 6)
    assert s3_row(report, "r3_1_granted") == (4, 0, 0, 0, 0, 0, 4)
    assert s3_row(report, "r3_3_1_state_secret") == ("absent",) * 7
    assert any("1.属于国家秘密" in w for w in report.warnings)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_cut_at_any_line_never_crashes_nor_invents(layout: str) -> None:
    """Cut a full report after every k-th line: no exception, every cell returned is right, a longer
    part of the report keeps every cell a shorter part gave, and the whole report gives every cell.

    The last two points make the test fail when the parser returns nothing (an empty result would
    satisfy "nothing invented" on its own).
    """
    spec = full_spec("2019", "2021", 2021, "0")
    spec.cells = {k: str(i % 97 + 1) for i, k in enumerate(spec.cells)}  # distinct, non-zero values
    lines = render(spec, layout, seed=11).split("\n")
    step = max(1, len(lines) // 40)
    found: dict[int, set[str]] = {}
    for cut in [*range(0, len(lines), step), len(lines)]:
        report = parse("\n".join(lines[:cut]))
        if report.error is not None:
            assert report.error["code"] in ("empty", "not_a_report"), f"cut at line {cut}"
        wrong = {k: c.raw for k, c in report.cells.items() if spec.cells.get(k) != c.raw}
        assert wrong == {}, f"cut at line {cut}"
        found[cut] = set(report.cells)
    cuts = sorted(found)
    for shorter, longer in itertools.pairwise(cuts):
        assert found[shorter] <= found[longer], f"cells lost between lines {shorter} and {longer}"
    assert found[len(lines)] == set(spec.cells)  # the whole report: every cell
    half = found[min(cuts, key=lambda cut: abs(cut - len(lines) // 2))]
    assert 0 < len(half) < len(spec.cells)  # cut halfway: the cells before the cut, none after


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (b"\x00\x01\x02\x03binary\xff\xfe\x00garbage" * 20, None),
        ("今天天气很好，我们去公园散步。\n晚上吃饺子。\n".encode(), "not_a_report"),
    ],
    ids=["empty", "whitespace", "binary", "not_a_report"],
)
def test_bad_input_gives_an_error_object(data: bytes, code: str | None) -> None:
    report = parse_bytes(data, "bad.txt")
    assert report.error is not None
    if code:
        assert report.error["code"] == code
    assert report.error["message"] and report.error["message_en"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in report.error["message"])  # a Chinese message
    assert report.cells == {}
    json.dumps(report.to_json(), ensure_ascii=False)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16", "utf-16-le"])
def test_text_encodings(encoding: str) -> None:
    report = parse_bytes(HUBEI.replace("\n", "\r\n").encode(encoding), "hubei.txt")
    assert report.error is None
    assert report.cells["s2.art20_5.administrative_licensing.items_change"].value == -8
    assert report.unmatched_labels == ["其他主动公开文件"]


def test_cli_good_and_empty_file(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(HUBEI, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = subprocess.run(
        [sys.executable, "-m", "parsing", str(good), str(empty)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    out = json.loads(proc.stdout)
    assert isinstance(out, list) and len(out) == 2
    assert out[0]["error"] is None
    assert out[0]["cells"]["s2.art20_5.administrative_licensing.decisions"]["value"] == 356
    assert out[1]["error"]["code"] == "empty"
    assert out[1]["cells"] == {}

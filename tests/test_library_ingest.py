"""Uploads through the library: ZIPs, bad files, duplicates, the sample folder and synthetic data."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from paths import SAMPLES, shared_seeds

from library.ingest import ingest_upload, parse_upload, store_item
from library.samples import load_samples, sample_files
from library.store import Library, LibraryError
from library.synthetic import SYNTHETIC_PREFIX, populate, specs, synthetic_parsed, synthetic_text
from parsing.agency_types import AGENCY_TYPES
from parsing.api import parse_bytes

SEEDS = shared_seeds()


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    yield library
    library.close()


def zip_of(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_members_are_stored_with_their_own_bytes(lib: Library) -> None:
    files = {f"年报/{p.name}": p.read_bytes() for p in SEEDS[:3]}
    files["年报/说明.txt"] = "这不是年度报告。".encode()
    calls = []
    results = ingest_upload(lib, zip_of(files), "batch.zip", progress=lambda i, n, name: calls.append((i, n)))
    assert [r.status for r in results].count("failed") == 1
    failed = next(r for r in results if r.status == "failed")
    assert (
        failed.name == "batch.zip/年报/说明.txt" and "未识别" in failed.message and failed.report_id is None
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    stored = {r.report_id for r in results if r.report_id}
    assert len(stored) == 3 and lib.counts()["reports"] == 3
    for report_id in stored:
        name, data = lib.original_bytes(report_id)
        assert files[name.removeprefix("batch.zip/")] == data  # the member, not the archive
    # The same reports uploaded loose afterwards are recognised as duplicates.
    again = ingest_upload(lib, SEEDS[0].read_bytes(), SEEDS[0].name)
    assert [r.status for r in again] == ["duplicate"] and again[0].report_id in stored
    assert "已在报告库中" in again[0].message


def test_parse_upload_then_store_with_confirmed_metadata(lib: Library) -> None:
    (item,) = parse_upload(SEEDS[4].read_bytes(), SEEDS[4].name)
    assert item.ok and item.parsed.agency == "县教育局" and item.parsed.region is None
    result = store_item(lib, item, region="某县", agency_type="教育")
    assert result.status == "ok" and result.message == "已保存"
    stored = lib.get(result.report_id)
    assert (stored.region, stored.agency_type, sorted(stored.confirmed)) == (
        "某县",
        "教育",
        ["agency_type", "region"],
    )


def test_bad_uploads_give_chinese_reasons_and_store_nothing(lib: Library) -> None:
    for data, name in (
        (b"", "empty.pdf"),
        (b"%PDF-1.7 broken", "broken.pdf"),
        (b"PK\x03\x04junk", "bad.zip"),
    ):
        results = ingest_upload(lib, data, name)
        assert results and all(r.status == "failed" for r in results), name
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r.message) for r in results), results
    assert lib.counts()["reports"] == 0
    with pytest.raises(LibraryError):
        lib.add(parse_bytes(SEEDS[0].read_bytes(), "x.txt"), b"")


def test_warnings_are_reported_per_file(lib: Library) -> None:
    (result,) = ingest_upload(lib, SEEDS[2].read_bytes(), SEEDS[2].name)  # 盐池: rows with 6 of 7 values
    assert result.status == "warnings" and "解析提示" in result.message


def test_load_samples_is_idempotent_and_skips_subfolders(lib: Library, tmp_path: Path) -> None:
    files = sample_files()
    assert files, "sample_reports/ holds the real sample reports"
    assert all(p.parent == SAMPLES for p in files)
    first = load_samples(lib)
    assert len(first) == len(files)
    assert lib.counts()["reports"] == sum(r.status in ("ok", "warnings") for r in first)
    assert all(not r.name.startswith(SYNTHETIC_PREFIX) for r in first)
    second = load_samples(lib)
    assert {r.status for r in second} <= {"duplicate", "failed"}
    assert lib.counts()["reports"] == sum(r.status in ("ok", "warnings") for r in first)
    # Files in subfolders (renderings, expectations) are never loaded.
    folder = tmp_path / "samples"
    (folder / "rendered").mkdir(parents=True)
    (folder / "rendered" / "a.txt").write_bytes(SEEDS[0].read_bytes())
    (folder / "README.md").write_text("说明")
    (folder / SEEDS[1].name).write_bytes(SEEDS[1].read_bytes())
    assert [p.name for p in sample_files(folder)] == [SEEDS[1].name]


def test_synthetic_text_parses_back_to_the_same_figures() -> None:
    for spec in specs(14)[::6]:  # 2019 and 2021 templates
        expected = synthetic_parsed(spec)
        parsed = parse_bytes(synthetic_text(spec).encode(), "s.txt")
        assert parsed.template == spec.template
        assert {k: c.value for k, c in parsed.cells.items()} == {
            k: c.value for k, c in expected.cells.items()
        }
        assert parsed.narrative["proactive_total"] == expected.narrative["proactive_total"]
        assert spec.agency.startswith(SYNTHETIC_PREFIX) and spec.region.startswith(SYNTHETIC_PREFIX)


def test_populate_refuses_a_library_with_real_reports(lib: Library) -> None:
    assert populate(lib, 20) == 20
    listing = lib.list()
    assert listing["agency"].str.startswith(SYNTHETIC_PREFIX).all()
    assert set(listing["agency_type"]) <= set(AGENCY_TYPES)  # the UI's type list
    assert populate(lib, 20) == 0  # idempotent: the same 20
    ingest_upload(lib, SEEDS[0].read_bytes(), SEEDS[0].name)
    with pytest.raises(LibraryError):
        populate(lib, 25)


def test_samples_include_real_pdfs_with_their_own_errors(tmp_path) -> None:
    """sample_reports/ ships the real 洪泽区 2023/2024 and 淮安市 2024 PDFs (issue 11, item 9): the first run
    shows real numbers, a cross-year pair and the arithmetic error the 2023 document itself makes."""
    lib = Library(f"sqlite:///{tmp_path / 'samples.sqlite'}")
    results = {r.name: r.status for r in load_samples(lib)}
    assert {"hongze-district-government-2023.pdf", "hongze-district-government-2024.pdf"} <= set(results)
    assert "failed" not in results.values()
    df = lib.dataset().set_index("filename")
    h23, h24 = df.loc["hongze-district-government-2023.pdf"], df.loc["hongze-district-government-2024.pdf"]
    assert (h23["agency"], h23["year"], h24["year"]) == (
        "淮安市洪泽区人民政府",
        2023,
        2024,
    )  # one agency, two years
    # 2023 table 四 as printed: 行政复议 10 维持 + 1 纠正 but 总计 0; 复议后起诉 5 维持 but 总计 0.
    assert [h23[f"s4.review_{k}"] for k in ("upheld", "corrected", "other", "pending", "total")] == [
        10,
        1,
        0,
        0,
        0,
    ]
    assert h23["s4.lit_after_review_upheld"] == 5 and h23["s4.lit_after_review_total"] == 0
    assert (h23["s3.r1_new_received.total"], h24["s3.r1_new_received.total"]) == (21, 95)
    failed = lib.failed_checks()
    mine = failed[failed["filename"] == "hongze-district-government-2023.pdf"]
    assert sorted(mine["rule"]) == ["D5_lit_after", "D5_review"]
    assert set(mine["detail"]) == {"0 = 10 + 1 + 0 + 0 → 0 ≠ 11", "0 = 5 + 0 + 0 + 0 → 0 ≠ 5"}
    huaian = df.loc["huaian-city-government-2024.pdf"]
    assert (huaian["s3.r1_new_received.total"], huaian["s4.review_total"]) == (3119, 351)
    lib.close()


def test_ingest_says_when_a_document_is_a_new_version(tmp_path) -> None:
    """The command line and loaders tell the user that a corrected report replaced the stored one."""
    lib = Library(f"sqlite:///{tmp_path / 'versions.sqlite'}")
    seed = shared_seeds()[0]
    first = ingest_upload(lib, seed.read_bytes(), seed.name)
    corrected = seed.read_bytes() + "\n（更正版）\n".encode()
    second = ingest_upload(lib, corrected, "更正版.txt")
    assert first[0].status != "failed" and second[0].status == first[0].status  # stored, same checks
    assert "第 2 版" in second[0].message and "当前版本" in second[0].message
    assert "第 2 版" not in first[0].message
    lib.close()

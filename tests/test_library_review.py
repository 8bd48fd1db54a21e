"""Label overrides reaching stored reports, the one definition of unmatched labels, and search by words."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import SAMPLES

from library.store import Library
from parsing.api import parse_bytes

SEED_000 = SAMPLES / "000_bd3a826d0705f6e5.txt"  # 施秉县教育和科技局 2020
SEED_002 = SAMPLES / "002_d0afa1047310c76e.txt"  # 盐池县教育体育局 2020
SEED_004 = SAMPLES / "004_e3c733e02cbb2cbf.txt"  # 县教育局 2023, header 商业企业 split over two lines
ODD_LABEL = "对外服务备案登记"
OTHER_SERVICES = "s2.row.art20_5.other_management_services"
CELL = "s2.art20_5.other_management_services.decisions"


def odd_report(seed: Path) -> bytes:
    """A seed whose row 其他对外管理服务事项 is renamed to a label no rule matches."""
    text = seed.read_text(encoding="utf-8")
    assert "其他对外管理服务事项" in text
    return text.replace("其他对外管理服务事项", ODD_LABEL).encode()


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    yield library
    library.close()


def add(lib: Library, data: bytes, name: str, **meta) -> int:
    report_id, created = lib.add(parse_bytes(data, name), data, **meta)
    assert created
    return report_id


# ---------------------------------------------------------------- item 5: overrides reach stored reports


def test_override_is_applied_to_every_stored_report_it_concerns(lib: Library) -> None:
    a = add(lib, odd_report(SEED_000), "a.txt", region="黔东南州施秉县")
    b = add(lib, odd_report(SEED_002), "b.txt")
    untouched = add(lib, SEED_004.read_bytes(), SEED_004.name)
    lib.add_correction(a, "s4.review_total", 5, "复核")
    assert lib.get(a).unmatched_labels == [ODD_LABEL] and lib.get(a).values.get(CELL) is None
    before = lib.get(untouched).updated_at

    lib.save_label_override(ODD_LABEL, OTHER_SERVICES)
    assert lib.reports_concerned_by([ODD_LABEL]) == [a, b]
    seen: list[tuple[int, int]] = []
    result = lib.apply_label_overrides(
        [ODD_LABEL], progress=lambda done, total, _name: seen.append((done, total))
    )

    assert result == {"reparsed": [a, b], "failed": []}
    assert seen == [(1, 2), (2, 2)]
    for report_id, seed in ((a, SEED_000), (b, SEED_002)):
        stored = lib.get(report_id)
        assert stored.unmatched_labels == []
        # The row's figures are read now, as with the standard label (0 is a figure, not a blank).
        assert stored.values[CELL] == parse_bytes(seed.read_bytes(), seed.name).cells[CELL].value
    kept = lib.get(a)
    assert kept.region == "黔东南州施秉县" and "region" in kept.confirmed  # confirmed metadata kept
    assert kept.values["s4.review_total"] == 5  # the correction survives
    assert lib.get(untouched).updated_at == before  # a report the override does not concern is left alone
    assert lib.unmatched_labels().empty
    assert lib.reports_concerned_by([ODD_LABEL]) == []  # applied: nothing left to do


def test_override_to_ignore_and_low_confidence_matches_are_found(lib: Library) -> None:
    a = add(lib, odd_report(SEED_000), "a.txt")
    lib.save_label_override(ODD_LABEL, "ignore")
    assert lib.reports_concerned_by([ODD_LABEL]) == [a]
    assert lib.apply_label_overrides([ODD_LABEL])["reparsed"] == [a]
    assert lib.get(a).unmatched_labels == []  # ignored: no longer reported as unmatched
    # A label already matched elsewhere is concerned when the override points it somewhere else.
    lib.save_label_override("规章", "s2.row.art20_1.normative_documents")
    assert lib.reports_concerned_by(["规章"]) == [a]
    lib.delete_label_override("规章")
    assert lib.reports_concerned_by(["规章"]) == []  # no saved override: nothing to apply


def test_override_job_runs_in_the_background_with_progress(lib: Library) -> None:
    from library.maintenance import apply_overrides_in_background

    a = add(lib, odd_report(SEED_000), "a.txt")
    lib.save_label_override(ODD_LABEL, OTHER_SERVICES)
    job = apply_overrides_in_background(lib, [ODD_LABEL])
    job.thread.join(60)
    assert job.finished and job.error is None
    assert (job.updated, job.total, job.done, job.fraction) == ([a], 1, 1, 1.0)
    assert lib.get(a).values[CELL] == 0


# ---------------------------------------------------------------- item 6: one definition of unmatched labels


def test_unmatched_labels_are_rows_whose_figures_were_left_out() -> None:
    from library.review import unmatched_labels_of

    # 县教育局 2023 splits the header 商业企业 over two lines: '商业' alone matches nothing, but the
    # interpreter joins it with '企业', so nothing is lost and it is not an unmatched label.
    clean = parse_bytes(SEED_004.read_bytes(), SEED_004.name)
    assert any(m.tier == "unmatched" for m in clean.labels)
    assert unmatched_labels_of(clean) == []
    odd = parse_bytes(odd_report(SEED_000), "a.txt")
    assert unmatched_labels_of(odd) == [ODD_LABEL]


def test_upload_judgement_and_library_count_the_same_unmatched_labels(lib: Library) -> None:
    from library.upload_review import judge, labels_to_review

    for data, name in ((SEED_004.read_bytes(), SEED_004.name), (odd_report(SEED_000), "a.txt")):
        parsed = parse_bytes(data, name)
        report_id = add(lib, data, name)
        stored = lib.list().set_index("report_id").loc[report_id, "unmatched_labels"]
        _, reason, _ = judge(parsed)
        shown = sum(1 for e in labels_to_review(parsed) if e["tier"] == "unmatched")
        listed = (lib.unmatched_labels()["report_id"] == report_id).sum()
        assert shown == stored == listed, (name, reason)
        assert (f"{stored} 个标签未识别" in reason) == bool(stored)


# ---------------------------------------------------------------- item 13: search by words


def test_search_needs_every_word_and_a_year_word_matches_the_year(lib: Library) -> None:
    a = add(lib, SEED_000.read_bytes(), SEED_000.name)  # 施秉县教育和科技局 2020
    b = add(lib, SEED_002.read_bytes(), SEED_002.name)  # 盐池县教育体育局 2020
    c = add(lib, SEED_004.read_bytes(), SEED_004.name)  # 县教育局 2023
    assert set(lib.search("施秉 2020")["report_id"]) == {a}
    assert lib.search("施秉 2023").empty  # 2023 is a year: the text's dates do not count
    assert set(lib.search("教育 2023")["report_id"]) == {c}
    assert set(lib.search("教育　2020年")["report_id"]) == {a, b}  # full-width space, 年 suffix
    assert set(lib.search("盐池，三级联签")["report_id"]) == {b}  # a word of the agency and one of the text
    assert set(lib.search("2020")["report_id"]) == {a, b}

    found = lib.search("施秉 2020")
    assert found["match_reason"].tolist() == ["“施秉”：单位、地区；“2020”：年度"]
    reason = lib.search("盐池 三级联签").set_index("report_id").loc[b, "match_reason"]
    assert reason == "“盐池”：单位、地区；“三级联签”：正文"
    assert set(lib.search("")["match_reason"]) == {""}

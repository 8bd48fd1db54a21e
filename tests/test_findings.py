"""The findings engine (library/findings.py): one test per finding code, each with a control report where
the rule holds; statuses (incl. surviving a re-parse); the rubric, scores and rankings; the real 洪泽区
reports (2023 table 四 totals, the 2023→2024 pair)."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import paths
import pytest

from library.filters import Filters
from library.finding import Finding
from library.findings import county_level, prose_sentences, scores_of, sections_found
from library.rubric import Rubric, Thresholds, load_rubric, rank_table, score_table
from library.store import Library, LibraryError
from library.synthetic import SyntheticSpec, synthetic_bytes, synthetic_parsed
from parsing.api import parse_bytes
from parsing.checks import run_checks
from parsing.report import ParsedReport
from parsing.schema import S3_COL_KEYS

REGION = "（合成）测试县"
COPY_TEXT = (
    "{agency}认真贯彻落实政府信息公开条例，持续完善主动公开目录，规范依申请公开办理流程。"
    "加强政府网站和政务新媒体管理，强化信息发布保密审查，推进重点领域信息公开。"
    "做好政策解读和回应关切工作，健全政务公开考核机制，开展业务培训和跟班学习。"
    "加强答复文书规范化建设，优化政府信息公开专栏设置，确保公开信息及时准确。"
    "切实保障人民群众知情权参与权监督权，不断提升政务公开工作质量和群众满意度。"
    "严格落实政府信息公开保密审查制度，坚持先审后发，确保发布内容准确无误。"
    "进一步梳理主动公开基本目录，对照标准指引逐项核对，及时补充更新公开内容。"
)
OWN_TEXT = (
    "{agency}围绕年度重点任务，压实工作责任，细化分工安排，建立周调度月通报机制，推动各项任务落地见效。"
    "聚焦群众关心关注的教育医疗养老等民生事项，及时发布办事指南和服务信息，方便群众查询办理。"
    "针对去年发现的栏目更新不及时问题，逐项建立台账，明确整改时限，实现问题动态清零。"
    "通过线上留言和线下座谈相结合的方式广泛听取意见建议，推动公开内容更加贴近群众需求。"
    "下一步将继续完善制度机制，加强队伍建设，提升信息公开标准化规范化水平，以公开促落实促规范促服务。"
    "结合机构改革后的职能调整，重新编制权责清单并在门户网站集中公开，接受社会监督。"
)


def report(
    name: str,
    year: int,
    *,
    region: str = REGION,
    changes: dict | None = None,
    drop: str | None = None,
    narrative: dict | None = None,
    text: str = "",
    published: str | None = None,
    unmatched: list[str] | None = None,
    variants: dict[str, str] | None = None,
) -> ParsedReport:
    """A consistent synthetic report of ``region + name`` for ``year``, then the given defects."""
    agency = f"{region}{name}"
    spec = SyntheticSpec(region, agency, "教育", year)
    assert random.Random(f"0:{agency}:{year}").random() >= 0.03, "pick a name whose figures are not broken"
    parsed = synthetic_parsed(spec)
    for key, value in (changes or {}).items():
        parsed.cells[key].value = value
    if drop:
        parsed.cells = {k: c for k, c in parsed.cells.items() if not k.startswith(drop)}
    for key, label in (variants or {}).items():
        parsed.cells[key].label = label
        parsed.cells[key].score = 85.0
    parsed.narrative = dict(narrative or {})
    parsed.text = text or parsed.text
    parsed.published = published
    parsed.unmatched_labels = list(unmatched or [])
    parsed.checks = run_checks(parsed.cells, parsed.table_versions)
    parsed.sha256 = f"{agency}:{year}:{sorted((changes or {}).items())}:{drop}:{text[:20]}"
    return parsed


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    out = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    yield out
    out.close()


def store(lib: Library, *reports: ParsedReport) -> list[int]:
    return [lib.add(p, synthetic_bytes(p) + p.sha256.encode(), agency_type="教育")[0] for p in reports]


def codes_of(lib: Library, report_id: int, **options) -> dict[str, Finding]:
    return {f.key: f for f in lib.findings(**options) if f.report_id == report_id}


def with_code(found: dict[str, Finding], code: str) -> list[Finding]:
    return [f for f in found.values() if f.code == code]


# ------------------------------------------------------------------------------ arithmetic


@pytest.mark.parametrize(
    ("code", "key", "cell", "delta"),
    [
        ("O1", "O1:natural_person", "s3.r4_carry_forward.natural_person", 3),
        ("D1", "D1:r1_new_received", "s3.r1_new_received.total", 2),
        ("D3", "D3:natural_person", "s3.r3_1_granted.natural_person", 1),
        ("D5", "D5:review", "s4.review_total", 4),
    ],
)
def test_arithmetic_failures_are_findings_with_numbers_and_cells(lib, code, key, cell, delta) -> None:
    good = report("教育局", 2023)
    value = good.cells[cell].value
    bad = report("卫生健康局", 2023, changes={cell: value + delta})
    good_id, bad_id = store(lib, good, bad)
    assert not with_code(codes_of(lib, good_id), code)
    found = codes_of(lib, bad_id)
    assert key in found, sorted(found)
    finding = found[key]
    assert finding.severity == "error" and finding.status == "open"
    assert finding.evidence["cells"][cell] == value + delta
    assert "≠" in finding.message


def test_d6_type_failure_is_a_finding(lib) -> None:
    key = "s2.art20_5.administrative_licensing.decisions"
    good_id, bad_id = store(lib, report("教育局", 2023), report("卫生健康局", 2023, changes={key: 2.5}))
    assert not with_code(codes_of(lib, good_id), "D6")
    assert f"D6:{key}" in codes_of(lib, bad_id)


# ------------------------------------------------------------------------------ format


def test_2019_rows_in_a_2021_report_are_the_old_template(lib) -> None:
    old = report("教育局", 2020)  # a 2020 report in the 2019 format is right
    new = report("卫生健康局", 2023)
    parsed_2019_rows = report("公安局", 2019)
    mixed = report("公安局", 2023)
    mixed.cells.update({k: c for k, c in parsed_2019_rows.cells.items() if k.startswith("s3.r3_6_other")})
    ids = store(lib, old, new, mixed)
    assert not with_code(codes_of(lib, ids[0]), "FMT_OLD_TEMPLATE")
    assert not with_code(codes_of(lib, ids[1]), "FMT_OLD_TEMPLATE")
    finding = codes_of(lib, ids[2])["FMT_OLD_TEMPLATE:s3"]
    assert "（六）其他处理" in finding.message


def _text(sections: str) -> str:
    bodies = {
        "一": "一、总体情况\n本年度我局政务公开工作稳步推进。" * 3,
        "二": "二、主动公开政府信息情况\n见下表。",
        "三": "三、收到和处理政府信息公开申请情况\n见下表。",
        "四": "四、政府信息公开行政复议、行政诉讼情况\n见下表。",
        "五": "五、存在的主要问题及改进情况\n" + "信息公开的及时性还需提高，下一步将加强培训和督查。" * 4,
        "六": "六、其他需要报告的事项\n本年度未收取信息处理费。",
    }
    return "\n".join(bodies[s] for s in sections) + "\n" + "附：本报告电子版可在门户网站下载。" * 20


def test_a_missing_section_of_the_six_is_a_finding(lib) -> None:
    full = report("教育局", 2023, text=_text("一二三四五六"))
    short = report("卫生健康局", 2023, text=_text("一二三四六"))
    assert sections_found(_text("一二三四五六")) == {"s1", "s2", "s3", "s4", "s5", "s6"}
    good_id, bad_id = store(lib, full, short)
    assert not with_code(codes_of(lib, good_id), "FMT_SECTION_MISSING")
    missing = with_code(codes_of(lib, bad_id), "FMT_SECTION_MISSING")
    assert [f.key for f in missing] == ["FMT_SECTION_MISSING:s5"]
    assert "存在的主要问题" in missing[0].message


def test_a_missing_table_is_a_finding(lib) -> None:
    good_id, bad_id = store(lib, report("教育局", 2023), report("卫生健康局", 2023, drop="s4."))
    assert not with_code(codes_of(lib, good_id), "FMT_TABLE_MISSING")
    assert [f.key for f in with_code(codes_of(lib, bad_id), "FMT_TABLE_MISSING")] == ["FMT_TABLE_MISSING:s4"]


def test_unmatched_labels_and_nonstandard_rows_are_findings(lib) -> None:
    key = "s3.r3_3_5_internal_affairs.natural_person"
    good = report("教育局", 2023, variants={key: "结5.属于三类内部事务信息果 / 自然人"})  # layout debris only
    bad = report(
        "卫生健康局",
        2023,
        unmatched=["其他主动公开文件"],
        variants={key: "5.属于三类内容事务信息 / 自然人"},  # 内容 for 内部 (长春二道 2022)
    )
    good_id, bad_id = store(lib, good, bad)
    good_found, bad_found = codes_of(lib, good_id), codes_of(lib, bad_id)
    assert not with_code(good_found, "FMT_NONSTANDARD_ROW") and not with_code(
        good_found, "FMT_UNMATCHED_LABEL"
    )
    assert "FMT_UNMATCHED_LABEL:其他主动公开文件" in bad_found
    row = bad_found["FMT_NONSTANDARD_ROW:s3.r3_3_5_internal_affairs"]
    assert row.evidence["written"] == "5.属于三类内容事务信息"
    assert row.evidence["standard"] == "5.属于三类内部事务信息"


# ------------------------------------------------------------------------------ across years


def test_x1_carry_over_per_column(lib) -> None:
    before = report("教育局", 2022)
    carried = {f"s3.r2_carried_over.{c}": before.cells[f"s3.r4_carry_forward.{c}"].value for c in S3_COL_KEYS}
    agree = report("教育局", 2023, changes=carried)
    ids = store(lib, before, agree)
    assert not with_code(codes_of(lib, ids[1]), "X1")
    lib.add_correction(
        ids[1], "s3.r2_carried_over.natural_person", carried["s3.r2_carried_over.natural_person"] + 7
    )
    found = with_code(codes_of(lib, ids[1]), "X1")
    assert [f.key for f in found] == ["X1:natural_person"]
    assert found[0].evidence["previous_report_id"] == ids[0]
    assert (
        found[0].evidence["previous_cells"]["s3.r4_carry_forward.natural_person"]
        == before.cells["s3.r4_carry_forward.natural_person"].value
    )


def test_x2_items_across_2019_format_years(lib) -> None:
    base = "s2.art20_5.administrative_licensing"
    before = report("教育局", 2019)
    expected = before.cells[f"{base}.prev_year_items"].value + before.cells[f"{base}.items_change"].value
    good_id = store(lib, before, report("教育局", 2020, changes={f"{base}.prev_year_items": expected}))[1]
    assert "X2:art20_5.administrative_licensing" not in codes_of(lib, good_id)
    lib.add_correction(good_id, f"{base}.prev_year_items", expected + 1)
    assert "X2:art20_5.administrative_licensing" in codes_of(lib, good_id)


def test_x3_in_force_across_2021_format_years(lib) -> None:
    base = "s2.art20_1.normative_documents"
    before = report("教育局", 2022)
    now = {f"{base}.issued": 3, f"{base}.repealed": 1}
    now[f"{base}.in_force"] = before.cells[f"{base}.in_force"].value + 2
    good_id = store(lib, before, report("教育局", 2023, changes=now))[1]
    assert "X3:normative_documents" not in codes_of(lib, good_id)
    lib.add_correction(good_id, f"{base}.in_force", now[f"{base}.in_force"] + 5)
    finding = codes_of(lib, good_id)["X3:normative_documents"]
    assert finding.evidence["expected"] == now[f"{base}.in_force"]


def test_s1_in_force_below_issued_minus_repealed(lib) -> None:
    base = "s2.art20_1.normative_documents"
    good = report("教育局", 2023, changes={f"{base}.issued": 4, f"{base}.repealed": 1, f"{base}.in_force": 3})
    bad = report(
        "卫生健康局", 2023, changes={f"{base}.issued": 4, f"{base}.repealed": 1, f"{base}.in_force": 2}
    )
    good_id, bad_id = store(lib, good, bad)
    assert "S1:normative_documents" not in codes_of(lib, good_id)
    assert "S1:normative_documents" in codes_of(lib, bad_id)


# ------------------------------------------------------------------------------ prose, copying, plausibility


def test_s2_prose_figure_against_the_table(lib) -> None:
    key = "s3.r1_new_received.total"
    good = report("教育局", 2023, changes={key: 20}, narrative={"applications_received": 20})
    bad = report("卫生健康局", 2023, changes={key: 20}, narrative={"applications_received": 30})
    good_id, bad_id = store(lib, good, bad)
    assert not with_code(codes_of(lib, good_id), "S2")
    finding = codes_of(lib, bad_id)["S2:applications_received"]
    assert (finding.evidence["prose"], finding.evidence["table"]) == (30, 20)


def test_copied_prose_from_last_year_and_from_a_peer(lib) -> None:
    edu, health, police = (f"{REGION}{n}" for n in ("教育局", "卫生健康局", "公安局"))
    ids = store(
        lib,
        report("教育局", 2022, text=COPY_TEXT.format(agency=edu)),
        report("教育局", 2023, text=COPY_TEXT.format(agency=edu).replace("2022", "2023")),
        report("卫生健康局", 2023, text=COPY_TEXT.format(agency=health)),
        report("公安局", 2023, text=OWN_TEXT.format(agency=police)),
        report("公安局", 2022, text=COPY_TEXT.format(agency=police)),
    )
    previous = with_code(codes_of(lib, ids[1]), "COPY_PREVIOUS")
    assert [f.evidence["other_report_id"] for f in previous] == [ids[0]]
    assert previous[0].evidence["share"] >= 0.9
    assert "持续完善主动公开目录" in previous[0].evidence["passages"]
    peer = with_code(codes_of(lib, ids[2]), "COPY_PEER")
    assert [f.evidence["other_agency"] for f in peer] == [edu]
    # Own wording, and last year's copied report does not make this year's a copy.
    assert not with_code(codes_of(lib, ids[3]), "COPY_PREVIOUS")
    assert not with_code(codes_of(lib, ids[3]), "COPY_PEER")


def test_prose_clauses_leave_out_headings_and_tables() -> None:
    clauses = [
        c
        for _, c in prose_sentences(
            "一、总体情况\n信息内容 本年制发件数 3 0 8\n我局认真贯彻落实条例要求，做好公开。"
        )
    ]
    assert clauses == ["我局认真贯彻落实条例要求"]


def test_regulations_reported_by_a_county_department(lib) -> None:
    zero = {f"s2.art20_1.regulations.{c}": 0 for c in ("issued", "repealed", "in_force")}
    key = "s2.art20_1.regulations.issued"
    county = report("教育局", 2023, changes={**zero, key: 2})
    city = report("教育局", 2023, region="（合成）某市", changes={**zero, key: 2})
    none = report("卫生健康局", 2023, changes=zero)
    ids = store(lib, county, city, none)
    assert "P_REGULATIONS_COUNTY" in codes_of(lib, ids[0])
    assert not with_code(codes_of(lib, ids[1]), "P_REGULATIONS_COUNTY")
    assert not with_code(codes_of(lib, ids[2]), "P_REGULATIONS_COUNTY")
    assert county_level("淮安市洪泽区人民政府", "洪泽区") and not county_level("淮安市人民政府", "淮安市")


# ------------------------------------------------------------------------------ timeliness


def test_late_publication_by_the_level_of_the_agency(lib) -> None:
    dept = report("教育局", 2023, published="2024-02-10")
    gov = report("人民政府", 2023, published="2024-02-10")
    on_time = report("卫生健康局", 2023, published="2024-01-30")
    ids = store(lib, dept, gov, on_time)
    late = codes_of(lib, ids[0])["LATE"]
    assert late.evidence["deadline"] == "2024-01-31" and late.evidence["days_late"] == 10
    assert "LATE" not in codes_of(lib, ids[1])  # a government's own report is due by 31 March
    assert "LATE" not in codes_of(lib, ids[2])
    # The roster's level wins over the name: the 教育局 listed as 人民政府 level is not late.
    assert "LATE" not in codes_of(lib, ids[0], levels={ids[0]: "人民政府"})
    assert "LATE" in codes_of(lib, ids[1], levels={ids[1]: "部门"})
    assert "LATE" in codes_of(lib, ids[2], published={ids[2]: date(2024, 2, 1)})


def test_missing_reports_of_the_roster(lib) -> None:
    store(lib, report("教育局", 2023))
    found = [f for f in lib.findings(missing=[("某县民政局", "某县", 2023)]) if f.code == "MISSING"]
    assert len(found) == 1 and found[0].report_id is None and "没有2023年度报告" in found[0].message
    lib.set_finding_status(None, found[0].key, "explained", "该局已撤并", who="李四")
    again = [f for f in lib.findings(missing=[("某县民政局", "某县", 2023)]) if f.code == "MISSING"]
    assert again[0].status == "explained" and not again[0].counts


# ------------------------------------------------------------------------------ statuses


def test_status_workflow_and_history(lib) -> None:
    bad_id = store(lib, report("卫生健康局", 2023, changes={"s4.review_total": 99}))[0]
    rev = lib.data_revision()
    with pytest.raises(LibraryError):
        lib.set_finding_status(bad_id, "D5:review", "dismissed", "")  # a note is required
    with pytest.raises(LibraryError):
        lib.set_finding_status(bad_id, "D5:review", "done")
    lib.set_finding_status(bad_id, "D5:review", "confirmed", who="张三")
    lib.set_finding_status(bad_id, "D5:review", "explained", "见报告脚注1：含上年未结案件", who="张三")
    assert lib.data_revision() == rev  # the findings stay cached
    f = codes_of(lib, bad_id)["D5:review"]
    assert (f.status, f.who, f.counts) == ("explained", "张三", False) and "脚注" in f.note
    assert [e.status for e in lib.status_history(bad_id, "D5:review")] == ["confirmed", "explained"]
    lib.delete(bad_id)
    assert (bad_id, "D5:review") not in lib.statuses()


def test_real_2023_report_d5_and_status_surviving_a_reparse(lib) -> None:
    data = paths.HONGZE_2023.read_bytes()
    rid, _ = lib.add(parse_bytes(data, paths.HONGZE_2023.name), data)
    found = codes_of(lib, rid)
    review, after = found["D5:review"], found["D5:lit_after_review"]
    # Checked by hand in the PDF: 行政复议 10 维持 + 1 纠正 + 0 + 0, 总计 printed 0;
    # 复议后起诉 5 维持, 总计 0.
    assert review.evidence["cells"] == {
        "s4.review_total": 0,
        "s4.review_upheld": 10,
        "s4.review_corrected": 1,
        "s4.review_other": 0,
        "s4.review_pending": 0,
    }
    assert "行政复议 · 总计 0 ≠" in review.message and "11（10 + 1 + 0 + 0）" in review.message
    assert after.evidence["cells"]["s4.lit_after_review_upheld"] == 5
    assert "D5:lit_direct" not in found  # 0 = 0 + 0 + 0 + 0
    lib.set_finding_status(rid, "D5:review", "confirmed", who="张三")
    lib.set_finding_status(rid, "D5:lit_after_review", "dismissed", "已核实", who="张三")
    lib.reparse(rid)
    again = codes_of(lib, rid)
    assert again["D5:review"].status == "confirmed"
    assert (
        again["D5:lit_after_review"].status == "dismissed" and again["D5:lit_after_review"].note == "已核实"
    )


def test_real_2023_to_2024_pair(lib) -> None:
    ids = []
    for pdf in (paths.HONGZE_2023, paths.HONGZE_2024):
        data = pdf.read_bytes()
        ids.append(lib.add(parse_bytes(data, pdf.name), data)[0])
    found = codes_of(lib, ids[1])
    # Checked by hand: 2023 结转下年度 is 0 in all 7 columns and 2024 上年结转 is 0 (X1 holds); 2023
    # 行政规范性文件 现行有效 5, 2024 制发 3, 废止 0, 现行有效 8 = 5 + 3 − 0 (X3 holds); 规章 0 throughout.
    assert not with_code(found, "X1") and not with_code(found, "X3")
    # Where the documents disagree: the 2024 prose repeats much of the 2023 report ...
    copied = found[f"COPY_PREVIOUS:{ids[0]}"]
    assert 0.35 <= copied.evidence["share"] < 0.45  # 420 of 1,061 characters of prose (0.40)
    assert (
        "主要通过政府门户网站主动公开政府文件、项目审批、通知公告等各类政府信息"
        in copied.evidence["passages"]
    )
    assert copied.evidence["other_year"] == 2023
    # ... its prose says 17 applications (区政府办 受理 17 件) where table 三 says 95 new ones ...
    s2 = found["S2:applications_received"]
    assert (s2.evidence["prose"], s2.evidence["table"]) == (17, 95)
    # ... and both years fill the single 2019-format row （六）其他处理 in table 三.
    assert "FMT_OLD_TEMPLATE:s3" in found and "FMT_OLD_TEMPLATE:s3" in codes_of(lib, ids[0])
    # A corrected 2024 上年结转 (自然人 3) disagrees with the 2023 结转下年度 (0): X1 for that column.
    lib.add_correction(ids[1], "s3.r2_carried_over.natural_person", 3)
    x1 = with_code(codes_of(lib, ids[1]), "X1")
    assert [(f.key, f.evidence["previous_cells"]["s3.r4_carry_forward.natural_person"]) for f in x1] == [
        ("X1:natural_person", 0)
    ]


# ------------------------------------------------------------------------------ rubric, scores, rankings


def test_rubric_file_loads_and_every_code_is_known() -> None:
    from parsing.vocabulary import FINDING_NAMES

    rubric = load_rubric()
    assert set(rubric.points) <= set(FINDING_NAMES)
    assert set(rubric.caps) <= set(FINDING_NAMES)
    assert rubric.thresholds.min_applications > 0 and rubric.base == 100


def test_rubric_from_an_edited_file(tmp_path: Path) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text(
        "[score]\nbase = 50\n[points]\nD5 = 7\n[caps]\nD5 = 10\n[timeliness]\nlate = 4\nunknown = 1\n"
        "[thresholds]\nmin_applications = 3\n",
        encoding="utf-8",
    )
    rubric = load_rubric(path)
    assert (
        rubric.base,
        rubric.points_of("D5"),
        rubric.points_of("LATE"),
        rubric.thresholds.min_applications,
    ) == (
        50,
        7,
        4,
        3,
    )
    path.write_text("[timeliness]\nsoon = 1\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_rubric(path)


def test_scores_deduct_counting_findings_with_caps(lib) -> None:
    bad_id, good_id = store(
        lib,
        report(
            "卫生健康局",
            2023,
            changes={"s4.review_total": 99, "s4.lit_direct_total": 99, "s4.lit_after_review_total": 99},
        ),
        report("教育局", 2023),
    )
    rubric = Rubric(points={"D5": 4}, timeliness={"unknown": 1, "late": 6}, caps={"D5": 10})
    df = lib.dataset()
    scores = score_table(df, lib.findings(), rubric).set_index("report_id")
    assert scores.loc[bad_id, "score"] == 100 - 10 - 1  # three D5 findings, capped at 10; date unknown
    assert scores.loc[good_id, "score"] == 99
    lib.set_finding_status(bad_id, "D5:review", "dismissed", "总计栏印刷错误")
    lib.set_finding_status(bad_id, "D5:lit_direct", "explained", "脚注说明")
    scores = score_table(df, lib.findings(), rubric).set_index("report_id")
    assert scores.loc[bad_id, "score"] == 100 - 4 - 1
    ranked = scores_of(lib, Filters(years=[2023]), rubric=rubric).set_index("report_id")
    assert ranked.loc[good_id, "rank"] == 1 and ranked.loc[bad_id, "rank"] == 2


def test_rates_are_ranked_only_above_the_minimum_of_applications(lib) -> None:
    ids = store(lib, report("教育局", 2023), report("卫生健康局", 2023), report("公安局", 2023))
    df = lib.dataset().set_index("report_id")
    applications = df.loc[ids, "s3.r1_new_received.total"].tolist()
    minimum = int(sorted(applications)[1])  # the smallest falls below, the two others qualify
    rubric = Rubric(points={}, timeliness={}, thresholds=Thresholds(min_applications=minimum))
    data = lib.dataset()
    ranks = rank_table(score_table(data, lib.findings(), rubric), data, rubric).set_index("report_id")
    few = ids[applications.index(min(applications))]
    assert ranks["rate_rank"].isna()[few]
    eligible = [i for i in ids if i != few]
    assert sorted(ranks.loc[eligible, "rate_rank"].tolist()) == [1, 2]
    assert set(ranks["peers"]) == {3}

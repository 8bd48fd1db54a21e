"""The 整改通知单 and the 通报 (library/documents/), read back with python-docx.

The briefing's numbers come from the real 洪泽区 reports of 2023 and 2024 (applications 21 → 95, the
2023 table 四 totals failing D5); the findings are built here (the documents take any Finding list).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from paths import HONGZE_2023, HONGZE_2024, HUAIAN

from library.documents.briefing import BriefingInput, _figures_note, briefing_docx, figure_rows, sentences
from library.documents.common import BODY_FONT, TITLE_FONT, working_days_after
from library.documents.notice import (
    NoticeOptions,
    agencies_with_open_findings,
    notice_docx,
    notice_keys,
    notices,
    notices_zip,
)
from library.filters import Filters
from library.finding import Finding

AGENCY = "淮安市洪泽区人民政府"


def doc_text(data: bytes) -> str:
    """Every paragraph and table cell of a .docx, one per line."""
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def findings() -> list[Finding]:
    return [
        Finding(
            1,
            AGENCY,
            2023,
            "D5",
            "error",
            "表四行政复议总计与各项结果之和不符",
            key="D5:review",
            evidence={"numbers": {"各项之和": 2, "总计": 3}, "excerpt": "行政复议 1 0 1 0 3"},
        ),
        Finding(1, AGENCY, 2023, "F3", "warning", "缺少第六部分“其他需要报告的事项”", status="confirmed"),
        Finding(1, AGENCY, 2023, "X1", "warning", "上年结转数与上年报告不一致", status="dismissed"),
        Finding(1, AGENCY, 2023, "S2", "info", "正文与表格数字不一致", status="explained", note="见脚注"),
        Finding(7, "洪泽区教育局", 2023, "T1", "error", "逾期发布", evidence={"published": "2024-03-02"}),
        Finding(8, "洪泽区教育局", 2024, "T1", "error", "逾期发布"),
        Finding(9, "洪泽区财政局", 2023, "X2", "warning", "已排除的问题", status="dismissed"),
    ]


def test_notice_lists_the_counting_findings_with_evidence_and_deadline():
    options = NoticeOptions(office="洪泽区政务公开办公室", issued=date(2025, 2, 7), reply_days=15)
    text = doc_text(notice_docx(findings(), AGENCY, 2023, options))
    assert "整改通知单" in text and f"{AGENCY}：" in text
    assert "2023年政府信息公开工作年度报告" in text
    # Open and confirmed count; dismissed and explained do not.
    assert "表四行政复议总计与各项结果之和不符" in text and "缺少第六部分" in text
    assert "上年结转数与上年报告不一致" not in text and "正文与表格数字不一致" not in text
    assert "2项需要整改的问题（错误1项，提醒1项）" in text
    assert "各项之和：2；总计：3" in text and "行政复议 1 0 1 0 3" in text  # the evidence
    assert "已确认" in text
    # 15 working days after Friday 7 February 2025: Friday 28 February.
    assert "于2025年2月28日前" in text and "洪泽区政务公开办公室" in text and "2025年2月7日" in text
    # Another agency's findings stay out of this notice.
    assert "逾期发布" not in text


def test_notice_reply_date_can_be_given():
    options = NoticeOptions(issued=date(2025, 2, 7), reply_by=date(2025, 3, 31))
    assert "于2025年3月31日前" in doc_text(notice_docx(findings(), AGENCY, 2023, options))


def test_working_days_skip_weekends():
    assert working_days_after(date(2025, 2, 7), 1) == date(2025, 2, 10)  # Friday → Monday
    assert working_days_after(date(2025, 2, 7), 15) == date(2025, 2, 28)


def test_notice_sets_chinese_font_names():
    doc = Document(io.BytesIO(notice_docx(findings(), AGENCY, 2023)))
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == BODY_FONT
    title = doc.styles["Title"].element.rPr.find(qn("w:rFonts"))
    assert title.get(qn("w:eastAsia")) == TITLE_FONT


def test_zip_has_one_notice_per_agency_and_year_with_open_findings():
    assert agencies_with_open_findings(findings(), 2023) == [("洪泽区教育局", 2023), (AGENCY, 2023)]
    data = notices_zip(findings(), 2023, NoticeOptions(issued=date(2025, 2, 7)))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = sorted(zf.namelist())
        # 洪泽区财政局 has only a dismissed finding: no notice; 2024 is another year.
        assert names == ["整改通知单_洪泽区教育局_2023.docx", f"整改通知单_{AGENCY}_2023.docx"]
        text = doc_text(zf.read("整改通知单_洪泽区教育局_2023.docx"))
    assert "逾期发布" in text and "发布日期：2024-03-02" in text and "表四行政复议" not in text


@pytest.fixture(scope="module")
def hongze(tmp_path_factory) -> pd.DataFrame:
    """The standardised dataset of the two real 洪泽区 reports (2023 and 2024)."""
    from library.ingest import ingest_upload
    from library.store import Library

    path = tmp_path_factory.mktemp("documents") / "library.sqlite"
    lib = Library(f"sqlite:///{path}")
    for pdf in (HONGZE_2023, HONGZE_2024):
        assert [r.status for r in ingest_upload(lib, pdf.read_bytes(), pdf.name)] != ["failed"]
    df = lib.dataset(Filters(regions=["洪泽区"]))
    lib.close()
    return df


def test_sentences_are_written_from_the_numbers(hongze):
    said = sentences(hongze, 2024)
    assert "全年共收到政府信息公开申请95件，较2023年的21件增加74件（+352.4%）。" in said
    assert "已办结的申请中，予以公开和部分公开的占62.1%，较2023年上升43.1个百分点。" in said
    assert "全部报告通过了勾稽关系和数值校验。" in said
    # 2023: no 2022 report to compare with; the document's own table-四 error fails a check.
    said = sentences(hongze, 2023)
    assert "全年共收到政府信息公开申请21件。" in said
    assert "有1份报告未通过勾稽关系或数值校验，占100%，需核实更正。" in said
    assert sentences(hongze, 2022) == ["所选范围内没有2022年的年度报告。"]


def test_briefing_content(hongze):
    ranking = pd.DataFrame({"名次": [1, 2], "单位": ["洪泽区教育局", AGENCY], "得分": [96.5, float("nan")]})
    extra = BriefingInput(
        scope="地区：洪泽区",
        office="洪泽区政务公开办公室",
        issued=date(2025, 2, 20),
        completeness={"expected": 12, "published": 10, "on_time": 8, "late": 2, "missing": 2},
        ranking=ranking,
        ranking_note="公开比例只对收到申请不少于10件的单位排名。",
        charts=[("各年度报告数", _png())],
        findings=findings(),
    )
    data = briefing_docx(hongze, 2023, extra)
    text = doc_text(data)
    assert "关于2023年度政府信息公开工作年度报告审核情况的通报" in text
    assert "统计范围：地区：洪泽区" in text and "2025年2月20日" in text
    assert "全年共收到政府信息公开申请21件。" in text
    assert (
        "机关名录中应发布年度报告的单位12个，已发布10个（占83.3%），其中按时发布8个、逾期发布2个，未发布2个。"
        in text
    )
    assert "公开比例只对收到申请不少于10件的单位排名。" in text
    # Findings of 2023 that count: D5, F3 (洪泽区人民政府) and T1 (教育局); two others were closed.
    assert (
        "审核共发现需要整改的问题3项（错误2项，提醒1项），涉及2个单位；另有3项经核实已排除或已说明，不计入。"
        in text
    )
    doc = Document(io.BytesIO(data))
    rank = next(t for t in doc.tables if t.rows[0].cells[0].text == "名次")
    assert [c.text for c in rank.rows[2].cells] == ["2", AGENCY, "—"]  # blank stays blank, never 0
    figures = next(t for t in doc.tables if t.rows[0].cells[0].text == "指标")
    received = next(r for r in figures.rows if r.cells[0].text.startswith("收到申请"))
    assert [c.text for c in received.cells[1:]] == ["21", "—", "—"]  # no 2022 report to compare with
    assert len(doc.inline_shapes) == 1 and "图1　各年度报告数" in text


def test_briefing_without_roster_or_findings_says_so(hongze):
    text = doc_text(briefing_docx(hongze, 2024))
    assert "未导入机关名录" in text and "审核意见功能尚未启用" in text and "暂无排名数据" in text
    assert "本通报未附图表" in text


def _png() -> bytes:
    """A tiny valid PNG (1×1), so the test does not need the chart renderer."""
    import base64

    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )


def test_briefing_document_carries_the_main_charts_as_images(hongze):
    from charts.briefing_doc import BRIEFING_CHARTS, briefing_charts, briefing_document, briefing_year

    assert briefing_year(hongze) == 2024 and briefing_year(hongze, (2023,)) == 2023
    charts = briefing_charts(hongze, 2024)
    assert [c.key for c in charts] == list(BRIEFING_CHARTS)
    data = briefing_document(hongze, 2024, BriefingInput(scope="地区：洪泽区"))
    doc = Document(io.BytesIO(data))
    assert len(doc.inline_shapes) == len(BRIEFING_CHARTS)
    text = doc_text(data)
    for i, chart in enumerate(charts, 1):
        assert f"图{i}　{chart.title}" in text


@pytest.fixture(scope="module")
def hongze_and_huaian(tmp_path_factory) -> pd.DataFrame:
    """洪泽区 2023 and 2024 plus 淮安市 2024: the two years do not hold the same agencies."""
    from library.ingest import ingest_upload
    from library.store import Library

    lib = Library(f"sqlite:///{tmp_path_factory.mktemp('documents_mixed') / 'library.sqlite'}")
    for pdf in (HONGZE_2023, HONGZE_2024, HUAIAN):
        assert [r.status for r in ingest_upload(lib, pdf.read_bytes(), pdf.name)] != ["failed"]
    df = lib.dataset()
    lib.close()
    return df


def test_year_on_year_compares_the_same_agencies_only(hongze_and_huaian):
    """2024 adds 淮安市's 3,119 applications; against 2023 (洪泽区 alone) the totals would read +15,000%.
    The change is stated for the agencies with a report in both years, and the total stands alone."""
    said = sentences(hongze_and_huaian, 2024)
    assert said[1] == (
        "全年共收到政府信息公开申请3,214件。在2023、2024两年都有报告的1个单位中，"
        "2023年为21件、2024年为95件，增加74件（+352.4%）。"
    )
    assert not any("15204" in line or "3,193" in line for line in said)
    rows, previous = figure_rows(hongze_and_huaian, 2024)
    applications = next(r for r in rows if r["label"] == "收到申请（件）")
    assert (previous, applications["previous"], applications["value"]) == ("2023年", "21", "95")
    assert "只比较两年都有报告的1个单位" in _figures_note(hongze_and_huaian, 2024)


def test_two_agencies_of_the_same_name_in_two_regions_get_two_notices():
    """区财政局 of 洪泽区 and 区财政局 of 淮阴区 are two agencies: never one notice listing both."""

    def one(region: str, rid: int) -> Finding:
        return Finding(
            report_id=rid,
            agency="区财政局",
            year=2023,
            code="D5",
            severity="error",
            message=f"{region}的问题",
            key="D5:review",
            evidence={"s4.review_total": 0},
            region=region,
        )

    found = [one("洪泽区", 1), one("淮阴区", 2)]
    files = dict(notices(found, 2023))
    assert sorted(files) == [
        "整改通知单_区财政局（洪泽区）_2023.docx",
        "整改通知单_区财政局（淮阴区）_2023.docx",
    ]
    hongze = doc_text(files["整改通知单_区财政局（洪泽区）_2023.docx"])
    assert "洪泽区的问题" in hongze and "淮阴区的问题" not in hongze
    assert notice_keys(found) == [("区财政局", "洪泽区", 2023), ("区财政局", "淮阴区", 2023)]

"""Download buttons for the documents that go out (library/documents/): the 整改通知单 of one agency and
the 通报 of the chosen year."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from components.auth import who
from components.state import from_library, get_library, image_server
from library import audit
from library.documents.briefing import BriefingInput, briefing_filename
from library.documents.common import DEFAULT_OFFICE, DEFAULT_REPLY_DAYS, DOCX_MIME, zh_date
from library.documents.notice import (
    NoticeOptions,
    counting,
    notice_docx,
    notice_filename,
    notice_keys,
    notices_sent,
    notices_zip,
)
from library.filters import Filters, describe_filters
from library.finding import Finding
from library.findings_access import load_findings
from library.store import Library


def notice_options(key: str) -> NoticeOptions:
    """The office's name and the reply period, asked once per page (kept in the session)."""
    c1, c2 = st.columns([2, 1])
    office = c1.text_input("发文单位", value=DEFAULT_OFFICE, key=f"{key}_office")
    days = c2.number_input(
        "回复期限（工作日）", min_value=1, max_value=90, value=DEFAULT_REPLY_DAYS, step=1, key=f"{key}_days"
    )
    options = NoticeOptions(office=office.strip() or DEFAULT_OFFICE, reply_days=int(days))
    st.caption(
        f"按今天发出计算，回复期限为 {zh_date(options.reply_date())}（只计周一至周五，未扣除法定节假日）。"
    )
    return options


def notice_buttons(findings: list[Finding], agency: str, options: NoticeOptions, key: str) -> None:
    """One download button per year in which ``agency`` has findings that still count."""
    years = sorted({f.year for f in findings if f.counts and f.agency == agency and f.year is not None})
    if not years:
        st.success("该单位没有待整改的审核意见，无需发出整改通知单。")
        return
    for i, year in enumerate(years):
        if i % 4 == 0:
            cols = st.columns(4)
        n = len(counting(findings, agency, year))
        cols[i % 4].download_button(
            f"下载{year}年整改通知单（{n}项）",
            # Rendered on click (a .docx takes ~50 ms per year; a rerun should not pay for it).
            data=_recorded(
                lambda year=year: notice_docx(findings, agency, year, options),
                lambda year=year: notices_sent(findings, year, agency),
            ),
            file_name=notice_filename(agency, year),
            mime=DOCX_MIME,
            key=f"{key}_{year}",
            on_click="ignore",
        )


def _recorded(
    build: Callable[[], bytes], sent: Callable[[], list[tuple[str, str | None, int, int]]]
) -> Callable[[], bytes]:
    """``build`` that, once the document is made (on the click), records the notices it holds in the
    audit trail as the session's user's. Runs on a worker thread: ``who`` and the library are taken now."""
    lib, name = get_library(), who()

    def run() -> bytes:
        data = build()
        lib.record_notices(sent(), who=name, how="下载")
        return data

    return run


def _report_years(lib: Library, filters: Filters) -> pd.DataFrame:
    """The years of the reports the filters select whatever years are chosen (for the page cache):
    read from an index, since this runs on every page and the dataset may be catching up on a write."""
    return pd.DataFrame({"year": pd.array(lib.report_years(replace(filters, years=())), dtype="Int64")})


def briefing_button(filters: Filters) -> None:
    """通报（Word）of the latest chosen year, for the sidebar filters (other years kept to compare)."""
    from charts.briefing_doc import briefing_document, briefing_year

    lib = get_library()
    wider = replace(filters, years=())  # the year before is needed for the year-on-year sentences
    # The years from the page cache: this runs on every page, and the dataset itself is only read
    # when the button is clicked.
    year = briefing_year(from_library(_report_years), filters.years)
    if year is None:
        return
    st.caption(f"{year} 年的审核情况通报：主要数字及与上年比较、审核意见、主要图表，约需 10–30 秒生成。")
    image_server()
    scope = describe_filters(replace(filters, years=(year,)))
    name = who()

    def build() -> bytes:
        # Runs when the button is clicked, on a worker thread: no Streamlit calls in here.
        dataset = lib.dataset(wider)
        extra = BriefingInput(
            scope=scope, findings=load_findings(lib, wider), **_review_parts(lib, filters, year)
        )
        data = briefing_document(dataset, year, extra)
        lib.record_event(
            audit.BRIEFING_GENERATED,
            who=name,
            target_kind="briefing",
            target_id=f"{year} 年",
            summary=f"下载 {year} 年度审核情况通报（{scope}）",
            after={"year": year, "scope": scope},
            region=filters.regions[0] if len(filters.regions) == 1 else None,
            year=year,
        )
        return data

    st.download_button(
        "下载通报（Word）",
        data=build,
        file_name=briefing_filename(year),
        mime=DOCX_MIME,
        key="briefing_docx",
        on_click="ignore",
        icon=":material/description:",
        width="stretch",
    )


def notices_zip_buttons(
    findings: list[Finding], options: NoticeOptions, key: str, counts: dict[int, int] | None = None
) -> None:
    """One ZIP per year: the 整改通知单 of every agency with findings that still count in that year.

    ``counts`` (year → agencies, :func:`library.findings_access.notice_counts`) saves walking every
    finding on each rerun when the page has it cached."""
    if counts is None:
        counts = {}
        for _, _, year in notice_keys(findings):
            counts[year] = counts.get(year, 0) + 1
    years = sorted(counts)
    if not years:
        st.success("当前筛选条件下没有待整改的审核意见。")
        return
    for i, year in enumerate(years):
        if i % 4 == 0:
            cols = st.columns(4)
        n = counts[year]
        cols[i % 4].download_button(
            f"{year}年全部通知单（{n}个单位，ZIP）",
            data=_recorded(
                lambda year=year: notices_zip(findings, year, options),
                lambda year=year: notices_sent(findings, year),
            ),
            file_name=f"整改通知单_{year}.zip",
            mime="application/zip",
            key=f"{key}_{year}",
            on_click="ignore",
        )


def _review_parts(lib: Library, filters: Filters, year: int) -> dict[str, Any]:
    """The 发布情况 counts (when a roster is loaded) and the ranking of the rubric for the briefing."""
    from charts.findings_tables import ranking_display
    from library.findings import scores_with_roster
    from library.rubric import default_rubric

    parts: dict[str, Any] = {}
    if lib.roster(filters.scope):
        parts["completeness"] = lib.completeness(year, filters).counts
    ranks = scores_with_roster(lib, replace(filters, years=(year,)))
    if not ranks.empty:
        minimum = default_rubric().thresholds.min_applications
        parts["ranking"] = ranking_display(ranks, minimum)
        parts["ranking_note"] = (
            "得分按审核评分规则计算，在同类型、同层级的单位之间排名；"
            f"予以公开比例只在本年新收申请不少于 {minimum} 件的报告之间排名。"
        )
    return parts

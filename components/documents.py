"""Download buttons for the documents that go out (library/documents/): the 整改通知单 of one agency."""

from __future__ import annotations

import streamlit as st

from library.documents.common import DEFAULT_OFFICE, DEFAULT_REPLY_DAYS, DOCX_MIME, zh_date
from library.documents.notice import NoticeOptions, counting, notice_docx, notice_filename
from library.finding import Finding


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
            data=notice_docx(findings, agency, year, options),
            file_name=notice_filename(agency, year),
            mime=DOCX_MIME,
            key=f"{key}_{year}",
            on_click="ignore",
        )

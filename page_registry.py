"""The one list of the app's pages: the router (app.py), the 简报包, the tests and the README read it.

A page is one entry here plus one screen file in app_pages/. An entry says where the page sits in the
sidebar, its address, and — for an analysis page — the function that builds its charts from the
standardised dataset (charts/catalog.py); the 简报包 packs the charts of every page that has one, in
this order. Pure Python (no Streamlit), so tests and scripts can read it.

Adding a page: one entry such as ``PageSpec("roster", "名录", ":material/list:", "roster.py", "核查")``
and the screen ``app_pages/roster.py`` (thin: components and the library's read API only); the README's
"Contributing" section shows a whole example.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from charts import catalog
from charts.image_export import ChartSpec
from library.access import Action

SCREENS = Path(__file__).with_name("app_pages")
GROUPS = ("报告", "分析", "核查", "管理")  # sidebar sections, in order

ChartBuilder = Callable[[pd.DataFrame], list[ChartSpec]]


@dataclass(frozen=True)
class PageSpec:
    """One page: sidebar title and icon, screen file (in app_pages/), address and sidebar section."""

    url_path: str
    title: str
    icon: str
    screen: str
    group: str
    charts: ChartBuilder | None = None  # the page's charts from the dataset: cached, and packed in the 简报包
    # What an account must be allowed to do to see the page in the sidebar and open it (app.py).
    action: Action = Action.VIEW

    @property
    def path(self) -> str:
        """The screen file, relative to the app's folder (what st.Page and AppTest take)."""
        return f"app_pages/{self.screen}"


PAGES: tuple[PageSpec, ...] = (
    PageSpec("upload", "上传报告", ":material/upload_file:", "upload.py", "报告", action=Action.UPLOAD),
    PageSpec("library", "报告库", ":material/folder_open:", "report_library.py", "报告"),
    PageSpec("self-check", "自查", ":material/task_alt:", "self_check.py", "报告", action=Action.SELF_CHECK),
    PageSpec("collect", "网站采集", ":material/travel_explore:", "collect.py", "报告", action=Action.UPLOAD),
    PageSpec("overview", "总览", ":material/dashboard:", "overview.py", "分析", catalog.overview_charts),
    PageSpec(
        "proactive", "主动公开", ":material/campaign:", "proactive.py", "分析", catalog.proactive_charts
    ),
    PageSpec(
        "enforcement",
        "行政许可与执法",
        ":material/gavel:",
        "enforcement.py",
        "分析",
        catalog.enforcement_charts,
    ),
    PageSpec(
        "applications",
        "依申请公开",
        ":material/mark_email_read:",
        "applications.py",
        "分析",
        catalog.applications_charts,
    ),
    PageSpec("review", "复议诉讼", ":material/balance:", "review.py", "分析", catalog.review_charts),
    PageSpec("quality", "数据质量", ":material/fact_check:", "quality.py", "核查"),
    PageSpec("roster", "名录", ":material/list:", "roster.py", "核查"),
    PageSpec("completeness", "发布情况", ":material/event_available:", "completeness.py", "核查"),
    PageSpec("findings", "审核意见", ":material/rule:", "findings.py", "核查"),
    PageSpec("agency", "单位档案", ":material/domain:", "agency.py", "核查"),
    PageSpec("rollup", "汇总表", ":material/functions:", "rollup.py", "核查"),
    PageSpec("audit", "操作记录", ":material/history:", "audit.py", "管理", action=Action.VIEW_AUDIT),
    PageSpec(
        "accounts", "账户", ":material/manage_accounts:", "accounts.py", "管理", action=Action.MANAGE_USERS
    ),
)
HOME = "overview"  # the page "/" forwards to
UPLOAD = "upload"  # where an empty library sends the user


def page(url_path: str) -> PageSpec:
    """The registered page at ``url_path`` (KeyError when there is none)."""
    for spec in PAGES:
        if spec.url_path == url_path:
            return spec
    raise KeyError(url_path)


def briefing_builders() -> list[ChartBuilder]:
    """The chart builders of every page that has charts, in sidebar order (the 简报包's contents)."""
    return [spec.charts for spec in PAGES if spec.charts is not None]

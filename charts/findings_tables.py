"""Display tables of the 审核意见 page: findings, the evidence of one finding, the ranking (pure pandas).

Every header and value a reader sees is Chinese; codes are named through :mod:`parsing.vocabulary`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from library.deadlines import TIMELINESS_NAMES
from library.filters import Filters
from library.finding import Finding
from library.findings import codes_with_roster, findings_with_roster
from parsing.schema import key_label
from parsing.vocabulary import AGENCY_TYPE_HEADER, FINDING_STATUS_NAMES, SEVERITY_NAMES, finding_name

if TYPE_CHECKING:
    from library.store import Library


UNKNOWN_AGENCY = "（未识别）"  # the 单位 of a finding whose report names no agency


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def findings_display(findings: Iterable[Finding]) -> pd.DataFrame:
    """One row per finding: 报告编号, 单位, 年度, 严重程度, 问题, 说明, 状态, 审核人, 时间, 备注."""
    found = list(findings)
    names = [finding_name(f.code) for f in found]
    columns = ["报告编号", "单位", "年度", "严重程度", "问题", "说明", "状态", "审核人", "时间", "备注"]
    out = (
        pd.DataFrame([], columns=columns)
        if not found
        else pd.DataFrame(
            {  # one list per column: no dict per row (2,000 rows on the page)
                "报告编号": [f.report_id for f in found],
                "单位": [f.agency or UNKNOWN_AGENCY for f in found],
                "年度": [f.year for f in found],
                "严重程度": [SEVERITY_NAMES.get(f.severity, f.severity) for f in found],
                "问题": names,
                # the name is in 问题
                "说明": [f.message.removeprefix(f"{n}：") for f, n in zip(found, names, strict=True)],
                "状态": [FINDING_STATUS_NAMES.get(f.status, f.status) for f in found],
                "审核人": [f.who or "" for f in found],
                "时间": [_when(f.at) for f in found],
                "备注": [f.note for f in found],
            },
            columns=columns,
        )
    )
    out["报告编号"] = out["报告编号"].astype("Int64")
    out["年度"] = out["年度"].astype("Int64")
    return out


HIDDEN = ["_code", "_severity", "_status", "_key"]  # filter columns of FindingsView.table, not shown


class FindingsView:
    """The findings of the 审核意见 page (:func:`library.findings.findings_with_roster`) with what its
    table needs, built once per library revision by the page's cache: the codes to choose from, the
    rows that pass the code, severity and status choices (a pass over the findings only when a
    choice is made), a display table of the first rows, and one report's findings (found by bisection:
    the findings are sorted by year, agency and report)."""

    def __init__(self, found: list[Finding], codes: list[str] | None = None) -> None:
        self.found = found
        self.codes = sorted(set(map(attrgetter("code"), found))) if codes is None else codes

    def chosen(self, codes: Iterable[str] = (), severities: Iterable[str] = (), statuses: Iterable[str] = ()):
        """Positions (in ``found``) of the findings that pass the choices (empty = any): a range when
        nothing is chosen, else a list."""
        codes, severities, statuses = set(codes), set(severities), set(statuses)
        if not (codes or severities or statuses):
            return range(len(self.found))
        return [
            i
            for i, f in enumerate(self.found)
            if (not codes or f.code in codes)
            and (not severities or f.severity in severities)
            and (not statuses or f.status in statuses)
        ]

    def table(self, rows: Iterable[int]) -> pd.DataFrame:
        """:func:`findings_display` of the findings at ``rows`` plus the columns :data:`HIDDEN`."""
        found = [self.found[i] for i in rows]
        out = findings_display(found)
        out["_code"] = [f.code for f in found]
        out["_severity"] = [f.severity for f in found]
        out["_status"] = [f.status for f in found]
        out["_key"] = [f.key for f in found]
        return out

    def of_report(self, report_id: int | None, agency: str, year: int | None) -> list[int]:
        """Positions of the findings of one report (``report_id`` None: the missing report of
        ``agency`` in ``year``); ``agency`` as the table shows it."""
        out: list[int] = []
        for name in ("", agency) if agency == UNKNOWN_AGENCY else (agency,):
            target = (-(year or 0), name, report_id or 0)
            lo = bisect.bisect_left(self.found, target, key=_order)
            hi = bisect.bisect_right(self.found, target, key=_order)
            out += [i for i in range(lo, hi) if (self.found[i].agency or UNKNOWN_AGENCY) == agency]
        return sorted(set(out))


def _order(f: Finding) -> tuple:
    """The part of the findings' order that places a report (library.findings.findings_of)."""
    return (-(f.year or 0), f.agency or "", f.report_id or 0)


def findings_view_of(lib: Library, filters: Filters) -> FindingsView:
    """The :class:`FindingsView` of the filtered reports' findings (for ``components.state.from_library``)."""
    return FindingsView(findings_with_roster(lib, filters), codes_with_roster(lib, filters))


def _value(v: Any) -> str:
    if v is None:
        return "空白"
    return f"{v:,}" if isinstance(v, int) else f"{v:g}"


def evidence_cells(finding: Finding) -> pd.DataFrame:
    """The cells a finding rests on (this report's, then the earlier report's): 报告, 栏目, 数值."""
    ev = finding.evidence
    rows = [("本报告", key_label(k), _value(v)) for k, v in (ev.get("cells") or {}).items()]
    year = ev.get("previous_year")
    rows += [(f"{year}年报告", key_label(k), _value(v)) for k, v in (ev.get("previous_cells") or {}).items()]
    return pd.DataFrame(rows, columns=["报告", "栏目", "数值"])


def evidence_lines(finding: Finding) -> list[str]:
    """Other evidence as sentences: the report compared with, the publication date, the labels, the reason."""
    ev = finding.evidence
    lines = []
    if "other_report_id" in ev:
        number = f"（编号 {ev['other_report_id']}）" if ev["other_report_id"] is not None else ""
        lines.append(
            f"对比报告：{ev.get('other_agency') or '未署名单位'} {ev.get('other_year') or ''}年"
            f"{number}，相同文字占本报告正文 {ev.get('share', 0):.0%}，"
            f"相同段落 {ev.get('passages_total', 0)} 处"
        )
    if "deadline" in ev:
        lines.append(f"发布日期 {ev['published']}；{ev['level']}的发布期限 {ev['deadline']}")
    if "reason" in ev:
        lines.append(f"原因：{ev['reason']}")
    if "heading" in ev:
        lines.append(f"应有标题：{ev['heading']}")
    lines += _online_lines(ev)
    return lines


def _online_lines(ev: dict) -> list[str]:
    """The evidence of the website re-check (library/collect): the URL, when, the figures and the text
    that changed."""
    if "url" not in ev or not ("new_report_id" in ev or "last_ok_at" in ev):
        return []
    lines = [f"网址：{ev['url']}"]
    if ev.get("first_fetched_at"):
        lines.append(
            f"首次采集：{str(ev['first_fetched_at'])[:16]}；发现改动：{str(ev.get('detected_at') or '')[:16]}"
        )
    if ev.get("last_ok_at"):
        lines.append(f"最后一次可以访问：{str(ev['last_ok_at'])[:16]}")
    changed = ev.get("changed_cells") or []
    for c in changed[:20]:
        label = c.get("label") or key_label(c.get("key", ""))
        lines.append(f"{label}：原为 {_value(c.get('old'))}，现为 {_value(c.get('new'))}")
    more = int(ev.get("cells_total") or len(changed)) - min(len(changed), 20)
    if more > 0:
        lines.append(f"……另有 {more} 处数字不同")
    if ev.get("text_diff"):
        lines.append("正文改动（“-”为原页面，“+”为现页面）：\n" + str(ev["text_diff"]))
    return lines


RANK_COLUMNS = {
    "agency": "单位",
    "region": "地区",
    "year": "年度",
    "agency_type": AGENCY_TYPE_HEADER,
    "level": "层级",
    "peers": "同组单位数",
    "score": "得分",
    "rank": "组内排名",
    "findings": "计分问题数",
    "timeliness": "发布情况",
    "applications": "本年新收申请（件）",
    "granted_rate": "予以公开率",
    "rate_rank": "予以公开率排名",
}


def ranking_display(ranks: pd.DataFrame, min_applications: int) -> pd.DataFrame:
    """The ranking with Chinese headers; a rate below the minimum of applications reads "申请不足 N 件"."""
    out = ranks[list(RANK_COLUMNS)].rename(columns=RANK_COLUMNS)
    out["发布情况"] = out["发布情况"].map(TIMELINESS_NAMES)
    rate = ranks["granted_rate"]
    out["予以公开率"] = [("—" if np.isnan(r) else f"{r:.1%}") for r in rate.astype(float).tolist()]
    few = (ranks["applications"].fillna(0) < min_applications).tolist()
    out["予以公开率排名"] = [
        f"申请不足 {min_applications} 件，不排名" if low else ("—" if pd.isna(r) else str(int(r)))
        for low, r in zip(few, ranks["rate_rank"].tolist(), strict=True)
    ]
    out["本年新收申请（件）"] = ranks["applications"].astype("Int64")
    out["得分"] = ranks["score"].round(1)
    return out

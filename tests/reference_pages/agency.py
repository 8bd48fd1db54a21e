"""单位档案: one agency (a name within its region) across the years: its figures, trend charts, reports.

Pure functions of the standardised dataset; the screen (app_pages/agency.py) caches them per library
revision, filters and agency.
"""

from __future__ import annotations

import pandas as pd

from charts.image_export import ChartSpec
from library.documents.common import SEVERITY_NAMES, STATUS_NAMES, code_name, evidence_text, ordered
from library.finding import Finding
from parsing.vocabulary import META_HEADERS, TEMPLATE_SHORT_NAMES
from reference_pages import aggregate as agg
from reference_pages.figures import trend_lines
from reference_pages.tables import DASH, agency_table_view

AGENCY_APPLICATIONS_TREND = "agency_applications_trend"
AGENCY_DECISIONS_TREND = "agency_decisions_trend"
# (chart key, title, value axis, {agency_table column: series name}); measures of one magnitude per chart.
TRENDS = (
    (
        AGENCY_APPLICATIONS_TREND,
        "新收申请与复议诉讼案件（按年度）",
        "件数",
        {"applications_received": "新收申请", "review_litigation_cases": "复议诉讼案件"},
    ),
    (
        AGENCY_DECISIONS_TREND,
        "行政许可与行政处罚决定（按年度）",
        "件数",
        {"licensing_decisions": "行政许可决定", "penalty_decisions": "行政处罚决定"},
    ),
)


def agency_label(agency: str, region: str | None) -> str:
    """How the page names an agency: 县教育局（洪泽区）; the region tells apart names that repeat."""
    return f"{agency}（{region}）" if region else agency


def agency_choices(df: pd.DataFrame) -> pd.DataFrame:
    """The agencies of the dataset: columns agency, region (None when unknown), label, reports; by label."""
    named = df[df["agency"].notna()]
    if named.empty:
        return pd.DataFrame(columns=["agency", "region", "label", "reports"])
    counts = named.groupby(["agency", "region"], dropna=False).size().reset_index(name="reports")
    counts["region"] = counts["region"].astype(object).where(counts["region"].notna(), None)
    counts["label"] = [agency_label(a, r) for a, r in zip(counts["agency"], counts["region"], strict=True)]
    return counts.sort_values("label").reset_index(drop=True)


def agency_reports(df: pd.DataFrame, agency: str, region: str | None) -> pd.DataFrame:
    """The dataset rows of one agency (name within region), oldest year first."""
    same_region = df["region"].isna() if region is None else df["region"] == region
    return df[(df["agency"] == agency) & same_region].sort_values("year", na_position="last")


def agency_figures(df: pd.DataFrame, agency: str, region: str | None) -> pd.DataFrame:
    """The headline figures of each of the agency's reports (Chinese headers, — for blank cells)."""
    view = agency_table_view(agency_reports(df, agency, region))
    return view.drop(columns=[META_HEADERS["agency"], META_HEADERS["region"]], errors="ignore")


def agency_report_list(df: pd.DataFrame, agency: str, region: str | None) -> pd.DataFrame:
    """One row per report: report_id, year (None when unknown), filename, template name, checks failed."""
    rows = agency_reports(df, agency, region)
    return pd.DataFrame(
        {
            "report_id": rows["report_id"].astype(int).tolist(),
            "year": [None if pd.isna(y) else int(y) for y in rows["year"]],
            "filename": rows["filename"].tolist(),
            "template": [TEMPLATE_SHORT_NAMES.get(str(t), str(t)) for t in rows["template"]],
            "checks_failed": rows["checks_failed"].astype(int).tolist(),
        }
    )


def agency_charts(df: pd.DataFrame, agency: str, region: str | None) -> list[ChartSpec]:
    """The agency's trend charts (one line per measure; a blank cell is a gap, never a zero)."""
    table = agg.agency_table(agency_reports(df, agency, region))
    charts = []
    for key, title, axis, measures in TRENDS:
        long = table.melt(id_vars=["year"], value_vars=list(measures), var_name="measure", value_name="value")
        long["measure"] = long["measure"].map(measures)
        long = long.dropna(subset=["value", "year"])
        fig = trend_lines(
            long,
            x="year",
            value="value",
            series="measure",
            title=title,
            value_title=axis,
            series_order=list(measures.values()),
        )
        data = long.rename(columns={"year": "年度", "measure": "指标", "value": "数值"})
        charts.append(ChartSpec(key, title, fig, data, note="空白的单元格不计为 0，该年不画点。"))
    return charts


def findings_view(findings: list[Finding]) -> pd.DataFrame:
    """The agency's findings for a table: year, category, severity, status, message, evidence, note."""
    rows = ordered(findings)
    return pd.DataFrame(
        {
            "年度": [DASH if f.year is None else str(f.year) for f in rows],
            "报告编号": [DASH if f.report_id is None else str(f.report_id) for f in rows],
            "问题类别": [code_name(f.code) for f in rows],
            "程度": [SEVERITY_NAMES.get(f.severity, f.severity) for f in rows],
            "状态": [STATUS_NAMES.get(f.status, f.status) for f in rows],
            "问题说明": [f.message for f in rows],
            "具体情况与依据": [evidence_text(f.evidence) for f in rows],
            "备注": [f.note for f in rows],
        }
    )

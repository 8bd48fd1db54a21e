"""单位档案: one agency (a name within its region) across the years: its figures, trend charts, reports.

Pure functions of the standardised dataset; the screen (app_pages/agency.py) caches them per library
revision, filters and agency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from charts.figures import trend_lines
from charts.image_export import ChartSpec
from charts.tables import DASH, agency_table_view
from library import aggregate as agg
from library.documents.common import SEVERITY_NAMES, STATUS_NAMES, code_name, evidence_text, ordered
from library.finding import Finding
from parsing.vocabulary import META_HEADERS, TEMPLATE_SHORT_NAMES

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
    """The agencies of the dataset: columns agency, region (None when unknown), label, reports; by label.

    Counted on factorized codes (the groups of ``groupby(["agency", "region"], dropna=False)``, in its
    order: agency, then region, unknown region last) and labelled once per group: a pandas groupby and
    a label per element of an Arrow array cost ~15 ms at 50,000 reports, after every write."""
    agency_codes, agencies = pd.factorize(df["agency"].array, sort=True)  # −1: no agency
    region_codes, regions = pd.factorize(df["region"].array, sort=True)  # −1: unknown region
    named = agency_codes >= 0
    if not named.any():
        return pd.DataFrame(columns=["agency", "region", "label", "reports"])
    width = len(regions) + 1  # the unknown region sorts after every known one
    region_codes = np.where(region_codes < 0, len(regions), region_codes)
    # Distinct keys by hashing, then sorted (a few thousand groups; sorting 50,000 keys cost more).
    key_codes, keys = pd.factorize(agency_codes[named].astype(np.int64) * width + region_codes[named])
    order = np.argsort(keys)
    keys, reports = keys[order], np.bincount(key_codes, minlength=len(keys))[order]
    group_agencies = agencies.take(keys // width)
    region_list = [*map(str, np.asarray(regions, dtype=object)), None]
    group_regions = [region_list[code] for code in (keys % width).tolist()]
    counts = pd.DataFrame(
        {"agency": group_agencies, "region": pd.Series(group_regions, dtype=object), "reports": reports}
    )
    counts["label"] = [
        agency_label(a, r) for a, r in zip(group_agencies.tolist(), group_regions, strict=True)
    ]
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
        data = _trend_rows(table, measures)
        fig = trend_lines(
            data,
            x="年度",
            value="数值",
            series="指标",
            title=title,
            value_title=axis,
            series_order=list(measures.values()),
        )
        charts.append(ChartSpec(key, title, fig, data, note="空白的单元格不计为 0，该年不画点。"))
    return charts


def _trend_rows(table: pd.DataFrame, measures: dict[str, str]) -> pd.DataFrame:
    """The chart's rows: 年度, 指标 (the measure's name), 数值 — one per report and measure with a value
    and a year, in ``melt`` order (measure by measure), indexed by their position in the melted frame.

    What ``table.melt(...)``, ``map``, ``dropna`` and ``rename`` gave, from arrays: those pandas calls
    cost more than the rest of the chart on an agency's handful of rows."""
    columns = list(measures)
    if not all(table[c].dtype == np.float64 for c in columns):  # not the float figures agency_table has
        long = table.melt(id_vars=["year"], value_vars=columns, var_name="measure", value_name="value")
        long["measure"] = long["measure"].map(measures)
        long = long.dropna(subset=["value", "year"])
        return long.rename(columns={"year": "年度", "measure": "指标", "value": "数值"})
    n = len(table)
    values = np.concatenate([table[c].to_numpy() for c in columns])
    rows = np.tile(np.arange(n), len(columns))
    keep = ~np.isnan(values) & np.tile(table["year"].notna().to_numpy(), len(columns))
    names = np.repeat(np.array(list(measures.values()), dtype=object), n)
    return pd.DataFrame(
        {
            "年度": table["year"].array.take(rows[keep]),
            "指标": pd.array(names[keep], dtype="str"),
            "数值": values[keep],
        },
        index=pd.RangeIndex(len(keep)) if keep.all() else pd.Index(np.flatnonzero(keep)),
    )


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

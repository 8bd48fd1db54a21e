"""The county 通报 (briefing) of one year: figures, sentences written by rules from them, completeness
and timeliness, a ranking table, findings by category and the main charts.

Pure: the caller passes the standardised dataset (already filtered by region, type, ...), the year,
and whatever it has of the rest (completeness counts, a ranking table, chart images, findings). The
sentences are rules over the numbers (no language model); each states only what the numbers say, and a
figure no report states is said to be missing, never taken as zero.
"""

from __future__ import annotations

import io
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm, Pt
from docxtpl import DocxTemplate, InlineImage

from library.aggregate import kpis
from library.deadlines import LATE, MISSING, ON_TIME, TIMELINESS_NAMES, UNKNOWN
from library.documents.common import (
    DEFAULT_OFFICE,
    SEVERITY_NAMES,
    TABLE_FONT,
    TITLE_FONT,
    code_name,
    render,
    set_run_fonts,
    zh_date,
)
from library.finding import Finding
from parsing.vocabulary import KPIS

# The figures of the table under 总体情况, in this order.
FIGURE_KEYS = (
    "reports",
    "agencies",
    "proactive_items",
    "licensing_decisions",
    "applications_received",
    "answered_share",
    "review_cases",
    "litigation_cases",
    "reports_failing_checks",
)
# Completeness counts the briefing understands (keys of the ``completeness`` parameter), in order.
EXPECTED = "expected"  # agencies of the roster that must publish
PUBLISHED = "published"
COMPLETENESS_NAMES = {
    EXPECTED: "应发布年报的单位",
    PUBLISHED: "已发布",
    ON_TIME: TIMELINESS_NAMES[ON_TIME],
    LATE: TIMELINESS_NAMES[LATE],
    UNKNOWN: TIMELINESS_NAMES[UNKNOWN],
    MISSING: TIMELINESS_NAMES[MISSING],
}
CHART_WIDTH_MM = 155  # the text width of an A4 page with the template's margins
MAX_RANKING_ROWS = 200


@dataclass
class BriefingInput:
    """Everything a briefing may show besides the dataset; every part is optional."""

    scope: str = "全部报告"  # the filters, in words (library.filters.describe_filters)
    office: str = DEFAULT_OFFICE
    issued: date | None = None
    completeness: Mapping[str, int] | None = None  # COMPLETENESS_NAMES keys → number of agencies
    ranking: pd.DataFrame | None = None  # shown as it is (Chinese headers), first rows first
    ranking_note: str = ""  # e.g. the minimum number of applications for a rate to be ranked
    charts: Sequence[tuple[str, bytes]] = field(default_factory=list)  # (title, PNG bytes)
    findings: Iterable[Finding] | None = None  # None: the findings engine is not available


# ------------------------------------------------------------------ numbers in words


def number(value: Any, unit: str = "") -> str:
    """1,234件 / 45.6% ("%" unit: a 0–1 share) / 未填报 for None (a blank is not a zero)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "未填报"
    if unit == "%":
        return f"{value:.1%}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}{unit}"
    return f"{int(value):,}{unit}"


def change(now: Any, before: Any, unit: str = "") -> str:
    """The change from ``before`` to ``now`` in words: 增加12件（+8.0%）, 减少, 持平; "" when unknown."""
    if now is None or before is None:
        return ""
    if unit == "%":
        points = (now - before) * 100
        if abs(points) < 0.05:
            return "持平"
        return f"{'上升' if points > 0 else '下降'}{abs(points):.1f}个百分点"
    diff = now - before
    if diff == 0:
        return "持平"
    word = "增加" if diff > 0 else "减少"
    pct = f"（{diff / before:+.1%}）" if before else ""
    return f"{word}{number(abs(diff), unit)}{pct}"


def _year_frame(df: pd.DataFrame, year: int) -> pd.DataFrame:
    """The reports of ``year`` and the year before (kpis then compares exactly these two)."""
    return df[df["year"].isin([year - 1, year])] if "year" in df else df.iloc[0:0]


@dataclass(frozen=True)
class Comparison:
    """The year against the year before, on the agencies that have a report in both years.

    ``figures`` holds the year's values on those agencies, ``previous_year`` and ``previous``;
    ``same_set`` is True when every report of both years is in it (the totals compare as they are).
    """

    figures: dict[str, Any]
    agencies: int
    same_set: bool


def year_figures(df: pd.DataFrame, year: int) -> dict[str, Any]:
    """:func:`library.aggregate.kpis` of the reports of ``year`` (all of them; no comparison).

    ``reports`` is 0 when there is none of ``year`` (the other values are then None).
    """
    part = df[df["year"] == year] if "year" in df else df.iloc[0:0]
    if part.empty:
        return {"year": year, "previous_year": None, "previous": {}, "deltas": {}, "reports": 0}
    return kpis(part)


def comparison(df: pd.DataFrame, year: int) -> Comparison | None:
    """``year`` against ``year - 1`` on the same agencies, as :func:`library.aggregate.kpis` compares
    them (the 总览 cards say the same); None when no agency reported in both years."""
    part = _year_frame(df, year)
    if part.empty or not (part["year"] == year).any():
        return None
    k = kpis(part)
    if k.get("previous_year") is None or not k["compared_agencies"]:
        return None
    figures = {**k["compared"], "previous_year": k["previous_year"], "previous": k["previous"]}
    return Comparison(figures, k["compared_agencies"], k["same_agencies"])


def sentences(df: pd.DataFrame, year: int) -> list[str]:
    """The sentences of 总体情况, each from one rule over the year's numbers."""
    k = year_figures(df, year)
    if not k.get("reports"):
        return [f"所选范围内没有{year}年的年度报告。"]
    c = comparison(df, year)
    out = [f"所选范围内共收录{year}年政府信息公开工作年度报告{k['reports']}份，涉及{k['agencies']}个单位。"]
    out.append(_applications_sentence(k, year, c))
    out.append(_share_sentence(k, year, c))
    review, lit = k.get("review_cases"), k.get("litigation_cases")
    if review is not None or lit is not None:
        out.append(f"因政府信息公开被申请行政复议{number(review, '件')}、提起行政诉讼{number(lit, '件')}。")
    failing = k["reports_failing_checks"]
    if failing:
        out.append(f"有{failing}份报告未通过勾稽关系或数值校验，占{failing / k['reports']:.0%}，需核实更正。")
    else:
        out.append("全部报告通过了勾稽关系和数值校验。")
    return out


def _compared(c: Comparison, key: str, unit: str, year: int) -> str:
    """The change of one figure in words, on the same agencies ("" when a side is unknown)."""
    f = c.figures
    now, then, before = f.get(key), f["previous"].get(key), f["previous_year"]
    moved = change(now, then, unit)
    if not moved:
        return ""
    if c.same_set:
        if unit == "%":
            return f"，较{before}年{moved}"
        return f"，较{before}年的{number(then, unit)}" + ("持平" if moved == "持平" else moved)
    return (
        f"。在{before}、{year}两年都有报告的{c.agencies}个单位中，{before}年为{number(then, unit)}、"
        f"{year}年为{number(now, unit)}，" + moved
    )


def _applications_sentence(k: dict, year: int, c: Comparison | None) -> str:
    now = k["applications_received"]
    if now is None:
        return "所选报告均未填报收到政府信息公开申请的数量。"
    text = f"全年共收到政府信息公开申请{number(now, '件')}"
    return text + (_compared(c, "applications_received", "件", year) if c else "") + "。"


def _share_sentence(k: dict, year: int, c: Comparison | None) -> str:
    share = k["answered_share"]
    if share is None:
        return "所选报告没有可计算公开比例的办理结果。"
    text = f"已办结的申请中，予以公开和部分公开的占{number(share, '%')}"
    return text + (_compared(c, "answered_share", "%", year) if c else "") + "。"


def _approx(values: Mapping[str, Any], key: str) -> str:
    # A proactive total with "5500余条" in it is a lower bound (library.aggregate.kpis).
    return "余（下限）" if key == "proactive_items" and values.get("proactive_items_approx") else ""


def figure_rows(df: pd.DataFrame, year: int) -> tuple[list[dict[str, str]], str]:
    """Rows of the figures table (label, value, previous, change) and the previous column's header.

    With a year before, both columns are the agencies that reported in both years (see
    :func:`comparison`); without one, the year's figures alone.
    """
    c = comparison(df, year)
    k = c.figures if c else year_figures(df, year)
    before = k.get("previous_year") if c else None
    rows = []
    for key in FIGURE_KEYS:
        name, unit = KPIS[key]
        now = k.get(key)
        then = k["previous"].get(key) if before is not None else None
        shown_unit = "%" if unit == "%" else ""  # the label carries the unit
        rows.append(
            {
                "label": name if unit == "%" else f"{name}（{unit}）",
                "value": number(now, shown_unit) + _approx(k, key),
                "previous": number(then, shown_unit) + _approx(k["previous"], key)
                if before is not None
                else "—",
                "change": change(now, then, shown_unit) or "—",
            }
        )
    return rows, f"{before}年" if before is not None else "上年（无可比报告）"


def _figures_note(df: pd.DataFrame, year: int) -> str:
    """A line under the figures table saying which reports the two columns compare."""
    c = comparison(df, year)
    if c is None or c.same_set:
        return "空白（未填报）不计为 0。"
    before = c.figures["previous_year"]
    return (
        f"注：{before}年与{year}年收录的单位不完全相同，本表只比较两年都有报告的{c.agencies}个单位；"
        f"{year}年全部报告的合计见上文。空白（未填报）不计为 0。"
    )


# ------------------------------------------------------------------ completeness, findings


def completeness_rows(counts: Mapping[str, int]) -> list[dict[str, str]]:
    """One row per known count, with its share of the agencies expected to publish."""
    expected = counts.get(EXPECTED)
    rows = []
    for key, label in COMPLETENESS_NAMES.items():
        if key not in counts:
            continue
        value = counts[key]
        share = f"{value / expected:.1%}" if expected and key != EXPECTED else "—"
        rows.append({"label": label, "value": f"{value:,}", "share": share})
    return rows


def completeness_sentence(counts: Mapping[str, int] | None) -> str:
    """完成情况 in one sentence; says so when no roster was imported."""
    if not counts:
        return "未导入机关名录，本通报不统计年报发布的完整性和及时性。"
    parts = []
    if EXPECTED in counts:
        parts.append(f"机关名录中应发布年度报告的单位{counts[EXPECTED]}个")
    if PUBLISHED in counts:
        rate = f"（占{counts[PUBLISHED] / counts[EXPECTED]:.1%}）" if counts.get(EXPECTED) else ""
        parts.append(f"已发布{counts[PUBLISHED]}个{rate}")
    timely = [f"{TIMELINESS_NAMES[k]}{counts[k]}个" for k in (ON_TIME, LATE, UNKNOWN) if k in counts]
    if timely:
        parts.append("其中" + "、".join(timely))
    if MISSING in counts:
        parts.append(f"{TIMELINESS_NAMES[MISSING]}{counts[MISSING]}个")
    return "，".join(parts) + "。"


def findings_summary(findings: Iterable[Finding] | None, year: int) -> tuple[str, list[dict[str, str]]]:
    """The sentence on the year's findings and their rows by category (code)."""
    if findings is None:
        return "审核意见功能尚未启用，本通报不含审核发现的问题。", []
    of_year = [f for f in findings if f.year == year]
    live = [f for f in of_year if f.counts]
    if not live:
        return f"{year}年的报告没有需要整改的审核意见。", []
    by_severity = Counter(f.severity for f in live)
    severity = "，".join(
        f"{SEVERITY_NAMES[s]}{by_severity[s]}项" for s in ("error", "warning", "info") if by_severity[s]
    )
    agencies = {f.agency for f in live if f.agency}
    text = f"审核共发现需要整改的问题{len(live)}项（{severity}），涉及{len(agencies)}个单位"
    closed = len(of_year) - len(live)
    text += f"；另有{closed}项经核实已排除或已说明，不计入。" if closed else "。"
    per_code: dict[str, set] = defaultdict(set)
    for f in live:
        per_code[f.code].add(f.agency)
    counts = Counter(f.code for f in live)
    rows = [
        {"name": code_name(code), "count": str(n), "agencies": str(len(per_code[code]))}
        for code, n in counts.most_common()
    ]
    return text, rows


# ------------------------------------------------------------------ ranking and charts


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"  # blank: not stated, never 0
    if isinstance(value, float):
        return f"{value:,.1f}" if not value.is_integer() else f"{int(value):,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _ranking_subdoc(tpl: DocxTemplate, ranking: pd.DataFrame):
    sub = tpl.new_subdoc()
    shown = ranking.head(MAX_RANKING_ROWS)
    table = sub.add_table(rows=1, cols=len(shown.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, head in zip(table.rows[0].cells, shown.columns, strict=True):
        _subdoc_cell(cell, str(head), bold=True)
    for values in shown.itertuples(index=False):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _subdoc_cell(cell, _cell_text(value))
    return sub


def _subdoc_cell(cell, text: str, *, bold: bool = False) -> None:
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold
    run.font.size = Pt(10.5)
    set_run_fonts(run, TITLE_FONT if bold else TABLE_FONT)


def _ranking_text(ranking: pd.DataFrame | None, note: str) -> str:
    if ranking is None or ranking.empty:
        return "暂无排名数据。"
    text = f"各单位排名见下表（共{len(ranking)}个）。"
    if len(ranking) > MAX_RANKING_ROWS:
        text += f"表中列出前{MAX_RANKING_ROWS}个。"
    return text + note


# ------------------------------------------------------------------ the document


def briefing_context(df: pd.DataFrame, year: int, extra: BriefingInput) -> dict[str, Any]:
    """The template's values except the ranking subdocument and the images (exposed for tests)."""
    rows, previous_label = figure_rows(df, year)
    findings_text, finding_rows = findings_summary(extra.findings, year)
    return {
        "title": f"关于{year}年度政府信息公开工作年度报告审核情况的通报",
        "office": extra.office,
        "issued": zh_date(extra.issued or date.today()),
        "scope": extra.scope,
        "year": year,
        "sentences": sentences(df, year),
        "figures": rows,
        "figures_note": _figures_note(df, year),
        "previous_label": previous_label,
        "completeness_text": completeness_sentence(extra.completeness),
        "completeness": completeness_rows(extra.completeness) if extra.completeness else [],
        "ranking_text": _ranking_text(extra.ranking, extra.ranking_note),
        "findings_text": findings_text,
        "finding_rows": finding_rows,
        "charts_text": "以下图表根据所选范围的报告数据生成。" if extra.charts else "本通报未附图表。",
    }


def briefing_docx(df: pd.DataFrame, year: int, extra: BriefingInput | None = None) -> bytes:
    """The 通报 of ``year`` over the reports of ``df`` (the standardised dataset, filtered), as .docx."""
    extra = extra or BriefingInput()
    context = briefing_context(df, year, extra)

    def prepare(tpl: DocxTemplate) -> dict[str, Any]:
        ranking = extra.ranking
        return {
            "ranking": _ranking_subdoc(tpl, ranking) if ranking is not None and not ranking.empty else "",
            "charts": [
                {"n": i, "title": title, "image": InlineImage(tpl, io.BytesIO(png), width=Mm(CHART_WIDTH_MM))}
                for i, (title, png) in enumerate(extra.charts, 1)
            ],
        }

    return render("briefing.docx", context, prepare)


def briefing_filename(year: int) -> str:
    """年报审核情况通报_<year>.docx."""
    return f"年报审核情况通报_{year}.docx"

"""Synthetic reports for benchmarks only — never for ``sample_reports/`` and never shown as real data.

Every synthetic agency and region name starts with ``（合成）``, so a synthetic report can never be
taken for a real one, and :func:`populate` refuses a library that already holds real reports.

- :func:`synthetic_parsed`: a :class:`ParsedReport` built directly (fast; the store benchmark).
- :func:`synthetic_text`: the same figures written out as a report text in the official layout,
  for benchmarks that run the real parser (the ingest benchmark).
- :func:`populate`: fill a (benchmark) library with N synthetic reports.
- :func:`populate_bulk`: the same rows, written many reports per transaction (big benchmark libraries).

The figures satisfy the official 勾稽关系, except in a small share of reports where one total is
deliberately off so the data-quality views have something to show.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, or_, select

from library.db import Report, ReportFile, ReportText, inserted_id, pack_json, utcnow
from library.report_meta import given_fields, merged_metadata
from library.store import Library, LibraryError, _record_upload
from library.versions import refresh_versions
from parsing.checks import run_checks
from parsing.document import Source
from parsing.report import PARSER_VERSION, Cell, ParsedReport
from parsing.schema import (
    CELLS,
    S3_APPLICANT_COLS,
    S3_COLUMNS,
    S4_COLUMNS,
    S4_GROUPS,
    S4_OUTCOMES,
    SECTION2,
    V2019,
    V2021,
    outcome_rows,
    s3_rows,
)

SYNTHETIC_PREFIX = "（合成）"
_REGION_STEMS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
_DEPARTMENTS = (
    ("教育局", "教育"),
    ("卫生健康局", "卫健"),
    ("公安局", "公安"),
    ("财政局", "财政"),
    ("自然资源局", "自然资源"),
    ("生态环境局", "生态环境"),
    ("住房和城乡建设局", "住建"),
    ("交通运输局", "交通"),
    ("农业农村局", "农业农村"),
    ("市场监督管理局", "市场监管"),
    ("人力资源和社会保障局", "人社"),
    ("民政局", "民政"),
    ("文化和旅游局", "文旅"),
    ("应急管理局", "应急"),
    ("人民政府办公室", "政府办"),
    ("城关镇人民政府", "乡镇"),
    ("新民乡人民政府", "乡镇"),
)
YEARS = (2019, 2020, 2021, 2022, 2023, 2024)


@dataclass(frozen=True)
class SyntheticSpec:
    """Who and when a synthetic report is about."""

    region: str
    agency: str
    agency_type: str
    year: int

    @property
    def template(self) -> str:
        return V2019 if self.year <= 2020 else V2021


def specs(n: int) -> list[SyntheticSpec]:
    """``n`` distinct (region, agency, year) combinations, regions first so every region gets all years."""
    out: list[SyntheticSpec] = []
    region_no = 0
    while len(out) < n:
        stem = _REGION_STEMS[region_no % len(_REGION_STEMS)]
        suffix = "" if region_no < len(_REGION_STEMS) else str(region_no // len(_REGION_STEMS) + 1)
        region = f"{SYNTHETIC_PREFIX}{stem}{suffix}县"
        for dept, kind in _DEPARTMENTS:
            for year in YEARS:
                if len(out) == n:
                    return out
                out.append(SyntheticSpec(region, f"{region}{dept}", kind, year))
        region_no += 1
    return out


def _figures(rng: random.Random, template: str, broken: bool) -> dict[str, int | float]:
    """Canonical key → value for one report, consistent with the 勾稽关系 unless ``broken``."""
    values: dict[str, int | float] = {}
    for block in SECTION2[template]:
        for row_key, _ in block.rows:
            for col in block.cols:
                key = f"s2.{block.key}.{row_key}.{col.key}"
                if col.kind == "amount":
                    values[key] = round(rng.uniform(0, 500), 2)
                elif col.kind == "signed":
                    values[key] = rng.randint(-5, 8)
                else:
                    scale = 2000 if col.key == "decisions" else 40
                    values[key] = int(rng.expovariate(1 / scale))
    outcomes = outcome_rows(template)
    weights = [30, 8] + [0.3] * 8 + [4, 1, 0.5] + [0.8] * 5 + ([1.5] if template == V2019 else [1, 0.2, 0.8])
    for applicant in S3_APPLICANT_COLS:
        busy = 40 if applicant == "natural_person" else 4
        concluded = int(rng.expovariate(1 / busy))
        split = rng.choices(outcomes, weights=weights, k=concluded)
        for outcome_key in outcomes:
            values[f"s3.{outcome_key}.{applicant}"] = split.count(outcome_key)
        values[f"s3.r3_7_total.{applicant}"] = concluded
        forward = rng.randint(0, max(concluded // 10, 0))
        carried = rng.randint(0, concluded + forward)
        values[f"s3.r4_carry_forward.{applicant}"] = forward
        values[f"s3.r2_carried_over.{applicant}"] = carried
        values[f"s3.r1_new_received.{applicant}"] = concluded + forward - carried
    for s3_row in s3_rows(template):
        values[f"s3.{s3_row.key}.total"] = sum(values[f"s3.{s3_row.key}.{c}"] for c in S3_APPLICANT_COLS)
    for group, _ in S4_GROUPS:
        parts = [int(rng.expovariate(1 / 1.5)) for _ in S4_OUTCOMES[:-1]]
        for (outcome, _), v in zip(S4_OUTCOMES[:-1], parts, strict=True):
            values[f"s4.{group}_{outcome}"] = v
        values[f"s4.{group}_total"] = sum(parts)
    if broken:
        values["s3.r3_7_total.total"] += rng.randint(1, 5)
    return values


def synthetic_parsed(spec: SyntheticSpec, seed: int = 0) -> ParsedReport:
    """A parsed report for ``spec`` (checks computed by the real rules), as if read from a text file."""
    rng = random.Random(f"{seed}:{spec.agency}:{spec.year}")
    broken = rng.random() < 0.03
    values = _figures(rng, spec.template, broken)
    cells = {
        key: Cell(
            key=key, value=v, raw=str(v), label=CELLS[key].label, score=100.0, source=Source("text", line=i)
        )
        for i, (key, v) in enumerate(values.items(), 1)
    }
    table_versions = {"s2": spec.template, "s3": spec.template, "s4": spec.template}
    name = f"synthetic-{spec.agency}-{spec.year}.txt"
    report = ParsedReport(
        file=name,
        sha256=hashlib.sha256(f"{seed}:{name}".encode()).hexdigest(),
        format="txt",
        agency=spec.agency,
        region=spec.region,
        year=spec.year,
        template=spec.template,
        table_versions=table_versions,
        cells=cells,
        narrative={"proactive_total": int(rng.expovariate(1 / 300))},
        unmatched_labels=["其他主动公开文件"] if rng.random() < 0.05 else [],
        text=f"{spec.agency}{spec.year}年政府信息公开工作年度报告（合成数据，仅用于性能测试）",
        parser_version=PARSER_VERSION,
    )
    report.checks = run_checks(report.cells, table_versions)
    return report


def synthetic_bytes(parsed: ParsedReport) -> bytes:
    """Stand-in original bytes for a directly built report (unique per report, so never de-duplicated)."""
    return f"{parsed.file}\n{parsed.sha256}\n{parsed.text}\n".encode()


def synthetic_text(spec: SyntheticSpec, seed: int = 0) -> str:
    """The report for ``spec`` written out like a pasted web page in the official layout.

    One label or value per line, blank lines between them (the shape of the real seeds), so the
    real parser reads it as it reads those.
    """
    rng = random.Random(f"{seed}:{spec.agency}:{spec.year}")
    broken = rng.random() < 0.03
    values = _figures(rng, spec.template, broken)
    proactive = int(rng.expovariate(1 / 300))
    lines: list[str] = [
        f"{spec.agency}{spec.year}年政府信息公开工作年度报告",
        "（合成数据，仅用于性能测试）",
        "一、总体情况",
        f"{spec.year}年，{spec.agency}认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息{proactive}条。",
        "二、主动公开政府信息情况",
    ]
    for block in SECTION2[spec.template]:
        lines += [block.caption, "信息内容", *(c.label for c in block.cols)]
        for row_key, row_label in block.rows:
            lines.append(row_label)
            for col in block.cols:
                lines.append(str(values[f"s2.{block.key}.{row_key}.{col.key}"]))
    lines += [
        "三、收到和处理政府信息公开申请情况",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "申请人情况",
        "自然人",
        "法人或其他组织",
        "总计",
        *(label for key, label in S3_COLUMNS if key not in ("natural_person", "total")),
    ]
    shown: set[str] = set()
    for row in s3_rows(spec.template):
        if row.group and row.group not in shown:  # a group label cell spans its rows: written once
            lines.append(row.group)
            shown.add(row.group)
        lines.append(row.label)
        lines += [str(values[f"s3.{row.key}.{c}"]) for c, _ in S3_COLUMNS]
    lines += [
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议",
        "行政诉讼",
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
        "未经复议直接起诉",
        "复议后起诉",
        *(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2),
        *(str(values[f"s4.{k}"]) for k, _ in S4_COLUMNS),
        "五、存在的主要问题及改进情况",
        "（合成数据）",
        "六、其他需要报告的事项",
        "无。",
    ]
    return "\n\n".join(lines) + "\n"


def populate(
    lib: Library,
    n: int,
    seed: int = 0,
    *,
    progress: Callable[[int, int, str], None] | None = None,
) -> int:
    """Add ``n`` synthetic reports to ``lib`` (a benchmark library); returns how many were created.

    Refuses a library that holds any report not marked synthetic: synthetic data must never mix
    with real reports.
    """
    listing = lib.list()
    real = listing[~listing["agency"].fillna("").str.startswith(SYNTHETIC_PREFIX)]
    if len(real):
        raise LibraryError(
            "报告库中已有真实报告，不能加入合成数据", "refusing to mix synthetic and real reports"
        )
    created = 0
    for i, spec in enumerate(specs(n), 1):
        parsed = synthetic_parsed(spec, seed)
        _, new = lib.add(parsed, synthetic_bytes(parsed), agency_type=spec.agency_type)
        created += new
        if progress:
            progress(i, n, parsed.file)
    return created


def _refuse_real(lib: Library) -> None:
    """Raise when ``lib`` holds a report not marked synthetic (synthetic data never mixes with real)."""
    with lib.engine.connect() as conn:
        real = conn.execute(
            select(func.count(Report.id)).where(
                or_(Report.agency.is_(None), ~Report.agency.startswith(SYNTHETIC_PREFIX))
            )
        ).scalar_one()
    if real:
        raise LibraryError(
            "报告库中已有真实报告，不能加入合成数据", "refusing to mix synthetic and real reports"
        )


def populate_bulk(
    lib: Library,
    n: int,
    seed: int = 0,
    *,
    start: int = 0,
    batch: int = 1000,
    progress: Callable[[int, int, str], None] | None = None,
) -> int:
    """Add synthetic reports ``start`` … ``n - 1`` (of :func:`specs`) to ``lib``, ``batch`` per write
    transaction; returns how many were created.

    Writes exactly the rows :func:`populate` writes through :meth:`Library.add` (the same statements,
    report by report, versions and audit trail included) but commits once per batch instead of once
    per report, and skips the de-duplication look-up outside the transaction: 50,000 reports through
    ``add`` took minutes. ``start`` extends a library that already holds the first ``start`` reports
    (a copy of a smaller benchmark library). For benchmark libraries only.
    """
    _refuse_real(lib)
    all_specs = specs(n)
    created = 0
    for first in range(start, n, batch):
        with lib._write() as conn:
            for spec in all_specs[first : first + batch]:
                created += _bulk_add(lib, conn, synthetic_parsed(spec, seed), spec.agency_type)
        if progress:
            done = min(first + batch, n)
            progress(done, n, all_specs[done - 1].agency)
    return created


def _bulk_add(lib: Library, conn: Connection, parsed: ParsedReport, agency_type: str) -> bool:
    """One report as :meth:`Library.add` stores it, inside the caller's transaction; False when its
    bytes are already stored."""
    data = synthetic_bytes(parsed)
    sha = hashlib.sha256(data).hexdigest()
    if conn.execute(select(Report.id).where(Report.sha256 == sha)).scalar() is not None:
        return False
    given = {"agency": None, "region": None, "year": None, "agency_type": agency_type}
    confirmed = given_fields(**given)
    meta = merged_metadata(parsed, given, confirmed)
    now = utcnow()
    report_id = inserted_id(
        conn.execute(
            insert(Report).values(
                sha256=sha,
                filename=parsed.file or "未命名",
                format=parsed.format or "unknown",
                size=len(data),
                confirmed=confirmed,
                created_at=now,
                parser_version=parsed.parser_version,
                **meta,
                **lib._parse_columns(conn, parsed, now),
            )
        )
    )
    conn.execute(
        insert(ReportFile).values(
            report_id=report_id, data=data, parsed_json_z=pack_json(parsed.to_json()), text=parsed.text or ""
        )
    )
    conn.execute(insert(ReportText).values(report_id=report_id, text=parsed.text or ""))
    lib._insert_cells_and_checks(conn, report_id, parsed)
    refresh_versions(conn, [report_id])
    _record_upload(conn, report_id, parsed, meta, None)
    return True

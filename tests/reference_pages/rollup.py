"""县级汇总表: a region's own report tables (二、三、四) summed from every in-scope agency's tables.

Pure computation over the library (no Streamlit): :func:`rollup` takes the region, the year and the
library and returns a :class:`RollUp`. The rules, each from the format reference
(``shared/spec/report-format.md``):

- **Who is summed.** The roster (机关名录) decides: every entry of the region except the government
  itself is in scope; its current report of the year (``library.queries.CURRENT``: a superseded version
  never counts) is a summand. An entry without a report is *missing*. Reports of the region that no
  in-scope entry claims, superseded versions, a second report linked to the same entry, reports with no
  standard table and the government's own report are *excluded*, each with its reason. The government's
  own report (an entry of level 人民政府, or a report named ``<region>人民政府``) is what the roll-up is
  compared with, never a summand. A region without roster entries is summed over all its reports, and
  says that missing agencies cannot be known.
- **Layout.** The year's format: 2021 from the 2021 reports on, 2019 before (§1). A report in the other
  format contributes only the cells with an exact correspondence: the same canonical key in both
  formats (table 三 except （六）, table 四, the 本年处理决定数量 of 二(五)(六)); a 2021 report's three
  （六） sub-rows add up to the 2019 （六）其他处理 (§4.2: the only change in 三). 2019's 二(一) and
  (八) columns mean something else in 2021 (§3.3: "do not map old columns onto new ones") and its
  （六）其他处理 cannot be split: those cells of the roll-up are incomplete, with the agency named.
- **Blanks.** A blank (empty, ``/``, dash) is read as 0 on the summand side (§9.4, §7.2) and listed; a
  blank *total* (总计 column, （七）总计, the 总计 of a group of 四) means "not filled" (§7.2), so the
  roll-up's cell becomes a lower bound (incomplete) with the agency listed — unless every part of that
  total is blank or 0 in the report too (the total is then 0 by D1/D3/D5). A value that could not be
  read, and a cell the report does not have at all, also make the cell incomplete.
- **Stocks** (现行有效件数, 对外公开总数量, 上一年项目数量: ``parsing.schema.STOCK_KEYS``) are summed
  over agencies within the year: each agency contributes only its report of that year, never an
  earlier year's.
- **Checks.** O1, D1, D3 and D5 (``parsing.checks.run_checks``) on the rolled-up tables; an incomplete
  cell is given to the checks as unreadable, so a check on it is skipped, never passed or failed on a
  lower bound. A failure names the included agencies whose own tables fail the same rule at the same
  place.
- **Comparisons.** With last year's roll-up (same rules; cells of both layouts) and with the
  government's own report of the year, when it is in the library.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from library.access import ALL, Scope
from library.db import CellRow, Correction, Report, ReportFile, unpack_json
from library.errors import LibraryError
from library.roster_link import normalize_name, placed_name
from library.visibility import describe_scope, region_visible, same_place
from parsing.checks import FAIL, PASS, SKIPPED, check_place, explain, run_checks
from parsing.metadata import region_of
from parsing.report import Cell, Check
from parsing.schema import (
    CELLS,
    LABEL_SEP,
    S3_APPLICANT_COLS,
    S3_COL_KEYS,
    S4_COL_KEYS,
    S4_GROUPS,
    S4_OUTCOMES,
    SECTION2,
    STOCK_KEYS,
    V2019,
    V2021,
    VERSIONS,
    block,
    cell_keys,
    key_label,
    outcome_rows,
    s3_rows,
)
from parsing.vocabulary import (
    D5_RULES,
    RULE_D1_ROW_TOTAL,
    RULE_D3_OUTCOME_SUM,
    RULE_O1_BALANCE,
    rule_name,
)

# The rules run on the rolled-up tables (the list; D6 types are meaningless on sums).
ROLLUP_RULES: tuple[str, ...] = (RULE_O1_BALANCE, RULE_D1_ROW_TOTAL, RULE_D3_OUTCOME_SUM, *D5_RULES)
SECTIONS: tuple[str, ...] = ("s2", "s3", "s4")
SECTION_NAMES = {
    "s2": "二、主动公开政府信息情况",
    "s3": "三、收到和处理政府信息公开申请情况",
    "s4": "四、政府信息公开行政复议、行政诉讼情况",
}
GOVERNMENT_LEVEL = "人民政府"  # library.deadlines.LEVELS: the government's own report
GOVERNMENT_NAME = "人民政府"
FIRST_YEAR = 2008  # the first 条例 reports
# A value that could not be read as written is not a blank: never read as zero (parsing.checks).
UNREADABLE_FLAGS = ("unparsed", "too_long")
_GOV_SUFFIXES = ("人民政府", "人民政府办公室", "人民政府办公厅", "政府办公室", "政府办")

# Contribution kinds of one report to one cell.
OK, ZERO, INCOMPLETE = "ok", "zero", "incomplete"

# Reasons for excluding a report (stable codes → Chinese).
EXCLUDE_NOT_IN_ROSTER = "not_in_roster"
EXCLUDE_SUPERSEDED = "superseded"
EXCLUDE_NO_TABLES = "no_tables"
EXCLUDE_UNMAPPABLE = "unmappable"
EXCLUDE_DUPLICATE = "duplicate"
EXCLUDE_GOVERNMENT = "government"
EXCLUDE_REASONS = {
    EXCLUDE_NOT_IN_ROSTER: "未列入本地区名录（或未能关联到名录中的机关）",
    EXCLUDE_SUPERSEDED: "已被更正后的新版本取代",
    EXCLUDE_NO_TABLES: "未识别出标准表格（解析失败或不是标准年报）",
    EXCLUDE_UNMAPPABLE: "格式与本年度不同，且没有可对应的单元格",
    EXCLUDE_DUPLICATE: "同一机关本年度有多份报告，只计最新上传的一份",
    EXCLUDE_GOVERNMENT: "本级政府自身的年度报告：用于对照，不作为加数",
}


class OutsideScope(LibraryError):
    """The account may not see the region asked for (the command line exits with status 3)."""


def layout_keys(version: str) -> list[str]:
    """Every cell key of a format in the order of the official tables (二 by block, row, column; 三 by
    row, column; 四 left to right)."""
    keys = [f"s2.{b.key}.{row}.{col.key}" for b in SECTION2[version] for row, _ in b.rows for col in b.cols]
    keys += [f"s3.{r.key}.{c}" for r in s3_rows(version) for c in S3_COL_KEYS]
    keys += [f"s4.{c}" for c in S4_COL_KEYS]
    return keys


def cell_label(key: str, version: str) -> str:
    """The Chinese label of a cell in a format's own words (二's columns differ between formats)."""
    spec = CELLS[key]
    if spec.section != "s2":
        return key_label(key)
    blk = block(version, spec.parts["block"])
    if blk is None:
        return key_label(key)
    row = dict(blk.rows).get(spec.parts["row"], "")
    col = next((c.label for c in blk.cols if c.key == spec.parts["col"]), "")
    return f"{blk.caption}{LABEL_SEP}{row}{LABEL_SEP}{col}"


def layout_version(year: int) -> str:
    """The format of a year's reports (§1): 2021 from the 2021 reports on, 2019 before."""
    return V2021 if year >= 2021 else V2019


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Contribution:
    """What one report adds to one cell: a value (``OK``), 0 for a blank (``ZERO``) or nothing known
    (``INCOMPLETE``), with the reason in Chinese for the last two."""

    agency: str
    report_id: int
    kind: str
    value: float | int | None = None
    reason: str = ""
    blank: bool = False  # the agency left the cell blank (empty, ``/``, dash)


@dataclass
class RollCell:
    """One cell of the roll-up: the sum of what is known, and who left it blank or unknown."""

    key: str
    value: int | float
    contributions: list[Contribution] = field(default_factory=list)
    version: str = V2021  # the layout's format (for the label)

    @property
    def complete(self) -> bool:
        """False when some agency's figure is unknown: ``value`` is then a lower bound."""
        return not self.incomplete

    @property
    def incomplete(self) -> list[Contribution]:
        return [c for c in self.contributions if c.kind == INCOMPLETE]

    @property
    def blank_as_zero(self) -> list[Contribution]:
        return [c for c in self.contributions if c.kind == ZERO]

    @property
    def label(self) -> str:
        return cell_label(self.key, self.version)

    @property
    def stock(self) -> bool:
        """A stock (a count at the year's end): summed over agencies within the year only."""
        return self.key in STOCK_KEYS

    def text(self) -> str:
        """The value as a reader sees it: ``≥12`` for a lower bound."""
        return ("" if self.complete else "≥") + format_number(self.value)


@dataclass(frozen=True)
class IncludedReport:
    """A report summed into the roll-up."""

    agency: str
    report_id: int
    template: str  # the report's format: 2019 | 2021 | mixed | unknown
    entry: str | None  # the roster entry it stands for (None without a roster)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MissingAgency:
    """A roster entry in scope with no usable report of the year."""

    name: str
    agency_type: str | None
    level: str
    reason: str


@dataclass(frozen=True)
class ExcludedReport:
    """A report of the region and year left out of the sums, and why."""

    agency: str
    report_id: int
    code: str
    reason: str


@dataclass(frozen=True)
class BlankCell:
    """One blank an agency left in a cell of the roll-up, and how it was treated."""

    key: str
    label: str
    agency: str
    report_id: int
    summed_as_zero: bool
    reason: str


@dataclass(frozen=True)
class TracedAgency:
    """An included agency whose own table fails the same rule at the same place."""

    agency: str
    report_id: int
    detail_zh: str


@dataclass(frozen=True)
class RollCheck:
    """One check on the rolled-up tables, with the agencies it is traced to when it fails."""

    rule: str
    where: str
    status: str  # pass | fail | skipped
    detail_zh: str
    traced: tuple[TracedAgency, ...] = ()

    @property
    def rule_zh(self) -> str:
        return rule_name(self.rule)

    @property
    def place_zh(self) -> str:
        return check_place(self.rule, self.where)


@dataclass(frozen=True)
class CellComparison:
    """One cell against another figure (last year's roll-up, the government's own report)."""

    key: str
    label: str
    rollup: int | float | None
    other: int | float | None
    difference: int | float | None  # rollup − other, None when either is unknown
    rollup_complete: bool
    other_complete: bool


@dataclass(frozen=True)
class GovernmentReport:
    """The government's own report of the region and year, as the figures to compare with."""

    agency: str
    report_id: int
    template: str
    comparison: tuple[CellComparison, ...]


@dataclass
class RollUp:
    """The region's tables 二、三、四 summed over its agencies (see the module docstring)."""

    region: str
    year: int
    version: str  # the layout: 2019 | 2021
    cells: dict[str, RollCell]
    included: list[IncludedReport]
    missing: list[MissingAgency]
    excluded: list[ExcludedReport]
    checks: list[RollCheck]
    roster_used: bool
    government: GovernmentReport | None = None
    previous_year: tuple[CellComparison, ...] = ()
    previous_available: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def blanks(self) -> list[BlankCell]:
        """Every blank an included agency left in a cell of the layout, in layout order."""
        out = []
        for cell in self.cells.values():
            for c in cell.contributions:
                if c.blank:
                    out.append(
                        BlankCell(cell.key, cell.label, c.agency, c.report_id, c.kind == ZERO, c.reason)
                    )
        return out

    @property
    def incomplete_cells(self) -> list[RollCell]:
        return [c for c in self.cells.values() if not c.complete]

    @property
    def complete(self) -> bool:
        """Every in-scope agency summed and every cell known."""
        return not self.missing and not self.incomplete_cells and bool(self.included)

    def value(self, key: str) -> int | float | None:
        """The summed value of a cell (None when the layout has no such cell)."""
        cell = self.cells.get(key)
        return cell.value if cell is not None else None

    @property
    def failed_checks(self) -> list[RollCheck]:
        return [c for c in self.checks if c.status == FAIL]


def format_number(value: int | float | None) -> str:
    """12 → ``12``; 3.5 → ``3.5``; None → ``""`` (an amount keeps at most four decimals)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _clean_sum(values: Iterable[int | float]) -> int | float:
    """An exact sum: integers stay integers, amounts are summed with fsum and kept to 6 decimals."""
    vals = list(values)
    if all(float(v).is_integer() for v in vals):
        return int(sum(int(v) for v in vals))
    return round(math.fsum(vals), 6)


# --------------------------------------------------------------------------- one report's cells


@dataclass
class _Source:
    """One report as the roll-up reads it: effective cells (corrections applied) and table versions."""

    report_id: int
    agency: str
    region: str | None
    template: str
    cells: dict[str, Cell]
    table_versions: dict[str, str]

    def section_version(self, section: str) -> str | None:
        version = self.table_versions.get(section)
        if version in VERSIONS:
            return version
        return self.template if self.template in VERSIONS else None


def _is_total(key: str) -> bool:
    spec = CELLS[key]
    if spec.section == "s3":
        return spec.parts["col"] == "total" or spec.parts["row"] == "r3_7_total"
    return spec.section == "s4" and key.endswith("_total")


def _parts_of(key: str, version: str | None) -> list[str]:
    """The cells a total is the sum of (D1 for the 总计 column, D3 for （七）总计, D5 for 四)."""
    spec = CELLS[key]
    if spec.section == "s4":
        group = key[len("s4.") : -len("_total")]
        return [f"s4.{group}_{o}" for o, _ in S4_OUTCOMES[:-1]]
    row, col = spec.parts["row"], spec.parts["col"]
    if col == "total":
        return [f"s3.{row}.{c}" for c in S3_APPLICANT_COLS]
    return [f"s3.{r}.{col}" for r in outcome_rows(version or V2021)]


def _nil(cell: Cell | None) -> bool:
    """A cell whose value is 0 or blank (not unreadable)."""
    if cell is None:
        return False
    if cell.value is None:
        return cell.flag not in UNREADABLE_FLAGS
    return cell.value == 0


def contribution(src: _Source, key: str, target: str) -> Contribution:
    """What report ``src`` adds to cell ``key`` of a roll-up in format ``target`` (module docstring)."""
    section = CELLS[key].section
    cell = src.cells.get(key)
    if cell is None and target == V2019 and key.startswith("s3.r3_6_other."):
        col = key.rsplit(".", 1)[1]
        subs = [src.cells.get(k) for k in _v2021_other_keys(col)]
        if all(s is not None for s in subs):
            return _derived_other(src, subs, key)
    if cell is None:
        own = src.section_version(section)
        if own is not None and own != target and own not in CELLS[key].versions:
            return Contribution(
                src.agency,
                src.report_id,
                INCOMPLETE,
                None,
                f"该报告此表为{own}年格式，没有与本单元格准确对应的栏目",
            )
        return Contribution(
            src.agency, src.report_id, INCOMPLETE, None, "报告中没有这个单元格（该表缺失或未读出）"
        )
    if cell.value is not None:
        return Contribution(src.agency, src.report_id, OK, cell.value)
    if cell.flag in UNREADABLE_FLAGS:
        return Contribution(src.agency, src.report_id, INCOMPLETE, None, f"数值无法识别（原文：{cell.raw}）")
    written = f"（填写为“{cell.raw.strip()}”）" if cell.raw.strip() else ""
    if _is_total(key):
        parts = [src.cells.get(k) for k in _parts_of(key, src.section_version(section))]
        if all(_nil(p) for p in parts):
            return Contribution(
                src.agency,
                src.report_id,
                ZERO,
                None,
                f"总计空白{written}，其各组成项也都为空或 0，按 0 计",
                True,
            )
        return Contribution(
            src.agency,
            src.report_id,
            INCOMPLETE,
            None,
            f"总计空白{written}：空白的总计表示未填写，不按 0 计（格式说明 §7.2）",
            True,
        )
    return Contribution(
        src.agency, src.report_id, ZERO, None, f"空白{written}，按 0 计（格式说明 §9.4）", True
    )


def _v2021_other_keys(col: str) -> list[str]:
    return [
        f"s3.r3_6_{i}_{name}.{col}" for i, name in ((1, "no_correction"), (2, "fee_unpaid"), (3, "other"))
    ]


def _derived_other(src: _Source, subs: list[Cell | None], key: str) -> Contribution:
    """A 2021 report's （六）1–3 added up for the 2019 （六）其他处理 (§4.2: the only change in 三)."""
    if any(s is not None and s.value is None and s.flag in UNREADABLE_FLAGS for s in subs):
        return Contribution(src.agency, src.report_id, INCOMPLETE, None, "（六）其他处理的分项数值无法识别")
    values = [s.value for s in subs if s is not None and s.value is not None]
    if not values:
        return Contribution(
            src.agency, src.report_id, ZERO, None, "2021 年格式（六）1–3 项均空白，按 0 计", True
        )
    return Contribution(src.agency, src.report_id, OK, _clean_sum(values))


def _mappable(src: _Source, target: str) -> bool:
    """Does the report give any cell of the target layout (directly or by the （六） sum)?"""
    keys = set(cell_keys(target))
    if any(k in keys for k in src.cells):
        return True
    return target == V2019 and any(k.startswith("s3.r3_6_") for k in src.cells)


def _has_tables(src: _Source) -> bool:
    return any(k in CELLS for k in src.cells)


# --------------------------------------------------------------------------- reading the library


@dataclass(frozen=True)
class _Row:
    report_id: int
    agency: str | None
    region: str | None
    year: int | None
    agency_type: str | None
    template: str
    superseded_by: int | None


def _year_rows(lib, year: int) -> list[_Row]:
    stmt = (
        select(
            Report.id,
            Report.agency,
            Report.region,
            Report.year,
            Report.agency_type,
            Report.template,
            Report.superseded_by,
        )
        .where(Report.year == int(year))
        .order_by(Report.id)
    )
    with lib.engine.connect() as conn:
        return [_Row(*r) for r in conn.execute(stmt).all()]


def _sources(lib, rows: list[_Row]) -> dict[int, _Source]:
    """The effective cells of these reports: as parsed, with every reviewer correction applied."""
    ids = [r.report_id for r in rows]
    if not ids:
        return {}
    cells: dict[int, dict[str, Cell]] = {i: {} for i in ids}
    versions: dict[int, dict[str, str]] = {}
    with lib.engine.connect() as conn:
        for rid, key, value, raw, flag in conn.execute(
            select(CellRow.report_id, CellRow.key, CellRow.value, CellRow.raw, CellRow.flag).where(
                CellRow.report_id.in_(ids)
            )
        ):
            if key in CELLS:
                cells[rid][key] = Cell(key, _num(value), raw or "", flag=flag or "ok")
        for rid, key, new in conn.execute(
            select(Correction.report_id, Correction.key, Correction.new)
            .where(Correction.report_id.in_(ids))
            .order_by(Correction.id)
        ):
            if key in CELLS:
                old = cells[rid].get(key)
                raw = format_number(new) if new is not None else ""
                cells[rid][key] = Cell(
                    key,
                    _num(new),
                    raw,
                    label=old.label if old else "",
                    flag="ok" if new is not None else "blank",
                )
        for rid, blob in conn.execute(
            select(ReportFile.report_id, ReportFile.parsed_json_z).where(ReportFile.report_id.in_(ids))
        ):
            versions[rid] = dict(unpack_json(blob).get("table_versions") or {})
    return {
        r.report_id: _Source(
            r.report_id,
            r.agency or "（单位不详）",
            r.region,
            r.template,
            cells[r.report_id],
            versions.get(r.report_id, {}),
        )
        for r in rows
    }


def _num(value: float | None) -> int | float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value) if float(value).is_integer() else float(value)


def _entry_home(entry) -> str | None:
    return entry.region or region_of(normalize_name(entry.name))


def is_government_name(agency: str | None, region: str | None) -> bool:
    """``淮安市洪泽区人民政府`` (or ``区人民政府`` in 洪泽区) is the government itself; its 办公室 is a
    department with a report of its own."""
    where, rest = placed_name(agency, region)
    return rest == GOVERNMENT_NAME and bool(where)


def _is_government_entry(entry) -> bool:
    return entry.level == GOVERNMENT_LEVEL or is_government_name(entry.name, _entry_home(entry))


def known_regions(lib, scope: Scope | None = ALL) -> list[str]:
    """The regions a roll-up can be made for within ``scope``: those of roster entries and reports."""
    names: dict[str, str] = {}
    for entry in lib.roster(scope):
        home = _entry_home(entry)
        if home:
            names.setdefault(normalize_name(home), home)
    with lib.engine.connect() as conn:
        for (region,) in conn.execute(select(Report.region).where(Report.region.is_not(None)).distinct()):
            if region_visible(region, scope):
                names.setdefault(normalize_name(region), region)
    return sorted(names.values())


def known_years(lib, region: str | None = None, scope: Scope | None = ALL) -> list[int]:
    """The years of the library's reports, newest first; with ``region``, the years of that region's
    reports (every year of the library when the region has a roster: a year without reports still
    shows who is missing)."""
    with lib.engine.connect() as conn:
        pairs = conn.execute(
            # Current reports only (a superseded version always has a current one of its year), so
            # the covering index answers without reading the wide rows.
            select(Report.year, Report.region)
            .where(Report.year.is_not(None), Report.superseded_by.is_(None))
            .distinct()
        ).all()
    has_roster = region is not None and any(same_place(_entry_home(e), region) for e in lib.roster(scope))
    years = {int(y) for y, r in pairs if region is None or has_roster or same_place(r, region)}
    return sorted(years, reverse=True)


def busiest_region(lib, regions: list[str]) -> str | None:
    """Of ``regions``, the one with the most current reports to sum in the library's latest year
    (the page opens on it rather than on the alphabetically first region); None for no regions.

    Counted per (region, year) in the database and matched by normalised name: one pass over a few
    thousand groups, whatever the size of the library."""
    if not regions:
        return None
    stmt = (
        select(Report.region, Report.year, func.count())
        .where(
            Report.year.is_not(None),
            Report.region.is_not(None),
            Report.superseded_by.is_(None),
            # The government's own report is compared with, never summed: it does not make a region
            # worth opening on.
            func.coalesce(Report.agency, "").not_like(f"%{GOVERNMENT_NAME}"),
            func.coalesce(Report.template, "unknown") != "unknown",  # no standard table read
        )
        .group_by(Report.region, Report.year)
    )
    with lib.engine.connect() as conn:
        groups = conn.execute(stmt).all()
    names = {normalize_name(name): name for name in regions}
    counts: dict[tuple[str, int], int] = {}
    for reg, year, n in groups:
        name = names.get(normalize_name(reg))
        if name is not None:
            counts[(name, int(year))] = counts.get((name, int(year)), 0) + int(n)
    if not counts:
        return regions[0]
    return max(counts, key=lambda k: (k[1], counts[k], -regions.index(k[0])))[0]


def _check_request(lib, region: str, year: int, scope: Scope | None) -> str:
    """The region as the library writes it; :class:`LibraryError` for a request that cannot be made."""
    if scope is None:
        raise LibraryError("请先登录。", "not signed in")
    if scope.agency is not None:
        raise OutsideScope("填报单位账户只能查看本单位的报告，不能汇总全地区。", "agency scope")
    region = (region or "").strip()
    if not region:
        raise LibraryError("请指定地区。", "no region")
    if not region_visible(region, scope):
        raise OutsideScope(
            f"无权查看地区“{region}”：本账户的可查看范围为{describe_scope(scope)}。",
            f"region {region!r} outside the scope",
        )
    if not isinstance(year, int) or year < FIRST_YEAR or year > date.today().year:
        raise LibraryError(
            f"年度“{year}”无效：应为 {FIRST_YEAR}–{date.today().year} 之间的年份。", "bad year"
        )
    known = [r for r in known_regions(lib, scope) if same_place(r, region)]
    if not known:
        raise LibraryError(f"报告库和名录中都没有地区“{region}”。", f"unknown region {region!r}")
    return region


def rollup(lib, region: str, year: int, *, scope: Scope | None = ALL, compare: bool = True) -> RollUp:
    """The roll-up of ``region`` for ``year`` (module docstring). ``compare``: also last year's
    roll-up and the government's own report. :class:`LibraryError` (Chinese) for a region outside
    ``scope`` or unknown to the library, or an impossible year."""
    region = _check_request(lib, region, year, scope)
    target = layout_version(year)
    entries = [e for e in lib.roster(scope) if same_place(_entry_home(e), region)]
    roster_used = bool(entries)
    rows = _year_rows(lib, year)
    current = [r for r in rows if r.superseded_by is None]
    _, links = lib.report_links(year) if roster_used else (None, {})
    entry_ids = {e.id for e in entries}
    gov_ids = {e.id for e in entries if _is_government_entry(e)}

    def linked(r: _Row) -> int | None:
        link = links.get(r.report_id)
        return link.entry_id if link is not None and link.entry_id in entry_ids else None

    in_region = [r for r in current if same_place(r.region, region) or linked(r) is not None]
    superseded = [r for r in rows if r.superseded_by is not None and same_place(r.region, region)]
    excluded = [
        ExcludedReport(
            r.agency or "（单位不详）",
            r.report_id,
            EXCLUDE_SUPERSEDED,
            f"{EXCLUDE_REASONS[EXCLUDE_SUPERSEDED]}（新版本编号 {r.superseded_by}）",
        )
        for r in superseded
    ]
    government: list[_Row] = []
    candidates: dict[int | str | None, list[_Row]] = {}  # roster entry id (or agency name) → its reports
    for r in in_region:
        entry_id = linked(r)
        if entry_id in gov_ids or (entry_id is None and is_government_name(r.agency, r.region or region)):
            government.append(r)
        elif roster_used and entry_id is None:
            excluded.append(
                ExcludedReport(
                    r.agency or "（单位不详）",
                    r.report_id,
                    EXCLUDE_NOT_IN_ROSTER,
                    EXCLUDE_REASONS[EXCLUDE_NOT_IN_ROSTER],
                )
            )
        else:
            # Without a roster an agency is its name within the region (区教育局 = 洪泽区教育局).
            key: int | str | None = entry_id if roster_used else placed_name(r.agency, r.region or region)[1]
            candidates.setdefault(key, []).append(r)
    sources = _sources(lib, [r for rs in candidates.values() for r in rs] + government)
    included: list[IncludedReport] = []
    summed: list[_Source] = []
    names = {e.id: e.name for e in entries}
    usable: set[int | str | None] = set()
    for owner, reports in candidates.items():
        ordered_reports = sorted(reports, key=lambda r: -r.report_id)  # the newest upload first
        chosen = None
        for r in ordered_reports:
            src = sources[r.report_id]
            code = None
            if not _has_tables(src):
                code = EXCLUDE_NO_TABLES
            elif not _mappable(src, target):
                code = EXCLUDE_UNMAPPABLE
            elif chosen is not None:
                code = EXCLUDE_DUPLICATE
            if code is not None:
                reason = EXCLUDE_REASONS[code]
                if code == EXCLUDE_DUPLICATE and chosen is not None:
                    reason += f"（计入编号 {chosen.report_id}）"
                excluded.append(ExcludedReport(src.agency, r.report_id, code, reason))
                continue
            chosen = r
            summed.append(src)
            notes = _format_notes(src, target)
            included.append(
                IncludedReport(
                    src.agency, r.report_id, src.template, names.get(owner) if roster_used else None, notes
                )
            )
        if chosen is not None:
            usable.add(owner)
    for r in government:
        excluded.append(
            ExcludedReport(
                r.agency or "（单位不详）",
                r.report_id,
                EXCLUDE_GOVERNMENT,
                EXCLUDE_REASONS[EXCLUDE_GOVERNMENT],
            )
        )
    missing = []
    for e in entries:
        if e.id in gov_ids or e.id in usable:
            continue
        had = candidates.get(e.id)
        reason = "报告库中没有该机关本年度的报告" if not had else "本年度报告不能使用（见“未计入的报告”）"
        missing.append(MissingAgency(e.name, e.agency_type, e.level, reason))
    cells = _sum_cells(summed, target)
    out = RollUp(region, year, target, cells, included, missing, excluded, [], roster_used)
    out.checks = _checks(cells, summed, target)
    if not roster_used:
        out.notes.append("名录中没有该地区的机关：按报告库中该地区的全部报告汇总，无法判断哪些机关未报送。")
    if missing:
        out.notes.append(f"名录中有 {len(missing)} 个机关没有可用的本年度报告，汇总数不含这些机关。")
    if any(i.template != target for i in included):
        out.notes.append(
            f"部分报告不是 {target} 年格式：只汇总有准确对应关系的单元格，其余单元格标为不完整。"
        )
    if compare:
        gov = max(government, key=lambda r: r.report_id) if government else None
        if gov is not None:
            out.government = _government(sources[gov.report_id], cells, target)
        if year - 1 >= FIRST_YEAR:
            previous = rollup(lib, region, year - 1, scope=scope, compare=False)
            out.previous_available = bool(previous.included)
            out.previous_year = _compare(cells, previous.cells) if previous.included else ()
    return out


def _format_notes(src: _Source, target: str) -> tuple[str, ...]:
    own = {s: src.section_version(s) for s in ("s2", "s3")}
    notes = []
    if own["s2"] and own["s2"] != target:
        notes.append(f"第二部分为 {own['s2']} 年格式：只计入行政许可、行政处罚、行政强制的处理决定数量")
    if own["s3"] and own["s3"] != target:
        if target == V2021:
            notes.append("第三部分为 2019 年格式：（六）其他处理无法拆分到 2021 年格式的三个分项")
        else:
            notes.append("第三部分为 2021 年格式：（六）其他处理按三个分项之和计入")
    return tuple(notes)


def _sum_cells(sources: list[_Source], target: str) -> dict[str, RollCell]:
    cells = {}
    for key in layout_keys(target):
        contributions = [contribution(s, key, target) for s in sources]
        known = [c.value for c in contributions if c.kind == OK and c.value is not None]
        cells[key] = RollCell(key, _clean_sum(known) if known else 0, contributions, target)
    return cells


def _as_cells(cells: dict[str, RollCell]) -> dict[str, Cell]:
    """The roll-up as the checks read a report: an incomplete cell is unreadable (the check is skipped)."""
    return {
        k: Cell(k, c.value if c.complete else None, c.text(), flag="ok" if c.complete else "unparsed")
        for k, c in cells.items()
    }


def _checks(cells: dict[str, RollCell], sources: list[_Source], target: str) -> list[RollCheck]:
    versions = dict.fromkeys(SECTIONS, target)
    own: dict[int, dict[tuple[str, str], Check]] = {}
    for s in sources:
        checks = run_checks(s.cells, s.table_versions or dict.fromkeys(SECTIONS, s.template))
        own[s.report_id] = {(c.rule, c.where): c for c in checks}
    out = []
    for check in run_checks(_as_cells(cells), versions):
        if check.rule not in ROLLUP_RULES:
            continue
        if check.status == SKIPPED and check.detail.startswith("unreadable: "):
            detail = (
                f"{check_place(check.rule, check.where)}：所涉汇总数不完整（有单位空白或无法对应），未校验"
            )
        else:
            detail = explain(check.rule, check.where, check.status, check.detail)
        traced: tuple[TracedAgency, ...] = ()
        if check.status == FAIL:
            traced = tuple(
                TracedAgency(s.agency, s.report_id, explain(c.rule, c.where, c.status, c.detail))
                for s in sources
                if (c := own[s.report_id].get((check.rule, check.where))) is not None and c.status == FAIL
            )
        out.append(RollCheck(check.rule, check.where, check.status, detail, traced))
    return out


def _compare(cells: dict[str, RollCell], other: dict[str, RollCell]) -> tuple[CellComparison, ...]:
    out = []
    for key, cell in cells.items():
        prev = other.get(key)
        if prev is None:
            continue
        diff = _clean_sum([cell.value, -prev.value]) if cell.complete and prev.complete else None
        out.append(
            CellComparison(key, cell.label, cell.value, prev.value, diff, cell.complete, prev.complete)
        )
    return tuple(out)


def _government(src: _Source, cells: dict[str, RollCell], target: str) -> GovernmentReport:
    comparison = []
    for key, cell in cells.items():
        c = contribution(src, key, target)
        stated: int | float | None = c.value if c.kind == OK else (0 if c.kind == ZERO else None)
        diff = _clean_sum([cell.value, -stated]) if cell.complete and stated is not None else None
        comparison.append(
            CellComparison(key, cell.label, cell.value, stated, diff, cell.complete, c.kind != INCOMPLETE)
        )
    return GovernmentReport(src.agency, src.report_id, src.template, tuple(comparison))


__all__ = [
    "PASS",
    "FAIL",
    "SKIPPED",
    "S4_GROUPS",
    "RollUp",
    "RollCell",
    "rollup",
    "layout_version",
    "known_regions",
    "known_years",
]

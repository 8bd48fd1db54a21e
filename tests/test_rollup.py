"""县级汇总表 (library.rollup): a county's roll-up computed by hand from the parsed reports, cell by cell.

The county is 洪泽区: its real government reports of 2023 and 2024 (the figures the roll-up is compared
with, never a summand), two real seed reports filed as two of its departments (one in the 2019 format,
one in the 2021 format), synthetic department reports with deliberate blanks, a report of an agency the
roster does not list, a duplicate, a superseded version and a roster agency with no report at all.
The expected sums are added up in the test directly from the ParsedReport objects that were stored.
"""

from __future__ import annotations

import copy
import io
import subprocess
import sys
from pathlib import Path

import pytest
from paths import HONGZE_2023, HONGZE_2024, SAMPLES

from library.access import Scope
from library.errors import LibraryError
from library.rollup import (
    EXCLUDE_DUPLICATE,
    EXCLUDE_GOVERNMENT,
    EXCLUDE_NOT_IN_ROSTER,
    EXCLUDE_SUPERSEDED,
    OutsideScope,
    known_regions,
    known_years,
    rollup,
)
from library.roster_io import RosterRow
from library.store import Library
from library.synthetic import SyntheticSpec, synthetic_bytes, synthetic_parsed
from parsing.api import parse_bytes
from parsing.checks import run_checks
from parsing.report import ParsedReport
from parsing.schema import S3_APPLICANT_COLS, STOCK_KEYS, cell_keys

REGION = "洪泽区"
SEED_V2019 = SAMPLES / "000_bd3a826d0705f6e5.txt"  # 施秉县教育和科技局 2020, 2019 format
SEED_V2021 = SAMPLES / "004_e3c733e02cbb2cbf.txt"  # 县教育局 2023, 2021 format
ROSTER = [
    RosterRow("洪泽区人民政府", "政府办", REGION, "人民政府"),
    RosterRow("区教育局", "教育", REGION),
    RosterRow("区财政局", "财政", REGION),
    RosterRow("区民政局", "民政", REGION),
    RosterRow("区司法局", "司法", REGION),
    RosterRow("高良涧街道办事处", "街道", REGION, "乡镇街道"),
    RosterRow("区卫生健康委员会", "卫健", REGION),  # never reports: missing
    RosterRow("淮安市教育局", "教育", "淮安市"),  # another region: never in 洪泽区's roll-up
]
BLANK_APPLICANT = "s3.r3_1_granted.research_institution"  # a blank summand: 0 by rule
BLANK_TOTAL = "s3.r3_2_partial.total"  # a blank total with non-zero parts: incomplete
ZERO_ROW = "r3_3_1_state_secret"  # the whole row 0, its total blank: 0 by D1


def _synthetic(agency: str, year: int, seed: int = 0) -> ParsedReport:
    return synthetic_parsed(SyntheticSpec(REGION, agency, "其他", year), seed)


def _blank(parsed: ParsedReport, key: str) -> None:
    cell = parsed.cells[key]
    cell.value, cell.raw, cell.flag = None, "", "blank"


def _finance(year: int) -> ParsedReport:
    """区财政局's report with three kinds of blanks (see the constants above)."""
    parsed = copy.deepcopy(_synthetic("洪泽区财政局", year))
    _blank(parsed, BLANK_APPLICANT)
    parsed.cells["s3.r3_2_partial.natural_person"].value = 3  # the blank total hides at least 3
    _blank(parsed, BLANK_TOTAL)
    for col in S3_APPLICANT_COLS:
        parsed.cells[f"s3.{ZERO_ROW}.{col}"].value = 0
    _blank(parsed, f"s3.{ZERO_ROW}.total")
    parsed.checks = run_checks(parsed.cells, parsed.table_versions)
    return parsed


def _seed(path: Path) -> tuple[ParsedReport, bytes]:
    data = path.read_bytes()
    return parse_bytes(data, path.name), data


class County:
    """The test library and what was stored, by report id."""

    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self.parsed: dict[int, ParsedReport] = {}
        self.ids: dict[str, int] = {}

    def add(self, name: str, parsed: ParsedReport, data: bytes | None = None, **meta) -> int:
        rid, created = self.lib.add(parsed, data if data is not None else synthetic_bytes(parsed), **meta)
        assert created, name
        self.parsed[rid] = parsed
        self.ids[name] = rid
        return rid


@pytest.fixture
def county(tmp_path: Path) -> County:
    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    c = County(lib)
    for path, name in ((HONGZE_2023, "gov2023"), (HONGZE_2024, "gov2024")):
        data = path.read_bytes()
        c.add(name, parse_bytes(data, path.name), data)
    # A 2024 report linked to 区财政局 under another name, uploaded before the one with the blanks: a
    # duplicate, left out (the newest upload counts).
    c.add("fin2024dup", _synthetic("区财政局", 2024, seed=3))
    for year in (2022, 2023, 2024):
        c.add(f"edu{year}", _synthetic("洪泽区教育局", year))
        c.add(f"fin{year}", _finance(year))
    # 区教育局 2024 corrected: the first upload becomes a superseded version.
    corrected = _synthetic("洪泽区教育局", 2024, seed=7)
    c.add("edu2024v2", corrected)
    c.add("street2024", _synthetic("高良涧街道办事处", 2024))
    c.add("assoc2024", _synthetic("洪泽区个体劳动者协会", 2024))  # not in the roster
    # Real seed reports filed as two departments of 洪泽区 in 2024 (metadata as a reviewer confirms it).
    parsed, data = _seed(SEED_V2019)
    c.add("civil2024", parsed, data, agency="洪泽区民政局", region=REGION, year=2024)
    parsed, data = _seed(SEED_V2021)
    c.add("justice2024", parsed, data, agency="洪泽区司法局", region=REGION, year=2024)
    lib.save_roster(ROSTER)
    yield c
    lib.close()


INCLUDED_2024 = ("edu2024v2", "fin2024", "street2024", "civil2024", "justice2024")


def _expected(county: County, names: tuple[str, ...], version: str) -> tuple[dict, set]:
    """Σ of the stored parses' cells by hand: blanks add nothing; a cell is incomplete where a report
    does not have it or left a total blank whose parts are not all zero (constructed above)."""
    sums: dict[str, float] = {}
    incomplete: set[str] = set()
    for name in names:
        cells = county.parsed[county.ids[name]].cells
        for key in cell_keys(version):
            cell = cells.get(key)
            if cell is None:
                incomplete.add(key)
                continue
            sums[key] = sums.get(key, 0) + (cell.value or 0)
            if name.startswith("fin") and key == BLANK_TOTAL:
                incomplete.add(key)
    return {k: sums.get(k, 0) for k in cell_keys(version)}, incomplete


def test_every_cell_of_a_2024_rollup_equals_the_hand_sum(county: County) -> None:
    result = rollup(county.lib, REGION, 2024)
    assert result.version == "2021"
    assert {i.report_id for i in result.included} == {county.ids[n] for n in INCLUDED_2024}
    # The real seeds carry no blank (the only blanks are the constructed ones).
    for name in ("civil2024", "justice2024"):
        assert all(c.value is not None for c in county.parsed[county.ids[name]].cells.values())
    sums, incomplete = _expected(county, INCLUDED_2024, "2021")
    assert set(result.cells) == set(sums)
    for key, want in sums.items():
        cell = result.cells[key]
        assert cell.value == pytest.approx(want, abs=1e-9), key
        assert cell.complete == (key not in incomplete), key
    # The 2019-format seed leaves out exactly the cells the formats do not share.
    assert {k for k in incomplete if k.startswith("s2.")} == {
        k for k in cell_keys("2021") if k.startswith(("s2.art20_1.", "s2.art20_8."))
    }
    assert {k for k in incomplete if k.startswith("s3.")} == {BLANK_TOTAL} | {
        f"s3.r3_6_{i}.{c}"
        for i in ("1_no_correction", "2_fee_unpaid", "3_other")
        for c in (*S3_APPLICANT_COLS, "total")
    }
    civil = next(i for i in result.included if i.report_id == county.ids["civil2024"])
    assert civil.template == "2019" and civil.notes


def test_three_cells_checked_by_hand(county: County) -> None:
    """Three cells summed over the five included reports, read one by one."""
    result = rollup(county.lib, REGION, 2024)
    for key in (
        "s2.art20_5.administrative_licensing.decisions",
        "s3.r1_new_received.total",
        "s4.review_total",
    ):
        parts = [county.parsed[county.ids[n]].cells[key].value for n in INCLUDED_2024]
        assert result.value(key) == sum(parts)
    # The 2019-format seed's 行政许可 decisions (本年处理决定数量) are part of the first one.
    assert (
        county.parsed[county.ids["civil2024"]].cells["s2.art20_5.administrative_licensing.decisions"].value
        == 79
    )


def test_blanks_are_listed_and_treated_by_rule(county: County) -> None:
    result = rollup(county.lib, REGION, 2024)
    blanks = {(b.key, b.agency): b for b in result.blanks}
    fin = "洪泽区财政局"  # the report's own name (its roster entry is 区财政局)
    assert blanks[(BLANK_APPLICANT, fin)].summed_as_zero
    assert not blanks[(BLANK_TOTAL, fin)].summed_as_zero
    assert blanks[(f"s3.{ZERO_ROW}.total", fin)].summed_as_zero
    assert not result.cells[BLANK_TOTAL].complete
    assert [c.agency for c in result.cells[BLANK_TOTAL].incomplete] == [fin]
    assert result.cells[BLANK_TOTAL].text().startswith("≥")
    assert result.cells[f"s3.{ZERO_ROW}.total"].complete
    # Only blanks are listed (the 2019 seed's unmappable cells are incomplete, not blank).
    assert {b.agency for b in result.blanks} == {fin}


def test_included_missing_excluded(county: County) -> None:
    result = rollup(county.lib, REGION, 2024)
    assert [m.name for m in result.missing] == ["区卫生健康委员会"]
    excluded = {e.report_id: e.code for e in result.excluded}
    assert excluded == {
        county.ids["edu2024"]: EXCLUDE_SUPERSEDED,
        county.ids["fin2024dup"]: EXCLUDE_DUPLICATE,
        county.ids["assoc2024"]: EXCLUDE_NOT_IN_ROSTER,
        county.ids["gov2024"]: EXCLUDE_GOVERNMENT,
    }
    assert not result.complete
    assert any("1 个机关" in n for n in result.notes)


def test_stocks_sum_within_the_year_never_over_years(county: County) -> None:
    """区教育局 reports in 2022, 2023 and 2024: the 2023 roll-up's 现行有效件数 holds its 2023 figure only."""
    result = rollup(county.lib, REGION, 2023)
    assert {i.report_id for i in result.included} == {county.ids["edu2023"], county.ids["fin2023"]}
    stocks = [k for k in cell_keys("2021") if k in STOCK_KEYS]
    assert stocks == ["s2.art20_1.regulations.in_force", "s2.art20_1.normative_documents.in_force"]
    for key in stocks:
        this_year = sum(county.parsed[county.ids[n]].cells[key].value for n in ("edu2023", "fin2023"))
        over_years = this_year + county.parsed[county.ids["edu2022"]].cells[key].value
        assert result.value(key) == this_year != over_years
        assert result.cells[key].stock


def test_last_year_comparison(county: County) -> None:
    this, last = rollup(county.lib, REGION, 2024), rollup(county.lib, REGION, 2023, compare=False)
    assert this.previous_available
    by_key = {c.key: c for c in this.previous_year}
    for key in (
        "s2.art20_5.administrative_licensing.decisions",
        "s3.r1_new_received.total",
        "s4.lit_direct_total",
    ):
        c = by_key[key]
        assert (c.rollup, c.other) == (this.value(key), last.value(key))
        assert c.difference == this.value(key) - last.value(key)
    # A lower bound (this year: the 2019-format seed has no 现行有效件数) has no change.
    assert by_key["s2.art20_1.regulations.in_force"].difference is None
    assert by_key[BLANK_TOTAL].difference is None


def test_government_report_comparison(county: County) -> None:
    result = rollup(county.lib, REGION, 2024)
    gov = county.parsed[county.ids["gov2024"]]
    assert result.government is not None and result.government.report_id == county.ids["gov2024"]
    by_key = {c.key: c for c in result.government.comparison}
    compared = 0
    for key, cell in gov.cells.items():
        if key in by_key and cell.value is not None and result.cells[key].complete:
            assert by_key[key].other == cell.value
            assert by_key[key].difference == result.value(key) - cell.value
            compared += 1
    assert compared > 100


def test_checks_traced_to_the_failing_agency(county: County) -> None:
    """Break D1 in 高良涧街道办事处's own table: the roll-up's D1 fails there and names that agency."""
    rid = county.ids["street2024"]
    county.lib.add_correction(
        rid, "s3.r3_1_granted.total", county.parsed[rid].cells["s3.r3_1_granted.total"].value + 5
    )
    result = rollup(county.lib, REGION, 2024)
    failed = [(c.rule, c.where) for c in result.failed_checks]
    assert ("D1_row_total", "r3_1_granted") in failed
    d1 = next(c for c in result.checks if (c.rule, c.where) == ("D1_row_total", "r3_1_granted"))
    assert [t.agency for t in d1.traced] == ["高良涧街道办事处"]
    # D3 of the 总计 column involves the incomplete （二）部分公开 total: skipped, neither passed nor failed.
    d3 = next(c for c in result.checks if (c.rule, c.where) == ("D3_outcome_sum", "total"))
    assert d3.status == "skipped" and "不完整" in d3.detail_zh
    assert (
        next(c for c in result.checks if (c.rule, c.where) == ("D1_row_total", "r3_2_partial")).status
        == "skipped"
    )
    assert {c.rule for c in result.checks} == {
        "O1_balance",
        "D1_row_total",
        "D3_outcome_sum",
        "D5_review",
        "D5_lit_direct",
        "D5_lit_after",
    }


def test_scope_and_bad_requests(county: County) -> None:
    with pytest.raises(OutsideScope) as refused:
        rollup(county.lib, REGION, 2024, scope=Scope(("淮安市",)))
    assert "无权查看" in refused.value.zh
    assert rollup(county.lib, REGION, 2024, scope=Scope((REGION,))).included
    with pytest.raises(OutsideScope):
        rollup(county.lib, REGION, 2024, scope=Scope((REGION,), agency="区教育局"))
    with pytest.raises(LibraryError) as unknown:
        rollup(county.lib, "火星区", 2024)
    assert "火星区" in unknown.value.zh
    with pytest.raises(LibraryError):
        rollup(county.lib, REGION, 1999)


def test_region_without_roster_sums_its_reports(tmp_path: Path) -> None:
    """No roster: every report of the region is summed (synthetic, 2019 layout for 2020), and the
    government's own report still is not."""
    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    try:
        reports = [_synthetic(f"洪泽区{d}", 2020) for d in ("教育局", "财政局", "人民政府")]
        ids = [lib.add(p, synthetic_bytes(p))[0] for p in reports]
        short = _synthetic("区教育局", 2020, seed=5)  # the same agency under its short name: a duplicate
        ids.append(lib.add(short, synthetic_bytes(short))[0])
        result = rollup(lib, REGION, 2020)
        assert result.version == "2019" and not result.roster_used
        assert {e.report_id: e.code for e in result.excluded} == {
            ids[2]: EXCLUDE_GOVERNMENT,
            ids[0]: EXCLUDE_DUPLICATE,
        }
        reports[0] = short  # the newest upload of 区教育局 counts
        for key in cell_keys("2019"):
            assert result.value(key) == pytest.approx(sum(p.cells[key].value for p in reports[:2])), key
            assert result.cells[key].complete
        assert result.government is not None
        other = _synthetic("淮安市教育局", 2021)
        other.region = "淮安市"
        lib.add(other, synthetic_bytes(other))
        assert known_years(lib) == [2021, 2020]
        assert known_years(lib, REGION) == [2020]  # no roster: the years of its own reports
        assert known_regions(lib) == sorted(["洪泽区", "淮安市"]) and known_regions(
            lib, Scope(("淮安市",))
        ) == ["淮安市"]
    finally:
        lib.close()


def test_2021_report_in_a_2019_layout_adds_its_three_other_rows(tmp_path: Path) -> None:
    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    try:
        old = _synthetic("洪泽区教育局", 2020)
        new = synthetic_parsed(SyntheticSpec(REGION, "洪泽区财政局", "财政", 2021))
        lib.add(old, synthetic_bytes(old))
        lib.add(new, synthetic_bytes(new), year=2020)
        result = rollup(lib, REGION, 2020)
        for col in (*S3_APPLICANT_COLS, "total"):
            three = sum(
                new.cells[f"s3.r3_6_{s}.{col}"].value for s in ("1_no_correction", "2_fee_unpaid", "3_other")
            )
            assert result.value(f"s3.r3_6_other.{col}") == old.cells[f"s3.r3_6_other.{col}"].value + three
            assert result.cells[f"s3.r3_6_other.{col}"].complete
        assert not result.cells["s2.art20_1.regulations.new_made"].complete
    finally:
        lib.close()


# --------------------------------------------------------------------------- downloads and CLI


def test_excel_workbook(county: County) -> None:
    from openpyxl import load_workbook

    from library.rollup_export import workbook

    result = rollup(county.lib, REGION, 2024)
    wb = load_workbook(io.BytesIO(workbook(result)))
    assert wb.sheetnames == ["二、主动公开", "三、依申请公开", "四、复议诉讼", "说明"]
    s2, s3, s4 = wb["二、主动公开"], wb["三、依申请公开"], wb["四、复议诉讼"]
    assert s2["A3"].value == "第二十条第（一）项" and "A3:D3" in {str(m) for m in s2.merged_cells.ranges}
    assert [s2.cell(4, c).value for c in range(1, 5)] == [
        "信息内容",
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
    ]
    assert s2["B5"].value == result.value("s2.art20_1.regulations.issued")
    assert isinstance(s2["B5"].value, int)
    merged3 = {str(m) for m in s3.merged_cells.ranges}
    assert {"A3:C5", "D3:J3", "E4:I4", "D4:D5", "J4:J5"} <= merged3
    assert s3["A3"].value.startswith("（本列数据的勾稽关系为")
    assert s3["A6"].value == "一、本年新收政府信息公开申请数量"
    assert s3["J6"].value == result.value("s3.r1_new_received.total")
    labels = [s3.cell(r, 3).value for r in range(8, 31)]
    assert "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请" in labels
    partial_row = next(r for r in range(6, 31) if s3.cell(r, 2).value and "部分公开" in s3.cell(r, 2).value)
    incomplete = s3.cell(partial_row, 10)
    assert incomplete.value == result.value(BLANK_TOTAL) and incomplete.comment is not None
    assert {"A3:E3", "F3:O3", "F4:J4", "K4:O4", "A4:A5"} <= {str(m) for m in s4.merged_cells.ranges}
    assert [s4.cell(6, c).value for c in range(1, 16)] == [
        result.value(f"s4.{k}")
        for k in (
            "review_upheld",
            "review_corrected",
            "review_other",
            "review_pending",
            "review_total",
            "lit_direct_upheld",
            "lit_direct_corrected",
            "lit_direct_other",
            "lit_direct_pending",
            "lit_direct_total",
            "lit_after_review_upheld",
            "lit_after_review_corrected",
            "lit_after_review_other",
            "lit_after_review_pending",
            "lit_after_review_total",
        )
    ]
    notes = [c.value for c in wb["说明"]["A"] if c.value]
    assert "区卫生健康委员会" in notes and "缺报的名录机关" in notes


def test_word_document(county: County) -> None:
    from docx import Document

    from library.documents.rollup_doc import rollup_docx

    result = rollup(county.lib, REGION, 2024)
    doc = Document(io.BytesIO(rollup_docx(result)))
    assert len(doc.tables) == 3
    t2, t3, t4 = doc.tables
    assert [c.text for c in t2.rows[1].cells] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert t2.rows[4].cells[1].text == t2.rows[4].cells[3].text == "第二十条第（五）项"  # merged caption
    assert len(t3.rows) == 28 and len(t3.columns) == 10
    assert t3.cell(3, 0).text == "一、本年新收政府信息公开申请数量"
    assert t3.cell(3, 9).text == str(result.value("s3.r1_new_received.total"))
    assert t3.cell(5, 0).text == t3.cell(26, 0).text == "三、本年度办理结果"  # one merged cell
    assert t3.cell(1, 4).text == t3.cell(1, 8).text == "法人或其他组织"
    # （二）部分公开 (row 7 of the table): its 总计 is a lower bound, printed as such.
    assert t3.cell(6, 1).text.startswith("（二）部分公开")
    assert t3.cell(6, 9).text == f"≥{result.value(BLANK_TOTAL)}"
    assert t3.cell(6, 3).text == str(result.value("s3.r3_2_partial.natural_person"))
    assert [c.text for c in t4.rows[0].cells][:6] == ["行政复议"] * 5 + ["行政诉讼"]
    assert t4.cell(3, 4).text == str(result.value("s4.review_total"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "二、主动公开政府信息情况" in text and "说明" in text
    run = t3.cell(3, 0).paragraphs[0].runs[0]
    assert run.font.name == "Times New Roman"
    assert (
        run._r.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "宋体"
    )


def test_cli_writes_both_files_and_refuses_bad_requests(county: County, tmp_path: Path) -> None:
    url = county.lib.engine.url.render_as_string(hide_password=False)
    env = {"NIANBAO_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    root = Path(__file__).resolve().parents[1]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "library", "rollup", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    for ext in ("xlsx", "docx"):
        out = tmp_path / f"汇总.{ext}"
        done = run("--region", REGION, "--year", "2024", "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 1000 and "计入 5 份报告" in done.stdout
    bad = run("--region", REGION, "--year", "2024", "-o", str(tmp_path / "x.pdf"))
    assert bad.returncode == 2 and ".xlsx" in bad.stderr and "Traceback" not in bad.stderr
    bad = run("--region", "火星区", "--year", "2024", "-o", str(tmp_path / "x.xlsx"))
    assert bad.returncode == 2 and "火星区" in bad.stderr
    bad = run("--region", REGION, "--year", "1999", "-o", str(tmp_path / "x.xlsx"))
    assert bad.returncode == 2 and "年度" in bad.stderr
    bad = run("--region", REGION, "--year", "2024", "-o", str(tmp_path / "x.xlsx"), "--regions", "淮安市")
    assert bad.returncode == 3 and "无权查看" in bad.stderr
    # A year with no report to sum writes no file (a table of zeros would be a wrong figure).
    empty = tmp_path / "空.xlsx"
    done = run("--region", REGION, "--year", "2021", "-o", str(empty))
    assert done.returncode == 1 and "没有可计入汇总的报告" in done.stderr and not empty.exists()


def test_the_page_opens_on_the_region_with_most_reports_to_sum(tmp_path: Path) -> None:
    from library.rollup import busiest_region, known_regions

    lib = Library(f"sqlite:///{tmp_path / 'busiest.sqlite'}")

    def add(region: str, agency: str, year: int) -> None:
        p = synthetic_parsed(SyntheticSpec(region, agency, "其他", year))
        lib.add(p, synthetic_bytes(p))

    add("安县", "安县教育局", 2024)  # alphabetically first, one report of the latest year
    add("洪泽区", "洪泽区教育局", 2024)
    add("洪泽区", "洪泽区财政局", 2024)
    for n in range(3):  # more reports, but of an older year
        add("白县", f"白县第{n}局", 2023)
    for n in range(3):  # the governments' own reports are compared with, never summed
        add("安县", "安县人民政府", 2024 - n)
    regions = known_regions(lib)
    assert regions[0] == "安县"
    assert busiest_region(lib, regions) == "洪泽区"
    assert busiest_region(lib, []) is None
    lib.close()

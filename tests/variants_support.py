"""Helpers and snippets shared by the test_variants_*.py modules (one per topic of the domain reference §7).

Each test parses a small, realistic report snippet (written in the layout such reports come in) and
checks what the parser must get from it. Expected values are read off the snippet text.
"""

from __future__ import annotations

from parsing import schema
from parsing.api import parse_bytes
from parsing.report import ParsedReport

TITLE_2020 = "某市生态环境局2020年政府信息公开工作年度报告\n"
TITLE_2021 = "某县人力资源和社会保障局2021年政府信息公开工作年度报告\n"
S2 = "二、主动公开政府信息情况\n"
S3 = "三、收到和处理政府信息公开申请情况\n"
S4 = "四、政府信息公开行政复议、行政诉讼情况\n"
S5 = "五、存在的主要问题及改进情况\n本年度工作仍有不足。\n"
COLS7 = schema.S3_COL_KEYS


def parse(text: str, name: str = "report.txt") -> ParsedReport:
    """Parse a text snippet as a .txt upload."""
    return parse_bytes(text.encode("utf-8"), name)


def values(report: ParsedReport, prefix: str) -> dict[str, int | float | None]:
    """Cell values under a key prefix, keyed by the rest of the key."""
    return {k[len(prefix) :]: c.value for k, c in report.cells.items() if k.startswith(prefix)}


def s3_row(report: ParsedReport, row: str) -> tuple:
    """The 7 values of one table-三 row (None for a cell that is absent)."""
    return tuple(
        report.cells[f"s3.{row}.{c}"].value if f"s3.{row}.{c}" in report.cells else "absent" for c in COLS7
    )


def clean(report: ParsedReport) -> None:
    """The report parsed with nothing to warn about and no label left over."""
    assert report.error is None
    assert report.warnings == []
    assert report.unmatched_labels == []


# Table 三 header as tab dumps show it (seed 002): the corner note is the first cell of a header row.
S3_HEAD_TABS = (
    S3 + "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况\n"
    "\t自然人\t法人或其他组织\t\t\t\t\t总计\n"
    "\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\n"
)

# Table 二 of a Hubei v2019 report: long parenthetical notes in labels, a row that is not a standard one.
HUBEI = (
    TITLE_2020 + S2 + "第二十条第（一）项\t\t\t\n"
    "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n"
    "规章（设区的市、自治州人民政府应提供相关数据）\t1\t1\t9\n"
    "规范性文件\t2\t2\t15\n"
    "其他主动公开文件\t310\t305\t2716\n"
    "第二十条第（五）项\t\t\t\n"
    "信息内容\t上一年项目数量（指2019年事项数）\t本年增/减（指2020年增加或减少的事项数，减用负值表示，如-8）\t处理决定数量（指2020年办件量）\n"
    "行政许可\t12\t-8\t356\n"
    "其他对外管理服务事项\t5\t0\t40\n" + S5
)

"""When an agency's annual report is due, and whether it was published on time (条例 第四十九条).

The dates are data (``deadlines.toml`` beside this module), by agency level: a department by 31 January,
a government's own report by 31 March, townships and streets as the province says; reports on 2018 and
earlier followed the 2008 条例 (31 March for everyone).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from parsing.vocabulary import PUBLICATION_STATUS_NAMES

DATA_FILE = Path(__file__).with_name("deadlines.toml")
LEVELS = ("部门", "人民政府", "乡镇街道")
ON_TIME, LATE, MISSING, UNKNOWN = "on_time", "late", "missing", "unknown"
# Chinese names from the one vocabulary (the same words as 发布情况).
TIMELINESS_NAMES = {k: PUBLICATION_STATUS_NAMES[k] for k in (ON_TIME, LATE, MISSING, UNKNOWN)}


@dataclass(frozen=True)
class Deadlines:
    """Month and day of the deadline per level, and the rule for old reports."""

    by_level: dict[str, tuple[int, int]]
    old_up_to: int
    old_date: tuple[int, int]


def load_deadlines(path: Path = DATA_FILE) -> Deadlines:
    """Read a deadlines data file (format described in ``deadlines.toml``)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    by_level = {d["level"]: (int(d["month"]), int(d["day"])) for d in data["deadline"]}
    old = data["old_rule"]
    return Deadlines(by_level, int(old["up_to_year"]), (int(old["month"]), int(old["day"])))


@cache
def _default() -> Deadlines:
    return load_deadlines()


def level_of(agency: str | None) -> str:
    """The level an agency name suggests when the roster does not say: 人民政府 for a government's own
    report, 乡镇街道 for a 镇/乡/街道 office, 部门 otherwise.

    A government's 办公室/办公厅 publishes its own report as one of the government's departments
    (due with the departments), so "…人民政府办公室" is 部门, not 人民政府.
    """
    name = agency.strip() if isinstance(agency, str) else ""  # None, or NaN from a DataFrame column
    if name.endswith(("镇人民政府", "乡人民政府", "街道办事处")) or name.endswith(("镇", "乡", "街道")):
        return "乡镇街道"
    if name.endswith(("人民政府", "政府")):
        return "人民政府"
    return "部门"


def deadline(level: str, year: int, table: Deadlines | None = None) -> date:
    """The publication deadline of the report on ``year`` for an agency of ``level``."""
    table = table or _default()
    month, day = (
        table.old_date if year <= table.old_up_to else table.by_level.get(level, table.by_level["部门"])
    )
    return date(year + 1, month, day)


def timeliness(published: date | None, level: str, year: int, table: Deadlines | None = None) -> str:
    """on_time | late | unknown (no date known); ``missing`` is decided by the caller (no report)."""
    if published is None:
        return UNKNOWN
    return ON_TIME if published <= deadline(level, year, table) else LATE

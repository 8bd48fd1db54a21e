"""Publication deadlines (library/deadlines.py, data in deadlines.toml): both levels and the old rule."""

from __future__ import annotations

from datetime import date

import pytest

from library.deadlines import (
    LATE,
    LEVELS,
    ON_TIME,
    TIMELINESS_NAMES,
    UNKNOWN,
    deadline,
    level_of,
    load_deadlines,
    timeliness,
)


def test_department_by_31_january_government_by_31_march():
    assert deadline("部门", 2023) == date(2024, 1, 31)
    assert deadline("人民政府", 2023) == date(2024, 3, 31)
    assert deadline("乡镇街道", 2023) == date(2024, 1, 31)


def test_reports_up_to_2018_followed_the_2008_rule():
    # The 2008 条例: 31 March for everyone; the 2019 条例 (reports on 2019 onward) moved departments.
    assert deadline("部门", 2018) == date(2019, 3, 31)
    assert deadline("人民政府", 2018) == date(2019, 3, 31)
    assert deadline("部门", 2019) == date(2020, 1, 31)


def test_timeliness_at_the_boundary():
    assert timeliness(date(2024, 1, 31), "部门", 2023) == ON_TIME
    assert timeliness(date(2024, 2, 1), "部门", 2023) == LATE
    assert timeliness(date(2024, 3, 31), "人民政府", 2023) == ON_TIME
    assert timeliness(date(2024, 4, 1), "人民政府", 2023) == LATE
    assert timeliness(None, "部门", 2023) == UNKNOWN
    assert set(TIMELINESS_NAMES) >= {ON_TIME, LATE, UNKNOWN}


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("淮安市洪泽区人民政府", "人民政府"),
        ("洪泽区人民政府办公室", "部门"),  # the government's office reports as a department
        ("北京市人民政府办公厅", "部门"),
        ("某县政府", "人民政府"),
        ("高良涧街道办事处", "乡镇街道"),
        ("临江县河口镇人民政府", "乡镇街道"),
        ("洪泽区财政局", "部门"),
        (None, "部门"),
    ],
)
def test_level_of_a_name(name, level):
    assert level_of(name) == level
    assert level in LEVELS


def test_an_office_may_edit_the_dates(tmp_path):
    # A province that gives townships until 28 February: one edit of the data file.
    text = (
        '[[deadline]]\nlevel = "部门"\nmonth = 1\nday = 31\n'
        '[[deadline]]\nlevel = "人民政府"\nmonth = 3\nday = 31\n'
        '[[deadline]]\nlevel = "乡镇街道"\nmonth = 2\nday = 28\n'
        "[old_rule]\nup_to_year = 2018\nmonth = 3\nday = 31\n"
    )
    path = tmp_path / "deadlines.toml"
    path.write_text(text, encoding="utf-8")
    table = load_deadlines(path)
    assert deadline("乡镇街道", 2023, table) == date(2024, 2, 28)
    assert timeliness(date(2024, 2, 20), "乡镇街道", 2023, table) == ON_TIME
    assert deadline("未知层级", 2023, table) == date(2024, 1, 31)  # an unknown level is held to 部门's date


def test_an_unknown_agency_is_a_department():
    # A report whose agency was not read has None, or NaN once it went through a DataFrame.
    assert level_of(None) == "部门"
    assert level_of(float("nan")) == "部门"  # type: ignore[arg-type]

"""Property test: random valid reports whose cells all ran together into digit runs (text scraped from
web pages: ``行政规范性文件512430``, ``（七）总计290010332``, 四 as one run) parse back to exactly the
cells the official rules determine, and to no other cell.

The expected cells are computed here by brute force, independently of :mod:`parsing.digit_runs`:
every split of each run into the row's cells (cut positions by ``itertools.combinations``), filtered
by D1 per row of 三, D5 for 四, then O1 and D3 across the rows of 三; a cell is expected exactly when
all surviving splits agree on it. Values are drawn from the rules, so the true split always survives
and an expected cell is always the true value: the test also checks that.
"""

from __future__ import annotations

import itertools
import random

from hypothesis import given
from hypothesis import strategies as st
from property_support import balanced_s3, property_settings

from parsing import schema
from parsing.api import parse_bytes
from parsing.digit_runs import MAX_COMBOS

SETTINGS = property_settings(40)


def _splits(digits: str, n: int) -> list[tuple[int, ...]]:
    """Every split of ``digits`` into ``n`` cells written without leading zeros."""
    out = []
    for cuts in itertools.combinations(range(1, len(digits)), n - 1):
        bounds = (0, *cuts, len(digits))
        parts = [digits[a:b] for a, b in itertools.pairwise(bounds)]
        if all(p == "0" or not p.startswith("0") for p in parts):
            out.append(tuple(int(p) for p in parts))
    return out


def _agreed(splits: list[tuple[int, ...]], n: int) -> list[int | None]:
    if not splits:
        return [None] * n
    return [splits[0][i] if len({s[i] for s in splits}) == 1 else None for i in range(n)]


def _count(rng: random.Random) -> int:
    """Mostly zeros and small counts, sometimes two or three digits, as in real tables."""
    r = rng.random()
    if r < 0.55:
        return 0
    if r < 0.85:
        return rng.randint(1, 9)
    if r < 0.97:
        return rng.randint(10, 99)
    return rng.randint(100, 400)


def _s3_table(rng: random.Random, version: str) -> dict[str, list[int]]:
    """A table 三 that satisfies D1, D3 and O1: outcomes drawn, totals and balance derived."""
    cols = len(schema.S3_APPLICANT_COLS)
    return balanced_s3(
        rng, version, lambda: _count(rng), columns=cols, p_outcome=0.35, p_forward=0.3, p_prior=0.3
    )


def _s4(rng: random.Random) -> list[int]:
    out: list[int] = []
    for _ in range(3):
        parts = [rng.randint(0, 3) if rng.random() < 0.3 else 0 for _ in range(4)]
        out += [*parts, sum(parts)]
    return out


def _expected_s3(table: dict[str, list[int]], version: str) -> dict[str, list[int | None]]:
    cands = {k: [s for s in _splits("".join(map(str, v)), 7) if sum(s[:6]) == s[6]] for k, v in table.items()}
    out = {k: _agreed(v, 7) for k, v in cands.items()}
    outcome = schema.outcome_rows(version)
    eqs = [
        (["r1_new_received", "r2_carried_over"], ["r3_7_total", "r4_carry_forward"]),
        (["r3_7_total"], list(outcome)),
    ]
    ambiguous = sorted({k for eq in eqs for k in eq[0] + eq[1] if len(cands[k]) > 1})
    combos = 1
    for k in ambiguous:
        combos *= len(cands[k])
    if not ambiguous or combos > MAX_COMBOS:
        return out  # the parser keeps only what each row's own rule fixes
    alive: dict[str, set] = {k: set() for k in ambiguous}
    for choice in itertools.product(*(cands[k] for k in ambiguous)):
        rows = {k: cands[k][0] for k in cands} | dict(zip(ambiguous, choice, strict=True))
        if all(
            sum(rows[k][c] for k in left) == sum(rows[k][c] for k in right)
            for left, right in eqs
            for c in range(7)
        ):
            for k, s in zip(ambiguous, choice, strict=True):
                alive[k].add(s)
    return out | {k: _agreed(sorted(v), 7) for k, v in alive.items()}


def _render(
    year: int,
    s2_version: str,
    s2: dict[tuple[str, str], list[int]],
    s3_version: str,
    s3: dict[str, list[int]],
    s4: list[int],
) -> str:
    lines = [
        f"某县交通运输局{year}年政府信息公开工作年度报告",
        "一、总体情况",
        f"{year}年，我局依法做好政府信息公开工作。",
        "二、主动公开政府信息情况",
    ]
    for block in schema.SECTION2[s2_version]:
        lines.append(block.caption)
        lines.append("信息内容" + "".join(c.label for c in block.cols))
        for row_key, label in block.rows:
            lines.append(label + "".join(map(str, s2[(block.key, row_key)])))
    lines += [
        "三、收到和处理政府信息公开申请情况",
        "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和",
    ]
    groups_done: set[str] = set()
    for row in schema.s3_rows(s3_version):
        group = getattr(row, "group", None)
        prefix = ""
        if group and group not in groups_done and group != "三、本年度办理结果":
            groups_done.add(group)
            prefix = group if row.key != "r3_6_other" else ""
        if group == "三、本年度办理结果" and group not in groups_done:
            groups_done.add(group)
            lines.append(group)
        lines.append(prefix + row.label + "".join(map(str, s3[row.key])))
    lines += [
        "四、因政府信息公开工作被申请行政复议、行政诉讼情况",
        "行政复议行政诉讼",
        "".join(map(str, s4)),
        "五、存在的主要问题及改进情况",
        "无。",
    ]
    return "\n".join(lines) + "\n"


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), new=st.booleans())
def test_runs_give_back_exactly_the_determined_cells(seed: int, new: bool) -> None:
    rng = random.Random(seed)
    version = schema.V2021 if new else schema.V2019
    year = 2022 if new else 2020
    s2 = {(b.key, r): [_count(rng) for _ in b.cols] for b in schema.SECTION2[version] for r, _ in b.rows}
    s3 = _s3_table(rng, version)
    s4 = _s4(rng)
    report = parse_bytes(_render(year, version, s2, version, s3, s4).encode(), "dump.txt")
    expected: dict[str, int] = {}
    for block in schema.SECTION2[version]:
        for row_key, _ in block.rows:
            truth = s2[(block.key, row_key)]
            got = _agreed(
                _splits("".join(map(str, truth)), len(block.cols)), len(block.cols)
            )  # no rule in 二
            for col, v in zip(block.cols, got, strict=True):
                if v is not None:
                    expected[f"s2.{block.key}.{row_key}.{col.key}"] = v
    for row_key, values in _expected_s3(s3, version).items():
        for (col, _), v in zip(schema.S3_COLUMNS, values, strict=True):
            if v is not None:
                expected[f"s3.{row_key}.{col}"] = v
    s4_cands = [
        s
        for s in _splits("".join(map(str, s4)), 15)
        if all(sum(s[g : g + 4]) == s[g + 4] for g in (0, 5, 10))
    ]
    for (col, _), v in zip(schema.S4_COLUMNS, _agreed(s4_cands, 15), strict=True):
        if v is not None:
            expected[f"s4.{col}"] = v
    truth = {
        f"s3.{r}.{c}": v for r, vals in s3.items() for (c, _), v in zip(schema.S3_COLUMNS, vals, strict=True)
    }
    truth |= {f"s4.{c}": v for (c, _), v in zip(schema.S4_COLUMNS, s4, strict=True)}
    truth |= {
        f"s2.{b}.{r}.{c.key}": v
        for (b, r), vals in s2.items()
        for c, v in zip(next(x for x in schema.SECTION2[version] if x.key == b).cols, vals, strict=True)
    }
    got = {k: c.value for k, c in report.cells.items()}
    assert {k: truth[k] for k in expected} == expected  # the rules never determine a wrong value
    assert got == expected
    for row_key, values in s3.items():  # a row longer than its cells was split: every cell says so
        if len("".join(map(str, values))) > len(values):
            for col, _ in schema.S3_COLUMNS:
                if (cell := report.cells.get(f"s3.{row_key}.{col}")) is not None:
                    assert cell.flag == "split_by_rule", cell
    assert not report.unmatched_labels

"""Consistency checks (勾稽关系) of one parsed report: report-format.md §6 and §9.5.

Every rule is an equation between sums of cells, evaluated by one helper (:func:`_equation`):
- a cell the report does not contain at all (absent from ``cells``) → the check is ``skipped`` and
  names the absent keys: nothing is assumed about a cell the report does not state;
- the asserted total present but blank (value None) → ``skipped`` ("total blank"): a blank 总计 in a
  report usually means "not filled in" (Shanghai 2019), not 0;
- any other blank cell is read as 0 **and listed in** ``blank_as_zero``, so every blank read as zero
  is stated explicitly (§9.4);
- a cell whose text could not be read (flag ``unparsed``) → ``skipped``: it is not blank, so reading
  it as 0 would invent a value.

A table the report does not contain at all (no cell with its prefix) gets **no checks**: the
interpreter already reports the missing table, and a list of "skipped" rows would only repeat it.

Rule codes (stable, part of the parse contract):
``O1_balance`` per column of 三, ``D1_row_total`` per data row of 三, ``D3_outcome_sum`` per column
of 三, ``D5_review`` / ``D5_lit_direct`` / ``D5_lit_after`` for 四, ``D6_types`` for value types.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from parsing.report import Cell, Check
from parsing.schema import (
    CELLS,
    LABEL_SEP,
    S3_APPLICANT_COLS,
    S3_COL_KEYS,
    S3_ROW_BY_KEY,
    S3_ROWS,
    S4_GROUPS,
    S4_OUTCOMES,
    VERSIONS,
    key_label,
    outcome_rows,
    s3_col_label,
    s3_row_path,
    s4_group_label,
)
from parsing.vocabulary import (
    D5_RULES,
    RULE_D1_ROW_TOTAL,
    RULE_D3_OUTCOME_SUM,
    RULE_D5_LIT_AFTER,
    RULE_D5_LIT_DIRECT,
    RULE_D5_REVIEW,
    RULE_D6_TYPES,
    RULE_O1_BALANCE,
)

PASS, FAIL, SKIPPED = "pass", "fail", "skipped"
STATUSES = (PASS, FAIL, SKIPPED)

# Rows the official 勾稽 note names; looked up in the schema so a renamed key fails at import.
_R1 = S3_ROW_BY_KEY["r1_new_received"].key
_R2 = S3_ROW_BY_KEY["r2_carried_over"].key
_R3_TOTAL = S3_ROW_BY_KEY["r3_7_total"].key
_R4 = S3_ROW_BY_KEY["r4_carry_forward"].key
_S3_TOTAL_COL = S3_COL_KEYS[-1]  # 总计, the last column of the template
_S4_TOTAL, _S4_PARTS = S4_OUTCOMES[-1][0], tuple(o for o, _ in S4_OUTCOMES[:-1])  # 总计 is last

# A side of an equation with more terms than this is shown as a sum, to keep ``detail`` short.
_MAX_TERMS_SHOWN = 6
_MAX_KEYS_NAMED = 8

# The D5 rule of each group of 四 (S4_GROUPS).
_D5_RULE_OF_GROUP: dict[str, str] = {
    "review": RULE_D5_REVIEW,
    "lit_direct": RULE_D5_LIT_DIRECT,
    "lit_after_review": RULE_D5_LIT_AFTER,
}


# A cell written but not read as a number: never a blank read as zero.
_UNREADABLE = ("unparsed", "too_long")


def s3_key(row: str, col: str) -> str:
    """Canonical key of a section-三 cell."""
    return f"s3.{row}.{col}"


def s4_key(col: str) -> str:
    """Canonical key of a section-四 cell."""
    return f"s4.{col}"


def _fmt(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _side(values: Sequence[int | float]) -> str:
    if len(values) <= _MAX_TERMS_SHOWN:
        return " + ".join(_fmt(v) for v in values)
    return f"sum of {len(values)} cells ({_fmt(sum(values))})"


def _named(keys: Sequence[str]) -> str:
    shown = ", ".join(keys[:_MAX_KEYS_NAMED])
    more = len(keys) - _MAX_KEYS_NAMED
    return f"{shown} (+{more} more)" if more > 0 else shown


def _equation(
    rule: str,
    where: str,
    cells: dict[str, Cell],
    lhs: Sequence[str],
    rhs: Sequence[str],
    totals: Sequence[str],
) -> Check:
    """Check ``Σ lhs == Σ rhs``; ``totals`` are the asserted totals (blank → skipped, not zero)."""
    keys = [*lhs, *rhs]
    absent = [k for k in keys if k not in cells]
    if absent:
        return Check(rule, where, SKIPPED, f"absent: {_named(absent)}")
    blank_totals = [k for k in totals if cells[k].value is None and cells[k].flag not in _UNREADABLE]
    if blank_totals:
        return Check(rule, where, SKIPPED, f"total blank (总计为空): {_named(blank_totals)}")
    unreadable = [k for k in keys if cells[k].value is None and cells[k].flag in _UNREADABLE]
    if unreadable:
        return Check(rule, where, SKIPPED, f"unreadable: {_named(unreadable)}")
    blank_as_zero = [k for k in keys if cells[k].value is None]
    left = [cells[k].value or 0 for k in lhs]
    right = [cells[k].value or 0 for k in rhs]
    detail = f"{_side(left)} = {_side(right)}"
    total_left, total_right = sum(left), sum(right)
    if total_left == total_right:
        return Check(rule, where, PASS, detail, blank_as_zero)
    return Check(rule, where, FAIL, f"{detail} → {_fmt(total_left)} ≠ {_fmt(total_right)}", blank_as_zero)


def _has_section(cells: dict[str, Cell], section: str) -> bool:
    prefix = f"{section}."
    return any(k.startswith(prefix) for k in cells)


def _o1_balance(cells: dict[str, Cell]) -> list[Check]:
    """O1 per column of 三: 一 + 二 = 三（七）总计 + 四 (the template's own 勾稽 note)."""
    return [
        _equation(
            RULE_O1_BALANCE,
            col,
            cells,
            lhs=(s3_key(_R1, col), s3_key(_R2, col)),
            rhs=(s3_key(_R3_TOTAL, col), s3_key(_R4, col)),
            totals=(s3_key(_R3_TOTAL, col),),
        )
        for col in S3_COL_KEYS
    ]


def _d1_rows(cells: dict[str, Cell], version: str | None) -> list[str]:
    """Rows of 三 to check: the rows of the known version, plus any other row the report has cells for."""
    return [
        r.key
        for r in S3_ROWS
        if (version in r.versions) or any(s3_key(r.key, c) in cells for c in S3_COL_KEYS)
    ]


def _d1_row_total(cells: dict[str, Cell], version: str | None) -> list[Check]:
    """D1 per data row of 三: 总计 = Σ of the six applicant columns."""
    checks = []
    for row in _d1_rows(cells, version):
        total = s3_key(row, _S3_TOTAL_COL)
        parts = tuple(s3_key(row, c) for c in S3_APPLICANT_COLS)
        checks.append(_equation(RULE_D1_ROW_TOTAL, row, cells, (total,), parts, (total,)))
    return checks


def _d3_outcome_sum(cells: dict[str, Cell], version: str | None) -> list[Check]:
    """D3 per column of 三: （七）总计 = Σ OUT(v); v2019 counts （六）其他处理, v2021 its three sub-rows."""
    if version not in VERSIONS:
        return [
            Check(
                RULE_D3_OUTCOME_SUM,
                col,
                SKIPPED,
                f"table 三 version is {version or 'unknown'}: outcome rows unknown",
            )
            for col in S3_COL_KEYS
        ]
    rows = outcome_rows(version)
    checks = []
    for col in S3_COL_KEYS:
        total = s3_key(_R3_TOTAL, col)
        checks.append(
            _equation(
                RULE_D3_OUTCOME_SUM, col, cells, (total,), tuple(s3_key(r, col) for r in rows), (total,)
            )
        )
    return checks


def _d5_rule(group: str) -> str:
    return _D5_RULE_OF_GROUP[group]  # a KeyError here means a group of 四 was added without its rule


def _d5_groups(cells: dict[str, Cell]) -> list[Check]:
    """D5 for each group of 四: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结."""
    checks = []
    for group, _label in S4_GROUPS:
        total = s4_key(f"{group}_{_S4_TOTAL}")
        parts = tuple(s4_key(f"{group}_{o}") for o in _S4_PARTS)
        checks.append(_equation(_d5_rule(group), group, cells, (total,), parts, (total,)))
    return checks


def _type_problem(kind: str, value: int | float) -> str | None:
    """Why ``value`` is not a valid value of a ``kind`` column (None when it is)."""
    is_integer = isinstance(value, int) or float(value).is_integer()
    if kind == "signed":
        return None if is_integer else "must be an integer"
    if kind == "amount":
        return None if value >= 0 else "must be a non-negative amount"
    return None if is_integer and value >= 0 else "must be a non-negative integer"


def _d6_types(cells: dict[str, Cell]) -> list[Check]:
    """D6: counts are non-negative integers, 本年增/减 a signed integer, amounts non-negative decimals.

    One ``fail`` per offending cell, or one overall ``pass`` (where="all") when every value is fine.
    Blank cells are not type errors; cells without a canonical spec (none expected) are not judged.
    """
    failures, checked = [], 0
    for key, cell in cells.items():
        spec = CELLS.get(key)
        if spec is None or cell.value is None or isinstance(cell.value, bool):
            continue
        checked += 1
        problem = _type_problem(spec.kind, cell.value)
        if problem:
            failures.append(Check(RULE_D6_TYPES, key, FAIL, f"{_fmt(cell.value)}: {spec.kind} {problem}"))
    if failures:
        return failures
    if not checked:
        return []
    return [Check(RULE_D6_TYPES, "all", PASS, f"{checked} values checked")]


def run_checks(cells: dict[str, Cell], table_versions: dict[str, str], *, types: bool = True) -> list[Check]:
    """Every §9.5 within-report rule that applies to ``cells``.

    ``table_versions`` maps "s2"/"s3"/"s4" to "2019", "2021" or "mixed"; the 三 version picks the
    outcome rows of D3 (a "mixed" or unknown 三 skips D3). Order: O1, D1, D3, D5, D6. Without
    ``types`` D6 (the value types of every cell) is left out.
    """
    checks: list[Check] = []
    if _has_section(cells, "s3"):
        version = table_versions.get("s3")
        checks += _o1_balance(cells)
        checks += _d1_row_total(cells, version)
        checks += _d3_outcome_sum(cells, version)
    if _has_section(cells, "s4"):
        checks += _d5_groups(cells)
    if types:
        checks += _d6_types(cells)
    return checks


# --------------------------------------------------------------------------- Chinese explanations
#
# ``detail`` is the stable, terse English form of the parse contract. Reviewers read the Chinese
# explanation built here from the structured fields (rule, where, status) and the numbers of
# ``detail``. Stored checks from before ``detail_zh`` existed are explained by the same function, so
# the parser's JSON and the library's older rows read alike. The patterns below mirror the
# producers above (:func:`_side`, :func:`_equation`, :func:`_type_problem`).

_SUM_OF = re.compile(r"^sum of (\d+) cells \((-?[\d.e+-]+)\)$")
_SKIP_PREFIXES = (
    ("absent: ", "报告中缺少{keys}，未校验"),
    ("total blank (总计为空): ", "总计为空（{keys}），空白不按 0 计，未校验"),
    ("unreadable: ", "{keys}的数值无法识别，未校验"),
)
_KIND_ZH = {"signed": "应为整数", "amount": "应为非负金额", "count": "应为非负整数"}


def _side_total(side: str) -> float | None:
    """The total of one side of an equation as :func:`_side` wrote it (None when unreadable)."""
    side = side.strip()
    found = _SUM_OF.match(side)
    try:
        if found:
            return float(found.group(2))
        return sum(float(t) for t in side.split(" + "))
    except ValueError:
        return None


def _terms(side: str) -> list[str]:
    """The numbers of a side written term by term (empty when it was shortened to a sum)."""
    side = side.strip()
    return [] if _SUM_OF.match(side) else side.split(" + ")


def _label_list(keys: Sequence[str], total: int | None = None) -> str:
    """Keys as quoted Chinese labels, the first few only ("…等 N 项" when there are more)."""
    total = len(keys) if total is None else total
    names = "、".join(f"“{key_label(k)}”" for k in keys[:_MAX_KEYS_NAMED])
    return f"{names}等 {total} 项" if total > _MAX_KEYS_NAMED else names


def _names(keys: str) -> str:
    """The keys listed by :func:`_named`, as Chinese labels."""
    more = re.search(r" \(\+(\d+) more\)$", keys)
    listed = [k.strip() for k in (keys[: more.start()] if more else keys).split(", ") if k.strip()]
    return _label_list(listed, len(listed) + (int(more.group(1)) if more else 0))


def check_place(rule: str, where: str) -> str:
    """Where a check applies, in Chinese: a column or row of 三, a group of 四, or a cell (D6)."""
    try:
        if rule in (RULE_O1_BALANCE, RULE_D3_OUTCOME_SUM):
            return f"{s3_col_label(where)}列"
        if rule == RULE_D1_ROW_TOTAL:
            return s3_row_path(where)
        if rule in D5_RULES:
            return s4_group_label(where)
    except KeyError:
        return key_label(where)
    if rule == RULE_D6_TYPES:
        return "全部数值" if where == "all" else key_label(where)
    return key_label(where)


def _equation_names(rule: str, where: str) -> tuple[str, str] | None:
    """(left side, right side) of a rule's equation, in the template's words."""
    if rule == RULE_O1_BALANCE:
        return "一、本年新收＋二、上年结转", "三、（七）总计＋四、结转下年度继续办理"
    if rule == RULE_D1_ROW_TOTAL:
        return f"{s3_row_path(where)}{LABEL_SEP}总计", "各类申请人之和"
    if rule == RULE_D3_OUTCOME_SUM:
        return f"三、（七）总计{LABEL_SEP}{s3_col_label(where)}", "各办理结果之和"
    if rule in D5_RULES:
        return f"{s4_group_label(where)}{LABEL_SEP}总计", "结果维持＋结果纠正＋其他结果＋尚未审结"
    return None


def _fmt_total(value: float) -> str:
    return _fmt(int(value) if float(value).is_integer() else value)


def _explain_equation(rule: str, where: str, status: str, detail: str) -> str | None:
    names = _equation_names(rule, where)
    equation = detail.split(" → ")[0]
    if names is None or " = " not in equation:
        return None
    left, right = equation.split(" = ", 1)
    left_total, right_total = _side_total(left), _side_total(right)
    if left_total is None or right_total is None:
        return None
    totals = left_total, right_total
    prefix = f"{s3_col_label(where)}列：" if rule == RULE_O1_BALANCE else ""
    shown = [
        f"{name} {_fmt_total(total)}" + (f"（{' + '.join(terms)}）" if len(terms) > 1 else "")
        for name, total, terms in zip(names, totals, (_terms(left), _terms(right)), strict=True)
    ]
    sign = "＝" if status == PASS else "≠"
    return f"{prefix}{shown[0]} {sign} {shown[1]}"


def _explain_types(where: str, status: str, detail: str) -> str | None:
    if status == PASS:
        found = re.match(r"^(\d+) values checked$", detail)
        return f"已检查 {found.group(1)} 个数值，类型均正确" if found else None
    found = re.match(r"^(\S+): (signed|amount|count) ", detail)
    if not found:
        return None
    return f"{key_label(where)}：数值 {found.group(1)} {_KIND_ZH[found.group(2)]}"


def explain(rule: str, where: str, status: str, detail: str, blank_as_zero: Sequence[str] = ()) -> str:
    """A Chinese explanation of one check for reviewers, e.g.
    ``三、（七）总计 · 自然人 20 ≠ 各办理结果之和 26`` (``detail`` itself stays the English contract form).

    Built from the structured fields and the numbers of ``detail``; falls back to a neutral sentence
    with the Chinese place when ``detail`` has an unexpected shape, never to a canonical key.
    """
    text = None
    for prefix, template in _SKIP_PREFIXES:
        if detail.startswith(prefix):
            text = template.format(keys=_names(detail[len(prefix) :]))
    if text is None and detail.startswith("table 三 version is "):
        text = "第三部分的格式版本无法确定，办理结果各行不明，未校验"
    if text is None:
        text = (
            _explain_types(where, status, detail)
            if rule == RULE_D6_TYPES
            else _explain_equation(rule, where, status, detail)
        )
    if text is None:
        text = (
            f"{check_place(rule, where)}："
            f"{ {PASS: '通过', FAIL: '未通过', SKIPPED: '未校验'}.get(status, status) }"
        )
    if blank_as_zero:
        text += f"；按 0 计的空白：{_label_list(list(blank_as_zero))}"
    return text


def summarize(checks: Iterable[Check]) -> dict[str, int]:
    """Counts for the UI: ``{"pass": n, "fail": n, "skipped": n, "total": n}`` (every key always present)."""
    out = dict.fromkeys(STATUSES, 0)
    for check in checks:
        out[check.status] = out.get(check.status, 0) + 1
    out["total"] = sum(out[s] for s in STATUSES)
    return out

"""Place rows of 三 that arrived without their labels, by the official rules (domain reference §7.4, §9.5).

Markdown made from PDFs by other tools tears multi-line row labels out of the table and prints them
as loose lines, so some value rows arrive with no label, or out of place. Such a row can be put back
only where the arithmetic of the table leaves no doubt:

- every unlabelled row must satisfy D1 by itself (总计 = Σ applicant columns);
- the unlabelled rows must fill exactly the rows of the template that have no cells, so that after
  placing them every rule can be evaluated on a complete table;
- O1 (r1 + r2 = （七）总计 + r4) and D3 (（七）总计 = Σ outcome rows) must then hold exactly.

Every assignment of the unlabelled rows to the empty rows is considered, not only template order,
because rows may arrive out of order. The rules see outcome rows only through their sum, so two
different outcome rows can always trade places: a cell is kept only when every assignment that
satisfies the rules gives it the same value (for instance a column that is 0 in every unlabelled
outcome row). That is what keeps a placed cell from ever being wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import permutations
from math import perm

Values = tuple[int | None, ...]
SPECIAL = ("r1_new_received", "r2_carried_over", "r3_7_total", "r4_carry_forward")
MAX_ASSIGNMENTS = 5_000  # injective choices of the special rows to try (more: give up at once)


@dataclass
class Placement:
    """Per empty template row, the value of each column every valid assignment agrees on (None: not
    determined); ``valid`` is the number of assignments that satisfied the rules."""

    cells: dict[str, list[int | None]]
    valid: int
    reason: str = ""  # why nothing could be placed (English, terse), empty when something was tried


def _n(v: int | None) -> int:
    return v or 0  # a blank summand counts as 0 (§9.4); totals are compared as written


def _d1(row: Values) -> bool:
    return row[-1] is not None and sum(_n(v) for v in row[:-1]) == row[-1]


def place(
    fixed: dict[str, Values], unlabelled: Sequence[Values], template: Sequence[str], outcome: Sequence[str]
) -> Placement:
    """Assign ``unlabelled`` rows to the template rows missing from ``fixed`` where the rules allow.

    ``template`` lists every data row of the table in order, ``outcome`` the rows that add up to
    （七）总计 (OUT(v) of §9.5). Rows of ``fixed`` are the rows read with their labels.
    """
    missing = [k for k in template if k not in fixed]
    if len(unlabelled) != len(missing):
        return Placement({}, 0, f"{len(unlabelled)} unlabelled rows for {len(missing)} empty rows")
    if not all(_d1(u) for u in unlabelled):
        return Placement({}, 0, "an unlabelled row breaks D1")
    special = [k for k in missing if k in SPECIAL]
    out_slots = [k for k in missing if k in outcome]
    if len(special) + len(out_slots) != len(missing):
        return Placement({}, 0, "empty rows outside the rules")
    width = len(unlabelled[0]) if unlabelled else 0
    fixed_out = [fixed[k] for k in outcome if k in fixed]
    base_out = [sum(_n(r[c]) for r in fixed_out) for c in range(width)]
    if perm(len(unlabelled), len(special)) > MAX_ASSIGNMENTS:
        return Placement({}, 0, "too many assignments")
    valid: list[tuple[dict[str, int], list[int]]] = []  # (special slot → row index, outcome row indexes)
    for choice in permutations(range(len(unlabelled)), len(special)):
        chosen = dict(zip(special, choice, strict=True))
        rest = [i for i in range(len(unlabelled)) if i not in choice]
        if _holds(fixed, unlabelled, chosen, rest, base_out, width):
            valid.append(({k: i for k, i in chosen.items()}, rest))
    if not valid:
        return Placement({}, 0, "no assignment satisfies O1 and D3")
    return Placement(_agreement(unlabelled, valid, special, out_slots, width), len(valid))


def _holds(
    fixed: dict[str, Values],
    rows: Sequence[Values],
    chosen: dict[str, int],
    rest: list[int],
    base_out: list[int],
    width: int,
) -> bool:
    def get(key: str) -> Values:
        return rows[chosen[key]] if key in chosen else fixed[key]

    for c in range(width):
        out_sum = base_out[c] + sum(_n(rows[i][c]) for i in rest)
        total = get("r3_7_total")[c]
        if total is None or total != out_sum:
            return False
        left = _n(get("r1_new_received")[c]) + _n(get("r2_carried_over")[c])
        if left != _n(total) + _n(get("r4_carry_forward")[c]):
            return False
    return True


def _agreement(
    rows: Sequence[Values],
    valid: list[tuple[dict[str, int], list[int]]],
    special: list[str],
    out_slots: list[str],
    width: int,
) -> dict[str, list[int | None]]:
    """Per empty row and column, the value all valid assignments give it (None where they differ).

    An outcome slot may hold any of the rows the assignment sends to the outcome rows (they can trade
    places without changing a sum), so its column is determined only when all those rows agree."""
    cells: dict[str, list[int | None]] = {}
    for key in special:
        seen = [rows[chosen[key]] for chosen, _ in valid]
        cells[key] = [seen[0][c] if all(s[c] == seen[0][c] for s in seen) else None for c in range(width)]
    for key in out_slots:
        seen = [rows[i] for _, rest in valid for i in rest]
        cells[key] = [
            seen[0][c] if seen and all(s[c] == seen[0][c] for s in seen) else None for c in range(width)
        ]
    return cells

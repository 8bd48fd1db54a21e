"""Split runs of digits back into table cells with the official rules (domain reference §7.4, §9.5).

Text scraped from web pages sometimes loses every separator between the cells of a row
(``行政规范性文件512430``) or of a whole table (四 as one 15-digit run). A run can be read back only
where the rules leave one possibility:

- every cell is a non-negative integer written without leading zeros (a lone ``0`` is fine);
- D1: in each row of 三 the last cell (总计) is the sum of the six applicant cells;
- D5: 四 is three groups of five cells, the fifth of each the sum of the first four;
- O1 and D3 tie the rows of 三 together column by column (see :func:`solve_s3`).

A cell is kept only when every split that satisfies all the rules gives it the same value: that is
the only way a split can never invent a number. The work is bounded (``MAX_NODES`` search steps,
``MAX_SPLITS`` candidate splits per run); beyond the bound nothing is kept and the caller says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

MAX_SPLITS = 2000  # candidate splits of one run (more: give up)
MAX_NODES = 50_000  # search steps for one run or one table (more: give up)
MAX_COMBOS = 50_000  # combinations of candidate rows tried across a table of 三

_RUN = re.compile(r"^\d+(?:\s+\d+)*$")

Split = tuple[int, ...]


class TooMany(Exception):
    """The search exceeded its bound: the caller keeps nothing and warns."""


@dataclass(frozen=True)
class Run:
    """Digits of one row as written: ``pieces`` are the whitespace-separated parts (a cell never spans
    two pieces, but a piece may hold several cells)."""

    pieces: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Run | None:
        """The run in ``text``, or None when it holds anything but digits and spaces."""
        t = text.strip()
        if not _RUN.match(t):
            return None
        return cls(tuple(t.split()))

    @property
    def digits(self) -> str:
        return "".join(self.pieces)

    def cuts(self) -> frozenset[int]:
        """Positions in :attr:`digits` where a cell must end (the ends of the pieces)."""
        out, pos = set(), 0
        for p in self.pieces:
            pos += len(p)
            out.add(pos)
        return frozenset(out)


def _ok_part(s: str) -> bool:
    return s == "0" or not s.startswith("0")


class _Budget:
    def __init__(self, nodes: int = MAX_NODES) -> None:
        self.left = nodes

    def step(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise TooMany


def _parts(
    s: str, start: int, end: int, n: int, cuts: frozenset[int], budget: _Budget, limit: int | None
) -> Iterable[Split]:
    """Every split of ``s[start:end]`` into ``n`` cells (respecting forced ``cuts``), in order. With
    ``limit`` the cells must add up to exactly ``limit`` (a sum rule), which prunes the search."""
    budget.step()
    if n == 0:
        if start == end and not limit:
            yield ()
        return
    remaining = end - start
    if remaining < n:
        return
    if limit is not None and remaining > n * len(str(max(limit, 0))):
        return  # each cell is at most the sum left, so it has at most that many digits
    if limit is not None and limit > 10 ** (remaining - n + 1) + 9 * (n - 1):
        return  # the digits left cannot add up to that much
    next_cut = min((c for c in cuts if start < c <= end), default=end)
    for stop in range(start + 1, next_cut + 1):
        if end - stop < n - 1:
            break
        piece = s[start:stop]
        if not _ok_part(piece):
            break  # a longer piece starting with 0 is never allowed either
        value = int(piece)
        if limit is not None and value > limit:
            break
        for rest in _parts(s, stop, end, n - 1, cuts, budget, None if limit is None else limit - value):
            yield (value, *rest)


def free_splits(run: Run, n: int, budget: _Budget | None = None) -> list[Split]:
    """Every split of a run into ``n`` cells with no rule but 'no leading zeros' (rows of 二)."""
    budget = budget or _Budget()
    out: list[Split] = []
    for split in _parts(run.digits, 0, len(run.digits), n, run.cuts(), budget, None):
        out.append(split)
        if len(out) > MAX_SPLITS:
            raise TooMany
    return out


def _sum_splits(s: str, start: int, end: int, n: int, cuts: frozenset[int], budget: _Budget) -> list[Split]:
    """Splits of ``s[start:end]`` into ``n`` cells whose last cell is the sum of the others."""
    out: list[Split] = []
    inner_cuts = frozenset(c for c in cuts if start < c < end)
    for total_start in range(end - 1, start + n - 2, -1):
        if any(total_start < c < end for c in inner_cuts):
            break  # the total cell cannot span a forced cut
        piece = s[total_start:end]
        if not _ok_part(piece):
            continue
        total = int(piece)
        for head in _parts(s, start, total_start, n - 1, cuts, budget, total):
            out.append((*head, total))
            if len(out) > MAX_SPLITS:
                raise TooMany
    return out


def sum_splits(run: Run, n: int, budget: _Budget | None = None) -> list[Split]:
    """Every split of a run into ``n`` cells whose last is the sum of the others (D1 for 三, n=7)."""
    s = run.digits
    return _sum_splits(s, 0, len(s), n, run.cuts(), budget or _Budget())


def s4_splits(run: Run, groups: int = 3, size: int = 5, budget: _Budget | None = None) -> list[Split]:
    """Every split of a run into ``groups`` consecutive groups of ``size`` cells, each obeying D5."""
    s, cuts = run.digits, run.cuts()
    budget = budget or _Budget()

    @cache
    def rest(start: int, k: int) -> tuple[Split, ...]:
        if k == 0:
            return ((),) if start == len(s) else ()
        out: list[Split] = []
        for end in range(start + size, len(s) - size * (k - 1) + 1):
            budget.step()  # a group may end inside a piece: a piece can hold cells of two groups
            heads = _sum_splits(s, start, end, size, cuts, budget)
            if not heads:
                continue
            for tail in rest(end, k - 1):
                out.extend((*h, *tail) for h in heads)
                if len(out) > MAX_SPLITS:
                    raise TooMany
        return tuple(out)

    return list(rest(0, groups))


def agreed(splits: Sequence[Split]) -> list[int | None]:
    """Per cell, the value every split gives it, or None where they differ (nothing when no split)."""
    if not splits:
        return []
    first = splits[0]
    return [v if all(sp[i] == v for sp in splits) else None for i, v in enumerate(first)]


def describe(splits: Sequence[Split], shown: int = 6) -> str:
    """Candidate splits for a warning: '5/12/430；51/2/430；…'."""
    texts = ["/".join(str(v) for v in sp) for sp in splits[:shown]]
    more = f" 等 {len(splits)} 种" if len(splits) > shown else ""
    return "；".join(texts) + more


# ---------------------------------------------------------------------------------------- 三 across rows
Row = tuple[int | None, ...]  # a fixed row of 三 (None: blank or unread cell)


@dataclass
class S3Result:
    """Cells of the run rows kept after the cross-row rules, and the rows left with several splits."""

    values: dict[str, list[int | None]]  # row key → per-column value (None: not determined)
    candidates: dict[str, list[Split]]  # row key → its D1 splits (for warnings)
    failed: set[str]  # run rows with no D1 split at all
    gave_up: set[str]  # run rows whose search exceeded the bound


def _constraints(keys: Iterable[str], outcome: Sequence[str]) -> list[tuple[list[str], list[str]]]:
    """Column equations among the rows present: (left rows, right rows) with Σ left == Σ right."""
    present = set(keys)
    eqs: list[tuple[list[str], list[str]]] = []
    o1 = (["r1_new_received", "r2_carried_over"], ["r3_7_total", "r4_carry_forward"])
    if all(k in present for k in o1[0] + o1[1]):
        eqs.append(o1)
    if "r3_7_total" in present and all(k in present for k in outcome):
        eqs.append((["r3_7_total"], list(outcome)))
    return eqs


def solve_s3(fixed: dict[str, Row], runs: dict[str, Run], outcome: Sequence[str], ncols: int = 7) -> S3Result:
    """Split the run rows of 三 with D1 per row, then O1 and D3 across rows where every row of an
    equation is present and none of its cells is blank (a blank is not a zero)."""
    cands: dict[str, list[Split]] = {}
    failed: set[str] = set()
    gave_up: set[str] = set()
    for key, run in runs.items():
        try:
            found = sum_splits(run, ncols)
        except TooMany:
            gave_up.add(key)
            continue
        if not found:
            failed.add(key)
        else:
            cands[key] = found
    values: dict[str, list[int | None]] = {k: agreed(v) for k, v in cands.items()}
    eqs = [
        eq
        for eq in _constraints([*fixed, *cands], outcome)
        if any(k in cands and len(cands[k]) > 1 for k in eq[0] + eq[1])
        and all(k in cands or all(v is not None for v in fixed[k]) for k in eq[0] + eq[1])
    ]
    if eqs:
        joint = _joint(fixed, cands, eqs, ncols)
        if joint is not None:
            for key, splits in joint.items():
                values[key] = agreed(splits)
    return S3Result(values, cands, failed, gave_up)


def _joint(
    fixed: dict[str, Row], cands: dict[str, list[Split]], eqs: list[tuple[list[str], list[str]]], ncols: int
) -> dict[str, list[Split]] | None:
    """The splits of each ambiguous row that take part in at least one full solution of the equations;
    None when the search is too large (the per-row agreement then stands)."""
    ambiguous = sorted({k for eq in eqs for k in eq[0] + eq[1] if k in cands and len(cands[k]) > 1})
    total = 1
    for k in ambiguous:
        total *= len(cands[k])
        if total > MAX_COMBOS:
            return None

    def row(key: str, chosen: dict[str, Split]) -> Sequence[int | None]:
        if key in chosen:
            return chosen[key]
        if key in cands:
            return cands[key][0]  # unambiguous
        return fixed[key]

    def holds(eq: tuple[list[str], list[str]], chosen: dict[str, Split]) -> bool:
        left, right = eq
        for c in range(ncols):
            lsum = sum(row(k, chosen)[c] or 0 for k in left)
            rsum = sum(row(k, chosen)[c] or 0 for k in right)
            if lsum != rsum:
                return False
        return True

    used: dict[str, set[Split]] = {k: set() for k in ambiguous}
    chosen: dict[str, Split] = {}

    def search(i: int) -> None:
        if i == len(ambiguous):
            if all(holds(eq, chosen) for eq in eqs):
                for k in ambiguous:
                    used[k].add(chosen[k])
            return
        key = ambiguous[i]
        for split in cands[key]:
            chosen[key] = split
            search(i + 1)
        del chosen[key]

    search(0)
    return {k: [sp for sp in cands[k] if sp in used[k]] for k in ambiguous}

"""Shared by the property tests: hypothesis settings and a balanced table 三 to write out and parse back."""

from __future__ import annotations

import random
from collections.abc import Callable

from hypothesis import HealthCheck, Phase, settings

from parsing import schema


def property_settings(max_examples: int) -> settings:
    """Reproducible runs (derandomized, no example database), no deadline: a parse may take a while."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


def balanced_s3(
    rng: random.Random,
    version: str,
    draw: Callable[[], int],
    *,
    columns: int,
    p_outcome: float,
    p_forward: float = 1.0,
    p_prior: float = 1.0,
) -> dict[str, list[int]]:
    """A table 三 that satisfies D1, D3 and O1: outcome cells drawn (each filled with probability
    ``p_outcome``, else 0), 结转下年度 and 上年结转 drawn likewise, 总计 and 本年新收 derived; the last
    column is the row total. ``columns`` is the number of applicant columns."""

    def maybe(p: float) -> int:
        # p == 1 draws without a coin toss, so a caller's random sequence stays what it was.
        return draw() if p >= 1 or rng.random() < p else 0

    rows = {k: [maybe(p_outcome) for _ in range(columns)] for k in schema.outcome_rows(version)}
    total = [sum(r[c] for r in rows.values()) for c in range(columns)]
    r4 = [maybe(p_forward) for _ in range(columns)]
    r2 = [
        rng.randint(0, t + f) if p_prior >= 1 or rng.random() < p_prior else 0
        for t, f in zip(total, r4, strict=True)
    ]
    r1 = [t + f - b for t, f, b in zip(total, r4, r2, strict=True)]
    table = {
        "r1_new_received": r1,
        "r2_carried_over": r2,
        **rows,
        "r3_7_total": total,
        "r4_carry_forward": r4,
    }
    return {k: [*v, sum(v)] for k, v in table.items()}

"""Property: whatever cells a parse holds, the dataset row gives back exactly those values.

Random subsets of canonical cells with integers, decimals and blanks, plus keys outside the schema
(which give the report a value layout of its own, as a schema change would) go in through
``Library.add``; the dataset must return each stated value, NaN for blank or absent cells, and
apply corrections on top.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from library.dataset import CELL_COLUMNS
from library.store import Library
from parsing.report import PARSER_VERSION, Cell, ParsedReport

_values = st.one_of(
    st.none(),
    st.integers(min_value=-1000, max_value=10**9),
    st.floats(min_value=0, max_value=1e7, allow_nan=False).map(lambda x: round(x, 4)),
)
_cells = st.dictionaries(st.sampled_from(CELL_COLUMNS), _values, max_size=60)
_extra = st.dictionaries(
    st.sampled_from(["s3.r3_3_subtotal.total", "s2.art20_1.other.x"]), _values, max_size=2
)

_SERIAL = itertools.count()


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    library = Library(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'prop.sqlite'}")
    yield library
    library.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=_cells, extra=_extra, correction=st.tuples(st.sampled_from(CELL_COLUMNS), _values))
def test_dataset_row_equals_the_stored_cells(lib: Library, cells, extra, correction) -> None:
    values = {**cells, **extra}
    seed = next(_SERIAL)  # unique bytes per example: hypothesis replays examples
    parsed = ParsedReport(
        file=f"{seed}.txt",
        sha256="",
        format="txt",
        agency="（合成）测试局",
        year=2022,
        template="2021",
        cells={k: Cell(key=k, value=v, raw="" if v is None else str(v)) for k, v in values.items()},
        parser_version=PARSER_VERSION,
    )
    report_id, created = lib.add(parsed, str(seed).encode())
    assert created
    row = lib.dataset().set_index("report_id").loc[report_id]
    for key in CELL_COLUMNS:
        stated = cells.get(key)
        if stated is None:
            assert math.isnan(row[key]), key
        else:
            assert row[key] == stated, key
    key, value = correction
    lib.add_correction(report_id, key, value)
    corrected = lib.dataset().set_index("report_id").loc[report_id, key]
    assert math.isnan(corrected) if value is None else corrected == value
    stored = lib.get(report_id)
    assert set(stored.cells["key"]) == set(values)
    assert stored.values[key] == value

"""The column-wise dataset build gives exactly the frame of the former row-by-row build.

``_reference_build`` is library.dataset.build_dataset as it was before it was made column-wise (kept
here verbatim as the yardstick): same values, blanks (NaN), narrative figures and flags, corrections,
dtypes and column order, on hand-made rows and on a synthetic library read with scopes, filters and
report versions.
"""

from __future__ import annotations

import json
import random
import struct
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from library.access import Scope
from library.dataset import FLAG_OF, META_COLUMNS, VALUE_COLUMNS, build_dataset
from library.db import utcnow
from library.filters import MISSING, Filters
from library.store import Library
from library.synthetic import populate, specs, synthetic_bytes, synthetic_parsed
from parsing.schema import CELLS


def _reference_build(
    rows: Sequence[Any], corrections: Iterable[Any], layouts: Mapping[int, Sequence[str]]
) -> pd.DataFrame:
    """The dataset from report rows, corrections (in id order; the latest per cell wins) and layouts.

    ``rows`` have attributes id, filename, agency, region, year, agency_type, template,
    checks_failed, unmatched_count, layout_id, values_blob (float64 values in the order of
    ``layouts[layout_id]``) and narrative_json (a dict, or its JSON text).
    """
    n = len(rows)
    col_index = {k: i for i, k in enumerate(VALUE_COLUMNS)}
    matrix = np.full((n, len(VALUE_COLUMNS)), np.nan)
    by_layout: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        by_layout.setdefault(r.layout_id, []).append(i)
    for layout_id, idx in by_layout.items():
        keys = list(layouts[layout_id])
        known = [j for j, k in enumerate(keys) if k in col_index]
        if not known:
            continue
        # One buffer per layout: every report of it becomes one matrix row without Python loops.
        blob = b"".join(bytes(rows[i].values_blob) for i in idx)  # bytes() also takes a driver's memoryview
        block = np.frombuffer(blob, dtype="<f8").reshape(len(idx), len(keys))
        matrix[np.ix_(idx, [col_index[keys[j]] for j in known])] = block[:, known]
    for i, r in enumerate(rows):
        narrative = r.narrative_json
        if isinstance(narrative, str | bytes):  # raw SQL on SQLite returns the JSON text
            narrative = json.loads(narrative)
        for k, v in (narrative or {}).items():
            j = col_index.get(f"n.{k}")
            if j is not None and v is not None and v is not False:
                matrix[i, j] = float(v)
    row_of = {r.id: i for i, r in enumerate(rows)}
    for c in corrections:
        row_i, j = row_of.get(c.report_id), col_index.get(c.key)
        if row_i is not None and j is not None:
            matrix[row_i, j] = np.nan if c.new is None else c.new
            flag = FLAG_OF.get(c.key)
            if flag is not None:
                matrix[row_i, col_index[flag]] = np.nan  # a reviewed figure is exact
    meta = pd.DataFrame(
        {
            "report_id": pd.array([r.id for r in rows], dtype="int64"),
            "agency": pd.array([r.agency for r in rows], dtype="object"),
            "region": pd.array([r.region for r in rows], dtype="object"),
            "year": pd.array([r.year for r in rows], dtype="Int64"),
            "agency_type": pd.array([r.agency_type for r in rows], dtype="object"),
            "template": pd.array([r.template for r in rows], dtype="object"),
            "filename": pd.array([r.filename for r in rows], dtype="object"),
            "checks_failed": pd.array([r.checks_failed for r in rows], dtype="int64"),
            "unmatched_labels": pd.array([r.unmatched_count for r in rows], dtype="int64"),
        }
    )
    values = pd.DataFrame(matrix, columns=VALUE_COLUMNS)
    return pd.concat([meta, values], axis=1)


def _rows(n: int, seed: int) -> tuple[list[SimpleNamespace], dict[int, list[str]]]:
    """Hand-made report rows over three layouts (one with keys the dataset does not know), with blank
    values and every form a stored narrative takes (JSON text, bytes, dict, None)."""
    rng = random.Random(seed)
    cells = list(CELLS)
    layouts = {1: cells[:40], 2: cells[30:120] + ["unknown.key"], 3: ["unknown.only"]}
    rows = []
    for i in range(n):
        layout = rng.choice(list(layouts))
        values = [rng.choice([float("nan"), 0.0, float(rng.randint(0, 999)), 2.5]) for _ in layouts[layout]]
        narrative: Any = {"proactive_total": rng.choice([None, 0, 5500, 12.0])}
        if rng.random() < 0.5:
            narrative["proactive_total_approx"] = rng.choice([True, False, None])
        if rng.random() < 0.2:
            narrative["not_a_column"] = 3
        form = rng.choice(["str", "bytes", "dict", "none"])
        if form == "str":
            narrative = json.dumps(narrative, ensure_ascii=False)
        elif form == "bytes":
            narrative = json.dumps(narrative).encode()
        elif form == "none":
            narrative = None
        rows.append(
            SimpleNamespace(
                id=10 + i * 3,
                filename=f"报告{i}.pdf",
                agency=rng.choice([f"（合成）单位{i % 7}", None]),
                region=rng.choice(["（合成）甲县", "（合成）乙县", None]),
                year=rng.choice([2020, 2023, None]),
                agency_type=rng.choice(["教育", None]),
                template=rng.choice(["2019", "2021", None]),
                checks_failed=rng.randint(0, 3),
                unmatched_count=rng.randint(0, 2),
                layout_id=layout,
                values_blob=memoryview(struct.pack(f"<{len(values)}d", *values)),
                narrative_json=narrative,
            )
        )
    return rows, layouts


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_build_matches_the_former_build(seed: int) -> None:
    rows, layouts = _rows(300, seed)
    rng = random.Random(seed)
    corrections = [
        SimpleNamespace(
            report_id=rng.choice([r.id for r in rows] + [99999]),  # one of no report: ignored
            key=rng.choice([*VALUE_COLUMNS[:50], *FLAG_OF, "not.a.key"]),
            new=rng.choice([None, 0.0, 7.0]),
        )
        for _ in range(120)
    ]
    new = build_dataset(rows, corrections, layouts)
    pd.testing.assert_frame_equal(new, _reference_build(rows, corrections, layouts))
    assert list(new.columns) == META_COLUMNS + VALUE_COLUMNS
    assert new[VALUE_COLUMNS].isna().to_numpy().any()  # blanks stay blank


def test_empty_build_matches() -> None:
    pd.testing.assert_frame_equal(build_dataset([], [], {}), _reference_build([], [], {}))


def _reference_dataset(lib: Library, filters: Filters) -> pd.DataFrame:
    """What Library.dataset gave before: the former build over current reports, then the filters."""
    from sqlalchemy import select

    from library.db import Correction, ValueLayout

    with lib.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT id, filename, agency, region, year, agency_type, template, checks_failed,"
            " unmatched_count, layout_id, values_blob, narrative_json FROM reports"
            " WHERE superseded_by IS NULL ORDER BY id"
        ).all()
        layouts = {r.id: r.keys for r in conn.execute(select(ValueLayout.id, ValueLayout.keys))}
        corrections = conn.execute(
            select(Correction.report_id, Correction.key, Correction.new).order_by(Correction.id)
        ).all()
    return filters.apply(_reference_build(rows, corrections, layouts)).copy()


def test_library_dataset_matches_the_former_build(tmp_path: Path) -> None:
    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    populate(lib, 90)
    spec = specs(90)[5]
    newer = synthetic_parsed(spec, seed=7)  # another version of report 6: one of the two is superseded
    lib.add(newer, synthetic_bytes(newer) + b"v2", agency_type=spec.agency_type)
    ids = lib.list()["report_id"].tolist()
    lib.add_correction(ids[0], "n.proactive_total", 42)  # clears the approximate flag
    lib.add_correction(ids[1], VALUE_COLUMNS[3], None)  # a blank correction
    lib.set_metadata(ids[2], year=2099)
    assert lib.counts()["superseded"] == 1
    region = spec.region
    for filters in (
        Filters(),
        Filters(years=[spec.year]),
        Filters(templates=["2021"], agency_types=["教育", MISSING]),
        Filters(scope=Scope(regions=(region,))),
        Filters(scope=Scope(regions=(region,), agency=spec.agency), years=[spec.year]),
        Filters(scope=None),
    ):
        got = lib.dataset(filters)
        pd.testing.assert_frame_equal(got, _reference_dataset(lib, filters))
    assert len(lib.dataset()) == 90  # the superseded version is not counted


def _check_all_filters(lib: Library, region: str, agency: str, year: int) -> None:
    for filters in (
        Filters(),
        Filters(years=[year]),
        Filters(templates=["2019"], agency_types=["教育", MISSING]),
        Filters(scope=Scope(regions=(region,))),
        Filters(scope=Scope(regions=(region,), agency=agency)),
    ):
        pd.testing.assert_frame_equal(lib.dataset(filters), _reference_dataset(lib, filters))


def test_dataset_after_writes_rereads_only_the_changed_reports(tmp_path: Path) -> None:
    """After each kind of write the patched dataset equals a full rebuild, and only the reports the
    write touched were read again."""
    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    all_specs = specs(140)
    populate(lib, 120)
    spec = all_specs[7]
    _check_all_filters(lib, spec.region, spec.agency, spec.year)
    cache = lib._dataset_cache  # type: ignore[attr-defined]
    assert cache.last_reread == 120  # the first read reads everything
    ids = lib.list().sort_values("report_id")["report_id"].tolist()
    rng = random.Random(3)
    correction_ids: list[int] = []

    def add_new() -> None:
        s = all_specs[120 + len(lib.list()) % 20]
        parsed = synthetic_parsed(s, seed=len(lib.list()))
        lib.add(parsed, synthetic_bytes(parsed) + str(len(lib.list())).encode(), agency_type=s.agency_type)

    def add_version() -> None:  # another version of a stored report: one of the two is superseded
        s = all_specs[rng.randrange(120)]
        parsed = synthetic_parsed(s, seed=99 + len(lib.list()))
        lib.add(parsed, synthetic_bytes(parsed) + b"another version", agency_type=s.agency_type)

    def correct() -> None:
        key = rng.choice(["n.proactive_total", VALUE_COLUMNS[rng.randrange(60)]])
        correction_ids.append(lib.add_correction(rng.choice(ids[:60]), key, rng.choice([None, 3, 0])))

    def uncorrect() -> None:
        if correction_ids:
            lib.remove_correction(correction_ids.pop(0))

    def move() -> None:  # metadata: into another region (the scope filters follow)
        lib.set_metadata(rng.choice(ids[60:100]), region=rng.choice([spec.region, all_specs[0].region]))

    def delete() -> None:
        lib.delete(ids.pop(rng.randrange(100, len(ids))))

    for write in [add_new, correct, correct, move, uncorrect, add_version, delete, move, add_version, delete]:
        write()
        _check_all_filters(lib, spec.region, spec.agency, spec.year)
        assert cache.last_reread <= 2, write.__name__  # the one or two reports the write touched
    lib.dataset()
    assert cache.last_reread == 0  # nothing changed: nothing read


def test_changing_a_returned_dataset_leaves_the_cache_alone(tmp_path: Path) -> None:
    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    populate(lib, 12)
    before = lib.dataset()
    for filters in (Filters(), Filters(years=[specs(12)[0].year])):
        df = lib.dataset(filters)
        df.loc[df.index[0], VALUE_COLUMNS[0]] = -1.0
        df[VALUE_COLUMNS[1]] += 1000
        df.iloc[0, 1] = "changed"
        df.drop(columns=VALUE_COLUMNS[2:5], inplace=True)
        pd.testing.assert_frame_equal(lib.dataset(), before)
        pd.testing.assert_frame_equal(lib.dataset(), _reference_dataset(lib, Filters()))


def test_changes_found_by_stamp_arrays_equal_a_fresh_read(tmp_path: Path) -> None:
    """The refresh finds changed reports column-wise (sorted ids, updated_at) and by corrections: a
    correction added or removed without the report's row changing, an updated_at moved, a report
    gone, a superseded one current again, all equal a fresh read of the whole library."""
    from sqlalchemy import delete, insert, update

    from library.dataset_cache import DatasetCache
    from library.db import Correction, Report

    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    populate(lib, 30)
    ids = sorted(lib.list()["report_id"].tolist())
    cache = DatasetCache()

    def same(*, reread: int | None = None) -> None:
        with lib.engine.connect() as conn:
            got = cache.refresh(conn)
            fresh = DatasetCache().refresh(conn)
        pd.testing.assert_frame_equal(got, fresh)
        if reread is not None:
            assert cache.last_reread == reread

    same(reread=30)
    with lib.engine.begin() as conn:  # a correction of its own: the row's updated_at unchanged
        conn.execute(insert(Correction).values(report_id=ids[4], key="n.proactive_total", new=123.0, note=""))
    same(reread=1)
    assert float(cache.frame.set_index("report_id").loc[ids[4], "n.proactive_total"]) == 123.0
    with lib.engine.begin() as conn:  # and removed again: its only correction
        conn.execute(delete(Correction).where(Correction.report_id == ids[4]))
    same(reread=1)
    with lib.engine.begin() as conn:  # a value changed with the stamp (as every write does)
        conn.execute(update(Report).where(Report.id == ids[9]).values(region="新地区", updated_at=utcnow()))
    same(reread=1)
    with lib.engine.begin() as conn:  # one report gone, one superseded, one new value: three at once
        conn.execute(delete(Report).where(Report.id == ids[0]))
        conn.execute(update(Report).where(Report.id == ids[1]).values(superseded_by=ids[2]))
        conn.execute(update(Report).where(Report.id == ids[29]).values(agency="别的局", updated_at=utcnow()))
    same(reread=1)
    with lib.engine.begin() as conn:  # the superseded one current again: read back
        conn.execute(update(Report).where(Report.id == ids[1]).values(superseded_by=None))
    same(reread=1)
    same(reread=0)


def test_a_patched_matrix_reuses_only_memory_nobody_holds(tmp_path: Path) -> None:
    """After a correction the matrix is copied into an earlier one only when no frame, column or view
    of that one is alive: frames handed out keep their values through later corrections."""
    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    populate(lib, 20)
    rid = int(lib.dataset()["report_id"].iloc[3])
    cache = lib._dataset_cache  # type: ignore[attr-defined]

    def write(value: float) -> None:
        lib.add_correction(rid, "n.proactive_total", value, "测试")

    first = lib.dataset()
    held: list = [(first, first.copy(deep=True))]  # (handed out, a deep copy then): frames, columns
    for value in (1.0, 2.0, 3.0, 4.0):
        write(value)
        frame = lib.dataset()
        held.append((frame, frame.copy(deep=True)))
        column = frame["n.proactive_total"]
        held.append((column, column.copy(deep=True)))
    view = cache.matrix[:5]
    snapshot = view.copy()
    write(5.0)
    lib.dataset()
    write(6.0)
    lib.dataset()
    for then, copy in held:
        if isinstance(then, pd.DataFrame):
            pd.testing.assert_frame_equal(then, copy)
        else:
            pd.testing.assert_series_equal(then, copy)
    assert np.array_equal(view, snapshot, equal_nan=True)
    assert cache.reused == 0  # every earlier matrix was held
    assert float(lib.dataset().set_index("report_id").loc[rid, "n.proactive_total"]) == 6.0
    # Nothing held any more: the matrices alternate between two buffers instead of new ones.
    del held, view, frame, column, first
    lib._cache = None  # the library's own cache of the last frame  # type: ignore[assignment]
    for value in (7.0, 8.0, 9.0, 10.0):
        write(value)
        lib.dataset()
        lib._cache = None  # type: ignore[assignment]
    assert cache.reused >= 3
    assert float(lib.dataset().set_index("report_id").loc[rid, "n.proactive_total"]) == 10.0
    with lib.engine.connect() as conn:
        from library.dataset_cache import DatasetCache

        pd.testing.assert_frame_equal(lib.dataset(), DatasetCache().refresh(conn))

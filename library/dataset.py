"""The standardised dataset: one row per stored report (agency × year), stable column keys.

Columns, in this order (:func:`dataset_columns`):
- ``META_COLUMNS``: report_id, agency, region, year, agency_type, template, filename, checks_failed,
  unmatched_labels (the number of labels the parser could not place);
- every canonical cell key of :data:`parsing.schema.CELLS`, in template order: the value the report
  states, with the reviewer's corrections applied; NaN when the report does not contain the cell
  or leaves it blank (blank is never zero);
- ``n.<key>`` for each narrative figure of :data:`parsing.schema.NARRATIVE_KEYS`;
- ``n.<flag>`` for each flag of :data:`parsing.schema.NARRATIVE_FLAGS` (1.0 when set, else NaN).

Keys of both template versions sit side by side: a 2019-format report has NaN in the 2021-only
columns and vice versa; the few cells both versions share (e.g. 行政许可 处理决定数量) have one key.
:func:`chinese_headers` gives every column a unique Chinese header.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from parsing.schema import CELLS, NARRATIVE_FLAGS, NARRATIVE_KEYS, SECTION2, V2019, V2021
from parsing.vocabulary import KIND_NAMES, MEASURE_KIND_NAMES, META_HEADERS, SECTION_NAMES

META_COLUMNS: list[str] = [
    "report_id",
    "agency",
    "region",
    "year",
    "agency_type",
    "template",
    "filename",
    "checks_failed",
    "unmatched_labels",
]
CELL_COLUMNS: list[str] = list(CELLS)
NARRATIVE_COLUMNS: list[str] = [f"n.{k}" for k in NARRATIVE_KEYS]
# 1.0 where the report flags its figure (e.g. a lower bound "5500余条"), NaN otherwise.
FLAG_COLUMNS: list[str] = [f"n.{k}" for k in NARRATIVE_FLAGS]
# The flag column of a figure column: corrected figures are exact, so a correction clears it.
FLAG_OF: dict[str, str] = {"n.proactive_total": "n.proactive_total_approx"}
VALUE_COLUMNS: list[str] = CELL_COLUMNS + NARRATIVE_COLUMNS + FLAG_COLUMNS

_SECTION_NUMERAL = {"s2": "二", "s3": "三", "s4": "四"}


def dataset_columns() -> list[str]:
    """All column keys of the standardised dataset, in order."""
    return META_COLUMNS + VALUE_COLUMNS


def _block_caption(key: str) -> str:
    block_key = key.split(".")[1]
    for blocks in SECTION2.values():
        for b in blocks:
            if b.key == block_key:
                return b.caption
    return block_key


def chinese_headers() -> dict[str, str]:
    """Column key → unique Chinese header, e.g. ``二｜第二十条第（一）项｜规章 / 本年新制作数量（2019版）``.

    The version tag appears only on cells that exist in one template version, so a reader sees at
    once that 2019 and 2021 columns are different measures.
    """
    headers = dict(META_HEADERS)
    for key, spec in CELLS.items():
        tag = "" if len(spec.versions) > 1 else f"（{spec.versions[0]}版）"
        unit = f"［{spec.unit}］" if spec.unit and spec.unit not in spec.label else ""
        if spec.section == "s2":
            headers[key] = f"二｜{_block_caption(key)}｜{spec.label}{unit}{tag}"
        else:
            headers[key] = f"{_SECTION_NUMERAL[spec.section]}｜{spec.label}{tag}"
    for key, label in {**NARRATIVE_KEYS, **NARRATIVE_FLAGS}.items():
        headers[f"n.{key}"] = f"正文｜{label}"
    return headers


def key_documentation() -> pd.DataFrame:
    """One row per column: key, Chinese header, section, template versions, kind, unit, stock or flow
    (the key sheet; every value in Chinese)."""
    headers = chinese_headers()
    both = f"{V2019}、{V2021}"
    flow = MEASURE_KIND_NAMES["flow"]
    rows = []
    for key in dataset_columns():
        spec = CELLS.get(key)
        if spec is not None:
            section = SECTION_NAMES[spec.section]
            versions = "、".join(spec.versions)
            rows.append(
                (
                    key,
                    headers[key],
                    section,
                    versions,
                    KIND_NAMES.get(spec.kind, spec.kind),
                    spec.unit or "",
                    MEASURE_KIND_NAMES[spec.measure_kind],
                )
            )
        elif key in FLAG_COLUMNS:
            rows.append((key, headers[key], "正文数字", both, "标记（是／空白）", "", ""))
        elif key.startswith("n."):
            rows.append((key, headers[key], "正文数字", both, KIND_NAMES["count"], "", flow))
        else:
            rows.append((key, headers[key], "报告信息", "", "", "", ""))
    return pd.DataFrame(
        rows, columns=["字段键", "中文表头", "部分", "适用格式版本", "类型", "单位", "存量／流量"]
    )


_META_FIELDS: tuple[tuple[str, str, Any], ...] = (  # dataset column, row attribute, dtype
    ("report_id", "id", "int64"),
    ("agency", "agency", "object"),
    ("region", "region", "object"),
    ("year", "year", "Int64"),
    ("agency_type", "agency_type", "object"),
    ("template", "template", "object"),
    ("filename", "filename", "object"),
    ("checks_failed", "checks_failed", "int64"),
    ("unmatched_labels", "unmatched_count", "int64"),
)


def build_dataset(
    rows: Sequence[Any], corrections: Iterable[Any], layouts: Mapping[int, Sequence[str]]
) -> pd.DataFrame:
    """The dataset from report rows, corrections (in id order; the latest per cell wins) and layouts.

    ``rows`` have attributes id, filename, agency, region, year, agency_type, template,
    checks_failed, unmatched_count, layout_id, values_blob (float64 values in the order of
    ``layouts[layout_id]``) and narrative_json (a dict, or its JSON text).

    Column-wise throughout (no per-report Python work beyond reading the row): it is rebuilt after
    every change of the library, on tens of thousands of reports.
    """
    return frame_of(*dataset_parts(rows, corrections, layouts))


def dataset_parts(
    rows: Sequence[Any], corrections: Iterable[Any], layouts: Mapping[int, Sequence[str]]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """What :func:`build_dataset` assembles: the META_COLUMNS (column → object array) and the matrix
    of VALUE_COLUMNS (one row per report)."""
    n = len(rows)
    columns = row_columns(rows)
    col_index = {k: i for i, k in enumerate(VALUE_COLUMNS)}
    matrix = np.full((n, len(VALUE_COLUMNS)), np.nan)
    _fill_values(matrix, columns["layout_id"], columns["values_blob"], layouts, col_index)
    _fill_narratives(matrix, list(columns["narrative_json"]), col_index)
    _apply_corrections(matrix, {i: k for k, i in enumerate(columns["id"])}, corrections, col_index)
    meta = {}
    for column, attr, _ in _META_FIELDS:
        meta[column] = np.empty(n, dtype=object)
        meta[column][:] = columns[attr]
    return meta, matrix


_ROW_FIELDS = ("id", "layout_id", "values_blob", "narrative_json", *(attr for _, attr, _ in _META_FIELDS))


def row_columns(rows: Sequence[Any]) -> dict[str, Sequence[Any]]:
    """Field name → the rows' values, column by column. Result rows (and named tuples) are transposed
    in one go: reading 50,000 rows attribute by attribute cost more than the rest of the build."""
    if rows and hasattr(rows[0], "_fields"):
        return dict(zip(rows[0]._fields, zip(*rows, strict=True), strict=True))
    return {name: [getattr(r, name) for r in rows] for name in _ROW_FIELDS}


def frame_of(
    meta: Mapping[str, np.ndarray], matrix: np.ndarray, typed: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """The dataset frame of :func:`dataset_parts`; ``typed``: :func:`typed_meta` of ``meta`` when the
    caller keeps it (library.dataset_cache: converting the text columns costs ~20 ms at 50,000)."""
    return pd.concat(
        [
            # Already converted: the frame takes the arrays as they are.
            pd.DataFrame(dict(typed if typed is not None else typed_meta(meta)), copy=False),
            # Not copied: the parts are never changed once built (library.dataset_cache makes new ones).
            pd.DataFrame(matrix, columns=VALUE_COLUMNS, copy=False),
        ],
        axis=1,
    )


def typed_meta(
    meta: Mapping[str, np.ndarray],
    old: Mapping[str, Any] | None = None,
    keep: np.ndarray | None = None,
    piece: Mapping[str, np.ndarray] | None = None,
    order: np.ndarray | None = None,
) -> dict[str, Any]:
    """The META_COLUMNS of ``meta`` (column → object array) as the dataset frame holds them (the only
    place their dtypes are decided: text columns become pandas' string dtype when every value is a
    string or missing).

    With ``old`` (this function's result for the earlier parts), ``keep``, ``piece`` and ``order``
    (``meta`` being ``concatenate([earlier[keep], piece])[order]``; ``order`` None: not reordered): a
    column whose dtype cannot change is assembled from the converted one the same way instead of
    converting 50,000 values."""
    out: dict[str, Any] = {}
    for column, _, dtype in _META_FIELDS:
        if column not in meta:
            continue
        values = meta[column]
        if old is not None and keep is not None and piece is not None and keep.any():
            before = old[column]
            added = _typed_column(piece[column], dtype)
            if isinstance(before.dtype, pd.StringDtype) and all(
                v is None or isinstance(v, str) for v in piece[column].tolist()
            ):  # strings and missing values (alone too) join a string column as they are
                added = pd.array(piece[column], dtype=before.dtype)
            if before.dtype != object and added.dtype == before.dtype or len(added) == 0:
                kept = before if keep.all() else before[keep]
                if isinstance(before, np.ndarray):
                    joined = np.concatenate([kept, np.asarray(added, dtype=before.dtype)])
                else:
                    joined = type(before)._concat_same_type([kept, added.astype(before.dtype)])
                if order is not None:  # None: already in order
                    joined = joined[order] if isinstance(joined, np.ndarray) else joined.take(order)
                # A text column whose last value left would be of object dtype when read afresh.
                if not (dtype == "object" and bool(pd.isna(joined).all())) and joined.dtype != object:
                    out[column] = joined
                    continue
        out[column] = _typed_column(values, dtype)
    return out


def _typed_column(values: np.ndarray, dtype: Any) -> Any:
    """One META column as a frame built from ``values`` holds it (a numpy array or a pandas array)."""
    series = pd.DataFrame({"c": pd.array(values, dtype=dtype)})["c"]
    if isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
        return series.array
    return series.to_numpy()


def _fill_values(
    matrix: np.ndarray,
    layout_ids: Sequence[int],
    blobs: Sequence[Any],
    layouts: Mapping[int, Sequence[str]],
    col_index: dict[str, int],
) -> None:
    """Each report's value blob into its matrix row (one numpy block per value layout)."""
    by_layout: dict[int, list[int]] = {}
    for i, layout_id in enumerate(layout_ids):
        by_layout.setdefault(layout_id, []).append(i)
    for layout_id, idx in by_layout.items():
        keys = list(layouts[layout_id])
        known = [j for j, k in enumerate(keys) if k in col_index]
        if not known:
            continue
        # One buffer per layout: every report of it becomes one matrix row without Python loops.
        blob = b"".join(bytes(blobs[i]) for i in idx)  # bytes() also takes a driver's memoryview
        block = np.frombuffer(blob, dtype="<f8").reshape(len(idx), len(keys))
        matrix[np.ix_(idx, [col_index[keys[j]] for j in known])] = block[:, known]


def _decoded(narratives: list[Any]) -> list[Any]:
    """The narrative dicts: JSON texts (raw SQL on SQLite returns them) decoded in one call."""
    texts = [i for i, v in enumerate(narratives) if isinstance(v, str | bytes)]
    if not texts:
        return narratives
    parts = [narratives[i].decode() if isinstance(narratives[i], bytes) else narratives[i] for i in texts]
    out = list(narratives)
    for i, value in zip(texts, json.loads("[" + ",".join(parts) + "]"), strict=True):
        out[i] = value
    return out


def _fill_narratives(matrix: np.ndarray, narratives: list[Any], col_index: dict[str, int]) -> None:
    """The narrative figures and flags into their ``n.`` columns (None and False stay blank)."""
    at: dict[int, tuple[list[int], list[float]]] = {}
    for i, narrative in enumerate(_decoded(narratives)):
        for k, v in (narrative or {}).items():
            j = col_index.get(f"n.{k}")
            if j is not None and v is not None and v is not False:
                rows_of, values = at.setdefault(j, ([], []))
                rows_of.append(i)
                values.append(float(v))
    for j, (rows_of, values) in at.items():
        matrix[rows_of, j] = values


def _apply_corrections(
    matrix: np.ndarray, row_of: dict[int, int], corrections: Iterable[Any], col_index: dict[str, int]
) -> None:
    """The reviewers' corrections over the stored values (in order: the latest per cell wins)."""
    for c in corrections:
        row_i, j = row_of.get(c.report_id), col_index.get(c.key)
        if row_i is not None and j is not None:
            matrix[row_i, j] = np.nan if c.new is None else c.new
            flag = FLAG_OF.get(c.key)
            if flag is not None:
                matrix[row_i, col_index[flag]] = np.nan  # a reviewed figure is exact


def empty_dataset() -> pd.DataFrame:
    """A dataset with no rows and every column (for pages on an empty library)."""
    return build_dataset([], [], {})

"""名录: the roster as an editable table and back (pure, no Streamlit)."""

from __future__ import annotations

import pandas as pd

from library.roster_io import RosterRow
from parsing.vocabulary import ROSTER_HEADERS

H = ROSTER_HEADERS
ID_HEADER = "编号"


def editor_frame(rows: list[RosterRow]) -> pd.DataFrame:
    """The roster as the page's editable table (Chinese headers, the stored id first)."""
    # Explicit types: an empty roster would otherwise give float columns, which text columns refuse.
    return pd.DataFrame(
        {
            ID_HEADER: pd.array([r.id for r in rows], dtype="Int64"),
            H["name"]: pd.array([r.name for r in rows], dtype="string"),
            H["agency_type"]: pd.array([r.agency_type or "" for r in rows], dtype="string"),
            H["region"]: pd.array([r.region or "" for r in rows], dtype="string"),
            H["level"]: pd.array([r.level for r in rows], dtype="string"),
            H["aliases"]: pd.array(["、".join(r.aliases) for r in rows], dtype="string"),
        }
    )


def _text(value: object) -> str:
    """A cell of the editor as text (a new row's cells are None or <NA>)."""
    return (
        ""
        if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))
        else str(value).strip()
    )


def rows_from_editor(frame: pd.DataFrame) -> list[RosterRow]:
    """The edited table as roster rows (blank lines dropped; aliases split at 、 , ；)."""
    rows = []
    for rec in frame.to_dict("records"):
        texts = {column: _text(rec.get(header)) for column, header in H.items()}
        if not any(texts.values()):
            continue
        aliases = texts["aliases"].replace("，", "、").replace(",", "、").replace("；", "、")
        entry_id = _text(rec.get(ID_HEADER))
        rows.append(
            RosterRow(
                name=texts["name"],
                agency_type=texts["agency_type"] or None,
                region=texts["region"] or None,
                level=texts["level"] or "部门",
                aliases=tuple(a.strip() for a in aliases.split("、") if a.strip()),
                id=int(entry_id) if entry_id else None,
            )
        )
    return rows

"""Agency types (机关类型) used to group agencies, and a guess of the type from the agency's name.

The types and the name patterns that guess them are data, in ``agency_types.toml`` beside this module
(see the comments there), so a type a county has can be added without touching code. Pure Python (no
Streamlit): the library, the synthetic data generator and tests use it too. The guess only pre-fills
the upload form: the reviewer confirms or edits it before saving.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("agency_types.toml")


@dataclass(frozen=True)
class AgencyType:
    """One agency type and the name patterns that suggest it."""

    name: str
    contains: tuple[str, ...] = ()
    regex: tuple[re.Pattern[str], ...] = ()

    def fits(self, name: str, department: str) -> bool:
        """Whether the (whitespace-free) ``name`` suggests this type; ``department`` is the name with
        the hidden words removed, for the ``contains`` search."""
        return any(w in department for w in self.contains) or any(p.search(name) for p in self.regex)


@dataclass(frozen=True)
class AgencyTypeTable:
    """The contents of the data file."""

    types: tuple[AgencyType, ...]
    hide: tuple[str, ...]
    other: str


def load_agency_types(path: Path = DATA_FILE) -> AgencyTypeTable:
    """Read an agency-type data file (TOML; format described in ``agency_types.toml``)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    types = tuple(
        AgencyType(
            name=entry["name"],
            contains=tuple(entry.get("contains", ())),
            regex=tuple(re.compile(p) for p in entry.get("regex", ())),
        )
        for entry in data["type"]
    )
    return AgencyTypeTable(types=types, hide=tuple(data.get("hide", ())), other=data.get("other", "其他"))


@cache
def _table() -> AgencyTypeTable:
    return load_agency_types()


OTHER: str = _table().other
# Every type a reviewer can choose, in the order of the data file, 其他 last.
AGENCY_TYPES: tuple[str, ...] = (*(t.name for t in _table().types), OTHER)


def guess_agency_type(name: str | None, table: AgencyTypeTable | None = None) -> str:
    """Guess the agency type from its name (``其他`` when nothing fits or the name is unknown)."""
    table = table or _table()
    if not name:
        return table.other
    text = re.sub(r"\s+", "", name)
    department = text
    for word in table.hide:
        department = department.replace(word, "")
    return next((t.name for t in table.types if t.fits(text, department)), table.other)

"""Which roster entry (机关名录) a stored report belongs to: pure functions, no database.

Tiers, in order (the first that decides wins; each link keeps its tier and score):

1. ``reviewer``: a link a reviewer saved for this agency name in this region (reused by every report
   with the same name and region, next year's included). Checked first so that a reviewer's decision
   always wins, also over a wrong fuzzy match; a saved "not in the roster" (entry ``None``) stops the
   automatic tiers too.
2. ``exact``: the normalised names are equal, or equal once the region in front of them is set aside
   (``淮安市洪泽区人民政府`` in 洪泽区 = ``洪泽区人民政府`` = ``区人民政府`` of 洪泽区).
3. ``alias``: the same comparison against the entry's aliases.
4. ``fuzzy``: rapidfuzz ``ratio`` of the names without their region, at least :data:`FUZZY_CUTOFF`, and
   clearly ahead of the second candidate.

Regions: a report is never linked to an entry of another region. A name without its region
(``区财政局``, ``财政局``) is compared only within the report's own region; when the report's region is
unknown only a full name that exactly one entry carries can link it. Two candidates that tie leave the
report unlinked (``ambiguous``): a wrong link is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from parsing.metadata import region_of
from parsing.normalize import normalize_text

FUZZY_CUTOFF = 85.0  # rapidfuzz ratio (0–100) of two names without their region
FUZZY_MARGIN = 5.0  # the best fuzzy candidate must lead the next one by this much
# The level character a region ends with, written alone in front of a short name: 区财政局, 县教育局.
_LEVEL_CHARS = "省市县区旗州盟"
_SPACES = re.compile(r"\s+")

REVIEWER, EXACT, ALIAS, FUZZY, NONE, AMBIGUOUS = "reviewer", "exact", "alias", "fuzzy", "none", "ambiguous"
LINK_TIERS = (REVIEWER, EXACT, ALIAS, FUZZY, NONE, AMBIGUOUS)


@lru_cache(maxsize=65536)
def normalize_name(name: str | None) -> str:
    """An agency or region name for comparison: NFKC, simplified characters, no spaces, ASCII brackets.

    A missing name (None, or NaN from a DataFrame column) is ""."""
    text = normalize_text(name if isinstance(name, str) else "")
    text = _SPACES.sub("", text)
    return text.replace("（", "(").replace("）", ")").strip()


@lru_cache(maxsize=65536)
def same_region(a: str | None, b: str | None) -> bool:
    """True when two known regions are the same place (``淮安市洪泽区`` and ``洪泽区`` are)."""
    na, nb = normalize_name(a), normalize_name(b)
    if not na or not nb:
        return False
    short, long = sorted((na, nb), key=len)
    return len(short) >= 2 and long.endswith(short)


def region_key(region: str | None) -> str:
    """The key a region is saved under (reviewer links): normalised, "" when unknown."""
    return normalize_name(region)


@lru_cache(maxsize=65536)
def placed_name(name: str | None, region: str | None) -> tuple[str | None, str]:
    """``(region, name within it)``: the region the name states (else the given one) and the rest.

    ``淮安市洪泽区人民政府`` → (洪泽区, 人民政府), whatever region was given: a name that states its
    region belongs there. ``区财政局`` in 洪泽区 → (洪泽区, 财政局): the bare level character stands for
    the region when the region ends with it. ``高良涧街道办事处`` in 洪泽区 → (洪泽区, 高良涧街道办事处).
    """
    text = normalize_name(name)
    stated = region_of(text)
    if stated and (pos := text.find(stated)) >= 0 and text[pos + len(stated) :]:
        return stated, text[pos + len(stated) :]
    level = normalize_name(region)[-1:]
    if len(text) > 2 and text[0] in _LEVEL_CHARS and text[0] == level:
        return region, text[1:]
    return region, text


@dataclass(frozen=True)
class RosterItem:
    """One roster entry as the linker sees it."""

    id: int
    name: str
    region: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def home(self) -> str | None:
        """The entry's region: as given, else the one its name states."""
        return self.region or region_of(normalize_name(self.name))

    def names(self, tier: str) -> tuple[str, ...]:
        """The names compared in a tier: the entry's own name (exact, fuzzy) or its aliases."""
        return self.aliases if tier == ALIAS else (self.name,)


@dataclass(frozen=True)
class Link:
    """Where a report was linked: the entry (None: no entry), how, and with what score (0–100)."""

    entry_id: int | None
    tier: str
    score: float = 0.0
    candidates: tuple[int, ...] = field(default=())  # the tied entries of an ambiguous link


def _regions_allow(report_region: str | None, entry: RosterItem) -> bool:
    """A known report region must be the entry's; an entry without a region is open to every report."""
    home = entry.home
    if not home:
        return True
    if not report_region:
        return True  # every region allowed: a full name that several entries carry then ties
    return same_region(report_region, home)


class RosterIndex:
    """The roster prepared for linking many reports (names normalised once)."""

    def __init__(self, entries: Iterable[RosterItem]) -> None:
        self.entries = list(entries)
        self._full: dict[str, dict[str, list[RosterItem]]] = {EXACT: {}, ALIAS: {}}
        # Each name and alias placed in its region once: (entry, tier, region, name within the region).
        self._placed: list[tuple[RosterItem, str, str | None, str]] = []
        for entry in self.entries:
            for tier in (EXACT, ALIAS):
                for name in entry.names(tier):
                    self._full[tier].setdefault(normalize_name(name), []).append(entry)
                    self._placed.append((entry, tier, *placed_name(name, entry.region)))

    def _full_name(self, tier: str, name: str, region: str | None) -> list[RosterItem]:
        """Entries whose full (normalised) name or alias is ``name``, in a region the report allows."""
        # With the report's region unknown every region is allowed: several entries then tie.
        return [e for e in self._full[tier].get(name, []) if _regions_allow(region, e)]

    def _local_name(self, tier: str, agency: str, region: str | None) -> list[RosterItem]:
        """Entries of the report's region whose name (or alias) without its region is the report's."""
        where, wanted = placed_name(agency, region)
        if not where:
            return []
        return [
            e
            for e, t, home, rest in self._placed
            if t == tier and rest == wanted and home and same_region(where, home)
        ]

    def _fuzzy(self, agency: str, region: str | None) -> Link:
        """The one entry of the report's region whose name is close enough, or no link."""
        where, wanted = placed_name(agency, region)
        scored: dict[int, float] = {}
        for e, _tier, home, rest in self._placed:
            # Never across regions: with either region unknown, only when both are unknown.
            if (where or home) and not same_region(where, home):
                continue
            scored[e.id] = max(scored.get(e.id, 0.0), fuzz.ratio(wanted, rest))
        ranked = sorted(scored.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < FUZZY_CUTOFF:
            return Link(None, NONE, ranked[0][1] if ranked else 0.0)
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < FUZZY_MARGIN:
            tied = tuple(i for i, s in ranked if ranked[0][1] - s < FUZZY_MARGIN)
            return Link(None, AMBIGUOUS, ranked[0][1], tied)
        return Link(ranked[0][0], FUZZY, ranked[0][1])

    def link(
        self,
        agency: str | None,
        region: str | None,
        saved: Mapping[tuple[str, str], int | None] | None = None,
    ) -> Link:
        """The roster entry of a report with this agency name and region (tiers in the module docstring)."""
        key = (normalize_name(agency), region_key(region))
        if saved and key in saved:
            return Link(saved[key], REVIEWER, 100.0)
        if not key[0]:
            return Link(None, NONE)
        where = placed_name(agency, region)[0]
        for tier in (EXACT, ALIAS):
            found = _unique(self._full_name(tier, key[0], where) or self._local_name(tier, key[0], region))
            if found is not None:
                return Link(found[0], tier if found[0] is not None else AMBIGUOUS, 100.0, found[1])
        return self._fuzzy(key[0], region)


def _unique(found: Sequence[RosterItem]) -> tuple[int | None, tuple[int, ...]] | None:
    """``(id, ())`` for one entry, ``(None, ids)`` for several, None for none."""
    ids = tuple(dict.fromkeys(e.id for e in found))
    if not ids:
        return None
    return (ids[0], ()) if len(ids) == 1 else (None, ids)


def link_reports(
    reports: Iterable[tuple[int, str | None, str | None]],
    entries: Iterable[RosterItem],
    saved: Mapping[tuple[str, str], int | None] | None = None,
    memo: dict[tuple[str | None, str | None], Link] | None = None,
) -> dict[int, Link]:
    """``{report_id: Link}`` for ``(report_id, agency, region)`` triples; names are linked once each.

    ``memo``: the links already made with the same ``entries`` and ``saved`` links, by (agency,
    region); filled with the new ones (the caller keeps it while the roster and links are unchanged).
    """
    index: RosterIndex | None = None  # built only when a name is not in the memo
    memo = {} if memo is None else memo
    out: dict[int, Link] = {}
    for report_id, raw_agency, raw_region in reports:
        # A blank name read back through a DataFrame is NaN, not None: both mean "not known".
        agency = raw_agency if isinstance(raw_agency, str) else None
        region = raw_region if isinstance(raw_region, str) else None
        link = memo.get((agency, region))
        if link is None:
            if index is None:
                index = RosterIndex(entries)
            link = memo[(agency, region)] = index.link(agency, region, saved)
        out[report_id] = link
    return out

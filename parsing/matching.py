"""Tiered label matching: exact → alias → override → fuzzy (rapidfuzz, explicit cutoff) → unmatched.

Tiers a match can carry (:attr:`Match.tier`), strongest first:

- ``override``: a reviewer's saved decision;
- ``exact``: the written label is a standard one (numbering, spaces and punctuation width aside);
- ``note_stripped``: exact once parenthetical notes are removed, full- or half-width, wrapped over
  lines or cut off where a page or excerpt ended ("规范性文件（行政机关制定发布的…", §7.4);
- ``alias``: a variant seen in real reports;
- ``prefix``: a standard label followed by a short unbracketed annotation, or the clipped start of
  exactly one standard label among all of them (long labels only);
- ``contained``: a standard label inside a short written one that is mostly that label
  ("市级行政规范性文件"), never inside prose;
- ``clipped``: the start of exactly one of the labels allowed at a table position
  (:meth:`Matcher.at_position`: "行政强" where only 行政处罚/行政强制 may stand);
- ``fuzzy``: rapidfuzz ``ratio`` at or above :data:`FUZZY_CUTOFF`.

A label with digits run into it ("其他对外管理服务事项000") is not a label: :meth:`Matcher.candidates`
leaves it unmatched so the digits are never lost with a fuzzy match, and :meth:`Matcher.run_in` returns
the label's matches and the digits separately.

Targets are the things a label in a report can stand for: a row, a column, a group label, a block
caption or a header word. Target ids are stable strings (they are stored as reviewer overrides):

- ``s2.row.<block>.<row>``       ``s2.col.<version>.<block>.<col>``   ``s2.caption`` ``s2.header``
- ``s3.row.<row>``  ``s3.group.<group>``  ``s3.col.<col>``  ``s3.header``
- ``s4.header.<word>``
- ``ignore`` (an override that marks a label as deliberately not mapped)
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from parsing import schema
from parsing.normalize import normalize_label, normalize_text
from parsing.vocabulary import IGNORE

FUZZY_CUTOFF = 80.0  # rapidfuzz ratio (0-100) below which a label stays unmatched
PREFIX_SCORE = 90.0  # score given when a standard label starts a longer written one (annotations)
CLIPPED_SCORE = 85.0  # score given when a written label is the clipped start of one standard label
CONTAINED_SCORE = 88.0  # score given when a short written label is mostly one standard label
CONTAINED_MIN_SHARE = 0.6  # the standard label must make up this share of the written one
CONTAINED_MAX_EXTRA = 8  # characters around the standard label at most
CONTAINED_MIN_LEN = 4  # shorter standard labels (规章, 其他, 总计) occur inside too many words
CLIPPED_MIN_LEN = 2  # a clipped label at a known position keeps at least this many characters

_CN_NUM = "一二三四五六七八九十"
_PREFIX = re.compile(
    rf"^(?:(?P<paren>\(\s*(?P<pnum>[{_CN_NUM}\d]{{0,3}})\s*\)?)"
    rf"|(?P<cn>[{_CN_NUM}]{{1,3}})[、.．,]"
    r"|(?P<ar>\d{1,2})(?:[.、．,](?!\d)|(?=[\u4e00-\u9fff]))"
    r"|(?P<lost>[、.．]))"
)
_PAREN_NOTE = re.compile(r"\([^()]*\)")
_OPEN_NOTE = re.compile(r"\([^()]*$")
_NOTE_TAIL = re.compile(r"^[^()]*\)")  # the end of a note begun on an earlier line: "知,以及…)"
# Digits run into a label: the label, then digits (spaced, or a decimal for amounts) up to the end.
_RUN_IN = re.compile(r"^(?P<label>.*?[^\d\s.,])\s*(?P<digits>\d[\d\s]*(?:\.\d+)?)$")
_SENTENCE_PUNCT = re.compile(r"[,.;!?，。；！？]")


@dataclass(frozen=True)
class Target:
    """Something a label can be matched to."""

    id: str
    section: str  # s2 | s3 | s4
    kind: str  # row | col | group | caption | header
    label: str  # standard Chinese label
    version: str | None = None  # template version this label marks, if any


@dataclass(frozen=True)
class Match:
    """The result of matching one written label."""

    text: str  # as written
    target: Target | None
    score: float
    tier: str  # exact | note_stripped | alias | override | prefix | contained | clipped | fuzzy
    numbered: bool  # the label carries an item number, maybe emptied: "(一)", "()", "1.", "四、"

    @property
    def id(self) -> str | None:
        return self.target.id if self.target else None


@dataclass(frozen=True)
class RunIn:
    """A label with its digits run into it ('行政事业性收费00'): the label's matches and the digits."""

    label: str  # the written label without the digits
    digits: str  # the digits as written, inner spaces kept ('1 0 0' or '100')
    matches: list[Match]  # the label's candidates, as :meth:`Matcher.candidates` gives them


def split_prefix(label: str) -> tuple[str, str]:
    """Split a normalised label into (numbering prefix, content): '(一)予以公开' → ('(一)', '予以公开')."""
    m = _PREFIX.match(label)
    if not m or m.end() == len(label):
        return "", label
    return label[: m.end()], label[m.end() :]


def strip_notes(content: str) -> tuple[str, bool]:
    """(content without parenthetical notes, whether a note was removed).

    Notes closed on the same text ('规章(设区的市…)'), notes left open where a line or page ended
    ('规范性文件(行政机关制定发布的决定、公告、通'), nested notes, and the tail of a note begun on an
    earlier line ('知,以及标题采用…)') all go. A text that is nothing but a note tail gives ''.
    """
    stripped = _NOTE_TAIL.sub("", content)
    while True:
        shorter = _PAREN_NOTE.sub("", stripped)
        if shorter == stripped:
            break
        stripped = shorter
    stripped = _OPEN_NOTE.sub("", stripped)
    stripped = stripped.replace("(", "").replace(")", "")
    return stripped, stripped != content


def label_core(text: str) -> str:
    """A written label as the matcher compares it: normalised, without its numbering and its notes.

    For callers that judge a cell by its size: a label with a long provincial note
    ('规范性文件（行政机关制定发布的决定、公告、通告、意见、通知，以及标题采用…）') is long but its core
    is short, so it should not be taken for prose.
    """
    return strip_notes(split_prefix(normalize_label(text))[1])[0]


def core(content: str) -> str:
    """The content without parenthetical notes: '规章(设区的市…)' → '规章' (unchanged when all is note)."""
    return strip_notes(content)[0] or content


def _targets() -> list[Target]:
    out: list[Target] = [
        Target("s2.caption", "s2", "caption", "第二十条"),
        Target("s2.header", "s2", "header", "信息内容"),
    ]
    for version, blocks in schema.SECTION2.items():
        for block in blocks:
            for row_key, row_label in block.rows:
                marks = None
                if row_key == "normative_documents" or row_key in (
                    "other_management_services",
                    "centralized_procurement",
                ):
                    marks = version
                tid = f"s2.row.{block.key}.{row_key}"
                if not any(t.id == tid and t.label == row_label for t in out):
                    out.append(Target(tid, "s2", "row", row_label, marks))
            for col in block.cols:
                out.append(Target(f"s2.col.{version}.{block.key}.{col.key}", "s2", "col", col.label, version))
    for row in schema.S3_ROWS:
        out.append(
            Target(
                f"s3.row.{row.key}",
                "s3",
                "row",
                row.label,
                row.versions[0] if len(row.versions) == 1 else None,
            )
        )
    for gkey, glabel in schema.S3_GROUPS.items():
        out.append(Target(f"s3.group.{gkey}", "s3", "group", glabel))
    for ckey, clabel in schema.S3_COLUMNS:
        out.append(Target(f"s3.col.{ckey}", "s3", "col", clabel))
    for word in (schema.S3_APPLICANT_GROUP, schema.S3_ORG_GROUP):
        out.append(Target("s3.header", "s3", "header", word))
    for word in schema.S4_HEADER_WORDS:
        out.append(Target(f"s4.header.{word}", "s4", "header", word))
    return out


TARGETS: list[Target] = _targets()
TARGET_BY_ID: dict[str, Target] = {}
for _t in TARGETS:
    TARGET_BY_ID.setdefault(_t.id, _t)

# Known variants seen in real reports (domain reference §7.1): written core → target id.
ALIASES: dict[str, str] = {
    "商业机构": "s3.col.commercial_enterprise",
    "企业": "s3.col.commercial_enterprise",
    "合计": "s3.col.total",
    "总数": "s3.col.total",
    "其他组织": "s3.col.other_org",
    "属于三类内容事务信息": "s3.row.r3_3_5_internal_affairs",
    "其他处": "s3.group.g3_6_other",
    "本年新": "s2.col.2019.art20_1.new_made",
    "本年增": "s2.col.2019.art20_5.items_change",
    "本年增减": "s2.col.2019.art20_5.items_change",
    "增减": "s2.col.2019.art20_5.items_change",
    "处理决定": "s2.col.2019.art20_5.decisions",
    "本年收费金额单位:万元": "s2.col.2021.art20_8.fee_amount_wan_yuan",
    "规范性文件数量": "s2.row.art20_1.normative_documents",
    "法人或者其他组织": "s3.header",
    "复议": "s4.header.行政复议",
    "诉讼": "s4.header.行政诉讼",
}


# Standard labels whose official wording includes a note ('部分公开(区分处理的,…)'): written in full,
# they are exact, not note-stripped.
_FULL_LABELS: frozenset[str] = frozenset(split_prefix(normalize_label(t.label))[1] for t in TARGETS)


def _key_of(label: str) -> str:
    """The lookup form of a standard or written label: normalised, no numbering, no notes."""
    return core(split_prefix(normalize_label(label))[1])


@lru_cache(maxsize=8)
def _index(section: str | None) -> tuple[dict[str, list[Target]], list[str]]:
    exact: dict[str, list[Target]] = {}
    for t in TARGETS:
        if section is None or t.section == section:
            exact.setdefault(_key_of(t.label), []).append(t)
    return exact, list(exact)


# group label core → ids of the rows under it ('不予公开' → the eight r3_3_* rows)
_GROUP_ROWS: dict[str, set[str]] = {}
for _row in schema.S3_ROWS:
    if _row.group:
        _GROUP_ROWS.setdefault(core(split_prefix(normalize_label(_row.group))[1]), set()).add(
            f"s3.row.{_row.key}"
        )


def target_choices(section: str | None = None) -> list[tuple[str, str]]:
    """(target id, Chinese label) pairs a reviewer can pick from, optionally for one section."""
    seen: dict[str, str] = {}
    for t in TARGETS:
        if (section is None or t.section == section) and t.kind in ("row", "col", "group"):
            prefix = {"s2": "主动公开", "s3": "依申请公开", "s4": "复议诉讼"}[t.section]
            version = f"（{t.version}版）" if t.kind == "col" and t.version else ""
            seen.setdefault(t.id, f"{prefix}：{t.label}{version}")
    return [*seen.items(), (IGNORE, "忽略此标签")]


class Matcher:
    """Matches written labels to targets; reviewer overrides (normalised label → target id) take part."""

    def __init__(self, overrides: dict[str, str] | None = None) -> None:
        self.overrides = {normalize_label(k): v for k, v in (overrides or {}).items()}
        self._cache: dict[tuple[str, str | None], list[Match]] = {}

    def candidates(self, text: str, section: str | None = None) -> list[Match]:
        """All equally good matches of ``text`` (ties are left to the interpreter's context), best first.

        An empty list means unmatched.
        """
        key = (text, section)
        if key not in self._cache:
            self._cache[key] = self._candidates(text, section)
        return self._cache[key]

    def run_in(self, text: str, section: str | None = None) -> RunIn | None:
        """The label and the digits of a label written with its values run into it, or None.

        '其他对外管理服务事项000' → RunIn('其他对外管理服务事项', '000', [match]); the label part must
        match on its own ('2023' or '第1' are no labels), and digits inside a note stay with the label.
        """
        text_n = normalize_text(text).strip()
        m = _RUN_IN.match(text_n)
        if m is None:
            return None
        label = m.group("label").strip()
        norm = normalize_label(label)
        if norm.count("(") > norm.count(")"):
            return None  # the digits sit inside a note cut off by the line end: '上一年项目数量（指2019'
        if strip_notes(split_prefix(norm)[1])[0] == "":
            return None  # only a number and a note
        matches = self.candidates(label, section)
        if not matches or all(mt.target is None for mt in matches):
            return None
        return RunIn(label, m.group("digits").strip(), matches)

    def at_position(self, text: str, allowed: Collection[str], section: str | None = None) -> list[Match]:
        """Matches of ``text`` among the target ids ``allowed`` where it stands (a table position).

        Any ordinary match to an allowed target is kept as it is; failing that, a label clipped in
        the middle of a word is accepted when it is the start of exactly one allowed label
        ('行政强' where 行政处罚 and 行政强制 may stand → 行政强制, tier ``clipped``).
        """
        allowed = set(allowed)
        found = [m for m in self.candidates(text, section) if m.target is not None and m.target.id in allowed]
        if found and found[0].tier != "fuzzy":
            return found
        norm = normalize_label(text)
        prefix, content = split_prefix(norm)
        written = strip_notes(content)[0].rstrip("\ufffd")
        if len(written) < CLIPPED_MIN_LEN or _RUN_IN.match(written):
            return found
        starts = {
            t.id: t
            for tid in allowed
            if (t := TARGET_BY_ID.get(tid)) is not None
            and (key := _key_of(t.label)).startswith(written)
            and key != written
        }
        if len(starts) != 1:
            return found  # fuzzy matches, if any: a unique start is the stronger evidence
        return [Match(text, next(iter(starts.values())), CLIPPED_SCORE, "clipped", bool(prefix))]

    def _candidates(self, text: str, section: str | None) -> list[Match]:
        norm = normalize_label(text)
        prefix, content = split_prefix(norm)
        numbered = bool(prefix)
        if norm in self.overrides:
            target_id = self.overrides[norm]
            if target_id == IGNORE:
                return [Match(text, None, 100.0, "override", numbered)]
            if target_id in TARGET_BY_ID:
                return [Match(text, TARGET_BY_ID[target_id], 100.0, "override", numbered)]
        # A group cell and the first row label of the group in one cell: '（三）不予公开 1.属于国家秘密'.
        for group, members in _GROUP_ROWS.items():
            rest = content[len(group) :]
            if content.startswith(group) and len(rest) >= 2:
                inner = [m for m in self._candidates(rest, section) if m.target and m.target.id in members]
                if inner:
                    return [Match(text, m.target, m.score, m.tier, True) for m in inner]
        written, noted = strip_notes(content)
        if not written:
            return []  # the rest of a note wrapped from the line before, not a label
        exact, choices = _index(section)
        if written in exact:
            tier = "note_stripped" if noted and content not in _FULL_LABELS else "exact"
            return [Match(text, t, 100.0, tier, numbered) for t in exact[written]]
        alias = ALIASES.get(written)
        if alias and (section is None or alias.startswith(section)):
            return [Match(text, TARGET_BY_ID[alias], 100.0, "alias", numbered)]
        if self._is_run_in(written, section):
            return []  # '行政事业性收费00': see run_in(); a fuzzy match here would swallow the digits
        # A standard label followed by an annotation the note-stripping missed (Hubei style).
        if len(written) >= 4:
            for choice in sorted(choices, key=len, reverse=True):
                rest = written[len(choice) :]
                if len(choice) >= 3 and written.startswith(choice) and len(rest) <= 12:
                    return [Match(text, t, PREFIX_SCORE, "prefix", numbered) for t in exact[choice]]
        # A long label clipped by a narrow column: the start of exactly one standard label.
        if len(written) >= 8:
            clipped = [c for c in choices if c.startswith(written.rstrip("\ufffd")) and c != written]
            if len(clipped) == 1:
                return [Match(text, t, CLIPPED_SCORE, "prefix", numbered) for t in exact[clipped[0]]]
        inside = _contained(written, choices)
        if inside is not None:
            return [Match(text, t, CONTAINED_SCORE, "contained", numbered) for t in exact[inside]]
        if len(written) < 2:
            return []
        best = process.extract(
            written, choices, scorer=fuzz.ratio, processor=None, score_cutoff=FUZZY_CUTOFF, limit=3
        )
        if not best:
            return []
        top = best[0][1]
        out: list[Match] = []
        for choice, score, _ in best:
            if score == top:
                out.extend(Match(text, t, round(score, 1), "fuzzy", numbered) for t in exact[choice])
        return out

    def _is_run_in(self, written: str, section: str | None) -> bool:
        """Whether ``written`` is a label followed by digits (the label part matching on its own)."""
        m = _RUN_IN.match(written)
        return m is not None and bool(self.candidates(m.group("label"), section))


def _contained(written: str, choices: list[str]) -> str | None:
    """The one standard label a short written label is mostly made of, or None.

    Guards against prose: no sentence punctuation, the standard label is at least
    :data:`CONTAINED_MIN_LEN` long and at least :data:`CONTAINED_MIN_SHARE` of the text, with at most
    :data:`CONTAINED_MAX_EXTRA` other characters. Two different labels inside → ambiguous → None.
    """
    if _SENTENCE_PUNCT.search(written):
        return None
    found = [
        c
        for c in choices
        if len(c) >= CONTAINED_MIN_LEN
        and c in written
        and len(written) - len(c) <= CONTAINED_MAX_EXTRA
        and len(c) >= CONTAINED_MIN_SHARE * len(written)
    ]
    # '行政规范性文件' contains '规范性文件': keep the longest reading only.
    found = [c for c in found if not any(c != o and c in o for o in found)]
    return found[0] if len(found) == 1 else None


@lru_cache(maxsize=1)
def shared_matcher() -> Matcher:
    """A matcher without overrides, shared by readers that only ask whether a line is a label."""
    return Matcher()

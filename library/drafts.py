"""Self-check (自查): a 填报单位 uploads a draft of its report before publishing and sees the findings
the supervisor will see for it, without the draft counting as published anywhere.

Drafts live in their own table (:class:`library.db.Draft`), never in ``reports``: the dataset, the
counts, completeness, findings, rankings, notices and exports all read ``reports``, so none of them
can include a draft, and saving or deleting a draft does not even change the library's revision.

A draft is parsed by the upload path (:func:`library.ingest.parse_upload`: the worker pool, its size
and time limits, the library's label overrides, Chinese error messages). Its findings
(:func:`draft_findings`) are computed by the findings engine itself (:func:`library.findings.
compute_findings`) on the library's reports plus one row built from the draft exactly as
:meth:`library.store.Library.add` would store it (:func:`library.store.parse_columns`), so they equal
the findings the supervisor sees once the same file is stored as a report — except publication
timeliness (逾期发布), which a report that is not published yet cannot have.

Who sees what: an account lists, opens and deletes only the drafts it uploaded; a 填报单位's drafts
are moreover those of its own agency (and region), which its account fixes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, select

from library.access import Account, Action, Role
from library.config import WRITE_OPTION
from library.dataset import build_dataset
from library.db import Draft, inserted_id, pack_json, unpack_json, utcnow
from library.errors import LibraryError
from library.finding import Finding
from library.findings import SEVERITY_ORDER, Inputs, agency_identity, compute_findings, read_inputs
from library.ingest import parse_upload
from library.report_json import parsed_from_json
from library.report_meta import given_fields, merged_metadata
from library.review import unmatched_labels_of
from library.store import Library, parse_columns
from library.versions import version_key
from parsing.checks import check_place
from parsing.report import ParsedReport
from parsing.schema import key_label
from parsing.vocabulary import CHECK_STATUS_NAMES, flag_name, rule_name, unread_table_text, warning_text

# The report id that stands for the draft inside the findings engine: above every real id, so the
# draft is the latest report of its agency and year, as a report stored now would be.
DRAFT_REPORT_ID = 2**53


@dataclass(frozen=True)
class DraftInfo:
    """One stored draft without its bytes and parse (what the list shows)."""

    id: int
    owner: str
    agency: str | None
    region: str | None
    year: int | None
    filename: str
    format: str
    size: int
    sha256: str
    created_at: datetime


@dataclass(frozen=True)
class StoredDraft:
    """A stored draft with its parse (the plain text included)."""

    info: DraftInfo
    parsed: ParsedReport


_INFO_COLUMNS = (
    Draft.id,
    Draft.owner,
    Draft.agency,
    Draft.region,
    Draft.year,
    Draft.filename,
    Draft.format,
    Draft.size,
    Draft.sha256,
    Draft.created_at,
)


# ----------------------------------------------------------------------------------- who may do what


def _require(account: Account | None) -> Account:
    if account is None:
        raise LibraryError("请先登录", "no account signed in")
    if not account.can(Action.SELF_CHECK):
        raise LibraryError("当前账户没有自查权限", f"{account.role} may not self-check")
    return account


def draft_identity(
    account: Account, agency: str | None = None, region: str | None = None
) -> tuple[str | None, str | None]:
    """The (agency, region) a draft of ``account`` is filed under: the account's own agency and region
    when its scope fixes them (a 填报单位), else what the user entered (None: read from the report).

    A region outside the account's regions is refused; an account with several regions must choose.
    """
    scope = account.scope
    if account.role is Role.AGENCY and scope.agency is None:
        raise LibraryError(
            "本账户未设定所属填报单位，请联系管理员", f"agency account {account.name} has no agency"
        )
    agency = scope.agency or (agency or "").strip() or None
    region = (region or "").strip() or None
    if scope.regions:
        if region is None and len(scope.regions) == 1:
            region = scope.regions[0]
        if region not in scope.regions:
            allowed = "、".join(scope.regions)
            raise LibraryError(
                f"请选择本账户的地区（{allowed}）", f"region {region!r} outside {scope.regions}"
            )
    return agency, region


def _owned(account: Account):
    """The condition selecting the drafts ``account`` may see: its own, and for a 填报单位 those of its
    agency only (an account moved to another agency does not see the old agency's drafts)."""
    conds = [Draft.owner == account.name]
    if account.scope.agency is not None:
        conds.append(Draft.agency == account.scope.agency)
    if account.scope.regions:
        conds.append(Draft.region.in_(account.scope.regions))
    return conds


# ----------------------------------------------------------------------------------- storage


def parse_draft(lib: Library, data: bytes, filename: str) -> ParsedReport:
    """Parse a draft as an upload is parsed (worker, limits, label overrides); one document only.

    Refuses (:class:`LibraryError`, Chinese message) a file that fails to parse and a ZIP holding more
    than one document.
    """
    items = parse_upload(data, filename, lib.label_overrides())
    if len(items) != 1:
        raise LibraryError(
            f"自查一次只能上传一份报告草稿，该压缩包中有 {len(items)} 份文档",
            f"a draft is one document, got {len(items)}",
        )
    parsed = items[0].parsed
    if parsed.error is not None:
        message = parsed.error.get("message") or "解析失败"
        raise LibraryError(f"草稿未能解析，未保存：{message}", f"draft parse failed: {parsed.error}")
    if not items[0].data:
        raise LibraryError("文件内容为空，未保存", "empty draft")
    return parsed


def draft_metadata(
    parsed: ParsedReport, agency: str | None, region: str | None, year: int | None
) -> dict[str, Any]:
    """``{agency, region, year, agency_type}`` of a draft: the given fields, the rest from the parse
    (the same rule as a stored report, :func:`library.report_meta.merged_metadata`)."""
    given = {"agency": agency, "region": region, "year": year}
    return merged_metadata(parsed, given, given_fields(**given))


def save_draft(
    lib: Library,
    account: Account | None,
    data: bytes,
    filename: str,
    *,
    agency: str | None = None,
    region: str | None = None,
    year: int | None = None,
) -> int:
    """Parse and store a draft of ``account``; returns its id. Nothing is stored when it is refused
    (:class:`LibraryError` with the Chinese reason): no permission, a region outside the account's,
    a file that does not parse, or no agency or year known."""
    account = _require(account)
    agency, region = draft_identity(account, agency, region)
    parsed = parse_draft(lib, data, filename)
    meta = draft_metadata(parsed, agency, region, year)
    if not meta["agency"]:
        raise LibraryError("未能从报告中识别机关名称，请填写后重新上传", "draft without agency")
    if meta["year"] is None:
        raise LibraryError("未能从报告中识别年度，请填写年度后重新上传", "draft without year")
    row = {
        "owner": account.name,
        "agency": meta["agency"],
        "region": meta["region"],
        "year": meta["year"],
        "filename": parsed.file or filename or "未命名",
        "format": parsed.format or "unknown",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "data": data,
        "parsed_json_z": pack_json(parsed.to_json()),
        "text": parsed.text or "",
        "created_at": utcnow(),
    }
    # Not Library._write: a draft is not part of the library, so its revision (and every cache keyed
    # by it) stays as it is.
    with lib.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        return inserted_id(conn.execute(insert(Draft).values(**row)))


def _info(row) -> DraftInfo:
    return DraftInfo(*row)


def list_drafts(lib: Library, account: Account | None) -> list[DraftInfo]:
    """The drafts ``account`` uploaded (a 填报单位: of its own agency), newest first."""
    account = _require(account)
    stmt = select(*_INFO_COLUMNS).where(*_owned(account)).order_by(Draft.id.desc())
    with lib.engine.connect() as conn:
        return [_info(r) for r in conn.execute(stmt)]


def get_draft(lib: Library, account: Account | None, draft_id: int) -> StoredDraft | None:
    """One draft of ``account`` with its parse; None when there is none or it is another account's."""
    account = _require(account)
    stmt = select(*_INFO_COLUMNS, Draft.parsed_json_z, Draft.text).where(
        Draft.id == int(draft_id), *_owned(account)
    )
    with lib.engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        return None
    info = _info(row[: len(_INFO_COLUMNS)])
    return StoredDraft(info, parsed_from_json(unpack_json(row.parsed_json_z), row.text))


def draft_bytes(lib: Library, account: Account | None, draft_id: int) -> tuple[str, bytes] | None:
    """``(filename, bytes)`` of one of ``account``'s drafts (None when not its own)."""
    account = _require(account)
    stmt = select(Draft.filename, Draft.data).where(Draft.id == int(draft_id), *_owned(account))
    with lib.engine.connect() as conn:
        row = conn.execute(stmt).first()
    return None if row is None else (row.filename, bytes(row.data))


def delete_draft(lib: Library, account: Account | None, draft_id: int) -> bool:
    """Delete one of ``account``'s drafts; False when there is none (or it is another account's)."""
    account = _require(account)
    with lib.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        result = conn.execute(delete(Draft).where(Draft.id == int(draft_id), *_owned(account)))
        return result.rowcount > 0


# ----------------------------------------------------------------------------------- findings


def _draft_inputs(parsed: ParsedReport, meta: dict[str, Any]) -> Inputs:
    """The findings engine's inputs for the draft alone, built as Library.add would store it."""
    keys, columns = parse_columns(parsed)
    row = SimpleNamespace(
        id=DRAFT_REPORT_ID,
        filename=parsed.file or "未命名",
        agency=meta["agency"],
        region=meta["region"],
        year=meta["year"],
        agency_type=meta["agency_type"],
        template=columns["template"],
        checks_failed=columns["checks_failed"],
        unmatched_count=columns["unmatched_count"],
        layout_id=0,
        values_blob=columns["values_blob"],
        narrative_json=columns["narrative_json"],
    )
    reports = pd.DataFrame(
        [(DRAFT_REPORT_ID, columns["published"], columns["unmatched_json"], columns["unread_json"])],
        columns=["report_id", "published", "unmatched_json", "unread_json"],
    )
    failed = pd.DataFrame(
        [
            (DRAFT_REPORT_ID, c.rule, c.where or "", c.detail or "", list(c.blank_as_zero))
            for c in parsed.checks
            if c.status == "fail"
        ],
        columns=["report_id", "rule", "where", "detail", "blank_as_zero"],
    )
    variants = pd.DataFrame(
        [
            (DRAFT_REPORT_ID, key, cell.label or "", float(cell.score))
            for key, cell in parsed.cells.items()
            if float(cell.score) < 100
        ],
        columns=["report_id", "key", "label", "score"],
    )
    dataset = build_dataset([row], [], {0: keys})
    return Inputs(dataset, reports, failed, {DRAFT_REPORT_ID: parsed.text or ""}, variants)


def neighbours(dataset: pd.DataFrame, meta: dict[str, Any]) -> list[int]:
    """The stored reports a draft is compared with: every report of its year (the copied-prose check
    against other agencies weighs each sentence by how many of the year's reports use it) and its
    agency's reports of the year before (X1–X3, copied from last year). The agency's stored reports of
    the draft's own year are left out: the draft takes their place, as a corrected version would."""
    year = meta["year"]
    if year is None:
        return []
    years = dataset["year"]
    same_year = years.eq(int(year)).fillna(False)
    key = version_key(meta["agency"], meta["region"], int(year))
    if key is not None:
        same_group = dataset["agency"].eq(key[0]) & dataset["region"].eq(key[1])
        same_year &= ~same_group.fillna(False)
    draft_ident = f"{meta['region'] or ''}｜{meta['agency'] or ''}"
    before = years.eq(int(year) - 1).fillna(False) & agency_identity(dataset).eq(draft_ident)
    return [int(r) for r in dataset.loc[same_year | before, "report_id"]]


def _combined(lib: Library, mine: Inputs, others: list[int]) -> Inputs:
    theirs = read_inputs(lib, only=others)
    if theirs.dataset.empty:
        return mine

    def both(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([a, b], ignore_index=True) if len(a) else b

    return Inputs(
        both(theirs.dataset, mine.dataset),
        both(theirs.reports, mine.reports),
        both(theirs.failed, mine.failed),
        {**theirs.texts, **mine.texts},
        both(theirs.variants, mine.variants),
    )


def findings_for_parse(
    lib: Library, parsed: ParsedReport, agency: str | None, region: str | None, year: int | None
) -> list[Finding]:
    """The findings a report parsed as ``parsed`` would get if it were stored now under this agency,
    region and year: computed by the findings engine on the library plus this one report; no
    timeliness findings (a draft is not published), every finding open, ``report_id`` None."""
    meta = draft_metadata(parsed, agency, region, year)
    mine = _draft_inputs(parsed, meta)
    inputs = _combined(lib, mine, neighbours(lib.dataset(), meta))
    found = [f for f in compute_findings(inputs) if f.report_id == DRAFT_REPORT_ID]
    out = [replace(f, report_id=None, region=meta["region"]) for f in found]
    out.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.key))
    return out


def draft_findings(lib: Library, draft: StoredDraft) -> list[Finding]:
    """The findings of a stored draft against the library as it is now (the previous year's report
    may have been stored since the draft was uploaded)."""
    info = draft.info
    return findings_for_parse(lib, draft.parsed, info.agency, info.region, info.year)


def previous_report(lib: Library, info: DraftInfo) -> int | None:
    """The id of the agency's stored report of the year before the draft's (what X1–X3 and the copy
    from last year compare with), or None when it is not in the library."""
    if info.year is None:
        return None
    dataset = lib.dataset()
    ident = f"{info.region or ''}｜{info.agency or ''}"
    hit = dataset[dataset["year"].eq(info.year - 1).fillna(False) & agency_identity(dataset).eq(ident)]
    return int(hit["report_id"].max()) if len(hit) else None


def shown_to(account: Account, findings: list[Finding]) -> list[Finding]:
    """The findings as ``account`` may read them: a 填报单位 is not told which other agency's report
    its prose repeats (that report is outside its scope), only the shared passages of its own text."""
    if account.role is not Role.AGENCY:
        return findings
    out = []
    for f in findings:
        other = f.evidence.get("other_agency")
        if other and other != account.scope.agency:
            evidence = {k: v for k, v in f.evidence.items() if k not in ("other_agency", "other_report_id")}
            message = f.message.replace(f"（{other}{f.evidence.get('other_year') or ''}年报告）", "")
            f = replace(f, message=message, evidence=evidence)
        out.append(f)
    return out


# ----------------------------------------------------------------------------------- what the page lists

UNREAD_FLAGS = ("unparsed", "too_long", "split")  # cells whose value was not read as written


def checks_table(parsed: ParsedReport) -> pd.DataFrame:
    """The draft's 勾稽关系 checks, failed ones first: 规则, 位置, 结果, 说明 (all Chinese)."""
    table = pd.DataFrame(
        {
            "规则": [rule_name(c.rule) for c in parsed.checks],
            "位置": [check_place(c.rule, c.where) for c in parsed.checks],
            "结果": [CHECK_STATUS_NAMES.get(c.status, c.status) for c in parsed.checks],
            "说明": [c.detail_zh for c in parsed.checks],
        },
        columns=["规则", "位置", "结果", "说明"],
    )
    failed = pd.Series([c.status == "fail" for c in parsed.checks], dtype=bool, index=table.index)
    return pd.concat([table[failed], table[~failed]], ignore_index=True)


def unread_table(parsed: ParsedReport) -> pd.DataFrame:
    """What of the draft could not be read: tables shown but not read, labels matching no row, cells
    whose value was not read as written, and the parser's notes (类别, 内容, 情况; Chinese)."""
    rows = [("表格", "", unread_table_text(t)) for t in parsed.unread_tables]
    rows += [("标签", label, "未能对应到标准栏目，该行数字未计入") for label in unmatched_labels_of(parsed)]
    rows += [
        ("单元格", f"{key_label(k)}（原文：{c.raw}）", flag_name(c.flag))
        for k, c in parsed.cells.items()
        if c.flag in UNREAD_FLAGS
    ]
    rows += [("解析提示", "", warning_text(w)) for w in parsed.warnings]
    return pd.DataFrame(rows, columns=["类别", "内容", "情况"])

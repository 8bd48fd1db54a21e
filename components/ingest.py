"""Upload batch review without Streamlit: judge each parsed document and find the labels to review.

Expanding ZIPs and parsing is the library's (library.ingest.parse_upload): each ZIP member keeps its own
bytes, so it is stored, de-duplicated and re-parsed on its own. This module adds what the upload page
shows: a status per document (成功/有警告/失败) with a Chinese reason, the agency-type guess, and the
unmatched or low-confidence labels a reviewer should look at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from components.agency_types import guess_agency_type
from library.ingest import parse_one
from library.ingest import parse_upload as parse_file
from parsing.report import ParsedReport

OK, WARN, FAIL = "成功", "有警告", "失败"
LOW_SCORE = 90.0  # label matches below this confidence are shown to the reviewer


@dataclass
class UploadItem:
    """One document of an upload batch, parsed and waiting for the reviewer to confirm it."""

    name: str
    data: bytes | None  # None when the document failed: there is nothing to store
    parsed: ParsedReport
    status: str = OK
    reason: str = ""
    agency_type: str = "其他"
    saved_id: int | None = None
    save_note: str = ""
    issues: list[str] = field(default_factory=list)

    @property
    def uid(self) -> str:
        """Stable id of the document within a session (its sha256; its name when it failed)."""
        return self.parsed.sha256 if self.data is not None else f"failed:{self.name}"


def judge(parsed: ParsedReport) -> tuple[str, str, list[str]]:
    """(status, one-line Chinese reason, list of issues) for a parse result."""
    if parsed.error:
        return FAIL, parsed.error.get("message") or "解析失败", []
    issues = []
    failed = sum(1 for c in parsed.checks if c.status == "fail")
    if failed:
        issues.append(f"{failed} 项勾稽校验未通过")
    review = labels_to_review(parsed)
    unmatched = sum(1 for e in review if e["tier"] == "unmatched")
    if unmatched:
        issues.append(f"{unmatched} 个标签未识别")
    if len(review) > unmatched:
        issues.append(f"{len(review) - unmatched} 个标签匹配置信度较低")
    if parsed.template == "unknown":
        issues.append("未找到标准表格（仅提取了正文数字）" if parsed.narrative else "未找到标准表格")
    elif parsed.template == "mixed":
        issues.append("表格混用了 2019 与 2021 两版格式")
    missing = [n for n, v in (("机关名称", parsed.agency), ("年度", parsed.year)) if not v]
    if missing:
        issues.append("未识别" + "、".join(missing) + "，请补填")
    if parsed.warnings:
        issues.append(f"解析提示 {len(parsed.warnings)} 条")
    if issues:
        return WARN, "；".join(issues), issues
    return OK, f"已识别 {len(parsed.cells)} 个数据单元格，校验全部通过", []


def labels_to_review(parsed: ParsedReport) -> list[dict]:
    """Unmatched and low-confidence label matches, one entry per distinct (text, section)."""
    seen: set[tuple[str, str | None]] = set()
    out = []
    for m in parsed.labels:
        doubtful = m.tier in ("unmatched", "fuzzy") or m.score < LOW_SCORE
        if m.tier == "prefix" and m.key == "s2.caption":
            doubtful = False  # "第二十条第（一）项" carries its clause after the matched prefix: expected
        if not doubtful:
            continue
        if (m.text, m.section) in seen:
            continue
        seen.add((m.text, m.section))
        out.append({"text": m.text, "key": m.key, "score": m.score, "tier": m.tier, "section": m.section})
    known = {e["text"] for e in out}
    for text in parsed.unmatched_labels:  # listed by the interpreter even without a LabelMatch
        if text not in known:
            out.append({"text": text, "key": None, "score": 0.0, "tier": "unmatched", "section": None})
            known.add(text)
    return out


def make_item(name: str, data: bytes | None, parsed: ParsedReport) -> UploadItem:
    """Wrap one parse result with its status, reason and agency-type guess."""
    status, reason, issues = judge(parsed)
    return UploadItem(
        name=name,
        data=data if parsed.error is None else None,
        parsed=parsed,
        status=status,
        reason=reason,
        agency_type=guess_agency_type(parsed.agency),
        issues=issues,
    )


def reparse_item(item: UploadItem, overrides: dict[str, str]) -> UploadItem:
    """The same document parsed again (after the reviewer saved label overrides)."""
    if item.data is None:
        return item
    return make_item(item.name, item.data, parse_one(item.data, item.name, overrides))


def parse_files(
    files: list[tuple[str, bytes]],
    overrides: dict[str, str],
    progress: Callable[[float, str], None] | None = None,
) -> list[UploadItem]:
    """Parse uploaded files (ZIPs expanded); ``progress(fraction, text)`` moves once per document."""
    items: list[UploadItem] = []
    n = len(files)
    for i, (name, data) in enumerate(files):

        def step(done: int, total: int, _member: str, i: int = i) -> None:
            if progress:
                progress((i + done / max(total, 1)) / n, f"正在解析第 {i + 1}/{n} 个文件（文档 {done}/{total}）")

        for parsed_item in parse_file(data, name, overrides, progress=step):
            items.append(make_item(parsed_item.name, parsed_item.data, parsed_item.parsed))
    return items

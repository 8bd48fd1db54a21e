"""Upload batch review without Streamlit: judge each parsed document and find the labels to review.

Expanding ZIPs and parsing is the library's (library.ingest.parse_upload): each ZIP member keeps its own
bytes, so it is stored, de-duplicated and re-parsed on its own. This module adds what the upload page
shows: a status per document (成功/有警告/需要关注/失败) with a Chinese reason, the agency-type guess, and the
unmatched or low-confidence labels a reviewer should look at.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from library.ingest import UploadItem, parse_one, parse_upload
from library.queries import RULE_FLAGS
from library.report_meta import merged_metadata
from library.review import unmatched_labels_of
from parsing.matching import TARGETS
from parsing.report import ParsedReport
from parsing.schema import block as schema_block
from parsing.vocabulary import IGNORE, SECTION_NAMES, flag_name, unread_table_text

OK, WARN, FAIL = "成功", "有警告", "失败"
# Readable, but a table the text shows was not read or values were obtained by rule: a reviewer must look.
ATTENTION = "需要关注"
LOW_SCORE = 90.0  # label matches below this confidence are shown to the reviewer


def judge(parsed: ParsedReport) -> tuple[str, str, list[str]]:
    """(status, one-line Chinese reason, list of issues) for a parse result."""
    if parsed.error:
        return FAIL, parsed.error.get("message") or "解析失败", []
    attention = attention_reasons(parsed)
    issues = list(attention)
    failed = sum(1 for c in parsed.checks if c.status == "fail")
    if failed:
        issues.append(f"{failed} 项勾稽校验未通过")
    review = labels_to_review(parsed)
    unmatched = len(unmatched_labels_of(parsed))
    if unmatched:
        issues.append(f"{unmatched} 个标签未识别")
    if len(review) > unmatched:
        issues.append(f"{len(review) - unmatched} 个标签匹配置信度较低")
    if parsed.template == "unknown" and not parsed.unread_tables:
        issues.append("未找到标准表格（仅提取了正文数字）" if parsed.narrative else "未找到标准表格")
    elif parsed.template == "mixed":
        issues.append("表格混用了 2019 与 2021 两版格式")
    missing = [n for n, v in (("机关名称", parsed.agency), ("年度", parsed.year)) if not v]
    if missing:
        issues.append("未识别" + "、".join(missing) + "，请补填")
    if parsed.warnings:
        issues.append(f"解析提示 {len(parsed.warnings)} 条")
    if issues:
        return (ATTENTION if attention else WARN), "；".join(issues), issues
    return OK, f"已识别 {len(parsed.cells)} 个数据单元格，校验全部通过", []


def attention_reasons(parsed: ParsedReport) -> list[str]:
    """Why a readable report needs a reviewer's attention (Chinese): each table its text shows but whose
    cells could not be read, and the values obtained by the official rules rather than read as written."""
    reasons = [unread_table_text(t) for t in parsed.unread_tables]
    flags = Counter(c.flag for c in parsed.cells.values() if c.flag in RULE_FLAGS)
    reasons += [f"{n} 个数值{flag_name(flag)}，请核对" for flag, n in sorted(flags.items())]
    return reasons


def labels_to_review(parsed: ParsedReport) -> list[dict]:
    """The labels a reviewer should look at, one entry per distinct (text, section).

    Every unmatched label (:func:`library.review.unmatched_labels_of`, the definition 报告库 and
    数据质量 count too) and every low-confidence match. Each entry carries ``context``: the lines of
    the document around the label, so the reviewer sees the figures it stands for.
    """
    sections = {m.text.strip(): m.section for m in parsed.labels if m.tier == "unmatched"}
    out: list[dict[str, Any]] = [
        {"text": t, "key": None, "score": 0.0, "tier": "unmatched", "section": sections.get(t)}
        for t in unmatched_labels_of(parsed)
    ]
    seen = {(e["text"], e["section"]) for e in out}
    for m in parsed.labels:
        if m.key is None:
            continue  # unmatched on its own but without figures, or ignored by the reviewer: nothing lost
        doubtful = m.tier == "fuzzy" or m.score < LOW_SCORE
        if m.tier == "prefix" and m.key == "s2.caption":
            doubtful = False  # "第二十条第（一）项" carries its clause after the matched prefix: expected
        if not doubtful or (m.text, m.section) in seen:
            continue
        seen.add((m.text, m.section))
        out.append({"text": m.text, "key": m.key, "score": m.score, "tier": m.tier, "section": m.section})
    for entry in out:
        entry["context"] = label_context(parsed.text, entry["text"])
    return out


def label_context(text: str, label: str, before: int = 4, after: int = 5) -> str:
    """The non-blank lines of ``text`` around the first line holding ``label`` (marked with ▶).

    Empty when the label cannot be found (e.g. a PDF whose text layer breaks it differently).
    """
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    parts = [p.strip() for p in (label or "").splitlines() if p.strip()]
    if not lines or not parts:
        return ""
    needle = _squash(max(parts, key=len))  # the longest line of a label broken over lines
    hit = next((i for i, line in enumerate(lines) if needle and needle in _squash(line)), None)
    if hit is None:
        return ""
    window = range(max(hit - before, 0), min(hit + after + 1, len(lines)))
    return "\n".join(("▶ " if i == hit else "   ") + lines[i] for i in window)


def _squash(text: str) -> str:
    """Text without whitespace, for finding a label in a line whatever the spacing."""
    return "".join(text.split())


def review_choices() -> list[tuple[str, str]]:
    """Every standard row, column and header a label may stand for, with Chinese names.

    All rows and columns of section 二 and 三 in both template versions and the header words of
    section 四, then 忽略此标签. The version is named where a row or column exists in one version only.
    """
    labels: dict[str, list[str]] = {}
    versions: dict[str, set[str | None]] = {}
    kinds: dict[str, str] = {}
    for t in TARGETS:
        if t.kind not in ("row", "col", "group") and not (t.section == "s4" and t.kind == "header"):
            continue
        label = f"{_clause(t)}{t.label}"
        if label not in labels.setdefault(t.id, []):
            labels[t.id].append(label)  # 规范性文件 (2019) and 行政规范性文件 (2021) share one row
        versions.setdefault(t.id, set()).add(t.version)
        kinds[t.id] = t.kind
    out = []
    for tid, names in labels.items():
        kind = {"row": "行", "col": "列", "group": "分组", "header": "表头"}[kinds[tid]]
        only = versions[tid] - {None}
        version = f"，{only.pop()}版" if len(only) == 1 and None not in versions[tid] else ""
        section = SECTION_NAMES[tid.split(".")[0]]
        out.append((tid, f"{section}｜{' / '.join(names)}（{kind}{version}）"))
    return [*out, (IGNORE, "忽略此标签（不是表格项目）")]


def _clause(target) -> str:
    """'第二十条第（五）项·' for a column of section 二 (the same column name recurs in several clauses)."""
    if target.section != "s2" or target.kind != "col":
        return ""
    _, _, version, block_key, _ = target.id.split(".")
    found = schema_block(version, block_key)
    return f"{found.caption}·" if found else ""


def review_item(item: UploadItem) -> UploadItem:
    """Fill in an item's status, reason, issues and agency-type guess (in place; returns it)."""
    item.status, item.reason, item.issues = judge(item.parsed)
    item.agency_type = merged_metadata(item.parsed)["agency_type"]
    return item


def reparse_item(item: UploadItem, overrides: dict[str, str]) -> UploadItem:
    """The same document parsed again (after the reviewer saved label overrides); whether and where it
    is stored is kept (a stored copy is re-parsed by the library itself)."""
    if item.data is None:
        return item
    new = review_item(UploadItem(item.name, item.data, parse_one(item.data, item.name, overrides)))
    new.saved_id, new.save_note = item.saved_id, item.save_note
    return new


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
                progress(
                    (i + done / max(total, 1)) / n, f"正在解析第 {i + 1}/{n} 个文件（文档 {done}/{total}）"
                )

        items += [review_item(item) for item in parse_upload(data, name, overrides, progress=step)]
    return items

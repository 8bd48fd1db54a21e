"""Whether a document is a government information-disclosure annual report, and why.

A report is recognised by what it says it is, not only by the numbers it carries: a template skeleton
with almost no values, or a prose-only excerpt (perhaps in traditional characters), is still a report
and must be accepted with what could be read (domain reference §7.4). The signs:

- its title: a short line naming 政府信息公开 and 年度报告 (or 年报), not a notice about reports;
- its section headings (§2): 总体情况, 主动公开政府信息情况, 收到和处理政府信息公开申请情况,
  行政复议、行政诉讼情况, 存在的主要问题及改进情况, 其他需要报告的事项;
- the captions of section 二 (第二十条第（一）项 …);
- the table labels the interpreter matched.
"""

from __future__ import annotations

import re

from parsing.normalize import normalize_text

_HEADINGS = (
    ("总体情况", "总体情况"),
    ("主动公开政府信息情况", "主动公开政府信息情况"),
    ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请情况"),
    ("行政复议、行政诉讼情况", "行政复议、行政诉讼情况"),
    ("存在的主要问题及改进情况", "存在的主要问题及改进情况"),
    ("其他需要报告的事项", "其他需要报告的事项"),
)
# A heading line: numbered (一、 / 二. / （三）) and short, the heading words in it.
_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七][、.．]|[（(][一二三四五六七][)）])")
_CAPTION = re.compile(r"第二十条第[（(][一五六八九][)）]项")
_TITLE_WORDS = ("年度报告", "年报", "工作报告")
MAX_TITLE_LEN = 60
MAX_HEADING_LEN = 40


def report_signs(text: str, matched_labels: int = 0) -> list[str]:
    """The reasons (Chinese, for people) to treat a document as an annual report; empty when none.

    ``matched_labels`` is the number of distinct standard table labels the interpreter recognised.
    """
    t = normalize_text(text)
    signs: list[str] = []
    lines = [ln.strip() for ln in t.splitlines() if ln.strip()]
    title = next((ln for ln in lines[:40] if _is_title(ln)), None)
    if title is not None:
        signs.append(f"标题：{title}")
    found = []
    for line in lines:
        if len(line) > MAX_HEADING_LEN or not _NUMBERED.match(line):
            continue
        found += [name for words, name in _HEADINGS if words in line.replace(" ", "") and name not in found]
    # One numbered heading alone could come from any document; two, or one beside the title, cannot.
    if len(found) >= 2 or (found and title is not None):
        signs.append("章节标题：" + "、".join(found))
    captions = sorted(set(_CAPTION.findall(t.replace(" ", ""))))
    if len(captions) >= 2 or (captions and (found or title)):
        signs.append("表格标题：" + "、".join(captions))
    if matched_labels >= 3:
        signs.append(f"标准表格标签 {matched_labels} 个")
    return signs


def _is_title(line: str) -> bool:
    compact = line.replace(" ", "")
    if len(compact) > MAX_TITLE_LEN or compact.startswith(("关于", "转发", "印发")):
        return False  # a notice about reports, not a report
    if any(p in compact for p in "，,。；;：:！？"):
        return False  # a sentence of prose that mentions reports
    return "政府信息公开" in compact and any(w in compact for w in _TITLE_WORDS) and "通知" not in compact

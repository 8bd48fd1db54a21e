"""自查: a 填报单位 uploads a draft of its report before publishing and sees the checks and the findings
the supervisor will see for it; the draft is never published, stored as a report or counted.

Thin: the drafts, their parse and their findings come from library/drafts.py.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.account import current_account
from components.finding_card import SEVERITY_ICONS, show_finding_evidence
from components.flash import show_flash
from components.state import get_library
from library.access import Account, Action, Role
from library.drafts import (
    DraftInfo,
    StoredDraft,
    checks_table,
    delete_draft,
    draft_findings,
    get_draft,
    list_drafts,
    previous_report,
    save_draft,
    shown_to,
    unread_table,
)
from library.finding import Finding
from library.store import LibraryError
from library.upload_review import FAIL, OK, judge
from parsing.limits import describe_zh
from parsing.vocabulary import (
    FORMAT_NAMES,
    SEVERITY_NAMES,
    finding_name,
    template_name,
)

SELECTED = "self_check_draft"  # session key: the id of the draft shown
UPLOADS = "self_check_uploads"  # session key: drafts uploaded in this session (names a fresh uploader)

st.title("自查")
show_flash()
st.info(
    "自查用于报告发布前的检查：上传本单位年度报告的草稿，即可看到审核人员将对该报告提出的全部问题。"
    "草稿不是已发布的报告，不进入报告库，不计入任何统计分析、发布情况、审核意见、排名或整改通知，"
    "审核人员看不到；只有上传它的账户能查看和删除。",
    icon=":material/lock:",
)

account = current_account()
if account is None:
    st.warning("请先登录后再使用自查。")
    st.stop()
if not account.can(Action.SELF_CHECK):
    st.warning("当前账户没有自查权限。")
    st.stop()
lib = get_library()


def _identity_inputs(account: Account) -> tuple[str | None, str | None]:
    """The agency and region fields: fixed for a 填报单位, entered (blank: read from the report) otherwise."""
    scope = account.scope
    left, right = st.columns(2)
    if account.role is Role.AGENCY:
        left.text_input("填报单位", value=scope.agency or "（账户未设定单位）", disabled=True)
        agency = scope.agency
    else:
        agency = left.text_input("机关名称", key="sc_agency", placeholder="留空则从报告中识别")
    if len(scope.regions) == 1:
        right.text_input("地区", value=scope.regions[0], disabled=True)
        region: str | None = scope.regions[0]
    elif scope.regions:
        region = right.selectbox("地区", scope.regions, key="sc_region")
    else:
        region = right.text_input("地区", key="sc_region", placeholder="留空则从报告中识别")
    return agency, region


def _upload(account: Account) -> None:
    """Upload a draft: parse, store as a draft (never as a report), show it."""
    with st.container(border=True):
        st.markdown("**上传草稿**")
        agency, region = _identity_inputs(account)
        year = st.number_input(
            "年度",
            min_value=2000,
            max_value=2100,
            value=None,
            step=1,
            key="sc_year",
            placeholder="留空则从报告中识别",
        )
        file = st.file_uploader(
            "报告草稿（一份文件）",
            key=f"sc_file_{st.session_state.get(UPLOADS, 0)}",
            help=f"与“上传报告”页相同的格式和限制。{describe_zh()}",
        )
        clicked = st.button(
            "上传并自查", key="sc_go", type="primary", disabled=file is None, icon=":material/fact_check:"
        )
        if clicked and file is not None:
            with st.spinner("正在解析草稿并核查…"):
                try:
                    new_id = save_draft(
                        lib,
                        account,
                        file.getvalue(),
                        file.name,
                        agency=agency,
                        region=region,
                        year=int(year) if year is not None else None,
                    )
                except LibraryError as exc:
                    st.error(exc.zh)
                    return
            st.session_state[SELECTED] = new_id
            st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1  # an empty uploader again
            st.session_state["flash"] = ("success", f"草稿已保存（草稿编号 {new_id}），自查结果见下方。")
            st.rerun()


def _draft_label(d: DraftInfo) -> str:
    when = f"{d.created_at:%Y-%m-%d %H:%M}" if d.created_at else ""
    return f"草稿 {d.id}｜{d.filename}｜{d.year or '年度未知'}年｜{when}"


def _summary(draft: StoredDraft) -> None:
    """Who and what the draft is, and how well it parsed."""
    info, parsed = draft.info, draft.parsed
    st.caption(
        f"单位：{info.agency or '（未识别）'}｜地区：{info.region or '（未填写）'}｜年度：{info.year}｜"
        f"格式：{FORMAT_NAMES.get(info.format, '其他')}｜模板：{template_name(parsed.template)}"
    )
    status, reason, _ = judge(parsed)
    (st.success if status == OK else st.error if status == FAIL else st.warning)(
        f"解析结果：{status}。{reason}"
    )


def _metrics(draft: StoredDraft, found: list[Finding]) -> None:
    parsed = draft.parsed
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("读取的数据单元格", len(parsed.cells), border=True)
    c2.metric("勾稽校验未通过", sum(c.status == "fail" for c in parsed.checks), border=True)
    c3.metric("发现的问题", len(found), border=True)
    c4.metric("其中错误", sum(f.severity == "error" for f in found), border=True)


def _finding_card(f: Finding, n: int) -> None:
    label = f"{SEVERITY_NAMES[f.severity]}｜{finding_name(f.code)}"
    with st.expander(label, expanded=f.severity == "error", icon=SEVERITY_ICONS[f.severity]):
        show_finding_evidence(f, key=f"sc_cells_{n}")


def _findings(draft: StoredDraft, found: list[Finding]) -> None:
    st.subheader("发现的问题")
    st.caption(
        "与审核人员在“审核意见”页将看到的问题相同（同样的规则、同样的依据），按报告库中现有的报告比对："
        "与上一年度报告的衔接（跨年度核对）和文字雷同，以库中已发布的报告为准。"
        "逾期发布只能在报告正式发布后按发布日期判断，草稿不作此项检查。"
    )
    before = previous_report(lib, draft.info)
    if draft.info.year is not None and before is None:
        st.caption(f"报告库中没有本单位 {draft.info.year - 1} 年度的报告，跨年度核对未进行。")
    if not found:
        st.success("未发现问题。")
        return
    table = pd.DataFrame(
        {
            "严重程度": [SEVERITY_NAMES[f.severity] for f in found],
            "问题": [finding_name(f.code) for f in found],
            "说明": [f.message.removeprefix(f"{finding_name(f.code)}：") for f in found],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        key="sc_findings",
        column_config={"说明": st.column_config.TextColumn(width="large")},
    )
    for n, f in enumerate(found):
        _finding_card(f, n)


def _checks(draft: StoredDraft) -> None:
    st.subheader("勾稽关系校验")
    table = checks_table(draft.parsed)
    if table.empty:
        st.caption("未读取到可校验的表格。")
        return
    failed = int((table["结果"] == "未通过").sum())
    st.caption(f"共 {len(table)} 项，未通过 {failed} 项（未通过的列在前）。")
    st.dataframe(
        table,
        hide_index=True,
        key="sc_checks",
        column_config={"说明": st.column_config.TextColumn(width="large")},
    )


def _unread(draft: StoredDraft) -> None:
    st.subheader("未能读取的内容")
    table = unread_table(draft.parsed)
    if table.empty:
        st.caption("表格和数值均已读取。")
        return
    # Labels and raw values quote the report: a table (plain text), never Markdown.
    st.dataframe(
        table,
        hide_index=True,
        key="sc_unread",
        column_config={"情况": st.column_config.TextColumn(width="large")},
    )


def _delete(account: Account, draft: StoredDraft) -> None:
    if st.button("删除此草稿", key=f"sc_delete_{draft.info.id}", icon=":material/delete:"):
        deleted = delete_draft(lib, account, draft.info.id)
        st.session_state.pop(SELECTED, None)
        st.session_state["flash"] = (
            ("success", f"草稿 {draft.info.id} 已删除。") if deleted else ("warning", "该草稿已不存在。")
        )
        st.rerun()


_upload(account)
drafts = list_drafts(lib, account)
st.subheader("我的草稿")
if not drafts:
    st.caption("还没有草稿。上传一份报告草稿即可看到自查结果。")
    st.stop()
ids = [d.id for d in drafts]
by_id = {d.id: d for d in drafts}
wanted = st.session_state.get(SELECTED)
pick = st.selectbox(
    "查看的草稿",
    ids,
    index=ids.index(wanted) if wanted in by_id else 0,
    format_func=lambda i: _draft_label(by_id[i]),
    key=f"sc_pick_{wanted}",
)
st.session_state[SELECTED] = pick
draft = get_draft(lib, account, pick)
if draft is None:
    st.warning("该草稿已不存在。")
    st.stop()
found = shown_to(account, draft_findings(lib, draft))
_summary(draft)
_metrics(draft, found)
_findings(draft, found)
_checks(draft)
_unread(draft)
_delete(account, draft)

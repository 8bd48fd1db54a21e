"""账户: the administrator lists, creates and edits accounts (role, regions, agency), resets passwords,
and disables or enables accounts (library.accounts; page opened only with Action.MANAGE_USERS)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.account import current_account
from components.auth import get_accounts, who
from components.flash import show_flash
from components.state import filter_options, from_library
from library.access import Role
from library.accounts import LOGIN_RULES, PASSWORD_RULES, UserInfo
from library.db import utcnow
from library.errors import LibraryError
from library.filters import MISSING
from library.roster import roster_of
from parsing.vocabulary import ROLE_NAMES

ROLE_HELP = (
    "管理员：账户、名录、审核规则及审核员的全部权限；审核员：上传、更正、审核意见、发出通知；"
    "只读：查看和导出；填报单位：只看本单位的报告，并可上传草稿自查。"
)
REGION_HELP = "不选即可查看全部地区；选择后该账户只能看到所选地区的报告（县级账户选本县）。"
AGENCY_HELP = "仅填报单位账户填写：报告中的机关名称，如“淮安市洪泽区教育体育局”。"


def _region_options(current: tuple[str, ...] = ()) -> list[str]:
    """Regions of the library's reports and of the roster (and those the account already has)."""
    from_reports = [r for r in filter_options().get("regions", []) if r != MISSING]
    from_roster = [row.region for row in from_library(roster_of) if row.region]
    return sorted({*from_reports, *from_roster, *current})


def _status(user: UserInfo) -> str:
    if user.disabled:
        return "已停用"
    if user.locked_until is not None and user.locked_until > utcnow():
        return f"已锁定（至 {user.locked_until:%H:%M} UTC）"
    return "启用"


def _table(users: list[UserInfo]) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                "登录名": [u.login for u in users],
                "姓名": [u.display_name for u in users],
                "角色": [ROLE_NAMES[u.role.value] for u in users],
                "地区范围": ["、".join(u.regions) or "全部地区" for u in users],
                "所属单位": [u.agency or "" for u in users],
                "状态": [_status(u) for u in users],
                "创建时间（UTC）": [f"{u.created_at:%Y-%m-%d %H:%M}" for u in users],
            }
        ),
        hide_index=True,
        key="accounts_table",
    )


def _flash_done(message: str) -> None:
    st.session_state["flash"] = ("success", message)
    st.rerun()


def _create_form() -> None:
    with st.expander("新建账户", icon=":material/person_add:"):
        with st.form("account_create", clear_on_submit=False):
            c1, c2 = st.columns(2)
            login = c1.text_input("登录名", key="acc_new_login", help=LOGIN_RULES)
            name = c2.text_input("姓名（记录操作人时显示）", key="acc_new_name")
            role = c1.selectbox(
                "角色",
                list(Role),
                format_func=lambda r: ROLE_NAMES[r.value],
                key="acc_new_role",
                help=ROLE_HELP,
            )
            agency = c2.text_input("所属单位（仅填报单位）", key="acc_new_agency", help=AGENCY_HELP)
            regions = st.multiselect(
                "地区范围", _region_options(), key="acc_new_regions", placeholder="全部地区", help=REGION_HELP
            )
            p1, p2 = st.columns(2)
            password = p1.text_input("初始密码", type="password", key="acc_new_password", help=PASSWORD_RULES)
            again = p2.text_input("再次输入初始密码", type="password", key="acc_new_again")
            st.caption(PASSWORD_RULES + "请把初始密码当面或电话告知本人。")
            submitted = st.form_submit_button("创建账户", type="primary")
    if not submitted:
        return
    if password != again:
        st.error("两次输入的密码不一致。")
        return
    try:
        account = get_accounts().create(
            login,
            password,
            role=role,
            display_name=name,
            regions=regions,
            agency=agency or None,
            who=who(),
        )
    except LibraryError as exc:
        st.error(exc.zh)
        return
    _flash_done(f"已创建账户“{account.name}”（{ROLE_NAMES[account.role.value]}）。")


def _edit_form(user: UserInfo) -> None:
    """Role, scope and name of one account."""
    with st.form(f"account_edit_{user.login}"):
        st.markdown("**角色与范围**")
        c1, c2 = st.columns(2)
        roles = list(Role)
        name = c1.text_input("姓名", value=user.display_name, key=f"acc_name_{user.login}")
        role = c2.selectbox(
            "角色",
            roles,
            index=roles.index(user.role),
            format_func=lambda r: ROLE_NAMES[r.value],
            key=f"acc_role_{user.login}",
            help=ROLE_HELP,
        )
        regions = st.multiselect(
            "地区范围",
            _region_options(user.regions),
            default=list(user.regions),
            key=f"acc_regions_{user.login}",
            placeholder="全部地区",
            help=REGION_HELP,
        )
        agency = st.text_input(
            "所属单位（仅填报单位）",
            value=user.agency or "",
            key=f"acc_agency_{user.login}",
            help=AGENCY_HELP,
        )
        if st.form_submit_button("保存", type="primary"):
            try:
                get_accounts().update(
                    user.login,
                    role=role,
                    regions=regions,
                    agency=agency or None,
                    display_name=name,
                    who=who(),
                )
            except LibraryError as exc:
                st.error(exc.zh)
            else:
                _flash_done(f"已保存账户“{user.login}”的角色与范围。")


def _password_form(user: UserInfo) -> None:
    with st.form(f"account_password_{user.login}", clear_on_submit=True):
        st.markdown("**重置密码**（同时解除锁定）")
        p1, p2 = st.columns(2)
        password = p1.text_input("新密码", type="password", key=f"acc_pw_{user.login}", help=PASSWORD_RULES)
        again = p2.text_input("再次输入新密码", type="password", key=f"acc_pw2_{user.login}")
        if st.form_submit_button("重置密码"):
            if password != again:
                st.error("两次输入的密码不一致。")
                return
            try:
                get_accounts().set_password(user.login, password, who=who())
            except LibraryError as exc:
                st.error(exc.zh)
            else:
                _flash_done(f"已重置账户“{user.login}”的密码。")


def _disable_button(user: UserInfo) -> None:
    me = current_account()
    if me is not None and me.name == user.login:
        st.caption("不能停用当前登录的账户。")
        return
    label = "启用账户" if user.disabled else "停用账户"
    if st.button(label, key=f"acc_disable_{user.login}", icon=":material/block:"):
        try:
            get_accounts().set_disabled(user.login, not user.disabled, who=who())
        except LibraryError as exc:
            st.error(exc.zh)
        else:
            done = "已启用" if user.disabled else "已停用（该账户立即退出登录）"
            _flash_done(f"账户“{user.login}”{done}。")


st.title("账户")
show_flash()
st.caption("管理可以登录本看板的账户：角色决定能做什么，地区范围决定能看到哪些报告。" + ROLE_HELP)
users = get_accounts().list_users()
_table(users)
_create_form()
st.subheader("修改账户")
by_login = {u.login: u for u in users}
picked = st.selectbox(
    "账户",
    list(by_login),
    format_func=lambda login: (
        f"{login}（{by_login[login].display_name or '未填姓名'}，{ROLE_NAMES[by_login[login].role.value]}）"
    ),
    key="acc_pick",
)
if picked is not None:
    chosen = by_login[picked]
    _edit_form(chosen)
    _password_form(chosen)
    _disable_button(chosen)

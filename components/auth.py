"""Sign-in before any page shows data, the first administrator, sign-out, and permission checks.

app.py calls :func:`signed_in_account` before ``st.navigation``: without an account in the session only
the sign-in form is drawn (on every page address, so a bookmarked link opens its page after sign-in),
and the run stops there. An empty installation (no account yet) asks for the administrator account
instead; for scripted installs ``NIANBAO_ADMIN_USER`` / ``NIANBAO_ADMIN_PASSWORD`` create it on start.

On every run the session's account is read again from the database (cached per accounts revision, so
it costs one tiny query): a disabled or deleted user is signed out at once, a changed role or region
takes effect at the next click.

A reload or a new tab starts a new Streamlit session: the browser then comes back through a cookie
holding a random token (library.accounts: only its sha256 is stored, valid for SESSION_HOURS; sign-out,
a password reset or disabling the account ends it). The cookie is set by a script, so it cannot be
HttpOnly; it is SameSite=Strict, and Secure when the page is served over HTTPS.
"""

from __future__ import annotations

import streamlit as st
from streamlit.logger import get_logger
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components.account import ACCOUNT_KEY, current_account
from components.errors import report_errors
from components.state import get_library
from components.ui_text import ui_text_script
from library.access import Account, Action, Role
from library.accounts import (
    LOCK_RULE,
    LOGIN_RULES,
    PASSWORD_RULES,
    SESSION_HOURS,
    Accounts,
    SignInError,
    admin_from_env,
)
from library.errors import LibraryError
from page_registry import PAGES
from parsing.vocabulary import ROLE_NAMES

log = get_logger("nianbao.auth")
NOTICE_KEY = "auth_notice"  # a message for the sign-in form (signed out, account disabled)
TOKEN_KEY = "auth_token"  # this session's browser token (library.accounts.open_session)
COOKIE = "nianbao_session"


@st.cache_resource(show_spinner=False)
def get_accounts() -> Accounts:
    """The accounts of the library's database (one per server process, like the library)."""
    return Accounts(get_library().engine)


@st.cache_resource(show_spinner=False, max_entries=512)
def _fresh_account(_accounts: Accounts, key: tuple[int, int], login: str) -> Account | None:
    # Keyed by (accounts object, accounts revision): any account write gives a new key.
    return _accounts.account(login)


def _reread(account: Account) -> Account | None:
    """The session's account as the database has it now (None: disabled or deleted)."""
    accounts = get_accounts()
    return _fresh_account(accounts, (id(accounts), accounts.revision()), account.name)


def signed_in_account() -> Account:
    """The signed-in account of this session; otherwise draw the sign-in form and stop the run.

    Fails closed: when the account cannot be read (database unreachable), the error is shown in
    Chinese with its id and nothing else is drawn.
    """
    with report_errors("登录"):
        account = current_account() or _from_cookie()
        if account is not None:
            fresh = _reread(account)
            if fresh is not None:
                if fresh != account:  # role, regions or name changed by an administrator
                    st.session_state[ACCOUNT_KEY] = fresh
                _write_cookie()
                return fresh
            _sign_out(notice="您的账户已被停用或删除，已退出登录。如有疑问请联系管理员。")
        _gate()
    st.stop()
    raise AssertionError("st.stop() returned")  # pragma: no cover - for the type checker


def _from_cookie() -> Account | None:
    """The account of this browser's cookie (a reload, a new tab), signed in to this session."""
    token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or not token:  # AppTest's client has a stand-in, not a str
        return None
    account = get_accounts().session_account(token)
    if account is not None:
        st.session_state[ACCOUNT_KEY] = account
        st.session_state[TOKEN_KEY] = token
    return account


def _cookie_script(value: str, max_age: int) -> str:
    # The token is URL-safe base64: nothing to escape.
    return (
        "<script>document.cookie = "
        f"'{COOKIE}={value}; Path=/; Max-Age={max_age}; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>"
    )


def _write_cookie() -> None:
    """Keep this session's token in the browser's cookie.

    Written on every run, not once: the run right after sign-in is often cut short by a page switch
    (the root forwards to 总览) before the browser has executed the script. The element is identical
    from run to run, so the browser does not redraw it.
    """
    token = st.session_state.get(TOKEN_KEY)
    if token:
        with st.sidebar:
            st.html(
                _cookie_script(token, SESSION_HOURS * 3600), unsafe_allow_javascript=True, width="content"
            )


def _gate() -> None:
    """The sign-in screen under every page address (the page opens after sign-in)."""
    screens = [st.Page(_sign_in_screen, title="登录", url_path="home", default=True)]
    screens += [st.Page(_sign_in_screen, title="登录", url_path=spec.url_path) for spec in PAGES]
    st.navigation(screens, position="hidden").run()
    _remember_unknown_address()
    # No valid session here: forget any cookie (expired, signed out, account disabled).
    st.html(_cookie_script("", 0), unsafe_allow_javascript=True, width="content")
    # Chinese for Streamlit's own English ("Press Enter to submit form"), in the page: no sidebar here.
    st.html(ui_text_script(), unsafe_allow_javascript=True, width="content")


def _remember_unknown_address() -> None:
    """An address that is no page: say so on 总览 after sign-in (as app.py does when signed in)."""
    ctx = get_script_run_ctx()
    name = (ctx.pages_manager.intended_page_name or "") if ctx else ""
    if name and name not in {spec.url_path for spec in PAGES}:
        st.session_state["flash"] = ("warning", f"没有地址为“/{name}”的页面，已为您打开总览。")


def _sign_in_screen() -> None:
    with report_errors("登录"):
        _, middle, _ = st.columns([1, 2, 1])
        with middle:
            st.title("公开年报看板")
            notice = st.session_state.pop(NOTICE_KEY, None)
            if notice:
                st.info(notice)
            accounts = get_accounts()
            env_problem = _admin_from_env(accounts)
            if accounts.count() == 0:
                _first_admin_form(accounts, env_problem)
            else:
                _sign_in_form(accounts)


def _admin_from_env(accounts: Accounts) -> str | None:
    """Create the administrator from the environment when no account exists; a problem to show."""
    try:
        created = admin_from_env(accounts)
    except LibraryError as exc:
        log.error("administrator from the environment refused: %s", exc)
        return f"环境变量中的管理员账户未能创建：{exc.zh}"
    if created is not None:
        log.info("administrator %s created from the environment", created.name)
    return None


def _sign_in_form(accounts: Accounts) -> None:
    st.subheader("登录")
    with st.form("sign_in"):
        login = st.text_input("登录名", key="sign_in_login", autocomplete="username")
        password = st.text_input(
            "密码", type="password", key="sign_in_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("登录", type="primary", width="stretch")
    st.caption(f"{LOCK_RULE}忘记密码请联系管理员重置。")
    if submitted:
        try:
            account = accounts.sign_in(login, password)
        except SignInError as exc:
            st.error(exc.zh)
            return
        _start_session(account)


def _first_admin_form(accounts: Accounts, env_problem: str | None) -> None:
    st.subheader("创建管理员账户")
    st.caption(
        "这是新安装的看板，还没有任何账户。请先创建管理员账户：管理员可以管理账户、名录和审核规则，"
        "并拥有审核员的全部权限。创建后即以该账户登录，其他账户在“账户”页添加。"
    )
    if env_problem:
        st.warning(env_problem)
    with st.form("first_admin"):
        login = st.text_input("登录名", key="first_admin_login", help=LOGIN_RULES, autocomplete="username")
        name = st.text_input("姓名（记录操作人时显示）", key="first_admin_name")
        password = st.text_input("密码", type="password", key="first_admin_password", help=PASSWORD_RULES)
        again = st.text_input("再次输入密码", type="password", key="first_admin_again")
        submitted = st.form_submit_button("创建管理员并登录", type="primary", width="stretch")
    st.caption(PASSWORD_RULES)
    if not submitted:
        return
    if password != again:
        st.error("两次输入的密码不一致。")
        return
    try:
        account = accounts.create(
            login,
            password,
            role=Role.ADMIN,
            display_name=name,
            only_if_none=True,
            who=name.strip() or login,
        )
    except LibraryError as exc:
        st.error(exc.zh)
        return
    log.info("administrator %s created in the browser", account.name)
    _start_session(account)


def _start_session(account: Account) -> None:
    """Sign ``account`` in and run the app again (the requested page opens)."""
    for key in ("sign_in_password", "first_admin_password", "first_admin_again"):
        st.session_state.pop(key, None)
    st.session_state[ACCOUNT_KEY] = account
    token = get_accounts().open_session(account.name)
    st.session_state[TOKEN_KEY] = token
    st.rerun()


def _sign_out(notice: str = "已退出登录。") -> None:
    """Forget everything of this session (filters, uploads in progress) and its browser token, and
    show the sign-in form."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        get_accounts().close_session(token)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[NOTICE_KEY] = notice


def account_box(account: Account) -> None:
    """The signed-in name and role, and the 退出登录 button (top of the sidebar)."""
    with st.sidebar:
        c1, c2 = st.columns([3, 2], vertical_alignment="center")
        c1.markdown(f":material/account_circle: **{_md(account.label)}**（{ROLE_NAMES[account.role.value]}）")
        c2.button("退出登录", key="sign_out", on_click=_sign_out, width="stretch")
        if account.scope.regions or account.scope.agency:
            parts = [*account.scope.regions, *([account.scope.agency] if account.scope.agency else [])]
            st.caption("范围：" + _md("、".join(parts)))


def _md(text: str) -> str:
    from charts.text import md_escape

    return md_escape(text)


def can(action: Action) -> bool:
    """True when the signed-in account may do ``action`` (False before sign-in)."""
    account = current_account()
    return account is not None and account.can(action)


def who() -> str | None:
    """The signed-in account's name for records (``Account.label``)."""
    account = current_account()
    return account.label if account else None


def not_allowed(action: Action, what: str) -> None:
    """Say in a caption that this account may not do ``what`` (the control is hidden or disabled)."""
    account = current_account()
    role = ROLE_NAMES[account.role.value] if account else "未登录"
    allowed = "、".join(ROLE_NAMES[r.value] for r in Role if Account("", r).can(action))
    st.caption(f":material/lock: 您的账户角色为“{role}”，不能{what}（需要{allowed}权限）。")

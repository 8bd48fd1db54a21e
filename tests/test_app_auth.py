"""Sign-in in the app (AppTest): nothing drawn before sign-in on any address, the first administrator,
the administrator from the environment, wrong passwords and the lock-out, sign-out, a disabled account
signed out at its next click, and what a 只读 account may not see or open."""

from __future__ import annotations

import re

import pytest
from _app_support import (
    TEST_PASSWORD,
    app_test,
    library_at,
    open_address,
    signed_in_as,
    texts,
)
from paths import SHARED_SEEDS

from library.access import Role
from library.accounts import ADMIN_PASSWORD_ENV, ADMIN_USER_ENV, LOCK_MINUTES, MAX_FAILED, Accounts
from page_registry import PAGES

ADDRESSES = ["home", *(spec.url_path for spec in PAGES)]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A library with the five seed reports and an administrator and a 只读 account."""
    path = tmp_path_factory.mktemp("ui_auth") / "library.sqlite"
    with library_at(path):
        from library.samples import load_samples
        from library.store import Library

        load_samples(Library(), SHARED_SEEDS)
        signed_in_as("admin")
        signed_in_as("viewer")
        yield path


@pytest.fixture
def empty(tmp_path):
    with library_at(tmp_path / "library.sqlite"):
        yield tmp_path / "library.sqlite"


def _accounts() -> Accounts:
    from library.store import Library

    return Accounts(Library().engine)


def _submit(at, label: str):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def _sign_in(at, login: str, password: str):
    at.text_input(key="sign_in_login").input(login)
    at.text_input(key="sign_in_password").input(password)
    return _submit(at, "登录")


def _nothing_but_the_form(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["公开年报看板"]
    assert not at.sidebar.children  # no filters, no 简报包, no page list
    for kind in ("dataframe", "metric", "plotly_chart", "multiselect", "selectbox", "download_button"):
        assert not at.get(kind), f"{kind} drawn before sign-in"
    shown = texts(at)
    for agency in ("施秉县", "盐池县", "乐清市", "教育局"):  # names in the seed reports
        assert agency not in shown


@pytest.mark.parametrize("address", ADDRESSES)
def test_no_data_before_sign_in_on_any_address(loaded, address):
    at = open_address(app_test(role=None), address).run()
    _nothing_but_the_form(at)
    assert {t.label for t in at.text_input} == {"登录名", "密码"}


def test_sign_in_opens_the_requested_page(loaded):
    at = open_address(app_test(role=None), "quality").run()
    at = _sign_in(at, "test_admin", TEST_PASSWORD)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "数据质量"  # the address asked for, now with its data
    assert "测试admin" in "\n".join(m.value for m in at.sidebar.markdown)
    assert [m.label for m in at.sidebar.multiselect] == ["地区", "年度", "机关类型", "格式版本"]


def test_wrong_password_is_refused(loaded):
    at = _sign_in(app_test(role=None).run(), "test_admin", "Wrong2024pw")
    assert [e.value for e in at.error] == ["登录名或密码错误。"]
    _nothing_but_the_form(at)


def test_lock_out_is_stated_and_lifted_by_a_reset(empty):
    signed_in_as("reviewer")
    at = app_test(role=None).run()
    for _ in range(MAX_FAILED):
        at = _sign_in(at, "test_reviewer", "Wrong2024pw")
    message = at.error[0].value
    assert f"连续 {MAX_FAILED} 次密码错误" in message and f"锁定 {LOCK_MINUTES} 分钟" in message
    at = _sign_in(at, "test_reviewer", TEST_PASSWORD)  # the right password while locked: still refused
    assert "已锁定" in at.error[0].value
    _nothing_but_the_form(at)
    _accounts().set_password("test_reviewer", "Reset2025pw")  # an administrator's reset
    at = _sign_in(at, "test_reviewer", "Reset2025pw")
    assert not at.error and at.title[0].value == "总览"


def test_first_start_asks_for_the_administrator(empty):
    at = app_test(role=None).run()
    assert "创建管理员账户" in [h.value for h in at.subheader]
    at.text_input(key="first_admin_login").input("Admin")
    at.text_input(key="first_admin_name").input("王主任")
    at.text_input(key="first_admin_password").input("short")
    at.text_input(key="first_admin_again").input("short")
    at = _submit(at, "创建管理员并登录")
    assert "至少 8 位" in at.error[0].value and _accounts().count() == 0
    at.text_input(key="first_admin_password").input("Kanban2024ok")
    at.text_input(key="first_admin_again").input("Kanban2024ok")
    at = _submit(at, "创建管理员并登录")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "总览"  # signed in at once
    [user] = _accounts().list_users()
    assert (user.login, user.display_name, user.role) == ("admin", "王主任", Role.ADMIN)
    # A second browser now gets the sign-in form, not the administrator form.
    again = app_test(role=None).run()
    assert "创建管理员账户" not in [h.value for h in again.subheader]
    assert _sign_in(again, "admin", "Kanban2024ok").title[0].value == "总览"


def test_administrator_from_the_environment(empty, monkeypatch):
    monkeypatch.setenv(ADMIN_USER_ENV, "root")
    monkeypatch.setenv(ADMIN_PASSWORD_ENV, "Scripted2024x")
    at = app_test(role=None).run()
    assert "创建管理员账户" not in [h.value for h in at.subheader]  # created on start: sign in
    assert [u.login for u in _accounts().list_users()] == ["root"]
    assert _sign_in(at, "root", "Scripted2024x").title[0].value == "总览"


def test_a_bad_password_in_the_environment_falls_back_to_the_form(empty, monkeypatch):
    monkeypatch.setenv(ADMIN_USER_ENV, "root")
    monkeypatch.setenv(ADMIN_PASSWORD_ENV, "123")
    at = app_test(role=None).run()
    assert ADMIN_PASSWORD_ENV in at.warning[0].value
    assert "创建管理员账户" in [h.value for h in at.subheader]


def test_sign_out(loaded):
    at = app_test().run()
    assert at.title[0].value == "总览"
    at.sidebar.button(key="sign_out").click().run()
    _nothing_but_the_form(at)
    assert "已退出登录" in texts(at)


def test_a_disabled_account_is_signed_out_at_its_next_click(loaded):
    account = signed_in_as("reviewer")
    at = app_test(role="reviewer").run()
    assert at.title[0].value == "总览"
    _accounts().set_disabled(account.name, True)
    try:
        at.sidebar.multiselect(key="f_years").set_value([2020]).run()
        _nothing_but_the_form(at)
        assert "已被停用或删除" in texts(at)
    finally:
        _accounts().set_disabled(account.name, False)


def test_a_role_change_applies_at_the_next_click(loaded):
    account = signed_in_as("reviewer", regions=("某县",))
    at = app_test(role="reviewer", regions=("某县",)).run()
    assert "上传报告" in _sidebar_pages(at)
    _accounts().update(account.name, role=Role.VIEWER, regions=["某县"])
    at.run()
    assert "上传报告" not in _sidebar_pages(at)


def _sidebar_pages(at) -> set[str]:
    """Titles of the screens the router registered (the stand-ins of forbidden pages have no file)."""
    return {info["page_name"] for info in at._registered_pages.values() if info.get("script_path")}


def test_viewer_sees_no_upload_or_accounts_page(loaded):
    at = app_test(role="viewer").run()
    assert not at.exception
    assert {"总览", "数据质量", "报告库"} <= _sidebar_pages(at)
    assert not {"上传报告", "账户"} & _sidebar_pages(at)
    assert {"上传报告", "账户"} <= _sidebar_pages(app_test(role="admin").run())
    for address, title in (("upload", "上传报告"), ("accounts", "账户")):
        at = open_address(app_test(role="viewer"), address).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.title[0].value == "总览"  # landed on a page it may open ...
        assert f"无权打开“{title}”" in texts(at)  # ... saying why


def test_viewer_has_no_correct_or_delete_controls(loaded):
    at = app_test(role="viewer").run()
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception
    submit = next(b for b in at.button if b.label == "保存更正")
    assert submit.disabled
    assert "不能更正数值" in texts(at)
    at.switch_page("app_pages/report_library.py").run()
    at.session_state["library_selected"] = int(_first_report_id(at))
    at.run()
    assert at.button(key="delete_one").disabled and at.button(key="reparse_one").disabled
    assert "不能重新解析或删除报告" in texts(at)
    assert not at.sidebar.get("download_button") or all(
        b.proto.label != "下载通报（Word）" for b in at.sidebar.get("download_button")
    )


def _first_report_id(at) -> int:
    for df in at.dataframe:
        if "编号" in df.value.columns:
            return int(df.value["编号"].iloc[0])
    raise AssertionError("no report table")


def _unreachable(*_args, **_kwargs):
    raise RuntimeError("connection refused: secret-host:5432")


@pytest.mark.parametrize("signed_in", [False, True])
def test_an_error_at_sign_in_fails_closed_in_chinese(loaded, monkeypatch, signed_in):
    at = app_test(role="admin" if signed_in else None)
    monkeypatch.setattr(Accounts, "revision" if signed_in else "count", _unreachable)
    at.run()
    assert not at.exception
    [message] = [e.value for e in at.error]
    assert message.startswith("登录出错了") and re.search(r"错误编号 [0-9a-f]{8}", message)
    assert "secret-host" not in message
    assert not at.sidebar.children and not at.get("metric") and not at.get("dataframe")


def test_administrator_manages_accounts_on_the_accounts_page(empty):
    at = app_test().run()
    at.switch_page("app_pages/accounts.py").run()
    assert at.title[0].value == "账户"
    at.text_input(key="acc_new_login").input("hongze")
    at.text_input(key="acc_new_name").input("李四")
    at.selectbox(key="acc_new_role").set_value(Role.REVIEWER)
    at.text_input(key="acc_new_password").input("Hongze2024ok")
    at.text_input(key="acc_new_again").input("Hongze2024ok")
    at = _submit(at, "创建账户")
    assert not at.exception, [e.value for e in at.exception]
    assert "已创建账户“hongze”（审核员）" in texts(at)
    assert _accounts().sign_in("hongze", "Hongze2024ok").label == "李四"
    # Edit: 只读, one region; then disable, and the account cannot sign in any more.
    at.selectbox(key="acc_pick").set_value("hongze").run()
    at.selectbox(key="acc_role_hongze").set_value(Role.VIEWER)
    at = _submit(at, "保存")
    assert _accounts().account("hongze").role == Role.VIEWER
    at.button(key="acc_disable_hongze").click().run()
    assert "已停用" in texts(at) and _accounts().account("hongze") is None
    # The signed-in administrator cannot disable itself.
    at.selectbox(key="acc_pick").set_value("test_admin").run()
    assert "不能停用当前登录的账户" in texts(at)

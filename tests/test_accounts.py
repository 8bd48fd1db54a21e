"""Accounts (library.accounts): argon2 hashes, sign-in, lock-out and its expiry, no user enumeration,
disabled accounts, password rules, the administrator from the environment, the last administrator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from library import accounts as accounts_module
from library.access import Account, Role, Scope
from library.accounts import (
    ADMIN_PASSWORD_ENV,
    ADMIN_USER_ENV,
    LOCK_MINUTES,
    MAX_FAILED,
    SESSION_HOURS,
    Accounts,
    SignInError,
    admin_from_env,
)
from library.db import User, UserSession, utcnow
from library.errors import LibraryError
from library.store import Library

PASSWORD = "Kanban2024ok"


@pytest.fixture
def accounts(tmp_path):
    lib = Library(f"sqlite:///{tmp_path / 'library.sqlite'}")
    yield Accounts(lib.engine)
    lib.close()


def _stored(accounts: Accounts, login: str):
    with accounts.engine.connect() as conn:
        return conn.execute(select(User).where(User.login == login)).one()


def test_passwords_are_stored_as_argon2_hashes_only(accounts, tmp_path):
    accounts.create("zhang", PASSWORD, role=Role.REVIEWER, display_name="张三")
    row = _stored(accounts, "zhang")
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    accounts.engine.dispose()
    for file in tmp_path.glob("library.sqlite*"):  # the database file and its WAL: no plain text anywhere
        assert PASSWORD.encode() not in file.read_bytes()


def test_sign_in_returns_the_account_with_role_and_scope(accounts):
    accounts.create("Xian", PASSWORD, role="viewer", display_name="李四", regions=["洪泽区"])
    account = accounts.sign_in("  xian ", PASSWORD)  # login names are trimmed and case-insensitive
    assert account == Account("xian", Role.VIEWER, Scope(("洪泽区",)), "李四")
    assert account.label == "李四"


def test_wrong_password_and_unknown_name_get_the_same_answer_and_work(accounts, monkeypatch):
    accounts.create("zhang", PASSWORD, role=Role.REVIEWER)
    verified: list[str] = []
    real = accounts_module._verify
    monkeypatch.setattr(accounts_module, "_verify", lambda h, p: verified.append(h) or real(h, p))
    with pytest.raises(SignInError) as wrong:
        accounts.sign_in("zhang", "Wrong2024pw")
    with pytest.raises(SignInError) as unknown:
        accounts.sign_in("nobody", "Wrong2024pw")
    assert wrong.value.zh == unknown.value.zh == "登录名或密码错误。"
    # An unknown name still costs one argon2 verification (of a dummy hash): no timing difference.
    assert len(verified) == 2 and all(h.startswith("$argon2id$") for h in verified)


def test_lock_out_after_repeated_failures_and_its_expiry(accounts):
    accounts.create("zhang", PASSWORD, role=Role.REVIEWER)
    start = utcnow()
    for n in range(MAX_FAILED - 1):
        with pytest.raises(SignInError) as err:
            accounts.sign_in("zhang", "Wrong2024pw", now=start + timedelta(seconds=n))
        assert err.value.zh == "登录名或密码错误。"
    with pytest.raises(SignInError) as err:
        accounts.sign_in("zhang", "Wrong2024pw", now=start + timedelta(seconds=10))
    assert f"连续 {MAX_FAILED} 次密码错误" in err.value.zh and f"锁定 {LOCK_MINUTES} 分钟" in err.value.zh
    # Locked: even the right password is refused, and the message says how long it lasts.
    with pytest.raises(SignInError) as err:
        accounts.sign_in("zhang", PASSWORD, now=start + timedelta(minutes=5))
    assert "请约 11 分钟后再试" in err.value.zh
    # After the lock has run out the right password works again, and the count starts afresh.
    later = start + timedelta(minutes=LOCK_MINUTES, seconds=11)
    assert accounts.sign_in("zhang", PASSWORD, now=later).name == "zhang"
    row = _stored(accounts, "zhang")
    assert row.failed_attempts == 0 and row.locked_until is None


def test_an_expired_lock_starts_a_fresh_count(accounts):
    accounts.create("zhang", PASSWORD, role=Role.REVIEWER)
    start = utcnow()
    for n in range(MAX_FAILED):
        with pytest.raises(SignInError):
            accounts.sign_in("zhang", "Wrong2024pw", now=start + timedelta(seconds=n))
    after = start + timedelta(minutes=LOCK_MINUTES + 1)
    with pytest.raises(SignInError) as err:  # one more wrong password after the lock: not locked again
        accounts.sign_in("zhang", "Wrong2024pw", now=after)
    assert err.value.zh == "登录名或密码错误。"
    assert accounts.sign_in("zhang", PASSWORD, now=after).name == "zhang"


def test_a_password_reset_lifts_the_lock(accounts):
    accounts.create("zhang", PASSWORD, role=Role.REVIEWER)
    for _ in range(MAX_FAILED):
        with pytest.raises(SignInError):
            accounts.sign_in("zhang", "Wrong2024pw")
    accounts.set_password("zhang", "NewPass2025x")
    assert accounts.sign_in("zhang", "NewPass2025x").name == "zhang"


def test_disabled_accounts_cannot_sign_in_and_drop_out(accounts):
    accounts.create("admin", PASSWORD, role=Role.ADMIN)
    accounts.create("zhang", PASSWORD, role=Role.REVIEWER)
    before = accounts.revision()
    accounts.set_disabled("zhang", True)
    assert accounts.revision() > before  # the app's cached account is read again
    assert accounts.account("zhang") is None
    with pytest.raises(SignInError) as err:
        accounts.sign_in("zhang", PASSWORD)
    assert "已停用" in err.value.zh
    accounts.set_disabled("zhang", False)
    assert accounts.account("zhang") is not None


def test_password_rules_are_stated_in_chinese(accounts):
    for password in ("short1", "onlyletters", "1234567890", "zhangsan1"):
        with pytest.raises(LibraryError) as err:
            accounts.create("zhangsan1", password, role=Role.VIEWER)
        assert "密码" in err.value.zh and "至少 8 位" in err.value.zh
    with pytest.raises(LibraryError) as err:
        accounts.create("a b", PASSWORD, role=Role.VIEWER)
    assert "登录名无效" in err.value.zh
    assert accounts.count() == 0


def test_login_names_are_unique_whatever_the_case(accounts):
    accounts.create("zhang", PASSWORD, role=Role.VIEWER)
    with pytest.raises(LibraryError) as err:
        accounts.create("ZHANG", PASSWORD, role=Role.VIEWER)
    assert "已被使用" in err.value.zh


def test_role_and_scope_can_be_changed(accounts):
    accounts.create("zhang", PASSWORD, role=Role.VIEWER)
    accounts.update("zhang", role=Role.AGENCY, regions=["洪泽区"], agency="洪泽区教育体育局")
    assert accounts.account("zhang") == Account(
        "zhang", Role.AGENCY, Scope(("洪泽区",), "洪泽区教育体育局"), ""
    )
    with pytest.raises(LibraryError) as err:  # a 填报单位 account needs its agency
        accounts.update("zhang", role=Role.AGENCY, regions=["洪泽区"])
    assert "所属单位" in err.value.zh


def test_the_last_enabled_administrator_stays(accounts):
    accounts.create("admin", PASSWORD, role=Role.ADMIN)
    for change in (
        lambda: accounts.set_disabled("admin", True),
        lambda: accounts.update("admin", role=Role.VIEWER),
    ):
        with pytest.raises(LibraryError) as err:
            change()
        assert "至少要保留一个启用的管理员账户" in err.value.zh
    accounts.create("second", PASSWORD, role=Role.ADMIN)
    accounts.set_disabled("admin", True)  # another administrator exists now


def test_old_hash_parameters_are_upgraded_at_sign_in(accounts):
    accounts.create("zhang", PASSWORD, role=Role.VIEWER)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with accounts.engine.begin() as conn:
        conn.execute(update(User).where(User.login == "zhang").values(password_hash=weak))
    accounts.sign_in("zhang", PASSWORD)
    renewed = _stored(accounts, "zhang").password_hash
    assert renewed != weak and not PasswordHasher().check_needs_rehash(renewed)


def test_the_first_administrator_can_be_created_once(accounts):
    accounts.create("admin", PASSWORD, role=Role.ADMIN, only_if_none=True)
    with pytest.raises(LibraryError) as err:
        accounts.create("other", PASSWORD, role=Role.ADMIN, only_if_none=True)
    assert "已经创建" in err.value.zh


def test_administrator_from_the_environment(accounts):
    env = {ADMIN_USER_ENV: "root", ADMIN_PASSWORD_ENV: PASSWORD}
    assert admin_from_env(accounts, {}) is None and accounts.count() == 0
    created = admin_from_env(accounts, env)
    assert created is not None and created.role == Role.ADMIN
    assert accounts.sign_in("root", PASSWORD).role == Role.ADMIN
    assert admin_from_env(accounts, {ADMIN_USER_ENV: "x2", ADMIN_PASSWORD_ENV: PASSWORD}) is None
    assert accounts.count() == 1  # only while no account exists


def test_a_bad_password_in_the_environment_is_refused_in_chinese(accounts):
    with pytest.raises(LibraryError) as err:
        admin_from_env(accounts, {ADMIN_USER_ENV: "root", ADMIN_PASSWORD_ENV: "123"})
    assert ADMIN_PASSWORD_ENV in err.value.zh and "至少 8 位" in err.value.zh
    assert accounts.count() == 0


def test_a_browser_session_comes_back_until_it_ends(accounts):
    accounts.create("admin", PASSWORD, role=Role.ADMIN)
    accounts.create("zhang", PASSWORD, role=Role.REVIEWER, regions=["洪泽区"])
    token = accounts.open_session("zhang")
    assert accounts.session_account(token) == Account("zhang", Role.REVIEWER, Scope(("洪泽区",)), "")
    with accounts.engine.connect() as conn:  # only a hash of the token is stored
        stored = conn.execute(select(UserSession.token_hash)).scalars().all()
    assert token not in stored and len(stored) == 1
    assert accounts.session_account("forged-token") is None
    later = utcnow() + timedelta(hours=SESSION_HOURS, minutes=1)
    assert accounts.session_account(token, now=later) is None  # expired
    accounts.close_session(token)  # sign-out
    assert accounts.session_account(token) is None


def test_a_password_reset_or_disabling_ends_the_browser_sessions(accounts):
    accounts.create("admin", PASSWORD, role=Role.ADMIN)
    accounts.create("zhang", PASSWORD, role=Role.REVIEWER)
    first, second = accounts.open_session("zhang"), accounts.open_session("zhang")
    accounts.set_password("zhang", "NewPass2025x")
    assert accounts.session_account(first) is None and accounts.session_account(second) is None
    third = accounts.open_session("zhang")
    accounts.set_disabled("zhang", True)
    accounts.set_disabled("zhang", False)
    assert accounts.session_account(third) is None  # enabling again does not revive it


def test_account_changes_are_in_the_audit_trail_without_passwords(tmp_path) -> None:
    """Creating, changing, resetting and disabling an account each leave one record with who, before and
    after; no password or hash is ever written to the trail."""
    from library import audit
    from library.audit import AuditQuery
    from library.store import Library

    lib = Library(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    accounts = Accounts(lib.engine)
    accounts.create("boss", "Admin12345", role=Role.ADMIN, who="boss")
    accounts.create("county", "County12345", role=Role.VIEWER, regions=["甲县"], who="boss")
    accounts.update("county", role=Role.REVIEWER, regions=["甲县", "乙县"], who="boss")
    accounts.set_password("county", "Another12345", who="boss")
    accounts.set_disabled("county", True, who="boss")
    rows = lib.audit_entries(AuditQuery(limit=None)).iloc[::-1]
    assert list(rows["action"]) == [audit.ACCOUNT_CREATED] * 2 + [audit.ACCOUNT_CHANGED] * 3
    assert list(rows["who"]) == ["boss"] * 5
    change = rows.iloc[2]
    assert change["before"]["role"] == "只读" and change["after"]["role"] == "审核员"
    assert change["after"]["scope"] == ["乙县", "甲县"] or change["after"]["scope"] == ["甲县", "乙县"]
    assert rows.iloc[3]["after"]["password"] == "已重置"
    assert rows.iloc[4]["before"]["active"] is True and rows.iloc[4]["after"]["active"] is False
    dumped = rows.to_json(force_ascii=False)
    assert "12345" not in dumped and "argon2" not in dumped
    lib.close()

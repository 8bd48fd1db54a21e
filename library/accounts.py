"""Accounts of the app: create, sign in (argon2 hashes, lock-out), change, disable, list (no Streamlit).

Typical use::

    accounts = Accounts(Library().engine)
    accounts.create("zhangsan", "密码123abc", role=Role.REVIEWER, regions=["洪泽区"])
    account = accounts.sign_in("zhangsan", "密码123abc")   # a library.access.Account, or SignInError

Passwords are hashed with argon2id (``argon2-cffi``'s :class:`PasswordHasher`, its recommended
parameters); a hash made with older parameters is replaced at the next successful sign-in. After
:data:`MAX_FAILED` wrong passwords in a row an account is locked for :data:`LOCK_MINUTES` minutes.
Signing in with an unknown login name costs one argon2 verification too, so the answer time does not
tell whether a name exists. Every account write bumps the ``accounts`` counter of ``library_meta``
(not the library's ``revision``: the reports did not change), so the app can cache accounts safely.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update

from library import audit
from library.access import Account, Role, Scope
from library.config import WRITE_OPTION
from library.db import User, UserSession, utcnow
from library.errors import LibraryError
from parsing.vocabulary import ROLE_NAMES

MAX_FAILED = 5  # wrong passwords in a row before the lock-out
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
SESSION_HOURS = 12  # a signed-in browser comes back without the password for this long (a work day)
PASSWORD_RULES = f"密码至少 {MIN_PASSWORD_LENGTH} 位，须同时包含字母和数字，且不能与登录名相同。"
LOGIN_RULES = "登录名为 2–32 位字母、数字、下划线、点或短横线（不区分大小写），也可以用中文。"
WRONG_ZH = "登录名或密码错误。"
LOCK_RULE = f"连续 {MAX_FAILED} 次密码错误，账户将被锁定 {LOCK_MINUTES} 分钟。"
_LOGIN = re.compile(r"^[\w.\-]{2,32}$")  # \w includes CJK characters
_COUNTER = "accounts"  # library_meta key bumped by every account write

_hasher = PasswordHasher()
_dummy_lock = threading.Lock()
_dummy_hash: str | None = None


class SignInError(LibraryError):
    """A refused sign-in; ``zh`` says why (never whether an unknown login name exists)."""


@dataclass(frozen=True)
class UserInfo:
    """One account as the 账户 page lists it (no password hash)."""

    login: str
    display_name: str
    role: Role
    regions: tuple[str, ...]
    agency: str | None
    disabled: bool
    locked_until: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def account(self) -> Account:
        """The :class:`Account` this user signs in as."""
        return Account(self.login, self.role, Scope(self.regions, self.agency), self.display_name)


def normalize_login(login: str) -> str:
    """The stored form of a login name: trimmed and casefolded (“Admin” and “admin” are one account)."""
    return (login or "").strip().casefold()


def password_problem(password: str, login: str = "") -> str | None:
    """Why ``password`` is refused (Chinese), or None when it meets :data:`PASSWORD_RULES`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码太短：{PASSWORD_RULES}"
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        return f"密码须同时包含字母和数字：{PASSWORD_RULES}"
    if login and password.strip().casefold() == normalize_login(login):
        return f"密码不能与登录名相同：{PASSWORD_RULES}"
    return None


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for DateTime(timezone=True) columns; they were stored as UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _dummy() -> str:
    """A hash of a random password, verified for unknown login names (same cost as a wrong password)."""
    global _dummy_hash
    with _dummy_lock:
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash(secrets.token_hex(16))
        return _dummy_hash


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _info(row) -> UserInfo:
    return UserInfo(
        login=row.login,
        display_name=row.display_name or "",
        role=Role(row.role),
        regions=tuple(row.regions or ()),
        agency=row.agency,
        disabled=bool(row.disabled),
        locked_until=_aware(row.locked_until),
        created_at=_aware(row.created_at) or utcnow(),
        updated_at=_aware(row.updated_at) or utcnow(),
    )


def lock_message(until: datetime, now: datetime | None = None) -> str:
    """The Chinese notice of a locked account: why, and for about how many more minutes."""
    left = (until - (now or utcnow())).total_seconds()
    minutes = max(1, int(-(-left // 60)))
    return (
        f"连续 {MAX_FAILED} 次密码错误，账户已锁定 {LOCK_MINUTES} 分钟。"
        f"请约 {minutes} 分钟后再试，或请管理员重置密码。"
    )


class Accounts:
    """The accounts stored in the library's database (table ``users``)."""

    def __init__(self, engine: Engine) -> None:
        """Use ``engine``: the Library's, whose opening brought the schema (``users``, revision
        0002_accounts) up to date."""
        self.engine = engine

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction that also bumps the accounts counter."""
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            yield conn
            bumped = conn.execute(
                text("UPDATE library_meta SET value = value + 1 WHERE key = :k"), {"k": _COUNTER}
            ).rowcount
            if not bumped:
                conn.execute(text("INSERT INTO library_meta (key, value) VALUES (:k, 1)"), {"k": _COUNTER})

    def revision(self) -> int:
        """The accounts counter: changes with every account write (a cache key for the app)."""
        with self.engine.connect() as conn:
            value = conn.execute(
                text("SELECT value FROM library_meta WHERE key = :k"), {"k": _COUNTER}
            ).scalar()
        return int(value or 0)

    def _row(self, conn: Connection, login: str):
        return conn.execute(select(User).where(User.login == normalize_login(login))).first()

    # ------------------------------------------------------------------ reading

    def count(self) -> int:
        """How many accounts exist (disabled ones included)."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(User)).scalar_one())

    def list_users(self) -> list[UserInfo]:
        """Every account, by login name."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(User).order_by(User.login)).all()
        return [_info(r) for r in rows]

    def user(self, login: str) -> UserInfo | None:
        """One account (None when there is none by that name)."""
        with self.engine.connect() as conn:
            row = self._row(conn, login)
        return None if row is None else _info(row)

    def account(self, login: str) -> Account | None:
        """The :class:`Account` of an enabled user, or None when it is deleted or disabled (sign out)."""
        info = self.user(login)
        return None if info is None or info.disabled else info.account

    # ------------------------------------------------------------------ signing in

    def sign_in(self, login: str, password: str, *, now: datetime | None = None) -> Account:
        """The account of ``login`` when ``password`` is right; :class:`SignInError` otherwise.

        A locked account is refused (with how long the lock lasts) before its password is checked;
        the :data:`MAX_FAILED`-th wrong password in a row locks it for :data:`LOCK_MINUTES` minutes.
        """
        now = now or utcnow()
        dummy = _dummy()  # made before the lookup, so the first unknown name is not slower either
        with self.engine.connect() as conn:
            row = self._row(conn, login)
        if row is None:
            _verify(dummy, password)  # the same work as for a real account: no user enumeration
            raise SignInError(WRONG_ZH, "unknown login or wrong password")
        locked = _aware(row.locked_until)
        if locked is not None and locked > now:
            raise SignInError(lock_message(locked, now), f"account {row.login} is locked")
        if not _verify(row.password_hash, password):
            raise SignInError(self._failed(row.login, now), "unknown login or wrong password")
        if row.disabled:
            raise SignInError("该账户已停用，请联系管理员。", f"account {row.login} is disabled")
        self._succeeded(row, password)
        return _info(row).account

    def _failed(self, login: str, now: datetime) -> str:
        """Count a wrong password (locking at the limit); the message to show."""
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            row = conn.execute(select(User).where(User.login == login)).first()
            if row is None:  # deleted meanwhile
                return WRONG_ZH
            locked = _aware(row.locked_until)
            # An expired lock starts a fresh count.
            attempts = (0 if locked is not None and locked <= now else row.failed_attempts) + 1
            until = now + timedelta(minutes=LOCK_MINUTES) if attempts >= MAX_FAILED else None
            conn.execute(
                update(User)
                .where(User.id == row.id)
                .values(failed_attempts=0 if until else attempts, locked_until=until)
            )
        # Before the lock the message is the one of an unknown name (no "N tries left"): it must not
        # tell whether the name exists. The sign-in form states the lock-out rule instead.
        return lock_message(until, now) if until is not None else WRONG_ZH

    def _succeeded(self, row, password: str) -> None:
        """Clear the failure count; re-hash when the hasher's parameters changed."""
        values: dict = {}
        if row.failed_attempts or row.locked_until is not None:
            values.update(failed_attempts=0, locked_until=None)
        if _hasher.check_needs_rehash(row.password_hash):
            values["password_hash"] = _hasher.hash(password)
        if values:
            with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
                conn.execute(update(User).where(User.id == row.id).values(**values))

    # ------------------------------------------------------------------ browser sessions

    def open_session(self, login: str, *, now: datetime | None = None) -> str:
        """A new random token for a signed-in browser (kept in a cookie); only its sha256 is stored.

        Expired tokens of every account are removed at the same time.
        """
        now = now or utcnow()
        token = secrets.token_urlsafe(32)
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            conn.execute(delete(UserSession).where(UserSession.expires_at < now))
            conn.execute(
                insert(UserSession).values(
                    token_hash=_token_hash(token),
                    login=normalize_login(login),
                    created_at=now,
                    expires_at=now + timedelta(hours=SESSION_HOURS),
                )
            )
        return token

    def session_account(self, token: str, *, now: datetime | None = None) -> Account | None:
        """The account a browser's token stands for; None when unknown, expired, or the account is
        disabled or deleted."""
        if not token:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(UserSession.login, UserSession.expires_at).where(
                    UserSession.token_hash == _token_hash(token)
                )
            ).first()
        expires = _aware(row.expires_at) if row is not None else None
        if row is None or expires is None or expires <= (now or utcnow()):
            return None
        return self.account(row.login)

    def close_session(self, token: str) -> None:
        """Forget a browser's token (sign-out)."""
        if token:
            with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
                conn.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))

    # ------------------------------------------------------------------ writing

    def create(
        self,
        login: str,
        password: str,
        *,
        role: Role | str,
        display_name: str = "",
        regions: Iterable[str] = (),
        agency: str | None = None,
        only_if_none: bool = False,
        who: str | None = None,
    ) -> Account:
        """Create an account (:class:`LibraryError` in Chinese when a rule is broken or the name is taken).

        ``only_if_none``: refuse unless no account exists yet, checked inside the write transaction
        (the first administrator; two browsers racing to create it cannot both succeed). The audit
        trail records the new account (never its password) with ``who``.
        """
        name = normalize_login(login)
        if not _LOGIN.match(name):
            raise LibraryError(f"登录名无效。{LOGIN_RULES}", f"invalid login {login!r}")
        problem = password_problem(password, name)
        if problem:
            raise LibraryError(problem, "password refused")
        role, scope = _checked(role, regions, agency)
        password_hash = _hasher.hash(password)
        now = utcnow()
        with self._write() as conn:
            if only_if_none and conn.execute(select(func.count()).select_from(User)).scalar_one():
                raise LibraryError("管理员账户已经创建，请直接登录。", "an account already exists")
            if self._row(conn, name) is not None:
                raise LibraryError(f"登录名“{name}”已被使用。", f"login {name!r} exists")
            conn.execute(
                insert(User).values(
                    login=name,
                    display_name=display_name.strip(),
                    role=role.value,
                    regions=list(scope.regions),
                    agency=scope.agency,
                    password_hash=password_hash,
                    failed_attempts=0,
                    disabled=False,
                    created_at=now,
                    updated_at=now,
                )
            )
            created = self._row(conn, name)
            audit.record_account(
                conn,
                audit.ACCOUNT_CREATED,
                name,
                who=who,
                after=_public(created),
            )
        return Account(name, role, scope, display_name.strip())

    def set_password(
        self, login: str, password: str, *, old: str | None = None, who: str | None = None
    ) -> None:
        """Set a new password (and lift a lock-out). With ``old`` (a user changing their own), the
        current password must be right; without it, an administrator's reset."""
        with self.engine.connect() as conn:
            row = self._row(conn, login)
        if row is None:
            raise LibraryError("没有这个账户。", f"no account {login!r}")
        if old is not None and not _verify(row.password_hash, old):
            raise LibraryError("当前密码不正确。", "wrong current password")
        problem = password_problem(password, row.login)
        if problem:
            raise LibraryError(problem, "password refused")
        self._update(
            row.login,
            who=who,
            password_hash=_hasher.hash(password),
            failed_attempts=0,
            locked_until=None,
        )
        self._close_sessions(row.login)  # every browser signed in with the old password signs in again

    def update(
        self,
        login: str,
        *,
        role: Role | str,
        regions: Iterable[str] = (),
        agency: str | None = None,
        display_name: str | None = None,
        who: str | None = None,
    ) -> None:
        """Change an account's role, regions, agency (and display name when given)."""
        role, scope = _checked(role, regions, agency)
        values: dict = {"role": role.value, "regions": list(scope.regions), "agency": scope.agency}
        if display_name is not None:
            values["display_name"] = display_name.strip()
        self._update(login, guard_admin=role != Role.ADMIN, who=who, **values)

    def set_disabled(self, login: str, disabled: bool, *, who: str | None = None) -> None:
        """Disable an account (it is signed out at its next action) or enable it again."""
        self._update(login, guard_admin=disabled, who=who, disabled=disabled)
        if disabled:
            self._close_sessions(login)

    def _update(self, login: str, *, guard_admin: bool = False, who: str | None = None, **values) -> None:
        """Write ``values`` to one account, recorded in the audit trail with ``who`` (before and after,
        never a password); ``guard_admin``: refuse to leave no enabled administrator."""
        with self._write() as conn:
            row = self._row(conn, login)
            if row is None:
                raise LibraryError("没有这个账户。", f"no account {login!r}")
            if guard_admin and row.role == Role.ADMIN and not row.disabled and self._admins(conn) <= 1:
                raise LibraryError(
                    "至少要保留一个启用的管理员账户：请先为其他账户设置管理员角色。", "last administrator"
                )
            conn.execute(update(User).where(User.id == row.id).values(updated_at=utcnow(), **values))
            before, after = _public(row), _public(self._row(conn, login))
            if "password_hash" in values:
                before["password"], after["password"] = "", "已重置"
            audit.record_account(conn, audit.ACCOUNT_CHANGED, row.login, who=who, before=before, after=after)

    def _close_sessions(self, login: str) -> None:
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            conn.execute(delete(UserSession).where(UserSession.login == normalize_login(login)))

    @staticmethod
    def _admins(conn: Connection) -> int:
        query = select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, ~User.disabled)
        return int(conn.execute(query).scalar_one())


def _public(row) -> dict:
    """What the audit trail says of an account: role, scope, display name, enabled (no password)."""
    return {
        "role": ROLE_NAMES.get(row.role, row.role),
        "scope": list(row.regions or []) + ([row.agency] if row.agency else []),
        "name": row.display_name,
        "active": not row.disabled,
    }


def _token_hash(token: str) -> str:
    # The token is 256 random bits: a plain sha256 is enough (no password-style stretching needed).
    return hashlib.sha256(token.encode()).hexdigest()


def _checked(role: Role | str, regions: Iterable[str], agency: str | None) -> tuple[Role, Scope]:
    """The role and scope of an account, refused in Chinese when they do not fit together."""
    try:
        role = Role(role)
    except ValueError:
        raise LibraryError(f"未知的角色：{role}", f"unknown role {role!r}") from None
    scope = Scope(tuple(r.strip() for r in regions if r and r.strip()), agency)
    if role == Role.AGENCY and scope.agency is None:
        raise LibraryError(
            f"{ROLE_NAMES[Role.AGENCY.value]}账户须填写所属单位（机关名称）。",
            "agency account without agency",
        )
    if role != Role.AGENCY and scope.agency is not None:
        raise LibraryError(
            f"只有{ROLE_NAMES[Role.AGENCY.value]}账户限定单位；其他角色请留空“所属单位”。",
            "agency set for a non-agency role",
        )
    return role, scope


ADMIN_USER_ENV = "NIANBAO_ADMIN_USER"
ADMIN_PASSWORD_ENV = "NIANBAO_ADMIN_PASSWORD"


def admin_from_env(accounts: Accounts, environ: Mapping[str, str] | None = None) -> Account | None:
    """Create the administrator from ``NIANBAO_ADMIN_USER`` / ``NIANBAO_ADMIN_PASSWORD`` when both are
    set and no account exists yet (scripted installs); None when nothing was created.

    :class:`LibraryError` (Chinese) when the name or password breaks the rules; an account created by
    someone else a moment earlier is not an error (nothing is created).
    """
    environ = os.environ if environ is None else environ
    login = environ.get(ADMIN_USER_ENV, "").strip()
    password = environ.get(ADMIN_PASSWORD_ENV, "")
    if not login or not password or accounts.count():
        return None
    try:
        return accounts.create(
            login, password, role=Role.ADMIN, only_if_none=True, who=f"环境变量 {ADMIN_USER_ENV}"
        )
    except LibraryError as exc:
        if accounts.count():  # another process created the first account meanwhile
            return None
        raise LibraryError(f"{ADMIN_USER_ENV} / {ADMIN_PASSWORD_ENV}：{exc.zh}", str(exc)) from exc

"""Accounts from the command line, for the server's operator (e.g. the only administrator forgot the
password, or was locked out): ``python -m library.accounts_cli ...``.

    python -m library.accounts_cli list
    python -m library.accounts_cli create LOGIN --role admin|reviewer|viewer|agency [--name 姓名]
                                          [--region 地区 ...] [--agency 单位]
    python -m library.accounts_cli reset-password LOGIN       (also lifts a lock-out)
    python -m library.accounts_cli disable LOGIN | enable LOGIN

Passwords are asked twice without echo, or read from the first line of standard input with
``--password-stdin`` (scripts). The database is the app's (library/config.py). Exit status 0 on
success, 1 when the library refused (the reason in Chinese), 2 for a usage error.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from typing import TextIO

from library import audit
from library.access import Role
from library.accounts import PASSWORD_RULES, Accounts
from library.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, _Parser
from library.errors import LibraryError
from library.store import Library
from parsing.vocabulary import ROLE_NAMES

# The operator of account changes made from the shell, in the audit trail.
OPERATOR = f"{audit.CLI}（账户命令）"


def _parser() -> _Parser:
    parser = _Parser(prog="python -m library.accounts_cli", description="管理看板的登录账户。")
    commands = parser.add_subparsers(dest="command", required=True, title="命令", parser_class=_Parser)
    commands.add_parser("list", help="列出全部账户")
    create = commands.add_parser("create", help="新建账户")
    create.add_argument("login", help="登录名")
    create.add_argument("--role", required=True, choices=[r.value for r in Role], help="角色")
    create.add_argument("--name", default="", help="姓名（记录操作人时显示）")
    create.add_argument("--region", action="append", default=[], help="地区范围（可重复；不填＝全部地区）")
    create.add_argument("--agency", default=None, help="所属单位（仅填报单位账户）")
    reset = commands.add_parser("reset-password", help="重置密码并解除锁定")
    reset.add_argument("login", help="登录名")
    for sub in (create, reset):
        sub.add_argument("--password-stdin", action="store_true", help="从标准输入的第一行读取密码")
    for name, text in (("disable", "停用账户"), ("enable", "启用账户")):
        commands.add_parser(name, help=text).add_argument("login", help="登录名")
    return parser


def _password(from_stdin: bool, stdin: TextIO) -> str:
    """The new password: one line of standard input, or asked twice without echo."""
    if from_stdin:
        return stdin.readline().rstrip("\r\n")
    print(PASSWORD_RULES)
    try:
        first = getpass.getpass("新密码：")
        again = getpass.getpass("再次输入新密码：")
    except (EOFError, KeyboardInterrupt) as exc:  # no terminal: say how to give it instead
        raise LibraryError(
            "没有读到新密码。请在终端中输入，或加 --password-stdin 从标准输入提供。", "no password"
        ) from exc
    if again != first:
        raise LibraryError("两次输入的密码不一致。", "passwords differ")
    return first


def _list(accounts: Accounts, out: TextIO) -> None:
    users = accounts.list_users()
    if not users:
        print("还没有任何账户。", file=out)
    for u in users:
        scope = "、".join(u.regions) or "全部地区"
        state = "已停用" if u.disabled else "启用"
        agency = f"｜{u.agency}" if u.agency else ""
        print(
            f"{u.login}\t{u.display_name or '-'}\t{ROLE_NAMES[u.role.value]}\t{scope}{agency}\t{state}",
            file=out,
        )


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    """Run one command; returns the exit status."""
    stdin, out = stdin or sys.stdin, out or sys.stdout
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse: usage error (2) or --help (0)
        return EXIT_USAGE if exc.code else EXIT_OK
    lib = Library()
    accounts = Accounts(lib.engine)
    try:
        if args.command == "list":
            _list(accounts, out)
        elif args.command == "create":
            password = _password(args.password_stdin, stdin)
            account = accounts.create(
                args.login,
                password,
                role=args.role,
                display_name=args.name,
                regions=args.region,
                agency=args.agency,
                who=OPERATOR,
            )
            print(f"已创建账户“{account.name}”（{ROLE_NAMES[account.role.value]}）。", file=out)
        elif args.command == "reset-password":
            accounts.set_password(args.login, _password(args.password_stdin, stdin), who=OPERATOR)
            print(f"已重置账户“{args.login}”的密码（锁定已解除）。", file=out)
        else:
            accounts.set_disabled(args.login, args.command == "disable", who=OPERATOR)
            print(f"账户“{args.login}”已{'停用' if args.command == 'disable' else '启用'}。", file=out)
    except LibraryError as exc:
        print(exc.zh, file=sys.stderr)
        return EXIT_FAILED
    finally:
        lib.close()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

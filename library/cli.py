"""Command line for batch work (an office runs it from a scheduler): ``python -m library ...``.

    python -m library ingest PATH... [--workers N] [--batch N]
                                                       files, folders (recursive) and ZIPs → the library
    python -m library findings [--year Y] [--json]     the findings (审核意见), as a table or a JSON array
    python -m library notices --year Y -o DIR          one 整改通知单 (.docx) per agency with open findings
    python -m library rollup --region R --year Y -o FILE.xlsx|.docx
                                                       the region's 汇总表 (tables 二/三/四 summed)
    python -m library backup FILE                      a consistent copy of the SQLite library
    python -m library restore FILE [--force]           replace the SQLite library with a checked backup
    python -m library collect URL... [--sources] [--recheck] [--agency NAME --region R --year Y]
                                                       reports from the agencies' websites (library/collect)

Every command takes ``--user NAME`` (the password from ``NIANBAO_PASSWORD``, else asked for): the
account's role must allow the command and its scope limits what is read and written out, as in the
app. ``--regions R...`` / ``--agency NAME`` limit the output to a scope without an account (for an
operator who already holds the database file; they grant nothing the file does not). The audit trail
records the account's name, else ``--who NAME``, else 命令行 and the system user.

The database is the app's (``NIANBAO_DATABASE_URL`` / ``NIANBAO_DB_PATH``, library/config.py). Messages
are in Chinese; exit status 0 on success, 1 when a document failed (or a backup/restore was refused), 2
for a usage error, when the findings engine is not available or for backup/restore of a PostgreSQL
library (pg_dump / pg_restore do that), 3 when the account is refused.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from library import audit, ingest_pool
from library.access import ALL, Account, Action, Scope
from library.documents.notice import NoticeOptions, notices, notices_sent
from library.filters import Filters
from library.finding import Finding
from library.findings_access import UNAVAILABLE_ZH, FindingsFn, findings_engine
from library.ingest import IngestResult
from library.ingest_pool import DEFAULT_BATCH, IngestJob, default_workers
from library.store import Library, LibraryError
from library.visibility import describe_scope
from parsing.limits import MB, get_limits

STATUS_ZH = {"ok": "已保存", "warnings": "已保存", "duplicate": "重复", "failed": "失败"}
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REFUSED = 0, 1, 2, 3
PASSWORD_ENV = "NIANBAO_PASSWORD"
# What each command needs the account to be allowed (library.access.PERMISSIONS).
COMMAND_ACTIONS = {
    "ingest": Action.UPLOAD,
    "findings": Action.VIEW,
    "notices": Action.SEND_NOTICES,
    "rollup": Action.EXPORT,
    "collect": Action.UPLOAD,
}
# The sign-in of the app (library.accounts, the users table): (library, login, password) → Account | None.
Authenticate = Callable[[Library, str, str], Account | None]


# argparse's own English, as it appears in usage errors and help.
_ARGPARSE_ZH = {
    "the following arguments are required: ": "缺少参数：",
    "invalid choice: ": "无效的选项：",
    "invalid int value: ": "不是整数：",
    "invalid fromisoformat value: ": "不是 YYYY-MM-DD 格式的日期：",
    "unrecognized arguments: ": "无法识别的参数：",
    "expected one argument": "需要一个值",
    "choose from": "可选",
    "argument ": "参数 ",
}


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese section titles, help option and usage errors (exit status 2, as argparse)."""

    def __init__(self, *args, help_option: bool = True, **kwargs) -> None:
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        if help_option:  # a parent of shared options has none (its children each have theirs)
            self.add_argument("-h", "--help", action="help", help="显示帮助并退出")

    def error(self, message: str) -> None:  # type: ignore[override]  # argparse declares NoReturn
        for en, zh in _ARGPARSE_ZH.items():
            message = message.replace(en, zh)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"参数错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m library`` argument parser (help texts in Chinese)."""
    parser = _Parser(
        prog="python -m library", description="公开年报看板的批处理命令（使用与网页相同的报告库）。"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令", parser_class=_Parser)
    who = _Parser(help_option=False)  # the options every command shares
    who._optionals.title = "账户与可查看范围"
    who.add_argument(
        "--user",
        metavar="账户",
        help=f"以该账户运行：按其权限和可查看的地区范围（密码取自 {PASSWORD_ENV}，否则询问）",
    )
    who.add_argument("--regions", nargs="+", metavar="地区", help="只处理这些地区的报告（不使用账户时）")
    who.add_argument("--agency", metavar="单位", help="只处理该单位的报告（不使用账户时）")
    who.add_argument(
        "--who", metavar="姓名", help="记入操作记录的操作人（不使用账户时；默认：命令行及系统用户名）"
    )
    ingest = sub.add_parser("ingest", parents=[who], help="解析并入库：文件、文件夹（含子文件夹）和 ZIP")
    ingest.add_argument("paths", nargs="+", metavar="路径", help="报告文件、文件夹或 ZIP")
    ingest.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        metavar="N",
        help=f"并行入库的进程数，每个进程解析并保存（默认：本机可用的处理器核数，{default_workers()}）",
    )
    ingest.add_argument(
        "--batch",
        type=int,
        default=DEFAULT_BATCH,
        metavar="N",
        help=f"每次写入报告库的报告数（默认 {DEFAULT_BATCH}；一批写入失败时逐份重试）",
    )
    findings = sub.add_parser("findings", parents=[who], help="列出审核意见")
    findings.add_argument("--year", type=int, metavar="年度", help="只列该年度的报告")
    findings.add_argument("--json", action="store_true", help="输出 JSON 数组")
    notice = sub.add_parser(
        "notices", parents=[who], help="为有待整改问题的单位各生成一份整改通知单（.docx）"
    )
    notice.add_argument("--year", type=int, required=True, metavar="年度")
    notice.add_argument("-o", "--output", required=True, metavar="目录", help="输出目录（不存在时创建）")
    notice.add_argument("--office", default=NoticeOptions.office, metavar="名称", help="发文单位名称")
    notice.add_argument("--reply-days", type=int, default=NoticeOptions.reply_days, metavar="天数")
    notice.add_argument("--reply-by", type=date.fromisoformat, metavar="YYYY-MM-DD", help="回复期限（优先）")
    add_rollup_command(sub, who)
    add_backup_commands(sub)
    add_collect_command(sub)
    return parser


def add_rollup_command(sub: argparse._SubParsersAction, who: argparse.ArgumentParser) -> None:
    """The ``rollup`` subcommand: a region's 汇总表 as Excel or Word (library.rollup)."""
    roll = sub.add_parser(
        "rollup", parents=[who], help="生成地区汇总表：各单位第二、三、四部分表格逐格相加（.xlsx 或 .docx）"
    )
    roll.add_argument("--region", required=True, metavar="地区", help="地区名称，如 洪泽区")
    roll.add_argument("--year", type=int, required=True, metavar="年度", help="报告所述年度")
    roll.add_argument("-o", "--output", required=True, metavar="文件", help="输出文件：.xlsx 或 .docx")


def rollup_command(lib: Library, args: argparse.Namespace, out: TextIO, scope: Scope) -> int:
    """Write the roll-up of ``--region`` and ``--year`` to ``-o`` (the extension picks Excel or Word);
    a Chinese message and status 2 for an unknown region, year or extension, 3 outside the scope."""
    from library.documents.rollup_doc import rollup_docx
    from library.rollup import OutsideScope, rollup
    from library.rollup_export import workbook

    target = Path(args.output)
    extension = target.suffix.lower()
    if extension not in (".xlsx", ".docx"):
        print(
            f"参数错误：输出文件“{target.name}”的扩展名应为 .xlsx（Excel）或 .docx（Word）", file=sys.stderr
        )
        return EXIT_USAGE
    try:
        result = rollup(lib, args.region, args.year, scope=scope)
    except OutsideScope as exc:
        print(f"错误：{exc.zh}", file=sys.stderr)
        return EXIT_REFUSED
    except LibraryError as exc:
        print(f"错误：{exc.zh}", file=sys.stderr)
        return EXIT_USAGE
    if not result.included:
        # A table of zeros pasted into a government's report would be a wrong number, not an empty one.
        print(
            f"错误：{result.region}{result.year} 年度没有可计入汇总的报告，未生成文件"
            f"（缺报 {len(result.missing)} 个机关，未计入 {len(result.excluded)} 份报告）。",
            file=sys.stderr,
        )
        return EXIT_FAILED
    data = workbook(result) if extension == ".xlsx" else rollup_docx(result)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        print(f"错误：无法写入“{target}”：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"已生成 {result.region}{result.year} 年度汇总表（{result.version} 年格式）："
        f"计入 {len(result.included)} 份报告，"
        f"缺报 {len(result.missing)} 个机关，未计入 {len(result.excluded)} 份，"
        f"不完整的单元格 {len(result.incomplete_cells)} 个，勾稽关系不符 {len(result.failed_checks)} 处。",
        file=out,
    )
    for note in result.notes:
        print(note, file=out)
    print(target, file=out)
    return EXIT_OK


def add_collect_command(sub: argparse._SubParsersAction) -> None:
    """The ``collect`` subcommand: report pages, files or 年报 column pages from the agencies' websites."""
    collect = sub.add_parser(
        "collect", help="从单位网站采集年度报告：报告网页、文件或年报栏目页；--recheck 重新检查已采集的网址"
    )
    collect.add_argument("urls", nargs="*", metavar="网址", help="报告网页、报告文件或年报栏目页的网址")
    collect.add_argument("--agency", metavar="单位", help="这些网址所属的单位（不填则按报告内容识别）")
    collect.add_argument("--region", metavar="地区", help="这些网址所属单位的地区")
    collect.add_argument("--year", type=int, metavar="年度", help="报告年度（栏目页只采集该年度）")
    collect.add_argument("--sources", action="store_true", help="采集名录中登记的全部来源网址")
    collect.add_argument(
        "--recheck", action="store_true", help="重新检查已采集的全部报告网址：内容改动或网址失效记为审核意见"
    )
    collect.add_argument(
        "--allow-private", action="store_true", help="本次允许访问内网和本机地址（默认按管理员的设置）"
    )
    collect.add_argument(
        "--allow-host", action="append", default=[], metavar="主机", help="本次允许访问的内网主机（可重复）"
    )
    collect.add_argument("--json", action="store_true", help="输出 JSON 数组")
    collect.add_argument("--user", metavar="账户", help=f"以该账户运行（密码取自 {PASSWORD_ENV}，否则询问）")
    collect.add_argument("--who", metavar="姓名", help="记入操作记录的操作人（不使用账户时）")


def add_backup_commands(sub: argparse._SubParsersAction) -> None:
    """The ``backup`` and ``restore`` subcommands (SQLite only; PostgreSQL: pg_dump / pg_restore)."""
    backup = sub.add_parser("backup", help="备份 SQLite 报告库到一个文件（应用运行时也可备份）")
    backup.add_argument("file", metavar="文件", help="备份文件（不能已存在）")
    restore = sub.add_parser("restore", help="用备份文件恢复 SQLite 报告库（先停止应用；原库另存一份）")
    restore.add_argument("file", metavar="文件", help="用 backup 命令生成的备份文件")
    restore.add_argument("--force", action="store_true", help="应用已停止而报告库仍显示被使用时强制恢复")


def backup_command(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``backup`` or ``restore``; a refusal is one Chinese line on stderr and exit status 1."""
    from library import backup as bk

    try:
        if args.command == "backup":
            made = bk.backup(Path(args.file))
            print(f"已备份报告库（{made.reports} 份报告，{made.size / MB:.1f} MB）到 {made.path}", file=out)
        else:
            done = bk.restore(Path(args.file), force=args.force)
            kept = f"；原报告库已另存为 {done.kept}" if done.kept else ""
            print(f"已从 {done.source} 恢复报告库（{done.reports} 份报告）{kept}", file=out)
    except LibraryError as exc:
        print(f"错误：{exc.zh}", file=sys.stderr)
        return EXIT_USAGE if exc.zh == bk.POSTGRES_ZH else EXIT_FAILED
    return EXIT_OK


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    findings_provider: FindingsFn | None = None,
    authenticate: Authenticate | None = None,
) -> int:
    """Run one command; returns the exit status. ``findings_provider(lib, filters)`` replaces the
    findings engine (tests, or a caller with its own findings); ``authenticate`` replaces the app's
    sign-in for ``--user``."""
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    if args.command in ("backup", "restore"):  # before Library(): a restore must not open the library
        return backup_command(args, out)
    lib = Library()
    try:
        try:
            scope, who = command_scope(lib, args, authenticate)
        except Refused as exc:
            print(exc, file=sys.stderr)
            return EXIT_REFUSED
        if args.command == "collect":
            return collect_command(lib, args, out, who, scope)
        if args.command == "ingest":
            paths = [Path(p) for p in args.paths]
            return ingest(lib, paths, args.workers, out, scope, who=who, batch=args.batch)
        if args.command == "rollup":
            return rollup_command(lib, args, out, scope)
        provider = findings_provider or findings_engine()
        if provider is None:
            print(f"错误：{UNAVAILABLE_ZH}", file=sys.stderr)
            return EXIT_USAGE
        if args.command == "findings":
            return list_findings(lib, provider, args.year, args.json, out, scope)
        options = NoticeOptions(office=args.office, reply_days=args.reply_days, reply_by=args.reply_by)
        return write_notices(lib, provider, args.year, Path(args.output), options, out, scope, who=who)
    finally:
        lib.close()


# ---------------------------------------------------------------------- who runs the command


def _accounts_sign_in(lib: Library, login: str, password: str) -> Account:
    """The app's sign-in (library.accounts: argon2 hashes, lock-out after repeated failures)."""
    from library.accounts import Accounts, SignInError

    try:
        return Accounts(lib.engine).sign_in(login, password)
    except SignInError as exc:
        raise Refused(f"错误：{exc.zh}") from exc


def _who(given: str | None) -> str:
    """The operator written into the audit trail without an account: ``--who``, else 命令行 with the
    system user's name."""
    if given and given.strip():
        return given.strip()
    try:
        return f"{audit.CLI}（{getpass.getuser()}）"
    except (OSError, KeyError):  # no user name in a bare container
        return audit.CLI


def _password() -> str:
    """The password of ``--user``: from the environment (scheduled runs), else asked for (not echoed)."""
    given = os.environ.get(PASSWORD_ENV)
    if given is not None:
        return given
    try:
        return getpass.getpass("密码：")
    except (EOFError, KeyboardInterrupt) as exc:  # no terminal (a scheduler, a pipe) or Ctrl-C
        raise Refused(f"错误：没有读到密码。请在终端中输入，或用环境变量 {PASSWORD_ENV} 提供。") from exc


class Refused(Exception):
    """The command may not run as asked (its message, in Chinese, is printed)."""


def command_scope(
    lib: Library, args: argparse.Namespace, authenticate: Authenticate | None
) -> tuple[Scope, str]:
    """The scope the command runs with and the name its changes are recorded under: the signed-in
    account's (``--user``), else the scope given by ``--regions``/``--agency`` (or every report) and
    ``--who``. Raises :class:`Refused` when the account is unknown, disabled, locked, the password wrong
    or the role does not allow the command."""
    if args.command == "collect":  # its --agency names the URLs' agency; it collects for every region
        args = argparse.Namespace(**{**vars(args), "regions": None, "agency": None})
    if args.user is None:
        who = _who(args.who)
        if args.regions or args.agency:
            return Scope(regions=tuple(args.regions or ()), agency=args.agency), who
        return ALL, who
    if args.regions or args.agency or args.who:
        raise Refused("参数错误：--user 与 --regions/--agency/--who 不能同时使用（范围和操作人由账户决定）")
    account = (authenticate or _accounts_sign_in)(lib, args.user, _password())
    if account is None:
        raise Refused(f"错误：账户“{args.user}”不存在、已停用或密码不正确。")
    if not account.can(COMMAND_ACTIONS[args.command]):
        raise Refused(f"错误：账户“{account.label}”无权执行 {args.command}。")
    if getattr(args, "allow_private", False) and not account.can(Action.MANAGE_SETTINGS):
        raise Refused(f"错误：只有管理员可以允许访问内网地址（账户“{account.label}”不是管理员）。")
    if not account.scope.unrestricted:
        print(f"可查看范围：{describe_scope(account.scope)}", file=sys.stderr)
    return account.scope, account.label


# ---------------------------------------------------------------------- ingest


def _line(result: IngestResult) -> str:
    where = f"（编号 {result.report_id}）" if result.report_id is not None else ""
    status = STATUS_ZH.get(result.status, result.status)
    # "已保存" alone says nothing more than the status: the message is printed when it adds something.
    detail = result.message.removeprefix("已保存").lstrip("；")
    return f"[{status}] {result.name}{where}" + (f"：{detail}" if detail else "")


def ingest(
    lib: Library,
    paths: list[Path],
    workers: int,
    out: TextIO,
    scope: Scope = ALL,
    *,
    who: str | None = None,
    batch: int = DEFAULT_BATCH,
) -> int:
    """Parse and store every document under ``paths`` with ``workers`` ingest processes (``batch``
    reports per write transaction, library.ingest_pool); one line per document, then a summary (ids of
    reports outside ``scope`` left out; the uploads recorded in the audit trail as ``who``'s)."""
    if workers < 1 or batch < 1:
        print("参数错误：--workers 和 --batch 至少为 1", file=sys.stderr)
        return EXIT_USAGE
    url = lib.engine.url.render_as_string(hide_password=False)
    job = IngestJob(url, lib.label_overrides(), who, scope, batch, limits=get_limits())
    counts: Counter[str] = Counter()
    for result in ingest_pool.run(paths, workers, job):
        counts[result.status] += 1
        print(_line(result), file=out, flush=True)
    total = sum(counts.values())
    saved = counts["ok"] + counts["warnings"]
    print(
        f"共 {total} 份文档：新入库 {saved} 份（其中 {counts['warnings']} 份有校验或解析提示），"
        f"已在库中 {counts['duplicate']} 份，失败 {counts['failed']} 份。",
        file=out,
    )
    return EXIT_FAILED if counts["failed"] else EXIT_OK


# ---------------------------------------------------------------------- findings and notices


def _findings(lib: Library, provider: FindingsFn, year: int | None, scope: Scope = ALL) -> list[Finding]:
    filters = Filters(years=(year,) if year is not None else (), scope=scope)
    # The provider filters too; the year is checked again so a finding about a missing report (no
    # report row to filter) of another year never slips in.
    return [f for f in provider(lib, filters) if year is None or f.year == year]


def list_findings(
    lib: Library, provider: FindingsFn, year: int | None, as_json: bool, out: TextIO, scope: Scope = ALL
) -> int:
    """Print the findings within ``scope``: a JSON array (``--json``) or one Chinese line each."""
    found = _findings(lib, provider, year, scope)
    if as_json:
        json.dump([f.to_json() for f in found], out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
        return EXIT_OK
    from library.documents.common import SEVERITY_NAMES, STATUS_NAMES, code_name

    for f in found:
        rid = "—" if f.report_id is None else f.report_id
        print(
            f"{rid}\t{f.agency or '（单位不详）'}\t{f.year or '—'}\t{code_name(f.code)}\t"
            f"{SEVERITY_NAMES.get(f.severity, f.severity)}\t{STATUS_NAMES.get(f.status, f.status)}\t"
            f"{f.message}",
            file=out,
        )
    print(f"共 {len(found)} 条审核意见，其中待整改 {sum(f.counts for f in found)} 条。", file=out)
    return EXIT_OK


def write_notices(
    lib: Library,
    provider: FindingsFn,
    year: int,
    folder: Path,
    options: NoticeOptions,
    out: TextIO,
    scope: Scope = ALL,
    *,
    who: str | None = None,
) -> int:
    """Write one notice per agency (within ``scope``) with counting findings of ``year`` into ``folder``
    (each one recorded in the audit trail as ``who``'s)."""
    found = _findings(lib, provider, year, scope)
    docs = notices(found, year, options)
    if not docs:
        print(f"{year} 年没有需要整改的单位，未生成通知单。", file=out)
        return EXIT_OK
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in docs:
        (folder / name).write_bytes(data)
        print(folder / name, file=out)
    lib.record_notices(notices_sent(found, year), who=who, how="命令行生成")
    print(f"已生成 {len(docs)} 份整改通知单，保存在 {folder}。", file=out)
    return EXIT_OK


# ---------------------------------------------------------------------- collect


def collect_command(
    lib: Library, args: argparse.Namespace, out: TextIO, who: str | None, scope: Scope = ALL
) -> int:
    """Collect the URLs given, the roster's sources (``--sources``) and/or re-check the URLs collected
    before (``--recheck``); one Chinese line per URL (or ``--json``), then a summary. Exit status 1
    only when every URL failed, 2 for a usage error."""
    from library.collect import pipeline, store

    if not (args.urls or args.sources or args.recheck):
        print("参数错误：请给出网址，或使用 --sources / --recheck", file=sys.stderr)
        return EXIT_USAGE
    bad = [u for u in args.urls if store.url_problem(u)]
    if bad and len(bad) == len(args.urls) and not (args.sources or args.recheck):
        for u in bad:
            print(f"参数错误：{u}：{store.url_problem(u)}", file=sys.stderr)
        return EXIT_USAGE
    fetcher = pipeline.make_fetcher(
        lib, allow_private=True if args.allow_private else None, allowed_hosts=args.allow_host
    )
    with fetcher:
        results = _collect_all(lib, args, fetcher.fetch, who, scope)
    if args.json:
        json.dump([r.to_json() for r in results], out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    else:
        for r in results:
            print(r.line(), file=out)
        counts = Counter(r.result_name for r in results)
        shown = "，".join(f"{name} {n} 个" for name, n in counts.items())
        print(f"共 {len(results)} 个网址：{shown or '无'}。", file=out)
    if results and all(r.result == "failed" for r in results):
        return EXIT_FAILED
    return EXIT_OK


def _collect_all(lib: Library, args: argparse.Namespace, fetch, who: str | None, scope: Scope) -> list:
    """The URLs given, then the roster's sources, then the re-check, as asked (reports stored only
    within ``scope``, the account's)."""
    from library.collect import pipeline, store

    results: list[pipeline.UrlResult] = []
    if args.urls:
        targets = [store.Target(u, agency=args.agency, region=args.region, year=args.year) for u in args.urls]
        results += pipeline.collect(lib, targets, fetch=fetch, who=who, scope=scope)
    if args.sources:
        if not store.sources(lib):
            print("名录中还没有登记采集来源网址。", file=sys.stderr)
        results += pipeline.collect_sources(lib, fetch=fetch, who=who, scope=scope)
    if args.recheck:
        results += pipeline.recheck(lib, fetch=fetch, who=who, scope=scope)
    return results

"""``python -m library.accounts_cli``: the operator's way back in (reset a forgotten or locked password)."""

from __future__ import annotations

import io

import pytest

from library.access import Role
from library.accounts import MAX_FAILED, Accounts, SignInError
from library.accounts_cli import main
from library.store import Library


@pytest.fixture
def accounts(tmp_path, monkeypatch):
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    monkeypatch.setenv("NIANBAO_DB_PATH", str(tmp_path / "library.sqlite"))
    lib = Library()
    yield Accounts(lib.engine)
    lib.close()


def _run(*argv: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), stdin=io.StringIO(stdin), out=out), out.getvalue()


def test_create_list_and_reset_a_locked_administrator(accounts):
    code, text = _run(
        "create", "root", "--role", "admin", "--name", "王主任", "--password-stdin", stdin="Kanban2024ok\n"
    )
    assert code == 0 and "已创建账户“root”（管理员）" in text
    for _ in range(MAX_FAILED):
        with pytest.raises(SignInError):
            accounts.sign_in("root", "Wrong2024pw")
    code, text = _run("reset-password", "root", "--password-stdin", stdin="Fresh2025pw\n")
    assert code == 0 and "锁定已解除" in text
    assert accounts.sign_in("root", "Fresh2025pw").role == Role.ADMIN
    code, text = _run("list")
    assert code == 0 and "root\t王主任\t管理员\t全部地区\t启用" in text


def test_refusals_are_in_chinese(accounts, capsys):
    assert _run("create", "root", "--role", "viewer", "--password-stdin", stdin="123\n")[0] == 1
    assert "至少 8 位" in capsys.readouterr().err
    assert _run("reset-password", "nobody", "--password-stdin", stdin="Fresh2025pw\n")[0] == 1
    assert "没有这个账户" in capsys.readouterr().err
    assert _run("create", "x1", "--role", "boss")[0] == 2  # usage error
    assert accounts.count() == 0


def test_no_terminal_for_the_password_is_a_chinese_message(accounts, capsys, monkeypatch):
    import getpass

    def no_terminal(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr(getpass, "getpass", no_terminal)
    assert _run("create", "root", "--role", "admin")[0] == 1
    assert "没有读到新密码" in capsys.readouterr().err
    assert accounts.count() == 0


def test_library_command_without_a_password_says_how_to_give_it(accounts, tmp_path, monkeypatch):
    import subprocess
    import sys
    from pathlib import Path

    accounts.create("root", "Kanban2024ok", role="admin")
    env = {"NIANBAO_DB_PATH": str(tmp_path / "library.sqlite"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "library", "findings", "--user", "root"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3 and "NIANBAO_PASSWORD" in done.stderr
    assert "Traceback" not in done.stderr

"""The app's server and the headless Chromium, as the browser tests and the benchmarks start them.

One place for the ``streamlit run app.py`` command line (free loopback port, a given library file, the
server's log) and for the Chromium path and flags (Debian's chromium, headless, no sandbox, no GPU).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_server(db_path: Path, log_path: Path | None = None, *, timeout: float = 90) -> Iterator[str]:
    """``streamlit run app.py`` of this repository on a free loopback port, with the library at
    ``db_path``; yields the base URL once the server answers, and stops it afterwards."""
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_DATABASE_URL"}
    env["NIANBAO_DB_PATH"] = str(db_path)
    port = free_port()
    log: IO[str] | None = open(log_path, "w") if log_path else None  # noqa: SIM115 - closed below
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += [
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    out = log if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, proc, time.time() + timeout, log_path)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log is not None:
            log.close()


def _wait_until_healthy(url: str, proc: subprocess.Popen, deadline: float, log_path: Path | None) -> None:
    while True:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                where = f"; see {log_path}" if log_path else ""
                raise RuntimeError(f"streamlit did not start{where}") from None
            time.sleep(0.2)

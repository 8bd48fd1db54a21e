"""Benchmark: time from a click in the sidebar to the page fully drawn, in a real browser.

    .venv/bin/python scripts/bench_browser.py                          # 5,000 synthetic reports
    .venv/bin/python scripts/bench_browser.py --sizes 5000,50000 --dir /tmp/bench --source /tmp/h7-bench
    .venv/bin/python scripts/bench_browser.py --sizes 50000 --only 总览,筛选 --repeat 3

For each size, starts ``streamlit run app.py`` on a loopback port against the SYNTHETIC benchmark library
of that size (scripts/bench_ui.py ``sqlite_for``: ``nianbao-bench-ui-synthetic-<n>.sqlite`` in ``--dir``,
reused when there, else copied from ``--source`` when that holds a complete one, else grown from a
smaller one; never rebuilt when present), signs in as the benchmarks' administrator in Debian's
Chromium through Playwright (a tall viewport, 1400×2400) and, for every page registered in
page_registry.PAGES (each must be in the sidebar) and for a change of the year filter on 总览, measures:

    click (dispatched in the page) → the server's ``script_finished`` message for that run has arrived →
    no element is stale, the status widget is idle, every Plotly chart has drawn its SVG → next frame.

Two modes per interaction, alternated round by round after one warm-up:

- ``cached``: the server's result caches are warm (as for every user but the first after a change);
- ``write``: the first click after a write to the library (this process corrects one report's figure
  through the library and withdraws the correction between the previous click and the timed one, as
  scripts/bench_ui.py's "uncached" does): the server sees the new revision and computes again.

``write`` WRITES to the library in ``--dir`` (the reports stay as they were; the audit trail grows), so
point ``--dir`` at your own copies and ``--source`` at shared ones. One table prints the median of
``--repeat`` with the spread (min–max) per size and mode side by side, with the load average; a second
one the time until the server's run finished. One full-page screenshot per size of the ``--shot``
pages goes to ``--dir``/shots (look at it: the page must show data). Target: ≤ 1.0 s.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from app_server import CHROMIUM, CHROMIUM_FLAGS, app_server  # noqa: E402 - after the path setup
from bench_ui import pad, parse_only, selected  # noqa: E402

TARGET = 1.0
MODES = {"cached": "cached", "write": "after write"}
FILTER = "筛选年度（总览）"
# True when the page is drawn: no stale element of the previous run, the status widget idle, every Plotly
# chart with its SVG, no skeleton placeholder.
DRAWN_JS = """() => {
  const doc = document;
  if (doc.querySelector('[data-stale="true"]')) return false;
  if (doc.querySelector('[data-testid="stSkeleton"]')) return false;
  const status = doc.querySelector('[data-testid="stStatusWidget"]');
  if (status && /Running|运行/.test(status.textContent || '')) return false;
  for (const chart of doc.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    if (!chart.querySelector('svg.main-svg')) return false;
  }
  return doc.querySelector('[data-testid="stMain"]') !== null;
}"""


def _is_script_finished(payload: bytes | str) -> bool:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if isinstance(payload, str):
        return False
    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except Exception:  # noqa: BLE001 - not a ForwardMsg frame
        return False
    return msg.WhichOneof("type") == "script_finished"


class Session:
    """One browser tab on the app, with the websocket watched for the end of each script run."""

    def __init__(self, page) -> None:
        self.page = page
        self.ws = None
        self.server_times: list[float] = []  # click → script_finished received, per timed click
        page.on("websocket", self._on_ws)

    def _on_ws(self, ws) -> None:
        self.ws = ws

    def timed(self, click_js: str, arg: object = None) -> float:
        """Seconds from a click dispatched by ``click_js`` to the page drawn after the run it starts."""
        assert self.ws is not None, "no websocket yet"
        with self.ws.expect_event("framereceived", predicate=_is_script_finished, timeout=120_000):
            start = time.perf_counter()
            self.page.evaluate(click_js, arg)
        self.server_times.append(time.perf_counter() - start)
        self.page.wait_for_function(DRAWN_JS, polling="raf", timeout=120_000)
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(null)))")
        return time.perf_counter() - start


# A link's text without its Material icon ligature.
LINK_TITLE_JS = """const linkTitle = (a) => {
  const icon = a.querySelector('[data-testid="stIconMaterial"]');
  return a.textContent.replace(icon ? icon.textContent : '', '').trim();
};"""

NAV_CLICK = """(title) => {
  const links = [...document.querySelectorAll('[data-testid="stSidebarNav"] a')];
  const link = links.find(a => linkTitle(a) === title);
  if (!link) throw new Error('no sidebar link ' + title);
  link.click();
}""".replace("{", "{" + LINK_TITLE_JS, 1)


def nav_titles(page) -> list[str]:
    return page.eval_on_selector_all(
        '[data-testid="stSidebarNav"] a', "els => {" + LINK_TITLE_JS + " return els.map(linkTitle); }"
    )


def registered_titles(page) -> list[str]:
    """Every page of page_registry.PAGES, in its order, after checking the sidebar links to each (a
    collapsed navigation is expanded first)."""
    from page_registry import PAGES

    titles = [spec.title for spec in PAGES]
    if set(titles) - set(nav_titles(page)):
        more = page.locator('[data-testid="stSidebarNavViewButton"]')
        if more.count():
            more.first.click()
            page.wait_for_timeout(500)
    missing = [t for t in titles if t not in nav_titles(page)]
    if missing:
        raise RuntimeError(f"registered pages missing from the sidebar: {missing}")
    return titles


YEAR_CLICK = """(year) => {
  const option = [...document.querySelectorAll('[role="option"]')].find(o => o.textContent.trim() === year);
  if (!option) throw new Error('no option ' + year);
  option.click();
}"""


@dataclass
class Timing:
    """The timed clicks of one interaction in one mode: to the page drawn, and to the server's run done."""

    drawn: list[float] = field(default_factory=list)
    served: list[float] = field(default_factory=list)


def rounds(
    session: Session,
    repeat: int,
    modes: list[str],
    prepare: Callable[[], object],
    click: Callable[[], float],
    write: Callable[[], None] | None,
) -> dict[str, Timing]:
    """One warm-up, then ``repeat`` rounds of each mode in turn (alternated, so load changes hit both):
    ``prepare`` (not timed), for ``write`` a write to the library, then the timed ``click``."""
    out = {mode: Timing() for mode in modes}
    prepare()
    click()
    for _ in range(repeat):
        for mode in modes:
            prepare()
            if mode == "write":
                assert write is not None
                write()
            out[mode].drawn.append(click())
            out[mode].served.append(session.server_times[-1])
    return out


def run(
    url: str,
    repeat: int,
    modes: list[str],
    write: Callable[[], None] | None,
    only: list[str],
    shots: dict[str, Path],
) -> dict[str, dict[str, Timing]]:
    """Every interaction (or ``only`` those) at the app at ``url``: {interaction: {mode: timing}}; a
    full-page screenshot of each page title in ``shots`` after its last timed click."""
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, Timing]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="zh-CN")
        session = Session(page)

        def open_app() -> None:
            page.goto(url)  # a new browser session: signs in again (or by the cookie)
            sign_in(page)
            page.wait_for_selector('[data-testid="stSidebarNav"] a', timeout=120_000)
            page.wait_for_function(DRAWN_JS, polling="raf", timeout=120_000)

        open_app()
        titles = registered_titles(page)
        wanted = set(selected([f"打开：{t}" for t in titles] + [FILTER], only))
        for title in titles:  # every page, in sidebar order
            name = f"打开：{title}"
            if name not in wanted:
                continue
            other = titles[0] if title != titles[0] else titles[1]

            leave = functools.partial(session.timed, NAV_CLICK, other)  # so the timed click changes page
            click = functools.partial(session.timed, NAV_CLICK, title)
            results[name] = rounds(session, repeat, modes, leave, click, write)
            print(f"{pad(name, 26)}{_line(results[name])}", flush=True)
            if title in shots:
                page.screenshot(path=str(shots[title]), full_page=True)
                print(f"  screenshot {shots[title]}", flush=True)
        if FILTER in wanted:
            # A filter change on 总览: the newest year in the sidebar; a reload clears it again.
            def open_years() -> None:
                open_app()
                page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(1).click()
                page.wait_for_selector('[role="option"]', timeout=10_000)

            results[FILTER] = rounds(
                session,
                repeat,
                modes,
                open_years,
                lambda: session.timed(YEAR_CLICK, _newest_year(page)),
                write,
            )
            print(f"{pad(FILTER, 26)}{_line(results[FILTER])}", flush=True)
        browser.close()
    return results


def sign_in(page) -> None:
    """Fill the sign-in form when a new browser session shows it (the benchmark library's administrator)."""
    from bench_ui import BENCH_LOGIN, BENCH_PASSWORD

    sign_in = page.get_by_role("button", name="登录", exact=True)
    nav = page.locator('[data-testid="stSidebarNav"] a').first
    sign_in.or_(nav).first.wait_for(timeout=120_000)
    if not sign_in.is_visible():
        return  # signed in already by the browser's cookie (an earlier sign-in)
    page.get_by_role("textbox", name="登录名", exact=True).fill(BENCH_LOGIN)
    page.get_by_role("textbox", name="密码", exact=True).fill(BENCH_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()


def _newest_year(page) -> str:
    options = page.eval_on_selector_all('[role="option"]', "els => els.map(o => o.textContent.trim())")
    years = sorted((o for o in options if o.isdigit()), reverse=True)
    return years[0] if years else ""


def spread(times: list[float]) -> str:
    """ "median (min–max)" in ms, flagged "!" when the median is over the target."""
    med = statistics.median(times)
    return f"{med * 1000:.0f} ({min(times) * 1000:.0f}–{max(times) * 1000:.0f}){'!' if med > TARGET else ''}"


def _line(by_mode: dict[str, Timing]) -> str:
    return "   ".join(
        f"{mode} {spread(t.drawn)} ms, server {statistics.median(t.served) * 1000:.0f}"
        for mode, t in by_mode.items()
    )


def table(
    results: dict[int, dict[str, dict[str, Timing]]],
    loads: dict[int, str],
    repeat: int,
    *,
    served: bool = False,
) -> str:
    """One row per interaction, one column per (size, mode): median (min–max) of the click to the page
    drawn in ms ("!" over the target), or with ``served`` the median to the server's run done; then the
    load averages and, per column, how many are over the target and the slowest."""
    columns = [(n, mode) for n, by_name in results.items() for mode in next(iter(by_name.values()), {})]
    names = list(dict.fromkeys(name for by_name in results.values() for name in by_name))
    cell = 24

    def text(n: int, mode: str, name: str) -> str:
        timing = results[n].get(name, {}).get(mode)
        if timing is None:
            return "–"
        return f"{statistics.median(timing.served) * 1000:.0f}" if served else spread(timing.drawn)

    what = "server run done" if served else "click → page drawn"
    lines = [
        f"\n{what}, ms, median of {repeat}" + ("" if served else " (min–max); ! over 1 s"),
        pad("interaction", 26) + "".join(pad(f"{n} {MODES[mode]}", cell, right=True) for n, mode in columns),
    ]
    for name in names:
        lines.append(
            pad(name, 26) + "".join(pad(text(n, mode, name), cell, right=True) for n, mode in columns)
        )
    lines.append(pad("load average", 26) + "".join(pad(loads[n], cell, right=True) for n, _ in columns))
    if not served:
        for n, mode in columns:
            medians = {name: statistics.median(by[mode].drawn) for name, by in results[n].items()}
            slow = [name for name, med in medians.items() if med > TARGET]
            worst = max(medians, key=lambda name: medians[name])
            lines.append(
                f"{n} {MODES[mode]}: {len(slow)} of {len(medians)} over {TARGET:.1f} s"
                f"{' ' + ', '.join(slow) if slow else ''}; slowest {worst} {medians[worst] * 1000:.0f} ms"
            )
    return "\n".join(lines)


def writer(db: Path) -> tuple[Callable[[], None], Callable[[], None]]:
    """(write, close): a write to the library at ``db`` as bench_ui's uncached runs make (``--write``:
    by default a correction of the first report and its withdrawal), through this process's own Library."""
    from bench_ui import change_library
    from sqlalchemy import func, select

    from library.db import Report
    from library.store import Library

    lib = Library(f"sqlite:///{db}")
    with lib.engine.connect() as conn:
        report_id = int(conn.execute(select(func.min(Report.id))).scalar_one())
    return (lambda: change_library(lib, report_id)), lib.close


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", help="comma-separated library sizes, e.g. 5000,50000 (default: --n)")
    parser.add_argument("--n", type=int, default=5000, help="one size (when --sizes is not given)")
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()), help="the benchmark libraries"
    )
    parser.add_argument(
        "--source", type=Path, help="a directory of complete benchmark libraries to copy from"
    )
    parser.add_argument("--db", type=Path, help="one library file (a single size) instead of --dir")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--modes", default="cached,write", help="cached, write (first click after a write)")
    parser.add_argument("--only", help="comma-separated substrings of interaction names (default: all)")
    parser.add_argument("--shot", default="总览", help="comma-separated page titles to screenshot per size")
    parser.add_argument(
        "--write", default="undo", help="the write of the 'write' mode, as bench_ui.py --write"
    )
    args = parser.parse_args()
    from bench_ui import WRITE, WRITES, bench_account, grow_library, quiet, sqlite_for

    if args.write not in WRITES:
        raise SystemExit(f"--write: one of {', '.join(WRITES)}")
    WRITE[0] = args.write

    quiet()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.n]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := set(modes) - set(MODES):
        raise SystemExit(f"--modes: unknown {sorted(unknown)}; known: {', '.join(MODES)}")
    if args.db and len(sizes) > 1:
        raise SystemExit("--db is one library: give one size")
    shot_dir = (args.db.parent if args.db else args.dir) / "shots"
    shot_dir.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, dict[str, Timing]]] = {}
    loads: dict[int, str] = {}
    for n in sizes:
        if args.db:
            grow_library(args.db, n)
            db = args.db
        else:
            db = sqlite_for(n, args.dir, args.source)
        bench_account(db)
        write, close = writer(db) if "write" in modes else (None, lambda: None)
        shots = {t: shot_dir / f"{n}-{t}.png" for t in args.shot.split(",") if t}
        try:
            with app_server(db, shot_dir.parent / f"streamlit-{n}.log") as url:
                before = load()
                print(f"\nclick → page drawn in Chromium, {n} synthetic reports ({db}), load {before}")
                results[n] = run(url, args.repeat, modes, write, parse_only(args.only), shots)
                loads[n] = f"{before}–{load()}"
        finally:
            close()
    print(table(results, loads, args.repeat))
    print(table(results, loads, args.repeat, served=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: time from a click in the sidebar to the page fully drawn, in a real browser.

    .venv/bin/python scripts/bench_browser.py                    # 5,000 synthetic reports (built once)
    .venv/bin/python scripts/bench_browser.py --n 50000 --repeat 5

Starts ``streamlit run app.py`` on a loopback port against a SYNTHETIC library (library.synthetic, its own
SQLite file outside the repository, shared with scripts/bench_ui.py), opens it in Debian's Chromium through
Playwright and, for every page of the sidebar and for a change of the year filter, measures:

    click (dispatched in the page) → the server's ``script_finished`` message for that run has arrived →
    no element is stale, the status widget is idle, every Plotly chart has drawn its SVG → next frame.

Each interaction is timed ``--repeat`` times after one warm-up of the same interaction; the median is
printed with the spread. The server's result cache is warm after the warm-up (as for every user but the
first after a change); ``scripts/bench_ui.py`` measures the server side cold. Target: ≤ 1.0 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from app_server import CHROMIUM, CHROMIUM_FLAGS, app_server  # noqa: E402 - after the path setup

TARGET = 1.0
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
        with self.ws.expect_event("framereceived", predicate=_is_script_finished, timeout=60_000):
            start = time.perf_counter()
            self.page.evaluate(click_js, arg)
        self.server_times.append(time.perf_counter() - start)
        self.page.wait_for_function(DRAWN_JS, polling="raf", timeout=60_000)
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


YEAR_CLICK = """(year) => {
  const option = [...document.querySelectorAll('[role="option"]')].find(o => o.textContent.trim() === year);
  if (!option) throw new Error('no option ' + year);
  option.click();
}"""


def run(url: str, repeat: int) -> list[tuple[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    results: list[tuple[str, list[float]]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        session = Session(page)
        page.goto(url)
        sign_in(page)
        page.wait_for_selector('[data-testid="stSidebarNav"] a', timeout=120_000)
        page.wait_for_function(DRAWN_JS, polling="raf", timeout=120_000)
        titles = nav_titles(page)
        for title in titles:  # every page, in sidebar order
            times, served = [], []
            for i in range(repeat + 1):
                other = titles[0] if title != titles[0] else titles[1]
                session.timed(NAV_CLICK, other)  # leave the page, so the timed click really changes page
                elapsed = session.timed(NAV_CLICK, title)
                if i:  # the first round warms the server's cache for this page
                    times.append(elapsed)
                    served.append(session.server_times[-1])
            results.append((f"打开：{title}", times))
            print(f"{results[-1][0]:<20}{_fmt(times, served)}", flush=True)
        # A filter change on 总览: pick the newest year in the sidebar; a reload then clears it again.
        times, served = [], []
        for i in range(repeat + 1):
            page.goto(url)  # a new browser session: sign in again
            sign_in(page)
            page.wait_for_selector('[data-testid="stSidebarNav"] a', timeout=120_000)
            page.wait_for_function(DRAWN_JS, polling="raf", timeout=120_000)
            page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(1).click()
            page.wait_for_selector('[role="option"]', timeout=10_000)
            elapsed = session.timed(YEAR_CLICK, _newest_year(page))
            if i:
                times.append(elapsed)
                served.append(session.server_times[-1])
        results.append(("筛选年度（总览）", times))
        print(f"{results[-1][0]:<20}{_fmt(times, served)}", flush=True)
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
    page.get_by_label("登录名", exact=True).fill(BENCH_LOGIN)
    page.get_by_label("密码", exact=True).fill(BENCH_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()


def _newest_year(page) -> str:
    options = page.eval_on_selector_all('[role="option"]', "els => els.map(o => o.textContent.trim())")
    years = sorted((o for o in options if o.isdigit()), reverse=True)
    return years[0] if years else ""


def _fmt(times: list[float], served: list[float]) -> str:
    med = statistics.median(times)
    flag = "OK" if med <= TARGET else "SLOW"
    return (
        f"{med * 1000:>8.0f} ms median  ({min(times) * 1000:.0f}–{max(times) * 1000:.0f})  {flag}"
        f"   server run done at {statistics.median(served) * 1000:.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from bench_ui import build_library

    db = args.db or Path(tempfile.gettempdir()) / f"nianbao-bench-ui-synthetic-{args.n}.sqlite"
    build_library(db, args.n)
    with app_server(db) as url:
        print(f"click → page drawn in Chromium, {args.n} synthetic reports, median of {args.repeat}")
        results = run(url, args.repeat)
    slow = [name for name, times in results if statistics.median(times) > TARGET]
    print(f"\n{len(results)} interactions; over {TARGET:.1f} s: {len(slow)} {slow if slow else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

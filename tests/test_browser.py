"""Real browser: `streamlit run app.py` on a free port with a temp library, driven by Playwright and
Debian's chromium. Drops a seed report into the uploader, saves it, sees its chart, downloads a PNG
rendered by kaleido, and checks that the Chinese labels render. Screenshots go to a temp dir (printed).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "sample_reports" / "000_bd3a826d0705f6e5.txt"  # 施秉县教育和科技局 2020: 行政许可 decisions 79
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROME_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """A streamlit server of this repo on a free loopback port, with an empty temp library."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run `make setup` (installs Debian's chromium)")
    tmp = tmp_path_factory.mktemp("browser")
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_DATABASE_URL"}
    env["NIANBAO_DB_PATH"] = str(tmp / "library.sqlite")
    port = _free_port()
    log = open(tmp / "streamlit.log", "w")  # noqa: SIM115 - closed after the server stops
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"streamlit did not start; see {tmp / 'streamlit.log'}") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        yield b
        b.close()


def test_drop_a_report_see_its_chart_and_download_png(app_url, browser, tmp_path):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots: {shots}")
    context = browser.new_context(viewport={"width": 1440, "height": 1500}, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    # Hermetic: only the app's own server is reached (no web fonts, no CDN).
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(app_url) else route.abort())

    page.goto(app_url + "/", wait_until="domcontentloaded")
    page.get_by_text("报告库还是空的").wait_for(timeout=60_000)  # 总览 on an empty library offers the upload
    page.get_by_role("link", name="去上传本地区的年报").click()
    page.get_by_role("heading", name="上传报告").wait_for(timeout=60_000)
    page.get_by_text("单个文件（含 ZIP 压缩包）不超过 100 MB").wait_for()  # parsing/limits.py
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(SEED))
    page.get_by_role("button", name="保存到报告库").wait_for(timeout=60_000)
    page.screenshot(path=str(shots / "1_upload_parsed.png"))

    page.get_by_role("button", name="保存到报告库").click()
    page.get_by_text("已保存 1 份报告").wait_for(timeout=60_000)
    page.screenshot(path=str(shots / "2_saved.png"))

    page.get_by_role("link", name="行政许可与执法").click()
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.locator("g.ytick text").first.wait_for(timeout=60_000)
    ticks = chart.locator("g.ytick text").all_text_contents()
    assert "施秉县教育和科技局" in ticks
    bar_labels = chart.locator("g.points text").all_text_contents()
    assert "79" in bar_labels  # 行政许可 处理决定数量 of the report, on the bar
    page.screenshot(path=str(shots / "3_enforcement_chart.png"))

    # Chinese renders with a real CJK font (not tofu): the font is available to the page and a CJK
    # string takes about twice the width of the same number of Latin letters.
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"')")
    widths = page.evaluate(
        """() => {
            const c = document.createElement('canvas').getContext('2d');
            c.font = '20px "Noto Sans CJK SC", sans-serif';
            return [c.measureText('施秉县教育').width, c.measureText('abcde').width];
        }"""
    )
    assert widths[0] > 1.6 * widths[1], widths

    with page.expect_download(timeout=60_000) as download:
        page.locator("[data-testid=\"stDownloadButton\"] button", has_text="PNG").first.click()
    png = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.endswith(".png")
    assert "行政许可" in download.value.suggested_filename
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    (shots / "4_downloaded_chart.png").write_bytes(png)

    # The 简报包: every chart under the current filters (PNG + PDF) and the numbers in Excel.
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("button", name="下载简报包（ZIP）").click()
    with zipfile.ZipFile(download.value.path()) as zf:
        names = zf.namelist()
    assert "图表数据.xlsx" in names and "说明.txt" in names
    assert any(n.endswith("行政许可_行政处罚_行政强制处理决定数量_按单位.png") for n in names), names
    assert sum(n.endswith(".pdf") for n in names) == sum(n.endswith(".png") for n in names) >= 20
    context.close()

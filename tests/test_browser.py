"""Real browser: `streamlit run app.py` on a free port with a temp library, driven by Playwright and
Debian's chromium. Creates the administrator of a new installation, drops a seed report into the
uploader, saves it, sees its chart, downloads a PNG rendered by kaleido, and checks that the Chinese
labels render. Screenshots go to a temp dir (printed).
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from app_server import CHROMIUM, CHROMIUM_FLAGS, app_server

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "sample_reports" / "000_bd3a826d0705f6e5.txt"  # 施秉县教育和科技局 2020: 行政许可 decisions 79
LOGIN, PASSWORD = "browser", "Browser2024pw"  # the administrator of the samples server


@contextmanager
def _streamlit_server(db_path: Path, log_path: Path) -> Iterator[str]:
    """A streamlit server of this repo on a free loopback port with the library at ``db_path``."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run `make setup` (installs Debian's chromium)")
    with app_server(db_path, log_path, timeout=60) as url:
        yield url


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """A streamlit server of this repo with an empty temp library."""
    tmp = tmp_path_factory.mktemp("browser")
    with _streamlit_server(tmp / "library.sqlite", tmp / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def samples_url(tmp_path_factory):
    """A streamlit server whose library holds the sample reports (what 加载示例报告 loads)."""
    from library.samples import load_samples
    from library.store import Library

    tmp = tmp_path_factory.mktemp("browser_samples")
    from library.access import Role
    from library.accounts import Accounts

    lib = Library(f"sqlite:///{tmp / 'library.sqlite'}")
    load_samples(lib)
    Accounts(lib.engine).create(LOGIN, PASSWORD, role=Role.ADMIN, display_name="浏览器测试")
    lib.close()
    with _streamlit_server(tmp / "library.sqlite", tmp / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def test_drop_a_report_see_its_chart_and_download_png(app_url, browser, tmp_path):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots: {shots}")
    context = browser.new_context(
        viewport={"width": 1440, "height": 1500}, accept_downloads=True, locale="zh-CN"
    )
    page = context.new_page()
    # Hermetic: only the app's own server is reached (no web fonts, no CDN).
    page.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith(app_url) else route.abort()
    )

    page.goto(app_url + "/", wait_until="domcontentloaded")
    # A new installation asks for the administrator account first, and shows nothing else.
    page.get_by_role("heading", name="创建管理员账户").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stSidebar"]').count() == 0
    page.get_by_label("登录名", exact=True).fill("admin")
    page.get_by_label("姓名（记录操作人时显示）").fill("王主任")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.screenshot(path=str(shots / "0_first_administrator.png"))
    page.get_by_role("button", name="创建管理员并登录").click()
    page.get_by_text("报告库还是空的").wait_for(timeout=60_000)  # 总览 on an empty library offers the upload
    assert "王主任" in page.locator('[data-testid="stSidebar"]').inner_text()
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
        page.locator('[data-testid="stDownloadButton"] button', has_text="PNG").first.click()
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


PAGES = {
    "upload": "上传报告",
    "library": "报告库",
    "overview": "总览",
    "proactive": "主动公开",
    "enforcement": "行政许可与执法",
    "applications": "依申请公开",
    "review": "复议诉讼",
    "quality": "数据质量",
    "roster": "名录",
    "completeness": "发布情况",
}
# English that Streamlit's and Plotly's own widgets write (text, placeholders, tooltips).
ENGLISH_UI = (
    "Select all",
    "No results",
    "Choose an option",
    "Press Enter",
    "Upload",
    "per file",
    "Browse files",
    "Drag and drop",
    "Page not found",
    "Running...",
    "Download as CSV",
    "Show/hide columns",
    "Fullscreen",
    "Copy to clipboard",
    "Download plot",
    "Zoom in",
    "Zoom out",
    "Autoscale",
    "Reset axes",
    "Pan",
    "Skip to main content",
)
_SHOWN_STRINGS = """() => {
    const out = [document.body.innerText];
    for (const el of document.querySelectorAll('[placeholder],[title],[data-title],[aria-label]'))
        for (const a of ['placeholder', 'title', 'data-title', 'aria-label'])
            out.push(el.getAttribute(a) || '');
    return out.join('\\n');
}"""


def _open(page, url: str, title: str) -> None:
    """Open ``url`` (a new browser session: sign in on the form it shows) and wait for its page."""
    page.goto(url, wait_until="domcontentloaded")
    heading = page.get_by_role("heading", name=title, level=1)
    sign_in = page.get_by_role("button", name="登录", exact=True)
    heading.or_(sign_in).first.wait_for(timeout=60_000)
    if sign_in.is_visible():
        dialog = page.get_by_role("dialog")  # Streamlit's "页面不存在" notice of an unknown address
        if dialog.count():
            page.keyboard.press("Escape")
            dialog.wait_for(state="detached")
        page.get_by_label("登录名", exact=True).fill(LOGIN)
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        sign_in.click()
    heading.wait_for(timeout=60_000)
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.wait_for(timeout=60_000)
    time.sleep(1.0)  # let late widgets (charts, tables) mount


def _english_shown(page) -> list[str]:
    import re

    shown = page.evaluate(_SHOWN_STRINGS)
    return [word for word in ENGLISH_UI if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", shown)]


@pytest.fixture()
def samples_page(samples_url, browser):
    context = browser.new_context(
        viewport={"width": 1400, "height": 2400}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(samples_url) else r.abort())
    yield page
    context.close()


def test_every_page_has_an_address_that_keeps_the_filters(samples_url, samples_page):
    page = samples_page
    for path, title in PAGES.items():
        _open(page, f"{samples_url}/{path}?years=2020", title)
        assert page.url.endswith(f"/{path}?years=2020"), page.url
        years = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(1)
        assert "2020" in years.inner_text(), (path, years.inner_text())
        if path == "overview":
            assert "年度：2020" in page.locator('[data-testid="stMain"]').inner_text()
    # A downloaded image says which filters made it and when.
    _open(page, f"{samples_url}/enforcement?years=2020", "行政许可与执法")
    with page.expect_download(timeout=60_000) as download:
        page.locator('[data-testid="stDownloadButton"] button', has_text="SVG").first.click()
    svg = Path(download.value.path()).read_text(encoding="utf-8")
    assert "筛选条件：年度：2020" in svg and "导出日期" in svg
    # The root forwards to 总览 with the filters; a change of filter is written into the address.
    _open(page, f"{samples_url}/?regions=施秉县", "总览")
    assert "/overview?regions=" in page.url, page.url
    page.get_by_role("button", name="清除筛选").click()
    page.wait_for_function("() => !location.search.includes('regions')", timeout=30_000)
    # An unknown address opens 总览 and says so in Chinese.
    _open(page, f"{samples_url}/no-such-page", "总览")
    page.get_by_text("没有地址为“/no-such-page”的页面").wait_for(timeout=30_000)
    assert not _english_shown(page), _english_shown(page)


def test_no_english_from_streamlit_widgets_on_any_page(samples_url, samples_page, tmp_path):
    page = samples_page
    print(f"\nscreenshots: {tmp_path}")
    for path, title in PAGES.items():
        _open(page, f"{samples_url}/{path}", title)
        page.screenshot(path=str(tmp_path / f"{path}.png"))
        assert not _english_shown(page), (path, _english_shown(page))
        # A multiselect's list ("Select all") and its empty search ("No results").
        page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
        page.get_by_role("listbox").wait_for()
        assert "全选" in page.get_by_role("listbox").inner_text()
        page.keyboard.type("没有这个地区")
        page.get_by_text("无匹配项").wait_for(timeout=10_000)
        assert not _english_shown(page), (path, _english_shown(page))
        page.keyboard.press("Escape")
    # A text input's hint ("Press Enter to apply") and a form's ("Press Enter to submit form").
    _open(page, f"{samples_url}/library", "报告库")
    page.locator('[data-testid="stMain"] [data-testid="stTextInput"] input').first.fill(
        "施秉"
    )  # the search box
    page.get_by_text("按回车键确认").wait_for(timeout=10_000)
    assert not _english_shown(page), _english_shown(page)
    _open(page, f"{samples_url}/quality", "数据质量")
    opener = page.get_by_text("更正数值", exact=False)
    if opener.count():
        opener.first.click()
    field = page.locator('[data-testid="stForm"] [data-testid="stTextInput"] input').first
    if field.count() and field.is_visible():  # the correction form's value field
        field.fill("12")
        page.get_by_text("按回车键提交").wait_for(timeout=10_000)
        assert not _english_shown(page), _english_shown(page)
    # Plotly's toolbar tooltips.
    _open(page, f"{samples_url}/enforcement", "行政许可与执法")
    page.locator('[data-testid="stPlotlyChart"]').first.hover()
    time.sleep(0.5)
    assert not _english_shown(page), _english_shown(page)


def test_sign_in_survives_a_reload_until_sign_out(samples_url, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN")
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(samples_url) else r.abort())
    page.goto(f"{samples_url}/library", wait_until="domcontentloaded")
    page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60_000)
    assert page.locator('[data-testid="stSidebar"]').count() == 0  # nothing before sign-in
    page.screenshot(path=str(tmp_path / "sign_in.png"))
    _open(page, f"{samples_url}/library", "报告库")  # signs in on the form
    # A reload and a new tab are new Streamlit sessions: the browser's cookie signs them in.
    page.reload(wait_until="domcontentloaded")
    page.get_by_role("heading", name="报告库", level=1).wait_for(timeout=60_000)
    second = context.new_page()
    second.goto(f"{samples_url}/overview", wait_until="domcontentloaded")
    second.get_by_role("heading", name="总览", level=1).wait_for(timeout=60_000)
    second.close()
    cookie = next(c for c in context.cookies() if c["name"] == "nianbao_session")
    assert cookie["sameSite"] == "Strict" and cookie["expires"] > time.time()
    # Sign-out ends it: a reload asks for the password again.
    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("已退出登录").wait_for(timeout=30_000)
    page.reload(wait_until="domcontentloaded")
    page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60_000)
    assert page.locator('[data-testid="stSidebar"]').count() == 0
    context.close()

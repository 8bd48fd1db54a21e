"""AppTest of 网站采集 (issue 14) against the local test server: paste a column URL, collect, see the
reports with their publication dates; change a page, re-check, see the change as a finding."""

from __future__ import annotations

import pytest
from _app_support import app_test, library_at, table_with, texts
from collect_server import seed_page_bytes

PAGE = "app_pages/collect.py"


@pytest.fixture
def local_allowed(tmp_path):
    """A fresh library whose administrator allowed private addresses (the test server is 127.0.0.1)."""
    with library_at(tmp_path / "library.sqlite"):
        from library.access import Account, Role
        from library.collect.store import set_allow_private
        from library.store import Library

        lib = Library()
        set_allow_private(lib, True, account=Account("admin", Role.ADMIN, display_name="管理员"))
        lib.close()
        yield


def _open(role: str = "admin"):
    at = app_test(role=role).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_paste_a_column_collect_recheck_and_see_the_change(local_allowed, site, server):
    at = _open()
    assert at.title[0].value == "网站采集"
    at.text_area(key="collect_urls").input(site.url(site.platform_column))
    _button(at, "开始采集").click().run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    results = table_with(at, "结果")
    assert list(results["结果"]).count("已入库") == 4 and "栏目页" in set(results["结果"])
    dates = dict(zip(results["网址"], results["发布日期"], strict=True))
    for seed in site.seed_pages:
        assert dates[site.url(seed.path)] == seed.published
    # Kept as a source (the box is ticked by default), with its last result.
    sources = table_with(at, "最近采集")
    assert list(sources["网址"]) == [site.url(site.platform_column)]

    seed = site.seed("000")
    original = seed_page_bytes(seed.stem, seed.title, seed.published, seed.encoding)
    try:
        # 施秉县's page (GBK) gets another 行政许可 figure (79, written in two runs, becomes 80).
        text = original.decode("gb18030")
        was = '<span lang="EN-US">7</span><span style="font-family:宋体">9</span>'
        changed = text.replace(was, was.replace(">7<", ">8<").replace(">9<", ">0<"), 1)
        assert changed != text
        server.set(seed.path, changed.encode("gb18030"), content_type="text/html")
        _button(at, "重新检查").click().run(timeout=120)
        assert not at.exception, [e.value for e in at.exception]
        assert "网站上的变化（1 条审核意见）" in [s.value for s in at.subheader]
        changes = table_with(at, "问题")
        assert list(changes["单位"]) == ["施秉县教育和科技局"]
        shown = texts(at)
        assert "原为 79，现为 80" in shown
    finally:
        server.set(seed.path, original, content_type="text/html")


def test_only_an_administrator_sees_the_private_address_setting(local_allowed):
    at = _open("admin")
    assert any(t.label.startswith("允许采集内网") for t in at.toggle)
    at = _open("reviewer")
    assert not any(t.label.startswith("允许采集内网") for t in at.toggle)
    assert "管理员已允许采集内网及本机地址" in texts(at)

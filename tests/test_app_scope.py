"""Per-region access in the app (AppTest): a county account sees nothing of another region on any
registered page (texts, tables, charts, metrics, choices), in any download, nor through the address
(?regions=…, a report id, an agency); the city's unrestricted account sees both; a session without an
account sees no report.

Everything an element sends to the browser is searched: each element's protobuf message (dataframes
travel as Arrow bytes with their strings in UTF-8, charts as Plotly JSON). Downloads are captured from
Streamlit's media file manager (files given as bytes, and the callables of on-click downloads, which
are then called as a click would; image renders of the charts are left out: their specs are checked).
"""

from __future__ import annotations

import pytest
from _app_support import app_test, library_at, open_address, texts
from _scope_support import (
    ADMIN_ACCOUNT,
    COUNTY,
    COUNTY_ACCOUNT,
    OTHER_MARKERS,
    OWN_MARKER,
    build_two_regions,
    leaked,
)
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import app_test as app_test_module

from page_registry import PAGES

IMAGE_SUFFIXES = (".png", ".svg", ".pdf", ".jpg")
SLOW = ("公开年报简报包",)  # the 简报包 renders every chart image (10–30 s): called once, in its own test


class _Recorder(MediaFileManager):
    """The app test's media file manager, keeping what each download would send."""

    files: list[tuple[str, bytes | str]] = []
    deferred: list[tuple[str, object]] = []

    def add(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if is_for_static_download:
            _Recorder.files.append((file_name or "", path_or_data))
        return super().add(path_or_data, mimetype, coordinates, file_name, is_for_static_download)

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        _Recorder.deferred.append((file_name or "", data_callable))
        return super().add_deferred(data_callable, mimetype, coordinates, file_name, **kwargs)


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    path = tmp_path_factory.mktemp("app_scope") / "library.sqlite"
    with library_at(path):
        from library.store import Library

        lib = Library()
        ids = build_two_regions(lib)
        lib.close()
        yield ids


@pytest.fixture
def recorder(monkeypatch):
    monkeypatch.setattr(app_test_module, "MediaFileManager", _Recorder)
    _Recorder.files, _Recorder.deferred = [], []
    return _Recorder


def _nodes(node):
    yield node
    children = getattr(node, "children", None) or {}
    for child in children.values():
        yield from _nodes(child)


def sent(at) -> str:
    """Everything the run sent to the browser, as text (each element's message, UTF-8 decoded)."""
    parts = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            parts.append(proto.SerializeToString().decode("utf-8", errors="ignore"))
    return "\n".join(parts)


def open_as(account, page: str, query: dict | None = None):
    """Open ``page`` signed in as ``account``; ``query``: the address's parameters (the filters are read
    from it on the session's first run, the page's own ones when it opens). A page the account may not
    open (or any page without an account) is asked for by its address, as a typed URL would."""
    spec = next(s for s in PAGES if s.path == page)
    at = app_test(account=account)
    if account is None or not account.can(spec.action):
        open_address(at, spec.url_path)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if account is not None and account.can(spec.action):
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def downloads(recorder, skip: tuple[str, ...] = SLOW) -> list[tuple[str, bytes | str]]:
    """The files the page's downloads would send (images and the slow ``skip`` ones left out)."""
    out = list(recorder.files)
    for name, make in recorder.deferred:
        if name.lower().endswith(IMAGE_SUFFIXES) or name.startswith(skip):
            continue
        out.append((name, make()))  # type: ignore[operator]
    return out


@pytest.mark.parametrize("spec", PAGES, ids=[spec.url_path for spec in PAGES])
def test_county_account_sees_only_its_county(two, recorder, spec):
    at = open_as(COUNTY_ACCOUNT, spec.path)
    shown = sent(at)
    assert not [m for m in OTHER_MARKERS if m in shown], spec.title
    files = downloads(recorder)
    for name, data in files:
        assert not leaked(data), (spec.title, name, leaked(data))
        assert not leaked(name), (spec.title, name)


def test_the_checks_would_see_a_leak(two, recorder):
    # The same page for the city (unrestricted): the other regions are there, so the checks can fail.
    at = open_as(ADMIN_ACCOUNT, "app_pages/report_library.py")
    assert {"淮安市人民政府", "施秉县", "（合成）乙县"} <= {m for m in OTHER_MARKERS if m in sent(at)}
    assert any(leaked(data) for _, data in downloads(recorder))
    at = open_as(COUNTY_ACCOUNT, "app_pages/report_library.py")
    assert OWN_MARKER in sent(at)  # and the county's own reports are shown


def test_one_report_panel_and_original(two, recorder):
    at = open_as(COUNTY_ACCOUNT, "app_pages/report_library.py")
    # Forcing another region's id into the session state opens nothing.
    at.session_state["library_selected"] = two.other[0]
    at.run()
    assert not at.exception
    assert f"报告 {two.other[0]}" not in [h.value for h in at.subheader]
    at.session_state["library_selected"] = two.own[0]
    at.run()
    assert f"报告 {two.own[0]}" in [h.value for h in at.subheader]
    originals = [data for name, make in recorder.deferred if name.endswith(".pdf") for data in [make()]]
    assert originals and all(data[:4] == b"%PDF" for data in originals)
    assert not [m for m in OTHER_MARKERS if m in sent(at)]


def test_address_cannot_widen_the_scope(two, recorder):
    at = open_as(COUNTY_ACCOUNT, "app_pages/overview.py", {"regions": "淮安市"})
    assert at.sidebar.multiselect(key="f_regions").value == []  # another region's value is dropped
    assert at.sidebar.multiselect(key="f_regions").options == [COUNTY]
    assert not [m for m in OTHER_MARKERS if m in sent(at)]
    assert "共 2 份报告" in texts(at)
    at = open_as(COUNTY_ACCOUNT, "app_pages/quality.py", {"report": str(two.other[0])})
    assert f"无权查看报告 {two.other[0]}" in "\n".join(w.value for w in at.warning)
    assert not [m for m in OTHER_MARKERS if m in sent(at)]
    at = open_as(COUNTY_ACCOUNT, "app_pages/agency.py", {"agency": "淮安市人民政府", "region": "淮安市"})
    assert any("无权查看" in w.value for w in at.warning)
    assert not [m for m in OTHER_MARKERS if m in sent(at)]


def test_briefing_pack_and_report_of_the_county(two, recorder):
    at = open_as(COUNTY_ACCOUNT, "app_pages/overview.py")
    assert not at.exception
    names = [name for name, _ in recorder.deferred]
    assert any(n.startswith("公开年报简报包") for n in names) and any(n.endswith(".docx") for n in names)
    for name, make in recorder.deferred:
        if name.startswith("公开年报简报包") or name.endswith(".docx"):
            data = make()  # type: ignore[operator]
            assert not leaked(data), (name, leaked(data))


def test_session_without_account_sees_no_report(two, recorder):
    for spec in PAGES:
        at = open_as(None, spec.path)
        shown = sent(at)
        # 洪泽区's file names (its agency's name is also a static example on 名录).
        markers = (*OTHER_MARKERS, "hongze-district")
        assert not [m for m in markers if m in shown], spec.title
        for name, data in downloads(recorder):
            assert not leaked(data, markers), (spec.title, name)


def test_county_account_saves_uploads_of_its_county_only(tmp_path):
    """An upload whose region is another county's is not saved: it would land in that office's library."""
    from paths import SAMPLES

    with library_at(tmp_path / "upload.sqlite"):
        from library.store import Library

        at = app_test(account=COUNTY_ACCOUNT).run()
        at.switch_page("app_pages/upload.py").run()
        seed = SAMPLES / "000_bd3a826d0705f6e5.txt"  # 施秉县教育和科技局
        at.file_uploader(key="upload_files").upload(seed.name, seed.read_bytes(), "text/plain")
        at.run()
        at.button(key="save_batch").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert "地区和单位须在您的账户范围内" in texts(at)
        lib = Library()
        assert lib.counts()["reports"] == 0
        lib.close()


def test_agency_account_sees_its_own_agency_only(two, recorder):
    """A 填报单位 of 洪泽区: its own agency's reports, written with or without the city in front."""
    from library.access import Account, Role, Scope

    government = Account("zf", Role.AGENCY, Scope(regions=(COUNTY,), agency="洪泽区人民政府"))
    at = open_as(government, "app_pages/report_library.py")
    assert sorted(at.dataframe[0].value["编号"]) == sorted(two.own)  # stored as 淮安市洪泽区人民政府
    finance = Account("cz", Role.AGENCY, Scope(regions=(COUNTY,), agency="区财政局"))
    at = open_as(finance, "app_pages/roster.py")
    shown = sent(at)
    assert "hongze-district" not in shown and not [m for m in OTHER_MARKERS if m in shown]
    assert "当前名录（1 个机关）" in [h.value for h in at.subheader]

"""AppTest of 操作记录 (app_pages/audit.py) and of the pages writing the signed-in account into the trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from _app_support import app_test, library_at, sign_in, signed_in_as, texts

from library import audit
from library.access import Account, Role, Scope
from library.audit import AuditQuery
from library.synthetic import specs, synthetic_bytes, synthetic_parsed, synthetic_text

PAGE = "app_pages/audit.py"
KEY = "s3.r1_new_received.total"
FIRST = specs(1)[0]
OTHER = next(s for s in specs(200) if s.region != FIRST.region)  # specs() fill one region first


@pytest.fixture
def library(tmp_path):
    with library_at(tmp_path / "library.sqlite"):
        from library.store import Library

        lib = Library()
        signed_in_as("admin")  # the account app_test() signs in with, made before the trail starts
        _clear_trail(lib)
        yield lib
        lib.close()


def _clear_trail(lib) -> None:
    """Empty the audit trail: the creation of the tests' own accounts is not what these tests check."""
    from sqlalchemy import text

    with lib.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))


@pytest.fixture
def trail(library):
    """Two reports in two regions, uploaded by 张三; 李四 corrects one cell of each."""
    ids = []
    for spec in (FIRST, OTHER):
        parsed = synthetic_parsed(spec)
        rid, _ = library.add(parsed, synthetic_bytes(parsed), who="张三")
        ids.append(rid)
    for rid in ids:
        library.add_correction(rid, KEY, None, "原件为空白", who="李四")
    return ids


def _open(account: Account | None = None):
    at = app_test()
    if account is not None:
        sign_in(at, account)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at):
    found = [df.value for df in at.dataframe if audit.HEADERS["who"] in df.value.columns]
    assert found, "no audit table on the page"
    return found[0]


def _downloads(at) -> list[str]:
    return [el.proto.label for el in at.get("download_button") if el.proto.label.startswith("导出")]


def test_page_lists_filters_and_offers_exports(library, trail) -> None:
    at = _open()
    assert at.title[0].value == "操作记录"
    table = _table(at)
    assert len(table) == 4
    assert list(table.columns) == list(audit.HEADERS.values())
    assert list(table["操作"]) == ["更正数据", "更正数据", "上传报告", "上传报告"]  # newest first
    assert all("数值：空白" in v for v in table["修改后"][:2])
    assert set(_downloads(at)) == {"导出 Excel（4 条）", "导出 CSV（4 条）"}

    at.selectbox(key="audit_who").set_value("张三").run()
    assert set(_table(at)["操作人"]) == {"张三"} and len(_table(at)) == 2
    at.selectbox(key="audit_who").set_value("（全部）").run()
    at.multiselect(key="audit_actions").set_value(["cell_correction"]).run()
    assert list(_table(at)["操作"]) == ["更正数据", "更正数据"]
    at.text_input(key="audit_text").input(OTHER.region).run()
    assert list(_table(at)["地区"]) == [OTHER.region]
    assert set(_downloads(at)) == {"导出 Excel（1 条）", "导出 CSV（1 条）"}
    newest = library.audit_entries().iloc[0]["at"].tz_convert(audit.BEIJING).date()
    at.date_input(key="audit_days").set_value((newest, newest)).run()
    assert list(_table(at)["地区"]) == [OTHER.region]
    day = newest - timedelta(days=1)
    at.date_input(key="audit_days").set_value((day, day)).run()
    assert "没有符合条件的操作记录。" in texts(at)


def test_a_row_shows_its_before_and_after(library, trail) -> None:
    at = _open()
    at.session_state["audit_table"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    detail = [df.value for df in at.dataframe if "项目" in df.value.columns]
    assert detail, "no before/after detail"
    shown = detail[0].set_index("项目")
    assert shown.loc["数值", "修改后"] == "空白" and shown.loc["说明", "修改后"] == "原件为空白"
    assert shown.loc["数值", "修改前"] not in ("空白", "—", "0")


def test_a_scoped_account_sees_the_records_of_its_regions_only(library, trail) -> None:
    account = Account("county", Role.REVIEWER, Scope(regions=(FIRST.region,)), "县审核员")
    table = _table(_open(account))
    assert set(table["地区"]) == {FIRST.region} and len(table) == 2


def test_pages_write_the_signed_in_account_into_the_trail(library) -> None:
    at = sign_in(app_test(role=None), Account("wang", Role.REVIEWER, display_name="王审核"))
    _clear_trail(library)
    at.run()
    at.switch_page("app_pages/upload.py").run()
    at.file_uploader(key="upload_files").upload("合成.txt", synthetic_text(FIRST).encode(), "text/plain")
    at.run()
    at.button(key="save_batch").click().run()
    assert not at.exception, [e.value for e in at.exception]
    rows = library.audit_entries(AuditQuery(limit=None))
    assert list(zip(rows["action"], rows["who"], strict=True)) == [(audit.REPORT_UPLOAD, "王审核")]
    rid = int(rows.iloc[0]["target_id"])
    assert rows.iloc[0]["year"] == FIRST.year

    at.switch_page("app_pages/report_library.py")
    at.session_state["library_selected"] = rid
    at.run()
    at.button(key="delete_one").click().run()
    at.button(key="confirm_delete_yes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    rows = library.audit_entries(AuditQuery(limit=None))
    assert (rows.iloc[0]["action"], rows.iloc[0]["who"], rows.iloc[0]["target_id"]) == (
        audit.REPORT_DELETE,
        "王审核",
        str(rid),
    )


def test_a_notice_download_is_recorded_when_the_document_is_made(library) -> None:
    """The download buttons build the 整改通知单 on click; the notices are recorded once they are made."""
    from components.documents import _recorded

    made: list[bytes] = []

    def build() -> bytes:
        made.append(b"docx")
        return b"docx"

    run = _recorded(build, lambda: [("合成甲县教育局", "合成甲县", 2024, 2)])
    assert library.audit_count() == 0  # rendering the button records nothing
    assert run() == b"docx" and made == [b"docx"]
    rows = library.audit_entries()
    assert list(rows["action"]) == [audit.NOTICE_GENERATED]
    assert (rows.iloc[0]["agency"], rows.iloc[0]["region"], rows.iloc[0]["year"]) == (
        "合成甲县教育局",
        "合成甲县",
        2024,
    )
    assert "2 项待整改问题" in rows.iloc[0]["summary"]

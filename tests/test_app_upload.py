"""The upload flow through AppTest's file uploader, on an empty temp library per test."""

from __future__ import annotations

import io
import zipfile

import pytest
from _app_support import SEED_000, SEED_002, SEED_004, app_test, library_at, table_with, texts


@pytest.fixture
def empty_library(tmp_path):
    with library_at(tmp_path / "library.sqlite"):
        from library.store import Library

        yield Library()


def upload_page(files: list[tuple[str, bytes, str]]):
    at = app_test().run()
    at.switch_page("app_pages/upload.py").run()
    uploader = at.file_uploader(key="upload_files")
    for name, data, mime in files:
        uploader.upload(name, data, mime)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_empty_library_loads_samples_in_one_click(empty_library):
    at = app_test().run()
    assert at.title[0].value == "总览"  # the default page; on an empty library it offers the samples
    assert "报告库还是空的" in texts(at)
    at.switch_page("app_pages/upload.py").run()
    assert "报告库还是空的" in texts(at)
    at.button(key="load_samples_upload").click().run()
    assert not at.exception
    assert "已加载 5 份示例报告" in texts(at)
    assert empty_library.counts()["reports"] == 5


def test_upload_limit_is_stated(empty_library):
    at = app_test().run()
    at.switch_page("app_pages/upload.py").run()
    from parsing.limits import upload_limit_mb

    # The parser's own limit (parsing/limits.py), the same number as server.maxUploadSize.
    assert f"单个文件（含 ZIP 压缩包）不超过 {upload_limit_mb()} MB" in texts(at)
    assert "每份报告解析限时" in texts(at)


def test_upload_parse_confirm_and_save(empty_library):
    at = upload_page(
        [(SEED_000.name, SEED_000.read_bytes(), "text/plain"), ("坏文件.pdf", b"%PDF-1.4\nnot really a pdf", "application/pdf")]
    )
    results = table_with(at, "说明")
    status = dict(zip(results["文件"], results["状态"], strict=True))
    assert status[SEED_000.name] == "成功"
    assert status["坏文件.pdf"] == "失败"
    reason = dict(zip(results["文件"], results["说明"], strict=True))["坏文件.pdf"]
    assert reason and any("\u4e00" <= ch <= "\u9fff" for ch in reason)  # a Chinese reason
    meta = table_with(at, "机关类型")
    assert list(meta["机关名称"]) == ["施秉县教育和科技局"]  # the failed file is not offered for saving
    assert list(meta["机关类型"]) == ["教育"]  # guessed from the name
    assert list(meta["年度"]) == [2020]

    at.button(key="save_batch").click().run()
    assert not at.exception
    assert "已保存 1 份报告" in texts(at)
    stored = empty_library.list()
    assert list(stored["agency"]) == ["施秉县教育和科技局"]
    assert list(stored["agency_type"]) == ["教育"]
    assert empty_library.dataset().loc[0, "s2.art20_5.administrative_licensing.decisions"] == 79
    # The failed file left nothing behind.
    assert empty_library.counts()["reports"] == 1

    # The same file again: recognised as already stored, not saved twice.
    again = upload_page([(SEED_000.name, SEED_000.read_bytes(), "text/plain")])
    assert "库中已有" in " ".join(table_with(again, "入库情况")["入库情况"])
    assert empty_library.counts()["reports"] == 1


def test_zip_upload_and_label_override_is_saved_and_reused(empty_library):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("2023/" + SEED_004.name, SEED_004.read_bytes())
        zf.writestr("2020/" + SEED_002.name, SEED_002.read_bytes())
    at = upload_page([("年报.zip", buf.getvalue(), "application/zip")])
    results = table_with(at, "说明")
    assert len(results) == 2  # one row per document inside the ZIP
    assert set(results["状态"]) <= {"成功", "有警告"}

    # 县教育局 2023 prints the header 商业企业 split over two lines: "商业" alone is not recognised.
    pick = next(sb for sb in at.selectbox if sb.key and sb.key.startswith("label_pick_0_"))
    assert "“商业”" in texts(at)
    pick.set_value("s3.col.commercial_enterprise")
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert "已保存 1 条标签对照" in texts(at)
    assert empty_library.label_overrides() == {"商业": "s3.col.commercial_enterprise"}
    # The batch was parsed again with the override: "商业" is no longer offered for review.
    assert "“商业”" not in texts(at)

    at.button(key="save_batch").click().run()
    assert "已保存 2 份报告" in texts(at)
    assert sorted(empty_library.list()["year"].tolist()) == [2020, 2023]


def test_delete_needs_confirmation(empty_library):
    from library.samples import load_samples

    load_samples(empty_library)
    target = int(empty_library.search("盐池")["report_id"].iloc[0])
    at = app_test().run()
    at.switch_page("app_pages/report_library.py")
    at.session_state["library_selected"] = target
    at.run()
    at.button(key="delete_one").click().run()
    assert "确定删除这份报告吗" in texts(at)
    assert empty_library.counts()["reports"] == 5  # nothing deleted before the confirmation
    at.button(key="confirm_delete_yes").click().run()
    assert not at.exception
    assert f"已删除报告 {target}" in texts(at)
    assert empty_library.counts()["reports"] == 4
    assert empty_library.get(target) is None


def test_report_text_is_never_rendered_as_markdown_or_html(empty_library):
    hostile = "<img src=x onerror=alert(1)> **加粗** [链接](http://example.invalid)"
    data = SEED_000.read_bytes() + f"\n\n{hostile}\n".encode()
    at = upload_page([("hostile.txt", data, "text/plain")])
    at.button(key="save_batch").click().run()
    assert empty_library.counts()["reports"] == 1
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception
    assert any(hostile in c.value for c in at.code)  # shown, verbatim, as code
    for kind in ("markdown", "caption", "info", "success", "warning", "error"):
        for el in getattr(at, kind):
            assert "<img" not in el.value and "加粗" not in el.value, (kind, el.value)


def test_ui_code_never_allows_raw_html():
    from _app_support import ROOT

    ui_files = [ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "components").glob("*.py")]
    assert len(ui_files) > 10
    offenders = [p.name for p in ui_files if "unsafe_allow_html" in p.read_text(encoding="utf-8")]
    assert offenders == []

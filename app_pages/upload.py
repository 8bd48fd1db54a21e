"""上传报告: drop files or ZIPs, see a result per document, confirm metadata, review labels, save."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from components.agency_types import AGENCY_TYPES
from components.flash import show_flash
from components.ingest import FAIL, OK, WARN, UploadItem, labels_to_review, parse_files, reparse_item
from components.labels import FORMAT_NAMES, template_name
from components.samples_button import samples_offer
from components.state import get_library, library_is_empty
from library.store import LibraryError
from parsing.limits import describe_zh
from parsing.matching import IGNORE, TARGET_BY_ID, target_choices

BATCH = "upload_batch"  # file key -> list[UploadItem], in upload order
KEEP = "（保持当前匹配）"
SECTION_NAMES = {"s2": "二、主动公开", "s3": "三、依申请公开", "s4": "四、复议诉讼", None: "未定"}

lib = get_library()
st.title("上传报告")
show_flash()

st.caption(
    f"可一次拖入多个文件，或一个包含全部年报的 ZIP 压缩包。支持网页（.html）、PDF（含扫描件）、Word（.docx/.doc）、"
    f"WPS、Excel 和文本文件。{describe_zh()}更大的压缩包请拆分后分批上传。同一文件重复上传只保存一次。"
)

if library_is_empty():
    samples_offer("load_samples_upload", link_upload=False)

files = st.file_uploader(
    "拖放年报文件或 ZIP 压缩包到此处，或点击选择文件",
    accept_multiple_files=True,
    key="upload_files",
    help="文件格式按内容识别，扩展名只作参考。",
)


def _file_key(f) -> str:
    return str(getattr(f, "file_id", None) or f"{f.name}:{f.size}")


batch: dict[str, list[UploadItem]] = st.session_state.setdefault(BATCH, {})
present = {_file_key(f): f for f in files or []}
for gone in set(batch) - set(present):  # the user removed the file from the uploader
    del batch[gone]

new_files = [(k, f) for k, f in present.items() if k not in batch]
if new_files:
    overrides = lib.label_overrides()
    bar = st.progress(0.0, text=f"正在解析 {len(new_files)} 个文件…")
    for n, (k, f) in enumerate(new_files):

        def progress(fraction: float, _text: str, n: int = n) -> None:
            overall = (n + fraction) / len(new_files)
            bar.progress(min(overall, 1.0), text=f"正在解析第 {n + 1}/{len(new_files)} 个文件（{overall:.0%}）")

        batch[k] = parse_files([(f.name, f.getvalue())], overrides, progress)
        for item in batch[k]:
            if item.data is not None and (existing := lib.find_sha256(item.parsed.sha256)) is not None:
                item.saved_id, item.save_note = existing, f"库中已有（编号 {existing}）"
    bar.empty()

items: list[UploadItem] = [item for k in present for item in batch.get(k, [])]
if not items:
    st.info("尚未选择文件。解析结果会逐个列出：成功、有警告（需复核）或失败（附原因）。")
    st.stop()

# ---------------------------------------------------------------- per-document results
st.subheader("解析结果")
counts = {s: sum(1 for it in items if it.status == s) for s in (OK, WARN, FAIL)}
c1, c2, c3, c4 = st.columns(4)
c1.metric("文档数", len(items))
c2.metric("成功", counts[OK])
c3.metric("有警告", counts[WARN])
c4.metric("失败", counts[FAIL])
results = pd.DataFrame(
    {
        "文件": [it.name for it in items],
        "状态": [it.status for it in items],
        "说明": [it.reason for it in items],
        "格式": [FORMAT_NAMES.get(it.parsed.format, it.parsed.format) for it in items],
        "模板": [template_name(it.parsed.template) if not it.parsed.error else "" for it in items],
        "入库情况": [it.save_note for it in items],
    }
)
st.dataframe(
    results,
    hide_index=True,
    key="upload_results",
    column_config={"说明": st.column_config.TextColumn(width="large"), "文件": st.column_config.TextColumn(width="medium")},
)

notes = [(it.name, w) for it in items for w in it.parsed.warnings]
if notes:
    with st.expander(f"解析提示（{len(notes)} 条，供核对；不影响保存）"):
        # Parser notes quote report text: shown in a table (plain text), never as Markdown.
        st.dataframe(pd.DataFrame(notes, columns=["文件", "提示"]), hide_index=True, key="parse_notes")

savable = [it for it in items if it.status != FAIL]
if not savable:
    st.warning("本批文档都未能解析，没有可以保存的报告。请检查文件是否为政府信息公开工作年度报告。")
    st.stop()

# ---------------------------------------------------------------- confirm metadata, then save
st.subheader("确认报告信息并保存")
st.caption("机关名称、地区、年度和机关类型由系统识别或推测，请逐行核对；可直接在表格中修改。取消勾选“保存”的行不会入库。")
meta = pd.DataFrame(
    {
        "保存": [it.saved_id is None for it in savable],
        "文件": [it.name for it in savable],
        "机关名称": [it.parsed.agency or "" for it in savable],
        "地区": [it.parsed.region or "" for it in savable],
        "年度": pd.array([it.parsed.year for it in savable], dtype="Int64"),
        "机关类型": [it.agency_type for it in savable],
        "模板": [template_name(it.parsed.template) for it in savable],
        "状态": [it.status for it in savable],
        "入库情况": [it.save_note for it in savable],
    }
)
editor_key = "confirm_" + hashlib.sha1("|".join(it.uid for it in savable).encode()).hexdigest()[:12]
edited = st.data_editor(
    meta,
    hide_index=True,
    key=editor_key,
    disabled=["文件", "模板", "状态", "入库情况"],
    column_config={
        "保存": st.column_config.CheckboxColumn(width="small"),
        "年度": st.column_config.NumberColumn(min_value=2000, max_value=2100, step=1, format="%d"),
        "机关类型": st.column_config.SelectboxColumn(options=list(AGENCY_TYPES), required=True),
        "机关名称": st.column_config.TextColumn(width="medium"),
    },
)

if st.button("保存到报告库", type="primary", key="save_batch", icon=":material/save:"):
    saved = skipped = 0
    errors: list[str] = []
    for item, (_, row) in zip(savable, edited.iterrows(), strict=True):
        if not row["保存"] or item.data is None:
            continue
        if item.saved_id is not None:
            skipped += 1
            continue
        year = row["年度"]
        try:
            report_id, created = lib.add(
                item.parsed,
                item.data,
                agency=(row["机关名称"] or "").strip() or None,
                region=(row["地区"] or "").strip() or None,
                year=None if pd.isna(year) else int(year),
                agency_type=row["机关类型"] or None,
            )
        except LibraryError as exc:
            item.save_note = f"保存失败：{exc.zh}"
            errors.append(f"{item.name}：{exc.zh}")
            continue
        except Exception as exc:  # noqa: BLE001 - the add is atomic: report the failure, keep the batch
            item.save_note = f"保存失败：{type(exc).__name__}"
            errors.append(f"{item.name}：保存失败（{type(exc).__name__}），未写入任何数据")
            continue
        item.saved_id = report_id
        item.save_note = f"已保存（编号 {report_id}）" if created else f"库中已有（编号 {report_id}）"
        saved += int(created)
        skipped += int(not created)
    message = f"已保存 {saved} 份报告" + (f"，{skipped} 份库中已有" if skipped else "") + "。"
    st.session_state["flash"] = ("error" if errors else "success", message)
    st.session_state["flash_details"] = errors
    st.rerun()

# ---------------------------------------------------------------- label review
review = [(it, entry) for it in savable for entry in labels_to_review(it.parsed)]
st.subheader("复核未识别和低置信度的标签")
if not review:
    st.success("本批报告的表格标签均已准确匹配，无需复核。")
else:
    st.caption(
        "下列标签未能识别或匹配置信度较低。为每个标签选择它对应的标准项目，保存后本批报告会立即重新解析，"
        "以后上传的报告遇到相同写法也会自动按此识别。无需处理的标签保持不变即可。"
    )
    with st.form("label_review"):
        choices: list[tuple[str, dict, str]] = []
        for n, (item, entry) in enumerate(review[:40]):
            options = target_choices(entry["section"]) if entry["section"] else target_choices()
            labels = {tid: text for tid, text in options}
            current = TARGET_BY_ID[entry["key"]].label if entry["key"] in TARGET_BY_ID else "未匹配"
            left, right = st.columns([2, 3])
            with left:
                st.text(f"“{entry['text']}”")  # report text: shown as plain text, never markdown
                st.caption(
                    f"{SECTION_NAMES.get(entry['section'], '未定')}｜当前：{current}"
                    + (f"（置信度 {entry['score']:.0f}）" if entry["key"] else "")
                )
                st.text(item.name)
            picked = right.selectbox(
                "对应的标准项目",
                [KEEP, *labels],
                format_func=lambda tid, labels=labels: labels.get(tid, tid),
                key=f"label_pick_{n}_{item.uid[:8]}",
            )
            choices.append((entry["text"], entry, picked))
        if len(review) > 40:
            st.caption(f"另有 {len(review) - 40} 个标签未列出，保存后会重新列出。")
        submitted = st.form_submit_button("保存标注并重新解析本批", type="primary")
    if submitted:
        changed = [(text, tid) for text, _entry, tid in choices if tid != KEEP]
        for text, tid in changed:
            lib.save_label_override(text, tid)
        if changed:
            overrides = lib.label_overrides()
            for k in list(batch):
                batch[k] = [reparse_item(it, overrides) if it.saved_id is None else it for it in batch[k]]
            ignored = sum(1 for _, tid in changed if tid == IGNORE)
            st.session_state["flash"] = (
                "success",
                f"已保存 {len(changed)} 条标签对照（其中 {ignored} 条标记为忽略），本批未入库的报告已重新解析。",
            )
        else:
            st.session_state["flash"] = ("info", "没有选择任何更改。")
        st.rerun()

overrides_table = lib.label_override_table()
if not overrides_table.empty:
    with st.expander(f"已保存的标签对照（{len(overrides_table)} 条）"):
        names = dict(target_choices())
        shown = pd.DataFrame(
            {
                "报告中的写法（规范化后）": overrides_table["text"],
                "对应标准项目": [names.get(t, t) for t in overrides_table["target"]],
                "保存时间": overrides_table["created_at"],
            }
        )
        st.dataframe(shown, hide_index=True)

"""上传报告: drop files or ZIPs, see a result per document, review labels, confirm metadata, save."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from components.auth import who
from components.flash import show_flash
from components.samples_button import samples_offer
from components.state import current_scope, get_library, library_is_empty
from library.ingest import UploadItem, store_item
from library.maintenance import OverrideJob, apply_overrides_in_background
from library.upload_review import (
    ATTENTION,
    FAIL,
    OK,
    WARN,
    attention_reasons,
    labels_to_review,
    parse_files,
    reparse_item,
    review_choices,
)
from library.visibility import describe_scope, report_visible
from parsing.agency_types import AGENCY_TYPES
from parsing.limits import describe_zh
from parsing.vocabulary import (
    AGENCY_TYPE_HEADER,
    FORMAT_NAMES,
    IGNORE,
    MISSING,
    section_name,
    template_name,
    warning_text,
)

BATCH = "upload_batch"  # file key -> list[UploadItem], in upload order
META = "upload_meta"  # item uid -> the metadata the reviewer sees and edits (agency, region, year, type)
META_VERSION = "upload_meta_version"  # bumped by 应用到全部行 so the editor starts from the filled values
JOB = "override_job"  # the background job applying saved label overrides to the library
KEEP = "（保持当前匹配）"

lib = get_library()
st.title("上传报告")
show_flash()


def _job_status() -> None:
    """Progress of the label overrides being applied to the library; once done, how many were updated."""
    job: OverrideJob | None = st.session_state.get(JOB)
    if job is None:
        return
    if job.finished:  # shown once, in place; the next interaction clears it
        st.session_state.pop(JOB, None)
        (st.warning if job.failed or job.error else st.success)(_job_message(job))
        if job.failed:
            st.text("\n".join(f"编号 {i}：{msg}" for i, msg in job.failed))  # may quote report text
        return

    @st.fragment(run_every=1.0)
    def poll() -> None:
        current: OverrideJob | None = st.session_state.get(JOB)
        if current is None:
            return
        if current.finished:
            st.rerun()  # the whole page, so every table shows the re-parsed reports and the message
        if current.total is None:
            st.progress(0.0, text="正在查找受标签对照影响的已入库报告…")
        else:
            st.progress(
                current.fraction,
                text=f"正在把标签对照应用到报告库：重新解析第 {current.done}/{current.total} 份报告",
            )

    poll()


def _job_message(job: OverrideJob) -> str:
    """'已更新 N 份报告' and what went wrong, for the flash after the job."""
    if job.total == 0 and not job.error:
        return "标签对照已保存；报告库中没有受影响的已入库报告（已更新 0 份报告）。"
    message = f"标签对照已应用到报告库：已更新 {len(job.updated)} 份报告"
    if job.failed:
        message += f"，{len(job.failed)} 份重新解析失败（原数据保留）"
    if job.error:
        message += f"；{job.error}"
    return message + "。"


_job_status()

st.caption(
    "可一次拖入多个文件，或一个包含全部年报的 ZIP 压缩包。"
    "支持网页（.html）、PDF（含扫描件）、Word（.docx/.doc）、"
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
            bar.progress(
                min(overall, 1.0), text=f"正在解析第 {n + 1}/{len(new_files)} 个文件（{overall:.0%}）"
            )

        batch[k] = parse_files([(f.name, f.getvalue())], overrides, progress)
        for item in batch[k]:
            if item.data is not None and (existing := lib.find_sha256(item.parsed.sha256)) is not None:
                item.saved_id, item.save_note = existing, f"库中已有（编号 {existing}）"
    bar.empty()

items: list[UploadItem] = [item for k in present for item in batch.get(k, [])]
if not items:
    st.info(
        "尚未选择文件。解析结果会逐个列出：成功、有警告（需复核）、需要关注（有表格未能读取或数值按勾稽关系推定）或失败（附原因）。"
    )
    st.stop()

# ---------------------------------------------------------------- per-document results
st.subheader("解析结果")
counts = {s: sum(1 for it in items if it.status == s) for s in (OK, WARN, ATTENTION, FAIL)}
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("文档数", len(items))
c2.metric("成功", counts[OK])
c3.metric("有警告", counts[WARN])
c4.metric(ATTENTION, counts[ATTENTION])
c5.metric("失败", counts[FAIL])
results = pd.DataFrame(
    {
        "文件": [it.name for it in items],
        "状态": [it.status for it in items],
        "说明": [it.reason for it in items],
        "格式": [FORMAT_NAMES.get(it.parsed.format, "其他") for it in items],
        "模板": [template_name(it.parsed.template) if not it.parsed.error else "" for it in items],
        "入库情况": [it.save_note for it in items],
    }
)
st.dataframe(
    results,
    hide_index=True,
    key="upload_results",
    column_config={
        "说明": st.column_config.TextColumn(width="large"),
        "文件": st.column_config.TextColumn(width="medium"),
    },
)

if counts[ATTENTION]:
    # Saved like any other report; 数据质量 lists it under 需要关注的报告 with the same reasons.
    st.warning(
        f"{counts[ATTENTION]} 份报告需要关注：文中有统计表格未能读取，"
        "或有数值是按勾稽关系推定的（逐条原因见下表），"
        "保存后请在“数据质量”页核对。"
    )
    attention = [
        (it.name, why) for it in items if it.status == ATTENTION for why in attention_reasons(it.parsed)
    ]
    # One reason per row (a report may name three tables); a table, never Markdown: file names are user text.
    st.dataframe(
        pd.DataFrame(attention, columns=["文件", "需要关注的原因"]),
        hide_index=True,
        key="upload_attention",
        column_config={"需要关注的原因": st.column_config.TextColumn(width="large")},
    )

notes = [(it.name, warning_text(w)) for it in items for w in it.parsed.warnings]
if notes:
    with st.expander(f"解析提示（{len(notes)} 条，供核对；不影响保存）"):
        # Parser notes quote report text: shown in a table (plain text), never as Markdown.
        st.dataframe(pd.DataFrame(notes, columns=["文件", "提示"]), hide_index=True, key="parse_notes")

savable = [it for it in items if it.status != FAIL]
if not savable:
    st.warning("本批文档都未能解析，没有可以保存的报告。请检查文件是否为政府信息公开工作年度报告。")
    st.stop()

# ---------------------------------------------------------------- label review (before saving)
CHOICES = dict(review_choices())


def _options(section: str | None) -> list[str]:
    """Every standard item, those of the label's own section first."""
    own = [tid for tid in CHOICES if section and tid.startswith(f"{section}.")]
    return [KEEP, *own, *(tid for tid in CHOICES if tid not in own)]


def _save_overrides(changed: list[tuple[str, str]]) -> None:
    """Save the reviewer's choices, re-parse this batch, and apply them to the library in the background."""
    for text, tid in changed:
        lib.save_label_override(text, tid, who=who())
    overrides = lib.label_overrides()
    for k in list(batch):
        batch[k] = [reparse_item(it, overrides) for it in batch[k]]
    st.session_state[JOB] = apply_overrides_in_background(lib, [text for text, _ in changed], who=who())
    ignored = sum(1 for _, tid in changed if tid == IGNORE)
    st.session_state["flash"] = (
        "success",
        f"已保存 {len(changed)} 条标签对照（其中 {ignored} 条标记为忽略），本批报告已重新解析；"
        "报告库中受影响的已有报告正在后台重新解析。",
    )


# One entry per distinct label (an override applies to the text), with every file that has it.
review_by_label: dict[tuple[str, str | None], tuple[dict, list[UploadItem]]] = {}
for it in savable:
    for entry in labels_to_review(it.parsed):
        review_by_label.setdefault((entry["text"], entry["section"]), (entry, []))[1].append(it)
review = list(review_by_label.values())
st.subheader("第一步：复核未识别和低置信度的标签")
if not review:
    st.success("本批报告的表格标签均已准确匹配，无需复核。")
else:
    st.caption(
        "下列标签未能识别或匹配置信度较低，右侧附有报告原文中该标签前后的几行（▶ 所指为标签所在行）。"
        "为每个标签选择它对应的标准项目（可选任一部分的任一行、列），保存后本批报告会立即重新解析，"
        "报告库中含有相同写法的已入库报告也会在后台重新解析，以后上传的报告遇到相同写法也会自动按此识别。"
        "无需处理的标签保持不变即可。"
    )
    with st.form("label_review"):
        choices: list[tuple[str, str]] = []
        for n, (entry, in_files) in enumerate(review[:40]):
            current = CHOICES.get(entry["key"], "未匹配") if entry["key"] else "未匹配"
            left, right = st.columns([2, 3])
            with left:
                st.text(f"“{entry['text']}”")  # report text: shown as plain text, never markdown
                st.caption(
                    f"{section_name(entry['section'])}｜当前：{current}"
                    + (f"（置信度 {entry['score']:.0f}）" if entry["key"] else "")
                )
                names = "、".join(it.name for it in in_files[:3])
                st.text(names + (f" 等 {len(in_files)} 个文件" if len(in_files) > 3 else ""))
                picked = st.selectbox(
                    "对应的标准项目",
                    _options(entry["section"]),
                    format_func=lambda tid: CHOICES.get(tid, tid),
                    key=f"label_pick_{n}_{in_files[0].uid[:8]}",
                )
            with right:
                if entry["context"]:
                    st.code(entry["context"], language=None, wrap_lines=True)
                else:
                    st.caption("未能在正文中定位该标签。")
            choices.append((entry["text"], picked))
        if len(review) > 40:
            st.caption(f"另有 {len(review) - 40} 个标签未列出，保存后会重新列出。")
        submitted = st.form_submit_button("保存标注并重新解析", type="primary")
    if submitted:
        changed = [(text, tid) for text, tid in choices if tid != KEEP]
        if changed:
            _save_overrides(changed)
        else:
            st.session_state["flash"] = ("info", "没有选择任何更改。")
        st.rerun()

overrides_table = lib.label_override_table()
if not overrides_table.empty:
    with st.expander(f"已保存的标签对照（{len(overrides_table)} 条）"):
        shown = pd.DataFrame(
            {
                "报告中的写法（规范化后）": overrides_table["text"],
                "对应标准项目": [CHOICES.get(t, t) for t in overrides_table["target"]],
                "保存时间": overrides_table["created_at"],
            }
        )
        st.dataframe(shown, hide_index=True)

# ---------------------------------------------------------------- confirm metadata, then save
st.subheader("第二步：确认报告信息并保存")
fresh = [it for it in savable if it.saved_id is None]
stored = [it for it in savable if it.saved_id is not None]
metas: dict[str, dict] = st.session_state.setdefault(META, {})
for it in fresh:
    metas.setdefault(
        it.uid,
        {
            "保存": True,
            "机关名称": it.parsed.agency or "",
            "地区": it.parsed.region or "",
            "年度": it.parsed.year,
            AGENCY_TYPE_HEADER: it.agency_type,
        },
    )


def _fill(column: str, value) -> None:
    """应用到全部行: set one column of every row waiting to be saved."""
    for it in fresh:
        metas[it.uid][column] = value
    st.session_state[META_VERSION] = st.session_state.get(META_VERSION, 0) + 1


if fresh:
    st.caption(
        "机关名称、地区、年度和机关类型由系统识别或推测，请逐行核对；可直接在表格中修改，"
        "或用下方的“应用到全部行”一次填好一整列。取消勾选“保存”的行不会入库。"
    )
    with st.container(border=True):
        st.markdown("**批量填写**（应用到下表全部行）")
        f1, f2, f3 = st.columns(3)
        fill_type = f1.selectbox(
            AGENCY_TYPE_HEADER, AGENCY_TYPES, index=None, placeholder="选择机关类型", key="fill_type"
        )
        if f1.button("应用到全部行", key="fill_type_go", disabled=fill_type is None, width="stretch"):
            _fill(AGENCY_TYPE_HEADER, fill_type)
            st.rerun()
        fill_region = f2.text_input("地区", key="fill_region", placeholder="如：福建省平潭综合实验区")
        if f2.button("应用到全部行", key="fill_region_go", disabled=not fill_region.strip(), width="stretch"):
            _fill("地区", fill_region.strip())
            st.rerun()
        fill_year = f3.number_input(
            "年度", min_value=2000, max_value=2100, value=None, step=1, key="fill_year"
        )
        if f3.button("应用到全部行", key="fill_year_go", disabled=fill_year is None, width="stretch"):
            _fill("年度", int(fill_year))
            st.rerun()

    meta = pd.DataFrame(
        {
            "保存": [metas[it.uid]["保存"] for it in fresh],
            "文件": [it.name for it in fresh],
            "机关名称": [metas[it.uid]["机关名称"] for it in fresh],
            "地区": [metas[it.uid]["地区"] for it in fresh],
            "年度": pd.array([metas[it.uid]["年度"] for it in fresh], dtype="Int64"),
            AGENCY_TYPE_HEADER: [metas[it.uid][AGENCY_TYPE_HEADER] for it in fresh],
            "模板": [template_name(it.parsed.template) for it in fresh],
        }
    )
    batch_id = hashlib.sha1("|".join(it.uid for it in fresh).encode()).hexdigest()[:12]
    edited = st.data_editor(
        meta,
        hide_index=True,
        key=f"confirm_{batch_id}_{st.session_state.get(META_VERSION, 0)}",
        disabled=["文件", "模板"],
        column_config={
            "保存": st.column_config.CheckboxColumn(width="small"),
            "年度": st.column_config.NumberColumn(
                min_value=2000, max_value=2100, step=1, format="%d", width="small"
            ),
            AGENCY_TYPE_HEADER: st.column_config.SelectboxColumn(
                options=list(AGENCY_TYPES), required=True, width="medium"
            ),
            "文件": st.column_config.TextColumn(width="small"),
            "机关名称": st.column_config.TextColumn(width="medium"),
            "地区": st.column_config.TextColumn(width="medium"),
        },
    )
    for it, (_, row) in zip(fresh, edited.iterrows(), strict=True):  # keep edits across fills and re-parses
        year = row["年度"]
        metas[it.uid] = {
            "保存": bool(row["保存"]),
            "机关名称": row["机关名称"] or "",
            "地区": row["地区"] or "",
            "年度": None if pd.isna(year) else int(year),
            AGENCY_TYPE_HEADER: row[AGENCY_TYPE_HEADER] or None,
        }

if stored:
    saved_meta = lib.metadata_of([it.saved_id for it in stored], current_scope())
    st.markdown(
        "**库中已有的报告**（同一文件已入库，不会重复保存；下表为报告库中保存的信息，如需修改请到“报告库”页）"
    )
    st.dataframe(
        pd.DataFrame(
            {
                "编号": [it.saved_id for it in stored],
                "文件": [it.name for it in stored],
                "机关名称": [saved_meta.get(it.saved_id, {}).get("agency") or MISSING for it in stored],
                "地区": [saved_meta.get(it.saved_id, {}).get("region") or MISSING for it in stored],
                "年度": [str(saved_meta.get(it.saved_id, {}).get("year") or MISSING) for it in stored],
                AGENCY_TYPE_HEADER: [
                    saved_meta.get(it.saved_id, {}).get("agency_type") or MISSING for it in stored
                ],
            }
        ),
        hide_index=True,
        key="already_stored",
        column_config={"编号": st.column_config.NumberColumn(format="%d", width="small")},
    )


def _outside_scope(agency: str | None, region: str | None) -> str | None:
    """Why a report may not be saved by this account (its region or agency outside the account's scope:
    it would land in another office's library), or None."""
    scope = current_scope()
    if (scope is not None and scope.unrestricted) or report_visible(agency, region, scope):
        return None
    return f"未保存：地区和单位须在您的账户范围内（{describe_scope(scope)}），请在上表中填写"


if fresh and st.button("保存到报告库", type="primary", key="save_batch", icon=":material/save:"):
    saved = skipped = 0
    errors: list[str] = []
    versions: list[str] = []  # "已保存为 … 的第 2 版": a corrected report replacing a stored one
    for item in fresh:
        row = metas[item.uid]
        if not row["保存"] or item.data is None:
            continue
        outside = _outside_scope(
            row["机关名称"].strip() or item.parsed.agency, row["地区"].strip() or item.parsed.region
        )
        if outside:
            item.save_note = outside
            errors.append(f"{item.name}：{outside}")
            continue
        result = store_item(
            lib,
            item,
            agency=row["机关名称"].strip() or None,
            region=row["地区"].strip() or None,
            year=row["年度"],
            agency_type=row[AGENCY_TYPE_HEADER],
            who=who(),
        )
        if result.status == "failed":
            item.save_note = f"保存失败：{result.message}"
            errors.append(f"{item.name}：{result.message}")
            continue
        created = result.status != "duplicate"
        item.saved_id = result.report_id
        note = lib.version_note(result.report_id) if created and result.report_id is not None else None
        item.save_note = note or (
            f"已保存（编号 {result.report_id}）" if created else f"库中已有（编号 {result.report_id}）"
        )
        if note:
            versions.append(f"{item.name}：{note}")
        saved += int(created)
        skipped += int(not created)
    message = (
        f"已保存 {saved} 份报告"
        + (f"（其中 {len(versions)} 份为库中已有报告的新版本）" if versions else "")
        + (f"，{skipped} 份库中已有" if skipped else "")
        + "。"
    )
    st.session_state["flash"] = ("error" if errors else "success", message)
    st.session_state["flash_details"] = errors + versions
    st.rerun()

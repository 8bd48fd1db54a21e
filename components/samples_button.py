"""The one-click 加载示例报告 offer shown while the library is empty."""

from __future__ import annotations

import streamlit as st

from components.auth import can, not_allowed, who
from components.state import current_scope, get_library, library_has_reports
from library.access import Action
from library.visibility import describe_scope
from page_registry import UPLOAD, page


def samples_offer(key: str, *, link_upload: bool = True) -> None:
    """Explain the empty library and load the real sample reports of sample_reports/ in one click; an
    account whose scope holds no report while the library holds others' is told so instead."""
    from library.samples import load_samples, sample_files

    if library_has_reports():
        st.info(f"您的账户可查看的范围（{describe_scope(current_scope())}）内还没有报告。")
        return

    files = sample_files()
    with st.container(border=True):
        if not can(Action.UPLOAD):
            st.markdown("**报告库还是空的。** 审核员或管理员上传年报后，这里即可查看。")
            not_allowed(Action.UPLOAD, "上传报告或加载示例报告")
            return
        st.markdown("**报告库还是空的。** 可以先加载示例报告看看效果，也可以上传本地区的年报。")
        kinds = "、".join(sorted({"PDF" if f.suffix.lower() == ".pdf" else "网页文本" for f in files}))
        st.caption(f"示例为随程序附带的 {len(files)} 份真实年报（{kinds}），加载后可随时在“报告库”中删除。")
        if link_upload:
            st.page_link(page(UPLOAD).path, label="去上传本地区的年报", icon=":material/upload_file:")
        if st.button("加载示例报告", key=key, type="primary", icon=":material/library_add:"):
            bar = st.progress(0.0, text="正在加载示例报告…")

            def progress(done: int, total: int, _name: str) -> None:
                bar.progress(done / max(total, 1), text=f"正在加载示例报告（{done}/{total}）")

            results = load_samples(get_library(), progress=progress, who=who())
            bar.empty()
            stored = sum(1 for r in results if r.status in ("ok", "warnings"))
            failed = [f"{r.name}：{r.message}" for r in results if r.status == "failed"]
            st.session_state["flash"] = (
                "warning" if failed else "success",
                f"已加载 {stored} 份示例报告" + (f"，{len(failed)} 份未能加载" if failed else "") + "。",
            )
            st.session_state["flash_details"] = failed
            st.rerun()

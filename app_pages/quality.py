"""数据质量: every failed check and unmatched label per report, with the source text next to the values."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.labels import CHECK_STATUS_NAMES, rule_name
from components.page_frame import analysis_page, show_charts
from components.state import computed, get_library
from library.store import LibraryError
from parsing.schema import CELLS, NARRATIVE_KEYS

CONTEXT_LINES = 12  # lines of source text shown above and below the selected cell

n_reports = analysis_page("数据质量", "逐份报告核对：未通过的勾稽校验、未识别的标签，以及解析值与原文的对照和人工更正。")
if n_reports:
    lib = get_library()
    failed = computed("failed_checks")
    unmatched = computed("unmatched_labels")

    m1, m2, m3 = st.columns(3)
    m1.metric("校验未通过的报告", computed("checks_failed_reports"), border=True)
    m2.metric("未通过的校验项", len(failed), border=True)
    m3.metric("未识别的标签", len(unmatched), border=True)
    show_charts(computed("quality_charts"), columns=2)

    st.subheader("未通过的校验")
    if failed.empty:
        st.success("当前筛选条件下的报告全部通过校验。")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "报告编号": failed["report_id"],
                    "单位": failed["agency"],
                    "年度": failed["year"],
                    "规则": failed["rule"].map(rule_name),
                    "位置": failed["where"],
                    "计算": failed["detail"],
                }
            ),
            hide_index=True,
            key="failed_checks",
        )
    st.subheader("未识别的标签")
    if unmatched.empty:
        st.success("当前筛选条件下没有未识别的标签。")
    else:
        st.caption("可在“上传报告”页为标签选择对应的标准项目，保存后在“报告库”中重新解析即可生效。")
        st.dataframe(
            pd.DataFrame(
                {"报告编号": unmatched["report_id"], "单位": unmatched["agency"], "年度": unmatched["year"], "标签原文": unmatched["label"]}
            ),
            hide_index=True,
            key="unmatched_labels",
        )

    # ------------------------------------------------------------ one report: values next to source
    st.subheader("逐份核对")
    summary = computed("quality_summary")
    options = summary["report_id"].tolist()
    # Plain column lists rather than itertuples: 5,000 labels in a few ms on every rerun.
    names = {
        rid: f"{rid}｜{agency}｜{'' if pd.isna(year) else int(year)}｜未通过 {failed}｜未识别 {unmatched}"
        for rid, agency, year, failed, unmatched in zip(
            options, summary["agency"].tolist(), summary["year"].tolist(), summary["checks_failed"].tolist(),
            summary["unmatched_labels"].tolist(), strict=True,
        )
    }
    report_id = st.selectbox("选择报告（问题多的排在前面）", options, format_func=names.get, key="quality_report")
    report = lib.get(int(report_id)) if report_id is not None else None
    if report is not None:
        lines = (report.text or "").splitlines()
        cells = report.cells.copy()
        cells["line"] = [s.get("line") if isinstance(s, dict) else None for s in cells["source"]]
        cells["page"] = [s.get("page") if isinstance(s, dict) else None for s in cells["source"]]
        left, right = st.columns([3, 2])
        with left:
            st.markdown("**解析值**（点选一行，右侧显示它在原文中的位置）")
            table = pd.DataFrame(
                {
                    "字段": cells["std_label"],
                    "报告中的标签": cells["label"],
                    "原文": cells["raw"],
                    "解析值": cells["value"],
                    "现值（含更正）": cells["corrected"],
                    "置信度": cells["score"],
                    "行号": cells["line"],
                    "页码": cells["page"],
                }
            )
            picked = st.dataframe(
                table,
                hide_index=True,
                key=f"quality_cells_{report.id}",
                on_select="rerun",
                selection_mode="single-row",
                height=420,
                column_config={"置信度": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f")},
            )
            checks = pd.DataFrame(report.checks)
            if not checks.empty:
                checks = checks[checks["status"] != "pass"]
            if not checks.empty:
                st.markdown("**未通过或未能校验的规则**")
                st.dataframe(
                    pd.DataFrame(
                        {
                            "规则": checks["rule"].map(rule_name),
                            "位置": checks["where"],
                            "结果": checks["status"].map(CHECK_STATUS_NAMES),
                            "计算": checks["detail"],
                        }
                    ),
                    hide_index=True,
                    key=f"quality_checks_{report.id}",
                )
        with right:
            rows = picked.selection.rows if picked else []
            line = cells["line"].iloc[rows[0]] if rows and rows[0] < len(cells) else None
            if line is not None and not pd.isna(line) and lines:
                line = int(line)
                start, end = max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES)
                st.markdown(f"**原文第 {start}–{end} 行**（所选单元格在第 {line} 行，以 ▶ 标出）")
                excerpt = "\n".join(
                    ("▶ " if i == line else "  ") + f"{i:>4} {lines[i - 1]}" for i in range(start, end + 1)
                )
                st.code(excerpt, language=None, wrap_lines=True)
            else:
                st.markdown("**报告原文**（带行号；点选左侧一行可跳到对应位置）")
            with st.expander("全文", expanded=line is None):
                # Report text is shown as code (plain text), never rendered as Markdown or HTML.
                st.code(report.text or "（无文本）", language=None, line_numbers=True, wrap_lines=True, height=520)

        # -------------------------------------------------------- corrections
        with st.expander(f"更正数值（已有 {len(report.corrections)} 条更正）"):
            st.caption("更正后的数值在所有图表和导出中生效，重新解析后仍保留；原解析值保留可查。留空表示该项在报告中为空白。")
            keys = [*CELLS, *(f"n.{k}" for k in NARRATIVE_KEYS)]
            labels = {k: CELLS[k].label if k in CELLS else f"正文：{NARRATIVE_KEYS[k[2:]]}" for k in keys}
            with st.form(f"correction_{report.id}"):
                key = st.selectbox("字段", keys, format_func=lambda k: f"{labels[k]}　[{k}]")
                c1, c2 = st.columns([1, 2])
                raw_value = c1.text_input("正确的数值（留空＝空白）")
                note = c2.text_input("说明（如：据原文第 3 页表格）")
                if st.form_submit_button("保存更正"):
                    text_value = raw_value.strip().replace(",", "")
                    try:
                        value = None if text_value == "" else (float(text_value) if "." in text_value else int(text_value))
                        lib.add_correction(report.id, key, value, note)
                        st.session_state["flash"] = ("success", f"已更正“{labels[key]}”。")
                        st.rerun()
                    except ValueError:
                        st.error("请输入数字，例如 12 或 3.5。")
                    except LibraryError as exc:
                        st.error(exc.zh)
            if report.corrections:
                corr = pd.DataFrame(report.corrections)
                st.dataframe(
                    pd.DataFrame(
                        {
                            "字段": corr["key"].map(lambda k: labels.get(k, k)),
                            "原值": corr["old"],
                            "更正为": corr["new"],
                            "说明": corr["note"],
                            "时间": corr["created_at"],
                        }
                    ),
                    hide_index=True,
                    key=f"corrections_{report.id}",
                )

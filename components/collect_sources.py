"""The roster's website sources as an editable table (名录 page): each agency's 年报 column page and
report URLs, saved through :func:`library.collect.store.save_entry_sources`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.auth import can, not_allowed, who
from components.state import get_library
from library.access import Action
from library.collect.store import save_entry_sources, split_urls
from library.roster_io import RosterRow
from parsing.vocabulary import ROSTER_HEADERS

H = ROSTER_HEADERS
ID = "编号"


def sources_frame(rows: list[RosterRow]) -> pd.DataFrame:
    """One row per roster entry: its id, name, region and the two URL columns (report URLs joined by a
    space)."""
    return pd.DataFrame(
        {
            ID: pd.array([r.id for r in rows], dtype="Int64"),
            H["name"]: pd.array([r.name for r in rows], dtype="string"),
            H["region"]: pd.array([r.region or "" for r in rows], dtype="string"),
            H["column_url"]: pd.array([r.column_url or "" for r in rows], dtype="string"),
            H["report_urls"]: pd.array([" ".join(r.report_urls) for r in rows], dtype="string"),
        }
    )


def _text(value: object) -> str:
    return (
        "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)
    )


def sources_editor(rows: list[RosterRow]) -> None:
    """The 网站采集来源 section: edit the URLs of the roster's agencies and save them."""
    st.subheader("网站采集来源")
    st.caption(
        "每个机关可填写年报栏目页网址（采集时自动找出其中的年度报告链接）和报告网址（报告网页或文件，"
        "多个用空格分隔）。只支持 http:// 和 https:// 网址。"
        "也可在名录文件中用“年报栏目网址”“报告网址”两列导入。"
        "填好后到“网站采集”页采集。"
    )
    if not rows:
        st.caption("名录为空，请先导入名录。")
        return
    may_edit = can(Action.MANAGE_ROSTER)
    edited = st.data_editor(
        sources_frame([r for r in rows if r.id is not None]),
        hide_index=True,
        key="roster_sources_editor",
        disabled=[ID, H["name"], H["region"]] if may_edit else True,
        column_config={
            H["column_url"]: st.column_config.TextColumn(width="large"),
            H["report_urls"]: st.column_config.TextColumn(width="large"),
        },
    )
    if not may_edit:
        not_allowed(Action.MANAGE_ROSTER, "修改采集来源")
        return
    if st.button("保存采集来源", key="roster_sources_save"):
        given = {
            int(rec[ID]): (
                _text(rec[H["column_url"]]).strip() or None,
                split_urls(_text(rec[H["report_urls"]])),
            )
            for rec in edited.to_dict("records")
            if _text(rec[ID])
        }
        added, removed, problems = save_entry_sources(get_library(), given, who=who())
        text = f"采集来源已保存：新增 {added} 个网址，删除 {removed} 个网址。"
        st.session_state["flash"] = ("warning" if problems else "success", text)
        st.session_state["flash_details"] = [f"未保存的网址 {p}" for p in problems]
        st.rerun()

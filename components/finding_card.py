"""One finding drawn as a card: its message and its evidence (审核意见 and 自查 show findings alike)."""

from __future__ import annotations

import streamlit as st

from charts.findings_tables import evidence_cells, evidence_lines
from library.finding import Finding
from parsing.vocabulary import finding_name

SEVERITY_ICONS = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}


def show_finding_evidence(finding: Finding, key: str) -> None:
    """The finding's message (without its name, which the card's title carries), its cells, evidence
    lines and shared passages; ``key`` keeps the cells table's widget key unique on the page."""
    # Findings quote report text: plain text, never Markdown.
    st.text(finding.message.removeprefix(f"{finding_name(finding.code)}："))
    cells = evidence_cells(finding)
    if not cells.empty:
        st.dataframe(cells, hide_index=True, key=key)
    for line in evidence_lines(finding):
        st.text(line)
    passages = finding.evidence.get("passages") or []
    if passages:
        st.markdown("**相同的段落（节选）**")
        st.text("\n".join(f"· {p}" for p in passages))

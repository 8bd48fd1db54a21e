"""One-shot messages that survive the st.rerun() after an action (save, delete, load samples)."""

from __future__ import annotations

import streamlit as st


def show_flash() -> None:
    """Show and forget the message an action left in the session (its details as plain text)."""
    flash = st.session_state.pop("flash", None)
    details = st.session_state.pop("flash_details", None)
    if not flash:
        return
    kind, message = flash
    {"success": st.success, "error": st.error, "warning": st.warning}.get(kind, st.info)(message)
    if details:
        # Details may quote file names or report text: plain text, never markdown.
        st.text("\n".join(details))

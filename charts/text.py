"""Report and user text made inert where the UI displays it (pure; no Streamlit)."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: object) -> str:
    """Text from reports or users, made inert inside a Markdown string (no links, emphasis or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))

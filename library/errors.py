"""Errors of the report library."""

from __future__ import annotations

import numbers
from typing import Any


class LibraryError(Exception):
    """A refused library operation; ``zh`` is the message for the UI, ``str(e)`` the English one."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh


def number(value: Any) -> int | float | None:
    """A plain int/float for storage: None for None, NaN and empty text.

    Accepts numpy scalars (what data editors hand back) and numeric text such as ``"1,036"``;
    anything else is refused with a Chinese message.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if not text:
            return None
        try:
            value = float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            raise LibraryError(
                f"数值无效：“{value}”（请输入数字，例如 12 或 3.5）", f"not a number: {value!r}"
            ) from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise LibraryError(f"数值无效：{value!r}", f"not a number: {value!r}")
    if hasattr(value, "item"):  # numpy scalar → Python number
        value = value.item()
    return None if value != value else value  # NaN check without numpy

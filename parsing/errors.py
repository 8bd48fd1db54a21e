"""Errors with a stable code and a message in Chinese and English."""

from __future__ import annotations


class ReadError(Exception):
    """A document could not be read. ``code`` is stable; ``zh``/``en`` are shown to people."""

    def __init__(self, code: str, zh: str, en: str, limit: str | None = None) -> None:
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.en = en
        self.limit = limit  # the field of parsing.limits.Limits that was crossed, if any

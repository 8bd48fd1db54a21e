"""Which text is a whole standard label of the report tables (so not half of one a line or page cut).

The PDF steps that rebuild labels (wrapped labels, cells cut by a page break, blank cells of
table 三) ask this before joining two pieces of text.
"""

from __future__ import annotations

import re
from functools import lru_cache


def label_key(text: str) -> str:
    """A label reduced to its Chinese characters (numbering, brackets and spaces do not count)."""
    from parsing.normalize import normalize_label

    return re.sub(r"[^\u4e00-\u9fff]", "", normalize_label(text))


@lru_cache(maxsize=1)
def _known_labels() -> frozenset[str]:
    from parsing import schema

    labels: set[str] = {"信息内容", schema.S3_CORNER_NOTE, schema.S3_APPLICANT_GROUP, schema.S3_ORG_GROUP}
    for blocks in schema.SECTION2.values():
        for block in blocks:
            labels.add(block.caption)
            labels.update(label for _, label in block.rows)
            labels.update(col.label for col in block.cols)
    labels.update(row.label for row in schema.S3_ROWS)
    labels.update(schema.S3_GROUPS.values())
    labels.update(label for _, label in schema.S3_COLUMNS)
    labels.update(schema.S4_HEADER_WORDS)
    labels.update(schema.SECTION_HEADINGS.values())
    return frozenset(k for k in (label_key(x) for x in labels) if k)


def is_known_label(text: str) -> bool:
    """Whether ``text`` is a whole standard label (so not half of one cut by a page break)."""
    return label_key(text) in _known_labels()

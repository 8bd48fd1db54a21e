"""Every format of the same report gives the same cells.

``sample_reports/rendered/`` holds each seed laid out in the official tables as HTML, GBK HTML with
numbers split across ``<span>`` runs, DOCX with merged cells, a Chromium PDF (Type 3 fonts, table 三
across a page break with repeated header rows) and a LibreOffice PDF (scripts/render_seeds.py).
Each is parsed from its bytes and compared with the seed text it was rendered from.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from paths import RENDERED, sample_reports

from parsing.api import parse_bytes

SEEDS = sample_reports()
VARIANTS = {".html": "html", ".gbk.html": "html", ".docx": "docx", ".pdf": "pdf", ".lo.pdf": "pdf"}


@cache
def _parse(path: Path):
    return parse_bytes(path.read_bytes(), path.name)


def _cases():
    for seed in SEEDS:
        for suffix in VARIANTS:
            yield pytest.param(seed, suffix, id=f"{seed.stem[:3]}{suffix}")


def test_every_seed_was_rendered():
    assert len(SEEDS) == 5
    for seed in SEEDS:
        for suffix in VARIANTS:
            assert (RENDERED / f"{seed.stem}{suffix}").is_file(), (
                f"run scripts/render_seeds.py ({seed.stem}{suffix})"
            )


@pytest.mark.parametrize(("seed", "suffix"), list(_cases()))
def test_format_gives_the_seed_cells(seed: Path, suffix: str):
    original = _parse(seed)
    rendered = _parse(RENDERED / f"{seed.stem}{suffix}")
    assert rendered.error is None, rendered.error
    assert rendered.format == VARIANTS[suffix]
    assert (rendered.template, rendered.table_versions) == (original.template, original.table_versions)
    assert (rendered.year, rendered.agency, rendered.region) == (
        original.year,
        original.agency,
        original.region,
    )
    assert set(rendered.cells) == set(original.cells)
    differing = {
        key: (cell.value, rendered.cells[key].value)
        for key, cell in original.cells.items()
        if cell.value != rendered.cells[key].value
    }
    assert differing == {}
    status = {(c.rule, c.where): c.status for c in original.checks}
    assert {(c.rule, c.where): c.status for c in rendered.checks} == status


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_gbk_page_is_really_gbk_with_split_numbers(seed: Path):
    raw = (RENDERED / f"{seed.stem}.gbk.html").read_bytes()
    assert b"charset=gb2312" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    original = _parse(seed)
    if any(re.fullmatch(r"\d{2,}", c.raw) for c in original.cells.values()):
        # At least one multi-digit number is written as two runs in the page source.
        assert b'<span lang="EN-US">' in raw


def test_pdf_cells_point_at_pages():
    seed = SEEDS[0]
    rendered = _parse(RENDERED / f"{seed.stem}.pdf")
    pages = {c.source.page for c in rendered.cells.values()}
    assert None not in pages
    assert len(pages) >= 2  # the tables run over more than one page
    assert all(c.source.bbox is not None for c in rendered.cells.values())

"""Regenerate sample_reports/expected/*.json from the parser, for a human to review with `git diff`.

Golden files are the reviewed truth the seed tests assert; never regenerate them to make a test pass
without reading every changed value against the report text.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsing.api import parse_path  # noqa: E402


def golden(report) -> dict:
    """The reviewed subset of a parse result: everything but provenance and scores."""
    return {
        "agency": report.agency,
        "region": report.region,
        "year": report.year,
        "template": report.template,
        "table_versions": report.table_versions,
        "cells": {
            k: {
                "value": c.value,
                "raw": c.raw,
                **({"flag": c.flag} if c.flag != "ok" else {}),
                **({"unit": c.unit} if c.unit else {}),
            }
            for k, c in report.cells.items()
        },
        "narrative": report.narrative,
        "checks": [[c.rule, c.where, c.status] for c in report.checks],
        "unmatched_labels": report.unmatched_labels,
        "warnings": report.warnings,
    }


def main() -> None:
    out_dir = ROOT / "sample_reports" / "expected"
    out_dir.mkdir(exist_ok=True)
    for path in sorted((ROOT / "sample_reports").glob("*.txt")):
        (report,) = parse_path(path)
        target = out_dir / f"{path.stem}.json"
        target.write_text(json.dumps(golden(report), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{target.relative_to(ROOT)}: {len(report.cells)} cells")


if __name__ == "__main__":
    main()

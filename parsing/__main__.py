"""Command line: ``python -m parsing FILE [FILE ...] [--pretty]`` → one JSON array on stdout.

Exit status 0 when every file parsed, 1 when any failed. Logs go to stderr; nothing else to stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from parsing.api import parse_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m parsing", description="Parse annual disclosure reports to JSON.")
    parser.add_argument("files", nargs="+", help="report files (.txt .md .html .pdf .docx .doc .xlsx .zip, images)")
    parser.add_argument("--pretty", action="store_true", help="indent the JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    results = []
    failed = False
    for path in args.files:
        for report in parse_path(path):
            results.append(report.to_json())
            if report.error is not None:
                failed = True
                print(f"{report.file}: {report.error['message_en']}", file=sys.stderr)
    json.dump(results, sys.stdout, ensure_ascii=False, indent=2 if args.pretty else None)
    sys.stdout.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``python -m parsing FILE [FILE ...] [--pretty]`` → one JSON array on stdout.

Exit status 0 when every file parsed, 1 when any failed. Logs go to stderr; nothing else to stdout.
Each document is parsed in a worker process with the budget of :mod:`parsing.limits` (one worker
serves the whole call; it is replaced only after a document overran its budget). ``--in-process``
parses in this process instead (no time or memory budget; for debugging).

The output is always valid UTF-8 JSON: a file name that is not valid UTF-8 (bytes from the file
system) is written with U+FFFD in ``file`` plus ``file_b64``, the base64 of the exact name bytes.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from parsing.api import parse_bytes, parse_path
from parsing.report import error_report, scrub_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m parsing", description="Parse annual disclosure reports to JSON."
    )
    parser.add_argument(
        "files", nargs="+", help="report files (.txt .md .html .pdf .docx .doc .xlsx .zip, images)"
    )
    parser.add_argument("--pretty", action="store_true", help="indent the JSON")
    parser.add_argument("--in-process", action="store_true", help="no worker process (no time/memory budget)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    results = []
    failed = False
    worker = None
    if not args.in_process:
        from parsing.worker import Worker

        worker = Worker()
    try:
        parse = worker.parse if worker is not None else parse_bytes
        for path in args.files:
            try:
                reports = parse_path(path, parse=parse)
            except Exception as exc:  # noqa: BLE001 - the last net: every input still gets its object
                logging.getLogger("parsing").exception("failure on %s", path)
                zh, en = f"解析失败（内部错误：{type(exc).__name__}）", f"parse failed: {exc!r}"
                reports = [error_report(path, "", "unknown", "internal", zh, en)]
            for report in reports:
                results.append(scrub_json(report.to_json()))
                if report.error is not None:
                    failed = True
                    message = report.error["message_en"].encode("utf-8", "replace").decode("utf-8")
                    name = os.fsencode(report.file).decode("utf-8", "replace")
                    print(f"{name}: {message}", file=sys.stderr)
    finally:
        if worker is not None:
            worker.close()
    text = json.dumps(results, ensure_ascii=False, indent=2 if args.pretty else None)
    sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

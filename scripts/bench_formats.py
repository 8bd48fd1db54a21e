"""Benchmark of the document readers: median time per page for text PDFs, time per page for OCR.

    .venv/bin/python scripts/bench_formats.py [--repeat 5] [--ocr-pages 2]

Text PDFs: the real 淮安 report (../shared/fixtures) and the rendered seeds (sample_reports/rendered),
each read --repeat times; the figure is the median over all (file, run) of time ÷ pages. The
interpreter is timed separately, so the reader's cost is visible on its own. The reader's pdfminer-only
path (``pdf.read(..., fast=False)``, what every page went through before pdfium) is timed too.
OCR: pages of the 淮安 report rendered to an image-only PDF at 200 dpi (what a scanner produces),
read once after the OCR engine is loaded; the figure is seconds per page.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsing.api import parse_document  # noqa: E402
from parsing.readers import ocr, pdf  # noqa: E402

FIXTURE = ROOT.parent / "shared" / "fixtures" / "huaian-city-government-2024.pdf"
TARGET_MS_PER_PAGE = 150


def text_pdfs() -> list[Path]:
    files = sorted((ROOT / "sample_reports" / "rendered").glob("*.pdf"))
    return ([FIXTURE] if FIXTURE.exists() else []) + files


def bench_text(repeat: int, fast: bool = True) -> dict[str, tuple[float, float, int, int]]:
    """Per group: (median reader ms/page, median reader+interpreter ms/page, files, pages).

    Groups: "office" = the real report and the LibreOffice PDFs (embedded TrueType fonts, as Word,
    WPS and LibreOffice write them); "chromium" = Chromium's PDFs, whose Type 3 fonts pdfminer
    parses much more slowly; "all" = both.
    """
    samples: dict[str, list[tuple[float, float]]] = {"office": [], "chromium": []}
    counts: dict[str, list[int]] = {"office": [0, 0], "chromium": [0, 0]}
    for path in text_pdfs():
        group = "office" if path == FIXTURE or path.name.endswith(".lo.pdf") else "chromium"
        data = path.read_bytes()
        doc = pdf.read(data, path.name, fast=fast)  # warm-up: imports and font caches
        pages = doc.pages or 1
        counts[group][0] += 1
        counts[group][1] += pages
        for _ in range(repeat):
            t0 = time.perf_counter()
            doc = pdf.read(data, path.name, fast=fast)
            t1 = time.perf_counter()
            parse_document(doc, path.name, "")
            t2 = time.perf_counter()
            samples[group].append(((t1 - t0) * 1000 / pages, (t2 - t0) * 1000 / pages))
    samples["all"] = samples["office"] + samples["chromium"]
    counts["all"] = [counts["office"][0] + counts["chromium"][0], counts["office"][1] + counts["chromium"][1]]
    return {
        g: (
            statistics.median(x for x, _ in v),
            statistics.median(y for _, y in v),
            counts[g][0],
            counts[g][1],
        )
        for g, v in samples.items()
        if v
    }


def scanned_pdf(pages: int) -> bytes:
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(FIXTURE.read_bytes())
    images = [src[i].render(scale=ocr.RENDER_DPI / 72).to_pil().convert("RGB") for i in range(3, 3 + pages)]
    src.close()
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=ocr.RENDER_DPI)
    return buf.getvalue()


def bench_ocr(pages: int) -> tuple[float, float]:
    """(engine load seconds, seconds per scanned page)."""
    t0 = time.perf_counter()
    ocr.engine()
    load = time.perf_counter() - t0
    data = scanned_pdf(pages)
    t0 = time.perf_counter()
    doc = pdf.read(data, "scan.pdf")
    elapsed = time.perf_counter() - t0
    return load, elapsed / (doc.pages or pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ocr-pages", type=int, default=2, help="0 skips the OCR benchmark")
    args = parser.parse_args()
    for fast in (True, False):
        engine = "pdfium" if fast else "pdfminer only"
        for group, (read_ms, full_ms, files, pages) in bench_text(args.repeat, fast).items():
            verdict = "OK" if read_ms <= TARGET_MS_PER_PAGE else "slower than target"
            print(
                f"text PDF [{group}, {engine}]: median {read_ms:.0f} ms/page reading ({full_ms:.0f} ms/page "
                f"with interpretation), {files} files, {pages} pages, {args.repeat} runs; "
                f"target {TARGET_MS_PER_PAGE} ms: {verdict}"
            )
    if args.ocr_pages:
        load, per_page = bench_ocr(args.ocr_pages)
        print(
            f"OCR (scanned PDF, {ocr.RENDER_DPI} dpi): {per_page:.1f} s/page over {args.ocr_pages} pages "
            f"(engine load {load:.1f} s, once per process)"
        )


if __name__ == "__main__":
    main()

"""Only the UI (app.py, app_pages/, components/) may import streamlit: the parser, the library and the
scripts stay usable without it. The tests that drive the UI (tests/) may import it too: AppTest is part
of streamlit, and so may the UI benchmarks that drive the pages (scripts/bench_ui.py through AppTest,
scripts/bench_browser.py reading the app's websocket messages)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI_TOP = {"app.py", "app_pages", "components"}
UI_TESTS = "tests"
UI_DRIVERS = {"scripts/bench_ui.py", "scripts/bench_browser.py"}
SKIP_DIRS = {".venv", ".git", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache", "build", "dist"}


def _python_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if set(rel.parts) & SKIP_DIRS or any(p.endswith(".egg-info") for p in rel.parts):
            continue
        if rel.parts[0] in UI_TOP or rel.parts[0] == UI_TESTS or rel.as_posix() in UI_DRIVERS:
            continue
        files.append(path)
    return files


def _imports_streamlit(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name == "streamlit" or a.name.startswith("streamlit.") for a in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module and (
            node.module == "streamlit" or node.module.startswith("streamlit.")
        ):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            if node.args and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).startswith("streamlit"):
                lines.append(node.lineno)
    return lines


def test_scan_covers_the_packages():
    names = {p.relative_to(ROOT).parts[0] for p in _python_files()}
    # The scan must really look at the parser (and the library once it exists), else it proves nothing.
    assert "parsing" in names


def test_no_streamlit_import_outside_ui():
    offenders = {str(p.relative_to(ROOT)): lines for p in _python_files() if (lines := _imports_streamlit(p))}
    assert offenders == {}, f"streamlit imported outside app.py/app_pages/components: {offenders}"


def test_detector_finds_an_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nfrom streamlit.testing.v1 import AppTest\n", encoding="utf-8")
    assert _imports_streamlit(probe) == [2]

"""The reader modules' structure: no import cycle, each module importable alone, short functions.

The PDF reader was one module in an import cycle with OCR (pdf imported ocr for scanned pages, ocr
imported pdf for the layout model). It is split along its seams; these tests keep it that way.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READERS = ROOT / "parsing" / "readers"
PACKAGE = "parsing.readers"
MAX_FUNCTION_LINES = 60


def _module_name(path: Path) -> str:
    return PACKAGE if path.stem == "__init__" else f"{PACKAGE}.{path.stem}"


MODULES = sorted(_module_name(p) for p in READERS.glob("*.py"))


def _imported(tree: ast.Module) -> set[str]:
    """Every module an import statement names, at any depth (imports inside functions count too)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # "from parsing.readers import ocr" imports the submodule ocr
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """Module of parsing/readers → the modules of parsing/readers it imports."""
    graph: dict[str, set[str]] = {}
    for path in READERS.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = _module_name(path)
        graph[name] = {m for m in _imported(tree) if m in MODULES and m != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, …, a], or None when the graph is acyclic."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_cycle_finder_finds_a_cycle():
    """The check itself: a graph with a cycle is reported (so an acyclic verdict means something)."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_graph_sees_the_pdf_reader_and_ocr():
    graph = import_graph()
    assert f"{PACKAGE}.pdf" in graph and f"{PACKAGE}.ocr" in graph
    assert f"{PACKAGE}.ocr" in graph[f"{PACKAGE}.pdf"]  # scanned pages go to OCR


def test_reader_modules_import_without_a_cycle():
    """No module of parsing/readers imports (at any depth) a module that imports it back."""
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


@pytest.mark.parametrize("module", MODULES)
def test_each_reader_module_imports_alone(module: str):
    """Each module imports in a fresh interpreter, first of its package (no hidden order)."""
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_pdf_reader_functions_are_short():
    """Every function of the PDF reader modules (and OCR) fits on a screen."""
    long = []
    for path in sorted([*READERS.glob("pdf*.py"), READERS / "ocr.py"]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.name}:{node.lineno} {node.name} ({length} lines)")
    assert not long, long


def test_pdf_reader_still_exports_its_public_names():
    """Other modules and the tests import these from parsing.readers.pdf: the split keeps them there."""
    from parsing.readers import pdf

    for name in (
        "PDFIUM_LOCK",
        "FastPage",
        "LineBlock",
        "PageLayout",
        "TableBlock",
        "Word",
        "assemble",
        "extract_layouts",
        "line_edge",
        "lines_from_words",
        "open_pdf",
        "order_items",
        "read",
        "_continues",
        "_stitch",
    ):
        assert hasattr(pdf, name), name

"""The import rule of every layer (README, "Where things go"), read from the source with ``ast``.

    parsing/  → stdlib and parsing libraries only: nothing of the app, no streamlit
    library/  → parsing; never charts, components, pages, the registry or streamlit
    charts/   → library, parsing; never components, pages or streamlit
    page_registry.py → charts; never components, pages or streamlit
    components/ → streamlit widgets only (each module imports streamlit), charts, library, the registry;
                  never a screen of app_pages/
    app_pages/ → components, charts, library's API and the vocabulary modules of parsing; no SQL
                 (no sqlalchemy, no .execute) and no parser internals (readers, interpreter, api, ...)

Scripts and tests may import anything; streamlit outside the UI only in the UI drivers of scripts/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP_PACKAGES = ("parsing", "library", "charts", "components", "app_pages", "page_registry", "app")
# What a screen may take from the parser: codes and their names, the schema's keys and the limits' text.
PARSING_FOR_PAGES = {"parsing.vocabulary", "parsing.schema", "parsing.agency_types", "parsing.limits"}
FORBIDDEN = {
    "parsing": {"library", "charts", "components", "app_pages", "page_registry", "app", "streamlit"},
    "library": {"charts", "components", "app_pages", "page_registry", "app", "streamlit"},
    "charts": {"components", "app_pages", "page_registry", "app", "streamlit"},
    "page_registry": {"components", "app_pages", "app", "streamlit"},
    "components": {"app_pages", "app"},
    "app_pages": {"sqlalchemy", "app"},
}
STREAMLIT_DRIVERS = {"scripts/bench_ui.py", "scripts/bench_browser.py"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every import in a file, the lazy ones inside functions included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)] + [
                (node.lineno, f"{node.module}.{a.name}") for a in node.names
            ]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            if node.args and isinstance(node.args[0], ast.Constant):
                found.append((node.lineno, str(node.args[0].value)))
    return found


def _layer(path: Path) -> str | None:
    rel = path.relative_to(ROOT)
    top = rel.parts[0].removesuffix(".py")
    return top if top in APP_PACKAGES else None


def _files(layer: str) -> list[Path]:
    single = ROOT / f"{layer}.py"
    return [single] if single.exists() else sorted((ROOT / layer).rglob("*.py"))


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def violations(path: Path, layer: str) -> list[str]:
    """The imports of ``path`` that break its layer's rule."""
    out = []
    for line, module in imports_of(path):
        if any(_under(module, banned) for banned in FORBIDDEN.get(layer, ())):
            out.append(f"{line}: {module}")
        if layer == "app_pages" and _under(module, "parsing"):
            if not any(_under(module, allowed) for allowed in PARSING_FOR_PAGES):
                out.append(f"{line}: {module} (a screen does no parsing)")
    return out


@pytest.mark.parametrize("layer", list(FORBIDDEN))
def test_layer_imports(layer: str) -> None:
    files = _files(layer)
    assert files, f"no files found for {layer}: the test would prove nothing"
    broken = {str(p.relative_to(ROOT)): v for p in files if (v := violations(p, layer))}
    assert broken == {}, f"{layer} breaks its import rule: {broken}"


def test_components_are_streamlit_widgets_only() -> None:
    # A module of components/ that does not import streamlit is pure code: it belongs in charts/ or library/.
    pure = [
        p.name
        for p in _files("components")
        if p.name != "__init__.py" and not any(_under(m, "streamlit") for _, m in imports_of(p))
    ]
    assert pure == []


def test_screens_run_no_sql() -> None:
    for path in _files("app_pages"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in ("execute", "engine", "connect", "begin")
        ]
        assert calls == [], f"{path.name} talks to the database directly at lines {calls}"


def test_no_streamlit_outside_the_ui() -> None:
    ui = {"app", "app_pages", "components"}
    offenders = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".venv", "tests", ".git"} or rel.as_posix() in STREAMLIT_DRIVERS:
            continue
        if any(p.endswith(".egg-info") or p in {"build", "dist", "__pycache__"} for p in rel.parts):
            continue
        if _layer(path) in ui:
            continue
        lines = [line for line, m in imports_of(path) if _under(m, "streamlit")]
        if lines:
            offenders[rel.as_posix()] = lines
    assert offenders == {}, f"streamlit imported outside app.py/app_pages/components: {offenders}"


@pytest.mark.parametrize(
    ("layer", "source", "bad"),
    [
        ("library", "from components.state import get_library\n", True),
        ("library", "def f():\n    import streamlit as st\n", True),
        ("parsing", "from library.store import Library\n", True),
        ("charts", "from components import chart_view\n", True),
        ("app_pages", "from sqlalchemy import select\n", True),
        ("app_pages", "from parsing.api import parse_bytes\n", True),
        ("app_pages", "from parsing.vocabulary import template_name\n", False),
        ("library", "from parsing.schema import CELLS\n", False),
    ],
)
def test_the_rule_detects(tmp_path: Path, layer: str, source: str, bad: bool) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    assert bool(violations(probe, layer)) is bad

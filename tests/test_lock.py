"""The lock file (requirements.lock, made by uv; `make lock`) pins every dependency pyproject.toml names."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"


def pins() -> dict[str, str]:
    """name → version of every ``name==version`` line of the lock (markers and comments dropped)."""
    found = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)", line)
        if match:
            found[canonicalize_name(match.group(1).split("[")[0])] = match.group(2)
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["test"]]]


def test_every_dependency_and_test_dependency_is_pinned_within_its_range() -> None:
    locked = pins()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in requirements.lock: run make lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"requirements.lock pins {requirement.name}=={locked[name]}, outside {requirement.specifier}: "
            "run make lock"
        )


def test_the_makefile_installs_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install -q -r $(LOCK)" in makefile and "--no-deps -e ." in makefile
    assert re.search(r"^lock:", makefile, re.M) and "uv pip compile" in makefile

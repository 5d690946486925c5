"""Every library the code imports is declared in pyproject.toml, not merely installed by another one."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("newsdesk", "tasks", "index", "crawler", "webarchive")


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    requirements += [r for group in project.get("optional-dependencies", {}).values() for r in group]
    return {_normal(re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0]) for requirement in requirements}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_modules() -> set[str]:
    modules: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules.add(node.module.split(".")[0])
    return modules - set(PACKAGES) - set(sys.stdlib_module_names)


def test_every_imported_library_is_declared() -> None:
    declared = _declared()
    distributions = importlib.metadata.packages_distributions()
    undeclared = {}
    for module in sorted(_imported_modules()):
        names = {_normal(name) for name in distributions.get(module, [])}
        if not names & declared:
            undeclared[module] = sorted(names) or ["(not installed: an optional extra's?)"]
    # An optional extra's library (geodata's) need not be installed to be declared.
    undeclared = {m: d for m, d in undeclared.items() if not {_normal(m)} & declared}
    assert undeclared == {}

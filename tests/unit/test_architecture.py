"""The building's rules hold: one-way dependencies (import-linter) and no private name used across modules."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("newsdesk", "tasks", "index", "crawler", "webarchive")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _modules() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((REPO_ROOT / package).rglob("*.py"))]


def test_no_private_name_is_imported_from_another_module() -> None:
    offences = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.endswith("__")]
                if private:
                    offences.append(f"{path.relative_to(REPO_ROOT)}: from {node.module} import {private}")
    assert offences == []


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def building(tmp_path_factory) -> Path:
    """A copy of the packages and their contracts, to break on purpose."""
    root = tmp_path_factory.mktemp("building")
    for package in PACKAGES:
        shutil.copytree(
            REPO_ROOT / package,
            root / package,
            ignore=shutil.ignore_patterns("__pycache__", "data", "kibana"),
        )
    shutil.copy(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_contracts_hold_on_this_tree(building: Path) -> None:
    result = _lint_imports(building)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "contract"),
    [
        # The index writer calling back into a stage: the adapter-to-stage cycle the rules forbid.
        ("index/writer.py", "import tasks.dedupe.versions", "One way"),
        # The crawler loading worker code, which it must reach only through named tasks.
        ("crawler/handoff.py", "import tasks.worker.app", "The crawler imports no worker"),
        # A stage opening a Redis connection.
        ("tasks/parse/page.py", "import redis", "Stages do no I/O"),
        # A worker task reaching the local-stack installer.
        ("tasks/worker/crawls.py", "import newsdesk.localstack.services", "One way"),
    ],
)
def test_a_wrong_import_breaks_a_contract(
    building: Path, module: str, wrong_import: str, contract: str
) -> None:
    path = building / module
    original = path.read_text(encoding="utf-8")
    path.write_text(original + f"\n{wrong_import}  # noqa\n", encoding="utf-8")
    try:
        result = _lint_imports(building)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout

"""The image's build, for real: the Docker build context becomes a wheel that installs and runs anywhere.

The Dockerfile runs `pip install .` on the repository filtered by `.dockerignore`, then runs the installed
package from another folder. The same happens here without Docker: the context is copied by the same
rules, built once, and installed (not editable) into a fresh virtual environment per Python on this
machine, from which the commands an operator runs first must work outside the repository.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED_PAGE = ROOT / "tests" / "data" / "seed-article-page.txt"
# Package data a running service reads: Kibana objects, the gazetteer and the geodata behind enrichment.
PACKAGE_DATA = (
    "index/kibana/newsdesk.ndjson",
    "tasks/enrich/data/gazetteer.yaml",
    "tasks/enrich/data/geodata.json",
)
# Lines of a build that are not warnings about the project: pip's own note that it compiles no bytecode.
HARMLESS = re.compile(r"byte-compiling is disabled")
# Python versions the package supports, tested on each one this machine has.
PYTHONS = ("3.11", "3.12", "3.13")


def dockerignore_patterns(root: Path) -> list[str]:
    lines = (root / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def ignored(relative: str, patterns: list[str]) -> bool:
    """Docker's rule for the patterns this project uses: a pattern matches the path or any folder above it,
    `**/` matches any depth, a bare name matches at the context root."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    for pattern in patterns:
        bare = pattern.removeprefix("**/")
        for prefix in prefixes:
            if fnmatch.fnmatchcase(prefix, pattern) or (
                pattern.startswith("**/") and fnmatch.fnmatchcase(prefix.rsplit("/", 1)[-1], bare)
            ):
                return True
    return False


def build_context(root: Path, into: Path) -> Path:
    patterns = dockerignore_patterns(root)
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not ignored(relative, patterns):
            target = into / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return into


def test_the_dockerignore_rules_are_read_as_docker_reads_them() -> None:
    patterns = [".git", "**/__pycache__", "tests", "*.egg-info", ".env.*"]
    assert ignored(".git/config", patterns)
    assert ignored("tasks/worker/__pycache__/app.cpython-311.pyc", patterns)
    assert ignored("tests/unit/test_compose.py", patterns)
    assert ignored("newsdesk.egg-info/PKG-INFO", patterns)
    assert ignored(".env.local", patterns)
    assert not ignored("tasks/worker/app.py", patterns)
    assert not ignored("newsdesk/cli/tests.py", patterns)  # `tests` is the root folder only


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    context = build_context(ROOT, tmp_path_factory.mktemp("context"))
    dist = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(dist), "."],
        cwd=context,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    warnings = [
        line
        for line in (build.stdout + build.stderr).splitlines()
        if re.search(r"warning", line, re.I) and not HARMLESS.search(line)
    ]
    assert warnings == [], warnings
    (built,) = dist.glob("newsdesk-*.whl")
    return built


def test_the_wheel_holds_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(PACKAGE_DATA) <= names
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)


def _interpreters() -> list[str]:
    """One interpreter per supported version found here: this one, those on PATH, those pyenv keeps."""
    found = [sys.executable]
    pyenv_versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for version in PYTHONS:
        candidates = [
            shutil.which(f"python{version}"),
            *sorted(pyenv_versions.glob(f"{version}.*/bin/python{version}")),
        ]
        found += [str(path) for path in candidates if path]
    found = [
        path for path in found if subprocess.run([path, "-c", "pass"], capture_output=True).returncode == 0
    ]
    unique: dict[str, str] = {}
    for path in found:
        version = subprocess.run(
            [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True
        ).stdout.strip()
        if version in PYTHONS:
            unique.setdefault(version, path)
    return [unique[version] for version in sorted(unique)]


@pytest.mark.parametrize("python", _interpreters())
def test_the_installed_package_runs_outside_the_repository(wheel: Path, python: str, tmp_path: Path) -> None:
    environment = tmp_path / "venv"
    # As the Dockerfile makes it: a current pip, which reads every dependency's extras without a warning.
    subprocess.run([python, "-m", "venv", "--upgrade-deps", str(environment)], check=True, timeout=300)
    bin_dir = environment / "bin"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NEWSDESK_", "PYTHON"))}
    install = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=1200,
        env=env,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    assert "warning" not in install.stderr.lower(), install.stderr

    def newsdesk(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(bin_dir / "newsdesk"), *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )

    assert newsdesk("--help").returncode == 0
    assert newsdesk("setup", "--help").returncode == 0
    page = tmp_path / "seed.txt"
    shutil.copy(SEED_PAGE, page)
    parsed = newsdesk("parse", str(page), "--url", "https://example.org/news/1", "--json")
    assert parsed.returncode == 0, parsed.stdout[-2000:] + parsed.stderr[-2000:]
    assert "Supreme Leader Kim Jong Un Holds Talks" in parsed.stdout
    enriched = newsdesk("enrich-text", str(page), "--json")  # reads the gazetteer and geodata in the wheel
    assert enriched.returncode == 0, enriched.stderr[-2000:]
    assert '"KP"' in enriched.stdout and "Vladimir Putin" in enriched.stdout

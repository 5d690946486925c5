"""`python -m newsdesk.cli` is the same command line as the `newsdesk` script, every command registered."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import typer.main

from newsdesk.cli import app

COMMANDS = {
    "crawl", "demo", "setup", "rollover", "migrate", "search", "stats", "enrich-text", "reenrich",
    "parse", "reparse", "history", "metrics", "services", "state", "sources", "crawl-state", "dlq",
    "schedule", "runs", "import-warc", "export",
}  # fmt: skip


def test_the_app_registers_every_command() -> None:
    assert set(typer.main.get_command(app).commands) == COMMANDS


def test_python_dash_m_sees_the_commands_registered_last() -> None:
    for command in (["--help"], ["dlq", "--help"], ["schedule", "--help"], ["metrics", "--help"]):
        result = subprocess.run(
            [sys.executable, "-m", "newsdesk.cli", *command], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    listed = subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", "--help"], capture_output=True, text=True, timeout=120
    ).stdout
    assert all(name in listed for name in COMMANDS)


def test_the_readme_command_table_lists_every_command() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `newsdesk ([a-z-]+)", readme, flags=re.MULTILINE))
    assert listed == COMMANDS

"""With Elasticsearch or Redis unreachable, every command says so in one line and exits non-zero."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

COMMANDS = [
    ["stats"],
    ["search", "talks"],
    ["setup"],
    ["rollover"],
    ["migrate"],
    ["state", "rebuild"],
    ["metrics"],
    ["schedule", "list"],
    ["dlq", "list"],
    ["history", "https://news.example/a"],
    ["reenrich"],
    ["crawl-state", "stats"],
    ["crawl-state", "rebuild"],
    ["reparse", "--source", "demo"],
    ["crawl", "demo"],
    ["crawl", "demo", "--now"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_an_unreachable_service_is_one_line_and_a_failure(command, tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(
        NEWSDESK_HOME=str(tmp_path),  # no local stack to fall back to
        NEWSDESK_ES_URL="http://127.0.0.1:1",
        NEWSDESK_REDIS_URL="redis://127.0.0.1:1/0",
    )
    # As a person sees it: its own process, both streams, no test harness catching log lines.
    result = subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stdout
    assert "unreachable" in lines[0] or "unavailable" in lines[0] or "Connection refused" in lines[0]

"""Progress on long commands: a bar on a terminal, silence elsewhere, the same counts either way."""

from __future__ import annotations

from newsdesk.cli.common import progress, running_total


def test_without_a_terminal_progress_prints_nothing(capsys) -> None:
    with progress("work", total=3) as advance:
        for _ in range(3):
            advance(1)
    assert capsys.readouterr().out == ""


def test_a_running_total_becomes_steps() -> None:
    steps: list[int] = []
    report = running_total(steps.append)
    for total in (1000, 2000, 2500):
        report(total)
    assert steps == [1000, 1000, 500]

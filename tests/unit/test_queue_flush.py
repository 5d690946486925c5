"""Queueing a flush of the index buffer: a broker that is away is left to the sweep, never a failed task."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import kombu.exceptions
import pytest

from tasks.worker.flush import queue_flush

WORKER = Path(__file__).resolve().parents[2] / "tasks" / "worker"


def refused(**_options) -> None:
    raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_flush_the_broker_refuses_is_left_to_the_sweep(caplog):
    with caplog.at_level(logging.WARNING, logger="tasks.worker.flush"):
        assert queue_flush(2.0, send=refused) is False
    assert "sweep" in caplog.text
    assert "Connection refused" in caplog.text


def test_a_queued_flush_keeps_its_countdown():
    sent: list[dict] = []
    assert queue_flush(0.2, send=lambda **options: sent.append(options)) is True
    assert sent == [{"countdown": 0.2}]


def test_any_other_error_still_fails_the_task():
    def broken(**_options) -> None:
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError):
        queue_flush(send=broken)


def test_every_flush_is_queued_through_queue_flush():
    """The index task, the flush and the sweep: a direct `flush_index.delay()` would fail its task (and
    leave a dead letter for an article indexed moments later) whenever the broker blinks."""
    direct = []
    for path in sorted(WORKER.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("delay", "apply_async")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "flush_index"
            ):
                direct.append(f"{path.name}:{node.lineno}")
    assert direct == []

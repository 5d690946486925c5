"""Stage metrics on a real Redis: several runs counted in one call, the largest latency kept."""

from __future__ import annotations

import pytest

from newsdesk.state.metrics import Metrics

pytestmark = pytest.mark.services


def test_stage_runs_are_counted_with_their_total_and_largest_latency(redis_client) -> None:
    redis_client.flushdb()
    metrics = Metrics(redis_client, "ndmetrics")

    metrics.record_stages([("parse", "succeeded", 12), ("dedupe", "succeeded", 3), ("parse", "retried", 40)])
    metrics.record_task("parse", "succeeded", 7)
    metrics.record_stages([])

    parse = redis_client.hgetall("ndmetrics:metrics:stage:parse")
    dedupe = redis_client.hgetall("ndmetrics:metrics:stage:dedupe")
    assert parse == {"succeeded": "2", "retried": "1", "total_us": "59", "max_us": "40"}
    assert dedupe == {"succeeded": "1", "total_us": "3", "max_us": "3"}
    stages = metrics.snapshot(("parse", "dedupe"), {})["stages"]
    assert stages["parse"]["mean_ms"] == round(59 / 3 / 1000, 3)
    assert stages["dedupe"]["failed"] == 0

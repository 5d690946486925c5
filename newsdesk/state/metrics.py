"""Operational metrics kept in Redis: per-stage task counts, latency, retries and failures; queue depths."""

from __future__ import annotations

from typing import Any

import redis

from newsdesk.kernel.wire import CRAWL_QUEUE, QUEUE
from newsdesk.state.client import translated_errors

STAGE_FIELDS = ("succeeded", "retried", "failed", "total_us", "max_us")
# One call counts several stage runs (KEYS: each run's stage hash; ARGV: outcome, microseconds per run)
# and keeps the largest latency seen: HSET only when the new value is bigger. Microseconds, because a
# stage such as `index` (a push onto the buffer) takes well under a millisecond.
_RECORD = """
for i = 1, #KEYS do
  local key, outcome, us = KEYS[i], ARGV[2 * i - 1], tonumber(ARGV[2 * i])
  redis.call('HINCRBY', key, outcome, 1)
  redis.call('HINCRBY', key, 'total_us', us)
  local max = tonumber(redis.call('HGET', key, 'max_us') or '0')
  if us > max then redis.call('HSET', key, 'max_us', us) end
end
return #KEYS
"""


class Metrics:
    """Counters every worker process adds to, and the read side behind `newsdesk metrics`."""

    def __init__(self, client: redis.Redis, prefix: str = "newsdesk") -> None:
        self.client = client
        self.prefix = prefix
        self._record = client.register_script(_RECORD)

    def _key(self, stage: str) -> str:
        return f"{self.prefix}:metrics:stage:{stage}"

    def record_task(self, stage: str, outcome: str, elapsed_us: int) -> None:
        """Count one finished task run (`succeeded`, `retried` or `failed`) and its latency."""
        self.record_stages([(stage, outcome, elapsed_us)])

    def record_stages(self, runs: list[tuple[str, str, int]]) -> None:
        """Count several stage runs (stage, outcome, elapsed microseconds) in one round trip (one script
        call: a script in a pipeline costs a SCRIPT EXISTS round trip of its own)."""
        if not runs:
            return
        args: list[str | int] = []
        for _, outcome, elapsed_us in runs:
            args += [outcome, max(0, int(elapsed_us))]
        with translated_errors("record metrics"):
            self._record(keys=[self._key(stage) for stage, _, _ in runs], args=args)

    def snapshot(self, stages: tuple[str, ...], extra_lists: dict[str, str]) -> dict[str, Any]:
        with translated_errors("read metrics"):
            pipe = self.client.pipeline()
            pipe.llen(QUEUE)
            pipe.llen(CRAWL_QUEUE)
            pipe.hlen("unacked")
            for key in extra_lists.values():
                pipe.llen(key)
            for stage in stages:
                pipe.hgetall(self._key(stage))
            answers = pipe.execute()
        queue_depth, crawl_queue_depth, unacked, *rest = answers
        lists = dict(zip(extra_lists, rest[: len(extra_lists)], strict=True))
        per_stage = {}
        for stage, raw in zip(stages, rest[len(extra_lists) :], strict=True):
            counts = {field: int(raw.get(field, 0)) for field in STAGE_FIELDS}
            runs = counts["succeeded"] + counts["retried"] + counts["failed"]
            counts["mean_ms"] = round(counts["total_us"] / runs / 1000, 3) if runs else 0.0
            counts["max_ms"] = round(counts["max_us"] / 1000, 3)
            per_stage[stage] = counts
        return {
            "queue_depth": queue_depth,
            "crawl_queue_depth": crawl_queue_depth,
            "unacknowledged": unacked,
            **lists,
            "stages": per_stage,
        }

"""The dead-letter fallback: failures kept in Redis while the dead-letter index cannot take them.

A failure is always written somewhere: to the dead-letter index when Elasticsearch answers, else pushed
here. The drain moves entries into the index oldest first, and an entry leaves the list only after its
write succeeded; one the index refuses outright is set aside in a second list, never dropped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import redis

from newsdesk.state.client import translated_errors

log = logging.getLogger(__name__)
PENDING_KEY = "newsdesk:deadletter:pending"
UNSTORABLE_KEY = "newsdesk:deadletter:unstorable"
# What a write of one record did: "written", or "rejected" (the index will never take it). A write that
# must wait raises TransientError, which stops the drain with the entry still pending.
WriteOutcome = str


class DeadLetterFallback:
    """The pending list (failures waiting for the dead-letter index) and the unstorable list beside it."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def keep(self, record: dict[str, Any]) -> None:
        with translated_errors("dead letter fallback"):
            self.client.lpush(PENDING_KEY, json.dumps(record))

    def drain(self, write: Callable[[dict[str, Any]], WriteOutcome], limit: int = 10_000) -> int:
        """Hand pending records to `write`, oldest first; returns how many left the list.

        One record per URL and stage in the index, so a drain interrupted between the write and the
        removal writes the same record again, never a second one.
        """
        moved = 0
        while moved < limit:
            with translated_errors("read pending dead letters"):
                raw = self.client.lindex(PENDING_KEY, -1)
            if raw is None:
                break
            try:
                record = json.loads(raw)
            except ValueError:
                outcome = "rejected"
            else:
                outcome = write(record)
            with translated_errors("move drained dead letter"):
                pipe = self.client.pipeline()
                if outcome == "rejected":
                    log.error("dead-letter index refused a pending record: %.200s", raw)
                    pipe.lpush(UNSTORABLE_KEY, raw)
                pipe.lrem(PENDING_KEY, -1, raw)
                pipe.execute()
            moved += 1
        return moved

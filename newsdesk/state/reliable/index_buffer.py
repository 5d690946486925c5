"""The index buffer: articles waiting for a bulk write, in Redis, so a batch survives a worker's death."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import redis

from newsdesk.state.client import execute_replicated, translated_errors

_TAKE_BATCH = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items == 0 then return items end
redis.call('LTRIM', KEYS[1], #items, -1)
redis.call('RPUSH', KEYS[2], unpack(items))
redis.call('ZADD', KEYS[3], ARGV[2], KEYS[2])
return items
"""
# KEYS: the pending list, the in-flight set, then the batches the caller found stale. ARGV: the cutoff.
# A batch handled or recovered since the caller looked has left the in-flight set (or is no longer older
# than the cutoff) and is skipped: only the batches still stale when the script runs go back.
_RECOVER_STALE = """
local recovered = 0
for i = 3, #KEYS do
  local since = redis.call('ZSCORE', KEYS[2], KEYS[i])
  if since and tonumber(since) <= tonumber(ARGV[1]) then
    local items = redis.call('LRANGE', KEYS[i], 0, -1)
    if #items > 0 then redis.call('LPUSH', KEYS[1], unpack(items)) end
    redis.call('DEL', KEYS[i])
    redis.call('ZREM', KEYS[2], KEYS[i])
    recovered = recovered + 1
  end
end
return recovered
"""


class IndexBuffer:
    """Articles waiting to be bulk-written, kept in Redis so a batch survives a worker's death.

    A batch moves atomically from the pending list to an in-flight list; it is deleted only after
    every item's result was handled. An in-flight list older than `stale_after` seconds belonged to
    a worker that died, and goes back to pending: writes are idempotent, so a replay is harmless.
    """

    def __init__(
        self, client: redis.Redis, prefix: str = "newsdesk", stale_after: float = 300, min_replicas: int = 0
    ) -> None:
        self.client = client
        # An article counts as buffered (and its task may be acknowledged) once on this many replicas.
        self.min_replicas = min_replicas
        self.pending_key = f"{prefix}:index:pending"
        self.inflight_key = f"{prefix}:index:inflight"
        self.stale_after = stale_after
        self._take = client.register_script(_TAKE_BATCH)
        self._recover = client.register_script(_RECOVER_STALE)

    def push(self, payload: dict[str, Any]) -> int:
        """Add one article; returns how many are now pending."""
        pipe = self.client.pipeline(transaction=False)
        pipe.rpush(self.pending_key, json.dumps(payload, ensure_ascii=False))
        return int(execute_replicated(pipe, self.min_replicas, "buffer article")[0])

    def pending(self) -> int:
        with translated_errors("buffer length"):
            return int(self.client.llen(self.pending_key))

    def needs_flush(self) -> bool:
        """Articles wait, or a batch outlived its worker: a flush has work to do."""
        with translated_errors("buffer state"):
            pipe = self.client.pipeline(transaction=False)
            pipe.llen(self.pending_key)
            pipe.zcount(self.inflight_key, "-inf", time.time() - self.stale_after)
            waiting, stale = pipe.execute()
        return bool(waiting or stale)

    def take(self, size: int) -> tuple[str, list[dict[str, Any]]] | None:
        batch_key = f"{self.inflight_key}:{uuid.uuid4().hex}"
        with translated_errors("take batch"):
            items = self._take(
                keys=[self.pending_key, batch_key, self.inflight_key], args=[size, time.time()]
            )
        if not items:
            return None
        return batch_key, [json.loads(item) for item in items]

    def complete(self, batch_key: str, requeue: list[dict[str, Any]] | None = None) -> None:
        """Forget a handled batch, putting back the items that must be tried again."""
        with translated_errors("complete batch"):
            pipe = self.client.pipeline(transaction=True)
            if requeue:
                pipe.lpush(self.pending_key, *[json.dumps(p, ensure_ascii=False) for p in requeue])
            pipe.delete(batch_key)
            pipe.zrem(self.inflight_key, batch_key)
            pipe.execute()

    def recover_stale(self) -> int:
        """Put the batches of dead workers back on the pending list; how many batches went back."""
        cutoff = time.time() - self.stale_after
        with translated_errors("recover stale batches"):
            # The script is handed the batch keys it moves, not left to read them from the in-flight set:
            # a script may touch only the keys it is given, or Redis Cluster cannot route it.
            stale = self.client.zrangebyscore(self.inflight_key, "-inf", cutoff)
            if not stale:
                return 0
            return int(self._recover(keys=[self.pending_key, self.inflight_key, *stale], args=[cutoff]))

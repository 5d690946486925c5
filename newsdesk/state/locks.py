"""One crawl per source at a time: a Redis lock with a TTL kept alive by a heartbeat; skipped ticks logged."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis

from newsdesk.kernel.clock import utc_now
from newsdesk.kernel.errors import NewsdeskError, TransientError
from newsdesk.state.client import translated_errors

log = logging.getLogger(__name__)

SKIP_LOG_LENGTH = 1000
# Not redis.lock.Lock: it keeps the token on the Lock object, so extend(source, token) would need its
# internal `local.token`; its owner-checked release and reacquire scripts are these two, nothing more.
# Extend or release only while we still own the lock: a holder that stalled past its TTL must not
# extend or delete the lock a newer crawl took meanwhile.
_EXTEND_IF_OWNER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE_IF_OWNER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class CrawlBusy(NewsdeskError):
    """Raised when a crawl of the same source is still running: this one is skipped, and the skip recorded."""

    def __init__(self, source: str, holder: str) -> None:
        super().__init__(source, holder)
        self.source = source
        self.holder = holder

    def __str__(self) -> str:
        return f"a crawl of {self.source!r} is still running ({self.holder}); skipped"


class CrawlLocks:
    """Per-source crawl locks and the record of every tick that found its source busy."""

    def __init__(self, client: redis.Redis, prefix: str = "newsdesk", ttl: float = 60) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl_ms = int(ttl * 1000)
        self._extend = client.register_script(_EXTEND_IF_OWNER)
        self._release = client.register_script(_RELEASE_IF_OWNER)

    def key(self, source: str) -> str:
        return f"{self.prefix}:crawl-lock:{source}"

    def skips_key(self, source: str) -> str:
        return f"{self.prefix}:crawl-skips:{source}"

    def acquire(self, source: str, holder: str) -> str | None:
        """Take the lock for `source`; the owner's token, or None when another crawl holds it."""
        token = json.dumps({"holder": holder, "token": uuid.uuid4().hex, "since": utc_now()})
        with translated_errors("take crawl lock"):
            return token if self.client.set(self.key(source), token, nx=True, px=self.ttl_ms) else None

    def extend(self, source: str, token: str) -> bool:
        with translated_errors("extend crawl lock"):
            return bool(self._extend(keys=[self.key(source)], args=[token, self.ttl_ms]))

    def release(self, source: str, token: str) -> bool:
        with translated_errors("release crawl lock"):
            return bool(self._release(keys=[self.key(source)], args=[token]))

    def holder(self, source: str) -> dict[str, Any] | None:
        with translated_errors("read crawl lock"):
            raw = self.client.get(self.key(source))
        return json.loads(raw) if raw else None

    def record_skip(self, source: str, trigger: str, holder: dict[str, Any] | None) -> None:
        entry = {"source": source, "trigger": trigger, "skipped_at": utc_now(), "busy_with": holder}
        with translated_errors("record skipped crawl"):
            pipe = self.client.pipeline()
            pipe.lpush(self.skips_key(source), json.dumps(entry))
            pipe.ltrim(self.skips_key(source), 0, SKIP_LOG_LENGTH - 1)
            pipe.hincrby(f"{self.prefix}:crawl-skip-counts", source, 1)
            pipe.execute()

    def skips(self, source: str, limit: int = 100) -> list[dict[str, Any]]:
        with translated_errors("read skipped crawls"):
            return [json.loads(raw) for raw in self.client.lrange(self.skips_key(source), 0, limit - 1)]

    @contextmanager
    def held(self, source: str, holder: str, trigger: str) -> Iterator[str]:
        """Hold the lock for the block, with a heartbeat; if taken, record the skip and raise CrawlBusy."""
        token = self.acquire(source, holder)
        if token is None:
            current = self.holder(source)
            self.record_skip(source, trigger, current)
            raise CrawlBusy(source, (current or {}).get("holder", "unknown"))
        stop = threading.Event()
        heartbeat = threading.Thread(
            target=self._beat, args=(source, token, stop), name=f"crawl-lock-{source}", daemon=True
        )
        heartbeat.start()
        try:
            yield token
        finally:
            stop.set()
            heartbeat.join()
            try:
                self.release(source, token)
            except TransientError as exc:
                # The heartbeat has stopped, so the lock frees itself within its TTL.
                log.warning(
                    "crawl lock of %s not released (%s); it expires in %d ms", source, exc, self.ttl_ms
                )

    def _beat(self, source: str, token: str, stop: threading.Event) -> None:
        # Three beats per TTL: one lost beat (a Redis blip) never lets the lock lapse while we crawl.
        while not stop.wait(self.ttl_ms / 3000):
            try:
                if not self.extend(source, token):
                    return  # lost it (expired during a long outage): nothing left to keep alive
            except NewsdeskError:
                continue

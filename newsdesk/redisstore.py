"""The one place that talks to Redis for state: crawl-run records and URL claims; errors become ours."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis

from newsdesk.errors import TransientError
from newsdesk.settings import Settings

RUN_TTL_SECONDS = 30 * 24 * 3600
OUTCOMES = ("new", "updated", "unchanged", "duplicate", "rejected", "failed")
# Count an outcome once per URL and run, however often a task is retried or redelivered.
_RECORD_OUTCOME = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
"""


def build_redis(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        socket_timeout=10,
        socket_connect_timeout=5,
        health_check_interval=30,
    )


@contextmanager
def translated_errors(action: str) -> Iterator[None]:
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as exc:
        raise TransientError(f"{action}: Redis unavailable ({exc})") from exc


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class RunStore:
    """Crawl-run records: what the spider handed off, and what became of each page."""

    def __init__(self, client: redis.Redis, prefix: str = "newsdesk") -> None:
        self.client = client
        self.prefix = prefix
        self._record = client.register_script(_RECORD_OUTCOME)

    def _key(self, run_id: str) -> str:
        return f"{self.prefix}:run:{run_id}"

    def create(self, crawl_source: str) -> str:
        run_id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        with translated_errors("create run"):
            pipe = self.client.pipeline()
            pipe.hset(
                self._key(run_id),
                mapping={
                    "run_id": run_id,
                    "crawl_source": crawl_source,
                    "started_at": utc_now(),
                    "sent": 0,
                    "crawl_finished": 0,
                    **{o: 0 for o in OUTCOMES},
                },
            )
            pipe.expire(self._key(run_id), RUN_TTL_SECONDS)
            pipe.zadd(f"{self.prefix}:runs", {run_id: dt.datetime.now(dt.UTC).timestamp()})
            pipe.execute()
        return run_id

    def count_sent(self, run_id: str, amount: int = 1) -> None:
        with translated_errors("count sent"):
            self.client.hincrby(self._key(run_id), "sent", amount)

    def finish_crawl(self, run_id: str, stats: dict[str, Any]) -> None:
        fields = {"crawl_finished": 1, "crawl_finished_at": utc_now()}
        fields.update({f"crawl_{k}": str(v) for k, v in stats.items()})
        with translated_errors("finish crawl"):
            self.client.hset(self._key(run_id), mapping=fields)

    def record_crawl_progress(self, run_id: str, stats: dict[str, Any]) -> None:
        """The crawl's counters so far, for live progress; `finish_crawl` writes the final ones."""
        with translated_errors("crawl progress"):
            self.client.hset(self._key(run_id), mapping={f"crawl_{k}": str(v) for k, v in stats.items()})

    def record_outcome(self, run_id: str | None, url: str, outcome: str) -> bool:
        """Count `outcome` for `url` in this run unless one was counted already; True if counted."""
        if not run_id:
            return False
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        with translated_errors("record outcome"):
            return bool(
                self._record(
                    keys=[f"{self._key(run_id)}:urls", self._key(run_id)],
                    args=[url, outcome, RUN_TTL_SECONDS],
                )
            )

    def get(self, run_id: str) -> dict[str, Any]:
        with translated_errors("read run"):
            raw = self.client.hgetall(self._key(run_id))
        run: dict[str, Any] = {k: int(v) if v.lstrip("-").isdigit() else v for k, v in raw.items()}
        if run:
            run["done"] = sum(int(run.get(o, 0)) for o in OUTCOMES)
            run["complete"] = bool(run.get("crawl_finished")) and run["done"] >= int(run.get("sent", 0))
        return run

    def recent(self, limit: int = 20) -> list[str]:
        with translated_errors("list runs"):
            return list(self.client.zrevrange(f"{self.prefix}:runs", 0, limit - 1))


class UrlClaims:
    """Which fetched URL owns each document id: the first to claim it, atomically."""

    def __init__(self, client: redis.Redis, prefix: str = "newsdesk") -> None:
        self.client = client
        self.prefix = prefix

    def claim(self, doc_id: str, url: str) -> str:
        """Claim `doc_id` for `url`; return the owner (this URL if it won or already owned it)."""
        key = f"{self.prefix}:url-owner:{doc_id}"
        with translated_errors("claim url"):
            if self.client.set(key, url, nx=True):
                return url
            owner = self.client.get(key)
        return owner or url

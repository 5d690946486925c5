"""The Redis client every state store uses, and Redis's errors turned into ours at this edge."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import redis

from newsdesk.kernel.errors import TransientError
from newsdesk.kernel.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


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


def patiently(read: Callable[[], T], what: str, seconds: float = 60.0) -> T:
    """`read()`, retried through a Redis outage of up to `seconds` (a restart, a failover): for the
    bookkeeping around a crawl, which must not be lost because Redis blinked just as the crawl ended."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return read()
        except TransientError as exc:
            if time.monotonic() > deadline:
                raise
            log.warning("%s: waiting for Redis (%s)", what, exc)
            time.sleep(1.0)

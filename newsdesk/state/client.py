"""The Redis client every state store uses, and Redis's errors turned into ours at this edge."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import redis
from redis.sentinel import Sentinel

from newsdesk.kernel.errors import TransientError
from newsdesk.kernel.redis_address import parse_redis_url
from newsdesk.kernel.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


CLIENT_OPTIONS = {"socket_timeout": 10, "socket_connect_timeout": 5, "health_check_interval": 30}
# Asking a Sentinel where the master is must fail fast: the next Sentinel may know.
SENTINEL_OPTIONS = {"socket_timeout": 2, "socket_connect_timeout": 2}


def build_redis(settings: Settings, decode_responses: bool = True) -> redis.Redis:
    """A client of the one Redis, or of the master the Sentinels name.

    Through Sentinel every new connection asks the Sentinels where the master is, and a connection that
    finds its server demoted to a replica is dropped (redis-py's SentinelManagedConnection): after a
    failover the next command, Lua scripts and locks included, reaches the new master without a restart.
    The command that met the failover fails as TransientError and is retried like any Redis outage.
    """
    address = parse_redis_url(settings.redis_url)
    if not address.through_sentinel:
        return redis.Redis.from_url(settings.redis_url, decode_responses=decode_responses, **CLIENT_OPTIONS)
    return sentinel_for(settings).master_for(
        settings.redis_master,
        username=address.username,
        password=address.password,
        db=address.db,
        decode_responses=decode_responses,
        **CLIENT_OPTIONS,
    )


def sentinel_options(settings: Settings) -> dict:
    """How every client (ours, kombu's, RedBeat's) talks to the Sentinels themselves."""
    options = dict(SENTINEL_OPTIONS)
    if settings.redis_sentinel_password:
        options["password"] = settings.redis_sentinel_password
    return options


def sentinel_for(settings: Settings) -> Sentinel:
    """The Sentinels of `settings.redis_url` (a `sentinel://` address)."""
    address = parse_redis_url(settings.redis_url)
    return Sentinel(list(address.sentinels), sentinel_kwargs=sentinel_options(settings))


@contextmanager
def translated_errors(action: str) -> Iterator[None]:
    try:
        yield
    # A server demoted by a failover answers writes with READONLY until the client moves on: transient.
    # (No master known to the Sentinels, in the middle of one, is a ConnectionError.)
    except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, redis.ReadOnlyError) as exc:
        raise TransientError(f"{action}: Redis unavailable ({exc})") from exc


# How long a hand-over waits for its replicas: well past loopback's or a LAN's replication lag, well
# under a task's retry back-off.
REPLICA_WAIT_MS = 2000


def execute_replicated(pipe, min_replicas: int, action: str) -> list:
    """Run `pipe` (a pipeline without MULTI); with `min_replicas`, also wait until its writes reached that
    many replicas, and return the pipeline's own results.

    Replication is asynchronous: a master that dies loses what it had not yet sent on, and Sentinel
    promotes a replica without it. WAIT on the pipeline's own connection covers every write the master
    took up to the pipeline's (the replication stream is one ordered log), so a hand-over confirmed here
    survives a failover. Not confirmed in time: TransientError, and the caller redoes its idempotent work.
    """
    if min_replicas:
        pipe.execute_command("WAIT", min_replicas, REPLICA_WAIT_MS)
    with translated_errors(action):
        results = pipe.execute()
    if not min_replicas:
        return results
    reached = int(results[-1])
    if reached < min_replicas:
        raise TransientError(
            f"{action}: on {reached} of {min_replicas} replica(s) after {REPLICA_WAIT_MS} ms"
        )
    return results[:-1]


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

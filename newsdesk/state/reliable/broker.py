"""The Redis broker transport, made safe against a worker dying between taking a task and recording it.

Kombu's Redis transport takes a message with BRPOP and only then records it as unacknowledged (the
`unacked` hash its visibility timeout sweeps). A worker killed between the two (SIGKILL, the OOM killer,
a lost machine) loses that message for good: it is in no list and no hash. Here the worker takes a message
with BLMOVE into a `<queue>:delivering` list instead, removes it from there in the transaction that records
it, and every worker sweeps that list for messages left behind by a worker that died in between.

A message can still be delivered twice (a worker stalled between taking and recording it for longer than
the sweep's grace period); every stage is idempotent, so that costs a redo, never a second document.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from queue import Empty

import redis
from kombu.transport import redis as kombu_redis
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads

from newsdesk.kernel.redis_address import parse_redis_url
from newsdesk.kernel.settings import Settings
from newsdesk.state.client import sentinel_options, translated_errors

log = logging.getLogger(__name__)

# Put a message back where workers take from (BRPOP/BLMOVE read the right end), if it is still stranded.
_RESTORE = """
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0
"""


def stranded_delivery_grace(visibility_timeout: int) -> int:
    """How long a message may sit between the queue and `unacked` before it counts as stranded."""
    return max(5, min(60, visibility_timeout // 4))


def delivering_key(queue: str) -> str:
    """The list a message passes through between the queue and kombu's `unacked` hash."""
    return f"{queue}:delivering"


class QoS(kombu_redis.QoS):
    """Kombu's record of unacknowledged messages. Recording a message taken with BLMOVE also removes it
    from the delivering list, in the same transaction: it is never in both, and it costs no round trip."""

    _taken: tuple[str, bytes] | None = None  # (delivering list, message) while kombu records it

    def append(self, message, delivery_tag):
        self._taken, self.channel.taken = self.channel.taken, None
        try:
            super().append(message, delivery_tag)
        finally:
            self._taken = None

    @contextmanager
    def pipe_or_acquire(self, pipe=None, client=None):
        with super().pipe_or_acquire(pipe, client) as pipe:
            if self._taken is not None:
                key, item = self._taken
                pipe.lrem(key, 1, item)
            yield pipe


class Channel(kombu_redis.Channel):
    """Takes messages with BLMOVE when it consumes one queue at one priority (as newsdesk workers do);
    anything else (several queues, priorities, a global key prefix) falls back to kombu's BRPOP."""

    QoS = QoS
    _moving_from: str | None = None
    # The message just taken, until kombu's record of it (QoS.append) removes it from the delivering list.
    taken: tuple[str, bytes] | None = None
    _shared_client: tuple | None = None  # (the pool it draws on, the client)

    @contextmanager
    def conn_or_acquire(self, client=None):
        """One Redis client per channel and connection pool, where kombu builds one per publish and ack.

        Building a client copies redis-py's table of reply callbacks: about 0.3 ms of CPU, twice a page
        in a worker and once in the crawler. A client is safe to share: each command takes a connection
        from the pool. A new pool (after a fork, or a reconnect) gets a new client.
        """
        if client is not None:
            yield client
            return
        pool = self.pool
        if self._shared_client is None or self._shared_client[0] is not pool:
            self._shared_client = (pool, self._create_client())
        yield self._shared_client[1]

    def _brpop_start(self, timeout=None):
        queues = self._queue_cycle.consume(len(self.active_queues))
        if len(queues) != 1 or len(self.priority_steps) != 1 or self.global_keyprefix:
            self._moving_from = None
            return super()._brpop_start(timeout)
        queue = queues[0]
        self._moving_from = queue
        self._in_poll = self.client.connection
        self._brpop_sent_at = time.monotonic()
        wait = self.brpop_timeout if timeout is None else timeout
        command = ("BLMOVE", queue, delivering_key(queue), "RIGHT", "LEFT", wait or 0)
        self.client.connection.send_command(*command)
        return None

    def _brpop_read(self, **options):
        queue = self._moving_from
        if queue is None:
            return super()._brpop_read(**options)
        try:
            try:
                item = self.client.parse_response(self.client.connection, "BLMOVE", **options)
            except self.connection_errors:
                self.client.connection.disconnect()
                raise
            if item is None:
                raise Empty()
            self._queue_cycle.rotate(queue)
            self.taken = (delivering_key(queue), item)
            try:
                # Kombu records the message in `unacked` before it hands it to the consumer (QoS.append).
                self.connection._deliver(loads(bytes_to_str(item)), queue)
            finally:
                if self.taken is not None:  # not recorded: a consumer that does not acknowledge
                    self.taken = None
                    # On the connection that took it: idle now.
                    self.client.lrem(delivering_key(queue), 1, item)
            return True
        finally:
            self._in_poll = None
            self._moving_from = None
            self._flush_brpop_reauth()


class Transport(kombu_redis.Transport):
    """Kombu's Redis transport with the delivering list.

    Celery and the crawler name it through `broker_config` (`newsdesk.state.reliable.broker:Transport`).
    """

    Channel = Channel


class SentinelChannel(Channel, kombu_redis.SentinelChannel):
    """The delivering-list channel on the master the Sentinels name: kombu's Sentinel channel builds the
    connection pool (one that asks the Sentinels on every new connection), ours takes the messages."""


class SentinelTransport(kombu_redis.SentinelTransport):
    """Kombu's Sentinel transport with the delivering list (`sentinel://` broker addresses)."""

    Channel = SentinelChannel


def broker_transport_options(settings: Settings) -> dict:
    """Redelivery on Redis: a task unacknowledged longer than the visibility timeout goes back to the queue.

    Kombu sweeps for such tasks every interval x throttle seconds (100 s by default); the sweep follows
    the visibility timeout so a short one (tests, small deployments) also redelivers promptly.
    """
    visibility = settings.broker_visibility_timeout
    options: dict = {
        "visibility_timeout": visibility,
        "unacked_restore_interval": max(1, min(10, visibility // 4)),
        "unacked_restore_throttle": 1,
        # A worker killed inside that sweep leaves its lock behind; kombu's default keeps it for 300 s.
        "unacked_mutex_expire": max(10, min(300, visibility // 2)),
        # One priority, one list: lets the worker take messages with BLMOVE (the delivering list above).
        "priority_steps": [0],
    }
    if parse_redis_url(settings.redis_url).through_sentinel:
        options.update(master_name=settings.redis_master, sentinel_kwargs=sentinel_options(settings))
    return options


def broker_config(settings: Settings) -> dict:
    """Celery configuration for every process that sends or takes tasks: the same broker, the same transport
    (delivering list; through Sentinel when the address is `sentinel://`), the same options."""
    sentinel = parse_redis_url(settings.redis_url).through_sentinel
    return {
        "broker_url": settings.redis_url,
        "broker_transport": f"{__name__}:{'SentinelTransport' if sentinel else 'Transport'}",
        "broker_transport_options": broker_transport_options(settings),
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
    }


def task_sender(name: str, settings: Settings):
    """A Celery app that only sends tasks (the crawler, backfills, the CLI), on the workers' broker config."""
    from celery import Celery  # here, not at import: the CLI's start-up does not pay for Celery

    app = Celery(name)
    app.conf.update(broker_config(settings))
    return app


class StrandedDeliveries:
    """Finds messages left in the delivering list by a worker that died, and puts them back on the queue.

    A healthy worker keeps a message there for well under a millisecond, so a message seen in two sweeps
    `grace_seconds` apart was stranded. A worker merely stalled that long gets its message redone: harmless.
    """

    def __init__(self, client: redis.Redis, queue: str, grace_seconds: float) -> None:
        self.client = client
        self.queue = queue
        self.grace_seconds = grace_seconds
        self._first_seen: dict[bytes | str, float] = {}
        self._restore = client.register_script(_RESTORE)

    def sweep(self, now: float | None = None) -> int:
        """Restore what has waited past the grace period; returns how many messages went back."""
        now = time.monotonic() if now is None else now
        key = delivering_key(self.queue)
        first_seen, restored = {}, 0
        with translated_errors("sweep deliveries"):
            for item in self.client.lrange(key, 0, -1):
                since = self._first_seen.get(item, now)
                if now - since >= self.grace_seconds:
                    restored += int(self._restore(keys=[key, self.queue], args=[item]))
                else:
                    first_seen[item] = since
        self._first_seen = first_seen
        if restored:
            log.warning("put %d message(s) back on %s: a worker died while taking them", restored, self.queue)
        return restored

"""The index buffer on a real Redis: a dead worker's batch goes back to pending, a handled one never does."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis

from newsdesk.localstack.services import RedisServer
from newsdesk.state.reliable.index_buffer import IndexBuffer

pytestmark = pytest.mark.services
PREFIX = "ndbuffer"


@pytest.fixture
def client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    yield client
    for key in client.scan_iter(match=f"{PREFIX}:*"):
        client.delete(key)
    client.close()


def _backdate(client: redis.Redis, buffer: IndexBuffer, batch_key: str) -> None:
    """The batch was taken by a worker that died long ago."""
    client.zadd(buffer.inflight_key, {batch_key: time.time() - 2 * buffer.stale_after})


def test_a_dead_workers_batch_goes_back_to_pending_and_a_live_one_stays_in_flight(client) -> None:
    buffer = IndexBuffer(client, PREFIX, stale_after=300)
    for n in range(4):
        buffer.push({"n": n})
    dead_key, dead = buffer.take(2)
    live_key, live = buffer.take(1)
    _backdate(client, buffer, dead_key)

    assert buffer.recover_stale() == 1

    # In the pending list again, ahead of what arrived since.
    again = buffer.take(3)[1]
    assert sorted(again[:2], key=str) == dead and again[2] == {"n": 3}
    assert client.exists(dead_key) == 0
    assert client.zscore(buffer.inflight_key, dead_key) is None
    assert client.lrange(live_key, 0, -1) and client.zscore(buffer.inflight_key, live_key) is not None
    assert live == [{"n": 2}]
    assert buffer.recover_stale() == 0


def test_a_batch_handled_after_the_sweep_found_it_stale_is_not_put_back(client, monkeypatch) -> None:
    buffer = IndexBuffer(client, PREFIX, stale_after=300)
    buffer.push({"n": 1})
    batch_key, _ = buffer.take(10)
    _backdate(client, buffer, batch_key)
    found_stale = client.zrangebyscore

    def worker_finishes_meanwhile(*args, **kwargs):
        stale = found_stale(*args, **kwargs)
        buffer.complete(batch_key)
        return stale

    monkeypatch.setattr(client, "zrangebyscore", worker_finishes_meanwhile)

    assert buffer.recover_stale() == 0
    assert buffer.pending() == 0

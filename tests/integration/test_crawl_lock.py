"""Crawl locks on real Redis and a real worker: TTL and heartbeat; an overrunning crawl makes a tick skip."""

from __future__ import annotations

import time
import uuid

import pytest
from celery import Celery

from newsdesk.state.locks import CrawlBusy, CrawlLocks
from newsdesk.state.runs import RunStore

pytestmark = pytest.mark.services


def test_the_heartbeat_keeps_a_short_lock_alive_and_release_frees_it(redis_client):
    locks = CrawlLocks(redis_client, f"ndlock-{uuid.uuid4().hex[:8]}", ttl=2)

    with locks.held("site", holder="first", trigger="test"):
        time.sleep(5)  # more than twice the TTL: only the heartbeat keeps the lock
        assert locks.holder("site")["holder"] == "first"
        with pytest.raises(CrawlBusy, match="still running"), locks.held("site", "second", "schedule"):
            pass

    assert locks.holder("site") is None
    (skip,) = locks.skips("site")
    assert skip["trigger"] == "schedule"
    assert skip["busy_with"]["holder"] == "first"


def test_a_lock_whose_holder_died_expires_after_its_ttl(redis_client):
    locks = CrawlLocks(redis_client, f"ndlock-{uuid.uuid4().hex[:8]}", ttl=1)
    token = locks.acquire("orphan", holder="a crawler that was killed")

    assert token is not None
    assert locks.acquire("orphan", holder="too soon") is None
    time.sleep(1.3)
    assert locks.acquire("orphan", holder="after the ttl") is not None
    assert not locks.release("orphan", token), "a stale holder must not release its successor's lock"
    assert locks.holder("orphan")["holder"] == "after the ttl"


def test_an_overrunning_crawl_makes_the_next_tick_skip_and_it_is_recorded(clean_stores, worker, redis_client):
    locks = CrawlLocks(redis_client, clean_stores.index_prefix, ttl=clean_stores.crawl_lock_ttl)
    runs = RunStore(redis_client, clean_stores.index_prefix)
    client = Celery("test-client", broker=clean_stores.redis_url)
    token = locks.acquire("demo", holder="a crawl still running")

    client.send_task("newsdesk.crawl", args=["demo", "schedule"], queue="newsdesk")

    deadline = time.monotonic() + 60
    while not locks.skips("demo") and time.monotonic() < deadline:
        time.sleep(0.2)
    (skip,) = locks.skips("demo")
    assert skip["trigger"] == "schedule"
    assert skip["busy_with"]["holder"] == "a crawl still running"
    assert redis_client.hget(f"{clean_stores.index_prefix}:crawl-skip-counts", "demo") == "1"
    assert runs.recent() == [], "a skipped tick starts no run"
    assert locks.release("demo", token)

"""The broker transport on a real Redis: a task a worker has taken is never only in that worker's memory."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

import kombu
import pytest
import redis
from celery import Celery

from newsdesk.kernel.messages import FetchedPage
from newsdesk.kernel.wire import QUEUE
from newsdesk.localstack.services import WorkerProcess
from newsdesk.state.client import build_redis
from newsdesk.state.reliable.broker import (
    StrandedDeliveries,
    broker_transport_options,
    delivering_key,
    stranded_delivery_grace,
)
from newsdesk.state.runs import RunStore

pytestmark = pytest.mark.services
REPO_ROOT = Path(__file__).resolve().parents[2]
TRANSPORT = "newsdesk.state.reliable.broker:Transport"
SCRATCH_QUEUE = "ndbroker"
ARTICLE_HTML = """<html><body><h1>Talks Resume in Geneva</h1>
<div>Date: 02/03/2025 | Source: Central News Agency</div>
<p>Talks resumed in Geneva on Monday.</p><p>Both delegations attended.</p></body></html>"""

# A consumer process that dies as it takes a message (tests/data/consumer_dies_while_taking.py).
DIES_WHILE_TAKING = str(Path(__file__).resolve().parents[1] / "data" / "consumer_dies_while_taking.py")


@pytest.fixture
def broker_db(base_settings):
    """A Redis database of the test's own: the session worker's `unacked` hash is elsewhere."""
    url = base_settings.redis_url.rsplit("/", 1)[0] + "/7"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url, client
    client.flushdb()
    client.close()


def _connection(url: str, settings) -> kombu.Connection:
    return kombu.Connection(url, transport=TRANSPORT, transport_options=broker_transport_options(settings))


def _publish(connection: kombu.Connection, body: dict) -> None:
    producer = connection.Producer(serializer="json")
    producer.publish(body, routing_key=SCRATCH_QUEUE, declare=[kombu.Queue(SCRATCH_QUEUE)])


def _take_one(connection: kombu.Connection, on_message) -> None:
    with connection.Consumer(kombu.Queue(SCRATCH_QUEUE), callbacks=[on_message], accept=["json"]):
        connection.drain_events(timeout=10)


def test_a_taken_message_leaves_the_delivering_list_as_kombu_records_it(base_settings, broker_db):
    url, client = broker_db
    seen = {}

    def on_message(body, message):
        seen.update(
            body=body,
            queued=client.llen(SCRATCH_QUEUE),
            delivering=client.llen(delivering_key(SCRATCH_QUEUE)),
            unacked=client.hlen("unacked"),
        )
        message.ack()

    with _connection(url, base_settings) as connection:
        _publish(connection, {"n": 1})
        _take_one(connection, on_message)

    # While the consumer holds it, the message is recorded once (moved in one transaction); after, nowhere.
    assert seen == {"body": {"n": 1}, "queued": 0, "delivering": 0, "unacked": 1}
    assert client.llen(delivering_key(SCRATCH_QUEUE)) == 0
    assert client.hlen("unacked") == 0
    assert client.llen(SCRATCH_QUEUE) == 0


def test_a_consumer_killed_while_taking_a_message_leaves_it_to_be_put_back(base_settings, broker_db):
    url, client = broker_db
    with _connection(url, base_settings) as connection:
        _publish(connection, {"n": 2})
    options = json.dumps(broker_transport_options(base_settings))
    died = subprocess.run(
        [sys.executable, DIES_WHILE_TAKING, url, TRANSPORT, options, SCRATCH_QUEUE],
        cwd=REPO_ROOT,
        timeout=60,
        capture_output=True,
    )
    assert died.returncode == 9, died.stderr.decode()[-2000:]
    assert client.llen(SCRATCH_QUEUE) == 0
    assert client.hlen("unacked") == 0, "it died before kombu recorded the message"
    assert client.llen(delivering_key(SCRATCH_QUEUE)) == 1, "but the message is not lost"

    stranded = StrandedDeliveries(client, SCRATCH_QUEUE, grace_seconds=5)
    assert stranded.sweep(now=100.0) == 0, "first sighting: a live worker may be taking it this instant"
    assert stranded.sweep(now=104.9) == 0
    assert stranded.sweep(now=105.0) == 1
    assert stranded.sweep(now=111.0) == 0, "put back once"
    assert client.llen(delivering_key(SCRATCH_QUEUE)) == 0

    bodies = []
    with _connection(url, base_settings) as connection:
        _take_one(connection, lambda body, message: (bodies.append(body), message.ack()))
    assert bodies == [{"n": 2}]


def test_a_page_a_dead_worker_was_taking_is_indexed_by_another_worker(
    base_settings, es_client, services_dir: Path, tmp_path: Path
):
    from index.setup import ensure_setup

    settings = dataclasses.replace(
        base_settings,
        redis_url=base_settings.redis_url.rsplit("/", 1)[0] + "/8",
        index_prefix="ndstrand",
        home=tmp_path / "home",
        broker_visibility_timeout=20,
    )
    broker = build_redis(settings)
    broker.flushdb()
    es_client.options(ignore_status=404).indices.delete(index="ndstrand-*", expand_wildcards="all")
    ensure_setup(es_client, settings)
    runs = RunStore(broker, settings.index_prefix)
    run_id = runs.create("test")
    url = "http://site.test/stranded/1"
    page = FetchedPage(
        url=url,
        final_url=url,
        crawl_source="test",
        fetched_at="2026-11-27T10:00:00+00:00",
        status=200,
        headers={"content-type": "text/html"},
        html=ARTICLE_HTML,
        run_id=run_id,
    ).to_dict()
    # The state a worker killed mid-take leaves: the task in the delivering list, in no queue, not unacked.
    client = Celery("test-client", broker=settings.redis_url)
    client.send_task("newsdesk.parse", args=[page], queue="ndscratch")
    assert broker.lmove("ndscratch", delivering_key(QUEUE), "RIGHT", "LEFT")

    worker = WorkerProcess(settings.to_env(), services_dir / "strand-worker.log", name="strand").start()
    try:
        deadline = time.monotonic() + 60 + stranded_delivery_grace(settings.broker_visibility_timeout)
        while time.monotonic() < deadline and not runs.get(run_id)["new"]:
            time.sleep(0.2)
    finally:
        worker.stop()

    assert runs.get(run_id)["new"] == 1, "the stranded page was put back and indexed"
    assert broker.llen(delivering_key(QUEUE)) == 0
    es_client.indices.refresh(index=settings.articles_alias)
    assert es_client.count(index=settings.articles_alias)["count"] == 1

"""A real worker's batched index stage: an edit delivered many times at once is one revision, one document."""

from __future__ import annotations

import time

import pytest
from celery import Celery

from newsdesk.kernel.wire import QUEUE
from newsdesk.state.reliable.broker import delivering_key
from newsdesk.state.reliable.index_buffer import IndexBuffer
from newsdesk.state.runs import RunStore
from tasks.dedupe.identity import document_id

pytestmark = pytest.mark.services
URL = "http://site.test/article/1.html"
BODY = "Talks were held.\n\nThey lasted two hours.\n\nA statement followed."


def _article(run_id: str, body: str, fetched_at: str) -> dict:
    return {
        "schema": 1,
        "url": URL,
        "final_url": URL,
        "crawl_source": "test",
        "fetched_at": fetched_at,
        "title": "Talks held",
        "body": body,
        "published_at": "2024-08-14",
        "run_id": run_id,
        "canonical_url": URL,
        "doc_id": document_id(URL),
    }


def _drained(redis_client, settings, timeout: float = 60) -> None:
    """Wait until no task waits, runs or is being taken, and no batch is pending or in flight (retried
    batches go round again after a back-off). A task sent a moment ago is in the queue, not yet in the
    buffer: looking at the buffer alone could call the index stage drained before it started."""
    buffer = IndexBuffer(redis_client, settings.index_prefix)
    deadline = time.monotonic() + timeout
    while (
        redis_client.llen(QUEUE)
        or redis_client.llen(delivering_key(QUEUE))
        or redis_client.hlen("unacked")
        or buffer.pending()
        or redis_client.zcard(buffer.inflight_key)
    ):
        assert time.monotonic() < deadline, "the index stage did not drain"
        time.sleep(0.2)


def test_an_edit_delivered_many_times_in_one_batch_is_one_revision(
    clean_stores, worker, es_client, redis_client
):
    settings = clean_stores
    runs = RunStore(redis_client, settings.index_prefix)
    client = Celery("test-client", broker=settings.redis_url)
    first_run = runs.create("test")
    client.send_task(
        "newsdesk.index", args=[_article(first_run, BODY, "2026-11-01T10:00:00Z")], queue="newsdesk"
    )
    _drained(redis_client, settings)

    # The edited page arrives five times at once (redeliveries, a re-check and a crawl racing): the
    # batch writes it once and sends the other copies round again, where each finds the edit made.
    second_run = runs.create("test")
    edited = _article(second_run, BODY.replace("two hours", "three hours"), "2026-11-02T10:00:00Z")
    for _ in range(5):
        client.send_task("newsdesk.index", args=[edited], queue="newsdesk")
    time.sleep(0.5)
    _drained(redis_client, settings)

    es_client.indices.refresh(index=[settings.articles_alias, settings.revisions_index])
    assert es_client.count(index=settings.articles_alias)["count"] == 1
    stored = es_client.get(index=settings.articles_alias, id=document_id(URL))["_source"]
    assert stored["revision_count"] == 2 and "three hours" in stored["body"]
    (revision,) = [hit["_source"] for hit in es_client.search(index=settings.revisions_index)["hits"]["hits"]]
    assert revision["revision"] == 1 and "two hours" in revision["body"]
    assert revision["changes"][0]["kind"] == "changed"
    run = runs.get(second_run)
    assert (run["updated"], run["new"], run["failed"], run["rejected"]) == (1, 0, 0, 0)

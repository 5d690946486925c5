"""A real worker on a real broker: bad input is recorded with its reason, copies become one document."""

from __future__ import annotations

import time

import pytest
from celery import Celery

from newsdesk.kernel.messages import FetchedPage
from newsdesk.state.runs import RunStore
from tasks.dedupe.identity import canonical_url, document_id

pytestmark = pytest.mark.services

ARTICLE_HTML = """<html><body><h1>Delegation Leaves for Moscow</h1>
<div>Date: 14/08/2024 | Source: Central News Agency | Read original version at source</div>
<p>A delegation left Pyongyang for Moscow on Tuesday.</p><p>It was seen off by officials.</p>
</body></html>"""


def _page(url: str, run_id: str, **changes) -> dict:
    fields = dict(
        url=url,
        final_url=url,
        crawl_source="test",
        fetched_at="2026-11-27T10:00:00+00:00",
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        html=ARTICLE_HTML,
        run_id=run_id,
    )
    fields.update(changes)
    return FetchedPage(**fields).to_dict()


def _send(settings, payloads: list[dict]) -> None:
    client = Celery("test-client", broker=settings.redis_url)
    for payload in payloads:
        client.send_task("newsdesk.parse", args=[payload], queue="newsdesk")


def _wait_for_run(runs: RunStore, run_id: str, expected: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = runs.get(run_id)
        if run["done"] >= expected:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish: {runs.get(run_id)}")


def test_bad_input_is_recorded_with_its_reason_and_never_crashes_the_worker(
    clean_stores, worker, es_client, redis_client
):
    runs = RunStore(redis_client, clean_stores.index_prefix)
    run_id = runs.create("test")
    bad = {
        "http://site.test/binary": dict(headers={"content-type": "image/png"}, html="\x89PNG\x00\x00"),
        "http://site.test/gone": dict(status=404, html="<html>Not found</html>"),
        "http://site.test/empty": dict(html="   "),
        "http://site.test/notice": dict(html="<html><body><h1>Notice</h1><p>Updating.</p></body></html>"),
        "http://site.test/timeout": dict(status=0, html="", error="TimeoutError: took too long"),
        "http://site.test/huge": dict(html="<p>" + "x" * (clean_stores.max_page_bytes + 1) + "</p>"),
    }
    payloads = [_page(url, run_id, **changes) for url, changes in bad.items()]
    payloads.append({"schema": 99, "url": "http://site.test/future-schema", "run_id": run_id})
    _send(clean_stores, payloads)

    run = _wait_for_run(runs, run_id, expected=len(payloads))
    assert run["done"] == len(payloads)
    # Each is recorded under the fate its reason stands for, with the reason kept per URL.
    fates = runs.url_fates(run_id)
    assert {url: fate for url, (fate, _) in fates.items()} == {
        "http://site.test/binary": "rejected",
        "http://site.test/gone": "dead_link",
        "http://site.test/empty": "rejected",
        "http://site.test/notice": "not_article",
        "http://site.test/timeout": "fetch_error",
        "http://site.test/huge": "rejected",
        "http://site.test/future-schema": "rejected",
    }
    assert fates["http://site.test/notice"][1].startswith("not_an_article: too little text")
    es_client.indices.refresh(index=clean_stores.deadletter_index)
    hits = es_client.search(index=clean_stores.deadletter_index, size=50)["hits"]["hits"]
    reasons = {hit["_source"]["url"]: hit["_source"]["reason"] for hit in hits}
    assert reasons == {
        "http://site.test/binary": "not_html",
        "http://site.test/gone": "http_404",
        "http://site.test/empty": "empty_page",
        "http://site.test/notice": "not_an_article",
        "http://site.test/timeout": "fetch_failed",
        "http://site.test/huge": "too_large",
        "http://site.test/future-schema": "bad_message",
    }
    assert worker.proc.poll() is None, "the worker must survive bad input"


def test_copies_under_many_urls_sent_at_once_become_one_document(
    clean_stores, worker, es_client, redis_client
):
    runs = RunStore(redis_client, clean_stores.index_prefix)
    run_id = runs.create("test")
    base = "http://site.test/article/7-delegation.html"
    variants = [
        base,
        base + "?utm_source=a",
        base + "?utm_medium=b#top",
        "HTTP://SITE.test:80/article/7-delegation.html/",
        base + "?fbclid=123",
        base + "?utm_campaign=c&utm_source=d",
    ]
    # Every copy twice, as a redelivery after a lost acknowledgement would do.
    _send(clean_stores, [_page(url, run_id) for url in variants] * 2)

    run = _wait_for_run(runs, run_id, expected=len(variants))
    time.sleep(1)  # let the redelivered copies finish too
    es_client.indices.refresh(index=[clean_stores.articles_alias, clean_stores.duplicates_index])
    assert es_client.count(index=clean_stores.articles_alias)["count"] == 1
    document = es_client.get(index=clean_stores.articles_alias, id=document_id(canonical_url(base)))[
        "_source"
    ]
    assert document["title"] == "Delegation Leaves for Moscow"
    assert document["published_at"] == "2024-08-14"
    assert run["new"] == 1
    assert run["duplicate"] == len(variants) - 1
    assert es_client.count(index=clean_stores.duplicates_index)["count"] == len(variants) - 1


def test_one_bad_document_in_a_batch_is_dead_lettered_and_the_rest_indexed(
    clean_stores, worker, es_client, redis_client
):
    runs = RunStore(redis_client, clean_stores.index_prefix)
    run_id = runs.create("test")
    client = Celery("test-client", broker=clean_stores.redis_url)
    urls = [f"http://site.test/article/{n}.html" for n in range(5)]
    for n, url in enumerate(urls):
        article = {
            "schema": 1,
            "url": url,
            "final_url": url,
            "crawl_source": "test",
            "fetched_at": "2026-11-27T10:00:00Z",
            "title": f"Article {n}",
            "body": "Talks were held.",
            "run_id": run_id,
            "canonical_url": url,
            "doc_id": document_id(url),
            # Not a date: the mapping refuses it, and only this document.
            "published_at": "sometime last week" if n == 2 else "2024-08-14",
        }
        client.send_task("newsdesk.index", args=[article], queue="newsdesk")

    run = _wait_for_run(runs, run_id, expected=len(urls))
    assert (run["new"], run["rejected"]) == (4, 1)
    es_client.indices.refresh(index=[clean_stores.articles_alias, clean_stores.deadletter_index])
    assert es_client.count(index=clean_stores.articles_alias)["count"] == 4
    (letter,) = es_client.search(index=clean_stores.deadletter_index)["hits"]["hits"]
    assert letter["_source"]["url"] == urls[2]
    assert letter["_source"]["stage"] == "index"
    assert letter["_source"]["reason"] == "index_rejected"
    assert "published_at" in letter["_source"]["detail"]

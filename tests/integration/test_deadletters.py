"""Retries, then the dead-letter store, kept in Redis while ES is away, drained, replayed."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest
from celery import Celery
from typer.testing import CliRunner

from newsdesk.cli import app as cli
from newsdesk.kernel.messages import FetchedPage
from newsdesk.localstack.services import WorkerProcess, free_port
from newsdesk.state.client import build_redis
from newsdesk.state.reliable.deadletters import PENDING_KEY as DEADLETTER_FALLBACK_KEY
from newsdesk.state.runs import RunStore
from tasks.dedupe.identity import canonical_url, document_id

pytestmark = pytest.mark.services
ARTICLE_HTML = """<html><body><h1>Talks Resume in Geneva</h1>
<div>Date: 02/03/2025 | Source: Central News Agency</div>
<p>Talks resumed in Geneva on Monday.</p><p>Both delegations attended.</p></body></html>"""


def _page(url: str, run_id: str) -> dict:
    return FetchedPage(
        url=url,
        final_url=url,
        crawl_source="test",
        fetched_at="2026-11-27T10:00:00+00:00",
        status=200,
        headers={"content-type": "text/html"},
        html=ARTICLE_HTML.replace("Geneva", f"Geneva {url[-1]}"),
        run_id=run_id,
    ).to_dict()


def _cli(settings, *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env=settings.to_env())
    assert result.exit_code == 0, result.output
    return result.output


def _wait(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not after {timeout}s")


def _own_worker_settings(base_settings, tmp_path: Path, database: int, prefix: str, retries: int):
    """Settings for a worker of the test's own (a Redis database and prefix the session worker never
    reads), retrying `retries` times with backoff capped at as many seconds; and its emptied broker."""
    settings = dataclasses.replace(
        base_settings,
        redis_url=base_settings.redis_url.rsplit("/", 1)[0] + f"/{database}",
        index_prefix=prefix,
        home=tmp_path / "home",
        max_retries=retries,
        retry_backoff_max=retries,
    )
    broker = build_redis(settings)
    broker.flushdb()
    return settings, broker


def test_transient_failures_retry_with_backoff_then_dead_letter_and_replay_indexes_once(
    base_settings, es_client, services_dir: Path, tmp_path: Path
):
    from index.setup import ensure_setup

    settings, broker = _own_worker_settings(base_settings, tmp_path, database=5, prefix="nddlq", retries=2)
    es_client.options(ignore_status=404).indices.delete(index="nddlq-*", expand_wildcards="all")
    ensure_setup(es_client, settings)
    runs = RunStore(broker, settings.index_prefix)
    run_id = runs.create("test")
    urls = [f"http://site.test/article/{n}" for n in range(3)]
    copy_url = urls[0] + "?utm_source=feed"  # another address of the first article
    # The articles and duplicates indices refuse writes (as during `newsdesk migrate`) for longer than the
    # retries last: every bulk write of a batch is a TransientError, while the archive search still works.
    blocked, unblocked = {"index.blocks.write": True}, {"index.blocks.write": None}
    refusing = [f"{settings.articles_alias}-*", f"{settings.duplicates_index}-*"]
    es_client.indices.put_settings(index=refusing, settings=blocked)
    broken = WorkerProcess(settings.to_env(), services_dir / "dlq-broken-worker.log", name="broken").start()
    try:
        client = Celery("test-client", broker=settings.redis_url)
        for url in urls:
            client.send_task("newsdesk.parse", args=[_page(url, run_id)], queue="newsdesk")
        _wait(lambda: runs.get(run_id)["failed"] == len(urls), 90, "retries exhausted")
        # Sent once the first address owns the document: a copy, whose record waits for the index flush.
        copy_page = {**_page(urls[0], run_id), "url": copy_url, "final_url": copy_url}
        client.send_task("newsdesk.parse", args=[copy_page], queue="newsdesk")
        _wait(lambda: runs.get(run_id)["failed"] == len(urls) + 1, 90, "the copy's retries exhausted")
    finally:
        broken.stop()
    worker_log = (services_dir / "dlq-broken-worker.log").read_text()

    # The batch was retried by the flush task; each article was dead-lettered on its own bound.
    assert "newsdesk.flush_index" in worker_log and "retry: Retry in" in worker_log

    listed = json.loads(_cli(settings, "dlq", "list", "--json"))

    assert listed["total"] == len(urls) + 1
    assert {r["url"] for r in listed["records"]} == {*urls, copy_url}
    assert {(r["stage"], r["reason"]) for r in listed["records"]} == {("index", "retries_exhausted")}
    assert all(r["attempts"] > settings.max_retries for r in listed["records"])
    article_record = next(r for r in listed["records"] if r["url"] in urls)
    shown = json.loads(_cli(settings, "dlq", "show", article_record["id"]))
    assert shown["payload"]["title"].startswith("Talks Resume in Geneva")
    assert "cluster_block_exception" in shown["detail"]

    es_client.indices.put_settings(index=refusing, settings=unblocked)
    healthy = WorkerProcess(settings.to_env(), services_dir / "dlq-worker.log", name="healthy").start()
    try:
        output = _cli(settings, "dlq", "replay", "--stage", "index")
        assert f"replayed {len(urls) + 1}" in output

        def indexed() -> bool:
            es_client.indices.refresh(index=[settings.articles_alias, settings.duplicates_index])
            first = es_client.options(ignore_status=404).get(
                index=settings.articles_alias, id=document_id(canonical_url(urls[0]))
            )
            listed = [item["url"] for item in first.get("_source", {}).get("also_seen_at", [])]
            return (
                es_client.count(index=settings.articles_alias)["count"] == len(urls)
                and es_client.count(index=settings.duplicates_index)["count"] == 1
                and listed == [copy_url]
            )

        _wait(indexed, 60, "replayed articles indexed, the copy recorded and listed")
        again = _cli(settings, "dlq", "replay", "--all")
    finally:
        healthy.stop()

    assert "replayed 0" in again, "a replayed record leaves the store"
    ids = {hit["_id"] for hit in es_client.search(index=settings.articles_alias)["hits"]["hits"]}
    assert ids == {document_id(canonical_url(url)) for url in urls}
    assert json.loads(_cli(settings, "dlq", "list", "--json"))["total"] == 0


def test_purge_deletes_only_what_is_selected(clean_stores, worker, redis_client, es_client):
    runs = RunStore(redis_client, clean_stores.index_prefix)
    run_id = runs.create("test")
    pages = [
        dict(_page("http://site.test/empty", run_id), html=" "),
        dict(_page("http://site.test/gone", run_id), status=404),
    ]
    client = Celery("test-client", broker=clean_stores.redis_url)
    for page in pages:
        client.send_task("newsdesk.parse", args=[page], queue="newsdesk")
    # One rejected, one a dead link: both dead-lettered with their reasons.
    _wait(lambda: runs.get(run_id)["done"] == 2, 60, "both recorded")

    output = _cli(clean_stores, "dlq", "purge", "--reason", "empty_page", "--yes")

    assert "purged 1 of 1" in output
    remaining = json.loads(_cli(clean_stores, "dlq", "list", "--json"))
    assert [r["reason"] for r in remaining["records"]] == ["http_404"]


def test_a_later_stage_that_must_wait_retries_in_its_own_task_and_is_dead_lettered_there(
    base_settings, services_dir: Path, tmp_path: Path
):
    settings, broker = _own_worker_settings(base_settings, tmp_path, database=6, prefix="ndlater", retries=1)
    runs = RunStore(broker, settings.index_prefix)
    run_id = runs.create("test")
    page = "http://site.test/story/1"
    # Elasticsearch unreachable: the dedupe stage cannot search the near-duplicate archive (a TransientError
    # mid-chain, after the parse stage succeeded).
    unreachable = dataclasses.replace(settings, es_url=f"http://127.0.0.1:{free_port()}")
    log_file = services_dir / "dlq-later-worker.log"
    worker = WorkerProcess(unreachable.to_env(), log_file, name="later").start()
    try:
        client = Celery("test-client", broker=settings.redis_url)
        client.send_task("newsdesk.parse", args=[_page(page, run_id)], queue="newsdesk")
        _wait(lambda: broker.llen(DEADLETTER_FALLBACK_KEY), 90, "the dedupe stage gave up")
    finally:
        worker.stop()
    worker_log = log_file.read_text()
    records = [json.loads(raw) for raw in broker.lrange(DEADLETTER_FALLBACK_KEY, 0, -1)]

    assert "stage dedupe will retry in its own task" in worker_log
    assert "stage parse will retry" not in worker_log, "the page was parsed once"
    assert [(r["url"], r["stage"], r["reason"]) for r in records] == [(page, "dedupe", "retries_exhausted")]
    assert records[0]["attempts"] == settings.max_retries + 1
    assert broker.llen(f"{settings.index_prefix}:index:pending") == 0, "it never reached the index stage"
    broker.flushdb()

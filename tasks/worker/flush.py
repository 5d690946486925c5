"""The index flush: one bulk write per batch of buffered articles and copies, every item's result read.

Articles wait in the Redis index buffer (newsdesk.state.reliable.index_buffer) until a flush takes a batch;
each article is then written, retried, dead-lettered or counted for its run, and its copies listed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import kombu.exceptions
from celery import Task

from index.documents import article_document, raw_page_record
from index.raw import write_raw_pages
from index.writer import write_articles, write_duplicates
from newsdesk.kernel.clock import utc_now
from newsdesk.kernel.errors import Rejected, TransientError
from newsdesk.kernel.messages import Article
from newsdesk.kernel.wire import FLUSH_INDEX_TASK
from tasks.dedupe.identity import is_copy
from tasks.dedupe.versions import REVISION_RULES
from tasks.worker.app import app
from tasks.worker.backoff import retry_window

log = logging.getLogger(__name__)
settings = app.newsdesk_settings
resources = app.newsdesk_resources
INDEX_OUTCOMES = {"created": "new", "updated": "updated", "noop": "unchanged"}


class FlushTask(Task):
    """Retries while Elasticsearch refuses the batch. The articles wait in Redis meanwhile, each with its own
    bound (`_requeue_or_give_up`), so the flush may retry for as long as any article still waits."""

    autoretry_for = (TransientError,)
    retry_backoff = 2
    retry_backoff_max = settings.retry_backoff_max
    retry_jitter = True
    max_retries = None


@app.task(name=FLUSH_INDEX_TASK, base=FlushTask)
def flush_index() -> None:
    """Bulk-write one batch and read every item's result: retry, dead-letter or count each article or copy."""
    buffer = resources.index_buffer
    buffer.recover_stale()
    batch = buffer.take(settings.index_batch_size)
    if batch is None:
        return
    batch_key, payloads = batch
    copies = [payload for payload in payloads if is_copy(payload)]
    articles = [payload for payload in payloads if not is_copy(payload)]
    indexed_at = utc_now()
    ready: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for payload in articles:
        document = resources.rejecting("index", payload, lambda p=payload: _document(p, indexed_at))
        if document is not None:
            ready.append((payload, document))
    copies_waiting = copies
    try:
        copies_recorded, again, reasons = _record_copies(copies)
        copies_waiting = copies_recorded + again
        ready = _write_raw_pages(ready)
        # Copies gathered (this batch's included) go into the articles created now.
        gathered = resources.seen.entries_of([payload["doc_id"] for payload, _ in ready]) if ready else {}
        documents = [document for _, document in ready]
        results = write_articles(resources.es, settings, documents, REVISION_RULES, gathered)
    except TransientError as exc:
        _requeue_or_give_up(batch_key, copies_waiting + [payload for payload, _ in ready], str(exc))
        raise
    written = []
    for (payload, _), result in zip(ready, results, strict=True):
        if result.outcome == "retry":
            again.append(payload)
            reasons.add(result.error)
        elif result.outcome == "rejected":
            resources.record_rejection("index", payload, Rejected("index_rejected", result.error or ""))
        else:
            written.append((payload, result))
    # Signatures and copies first, outcomes after: a run counts as complete only once its documents are
    # near-duplicate candidates and list their copies.
    resources.archive_signatures([payload for payload, _ in written])
    listed = [result.doc_id for _, result in written] + [copy["copy_of"] for copy in copies_recorded]
    created_with = {
        result.doc_id: {entry["url"] for entry in gathered.get(result.doc_id, [])}
        for _, result in written
        if result.outcome == "created"
    }
    resources.list_copies_of(list(dict.fromkeys(listed)), created_with)
    resources.runs.record_outcomes(
        [(p.get("run_id"), p.get("url", ""), _outcome(p, result)) for p, result in written]
        + [(copy.get("run_id"), copy.get("url", ""), "duplicate") for copy in copies_recorded]
    )
    resources.gone.clear([r.doc_id for r in results if r.outcome in INDEX_OUTCOMES])
    if again:
        error = f"{len(again)} articles or copies refused for now: {'; '.join(map(str, reasons))}"
        _requeue_or_give_up(batch_key, again, error)
        raise TransientError(error)
    buffer.complete(batch_key)
    left = buffer.pending()
    if left:
        queue_flush(countdown=0 if left >= settings.index_batch_size else settings.index_batch_seconds)


def queue_flush(countdown: float = 0, send: Callable[..., Any] = flush_index.apply_async) -> bool:
    """Queue a flush of the index buffer; False when the broker is away.

    Not an error then: the articles wait in Redis whatever happens to the message, and the index buffer
    sweep queues a flush within seconds. Failing instead would fail a task whose work is done, leaving a
    dead letter (and, when Redis is away too, no failure counted) for an article indexed soon after.
    """
    try:
        send(countdown=countdown)
    except kombu.exceptions.OperationalError as exc:
        log.warning("flush not queued, the index buffer sweep retries: %s", exc, extra={"stage": "index"})
        return False
    return True


def _record_copies(copies: list[dict[str, Any]]) -> tuple[list[dict], list[dict], set[str]]:
    """Write the batch's duplicate records and gather the copies for their canonicals' `also_seen_at`.

    Returns the copies recorded, those to try again and why; a refused record is dead-lettered.
    """
    recorded, again, reasons = [], [], set()
    results = write_duplicates(resources.es, settings, [copy["record"] for copy in copies])
    for copy, result in zip(copies, results, strict=True):
        if result.outcome == "retry":
            again.append(copy)
            reasons.add(result.error)
        elif result.outcome == "rejected":
            resources.record_rejection(
                "index", copy, Rejected("duplicate_record_rejected", result.error or "")
            )
        else:
            recorded.append(copy)
    resources.seen.add_many([(copy["copy_of"], copy["entry"]) for copy in recorded])
    return recorded, again, reasons


def _outcome(payload: dict[str, Any], result) -> str:
    run_id = payload.get("run_id")
    if result.outcome == "noop" and run_id and result.created_by_run == run_id:
        return "new"  # an earlier flush of this batch created it, then died before counting
    return INDEX_OUTCOMES.get(result.outcome, "updated")


def _requeue_or_give_up(batch_key: str, payloads: list[dict[str, Any]], error: str) -> None:
    """Put refused articles back in the buffer, except those a stage task would have given up on by now:
    tried more than `max_retries` times over at least the retry window's floor. Those are dead-lettered.

    Both conditions, because flushes run concurrently: counting tries alone would let a burst of
    flushes exhaust an article within seconds of an outage that a stage task rides out.
    """
    now = time.time()
    shortest_wait, _ = retry_window(settings.max_retries, settings.retry_backoff_max)
    again = []
    for payload in payloads:
        payload = {**payload, "index_attempts": payload.get("index_attempts", 0) + 1}
        payload.setdefault("index_failing_since", now)
        tried_enough = payload["index_attempts"] > settings.max_retries
        if tried_enough and now - payload["index_failing_since"] >= shortest_wait:
            # Recorded before the batch is forgotten: a crash in between replays it, never loses it.
            # The record keeps the article as it arrived, so a replay starts with a fresh bound.
            attempts = payload.pop("index_attempts")
            del payload["index_failing_since"]
            resources.record_failure("index", payload, "retries_exhausted", error, attempts)
        else:
            again.append(payload)
    resources.index_buffer.complete(batch_key, requeue=again)


def _write_raw_pages(ready: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[tuple[dict, dict]]:
    """Store the batch's raw pages before its articles, so a reparse always finds the page an article
    came from; an article whose page is refused is dead-lettered instead of indexed without it."""
    records = {p["doc_id"]: raw_page_record(Article.from_dict(p)) for p, _ in ready if p.get("raw_page")}
    if not records:
        return ready
    refused: dict[str, str] = {}
    for result in write_raw_pages(resources.es, settings, list(records.values())):
        if result.outcome == "retry":
            raise TransientError(f"raw page {result.doc_id}: {result.error}")
        if result.outcome == "rejected":
            refused[result.doc_id] = result.error or ""
    kept = []
    for payload, document in ready:
        if payload.get("doc_id") in refused:
            resources.record_rejection(
                "index", payload, Rejected("raw_page_rejected", refused[payload["doc_id"]])
            )
        else:
            kept.append((payload, document))
    return kept


def _document(payload: dict[str, Any], indexed_at: str) -> dict[str, Any]:
    try:
        return article_document(Article.from_dict(payload), indexed_at=indexed_at)
    except ValueError as exc:
        raise Rejected("index_rejected", str(exc)) from exc

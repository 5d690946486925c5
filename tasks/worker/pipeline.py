"""The Celery tasks: thin wrappers that load a message, call one pure stage, and hand the result on."""

from __future__ import annotations

import logging
import time
from typing import Any

import kombu.exceptions
from celery import Task
from celery.exceptions import Reject

from index.documents import article_document, raw_page_record
from index.raw import write_raw_pages
from index.writer import write_articles, write_duplicates
from newsdesk.kernel.errors import Rejected, TransientError
from newsdesk.kernel.logs import current_stage
from newsdesk.kernel.messages import Article, FetchedPage
from newsdesk.state.store import utc_now
from tasks.dedupe.identity import (
    assign_identity,
    content_identity,
    copy_record,
    duplicate_kind,
    is_copy,
    judge_claim,
)
from tasks.dedupe.versions import judge_recheck
from tasks.enrich.enricher import enrich_article
from tasks.parse.page import parse_page
from tasks.worker.app import app
from tasks.worker.backoff import backoff_delay, retry_window
from tasks.worker.removals import apply_listing_changes, watch_removal
from tasks.worker.sweeps import PeriodicSweep

log = logging.getLogger(__name__)
settings = app.newsdesk_settings
resources = app.newsdesk_resources
INDEX_OUTCOMES = {"created": "new", "updated": "updated", "noop": "unchanged"}


class StageTask(Task):
    """Retries TransientError with exponential backoff and jitter; whatever still fails is dead-lettered."""

    max_retries = settings.max_retries
    stage = "unknown"
    records_stage_metrics = True

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except TransientError as exc:
            if self.request.called_directly or self.request.retries >= self.max_retries:
                raise
            delay = backoff_delay(self.request.retries, settings.retry_backoff_max)
            log.warning("stage %s will retry in %.1fs: %s", self.stage, delay, exc)
            try:
                raise self.retry(exc=exc, countdown=delay) from exc
            except Reject as refused:
                # The broker refused the retry (it is what is down): Celery would drop the message;
                # requeue it instead, or leave it unacknowledged for redelivery if even that fails.
                raise Reject(refused.reason, requeue=True) from exc

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        reason = "retries_exhausted" if isinstance(exc, TransientError) else "internal_error"
        log.error("stage %s gave up on %s: %s", self.stage, args[0].get("url") if args else "?", exc)
        resources.record_failure(
            self.stage,
            args[0] if args else {},
            reason,
            f"{type(exc).__name__}: {exc}",
            self.request.retries + 1,
        )


def _hand_on(task: Task, article: Article, countdown: float | None = None) -> None:
    """Queue a stage's own task; a broker that is away is a TransientError like any other dependency."""
    try:
        # argsrepr: Celery would otherwise repr the whole article (HTML and all) into every message.
        task.apply_async(args=[article.to_dict()], countdown=countdown, argsrepr=repr(article.url))
    except kombu.exceptions.OperationalError as exc:
        raise TransientError(f"hand on to {task.name}: broker unavailable ({exc})") from exc


def _rejecting(stage: str, payload: dict[str, Any] | Article, work) -> Any:
    """Run one stage; a Rejected is recorded with its reason and ends this page's journey."""
    try:
        return work()
    except Rejected as exc:
        message = payload.to_dict() if isinstance(payload, Article) else payload
        log.info("stage %s rejected %s: %s", stage, message.get("url"), exc, extra={"stage": stage})
        resources.record_rejection(stage, message, exc)
        return None


def _parse(payload: dict[str, Any]) -> Article | None:
    _rejecting("parse", payload, lambda: watch_removal(resources, settings, payload))

    def work():
        page = FetchedPage.from_dict(payload)
        return parse_page(page, settings.max_page_bytes, resources.extraction_hints(page.crawl_source))

    article = _rejecting("parse", payload, work)
    return None if article is None else article.replace(recheck=bool(payload.get("recheck")))


def _dedupe(article: Article) -> Article | None:
    article = _rejecting("dedupe", article, lambda: assign_identity(article))
    if article is None:
        return None
    owner = resources.claims.claim(article.doc_id, article.final_url or article.url, article.canonical_url)
    url_verdict = judge_claim(article, owner)
    url_verdict = judge_recheck(article, url_verdict)
    article, key = content_identity(article)
    content_kind, canonical = resources.claim_content(
        article.doc_id, key, variant=url_verdict.duplicate_of is not None
    )
    kind = duplicate_kind(url_verdict, content_kind)
    if kind:
        # Recorded and listed on its canonical by the index flush, with its batch: a few requests a
        # batch instead of four a copy.
        _buffer(copy_record(article, kind, canonical, utc_now()))
        return None
    return article.replace(story_id=canonical)


def _enrich(article: Article) -> Article | None:
    return _rejecting("enrich", article, lambda: enrich_article(article, resources.enricher))


def _index(article: Article) -> None:
    _buffer(article.to_dict())


def _buffer(payload: dict[str, Any]) -> None:
    """Queue an article or a copy for the next bulk write: a full batch is flushed now, a partial one
    shortly."""
    pending = resources.index_buffer.push(payload)
    if pending % settings.index_batch_size == 0:
        flush_index.delay()
    elif pending == 1:
        flush_index.apply_async(countdown=settings.index_batch_seconds)


STAGE_ORDER = ("dedupe", "enrich", "index")
STAGE_STEPS = {"dedupe": _dedupe, "enrich": _enrich, "index": _index}


def _run_from(
    first: str, article: Article, task_stage: str, metrics: list[tuple[str, str, int]] | None = None
) -> None:
    """Run stage `first` and every later one in this task: one message per page, not one per stage.

    A TransientError in the task's own stage is the task's to retry. One in a later stage hands the
    article to that stage's own task, which retries it with backoff, so no stage that succeeded is ever
    redone, and a dead letter still names the stage that failed (a replay re-enters there).
    """
    metrics = metrics or []  # recorded with the stages that follow, in one round trip
    try:
        for stage in STAGE_ORDER[STAGE_ORDER.index(first) :]:
            started = time.perf_counter()
            current_stage.set(stage)
            try:
                article = STAGE_STEPS[stage](article)
            except TransientError as exc:
                metrics.append((stage, "retried", _ms_since(started)))
                if stage == task_stage:
                    raise
                log.warning("stage %s will retry in its own task: %s", stage, exc, extra={"stage": stage})
                _hand_on(STAGE_TASKS[stage], article, countdown=backoff_delay(0, settings.retry_backoff_max))
                return
            metrics.append((stage, "succeeded", _ms_since(started)))
            if article is None:
                return
    finally:
        current_stage.set(None)
        resources.record_stage_metrics(metrics)


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


@app.task(name="newsdesk.parse", base=StageTask, stage="parse")
def parse(payload: dict[str, Any]) -> None:
    """What the spider sends: the page goes through every stage here, unless one must wait and retry."""
    started = time.perf_counter()
    article = _parse(payload)
    parsed = ("parse", "succeeded", _ms_since(started))
    if article is None:
        resources.record_stage_metrics([parsed])
    else:
        _run_from("dedupe", article, task_stage="parse", metrics=[parsed])


def _continue_at(stage: str, payload: dict[str, Any]) -> None:
    """A stage's own task: the article goes on from `stage` (a retry, a hand-on, a dead-letter replay)."""
    article = _rejecting(stage, payload, lambda: Article.from_dict(payload))
    if article is not None:
        _run_from(stage, article, task_stage=stage)


@app.task(name="newsdesk.dedupe", base=StageTask, stage="dedupe")
def dedupe(payload: dict[str, Any]) -> None:
    _continue_at("dedupe", payload)


@app.task(name="newsdesk.enrich", base=StageTask, stage="enrich")
def enrich(payload: dict[str, Any]) -> None:
    _continue_at("enrich", payload)


@app.task(name="newsdesk.index", base=StageTask, stage="index")
def index(payload: dict[str, Any]) -> None:
    if is_copy(payload):  # a copy's dead letter, replayed
        _buffer(payload)
    else:
        _continue_at("index", payload)


STAGE_TASKS = {"dedupe": dedupe, "enrich": enrich, "index": index}


class FlushTask(Task):
    """Retries while Elasticsearch refuses the batch. The articles wait in Redis meanwhile, each with its own
    bound (`_requeue_or_give_up`), so the flush may retry for as long as any article still waits."""

    autoretry_for = (TransientError,)
    retry_backoff = 2
    retry_backoff_max = settings.retry_backoff_max
    retry_jitter = True
    max_retries = None


@app.task(name="newsdesk.flush_index", base=FlushTask)
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
        document = _rejecting("index", payload, lambda p=payload: _document(p, indexed_at))
        if document is not None:
            ready.append((payload, document))
    copies_waiting = copies
    try:
        copies_recorded, again, reasons = _record_copies(copies)
        copies_waiting = copies_recorded + again
        ready = _write_raw_pages(ready)
        # Copies gathered (this batch's included) go into the articles created now.
        gathered = resources.seen.entries_of([payload["doc_id"] for payload, _ in ready]) if ready else {}
        results = write_articles(resources.es, settings, [document for _, document in ready], gathered)
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
        flush_index.apply_async(
            countdown=0 if left >= settings.index_batch_size else settings.index_batch_seconds
        )


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


class IndexBufferSweep(PeriodicSweep):
    """Every few seconds, a worker queues a flush if articles wait in the index buffer.

    Flushes are queued by the index task and by the flush itself, but such a message can be lost with the
    broker (a Redis restart before it was saved) or refused while it is away; the buffer would then wait
    for the next article, which may never come.
    """

    def sweep(self) -> None:
        try:
            if resources.index_buffer.needs_flush():
                flush_index.delay()
        except (TransientError, kombu.exceptions.OperationalError) as exc:
            log.warning("index buffer sweep skipped: %s", exc, extra={"stage": "index"})


app.steps["worker"].add(IndexBufferSweep)


class SettledClaimsSweep(PeriodicSweep):
    """Every few seconds, a worker lets Redis forget the articles settled in the near-duplicate archive."""

    def sweep(self) -> None:
        try:
            resources.content.forget_settled()
        except TransientError as exc:
            log.warning("settled claims sweep skipped: %s", exc, extra={"stage": "dedupe"})


app.steps["worker"].add(SettledClaimsSweep)


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


# Not a page stage: its task-level metrics come from the worker signal (tasks/app.py).
@app.task(name="newsdesk.listing_changes", base=StageTask, stage="removal", records_stage_metrics=False)
def listing_changes(payload: dict[str, Any]) -> None:
    """Revisions (issue 9): what a complete crawl found missing from (or back in) every listing."""
    _rejecting("removal", payload, lambda: apply_listing_changes(resources.es, settings, payload))

"""The Celery tasks: thin wrappers that load a message, call one pure stage, and hand the result on."""

from __future__ import annotations

import logging
import time
from typing import Any

import kombu.exceptions
from celery import Task
from celery.exceptions import Reject

from newsdesk.kernel.clock import utc_now
from newsdesk.kernel.errors import TransientError
from newsdesk.kernel.logs import current_stage
from newsdesk.kernel.messages import Article, FetchedPage
from newsdesk.kernel.wire import (
    DEDUPE_TASK,
    ENRICH_TASK,
    INDEX_TASK,
    LISTING_CHANGES_TASK,
    PARSE_TASK,
)
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
from tasks.parse.page import parse_page, refuse_if_too_old
from tasks.worker.app import app
from tasks.worker.backoff import backoff_delay
from tasks.worker.flush import queue_flush
from tasks.worker.removals import apply_listing_changes, watch_removal

log = logging.getLogger(__name__)
settings = app.newsdesk_settings
resources = app.newsdesk_resources


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


def _parse(payload: dict[str, Any]) -> Article | None:
    resources.rejecting("parse", payload, lambda: watch_removal(resources, settings, payload))

    def work():
        page = FetchedPage.from_dict(payload)
        article = parse_page(page, settings.max_page_bytes, resources.extraction_hints(page.crawl_source))
        refuse_if_too_old(article, resources.url_rules(page.crawl_source))
        return article

    article = resources.rejecting("parse", payload, work)
    return None if article is None else article.replace(recheck=bool(payload.get("recheck")))


def _dedupe(article: Article) -> Article | None:
    article = resources.rejecting("dedupe", article, lambda: assign_identity(article))
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
    return resources.rejecting("enrich", article, lambda: enrich_article(article, resources.enricher))


def _index(article: Article) -> None:
    _buffer(article.to_dict())


def _buffer(payload: dict[str, Any]) -> None:
    """Queue an article or a copy for the next bulk write: a full batch is flushed now, a partial one
    shortly."""
    pending = resources.index_buffer.push(payload)
    if pending % settings.index_batch_size == 0:
        queue_flush()
    elif pending == 1:
        queue_flush(countdown=settings.index_batch_seconds)


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
                metrics.append((stage, "retried", _us_since(started)))
                if stage == task_stage:
                    raise
                log.warning("stage %s will retry in its own task: %s", stage, exc, extra={"stage": stage})
                _hand_on(STAGE_TASKS[stage], article, countdown=backoff_delay(0, settings.retry_backoff_max))
                return
            metrics.append((stage, "succeeded", _us_since(started)))
            if article is None:
                return
    finally:
        current_stage.set(None)
        resources.record_stage_metrics(metrics)


def _us_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1_000_000)


@app.task(name=PARSE_TASK, base=StageTask, stage="parse")
def parse(payload: dict[str, Any]) -> None:
    """What the spider sends: the page goes through every stage here, unless one must wait and retry."""
    started = time.perf_counter()
    article = _parse(payload)
    parsed = ("parse", "succeeded", _us_since(started))
    if article is None:
        resources.record_stage_metrics([parsed])
    else:
        _run_from("dedupe", article, task_stage="parse", metrics=[parsed])


def _continue_at(stage: str, payload: dict[str, Any]) -> None:
    """A stage's own task: the article goes on from `stage` (a retry, a hand-on, a dead-letter replay)."""
    article = resources.rejecting(stage, payload, lambda: Article.from_dict(payload))
    if article is not None:
        _run_from(stage, article, task_stage=stage)


@app.task(name=DEDUPE_TASK, base=StageTask, stage="dedupe")
def dedupe(payload: dict[str, Any]) -> None:
    _continue_at("dedupe", payload)


@app.task(name=ENRICH_TASK, base=StageTask, stage="enrich")
def enrich(payload: dict[str, Any]) -> None:
    _continue_at("enrich", payload)


@app.task(name=INDEX_TASK, base=StageTask, stage="index")
def index(payload: dict[str, Any]) -> None:
    if is_copy(payload):  # a copy's dead letter, replayed
        _buffer(payload)
    else:
        _continue_at("index", payload)


STAGE_TASKS = {"dedupe": dedupe, "enrich": enrich, "index": index}


# Not a page stage: its task-level metrics come from the worker signal (tasks/worker/app.py).
@app.task(name=LISTING_CHANGES_TASK, base=StageTask, stage="removal", records_stage_metrics=False)
def listing_changes(payload: dict[str, Any]) -> None:
    """Revisions: what a complete crawl found missing from (or back in) every listing."""
    resources.rejecting("removal", payload, lambda: apply_listing_changes(resources.es, settings, payload))

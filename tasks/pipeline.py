"""The Celery tasks: thin wrappers that load a message, call one pure stage, and hand the result on."""

from __future__ import annotations

import logging
from typing import Any

import kombu.exceptions
from celery import Task
from celery.exceptions import Reject

from index.documents import article_document
from index.writer import write_articles
from newsdesk.errors import Rejected, TransientError
from newsdesk.messages import Article, FetchedPage
from newsdesk.redisstore import utc_now
from tasks.app import app
from tasks.backoff import backoff_delay
from tasks.dedupe import assign_identity, judge_claim
from tasks.enrich import enrich_article
from tasks.parse import parse_page

log = logging.getLogger(__name__)
settings = app.newsdesk_settings
resources = app.newsdesk_resources
INDEX_OUTCOMES = {"created": "new", "updated": "updated", "noop": "unchanged"}


class StageTask(Task):
    """Retries TransientError with exponential backoff and jitter; whatever still fails is dead-lettered."""

    max_retries = settings.max_retries
    stage = "unknown"

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


def _hand_on(task: Task, article: Article) -> None:
    """Queue the next stage; a broker that is away is a TransientError like any other dependency."""
    try:
        task.delay(article.to_dict())
    except kombu.exceptions.OperationalError as exc:
        raise TransientError(f"hand on to {task.name}: broker unavailable ({exc})") from exc


def _rejecting(stage: str, payload: dict[str, Any], work) -> Any:
    """Run one stage; a Rejected is recorded with its reason and ends this page's journey."""
    try:
        return work()
    except Rejected as exc:
        log.info("stage %s rejected %s: %s", stage, payload.get("url"), exc)
        resources.record_rejection(stage, payload, exc)
        return None


@app.task(name="newsdesk.parse", base=StageTask, stage="parse")
def parse(payload: dict[str, Any]) -> None:
    article = _rejecting(
        "parse", payload, lambda: parse_page(FetchedPage.from_dict(payload), settings.max_page_bytes)
    )
    if article is not None:
        _hand_on(dedupe, article)


@app.task(name="newsdesk.dedupe", base=StageTask, stage="dedupe")
def dedupe(payload: dict[str, Any]) -> None:
    article = _rejecting("dedupe", payload, lambda: assign_identity(Article.from_dict(payload)))
    if article is None:
        return
    owner = resources.claims.claim(article.doc_id, article.final_url or article.url)
    verdict = judge_claim(article, owner)
    if verdict.duplicate_of:
        resources.record_duplicate(payload, article.canonical_url, article.doc_id, verdict.duplicate_of)
        return
    _hand_on(enrich, article)


@app.task(name="newsdesk.enrich", base=StageTask, stage="enrich")
def enrich(payload: dict[str, Any]) -> None:
    article = _rejecting("enrich", payload, lambda: enrich_article(Article.from_dict(payload)))
    if article is not None:
        _hand_on(index, article)


@app.task(name="newsdesk.index", base=StageTask, stage="index")
def index(payload: dict[str, Any]) -> None:
    def write() -> str:
        document = article_document(Article.from_dict(payload), indexed_at=utc_now())
        (result,) = write_articles(resources.es, settings, [document])
        if result.outcome == "retry":
            raise TransientError(f"index {result.doc_id}: {result.error}")
        if result.outcome == "rejected":
            raise Rejected("index_rejected", result.error or "")
        run_id = payload.get("run_id")
        if result.outcome == "noop" and run_id and result.created_by_run == run_id:
            return "new"  # an earlier attempt of this task created it, then died before counting
        return INDEX_OUTCOMES.get(result.outcome, "updated")

    outcome = _rejecting("index", payload, write)
    if outcome is not None:
        resources.runs.record_outcome(payload.get("run_id"), payload.get("url", ""), outcome)

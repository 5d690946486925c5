"""Operations tasks: scheduled crawls (one per source at a time) and draining dead letters kept in Redis."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from celery.signals import task_revoked

from index.crawl_log import archive_run as write_run_archive
from newsdesk.kernel.clock import utc_now
from newsdesk.kernel.crawl_request import CrawlRequest
from newsdesk.kernel.errors import NewsdeskError, StoreNotReady, TransientError
from newsdesk.kernel.wire import ARCHIVE_RUN_TASK, CRAWL_TASK, DRAIN_DEAD_LETTERS_TASK
from newsdesk.state.locks import CrawlBusy, CrawlLocks
from tasks.worker.app import app
from tasks.worker.crawls import crawl_source

log = logging.getLogger(__name__)
ARCHIVE_POLL_SECONDS = 5
ARCHIVE_WAIT_SECONDS = 3600
settings = app.newsdesk_settings
resources = app.newsdesk_resources


# Acknowledged on receipt: a crawl lost with its worker is simply redone at the next tick, whereas a
# late ack would redeliver a long crawl after the visibility timeout while it still runs.
@app.task(name=CRAWL_TASK, acks_late=False, ignore_result=True)
def crawl(source: str, trigger: str = "schedule") -> dict[str, Any] | None:
    try:
        # The crawl's log joins the worker's own output (fd 2, not Celery's redirected sys.stderr).
        run = crawl_source(settings, CrawlRequest(source), trigger, echo=sys.__stderr__.buffer)
    except CrawlBusy as exc:
        log.warning("%s", exc, extra={"stage": "crawl", "crawl_source": source})
        return None
    except StoreNotReady as exc:
        # The run record keeps the same reason as its finish reason; nothing was fetched.
        log.error(
            "crawl of %s not started: %s", source, exc, extra={"stage": "crawl", "crawl_source": source}
        )
        return None
    log.info(
        "crawl %s of %s finished: %s pages handed off",
        run["run_id"],
        source,
        run.get("sent", 0),
        extra={"stage": "crawl", "crawl_source": source},
    )
    # Recorded in Elasticsearch once the pipeline has given every page its fate, by a task of its own:
    # this crawl worker's slot is not held while the page workers finish.
    archive_run.apply_async(args=[run["run_id"], time.time()], countdown=ARCHIVE_POLL_SECONDS)
    return {k: v for k, v in run.items() if k in ("run_id", "sent", "crawler_exit")}


@app.task(name=ARCHIVE_RUN_TASK, bind=True, max_retries=None, ignore_result=True)
def archive_run(self, run_id: str, finished_at: float) -> str | None:
    """The run's record and every URL's fate into Elasticsearch (`crawl-runs`, `crawl-log`), once every
    page has its fate, or after ARCHIVE_WAIT_SECONDS with what is there (Redis keeps the rest 30 days)."""
    run = resources.runs.get(run_id)
    if not run:
        return None
    if not run.get("complete") and time.time() - finished_at < ARCHIVE_WAIT_SECONDS:
        raise self.retry(countdown=ARCHIVE_POLL_SECONDS)
    try:
        problem = write_run_archive(resources.es, settings, run, resources.runs.url_fates(run_id), utc_now())
    except TransientError as exc:
        raise self.retry(countdown=ARCHIVE_POLL_SECONDS * 6, exc=exc) from exc
    except NewsdeskError as exc:
        log.warning("run %s not archived: %s", run_id, exc, extra={"stage": "crawl"})
        return None
    if problem:
        log.warning("run %s archived with a problem: %s", run_id, problem, extra={"stage": "crawl"})
    return run_id


@app.task(name=DRAIN_DEAD_LETTERS_TASK, ignore_result=True)
def drain_dead_letters() -> int:
    try:
        return resources.drain_pending_dead_letters()
    except TransientError as exc:
        log.warning("dead letters stay in Redis for now: %s", exc, extra={"stage": "deadletter"})
        return 0


@task_revoked.connect
def _record_expired_tick(sender=None, request=None, expired=False, **_kwargs) -> None:
    # A tick that waited in the queue past its expiry (workers busy) is skipped: recorded like any skip.
    if not expired or getattr(sender, "name", None) != CRAWL_TASK or not getattr(request, "args", None):
        return
    source, trigger = (list(request.args) + ["schedule"])[:2]
    try:
        CrawlLocks(resources.runs.client, settings.index_prefix).record_skip(
            source, trigger, {"holder": "no free worker before the tick expired"}
        )
    except NewsdeskError:
        log.exception("could not record the expired crawl tick of %s", source)

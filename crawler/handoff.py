"""Hands each fetched page to the pipeline as a named Celery task with a plain JSON payload."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import kombu.exceptions
import redis
from scrapy import signals
from twisted.internet.task import LoopingCall
from twisted.internet.threads import deferToThread

from crawler.listing_watch import crawl_was_complete
from newsdesk.kernel.errors import NewsdeskError
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.wire import PARSE_TASK, QUEUE
from newsdesk.state.client import build_redis, execute_replicated, patiently
from newsdesk.state.crawl_state import CrawlState
from newsdesk.state.dead_links import DeadLinks
from newsdesk.state.reliable.broker import task_sender
from newsdesk.state.runs import RunStore

log = logging.getLogger(__name__)
SEND_ATTEMPTS = 5
PROGRESS_SECONDS = 1.0
BACKPRESSURE_POLL_SECONDS = 0.5


def crawl_summary(stats: dict[str, Any], spider) -> dict[str, Any]:
    """The crawl side of a run record, from Scrapy's stats and what the spider recorded."""
    errors = {
        key.removeprefix("newsdesk/errors/"): value
        for key, value in stats.items()
        if key.startswith("newsdesk/errors/")
    }
    return {
        "pages_fetched": stats.get("response_received_count", 0),
        "bytes": stats.get("downloader/response_bytes", 0),
        "discovery_pages": stats.get("newsdesk/discovery_pages", 0),
        "not_modified": stats.get("newsdesk/not_modified", 0),
        "pagination_skipped": stats.get("newsdesk/pagination_skipped", 0),
        "article_pages": stats.get("newsdesk/article_pages", 0),
        "discovered": stats.get("newsdesk/discovered", 0),
        "skipped_known": stats.get("newsdesk/skipped_known", 0),
        "rechecks": stats.get("newsdesk/rechecks", 0),
        "not_modified_articles": stats.get("newsdesk/not_modified_articles", 0),
        "handed_off": stats.get("newsdesk/handed_off", 0),
        "handoff_failed": stats.get("newsdesk/handoff_failed", 0),
        "robots_refused": errors.get("robots_disallowed", 0),
        "urls": len(getattr(spider, "fetched", ())),
        "dead_links": stats.get("newsdesk/dead_links", 0),
        "skipped_dead": stats.get("newsdesk/skipped_dead", 0),
        "dead_link_rechecks": stats.get("newsdesk/dead_link_rechecks", 0),
        "lost_handoffs_redone": stats.get("newsdesk/lost_handoffs_redone", 0),
        "revived_links": stats.get("newsdesk/revived_links", 0),
        "read_as_listing": stats.get("newsdesk/read_as_listing", 0),
        "skipped_by_rule": stats.get("newsdesk/skipped_by_rule", 0),
        "skipped_too_old": stats.get("newsdesk/skipped_too_old", 0),
        "retries": stats.get("retry/count", 0),
        "crawl_delay": stats.get("newsdesk/crawl_delay", 0),
        "errors": sum(errors.values()),
        "errors_by_kind": json.dumps(errors, sort_keys=True),
        "problems": json.dumps(getattr(spider, "problems", [])),
        "fetch_errors": stats.get("log_count/ERROR", 0),
        "finish_reason": stats.get("finish_reason", "running"),
        "backpressure_pauses": stats.get("newsdesk/backpressure_pauses", 0),
    }


class HandOffPipeline:
    """Sends `newsdesk.parse` for every page; the broker call runs in a thread, off Scrapy's reactor."""

    def __init__(self, settings: Settings, stats) -> None:
        self.settings = settings
        self.stats = stats
        self.celery = task_sender("newsdesk-crawler", settings)
        client = build_redis(settings)
        self.broker = client
        self.runs = RunStore(client, settings.index_prefix, settings.redis_min_replicas)
        self.state = CrawlState(client, settings.index_prefix, settings.crawl_state_max_urls)
        self.dead_links = DeadLinks(client, settings.index_prefix)
        self._progress: LoopingCall | None = None
        self._spider = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings["NEWSDESK_SETTINGS"], crawler.stats)
        # Pipelines close before Scrapy says why the crawl ended; the run is finished when it has.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider) -> None:
        self._spider = spider
        if getattr(spider, "run_id", None):
            self._progress = LoopingCall(self._report_progress)
            self._progress.start(PROGRESS_SECONDS, now=False)

    def _report_progress(self):
        summary = crawl_summary(self.stats.get_stats(), self._spider)
        summary.pop("problems")
        fates, self._spider.fates = self._spider.fates, []
        return deferToThread(self._write_progress, self._spider.run_id, summary, fates)

    def _write_progress(
        self, run_id: str, summary: dict[str, Any], fates: list[tuple[str, str, str]]
    ) -> None:
        try:
            self.runs.record_crawler_fates(run_id, fates)
        except NewsdeskError as exc:
            # Kept for the next write: a fate is never dropped because Redis blinked.
            self._spider.fates.extend(fates)
            log.warning("fates of run %s not recorded yet: %s", run_id, exc)
        try:
            self.runs.record_crawl_progress(run_id, summary)
        except NewsdeskError as exc:
            log.warning("progress of run %s not recorded: %s", run_id, exc)

    def process_item(self, item: dict[str, Any], spider):
        return deferToThread(self._send, item)

    def _wait_for_room(self, url: str) -> None:
        """Backpressure: while the pipeline's queue is past its bound, hold this page (off the reactor).

        Every hand-off thread that waits holds back Scrapy's item processing, which stops new
        downloads, so the broker's memory stays bounded however large the crawl.
        """
        bound = self.settings.max_queue_depth
        waited = 0.0
        while True:
            try:
                depth = self.broker.llen(QUEUE)
            except redis.RedisError:
                return  # the send below has its own retries for a broker that is away
            if depth < bound:
                break
            if waited == 0:
                self.stats.inc_value("newsdesk/backpressure_pauses")
                log.info("queue holds %d tasks (bound %d): pausing hand-off of %s", depth, bound, url)
            time.sleep(BACKPRESSURE_POLL_SECONDS)
            waited += BACKPRESSURE_POLL_SECONDS
        if waited:
            self.stats.inc_value("newsdesk/backpressure_seconds", waited)

    def _send(self, item: dict[str, Any]) -> dict[str, Any]:
        self._wait_for_room(item["url"])
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                # argsrepr: Celery would otherwise build a repr of the whole page for the message header.
                self.celery.send_task(PARSE_TASK, args=[item], queue=QUEUE, argsrepr=repr(item["url"]))
                # The run's count and the known URLs in one round trip (each costs ~0.25 ms of CPU here).
                # With replicas required, it returns once they hold the page's task too (it came first):
                # a failover cannot lose a page the crawl counts as handed off.
                replicas = self.settings.redis_min_replicas
                bookkeeping = self.broker.pipeline(transaction=False)
                if item.get("run_id"):
                    self.runs.count_sent_once(item["run_id"], item["url"], client=bookkeeping)
                if item.get("status") == 200 and not item.get("error"):
                    # Known from now on: the pipeline gives it a recorded fate, a re-crawl need not fetch it.
                    urls = {item["url"], item["final_url"]}
                    self.state.mark_known(item["crawl_source"], urls, pipe=bookkeeping, min_replicas=replicas)
                else:
                    execute_replicated(bookkeeping, replicas, "count sent")
                self.stats.inc_value("newsdesk/handed_off")
                return item
            except (kombu.exceptions.OperationalError, redis.RedisError, OSError, NewsdeskError) as exc:
                # Sent again whole: a page's task twice is one fate and one count (both idempotent).
                log.warning("hand-off of %s failed (attempt %d): %s", item["url"], attempt, exc)
                time.sleep(min(2**attempt, 30))
        self.stats.inc_value("newsdesk/handoff_failed")
        # Never a silent loss: the crawl's stats and log carry every page that could not be handed off.
        log.error("could not hand off %s after %d attempts", item["url"], SEND_ATTEMPTS)
        return item

    def close_spider(self, spider) -> None:
        if self._progress is not None and self._progress.running:
            self._progress.stop()
        self.state.save_page_validators(spider.source.name, getattr(spider, "new_validators", {}))
        self._save_dead_links(spider)
        if getattr(spider, "run_id", None):
            fates, spider.fates = spider.fates, []
            patiently(lambda: self.runs.record_crawler_fates(spider.run_id, fates), "record crawler fates")

    def _save_dead_links(self, spider) -> None:
        """Links found dead are remembered with their next re-check; links that answered again are not."""
        source = spider.source.name
        settings = self.settings
        self.dead_links.forget(source, spider.revived)
        self.dead_links.record(
            source,
            spider.dead_found,
            time.time(),
            settings.dead_link_first_wait,
            settings.dead_link_longest_wait,
            known=spider.dead,
        )

    def spider_closed(self, spider, reason: str) -> None:
        """The run's crawl side, with the real finish reason: `finished`, or the limit that stopped it
        (`closespider_timeout` at NEWSDESK_CRAWL_TIME_LIMIT, `closespider_pagecount` at `max_pages`)."""
        complete = crawl_was_complete(reason, getattr(spider, "discovery_failures", 0))
        every_page = not getattr(spider, "pagination_skipped", 0)
        try:
            self.state.record_listing_read(spider.source.name, complete, every_page, time.time())
        except NewsdeskError as exc:  # the next crawl then reads every listing page: slower, never wrong
            log.warning("listing completeness of %s not saved: %s", spider.source.name, exc)
        run_id = getattr(spider, "run_id", None)
        if not run_id:
            return
        if spider.note_unanswered(reason):
            fates, spider.fates = spider.fates, []
            patiently(lambda: self.runs.record_crawler_fates(run_id, fates), "record crawler fates")
        summary = crawl_summary(self.stats.get_stats(), spider)
        summary["finish_reason"] = reason
        self.runs.finish_crawl(run_id, summary)

"""Hands each fetched page to the pipeline as a named Celery task with a plain JSON payload."""

from __future__ import annotations

import logging
import time
from typing import Any

import kombu.exceptions
import redis
from celery import Celery
from twisted.internet.threads import deferToThread

from newsdesk.redisstore import RunStore, build_redis
from newsdesk.settings import Settings

log = logging.getLogger(__name__)
PARSE_TASK = "newsdesk.parse"
QUEUE = "newsdesk"
SEND_ATTEMPTS = 5
BACKPRESSURE_POLL_SECONDS = 0.5


class HandOffPipeline:
    """Sends `newsdesk.parse` for every page; the broker call runs in a thread, off Scrapy's reactor."""

    def __init__(self, settings: Settings, stats) -> None:
        self.settings = settings
        self.stats = stats
        self.celery = Celery("newsdesk-crawler", broker=settings.redis_url)
        self.celery.conf.update(task_serializer="json", broker_connection_retry_on_startup=True)
        self.broker = build_redis(settings)
        self.runs = RunStore(self.broker, settings.index_prefix)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings["NEWSDESK_SETTINGS"], crawler.stats)

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
                self.celery.send_task(PARSE_TASK, args=[item], queue=QUEUE)
                if item.get("run_id"):
                    self.runs.count_sent(item["run_id"])
                self.stats.inc_value("newsdesk/handed_off")
                return item
            except (kombu.exceptions.OperationalError, redis.RedisError, OSError) as exc:
                log.warning("hand-off of %s failed (attempt %d): %s", item["url"], attempt, exc)
                time.sleep(min(2**attempt, 30))
        self.stats.inc_value("newsdesk/handoff_failed")
        # Never a silent loss: the crawl's stats and log carry every page that could not be handed off.
        log.error("could not hand off %s after %d attempts", item["url"], SEND_ATTEMPTS)
        return item

    def close_spider(self, spider) -> None:
        run_id = getattr(spider, "run_id", None)
        if not run_id:
            return
        stats = self.stats.get_stats()
        summary = {
            "pages_fetched": stats.get("response_received_count", 0),
            "handed_off": stats.get("newsdesk/handed_off", 0),
            "handoff_failed": stats.get("newsdesk/handoff_failed", 0),
            "fetch_errors": stats.get("log_count/ERROR", 0),
            "finish_reason": stats.get("finish_reason", "finished"),
            "backpressure_pauses": stats.get("newsdesk/backpressure_pauses", 0),
        }
        self.runs.finish_crawl(run_id, summary)

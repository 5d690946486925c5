"""At the end of a crawl: move the re-check schedule on, and report articles no listing has any more."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import kombu.exceptions
import redis
from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsdesk.kernel.errors import NewsdeskError
from newsdesk.kernel.fates import ARTICLE_FATES
from newsdesk.kernel.recheck import duration_seconds
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.sources import Source
from newsdesk.kernel.wire import LISTING_CHANGES_SCHEMA, LISTING_CHANGES_TASK, QUEUE
from newsdesk.state.client import build_redis
from newsdesk.state.crawl_state import CrawlState, ListingReads, known_form
from newsdesk.state.reliable.broker import task_sender
from newsdesk.state.revisits import ListingPresence, ListingReport, RecheckSchedule
from newsdesk.state.runs import RunStore

log = logging.getLogger(__name__)
URLS_PER_TASK = 500
# A re-check that answered these says itself whether the article is gone; its listings need not.
ANSWERED_GONE = (301, 404, 410)


def crawl_was_complete(reason: str, discovery_failures: int) -> bool:
    """Only a crawl that ended normally and read every discovery page may say an article is unlisted."""
    return reason == "finished" and discovery_failures == 0


def unlisted_grace_seconds(source: Source, settings: Settings) -> float:
    grace = source.recheck.unlisted_grace
    return duration_seconds(grace) if grace is not None else settings.removal_grace_seconds


def reads_every_listing_page(source: Source, reads: ListingReads, now: float, grace_seconds: float) -> bool:
    """Whether this crawl fetches a listing's further pages even after a page that listed nothing new.

    Stopping there is safe only once a complete crawl has found everything the listings hold. A source
    whose listings may be in another order says so (`paginate_known`); one with listing-based removal
    reads every page at least every half grace period, since only such a crawl may judge absence.
    """
    if source.paginate_known or not reads.complete:
        return True
    if source.recheck.unlisted_removal:
        return reads.full_read_at is None or now - reads.full_read_at >= grace_seconds / 2
    return False


def listing_changes_payloads(
    source: str, run_id: str | None, report: ListingReport, at: float, pages_checked: int
) -> list[dict[str, Any]]:
    """The `newsdesk.listing_changes` task payloads for a crawl's report, a few hundred URLs each."""
    iso = dt.datetime.fromtimestamp(at, dt.UTC).isoformat(timespec="milliseconds")
    unlisted = [
        {"url": url, "last_listed_at": dt.datetime.fromtimestamp(last, dt.UTC).isoformat(timespec="seconds")}
        for url, last in report.unlisted
    ]
    payloads = []
    for start in range(0, max(len(unlisted), len(report.relisted)), URLS_PER_TASK):
        payloads.append(
            {
                "schema": LISTING_CHANGES_SCHEMA,
                # Named like a page so a dead letter of this task has an address of its own.
                "url": f"listing-changes:{source}:{run_id or iso}:{start}",
                "crawl_source": source,
                "crawl_run": run_id,
                "checked_at": iso,
                "pages_checked": pages_checked,
                "unlisted": unlisted[start : start + URLS_PER_TASK],
                "relisted": report.relisted[start : start + URLS_PER_TASK],
            }
        )
    return payloads


class RevisionWatch:
    """A Scrapy extension: runs when the spider has closed, so the crawl's finish reason is known."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = build_redis(settings)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings.get("NEWSDESK_SETTINGS")
        if settings is None:
            raise NotConfigured("no newsdesk settings")
        watch = cls(settings)
        crawler.signals.connect(watch.spider_closed, signal=signals.spider_closed)
        return watch

    def spider_closed(self, spider, reason: str) -> None:
        source = spider.source
        checks = getattr(spider, "article_checks", [])
        try:
            RecheckSchedule(self.client, self.settings.index_prefix).record_checks(
                source.name, checks, source.recheck
            )
            if source.recheck.unlisted_removal:
                self._report_listings(spider, reason, checks)
        except NewsdeskError as exc:
            log.error("revision state of %s not saved: %s", source.name, exc)

    def _report_listings(self, spider, reason: str, checks: list[dict[str, Any]]) -> None:
        source = spider.source
        # Absence is judged only on a crawl that read every listing page to its end.
        complete = crawl_was_complete(reason, spider.discovery_failures) and not spider.pagination_skipped
        grace_seconds = unlisted_grace_seconds(source, self.settings)
        answered_gone = {known_form(c["url"]) for c in checks if c.get("status") in ANSWERED_GONE}
        at = time.time()
        report = ListingPresence(self.client, self.settings.index_prefix).record_crawl(
            source.name,
            {page: sorted(urls) for page, urls in spider.listed_on.items()},
            spider.unchanged_pages,
            at,
            grace_seconds if complete else None,
            decided_elsewhere=answered_gone,
        )
        log.info(
            "listings of %s: %d articles listed, %d unlisted past the grace period, %d listed again%s",
            source.name,
            report.listed,
            len(report.unlisted),
            len(report.relisted),
            ""
            if complete
            else f" (crawl {reason}, {spider.discovery_failures} discovery failures: "
            "nothing judged unlisted)",
        )
        pages_checked = len(spider.listed_on) + len(spider.unchanged_pages)
        payloads = listing_changes_payloads(source.name, spider.run_id, report, at, pages_checked)
        if payloads and not self._send(payloads):
            ListingPresence(self.client, self.settings.index_prefix).unreport(source.name, report)

    def _send(self, payloads: list[dict[str, Any]]) -> bool:
        celery = task_sender("newsdesk-crawler", self.settings)
        try:
            for payload in payloads:
                celery.send_task(LISTING_CHANGES_TASK, args=[payload], queue=QUEUE)
        except (kombu.exceptions.OperationalError, redis.RedisError, OSError) as exc:
            log.error(
                "listing changes not handed on (%d tasks), kept for the next crawl: %s", len(payloads), exc
            )
            return False
        return True


def settle_pages_handed_on(
    state: CrawlState, runs: RunStore, source: str, validators: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The discovery pages a re-crawl should read, once the pipeline's verdicts on those generic
    discovery handed on are in: a page it found to be an article (or a copy of one) is settled, known
    and never read for links again; one it found not to be an article stays a discovery page. A page
    with no verdict yet is left as it is, and asked for again (conditionally)."""
    pending = [(url, entry["handed_on_in"]) for url, entry in validators.items() if entry.get("handed_on_in")]
    if not pending:
        return validators
    verdicts = runs.fates_of([(run_id, url) for url, run_id in pending])
    settled, listings = [], {}
    for (url, _), fate in zip(pending, verdicts, strict=True):
        if fate in ARTICLE_FATES:
            settled.append(url)
        elif fate is not None:
            listings[url] = {k: v for k, v in validators[url].items() if k != "handed_on_in"}
    state.forget_page_validators(source, settled)
    state.save_page_validators(source, listings)
    kept = {url: entry for url, entry in validators.items() if url not in settled}
    return {**kept, **listings}
